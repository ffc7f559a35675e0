/*
 * xenconsoled's ring access: what a well-behaved guest writes arrives in
 * order across wrap-around (of the array and of the 32-bit indexes), and
 * any index a hostile guest writes leads to no access outside the page and
 * no consumption of what we did not read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../xenconsoled/ring.h"

static void guest_write_out(struct xencons_interface *intf, const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		intf->out[MASK_XENCONS_IDX(intf->out_prod++, intf->out)] = data[i];
}

static void test_empty(void **state)
{
	struct xencons_interface intf = { 0 };
	struct console_ring_result res;
	char buf[16];

	(void)state;
	console_ring_read_out(&intf, buf, sizeof(buf), &res);
	assert_int_equal(res.bytes, 0);
	assert_int_equal(res.left, 0);
	assert_false(res.corrupt);
	assert_int_equal(intf.out_cons, 0);
}

static void test_read_simple(void **state)
{
	struct xencons_interface intf = { 0 };
	struct console_ring_result res;
	char buf[64];

	(void)state;
	guest_write_out(&intf, "hello\n", 6);
	assert_int_equal(console_ring_out_pending(&intf, NULL), 6);
	console_ring_read_out(&intf, buf, sizeof(buf), &res);
	assert_int_equal(res.bytes, 6);
	assert_int_equal(res.left, 0);
	assert_memory_equal(buf, "hello\n", 6);
	assert_int_equal(intf.out_cons, 6);
}

static void test_read_partial_and_wrap(void **state)
{
	struct xencons_interface intf = { 0 };
	struct console_ring_result res;
	char data[2048], buf[2048];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 3);
	/* Start near the end of the array and near the end of the index space. */
	intf.out_cons = intf.out_prod = UINT32_MAX - 100;
	guest_write_out(&intf, data, sizeof(data));
	assert_int_equal(console_ring_out_pending(&intf, NULL), 2048);

	console_ring_read_out(&intf, buf, 1000, &res);
	assert_int_equal(res.bytes, 1000);
	assert_int_equal(res.left, 1048);
	console_ring_read_out(&intf, buf + 1000, sizeof(buf) - 1000, &res);
	assert_int_equal(res.bytes, 1048);
	assert_int_equal(res.left, 0);
	assert_memory_equal(buf, data, sizeof(data));
	assert_int_equal(intf.out_cons, intf.out_prod);
}

static void test_read_corrupt(void **state)
{
	static const XENCONS_RING_IDX bad[][2] = {
		{ 0, 2049 }, /* more than the ring holds */
		{ 100, 50 }, /* producer behind consumer */
		{ 0, UINT32_MAX },
		{ 5000, 0 },
	};
	struct xencons_interface intf;
	struct console_ring_result res;
	char buf[4096];
	bool corrupt;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&intf, 0, sizeof(intf));
		intf.out_cons = bad[i][0];
		intf.out_prod = bad[i][1];
		console_ring_read_out(&intf, buf, sizeof(buf), &res);
		assert_true(res.corrupt);
		assert_int_equal(res.bytes, 0);
		assert_int_equal(res.left, 0);
		/* Nothing consumed: the indexes are as the guest left them. */
		assert_int_equal(intf.out_cons, bad[i][0]);
		assert_int_equal(intf.out_prod, bad[i][1]);
		assert_int_equal(console_ring_out_pending(&intf, &corrupt), 0);
		assert_true(corrupt);
	}
}

static void test_read_max_zero(void **state)
{
	struct xencons_interface intf = { 0 };
	struct console_ring_result res;
	char buf[1];

	(void)state;
	guest_write_out(&intf, "abc", 3);
	console_ring_read_out(&intf, buf, 0, &res);
	assert_int_equal(res.bytes, 0);
	assert_int_equal(res.left, 3);
	assert_int_equal(intf.out_cons, 0);
}

static void test_write_in(void **state)
{
	struct xencons_interface intf = { 0 };
	char data[1500];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)i;
	assert_int_equal(console_ring_in_space(&intf, NULL), 1024);
	n = console_ring_write_in(&intf, data, sizeof(data));
	assert_int_equal(n, 1024);
	assert_int_equal(intf.in_prod, 1024);
	assert_int_equal(console_ring_in_space(&intf, NULL), 0);
	assert_int_equal(console_ring_write_in(&intf, data, 10), 0);
	assert_memory_equal(intf.in, data, 1024);

	/* The guest consumes 600; the next write wraps. */
	intf.in_cons = 600;
	n = console_ring_write_in(&intf, data + 1024, sizeof(data) - 1024);
	assert_int_equal(n, 476);
	assert_memory_equal(intf.in, data + 1024, 476);
	assert_int_equal(intf.in_prod, 1500);
}

static void test_write_in_index_wrap(void **state)
{
	struct xencons_interface intf = { 0 };

	(void)state;
	intf.in_cons = intf.in_prod = UINT32_MAX - 1;
	assert_int_equal(console_ring_write_in(&intf, "abcd", 4), 4);
	assert_int_equal(intf.in_prod, 2);
	assert_int_equal(intf.in[1022], 'a');
	assert_int_equal(intf.in[1023], 'b');
	assert_int_equal(intf.in[0], 'c');
	assert_int_equal(intf.in[1], 'd');
}

static void test_write_in_corrupt(void **state)
{
	struct xencons_interface intf = { 0 };
	bool corrupt;

	(void)state;
	intf.in_cons = 10; /* consumer ahead of producer */
	intf.in_prod = 0;
	assert_int_equal(console_ring_in_space(&intf, &corrupt), 0);
	assert_true(corrupt);
	assert_int_equal(console_ring_write_in(&intf, "x", 1), 0);
	assert_int_equal(intf.in_prod, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_read_simple),
		cmocka_unit_test(test_read_partial_and_wrap),
		cmocka_unit_test(test_read_corrupt),
		cmocka_unit_test(test_read_max_zero),
		cmocka_unit_test(test_write_in),
		cmocka_unit_test(test_write_in_index_wrap),
		cmocka_unit_test(test_write_in_corrupt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
