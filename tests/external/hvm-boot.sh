#!/usr/bin/env bash
# Debian's stock kernel boots as an HVM guest through libxl's device-model
# layer (libxl/dm.c, driven by tests/integration/hvm-dm-boot): the init banner
# shows on the serial pty, a command sent over the pty runs, the emulated IDE
# disk mounts, pause/unpause work, the ACPI power button makes QEMU end with
# reason poweroff within 30 s, a reset gives reboot, quit gives destroy, a
# killed QEMU gives crash, dm_restrict runs it deprivileged, and a missing
# disk or a busy VNC port is refused before QEMU starts, leaving nothing; and a
# second process attached to the command socket controls the guest while the
# spawner watches.
#
# Needs qemu-system-x86 and the Debian package mirror (scripts/mkguest-hvm
# downloads the kernel and busybox once into the build tree); skips otherwise.
set -u

builddir=${KXEN_BUILDDIR:?}
srcdir=${KXEN_SRCDIR:?}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (qemu-system-x86)"
driver=$builddir/tests/integration/hvm-dm-boot
[ -x "$driver" ] || skip "hvm-dm-boot not built"

cache=$builddir/tests/cache/hvm
timeout 600 "$srcdir/scripts/mkguest-hvm" -q -o "$cache" >/dev/null ||
	skip "cannot make the HVM guest (Debian mirror reachable? apt-get update run?)"

T=$(mktemp -d "${TMPDIR:-/tmp}/kxen-hvm-boot.XXXXXX")
bg_pid=
cleanup() {
	local pid
	[ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null && wait "$bg_pid" 2>/dev/null
	# QEMU runs in its own session: end any of ours a failure left behind.
	for pid in $(sed -n 's/.* spawn: pid \([0-9]*\) .*/\1/p' "$T"/*.out 2>/dev/null); do
		grep -qs "$T" "/proc/$pid/cmdline" && kill -9 "$pid" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

guest=(--kernel "$cache/vmlinuz-hvm" --ramdisk "$cache/initrd-hvm.gz"
	--cmdline "console=ttyS0 quiet panic=-1" --memory 256)
banner=expect:KXEN-HVM-GUEST-READY:240

# run NAME ARGS...: one QEMU through the layer; its transcript in $T/NAME.out.
run() {
	local name=$1
	shift
	echo "== $name"
	timeout 600 "$driver" --qmp "$T/qmp-$name" --log "$T/qemu-$name.log" \
		--name "hvm-$name" "$@" >"$T/$name.out" 2>&1
	local rc=$?
	sed 's/^/   /' "$T/$name.out"
	if [ $rc -ne 0 ]; then
		echo "   QEMU log:"; sed 's/^/   | /' "$T/qemu-$name.log" 2>/dev/null
		return 1
	fi
	[ ! -e "$T/qmp-$name" ] && [ ! -e "$T/qmp-$name.watch" ] ||
		fail "$name: QMP socket left behind"
}

cp "$cache/disk-hvm.img" "$T/disk.img"

# 1. Boot, serial shell, disk, pause/unpause, ACPI power button.
run boot "${guest[@]}" --disk "$T/disk.img,hda" "$banner" \
	'send:echo kxen-$((6*7))-ok' expect:kxen-42-ok:60 \
	'send:mount -t ext2 /dev/sda /mnt && cat /mnt/kxen-disk.txt && echo written >/mnt/w && umount /mnt' \
	'expect:kxen hvm disk:60' \
	pause sleep:300 unpause 'send:echo again-$((1+1))' expect:again-2:60 \
	powerdown wait:30 reason:poweroff || fail "boot, console and poweroff"

# 2. A reset ends QEMU (-no-reboot) with reason reboot.
run reset "${guest[@]}" "$banner" reset wait:30 reason:reboot ||
	fail "reset gives reboot"

# 3. quit ends it at once, reason destroy; dm_restrict runs QEMU deprivileged.
run destroy "${guest[@]}" --restrict --disk "$T/disk.img,hda" "$banner" \
	'send:mount -t ext2 /dev/sda /mnt && cat /mnt/w' expect:written:60 \
	"user:$(id -un nobody 2>/dev/null || echo nobody)" destroy reason:destroy || fail "destroy (dm_restrict)"
grep -q 'destroy: ended' "$T/destroy.out" || fail "destroy did not end QEMU"

# 4. A second process attaches through the command socket (as `xl pause`,
#    `xl shutdown` would) while the spawner keeps watching: both see the end.
"$driver" "${guest[@]}" --domid 5 --qmp "$T/qmp-owner" --log "$T/qemu-owner.log" \
	"$banner" wait:300 reason:poweroff >"$T/owner.out" 2>&1 &
bg_pid=$!
for _ in $(seq 1 2400); do
	grep -q "expect 'KXEN-HVM-GUEST-READY'" "$T/owner.out" && break
	kill -0 "$bg_pid" 2>/dev/null || break
	sleep 0.1
done
grep -q "expect 'KXEN-HVM-GUEST-READY': seen" "$T/owner.out" ||
	{ cat "$T/owner.out"; fail "the owner's guest did not boot"; }
echo "== remote"
timeout 120 "$driver" --attach --domid 5 --qmp "$T/qmp-owner" pause unpause powerdown \
	wait:30 reason:poweroff >"$T/remote.out" 2>&1
remote_rc=$?
sed 's/^/   /' "$T/remote.out"
wait "$bg_pid"
owner_rc=$?
bg_pid=
echo "== owner"
sed 's/^/   /' "$T/owner.out"
[ $remote_rc -eq 0 ] || fail "an attached process could not pause and shut down the guest"
[ $owner_rc -eq 0 ] || fail "the spawner did not see the poweroff"
[ ! -e "$T/qmp-owner" ] && [ ! -e "$T/qmp-owner.watch" ] || fail "owner: QMP socket left behind"

# 5. QEMU killed behind the layer's back is a crash.
run crash "${guest[@]}" sleep:200 kill wait:10 reason:crash ||
	fail "a killed QEMU is a crash"

# 6. A missing disk is refused before QEMU starts; nothing is left.
if run missing "${guest[@]}" --disk "$T/no-such.img,hda"; then
	fail "a missing disk was accepted"
fi
grep -q "spawn: error: disk hda '$T/no-such.img': No such file or directory" "$T/missing.out" ||
	fail "unclear error for a missing disk"
[ ! -e "$T/qmp-missing" ] && [ ! -e "$T/qmp-missing.watch" ] ||
	fail "socket left behind after an error"
[ ! -e "$T/qemu-missing.log" ] || fail "log made although QEMU never started"
pgrep -f "$T/qmp-missing" >/dev/null && fail "a QEMU was left running"

# 7. A busy VNC port is refused: a first QEMU holds the display (its VNC
#    password set over QMP).
display=$((50 + $$ % 40))
"$driver" --no-serial --vnc "$display" --vncpasswd "s3cr\"t" --qmp "$T/qmp-vnc1" --log "$T/qemu-vnc1.log" \
	sleep:8000 destroy >"$T/vnc1.out" 2>&1 &
bg_pid=$!
for _ in $(seq 1 100); do
	grep -q 'spawn:' "$T/vnc1.out" && break
	sleep 0.1
done
if grep -q 'spawn: pid' "$T/vnc1.out"; then
	if run vnc2 --no-serial --vnc "$display"; then
		fail "a busy VNC port was accepted"
	fi
	grep -q "VNC display 127.0.0.1:$display (TCP port $((5900 + display))) is already in use" "$T/vnc2.out" ||
		fail "unclear error for a busy VNC port"
	[ ! -e "$T/qmp-vnc2" ] && [ ! -e "$T/qmp-vnc2.watch" ] ||
		fail "socket left behind after the VNC error"
	pgrep -f "$T/qmp-vnc2" >/dev/null && fail "a QEMU was left running"
else
	echo "note: VNC display $display not available here, busy-port check skipped"
	cat "$T/vnc1.out"
fi
wait "$bg_pid" || fail "the first VNC QEMU did not end cleanly: $(cat "$T/vnc1.out")"
bg_pid=
pgrep -f "$T/qmp-vnc1" >/dev/null && fail "the first VNC QEMU was left running"

echo "PASS"
exit 0
