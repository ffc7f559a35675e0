/*
 * The in-memory console backend, for tests only (see fake-protocol.h).
 * Selected by $KXEN_XENCONSOLED_FAKE_BACKEND=<socket path>; the daemon
 * then never touches libxc, so its whole event loop, xenstore traffic, ptys
 * and logs run against xenstored and a test program playing the guests.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "backend.h"
#include "fake-protocol.h"

struct console_backend {
	char path[108];
	int watch_fd;
	int hv_fd; /* the hypervisor console, -1 when the peer has none */
};

struct fake_port {
	int to_guest_fd;
};

static int fake_connect(struct console_backend *be)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	memcpy(addr.sun_path, be->path, sizeof(addr.sun_path));
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	return fd;
}

/* One request, one reply with up to nr_fds passed fds. */
static int fake_call(struct console_backend *be, const struct fake_request *req,
		     struct fake_reply *reply, int *fds, int nr_fds)
{
	char control[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { reply, sizeof(*reply) };
	struct msghdr msg = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control,
		.msg_controllen = sizeof(control),
	};
	struct cmsghdr *cmsg;
	int fd, got = 0, rc, i;
	ssize_t r;

	fd = fake_connect(be);
	if (fd < 0)
		return fd;
	if (send(fd, req, sizeof(*req), MSG_NOSIGNAL) != sizeof(*req)) {
		rc = -EIO;
		goto out;
	}
	memset(reply, 0, sizeof(*reply));
	r = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
	if (r < (ssize_t)offsetof(struct fake_reply, domains)) {
		rc = r < 0 ? -errno : -EIO;
		goto out;
	}
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg; cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		int n;

		if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		n = (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (i = 0; i < n; i++) {
			int passed;

			memcpy(&passed, CMSG_DATA(cmsg) + i * sizeof(int), sizeof(int));
			if (got < nr_fds)
				fds[got++] = passed;
			else
				close(passed);
		}
	}
	if (reply->err) {
		rc = -reply->err;
		goto out_close_fds;
	}
	if (got != nr_fds) {
		rc = -EPROTO;
		goto out_close_fds;
	}
	rc = 0;
	goto out;
out_close_fds:
	for (i = 0; i < got; i++)
		close(fds[i]);
out:
	close(fd);
	return rc;
}

/* The hypervisor console is optional: without it hypervisor.log stays empty. */
static int fake_open_hv(struct console_backend *be)
{
	struct fake_request req = { .op = FAKE_OP_HV };
	struct fake_reply *reply = malloc(sizeof(*reply));
	int fd = -1;

	if (!reply)
		return -1;
	if (fake_call(be, &req, reply, &fd, 1) < 0)
		fd = -1;
	free(reply);
	if (fd >= 0 && fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static int fake_open(struct console_backend **bep)
{
	const char *path = getenv(CONSOLE_FAKE_BACKEND_ENV);
	struct fake_request req = { .op = FAKE_OP_WATCH };
	struct console_backend *be;
	int rc;

	if (!path || !path[0] || strlen(path) >= sizeof(be->path))
		return -EINVAL;
	be = calloc(1, sizeof(*be));
	if (!be)
		return -ENOMEM;
	strcpy(be->path, path);
	be->watch_fd = fake_connect(be);
	if (be->watch_fd < 0) {
		rc = be->watch_fd;
		free(be);
		return rc;
	}
	if (send(be->watch_fd, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req)) {
		close(be->watch_fd);
		free(be);
		return -EIO;
	}
	be->hv_fd = fake_open_hv(be);
	*bep = be;
	return 0;
}

static void fake_close(struct console_backend *be)
{
	if (!be)
		return;
	if (be->watch_fd >= 0)
		close(be->watch_fd);
	if (be->hv_fd >= 0)
		close(be->hv_fd);
	free(be);
}

static int fake_list_domains(struct console_backend *be, struct console_domain_info *out,
			     size_t max)
{
	struct fake_request req = { .op = FAKE_OP_LIST };
	struct fake_reply *reply;
	size_t i, n;
	int rc;

	reply = malloc(sizeof(*reply));
	if (!reply)
		return -ENOMEM;
	rc = fake_call(be, &req, reply, NULL, 0);
	if (rc < 0)
		goto out;
	n = reply->count < FAKE_MAX_DOMAINS ? reply->count : FAKE_MAX_DOMAINS;
	if (n > max)
		n = max;
	for (i = 0; i < n; i++) {
		out[i].domid = reply->domains[i].domid;
		out[i].dying = reply->domains[i].dying != 0;
	}
	rc = (int)n;
out:
	free(reply);
	return rc;
}

static int fake_domains_fd(struct console_backend *be)
{
	return be->watch_fd;
}

static void fake_domains_ack(struct console_backend *be)
{
	char bytes[64];

	/* The peer closing (0) leaves the fd readable forever: treat as an error. */
	if (recv(be->watch_fd, bytes, sizeof(bytes), MSG_DONTWAIT) == 0) {
		close(be->watch_fd);
		be->watch_fd = -1;
	}
}

static int fake_map_ring(struct console_backend *be, uint32_t domid, uint64_t ring_ref,
			 struct console_ring_map *map)
{
	struct fake_request req = { .op = FAKE_OP_MAP, .domid = domid, .arg = ring_ref };
	struct fake_reply *reply;
	void *page;
	int rc, fd;

	reply = malloc(sizeof(*reply));
	if (!reply)
		return -ENOMEM;
	rc = fake_call(be, &req, reply, &fd, 1);
	free(reply);
	if (rc < 0)
		return rc;
	page = mmap(NULL, FAKE_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = page == MAP_FAILED ? -errno : 0;
	close(fd);
	if (rc < 0)
		return rc;
	map->intf = page;
	map->priv = NULL;
	return 0;
}

static void fake_unmap_ring(struct console_backend *be, struct console_ring_map *map)
{
	(void)be;
	if (map->intf)
		munmap(map->intf, FAKE_RING_SIZE);
	map->intf = NULL;
}

static int fake_bind_port(struct console_backend *be, uint32_t domid, uint32_t remote_port,
			  struct console_port *port)
{
	struct fake_request req = { .op = FAKE_OP_BIND, .domid = domid, .arg = remote_port };
	struct fake_reply *reply;
	struct fake_port *fp;
	int fds[2], rc;

	fp = malloc(sizeof(*fp));
	reply = malloc(sizeof(*reply));
	if (!fp || !reply) {
		rc = -ENOMEM;
		goto out;
	}
	rc = fake_call(be, &req, reply, fds, 2);
	if (rc < 0)
		goto out;
	fp->to_guest_fd = fds[1];
	port->fd = fds[0];
	port->local_port = remote_port;
	port->priv = fp;
	fp = NULL;
out:
	free(fp);
	free(reply);
	return rc;
}

static void fake_ack(struct console_backend *be, struct console_port *port)
{
	uint64_t count;

	(void)be;
	if (read(port->fd, &count, sizeof(count)) < 0) {
		/* EAGAIN: nothing pending, which is fine. */
	}
}

static int fake_notify(struct console_backend *be, struct console_port *port)
{
	struct fake_port *fp = port->priv;
	uint64_t one = 1;

	(void)be;
	if (write(fp->to_guest_fd, &one, sizeof(one)) != sizeof(one))
		return -errno;
	return 0;
}

static void fake_unbind(struct console_backend *be, struct console_port *port)
{
	struct fake_port *fp = port->priv;

	(void)be;
	if (port->fd >= 0)
		close(port->fd);
	if (fp) {
		close(fp->to_guest_fd);
		free(fp);
	}
	port->fd = -1;
	port->priv = NULL;
}

static int fake_hv_console_fd(struct console_backend *be)
{
	return be->hv_fd;
}

static long fake_hv_console_read(struct console_backend *be, char *buf, size_t len)
{
	ssize_t r;

	if (be->hv_fd < 0)
		return 0;
	r = read(be->hv_fd, buf, len);
	if (r == 0) {
		/* The writer is gone: stop polling a pipe that stays readable. */
		close(be->hv_fd);
		be->hv_fd = -1;
	}
	return r > 0 ? r : 0;
}

const struct console_backend_ops console_backend_fake_ops = {
	.name = "fake",
	.open = fake_open,
	.close = fake_close,
	.list_domains = fake_list_domains,
	.domains_fd = fake_domains_fd,
	.domains_ack = fake_domains_ack,
	.map_ring = fake_map_ring,
	.unmap_ring = fake_unmap_ring,
	.bind_port = fake_bind_port,
	.ack = fake_ack,
	.notify = fake_notify,
	.unbind = fake_unbind,
	.hv_console_fd = fake_hv_console_fd,
	.hv_console_read = fake_hv_console_read,
};
