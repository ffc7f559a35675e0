#!/usr/bin/env bash
# Integration test: no committed node is lost when xenstored crashes.
# Writes, permissions, removals and a multi-key transaction, then SIGKILL;
# the restarted daemon must list exactly the same tree.  A clean stop
# (SIGTERM) forgets the store, so the next start is empty, as with Xen.
set -u
command -v xenstored >/dev/null && command -v xenstore-ls >/dev/null ||
	{ echo "skip: xenstored or xenstore tools not built"; exit 77; }
T=$(mktemp -d -t xenstored-crash.XXXXXX)
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export XENSTORED_PATH=$T/socket XEN_LOG_DIR=$T/log

start() {
	rm -f "$XENSTORED_PATH"
	xenstored -N &
	daemon_pid=$!
	for _ in $(seq 100); do [ -S "$XENSTORED_PATH" ] && return 0; sleep 0.05; done
	echo "xenstored did not start"; exit 1
}
xs() { timeout 20 "xenstore-$1" "${@:2}"; }

start
xs write /a b /c/d e /gone/x 1 || exit 1
xs chmod /c/d n0 r5 || exit 1
xs rm /gone || exit 1
args=()
for i in $(seq 0 299); do args+=("/many/$i" "value-$i"); done
xs write "${args[@]}" || exit 1
xs ls -fp / >"$T/before" || exit 1

kill -9 "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=
start
xs ls -fp / >"$T/after" || exit 1
if ! diff -u "$T/before" "$T/after"; then
	echo "FAIL: the tree changed across a crash"
	exit 1
fi
echo "ok   tree identical after SIGKILL ($(wc -l <"$T/after") nodes)"
grep -q "recovered" "$T/log/xenstored.log" || { echo "FAIL: no recovery logged"; exit 1; }

kill "$daemon_pid"
wait "$daemon_pid" 2>/dev/null
daemon_pid=
start
out=$(xs ls -f /)
if [ "$out" != "$(printf '/tool = ""\n/tool/xenstored = ""')" ]; then
	echo "FAIL: store not empty after a clean stop: $out"
	exit 1
fi
echo "ok   clean stop starts empty"
