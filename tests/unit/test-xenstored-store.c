/*
 * Unit tests of xenstored's pure store library: the node table, the tree,
 * transactions with generation counts, and the versioned save/restore,
 * which is round-tripped after every mutating step.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "store.h"

static const struct xs_perm n0 = { 0, XSD_PERM_NONE };

/* Saves, loads into a fresh store, saves again: both images must match. */
static void roundtrip(struct xs_store *s)
{
	struct xs_store copy;
	char *a, *b;
	size_t alen, blen;

	assert_int_equal(xs_store_save(s, &a, &alen), 0);
	assert_int_equal(xs_store_init(&copy, NULL, NULL), 0);
	assert_int_equal(xs_store_load(&copy, a, alen), 0);
	assert_int_equal(copy.nodes.count, s->nodes.count);
	assert_int_equal(xs_store_save(&copy, &b, &blen), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	xs_store_dispose(&copy);
	free(a);
	free(b);
}

static void create_parents(struct xs_view *v, const char *path)
{
	char *parent = xs_path_parent(path);

	if (!xs_view_get(v, parent))
		create_parents(v, parent);
	if (!xs_view_get(v, path))
		assert_int_equal(xs_view_create(v, path, &n0, 1), 0);
	free(parent);
}

/* Writes path (creating its parents), then checks a save/load round trip. */
static void put(struct xs_store *s, struct xs_txn *t, const char *path, const char *value)
{
	struct xs_view v = { s, t };

	create_parents(&v, path);
	assert_int_equal(xs_view_set_value(&v, path, value, strlen(value)), 0);
	if (!t)
		roundtrip(s);
}

static void assert_value(struct xs_store *s, struct xs_txn *t, const char *path, const char *value)
{
	struct xs_view v = { s, t };
	const struct xs_node *n = xs_view_get(&v, path);

	if (!value) {
		assert_null(n);
		return;
	}
	assert_non_null(n);
	assert_int_equal(n->value_len, strlen(value));
	assert_memory_equal(xs_node_value(n), value, n->value_len);
}

static void test_initial_tree(void **state)
{
	struct xs_store s;
	struct xs_view v = { &s, NULL };
	const struct xs_node *n;

	(void)state;
	assert_int_equal(xs_store_init(&s, NULL, NULL), 0);
	n = xs_view_get(&v, "/");
	assert_non_null(n);
	assert_int_equal(n->children_len, 5);
	assert_memory_equal(n->children, "tool", 5);
	assert_non_null(xs_view_get(&v, "/tool/xenstored"));
	roundtrip(&s);
	xs_store_dispose(&s);
}

static void test_create_remove(void **state)
{
	struct xs_store s;
	struct xs_view v = { &s, NULL };
	const struct xs_node *root;
	uint64_t gen;

	(void)state;
	assert_int_equal(xs_store_init(&s, NULL, NULL), 0);
	assert_int_equal(xs_view_create(&v, "/a/b", &n0, 1), -ENOENT);
	put(&s, NULL, "/a", "1");
	put(&s, NULL, "/a/b", "2");
	put(&s, NULL, "/a/c", "3");
	put(&s, NULL, "/z", "");
	root = xs_view_get(&v, "/");
	assert_int_equal(root->children_len, 9);
	assert_memory_equal(root->children, "tool\0a\0z", 9);
	gen = xs_view_get(&v, "/a")->generation;
	assert_int_equal(xs_view_remove(&v, "/a/b"), 0);
	roundtrip(&s);
	/* Removing a child stamps the parent. */
	assert_true(xs_view_get(&v, "/a")->generation > gen);
	assert_int_equal(xs_view_remove(&v, "/a"), 0);
	roundtrip(&s);
	assert_null(xs_view_get(&v, "/a/c"));
	assert_int_equal(s.nodes.count, 4);
	xs_store_dispose(&s);
}

static void test_table_many(void **state)
{
	struct xs_store s;
	struct xs_view v = { &s, NULL };
	char path[64];
	int i;

	(void)state;
	assert_int_equal(xs_store_init(&s, NULL, NULL), 0);
	assert_int_equal(xs_view_create(&v, "/m", &n0, 1), 0);
	for (i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "/m/%d", i);
		assert_int_equal(xs_view_create(&v, path, &n0, 1), 0);
	}
	/* Remove every other node: the backward shift must keep the rest. */
	for (i = 0; i < 5000; i += 2) {
		snprintf(path, sizeof(path), "/m/%d", i);
		assert_int_equal(xs_view_remove(&v, path), 0);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "/m/%d", i);
		if (i % 2)
			assert_non_null(xs_view_get(&v, path));
		else
			assert_null(xs_view_get(&v, path));
	}
	roundtrip(&s);
	xs_store_dispose(&s);
}

static void test_txn_isolation_and_commit(void **state)
{
	struct xs_store s;
	struct xs_txn t;
	struct xs_view tv = { &s, &t };

	(void)state;
	assert_int_equal(xs_store_init(&s, NULL, NULL), 0);
	put(&s, NULL, "/a", "old");
	xs_txn_init(&t);
	put(&s, &t, "/a", "new");
	put(&s, &t, "/x/y/z", "deep");
	assert_value(&s, &t, "/a", "new");
	assert_value(&s, NULL, "/a", "old");
	assert_value(&s, NULL, "/x/y/z", NULL);
	assert_int_equal(xs_view_remove(&tv, "/tool"), 0);
	assert_value(&s, &t, "/tool/xenstored", NULL);
	assert_value(&s, NULL, "/tool/xenstored", "");
	assert_int_equal(xs_txn_commit(&s, &t), 0);
	xs_txn_dispose(&t);
	roundtrip(&s);
	assert_value(&s, NULL, "/a", "new");
	assert_value(&s, NULL, "/x/y/z", "deep");
	assert_value(&s, NULL, "/tool", NULL);
	assert_value(&s, NULL, "/tool/xenstored", NULL);
	xs_store_dispose(&s);
}

/* EAGAIN only when a node the transaction touched changed meanwhile. */
static void test_txn_conflicts(void **state)
{
	struct xs_store s;
	struct xs_txn t;
	struct xs_view tv = { &s, &t };

	(void)state;
	assert_int_equal(xs_store_init(&s, NULL, NULL), 0);
	put(&s, NULL, "/a", "1");
	put(&s, NULL, "/b", "1");

	/* Unrelated change: commit succeeds. */
	xs_txn_init(&t);
	assert_non_null(xs_view_get(&tv, "/a"));
	put(&s, NULL, "/b", "2");
	assert_int_equal(xs_txn_commit(&s, &t), 0);
	xs_txn_dispose(&t);

	/* A node read by the transaction changed: EAGAIN. */
	xs_txn_init(&t);
	assert_non_null(xs_view_get(&tv, "/a"));
	put(&s, NULL, "/a", "2");
	assert_int_equal(xs_txn_commit(&s, &t), -EAGAIN);
	xs_txn_dispose(&t);

	/* A node written by the transaction changed: EAGAIN, nothing applied. */
	xs_txn_init(&t);
	put(&s, &t, "/b", "tx");
	put(&s, &t, "/c", "tx");
	put(&s, NULL, "/b", "3");
	assert_int_equal(xs_txn_commit(&s, &t), -EAGAIN);
	xs_txn_dispose(&t);
	assert_value(&s, NULL, "/b", "3");
	assert_value(&s, NULL, "/c", NULL);

	/* A node read as absent was created meanwhile: EAGAIN. */
	xs_txn_init(&t);
	assert_null(xs_view_get(&tv, "/new"));
	put(&s, NULL, "/new", "x");
	assert_int_equal(xs_txn_commit(&s, &t), -EAGAIN);
	xs_txn_dispose(&t);

	/* A directory listing sees a sibling added meanwhile: EAGAIN. */
	xs_txn_init(&t);
	assert_non_null(xs_view_get(&tv, "/"));
	put(&s, NULL, "/sibling", "x");
	assert_int_equal(xs_txn_commit(&s, &t), -EAGAIN);
	xs_txn_dispose(&t);

	/* Deleted and recreated with the same value: still a change. */
	xs_txn_init(&t);
	assert_non_null(xs_view_get(&tv, "/a"));
	{
		struct xs_view v = { &s, NULL };

		assert_int_equal(xs_view_remove(&v, "/a"), 0);
	}
	put(&s, NULL, "/a", "2");
	assert_int_equal(xs_txn_commit(&s, &t), -EAGAIN);
	xs_txn_dispose(&t);
	roundtrip(&s);
	xs_store_dispose(&s);
}

static void test_txn_children_order(void **state)
{
	struct xs_store s;
	struct xs_txn t;
	struct xs_view v = { &s, NULL };
	const struct xs_node *n;

	(void)state;
	assert_int_equal(xs_store_init(&s, NULL, NULL), 0);
	put(&s, NULL, "/d", "");
	xs_txn_init(&t);
	put(&s, &t, "/d/zz", "1");
	put(&s, &t, "/d/aa", "2");
	put(&s, &t, "/d/mm", "3");
	assert_int_equal(xs_txn_commit(&s, &t), 0);
	xs_txn_dispose(&t);
	n = xs_view_get(&v, "/d");
	assert_int_equal(n->children_len, 9);
	assert_memory_equal(n->children, "zz\0aa\0mm", 9);
	roundtrip(&s);
	xs_store_dispose(&s);
}

static void test_load_rejects_garbage(void **state)
{
	struct xs_store s;
	char *img;
	size_t len, i;

	(void)state;
	assert_int_equal(xs_store_init(&s, NULL, NULL), 0);
	put(&s, NULL, "/a/b", "v");
	assert_int_equal(xs_store_save(&s, &img, &len), 0);
	assert_int_equal(xs_store_load(&s, "junk", 4), -EINVAL);
	/* Every truncation is refused and leaves the store as it was. */
	for (i = 0; i < len; i++)
		assert_int_not_equal(xs_store_load(&s, img, i), 0);
	assert_value(&s, NULL, "/a/b", "v");
	free(img);
	xs_store_dispose(&s);
}

static void test_path_helpers(void **state)
{
	char *p;

	(void)state;
	p = xs_path_parent("/a/b");
	assert_string_equal(p, "/a");
	free(p);
	p = xs_path_parent("/a");
	assert_string_equal(p, "/");
	free(p);
	assert_true(xs_path_is_below("/a", "/a/b"));
	assert_true(xs_path_is_below("/a", "/a"));
	assert_false(xs_path_is_below("/a", "/ab"));
	assert_true(xs_path_is_below("/", "/x"));
	assert_string_equal(xs_path_basename("/a/bc"), "bc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_tree),
		cmocka_unit_test(test_create_remove),
		cmocka_unit_test(test_table_many),
		cmocka_unit_test(test_txn_isolation_and_commit),
		cmocka_unit_test(test_txn_conflicts),
		cmocka_unit_test(test_txn_children_order),
		cmocka_unit_test(test_load_rejects_garbage),
		cmocka_unit_test(test_path_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
