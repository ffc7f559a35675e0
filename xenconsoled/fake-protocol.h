/*
 * The in-memory console backend's protocol, between xenconsoled (built with
 * backend-fake.c, selected by $KXEN_XENCONSOLED_FAKE_BACKEND=<socket>) and
 * the test program that plays the guests (xenconsoled-fakeguest).  It stands
 * in for what xenhv's privcmd socket gives libxc: a domain list, the ring
 * page as a memfd, and an event channel as two eventfds.
 *
 * A unix SOCK_SEQPACKET socket; each request is one connection except
 * FAKE_OP_WATCH, whose connection stays open and receives one byte
 * whenever the set of domains changes.
 *   LIST            -> fake_reply with domains[]
 *   MAP  domid ref  -> fake_reply, fds: [ring memfd (4096 bytes)]
 *   BIND domid port -> fake_reply, fds: [guest->daemon eventfd, daemon->guest eventfd]
 *   HV              -> fake_reply, fds: [read end of a pipe carrying the
 *                      hypervisor console's text]
 * err is 0 or a positive errno (ENOENT: no such domain; EINVAL: the ring-ref
 * or port is not the one the guest advertised).
 */
#ifndef KXEN_XENCONSOLED_FAKE_PROTOCOL_H
#define KXEN_XENCONSOLED_FAKE_PROTOCOL_H

#include <stdint.h>

#define FAKE_MAX_DOMAINS 256
#define FAKE_RING_SIZE 4096

enum fake_op {
	FAKE_OP_WATCH = 1,
	FAKE_OP_LIST = 2,
	FAKE_OP_MAP = 3,
	FAKE_OP_BIND = 4,
	FAKE_OP_HV = 5,
};

struct fake_request {
	uint32_t op;
	uint32_t domid;
	uint64_t arg; /* MAP: ring-ref; BIND: remote port */
};

struct fake_domain_entry {
	uint32_t domid;
	uint32_t dying;
};

struct fake_reply {
	int32_t err;
	uint32_t count;
	struct fake_domain_entry domains[FAKE_MAX_DOMAINS];
};

#endif
