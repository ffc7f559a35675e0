/* Xen's public ABI: the PVH start info (public/arch-x86/hvm/start_info.h). */
#ifndef KXEN_XEN_HVM_START_INFO_H
#define KXEN_XEN_HVM_START_INFO_H

#include <stdint.h>

/*
 * PVH entry state (XEN_ELFNOTE_PHYS32_ENTRY): 32-bit protected mode, paging
 * off; %ebx = physical address of struct hvm_start_info; CS flat 32-bit
 * code, DS/ES/SS flat 32-bit data, TR a 32-bit TSS; CR0.PE=1, CR4=0,
 * EFLAGS.IF=0.
 */
#define XEN_HVM_START_MAGIC_VALUE 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version; /* 0 or 1 (memory map) */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr; /* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* XEN_HVM_MEMMAP_TYPE_* (e820 values) */
	uint32_t reserved;
};

#define XEN_HVM_MEMMAP_TYPE_RAM 1
#define XEN_HVM_MEMMAP_TYPE_RESERVED 2
#define XEN_HVM_MEMMAP_TYPE_ACPI 3
#define XEN_HVM_MEMMAP_TYPE_NVS 4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE 5
#define XEN_HVM_MEMMAP_TYPE_DISABLED 6
#define XEN_HVM_MEMMAP_TYPE_PMEM 7

#endif
