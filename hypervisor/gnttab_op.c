/*
 * HYPERVISOR_grant_table_op and the grant table life of a domain in xenhv,
 * over the pure module gnttab.c.
 *
 * - Table frames are page-aligned anonymous pages of xenhv; a PVH guest
 *   places frame idx at a guest frame with XENMEM_add_to_physmap
 *   (XENMAPSPACE_grant_table) and the backend maps the page there (a KVM
 *   memslot of its own), so the guest writes entries with no exit.  The
 *   frame must be a hole of the guest's physical space, as Linux picks.
 * - Granted frames are the granting domain's RAM, reached through its
 *   memfd mapping in xenhv.
 * - Domain 0 maps a grant with GNTTABOP_map_grant_ref (the check and Xen's
 *   GTF_reading/GTF_writing bookkeeping; dev_bus_addr returns the frame)
 *   and then maps the frame from the granting domain's memfd (libxc's
 *   xengnttab); unmap is the reverse.  A grant copy from domain 0 names its
 *   own pages by virtual address >> 12: each is copied in from the
 *   caller's bounce buffers and, when written, copied back.
 * - Everything a dying domain holds or granted is released by
 *   gnttab_domain_destroy (the module's teardown).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xen/grant_table.h>

#include "domain.h"
#include "gnttab.h"
#include "gnttab_op.h"

#define GNTTAB_OP_BATCH 16 /* operations copied in at a time */
#define GNTTAB_COPY_LOCAL_PAGES 32

static struct domain *gnttab_owner(struct gnttab_domain *gd)
{
	return gnttab_domain_owner(gd);
}

static int gt_table_frame_alloc(void *opaque, struct gnttab_domain *gd, unsigned int idx,
				void **page, xen_pfn_t *frame)
{
	void *p = mmap(NULL, GNTTAB_FRAME_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);

	(void)opaque;
	(void)gd;
	(void)idx;
	if (p == MAP_FAILED)
		return -ENOMEM;
	*page = p;
	/* No guest frame until add_to_physmap places it. */
	*frame = ~(xen_pfn_t)0;
	return 0;
}

static void gt_table_frame_free(void *opaque, struct gnttab_domain *gd, unsigned int idx,
				void *page)
{
	(void)opaque;
	(void)gd;
	(void)idx;
	munmap(page, GNTTAB_FRAME_SIZE);
}

static void *gt_frame_get(void *opaque, struct gnttab_domain *gd, xen_pfn_t gfn, bool writable)
{
	struct domain *d = gnttab_owner(gd);

	(void)opaque;
	(void)writable;
	if (!d || d->type == DOMAIN_TYPE_CONTROL || gfn >= d->mem.gfn_limit)
		return NULL;
	return memory_gpa_ptr(&d->mem, (uint64_t)gfn << XENHV_PAGE_SHIFT, XENHV_PAGE_SIZE);
}

static void gt_frame_put(void *opaque, struct gnttab_domain *gd, xen_pfn_t gfn, void *page)
{
	/* The memfd mapping lives as long as the domain: nothing to drop. */
	(void)opaque;
	(void)gd;
	(void)gfn;
	(void)page;
}

static const struct gnttab_ops gt_ops = {
	.table_frame_alloc = gt_table_frame_alloc,
	.table_frame_free = gt_table_frame_free,
	.frame_get = gt_frame_get,
	.frame_put = gt_frame_put,
};

int hv_gnttab_init(struct xenhv *hv)
{
	hv->gnttab = gnttab_host_create(&gt_ops, hv);
	return hv->gnttab ? 0 : -ENOMEM;
}

void hv_gnttab_dispose(struct xenhv *hv)
{
	if (hv->gnttab)
		gnttab_host_destroy(hv->gnttab);
	hv->gnttab = NULL;
}

int hv_gnttab_domain_create(struct domain *d)
{
	struct gnttab_domain_config cfg = {
		.domid = d->domid,
		.max_frames = d->max_grant_frames,
		.max_maptrack_frames = d->max_maptrack_frames,
		.privileged = d->type == DOMAIN_TYPE_CONTROL,
		.no_table = d->type == DOMAIN_TYPE_CONTROL,
		.owner = d,
	};

	if (!d->hv->gnttab)
		return 0;
	return gnttab_domain_create(d->hv->gnttab, &cfg, &d->gnttab);
}

void hv_gnttab_domain_destroy(struct domain *d)
{
	if (d->gnttab) {
		gnttab_domain_destroy(d->gnttab);
		d->gnttab = NULL;
	}
}

void hv_gnttab_seed_ring(struct domain *d, bool console, uint64_t frame)
{
	int rc;

	if (!d->gnttab || !frame)
		return;
	rc = console ? gnttab_seed_console(d->gnttab, 0, frame)
		     : gnttab_seed_xenstore(d->gnttab, 0, frame);
	if (rc)
		hv_log(d->hv, "domain %u: cannot seed the %s grant: %d", d->domid,
		       console ? "console" : "xenstore", rc);
}

int64_t memop_add_grant_frame(struct domain *d, uint64_t idx, uint64_t gpfn)
{
	void *page;
	xen_pfn_t old;
	int rc;

	if (!d->gnttab || d->type == DOMAIN_TYPE_CONTROL)
		return -EINVAL;
	if (idx >= GNTTAB_MAX_FRAMES_LIMIT || gpfn >= d->mem.gfn_limit)
		return -EINVAL;
	if (!d->hv->ops->memory_alias)
		return -EOPNOTSUPP;
	/* Xen would evict RAM here; we ask for a hole, as Linux uses. */
	if (memory_gfn_populated(&d->mem, gpfn))
		return -EBUSY;
	rc = gnttab_get_table_frame(d->gnttab, (unsigned int)idx, &page, &old);
	if (rc)
		return rc;
	if (old != ~(xen_pfn_t)0) {
		rc = d->hv->ops->memory_alias(d, old, NULL, false);
		if (rc)
			return rc;
	}
	rc = d->hv->ops->memory_alias(d, gpfn, page, true);
	if (rc)
		return rc;
	return gnttab_set_frame_number(d->gnttab, (unsigned int)idx, gpfn);
}

/* Domain 0's own pages in a copy: bounce copies of its buffers. */
struct gt_local {
	struct hc_ctx *ctx;
	struct {
		xen_pfn_t gmfn;
		uint8_t *page;
		bool dirty;
	} pages[GNTTAB_COPY_LOCAL_PAGES];
	unsigned int nr;
};

static void *gt_local_frame(void *opaque, xen_pfn_t gmfn, bool writable)
{
	struct gt_local *l = opaque;
	uint8_t *page;
	unsigned int i;

	for (i = 0; i < l->nr; i++)
		if (l->pages[i].gmfn == gmfn)
			goto found;
	if (l->nr == GNTTAB_COPY_LOCAL_PAGES)
		return NULL;
	page = calloc(1, XENHV_PAGE_SIZE);
	if (!page)
		return NULL;
	/* Only the bytes the caller sent exist; the rest reads as zero. */
	for (uint64_t off = 0; off < XENHV_PAGE_SIZE; off += 64)
		copy_from_guest(l->ctx, page + off, ((uint64_t)gmfn << XENHV_PAGE_SHIFT) + off, 64);
	i = l->nr++;
	l->pages[i].gmfn = gmfn;
	l->pages[i].page = page;
	l->pages[i].dirty = false;
found:
	if (writable)
		l->pages[i].dirty = true;
	return l->pages[i].page;
}

static void gt_local_flush(struct gt_local *l)
{
	unsigned int i;

	for (i = 0; i < l->nr; i++) {
		if (l->pages[i].dirty) {
			uint64_t base = (uint64_t)l->pages[i].gmfn << XENHV_PAGE_SHIFT;

			for (uint64_t off = 0; off < XENHV_PAGE_SIZE; off += 64)
				copy_to_guest(l->ctx, base + off, l->pages[i].page + off, 64);
		}
		free(l->pages[i].page);
	}
	l->nr = 0;
}

static int64_t gnttab_op_copy(struct hc_ctx *ctx, struct gnttab_domain *gd, uint64_t uop,
			      uint64_t count)
{
	struct gnttab_copy ops[GNTTAB_OP_BATCH];
	struct gt_local local = { .ctx = ctx };
	struct gnttab_copy_local lc = { gt_local_frame, &local };
	uint64_t done = 0;
	int rc = 0;

	while (done < count) {
		unsigned int n = count - done > GNTTAB_OP_BATCH ? GNTTAB_OP_BATCH
								: (unsigned int)(count - done);
		uint64_t at = uop + done * sizeof(ops[0]);

		if (copy_from_guest(ctx, ops, at, n * sizeof(ops[0])))
			return -EFAULT;
		rc = gnttab_copy(gd, ops, n, ctx->caller->type == DOMAIN_TYPE_CONTROL ? &lc : NULL);
		gt_local_flush(&local);
		if (rc)
			return rc;
		if (copy_to_guest(ctx, at, ops, n * sizeof(ops[0])))
			return -EFAULT;
		done += n;
	}
	return 0;
}

/* Map and unmap, one structure at a time (Xen's batches are the same). */
static int64_t gnttab_op_map(struct hc_ctx *ctx, struct gnttab_domain *gd, unsigned int cmd,
			     uint64_t uop, uint64_t count)
{
	uint64_t i;

	/* A PVH guest has no host mappings to make: only domain 0 maps. */
	if (ctx->caller->type != DOMAIN_TYPE_CONTROL)
		return -EOPNOTSUPP;
	for (i = 0; i < count; i++) {
		if (cmd == GNTTABOP_map_grant_ref) {
			struct gnttab_map_grant_ref op;
			uint64_t at = uop + i * sizeof(op);

			if (copy_from_guest(ctx, &op, at, sizeof(op)))
				return -EFAULT;
			gnttab_map_grant_ref(gd, &op);
			if (copy_to_guest(ctx, at, &op, sizeof(op)))
				return -EFAULT;
		} else {
			struct gnttab_unmap_grant_ref op;
			uint64_t at = uop + i * sizeof(op);

			if (copy_from_guest(ctx, &op, at, sizeof(op)))
				return -EFAULT;
			gnttab_unmap_grant_ref(gd, &op);
			if (copy_to_guest(ctx, at, &op, sizeof(op)))
				return -EFAULT;
		}
	}
	return 0;
}

int64_t do_grant_table_op(struct hc_ctx *ctx, const uint64_t *args)
{
	struct gnttab_domain *gd = ctx->caller->gnttab;
	unsigned int cmd = (unsigned int)args[0];
	uint64_t uop = args[1], count = args[2];
	int rc;

	if (!gd)
		return -ENOSYS;
	if (count > UINT32_MAX)
		return -EINVAL;
	switch (cmd) {
	case GNTTABOP_setup_table: {
		struct gnttab_setup_table op;
		xen_pfn_t *frames;

		if (count != 1)
			return -EINVAL;
		if (copy_from_guest(ctx, &op, uop, sizeof(op)))
			return -EFAULT;
		frames = calloc(GNTTAB_MAX_FRAMES_LIMIT, sizeof(*frames));
		if (!frames)
			return -ENOMEM;
		rc = gnttab_setup_table(gd, &op, frames, GNTTAB_MAX_FRAMES_LIMIT);
		if (!rc && op.status == GNTST_okay && op.nr_frames &&
		    copy_to_guest(ctx, (uint64_t)(uintptr_t)op.frame_list.p, frames,
				  op.nr_frames * sizeof(*frames)))
			op.status = GNTST_bad_virt_addr;
		free(frames);
		if (!rc && copy_to_guest(ctx, uop, &op, sizeof(op)))
			return -EFAULT;
		return rc;
	}
	case GNTTABOP_query_size: {
		struct gnttab_query_size op;

		if (count != 1)
			return -EINVAL;
		if (copy_from_guest(ctx, &op, uop, sizeof(op)))
			return -EFAULT;
		rc = gnttab_query_size(gd, &op);
		if (!rc && copy_to_guest(ctx, uop, &op, sizeof(op)))
			return -EFAULT;
		return rc;
	}
	case GNTTABOP_get_version: {
		struct gnttab_get_version op;

		if (count != 1)
			return -EINVAL;
		if (copy_from_guest(ctx, &op, uop, sizeof(op)))
			return -EFAULT;
		rc = gnttab_get_version(gd, &op);
		if (!rc && copy_to_guest(ctx, uop, &op, sizeof(op)))
			return -EFAULT;
		return rc;
	}
	case GNTTABOP_set_version: {
		struct gnttab_set_version op;

		if (count != 1)
			return -EINVAL;
		if (copy_from_guest(ctx, &op, uop, sizeof(op)))
			return -EFAULT;
		rc = gnttab_set_version(gd, &op);
		if (!rc && copy_to_guest(ctx, uop, &op, sizeof(op)))
			return -EFAULT;
		return rc;
	}
	case GNTTABOP_map_grant_ref:
	case GNTTABOP_unmap_grant_ref:
		return gnttab_op_map(ctx, gd, cmd, uop, count);
	case GNTTABOP_copy:
		return gnttab_op_copy(ctx, gd, uop, count);
	}
	return -ENOSYS;
}
