/*
 * Event channels wired into xenhv: the event_channel_op hypercall
 * (evtchn_op.c) over the pure module evtchn.c, the hooks domain.c calls
 * over a domain's life, upcall delivery to vCPUs, SCHEDOP_poll, and the
 * host ends of domain 0's ports (evtchn_host.c: eventfds passed over the
 * privcmd socket, see xen/sys/privcmd.h).  Grant tables: gnttab_op.h.
 *
 * Everything here runs with hv->lock held unless said otherwise; the lock
 * order is hv->lock, then the module's own lock.
 */
#ifndef XENHV_EVENTS_H
#define XENHV_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "hypercall.h"
#include "xenhv.h"

struct evtchn_host;
struct hv_hostport;

struct hv_events {
	struct evtchn_host *evtchn;
	/* Domain 0's ports with a host end, by port number (evtchn_host.c). */
	struct hv_hostport **hostports;
	uint32_t nr_hostports;
};

/* hv_init / hv_dispose.  Init failing leaves hv->events NULL: no events. */
int hv_events_init(struct xenhv *hv);
void hv_events_dispose(struct xenhv *hv);

/* A domain's port table; destroy is idempotent. */
int domain_events_create(struct domain *d);
void domain_events_destroy(struct domain *d);
/* VIRQ_DOM_EXC to its handler (domain 0): a domain shut down or died. */
void hv_events_dom_exc(struct xenhv *hv);
/* Whether SCHEDOP_block must not sleep: an upcall is pending and unmasked. */
bool vcpu_events_pending(struct vcpu *v);
/* SCHEDOP_poll: returns at once if a listed port is pending, else blocks. */
int64_t sched_op_poll(struct hc_ctx *ctx, uint64_t arg);
int64_t do_event_channel_op(struct hc_ctx *ctx, const uint64_t *args);
/*
 * HVMOP_set_evtchn_upcall_vector: the vCPU's upcalls arrive as that vector
 * through its local APIC (the guest EOIs it, as Linux's per-vCPU upcall
 * handler does), which also wakes it from HLT.
 */
int64_t hvm_set_upcall_vector(struct hc_ctx *ctx, uint64_t arg);

/*
 * Host ends (evtchn_host.c).  attach takes ownership of fds[0] (xenhv
 * signals it) and fds[1] (xenhv polls it in epoll_fd's loop), and sets
 * them to -1, for domain 0's port, owned by conn from then on.  These
 * three take hv->lock themselves.
 */
int hv_hostport_attach(struct xenhv *hv, int epoll_fd, void *conn, uint32_t port, int fds[2]);
int hv_hostport_detach(struct xenhv *hv, void *conn, uint32_t port);
/* A privcmd connection closed: its ports are closed. */
void hv_hostport_conn_closed(struct xenhv *hv, void *conn);
/* Domain 0 closed port (EVTCHNOP_close): forget its eventfds. */
void hv_hostport_release(struct xenhv *hv, uint32_t port);
/* evtchn's host_notify: signal the port's eventfd, or remember it. */
void hv_hostport_notify(struct xenhv *hv, uint32_t port);
void hv_hostports_dispose(struct xenhv *hv);

#endif
