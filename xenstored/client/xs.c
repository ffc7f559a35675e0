/*
 * xs.c: libxenstore, the client side of the xs_wire protocol.
 *
 * One request is in flight per handle (request_mutex), as in Xen's library.
 * Until the first watch, the requesting thread reads the socket itself and
 * queues any watch event it meets; from the first xs_watch() on, a reader
 * thread owns the socket: it hands replies to the waiting requester
 * (reply_cond) and queues watch events (watch_cond, and one byte per event
 * on the xs_fileno() pipe).  So watches and requests work from any thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <xenstore.h>

struct xs_msg {
	struct xsd_sockmsg hdr;
	char *body; /* hdr.len bytes + a NUL */
	struct xs_msg *next;
};

struct xs_handle {
	int fd;
	bool is_socket;
	pthread_mutex_t request_mutex;
	pthread_mutex_t reply_mutex;
	pthread_cond_t reply_cond;
	struct xs_msg *reply;
	pthread_mutex_t watch_mutex;
	pthread_cond_t watch_cond;
	struct xs_msg *watch_head, **watch_tail;
	int watch_pipe[2];
	bool reader_running;
	pthread_t reader;
	bool dead; /* the daemon closed the connection */
	bool unwatch_filter;
};

static int connect_socket(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, saved;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static struct xs_handle *get_handle(const char *path)
{
	struct xs_handle *h;
	struct stat st;
	int fd;

	if (stat(path, &st) < 0)
		return NULL;
	if (S_ISSOCK(st.st_mode))
		fd = connect_socket(path);
	else
		fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	h->fd = fd;
	h->is_socket = S_ISSOCK(st.st_mode);
	h->watch_pipe[0] = h->watch_pipe[1] = -1;
	h->watch_tail = &h->watch_head;
	pthread_mutex_init(&h->request_mutex, NULL);
	pthread_mutex_init(&h->reply_mutex, NULL);
	pthread_cond_init(&h->reply_cond, NULL);
	pthread_mutex_init(&h->watch_mutex, NULL);
	pthread_cond_init(&h->watch_cond, NULL);
	return h;
}

struct xs_handle *xs_open(unsigned long flags)
{
	struct xs_handle *h = get_handle(xs_daemon_socket());

	if (!h && !(flags & XS_OPEN_SOCKETONLY))
		h = get_handle(xs_domain_dev());
	if (h)
		h->unwatch_filter = flags & XS_UNWATCH_FILTER;
	return h;
}

struct xs_handle *xs_daemon_open(void)
{
	return xs_open(0);
}

struct xs_handle *xs_domain_open(void)
{
	return xs_open(0);
}

struct xs_handle *xs_daemon_open_readonly(void)
{
	return xs_open(XS_OPEN_READONLY);
}

static void msg_free(struct xs_msg *m)
{
	if (m) {
		free(m->body);
		free(m);
	}
}

void xs_close(struct xs_handle *h)
{
	struct xs_msg *m;

	if (!h)
		return;
	if (h->reader_running) {
		/* Wakes the reader out of read(): it sees EOF and exits. */
		shutdown(h->fd, SHUT_RDWR);
		pthread_join(h->reader, NULL);
	}
	while ((m = h->watch_head)) {
		h->watch_head = m->next;
		msg_free(m);
	}
	msg_free(h->reply);
	close(h->fd);
	if (h->watch_pipe[0] >= 0) {
		close(h->watch_pipe[0]);
		close(h->watch_pipe[1]);
	}
	pthread_mutex_destroy(&h->request_mutex);
	pthread_mutex_destroy(&h->reply_mutex);
	pthread_cond_destroy(&h->reply_cond);
	pthread_mutex_destroy(&h->watch_mutex);
	pthread_cond_destroy(&h->watch_cond);
	free(h);
}

void xs_daemon_close(struct xs_handle *h)
{
	xs_close(h);
}

void xs_daemon_destroy_postfork(struct xs_handle *h)
{
	close(h->fd);
	free(h);
}

static bool read_all(int fd, void *data, size_t len)
{
	char *p = data;
	ssize_t n;

	while (len) {
		n = read(fd, p, len);
		if (n == 0) {
			errno = ECONNRESET;
			return false;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += n;
		len -= n;
	}
	return true;
}

static struct xs_msg *read_message(struct xs_handle *h)
{
	struct xs_msg *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	if (!read_all(h->fd, &m->hdr, sizeof(m->hdr)))
		goto fail;
	if (m->hdr.len > XENSTORE_PAYLOAD_MAX) {
		errno = E2BIG;
		goto fail;
	}
	m->body = malloc(m->hdr.len + 1);
	if (!m->body || !read_all(h->fd, m->body, m->hdr.len))
		goto fail;
	m->body[m->hdr.len] = '\0';
	return m;
fail:
	msg_free(m);
	return NULL;
}

static void queue_watch_event(struct xs_handle *h, struct xs_msg *m)
{
	char byte = 0;

	pthread_mutex_lock(&h->watch_mutex);
	*h->watch_tail = m;
	h->watch_tail = &m->next;
	if (h->watch_pipe[1] >= 0 && write(h->watch_pipe[1], &byte, 1) < 0) {
		/* The pipe only signals; a full pipe is still readable. */
	}
	pthread_cond_broadcast(&h->watch_cond);
	pthread_mutex_unlock(&h->watch_mutex);
}

static void *reader_thread(void *arg)
{
	struct xs_handle *h = arg;
	struct xs_msg *m;

	for (;;) {
		m = read_message(h);
		if (!m)
			break;
		if (m->hdr.type == XS_WATCH_EVENT) {
			queue_watch_event(h, m);
			continue;
		}
		pthread_mutex_lock(&h->reply_mutex);
		msg_free(h->reply);
		h->reply = m;
		pthread_cond_broadcast(&h->reply_cond);
		pthread_mutex_unlock(&h->reply_mutex);
	}
	pthread_mutex_lock(&h->reply_mutex);
	h->dead = true;
	pthread_cond_broadcast(&h->reply_cond);
	pthread_mutex_unlock(&h->reply_mutex);
	pthread_mutex_lock(&h->watch_mutex);
	pthread_cond_broadcast(&h->watch_cond);
	pthread_mutex_unlock(&h->watch_mutex);
	return NULL;
}

/* Called with request_mutex held. */
static bool start_reader(struct xs_handle *h)
{
	if (h->reader_running)
		return true;
	if (pthread_create(&h->reader, NULL, reader_thread, h)) {
		errno = ENOMEM;
		return false;
	}
	h->reader_running = true;
	return true;
}

static struct xs_msg *wait_reply(struct xs_handle *h)
{
	struct xs_msg *m;

	if (!h->reader_running) {
		for (;;) {
			m = read_message(h);
			if (!m)
				return NULL;
			if (m->hdr.type != XS_WATCH_EVENT)
				return m;
			queue_watch_event(h, m);
		}
	}
	pthread_mutex_lock(&h->reply_mutex);
	while (!h->reply && !h->dead)
		pthread_cond_wait(&h->reply_cond, &h->reply_mutex);
	m = h->reply;
	h->reply = NULL;
	pthread_mutex_unlock(&h->reply_mutex);
	if (!m)
		errno = ECONNRESET;
	return m;
}

static int errno_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++) {
		if (!strcmp(xsd_errors[i].errstring, name))
			return xsd_errors[i].errnum;
	}
	return EINVAL;
}

/*
 * Sends one request made of iovec-like pieces and returns the reply body
 * (NUL-terminated, malloced) or NULL with errno set.
 */
static void *xs_talkv(struct xs_handle *h, xs_transaction_t t, uint32_t type,
		      const void *const *parts, const unsigned int *lens,
		      unsigned int nparts, unsigned int *len)
{
	struct xsd_sockmsg hdr = { type, 0, t, 0 };
	struct xs_msg *m = NULL;
	char *buf = NULL, *body = NULL;
	unsigned int i, off;
	int saved;

	for (i = 0; i < nparts; i++)
		hdr.len += lens[i];
	if (hdr.len > XENSTORE_PAYLOAD_MAX) {
		errno = E2BIG;
		return NULL;
	}
	buf = malloc(sizeof(hdr) + hdr.len);
	if (!buf) {
		errno = ENOMEM;
		return NULL;
	}
	memcpy(buf, &hdr, sizeof(hdr));
	for (i = 0, off = sizeof(hdr); i < nparts; off += lens[i], i++) {
		if (lens[i])
			memcpy(buf + off, parts[i], lens[i]);
	}
	pthread_mutex_lock(&h->request_mutex);
	if (type == XS_WATCH && !start_reader(h))
		goto out;
	if (!xs_write_all(h->fd, buf, sizeof(hdr) + hdr.len))
		goto out;
	m = wait_reply(h);
out:
	saved = errno;
	pthread_mutex_unlock(&h->request_mutex);
	free(buf);
	if (!m) {
		errno = saved;
		return NULL;
	}
	if (m->hdr.type == XS_ERROR) {
		errno = errno_of(m->body);
		msg_free(m);
		return NULL;
	}
	if (m->hdr.type != type) {
		msg_free(m);
		errno = EBADF;
		return NULL;
	}
	body = m->body;
	if (len)
		*len = m->hdr.len;
	free(m);
	return body;
}

static void *xs_single(struct xs_handle *h, xs_transaction_t t, uint32_t type,
		       const char *string, unsigned int *len)
{
	const void *parts[1] = { string };
	unsigned int lens[1] = { strlen(string) + 1 };

	return xs_talkv(h, t, type, parts, lens, 1, len);
}

static bool xs_bool(char *reply)
{
	if (!reply)
		return false;
	free(reply);
	return true;
}

/* Splits n NUL-terminated strings into a malloced vector + strings. */
static char **split_strings(const char *strings, unsigned int len,
			    unsigned int *num)
{
	unsigned int n = xs_count_strings(strings, len), i;
	char **vec, *copy;
	const char *p;

	vec = malloc((n + 1) * sizeof(char *) + len + 1);
	if (!vec) {
		errno = ENOMEM;
		return NULL;
	}
	copy = (char *)(vec + n + 1);
	memcpy(copy, strings, len);
	copy[len] = '\0';
	for (i = 0, p = copy; i < n; i++, p += strlen(p) + 1)
		vec[i] = (char *)p;
	vec[n] = NULL;
	*num = n;
	return vec;
}

/* DIRECTORY_PART loop for directories whose listing exceeds a payload. */
static char **xs_directory_part(struct xs_handle *h, xs_transaction_t t,
				const char *path, unsigned int *num)
{
	char *all = NULL, *grown, *reply, off_s[16], gen[32] = "";
	unsigned int all_len = 0, len, glen;
	const void *parts[2];
	unsigned int lens[2];
	char **vec = NULL;

	for (;;) {
		snprintf(off_s, sizeof(off_s), "%u", all_len);
		parts[0] = path;
		lens[0] = strlen(path) + 1;
		parts[1] = off_s;
		lens[1] = strlen(off_s) + 1;
		reply = xs_talkv(h, t, XS_DIRECTORY_PART, parts, lens, 2, &len);
		if (!reply)
			break;
		glen = strlen(reply) + 1;
		if (glen > len || (gen[0] && strcmp(gen, reply))) {
			/* The directory changed meanwhile: start over. */
			free(reply);
			all_len = 0;
			gen[0] = '\0';
			continue;
		}
		snprintf(gen, sizeof(gen), "%s", reply);
		grown = realloc(all, all_len + len - glen + 1);
		if (!grown) {
			free(reply);
			break;
		}
		all = grown;
		memcpy(all + all_len, reply + glen, len - glen);
		all_len += len - glen;
		free(reply);
		/* The last part ends with an extra empty string. */
		if (all_len && all[all_len - 1] == '\0' &&
		    (all_len == 1 || all[all_len - 2] == '\0')) {
			vec = split_strings(all, all_len - 1, num);
			break;
		}
		if (len == glen)
			break;
	}
	free(all);
	return vec;
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path,
		    unsigned int *num)
{
	unsigned int len;
	char *reply = xs_single(h, t, XS_DIRECTORY, path, &len), **vec;

	if (!reply) {
		if (errno == E2BIG)
			return xs_directory_part(h, t, path, num);
		return NULL;
	}
	vec = split_strings(reply, len, num);
	free(reply);
	return vec;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path,
	      unsigned int *len)
{
	return xs_single(h, t, XS_READ, path, len);
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
	      const void *data, unsigned int len)
{
	const void *parts[2] = { path, data };
	unsigned int lens[2] = { strlen(path) + 1, len };

	return xs_bool(xs_talkv(h, t, XS_WRITE, parts, lens, 2, NULL));
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	return xs_bool(xs_single(h, t, XS_MKDIR, path, NULL));
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	return xs_bool(xs_single(h, t, XS_RM, path, NULL));
}

bool xs_restrict(struct xs_handle *h, unsigned domid)
{
	(void)h;
	(void)domid;
	errno = ENOSYS;
	return false;
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h,
					  xs_transaction_t t, const char *path,
					  unsigned int *num)
{
	struct xs_permissions *perms;
	unsigned int len;
	char *reply = xs_single(h, t, XS_GET_PERMS, path, &len);

	if (!reply)
		return NULL;
	*num = xs_count_strings(reply, len);
	perms = malloc((*num ? *num : 1) * sizeof(*perms));
	if (!perms) {
		errno = ENOMEM;
	} else if (!xs_strings_to_perms(perms, *num, reply)) {
		free(perms);
		perms = NULL;
	}
	free(reply);
	return perms;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t,
			const char *path, struct xs_permissions *perms,
			unsigned int num_perms)
{
	char buf[XENSTORE_PAYLOAD_MAX], one[MAX_STRLEN(unsigned int) + 2];
	unsigned int used, i, n;
	const void *parts[1] = { buf };
	unsigned int lens[1];

	used = snprintf(buf, sizeof(buf), "%s", path) + 1;
	if (used > sizeof(buf)) {
		errno = E2BIG;
		return false;
	}
	for (i = 0; i < num_perms; i++) {
		if (!xs_perm_to_string(&perms[i], one, sizeof(one)))
			return false;
		n = strlen(one) + 1;
		if (used + n > sizeof(buf)) {
			errno = E2BIG;
			return false;
		}
		memcpy(buf + used, one, n);
		used += n;
	}
	lens[0] = used;
	return xs_bool(xs_talkv(h, t, XS_SET_PERMS, parts, lens, 1, NULL));
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	const void *parts[2] = { path, token };
	unsigned int lens[2] = { strlen(path) + 1, strlen(token) + 1 };

	return xs_bool(xs_talkv(h, XBT_NULL, XS_WATCH, parts, lens, 2, NULL));
}

int xs_fileno(struct xs_handle *h)
{
	struct xs_msg *m;
	char byte = 0;

	pthread_mutex_lock(&h->watch_mutex);
	if (h->watch_pipe[0] < 0 && pipe2(h->watch_pipe, O_CLOEXEC) == 0) {
		for (m = h->watch_head; m; m = m->next) {
			if (write(h->watch_pipe[1], &byte, 1) < 0)
				break;
		}
	}
	pthread_mutex_unlock(&h->watch_mutex);
	return h->watch_pipe[0];
}

/* Called with watch_mutex held and an event queued. */
static char **take_watch_event(struct xs_handle *h, unsigned int *num)
{
	struct xs_msg *m = h->watch_head;
	unsigned int n;
	char **vec, byte;

	h->watch_head = m->next;
	if (!h->watch_head)
		h->watch_tail = &h->watch_head;
	if (h->watch_pipe[0] >= 0 && read(h->watch_pipe[0], &byte, 1) < 0) {
		/* Nothing to undo: the pipe only signals. */
	}
	vec = split_strings(m->body, m->hdr.len, &n);
	msg_free(m);
	if (vec && n < 2) {
		free(vec);
		errno = EINVAL;
		return NULL;
	}
	if (num)
		*num = n;
	return vec;
}

char **xs_check_watch(struct xs_handle *h)
{
	char **vec = NULL;

	pthread_mutex_lock(&h->watch_mutex);
	if (h->watch_head)
		vec = take_watch_event(h, NULL);
	else
		errno = EAGAIN;
	pthread_mutex_unlock(&h->watch_mutex);
	return vec;
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
	char **vec = NULL;

	pthread_mutex_lock(&h->request_mutex);
	if (!start_reader(h)) {
		pthread_mutex_unlock(&h->request_mutex);
		return NULL;
	}
	pthread_mutex_unlock(&h->request_mutex);
	pthread_mutex_lock(&h->watch_mutex);
	while (!h->watch_head && !h->dead)
		pthread_cond_wait(&h->watch_cond, &h->watch_mutex);
	if (h->watch_head)
		vec = take_watch_event(h, num);
	else
		errno = EINVAL;
	pthread_mutex_unlock(&h->watch_mutex);
	return vec;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	const void *parts[2] = { path, token };
	unsigned int lens[2] = { strlen(path) + 1, strlen(token) + 1 };
	struct xs_msg **pm, *m;
	bool ok;
	char byte;

	ok = xs_bool(xs_talkv(h, XBT_NULL, XS_UNWATCH, parts, lens, 2, NULL));
	if (!ok || !h->unwatch_filter)
		return ok;
	/* Drop queued events of this watch. */
	pthread_mutex_lock(&h->watch_mutex);
	for (pm = &h->watch_head; (m = *pm);) {
		const char *ev_path = m->body;
		const char *ev_token = ev_path + strlen(ev_path) + 1;

		if (ev_token < m->body + m->hdr.len && !strcmp(ev_token, token) &&
		    xs_path_is_subpath(path, ev_path)) {
			*pm = m->next;
			msg_free(m);
			if (h->watch_pipe[0] >= 0 &&
			    read(h->watch_pipe[0], &byte, 1) < 0) {
				/* only a signal */
			}
		} else {
			pm = &m->next;
		}
	}
	h->watch_tail = &h->watch_head;
	for (m = h->watch_head; m; m = m->next)
		h->watch_tail = &m->next;
	pthread_mutex_unlock(&h->watch_mutex);
	return ok;
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
	char *reply = xs_single(h, XBT_NULL, XS_TRANSACTION_START, "", NULL);
	xs_transaction_t t;

	if (!reply)
		return XBT_NULL;
	t = strtoul(reply, NULL, 0);
	free(reply);
	return t;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
	return xs_bool(xs_single(h, t, XS_TRANSACTION_END, abort ? "F" : "T",
				 NULL));
}

bool xs_introduce_domain(struct xs_handle *h, unsigned int domid,
			 unsigned long mfn, unsigned int eventchn)
{
	char a[16], b[32], c[16];
	const void *parts[3] = { a, b, c };
	unsigned int lens[3];

	lens[0] = snprintf(a, sizeof(a), "%u", domid) + 1;
	lens[1] = snprintf(b, sizeof(b), "%lu", mfn) + 1;
	lens[2] = snprintf(c, sizeof(c), "%u", eventchn) + 1;
	return xs_bool(xs_talkv(h, XBT_NULL, XS_INTRODUCE, parts, lens, 3, NULL));
}

bool xs_set_target(struct xs_handle *h, unsigned int domid,
		   unsigned int target)
{
	char a[16], b[16];
	const void *parts[2] = { a, b };
	unsigned int lens[2];

	lens[0] = snprintf(a, sizeof(a), "%u", domid) + 1;
	lens[1] = snprintf(b, sizeof(b), "%u", target) + 1;
	return xs_bool(xs_talkv(h, XBT_NULL, XS_SET_TARGET, parts, lens, 2, NULL));
}

static bool domid_request(struct xs_handle *h, uint32_t type,
			  unsigned int domid)
{
	char a[16];

	snprintf(a, sizeof(a), "%u", domid);
	return xs_bool(xs_single(h, XBT_NULL, type, a, NULL));
}

bool xs_resume_domain(struct xs_handle *h, unsigned int domid)
{
	return domid_request(h, XS_RESUME, domid);
}

bool xs_release_domain(struct xs_handle *h, unsigned int domid)
{
	return domid_request(h, XS_RELEASE, domid);
}

char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
	char a[16];

	snprintf(a, sizeof(a), "%u", domid);
	return xs_single(h, XBT_NULL, XS_GET_DOMAIN_PATH, a, NULL);
}

bool xs_path_is_subpath(const char *parent, const char *child)
{
	size_t len = strlen(parent);

	if (len && parent[len - 1] == '/')
		len--;
	return !strncmp(child, parent, len) &&
	       (child[len] == '\0' || child[len] == '/');
}

bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
	char a[16], *reply;
	bool ret;

	snprintf(a, sizeof(a), "%u", domid);
	reply = xs_single(h, XBT_NULL, XS_IS_DOMAIN_INTRODUCED, a, NULL);
	if (!reply)
		return false;
	ret = strcmp(reply, "F") != 0;
	free(reply);
	return ret;
}

char *xs_control_command(struct xs_handle *h, const char *cmd, void *data,
			 unsigned int len)
{
	const void *parts[2] = { cmd, data };
	unsigned int lens[2] = { strlen(cmd) + 1, len };

	return xs_talkv(h, XBT_NULL, XS_CONTROL, parts, lens, 2, NULL);
}

char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data,
		       unsigned int len)
{
	return xs_control_command(h, cmd, data, len);
}

int xs_suspend_evtchn_port(int domid)
{
	struct xs_handle *h = xs_open(0);
	char path[64], *value;
	int port = -1;

	if (!h)
		return -1;
	snprintf(path, sizeof(path), "/local/domain/%d/device/suspend/event-channel",
		 domid);
	value = xs_read(h, XBT_NULL, path, NULL);
	if (value) {
		port = atoi(value);
		free(value);
	}
	xs_close(h);
	return port;
}
