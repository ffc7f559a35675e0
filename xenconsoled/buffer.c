/*
 * The per-domain output buffer (see buffer.h): a ring of bytes that grows
 * by doubling up to its limit and drops its oldest bytes when full.
 */
#include "buffer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER_INITIAL_ALLOC 4096

static size_t buffer_clamp_limit(size_t limit)
{
	if (limit < CONSOLE_BUFFER_LIMIT_MIN)
		return CONSOLE_BUFFER_LIMIT_MIN;
	if (limit > CONSOLE_BUFFER_LIMIT_MAX)
		return CONSOLE_BUFFER_LIMIT_MAX;
	return limit;
}

void console_buffer_init(struct console_buffer *buf, size_t limit)
{
	memset(buf, 0, sizeof(*buf));
	buf->limit = buffer_clamp_limit(limit);
}

void console_buffer_dispose(struct console_buffer *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->alloc = 0;
	buf->head = 0;
	buf->len = 0;
}

size_t console_buffer_space(const struct console_buffer *buf)
{
	return buf->limit - buf->len;
}

const char *console_buffer_peek(const struct console_buffer *buf, size_t *len)
{
	size_t run = buf->alloc - buf->head;

	*len = buf->len < run ? buf->len : run;
	return buf->len ? buf->data + buf->head : NULL;
}

void console_buffer_consume(struct console_buffer *buf, size_t n)
{
	if (n > buf->len)
		n = buf->len;
	buf->len -= n;
	buf->head = buf->len ? (buf->head + n) % buf->alloc : 0;
}

void console_buffer_set_limit(struct console_buffer *buf, size_t limit)
{
	buf->limit = buffer_clamp_limit(limit);
	if (buf->len > buf->limit) {
		buf->dropped += buf->len - buf->limit;
		console_buffer_consume(buf, buf->len - buf->limit);
	}
}

/* Makes room for `need` bytes in total, keeping the held bytes in order. */
static int buffer_reserve(struct console_buffer *buf, size_t need)
{
	size_t alloc = buf->alloc ? buf->alloc : BUFFER_INITIAL_ALLOC;
	size_t first;
	char *data;

	if (need <= buf->alloc)
		return 0;
	while (alloc < need)
		alloc *= 2;
	if (alloc > buf->limit)
		alloc = buf->limit;

	data = malloc(alloc);
	if (!data)
		return -ENOMEM;
	/* Linearise: the oldest byte moves to offset 0. */
	first = buf->alloc - buf->head;
	if (first > buf->len)
		first = buf->len;
	if (buf->len) {
		memcpy(data, buf->data + buf->head, first);
		memcpy(data + first, buf->data, buf->len - first);
	}
	free(buf->data);
	buf->data = data;
	buf->alloc = alloc;
	buf->head = 0;
	return 0;
}

long console_buffer_append(struct console_buffer *buf, const char *data, size_t len, bool discard)
{
	size_t space = console_buffer_space(buf);
	size_t tail, first, stored;

	if (len > space) {
		if (!discard) {
			len = space;
		} else if (len >= buf->limit) {
			/* Only the newest `limit` bytes of data can survive. */
			buf->dropped += buf->len + (len - buf->limit);
			console_buffer_consume(buf, buf->len);
			data += len - buf->limit;
			len = buf->limit;
		} else {
			buf->dropped += len - space;
			console_buffer_consume(buf, len - space);
		}
	}
	if (len == 0)
		return 0;
	if (buffer_reserve(buf, buf->len + len) < 0) {
		buf->dropped += len;
		return -ENOMEM;
	}

	tail = (buf->head + buf->len) % buf->alloc;
	first = buf->alloc - tail;
	if (first > len)
		first = len;
	memcpy(buf->data + tail, data, first);
	memcpy(buf->data, data + first, len - first);
	buf->len += len;
	stored = len;
	return (long)stored;
}
