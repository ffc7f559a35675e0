#!/usr/bin/env bash
# A pty client (what `xl console` does) on the path the daemon wrote to
# console/tty: it sees the guest's output, types a line that reaches the
# guest's in ring, and sees the guest's echo.  Then it detaches (closes the
# pty, as Ctrl-] in xl console does), attaches again and is still served.
. "$KXEN_SRCDIR/tests/integration/xenconsoled-common.inc"

fakeguest_start "$INSTANCE_DIR/fg.out" 3:shell:pty
consoled_start --log=guest
fakeguest_wait "$INSTANCE_DIR/fg.out"
grep -q '^dom3: console/tty is /dev/pts/[0-9]*$' "$INSTANCE_DIR/fg.out" || fail "no tty path"
grep -q 'typed on the pty' "$CONSOLE_LOGS/guest-shell.log" || fail "echo not in the log"
grep -q 'second client saw output' "$INSTANCE_DIR/fg.out" || fail "no output after reattach"
consoled_alive
echo "pty: ok"
