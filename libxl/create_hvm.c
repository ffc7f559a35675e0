/*
 * libxl/create_hvm.c: HVM domains (type="hvm"): the create path, the device
 * model's teardown, and the controls that go to QEMU instead of the guest's
 * PV control node.
 *
 * How an HVM domain is made (create.c does steps 1-3, 6 and 7, this file
 * step 4 and the checks of step 1):
 *   - xenhv creates the domain with every XEN_X86_EMU_* flag, as Xen's HVM
 *     domains, and runs no vCPU of it: QEMU (the device model, libxl/dm.c)
 *     is the platform and the vCPUs.  xenhv still owns the RAM: libxl
 *     populates it (charged to the pool, so `xl info` free_memory drops)
 *     and QEMU maps the same memfd (xc_domain_ram_fd), frame g at offset
 *     g << 12 = guest address g << 12 below 3.5 GiB.  QEMU's pc machine
 *     splits larger RAM below and above 4 GiB, which this layout does not
 *     follow yet: such configs are refused.
 *   - QEMU starts stopped (-S) and is let run once the domain is complete.
 *   - A small watcher process per domain (double forked, so it outlives xl
 *     like QEMU does, and named "kxen-dmwatch") keeps QEMU's QMP event
 *     socket and, when QEMU ends, tells xenhv the domain's shutdown reason
 *     (xc_domain_shutdown), as Xen's QEMU tells Xen.  So `xl list` shows
 *     the shutdown state and the xl monitor applies on_poweroff, on_reboot
 *     and on_crash through the normal path.
 *   - Teardown (libxl__dm_destroy, called by libxl_domain_destroy) ends the
 *     watcher first, so that QEMU's forced end does not read as a crash,
 *     then quits QEMU over its command socket (SIGKILL if it does not go).
 *
 * Xenstore: /local/domain/N/serial/0/tty (xl console -t serial),
 * /local/domain/N/image/device-model-pid (Xen's key), and
 * /libxl/N/dm-watcher-pid (kxen's).
 *
 * Network: the device model creates each NIC's TAP device; until
 * hotplug/vif-bridge exists, libxl puts it on the vif's bridge itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sockios.h>
#include <xen/hvm/params.h>
#include <xen/sched.h>

#include "libxl.h"
#include "libxl_internal.h"
#include "lifecycle.h"
#include "create_hvm.h"
#include "dm.h"

/* QEMU's pc machine keeps RAM below this contiguous from address 0. */
#define HVM_MAX_FLAT_MIB 3584
#define HVM_POPULATE_BATCH 512
#define HVM_DM_START_MS 30000
#define HVM_DM_ATTACH_MS 2000
#define HVM_DM_QUIT_MS 5000
#define HVM_WATCHER_NAME "kxen-dmwatch"
/*
 * Xen's special pages of HVM guests (0xff000 - 1 - SPECIALPAGE_*): the
 * xenstore and PV console rings, outside the RAM QEMU maps, so that the
 * domain is introduced to xenstored (its shutdown then fires
 * @releaseDomain) and PV drivers could find them as on Xen.
 */
#define HVM_SPECIAL_PFN_XENSTORE (0xff000 - 1 - 4)
#define HVM_SPECIAL_PFN_CONSOLE (0xff000 - 1 - 7)

void libxl__hvm_dm_config_dispose(struct libxl__hvm_dm_config *h)
{
	free(h->disks);
	free(h->nics);
	free(h->macs);
	free(h->extra);
	memset(h, 0, sizeof(*h));
}

static const char *hvm_disk_format(libxl_disk_format f)
{
	switch (f) {
	case LIBXL_DISK_FORMAT_QCOW:
		return "qcow";
	case LIBXL_DISK_FORMAT_QCOW2:
		return "qcow2";
	case LIBXL_DISK_FORMAT_VHD:
		return "vpc";
	case LIBXL_DISK_FORMAT_QED:
		return "qed";
	default:
		return "raw";
	}
}

static size_t string_list_length(libxl_string_list l)
{
	size_t n = 0;

	while (l && l[n])
		n++;
	return n;
}

static bool hvm_serial_is_pty(const libxl_domain_build_info_hvm *h)
{
	if (h->serial && !strcmp(h->serial, "pty"))
		return true;
	/* Only the first serial port is served (serial/0). */
	return h->serial_list && h->serial_list[0] && !strcmp(h->serial_list[0], "pty");
}

int libxl__hvm_dm_config_fill(libxl_ctx *ctx, uint32_t domid, libxl_domain_config *d_config,
			      struct libxl__hvm_dm_config *h)
{
	libxl_domain_build_info *b = &d_config->b_info;
	libxl_domain_build_info_hvm *hvm = &b->u.hvm;
	struct libxl__dm_config *cfg = &h->cfg;
	size_t i, n, nr_extra;
	uint64_t mem_kb;

	memset(h, 0, sizeof(*h));
	mem_kb = b->target_memkb != LIBXL_MEMKB_DEFAULT ? b->target_memkb : b->max_memkb;
	if (mem_kb == LIBXL_MEMKB_DEFAULT || mem_kb < 1024 || mem_kb % 1024) {
		LIBXL__ERR(ctx, "an HVM guest needs its memory in whole MiB");
		return ERROR_INVAL;
	}
	if (mem_kb / 1024 >= HVM_MAX_FLAT_MIB) {
		LIBXL__ERR(ctx,
			   "HVM guests with %d MiB of RAM or more are not supported yet "
			   "(memory=%" PRIu64 "): QEMU would place RAM above 4 GiB",
			   HVM_MAX_FLAT_MIB, mem_kb / 1024);
		return ERROR_INVAL;
	}
	cfg->domid = domid;
	cfg->name = d_config->c_info.name;
	cfg->memory_mib = mem_kb / 1024;
	cfg->max_vcpus = b->max_vcpus > 0 ? (unsigned int)b->max_vcpus : 1;
	cfg->vcpus = cfg->max_vcpus;
	if (b->avail_vcpus.size) {
		cfg->vcpus = 0;
		for (i = 0; i < cfg->max_vcpus; i++)
			cfg->vcpus += libxl_bitmap_test(&b->avail_vcpus, (int)i);
		if (!cfg->vcpus)
			cfg->vcpus = 1;
	}
	cfg->kernel = b->kernel;
	cfg->ramdisk = b->ramdisk;
	cfg->cmdline = b->cmdline;
	cfg->boot = hvm->boot;
	if (hvm->firmware)
		cfg->firmware = hvm->firmware;
	else if (hvm->bios == LIBXL_BIOS_TYPE_OVMF)
		cfg->firmware = "ovmf";
	else if (hvm->bios == LIBXL_BIOS_TYPE_SEABIOS)
		cfg->firmware = "seabios";
	cfg->hdtype =
		hvm->hdtype == LIBXL_HDTYPE_AHCI ? LIBXL__DM_HDTYPE_AHCI : LIBXL__DM_HDTYPE_IDE;

	n = d_config->num_disks > 0 ? (size_t)d_config->num_disks : 0;
	h->disks = calloc(n ? n : 1, sizeof(*h->disks));
	n = d_config->num_nics > 0 ? (size_t)d_config->num_nics : 0;
	h->nics = calloc(n ? n : 1, sizeof(*h->nics));
	h->macs = calloc(n ? n : 1, sizeof(*h->macs));
	nr_extra = string_list_length(b->extra) + string_list_length(b->extra_hvm);
	h->extra = calloc(nr_extra + 2, sizeof(*h->extra));
	if (!h->disks || !h->nics || !h->macs || !h->extra) {
		libxl__hvm_dm_config_dispose(h);
		return ERROR_NOMEM;
	}
	for (i = 0; i < (size_t)(d_config->num_disks > 0 ? d_config->num_disks : 0); i++) {
		const libxl_device_disk *d = &d_config->disks[i];
		struct libxl__dm_disk *dd = &h->disks[cfg->nr_disks++];

		dd->target = d->format == LIBXL_DISK_FORMAT_EMPTY ? NULL : d->pdev_path;
		dd->vdev = d->vdev;
		dd->format = hvm_disk_format(d->format);
		dd->readwrite = d->readwrite;
		dd->is_cdrom = d->is_cdrom;
	}
	for (i = 0; i < (size_t)(d_config->num_nics > 0 ? d_config->num_nics : 0); i++) {
		const libxl_device_nic *nic = &d_config->nics[i];
		struct libxl__dm_nic *dn;

		/* type=vif is a PV-only NIC: nothing for QEMU to emulate. */
		if (nic->nictype == LIBXL_NIC_TYPE_VIF)
			continue;
		dn = &h->nics[cfg->nr_nics];
		dn->model = nic->model;
		dn->ifname = nic->ifname;
		if (!libxl_mac_is_default(&nic->mac)) {
			snprintf(h->macs[cfg->nr_nics], sizeof(h->macs[0]),
				 "%02x:%02x:%02x:%02x:%02x:%02x", nic->mac[0], nic->mac[1],
				 nic->mac[2], nic->mac[3], nic->mac[4], nic->mac[5]);
			dn->mac = h->macs[cfg->nr_nics];
		}
		cfg->nr_nics++;
	}
	cfg->disks = h->disks;
	cfg->nics = h->nics;

	cfg->serial_pty = hvm_serial_is_pty(hvm);
	/* b_info.acpi replaces u.hvm.acpi; both default to on, as in Xen. */
	if (!libxl_defbool_is_default(b->acpi))
		cfg->acpi = libxl_defbool_val(b->acpi);
	else
		cfg->acpi = libxl_defbool_is_default(hvm->acpi) || libxl_defbool_val(hvm->acpi);
	switch (hvm->vga.kind) {
	case LIBXL_VGA_INTERFACE_TYPE_STD:
		cfg->vga = "stdvga";
		break;
	case LIBXL_VGA_INTERFACE_TYPE_NONE:
		cfg->vga = "none";
		break;
	default:
		cfg->vga = NULL;
		break;
	}
	/* Xen turns VNC on for HVM guests unless the config says otherwise. */
	cfg->vnc = libxl_defbool_is_default(hvm->vnc.enable) || libxl_defbool_val(hvm->vnc.enable);
	cfg->vnclisten = hvm->vnc.listen;
	cfg->vncpasswd = hvm->vnc.passwd;
	/*
	 * vncunused=1 (the default) takes the first free display from
	 * vncdisplay up; an explicit vncdisplay with vncunused unset, or
	 * vncunused=0, must get exactly that display.
	 */
	if (libxl_defbool_val(hvm->vnc.findunused) ||
	    (libxl_defbool_is_default(hvm->vnc.findunused) && !hvm->vnc.display))
		cfg->vncdisplay = -1;
	else
		cfg->vncdisplay = hvm->vnc.display;

	nr_extra = 0;
	for (i = 0; b->extra && b->extra[i]; i++)
		h->extra[nr_extra++] = b->extra[i];
	for (i = 0; b->extra_hvm && b->extra_hvm[i]; i++)
		h->extra[nr_extra++] = b->extra_hvm[i];
	/* Stopped until the domain is complete (create's last step). */
	h->extra[nr_extra++] = "-S";
	cfg->extra_args = h->extra;
	cfg->nr_extra_args = nr_extra;
	cfg->dm_override = b->device_model;
	cfg->dm_restrict = libxl_defbool_val(b->dm_restrict);
	cfg->dm_user = b->device_model_user;
	cfg->accel = LIBXL__DM_ACCEL_AUTO;
	cfg->ram_fd = -1;
	return 0;
}

int libxl__hvm_config_check(libxl_ctx *ctx, libxl_domain_config *d_config)
{
	struct libxl__hvm_dm_config h;
	char err[512] = "";
	int rc;

	rc = libxl__hvm_dm_config_fill(ctx, 0, d_config, &h);
	if (rc)
		return rc;
	if (libxl__dm_validate(&h.cfg, err, sizeof(err))) {
		LIBXL__ERR(ctx, "%s", err);
		rc = ERROR_INVAL;
	}
	libxl__hvm_dm_config_dispose(&h);
	return rc;
}

/* [0, pages) of the domain's RAM, in 2 MiB extents where aligned. */
static int hvm_populate_ram(libxl_ctx *ctx, uint32_t domid, uint64_t pages)
{
	xen_pfn_t list[HVM_POPULATE_BATCH];
	xc_physinfo_t phys = { 0 };
	uint64_t gfn = 0;

	/* The clear message first; xenhv still refuses what the pool lacks. */
	if (!xc_physinfo(libxl__xch(ctx), &phys) && phys.free_pages < pages) {
		LIBXL__ERR(ctx,
			   "not enough free memory for domain %u: it needs %" PRIu64
			   " MiB, the pool has %" PRIu64 " MiB free",
			   domid, pages >> 8, (uint64_t)phys.free_pages >> 8);
		return ERROR_NOMEM;
	}

	while (gfn < pages) {
		unsigned int n = 0, order = 0;

		if (!(gfn & 511) && pages - gfn >= 512) {
			order = 9;
			for (; n < HVM_POPULATE_BATCH && pages - gfn >= 512; gfn += 512)
				list[n++] = gfn;
		} else {
			for (; n < HVM_POPULATE_BATCH && gfn < pages; gfn++)
				list[n++] = gfn;
		}
		if (xc_domain_populate_physmap_exact(libxl__xch(ctx), domid, n, order, 0, list)) {
			/* A short count reads as EBUSY (Xen's libxc). */
			LIBXL__ERR(ctx, "allocating %" PRIu64 " MiB of RAM for domain %u: %s",
				   pages >> 8, domid,
				   errno == EBUSY || errno == ENOMEM ? "not enough free memory"
								     : strerror(errno));
			return ERROR_NOMEM;
		}
	}
	return 0;
}

/* ioctls on an AF_INET datagram socket, as brctl and ifconfig do. */
static int hvm_nic_to_bridge(libxl_ctx *ctx, const char *ifname, const char *bridge)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = ERROR_FAIL;
	unsigned int index = if_nametoindex(ifname);

	if (fd < 0 || !index) {
		LIBXL__ERR(ctx, "network device %s: %s", ifname, strerror(errno));
		goto out;
	}
	if (strlen(ifname) >= IFNAMSIZ || strlen(bridge) >= IFNAMSIZ) {
		LIBXL__ERR(ctx, "bridge name '%s' is too long", bridge);
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, bridge, strlen(bridge));
	ifr.ifr_ifindex = (int)index;
	if (ioctl(fd, SIOCBRADDIF, &ifr) < 0) {
		LIBXL__ERR(ctx, "adding %s to bridge %s: %s", ifname, bridge, strerror(errno));
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		goto out;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
		LIBXL__ERR(ctx, "bringing %s up: %s", ifname, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static int hvm_nics_to_bridges(libxl_ctx *ctx, uint32_t domid, libxl_domain_config *d_config)
{
	size_t i, idx = 0;
	char name[IFNAMSIZ + 8];

	for (i = 0; i < (size_t)(d_config->num_nics > 0 ? d_config->num_nics : 0); i++) {
		const libxl_device_nic *nic = &d_config->nics[i];

		if (nic->nictype == LIBXL_NIC_TYPE_VIF)
			continue;
		/* The device model's default name, by its index among QEMU's NICs. */
		if (nic->ifname)
			snprintf(name, sizeof(name), "%s", nic->ifname);
		else
			snprintf(name, sizeof(name), "vif%u.%zu-emu", domid, idx);
		idx++;
		if (nic->bridge && *nic->bridge && hvm_nic_to_bridge(ctx, name, nic->bridge))
			return ERROR_FAIL;
	}
	return 0;
}

static bool hvm_xs_write(libxl_ctx *ctx, const char *path, const char *value)
{
	if (xs_write(libxl__xsh(ctx), XBT_NULL, path, value, strlen(value)))
		return true;
	LIBXL__ERR(ctx, "writing %s: %s", path, strerror(errno));
	return false;
}

static void hvm_watch_shutdown(void *opaque, uint32_t domid, enum libxl__dm_shutdown_reason reason)
{
	(void)domid;
	*(enum libxl__dm_shutdown_reason *)opaque = reason;
}

static const struct libxl__dm_ops hvm_watch_ops = {
	.shutdown = hvm_watch_shutdown,
};

/*
 * The watcher: keeps QEMU's event socket until QEMU ends, then sets the
 * domain's shutdown reason in xenhv.  Runs in a grandchild; never returns.
 */
static void hvm_watcher_run(struct libxl__dm *dm, uint32_t domid)
{
	enum libxl__dm_shutdown_reason reason = LIBXL__DM_SHUTDOWN_NONE;
	int fd, code = -1;
	xc_interface *xch;

	prctl(PR_SET_NAME, HVM_WATCHER_NAME, 0, 0, 0);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0)
		dup2(fd, 0);
	fd = dm->log_path ? open(dm->log_path, O_WRONLY | O_APPEND | O_CREAT, 0640) : -1;
	if (fd < 0)
		fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	/* Nothing of xl's but the QMP connection: no pipe of a caller held open. */
	for (fd = 3; fd < 1024; fd++)
		if (fd != dm->qmp.fd)
			close(fd);
	dm->ops = &hvm_watch_ops;
	dm->opaque = &reason;
	dm->child = false;
	dm->own_ram_fd = false;
	dm->ram_fd = -1;
	libxl__dm_wait(dm, -1);
	switch (reason) {
	case LIBXL__DM_SHUTDOWN_POWEROFF:
		code = SHUTDOWN_poweroff;
		break;
	case LIBXL__DM_SHUTDOWN_REBOOT:
		code = SHUTDOWN_reboot;
		break;
	case LIBXL__DM_SHUTDOWN_CRASH:
		code = SHUTDOWN_crash;
		break;
	default:
		break;
	}
	dprintf(2, "kxen: domain %u: device model ended (%s)\n", domid,
		libxl__dm_shutdown_reason_name(reason));
	if (code >= 0) {
		xch = xc_interface_open(NULL, NULL, 0);
		if (!xch || xc_domain_shutdown(xch, domid, code) < 0)
			dprintf(2, "kxen: domain %u: setting shutdown reason %d: %s\n", domid, code,
				strerror(errno));
	}
	_exit(0);
}

/* Starts the watcher; its pid (the grandchild's) goes into *watcher. */
static int hvm_watcher_start(libxl_ctx *ctx, struct libxl__dm *dm, uint32_t domid, pid_t *watcher)
{
	int pipefd[2], status;
	pid_t pid, got = -1;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ERROR_FAIL;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		LIBXL__ERR(ctx, "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return ERROR_FAIL;
	}
	if (pid == 0) {
		pid_t grandchild;

		/* Own session, reparented at once: neither xl's signals nor its zombie. */
		setsid();
		grandchild = fork();
		if (grandchild == 0) {
			close(pipefd[0]);
			close(pipefd[1]);
			hvm_watcher_run(dm, domid);
		}
		if (write(pipefd[1], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
			_exit(1);
		_exit(grandchild < 0);
	}
	close(pipefd[1]);
	if (read(pipefd[0], &got, sizeof(got)) != sizeof(got))
		got = -1;
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (got <= 0) {
		LIBXL__ERR(ctx, "starting the device model watcher of domain %u failed", domid);
		return ERROR_FAIL;
	}
	*watcher = got;
	return 0;
}

int libxl__hvm_build(libxl_ctx *ctx, uint32_t domid, libxl_domain_config *d_config,
		     uint64_t *store_pfn, uint64_t *console_pfn)
{
	xen_pfn_t special[2] = { HVM_SPECIAL_PFN_XENSTORE, HVM_SPECIAL_PFN_CONSOLE };
	struct libxl__hvm_dm_config h;
	struct libxl__dm dm;
	char err[512] = "", *path = NULL, value[32];
	int rc, ram_fd = -1, fd;
	pid_t watcher = -1;
	bool spawned = false;

	libxl__dm_init(&dm);
	rc = libxl__hvm_dm_config_fill(ctx, domid, d_config, &h);
	if (rc)
		return rc;
	rc = hvm_populate_ram(ctx, domid, h.cfg.memory_mib << 8);
	if (rc)
		goto out;
	if (xc_domain_populate_physmap_exact(libxl__xch(ctx), domid, 2, 0, 0, special)) {
		LIBXL__ERR(ctx, "allocating the special pages of domain %u: %s", domid,
			   strerror(errno));
		rc = ERROR_NOMEM;
		goto out;
	}
	*store_pfn = HVM_SPECIAL_PFN_XENSTORE;
	*console_pfn = HVM_SPECIAL_PFN_CONSOLE;
	fd = xc_domain_ram_fd(libxl__xch(ctx), domid);
	/* Never 0-2, which are QEMU's stdio. */
	ram_fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
	if (fd >= 0)
		close(fd);
	if (ram_fd < 0) {
		LIBXL__ERR(ctx, "getting the RAM of domain %u from the hypervisor: %s", domid,
			   strerror(errno));
		rc = ERROR_FAIL;
		goto out;
	}
	h.cfg.ram_fd = ram_fd;
	if (libxl__dm_spawn(&dm, &h.cfg, NULL, NULL, HVM_DM_START_MS, err, sizeof(err))) {
		LIBXL__ERR(ctx, "domain %u: %s", domid, err);
		rc = ERROR_FAIL;
		goto out;
	}
	spawned = true;

	snprintf(value, sizeof(value), "%d", (int)dm.pid);
	path = libxl__sprintf("/local/domain/%u/image/device-model-pid", domid);
	if (!path || !hvm_xs_write(ctx, path, value)) {
		rc = ERROR_FAIL;
		goto out;
	}
	if (dm.serial_pty) {
		free(path);
		path = libxl__sprintf("/local/domain/%u/serial/0/tty", domid);
		if (!path || !hvm_xs_write(ctx, path, dm.serial_pty)) {
			rc = ERROR_FAIL;
			goto out;
		}
	}
	rc = hvm_nics_to_bridges(ctx, domid, d_config);
	if (rc)
		goto out;
	rc = hvm_watcher_start(ctx, &dm, domid, &watcher);
	if (rc)
		goto out;
	snprintf(value, sizeof(value), "%d", (int)watcher);
	free(path);
	path = libxl__sprintf("/libxl/%u/dm-watcher-pid", domid);
	if (!path || !hvm_xs_write(ctx, path, value)) {
		rc = ERROR_FAIL;
		goto out;
	}
	rc = 0;
out:
	if (rc && spawned) {
		if (watcher > 0)
			kill(watcher, SIGKILL);
		dm.quitting = true;
		libxl__dm_quit(&dm, HVM_DM_QUIT_MS);
	}
	libxl__dm_dispose(&dm);
	if (ram_fd >= 0)
		close(ram_fd);
	free(path);
	libxl__hvm_dm_config_dispose(&h);
	return rc;
}

/* A pid stored in xenstore, or -1. */
static pid_t hvm_xs_read_pid(libxl_ctx *ctx, const char *fmt, uint32_t domid)
{
	char *path = libxl__sprintf(fmt, domid), *v = NULL, *end;
	long pid = -1;

	if (path && libxl__xsh(ctx))
		v = libxl__xs_read(ctx, XBT_NULL, path);
	if (v) {
		pid = strtol(v, &end, 10);
		if (*end || pid <= 1)
			pid = -1;
	}
	free(v);
	free(path);
	return (pid_t)pid;
}

/* Whether /proc/<pid>/<file> contains what (a pid stored earlier may be reused). */
static bool hvm_proc_contains(pid_t pid, const char *file, const char *what, size_t what_len)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	return memmem(buf, (size_t)n, what, what_len) != NULL;
}

/* Whether domid's QEMU command socket exists (attach would wait for it). */
static bool hvm_qmp_socket_exists(uint32_t domid)
{
	const char *dir = getenv("XEN_RUN_DIR");
	char *path = libxl__sprintf("%s/qmp-libxl-%u", dir && *dir ? dir : "/run/xen", domid);
	bool exists = path && !access(path, F_OK);

	free(path);
	return exists;
}

/* The QEMU of domid by its stored pid, if it is still that QEMU. */
static pid_t hvm_dm_pid(libxl_ctx *ctx, uint32_t domid)
{
	pid_t pid = hvm_xs_read_pid(ctx, "/local/domain/%u/image/device-model-pid", domid);
	char sock[32];

	snprintf(sock, sizeof(sock), "qmp-libxl-%u", domid);
	return pid > 0 && hvm_proc_contains(pid, "cmdline", sock, strlen(sock)) ? pid : -1;
}

static void hvm_wait_gone(pid_t pid, int timeout_ms)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		poll(&pfd, 1, timeout_ms);
		close(fd);
	}
	/* Ours when create ran in this process (the monitor restarting it). */
	waitpid(pid, NULL, WNOHANG);
}

void libxl__dm_destroy(libxl_ctx *ctx, uint32_t domid)
{
	struct libxl__dm dm;
	pid_t watcher, pid;
	char err[256];

	/* The watcher first: QEMU's end is not the guest's shutdown now. */
	watcher = hvm_xs_read_pid(ctx, "/libxl/%u/dm-watcher-pid", domid);
	if (watcher > 0 &&
	    hvm_proc_contains(watcher, "comm", HVM_WATCHER_NAME, strlen(HVM_WATCHER_NAME))) {
		kill(watcher, SIGKILL);
		hvm_wait_gone(watcher, 1000);
	}
	pid = hvm_dm_pid(ctx, domid);
	libxl__dm_init(&dm);
	if (hvm_qmp_socket_exists(domid) &&
	    !libxl__dm_attach(&dm, domid, NULL, NULL, NULL, HVM_DM_ATTACH_MS, err, sizeof(err))) {
		pid = dm.pid;
		libxl__dm_quit(&dm, HVM_DM_QUIT_MS);
	} else if (pid > 0) {
		/* QEMU does not answer: make sure it is gone all the same. */
		kill(pid, SIGKILL);
	}
	if (pid > 0)
		hvm_wait_gone(pid, HVM_DM_QUIT_MS);
	libxl__dm_dispose(&dm);
}

uint64_t libxl__hvm_cpu_time(libxl_ctx *ctx, uint32_t domid)
{
	pid_t pid = hvm_xs_read_pid(ctx, "/local/domain/%u/image/device-model-pid", domid);
	unsigned long long utime, stime;
	char path[64], buf[1024], *p;
	long hz = sysconf(_SC_CLK_TCK);
	ssize_t n;
	int fd;

	if (pid <= 0 || hz <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* After "pid (comm)": state is field 3, utime and stime fields 14 and 15. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
			 &stime) != 2)
		return 0;
	return (utime + stime) * (1000000000ull / (unsigned long long)hz);
}

/* The domain's QEMU over its command socket; logs when there is none. */
static int hvm_attach(libxl_ctx *ctx, uint32_t domid, struct libxl__dm *dm)
{
	char err[256] = "";

	libxl__dm_init(dm);
	if (!hvm_qmp_socket_exists(domid)) {
		LIBXL__ERR(ctx, "domain %u has no device model running", domid);
		libxl__dm_dispose(dm);
		return ERROR_FAIL;
	}
	if (libxl__dm_attach(dm, domid, NULL, NULL, NULL, HVM_DM_ATTACH_MS, err, sizeof(err))) {
		LIBXL__ERR(ctx, "%s", err);
		libxl__dm_dispose(dm);
		return ERROR_FAIL;
	}
	return 0;
}

int libxl__hvm_pause(libxl_ctx *ctx, uint32_t domid, bool pause)
{
	struct libxl__dm dm;
	int rc;

	rc = hvm_attach(ctx, domid, &dm);
	if (rc)
		return rc;
	if (pause ? libxl__dm_pause(&dm) : libxl__dm_unpause(&dm)) {
		LIBXL__ERR(ctx, "%s domain %u: %s", pause ? "pausing" : "unpausing", domid,
			   dm.qmp.err);
		rc = ERROR_FAIL;
	}
	libxl__dm_dispose(&dm);
	return rc;
}

bool libxl__hvm_pvcontrol_available(libxl_ctx *ctx, uint32_t domid)
{
	uint64_t cb = 0;

	if (!libxl__xch(ctx) || xc_hvm_param_get(ctx->xch, domid, HVM_PARAM_CALLBACK_IRQ, &cb) < 0)
		return false;
	return cb != 0;
}

int libxl_send_trigger(libxl_ctx *ctx, uint32_t domid, libxl_trigger trigger, uint32_t vcpuid)
{
	libxl_dominfo info;
	struct libxl__dm dm;
	int rc;

	(void)vcpuid;
	rc = libxl_domain_info(ctx, &info, domid);
	if (rc)
		return rc;
	if (info.domain_type != LIBXL_DOMAIN_TYPE_HVM) {
		LIBXL__ERR(ctx, "triggers need an HVM domain (domain %u is not)", domid);
		return ERROR_INVAL;
	}
	if (trigger != LIBXL_TRIGGER_POWER && trigger != LIBXL_TRIGGER_RESET) {
		LIBXL__ERR(ctx, "trigger %d is not supported yet (power and reset are)", trigger);
		return ERROR_NI;
	}
	rc = hvm_attach(ctx, domid, &dm);
	if (rc)
		return rc;
	if (trigger == LIBXL_TRIGGER_POWER ? libxl__dm_powerdown(&dm) : libxl__dm_reset(&dm)) {
		LIBXL__ERR(ctx, "sending the %s event to domain %u: %s",
			   trigger == LIBXL_TRIGGER_POWER ? "power button" : "reset", domid,
			   dm.qmp.err);
		rc = ERROR_FAIL;
	}
	libxl__dm_dispose(&dm);
	return rc;
}
