/*
 * xenhv: the hypervisor daemon.  This header holds the top-level context
 * (struct xenhv) and the shapes every module shares: domains, vCPUs, the
 * backend ops table under them (KVM in the daemon, a fake in unit tests).
 *
 * Locking: one mutex, hv->lock, guards every domain and vCPU field below.
 * A vCPU thread drops it only around the backend's run() call and while it
 * sleeps on its condition variable; privcmd requests run under it.  A single
 * lock keeps the first version obviously right; per-domain locks can follow
 * when measurements ask for them.
 */
#ifndef XENHV_XENHV_H
#define XENHV_XENHV_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/domctl.h>
#include <xen/vcpu.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>

#include "console.h"
#include "memory.h"

#define XENHV_MAX_DOMAINS 4096
#define XENHV_MAX_VCPUS 128 /* per domain */
#define XENHV_MAX_HOST_CPUS 1024 /* affinity bitmaps */
#define XENHV_CPUMAP_WORDS (XENHV_MAX_HOST_CPUS / 64)
#define XENHV_PAGE_SHIFT 12
#define XENHV_PAGE_SIZE (1ul << XENHV_PAGE_SHIFT)

struct xenhv;
struct domain;
struct vcpu;

/* An fd the main loop watches; cb runs on the main thread. */
struct hv_watch {
	int fd;
	void (*cb)(struct hv_watch *w, uint32_t events);
};
struct gnttab_domain;
struct gnttab_host;
struct evtchn_domain;
struct hv_events;
struct hv_timers;
struct hv_timer_domain;
struct hv_timer_vcpu;

/* What made the backend's run() return. */
enum vcpu_exit_kind {
	VCPU_EXIT_NONE, /* interrupted (kick, signal): nothing to do */
	VCPU_EXIT_HYPERCALL, /* a hypercall-page stub: nr in .hypercall_nr */
	VCPU_EXIT_HLT,
	VCPU_EXIT_MSR_WRITE,
	VCPU_EXIT_MSR_READ,
	VCPU_EXIT_IO, /* any other port access */
	VCPU_EXIT_MMIO,
	VCPU_EXIT_SHUTDOWN, /* triple fault */
	VCPU_EXIT_ERROR, /* the backend cannot continue this vCPU */
};

struct vcpu_exit {
	enum vcpu_exit_kind kind;
	uint32_t hypercall_nr;
	struct {
		uint32_t index;
		uint64_t data;
	} msr;
	struct {
		uint16_t port;
		uint8_t size;
		bool in;
		uint32_t data;
	} io;
	uint64_t mmio_addr;
	const char *why; /* for VCPU_EXIT_ERROR */
};

/* The register view hypercall handling needs (a copy, see set_regs). */
struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer;
	bool long_mode; /* CS.L: 64-bit code */
	uint8_t cpl;
};

/*
 * The seam under the hypervisor logic: KVM in xenhv (kvm.c), an in-memory
 * fake in the unit tests.  Every call is made with hv->lock held except
 * run() and kick().
 */
struct hv_backend_ops {
	const char *name;
	int (*domain_create)(struct domain *d);
	void (*domain_destroy)(struct domain *d);
	/* Make guest-physical [gfn, gfn+nr) map memfd offset gfn<<12, or unmap it. */
	int (*memory_map)(struct domain *d, uint64_t gfn, uint64_t nr, bool map);
	int (*vcpu_create)(struct vcpu *v);
	void (*vcpu_destroy)(struct vcpu *v);
	int (*vcpu_run)(struct vcpu *v, struct vcpu_exit *exit);
	void (*vcpu_kick)(struct vcpu *v);
	int (*vcpu_get_regs)(struct vcpu *v, struct vcpu_regs *regs);
	int (*vcpu_set_regs)(struct vcpu *v, const struct vcpu_regs *regs);
	/* Complete an MSR exit: error injects #GP, else data is the read value. */
	void (*vcpu_msr_done)(struct vcpu *v, bool error, uint64_t data);
	/* The PVH/HVM entry state of VCPUOP_initialise / setvcpucontext. */
	int (*vcpu_set_hvm_context)(struct vcpu *v, const struct vcpu_hvm_context *ctx);
	/* Optional: the vCPU's state as a 64-bit HVM context (paused vCPU). */
	int (*vcpu_get_hvm_context)(struct vcpu *v, struct vcpu_hvm_context *ctx);
	/* Optional (grants): map host page at guest frame gfn, or unmap it. */
	int (*memory_alias)(struct domain *d, uint64_t gfn, void *page, bool map);
	/* Optional (events.h): the callback vector to a running vCPU. */
	void (*vcpu_inject_vector)(struct vcpu *v, uint8_t vector);
	/*
	 * Optional (timer_hv.h): the vCPU's TSC now, as the guest reads it;
	 * callable from any thread, also while the vCPU runs.
	 */
	int (*vcpu_read_tsc)(struct vcpu *v, uint64_t *tsc);
};

struct vcpu {
	struct domain *domain;
	unsigned int id;
	void *backend; /* backend private state */

	bool created; /* backend vCPU exists */
	bool initialised; /* has a context */
	bool online; /* VCPUOP_up / VGCF_online */
	bool thread_started;
	bool in_run; /* inside backend run(): kick to stop it */
	bool blocked; /* SCHEDOP_block / HLT */
	bool wake_pending; /* an event arrived: do not sleep */
	bool stop; /* the thread must exit */
	unsigned int pause_count;

	pthread_t thread;
	pthread_cond_t cond; /* the vCPU sleeps here */

	/* Run-state accounting, Xen's vcpu_runstate_info. */
	struct vcpu_runstate_info runstate;
	uint64_t runstate_guest_addr;
	uint64_t vcpu_info_gfn;
	uint32_t vcpu_info_offset;
	bool vcpu_info_registered;
	bool polling; /* events.h: in SCHEDOP_poll */
	uint8_t upcall_vector; /* HVMOP_set_evtchn_upcall_vector, 0: none */
	struct hv_timer_vcpu *timer; /* timer_hv.h: its timers, NULL: none */

	/*
	 * Hard affinity (XEN_DOMCTL_setvcpuaffinity): the host CPUs the vCPU's
	 * thread may run on, applied with pthread_setaffinity_np; all CPUs
	 * until set.  Soft affinity is kept for the toolstack only: the host
	 * scheduler has no notion of preference.  last_cpu is where the thread
	 * last entered the guest (vcpu-list's CPU column).
	 */
	uint64_t hard_affinity[XENHV_CPUMAP_WORDS];
	uint64_t soft_affinity[XENHV_CPUMAP_WORDS];
	bool hard_affinity_set;
	unsigned int last_cpu;
};

enum domain_type {
	DOMAIN_TYPE_CONTROL, /* domain 0: the host, no VM */
	DOMAIN_TYPE_PVH,
	DOMAIN_TYPE_HVM,
	DOMAIN_TYPE_PV,
};

struct domain {
	struct xenhv *hv;
	domid_t domid;
	enum domain_type type;
	xen_domain_handle_t handle;
	uint32_t ssidref;
	uint32_t create_flags;
	void *backend;

	unsigned int max_vcpus;
	struct vcpu **vcpus; /* [max_vcpus], created on demand */

	struct domain_memory mem;

	unsigned int pause_count; /* domctl pause, nested as Xen */
	bool shutdown;
	unsigned int shutdown_reason;
	unsigned int shutdown_code; /* SCHEDOP_shutdown_code, or ~0u */
	bool dying;
	bool destroyed_by_guest_crash;

	uint64_t hypercall_page_gpa;
	uint64_t shared_info_gfn;
	bool shared_info_mapped;
	uint64_t hvm_params[HVM_NR_PARAMS];
	uint64_t created_ns;
	struct hv_guest_line console_line; /* console_io bytes of this line */
	struct e820entry *memory_map; /* XENMEM_set_memory_map */
	unsigned int memory_map_entries;
	/* events.h: the domain's port table; NULL without event channels. */
	struct evtchn_domain *evtchn;
	uint32_t max_evtchn_port; /* 0: the default */
	/* gnttab_op.h: the domain's grant table. */
	struct gnttab_domain *gnttab;
	uint32_t max_grant_frames, max_maptrack_frames;
	struct hv_timer_domain *timer; /* timer_hv.h: its clock, NULL: none */
};

struct xenhv_options {
	uint64_t memory_bytes; /* pool size, 0 = default */
	bool foreground;
	const char *run_dir;
	const char *log_dir;
};

struct xenhv {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* vCPUs left run(), domains paused, ... */
	const struct hv_backend_ops *ops;
	void *backend;

	struct memory_pool pool;
	struct hv_console console;

	struct domain *domains[XENHV_MAX_DOMAINS];
	domid_t next_domid;

	uint32_t cpu_khz;
	unsigned int nr_cpus;
	uint64_t boot_ns;
	bool stopping;
	struct gnttab_host *gnttab; /* gnttab_op.h, NULL: no grant tables */
	struct hv_events *events; /* events.h, NULL: no event channels */
	struct hv_timers *timers; /* timer_hv.h, NULL: no guest timers */
};

uint64_t xenhv_now_ns(void);

/* log.c: log lines go to the log file, stderr in -F, and the console ring. */
void hv_log(struct xenhv *hv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line already in the console ring: to the log file and stderr only. */
void hv_log_line(struct xenhv *hv, const char *line);
int hv_log_open(const char *path, bool to_stderr);
void hv_log_close(void);

#endif
