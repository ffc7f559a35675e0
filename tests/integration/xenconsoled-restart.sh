#!/usr/bin/env bash
# xenconsoled restarted in the middle of a guest's output: the new daemon
# reattaches to the running domain and the log loses nothing (and repeats
# nothing) of what the guest wrote.
. "$KXEN_SRCDIR/tests/integration/xenconsoled-common.inc"

total=$((4 << 20))
fakeguest_start "$INSTANCE_DIR/fg.out" 8:steady:pattern=$total
# 1 MiB/s so that the restart falls in the middle of the stream.
consoled_start --log=guest --rate-limit=1048576,65536
log=$CONSOLE_LOGS/guest-steady.log
started() { [ "$(stat -c %s "$log" 2>/dev/null || echo 0)" -gt 262144 ]; }
wait_until 60 started || fail "no output before the restart"
XENCONSOLED_ARGS="--log=guest --rate-limit=1048576,65536" xencommons restart xenconsoled ||
	fail "restart failed"
echo "restarted at $(stat -c %s "$log") of $total bytes"
CONSOLED_PID=$(cat "$XEN_RUN_DIR/xenconsoled.pid")
fakeguest_wait "$INSTANCE_DIR/fg.out"
cmp <(xenconsoled-fakeguest --pattern $total) "$log" || fail "log differs after restart"
consoled_alive
echo "restart: ok"
