/*
 * transport_socket.c: the unix socket for host clients, and the daemon's
 * event loop (epoll).
 *
 * Every socket client is domain 0 (privileged), as with Xen's daemon.
 * Replies are written at once when the socket takes them and queued
 * otherwise; so a watch event caused by a write reaches the watcher's
 * socket before the writer's "OK" reaches the writer's.  A client that
 * stops reading its replies stops being read from (xsd_conn_may_read) and
 * is dropped if its queue still grows (watch events), so its memory stays
 * bounded and nobody else waits for it.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "transport.h"

#define OUT_MAX (4u << 20) /* drop a client with this much unread */
#define IN_BUF 16384

enum loop_kind { KIND_CLIENT = 1, KIND_EXTRA };

struct sock_client {
	enum loop_kind kind; /* first: epoll's data.ptr is told apart by it */
	int fd;
	struct xs_conn *conn;
	char *out;
	size_t out_len, out_cap;
	char in[IN_BUF];
	size_t in_off, in_len;
	bool dead;
	uint32_t events; /* what epoll watches for now */
	struct sock_client *next_dead;
};

struct xsd_loop_fd {
	enum loop_kind kind;
	int fd;
	void (*cb)(void *arg);
	void *arg;
};

struct xsd_loop {
	struct xsd *xsd;
	int epfd;
	int listen_fd;
	struct sock_client *dead; /* freed after the current event */
};

static struct xsd_loop *current_loop;

static void client_mark_dead(struct sock_client *c)
{
	if (c->dead)
		return;
	c->dead = true;
	c->next_dead = current_loop->dead;
	current_loop->dead = c;
}

static void client_flush(struct sock_client *c)
{
	ssize_t n;

	while (c->out_len && !c->dead) {
		n = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				client_mark_dead(c);
			break;
		}
		memmove(c->out, c->out + n, c->out_len - n);
		c->out_len -= n;
		if (c->conn)
			xsd_conn_delivered(c->conn);
	}
}

/*
 * Level-triggered epoll: stop asking for EPOLLIN while the client may not
 * be read (it would fire forever) and ask for EPOLLOUT while output waits.
 */
static void client_update_events(struct sock_client *c)
{
	struct epoll_event ev = { .data.ptr = c };
	uint32_t want = 0;

	if (c->dead)
		return;
	if (c->in_len == 0 && xsd_conn_may_read(c->conn))
		want |= EPOLLIN;
	if (c->out_len)
		want |= EPOLLOUT;
	if (want == c->events)
		return;
	ev.events = want;
	epoll_ctl(current_loop->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	c->events = want;
}

static int sock_send(struct xs_conn *conn, const struct xsd_sockmsg *hdr,
		     const void *payload)
{
	struct sock_client *c = conn->transport;
	size_t need = sizeof(*hdr) + hdr->len, cap;
	char *grown;

	if (c->dead)
		return -EPIPE;
	if (c->out_len + need > OUT_MAX) {
		client_mark_dead(c);
		return -ENOSPC;
	}
	if (c->out_len + need > c->out_cap) {
		cap = c->out_cap ? c->out_cap : 8192;
		while (cap < c->out_len + need)
			cap *= 2;
		grown = realloc(c->out, cap);
		if (!grown)
			return -ENOMEM;
		c->out = grown;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, hdr, sizeof(*hdr));
	if (hdr->len)
		memcpy(c->out + c->out_len + sizeof(*hdr), payload, hdr->len);
	c->out_len += need;
	client_flush(c);
	/* Only a reply that did not fit needs epoll's help (EPOLLOUT); the
	 * usual case costs no epoll_ctl. */
	if (c->out_len)
		client_update_events(c);
	return 0;
}

static size_t sock_pending(struct xs_conn *conn)
{
	return ((struct sock_client *)conn->transport)->out_len;
}

static const struct xs_conn_ops sock_ops = {
	.send = sock_send,
	.pending = sock_pending,
};

/*
 * The socket is bound under a temporary name and renamed into place once
 * it listens: whoever sees the path (xencommons waits for it) can connect.
 */
int xsd_socket_listen(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, saved, n;

	n = snprintf(addr.sun_path, sizeof(addr.sun_path), "%s.%ld", path,
		     (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(addr.sun_path);
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    chmod(addr.sun_path, 0600) < 0 || listen(fd, 128) < 0 ||
	    rename(addr.sun_path, path) < 0) {
		saved = errno;
		unlink(addr.sun_path);
		close(fd);
		return -saved;
	}
	return fd;
}

static void client_free(struct sock_client *c)
{
	epoll_ctl(current_loop->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	xsd_conn_free(c->conn);
	free(c->out);
	free(c);
}

static void loop_accept(struct xsd_loop *loop)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sock_client *c;
	int fd;

	for (;;) {
		fd = accept4(loop->listen_fd, NULL, NULL,
			     SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->kind = KIND_CLIENT;
		c->fd = fd;
		c->events = EPOLLIN;
		c->conn = xsd_conn_new(loop->xsd, &sock_ops, c, 0);
		ev.data.ptr = c;
		if (!c->conn || epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			if (c->conn)
				xsd_conn_free(c->conn);
			close(fd);
			free(c);
		}
	}
}

/* Feeds buffered input while the client may be served. */
static void client_consume(struct sock_client *c)
{
	long used;

	while (c->in_len > c->in_off && !c->dead &&
	       xsd_conn_may_read(c->conn)) {
		used = xsd_conn_input(c->conn, c->in + c->in_off,
				      c->in_len - c->in_off);
		if (used < 0) {
			xsd_log(current_loop->xsd,
				"connection 0x%lx: oversized request, closing",
				c->conn->serial);
			client_mark_dead(c);
			return;
		}
		if (!used)
			break;
		c->in_off += used;
	}
	if (c->in_off == c->in_len)
		c->in_off = c->in_len = 0;
}

static void client_event(struct sock_client *c, uint32_t events)
{
	ssize_t n;

	if (events & (EPOLLHUP | EPOLLERR)) {
		client_mark_dead(c);
		return;
	}
	if (events & EPOLLOUT)
		client_flush(c);
	client_consume(c);
	if ((events & EPOLLIN) && !c->dead &&
	    c->in_len == 0 && xsd_conn_may_read(c->conn)) {
		n = recv(c->fd, c->in, sizeof(c->in), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			client_mark_dead(c);
		} else if (n > 0) {
			c->in_len = n;
			c->in_off = 0;
			client_consume(c);
		}
	}
	client_update_events(c);
}

struct xsd_loop *xsd_loop_new(struct xsd *xsd, int listen_fd)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct xsd_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->xsd = xsd;
	loop->listen_fd = listen_fd;
	current_loop = loop;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	ev.data.ptr = NULL; /* NULL: the listening socket */
	if (loop->epfd < 0 ||
	    epoll_ctl(loop->epfd, EPOLL_CTL_ADD, listen_fd, &ev)) {
		if (loop->epfd >= 0)
			close(loop->epfd);
		free(loop);
		return NULL;
	}
	return loop;
}

static void loop_reap(struct xsd_loop *loop)
{
	struct sock_client *c;

	while ((c = loop->dead)) {
		loop->dead = c->next_dead;
		client_free(c);
	}
}

/* Execs the new daemon; on failure tells the requester why. */
static void loop_live_update(struct xsd_loop *loop)
{
	struct xsd *xsd = loop->xsd;
	struct xs_conn *conn;
	char msg[128];
	int rc;

	/* Replies not yet written travel in the state; try to send first. */
	list_for_each_entry(conn, &xsd->conns, list) {
		if (conn->ops == &sock_ops)
			client_flush(conn->transport);
	}
	rc = xsd_live_update_exec(xsd, loop);
	snprintf(msg, sizeof(msg), "live-update failed: %s", strerror(-rc));
	list_for_each_entry(conn, &xsd->conns, list) {
		if (conn->serial == xsd->lu_conn)
			xsd_send(conn, XS_CONTROL, xsd->lu_req.req_id,
				 xsd->lu_req.tx_id, msg, strlen(msg) + 1);
	}
}

int xsd_loop_run(struct xsd_loop *loop, volatile int *stop)
{
	struct epoll_event events[64];
	int n, i;

	current_loop = loop;
	while (!*stop && !loop->xsd->quit) {
		n = epoll_wait(loop->epfd, events, 64, -1);
		if (n < 0) {
			if (errno != EINTR)
				return -errno;
			n = 0; /* a signal: check its flags below */
		}
		for (i = 0; i < n; i++) {
			struct xsd_loop_fd *lfd = events[i].data.ptr;
			struct sock_client *c = events[i].data.ptr;

			if (!lfd)
				loop_accept(loop);
			else if (lfd->kind == KIND_EXTRA)
				lfd->cb(lfd->arg);
			else if (!c->dead)
				client_event(c, events[i].events);
		}
		/*
		 * A client unblocked by another's progress (its output
		 * drained) may have buffered input left: EPOLLIN will not
		 * fire again for it, so it is served from its EPOLLOUT.
		 */
		loop_reap(loop);
		if (loop->xsd->reopen_logs && *loop->xsd->reopen_logs) {
			*loop->xsd->reopen_logs = 0;
			xsd_reopen_logs(loop->xsd);
		}
		xsd_persist_maybe_compact(loop->xsd);
		/* Domains that were over their outstanding quota. */
		xsd_domains_resume(loop->xsd);
		if (loop->xsd->lu_pending)
			loop_live_update(loop);
	}
	return 0;
}

void xsd_loop_free(struct xsd_loop *loop)
{
	struct xs_conn *conn, *cn;

	if (!loop)
		return;
	current_loop = loop;
	list_for_each_entry_safe(conn, cn, &loop->xsd->conns, list) {
		if (conn->ops == &sock_ops)
			client_mark_dead(conn->transport);
	}
	loop_reap(loop);
	close(loop->epfd);
	free(loop);
}

/* ---- other fds (a guest ring's event channel) ---- */

struct xsd_loop_fd *xsd_loop_add_fd(struct xsd_loop *loop, int fd,
				    void (*cb)(void *arg), void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct xsd_loop_fd *lfd = calloc(1, sizeof(*lfd));

	if (!lfd)
		return NULL;
	lfd->kind = KIND_EXTRA;
	lfd->fd = fd;
	lfd->cb = cb;
	lfd->arg = arg;
	ev.data.ptr = lfd;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		free(lfd);
		return NULL;
	}
	return lfd;
}

void xsd_loop_del_fd(struct xsd_loop *loop, struct xsd_loop_fd *lfd)
{
	if (!lfd)
		return;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, lfd->fd, NULL);
	free(lfd);
}

/* ---- live update: hand the socket clients to the next daemon ---- */

bool xsd_conn_is_socket(const struct xs_conn *conn)
{
	return conn->ops == &sock_ops;
}

int xsd_loop_listen_fd(const struct xsd_loop *loop)
{
	return loop->listen_fd;
}

void xsd_sock_conn_state(const struct xs_conn *conn, int *fd,
			 const char **in, size_t *in_len, const char **out,
			 size_t *out_len)
{
	const struct sock_client *c = conn->transport;

	*fd = c->fd;
	*in = c->in + c->in_off;
	*in_len = c->in_len - c->in_off;
	*out = c->out;
	*out_len = c->out_len;
}

struct xs_conn *xsd_loop_adopt(struct xsd_loop *loop, int fd,
			       const char *in, size_t in_len, const char *out,
			       size_t out_len)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct sock_client *c;

	if (in_len > IN_BUF || out_len > OUT_MAX)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->kind = KIND_CLIENT;
	c->fd = fd;
	c->events = EPOLLIN;
	c->out = out_len ? malloc(out_len) : NULL;
	c->conn = xsd_conn_new(loop->xsd, &sock_ops, c, 0);
	ev.data.ptr = c;
	if ((out_len && !c->out) || !c->conn ||
	    epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		if (c->conn)
			xsd_conn_free(c->conn);
		free(c->out);
		free(c);
		return NULL;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (in_len)
		memcpy(c->in, in, in_len);
	c->in_len = in_len;
	if (out_len)
		memcpy(c->out, out, out_len);
	c->out_len = c->out_cap = out_len;
	return c->conn;
}

/* Serves what adopted clients had buffered (no epoll event will say so). */
void xsd_loop_resume(struct xsd_loop *loop)
{
	struct xs_conn *conn, *cn;

	current_loop = loop;
	list_for_each_entry_safe(conn, cn, &loop->xsd->conns, list) {
		if (conn->ops == &sock_ops)
			client_event(conn->transport, 0);
	}
	loop_reap(loop);
}
