/*
 * xl/lifecycle.h: what the commands on running domains share (list.c,
 * domain.c, console.c, monitor.c).
 */
#ifndef XL_LIFECYCLE_H
#define XL_LIFECYCLE_H

#include <stdint.h>

/* A domain named by id or name; exits with Xen's message when unknown. */
uint32_t find_domain(const char *qualifier);

/*
 * The per-domain monitor xl keeps after create (unless -F/-e): waits for the
 * domain to shut down and applies on_poweroff/on_reboot/on_crash/... from
 * its stored config.  Forks into the background unless foreground is set;
 * returns in the parent at once (0) or, in the foreground, when the domain
 * is gone for good (its exit status).
 */
int monitor_domain(uint32_t domid, const char *name, int foreground);

/* Attaches the terminal to a domain's console (type "pv" or "serial"). */
int console_attach(uint32_t domid, const char *type, int num);

#endif /* XL_LIFECYCLE_H */
