#!/usr/bin/env bash
# xl console as a user drives it, on the PVH test guest's `echo` program
# (it echoes each console line as "echo: <line>" until "quit"): through a
# real pty (python3's pty module), xl console shows the guest's output and
# carries typed lines to it; Ctrl-] detaches with exit 0 and the guest
# keeps running; `xl create -c` attaches right after create; and with a
# stdin that is not a terminal (a script), input is passed on and output
# shown until the domain goes away.
set -u
. "$KXEN_SRCDIR/tests/lib/instance.sh"
instance_require_root_kvm
for p in xenhv xenstored xenconsoled xl python3; do
	command -v $p >/dev/null 2>&1 || skip "$p is not available"
done
guest=$KXEN_BUILDDIR/tests/guests/xtest-pvh
[ -f "$guest" ] || skip "tests/guests/xtest-pvh is not built"
unset KXEN_XENCONSOLED_FAKE_BACKEND

export XENHV_ARGS="--memory 256M"
instance_start

cfg=$INSTANCE_DIR/echo.cfg
cat >"$cfg" <<CFG
name = "xtest-echo"
type = "pvh"
kernel = "$guest"
cmdline = "echo"
memory = 32
CFG

# pty_session SCRIPT -- COMMAND...: runs COMMAND on a fresh pty and plays
# SCRIPT, one step a line: "expect TEXT" (waits up to 30 s for TEXT in
# the output), "send TEXT" (types TEXT; \r, \x1d... are escapes), "exit
# CODE" (waits up to 30 s for COMMAND to end with CODE).  Everything
# COMMAND printed goes to stdout.
cat >"$INSTANCE_DIR/pty_session.py" <<'PY'
import codecs, os, pty, select, sys, time

script = open(sys.argv[1]).read().splitlines()
cmd = sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
seen = b""
status = None

def pump(timeout):
    global seen
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        data = os.read(fd, 4096)
    except OSError:
        data = b""
    if not data:
        return False
    sys.stdout.write(data.decode(errors="replace"))
    sys.stdout.flush()
    seen += data
    return True

def die(why):
    print("\npty_session: " + why, file=sys.stderr)
    try:
        os.kill(pid, 9)
    except OSError:
        pass
    sys.exit(1)

for step in script:
    verb, _, arg = step.partition(" ")
    deadline = time.monotonic() + 30
    if verb == "expect":
        want = arg.encode()
        while want not in seen:
            if time.monotonic() > deadline or not pump(0.2):
                die("never saw %r" % arg)
        # Later expects look only at what follows.
        seen = seen[seen.index(want) + len(want):]
    elif verb == "send":
        os.write(fd, codecs.decode(arg, "unicode_escape").encode("latin-1"))
    elif verb == "exit":
        while status is None:
            done, st = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(st)
                break
            if time.monotonic() > deadline:
                die("the command did not end")
            pump(0.1)
        if status != int(arg):
            die("the command ended with %d, not %s" % (status, arg))
    else:
        die("bad step %r" % step)
PY
# session NAME COMMAND...: plays $INSTANCE_DIR/NAME.steps, logs NAME.out.
session() {
	local name=$1
	shift
	timeout 120 python3 "$INSTANCE_DIR/pty_session.py" "$INSTANCE_DIR/$name.steps" -- "$@" \
		>"$INSTANCE_DIR/$name.out" 2>&1
	local rc=$?
	sed "s/^/$name| /" "$INSTANCE_DIR/$name.out"
	echo
	return $rc
}
domains() { xl list | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' '; }
running() {
	xl list xtest-echo 2>/dev/null | tail -n 1 | awk '{ exit !($5 !~ /s/) }'
}

# 1. A guest created paused: xl console attached before it runs sees its
# boot, a typed line comes back echoed, Ctrl-] detaches with exit 0.
xl create -p "$cfg" 2>/dev/null || fail "xl create -p failed"
domid=$(xl domid xtest-echo)
cat >"$INSTANCE_DIR/attach.steps" <<'STEPS'
expect xtest: echo: ready
send hello world\r
expect echo: hello world
send two\rthree\r
expect echo: two
expect echo: three
send \x1d
exit 0
STEPS
(sleep 1 && xl unpause xtest-echo) &
session attach xl console xtest-echo || fail "xl console on a pty did not work"
wait
running || fail "the guest did not keep running after Ctrl-]: $(xl list)"

# 2. Attached again to the running guest (detached before: nothing lost in
# between), and detached again: still running.
cat >"$INSTANCE_DIR/again.steps" <<'STEPS'
send again\r
expect echo: again
send \x1d
exit 0
STEPS
session again xl console "$domid" || fail "a second xl console did not work"
running || fail "the guest stopped after the second detach"

# 3. A script: stdin is not a terminal.  Its lines reach the guest, the
# output is shown, and after "quit" the guest powers off, the monitor
# destroys it and xl console ends by itself with exit 0.
printf 'from a script\rquit\r' | timeout 60 xl console xtest-echo >"$INSTANCE_DIR/script.out" 2>&1 ||
	{ cat "$INSTANCE_DIR/script.out"; fail "xl console with a piped stdin failed"; }
cat "$INSTANCE_DIR/script.out"
grep -q "echo: from a script" "$INSTANCE_DIR/script.out" || fail "the piped line was not echoed"
grep -q "xtest: echo: PASS quit" "$INSTANCE_DIR/script.out" || fail "the guest did not see quit"
gone() { [ "$(domains)" = "Domain-0 " ]; }
for _ in $(seq 100); do gone && break; sleep 0.1; done
gone || fail "the guest did not go away after quit: $(domains)"

# 4. xl create -c attaches right after create: the first lines are there,
# input works, Ctrl-] detaches with exit 0 and leaves the guest running.
cat >"$INSTANCE_DIR/create.steps" <<'STEPS'
expect Parsing config from
expect xtest: boot: first console line
expect xtest: echo: ready
send from create\r
expect echo: from create
send \x1d
exit 0
STEPS
session create xl create -c "$cfg" || fail "xl create -c did not attach"
running || fail "the guest created with -c is not running after Ctrl-]: $(xl list)"

# 5. xl create -c to the end: quit powers the guest off; the console ends
# with the domain and xl returns.
xl destroy xtest-echo || fail "xl destroy failed"
cat >"$INSTANCE_DIR/create-quit.steps" <<'STEPS'
expect xtest: echo: ready
send quit\r
expect xtest: echo: PASS quit
exit 0
STEPS
session create-quit xl create -c "$cfg" || fail "xl create -c until the guest quits"
for _ in $(seq 100); do gone && break; sleep 0.1; done
gone || fail "domains left: $(domains)"
echo "xl console: ok"
