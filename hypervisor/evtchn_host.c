/*
 * The host ends of domain 0's event channel ports.  Domain 0 is the host:
 * its ports are held by host processes (xenstored, xenconsoled, backends)
 * through libxc's xenevtchn API.  A process binds a port with the
 * event_channel_op hypercall over its privcmd connection and then attaches
 * two eventfds it made (PRIVCMD_MSG_EVTCHN_ATTACH): xenhv signals the first
 * when the port gets an event, and watches the second in its main loop,
 * sending on the port whenever the process writes it.  No round trip and
 * no polling loop in either direction.
 *
 * An event that arrives before the attach is remembered and signalled at
 * attach time.  Ports belong to the attaching connection: when it closes,
 * they are closed, as closing /dev/xen/evtchn closes them on Xen, after a
 * last look at the kick eventfd (the process may have sent and exited).
 *
 * A port's record is never freed before xenhv stops, only emptied: the
 * main loop may still hold an event for its kick fd from the same
 * epoll_wait batch, and then finds fd -1 instead of freed memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <xen/event_channel.h>

#include "domain.h"
#include "events.h"
#include "evtchn.h"

/* Ports of domain 0 with a host end: FIFO's bound, as evtchn.c's. */
#define HOSTPORT_MAX (1u << EVTCHN_FIFO_LINK_BITS)

struct hv_hostport {
	struct hv_watch watch; /* the kick fd in the main loop; first */
	struct xenhv *hv;
	uint32_t port;
	void *conn; /* owner, NULL before the attach */
	int notify_fd; /* xenhv writes, the host process polls */
	int epoll_fd;
	bool pending; /* an event came before the attach */
};

static struct hv_hostport *hostport_get(struct hv_events *ev, uint32_t port, bool create)
{
	struct hv_hostport *hp;

	if (port == 0 || port >= HOSTPORT_MAX)
		return NULL;
	if (port >= ev->nr_hostports) {
		uint32_t n = ev->nr_hostports ? ev->nr_hostports : 64;
		struct hv_hostport **t;

		if (!create)
			return NULL;
		while (n <= port)
			n *= 2;
		t = realloc(ev->hostports, n * sizeof(*t));
		if (!t)
			return NULL;
		memset(t + ev->nr_hostports, 0, (n - ev->nr_hostports) * sizeof(*t));
		ev->hostports = t;
		ev->nr_hostports = n;
	}
	hp = ev->hostports[port];
	if (hp || !create)
		return hp;
	hp = calloc(1, sizeof(*hp));
	if (!hp)
		return NULL;
	hp->port = port;
	hp->watch.fd = -1;
	hp->notify_fd = -1;
	hp->epoll_fd = -1;
	ev->hostports[port] = hp;
	return hp;
}

/* Empty the record: the eventfds go, the port number stays free to reuse. */
static void hostport_free(struct hv_events *ev, struct hv_hostport *hp)
{
	(void)ev;
	if (hp->watch.fd >= 0) {
		if (hp->epoll_fd >= 0)
			epoll_ctl(hp->epoll_fd, EPOLL_CTL_DEL, hp->watch.fd, NULL);
		close(hp->watch.fd);
	}
	if (hp->notify_fd >= 0)
		close(hp->notify_fd);
	hp->watch.fd = -1;
	hp->notify_fd = -1;
	hp->epoll_fd = -1;
	hp->conn = NULL;
	hp->pending = false;
}

/* Whether the host process wrote the kick fd and xenhv has not seen it. */
static bool hostport_kicked(struct hv_hostport *hp)
{
	uint64_t count;

	return hp->watch.fd >= 0 && read(hp->watch.fd, &count, sizeof(count)) == sizeof(count);
}

static void hostport_signal(int fd)
{
	uint64_t one = 1;

	/* A full counter already reads as "pending": nothing is lost. */
	if (write(fd, &one, sizeof(one)) < 0)
		return;
}

void hv_hostport_notify(struct xenhv *hv, uint32_t port)
{
	struct hv_hostport *hp;

	if (!hv->events)
		return;
	hp = hostport_get(hv->events, port, true);
	if (!hp)
		return;
	if (hp->notify_fd >= 0)
		hostport_signal(hp->notify_fd);
	else
		hp->pending = true;
}

/* Main loop: the host process wrote the kick eventfd: send on the port. */
static void hostport_kick_event(struct hv_watch *w, uint32_t events)
{
	struct hv_hostport *hp = (struct hv_hostport *)w;
	struct xenhv *hv = hp->hv;
	struct evtchn_send send = { .port = hp->port };
	struct domain *d0;
	uint64_t count;

	(void)events;
	if (w->fd < 0 || read(w->fd, &count, sizeof(count)) != sizeof(count))
		return;
	pthread_mutex_lock(&hv->lock);
	d0 = domain_lookup(hv, 0);
	if (d0 && d0->evtchn)
		evtchn_send(d0->evtchn, &send);
	pthread_mutex_unlock(&hv->lock);
}

int hv_hostport_attach(struct xenhv *hv, int epoll_fd, void *conn, uint32_t port, int fds[2])
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
	struct hv_hostport *hp;
	struct domain *d0;
	int rc;

	pthread_mutex_lock(&hv->lock);
	d0 = domain_lookup(hv, 0);
	if (!hv->events || !d0 || !d0->evtchn) {
		rc = -ENOSYS;
		goto out;
	}
	/* Only a port domain 0 holds. */
	rc = evtchn_status(d0->evtchn, &st);
	if (rc)
		goto out;
	if (st.status == EVTCHNSTAT_closed) {
		rc = -EINVAL;
		goto out;
	}
	hp = hostport_get(hv->events, port, true);
	if (!hp) {
		rc = -ENOMEM;
		goto out;
	}
	if (hp->conn) {
		rc = -EBUSY;
		goto out;
	}
	hp->hv = hv;
	hp->conn = conn;
	hp->notify_fd = fds[0];
	hp->watch.fd = fds[1];
	hp->watch.cb = hostport_kick_event;
	hp->epoll_fd = epoll_fd;
	fds[0] = fds[1] = -1;
	/* The main loop must never block on it: non-blocking whatever it came as. */
	fcntl(hp->watch.fd, F_SETFL, fcntl(hp->watch.fd, F_GETFL) | O_NONBLOCK);
	ev.data.ptr = &hp->watch;
	if (epoll_fd >= 0 && epoll_ctl(epoll_fd, EPOLL_CTL_ADD, hp->watch.fd, &ev) < 0) {
		rc = -errno;
		hp->epoll_fd = -1;
		hostport_free(hv->events, hp);
		goto out;
	}
	if (hp->pending) {
		hp->pending = false;
		hostport_signal(hp->notify_fd);
	}
	rc = 0;
out:
	pthread_mutex_unlock(&hv->lock);
	return rc;
}

int hv_hostport_detach(struct xenhv *hv, void *conn, uint32_t port)
{
	struct hv_hostport *hp;
	int rc = -ENOENT;

	pthread_mutex_lock(&hv->lock);
	if (hv->events) {
		hp = hostport_get(hv->events, port, false);
		if (hp && hp->conn == conn) {
			struct evtchn_send send = { .port = port };
			struct domain *d0 = domain_lookup(hv, 0);

			/* A kick written just before the detach still counts. */
			if (hostport_kicked(hp) && d0 && d0->evtchn)
				evtchn_send(d0->evtchn, &send);
			hostport_free(hv->events, hp);
			rc = 0;
		}
	}
	pthread_mutex_unlock(&hv->lock);
	return rc;
}

void hv_hostport_release(struct xenhv *hv, uint32_t port)
{
	struct hv_hostport *hp;

	if (!hv->events)
		return;
	hp = hostport_get(hv->events, port, false);
	if (hp)
		hostport_free(hv->events, hp);
}

void hv_hostport_conn_closed(struct xenhv *hv, void *conn)
{
	struct hv_events *ev;
	struct domain *d0;
	uint32_t i;

	pthread_mutex_lock(&hv->lock);
	ev = hv->events;
	d0 = domain_lookup(hv, 0);
	for (i = 0; ev && i < ev->nr_hostports; i++) {
		struct hv_hostport *hp = ev->hostports[i];
		struct evtchn_close cl = { .port = i };

		struct evtchn_send send = { .port = i };

		if (!hp || hp->conn != conn)
			continue;
		if (hostport_kicked(hp) && d0 && d0->evtchn)
			evtchn_send(d0->evtchn, &send);
		hostport_free(ev, hp);
		if (d0 && d0->evtchn)
			evtchn_close(d0->evtchn, &cl);
	}
	pthread_mutex_unlock(&hv->lock);
}

void hv_hostports_dispose(struct xenhv *hv)
{
	struct hv_events *ev = hv->events;
	uint32_t i;

	for (i = 0; i < ev->nr_hostports; i++)
		if (ev->hostports[i]) {
			hostport_free(ev, ev->hostports[i]);
			free(ev->hostports[i]);
		}
	free(ev->hostports);
	ev->hostports = NULL;
	ev->nr_hostports = 0;
}
