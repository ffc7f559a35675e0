/*
 * table.c: the hash table of nodes keyed by full path.
 *
 * Open addressing with linear probing; deletion shifts the following run
 * back instead of leaving tombstones, so lookups stay short after many
 * removals.  The table only holds pointers: nodes are owned by the caller.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

static size_t table_hash(const char *s)
{
	size_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return h;
}

void xs_table_init(struct xs_table *t)
{
	t->slots = NULL;
	t->capacity = 0;
	t->count = 0;
}

void xs_table_dispose(struct xs_table *t, bool free_nodes)
{
	size_t i;

	if (free_nodes) {
		for (i = 0; i < t->capacity; i++)
			xs_node_free(t->slots[i]);
	}
	free(t->slots);
	xs_table_init(t);
}

struct xs_node *xs_table_find(const struct xs_table *t, const char *path)
{
	size_t mask, i;

	if (!t->capacity)
		return NULL;
	mask = t->capacity - 1;
	for (i = table_hash(path) & mask; t->slots[i]; i = (i + 1) & mask) {
		if (!strcmp(t->slots[i]->path, path))
			return t->slots[i];
	}
	return NULL;
}

static void table_place(struct xs_node **slots, size_t capacity,
			struct xs_node *n)
{
	size_t mask = capacity - 1, i;

	for (i = table_hash(n->path) & mask; slots[i]; i = (i + 1) & mask)
		;
	slots[i] = n;
}

static int table_grow(struct xs_table *t)
{
	size_t capacity = t->capacity ? t->capacity * 2 : 16, i;
	struct xs_node **slots = calloc(capacity, sizeof(*slots));

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < t->capacity; i++) {
		if (t->slots[i])
			table_place(slots, capacity, t->slots[i]);
	}
	free(t->slots);
	t->slots = slots;
	t->capacity = capacity;
	return 0;
}

/* The caller has checked that no node with this path is present. */
int xs_table_insert(struct xs_table *t, struct xs_node *n)
{
	int rc;

	/* Keep the load under 3/4 so probe runs stay short. */
	if ((t->count + 1) * 4 > t->capacity * 3) {
		rc = table_grow(t);
		if (rc)
			return rc;
	}
	table_place(t->slots, t->capacity, n);
	t->count++;
	return 0;
}

struct xs_node **xs_table_slot(const struct xs_table *t, const char *path)
{
	size_t mask, i;

	if (!t->capacity)
		return NULL;
	mask = t->capacity - 1;
	for (i = table_hash(path) & mask; t->slots[i]; i = (i + 1) & mask) {
		if (!strcmp(t->slots[i]->path, path))
			return &t->slots[i];
	}
	return NULL;
}

struct xs_node *xs_table_remove(struct xs_table *t, const char *path)
{
	size_t mask, i, j, home;
	struct xs_node *found;

	if (!t->capacity)
		return NULL;
	mask = t->capacity - 1;
	for (i = table_hash(path) & mask; t->slots[i]; i = (i + 1) & mask) {
		if (!strcmp(t->slots[i]->path, path))
			break;
	}
	found = t->slots[i];
	if (!found)
		return NULL;
	t->slots[i] = NULL;
	t->count--;
	/* Backward shift: move later members of the run into the hole. */
	for (j = (i + 1) & mask; t->slots[j]; j = (j + 1) & mask) {
		home = table_hash(t->slots[j]->path) & mask;
		/* Move slot j to i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) ||
		    (j < i && (home <= i && home > j))) {
			t->slots[i] = t->slots[j];
			t->slots[j] = NULL;
			i = j;
		}
	}
	return found;
}

void xs_table_for_each(const struct xs_table *t,
		       void (*fn)(struct xs_node *n, void *arg), void *arg)
{
	size_t i;

	for (i = 0; i < t->capacity; i++) {
		if (t->slots[i])
			fn(t->slots[i], arg);
	}
}
