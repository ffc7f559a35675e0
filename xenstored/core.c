/*
 * core.c: the daemon context, connections and the quota table.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"

/* Xen 4.17 C xenstored's quotas (domain.c), for unprivileged domains. */
static const struct xsd_quota quota_defaults[XSD_Q_NR] = {
	[XSD_Q_NODES] = { "nodes", "nodes", 'E', "Nodes per domain", 1000 },
	[XSD_Q_WATCHES] = { "watches", "watches", 'W', "Watches per domain",
			    128 },
	[XSD_Q_TRANSACTIONS] = { "transactions", "transactions", 't',
				 "Transactions per domain", 10 },
	[XSD_Q_OUTSTANDING] = { "outstanding", "outstanding", 0,
				"Outstanding requests per domain", 20 },
	[XSD_Q_TXN_NODES] = { "transaction-nodes", "transaction-nodes", 0,
			      "Max. number of accessed nodes per transaction",
			      1024 },
	[XSD_Q_MEMORY] = { "memory", "memory", 0,
			   "Total Xenstore memory per domain", 2621440 },
	[XSD_Q_NODE_SIZE] = { "node-size", "node-size", 'S',
			      "Max. size of a node", 2048 },
	[XSD_Q_PATH_MAX] = { "path-max", "path-length", 'M',
			     "Max. length of a node path", 2048 },
	[XSD_Q_PERMISSIONS] = { "permissions", "node-permissions", 'A',
				"Max. number of permissions per node", 5 },
};

void xsd_quota_defaults(struct xsd_quota q[XSD_Q_NR])
{
	memcpy(q, quota_defaults, sizeof(quota_defaults));
}

struct xsd_quota *xsd_quota_find(struct xsd_quota q[XSD_Q_NR],
				 const char *name)
{
	unsigned int i;

	for (i = 0; i < XSD_Q_NR; i++) {
		if (!strcmp(q[i].name, name) || !strcmp(q[i].alias, name))
			return &q[i];
	}
	return NULL;
}

int xsd_init(struct xsd *xsd)
{
	static const char *const names[2] = { XSD_SPECIAL_INTRODUCE,
					      XSD_SPECIAL_RELEASE };
	unsigned int i;
	int rc;

	memset(xsd, 0, sizeof(*xsd));
	xsd->cur_domid = ~0u;
	list_init(&xsd->conns);
	list_init(&xsd->domains);
	xsd_quota_defaults(xsd->quota);
	xsd_quota_defaults(xsd->quota_soft);
	for (i = 0; i < XSD_Q_NR; i++)
		xsd->quota_soft[i].val = 0;
	xsd->quota_soft[XSD_Q_MEMORY].val = 2048 * 1024;
	for (i = 0; i < 2; i++) {
		xsd->specials[i].name = names[i];
		xsd->specials[i].perms[0].id = 0;
		xsd->specials[i].perms[0].perms = XSD_PERM_NONE;
		xsd->specials[i].nperms = 1;
	}
	if (!xsd_domain_get(xsd, 0))
		return -ENOMEM;
	xsd_domain_hooks(&xsd->hooks);
	xsd_persist_hooks(&xsd->hooks);
	rc = xs_store_init(&xsd->store, &xsd->hooks, xsd);
	if (rc)
		xsd_dispose(xsd);
	return rc;
}

void xsd_dispose(struct xsd *xsd)
{
	struct xs_conn *c, *cn;
	struct xsd_domain *d, *dn;

	list_for_each_entry_safe(c, cn, &xsd->conns, list)
		xsd_conn_destroy(c);
	xsd_persist_close(xsd, false);
	xs_store_dispose(&xsd->store);
	free(xsd->lu_binary);
	free(xsd->lu_cmdline);
	free(xsd->log_path);
	list_for_each_entry_safe(d, dn, &xsd->domains, list) {
		list_del(&d->list);
		free(d);
	}
}

void xsd_log(struct xsd *xsd, const char *fmt, ...)
{
	char stamp[32];
	time_t now;
	va_list ap;

	if (xsd->log_stderr) {
		fputs("xenstored: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	if (!xsd->log)
		return;
	now = time(NULL);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime(&now));
	fprintf(xsd->log, "[%s] ", stamp);
	va_start(ap, fmt);
	vfprintf(xsd->log, fmt, ap);
	va_end(ap);
	fputc('\n', xsd->log);
	fflush(xsd->log);
}

void xsd_reopen_logs(struct xsd *xsd)
{
	if (xsd->log_path) {
		if (xsd->log)
			fclose(xsd->log);
		xsd->log = fopen(xsd->log_path, "ae");
	}
	if (xsd->trace_path) {
		if (xsd->trace)
			fclose(xsd->trace);
		xsd->trace = fopen(xsd->trace_path, "ae");
	}
}

struct xs_conn *xsd_conn_new(struct xsd *xsd, const struct xs_conn_ops *ops,
			     void *transport, uint32_t domid)
{
	struct xs_conn *conn = calloc(1, sizeof(*conn));

	if (!conn)
		return NULL;
	conn->xsd = xsd;
	conn->ops = ops;
	conn->transport = transport;
	conn->serial = ++xsd->next_serial;
	conn->domid = domid;
	conn->privileged = domid == 0;
	conn->next_txid = 1;
	list_init(&conn->watches);
	list_init(&conn->txns);
	list_add_tail(&conn->list, &xsd->conns);
	if (xsd->trace) {
		fprintf(xsd->trace, "CREATE connection 0x%lx\n", conn->serial);
		fflush(xsd->trace);
	}
	return conn;
}

void xsd_conn_free(struct xs_conn *conn)
{
	struct xs_conn_txn *t, *tn;

	if (!conn)
		return;
	if (conn->xsd->trace) {
		fprintf(conn->xsd->trace, "DESTROY connection 0x%lx\n",
			conn->serial);
		fflush(conn->xsd->trace);
	}
	if (conn->domain && conn->domain->conn == conn)
		conn->domain->conn = NULL;
	xsd_watch_del_all(conn);
	list_for_each_entry_safe(t, tn, &conn->txns, list) {
		list_del(&t->list);
		xsd_memory_charge(conn, -t->memory, true);
		xs_txn_dispose(&t->txn);
		free(t);
	}
	xsd_conn_charges_free(conn);
	list_del(&conn->list);
	free(conn);
}

void xsd_conn_destroy(struct xs_conn *conn)
{
	if (conn && conn->ops && conn->ops->destroy)
		conn->ops->destroy(conn);
	else
		xsd_conn_free(conn);
}
