/*
 * xenconsoled's log files: names as Xen's (guest-<name>.log, hypervisor.log),
 * unsafe names refused, the "Logfile Opened" first line and per-line
 * timestamps in Xen's format, \r after \n dropped in timestamp mode, raw
 * bytes kept otherwise, and reopen (SIGHUP) after rotation.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../xenconsoled/log.h"

/* 2026-11-25 10:00:00 UTC */
#define T0 ((time_t)1795600800)

struct fixture {
	char dir[200];
	char path[256];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/test-xenconsoled-log.XXXXXX",
		 tmp && tmp[0] ? tmp : P_tmpdir);
	if (!mkdtemp(f->dir))
		return -1;
	setenv("TZ", "UTC", 1);
	tzset();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *file = fopen(path, "rb");
	char *data = calloc(1, 65536);
	size_t n;

	assert_non_null(file);
	assert_non_null(data);
	n = fread(data, 1, 65535, file);
	fclose(file);
	if (len)
		*len = n;
	return data;
}

static void test_paths(void **state)
{
	char path[64];

	(void)state;
	assert_int_equal(console_log_guest_path(path, sizeof(path), "/var/log/xen/console", "web"),
			 0);
	assert_string_equal(path, "/var/log/xen/console/guest-web.log");
	assert_int_equal(console_log_hv_path(path, sizeof(path), "/d"), 0);
	assert_string_equal(path, "/d/hypervisor.log");
	assert_int_equal(console_log_guest_path(path, sizeof(path), "/d", ""), -EINVAL);
	assert_int_equal(console_log_guest_path(path, sizeof(path), "/d", "../../etc/x"), -EINVAL);
	assert_int_equal(console_log_guest_path(path, sizeof(path), "/d", "a/b"), -EINVAL);
	assert_int_equal(console_log_guest_path(path, sizeof(path), "/d", ".."), -EINVAL);
	/* ".." inside a name is just a name: it cannot leave the folder. */
	assert_int_equal(console_log_guest_path(path, sizeof(path), "/d", "a..b"), 0);
	assert_int_equal(console_log_guest_path(path, 10, "/d", "long-name"), -ENAMETOOLONG);
}

static void test_raw(void **state)
{
	struct fixture *f = *state;
	struct console_log log;
	char *data;
	size_t len;

	console_log_init(&log);
	snprintf(f->path, sizeof(f->path), "%s/guest-raw.log", f->dir);
	assert_int_equal(console_log_open(&log, f->path, false, false, T0), 0);
	assert_int_equal(console_log_write(&log, "a\r\nb\0c\033[0m", 11, T0), 0);
	console_log_dispose(&log);
	data = slurp(f->path, &len);
	/* Without timestamps: no first line, bytes as the guest wrote them. */
	assert_int_equal(len, 11);
	assert_memory_equal(data, "a\r\nb\0c\033[0m", 11);
	free(data);
}

static void test_timestamps(void **state)
{
	struct fixture *f = *state;
	struct console_log log;
	char *data;

	console_log_init(&log);
	snprintf(f->path, sizeof(f->path), "%s/hypervisor.log", f->dir);
	assert_int_equal(console_log_open(&log, f->path, true, false, T0), 0);
	assert_int_equal(console_log_write(&log, "one\n\r\rtwo", 9, T0 + 1), 0);
	/* A line continued in the next write gets no second stamp. */
	assert_int_equal(console_log_write(&log, " more\nthree\n", 12, T0 + 2), 0);
	console_log_dispose(&log);
	data = slurp(f->path, NULL);
	assert_string_equal(data, "[2026-11-25 10:00:00] Logfile Opened\n"
				  "[2026-11-25 10:00:01] one\n"
				  "[2026-11-25 10:00:01] two more\n"
				  "[2026-11-25 10:00:02] three\n");
	free(data);
}

static void test_long_write_and_escape(void **state)
{
	struct fixture *f = *state;
	struct console_log log;
	char *in = malloc(30000), *data;
	size_t i, len;

	assert_non_null(in);
	for (i = 0; i < 30000; i++)
		in[i] = (i % 100 == 99) ? '\n' : (i % 7 == 0 ? '\033' : 'x');
	console_log_init(&log);
	snprintf(f->path, sizeof(f->path), "%s/guest-esc.log", f->dir);
	assert_int_equal(console_log_open(&log, f->path, false, true, T0), 0);
	assert_int_equal(console_log_write(&log, in, 30000, T0), 0);
	console_log_dispose(&log);
	data = slurp(f->path, &len);
	assert_int_equal(len, 30000);
	for (i = 0; i < 30000; i++)
		assert_int_equal(data[i], in[i] == '\033' ? '.' : in[i]);
	free(data);
	free(in);
}

static void test_reopen_after_rotation(void **state)
{
	struct fixture *f = *state;
	struct console_log log;
	char rotated[300], *data;

	console_log_init(&log);
	snprintf(f->path, sizeof(f->path), "%s/guest-rot.log", f->dir);
	snprintf(rotated, sizeof(rotated), "%s.1", f->path);
	assert_int_equal(console_log_open(&log, f->path, true, false, T0), 0);
	assert_int_equal(console_log_write(&log, "before\n", 7, T0), 0);
	assert_int_equal(rename(f->path, rotated), 0);
	assert_int_equal(console_log_reopen(&log, T0 + 5), 0);
	assert_int_equal(console_log_write(&log, "after\n", 6, T0 + 5), 0);
	console_log_dispose(&log);

	data = slurp(rotated, NULL);
	assert_string_equal(data, "[2026-11-25 10:00:00] Logfile Opened\n"
				  "[2026-11-25 10:00:00] before\n");
	free(data);
	data = slurp(f->path, NULL);
	assert_string_equal(data, "[2026-11-25 10:00:05] Logfile Opened\n"
				  "[2026-11-25 10:00:05] after\n");
	free(data);
}

static void test_make_dir_and_errors(void **state)
{
	struct fixture *f = *state;
	struct console_log log;
	char dir[400];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/a/b/console", f->dir);
	assert_int_equal(console_log_make_dir(dir), 0);
	assert_int_equal(console_log_make_dir(dir), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	console_log_init(&log);
	snprintf(dir, sizeof(dir), "%s/missing/guest-x.log", f->dir);
	assert_int_equal(console_log_open(&log, dir, false, false, T0), -ENOENT);
	/* A closed log takes writes silently. */
	assert_int_equal(console_log_write(&log, "x", 1, T0), 0);
	console_log_dispose(&log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test_setup_teardown(test_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timestamps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_write_and_escape, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_after_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_make_dir_and_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
