/*
 * libxl/libxl_internal.h: what libxl's own modules share and callers do
 * not see.  Lifecycle modules add their handles to struct libxl__ctx.
 */
#ifndef LIBXL_INTERNAL_H
#define LIBXL_INTERNAL_H

#include <stdio.h>

#include "libxl.h"

struct xs_handle;
struct xc_interface_core;

struct libxl__ctx {
	FILE *log; /* where libxl reports errors; stderr by default */
	/* Opened on first use by libxl__xch()/libxl__xsh() (libxl/domain.c). */
	struct xc_interface_core *xch;
	struct xs_handle *xsh;
};

/* Closes the handles the lifecycle code opened (libxl/domain.c). */
void libxl__ctx_close_handles(libxl_ctx *ctx);

#endif /* LIBXL_INTERNAL_H */
