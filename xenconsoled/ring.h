/*
 * The PV console ring (Xen's struct xencons_interface) seen from the host.
 *
 * The ring page is shared with an untrusted guest, which may change any
 * index at any time.  Every function here reads each index it needs exactly
 * once, checks it, and only then touches the data arrays, always through
 * MASK_XENCONS_IDX, so no value a guest writes can make us access memory
 * outside the page or loop for longer than one ring's worth of bytes.
 *
 * A ring whose producer/consumer distance is larger than the ring is
 * "corrupt": like Xen's xenconsoled we neither read nor consume anything
 * then, and report it so the caller can count and log it.
 */
#ifndef KXEN_XENCONSOLED_RING_H
#define KXEN_XENCONSOLED_RING_H

#include <stdbool.h>
#include <stddef.h>

#include <xen/io/console.h>

#define CONSOLE_RING_OUT_SIZE sizeof(((struct xencons_interface *)0)->out)
#define CONSOLE_RING_IN_SIZE sizeof(((struct xencons_interface *)0)->in)

struct console_ring_result {
	size_t bytes; /* bytes copied (and consumed) */
	size_t left; /* bytes the guest still has queued after this read */
	bool corrupt; /* indexes out of range: nothing read or consumed */
};

/*
 * Copies at most max bytes of the guest's output into dst and advances
 * out_cons past them.  Returns what was done in *res; never fails.
 */
void console_ring_read_out(struct xencons_interface *intf, char *dst, size_t max,
			   struct console_ring_result *res);

/* Bytes the guest has queued in its out ring (0 when corrupt). */
size_t console_ring_out_pending(const struct xencons_interface *intf, bool *corrupt);

/* Free bytes of the guest's in ring (0 when full or corrupt). */
size_t console_ring_in_space(const struct xencons_interface *intf, bool *corrupt);

/*
 * Copies at most len bytes of input into the guest's in ring and advances
 * in_prod.  Returns the number of bytes written (0 when full or corrupt).
 */
size_t console_ring_write_in(struct xencons_interface *intf, const char *src, size_t len);

#endif
