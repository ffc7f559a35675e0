#!/usr/bin/env bash
# xencommons: usage errors, status of a stopped instance, and a daemon that
# cannot be found, which must leave no pid file and no process behind.
set -u
. "$KXEN_SRCDIR/tests/lib/instance.sh"

T=$(mktemp -d "${TMPDIR:-/tmp}/kxen-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export XEN_RUN_DIR=$T/run XEN_LOG_DIR=$T/log XEN_LIB_DIR=$T/lib

xencommons bogus >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown action must exit 2"
xencommons start not-a-daemon >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown daemon name must exit 2"

out=$(xencommons status)
[ $? -eq 3 ] || fail "status of a stopped instance must exit 3"
[ "$out" = "$(printf 'xenhv: stopped\nxenstored: stopped\nxenconsoled: stopped')" ] ||
	fail "unexpected status output: $out"

# A PATH without kxen's daemons: start fails, records nothing.
err=$(PATH=/usr/bin:/bin "$(command -v xencommons)" start xenstored 2>&1 >/dev/null)
[ $? -eq 1 ] || fail "start without the daemon must exit 1"
case $err in *"xenstored: not found"*) ;; *) fail "unclear error: $err" ;; esac
[ -z "$(ls "$XEN_RUN_DIR/xencommons" 2>/dev/null)" ] || fail "a pid file was left behind"

# stop of a stopped instance succeeds and says nothing went wrong.
xencommons stop >/dev/null || fail "stop of a stopped instance must succeed"
echo "xencommons usage: ok"
