/*
 * libxl/vcpu.c: a domain's vCPUs: their state (libxl_list_vcpu, what
 * `xl vcpu-list` prints), hard and soft affinity, and hot(un)plug.
 *
 * Affinity goes to the hypervisor (XEN_DOMCTL_setvcpuaffinity), which pins
 * the vCPU's thread.  Hot(un)plug is the guest's business, as on Xen for PV
 * and PVH guests: libxl only writes cpu/N/availability; a guest watching it
 * brings the vCPU up or down with VCPUOP_up/VCPUOP_down, and the online
 * count the hypervisor reports follows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>
#include <xenstore.h>

#include "libxl.h"
#include "libxl_internal.h"
#include "lifecycle.h"
#include "vcpu.h"

int libxl_get_online_cpus(libxl_ctx *ctx)
{
	xc_interface *xch = libxl__xch(ctx);
	int n;

	if (!xch)
		return ERROR_FAIL;
	n = xc_get_max_cpus(xch);
	if (n <= 0) {
		LIBXL__ERR(ctx, "getting the number of host CPUs: %s", strerror(errno));
		return ERROR_FAIL;
	}
	return n;
}

void libxl_vcpuinfo_list_free(libxl_vcpuinfo *list, int nr)
{
	int i;

	if (!list)
		return;
	for (i = 0; i < nr; i++) {
		libxl_bitmap_dispose(&list[i].cpumap);
		libxl_bitmap_dispose(&list[i].cpumap_soft);
	}
	free(list);
}

libxl_vcpuinfo *libxl_list_vcpu(libxl_ctx *ctx, uint32_t domid, int *nb_vcpu, int *nr_cpus)
{
	xc_interface *xch = libxl__xch(ctx);
	libxl_vcpuinfo *list = NULL;
	libxl_dominfo info;
	int host_cpus, nb = 0, i, rc;

	if (!xch)
		return NULL;
	host_cpus = libxl_get_online_cpus(ctx);
	if (host_cpus < 0)
		return NULL;
	rc = libxl_domain_info(ctx, &info, domid);
	if (rc) {
		if (rc == ERROR_DOMAIN_NOTFOUND)
			LIBXL__ERR(ctx, "domain %u does not exist", domid);
		return NULL;
	}
	nb = (int)info.vcpu_max_id + 1;
	list = calloc((size_t)nb, sizeof(*list));
	if (!list)
		return NULL;
	for (i = 0; i < nb; i++) {
		libxl_vcpuinfo *vi = &list[i];
		xc_vcpuinfo_t x;

		libxl_bitmap_init(&vi->cpumap);
		libxl_bitmap_init(&vi->cpumap_soft);
		if (libxl_bitmap_alloc(&vi->cpumap, host_cpus) ||
		    libxl_bitmap_alloc(&vi->cpumap_soft, host_cpus))
			goto err;
		if (xc_vcpu_getinfo(xch, domid, (uint32_t)i, &x) < 0) {
			LIBXL__ERR(ctx, "getting info of vcpu %d of domain %u: %s", i, domid,
				   strerror(errno));
			goto err;
		}
		/*
		 * An HVM domain's vCPUs are QEMU's threads: no affinity of
		 * ours to report, so "all" as an unpinned Xen vCPU shows.
		 */
		if (xc_vcpu_getaffinity(xch, domid, i, vi->cpumap.map, vi->cpumap_soft.map,
					XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT) < 0) {
			if (errno != EOPNOTSUPP) {
				LIBXL__ERR(ctx, "getting the affinity of vcpu %d of domain %u: %s",
					   i, domid, strerror(errno));
				goto err;
			}
			libxl_bitmap_set_any(&vi->cpumap);
			libxl_bitmap_set_any(&vi->cpumap_soft);
		}
		vi->vcpuid = (uint32_t)i;
		vi->cpu = x.cpu;
		vi->online = x.online;
		vi->blocked = x.blocked;
		vi->running = x.running;
		vi->vcpu_time = x.cpu_time;
	}
	*nb_vcpu = nb;
	*nr_cpus = host_cpus;
	return list;
err:
	libxl_vcpuinfo_list_free(list, nb);
	return NULL;
}

/* The caller's map in a buffer the size the hypervisor takes. */
static uint8_t *cpumap_for_xc(const libxl_bitmap *map, int size)
{
	uint8_t *buf = calloc((size_t)size, 1);

	if (buf && map && map->map)
		memcpy(buf, map->map, map->size < (uint32_t)size ? map->size : (size_t)size);
	return buf;
}

int libxl_set_vcpuaffinity(libxl_ctx *ctx, uint32_t domid, uint32_t vcpuid,
			   const libxl_bitmap *cpumap_hard, const libxl_bitmap *cpumap_soft)
{
	xc_interface *xch = libxl__xch(ctx);
	uint8_t *hard = NULL, *soft = NULL;
	uint32_t flags = 0;
	int size, rc;

	if (!xch)
		return ERROR_FAIL;
	if (!cpumap_hard && !cpumap_soft)
		return ERROR_INVAL;
	size = xc_get_cpumap_size(xch);
	if (size <= 0)
		return ERROR_FAIL;
	hard = cpumap_for_xc(cpumap_hard, size);
	soft = cpumap_for_xc(cpumap_soft, size);
	if (!hard || !soft) {
		rc = ERROR_NOMEM;
		goto out;
	}
	if (cpumap_hard)
		flags |= XEN_VCPUAFFINITY_HARD;
	if (cpumap_soft)
		flags |= XEN_VCPUAFFINITY_SOFT;
	if (xc_vcpu_setaffinity(xch, domid, (int)vcpuid, hard, soft, flags) < 0) {
		LIBXL__ERR(ctx, "setting the affinity of vcpu %u of domain %u: %s", vcpuid, domid,
			   strerror(errno));
		rc = errno == ESRCH ? ERROR_DOMAIN_NOTFOUND : ERROR_FAIL;
		goto out;
	}
	rc = 0;
out:
	free(hard);
	free(soft);
	return rc;
}

int libxl_set_vcpuaffinity_all(libxl_ctx *ctx, uint32_t domid, unsigned int max_vcpus,
			       const libxl_bitmap *cpumap_hard, const libxl_bitmap *cpumap_soft)
{
	unsigned int i;
	int rc = 0;

	/* As Xen: try every vCPU, report failure if any failed. */
	for (i = 0; i < max_vcpus; i++)
		if (libxl_set_vcpuaffinity(ctx, domid, i, cpumap_hard, cpumap_soft))
			rc = ERROR_FAIL;
	return rc;
}

static int bitmap_count_set(const libxl_bitmap *map)
{
	int n = 0;
	uint32_t i;

	for (i = 0; i < map->size * 8; i++)
		n += libxl_bitmap_test(map, (int)i);
	return n;
}

int libxl_set_vcpuonline(libxl_ctx *ctx, uint32_t domid, const libxl_bitmap *cpumap)
{
	struct xs_handle *xsh = libxl__xsh(ctx);
	libxl_dominfo info;
	xs_transaction_t t;
	unsigned int i;
	int rc, wanted;

	if (!xsh)
		return ERROR_FAIL;
	rc = libxl_domain_info(ctx, &info, domid);
	if (rc)
		return rc;
	wanted = bitmap_count_set(cpumap);
	if (wanted > (int)info.vcpu_max_id + 1) {
		LIBXL__ERR(ctx, "Requested %d VCPUs, however maxcpus is %d!", wanted,
			   info.vcpu_max_id + 1);
		return ERROR_FAIL;
	}
	if (info.domain_type == LIBXL_DOMAIN_TYPE_HVM) {
		/* Xen asks QEMU (device_add of a CPU); not implemented yet. */
		LIBXL__ERR(ctx, "vcpu hotplug of HVM domains is not supported yet");
		return ERROR_NI;
	}
retry:
	t = xs_transaction_start(xsh);
	if (!t)
		return ERROR_FAIL;
	for (i = 0; i <= info.vcpu_max_id; i++) {
		const char *state = libxl_bitmap_test(cpumap, (int)i) ? "online" : "offline";
		char *path = libxl__sprintf("/local/domain/%u/cpu/%u/availability", domid, i);

		if (!path || !xs_write(xsh, t, path, state, strlen(state))) {
			free(path);
			xs_transaction_end(xsh, t, true);
			return ERROR_FAIL;
		}
		free(path);
	}
	if (!xs_transaction_end(xsh, t, false)) {
		if (errno == EAGAIN)
			goto retry;
		return ERROR_FAIL;
	}
	return 0;
}

/* The time create wrote ("<seconds>.<hundredths>"): what uptime counts from. */
int64_t libxl_vm_get_start_time(libxl_ctx *ctx, uint32_t domid)
{
	char *path = libxl__sprintf("/local/domain/%u/vm", domid);
	char *vm = NULL, *start = NULL, *end;
	int64_t t = -1;

	if (!path || !libxl__xsh(ctx))
		goto out;
	vm = libxl__xs_read(ctx, XBT_NULL, path);
	free(path);
	path = vm ? libxl__sprintf("%s/start_time", vm) : NULL;
	start = path ? libxl__xs_read(ctx, XBT_NULL, path) : NULL;
	if (!start)
		goto out;
	t = strtoll(start, &end, 10);
	if (end == start || (*end && *end != '.') || t < 0)
		t = -1;
out:
	free(start);
	free(vm);
	free(path);
	return t;
}

static bool bitmap_is_full(const libxl_bitmap *map, int nr_bits)
{
	int i;

	for (i = 0; i < nr_bits; i++)
		if (!libxl_bitmap_test(map, i))
			return false;
	return true;
}

int libxl__vcpu_affinity_from_config(libxl_ctx *ctx, uint32_t domid,
				     const libxl_domain_build_info *b_info)
{
	int host_cpus = libxl_get_online_cpus(ctx);
	int i, rc;

	if (host_cpus < 0)
		return host_cpus;
	for (i = 0; i < b_info->max_vcpus; i++) {
		const libxl_bitmap *hard = NULL, *soft = NULL;

		if (i < b_info->num_vcpu_hard_affinity && b_info->vcpu_hard_affinity)
			hard = &b_info->vcpu_hard_affinity[i];
		else if (b_info->cpumap.size)
			hard = &b_info->cpumap;
		if (i < b_info->num_vcpu_soft_affinity && b_info->vcpu_soft_affinity)
			soft = &b_info->vcpu_soft_affinity[i];
		/* "all" (or nothing said) is where a new vCPU runs anyway. */
		if (hard && (!hard->size || bitmap_is_full(hard, host_cpus)))
			hard = NULL;
		if (soft && (!soft->size || bitmap_is_full(soft, host_cpus)))
			soft = NULL;
		if (!hard && !soft)
			continue;
		rc = libxl_set_vcpuaffinity(ctx, domid, (uint32_t)i, hard, soft);
		if (rc)
			return rc;
	}
	return 0;
}
