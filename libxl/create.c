/*
 * libxl/create.c: building and starting a domain (libxl_domain_create_new).
 *
 * The steps, in Xen's order, each undone by the failure path when a later
 * one fails (so a failed create leaves no domain, no xenstore node, no
 * stored config and no pool memory behind):
 *
 *   1. defaults and checks (name given and unused, type supported, uuid);
 *   2. the hypervisor's domain (xc_domain_create), its vCPUs and memory cap;
 *   3. the xenstore layout Xen writes (libxl__domain_make): /local/domain/N
 *      read-only to the guest with guest-writable control/data/... nodes,
 *      /vm/UUID, /libxl/N (domain 0 only);
 *   4. the image (PVH: xc_pvh_build loads the kernel and lays out the
 *      console and store rings), the rings' event channels (unbound, for
 *      domain 0), advertised to the guest in HVM params;
 *   5. the store and console keys (store/..., console/... and the console
 *      backend), the domain introduced to xenstored, which maps its ring;
 *   6. the config stored as JSON (xl list -l, on_reboot=restart);
 *   7. unpause, unless asked to stay paused.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xen/event_channel.h>

#include "libxl.h"
#include "libxl_internal.h"
#include "lifecycle.h"
#include "vcpu.h"
#include "create_hvm.h"

#define DEFAULT_MAX_MEMKB (32 * 1024)
/* Room the hypervisor needs beyond the guest's RAM (special pages). */
#define MEMKB_SLACK 1024
#define CONSOLE_BUFFER_LIMIT "1048576"

struct xs_node {
	const char *path; /* relative to the domain's path */
	const char *value;
	bool guest_writable;
};

/* Writes one node with its permissions: owned by domain 0 and readable by
 * the guest, or owned by the guest (so that it may write it). */
static bool xs_make_node(struct xs_handle *xsh, xs_transaction_t t, const char *path,
			 const char *value, uint32_t domid, bool guest_writable)
{
	struct xs_permissions ro[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = domid, .perms = XS_PERM_READ },
	};
	struct xs_permissions rw[1] = { { .id = domid, .perms = XS_PERM_NONE } };

	if (!xs_write(xsh, t, path, value ? value : "", value ? strlen(value) : 0))
		return false;
	return guest_writable ? xs_set_permissions(xsh, t, path, rw, 1)
			      : xs_set_permissions(xsh, t, path, ro, 2);
}

static bool xs_make_nodes(struct xs_handle *xsh, xs_transaction_t t, const char *base,
			  const struct xs_node *nodes, size_t n, uint32_t domid)
{
	for (size_t i = 0; i < n; i++) {
		char *path = nodes[i].path[0] ? libxl__sprintf("%s/%s", base, nodes[i].path)
					      : strdup(base);
		bool ok = path && xs_make_node(xsh, t, path, nodes[i].value, domid,
					       nodes[i].guest_writable);

		free(path);
		if (!ok)
			return false;
	}
	return true;
}

/* Step 3: the domain's place in xenstore, as libxl__domain_make writes it. */
static int domain_make_xenstore(libxl_ctx *ctx, uint32_t domid, libxl_domain_config *d_config)
{
	struct xs_handle *xsh = libxl__xsh(ctx);
	libxl_domain_build_info *b_info = &d_config->b_info;
	char *dom = NULL, *vm = NULL, *libxl_path = NULL, *path = NULL;
	char uuid[37], domid_s[16], target[32], static_max[32], start_time[32];
	struct xs_permissions noperm[1] = { { .id = 0, .perms = XS_PERM_NONE } };
	xs_transaction_t t;
	struct timespec now;
	int rc = ERROR_FAIL, i;

	if (!xsh)
		return ERROR_FAIL;
	libxl_uuid_to_string(&d_config->c_info.uuid, uuid);
	snprintf(domid_s, sizeof(domid_s), "%u", domid);
	snprintf(target, sizeof(target), "%" PRIu64, b_info->target_memkb);
	snprintf(static_max, sizeof(static_max), "%" PRIu64, b_info->max_memkb);
	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(start_time, sizeof(start_time), "%lld.%02ld", (long long)now.tv_sec,
		 now.tv_nsec / 10000000);
	dom = libxl__sprintf("/local/domain/%u", domid);
	vm = libxl__sprintf("/vm/%s", uuid);
	libxl_path = libxl__sprintf("/libxl/%u", domid);
	if (!dom || !vm || !libxl_path) {
		rc = ERROR_NOMEM;
		goto out;
	}

	const struct xs_node dom_nodes[] = {
		{ "", NULL, false },
		{ "vm", vm, false },
		{ "name", d_config->c_info.name, false },
		{ "domid", domid_s, false },
		{ "device", NULL, false },
		{ "control", NULL, false },
		{ "control/shutdown", NULL, true },
		{ "control/feature-poweroff", NULL, true },
		{ "control/feature-reboot", NULL, true },
		{ "control/feature-suspend", NULL, true },
		{ "control/sysrq", NULL, true },
		{ "control/platform-feature-multiprocessor-suspend", "1", false },
		{ "control/platform-feature-xs_reset_watches", "1", false },
		{ "data", NULL, true },
		{ "drivers", NULL, true },
		{ "feature", NULL, true },
		{ "attr", NULL, true },
		{ "error", NULL, true },
		{ "device/suspend/event-channel", NULL, true },
		{ "memory/static-max", static_max, false },
		{ "memory/target", target, false },
	};
	const struct xs_node vm_nodes[] = {
		{ "", NULL, false },
		{ "uuid", uuid, false },
		{ "name", d_config->c_info.name, false },
		{ "start_time", start_time, false },
	};

retry:
	t = xs_transaction_start(xsh);
	if (!t)
		goto out;
	xs_rm(xsh, t, dom);
	if (!xs_make_nodes(xsh, t, dom, dom_nodes, sizeof(dom_nodes) / sizeof(dom_nodes[0]),
			   domid) ||
	    !xs_make_nodes(xsh, t, vm, vm_nodes, sizeof(vm_nodes) / sizeof(vm_nodes[0]), domid))
		goto abort;
	for (i = 0; i < b_info->max_vcpus; i++) {
		bool online = b_info->avail_vcpus.size ? libxl_bitmap_test(&b_info->avail_vcpus, i)
						       : true;

		free(path);
		path = libxl__sprintf("%s/cpu/%d/availability", dom, i);
		if (!path ||
		    !xs_make_node(xsh, t, path, online ? "online" : "offline", domid, false))
			goto abort;
	}
	if (!xs_write(xsh, t, libxl_path, "", 0) ||
	    !xs_set_permissions(xsh, t, libxl_path, noperm, 1))
		goto abort;
	free(path);
	path = libxl__sprintf("%s/type", libxl_path);
	if (!path || !xs_write(xsh, t, path, libxl_domain_type_to_string(d_config->c_info.type),
			       strlen(libxl_domain_type_to_string(d_config->c_info.type))))
		goto abort;
	if (!xs_transaction_end(xsh, t, false)) {
		if (errno == EAGAIN)
			goto retry;
		LIBXL__ERR(ctx, "writing the xenstore layout of domain %u: %s", domid,
			   strerror(errno));
		goto out;
	}
	rc = 0;
	goto out;
abort:
	LIBXL__ERR(ctx, "writing the xenstore layout of domain %u: %s", domid, strerror(errno));
	xs_transaction_end(xsh, t, true);
out:
	free(path);
	free(libxl_path);
	free(vm);
	free(dom);
	return rc;
}

/* Step 5: store and console keys, then XS_INTRODUCE. */
static int domain_publish_rings(libxl_ctx *ctx, uint32_t domid, uint64_t store_pfn,
				uint32_t store_port, uint64_t console_pfn, uint32_t console_port)
{
	struct xs_handle *xsh = libxl__xsh(ctx);
	char *dom = libxl__sprintf("/local/domain/%u", domid);
	char *backend = libxl__sprintf("/local/domain/0/backend/console/%u/0", domid);
	char store_ref[32], store_port_s[16], console_ref[32], console_port_s[16];
	char domid_s[16];
	xs_transaction_t t;
	int rc = ERROR_FAIL;

	if (!dom || !backend || !xsh) {
		rc = xsh ? ERROR_NOMEM : ERROR_FAIL;
		goto out;
	}
	snprintf(store_ref, sizeof(store_ref), "%" PRIu64, store_pfn);
	snprintf(store_port_s, sizeof(store_port_s), "%u", store_port);
	snprintf(console_ref, sizeof(console_ref), "%" PRIu64, console_pfn);
	snprintf(console_port_s, sizeof(console_port_s), "%u", console_port);
	snprintf(domid_s, sizeof(domid_s), "%u", domid);

	const struct xs_node dom_nodes[] = {
		{ "store/port", store_port_s, false },
		{ "store/ring-ref", store_ref, false },
		{ "console", NULL, false },
		{ "console/backend", backend, false },
		{ "console/backend-id", "0", false },
		{ "console/limit", CONSOLE_BUFFER_LIMIT, false },
		{ "console/type", "xenconsoled", false },
		{ "console/output", "pty", false },
		{ "console/tty", "", false },
		{ "console/port", console_port_s, false },
		{ "console/ring-ref", console_ref, false },
	};
	char *frontend = libxl__sprintf("%s/console", dom);
	const struct xs_node backend_nodes[] = {
		{ "frontend", frontend, false }, { "frontend-id", domid_s, false },
		{ "online", "1", false },	 { "state", "1", false },
		{ "protocol", "vt100", false },
	};

	if (!frontend) {
		rc = ERROR_NOMEM;
		goto out;
	}
retry:
	t = xs_transaction_start(xsh);
	if (!t)
		goto out_frontend;
	if (!xs_make_nodes(xsh, t, dom, dom_nodes, sizeof(dom_nodes) / sizeof(dom_nodes[0]),
			   domid) ||
	    !xs_make_nodes(xsh, t, backend, backend_nodes,
			   sizeof(backend_nodes) / sizeof(backend_nodes[0]), domid)) {
		LIBXL__ERR(ctx, "writing the rings of domain %u: %s", domid, strerror(errno));
		xs_transaction_end(xsh, t, true);
		goto out_frontend;
	}
	if (!xs_transaction_end(xsh, t, false)) {
		if (errno == EAGAIN)
			goto retry;
		goto out_frontend;
	}
	if (!xs_introduce_domain(xsh, domid, store_pfn, store_port)) {
		LIBXL__ERR(ctx, "introducing domain %u to xenstored: %s", domid, strerror(errno));
		goto out_frontend;
	}
	rc = 0;
out_frontend:
	free(frontend);
out:
	free(backend);
	free(dom);
	return rc;
}

/* Step 6: the config, as `xl list -l` and restarts read it back. */
static int domain_store_config(libxl_ctx *ctx, uint32_t domid, libxl_domain_config *d_config)
{
	char *path = libxl__userdata_path(domid, &d_config->c_info.uuid);
	char *json = libxl_domain_config_to_json(d_config);
	char *tmp = path ? libxl__sprintf("%s.tmp", path) : NULL;
	FILE *f = NULL;
	int rc = ERROR_FAIL;

	if (!path || !json || !tmp) {
		rc = ERROR_NOMEM;
		goto out;
	}
	f = fopen(tmp, "w");
	if (!f || fputs(json, f) == EOF || fclose(f)) {
		LIBXL__ERR(ctx, "storing the config of domain %u in %s: %s", domid, tmp,
			   strerror(errno));
		f = NULL;
		unlink(tmp);
		goto out;
	}
	f = NULL;
	if (rename(tmp, path)) {
		LIBXL__ERR(ctx, "storing the config of domain %u: %s", domid, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	free(json);
	free(path);
	return rc;
}

static int domain_config_setdefault(libxl_ctx *ctx, libxl_domain_config *d_config)
{
	libxl_domain_create_info *c_info = &d_config->c_info;
	libxl_domain_build_info *b_info = &d_config->b_info;
	uint32_t other;

	if (!c_info->name || !*c_info->name) {
		LIBXL__ERR(ctx, "domain name must be specified");
		return ERROR_INVAL;
	}
	if (!libxl_name_to_domid(ctx, c_info->name, &other)) {
		LIBXL__ERR(ctx, "domain with name \"%s\" already exists.", c_info->name);
		return ERROR_INVAL;
	}
	if (c_info->type != LIBXL_DOMAIN_TYPE_PVH && c_info->type != LIBXL_DOMAIN_TYPE_HVM) {
		LIBXL__ERR(ctx, "domain type %s is not supported yet (pvh and hvm only)",
			   libxl_domain_type_to_string(c_info->type));
		return ERROR_NI;
	}
	if (c_info->type == LIBXL_DOMAIN_TYPE_PVH && !b_info->kernel) {
		LIBXL__ERR(ctx, "a pvh domain needs a kernel");
		return ERROR_INVAL;
	}
	if (libxl_uuid_is_nil(&c_info->uuid))
		libxl_uuid_generate(&c_info->uuid);
	if (b_info->max_vcpus <= 0)
		b_info->max_vcpus = 1;
	if (b_info->max_memkb == LIBXL_MEMKB_DEFAULT)
		b_info->max_memkb = b_info->target_memkb != LIBXL_MEMKB_DEFAULT
					    ? b_info->target_memkb
					    : DEFAULT_MAX_MEMKB;
	if (b_info->target_memkb == LIBXL_MEMKB_DEFAULT)
		b_info->target_memkb = b_info->max_memkb;
	if (b_info->target_memkb > b_info->max_memkb) {
		LIBXL__ERR(ctx, "memory (%" PRIu64 " KiB) exceeds maxmem (%" PRIu64 " KiB)",
			   b_info->target_memkb, b_info->max_memkb);
		return ERROR_INVAL;
	}
	/* HVM: files, VNC port and memory layout, before anything exists. */
	if (c_info->type == LIBXL_DOMAIN_TYPE_HVM)
		return libxl__hvm_config_check(ctx, d_config);
	return 0;
}

int libxl_domain_create_new(libxl_ctx *ctx, libxl_domain_config *d_config, uint32_t *domid,
			    const libxl_domain_create_opts *opts)
{
	libxl_domain_build_info *b_info = &d_config->b_info;
	struct xen_domctl_createdomain create = { 0 };
	struct xc_pvh_build_args build = { 0 };
	struct xc_pvh_build_result built = { 0 };
	xc_interface *xch = libxl__xch(ctx);
	uint32_t id = ~0u;
	int store_port, console_port;
	int rc;

	*domid = ~0u;
	if (!xch || !libxl__xsh(ctx))
		return ERROR_FAIL;
	rc = domain_config_setdefault(ctx, d_config);
	if (rc)
		return rc;

	/* Step 2. */
	create.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	/* As Xen: an HVM domain has the whole emulated platform (QEMU's). */
	if (d_config->c_info.type == LIBXL_DOMAIN_TYPE_HVM)
		create.arch.emulation_flags = LIBXL__EMU_ALL;
	create.max_vcpus = b_info->max_vcpus;
	create.max_evtchn_port = b_info->event_channels ? b_info->event_channels : 1023;
	create.max_grant_frames = b_info->max_grant_frames != LIBXL_MAX_GRANT_DEFAULT
					  ? (int32_t)b_info->max_grant_frames
					  : 64;
	create.max_maptrack_frames = 1024;
	memcpy(create.handle, d_config->c_info.uuid.uuid, sizeof(create.handle));
	if (xc_domain_create(xch, &id, &create) < 0) {
		LIBXL__ERR(ctx, "creating the domain: %s", strerror(errno));
		return ERROR_FAIL;
	}
	if (xc_domain_max_vcpus(xch, id, b_info->max_vcpus) < 0 ||
	    xc_domain_setmaxmem(xch, id, b_info->max_memkb + MEMKB_SLACK) < 0) {
		LIBXL__ERR(ctx, "setting the limits of domain %u: %s", id, strerror(errno));
		rc = ERROR_FAIL;
		goto fail;
	}
	/* cpus= / cpus_soft=; an HVM domain's vCPUs are QEMU's threads. */
	if (d_config->c_info.type != LIBXL_DOMAIN_TYPE_HVM) {
		rc = libxl__vcpu_affinity_from_config(ctx, id, b_info);
		if (rc)
			goto fail;
	}

	/* Step 3. */
	rc = domain_make_xenstore(ctx, id, d_config);
	if (rc)
		goto fail;

	/* Step 4. */
	build.kernel_path = b_info->kernel;
	build.ramdisk_path = b_info->ramdisk;
	build.cmdline = b_info->cmdline;
	build.mem_mb = b_info->target_memkb / 1024;
	if (d_config->c_info.type == LIBXL_DOMAIN_TYPE_HVM) {
		rc = libxl__hvm_build(ctx, id, d_config, &built.store_pfn, &built.console_pfn);
		if (rc)
			goto fail;
	} else if (xc_pvh_build(xch, id, &build, &built) < 0) {
		LIBXL__ERR(ctx, "building domain %u from %s: %s", id, b_info->kernel,
			   strerror(errno));
		rc = ERROR_FAIL;
		goto fail;
	}
	store_port = xc_evtchn_alloc_unbound(xch, id, 0);
	console_port = store_port < 0 ? -1 : xc_evtchn_alloc_unbound(xch, id, 0);
	if (console_port < 0 || xc_hvm_param_set(xch, id, HVM_PARAM_STORE_EVTCHN, store_port) < 0 ||
	    xc_hvm_param_set(xch, id, HVM_PARAM_CONSOLE_EVTCHN, console_port) < 0) {
		LIBXL__ERR(ctx, "setting up the event channels of domain %u: %s", id,
			   strerror(errno));
		rc = ERROR_FAIL;
		goto fail;
	}

	/* Step 5. */
	rc = domain_publish_rings(ctx, id, built.store_pfn, store_port, built.console_pfn,
				  console_port);
	if (rc)
		goto fail;

	/* Step 6. */
	d_config->c_info.domid = id;
	rc = domain_store_config(ctx, id, d_config);
	if (rc)
		goto fail;

	/* Step 7. */
	if (!(opts && opts->paused) && xc_domain_unpause(xch, id) < 0) {
		LIBXL__ERR(ctx, "unpausing domain %u: %s", id, strerror(errno));
		rc = ERROR_FAIL;
		goto fail;
	}
	if (!(opts && opts->paused) && d_config->c_info.type == LIBXL_DOMAIN_TYPE_HVM) {
		rc = libxl__hvm_pause(ctx, id, false);
		if (rc)
			goto fail;
	}
	*domid = id;
	return 0;

fail:
	libxl__dm_destroy(ctx, id);
	xc_domain_destroy(xch, id);
	xs_release_domain(ctx->xsh, id);
	libxl__domain_remove_traces(ctx, id, &d_config->c_info.uuid);
	return rc;
}
