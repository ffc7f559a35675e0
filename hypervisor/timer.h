/*
 * Guest time of xenhv as Xen keeps it: the pvclock record vcpu_time_info
 * (system time in ns at a TSC stamp, and the TSC-to-ns scale), the
 * wallclock in shared_info, and the per-vCPU timers of VCPUOP_*_timer,
 * set_timer_op and SCHEDOP_block/poll.
 *
 * Pure functions over plain numbers: the caller samples its clocks (a
 * monotonic host clock, the realtime clock, the guest TSC) and owns the
 * timerfds; nothing here reads a clock or sleeps.  Callers serialise access
 * to one struct timer_clock / timer_vcpu (xenhv holds hv->lock).
 */
#ifndef XENHV_TIMER_H
#define XENHV_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/vcpu.h>
#include <xen/xen.h>

#define TIMER_NS_PER_SEC 1000000000ull
/* Xen: a periodic timer below 1 ms or above STIME_DELTA_MAX is -EINVAL. */
#define TIMER_PERIOD_MIN_NS 1000000ull
#define TIMER_STIME_DELTA_MAX (UINT64_MAX >> 2)
/* The 100 Hz periodic timer Xen starts for each PV vCPU. */
#define TIMER_PV_DEFAULT_PERIOD_NS 10000000ull

/* Xen's struct time_scale: ns = ((ticks << shift) * mul) >> 32. */
struct timer_scale {
	uint32_t mul;
	int8_t shift;
};

/* Xen's set_time_scale(); -EINVAL for 0 Hz. */
int timer_scale_from_hz(uint64_t hz, struct timer_scale *s);
/* pvclock_scale_delta(): what a guest computes from a scale. */
uint64_t timer_scale_delta(uint64_t ticks, const struct timer_scale *s);
/* The guest's reading of a record at TSC value tsc (Linux's pvclock). */
uint64_t timer_pvclock_read(const struct vcpu_time_info *t, uint64_t tsc);

/*
 * A domain's clock.  System time is ns since the domain's start, derived
 * from the host's monotonic clock: it keeps running while the domain is
 * paused, as on Xen, and never goes back: every value handed out is at
 * least the last one published.
 */
struct timer_clock {
	uint64_t tsc_hz; /* guest TSC frequency (KVM_GET_TSC_KHZ * 1000) */
	struct timer_scale scale;
	uint8_t flags; /* XEN_PVCLOCK_* published in every record */
	/* Host monotonic ns at system time 0; negative after a restore onto
	 * a host that booted more recently than the domain started. */
	int64_t host_ns_at_zero;
	int64_t time_offset_s; /* XEN_DOMCTL_settimeoffset */
	uint64_t last_published; /* highest system_time in a record */
};

/* System time starts at 0 now (host_ns); -EINVAL for 0 Hz. */
int timer_clock_init(struct timer_clock *c, uint64_t tsc_hz, uint64_t host_ns);
/*
 * After a restore or migration: system time continues from system_time at
 * host_ns on this host (its monotonic clock has another origin).
 */
void timer_clock_restore(struct timer_clock *c, uint64_t host_ns, uint64_t system_time);
uint64_t timer_clock_now(const struct timer_clock *c, uint64_t host_ns);
/* Host monotonic ns of a system time (timerfd deadlines), saturating. */
uint64_t timer_clock_to_host_ns(const struct timer_clock *c, uint64_t system_time);

/*
 * The record for a guest whose TSC read guest_tsc at host time host_ns.
 * out->version is left 0: timer_time_info_publish() owns it.
 */
void timer_time_info_compute(struct timer_clock *c, uint64_t host_ns, uint64_t guest_tsc,
			     struct vcpu_time_info *out);
/*
 * Write a record into guest memory with Xen's protocol: version made odd
 * ((v + 1) | 1, from the value read once), fields, version + 1 (even).
 */
void timer_time_info_publish(volatile struct vcpu_time_info *guest,
			     const struct vcpu_time_info *src);
/*
 * Wallclock at system time 0 (wc_sec, wc_nsec, wc_sec_hi) from a realtime
 * sample taken with host_ns, plus the domain's time offset, written with
 * the same protocol on wc_version.
 */
void timer_wallclock_compute(const struct timer_clock *c, uint64_t realtime_ns, uint64_t host_ns,
			     uint64_t *sec, uint32_t *nsec);
void timer_wallclock_publish(volatile struct shared_info *si, uint64_t sec, uint32_t nsec);

/*
 * One vCPU's timers, in system time.  After any change call
 * timer_vcpu_expire() and re-arm the timerfd at timer_vcpu_next_deadline():
 * Xen fires an overdue timer at once.  Each fired timer is one
 * VIRQ_TIMER (evtchn_send_vcpu_virq()).
 */
struct timer_vcpu {
	bool singleshot_armed;
	uint64_t singleshot; /* deadline */
	uint64_t period; /* 0: periodic timer off */
	uint64_t periodic_last; /* Xen's periodic_last_event */
};

#define TIMER_FIRED_SINGLESHOT (1u << 0)
#define TIMER_FIRED_PERIODIC (1u << 1)

void timer_vcpu_init(struct timer_vcpu *t, uint64_t period);
/* VCPUOP_set_singleshot_timer: -ETIME if VCPU_SSHOTTMR_future and past. */
int timer_set_singleshot(struct timer_vcpu *t, const struct vcpu_set_singleshot_timer *op,
			 uint64_t now);
void timer_stop_singleshot(struct timer_vcpu *t);
/* VCPUOP_set_periodic_timer: -EINVAL below 1 ms or above the maximum. */
int timer_set_periodic(struct timer_vcpu *t, const struct vcpu_set_periodic_timer *op);
void timer_stop_periodic(struct timer_vcpu *t);
/* The legacy set_timer_op(timeout): 0 stops, Xen's workaround for huge values. */
int timer_set_timer_op(struct timer_vcpu *t, uint64_t timeout, uint64_t now);
/* TIMER_FIRED_* of the timers due at now; fired timers are re-armed/cleared. */
unsigned int timer_vcpu_expire(struct timer_vcpu *t, uint64_t now);
/* The earliest armed deadline; false if none. */
bool timer_vcpu_next_deadline(const struct timer_vcpu *t, uint64_t *deadline);
/* SCHEDOP_block / SCHEDOP_poll (timeout 0: none): when to wake at the latest. */
bool timer_block_deadline(const struct timer_vcpu *t, uint64_t poll_timeout, uint64_t *deadline);

#endif
