/*
 * control.c: XS_CONTROL (xenstore-control) commands, one table as in Xen's
 * xenstored_control.c.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

struct control_cmd {
	const char *name;
	int (*fn)(struct xs_conn *conn, const struct xsd_sockmsg *req,
		  const char **vec, unsigned int num);
	const char *pars;
};

static int reply_text(struct xs_conn *conn, const struct xsd_sockmsg *req,
		      const char *text)
{
	size_t len = strlen(text) + 1;

	if (len > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	xsd_send(conn, XS_CONTROL, req->req_id, req->tx_id, text, len);
	return 0;
}

static int control_check(struct xs_conn *conn, const struct xsd_sockmsg *req,
			 const char **vec, unsigned int num)
{
	(void)vec;
	if (num)
		return EINVAL;
	return reply_text(conn, req, "OK");
}

static int control_log(struct xs_conn *conn, const struct xsd_sockmsg *req,
		       const char **vec, unsigned int num)
{
	struct xsd *xsd = conn->xsd;

	if (num != 1)
		return EINVAL;
	if (!strcmp(vec[0], "on")) {
		if (!xsd->trace && xsd->trace_path)
			xsd->trace = fopen(xsd->trace_path, "ae");
	} else if (!strcmp(vec[0], "off")) {
		if (xsd->trace)
			fclose(xsd->trace);
		xsd->trace = NULL;
	} else {
		return EINVAL;
	}
	return reply_text(conn, req, "OK");
}

static int control_logfile(struct xs_conn *conn,
			   const struct xsd_sockmsg *req, const char **vec,
			   unsigned int num)
{
	struct xsd *xsd = conn->xsd;
	char *path;

	if (num != 1)
		return EINVAL;
	path = strdup(vec[0]);
	if (!path)
		return ENOMEM;
	if (xsd->trace)
		fclose(xsd->trace);
	free(xsd->trace_path);
	xsd->trace_path = path;
	xsd->trace = fopen(path, "ae");
	return reply_text(conn, req, "OK");
}

static int control_memreport(struct xs_conn *conn,
			     const struct xsd_sockmsg *req, const char **vec,
			     unsigned int num)
{
	struct xsd *xsd = conn->xsd;
	struct xsd_domain *d;
	FILE *f = xsd->trace;

	if (num > 1)
		return EINVAL;
	if (num == 1)
		f = fopen(vec[0], "a");
	if (!f)
		return EBADF;
	fprintf(f, "nodes: %zu\n", xsd->store.nodes.count);
	list_for_each_entry(d, &xsd->domains, list)
		fprintf(f, "domain %u: nodes %ld memory %ld outstanding %u\n",
			d->domid, d->nr_nodes, xsd_domain_memory(d),
			d->nr_outstanding);
	if (num == 1)
		fclose(f);
	else
		fflush(f);
	return reply_text(conn, req, "OK");
}

static int control_print(struct xs_conn *conn, const struct xsd_sockmsg *req,
			 const char **vec, unsigned int num)
{
	if (num != 1)
		return EINVAL;
	xsd_log(conn->xsd, "control: %s", vec[0]);
	return reply_text(conn, req, "OK");
}

static int quota_show(struct xs_conn *conn, const struct xsd_sockmsg *req,
		      const struct xsd_quota *q)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t used = 0;
	unsigned int i;

	for (i = 0; i < XSD_Q_NR; i++) {
		if (!q[i].val && q == conn->xsd->quota_soft)
			continue;
		used += snprintf(buf + used, sizeof(buf) - used,
				 "%-17s: %8u %s\n", q[i].name, q[i].val,
				 q[i].descr);
	}
	buf[used] = '\0';
	return reply_text(conn, req, buf);
}

static int quota_domain(struct xs_conn *conn, const struct xsd_sockmsg *req,
			const char *arg)
{
	char buf[512], *end;
	unsigned long domid = strtoul(arg, &end, 10);
	struct xsd_domain *d;
	struct xs_conn *c;
	unsigned int watches = 0, txns = 0;

	if (!*arg || *end)
		return EINVAL;
	d = xsd_domain_find(conn->xsd, domid);
	if (!d || !xsd_domain_is_introduced(conn->xsd, domid))
		return ENOENT;
	list_for_each_entry(c, &conn->xsd->conns, list) {
		if (c->domid == domid) {
			watches += c->nr_watches;
			txns += c->nr_txns;
		}
	}
	snprintf(buf, sizeof(buf),
		 "Domain %lu:\n%-17s: %8ld\n%-17s: %8u\n%-17s: %8u\n"
		 "%-17s: %8u\n%-17s: %8ld\n",
		 domid, "nodes", d->nr_nodes, "watches", watches,
		 "transactions", txns, "outstanding", d->nr_outstanding,
		 "memory", xsd_domain_memory(d));
	return reply_text(conn, req, buf);
}

static int quota_set(struct xs_conn *conn, const struct xsd_sockmsg *req,
		     const char **vec, unsigned int num, struct xsd_quota *q)
{
	struct xsd_quota *found;
	char *end;
	unsigned long val;

	if (num != 2)
		return EINVAL;
	found = xsd_quota_find(q, vec[0]);
	val = strtoul(vec[1], &end, 10);
	if (!found || !*vec[1] || *end || val > 0x7fffffff)
		return EINVAL;
	found->val = val;
	return reply_text(conn, req, "OK");
}

static int control_quota(struct xs_conn *conn, const struct xsd_sockmsg *req,
			 const char **vec, unsigned int num)
{
	if (!num)
		return quota_show(conn, req, conn->xsd->quota);
	if (!strcmp(vec[0], "set"))
		return quota_set(conn, req, vec + 1, num - 1, conn->xsd->quota);
	if (num != 1)
		return EINVAL;
	return quota_domain(conn, req, vec[0]);
}

static int control_quota_soft(struct xs_conn *conn,
			      const struct xsd_sockmsg *req, const char **vec,
			      unsigned int num)
{
	if (!num)
		return quota_show(conn, req, conn->xsd->quota_soft);
	if (!strcmp(vec[0], "set"))
		return quota_set(conn, req, vec + 1, num - 1,
				 conn->xsd->quota_soft);
	return EINVAL;
}

/*
 * live-update -f <binary> | -c <cmdline> | -s [-F] [-t <timeout>] | -a
 * (the steps xenstore-control live-update sends).  "-s" answers "BUSY"
 * while transactions are open, unless forced; otherwise the reply comes
 * from the new daemon.
 */
static int control_live_update(struct xs_conn *conn,
			       const struct xsd_sockmsg *req, const char **vec,
			       unsigned int num)
{
	struct xsd *xsd = conn->xsd;
	struct xs_conn *c;
	bool force = false, busy = false;
	unsigned int i;
	char *copy;

	if (num < 1)
		return EINVAL;
	if (!strcmp(vec[0], "-a") && num == 1) {
		free(xsd->lu_binary);
		free(xsd->lu_cmdline);
		xsd->lu_binary = xsd->lu_cmdline = NULL;
		return reply_text(conn, req, "OK");
	}
	if ((!strcmp(vec[0], "-f") || !strcmp(vec[0], "-c")) && num == 2) {
		copy = strdup(vec[1]);
		if (!copy)
			return ENOMEM;
		if (vec[0][1] == 'f') {
			free(xsd->lu_binary);
			xsd->lu_binary = copy;
		} else {
			free(xsd->lu_cmdline);
			xsd->lu_cmdline = copy;
		}
		return reply_text(conn, req, "OK");
	}
	if (strcmp(vec[0], "-s"))
		return EINVAL;
	for (i = 1; i < num; i++) {
		if (!strcmp(vec[i], "-F"))
			force = true;
		else if (!strcmp(vec[i], "-t") && i + 1 < num)
			i++;
		else
			return EINVAL;
	}
	if (!xsd->lu_binary)
		return reply_text(conn, req, "No new binary selected");
	list_for_each_entry(c, &xsd->conns, list)
		busy |= c->nr_txns > 0;
	if (busy && !force)
		return reply_text(conn, req, "BUSY");
	xsd->lu_pending = true;
	xsd->lu_conn = conn->serial;
	xsd->lu_req = *req;
	return 0;
}

static int control_help(struct xs_conn *conn, const struct xsd_sockmsg *req,
			const char **vec, unsigned int num);

static const struct control_cmd control_cmds[] = {
	{ "check", control_check, "" },
	{ "log", control_log, "on|off" },
	{ "live-update", control_live_update,
	  "[-c <cmdline>] [-F] [-t <timeout>] <file>\n"
	  "    Default timeout is 60 seconds." },
	{ "logfile", control_logfile, "<file>" },
	{ "memreport", control_memreport, "[<file>]" },
	{ "print", control_print, "<string>" },
	{ "quota", control_quota, "[set <name> <val>|<domid>]" },
	{ "quota-soft", control_quota_soft, "[set <name> <val>]" },
	{ "help", control_help, "" },
};

#define NR_CMDS (sizeof(control_cmds) / sizeof(control_cmds[0]))

static int control_help(struct xs_conn *conn, const struct xsd_sockmsg *req,
			const char **vec, unsigned int num)
{
	char buf[1024];
	size_t used = 0, i;

	(void)vec;
	if (num)
		return EINVAL;
	for (i = 0; i < NR_CMDS; i++)
		used += snprintf(buf + used, sizeof(buf) - used, "%s\t%s\n",
				 control_cmds[i].name, control_cmds[i].pars);
	return reply_text(conn, req, buf);
}

int xsd_do_control(struct xs_conn *conn, const struct xsd_sockmsg *req,
		   const char *payload)
{
	const char *vec[32];
	unsigned int num = 0;
	uint32_t off = 0;
	const char *nul;
	size_t i;

	while (off < req->len && num < 32) {
		nul = memchr(payload + off, '\0', req->len - off);
		if (!nul)
			break;
		vec[num++] = payload + off;
		off = nul - payload + 1;
	}
	if (num < 1)
		return EINVAL;
	for (i = 0; i < NR_CMDS; i++) {
		if (!strcmp(vec[0], control_cmds[i].name))
			return control_cmds[i].fn(conn, req, vec + 1, num - 1);
	}
	return EINVAL;
}
