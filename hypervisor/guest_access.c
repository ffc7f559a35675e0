/*
 * A vCPU's view of memory: hypercall arguments are guest virtual addresses,
 * translated here through the guest's own page tables (read from its RAM,
 * each entry read once) the way the CPU would: paging off, 2-level 32-bit,
 * PAE, 4- and 5-level long mode, with large pages.  Copies are split at page
 * boundaries since neighbouring virtual pages need not be neighbours in RAM.
 */
#include <errno.h>
#include <string.h>

#include "hypercall.h"

#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)
#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_PS (1ull << 7)
#define PTE_ADDR 0x000ffffffffff000ull

static int read_pte(const struct domain_memory *mem, uint64_t gpa, unsigned int size, uint64_t *pte)
{
	const void *p = memory_gpa_ptr(mem, gpa, size);
	uint32_t v32;

	if (!p)
		return -EFAULT;
	if (size == 8) {
		memcpy(pte, p, 8);
	} else {
		memcpy(&v32, p, 4);
		*pte = v32;
	}
	return 0;
}

int guest_translate(const struct domain_memory *mem, const struct vcpu_regs *regs, uint64_t va,
		    bool write, uint64_t *gpa)
{
	uint64_t table, pte;
	int level, levels, shift;

	if (!(regs->cr0 & CR0_PG)) {
		*gpa = regs->long_mode ? va : (uint32_t)va;
		return 0;
	}
	if (!(regs->cr4 & CR4_PAE)) {
		/* 2-level 32-bit paging. */
		table = regs->cr3 & 0xfffff000ull;
		va = (uint32_t)va;
		if (read_pte(mem, table + ((va >> 22) & 0x3ff) * 4, 4, &pte))
			return -EFAULT;
		if (!(pte & PTE_P) || (write && !(pte & PTE_W)))
			return -EFAULT;
		if ((pte & PTE_PS) && (regs->cr4 & CR4_PSE)) {
			*gpa = (pte & 0xffc00000ull) | (va & 0x3fffff);
			return 0;
		}
		table = pte & 0xfffff000ull;
		if (read_pte(mem, table + ((va >> 12) & 0x3ff) * 4, 4, &pte))
			return -EFAULT;
		if (!(pte & PTE_P) || (write && !(pte & PTE_W)))
			return -EFAULT;
		*gpa = (pte & 0xfffff000ull) | (va & 0xfff);
		return 0;
	}
	if (regs->efer & EFER_LMA) {
		levels = (regs->cr4 & CR4_LA57) ? 5 : 4;
		table = regs->cr3 & PTE_ADDR;
	} else {
		/* PAE: 4 PDPTEs at cr3 (32-byte aligned). */
		va = (uint32_t)va;
		levels = 3;
		table = regs->cr3 & 0xffffffe0ull;
		if (read_pte(mem, table + ((va >> 30) & 3) * 8, 8, &pte))
			return -EFAULT;
		if (!(pte & PTE_P))
			return -EFAULT;
		table = pte & PTE_ADDR;
		levels = 2;
	}
	for (level = levels; level >= 1; level--) {
		shift = 12 + 9 * (level - 1);
		if (read_pte(mem, table + ((va >> shift) & 0x1ff) * 8, 8, &pte))
			return -EFAULT;
		if (!(pte & PTE_P) || (write && !(pte & PTE_W)))
			return -EFAULT;
		if (level > 1 && level <= 3 && (pte & PTE_PS)) {
			uint64_t mask = (1ull << shift) - 1;

			*gpa = (pte & PTE_ADDR & ~mask) | (va & mask);
			return 0;
		}
		table = pte & PTE_ADDR;
	}
	*gpa = table | (va & 0xfff);
	return 0;
}

static int vcpu_access_copy(void *opaque, uint64_t addr, void *buf, size_t len, bool write)
{
	struct vcpu_access *va = opaque;
	const struct domain_memory *mem = &va->d->mem;

	while (len) {
		size_t chunk = 4096 - (addr & 0xfff);
		uint64_t gpa;
		uint8_t *p;

		if (chunk > len)
			chunk = len;
		if (guest_translate(mem, va->regs, addr, write, &gpa))
			return -EFAULT;
		p = memory_gpa_ptr(mem, gpa, chunk);
		if (!p)
			return -EFAULT;
		if (write)
			memcpy(p, buf, chunk);
		else
			memcpy(buf, p, chunk);
		addr += chunk;
		buf = (uint8_t *)buf + chunk;
		len -= chunk;
	}
	return 0;
}

static int vcpu_access_read(void *opaque, uint64_t addr, void *dst, size_t len)
{
	return vcpu_access_copy(opaque, addr, dst, len, false);
}

static int vcpu_access_write(void *opaque, uint64_t addr, const void *src, size_t len)
{
	return vcpu_access_copy(opaque, addr, (void *)src, len, true);
}

void vcpu_access_init(struct guest_access *ga, struct vcpu_access *va, struct domain *d,
		      const struct vcpu_regs *regs)
{
	va->d = d;
	va->regs = regs;
	ga->read = vcpu_access_read;
	ga->write = vcpu_access_write;
	ga->opaque = va;
}
