/*
 * HYPERVISOR_event_channel_op and the event channel life of a domain in
 * xenhv: the hypercall copies Xen's argument structure in from the caller
 * (a guest's virtual memory or a privcmd bounce buffer), runs it through the
 * pure module evtchn.c and copies the result back.  The module's ops are
 * implemented here: a vCPU whose upcall became pending is woken if blocked
 * (and given its callback vector when the backend can inject one), a vCPU
 * in SCHEDOP_poll is woken when a port of its domain becomes pending, and
 * domain 0's ports (host processes) are signalled through eventfds
 * (evtchn_host.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xen/event_channel.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/sched.h>

#include "domain.h"
#include "events.h"
#include "evtchn.h"
#include "timer_hv.h"

#define SCHED_POLL_MAX_PORTS 128 /* Xen's limit for SCHEDOP_poll */

/* evtchn's vcpu_kick: the vCPU's evtchn_upcall_pending went 0 -> 1. */
static void events_vcpu_kick(void *opaque, struct evtchn_domain *ed, uint32_t id)
{
	struct domain *d = evtchn_domain_owner(ed);
	struct vcpu *v;
	uint64_t cb;

	(void)opaque;
	if (!d)
		return;
	v = vcpu_get(d, id);
	if (!v)
		return;
	if (v->upcall_vector && d->hv->ops->vcpu_inject_vector && v->online)
		d->hv->ops->vcpu_inject_vector(v, v->upcall_vector);
	if (v->blocked) {
		vcpu_wake(v);
		return;
	}
	if (v->upcall_vector)
		return;
	/*
	 * The domain-wide callback vector: Xen injects it without the local
	 * APIC (no EOI); no backend here can do that yet, see the report.
	 */
	cb = d->hvm_params[HVM_PARAM_CALLBACK_IRQ];
	if ((cb >> HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT) == HVM_PARAM_CALLBACK_TYPE_VECTOR &&
	    d->hv->ops->vcpu_inject_vector && v->online)
		d->hv->ops->vcpu_inject_vector(v, (uint8_t)cb);
}

/* evtchn's port_pending: wake the vCPUs sleeping in SCHEDOP_poll. */
static void events_port_pending(void *opaque, struct evtchn_domain *ed, evtchn_port_t port)
{
	struct domain *d = evtchn_domain_owner(ed);
	unsigned int i;

	(void)opaque;
	(void)port;
	if (!d || !d->vcpus)
		return;
	for (i = 0; i < d->max_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		if (v && v->polling) {
			v->polling = false;
			vcpu_wake(v);
		}
	}
}

static void events_host_notify(void *opaque, struct evtchn_domain *ed, evtchn_port_t port)
{
	(void)ed;
	hv_hostport_notify(opaque, port);
}

static bool events_domain_paused(void *opaque, struct evtchn_domain *ed)
{
	struct domain *d = evtchn_domain_owner(ed);

	(void)opaque;
	return d && d->pause_count > 0;
}

static const struct evtchn_ops events_evtchn_ops = {
	.vcpu_kick = events_vcpu_kick,
	.host_notify = events_host_notify,
	.port_pending = events_port_pending,
	.domain_paused = events_domain_paused,
};

int hv_events_init(struct xenhv *hv)
{
	struct hv_events *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return -ENOMEM;
	ev->evtchn = evtchn_host_create(&events_evtchn_ops, hv);
	if (!ev->evtchn) {
		free(ev);
		return -ENOMEM;
	}
	hv->events = ev;
	return 0;
}

void hv_events_dispose(struct xenhv *hv)
{
	struct hv_events *ev = hv->events;

	if (!ev)
		return;
	hv_hostports_dispose(hv);
	evtchn_host_destroy(ev->evtchn);
	free(ev);
	hv->events = NULL;
}

int domain_events_create(struct domain *d)
{
	struct hv_events *ev = d->hv->events;
	struct evtchn_domain_config cfg = {
		.domid = d->domid,
		.nr_vcpus = d->max_vcpus ? d->max_vcpus : 1,
		.max_port = d->max_evtchn_port,
		.privileged = d->type == DOMAIN_TYPE_CONTROL,
		.host = d->type == DOMAIN_TYPE_CONTROL,
		.owner = d,
	};

	if (!ev)
		return 0; /* a hypervisor without event channels */
	if (cfg.host)
		cfg.nr_vcpus = 1;
	return evtchn_domain_create(ev->evtchn, &cfg, &d->evtchn);
}

void domain_events_destroy(struct domain *d)
{
	if (d->evtchn) {
		evtchn_domain_destroy(d->evtchn);
		d->evtchn = NULL;
	}
}

void hv_events_dom_exc(struct xenhv *hv)
{
	if (hv->events)
		evtchn_raise_dom_exc(hv->events->evtchn);
}

bool vcpu_events_pending(struct vcpu *v)
{
	if (!v->domain->evtchn)
		return false;
	return evtchn_vcpu_events_pending(v->domain->evtchn, v->id);
}

int64_t hvm_set_upcall_vector(struct hc_ctx *ctx, uint64_t arg)
{
	struct xen_hvm_evtchn_upcall_vector op;
	struct vcpu *v;

	if (!ctx->vcpu || !ctx->caller->evtchn)
		return -EINVAL;
	if (copy_from_guest(ctx, &op, arg, sizeof(op)))
		return -EFAULT;
	/* Xen: vectors below 0x10 are exceptions' and reserved. */
	if (op.vector < 0x10)
		return -EINVAL;
	v = vcpu_get(ctx->caller, op.vcpu);
	if (!v)
		return -ENOENT;
	v->upcall_vector = op.vector;
	/* Anything already pending arrives now, as Xen does. */
	if (evtchn_vcpu_events_pending(ctx->caller->evtchn, v->id) &&
	    ctx->hv->ops->vcpu_inject_vector)
		ctx->hv->ops->vcpu_inject_vector(v, op.vector);
	return 0;
}

int64_t sched_op_poll(struct hc_ctx *ctx, uint64_t arg)
{
	struct domain *d = ctx->caller;
	struct sched_poll poll;
	unsigned int i;

	if (!ctx->vcpu || !d->evtchn)
		return -EINVAL;
	if (copy_from_guest(ctx, &poll, arg, sizeof(poll)))
		return -EFAULT;
	if (poll.nr_ports > SCHED_POLL_MAX_PORTS)
		return -EINVAL;
	for (i = 0; i < poll.nr_ports; i++) {
		evtchn_port_t port;
		uint64_t at = (uint64_t)(uintptr_t)poll.ports.p + i * sizeof(port);

		if (copy_from_guest(ctx, &port, at, sizeof(port)))
			return -EFAULT;
		if (evtchn_port_is_pending(d->evtchn, port))
			return 0;
	}
	/*
	 * Sleep until a port of the domain becomes pending (Xen wakes only on
	 * the polled ports; an early return is allowed and the guest checks
	 * again), or until poll.timeout (system time, 0: none).
	 */
	ctx->vcpu->polling = true;
	vcpu_block(ctx->vcpu);
	vcpu_timer_block(ctx->vcpu, poll.timeout);
	if (!ctx->vcpu->blocked)
		ctx->vcpu->polling = false;
	return 0;
}

int64_t do_event_channel_op(struct hc_ctx *ctx, const uint64_t *args)
{
	unsigned int cmd = (unsigned int)args[0];
	struct domain *d = ctx->caller;
	uint8_t buf[64];
	bool back = false;
	size_t size;
	int rc;

	if (!d->evtchn)
		return -ENOSYS;
	size = evtchn_op_size(cmd, &back);
	if (!size || args[0] > UINT32_MAX)
		return -ENOSYS;
	if (size > sizeof(buf))
		return -EINVAL;
	if (copy_from_guest(ctx, buf, args[1], size))
		return -EFAULT;
	rc = evtchn_do_op(d->evtchn, cmd, buf);
	if (rc == 0 && back && copy_to_guest(ctx, args[1], buf, size))
		return -EFAULT;
	/* A host port closed: its eventfds go too. */
	if (rc == 0 && cmd == EVTCHNOP_close && d->type == DOMAIN_TYPE_CONTROL) {
		struct evtchn_close cl;

		memcpy(&cl, buf, sizeof(cl));
		hv_hostport_release(ctx->hv, cl.port);
	}
	return rc;
}
