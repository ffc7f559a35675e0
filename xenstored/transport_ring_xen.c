/*
 * transport_ring_xen.c: the ring backend of xenstored on a real hypervisor
 * (xenhv, through libxc).  XS_INTRODUCE maps the guest's xenstore page by
 * foreign map of the gfn the toolstack gave (Xen's xenstored tries the
 * reserved grant first; domain 0 may map any frame here), binds the ring's
 * event channel with xenevtchn and serves the ring (transport_ring.c)
 * whenever the channel's fd is readable.  XS_RELEASE undoes all of it.
 *
 * VIRQ_DOM_EXC tells us a domain shut down or died: each introduced domain
 * that is shut down gets one @releaseDomain, and one that is dying or gone
 * is released (which fires @releaseDomain), as Xen's domain_cleanup does.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>

#include "transport.h"

#define XEN_VIRQ_DOM_EXC 3

struct ring_xen_conn {
	struct ring_xen_conn *next;
	struct ring_xen *rx;
	uint32_t domid;
	struct xsd_ring *ring;
	struct xs_conn *conn;
	void *page;
	xenevtchn_handle *xce;
	evtchn_port_t local_port;
	struct xsd_loop_fd *lfd;
	bool shutdown_seen; /* @releaseDomain fired for its shutdown */
};

struct ring_xen {
	struct xsd *xsd;
	struct xsd_loop *loop;
	xc_interface *xch;
	xenforeignmemory_handle *fmem;
	xenevtchn_handle *virq_xce;
	struct xsd_loop_fd *virq_lfd;
	struct ring_xen_conn *conns;
};

static void ring_xen_notify(void *ctx)
{
	struct ring_xen_conn *c = ctx;

	xenevtchn_notify(c->xce, c->local_port);
}

static void ring_xen_event(void *arg)
{
	struct ring_xen_conn *c = arg;
	int port = xenevtchn_pending(c->xce);

	if (port >= 0)
		xenevtchn_unmask(c->xce, (evtchn_port_t)port);
	if (xsd_ring_handle(c->ring))
		xsd_log(c->rx->xsd, "domain %u: ring broken", c->domid);
}

static void ring_xen_conn_free(struct ring_xen_conn *c)
{
	if (c->lfd)
		xsd_loop_del_fd(c->rx->loop, c->lfd);
	if (c->ring)
		xsd_ring_free(c->ring); /* frees the connection too */
	if (c->xce)
		xenevtchn_close(c->xce); /* closes the port */
	if (c->page)
		xenforeignmemory_unmap(c->rx->fmem, c->page, 1);
	free(c);
}

/*
 * Maps dom's ring page, binds its event channel and serves it: with a new
 * connection, or with ring, a parked one carried over by a live update
 * (its connection, watches, transactions and queued replies intact).
 */
static struct xs_conn *ring_xen_connect_ring(struct ring_xen *rx,
					     struct xsd_domain *dom,
					     struct xsd_ring *ring)
{
	struct ring_xen_conn *c = calloc(1, sizeof(*c));
	xen_pfn_t gfn = (xen_pfn_t)dom->gfn;
	int port, err = 0;

	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	c->rx = rx;
	c->domid = dom->domid;
	if (dom->gfn < 0) {
		err = EINVAL;
		goto fail;
	}
	c->page = xenforeignmemory_map(rx->fmem, dom->domid,
				       PROT_READ | PROT_WRITE, 1, &gfn, NULL);
	if (!c->page) {
		err = errno;
		goto fail;
	}
	c->xce = xenevtchn_open(NULL, 0);
	if (!c->xce) {
		err = errno;
		goto fail;
	}
	port = xenevtchn_bind_interdomain(c->xce, dom->domid, dom->port);
	if (port < 0) {
		err = errno;
		goto fail;
	}
	c->local_port = (evtchn_port_t)port;
	if (ring) {
		xsd_ring_attach(ring, c->page, ring_xen_notify, c);
		c->ring = ring;
	} else {
		c->ring = xsd_ring_new(rx->xsd, dom->domid, c->page,
				       ring_xen_notify, c);
	}
	if (!c->ring) {
		err = errno ? errno : ENOMEM;
		goto fail;
	}
	c->conn = xsd_ring_conn(c->ring);
	c->lfd = xsd_loop_add_fd(rx->loop, xenevtchn_fd(c->xce),
				 ring_xen_event, c);
	if (!c->lfd) {
		err = ENOMEM;
		goto fail;
	}
	c->next = rx->conns;
	rx->conns = c;
	/*
	 * The guest may have written before we were there, or, after a live
	 * update, while no one was bound (its kicks went nowhere): look at
	 * the ring now, and kick it so that a guest waiting for replies
	 * queued across the update sees them.
	 */
	xsd_ring_handle(c->ring);
	if (ring)
		ring_xen_notify(c);
	return c->conn;
fail:
	xsd_log(rx->xsd, "domain %u: cannot connect its ring (gfn %lld, port %u): %s",
		dom->domid, (long long)dom->gfn, dom->port, strerror(err));
	if (ring && c->ring == ring) {
		/* Leave the carried connection parked, not freed. */
		xsd_ring_park(ring);
		c->ring = NULL;
	}
	ring_xen_conn_free(c);
	errno = err ? err : EIO;
	return NULL;
}

static struct xs_conn *ring_xen_connect(void *ctx, struct xsd_domain *dom)
{
	struct xsd_ring *parked = xsd_ring_of_conn(dom->conn);

	/* A connection carried by a live update keeps its state. */
	if (parked && xsd_ring_is_parked(parked))
		return ring_xen_connect_ring(ctx, dom, parked);
	return ring_xen_connect_ring(ctx, dom, NULL);
}

static void ring_xen_disconnect(void *ctx, struct xs_conn *conn)
{
	struct ring_xen *rx = ctx;
	struct ring_xen_conn **pp, *c;

	for (pp = &rx->conns; (c = *pp); pp = &c->next) {
		if (c->conn != conn)
			continue;
		*pp = c->next;
		ring_xen_conn_free(c);
		return;
	}
	xsd_conn_free(conn);
}

/*
 * After a live update: every introduced domain came back with its
 * connection parked; map and bind its ring again.  The old daemon's
 * mapping and event channel went with its exec (their fds are
 * close-on-exec in libxc), so xenhv put the guest's port back to unbound
 * and we bind it again: the guest keeps its port number, and any kick it
 * sent meanwhile is made up for by looking at the ring once bound.
 */
static void ring_xen_resume(struct ring_xen *rx)
{
	struct xsd_domain *d;
	struct xsd_ring *ring;

	list_for_each_entry(d, &rx->xsd->domains, list) {
		ring = xsd_ring_of_conn(d->conn);
		if (!d->introduced || !ring || !xsd_ring_is_parked(ring))
			continue;
		if (ring_xen_connect(rx, d))
			xsd_log(rx->xsd, "domain %u: ring resumed after live update",
				d->domid);
	}
}

/*
 * After a crash: the daemon's fds are gone with it, and so is what lived
 * only in its memory: watches, open transactions, half-read requests and
 * replies not yet in a ring.  Committed nodes came back from the journal;
 * the rings come back here: each domain xenhv still runs that has a
 * xenstore page and port (its HVM params, as the toolstack set them) is
 * introduced again, mapped and bound, without @introduceDomain (it never
 * left).  A PV domain's ring (in start_info, not in a param) is not
 * found: the toolstack must introduce it again.
 */
#define XEN_HVM_PARAM_STORE_PFN 1
#define XEN_HVM_PARAM_STORE_EVTCHN 2

static void ring_xen_recover(struct ring_xen *rx)
{
	xc_domaininfo_t info[64];
	uint32_t first = 1;
	uint64_t pfn, port;
	struct xsd_domain *d;
	int n, i;

	do {
		n = xc_domain_getinfolist(rx->xch, first, 64, info);
		for (i = 0; i < n; i++) {
			uint32_t domid = info[i].domain;

			first = domid + 1;
			if (info[i].flags & XEN_DOMINF_dying)
				continue;
			if (xc_hvm_param_get(rx->xch, domid,
					     XEN_HVM_PARAM_STORE_PFN, &pfn) ||
			    xc_hvm_param_get(rx->xch, domid,
					     XEN_HVM_PARAM_STORE_EVTCHN, &port) ||
			    !pfn || !port)
				continue;
			d = xsd_domain_get(rx->xsd, domid);
			if (!d || d->introduced)
				continue;
			d->gfn = (int64_t)pfn;
			d->port = (uint32_t)port;
			d->conn = ring_xen_connect(rx, d);
			if (!d->conn)
				continue;
			d->conn->domain = d;
			d->introduced = true;
			xsd_log(rx->xsd,
				"domain %u: ring recovered after a crash (gfn %llu, port %llu); its watches, transactions and replies in flight are lost",
				domid, (unsigned long long)pfn,
				(unsigned long long)port);
		}
	} while (n == 64);
}

/* VIRQ_DOM_EXC: look at every domain with a ring. */
static void ring_xen_dom_exc(void *arg)
{
	struct ring_xen *rx = arg;
	struct ring_xen_conn *c, *next;
	int port = xenevtchn_pending(rx->virq_xce);

	if (port >= 0)
		xenevtchn_unmask(rx->virq_xce, (evtchn_port_t)port);
	for (c = rx->conns; c; c = next) {
		xc_domaininfo_t info;
		bool gone;

		next = c->next;
		gone = xc_domain_getinfo_single(rx->xch, c->domid, &info) < 0;
		if (gone || (info.flags & XEN_DOMINF_dying)) {
			/* Release fires @releaseDomain and frees c. */
			xsd_domain_release(rx->xsd, c->domid);
			continue;
		}
		if ((info.flags & XEN_DOMINF_shutdown) && !c->shutdown_seen) {
			c->shutdown_seen = true;
			xsd_fire_watches(rx->xsd, XSD_SPECIAL_RELEASE, NULL, 0,
					 false);
		}
	}
}

int xsd_ring_xen_attach(struct xsd *xsd, struct xsd_loop *loop)
{
	struct ring_xen *rx = calloc(1, sizeof(*rx));
	int port;

	if (!rx)
		return -ENOMEM;
	rx->xsd = xsd;
	rx->loop = loop;
	rx->xch = xc_interface_open(NULL, NULL, 0);
	if (!rx->xch) {
		/* No hypervisor (tests with the socket only): no rings. */
		free(rx);
		return -ENODEV;
	}
	rx->fmem = xenforeignmemory_open(NULL, 0);
	if (!rx->fmem)
		goto fail;
	rx->virq_xce = xenevtchn_open(NULL, 0);
	if (rx->virq_xce) {
		port = xenevtchn_bind_virq(rx->virq_xce, XEN_VIRQ_DOM_EXC);
		if (port >= 0)
			rx->virq_lfd = xsd_loop_add_fd(
				loop, xenevtchn_fd(rx->virq_xce),
				ring_xen_dom_exc, rx);
		else
			xsd_log(xsd, "cannot bind VIRQ_DOM_EXC: %s",
				strerror(errno));
	}
	xsd->ring.connect = ring_xen_connect;
	xsd->ring.disconnect = ring_xen_disconnect;
	xsd->ring.ctx = rx;
	xsd_log(xsd, "guest rings through the hypervisor");
	ring_xen_resume(rx);
	if (xsd->recovered)
		ring_xen_recover(rx);
	return 0;
fail:
	if (rx->fmem)
		xenforeignmemory_close(rx->fmem);
	xc_interface_close(rx->xch);
	free(rx);
	return -ENODEV;
}

void xsd_ring_xen_detach(struct xsd *xsd)
{
	struct ring_xen *rx = xsd->ring.ctx;

	if (xsd->ring.connect != ring_xen_connect || !rx)
		return;
	while (rx->conns) {
		struct ring_xen_conn *c = rx->conns;

		rx->conns = c->next;
		ring_xen_conn_free(c);
	}
	if (rx->virq_lfd)
		xsd_loop_del_fd(rx->loop, rx->virq_lfd);
	if (rx->virq_xce)
		xenevtchn_close(rx->virq_xce);
	xenforeignmemory_close(rx->fmem);
	xc_interface_close(rx->xch);
	free(rx);
	xsd->ring.connect = NULL;
	xsd->ring.disconnect = NULL;
	xsd->ring.ctx = NULL;
}
