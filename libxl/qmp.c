/*
 * libxl/qmp.c: QMP client (see qmp.h).
 *
 * Design: one blocking socket, one read buffer split at '\n' (QEMU ends each
 * message with "\r\n"), each line parsed as a whole with yajl's tree API.
 * What QEMU sends is checked before use: size, nesting depth (yajl frees a
 * tree recursively, so a deep one from a broken QEMU could blow the stack),
 * embedded NULs, and the shape of each message kind.  Timeouts are absolute
 * deadlines on CLOCK_MONOTONIC so that a stream of events cannot extend a
 * wait forever.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qmp.h"

/* Replies such as query-qmp-schema are large; nothing we ask is near this. */
#define QMP_MAX_MESSAGE (4u << 20)
#define QMP_MAX_DEPTH 64

static long long qmp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left before deadline (deadline < 0: none, returns -1). */
static int qmp_left_ms(long long deadline)
{
	long long left;

	if (deadline < 0)
		return -1;
	left = deadline - qmp_now_ms();
	if (left < 0)
		return 0;
	return left > 1000000 ? 1000000 : (int)left;
}

static long long qmp_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : qmp_now_ms() + timeout_ms;
}

const char *libxl__qmp_get_string(yajl_val obj, const char *key)
{
	size_t i;

	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	for (i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], key))
			continue;
		if (YAJL_IS_STRING(obj->u.object.values[i]))
			return obj->u.object.values[i]->u.string;
		return NULL;
	}
	return NULL;
}

static yajl_val qmp_get(yajl_val obj, const char *key)
{
	size_t i;

	if (!YAJL_IS_OBJECT(obj))
		return NULL;
	for (i = 0; i < obj->u.object.len; i++)
		if (!strcmp(obj->u.object.keys[i], key))
			return obj->u.object.values[i];
	return NULL;
}

/* Nesting depth of JSON text, ignoring brackets inside strings. */
static int qmp_check_depth(const char *text, size_t len)
{
	bool in_string = false;
	int depth = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = text[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > QMP_MAX_DEPTH)
				return -EINVAL;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return 0;
}

void libxl__qmp_msg_dispose(struct libxl__qmp_msg *msg)
{
	if (msg->tree)
		yajl_tree_free(msg->tree);
	memset(msg, 0, sizeof(*msg));
}

int libxl__qmp_parse_message(const char *text, size_t len, struct libxl__qmp_msg *msg)
{
	char *copy = NULL;
	yajl_val tree = NULL, v;
	int rc = -EINVAL;

	memset(msg, 0, sizeof(*msg));
	if (len == 0 || len > QMP_MAX_MESSAGE || memchr(text, '\0', len))
		goto out;
	if (qmp_check_depth(text, len))
		goto out;
	copy = malloc(len + 1);
	if (!copy) {
		rc = -ENOMEM;
		goto out;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	tree = yajl_tree_parse(copy, NULL, 0);
	if (!tree || !YAJL_IS_OBJECT(tree))
		goto out;

	v = qmp_get(tree, "id");
	if (v) {
		if (!YAJL_IS_INTEGER(v))
			goto out; /* we only send numbers */
		msg->has_id = true;
		msg->id = YAJL_GET_INTEGER(v);
	}

	if (qmp_get(tree, "QMP")) {
		if (!YAJL_IS_OBJECT(qmp_get(tree, "QMP")))
			goto out;
		msg->kind = LIBXL__QMP_MSG_GREETING;
	} else if ((v = qmp_get(tree, "return"))) {
		msg->kind = LIBXL__QMP_MSG_RETURN;
		msg->ret = v;
	} else if ((v = qmp_get(tree, "error"))) {
		msg->kind = LIBXL__QMP_MSG_ERROR;
		msg->err_class = libxl__qmp_get_string(v, "class");
		msg->err_desc = libxl__qmp_get_string(v, "desc");
		if (!msg->err_class || !msg->err_desc)
			goto out;
	} else if ((msg->event = libxl__qmp_get_string(tree, "event"))) {
		msg->kind = LIBXL__QMP_MSG_EVENT;
		msg->data = qmp_get(tree, "data");
		if (msg->data && !YAJL_IS_OBJECT(msg->data))
			goto out;
	} else {
		goto out;
	}
	msg->tree = tree;
	tree = NULL;
	rc = 0;
out:
	if (tree)
		yajl_tree_free(tree);
	free(copy);
	if (rc)
		memset(msg, 0, sizeof(*msg));
	return rc;
}

int libxl__qmp_json_string(char **buf, size_t *len, const char *s)
{
	size_t need = strlen(s) * 6 + 3, o = *len;
	char *p;

	p = realloc(*buf, o + need + 1);
	if (!p)
		return -ENOMEM;
	*buf = p;
	p[o++] = '"';
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			p[o++] = '\\';
			p[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)sprintf(p + o, "\\u%04x", c);
		} else {
			p[o++] = (char)c;
		}
	}
	p[o++] = '"';
	p[o] = '\0';
	*len = o;
	return 0;
}

void libxl__qmp_init(struct libxl__qmp *q, const struct libxl__qmp_ops *ops, void *opaque)
{
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	q->next_id = 1;
	q->ops = ops;
	q->opaque = opaque;
}

void libxl__qmp_close(struct libxl__qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	q->buf = NULL;
	q->len = q->cap = 0;
}

static void qmp_set_err(struct libxl__qmp *q, const char *what)
{
	snprintf(q->err, sizeof(q->err), "%s", what);
}

/* Reads what is there (waiting up to deadline).  0, -ETIMEDOUT or -EPIPE. */
static int qmp_fill(struct libxl__qmp *q, long long deadline)
{
	struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
	ssize_t r;
	int n;

	if (q->eof)
		return -EPIPE;
	do {
		n = poll(&pfd, 1, qmp_left_ms(deadline));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	if (q->cap - q->len < 4096) {
		size_t cap = q->cap ? q->cap * 2 : 8192;
		char *p;

		if (cap > QMP_MAX_MESSAGE + 8192) {
			qmp_set_err(q, "QMP message too long");
			return -EPROTO;
		}
		p = realloc(q->buf, cap);
		if (!p)
			return -ENOMEM;
		q->buf = p;
		q->cap = cap;
	}
	do {
		r = read(q->fd, q->buf + q->len, q->cap - q->len);
	} while (r < 0 && errno == EINTR);
	/* A reset is QEMU going away with our last command unread. */
	if (r < 0 && errno != ECONNRESET)
		return -errno;
	if (r <= 0) {
		q->eof = true;
		qmp_set_err(q, "QMP connection closed");
		return -EPIPE;
	}
	q->len += (size_t)r;
	return 0;
}

/*
 * Takes the next complete message out of the buffer.  1 and msg filled, 0 if
 * none is complete yet, -errno if the line is not a QMP message.
 */
static int qmp_next_message(struct libxl__qmp *q, struct libxl__qmp_msg *msg)
{
	char *nl;
	size_t line_len, skip;
	int rc;

	for (;;) {
		nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
		if (!nl)
			return 0;
		line_len = (size_t)(nl - q->buf);
		skip = line_len + 1;
		while (line_len && (q->buf[line_len - 1] == '\r' || q->buf[line_len - 1] == ' '))
			line_len--;
		if (line_len == 0) {
			memmove(q->buf, q->buf + skip, q->len - skip);
			q->len -= skip;
			continue;
		}
		rc = libxl__qmp_parse_message(q->buf, line_len, msg);
		memmove(q->buf, q->buf + skip, q->len - skip);
		q->len -= skip;
		if (rc) {
			qmp_set_err(q, "malformed QMP message");
			return rc;
		}
		return 1;
	}
}

static void qmp_dispatch_event(struct libxl__qmp *q, struct libxl__qmp_msg *m)
{
	if (m->kind == LIBXL__QMP_MSG_EVENT && q->ops && q->ops->event)
		q->ops->event(q->opaque, m->event, m->data);
}

/*
 * Reads messages until one that stop() accepts (returned in *out) or the
 * deadline.  Events met on the way are dispatched.
 */
static int qmp_read_until(struct libxl__qmp *q, long long deadline,
			  bool (*stop)(const struct libxl__qmp_msg *, void *), void *arg,
			  struct libxl__qmp_msg *out)
{
	struct libxl__qmp_msg m;
	int rc;

	for (;;) {
		rc = qmp_next_message(q, &m);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			if (stop(&m, arg)) {
				*out = m;
				return 0;
			}
			qmp_dispatch_event(q, &m);
			libxl__qmp_msg_dispose(&m);
			continue;
		}
		rc = qmp_fill(q, deadline);
		if (rc)
			return rc;
	}
}

static bool qmp_is_greeting(const struct libxl__qmp_msg *m, void *arg)
{
	(void)arg;
	return m->kind == LIBXL__QMP_MSG_GREETING;
}

static bool qmp_is_reply(const struct libxl__qmp_msg *m, void *arg)
{
	const long long *id = arg;

	return (m->kind == LIBXL__QMP_MSG_RETURN || m->kind == LIBXL__QMP_MSG_ERROR) && m->has_id &&
	       m->id == *id;
}

static int qmp_write_all(struct libxl__qmp *q, const char *p, size_t len)
{
	ssize_t r;

	while (len) {
		r = send(q->fd, p, len, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			qmp_set_err(q, "QMP connection closed");
			return errno == EPIPE || errno == ECONNRESET ? -EPIPE : -errno;
		}
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

int libxl__qmp_execute(struct libxl__qmp *q, const char *cmd, const char *args,
		       struct libxl__qmp_msg *ret, int timeout_ms)
{
	long long deadline = qmp_deadline(timeout_ms), id;
	struct libxl__qmp_msg m = { 0 };
	char *text = NULL;
	int n, rc;

	if (q->fd < 0)
		return -ENOTCONN;
	id = q->next_id++;
	n = asprintf(&text, "{\"execute\":\"%s\"%s%s,\"id\":%lld}\n", cmd,
		     args ? ",\"arguments\":" : "", args ? args : "", id);
	if (n < 0) {
		text = NULL;
		rc = -ENOMEM;
		goto out;
	}
	rc = qmp_write_all(q, text, (size_t)n);
	if (rc)
		goto out;
	rc = qmp_read_until(q, deadline, qmp_is_reply, &id, &m);
	if (rc)
		goto out;
	if (m.kind == LIBXL__QMP_MSG_ERROR) {
		snprintf(q->err, sizeof(q->err), "%s: %s", cmd, m.err_desc);
		rc = -EIO;
		goto out;
	}
	if (ret) {
		*ret = m;
		memset(&m, 0, sizeof(m));
	}
out:
	libxl__qmp_msg_dispose(&m);
	free(text);
	return rc;
}

int libxl__qmp_handle_input(struct libxl__qmp *q, int timeout_ms)
{
	long long deadline = qmp_deadline(timeout_ms);
	struct libxl__qmp_msg m;
	bool handled = false;
	int rc;

	for (;;) {
		rc = qmp_next_message(q, &m);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			qmp_dispatch_event(q, &m);
			libxl__qmp_msg_dispose(&m);
			handled = true;
			continue;
		}
		if (handled)
			return 0;
		rc = qmp_fill(q, deadline);
		if (rc)
			return rc;
	}
}

int libxl__qmp_connect(struct libxl__qmp *q, const char *path, int timeout_ms,
		       bool (*alive)(void *opaque), void *alive_opaque)
{
	long long deadline = qmp_deadline(timeout_ms);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct libxl__qmp_msg m = { 0 };
	int fd = -1, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		qmp_set_err(q, "QMP socket path too long");
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		rc = -errno;
		close(fd);
		fd = -1;
		if (rc != -ENOENT && rc != -ECONNREFUSED) {
			qmp_set_err(q, "cannot connect to QMP socket");
			return rc;
		}
		if (alive && !alive(alive_opaque)) {
			qmp_set_err(q, "QEMU ended before its QMP socket was ready");
			return -ESRCH;
		}
		if (qmp_left_ms(deadline) == 0) {
			qmp_set_err(q, "QMP socket did not appear in time");
			return -ETIMEDOUT;
		}
		usleep(5000);
	}
	q->fd = fd;
	q->eof = false;
	q->len = 0;
	rc = qmp_read_until(q, deadline, qmp_is_greeting, NULL, &m);
	libxl__qmp_msg_dispose(&m);
	if (rc)
		goto out;
	rc = libxl__qmp_execute(q, "qmp_capabilities", NULL, NULL, qmp_left_ms(deadline));
out:
	/* QEMU serves one client per socket: a busy one never greets. */
	if (rc == -ETIMEDOUT && !q->err[0])
		qmp_set_err(q, "no QMP greeting in time (socket busy with another client?)");
	if (rc)
		libxl__qmp_close(q);
	return rc;
}

int libxl__qmp_query_chardev_pty(struct libxl__qmp *q, const char *label, char **path,
				 int timeout_ms)
{
	struct libxl__qmp_msg m = { 0 };
	const char *l, *f;
	size_t i;
	int rc;

	*path = NULL;
	rc = libxl__qmp_execute(q, "query-chardev", NULL, &m, timeout_ms);
	if (rc)
		return rc;
	rc = -ENOENT;
	if (!YAJL_IS_ARRAY(m.ret))
		goto out;
	for (i = 0; i < m.ret->u.array.len; i++) {
		yajl_val c = m.ret->u.array.values[i];

		l = libxl__qmp_get_string(c, "label");
		f = libxl__qmp_get_string(c, "filename");
		if (!l || !f || strcmp(l, label) || strncmp(f, "pty:", 4))
			continue;
		*path = strdup(f + 4);
		rc = *path ? 0 : -ENOMEM;
		break;
	}
out:
	libxl__qmp_msg_dispose(&m);
	return rc;
}
