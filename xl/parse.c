/*
 * xl/parse.c: the domain-wide keys of xl.cfg (xl.cfg(5)) into
 * libxl_domain_config, key by key in the order Xen's xl_parse.c reads them,
 * because the order decides which message a broken config gets first.
 * Devices are in parse_devices.c.
 *
 * Unknown keys are ignored, as in Xen.  Every value is read with the
 * getter Xen uses for it, so a wrong shape gets Xen's warning and the
 * default, and a wrong value gets Xen's error and exit status.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* where Debian installs Xen's firmware (pvgrub) */
#define XENFIRMWAREDIR "/usr/lib/xen-4.17/boot"

/* exit statuses, as Xen's exit(1) and exit(-ERROR_FAIL) */
#define XL_EXIT_ERR 1
#define XL_EXIT_FAIL 3

static const char *const action_on_shutdown_names[] = {
	[LIBXL_ACTION_ON_SHUTDOWN_DESTROY] = "destroy",
	[LIBXL_ACTION_ON_SHUTDOWN_RESTART] = "restart",
	[LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME] = "rename-restart",
	[LIBXL_ACTION_ON_SHUTDOWN_PRESERVE] = "preserve",
	[LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY] = "coredump-destroy",
	[LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART] = "coredump-restart",
	[LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET] = "soft-reset",
};

static int parse_action_on_shutdown(const char *buf, libxl_action_on_shutdown *a)
{
	size_t i;

	for (i = 0; i < sizeof(action_on_shutdown_names) / sizeof(action_on_shutdown_names[0]);
	     i++) {
		if (action_on_shutdown_names[i] && !strcmp(buf, action_on_shutdown_names[i])) {
			*a = (libxl_action_on_shutdown)i;
			return 1;
		}
	}
	return 0;
}

/* Xen's parse_range: "N" or "N-M", nothing after. */
static int parse_range(const char *str, unsigned long *a, unsigned long *b)
{
	const char *nstr;
	char *endptr;

	*a = *b = strtoul(str, &endptr, 10);
	if (endptr == str || *a == ULONG_MAX)
		return 1;
	if (*endptr == '-') {
		nstr = endptr + 1;
		*b = strtoul(nstr, &endptr, 10);
		if (endptr == nstr || *b == ULONG_MAX || *b < *a)
			return 1;
	}
	return *endptr != '\0';
}

/* One comma-separated item of a cpu list: "3", "0-3", "^2", "node:1". */
static int update_cpumap_range(const char *str, libxl_bitmap *cpumap, FILE *report)
{
	unsigned long ida, idb;
	int is_not = 0, is_nodes = 0, i, ncpus = libxl_get_max_cpus();

	if (*str == '^') {
		is_not = 1;
		str++;
	}
	if (!strncmp(str, "node:", 5)) {
		is_nodes = 1;
		str += 5;
	} else if (!strncmp(str, "nodes:", 6)) {
		is_nodes = 1;
		str += 6;
	}
	if (!strcmp(str, "all")) {
		if (is_not) {
			fprintf(report, "Can't combine \"^\" and \"all\".\n");
			return ERROR_INVAL;
		}
		libxl_bitmap_set_any(cpumap);
		return 0;
	}
	if (parse_range(str, &ida, &idb)) {
		fprintf(report, "Invalid pcpu range: %s.\n", str);
		return ERROR_INVAL;
	}
	for (; ida <= idb && ida < 65536; ida++) {
		if (!is_nodes) {
			if (is_not)
				libxl_bitmap_reset(cpumap, (int)ida);
			else
				libxl_bitmap_set(cpumap, (int)ida);
			continue;
		}
		/* kxen hosts are presented as one NUMA node holding all CPUs */
		if (ida != 0) {
			fprintf(report, "libxl_node_to_cpumap failed.\n");
			return ERROR_INVAL;
		}
		for (i = 0; i < ncpus; i++) {
			if (is_not)
				libxl_bitmap_reset(cpumap, i);
			else
				libxl_bitmap_set(cpumap, i);
		}
	}
	return 0;
}

int xl_parse_cpurange(const char *cpu, libxl_bitmap *cpumap, FILE *report)
{
	char *buf = strdup(cpu), *ptr, *saveptr = NULL;
	int rc = 0;

	if (!buf)
		return ERROR_NOMEM;
	for (ptr = strtok_r(buf, ",", &saveptr); ptr; ptr = strtok_r(NULL, ",", &saveptr)) {
		rc = update_cpumap_range(ptr, cpumap, report);
		if (rc)
			break;
	}
	free(buf);
	return rc;
}

/* cpus= / cpus_soft=: a string for every vCPU, or a list, one per vCPU. */
static int parse_vcpu_affinity(libxl_domain_build_info *b_info, XLU_ConfigList *cpus,
			       const char *buf, int num_cpus, int is_hard, FILE *report)
{
	libxl_bitmap *arr;
	int i, rc;

	if (buf || num_cpus > b_info->max_vcpus)
		num_cpus = b_info->max_vcpus;
	if (num_cpus < 0)
		num_cpus = 0;
	arr = calloc((size_t)num_cpus + 1, sizeof(*arr));
	if (!arr)
		return XL_EXIT_ERR;
	if (is_hard) {
		b_info->num_vcpu_hard_affinity = num_cpus;
		b_info->vcpu_hard_affinity = arr;
	} else {
		b_info->num_vcpu_soft_affinity = num_cpus;
		b_info->vcpu_soft_affinity = arr;
	}
	if (!buf) {
		const char *item;

		for (i = 0; i < num_cpus && (item = xlu_cfg_get_listitem(cpus, i)) != NULL; i++) {
			if (libxl_cpu_bitmap_alloc(&arr[i], 0) ||
			    xl_parse_cpurange(item, &arr[i], report))
				return XL_EXIT_ERR;
		}
		/* With a list of cpumaps, automatic placement is off. */
		libxl_defbool_set(&b_info->numa_placement, false);
		return 0;
	}
	/* parsed (and checked) even with no vCPU to apply it to, as Xen does */
	rc = libxl_cpu_bitmap_alloc(&arr[0], 0) || xl_parse_cpurange(buf, &arr[0], report);
	if (num_cpus == 0)
		libxl_bitmap_dispose(&arr[0]);
	if (rc)
		return XL_EXIT_ERR;
	for (i = 1; i < num_cpus; i++)
		if (libxl_bitmap_copy_alloc(&arr[i], &arr[0]))
			return XL_EXIT_ERR;
	if (!is_hard)
		libxl_defbool_set(&b_info->numa_placement, false);
	return 0;
}

/* cmdline wins over root= and extra=; otherwise "root=<root> <extra>". */
static char *parse_cmdline(XLU_Config *config, FILE *report)
{
	const char *root = NULL, *extra = NULL, *buf = NULL;
	char *cmdline = NULL;

	xlu_cfg_get_string(config, "cmdline", &buf, 0);
	xlu_cfg_get_string(config, "root", &root, 0);
	xlu_cfg_get_string(config, "extra", &extra, 0);
	if (buf) {
		cmdline = strdup(buf);
		if (root || extra)
			fprintf(report, "Warning: ignoring root= and extra= "
					"in favour of cmdline=\n");
	} else if (root && extra) {
		if (asprintf(&cmdline, "root=%s %s", root, extra) < 0)
			cmdline = NULL;
	} else if (root) {
		if (asprintf(&cmdline, "root=%s", root) < 0)
			cmdline = NULL;
	} else if (extra) {
		cmdline = strdup(extra);
	}
	return cmdline;
}

static void parse_top_level_vnc_options(XLU_Config *config, libxl_vnc_info *vnc)
{
	long l;

	xlu_cfg_get_defbool(config, "vnc", &vnc->enable, 0);
	xlu_cfg_replace_string(config, "vnclisten", &vnc->listen, 0);
	xlu_cfg_replace_string(config, "vncpasswd", &vnc->passwd, 0);
	if (!xlu_cfg_get_long(config, "vncdisplay", &l, 0))
		vnc->display = (int)l;
	xlu_cfg_get_defbool(config, "vncunused", &vnc->findunused, 0);
}

static void parse_top_level_sdl_options(XLU_Config *config, libxl_sdl_info *sdl)
{
	xlu_cfg_get_defbool(config, "sdl", &sdl->enable, 0);
	xlu_cfg_get_defbool(config, "opengl", &sdl->opengl, 0);
	xlu_cfg_replace_string(config, "display", &sdl->display, 0);
	xlu_cfg_replace_string(config, "xauthority", &sdl->xauthority, 0);
}

/* "hvm", "pv" or "pvh"; Xen compares only strlen(buf) bytes. */
static int parse_type_name(const char *buf, const char *a, const char *b, const char *c)
{
	size_t n = strlen(buf);

	if (!strncmp(buf, a, n))
		return 1;
	if (!strncmp(buf, b, n))
		return 2;
	if (c && !strncmp(buf, c, n))
		return 3;
	return 0;
}

static int parse_domain_type(XLU_Config *config, libxl_domain_create_info *c, FILE *report)
{
	static const libxl_domain_type types[] = { LIBXL_DOMAIN_TYPE_HVM, LIBXL_DOMAIN_TYPE_PV,
						   LIBXL_DOMAIN_TYPE_PVH };
	libxl_domain_type builder;
	const char *buf;
	int t;

	if (!xlu_cfg_get_string(config, "type", &buf, 0)) {
		t = parse_type_name(buf, "hvm", "pv", "pvh");
		if (!t) {
			fprintf(report, "Invalid domain type %s.\n", buf);
			return XL_EXIT_ERR;
		}
		c->type = types[t - 1];
	}
	/* Deprecated since Xen 4.10. */
	if (!xlu_cfg_get_string(config, "builder", &buf, 0)) {
		t = parse_type_name(buf, "hvm", "generic", NULL);
		if (!t) {
			fprintf(report, "Invalid domain type %s.\n", buf);
			return XL_EXIT_ERR;
		}
		builder = types[t - 1];
		if (c->type != LIBXL_DOMAIN_TYPE_INVALID && c->type != builder) {
			fprintf(report, "Contradicting \"builder\" and \"type\" "
					"options specified.\n");
			return XL_EXIT_ERR;
		}
		c->type = builder;
	}
	if (c->type == LIBXL_DOMAIN_TYPE_INVALID)
		c->type = LIBXL_DOMAIN_TYPE_PV;
	return 0;
}

static int parse_actions(XLU_Config *config, libxl_domain_config *d, FILE *report)
{
	static const struct {
		const char *key, *dflt;
		size_t offset;
	} actions[] = {
		{ "on_poweroff", "destroy", offsetof(libxl_domain_config, on_poweroff) },
		{ "on_reboot", "restart", offsetof(libxl_domain_config, on_reboot) },
		{ "on_watchdog", "destroy", offsetof(libxl_domain_config, on_watchdog) },
		{ "on_crash", "destroy", offsetof(libxl_domain_config, on_crash) },
		{ "on_soft_reset", "soft-reset", offsetof(libxl_domain_config, on_soft_reset) },
	};
	const char *buf;
	size_t i;

	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		libxl_action_on_shutdown *a = (void *)((char *)d + actions[i].offset);

		if (xlu_cfg_get_string(config, actions[i].key, &buf, 0))
			buf = actions[i].dflt;
		if (!parse_action_on_shutdown(buf, a)) {
			fprintf(report, "Unknown %s action \"%s\" specified\n", actions[i].key,
				buf);
			return XL_EXIT_ERR;
		}
	}
	return 0;
}

/* memory, maxmem, vcpus, maxvcpus, cpus, cpus_soft, grant frames */
static int parse_resources(const struct xl_global_config *gc, XLU_Config *config,
			   libxl_domain_build_info *b, FILE *report)
{
	XLU_ConfigList *cpus = NULL;
	const char *buf;
	long l, vcpus = 0;
	int num_cpus = 0, e, rc;

	if (!xlu_cfg_get_long(config, "memory", &l, 0))
		b->target_memkb = (uint64_t)l * 1024;
	if (!xlu_cfg_get_long(config, "maxmem", &l, 0))
		b->max_memkb = (uint64_t)l * 1024;
	if (!xlu_cfg_get_long(config, "vcpus", &l, 0)) {
		vcpus = l;
		if (l < 0 || l > 65536 || libxl_cpu_bitmap_alloc(&b->avail_vcpus, (int)l)) {
			/* what Xen's libxl logs for a negative count, verbatim */
			if (l < 0)
				fprintf(report, "libxl: error: libxl_utils.c:809:"
						"libxl_cpu_bitmap_alloc: invalid number of "
						"cpus provided\n");
			fprintf(report, "Unable to allocate cpumap\n");
			return XL_EXIT_ERR;
		}
		libxl_bitmap_set_none(&b->avail_vcpus);
		while (l-- > 0)
			libxl_bitmap_set(&b->avail_vcpus, (int)l);
	}
	if (!xlu_cfg_get_long(config, "maxvcpus", &l, 0))
		b->max_vcpus = (int)l;
	if (!xlu_cfg_get_string(config, "vuart", &buf, 0) &&
	    libxl_vuart_type_from_string(buf, &b->arch_arm.vuart)) {
		fprintf(report, "ERROR: invalid value \"%s\" for \"vuart\"\n", buf);
		return XL_EXIT_ERR;
	}
	rc = xl_parse_vnuma(config, b, report);
	if (rc)
		return rc;
	/* maxmem and maxvcpus default to memory and vcpus */
	if (b->max_memkb == LIBXL_MEMKB_DEFAULT)
		b->max_memkb = b->target_memkb;
	if (b->max_vcpus == 0)
		b->max_vcpus = (int)vcpus;
	if (b->max_vcpus < vcpus) {
		fprintf(report, "xl: maxvcpus < vcpus\n");
		return XL_EXIT_ERR;
	}

	buf = NULL;
	if (!xlu_cfg_get_list(config, "cpus", &cpus, &num_cpus, 1) ||
	    !xlu_cfg_get_string(config, "cpus", &buf, 0)) {
		rc = parse_vcpu_affinity(b, cpus, buf, num_cpus, 1, report);
		if (rc)
			return rc;
	}
	buf = NULL;
	if (!xlu_cfg_get_list(config, "cpus_soft", &cpus, &num_cpus, 1) ||
	    !xlu_cfg_get_string(config, "cpus_soft", &buf, 0)) {
		rc = parse_vcpu_affinity(b, cpus, buf, num_cpus, 0, report);
		if (rc)
			return rc;
	}

	e = xlu_cfg_get_bounded_long(config, "max_grant_frames", 0, INT_MAX, &l, 1);
	if (e == ESRCH)
		b->max_grant_frames = (uint32_t)gc->max_grant_frames;
	else if (!e)
		b->max_grant_frames = (uint32_t)l;
	else
		return XL_EXIT_ERR;
	e = xlu_cfg_get_bounded_long(config, "max_maptrack_frames", 0, INT_MAX, &l, 1);
	if (e == ESRCH)
		b->max_maptrack_frames = (uint32_t)gc->max_maptrack_frames;
	else if (!e)
		b->max_maptrack_frames = (uint32_t)l;
	else
		return XL_EXIT_ERR;
	return 0;
}

static int parse_named_enum_or_long(XLU_Config *config, const char *key,
				    int (*from_string)(const char *, void *),
				    const char *(*to_string)(int), int *out, int min, int max,
				    int forbid_pv, int is_pv, FILE *report)
{
	const char *buf, *s;
	long l;

	if (!xlu_cfg_get_long(config, key, &l, 1)) {
		if (forbid_pv && is_pv) {
			fprintf(report,
				"ERROR: \"%s\" option is not supported "
				"for PV guests.\n",
				key);
			return XL_EXIT_FAIL;
		}
		s = l >= INT_MIN && l <= INT_MAX ? to_string((int)l) : NULL;
		fprintf(report,
			"WARNING: specifying \"%s\" as an integer is "
			"deprecated. Please use the named parameter variant. "
			"%s%s%s%s%s\n",
			key, s ? "e.g. " : "", s ? key : "", s ? "=\"" : "", s ? s : "",
			s ? "\"" : "");
		if (l < min || l > max) {
			fprintf(report, "ERROR: invalid value %ld for \"%s\"\n", l, key);
			return XL_EXIT_ERR;
		}
		*out = (int)l;
	} else if (!xlu_cfg_get_string(config, key, &buf, 0)) {
		if (forbid_pv && is_pv) {
			fprintf(report,
				"ERROR: \"%s\" option is not supported "
				"for PV guests.\n",
				key);
			return XL_EXIT_FAIL;
		}
		if (!forbid_pv)
			fprintf(report, "got a tsc mode string: \"%s\"\n", buf);
		if (from_string(buf, out)) {
			fprintf(report, "ERROR: invalid value \"%s\" for \"%s\"\n", buf, key);
			return XL_EXIT_ERR;
		}
	}
	return 0;
}

static int tsc_from(const char *s, void *v)
{
	return libxl_tsc_mode_from_string(s, v);
}
static const char *tsc_to(int v)
{
	return libxl_tsc_mode_to_string((libxl_tsc_mode)v);
}
static int timer_from(const char *s, void *v)
{
	return libxl_timer_mode_from_string(s, v);
}
static const char *timer_to(int v)
{
	return libxl_timer_mode_to_string((libxl_timer_mode)v);
}

static int parse_pv_firmware(XLU_Config *config, libxl_domain_build_info *b, FILE *report)
{
	const char *buf;

	if (!xlu_cfg_get_string(config, "firmware", &buf, 0)) {
		if (b->kernel) {
			fprintf(report, "ERROR: both kernel and firmware "
					"specified\n");
			return XL_EXIT_ERR;
		}
		if (strncmp(buf, "pvgrub32", strlen(buf)) &&
		    strncmp(buf, "pvgrub64", strlen(buf))) {
			fprintf(report, "ERROR: only pvgrub{32|64} supported as "
					"firmware options\n");
			return XL_EXIT_ERR;
		}
		if (asprintf(&b->kernel, XENFIRMWAREDIR "/%s.bin", buf) < 0)
			return XL_EXIT_ERR;
	}
	if (!b->bootloader && !b->kernel) {
		fprintf(report, "Neither kernel nor bootloader specified\n");
		return XL_EXIT_ERR;
	}
	return 0;
}

/* ioports=, irqs=, iomem= (passthrough of host resources) */
static int parse_host_resources(XLU_Config *config, libxl_domain_build_info *b, FILE *report)
{
	XLU_ConfigList *list;
	unsigned long ul;
	const char *buf;
	char *ep;
	int i, n;

	if (!xlu_cfg_get_list(config, "ioports", &list, &n, 0)) {
		b->ioports = calloc((size_t)n + 1, sizeof(*b->ioports));
		if (!b->ioports)
			return 255;
		b->num_ioports = n;
		for (i = 0; i < n; i++) {
			uint32_t start, end;

			buf = xlu_cfg_get_listitem(list, i);
			if (!buf) {
				fprintf(report,
					"xl: Unable to get element #%d "
					"in ioport list\n",
					i);
				return XL_EXIT_ERR;
			}
			ul = strtoul(buf, &ep, 16);
			if (ep == buf) {
				fprintf(report,
					"xl: Invalid argument parsing "
					"ioport: %s\n",
					buf);
				return XL_EXIT_ERR;
			}
			if (ul >= UINT32_MAX) {
				fprintf(report, "xl: ioport %lx too big\n", ul);
				return XL_EXIT_ERR;
			}
			start = end = (uint32_t)ul;
			if (*ep == '-') {
				const char *buf2 = ep + 1;

				ul = strtoul(buf2, &ep, 16);
				if (ep == buf2 || *ep != '\0' || start > end) {
					fprintf(report,
						"xl: Invalid argument "
						"parsing ioport: %s\n",
						buf);
					return XL_EXIT_ERR;
				}
				if (ul >= UINT32_MAX) {
					fprintf(report, "xl: ioport %lx too big\n", ul);
					return XL_EXIT_ERR;
				}
				end = (uint32_t)ul;
			} else if (*ep != '\0') {
				fprintf(report,
					"xl: Invalid argument parsing "
					"ioport: %s\n",
					buf);
			}
			b->ioports[i].first = start;
			b->ioports[i].number = end - start + 1;
		}
	}
	if (!xlu_cfg_get_list(config, "irqs", &list, &n, 0)) {
		b->irqs = calloc((size_t)n + 1, sizeof(*b->irqs));
		if (!b->irqs)
			return 255;
		b->num_irqs = n;
		for (i = 0; i < n; i++) {
			buf = xlu_cfg_get_listitem(list, i);
			if (!buf) {
				fprintf(report,
					"xl: Unable to get element %d in "
					"irq list\n",
					i);
				return XL_EXIT_ERR;
			}
			ul = strtoul(buf, &ep, 10);
			if (ep == buf || *ep != '\0') {
				fprintf(report,
					"xl: Invalid argument parsing "
					"irq: %s\n",
					buf);
				return XL_EXIT_ERR;
			}
			if (ul >= UINT32_MAX) {
				fprintf(report, "xl: irq %lx too big\n", ul);
				return XL_EXIT_ERR;
			}
			b->irqs[i] = (uint32_t)ul;
		}
	}
	if (!xlu_cfg_get_list(config, "iomem", &list, &n, 0)) {
		b->iomem = calloc((size_t)n + 1, sizeof(*b->iomem));
		if (!b->iomem)
			return 255;
		b->num_iomem = n;
		for (i = 0; i < n; i++) {
			int used = 0, ret;

			libxl_iomem_range_init(&b->iomem[i]);
			buf = xlu_cfg_get_listitem(list, i);
			if (!buf) {
				fprintf(report,
					"xl: Unable to get element %d in "
					"iomem list\n",
					i);
				return XL_EXIT_ERR;
			}
			ret = sscanf(buf, "%" SCNx64 ",%" SCNx64 "%n@%" SCNx64 "%n",
				     &b->iomem[i].start, &b->iomem[i].number, &used,
				     &b->iomem[i].gfn, &used);
			if (ret < 2 || buf[used] != '\0') {
				fprintf(report,
					"xl: Invalid argument parsing "
					"iomem: %s\n",
					buf);
				return XL_EXIT_ERR;
			}
		}
	}
	return 0;
}

#define CHECK(expr)               \
	do {                      \
		rc = (expr);      \
		if (rc)           \
			goto out; \
	} while (0)

int xl_parse_config_data(const struct xl_global_config *gc, const char *config_source,
			 const char *config_data, int config_len, libxl_domain_config *d_config,
			 FILE *report)
{
	libxl_domain_create_info *c_info = &d_config->c_info;
	libxl_domain_build_info *b_info = &d_config->b_info;
	XLU_Config *config;
	const char *buf;
	int rc = 0, e;
	long l;

	config = xlu_cfg_init(report, config_source);
	if (!config) {
		fprintf(report, "Failed to allocate for configuration\n");
		return XL_EXIT_ERR;
	}
	e = xlu_cfg_readdata(config, config_data, config_len);
	if (e) {
		fprintf(report, "Failed to parse config: %s\n", strerror(e));
		rc = XL_EXIT_ERR;
		goto out;
	}

	if (!xlu_cfg_get_string(config, "init_seclabel", &buf, 0))
		xlu_cfg_replace_string(config, "init_seclabel", &c_info->ssid_label, 0);
	if (!xlu_cfg_get_string(config, "seclabel", &buf, 0))
		xlu_cfg_replace_string(
			config, "seclabel",
			c_info->ssid_label ? &b_info->exec_ssid_label : &c_info->ssid_label, 0);
	libxl_defbool_set(&c_info->run_hotplug_scripts, gc->run_hotplug_scripts);
	CHECK(parse_domain_type(config, c_info, report));
	xlu_cfg_get_defbool(config, "hap", &c_info->hap, 0);
	if (xlu_cfg_replace_string(config, "name", &c_info->name, 0)) {
		fprintf(report, "Domain name must be specified.\n");
		rc = XL_EXIT_ERR;
		goto out;
	}
	if (!xlu_cfg_get_string(config, "uuid", &buf, 0)) {
		if (libxl_uuid_from_string(&c_info->uuid, buf)) {
			fprintf(report, "Failed to parse UUID: %s\n", buf);
			rc = XL_EXIT_ERR;
			goto out;
		}
	} else {
		libxl_uuid_generate(&c_info->uuid);
	}
	xlu_cfg_get_defbool(config, "oos", &c_info->oos, 0);
	xlu_cfg_replace_string(config, "pool", &c_info->pool_name, 0);

	libxl_domain_build_info_init_type(b_info, c_info->type);
	if (b_info->type == LIBXL_DOMAIN_TYPE_PVH) {
		xlu_cfg_get_defbool(config, "pvshim", &b_info->u.pvh.pvshim, 0);
		xlu_cfg_replace_string(config, "pvshim_path", &b_info->u.pvh.pvshim_path, 0);
		xlu_cfg_replace_string(config, "pvshim_cmdline", &b_info->u.pvh.pvshim_cmdline, 0);
		xlu_cfg_replace_string(config, "pvshim_extra", &b_info->u.pvh.pvshim_extra, 0);
	}
	if (gc->blkdev_start)
		b_info->blkdev_start = strdup(gc->blkdev_start);

	if (!xlu_cfg_get_long(config, "cpu_weight", &l, 0))
		b_info->sched_params.weight = (int)l;
	if (!xlu_cfg_get_long(config, "cap", &l, 0))
		b_info->sched_params.cap = (int)l;
	if (!xlu_cfg_get_long(config, "period", &l, 0))
		b_info->sched_params.period = (int)l;
	if (!xlu_cfg_get_long(config, "slice", &l, 0))
		b_info->sched_params.slice = (int)l;
	if (!xlu_cfg_get_long(config, "latency", &l, 0))
		b_info->sched_params.latency = (int)l;
	if (!xlu_cfg_get_long(config, "extratime", &l, 0))
		b_info->sched_params.extratime = (int)l;

	CHECK(parse_resources(gc, config, b_info, report));
	libxl_defbool_set(&b_info->claim_mode, gc->claim_mode);
	CHECK(parse_actions(config, d_config, report));

	if (c_info->type == LIBXL_DOMAIN_TYPE_PV)
		xlu_cfg_get_defbool(config, "e820_host", &b_info->u.pv.e820_host, 0);
	CHECK(xl_parse_pcis(config, d_config, report));
	if (!xlu_cfg_get_string(config, "passthrough", &buf, 0) &&
	    libxl_passthrough_from_string(buf, &c_info->passthrough)) {
		fprintf(report, "ERROR: unknown passthrough option '%s'\n", buf);
		rc = XL_EXIT_ERR;
		goto out;
	}
	if (!xlu_cfg_get_long(config, "shadow_memory", &l, 0))
		b_info->shadow_memkb = (uint64_t)l * 1024;
	xlu_cfg_get_defbool(config, "nomigrate", &b_info->disable_migrate, 0);
	CHECK(parse_named_enum_or_long(config, "tsc_mode", tsc_from, tsc_to,
				       (int *)&b_info->tsc_mode, LIBXL_TSC_MODE_DEFAULT,
				       LIBXL_TSC_MODE_NATIVE_PARAVIRT, 0, 0, report));
	if (!xlu_cfg_get_long(config, "rtc_timeoffset", &l, 0))
		b_info->rtc_timeoffset = (uint32_t)l;
	if (!xlu_cfg_get_long(config, "vncviewer", &l, 0))
		fprintf(report, "WARNING: ignoring \"vncviewer\" option. Use "
				"\"-V\" option of \"xl create\" to automatically "
				"spawn vncviewer.\n");
	xlu_cfg_get_defbool(config, "localtime", &b_info->localtime, 0);
	if (!xlu_cfg_get_long(config, "videoram", &l, 0))
		b_info->video_memkb = (uint64_t)l * 1024;
	if (!xlu_cfg_get_long(config, "max_event_channels", &l, 0))
		b_info->event_channels = (uint32_t)l;
	xlu_cfg_replace_string(config, "kernel", &b_info->kernel, 0);
	xlu_cfg_replace_string(config, "ramdisk", &b_info->ramdisk, 0);
	xlu_cfg_replace_string(config, "device_tree", &b_info->device_tree, 0);
	b_info->cmdline = parse_cmdline(config, report);
	xlu_cfg_get_defbool(config, "driver_domain", &c_info->driver_domain, 0);
	xlu_cfg_get_defbool(config, "acpi", &b_info->acpi, 0);
	xlu_cfg_replace_string(config, "bootloader", &b_info->bootloader, 0);
	switch (xlu_cfg_get_list_as_string_list(config, "bootloader_args", &b_info->bootloader_args,
						1)) {
	case 0:
	case ESRCH:
		break;
	case EINVAL:
		if (!xlu_cfg_get_string(config, "bootloader_args", &buf, 0)) {
			char *copy = strdup(buf), *p, *save = NULL;
			int n = 0;

			fprintf(report, "WARNING: Specifying \"bootloader_args\" "
					"as a string is deprecated. Please use a "
					"list of arguments.\n");
			b_info->bootloader_args = calloc(strlen(buf) / 2 + 2, sizeof(char *));
			for (p = copy ? strtok_r(copy, " \t\n", &save) : NULL;
			     p && b_info->bootloader_args; p = strtok_r(NULL, " \t\n", &save))
				b_info->bootloader_args[n++] = strdup(p);
			free(copy);
		}
		break;
	default:
		fprintf(report, "xl: Unable to parse bootloader_args.\n");
		rc = XL_EXIT_FAIL;
		goto out;
	}
	CHECK(parse_named_enum_or_long(
		config, "timer_mode", timer_from, timer_to, (int *)&b_info->timer_mode,
		LIBXL_TIMER_MODE_DELAY_FOR_MISSED_TICKS, LIBXL_TIMER_MODE_ONE_MISSED_TICK_PENDING,
		1, b_info->type == LIBXL_DOMAIN_TYPE_PV, report));
	xlu_cfg_get_defbool(config, "nestedhvm", &b_info->nested_hvm, 0);
	if (b_info->type == LIBXL_DOMAIN_TYPE_HVM)
		CHECK(xl_parse_hvm_firmware(config, b_info, report));
	else
		CHECK(parse_pv_firmware(config, b_info, report));

	if (!xlu_cfg_get_long(config, "altp2m", &l, 1)) {
		if (l < LIBXL_ALTP2M_MODE_DISABLED || l > LIBXL_ALTP2M_MODE_LIMITED) {
			fprintf(report,
				"ERROR: invalid value %ld for "
				"\"altp2m\"\n",
				l);
			rc = XL_EXIT_ERR;
			goto out;
		}
		b_info->altp2m = (libxl_altp2m_mode)l;
	} else if (!xlu_cfg_get_string(config, "altp2m", &buf, 0) &&
		   libxl_altp2m_mode_from_string(buf, &b_info->altp2m)) {
		fprintf(report, "ERROR: invalid value \"%s\" for \"altp2m\"\n", buf);
		rc = XL_EXIT_ERR;
		goto out;
	}
	if (!xlu_cfg_get_long(config, "vmtrace_buf_kb", &l, 1) && l)
		b_info->vmtrace_buf_kb = (int)l;
	CHECK(parse_host_resources(config, b_info, report));

	CHECK(xl_parse_disks(config, d_config));
	CHECK(xl_parse_p9s(config, d_config, report));
	CHECK(xl_parse_vtpms(config, d_config, report));
	CHECK(xl_parse_vdispls(config, d_config, report));
	CHECK(xl_parse_pvcalls(config, d_config, report));
	CHECK(xl_parse_vsnds(config, d_config, report));
	CHECK(xl_parse_channels(config, d_config, report));
	CHECK(xl_parse_nics(gc, config, d_config, report));
	if (!xlu_cfg_get_list(config, "vif2", NULL, 0, 0))
		fprintf(report, "WARNING: vif2: netchannel2 is deprecated and "
				"not supported by xl\n");
	CHECK(xl_parse_vfbs(config, d_config));
	CHECK(xl_parse_usb(config, d_config, report));
	/* cpuid= is kept as written; libxl applies it at build time */
	if (xlu_cfg_get_list_as_string_list(config, "cpuid", &b_info->cpuid, 1) == EINVAL &&
	    !xlu_cfg_get_string(config, "cpuid", &buf, 0)) {
		b_info->cpuid = calloc(2, sizeof(char *));
		if (b_info->cpuid)
			b_info->cpuid[0] = strdup(buf);
	}
	CHECK(xl_parse_device_model(config, d_config, report));

	/* A PV guest without vfb= gets one from the top-level vnc keys. */
	if (c_info->type == LIBXL_DOMAIN_TYPE_PV && !d_config->num_vfbs) {
		if (!xlu_cfg_get_long(config, "vnc", &l, 0) && l) {
			libxl_device_vfb *vfb = calloc(1, sizeof(*vfb));
			libxl_device_vkb *vkb = realloc(
				d_config->vkbs, sizeof(*vkb) * ((size_t)d_config->num_vkbs + 1));

			if (!vfb || !vkb) {
				free(vfb);
				rc = 255;
				goto out;
			}
			d_config->vkbs = vkb;
			libxl_device_vkb_init(&vkb[d_config->num_vkbs]);
			vkb[d_config->num_vkbs].devid = d_config->num_vkbs;
			d_config->num_vkbs++;
			libxl_device_vfb_init(vfb);
			vfb->devid = 0;
			d_config->vfbs = vfb;
			d_config->num_vfbs = 1;
			parse_top_level_vnc_options(config, &vfb->vnc);
			parse_top_level_sdl_options(config, &vfb->sdl);
			xlu_cfg_replace_string(config, "keymap", &vfb->keymap, 0);
		}
	} else if (c_info->type == LIBXL_DOMAIN_TYPE_HVM) {
		/* Xen writes these through u.hvm even for PVH; only HVM shows */
		parse_top_level_vnc_options(config, &b_info->u.hvm.vnc);
		parse_top_level_sdl_options(config, &b_info->u.hvm.sdl);
	}
	xlu_cfg_get_defbool(config, "dm_restrict", &b_info->dm_restrict, 0);
	if (c_info->type == LIBXL_DOMAIN_TYPE_HVM)
		CHECK(xl_parse_hvm_devices(config, b_info, report));
	if (!xlu_cfg_get_string(config, "gic_version", &buf, 1) &&
	    libxl_gic_version_from_string(buf, &b_info->arch_arm.gic_version)) {
		fprintf(report, "Unknown gic_version \"%s\" specified\n", buf);
		rc = XL_EXIT_FAIL;
		goto out;
	}
	if (!xlu_cfg_get_string(config, "tee", &buf, 1) &&
	    libxl_tee_type_from_string(buf, &b_info->tee)) {
		fprintf(report, "Unknown tee \"%s\" specified\n", buf);
		rc = XL_EXIT_FAIL;
		goto out;
	}
	CHECK(xl_parse_vkbs(config, d_config, report));
	xlu_cfg_get_defbool(config, "xend_suspend_evtchn_compat",
			    &c_info->xend_suspend_evtchn_compat, 0);
	if (!xlu_cfg_get_defbool(config, "msr_relaxed", &b_info->arch_x86.msr_relaxed, 0))
		fprintf(report, "WARNING: msr_relaxed will be removed in future "
				"versions.\nIf it fixes an issue you are having "
				"please report to xen-devel@lists.xenproject.org.\n");
out:
	xlu_cfg_destroy(config);
	return rc;
}

/* "<n>[bkmgt]", no suffix = MiB... as Xen's parse_mem_size_kb: KiB out. */
int64_t xl_parse_mem_size_kb(const char *mem)
{
	char *endptr;
	int64_t kbytes = strtoll(mem, &endptr, 10);

	if (strlen(endptr) > 1)
		return -1;
	switch (tolower((unsigned char)*endptr)) {
	case 't':
		kbytes <<= 10;
		/* fall through */
	case 'g':
		kbytes <<= 10;
		/* fall through */
	case '\0':
	case 'm':
		kbytes <<= 10;
		/* fall through */
	case 'k':
		break;
	case 'b':
		kbytes >>= 10;
		break;
	default:
		return -1;
	}
	return kbytes;
}
