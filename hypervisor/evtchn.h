/*
 * Event channels of xenhv, Xen's 2-level ABI: a port table per domain, the
 * EVTCHNOP_* operations with Xen's argument structures and -errno results,
 * and delivery through the pending/mask bitmaps of shared_info and the
 * selector and upcall flag of each vcpu_info.
 *
 * Pure logic: no KVM, no sockets.  What delivery needs from the rest of
 * xenhv goes through struct evtchn_ops (kick a vCPU, notify a host port).
 * Every function takes the module's own lock; callbacks run with it held and
 * must not call back into this module.  xenhv calls in with hv->lock held,
 * so the lock order is hv->lock, then the event channel lock.
 */
#ifndef XENHV_EVTCHN_H
#define XENHV_EVTCHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/event_channel.h>
#include <xen/xen.h>

/* 2-level ABI for 64-bit guests: 64 selector bits x 64-bit words. */
#define EVTCHN_2L_NR_PORTS (sizeof(xen_ulong_t) * 8 * sizeof(xen_ulong_t) * 8)
/* Ports become valid in buckets, as Xen allocates struct evtchn (64 B each). */
#define EVTCHN_BUCKET_PORTS 64
/* libxl's default max_event_channels (1023): highest port of a guest. */
#define EVTCHN_DEFAULT_MAX_PORT 1023
/* Xen's EVTCHN_FIFO_LINK_BITS, reported by init_control. */
#define EVTCHN_FIFO_LINK_BITS 17
/* sizeof(evtchn_fifo_control_block_t): ready, rsvd, head[16]. */
#define EVTCHN_FIFO_CONTROL_BLOCK_SIZE 72
/* The first arch VIRQ (VIRQ_ARCH_0); arch VIRQs are global on x86. */
#define EVTCHN_VIRQ_ARCH_0 16

struct evtchn_host;
struct evtchn_domain;

struct evtchn_ops {
	/*
	 * vcpu's evtchn_upcall_pending went from 0 to 1: inject the callback
	 * (vector for PVH, bounce for PV) or wake the vCPU if it is blocked.
	 */
	void (*vcpu_kick)(void *opaque, struct evtchn_domain *d, uint32_t vcpu);
	/* An event for a port of a host domain (domain 0): its eventfd. */
	void (*host_notify)(void *opaque, struct evtchn_domain *d, evtchn_port_t port);
	/* Optional: port became pending, masked or not (SCHEDOP_poll). */
	void (*port_pending)(void *opaque, struct evtchn_domain *d, evtchn_port_t port);
	/* Optional: whether the controller paused d (EVTCHNOP_reset rule). */
	bool (*domain_paused)(void *opaque, struct evtchn_domain *d);
};

struct evtchn_domain_config {
	domid_t domid;
	uint32_t nr_vcpus; /* >= 1; give the host domain 1 */
	/* Highest usable port (Xen's max_evtchn_port), clamped to the ABI's
	 * limit; 0: EVTCHN_DEFAULT_MAX_PORT. */
	uint32_t max_port;
	bool privileged; /* may name other domains (domain 0) */
	/*
	 * A host domain has no shared_info: its ports are served by host
	 * processes and every event on them goes to ops->host_notify.
	 */
	bool host;
	void *owner; /* the caller's domain, see evtchn_domain_owner() */
};

struct evtchn_host *evtchn_host_create(const struct evtchn_ops *ops, void *opaque);
/* Destroys every domain still registered. */
void evtchn_host_destroy(struct evtchn_host *h);

/* -EEXIST if domid is taken, -EINVAL for a bad config, -ENOMEM. */
int evtchn_domain_create(struct evtchn_host *h, const struct evtchn_domain_config *cfg,
			 struct evtchn_domain **out);
/*
 * Domain teardown: every port is closed as EVTCHNOP_close would, so the
 * peers' interdomain ends become unbound to this domain id, as on Xen.
 */
void evtchn_domain_destroy(struct evtchn_domain *d);
struct evtchn_domain *evtchn_domain_lookup(struct evtchn_host *h, domid_t domid);
void *evtchn_domain_owner(const struct evtchn_domain *d);
domid_t evtchn_domain_id(const struct evtchn_domain *d);

/*
 * Guest memory the 2-level ABI lives in.  Until a shared_info is set, the
 * module keeps a private page; setting one carries pending bits over and
 * marks every selector pending (a spurious upcall is harmless, a lost one
 * is not).  NULL goes back to the private page.  The page is hostile: it is
 * only touched with atomic operations and no value read back is trusted.
 */
void evtchn_domain_set_shared_info(struct evtchn_domain *d, struct shared_info *si);
/*
 * VCPUOP_register_vcpu_info: vcpu's vcpu_info moves to vi (NULL: back to
 * shared_info's slot, or a private one for vCPUs >= 32).  The caller first
 * copies the old contents there (evtchn_vcpu_info() tells where they are),
 * as Xen's map_vcpu_info does; then all selector bits and the upcall flag
 * are set and the vCPU is kicked, so no event is lost in the move.
 */
int evtchn_vcpu_set_info(struct evtchn_domain *d, uint32_t vcpu, struct vcpu_info *vi);

/*
 * Where vcpu's vcpu_info is now (registered area, shared_info slot, or a
 * private one): where the timer code publishes vcpu_time_info.  NULL for
 * a host domain or a bad vcpu.
 */
struct vcpu_info *evtchn_vcpu_info(struct evtchn_domain *d, uint32_t vcpu);

/* EVTCHNOP_* with Xen's structures; 0 or -errno, outputs in *op. */
int evtchn_alloc_unbound(struct evtchn_domain *caller, struct evtchn_alloc_unbound *op);
int evtchn_bind_interdomain(struct evtchn_domain *caller, struct evtchn_bind_interdomain *op);
int evtchn_bind_virq(struct evtchn_domain *caller, struct evtchn_bind_virq *op);
int evtchn_bind_ipi(struct evtchn_domain *caller, struct evtchn_bind_ipi *op);
int evtchn_close(struct evtchn_domain *caller, const struct evtchn_close *op);
int evtchn_send(struct evtchn_domain *caller, const struct evtchn_send *op);
int evtchn_status(struct evtchn_domain *caller, struct evtchn_status *op);
int evtchn_bind_vcpu(struct evtchn_domain *caller, const struct evtchn_bind_vcpu *op);
int evtchn_unmask(struct evtchn_domain *caller, const struct evtchn_unmask *op);
int evtchn_reset(struct evtchn_domain *caller, const struct evtchn_reset *op);
/* FIFO ABI not provided: -ENOSYS for a valid request, Xen's errors else. */
int evtchn_init_control(struct evtchn_domain *caller, struct evtchn_init_control *op);

/*
 * The whole event_channel_op for a dispatcher: evtchn_op_size() gives the
 * bytes to copy in for cmd (0: unknown cmd, answer -ENOSYS) and whether the
 * structure goes back to the caller when evtchn_do_op() returns 0.
 */
size_t evtchn_op_size(unsigned int cmd, bool *copy_back);
int evtchn_do_op(struct evtchn_domain *caller, unsigned int cmd, void *arg);

/* Raising events from xenhv itself. */
void evtchn_send_vcpu_virq(struct evtchn_domain *d, uint32_t vcpu, uint32_t virq);
void evtchn_send_global_virq(struct evtchn_domain *d, uint32_t virq);
/* VIRQ_DOM_EXC to its handler (domain 0 unless set): a domain died or shut down. */
void evtchn_raise_dom_exc(struct evtchn_host *h);
/* XEN_DOMCTL_set_virq_handler: which domain gets a global VIRQ. */
int evtchn_set_global_virq_handler(struct evtchn_host *h, uint32_t virq, domid_t domid);
bool evtchn_virq_is_global(uint32_t virq);

/* For SCHEDOP_poll / SCHEDOP_block: state read from the shared pages. */
bool evtchn_port_is_pending(struct evtchn_domain *d, evtchn_port_t port);
/* evtchn_upcall_pending && !evtchn_upcall_mask of vcpu. */
bool evtchn_vcpu_events_pending(struct evtchn_domain *d, uint32_t vcpu);
/* The port bound to virq on vcpu, 0 if none (VIRQ_TIMER users check it). */
evtchn_port_t evtchn_virq_port(struct evtchn_domain *d, uint32_t vcpu, uint32_t virq);

#endif
