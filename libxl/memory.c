/*
 * libxl/memory.c: a running domain's memory: the balloon target
 * (libxl_set_memory_target, `xl mem-set`) and the hypervisor's limit
 * (libxl_domain_setmaxmem, `xl mem-max`), as Xen's libxl_mem.c does them.
 *
 * The target is a request to the guest: libxl writes memory/target (KiB)
 * and a balloon driver watching it gives pages back or takes them again
 * (XENMEM_decrease_reservation / populate_physmap).  memory/static-max is
 * the ceiling written at create; Xen's mem-max changes only the
 * hypervisor's limit, not that node, and so does this.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xenstore.h>

#include "libxl.h"
#include "libxl_internal.h"
#include "lifecycle.h"

/*
 * What the hypervisor's limit holds beyond the guest's RAM (Xen's
 * LIBXL_MAXMEM_CONSTANT, the same slack libxl/create.c gives at create).
 */
#define MEMORY_EXTRA_KB 1024

/* A decimal KiB node of the domain; ERROR_FAIL (logged) if absent or bad. */
static int memory_read_kb(libxl_ctx *ctx, xs_transaction_t t, uint32_t domid, const char *node,
			  uint64_t *kb)
{
	char *path = libxl__sprintf("/local/domain/%u/memory/%s", domid, node);
	char *value = NULL, *end;
	int rc = ERROR_FAIL;

	if (!path)
		return ERROR_NOMEM;
	value = libxl__xs_read(ctx, t, path);
	if (!value) {
		LIBXL__ERR(ctx, "Cannot get memory info from %s", path);
		goto out;
	}
	errno = 0;
	*kb = strtoull(value, &end, 10);
	if (!*value || *end || errno) {
		LIBXL__ERR(ctx, "Invalid memory %s from %s", value, path);
		goto out;
	}
	rc = 0;
out:
	free(value);
	free(path);
	return rc;
}

int libxl_get_memory_target(libxl_ctx *ctx, uint32_t domid, uint64_t *out_target)
{
	if (!libxl__xsh(ctx))
		return ERROR_FAIL;
	return memory_read_kb(ctx, XBT_NULL, domid, "target", out_target);
}

static bool xs_printf_u64(struct xs_handle *xsh, xs_transaction_t t, const char *path,
			  uint64_t value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRIu64, value);
	return path && xs_write(xsh, t, path, buf, strlen(buf));
}

int libxl_set_memory_target(libxl_ctx *ctx, uint32_t domid, int64_t target_memkb, int relative,
			    int enforce)
{
	struct xs_handle *xsh = libxl__xsh(ctx);
	xc_interface *xch = libxl__xch(ctx);
	uint64_t current, static_max, videoram = 0, new_target;
	char *path = NULL, *vmpath = NULL, *videoram_s = NULL;
	char uuid[37];
	libxl_dominfo info;
	xs_transaction_t t;
	bool abort_t = true;
	int rc;

	if (!xsh || !xch)
		return ERROR_FAIL;
	rc = libxl_domain_info(ctx, &info, domid);
	if (rc)
		return rc;
	libxl_uuid_to_string(&info.uuid, uuid);
retry:
	t = xs_transaction_start(xsh);
	if (!t)
		return ERROR_FAIL;
	rc = memory_read_kb(ctx, t, domid, "target", &current);
	if (!rc)
		rc = memory_read_kb(ctx, t, domid, "static-max", &static_max);
	if (rc)
		goto out;
	path = libxl__sprintf("/local/domain/%u/memory/videoram", domid);
	videoram_s = path ? libxl__xs_read(ctx, t, path) : NULL;
	if (videoram_s)
		videoram = strtoull(videoram_s, NULL, 10);
	free(path);
	path = NULL;

	if (relative) {
		if (target_memkb < 0 && (uint64_t)-target_memkb > current)
			new_target = 0;
		else
			new_target = current + target_memkb;
	} else {
		new_target = (uint64_t)target_memkb > videoram ? target_memkb - videoram : 0;
	}
	if (new_target > static_max) {
		LIBXL__ERR(ctx, "memory_dynamic_max must be less than or equal to "
				"memory_static_max");
		rc = ERROR_INVAL;
		goto out;
	}
	if (enforce &&
	    xc_domain_setmaxmem(xch, domid, new_target + videoram + MEMORY_EXTRA_KB) < 0) {
		LIBXL__ERR(ctx, "xc_domain_setmaxmem memkb=%" PRIu64 " failed: %s",
			   new_target + videoram + MEMORY_EXTRA_KB, strerror(errno));
		rc = ERROR_FAIL;
		goto out;
	}
	path = libxl__sprintf("/local/domain/%u/memory/target", domid);
	vmpath = libxl__sprintf("/vm/%s/memory", uuid);
	if (!xs_printf_u64(xsh, t, path, new_target) ||
	    !xs_printf_u64(xsh, t, vmpath, new_target / 1024)) {
		LIBXL__ERR(ctx, "writing the memory target of domain %u: %s", domid,
			   strerror(errno));
		rc = ERROR_FAIL;
		goto out;
	}
	abort_t = false;
	rc = 0;
out:
	free(path);
	free(vmpath);
	free(videoram_s);
	path = vmpath = videoram_s = NULL;
	if (!xs_transaction_end(xsh, t, abort_t) && !abort_t) {
		if (errno == EAGAIN)
			goto retry;
		rc = ERROR_FAIL;
	}
	return rc;
}

int libxl_domain_setmaxmem(libxl_ctx *ctx, uint32_t domid, uint64_t max_memkb)
{
	xc_interface *xch = libxl__xch(ctx);
	uint64_t target;
	int rc;

	if (!xch || !libxl__xsh(ctx))
		return ERROR_FAIL;
	rc = libxl_get_memory_target(ctx, domid, &target);
	if (rc)
		return rc;
	if (max_memkb < target) {
		LIBXL__ERR(ctx, "memory_static_max must be greater than or or equal to "
				"memory_dynamic_max");
		return ERROR_INVAL;
	}
	if (xc_domain_setmaxmem(xch, domid, max_memkb + MEMORY_EXTRA_KB) < 0) {
		LIBXL__ERR(ctx, "xc_domain_setmaxmem domid=%u memkb=%" PRIu64 " failed: %s", domid,
			   max_memkb + MEMORY_EXTRA_KB, strerror(errno));
		return errno == ESRCH ? ERROR_DOMAIN_NOTFOUND : ERROR_FAIL;
	}
	return 0;
}
