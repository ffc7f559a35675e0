#!/usr/bin/env bash
# Upcalls to a PVH vCPU: the test guest registers a per-vCPU upcall vector
# (HVMOP_set_evtchn_upcall_vector, advertised in CPUID as Xen does), halts
# with interrupts on, and each event from a host process arrives as that
# vector through the vCPU's local APIC and wakes it from HLT; a bad vector
# is refused.  50 round trips.
set -u
. "$KXEN_SRCDIR/tests/integration/events-common.inc"

rounds=50
events_boot upcall "evtchn-upcall $rounds"
# The host sends the first event, then answers each of the guest's rounds.
timeout 60 events-host --timeout 30 pingpong "$domid" "$rounds" ||
	fail "the host side of the upcall test failed"
events_wait
events_expect 'xtest: upcall-vector-checked: PASS' "a bad upcall vector was accepted"
events_expect "xtest: evtchn-upcall: PASS .* n=$rounds" "upcalls did not arrive"
events_no_failures
echo PASS
