#!/usr/bin/env bash
# The PVH test guest's console goes through its PV console ring and event
# channel to xenconsoled, which serves it as a pty (xl console reads it and
# console/tty names it) and logs it with --log=guest.
set -u
. "$KXEN_SRCDIR/tests/integration/events-common.inc"

events_boot cons hello
events_wait
case $events_tty in /dev/pts/*) ;; *) fail "console/tty is not a pty: '$events_tty'" ;; esac
events_expect 'xtest: hello: PASS' "no hello through the pty"
events_no_failures
log=$(find "$XEN_LOG_DIR" -name 'guest-cons*.log' | head -n 1)
[ -n "$log" ] || fail "xenconsoled wrote no guest log under $XEN_LOG_DIR"
grep -q 'xtest: hello: PASS' "$log" || { cat "$log"; fail "the guest log lacks the guest's output"; }
echo PASS
