/*
 * libxl/domain.c: the lifecycle of running domains: the context's
 * connections to xenhv (libxc) and xenstored, domain listing and lookups,
 * pause, destroy, shutdown/reboot requests through the guest's
 * control/shutdown node (Xen's PV control protocol), rename, waiting for a
 * shutdown, and the configuration stored at create.
 *
 * Where a domain's traces live (all removed by destroy):
 *   the hypervisor's domain;  /local/domain/N, /vm/UUID and /libxl/N in
 *   xenstore;  $XEN_LIB_DIR/userdata-d.N.UUID.libxl-json (its config,
 *   the file name Xen uses).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenstore.h>

#include "libxl.h"
#include "libxl_internal.h"
#include "lifecycle.h"
#include "create_hvm.h"

void libxl__log(libxl_ctx *ctx, const char *func, const char *fmt, ...)
{
	va_list ap;

	fprintf(ctx->log, "libxl: error: %s: ", func);
	va_start(ap, fmt);
	vfprintf(ctx->log, fmt, ap);
	va_end(ap);
	fputc('\n', ctx->log);
}

xc_interface *libxl__xch(libxl_ctx *ctx)
{
	if (!ctx->xch) {
		ctx->xch = xc_interface_open(NULL, NULL, 0);
		if (!ctx->xch)
			LIBXL__ERR(ctx, "cannot open libxc handle (is xenhv running?): %s",
				   strerror(errno));
	}
	return ctx->xch;
}

struct xs_handle *libxl__xsh(libxl_ctx *ctx)
{
	if (!ctx->xsh) {
		ctx->xsh = xs_open(0);
		if (!ctx->xsh)
			LIBXL__ERR(ctx, "cannot connect to xenstore: %s", strerror(errno));
	}
	return ctx->xsh;
}

void libxl__ctx_close_handles(libxl_ctx *ctx)
{
	if (ctx->xsh)
		xs_close(ctx->xsh);
	if (ctx->xch)
		xc_interface_close(ctx->xch);
	ctx->xsh = NULL;
	ctx->xch = NULL;
}

char *libxl__sprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	return rc < 0 ? NULL : s;
}

char *libxl__xs_read(libxl_ctx *ctx, xs_transaction_t t, const char *path)
{
	unsigned int len;

	return xs_read(libxl__xsh(ctx), t, path, &len);
}

char *libxl__userdata_path(uint32_t domid, const libxl_uuid *uuid)
{
	const char *dir = getenv("XEN_LIB_DIR");
	char u[37];

	libxl_uuid_to_string(uuid, u);
	return libxl__sprintf("%s/userdata-d.%u.%s.libxl-json",
			      dir && *dir ? dir : XEN_LIB_DIR_DEFAULT, domid, u);
}

static void dominfo_from_xc(libxl_dominfo *info, const xc_domaininfo_t *x)
{
	memset(info, 0, sizeof(*info));
	memcpy(info->uuid.uuid, x->handle, sizeof(info->uuid.uuid));
	info->domid = x->domain;
	info->ssidref = x->ssidref;
	info->dying = x->flags & XEN_DOMINF_dying;
	info->paused = x->flags & XEN_DOMINF_paused;
	info->blocked = x->flags & XEN_DOMINF_blocked;
	info->running = x->flags & XEN_DOMINF_running;
	info->shutdown = x->flags & XEN_DOMINF_shutdown;
	info->shutdown_reason =
		info->shutdown ? (libxl_shutdown_reason)((x->flags >> XEN_DOMINF_shutdownshift) &
							 XEN_DOMINF_shutdownmask)
			       : LIBXL_SHUTDOWN_REASON_UNKNOWN;
	info->current_memkb = x->tot_pages * (XC_PAGE_SIZE / 1024);
	info->outstanding_memkb = x->outstanding_pages * (XC_PAGE_SIZE / 1024);
	info->shared_memkb = x->shr_pages * (XC_PAGE_SIZE / 1024);
	info->paged_memkb = x->paged_pages * (XC_PAGE_SIZE / 1024);
	info->max_memkb = x->max_pages * (XC_PAGE_SIZE / 1024);
	info->cpu_time = x->cpu_time;
	info->vcpu_max_id = x->max_vcpu_id;
	info->vcpu_online = x->nr_online_vcpus;
	info->cpupool = x->cpupool;
	/* As Xen: PVH emulates at most the LAPIC, HVM the whole platform. */
	info->domain_type = !(x->flags & XEN_DOMINF_hvm_guest) ? LIBXL_DOMAIN_TYPE_PV
			    : (x->flags & XEN_DOMINF_hap) && x->domain != 0 &&
					    !(x->arch_config.emulation_flags & ~1u /* LAPIC */)
				    ? LIBXL_DOMAIN_TYPE_PVH
				    : LIBXL_DOMAIN_TYPE_HVM;
}

int libxl_list_domain(libxl_ctx *ctx, libxl_dominfo **info, int *nb_domain)
{
	xc_interface *xch = libxl__xch(ctx);
	xc_domaininfo_t *x = NULL;
	libxl_dominfo *out = NULL;
	unsigned int max = 256;
	int n = 0, i;

	if (!xch)
		return ERROR_FAIL;
	for (;;) {
		xc_domaininfo_t *bigger = realloc(x, max * sizeof(*x));

		if (!bigger) {
			free(x);
			return ERROR_NOMEM;
		}
		x = bigger;
		n = xc_domain_getinfolist(xch, 0, max, x);
		if (n < 0) {
			LIBXL__ERR(ctx, "getting the domain list: %s", strerror(errno));
			free(x);
			return ERROR_FAIL;
		}
		if ((unsigned int)n < max)
			break;
		max *= 2;
	}
	out = calloc(n ? n : 1, sizeof(*out));
	if (!out) {
		free(x);
		return ERROR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		dominfo_from_xc(&out[i], &x[i]);
		/* An HVM domain's vCPUs are its QEMU's threads. */
		if (out[i].domain_type == LIBXL_DOMAIN_TYPE_HVM && out[i].domid)
			out[i].cpu_time = libxl__hvm_cpu_time(ctx, out[i].domid);
	}
	free(x);
	*info = out;
	*nb_domain = n;
	return 0;
}

int libxl_domain_info(libxl_ctx *ctx, libxl_dominfo *info, uint32_t domid)
{
	xc_interface *xch = libxl__xch(ctx);
	xc_domaininfo_t x;

	if (!xch)
		return ERROR_FAIL;
	if (xc_domain_getinfo_single(xch, domid, &x) < 0) {
		if (errno == ESRCH)
			return ERROR_DOMAIN_NOTFOUND;
		LIBXL__ERR(ctx, "getting info of domain %u: %s", domid, strerror(errno));
		return ERROR_FAIL;
	}
	dominfo_from_xc(info, &x);
	if (info->domain_type == LIBXL_DOMAIN_TYPE_HVM && domid)
		info->cpu_time = libxl__hvm_cpu_time(ctx, domid);
	return 0;
}

char *libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid)
{
	char *path = libxl__sprintf("/local/domain/%u/name", domid);
	char *name = NULL;

	if (path && libxl__xsh(ctx))
		name = libxl__xs_read(ctx, XBT_NULL, path);
	free(path);
	return name;
}

int libxl_name_to_domid(libxl_ctx *ctx, const char *name, uint32_t *domid)
{
	libxl_dominfo *info;
	int nb, i, rc;

	rc = libxl_list_domain(ctx, &info, &nb);
	if (rc)
		return rc;
	rc = ERROR_INVAL;
	for (i = 0; i < nb; i++) {
		char *n = libxl_domid_to_name(ctx, info[i].domid);

		if (n && !strcmp(n, name)) {
			*domid = info[i].domid;
			rc = 0;
		}
		free(n);
		if (!rc)
			break;
	}
	free(info);
	return rc;
}

/* As Xen: all digits is an id (whether or not it exists), else a name. */
int libxl_domain_qualifier_to_domid(libxl_ctx *ctx, const char *qualifier, uint32_t *domid)
{
	const char *p;

	for (p = qualifier; *p >= '0' && *p <= '9'; p++)
		;
	if (p != qualifier && !*p && p - qualifier < 10) {
		*domid = strtoul(qualifier, NULL, 10);
		return 0;
	}
	return libxl_name_to_domid(ctx, qualifier, domid);
}

int libxl_domain_pause(libxl_ctx *ctx, uint32_t domid)
{
	xc_interface *xch = libxl__xch(ctx);
	libxl_dominfo info;

	if (!xch)
		return ERROR_FAIL;
	if (xc_domain_pause(xch, domid) < 0) {
		LIBXL__ERR(ctx, "pausing domain %u: %s", domid, strerror(errno));
		return errno == ESRCH ? ERROR_DOMAIN_NOTFOUND : ERROR_FAIL;
	}
	/* HVM: QEMU runs the vCPUs; it stops too. */
	if (!libxl_domain_info(ctx, &info, domid) && info.domain_type == LIBXL_DOMAIN_TYPE_HVM)
		return libxl__hvm_pause(ctx, domid, true);
	return 0;
}

int libxl_domain_unpause(libxl_ctx *ctx, uint32_t domid)
{
	xc_interface *xch = libxl__xch(ctx);
	libxl_dominfo info;

	if (!xch)
		return ERROR_FAIL;
	if (xc_domain_unpause(xch, domid) < 0) {
		LIBXL__ERR(ctx, "unpausing domain %u: %s", domid, strerror(errno));
		return errno == ESRCH ? ERROR_DOMAIN_NOTFOUND : ERROR_FAIL;
	}
	/* HVM: QEMU goes on once the last pause is gone. */
	if (!libxl_domain_info(ctx, &info, domid) && info.domain_type == LIBXL_DOMAIN_TYPE_HVM &&
	    !info.paused && !info.shutdown)
		return libxl__hvm_pause(ctx, domid, false);
	return 0;
}

/* Removes a domain's xenstore nodes and stored config (what destroy and a
 * failed create leave to clean). */
void libxl__domain_remove_traces(libxl_ctx *ctx, uint32_t domid, const libxl_uuid *uuid)
{
	struct xs_handle *xsh = libxl__xsh(ctx);
	char u[37], *paths[5];
	size_t i;

	libxl_uuid_to_string(uuid, u);
	paths[0] = libxl__sprintf("/local/domain/%u", domid);
	paths[1] = libxl__sprintf("/vm/%s", u);
	paths[2] = libxl__sprintf("/libxl/%u", domid);
	paths[3] = libxl__sprintf("/local/domain/0/backend/console/%u", domid);
	paths[4] = libxl__userdata_path(domid, uuid);
	for (i = 0; i < 4; i++)
		if (xsh && paths[i])
			xs_rm(xsh, XBT_NULL, paths[i]);
	if (paths[4])
		unlink(paths[4]);
	for (i = 0; i < 5; i++)
		free(paths[i]);
}

int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid)
{
	xc_interface *xch = libxl__xch(ctx);
	libxl_dominfo info;
	int rc;

	if (!xch)
		return ERROR_FAIL;
	if (domid == 0) {
		LIBXL__ERR(ctx, "cannot destroy domain 0");
		return ERROR_INVAL;
	}
	rc = libxl_domain_info(ctx, &info, domid);
	if (rc)
		return rc;
	libxl__dm_destroy(ctx, domid);
	if (xc_domain_destroy(xch, domid) < 0 && errno != ESRCH) {
		LIBXL__ERR(ctx, "destroying domain %u: %s", domid, strerror(errno));
		return ERROR_FAIL;
	}
	if (libxl__xsh(ctx))
		xs_release_domain(ctx->xsh, domid);
	libxl__domain_remove_traces(ctx, domid, &info.uuid);
	return 0;
}

/* Xen's PV control protocol: the toolstack writes the request into
 * control/shutdown; a guest with PV drivers watches it and acknowledges by
 * clearing it. */
static int domain_pvcontrol_write(libxl_ctx *ctx, uint32_t domid, const char *cmd)
{
	struct xs_handle *xsh = libxl__xsh(ctx);
	char *path = NULL, *value = NULL;
	libxl_dominfo info;
	int rc;

	if (!xsh)
		return ERROR_FAIL;
	rc = libxl_domain_info(ctx, &info, domid);
	if (rc)
		return rc;
	/* Xen: an HVM guest has PV control once its drivers set the callback. */
	if (info.domain_type == LIBXL_DOMAIN_TYPE_HVM &&
	    !libxl__hvm_pvcontrol_available(ctx, domid))
		return ERROR_NOPARAVIRT;
	path = libxl__sprintf("/local/domain/%u/control/shutdown", domid);
	if (!path)
		return ERROR_NOMEM;
	/* The node exists once the domain was made by libxl; an HVM guest
	 * without PV drivers never acknowledges (Xen: ERROR_NOPARAVIRT). */
	value = libxl__xs_read(ctx, XBT_NULL, path);
	if (!value) {
		rc = ERROR_NOPARAVIRT;
		goto out;
	}
	if (!xs_write(xsh, XBT_NULL, path, cmd, strlen(cmd))) {
		LIBXL__ERR(ctx, "writing %s: %s", path, strerror(errno));
		rc = ERROR_FAIL;
		goto out;
	}
	rc = 0;
out:
	free(value);
	free(path);
	return rc;
}

int libxl_domain_shutdown(libxl_ctx *ctx, uint32_t domid)
{
	return domain_pvcontrol_write(ctx, domid, "poweroff");
}

int libxl_domain_reboot(libxl_ctx *ctx, uint32_t domid)
{
	return domain_pvcontrol_write(ctx, domid, "reboot");
}

int libxl_domain_rename(libxl_ctx *ctx, uint32_t domid, const char *old_name, const char *new_name)
{
	struct xs_handle *xsh = libxl__xsh(ctx);
	char *path = NULL, *vm = NULL, *vmname = NULL, *current = NULL;
	xs_transaction_t t;
	uint32_t other;
	int rc;

	if (!xsh)
		return ERROR_FAIL;
	if (!*new_name || strchr(new_name, '/')) {
		LIBXL__ERR(ctx, "invalid domain name '%s'", new_name);
		return ERROR_INVAL;
	}
	if (!libxl_name_to_domid(ctx, new_name, &other) && other != domid) {
		LIBXL__ERR(ctx, "domain with name \"%s\" already exists.", new_name);
		return ERROR_INVAL;
	}
	path = libxl__sprintf("/local/domain/%u/name", domid);
	vm = libxl__sprintf("/local/domain/%u/vm", domid);
	if (!path || !vm) {
		rc = ERROR_NOMEM;
		goto out;
	}
retry:
	t = xs_transaction_start(xsh);
	if (!t) {
		rc = ERROR_FAIL;
		goto out;
	}
	free(current);
	current = libxl__xs_read(ctx, t, path);
	if (old_name && (!current || strcmp(current, old_name))) {
		xs_transaction_end(xsh, t, true);
		LIBXL__ERR(ctx, "domain %u is not called '%s'", domid, old_name);
		rc = ERROR_INVAL;
		goto out;
	}
	free(vmname);
	vmname = NULL;
	{
		char *vmpath = libxl__xs_read(ctx, t, vm);

		if (vmpath)
			vmname = libxl__sprintf("%s/name", vmpath);
		free(vmpath);
	}
	if (!xs_write(xsh, t, path, new_name, strlen(new_name)) ||
	    (vmname && !xs_write(xsh, t, vmname, new_name, strlen(new_name)))) {
		xs_transaction_end(xsh, t, true);
		rc = ERROR_FAIL;
		goto out;
	}
	if (!xs_transaction_end(xsh, t, false)) {
		if (errno == EAGAIN)
			goto retry;
		rc = ERROR_FAIL;
		goto out;
	}
	rc = 0;
out:
	free(current);
	free(vmname);
	free(vm);
	free(path);
	return rc;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Waits on @releaseDomain (fired by xenstored when a domain shuts down or
 * dies) until cond() holds for the domain.  A private xenstore connection,
 * so the caller's watches are not disturbed.
 */
static int domain_wait(libxl_ctx *ctx, uint32_t domid, int timeout_ms,
		       bool (*cond)(int rc, const libxl_dominfo *info), libxl_dominfo *info,
		       int *info_rc)
{
	struct xs_handle *xsh = xs_open(0);
	long long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	int rc;

	if (!xsh) {
		LIBXL__ERR(ctx, "cannot connect to xenstore: %s", strerror(errno));
		return ERROR_FAIL;
	}
	if (!xs_watch(xsh, "@releaseDomain", "libxl-wait")) {
		rc = ERROR_FAIL;
		goto out;
	}
	for (;;) {
		struct pollfd pfd = { .fd = xs_fileno(xsh), .events = POLLIN };
		int wait_ms = -1;
		char **ev;

		*info_rc = libxl_domain_info(ctx, info, domid);
		if (cond(*info_rc, info)) {
			rc = 0;
			break;
		}
		if (*info_rc && *info_rc != ERROR_DOMAIN_NOTFOUND) {
			rc = *info_rc;
			break;
		}
		if (deadline >= 0) {
			wait_ms = deadline - now_ms();
			if (wait_ms <= 0) {
				rc = ERROR_TIMEDOUT;
				break;
			}
		}
		if (poll(&pfd, 1, wait_ms) < 0 && errno != EINTR) {
			rc = ERROR_FAIL;
			break;
		}
		while ((ev = xs_check_watch(xsh)))
			free(ev);
	}
out:
	xs_close(xsh);
	return rc;
}

static bool cond_shutdown(int rc, const libxl_dominfo *info)
{
	return rc == ERROR_DOMAIN_NOTFOUND || (!rc && (info->shutdown || info->dying));
}

static bool cond_gone(int rc, const libxl_dominfo *info)
{
	(void)info;
	return rc == ERROR_DOMAIN_NOTFOUND;
}

int libxl_domain_wait_shutdown(libxl_ctx *ctx, uint32_t domid, int timeout_ms,
			       libxl_shutdown_reason *reason)
{
	libxl_dominfo info;
	int info_rc = 0, rc;

	rc = domain_wait(ctx, domid, timeout_ms, cond_shutdown, &info, &info_rc);
	if (rc)
		return rc;
	if (info_rc) {
		*reason = LIBXL_SHUTDOWN_REASON_UNKNOWN;
		return ERROR_DOMAIN_NOTFOUND;
	}
	*reason = info.shutdown ? info.shutdown_reason : LIBXL_SHUTDOWN_REASON_UNKNOWN;
	return 0;
}

int libxl_domain_wait_death(libxl_ctx *ctx, uint32_t domid, int timeout_ms)
{
	libxl_dominfo info;
	int info_rc = 0;

	return domain_wait(ctx, domid, timeout_ms, cond_gone, &info, &info_rc);
}

int libxl_retrieve_domain_configuration(libxl_ctx *ctx, uint32_t domid,
					libxl_domain_config *d_config)
{
	libxl_dominfo info;
	char *path, *json = NULL;
	FILE *f = NULL;
	long len;
	int rc;

	rc = libxl_domain_info(ctx, &info, domid);
	if (rc)
		return rc;
	path = libxl__userdata_path(domid, &info.uuid);
	if (!path)
		return ERROR_NOMEM;
	f = fopen(path, "r");
	if (!f) {
		LIBXL__ERR(ctx, "no stored configuration for domain %u (%s): %s", domid, path,
			   strerror(errno));
		rc = ERROR_JSON_CONFIG_EMPTY;
		goto out;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		rc = ERROR_FAIL;
		goto out;
	}
	json = malloc(len + 1);
	if (!json) {
		rc = ERROR_NOMEM;
		goto out;
	}
	json[fread(json, 1, len, f)] = '\0';
	rc = libxl_domain_config_from_json(d_config, json);
out:
	if (f)
		fclose(f);
	free(json);
	free(path);
	return rc;
}

int libxl_read_hypervisor_console(libxl_ctx *ctx, bool clear, char **text)
{
	xc_interface *xch = libxl__xch(ctx);
	unsigned int size = 64 * 1024;
	char *buf = NULL;

	if (!xch)
		return ERROR_FAIL;
	for (;;) {
		unsigned int n = size;
		uint32_t index = 0;
		char *bigger = realloc(buf, size + 1);

		if (!bigger) {
			free(buf);
			return ERROR_NOMEM;
		}
		buf = bigger;
		if (xc_readconsolering(xch, buf, &n, clear, 0, &index) < 0) {
			LIBXL__ERR(ctx, "reading the hypervisor console: %s", strerror(errno));
			free(buf);
			return ERROR_FAIL;
		}
		if (n < size || size >= 16 * 1024 * 1024) {
			buf[n] = '\0';
			*text = buf;
			return 0;
		}
		size *= 2;
	}
}

int libxl_domain_preserve(libxl_ctx *ctx, uint32_t domid, libxl_domain_create_info *info,
			  const char *name_suffix, libxl_uuid new_uuid)
{
	struct xs_handle *xsh = libxl__xsh(ctx);
	xc_interface *xch = libxl__xch(ctx);
	struct xs_permissions roperm[2] = {
		{ .id = 0, .perms = XS_PERM_NONE },
		{ .id = domid, .perms = XS_PERM_READ },
	};
	char *new_name = NULL, *vm_path = NULL, *dom_vm = NULL, *uuid_path = NULL;
	char *old_file = NULL, *new_file = NULL;
	libxl_dominfo dinfo;
	xs_transaction_t t;
	char u[37];
	int rc;

	if (!xsh || !xch)
		return ERROR_FAIL;
	rc = libxl_domain_info(ctx, &dinfo, domid);
	if (rc)
		return rc;
	libxl_uuid_to_string(&new_uuid, u);
	new_name = libxl__sprintf("%s%s", info->name, name_suffix);
	vm_path = libxl__sprintf("/vm/%s", u);
	dom_vm = libxl__sprintf("/local/domain/%u/vm", domid);
	uuid_path = libxl__sprintf("/vm/%s/uuid", u);
	if (!new_name || !vm_path || !dom_vm || !uuid_path) {
		rc = ERROR_NOMEM;
		goto out;
	}
	/* As Xen: a fresh /vm/NEWUUID the domain's vm node points to. */
retry:
	t = xs_transaction_start(xsh);
	if (!t) {
		rc = ERROR_FAIL;
		goto out;
	}
	xs_rm(xsh, t, vm_path);
	if (!xs_mkdir(xsh, t, vm_path) || !xs_set_permissions(xsh, t, vm_path, roperm, 2) ||
	    !xs_write(xsh, t, dom_vm, vm_path, strlen(vm_path)) ||
	    !xs_write(xsh, t, uuid_path, u, strlen(u))) {
		xs_transaction_end(xsh, t, true);
		rc = ERROR_FAIL;
		goto out;
	}
	if (!xs_transaction_end(xsh, t, false)) {
		if (errno == EAGAIN)
			goto retry;
		rc = ERROR_FAIL;
		goto out;
	}
	rc = libxl_domain_rename(ctx, domid, info->name, new_name);
	if (rc)
		goto out;
	if (xc_domain_sethandle(xch, domid, new_uuid.uuid) < 0) {
		LIBXL__ERR(ctx, "setting the uuid of domain %u: %s", domid, strerror(errno));
		rc = ERROR_FAIL;
		goto out;
	}
	/* The stored config is filed under domid and uuid: it follows. */
	old_file = libxl__userdata_path(domid, &dinfo.uuid);
	new_file = libxl__userdata_path(domid, &new_uuid);
	if (old_file && new_file && rename(old_file, new_file) && errno != ENOENT)
		LIBXL__ERR(ctx, "moving %s: %s", old_file, strerror(errno));
	rc = 0;
out:
	free(new_file);
	free(old_file);
	free(uuid_path);
	free(dom_vm);
	free(vm_path);
	free(new_name);
	return rc;
}
