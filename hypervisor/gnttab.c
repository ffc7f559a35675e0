/*
 * Grant tables, version 1 (see gnttab.h for the interface).
 *
 * Design
 * - A domain's table is a list of 4 KiB frames shared with the guest
 *   (allocated through ops->table_frame_alloc so that xenhv can map them
 *   into the guest), 512 grant_entry_v1 each.  It starts with one frame and
 *   grows on setup_table or add_to_physmap up to max_frames.
 * - The guest owns the entries and may rewrite them at any time.  Entry
 *   headers (flags and domid, one 32-bit word) are read once and changed
 *   only with a compare-and-swap loop bounded to a few retries, exactly as
 *   Xen's _set_status_v1: the type and domid are checked only when the
 *   entry is not already pinned, GTF_reading (and GTF_writing for a
 *   writable use) is set in the same CAS, and a guest that keeps changing
 *   the word gets GNTST_general_error instead of a livelock.  The frame
 *   number is read once, at the first pin.  Flags are cleared with atomic
 *   and: GTF_writing when the last writable pin goes, GTF_reading when the
 *   last pin goes.  So a guest that clears GTF_permit_access or changes the
 *   frame while the entry is mapped changes nothing of what xenhv holds.
 * - Each entry has hypervisor-private active state (Xen's active grant
 *   entry): pin counts in Xen's layout (host/device x read/write, 8 bits
 *   each, refused near overflow), the pinning domain, the frame and the
 *   frame reference taken with ops->frame_get at the first pin and dropped
 *   with ops->frame_put at the last.
 * - Each mapping domain has maptrack handles (Xen's grant_mapping: granting
 *   domain, ref, GNTMAP flags), a free list grown 256 at a time up to the
 *   domain's maptrack limit; exhaustion is GNTST_no_device_space, as Xen's
 *   map_grant_ref reports it.
 * - Grant copy acquires each side (a grant with a read or write pin, or a
 *   frame of DOMID_SELF), checks the bounds, copies, and releases, with
 *   Xen's GNTST_* status per operation.  The copy runs under the lock so a
 *   domain destroyed by another thread cannot free a frame mid-copy.
 * - Every domain lives in one registry with one mutex (map and copy touch
 *   two domains).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gnttab.h"

/* Xen's pin count layout (xen/common/grant_table.c). */
#define GNTPIN_hstw_shift 0
#define GNTPIN_hstr_shift 8
#define GNTPIN_devw_shift 16
#define GNTPIN_devr_shift 24
#define GNTPIN_hstw_inc (1u << GNTPIN_hstw_shift)
#define GNTPIN_hstr_inc (1u << GNTPIN_hstr_shift)
#define GNTPIN_devw_inc (1u << GNTPIN_devw_shift)
#define GNTPIN_devr_inc (1u << GNTPIN_devr_shift)
#define GNTPIN_hstw_mask (0xffu << GNTPIN_hstw_shift)
#define GNTPIN_hstr_mask (0xffu << GNTPIN_hstr_shift)
#define GNTPIN_devw_mask (0xffu << GNTPIN_devw_shift)
#define GNTPIN_devr_mask (0xffu << GNTPIN_devr_shift)
#define GNTPIN_write_mask (GNTPIN_hstw_mask | GNTPIN_devw_mask)
#define GNTPIN_overflow 0x80808080u

#define MAPTRACK_NONE UINT32_MAX

/* The guest's entry words, accessed through these types only. */
typedef uint32_t __attribute__((may_alias)) guest_u32;
typedef uint16_t __attribute__((may_alias)) guest_u16;

union grant_combo {
	uint32_t raw;
	struct {
		uint16_t flags;
		domid_t domid;
	};
};

struct gnttab_active {
	uint32_t pin;
	domid_t domid; /* the domain holding the pins */
	bool page_writable; /* the frame reference allows writes */
	xen_pfn_t frame;
	void *page;
};

struct gnttab_mapping {
	uint32_t flags; /* GNTMAP_*, 0: free */
	domid_t domid;
	bool orphan;
	grant_ref_t ref;
	uint32_t next_free;
};

struct gnttab_domain {
	struct gnttab_host *h;
	domid_t domid;
	bool privileged;
	void *owner;

	unsigned int max_frames;
	unsigned int nr_frames;
	void **frames; /* [max_frames] */
	xen_pfn_t *frame_numbers; /* [max_frames] */
	struct gnttab_active *active; /* [nr_frames * entries per frame] */

	uint32_t max_handles;
	uint32_t nr_handles; /* allocated */
	uint32_t handles_used;
	uint32_t free_head;
	struct gnttab_mapping *maptrack;
};

struct gnttab_host {
	pthread_mutex_t lock;
	const struct gnttab_ops *ops;
	void *opaque;
	struct gnttab_domain **domains; /* [DOMID_FIRST_RESERVED] */
};

static struct gnttab_domain *domain_by_id(struct gnttab_host *h, domid_t id)
{
	return id < DOMID_FIRST_RESERVED ? h->domains[id] : NULL;
}

static struct gnttab_domain *domain_by_any_id(struct gnttab_domain *caller, domid_t id)
{
	return id == DOMID_SELF ? caller : domain_by_id(caller->h, id);
}

static bool may_target(const struct gnttab_domain *caller, const struct gnttab_domain *d)
{
	return caller == d || caller->privileged;
}

static uint32_t nr_entries(const struct gnttab_domain *d)
{
	return d->nr_frames * GNTTAB_ENTRIES_PER_FRAME;
}

static grant_entry_v1_t *shared_entry(struct gnttab_domain *d, grant_ref_t ref)
{
	return (grant_entry_v1_t *)d->frames[ref / GNTTAB_ENTRIES_PER_FRAME] +
	       ref % GNTTAB_ENTRIES_PER_FRAME;
}

static guest_u32 *entry_header(struct gnttab_domain *d, grant_ref_t ref)
{
	return (guest_u32 *)shared_entry(d, ref);
}

static void clear_flags(struct gnttab_domain *d, grant_ref_t ref, uint16_t mask)
{
	if (mask)
		__atomic_fetch_and((guest_u16 *)&shared_entry(d, ref)->flags, (uint16_t)~mask,
				   __ATOMIC_SEQ_CST);
}

/* Xen's _set_status_v1: see the design note at the top. */
static int set_status(struct gnttab_domain *rd, grant_ref_t ref, const struct gnttab_active *act,
		      bool readonly, domid_t ldomid)
{
	guest_u32 *hdr = entry_header(rd, ref);
	union grant_combo cur, new;
	int retries = 0;

	cur.raw = __atomic_load_n(hdr, __ATOMIC_SEQ_CST);
	for (;;) {
		if (!act->pin &&
		    ((cur.flags & (GTF_type_mask | GTF_sub_page)) != GTF_permit_access ||
		     cur.domid != ldomid))
			return GNTST_general_error;
		new = cur;
		new.flags |= GTF_reading;
		if (!readonly) {
			new.flags |= GTF_writing;
			if (cur.flags & GTF_readonly)
				return GNTST_general_error;
		}
		/* On failure cur gets the word the guest wrote meanwhile. */
		if (__atomic_compare_exchange_n(hdr, &cur.raw, new.raw, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return GNTST_okay;
		if (retries++ == GNTTAB_CMPXCHG_RETRIES)
			return GNTST_general_error;
	}
}

/*
 * Pin work common to map and copy, after set_status: the frame reference.
 * The frame number is read once, at the first pin; a later writable use of
 * an entry pinned read-only upgrades the reference.
 */
static int pin_frame(struct gnttab_domain *rd, grant_ref_t ref, struct gnttab_active *act,
		     bool readonly, domid_t ldomid)
{
	const struct gnttab_ops *ops = rd->h->ops;
	void *page;

	if (!act->pin) {
		xen_pfn_t frame = __atomic_load_n(&shared_entry(rd, ref)->frame, __ATOMIC_SEQ_CST);

		page = ops->frame_get(rd->h->opaque, rd, frame, !readonly);
		if (!page)
			return GNTST_bad_page;
		act->frame = frame;
		act->page = page;
		act->page_writable = !readonly;
		act->domid = ldomid;
		return GNTST_okay;
	}
	if (!readonly && !act->page_writable) {
		page = ops->frame_get(rd->h->opaque, rd, act->frame, true);
		if (!page)
			return GNTST_general_error;
		ops->frame_put(rd->h->opaque, rd, act->frame, act->page);
		act->page = page;
		act->page_writable = true;
	}
	return GNTST_okay;
}

/* After pins were dropped (or a first pin failed): flags and reference. */
static void unpin_finish(struct gnttab_domain *rd, grant_ref_t ref, struct gnttab_active *act,
			 bool readonly)
{
	uint16_t mask = 0;

	if (!readonly && !(act->pin & GNTPIN_write_mask))
		mask |= GTF_writing;
	if (!act->pin)
		mask |= GTF_reading;
	clear_flags(rd, ref, mask);
	if (!act->pin && act->page) {
		rd->h->ops->frame_put(rd->h->opaque, rd, act->frame, act->page);
		act->page = NULL;
		act->page_writable = false;
	}
}

static uint32_t pin_inc(uint32_t gntmap_flags)
{
	bool ro = gntmap_flags & GNTMAP_readonly;
	uint32_t inc = 0;

	if (gntmap_flags & GNTMAP_device_map)
		inc += ro ? GNTPIN_devr_inc : GNTPIN_devw_inc;
	if (gntmap_flags & GNTMAP_host_map)
		inc += ro ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
	return inc;
}

static int grow_table(struct gnttab_domain *d, unsigned int req)
{
	const struct gnttab_ops *ops = d->h->ops;
	struct gnttab_active *active;
	unsigned int i, old = d->nr_frames;
	int rc;

	if (req < GNTTAB_INITIAL_FRAMES)
		req = GNTTAB_INITIAL_FRAMES;
	if (req > d->max_frames)
		return -EINVAL;
	if (req <= old)
		return 0;
	active = realloc(d->active, (size_t)req * GNTTAB_ENTRIES_PER_FRAME * sizeof(*active));
	if (!active)
		return -ENOMEM;
	d->active = active;
	memset(&active[old * GNTTAB_ENTRIES_PER_FRAME], 0,
	       (size_t)(req - old) * GNTTAB_ENTRIES_PER_FRAME * sizeof(*active));
	for (i = old; i < req; i++) {
		rc = ops->table_frame_alloc(d->h->opaque, d, i, &d->frames[i],
					    &d->frame_numbers[i]);
		if (rc)
			goto fail;
		memset(d->frames[i], 0, GNTTAB_FRAME_SIZE);
	}
	d->nr_frames = req;
	return 0;
fail:
	while (i-- > old) {
		ops->table_frame_free(d->h->opaque, d, i, d->frames[i]);
		d->frames[i] = NULL;
	}
	return rc < 0 ? rc : -ENOMEM;
}

/* Maptrack handles: a free list grown a frame's worth at a time. */
static uint32_t get_maptrack_handle(struct gnttab_domain *ld)
{
	struct gnttab_mapping *mt;
	uint32_t handle, i, n;

	if (ld->free_head == MAPTRACK_NONE) {
		if (ld->nr_handles >= ld->max_handles)
			return MAPTRACK_NONE;
		n = ld->nr_handles + GNTTAB_MAPTRACK_PER_FRAME;
		if (n > ld->max_handles)
			n = ld->max_handles;
		mt = realloc(ld->maptrack, n * sizeof(*mt));
		if (!mt)
			return MAPTRACK_NONE;
		ld->maptrack = mt;
		for (i = ld->nr_handles; i < n; i++) {
			memset(&mt[i], 0, sizeof(mt[i]));
			mt[i].next_free = i + 1 < n ? i + 1 : MAPTRACK_NONE;
		}
		ld->free_head = ld->nr_handles;
		ld->nr_handles = n;
	}
	handle = ld->free_head;
	ld->free_head = ld->maptrack[handle].next_free;
	ld->handles_used++;
	return handle;
}

static void put_maptrack_handle(struct gnttab_domain *ld, uint32_t handle)
{
	memset(&ld->maptrack[handle], 0, sizeof(ld->maptrack[handle]));
	ld->maptrack[handle].next_free = ld->free_head;
	ld->free_head = handle;
	ld->handles_used--;
}

struct gnttab_host *gnttab_host_create(const struct gnttab_ops *ops, void *opaque)
{
	struct gnttab_host *h;

	if (!ops || !ops->table_frame_alloc || !ops->table_frame_free || !ops->frame_get ||
	    !ops->frame_put)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->domains = calloc(DOMID_FIRST_RESERVED, sizeof(*h->domains));
	if (!h->domains) {
		free(h);
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	h->ops = ops;
	h->opaque = opaque;
	return h;
}

static void domain_free(struct gnttab_domain *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_frames; i++)
		d->h->ops->table_frame_free(d->h->opaque, d, i, d->frames[i]);
	free(d->frames);
	free(d->frame_numbers);
	free(d->active);
	free(d->maptrack);
	free(d);
}

static void unmap_handle(struct gnttab_domain *ld, uint32_t handle);

/* See gnttab_domain_destroy() in gnttab.h.  Lock held. */
static void domain_teardown(struct gnttab_domain *d)
{
	struct gnttab_host *h = d->h;
	struct gnttab_domain *m;
	uint32_t i;
	unsigned int id;

	for (i = 0; i < d->nr_handles; i++)
		if (d->maptrack[i].flags)
			unmap_handle(d, i);
	for (i = 0; i < nr_entries(d); i++) {
		struct gnttab_active *act = &d->active[i];

		if (act->page)
			h->ops->frame_put(h->opaque, d, act->frame, act->page);
		memset(act, 0, sizeof(*act));
	}
	for (id = 0; id < DOMID_FIRST_RESERVED; id++) {
		m = h->domains[id];
		if (!m || m == d)
			continue;
		for (i = 0; i < m->nr_handles; i++)
			if (m->maptrack[i].flags && m->maptrack[i].domid == d->domid)
				m->maptrack[i].orphan = true;
	}
	h->domains[d->domid] = NULL;
}

void gnttab_host_destroy(struct gnttab_host *h)
{
	unsigned int i;

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	for (i = 0; i < DOMID_FIRST_RESERVED; i++) {
		struct gnttab_domain *d = h->domains[i];

		if (d) {
			domain_teardown(d);
			domain_free(d);
		}
	}
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_destroy(&h->lock);
	free(h->domains);
	free(h);
}

int gnttab_domain_create(struct gnttab_host *h, const struct gnttab_domain_config *cfg,
			 struct gnttab_domain **out)
{
	unsigned int maptrack_frames = cfg->max_maptrack_frames
					       ? cfg->max_maptrack_frames
					       : GNTTAB_DEFAULT_MAX_MAPTRACK_FRAMES;
	struct gnttab_domain *d;
	int rc = -ENOMEM;

	if (cfg->domid >= DOMID_FIRST_RESERVED || cfg->max_frames > GNTTAB_MAX_FRAMES_LIMIT ||
	    maptrack_frames > UINT32_MAX / GNTTAB_MAPTRACK_PER_FRAME)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->h = h;
	d->domid = cfg->domid;
	d->privileged = cfg->privileged;
	d->owner = cfg->owner;
	d->max_frames = cfg->no_table	  ? 0
			: cfg->max_frames ? cfg->max_frames
					  : GNTTAB_DEFAULT_MAX_FRAMES;
	d->max_handles = maptrack_frames * GNTTAB_MAPTRACK_PER_FRAME;
	d->free_head = MAPTRACK_NONE;
	if (d->max_frames) {
		d->frames = calloc(d->max_frames, sizeof(*d->frames));
		d->frame_numbers = calloc(d->max_frames, sizeof(*d->frame_numbers));
		if (!d->frames || !d->frame_numbers)
			goto out;
		rc = grow_table(d, GNTTAB_INITIAL_FRAMES);
		if (rc)
			goto out;
	}
	pthread_mutex_lock(&h->lock);
	if (h->domains[d->domid]) {
		pthread_mutex_unlock(&h->lock);
		rc = -EEXIST;
		goto out;
	}
	h->domains[d->domid] = d;
	pthread_mutex_unlock(&h->lock);
	*out = d;
	return 0;
out:
	domain_free(d);
	return rc;
}

void gnttab_domain_destroy(struct gnttab_domain *d)
{
	struct gnttab_host *h;

	if (!d)
		return;
	h = d->h;
	pthread_mutex_lock(&h->lock);
	domain_teardown(d);
	pthread_mutex_unlock(&h->lock);
	domain_free(d);
}

struct gnttab_domain *gnttab_domain_lookup(struct gnttab_host *h, domid_t domid)
{
	struct gnttab_domain *d;

	pthread_mutex_lock(&h->lock);
	d = domain_by_id(h, domid);
	pthread_mutex_unlock(&h->lock);
	return d;
}

void *gnttab_domain_owner(const struct gnttab_domain *d)
{
	return d->owner;
}

domid_t gnttab_domain_id(const struct gnttab_domain *d)
{
	return d->domid;
}

int gnttab_seed_entry(struct gnttab_domain *d, grant_ref_t ref, domid_t backend, xen_pfn_t frame)
{
	grant_entry_v1_t *e;
	int rc = 0;

	if (frame > UINT32_MAX)
		return -ERANGE; /* v1 entries hold 32-bit frame numbers */
	pthread_mutex_lock(&d->h->lock);
	if (ref >= nr_entries(d)) {
		rc = -EINVAL;
		goto out;
	}
	e = shared_entry(d, ref);
	/* Frame and domid first: the flags make the entry live. */
	__atomic_store_n(&e->frame, (uint32_t)frame, __ATOMIC_SEQ_CST);
	__atomic_store_n((guest_u16 *)&e->domid, backend, __ATOMIC_SEQ_CST);
	__atomic_store_n((guest_u16 *)&e->flags, (uint16_t)GTF_permit_access, __ATOMIC_SEQ_CST);
out:
	pthread_mutex_unlock(&d->h->lock);
	return rc;
}

int gnttab_get_table_frame(struct gnttab_domain *d, unsigned int idx, void **page, xen_pfn_t *frame)
{
	int rc = 0;

	pthread_mutex_lock(&d->h->lock);
	if (idx >= d->max_frames) {
		rc = -EINVAL;
		goto out;
	}
	if (idx >= d->nr_frames)
		rc = grow_table(d, idx + 1);
	if (!rc) {
		*page = d->frames[idx];
		*frame = d->frame_numbers[idx];
	}
out:
	pthread_mutex_unlock(&d->h->lock);
	return rc;
}

int gnttab_set_frame_number(struct gnttab_domain *d, unsigned int idx, xen_pfn_t frame)
{
	int rc = 0;

	pthread_mutex_lock(&d->h->lock);
	if (idx < d->nr_frames)
		d->frame_numbers[idx] = frame;
	else
		rc = -EINVAL;
	pthread_mutex_unlock(&d->h->lock);
	return rc;
}

unsigned int gnttab_nr_frames(struct gnttab_domain *d)
{
	unsigned int n;

	pthread_mutex_lock(&d->h->lock);
	n = d->nr_frames;
	pthread_mutex_unlock(&d->h->lock);
	return n;
}

int gnttab_setup_table(struct gnttab_domain *caller, struct gnttab_setup_table *op,
		       xen_pfn_t *frames, unsigned int cap)
{
	struct gnttab_domain *d;
	unsigned int i;

	pthread_mutex_lock(&caller->h->lock);
	d = domain_by_any_id(caller, op->dom);
	if (!d)
		op->status = GNTST_bad_domain;
	else if (!may_target(caller, d))
		op->status = GNTST_permission_denied;
	else if (op->nr_frames > d->max_frames || op->nr_frames > cap)
		op->status = GNTST_general_error;
	else if (op->nr_frames > d->nr_frames && grow_table(d, op->nr_frames))
		op->status = GNTST_general_error;
	else {
		op->status = GNTST_okay;
		for (i = 0; i < op->nr_frames; i++)
			frames[i] = d->frame_numbers[i];
	}
	pthread_mutex_unlock(&caller->h->lock);
	return 0;
}

int gnttab_query_size(struct gnttab_domain *caller, struct gnttab_query_size *op)
{
	struct gnttab_domain *d;

	pthread_mutex_lock(&caller->h->lock);
	d = domain_by_any_id(caller, op->dom);
	if (!d) {
		op->status = GNTST_bad_domain;
	} else if (!may_target(caller, d)) {
		op->status = GNTST_permission_denied;
	} else {
		op->nr_frames = d->nr_frames;
		op->max_nr_frames = d->max_frames;
		op->status = GNTST_okay;
	}
	pthread_mutex_unlock(&caller->h->lock);
	return 0;
}

int gnttab_get_version(struct gnttab_domain *caller, struct gnttab_get_version *op)
{
	struct gnttab_domain *d;
	int rc = 0;

	pthread_mutex_lock(&caller->h->lock);
	d = domain_by_any_id(caller, op->dom);
	if (!d)
		rc = -ESRCH;
	else if (!may_target(caller, d))
		rc = -EPERM;
	else
		op->version = 1;
	pthread_mutex_unlock(&caller->h->lock);
	return rc;
}

int gnttab_set_version(struct gnttab_domain *caller, struct gnttab_set_version *op)
{
	uint32_t want = op->version;

	(void)caller;
	op->version = 1; /* Xen reports the version in force, even on error */
	if (want != 1 && want != 2)
		return -EINVAL;
	if (want == 2)
		return -ENOSYS; /* as Xen with gnttab_max_version=1 */
	return 0;
}

void gnttab_map_grant_ref(struct gnttab_domain *ld, struct gnttab_map_grant_ref *op)
{
	struct gnttab_host *h = ld->h;
	bool ro = op->flags & GNTMAP_readonly;
	struct gnttab_active *act;
	struct gnttab_domain *rd;
	struct gnttab_mapping *mt;
	uint32_t handle;
	int rc;

	if (!(op->flags & (GNTMAP_device_map | GNTMAP_host_map))) {
		op->status = GNTST_bad_gntref;
		return;
	}
	pthread_mutex_lock(&h->lock);
	/* Xen looks the granter up by id only: DOMID_SELF is no domain here. */
	rd = domain_by_id(h, op->dom);
	if (!rd) {
		rc = GNTST_bad_domain;
		goto out;
	}
	handle = get_maptrack_handle(ld);
	if (handle == MAPTRACK_NONE) {
		rc = GNTST_no_device_space;
		goto out;
	}
	rc = GNTST_bad_gntref;
	if (op->ref >= nr_entries(rd))
		goto out_put;
	act = &rd->active[op->ref];
	rc = GNTST_general_error;
	if (act->pin && (act->domid != ld->domid || (act->pin & GNTPIN_overflow)))
		goto out_put;
	if (!act->pin || (!ro && !(act->pin & GNTPIN_write_mask))) {
		rc = set_status(rd, op->ref, act, ro, ld->domid);
		if (rc != GNTST_okay)
			goto out_put;
		rc = pin_frame(rd, op->ref, act, ro, ld->domid);
		if (rc != GNTST_okay) {
			unpin_finish(rd, op->ref, act, ro);
			goto out_put;
		}
	}
	act->pin += pin_inc(op->flags);
	mt = &ld->maptrack[handle];
	mt->domid = op->dom;
	mt->ref = op->ref;
	mt->flags = op->flags & (GNTMAP_device_map | GNTMAP_host_map | GNTMAP_readonly);
	op->dev_bus_addr = (uint64_t)act->frame << 12;
	op->handle = handle;
	rc = GNTST_okay;
	goto out;
out_put:
	put_maptrack_handle(ld, handle);
out:
	op->status = (int16_t)rc;
	pthread_mutex_unlock(&h->lock);
}

/* Drop everything a live handle holds.  Lock held. */
static void unmap_handle(struct gnttab_domain *ld, uint32_t handle)
{
	struct gnttab_mapping *mt = &ld->maptrack[handle];
	bool ro = mt->flags & GNTMAP_readonly;
	struct gnttab_active *act;
	struct gnttab_domain *rd;

	rd = mt->orphan ? NULL : domain_by_id(ld->h, mt->domid);
	if (rd && mt->ref < nr_entries(rd)) {
		act = &rd->active[mt->ref];
		act->pin -= pin_inc(mt->flags);
		unpin_finish(rd, mt->ref, act, ro);
	}
	put_maptrack_handle(ld, handle);
}

void gnttab_unmap_grant_ref(struct gnttab_domain *ld, struct gnttab_unmap_grant_ref *op)
{
	struct gnttab_mapping *mt;
	struct gnttab_domain *rd;
	int rc = GNTST_okay;

	pthread_mutex_lock(&ld->h->lock);
	if (op->handle >= ld->nr_handles || !ld->maptrack[op->handle].flags) {
		rc = GNTST_bad_handle;
		goto out;
	}
	mt = &ld->maptrack[op->handle];
	rd = mt->orphan ? NULL : domain_by_id(ld->h, mt->domid);
	if (rd && op->dev_bus_addr &&
	    op->dev_bus_addr != (uint64_t)rd->active[mt->ref].frame << 12) {
		rc = GNTST_general_error;
		goto out;
	}
	unmap_handle(ld, op->handle);
out:
	op->status = (int16_t)rc;
	pthread_mutex_unlock(&ld->h->lock);
}

int gnttab_mapping_info(struct gnttab_domain *ld, grant_handle_t handle,
			struct gnttab_mapping_info *info)
{
	struct gnttab_mapping *mt;
	struct gnttab_domain *rd;
	int rc = 0;

	pthread_mutex_lock(&ld->h->lock);
	if (handle >= ld->nr_handles || !ld->maptrack[handle].flags) {
		rc = -ENOENT;
		goto out;
	}
	mt = &ld->maptrack[handle];
	memset(info, 0, sizeof(*info));
	info->domid = mt->domid;
	info->ref = mt->ref;
	info->flags = mt->flags;
	info->orphan = mt->orphan;
	rd = mt->orphan ? NULL : domain_by_id(ld->h, mt->domid);
	if (rd) {
		info->frame = rd->active[mt->ref].frame;
		info->page = rd->active[mt->ref].page;
	}
out:
	pthread_mutex_unlock(&ld->h->lock);
	return rc;
}

/* One side of a copy, as Xen's struct gnttab_copy_buf. */
struct copy_buf {
	struct gnttab_domain *d;
	bool gref;
	bool readonly;
	grant_ref_t ref;
	xen_pfn_t gmfn;
	void *page;
	bool have_grant;
	bool have_frame; /* a frame_get reference to put */
};

static int copy_lock_domain(struct gnttab_domain *ld, domid_t domid, bool gref, struct copy_buf *b)
{
	/* Only DOMID_SELF may be named by frame. */
	if (domid != DOMID_SELF && !gref)
		return GNTST_permission_denied;
	b->d = domain_by_any_id(ld, domid);
	return b->d ? GNTST_okay : GNTST_bad_domain;
}

/* Xen's acquire_grant_for_copy() for a v1 entry. */
static int acquire_grant_for_copy(struct gnttab_domain *rd, grant_ref_t ref, domid_t ldom,
				  bool readonly, void **page)
{
	struct gnttab_active *act;
	int rc;

	if (ref >= nr_entries(rd))
		return GNTST_bad_gntref;
	act = &rd->active[ref];
	if (act->pin && (act->domid != ldom || (act->pin & GNTPIN_overflow)))
		return GNTST_general_error;
	if (!act->pin || (!readonly && !(act->pin & GNTPIN_write_mask))) {
		rc = set_status(rd, ref, act, readonly, ldom);
		if (rc != GNTST_okay)
			return rc;
		rc = pin_frame(rd, ref, act, readonly, ldom);
		if (rc != GNTST_okay) {
			unpin_finish(rd, ref, act, readonly);
			return rc;
		}
	}
	act->pin += readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
	*page = act->page;
	return GNTST_okay;
}

static void release_grant_for_copy(struct gnttab_domain *rd, grant_ref_t ref, bool readonly)
{
	struct gnttab_active *act = &rd->active[ref];

	act->pin -= readonly ? GNTPIN_hstr_inc : GNTPIN_hstw_inc;
	unpin_finish(rd, ref, act, readonly);
}

static int copy_claim(struct gnttab_domain *ld, const struct gnttab_copy_ptr *ptr,
		      struct copy_buf *b, const struct gnttab_copy_local *local)
{
	const struct gnttab_ops *ops = ld->h->ops;
	int rc;

	if (b->gref) {
		rc = acquire_grant_for_copy(b->d, ptr->u.ref, ld->domid, b->readonly, &b->page);
		if (rc != GNTST_okay)
			return rc;
		b->ref = ptr->u.ref;
		b->have_grant = true;
		return GNTST_okay;
	}
	b->gmfn = ptr->u.gmfn;
	if (local && b->d == ld) {
		b->page = local->frame(local->ctx, b->gmfn, !b->readonly);
	} else {
		b->page = ops->frame_get(ld->h->opaque, b->d, b->gmfn, !b->readonly);
		b->have_frame = b->page != NULL;
	}
	return b->page ? GNTST_okay : GNTST_bad_page;
}

static void copy_release(struct gnttab_domain *ld, struct copy_buf *b)
{
	if (b->have_grant)
		release_grant_for_copy(b->d, b->ref, b->readonly);
	if (b->have_frame)
		ld->h->ops->frame_put(ld->h->opaque, b->d, b->gmfn, b->page);
	b->have_grant = b->have_frame = false;
	b->page = NULL;
}

static int copy_one(struct gnttab_domain *ld, const struct gnttab_copy *op,
		    const struct gnttab_copy_local *local)
{
	struct copy_buf src = { .gref = op->flags & GNTCOPY_source_gref, .readonly = true };
	struct copy_buf dst = { .gref = op->flags & GNTCOPY_dest_gref };
	int rc;

	rc = copy_lock_domain(ld, op->source.domid, src.gref, &src);
	if (rc != GNTST_okay)
		return rc;
	rc = copy_lock_domain(ld, op->dest.domid, dst.gref, &dst);
	if (rc != GNTST_okay)
		return rc;
	rc = copy_claim(ld, &op->source, &src, local);
	if (rc != GNTST_okay)
		goto out;
	rc = copy_claim(ld, &op->dest, &dst, local);
	if (rc != GNTST_okay)
		goto out;
	if ((unsigned int)op->source.offset + op->len > GNTTAB_FRAME_SIZE ||
	    (unsigned int)op->dest.offset + op->len > GNTTAB_FRAME_SIZE) {
		rc = GNTST_bad_copy_arg;
		goto out;
	}
	/* Source and destination may be the same frame. */
	memmove((uint8_t *)dst.page + op->dest.offset,
		(const uint8_t *)src.page + op->source.offset, op->len);
	rc = GNTST_okay;
out:
	copy_release(ld, &dst);
	copy_release(ld, &src);
	return rc;
}

int gnttab_copy(struct gnttab_domain *caller, struct gnttab_copy *ops, unsigned int count,
		const struct gnttab_copy_local *local)
{
	unsigned int i;

	pthread_mutex_lock(&caller->h->lock);
	for (i = 0; i < count; i++)
		ops[i].status = (int16_t)copy_one(caller, &ops[i], local);
	pthread_mutex_unlock(&caller->h->lock);
	return 0;
}

uint32_t gnttab_entry_pin(struct gnttab_domain *d, grant_ref_t ref)
{
	uint32_t pin = 0;

	pthread_mutex_lock(&d->h->lock);
	if (ref < nr_entries(d))
		pin = d->active[ref].pin;
	pthread_mutex_unlock(&d->h->lock);
	return pin;
}

unsigned int gnttab_pinned_entries(struct gnttab_domain *d)
{
	unsigned int n = 0;
	uint32_t i;

	pthread_mutex_lock(&d->h->lock);
	for (i = 0; i < nr_entries(d); i++)
		n += d->active[i].pin != 0;
	pthread_mutex_unlock(&d->h->lock);
	return n;
}

unsigned int gnttab_maptrack_in_use(struct gnttab_domain *d)
{
	unsigned int n;

	pthread_mutex_lock(&d->h->lock);
	n = d->handles_used;
	pthread_mutex_unlock(&d->h->lock);
	return n;
}
