/*
 * Guest time and timers wired into xenhv (issue 5), over the pure module
 * timer.c: each domain's clock, each vCPU's timers and the timerfd behind
 * them, the hypercalls (VCPUOP_*_timer, set_timer_op), the wake deadline
 * of SCHEDOP_block/poll, and publishing vcpu_time_info and the wallclock
 * into guest memory.  A timer thread of xenhv waits on every timerfd.
 *
 * Everything here runs with hv->lock held unless said otherwise.
 */
#ifndef XENHV_TIMER_HV_H
#define XENHV_TIMER_HV_H

#include <stdint.h>

#include "hypercall.h"
#include "xenhv.h"

struct hv_timers;
struct hv_timer_domain;
struct hv_timer_vcpu;

/* hv_init: failure leaves hv->timers NULL (no timers, -ENOSYS to guests). */
int hv_timers_init(struct xenhv *hv);
/* hv_dispose, after the domains are gone; called WITHOUT hv->lock. */
void hv_timers_dispose(struct xenhv *hv);

/* A domain's clock: system time 0 is its creation.  Destroy is idempotent. */
int domain_timer_create(struct domain *d);
void domain_timer_destroy(struct domain *d);
/* The domain's system time now (ns since its creation); 0 without a clock. */
uint64_t domain_timer_now(struct domain *d);
/* shared_info mapped: the wallclock and every vCPU's vcpu_time_info. */
void domain_timer_publish(struct domain *d);
/*
 * After a restore or migration (nothing calls it yet): the domain's system
 * time continues from system_time, the value domain_timer_now() gave when
 * it was saved, and its records are republished.
 */
void domain_timer_restore(struct domain *d, uint64_t system_time);
/* XEN_DOMCTL_settimeoffset: the wallclock moves by seconds. */
int domain_timer_set_offset(struct domain *d, int64_t seconds);

/* A vCPU's timers and timerfd.  Destroy is idempotent. */
int vcpu_timer_create(struct vcpu *v);
void vcpu_timer_destroy(struct vcpu *v);
/* The vCPU's vcpu_time_info, written where its vcpu_info is now. */
void vcpu_timer_publish(struct vcpu *v);
/* The vCPU goes back into the guest after being blocked, paused or down. */
void vcpu_timer_schedule_in(struct vcpu *v);
/*
 * v just blocked (SCHEDOP_block, HLT, SCHEDOP_poll with its timeout, 0
 * for none): it is woken at its earliest timer or the timeout at the
 * latest, even when no event reaches it.
 */
void vcpu_timer_block(struct vcpu *v, uint64_t poll_timeout);

/* VCPUOP_{set,stop}_{singleshot,periodic}_timer on v, asked by ctx->vcpu. */
int64_t vcpu_op_timer(struct hc_ctx *ctx, struct vcpu *v, unsigned int cmd, uint64_t arg);
/* __HYPERVISOR_set_timer_op (15): the caller's singleshot timer. */
int64_t do_set_timer_op(struct hc_ctx *ctx, const uint64_t *args);

#endif
