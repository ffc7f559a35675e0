/*
 * libxl/qmp.h: a small synchronous client of QEMU's QMP protocol.
 *
 * QMP is line-framed JSON on a unix socket: QEMU greets, we negotiate
 * capabilities, then every command carries our numeric "id" and its reply
 * echoes it; asynchronous events (SHUTDOWN, POWERDOWN, RESET, STOP...) may
 * arrive at any time, also between a command and its reply.  Every message
 * read is handed to qmp_parse_message() (pure, fuzzed) and events go to the
 * caller's ops->event as they come.  All waits are bounded by a timeout.
 */
#ifndef LIBXL_QMP_H
#define LIBXL_QMP_H

#include <stdbool.h>
#include <stddef.h>

#include <yajl/yajl_tree.h>

enum libxl__qmp_msg_kind {
	LIBXL__QMP_MSG_GREETING,
	LIBXL__QMP_MSG_RETURN,
	LIBXL__QMP_MSG_ERROR,
	LIBXL__QMP_MSG_EVENT,
};

/* One message from QEMU; the pointers point into tree. */
struct libxl__qmp_msg {
	enum libxl__qmp_msg_kind kind;
	yajl_val tree;
	bool has_id;
	long long id;
	yajl_val ret; /* RETURN: the "return" value */
	const char *err_class; /* ERROR */
	const char *err_desc; /* ERROR */
	const char *event; /* EVENT: its name */
	yajl_val data; /* EVENT: "data" or NULL */
};

/*
 * Parses one message (a JSON object, no framing).  Returns 0 and fills msg
 * (free with libxl__qmp_msg_dispose) or -EINVAL for anything that is not a
 * well-formed QMP message.
 */
int libxl__qmp_parse_message(const char *text, size_t len, struct libxl__qmp_msg *msg);
void libxl__qmp_msg_dispose(struct libxl__qmp_msg *msg);

/* Looks up a string member of an object; NULL if absent or not a string. */
const char *libxl__qmp_get_string(yajl_val obj, const char *key);

struct libxl__qmp;

struct libxl__qmp_ops {
	/* An event arrived; data may be NULL. */
	void (*event)(void *opaque, const char *event, yajl_val data);
};

struct libxl__qmp {
	int fd;
	char *buf; /* bytes read but not yet parsed */
	size_t len;
	size_t cap;
	long long next_id;
	bool eof;
	const struct libxl__qmp_ops *ops;
	void *opaque;
	char err[256]; /* the last error QEMU or the transport gave */
};

void libxl__qmp_init(struct libxl__qmp *q, const struct libxl__qmp_ops *ops, void *opaque);

/*
 * Connects to path, retrying while QEMU has not created it yet, reads the
 * greeting and negotiates capabilities, all within timeout_ms.
 * alive(opaque), if given, is asked between retries; false ends the wait.
 */
int libxl__qmp_connect(struct libxl__qmp *q, const char *path, int timeout_ms,
		       bool (*alive)(void *opaque), void *alive_opaque);

/*
 * Runs cmd with args (a JSON object text or NULL) and waits for its reply.
 * On success, if ret is not NULL, *ret is the parsed reply (free with
 * libxl__qmp_msg_dispose).  -EIO: QEMU answered an error (q->err says it);
 * -EPIPE: the socket closed; -ETIMEDOUT.
 */
int libxl__qmp_execute(struct libxl__qmp *q, const char *cmd, const char *args,
		       struct libxl__qmp_msg *ret, int timeout_ms);

/*
 * Waits up to timeout_ms (< 0: no limit, 0: just what is ready) for input
 * and hands every complete message to ops->event.  0 when something was
 * handled, -ETIMEDOUT, -EPIPE at end of stream.
 */
int libxl__qmp_handle_input(struct libxl__qmp *q, int timeout_ms);

/* The "pty:/dev/pts/N" of a chardev, from query-chardev: malloc'ed path. */
int libxl__qmp_query_chardev_pty(struct libxl__qmp *q, const char *label, char **path,
				 int timeout_ms);

void libxl__qmp_close(struct libxl__qmp *q);

/* Appends s to a growing buffer as a JSON string (with quotes). */
int libxl__qmp_json_string(char **buf, size_t *len, const char *s);

#endif
