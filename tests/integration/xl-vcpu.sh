#!/usr/bin/env bash
# xl vcpu-list, vcpu-pin and vcpu-set on an isolated instance with a
# 2-vCPU PVH test guest (the "idle" program: it stays up and follows
# cpu/N/availability as a PV guest does): Xen's format and values, hard
# affinity that really pins the vCPU's thread in xenhv (checked in
# /proc/PID/task/TID/status), soft affinity, "all", ranges, errors, and
# vCPU hot(un)plug seen by the guest and by xl list.
set -u
. "$KXEN_SRCDIR/tests/lib/instance.sh"
instance_require_root_kvm

guest=$KXEN_BUILDDIR/tests/guests/xtest-pvh
[ -f "$guest" ] || fail "test guest $guest not built"

export XENHV_ARGS="--memory 512M"
instance_start

cat >"$INSTANCE_DIR/idle.cfg" <<CFG
name = "xtest-idle"
type = "pvh"
kernel = "$guest"
cmdline = "idle"
memory = 32
vcpus = 2
CFG

# wait_node PATH VALUE: until the node has the value (bounded: 20 s).
wait_node() {
	for _ in $(seq 200); do
		[ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.1
	done
	fail "$1 never became '$2' (is '$(xenstore-read "$1" 2>/dev/null)')"
}

xl create "$INSTANCE_DIR/idle.cfg" >/dev/null 2>&1 || fail "xl create failed"
domid=$(xl domid xtest-idle) || fail "xl domid"
dom=/local/domain/$domid
wait_node "$dom/data/idle-ready" 1
wait_node "$dom/data/vcpus-online" 2

ncpus=$(xl info | awk -F': ' '$1 ~ /^nr_cpus/ { print $2 }')
[ -n "$ncpus" ] && [ "$ncpus" -ge 1 ] || fail "xl info has no nr_cpus"
last=$((ncpus - 1))
# What Xen prints for a map of the host's CPUs: "all" when it is all of them.
if [ "$ncpus" = 1 ]; then last_str=all; else last_str=$last; fi

# vcpu-list: the header, then NAME ID VCPU, "%5u %3c%c- " (CPU, r/b) or
# "    -   --p " when offline, "%9.1f  ", "hard / soft".
header=$(xl vcpu-list xtest-idle | head -n 1)
[ "$header" = "$(printf '%-32s %5s %5s %5s %5s %9s %s' Name ID VCPU CPU State 'Time(s)' 'Affinity (Hard / Soft)')" ] ||
	fail "vcpu-list header: '$header'"

# row VCPU AFFINITY-REGEX [offline]: the regex of a row of our guest.
row() {
	local head
	head=$(printf '%-32s %5u %5u' xtest-idle "$domid" "$1")
	if [ "${3:-}" = offline ]; then
		echo "^${head}    -   --p [ 0-9.]{9}  $2\$"
	else
		echo "^${head}[ 0-9]{5}   [-r][-b]- [ 0-9.]{9}  $2\$"
	fi
}
check_rows() {
	local out
	out=$(xl vcpu-list xtest-idle) || fail "xl vcpu-list failed"
	echo "$out"
	[ "$(echo "$out" | wc -l)" = 3 ] || fail "vcpu-list: not 2 rows"
	[[ $(echo "$out" | sed -n 2p) =~ $1 ]] || fail "vcpu 0 row does not match /$1/"
	[[ $(echo "$out" | sed -n 3p) =~ $2 ]] || fail "vcpu 1 row does not match /$2/"
}
check_rows "$(row 0 'all / all')" "$(row 1 'all / all')"

# Every domain when none is named: Domain-0 first, then ours.
xl vcpu-list | awk 'NR > 1 { print $1 }' | sort -u | tr '\n' ' ' | grep -qx 'Domain-0 xtest-idle ' ||
	fail "vcpu-list without arguments: $(xl vcpu-list)"

# The thread of vCPU N of our domain is named dDOMIDvN by xenhv.
xenhv_pid=$(cat "$XEN_RUN_DIR/xenhv.pid") || fail "no xenhv.pid"
allowed() {
	local t
	for t in /proc/"$xenhv_pid"/task/*; do
		if [ "$(cat "$t/comm" 2>/dev/null)" = "d${domid}v$1" ]; then
			awk '$1 == "Cpus_allowed_list:" { print $2 }' "$t/status"
			return 0
		fi
	done
	fail "no thread d${domid}v$1 in xenhv"
}
all_cpus=$(allowed 0)

# Pin vCPU 1 to the last CPU: vcpu-list shows it, the kernel enforces it.
xl vcpu-pin xtest-idle 1 "$last" || fail "vcpu-pin 1 $last failed"
check_rows "$(row 0 'all / all')" "$(row 1 "$last_str / all")"
[ "$(allowed 1)" = "$last" ] || fail "vcpu 1 thread allowed on $(allowed 1), not $last"
# As Xen, the CPU column is one the vCPU may now run on.
[ "$(xl vcpu-list xtest-idle | awk 'NR == 3 { print $4 }')" = "$last" ] ||
	fail "vcpu 1 CPU column is not $last"
[ "$(allowed 0)" = "$all_cpus" ] || fail "vcpu 0 thread changed to $(allowed 0)"

# "all" as the vCPU, a range as the map, "-" keeps the hard affinity.
xl vcpu-pin xtest-idle all "0-$last" || fail "vcpu-pin all 0-$last failed"
check_rows "$(row 0 'all / all')" "$(row 1 'all / all')"
[ "$(allowed 1)" = "$all_cpus" ] || fail "vcpu 1 not unpinned: $(allowed 1)"
xl vcpu-pin xtest-idle all "$last" || fail "vcpu-pin all $last failed"
[ "$(allowed 0)" = "$last" ] && [ "$(allowed 1)" = "$last" ] || fail "vcpu-pin all did not pin both"
xl vcpu-pin xtest-idle 0 - 0 || fail "vcpu-pin 0 - 0 (soft only) failed"
if [ "$ncpus" = 1 ]; then soft0=all; else soft0=0; fi
check_rows "$(row 0 "$last_str / $soft0")" "$(row 1 "$last_str / all")"
[ "$(allowed 0)" = "$last" ] || fail "soft affinity changed the hard one"
xl vcpu-pin xtest-idle all all all || fail "vcpu-pin all all all failed"
check_rows "$(row 0 'all / all')" "$(row 1 'all / all')"
[ "$(allowed 0)" = "$all_cpus" ] && [ "$(allowed 1)" = "$all_cpus" ] || fail "not unpinned"

# Dry run prints the map and changes nothing.
out=$(xl -N vcpu-pin xtest-idle 1 "$last") || fail "xl -N vcpu-pin failed"
[ "$out" = "cpumap: $last_str" ] || fail "xl -N vcpu-pin printed '$out'"
[ "$(allowed 1)" = "$all_cpus" ] || fail "xl -N vcpu-pin pinned"

# Errors, with Xen's words; nothing changes.
err=$(xl vcpu-pin xtest-idle x 0 2>&1) && fail "vcpu-pin of vcpu x succeeded"
[ "$err" = "Error: Invalid argument x as VCPU." ] || fail "bad vcpu: '$err'"
err=$(xl vcpu-pin -f xtest-idle all 0 2>&1) && fail "vcpu-pin -f all succeeded"
[ "$err" = "Error: --force and 'all' as VCPU not allowed." ] || fail "-f all: '$err'"
err=$(xl vcpu-pin xtest-idle 0 1000 2>&1) && fail "pinning to a CPU the host lacks succeeded"
case $err in *"Could not set affinity for vcpu \`0'."*) ;; *) fail "absent CPU: '$err'" ;; esac
err=$(xl vcpu-pin xtest-idle 0 3-1 2>&1) && fail "vcpu-pin to 3-1 succeeded"
[ "$err" = "Invalid pcpu range: 3-1." ] || fail "bad range: '$err'"
[ "$(allowed 0)" = "$all_cpus" ] || fail "a failed vcpu-pin changed the affinity"

# vcpu-set: the guest takes vCPU 1 down, xl list and vcpu-list follow.
xl vcpu-set xtest-idle 1 || fail "vcpu-set 1 failed"
[ "$(xenstore-read "$dom/cpu/1/availability")" = offline ] || fail "cpu/1/availability not offline"
wait_node "$dom/data/vcpus-online" 1
check_rows "$(row 0 'all / all')" "$(row 1 'all / all' offline)"
[ "$(xl list xtest-idle | awk 'NR == 2 { print $4 }')" = 1 ] || fail "xl list VCPUs not 1"
xl vcpu-set xtest-idle 2 || fail "vcpu-set 2 failed"
wait_node "$dom/data/vcpus-online" 2
check_rows "$(row 0 'all / all')" "$(row 1 'all / all')"
[ "$(xl list xtest-idle | awk 'NR == 2 { print $4 }')" = 2 ] || fail "xl list VCPUs not 2"
xl vcpu-set -i xtest-idle 3 2>/dev/null && fail "vcpu-set beyond maxvcpus succeeded"
err=$(xl vcpu-set xtest-idle x 2>&1) && fail "vcpu-set x succeeded"
[ "$err" = "Error: Invalid argument." ] || fail "vcpu-set x: '$err'"

xl destroy xtest-idle || fail "destroy failed"
echo "xl vcpu: ok"
