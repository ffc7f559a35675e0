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

static struct xs_conn *ring_xen_connect(void *ctx, struct xsd_domain *dom)
{
	struct ring_xen *rx = ctx;
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
	c->ring = xsd_ring_new(rx->xsd, dom->domid, c->page, ring_xen_notify,
			       c);
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
	/* The guest may have written before we were there. */
	xsd_ring_handle(c->ring);
	return c->conn;
fail:
	xsd_log(rx->xsd, "domain %u: cannot connect its ring (gfn %lld, port %u): %s",
		dom->domid, (long long)dom->gfn, dom->port, strerror(err));
	ring_xen_conn_free(c);
	errno = err ? err : EIO;
	return NULL;
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
