/*
 * live_update.c: replace the running xenstored by a new binary without its
 * clients noticing (xenstore-control live-update).
 *
 * The old daemon writes its whole state into a memfd: quotas, special-node
 * permissions, domains, the tree (store_state.c's image, generations
 * included so open transactions still detect conflicts), and every socket
 * connection with its fd, half-read request, unsent replies, watches and
 * transactions.  It then clears close-on-exec on those fds and execs the
 * new binary with --live-update=<memfd>.  The new daemon restores all of
 * it, and answers the "live-update -s" request itself, as Xen does.
 *
 * Guest ring connections are carried the same way, with their half-read
 * request, the replies and watch events not yet in the ring, watches and
 * transactions; what the ring page itself holds stays in guest memory.
 * The new daemon restores each as a parked ring, and the ring backend
 * maps the page and binds the event channel again when it attaches
 * (transport_ring_xen.c).  The mapping and the event channel handle are
 * not carried as fds: kxen's libxenevtchn has no way to rebuild a handle
 * from inherited fds (Xen's xenevtchn_fdopen), so they close at exec and
 * are made again; the guest keeps its port and sees no difference.
 *
 * Record (host order, versioned): "kxen-xenstored-lu", u32 version, then
 * the fields in the order written by lu_save() below.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "transport.h"

#define LU_MAGIC "kxen-xenstored-lu"
#define LU_VERSION 2u

struct lu_buf {
	char *data;
	size_t len, cap;
	int error;
	/* reading */
	const char *p, *end;
};

static void put(struct lu_buf *b, const void *p, size_t len)
{
	size_t cap;
	char *grown;

	if (b->error)
		return;
	if (b->len + len > b->cap) {
		cap = b->cap ? b->cap * 2 : 65536;
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
	if (len)
		memcpy(b->data + b->len, p, len);
	b->len += len;
}

static void put_u32(struct lu_buf *b, uint32_t v)
{
	put(b, &v, 4);
}

static void put_u64(struct lu_buf *b, uint64_t v)
{
	put(b, &v, 8);
}

static void put_blob(struct lu_buf *b, const void *p, size_t len)
{
	put_u32(b, len);
	put(b, p, len);
}

static void put_str(struct lu_buf *b, const char *s)
{
	put_blob(b, s, strlen(s) + 1);
}

static int get(struct lu_buf *b, void *dst, size_t len)
{
	if ((size_t)(b->end - b->p) < len)
		return -EINVAL;
	memcpy(dst, b->p, len);
	b->p += len;
	return 0;
}

static uint32_t get_u32(struct lu_buf *b)
{
	uint32_t v = 0;

	if (get(b, &v, 4))
		b->error = -EINVAL;
	return v;
}

static uint64_t get_u64(struct lu_buf *b)
{
	uint64_t v = 0;

	if (get(b, &v, 8))
		b->error = -EINVAL;
	return v;
}

/* A pointer into the buffer; strings are checked for their NUL. */
static const char *get_blob(struct lu_buf *b, uint32_t *len, bool string)
{
	const char *p;

	*len = get_u32(b);
	if (b->error || (size_t)(b->end - b->p) < *len ||
	    (string && (!*len || b->p[*len - 1]))) {
		b->error = -EINVAL;
		return NULL;
	}
	p = b->p;
	b->p += *len;
	return p;
}

static void save_entry(struct xs_node *e, void *arg)
{
	struct lu_buf *b = arg;

	put_str(b, e->path);
	put_blob(b, xs_node_value(e), e->value_len);
	put_blob(b, xs_node_perms(e), e->nperms * sizeof(struct xs_perm));
	put_blob(b, e->children, e->children_len);
	put_u64(b, e->generation);
	put_u32(b, e->modified | e->deleted << 1);
}

/* fd: the socket's (in: its unread bytes), or the ring's domain id. */
static void save_conn(struct lu_buf *b, struct xs_conn *conn, int fd,
		      const char *in, size_t in_len, const char *out,
		      size_t out_len)
{
	struct xs_conn_txn *t;
	struct xs_watch *w;
	size_t i;

	put_u32(b, fd);
	put_u64(b, conn->serial);
	put_u32(b, conn->next_txid);
	put_u32(b, conn->hdr_have);
	put(b, &conn->hdr, sizeof(conn->hdr));
	put_blob(b, conn->payload, conn->payload_have);
	put_blob(b, in, in_len);
	put_blob(b, out, out_len);
	put_u32(b, conn->nr_watches);
	list_for_each_entry(w, &conn->watches, list) {
		put_str(b, w->path);
		put_str(b, w->token);
		put_u32(b, w->relative);
	}
	put_u32(b, conn->nr_txns);
	list_for_each_entry(t, &conn->txns, list) {
		put_u32(b, t->id);
		put_u32(b, xs_txn_nr_nodes(&t->txn));
		xs_txn_for_each_entry(&t->txn, save_entry, b);
		put_u32(b, t->txn.nr_changes);
		for (i = 0; i < t->txn.nr_changes; i++) {
			put_str(b, t->txn.changes[i].path);
			put_u32(b, t->txn.changes[i].recursive);
		}
	}
}

static int lu_save(struct xsd *xsd, struct xsd_loop *loop, struct lu_buf *b)
{
	const char *in, *out;
	size_t in_len, out_len;
	struct xsd_domain *d;
	struct xsd_ring *ring;
	struct xs_conn *conn;
	uint32_t n = 0;
	int fd;
	unsigned int i;
	char *img;
	size_t len;
	int rc;

	put(b, LU_MAGIC, sizeof(LU_MAGIC));
	put_u32(b, LU_VERSION);
	put_u32(b, xsd_loop_listen_fd(loop));
	put_u64(b, xsd->next_serial);
	for (i = 0; i < XSD_Q_NR; i++) {
		put_u32(b, xsd->quota[i].val);
		put_u32(b, xsd->quota_soft[i].val);
	}
	for (i = 0; i < 2; i++)
		put_blob(b, xsd->specials[i].perms,
			 xsd->specials[i].nperms * sizeof(struct xs_perm));
	list_for_each_entry(d, &xsd->domains, list)
		n++;
	put_u32(b, n);
	list_for_each_entry(d, &xsd->domains, list) {
		put_u32(b, d->domid);
		put_u32(b, d->introduced);
		put_u64(b, d->gfn);
		put_u32(b, d->port);
		put_u32(b, d->has_target);
		put_u32(b, d->target);
	}
	rc = xs_store_save(&xsd->store, &img, &len);
	if (rc)
		return rc;
	put_blob(b, img, len);
	free(img);
	put_u64(b, xsd->lu_conn);
	put(b, &xsd->lu_req, sizeof(xsd->lu_req));
	n = 0;
	list_for_each_entry(conn, &xsd->conns, list)
		n += xsd_conn_is_socket(conn);
	put_u32(b, n);
	list_for_each_entry(conn, &xsd->conns, list) {
		if (!xsd_conn_is_socket(conn))
			continue;
		xsd_sock_conn_state(conn, &fd, &in, &in_len, &out, &out_len);
		save_conn(b, conn, fd, in, in_len, out, out_len);
	}
	/* Guest rings: each introduced domain's connection. */
	n = 0;
	list_for_each_entry(d, &xsd->domains, list)
		n += d->introduced && xsd_ring_of_conn(d->conn) != NULL;
	put_u32(b, n);
	list_for_each_entry(d, &xsd->domains, list) {
		ring = xsd_ring_of_conn(d->conn);
		if (!d->introduced || !ring)
			continue;
		xsd_ring_out(ring, &out, &out_len);
		save_conn(b, d->conn, d->domid, NULL, 0, out, out_len);
	}
	return b->error;
}

static void set_cloexec(struct xsd *xsd, struct xsd_loop *loop, bool on)
{
	struct xs_conn *conn;
	const char *in, *out;
	size_t in_len, out_len;
	int fd;

	fcntl(xsd_loop_listen_fd(loop), F_SETFD, on ? FD_CLOEXEC : 0);
	list_for_each_entry(conn, &xsd->conns, list) {
		if (!xsd_conn_is_socket(conn))
			continue;
		xsd_sock_conn_state(conn, &fd, &in, &in_len, &out, &out_len);
		fcntl(fd, F_SETFD, on ? FD_CLOEXEC : 0);
	}
}

/* The new daemon's argv: the -c command line or the old one, plus -N. */
static char **lu_argv(struct xsd *xsd, int memfd)
{
	char **argv, *cmd = NULL, *tok, *save = NULL;
	int n = 0, i, max;

	max = xsd->argc + 4 + (xsd->lu_cmdline ? (int)strlen(xsd->lu_cmdline) : 0);
	argv = calloc(max, sizeof(*argv));
	if (!argv)
		return NULL;
	argv[n++] = xsd->lu_binary;
	if (xsd->lu_cmdline) {
		cmd = strdup(xsd->lu_cmdline);
		for (tok = cmd ? strtok_r(cmd, " ", &save) : NULL; tok;
		     tok = strtok_r(NULL, " ", &save))
			argv[n++] = tok;
	} else {
		for (i = 1; i < xsd->argc; i++) {
			if (strncmp(xsd->argv[i], "--live-update", 13))
				argv[n++] = xsd->argv[i];
		}
	}
	argv[n++] = (char *)"-N";
	if (asprintf(&argv[n++], "--live-update=%d", memfd) < 0)
		argv[n - 1] = NULL;
	argv[n] = NULL;
	/* cmd's tokens stay in use by argv until exec. */
	return argv;
}

int xsd_live_update_exec(struct xsd *xsd, struct xsd_loop *loop)
{
	struct lu_buf b = { 0 };
	char **argv = NULL;
	int memfd = -1, rc;

	xsd->lu_pending = false;
	rc = lu_save(xsd, loop, &b);
	if (rc)
		goto out;
	memfd = memfd_create("xenstored-live-update", 0);
	rc = -errno;
	if (memfd < 0)
		goto out;
	if (write(memfd, b.data, b.len) != (ssize_t)b.len ||
	    lseek(memfd, 0, SEEK_SET) < 0) {
		rc = -EIO;
		goto out;
	}
	argv = lu_argv(xsd, memfd);
	rc = -ENOMEM;
	if (!argv)
		goto out;
	xsd_log(xsd, "live update: exec %s", xsd->lu_binary);
	if (xsd->log)
		fflush(xsd->log);
	if (xsd->trace)
		fflush(xsd->trace);
	set_cloexec(xsd, loop, false);
	execv(xsd->lu_binary, argv);
	rc = -errno;
	set_cloexec(xsd, loop, true);
	xsd_log(xsd, "live update: exec failed: %s", strerror(-rc));
out:
	if (memfd >= 0)
		close(memfd);
	free(argv);
	free(b.data);
	return rc;
}

/* loop: a socket client's; NULL: a guest ring's, restored parked. */
static int restore_conn(struct xsd *xsd, struct xsd_loop *loop,
			struct lu_buf *b, struct xs_conn **requester)
{
	struct xsd_domain *d = NULL;
	struct xsd_ring *ring;
	uint32_t fd, next_txid, hdr_have, len, in_len, out_len, n, i, j, m;
	const char *payload, *in, *out, *path, *token;
	struct xs_txn_saved saved;
	struct xs_conn_txn *t;
	struct xsd_sockmsg hdr;
	struct xs_conn *conn;
	uint64_t serial;
	int rc;

	fd = get_u32(b);
	serial = get_u64(b);
	next_txid = get_u32(b);
	hdr_have = get_u32(b);
	if (get(b, &hdr, sizeof(hdr)))
		return -EINVAL;
	payload = get_blob(b, &len, false);
	in = get_blob(b, &in_len, false);
	out = get_blob(b, &out_len, false);
	if (b->error || hdr_have > sizeof(hdr) || len > XENSTORE_PAYLOAD_MAX)
		return -EINVAL;
	if (loop) {
		conn = xsd_loop_adopt(loop, fd, in, in_len, out, out_len);
		if (!conn)
			return -ENOMEM;
	} else {
		d = xsd_domain_find(xsd, fd);
		if (!d || !d->introduced || d->conn || !fd || in_len)
			return -EINVAL;
		ring = xsd_ring_new(xsd, fd, NULL, NULL, NULL);
		if (!ring)
			return -ENOMEM;
		conn = xsd_ring_conn(ring);
		d->conn = conn;
		conn->domain = d;
		if (xsd_ring_set_out(ring, out, out_len))
			return -ENOMEM;
	}
	conn->serial = serial;
	conn->next_txid = next_txid;
	/* The carried output was charged in the old daemon; here it only
	 * counts as queued (outstanding counts restart from zero). */
	conn->queued = out_len;
	conn->hdr_have = hdr_have;
	conn->hdr = hdr;
	memcpy(conn->payload, payload, len);
	conn->payload_have = len;
	if (loop && serial == xsd->lu_conn)
		*requester = conn;
	n = get_u32(b);
	for (i = 0; i < n && !b->error; i++) {
		path = get_blob(b, &len, true);
		token = get_blob(b, &len, true);
		m = get_u32(b);
		if (b->error)
			break;
		rc = xsd_watch_add(conn, path, token, m);
		if (rc)
			return -rc;
	}
	n = get_u32(b);
	for (i = 0; i < n && !b->error; i++) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return -ENOMEM;
		xs_txn_init(&t->txn);
		list_add_tail(&t->list, &conn->txns);
		conn->nr_txns++;
		t->id = get_u32(b);
		m = get_u32(b);
		for (j = 0; j < m && !b->error; j++) {
			memset(&saved, 0, sizeof(saved));
			saved.path = get_blob(b, &len, true);
			saved.value = get_blob(b, &saved.value_len, false);
			saved.perms = (const void *)get_blob(b, &len, false);
			saved.nperms = len / sizeof(struct xs_perm);
			saved.children = get_blob(b, &saved.children_len, false);
			saved.generation = get_u64(b);
			len = get_u32(b);
			saved.modified = len & 1;
			saved.deleted = len & 2;
			if (b->error)
				break;
			/* perms may be unaligned in the buffer: copy them. */
			{
				struct xs_perm perms[saved.nperms ? saved.nperms : 1];

				memcpy(perms, saved.perms, saved.nperms * sizeof(*perms));
				saved.perms = perms;
				if (xs_txn_restore_entry(&t->txn, &saved))
					return -ENOMEM;
			}
		}
		m = get_u32(b);
		for (j = 0; j < m && !b->error; j++) {
			path = get_blob(b, &len, true);
			len = get_u32(b);
			if (!b->error && xs_txn_note_change(&t->txn, path, len))
				return -ENOMEM;
		}
	}
	return b->error;
}

int xsd_live_update_restore(struct xsd *xsd, struct xsd_loop **loopp, int fd)
{
	struct lu_buf b = { 0 };
	struct xs_conn *requester = NULL;
	struct xsd_loop *loop = NULL;
	struct xsd_domain *d;
	char magic[sizeof(LU_MAGIC)], chunk[65536];
	const char *img, *perms;
	uint32_t n, i, len, listen_fd;
	ssize_t got;
	int rc = -EINVAL;

	while ((got = read(fd, chunk, sizeof(chunk))) > 0)
		put(&b, chunk, got);
	close(fd);
	if (got < 0 || b.error)
		goto out;
	b.p = b.data;
	b.end = b.data + b.len;
	if (get(&b, magic, sizeof(magic)) || memcmp(magic, LU_MAGIC, sizeof(magic)) ||
	    get_u32(&b) != LU_VERSION)
		goto out;
	listen_fd = get_u32(&b);
	xsd->next_serial = get_u64(&b);
	for (i = 0; i < XSD_Q_NR; i++) {
		xsd->quota[i].val = get_u32(&b);
		xsd->quota_soft[i].val = get_u32(&b);
	}
	for (i = 0; i < 2; i++) {
		perms = get_blob(&b, &len, false);
		if (b.error || !len || len > sizeof(xsd->specials[i].perms))
			goto out;
		memcpy(xsd->specials[i].perms, perms, len);
		xsd->specials[i].nperms = len / sizeof(struct xs_perm);
	}
	n = get_u32(&b);
	for (i = 0; i < n && !b.error; i++) {
		d = xsd_domain_get(xsd, get_u32(&b));
		if (!d)
			goto out;
		d->introduced = get_u32(&b);
		d->gfn = get_u64(&b);
		d->port = get_u32(&b);
		d->has_target = get_u32(&b);
		d->target = get_u32(&b);
	}
	img = get_blob(&b, &len, false);
	if (b.error || xs_store_load(&xsd->store, img, len))
		goto out;
	list_for_each_entry(d, &xsd->domains, list)
		d->nr_nodes = d->memory = 0;
	xs_store_account_all(&xsd->store);
	xsd->lu_conn = get_u64(&b);
	if (get(&b, &xsd->lu_req, sizeof(xsd->lu_req)))
		goto out;
	fcntl(listen_fd, F_SETFD, FD_CLOEXEC);
	loop = xsd_loop_new(xsd, listen_fd);
	rc = -ENOMEM;
	if (!loop)
		goto out;
	n = get_u32(&b);
	for (i = 0; i < n; i++) {
		rc = restore_conn(xsd, loop, &b, &requester);
		if (rc)
			goto out;
	}
	n = get_u32(&b);
	for (i = 0; i < n && !b.error; i++) {
		rc = restore_conn(xsd, NULL, &b, &requester);
		if (rc)
			goto out;
	}
	rc = b.error;
	if (rc)
		goto out;
	if (requester)
		xsd_send(requester, XS_CONTROL, xsd->lu_req.req_id,
			 xsd->lu_req.tx_id, "OK", 3);
	xsd_log(xsd, "live update: restored %zu nodes, %u guest rings",
		xsd->store.nodes.count, n);
	*loopp = loop;
	loop = NULL;
out:
	if (loop)
		xsd_loop_free(loop);
	free(b.data);
	return rc;
}
