#!/usr/bin/env bash
# xl mem-set, mem-max and uptime on an isolated instance with a PVH test
# guest (the "idle" program: a balloon driver that gives pages back and
# takes them again to follow memory/target, then echoes it to
# data/memory-target): pool memory follows the target, memory/target and
# /vm/UUID/memory as Xen writes them, the hypervisor's limit (mem-set
# enforces it, mem-max sets it, memory/static-max stays), Xen's size
# suffixes and messages, and uptime's rows.
set -u
. "$KXEN_SRCDIR/tests/lib/instance.sh"
instance_require_root_kvm

guest=$KXEN_BUILDDIR/tests/guests/xtest-pvh
[ -f "$guest" ] || fail "test guest $guest not built"
command -v xl-meminfo >/dev/null || fail "xl-meminfo not built"

export XENHV_ARGS="--memory 512M"
instance_start

cat >"$INSTANCE_DIR/idle.cfg" <<CFG
name = "xtest-mem"
type = "pvh"
kernel = "$guest"
cmdline = "idle"
memory = 32
maxmem = 48
CFG

wait_node() {
	for _ in $(seq 200); do
		[ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 never became '$2' (is '$(xenstore-read "$1" 2>/dev/null)')"
}
max_kb() { xl-meminfo "$domid" | sed -n 's/^max_kb=\([0-9]*\) .*/\1/p'; }
tot_kb() { xl-meminfo "$domid" | sed -n 's/.* tot_kb=\([0-9]*\)$/\1/p'; }
free_mem() { xl info | awk -F': ' '$1 ~ /^free_memory/ { print $2 }'; }

xl create "$INSTANCE_DIR/idle.cfg" >/dev/null 2>&1 || fail "xl create failed"
domid=$(xl domid xtest-mem) || fail "xl domid"
dom=/local/domain/$domid
vm=$(xenstore-read "$dom/vm") || fail "no $dom/vm"
wait_node "$dom/data/idle-ready" 1
wait_node "$dom/data/memory-target" 32768
tot0=$(tot_kb)
free0=$(free_mem)
mem0=$(xl list xtest-mem | awk 'NR == 2 { print $3 }')
[ "$(xenstore-read "$dom/memory/target")" = 32768 ] || fail "initial target"
[ "$(xenstore-read "$dom/memory/static-max")" = 49152 ] || fail "initial static-max"
# The limit holds maxmem plus Xen's 1 MiB of slack (LIBXL_MAXMEM_CONSTANT).
[ "$(max_kb)" = $((49152 + 1024)) ] || fail "initial limit $(max_kb)"

# mem-set: the target in KiB, /vm/UUID/memory in MiB, the limit follows.
xl mem-set xtest-mem 20m || fail "mem-set 20m failed"
[ "$(xenstore-read "$dom/memory/target")" = 20480 ] || fail "target after 20m"
[ "$(xenstore-read "$vm/memory")" = 20 ] || fail "$vm/memory after 20m"
wait_node "$dom/data/memory-target" 20480
[ "$(max_kb)" = $((20480 + 1024)) ] || fail "mem-set did not enforce the limit: $(max_kb)"
# The guest gave 12 MiB back: the domain holds less, the pool has more.
[ "$(xenstore-read "$dom/data/balloon-pages")" = 3072 ] || fail "the guest did not balloon 3072 pages"
[ "$(tot_kb)" = $((tot0 - 12288)) ] || fail "tot_kb $tot0 -> $(tot_kb), not 12288 less"
[ "$(free_mem)" = $((free0 + 12)) ] || fail "free_memory $free0 -> $(free_mem), not 12 MiB more"
[ "$(xl list xtest-mem | awk 'NR == 2 { print $3 }')" = $((mem0 - 12)) ] || fail "xl list Mem did not follow"

# Xen's suffixes; a bare number is MiB, as Xen's parse_mem_size_kb does.
for spec in 24576k:24576 25165824b:24576 30:30720 30M:30720 0g:0; do
	xl mem-set xtest-mem "${spec%%:*}" || fail "mem-set ${spec%%:*} failed"
	[ "$(xenstore-read "$dom/memory/target")" = "${spec#*:}" ] ||
		fail "mem-set ${spec%%:*}: target $(xenstore-read "$dom/memory/target")"
done
xl mem-set xtest-mem 28m || fail "mem-set 28m failed"
# Through 0 (as much as the guest can give) back up: pages taken again.
wait_node "$dom/data/memory-target" 28672
[ "$(xenstore-read "$dom/data/balloon-pages")" = 1024 ] || fail "balloon not at 1024 pages"
[ "$(tot_kb)" = $((tot0 - 4096)) ] || fail "tot_kb $tot0 -> $(tot_kb), not 4096 less"

# Errors change nothing.
err=$(xl mem-set xtest-mem 12q 2>&1) && fail "mem-set 12q succeeded"
[ "$err" = "invalid memory size: 12q" ] || fail "mem-set 12q: '$err'"
err=$(xl mem-set xtest-mem 1g 2>&1) && fail "mem-set above static-max succeeded"
case $err in *"cannot set domid $domid dynamic max memory to : 1g"*) ;; *) fail "mem-set 1g: '$err'" ;; esac
[ "$(xenstore-read "$dom/memory/target")" = 28672 ] || fail "a failed mem-set changed the target"
err=$(xl mem-set nosuch 10m 2>&1) && fail "mem-set of an unknown domain succeeded"
[ "$err" = "nosuch is an invalid domain identifier (rc=-6)" ] || fail "unknown domain: '$err'"

# mem-max: the limit only; static-max stays, as Xen; not below the target.
xl mem-max xtest-mem 40m || fail "mem-max 40m failed"
[ "$(max_kb)" = $((40960 + 1024)) ] || fail "mem-max 40m: limit $(max_kb)"
[ "$(xenstore-read "$dom/memory/static-max")" = 49152 ] || fail "mem-max changed static-max"
xl mem-max xtest-mem 1g || fail "mem-max above static-max failed (Xen allows it)"
[ "$(max_kb)" = $((1048576 + 1024)) ] || fail "mem-max 1g: limit $(max_kb)"
err=$(xl mem-max xtest-mem 16m 2>&1) && fail "mem-max below the target succeeded"
case $err in *"cannot set domid $domid static max memory to : 16m"*) ;; *) fail "mem-max 16m: '$err'" ;; esac
[ "$(max_kb)" = $((1048576 + 1024)) ] || fail "a failed mem-max changed the limit"
err=$(xl mem-max xtest-mem 5x 2>&1) && fail "mem-max 5x succeeded"
[ "$err" = "invalid memory size: 5x" ] || fail "mem-max 5x: '$err'"

# uptime: "%-33s %4s %s" header, Domain-0 (the host) first, H:MM:SS.
out=$(xl uptime) || fail "xl uptime failed"
echo "$out"
[ "$(echo "$out" | sed -n 1p)" = "$(printf '%-33s %4s %s' Name ID Uptime)" ] || fail "uptime header"
[[ $(echo "$out" | sed -n 2p) =~ ^$(printf '%-33s %4d' Domain-0 0)\ ([0-9]+\ days?,\ )?[\ 0-9][0-9]:[0-9]{2}:[0-9]{2}$ ]] ||
	fail "uptime Domain-0 row"
row=$(xl uptime xtest-mem | sed -n 2p)
[[ $row =~ ^$(printf '%-33s %4d' xtest-mem "$domid")\ \ 0:[0-5][0-9]:[0-5][0-9]$ ]] ||
	fail "uptime row of the guest: '$row'"
row=$(xl uptime -s xtest-mem)
[[ $row =~ ^\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ up\ \ 0:[0-5][0-9],\ xtest-mem\ \($domid\)$ ]] ||
	fail "uptime -s row: '$row'"

xl destroy xtest-mem || fail "destroy failed"
echo "xl memory: ok"
