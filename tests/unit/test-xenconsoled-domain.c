/*
 * xenconsoled's domain logic (xenconsoled/domain.c) driven in process: an
 * in-memory xenstore (the xs_* calls domain.c makes), an in-memory backend
 * ops table (rings in plain memory, eventfds), a fake clock.  Covers set-up
 * from libxl's keys, keys written late, consoles of another type, garbage
 * keys, output to log and pty, input from the pty, the rate limit, corrupt
 * indexes, --overflow-data=keep, and a released domain drained then freed.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <xenstore.h>

#include "../../xenconsoled/daemon.h"
#include "../../xenconsoled/ring.h"

/* ---- an in-memory xenstore: just what domain.c calls ---- */

#define MAX_KEYS 64

static struct {
	char path[MAX_KEYS][96];
	char value[MAX_KEYS][96];
	int nr;
	int watches;
	int writes;
} store;

static int store_find(const char *path)
{
	int i;

	for (i = 0; i < store.nr; i++)
		if (!strcmp(store.path[i], path))
			return i;
	return -1;
}

static void store_set(const char *path, const char *value)
{
	int i = store_find(path);

	if (i < 0) {
		assert_true(store.nr < MAX_KEYS);
		i = store.nr++;
		snprintf(store.path[i], sizeof(store.path[i]), "%s", path);
	}
	snprintf(store.value[i], sizeof(store.value[i]), "%s", value);
}

static void store_rm(const char *path)
{
	int i = store_find(path);

	if (i >= 0) {
		store.nr--;
		memmove(store.path[i], store.path[store.nr], sizeof(store.path[i]));
		memmove(store.value[i], store.value[store.nr], sizeof(store.value[i]));
	}
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
	int i = store_find(path);

	(void)h;
	(void)t;
	if (i < 0) {
		errno = ENOENT;
		return NULL;
	}
	*len = (unsigned int)strlen(store.value[i]);
	return strdup(store.value[i]);
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
	      unsigned int len)
{
	char value[96];

	(void)h;
	(void)t;
	assert_true(len < sizeof(value));
	memcpy(value, data, len);
	value[len] = '\0';
	store_set(path, value);
	store.writes++;
	return true;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	(void)h;
	(void)path;
	(void)token;
	store.watches++;
	return true;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	(void)h;
	(void)path;
	(void)token;
	store.watches--;
	return true;
}

/* ---- what main.c provides ---- */

static uint64_t fake_now;
static char last_message[256];

void consoled_log(struct consoled *c, enum consoled_level level, const char *fmt, ...)
{
	va_list ap;

	(void)c;
	(void)level;
	va_start(ap, fmt);
	vsnprintf(last_message, sizeof(last_message), fmt, ap);
	va_end(ap);
}

uint64_t consoled_now_ns(void)
{
	return fake_now;
}

/* ---- an in-memory backend ---- */

struct console_backend {
	struct console_domain_info list[8];
	int nr;
	struct xencons_interface rings[8];
	int maps, binds, notifies;
};

static struct console_backend backend;

static int mem_open(struct console_backend **be)
{
	*be = &backend;
	return 0;
}

static void mem_close(struct console_backend *be)
{
	(void)be;
}

static int mem_list(struct console_backend *be, struct console_domain_info *out, size_t max)
{
	int i;

	for (i = 0; i < be->nr && (size_t)i < max; i++)
		out[i] = be->list[i];
	return i;
}

static int mem_domains_fd(struct console_backend *be)
{
	(void)be;
	return -1;
}

static void mem_domains_ack(struct console_backend *be)
{
	(void)be;
}

static int mem_map(struct console_backend *be, uint32_t domid, uint64_t ring_ref,
		   struct console_ring_map *map)
{
	if (domid >= 8 || ring_ref != 100 + domid)
		return -EINVAL;
	map->intf = &be->rings[domid];
	be->maps++;
	return 0;
}

static void mem_unmap(struct console_backend *be, struct console_ring_map *map)
{
	map->intf = NULL;
	be->maps--;
}

static int mem_bind(struct console_backend *be, uint32_t domid, uint32_t remote_port,
		    struct console_port *port)
{
	(void)domid;
	port->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	port->local_port = remote_port;
	be->binds++;
	return port->fd < 0 ? -errno : 0;
}

static void mem_ack(struct console_backend *be, struct console_port *port)
{
	uint64_t v;

	(void)be;
	if (read(port->fd, &v, sizeof(v)) < 0) {
		/* nothing pending */
	}
}

static int mem_notify(struct console_backend *be, struct console_port *port)
{
	(void)port;
	be->notifies++;
	return 0;
}

static void mem_unbind(struct console_backend *be, struct console_port *port)
{
	close(port->fd);
	port->fd = -1;
	be->binds--;
}

static int mem_hv_fd(struct console_backend *be)
{
	(void)be;
	return -1;
}

static long mem_hv_read(struct console_backend *be, char *buf, size_t len)
{
	(void)be;
	(void)buf;
	(void)len;
	return 0;
}

static const struct console_backend_ops mem_ops = {
	.name = "memory",
	.open = mem_open,
	.close = mem_close,
	.list_domains = mem_list,
	.domains_fd = mem_domains_fd,
	.domains_ack = mem_domains_ack,
	.map_ring = mem_map,
	.unmap_ring = mem_unmap,
	.bind_port = mem_bind,
	.ack = mem_ack,
	.notify = mem_notify,
	.unbind = mem_unbind,
	.hv_console_fd = mem_hv_fd,
	.hv_console_read = mem_hv_read,
};

/* ---- fixture ---- */

struct fixture {
	struct consoled c;
	char dir[200];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");

	if (!f)
		return -1;
	memset(&store, 0, sizeof(store));
	memset(&backend, 0, sizeof(backend));
	fake_now = 1000000000ull;
	snprintf(f->dir, sizeof(f->dir), "%s/test-xenconsoled-domain.XXXXXX",
		 tmp && tmp[0] ? tmp : P_tmpdir);
	if (!mkdtemp(f->dir))
		return -1;
	f->c.ops = &mem_ops;
	f->c.be = &backend;
	f->c.signal_fd = -1;
	f->c.opts.log_mask = CONSOLED_LOG_GUEST;
	f->c.opts.discard_overflow = true;
	f->c.opts.rate = 0;
	f->c.opts.burst = 1;
	snprintf(f->c.opts.log_dir, sizeof(f->c.opts.log_dir), "%s", f->dir);
	console_log_init(&f->c.hv_log);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[256];

	consoled_domains_free(&f->c);
	/* Everything set up was torn down. */
	assert_int_equal(backend.maps, 0);
	assert_int_equal(backend.binds, 0);
	assert_int_equal(store.watches, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* The keys libxl writes for domain d's console. */
static void libxl_keys(uint32_t d, const char *name)
{
	char path[96], value[32];

	snprintf(path, sizeof(path), "/local/domain/%u/name", d);
	store_set(path, name);
	snprintf(path, sizeof(path), "/local/domain/%u/console/ring-ref", d);
	snprintf(value, sizeof(value), "%u", 100 + d);
	store_set(path, value);
	snprintf(path, sizeof(path), "/local/domain/%u/console/port", d);
	store_set(path, "7");
	snprintf(path, sizeof(path), "/local/domain/%u/console/type", d);
	store_set(path, "xenconsoled");
	snprintf(path, sizeof(path), "/local/domain/%u/console/limit", d);
	store_set(path, "1048576");
	snprintf(path, sizeof(path), "/local/domain/%u/console/tty", d);
	store_set(path, "");
}

static void list_domain(uint32_t d)
{
	backend.list[backend.nr++] = (struct console_domain_info){ .domid = d };
}

static void guest_write(uint32_t d, const char *data, size_t len)
{
	struct xencons_interface *intf = &backend.rings[d];
	size_t i;

	for (i = 0; i < len; i++)
		intf->out[MASK_XENCONS_IDX(intf->out_prod++, intf->out)] = data[i];
}

static size_t log_size(struct fixture *f, const char *name, char *data, size_t max)
{
	char path[300];
	FILE *file;
	size_t n;

	snprintf(path, sizeof(path), "%s/guest-%s.log", f->dir, name);
	file = fopen(path, "rb");
	if (!file)
		return 0;
	n = fread(data, 1, max, file);
	fclose(file);
	return n;
}

static void test_setup_from_libxl_keys(void **state)
{
	struct fixture *f = *state;
	struct console_domain *d;
	unsigned int len;
	char *tty, data[64];

	libxl_keys(3, "web");
	list_domain(0); /* the host: never served */
	list_domain(3);
	assert_int_equal(consoled_rescan(&f->c), 0);
	d = f->c.domains;
	assert_non_null(d);
	assert_null(d->next);
	assert_int_equal(d->domid, 3);
	assert_true(d->mapped && d->bound);
	assert_int_equal(store.watches, 1);

	tty = xs_read(NULL, XBT_NULL, "/local/domain/3/console/tty", &len);
	assert_non_null(tty);
	assert_int_equal(strncmp(tty, "/dev/pts/", 9), 0);
	assert_string_equal(tty, d->tty);
	free(tty);

	/* A second watch event changes nothing (no second tty write). */
	len = (unsigned int)store.writes;
	consoled_watch_fired(&f->c, "/local/domain/3/console", "dom3");
	assert_int_equal(store.writes, len);

	guest_write(3, "boot\n", 5);
	consoled_domain_event(&f->c, d);
	consoled_domain_service(&f->c, d, fake_now);
	assert_int_equal(log_size(f, "web", data, sizeof(data)), 5);
	assert_memory_equal(data, "boot\n", 5);
	assert_int_equal(backend.notifies, 1);
	/* The pty got it too. */
	assert_int_equal(read(d->slave_fd, data, sizeof(data)), 5);
}

static void test_keys_late_and_foreign(void **state)
{
	struct fixture *f = *state;
	struct console_domain *d;

	list_domain(4);
	assert_int_equal(consoled_rescan(&f->c), 0);
	d = f->c.domains;
	assert_false(d->mapped); /* no keys yet */

	libxl_keys(4, "late");
	store_set("/local/domain/4/console/type", "ioemu");
	consoled_watch_fired(&f->c, "/local/domain/4/console", "dom4");
	assert_true(d->ignored);
	assert_false(d->mapped);

	store_set("/local/domain/4/console/type", "xenconsoled");
	store_set("/local/domain/4/console/ring-ref", "104junk");
	consoled_watch_fired(&f->c, "/local/domain/4/console", "dom4");
	assert_false(d->mapped);
	assert_non_null(strstr(last_message, "console not connected"));

	store_set("/local/domain/4/console/ring-ref", "999"); /* not the guest's */
	consoled_watch_fired(&f->c, "/local/domain/4/console", "dom4");
	assert_false(d->mapped);

	store_set("/local/domain/4/console/ring-ref", "104");
	consoled_watch_fired(&f->c, "/local/domain/4/console", "dom4");
	assert_true(d->mapped && d->bound && d->master_fd >= 0);
	/* Tokens that are not ours are ignored. */
	consoled_watch_fired(&f->c, "/x", "dom");
	consoled_watch_fired(&f->c, "/x", "dom4x");
	consoled_watch_fired(&f->c, "/x", "dom99");
}

static void test_unsafe_name_no_log(void **state)
{
	struct fixture *f = *state;

	libxl_keys(2, "../escape");
	list_domain(2);
	assert_int_equal(consoled_rescan(&f->c), 0);
	assert_true(f->c.domains->mapped);
	assert_int_equal(f->c.domains->log.fd, -1);
}

static void test_input_from_pty(void **state)
{
	struct fixture *f = *state;
	struct console_domain *d;
	struct xencons_interface *intf = &backend.rings[5];

	libxl_keys(5, "typed");
	list_domain(5);
	assert_int_equal(consoled_rescan(&f->c), 0);
	d = f->c.domains;
	assert_true(consoled_domain_wants_input(d));
	assert_int_equal(write(d->slave_fd, "ls\r", 3), 3);
	consoled_domain_input(&f->c, d);
	assert_int_equal(intf->in_prod, 3);
	assert_memory_equal(intf->in, "ls\r", 3);

	/* A full in ring: no more input taken until the guest reads. */
	intf->in_prod = intf->in_cons + 1024;
	assert_false(consoled_domain_wants_input(d));
	/* Corrupt in indexes: same. */
	intf->in_prod = intf->in_cons + 5000;
	assert_false(consoled_domain_wants_input(d));
}

static void test_rate_limit(void **state)
{
	struct fixture *f = *state;
	struct console_domain *d;
	char big[2048];

	f->c.opts.rate = 1000; /* bytes per second */
	f->c.opts.burst = 1000;
	libxl_keys(6, "flood");
	list_domain(6);
	assert_int_equal(consoled_rescan(&f->c), 0);
	d = f->c.domains;
	memset(big, 'x', sizeof(big));
	guest_write(6, big, sizeof(big));
	consoled_domain_service(&f->c, d, fake_now);
	/* 1000 tokens: 1000 bytes read, then throttled for about a second. */
	assert_int_equal(d->bytes_out, 1000);
	assert_true(d->throttled);
	assert_true(d->resume_ns > fake_now && d->resume_ns <= fake_now + 2100000000ull);
	assert_false(consoled_domain_may_read(&f->c, d));

	fake_now += 500000000ull; /* half a second: 500 tokens */
	d->throttled = false;
	d->need_service = true;
	consoled_domain_service(&f->c, d, fake_now);
	assert_int_equal(d->bytes_out, 1500);
	/* Events cost tokens too. */
	consoled_domain_event(&f->c, d);
	assert_int_equal(d->rl.tokens, 0);
}

static void test_corrupt_ring(void **state)
{
	struct fixture *f = *state;
	struct xencons_interface *intf = &backend.rings[1];
	struct console_domain *d;
	char data[64];

	libxl_keys(1, "bad");
	list_domain(1);
	assert_int_equal(consoled_rescan(&f->c), 0);
	d = f->c.domains;
	intf->out_cons = 10;
	intf->out_prod = 10 + 4096;
	consoled_domain_event(&f->c, d);
	consoled_domain_service(&f->c, d, fake_now);
	assert_int_equal(d->corrupt_events, 1);
	assert_false(d->need_service); /* no spinning on it */
	assert_int_equal(intf->out_cons, 10);
	assert_int_equal(d->bytes_out, 0);

	intf->out_prod = 10;
	guest_write(1, "fine\n", 5);
	consoled_domain_event(&f->c, d);
	consoled_domain_service(&f->c, d, fake_now);
	assert_int_equal(log_size(f, "bad", data, sizeof(data)), 5);
}

static void test_keep_pushes_back(void **state)
{
	struct fixture *f = *state;
	struct console_domain *d;
	char chunk[2048], sink[65536];
	int rounds = 0;

	f->c.opts.discard_overflow = false;
	libxl_keys(7, "keep");
	store_set("/local/domain/7/console/limit", "4096");
	list_domain(7);
	assert_int_equal(consoled_rescan(&f->c), 0);
	d = f->c.domains;
	assert_int_equal(d->buffer.limit, 4096);
	memset(chunk, 'k', sizeof(chunk));
	/* Nobody reads the pty: the tty fills, then our buffer, then we stop reading. */
	while (consoled_domain_may_read(&f->c, d) && rounds++ < 1000) {
		guest_write(7, chunk, 2048 - console_ring_out_pending(&backend.rings[7], NULL));
		consoled_domain_event(&f->c, d);
		consoled_domain_service(&f->c, d, fake_now);
	}
	assert_false(consoled_domain_may_read(&f->c, d));
	assert_int_equal(d->buffer.len, 4096);
	assert_int_equal(d->buffer.dropped, 0);

	/*
	 * A client reads: room again, and the daemon wants the ring again.  The
	 * tty moves data from master to slave in a kernel worker, so room on
	 * the master side comes back shortly after the read, not at once.
	 */
	d->need_service = false;
	assert_int_equal(fcntl(d->slave_fd, F_SETFL, O_NONBLOCK), 0);
	for (rounds = 0; rounds < 500 && d->buffer.len == 4096; rounds++) {
		if (read(d->slave_fd, sink, sizeof(sink)) < 0 && errno != EAGAIN)
			break;
		consoled_domain_flush(&f->c, d);
		if (d->buffer.len == 4096)
			usleep(10000);
	}
	assert_true(d->buffer.len < 4096);
	assert_true(d->need_service);
	assert_true(consoled_domain_may_read(&f->c, d));
}

static void test_discard_counts_drops(void **state)
{
	struct fixture *f = *state;
	struct console_domain *d;
	char chunk[2048];
	int i;

	libxl_keys(7, "discard");
	store_set("/local/domain/7/console/limit", "4096");
	list_domain(7);
	assert_int_equal(consoled_rescan(&f->c), 0);
	d = f->c.domains;
	memset(chunk, 'd', sizeof(chunk));
	for (i = 0; i < 64; i++) {
		guest_write(7, chunk, sizeof(chunk));
		consoled_domain_event(&f->c, d);
		consoled_domain_service(&f->c, d, fake_now);
	}
	/* Everything was logged; the pty side kept the newest and counted the rest. */
	assert_int_equal(d->bytes_out, 64 * 2048);
	assert_true(d->buffer.dropped > 0);
	assert_true(d->buffer.len <= 4096);
}

static void test_release_drains(void **state)
{
	struct fixture *f = *state;
	char data[4096], want[2048];
	size_t i;

	f->c.opts.rate = 100; /* even a throttled domain is drained at release */
	f->c.opts.burst = 100;
	libxl_keys(2, "dying");
	libxl_keys(3, "other");
	list_domain(2);
	list_domain(3);
	assert_int_equal(consoled_rescan(&f->c), 0);
	for (i = 0; i < sizeof(want); i++)
		want[i] = (char)('a' + i % 26);
	guest_write(2, want, sizeof(want));

	/* Domain 2 goes away (dying, then gone from the list). */
	backend.list[0].dying = true;
	assert_int_equal(consoled_rescan(&f->c), 0);
	assert_non_null(f->c.domains);
	assert_int_equal(f->c.domains->domid, 3);
	assert_null(f->c.domains->next);
	assert_int_equal(log_size(f, "dying", data, sizeof(data)), sizeof(want));
	assert_memory_equal(data, want, sizeof(want));
	assert_int_equal(backend.maps, 1);
	assert_int_equal(backend.binds, 1);
	store_rm("/local/domain/2/name");
}

static void test_sighup_reopens(void **state)
{
	struct fixture *f = *state;
	char from[300], to[320], data[64];

	libxl_keys(3, "rot");
	list_domain(3);
	assert_int_equal(consoled_rescan(&f->c), 0);
	guest_write(3, "one\n", 4);
	consoled_domain_event(&f->c, f->c.domains);
	consoled_domain_service(&f->c, f->c.domains, fake_now);
	snprintf(from, sizeof(from), "%s/guest-rot.log", f->dir);
	snprintf(to, sizeof(to), "%s.1", from);
	assert_int_equal(rename(from, to), 0);
	consoled_reopen_logs(&f->c);
	guest_write(3, "two\n", 4);
	consoled_domain_event(&f->c, f->c.domains);
	consoled_domain_service(&f->c, f->c.domains, fake_now);
	assert_int_equal(log_size(f, "rot", data, sizeof(data)), 4);
	assert_memory_equal(data, "two\n", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_setup_from_libxl_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keys_late_and_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_name_no_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_from_pty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_pushes_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard_counts_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_drains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sighup_reopens, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
