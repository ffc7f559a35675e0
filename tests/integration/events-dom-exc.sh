#!/usr/bin/env bash
# VIRQ_DOM_EXC reaches domain 0 when a domain shuts down and when it dies:
# xenstored (bound to it through xenevtchn) fires @releaseDomain for the
# guest's shutdown, without any toolstack action, and releases the domain
# when it is destroyed.
set -u
. "$KXEN_SRCDIR/tests/integration/events-common.inc"

watch_out=$INSTANCE_DIR/release.watch
timeout 60 xenstore-watch @releaseDomain >"$watch_out" 2>&1 &
watcher=$!
# The watch fires once when set: wait for that line (bounded).
for _ in $(seq 100); do [ -s "$watch_out" ] && break; sleep 0.1; done
[ -s "$watch_out" ] || fail "xenstore-watch did not start"
events_boot domexc hello
# Bounded wait for the shutdown and the @releaseDomain it causes.
for _ in $(seq 300); do
	[ "$(grep -c '^@releaseDomain' "$watch_out")" -ge 2 ] && break
	sleep 0.1
done
n=$(grep -c '^@releaseDomain' "$watch_out")
[ "$n" -ge 2 ] || fail "no @releaseDomain after the guest shut down ($n events)"
state=$(xl list domexc 2>/dev/null | awk 'NR == 2 { print $5 }')
# Shut down (or already destroyed by a monitor): never running again.
case $state in *s* | "") ;; *) fail "domain state '$state' is not shut down" ;; esac
events_wait
grep -q "released domain $domid" "$XEN_LOG_DIR/xenstored.log" ||
	fail "xenstored did not release domain $domid"
kill "$watcher" 2>/dev/null
wait "$watcher" 2>/dev/null
events_no_failures
echo PASS
