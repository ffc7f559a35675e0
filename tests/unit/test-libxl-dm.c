/*
 * Unit tests of libxl's HVM device-model layer without QEMU: the command
 * line builder (vdev mapping, NIC models, VNC, accel, restriction, errors),
 * the checks made before spawning (missing disk, busy VNC port), the
 * shutdown reason mapping and the QMP client over a socketpair.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "libxl/dm.h"

static struct libxl__dm_config base_cfg(void)
{
	struct libxl__dm_config cfg = {
		.domid = 7,
		.name = "g",
		.memory_mib = 256,
		.vcpus = 1,
		.acpi = true,
		.vncdisplay = -1,
		.ram_fd = -1,
	};
	return cfg;
}

static const struct libxl__dm_runtime base_rt = {
	.qemu = "qemu-system-x86_64",
	.qmp_path = "/run/xen/qmp-libxl-7",
	.ram_fd = 9,
	.accel = LIBXL__DM_ACCEL_TCG,
	.runas = "nobody",
};

/* Builds argv and returns it joined by spaces ("" and rc on error). */
static char *build(const struct libxl__dm_config *cfg, const struct libxl__dm_runtime *rt, int *rc,
		   char *err, size_t errlen)
{
	struct libxl__dm_args a;
	size_t i, len = 0;
	char *s = calloc(1, 1);

	assert_non_null(s);
	*rc = libxl__dm_build_args(cfg, rt ? rt : &base_rt, &a, err, errlen);
	if (*rc)
		return s;
	for (i = 0; i < a.argc; i++) {
		size_t n = strlen(a.argv[i]);

		s = realloc(s, len + n + 2);
		assert_non_null(s);
		memcpy(s + len, a.argv[i], n);
		len += n;
		s[len++] = ' ';
		s[len] = '\0';
	}
	assert_null(a.argv[a.argc]);
	libxl__dm_args_dispose(&a);
	return s;
}

static char *build_ok(const struct libxl__dm_config *cfg)
{
	char err[256] = "";
	int rc;
	char *s = build(cfg, NULL, &rc, err, sizeof(err));

	if (rc)
		fail_msg("build failed: %s", err);
	return s;
}

static void build_fails(const struct libxl__dm_config *cfg, int want, const char *msg_part)
{
	char err[256] = "";
	int rc;
	char *s = build(cfg, NULL, &rc, err, sizeof(err));

	assert_int_equal(rc, want);
	if (msg_part && !strstr(err, msg_part))
		fail_msg("error '%s' lacks '%s'", err, msg_part);
	free(s);
}

static void assert_has(const char *s, const char *part)
{
	if (!strstr(s, part))
		fail_msg("'%s' not in: %s", part, s);
}

static void assert_lacks(const char *s, const char *part)
{
	if (strstr(s, part))
		fail_msg("'%s' unexpectedly in: %s", part, s);
}

static void test_basic(void **state)
{
	struct libxl__dm_config cfg = base_cfg();
	char *s;

	(void)state;
	cfg.kernel = "/k";
	cfg.ramdisk = "/r";
	cfg.cmdline = "console=ttyS0 quiet";
	cfg.serial_pty = true;
	cfg.vcpus = 2;
	cfg.max_vcpus = 4;
	s = build_ok(&cfg);
	assert_true(!strncmp(s, "qemu-system-x86_64 -name g -nodefaults ", 39));
	assert_has(s, " -no-reboot ");
	assert_has(s, " -accel tcg ");
	assert_has(s, " -machine pc,acpi=on,memory-backend=ram0 ");
	assert_has(s, " -object "
		      "memory-backend-file,id=ram0,mem-path=/proc/self/fd/9,share=on,size=256M ");
	assert_has(s, " -m 256M ");
	assert_has(s, " -smp cpus=2,maxcpus=4 ");
	assert_has(s, " -chardev socket,id=libxl-cmd,path=/run/xen/qmp-libxl-7,server=on,wait=off "
		      "-mon chardev=libxl-cmd,mode=control ");
	assert_has(s, " -boot order=cd ");
	assert_has(s, " -kernel /k -initrd /r -append console=ttyS0 quiet ");
	assert_has(s, " -serial pty ");
	assert_has(s, " -display none ");
	assert_lacks(s, "-cpu");
	assert_lacks(s, "-sandbox");
	free(s);

	cfg.acpi = false;
	cfg.boot = "dcn";
	cfg.serial_pty = false;
	s = build_ok(&cfg);
	assert_has(s, "acpi=off");
	assert_has(s, " -boot order=dcn ");
	assert_lacks(s, "-serial");
	free(s);
}

static void test_accel(void **state)
{
	struct libxl__dm_config cfg = base_cfg();
	struct libxl__dm_runtime rt = base_rt;
	char err[256];
	int rc;
	char *s;

	(void)state;
	rt.accel = LIBXL__DM_ACCEL_KVM;
	s = build(&cfg, &rt, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_has(s, " -accel kvm ");
	assert_has(s, " -cpu host ");
	free(s);

	rt.qmp_watch_path = "/run/xen/qmp-watch-7";
	s = build(&cfg, &rt, &rc, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_has(s,
		   " -chardev socket,id=libxl-watch,path=/run/xen/qmp-watch-7,server=on,wait=off "
		   "-mon chardev=libxl-watch,mode=control ");
	free(s);

	rt.accel = LIBXL__DM_ACCEL_AUTO; /* spawn must have decided */
	s = build(&cfg, &rt, &rc, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);
	free(s);

	setenv("KXEN_HVM_ACCEL", "tcg", 1);
	assert_int_equal(libxl__dm_accel_probe(), LIBXL__DM_ACCEL_TCG);
	setenv("KXEN_HVM_ACCEL", "kvm", 1);
	assert_int_equal(libxl__dm_accel_probe(), LIBXL__DM_ACCEL_KVM);
	unsetenv("KXEN_HVM_ACCEL");
	assert_true(libxl__dm_accel_probe() != LIBXL__DM_ACCEL_AUTO);
}

static void test_vdev_index(void **state)
{
	static const struct {
		const char *vdev;
		int rc;
		unsigned int index, part;
	} cases[] = {
		{ "hda", 0, 0, 0 },
		{ "hdd", 0, 3, 0 },
		{ "hdb1", 0, 1, 1 },
		{ "hde", -EINVAL, 0, 0 },
		{ "xvda", 0, 0, 0 },
		{ "xvdz", 0, 25, 0 },
		{ "xvdaa", 0, 26, 0 },
		{ "xvdb3", 0, 1, 3 },
		{ "sda", 0, 0, 0 },
		{ "sdc15", 0, 2, 15 },
		{ "sdc16", -EINVAL, 0, 0 },
		{ "d0", 0, 0, 0 },
		{ "d12p3", 0, 12, 3 },
		{ "d01", -EINVAL, 0, 0 },
		{ "xvd", -EINVAL, 0, 0 },
		{ "xvdA", -EINVAL, 0, 0 },
		{ "hda-", -EINVAL, 0, 0 },
		{ "vda", -EINVAL, 0, 0 },
		{ "", -EINVAL, 0, 0 },
		{ "xvdaaaa", -EINVAL, 0, 0 },
		{ "d99999999999", -EINVAL, 0, 0 },
	};
	unsigned int index, part;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = libxl__dm_vdev_to_index(cases[i].vdev, &index, &part);

		if (rc != cases[i].rc)
			fail_msg("%s: rc %d, want %d", cases[i].vdev, rc, cases[i].rc);
		if (!rc && (index != cases[i].index || part != cases[i].part))
			fail_msg("%s: %u/%u, want %u/%u", cases[i].vdev, index, part,
				 cases[i].index, cases[i].part);
	}
	assert_int_equal(libxl__dm_vdev_to_index(NULL, &index, &part), -EINVAL);
}

static void test_disks(void **state)
{
	struct libxl__dm_disk disks[] = {
		{ .target = "/img/a.raw", .vdev = "hda", .readwrite = true },
		{ .target = "/img/b.qcow2", .vdev = "xvdb", .format = "qcow2", .readwrite = true },
		{ .target = NULL, .vdev = "hdc", .is_cdrom = true },
		{ .target = "/img/c,d.raw", .vdev = "sdb", .readwrite = true },
		{ .target = "/img/e.raw", .vdev = "xvde", .readwrite = true },
		{ .target = "/img/f.raw", .vdev = "hda2", .readwrite = true },
		{ .target = "/img/g.vhd", .vdev = "sda", .format = "vhd", .readwrite = true },
	};
	struct libxl__dm_config cfg = base_cfg();
	char *s;

	(void)state;
	cfg.disks = disks;
	cfg.nr_disks = sizeof(disks) / sizeof(disks[0]);
	s = build_ok(&cfg);
	assert_has(s,
		   " -drive file=/img/a.raw,if=ide,index=0,media=disk,format=raw,cache=writeback ");
	assert_has(s, " -drive "
		      "file=/img/b.qcow2,if=ide,index=1,media=disk,format=qcow2,cache=writeback ");
	assert_has(s, " -drive if=ide,index=2,media=cdrom,readonly=on,id=ide-2 ");
	assert_has(s, " -device ahci,id=ahci0 ");
	/* Commas in paths are doubled for QEMU's option parser. */
	assert_has(s, " -drive file=/img/c,,d.raw,if=none,id=ahcidisk-1,format=raw,cache=writeback "
		      "-device ide-hd,bus=ahci0.1,unit=0,drive=ahcidisk-1 ");
	assert_has(s, "file=/img/g.vhd,if=none,id=ahcidisk-0,format=vpc");
	/* xvde and up and partitions are not emulated, as on Xen. */
	assert_lacks(s, "/img/e.raw");
	assert_lacks(s, "/img/f.raw");
	/* One AHCI controller however many ports are used. */
	assert_null(strstr(strstr(s, "ahci,id=ahci0") + 1, "ahci,id=ahci0"));
	free(s);

	/* A cdrom with media. */
	disks[2].target = "/iso/d.iso";
	cfg.nr_disks = 3;
	s = build_ok(&cfg);
	assert_has(s,
		   " -drive "
		   "file=/iso/d.iso,if=ide,index=2,media=cdrom,readonly=on,format=raw,id=ide-2 ");
	assert_lacks(s, "ahci");
	free(s);

	/* hdtype=ahci puts the first six disks on AHCI. */
	cfg.hdtype = LIBXL__DM_HDTYPE_AHCI;
	cfg.nr_disks = 2;
	s = build_ok(&cfg);
	assert_has(s, "-device ide-hd,bus=ahci0.0,unit=0,drive=ahcidisk-0 ");
	assert_has(s, "-device ide-hd,bus=ahci0.1,unit=0,drive=ahcidisk-1 ");
	assert_lacks(s, "if=ide");
	free(s);
}

static void test_disk_errors(void **state)
{
	struct libxl__dm_disk d[2] = {
		{ .target = "/a", .vdev = "hda", .readwrite = true },
		{ .target = "/b", .vdev = "xvda", .readwrite = true },
	};
	struct libxl__dm_config cfg = base_cfg();

	(void)state;
	cfg.disks = d;
	cfg.nr_disks = 2;
	build_fails(&cfg, -EINVAL, "both map to IDE slot 0");

	cfg.nr_disks = 1;
	d[0].vdev = "bogus";
	build_fails(&cfg, -EINVAL, "invalid vdev 'bogus'");
	d[0].vdev = "hda";
	d[0].format = "vmdk9";
	build_fails(&cfg, -EINVAL, "unknown format");
	d[0].format = NULL;
	d[0].readwrite = false;
	build_fails(&cfg, -EINVAL, "cannot be read-only");
	d[0].readwrite = true;
	d[0].vdev = "sdg";
	build_fails(&cfg, -EINVAL, "6 ports");
	d[0].vdev = "xvde";
	d[0].is_cdrom = true;
	build_fails(&cfg, -EINVAL, "cdrom");
	d[0].is_cdrom = false;
	d[0].target = "";
	d[0].vdev = "hda";
	build_fails(&cfg, -EINVAL, "no target");
}

static void test_nics(void **state)
{
	struct libxl__dm_nic n[3] = {
		{ 0 },
		{ .model = "e1000", .mac = "00:16:3e:0a:0b:0c", .ifname = "tapx" },
		{ .model = "virtio-net" },
	};
	struct libxl__dm_config cfg = base_cfg();
	char *s;

	(void)state;
	cfg.nics = n;
	cfg.nr_nics = 3;
	s = build_ok(&cfg);
	assert_has(s, " -netdev tap,id=net0,ifname=vif7.0-emu,script=no,downscript=no -device "
		      "rtl8139,id=nic0,netdev=net0,mac=00:16:3e:00:07:00 ");
	assert_has(s, " -netdev tap,id=net1,ifname=tapx,script=no,downscript=no -device "
		      "e1000,id=nic1,netdev=net1,mac=00:16:3e:0a:0b:0c ");
	assert_has(s, " -device virtio-net-pci,id=nic2,netdev=net2,mac=00:16:3e:00:07:02 ");
	free(s);

	cfg.nr_nics = 1;
	n[0].model = "ne2k_isa";
	build_fails(&cfg, -EINVAL, "unknown model");
	n[0].model = NULL;
	n[0].mac = "00:16:3e:0a:0b";
	build_fails(&cfg, -EINVAL, "invalid mac");
	n[0].mac = "00:16:3e:0a:0b:0g";
	build_fails(&cfg, -EINVAL, "invalid mac");
	n[0].mac = NULL;
	n[0].ifname = "a-very-long-interface";
	build_fails(&cfg, -EINVAL, "interface name");
	n[0].ifname = "tap,x";
	build_fails(&cfg, -EINVAL, "interface name");
}

static void test_vnc(void **state)
{
	struct libxl__dm_config cfg = base_cfg();
	char *s;

	(void)state;
	cfg.vnc = true;
	s = build_ok(&cfg);
	assert_has(s, " -device cirrus-vga -vnc 127.0.0.1:0,to=99 ");
	assert_lacks(s, "-display none");
	free(s);

	cfg.vncdisplay = 3;
	cfg.vnclisten = "0.0.0.0";
	cfg.vncpasswd = "s3cret";
	cfg.vga = "stdvga";
	s = build_ok(&cfg);
	assert_has(s, " -device VGA -vnc 0.0.0.0:3,password=on ");
	/* The password goes over QMP, never on the command line. */
	assert_lacks(s, "s3cret");
	free(s);

	cfg.vga = "none";
	s = build_ok(&cfg);
	assert_lacks(s, "VGA");
	assert_lacks(s, "cirrus");
	free(s);

	cfg.vga = "matrox";
	build_fails(&cfg, -EINVAL, "unknown vga");
	cfg.vga = NULL;
	cfg.vnclisten = "1.2.3.4,to=5";
	build_fails(&cfg, -EINVAL, "vnclisten");
	cfg.vnclisten = NULL;
	cfg.vncdisplay = 60000;
	build_fails(&cfg, -EINVAL, "out of range");
}

static void test_restrict_and_extra(void **state)
{
	const char *extra[] = { "-device", "pvpanic" };
	struct libxl__dm_config cfg = base_cfg();
	struct libxl__dm_runtime rt = base_rt;
	char err[256];
	int rc;
	char *s;

	(void)state;
	cfg.dm_restrict = true;
	cfg.extra_args = extra;
	cfg.nr_extra_args = 2;
	s = build_ok(&cfg);
	assert_has(s, " -sandbox "
		      "on,obsolete=deny,elevateprivileges=allow,spawn=deny,resourcecontrol=deny "
		      "-runas nobody ");
	/* device_model_args come last so that they can override. */
	assert_true(strlen(s) > 17);
	assert_string_equal(s + strlen(s) - 17, " -device pvpanic ");
	free(s);

	rt.runas = NULL;
	s = build(&cfg, &rt, &rc, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);
	free(s);

	cfg.dm_user = "qemu-dm";
	assert_string_equal(libxl__dm_runas_user(&cfg), "qemu-dm");
}

static void test_config_errors(void **state)
{
	struct libxl__dm_config cfg = base_cfg();
	char *s;

	(void)state;
	cfg.memory_mib = 0;
	build_fails(&cfg, -EINVAL, "memory");
	cfg = base_cfg();
	cfg.vcpus = 0;
	build_fails(&cfg, -EINVAL, "vcpus");
	cfg.vcpus = 4;
	cfg.max_vcpus = 2;
	build_fails(&cfg, -EINVAL, "vcpus");
	cfg = base_cfg();
	cfg.boot = "x";
	build_fails(&cfg, -EINVAL, "boot order");
	cfg.boot = "";
	build_fails(&cfg, -EINVAL, "boot order");
	cfg = base_cfg();
	cfg.name = "../../etc/x";
	build_fails(&cfg, -EINVAL, "invalid domain name");
	cfg.name = "a,b";
	s = build_ok(&cfg);
	assert_has(s, " -name a,,b ");
	free(s);
	cfg = base_cfg();
	cfg.ramdisk = "/r";
	build_fails(&cfg, -EINVAL, "without kernel");
	cfg = base_cfg();
	cfg.firmware = "rombios";
	build_fails(&cfg, -EOPNOTSUPP, "rombios");
	cfg.firmware = "/fw/bios.bin";
	s = build_ok(&cfg);
	assert_has(s, " -bios /fw/bios.bin ");
	free(s);
	cfg.firmware = "seabios";
	s = build_ok(&cfg);
	assert_lacks(s, "-bios");
	free(s);
}

static void test_validate(void **state)
{
	char dir[] = "/tmp/test-libxl-dm-XXXXXX", path[256], err[256];
	struct libxl__dm_disk d = { .vdev = "hda", .readwrite = true };
	struct libxl__dm_config cfg = base_cfg();
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int fd, rc;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/missing.img", dir);
	d.target = path;
	cfg.disks = &d;
	cfg.nr_disks = 1;
	/* The test must not depend on QEMU being installed. */
	cfg.dm_override = "/bin/true";
	rc = libxl__dm_validate(&cfg, err, sizeof(err));
	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(err, "disk hda"));
	assert_non_null(strstr(err, "missing.img"));

	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(libxl__dm_validate(&cfg, err, sizeof(err)), 0);

	cfg.dm_override = "/nonexistent/qemu";
	assert_int_equal(libxl__dm_validate(&cfg, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/qemu"));
	cfg.dm_override = "/bin/true";

	/* A busy VNC port: hold one above 5900 and ask for its display. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	cfg.vnc = true;
	cfg.vncdisplay = ntohs(sa.sin_port) - 5900;
	rc = libxl__dm_validate(&cfg, err, sizeof(err));
	assert_int_equal(rc, -EADDRINUSE);
	assert_non_null(strstr(err, "already in use"));
	close(fd);

	unlink(path);
	rmdir(dir);
}

static void test_reasons(void **state)
{
	(void)state;
	assert_int_equal(libxl__dm_shutdown_reason_from("guest-shutdown", 0),
			 LIBXL__DM_SHUTDOWN_POWEROFF);
	assert_int_equal(libxl__dm_shutdown_reason_from("guest-reset", 0),
			 LIBXL__DM_SHUTDOWN_REBOOT);
	assert_int_equal(libxl__dm_shutdown_reason_from("host-qmp-system-reset", 0),
			 LIBXL__DM_SHUTDOWN_REBOOT);
	assert_int_equal(libxl__dm_shutdown_reason_from("guest-panic", 0),
			 LIBXL__DM_SHUTDOWN_CRASH);
	assert_int_equal(libxl__dm_shutdown_reason_from("host-qmp-quit", 0),
			 LIBXL__DM_SHUTDOWN_DESTROY);
	/* Killed (SIGKILL = 9) without telling: a crash. */
	assert_int_equal(libxl__dm_shutdown_reason_from(NULL, 9), LIBXL__DM_SHUTDOWN_CRASH);
	assert_int_equal(libxl__dm_shutdown_reason_from("no-such", 0), LIBXL__DM_SHUTDOWN_CRASH);
	assert_string_equal(libxl__dm_shutdown_reason_name(LIBXL__DM_SHUTDOWN_POWEROFF),
			    "poweroff");
}

/* --- QMP --------------------------------------------------------------- */

static void test_qmp_parse(void **state)
{
	struct libxl__qmp_msg m;
	static const char *bad[] = {
		"[]",
		"{}",
		"42",
		"{\"return\":{},\"id\":\"x\"}",
		"{\"error\":{\"class\":1}}",
		"{\"event\":1}",
		"{\"event\":\"X\",\"data\":[]}",
		"{\"QMP\":1}",
		"{",
		"nul\0x",
	};
	char deep[300];
	size_t i;

	(void)state;
	const char *g = "{\"QMP\":{\"version\":{}}}";
	assert_int_equal(libxl__qmp_parse_message(g, strlen(g), &m), 0);
	assert_int_equal(m.kind, LIBXL__QMP_MSG_GREETING);
	libxl__qmp_msg_dispose(&m);

	assert_int_equal(libxl__qmp_parse_message("{\"return\":[1],\"id\":5}", 21, &m), 0);
	assert_int_equal(m.kind, LIBXL__QMP_MSG_RETURN);
	assert_true(m.has_id);
	assert_int_equal(m.id, 5);
	assert_true(YAJL_IS_ARRAY(m.ret));
	libxl__qmp_msg_dispose(&m);

	const char *e = "{\"error\":{\"class\":\"GenericError\",\"desc\":\"no\"},\"id\":2}";
	assert_int_equal(libxl__qmp_parse_message(e, strlen(e), &m), 0);
	assert_int_equal(m.kind, LIBXL__QMP_MSG_ERROR);
	assert_string_equal(m.err_desc, "no");
	libxl__qmp_msg_dispose(&m);

	const char *ev = "{\"timestamp\":{\"seconds\":1},\"event\":\"SHUTDOWN\",\"data\":{"
			 "\"guest\":true,\"reason\":\"guest-shutdown\"}}";
	assert_int_equal(libxl__qmp_parse_message(ev, strlen(ev), &m), 0);
	assert_int_equal(m.kind, LIBXL__QMP_MSG_EVENT);
	assert_string_equal(m.event, "SHUTDOWN");
	assert_string_equal(libxl__qmp_get_string(m.data, "reason"), "guest-shutdown");
	libxl__qmp_msg_dispose(&m);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (libxl__qmp_parse_message(bad[i], strlen(bad[i]) + (i == 9 ? 2 : 0), &m) !=
		    -EINVAL)
			fail_msg("accepted %s", bad[i]);

	/* Nesting deeper than any QMP reply is refused before parsing. */
	memset(deep, '[', sizeof(deep));
	deep[0] = '{';
	assert_int_equal(libxl__qmp_parse_message(deep, sizeof(deep), &m), -EINVAL);
}

static void test_qmp_json_string(void **state)
{
	char *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(libxl__qmp_json_string(&buf, &len, "a\"b\\c\n"), 0);
	assert_string_equal(buf, "\"a\\\"b\\\\c\\u000a\"");
	assert_int_equal(len, strlen(buf));
	free(buf);
}

struct events {
	int n;
	char last[64];
};

static void count_event(void *opaque, const char *event, yajl_val data)
{
	struct events *e = opaque;

	(void)data;
	e->n++;
	snprintf(e->last, sizeof(e->last), "%s", event);
}

static const struct libxl__qmp_ops count_ops = { .event = count_event };

static void send_str(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void test_qmp_execute(void **state)
{
	struct libxl__qmp q;
	struct libxl__qmp_msg m;
	struct events ev = { 0 };
	char cmd[256];
	int sv[2];
	ssize_t n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	libxl__qmp_init(&q, &count_ops, &ev);
	q.fd = sv[0];

	/* An event and a stale reply come before ours; all in one read. */
	send_str(sv[1], "{\"event\":\"POWERDOWN\"}\r\n"
			"{\"return\":{},\"id\":99}\r\n\r\n"
			"{\"return\":{\"status\":\"running\"},\"id\":1}\r\n");
	assert_int_equal(libxl__qmp_execute(&q, "query-status", NULL, &m, 1000), 0);
	assert_string_equal(libxl__qmp_get_string(m.ret, "status"), "running");
	libxl__qmp_msg_dispose(&m);
	assert_int_equal(ev.n, 1);
	assert_string_equal(ev.last, "POWERDOWN");
	n = read(sv[1], cmd, sizeof(cmd) - 1);
	assert_true(n > 0);
	cmd[n] = '\0';
	assert_string_equal(cmd, "{\"execute\":\"query-status\",\"id\":1}\n");

	/* An error reply, split over two writes. */
	send_str(sv[1], "{\"error\":{\"class\":\"GenericError\",");
	send_str(sv[1], "\"desc\":\"bad\"},\"id\":2}\n");
	assert_int_equal(libxl__qmp_execute(&q, "x", "{\"a\":1}", NULL, 1000), -EIO);
	assert_non_null(strstr(q.err, "bad"));
	n = read(sv[1], cmd, sizeof(cmd) - 1);
	cmd[n > 0 ? n : 0] = '\0';
	assert_string_equal(cmd, "{\"execute\":\"x\",\"arguments\":{\"a\":1},\"id\":2}\n");

	/* No answer: a timeout, not a hang. */
	assert_int_equal(libxl__qmp_execute(&q, "stop", NULL, NULL, 50), -ETIMEDOUT);

	/* Events as input, then garbage, then the end of the stream. */
	send_str(sv[1], "{\"event\":\"SHUTDOWN\",\"data\":{\"reason\":\"guest-reset\"}}\n");
	assert_int_equal(libxl__qmp_handle_input(&q, 1000), 0);
	assert_int_equal(ev.n, 2);
	assert_int_equal(libxl__qmp_handle_input(&q, 0), -ETIMEDOUT);
	send_str(sv[1], "not json\n");
	assert_int_equal(libxl__qmp_handle_input(&q, 1000), -EINVAL);
	close(sv[1]);
	assert_int_equal(libxl__qmp_handle_input(&q, 1000), -EPIPE);
	assert_int_equal(libxl__qmp_execute(&q, "cont", NULL, NULL, 100), -EPIPE);
	libxl__qmp_close(&q);
	libxl__qmp_close(&q);
}

static void test_attach_missing(void **state)
{
	char dir[] = "/tmp/test-libxl-dm-XXXXXX", path[128], err[256];
	struct libxl__dm dm;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/qmp-libxl-3", dir);
	libxl__dm_init(&dm);
	assert_int_equal(libxl__dm_attach(&dm, 3, path, NULL, NULL, 50, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no device model for domain 3"));
	assert_int_equal(dm.pid, -1);
	assert_int_equal(libxl__dm_pause(&dm), -ESRCH);
	assert_int_equal(libxl__dm_quit(&dm, 10), -ESRCH);
	libxl__dm_dispose(&dm);
	libxl__dm_dispose(&dm);
	rmdir(dir);
}

static void test_qmp_connect(void **state)
{
	char dir[] = "/tmp/test-libxl-qmp-XXXXXX", path[128];
	struct libxl__qmp q;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/none", dir);
	libxl__qmp_init(&q, NULL, NULL);
	assert_int_equal(libxl__qmp_connect(&q, path, 30, NULL, NULL), -ETIMEDOUT);
	assert_int_equal(q.fd, -1);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_accel),
		cmocka_unit_test(test_vdev_index),
		cmocka_unit_test(test_disks),
		cmocka_unit_test(test_disk_errors),
		cmocka_unit_test(test_nics),
		cmocka_unit_test(test_vnc),
		cmocka_unit_test(test_restrict_and_extra),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_qmp_parse),
		cmocka_unit_test(test_qmp_json_string),
		cmocka_unit_test(test_qmp_execute),
		cmocka_unit_test(test_qmp_connect),
		cmocka_unit_test(test_attach_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
