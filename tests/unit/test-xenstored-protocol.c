/*
 * Unit tests of xenstored's protocol over fake connections: payload formats
 * and error strings of Xen 4.17's C daemon, watches and their ordering,
 * transactions, permissions seen from a guest connection, quotas, domains
 * and CONTROL.  The store is saved and reloaded after every request
 * (xenstored-harness.h) and at the end of each test.
 */
#include "xenstored-harness.h"

static struct xsd xsd;

static int setup(void **state)
{
	(void)state;
	return xsd_init(&xsd);
}

/* Round-trips the store, then frees everything (LeakSanitizer checks). */
static int teardown(void **state)
{
	char *img;
	size_t len;

	(void)state;
	assert_int_equal(xs_store_save(&xsd.store, &img, &len), 0);
	assert_int_equal(xs_store_load(&xsd.store, img, len), 0);
	free(img);
	xsd_dispose(&xsd);
	return 0;
}

static void test_read_write_directory(void **state)
{
	struct fake *f = fake_new(&xsd, 0);
	struct fake_msg *m;

	(void)state;
	fake_write(f, 0, "/a", "b");
	expect_ok(f);
	fake_req(f, XS_READ, 0, 1, "/a");
	expect_reply_value(f, "b");
	fake_write(f, 0, "/k1", "v1");
	expect_ok(f);
	fake_req(f, XS_DIRECTORY, 0, 1, "/");
	m = fake_reply(f);
	assert_int_equal(m->hdr.len, 10);
	assert_memory_equal(m->body, "tool\0a\0k1\0", 10);
	/* Replies echo the request id. */
	assert_int_equal(m->hdr.req_id, 7);
	fake_req(f, XS_READ, 0, 1, "/nope");
	expect_error(f, "ENOENT");
	/* A value may hold NULs. */
	fake_raw(f, XS_WRITE, 0, "/bin\0a\0b", 8);
	expect_ok(f);
	fake_req(f, XS_READ, 0, 1, "/bin");
	m = fake_reply(f);
	assert_int_equal(m->hdr.len, 3);
	assert_memory_equal(m->body, "a\0b", 3);
	/* Writes create parents; MKDIR of an existing node is OK. */
	fake_write(f, 0, "/p/q/r", "x");
	expect_ok(f);
	fake_req(f, XS_READ, 0, 1, "/p/q");
	expect_reply_value(f, "");
	fake_req(f, XS_MKDIR, 0, 1, "/p");
	expect_ok(f);
	fake_free(f);
}

static void test_path_errors(void **state)
{
	struct fake *f = fake_new(&xsd, 0);
	char longpath[3200];
	static const char *const bad[] = { "//a", "/a/", "", "/a b", "/a//b" };
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_req(f, XS_READ, 0, 1, bad[i]);
		expect_error(f, "EINVAL");
	}
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[3100] = '\0';
	fake_req(f, XS_WRITE, 0, 1, longpath);
	expect_error(f, "EINVAL");
	/* Missing NUL, or a second string where one is expected. */
	fake_raw(f, XS_READ, 0, "/a", 2);
	expect_error(f, "EINVAL");
	fake_raw(f, XS_READ, 0, "/tool\0x", 8);
	expect_error(f, "EINVAL");
	/* RM of / is refused; a missing leaf is fine; a missing parent not. */
	fake_req(f, XS_RM, 0, 1, "/");
	expect_error(f, "EINVAL");
	fake_req(f, XS_RM, 0, 1, "/tool/none");
	expect_ok(f);
	fake_req(f, XS_RM, 0, 1, "/none/none");
	expect_error(f, "ENOENT");
	/* Unknown types, and types only the daemon sends. */
	fake_req(f, 99, 0, 1, "/");
	expect_error(f, "ENOSYS");
	fake_req(f, XS_WATCH_EVENT, 0, 1, "/");
	expect_error(f, "ENOSYS");
	fake_req(f, XS_SET_PERMS, 0, 2, "/tool", "q9");
	expect_error(f, "EINVAL");
	fake_req(f, XS_SET_PERMS, 0, 1, "/tool");
	expect_error(f, "EINVAL");
	fake_free(f);
}

static void test_relative_paths(void **state)
{
	struct fake *f = fake_new(&xsd, 0);

	(void)state;
	fake_write(f, 0, "rel", "1");
	expect_ok(f);
	fake_req(f, XS_READ, 0, 1, "/local/domain/0/rel");
	expect_reply_value(f, "1");
	fake_req(f, XS_GET_DOMAIN_PATH, 0, 1, "abc");
	expect_reply_string(f, "/local/domain/0");
	fake_req(f, XS_GET_DOMAIN_PATH, 0, 1, "7");
	expect_reply_string(f, "/local/domain/7");
	fake_free(f);
}

static void test_directory_part(void **state)
{
	struct fake *f = fake_new(&xsd, 0);
	struct fake_msg *m;
	char path[64], name[8];
	size_t total = 0, off;
	unsigned int i, parts = 0;
	char gen[32];

	(void)state;
	fake_req(f, XS_DIRECTORY_PART, 0, 2, "/tool", "0");
	m = fake_reply(f);
	off = strlen(m->body) + 1;
	assert_int_equal(m->hdr.len, off + 11);
	assert_memory_equal(m->body + off, "xenstored\0\0", 11);
	/* 1000 children: DIRECTORY is too big, DIRECTORY_PART pages it. */
	for (i = 0; i < 1000; i++) {
		snprintf(path, sizeof(path), "/big/child-%u", i);
		fake_write(f, 0, path, "");
		expect_ok(f);
		fake_clear(f);
	}
	fake_req(f, XS_DIRECTORY, 0, 1, "/big");
	expect_error(f, "E2BIG");
	for (;;) {
		snprintf(name, sizeof(name), "%zu", total);
		fake_req(f, XS_DIRECTORY_PART, 0, 2, "/big", name);
		m = fake_reply(f);
		assert_int_not_equal(m->hdr.type, XS_ERROR);
		assert_true(m->hdr.len <= XENSTORE_PAYLOAD_MAX);
		if (!parts++)
			snprintf(gen, sizeof(gen), "%s", m->body);
		assert_string_equal(m->body, gen);
		off = strlen(m->body) + 1;
		total += m->hdr.len - off;
		fake_clear(f);
		if (m->hdr.len >= 2 && !m->body[m->hdr.len - 1] && !m->body[m->hdr.len - 2])
			break;
	}
	assert_true(parts > 1);
	/* All names plus the terminating empty string. */
	assert_int_equal(total, 10 * 8 + 90 * 9 + 900 * 10 + 1);
	fake_req(f, XS_DIRECTORY_PART, 0, 2, "/big", "999999");
	expect_error(f, "EINVAL");
	fake_free(f);
}

static void test_watch_events(void **state)
{
	struct fake *w = fake_new(&xsd, 0), *c = fake_new(&xsd, 0);
	unsigned long event_seq, ok_seq;

	(void)state;
	fake_req(w, XS_WATCH, 0, 2, "/w", "tok");
	expect_ok(w);
	/* The initial event follows the OK. */
	expect_event(w, "/w", "tok");
	fake_req(w, XS_WATCH, 0, 2, "/w", "tok");
	expect_error(w, "EEXIST");
	fake_req(w, XS_WATCH, 0, 1, "/w");
	expect_error(w, "EINVAL");

	fake_write(c, 0, "/w/x", "1");
	expect_ok(c);
	expect_event(w, "/w/x", "tok");
	/* The watcher hears of the write before the writer's OK. */
	event_seq = w->seq[w->next - 1];
	ok_seq = c->seq[c->next - 1];
	assert_true(event_seq < ok_seq);
	/* Unrelated paths and a prefix that is not a parent do not fire. */
	fake_write(c, 0, "/wx", "1");
	expect_ok(c);
	expect_no_more(w);

	/* Removing an ancestor fires watches inside the subtree. */
	fake_req(w, XS_WATCH, 0, 2, "/w/x/deep", "deep");
	expect_ok(w);
	expect_event(w, "/w/x/deep", "deep");
	fake_req(c, XS_RM, 0, 1, "/w");
	expect_ok(c);
	expect_event(w, "/w", "tok");
	expect_event(w, "/w/x/deep", "deep");
	expect_no_more(w);

	fake_req(w, XS_UNWATCH, 0, 2, "/w", "tok");
	expect_ok(w);
	fake_req(w, XS_UNWATCH, 0, 2, "/w", "tok");
	expect_error(w, "ENOENT");
	fake_write(c, 0, "/w", "again");
	expect_ok(c);
	expect_no_more(w);
	fake_req(w, XS_RESET_WATCHES, 0, 1, "");
	expect_ok(w);
	assert_int_equal(w->conn->nr_watches, 0);
	fake_free(w);
	fake_free(c);
}

static void test_transactions(void **state)
{
	struct fake *a = fake_new(&xsd, 0), *b = fake_new(&xsd, 0);
	struct fake *w = fake_new(&xsd, 0);
	struct fake_msg *m;
	uint32_t tx;

	(void)state;
	fake_write(a, 0, "/t/x", "0");
	expect_ok(a);
	fake_req(w, XS_WATCH, 0, 2, "/t", "t");
	expect_ok(w);
	expect_event(w, "/t", "t");

	fake_req(a, XS_TRANSACTION_START, 0, 1, "");
	m = fake_reply(a);
	assert_string_equal(m->body, "1");
	tx = 1;
	fake_req(a, XS_TRANSACTION_START, tx, 1, "");
	expect_error(a, "EBUSY");
	fake_write(a, tx, "/t/x", "1");
	expect_ok(a);
	fake_write(a, tx, "/t/new", "n");
	expect_ok(a);
	/* Not visible outside, and no event before commit. */
	fake_req(b, XS_READ, 0, 1, "/t/x");
	expect_reply_value(b, "0");
	fake_req(a, XS_READ, tx, 1, "/t/x");
	expect_reply_value(a, "1");
	expect_no_more(w);
	fake_req(a, XS_TRANSACTION_END, tx, 1, "T");
	expect_ok(a);
	expect_event(w, "/t/x", "t");
	expect_event(w, "/t/new", "t");
	fake_req(b, XS_READ, 0, 1, "/t/x");
	expect_reply_value(b, "1");

	/* Conflict: a's read node changed by b -> EAGAIN, nothing applied. */
	fake_req(a, XS_TRANSACTION_START, 0, 1, "");
	m = fake_reply(a);
	assert_string_equal(m->body, "2");
	tx = 2;
	fake_req(a, XS_READ, tx, 1, "/t/x");
	expect_reply_value(a, "1");
	fake_write(a, tx, "/t/y", "from-a");
	expect_ok(a);
	fake_write(b, 0, "/t/x", "2");
	expect_ok(b);
	fake_req(a, XS_TRANSACTION_END, tx, 1, "T");
	expect_error(a, "EAGAIN");
	fake_req(b, XS_READ, 0, 1, "/t/y");
	expect_error(b, "ENOENT");
	/* The transaction is gone after EAGAIN. */
	fake_req(a, XS_READ, tx, 1, "/t/x");
	expect_error(a, "ENOENT");
	fake_req(a, XS_TRANSACTION_END, 0, 1, "T");
	expect_error(a, "ENOENT");

	/* Abort, bad argument, another connection's transaction. */
	fake_req(a, XS_TRANSACTION_START, 0, 1, "");
	m = fake_reply(a);
	tx = strtoul(m->body, NULL, 10);
	fake_req(b, XS_READ, tx, 1, "/t/x");
	expect_error(b, "ENOENT");
	fake_req(a, XS_TRANSACTION_END, tx, 1, "X");
	expect_error(a, "EINVAL");
	fake_write(a, tx, "/t/z", "z");
	expect_ok(a);
	fake_req(a, XS_TRANSACTION_END, tx, 1, "F");
	expect_ok(a);
	fake_req(b, XS_READ, 0, 1, "/t/z");
	expect_error(b, "ENOENT");

	/* Removal in a transaction. */
	fake_req(a, XS_TRANSACTION_START, 0, 1, "");
	m = fake_reply(a);
	tx = strtoul(m->body, NULL, 10);
	fake_req(a, XS_RM, tx, 1, "/t");
	expect_ok(a);
	fake_req(a, XS_DIRECTORY, tx, 1, "/t");
	expect_error(a, "ENOENT");
	fake_req(a, XS_TRANSACTION_END, tx, 1, "T");
	expect_ok(a);
	fake_req(b, XS_READ, 0, 1, "/t/x");
	expect_error(b, "ENOENT");
	fake_free(a);
	fake_free(b);
	fake_free(w);
}

static void test_guest_permissions(void **state)
{
	struct fake *d0 = fake_new(&xsd, 0), *g = fake_new(&xsd, 5);
	struct fake *h = fake_new(&xsd, 6);
	struct fake_msg *m;

	(void)state;
	fake_write(d0, 0, "/local/domain/5/data", "");
	expect_ok(d0);
	fake_req(d0, XS_SET_PERMS, 0, 2, "/local/domain/5", "n0");
	expect_ok(d0);
	fake_req(d0, XS_SET_PERMS, 0, 3, "/local/domain/5/data", "n5", "r6");
	expect_ok(d0);

	/* A guest cannot read dom0's nodes, nor learn if they exist. */
	fake_req(g, XS_READ, 0, 1, "/tool");
	expect_error(g, "EACCES");
	fake_req(g, XS_READ, 0, 1, "/tool/none/deeper");
	expect_error(g, "EACCES");
	fake_write(g, 0, "/tool/x", "1");
	expect_error(g, "EACCES");
	/* Relative paths are under its home. */
	fake_write(g, 0, "data/mine", "hello");
	expect_ok(g);
	fake_req(d0, XS_READ, 0, 1, "/local/domain/5/data/mine");
	expect_reply_value(d0, "hello");
	/* Created nodes inherit the parent's list, owned by the creator. */
	fake_req(d0, XS_GET_PERMS, 0, 1, "/local/domain/5/data/mine");
	m = fake_reply(d0);
	assert_int_equal(m->hdr.len, 6);
	assert_memory_equal(m->body, "n5\0r6\0", 6);
	/* Domain 6 may read (r6) but not write. */
	fake_req(h, XS_READ, 0, 1, "/local/domain/5/data/mine");
	expect_reply_value(h, "hello");
	fake_write(h, 0, "/local/domain/5/data/mine", "no");
	expect_error(h, "EACCES");
	/* Only the owner changes permissions; it cannot give nodes away. */
	fake_req(h, XS_SET_PERMS, 0, 2, "/local/domain/5/data/mine", "b6");
	expect_error(h, "EACCES");
	fake_req(g, XS_SET_PERMS, 0, 2, "data/mine", "b6");
	expect_error(g, "EPERM");
	fake_req(g, XS_SET_PERMS, 0, 3, "data/mine", "n5", "b6");
	expect_ok(g);
	fake_write(h, 0, "/local/domain/5/data/mine", "yes");
	expect_ok(h);
	/* Privileged requests. */
	fake_req(g, XS_INTRODUCE, 0, 3, "9", "1", "2");
	expect_error(g, "EACCES");
	fake_req(g, XS_CONTROL, 0, 1, "help");
	expect_error(g, "EACCES");
	fake_req(g, XS_IS_DOMAIN_INTRODUCED, 0, 1, "0");
	expect_error(g, "EACCES");

	/* Watch events reach a guest only for nodes it may read, relative. */
	fake_req(g, XS_WATCH, 0, 2, "data", "d");
	expect_ok(g);
	expect_event(g, "data", "d");
	fake_req(g, XS_WATCH, 0, 2, "/tool", "t");
	expect_ok(g);
	expect_event(g, "/tool", "t");
	fake_write(d0, 0, "/local/domain/5/data/mine", "x");
	expect_ok(d0);
	expect_event(g, "data/mine", "d");
	fake_write(d0, 0, "/tool/secret", "x");
	expect_ok(d0);
	expect_no_more(g);
	fake_free(d0);
	fake_free(g);
	fake_free(h);
}

static void test_set_target(void **state)
{
	struct fake *d0 = fake_new(&xsd, 0), *stub = fake_new(&xsd, 8);

	(void)state;
	fake_write(d0, 0, "/local/domain/7/secret", "s");
	expect_ok(d0);
	fake_req(d0, XS_SET_PERMS, 0, 2, "/local/domain/7/secret", "n7");
	expect_ok(d0);
	fake_req(stub, XS_READ, 0, 1, "/local/domain/7/secret");
	expect_error(stub, "EACCES");
	fake_req(d0, XS_SET_TARGET, 0, 2, "8", "7");
	expect_error(d0, "ENOENT");
	fake_req(d0, XS_INTRODUCE, 0, 3, "7", "100", "1");
	expect_ok(d0);
	fake_req(d0, XS_INTRODUCE, 0, 3, "8", "101", "1");
	expect_ok(d0);
	fake_req(d0, XS_SET_TARGET, 0, 2, "8", "7");
	expect_ok(d0);
	fake_req(stub, XS_READ, 0, 1, "/local/domain/7/secret");
	expect_reply_value(stub, "s");
	fake_free(d0);
	fake_free(stub);
}

static void test_quotas(void **state)
{
	struct fake *d0 = fake_new(&xsd, 0), *g = fake_new(&xsd, 3);
	char path[64], big[3000];
	unsigned int i;
	struct fake_msg *m;

	(void)state;
	fake_write(d0, 0, "/local/domain/3", "");
	expect_ok(d0);
	fake_req(d0, XS_SET_PERMS, 0, 2, "/local/domain/3", "n3");
	expect_ok(d0);
	/* Lower the limits through CONTROL quota set. */
	fake_req(d0, XS_CONTROL, 0, 4, "quota", "set", "nodes", "5");
	expect_reply_string(d0, "OK");
	fake_req(d0, XS_CONTROL, 0, 4, "quota", "set", "watches", "2");
	expect_reply_string(d0, "OK");
	fake_req(d0, XS_CONTROL, 0, 4, "quota", "set", "transactions", "1");
	expect_reply_string(d0, "OK");
	fake_req(d0, XS_CONTROL, 0, 4, "quota", "set", "bogus", "1");
	expect_error(d0, "EINVAL");

	for (i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "n%u", i);
		fake_write(g, 0, path, "x");
		m = fake_reply(g);
		if (m->hdr.type == XS_ERROR) {
			assert_string_equal(m->body, "ENOSPC");
			break;
		}
	}
	/* /local/domain/3 itself is owned by 3, so 4 more fit. */
	assert_int_equal(i, 4);
	/* dom0 is exempt. */
	fake_write(d0, 0, "/local/domain/3/by-dom0", "x");
	expect_ok(d0);

	fake_req(g, XS_WATCH, 0, 2, "a", "1");
	expect_ok(g);
	fake_req(g, XS_WATCH, 0, 2, "b", "1");
	expect_ok(g);
	fake_req(g, XS_WATCH, 0, 2, "c", "1");
	expect_error(g, "E2BIG");

	fake_req(g, XS_TRANSACTION_START, 0, 1, "");
	m = fake_reply(g);
	assert_int_not_equal(m->hdr.type, XS_ERROR);
	fake_req(g, XS_TRANSACTION_START, 0, 1, "");
	expect_error(g, "ENOSPC");

	/* Node size (default 2048) and permissions per node (5). */
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fake_write(g, 0, "n0", big);
	expect_error(g, "ENOSPC");
	fake_req(g, XS_SET_PERMS, 0, 7, "n0", "n3", "r1", "r2", "r4", "r5", "r6");
	expect_error(g, "ENOSPC");
	fake_req(g, XS_SET_PERMS, 0, 3, "n0", "n3", "r1");
	expect_ok(g);
	/* Fewer permissions than before is fine too. */
	fake_req(g, XS_SET_PERMS, 0, 2, "n0", "n3");
	expect_ok(g);
	/* A refused oversized write creates nothing. */
	fake_write(g, 0, "fresh/deep", big);
	expect_error(g, "ENOSPC");
	fake_req(d0, XS_READ, 0, 1, "/local/domain/3/fresh");
	expect_error(d0, "ENOENT");

	fake_req(d0, XS_CONTROL, 0, 1, "quota");
	m = fake_reply(d0);
	assert_non_null(strstr(m->body, "nodes            :        5"));
	fake_free(d0);
	fake_free(g);
}

static void test_domains(void **state)
{
	struct fake *d0 = fake_new(&xsd, 0), *w = fake_new(&xsd, 0);

	(void)state;
	fake_req(w, XS_WATCH, 0, 2, "@introduceDomain", "intro");
	expect_ok(w);
	expect_event(w, "@introduceDomain", "intro");
	fake_req(w, XS_WATCH, 0, 2, "@releaseDomain", "rel");
	expect_ok(w);
	expect_event(w, "@releaseDomain", "rel");

	fake_req(d0, XS_IS_DOMAIN_INTRODUCED, 0, 1, "0");
	expect_reply_string(d0, "T");
	fake_req(d0, XS_IS_DOMAIN_INTRODUCED, 0, 1, "5");
	expect_reply_string(d0, "F");
	fake_req(d0, XS_INTRODUCE, 0, 3, "5", "5678", "3");
	expect_ok(d0);
	expect_event(w, "@introduceDomain", "intro");
	expect_no_more(w);
	fake_req(d0, XS_IS_DOMAIN_INTRODUCED, 0, 1, "5");
	expect_reply_string(d0, "T");
	/* Same ring again: OK; another ring: EINVAL. */
	fake_req(d0, XS_INTRODUCE, 0, 3, "5", "5678", "4");
	expect_ok(d0);
	fake_req(d0, XS_INTRODUCE, 0, 3, "5", "1", "4");
	expect_error(d0, "EINVAL");
	fake_req(d0, XS_INTRODUCE, 0, 3, "x", "1", "4");
	expect_error(d0, "EINVAL");
	fake_req(d0, XS_INTRODUCE, 0, 2, "6", "1");
	expect_error(d0, "EINVAL");
	fake_req(d0, XS_RESUME, 0, 1, "5");
	expect_ok(d0);
	fake_req(d0, XS_RELEASE, 0, 1, "5");
	expect_ok(d0);
	expect_event(w, "@releaseDomain", "rel");
	fake_req(d0, XS_RELEASE, 0, 1, "5");
	expect_error(d0, "ENOENT");
	fake_req(d0, XS_RESUME, 0, 1, "5");
	expect_error(d0, "ENOENT");
	fake_free(d0);
	fake_free(w);
}

static void test_control(void **state)
{
	struct fake *d0 = fake_new(&xsd, 0);
	struct fake_msg *m;

	(void)state;
	fake_req(d0, XS_CONTROL, 0, 1, "help");
	m = fake_reply(d0);
	assert_int_equal(m->hdr.type, XS_CONTROL);
	assert_non_null(strstr(m->body, "quota\t"));
	assert_non_null(strstr(m->body, "check\t"));
	fake_req(d0, XS_CONTROL, 0, 1, "nonsense");
	expect_error(d0, "EINVAL");
	fake_raw(d0, XS_CONTROL, 0, "", 0);
	expect_error(d0, "EINVAL");
	fake_req(d0, XS_CONTROL, 0, 2, "print", "hello");
	expect_reply_string(d0, "OK");
	fake_free(d0);
}

static void test_framing(void **state)
{
	struct fake *f = fake_new(&xsd, 0);
	struct xsd_sockmsg hdr = { XS_READ, 1, 0, 6 };
	char buf[64];
	size_t i;

	(void)state;
	/* A request split into single bytes is assembled. */
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), "/tool", 6);
	for (i = 0; i < sizeof(hdr) + 6; i++)
		assert_int_equal(xsd_conn_input(f->conn, buf + i, 1), 1);
	expect_reply_value(f, "");
	/* An oversized payload closes the connection (as C xenstored). */
	hdr.len = XENSTORE_PAYLOAD_MAX + 1;
	assert_int_equal(xsd_conn_input(f->conn, &hdr, sizeof(hdr)), -E2BIG);
	fake_free(f);

	/* A client with too much undelivered output is not read from. */
	f = fake_new(&xsd, 0);
	f->pending = 1 << 20;
	hdr.len = 6;
	memcpy(buf, &hdr, sizeof(hdr));
	assert_int_equal(xsd_conn_input(f->conn, buf, sizeof(hdr) + 6), 0);
	assert_int_equal(f->nr, 0);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_write_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_part, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quotas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control, setup, teardown),
		cmocka_unit_test_setup_teardown(test_framing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
