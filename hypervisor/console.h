/*
 * The hypervisor console ring: what `xl dmesg` shows.  xenhv's own messages
 * and guests' console_io output go in; domain 0 reads it with sysctl
 * readconsole (optionally incremental from an index, optionally clearing).
 */
#ifndef XENHV_CONSOLE_H
#define XENHV_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#define HV_CONSOLE_SIZE (64u * 1024) /* a power of two */
#define HV_CONSOLE_LINE_MAX 256

struct hv_console {
	char ring[HV_CONSOLE_SIZE];
	uint64_t prod; /* bytes ever written */
	uint64_t cons; /* oldest byte not cleared */
	/* Partial guest lines are collected per domain in the guest's struct. */
};

void hv_console_init(struct hv_console *c);
void hv_console_put(struct hv_console *c, const char *s, size_t len);
/*
 * Copy up to count bytes starting at *index (incremental) or at the oldest
 * byte kept; returns bytes copied and moves *index past them.
 */
size_t hv_console_read(struct hv_console *c, char *buf, size_t count, uint32_t *index,
		       int incremental);
void hv_console_clear(struct hv_console *c);

/*
 * A guest's console_io bytes: buffered per line, prefixed "(dN) ", control
 * bytes shown as '.', lines longer than the buffer cut.  A guest may not
 * flood the ring: beyond HV_GUEST_LINES_PER_WINDOW lines in a window of
 * HV_GUEST_WINDOW_NS, lines are dropped and counted, and the count is
 * reported when the next window opens.
 */
#define HV_GUEST_LINES_PER_WINDOW 200
#define HV_GUEST_WINDOW_NS 1000000000ull

struct hv_guest_line {
	char buf[HV_CONSOLE_LINE_MAX];
	size_t len;
	int cut; /* the last line was cut: a newline right after ends nothing */
	uint64_t window_start;
	unsigned int lines;
	unsigned long suppressed;
};
void hv_console_guest_write(struct hv_console *c, struct hv_guest_line *line, unsigned int domid,
			    const char *s, size_t len, uint64_t now_ns,
			    void (*emit)(void *opaque, const char *line), void *opaque);

#endif
