/*
 * store.c: the committed tree and the transaction views on it.
 *
 * Base operations (base_*) change the committed tree, stamp generations and
 * report ownership changes to the accounting hook.  View operations dispatch
 * to them, or, inside a transaction, work on the transaction's private
 * copies (entries), which xs_txn_commit applies through the same base_*
 * functions.  See store.h for the conflict rule.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define NODE_HEADER_SIZE 24 /* Xen's struct xs_tdb_record_hdr */

void xs_node_free(struct xs_node *n)
{
	if (!n)
		return;
	if (n->nperms > 1)
		free(n->perm.many);
	free(n->children);
	free(n);
}

size_t xs_node_size(const struct xs_node *n)
{
	return NODE_HEADER_SIZE + n->nperms * sizeof(struct xs_perm) +
	       n->value_len + n->children_len;
}

static long node_bytes(const struct xs_node *n)
{
	return (long)(xs_node_size(n) + n->path_len + 1);
}

const char *xs_path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

char *xs_path_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t len;
	char *p;

	if (!slash)
		return NULL;
	len = slash == path ? 1 : (size_t)(slash - path);
	p = malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, path, len);
	p[len] = '\0';
	return p;
}

bool xs_path_is_below(const char *parent, const char *child)
{
	size_t len = strlen(parent);

	if (!strcmp(parent, "/"))
		return child[0] == '/';
	return !strncmp(parent, child, len) &&
	       (child[len] == '\0' || child[len] == '/');
}

static struct xs_node *node_alloc(const char *path)
{
	size_t plen = strlen(path);
	struct xs_node *n;

	if (plen > UINT16_MAX)
		return NULL;
	/* The path, its NUL and an empty value's NUL. */
	n = calloc(1, sizeof(*n) + plen + 2);
	if (!n)
		return NULL;
	memcpy(n->path, path, plen + 1);
	n->path_len = plen;
	return n;
}

/*
 * Sets the value, reallocating the node when it does not fit; *np is
 * updated, and so is the node's slot in table (if it is in one).
 */
static int node_set_value(struct xs_table *table, struct xs_node **np,
			  const void *value, uint32_t len)
{
	struct xs_node *n = *np, *grown, **slot;

	/* The node is sized for its value exactly; glibc's realloc works in
	 * place when the size class does not change. */
	if (len != n->value_len) {
		slot = table ? xs_table_slot(table, n->path) : NULL;
		grown = realloc(n, sizeof(*n) + n->path_len + len + 2);
		if (!grown)
			return -ENOMEM;
		if (slot)
			*slot = grown;
		n = *np = grown;
	}
	if (len)
		memmove(xs_node_value(n), value, len);
	xs_node_value(n)[len] = '\0';
	n->value_len = len;
	return 0;
}

static int node_set_perms(struct xs_node *n, const struct xs_perm *perms,
			  uint32_t nperms)
{
	struct xs_perm *many = NULL, one;

	if (nperms > 1) {
		many = malloc(nperms * sizeof(*many));
		if (!many)
			return -ENOMEM;
		memcpy(many, perms, nperms * sizeof(*many));
	} else if (nperms == 1) {
		one = perms[0]; /* perms may be n's own */
	}
	if (n->nperms > 1)
		free(n->perm.many);
	if (nperms > 1)
		n->perm.many = many;
	else if (nperms == 1)
		n->perm.one = one;
	else
		n->perm.many = NULL;
	n->nperms = nperms;
	return 0;
}

/*
 * The children blob's allocation is at least children_cap(len) bytes, the
 * power of two above its length (removals leave it larger): no capacity
 * field per node, and appending stays amortised O(1).
 */
static uint32_t children_cap(uint32_t len)
{
	uint32_t cap = 16;

	while (cap < len)
		cap *= 2;
	return cap;
}

static int node_set_children(struct xs_node *n, const char *children,
			     uint32_t len)
{
	char *copy = NULL;

	if (len) {
		copy = malloc(children_cap(len));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, children, len);
	}
	free(n->children);
	n->children = copy;
	n->children_len = len;
	return 0;
}

static int node_add_child(struct xs_node *n, const char *name)
{
	uint32_t len = strlen(name) + 1;
	char *grown;

	if (!n->children ||
	    n->children_len + len > children_cap(n->children_len)) {
		grown = realloc(n->children,
				children_cap(n->children_len + len));
		if (!grown)
			return -ENOMEM;
		n->children = grown;
	}
	memcpy(n->children + n->children_len, name, len);
	n->children_len += len;
	return 0;
}

static void node_del_child(struct xs_node *n, const char *name)
{
	uint32_t off = 0, len;

	while (off < n->children_len) {
		len = strlen(n->children + off) + 1;
		if (!strcmp(n->children + off, name)) {
			memmove(n->children + off, n->children + off + len,
				n->children_len - off - len);
			n->children_len -= len;
			return;
		}
		off += len;
	}
}

static void store_account(struct xs_store *s, const struct xs_node *n,
			  int sign)
{
	if (s->hooks && s->hooks->account && n->nperms)
		s->hooks->account(s->hooks_ctx, xs_node_perms(n)[0].id, sign,
				  sign * node_bytes(n));
}

static void store_changed(struct xs_store *s, const struct xs_node *n)
{
	if (s->hooks && s->hooks->node_changed)
		s->hooks->node_changed(s->hooks_ctx, n);
}

static void account_one(struct xs_node *n, void *arg)
{
	store_account(arg, n, 1);
}

int xs_store_reorder_children(struct xs_store *s, const char *path,
			       const char *children, uint32_t len)
{
	struct xs_node *n = xs_table_find(&s->nodes, path);

	if (!n || n->children_len != len)
		return -EINVAL;
	if (len)
		memcpy(n->children, children, len);
	return 0;
}

void xs_store_account_all(struct xs_store *s)
{
	xs_table_for_each(&s->nodes, account_one, s);
}

/* ---- the committed tree ---- */

static int base_create(struct xs_store *s, const char *path,
		       const struct xs_perm *perms, uint32_t nperms)
{
	struct xs_node *n, *parent = NULL;
	char *parent_path = NULL;
	int rc = -ENOMEM;

	if (strcmp(path, "/")) {
		parent_path = xs_path_parent(path);
		if (!parent_path)
			return -ENOMEM;
		parent = xs_table_find(&s->nodes, parent_path);
		free(parent_path);
		if (!parent)
			return -ENOENT;
	}
	n = node_alloc(path);
	if (!n || node_set_perms(n, perms, nperms))
		goto fail;
	if (parent) {
		store_account(s, parent, -1);
		rc = node_add_child(parent, xs_path_basename(path));
		store_account(s, parent, 1);
		if (rc)
			goto fail;
		parent->generation = ++s->generation;
	}
	rc = xs_table_insert(&s->nodes, n);
	if (rc) {
		if (parent)
			node_del_child(parent, xs_path_basename(path));
		goto fail;
	}
	n->generation = ++s->generation;
	store_account(s, n, 1);
	store_changed(s, n);
	return 0;
fail:
	xs_node_free(n);
	return rc;
}

static void base_remove_subtree(struct xs_store *s, struct xs_node *n)
{
	uint32_t off = 0;
	size_t plen = strlen(n->path);
	char *child;
	struct xs_node *c;

	while (off < n->children_len) {
		const char *name = n->children + off;

		off += strlen(name) + 1;
		child = malloc(plen + strlen(name) + 2);
		if (!child)
			continue; /* leaks a subtree rather than crash */
		strcpy(child, n->path);
		if (strcmp(n->path, "/"))
			strcat(child, "/");
		strcat(child, name);
		c = xs_table_find(&s->nodes, child);
		free(child);
		if (c)
			base_remove_subtree(s, c);
	}
	store_account(s, n, -1);
	xs_table_remove(&s->nodes, n->path);
	xs_node_free(n);
}

static int base_remove(struct xs_store *s, const char *path)
{
	struct xs_node *n = xs_table_find(&s->nodes, path), *parent;
	char *parent_path;

	if (!n)
		return 0;
	parent_path = xs_path_parent(path);
	if (!parent_path)
		return -ENOMEM;
	parent = xs_table_find(&s->nodes, parent_path);
	free(parent_path);
	if (parent) {
		store_account(s, parent, -1);
		node_del_child(parent, xs_path_basename(path));
		store_account(s, parent, 1);
		parent->generation = ++s->generation;
	}
	if (s->hooks && s->hooks->node_removed)
		s->hooks->node_removed(s->hooks_ctx, path);
	base_remove_subtree(s, n);
	return 0;
}

/* *np may move (see node_set_value). */
static int base_set_value(struct xs_store *s, struct xs_node **np,
			  const void *value, uint32_t len)
{
	struct xs_node *n;
	int rc;

	store_account(s, *np, -1);
	rc = node_set_value(&s->nodes, np, value, len);
	n = *np;
	store_account(s, n, 1);
	if (!rc) {
		n->generation = ++s->generation;
		store_changed(s, n);
	}
	return rc;
}

static int base_set_perms(struct xs_store *s, struct xs_node *n,
			  const struct xs_perm *perms, uint32_t nperms)
{
	int rc;

	store_account(s, n, -1);
	rc = node_set_perms(n, perms, nperms);
	store_account(s, n, 1);
	if (!rc) {
		n->generation = ++s->generation;
		store_changed(s, n);
	}
	return rc;
}

int xs_store_init(struct xs_store *s, const struct xs_store_hooks *hooks,
		  void *hooks_ctx)
{
	static const struct xs_perm n0 = { 0, XSD_PERM_NONE };
	int rc;

	xs_table_init(&s->nodes);
	s->generation = 0;
	s->hooks = hooks;
	s->hooks_ctx = hooks_ctx;
	rc = base_create(s, "/", &n0, 1);
	if (!rc)
		rc = base_create(s, "/tool", &n0, 1);
	if (!rc)
		rc = base_create(s, "/tool/xenstored", &n0, 1);
	if (rc)
		xs_store_dispose(s);
	return rc;
}

void xs_store_dispose(struct xs_store *s)
{
	xs_table_dispose(&s->nodes, true);
}

/* ---- transactions ---- */

void xs_txn_init(struct xs_txn *t)
{
	xs_table_init(&t->entries);
	t->changes = NULL;
	t->nr_changes = 0;
	t->changes_cap = 0;
}

void xs_txn_dispose(struct xs_txn *t)
{
	size_t i;

	xs_table_dispose(&t->entries, true);
	for (i = 0; i < t->nr_changes; i++)
		free(t->changes[i].path);
	free(t->changes);
	t->changes = NULL;
	t->nr_changes = t->changes_cap = 0;
}

void xs_txn_for_each_entry(const struct xs_txn *t,
			   void (*fn)(struct xs_node *n, void *arg), void *arg)
{
	xs_table_for_each(&t->entries, fn, arg);
}

int xs_txn_restore_entry(struct xs_txn *t, const struct xs_txn_saved *saved)
{
	struct xs_node *e;

	if (xs_table_find(&t->entries, saved->path))
		return -EEXIST;
	e = node_alloc(saved->path);
	if (!e)
		return -ENOMEM;
	if ((saved->modified &&
	     (node_set_value(NULL, &e, saved->value, saved->value_len) ||
	      node_set_perms(e, saved->perms, saved->nperms) ||
	      node_set_children(e, saved->children, saved->children_len))) ||
	    xs_table_insert(&t->entries, e)) {
		xs_node_free(e);
		return -ENOMEM;
	}
	e->generation = saved->generation;
	e->modified = saved->modified;
	e->deleted = saved->deleted;
	return 0;
}

size_t xs_txn_nr_nodes(const struct xs_txn *t)
{
	return t->entries.count;
}

int xs_txn_note_change(struct xs_txn *t, const char *path, bool recursive)
{
	struct xs_txn_change *grown;
	size_t cap;

	if (t->nr_changes == t->changes_cap) {
		cap = t->changes_cap ? t->changes_cap * 2 : 8;
		grown = realloc(t->changes, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		t->changes = grown;
		t->changes_cap = cap;
	}
	t->changes[t->nr_changes].path = strdup(path);
	if (!t->changes[t->nr_changes].path)
		return -ENOMEM;
	t->changes[t->nr_changes].recursive = recursive;
	t->nr_changes++;
	return 0;
}

/* The transaction's record of a path, created on first access. */
static struct xs_node *txn_entry(struct xs_view *v, const char *path)
{
	struct xs_node *e = xs_table_find(&v->txn->entries, path), *base;

	if (e)
		return e;
	base = xs_table_find(&v->store->nodes, path);
	e = node_alloc(path);
	if (!e)
		return NULL;
	e->generation = base ? base->generation : 0;
	if (xs_table_insert(&v->txn->entries, e)) {
		xs_node_free(e);
		return NULL;
	}
	return e;
}

/* The transaction's private, writable copy of a path. */
static struct xs_node *txn_modify(struct xs_view *v, const char *path)
{
	struct xs_node *e = txn_entry(v, path), *base;

	if (!e || e->modified)
		return e;
	base = xs_table_find(&v->store->nodes, path);
	if (base) {
		if (node_set_value(&v->txn->entries, &e, xs_node_value(base),
				   base->value_len) ||
		    node_set_perms(e, xs_node_perms(base), base->nperms) ||
		    node_set_children(e, base->children, base->children_len))
			return NULL;
	} else {
		e->deleted = true;
	}
	e->modified = true;
	return e;
}

const struct xs_node *xs_view_get(struct xs_view *v, const char *path)
{
	struct xs_node *e;

	if (!v->txn)
		return xs_table_find(&v->store->nodes, path);
	e = txn_entry(v, path);
	if (e && e->modified)
		return e->deleted ? NULL : e;
	return xs_table_find(&v->store->nodes, path);
}

int xs_view_create(struct xs_view *v, const char *path,
		   const struct xs_perm *perms, uint32_t nperms)
{
	struct xs_node *parent, *e;
	char *parent_path;
	int rc;

	if (!v->txn)
		return base_create(v->store, path, perms, nperms);
	parent_path = xs_path_parent(path);
	if (!parent_path)
		return -ENOMEM;
	parent = txn_modify(v, parent_path);
	free(parent_path);
	if (!parent)
		return -ENOMEM;
	if (parent->deleted)
		return -ENOENT;
	e = txn_modify(v, path);
	if (!e)
		return -ENOMEM;
	rc = node_set_value(&v->txn->entries, &e, "", 0);
	if (!rc)
		rc = node_set_perms(e, perms, nperms);
	if (!rc)
		rc = node_set_children(e, NULL, 0);
	if (!rc)
		rc = node_add_child(parent, xs_path_basename(path));
	if (!rc)
		e->deleted = false;
	return rc;
}

int xs_view_set_value(struct xs_view *v, const char *path, const void *value,
		      uint32_t len)
{
	struct xs_node *n;

	if (!v->txn) {
		n = xs_table_find(&v->store->nodes, path);
		return n ? base_set_value(v->store, &n, value, len) : -ENOENT;
	}
	n = txn_modify(v, path);
	if (!n)
		return -ENOMEM;
	return n->deleted ? -ENOENT :
			    node_set_value(&v->txn->entries, &n, value, len);
}

int xs_view_set_perms(struct xs_view *v, const char *path,
		      const struct xs_perm *perms, uint32_t nperms)
{
	struct xs_node *n;

	if (!v->txn) {
		n = xs_table_find(&v->store->nodes, path);
		return n ? base_set_perms(v->store, n, perms, nperms) : -ENOENT;
	}
	n = txn_modify(v, path);
	if (!n)
		return -ENOMEM;
	return n->deleted ? -ENOENT : node_set_perms(n, perms, nperms);
}

static int txn_remove_subtree(struct xs_view *v, const char *path)
{
	const struct xs_node *n = xs_view_get(v, path);
	char *children = NULL, *child;
	uint32_t len, off = 0;
	struct xs_node *e;
	int rc = 0;

	if (!n)
		return 0;
	len = n->children_len;
	if (len) {
		children = malloc(len);
		if (!children)
			return -ENOMEM;
		memcpy(children, n->children, len);
	}
	while (!rc && off < len) {
		const char *name = children + off;

		off += strlen(name) + 1;
		if (asprintf(&child, "%s/%s", strcmp(path, "/") ? path : "",
			     name) < 0) {
			rc = -ENOMEM;
			break;
		}
		rc = txn_remove_subtree(v, child);
		free(child);
	}
	free(children);
	if (rc)
		return rc;
	e = txn_modify(v, path);
	if (!e)
		return -ENOMEM;
	e->deleted = true;
	return 0;
}

int xs_view_remove(struct xs_view *v, const char *path)
{
	struct xs_node *parent;
	char *parent_path;
	int rc;

	if (!v->txn)
		return base_remove(v->store, path);
	rc = txn_remove_subtree(v, path);
	if (rc)
		return rc;
	parent_path = xs_path_parent(path);
	if (!parent_path)
		return -ENOMEM;
	parent = txn_modify(v, parent_path);
	free(parent_path);
	if (!parent)
		return -ENOMEM;
	node_del_child(parent, xs_path_basename(path));
	return 0;
}

struct txn_collect {
	struct xs_node **list;
	size_t nr;
	bool conflict;
	const struct xs_store *store;
};

static void txn_check_entry(struct xs_node *e, void *arg)
{
	struct txn_collect *c = arg;
	const struct xs_node *base = xs_table_find(&c->store->nodes, e->path);

	if ((base ? base->generation : 0) != e->generation)
		c->conflict = true;
	if (e->modified)
		c->list[c->nr++] = e;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct xs_node *x = *(struct xs_node *const *)a;
	const struct xs_node *y = *(struct xs_node *const *)b;

	return strcmp(x->path, y->path);
}

int xs_txn_commit(struct xs_store *s, struct xs_txn *t)
{
	struct txn_collect c = { .store = s };
	struct xs_node *e, *n;
	size_t i;
	int rc = 0;

	c.list = malloc((t->entries.count + 1) * sizeof(*c.list));
	if (!c.list)
		return -ENOMEM;
	xs_table_for_each(&t->entries, txn_check_entry, &c);
	if (c.conflict) {
		rc = -EAGAIN;
		goto out;
	}
	/* A parent's path sorts before its children's: create top-down. */
	qsort(c.list, c.nr, sizeof(*c.list), entry_cmp);
	for (i = 0; i < c.nr && !rc; i++) {
		e = c.list[i];
		if (e->deleted) {
			rc = base_remove(s, e->path);
			continue;
		}
		n = xs_table_find(&s->nodes, e->path);
		if (!n) {
			rc = base_create(s, e->path, xs_node_perms(e), e->nperms);
			n = xs_table_find(&s->nodes, e->path);
			if (rc || !n)
				break;
		}
		rc = base_set_value(s, &n, xs_node_value(e), e->value_len);
		if (!rc)
			rc = base_set_perms(s, n, xs_node_perms(e), e->nperms);
	}
	/* Keep the children in the order the transaction saw them. */
	for (i = 0; i < c.nr && !rc; i++) {
		e = c.list[i];
		n = e->deleted ? NULL : xs_table_find(&s->nodes, e->path);
		if (n && e->children_len && n->children_len == e->children_len &&
		    memcmp(n->children, e->children, e->children_len)) {
			memcpy(n->children, e->children, e->children_len);
			store_changed(s, n);
		}
	}
out:
	free(c.list);
	return rc;
}
