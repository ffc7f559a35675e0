/*
 * Unit tests of the disk spec grammar (xl/disk_spec.c) and the vif rate
 * (xl/vif_spec.c): every syntax of xl-disk-configuration(5), Xen's
 * results for the oracle specs, and each error message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libxlutil.h"

struct disk_case {
	const char *spec;
	const char *pdev_path; /* NULL: no target */
	const char *vdev;
	libxl_disk_format format;
	libxl_disk_backend backend;
	int readwrite, is_cdrom, removable;
	const char *script;
};

static const struct disk_case good[] = {
	{ "format=raw, vdev=xvda, access=rw, target=/srv/xen/pvh.img", "/srv/xen/pvh.img", "xvda",
	  LIBXL_DISK_FORMAT_RAW, 0, 1, 0, 0, NULL },
	{ "file:/srv/xen/pv-rich-data.img,xvdb,w", "/srv/xen/pv-rich-data.img", "xvdb",
	  LIBXL_DISK_FORMAT_RAW, 0, 1, 0, 0, NULL },
	{ "phy:/dev/sr0,xvdc:cdrom,r", "/dev/sr0", "xvdc", LIBXL_DISK_FORMAT_RAW, 0, 0, 1, 1,
	  NULL },
	{ "format=qcow2, vdev=xvdd, access=ro, backendtype=qdisk, "
	  "target=/srv/xen/base.qcow2",
	  "/srv/xen/base.qcow2", "xvdd", LIBXL_DISK_FORMAT_QCOW2, LIBXL_DISK_BACKEND_QDISK, 0, 0, 0,
	  NULL },
	{ "/srv/xen/hvm-rich.qcow2,qcow2,hda,w", "/srv/xen/hvm-rich.qcow2", "hda",
	  LIBXL_DISK_FORMAT_QCOW2, 0, 1, 0, 0, NULL },
	{ "/srv/iso/debian.iso,raw,hdc,cdrom,r", "/srv/iso/debian.iso", "hdc",
	  LIBXL_DISK_FORMAT_RAW, 0, 0, 1, 1, NULL },
	/* Xen accepts this one: an empty vdev */
	{ "nonsense,,,", "nonsense", "", LIBXL_DISK_FORMAT_RAW, 0, 1, 0, 0, NULL },
	{ "/dev/vg/g,,xvda", "/dev/vg/g", "xvda", LIBXL_DISK_FORMAT_RAW, 0, 1, 0, 0, NULL },
	{ ",hdc:cdrom,r", "", "hdc", LIBXL_DISK_FORMAT_EMPTY, 0, 0, 1, 1, NULL },
	{ "format=raw,vdev=hdc,access=ro,devtype=cdrom,target=/x.iso", "/x.iso", "hdc",
	  LIBXL_DISK_FORMAT_RAW, 0, 0, 1, 1, NULL },
	{ "vhd:/images/a.vhd,xvde,w", "/images/a.vhd", "xvde", LIBXL_DISK_FORMAT_VHD, 0, 1, 0, 0,
	  NULL },
	{ "iscsi:iqn.2001-05.com.example:disk,xvdf,w", "iqn.2001-05.com.example:disk", "xvdf",
	  LIBXL_DISK_FORMAT_RAW, 0, 1, 0, 0, "block-iscsi" },
	{ "vdev=xvdg, script=drbd, target=r0", "r0", "xvdg", LIBXL_DISK_FORMAT_RAW, 0, 1, 0, 0,
	  "drbd" },
	{ "  /lead/space,,xvdh", "/lead/space", "xvdh", LIBXL_DISK_FORMAT_RAW, 0, 1, 0, 0, NULL },
};

static char *report;
static size_t report_len;

static int parse_disk(const char *spec, libxl_device_disk *disk, FILE **fp)
{
	XLU_Config *cfg;
	int rc;

	*fp = open_memstream(&report, &report_len);
	cfg = xlu_cfg_init(*fp, "d.cfg");
	libxl_device_disk_init(disk);
	rc = xlu_disk_parse(cfg, 1, &spec, disk);
	xlu_cfg_destroy(cfg);
	fflush(*fp);
	return rc;
}

static void test_good_specs(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		const struct disk_case *c = &good[i];
		libxl_device_disk disk;
		FILE *f;

		assert_int_equal(parse_disk(c->spec, &disk, &f), 0);
		assert_string_equal(report, "");
		if (c->pdev_path)
			assert_string_equal(disk.pdev_path, c->pdev_path);
		assert_string_equal(disk.vdev, c->vdev);
		assert_int_equal(disk.format, c->format);
		assert_int_equal(disk.backend, c->backend);
		assert_int_equal(disk.readwrite, c->readwrite);
		assert_int_equal(disk.is_cdrom, c->is_cdrom);
		assert_int_equal(disk.removable, c->removable);
		if (c->script)
			assert_string_equal(disk.script, c->script);
		else
			assert_null(disk.script);
		libxl_device_disk_dispose(&disk);
		fclose(f);
		free(report);
	}
}

static void expect_error(const char *spec, const char *message)
{
	libxl_device_disk disk;
	FILE *f;

	assert_int_equal(parse_disk(spec, &disk, &f), EINVAL);
	assert_string_equal(report, message);
	libxl_device_disk_dispose(&disk);
	fclose(f);
	free(report);
}

static void test_errors(void **state)
{
	(void)state;
	/* the oracle: target= swallows the rest of the spec */
	expect_error("target=/srv/xen/pvh.img, format=raw, vdev=xvda, access=rw",
		     "d.cfg: config parsing error in disk specification: no "
		     "vdev specified in `target=/srv/xen/pvh.img, format=raw, "
		     "vdev=xvda, access=rw'\n");
	expect_error("/a,raw,xvda,rw,extra",
		     "d.cfg: config parsing error in disk specification: too "
		     "many positional parameters: near `extra' in "
		     "`/a,raw,xvda,rw,extra'\n");
	expect_error("/a,bogus,xvda", "d.cfg: config parsing error in disk specification: "
				      "unknown value for format: near `bogus' in "
				      "`/a,bogus,xvda'\n");
	expect_error("foo=bar,/a,xvda", "d.cfg: config parsing error in disk specification: "
					"unknown parameter: near `foo=b' in `foo=bar,/a,xvda'\n");
	expect_error("weird:/x,xvda", "d.cfg: config parsing error in disk specification: "
				      "unknown deprecated disk prefix: near `weird:' in "
				      "`weird:/x,xvda'\n");
	expect_error("/a,raw,xvda,access=sometimes",
		     "d.cfg: config parsing error in disk specification: "
		     "unknown value for access: near `sometimes' in "
		     "`/a,raw,xvda,access=sometimes'\n");
	expect_error("=x", "d.cfg: config parsing error in disk specification: bad "
			   "disk syntax: near `=x' in `=x'\n");
	expect_error("vdev=xvda,vdev=xvdb,target=/a",
		     "d.cfg: config parsing error in disk specification: vdev "
		     "respecified: near `xvdb' in `vdev=xvda,vdev=xvdb,"
		     "target=/a'\n");
	expect_error("format=raw,format=qcow2,vdev=xvda,target=/a",
		     "d.cfg: config parsing error in disk specification: format "
		     "respecified: near `qcow2' in `format=raw,format=qcow2,"
		     "vdev=xvda,target=/a'\n");
	expect_error("devtype=floppy,vdev=xvda,target=/a",
		     "d.cfg: config parsing error in disk specification: "
		     "unknown value for type: near `devtype=floppy,' in "
		     "`devtype=floppy,vdev=xvda,target=/a'\n");
	expect_error("vdev=xvda", "d.cfg: config parsing error in disk specification: no "
				  "target specified (and device not removable) in "
				  "`vdev=xvda'\n");
}

static void test_vif_rate(void **state)
{
	static const struct {
		const char *rate;
		int rc;
		uint64_t bytes;
		uint32_t usecs;
	} cases[] = {
		{ "10Mb/s", 0, 62500, 50000 },
		{ "10MB/s@20ms", 0, 200000, 20000 },
		{ "1Gb/s@1s", 0, 125000000, 1000000 },
		{ "100KB/s@500us", 0, 50, 500 },
		{ "", EINVAL, 0, 0 },
		{ "fast", EINVAL, 0, 0 },
		{ "10Mb/s@forever", EINVAL, 0, 0 },
		{ "0Mb/s", EOVERFLOW, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		libxl_device_nic nic;
		XLU_Config *cfg;
		FILE *f = open_memstream(&report, &report_len);

		cfg = xlu_cfg_init(f, "v.cfg");
		libxl_device_nic_init(&nic);
		assert_int_equal(xlu_vif_parse_rate(cfg, cases[i].rate, &nic), cases[i].rc);
		if (!cases[i].rc) {
			assert_int_equal(nic.rate_bytes_per_interval, cases[i].bytes);
			assert_int_equal(nic.rate_interval_usecs, cases[i].usecs);
		}
		libxl_device_nic_dispose(&nic);
		xlu_cfg_destroy(cfg);
		fclose(f);
		free(report);
	}
	{
		libxl_device_nic nic;
		FILE *f = open_memstream(&report, &report_len);
		XLU_Config *cfg = xlu_cfg_init(f, "v.cfg");

		libxl_device_nic_init(&nic);
		xlu_vif_parse_rate(cfg, "fast", &nic);
		fflush(f);
		assert_string_equal(report, "v.cfg: config parsing error in vif: "
					    "invalid rate in `fast'\n");
		xlu_cfg_destroy(cfg);
		fclose(f);
		free(report);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_specs),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_vif_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
