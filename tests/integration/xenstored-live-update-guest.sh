#!/usr/bin/env bash
# Live update with a guest ring: the PVH test guest (program xenstore-lu)
# keeps writing and reading back over its xenstore ring while
# xenstore-control live-update replaces xenstored; the watch it set before
# the update fires on the host's write after it, no request of the guest
# is lost or answered twice, and xenstored keeps its pid.
set -u
. "$KXEN_SRCDIR/tests/integration/events-common.inc"

events_boot lu xenstore-lu
base=/local/domain/$domid/data
for _ in $(seq 300); do
	[ "$(xenstore-read "$base/lu-ready" 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
[ "$(xenstore-read "$base/lu-ready" 2>/dev/null)" = 1 ] ||
	fail "the guest did not set its watch"
before=$(xenstore-read "$base/count") || fail "no data/count before the update"
pid=$(cat "$XEN_RUN_DIR/xencommons/xenstored.pid" 2>/dev/null)
out=$(timeout 60 xenstore-control live-update -F "$(command -v xenstored)" 2>&1) ||
	fail "live-update failed: $out"
echo "live-update: $out"
# The guest goes on talking to the new daemon.
after=$before
for _ in $(seq 100); do
	after=$(xenstore-read "$base/count" 2>/dev/null) || fail "xenstore-read failed after the update"
	[ "$after" -gt "$before" ] && break
	sleep 0.1
done
[ "$after" -gt "$before" ] || fail "the guest's requests stopped across the update ($before -> $after)"
echo "guest count $before before the update, $after after"
xenstore-write "$base/lu" go || fail "xenstore-write failed"
events_wait
for check in xs-lu-watch-set xs-lu-requests xs-lu-watch-fires; do
	events_expect "xtest: $check: PASS" "$check did not pass"
done
events_no_failures
[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || fail "xenstored's pid changed"
grep -q "ring resumed after live update" "$XEN_LOG_DIR/xenstored.log" ||
	fail "xenstored did not log the ring's resumption"
echo PASS
