/*
 * Unit tests of libxl's config model and its JSON (libxl/types.c,
 * libxl/json.c): defaults are left out, aggregates always printed, keyed
 * unions named "<key>.<case>", and JSON -> model -> JSON is the identity
 * on what Xen's xl printed (the oracles in tests/data/xl-dryrun).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libxl.h"

static const char *const oracles[] = {
	"pvh-min.json",	      "pv-rich.json",		"hvm-rich.json",	   "err-disk.json",
	"xlexample.hvm.json", "xlexample.pvlinux.json", "xlexample.pvhlinux.json",
};

static char *slurp(const char *name)
{
	const char *src = getenv("KXEN_SRCDIR");
	char path[4096], *buf;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/data/xl-dryrun/%s", src ? src : ".", name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static void test_roundtrip_oracles(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(oracles) / sizeof(oracles[0]); i++) {
		char *json = slurp(oracles[i]), *again;
		libxl_domain_config d;

		if (!json)
			skip(); /* run through tests/run, which sets KXEN_SRCDIR */
		libxl_domain_config_init(&d);
		assert_int_equal(libxl_domain_config_from_json(&d, json), 0);
		again = libxl_domain_config_to_json(&d);
		assert_non_null(again);
		assert_string_equal(again, json);
		free(again);
		/* dispose leaves it initialised: disposing twice is fine */
		libxl_domain_config_dispose(&d);
		libxl_domain_config_dispose(&d);
		free(json);
	}
}

static void test_defaults_and_shape(void **state)
{
	libxl_domain_config d;
	char *json;

	(void)state;
	libxl_domain_config_init(&d);
	d.c_info.type = LIBXL_DOMAIN_TYPE_PV;
	libxl_domain_build_info_init_type(&d.b_info, LIBXL_DOMAIN_TYPE_PV);
	json = libxl_domain_config_to_json(&d);
	assert_string_equal(json, "{\n"
				  "    \"c_info\": {\n"
				  "        \"type\": \"pv\"\n"
				  "    },\n"
				  "    \"b_info\": {\n"
				  "        \"sched_params\": {\n\n        },\n"
				  "        \"type.pv\": {\n\n        },\n"
				  "        \"arch_arm\": {\n\n        },\n"
				  "        \"arch_x86\": {\n\n        }\n"
				  "    }\n"
				  "}\n");
	free(json);
	libxl_domain_config_dispose(&d);
}

static void test_bad_json(void **state)
{
	static const char *const bad[] = {
		"",
		"[",
		"{\"c_info\": 5}",
		"{\"c_info\": {\"type\": \"vax\"}}",
		"{\"c_info\": {\"uuid\": \"xyz\"}}",
		"{\"b_info\": {\"avail_vcpus\": [\"a\"]}}",
		"{\"b_info\": {\"type.nope\": {}}}",
		"{\"disks\": {}}",
		"{\"nics\": [{\"mac\": \"00:11\"}]}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		libxl_domain_config d;

		libxl_domain_config_init(&d);
		assert_true(libxl_domain_config_from_json(&d, bad[i]) < 0);
		libxl_domain_config_dispose(&d);
	}
}

static void test_helpers(void **state)
{
	libxl_uuid u;
	libxl_bitmap b;
	char s[37];

	(void)state;
	assert_int_equal(libxl_uuid_from_string(&u, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"), 0);
	libxl_uuid_to_string(&u, s);
	assert_string_equal(s, "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee");
	assert_true(libxl_uuid_from_string(&u, "aaaaaaaa-bbbb-cccc-dddd") < 0);
	assert_true(libxl_uuid_from_string(&u, "aaaaaaaaXbbbb-cccc-dddd-eeeeeeeeeeee") < 0);
	libxl_bitmap_init(&b);
	assert_int_equal(libxl_bitmap_alloc(&b, 10), 0);
	libxl_bitmap_set(&b, 9);
	libxl_bitmap_set(&b, 16); /* beyond the allocation: ignored */
	assert_true(libxl_bitmap_test(&b, 9));
	assert_false(libxl_bitmap_test(&b, 16));
	libxl_bitmap_dispose(&b);
	assert_string_equal(
		libxl_action_on_shutdown_to_string(LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART),
		"coredump_restart");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_oracles),
		cmocka_unit_test(test_defaults_and_shape),
		cmocka_unit_test(test_bad_json),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
