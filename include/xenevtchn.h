/*
 * xenevtchn: event channels for host processes, in the shapes of Xen's
 * libxenevtchn (xenevtchn.h), provided by kxen's libxenctrl.
 *
 * Each handle has its own connection to xenhv; its ports are closed when
 * the handle is closed.  xenevtchn_fd() is pollable: readable when one of
 * the handle's ports has an event, which xenevtchn_pending() returns.
 * Ports are kept unmasked (xenevtchn_unmask is accepted and does nothing):
 * an event that arrives before the previous one was consumed is merged.
 */
#ifndef XENEVTCHN_H
#define XENEVTCHN_H

#include <stdint.h>

#include <xen/event_channel.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xenevtchn_handle xenevtchn_handle;
typedef int xenevtchn_port_or_error_t;
struct xentoollog_logger;

#define XENEVTCHN_NO_CLOEXEC (1 << 0)

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int open_flags);
int xenevtchn_close(xenevtchn_handle *xce);
int xenevtchn_fd(xenevtchn_handle *xce);
int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port);
xenevtchn_port_or_error_t xenevtchn_bind_unbound_port(xenevtchn_handle *xce, uint32_t domid);
xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
						     evtchn_port_t remote_port);
xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *xce, unsigned int virq);
int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port);
/* The next port with an event (blocks until there is one), or -1. */
xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce);
int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port);
int xenevtchn_restrict(xenevtchn_handle *xce, uint16_t domid);

#ifdef __cplusplus
}
#endif

#endif
