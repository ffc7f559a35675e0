/*
 * Grant tables wired into xenhv (gnttab_op.c): the grant_table_op
 * hypercall over the pure module gnttab.c, the hooks domain.c calls over a
 * domain's life, and XENMEM_add_to_physmap of grant frames.  hv->lock held.
 */
#ifndef XENHV_GNTTAB_OP_H
#define XENHV_GNTTAB_OP_H

#include <stdbool.h>
#include <stdint.h>

#include "hypercall.h"
#include "xenhv.h"

/* hv_init / hv_dispose.  Init failing leaves hv->gnttab NULL: no grants. */
int hv_gnttab_init(struct xenhv *hv);
void hv_gnttab_dispose(struct xenhv *hv);
/* A domain's grant table (none for domain 0); destroy is idempotent. */
int hv_gnttab_domain_create(struct domain *d);
void hv_gnttab_domain_destroy(struct domain *d);

int64_t do_grant_table_op(struct hc_ctx *ctx, const uint64_t *args);
/* GNTTAB_RESERVED_CONSOLE (console) or _XENSTORE for domain 0 at frame. */
void hv_gnttab_seed_ring(struct domain *d, bool console, uint64_t frame);
/* XENMEM_add_to_physmap for XENMAPSPACE_grant_table. */
int64_t memop_add_grant_frame(struct domain *d, uint64_t idx, uint64_t gpfn);

#endif
