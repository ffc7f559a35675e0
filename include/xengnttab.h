/*
 * xengnttab: mapping pages other domains granted, and grant copy, in the
 * shapes of Xen's libxengnttab, provided by kxen's libxenctrl.  xenhv
 * checks every map against the granting domain's grant table (flags,
 * domid, read-only) as Xen does; unmap with xengnttab_unmap().  All grants
 * of one map call must come from one domain.
 */
#ifndef XENGNTTAB_H
#define XENGNTTAB_H

#include <stdint.h>

#include <xen/grant_table.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xengntdev_handle xengnttab_handle;
struct xentoollog_logger;

xengnttab_handle *xengnttab_open(struct xentoollog_logger *logger, unsigned int open_flags);
int xengnttab_close(xengnttab_handle *xgt);
int xengnttab_fd(xengnttab_handle *xgt);
void *xengnttab_map_grant_ref(xengnttab_handle *xgt, uint32_t domid, uint32_t ref, int prot);
void *xengnttab_map_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t *domids,
			       uint32_t *refs, int prot);
void *xengnttab_map_domain_grant_refs(xengnttab_handle *xgt, uint32_t count, uint32_t domid,
				      uint32_t *refs, int prot);
int xengnttab_unmap(xengnttab_handle *xgt, void *start_address, uint32_t count);
int xengnttab_set_max_grants(xengnttab_handle *xgt, uint32_t nr_grants);

struct xengnttab_grant_copy_segment {
	union xengnttab_copy_ptr {
		void *virt;
		struct {
			uint32_t ref;
			uint16_t offset;
			uint16_t domid;
		} foreign;
	} source, dest;
	uint16_t len;
	uint16_t flags; /* GNTCOPY_source_gref, GNTCOPY_dest_gref */
	int16_t status; /* OUT: GNTST_* */
};
typedef struct xengnttab_grant_copy_segment xengnttab_grant_copy_segment_t;

/* count segments, each at most one page on both sides; 0 or -1 with errno. */
int xengnttab_grant_copy(xengnttab_handle *xgt, uint32_t count,
			 xengnttab_grant_copy_segment_t *segs);

#ifdef __cplusplus
}
#endif

#endif
