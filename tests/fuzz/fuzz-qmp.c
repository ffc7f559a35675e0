/*
 * Fuzz target for the QMP client's reading side (libxl/qmp.c): what QEMU
 * sends is parsed message by message, framed at newlines, both directly and
 * through the socket reader, and the fields libxl uses are looked at.
 */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "libxl/qmp.h"

static void look_at(const struct libxl__qmp_msg *m)
{
	volatile size_t sink = 0;

	if (m->kind == LIBXL__QMP_MSG_EVENT) {
		const char *r = libxl__qmp_get_string(m->data, "reason");

		sink += r ? strlen(r) : 0;
		sink += strlen(m->event);
	} else if (m->kind == LIBXL__QMP_MSG_ERROR) {
		sink += strlen(m->err_class) + strlen(m->err_desc);
	} else if (m->kind == LIBXL__QMP_MSG_RETURN && YAJL_IS_ARRAY(m->ret)) {
		for (size_t i = 0; i < m->ret->u.array.len; i++) {
			const char *f =
				libxl__qmp_get_string(m->ret->u.array.values[i], "filename");

			sink += f ? strlen(f) : 0;
		}
	}
	(void)sink;
}

static void on_event(void *opaque, const char *event, yajl_val data)
{
	(void)opaque;
	(void)event;
	(void)libxl__qmp_get_string(data, "reason");
}

static const struct libxl__qmp_ops ops = { .event = on_event };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct libxl__qmp_msg m;
	struct libxl__qmp q;
	size_t start = 0, i;
	int sv[2];

	if (!libxl__qmp_parse_message(text, size, &m)) {
		look_at(&m);
		libxl__qmp_msg_dispose(&m);
	}
	for (i = 0; i <= size; i++) {
		if (i < size && text[i] != '\n')
			continue;
		if (!libxl__qmp_parse_message(text + start, i - start, &m)) {
			look_at(&m);
			libxl__qmp_msg_dispose(&m);
		}
		start = i + 1;
	}

	/* The same bytes through the socket reader, as QEMU would send them. */
	if (size > 100000 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 0;
	if (write(sv[1], data, size) == (ssize_t)size) {
		close(sv[1]);
		sv[1] = -1;
		libxl__qmp_init(&q, &ops, NULL);
		q.fd = sv[0];
		while (libxl__qmp_handle_input(&q, 0) == 0)
			;
		libxl__qmp_close(&q);
	} else {
		close(sv[0]);
	}
	if (sv[1] >= 0)
		close(sv[1]);
	return 0;
}
