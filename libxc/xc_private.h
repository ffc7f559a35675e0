/* libxc internals: the connection to xenhv and the hypercall helper. */
#ifndef XC_PRIVATE_H
#define XC_PRIVATE_H

#include <pthread.h>
#include <stdint.h>

#include <xen/sys/privcmd.h>
#include <xenctrl.h>

struct xc_interface_core {
	int fd;
	uint32_t seq;
	pthread_mutex_t lock; /* one request at a time on the socket */
};

/*
 * Send one message and wait for its reply.  The reply body (after struct
 * privcmd_result) is copied to payload (up to payload_len bytes, its size
 * must match exactly); *fd_out receives a passed descriptor or -1.
 * Returns the result's ret (>= 0) or -1 with errno.
 */
long xc_privcmd_call(xc_interface *xch, uint16_t type, const void *body, size_t body_len,
		     void *payload, size_t payload_len, int *fd_out);

/* The same, passing nr_send descriptors (at most 4) with the request. */
long xc_privcmd_xfer(xc_interface *xch, uint16_t type, const void *body, size_t body_len,
		     const int *send_fds, unsigned int nr_send, void *payload, size_t payload_len,
		     int *fd_out);

/* domctl/sysctl with the structure as an IN/OUT bounce buffer and extras. */
int xc_do_domctl(xc_interface *xch, struct xen_domctl *domctl, const struct privcmd_buf *extra,
		 unsigned int nr_extra);
int xc_do_sysctl(xc_interface *xch, struct xen_sysctl *sysctl, const struct privcmd_buf *extra,
		 unsigned int nr_extra);

static inline struct privcmd_buf xc_buf(const void *p, size_t len, uint32_t flags)
{
	struct privcmd_buf b = { (uint64_t)(uintptr_t)p, (uint32_t)len, flags };
	return b;
}

#endif
