/*
 * libxl_domain.h: the domain lifecycle part of libxl's public interface
 * (included by libxl.h): listing domains, name lookups, create (declared in
 * libxl.h), destroy, shutdown and reboot through the guest's control node,
 * pause, rename, waiting for a domain to shut down, and the configuration a
 * running domain was created with.  Shapes follow Xen 4.17's libxl.
 */
#ifndef LIBXL_DOMAIN_H
#define LIBXL_DOMAIN_H

#include <stdbool.h>
#include <stdint.h>

typedef enum {
	LIBXL_SHUTDOWN_REASON_UNKNOWN = -1,
	LIBXL_SHUTDOWN_REASON_POWEROFF = 0,
	LIBXL_SHUTDOWN_REASON_REBOOT = 1,
	LIBXL_SHUTDOWN_REASON_SUSPEND = 2,
	LIBXL_SHUTDOWN_REASON_CRASH = 3,
	LIBXL_SHUTDOWN_REASON_WATCHDOG = 4,
	LIBXL_SHUTDOWN_REASON_SOFT_RESET = 5,
} libxl_shutdown_reason;

typedef struct {
	libxl_uuid uuid;
	libxl_domid domid;
	uint32_t ssidref;
	bool running;
	bool blocked;
	bool paused;
	bool shutdown;
	bool dying;
	bool never_stop;
	libxl_shutdown_reason shutdown_reason; /* valid when shutdown */
	uint64_t outstanding_memkb;
	uint64_t current_memkb;
	uint64_t shared_memkb;
	uint64_t paged_memkb;
	uint64_t max_memkb;
	uint64_t cpu_time; /* ns */
	uint32_t vcpu_max_id;
	uint32_t vcpu_online;
	uint32_t cpupool;
	libxl_domain_type domain_type;
} libxl_dominfo;

/* Every domain, by increasing id; free with free(). */
int libxl_list_domain(libxl_ctx *ctx, libxl_dominfo **info, int *nb_domain);
/* ERROR_DOMAIN_NOTFOUND when there is no such domain. */
int libxl_domain_info(libxl_ctx *ctx, libxl_dominfo *info, uint32_t domid);

/* The name in xenstore, malloc'ed; NULL if none. */
char *libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid);
/* ERROR_INVAL when no domain has that name. */
int libxl_name_to_domid(libxl_ctx *ctx, const char *name, uint32_t *domid);
/* A domain given as id or name, as xl accepts it. */
int libxl_domain_qualifier_to_domid(libxl_ctx *ctx, const char *qualifier, uint32_t *domid);

int libxl_domain_pause(libxl_ctx *ctx, uint32_t domid);
int libxl_domain_unpause(libxl_ctx *ctx, uint32_t domid);
/* Ends the domain at once and removes every trace of it. */
int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid);
/* Ask the guest (control/shutdown) to power off or reboot. */
int libxl_domain_shutdown(libxl_ctx *ctx, uint32_t domid);
int libxl_domain_reboot(libxl_ctx *ctx, uint32_t domid);
int libxl_domain_rename(libxl_ctx *ctx, uint32_t domid, const char *old_name, const char *new_name);
/*
 * Keeps a dead domain out of the way of its successor (on_*=rename-restart),
 * as Xen: renamed "<info->name><name_suffix>", given new_uuid (its /vm/
 * node and stored config follow), so that a new domain can be created with
 * the config's name and uuid.
 */
int libxl_domain_preserve(libxl_ctx *ctx, uint32_t domid, libxl_domain_create_info *info,
			  const char *name_suffix, libxl_uuid new_uuid);

/* Virtual hardware events for HVM guests (xl trigger, shutdown -F). */
typedef enum {
	LIBXL_TRIGGER_UNKNOWN = 0,
	LIBXL_TRIGGER_POWER = 1,
	LIBXL_TRIGGER_SLEEP = 2,
	LIBXL_TRIGGER_NMI = 3,
	LIBXL_TRIGGER_INIT = 4,
	LIBXL_TRIGGER_RESET = 5,
	LIBXL_TRIGGER_S3RESUME = 6,
} libxl_trigger;

/* POWER (ACPI power button) and RESET so far (libxl/create_hvm.c). */
int libxl_send_trigger(libxl_ctx *ctx, uint32_t domid, libxl_trigger trigger, uint32_t vcpuid);

/*
 * Waits until the domain has shut down (or is gone: reason UNKNOWN and
 * ERROR_DOMAIN_NOTFOUND) and tells why.  timeout_ms < 0 waits for ever;
 * ERROR_TIMEDOUT when it passes.
 */
int libxl_domain_wait_shutdown(libxl_ctx *ctx, uint32_t domid, int timeout_ms,
			       libxl_shutdown_reason *reason);
/* Waits until the domain no longer exists. */
int libxl_domain_wait_death(libxl_ctx *ctx, uint32_t domid, int timeout_ms);

/* The configuration the domain was created with (as stored at create). */
int libxl_retrieve_domain_configuration(libxl_ctx *ctx, uint32_t domid,
					libxl_domain_config *d_config);

/* The hypervisor's console ring (xl dmesg); malloc'ed text in *text. */
int libxl_read_hypervisor_console(libxl_ctx *ctx, bool clear, char **text);

/* ---- the host (libxl/host.c) ---- */
typedef struct {
	uint32_t threads_per_core;
	uint32_t cores_per_socket;
	uint32_t max_cpu_id;
	uint32_t nr_cpus;
	uint32_t cpu_khz;
	uint64_t total_pages;
	uint64_t free_pages;
	uint64_t scrub_pages;
	uint64_t outstanding_pages;
	uint64_t sharing_freed_pages;
	uint64_t sharing_used_frames;
	uint32_t nr_nodes;
	uint32_t hw_cap[8];
	bool cap_hvm;
	bool cap_pv;
	bool cap_hvm_directio;
	bool cap_hap;
	bool cap_shadow;
} libxl_physinfo;

typedef struct {
	int xen_version_major;
	int xen_version_minor;
	char *xen_version_extra;
	char *compiler;
	char *compile_by;
	char *compile_domain;
	char *compile_date;
	char *capabilities;
	char *changeset;
	uint64_t virt_start;
	int pagesize;
	char *commandline;
	int sched_id; /* XEN_SCHEDULER_*, -1 if unknown */
} libxl_version_info;

int libxl_get_physinfo(libxl_ctx *ctx, libxl_physinfo *physinfo);
int libxl_get_version_info(libxl_ctx *ctx, libxl_version_info *info);
void libxl_version_info_dispose(libxl_version_info *info);

/* ---- vCPUs (libxl/vcpu.c) ---- */
typedef struct {
	uint32_t vcpuid;
	uint32_t cpu; /* host CPU it last ran on */
	bool online;
	bool blocked;
	bool running;
	uint64_t vcpu_time; /* ns */
	libxl_bitmap cpumap; /* hard affinity */
	libxl_bitmap cpumap_soft; /* soft affinity */
} libxl_vcpuinfo;

/*
 * Every vCPU of the domain (*nb_vcpu of them) with its affinities as maps
 * of *nr_cpus host CPUs; NULL on error.  Free with libxl_vcpuinfo_list_free.
 */
libxl_vcpuinfo *libxl_list_vcpu(libxl_ctx *ctx, uint32_t domid, int *nb_vcpu, int *nr_cpus);
void libxl_vcpuinfo_list_free(libxl_vcpuinfo *list, int nr);
/* Either map may be NULL: that affinity is left as it is. */
int libxl_set_vcpuaffinity(libxl_ctx *ctx, uint32_t domid, uint32_t vcpuid,
			   const libxl_bitmap *cpumap_hard, const libxl_bitmap *cpumap_soft);
int libxl_set_vcpuaffinity_all(libxl_ctx *ctx, uint32_t domid, unsigned int max_vcpus,
			       const libxl_bitmap *cpumap_hard, const libxl_bitmap *cpumap_soft);
/*
 * vCPU hot(un)plug, Xen's protocol for PV and PVH guests: cpu/N/availability
 * becomes online or offline for each vCPU; the guest brings them up or down.
 */
int libxl_set_vcpuonline(libxl_ctx *ctx, uint32_t domid, const libxl_bitmap *cpumap);
/* Host CPUs (physinfo's max_cpu_id + 1); < 0 on error. */
int libxl_get_online_cpus(libxl_ctx *ctx);
/* When the domain was started (/vm/UUID/start_time, seconds); -1 if unknown. */
int64_t libxl_vm_get_start_time(libxl_ctx *ctx, uint32_t domid);

/* ---- memory (libxl/memory.c) ---- */
/*
 * The balloon target: memory/target (KiB) and /vm/UUID/memory (MiB), as
 * Xen writes them.  relative adds target_memkb to the current target;
 * enforce also lowers the hypervisor's limit to the new target.
 */
int libxl_set_memory_target(libxl_ctx *ctx, uint32_t domid, int64_t target_memkb, int relative,
			    int enforce);
/* The current target from memory/target. */
int libxl_get_memory_target(libxl_ctx *ctx, uint32_t domid, uint64_t *out_target);
/* The hypervisor's limit (not memory/static-max, as Xen); >= the target. */
int libxl_domain_setmaxmem(libxl_ctx *ctx, uint32_t domid, uint64_t max_memkb);

#endif /* LIBXL_DOMAIN_H */
