/*
 * The hypervisor console ring (xl dmesg).  A byte ring indexed by a 64-bit
 * count of bytes ever written, so readers can ask "everything since index"
 * as sysctl readconsole's incremental mode does; old bytes are overwritten.
 */
#include <stdio.h>
#include <string.h>

#include "console.h"

void hv_console_init(struct hv_console *c)
{
	memset(c, 0, sizeof(*c));
}

void hv_console_put(struct hv_console *c, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		c->ring[(c->prod + i) & (HV_CONSOLE_SIZE - 1)] = s[i];
	c->prod += len;
	if (c->prod - c->cons > HV_CONSOLE_SIZE)
		c->cons = c->prod - HV_CONSOLE_SIZE;
}

size_t hv_console_read(struct hv_console *c, char *buf, size_t count, uint32_t *index,
		       int incremental)
{
	uint64_t start = c->cons, n, i;

	/*
	 * The index is 32 bits in Xen's ABI: take the 64-bit position whose
	 * low 32 bits match and lies within the kept window.
	 */
	if (incremental) {
		uint64_t want = (c->prod & ~0xffffffffull) | *index;

		if (want > c->prod)
			want -= 1ull << 32;
		if (want > start && want <= c->prod)
			start = want;
	}
	n = c->prod - start;
	if (n > count)
		n = count;
	for (i = 0; i < n; i++)
		buf[i] = c->ring[(start + i) & (HV_CONSOLE_SIZE - 1)];
	*index = (uint32_t)(start + n);
	return n;
}

void hv_console_clear(struct hv_console *c)
{
	c->cons = c->prod;
}

static void hv_console_emit(struct hv_console *c, const char *out, int n, size_t size,
			    void (*emit)(void *opaque, const char *line), void *opaque)
{
	if (n <= 0)
		return;
	hv_console_put(c, out, (size_t)n < size ? (size_t)n : size - 1);
	if (emit)
		emit(opaque, out);
}

/* Count the line against the window; false if it must be dropped. */
static int hv_console_guest_allow(struct hv_console *c, struct hv_guest_line *line,
				  unsigned int domid, uint64_t now_ns,
				  void (*emit)(void *opaque, const char *line), void *opaque)
{
	char out[96];

	if (now_ns - line->window_start >= HV_GUEST_WINDOW_NS || now_ns < line->window_start) {
		if (line->suppressed) {
			int n = snprintf(out, sizeof(out),
					 "(XEN) domain %u: %lu console lines suppressed\n", domid,
					 line->suppressed);

			hv_console_emit(c, out, n, sizeof(out), emit, opaque);
		}
		line->window_start = now_ns;
		line->lines = 0;
		line->suppressed = 0;
	}
	if (line->lines >= HV_GUEST_LINES_PER_WINDOW) {
		line->suppressed++;
		return 0;
	}
	line->lines++;
	return 1;
}

void hv_console_guest_write(struct hv_console *c, struct hv_guest_line *line, unsigned int domid,
			    const char *s, size_t len, uint64_t now_ns,
			    void (*emit)(void *opaque, const char *line), void *opaque)
{
	char out[HV_CONSOLE_LINE_MAX + 32];
	size_t i;

	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '\n' && line->len == 0 && line->cut) {
			line->cut = 0;
			continue;
		}
		line->cut = 0;
		if (ch != '\n') {
			/* Keep the ring printable: control bytes become '.'. */
			if ((unsigned char)ch < 0x20 || (unsigned char)ch >= 0x7f)
				ch = ch == '\t' ? ' ' : '.';
			line->buf[line->len++] = ch;
			if (line->len < sizeof(line->buf) - 1)
				continue;
			line->cut = 1; /* full: the rest follows on a new line */
		}
		line->buf[line->len] = '\0';
		line->len = 0;
		if (!hv_console_guest_allow(c, line, domid, now_ns, emit, opaque))
			continue;
		hv_console_emit(c, out, snprintf(out, sizeof(out), "(d%u) %s\n", domid, line->buf),
				sizeof(out), emit, opaque);
	}
}
