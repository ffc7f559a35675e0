/*
 * xenconsoled's command line: Xen's options and defaults, the log folder
 * taken from XEN_LOG_DIR, and clear errors for bad values.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "../../xenconsoled/options.h"
#include "../../xenconsoled/ratelimit.h"

struct run {
	struct consoled_options opts;
	int rc;
	char out[1024];
	char err[1024];
};

/* Parses a NULL-terminated argument list, capturing stdout and stderr. */
static void parse(struct run *r, const char *first, ...)
{
	char *argv[32];
	int argc = 0;
	const char *arg;
	FILE *out = fmemopen(r->out, sizeof(r->out) - 1, "w");
	FILE *err = fmemopen(r->err, sizeof(r->err) - 1, "w");
	va_list ap;

	memset(r->out, 0, sizeof(r->out));
	memset(r->err, 0, sizeof(r->err));
	argv[argc++] = (char *)"xenconsoled";
	va_start(ap, first);
	for (arg = first; arg; arg = va_arg(ap, const char *))
		argv[argc++] = (char *)arg;
	va_end(ap);
	argv[argc] = NULL;
	r->rc = consoled_options_parse(&r->opts, argc, argv, "/var/log/xen", out, err);
	fclose(out);
	fclose(err);
}

static void test_defaults(void **state)
{
	struct run r;

	(void)state;
	parse(&r, NULL);
	assert_int_equal(r.rc, CONSOLED_PARSE_RUN);
	assert_int_equal(r.opts.log_mask, 0);
	assert_int_equal(r.opts.timestamp_mask, 0);
	assert_true(r.opts.discard_overflow);
	assert_false(r.opts.interactive);
	assert_string_equal(r.opts.log_dir, "/var/log/xen/console");
	assert_string_equal(r.opts.pid_file, "");
	assert_int_equal(r.opts.rate, CONSOLE_RATE_DEFAULT);
	assert_int_equal(r.opts.burst, CONSOLE_BURST_DEFAULT);
}

static void test_xencommons_line(void **state)
{
	struct run r;

	(void)state;
	parse(&r, "-i", "--pid-file=/run/xen/xenconsoled.pid", "--log=all", "--log-dir=/l", "-t",
	      "guest", "-o", "keep", "-v", "--replace-escape", NULL);
	assert_int_equal(r.rc, CONSOLED_PARSE_RUN);
	assert_true(r.opts.interactive);
	assert_true(r.opts.verbose);
	assert_true(r.opts.replace_escape);
	assert_string_equal(r.opts.pid_file, "/run/xen/xenconsoled.pid");
	assert_int_equal(r.opts.log_mask, CONSOLED_LOG_GUEST | CONSOLED_LOG_HV);
	assert_int_equal(r.opts.timestamp_mask, CONSOLED_LOG_GUEST);
	assert_false(r.opts.discard_overflow);
	assert_string_equal(r.opts.log_dir, "/l");

	parse(&r, "--log=hv", "--timestamp=all", "--overflow-data=discard", NULL);
	assert_int_equal(r.rc, CONSOLED_PARSE_RUN);
	assert_int_equal(r.opts.log_mask, CONSOLED_LOG_HV);
	assert_int_equal(r.opts.timestamp_mask, CONSOLED_LOG_GUEST | CONSOLED_LOG_HV);
	assert_true(r.opts.discard_overflow);
	parse(&r, "--log=none", NULL);
	assert_int_equal(r.opts.log_mask, 0);
}

static void test_help_version(void **state)
{
	struct run r;

	(void)state;
	parse(&r, "-h", NULL);
	assert_int_equal(r.rc, CONSOLED_PARSE_EXIT);
	assert_non_null(
		strstr(r.out, "Usage: xenconsoled [-h] [-V] [-v] [-i] [--log=none|guest|hv|all]"));
	parse(&r, "--version", NULL);
	assert_int_equal(r.rc, CONSOLED_PARSE_EXIT);
	assert_non_null(strstr(r.out, "Xen Console Daemon 3.0"));
}

static void test_rate_limit(void **state)
{
	struct run r;

	(void)state;
	parse(&r, "--rate-limit=0", NULL);
	assert_int_equal(r.rc, CONSOLED_PARSE_RUN);
	assert_int_equal(r.opts.rate, 0);
	parse(&r, "--rate-limit=1000,500", NULL);
	assert_int_equal(r.opts.rate, 1000);
	assert_int_equal(r.opts.burst, 500);
	parse(&r, "--rate-limit=1000", NULL);
	assert_int_equal(r.opts.burst, 1000);
}

static void test_errors(void **state)
{
	static const char *bad[][2] = {
		{ "--log=everything", "invalid --log value 'everything'" },
		{ "--timestamp=yes", "invalid --timestamp value 'yes'" },
		{ "-oforever", "invalid --overflow-data value 'forever'" },
		{ "--rate-limit=fast", "invalid --rate-limit 'fast'" },
		{ "--rate-limit=10,0", "invalid --rate-limit" },
		{ "--rate-limit=-1", "invalid --rate-limit" },
		{ "--log-dir=", "invalid --log-dir" },
		{ "--bogus", "invalid option --bogus" },
		{ "-x", "invalid option -x" },
		{ "extra", "unexpected argument 'extra'" },
	};
	struct run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse(&r, bad[i][0], NULL);
		assert_int_equal(r.rc, -EINVAL);
		if (!strstr(r.err, bad[i][1]))
			fail_msg("%s: stderr was '%s'", bad[i][0], r.err);
	}
	parse(&r, "-t", NULL); /* missing argument */
	assert_int_equal(r.rc, -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),     cmocka_unit_test(test_xencommons_line),
		cmocka_unit_test(test_help_version), cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
