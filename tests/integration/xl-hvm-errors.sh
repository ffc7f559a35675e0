#!/usr/bin/env bash
# type="hvm" configs that cannot work are refused by xl create with a clear
# message before QEMU starts, and leave nothing behind (no domain, no QEMU,
# no xenstore node, no QMP socket, the pool's memory unchanged):
#   - a disk file that does not exist;
#   - a VNC display whose TCP port is already taken (vncunused=0);
#   - RAM above what the flat memfd layout supports (3.5 GiB and up);
#   - more RAM than xenhv's pool has free.
# No guest boots here: the kernel is a placeholder file.
set -u
. "$KXEN_SRCDIR/tests/lib/instance.sh"
instance_require_root_kvm
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (qemu-system-x86)"
command -v python3 >/dev/null || skip "python3 needed to hold a TCP port"

export XENHV_ARGS="--memory 512M"
instance_start

free_mem() { xl info | awk -F': *' '$1 ~ /^free_memory/ { print $2 }'; }
domains() { xl list | awk 'NR > 1 { print $1 }' | tr '\n' ' '; }

kernel=$INSTANCE_DIR/vmlinuz
printf 'not a kernel\n' >"$kernel"
truncate -s 16M "$INSTANCE_DIR/disk.img"

# cfg NAME EXTRA-LINES: an HVM config that would boot $kernel.
cfg() {
	local f=$INSTANCE_DIR/$1.cfg
	cat >"$f" <<CFG
name = "$1"
type = "hvm"
kernel = "$kernel"
memory = 64
vcpus = 1
serial = 'pty'
vnc = 0
$2
CFG
	echo "$f"
}

before=$(free_mem)

# refused NAME CFG PATTERN: xl create fails, says PATTERN, leaves nothing.
refused() {
	local name=$1 f=$2 pattern=$3 out rc
	out=$(timeout 60 xl create "$f" 2>&1)
	rc=$?
	echo "== $name (exit $rc)"
	sed 's/^/   /' <<<"$out"
	[ $rc -ne 0 ] || fail "$name: xl create succeeded"
	grep -q -- "$pattern" <<<"$out" || fail "$name: message lacks '$pattern'"
	[ "$(domains)" = "Domain-0 " ] || fail "$name: domains left: $(domains)"
	[ "$(free_mem)" = "$before" ] || fail "$name: pool memory $(free_mem), want $before"
	pgrep -f "qemu-system-x86_64.*$INSTANCE_DIR" >/dev/null && fail "$name: a QEMU runs"
	[ -z "$(xenstore-list /local/domain 2>/dev/null | grep -vx 0)" ] ||
		fail "$name: xenstore nodes left: $(xenstore-list /local/domain)"
	[ -z "$(xenstore-list /libxl 2>/dev/null)" ] || fail "$name: /libxl nodes left"
	ls "$XEN_RUN_DIR"/qmp-* >/dev/null 2>&1 && fail "$name: QMP sockets left"
	ls "$XEN_LIB_DIR"/userdata-* >/dev/null 2>&1 && fail "$name: stored config left"
	return 0
}

refused missing-disk "$(cfg missing-disk "disk = [ 'format=raw,vdev=hda,access=rw,target=$INSTANCE_DIR/nope.img' ]")" \
	"$INSTANCE_DIR/nope.img"

# Hold the TCP port of VNC display 57 (5957) for the second case.
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 5957))
s.listen(1)
print("ready", flush=True)
time.sleep(120)
' >"$INSTANCE_DIR/hold.out" 2>&1 &
holder=$!
for _ in $(seq 1 50); do grep -q ready "$INSTANCE_DIR/hold.out" && break; sleep 0.1; done
grep -q ready "$INSTANCE_DIR/hold.out" || skip "cannot hold TCP port 5957: $(cat "$INSTANCE_DIR/hold.out")"
refused busy-vnc "$(cfg busy-vnc "disk = [ 'format=raw,vdev=hda,access=rw,target=$INSTANCE_DIR/disk.img' ]
vnc = 1
vnclisten = '127.0.0.1'
vncdisplay = 57
vncunused = 0")" "already in use"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

refused big-ram "$(cfg big-ram "memory = 4096")" "not supported yet"

# More RAM than the pool has (512 MiB): refused by xenhv before QEMU starts.
refused no-memory "$(cfg no-memory "memory = 1024")" "not enough free memory"

echo "PASS"
