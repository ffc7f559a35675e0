#!/usr/bin/env bash
# Two guests, one flooding its console: the other's console stays live.  The
# quiet guest writes 200 lines, each only after the previous one was read;
# it must finish while the flood goes on (the flood stops only after), and
# both logs must hold exactly what each guest wrote, in order.  The flooder
# is rate-limited (a small limit, so the test goes past its burst quickly).
. "$KXEN_SRCDIR/tests/integration/xenconsoled-common.inc"

fakeguest_start "$INSTANCE_DIR/fg.out" 1:flooder:flood 2:quiet:lines=400
consoled_start --log=guest --rate-limit=262144,32768
fakeguest_wait "$INSTANCE_DIR/fg.out"
consoled_alive

flooded=$(sed -n 's/^dom1: flooded \([0-9]*\) bytes$/\1/p' "$INSTANCE_DIR/fg.out")
[ -n "$flooded" ] && [ "$flooded" -gt 0 ] || fail "the flooder wrote nothing"

# The daemon may still be reading the flooder's last bytes: wait for them.
full_flood() { [ "$(stat -c %s "$CONSOLE_LOGS/guest-flooder.log" 2>/dev/null)" = "$flooded" ]; }
wait_until 60 full_flood || fail "flooder log has $(stat -c %s "$CONSOLE_LOGS/guest-flooder.log") of $flooded bytes"
cmp <(xenconsoled-fakeguest --pattern "$flooded") "$CONSOLE_LOGS/guest-flooder.log" ||
	fail "flooder log differs from what it wrote"

for i in $(seq 0 399); do echo "quiet line $i"; done >"$INSTANCE_DIR/quiet.want"
cmp "$INSTANCE_DIR/quiet.want" "$CONSOLE_LOGS/guest-quiet.log" || fail "quiet log differs"
echo "quiet guest served while the flooder wrote $flooded bytes: ok"
