/*
 * Event channels, grant tables and the PV console and xenstore rings of the
 * test-guest runtime (evtchn.c, ring.c).  The guest runs with interrupts
 * off: it waits for an event with SCHEDOP_poll on the port and reads the
 * pending bit from its shared_info page, as a Xen guest may without an
 * upcall handler.
 */
#ifndef XTEST_EVTCHN_H
#define XTEST_EVTCHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/xen.h>

#include "hypercall.h"

static inline long HYPERVISOR_event_channel_op(int cmd, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static inline long HYPERVISOR_grant_table_op(int cmd, void *uop,
					     unsigned int count)
{
	return xen_hypercall3(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

/* evtchn.c */
extern struct shared_info *xen_shared_info;
/* Map shared_info (once).  0 or the hypercall's -errno. */
long xen_events_init(void);
/* An HVM parameter of our own domain, 0 when unset or on error. */
uint64_t xen_hvm_param(unsigned int index);
long evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
long evtchn_send(evtchn_port_t port);
long evtchn_close(evtchn_port_t port);
/* Clear port's pending bit; whether it was set. */
bool evtchn_test_and_clear(evtchn_port_t port);
/* Sleep until an event on port (consumed), with SCHEDOP_poll. */
void evtchn_wait(evtchn_port_t port);

/* ring.c: the PV console ring (HVM_PARAM_CONSOLE_*), if the toolstack gave one. */
int xen_console_ring_init(void);
bool xen_console_ring_ready(void);
void xen_console_ring_write(const char *s, size_t len);
/* Wait (bounded) until xenconsoled has read everything written. */
void xen_console_ring_flush(void);

/* ring.c: a xenstore client on the ring (HVM_PARAM_STORE_*). */
int xs_ring_init(void);
bool xs_ring_ready(void);
/*
 * One request; the reply's payload (NUL-terminated, truncated to cap) in
 * reply.  Returns the reply's length, or -1 for an XS_ERROR reply (its
 * error name in reply), or -2 when the ring is unusable.
 */
long xs_request(uint32_t type, const char *const parts[], unsigned int nr,
		char *reply, size_t cap);
long xs_read(const char *path, char *buf, size_t cap);
long xs_write(const char *path, const char *value);
long xs_watch(const char *path, const char *token);
/* Wait for the next watch event: "path\0token" in buf. */
long xs_read_watch(char *buf, size_t cap);

#endif
