/*
 * Test programs for event channels, grant tables and the xenstore ring,
 * run against a host program (tests/integration/events-host) and the real
 * daemons.  The guest and the host meet through the guest's own xenstore
 * directory (data/...), which only the guest and domain 0 may write.
 *
 *   evtchn-pingpong [N]  N event round trips with the host; prints the
 *                        round trip next to a bare exit (port I/O)
 *   xenstore             read, write, permissions and a watch over the ring
 *   xenstore-lu          requests and a watch across a live update of xenstored
 *   gnttab               grant two pages; the host maps one and writes it,
 *                        and grant-copies into and out of the other
 *   evtchn-upcall        the host's event arrives as our per-vCPU upcall
 *                        vector (HVMOP_set_evtchn_upcall_vector) and wakes
 *                        us from HLT
 */
#include <xen/arch-x86/cpuid.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
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

/*
 * xenstore-lu: keeps writing and reading back data/count over the ring
 * while the host live-updates xenstored, with a watch on data/lu set
 * before the update; the host writes data/lu=go after it, and the watch
 * must fire.  Every reply must match its request (none lost or doubled).
 */
void test_xenstore_lu(struct xtest_env *env)
{
	char buf[64], val[24], ev[128];
	unsigned long i, bad = 0;
	long n;

	(void)env;
	if (!xs_ring_ready()) {
		xtest_result("xenstore-lu", "SKIP", "no xenstore ring");
		return;
	}
	n = xs_watch("data/lu", "lu");
	if (n >= 0)
		n = xs_read_watch(ev, sizeof(ev));
	xtest_result("xs-lu-watch-set", n > 0 ? "PASS" : "FAIL", "n=%ld", n);
	xs_write("data/lu-ready", "1");
	for (i = 1; i < 1000000; i++) {
		xsnprintf(val, sizeof(val), "%lu", i);
		if (xs_write("data/count", val) < 0)
			bad++;
		n = xs_read("data/count", buf, sizeof(buf));
		if (n < 0 || xstrcmp(buf, val))
			bad++;
		n = xs_read("data/lu", buf, sizeof(buf));
		if (n >= 0 && !xstrcmp(buf, "go"))
			break;
	}
	xtest_result("xs-lu-requests", bad == 0 && i < 1000000 ? "PASS" : "FAIL",
		     "ops=%lu bad=%lu", i, bad);
	/* The event of the host's write (queued, or still to come). */
	n = xs_read_watch(ev, sizeof(ev));
	xtest_result("xs-lu-watch-fires",
		     n > 0 && !xstrcmp(ev, "data/lu") &&
				     !xstrcmp(ev + xstrlen(ev) + 1, "lu") ?
			     "PASS" :
			     "FAIL",
		     "n=%ld path=%s", n, n > 0 ? ev : "");
	xs_write("data/lu-done", "1");
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

#define UPCALL_VECTOR 0xf3
#define LAPIC_BASE 0xfee00000ul

/* The upcall handler: count, EOI the local APIC, return.  No C: no frame. */
__asm__(".pushsection .text\n"
	".globl upcall_entry\n"
	"upcall_entry:\n"
	"	lock incl upcall_count(%rip)\n"
	"	pushq %rax\n"
	"	movabsq $0xfee000b0, %rax\n"
	"	movl $0, (%rax)\n"
	"	popq %rax\n"
	"	iretq\n"
	".popsection\n");
extern char upcall_entry[];
volatile uint32_t upcall_count;

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, rsvd;
};
static struct idt_gate idt[256] __attribute__((aligned(16)));

static void upcall_idt_setup(void)
{
	unsigned long h = (unsigned long)upcall_entry;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) desc = { sizeof(idt) - 1, (unsigned long)idt };
	struct idt_gate *g = &idt[UPCALL_VECTOR];

	g->off0 = (uint16_t)h;
	g->sel = 0x08; /* start.S's 64-bit code segment */
	g->ist = 0;
	g->type = 0x8e; /* present, DPL 0, interrupt gate */
	g->off1 = (uint16_t)(h >> 16);
	g->off2 = (uint32_t)(h >> 32);
	__asm__ volatile("lidt %0" : : "m"(desc));
	/* Software-enable the local APIC (spurious vector 0xff). */
	*(volatile uint32_t *)(LAPIC_BASE + 0xf0) = 0x1ff;
}

/*
 * Halt with interrupts on until port is pending (consumed); the upcall is
 * what wakes us.  Other ports' events (the xenstore ring) upcall too.
 */
static bool upcall_wait_port(evtchn_port_t port, uint64_t deadline)
{
	struct vcpu_info *vi = &xen_shared_info->vcpu_info[0];

	for (;;) {
		/* As an upcall handler would: flag and selector first. */
		vi->evtchn_upcall_pending = 0;
		__atomic_store_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
		if (evtchn_test_and_clear(port))
			return true;
		if (rdtsc() >= deadline)
			return false;
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	}
}

void test_evtchn_upcall(struct xtest_env *env)
{
	struct xen_hvm_evtchn_upcall_vector uv = { .vcpu = 0,
						   .vector = UPCALL_VECTOR };
	uint32_t r[4];
	uint64_t t0, t1;
	unsigned long n, i;
	evtchn_port_t port;
	char val[16];
	long rc;

	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(XEN_CPUID_LEAF(4)), "c"(0));
	if (!(r[0] & XEN_HVM_CPUID_UPCALL_VECTOR) || !xs_ring_ready() ||
	    !env->tsc_khz) {
		xtest_result("evtchn-upcall", "SKIP",
			     "no per-vCPU upcall vector, xenstore ring or TSC");
		return;
	}
	upcall_idt_setup();
	rc = HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv);
	if (rc) {
		xtest_result("evtchn-upcall", "FAIL", "set_evtchn_upcall_vector rc=%ld", rc);
		return;
	}
	uv.vector = 3;
	rc = HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv);
	xtest_result("upcall-vector-checked", rc == -22 ? "PASS" : "FAIL",
		     "vector 3 rc=%ld", rc);
	uv.vector = UPCALL_VECTOR;
	HYPERVISOR_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv);
	rc = evtchn_alloc_unbound(0, &port);
	xsnprintf(val, sizeof(val), "%u", port);
	if (rc || xs_write("data/pingpong-port", val) < 0) {
		xtest_result("evtchn-upcall", "FAIL", "cannot publish a port rc=%ld", rc);
		return;
	}
	/*
	 * Wait with interrupts on, halted: only the upcall wakes us (the host
	 * binds, then sends).  Bounded, so a lost upcall fails the test.
	 */
	if (!upcall_wait_port(port, rdtsc() + (uint64_t)env->tsc_khz * 20000) ||
	    !upcall_count) {
		xtest_result("evtchn-upcall", "FAIL", "no upcall in 20 s (upcalls=%u)",
			     upcall_count);
		return;
	}
	/* N round trips woken by the upcall (no SCHEDOP_poll): the host answers. */
	n = arg_count(env->args, 1);
	t0 = rdtsc();
	for (i = 0; i < n; i++) {
		evtchn_send(port);
		if (!upcall_wait_port(port, rdtsc() + (uint64_t)env->tsc_khz * 20000))
			break;
	}
	t1 = rdtsc();
	xtest_result("evtchn-upcall", i == n ? "PASS" : "FAIL",
		     "upcalls=%u rtt_ns=%lu n=%lu", upcall_count,
		     (unsigned long)((t1 - t0) * 1000000 / env->tsc_khz / n), n);
}
