/*
 * The test guest's PV console ring writer and xenstore ring client, on the
 * pages and event channels the toolstack advertised in HVM params, as a
 * PVH Linux finds them.  Indexes are free-running 32-bit counters masked
 * into the ring; the other end's index is read once per pass and a value
 * that claims more than a ring's worth is treated as "no progress" rather
 * than trusted.  Waiting is evtchn_wait() on the ring's port: the daemon
 * notifies us when it consumed or produced.
 */
#include <xen/hvm/params.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include <xen/sched.h>

#include "evtchn.h"
#include "xtest.h"

static volatile struct xencons_interface *cons_ring;
static evtchn_port_t cons_port;
static volatile struct xenstore_domain_interface *xs_ring;
static evtchn_port_t xs_port;
static uint32_t xs_req_id;

/* Queued watch events (read while waiting for a reply). */
#define XS_WATCH_QUEUE 4
static char xs_watch_buf[XS_WATCH_QUEUE][256];
static unsigned int xs_watch_len[XS_WATCH_QUEUE];
static unsigned int xs_watch_head, xs_watch_count;

static void *ring_page(unsigned int param_pfn)
{
	uint64_t pfn = xen_hvm_param(param_pfn);

	/* Our page tables map the first 4 GiB only. */
	if (!pfn || pfn >= (1ull << 20))
		return NULL;
	return (void *)(unsigned long)(pfn << 12);
}

int xen_console_ring_init(void)
{
	uint64_t port = xen_hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
	void *page = ring_page(HVM_PARAM_CONSOLE_PFN);

	if (!page || !port || xen_events_init())
		return -1;
	cons_port = (evtchn_port_t)port;
	cons_ring = page;
	return 0;
}

bool xen_console_ring_ready(void)
{
	return cons_ring != NULL;
}

void xen_console_ring_write(const char *s, size_t len)
{
	volatile struct xencons_interface *r = cons_ring;

	while (r && len) {
		uint32_t prod = r->out_prod;
		uint32_t cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
		uint32_t used = prod - cons, space, i;

		if (used >= sizeof(r->out)) {
			/* Full (or a bogus index): wait for xenconsoled. */
			evtchn_send(cons_port);
			evtchn_wait(cons_port);
			continue;
		}
		space = sizeof(r->out) - used;
		for (i = 0; i < space && i < len; i++)
			r->out[MASK_XENCONS_IDX(prod + i, r->out)] = s[i];
		__atomic_store_n(&r->out_prod, prod + i, __ATOMIC_RELEASE);
		s += i;
		len -= i;
		evtchn_send(cons_port);
	}
}

int xs_ring_init(void)
{
	uint64_t port = xen_hvm_param(HVM_PARAM_STORE_EVTCHN);
	void *page = ring_page(HVM_PARAM_STORE_PFN);

	if (!page || !port || xen_events_init())
		return -1;
	xs_port = (evtchn_port_t)port;
	xs_ring = page;
	return 0;
}

bool xs_ring_ready(void)
{
	return xs_ring != NULL;
}

static void xs_put(const void *data, size_t len)
{
	volatile struct xenstore_domain_interface *r = xs_ring;
	const char *p = data;

	while (len) {
		uint32_t prod = r->req_prod;
		uint32_t cons = __atomic_load_n(&r->req_cons, __ATOMIC_ACQUIRE);
		uint32_t used = prod - cons, i;

		if (used >= XENSTORE_RING_SIZE) {
			evtchn_send(xs_port);
			evtchn_wait(xs_port);
			continue;
		}
		for (i = 0; i < XENSTORE_RING_SIZE - used && i < len; i++)
			r->req[MASK_XENSTORE_IDX(prod + i)] = p[i];
		__atomic_store_n(&r->req_prod, prod + i, __ATOMIC_RELEASE);
		p += i;
		len -= i;
		evtchn_send(xs_port);
	}
}

/* Read exactly len bytes of replies; dst NULL discards them. */
static void xs_get(void *dst, size_t len)
{
	volatile struct xenstore_domain_interface *r = xs_ring;
	char *p = dst;

	while (len) {
		uint32_t cons = r->rsp_cons;
		uint32_t prod = __atomic_load_n(&r->rsp_prod, __ATOMIC_ACQUIRE);
		uint32_t avail = prod - cons, i;

		if (avail == 0 || avail > XENSTORE_RING_SIZE) {
			evtchn_wait(xs_port);
			continue;
		}
		for (i = 0; i < avail && i < len; i++)
			if (p)
				p[i] = r->rsp[MASK_XENSTORE_IDX(cons + i)];
		__atomic_store_n(&r->rsp_cons, cons + i, __ATOMIC_RELEASE);
		if (p)
			p += i;
		len -= i;
		evtchn_send(xs_port);
	}
}

/* One message from the ring: header, payload (truncated to cap - 1). */
static long xs_get_msg(struct xsd_sockmsg *hdr, char *buf, size_t cap)
{
	size_t keep;

	xs_get(hdr, sizeof(*hdr));
	if (hdr->len > XENSTORE_PAYLOAD_MAX)
		return -2; /* the daemon broke the protocol */
	keep = hdr->len < cap - 1 ? hdr->len : cap - 1;
	xs_get(buf, keep);
	xs_get(NULL, hdr->len - keep);
	buf[keep] = '\0';
	return (long)keep;
}

long xs_request(uint32_t type, const char *const parts[], unsigned int nr,
		char *reply, size_t cap)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = ++xs_req_id };
	unsigned int i;
	long n;

	if (!xs_ring || cap < 2)
		return -2;
	for (i = 0; i < nr; i++)
		hdr.len += (uint32_t)xstrlen(parts[i]) + 1;
	/* Xen's write: the value is not NUL-terminated. */
	if (type == XS_WRITE && nr)
		hdr.len--;
	xs_put(&hdr, sizeof(hdr));
	for (i = 0; i < nr; i++) {
		size_t len = xstrlen(parts[i]) + 1;

		if (type == XS_WRITE && i == nr - 1)
			len--;
		xs_put(parts[i], len);
	}
	for (;;) {
		struct xsd_sockmsg rhdr;

		n = xs_get_msg(&rhdr, reply, cap);
		if (n < 0)
			return n;
		if (rhdr.type == XS_WATCH_EVENT) {
			unsigned int slot;

			if (xs_watch_count == XS_WATCH_QUEUE)
				continue; /* the test reads them; drop extras */
			slot = (xs_watch_head + xs_watch_count) % XS_WATCH_QUEUE;
			memcpy(xs_watch_buf[slot], reply,
			       (size_t)n + 1 < sizeof(xs_watch_buf[slot]) ?
				       (size_t)n + 1 :
				       sizeof(xs_watch_buf[slot]));
			xs_watch_len[slot] = (unsigned int)n;
			xs_watch_count++;
			continue;
		}
		if (rhdr.req_id != hdr.req_id)
			continue;
		return rhdr.type == XS_ERROR ? -1 : n;
	}
}

long xs_read(const char *path, char *buf, size_t cap)
{
	const char *parts[] = { path };

	return xs_request(XS_READ, parts, 1, buf, cap);
}

long xs_write(const char *path, const char *value)
{
	const char *parts[] = { path, value };
	char reply[16];

	return xs_request(XS_WRITE, parts, 2, reply, sizeof(reply));
}

long xs_watch(const char *path, const char *token)
{
	const char *parts[] = { path, token };
	char reply[16];

	return xs_request(XS_WATCH, parts, 2, reply, sizeof(reply));
}

long xs_read_watch(char *buf, size_t cap)
{
	struct xsd_sockmsg hdr;
	long n;

	if (!xs_ring || cap < 2)
		return -2;
	if (xs_watch_count) {
		unsigned int slot = xs_watch_head;
		size_t len = xs_watch_len[slot] + 1 < cap ?
				     xs_watch_len[slot] + 1 :
				     cap;

		memcpy(buf, xs_watch_buf[slot], len);
		buf[len - 1] = '\0';
		xs_watch_head = (xs_watch_head + 1) % XS_WATCH_QUEUE;
		xs_watch_count--;
		return (long)len - 1;
	}
	do
		n = xs_get_msg(&hdr, buf, cap);
	while (n >= 0 && hdr.type != XS_WATCH_EVENT);
	return n;
}

void xen_console_ring_flush(void)
{
	uint32_t khz = xen_tsc_khz();
	uint64_t deadline = rdtsc() + (uint64_t)(khz ? khz : 1000000) * 2000;

	/* Bounded (2 s): the last lines before a shutdown reach xenconsoled. */
	while (cons_ring && cons_ring->out_cons != cons_ring->out_prod &&
	       rdtsc() < deadline)
		HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
}
