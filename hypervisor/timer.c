/*
 * Guest time (see timer.h for the interface).
 *
 * Design
 * - Scale: Xen's set_time_scale() normalises the TSC frequency into
 *   (1 GHz, 2 GHz] by halving or doubling (shift), then mul is
 *   2^32 * 1e9 / normalised Hz, so that a guest computes
 *   ns = (((tsc - tsc_timestamp) << shift) * mul) >> 32 with one
 *   multiplication (Linux's pvclock_scale_delta()).
 * - A record pairs a guest TSC reading with the system time sampled at the
 *   same moment; published system times never decrease, so a domain's time
 *   is monotonic across pause and unpause (the host clock and the guest TSC
 *   keep running, as on Xen) and across restore (timer_clock_restore()).
 * - Records and the wallclock live in guest memory: the version word is
 *   read once and the new value derived from it as Xen's
 *   version_update_begin/end do, so a guest scribbling on it only confuses
 *   itself.
 * - Timers follow xen/common/sched/core.c and domain.c: a singleshot
 *   deadline fires once; the periodic timer fires when now >= last +
 *   period and then restarts from now (not from the old deadline); a
 *   deadline with the top bit set is in the past for Xen's signed s_time_t
 *   and fires at once.
 */
#include <errno.h>

#include "timer.h"

int timer_scale_from_hz(uint64_t hz, struct timer_scale *s)
{
	uint64_t tps64 = hz;
	uint32_t tps32;
	int shift = 0;

	if (!hz)
		return -EINVAL;
	while (tps64 > TIMER_NS_PER_SEC * 2) {
		tps64 >>= 1;
		shift--;
	}
	tps32 = (uint32_t)tps64;
	while (tps32 <= (uint32_t)TIMER_NS_PER_SEC) {
		tps32 <<= 1;
		shift++;
	}
	/* Xen's div_frac(): 1e9 < tps32, so the quotient fits 32 bits. */
	s->mul = (uint32_t)((TIMER_NS_PER_SEC << 32) / tps32);
	s->shift = (int8_t)shift;
	return 0;
}

uint64_t timer_scale_delta(uint64_t ticks, const struct timer_scale *s)
{
	if (s->shift < 0)
		ticks >>= -s->shift;
	else
		ticks <<= s->shift;
	return (uint64_t)(((unsigned __int128)ticks * s->mul) >> 32);
}

uint64_t timer_pvclock_read(const struct vcpu_time_info *t, uint64_t tsc)
{
	struct timer_scale s = { .mul = t->tsc_to_system_mul, .shift = t->tsc_shift };

	return t->system_time + timer_scale_delta(tsc - t->tsc_timestamp, &s);
}

int timer_clock_init(struct timer_clock *c, uint64_t tsc_hz, uint64_t host_ns)
{
	struct timer_scale s;
	int rc = timer_scale_from_hz(tsc_hz, &s);

	if (rc)
		return rc;
	c->tsc_hz = tsc_hz;
	c->scale = s;
	c->flags = 0; /* TSC_STABLE off: guests guard monotonicity themselves */
	c->host_ns_at_zero = (int64_t)host_ns;
	c->time_offset_s = 0;
	c->last_published = 0;
	return 0;
}

void timer_clock_restore(struct timer_clock *c, uint64_t host_ns, uint64_t system_time)
{
	__int128 zero = (__int128)host_ns - system_time;

	/* Clamped: absurd saved times must not overflow later sums. */
	if (zero < -(__int128)INT64_MAX)
		zero = -(__int128)INT64_MAX;
	if (zero > INT64_MAX)
		zero = INT64_MAX;
	c->host_ns_at_zero = (int64_t)zero;
	if (system_time > c->last_published)
		c->last_published = system_time;
}

uint64_t timer_clock_now(const struct timer_clock *c, uint64_t host_ns)
{
	__int128 sys = (__int128)host_ns - c->host_ns_at_zero;
	uint64_t now = sys < 0 ? 0 : sys > UINT64_MAX ? UINT64_MAX : (uint64_t)sys;

	return now > c->last_published ? now : c->last_published;
}

uint64_t timer_clock_to_host_ns(const struct timer_clock *c, uint64_t system_time)
{
	__int128 host = (__int128)system_time + c->host_ns_at_zero;

	return host < 0 ? 0 : host > UINT64_MAX ? UINT64_MAX : (uint64_t)host;
}

void timer_time_info_compute(struct timer_clock *c, uint64_t host_ns, uint64_t guest_tsc,
			     struct vcpu_time_info *out)
{
	uint64_t now = timer_clock_now(c, host_ns);

	out->version = 0;
	out->pad0 = 0;
	out->tsc_timestamp = guest_tsc;
	out->system_time = now;
	out->tsc_to_system_mul = c->scale.mul;
	out->tsc_shift = c->scale.shift;
	out->flags = c->flags;
	out->pad1[0] = out->pad1[1] = 0;
	c->last_published = now;
}

/* Xen's version_update_begin/end. */
static uint32_t version_begin(uint32_t v)
{
	return (v + 1) | 1;
}

static uint32_t version_end(uint32_t v)
{
	return v + 1;
}

void timer_time_info_publish(volatile struct vcpu_time_info *guest,
			     const struct vcpu_time_info *src)
{
	uint32_t v = version_begin(guest->version);

	guest->version = v;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	guest->tsc_timestamp = src->tsc_timestamp;
	guest->system_time = src->system_time;
	guest->tsc_to_system_mul = src->tsc_to_system_mul;
	guest->tsc_shift = src->tsc_shift;
	guest->flags = src->flags;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* From our own odd value: the guest cannot make us publish odd. */
	guest->version = version_end(v);
}

void timer_wallclock_compute(const struct timer_clock *c, uint64_t realtime_ns, uint64_t host_ns,
			     uint64_t *sec, uint32_t *nsec)
{
	uint64_t sys = timer_clock_now(c, host_ns);
	__int128 boot_ns;

	/* Wall time of system time 0, then the domain's offset. */
	boot_ns = (__int128)realtime_ns - sys + (__int128)c->time_offset_s * TIMER_NS_PER_SEC;
	if (boot_ns < 0)
		boot_ns = 0;
	*sec = (uint64_t)(boot_ns / TIMER_NS_PER_SEC);
	*nsec = (uint32_t)(boot_ns % TIMER_NS_PER_SEC);
}

void timer_wallclock_publish(volatile struct shared_info *si, uint64_t sec, uint32_t nsec)
{
	uint32_t v = version_begin(si->wc_version);

	si->wc_version = v;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	si->wc_sec = (uint32_t)sec;
	si->wc_nsec = nsec;
	si->wc_sec_hi = (uint32_t)(sec >> 32);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	si->wc_version = version_end(v);
}

void timer_vcpu_init(struct timer_vcpu *t, uint64_t period)
{
	t->singleshot_armed = false;
	t->singleshot = 0;
	t->period = period;
	t->periodic_last = 0;
}

/* Xen's timers take a signed s_time_t: a negative deadline is overdue. */
static uint64_t deadline_of(uint64_t abs_ns)
{
	return (int64_t)abs_ns < 0 ? 0 : abs_ns;
}

int timer_set_singleshot(struct timer_vcpu *t, const struct vcpu_set_singleshot_timer *op,
			 uint64_t now)
{
	if ((op->flags & VCPU_SSHOTTMR_future) && op->timeout_abs_ns < now)
		return -ETIME;
	t->singleshot = deadline_of(op->timeout_abs_ns);
	t->singleshot_armed = true;
	return 0;
}

void timer_stop_singleshot(struct timer_vcpu *t)
{
	t->singleshot_armed = false;
}

int timer_set_periodic(struct timer_vcpu *t, const struct vcpu_set_periodic_timer *op)
{
	if (op->period_ns < TIMER_PERIOD_MIN_NS || op->period_ns > TIMER_STIME_DELTA_MAX)
		return -EINVAL;
	t->period = op->period_ns;
	return 0;
}

void timer_stop_periodic(struct timer_vcpu *t)
{
	t->period = 0;
}

int timer_set_timer_op(struct timer_vcpu *t, uint64_t timeout, uint64_t now)
{
	int64_t offset = (int64_t)(timeout - now);

	if (!timeout) {
		t->singleshot_armed = false;
	} else if ((int64_t)timeout < 0 || (offset > 0 && (uint32_t)(offset >> 50) != 0)) {
		/*
		 * Xen's workaround for Linux's jiffies wrap: a timeout wrapped
		 * negative or ~13 days out fires in 100 ms instead.
		 */
		t->singleshot = now + 100000000ull;
		t->singleshot_armed = true;
	} else {
		t->singleshot = timeout;
		t->singleshot_armed = true;
	}
	return 0;
}

static uint64_t periodic_next(const struct timer_vcpu *t)
{
	if (t->periodic_last > UINT64_MAX - t->period)
		return UINT64_MAX;
	return t->periodic_last + t->period;
}

unsigned int timer_vcpu_expire(struct timer_vcpu *t, uint64_t now)
{
	unsigned int fired = 0;

	if (t->singleshot_armed && t->singleshot <= now) {
		t->singleshot_armed = false;
		fired |= TIMER_FIRED_SINGLESHOT;
	}
	if (t->period && now >= periodic_next(t)) {
		t->periodic_last = now;
		fired |= TIMER_FIRED_PERIODIC;
	}
	return fired;
}

bool timer_vcpu_next_deadline(const struct timer_vcpu *t, uint64_t *deadline)
{
	bool any = false;
	uint64_t d = UINT64_MAX;

	if (t->singleshot_armed) {
		d = t->singleshot;
		any = true;
	}
	if (t->period) {
		uint64_t p = periodic_next(t);

		if (!any || p < d)
			d = p;
		any = true;
	}
	if (any)
		*deadline = d;
	return any;
}

bool timer_block_deadline(const struct timer_vcpu *t, uint64_t poll_timeout, uint64_t *deadline)
{
	uint64_t d;
	bool any = timer_vcpu_next_deadline(t, &d);

	if (poll_timeout) {
		poll_timeout = deadline_of(poll_timeout);
		if (!any || poll_timeout < d)
			d = poll_timeout;
		any = true;
	}
	if (any)
		*deadline = d;
	return any;
}
