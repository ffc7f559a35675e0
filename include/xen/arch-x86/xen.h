/*
 * Xen's public ABI, x86 part (x86_64 guests and tools): guest handles,
 * xen_pfn_t, arch_vcpu_info, arch_shared_info, vcpu_guest_context and the
 * CPUID/MSR interface of the hypercall page.
 */
#ifndef KXEN_XEN_ARCH_X86_XEN_H
#define KXEN_XEN_ARCH_X86_XEN_H

#include <stdint.h>

/*
 * A guest handle is a pointer in the caller's address space: a guest
 * virtual address for a guest, a buffer address in the client process for
 * hypercalls carried by the privcmd socket.  On x86_64 it is 8 bytes.
 */
#define ___DEFINE_XEN_GUEST_HANDLE(name, type) \
	typedef struct {                       \
		type *p;                       \
	} __guest_handle_##name
#define __DEFINE_XEN_GUEST_HANDLE(name, type)   \
	___DEFINE_XEN_GUEST_HANDLE(name, type); \
	___DEFINE_XEN_GUEST_HANDLE(const_##name, const type)
#define DEFINE_XEN_GUEST_HANDLE(name) __DEFINE_XEN_GUEST_HANDLE(name, name)
#define __XEN_GUEST_HANDLE(name) __guest_handle_##name
#define XEN_GUEST_HANDLE(name) __XEN_GUEST_HANDLE(name)
#define XEN_GUEST_HANDLE_PARAM(name) XEN_GUEST_HANDLE(name)
#define set_xen_guest_handle_raw(hnd, val) \
	do {                               \
		(hnd).p = val;             \
	} while (0)
#define set_xen_guest_handle(hnd, val) set_xen_guest_handle_raw(hnd, val)
#define XEN_GUEST_HANDLE_64(name) XEN_GUEST_HANDLE(name)
#define uint64_aligned_t uint64_t
#define int64_aligned_t int64_t

typedef unsigned long xen_pfn_t;
typedef unsigned long xen_ulong_t;
typedef uint64_t xen_uint64_t;
#define PRI_xen_pfn "lx"
#define PRI_xen_ulong "lx"

__DEFINE_XEN_GUEST_HANDLE(uchar, unsigned char);
__DEFINE_XEN_GUEST_HANDLE(uint, unsigned int);
__DEFINE_XEN_GUEST_HANDLE(ulong, unsigned long);
DEFINE_XEN_GUEST_HANDLE(char);
DEFINE_XEN_GUEST_HANDLE(int);
DEFINE_XEN_GUEST_HANDLE(long);
DEFINE_XEN_GUEST_HANDLE(void);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);
DEFINE_XEN_GUEST_HANDLE(uint8_t);
DEFINE_XEN_GUEST_HANDLE(uint32_t);

struct arch_vcpu_info {
	unsigned long cr2;
	unsigned long pad; /* sizeof(vcpu_info_t) == 64 */
};
typedef struct arch_vcpu_info arch_vcpu_info_t;

struct arch_shared_info {
	unsigned long max_pfn;
	xen_pfn_t pfn_to_mfn_frame_list_list;
	unsigned long nmi_reason;
	unsigned long p2m_cr3;
	unsigned long p2m_vaddr;
	unsigned long p2m_generation;
};
typedef struct arch_shared_info arch_shared_info_t;

/* x86_64 user registers as in Xen's cpu_user_regs (xen-x86_64.h). */
struct cpu_user_regs {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi;
	uint32_t error_code;
	uint32_t entry_vector;
	uint64_t rip;
	uint16_t cs, _pad0[1];
	uint8_t saved_upcall_mask;
	uint8_t _pad1[3];
	uint64_t rflags;
	uint64_t rsp;
	uint16_t ss, _pad2[3];
	uint16_t es, _pad3[3];
	uint16_t ds, _pad4[3];
	uint16_t fs, _pad5[3];
	uint16_t gs, _pad6[3];
};
typedef struct cpu_user_regs cpu_user_regs_t;

struct trap_info {
	uint8_t vector;
	uint8_t flags;
	uint16_t cs;
	unsigned long address;
};
typedef struct trap_info trap_info_t;

/* vcpu_guest_context: the PV register frame (XEN_DOMCTL_setvcpucontext). */
struct vcpu_guest_context {
	struct {
		char x[512];
	} fpu_ctxt;
#define VGCF_I387_VALID (1 << 0)
#define VGCF_IN_KERNEL (1 << 2)
#define VGCF_failsafe_disables_events (1 << 3)
#define VGCF_syscall_disables_events (1 << 4)
#define VGCF_online (1 << 5)
	unsigned long flags;
	struct cpu_user_regs user_regs;
	struct trap_info trap_ctxt[256];
	unsigned long ldt_base, ldt_ents;
	unsigned long gdt_frames[16], gdt_ents;
	unsigned long kernel_ss, kernel_sp;
	unsigned long ctrlreg[8];
	unsigned long debugreg[8];
	unsigned long event_callback_eip;
	unsigned long failsafe_callback_eip;
	unsigned long syscall_callback_eip;
	unsigned long vm_assist;
	uint64_t fs_base;
	uint64_t gs_base_kernel;
	uint64_t gs_base_user;
};
typedef struct vcpu_guest_context vcpu_guest_context_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_guest_context_t);

struct xen_arch_domainconfig {
#define XEN_X86_EMU_LAPIC (1U << 0)
#define XEN_X86_EMU_HPET (1U << 1)
#define XEN_X86_EMU_PM (1U << 2)
#define XEN_X86_EMU_RTC (1U << 3)
#define XEN_X86_EMU_IOAPIC (1U << 4)
#define XEN_X86_EMU_PIC (1U << 5)
#define XEN_X86_EMU_VGA (1U << 6)
#define XEN_X86_EMU_IOMMU (1U << 7)
#define XEN_X86_EMU_PIT (1U << 8)
#define XEN_X86_EMU_USE_PIRQ (1U << 9)
#define XEN_X86_EMU_VPCI (1U << 10)
	uint32_t emulation_flags;
#define XEN_X86_MSR_RELAXED (1U << 0)
	uint32_t misc_flags;
};

#include "cpuid.h"

#endif
