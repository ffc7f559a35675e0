/*
 * xenconsoled's domains: which ones exist, their console keys in xenstore,
 * their ring and event channel (through the backend ops), their pty and log,
 * and moving bytes between them.
 *
 * Life of a domain, as in Xen's daemon:
 *   listed by the backend (after @introduceDomain, or at start)
 *     -> watch /local/domain/N/console (token "domN"); the watch fires at once
 *     -> read console/{type,ring-ref,port,limit}; when both ring-ref and port
 *        are there: map the ring, bind the port, open a raw pty and write its
 *        path to console/tty, open guest-<name>.log
 *     -> serve: ring -> log and pty buffer; pty -> in ring
 *   dying or no longer listed (after @releaseDomain)
 *     -> read what the ring still holds, then unbind, unmap, close pty and log.
 * A restarted daemon walks the same path for every running domain, so output
 * a ring still holds is not lost.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <xenstore.h>

#include "daemon.h"
#include "ring.h"

#define CONSOLE_TYPE_OURS "xenconsoled"
#define RESCAN_MAX_DOMAINS 1024

static struct console_domain *domain_find(struct consoled *c, uint32_t domid)
{
	struct console_domain *d;

	for (d = c->domains; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

/* Reads a key under the domain's console folder; NULL when absent. */
static char *domain_read_key(struct consoled *c, struct console_domain *d, const char *key)
{
	char path[96];
	unsigned int len;
	char *value;

	snprintf(path, sizeof(path), "%s/%s", d->conspath, key);
	value = xs_read(c->xs, XBT_NULL, path, &len);
	if (value && strlen(value) != len) {
		/* An embedded NUL: not a value we can trust. */
		free(value);
		return NULL;
	}
	return value;
}

/* Parses a whole unsigned decimal number; false for anything else. */
static bool domain_parse_u64(const char *text, uint64_t max, uint64_t *value)
{
	unsigned long long v;
	char *end;

	if (!text || *text < '0' || *text > '9')
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end != '\0' || v > max)
		return false;
	*value = v;
	return true;
}

static void domain_unbind(struct consoled *c, struct console_domain *d)
{
	if (d->bound)
		c->ops->unbind(c->be, &d->port);
	d->bound = false;
	d->port.fd = -1;
	if (d->mapped)
		c->ops->unmap_ring(c->be, &d->map);
	d->mapped = false;
	d->map.intf = NULL;
	d->need_service = false;
}

static int domain_open_pty(struct consoled *c, struct console_domain *d)
{
	struct termios tio;
	char path[96];
	int rc;

	d->master_fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (d->master_fd < 0)
		return -errno;
	if (grantpt(d->master_fd) < 0 || unlockpt(d->master_fd) < 0 ||
	    ptsname_r(d->master_fd, d->tty, sizeof(d->tty)) != 0) {
		rc = -errno;
		goto fail;
	}
	/*
	 * Keep the slave open ourselves, as Xen does: the master then never
	 * sees a hang-up when clients come and go, and output written while
	 * nobody is attached waits in the tty and in our buffer.
	 */
	d->slave_fd = open(d->tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (d->slave_fd < 0) {
		rc = -errno;
		goto fail;
	}
	if (tcgetattr(d->slave_fd, &tio) < 0) {
		rc = -errno;
		goto fail;
	}
	cfmakeraw(&tio);
	if (tcsetattr(d->slave_fd, TCSANOW, &tio) < 0) {
		rc = -errno;
		goto fail;
	}
	if (fcntl(d->master_fd, F_SETFL, O_NONBLOCK) < 0) {
		rc = -errno;
		goto fail;
	}
	snprintf(path, sizeof(path), "%s/tty", d->conspath);
	if (!xs_write(c->xs, XBT_NULL, path, d->tty, strlen(d->tty))) {
		rc = -errno;
		consoled_log(c, CONSOLED_ERR, "domain %u: cannot write %s: %s", d->domid, path,
			     strerror(errno));
		goto fail;
	}
	return 0;
fail:
	if (d->slave_fd >= 0)
		close(d->slave_fd);
	close(d->master_fd);
	d->master_fd = d->slave_fd = -1;
	d->tty[0] = '\0';
	return rc;
}

static void domain_open_log(struct consoled *c, struct console_domain *d)
{
	char key[48], path[4200];
	unsigned int len;
	char *name;
	int rc;

	if (!(c->opts.log_mask & CONSOLED_LOG_GUEST) || d->log.fd >= 0)
		return;
	snprintf(key, sizeof(key), "/local/domain/%u/name", d->domid);
	name = xs_read(c->xs, XBT_NULL, key, &len);
	if (!name)
		return; /* Like Xen: no name yet, no log yet. */
	if (strlen(name) != len ||
	    console_log_guest_path(path, sizeof(path), c->opts.log_dir, name) < 0) {
		consoled_log(c, CONSOLED_WARN, "domain %u: name unusable in a file name, no log",
			     d->domid);
		goto out;
	}
	rc = console_log_open(&d->log, path, c->opts.timestamp_mask & CONSOLED_LOG_GUEST,
			      c->opts.replace_escape, time(NULL));
	if (rc < 0)
		consoled_log(c, CONSOLED_ERR, "Failed to open log %s: %s", path, strerror(-rc));
out:
	free(name);
}

/*
 * (Re)reads the console keys and brings the ring, port, pty and log to
 * match.  Safe to call any number of times: it only acts on changes.
 */
static void domain_setup(struct consoled *c, struct console_domain *d)
{
	char *type = NULL, *ring_ref = NULL, *port = NULL, *limit = NULL;
	uint64_t ref, remote_port, limit_value;
	int rc = 0;

	type = domain_read_key(c, d, "type");
	if (type && strcmp(type, CONSOLE_TYPE_OURS)) {
		/* QEMU's (ioemu) or someone else's console: not ours to serve. */
		if (!d->ignored)
			consoled_log(c, CONSOLED_INFO, "domain %u: console type %s, ignored",
				     d->domid, type);
		d->ignored = true;
		domain_unbind(c, d);
		goto out;
	}
	d->ignored = false;

	ring_ref = domain_read_key(c, d, "ring-ref");
	port = domain_read_key(c, d, "port");
	if (!ring_ref || !port)
		goto out; /* not written yet: the watch brings us back */
	if (!domain_parse_u64(ring_ref, UINT64_MAX, &ref) ||
	    !domain_parse_u64(port, UINT32_MAX, &remote_port)) {
		rc = -EINVAL;
		goto report;
	}

	limit = domain_read_key(c, d, "limit");
	if (domain_parse_u64(limit, SIZE_MAX, &limit_value) && limit_value)
		console_buffer_set_limit(&d->buffer, limit_value);

	if ((d->mapped && d->ring_ref != ref) || (d->bound && d->remote_port != remote_port))
		domain_unbind(c, d); /* the guest reconnected (e.g. kexec) */
	if (!d->mapped) {
		rc = c->ops->map_ring(c->be, d->domid, ref, &d->map);
		if (rc < 0)
			goto report;
		d->mapped = true;
		d->ring_ref = ref;
	}
	if (!d->bound) {
		rc = c->ops->bind_port(c->be, d->domid, (uint32_t)remote_port, &d->port);
		if (rc < 0)
			goto report;
		d->bound = true;
		d->remote_port = (uint32_t)remote_port;
	}
	if (d->master_fd < 0) {
		rc = domain_open_pty(c, d);
		if (rc < 0)
			goto report;
	}
	domain_open_log(c, d);
	/* Whatever the ring already holds (a restart, a reconnect) is served now. */
	d->need_service = true;
	d->setup_error = 0;
	goto out;

report:
	if (rc != d->setup_error)
		consoled_log(c, CONSOLED_ERR, "domain %u: console not connected: %s", d->domid,
			     strerror(-rc));
	d->setup_error = rc;
out:
	free(type);
	free(ring_ref);
	free(port);
	free(limit);
}

static struct console_domain *domain_create(struct consoled *c, uint32_t domid)
{
	struct console_domain *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->domid = domid;
	d->master_fd = d->slave_fd = -1;
	d->port.fd = -1;
	snprintf(d->conspath, sizeof(d->conspath), "/local/domain/%u/console", domid);
	snprintf(d->token, sizeof(d->token), "dom%u", domid);
	console_buffer_init(&d->buffer, CONSOLE_BUFFER_LIMIT_DEFAULT);
	console_log_init(&d->log);
	console_ratelimit_init(&d->rl, c->opts.rate, c->opts.burst, consoled_now_ns());

	if (!xs_watch(c->xs, d->conspath, d->token)) {
		consoled_log(c, CONSOLED_ERR, "domain %u: cannot watch %s: %s", domid, d->conspath,
			     strerror(errno));
		console_buffer_dispose(&d->buffer);
		free(d);
		return NULL;
	}
	d->watching = true;
	d->next = c->domains;
	c->domains = d;
	consoled_log(c, CONSOLED_INFO, "New domain %u", domid);
	domain_setup(c, d);
	return d;
}

void consoled_domain_free(struct consoled *c, struct console_domain *d, bool drain)
{
	struct console_domain **pp;

	/* What a dying guest wrote last is still in its ring: log it. */
	if (drain && d->mapped) {
		console_ratelimit_init(&d->rl, 0, 1, 0);
		d->need_service = true;
		consoled_domain_service(c, d, consoled_now_ns());
	}
	for (pp = &c->domains; *pp; pp = &(*pp)->next) {
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	}
	if (c->next_first == d)
		c->next_first = NULL;
	if (d->watching)
		xs_unwatch(c->xs, d->conspath, d->token);
	domain_unbind(c, d);
	if (d->slave_fd >= 0)
		close(d->slave_fd);
	if (d->master_fd >= 0)
		close(d->master_fd);
	consoled_log(c, CONSOLED_INFO,
		     "domain %u gone: %" PRIu64 " bytes out, %" PRIu64 " in, %" PRIu64
		     " dropped, %" PRIu64 " bad ring events",
		     d->domid, d->bytes_out, d->bytes_in, d->buffer.dropped, d->corrupt_events);
	console_log_dispose(&d->log);
	console_buffer_dispose(&d->buffer);
	free(d);
}

void consoled_domains_free(struct consoled *c)
{
	while (c->domains)
		consoled_domain_free(c, c->domains, false);
}

int consoled_rescan(struct consoled *c)
{
	struct console_domain_info *list;
	struct console_domain *d, *next;
	int n, i;

	list = calloc(RESCAN_MAX_DOMAINS, sizeof(*list));
	if (!list)
		return -ENOMEM;
	n = c->ops->list_domains(c->be, list, RESCAN_MAX_DOMAINS);
	if (n < 0) {
		consoled_log(c, CONSOLED_ERR, "cannot list domains: %s", strerror(-n));
		free(list);
		return n;
	}
	for (d = c->domains; d; d = d->next)
		d->seen = false;
	for (i = 0; i < n; i++) {
		/* Domain 0 is the host: its console is the hypervisor's. */
		if (list[i].domid == 0 || list[i].dying)
			continue;
		d = domain_find(c, list[i].domid);
		if (!d)
			d = domain_create(c, list[i].domid);
		if (d)
			d->seen = true;
	}
	for (d = c->domains; d; d = next) {
		next = d->next;
		if (!d->seen)
			consoled_domain_free(c, d, true);
	}
	free(list);
	return 0;
}

void consoled_watch_fired(struct consoled *c, const char *path, const char *token)
{
	struct console_domain *d;
	uint64_t domid;

	(void)path;
	if (!strcmp(token, "domlist")) {
		consoled_rescan(c);
		return;
	}
	if (strncmp(token, "dom", 3) || !domain_parse_u64(token + 3, UINT32_MAX, &domid))
		return;
	d = domain_find(c, (uint32_t)domid);
	if (d)
		domain_setup(c, d);
}

bool consoled_domain_may_read(const struct consoled *c, const struct console_domain *d)
{
	if (!d->mapped || !d->bound || d->throttled)
		return false;
	/* With --overflow-data=keep a full buffer pushes back on the guest. */
	return c->opts.discard_overflow || console_buffer_space(&d->buffer) > 0;
}

void consoled_domain_event(struct consoled *c, struct console_domain *d)
{
	c->ops->ack(c->be, &d->port);
	console_ratelimit_charge(&d->rl, CONSOLE_EVENT_COST);
	d->need_service = true;
}

void consoled_domain_flush(struct consoled *c, struct console_domain *d)
{
	const char *data;
	size_t len;
	ssize_t r;

	d->pty_full = false;
	while ((data = console_buffer_peek(&d->buffer, &len)) != NULL) {
		r = write(d->master_fd, data, len);
		if (r <= 0) {
			/* EAGAIN: nobody reads the pty; POLLOUT brings us back. */
			d->pty_full = true;
			return;
		}
		console_buffer_consume(&d->buffer, (size_t)r);
		/* With --overflow-data=keep the guest waited for this room. */
		if (!c->opts.discard_overflow)
			d->need_service = true;
	}
}

void consoled_domain_service(struct consoled *c, struct console_domain *d, uint64_t now_ns)
{
	struct console_ring_result res;
	char data[CONSOLE_QUANTUM];
	uint64_t tokens;
	size_t max = sizeof(data);
	int rc;

	if (!d->need_service || !consoled_domain_may_read(c, d))
		return;
	tokens = console_ratelimit_available(&d->rl, now_ns);
	if (tokens == 0) {
		d->throttled = true;
		d->resume_ns = now_ns + console_ratelimit_wait_ns(&d->rl, now_ns, CONSOLE_QUANTUM);
		return;
	}
	if (max > tokens)
		max = tokens;
	if (!c->opts.discard_overflow && max > console_buffer_space(&d->buffer))
		max = console_buffer_space(&d->buffer);

	console_ring_read_out(d->map.intf, data, max, &res);
	if (res.corrupt) {
		if (d->corrupt_events++ == 0)
			consoled_log(c, CONSOLED_WARN,
				     "domain %u: console ring indexes out of range, ignored",
				     d->domid);
		d->need_service = false;
		return;
	}
	d->need_service = res.left > 0;
	if (res.bytes == 0)
		return;

	d->bytes_out += res.bytes;
	console_ratelimit_charge(&d->rl, res.bytes);
	rc = console_log_write(&d->log, data, res.bytes, time(NULL));
	if (rc < 0 && d->log.fd >= 0) {
		consoled_log(c, CONSOLED_ERR, "domain %u: log write failed: %s, log closed",
			     d->domid, strerror(-rc));
		console_log_close(&d->log);
	}
	console_buffer_append(&d->buffer, data, res.bytes, c->opts.discard_overflow);
	/* A full pty stays full until poll says otherwise: no write attempt per read. */
	if (!d->pty_full)
		consoled_domain_flush(c, d);
	/* The guest may be waiting for room in its ring. */
	c->ops->notify(c->be, &d->port);

	if (d->need_service && console_ratelimit_available(&d->rl, now_ns) == 0) {
		d->throttled = true;
		d->resume_ns = now_ns + console_ratelimit_wait_ns(&d->rl, now_ns, CONSOLE_QUANTUM);
	}
}

bool consoled_domain_wants_input(const struct console_domain *d)
{
	return d->mapped && d->bound && d->master_fd >= 0 &&
	       console_ring_in_space(d->map.intf, NULL) > 0;
}

void consoled_domain_input(struct consoled *c, struct console_domain *d)
{
	char data[CONSOLE_RING_IN_SIZE];
	size_t space = console_ring_in_space(d->map.intf, NULL);
	ssize_t r;

	if (space == 0)
		return;
	r = read(d->master_fd, data, space < sizeof(data) ? space : sizeof(data));
	if (r <= 0)
		return;
	d->bytes_in += console_ring_write_in(d->map.intf, data, (size_t)r);
	c->ops->notify(c->be, &d->port);
}

void consoled_reopen_logs(struct consoled *c)
{
	struct console_domain *d;
	time_t now = time(NULL);
	int rc;

	if (c->hv_log.path) {
		rc = console_log_reopen(&c->hv_log, now);
		if (rc < 0)
			consoled_log(c, CONSOLED_ERR, "Failed to reopen %s: %s", c->hv_log.path,
				     strerror(-rc));
	}
	for (d = c->domains; d; d = d->next) {
		if (!d->log.path) {
			domain_open_log(c, d);
			continue;
		}
		rc = console_log_reopen(&d->log, now);
		if (rc < 0)
			consoled_log(c, CONSOLED_ERR, "Failed to reopen %s: %s", d->log.path,
				     strerror(-rc));
	}
}
