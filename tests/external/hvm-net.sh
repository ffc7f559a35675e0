#!/usr/bin/env bash
# Two HVM guests (Debian's kernel; e1000, rtl8139 and virtio-net NICs) started through
# libxl's device-model layer, their TAP devices on one bridge, ping each
# other.  The TAPs are attached by hand here, which hotplug/vif-bridge will do
# for `xl create`.  Everything runs in a network namespace of its own, so the
# host's network is never touched and the bridge goes away with the test.
#
# Needs qemu-system-x86, iproute2, unshare, /dev/net/tun, root and the Debian
# package mirror (scripts/mkguest-hvm); skips otherwise.
set -u

builddir=${KXEN_BUILDDIR:?}
srcdir=${KXEN_SRCDIR:?}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

if [ -z "${KXEN_HVM_NET_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || skip "needs root (TAP devices, bridge)"
	command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed (qemu-system-x86)"
	command -v ip >/dev/null || skip "ip not installed (iproute2)"
	command -v unshare >/dev/null || skip "unshare not installed (util-linux)"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	# The images first: the namespace has no way to the package mirror.
	timeout 600 "$srcdir/scripts/mkguest-hvm" -q -o "$builddir/tests/cache/hvm" >/dev/null ||
		skip "cannot make the HVM guest (Debian mirror reachable? apt-get update run?)"
	KXEN_HVM_NET_NS=1 exec unshare -n bash "$0" "$@"
	skip "cannot make a network namespace"
fi

driver=$builddir/tests/integration/hvm-dm-boot
[ -x "$driver" ] || skip "hvm-dm-boot not built"
cache=$builddir/tests/cache/hvm
[ -f "$cache/.stamp" ] || skip "no HVM guest images in $cache"

ip link add kxbr0 type bridge 2>/dev/null || skip "no bridge support in the host kernel"
ip link set kxbr0 up

T=$(mktemp -d "${TMPDIR:-/tmp}/kxen-hvm-net.XXXXXX")
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	for pid in $(sed -n 's/.* spawn: pid \([0-9]*\) .*/\1/p' "$T"/*.out 2>/dev/null); do
		grep -qs "$T" "/proc/$pid/cmdline" && kill -9 "$pid" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

guest=(--kernel "$cache/vmlinuz-hvm" --ramdisk "$cache/initrd-hvm.gz"
	--cmdline "console=ttyS0 quiet panic=-1" --memory 256)
banner=expect:KXEN-HVM-GUEST-READY:300

# Each guest has two NICs: A e1000 + virtio-net, B rtl8139 + virtio-net.
# e1000 and rtl8139 talk on 10.99.0.0/24, the two virtio-net on 10.98.0.0/24;
# interfaces are found by MAC, not by the order the kernel named them.
ifc='ifc() { for i in /sys/class/net/*; do [ "$(cat $i/address)" = "$1" ] && echo ${i##*/}; done; }'
up() { # up MAC ADDR: configure the interface with that MAC
	echo "i=\$(ifc $1); ip link set \$i up && ip addr add $2/24 dev \$i"
}

# A waits on the bridge until the test powers it off from its serial line.
"$driver" "${guest[@]}" --domid 11 --name hvm-net-a \
	--nic e1000,00:16:3e:00:11:01,kxtap-a --nic virtio-net,00:16:3e:00:11:02,kxtap-av \
	--qmp "$T/qmp-a" --log "$T/qemu-a.log" "$banner" \
	"send:$ifc; $(up 00:16:3e:00:11:01 10.99.0.1) && $(up 00:16:3e:00:11:02 10.98.0.1) && echo A-UP-\$((2+3))" \
	expect:A-UP-5:120 wait:600 reason:poweroff >"$T/a.out" 2>&1 &
pids+=($!)
a_pid=$!
"$driver" "${guest[@]}" --domid 12 --name hvm-net-b \
	--nic rtl8139,00:16:3e:00:12:01,kxtap-b --nic virtio-net,00:16:3e:00:12:02,kxtap-bv \
	--qmp "$T/qmp-b" --log "$T/qemu-b.log" "$banner" \
	"send:$ifc; $(up 00:16:3e:00:12:01 10.99.0.2) && $(up 00:16:3e:00:12:02 10.98.0.2) && echo B-UP-\$((3+4))" \
	expect:B-UP-7:120 \
	'send:ping -c 3 -W 10 10.99.0.1 && echo PING-OK-$((4+4))' expect:PING-OK-8:180 \
	'send:ping -c 3 -W 10 10.98.0.1 && echo VPING-OK-$((4+5))' expect:VPING-OK-9:180 \
	powerdown wait:30 reason:poweroff >"$T/b.out" 2>&1 &
pids+=($!)
b_pid=$!

# Attach each TAP to the bridge as soon as its QEMU has made it.
for tap in kxtap-a kxtap-av kxtap-b kxtap-bv; do
	for _ in $(seq 1 200); do
		ip link show "$tap" >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip link set "$tap" master kxbr0 && ip link set "$tap" up ||
		{ cat "$T"/*.out; fail "TAP $tap did not appear"; }
done

wait "$b_pid"
b_rc=$?
echo "== guest B (pings A)"
sed 's/^/   /' "$T/b.out"

# Power A off from its own serial console (what `xl console` would do).
a_pty=$(sed -n 's/.* serial \(\/dev\/pts\/[0-9]*\)$/\1/p' "$T/a.out")
[ -n "$a_pty" ] && printf 'poweroff -f\n' >"$a_pty"
wait "$a_pid"
a_rc=$?
pids=()
echo "== guest A"
sed 's/^/   /' "$T/a.out"

[ $b_rc -eq 0 ] || { sed 's/^/   | /' "$T/qemu-b.log"; fail "guest B could not ping guest A"; }
[ $a_rc -eq 0 ] || fail "guest A did not end with a poweroff"
echo "PASS"
exit 0
