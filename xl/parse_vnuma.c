/*
 * xl/parse_vnuma.c: vnuma = [ [ "pnode=0", "size=512", "vcpus=0-1",
 * "vdistances=10,20" ], ... ], the guest's virtual NUMA nodes.
 *
 * As in Xen, the nodes also decide maxvcpus and maxmem when those are not
 * given (and must agree with them when they are).  kxen presents its host
 * as a single NUMA node, so only pnode=0 is valid.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define XL_EXIT_ERR 1
#define VNUMA_HOST_NODES 1

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

static int vnuma_ulong(const char *s, unsigned long *v, FILE *report)
{
	char *end;

	*v = strtoul(s, &end, 10);
	if (end == s || *v == ULONG_MAX) {
		fprintf(report, "xl: failed to convert \"%s\" to number\n", s);
		return XL_EXIT_ERR;
	}
	return 0;
}

/*
 * "a-b" or "a", read as Xen's parse_range does without looking at its
 * verdict: a malformed item still counts whatever numbers it got ("-" is
 * vCPU 0).  Bits beyond the bitmap are ignored; a runaway range is cut.
 */
static void vnuma_set_vcpus(const char *value, libxl_bitmap *map, unsigned long *count)
{
	char *copy = strdup(value), *item, *save = NULL, *end, *end2;
	unsigned long a, b, n;

	for (item = copy ? strtok_r(copy, ",", &save) : NULL; item;
	     item = strtok_r(NULL, ",", &save)) {
		a = b = strtoul(item, &end, 10);
		if (end != item && a != ULONG_MAX && *end == '-')
			b = strtoul(end + 1, &end2, 10);
		for (n = 0; a <= b && n < 65536; a++, n++) {
			libxl_bitmap_set(map, a > INT_MAX ? -1 : (int)a);
			(*count)++;
			if (a == ULONG_MAX)
				break;
		}
	}
	free(copy);
}

static int vnuma_item(const char *item, libxl_domain_build_info *b, libxl_vnode_info *p,
		      libxl_bitmap *vcpus, unsigned long *nr_vcpus, uint64_t *memkb, FILE *report)
{
	char *copy = strdup(item), *a, *v, *save = NULL;
	char *key = NULL, *value = NULL, *d;
	unsigned long val;
	int rc = 0, j = 0;

	/* Xen splits with strtok("="): the first two tokens, if both exist */
	a = copy ? strtok_r(copy, "=", &save) : NULL;
	v = a ? strtok_r(NULL, "=", &save) : NULL;
	if (!v) {
		free(copy);
		fprintf(report, "xl: failed to split \"%s\" into pair\n", item);
		return XL_EXIT_ERR;
	}
	key = trim_dup(a, strlen(a));
	value = trim_dup(v, strlen(v));
	free(copy);
	save = NULL;
	if (!key || !value) {
		rc = 255;
	} else if (!strcmp(key, "pnode")) {
		rc = vnuma_ulong(value, &val, report);
		if (!rc && val >= VNUMA_HOST_NODES) {
			fprintf(report, "xl: invalid pnode number: %lu\n", val);
			rc = XL_EXIT_ERR;
		}
		if (!rc) {
			p->pnode = (uint32_t)val;
			libxl_defbool_set(&b->numa_placement, false);
		}
	} else if (!strcmp(key, "size")) {
		rc = vnuma_ulong(value, &val, report);
		if (!rc) {
			p->memkb = (uint64_t)val << 10;
			*memkb += p->memkb;
		}
	} else if (!strcmp(key, "vcpus")) {
		vnuma_set_vcpus(value, vcpus, nr_vcpus);
	} else if (!strcmp(key, "vdistances")) {
		copy = strdup(value);
		for (d = copy ? strtok_r(copy, ",", &save) : NULL; d && !rc;
		     d = strtok_r(NULL, ",", &save), j++) {
			rc = vnuma_ulong(d, &val, report);
			/* Xen writes past the end here; extra ones are dropped */
			if (!rc && j < p->num_distances)
				p->distances[j] = (uint32_t)val;
		}
		free(copy);
	}
	free(key);
	free(value);
	return rc;
}

int xl_parse_vnuma(XLU_Config *config, libxl_domain_build_info *b, FILE *report)
{
	unsigned long nr_vcpus = 0;
	uint64_t memkb = 0;
	XLU_ConfigList *vnuma, *spec;
	libxl_bitmap *parsed = NULL;
	int i, j, n = 0, rc = 0, host_cpus = libxl_get_max_cpus();
	const char *item;

	if (xlu_cfg_get_list(config, "vnuma", &vnuma, &n, 1) || !n)
		return 0;
	b->vnuma_nodes = calloc((size_t)n, sizeof(*b->vnuma_nodes));
	parsed = calloc((size_t)n, sizeof(*parsed));
	if (!b->vnuma_nodes || !parsed) {
		free(parsed);
		return 255;
	}
	b->num_vnuma_nodes = n;
	for (i = 0; i < n; i++) {
		libxl_vnode_info *p = &b->vnuma_nodes[i];

		libxl_vnode_info_init(p);
		p->distances = calloc((size_t)n, sizeof(*p->distances));
		if (!p->distances) {
			rc = 255;
			goto out;
		}
		p->num_distances = n;
		if (libxl_cpu_bitmap_alloc(&parsed[i], b->max_vcpus)) {
			fprintf(report, "libxl_node_bitmap_alloc failed.\n");
			rc = XL_EXIT_ERR;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (xlu_cfg_value_get_list(config, xlu_cfg_get_listitem2(vnuma, i), &spec, 0)) {
			fprintf(report, "xl: cannot get vnode config option "
					"list\n");
			rc = XL_EXIT_ERR;
			goto out;
		}
		for (j = 0; (item = xlu_cfg_get_listitem(spec, j)) != NULL; j++) {
			rc = vnuma_item(item, b, &b->vnuma_nodes[i], &parsed[i], &nr_vcpus, &memkb,
					report);
			if (rc)
				goto out;
		}
	}
	if (b->max_vcpus != 0) {
		if ((unsigned long)b->max_vcpus != nr_vcpus) {
			fprintf(report, "xl: vnuma vcpus and maxvcpus= mismatch\n");
			rc = XL_EXIT_ERR;
			goto out;
		}
	} else {
		if ((unsigned long)host_cpus < nr_vcpus) {
			fprintf(report, "xl: vnuma specifies more vcpus than "
					"pcpus, use maxvcpus= to override this "
					"check.\n");
			rc = XL_EXIT_ERR;
			goto out;
		}
		b->max_vcpus = (int)nr_vcpus;
	}
	if (b->max_memkb != LIBXL_MEMKB_DEFAULT && b->max_memkb != memkb) {
		fprintf(report, "xl: maxmem and vnuma memory size mismatch\n");
		rc = XL_EXIT_ERR;
		goto out;
	}
	b->max_memkb = memkb;
	for (i = 0; i < n; i++) {
		libxl_bitmap_dispose(&b->vnuma_nodes[i].vcpus);
		b->vnuma_nodes[i].vcpus = parsed[i];
		libxl_bitmap_init(&parsed[i]);
	}
out:
	for (i = 0; i < n; i++)
		libxl_bitmap_dispose(&parsed[i]);
	free(parsed);
	return rc;
}
