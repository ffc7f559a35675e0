/*
 * domain.c: the domains xenstored knows, their accounting and their
 * introduction and release.
 *
 * Domain 0 is the host and always introduced.  Other domains are recorded
 * when their nodes are accounted or when the toolstack introduces them; an
 * introduced domain gets a ring connection from the ring backend once one
 * exists (the hypervisor's mapping and event channels), and @introduceDomain
 * fires.  RELEASE drops its connection, watches and transactions and fires
 * @releaseDomain.  Nodes are left to the toolstack to remove, as in Xen.
 */
#include <stdlib.h>
#include <string.h>

#include "transport.h"

struct xsd_domain *xsd_domain_find(struct xsd *xsd, uint32_t domid)
{
	struct xsd_domain *d;

	list_for_each_entry(d, &xsd->domains, list) {
		if (d->domid == domid)
			return d;
	}
	return NULL;
}

struct xsd_domain *xsd_domain_get(struct xsd *xsd, uint32_t domid)
{
	struct xsd_domain *d = xsd_domain_find(xsd, domid);

	if (d)
		return d;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->domid = domid;
	d->introduced = domid == 0;
	list_add_tail(&d->list, &xsd->domains);
	return d;
}

static void domain_account(void *ctx, uint32_t owner, int nodes, long bytes)
{
	struct xsd_domain *d = xsd_domain_get(ctx, owner);

	if (!d)
		return;
	d->nr_nodes += nodes;
	d->memory += bytes;
}

void xsd_domain_hooks(struct xs_store_hooks *hooks)
{
	hooks->account = domain_account;
}

bool xsd_domain_is_introduced(struct xsd *xsd, uint32_t domid)
{
	struct xsd_domain *d = xsd_domain_find(xsd, domid);

	return domid == 0 || (d && d->introduced);
}

int xsd_domain_introduce(struct xsd *xsd, uint32_t domid, int64_t gfn,
			 uint32_t port)
{
	struct xsd_domain *d = xsd_domain_get(xsd, domid);
	struct xs_conn *conn;

	if (!d)
		return -ENOMEM;
	if (d->introduced && domid != 0) {
		/* Xen re-binds the event channel of a known ring; one without
		 * a connection (after a live update) is connected again. */
		if (d->gfn != gfn)
			return -EINVAL;
		d->port = port;
		if ((!d->conn || (xsd_ring_of_conn(d->conn) &&
				  xsd_ring_is_parked(xsd_ring_of_conn(d->conn)))) &&
		    xsd->ring.connect) {
			conn = xsd->ring.connect(xsd->ring.ctx, d);
			if (!conn)
				return -errno;
			d->conn = conn;
			conn->domain = d;
		}
		return 0;
	}
	d->gfn = gfn;
	d->port = port;
	if (xsd->ring.connect && domid != 0) {
		conn = xsd->ring.connect(xsd->ring.ctx, d);
		if (!conn)
			return -errno;
		d->conn = conn;
		conn->domain = d;
	}
	d->introduced = true;
	xsd_log(xsd, "introduced domain %u (gfn %lld, port %u)", domid,
		(long long)gfn, port);
	xsd_fire_watches(xsd, XSD_SPECIAL_INTRODUCE, NULL, 0, false);
	return 0;
}

int xsd_domain_release(struct xsd *xsd, uint32_t domid)
{
	struct xsd_domain *d = xsd_domain_find(xsd, domid);
	struct xs_conn *conn;

	if (!d || !d->introduced)
		return -ENOENT;
	conn = d->conn;
	d->conn = NULL;
	d->introduced = false;
	d->has_target = false;
	if (conn) {
		if (xsd->ring.disconnect)
			xsd->ring.disconnect(xsd->ring.ctx, conn);
		else
			xsd_conn_destroy(conn);
	}
	xsd_log(xsd, "released domain %u", domid);
	xsd_fire_watches(xsd, XSD_SPECIAL_RELEASE, NULL, 0, false);
	return 0;
}
