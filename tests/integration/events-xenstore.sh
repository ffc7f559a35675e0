#!/usr/bin/env bash
# The PVH test guest talks to xenstored over its xenstore ring (mapped by
# xenstored at XS_INTRODUCE, kicked through event channels): it reads its
# name, writes and reads back its own data/x, is denied a write outside its
# subtree, gets its watch events, and the host sees what it wrote.
set -u
. "$KXEN_SRCDIR/tests/integration/events-common.inc"

events_boot store xenstore
# Host side: what the guest wrote is in the store; answer in data/ack.
val=
for _ in $(seq 300); do
	val=$(xenstore-read "/local/domain/$domid/data/x" 2>/dev/null) && break
	sleep 0.1
done
[ "$val" = written-by-guest ] || fail "the guest's data/x is not in xenstored: '$val'"
xenstore-write "/local/domain/$domid/data/ack" "$val" || fail "xenstore-write failed"
! xenstore-read /local/domain/0/data/from-guest >/dev/null 2>&1 ||
	fail "the guest wrote outside its subtree"
events_wait
for check in xs-read-name xs-write xs-read-back xs-write-denied xs-not-written \
	xs-watch-initial xs-watch-fires xs-host-ack; do
	events_expect "xtest: $check: PASS" "$check did not pass"
done
events_no_failures
echo PASS
