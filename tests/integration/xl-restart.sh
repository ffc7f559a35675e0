#!/usr/bin/env bash
# What xl's per-domain monitor does when a guest stops, on an isolated
# instance with the PVH test guest, as Xen's xl does:
#   on_reboot="restart": a guest that reboots (the "idle" program answering
#     `xl reboot` with SCHEDOP_shutdown(reboot)) comes back under a new
#     domid with the same name, and the monitor's log says so;
#   on_crash="preserve": a crashed guest (the "crash" program) stays in
#     xl list, shut down with reason crash ("---sc-"), until xl destroy;
#   on_poweroff="rename-restart": the powered-off guest is kept under
#     "<name>-<UTC time>" and a fresh one starts under the name.
set -u
. "$KXEN_SRCDIR/tests/lib/instance.sh"
instance_require_root_kvm

guest=$KXEN_BUILDDIR/tests/guests/xtest-pvh
[ -f "$guest" ] || fail "test guest $guest not built"

export XENHV_ARGS="--memory 512M"
instance_start

# cfg NAME CMDLINE KEY=VALUE...: a config file, its path on stdout.
cfg() {
	local f=$INSTANCE_DIR/$1.cfg kv
	{
		echo "name = \"$1\""
		echo 'type = "pvh"'
		echo "kernel = \"$guest\""
		echo "cmdline = \"$2\""
		echo 'memory = 32'
		shift 2
		for kv in "$@"; do echo "$kv"; done
	} >"$f"
	echo "$f"
}
# until SECONDS COMMAND...: retry (every 0.1 s) until it succeeds.
until_ok() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
wait_ready() { until_ok 20 test "$(xenstore-read "/local/domain/$1/data/idle-ready" 2>/dev/null)" = 1; }
other_domid() { local d; d=$(xl domid "$1" 2>/dev/null) && [ "$d" != "$2" ] && echo "$d"; }
state_of() { xl list | awk -v n="$1" '$1 == n { print $5 }'; }
free_mem() { xl info | awk -F': ' '$1 ~ /^free_memory/ { print $2 }'; }

before=$(free_mem)

# ---- on_reboot = "restart" ----
xl create "$(cfg xtest-rb idle 'on_reboot = "restart"')" >/dev/null 2>&1 || fail "create xtest-rb"
old=$(xl domid xtest-rb) || fail "no xtest-rb"
wait_ready "$old" || fail "xtest-rb did not come up"
xl reboot xtest-rb 2>/dev/null || fail "xl reboot failed"
until_ok 30 other_domid xtest-rb "$old" >/dev/null || fail "xtest-rb did not come back under a new domid"
new=$(other_domid xtest-rb "$old")
echo "xtest-rb: domain $old rebooted as domain $new"
xl list "$old" >/dev/null 2>&1 && fail "the old domain $old is still there"
xenstore-exists "/local/domain/$old" && fail "/local/domain/$old left behind"
wait_ready "$new" || fail "the restarted guest did not come up"
log=$XEN_LOG_DIR/xl-xtest-rb.log
cat "$log"
grep -q "Action for shutdown reason code 1 is restart" "$log" || fail "monitor log: no restart action"
grep -q "Domain $old restarted as domain $new" "$log" || fail "monitor log: no restart line"
# The restarted guest is watched too: a second reboot restarts it again.
xl reboot xtest-rb 2>/dev/null || fail "second xl reboot failed"
until_ok 30 other_domid xtest-rb "$new" >/dev/null || fail "no second restart"
xl destroy xtest-rb || fail "destroy xtest-rb"

# ---- on_crash = "preserve" ----
xl create "$(cfg xtest-crash crash 'on_crash = "preserve"')" >/dev/null 2>&1 || fail "create xtest-crash"
domid=$(xl domid xtest-crash) || fail "no xtest-crash"
until_ok 30 grep -q "Done. Exiting now" "$XEN_LOG_DIR/xl-xtest-crash.log" ||
	fail "the monitor did not preserve the crashed guest"
cat "$XEN_LOG_DIR/xl-xtest-crash.log"
grep -q "Action for shutdown reason code 3 is preserve" "$XEN_LOG_DIR/xl-xtest-crash.log" ||
	fail "monitor log: no preserve action"
row=$(xl list xtest-crash | tail -n 1)
echo "$row"
# Xen's letters: not running, not blocked, not paused, shut down, reason c.
[ "$(state_of xtest-crash)" = "---sc-" ] || fail "crashed guest state '$(state_of xtest-crash)', not ---sc-"
[ "$(xl domid xtest-crash)" = "$domid" ] || fail "the crashed guest changed domid"
out=$(xl list -v xtest-crash | tail -n 1)
[[ $out =~ \ +3\ +-$ ]] || fail "xl list -v reason code of the crashed guest: '$out'"
xenstore-exists "/local/domain/$domid" || fail "preserve removed the xenstore nodes"
xl destroy xtest-crash || fail "destroy of the crashed guest failed"
xl list xtest-crash >/dev/null 2>&1 && fail "the crashed guest survived xl destroy"
xenstore-exists "/local/domain/$domid" && fail "/local/domain/$domid left behind by destroy"

# ---- on_poweroff = "rename-restart" ----
uuid=5f0c1d2e-3a4b-4c5d-8e6f-0a1b2c3d4e5f
xl create "$(cfg xtest-rr idle 'on_poweroff = "rename-restart"' "uuid = \"$uuid\"")" >/dev/null 2>&1 ||
	fail "create xtest-rr"
old=$(xl domid xtest-rr) || fail "no xtest-rr"
wait_ready "$old" || fail "xtest-rr did not come up"
xl shutdown xtest-rr 2>/dev/null || fail "xl shutdown failed"
until_ok 30 other_domid xtest-rr "$old" >/dev/null || fail "xtest-rr was not restarted"
new=$(other_domid xtest-rr "$old")
kept=$(xl domname "$old") || fail "the powered-off domain $old is gone"
echo "xtest-rr: kept as $kept, restarted as domain $new"
[[ $kept =~ ^xtest-rr-[0-9]{8}T[0-9]{4}Z$ ]] || fail "kept under '$kept', not xtest-rr-<time>"
[ "$(state_of "$kept")" = "---s--" ] || fail "kept domain state '$(state_of "$kept")'"
wait_ready "$new" || fail "the renamed-restarted guest did not come up"
grep -q "Preserving domain $old xtest-rr with suffix-" "$XEN_LOG_DIR/xl-xtest-rr.log" ||
	fail "monitor log: no preserve line"
# As Xen: the new domain keeps the config's uuid, the kept one gets another.
uuid_of() { xl list -v "$1" | awk 'NR == 2 { print $7 }'; }
[ "$(uuid_of xtest-rr)" = "$uuid" ] || fail "restarted domain uuid $(uuid_of xtest-rr), not $uuid"
kept_uuid=$(uuid_of "$kept")
[ -n "$kept_uuid" ] && [ "$kept_uuid" != "$uuid" ] || fail "kept domain uuid '$kept_uuid'"
[ "$(xenstore-read "/local/domain/$old/vm")" = "/vm/$kept_uuid" ] || fail "kept domain's vm node"
[ "$(xenstore-read "/local/domain/$new/vm")" = "/vm/$uuid" ] || fail "new domain's vm node"
[ "$(xenstore-read "/vm/$uuid/name")" = xtest-rr ] || fail "/vm/$uuid/name"
[ "$(xenstore-read "/vm/$kept_uuid/name")" = "$kept" ] || fail "/vm/$kept_uuid/name"
xl list -l "$kept" | grep -q '"name": "xtest-rr"' || fail "the kept domain lost its stored config"
xl destroy "$old" || fail "destroy of the kept domain"
xenstore-exists "/vm/$uuid" || fail "destroying the kept domain removed the new one's /vm node"
xenstore-exists "/vm/$kept_uuid" && fail "/vm/$kept_uuid left behind"
xl destroy xtest-rr || fail "destroy xtest-rr"

# Nothing left: no domain, no node, no memory.
until_ok 10 test "$(xl list | awk 'NR > 1 { print $1 }' | tr '\n' ' ')" = "Domain-0 " ||
	fail "left: $(xl list)"
[ -z "$(xenstore-list /local/domain | grep -vx 0)" ] || fail "xenstore nodes left"
[ -z "$(xenstore-list /vm 2>/dev/null)" ] || fail "/vm nodes left: $(xenstore-list /vm)"
[ -z "$(ls "$XEN_LIB_DIR" | grep '^userdata-d\.')" ] || fail "stored configs left: $(ls "$XEN_LIB_DIR")"
[ "$(free_mem)" = "$before" ] || fail "free_memory $before -> $(free_mem)"
echo "xl restart: ok"
