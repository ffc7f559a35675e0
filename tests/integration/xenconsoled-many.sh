#!/usr/bin/env bash
# Fifty guests write to their consoles at once: every log holds exactly what
# its guest wrote (served in turn, none starved), and the daemon survives.
. "$KXEN_SRCDIR/tests/integration/xenconsoled-common.inc"

n=50
size=200000
specs=()
for i in $(seq 1 $n); do specs+=("$((20 + i)):many$i:pattern=$size"); done
fakeguest_start "$INSTANCE_DIR/fg.out" "${specs[@]}"
consoled_start --log=guest
fakeguest_wait "$INSTANCE_DIR/fg.out" >/dev/null

xenconsoled-fakeguest --pattern $size >"$INSTANCE_DIR/want"
for i in $(seq 1 $n); do
	cmp "$INSTANCE_DIR/want" "$CONSOLE_LOGS/guest-many$i.log" || fail "guest many$i: log differs"
done
echo "$n guests x $size bytes: every log byte-identical"
consoled_alive
