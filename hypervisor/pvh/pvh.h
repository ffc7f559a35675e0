/*
 * PVH guests: the pieces of the Xen ABI a PVH guest sees beyond hypercalls —
 * the CPUID leaves 0x40000000.., the hypercall-page MSR and its stubs, the
 * entry state, and the 0xe9 debug port.  See pvh.c for how the PVH entry
 * maps onto this host's KVM.
 */
#ifndef XENHV_PVH_H
#define XENHV_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "../xenhv.h"

#define PVH_HYPERCALL_MSR 0x40000000u
#define PVH_DEBUG_PORT 0xe9
#define PVH_XEN_MAJOR 4
#define PVH_XEN_MINOR 17
#define PVH_HYPERCALL_STUB_SIZE 32

struct pvh_cpuid_leaf {
	uint32_t function, index;
	uint32_t eax, ebx, ecx, edx;
	bool has_index;
};

/* The hypervisor leaves for vCPU vcpu_id of domain domid; returns how many. */
size_t pvh_cpuid_leaves(struct pvh_cpuid_leaf *out, size_t max, unsigned int domid,
			unsigned int vcpu_id, uint32_t tsc_khz);
/* Fill a 4 KiB hypercall page with stubs that exit to xenhv. */
void pvh_hypercall_page_fill(uint8_t *page);
/* A write to one of the hypercall-page MSRs: -EINVAL makes it #GP. */
int pvh_msr_write(struct vcpu *v, uint32_t index, uint64_t value);
/* Bytes a guest printed (console_io, port 0xe9): to the console ring and log. */
void pvh_console_write(struct domain *d, const char *s, size_t len);

#endif
