/*
 * Event channels of the test guest: shared_info mapped into our own RAM
 * with XENMEM_add_to_physmap, the EVTCHNOP calls the tests use, and
 * waiting for one port with SCHEDOP_poll.  Ring-0 code is slow on the
 * development hosts (emulated), so the paths are short.
 */
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>

#include "evtchn.h"
#include "xtest.h"

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)

static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));
struct shared_info *xen_shared_info;

long xen_events_init(void)
{
	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF,
		.space = XENMAPSPACE_shared_info,
		.idx = 0,
		/* Identity-mapped: the virtual address is the physical one. */
		.gpfn = (unsigned long)shared_info_page >> 12,
	};
	long rc;

	if (xen_shared_info)
		return 0;
	rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp);
	if (rc == 0)
		xen_shared_info = (struct shared_info *)shared_info_page;
	return rc;
}

uint64_t xen_hvm_param(unsigned int index)
{
	struct xen_hvm_param p = { .domid = DOMID_SELF, .index = index };

	if (HYPERVISOR_hvm_op(HVMOP_get_param, &p))
		return 0;
	return p.value;
}

long evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF,
					   .remote_dom = remote };
	long rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &op);

	if (rc == 0)
		*port = op.port;
	return rc;
}

long evtchn_send(evtchn_port_t port)
{
	struct evtchn_send op = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

long evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = { .port = port };

	return HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
}

bool evtchn_test_and_clear(evtchn_port_t port)
{
	xen_ulong_t bit = (xen_ulong_t)1 << (port % BITS_PER_WORD);
	xen_ulong_t *word = &xen_shared_info->evtchn_pending[port / BITS_PER_WORD];

	if (!(__atomic_load_n(word, __ATOMIC_ACQUIRE) & bit))
		return false;
	return (__atomic_fetch_and(word, ~bit, __ATOMIC_SEQ_CST) & bit) != 0;
}

void evtchn_wait(evtchn_port_t port)
{
	struct sched_poll poll = { .nr_ports = 1, .timeout = 0 };

	set_xen_guest_handle(poll.ports, &port);
	while (!evtchn_test_and_clear(port))
		HYPERVISOR_sched_op(SCHEDOP_poll, &poll);
	/* The upcall flag is ours to clear: we take events by polling. */
	xen_shared_info->vcpu_info[0].evtchn_upcall_pending = 0;
}
