/*
 * libxl/dm_args.c: QEMU's command line for an HVM domain, and the checks of
 * its config that can be made before QEMU starts (see dm.h).
 *
 * Design: libxl__dm_build_args() is pure (no files, no fork) so that every
 * mapping decision is unit-tested: vdev to IDE slot or AHCI port as Xen's
 * libxl maps them, NIC models, VNC, firmware, accelerator, restriction.
 * QEMU starts with -nodefaults so that the guest gets exactly the devices
 * the config names.  Guest RAM is the domain's memfd: QEMU inherits it and
 * maps it with memory-backend-file,mem-path=/proc/self/fd/N,share=on (QEMU
 * 7.2 cannot take a memfd by number; opening the /proc path reopens the same
 * memfd), so the pages stay the ones xenhv accounts and maps.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dm.h"

#define DM_VNC_PORT_BASE 5900
#define DM_IDE_SLOTS 4
#define DM_AHCI_PORTS 6

static void dm_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void dm_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- argv building --------------------------------------------------- */

static int dm_args_add(struct libxl__dm_args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int dm_args_add(struct libxl__dm_args *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (a->argc + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		char **v = realloc(a->argv, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->argv = v;
		a->cap = cap;
	}
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	a->argv[a->argc++] = s;
	a->argv[a->argc] = NULL;
	return 0;
}

void libxl__dm_args_dispose(struct libxl__dm_args *a)
{
	size_t i;

	for (i = 0; i < a->argc; i++)
		free(a->argv[i]);
	free(a->argv);
	memset(a, 0, sizeof(*a));
}

/* QEMU option values double their commas ("a,b" is written "a,,b"). */
static char *dm_escape(const char *s)
{
	size_t n = 0, i, o = 0;
	char *r;

	for (i = 0; s[i]; i++)
		n += s[i] == ',' ? 2 : 1;
	r = malloc(n + 1);
	if (!r)
		return NULL;
	for (i = 0; s[i]; i++) {
		r[o++] = s[i];
		if (s[i] == ',')
			r[o++] = ',';
	}
	r[o] = '\0';
	return r;
}

/* "a" = 0 ... "z" = 25, "aa" = 26: Xen's bijective base 26 disk letters. */
static int dm_parse_letters(const char **p, unsigned int *index)
{
	unsigned int v = 0, n = 0;

	while (**p >= 'a' && **p <= 'z') {
		if (++n > 3)
			return -EINVAL;
		v = v * 26 + (unsigned int)(**p - 'a') + 1;
		(*p)++;
	}
	if (!n)
		return -EINVAL;
	*index = v - 1;
	return 0;
}

static int dm_parse_number(const char **p, unsigned int *v, unsigned int max)
{
	unsigned long long n = 0;

	if (**p < '0' || **p > '9')
		return -EINVAL;
	/* No leading zeros, as in Xen's parser: "d01" is not "d1". */
	if (**p == '0' && (*p)[1] >= '0' && (*p)[1] <= '9')
		return -EINVAL;
	while (**p >= '0' && **p <= '9') {
		n = n * 10 + (unsigned long long)(**p - '0');
		if (n > max)
			return -EINVAL;
		(*p)++;
	}
	*v = (unsigned int)n;
	return 0;
}

int libxl__dm_vdev_to_index(const char *vdev, unsigned int *index, unsigned int *part)
{
	const char *p = vdev;
	unsigned int max_index, max_part;

	*part = 0;
	if (!vdev)
		return -EINVAL;
	if (!strncmp(p, "xvd", 3)) {
		p += 3;
		max_index = (1u << 20) - 1;
		max_part = 255;
	} else if (!strncmp(p, "hd", 2)) {
		p += 2;
		max_index = 3; /* Xen's hd numbering covers hda-hdd only */
		max_part = 63;
	} else if (!strncmp(p, "sd", 2)) {
		p += 2;
		max_index = (1u << 20) - 1;
		max_part = 15;
	} else if (p[0] == 'd' && p[1] >= '0' && p[1] <= '9') {
		p++;
		if (dm_parse_number(&p, index, (1u << 20) - 1))
			return -EINVAL;
		if (*p == 'p') {
			p++;
			if (dm_parse_number(&p, part, 255))
				return -EINVAL;
		}
		return *p ? -EINVAL : 0;
	} else {
		return -EINVAL;
	}
	if (dm_parse_letters(&p, index) || *index > max_index)
		return -EINVAL;
	if (*p && dm_parse_number(&p, part, max_part))
		return -EINVAL;
	return *p ? -EINVAL : 0;
}

static const char *dm_format(const char *format)
{
	if (!format || !*format || !strcmp(format, "raw"))
		return "raw";
	if (!strcmp(format, "qcow2") || !strcmp(format, "qcow") || !strcmp(format, "qed"))
		return format;
	if (!strcmp(format, "vhd"))
		return "vpc"; /* QEMU's name for VHD */
	return NULL;
}

static const char *dm_nic_device(const char *model)
{
	if (!model || !*model || !strcmp(model, "rtl8139"))
		return "rtl8139"; /* Xen's default emulated NIC */
	if (!strcmp(model, "e1000"))
		return "e1000";
	if (!strcmp(model, "virtio-net") || !strcmp(model, "virtio"))
		return "virtio-net-pci";
	return NULL;
}

static bool dm_mac_valid(const char *mac)
{
	int i;

	for (i = 0; i < 17; i++) {
		char c = mac[i];

		if (i % 3 == 2) {
			if (c != ':')
				return false;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			     (c >= 'A' && c <= 'F'))) {
			return false;
		}
	}
	return mac[17] == '\0';
}

/* Linux interface names: at most 15 bytes, no '/', ':', ',' or blanks. */
static bool dm_ifname_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 15)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return false;
	}
	return true;
}

static bool dm_boot_valid(const char *boot)
{
	size_t i;

	if (!*boot || strlen(boot) > 3)
		return false;
	for (i = 0; boot[i]; i++)
		if (boot[i] != 'c' && boot[i] != 'd' && boot[i] != 'n')
			return false;
	return true;
}

/* OVMF as Debian's ovmf package installs it. */
static const char *const dm_ovmf_paths[] = {
	"/usr/share/ovmf/OVMF.fd",
	"/usr/share/qemu/OVMF.fd",
};

static const char *dm_firmware_path(const char *fw)
{
	size_t i;

	for (i = 0; i < sizeof(dm_ovmf_paths) / sizeof(dm_ovmf_paths[0]); i++)
		if (!access(dm_ovmf_paths[i], R_OK))
			return dm_ovmf_paths[i];
	(void)fw;
	return NULL;
}

static bool dm_fw_is_bios(const char *fw)
{
	return !fw || !*fw || !strcmp(fw, "bios") || !strcmp(fw, "seabios");
}

static bool dm_fw_is_uefi(const char *fw)
{
	return fw && (!strcmp(fw, "uefi") || !strcmp(fw, "ovmf"));
}

static int dm_add_disks(const struct libxl__dm_config *cfg, struct libxl__dm_args *a, char *err,
			size_t errlen)
{
	const char *ide_owner[DM_IDE_SLOTS] = { 0 };
	const char *ahci_owner[DM_AHCI_PORTS] = { 0 };
	bool ahci_added = false;
	char *file = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < cfg->nr_disks; i++) {
		const struct libxl__dm_disk *d = &cfg->disks[i];
		const char *fmt = dm_format(d->format);
		bool empty = !d->target || !*d->target;
		bool ahci;
		unsigned int idx, part;

		if (libxl__dm_vdev_to_index(d->vdev, &idx, &part)) {
			dm_err(err, errlen, "disk %zu: invalid vdev '%s'", i,
			       d->vdev ? d->vdev : "");
			rc = -EINVAL;
			goto out;
		}
		if (!fmt) {
			dm_err(err, errlen, "disk %s: unknown format '%s'", d->vdev, d->format);
			rc = -EINVAL;
			goto out;
		}
		/* As Xen: QEMU emulates whole disks; partitions stay PV only. */
		if (part)
			continue;
		if (empty && !d->is_cdrom) {
			dm_err(err, errlen, "disk %s: no target", d->vdev);
			rc = -EINVAL;
			goto out;
		}
		free(file);
		file = NULL;
		if (!empty) {
			file = dm_escape(d->target);
			if (!file) {
				rc = -ENOMEM;
				goto out;
			}
		}

		if (d->is_cdrom) {
			if (idx >= DM_IDE_SLOTS) {
				dm_err(err, errlen,
				       "cdrom %s: only the first four disks (hda-hdd) can be a "
				       "cdrom",
				       d->vdev);
				rc = -EINVAL;
				goto out;
			}
			if (ide_owner[idx]) {
				dm_err(err, errlen, "disks %s and %s both map to IDE slot %u",
				       ide_owner[idx], d->vdev, idx);
				rc = -EINVAL;
				goto out;
			}
			ide_owner[idx] = d->vdev;
			rc = dm_args_add(a, "-drive");
			if (!rc && empty)
				rc = dm_args_add(
					a, "if=ide,index=%u,media=cdrom,readonly=on,id=ide-%u", idx,
					idx);
			else if (!rc)
				rc = dm_args_add(a,
						 "file=%s,if=ide,index=%u,media=cdrom,readonly=on,"
						 "format=%s,id=ide-%u",
						 file, idx, fmt, idx);
			if (rc)
				goto out;
			continue;
		}

		/*
		 * Xen hands sdX to QEMU as SCSI (if=scsi), which needed QEMU to
		 * make an LSI controller by itself; QEMU 7.2 no longer does,
		 * so sdX become AHCI (SATA) disks, which guests also name sdX.
		 */
		ahci = !strncmp(d->vdev, "sd", 2) || cfg->hdtype == LIBXL__DM_HDTYPE_AHCI;
		if (ahci && idx >= DM_AHCI_PORTS) {
			if (!strncmp(d->vdev, "sd", 2)) {
				dm_err(err, errlen, "disk %s: emulated AHCI has %d ports (sda-sdf)",
				       d->vdev, DM_AHCI_PORTS);
				rc = -EINVAL;
				goto out;
			}
			continue; /* as Xen: not emulated */
		}
		if (!ahci && idx >= DM_IDE_SLOTS)
			continue; /* as Xen: xvde and up are PV only */
		if (!d->readwrite) {
			dm_err(err, errlen,
			       "disk %s: emulated IDE/AHCI disks cannot be read-only (use a cdrom)",
			       d->vdev);
			rc = -EINVAL;
			goto out;
		}
		if (ahci) {
			if (ahci_owner[idx]) {
				dm_err(err, errlen, "disks %s and %s both map to AHCI port %u",
				       ahci_owner[idx], d->vdev, idx);
				rc = -EINVAL;
				goto out;
			}
			ahci_owner[idx] = d->vdev;
			if (!ahci_added) {
				rc = dm_args_add(a, "-device");
				if (!rc)
					rc = dm_args_add(a, "ahci,id=ahci0");
				if (rc)
					goto out;
				ahci_added = true;
			}
			rc = dm_args_add(a, "-drive");
			if (!rc)
				rc = dm_args_add(
					a,
					"file=%s,if=none,id=ahcidisk-%u,format=%s,cache=writeback",
					file, idx, fmt);
			if (!rc)
				rc = dm_args_add(a, "-device");
			if (!rc)
				rc = dm_args_add(a, "ide-hd,bus=ahci0.%u,unit=0,drive=ahcidisk-%u",
						 idx, idx);
		} else {
			if (ide_owner[idx]) {
				dm_err(err, errlen, "disks %s and %s both map to IDE slot %u",
				       ide_owner[idx], d->vdev, idx);
				rc = -EINVAL;
				goto out;
			}
			ide_owner[idx] = d->vdev;
			rc = dm_args_add(a, "-drive");
			if (!rc)
				rc = dm_args_add(a,
						 "file=%s,if=ide,index=%u,media=disk,format=%s,"
						 "cache=writeback",
						 file, idx, fmt);
		}
		if (rc)
			goto out;
	}
out:
	free(file);
	return rc;
}

static int dm_add_nics(const struct libxl__dm_config *cfg, struct libxl__dm_args *a, char *err,
		       size_t errlen)
{
	char ifname[32];
	size_t i;
	int rc = 0;

	for (i = 0; i < cfg->nr_nics; i++) {
		const struct libxl__dm_nic *n = &cfg->nics[i];
		const char *dev = dm_nic_device(n->model);

		if (!dev) {
			dm_err(err, errlen,
			       "vif %zu: unknown model '%s' (rtl8139, e1000 or virtio-net)", i,
			       n->model);
			return -EINVAL;
		}
		if (n->mac && !dm_mac_valid(n->mac)) {
			dm_err(err, errlen, "vif %zu: invalid mac '%s'", i, n->mac);
			return -EINVAL;
		}
		if (n->ifname)
			snprintf(ifname, sizeof(ifname), "%s", n->ifname);
		else
			snprintf(ifname, sizeof(ifname), "vif%u.%zu-emu", cfg->domid, i);
		if (!dm_ifname_valid(n->ifname ? n->ifname : ifname)) {
			dm_err(err, errlen, "vif %zu: invalid interface name '%s'", i,
			       n->ifname ? n->ifname : ifname);
			return -EINVAL;
		}
		rc = dm_args_add(a, "-netdev");
		if (!rc)
			rc = dm_args_add(a, "tap,id=net%zu,ifname=%s,script=no,downscript=no", i,
					 ifname);
		if (!rc)
			rc = dm_args_add(a, "-device");
		/*
		 * Without a MAC every QEMU would give 52:54:00:12:34:56 and
		 * guests on one bridge would clash: derive one in Xen's
		 * 00:16:3e range from domid and devid (libxl normally picks
		 * a random one before this).
		 */
		if (!rc && n->mac)
			rc = dm_args_add(a, "%s,id=nic%zu,netdev=net%zu,mac=%s", dev, i, i, n->mac);
		else if (!rc)
			rc = dm_args_add(a,
					 "%s,id=nic%zu,netdev=net%zu,mac=00:16:3e:%02x:%02x:%02x",
					 dev, i, i, (cfg->domid >> 8) & 0xff, cfg->domid & 0xff,
					 (unsigned int)i & 0xff);
		if (rc)
			return rc;
	}
	return 0;
}

static int dm_add_vnc(const struct libxl__dm_config *cfg, struct libxl__dm_args *a, char *err,
		      size_t errlen)
{
	const char *listen = cfg->vnclisten ? cfg->vnclisten : "127.0.0.1";
	const char *vga = "cirrus-vga";
	int rc;

	if (!cfg->vnc) {
		rc = dm_args_add(a, "-display");
		if (!rc)
			rc = dm_args_add(a, "none");
		return rc;
	}
	if (!*listen || strpbrk(listen, ",: ")) {
		dm_err(err, errlen, "invalid vnclisten '%s'", listen);
		return -EINVAL;
	}
	if (cfg->vncdisplay > 65535 - DM_VNC_PORT_BASE) {
		dm_err(err, errlen, "vncdisplay %d is out of range", cfg->vncdisplay);
		return -EINVAL;
	}
	if (cfg->vga && !strcmp(cfg->vga, "stdvga"))
		vga = "VGA";
	else if (cfg->vga && !strcmp(cfg->vga, "none"))
		vga = NULL;
	else if (cfg->vga && strcmp(cfg->vga, "cirrus")) {
		dm_err(err, errlen, "unknown vga '%s' (cirrus, stdvga, none)", cfg->vga);
		return -EINVAL;
	}
	if (vga) {
		rc = dm_args_add(a, "-device");
		if (!rc)
			rc = dm_args_add(a, "%s", vga);
		if (rc)
			return rc;
	}
	rc = dm_args_add(a, "-vnc");
	if (rc)
		return rc;
	/* The password is set over QMP so that it never shows in ps. */
	if (cfg->vncdisplay >= 0)
		return dm_args_add(a, "%s:%d%s", listen, cfg->vncdisplay,
				   cfg->vncpasswd ? ",password=on" : "");
	/* vncunused: the first free display, as Xen's default. */
	return dm_args_add(a, "%s:0,to=99%s", listen, cfg->vncpasswd ? ",password=on" : "");
}

int libxl__dm_build_args(const struct libxl__dm_config *cfg, const struct libxl__dm_runtime *rt,
			 struct libxl__dm_args *a, char *err, size_t errlen)
{
	unsigned int max_vcpus = cfg->max_vcpus ? cfg->max_vcpus : cfg->vcpus;
	const char *boot = cfg->boot ? cfg->boot : "cd";
	char *qmp = NULL, *watch = NULL, *name = NULL;
	size_t i;
	int rc;

	memset(a, 0, sizeof(*a));
	if (!cfg->memory_mib || cfg->memory_mib > (1ull << 22)) {
		dm_err(err, errlen, "invalid memory %llu MiB", (unsigned long long)cfg->memory_mib);
		rc = -EINVAL;
		goto out;
	}
	if (!cfg->vcpus || cfg->vcpus > max_vcpus || max_vcpus > 288) {
		dm_err(err, errlen, "invalid vcpus %u / maxvcpus %u", cfg->vcpus, max_vcpus);
		rc = -EINVAL;
		goto out;
	}
	if (!dm_boot_valid(boot)) {
		dm_err(err, errlen, "invalid boot order '%s' (letters c, d, n)", boot);
		rc = -EINVAL;
		goto out;
	}
	if (!rt->qemu || !rt->qmp_path || rt->ram_fd < 0 || rt->accel == LIBXL__DM_ACCEL_AUTO) {
		dm_err(err, errlen, "device model runtime not set up");
		rc = -EINVAL;
		goto out;
	}
	if ((cfg->ramdisk || cfg->cmdline) && !cfg->kernel) {
		dm_err(err, errlen, "ramdisk or cmdline given without kernel");
		rc = -EINVAL;
		goto out;
	}
	/* The name also names the log file. */
	if (cfg->name && (!*cfg->name || strchr(cfg->name, '/'))) {
		dm_err(err, errlen, "invalid domain name '%s'", cfg->name);
		rc = -EINVAL;
		goto out;
	}
	qmp = dm_escape(rt->qmp_path);
	watch = rt->qmp_watch_path ? dm_escape(rt->qmp_watch_path) : NULL;
	name = cfg->name ? dm_escape(cfg->name) : NULL;
	if (!qmp || (cfg->name && !name) || (rt->qmp_watch_path && !watch)) {
		rc = -ENOMEM;
		goto out;
	}

	rc = dm_args_add(a, "%s", rt->qemu);
	if (!rc && name)
		rc = dm_args_add(a, "-name");
	if (!rc && name)
		rc = dm_args_add(a, "%s", name);
	if (!rc)
		rc = dm_args_add(a, "-nodefaults");
	if (!rc)
		rc = dm_args_add(a, "-no-user-config");
	/* A reset ends QEMU: the toolstack decides what a reboot does. */
	if (!rc)
		rc = dm_args_add(a, "-no-reboot");
	if (!rc)
		rc = dm_args_add(a, "-action");
	if (!rc)
		rc = dm_args_add(a, "panic=shutdown");
	if (!rc)
		rc = dm_args_add(a, "-accel");
	if (!rc)
		rc = dm_args_add(a, "%s", rt->accel == LIBXL__DM_ACCEL_KVM ? "kvm" : "tcg");
	if (!rc)
		rc = dm_args_add(a, "-machine");
	if (!rc)
		rc = dm_args_add(a, "pc,acpi=%s,memory-backend=ram0", cfg->acpi ? "on" : "off");
	if (!rc && rt->accel == LIBXL__DM_ACCEL_KVM)
		rc = dm_args_add(a, "-cpu");
	if (!rc && rt->accel == LIBXL__DM_ACCEL_KVM)
		rc = dm_args_add(a, "host");
	if (!rc)
		rc = dm_args_add(a, "-object");
	if (!rc)
		rc = dm_args_add(
			a,
			"memory-backend-file,id=ram0,mem-path=/proc/self/fd/%d,share=on,size=%lluM",
			rt->ram_fd, (unsigned long long)cfg->memory_mib);
	if (!rc)
		rc = dm_args_add(a, "-m");
	if (!rc)
		rc = dm_args_add(a, "%lluM", (unsigned long long)cfg->memory_mib);
	if (!rc)
		rc = dm_args_add(a, "-smp");
	if (!rc)
		rc = dm_args_add(a, "cpus=%u,maxcpus=%u", cfg->vcpus, max_vcpus);
	if (!rc)
		rc = dm_args_add(a, "-chardev");
	if (!rc)
		rc = dm_args_add(a, "socket,id=libxl-cmd,path=%s,server=on,wait=off", qmp);
	if (!rc)
		rc = dm_args_add(a, "-mon");
	if (!rc)
		rc = dm_args_add(a, "chardev=libxl-cmd,mode=control");
	if (!rc && watch)
		rc = dm_args_add(a, "-chardev");
	if (!rc && watch)
		rc = dm_args_add(a, "socket,id=libxl-watch,path=%s,server=on,wait=off", watch);
	if (!rc && watch)
		rc = dm_args_add(a, "-mon");
	if (!rc && watch)
		rc = dm_args_add(a, "chardev=libxl-watch,mode=control");
	if (!rc)
		rc = dm_args_add(a, "-boot");
	if (!rc)
		rc = dm_args_add(a, "order=%s", boot);
	if (rc)
		goto out;

	if (dm_fw_is_uefi(cfg->firmware)) {
		const char *ovmf = dm_firmware_path(cfg->firmware);

		if (!ovmf) {
			dm_err(err, errlen,
			       "firmware '%s': OVMF not found (install the ovmf package)",
			       cfg->firmware);
			rc = -ENOENT;
			goto out;
		}
		rc = dm_args_add(a, "-bios");
		if (!rc)
			rc = dm_args_add(a, "%s", ovmf);
	} else if (!strcmp(cfg->firmware ? cfg->firmware : "", "rombios")) {
		dm_err(err, errlen,
		       "firmware 'rombios' needs qemu-xen-traditional, which is not supported");
		rc = -EOPNOTSUPP;
	} else if (!dm_fw_is_bios(cfg->firmware)) {
		rc = dm_args_add(a, "-bios");
		if (!rc)
			rc = dm_args_add(a, "%s", cfg->firmware);
	}
	if (rc)
		goto out;

	if (cfg->kernel) {
		rc = dm_args_add(a, "-kernel");
		if (!rc)
			rc = dm_args_add(a, "%s", cfg->kernel);
		if (!rc && cfg->ramdisk)
			rc = dm_args_add(a, "-initrd");
		if (!rc && cfg->ramdisk)
			rc = dm_args_add(a, "%s", cfg->ramdisk);
		if (!rc && cfg->cmdline)
			rc = dm_args_add(a, "-append");
		if (!rc && cfg->cmdline)
			rc = dm_args_add(a, "%s", cfg->cmdline);
		if (rc)
			goto out;
	}

	if (cfg->serial_pty) {
		rc = dm_args_add(a, "-serial");
		if (!rc)
			rc = dm_args_add(a, "pty");
		if (rc)
			goto out;
	}

	rc = dm_add_disks(cfg, a, err, errlen);
	if (!rc)
		rc = dm_add_nics(cfg, a, err, errlen);
	if (!rc)
		rc = dm_add_vnc(cfg, a, err, errlen);
	if (rc)
		goto out;

	if (cfg->dm_restrict) {
		if (!rt->runas || !*rt->runas) {
			dm_err(err, errlen, "dm_restrict needs a user to run QEMU as");
			rc = -EINVAL;
			goto out;
		}
		/*
		 * elevateprivileges must stay allowed: QEMU installs the filter
		 * before -runas drops to the user (Xen does the same).
		 */
		rc = dm_args_add(a, "-sandbox");
		if (!rc)
			rc = dm_args_add(a, "on,obsolete=deny,elevateprivileges=allow,spawn=deny,"
					    "resourcecontrol=deny");
		if (!rc)
			rc = dm_args_add(a, "-runas");
		if (!rc)
			rc = dm_args_add(a, "%s", rt->runas);
		if (rc)
			goto out;
	}

	for (i = 0; i < cfg->nr_extra_args; i++) {
		rc = dm_args_add(a, "%s", cfg->extra_args[i]);
		if (rc)
			goto out;
	}
out:
	free(qmp);
	free(watch);
	free(name);
	if (rc) {
		if (rc == -ENOMEM)
			dm_err(err, errlen, "out of memory");
		libxl__dm_args_dispose(a);
	}
	return rc;
}

/* ---- host probing and checks ----------------------------------------- */

enum libxl__dm_accel libxl__dm_accel_probe(void)
{
	const char *env = getenv("KXEN_HVM_ACCEL");
	char line[4096];
	bool hw = false;
	FILE *f;

	if (env && !strcmp(env, "kvm"))
		return LIBXL__DM_ACCEL_KVM;
	if (env && !strcmp(env, "tcg"))
		return LIBXL__DM_ACCEL_TCG;
	/*
	 * A KVM without VMX/SVM (a nested, PVM-style one) opens fine but
	 * cannot run a guest's ring 0 well enough to boot a stock kernel.
	 * The first CPU's flags line is all that is read.
	 */
	f = fopen("/proc/cpuinfo", "re");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			if (strncmp(line, "flags", 5))
				continue;
			hw = strstr(line, " vmx") || strstr(line, " svm");
			break;
		}
		fclose(f);
	}
	if (hw && !access("/dev/kvm", R_OK | W_OK))
		return LIBXL__DM_ACCEL_KVM;
	return LIBXL__DM_ACCEL_TCG;
}

/* Finds prog in PATH unless it has a '/'.  malloc'ed or NULL. */
char *libxl__dm_find_program(const char *prog)
{
	const char *path = getenv("PATH"), *p, *e;
	char *full;

	if (strchr(prog, '/'))
		return access(prog, X_OK) ? NULL : strdup(prog);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, ':');
		if (asprintf(&full, "%.*s/%s", (int)(e - p), p, prog) < 0)
			return NULL;
		if (!access(full, X_OK))
			return full;
		free(full);
	}
	return NULL;
}

const char *libxl__dm_runas_user(const struct libxl__dm_config *cfg)
{
	if (cfg->dm_user)
		return cfg->dm_user;
	/* Xen's shared unprivileged QEMU user if the host made one. */
	if (getpwnam("xen-qemuuser-shared"))
		return "xen-qemuuser-shared";
	return "nobody";
}

static int dm_check_vnc_port(const struct libxl__dm_config *cfg, char *err, size_t errlen)
{
	const char *listen = cfg->vnclisten ? cfg->vnclisten : "127.0.0.1";
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int port = DM_VNC_PORT_BASE + cfg->vncdisplay, fd, rc = 0;

	if (!cfg->vnc || cfg->vncdisplay < 0)
		return 0;
	if (inet_pton(AF_INET, listen, &sa.sin_addr) != 1)
		return 0; /* a host name or IPv6: QEMU will say */
	sa.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = -errno;
		if (rc == -EADDRINUSE)
			dm_err(err, errlen, "VNC display %s:%d (TCP port %d) is already in use",
			       listen, cfg->vncdisplay, port);
		else
			dm_err(err, errlen, "VNC display %s:%d: %s", listen, cfg->vncdisplay,
			       strerror(-rc));
	}
	close(fd);
	return rc;
}

static int dm_check_file(const char *what, const char *path, int mode, char *err, size_t errlen)
{
	if (!access(path, mode))
		return 0;
	dm_err(err, errlen, "%s '%s': %s", what, path, strerror(errno));
	return -errno;
}

int libxl__dm_validate(const struct libxl__dm_config *cfg, char *err, size_t errlen)
{
	char *qemu = NULL, what[64];
	size_t i;
	int rc = 0;

	qemu = libxl__dm_find_program(cfg->dm_override ? cfg->dm_override : LIBXL__DM_QEMU_DEFAULT);
	if (!qemu) {
		dm_err(err, errlen, "device model '%s' not found (install qemu-system-x86)",
		       cfg->dm_override ? cfg->dm_override : LIBXL__DM_QEMU_DEFAULT);
		rc = -ENOENT;
		goto out;
	}
	if (cfg->kernel)
		rc = dm_check_file("kernel", cfg->kernel, R_OK, err, errlen);
	if (!rc && cfg->ramdisk)
		rc = dm_check_file("ramdisk", cfg->ramdisk, R_OK, err, errlen);
	if (!rc && cfg->firmware && !dm_fw_is_bios(cfg->firmware) &&
	    !dm_fw_is_uefi(cfg->firmware) && strcmp(cfg->firmware, "rombios"))
		rc = dm_check_file("firmware", cfg->firmware, R_OK, err, errlen);
	for (i = 0; !rc && i < cfg->nr_disks; i++) {
		const struct libxl__dm_disk *d = &cfg->disks[i];

		if (!d->target || !*d->target)
			continue;
		snprintf(what, sizeof(what), "disk %s", d->vdev ? d->vdev : "?");
		rc = dm_check_file(what, d->target,
				   d->readwrite && !d->is_cdrom ? R_OK | W_OK : R_OK, err, errlen);
	}
	if (!rc && cfg->dm_restrict && !getpwnam(libxl__dm_runas_user(cfg))) {
		dm_err(err, errlen, "dm_restrict: user '%s' does not exist",
		       libxl__dm_runas_user(cfg));
		rc = -ENOENT;
	}
	if (!rc && cfg->accel == LIBXL__DM_ACCEL_KVM && access("/dev/kvm", R_OK | W_OK))
		rc = dm_check_file("accelerator", "/dev/kvm", R_OK | W_OK, err, errlen);
	if (!rc)
		rc = dm_check_vnc_port(cfg, err, errlen);
out:
	free(qemu);
	return rc;
}

const char *libxl__dm_shutdown_reason_name(enum libxl__dm_shutdown_reason r)
{
	switch (r) {
	case LIBXL__DM_SHUTDOWN_NONE:
		return "none";
	case LIBXL__DM_SHUTDOWN_POWEROFF:
		return "poweroff";
	case LIBXL__DM_SHUTDOWN_REBOOT:
		return "reboot";
	case LIBXL__DM_SHUTDOWN_CRASH:
		return "crash";
	case LIBXL__DM_SHUTDOWN_DESTROY:
		return "destroy";
	}
	return "unknown";
}

enum libxl__dm_shutdown_reason libxl__dm_shutdown_reason_from(const char *qmp_reason,
							      int wait_status)
{
	static const struct {
		const char *qmp;
		enum libxl__dm_shutdown_reason reason;
	} map[] = {
		{ "guest-shutdown", LIBXL__DM_SHUTDOWN_POWEROFF },
		{ "guest-reset", LIBXL__DM_SHUTDOWN_REBOOT },
		{ "host-qmp-system-reset", LIBXL__DM_SHUTDOWN_REBOOT },
		{ "guest-panic", LIBXL__DM_SHUTDOWN_CRASH },
		{ "host-qmp-quit", LIBXL__DM_SHUTDOWN_DESTROY },
		{ "host-signal", LIBXL__DM_SHUTDOWN_DESTROY },
		{ "host-ui", LIBXL__DM_SHUTDOWN_DESTROY },
	};
	size_t i;

	for (i = 0; qmp_reason && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(qmp_reason, map[i].qmp))
			return map[i].reason;
	/*
	 * No (known) reason: QEMU died on its own (a signal, an error exit,
	 * or an exit without SHUTDOWN), which is the domain crashing.
	 */
	(void)wait_status;
	return LIBXL__DM_SHUTDOWN_CRASH;
}
