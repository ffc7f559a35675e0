/*
 * What xenconsoled needs from the hypervisor, behind one ops table, so that
 * the daemon runs unchanged on xenhv (through libxc: grant/foreign mapping,
 * event channels, the domain list) or on an in-memory fake that a test
 * program drives (a ring in a memfd, eventfds for the event channel).
 *
 * Every call returns 0 or a negative errno.
 */
#ifndef KXEN_XENCONSOLED_BACKEND_H
#define KXEN_XENCONSOLED_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/io/console.h>

struct console_backend; /* each implementation defines its own */

/* A domain as the domain list shows it. */
struct console_domain_info {
	uint32_t domid;
	bool dying; /* dying or shut down and being destroyed: clean up */
};

/* A domain's ring as mapped, and its event channel as bound. */
struct console_ring_map {
	struct xencons_interface *intf;
	void *priv; /* the implementation's own state */
};

struct console_port {
	int fd; /* readable when the guest notified us */
	uint32_t local_port;
	void *priv;
};

struct console_backend_ops {
	const char *name;
	int (*open)(struct console_backend **be);
	void (*close)(struct console_backend *be);

	/* Up to max domains into out; returns how many (or -errno). */
	int (*list_domains)(struct console_backend *be, struct console_domain_info *out,
			    size_t max);
	/* An fd readable when the domain list may have changed, or -1 (xenstore's
	 * @introduceDomain/@releaseDomain watches tell us then). */
	int (*domains_fd)(struct console_backend *be);
	/* Called after domains_fd was readable, to drain it. */
	void (*domains_ack)(struct console_backend *be);

	int (*map_ring)(struct console_backend *be, uint32_t domid, uint64_t ring_ref,
			struct console_ring_map *map);
	void (*unmap_ring)(struct console_backend *be, struct console_ring_map *map);

	int (*bind_port)(struct console_backend *be, uint32_t domid, uint32_t remote_port,
			 struct console_port *port);
	/* Consume the pending notification (and unmask) after port->fd polled readable. */
	void (*ack)(struct console_backend *be, struct console_port *port);
	int (*notify)(struct console_backend *be, struct console_port *port);
	void (*unbind)(struct console_backend *be, struct console_port *port);

	/* The hypervisor console: an fd readable when it has new text (or -1),
	 * and a read of what is new since the last call (0 bytes = nothing). */
	int (*hv_console_fd)(struct console_backend *be);
	long (*hv_console_read)(struct console_backend *be, char *buf, size_t len);
};

/* The in-memory backend for tests; see backend-fake.c. */
extern const struct console_backend_ops console_backend_fake_ops;
/* The environment variable that selects it (tests only). */
#define CONSOLE_FAKE_BACKEND_ENV "KXEN_XENCONSOLED_FAKE_BACKEND"

/* The backend on libxc, when it is built in (see backend-xen.c); NULL otherwise. */
extern const struct console_backend_ops *const console_backend_xen_ops;

#endif
