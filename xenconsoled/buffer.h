/*
 * A domain's output buffer: what the guest wrote that the pty has not taken
 * yet.  It holds at most `limit` bytes (Xen's ~/console/limit).  When more
 * arrives and the overflow policy is "discard" (Xen's default), the oldest
 * bytes are dropped and counted; with "keep" the caller must not read the
 * ring further than console_buffer_space() allows, which pushes back on the
 * guest instead.
 *
 * Memory grows on demand (doubling from a small start) so that 100 idle
 * domains with a 1 MiB limit cost almost nothing.
 */
#ifndef KXEN_XENCONSOLED_BUFFER_H
#define KXEN_XENCONSOLED_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console_buffer {
	char *data;
	size_t alloc; /* bytes allocated for data */
	size_t head; /* offset of the oldest byte */
	size_t len; /* bytes held */
	size_t limit; /* most bytes ever held */
	uint64_t dropped; /* bytes discarded, oldest first */
};

/* Limits applied to what a guest asks for in ~/console/limit. */
#define CONSOLE_BUFFER_LIMIT_MIN 4096
#define CONSOLE_BUFFER_LIMIT_MAX (16u << 20)
#define CONSOLE_BUFFER_LIMIT_DEFAULT (1u << 20)

void console_buffer_init(struct console_buffer *buf, size_t limit);
void console_buffer_dispose(struct console_buffer *buf);

/* Changes the limit; drops the oldest bytes if more are held than the new limit. */
void console_buffer_set_limit(struct console_buffer *buf, size_t limit);

/* Bytes that fit without dropping anything. */
size_t console_buffer_space(const struct console_buffer *buf);

/*
 * Appends len bytes.  With discard, the oldest bytes make room (and at most
 * the newest `limit` bytes of data are kept); without, only what fits is
 * taken.  Returns the number of bytes of data stored, or -ENOMEM (nothing
 * stored, the bytes are counted as dropped).
 */
long console_buffer_append(struct console_buffer *buf, const char *data, size_t len, bool discard);

/* The oldest contiguous run of bytes: *len is 0 when empty. */
const char *console_buffer_peek(const struct console_buffer *buf, size_t *len);

/* Forgets the n oldest bytes (after they were written out). */
void console_buffer_consume(struct console_buffer *buf, size_t n);

#endif
