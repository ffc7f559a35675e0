/*
 * PVH on KVM.
 *
 * The PVH ABI (XEN_ELFNOTE_PHYS32_ENTRY) enters the guest in 32-bit
 * protected mode with paging off, %ebx pointing at hvm_start_info.  KVM
 * takes that state directly through KVM_SET_SREGS (CR0.PE, flat 32-bit
 * CS/DS/SS, no paging), also on the development hosts' PVM-style software
 * KVM, which emulates CPL0 code: a prototype entered 32-bit protected mode,
 * took the guest through its own switch to long mode, and trapped the MSR
 * write, so the guest sees Xen's PVH ABI unchanged.
 *
 * Hypercalls: KVM_CAP_XEN_HVM (in-kernel Xen hypercall interception) is
 * absent on these hosts and vmcall goes to KVM's own ABI, so xenhv traps the
 * hypercall-page MSR (0x40000000, advertised in CPUID leaf 0x40000002) with
 * a KVM MSR filter and user-space MSR exits, and fills the page the guest
 * names with 32-byte stubs, entry = page + nr * 32, each
 *     out %eax, $XENHV_HYPERCALL_PORT ; ret
 * The hypercall number is the slot: the page is 4 KiB aligned in guest
 * virtual and physical memory alike, so nr = (rip & 0xfff) / 32 at the exit
 * (rip at or just past the out).  No "mov $nr, %eax" as in Xen's stubs:
 * where ring-0 guest code is emulated each instruction costs ~1 us, and
 * eax is the result register anyway.  The arguments are in the registers of
 * Xen's hypercall ABI (rdi, rsi, rdx, r10, r8 in 64-bit mode; ebx, ecx,
 * edx, esi, edi in 32-bit mode) and the result goes back in rax.  The stubs
 * are the same bytes in both modes.  Slot 23 (iret, PV only) is ud2, as Xen
 * fills it for HVM guests.
 */
#include <errno.h>
#include <string.h>

#include <xen/xen.h>
#include <xen/sys/privcmd.h>

#include "pvh.h"

size_t pvh_cpuid_leaves(struct pvh_cpuid_leaf *out, size_t max, unsigned int domid,
			unsigned int vcpu_id, uint32_t tsc_khz)
{
	struct pvh_cpuid_leaf leaves[] = {
		{ XEN_CPUID_LEAF(0), 0, XEN_CPUID_LEAF(XEN_CPUID_MAX_NUM_LEAVES),
		  XEN_CPUID_SIGNATURE_EBX, XEN_CPUID_SIGNATURE_ECX, XEN_CPUID_SIGNATURE_EDX,
		  false },
		{ XEN_CPUID_LEAF(1), 0, (PVH_XEN_MAJOR << 16) | PVH_XEN_MINOR, 0, 0, 0, false },
		/* One hypercall page, MSR base, no optional features. */
		{ XEN_CPUID_LEAF(2), 0, 1, PVH_HYPERCALL_MSR, 0, 0, false },
		/* Time: subleaf 0 = tsc mode (0: default) and khz, 2 = khz. */
		{ XEN_CPUID_LEAF(3), 0, 0, 0, tsc_khz, 0, true },
		{ XEN_CPUID_LEAF(3), 1, 0, 0, 0, 0, true },
		{ XEN_CPUID_LEAF(3), 2, tsc_khz, 0, 0, 0, true },
		{ XEN_CPUID_LEAF(4), 0,
		  XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT |
			  XEN_HVM_CPUID_UPCALL_VECTOR,
		  vcpu_id, domid, 0, false },
		/* PV-specific leaf: nothing for PVH. */
		{ XEN_CPUID_LEAF(5), 0, 0, 0, 0, 0, false },
	};
	size_t n = sizeof(leaves) / sizeof(leaves[0]);

	if (n > max)
		n = max;
	memcpy(out, leaves, n * sizeof(leaves[0]));
	return n;
}

void pvh_hypercall_page_fill(uint8_t *page)
{
	unsigned int nr;

	memset(page, 0xcc, 4096); /* int3 between stubs */
	for (nr = 0; nr < XEN_HYPERCALL_PAGE_SLOTS; nr++) {
		uint8_t *p = page + nr * PVH_HYPERCALL_STUB_SIZE;

		if (nr == __HYPERVISOR_iret) {
			p[0] = 0x0f; /* ud2 */
			p[1] = 0x0b;
			continue;
		}
		p[0] = 0xe7; /* out %eax, $port */
		p[1] = XENHV_HYPERCALL_PORT;
		p[2] = 0xc3; /* ret */
	}
}

int pvh_msr_write(struct vcpu *v, uint32_t index, uint64_t value)
{
	struct domain *d = v->domain;
	uint64_t gpa = value & ~0xfffull;
	uint8_t *page;

	if (index != PVH_HYPERCALL_MSR)
		return -EINVAL;
	/* Low bits select the page within the range: we offer one page. */
	if (value & 0xfff)
		return -EINVAL;
	page = memory_gpa_ptr(&d->mem, gpa, 4096);
	if (!page) {
		hv_log(d->hv, "domain %u: hypercall page at %#llx not RAM", d->domid,
		       (unsigned long long)gpa);
		return -EINVAL;
	}
	pvh_hypercall_page_fill(page);
	d->hypercall_page_gpa = gpa;
	return 0;
}

static void pvh_console_emit(void *opaque, const char *line)
{
	struct domain *d = opaque;

	/* hv_log adds its own newline and puts the line in the ring again. */
	hv_log_line(d->hv, line);
}

void pvh_console_write(struct domain *d, const char *s, size_t len)
{
	hv_console_guest_write(&d->hv->console, &d->console_line, d->domid, s, len, xenhv_now_ns(),
			       pvh_console_emit, d);
}
