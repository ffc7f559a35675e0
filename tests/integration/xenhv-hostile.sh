#!/usr/bin/env bash
# A hostile guest (random hypercall numbers and arguments) runs while a
# second guest boots; afterwards xenhv still serves a third guest and has
# given all memory back.  The hostile guest may crash itself; xenhv may not.
set -u
. "$KXEN_SRCDIR/tests/integration/xenhv-common.inc"

xenhv_start --memory 256M
calls=${XENHV_HOSTILE_CALLS:-4000}
timeout 300 xenhv-boot --cmdline "hostile $calls" "$XTEST_PVH" >"$XENHV_DIR/hostile.out" 2>&1 &
hostile=$!
timeout 60 xenhv-boot --cmdline hello "$XTEST_PVH" >"$XENHV_DIR/hello.out" 2>&1 ||
	{ cat "$XENHV_DIR/hello.out"; xenhv_fail "a guest could not boot beside the hostile one"; }
expect "$XENHV_DIR/hello.out" 'xtest: hello: PASS' "hello beside the hostile guest"
wait $hostile || { cat "$XENHV_DIR/hostile.out"; xenhv_fail "the hostile run did not finish"; }
cat "$XENHV_DIR/hostile.out"
grep -q 'shutdown=poweroff\|shutdown=crash' "$XENHV_DIR/hostile.out" ||
	xenhv_fail "the hostile guest did not shut down"
kill -0 "$xenhv_pid" || xenhv_fail "xenhv died"
timeout 60 xenhv-boot --cmdline version "$XTEST_PVH" >"$XENHV_DIR/after.out" 2>&1 ||
	{ cat "$XENHV_DIR/after.out"; xenhv_fail "no guest boots after the hostile run"; }
grep -q 'xtest: .*: FAIL' "$XENHV_DIR/after.out" && xenhv_fail "checks fail after the hostile run"
read -r before after < <(sed -n 's/^xenhv-boot: free_pages_before=\([0-9]*\) free_pages_after=\([0-9]*\)$/\1 \2/p' "$XENHV_DIR/after.out")
[ "$before" = "$after" ] || xenhv_fail "pool not restored: $before -> $after"
echo "PASS"
