/*
 * Domains and vCPUs: the table, the life cycle (create, pause nesting,
 * shutdown, destroy), vCPU threads and run-state.  No KVM here: every VM
 * operation goes through hv->ops.  All functions need hv->lock held.
 */
#ifndef XENHV_DOMAIN_H
#define XENHV_DOMAIN_H

#include "xenhv.h"

void hv_init(struct xenhv *hv, const struct hv_backend_ops *ops, void *backend,
	     uint64_t pool_pages);
/* Destroys every domain; takes hv->lock itself. */
void hv_dispose(struct xenhv *hv);

/* Domain 0: the host's control plane, no VM. */
int domain_create_control(struct xenhv *hv);
/*
 * Create a domain; domid 0 or >= DOMID_FIRST_RESERVED picks a free one.  It
 * starts paused by the controller, as Xen's domains do.
 */
int domain_create(struct xenhv *hv, domid_t domid, const struct xen_domctl_createdomain *cfg,
		  struct domain **out);
struct domain *domain_lookup(struct xenhv *hv, domid_t domid);
/* Domain by id for a caller: DOMID_SELF means the caller. */
struct domain *domain_lookup_for(struct xenhv *hv, struct domain *caller, domid_t domid);
int domain_set_max_vcpus(struct domain *d, unsigned int max);
int domain_set_max_mem(struct domain *d, uint64_t max_pages);
int domain_populate(struct domain *d, uint64_t gfn, uint64_t nr);
int domain_decrease(struct domain *d, uint64_t gfn, uint64_t nr);
/* Controller pause (XEN_DOMCTL_pausedomain): nested; waits until stopped. */
int domain_pause(struct domain *d);
int domain_unpause(struct domain *d);
/* SCHEDOP_shutdown and friends: vCPUs stop, the toolstack sees the reason. */
int domain_shutdown(struct domain *d, unsigned int reason);
/* Frees every resource; d is gone when this returns.  Drops hv->lock while joining threads. */
int domain_destroy(struct domain *d);
void domain_getinfo(struct domain *d, struct xen_domctl_getdomaininfo *info);
unsigned int domain_count(struct xenhv *hv);

/* vCPUs (vcpu.c). */
struct vcpu *vcpu_get(struct domain *d, unsigned int id);
/* Create vCPU id (backend state, not yet running). */
int vcpu_create(struct domain *d, unsigned int id, struct vcpu **out);
/* map = CPUs [0, nr_cpus), as Xen's "all". */
void vcpu_affinity_fill(uint64_t *map, unsigned int nr_cpus);
/* Either map may be NULL (left as it is); -EINVAL if hard has no host CPU. */
int vcpu_set_affinity(struct vcpu *v, const uint64_t *hard, const uint64_t *soft);
int vcpu_set_hvm_context(struct vcpu *v, const struct vcpu_hvm_context *ctx);
int vcpu_up(struct vcpu *v);
int vcpu_down(struct vcpu *v);
/* Wake a blocked vCPU (an event for it, a timer). */
void vcpu_wake(struct vcpu *v);
/* Make the vCPU leave run() and re-check its state. */
void vcpu_kick(struct vcpu *v);
/* Wait until the vCPU is outside run(); hv->lock is dropped while waiting. */
void vcpu_sync(struct vcpu *v);
void vcpu_stop_thread(struct vcpu *v);
void vcpu_destroy(struct vcpu *v);
void vcpu_runstate_change(struct vcpu *v, int state, uint64_t now);
/* One step of a vCPU: handle an exit (exposed for unit tests). */
int vcpu_handle_exit(struct vcpu *v, const struct vcpu_exit *exit);
/* Whether the vCPU may enter the guest now. */
bool vcpu_runnable(const struct vcpu *v);
/* Block the calling vCPU until woken (SCHEDOP_block, HLT). */
void vcpu_block(struct vcpu *v);

#endif
