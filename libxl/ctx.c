/*
 * libxl/ctx.c: the libxl context and the entry points of the lifecycle.
 *
 * The context is cheap to make: it only records where to log.  The
 * connections to the hypervisor and to xenstored belong here too, but are
 * opened by the first operation that needs them, so that configuration
 * work (xl -N create, JSON) runs on a host where no daemon is up.
 *
 * libxl_domain_create_new() is the seam the lifecycle code plugs into
 * (libxl/create.c): until it exists, the weak default below reports
 * ERROR_NI, which xl prints as "not implemented".
 */
#include <stdlib.h>

#include "libxl.h"
#include "libxl_internal.h"

int libxl_ctx_alloc(libxl_ctx **pctx, FILE *log)
{
	libxl_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return ERROR_NOMEM;
	ctx->log = log ? log : stderr;
	*pctx = ctx;
	return 0;
}

void libxl_ctx_free(libxl_ctx *ctx)
{
	if (!ctx)
		return;
	libxl__ctx_close_handles(ctx);
	free(ctx);
}

__attribute__((weak)) int libxl_domain_create_new(libxl_ctx *ctx, libxl_domain_config *d_config,
						  uint32_t *domid,
						  const libxl_domain_create_opts *opts)
{
	(void)d_config;
	(void)opts;
	*domid = ~0u;
	fprintf(ctx->log, "libxl: error: domain creation is not implemented "
			  "yet\n");
	return ERROR_NI;
}
