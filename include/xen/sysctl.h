/* Xen's public ABI: the sysctl hypercall, the subset kxen serves (public/sysctl.h). */
#ifndef KXEN_XEN_SYSCTL_H
#define KXEN_XEN_SYSCTL_H

#include "xen.h"
#include "domctl.h"

#define XEN_SYSCTL_INTERFACE_VERSION 0x00000015

#define XEN_SYSCTL_readconsole 1
struct xen_sysctl_readconsole {
	uint8_t clear; /* IN: clear the ring after reading */
	uint8_t incremental; /* IN: start at index, OUT: next index */
	uint8_t pad0, pad1;
	uint32_t index;
	XEN_GUEST_HANDLE_64(char) buffer;
	uint32_t count; /* IN: size of buffer, OUT: bytes written */
};

#define XEN_SYSCTL_tbuf_op 2
#define XEN_SYSCTL_physinfo 3
#define XEN_SYSCTL_PHYSCAP_hvm (1u << 0)
#define XEN_SYSCTL_PHYSCAP_pv (1u << 1)
#define XEN_SYSCTL_PHYSCAP_directio (1u << 2)
#define XEN_SYSCTL_PHYSCAP_hap (1u << 3)
#define XEN_SYSCTL_PHYSCAP_shadow (1u << 4)
#define XEN_SYSCTL_PHYSCAP_iommu_hap_pt_share (1u << 5)
#define XEN_SYSCTL_PHYSCAP_vmtrace (1u << 6)
#define XEN_SYSCTL_PHYSCAP_X86_ASSISTED_XAPIC (1u << 7)
#define XEN_SYSCTL_PHYSCAP_X86_ASSISTED_X2APIC (1u << 8)
struct xen_sysctl_physinfo {
	uint32_t threads_per_core;
	uint32_t cores_per_socket;
	uint32_t nr_cpus;
	uint32_t max_cpu_id;
	uint32_t nr_nodes;
	uint32_t max_node_id;
	uint32_t cpu_khz;
	uint32_t capabilities;
	uint32_t arch_capabilities;
	uint32_t pad;
	uint64_aligned_t total_pages;
	uint64_aligned_t free_pages;
	uint64_aligned_t scrub_pages;
	uint64_aligned_t outstanding_pages;
	uint64_aligned_t max_mfn;
	uint32_t hw_cap[8];
};
typedef struct xen_sysctl_physinfo xen_sysctl_physinfo_t;

#define XEN_SYSCTL_sched_id 4
struct xen_sysctl_sched_id {
	uint32_t sched_id; /* XEN_SCHEDULER_* */
};

#define XEN_SYSCTL_perfc_op 5
#define XEN_SYSCTL_getdomaininfolist 6
struct xen_sysctl_getdomaininfolist {
	domid_t first_domain;
	uint32_t max_domains;
	XEN_GUEST_HANDLE_64(xen_domctl_getdomaininfo_t) buffer;
	uint32_t num_domains; /* OUT */
};

#define XEN_SYSCTL_debug_keys 7
#define XEN_SYSCTL_getcpuinfo 8
#define XEN_SYSCTL_availheap 9
#define XEN_SYSCTL_cputopoinfo 16
#define XEN_SYSCTL_numainfo 17
#define XEN_SYSCTL_cpupool_op 18
#define XEN_SYSCTL_scheduler_op 19

struct xen_sysctl {
	uint32_t cmd;
	uint32_t interface_version; /* XEN_SYSCTL_INTERFACE_VERSION */
	union {
		struct xen_sysctl_readconsole readconsole;
		struct xen_sysctl_physinfo physinfo;
		struct xen_sysctl_sched_id sched_id;
		struct xen_sysctl_getdomaininfolist getdomaininfolist;
		uint8_t pad[128];
	} u;
};
typedef struct xen_sysctl xen_sysctl_t;
DEFINE_XEN_GUEST_HANDLE(xen_sysctl_t);

#endif
