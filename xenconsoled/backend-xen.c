/*
 * The console backend on libxc, for a real host (xenhv): the domain list
 * from xc_domain_getinfolist, the ring mapped by grant (GNTTAB_RESERVED_CONSOLE)
 * or else by foreign map of ring-ref, one xenevtchn handle per domain (so
 * each has its own fd to poll), and the hypervisor console read incrementally
 * on VIRQ_CON_RING, as Xen's xenconsoled does.
 *
 * Built only when the build defines KXEN_CONSOLED_WITH_LIBXC (and links
 * libxenctrl): see xenconsoled/Makefile.inc.  Without it the daemon runs
 * only with the test backend.
 */
#include "backend.h"

#ifndef KXEN_CONSOLED_WITH_LIBXC

const struct console_backend_ops *const console_backend_xen_ops = NULL;

#else

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <xenctrl.h>
#if __has_include(<xenevtchn.h>)
#include <xenevtchn.h>
#endif
#if __has_include(<xengnttab.h>)
#include <xengnttab.h>
#endif
#if __has_include(<xenforeignmemory.h>)
#include <xenforeignmemory.h>
#endif

#define XEN_GNTTAB_RESERVED_CONSOLE 0
#define XEN_VIRQ_CON_RING 8

struct console_backend {
	xc_interface *xch;
	xengnttab_handle *xgt; /* NULL when grant mapping is unavailable */
	xenforeignmemory_handle *xfm;
	xenevtchn_handle *hv_xce; /* VIRQ_CON_RING */
	int hv_port;
	uint32_t hv_index;
	xc_domaininfo_t *info;
};

enum xen_map_kind { XEN_MAP_GRANT = 1, XEN_MAP_FOREIGN };

static int xen_open(struct console_backend **bep)
{
	struct console_backend *be = calloc(1, sizeof(*be));
	int rc;

	if (!be)
		return -ENOMEM;
	be->hv_port = -1;
	be->xch = xc_interface_open(NULL, NULL, 0);
	if (!be->xch) {
		rc = errno ? -errno : -ENOENT;
		goto fail;
	}
	be->xfm = xenforeignmemory_open(NULL, 0);
	if (!be->xfm) {
		rc = errno ? -errno : -ENOENT;
		goto fail;
	}
	be->xgt = xengnttab_open(NULL, 0); /* optional: foreign map is the fallback */
	be->info = calloc(1024, sizeof(*be->info));
	if (!be->info) {
		rc = -ENOMEM;
		goto fail;
	}
	be->hv_xce = xenevtchn_open(NULL, 0);
	if (be->hv_xce) {
		be->hv_port = xenevtchn_bind_virq(be->hv_xce, XEN_VIRQ_CON_RING);
		if (be->hv_port < 0) {
			xenevtchn_close(be->hv_xce);
			be->hv_xce = NULL;
		}
	}
	*bep = be;
	return 0;
fail:
	if (be->xfm)
		xenforeignmemory_close(be->xfm);
	if (be->xch)
		xc_interface_close(be->xch);
	free(be);
	return rc;
}

static void xen_close(struct console_backend *be)
{
	if (!be)
		return;
	if (be->hv_xce)
		xenevtchn_close(be->hv_xce);
	if (be->xgt)
		xengnttab_close(be->xgt);
	xenforeignmemory_close(be->xfm);
	xc_interface_close(be->xch);
	free(be->info);
	free(be);
}

static int xen_list_domains(struct console_backend *be, struct console_domain_info *out, size_t max)
{
	int n, i;

	if (max > 1024)
		max = 1024;
	n = xc_domain_getinfolist(be->xch, 0, (unsigned int)max, be->info);
	if (n < 0)
		return errno ? -errno : -EIO;
	for (i = 0; i < n; i++) {
		out[i].domid = be->info[i].domain;
		out[i].dying = (be->info[i].flags & XEN_DOMINF_dying) != 0;
	}
	return n;
}

static int xen_domains_fd(struct console_backend *be)
{
	(void)be;
	return -1; /* xenstore's @introduceDomain/@releaseDomain tell us */
}

static void xen_domains_ack(struct console_backend *be)
{
	(void)be;
}

static int xen_map_ring(struct console_backend *be, uint32_t domid, uint64_t ring_ref,
			struct console_ring_map *map)
{
	xen_pfn_t pfn = (xen_pfn_t)ring_ref;
	int err = 0;
	void *page = NULL;

	if (be->xgt)
		page = xengnttab_map_grant_ref(be->xgt, domid, XEN_GNTTAB_RESERVED_CONSOLE,
					       PROT_READ | PROT_WRITE);
	if (page) {
		map->intf = page;
		map->priv = (void *)(uintptr_t)XEN_MAP_GRANT;
		return 0;
	}
	page = xenforeignmemory_map(be->xfm, domid, PROT_READ | PROT_WRITE, 1, &pfn, &err);
	if (!page)
		return errno ? -errno : -EIO;
	if (err) {
		xenforeignmemory_unmap(be->xfm, page, 1);
		return err < 0 ? err : -err;
	}
	map->intf = page;
	map->priv = (void *)(uintptr_t)XEN_MAP_FOREIGN;
	return 0;
}

static void xen_unmap_ring(struct console_backend *be, struct console_ring_map *map)
{
	if (!map->intf)
		return;
	if ((uintptr_t)map->priv == XEN_MAP_GRANT)
		xengnttab_unmap(be->xgt, map->intf, 1);
	else
		xenforeignmemory_unmap(be->xfm, map->intf, 1);
	map->intf = NULL;
}

static int xen_bind_port(struct console_backend *be, uint32_t domid, uint32_t remote_port,
			 struct console_port *port)
{
	xenevtchn_handle *xce = xenevtchn_open(NULL, 0);
	int local;

	(void)be;
	if (!xce)
		return errno ? -errno : -EIO;
	local = xenevtchn_bind_interdomain(xce, domid, remote_port);
	if (local < 0) {
		int rc = errno ? -errno : -EIO;

		xenevtchn_close(xce);
		return rc;
	}
	port->fd = xenevtchn_fd(xce);
	port->local_port = (uint32_t)local;
	port->priv = xce;
	return 0;
}

/*
 * Takes the pending event of a handle and unmasks it, if there is one:
 * xenevtchn_pending blocks when nothing is pending, so look first.
 */
static void xen_take_event(xenevtchn_handle *xce)
{
	struct pollfd pfd = { xenevtchn_fd(xce), POLLIN, 0 };
	int pending;

	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLIN))
		return;
	pending = xenevtchn_pending(xce);
	if (pending >= 0)
		xenevtchn_unmask(xce, (evtchn_port_t)pending);
}

static void xen_ack(struct console_backend *be, struct console_port *port)
{
	(void)be;
	xen_take_event(port->priv);
}

static int xen_notify(struct console_backend *be, struct console_port *port)
{
	(void)be;
	return xenevtchn_notify(port->priv, port->local_port) < 0 ? -errno : 0;
}

static void xen_unbind(struct console_backend *be, struct console_port *port)
{
	(void)be;
	if (!port->priv)
		return;
	xenevtchn_unbind(port->priv, port->local_port);
	xenevtchn_close(port->priv);
	port->priv = NULL;
	port->fd = -1;
}

static int xen_hv_console_fd(struct console_backend *be)
{
	return be->hv_xce ? xenevtchn_fd(be->hv_xce) : -1;
}

static long xen_hv_console_read(struct console_backend *be, char *buf, size_t len)
{
	unsigned int n = (unsigned int)len;
	uint32_t before;

	if (!be->hv_xce)
		return 0;
	xen_take_event(be->hv_xce);
	before = be->hv_index;
	if (xc_readconsolering(be->xch, buf, &n, 0, 1, &be->hv_index) < 0)
		return errno ? -errno : -EIO;
	/* Never trust a count beyond our buffer, nor a read that does not move on. */
	if (n > len || (n && be->hv_index == before))
		return -EPROTO;
	return n;
}

static const struct console_backend_ops xen_ops = {
	.name = "xen",
	.open = xen_open,
	.close = xen_close,
	.list_domains = xen_list_domains,
	.domains_fd = xen_domains_fd,
	.domains_ack = xen_domains_ack,
	.map_ring = xen_map_ring,
	.unmap_ring = xen_unmap_ring,
	.bind_port = xen_bind_port,
	.ack = xen_ack,
	.notify = xen_notify,
	.unbind = xen_unbind,
	.hv_console_fd = xen_hv_console_fd,
	.hv_console_read = xen_hv_console_read,
};

const struct console_backend_ops *const console_backend_xen_ops = &xen_ops;

#endif
