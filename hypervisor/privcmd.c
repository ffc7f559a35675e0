/*
 * The privcmd socket server.  One connection = one client process acting
 * as domain 0.  Messages are read into a per-connection buffer until a whole
 * frame is there, then handled in order; a malformed frame, an oversized
 * one or a reply that cannot be sent closes that connection only.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "domain.h"
#include "events.h"
#include "privcmd.h"
#include "privcmd_wire.h"

#define PRIVCMD_MAX_CONNS 1024
#define PRIVCMD_SEND_TIMEOUT_MS 5000
#define PRIVCMD_CONN_FDS 8 /* descriptors received, waiting for their frame */

struct privcmd_conn {
	struct hv_watch watch;
	struct privcmd_server *server;
	struct privcmd_conn *next;
	uint8_t *buf;
	size_t len, cap;
	int fds[PRIVCMD_CONN_FDS]; /* received with the bytes, in order */
	unsigned int nr_fds;
};

static void privcmd_conn_drop_fds(struct privcmd_conn *c)
{
	while (c->nr_fds)
		close(c->fds[--c->nr_fds]);
}

static void privcmd_conn_close(struct privcmd_conn *c)
{
	struct privcmd_server *s = c->server;
	struct privcmd_conn **pp;

	for (pp = &s->conns; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	s->nr_conns--;
	/* Ports attached on this connection close with it. */
	hv_hostport_conn_closed(s->hv, c);
	privcmd_conn_drop_fds(c);
	epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, c->watch.fd, NULL);
	close(c->watch.fd);
	free(c->buf);
	free(c);
}

static int privcmd_send_all(int fd, const uint8_t *data, size_t len, int passfd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	size_t done = 0;

	while (done < len) {
		struct iovec iov = { (void *)(data + done), len - done };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		ssize_t n;

		if (passfd >= 0 && done == 0) {
			struct cmsghdr *cm;

			memset(cbuf, 0, sizeof(cbuf));
			msg.msg_control = cbuf;
			msg.msg_controllen = sizeof(cbuf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &passfd, sizeof(int));
		}
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			return -errno;
		/* A slow reader: wait a bounded time, then give up on it. */
		if (poll(&pfd, 1, PRIVCMD_SEND_TIMEOUT_MS) <= 0)
			return -ETIMEDOUT;
	}
	return 0;
}

static int privcmd_reply(struct privcmd_conn *c, const struct privcmd_hdr *req, int64_t ret,
			 const uint8_t *payload, size_t plen, int passfd)
{
	struct privcmd_hdr hdr = {
		.magic = PRIVCMD_MAGIC,
		.version = PRIVCMD_VERSION,
		.type = (uint16_t)(req->type | PRIVCMD_REPLY_BIT),
		.seq = req->seq,
	};
	struct privcmd_result res = { .ret = ret, .nr_fds = passfd >= 0 };
	size_t len = sizeof(hdr) + sizeof(res) + plen;
	uint8_t *msg = malloc(len);
	int rc;

	if (!msg)
		return -ENOMEM;
	hdr.len = (uint32_t)len;
	memcpy(msg, &hdr, sizeof(hdr));
	memcpy(msg + sizeof(hdr), &res, sizeof(res));
	if (plen)
		memcpy(msg + sizeof(hdr) + sizeof(res), payload, plen);
	rc = privcmd_send_all(c->watch.fd, msg, len, passfd);
	free(msg);
	return rc;
}

static int privcmd_do_hypercall(struct privcmd_conn *c, const struct privcmd_hdr *hdr,
				const uint8_t *body, size_t len)
{
	struct xenhv *hv = c->server->hv;
	struct privcmd_call *call;
	struct privcmd_bounce bounce;
	struct guest_access ga;
	struct hc_ctx ctx;
	uint8_t *out = NULL;
	size_t out_len = 0;
	int64_t ret;
	int rc;

	call = malloc(sizeof(*call));
	if (!call)
		return -ENOMEM;
	rc = privcmd_parse_hypercall(body, len, call);
	if (rc)
		goto out;
	rc = privcmd_bounce_init(&bounce, call, &ga);
	if (rc) {
		rc = privcmd_reply(c, hdr, rc, NULL, 0, -1);
		goto out;
	}
	pthread_mutex_lock(&hv->lock);
	ctx.hv = hv;
	ctx.caller = domain_lookup(hv, 0);
	ctx.vcpu = NULL;
	ctx.mem = &ga;
	ret = hypercall_dispatch(&ctx, call->op, call->arg);
	pthread_mutex_unlock(&hv->lock);
	out_len = privcmd_bounce_out_size(call);
	out = malloc(out_len ? out_len : 1);
	if (!out) {
		privcmd_bounce_dispose(&bounce);
		rc = -ENOMEM;
		goto out;
	}
	privcmd_bounce_out(&bounce, out);
	privcmd_bounce_dispose(&bounce);
	rc = privcmd_reply(c, hdr, ret, out, out_len, -1);
out:
	free(out);
	free(call);
	return rc;
}

static int privcmd_do_map_foreign(struct privcmd_conn *c, const struct privcmd_hdr *hdr,
				  const uint8_t *body, size_t len)
{
	struct xenhv *hv = c->server->hv;
	struct privcmd_map_foreign req;
	struct privcmd_foreign_frame *frames = NULL;
	const uint8_t *gfns;
	struct domain *d;
	int memfd = -1, rc;
	uint64_t i;

	rc = privcmd_parse_map_foreign(body, len, &req, &gfns);
	if (rc)
		return rc;
	frames = calloc(req.nr, sizeof(*frames));
	if (!frames)
		return -ENOMEM;
	pthread_mutex_lock(&hv->lock);
	d = domain_lookup(hv, req.domid);
	if (!d || d->type == DOMAIN_TYPE_CONTROL || d->dying) {
		pthread_mutex_unlock(&hv->lock);
		rc = privcmd_reply(c, hdr, -ESRCH, NULL, 0, -1);
		goto out;
	}
	for (i = 0; i < req.nr; i++) {
		uint64_t gfn;

		memcpy(&gfn, gfns + i * sizeof(gfn), sizeof(gfn));
		if (!memory_gfn_populated(&d->mem, gfn)) {
			frames[i].err = -EINVAL;
			continue;
		}
		frames[i].offset = gfn << XENHV_PAGE_SHIFT;
	}
	/* Our own reference: the domain may go while we send. */
	memfd = dup(d->mem.memfd);
	pthread_mutex_unlock(&hv->lock);
	if (memfd < 0) {
		rc = privcmd_reply(c, hdr, -errno, NULL, 0, -1);
		goto out;
	}
	rc = privcmd_reply(c, hdr, 0, (const uint8_t *)frames, req.nr * sizeof(*frames), memfd);
out:
	if (memfd >= 0)
		close(memfd);
	free(frames);
	return rc;
}

/*
 * Host ends of event channels (events.h): an attach takes the two eventfds
 * that came with its bytes; a detach gives the port's eventfds up.
 */
static int privcmd_do_evtchn(struct privcmd_conn *c, const struct privcmd_hdr *hdr,
			     const uint8_t *body, size_t len)
{
	struct privcmd_evtchn_attach req;
	int rc = privcmd_parse_evtchn_attach(body, len, &req);
	int fds[2];

	if (rc)
		return rc;
	if (hdr->type == PRIVCMD_MSG_EVTCHN_DETACH)
		return privcmd_reply(c, hdr, hv_hostport_detach(c->server->hv, c, req.port), NULL,
				     0, -1);
	if (c->nr_fds < 2)
		return privcmd_reply(c, hdr, -EBADF, NULL, 0, -1);
	fds[0] = c->fds[0];
	fds[1] = c->fds[1];
	c->nr_fds -= 2;
	memmove(c->fds, c->fds + 2, c->nr_fds * sizeof(int));
	rc = hv_hostport_attach(c->server->hv, c->server->epoll_fd, c, req.port, fds);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return privcmd_reply(c, hdr, rc, NULL, 0, -1);
}

/* Handle every whole frame in the buffer; -errno closes the connection. */
static int privcmd_conn_process(struct privcmd_conn *c)
{
	struct privcmd_hdr hdr;
	size_t used = 0;
	int rc = 0;

	while (c->len - used >= sizeof(hdr)) {
		const uint8_t *body;

		rc = privcmd_parse_header(c->buf + used, c->len - used, &hdr);
		if (rc)
			return rc == -EAGAIN ? 0 : rc;
		if (c->len - used < hdr.len)
			break;
		body = c->buf + used + sizeof(hdr);
		switch (hdr.type) {
		case PRIVCMD_MSG_HYPERCALL:
			rc = privcmd_do_hypercall(c, &hdr, body, hdr.len - sizeof(hdr));
			break;
		case PRIVCMD_MSG_MAP_FOREIGN:
			rc = privcmd_do_map_foreign(c, &hdr, body, hdr.len - sizeof(hdr));
			break;
		default:
			rc = privcmd_do_evtchn(c, &hdr, body, hdr.len - sizeof(hdr));
			break;
		}
		if (rc)
			return rc;
		used += hdr.len;
	}
	memmove(c->buf, c->buf + used, c->len - used);
	c->len -= used;
	/* Descriptors belong to the frame they came with: none may linger. */
	if (c->len == 0)
		privcmd_conn_drop_fds(c);
	return 0;
}

/* recv, keeping descriptors passed with the bytes (at most a few). */
static ssize_t privcmd_conn_recv(struct privcmd_conn *c, void *buf, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int) * PRIVCMD_CONN_FDS)];
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(c->watch.fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	if (n < 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		size_t i, nfds;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfds; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (c->nr_fds < PRIVCMD_CONN_FDS)
				c->fds[c->nr_fds++] = fd;
			else
				close(fd);
		}
	}
	return n;
}

static void privcmd_conn_event(struct hv_watch *w, uint32_t events)
{
	struct privcmd_conn *c = (struct privcmd_conn *)w;
	struct privcmd_hdr hdr;
	ssize_t n;
	size_t want;

	(void)events;
	/* Grow the buffer to the frame's length once the header is known. */
	want = 4096;
	if (privcmd_parse_header(c->buf, c->len, &hdr) == 0)
		want = hdr.len;
	else if (c->len >= sizeof(hdr))
		goto fail;
	if (want < c->len + 1)
		want = c->len + 4096;
	if (want > PRIVCMD_MSG_MAX)
		want = PRIVCMD_MSG_MAX;
	if (c->cap < want) {
		uint8_t *nb = realloc(c->buf, want);

		if (!nb)
			goto fail;
		c->buf = nb;
		c->cap = want;
	}
	n = privcmd_conn_recv(c, c->buf + c->len, c->cap - c->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		goto fail;
	c->len += (size_t)n;
	if (privcmd_conn_process(c) == 0)
		return;
fail:
	privcmd_conn_close(c);
}

static void privcmd_listen_event(struct hv_watch *w, uint32_t events)
{
	struct privcmd_server *s =
		(struct privcmd_server *)((char *)w - offsetof(struct privcmd_server, listen));
	struct epoll_event ev = { .events = EPOLLIN };
	struct privcmd_conn *c;
	int fd;

	(void)events;
	fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	if (s->nr_conns >= PRIVCMD_MAX_CONNS) {
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->watch.fd = fd;
	c->watch.cb = privcmd_conn_event;
	c->server = s;
	ev.data.ptr = &c->watch;
	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = s->conns;
	s->conns = c;
	s->nr_conns++;
}

int privcmd_server_open(struct privcmd_server *s, struct xenhv *hv, const char *path, int epoll_fd)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	int fd = -1, rc;

	memset(s, 0, sizeof(*s));
	s->hv = hv;
	s->epoll_fd = epoll_fd;
	s->listen.fd = -1;
	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	/* Root only: every client acts with domain 0's privilege. */
	mode_t old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old);
	if (rc < 0 || chmod(path, 0600) < 0 || listen(fd, 64) < 0) {
		rc = -errno;
		goto out;
	}
	s->listen.fd = fd;
	s->listen.cb = privcmd_listen_event;
	ev.data.ptr = &s->listen;
	if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		rc = -errno;
		goto out;
	}
	s->path = strdup(path);
	return 0;
out:
	close(fd);
	s->listen.fd = -1;
	return rc;
}

void privcmd_server_close(struct privcmd_server *s)
{
	while (s->conns)
		privcmd_conn_close(s->conns);
	if (s->listen.fd >= 0) {
		epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, s->listen.fd, NULL);
		close(s->listen.fd);
		s->listen.fd = -1;
	}
	if (s->path) {
		unlink(s->path);
		free(s->path);
		s->path = NULL;
	}
}
