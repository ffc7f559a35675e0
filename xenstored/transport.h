/*
 * transport.h: the ways clients reach xenstored.  Each transport turns its
 * bytes into xsd_conn_input() calls and delivers what xs_conn_ops.send
 * queues: the unix socket (host clients, domain 0) and the guest ring
 * (Xen's xenstore_domain_interface page plus an event channel).
 */
#ifndef XENSTORED_TRANSPORT_H
#define XENSTORED_TRANSPORT_H

#include "core.h"

/* ---- unix socket + event loop (transport_socket.c) ---- */

struct xsd_loop;

/* Binds path (mode 0600, replacing a stale socket); returns the fd. */
int xsd_socket_listen(const char *path);
struct xsd_loop *xsd_loop_new(struct xsd *xsd, int listen_fd);
/* Runs until *stop becomes nonzero (set from a signal handler). */
int xsd_loop_run(struct xsd_loop *loop, volatile int *stop);
void xsd_loop_free(struct xsd_loop *loop);

/*
 * Other fds the loop watches for input: a guest ring's event channel
 * (an eventfd from the hypervisor) calls xsd_ring_handle() from cb.
 * Remove before closing fd.
 */
struct xsd_loop_fd;
struct xsd_loop_fd *xsd_loop_add_fd(struct xsd_loop *loop, int fd,
				    void (*cb)(void *arg), void *arg);
void xsd_loop_del_fd(struct xsd_loop *loop, struct xsd_loop_fd *lfd);

/* Live update: the socket clients' state, and adopting it after exec. */
bool xsd_conn_is_socket(const struct xs_conn *conn);
int xsd_loop_listen_fd(const struct xsd_loop *loop);
void xsd_sock_conn_state(const struct xs_conn *conn, int *fd,
			 const char **in, size_t *in_len, const char **out,
			 size_t *out_len);
struct xs_conn *xsd_loop_adopt(struct xsd_loop *loop, int fd,
			       const char *in, size_t in_len, const char *out,
			       size_t out_len);
void xsd_loop_resume(struct xsd_loop *loop);

/* ---- live update (live_update.c) ---- */

/* Saves the daemon's whole state and execs the new binary; returns only
 * on failure (-errno). */
int xsd_live_update_exec(struct xsd *xsd, struct xsd_loop *loop);
/* In the new daemon: restores from the state in fd; 0 or -errno. */
int xsd_live_update_restore(struct xsd *xsd, struct xsd_loop **loop, int fd);

/* ---- guest ring (transport_ring.c) ---- */

struct xsd_ring;

/*
 * A connection for domain domid served through intf.  notify(ctx) is called
 * whenever the daemon consumed requests or produced replies (the event
 * channel kick).
 */
struct xsd_ring *xsd_ring_new(struct xsd *xsd, uint32_t domid,
			      struct xenstore_domain_interface *intf,
			      void (*notify)(void *ctx), void *ctx);
/*
 * The daemon's ring backend on the hypervisor (transport_ring_xen.c):
 * INTRODUCE maps the ring and binds its event channel through libxc, and
 * VIRQ_DOM_EXC releases dead domains.  -ENODEV without a hypervisor.
 */
int xsd_ring_xen_attach(struct xsd *xsd, struct xsd_loop *loop);
void xsd_ring_xen_detach(struct xsd *xsd);

/* Handles an event: reads requests, writes what fits of the replies. */
int xsd_ring_handle(struct xsd_ring *ring);
struct xs_conn *xsd_ring_conn(struct xsd_ring *ring);
void xsd_ring_free(struct xsd_ring *ring);

/*
 * Live update: a ring created with intf NULL is parked: it keeps its
 * connection and queues replies until attached to the (re)mapped page.
 */
struct xsd_ring *xsd_ring_of_conn(const struct xs_conn *conn);
bool xsd_ring_is_parked(const struct xsd_ring *ring);
void xsd_ring_attach(struct xsd_ring *ring,
		     struct xenstore_domain_interface *intf,
		     void (*notify)(void *ctx), void *ctx);
void xsd_ring_park(struct xsd_ring *ring);
/* Replies not yet in the ring, and restoring them. */
void xsd_ring_out(const struct xsd_ring *ring, const char **out,
		  size_t *out_len);
int xsd_ring_set_out(struct xsd_ring *ring, const char *out, size_t len);

#endif
