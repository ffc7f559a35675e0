/*
 * xenconsoled's token bucket: starts full, refills at the rate up to the
 * burst, says how long to sleep, and costs nothing when unlimited.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../xenconsoled/ratelimit.h"

#define MS 1000000ull
#define SEC 1000000000ull

static void test_unlimited(void **state)
{
	struct console_ratelimit rl;

	(void)state;
	console_ratelimit_init(&rl, 0, 0, 0);
	assert_true(console_ratelimit_available(&rl, 0) == UINT64_MAX);
	console_ratelimit_charge(&rl, 1u << 30);
	assert_true(console_ratelimit_available(&rl, 1) == UINT64_MAX);
	assert_int_equal(console_ratelimit_wait_ns(&rl, 1, 4096), 0);
}

static void test_refill(void **state)
{
	struct console_ratelimit rl;
	uint64_t t0 = 5 * SEC;

	(void)state;
	console_ratelimit_init(&rl, 1000000, 100000, t0); /* 1 MB/s, 100 kB burst */
	assert_int_equal(console_ratelimit_available(&rl, t0), 100000);
	console_ratelimit_charge(&rl, 150000); /* never below zero */
	assert_int_equal(console_ratelimit_available(&rl, t0), 0);
	/* 10 ms at 1 MB/s is 10000 tokens. */
	assert_int_equal(console_ratelimit_available(&rl, t0 + 10 * MS), 10000);
	/* Refill stops at the burst. */
	assert_int_equal(console_ratelimit_available(&rl, t0 + 10 * SEC), 100000);
	/* A very long idle time does not overflow. */
	console_ratelimit_charge(&rl, 100000);
	assert_int_equal(console_ratelimit_available(&rl, t0 + 100000 * SEC), 100000);
}

static void test_fractions_accumulate(void **state)
{
	struct console_ratelimit rl;
	uint64_t now = 0, total = 0;
	int i;

	(void)state;
	console_ratelimit_init(&rl, 1000, 1000, 0); /* one token per ms */
	console_ratelimit_charge(&rl, 1000);
	/* Polled every 0.25 ms for 1 s: still 1000 tokens, not 0. */
	for (i = 0; i < 4000; i++) {
		now += MS / 4;
		total = console_ratelimit_available(&rl, now);
	}
	assert_true(total >= 999 && total <= 1000);
}

static void test_wait(void **state)
{
	struct console_ratelimit rl;
	uint64_t wait;

	(void)state;
	console_ratelimit_init(&rl, 1000000, 100000, 0);
	assert_int_equal(console_ratelimit_wait_ns(&rl, 0, 2048), 0);
	console_ratelimit_charge(&rl, 100000);
	wait = console_ratelimit_wait_ns(&rl, 0, 2048);
	/* 2048 tokens at 1 MB/s: 2.048 ms. */
	assert_true(wait >= 2048000 && wait <= 2048000 + 1000);
	assert_true(console_ratelimit_available(&rl, wait) >= 2048);
	/* Asking for more than the burst waits for the burst. */
	console_ratelimit_charge(&rl, 100000);
	wait = console_ratelimit_wait_ns(&rl, wait, 1u << 30);
	assert_true(wait >= 90 * MS && wait <= 100 * MS + 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_refill),
		cmocka_unit_test(test_fractions_accumulate),
		cmocka_unit_test(test_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
