/* Finding the hypervisor: Xen's CPUID leaves and the hypercall page. */
#include "hypercall.h"
#include "xtest.h"

static uint32_t xen_cpuid_base;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
			 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

int xen_hypercall_init(void)
{
	uint32_t r[4], base, msr;
	uint64_t addr = (uint64_t)(unsigned long)hypercall_page;

	/* As Linux does: look for the signature every 0x100 leaves. */
	for (base = 0x40000000; base < 0x40010000; base += 0x100) {
		cpuid(base, 0, r);
		if (r[1] == 0x566e6558 && r[2] == 0x65584d4d &&
		    r[3] == 0x4d4d566e && r[0] - base >= 2)
			break;
	}
	if (base >= 0x40010000)
		return -1;
	xen_cpuid_base = base;
	cpuid(base + 2, 0, r);
	msr = r[1];
	/* Identity-mapped: the page's virtual address is its physical one. */
	__asm__ volatile("wrmsr"
			 :
			 : "c"(msr), "a"((uint32_t)addr),
			   "d"((uint32_t)(addr >> 32)));
	return 0;
}

uint32_t xen_tsc_khz(void)
{
	uint32_t r[4];

	if (!xen_cpuid_base)
		return 0;
	cpuid(xen_cpuid_base + 3, 0, r);
	return r[2];
}
