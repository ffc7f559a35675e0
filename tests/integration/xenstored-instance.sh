#!/usr/bin/env bash
# Integration test: xenstored started by xencommons in an isolated instance
# (tests/lib/instance.sh), as the other integration tests will use it;
# domain 0's keys are there and Debian's or our tools reach it through the
# instance's XENSTORED_PATH.
set -u
command -v xencommons >/dev/null || { echo "skip: xencommons not built"; exit 77; }
command -v xenstored >/dev/null || { echo "skip: xenstored not built"; exit 77; }
. "$KXEN_SRCDIR/tests/lib/instance.sh"
instance_start xenstored
[ -S "$XEN_RUN_DIR/xenstored/socket" ] || fail "no socket at \$XEN_RUN_DIR/xenstored/socket"
[ "$(timeout 20 xenstore-read /local/domain/0/name)" = Domain-0 ] || fail "domain 0 name"
[ "$(timeout 20 xenstore-read /local/domain/0/domid)" = 0 ] || fail "domain 0 domid"
timeout 20 xenstore-write /test/x y || fail "write"
[ "$(timeout 20 xenstore-read /test/x)" = y ] || fail "read back"
[ -f "$XEN_LOG_DIR/xenstored.log" ] || fail "no log in XEN_LOG_DIR"
echo "ok   xenstored under xencommons"
