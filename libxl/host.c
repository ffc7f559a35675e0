/*
 * libxl/host.c: what the hypervisor says about the host (xl info): its
 * CPUs and memory pool (physinfo) and its version strings.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libxl.h"
#include "libxl_internal.h"
#include "lifecycle.h"

int libxl_get_physinfo(libxl_ctx *ctx, libxl_physinfo *physinfo)
{
	xc_interface *xch = libxl__xch(ctx);
	xc_physinfo_t x;

	if (!xch)
		return ERROR_FAIL;
	memset(&x, 0, sizeof(x));
	if (xc_physinfo(xch, &x) < 0) {
		LIBXL__ERR(ctx, "getting physinfo: %s", strerror(errno));
		return ERROR_FAIL;
	}
	memset(physinfo, 0, sizeof(*physinfo));
	physinfo->threads_per_core = x.threads_per_core;
	physinfo->cores_per_socket = x.cores_per_socket;
	physinfo->max_cpu_id = x.max_cpu_id;
	physinfo->nr_cpus = x.nr_cpus;
	physinfo->cpu_khz = x.cpu_khz;
	physinfo->total_pages = x.total_pages;
	physinfo->free_pages = x.free_pages;
	physinfo->scrub_pages = x.scrub_pages;
	physinfo->outstanding_pages = x.outstanding_pages;
	physinfo->nr_nodes = x.nr_nodes;
	memcpy(physinfo->hw_cap, x.hw_cap, sizeof(physinfo->hw_cap));
	physinfo->cap_hvm = x.capabilities & XEN_SYSCTL_PHYSCAP_hvm;
	physinfo->cap_pv = x.capabilities & XEN_SYSCTL_PHYSCAP_pv;
	physinfo->cap_hvm_directio = x.capabilities & XEN_SYSCTL_PHYSCAP_directio;
	physinfo->cap_hap = x.capabilities & XEN_SYSCTL_PHYSCAP_hap;
	physinfo->cap_shadow = x.capabilities & XEN_SYSCTL_PHYSCAP_shadow;
	return 0;
}

static char *version_string(xc_interface *xch, int cmd, size_t size)
{
	char *buf = calloc(1, size + 1);

	if (buf && xc_version(xch, cmd, buf) < 0)
		buf[0] = '\0';
	return buf;
}

int libxl_get_version_info(libxl_ctx *ctx, libxl_version_info *info)
{
	xc_interface *xch = libxl__xch(ctx);
	xen_compile_info_t compile;
	xen_platform_parameters_t params;
	int version, sched_id;

	if (!xch)
		return ERROR_FAIL;
	memset(info, 0, sizeof(*info));
	version = xc_version(xch, XENVER_version, NULL);
	if (version < 0) {
		LIBXL__ERR(ctx, "getting the hypervisor's version: %s", strerror(errno));
		return ERROR_FAIL;
	}
	info->xen_version_major = version >> 16;
	info->xen_version_minor = version & 0xffff;
	info->xen_version_extra = version_string(xch, XENVER_extraversion, XEN_EXTRAVERSION_LEN);
	memset(&compile, 0, sizeof(compile));
	xc_version(xch, XENVER_compile_info, &compile);
	info->compiler = strndup(compile.compiler, sizeof(compile.compiler));
	info->compile_by = strndup(compile.compile_by, sizeof(compile.compile_by));
	info->compile_domain = strndup(compile.compile_domain, sizeof(compile.compile_domain));
	info->compile_date = strndup(compile.compile_date, sizeof(compile.compile_date));
	info->capabilities = version_string(xch, XENVER_capabilities, XEN_CAPABILITIES_INFO_LEN);
	info->changeset = version_string(xch, XENVER_changeset, XEN_CHANGESET_INFO_LEN);
	memset(&params, 0, sizeof(params));
	xc_version(xch, XENVER_platform_parameters, &params);
	info->virt_start = params.virt_start;
	info->pagesize = xc_version(xch, XENVER_pagesize, NULL);
	info->commandline = version_string(xch, XENVER_commandline, sizeof(xen_commandline_t));
	info->sched_id = xc_sched_id(xch, &sched_id) < 0 ? -1 : sched_id;
	if (!info->xen_version_extra || !info->compiler || !info->compile_by ||
	    !info->compile_domain || !info->compile_date || !info->capabilities ||
	    !info->changeset || !info->commandline) {
		libxl_version_info_dispose(info);
		return ERROR_NOMEM;
	}
	return 0;
}

void libxl_version_info_dispose(libxl_version_info *info)
{
	free(info->xen_version_extra);
	free(info->compiler);
	free(info->compile_by);
	free(info->compile_domain);
	free(info->compile_date);
	free(info->capabilities);
	free(info->changeset);
	free(info->commandline);
	memset(info, 0, sizeof(*info));
}
