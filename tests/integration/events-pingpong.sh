#!/usr/bin/env bash
# An event channel ping-pong between the PVH test guest and a host process
# (xenevtchn through xenhv's eventfds): the guest allocates an unbound port
# for domain 0 and publishes it in its xenstore directory over the ring, the
# host binds it and answers every event.  The guest prints the round trip.
set -u
. "$KXEN_SRCDIR/tests/integration/events-common.inc"

rounds=200
events_boot pingpong "evtchn-pingpong $rounds"
timeout 60 events-host --timeout 30 pingpong "$domid" "$rounds" ||
	fail "the host side of the ping-pong failed"
events_wait
events_expect "xtest: evtchn-pingpong: PASS .* n=$rounds" "the guest's ping-pong did not pass"
events_no_failures
echo PASS
