/*
 * The test guest's side of Xen's PV control protocol and of the console's
 * input, as a Linux guest with PV drivers speaks them.
 *
 * control/shutdown: the toolstack writes "poweroff", "reboot" or "suspend"
 * there (libxl_domain_shutdown and friends); the guest, which watches the
 * node, acknowledges by writing "" and then calls SCHEDOP_shutdown with the
 * matching reason.  The guest advertises what it understands in
 * control/feature-*, which is how a toolstack tells a PV-aware guest from
 * one that would ignore the request.
 *
 * The xenstore ring is shared with ring.c's client, which queues watch
 * events that arrive while a program waits for a reply, and drops them
 * when its queue is full.  So control_poll does not count on seeing our
 * watch's event: it re-reads control/shutdown whenever the response ring
 * moved since it last looked (any event, any reply), which catches every
 * write the watch would have told us about.
 *
 * Waiting is SCHEDOP_poll on the event channels, with interrupts off as
 * everywhere in this runtime: pending bits are cleared after each wake-up
 * and before the caller checks its rings again, so an event that comes in
 * between leaves its bit set and the next poll returns at once.
 */
#include <xen/hvm/params.h>
#include <xen/io/console.h>
#include <xen/io/xs_wire.h>
#include <xen/sched.h>

#include "control.h"
#include "evtchn.h"
#include "xtest.h"

#define CONTROL_MAX_PORTS 8

static volatile struct xenstore_domain_interface *control_xs;
static evtchn_port_t control_xs_port;
static uint32_t control_seen; /* rsp_cons after our last read of the node */
static bool control_stale = true; /* the node must be read on the next poll */

static volatile struct xencons_interface *console_in;
static evtchn_port_t console_port;

/* A ring page the toolstack named in an HVM param (identity-mapped, < 4 GiB). */
static void *control_param_page(unsigned int param)
{
	uint64_t pfn = xen_hvm_param(param);

	if (!pfn || pfn >= (1ull << 20))
		return NULL;
	return (void *)(unsigned long)(pfn << 12);
}

int control_init(void)
{
	static const char *const features[] = { "control/feature-poweroff",
						"control/feature-reboot",
						"control/feature-suspend" };
	unsigned int i;

	if (!xs_ring_ready())
		return -1;
	control_xs = control_param_page(HVM_PARAM_STORE_PFN);
	control_xs_port = (evtchn_port_t)xen_hvm_param(HVM_PARAM_STORE_EVTCHN);
	if (!control_xs || !control_xs_port)
		return -1;
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (xs_write(features[i], "1") < 0)
			xprintf("xtest: control: cannot write %s\n", features[i]);
	if (xs_watch("control/shutdown", "control") < 0)
		return -1;
	control_stale = true;
	return 0;
}

/* Watch events (ours or a program's) still in the ring: read them off. */
static void control_drain_ring(void)
{
	char ev[128];

	while (__atomic_load_n(&control_xs->rsp_prod, __ATOMIC_ACQUIRE) !=
	       control_xs->rsp_cons)
		if (xs_read_watch(ev, sizeof(ev)) < 0)
			break;
}

int control_poll(void)
{
	static const struct {
		const char *request;
		int reason;
	} requests[] = {
		{ "poweroff", SHUTDOWN_poweroff },
		{ "halt", SHUTDOWN_poweroff },
		{ "reboot", SHUTDOWN_reboot },
		{ "suspend", SHUTDOWN_suspend },
	};
	char val[64];
	unsigned int i;
	long n;

	if (!control_xs)
		return -1;
	if (!control_stale &&
	    __atomic_load_n(&control_xs->rsp_prod, __ATOMIC_ACQUIRE) == control_seen)
		return -1;
	control_drain_ring();
	n = xs_read("control/shutdown", val, sizeof(val));
	/* Anything after this reply is news for the next poll. */
	control_seen = control_xs->rsp_cons;
	control_stale = false;
	if (n <= 0)
		return -1;
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
		if (!xstrcmp(val, requests[i].request))
			break;
	if (i == sizeof(requests) / sizeof(requests[0])) {
		/* Linux: "Ignoring shutdown request", left for the toolstack. */
		xprintf("xtest: control: ignoring shutdown request: %s\n", val);
		return -1;
	}
	/*
	 * Linux acknowledges inside a transaction; this client has none, so a
	 * second request written between our read and this write is lost,
	 * which a toolstack retrying after its timeout tolerates.
	 */
	xs_write("control/shutdown", "");
	control_stale = true;
	return requests[i].reason;
}

void control_act(const char *name, int reason)
{
	static const char *const names[] = { "poweroff", "reboot", "suspend" };
	struct sched_shutdown s = { .reason = SHUTDOWN_suspend };
	long rc;

	if (reason < 0 || reason > SHUTDOWN_suspend)
		return;
	xtest_result(name, "PASS", "asked to %s", names[reason]);
	if (reason != SHUTDOWN_suspend) {
		xputs("xtest: done\n");
		xtest_shutdown((unsigned int)reason);
	}
	xen_console_ring_flush();
	/* Returns when resumed: 1 when the suspend was cancelled, as on Xen. */
	rc = HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
	xprintf("xtest: %s: resumed rc=%ld\n", name, rc);
	control_stale = true;
}

/* System time (ns) from our vcpu_time_info, 0 while xenhv publishes none. */
static uint64_t control_system_time(void)
{
	volatile struct vcpu_time_info *t;
	uint32_t version, mul;
	uint64_t delta, sys;
	int8_t shift;

	if (!xen_shared_info)
		return 0;
	t = &xen_shared_info->vcpu_info[0].time;
	do {
		version = t->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		delta = rdtsc() - t->tsc_timestamp;
		sys = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((version & 1) || version != t->version);
	if (!version || !mul)
		return 0;
	delta = shift < 0 ? delta >> -shift : delta << shift;
	return sys + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

/* Clears every port's pending bit; whether one was set. */
static bool control_take_events(const evtchn_port_t *ports, unsigned int nr)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < nr; i++)
		any |= evtchn_test_and_clear(ports[i]);
	/* The upcall flag is ours to clear: we take events by polling. */
	xen_shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
	return any;
}

bool control_wait(const evtchn_port_t *ports, unsigned int nr, uint64_t timeout_ns)
{
	evtchn_port_t all[CONTROL_MAX_PORTS];
	struct sched_poll poll = { .timeout = 0 };
	uint64_t now, tsc_deadline = 0;
	uint32_t khz = xen_tsc_khz();
	unsigned int n = 0, i;

	if (xen_events_init())
		return false;
	if (control_xs_port)
		all[n++] = control_xs_port;
	if (console_port)
		all[n++] = console_port;
	for (i = 0; ports && i < nr && n < CONTROL_MAX_PORTS; i++)
		all[n++] = ports[i];
	if (!n)
		return false;
	if (timeout_ns) {
		/* The TSC bounds the wait even if xenhv's timeout is late or absent. */
		tsc_deadline = rdtsc() + timeout_ns / 1000 * (khz ? khz : 1000000) / 1000;
		now = control_system_time();
		poll.timeout = now ? now + timeout_ns : 0;
	}
	set_xen_guest_handle(poll.ports, all);
	poll.nr_ports = n;
	for (;;) {
		if (control_take_events(all, n))
			return true;
		if (timeout_ns && rdtsc() >= tsc_deadline)
			return false;
		if (timeout_ns && !poll.timeout)
			HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
		else
			HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
	}
}

int console_input_init(void)
{
	uint64_t port = xen_hvm_param(HVM_PARAM_CONSOLE_EVTCHN);
	void *page = control_param_page(HVM_PARAM_CONSOLE_PFN);

	if (!page || !port || xen_events_init())
		return -1;
	console_in = page;
	console_port = (evtchn_port_t)port;
	return 0;
}

size_t console_input_read(char *buf, size_t cap)
{
	volatile struct xencons_interface *r = console_in;
	uint32_t cons, prod, avail, i;

	if (!r)
		return 0;
	cons = r->in_cons;
	prod = __atomic_load_n(&r->in_prod, __ATOMIC_ACQUIRE);
	avail = prod - cons;
	/* More than a ring's worth is a broken index: take nothing. */
	if (avail == 0 || avail > sizeof(r->in))
		return 0;
	for (i = 0; i < avail && i < cap; i++)
		buf[i] = r->in[MASK_XENCONS_IDX(cons + i, r->in)];
	__atomic_store_n(&r->in_cons, cons + i, __ATOMIC_RELEASE);
	/* xenconsoled may be waiting for room. */
	evtchn_send(console_port);
	return i;
}
