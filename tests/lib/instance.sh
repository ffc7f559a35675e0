# Integration-test helper: an isolated kxen instance (DESIGN.md §6).
#
#   . "$KXEN_SRCDIR/tests/lib/instance.sh"
#   instance_start [xenhv xenstored xenconsoled]   # default: all three
#   ... xl, xenstore-* against the instance ...
#   (instance_stop runs by itself when the test exits, also on failure)
#
# The instance lives in a fresh temp folder ($INSTANCE_DIR) with its own
# XEN_RUN_DIR, XEN_LOG_DIR, XEN_LIB_DIR and XENSTORED_PATH, exported for the
# test.  Only the processes recorded by this instance's xencommons are
# stopped.  Daemon logs are copied into the test's output when it fails.

INSTANCE_DIR=
instance_started=no

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

instance_require_root_kvm() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -c /dev/kvm ] || skip "needs /dev/kvm"
}

instance_start() {
	INSTANCE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kxen-test.XXXXXX") || fail "mktemp"
	export XEN_RUN_DIR=$INSTANCE_DIR/run
	export XEN_LOG_DIR=$INSTANCE_DIR/log
	export XEN_LIB_DIR=$INSTANCE_DIR/lib
	export XENSTORED_PATH=$XEN_RUN_DIR/xenstored/socket
	mkdir -p "$XEN_RUN_DIR" "$XEN_LOG_DIR" "$XEN_LIB_DIR"
	# xl's host-wide defaults: the instance's own (empty: Xen's defaults).
	export XL_GLOBAL_CONFIG=$INSTANCE_DIR/xl.conf
	: >"$XL_GLOBAL_CONFIG"
	trap instance_exit EXIT
	trap 'exit 130' INT TERM
	instance_started=yes
	xencommons start "$@" || fail "xencommons start $* failed"
}

instance_stop() {
	[ "$instance_started" = yes ] || return 0
	instance_started=no
	# Guests first, so that xenhv agrees to stop.
	if command -v xl >/dev/null 2>&1 && [ -S "$XEN_RUN_DIR/privcmd" ]; then
		for id in $(timeout 10 xl list 2>/dev/null | awk 'NR > 1 && $2 != 0 { print $2 }'); do
			timeout 10 xl destroy "$id" >/dev/null 2>&1
		done
	fi
	xencommons stop
}

instance_exit() {
	rc=$?
	instance_stop
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -n "$INSTANCE_DIR" ]; then
		for f in "$INSTANCE_DIR"/log/*.log "$INSTANCE_DIR"/log/*/*.log; do
			[ -f "$f" ] || continue
			echo "---- ${f#"$INSTANCE_DIR"/} (last 40 lines)"
			tail -n 40 "$f"
		done
	fi
	[ -n "$INSTANCE_DIR" ] && rm -rf "$INSTANCE_DIR"
	exit $rc
}
