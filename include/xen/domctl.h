/* Xen's public ABI: the domctl hypercall, the subset kxen serves (public/domctl.h). */
#ifndef KXEN_XEN_DOMCTL_H
#define KXEN_XEN_DOMCTL_H

#include "xen.h"
#include "event_channel.h"

#define XEN_DOMCTL_INTERFACE_VERSION 0x00000015

struct xen_domctl_createdomain {
	uint32_t ssidref;
	xen_domain_handle_t handle;
#define XEN_DOMCTL_CDF_hvm (1U << 0)
#define XEN_DOMCTL_CDF_hap (1U << 1)
#define XEN_DOMCTL_CDF_s3_integrity (1U << 2)
#define XEN_DOMCTL_CDF_oos_off (1U << 3)
#define XEN_DOMCTL_CDF_xs_domain (1U << 4)
#define XEN_DOMCTL_CDF_iommu (1U << 5)
#define XEN_DOMCTL_CDF_nested_virt (1U << 6)
#define XEN_DOMCTL_CDF_vpmu (1U << 7)
	uint32_t flags;
	uint32_t iommu_opts;
	uint32_t max_vcpus;
	uint32_t max_evtchn_port;
	int32_t max_grant_frames;
	int32_t max_maptrack_frames;
#define XEN_DOMCTL_GRANT_version_mask 0xf
	uint32_t grant_opts;
	uint32_t vmtrace_size;
	uint32_t cpupool_id;
	struct xen_arch_domainconfig arch;
};

struct xen_domctl_getdomaininfo {
	domid_t domain;
#define XEN_DOMINF_dying (1U << 0)
#define XEN_DOMINF_hvm_guest (1U << 1)
#define XEN_DOMINF_shutdown (1U << 2)
#define XEN_DOMINF_paused (1U << 3)
#define XEN_DOMINF_blocked (1U << 4)
#define XEN_DOMINF_running (1U << 5)
#define XEN_DOMINF_debugged (1U << 6)
#define XEN_DOMINF_xs_domain (1U << 7)
#define XEN_DOMINF_hap (1U << 8)
#define XEN_DOMINF_shutdownshift 16
#define XEN_DOMINF_shutdownmask 255
	uint32_t flags;
	uint64_aligned_t tot_pages;
	uint64_aligned_t max_pages;
	uint64_aligned_t outstanding_pages;
	uint64_aligned_t shr_pages;
	uint64_aligned_t paged_pages;
	uint64_aligned_t shared_info_frame;
	uint64_aligned_t cpu_time;
	uint32_t nr_online_vcpus;
	uint32_t max_vcpu_id;
	uint32_t ssidref;
	xen_domain_handle_t handle;
	uint32_t cpupool;
	uint8_t gpaddr_bits;
	struct xen_arch_domainconfig arch_config;
};
typedef struct xen_domctl_getdomaininfo xen_domctl_getdomaininfo_t;
DEFINE_XEN_GUEST_HANDLE(xen_domctl_getdomaininfo_t);

struct xen_domctl_max_mem {
	uint64_aligned_t max_memkb;
};

struct xen_domctl_max_vcpus {
	uint32_t max; /* maximum number of vcpus */
};

struct xen_domctl_vcpucontext {
	uint32_t vcpu;
	XEN_GUEST_HANDLE_64(vcpu_guest_context_t) ctxt;
};

struct xen_domctl_getvcpuinfo {
	uint32_t vcpu; /* IN */
	uint8_t online; /* OUT */
	uint8_t blocked;
	uint8_t running;
	uint64_aligned_t cpu_time; /* ns */
	uint32_t cpu; /* physical cpu */
};

struct xen_domctl_setdomainhandle {
	xen_domain_handle_t handle;
};

struct xen_domctl_hypercall_init {
	uint64_aligned_t gmfn;
};

struct xen_domctl_settimeoffset {
	int64_aligned_t time_offset_seconds;
};

struct xen_domctl_address_size {
	uint32_t size;
};

struct xen_domctl_set_max_evtchn {
	uint32_t max_port;
};

/* A CPU bitmap as the toolstack passes it: byte i bit j is CPU 8*i+j. */
struct xenctl_bitmap {
	XEN_GUEST_HANDLE_64(uint8_t) bitmap;
	uint32_t nr_bits;
};

/* XEN_DOMCTL_setvcpuaffinity / getvcpuaffinity (the maps are IN/OUT). */
struct xen_domctl_vcpuaffinity {
	uint32_t vcpu;
#define XEN_VCPUAFFINITY_HARD (1U << 0)
#define XEN_VCPUAFFINITY_SOFT (1U << 1)
#define XEN_VCPUAFFINITY_FORCE (1U << 2)
	uint32_t flags;
	struct xenctl_bitmap cpumap_hard;
	struct xenctl_bitmap cpumap_soft;
};

/*
 * XEN_DOMCTL_setvcpucontext: for a PV domain ctxt points to a
 * vcpu_guest_context; for a PVH/HVM domain kxen takes a vcpu_hvm_context
 * (vcpu.h), the record VCPUOP_initialise takes for HVM vCPUs, where Xen's
 * libxc would send HVM save records through XEN_DOMCTL_sethvmcontext.
 */
#define XEN_SCHEDULER_SEDF 4
#define XEN_SCHEDULER_CREDIT 5
#define XEN_SCHEDULER_CREDIT2 6
#define XEN_SCHEDULER_ARINC653 7
#define XEN_SCHEDULER_RTDS 8
#define XEN_SCHEDULER_NULL 9

#define XEN_DOMCTL_createdomain 1
#define XEN_DOMCTL_destroydomain 2
#define XEN_DOMCTL_pausedomain 3
#define XEN_DOMCTL_unpausedomain 4
#define XEN_DOMCTL_getdomaininfo 5
#define XEN_DOMCTL_setvcpuaffinity 9
#define XEN_DOMCTL_shadow_op 10
#define XEN_DOMCTL_max_mem 11
#define XEN_DOMCTL_setvcpucontext 12
#define XEN_DOMCTL_getvcpucontext 13
#define XEN_DOMCTL_getvcpuinfo 14
#define XEN_DOMCTL_max_vcpus 15
#define XEN_DOMCTL_scheduler_op 16
#define XEN_DOMCTL_setdomainhandle 17
#define XEN_DOMCTL_setdebugging 18
#define XEN_DOMCTL_irq_permission 19
#define XEN_DOMCTL_iomem_permission 20
#define XEN_DOMCTL_ioport_permission 21
#define XEN_DOMCTL_hypercall_init 22
#define XEN_DOMCTL_settimeoffset 24
#define XEN_DOMCTL_getvcpuaffinity 25
#define XEN_DOMCTL_resumedomain 27
#define XEN_DOMCTL_sendtrigger 28
#define XEN_DOMCTL_subscribe 29
#define XEN_DOMCTL_gethvmcontext 33
#define XEN_DOMCTL_sethvmcontext 34
#define XEN_DOMCTL_set_address_size 35
#define XEN_DOMCTL_get_address_size 36
#define XEN_DOMCTL_set_cpuid 49
#define XEN_DOMCTL_set_max_evtchn 70
#define XEN_DOMCTL_get_cpu_policy 82

struct xen_domctl {
	uint32_t cmd;
	uint32_t interface_version; /* XEN_DOMCTL_INTERFACE_VERSION */
	domid_t domain;
	uint16_t _pad[3];
	union {
		struct xen_domctl_createdomain createdomain;
		struct xen_domctl_getdomaininfo getdomaininfo;
		struct xen_domctl_max_mem max_mem;
		struct xen_domctl_max_vcpus max_vcpus;
		struct xen_domctl_vcpucontext vcpucontext;
		struct xen_domctl_getvcpuinfo getvcpuinfo;
		struct xen_domctl_setdomainhandle setdomainhandle;
		struct xen_domctl_hypercall_init hypercall_init;
		struct xen_domctl_settimeoffset settimeoffset;
		struct xen_domctl_address_size address_size;
		struct xen_domctl_set_max_evtchn set_max_evtchn;
		struct xen_domctl_vcpuaffinity vcpuaffinity;
		uint8_t pad[128];
	} u;
};
typedef struct xen_domctl xen_domctl_t;
DEFINE_XEN_GUEST_HANDLE(xen_domctl_t);

#endif
