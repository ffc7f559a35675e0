#!/usr/bin/env bash
# The real stack: xenhv, xenstored and xenconsoled through xencommons, a PVH
# test guest created paused by `xl create`.  xenconsoled (libxc backend)
# notices the domain, maps its console ring, binds its event channel, writes
# a pty path to console/tty and opens guest-<name>.log; hypervisor.log holds
# xenhv's console; a restarted daemon reattaches; `xl console` detaches on
# Ctrl-] and ends when the domain is destroyed; after `xl destroy` the pty is
# closed again.
# (The test guest writes to the hypervisor console, not its PV ring, so the
# data path is covered by the other xenconsoled-* tests.)
set -u
. "$KXEN_SRCDIR/tests/lib/instance.sh"
instance_require_root_kvm
for p in xenhv xenstored xenconsoled xl xenstore; do
	command -v $p >/dev/null 2>&1 || skip "$p is not built"
done
kernel=$KXEN_BUILDDIR/tests/guests/xtest-pvh
[ -f "$kernel" ] || skip "tests/guests/xtest-pvh is not built"
unset KXEN_XENCONSOLED_FAKE_BACKEND

export XENHV_ARGS="--memory 256M" XENCONSOLED_ARGS="--log=all --timestamp=hv"
instance_start
pid=$(cat "$XEN_RUN_DIR/xenconsoled.pid")
cat >"$INSTANCE_DIR/guest.cfg" <<CFG
name = "constest"
type = "pvh"
kernel = "$kernel"
memory = 32
cmdline = "hello"
CFG
timeout 60 xl create -p "$INSTANCE_DIR/guest.cfg" || fail "xl create failed"
domid=$(timeout 10 xl list | awk '$1 == "constest" { print $2 }')
[ -n "$domid" ] || fail "no domain constest"

tty=
for _ in $(seq 300); do
	tty=$(timeout 5 xenstore read "/local/domain/$domid/console/tty" 2>/dev/null)
	[ -n "$tty" ] && break
	sleep 0.1
done
case $tty in /dev/pts/*) ;; *) cat "$XEN_LOG_DIR/xenconsoled-stderr.log"; fail "console/tty is '$tty'" ;; esac
[ -c "$tty" ] || fail "$tty is not a character device"
echo "console/tty = $tty"
[ -f "$XEN_LOG_DIR/console/guest-constest.log" ] || fail "no guest-constest.log"
grep -q '(XEN)' "$XEN_LOG_DIR/console/hypervisor.log" || fail "hypervisor.log has no xenhv output"
ptys() { ls -l "/proc/$pid/fd" 2>/dev/null | grep -c /dev/pts/; }
[ "$(ptys)" = 1 ] || fail "xenconsoled holds $(ptys) ptys, expected 1"

# A restarted daemon reattaches to the running domain and writes its new pty.
xencommons restart xenconsoled >/dev/null || fail "restart of xenconsoled failed"
pid=$(cat "$XEN_RUN_DIR/xenconsoled.pid")
one_pty() { [ "$(ptys)" = 1 ]; }
for _ in $(seq 300); do one_pty && break; sleep 0.1; done
one_pty || fail "the restarted xenconsoled did not reattach"
tty=$(timeout 5 xenstore read "/local/domain/$domid/console/tty")
ls -l "/proc/$pid/fd" | grep -q " $tty\$" || fail "console/tty ($tty) is not the new daemon's pty"
echo "after a restart: console/tty = $tty"

# xl console on that pty: Ctrl-] detaches at once (stdin is not a terminal).
printf '\035' | timeout 30 xl console constest >/dev/null || fail "xl console did not detach on Ctrl-]"
# An attached xl console ends when the domain goes away (the daemon closes the pty).
timeout 60 xl console constest </dev/null >"$INSTANCE_DIR/console.out" 2>&1 &
console_pid=$!
holds_tty() {
	for p in $(pgrep -P "$console_pid"); do
		ls -l "/proc/$p/fd" 2>/dev/null | grep -q " $tty\$" && return 0
	done
	return 1
}
for _ in $(seq 300); do holds_tty && break; sleep 0.1; done
holds_tty || fail "xl console did not open $tty"

timeout 30 xl destroy "$domid" || fail "xl destroy failed"
wait $console_pid
rc=$?
[ $rc -eq 0 ] || { cat "$INSTANCE_DIR/console.out"; fail "xl console exited $rc after the domain was destroyed"; }
echo "xl console: detached on Ctrl-], ended with the domain"
closed() { [ "$(ptys)" = 0 ]; }
for _ in $(seq 300); do closed && break; sleep 0.1; done
closed || fail "the pty of the destroyed domain is still open"
kill -0 "$pid" || fail "xenconsoled died"
echo "xenconsoled with xl: ok"
