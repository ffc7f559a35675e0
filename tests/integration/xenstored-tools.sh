#!/usr/bin/env bash
# Integration test: our xenstore multi-call tool and libxenstore against our
# xenstored, with the same session and expected outputs as Debian's tools
# get (tests/external/xenstored-clients.inc).
set -u
[ -n "${KXEN_BUILDDIR:-}" ] || { echo "skip: KXEN_BUILDDIR not set"; exit 77; }
XS_TOOLS=$KXEN_BUILDDIR/tests/bin
[ -x "$XS_TOOLS/xenstore-read" ] || { echo "skip: xenstore links not built"; exit 77; }
XS_NAME=xenstored-tools

# xenstore-control: CONTROL commands and their exit codes.
xs_extra_checks() {
	local out
	out=$(timeout 20 "$XS_TOOLS/xenstore-control" help)
	case $out in *quota*) echo "ok   control-help" ;;
	*) echo "FAIL control-help: $out"; failures=$((failures + 1)) ;; esac
	check control-quota-set 0 "OK" -- timeout 20 "$XS_TOOLS/xenstore-control" quota set nodes 2000
	out=$(timeout 20 "$XS_TOOLS/xenstore-control" quota)
	case $out in *"nodes            :     2000"*) echo "ok   control-quota" ;;
	*) echo "FAIL control-quota: $out"; failures=$((failures + 1)) ;; esac
	check control-bad 3 "" -- timeout 20 "$XS_TOOLS/xenstore-control" no-such-command
	check usage 1 "" -- "$XS_TOOLS/xenstore-read"
	check bad-mode 1 "" -- "$XS_TOOLS/xenstore" frobnicate /a
}
. "$KXEN_SRCDIR/tests/external/xenstored-clients.inc"
