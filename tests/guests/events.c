/*
 * Test programs for event channels, grant tables and the xenstore ring,
 * run against a host program (tests/integration/events-host) and the real
 * daemons.  The guest and the host meet through the guest's own xenstore
 * directory (data/...), which only the guest and domain 0 may write.
 *
 *   evtchn-pingpong [N]  N event round trips with the host; prints the
 *                        round trip next to a bare exit (port I/O)
 *   xenstore             read, write, permissions and a watch over the ring
 *   gnttab               grant two pages; the host maps one and writes it,
 *                        and grant-copies into and out of the other
 */
#include <xen/grant_table.h>
#include <xen/io/xs_wire.h>
#include <xen/memory.h>

#include "events.h"
#include "runtime/evtchn.h"
#include "runtime/hypercall.h"

static unsigned long arg_count(const char *p, unsigned long def)
{
	unsigned long n;

	while (*p == ' ')
		p++;
	n = xstrtoul(p, NULL);
	return n ? n : def;
}

/* Wait until path has a value (a watch on it), into buf. */
static long wait_for_key(const char *path, const char *token, char *buf,
			 size_t cap)
{
	char ev[256];
	long n;

	if (xs_watch(path, token) < 0)
		return -1;
	for (;;) {
		n = xs_read(path, buf, cap);
		if (n >= 0)
			return n;
		if (xs_read_watch(ev, sizeof(ev)) < 0)
			return -1;
	}
}

void test_evtchn_pingpong(struct xtest_env *env)
{
	unsigned long n = arg_count(env->args, 1000), i;
	evtchn_port_t port;
	uint64_t t0, t1, t2, t3;
	char val[16];
	long rc;

	if (!xs_ring_ready() || !env->tsc_khz) {
		xtest_result("evtchn-pingpong", "SKIP", "no xenstore ring or TSC");
		return;
	}
	rc = evtchn_alloc_unbound(0, &port);
	if (rc) {
		xtest_result("evtchn-pingpong", "FAIL", "alloc_unbound rc=%ld", rc);
		return;
	}
	xsnprintf(val, sizeof(val), "%u", port);
	if (xs_write("data/pingpong-port", val) < 0) {
		xtest_result("evtchn-pingpong", "FAIL", "cannot publish the port");
		return;
	}
	/* The host binds the port, then sends the first event. */
	evtchn_wait(port);
	t0 = rdtsc();
	for (i = 0; i < n; i++)
		__asm__ volatile("outb %%al, $0x80" : : "a"(0) : "memory");
	t1 = rdtsc();
	for (i = 0; i < n; i++) {
		rc = evtchn_send(port);
		if (rc)
			break;
		evtchn_wait(port);
	}
	t2 = rdtsc();
	/* A null hypercall, for scale: ring-0 guest code is emulated here. */
	for (i = 0; i < n; i++)
		HYPERVISOR_xen_version(0, NULL);
	t3 = rdtsc();
	if (rc) {
		xtest_result("evtchn-pingpong", "FAIL", "send rc=%ld after %lu", rc, i);
		return;
	}
	evtchn_close(port);
	xtest_result("evtchn-pingpong", "PASS",
		     "rtt_ns=%lu bare_exit_ns=%lu hypercall_ns=%lu n=%lu",
		     (unsigned long)((t2 - t1) * 1000000 / env->tsc_khz / n),
		     (unsigned long)((t1 - t0) * 1000000 / env->tsc_khz / n),
		     (unsigned long)((t3 - t2) * 1000000 / env->tsc_khz / n), n);
}

void test_xenstore(struct xtest_env *env)
{
	char buf[128], ev[128];
	long n;

	(void)env;
	if (!xs_ring_ready()) {
		xtest_result("xenstore", "SKIP", "no xenstore ring");
		return;
	}
	n = xs_read("name", buf, sizeof(buf));
	xtest_result("xs-read-name", n > 0 ? "PASS" : "FAIL", "name=%s n=%ld",
		     n >= 0 ? buf : "", n);
	n = xs_write("data/x", "written-by-guest");
	xtest_result("xs-write", n >= 0 ? "PASS" : "FAIL", "n=%ld", n);
	n = xs_read("data/x", buf, sizeof(buf));
	xtest_result("xs-read-back",
		     n >= 0 && !xstrcmp(buf, "written-by-guest") ? "PASS" : "FAIL",
		     "value=%s", n >= 0 ? buf : "");
	/* Outside our subtree: domain 0's nodes are not ours to write. */
	{
		const char *parts[] = { "/local/domain/0/data/from-guest", "x" };

		n = xs_request(XS_WRITE, parts, 2, buf, sizeof(buf));
	}
	xtest_result("xs-write-denied",
		     n == -1 && !xstrcmp(buf, "EACCES") ? "PASS" : "FAIL",
		     "n=%ld error=%s", n, n == -1 ? buf : "");
	n = xs_read("/local/domain/0/data/from-guest", buf, sizeof(buf));
	xtest_result("xs-not-written", n < 0 ? "PASS" : "FAIL", "n=%ld", n);
	/* A watch fires once when set, then on each change. */
	n = xs_watch("data/w", "tok");
	if (n >= 0)
		n = xs_read_watch(ev, sizeof(ev));
	xtest_result("xs-watch-initial",
		     n > 0 && !xstrcmp(ev, "data/w") &&
				     !xstrcmp(ev + xstrlen(ev) + 1, "tok") ?
			     "PASS" :
			     "FAIL",
		     "n=%ld path=%s", n, n > 0 ? ev : "");
	xs_write("data/w", "1");
	n = xs_read_watch(ev, sizeof(ev));
	xtest_result("xs-watch-fires", n > 0 && !xstrcmp(ev, "data/w") ? "PASS" : "FAIL",
		     "n=%ld path=%s", n, n > 0 ? ev : "");
	/* The host reads data/x and answers in data/ack. */
	n = wait_for_key("data/ack", "ack", buf, sizeof(buf));
	xtest_result("xs-host-ack",
		     n >= 0 && !xstrcmp(buf, "written-by-guest") ? "PASS" : "FAIL",
		     "ack=%s", n >= 0 ? buf : "");
}

#define GNTTAB_GPFN 0xf0000ul /* a hole: 3.75 GiB, above our RAM */
#define GNT_REF_MAP 8
#define GNT_REF_COPY 9

static uint8_t gnt_page_map[4096] __attribute__((aligned(4096)));
static uint8_t gnt_page_copy[4096] __attribute__((aligned(4096)));

static void grant_page(grant_entry_v1_t *table, grant_ref_t ref, void *page)
{
	table[ref].frame = (uint32_t)((unsigned long)page >> 12);
	table[ref].domid = 0;
	/* Frame and domid first: the flags make the entry live. */
	__atomic_store_n(&table[ref].flags, (uint16_t)GTF_permit_access,
			 __ATOMIC_RELEASE);
}

void test_gnttab(struct xtest_env *env)
{
	struct gnttab_query_size qs = { .dom = DOMID_SELF };
	xen_pfn_t frames[1];
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_grant_table,
		.idx = 0,
		.gpfn = GNTTAB_GPFN,
	};
	grant_entry_v1_t *table = (grant_entry_v1_t *)(GNTTAB_GPFN << 12);
	char buf[64];
	long rc;

	(void)env;
	if (!xs_ring_ready()) {
		xtest_result("gnttab", "SKIP", "no xenstore ring");
		return;
	}
	rc = HYPERVISOR_grant_table_op(GNTTABOP_query_size, &qs, 1);
	xtest_result("gnttab-query-size",
		     rc == 0 && qs.status == GNTST_okay && qs.nr_frames >= 1 ?
			     "PASS" :
			     "FAIL",
		     "rc=%ld status=%d frames=%u max=%u", rc, qs.status,
		     qs.nr_frames, qs.max_nr_frames);
	set_xen_guest_handle(st.frame_list, frames);
	rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
	xtest_result("gnttab-setup-table",
		     rc == 0 && st.status == GNTST_okay ? "PASS" : "FAIL",
		     "rc=%ld status=%d", rc, st.status);
	rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp);
	if (rc) {
		xtest_result("gnttab-map-table", "FAIL", "rc=%ld", rc);
		return;
	}
	xtest_result("gnttab-map-table", "PASS", "at gpfn 0x%lx", GNTTAB_GPFN);
	memcpy(gnt_page_map, "guest-wrote-map", 16);
	memcpy(gnt_page_copy, "guest-wrote-copy", 17);
	grant_page(table, GNT_REF_MAP, gnt_page_map);
	grant_page(table, GNT_REF_COPY, gnt_page_copy);
	xsnprintf(buf, sizeof(buf), "%u %u", GNT_REF_MAP, GNT_REF_COPY);
	if (xs_write("data/grant-refs", buf) < 0) {
		xtest_result("gnttab", "FAIL", "cannot publish the refs");
		return;
	}
	/* The host maps, writes, unmaps and copies, then answers. */
	rc = wait_for_key("data/grant-done", "gnt", buf, sizeof(buf));
	xtest_result("gnttab-host", rc >= 0 && !xstrcmp(buf, "ok") ? "PASS" : "FAIL",
		     "host says %s", rc >= 0 ? buf : "nothing");
	xtest_result("gnttab-host-write",
		     !xstrncmp((char *)gnt_page_map, "host-wrote-map", 15) ? "PASS" :
										 "FAIL",
		     "first byte 0x%x", gnt_page_map[0]);
	xtest_result("gnttab-host-copy",
		     !xstrncmp((char *)gnt_page_copy + 2048, "host-copied", 12) ?
			     "PASS" :
			     "FAIL",
		     "byte 2048 0x%x", gnt_page_copy[2048]);
	/* Unmapped: GTF_reading/GTF_writing are gone again. */
	xtest_result("gnttab-flags",
		     table[GNT_REF_MAP].flags == GTF_permit_access ? "PASS" : "FAIL",
		     "flags=0x%x", table[GNT_REF_MAP].flags);
	table[GNT_REF_MAP].flags = 0;
	table[GNT_REF_COPY].flags = 0;
}
