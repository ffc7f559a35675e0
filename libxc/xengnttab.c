/*
 * xengnttab (xengnttab.h): pages other domains granted, for host processes.
 *
 * A map is two steps, both checked by xenhv: GNTTABOP_map_grant_ref as
 * domain 0 (the grant's flags, domid and read-only bit; Xen's
 * GTF_reading/GTF_writing bookkeeping; a maptrack handle), whose
 * dev_bus_addr names the granted frame, then a foreign map of that frame
 * (the granting domain's memory descriptor by SCM_RIGHTS and the frame's
 * offset).  Unmap is munmap and GNTTABOP_unmap_grant_ref with the handles.
 * Grant copy is done by xenhv: the caller's pages travel as bounce buffers
 * named by their address >> 12 (DOMID_SELF gmfns).
 *
 * A handle is its own privcmd connection.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xengnttab.h>

#include "xc_private.h"

#define XENGNTTAB_COPY_PAGES (PRIVCMD_MAX_BUFS - 1)

struct xengnttab_mapping {
	struct xengnttab_mapping *next;
	void *addr;
	uint32_t count;
	grant_handle_t *handles;
};

struct xengntdev_handle {
	xc_interface *xch;
	struct xengnttab_mapping *maps;
};

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	xengnttab_handle *xgt = calloc(1, sizeof(*xgt));

	(void)logger;
	(void)open_flags;
	if (!xgt) {
		errno = ENOMEM;
		return NULL;
	}
	xgt->xch = xc_interface_open(NULL, NULL, 0);
	if (!xgt->xch) {
		int saved = errno;

		free(xgt);
		errno = saved;
		return NULL;
	}
	return xgt;
}

static long xengnttab_op(xengnttab_handle *xgt, unsigned int cmd, void *ops, size_t size,
			 uint32_t count)
{
	struct privcmd_buf buf = xc_buf(ops, size, PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT);
	uint64_t args[5] = { cmd, (uint64_t)(uintptr_t)ops, count };

	return xc_hypercall(xgt->xch, __HYPERVISOR_grant_table_op, args, &buf, 1);
}

static void xengnttab_release(xengnttab_handle *xgt, const grant_handle_t *handles, uint32_t count)
{
	struct gnttab_unmap_grant_ref *ops = calloc(count, sizeof(*ops));
	uint32_t i;

	if (!ops)
		return;
	for (i = 0; i < count; i++)
		ops[i].handle = handles[i];
	xengnttab_op(xgt, GNTTABOP_unmap_grant_ref, ops, count * sizeof(*ops), count);
	free(ops);
}

int xengnttab_close(xengnttab_handle *xgt)
{
	if (!xgt)
		return 0;
	while (xgt->maps)
		xengnttab_unmap(xgt, xgt->maps->addr, xgt->maps->count);
	xc_interface_close(xgt->xch);
	free(xgt);
	return 0;
}

int xengnttab_fd(xengnttab_handle *xgt)
{
	return xc_interface_fd(xgt->xch);
}

static int xengnttab_status_errno(int16_t status)
{
	switch (status) {
	case GNTST_bad_domain:
		return ESRCH;
	case GNTST_permission_denied:
		return EPERM;
	case GNTST_no_device_space:
		return ENOSPC;
	default:
		return EINVAL;
	}
}

void *xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t *domids,
			       uint32_t *refs, int prot)
{
	struct gnttab_map_grant_ref *ops = NULL;
	struct xengnttab_mapping *m = NULL;
	xen_pfn_t *gfns = NULL;
	int *errs = NULL, err = 0;
	uint32_t i, mapped = 0;
	void *addr = NULL;

	if (!count || count > PRIVCMD_MAX_FOREIGN) {
		errno = EINVAL;
		return NULL;
	}
	/* One foreign map: every grant must come from the same domain. */
	for (i = 1; i < count; i++)
		if (domids[i] != domids[0]) {
			errno = EINVAL;
			return NULL;
		}
	ops = calloc(count, sizeof(*ops));
	gfns = calloc(count, sizeof(*gfns));
	errs = calloc(count, sizeof(*errs));
	m = calloc(1, sizeof(*m));
	if (m)
		m->handles = calloc(count, sizeof(*m->handles));
	if (!ops || !gfns || !errs || !m || !m->handles) {
		err = ENOMEM;
		goto out;
	}
	for (i = 0; i < count; i++) {
		ops[i].flags = GNTMAP_host_map | (prot & PROT_WRITE ? 0 : GNTMAP_readonly);
		ops[i].ref = refs[i];
		ops[i].dom = (domid_t)domids[i];
	}
	if (xengnttab_op(xgt, GNTTABOP_map_grant_ref, ops, count * sizeof(*ops), count) < 0) {
		err = errno;
		goto out;
	}
	for (i = 0; i < count; i++) {
		if (ops[i].status != GNTST_okay) {
			err = xengnttab_status_errno(ops[i].status);
			continue;
		}
		m->handles[mapped++] = ops[i].handle;
		gfns[i] = ops[i].dev_bus_addr >> XC_PAGE_SHIFT;
	}
	if (err)
		goto out;
	addr = xc_map_foreign_bulk(xgt->xch, domids[0], prot, gfns, errs, count);
	if (!addr) {
		err = errno;
		goto out;
	}
	for (i = 0; i < count; i++)
		if (errs[i]) {
			err = -errs[i];
			munmap(addr, (size_t)count << XC_PAGE_SHIFT);
			addr = NULL;
			goto out;
		}
	m->addr = addr;
	m->count = count;
	m->next = xgt->maps;
	xgt->maps = m;
	m = NULL;
out:
	if (m && mapped)
		xengnttab_release(xgt, m->handles, mapped);
	if (m)
		free(m->handles);
	free(m);
	free(ops);
	free(gfns);
	free(errs);
	if (!addr)
		errno = err ? err : EINVAL;
	return addr;
}

void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot)
{
	return xengnttab_map_grant_refs(xgt, 1, &domid, &ref, prot);
}

void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t domid,
				      uint32_t *refs, int prot)
{
	uint32_t *domids = calloc(count ? count : 1, sizeof(*domids));
	uint32_t i;
	void *addr;
	int saved;

	if (!domids) {
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < count; i++)
		domids[i] = domid;
	addr = xengnttab_map_grant_refs(xgt, count, domids, refs, prot);
	saved = errno;
	free(domids);
	errno = saved;
	return addr;
}

int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count)
{
	struct xengnttab_mapping **pp, *m;

	for (pp = &xgt->maps; (m = *pp); pp = &m->next) {
		if (m->addr != start_address)
			continue;
		if (m->count != count) {
			errno = EINVAL;
			return -1;
		}
		*pp = m->next;
		/* The pages go first, then xenhv releases the grants. */
		munmap(m->addr, (size_t)m->count << XC_PAGE_SHIFT);
		xengnttab_release(xgt, m->handles, m->count);
		free(m->handles);
		free(m);
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants)
{
	(void)xgt;
	(void)nr_grants;
	return 0;
}

/*
 * Each local side of a copy goes through a scratch page of ours at the same
 * offset (a bounce buffer of the call): the caller's own page may hold
 * stack or other data that must not travel or be written back.
 */
struct copy_batch {
	uint8_t *scratch; /* XENGNTTAB_COPY_PAGES pages */
	unsigned int used;
};

static int copy_local(struct copy_batch *b, struct gnttab_copy_ptr *p, void *virt, uint16_t len,
		      bool source)
{
	uint16_t off = (uint16_t)((uintptr_t)virt & (XC_PAGE_SIZE - 1));
	uint8_t *page;

	if (b->used == XENGNTTAB_COPY_PAGES)
		return -1;
	page = b->scratch + ((size_t)b->used++ << XC_PAGE_SHIFT);
	if (source && (size_t)off + len <= XC_PAGE_SIZE)
		memcpy(page + off, virt, len);
	p->u.gmfn = (uintptr_t)page >> XC_PAGE_SHIFT;
	p->domid = DOMID_SELF;
	p->offset = off;
	return 0;
}

static void copy_foreign(struct gnttab_copy_ptr *p, const union xengnttab_copy_ptr *seg)
{
	p->u.ref = seg->foreign.ref;
	p->domid = seg->foreign.domid;
	p->offset = seg->foreign.offset;
}

int xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
			 xengnttab_grant_copy_segment_t *segs)
{
	struct privcmd_buf bufs[PRIVCMD_MAX_BUFS];
	struct copy_batch b;
	struct gnttab_copy *ops;
	uint32_t done = 0;
	int rc = 0;

	/* Pages of their own: bounce buffers must not overlap the caller's. */
	ops = mmap(NULL, (XENGNTTAB_COPY_PAGES + 1) << XC_PAGE_SHIFT, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ops == MAP_FAILED)
		return -1;
	b.scratch = (uint8_t *)ops + XC_PAGE_SIZE;
	while (done < count) {
		uint64_t args[5] = { GNTTABOP_copy, (uint64_t)(uintptr_t)ops };
		unsigned int n = 0, i;

		b.used = 0;
		while (done + n < count && n < XC_PAGE_SIZE / sizeof(*ops)) {
			xengnttab_grant_copy_segment_t *s = &segs[done + n];
			bool sgref = s->flags & GNTCOPY_source_gref;
			bool dgref = s->flags & GNTCOPY_dest_gref;
			unsigned int need = !sgref + !dgref;

			if (b.used + need > XENGNTTAB_COPY_PAGES)
				break;
			memset(&ops[n], 0, sizeof(ops[n]));
			if (sgref)
				copy_foreign(&ops[n].source, &s->source);
			else
				copy_local(&b, &ops[n].source, s->source.virt, s->len, true);
			if (dgref)
				copy_foreign(&ops[n].dest, &s->dest);
			else
				copy_local(&b, &ops[n].dest, s->dest.virt, s->len, false);
			ops[n].len = s->len;
			ops[n].flags = s->flags;
			n++;
		}
		bufs[0] = xc_buf(ops, n * sizeof(ops[0]), PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT);
		for (i = 0; i < b.used; i++)
			bufs[i + 1] = xc_buf(b.scratch + ((size_t)i << XC_PAGE_SHIFT), XC_PAGE_SIZE,
					     PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT);
		args[2] = n;
		if (xc_hypercall(xgt->xch, __HYPERVISOR_grant_table_op, args, bufs, b.used + 1) <
		    0) {
			rc = -1;
			break;
		}
		for (i = 0; i < n; i++) {
			xengnttab_grant_copy_segment_t *s = &segs[done + i];

			s->status = ops[i].status;
			if (s->status == GNTST_okay && !(s->flags & GNTCOPY_dest_gref))
				memcpy(s->dest.virt,
				       (uint8_t *)(uintptr_t)(ops[i].dest.u.gmfn << XC_PAGE_SHIFT) +
					       ops[i].dest.offset,
				       s->len);
		}
		done += n;
	}
	munmap(ops, (XENGNTTAB_COPY_PAGES + 1) << XC_PAGE_SHIFT);
	return rc;
}
