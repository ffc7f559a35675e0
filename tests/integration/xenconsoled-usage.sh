#!/usr/bin/env bash
# xenconsoled's command line (Xen's usage, version, exit status 22 for bad
# options), its errors without xenstore or hypervisor (and no pid file then),
# log rotation on SIGHUP, a guest that corrupts its ring indexes (ignored,
# never fatal), and sleeping while idle.
. "$KXEN_SRCDIR/tests/integration/xenconsoled-common.inc"

out=$(xenconsoled -h) || fail "-h must exit 0"
case $out in "Usage: "*"[-h] [-V] [-v] [-i] [--log=none|guest|hv|all] [--log-dir=DIR]"*) ;;
*) fail "usage: $out" ;; esac
[ "$(xenconsoled -V)" = "Xen Console Daemon 3.0 (kxen $(xenconsoled -V | sed -n 's/.*(kxen \(.*\))/\1/p'))" ] ||
	fail "version: $(xenconsoled -V)"
err=$(xenconsoled --log=everything 2>&1)
[ $? -eq 22 ] || fail "a bad --log value must exit 22"
case $err in *"invalid --log value 'everything'"*) ;; *) fail "unclear error: $err" ;; esac
xenconsoled --no-such-option >/dev/null 2>&1
[ $? -eq 22 ] || fail "an unknown option must exit 22"
err=$(XENSTORED_PATH=$INSTANCE_DIR/nowhere timeout 10 xenconsoled -i 2>&1)
[ $? -eq 1 ] || fail "no xenstore must exit 1"
case $err in *"Failed to contact xenstore"*"Is it running?"*) ;; *) fail "unclear error: $err" ;; esac

# No hypervisor in this instance (xenhv is not started) and no test backend.
err=$(env -u KXEN_XENCONSOLED_FAKE_BACKEND timeout 10 xenconsoled -i --pid-file="$INSTANCE_DIR/failed.pid" 2>&1)
[ $? -eq 1 ] || fail "no hypervisor must exit 1"
case $err in *"Failed to contact hypervisor"*) ;; *) fail "unclear error: $err" ;; esac
[ ! -e "$INSTANCE_DIR/failed.pid" ] || fail "pid file written by a daemon that failed"

fakeguest_start "$INSTANCE_DIR/fg.out" 11:bad:corrupt 12:idle1:idle 13:idle2:idle --hold
consoled_start --log=guest --timestamp=guest
fakeguest_wait_done() { grep -c . "$CONSOLE_LOGS/guest-bad.log" >/dev/null 2>&1 &&
	grep -q 'output after a corrupt ring' "$CONSOLE_LOGS/guest-bad.log"; }
wait_until 60 fakeguest_wait_done || fail "output after a corrupt ring was not logged"
consoled_alive
grep -q 'domain 11: console ring indexes out of range' "$XEN_LOG_DIR/xenconsoled-stderr.log" ||
	echo "(the corrupt indexes were repaired before the daemon looked)"

# Rotation: move the log away, SIGHUP, the daemon writes a fresh one.
mv "$CONSOLE_LOGS/guest-idle1.log" "$CONSOLE_LOGS/guest-idle1.log.1"
kill -HUP "$CONSOLED_PID"
reopened() { [ -f "$CONSOLE_LOGS/guest-idle1.log" ]; }
wait_until 30 reopened || fail "no new log after SIGHUP"
first=$(head -n 1 "$CONSOLE_LOGS/guest-idle1.log")
[[ $first =~ ^\[[0-9-]{10}\ [0-9:]{8}\]\ Logfile\ Opened$ ]] || fail "reopened log starts '$first'"
consoled_alive

# Idle: three consoles, nothing written, the daemon's thread does not wake.
switches() { awk '/^voluntary_ctxt_switches|^nonvoluntary_ctxt_switches/ { n += $2 } END { print n }' \
	"/proc/$CONSOLED_PID/status"; }
sleep 0.5
before=$(switches)
sleep 3
after=$(switches)
echo "idle for 3 s with 3 consoles: $((after - before)) wake-ups"
[ "$after" = "$before" ] || fail "xenconsoled woke up $((after - before)) times while idle"

fakeguest_stop "$INSTANCE_DIR/fg.out"
echo "usage: ok"
