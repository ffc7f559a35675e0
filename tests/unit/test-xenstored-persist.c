/*
 * Unit tests of xenstored's crash survival (persist.c): changes journaled
 * by one daemon context are all there when a second context opens the same
 * folder, as after a crash; a clean close leaves nothing behind; damaged
 * files are refused without harm.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xenstored-harness.h"

static char dir[256];

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/test-xenstored-persist.XXXXXX", tmp ? tmp : P_tmpdir);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/xenstored.journal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/xenstored.state", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

static void dump(struct xsd *xsd, const char *path, FILE *out)
{
	struct xs_view v = { &xsd->store, NULL };
	const struct xs_node *n = xs_view_get(&v, path);
	char child[512];
	uint32_t off = 0, i;

	assert_non_null(n);
	fprintf(out, "%s=%.*s", path, (int)n->value_len, xs_node_value(n));
	for (i = 0; i < n->nperms; i++)
		fprintf(out, " %u:%u", xs_node_perms(n)[i].id, xs_node_perms(n)[i].perms);
	fputc('\n', out);
	while (off < n->children_len) {
		const char *name = n->children + off;

		off += strlen(name) + 1;
		snprintf(child, sizeof(child), "%s/%s", strcmp(path, "/") ? path : "", name);
		dump(xsd, child, out);
	}
}

static char *tree_text(struct xsd *xsd)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	dump(xsd, "/", f);
	fclose(f);
	return text;
}

static void test_crash_and_recover(void **state)
{
	struct xsd a, b;
	struct fake *f;
	struct fake_msg *m;
	char *before, *after;
	uint32_t tx;

	(void)state;
	assert_int_equal(xsd_init(&a), 0);
	assert_int_equal(xsd_persist_open(&a, dir, true), 0);
	f = fake_new(&a, 0);
	fake_write(f, 0, "/a/b", "1");
	expect_ok(f);
	fake_write(f, 0, "/gone/x", "1");
	expect_ok(f);
	fake_req(f, XS_RM, 0, 1, "/gone");
	expect_ok(f);
	fake_req(f, XS_SET_PERMS, 0, 3, "/a/b", "n0", "r4");
	expect_ok(f);
	fake_req(f, XS_TRANSACTION_START, 0, 1, "");
	m = fake_reply(f);
	tx = strtoul(m->body, NULL, 10);
	fake_write(f, tx, "/t/zz", "2");
	expect_ok(f);
	fake_write(f, tx, "/t/aa", "3");
	expect_ok(f);
	fake_req(f, XS_TRANSACTION_END, tx, 1, "T");
	expect_ok(f);
	before = tree_text(&a);
	fake_free(f);
	/* "Crash": the context goes away without a clean close. */
	xsd_dispose(&a);

	assert_int_equal(xsd_init(&b), 0);
	assert_int_equal(xsd_persist_open(&b, dir, true), 0);
	after = tree_text(&b);
	assert_string_equal(before, after);
	/* Accounting was rebuilt: dom0 owns every node. */
	assert_int_equal(xsd_domain_find(&b, 0)->nr_nodes, b.store.nodes.count);
	xsd_persist_close(&b, true);
	xsd_dispose(&b);
	free(before);
	free(after);
}

static void test_clean_close_forgets(void **state)
{
	struct xsd a;
	struct fake *f;
	DIR *d;
	struct dirent *e;
	int files = 0;

	(void)state;
	assert_int_equal(xsd_init(&a), 0);
	assert_int_equal(xsd_persist_open(&a, dir, true), 0);
	f = fake_new(&a, 0);
	fake_write(f, 0, "/x", "1");
	expect_ok(f);
	fake_free(f);
	xsd_persist_close(&a, true);
	xsd_dispose(&a);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)))
		files += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, 0);
}

/* Damaged files are refused without a crash, and leave a sane store. */
static void test_damaged_files(void **state)
{
	static const char garbage[] = "S\xff\xff\xff\x7fR\x01\x00\x00\x00";
	struct xsd a, b;
	struct fake *f;
	char path[300];
	int fd;

	(void)state;
	assert_int_equal(xsd_init(&a), 0);
	assert_int_equal(xsd_persist_open(&a, dir, true), 0);
	f = fake_new(&a, 0);
	fake_write(f, 0, "/kept", "1");
	expect_ok(f);
	fake_free(f);
	xsd_dispose(&a);

	snprintf(path, sizeof(path), "%s/xenstored.journal", dir);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, garbage, sizeof(garbage), 0), sizeof(garbage));
	close(fd);
	snprintf(path, sizeof(path), "%s/xenstored.state", dir);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "junk", 4, 0), 4);
	close(fd);

	assert_int_equal(xsd_init(&b), 0);
	assert_int_equal(xsd_persist_open(&b, dir, true), 0);
	{
		struct xs_view v = { &b.store, NULL };

		assert_non_null(xs_view_get(&v, "/tool/xenstored"));
		assert_null(xs_view_get(&v, "/kept"));
	}
	xsd_persist_close(&b, true);
	xsd_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_crash_and_recover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clean_close_forgets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_files, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
