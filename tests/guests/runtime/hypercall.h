/*
 * Hypercall wrappers of the test-guest runtime: a call into the hypercall
 * page slot nr*32 with Xen's 64-bit register convention (rdi, rsi, rdx,
 * r10, r8; result in rax).  The page is filled by the hypervisor when
 * xen_hypercall_init writes its address to the MSR CPUID names.
 */
#ifndef XTEST_HYPERCALL_H
#define XTEST_HYPERCALL_H

#include <stdint.h>

#include <xen/xen.h>

extern uint8_t hypercall_page[4096];

/*
 * A direct call to the slot (nr must be a compile-time constant), as Linux
 * does: every instruction counts where ring-0 guest code is emulated.
 */
#define xen_hypercall5(nr, a1, a2, a3, a4, a5)                               \
	({                                                                   \
		register unsigned long __r10 __asm__("r10") =                \
			(unsigned long)(a4);                                 \
		register unsigned long __r8 __asm__("r8") =                  \
			(unsigned long)(a5);                                 \
		unsigned long __a1 = (unsigned long)(a1),                    \
			      __a2 = (unsigned long)(a2),                    \
			      __a3 = (unsigned long)(a3);                    \
		long __ret;                                                  \
		__asm__ volatile("call hypercall_page + %c[off]"             \
				 : "=a"(__ret), "+D"(__a1), "+S"(__a2),      \
				   "+d"(__a3), "+r"(__r10), "+r"(__r8)       \
				 : [off] "i"((nr) * 32)                      \
				 : "rcx", "r9", "r11", "memory");            \
		__ret;                                                       \
	})

/* Any hypercall number at run time (hostile tests): through a register. */
static inline long xen_hypercall_any(unsigned int nr, unsigned long a1,
				     unsigned long a2, unsigned long a3,
				     unsigned long a4, unsigned long a5)
{
	register unsigned long r10 __asm__("r10") = a4;
	register unsigned long r8 __asm__("r8") = a5;
	unsigned long entry = (unsigned long)hypercall_page + (nr % 128) * 32;
	long ret;

	__asm__ volatile("call *%[entry]"
			 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10),
			   "+r"(r8)
			 : [entry] "r"(entry)
			 : "rcx", "r9", "r11", "memory");
	return ret;
}

#define xen_hypercall2(nr, a1, a2) \
	xen_hypercall5(nr, (unsigned long)(a1), (unsigned long)(a2), 0, 0, 0)
#define xen_hypercall3(nr, a1, a2, a3)                                      \
	xen_hypercall5(nr, (unsigned long)(a1), (unsigned long)(a2),        \
		       (unsigned long)(a3), 0, 0)

static inline long HYPERVISOR_console_io(int cmd, int count, const char *buf)
{
	return xen_hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}

static inline long HYPERVISOR_sched_op(int cmd, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

static inline long HYPERVISOR_xen_version(int cmd, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

static inline long HYPERVISOR_memory_op(unsigned int cmd, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline long HYPERVISOR_hvm_op(int op, void *arg)
{
	return xen_hypercall2(__HYPERVISOR_hvm_op, op, arg);
}

static inline long HYPERVISOR_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return xen_hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

/* Find the Xen CPUID leaves, fill the hypercall page.  0 or -1. */
int xen_hypercall_init(void);
/* TSC frequency from Xen's time leaf, 0 if unknown. */
uint32_t xen_tsc_khz(void);

#endif
