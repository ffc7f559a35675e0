/*
 * xl/global_config.c: xl.conf (xl.conf(5)), the host-wide defaults xl
 * applies to every domain it creates: hotplug scripts, claim mode, vif
 * defaults, the grant table limits, the lock file and the output format.
 */
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define XL_LOCK_FILE "/var/lock/xl"

static void full_cpumask(libxl_bitmap *map)
{
	libxl_bitmap_init(map);
	if (!libxl_cpu_bitmap_alloc(map, 0))
		libxl_bitmap_set_any(map);
}

void xl_global_config_init(struct xl_global_config *gc)
{
	memset(gc, 0, sizeof(*gc));
	gc->run_hotplug_scripts = 1;
	gc->claim_mode = 1;
	gc->max_grant_frames = -1;
	gc->max_maptrack_frames = -1;
	full_cpumask(&gc->vm_cpumask);
	full_cpumask(&gc->pv_cpumask);
	full_cpumask(&gc->hvm_cpumask);
}

void xl_global_config_dispose(struct xl_global_config *gc)
{
	free(gc->blkdev_start);
	free(gc->default_vifscript);
	free(gc->default_bridge);
	free(gc->default_gatewaydev);
	free(gc->default_vifbackend);
	free(gc->lockfile);
	libxl_bitmap_dispose(&gc->vm_cpumask);
	libxl_bitmap_dispose(&gc->pv_cpumask);
	libxl_bitmap_dispose(&gc->hvm_cpumask);
	memset(gc, 0, sizeof(*gc));
}

/* vm*.cpumask: a cpu list (xl.cfg's cpus= syntax), or every CPU */
static void cpumask(XLU_Config *config, const char *key, libxl_bitmap *map, FILE *report)
{
	const char *buf;

	if (xlu_cfg_get_string(config, key, &buf, 0)) {
		libxl_bitmap_set_any(map);
		return;
	}
	libxl_bitmap_set_none(map);
	xl_parse_cpurange(buf, map, report);
}

static void replace(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

int xl_global_config_parse(struct xl_global_config *gc, const char *config_source, const char *data,
			   int len, FILE *report)
{
	XLU_Config *config;
	const char *buf;
	long l;
	int e;

	config = xlu_cfg_init(report, config_source);
	if (!config) {
		fprintf(report, "Failed to allocate for configuration\n");
		return 1;
	}
	e = xlu_cfg_readdata(config, data, len);
	if (e) {
		fprintf(report, "Failed to parse config file: %s\n", strerror(e));
		xlu_cfg_destroy(config);
		return 1;
	}
	/* autoballoon is read for its warnings; kxen never balloons dom0 */
	if (!xlu_cfg_get_string(config, "autoballoon", &buf, 0) && strcmp(buf, "on") &&
	    strcmp(buf, "1") && strcmp(buf, "off") && strcmp(buf, "0") && strcmp(buf, "auto"))
		fprintf(report, "invalid autoballoon option");
	if (!xlu_cfg_get_long(config, "run_hotplug_scripts", &l, 0))
		gc->run_hotplug_scripts = (int)l;
	replace(&gc->lockfile, XL_LOCK_FILE);
	if (!xlu_cfg_get_string(config, "lockfile", &buf, 0))
		replace(&gc->lockfile, buf);
	if (!xlu_cfg_get_string(config, "vifscript", &buf, 0)) {
		fprintf(report, "the global config option vifscript is "
				"deprecated, please switch to "
				"vif.default.script\n");
		replace(&gc->default_vifscript, buf);
	}
	if (!xlu_cfg_get_string(config, "vif.default.script", &buf, 0))
		replace(&gc->default_vifscript, buf);
	if (!xlu_cfg_get_string(config, "defaultbridge", &buf, 0)) {
		fprintf(report, "the global config option defaultbridge is "
				"deprecated, please switch to "
				"vif.default.bridge\n");
		replace(&gc->default_bridge, buf);
	}
	if (!xlu_cfg_get_string(config, "vif.default.bridge", &buf, 0))
		replace(&gc->default_bridge, buf);
	if (!xlu_cfg_get_string(config, "vif.default.gatewaydev", &buf, 0))
		replace(&gc->default_gatewaydev, buf);
	if (!xlu_cfg_get_string(config, "vif.default.backend", &buf, 0))
		replace(&gc->default_vifbackend, buf);
	if (!xlu_cfg_get_string(config, "output_format", &buf, 0)) {
		if (!strcmp(buf, "json"))
			gc->output_format_sxp = 0;
		else if (!strcmp(buf, "sxp"))
			gc->output_format_sxp = 1;
		else
			fprintf(report, "invalid default output format \"%s\"\n", buf);
	}
	if (!xlu_cfg_get_string(config, "blkdev_start", &buf, 0))
		replace(&gc->blkdev_start, buf);
	if (!xlu_cfg_get_long(config, "claim_mode", &l, 0))
		gc->claim_mode = (int)l;
	if (!xlu_cfg_get_long(config, "max_grant_frames", &l, 0))
		gc->max_grant_frames = l;
	if (!xlu_cfg_get_long(config, "max_maptrack_frames", &l, 0))
		gc->max_maptrack_frames = l;
	cpumask(config, "vm.cpumask", &gc->vm_cpumask, report);
	cpumask(config, "vm.pv.cpumask", &gc->pv_cpumask, report);
	cpumask(config, "vm.hvm.cpumask", &gc->hvm_cpumask, report);
	xlu_cfg_destroy(config);
	return 0;
}

static int bitmap_is_full(const libxl_bitmap *map)
{
	uint32_t i;

	for (i = 0; i < map->size; i++)
		if (map->map[i] != 0xff)
			return 0;
	return 1;
}

/* dst = a & b, sized like a */
static int bitmap_and(libxl_bitmap *dst, const libxl_bitmap *a, const libxl_bitmap *b)
{
	uint32_t i;
	int rc = libxl_bitmap_alloc(dst, (int)a->size * 8);

	for (i = 0; !rc && i < a->size; i++)
		dst->map[i] = a->map[i] & (i < b->size ? b->map[i] : 0);
	return rc;
}

int xl_global_affinity_apply(const struct xl_global_config *gc, libxl_domain_build_info *b,
			     FILE *report)
{
	const libxl_bitmap *type_mask =
		b->type == LIBXL_DOMAIN_TYPE_PV ? &gc->pv_cpumask : &gc->hvm_cpumask;
	int i;

	/* with a mask set and no cpus=, every vCPU starts from every CPU */
	if (b->num_vcpu_hard_affinity == 0 && b->max_vcpus > 0 &&
	    (!bitmap_is_full(&gc->vm_cpumask) || !bitmap_is_full(type_mask))) {
		b->vcpu_hard_affinity = calloc((size_t)b->max_vcpus, sizeof(libxl_bitmap));
		if (!b->vcpu_hard_affinity)
			return 255;
		b->num_vcpu_hard_affinity = b->max_vcpus;
		for (i = 0; i < b->max_vcpus; i++)
			full_cpumask(&b->vcpu_hard_affinity[i]);
	}
	for (i = 0; i < b->num_vcpu_hard_affinity; i++) {
		libxl_bitmap *t = &b->vcpu_hard_affinity[i], b1, b2;

		libxl_bitmap_init(&b1);
		libxl_bitmap_init(&b2);
		if (bitmap_and(&b1, t, &gc->vm_cpumask) || bitmap_and(&b2, &b1, type_mask)) {
			fprintf(report, "libxl_bitmap_and errored\n");
			libxl_bitmap_dispose(&b1);
			libxl_bitmap_dispose(&b2);
			return 1;
		}
		libxl_bitmap_dispose(&b1);
		if (libxl_bitmap_is_empty(&b2)) {
			fprintf(report, "vcpu hard affinity map is empty\n");
			libxl_bitmap_dispose(&b2);
			return 1;
		}
		libxl_bitmap_dispose(t);
		*t = b2;
	}
	return 0;
}
