/*
 * xenconsoled-fakeguest: plays one or more guests for xenconsoled's tests
 * and benchmark, over the in-memory backend (fake-protocol.h).
 *
 *   xenconsoled-fakeguest --socket PATH [--timeout SEC] [--ready FILE] [--hold] ID:NAME:SCENARIO...
 *   xenconsoled-fakeguest --pattern BYTES      (prints the bytes "pattern" writes)
 *   xenconsoled-fakeguest --floor BYTES FILE   (ring protocol floor, see run_floor)
 *
 * For each domain it creates the ring page (a memfd) and the event channel
 * (two eventfds), writes the keys libxl writes (name, console/{ring-ref,
 * port,type,limit,tty}) to the real xenstored, then answers xenconsoled's
 * backend requests and runs the scenario:
 *   file=PATH     writes the file to the console; done when all is consumed
 *   pattern=N     writes N bytes of the test pattern; done when consumed
 *   flood         writes the pattern until every other domain is done
 *   lines=N       N short lines, each once the previous one was consumed;
 *                 prints the worst time a line waited
 *   pty           a pty client: sees the guest's output, types a line that
 *                 must arrive in the in ring, and sees the guest echo it
 *   release=N     writes N bytes, then vanishes from the domain list at once
 *                 (and its xenstore folder is removed), without waiting
 *   corrupt       writes out_prod far beyond out_cons and notifies, then
 *                 repairs its indexes and writes a line that must arrive
 *   idle          nothing (done at once)
 * With --hold it keeps serving the daemon after every scenario is done,
 * until SIGTERM or SIGINT (for the idle benchmark).
 * It also hands the daemon a hypervisor console (a pipe) carrying HV_BANNER.
 * Exit 0 when every scenario succeeded, 1 otherwise (with the reason).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "fake-protocol.h"
#include "ring.h"

#define MAX_GUESTS 128
#define MAX_WATCHERS 8
/* What the fake hypervisor console says (xenconsoled-log.sh looks for it). */
#define HV_BANNER "(XEN) kxen fake hypervisor console\n(XEN) second line\n"

enum scenario { SC_FILE, SC_PATTERN, SC_FLOOD, SC_LINES, SC_PTY, SC_RELEASE, SC_CORRUPT, SC_IDLE };

struct guest {
	uint32_t domid;
	char name[64];
	enum scenario scenario;
	uint64_t count; /* bytes or lines */
	char *data; /* SC_FILE */
	uint64_t sent, lines_done;
	bool present, done;
	int memfd, up_fd, down_fd; /* up: guest -> daemon */
	struct xencons_interface *intf;
	uint64_t line_sent_ns, worst_wait_ns;
	uint64_t attached_ns, done_ns; /* first BIND by the daemon; all consumed */
	/* SC_PTY */
	int pty_fd, pty_step;
	char pty_seen[4096];
	size_t pty_len;
	char in_seen[256];
	size_t in_len;
};

struct fakeguest {
	struct guest guests[MAX_GUESTS];
	int nr;
	int listen_fd;
	int watchers[MAX_WATCHERS];
	int hv_pipe[2]; /* the hypervisor console handed to the daemon */
	struct xs_handle *xs;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The test pattern: 64-byte text lines "<8-digit line number> letters...\n". */
static char pattern_byte(uint64_t offset)
{
	uint64_t line = offset / 64, pos = offset % 64, div = 10000000;

	if (pos == 63)
		return '\n';
	if (pos < 8) {
		while (pos--)
			div /= 10;
		return (char)('0' + (line / div) % 10);
	}
	if (pos == 8)
		return ' ';
	return (char)('a' + (line * 7 + pos) % 26);
}

/*
 * Leaves without exit handlers: LeakSanitizer's exit-time check stops every
 * thread with ptrace, and with libxenstore's reader thread blocked in the
 * kernel that check was seen to hang; a test program's leaks do not matter.
 */
static void fakeguest_exit(int status) __attribute__((noreturn));
static void fakeguest_exit(int status)
{
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fakeguest: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	fakeguest_exit(1);
}

static void guest_notify(struct guest *g)
{
	uint64_t one = 1;

	if (write(g->up_fd, &one, sizeof(one)) != sizeof(one))
		die("dom%u: notify: %s", g->domid, strerror(errno));
}

/* Copies up to len bytes into the out ring; returns how many fit. */
static size_t guest_put(struct guest *g, const char *data, size_t len)
{
	XENCONS_RING_IDX cons = __atomic_load_n(&g->intf->out_cons, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX prod = g->intf->out_prod;
	size_t space = CONSOLE_RING_OUT_SIZE - (prod - cons), i;

	if (len > space)
		len = space;
	for (i = 0; i < len; i++)
		g->intf->out[MASK_XENCONS_IDX(prod + i, g->intf->out)] = data[i];
	__atomic_store_n(&g->intf->out_prod, prod + (XENCONS_RING_IDX)len, __ATOMIC_RELEASE);
	return len;
}

static bool guest_drained(struct guest *g)
{
	return __atomic_load_n(&g->intf->out_cons, __ATOMIC_ACQUIRE) == g->intf->out_prod;
}

static void xs_write_key(struct fakeguest *fg, struct guest *g, const char *key, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/local/domain/%u/%s", g->domid, key);
	if (!xs_write(fg->xs, XBT_NULL, path, value, strlen(value)))
		die("xs_write %s: %s", path, strerror(errno));
}

static void watchers_notify(struct fakeguest *fg)
{
	int i;

	for (i = 0; i < MAX_WATCHERS; i++)
		if (fg->watchers[i] >= 0 && send(fg->watchers[i], "c", 1, MSG_NOSIGNAL) < 0) {
			close(fg->watchers[i]);
			fg->watchers[i] = -1;
		}
}

static void guest_setup(struct fakeguest *fg, struct guest *g)
{
	char value[32];

	g->memfd = memfd_create("console-ring", MFD_CLOEXEC);
	if (g->memfd < 0 || ftruncate(g->memfd, FAKE_RING_SIZE) < 0)
		die("memfd: %s", strerror(errno));
	g->intf = mmap(NULL, FAKE_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g->memfd, 0);
	if (g->intf == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	g->up_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	g->down_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g->up_fd < 0 || g->down_fd < 0)
		die("eventfd: %s", strerror(errno));
	g->pty_fd = -1;

	/* What libxl writes for a PV console. */
	xs_write_key(fg, g, "name", g->name);
	snprintf(value, sizeof(value), "%u", 1000 + g->domid);
	xs_write_key(fg, g, "console/ring-ref", value);
	snprintf(value, sizeof(value), "%u", 2 + g->domid);
	xs_write_key(fg, g, "console/port", value);
	xs_write_key(fg, g, "console/limit", "1048576");
	xs_write_key(fg, g, "console/type", "xenconsoled");
	xs_write_key(fg, g, "console/output", "pty");
	xs_write_key(fg, g, "console/tty", "");
	g->present = true;
}

static struct guest *guest_find(struct fakeguest *fg, uint32_t domid)
{
	int i;

	for (i = 0; i < fg->nr; i++)
		if (fg->guests[i].domid == domid && fg->guests[i].present)
			return &fg->guests[i];
	return NULL;
}

static void serve_request(struct fakeguest *fg)
{
	char control[CMSG_SPACE(sizeof(int) * 2)];
	struct fake_request req;
	struct fake_reply *reply = calloc(1, sizeof(*reply));
	struct iovec iov = { reply, sizeof(*reply) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct guest *g;
	int fd, fds[2], nr_fds = 0, i;

	if (!reply)
		die("out of memory");
	fd = accept4(fg->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		goto out;
	if (recv(fd, &req, sizeof(req), 0) != sizeof(req))
		goto out_close;
	if (req.op == FAKE_OP_WATCH) {
		for (i = 0; i < MAX_WATCHERS; i++)
			if (fg->watchers[i] < 0) {
				fg->watchers[i] = fd;
				goto out;
			}
		goto out_close;
	}
	g = guest_find(fg, req.domid);
	switch (req.op) {
	case FAKE_OP_HV:
		fds[nr_fds++] = fg->hv_pipe[0];
		break;
	case FAKE_OP_LIST:
		for (i = 0; i < fg->nr; i++) {
			if (!fg->guests[i].present)
				continue;
			reply->domains[reply->count].domid = fg->guests[i].domid;
			reply->count++;
		}
		break;
	case FAKE_OP_MAP:
		if (!g)
			reply->err = ENOENT;
		else if (req.arg != 1000 + g->domid)
			reply->err = EINVAL;
		else
			fds[nr_fds++] = g->memfd;
		break;
	case FAKE_OP_BIND:
		if (!g)
			reply->err = ENOENT;
		else if (req.arg != 2 + g->domid)
			reply->err = EINVAL;
		else {
			if (!g->attached_ns)
				g->attached_ns = now_ns();
			fds[nr_fds++] = g->up_fd;
			fds[nr_fds++] = g->down_fd;
		}
		break;
	default:
		reply->err = EINVAL;
	}
	if (nr_fds) {
		struct cmsghdr *cmsg;

		msg.msg_control = control;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * nr_fds);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nr_fds);
		memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nr_fds);
	}
	if (sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
		fprintf(stderr, "fakeguest: reply: %s\n", strerror(errno));
out_close:
	close(fd);
out:
	free(reply);
}

static bool others_done(struct fakeguest *fg, struct guest *self)
{
	int i;

	for (i = 0; i < fg->nr; i++)
		if (&fg->guests[i] != self && fg->guests[i].scenario != SC_FLOOD &&
		    !fg->guests[i].done)
			return false;
	return true;
}

static void guest_push_pattern(struct guest *g, uint64_t limit)
{
	char chunk[CONSOLE_RING_OUT_SIZE];
	size_t n = CONSOLE_RING_OUT_SIZE, i, put;

	if (limit - g->sent < n)
		n = (size_t)(limit - g->sent);
	if (g->data) {
		/* Precomputed (pattern=N, release=N), so the benchmark measures the daemon. */
		put = guest_put(g, g->data + g->sent, n);
		g->sent += put;
		if (put)
			guest_notify(g);
		return;
	}
	for (i = 0; i < n; i++)
		chunk[i] = pattern_byte(g->sent + i);
	put = guest_put(g, chunk, n);
	g->sent += put;
	if (put)
		guest_notify(g);
}

static void guest_release(struct fakeguest *fg, struct guest *g)
{
	char path[64];

	g->present = false;
	snprintf(path, sizeof(path), "/local/domain/%u", g->domid);
	xs_rm(fg->xs, XBT_NULL, path);
	watchers_notify(fg);
	g->done = true;
	printf("dom%u: released after %" PRIu64 " bytes\n", g->domid, g->sent);
}

/* Reads what the daemon typed into the in ring. */
static void guest_take_input(struct guest *g)
{
	XENCONS_RING_IDX cons = g->intf->in_cons;
	XENCONS_RING_IDX prod = __atomic_load_n(&g->intf->in_prod, __ATOMIC_ACQUIRE);

	while (cons != prod) {
		char c = g->intf->in[MASK_XENCONS_IDX(cons, g->intf->in)];

		cons++;
		if (g->in_len < sizeof(g->in_seen) - 1)
			g->in_seen[g->in_len++] = c;
	}
	__atomic_store_n(&g->intf->in_cons, cons, __ATOMIC_RELEASE);
	guest_notify(g);
}

static void pty_open(struct fakeguest *fg, struct guest *g)
{
	char path[64];
	struct termios tio;
	unsigned int len;
	char *tty;

	snprintf(path, sizeof(path), "/local/domain/%u/console/tty", g->domid);
	tty = xs_read(fg->xs, XBT_NULL, path, &len);
	if (!tty || !tty[0]) {
		free(tty);
		return;
	}
	g->pty_fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (g->pty_fd < 0)
		die("dom%u: open %s: %s", g->domid, tty, strerror(errno));
	if (tcgetattr(g->pty_fd, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(g->pty_fd, TCSANOW, &tio);
	}
	printf("dom%u: console/tty is %s\n", g->domid, tty);
	free(tty);
	g->pty_step = 1;
}

static void pty_read(struct guest *g)
{
	ssize_t r = read(g->pty_fd, g->pty_seen + g->pty_len, sizeof(g->pty_seen) - 1 - g->pty_len);

	if (r > 0) {
		g->pty_len += (size_t)r;
		g->pty_seen[g->pty_len] = '\0';
		if (g->pty_len > sizeof(g->pty_seen) / 2) {
			/* Keep the tail: the markers are short. */
			memmove(g->pty_seen, g->pty_seen + g->pty_len - 256, 256);
			g->pty_len = 256;
			g->pty_seen[g->pty_len] = '\0';
		}
	}
}

/* The pty scenario as a small state machine, advanced on every wake-up. */
static void guest_step_pty(struct fakeguest *fg, struct guest *g)
{
	static const char hello[] = "hello from the guest\n";
	static const char typed[] = "typed on the pty\n";
	static const char echoed[] = "echo: typed on the pty\n";
	static const char again[] = "output after the reattach\n";

	switch (g->pty_step) {
	case 0:
		pty_open(fg, g);
		if (g->pty_step != 1)
			return;
		/* fall through */
	case 1:
		if (guest_put(g, hello, sizeof(hello) - 1) != sizeof(hello) - 1)
			die("dom%u: ring full at start", g->domid);
		guest_notify(g);
		g->pty_step = 2;
		/* fall through */
	case 2:
		pty_read(g);
		if (!strstr(g->pty_seen, hello))
			return;
		printf("dom%u: pty client saw the guest's output\n", g->domid);
		if (write(g->pty_fd, typed, sizeof(typed) - 1) != sizeof(typed) - 1)
			die("dom%u: write to pty: %s", g->domid, strerror(errno));
		g->pty_step = 3;
		/* fall through */
	case 3:
		guest_take_input(g);
		g->in_seen[g->in_len] = '\0';
		if (!strstr(g->in_seen, typed))
			return;
		printf("dom%u: guest received the typed line\n", g->domid);
		if (guest_put(g, echoed, sizeof(echoed) - 1) != sizeof(echoed) - 1)
			die("dom%u: ring full for the echo", g->domid);
		guest_notify(g);
		g->pty_step = 4;
		/* fall through */
	case 4:
		pty_read(g);
		if (!strstr(g->pty_seen, echoed))
			return;
		printf("dom%u: pty client saw the echo\n", g->domid);
		/* Detach (what Ctrl-] in xl console does: close the pty) and attach again. */
		close(g->pty_fd);
		g->pty_fd = -1;
		g->pty_len = 0;
		g->pty_seen[0] = '\0';
		pty_open(fg, g);
		if (g->pty_fd < 0)
			die("dom%u: cannot reattach", g->domid);
		if (guest_put(g, again, sizeof(again) - 1) != sizeof(again) - 1)
			die("dom%u: ring full after reattach", g->domid);
		guest_notify(g);
		g->pty_step = 5;
		/* fall through */
	case 5:
		pty_read(g);
		if (!strstr(g->pty_seen, again))
			return;
		printf("dom%u: a second client saw output after the first detached\n", g->domid);
		g->done = true;
	}
}

static void guest_step(struct fakeguest *fg, struct guest *g)
{
	static const char fixed[] = "output after a corrupt ring\n";
	char line[96];
	int n;

	if (g->done)
		return;
	switch (g->scenario) {
	case SC_FILE:
		if (g->sent < g->count) {
			size_t put = guest_put(g, g->data + g->sent, (size_t)(g->count - g->sent));

			g->sent += put;
			if (put)
				guest_notify(g);
		}
		if (g->sent == g->count && guest_drained(g)) {
			g->done = true;
			g->done_ns = now_ns();
		}
		break;
	case SC_PATTERN:
		if (g->sent < g->count)
			guest_push_pattern(g, g->count);
		if (g->sent == g->count && guest_drained(g)) {
			g->done = true;
			g->done_ns = now_ns();
		}
		break;
	case SC_FLOOD:
		guest_push_pattern(g, UINT64_MAX);
		if (others_done(fg, g)) {
			g->done = true;
			printf("dom%u: flooded %" PRIu64 " bytes\n", g->domid, g->sent);
		}
		break;
	case SC_LINES:
		if (g->line_sent_ns && !guest_drained(g))
			break;
		if (g->line_sent_ns) {
			uint64_t waited = now_ns() - g->line_sent_ns;

			/* The first line may have waited for the daemon to start. */
			if (g->lines_done > 0 && waited > g->worst_wait_ns)
				g->worst_wait_ns = waited;
			g->lines_done++;
		}
		if (g->lines_done == g->count) {
			g->done = true;
			printf("dom%u: %" PRIu64 " lines, worst wait %.3f ms\n", g->domid, g->count,
			       g->worst_wait_ns / 1e6);
			break;
		}
		n = snprintf(line, sizeof(line), "%s line %" PRIu64 "\n", g->name, g->lines_done);
		if (guest_put(g, line, (size_t)n) != (size_t)n)
			die("dom%u: ring not empty for a line", g->domid);
		g->line_sent_ns = now_ns();
		guest_notify(g);
		break;
	case SC_PTY:
		guest_step_pty(fg, g);
		break;
	case SC_RELEASE:
		guest_push_pattern(g, g->count);
		if (g->sent == g->count)
			guest_release(fg, g);
		break;
	case SC_IDLE:
		g->done = true;
		break;
	case SC_CORRUPT:
		if (g->sent == 0) {
			XENCONS_RING_IDX prod = g->intf->out_prod;

			g->intf->out_prod = prod + 5000; /* more than the ring holds */
			guest_notify(g);
			usleep(100000); /* let the daemon see it (no pass/fail timing) */
			g->intf->out_prod = prod;
			guest_put(g, fixed, sizeof(fixed) - 1);
			guest_notify(g);
			g->sent = sizeof(fixed) - 1;
		}
		if (guest_drained(g))
			g->done = true;
		break;
	}
}

static void pattern_fill(struct guest *g)
{
	uint64_t i;

	g->data = malloc(g->count ? g->count : 1);
	if (!g->data)
		die("out of memory for %" PRIu64 " bytes", g->count);
	for (i = 0; i < g->count; i++)
		g->data[i] = pattern_byte(i);
}

static void parse_guest(struct guest *g, char *spec)
{
	char *name = strchr(spec, ':'), *sc, *arg, *end;

	memset(g, 0, sizeof(*g));
	if (!name)
		die("bad domain spec '%s' (ID:NAME:SCENARIO)", spec);
	*name++ = '\0';
	sc = strchr(name, ':');
	if (!sc)
		die("bad domain spec (ID:NAME:SCENARIO)");
	*sc++ = '\0';
	g->domid = (uint32_t)strtoul(spec, &end, 10);
	if (*end || g->domid == 0)
		die("bad domain id '%s'", spec);
	snprintf(g->name, sizeof(g->name), "%s", name);
	arg = strchr(sc, '=');
	if (arg)
		*arg++ = '\0';
	if (!strcmp(sc, "file") && arg) {
		FILE *f = fopen(arg, "rb");
		long len;

		if (!f || fseek(f, 0, SEEK_END) < 0 || (len = ftell(f)) < 0)
			die("%s: %s", arg, strerror(errno));
		rewind(f);
		g->data = malloc((size_t)len + 1);
		if (!g->data || fread(g->data, 1, (size_t)len, f) != (size_t)len)
			die("%s: read failed", arg);
		fclose(f);
		g->count = (uint64_t)len;
		g->scenario = SC_FILE;
	} else if (!strcmp(sc, "pattern") && arg) {
		g->scenario = SC_PATTERN;
		g->count = strtoull(arg, NULL, 10);
		pattern_fill(g);
	} else if (!strcmp(sc, "flood")) {
		g->scenario = SC_FLOOD;
	} else if (!strcmp(sc, "lines") && arg) {
		g->scenario = SC_LINES;
		g->count = strtoull(arg, NULL, 10);
	} else if (!strcmp(sc, "pty")) {
		g->scenario = SC_PTY;
	} else if (!strcmp(sc, "release") && arg) {
		g->scenario = SC_RELEASE;
		g->count = strtoull(arg, NULL, 10);
		pattern_fill(g);
	} else if (!strcmp(sc, "corrupt")) {
		g->scenario = SC_CORRUPT;
	} else if (!strcmp(sc, "idle")) {
		g->scenario = SC_IDLE;
	} else {
		die("unknown scenario '%s'", sc);
	}
}

/*
 * --floor BYTES FILE: the same guest against the smallest possible consumer
 * (a child process that copies the ring to FILE and notifies back), to show
 * what the 2 KiB ring and one event round trip per ring cost by themselves.
 */
static int run_floor(uint64_t bytes, const char *path)
{
	struct guest g = { .domid = 1, .scenario = SC_PATTERN, .count = bytes };
	struct pollfd pfd;
	uint64_t start, count;
	pid_t child;
	int status, out;

	pattern_fill(&g);
	g.memfd = memfd_create("console-ring", MFD_CLOEXEC);
	if (g.memfd < 0 || ftruncate(g.memfd, FAKE_RING_SIZE) < 0)
		die("memfd: %s", strerror(errno));
	g.intf = mmap(NULL, FAKE_RING_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, g.memfd, 0);
	g.up_fd = eventfd(0, EFD_CLOEXEC);
	g.down_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (g.intf == MAP_FAILED || g.up_fd < 0 || g.down_fd < 0 || out < 0)
		die("floor set-up: %s", strerror(errno));

	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		uint64_t got = 0, one = 1;
		char data[CONSOLE_RING_OUT_SIZE];

		while (got < bytes) {
			struct console_ring_result res;

			if (read(g.up_fd, &count, sizeof(count)) < 0)
				_exit(1);
			console_ring_read_out(g.intf, data, sizeof(data), &res);
			if (res.bytes && write(out, data, res.bytes) != (ssize_t)res.bytes)
				_exit(1);
			got += res.bytes;
			if (write(g.down_fd, &one, sizeof(one)) < 0)
				_exit(1);
		}
		_exit(0);
	}
	start = now_ns();
	while (!g.done) {
		guest_step(NULL, &g);
		if (g.done)
			break;
		pfd = (struct pollfd){ g.down_fd, POLLIN, 0 };
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (read(g.down_fd, &count, sizeof(count)) < 0) {
			/* drained already */
		}
	}
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		die("floor consumer failed");
	printf("floor: %" PRIu64 " bytes written and consumed in %.6f s\n", bytes,
	       (now_ns() - start) / 1e9);
	free(g.data);
	close(out);
	return 0;
}

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	if (stop_requested)
		_exit(1); /* asked twice: stuck somewhere, leave now */
	stop_requested = 1;
}

static int run(struct fakeguest *fg, const char *sock_path, const char *ready, int timeout_s,
	       bool hold)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	uint64_t deadline = now_ns() + (uint64_t)timeout_s * 1000000000ull;
	struct pollfd fds[2 + MAX_WATCHERS + 2 * MAX_GUESTS];
	int i, n, all_done;

	fg->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fg->listen_fd < 0 || strlen(sock_path) >= sizeof(addr.sun_path))
		die("socket: %s", strerror(errno));
	strcpy(addr.sun_path, sock_path);
	unlink(sock_path);
	if (bind(fg->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fg->listen_fd, 16) < 0)
		die("%s: %s", sock_path, strerror(errno));
	for (i = 0; i < MAX_WATCHERS; i++)
		fg->watchers[i] = -1;

	fg->xs = xs_open(0);
	if (!fg->xs)
		die("xs_open: %s", strerror(errno));
	if (pipe2(fg->hv_pipe, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	if (write(fg->hv_pipe[1], HV_BANNER, sizeof(HV_BANNER) - 1) < 0)
		die("hypervisor console: %s", strerror(errno));
	for (i = 0; i < fg->nr; i++)
		guest_setup(fg, &fg->guests[i]);
	if (ready) {
		FILE *f = fopen(ready, "w");

		if (f)
			fclose(f);
	}
	watchers_notify(fg);

	for (;;) {
		all_done = 1;
		for (i = 0; i < fg->nr; i++) {
			guest_step(fg, &fg->guests[i]);
			if (!fg->guests[i].done)
				all_done = 0;
		}
		if (all_done && (!hold || stop_requested))
			break;
		if (!all_done && now_ns() > deadline) {
			for (i = 0; i < fg->nr; i++)
				if (!fg->guests[i].done)
					fprintf(stderr,
						"fakeguest: dom%u (%s) not done after %d s: sent "
						"%" PRIu64 ", out_cons %u, out_prod %u, step %d\n",
						fg->guests[i].domid, fg->guests[i].name, timeout_s,
						fg->guests[i].sent, fg->guests[i].intf->out_cons,
						fg->guests[i].intf->out_prod,
						fg->guests[i].pty_step);
			return 1;
		}
		n = 0;
		fds[n++] = (struct pollfd){ fg->listen_fd, POLLIN, 0 };
		for (i = 0; i < MAX_WATCHERS; i++)
			if (fg->watchers[i] >= 0)
				fds[n++] = (struct pollfd){ fg->watchers[i], POLLIN, 0 };
		for (i = 0; i < fg->nr; i++) {
			struct guest *g = &fg->guests[i];

			if (g->done)
				continue;
			fds[n++] = (struct pollfd){ g->down_fd, POLLIN, 0 };
			if (g->pty_fd >= 0)
				fds[n++] = (struct pollfd){ g->pty_fd, POLLIN | POLLPRI, 0 };
		}
		/* A short timeout: the pty scenario polls xenstore for console/tty. */
		if (poll(fds, (nfds_t)n, all_done ? 1000 : 100) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		for (i = 0; i < n; i++) {
			uint64_t count;

			if (!fds[i].revents)
				continue;
			if (fds[i].fd == fg->listen_fd) {
				serve_request(fg);
			} else if (fds[i].revents & (POLLHUP | POLLERR)) {
				int w;

				for (w = 0; w < MAX_WATCHERS; w++)
					if (fg->watchers[w] == fds[i].fd) {
						close(fds[i].fd);
						fg->watchers[w] = -1;
					}
			} else if (fds[i].events & POLLPRI) {
				/* a pty: its scenario step reads it */
			} else if (read(fds[i].fd, &count, sizeof(count)) < 0) {
				/* an eventfd already drained */
			}
		}
	}
	for (i = 0; i < fg->nr; i++)
		if (fg->guests[i].scenario == SC_FILE || fg->guests[i].scenario == SC_PATTERN)
			printf("dom%u: %" PRIu64 " bytes written and consumed in %.6f s\n",
			       fg->guests[i].domid, fg->guests[i].sent,
			       fg->guests[i].attached_ns &&
					       fg->guests[i].done_ns > fg->guests[i].attached_ns
				       ? (fg->guests[i].done_ns - fg->guests[i].attached_ns) / 1e9
				       : 0.0);
	return 0;
}

int main(int argc, char **argv)
{
	static struct fakeguest fg;
	const char *sock = NULL, *ready = NULL;
	int timeout_s = 120, i;
	bool hold = false;
	struct sigaction sa = { .sa_handler = on_stop };

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pattern") && i + 1 < argc) {
			uint64_t len = strtoull(argv[++i], NULL, 10), off;

			for (off = 0; off < len; off++)
				putchar(pattern_byte(off));
			return 0;
		} else if (!strcmp(argv[i], "--floor") && i + 2 < argc) {
			uint64_t len = strtoull(argv[i + 1], NULL, 10);

			return run_floor(len, argv[i + 2]);
		} else if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			sock = argv[++i];
		} else if (!strcmp(argv[i], "--hold")) {
			hold = true;
		} else if (!strcmp(argv[i], "--ready") && i + 1 < argc) {
			ready = argv[++i];
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			timeout_s = atoi(argv[++i]);
		} else if (argv[i][0] == '-') {
			die("unknown option %s", argv[i]);
		} else {
			if (fg.nr == MAX_GUESTS)
				die("too many domains");
			parse_guest(&fg.guests[fg.nr++], argv[i]);
		}
	}
	if (!sock || fg.nr == 0)
		die("usage: %s --socket PATH [--timeout SEC] [--ready FILE] [--hold] "
		    "ID:NAME:SCENARIO...",
		    argv[0]);
	fakeguest_exit(run(&fg, sock, ready, timeout_s, hold));
}
