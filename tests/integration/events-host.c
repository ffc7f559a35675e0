/*
 * events-host: the host side of the test guest's event channel and grant
 * table programs (tests/guests/events.c), through libxc's xenevtchn and
 * xengnttab and libxenstore, as a backend would use them.
 *
 *   events-host pingpong DOMID N   bind the guest's port (data/pingpong-port),
 *                                  send the first event, answer N events
 *   events-host grant DOMID        map the guest's grant (data/grant-refs),
 *                                  check and write it, grant-copy both ways,
 *                                  answer in data/grant-done
 *
 * Every wait is bounded (--timeout seconds, default 30); prints
 * "events-host: key=value" lines and exits non-zero on a failed check.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

static int timeout_s = 30;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The guest's key, waited for with a watch (bounded). */
static char *wait_key(struct xs_handle *xsh, unsigned int domid, const char *key)
{
	char path[128];
	uint64_t deadline = now_ns() + (uint64_t)timeout_s * 1000000000ull;
	unsigned int len, n;
	char *val, **ev;

	snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
	if (!xs_watch(xsh, path, "k"))
		return NULL;
	for (;;) {
		struct pollfd pfd = { .fd = xs_fileno(xsh), .events = POLLIN };
		int64_t left = (int64_t)(deadline - now_ns());

		val = xs_read(xsh, XBT_NULL, path, &len);
		if (val)
			break;
		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)(left / 1000000) + 1) <= 0)
			continue;
		ev = xs_read_watch(xsh, &n);
		free(ev);
	}
	xs_unwatch(xsh, path, "k");
	if (!val)
		fprintf(stderr, "events-host: no %s within %d s\n", path, timeout_s);
	return val;
}

static int do_pingpong(struct xs_handle *xsh, unsigned int domid, unsigned long rounds)
{
	xenevtchn_handle *xce = NULL;
	char *val = wait_key(xsh, domid, "data/pingpong-port");
	uint64_t t0 = 0, t1;
	unsigned long i;
	int local, rc = 1;

	if (!val)
		return 1;
	xce = xenevtchn_open(NULL, 0);
	if (!xce) {
		perror("events-host: xenevtchn_open");
		goto out;
	}
	local = xenevtchn_bind_interdomain(xce, domid, (evtchn_port_t)strtoul(val, NULL, 10));
	if (local < 0) {
		perror("events-host: xenevtchn_bind_interdomain");
		goto out;
	}
	printf("events-host: bound remote_port=%s local_port=%d\n", val, local);
	/*
	 * Xen notifies the binder's port at bind time (events sent while the
	 * port was unbound may have been lost); it is already signalled when
	 * the bind returns.  Take it, so that the count below is the guest's.
	 */
	{
		struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };

		if (poll(&pfd, 1, 0) == 1) {
			int p = xenevtchn_pending(xce);

			if (p >= 0)
				xenevtchn_unmask(xce, (evtchn_port_t)p);
		}
	}
	if (xenevtchn_notify(xce, (evtchn_port_t)local) < 0) {
		perror("events-host: xenevtchn_notify");
		goto out;
	}
	for (i = 0; i < rounds; i++) {
		struct pollfd pfd = { .fd = xenevtchn_fd(xce), .events = POLLIN };
		int port;

		if (poll(&pfd, 1, timeout_s * 1000) != 1) {
			fprintf(stderr, "events-host: no event %lu within %d s\n", i, timeout_s);
			goto out;
		}
		port = xenevtchn_pending(xce);
		if (port != local) {
			fprintf(stderr, "events-host: pending port %d, want %d\n", port, local);
			goto out;
		}
		xenevtchn_unmask(xce, (evtchn_port_t)port);
		if (i == 0)
			t0 = now_ns();
		xenevtchn_notify(xce, (evtchn_port_t)local);
	}
	t1 = now_ns();
	printf("events-host: pingpong rounds=%lu host_rtt_ns=%llu\n", rounds,
	       rounds > 1 ? (unsigned long long)((t1 - t0) / (rounds - 1)) : 0ull);
	rc = 0;
out:
	if (xce)
		xenevtchn_close(xce);
	free(val);
	return rc;
}

static int check(int ok, const char *what, char *why, size_t cap)
{
	printf("events-host: %s: %s\n", what, ok ? "ok" : "FAILED");
	if (!ok && !why[0])
		snprintf(why, cap, "%s", what);
	return ok;
}

static int do_grant(struct xs_handle *xsh, unsigned int domid)
{
	char *val = wait_key(xsh, domid, "data/grant-refs");
	xengnttab_handle *xgt = NULL;
	xengnttab_grant_copy_segment_t segs[2];
	char why[64] = "", local[64], path[128];
	unsigned int map_ref, copy_ref;
	uint8_t *page;

	if (!val)
		return 1;
	if (sscanf(val, "%u %u", &map_ref, &copy_ref) != 2) {
		fprintf(stderr, "events-host: bad data/grant-refs '%s'\n", val);
		free(val);
		return 1;
	}
	free(val);
	xgt = xengnttab_open(NULL, 0);
	if (!xgt) {
		perror("events-host: xengnttab_open");
		return 1;
	}
	page = xengnttab_map_grant_ref(xgt, domid, map_ref, PROT_READ | PROT_WRITE);
	if (!page)
		perror("events-host: xengnttab_map_grant_ref");
	if (check(page != NULL, "map", why, sizeof(why))) {
		check(!memcmp(page, "guest-wrote-map", 16), "guest-data", why, sizeof(why));
		memcpy(page, "host-wrote-map", 15);
		check(xengnttab_unmap(xgt, page, 1) == 0, "unmap", why, sizeof(why));
	}
	/* The console ring's reserved entry, seeded for domain 0 (the builder's). */
	page = xengnttab_map_grant_ref(xgt, domid, GNTTAB_RESERVED_CONSOLE, PROT_READ);
	if (check(page != NULL, "reserved-console", why, sizeof(why)))
		xengnttab_unmap(xgt, page, 1);
	/* A grant the guest never made must not map. */
	page = xengnttab_map_grant_ref(xgt, domid, 200, PROT_READ);
	check(page == NULL, "ungranted-refused", why, sizeof(why));
	if (page)
		xengnttab_unmap(xgt, page, 1);
	/* Copy out of the guest's page, then into it at 2048. */
	memset(segs, 0, sizeof(segs));
	memset(local, 0, sizeof(local));
	segs[0].source.foreign.ref = copy_ref;
	segs[0].source.foreign.domid = (uint16_t)domid;
	segs[0].dest.virt = local;
	segs[0].len = 17;
	segs[0].flags = GNTCOPY_source_gref;
	segs[1].source.virt = (void *)"host-copied";
	segs[1].dest.foreign.ref = copy_ref;
	segs[1].dest.foreign.domid = (uint16_t)domid;
	segs[1].dest.foreign.offset = 2048;
	segs[1].len = 12;
	segs[1].flags = GNTCOPY_dest_gref;
	if (xengnttab_grant_copy(xgt, 2, segs) < 0)
		perror("events-host: xengnttab_grant_copy");
	else if (check(1, "copy", why, sizeof(why))) {
		check(segs[0].status == GNTST_okay && !memcmp(local, "guest-wrote-copy", 17),
		      "copy-out", why, sizeof(why));
		check(segs[1].status == GNTST_okay, "copy-in", why, sizeof(why));
		printf("events-host: copy statuses %d %d\n", segs[0].status, segs[1].status);
	}
	xengnttab_close(xgt);
	snprintf(path, sizeof(path), "/local/domain/%u/data/grant-done", domid);
	if (!xs_write(xsh, XBT_NULL, path, why[0] ? why : "ok", strlen(why[0] ? why : "ok"))) {
		perror("events-host: xs_write");
		return 1;
	}
	return why[0] ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct xs_handle *xsh;
	unsigned int domid;
	int argi = 1, rc;

	if (argc > 2 && !strcmp(argv[1], "--timeout")) {
		timeout_s = atoi(argv[2]);
		argi = 3;
	}
	if (argc - argi < 2) {
		fprintf(stderr,
			"usage: events-host [--timeout S] pingpong DOMID N | grant DOMID\n");
		return 2;
	}
	domid = (unsigned int)strtoul(argv[argi + 1], NULL, 10);
	xsh = xs_open(0);
	if (!xsh) {
		perror("events-host: xs_open");
		return 1;
	}
	if (!strcmp(argv[argi], "pingpong") && argc - argi >= 3)
		rc = do_pingpong(xsh, domid, strtoul(argv[argi + 2], NULL, 10));
	else if (!strcmp(argv[argi], "grant"))
		rc = do_grant(xsh, domid);
	else {
		fprintf(stderr, "events-host: unknown command %s\n", argv[argi]);
		rc = 2;
	}
	xs_close(xsh);
	return rc;
}
