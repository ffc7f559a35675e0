/*
 * libxc's transport: a unix-socket connection to xenhv's privcmd socket
 * and the framing of xen/sys/privcmd.h.  A hypercall names every memory
 * range it uses as a bounce buffer; the IN bytes go with the request and
 * the OUT bytes come back with the reply and are copied to the caller's
 * memory, so handles inside Xen structures keep pointing at the caller's
 * own buffers as with Xen's privcmd.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "xc_private.h"

#ifndef XEN_RUN_DIR_DEFAULT
#define XEN_RUN_DIR_DEFAULT "/run/xen"
#endif

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
				unsigned int open_flags)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *dir = getenv("XEN_RUN_DIR");
	xc_interface *xch;
	int fd, saved;

	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	if (!dir || !*dir)
		dir = XEN_RUN_DIR_DEFAULT;
	if ((size_t)snprintf(addr.sun_path, sizeof(addr.sun_path), "%s/privcmd", dir) >=
	    sizeof(addr.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return NULL;
	}
	xch = calloc(1, sizeof(*xch));
	if (!xch) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	xch->fd = fd;
	pthread_mutex_init(&xch->lock, NULL);
	return xch;
}

int xc_interface_close(xc_interface *xch)
{
	if (!xch)
		return 0;
	if (xch->fd >= 0)
		close(xch->fd);
	pthread_mutex_destroy(&xch->lock);
	free(xch);
	return 0;
}

int xc_interface_fd(xc_interface *xch)
{
	return xch ? xch->fd : -1;
}

static int xc_send_all(int fd, const void *buf, size_t len, const int *send_fds,
		       unsigned int nr_send)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	const uint8_t *p = buf;

	if (nr_send > 4) {
		errno = E2BIG;
		return -1;
	}
	while (len) {
		struct iovec iov = { (void *)p, len };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		/* Descriptors ride with the first byte of the message. */
		if (nr_send && p == buf) {
			struct cmsghdr *cm;

			memset(cbuf, 0, sizeof(cbuf));
			msg.msg_control = cbuf;
			msg.msg_controllen = CMSG_SPACE(sizeof(int) * nr_send);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * nr_send);
			memcpy(CMSG_DATA(cm), send_fds, sizeof(int) * nr_send);
		}
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read exactly len bytes; the first read also collects a passed fd. */
static int xc_recv_all(int fd, void *buf, size_t len, int *fd_out)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	uint8_t *p = buf;

	while (len) {
		struct iovec iov = { p, len };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = cbuf,
				      .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;
		ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ECONNRESET;
			return -1;
		}
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			int nfds, i, fds[4];

			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			if (nfds > 4)
				nfds = 4;
			memcpy(fds, CMSG_DATA(cm), (size_t)nfds * sizeof(int));
			for (i = 0; i < nfds; i++) {
				if (fd_out && *fd_out < 0)
					*fd_out = fds[i];
				else
					close(fds[i]);
			}
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

long xc_privcmd_call(xc_interface *xch, uint16_t type, const void *body, size_t body_len,
		     void *payload, size_t payload_len, int *fd_out)
{
	return xc_privcmd_xfer(xch, type, body, body_len, NULL, 0, payload, payload_len, fd_out);
}

long xc_privcmd_xfer(xc_interface *xch, uint16_t type, const void *body, size_t body_len,
		     const int *send_fds, unsigned int nr_send, void *payload, size_t payload_len,
		     int *fd_out)
{
	struct privcmd_hdr hdr, rhdr;
	struct privcmd_result res;
	uint8_t *msg = NULL;
	long ret = -1;
	int passed = -1;

	if (fd_out)
		*fd_out = -1;
	if (!xch || xch->fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (body_len > PRIVCMD_MSG_MAX - sizeof(hdr)) {
		errno = E2BIG;
		return -1;
	}
	msg = malloc(sizeof(hdr) + body_len);
	if (!msg) {
		errno = ENOMEM;
		return -1;
	}
	pthread_mutex_lock(&xch->lock);
	hdr.magic = PRIVCMD_MAGIC;
	hdr.version = PRIVCMD_VERSION;
	hdr.type = type;
	hdr.len = (uint32_t)(sizeof(hdr) + body_len);
	hdr.seq = ++xch->seq;
	memcpy(msg, &hdr, sizeof(hdr));
	if (body_len)
		memcpy(msg + sizeof(hdr), body, body_len);
	if (xc_send_all(xch->fd, msg, hdr.len, send_fds, nr_send) < 0)
		goto out;
	if (xc_recv_all(xch->fd, &rhdr, sizeof(rhdr), &passed) < 0)
		goto out;
	if (rhdr.magic != PRIVCMD_MAGIC || rhdr.seq != hdr.seq ||
	    rhdr.type != (type | PRIVCMD_REPLY_BIT) || rhdr.len < sizeof(rhdr) + sizeof(res) ||
	    rhdr.len > PRIVCMD_MSG_MAX) {
		errno = EPROTO;
		goto out;
	}
	if (xc_recv_all(xch->fd, &res, sizeof(res), &passed) < 0)
		goto out;
	size_t rest = rhdr.len - sizeof(rhdr) - sizeof(res);

	if (res.ret < 0) {
		/* An error reply carries no payload. */
		uint8_t skip[256];

		while (rest) {
			size_t n = rest < sizeof(skip) ? rest : sizeof(skip);

			if (xc_recv_all(xch->fd, skip, n, &passed) < 0)
				goto out;
			rest -= n;
		}
		errno = (int)-res.ret;
		goto out;
	}
	if (rest != payload_len) {
		errno = EPROTO;
		goto out;
	}
	if (rest && xc_recv_all(xch->fd, payload, rest, &passed) < 0)
		goto out;
	ret = (long)res.ret;
	if (fd_out) {
		*fd_out = passed;
		passed = -1;
	}
out:
	if (passed >= 0)
		close(passed);
	pthread_mutex_unlock(&xch->lock);
	free(msg);
	return ret;
}

long xc_hypercall(xc_interface *xch, uint64_t op, const uint64_t args[5],
		  const struct privcmd_buf *bufs, unsigned int nr_bufs)
{
	struct privcmd_hypercall hc = { .op = op, .nr_bufs = nr_bufs };
	size_t in_len = 0, out_len = 0, off;
	uint8_t *body = NULL, *out = NULL;
	unsigned int i;
	long ret = -1;

	if (nr_bufs > PRIVCMD_MAX_BUFS) {
		errno = E2BIG;
		return -1;
	}
	memcpy(hc.arg, args, sizeof(hc.arg));
	for (i = 0; i < nr_bufs; i++) {
		if (bufs[i].flags & PRIVCMD_BUF_IN)
			in_len += bufs[i].len;
		if (bufs[i].flags & PRIVCMD_BUF_OUT)
			out_len += bufs[i].len;
	}
	body = malloc(sizeof(hc) + nr_bufs * sizeof(*bufs) + in_len);
	out = malloc(out_len ? out_len : 1);
	if (!body || !out) {
		errno = ENOMEM;
		goto out;
	}
	memcpy(body, &hc, sizeof(hc));
	off = sizeof(hc);
	if (nr_bufs) /* bufs may be NULL then */
		memcpy(body + off, bufs, nr_bufs * sizeof(*bufs));
	off += nr_bufs * sizeof(*bufs);
	for (i = 0; i < nr_bufs; i++) {
		if (!(bufs[i].flags & PRIVCMD_BUF_IN))
			continue;
		memcpy(body + off, (const void *)(uintptr_t)bufs[i].addr, bufs[i].len);
		off += bufs[i].len;
	}
	ret = xc_privcmd_call(xch, PRIVCMD_MSG_HYPERCALL, body, off, out, out_len, NULL);
	if (ret < 0)
		goto out;
	off = 0;
	for (i = 0; i < nr_bufs; i++) {
		if (!(bufs[i].flags & PRIVCMD_BUF_OUT))
			continue;
		memcpy((void *)(uintptr_t)bufs[i].addr, out + off, bufs[i].len);
		off += bufs[i].len;
	}
out:
	free(body);
	free(out);
	return ret;
}

static int xc_do_struct_call(xc_interface *xch, uint64_t op, void *s, size_t len,
			     const struct privcmd_buf *extra, unsigned int nr_extra)
{
	struct privcmd_buf bufs[PRIVCMD_MAX_BUFS];
	uint64_t args[5] = { (uint64_t)(uintptr_t)s };
	unsigned int i;

	if (nr_extra + 1 > PRIVCMD_MAX_BUFS) {
		errno = E2BIG;
		return -1;
	}
	bufs[0] = xc_buf(s, len, PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT);
	for (i = 0; i < nr_extra; i++)
		bufs[i + 1] = extra[i];
	return (int)xc_hypercall(xch, op, args, bufs, nr_extra + 1);
}

int xc_do_domctl(xc_interface *xch, struct xen_domctl *domctl, const struct privcmd_buf *extra,
		 unsigned int nr_extra)
{
	domctl->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	return xc_do_struct_call(xch, __HYPERVISOR_domctl, domctl, sizeof(*domctl), extra,
				 nr_extra);
}

int xc_do_sysctl(xc_interface *xch, struct xen_sysctl *sysctl, const struct privcmd_buf *extra,
		 unsigned int nr_extra)
{
	sysctl->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	return xc_do_struct_call(xch, __HYPERVISOR_sysctl, sysctl, sizeof(*sysctl), extra,
				 nr_extra);
}
