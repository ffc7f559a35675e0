/*
 * Typed wrappers for domctl, sysctl, memory_op, hvm_op, sched_op and
 * xen_version, in Xen's xenctrl.h shapes.
 */
#include <errno.h>
#include <string.h>

#include "xc_private.h"

int xc_domain_create(xc_interface *xch, uint32_t *pdomid, struct xen_domctl_createdomain *config)
{
	struct xen_domctl domctl;
	int rc;

	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = XEN_DOMCTL_createdomain;
	domctl.domain = (domid_t)*pdomid;
	domctl.u.createdomain = *config;
	rc = xc_do_domctl(xch, &domctl, NULL, 0);
	if (rc < 0)
		return -1;
	*pdomid = domctl.domain;
	*config = domctl.u.createdomain;
	return 0;
}

static int xc_domctl_simple(xc_interface *xch, uint32_t cmd, uint32_t domid)
{
	struct xen_domctl domctl;

	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = cmd;
	domctl.domain = (domid_t)domid;
	return xc_do_domctl(xch, &domctl, NULL, 0) < 0 ? -1 : 0;
}

int xc_domain_max_vcpus(xc_interface *xch, uint32_t domid, unsigned int max)
{
	struct xen_domctl domctl;

	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = XEN_DOMCTL_max_vcpus;
	domctl.domain = (domid_t)domid;
	domctl.u.max_vcpus.max = max;
	return xc_do_domctl(xch, &domctl, NULL, 0) < 0 ? -1 : 0;
}

int xc_domain_setmaxmem(xc_interface *xch, uint32_t domid, uint64_t max_memkb)
{
	struct xen_domctl domctl;

	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = XEN_DOMCTL_max_mem;
	domctl.domain = (domid_t)domid;
	domctl.u.max_mem.max_memkb = max_memkb;
	return xc_do_domctl(xch, &domctl, NULL, 0) < 0 ? -1 : 0;
}

static int xc_reservation_op(xc_interface *xch, unsigned int cmd, uint32_t domid,
			     unsigned long nr_extents, unsigned int extent_order,
			     unsigned int mem_flags, xen_pfn_t *extent_start)
{
	struct xen_memory_reservation r;
	struct privcmd_buf bufs[2];
	uint64_t args[5] = { cmd, (uint64_t)(uintptr_t)&r };

	memset(&r, 0, sizeof(r));
	set_xen_guest_handle(r.extent_start, extent_start);
	r.nr_extents = nr_extents;
	r.extent_order = extent_order;
	r.mem_flags = mem_flags;
	r.domid = (domid_t)domid;
	if (nr_extents == 0)
		return 0;
	if (nr_extents > (PRIVCMD_MSG_MAX / 2) / sizeof(xen_pfn_t)) {
		errno = E2BIG;
		return -1;
	}
	bufs[0] = xc_buf(&r, sizeof(r), PRIVCMD_BUF_IN);
	bufs[1] = xc_buf(extent_start, nr_extents * sizeof(xen_pfn_t),
			 PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT);
	return (int)xc_hypercall(xch, __HYPERVISOR_memory_op, args, bufs, 2);
}

int xc_domain_populate_physmap(xc_interface *xch, uint32_t domid, unsigned long nr_extents,
			       unsigned int extent_order, unsigned int mem_flags,
			       xen_pfn_t *extent_start)
{
	return xc_reservation_op(xch, XENMEM_populate_physmap, domid, nr_extents, extent_order,
				 mem_flags, extent_start);
}

int xc_domain_populate_physmap_exact(xc_interface *xch, uint32_t domid, unsigned long nr_extents,
				     unsigned int extent_order, unsigned int mem_flags,
				     xen_pfn_t *extent_start)
{
	int rc = xc_domain_populate_physmap(xch, domid, nr_extents, extent_order, mem_flags,
					    extent_start);

	if (rc < 0)
		return -1;
	if ((unsigned long)rc != nr_extents) {
		errno = EBUSY;
		return -1;
	}
	return 0;
}

int xc_domain_decrease_reservation_exact(xc_interface *xch, uint32_t domid,
					 unsigned long nr_extents, unsigned int extent_order,
					 xen_pfn_t *extent_start)
{
	int rc = xc_reservation_op(xch, XENMEM_decrease_reservation, domid, nr_extents,
				   extent_order, 0, extent_start);

	if (rc < 0)
		return -1;
	if ((unsigned long)rc != nr_extents) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int xc_domain_pause(xc_interface *xch, uint32_t domid)
{
	return xc_domctl_simple(xch, XEN_DOMCTL_pausedomain, domid);
}

int xc_domain_unpause(xc_interface *xch, uint32_t domid)
{
	return xc_domctl_simple(xch, XEN_DOMCTL_unpausedomain, domid);
}

int xc_domain_destroy(xc_interface *xch, uint32_t domid)
{
	return xc_domctl_simple(xch, XEN_DOMCTL_destroydomain, domid);
}

int xc_domain_shutdown(xc_interface *xch, uint32_t domid, int reason)
{
	struct sched_remote_shutdown arg = { .domain_id = (domid_t)domid,
					     .reason = (unsigned int)reason };
	struct privcmd_buf buf = xc_buf(&arg, sizeof(arg), PRIVCMD_BUF_IN);
	uint64_t args[5] = { SCHEDOP_remote_shutdown, (uint64_t)(uintptr_t)&arg };

	return xc_hypercall(xch, __HYPERVISOR_sched_op, args, &buf, 1) < 0 ? -1 : 0;
}

int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain, unsigned int max_domains,
			  xc_domaininfo_t *info)
{
	struct xen_sysctl sysctl;
	struct privcmd_buf buf;

	if (max_domains == 0)
		return 0;
	if (max_domains > (PRIVCMD_MSG_MAX / 2) / sizeof(*info)) {
		errno = E2BIG;
		return -1;
	}
	memset(&sysctl, 0, sizeof(sysctl));
	sysctl.cmd = XEN_SYSCTL_getdomaininfolist;
	sysctl.u.getdomaininfolist.first_domain = (domid_t)first_domain;
	sysctl.u.getdomaininfolist.max_domains = max_domains;
	set_xen_guest_handle(sysctl.u.getdomaininfolist.buffer, info);
	buf = xc_buf(info, max_domains * sizeof(*info), PRIVCMD_BUF_OUT);
	if (xc_do_sysctl(xch, &sysctl, &buf, 1) < 0)
		return -1;
	return (int)sysctl.u.getdomaininfolist.num_domains;
}

int xc_domain_getinfo_single(xc_interface *xch, uint32_t domid, xc_domaininfo_t *info)
{
	struct xen_domctl domctl;

	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = XEN_DOMCTL_getdomaininfo;
	domctl.domain = (domid_t)domid;
	if (xc_do_domctl(xch, &domctl, NULL, 0) < 0)
		return -1;
	if (info)
		*info = domctl.u.getdomaininfo;
	return 0;
}

int xc_domain_get_tot_pages(xc_interface *xch, uint32_t domid)
{
	xc_domaininfo_t info;

	if (xc_domain_getinfo_single(xch, domid, &info) < 0)
		return -1;
	return (int)info.tot_pages;
}

int xc_domain_set_memory_map(xc_interface *xch, uint32_t domid, struct e820entry entries[],
			     uint32_t nr_entries)
{
	struct {
		domid_t domid;
		struct xen_memory_map map;
	} fmap;
	struct privcmd_buf bufs[2];
	uint64_t args[5] = { XENMEM_set_memory_map, (uint64_t)(uintptr_t)&fmap };
	unsigned int nr = 1;

	memset(&fmap, 0, sizeof(fmap));
	fmap.domid = (domid_t)domid;
	fmap.map.nr_entries = nr_entries;
	set_xen_guest_handle(fmap.map.buffer, entries);
	bufs[0] = xc_buf(&fmap, sizeof(fmap), PRIVCMD_BUF_IN);
	if (nr_entries)
		bufs[nr++] = xc_buf(entries, nr_entries * sizeof(*entries), PRIVCMD_BUF_IN);
	return xc_hypercall(xch, __HYPERVISOR_memory_op, args, bufs, nr) < 0 ? -1 : 0;
}

int xc_vcpu_getinfo(xc_interface *xch, uint32_t domid, uint32_t vcpu, xc_vcpuinfo_t *info)
{
	struct xen_domctl domctl;

	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = XEN_DOMCTL_getvcpuinfo;
	domctl.domain = (domid_t)domid;
	domctl.u.getvcpuinfo.vcpu = vcpu;
	if (xc_do_domctl(xch, &domctl, NULL, 0) < 0)
		return -1;
	*info = domctl.u.getvcpuinfo;
	return 0;
}

int xc_vcpu_set_hvm_context(xc_interface *xch, uint32_t domid, uint32_t vcpu,
			    const vcpu_hvm_context_t *ctx)
{
	struct xen_domctl domctl;
	struct privcmd_buf buf = xc_buf(ctx, sizeof(*ctx), PRIVCMD_BUF_IN);

	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = XEN_DOMCTL_setvcpucontext;
	domctl.domain = (domid_t)domid;
	domctl.u.vcpucontext.vcpu = vcpu;
	domctl.u.vcpucontext.ctxt.p =
		(vcpu_guest_context_t *)(uintptr_t)ctx; /* an HVM record here */
	return xc_do_domctl(xch, &domctl, &buf, 1) < 0 ? -1 : 0;
}

int xc_vcpu_get_hvm_context(xc_interface *xch, uint32_t domid, uint32_t vcpu,
			    vcpu_hvm_context_t *ctx)
{
	struct xen_domctl domctl;
	struct privcmd_buf buf = xc_buf(ctx, sizeof(*ctx), PRIVCMD_BUF_OUT);

	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = XEN_DOMCTL_getvcpucontext;
	domctl.domain = (domid_t)domid;
	domctl.u.vcpucontext.vcpu = vcpu;
	domctl.u.vcpucontext.ctxt.p = (vcpu_guest_context_t *)(uintptr_t)ctx;
	return xc_do_domctl(xch, &domctl, &buf, 1) < 0 ? -1 : 0;
}

static int xc_hvm_param(xc_interface *xch, uint32_t domid, uint32_t op, uint32_t param,
			uint64_t *value)
{
	struct xen_hvm_param p = { .domid = (domid_t)domid, .index = param };
	struct privcmd_buf buf;
	uint64_t args[5] = { op, (uint64_t)(uintptr_t)&p };

	p.value = *value;
	buf = xc_buf(&p, sizeof(p), PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT);
	if (xc_hypercall(xch, __HYPERVISOR_hvm_op, args, &buf, 1) < 0)
		return -1;
	*value = p.value;
	return 0;
}

int xc_hvm_param_set(xc_interface *xch, uint32_t domid, uint32_t param, uint64_t value)
{
	return xc_hvm_param(xch, domid, HVMOP_set_param, param, &value);
}

int xc_hvm_param_get(xc_interface *xch, uint32_t domid, uint32_t param, uint64_t *value)
{
	*value = 0;
	return xc_hvm_param(xch, domid, HVMOP_get_param, param, value);
}

int xc_readconsolering(xc_interface *xch, char *buffer, unsigned int *pnr_chars, int clear,
		       int incremental, uint32_t *pindex)
{
	struct xen_sysctl sysctl;
	struct privcmd_buf buf;
	unsigned int n = 0;

	memset(&sysctl, 0, sizeof(sysctl));
	sysctl.cmd = XEN_SYSCTL_readconsole;
	set_xen_guest_handle(sysctl.u.readconsole.buffer, buffer);
	sysctl.u.readconsole.count = *pnr_chars;
	sysctl.u.readconsole.clear = (uint8_t) !!clear;
	sysctl.u.readconsole.incremental = 0;
	if (pindex) {
		sysctl.u.readconsole.index = *pindex;
		sysctl.u.readconsole.incremental = (uint8_t) !!incremental;
	}
	buf = xc_buf(buffer, *pnr_chars, PRIVCMD_BUF_OUT);
	if (*pnr_chars && xc_do_sysctl(xch, &sysctl, &buf, 1) < 0)
		return -1;
	if (!*pnr_chars && xc_do_sysctl(xch, &sysctl, NULL, 0) < 0)
		return -1;
	n = sysctl.u.readconsole.count;
	*pnr_chars = n;
	if (pindex)
		*pindex = sysctl.u.readconsole.index;
	return 0;
}

int xc_physinfo(xc_interface *xch, xc_physinfo_t *info)
{
	struct xen_sysctl sysctl;

	memset(&sysctl, 0, sizeof(sysctl));
	sysctl.cmd = XEN_SYSCTL_physinfo;
	if (xc_do_sysctl(xch, &sysctl, NULL, 0) < 0)
		return -1;
	*info = sysctl.u.physinfo;
	return 0;
}

int xc_sched_id(xc_interface *xch, int *sched_id)
{
	struct xen_sysctl sysctl;

	memset(&sysctl, 0, sizeof(sysctl));
	sysctl.cmd = XEN_SYSCTL_sched_id;
	if (xc_do_sysctl(xch, &sysctl, NULL, 0) < 0)
		return -1;
	*sched_id = (int)sysctl.u.sched_id.sched_id;
	return 0;
}

int xc_version(xc_interface *xch, int cmd, void *arg)
{
	static const size_t sizes[] = {
		[XENVER_version] = 0,
		[XENVER_extraversion] = sizeof(xen_extraversion_t),
		[XENVER_compile_info] = sizeof(xen_compile_info_t),
		[XENVER_capabilities] = sizeof(xen_capabilities_info_t),
		[XENVER_changeset] = sizeof(xen_changeset_info_t),
		[XENVER_platform_parameters] = sizeof(xen_platform_parameters_t),
		[XENVER_get_features] = sizeof(xen_feature_info_t),
		[XENVER_pagesize] = 0,
		[XENVER_guest_handle] = sizeof(xen_domain_handle_t),
		[XENVER_commandline] = sizeof(xen_commandline_t),
	};
	uint64_t args[5] = { (uint64_t)cmd, (uint64_t)(uintptr_t)arg };
	struct privcmd_buf buf;
	size_t len;

	if (cmd < 0 || (size_t)cmd >= sizeof(sizes) / sizeof(sizes[0])) {
		errno = EINVAL;
		return -1;
	}
	len = sizes[cmd];
	if (!len || !arg)
		return (int)xc_hypercall(xch, __HYPERVISOR_xen_version, args, NULL, 0);
	buf = xc_buf(arg, len, PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT);
	return (int)xc_hypercall(xch, __HYPERVISOR_xen_version, args, &buf, 1);
}

int xc_get_max_cpus(xc_interface *xch)
{
	xc_physinfo_t info;

	if (xc_physinfo(xch, &info) < 0)
		return -1;
	return (int)info.max_cpu_id + 1;
}

int xc_get_cpumap_size(xc_interface *xch)
{
	int max_cpus = xc_get_max_cpus(xch);

	return max_cpus < 0 ? -1 : (max_cpus + 7) / 8;
}

/* XEN_DOMCTL_{set,get}vcpuaffinity: each map given is IN and OUT. */
static int xc_vcpu_affinity(xc_interface *xch, uint32_t cmd, uint32_t domid, int vcpu,
			    xc_cpumap_t hard, xc_cpumap_t soft, uint32_t flags)
{
	struct xen_domctl domctl;
	struct privcmd_buf bufs[2];
	unsigned int nr = 0;
	int size = xc_get_cpumap_size(xch);

	if (size <= 0)
		return -1;
	if (((flags & XEN_VCPUAFFINITY_HARD) && !hard) ||
	    ((flags & XEN_VCPUAFFINITY_SOFT) && !soft) || vcpu < 0) {
		errno = EINVAL;
		return -1;
	}
	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = cmd;
	domctl.domain = (domid_t)domid;
	domctl.u.vcpuaffinity.vcpu = (uint32_t)vcpu;
	domctl.u.vcpuaffinity.flags = flags;
	if (flags & XEN_VCPUAFFINITY_HARD) {
		set_xen_guest_handle(domctl.u.vcpuaffinity.cpumap_hard.bitmap, hard);
		domctl.u.vcpuaffinity.cpumap_hard.nr_bits = (uint32_t)size * 8;
		bufs[nr++] = xc_buf(hard, (size_t)size, PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT);
	}
	if (flags & XEN_VCPUAFFINITY_SOFT) {
		set_xen_guest_handle(domctl.u.vcpuaffinity.cpumap_soft.bitmap, soft);
		domctl.u.vcpuaffinity.cpumap_soft.nr_bits = (uint32_t)size * 8;
		bufs[nr++] = xc_buf(soft, (size_t)size, PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT);
	}
	return xc_do_domctl(xch, &domctl, bufs, nr) < 0 ? -1 : 0;
}

int xc_vcpu_setaffinity(xc_interface *xch, uint32_t domid, int vcpu, xc_cpumap_t cpumap_hard_inout,
			xc_cpumap_t cpumap_soft_inout, uint32_t flags)
{
	return xc_vcpu_affinity(xch, XEN_DOMCTL_setvcpuaffinity, domid, vcpu, cpumap_hard_inout,
				cpumap_soft_inout, flags);
}

int xc_vcpu_getaffinity(xc_interface *xch, uint32_t domid, int vcpu, xc_cpumap_t cpumap_hard,
			xc_cpumap_t cpumap_soft, uint32_t flags)
{
	return xc_vcpu_affinity(xch, XEN_DOMCTL_getvcpuaffinity, domid, vcpu, cpumap_hard,
				cpumap_soft, flags);
}

int xc_domain_sethandle(xc_interface *xch, uint32_t domid, xen_domain_handle_t handle)
{
	struct xen_domctl domctl;

	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = XEN_DOMCTL_setdomainhandle;
	domctl.domain = (domid_t)domid;
	memcpy(domctl.u.setdomainhandle.handle, handle, sizeof(xen_domain_handle_t));
	return xc_do_domctl(xch, &domctl, NULL, 0) < 0 ? -1 : 0;
}
