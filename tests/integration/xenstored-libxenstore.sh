#!/usr/bin/env bash
# Integration test: our shared libxenstore (xs-libtest) against our
# xenstored; also checks how the library finds the socket from XEN_RUN_DIR.
set -u
command -v xenstored >/dev/null && command -v xs-libtest >/dev/null ||
	{ echo "skip: xenstored or xs-libtest not built"; exit 77; }
T=$(mktemp -d -t xenstored-lib.XXXXXX)
daemon_pid=
cleanup() {
	[ -n "$daemon_pid" ] && kill "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
# Only XEN_RUN_DIR: both sides use $XEN_RUN_DIR/xenstored/socket.
unset XENSTORED_PATH XENSTORED_RUNDIR
export XEN_RUN_DIR=$T/run XEN_LOG_DIR=$T/log
xenstored -N &
daemon_pid=$!
for _ in $(seq 100); do [ -S "$XEN_RUN_DIR/xenstored/socket" ] && break; sleep 0.05; done
[ -S "$XEN_RUN_DIR/xenstored/socket" ] || { echo "no socket at \$XEN_RUN_DIR/xenstored/socket"; exit 1; }
timeout 120 xs-libtest
