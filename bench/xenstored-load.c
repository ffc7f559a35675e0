/*
 * xenstored-load: a load generator for any xenstore daemon's unix socket.
 *
 * Speaks raw xs_wire, one request in flight per connection by default as
 * libxenstore does (-q N keeps N in flight).  -c N forks N clients, each
 * with its own connection; the ops they completed in -t seconds are summed.
 *
 *   write     WRITE /bench/w/<i % 1000> = "value-<i>"
 *   read      READ /bench/r (a 32-byte value)
 *   dir       DIRECTORY /bench/d (1000 children "0".."999")
 *   txn       TRANSACTION_START, WRITE in it, TRANSACTION_END "T" (1 op)
 *   mixed     WRITE then READ /bench/c/<client>/<i % 100>
 *   populate  -n nodes /mem/<i/1000>/<i%1000> (16-byte values); with -P
 *             prints the daemon's RSS before and after
 *
 * Output: one line per run, "mode=... clients=... ops_per_s=...".
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

struct load {
	const char *sock;
	const char *mode;
	double secs;
	int clients;
	int depth;
	long nodes;
	long pid;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int connect_to(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd, tries;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	for (tries = 0; tries < 1000; tries++) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			break;
		if (!connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
			return fd;
		close(fd);
		usleep(1000); /* C xenstored listens with backlog 1 */
	}
	perror("connect");
	exit(2);
}

static void full_io(int fd, void *buf, size_t len, int writing)
{
	char *p = buf;
	ssize_t n;

	while (len) {
		n = writing ? write(fd, p, len) : read(fd, p, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			fprintf(stderr, "xenstored-load: connection lost\n");
			exit(3);
		}
		p += n;
		len -= n;
	}
}

static void send_req(int fd, uint32_t type, uint32_t tx, const void *a, size_t alen, const void *b,
		     size_t blen)
{
	char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr = { type, 0, tx, alen + blen };

	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), a, alen);
	if (blen)
		memcpy(buf + sizeof(hdr) + alen, b, blen);
	full_io(fd, buf, sizeof(hdr) + alen + blen, 1);
}

/* Reads replies until a non-event; returns its type, body in out. */
static uint32_t recv_reply(int fd, char *out)
{
	struct xsd_sockmsg hdr;
	static char body[XENSTORE_PAYLOAD_MAX + 1];

	for (;;) {
		full_io(fd, &hdr, sizeof(hdr), 0);
		if (hdr.len > XENSTORE_PAYLOAD_MAX)
			exit(4);
		full_io(fd, out ? out : body, hdr.len, 0);
		(out ? out : body)[hdr.len] = '\0';
		if (hdr.type != XS_WATCH_EVENT)
			return hdr.type;
	}
}

static void xs_write_path(int fd, const char *path, const char *value)
{
	send_req(fd, XS_WRITE, 0, path, strlen(path) + 1, value, strlen(value));
	if (recv_reply(fd, NULL) == XS_ERROR) {
		fprintf(stderr, "xenstored-load: write %s failed\n", path);
		exit(5);
	}
}

/* One operation of the mode; i counts operations of this client. */
static long one_op(int fd, const char *mode, int client, long i, long *eagain)
{
	char path[64], value[64], reply[XENSTORE_PAYLOAD_MAX + 1];
	uint32_t tx;

	if (!strcmp(mode, "write")) {
		snprintf(path, sizeof(path), "/bench/w/%ld", i % 1000);
		snprintf(value, sizeof(value), "value-%ld", i);
		send_req(fd, XS_WRITE, 0, path, strlen(path) + 1, value, strlen(value));
		return 1;
	}
	if (!strcmp(mode, "read")) {
		send_req(fd, XS_READ, 0, "/bench/r", 9, NULL, 0);
		return 1;
	}
	if (!strcmp(mode, "dir")) {
		send_req(fd, XS_DIRECTORY, 0, "/bench/d", 9, NULL, 0);
		return 1;
	}
	if (!strcmp(mode, "mixed")) {
		snprintf(path, sizeof(path), "/bench/c/%d/%ld", client, i % 100);
		if (i % 2)
			send_req(fd, XS_READ, 0, path, strlen(path) + 1, NULL, 0);
		else
			send_req(fd, XS_WRITE, 0, path, strlen(path) + 1, "v", 1);
		return 1;
	}
	/* txn: synchronous by nature. */
	send_req(fd, XS_TRANSACTION_START, 0, "", 1, NULL, 0);
	recv_reply(fd, reply);
	tx = strtoul(reply, NULL, 10);
	snprintf(path, sizeof(path), "/bench/t/%d", client);
	send_req(fd, XS_WRITE, tx, path, strlen(path) + 1, "x", 1);
	recv_reply(fd, NULL);
	send_req(fd, XS_TRANSACTION_END, tx, "T", 2, NULL, 0);
	if (recv_reply(fd, reply) == XS_ERROR && !strcmp(reply, "EAGAIN"))
		(*eagain)++;
	return 0;
}

static void run_client(const struct load *l, int client, long *ops, long *eagain)
{
	int fd = connect_to(l->sock), inflight = 0;
	double end = now() + l->secs;
	long i = 0;

	while ((i & 63) || now() < end) {
		inflight += one_op(fd, l->mode, client, i, eagain);
		i++;
		while (inflight >= l->depth) {
			recv_reply(fd, NULL);
			inflight--;
		}
	}
	while (inflight--)
		recv_reply(fd, NULL);
	*ops = i;
	close(fd);
}

/* A field of /proc/PID/status in kB ("VmRSS:", "RssAnon:"), or -1. */
static long status_kb(long pid, const char *field)
{
	char path[64], line[256];
	size_t len = strlen(field);
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len))
			kb = strtol(line + len, NULL, 10);
	}
	fclose(f);
	return kb;
}

static long rss_kb(long pid)
{
	return status_kb(pid, "VmRSS:");
}

static void prepare(const struct load *l)
{
	int fd = connect_to(l->sock);
	char path[64];
	int i;

	xs_write_path(fd, "/bench/r", "0123456789abcdef0123456789abcdef");
	if (!strcmp(l->mode, "dir")) {
		for (i = 0; i < 1000; i++) {
			snprintf(path, sizeof(path), "/bench/d/%d", i);
			xs_write_path(fd, path, "");
		}
	}
	close(fd);
}

static void populate(const struct load *l)
{
	int fd = connect_to(l->sock);
	long before = l->pid ? rss_kb(l->pid) : -1, after, i;
	/* Anonymous memory only: file pages (a mapped journal) are not
	 * the store's per-node cost. */
	long anon_before = l->pid ? status_kb(l->pid, "RssAnon:") : -1;
	long anon_after;
	char path[64];
	double t0 = now(), t;

	for (i = 0; i < l->nodes; i++) {
		snprintf(path, sizeof(path), "/mem/%ld/%ld", i / 1000, i % 1000);
		xs_write_path(fd, path, "0123456789abcdef");
	}
	t = now() - t0;
	after = l->pid ? rss_kb(l->pid) : -1;
	anon_after = l->pid ? status_kb(l->pid, "RssAnon:") : -1;
	printf("mode=populate nodes=%ld secs=%.2f writes_per_s=%.0f rss_before_kb=%ld "
	       "rss_after_kb=%ld bytes_per_node=%.0f anon_before_kb=%ld anon_after_kb=%ld "
	       "anon_bytes_per_node=%.0f\n",
	       l->nodes, t, l->nodes / t, before, after,
	       before >= 0 ? (after - before) * 1024.0 / l->nodes : 0.0, anon_before, anon_after,
	       anon_before >= 0 ? (anon_after - anon_before) * 1024.0 / l->nodes : 0.0);
	close(fd);
}

int main(int argc, char **argv)
{
	struct load l = { "/run/xenstored/socket", "write", 5.0, 1, 1, 100000, 0 };
	long *shared, total = 0, eagain = 0;
	int opt, c, status;
	double t0, t;

	while ((opt = getopt(argc, argv, "s:m:t:c:q:n:P:")) != -1) {
		switch (opt) {
		case 's':
			l.sock = optarg;
			break;
		case 'm':
			l.mode = optarg;
			break;
		case 't':
			l.secs = atof(optarg);
			break;
		case 'c':
			l.clients = atoi(optarg);
			break;
		case 'q':
			l.depth = atoi(optarg);
			break;
		case 'n':
			l.nodes = atol(optarg);
			break;
		case 'P':
			l.pid = atol(optarg);
			break;
		default:
			fprintf(stderr,
				"usage: %s -s SOCK -m write|read|dir|txn|mixed|populate [-t SECS] "
				"[-c CLIENTS] [-q DEPTH] [-n NODES] [-P PID]\n",
				argv[0]);
			return 1;
		}
	}
	if (l.clients < 1 || l.clients > 256 || l.depth < 1 || l.secs <= 0)
		return 1;
	if (!strcmp(l.mode, "txn"))
		l.depth = 1;
	if (!strcmp(l.mode, "populate")) {
		populate(&l);
		return 0;
	}
	prepare(&l);
	shared = mmap(NULL, 2 * 256 * sizeof(long), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return 1;
	t0 = now();
	for (c = 0; c < l.clients; c++) {
		if (fork() == 0) {
			run_client(&l, c, &shared[c], &shared[256 + c]);
			_exit(0);
		}
	}
	while (wait(&status) > 0)
		;
	t = now() - t0;
	for (c = 0; c < l.clients; c++) {
		total += shared[c];
		eagain += shared[256 + c];
	}
	printf("mode=%s clients=%d depth=%d secs=%.2f ops=%ld ops_per_s=%.0f", l.mode, l.clients,
	       l.depth, t, total, total / t);
	if (!strcmp(l.mode, "txn"))
		printf(" eagain=%ld", eagain);
	if (l.pid)
		printf(" daemon_rss_kb=%ld", rss_kb(l.pid));
	printf("\n");
	return 0;
}
