/*
 * Unit tests of libxl's HVM config mapping (libxl/create_hvm.c,
 * libxl__hvm_dm_config_fill): a libxl_domain_config, as xl stores it in
 * JSON, becomes the device model's config: memory and its limits, vCPUs,
 * direct boot, firmware, disks (formats, empty cdrom), NICs (PV-only ones
 * left out, MACs), serial pty, ACPI and VNC defaults as Xen has them, extra
 * arguments with QEMU started stopped.  Pure: nothing is spawned or opened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "create_hvm.h"
#include "libxl.h"

struct fixture {
	libxl_ctx *ctx;
	FILE *log;
	libxl_domain_config d;
	struct libxl__hvm_dm_config h;
};

static const char rich[] =
	"{\n"
	" \"c_info\": { \"type\": \"hvm\", \"name\": \"hvm-rich\" },\n"
	" \"b_info\": {\n"
	"  \"max_vcpus\": 4, \"avail_vcpus\": [ 0, 2 ],\n"
	"  \"max_memkb\": 524288, \"target_memkb\": 524288,\n"
	"  \"kernel\": \"/k\", \"ramdisk\": \"/r\", \"cmdline\": \"c\",\n"
	"  \"acpi\": \"False\",\n"
	"  \"device_model\": \"/opt/qemu\",\n"
	"  \"extra_hvm\": [ \"-no-hpet\" ],\n"
	"  \"type.hvm\": {\n"
	"   \"bios\": \"ovmf\", \"hdtype\": \"ahci\", \"boot\": \"dc\",\n"
	"   \"vga\": { \"kind\": \"std\" },\n"
	"   \"vnc\": { \"enable\": \"True\", \"listen\": \"0.0.0.0\",\n"
	"            \"display\": 3, \"findunused\": \"False\" },\n"
	"   \"serial_list\": [ \"pty\" ]\n"
	"  }\n"
	" },\n"
	" \"disks\": [\n"
	"  { \"pdev_path\": \"/d.qcow2\", \"vdev\": \"hda\", \"format\": "
	"\"qcow2\", \"readwrite\": 1 },\n"
	"  { \"vdev\": \"hdc\", \"format\": \"empty\", \"is_cdrom\": 1 }\n"
	" ],\n"
	" \"nics\": [\n"
	"  { \"devid\": 0, \"nictype\": \"vif\" },\n"
	"  { \"devid\": 1, \"model\": \"e1000\", \"mac\": \"00:16:3e:0a:0b:0c\" },\n"
	"  { \"devid\": 2 }\n"
	" ]\n"
	"}\n";

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	/* Errors are expected in some cases: keep them out of the output. */
	f->log = fopen("/dev/null", "w");
	assert_non_null(f->log);
	assert_int_equal(libxl_ctx_alloc(&f->ctx, f->log), 0);
	libxl_domain_config_init(&f->d);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	libxl__hvm_dm_config_dispose(&f->h);
	libxl__hvm_dm_config_dispose(&f->h); /* safe twice */
	libxl_domain_config_dispose(&f->d);
	libxl_ctx_free(f->ctx);
	fclose(f->log);
	free(f);
	return 0;
}

static int fill_json(struct fixture *f, const char *json)
{
	assert_int_equal(libxl_domain_config_from_json(&f->d, json), 0);
	return libxl__hvm_dm_config_fill(f->ctx, 7, &f->d, &f->h);
}

static void test_rich(void **state)
{
	struct fixture *f = *state;
	const struct libxl__dm_config *c = &f->h.cfg;

	assert_int_equal(fill_json(f, rich), 0);
	assert_int_equal(c->domid, 7);
	assert_string_equal(c->name, "hvm-rich");
	assert_int_equal(c->memory_mib, 512);
	assert_int_equal(c->max_vcpus, 4);
	assert_int_equal(c->vcpus, 2);
	assert_string_equal(c->kernel, "/k");
	assert_string_equal(c->ramdisk, "/r");
	assert_string_equal(c->cmdline, "c");
	assert_string_equal(c->boot, "dc");
	assert_string_equal(c->firmware, "ovmf");
	assert_int_equal(c->hdtype, LIBXL__DM_HDTYPE_AHCI);
	assert_false(c->acpi);

	assert_int_equal(c->nr_disks, 2);
	assert_string_equal(c->disks[0].target, "/d.qcow2");
	assert_string_equal(c->disks[0].vdev, "hda");
	assert_string_equal(c->disks[0].format, "qcow2");
	assert_true(c->disks[0].readwrite);
	assert_false(c->disks[0].is_cdrom);
	assert_null(c->disks[1].target);
	assert_true(c->disks[1].is_cdrom);

	/* The type=vif NIC is PV only: QEMU gets the other two. */
	assert_int_equal(c->nr_nics, 2);
	assert_string_equal(c->nics[0].model, "e1000");
	assert_string_equal(c->nics[0].mac, "00:16:3e:0a:0b:0c");
	assert_null(c->nics[1].model);
	assert_null(c->nics[1].mac);

	assert_true(c->serial_pty);
	assert_string_equal(c->vga, "stdvga");
	assert_true(c->vnc);
	assert_string_equal(c->vnclisten, "0.0.0.0");
	assert_int_equal(c->vncdisplay, 3);

	assert_int_equal(c->nr_extra_args, 2);
	assert_string_equal(c->extra_args[0], "-no-hpet");
	assert_string_equal(c->extra_args[1], "-S");
	assert_string_equal(c->dm_override, "/opt/qemu");
	assert_int_equal(c->ram_fd, -1);
	assert_int_equal(c->accel, LIBXL__DM_ACCEL_AUTO);
}

/* What Xen does with a bare config: ACPI and VNC on, first free display. */
static void test_defaults(void **state)
{
	struct fixture *f = *state;
	const struct libxl__dm_config *c = &f->h.cfg;

	assert_int_equal(fill_json(f,
				   "{ \"c_info\": { \"type\": \"hvm\", \"name\": \"m\" },"
				   " \"b_info\": { \"target_memkb\": 65536, \"max_memkb\": 65536,"
				   " \"type.hvm\": { \"serial\": \"pty\" } } }"),
			 0);
	assert_int_equal(c->memory_mib, 64);
	assert_int_equal(c->vcpus, 1);
	assert_int_equal(c->max_vcpus, 1);
	assert_true(c->acpi);
	assert_true(c->vnc);
	assert_int_equal(c->vncdisplay, -1);
	assert_true(c->serial_pty);
	assert_null(c->firmware);
	assert_int_equal(c->hdtype, LIBXL__DM_HDTYPE_IDE);
	assert_int_equal(c->nr_disks, 0);
	assert_int_equal(c->nr_nics, 0);
	assert_int_equal(c->nr_extra_args, 1);
	assert_string_equal(c->extra_args[0], "-S");
}

static void test_refused(void **state)
{
	struct fixture *f = *state;

	/* QEMU's pc machine would put RAM above 4 GiB: not laid out yet. */
	assert_int_equal(fill_json(f, "{ \"c_info\": { \"type\": \"hvm\", \"name\": \"big\" },"
				      " \"b_info\": { \"target_memkb\": 3670016,"
				      " \"max_memkb\": 3670016 } }"),
			 ERROR_INVAL);
	libxl_domain_config_dispose(&f->d);
	libxl_domain_config_init(&f->d);
	/* QEMU takes RAM in whole MiB. */
	assert_int_equal(fill_json(f, "{ \"c_info\": { \"type\": \"hvm\", \"name\": \"odd\" },"
				      " \"b_info\": { \"target_memkb\": 3669000,"
				      " \"max_memkb\": 3669000 } }"),
			 ERROR_INVAL);
	libxl_domain_config_dispose(&f->d);
	libxl_domain_config_init(&f->d);
	/* Just below the limit is fine. */
	assert_int_equal(fill_json(f, "{ \"c_info\": { \"type\": \"hvm\", \"name\": \"ok\" },"
				      " \"b_info\": { \"target_memkb\": 3668992,"
				      " \"max_memkb\": 3668992 } }"),
			 0);
	assert_int_equal(f->h.cfg.memory_mib, 3583);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rich, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
