#!/usr/bin/env bash
# xl shutdown and xl reboot of PV-aware PVH test guests (the `wait`
# program), as on Xen: libxl writes the request into control/shutdown, the
# guest acknowledges (clears it) and shuts down with the matching reason,
# `-w` waits with Xen's messages, and the monitor applies on_poweroff /
# on_reboot.  Also `xl shutdown -a`, a suspend request (the monitor leaves
# a suspended domain alone) and a request the guest does not know.
set -u
. "$KXEN_SRCDIR/tests/lib/instance.sh"
instance_require_root_kvm
for p in xenhv xenstored xenconsoled xl xenstore-read; do
	command -v $p >/dev/null 2>&1 || skip "$p is not built"
done
guest=$KXEN_BUILDDIR/tests/guests/xtest-pvh
[ -f "$guest" ] || skip "tests/guests/xtest-pvh is not built"

export XENHV_ARGS="--memory 512M"
instance_start

# write_cfg NAME [extra lines]: a `wait` guest; it gives up after 600 s
# so that nothing outlives a broken test for long.
write_cfg() {
	local name=$1
	shift
	{
		echo "name = \"$name\""
		echo 'type = "pvh"'
		echo "kernel = \"$guest\""
		echo 'cmdline = "wait 600"'
		echo 'memory = 32'
		printf '%s\n' "$@"
	} >"$INSTANCE_DIR/$name.cfg"
}

domains() { xl list | awk 'NR > 1 { print $1 }' | sort | tr '\n' ' '; }
free_mem() { xl info | awk -F': ' '$1 ~ /^free_memory/ { print $2 }'; }

# wait_ready DOMID: the guest watches control/shutdown (bounded).
wait_ready() {
	local i
	for i in $(seq 300); do
		[ "$(xenstore-read "/local/domain/$1/data/wait-ready" 2>/dev/null)" = 1 ] && return 0
		sleep 0.1
	done
	xl dmesg | tail -n 20
	fail "domain $1 never said it was ready"
}

# until_true SECONDS COMMAND...: polls COMMAND every 0.1 s.
until_true() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

before=$(free_mem)
[ -n "$before" ] || fail "xl info has no free_memory"

# 1. xl shutdown -w of a preserved guest: exactly Xen's messages, the
# request acknowledged, the domain left shut down (state s, reason 0).
write_cfg w1 'on_poweroff = "preserve"'
xl create "$INSTANCE_DIR/w1.cfg" 2>/dev/null || fail "xl create w1 failed"
d1=$(xl domid w1)
wait_ready "$d1"
for f in poweroff reboot suspend; do
	[ "$(xenstore-read "/local/domain/$d1/control/feature-$f")" = 1 ] ||
		fail "the guest did not advertise control/feature-$f"
done
out=$(timeout 60 xl shutdown -w w1 2>&1) || fail "xl shutdown -w failed: $out"
expected="Shutting down domain $d1
Waiting for 1 domains
Domain $d1 has been shut down, reason code 0"
[ "$out" = "$expected" ] || fail "xl shutdown -w printed:
$out
expected:
$expected"
echo "$out"
[ "$(xenstore-read "/local/domain/$d1/control/shutdown")" = "" ] ||
	fail "the guest did not acknowledge (control/shutdown not cleared)"
row=$(xl list w1 | tail -n 1)
[[ $row =~ ^w1\ +$d1\ +[0-9]+\ +1\ +---s--\ + ]] || fail "preserved guest's row: '$row'"
xl dmesg | grep -q "(d$d1) xtest: wait: PASS asked to poweroff" ||
	fail "the guest did not print what it was asked"
xl destroy w1 || fail "xl destroy w1 failed"

# 2. xl shutdown -w with on_poweroff=destroy (the default): the monitor
# destroys it and nothing is left.  Whether xl sees the shut-down domain
# or already the destroyed one is a race on Xen too: either message.
write_cfg w2
xl create "$INSTANCE_DIR/w2.cfg" 2>/dev/null || fail "xl create w2 failed"
d2=$(xl domid w2)
wait_ready "$d2"
out=$(timeout 60 xl shutdown -w w2 2>&1) || fail "xl shutdown -w w2 failed: $out"
echo "$out"
[ "$(echo "$out" | head -n 2)" = "Shutting down domain $d2
Waiting for 1 domains" ] || fail "xl shutdown -w w2 printed: $out"
last=$(echo "$out" | sed -n 3p)
[ "$last" = "Domain $d2 has been shut down, reason code 0" ] ||
	[ "$last" = "Domain $d2 has been destroyed" ] || fail "xl shutdown -w w2 ended with '$last'"
[ "$(echo "$out" | wc -l)" = 3 ] || fail "xl shutdown -w w2 printed more: $out"
gone() { [ "$(domains)" = "Domain-0 " ]; }
until_true 30 gone || fail "the monitor did not destroy w2: $(domains)"
xenstore-exists "/local/domain/$d2" && fail "/local/domain/$d2 left behind"
grep -q "Action for shutdown reason code 0 is destroy" "$XEN_LOG_DIR/xl-w2.log" ||
	fail "the monitor's log has no action: $(cat "$XEN_LOG_DIR/xl-w2.log")"
until_true 10 [ "$(free_mem)" = "$before" ] || fail "free_memory $before -> $(free_mem)"

# 3. xl reboot with on_reboot="restart": the same name comes back under a
# new domid and waits again; the old domain is gone.
write_cfg w3 'on_reboot = "restart"'
xl create "$INSTANCE_DIR/w3.cfg" 2>/dev/null || fail "xl create w3 failed"
d3=$(xl domid w3)
wait_ready "$d3"
out=$(timeout 60 xl reboot w3 2>&1) || fail "xl reboot failed: $out"
[ "$out" = "Rebooting domain $d3" ] || fail "xl reboot printed: '$out'"
restarted() {
	local id
	id=$(xl domid w3 2>/dev/null) || return 1
	[ -n "$id" ] && [ "$id" != "$d3" ] && new=$id
}
new=
until_true 60 restarted || fail "w3 did not come back: $(xl list)"
wait_ready "$new"
echo "w3: domain $d3 rebooted as domain $new"
xl list "$d3" >/dev/null 2>&1 && fail "the old domain $d3 is still there"
xenstore-exists "/local/domain/$d3" && fail "/local/domain/$d3 left behind"
xl dmesg | grep -q "(d$d3) xtest: wait: PASS asked to reboot" || fail "the guest was not asked to reboot"
grep -q "Action for shutdown reason code 1 is restart" "$XEN_LOG_DIR/xl-w3.log" ||
	fail "the monitor's log: $(cat "$XEN_LOG_DIR/xl-w3.log")"
# The restarted guest answers too; this time the monitor destroys it.
xl shutdown w3 2>/dev/null || fail "xl shutdown of the restarted w3 failed"
until_true 30 gone || fail "the restarted w3 did not go away: $(domains)"

# 4. A request the guest does not know stays unacknowledged (as Linux
# does) and the guest keeps waiting; a suspend is acknowledged, the domain
# shuts down with reason 2 and the monitor leaves it to the saver.
write_cfg w4
xl create "$INSTANCE_DIR/w4.cfg" 2>/dev/null || fail "xl create w4 failed"
d4=$(xl domid w4)
wait_ready "$d4"
xenstore-write "/local/domain/$d4/control/shutdown" bogus
ignored() { xl dmesg | grep -q "(d$d4) xtest: control: ignoring shutdown request: bogus"; }
until_true 30 ignored || fail "the guest did not ignore an unknown request"
[ "$(xenstore-read "/local/domain/$d4/control/shutdown")" = bogus ] ||
	fail "an unknown request was acknowledged"
xenstore-write "/local/domain/$d4/control/shutdown" suspend
# Xen's fifth state letter is the reason: '-rscwS', so s for suspend.
suspended() { xl list w4 2>/dev/null | tail -n 1 | grep -q -- '---ss-'; }
until_true 30 suspended || fail "w4 did not suspend: $(xl list)"
monitor_done() { grep -q "Domain has suspended." "$XEN_LOG_DIR/xl-w4.log"; }
until_true 30 monitor_done || fail "the monitor's log: $(cat "$XEN_LOG_DIR/xl-w4.log")"
xl list w4 >/dev/null 2>&1 || fail "the monitor did not leave the suspended w4 alone"
xl dmesg | grep -q "(d$d4) xtest: wait: PASS asked to suspend" || fail "w4 was not asked to suspend"
xl destroy w4 || fail "xl destroy w4 failed"

# 5. xl shutdown -a -w: every guest but domain 0, one wait for all.
write_cfg wa 'on_poweroff = "preserve"'
write_cfg wb 'on_poweroff = "preserve"'
xl create "$INSTANCE_DIR/wa.cfg" 2>/dev/null || fail "xl create wa failed"
xl create "$INSTANCE_DIR/wb.cfg" 2>/dev/null || fail "xl create wb failed"
da=$(xl domid wa)
db=$(xl domid wb)
wait_ready "$da"
wait_ready "$db"
out=$(timeout 60 xl shutdown -a -w 2>&1) || fail "xl shutdown -a -w failed: $out"
echo "$out"
expected="Shutting down domain $da
Shutting down domain $db
Waiting for 2 domains
Domain $da has been shut down, reason code 0
Domain $db has been shut down, reason code 0"
[ "$out" = "$expected" ] || fail "xl shutdown -a -w printed:
$out
expected:
$expected"
for d in "$da" "$db"; do
	xl list "$d" | tail -n 1 | grep -q -- '---s--' || fail "domain $d is not shut down"
	xl destroy "$d" || fail "xl destroy $d failed"
done

# 6. Without -a or a domain: Xen's usage error.
out=$(xl shutdown 2>&1) && fail "xl shutdown without a domain succeeded"
case $out in "You must specify -a or a domain id."*) ;; *) fail "xl shutdown alone: '$out'" ;; esac

gone || fail "domains left: $(domains)"
until_true 10 [ "$(free_mem)" = "$before" ] || fail "free_memory $before -> $(free_mem)"
echo "xl shutdown: ok"
