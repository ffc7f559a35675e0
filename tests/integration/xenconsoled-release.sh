#!/usr/bin/env bash
# A domain released in the middle of writing: the daemon logs what its ring
# still held (the log is exactly what the guest wrote), then closes the pty,
# unmaps the ring and closes the event channel, and goes on serving others.
. "$KXEN_SRCDIR/tests/integration/xenconsoled-common.inc"

fakeguest_start "$INSTANCE_DIR/fg.out" 5:doomed:release=300001 6:survivor:lines=20 --hold
consoled_start --log=guest --rate-limit=0

# The survivor's lines arrive; the doomed domain's log gets all it wrote.
full() { [ "$(stat -c %s "$CONSOLE_LOGS/guest-doomed.log" 2>/dev/null)" = 300001 ]; }
wait_until 60 full || fail "doomed log has $(stat -c %s "$CONSOLE_LOGS/guest-doomed.log") bytes"
cmp <(xenconsoled-fakeguest --pattern 300001) "$CONSOLE_LOGS/guest-doomed.log" || fail "doomed log differs"
survived() { [ "$(wc -l <"$CONSOLE_LOGS/guest-survivor.log" 2>/dev/null)" = 20 ]; }
wait_until 60 survived || fail "survivor's lines missing"

# Resources of the released domain are gone: one pty, one ring, two eventfds left.
count() { ls -l "/proc/$CONSOLED_PID/fd" 2>/dev/null | grep -c "$1"; }
cleaned() { [ "$(count /dev/pts/)" = 1 ] && [ "$(count /dev/ptmx)" = 1 ] &&
	[ "$(count 'anon_inode:\[eventfd\]')" = 2 ]; }
wait_until 60 cleaned || { ls -l "/proc/$CONSOLED_PID/fd"; fail "released domain not cleaned up"; }
[ "$(grep -c 'console-ring' "/proc/$CONSOLED_PID/maps")" = 1 ] || fail "ring still mapped"
consoled_alive
fakeguest_stop "$INSTANCE_DIR/fg.out"
echo "release: ok"
