/*
 * quota.c: the outstanding-requests and memory quotas, accounted as Xen
 * 4.17's C xenstored does (xenstored_domain.c, XSA-326).
 *
 * Outstanding: a domain's request counts from the moment its reply is
 * queued until the reply has left for the client; a watch event counts
 * against the domain whose request caused it until that event is
 * delivered (so a domain cannot flood a slow watcher), while watch events
 * nobody's request caused (@releaseDomain from the hypervisor) count
 * against no one.  A domain at its quota is not read from until one of
 * those deliveries brings it below; then its ring is read again
 * (xsd_domains_resume, from the event loop).
 *
 * Memory: the bytes of the nodes a domain owns (node data, path, perms,
 * children names: store.c's node_bytes, as Xen's data + key size) plus
 * its watches (path + token), its transactions (a fixed record each, and
 * the nodes they touched) and its undelivered output.  New nodes, bigger
 * values, watches and transactions are refused with ENOMEM past the hard
 * quota; replies and watch events are never refused (they are charged
 * anyway, as Xen's "nochk"), so a request that was accepted is always
 * answered.  The soft quota logs once each time it is crossed.
 *
 * Differences from Xen: Xen counts its own allocation sizes (struct
 * buffered_data, struct transaction...); the fixed costs here are ours,
 * of the same order.  A domain over the hard memory quota keeps being
 * read (only allocations are refused), so that it can always free memory
 * with RM, UNWATCH or TRANSACTION_END.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define NO_DOMAIN 0xffffffffu

long xsd_domain_memory(const struct xsd_domain *d)
{
	return d ? d->memory + d->memory_other : 0;
}

static struct xsd_domain *conn_domain(struct xs_conn *conn)
{
	return conn->domain ? conn->domain :
			      xsd_domain_find(conn->xsd, conn->domid);
}

static void memory_add(struct xsd *xsd, struct xsd_domain *d, long bytes)
{
	long soft = xsd->quota_soft[XSD_Q_MEMORY].val;
	long before = xsd_domain_memory(d);

	d->memory_other += bytes;
	if (d->domid && soft && before < soft && xsd_domain_memory(d) >= soft)
		xsd_log(xsd, "domain %u exceeds soft memory quota (%ld bytes)",
			d->domid, xsd_domain_memory(d));
}

int xsd_memory_charge(struct xs_conn *conn, long bytes, bool force)
{
	struct xsd_domain *d = conn_domain(conn);
	unsigned int hard = conn->xsd->quota[XSD_Q_MEMORY].val;

	if (!d)
		return 0;
	if (!force && bytes > 0 && !conn->privileged && hard &&
	    xsd_domain_memory(d) + bytes > (long)hard)
		return ENOMEM;
	memory_add(conn->xsd, d, bytes);
	return 0;
}

static void charge_release(struct xsd *xsd, const struct xsd_charge *c,
			   uint32_t domid)
{
	unsigned int limit = xsd->quota[XSD_Q_OUTSTANDING].val;
	struct xsd_domain *d;

	d = xsd_domain_find(xsd, domid);
	if (d)
		d->memory_other -= c->bytes;
	if (c->outstanding == NO_DOMAIN)
		return;
	d = xsd_domain_find(xsd, c->outstanding);
	if (!d || !d->nr_outstanding)
		return;
	d->nr_outstanding--;
	if (d->stalled && (!limit || d->nr_outstanding < limit))
		xsd->resume_pending = true;
}

/* Called before ops->send, which may deliver at once. */
int xsd_charge_push(struct xs_conn *conn, uint32_t type, size_t size)
{
	struct xsd *xsd = conn->xsd;
	struct xsd_charge *c, *grown;
	struct xsd_domain *d;
	size_t cap, i;

	if (conn->nr_charges == conn->charge_cap) {
		cap = conn->charge_cap ? conn->charge_cap * 2 : 8;
		grown = malloc(cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		for (i = 0; i < conn->nr_charges; i++)
			grown[i] = conn->charges[(conn->charge_head + i) %
						 conn->charge_cap];
		free(conn->charges);
		conn->charges = grown;
		conn->charge_cap = cap;
		conn->charge_head = 0;
	}
	c = &conn->charges[(conn->charge_head + conn->nr_charges) %
			   conn->charge_cap];
	conn->queued += size;
	c->end = conn->queued;
	c->bytes = size;
	c->outstanding = type == XS_WATCH_EVENT ? xsd->cur_domid : conn->domid;
	conn->nr_charges++;
	xsd_memory_charge(conn, size, true);
	if (c->outstanding != NO_DOMAIN) {
		d = xsd_domain_find(xsd, c->outstanding);
		if (d)
			d->nr_outstanding++;
		else
			c->outstanding = NO_DOMAIN;
	}
	return 0;
}

/* The message just pushed was not queued after all. */
void xsd_charge_pop_last(struct xs_conn *conn)
{
	struct xsd_charge c;

	if (!conn->nr_charges)
		return;
	conn->nr_charges--;
	c = conn->charges[(conn->charge_head + conn->nr_charges) %
			  conn->charge_cap];
	conn->queued -= c.bytes;
	charge_release(conn->xsd, &c, conn->domid);
}

void xsd_conn_delivered(struct xs_conn *conn)
{
	uint64_t delivered = conn->queued - conn->ops->pending(conn);
	struct xsd_charge *c;

	while (conn->nr_charges) {
		c = &conn->charges[conn->charge_head];
		if (c->end > delivered)
			break;
		conn->charge_head = (conn->charge_head + 1) % conn->charge_cap;
		conn->nr_charges--;
		charge_release(conn->xsd, c, conn->domid);
	}
}

/* A connection that goes away releases what its output was charged. */
void xsd_conn_charges_free(struct xs_conn *conn)
{
	while (conn->nr_charges) {
		charge_release(conn->xsd, &conn->charges[conn->charge_head],
			       conn->domid);
		conn->charge_head = (conn->charge_head + 1) % conn->charge_cap;
		conn->nr_charges--;
	}
	free(conn->charges);
	conn->charges = NULL;
	conn->charge_cap = 0;
}

void xsd_domains_resume(struct xsd *xsd)
{
	unsigned int limit = xsd->quota[XSD_Q_OUTSTANDING].val;
	struct xsd_domain *d;

	if (!xsd->resume_pending)
		return;
	xsd->resume_pending = false;
	list_for_each_entry(d, &xsd->domains, list) {
		if (!d->stalled || (limit && d->nr_outstanding >= limit))
			continue;
		d->stalled = false;
		if (d->conn && d->conn->ops && d->conn->ops->resume)
			d->conn->ops->resume(d->conn);
	}
}

/* Xen's domain_can_read, for the quota part. */
bool xsd_quota_may_read(struct xs_conn *conn)
{
	unsigned int limit = conn->xsd->quota[XSD_Q_OUTSTANDING].val;
	struct xsd_domain *d;

	if (conn->privileged || !limit)
		return true;
	d = conn_domain(conn);
	if (!d || d->nr_outstanding < limit)
		return true;
	d->stalled = true;
	return false;
}
