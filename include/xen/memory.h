/* Xen's public ABI: the memory_op hypercall (public/memory.h). */
#ifndef KXEN_XEN_MEMORY_H
#define KXEN_XEN_MEMORY_H

#include "xen.h"

#define XENMEM_increase_reservation 0
#define XENMEM_decrease_reservation 1
#define XENMEM_populate_physmap 6
struct xen_memory_reservation {
	XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
	xen_ulong_t nr_extents;
	unsigned int extent_order;
#define XENMEMF_populate_on_demand (1 << 16)
	unsigned int mem_flags;
	domid_t domid;
};
typedef struct xen_memory_reservation xen_memory_reservation_t;

#define XENMEM_maximum_ram_page 2
#define XENMEM_current_reservation 3
#define XENMEM_maximum_reservation 4
#define XENMEM_maximum_gpfn 14
#define XENMEM_machphys_mfn_list 5
#define XENMEM_machphys_mapping 12

#define XENMEM_add_to_physmap 7
struct xen_add_to_physmap {
	domid_t domid;
	uint16_t size;
#define XENMAPSPACE_shared_info 0
#define XENMAPSPACE_grant_table 1
#define XENMAPSPACE_gmfn 2
#define XENMAPSPACE_gmfn_range 3
#define XENMAPSPACE_gmfn_foreign 4
#define XENMAPSPACE_dev_mmio 5
	unsigned int space;
#define XENMAPIDX_grant_table_status 0x80000000U
	xen_ulong_t idx;
	xen_pfn_t gpfn;
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;

#define XENMEM_memory_map 9
#define XENMEM_machine_memory_map 10
#define XENMEM_set_memory_map 13
struct xen_memory_map {
	unsigned int nr_entries;
	XEN_GUEST_HANDLE(void) buffer;
};
typedef struct xen_memory_map xen_memory_map_t;

/* An e820 entry as XENMEM_memory_map returns them (packed, 20 bytes). */
struct e820entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __attribute__((packed));
#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_UNUSABLE 5

#define XENMEM_get_sharing_freed_pages 18
#define XENMEM_get_sharing_shared_pages 19
#define XENMEM_acquire_resource 28

#endif
