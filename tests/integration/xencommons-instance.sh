#!/usr/bin/env bash
# xencommons on an isolated instance: starts xenhv, xenstored and
# xenconsoled in order, each answering; status reports them; a second start
# is harmless; stop ends exactly the processes it started, in reverse, and
# leaves nothing running.
set -u
. "$KXEN_SRCDIR/tests/lib/instance.sh"
instance_require_root_kvm

export XENHV_ARGS="--memory 128M"
instance_start

out=$(xencommons status) || fail "status after start: $out"
echo "$out"
pids=$(cat "$XEN_RUN_DIR"/xencommons/*.pid)
[ "$(echo "$pids" | wc -w)" = 3 ] || fail "expected 3 pids, got: $pids"
[ -S "$XEN_RUN_DIR/privcmd" ] || fail "no privcmd socket"
[ "$(stat -c %a "$XEN_RUN_DIR/privcmd")" = 600 ] || fail "privcmd socket is not 0600"
[ -S "$XENSTORED_PATH" ] || fail "no store socket at $XENSTORED_PATH"
xenstore-read /local/domain/0/name >/dev/null 2>&1 || xenstore-ls / >/dev/null ||
	fail "the store does not answer"

out=$(xencommons start) || fail "a second start failed"
case $out in *"already running"*) ;; *) fail "second start: $out" ;; esac
[ "$(cat "$XEN_RUN_DIR"/xencommons/*.pid)" = "$pids" ] || fail "a second start changed the pids"

xencommons stop || fail "stop failed"
instance_started=no
for p in $pids; do
	kill -0 "$p" 2>/dev/null && fail "process $p still runs after stop"
done
xencommons status >/dev/null && fail "status after stop must be non-zero"
echo "xencommons instance: ok"
