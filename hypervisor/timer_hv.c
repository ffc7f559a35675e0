/*
 * Guest time and timers in xenhv (see timer_hv.h), over timer.c.
 *
 * Design
 * - One timer thread per xenhv waits in epoll on a CLOCK_MONOTONIC timerfd
 *   per vCPU (armed at an absolute host time: the vCPU's earliest timer or
 *   wake deadline), a 1 s timerfd that republishes time, and an eventfd
 *   that stops it.  It takes hv->lock for each batch of events, as every
 *   other path does, so timers, hypercalls and domain teardown never race.
 *   A dedicated thread keeps timer latency away from the main loop's
 *   privcmd traffic; it starts with the first domain.
 * - epoll carries (domid, vCPU id), never a pointer: an event already
 *   returned by epoll_wait may belong to a vCPU destroyed while the
 *   thread waited for the lock.  The lookup then finds nothing, or a new
 *   vCPU whose timers are merely re-checked (harmless).
 * - A fired timer is one VIRQ_TIMER to the vCPU (evtchn_send_vcpu_virq),
 *   whose delivery wakes it if blocked.  A blocked vCPU is also woken at
 *   its block deadline (timer or SCHEDOP_poll timeout) when no event
 *   reaches it (VIRQ_TIMER unbound or masked): Xen allows spurious wakes,
 *   never missed ones.
 * - Guest TSC for vcpu_time_info comes from the backend's vcpu_read_tsc
 *   (host TSC plus KVM's offset: readable while the vCPU runs, without
 *   the vCPU ioctl lock).  Records are written where the vCPU's vcpu_info
 *   is now (evtchn_vcpu_info), on shared_info mapping and vcpu_info
 *   registration, on schedule-in, with each timer event and every second
 *   (the host's monotonic clock is NTP-slewed; the TSC is not).
 * - The domains' clocks run on CLOCK_MONOTONIC_RAW, the host's TSC
 *   without NTP's slewing, so that each second's new record continues the
 *   guest's TSC extrapolation of the old one (CLOCK_MONOTONIC could step
 *   a guest's time back, or fire its timers early, by what NTP slewed in
 *   between).  timerfds know only CLOCK_MONOTONIC: deadlines are
 *   converted when armed; a few ns of slew between arming and firing at
 *   worst costs one more wake-up, never an early timer.
 * - Pause needs nothing: system time and the guest TSC keep running, as
 *   on Xen, and timers due while paused leave their VIRQ pending.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <xen/vcpu.h>
#include <xen/xen.h>

#include "domain.h"
#include "evtchn.h"
#include "timer.h"
#include "timer_hv.h"

#define TIMER_KEY_STOP UINT64_MAX
#define TIMER_KEY_TICK (UINT64_MAX - 1)
#define TIMER_REPUBLISH_NS TIMER_NS_PER_SEC
/* The TSC rate assumed when the backend has none (the unit tests' fake). */
#define TIMER_DEFAULT_TSC_HZ TIMER_NS_PER_SEC

struct hv_timers {
	struct xenhv *hv;
	int epoll_fd;
	int stop_fd; /* eventfd: the thread exits */
	int tick_fd; /* timerfd: republish every second */
	unsigned int nr_domains; /* with a clock: the tick runs while > 0 */
	pthread_t thread;
	bool started;
};

struct hv_timer_domain {
	struct timer_clock clock;
};

struct hv_timer_vcpu {
	struct timer_vcpu timers;
	int fd; /* timerfd, CLOCK_MONOTONIC, absolute */
	uint64_t armed_host_ns; /* its deadline (CLOCK_MONOTONIC_RAW), 0: none */
	bool block_armed; /* wake the blocked vCPU at block_deadline */
	uint64_t block_deadline; /* system time */
};

static uint64_t timer_key(const struct vcpu *v)
{
	return ((uint64_t)v->domain->domid << 32) | v->id;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * TIMER_NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

static uint64_t guest_clock_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC_RAW);
}

/* A CLOCK_MONOTONIC_RAW time as CLOCK_MONOTONIC, for timerfds. */
static uint64_t guest_clock_to_monotonic(uint64_t raw)
{
	uint64_t mono = clock_ns(CLOCK_MONOTONIC), now = guest_clock_ns();

	if (raw < now)
		return mono > now - raw ? mono - (now - raw) : 1; /* past: at once */
	return raw - now <= UINT64_MAX - mono ? mono + (raw - now) : UINT64_MAX;
}

static uint64_t realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

static int timerfd_arm_abs(int fd, uint64_t host_ns)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = (time_t)(host_ns / TIMER_NS_PER_SEC);
	its.it_value.tv_nsec = (long)(host_ns % TIMER_NS_PER_SEC);
	return timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL) < 0 ? -errno : 0;
}

/* The guest's TSC now, sampled with the host time it pairs with. */
static uint64_t vcpu_sample_tsc(struct vcpu *v, const struct timer_clock *c, uint64_t *host_ns)
{
	const struct hv_backend_ops *ops = v->domain->hv->ops;
	uint64_t tsc;

	if (ops->vcpu_read_tsc && ops->vcpu_read_tsc(v, &tsc) == 0) {
		*host_ns = guest_clock_ns();
		return tsc;
	}
	/* No guest TSC to read: a TSC that runs with the host clock. */
	*host_ns = guest_clock_ns();
	return (uint64_t)((unsigned __int128)*host_ns * c->tsc_hz / TIMER_NS_PER_SEC);
}

/*
 * Whether the guest frame under p is still there: a guest may give back
 * the frame of its vcpu_info, and writing into the hole would populate it
 * again behind the pool's back.  Not guest RAM: the event channel
 * module's own page.
 */
static bool guest_page_present(const struct domain *d, const void *p)
{
	const uint8_t *base = d->mem.base, *q = p;
	uint64_t size = d->mem.gfn_limit << XENHV_PAGE_SHIFT;

	if (!base || base == MAP_FAILED || q < base || (uint64_t)(q - base) >= size)
		return true;
	return memory_gfn_populated(&d->mem, (uint64_t)(q - base) >> XENHV_PAGE_SHIFT);
}

void vcpu_timer_publish(struct vcpu *v)
{
	struct domain *d = v->domain;
	struct vcpu_time_info rec;
	struct vcpu_info *vi;
	uint64_t host_ns, tsc;

	if (!d->timer || !d->evtchn)
		return;
	vi = evtchn_vcpu_info(d->evtchn, v->id);
	if (!vi || !guest_page_present(d, &vi->time) ||
	    !guest_page_present(d, (const uint8_t *)(&vi->time + 1) - 1))
		return;
	tsc = vcpu_sample_tsc(v, &d->timer->clock, &host_ns);
	timer_time_info_compute(&d->timer->clock, host_ns, tsc, &rec);
	timer_time_info_publish(&vi->time, &rec);
}

static void domain_wallclock_publish(struct domain *d)
{
	struct shared_info *si;
	uint64_t sec;
	uint32_t nsec;

	if (!d->timer || !d->shared_info_mapped)
		return;
	si = memory_gpa_ptr(&d->mem, d->shared_info_gfn << XENHV_PAGE_SHIFT, XENHV_PAGE_SIZE);
	if (!si)
		return;
	timer_wallclock_compute(&d->timer->clock, realtime_ns(), guest_clock_ns(), &sec, &nsec);
	timer_wallclock_publish(si, sec, nsec);
}

void domain_timer_publish(struct domain *d)
{
	unsigned int i;

	domain_wallclock_publish(d);
	for (i = 0; d->vcpus && i < d->max_vcpus; i++)
		if (d->vcpus[i])
			vcpu_timer_publish(d->vcpus[i]);
}

/*
 * The heart of it: expire what is due (one VIRQ_TIMER each), wake a
 * blocked vCPU whose deadline passed, re-arm the timerfd at what is next.
 */
static void vcpu_timer_update(struct vcpu *v)
{
	struct domain *d = v->domain;
	struct hv_timer_vcpu *t = v->timer;
	const struct timer_clock *c;
	uint64_t now, next = 0, host_next = 0;
	unsigned int fired;
	bool any;

	if (!t || !d->timer)
		return;
	c = &d->timer->clock;
	now = timer_clock_now(c, guest_clock_ns());
	fired = timer_vcpu_expire(&t->timers, now);
	if (fired && d->evtchn) {
		/* The record first: the guest reads the time when woken. */
		vcpu_timer_publish(v);
		if (fired & TIMER_FIRED_SINGLESHOT)
			evtchn_send_vcpu_virq(d->evtchn, v->id, VIRQ_TIMER);
		if (fired & TIMER_FIRED_PERIODIC)
			evtchn_send_vcpu_virq(d->evtchn, v->id, VIRQ_TIMER);
	}
	if (t->block_armed && (!v->blocked || now >= t->block_deadline)) {
		t->block_armed = false;
		if (v->blocked) {
			v->polling = false;
			vcpu_wake(v);
		}
	}
	any = timer_vcpu_next_deadline(&t->timers, &next);
	if (t->block_armed && (!any || t->block_deadline < next)) {
		next = t->block_deadline;
		any = true;
	}
	if (any) {
		host_next = timer_clock_to_host_ns(c, next);
		if (!host_next)
			host_next = 1; /* 0 would disarm: overdue fires at once */
	}
	if (host_next == t->armed_host_ns)
		return;
	if (timerfd_arm_abs(t->fd, host_next ? guest_clock_to_monotonic(host_next) : 0) == 0)
		t->armed_host_ns = host_next;
	else
		hv_log(d->hv, "domain %u vcpu %u: cannot arm its timer", d->domid, v->id);
}

void vcpu_timer_block(struct vcpu *v, uint64_t poll_timeout)
{
	struct hv_timer_vcpu *t = v->timer;
	uint64_t deadline = 0;

	if (!t || !v->blocked)
		return;
	t->block_armed = timer_block_deadline(&t->timers, poll_timeout, &deadline);
	t->block_deadline = deadline;
	if (t->block_armed)
		vcpu_timer_update(v);
}

void vcpu_timer_schedule_in(struct vcpu *v)
{
	vcpu_timer_publish(v);
}

static void timers_tick(struct xenhv *hv)
{
	unsigned int i;

	for (i = 1; i < XENHV_MAX_DOMAINS; i++)
		if (hv->domains[i] && !hv->domains[i]->dying)
			domain_timer_publish(hv->domains[i]);
}

static void timers_fire(struct xenhv *hv, uint64_t key)
{
	struct domain *d = domain_lookup(hv, (domid_t)(key >> 32));
	struct vcpu *v;
	uint64_t ticks;

	if (!d)
		return;
	v = vcpu_get(d, (unsigned int)(key & 0xffffffffu));
	if (!v || !v->timer)
		return;
	/* Level-triggered: consume the expiry (also when dying), then decide anew. */
	if (read(v->timer->fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		hv_log(hv, "domain %u vcpu %u: timerfd read: %s", d->domid, v->id, strerror(errno));
	v->timer->armed_host_ns = 0;
	if (!d->dying)
		vcpu_timer_update(v);
}

static void *timers_thread(void *arg)
{
	struct hv_timers *ts = arg;
	struct xenhv *hv = ts->hv;
	struct epoll_event evs[32];
	uint64_t val;
	bool stop = false;
	int i, n;

	while (!stop) {
		n = epoll_wait(ts->epoll_fd, evs, 32, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		pthread_mutex_lock(&hv->lock);
		for (i = 0; i < n; i++) {
			uint64_t key = evs[i].data.u64;

			if (key == TIMER_KEY_STOP) {
				stop = true;
			} else if (key == TIMER_KEY_TICK) {
				if (read(ts->tick_fd, &val, sizeof(val)) == sizeof(val))
					timers_tick(hv);
			} else {
				timers_fire(hv, key);
			}
		}
		pthread_mutex_unlock(&hv->lock);
	}
	return NULL;
}

static int timers_start(struct hv_timers *ts)
{
	sigset_t all, old;
	int rc;

	if (ts->started)
		return 0;
	/* Process signals belong to the main loop's signalfd. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&ts->thread, NULL, timers_thread, ts);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	pthread_setname_np(ts->thread, "xenhv-timers");
	ts->started = true;
	return 0;
}

static int timers_watch(struct hv_timers *ts, int fd, uint64_t key)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = key };

	return epoll_ctl(ts->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int hv_timers_init(struct xenhv *hv)
{
	struct hv_timers *ts = calloc(1, sizeof(*ts));
	int rc = -ENOMEM;

	if (!ts)
		return rc;
	ts->hv = hv;
	ts->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	ts->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ts->tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (ts->epoll_fd < 0 || ts->stop_fd < 0 || ts->tick_fd < 0) {
		rc = -errno;
		goto out;
	}
	rc = timers_watch(ts, ts->stop_fd, TIMER_KEY_STOP);
	if (rc)
		goto out;
	rc = timers_watch(ts, ts->tick_fd, TIMER_KEY_TICK);
	if (rc)
		goto out;
	hv->timers = ts;
	return 0;
out:
	if (ts->epoll_fd >= 0)
		close(ts->epoll_fd);
	if (ts->stop_fd >= 0)
		close(ts->stop_fd);
	if (ts->tick_fd >= 0)
		close(ts->tick_fd);
	free(ts);
	hv_log(hv, "no guest timers: %s", strerror(-rc));
	return rc;
}

void hv_timers_dispose(struct xenhv *hv)
{
	struct hv_timers *ts = hv->timers;
	uint64_t one = 1;

	if (!ts)
		return;
	if (ts->started) {
		if (write(ts->stop_fd, &one, sizeof(one)) != sizeof(one))
			hv_log(hv, "cannot stop the timer thread");
		else
			pthread_join(ts->thread, NULL);
	}
	close(ts->epoll_fd);
	close(ts->stop_fd);
	close(ts->tick_fd);
	free(ts);
	hv->timers = NULL;
}

static void timers_tick_arm(struct hv_timers *ts, bool on)
{
	struct itimerspec its = { 0 };

	if (on) {
		its.it_value.tv_sec = TIMER_REPUBLISH_NS / TIMER_NS_PER_SEC;
		its.it_interval = its.it_value;
	}
	timerfd_settime(ts->tick_fd, 0, &its, NULL);
}

int domain_timer_create(struct domain *d)
{
	struct hv_timers *ts = d->hv->timers;
	uint64_t hz = (uint64_t)d->hv->cpu_khz * 1000;
	struct hv_timer_domain *dt;
	int rc;

	if (!ts || d->type == DOMAIN_TYPE_CONTROL)
		return 0;
	rc = timers_start(ts);
	if (rc)
		return rc;
	dt = calloc(1, sizeof(*dt));
	if (!dt)
		return -ENOMEM;
	rc = timer_clock_init(&dt->clock, hz ? hz : TIMER_DEFAULT_TSC_HZ, guest_clock_ns());
	if (rc) {
		free(dt);
		return rc;
	}
	d->timer = dt;
	if (ts->nr_domains++ == 0)
		timers_tick_arm(ts, true);
	return 0;
}

void domain_timer_destroy(struct domain *d)
{
	struct hv_timers *ts = d->hv->timers;

	if (!d->timer)
		return;
	free(d->timer);
	d->timer = NULL;
	if (ts && --ts->nr_domains == 0)
		timers_tick_arm(ts, false);
}

uint64_t domain_timer_now(struct domain *d)
{
	return d->timer ? timer_clock_now(&d->timer->clock, guest_clock_ns()) : 0;
}

void domain_timer_restore(struct domain *d, uint64_t system_time)
{
	unsigned int i;

	if (!d->timer)
		return;
	timer_clock_restore(&d->timer->clock, guest_clock_ns(), system_time);
	domain_timer_publish(d);
	/* The timerfds' host times moved with the clock's origin. */
	for (i = 0; d->vcpus && i < d->max_vcpus; i++) {
		if (!d->vcpus[i] || !d->vcpus[i]->timer)
			continue;
		d->vcpus[i]->timer->armed_host_ns = 0;
		vcpu_timer_update(d->vcpus[i]);
	}
}

int domain_timer_set_offset(struct domain *d, int64_t seconds)
{
	if (!d->timer)
		return 0; /* domain 0, or no timers: nothing shows a wallclock */
	d->timer->clock.time_offset_s = seconds;
	domain_wallclock_publish(d);
	return 0;
}

int vcpu_timer_create(struct vcpu *v)
{
	struct hv_timers *ts = v->domain->hv->timers;
	struct hv_timer_vcpu *t;
	int rc;

	if (!ts || !v->domain->timer)
		return 0;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	/* PVH and HVM vCPUs start without a periodic timer, as on Xen. */
	timer_vcpu_init(&t->timers,
			v->domain->type == DOMAIN_TYPE_PV ? TIMER_PV_DEFAULT_PERIOD_NS : 0);
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->fd < 0) {
		rc = -errno;
		free(t);
		return rc;
	}
	rc = timers_watch(ts, t->fd, timer_key(v));
	if (rc) {
		close(t->fd);
		free(t);
		return rc;
	}
	v->timer = t;
	vcpu_timer_update(v);
	return 0;
}

void vcpu_timer_destroy(struct vcpu *v)
{
	struct hv_timer_vcpu *t = v->timer;

	if (!t)
		return;
	/* Closing removes it from the epoll set (xenhv holds no dup). */
	close(t->fd);
	free(t);
	v->timer = NULL;
}

int64_t vcpu_op_timer(struct hc_ctx *ctx, struct vcpu *v, unsigned int cmd, uint64_t arg)
{
	struct vcpu_set_singleshot_timer single;
	struct vcpu_set_periodic_timer periodic;
	struct hv_timer_vcpu *t = v->timer;
	uint64_t now;
	int rc = 0;

	if (!t || !v->domain->timer)
		return -ENOSYS;
	now = timer_clock_now(&v->domain->timer->clock, guest_clock_ns());
	switch (cmd) {
	case VCPUOP_set_periodic_timer:
		if (copy_from_guest(ctx, &periodic, arg, sizeof(periodic)))
			return -EFAULT;
		rc = timer_set_periodic(&t->timers, &periodic);
		break;
	case VCPUOP_stop_periodic_timer:
		timer_stop_periodic(&t->timers);
		break;
	case VCPUOP_set_singleshot_timer:
		/* Xen: only a vCPU's own singleshot timer. */
		if (v != ctx->vcpu)
			return -EINVAL;
		if (copy_from_guest(ctx, &single, arg, sizeof(single)))
			return -EFAULT;
		rc = timer_set_singleshot(&t->timers, &single, now);
		break;
	case VCPUOP_stop_singleshot_timer:
		if (v != ctx->vcpu)
			return -EINVAL;
		timer_stop_singleshot(&t->timers);
		break;
	default:
		return -ENOSYS;
	}
	if (!rc)
		vcpu_timer_update(v);
	return rc;
}

int64_t do_set_timer_op(struct hc_ctx *ctx, const uint64_t *args)
{
	struct vcpu *v = ctx->vcpu;
	int rc;

	if (!v || !v->timer || !v->domain->timer)
		return -ENOSYS;
	rc = timer_set_timer_op(&v->timer->timers, args[0],
				timer_clock_now(&v->domain->timer->clock, guest_clock_ns()));
	if (!rc)
		vcpu_timer_update(v);
	return rc;
}
