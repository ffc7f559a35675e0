/*
 * sysctl: host-wide queries for the toolstack (domain 0 only): physinfo
 * from the memory pool, the domain list, the scheduler id, and the
 * hypervisor console ring.
 */
#include <cpuid.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xen/sysctl.h>

#include "domain.h"
#include "hypercall.h"

#define READCONSOLE_MAX (1u << 20)

static int64_t sysctl_readconsole(struct hc_ctx *ctx, struct xen_sysctl_readconsole *rc)
{
	uint32_t count = rc->count, index = rc->index;
	size_t n;
	char *buf;

	if (count > READCONSOLE_MAX)
		count = READCONSOLE_MAX;
	buf = malloc(count ? count : 1);
	if (!buf)
		return -ENOMEM;
	n = hv_console_read(&ctx->hv->console, buf, count, &index, rc->incremental);
	if (n && copy_to_guest(ctx, (uint64_t)(uintptr_t)rc->buffer.p, buf, n)) {
		free(buf);
		return -EFAULT;
	}
	free(buf);
	rc->count = (uint32_t)n;
	if (rc->incremental)
		rc->index = index;
	if (rc->clear)
		hv_console_clear(&ctx->hv->console);
	return 0;
}

static int64_t sysctl_getdomaininfolist(struct hc_ctx *ctx, struct xen_sysctl_getdomaininfolist *l)
{
	struct xen_domctl_getdomaininfo info;
	uint32_t n = 0;
	unsigned int id;

	for (id = l->first_domain; id < XENHV_MAX_DOMAINS && n < l->max_domains; id++) {
		struct domain *d = ctx->hv->domains[id];

		if (!d)
			continue;
		domain_getinfo(d, &info);
		if (copy_to_guest(ctx,
				  (uint64_t)(uintptr_t)l->buffer.p + (uint64_t)n * sizeof(info),
				  &info, sizeof(info)))
			return -EFAULT;
		n++;
	}
	l->num_domains = n;
	return 0;
}

/* hw_cap: the host's CPUID words in Xen's featureset order (1d, 1c, e1d, e1c, Da1, 7b0, 7c0, e7d). */
static void sysctl_hw_caps(uint32_t caps[8])
{
	static const struct {
		uint32_t leaf, sub;
		int reg; /* 0 eax, 1 ebx, 2 ecx, 3 edx */
	} words[8] = { { 1, 0, 3 },   { 1, 0, 2 }, { 0x80000001, 0, 3 }, { 0x80000001, 0, 2 },
		       { 0xd, 1, 0 }, { 7, 0, 1 }, { 7, 0, 2 },		 { 0x80000007, 0, 3 } };
	unsigned int i, max = __get_cpuid_max(0, NULL), emax = __get_cpuid_max(0x80000000, NULL);

	for (i = 0; i < 8; i++) {
		uint32_t r[4] = { 0 };
		uint32_t limit = words[i].leaf >= 0x80000000 ? emax : max;

		if (words[i].leaf <= limit)
			__cpuid_count(words[i].leaf, words[i].sub, r[0], r[1], r[2], r[3]);
		caps[i] = r[words[i].reg];
	}
}

static void sysctl_physinfo(struct xenhv *hv, struct xen_sysctl_physinfo *pi)
{
	memset(pi, 0, sizeof(*pi));
	pi->threads_per_core = 1;
	pi->cores_per_socket = hv->nr_cpus;
	pi->nr_cpus = hv->nr_cpus;
	pi->max_cpu_id = hv->nr_cpus - 1;
	pi->nr_nodes = 1;
	pi->max_node_id = 0;
	pi->cpu_khz = hv->cpu_khz;
	pi->capabilities = XEN_SYSCTL_PHYSCAP_hvm | XEN_SYSCTL_PHYSCAP_hap;
	pi->total_pages = hv->pool.total_pages;
	pi->free_pages = hv->pool.free_pages;
	pi->max_mfn = hv->pool.total_pages;
	sysctl_hw_caps(pi->hw_cap);
}

int64_t do_sysctl(struct hc_ctx *ctx, const uint64_t *args)
{
	struct xen_sysctl op;
	int64_t ret;

	if (copy_from_guest(ctx, &op, args[0], sizeof(op)))
		return -EFAULT;
	if (op.interface_version != XEN_SYSCTL_INTERFACE_VERSION)
		return -EACCES;
	switch (op.cmd) {
	case XEN_SYSCTL_readconsole:
		ret = sysctl_readconsole(ctx, &op.u.readconsole);
		break;
	case XEN_SYSCTL_physinfo:
		sysctl_physinfo(ctx->hv, &op.u.physinfo);
		ret = 0;
		break;
	case XEN_SYSCTL_sched_id:
		op.u.sched_id.sched_id = XEN_SCHEDULER_CREDIT2;
		ret = 0;
		break;
	case XEN_SYSCTL_getdomaininfolist:
		ret = sysctl_getdomaininfolist(ctx, &op.u.getdomaininfolist);
		break;
	default:
		return -ENOSYS;
	}
	if (!ret && copy_to_guest(ctx, args[0], &op, sizeof(op)))
		ret = -EFAULT;
	return ret;
}
