/*
 * libxenctrl (libxc) for kxen: the C interface to the hypervisor, in the
 * shapes of Xen's xenctrl.h so that toolstack code reads the same.  Calls
 * travel over the privcmd socket ($XEN_RUN_DIR/privcmd) to xenhv.  Errors
 * return -1 (or NULL) with errno set, as Xen's libxc does.
 *
 * kxen additions are marked "kxen:"; the PVH domain builder is one call,
 * xc_pvh_build(), instead of Xen's xc_dom_* sequence.
 */
#ifndef XENCTRL_H
#define XENCTRL_H

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>
#include <xen/memory.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/sched.h>
#include <xen/hvm/params.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xc_interface_core xc_interface;
typedef struct xentoollog_logger xentoollog_logger;

#define XC_PAGE_SHIFT 12
#define XC_PAGE_SIZE (1UL << XC_PAGE_SHIFT)
#define XC_PAGE_MASK (~(XC_PAGE_SIZE - 1))

/* Loggers are accepted for compatibility; kxen's libxc logs nothing itself. */
xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
				unsigned int open_flags);
int xc_interface_close(xc_interface *xch);
/* kxen: the socket descriptor (for poll), -1 if closed. */
int xc_interface_fd(xc_interface *xch);

/* A raw hypercall through privcmd; buffers per xen/sys/privcmd.h. */
struct privcmd_buf;
long xc_hypercall(xc_interface *xch, uint64_t op, const uint64_t args[5],
		  const struct privcmd_buf *bufs, unsigned int nr_bufs);

typedef struct xen_domctl_getdomaininfo xc_domaininfo_t;
typedef struct xen_sysctl_physinfo xc_physinfo_t;
typedef struct xen_domctl_getvcpuinfo xc_vcpuinfo_t;

int xc_domain_create(xc_interface *xch, uint32_t *pdomid, struct xen_domctl_createdomain *config);
int xc_domain_max_vcpus(xc_interface *xch, uint32_t domid, unsigned int max);
int xc_domain_setmaxmem(xc_interface *xch, uint32_t domid, uint64_t max_memkb);
/* Returns the number of extents populated, or -1. */
int xc_domain_populate_physmap(xc_interface *xch, uint32_t domid, unsigned long nr_extents,
			       unsigned int extent_order, unsigned int mem_flags,
			       xen_pfn_t *extent_start);
int xc_domain_populate_physmap_exact(xc_interface *xch, uint32_t domid, unsigned long nr_extents,
				     unsigned int extent_order, unsigned int mem_flags,
				     xen_pfn_t *extent_start);
int xc_domain_decrease_reservation_exact(xc_interface *xch, uint32_t domid,
					 unsigned long nr_extents, unsigned int extent_order,
					 xen_pfn_t *extent_start);
int xc_domain_pause(xc_interface *xch, uint32_t domid);
int xc_domain_unpause(xc_interface *xch, uint32_t domid);
/* Ask the domain to stop with reason SHUTDOWN_* (SCHEDOP_remote_shutdown). */
int xc_domain_shutdown(xc_interface *xch, uint32_t domid, int reason);
int xc_domain_destroy(xc_interface *xch, uint32_t domid);
/* The domain's handle (its UUID to the toolstack). */
int xc_domain_sethandle(xc_interface *xch, uint32_t domid, xen_domain_handle_t handle);
/* Returns how many entries were filled, or -1. */
int xc_domain_getinfolist(xc_interface *xch, uint32_t first_domain, unsigned int max_domains,
			  xc_domaininfo_t *info);
/* One domain; -1 with errno ESRCH if it does not exist. */
int xc_domain_getinfo_single(xc_interface *xch, uint32_t domid, xc_domaininfo_t *info);
int xc_domain_set_memory_map(xc_interface *xch, uint32_t domid, struct e820entry entries[],
			     uint32_t nr_entries);
int xc_domain_get_tot_pages(xc_interface *xch, uint32_t domid);
int xc_vcpu_getinfo(xc_interface *xch, uint32_t domid, uint32_t vcpu, xc_vcpuinfo_t *info);
/* CPU maps: byte i bit j is host CPU 8*i+j; xc_get_cpumap_size() bytes. */
typedef uint8_t *xc_cpumap_t;
int xc_get_max_cpus(xc_interface *xch);
int xc_get_cpumap_size(xc_interface *xch);
/*
 * Hard and/or soft affinity (flags XEN_VCPUAFFINITY_HARD/_SOFT) of one
 * vCPU; set writes back the affinity in effect, as Xen does.
 */
int xc_vcpu_setaffinity(xc_interface *xch, uint32_t domid, int vcpu, xc_cpumap_t cpumap_hard_inout,
			xc_cpumap_t cpumap_soft_inout, uint32_t flags);
int xc_vcpu_getaffinity(xc_interface *xch, uint32_t domid, int vcpu, xc_cpumap_t cpumap_hard,
			xc_cpumap_t cpumap_soft, uint32_t flags);
/* kxen: set a PVH/HVM vCPU's state (XEN_DOMCTL_setvcpucontext, see domctl.h). */
int xc_vcpu_set_hvm_context(xc_interface *xch, uint32_t domid, uint32_t vcpu,
			    const vcpu_hvm_context_t *ctx);
/* kxen: a paused PVH/HVM vCPU's registers (a VCPU_HVM_MODE_64B record). */
int xc_vcpu_get_hvm_context(xc_interface *xch, uint32_t domid, uint32_t vcpu,
			    vcpu_hvm_context_t *ctx);
int xc_hvm_param_set(xc_interface *xch, uint32_t domid, uint32_t param, uint64_t value);
int xc_hvm_param_get(xc_interface *xch, uint32_t domid, uint32_t param, uint64_t *value);

/* A port of dom that remote_dom may bind (EVTCHNOP_alloc_unbound); -1 on error. */
int xc_evtchn_alloc_unbound(xc_interface *xch, uint32_t dom, uint32_t remote_dom);
typedef struct evtchn_status xc_evtchn_status_t;
/* EVTCHNOP_status of status->dom's status->port; 0 or -1 with errno. */
int xc_evtchn_status(xc_interface *xch, xc_evtchn_status_t *status);
/* EVTCHNOP_reset: close every port of dom; 0 or -1 with errno. */
int xc_evtchn_reset(xc_interface *xch, uint32_t dom);

int xc_readconsolering(xc_interface *xch, char *buffer, unsigned int *pnr_chars, int clear,
		       int incremental, uint32_t *pindex);
int xc_physinfo(xc_interface *xch, xc_physinfo_t *info);
int xc_sched_id(xc_interface *xch, int *sched_id);
int xc_version(xc_interface *xch, int cmd, void *arg);

/*
 * Foreign mapping: domain 0 maps frames of another domain.  Returns an
 * address of num pages; err[i] = 0 or -errno per frame (bulk), and the whole
 * call fails (NULL) in xc_map_foreign_pages if any frame fails.
 * Unmap with munmap(addr, num << XC_PAGE_SHIFT).
 */
void *xc_map_foreign_bulk(xc_interface *xch, uint32_t dom, int prot, const xen_pfn_t *arr, int *err,
			  unsigned int num);
void *xc_map_foreign_pages(xc_interface *xch, uint32_t dom, int prot, const xen_pfn_t *arr,
			   int num);
void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size, int prot, unsigned long mfn);
/*
 * kxen: the memory descriptor of dom's RAM, for the device model of an HVM
 * domain (QEMU maps it as the guest's RAM).  Frame g is at offset g << 12;
 * frame 0 must be populated.  Returns a new descriptor (close-on-exec), or
 * -1 with errno set.
 */
int xc_domain_ram_fd(xc_interface *xch, uint32_t dom);

/*
 * kxen: the PVH domain builder.  For a domain created with
 * XEN_DOMCTL_CDF_hvm (and max_vcpus, max_mem set), it populates mem_mb of
 * RAM and Xen's special pages, loads the ELF kernel (entry from
 * XEN_ELFNOTE_PHYS32_ENTRY; 32- or 64-bit image, notes from program or
 * section headers) and an optional initrd as module 0, writes
 * hvm_start_info with the command line and memory map, sets the memory map
 * and HVM params (console and store pages), and sets vCPU 0 to the PVH entry
 * state.  The domain stays paused: unpause it to boot.
 */
struct xc_pvh_build_args {
	const char *kernel_path; /* or kernel/kernel_size */
	const void *kernel;
	size_t kernel_size;
	const char *ramdisk_path; /* optional */
	const char *cmdline; /* optional */
	uint64_t mem_mb;
};

struct xc_pvh_build_result {
	uint64_t entry; /* physical entry point */
	uint64_t start_info_paddr;
	uint64_t console_pfn;
	uint64_t store_pfn;
	uint64_t kernel_end; /* first byte after the loaded image */
};

int xc_pvh_build(xc_interface *xch, uint32_t domid, const struct xc_pvh_build_args *args,
		 struct xc_pvh_build_result *result);

#ifdef __cplusplus
}
#endif

#endif
