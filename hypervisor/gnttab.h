/*
 * Grant tables of xenhv, version 1: each domain's table of grant_entry_v1
 * in frames shared with the guest, the GNTTABOP_* operations with Xen's
 * structures and GNTST_* statuses, the active (pinned) state of each entry,
 * maptrack handles of each mapping domain, grant copy, the reserved entries
 * the domain builder fills, and teardown.
 *
 * Pure logic: no KVM, no sockets.  Memory is reached through struct
 * gnttab_ops (table frames, guest frames by number), so tests use plain
 * buffers.  Every function takes the module's own lock; callbacks run with
 * it held and must not call back into this module.  xenhv calls in with
 * hv->lock held, so the lock order is hv->lock, then the grant table lock.
 */
#ifndef XENHV_GNTTAB_H
#define XENHV_GNTTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/grant_table.h>
#include <xen/xen.h>

#define GNTTAB_FRAME_SIZE 4096u
#define GNTTAB_ENTRIES_PER_FRAME (GNTTAB_FRAME_SIZE / sizeof(grant_entry_v1_t))
/* Xen's defaults: gnttab_max_frames=64, gnttab_max_maptrack_frames=1024. */
#define GNTTAB_DEFAULT_MAX_FRAMES 64u
#define GNTTAB_DEFAULT_MAX_MAPTRACK_FRAMES 1024u
/* Xen's INITIAL_NR_GRANT_FRAMES: a table starts with one frame. */
#define GNTTAB_INITIAL_FRAMES 1u
/* Handles per maptrack frame (Xen's struct grant_mapping is 16 bytes). */
#define GNTTAB_MAPTRACK_PER_FRAME 256u
/* Upper bound of any domain's max_frames: callers can size frame lists. */
#define GNTTAB_MAX_FRAMES_LIMIT 1024u
/* Xen's cmpxchg retry bound on an entry a guest keeps rewriting. */
#define GNTTAB_CMPXCHG_RETRIES 4

struct gnttab_host;
struct gnttab_domain;

struct gnttab_ops {
	/*
	 * Frame idx of d's grant table: 4 KiB of zeroed, page-aligned memory
	 * that xenhv shares with the guest, and the frame number setup_table
	 * reports for it (an MFN for PV, the GFN for PVH; see
	 * gnttab_set_frame_number()).  0 or -errno.
	 */
	int (*table_frame_alloc)(void *opaque, struct gnttab_domain *d, unsigned int idx,
				 void **page, xen_pfn_t *frame);
	void (*table_frame_free)(void *opaque, struct gnttab_domain *d, unsigned int idx,
				 void *page);
	/*
	 * Frame gfn of domain d's RAM for access (writable: the granting side
	 * allows writes): a reference and the host address of its 4 KiB, or
	 * NULL when gfn is not d's RAM (GNTST_bad_page).  frame_put drops it.
	 */
	void *(*frame_get)(void *opaque, struct gnttab_domain *d, xen_pfn_t gfn, bool writable);
	void (*frame_put)(void *opaque, struct gnttab_domain *d, xen_pfn_t gfn, void *page);
};

struct gnttab_domain_config {
	domid_t domid;
	/* Table size limit in frames; 0: GNTTAB_DEFAULT_MAX_FRAMES. */
	unsigned int max_frames;
	/* Maptrack limit in frames; 0: GNTTAB_DEFAULT_MAX_MAPTRACK_FRAMES. */
	unsigned int max_maptrack_frames;
	bool privileged; /* may name other domains (domain 0) */
	/* No table of its own (the host domain): it only maps and copies. */
	bool no_table;
	void *owner; /* the caller's domain, see gnttab_domain_owner() */
};

struct gnttab_host *gnttab_host_create(const struct gnttab_ops *ops, void *opaque);
/* Destroys every domain still registered. */
void gnttab_host_destroy(struct gnttab_host *h);

/* The table starts with GNTTAB_INITIAL_FRAMES frames.  0 or -errno. */
int gnttab_domain_create(struct gnttab_host *h, const struct gnttab_domain_config *cfg,
			 struct gnttab_domain **out);
/*
 * Teardown: every mapping d holds is unmapped (the granters' flags are
 * cleared as by GNTTABOP_unmap_grant_ref); every grant of d still mapped by
 * others loses its pin and frame reference, and the mappers' handles become
 * orphans that a later unmap releases with GNTST_okay.  Table frames are
 * freed.
 */
void gnttab_domain_destroy(struct gnttab_domain *d);
struct gnttab_domain *gnttab_domain_lookup(struct gnttab_host *h, domid_t domid);
void *gnttab_domain_owner(const struct gnttab_domain *d);
domid_t gnttab_domain_id(const struct gnttab_domain *d);

/* For the builder: GNTTAB_RESERVED_CONSOLE / _XENSTORE entries. */
int gnttab_seed_entry(struct gnttab_domain *d, grant_ref_t ref, domid_t backend, xen_pfn_t frame);
static inline int gnttab_seed_console(struct gnttab_domain *d, domid_t backend, xen_pfn_t frame)
{
	return gnttab_seed_entry(d, GNTTAB_RESERVED_CONSOLE, backend, frame);
}
static inline int gnttab_seed_xenstore(struct gnttab_domain *d, domid_t backend, xen_pfn_t frame)
{
	return gnttab_seed_entry(d, GNTTAB_RESERVED_XENSTORE, backend, frame);
}

/*
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table, idx): frame idx of d's
 * table, growing the table to idx + 1 frames when below its limit.  -EINVAL
 * beyond the limit.  gnttab_set_frame_number() then records where the
 * guest placed it, which setup_table reports from then on.
 */
int gnttab_get_table_frame(struct gnttab_domain *d, unsigned int idx, void **page,
			   xen_pfn_t *frame);
int gnttab_set_frame_number(struct gnttab_domain *d, unsigned int idx, xen_pfn_t frame);
unsigned int gnttab_nr_frames(struct gnttab_domain *d);

/*
 * GNTTABOP_* with Xen's structures.  Like Xen's, the table operations
 * return 0 with op->status set, or -errno for a malformed call.
 * setup_table writes op->nr_frames frame numbers to frames (capacity cap;
 * a request above cap gets GNTST_general_error, as one above the limit).
 */
int gnttab_setup_table(struct gnttab_domain *caller, struct gnttab_setup_table *op,
		       xen_pfn_t *frames, unsigned int cap);
int gnttab_query_size(struct gnttab_domain *caller, struct gnttab_query_size *op);
int gnttab_get_version(struct gnttab_domain *caller, struct gnttab_get_version *op);
/* Version 1 only: 2 is -ENOSYS (Xen with gnttab_max_version=1). */
int gnttab_set_version(struct gnttab_domain *caller, struct gnttab_set_version *op);

/*
 * Map and unmap by a mapping domain (domain 0's backends).  The mapping
 * itself is the host process's mmap of the granting domain's memory:
 * op->dev_bus_addr returns the granted frame << 12 so that xenhv can hand
 * out the right memfd offset; gnttab_mapping_info() gives the same by
 * handle.  Unmap releases everything the handle maps (host_addr is the
 * host process's own business); a non-zero dev_bus_addr must match.
 */
void gnttab_map_grant_ref(struct gnttab_domain *caller, struct gnttab_map_grant_ref *op);
void gnttab_unmap_grant_ref(struct gnttab_domain *caller, struct gnttab_unmap_grant_ref *op);

struct gnttab_mapping_info {
	domid_t domid; /* granting domain */
	grant_ref_t ref;
	xen_pfn_t frame;
	void *page; /* from ops->frame_get, NULL for an orphan */
	uint32_t flags; /* GNTMAP_* of the mapping */
	bool orphan; /* the granting domain is gone */
};
int gnttab_mapping_info(struct gnttab_domain *caller, grant_handle_t handle,
			struct gnttab_mapping_info *info);

/*
 * Where a caller's own frames are for GNTTABOP_copy with DOMID_SELF and a
 * gmfn (for domain 0: pages of the request's buffer).  NULL: the caller's
 * RAM through ops->frame_get.
 */
struct gnttab_copy_local {
	void *(*frame)(void *ctx, xen_pfn_t gmfn, bool writable);
	void *ctx;
};
/* count copies, each with its own status; 0 or -errno. */
int gnttab_copy(struct gnttab_domain *caller, struct gnttab_copy *ops, unsigned int count,
		const struct gnttab_copy_local *local);

/* Pins of ref (Xen's act->pin), for tests and dump_table. */
uint32_t gnttab_entry_pin(struct gnttab_domain *d, grant_ref_t ref);
/* Entries of d with any pin (each holds one frame reference). */
unsigned int gnttab_pinned_entries(struct gnttab_domain *d);
/* Handles in use by a mapping domain. */
unsigned int gnttab_maptrack_in_use(struct gnttab_domain *d);

#endif
