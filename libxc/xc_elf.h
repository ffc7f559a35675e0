/*
 * ELF parsing for the domain builders: loadable segments and Xen's ELF
 * notes (from PT_NOTE program headers, else SHT_NOTE sections), for 32-
 * and 64-bit x86 images.  Pure: no I/O, every offset checked against the
 * image size (the parser is fuzzed).
 */
#ifndef XC_ELF_H
#define XC_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XC_ELF_MAX_SEGMENTS 32

struct xc_elf_segment {
	uint64_t paddr, vaddr;
	uint64_t offset, filesz, memsz;
};

struct xc_elf_info {
	bool is64;
	uint64_t e_entry;
	unsigned int nr_segments;
	struct xc_elf_segment segments[XC_ELF_MAX_SEGMENTS];
	uint64_t pstart, pend; /* physical range the segments cover */
	bool has_xen_notes;
	bool has_phys32_entry;
	uint32_t phys32_entry; /* XEN_ELFNOTE_PHYS32_ENTRY */
	bool has_entry;
	uint64_t entry; /* XEN_ELFNOTE_ENTRY (PV) */
	bool has_hypercall_page;
	uint64_t hypercall_page; /* XEN_ELFNOTE_HYPERCALL_PAGE (PV) */
	uint64_t virt_base; /* XEN_ELFNOTE_VIRT_BASE */
	char guest_os[32];
};

/* 0, or -ENOEXEC (not an x86 ELF image) / -EINVAL (inconsistent). */
int xc_elf_parse(const uint8_t *image, size_t size, struct xc_elf_info *info);

#endif
