/*
 * libxl/lifecycle.h: what the lifecycle modules (domain.c, create.c) share.
 */
#ifndef LIBXL_LIFECYCLE_H
#define LIBXL_LIFECYCLE_H

#include <stdint.h>

#include <xenctrl.h>
#include <xenstore.h>

#include "libxl.h"

/* "libxl: error: <function>: <message>" on the context's log. */
void libxl__log(libxl_ctx *ctx, const char *func, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define LIBXL__ERR(ctx, ...) libxl__log((ctx), __func__, __VA_ARGS__)

/* The connections, opened on first use; NULL (logged) when unreachable. */
xc_interface *libxl__xch(libxl_ctx *ctx);
struct xs_handle *libxl__xsh(libxl_ctx *ctx);

/* malloc'ed printf; NULL when out of memory. */
char *libxl__sprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A node's value as a string, malloc'ed; NULL if absent. */
char *libxl__xs_read(libxl_ctx *ctx, xs_transaction_t t, const char *path);

/* $XEN_LIB_DIR/userdata-d.<domid>.<uuid>.libxl-json */
char *libxl__userdata_path(uint32_t domid, const libxl_uuid *uuid);
/* Removes xenstore nodes and the stored config of a domain. */
void libxl__domain_remove_traces(libxl_ctx *ctx, uint32_t domid, const libxl_uuid *uuid);
/* Stops the domain's device model, if it has one (HVM). */
void libxl__dm_destroy(libxl_ctx *ctx, uint32_t domid);

#endif /* LIBXL_LIFECYCLE_H */
