/*
 * persist.c: the store survives a crash of the daemon.
 *
 * Every change to the committed tree is appended to a journal
 * (xenstored.journal) before the request's reply is sent.  The journal is
 * a file mapped shared: a record is a memcpy into the page cache, which
 * outlives the process, so no system call is spent per change.  The
 * record's first byte (its type) is stored last: the file starts zeroed,
 * so a record cut short by a crash reads as the end of the journal.  A snapshot (xenstored.state, see
 * store_state.c) plus the journal rebuild the tree at the next start; the
 * journal is folded into a new snapshot at start and when it grows large.
 * A clean stop removes both, so a normal restart begins with an empty
 * store as Xen's does.  The files live next to the socket (under /run, a
 * tmpfs, by default), so they survive a daemon crash but not a reboot, and
 * each instance has its own.
 *
 * Journal record: u8 'S' (set: created or changed), u32 path_len, path,
 * u32 value_len, value, u32 nperms, perms, u32 children_len, children (the
 * order of the children at that moment: a transaction's commit reorders
 * them); or u8 'R' (removed subtree), u32 path_len, path.  A torn record at
 * the end is ignored.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

#define JOURNAL_SIZE (64u << 20) /* sparse: costs what is used */
#define JOURNAL_COMPACT_BYTES (JOURNAL_SIZE / 2)

struct xsd_persist {
	int fd;
	char *map; /* the journal, JOURNAL_SIZE bytes, shared */
	char *journal_path;
	char *state_path;
	size_t journal_bytes;
	bool replaying;
	bool failed;
};

static int persist_compact(struct xsd *xsd);

static void journal_write(struct xsd *xsd, const void *buf, size_t len)
{
	struct xsd_persist *p = xsd->persist;
	char *at;

	if (!p || p->replaying || p->failed)
		return;
	if (p->journal_bytes + len + 1 > JOURNAL_SIZE && persist_compact(xsd)) {
		/* Keep serving; the log says crash survival is off. */
		p->failed = true;
		xsd_log(xsd, "journal full: crash survival disabled");
		return;
	}
	at = p->map + p->journal_bytes;
	memcpy(at + 1, (const char *)buf + 1, len - 1);
	/* The type byte last: until it is set the record does not exist. */
	__atomic_store_n(at, *(const char *)buf, __ATOMIC_RELEASE);
	p->journal_bytes += len;
}

static void persist_node_changed(void *ctx, const struct xs_node *n)
{
	struct xsd *xsd = ctx;
	uint32_t plen = strlen(n->path);
	size_t len = 1 + 4 + plen + 4 + n->value_len + 4 +
		     n->nperms * sizeof(struct xs_perm) + 4 + n->children_len;
	char stack[512], *buf = len <= sizeof(stack) ? stack : malloc(len), *p;

	if (!xsd->persist || !buf)
		goto out;
	p = buf;
	*p++ = 'S';
	memcpy(p, &plen, 4);
	memcpy(p + 4, n->path, plen);
	p += 4 + plen;
	memcpy(p, &n->value_len, 4);
	if (n->value_len)
		memcpy(p + 4, xs_node_value(n), n->value_len);
	p += 4 + n->value_len;
	memcpy(p, &n->nperms, 4);
	memcpy(p + 4, xs_node_perms(n), n->nperms * sizeof(struct xs_perm));
	p += 4 + n->nperms * sizeof(struct xs_perm);
	memcpy(p, &n->children_len, 4);
	if (n->children_len)
		memcpy(p + 4, n->children, n->children_len);
	journal_write(xsd, buf, len);
out:
	if (buf != stack)
		free(buf);
}

static void persist_node_removed(void *ctx, const char *path)
{
	struct xsd *xsd = ctx;
	uint32_t plen = strlen(path);
	char *buf;

	if (!xsd->persist)
		return;
	buf = malloc(5 + plen);
	if (!buf)
		return;
	buf[0] = 'R';
	memcpy(buf + 1, &plen, 4);
	memcpy(buf + 5, path, plen);
	journal_write(xsd, buf, 5 + plen);
	free(buf);
}

void xsd_persist_hooks(struct xs_store_hooks *hooks)
{
	hooks->node_changed = persist_node_changed;
	hooks->node_removed = persist_node_removed;
}

static int read_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	*buf = malloc(st.st_size + 1);
	if (!*buf) {
		rc = -ENOMEM;
		goto out;
	}
	n = read(fd, *buf, st.st_size);
	if (n < 0) {
		rc = -errno;
		free(*buf);
		*buf = NULL;
		goto out;
	}
	*len = n;
out:
	close(fd);
	return rc;
}

static int get_u32(const char **p, const char *end, uint32_t *v)
{
	if (end - *p < 4)
		return -1;
	memcpy(v, *p, 4);
	*p += 4;
	return 0;
}

/* Applies journal records; returns how many, stops at a torn tail. */
static long journal_replay(struct xsd *xsd, const char *buf, size_t len)
{
	struct xs_view v = { &xsd->store, NULL };
	const char *p = buf, *end = buf + len, *path, *value, *perms;
	const char *children = NULL;
	uint32_t plen, vlen, nperms, clen = 0;
	struct xs_perm *pcopy;
	char *pathz;
	long count = 0;
	char op;

	while (p < end) {
		op = *p++;
		if ((op != 'S' && op != 'R') || get_u32(&p, end, &plen) ||
		    plen == 0 || plen > XENSTORE_ABS_PATH_MAX ||
		    (size_t)(end - p) < plen)
			break;
		path = p;
		p += plen;
		if (op == 'S') {
			if (get_u32(&p, end, &vlen) || (size_t)(end - p) < vlen)
				break;
			value = p;
			p += vlen;
			if (get_u32(&p, end, &nperms) || nperms == 0 ||
			    nperms > 4096 ||
			    (size_t)(end - p) < nperms * sizeof(struct xs_perm))
				break;
			perms = p;
			p += nperms * sizeof(struct xs_perm);
			if (get_u32(&p, end, &clen) || (size_t)(end - p) < clen)
				break;
			children = p;
			p += clen;
		}
		pathz = strndup(path, plen);
		if (!pathz)
			break;
		if (op == 'R') {
			xs_view_remove(&v, pathz);
		} else {
			pcopy = malloc(nperms * sizeof(*pcopy));
			if (pcopy) {
				memcpy(pcopy, perms, nperms * sizeof(*pcopy));
				if (xs_view_get(&v, pathz) ||
				    !xs_view_create(&v, pathz, pcopy, nperms)) {
					xs_view_set_value(&v, pathz, value, vlen);
					xs_view_set_perms(&v, pathz, pcopy, nperms);
					xs_store_reorder_children(&xsd->store, pathz,
								  children, clen);
				}
				free(pcopy);
			}
		}
		free(pathz);
		count++;
	}
	return count;
}

/* Writes a snapshot of the tree and empties the journal. */
static int persist_compact(struct xsd *xsd)
{
	struct xsd_persist *p = xsd->persist;
	char *img = NULL, *tmp = NULL;
	size_t len;
	int fd = -1, rc;

	rc = xs_store_save(&xsd->store, &img, &len);
	if (rc)
		goto out;
	rc = -ENOMEM;
	if (asprintf(&tmp, "%s.tmp", p->state_path) < 0) {
		tmp = NULL;
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	rc = -errno;
	if (fd < 0)
		goto out;
	if (write(fd, img, len) != (ssize_t)len || close(fd) < 0) {
		fd = -1;
		rc = -EIO;
		goto out;
	}
	fd = -1;
	/* The snapshot replaces the old one atomically, then the journal
	 * restarts empty (zeroed): a crash in between replays records that
	 * the snapshot already holds, which is harmless. */
	if (rename(tmp, p->state_path) < 0) {
		rc = -errno;
		goto out;
	}
	if (p->journal_bytes) {
		memset(p->map, 0, p->journal_bytes);
		/* Give the zeroed pages back: the file stays sparse. */
		fallocate(p->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			  p->journal_bytes);
	}
	p->journal_bytes = 0;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	free(img);
	return rc;
}

int xsd_persist_open(struct xsd *xsd, const char *dir, bool load)
{
	struct xsd_persist *p = calloc(1, sizeof(*p));
	char *state = NULL, *journal = NULL;
	size_t state_len, journal_len;
	long replayed = 0;
	int rc = -ENOMEM;

	if (!p)
		return -ENOMEM;
	p->fd = -1;
	if (asprintf(&p->state_path, "%s/xenstored.state", dir) < 0 ||
	    asprintf(&p->journal_path, "%s/xenstored.journal", dir) < 0)
		goto fail;
	mkdir(dir, 0700);
	/* After a live update the tree came with the daemon's state. */
	rc = load ? read_file(p->state_path, &state, &state_len) : 0;
	if (!rc && load)
		rc = read_file(p->journal_path, &journal, &journal_len);
	if (rc)
		goto fail;
	p->replaying = true;
	xsd->persist = p;
	if (state && xs_store_load(&xsd->store, state, state_len)) {
		xsd_log(xsd, "%s is damaged: starting from an empty store",
			p->state_path);
	} else if (state) {
		struct xsd_domain *d;

		/* Recount ownership from the loaded tree. */
		list_for_each_entry(d, &xsd->domains, list)
			d->nr_nodes = d->memory = 0;
		xs_store_account_all(&xsd->store);
	}
	if (journal)
		replayed = journal_replay(xsd, journal, journal_len);
	xsd->recovered = state || journal;
	if (state || journal)
		xsd_log(xsd, "recovered %zu nodes after a crash (%ld journal records)",
			xsd->store.nodes.count, replayed);
	p->replaying = false;
	free(state);
	free(journal);
	/* A fresh, zeroed journal: the snapshot below holds everything. */
	unlink(p->journal_path);
	p->fd = open(p->journal_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
		     0600);
	rc = -errno;
	if (p->fd < 0 || ftruncate(p->fd, JOURNAL_SIZE) < 0)
		goto fail_open;
	p->map = mmap(NULL, JOURNAL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->fd, 0);
	if (p->map == MAP_FAILED) {
		rc = -errno;
		p->map = NULL;
		goto fail_open;
	}
	rc = persist_compact(xsd);
	if (rc)
		goto fail_open;
	return 0;
fail_open:
	xsd->persist = NULL;
fail:
	if (p->map)
		munmap(p->map, JOURNAL_SIZE);
	if (p->fd >= 0)
		close(p->fd);
	free(p->state_path);
	free(p->journal_path);
	free(p);
	return rc;
}

/* Folds a large journal into a snapshot; called between requests. */
void xsd_persist_maybe_compact(struct xsd *xsd)
{
	struct xsd_persist *p = xsd->persist;

	if (p && !p->failed && p->journal_bytes > JOURNAL_COMPACT_BYTES &&
	    persist_compact(xsd))
		xsd_log(xsd, "journal compaction failed");
}

void xsd_persist_close(struct xsd *xsd, bool clean)
{
	struct xsd_persist *p = xsd->persist;

	if (!p)
		return;
	munmap(p->map, JOURNAL_SIZE);
	close(p->fd);
	if (clean) {
		unlink(p->journal_path);
		unlink(p->state_path);
	}
	free(p->state_path);
	free(p->journal_path);
	free(p);
	xsd->persist = NULL;
}
