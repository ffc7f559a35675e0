/*
 * Parsing and checking privcmd socket messages (include/xen/sys/privcmd.h),
 * apart from the socket so it can be unit-tested and fuzzed.  Every length
 * and offset is checked before use; a message that fails any check is
 * malformed and its connection is closed.
 */
#ifndef XENHV_PRIVCMD_WIRE_H
#define XENHV_PRIVCMD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <xen/sys/privcmd.h>

#include "hypercall.h"

struct privcmd_call {
	uint64_t op;
	uint64_t arg[5];
	unsigned int nr_bufs;
	struct privcmd_buf bufs[PRIVCMD_MAX_BUFS];
	const uint8_t *in[PRIVCMD_MAX_BUFS]; /* IN bytes inside the message */
};

/*
 * Check a message header at the start of buf (avail bytes read so far).
 * Returns 0 and fills *hdr when valid, -EAGAIN when fewer than a header's
 * bytes are there, -EPROTO when malformed.
 */
int privcmd_parse_header(const void *buf, size_t avail, struct privcmd_hdr *hdr);
/* Parse a PRIVCMD_MSG_HYPERCALL body; -EPROTO when malformed. */
int privcmd_parse_hypercall(const uint8_t *body, size_t len, struct privcmd_call *call);
/* Parse a PRIVCMD_MSG_MAP_FOREIGN body; gfns points at nr u64 (unaligned). */
int privcmd_parse_map_foreign(const uint8_t *body, size_t len, struct privcmd_map_foreign *req,
			      const uint8_t **gfns);

/* Parse a PRIVCMD_MSG_EVTCHN_ATTACH or _DETACH body. */
int privcmd_parse_evtchn_attach(const uint8_t *body, size_t len, struct privcmd_evtchn_attach *req);

/*
 * The bounce buffers of one call as a guest_access: xenhv-side copies of
 * the client's ranges, zeroed for OUT-only ones.
 */
struct privcmd_bounce {
	const struct privcmd_call *call;
	uint8_t *local[PRIVCMD_MAX_BUFS];
};
int privcmd_bounce_init(struct privcmd_bounce *b, const struct privcmd_call *call,
			struct guest_access *ga);
void privcmd_bounce_dispose(struct privcmd_bounce *b);
/* Bytes of OUT data a reply carries. */
size_t privcmd_bounce_out_size(const struct privcmd_call *call);
/* Copy the OUT buffers, in table order, to out (privcmd_bounce_out_size bytes). */
void privcmd_bounce_out(const struct privcmd_bounce *b, uint8_t *out);

#endif
