/*
 * domctl: the toolstack's per-domain operations (domain 0 only, over the
 * privcmd socket).  Each command reads the xen_domctl, acts through
 * domain.c/vcpu.c, and writes the structure back when it has OUT fields.
 */
#include <errno.h>
#include <string.h>

#include <xen/domctl.h>
#include <xen/vcpu.h>

#include "domain.h"
#include "hypercall.h"
#include "pvh/pvh.h"

static int64_t domctl_setvcpucontext(struct hc_ctx *ctx, struct domain *d,
				     const struct xen_domctl_vcpucontext *vc)
{
	struct vcpu_hvm_context hctx;
	struct vcpu *v;
	int rc;

	if (vc->vcpu >= d->max_vcpus)
		return -EINVAL;
	/* An HVM domain's vCPUs are QEMU's, not xenhv's. */
	if (d->type != DOMAIN_TYPE_PVH)
		return -EOPNOTSUPP;
	if (!vc->ctxt.p)
		return -EINVAL; /* Xen: a NULL context resets; not yet */
	if (copy_from_guest(ctx, &hctx, (uint64_t)(uintptr_t)vc->ctxt.p, sizeof(hctx)))
		return -EFAULT;
	if (hctx.mode != VCPU_HVM_MODE_32B && hctx.mode != VCPU_HVM_MODE_64B)
		return -EINVAL;
	rc = vcpu_create(d, vc->vcpu, &v);
	if (rc)
		return rc;
	rc = vcpu_set_hvm_context(v, &hctx);
	if (rc)
		return rc;
	/* The boot vCPU comes up with the domain; others by VCPUOP_up. */
	if (vc->vcpu == 0)
		return vcpu_up(v);
	return 0;
}

/*
 * XEN_DOMCTL_getvcpucontext for PVH/HVM: the registers as a 64-bit
 * vcpu_hvm_context (kxen's record, see domctl.h), of a paused domain as Xen
 * requires.  Only the registers of that record: segment state and the
 * rest of the CPU go with save/restore's records later.
 */
static int64_t domctl_getvcpucontext(struct hc_ctx *ctx, struct domain *d,
				     const struct xen_domctl_vcpucontext *vc)
{
	struct vcpu_hvm_context hctx;
	struct vcpu *v;
	int rc;

	if (vc->vcpu >= d->max_vcpus)
		return -EINVAL;
	if (!d->pause_count && !d->shutdown)
		return -EBUSY;
	v = vcpu_get(d, vc->vcpu);
	if (!v || !v->initialised)
		return -ENODATA;
	if (!d->hv->ops->vcpu_get_hvm_context)
		return -EOPNOTSUPP;
	rc = d->hv->ops->vcpu_get_hvm_context(v, &hctx);
	if (rc)
		return rc;
	if (!vc->ctxt.p)
		return 0;
	return copy_to_guest(ctx, (uint64_t)(uintptr_t)vc->ctxt.p, &hctx, sizeof(hctx)) ? -EFAULT
											: 0;
}

static int64_t domctl_getvcpuinfo(struct domain *d, struct xen_domctl_getvcpuinfo *vi)
{
	struct vcpu *v;

	if (vi->vcpu >= d->max_vcpus)
		return -EINVAL;
	v = vcpu_get(d, vi->vcpu);
	vi->online = v && v->online;
	vi->blocked = v && v->blocked;
	vi->running = v && v->in_run;
	vi->cpu_time = 0;
	if (v) {
		vi->cpu_time = v->runstate.time[RUNSTATE_running];
		if (v->runstate.state == RUNSTATE_running)
			vi->cpu_time += xenhv_now_ns() - v->runstate.state_entry_time;
	}
	vi->cpu = 0;
	return 0;
}

static int64_t domctl_hypercall_init(struct domain *d, uint64_t gmfn)
{
	uint8_t *page = memory_gpa_ptr(&d->mem, gmfn << 12, 4096);

	if (!page)
		return -EINVAL;
	pvh_hypercall_page_fill(page);
	d->hypercall_page_gpa = gmfn << 12;
	return 0;
}

int64_t do_domctl(struct hc_ctx *ctx, const uint64_t *args)
{
	struct xen_domctl op;
	struct domain *d = NULL;
	bool copyback = false;
	int64_t ret;

	if (copy_from_guest(ctx, &op, args[0], sizeof(op)))
		return -EFAULT;
	if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
		return -EACCES;
	if (op.cmd != XEN_DOMCTL_createdomain) {
		d = domain_lookup(ctx->hv, op.domain);
		if (!d)
			return -ESRCH;
	}
	switch (op.cmd) {
	case XEN_DOMCTL_createdomain:
		ret = domain_create(ctx->hv, op.domain, &op.u.createdomain, &d);
		if (ret)
			break;
		op.domain = d->domid;
		hv_log(ctx->hv, "domain %u: created (%u vCPUs)", d->domid, d->max_vcpus);
		copyback = true;
		break;
	case XEN_DOMCTL_destroydomain:
		ret = domain_destroy(d);
		break;
	case XEN_DOMCTL_pausedomain:
		ret = domain_pause(d);
		break;
	case XEN_DOMCTL_unpausedomain:
		ret = domain_unpause(d);
		break;
	case XEN_DOMCTL_getdomaininfo:
		domain_getinfo(d, &op.u.getdomaininfo);
		ret = 0;
		copyback = true;
		break;
	case XEN_DOMCTL_max_mem:
		ret = domain_set_max_mem(d, op.u.max_mem.max_memkb / 4);
		break;
	case XEN_DOMCTL_max_vcpus:
		ret = domain_set_max_vcpus(d, op.u.max_vcpus.max);
		break;
	case XEN_DOMCTL_setvcpucontext:
		ret = domctl_setvcpucontext(ctx, d, &op.u.vcpucontext);
		break;
	case XEN_DOMCTL_getvcpucontext:
		ret = domctl_getvcpucontext(ctx, d, &op.u.vcpucontext);
		break;
	case XEN_DOMCTL_getvcpuinfo:
		ret = domctl_getvcpuinfo(d, &op.u.getvcpuinfo);
		copyback = true;
		break;
	case XEN_DOMCTL_setdomainhandle:
		memcpy(d->handle, op.u.setdomainhandle.handle, sizeof(d->handle));
		ret = 0;
		break;
	case XEN_DOMCTL_hypercall_init:
		ret = domctl_hypercall_init(d, op.u.hypercall_init.gmfn);
		break;
	case XEN_DOMCTL_settimeoffset:
		ret = 0; /* wallclock offsets come with the timers (issue 5) */
		break;
	default:
		ret = -ENOSYS;
		break;
	}
	if (!ret && copyback && copy_to_guest(ctx, args[0], &op, sizeof(op)))
		ret = -EFAULT;
	return ret;
}
