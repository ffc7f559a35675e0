/*
 * protocol.c: xs_wire framing and the request handlers.
 *
 * One dispatch table maps each message type to {name, handler, flags}, as
 * Xen's wire_funcs[] does.  Handlers take the connection, the request header
 * and its payload; they return 0 once they have replied, or a positive errno
 * that becomes an ERROR reply carrying the errno's name.  Watch events a
 * request causes are queued before its reply, so a watcher hears of a write
 * before the writer sees its "OK", as with Xen's daemons.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

#define FLAG_PRIV 1 /* only privileged connections (EACCES) */
#define FLAG_TXN 2 /* runs inside the transaction named by tx_id */

/* Room for the longest canonical path plus a domain's prefix. */
#define PATH_BUF (XENSTORE_ABS_PATH_MAX + 64)

struct request {
	struct xs_conn *conn;
	const struct xsd_sockmsg *hdr;
	const char *payload;
	uint32_t len;
	struct xs_view view;
	struct xs_txn *txn;
};

static const char *const type_names[XS_TYPE_COUNT] = {
	[XS_CONTROL] = "CONTROL",
	[XS_DIRECTORY] = "DIRECTORY",
	[XS_READ] = "READ",
	[XS_GET_PERMS] = "GET_PERMS",
	[XS_WATCH] = "WATCH",
	[XS_UNWATCH] = "UNWATCH",
	[XS_TRANSACTION_START] = "TRANSACTION_START",
	[XS_TRANSACTION_END] = "TRANSACTION_END",
	[XS_INTRODUCE] = "INTRODUCE",
	[XS_RELEASE] = "RELEASE",
	[XS_GET_DOMAIN_PATH] = "GET_DOMAIN_PATH",
	[XS_WRITE] = "WRITE",
	[XS_MKDIR] = "MKDIR",
	[XS_RM] = "RM",
	[XS_SET_PERMS] = "SET_PERMS",
	[XS_WATCH_EVENT] = "WATCH_EVENT",
	[XS_ERROR] = "ERROR",
	[XS_IS_DOMAIN_INTRODUCED] = "IS_DOMAIN_INTRODUCED",
	[XS_RESUME] = "RESUME",
	[XS_SET_TARGET] = "SET_TARGET",
	[XS_SET_TARGET + 1] = "RESTRICT",
	[XS_RESET_WATCHES] = "RESET_WATCHES",
	[XS_DIRECTORY_PART] = "DIRECTORY_PART",
};

const char *xsd_type_name(uint32_t type)
{
	if (type < XS_TYPE_COUNT && type_names[type])
		return type_names[type];
	return "UNKNOWN";
}

/* ---- output ---- */

static void trace_msg(struct xs_conn *conn, const char *dir,
		      const struct xsd_sockmsg *hdr, const char *data)
{
	struct xsd *xsd = conn->xsd;
	char stamp[32];
	time_t now;
	uint32_t i;

	if (!xsd->trace)
		return;
	now = time(NULL);
	strftime(stamp, sizeof(stamp), "%Y%m%d %H:%M:%S", localtime(&now));
	fprintf(xsd->trace, "%s 0x%lx %s %s (", dir, conn->serial, stamp,
		xsd_type_name(hdr->type));
	for (i = 0; i < hdr->len && i < 256; i++)
		fputc(data[i] ? data[i] : ' ', xsd->trace);
	fputs(")\n", xsd->trace);
	fflush(xsd->trace);
}

int xsd_send(struct xs_conn *conn, uint32_t type, uint32_t req_id,
	     uint32_t tx_id, const void *data, uint32_t len)
{
	struct xsd_sockmsg hdr = { type, req_id, tx_id, len };
	int rc;

	trace_msg(conn, "OUT", &hdr, data);
	/* Charged first: the transport may deliver it at once. */
	rc = xsd_charge_push(conn, type, sizeof(hdr) + len);
	if (rc)
		return rc;
	rc = conn->ops->send(conn, &hdr, data);
	if (rc)
		xsd_charge_pop_last(conn);
	return rc;
}

int xsd_send_error(struct xs_conn *conn, const struct xsd_sockmsg *req,
		   int err)
{
	const char *name = "EIO";
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++) {
		if (xsd_errors[i].errnum == err) {
			name = xsd_errors[i].errstring;
			break;
		}
	}
	return xsd_send(conn, XS_ERROR, req->req_id, req->tx_id, name,
			strlen(name) + 1);
}

static int reply(struct request *r, const void *data, uint32_t len)
{
	if (len > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	xsd_send(r->conn, r->hdr->type, r->hdr->req_id, r->hdr->tx_id, data,
		 len);
	return 0;
}

static int reply_ok(struct request *r)
{
	return reply(r, "OK", 3);
}

/* ---- arguments and paths ---- */

/* Splits the payload into up to max NUL-terminated strings. */
static unsigned int get_strings(struct request *r, const char **vec,
				unsigned int max)
{
	unsigned int n = 0;
	uint32_t off = 0;
	const char *nul;

	while (n < max && off < r->len) {
		nul = memchr(r->payload + off, '\0', r->len - off);
		if (!nul)
			break;
		vec[n++] = r->payload + off;
		off = nul - r->payload + 1;
	}
	return n;
}

/* The payload must be exactly one NUL-terminated string. */
static const char *onearg(struct request *r)
{
	if (!r->len || r->payload[r->len - 1] ||
	    strlen(r->payload) != r->len - 1)
		return NULL;
	return r->payload;
}

bool xsd_conn_is_unprivileged(const struct xs_conn *conn)
{
	return !conn->privileged;
}

bool xsd_over_quota(struct xs_conn *conn, enum xsd_quota_id id,
		    unsigned long val)
{
	unsigned int limit = conn->xsd->quota[id].val;

	return !conn->privileged && limit && val > limit;
}

static bool valid_chars(const char *p)
{
	for (; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '/' ||
		      *p == '_' || *p == '@'))
			return false;
	}
	return true;
}

/*
 * Makes an absolute path of a request's path (a relative one is taken under
 * /local/domain/<id>) and checks it as Xen's is_valid_nodename does.
 */
static int path_canonical(struct xs_conn *conn, const char *in, char *out,
			  bool *relative)
{
	unsigned int domid;
	int local_off = 0, n;
	size_t len;

	if (relative)
		*relative = in[0] != '/';
	if (in[0] == '/')
		n = snprintf(out, PATH_BUF, "%s", in);
	else
		n = snprintf(out, PATH_BUF, "/local/domain/%u/%s", conn->domid,
			     in);
	if (n < 0 || n >= PATH_BUF)
		return EINVAL;
	len = n;
	if (len > XENSTORE_ABS_PATH_MAX || strstr(out, "//") ||
	    (len > 1 && out[len - 1] == '/') || !valid_chars(out))
		return EINVAL;
	if (sscanf(out, "/local/domain/%5u/%n", &domid, &local_off) != 1)
		local_off = 0;
	if (xsd_over_quota(conn, XSD_Q_PATH_MAX, len - local_off))
		return EINVAL;
	return 0;
}

/*
 * Hides whether a node exists from a connection that may not read where it
 * would be: the nearest existing ancestor decides between errnum and EACCES.
 */
static int errno_from_ancestors(struct request *r, const char *path,
				unsigned int perm, int errnum)
{
	char *p = strdup(path), *slash;
	const struct xs_node *n = NULL;
	int rc = errnum;

	if (!p)
		return ENOMEM;
	while ((slash = strrchr(p, '/'))) {
		if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
		n = xs_view_get(&r->view, p);
		if (n || !strcmp(p, "/"))
			break;
	}
	if (n && !(xsd_perm_for_conn(r->conn, xs_node_perms(n), n->nperms) & perm))
		rc = EACCES;
	free(p);
	return rc;
}

static int node_get(struct request *r, const char *path, unsigned int perm,
		    const struct xs_node **out)
{
	const struct xs_node *n;

	if (r->txn && xsd_over_quota(r->conn, XSD_Q_TXN_NODES,
				     xs_txn_nr_nodes(r->txn) + 1))
		return ENOSPC;
	n = xs_view_get(&r->view, path);
	if (!n)
		return errno_from_ancestors(r, path, perm, ENOENT);
	if ((xsd_perm_for_conn(r->conn, xs_node_perms(n), n->nperms) & perm) != perm)
		return EACCES;
	*out = n;
	return 0;
}

static int note_change(struct request *r, const char *path, bool recursive)
{
	const struct xs_node *n;

	if (r->txn)
		return xs_txn_note_change(r->txn, path, recursive) ? ENOMEM : 0;
	n = xs_view_get(&r->view, path);
	if (n)
		xsd_fire_watches(r->conn->xsd, path, xs_node_perms(n), n->nperms,
				 recursive);
	return 0;
}

/* ---- node requests ---- */

static int do_read(struct request *r)
{
	const char *arg = onearg(r);
	char path[PATH_BUF];
	const struct xs_node *n;
	int rc;

	if (!arg || path_canonical(r->conn, arg, path, NULL))
		return EINVAL;
	rc = node_get(r, path, XSD_PERM_READ, &n);
	return rc ? rc : reply(r, xs_node_value(n), n->value_len);
}

static int do_directory(struct request *r)
{
	const char *arg = onearg(r);
	char path[PATH_BUF];
	const struct xs_node *n;
	int rc;

	if (!arg || path_canonical(r->conn, arg, path, NULL))
		return EINVAL;
	rc = node_get(r, path, XSD_PERM_READ, &n);
	return rc ? rc : reply(r, n->children, n->children_len);
}

/*
 * DIRECTORY_PART: "gen\0" then as many whole child names from the byte
 * offset as fit; an extra empty string marks the end of the list.
 */
static int do_directory_part(struct request *r)
{
	const char *vec[2];
	char path[PATH_BUF], *buf, *end;
	const struct xs_node *n;
	unsigned long off;
	uint32_t len, name_len, pos;
	int rc, glen;

	if (get_strings(r, vec, 2) != 2 ||
	    path_canonical(r->conn, vec[0], path, NULL))
		return EINVAL;
	off = strtoul(vec[1], &end, 10);
	if (*end || !*vec[1])
		return EINVAL;
	rc = node_get(r, path, XSD_PERM_READ, &n);
	if (rc)
		return rc;
	if (off > n->children_len)
		return EINVAL;
	buf = malloc(XENSTORE_PAYLOAD_MAX);
	if (!buf)
		return ENOMEM;
	glen = snprintf(buf, XENSTORE_PAYLOAD_MAX, "%" PRIu64,
			n->generation) + 1;
	len = glen;
	pos = off;
	while (pos < n->children_len) {
		name_len = strlen(n->children + pos) + 1;
		if (len + name_len + 1 > XENSTORE_PAYLOAD_MAX)
			break;
		memcpy(buf + len, n->children + pos, name_len);
		len += name_len;
		pos += name_len;
	}
	if (pos >= n->children_len)
		buf[len++] = '\0';
	rc = reply(r, buf, len);
	free(buf);
	return rc;
}

static int do_get_perms(struct request *r)
{
	const char *arg = onearg(r);
	char path[PATH_BUF], buf[XENSTORE_PAYLOAD_MAX];
	const struct xsd_special *sp;
	const struct xs_node *n;
	int rc, len;

	if (!arg)
		return EINVAL;
	sp = arg[0] == '@' ? xsd_special_find(r->conn->xsd, arg) : NULL;
	if (sp) {
		len = xsd_perms_format(sp->perms, sp->nperms, buf, sizeof(buf));
		return len < 0 ? E2BIG : reply(r, buf, len);
	}
	if (path_canonical(r->conn, arg, path, NULL))
		return EINVAL;
	rc = node_get(r, path, XSD_PERM_READ, &n);
	if (rc)
		return rc;
	len = xsd_perms_format(xs_node_perms(n), n->nperms, buf, sizeof(buf));
	return len < 0 ? E2BIG : reply(r, buf, len);
}

static bool node_too_big(struct request *r, const struct xs_node *n,
			 uint32_t value_len, uint32_t nperms)
{
	size_t size = 24 + (size_t)nperms * sizeof(struct xs_perm) +
		      value_len + n->children_len;

	return xsd_over_quota(r->conn, XSD_Q_NODE_SIZE, size);
}

/*
 * Creates path and its missing ancestors, inheriting permissions; checks
 * the quotas (nodes, memory, and node-size for a value of value_len) first,
 * so that a refused request changes nothing.
 */
static int node_create(struct request *r, const char *path,
		       uint32_t value_len)
{
	char *p = strdup(path), *slash;
	const struct xs_node *anc = NULL;
	struct xs_perm *perms = NULL;
	unsigned int missing = 0;
	struct xsd_domain *dom;
	uint32_t nperms;
	size_t plen;
	int rc;

	if (!p)
		return ENOMEM;
	/* Find the nearest existing ancestor. */
	while ((slash = strrchr(p, '/'))) {
		missing++;
		if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
		anc = xs_view_get(&r->view, p);
		if (anc || !strcmp(p, "/"))
			break;
	}
	rc = ENOENT;
	if (!anc)
		goto out;
	rc = EACCES;
	if (!(xsd_perm_for_conn(r->conn, xs_node_perms(anc), anc->nperms) &
	      XSD_PERM_WRITE))
		goto out;
	rc = ENOSPC;
	dom = xsd_domain_find(r->conn->xsd, r->conn->domid);
	if (xsd_over_quota(r->conn, XSD_Q_NODE_SIZE,
			   24 + anc->nperms * sizeof(struct xs_perm) +
				   value_len) ||
	    xsd_over_quota(r->conn, XSD_Q_NODES,
			   (dom ? dom->nr_nodes : 0) + missing))
		goto out;
	/* Each new node as store.c counts it: header, perms, path, value,
	 * and its name in its parent's children. */
	rc = ENOMEM;
	if (xsd_over_quota(r->conn, XSD_Q_MEMORY,
			   xsd_domain_memory(dom) + value_len +
				   missing * (24 + anc->nperms *
							   sizeof(struct xs_perm) +
						  2 * strlen(path) + 2)))
		goto out;
	nperms = anc->nperms;
	perms = malloc(nperms * sizeof(*perms));
	if (!perms)
		goto out;
	memcpy(perms, xs_node_perms(anc), nperms * sizeof(*perms));
	/* An unprivileged domain owns the nodes it creates. */
	if (!r->conn->privileged)
		perms[0].id = r->conn->domid;
	/* Create top-down: the ancestor's path is a prefix of path. */
	plen = strlen(p);
	while (missing--) {
		const char *next = strchr(path + plen + 1, '/');
		size_t len = next ? (size_t)(next - path) : strlen(path);

		memcpy(p, path, len);
		p[len] = '\0';
		plen = len;
		rc = -xs_view_create(&r->view, p, perms, nperms);
		if (rc)
			goto out;
	}
	rc = 0;
out:
	free(perms);
	free(p);
	return rc;
}

static int node_write(struct request *r, const char *path, const char *value,
		      uint32_t len, bool mkdir)
{
	const struct xs_node *n;
	int rc;

	rc = node_get(r, path, XSD_PERM_WRITE, &n);
	if (rc == ENOENT) {
		rc = node_create(r, path, len);
		if (rc)
			return rc;
	} else if (rc) {
		return rc;
	} else if (mkdir) {
		return reply_ok(r);
	} else if (node_too_big(r, n, len, n->nperms)) {
		return ENOSPC;
	} else if (len > n->value_len &&
		   xsd_over_quota(r->conn, XSD_Q_MEMORY,
				  xsd_domain_memory(xsd_domain_find(
					  r->conn->xsd, r->conn->domid)) +
					  len - n->value_len)) {
		return ENOMEM;
	}
	if (!mkdir) {
		rc = -xs_view_set_value(&r->view, path, value, len);
		if (rc)
			return rc;
	}
	rc = note_change(r, path, false);
	return rc ? rc : reply_ok(r);
}

static int do_write(struct request *r)
{
	char path[PATH_BUF];
	const char *nul = memchr(r->payload, '\0', r->len);
	uint32_t off;

	if (!nul || path_canonical(r->conn, r->payload, path, NULL))
		return EINVAL;
	off = nul - r->payload + 1;
	return node_write(r, path, r->payload + off, r->len - off, false);
}

static int do_mkdir(struct request *r)
{
	const char *arg = onearg(r);
	char path[PATH_BUF];

	if (!arg || path_canonical(r->conn, arg, path, NULL))
		return EINVAL;
	return node_write(r, path, "", 0, true);
}

static int do_rm(struct request *r)
{
	const char *arg = onearg(r);
	char path[PATH_BUF], *parent;
	const struct xs_node *n;
	int rc;

	if (!arg || path_canonical(r->conn, arg, path, NULL))
		return EINVAL;
	if (!strcmp(path, "/"))
		return EINVAL;
	rc = node_get(r, path, XSD_PERM_WRITE, &n);
	if (rc == ENOENT) {
		/* Removing a missing leaf is fine if its parent exists. */
		parent = xs_path_parent(path);
		if (!parent)
			return ENOMEM;
		n = xs_view_get(&r->view, parent);
		free(parent);
		return n ? reply_ok(r) : ENOENT;
	}
	if (rc)
		return rc;
	/* Fire first: the watchers' read check needs the node's perms. */
	rc = note_change(r, path, true);
	if (rc)
		return rc;
	rc = -xs_view_remove(&r->view, path);
	return rc ? rc : reply_ok(r);
}

static int do_set_perms(struct request *r)
{
	char path[PATH_BUF];
	const struct xs_node *n;
	struct xsd_special *sp;
	struct xs_perm *perms = NULL;
	const char *nul = memchr(r->payload, '\0', r->len);
	uint32_t nperms, off;
	int rc;

	if (!nul)
		return EINVAL;
	off = nul - r->payload + 1;
	if (xsd_perms_parse(r->payload + off, r->len - off, &perms, &nperms))
		return EINVAL;
	rc = ENOSPC;
	if (xsd_over_quota(r->conn, XSD_Q_PERMISSIONS, nperms))
		goto out;
	if (r->payload[0] == '@') {
		sp = xsd_special_find(r->conn->xsd, r->payload);
		rc = EINVAL;
		if (!sp || nperms > 16)
			goto out;
		rc = EACCES;
		if (!r->conn->privileged)
			goto out;
		memcpy(sp->perms, perms, nperms * sizeof(*perms));
		sp->nperms = nperms;
		rc = reply_ok(r);
		goto out;
	}
	rc = EINVAL;
	if (path_canonical(r->conn, r->payload, path, NULL))
		goto out;
	rc = node_get(r, path, XSD_PERM_WRITE | XSD_PERM_OWNER, &n);
	if (rc)
		goto out;
	rc = EPERM;
	if (!r->conn->privileged && perms[0].id != xs_node_perms(n)[0].id)
		goto out;
	rc = ENOSPC;
	if (node_too_big(r, n, n->value_len, nperms))
		goto out;
	rc = -xs_view_set_perms(&r->view, path, perms, nperms);
	if (!rc)
		rc = note_change(r, path, false);
	if (!rc)
		rc = reply_ok(r);
out:
	free(perms);
	return rc;
}

/* ---- watches ---- */

static int do_watch(struct request *r)
{
	const char *vec[3];
	char path[PATH_BUF];
	bool relative = false;
	int rc;

	if (get_strings(r, vec, 3) < 2)
		return EINVAL;
	if (vec[0][0] == '@') {
		if (strlen(vec[0]) > XENSTORE_REL_PATH_MAX ||
		    !valid_chars(vec[0]))
			return EINVAL;
		strcpy(path, vec[0]);
	} else if (path_canonical(r->conn, vec[0], path, &relative)) {
		return EINVAL;
	}
	if (xsd_over_quota(r->conn, XSD_Q_WATCHES, r->conn->nr_watches + 1))
		return E2BIG;
	rc = xsd_watch_add(r->conn, path, vec[1], relative);
	if (rc)
		return rc;
	rc = reply_ok(r);
	/* A new watch fires once at once, so clients can sync up. */
	{
		size_t plen = strlen(vec[0]) + 1, tlen = strlen(vec[1]) + 1;
		char *ev = malloc(plen + tlen);

		if (!ev)
			return rc;
		memcpy(ev, vec[0], plen);
		memcpy(ev + plen, vec[1], tlen);
		xsd_send(r->conn, XS_WATCH_EVENT, 0, 0, ev, plen + tlen);
		free(ev);
	}
	return rc;
}

static int do_unwatch(struct request *r)
{
	const char *vec[2];
	char path[PATH_BUF];
	int rc;

	if (get_strings(r, vec, 2) != 2)
		return EINVAL;
	if (vec[0][0] == '@') {
		if (strlen(vec[0]) >= PATH_BUF)
			return EINVAL;
		strcpy(path, vec[0]);
	} else if (path_canonical(r->conn, vec[0], path, NULL)) {
		return EINVAL;
	}
	rc = xsd_watch_del(r->conn, path, vec[1]);
	return rc ? rc : reply_ok(r);
}

static int do_reset_watches(struct request *r)
{
	struct xs_conn_txn *t, *tn;

	xsd_watch_del_all(r->conn);
	list_for_each_entry_safe(t, tn, &r->conn->txns, list) {
		list_del(&t->list);
		xsd_memory_charge(r->conn, -t->memory, true);
		xs_txn_dispose(&t->txn);
		free(t);
	}
	r->conn->nr_txns = 0;
	return reply_ok(r);
}

/* ---- transactions ---- */

static struct xs_conn_txn *txn_find(struct xs_conn *conn, uint32_t id);

static void txn_entry_bytes(struct xs_node *n, void *arg)
{
	*(long *)arg += (long)(xs_node_size(n) + n->path_len + 1);
}

/*
 * A transaction is charged its record and the copies of the nodes it
 * touched; a request that grew it past the hard memory quota still got
 * its answer (the check is on the way in, in node_create/node_write).
 */
static void txn_recharge(struct xs_conn *conn, struct xs_conn_txn *t)
{
	long bytes = XSD_TXN_MEMORY;

	xs_txn_for_each_entry(&t->txn, txn_entry_bytes, &bytes);
	xsd_memory_charge(conn, bytes - t->memory, true);
	t->memory = bytes;
}

static struct xs_conn_txn *txn_find(struct xs_conn *conn, uint32_t id)
{
	struct xs_conn_txn *t;

	list_for_each_entry(t, &conn->txns, list) {
		if (t->id == id)
			return t;
	}
	return NULL;
}

static int do_transaction_start(struct request *r)
{
	struct xs_conn *conn = r->conn;
	struct xs_conn_txn *t;
	char buf[16];
	int len;

	if (r->hdr->tx_id)
		return EBUSY;
	if (xsd_over_quota(conn, XSD_Q_TRANSACTIONS, conn->nr_txns + 1))
		return ENOSPC;
	if (xsd_memory_charge(conn, XSD_TXN_MEMORY, false))
		return ENOMEM;
	t = calloc(1, sizeof(*t));
	if (!t) {
		xsd_memory_charge(conn, -XSD_TXN_MEMORY, true);
		return ENOMEM;
	}
	t->memory = XSD_TXN_MEMORY;
	/* Ids count up per connection, skipping 0 and ids in use. */
	do {
		t->id = conn->next_txid++;
	} while (!t->id || txn_find(conn, t->id));
	xs_txn_init(&t->txn);
	list_add_tail(&t->list, &conn->txns);
	conn->nr_txns++;
	len = snprintf(buf, sizeof(buf), "%u", t->id) + 1;
	return reply(r, buf, len);
}

static int do_transaction_end(struct request *r)
{
	const char *arg = onearg(r);
	struct xs_conn_txn *t;
	struct xs_txn_change *c;
	const struct xs_node *n;
	char *p, *slash;
	size_t i;
	int rc = 0;

	if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
		return EINVAL;
	t = txn_find(r->conn, r->hdr->tx_id);
	if (!t)
		return ENOENT;
	list_del(&t->list);
	r->conn->nr_txns--;
	if (!strcmp(arg, "T"))
		rc = -xs_txn_commit(&r->conn->xsd->store, &t->txn);
	for (i = 0; !rc && !strcmp(arg, "T") && i < t->txn.nr_changes; i++) {
		c = &t->txn.changes[i];
		/* A removed node's watchers are checked against its parent. */
		p = strdup(c->path);
		n = NULL;
		while (p && !(n = xs_table_find(&r->conn->xsd->store.nodes, p)) &&
		       (slash = strrchr(p, '/')) && slash != p)
			*slash = '\0';
		if (!n && p)
			n = xs_table_find(&r->conn->xsd->store.nodes, "/");
		if (n)
			xsd_fire_watches(r->conn->xsd, c->path, xs_node_perms(n),
					 n->nperms, c->recursive);
		free(p);
	}
	xsd_memory_charge(r->conn, -t->memory, true);
	xs_txn_dispose(&t->txn);
	free(t);
	return rc ? rc : reply_ok(r);
}

/* ---- domains ---- */

static int parse_domid(const char *s, uint32_t *domid)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > 0x7ff0)
		return EINVAL;
	*domid = v;
	return 0;
}

static int do_introduce(struct request *r)
{
	const char *vec[3];
	uint32_t domid;
	long long gfn;
	long port;
	char *end;

	if (get_strings(r, vec, 3) != 3 || parse_domid(vec[0], &domid))
		return EINVAL;
	gfn = strtoll(vec[1], &end, 10);
	if (!*vec[1] || *end)
		return EINVAL;
	port = strtol(vec[2], &end, 10);
	if (!*vec[2] || *end || port <= 0 || port > 0x7fffffff)
		return EINVAL;
	{
		int rc = -xsd_domain_introduce(r->conn->xsd, domid, gfn, port);

		return rc ? rc : reply_ok(r);
	}
}

static int do_release(struct request *r)
{
	const char *arg = onearg(r);
	uint32_t domid;
	int rc;

	if (!arg || parse_domid(arg, &domid) || domid == 0)
		return EINVAL;
	rc = -xsd_domain_release(r->conn->xsd, domid);
	return rc ? rc : reply_ok(r);
}

static int do_get_domain_path(struct request *r)
{
	const char *arg = onearg(r);
	char buf[32];
	int len;

	if (!arg)
		return EINVAL;
	/* Xen takes atoi() of the argument: "abc" is domain 0. */
	len = snprintf(buf, sizeof(buf), "/local/domain/%u",
		       (unsigned int)atoi(arg)) + 1;
	return reply(r, buf, len);
}

static int do_is_domain_introduced(struct request *r)
{
	const char *arg = onearg(r);
	uint32_t domid;

	if (!arg || parse_domid(arg, &domid))
		return EINVAL;
	return reply(r, xsd_domain_is_introduced(r->conn->xsd, domid) ? "T" : "F",
		     2);
}

static int do_resume(struct request *r)
{
	const char *arg = onearg(r);
	uint32_t domid;

	if (!arg || parse_domid(arg, &domid))
		return EINVAL;
	if (!xsd_domain_is_introduced(r->conn->xsd, domid))
		return ENOENT;
	return reply_ok(r);
}

static int do_set_target(struct request *r)
{
	const char *vec[2];
	uint32_t domid, target;
	struct xsd_domain *dom;

	if (get_strings(r, vec, 2) != 2 || parse_domid(vec[0], &domid) ||
	    parse_domid(vec[1], &target))
		return EINVAL;
	dom = xsd_domain_find(r->conn->xsd, domid);
	if (!dom || !dom->introduced ||
	    !xsd_domain_is_introduced(r->conn->xsd, target))
		return ENOENT;
	dom->has_target = true;
	dom->target = target;
	return reply_ok(r);
}

static int do_control(struct request *r)
{
	return xsd_do_control(r->conn, r->hdr, r->payload);
}

struct wire_func {
	int (*handler)(struct request *r);
	unsigned int flags;
};

static const struct wire_func wire_funcs[XS_TYPE_COUNT] = {
	[XS_CONTROL] = { do_control, FLAG_PRIV },
	[XS_DIRECTORY] = { do_directory, FLAG_TXN },
	[XS_READ] = { do_read, FLAG_TXN },
	[XS_GET_PERMS] = { do_get_perms, FLAG_TXN },
	[XS_WATCH] = { do_watch, 0 },
	[XS_UNWATCH] = { do_unwatch, 0 },
	[XS_TRANSACTION_START] = { do_transaction_start, 0 },
	[XS_TRANSACTION_END] = { do_transaction_end, 0 },
	[XS_INTRODUCE] = { do_introduce, FLAG_PRIV },
	[XS_RELEASE] = { do_release, FLAG_PRIV },
	[XS_GET_DOMAIN_PATH] = { do_get_domain_path, 0 },
	[XS_WRITE] = { do_write, FLAG_TXN },
	[XS_MKDIR] = { do_mkdir, FLAG_TXN },
	[XS_RM] = { do_rm, FLAG_TXN },
	[XS_SET_PERMS] = { do_set_perms, FLAG_TXN },
	[XS_IS_DOMAIN_INTRODUCED] = { do_is_domain_introduced, FLAG_PRIV },
	[XS_RESUME] = { do_resume, FLAG_PRIV },
	[XS_SET_TARGET] = { do_set_target, FLAG_PRIV },
	[XS_RESET_WATCHES] = { do_reset_watches, 0 },
	[XS_DIRECTORY_PART] = { do_directory_part, FLAG_TXN },
};

static void process_request(struct xs_conn *conn)
{
	struct request r = {
		.conn = conn,
		.hdr = &conn->hdr,
		.payload = conn->payload,
		.len = conn->hdr.len,
		.view = { &conn->xsd->store, NULL },
	};
	const struct wire_func *f = NULL;
	struct xs_conn_txn *t;
	int rc;

	/* Terminate so that string helpers cannot run off the end. */
	conn->payload[r.len] = '\0';
	trace_msg(conn, "IN", r.hdr, r.payload);
	if (r.hdr->type < XS_TYPE_COUNT)
		f = &wire_funcs[r.hdr->type];
	if (!f || !f->handler) {
		rc = ENOSYS;
		goto out;
	}
	if ((f->flags & FLAG_PRIV) && !conn->privileged) {
		rc = EACCES;
		goto out;
	}
	if ((f->flags & FLAG_TXN) && r.hdr->tx_id) {
		t = txn_find(conn, r.hdr->tx_id);
		if (!t) {
			rc = ENOENT;
			goto out;
		}
		r.txn = &t->txn;
		r.view.txn = r.txn;
	}
	/* Watch events this request causes keep it outstanding. */
	conn->xsd->cur_domid = conn->domid;
	rc = f->handler(&r);
	/* Looked up again: TRANSACTION_END freed it. */
	if (r.txn && (t = txn_find(conn, r.hdr->tx_id)))
		txn_recharge(conn, t);
out:
	if (rc)
		xsd_send_error(conn, r.hdr, rc);
	conn->xsd->cur_domid = ~0u;
}

bool xsd_conn_may_read(struct xs_conn *conn)
{
	unsigned int limit = conn->xsd->quota[XSD_Q_OUTSTANDING].val;
	size_t pending = conn->ops->pending(conn);

	/*
	 * A client that does not read its replies stops being served: its
	 * undelivered output stays bounded and other clients are unaffected.
	 */
	if (pending > 64 * 1024)
		return false;
	(void)limit;
	return xsd_quota_may_read(conn);
}

long xsd_conn_input(struct xs_conn *conn, const void *data, size_t len)
{
	const char *p = data;
	size_t used = 0, n;

	while (used < len && xsd_conn_may_read(conn)) {
		if (conn->hdr_have < sizeof(conn->hdr)) {
			n = sizeof(conn->hdr) - conn->hdr_have;
			if (n > len - used)
				n = len - used;
			memcpy((char *)&conn->hdr + conn->hdr_have, p + used, n);
			conn->hdr_have += n;
			used += n;
			if (conn->hdr_have < sizeof(conn->hdr))
				break;
			/* Xen closes a connection that sends too much. */
			if (conn->hdr.len > XENSTORE_PAYLOAD_MAX)
				return -E2BIG;
			conn->payload_have = 0;
		}
		n = conn->hdr.len - conn->payload_have;
		if (n > len - used)
			n = len - used;
		memcpy(conn->payload + conn->payload_have, p + used, n);
		conn->payload_have += n;
		used += n;
		if (conn->payload_have == conn->hdr.len) {
			process_request(conn);
			conn->hdr_have = 0;
			conn->payload_have = 0;
		}
	}
	return used;
}
