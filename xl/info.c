/*
 * xl/info.c: `xl info`, the host as the hypervisor reports it, in Xen's
 * order and format ("%-23s: value"; memory in MiB).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "xl.h"

static void output_nodeinfo(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		return;
	printf("host                   : %s\n", u.nodename);
	printf("release                : %s\n", u.release);
	printf("version                : %s\n", u.version);
	printf("machine                : %s\n", u.machine);
}

static int output_physinfo(void)
{
	libxl_physinfo info;
	libxl_version_info vinfo;
	int i;

	if (libxl_get_physinfo(xl.ctx, &info)) {
		fprintf(stderr, "libxl_physinfo failed.\n");
		return -1;
	}
	printf("nr_cpus                : %d\n", info.nr_cpus);
	printf("max_cpu_id             : %d\n", info.max_cpu_id);
	printf("nr_nodes               : %d\n", info.nr_nodes);
	printf("cores_per_socket       : %d\n", info.cores_per_socket);
	printf("threads_per_core       : %d\n", info.threads_per_core);
	printf("cpu_mhz                : %d.%03d\n", info.cpu_khz / 1000, info.cpu_khz % 1000);
	printf("hw_caps                : %08x:%08x:%08x:%08x:%08x:%08x:%08x:%08x\n",
	       info.hw_cap[0], info.hw_cap[1], info.hw_cap[2], info.hw_cap[3], info.hw_cap[4],
	       info.hw_cap[5], info.hw_cap[6], info.hw_cap[7]);
	printf("virt_caps              :%s%s%s%s%s%s%s\n", info.cap_pv ? " pv" : "",
	       info.cap_hvm ? " hvm" : "",
	       info.cap_hvm && info.cap_hvm_directio ? " hvm_directio" : "",
	       info.cap_pv && info.cap_hvm_directio ? " pv_directio" : "",
	       info.cap_hap ? " hap" : "", info.cap_shadow ? " shadow" : "", " gnttab-v1");
	if (!libxl_get_version_info(xl.ctx, &vinfo)) {
		i = (1 << 20) / (vinfo.pagesize > 0 ? vinfo.pagesize : 4096);
		printf("total_memory           : %" PRIu64 "\n", info.total_pages / i);
		printf("free_memory            : %" PRIu64 "\n",
		       (info.free_pages - info.outstanding_pages) / i);
		printf("sharing_freed_memory   : %" PRIu64 "\n", info.sharing_freed_pages / i);
		printf("sharing_used_memory    : %" PRIu64 "\n", info.sharing_used_frames / i);
		printf("outstanding_claims     : %" PRIu64 "\n", info.outstanding_pages / i);
		libxl_version_info_dispose(&vinfo);
	}
	/* Every CPU belongs to the default pool: none is free. */
	printf("free_cpus              : 0\n");
	return 0;
}

static int output_xeninfo(void)
{
	libxl_version_info v;

	if (libxl_get_version_info(xl.ctx, &v)) {
		fprintf(stderr, "libxl_get_version_info failed.\n");
		return -1;
	}
	printf("xen_major              : %d\n", v.xen_version_major);
	printf("xen_minor              : %d\n", v.xen_version_minor);
	printf("xen_extra              : %s\n", v.xen_version_extra);
	printf("xen_version            : %d.%d%s\n", v.xen_version_major, v.xen_version_minor,
	       v.xen_version_extra);
	printf("xen_caps               : %s\n", v.capabilities);
	printf("xen_scheduler          : %s\n",
	       v.sched_id >= 0 ? libxl_scheduler_to_string((libxl_scheduler)v.sched_id)
			       : "(unknown)");
	printf("xen_pagesize           : %u\n", v.pagesize);
	printf("platform_params        : virt_start=0x%" PRIx64 "\n", v.virt_start);
	printf("xen_changeset          : %s\n", v.changeset);
	printf("xen_commandline        : %s\n", v.commandline);
	printf("cc_compiler            : %s\n", v.compiler);
	printf("cc_compile_by          : %s\n", v.compile_by);
	printf("cc_compile_domain      : %s\n", v.compile_domain);
	printf("cc_compile_date        : %s\n", v.compile_date);
	printf("build_id               : %s\n", "");
	libxl_version_info_dispose(&v);
	return 0;
}

int main_info(int argc, char **argv)
{
	int opt;

	SWITCH_FOREACH_OPT(opt, "nx", NULL, "info", 0) {
	case 'n':
	case 'x':
		fprintf(stderr, "xl info: option -%c is not supported by kxen yet\n", opt);
		return EXIT_FAILURE;
	}
	output_nodeinfo();
	if (output_physinfo() || output_xeninfo())
		return EXIT_FAILURE;
	printf("xend_config_format     : 4\n");
	return EXIT_SUCCESS;
}
