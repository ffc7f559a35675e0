/*
 * store.h: the xenstore tree as a pure library, with no sockets and no
 * notion of connections.
 *
 * Nodes live in one hash table keyed by their full path ("/local/domain/1"),
 * so every lookup is O(1) and a path never has to be walked.  Each node keeps
 * its value, its permissions and its children's names as one NUL-separated
 * blob in creation order: the DIRECTORY reply is that blob as is, as in Xen.
 *
 * Every change stamps the node with a new value of a global generation
 * counter; adding or removing a child stamps the parent too.  Transactions
 * (see xs_txn below) are optimistic: a transaction keeps private copies of
 * the nodes it changes plus a record of the generation of every node it
 * touched, and its commit fails with -EAGAIN if any of those generations
 * moved meanwhile.  Example: T1 reads /a (gen 7) and writes /a/x; meanwhile
 * T2 commits a write of /a/y, which stamps /a with gen 9; T1's commit sees
 * 9 != 7 and returns -EAGAIN, and the client retries.
 *
 * A "view" is the tree as seen by one request: the committed tree, or the
 * committed tree under a transaction's copies.
 */
#ifndef XENSTORED_STORE_H
#define XENSTORED_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XSD_PERM_NONE 0
#define XSD_PERM_READ 1
#define XSD_PERM_WRITE 2
#define XSD_PERM_BOTH (XSD_PERM_READ | XSD_PERM_WRITE)
#define XSD_PERM_OWNER 8

struct xs_perm {
	uint32_t id;
	uint32_t perms;
};

/*
 * One allocation per node: the header, then the path, a NUL, the value and
 * a NUL; a single permission entry (the common case) lives in the header.
 * A node is reallocated when its value outgrows the room after the path,
 * so node pointers are only valid until the next change of that node's
 * value (the tables are updated).
 */
struct xs_node {
	/* Stamp of the last change; in a transaction's entry, the committed
	 * node's stamp when the transaction first touched it (0 = absent). */
	uint64_t generation;
	char *children;
	union {
		struct xs_perm one; /* nperms == 1 */
		struct xs_perm *many; /* nperms > 1 */
	} perm;
	uint32_t value_len;
	uint32_t nperms;
	uint32_t children_len;
	uint16_t path_len;
	/* Only used for a transaction's entries. */
	bool modified;
	bool deleted;
	char path[];
};

static inline char *xs_node_value(const struct xs_node *n)
{
	return (char *)n->path + n->path_len + 1;
}

static inline const struct xs_perm *xs_node_perms(const struct xs_node *n)
{
	return n->nperms == 1 ? &n->perm.one : n->perm.many;
}

struct xs_table {
	struct xs_node **slots;
	size_t capacity; /* power of two, or 0 */
	size_t count;
};

/* Called on the committed tree only: quota accounting and persistence. */
struct xs_store_hooks {
	void (*account)(void *ctx, uint32_t owner, int nodes, long bytes);
	/* A node was created or its value or permissions changed. */
	void (*node_changed)(void *ctx, const struct xs_node *n);
	/* A node and its subtree were removed. */
	void (*node_removed)(void *ctx, const char *path);
};

struct xs_store {
	struct xs_table nodes;
	uint64_t generation;
	const struct xs_store_hooks *hooks;
	void *hooks_ctx;
};

struct xs_txn_change {
	char *path;
	bool recursive;
};

struct xs_txn {
	struct xs_table entries;
	struct xs_txn_change *changes;
	size_t nr_changes;
	size_t changes_cap;
};

struct xs_view {
	struct xs_store *store;
	struct xs_txn *txn; /* NULL: the committed tree */
};

/* Hash table of nodes keyed by path. */
void xs_table_init(struct xs_table *t);
void xs_table_dispose(struct xs_table *t, bool free_nodes);
struct xs_node *xs_table_find(const struct xs_table *t, const char *path);
int xs_table_insert(struct xs_table *t, struct xs_node *n);
/* The slot holding path's node (to repoint it after a reallocation). */
struct xs_node **xs_table_slot(const struct xs_table *t, const char *path);
struct xs_node *xs_table_remove(struct xs_table *t, const char *path);
/* Calls fn for every node; fn must not change the table. */
void xs_table_for_each(const struct xs_table *t,
		       void (*fn)(struct xs_node *n, void *arg), void *arg);

void xs_node_free(struct xs_node *n);
/* Size of a node as Xen's node-size quota counts it. */
size_t xs_node_size(const struct xs_node *n);
/* The parent path of an absolute path ("/" for "/a"); caller frees. */
char *xs_path_parent(const char *path);
const char *xs_path_basename(const char *path);
/* True if child equals parent or lies below it. */
bool xs_path_is_below(const char *parent, const char *child);

/* The committed tree; creates "/", "/tool" and "/tool/xenstored" (n0). */
int xs_store_init(struct xs_store *s, const struct xs_store_hooks *hooks,
		  void *hooks_ctx);
void xs_store_dispose(struct xs_store *s);
/* Restores a saved order of the same children (journal replay). */
int xs_store_reorder_children(struct xs_store *s, const char *path,
			      const char *children, uint32_t len);
/* Calls the account hook for every node (after a load). */
void xs_store_account_all(struct xs_store *s);

/* Views: NULL and errno-free lookups; the mutators return -errno. */
const struct xs_node *xs_view_get(struct xs_view *v, const char *path);
int xs_view_create(struct xs_view *v, const char *path,
		   const struct xs_perm *perms, uint32_t nperms);
int xs_view_set_value(struct xs_view *v, const char *path, const void *value,
		      uint32_t len);
int xs_view_set_perms(struct xs_view *v, const char *path,
		      const struct xs_perm *perms, uint32_t nperms);
int xs_view_remove(struct xs_view *v, const char *path);

void xs_txn_init(struct xs_txn *t);
void xs_txn_dispose(struct xs_txn *t);
/* Number of nodes the transaction has touched (transaction-nodes quota). */
size_t xs_txn_nr_nodes(const struct xs_txn *t);
/* Remember a watch event to fire at commit. */
int xs_txn_note_change(struct xs_txn *t, const char *path, bool recursive);
/* Applies the transaction: 0, or -EAGAIN if a touched node changed. */
int xs_txn_commit(struct xs_store *s, struct xs_txn *t);

/* Live update: iterate over and rebuild a transaction's entries. */
void xs_txn_for_each_entry(const struct xs_txn *t,
			   void (*fn)(struct xs_node *n, void *arg), void *arg);
struct xs_txn_saved {
	const char *path;
	const char *value;
	uint32_t value_len;
	uint32_t nperms;
	const struct xs_perm *perms;
	const char *children;
	uint32_t children_len;
	uint64_t generation;
	bool modified;
	bool deleted;
};
int xs_txn_restore_entry(struct xs_txn *t, const struct xs_txn_saved *saved);

/* Versioned save/restore of the committed tree (see store_state.c). */
int xs_store_save(const struct xs_store *s, char **buf, size_t *len);
int xs_store_load(struct xs_store *s, const char *buf, size_t len);

#endif
