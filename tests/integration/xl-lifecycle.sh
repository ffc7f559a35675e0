#!/usr/bin/env bash
# xl's everyday lifecycle on an isolated instance with the PVH test guest:
# create (paused and not), list in Xen's format, console through
# xenconsoled's pty, pause/unpause, the monitor's on_poweroff=destroy,
# destroy, and a create that fails midway leaving nothing behind.
set -u
. "$KXEN_SRCDIR/tests/lib/instance.sh"
instance_require_root_kvm

guest=$KXEN_BUILDDIR/tests/guests/xtest-pvh
[ -f "$guest" ] || fail "test guest $guest not built"

export XENHV_ARGS="--memory 512M"
instance_start

cfg=$INSTANCE_DIR/hello.cfg
cat >"$cfg" <<CFG
name = "xtest-hello"
type = "pvh"
kernel = "$guest"
cmdline = "hello"
memory = 32
vcpus = 1
CFG

free_mem() { xl info | awk -F': ' '$1 ~ /^free_memory/ { print $2 }'; }
domains() { xl list | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' '; }

before=$(free_mem)
[ -n "$before" ] || fail "xl info has no free_memory"

# xl list with only domain 0, header with its two tabs.
header=$(xl list | head -n 1)
[ "$header" = "$(printf 'Name                                        ID   Mem VCPUs\tState\tTime(s)')" ] ||
	fail "xl list header differs from Xen's: '$header'"
[ "$(domains)" = "Domain-0 " ] || fail "unexpected domains: $(domains)"
[ "$(xl list -n | head -n 1)" = "$header NODE Affinity" ] || fail "xl list -n header: $(xl list -n | head -n 1)"
[[ $(xl list -n | tail -n 1) =~ ^Domain-0\ .*\ all$ ]] || fail "xl list -n row: $(xl list -n | tail -n 1)"

# Create paused; the monitor runs in the background.
out=$(xl create -p "$cfg" 2>&1) || fail "xl create -p failed: $out"
case $out in *"Parsing config from $cfg"*) ;; *) fail "no 'Parsing config from': $out" ;; esac
domid=$(xl domid xtest-hello) || fail "xl domid failed"
row=$(xl list xtest-hello | tail -n 1)
echo "$row"
[[ $row =~ ^xtest-hello\ +$domid\ +3[0-9]\ +1\ +--p---\ +[0-9.]+$ ]] ||
	fail "xl list row of the paused guest: '$row'"
[ "$(xl domname "$domid")" = xtest-hello ] || fail "xl domname"
# xl list -l: the stored config as Xen's JSON, domain 0 left out.
xl list -l >"$INSTANCE_DIR/list-l.json" 2>"$INSTANCE_DIR/list-l.err" || fail "xl list -l failed"
[ -s "$INSTANCE_DIR/list-l.err" ] && fail "xl list -l printed errors: $(cat "$INSTANCE_DIR/list-l.err")"
python3 - "$INSTANCE_DIR/list-l.json" "$domid" <<'PY' || fail "xl list -l: unexpected JSON"
import json, sys
doms = json.load(open(sys.argv[1]))
assert len(doms) == 1, doms
d = doms[0]
assert d["domid"] == int(sys.argv[2]), d["domid"]
assert d["config"]["c_info"]["name"] == "xtest-hello", d["config"]["c_info"]
assert d["config"]["c_info"]["type"] == "pvh", d["config"]["c_info"]
assert d["config"]["b_info"]["cmdline"] == "hello", d["config"]["b_info"]
PY
[ -n "$(xenstore-read /local/domain/"$domid"/console/tty)" ] ||
	fail "xenconsoled did not serve the console (console/tty empty)"

# The console, attached before the guest runs, sees it boot and power off;
# the monitor then destroys the domain (on_poweroff=destroy) and the
# console ends by itself.
timeout 60 xl console xtest-hello </dev/null >"$INSTANCE_DIR/console.out" 2>&1 &
console=$!
sleep 0.5
xl unpause xtest-hello || fail "xl unpause failed"
wait $console || { cat "$INSTANCE_DIR/console.out"; fail "xl console failed or hung"; }
cat "$INSTANCE_DIR/console.out"
grep -q 'xtest: hello: PASS' "$INSTANCE_DIR/console.out" || fail "no hello on the console"

for _ in $(seq 100); do
	[ "$(domains)" = "Domain-0 " ] && break
	sleep 0.1
done
[ "$(domains)" = "Domain-0 " ] || fail "the monitor did not destroy the powered-off guest: $(domains)"
xenstore-exists /local/domain/"$domid" && fail "/local/domain/$domid left behind"
[ "$(free_mem)" = "$before" ] || fail "free_memory $before -> $(free_mem) after the guest died"

# destroy of a paused guest frees everything at once.
xl create -p "$cfg" 2>/dev/null || fail "second create failed"
domid=$(xl domid xtest-hello)
xl destroy xtest-hello || fail "xl destroy failed"
[ "$(domains)" = "Domain-0 " ] || fail "destroy left: $(domains)"
xenstore-exists /local/domain/"$domid" && fail "/local/domain/$domid left behind by destroy"
[ "$(free_mem)" = "$before" ] || fail "free_memory not restored by destroy"

# Unknown domains, as Xen words it.
err=$(xl list nosuch 2>&1) && fail "xl list of an unknown name succeeded"
[ "$err" = "nosuch is an invalid domain identifier (rc=-6)" ] || fail "unknown name: '$err'"
err=$(xl list 4242 2>&1) && fail "xl list of an unknown id succeeded"
[ "$err" = "Error: Domain '4242' does not exist." ] || fail "unknown id: '$err'"

# A create that fails midway (the kernel is not an ELF image) leaves no
# domain, no xenstore node and no memory used.
echo garbage >"$INSTANCE_DIR/notelf"
xl create "$cfg" kernel="\"$INSTANCE_DIR/notelf\"" >/dev/null 2>&1 && fail "create of a non-ELF kernel succeeded"
[ "$(domains)" = "Domain-0 " ] || fail "failed create left: $(domains)"
[ -z "$(xenstore-list /local/domain | grep -vx 0)" ] || fail "failed create left xenstore nodes"
[ "$(free_mem)" = "$before" ] || fail "failed create leaked memory"
# cpus= pins the vCPUs at create (hard affinity).
xl create -p "$cfg" 'cpus="1"' 2>/dev/null || fail "create with cpus= failed"
row=$(xl vcpu-list xtest-hello | tail -n 1)
echo "$row"
[[ $row =~ \ 1\ /\ all$ ]] || fail "cpus=\"1\" not applied: '$row'"
xl destroy xtest-hello || fail "destroy after cpus= failed"
echo "xl lifecycle: ok"
