/*
 * Unit tests of xenhv's guest time (hypervisor/timer.c): the pvclock scale
 * checked against an independent 128-bit computation, the version
 * protocols of vcpu_time_info and the wallclock, monotonic system time
 * across pause/unpause and restore, and the VCPUOP/set_timer_op timers.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../hypervisor/timer.h"

#define NS 1000000000ull

/* ticks at hz in ns, exactly (floor), independent of the module. */
static uint64_t ref_ns(uint64_t ticks, uint64_t hz)
{
	return (uint64_t)(((unsigned __int128)ticks * NS) / hz);
}

static void assert_close(uint64_t got, uint64_t want)
{
	/* mul and shift truncation: ~1e-9 relative plus a few ns. */
	uint64_t tol = want / NS + 3;
	uint64_t diff = got > want ? got - want : want - got;

	if (diff > tol)
		fail_msg("got %llu want %llu (diff %llu > %llu)", (unsigned long long)got,
			 (unsigned long long)want, (unsigned long long)diff,
			 (unsigned long long)tol);
}

static void test_scale_known_values(void **state)
{
	struct timer_scale s;

	(void)state;
	assert_int_equal(timer_scale_from_hz(0, &s), -EINVAL);
	/* 1 GHz is doubled into (1, 2] GHz: shift 1, mul 2^31. */
	assert_int_equal(timer_scale_from_hz(NS, &s), 0);
	assert_int_equal(s.shift, 1);
	assert_int_equal(s.mul, 1u << 31);
	/* 2.4 GHz is halved: shift -1, mul floor(2^32 / 1.2). */
	assert_int_equal(timer_scale_from_hz(2400000000ull, &s), 0);
	assert_int_equal(s.shift, -1);
	assert_int_equal(s.mul, 3579139413u);
	/* 2 GHz exactly stays: shift 0, mul 2^31. */
	assert_int_equal(timer_scale_from_hz(2 * NS, &s), 0);
	assert_int_equal(s.shift, 0);
	assert_int_equal(s.mul, 1u << 31);
}

static void test_scale_against_128bit(void **state)
{
	static const uint64_t hzs[] = {
		1,	    1000,	1000000,    32768,	123456789,   999999999,	 NS,
		NS + 1,	    1500000000, 2 * NS,	    2 * NS + 1, 2400000000,  2899999999, 3000000000,
		3600000001, 4 * NS,	5123456789, 10 * NS,	17179869184, 40 * NS,
	};
	static const uint64_t secs[] = { 0, 1, 2, 10, 3600 };
	unsigned int i, j;
	struct timer_scale s;

	(void)state;
	for (i = 0; i < sizeof(hzs) / sizeof(hzs[0]); i++) {
		uint64_t hz = hzs[i];

		assert_int_equal(timer_scale_from_hz(hz, &s), 0);
		/* The normalised rate is in (1 GHz, 2 GHz]. */
		assert_true(s.mul >= (1u << 31));
		for (j = 0; j < sizeof(secs) / sizeof(secs[0]); j++) {
			uint64_t ticks = secs[j] * hz;

			/* Low rates shift left: stay within 64 bits. */
			if (s.shift > 0 && ticks > (UINT64_MAX >> s.shift))
				continue;
			assert_close(timer_scale_delta(ticks, &s), ref_ns(ticks, hz));
			assert_close(timer_scale_delta(ticks + 12345, &s),
				     ref_ns(ticks + 12345, hz));
		}
		assert_int_equal(timer_scale_delta(0, &s), 0);
	}
}

static void test_time_info_record(void **state)
{
	struct timer_clock c;
	struct vcpu_time_info rec, guest;
	const uint64_t hz = 2893000000ull, tsc0 = 987654321ull;

	(void)state;
	assert_int_equal(timer_clock_init(&c, 0, 0), -EINVAL);
	assert_int_equal(timer_clock_init(&c, hz, 1000), 0);
	timer_time_info_compute(&c, 5 * NS + 1000, tsc0, &rec);
	assert_int_equal(rec.system_time, 5 * NS);
	assert_int_equal(rec.tsc_timestamp, tsc0);
	assert_int_equal(rec.flags, 0);
	assert_int_equal(rec.version, 0);
	memset(&guest, 0, sizeof(guest));
	guest.version = 4;
	timer_time_info_publish(&guest, &rec);
	assert_int_equal(guest.version, 6);
	assert_int_equal(guest.system_time, 5 * NS);
	assert_int_equal(guest.tsc_to_system_mul, c.scale.mul);
	assert_int_equal(guest.tsc_shift, c.scale.shift);
	/* What the guest reads one and 100 seconds of TSC later. */
	assert_close(timer_pvclock_read(&guest, tsc0 + hz), 6 * NS);
	assert_close(timer_pvclock_read(&guest, tsc0 + 100 * hz + hz / 2), 105 * NS + NS / 2);
	assert_int_equal(timer_pvclock_read(&guest, tsc0), 5 * NS);

	/* A guest that scribbles on version cannot make us end odd. */
	guest.version = 7;
	timer_time_info_publish(&guest, &rec);
	assert_int_equal(guest.version, 10);
	guest.version = UINT32_MAX;
	timer_time_info_publish(&guest, &rec);
	assert_int_equal(guest.version, 2);
}

static void test_monotonic_pause_unpause(void **state)
{
	struct timer_clock c;
	struct vcpu_time_info r1, r2;
	const uint64_t hz = 3000000000ull;
	uint64_t host = 77 * NS, tsc = 5000, before, after;

	(void)state;
	assert_int_equal(timer_clock_init(&c, hz, host), 0);
	host += 2 * NS;
	tsc += 2 * hz;
	timer_time_info_compute(&c, host, tsc, &r1);
	/* Paused for 30 s: host clock and guest TSC keep running (Xen, KVM). */
	host += 30 * NS;
	tsc += 30 * hz;
	before = timer_pvclock_read(&r1, tsc); /* stale record */
	timer_time_info_compute(&c, host, tsc, &r2); /* refresh on unpause */
	after = timer_pvclock_read(&r2, tsc);
	assert_true(r2.system_time > r1.system_time);
	assert_close(before, after);
	assert_close(after, 32 * NS);
	/* A host clock reading behind the last record never goes back. */
	timer_time_info_compute(&c, host - NS, tsc, &r1);
	assert_int_equal(r1.system_time, r2.system_time);
	assert_int_equal(timer_clock_now(&c, host - NS), r2.system_time);
	assert_int_equal(timer_clock_now(&c, 0), r2.system_time);

	/* Restore on a host whose monotonic clock started later. */
	timer_clock_restore(&c, 5 * NS, 40 * NS);
	assert_int_equal(timer_clock_now(&c, 5 * NS), 40 * NS);
	assert_int_equal(timer_clock_now(&c, 6 * NS), 41 * NS);
	assert_int_equal(timer_clock_to_host_ns(&c, 41 * NS), 6 * NS);
	/* A restore older than what was published keeps the published. */
	timer_clock_restore(&c, 5 * NS, 0);
	assert_int_equal(timer_clock_now(&c, 5 * NS), 40 * NS);
	assert_int_equal(timer_clock_to_host_ns(&c, UINT64_MAX), UINT64_MAX);
}

static void test_wallclock(void **state)
{
	struct timer_clock c;
	struct shared_info si;
	uint64_t sec;
	uint32_t nsec;
	const uint64_t realtime = 1764000000ull * NS + 250000000ull;

	(void)state;
	assert_int_equal(timer_clock_init(&c, NS, 100 * NS), 0);
	/* 10 s after the domain started: wallclock is 10 s ago. */
	timer_wallclock_compute(&c, realtime, 110 * NS, &sec, &nsec);
	assert_int_equal(sec, 1764000000ull - 10);
	assert_int_equal(nsec, 250000000u);
	c.time_offset_s = -3600;
	timer_wallclock_compute(&c, realtime, 110 * NS, &sec, &nsec);
	assert_int_equal(sec, 1764000000ull - 10 - 3600);
	memset(&si, 0, sizeof(si));
	si.wc_version = 2;
	timer_wallclock_publish(&si, (5ull << 32) + 7, 999);
	assert_int_equal(si.wc_version, 4);
	assert_int_equal(si.wc_sec, 7);
	assert_int_equal(si.wc_sec_hi, 5);
	assert_int_equal(si.wc_nsec, 999);
	si.wc_version = 3; /* guest garbage */
	timer_wallclock_publish(&si, 1, 2);
	assert_int_equal(si.wc_version, 6);
	/* Offsets before the epoch clamp to 0. */
	c.time_offset_s = -(int64_t)(1ull << 40);
	timer_wallclock_compute(&c, realtime, 110 * NS, &sec, &nsec);
	assert_int_equal(sec, 0);
	assert_int_equal(nsec, 0);
}

static void test_singleshot(void **state)
{
	struct timer_vcpu t;
	struct vcpu_set_singleshot_timer op = { .timeout_abs_ns = 5000 };
	uint64_t d;

	(void)state;
	timer_vcpu_init(&t, 0);
	assert_false(timer_vcpu_next_deadline(&t, &d));
	assert_int_equal(timer_set_singleshot(&t, &op, 1000), 0);
	assert_true(timer_vcpu_next_deadline(&t, &d));
	assert_int_equal(d, 5000);
	assert_int_equal(timer_vcpu_expire(&t, 4999), 0);
	assert_int_equal(timer_vcpu_expire(&t, 5000), TIMER_FIRED_SINGLESHOT);
	assert_int_equal(timer_vcpu_expire(&t, 9000), 0); /* once */
	assert_false(timer_vcpu_next_deadline(&t, &d));

	/* VCPU_SSHOTTMR_future refuses the past, allows now. */
	op.flags = VCPU_SSHOTTMR_future;
	op.timeout_abs_ns = 999;
	assert_int_equal(timer_set_singleshot(&t, &op, 1000), -ETIME);
	assert_false(timer_vcpu_next_deadline(&t, &d));
	op.timeout_abs_ns = 1000;
	assert_int_equal(timer_set_singleshot(&t, &op, 1000), 0);
	/* Without the flag the past fires at once. */
	op.flags = 0;
	op.timeout_abs_ns = 10;
	assert_int_equal(timer_set_singleshot(&t, &op, 1000), 0);
	assert_int_equal(timer_vcpu_expire(&t, 1000), TIMER_FIRED_SINGLESHOT);
	/* A deadline with the top bit set is negative for Xen: overdue. */
	op.timeout_abs_ns = 1ull << 63;
	assert_int_equal(timer_set_singleshot(&t, &op, 1000), 0);
	assert_true(timer_vcpu_next_deadline(&t, &d));
	assert_int_equal(d, 0);
	timer_stop_singleshot(&t);
	assert_false(timer_vcpu_next_deadline(&t, &d));
	assert_int_equal(timer_vcpu_expire(&t, UINT64_MAX), 0);
}

static void test_periodic(void **state)
{
	struct timer_vcpu t;
	struct vcpu_set_periodic_timer op = { .period_ns = 999999 };
	struct vcpu_set_singleshot_timer ss = { .timeout_abs_ns = 0 };
	uint64_t d, now = 50 * NS;

	(void)state;
	timer_vcpu_init(&t, TIMER_PV_DEFAULT_PERIOD_NS);
	assert_true(timer_vcpu_next_deadline(&t, &d));
	assert_int_equal(d, TIMER_PV_DEFAULT_PERIOD_NS);
	assert_int_equal(timer_set_periodic(&t, &op), -EINVAL);
	op.period_ns = TIMER_STIME_DELTA_MAX + 1;
	assert_int_equal(timer_set_periodic(&t, &op), -EINVAL);
	op.period_ns = TIMER_PERIOD_MIN_NS;
	assert_int_equal(timer_set_periodic(&t, &op), 0);
	/* Overdue since the last event (none yet): fires at once, as Xen. */
	assert_int_equal(timer_vcpu_expire(&t, now), TIMER_FIRED_PERIODIC);
	assert_true(timer_vcpu_next_deadline(&t, &d));
	assert_int_equal(d, now + TIMER_PERIOD_MIN_NS);
	assert_int_equal(timer_vcpu_expire(&t, now + 999999), 0);
	/* Late by half a period: the next one counts from now. */
	assert_int_equal(timer_vcpu_expire(&t, now + 1500000), TIMER_FIRED_PERIODIC);
	timer_vcpu_next_deadline(&t, &d);
	assert_int_equal(d, now + 2500000);
	/* The earlier of singleshot and periodic. */
	ss.timeout_abs_ns = now + 2000000;
	timer_set_singleshot(&t, &ss, now);
	timer_vcpu_next_deadline(&t, &d);
	assert_int_equal(d, now + 2000000);
	assert_int_equal(timer_vcpu_expire(&t, now + 3000000),
			 TIMER_FIRED_SINGLESHOT | TIMER_FIRED_PERIODIC);
	timer_stop_periodic(&t);
	assert_false(timer_vcpu_next_deadline(&t, &d));
	/* Huge periods do not overflow the deadline. */
	op.period_ns = TIMER_STIME_DELTA_MAX;
	assert_int_equal(timer_set_periodic(&t, &op), 0);
	t.periodic_last = UINT64_MAX - 5;
	assert_true(timer_vcpu_next_deadline(&t, &d));
	assert_int_equal(d, UINT64_MAX);
}

static void test_set_timer_op_and_block(void **state)
{
	struct timer_vcpu t;
	uint64_t d, now = 1000 * NS;

	(void)state;
	timer_vcpu_init(&t, 0);
	assert_int_equal(timer_set_timer_op(&t, now + 5, now), 0);
	timer_vcpu_next_deadline(&t, &d);
	assert_int_equal(d, now + 5);
	assert_int_equal(timer_set_timer_op(&t, 0, now), 0);
	assert_false(timer_vcpu_next_deadline(&t, &d));
	/* Wrapped negative, or more than 2^50 ns out: 100 ms instead. */
	timer_set_timer_op(&t, (uint64_t)-5, now);
	timer_vcpu_next_deadline(&t, &d);
	assert_int_equal(d, now + 100000000ull);
	timer_set_timer_op(&t, now + (1ull << 50) + 1, now);
	timer_vcpu_next_deadline(&t, &d);
	assert_int_equal(d, now + 100000000ull);
	timer_set_timer_op(&t, now + (1ull << 50) - 1, now);
	timer_vcpu_next_deadline(&t, &d);
	assert_int_equal(d, now + (1ull << 50) - 1);
	/* In the past: fires at once. */
	timer_set_timer_op(&t, now - 1, now);
	assert_int_equal(timer_vcpu_expire(&t, now), TIMER_FIRED_SINGLESHOT);

	/* SCHEDOP_block / poll: the earliest of timers and poll timeout. */
	assert_false(timer_block_deadline(&t, 0, &d));
	assert_true(timer_block_deadline(&t, now + 7, &d));
	assert_int_equal(d, now + 7);
	timer_set_timer_op(&t, now + 3, now);
	assert_true(timer_block_deadline(&t, now + 7, &d));
	assert_int_equal(d, now + 3);
	assert_true(timer_block_deadline(&t, now + 1, &d));
	assert_int_equal(d, now + 1);
	assert_true(timer_block_deadline(&t, 1ull << 63, &d));
	assert_int_equal(d, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_known_values),
		cmocka_unit_test(test_scale_against_128bit),
		cmocka_unit_test(test_time_info_record),
		cmocka_unit_test(test_monotonic_pause_unpause),
		cmocka_unit_test(test_wallclock),
		cmocka_unit_test(test_singleshot),
		cmocka_unit_test(test_periodic),
		cmocka_unit_test(test_set_timer_op_and_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
