/*
 * Event channels for host processes: xc_evtchn_alloc_unbound and the
 * xenevtchn API (xenevtchn.h).  A handle is its own privcmd connection (so
 * its ports close with it), an epoll set of the per-port "event" eventfds
 * (the handle's pollable fd), and a table port -> eventfds.  Binding is the
 * event_channel_op hypercall as domain 0, then PRIVCMD_MSG_EVTCHN_ATTACH
 * hands xenhv the port's two eventfds (xen/sys/privcmd.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <xenevtchn.h>

#include "xc_private.h"

#define XENEVTCHN_MAX_PORTS 4096

struct xenevtchn_port {
	evtchn_port_t port;
	int event_fd; /* xenhv -> us */
	int send_fd; /* us -> xenhv */
};

struct xenevtchn_handle {
	xc_interface *xch;
	int epoll_fd;
	struct xenevtchn_port *ports;
	unsigned int nr_ports, cap_ports;
};

static long xc_evtchn_op(xc_interface *xch, unsigned int cmd, void *arg, size_t len)
{
	struct privcmd_buf buf = xc_buf(arg, len, PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT);
	uint64_t args[5] = { cmd, (uint64_t)(uintptr_t)arg };

	return xc_hypercall(xch, __HYPERVISOR_event_channel_op, args, &buf, 1);
}

int xc_evtchn_alloc_unbound(xc_interface *xch, uint32_t dom, uint32_t remote_dom)
{
	struct evtchn_alloc_unbound op = { .dom = (domid_t)dom, .remote_dom = (domid_t)remote_dom };

	if (xc_evtchn_op(xch, EVTCHNOP_alloc_unbound, &op, sizeof(op)) < 0)
		return -1;
	return (int)op.port;
}

int xc_evtchn_status(xc_interface *xch, xc_evtchn_status_t *status)
{
	return xc_evtchn_op(xch, EVTCHNOP_status, status, sizeof(*status)) < 0 ? -1 : 0;
}

int xc_evtchn_reset(xc_interface *xch, uint32_t dom)
{
	struct evtchn_reset op = { .dom = (domid_t)dom };

	return xc_evtchn_op(xch, EVTCHNOP_reset, &op, sizeof(op)) < 0 ? -1 : 0;
}

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	xenevtchn_handle *xce = calloc(1, sizeof(*xce));
	int saved;

	(void)logger;
	if (!xce) {
		errno = ENOMEM;
		return NULL;
	}
	xce->epoll_fd = epoll_create1(open_flags & XENEVTCHN_NO_CLOEXEC ? 0 : EPOLL_CLOEXEC);
	if (xce->epoll_fd < 0)
		goto fail;
	xce->xch = xc_interface_open(NULL, NULL, 0);
	if (!xce->xch)
		goto fail;
	return xce;
fail:
	saved = errno;
	if (xce->epoll_fd >= 0)
		close(xce->epoll_fd);
	free(xce);
	errno = saved;
	return NULL;
}

static void xenevtchn_port_release(struct xenevtchn_port *p)
{
	close(p->event_fd);
	close(p->send_fd);
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	unsigned int i;

	if (!xce)
		return 0;
	/* Closing the connection closes the ports in xenhv. */
	xc_interface_close(xce->xch);
	for (i = 0; i < xce->nr_ports; i++)
		xenevtchn_port_release(&xce->ports[i]);
	free(xce->ports);
	close(xce->epoll_fd);
	free(xce);
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->epoll_fd;
}

static struct xenevtchn_port *xenevtchn_find(xenevtchn_handle *xce, evtchn_port_t port)
{
	unsigned int i;

	for (i = 0; i < xce->nr_ports; i++)
		if (xce->ports[i].port == port)
			return &xce->ports[i];
	return NULL;
}

/* Give xenhv the new port's eventfds and watch the event one. */
static int xenevtchn_attach(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct privcmd_evtchn_attach req = { .port = port };
	struct epoll_event ev = { .events = EPOLLIN };
	struct xenevtchn_port p = { port, -1, -1 };
	int fds[2], saved;

	if (xce->nr_ports >= XENEVTCHN_MAX_PORTS) {
		errno = ENOSPC;
		return -1;
	}
	if (xce->nr_ports == xce->cap_ports) {
		unsigned int cap = xce->cap_ports ? xce->cap_ports * 2 : 8;
		struct xenevtchn_port *np = realloc(xce->ports, cap * sizeof(*np));

		if (!np) {
			errno = ENOMEM;
			return -1;
		}
		xce->ports = np;
		xce->cap_ports = cap;
	}
	p.event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	p.send_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p.event_fd < 0 || p.send_fd < 0)
		goto fail;
	fds[0] = p.event_fd;
	fds[1] = p.send_fd;
	if (xc_privcmd_xfer(xce->xch, PRIVCMD_MSG_EVTCHN_ATTACH, &req, sizeof(req), fds, 2, NULL, 0,
			    NULL) < 0)
		goto fail;
	ev.data.u32 = port;
	if (epoll_ctl(xce->epoll_fd, EPOLL_CTL_ADD, p.event_fd, &ev) < 0)
		goto fail;
	xce->ports[xce->nr_ports++] = p;
	return 0;
fail:
	saved = errno;
	if (p.event_fd >= 0)
		close(p.event_fd);
	if (p.send_fd >= 0)
		close(p.send_fd);
	errno = saved;
	return -1;
}

static xenevtchn_port_or_error_t xenevtchn_bound(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct evtchn_close cl = { .port = port };
	int saved;

	if (xenevtchn_attach(xce, port) == 0)
		return (int)port;
	saved = errno;
	xc_evtchn_op(xce->xch, EVTCHNOP_close, &cl, sizeof(cl));
	errno = saved;
	return -1;
}

xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = (domid_t)domid };

	if (xc_evtchn_op(xce->xch, EVTCHNOP_alloc_unbound, &op, sizeof(op)) < 0)
		return -1;
	return xenevtchn_bound(xce, op.port);
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
						     evtchn_port_t remote_port)
{
	struct evtchn_bind_interdomain op = { .remote_dom = (domid_t)domid,
					      .remote_port = remote_port };

	if (xc_evtchn_op(xce->xch, EVTCHNOP_bind_interdomain, &op, sizeof(op)) < 0)
		return -1;
	return xenevtchn_bound(xce, op.local_port);
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq)
{
	struct evtchn_bind_virq op = { .virq = virq, .vcpu = 0 };

	if (xc_evtchn_op(xce->xch, EVTCHNOP_bind_virq, &op, sizeof(op)) < 0)
		return -1;
	return xenevtchn_bound(xce, op.port);
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct privcmd_evtchn_attach req = { .port = port };
	struct evtchn_close cl = { .port = port };
	struct xenevtchn_port *p = xenevtchn_find(xce, port);

	if (!p) {
		errno = EINVAL;
		return -1;
	}
	xc_privcmd_call(xce->xch, PRIVCMD_MSG_EVTCHN_DETACH, &req, sizeof(req), NULL, 0, NULL);
	epoll_ctl(xce->epoll_fd, EPOLL_CTL_DEL, p->event_fd, NULL);
	xenevtchn_port_release(p);
	*p = xce->ports[--xce->nr_ports];
	return xc_evtchn_op(xce->xch, EVTCHNOP_close, &cl, sizeof(cl)) < 0 ? -1 : 0;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct xenevtchn_port *p = xenevtchn_find(xce, port);
	uint64_t one = 1;

	if (!p) {
		errno = EINVAL;
		return -1;
	}
	/* Straight to xenhv's poll set: no socket round trip. */
	return write(p->send_fd, &one, sizeof(one)) == sizeof(one) ? 0 : -1;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	struct epoll_event ev;
	struct xenevtchn_port *p;
	uint64_t count;
	int n;

	do
		n = epoll_wait(xce->epoll_fd, &ev, 1, -1);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	p = xenevtchn_find(xce, ev.data.u32);
	if (!p) {
		errno = EAGAIN;
		return -1;
	}
	/* Reading clears the eventfd: merged events arrive as one. */
	if (read(p->event_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return -1;
	return (int)p->port;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	if (!xenevtchn_find(xce, port)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int xenevtchn_restrict(xenevtchn_handle *xce, uint16_t domid)
{
	(void)xce;
	(void)domid;
	errno = EOPNOTSUPP;
	return -1;
}
