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
#include "timer_hv.h"

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
	/*
	 * Domain 0 stands for the host: its CPUs; an HVM domain's vCPUs are
	 * QEMU's threads.  Both all online, as getdomaininfo reports them.
	 */
	if (d->type == DOMAIN_TYPE_CONTROL || d->type == DOMAIN_TYPE_HVM) {
		vi->online = 1;
		vi->blocked = 0;
		vi->running = 1;
		vi->cpu_time = 0;
		vi->cpu = d->hv->nr_cpus ? vi->vcpu % d->hv->nr_cpus : 0;
		return 0;
	}
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
	vi->cpu = v ? v->last_cpu : 0;
	return 0;
}

/* A toolstack's CPU bitmap into ours; bits past nr_bits are ignored. */
static int affinity_from_bitmap(struct hc_ctx *ctx, const struct xenctl_bitmap *b, uint64_t *map)
{
	uint8_t bytes[XENHV_MAX_HOST_CPUS / 8];
	uint32_t nr_bits = b->nr_bits < XENHV_MAX_HOST_CPUS ? b->nr_bits : XENHV_MAX_HOST_CPUS;
	uint32_t i, len = (nr_bits + 7) / 8;

	memset(bytes, 0, sizeof(bytes));
	if (len && copy_from_guest(ctx, bytes, (uint64_t)(uintptr_t)b->bitmap.p, len))
		return -EFAULT;
	memset(map, 0, XENHV_CPUMAP_WORDS * sizeof(*map));
	for (i = 0; i < nr_bits; i++)
		if (bytes[i / 8] & (1u << (i % 8)))
			map[i / 64] |= 1ull << (i % 64);
	return 0;
}

/* Ours into the toolstack's bitmap: all of its bytes are written. */
static int affinity_to_bitmap(struct hc_ctx *ctx, const struct xenctl_bitmap *b,
			      const uint64_t *map)
{
	uint8_t bytes[XENHV_MAX_HOST_CPUS / 8];
	uint32_t i, len = (b->nr_bits + 7) / 8;

	if (len > sizeof(bytes))
		len = sizeof(bytes);
	memset(bytes, 0, sizeof(bytes));
	for (i = 0; i < len * 8; i++)
		if (map[i / 64] & (1ull << (i % 64)))
			bytes[i / 8] |= 1u << (i % 8);
	if (len && copy_to_guest(ctx, (uint64_t)(uintptr_t)b->bitmap.p, bytes, len))
		return -EFAULT;
	return 0;
}

/*
 * XEN_DOMCTL_{set,get}vcpuaffinity.  As Xen, set answers with the
 * affinity in effect (the request restricted to the host's CPUs) in the
 * same maps.  Only vCPUs that are xenhv's threads (PVH, PV) have one.
 */
static int64_t domctl_vcpuaffinity(struct hc_ctx *ctx, struct domain *d, bool set,
				   const struct xen_domctl_vcpuaffinity *va)
{
	uint64_t hard[XENHV_CPUMAP_WORDS], soft[XENHV_CPUMAP_WORDS];
	bool want_hard = va->flags & XEN_VCPUAFFINITY_HARD;
	bool want_soft = va->flags & XEN_VCPUAFFINITY_SOFT;
	struct vcpu *v;
	int rc;

	if (va->vcpu >= d->max_vcpus || !(want_hard || want_soft))
		return -EINVAL;
	/* Domain 0's "vCPUs" are the host's CPUs: anywhere, not ours to pin. */
	if (d->type == DOMAIN_TYPE_CONTROL && !set) {
		vcpu_affinity_fill(hard, d->hv->nr_cpus);
		rc = want_hard ? affinity_to_bitmap(ctx, &va->cpumap_hard, hard) : 0;
		if (!rc && want_soft)
			rc = affinity_to_bitmap(ctx, &va->cpumap_soft, hard);
		return rc;
	}
	if (d->type != DOMAIN_TYPE_PVH && d->type != DOMAIN_TYPE_PV)
		return -EOPNOTSUPP;
	rc = vcpu_create(d, va->vcpu, &v);
	if (rc)
		return rc;
	if (set) {
		if (want_hard) {
			rc = affinity_from_bitmap(ctx, &va->cpumap_hard, hard);
			if (rc)
				return rc;
		}
		if (want_soft) {
			rc = affinity_from_bitmap(ctx, &va->cpumap_soft, soft);
			if (rc)
				return rc;
		}
		rc = vcpu_set_affinity(v, want_hard ? hard : NULL, want_soft ? soft : NULL);
		if (rc)
			return rc;
	}
	if (want_hard) {
		rc = affinity_to_bitmap(ctx, &va->cpumap_hard, v->hard_affinity);
		if (rc)
			return rc;
	}
	if (want_soft)
		return affinity_to_bitmap(ctx, &va->cpumap_soft, v->soft_affinity);
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
	case XEN_DOMCTL_setvcpuaffinity:
	case XEN_DOMCTL_getvcpuaffinity:
		ret = domctl_vcpuaffinity(ctx, d, op.cmd == XEN_DOMCTL_setvcpuaffinity,
					  &op.u.vcpuaffinity);
		break;
	case XEN_DOMCTL_setdomainhandle:
		memcpy(d->handle, op.u.setdomainhandle.handle, sizeof(d->handle));
		ret = 0;
		break;
	case XEN_DOMCTL_hypercall_init:
		ret = domctl_hypercall_init(d, op.u.hypercall_init.gmfn);
		break;
	case XEN_DOMCTL_settimeoffset:
		ret = domain_timer_set_offset(d, op.u.settimeoffset.time_offset_seconds);
		break;
	default:
		ret = -ENOSYS;
		break;
	}
	if (!ret && copyback && copy_to_guest(ctx, args[0], &op, sizeof(op)))
		ret = -EFAULT;
	return ret;
}
