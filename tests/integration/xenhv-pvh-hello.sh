#!/usr/bin/env bash
# Boot the PVH test guest's "hello" through libxc (xenhv-boot) on a private
# xenhv: its output reaches the hypervisor console and log, the domain shuts
# down with reason poweroff, and destroy gives every page back to the pool.
set -u
. "$KXEN_SRCDIR/tests/integration/xenhv-common.inc"

xenhv_start --memory 256M
out=$XENHV_DIR/boot.out
timeout 60 xenhv-boot --mem 32 --cmdline hello "$XTEST_PVH" >"$out" 2>&1 ||
	{ cat "$out"; xenhv_fail "xenhv-boot failed"; }
cat "$out"
expect "$out" '^xenhv-boot: shutdown=poweroff$' "shutdown reason is not poweroff"
expect "$out" 'console: (d[0-9]*) hello$' "the guest's hello is not in the console ring"
expect "$out" 'xtest: hello: PASS' "hello did not pass"
expect "$out" 'xtest: done' "the guest did not finish"
grep -q 'xtest: .*: FAIL' "$out" && xenhv_fail "a check failed in the guest"
expect "$XEN_LOG_DIR/xenhv.log" '(d[0-9]*) hello' "the guest's hello is not in xenhv.log"
read -r before after < <(sed -n 's/^xenhv-boot: free_pages_before=\([0-9]*\) free_pages_after=\([0-9]*\)$/\1 \2/p' "$out")
[ -n "${before:-}" ] || xenhv_fail "no pool figures"
[ "$before" = "$after" ] || xenhv_fail "pool not restored after destroy: $before -> $after pages"
echo "PASS"
