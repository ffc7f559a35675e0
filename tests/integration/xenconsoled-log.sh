#!/usr/bin/env bash
# A guest writes 8 MiB of random bytes to its console: the log holds exactly
# those bytes (checksum), the hypervisor log starts with Xen's first line and
# then holds the hypervisor console's lines, timestamped, and the pid file
# holds the daemon's pid.
. "$KXEN_SRCDIR/tests/integration/xenconsoled-common.inc"

head -c $((8 << 20)) /dev/urandom >"$INSTANCE_DIR/input" || fail "no input"
fakeguest_start "$INSTANCE_DIR/fg.out" 7:web:file="$INSTANCE_DIR/input"
consoled_start --log=all --timestamp=hv --rate-limit=0
fakeguest_wait "$INSTANCE_DIR/fg.out"

log=$CONSOLE_LOGS/guest-web.log
[ -f "$log" ] || fail "no $log"
want=$(sha256sum <"$INSTANCE_DIR/input" | cut -d' ' -f1)
got=$(sha256sum <"$log" | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "log differs from what the guest wrote ($(stat -c %s "$log") bytes)"
echo "8 MiB arrived byte-identical: sha256 $got"

first=$(head -n 1 "$CONSOLE_LOGS/hypervisor.log")
[[ $first =~ ^\[[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}\]\ Logfile\ Opened$ ]] ||
	fail "hypervisor.log first line: '$first'"
echo "hypervisor.log: $first"
hv_text() { grep -q '^\[[0-9: -]*\] (XEN) second line$' "$CONSOLE_LOGS/hypervisor.log"; }
wait_until 30 hv_text || { cat "$CONSOLE_LOGS/hypervisor.log"; fail "hypervisor console text not logged"; }
grep -q '^\[[0-9: -]*\] (XEN) kxen fake hypervisor console$' "$CONSOLE_LOGS/hypervisor.log" ||
	fail "hypervisor.log lacks the first line of the hypervisor console"

[ "$(cat "$XEN_RUN_DIR/xenconsoled.pid")" = "$CONSOLED_PID" ] || fail "pid file"
consoled_alive
echo "xenconsoled log: ok"
