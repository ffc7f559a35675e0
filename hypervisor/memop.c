/*
 * memory_op: reservations (populate, increase, decrease), the memory map,
 * add_to_physmap (the shared info page), and the reservation queries.  A
 * guest acts on itself; domain 0 (the builder, ballooning tools) on anyone.
 * Extent lists are read and written one entry at a time, and the number of
 * extents done is returned, as Xen does, so a partial failure is visible.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xen/memory.h>

#include "domain.h"
#include "evtchn.h"
#include "gnttab_op.h"
#include "hypercall.h"
#include "timer_hv.h"

#define MEMORY_MAP_MAX 128
#define EXTENT_ORDER_MAX 18 /* 1 GiB, as Xen's max for a privileged caller */

static struct domain *memop_target(struct hc_ctx *ctx, domid_t domid)
{
	struct domain *d = domain_lookup_for(ctx->hv, ctx->caller, domid);

	if (!d)
		return NULL;
	if (ctx->vcpu && d != ctx->caller)
		return NULL;
	return d;
}

static int64_t memop_reservation(struct hc_ctx *ctx, uint64_t cmd, uint64_t arg)
{
	struct xen_memory_reservation r;
	struct domain *d;
	xen_ulong_t i;
	xen_pfn_t gfn;
	uint64_t nr;
	int rc;

	if (copy_from_guest(ctx, &r, arg, sizeof(r)))
		return -EFAULT;
	d = memop_target(ctx, r.domid);
	if (!d)
		return -ESRCH;
	if (r.extent_order > EXTENT_ORDER_MAX)
		return -EINVAL;
	if (r.mem_flags & XENMEMF_populate_on_demand)
		return -EOPNOTSUPP;
	nr = 1ull << r.extent_order;
	for (i = 0; i < r.nr_extents; i++) {
		uint64_t slot = (uint64_t)(uintptr_t)r.extent_start.p + i * sizeof(xen_pfn_t);

		if (copy_from_guest(ctx, &gfn, slot, sizeof(gfn)))
			return i ? (int64_t)i : -EFAULT;
		/* An extent must be aligned to its order. */
		if (gfn & (nr - 1))
			return i ? (int64_t)i : -EINVAL;
		if (cmd == XENMEM_decrease_reservation)
			rc = domain_decrease(d, gfn, nr);
		else
			rc = domain_populate(d, gfn, nr);
		if (rc) {
			if (!i && rc == -ENOMEM)
				hv_log(ctx->hv, "domain %u: cannot populate %llu pages: %s",
				       d->domid, (unsigned long long)nr,
				       d->mem.tot_pages + nr > d->mem.max_pages
					       ? "over its max_mem"
					       : "memory pool exhausted");
			return i ? (int64_t)i : rc;
		}
	}
	return (int64_t)i;
}

static int64_t memop_memory_map(struct hc_ctx *ctx, uint64_t cmd, uint64_t arg)
{
	struct xen_memory_map map;
	struct {
		domid_t domid;
		struct xen_memory_map map;
	} fmap;
	struct e820entry *entries;
	struct domain *d;
	size_t bytes;

	if (cmd == XENMEM_memory_map) {
		d = ctx->caller;
		if (copy_from_guest(ctx, &map, arg, sizeof(map)))
			return -EFAULT;
		if (d->type == DOMAIN_TYPE_CONTROL)
			return -EINVAL;
		if (map.nr_entries < d->memory_map_entries)
			return -EINVAL;
		bytes = d->memory_map_entries * sizeof(struct e820entry);
		if (bytes &&
		    copy_to_guest(ctx, (uint64_t)(uintptr_t)map.buffer.p, d->memory_map, bytes))
			return -EFAULT;
		map.nr_entries = d->memory_map_entries;
		return copy_to_guest(ctx, arg, &map, sizeof(map)) ? -EFAULT : 0;
	}
	/* XENMEM_set_memory_map: the toolstack gives a domain its map. */
	if (ctx->vcpu)
		return -EPERM;
	if (copy_from_guest(ctx, &fmap, arg, sizeof(fmap)))
		return -EFAULT;
	d = domain_lookup(ctx->hv, fmap.domid);
	if (!d || d->type == DOMAIN_TYPE_CONTROL)
		return -ESRCH;
	if (fmap.map.nr_entries > MEMORY_MAP_MAX)
		return -EINVAL;
	bytes = fmap.map.nr_entries * sizeof(struct e820entry);
	entries = malloc(bytes ? bytes : 1);
	if (!entries)
		return -ENOMEM;
	if (bytes && copy_from_guest(ctx, entries, (uint64_t)(uintptr_t)fmap.map.buffer.p, bytes)) {
		free(entries);
		return -EFAULT;
	}
	free(d->memory_map);
	d->memory_map = entries;
	d->memory_map_entries = fmap.map.nr_entries;
	return 0;
}

static int64_t memop_add_to_physmap(struct hc_ctx *ctx, uint64_t arg)
{
	struct xen_add_to_physmap xatp;
	struct domain *d;
	void *page;

	if (copy_from_guest(ctx, &xatp, arg, sizeof(xatp)))
		return -EFAULT;
	d = memop_target(ctx, xatp.domid);
	if (!d)
		return -ESRCH;
	if (xatp.space == XENMAPSPACE_grant_table)
		return memop_add_grant_frame(d, xatp.idx, xatp.gpfn);
	if (xatp.space != XENMAPSPACE_shared_info)
		return -EOPNOTSUPP;
	if (xatp.idx != 0)
		return -EINVAL;
	/*
	 * The shared info page lives in the guest's own RAM frame at gpfn:
	 * xenhv writes it through the domain's memfd, the guest reads it
	 * without an exit.  Xen swaps a Xen page in; the guest cannot tell.
	 */
	page = memory_gpa_ptr(&d->mem, (uint64_t)xatp.gpfn << 12, 4096);
	if (!page)
		return -EINVAL;
	memset(page, 0, 4096);
	d->shared_info_gfn = xatp.gpfn;
	d->shared_info_mapped = true;
	/* Event channels' pending and mask bits live there from now on. */
	if (d->evtchn)
		evtchn_domain_set_shared_info(d->evtchn, page);
	/* The wallclock and each vCPU's time record, as Xen's page has them. */
	domain_timer_publish(d);
	return 0;
}

int64_t do_memory_op(struct hc_ctx *ctx, const uint64_t *args)
{
	domid_t domid;
	struct domain *d;

	/* Bits above the command carry Xen's continuation state. */
	switch (args[0] & 0x3f) {
	case XENMEM_increase_reservation:
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap:
		return memop_reservation(ctx, args[0] & 0x3f, args[1]);
	case XENMEM_current_reservation:
	case XENMEM_maximum_reservation:
	case XENMEM_maximum_gpfn:
		if (copy_from_guest(ctx, &domid, args[1], sizeof(domid)))
			return -EFAULT;
		d = memop_target(ctx, domid);
		if (!d)
			return -ESRCH;
		if ((args[0] & 0x3f) == XENMEM_current_reservation)
			return (int64_t)d->mem.tot_pages;
		if ((args[0] & 0x3f) == XENMEM_maximum_reservation)
			return (int64_t)d->mem.max_pages;
		return (int64_t)memory_max_gfn(&d->mem);
	case XENMEM_memory_map:
	case XENMEM_set_memory_map:
		return memop_memory_map(ctx, args[0] & 0x3f, args[1]);
	case XENMEM_add_to_physmap:
		return memop_add_to_physmap(ctx, args[1]);
	}
	return -ENOSYS;
}
