#!/usr/bin/env bash
# Two type="hvm" guests made by xl create on one bridge ping each other
# (e1000 and rtl8139 NICs).  QEMU creates each NIC's TAP device; libxl puts
# it on the vif's bridge (until hotplug/vif-bridge exists).  Runs in a
# network namespace of its own so that the host's network is untouched.
#
# Needs root, qemu-system-x86, iproute2, unshare, /dev/net/tun and the
# Debian mirror (scripts/mkguest-hvm); skips otherwise.
set -u

if [ -z "${KXEN_XL_HVM_NET_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
	for p in qemu-system-x86_64 ip unshare python3; do
		command -v $p >/dev/null || { echo "SKIP: $p not installed"; exit 77; }
	done
	[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
	KXEN_XL_HVM_NET_NS=1 exec unshare -n bash "$0" "$@"
	echo "SKIP: cannot make a network namespace"
	exit 77
fi

. "$KXEN_SRCDIR/tests/lib/instance.sh"
instance_require_root_kvm
cache=$KXEN_BUILDDIR/tests/cache/hvm
timeout 600 "$KXEN_SRCDIR/scripts/mkguest-hvm" -q -o "$cache" >/dev/null ||
	skip "cannot make the HVM guest (Debian mirror reachable? apt-get update run?)"
ip link add kxbr0 type bridge 2>/dev/null || skip "no bridge support in the host kernel"
ip link set kxbr0 up

export XENHV_ARGS="--memory 1G"
instance_start

# console_expect NAME COMMAND MARKER TIMEOUT: waits until the guest's serial
# shell answers (a probe sent every few seconds, as characters typed while it
# starts are lost), then types COMMAND once and waits for MARKER on a line of
# its own.
console_expect() {
	python3 - "$@" <<'PY'
import os, pty, re, select, sys, time
name, cmd, marker, limit = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
pid, fd = pty.fork()
if pid == 0:
    os.execvp("xl", ["xl", "console", "-t", "serial", name])
def line(m):
    return re.compile(rb"(^|\n)" + re.escape(m) + rb"\r*\n")
probe, ready = b"echo SHELL-$((20+22))", line(b"SHELL-42")
want = line(marker.encode())
buf, t0, last, ok, sent = b"", time.time(), 0.0, False, False
while time.time() - t0 < limit and not ok:
    if not sent and ready.search(buf):
        os.write(fd, cmd.encode() + b"\r")
        sent = True
    elif not sent and time.time() - last > 3:
        os.write(fd, probe + b"\r")
        last = time.time()
    r, _, _ = select.select([fd], [], [], 0.5)
    if r:
        try:
            buf += os.read(fd, 4096)
        except OSError:
            break
        ok = sent and bool(want.search(buf))
os.write(fd, b"\x1d")
time.sleep(0.3)
try:
    os.kill(pid, 9)
except ProcessLookupError:
    pass
os.waitpid(pid, 0)
sys.stdout.write(buf.decode(errors="replace")[-600:] + "\n")
print("%s: %s after %.1f s" % (name, "ok" if ok else "NOT SEEN", time.time() - t0))
sys.exit(0 if ok else 1)
PY
}

# guest NAME MODEL MAC
guest() {
	local cfg=$INSTANCE_DIR/$1.cfg
	sed -e "s|^name = .*|name = \"$1\"|" -e "/^disk = /d" "$cache/hvm-default.cfg" >"$cfg"
	echo "vif = [ 'model=$2,mac=$3,bridge=kxbr0' ]" >>"$cfg"
	out=$(timeout 60 xl create "$cfg" 2>&1) || fail "xl create $1 failed: $out"
}

guest hvm-net-a e1000 00:16:3e:00:21:01
guest hvm-net-b rtl8139 00:16:3e:00:21:02
for id in $(xl list | awk 'NR > 2 { print $2 }'); do
	tap=vif$id.0-emu
	# (ip, not /sys: sysfs shows the namespace it was mounted in.)
	ip -o link show "$tap" 2>/dev/null | grep -q "master kxbr0" || fail "$tap is not on kxbr0"
done
echo "TAP devices on kxbr0: $(ip -o link show master kxbr0 | awk -F': ' '{ print $2 }' | tr '\n' ' ')"

ifc='i=$(for n in /sys/class/net/*; do [ "$(cat $n/address)" = "$M" ] && echo ${n##*/}; done)'
console_expect hvm-net-a "M=00:16:3e:00:21:01; $ifc; ip link set \$i up && ip addr add 10.97.0.1/24 dev \$i && echo A-UP-\$((2+3))" \
	A-UP-5 300 || fail "guest A did not configure its NIC"
console_expect hvm-net-b "M=00:16:3e:00:21:02; $ifc; ip link set \$i up && ip addr add 10.97.0.2/24 dev \$i && echo B-UP-\$((3+4))" \
	B-UP-7 300 || fail "guest B did not configure its NIC"
console_expect hvm-net-b 'ping -c 3 -W 10 10.97.0.1 && echo PING-OK-$((4+4))' PING-OK-8 120 ||
	fail "guest B cannot ping guest A"

for n in hvm-net-a hvm-net-b; do
	xl destroy "$n" || fail "xl destroy $n failed"
done
[ -z "$(ip -o link show master kxbr0)" ] || fail "TAP devices left on kxbr0"
echo "PASS"
