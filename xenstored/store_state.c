/*
 * store_state.c: versioned save and restore of the committed tree.
 *
 * The record is "kxen-xenstore-state", u32 version, u64 generation counter,
 * u64 number of nodes (so that a truncated image is refused), then every
 * node in
 * pre-order (a parent before its children, children in their order):
 *   u32 path_len, path, u32 value_len, value, u32 nperms,
 *   nperms x (u32 id, u32 perms), u64 generation
 * all in host order.  Loading rebuilds the tree through the ordinary create
 * path, so the derived state (children blobs, accounting) is recomputed
 * rather than trusted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

#define STATE_MAGIC "kxen-xenstore-state"
#define STATE_VERSION 1u

struct state_buf {
	char *data;
	size_t len, cap;
	int error;
};

static void buf_put(struct state_buf *b, const void *p, size_t len)
{
	size_t cap;
	char *grown;

	if (b->error)
		return;
	if (b->len + len > b->cap) {
		cap = b->cap ? b->cap * 2 : 4096;
		while (cap < b->len + len)
			cap *= 2;
		grown = realloc(b->data, cap);
		if (!grown) {
			b->error = -ENOMEM;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
}

static void buf_put_u32(struct state_buf *b, uint32_t v)
{
	buf_put(b, &v, sizeof(v));
}

static void save_node(const struct xs_store *s, const struct xs_node *n,
		      struct state_buf *b)
{
	uint32_t off = 0;
	char *child;

	buf_put_u32(b, strlen(n->path));
	buf_put(b, n->path, strlen(n->path));
	buf_put_u32(b, n->value_len);
	if (n->value_len)
		buf_put(b, xs_node_value(n), n->value_len);
	buf_put_u32(b, n->nperms);
	buf_put(b, xs_node_perms(n), n->nperms * sizeof(struct xs_perm));
	buf_put(b, &n->generation, sizeof(n->generation));
	while (off < n->children_len && !b->error) {
		const char *name = n->children + off;
		const struct xs_node *c;

		off += strlen(name) + 1;
		if (asprintf(&child, "%s/%s", strcmp(n->path, "/") ? n->path : "",
			     name) < 0) {
			b->error = -ENOMEM;
			return;
		}
		c = xs_table_find(&s->nodes, child);
		free(child);
		if (c)
			save_node(s, c, b);
	}
}

int xs_store_save(const struct xs_store *s, char **out, size_t *out_len)
{
	struct state_buf b = { 0 };
	uint64_t count;
	const struct xs_node *root = xs_table_find(&s->nodes, "/");

	buf_put(&b, STATE_MAGIC, sizeof(STATE_MAGIC));
	buf_put_u32(&b, STATE_VERSION);
	buf_put(&b, &s->generation, sizeof(s->generation));
	count = s->nodes.count;
	buf_put(&b, &count, sizeof(count));
	if (root)
		save_node(s, root, &b);
	if (b.error) {
		free(b.data);
		return b.error;
	}
	*out = b.data;
	*out_len = b.len;
	return 0;
}

static int get(const char **p, const char *end, void *dst, size_t len)
{
	if ((size_t)(end - *p) < len)
		return -EINVAL;
	memcpy(dst, *p, len);
	*p += len;
	return 0;
}

/* Replaces the tree of s (which must be initialised) with the saved one. */
int xs_store_load(struct xs_store *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len;
	struct xs_store fresh = { 0 };
	struct xs_view v = { &fresh, NULL };
	uint32_t version, plen, vlen, nperms;
	struct xs_perm *perms = NULL;
	struct xs_node *n;
	uint64_t generation, gen, count;
	char *path = NULL, *value = NULL;
	struct { struct xs_node *node; uint64_t gen; } *gens = NULL, *grown;
	size_t nr_gens = 0, i;
	int rc = -EINVAL;

	xs_table_init(&fresh.nodes);
	if (len < sizeof(STATE_MAGIC) || memcmp(buf, STATE_MAGIC, sizeof(STATE_MAGIC)))
		return -EINVAL;
	p += sizeof(STATE_MAGIC);
	if (get(&p, end, &version, 4) || version != STATE_VERSION ||
	    get(&p, end, &generation, 8) || get(&p, end, &count, 8))
		return -EINVAL;
	while (p < end) {
		rc = -EINVAL;
		if (get(&p, end, &plen, 4) || plen == 0 || plen > 65536)
			goto out;
		path = calloc(1, plen + 1);
		if (!path || get(&p, end, path, plen) || strlen(path) != plen)
			goto out;
		if (get(&p, end, &vlen, 4) || vlen > 65536)
			goto out;
		value = malloc(vlen + 1);
		if (!value || get(&p, end, value, vlen))
			goto out;
		if (get(&p, end, &nperms, 4) || nperms == 0 || nperms > 65536)
			goto out;
		perms = malloc(nperms * sizeof(*perms));
		if (!perms || get(&p, end, perms, nperms * sizeof(*perms)) ||
		    get(&p, end, &gen, 8))
			goto out;
		if (xs_table_find(&fresh.nodes, path))
			goto out;
		if (!strcmp(path, "/")) {
			/* base_create handles "/" without a parent */
			rc = xs_view_create(&v, path, perms, nperms);
		} else if (path[0] == '/') {
			rc = xs_view_create(&v, path, perms, nperms);
		}
		if (rc)
			goto out;
		rc = xs_view_set_value(&v, path, value, vlen);
		if (rc)
			goto out;
		/* Stamped at the end: creating children re-stamps parents. */
		n = xs_table_find(&fresh.nodes, path);
		grown = realloc(gens, (nr_gens + 1) * sizeof(*gens));
		rc = -ENOMEM;
		if (!grown)
			goto out;
		gens = grown;
		gens[nr_gens].node = n;
		gens[nr_gens++].gen = gen;
		free(path);
		free(value);
		free(perms);
		path = value = NULL;
		perms = NULL;
	}
	rc = xs_table_find(&fresh.nodes, "/") && nr_gens == count ? 0 : -EINVAL;
	for (i = 0; i < nr_gens; i++)
		gens[i].node->generation = gens[i].gen;
out:
	free(gens);
	free(path);
	free(value);
	free(perms);
	if (rc) {
		xs_store_dispose(&fresh);
		return rc;
	}
	/* Accounting is the caller's to recompute: the hooks stay unset
	 * while loading. */
	fresh.hooks = s->hooks;
	fresh.hooks_ctx = s->hooks_ctx;
	xs_store_dispose(s);
	fresh.generation = generation;
	*s = fresh;
	return 0;
}
