/*
 * libxl.h: kxen's libxl, the domain lifecycle library (public interface).
 *
 * The config model below mirrors Xen's libxl_types.idl (4.17) field for
 * field and in the same order, because the order is visible: it is the key
 * order of the JSON that `xl -N create`, `xl list -l` and saved images carry.
 * Every type has _init/_dispose (safe to call twice); defaults are the IDL's
 * init values, and a field still at its default is left out of the JSON.
 *
 * Errors are Xen's ERROR_* numbers (negative), as libxl callers expect.
 */
#ifndef LIBXL_H
#define LIBXL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors (libxl_error in the IDL) ---- */
enum {
	ERROR_NONSPECIFIC = -1,
	ERROR_VERSION = -2,
	ERROR_FAIL = -3,
	ERROR_NI = -4,
	ERROR_NOMEM = -5,
	ERROR_INVAL = -6,
	ERROR_BADFAIL = -7,
	ERROR_GUEST_TIMEDOUT = -8,
	ERROR_TIMEDOUT = -9,
	ERROR_NOPARAVIRT = -10,
	ERROR_NOT_READY = -11,
	ERROR_JSON_CONFIG_EMPTY = -16,
	ERROR_DEVICE_EXISTS = -17,
	ERROR_DOMAIN_NOTFOUND = -21,
	ERROR_NOTFOUND = -23,
	ERROR_FEATURE_REMOVED = -25,
};

/* ---- builtin types ---- */
typedef struct {
	int val; /* 0: default, > 0: true, < 0: false */
} libxl_defbool;

typedef struct {
	uint8_t uuid[16];
} libxl_uuid;

typedef uint8_t libxl_mac[6];
typedef uint32_t libxl_domid;
typedef int libxl_devid;

typedef struct {
	uint32_t size; /* number of bytes in map */
	uint8_t *map;
} libxl_bitmap;

typedef char **libxl_string_list; /* NULL-terminated */
typedef char **libxl_key_value_list; /* key, value, ..., NULL */

#define LIBXL_MEMKB_DEFAULT (~(uint64_t)0)
#define LIBXL_MAX_GRANT_DEFAULT (~(uint32_t)0)
#define LIBXL_TIMER_MODE_DEFAULT -1
#define LIBXL_INVALID_GFN (~(uint64_t)0)
#define LIBXL_DOMAIN_SCHED_PARAM_WEIGHT_DEFAULT -1
#define LIBXL_DOMAIN_SCHED_PARAM_CAP_DEFAULT -1
#define LIBXL_DOMAIN_SCHED_PARAM_PERIOD_DEFAULT -1
#define LIBXL_DOMAIN_SCHED_PARAM_SLICE_DEFAULT -1
#define LIBXL_DOMAIN_SCHED_PARAM_LATENCY_DEFAULT -1
#define LIBXL_DOMAIN_SCHED_PARAM_EXTRATIME_DEFAULT -1
#define LIBXL_DOMAIN_SCHED_PARAM_BUDGET_DEFAULT -1
#define LIBXL_BUILDINFO_HVM_VIRIDIAN_ENABLE_DISABLE_WIDTH 64
#define LIBXL_NIC_COLO_KEYS 48

/* ---- enumerations (values as in the IDL) ---- */
typedef enum {
	LIBXL_DOMAIN_TYPE_INVALID = -1,
	LIBXL_DOMAIN_TYPE_HVM = 1,
	LIBXL_DOMAIN_TYPE_PV = 2,
	LIBXL_DOMAIN_TYPE_PVH = 3,
} libxl_domain_type;

typedef enum {
	LIBXL_RDM_RESERVE_STRATEGY_IGNORE = 0,
	LIBXL_RDM_RESERVE_STRATEGY_HOST = 1,
} libxl_rdm_reserve_strategy;

typedef enum {
	LIBXL_RDM_RESERVE_POLICY_INVALID = -1,
	LIBXL_RDM_RESERVE_POLICY_STRICT = 0,
	LIBXL_RDM_RESERVE_POLICY_RELAXED = 1,
} libxl_rdm_reserve_policy;

typedef enum {
	LIBXL_CHANNEL_CONNECTION_UNKNOWN = 0,
	LIBXL_CHANNEL_CONNECTION_PTY = 1,
	LIBXL_CHANNEL_CONNECTION_SOCKET = 2,
} libxl_channel_connection;

typedef enum {
	LIBXL_DEVICE_MODEL_VERSION_UNKNOWN = 0,
	LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN_TRADITIONAL = 1,
	LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN = 2,
} libxl_device_model_version;

typedef enum {
	LIBXL_DISK_FORMAT_UNKNOWN = 0,
	LIBXL_DISK_FORMAT_QCOW = 1,
	LIBXL_DISK_FORMAT_QCOW2 = 2,
	LIBXL_DISK_FORMAT_VHD = 3,
	LIBXL_DISK_FORMAT_RAW = 4,
	LIBXL_DISK_FORMAT_EMPTY = 5,
	LIBXL_DISK_FORMAT_QED = 6,
} libxl_disk_format;

typedef enum {
	LIBXL_DISK_BACKEND_UNKNOWN = 0,
	LIBXL_DISK_BACKEND_PHY = 1,
	LIBXL_DISK_BACKEND_TAP = 2,
	LIBXL_DISK_BACKEND_QDISK = 3,
	LIBXL_DISK_BACKEND_STANDALONE = 4,
} libxl_disk_backend;

typedef enum {
	LIBXL_DISK_SPECIFICATION_UNKNOWN = 0,
	LIBXL_DISK_SPECIFICATION_XEN = 1,
	LIBXL_DISK_SPECIFICATION_VIRTIO = 2,
} libxl_disk_specification;

typedef enum {
	LIBXL_DISK_TRANSPORT_UNKNOWN = 0,
	LIBXL_DISK_TRANSPORT_MMIO = 1,
} libxl_disk_transport;

typedef enum {
	LIBXL_NIC_TYPE_UNKNOWN = 0,
	LIBXL_NIC_TYPE_VIF_IOEMU = 1,
	LIBXL_NIC_TYPE_VIF = 2,
} libxl_nic_type;

typedef enum {
	LIBXL_ACTION_ON_SHUTDOWN_DESTROY = 1,
	LIBXL_ACTION_ON_SHUTDOWN_RESTART = 2,
	LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME = 3,
	LIBXL_ACTION_ON_SHUTDOWN_PRESERVE = 4,
	LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY = 5,
	LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART = 6,
	LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET = 7,
} libxl_action_on_shutdown;

typedef enum {
	LIBXL_TSC_MODE_DEFAULT = 0,
	LIBXL_TSC_MODE_ALWAYS_EMULATE = 1,
	LIBXL_TSC_MODE_NATIVE = 2,
	LIBXL_TSC_MODE_NATIVE_PARAVIRT = 3,
} libxl_tsc_mode;

typedef enum {
	LIBXL_GFX_PASSTHRU_KIND_DEFAULT = 0,
	LIBXL_GFX_PASSTHRU_KIND_IGD = 1,
} libxl_gfx_passthru_kind;

typedef enum {
	LIBXL_TIMER_MODE_UNKNOWN = -1,
	LIBXL_TIMER_MODE_DELAY_FOR_MISSED_TICKS = 0,
	LIBXL_TIMER_MODE_NO_DELAY_FOR_MISSED_TICKS = 1,
	LIBXL_TIMER_MODE_NO_MISSED_TICKS_PENDING = 2,
	LIBXL_TIMER_MODE_ONE_MISSED_TICK_PENDING = 3,
} libxl_timer_mode;

typedef enum {
	LIBXL_BIOS_TYPE_UNKNOWN = 0,
	LIBXL_BIOS_TYPE_ROMBIOS = 1,
	LIBXL_BIOS_TYPE_SEABIOS = 2,
	LIBXL_BIOS_TYPE_OVMF = 3,
} libxl_bios_type;

typedef enum {
	LIBXL_SCHEDULER_UNKNOWN = 0,
	LIBXL_SCHEDULER_SEDF = 4,
	LIBXL_SCHEDULER_CREDIT = 5,
	LIBXL_SCHEDULER_CREDIT2 = 6,
	LIBXL_SCHEDULER_ARINC653 = 7,
	LIBXL_SCHEDULER_RTDS = 8,
	LIBXL_SCHEDULER_NULL = 9,
} libxl_scheduler;

typedef enum {
	LIBXL_VGA_INTERFACE_TYPE_UNKNOWN = 0,
	LIBXL_VGA_INTERFACE_TYPE_CIRRUS = 1,
	LIBXL_VGA_INTERFACE_TYPE_STD = 2,
	LIBXL_VGA_INTERFACE_TYPE_NONE = 3,
	LIBXL_VGA_INTERFACE_TYPE_QXL = 4,
} libxl_vga_interface_type;

typedef enum {
	LIBXL_VENDOR_DEVICE_NONE = 0,
	LIBXL_VENDOR_DEVICE_XENSERVER = 1,
} libxl_vendor_device;

typedef enum {
	LIBXL_VIRIDIAN_ENLIGHTENMENT_BASE = 0,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_FREQ = 1,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_TIME_REF_COUNT = 2,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_REFERENCE_TSC = 3,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_HCALL_REMOTE_TLB_FLUSH = 4,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_APIC_ASSIST = 5,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_CRASH_CTL = 6,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_SYNIC = 7,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_STIMER = 8,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_HCALL_IPI = 9,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_EX_PROCESSOR_MASKS = 10,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_NO_VP_LIMIT = 11,
	LIBXL_VIRIDIAN_ENLIGHTENMENT_CPU_HOTPLUG = 12,
} libxl_viridian_enlightenment;

typedef enum {
	LIBXL_HDTYPE_IDE = 1,
	LIBXL_HDTYPE_AHCI = 2,
} libxl_hdtype;

typedef enum {
	LIBXL_VUART_TYPE_UNKNOWN = 0,
	LIBXL_VUART_TYPE_SBSA_UART = 1,
} libxl_vuart_type;

typedef enum {
	LIBXL_VKB_BACKEND_UNKNOWN = 0,
	LIBXL_VKB_BACKEND_QEMU = 1,
	LIBXL_VKB_BACKEND_LINUX = 2,
} libxl_vkb_backend;

typedef enum {
	LIBXL_VIRTIO_TRANSPORT_UNKNOWN = 0,
	LIBXL_VIRTIO_TRANSPORT_MMIO = 1,
} libxl_virtio_transport;

typedef enum {
	LIBXL_PASSTHROUGH_DEFAULT = 0,
	LIBXL_PASSTHROUGH_DISABLED = 1,
	LIBXL_PASSTHROUGH_ENABLED = 2,
	LIBXL_PASSTHROUGH_SYNC_PT = 3,
	LIBXL_PASSTHROUGH_SHARE_PT = 4,
} libxl_passthrough;

typedef enum {
	LIBXL_GIC_VERSION_DEFAULT = 0,
	LIBXL_GIC_VERSION_V2 = 0x20,
	LIBXL_GIC_VERSION_V3 = 0x30,
} libxl_gic_version;

typedef enum {
	LIBXL_TEE_TYPE_NONE = 0,
	LIBXL_TEE_TYPE_OPTEE = 1,
} libxl_tee_type;

typedef enum {
	LIBXL_ALTP2M_MODE_DISABLED = 0,
	LIBXL_ALTP2M_MODE_MIXED = 1,
	LIBXL_ALTP2M_MODE_EXTERNAL = 2,
	LIBXL_ALTP2M_MODE_LIMITED = 3,
} libxl_altp2m_mode;

typedef enum {
	LIBXL_USBCTRL_TYPE_AUTO = 0,
	LIBXL_USBCTRL_TYPE_PV = 1,
	LIBXL_USBCTRL_TYPE_DEVICEMODEL = 2,
	LIBXL_USBCTRL_TYPE_QUSB = 3,
} libxl_usbctrl_type;

typedef enum {
	LIBXL_USBDEV_TYPE_HOSTDEV = 1,
} libxl_usbdev_type;

/* ---- structures ---- */
typedef struct {
	uint32_t first;
	uint32_t number;
} libxl_ioport_range;

typedef struct {
	uint64_t start;
	uint64_t number;
	uint64_t gfn;
} libxl_iomem_range;

typedef struct {
	libxl_vga_interface_type kind;
} libxl_vga_interface_info;

typedef struct {
	libxl_defbool enable;
	char *listen;
	char *passwd;
	int display;
	libxl_defbool findunused;
} libxl_vnc_info;

typedef struct {
	libxl_defbool enable;
	int port;
	int tls_port;
	char *host;
	libxl_defbool disable_ticketing;
	char *passwd;
	libxl_defbool agent_mouse;
	libxl_defbool vdagent;
	libxl_defbool clipboard_sharing;
	int usbredirection;
	char *image_compression;
	char *streaming_video;
} libxl_spice_info;

typedef struct {
	libxl_defbool enable;
	libxl_defbool opengl;
	char *display;
	char *xauthority;
} libxl_sdl_info;

typedef struct {
	libxl_domain_type type;
	libxl_defbool hap;
	libxl_defbool oos;
	uint32_t ssidref;
	char *ssid_label;
	char *name;
	libxl_domid domid;
	libxl_uuid uuid;
	libxl_key_value_list xsdata;
	libxl_key_value_list platformdata;
	uint32_t poolid;
	char *pool_name;
	libxl_defbool run_hotplug_scripts;
	libxl_defbool driver_domain;
	libxl_passthrough passthrough;
	libxl_defbool xend_suspend_evtchn_compat;
} libxl_domain_create_info;

typedef struct {
	libxl_scheduler sched;
	int weight;
	int cap;
	int period;
	int budget;
	int extratime;
	int slice;
	int latency;
} libxl_domain_sched_params;

typedef struct {
	uint64_t memkb;
	uint32_t *distances;
	int num_distances;
	uint32_t pnode;
	libxl_bitmap vcpus;
} libxl_vnode_info;

typedef struct {
	libxl_rdm_reserve_strategy strategy;
	libxl_rdm_reserve_policy policy;
} libxl_rdm_reserve;

typedef struct {
	char *firmware;
	libxl_bios_type bios;
	libxl_defbool pae;
	libxl_defbool apic; /* deprecated by b_info.apic */
	libxl_defbool acpi; /* deprecated by b_info.acpi */
	libxl_defbool acpi_s3;
	libxl_defbool acpi_s4;
	libxl_defbool acpi_laptop_slate;
	libxl_defbool nx;
	libxl_defbool viridian;
	libxl_bitmap viridian_enable;
	libxl_bitmap viridian_disable;
	char *timeoffset;
	libxl_defbool hpet;
	libxl_defbool vpt_align;
	uint64_t mmio_hole_memkb;
	libxl_timer_mode timer_mode; /* deprecated by b_info.timer_mode */
	libxl_defbool nested_hvm; /* deprecated by b_info.nested_hvm */
	libxl_defbool altp2m;
	char *system_firmware;
	char *smbios_firmware;
	char *acpi_firmware;
	libxl_hdtype hdtype;
	libxl_defbool nographic;
	libxl_vga_interface_info vga;
	libxl_vnc_info vnc;
	char *keymap;
	libxl_sdl_info sdl;
	libxl_spice_info spice;
	libxl_defbool gfx_passthru;
	libxl_gfx_passthru_kind gfx_passthru_kind;
	char *serial;
	char *boot;
	libxl_defbool usb;
	int usbversion;
	char *usbdevice;
	libxl_defbool vkb_device;
	char *soundhw;
	libxl_defbool xen_platform_pci;
	libxl_string_list usbdevice_list;
	libxl_vendor_device vendor_device;
	uint8_t ms_vm_genid[16];
	libxl_string_list serial_list;
	libxl_rdm_reserve rdm;
	uint64_t rdm_mem_boundary_memkb;
	uint64_t mca_caps;
} libxl_domain_build_info_hvm;

typedef struct {
	char *kernel; /* deprecated by b_info.kernel */
	uint64_t slack_memkb;
	char *bootloader; /* deprecated */
	libxl_string_list bootloader_args; /* deprecated */
	char *cmdline; /* deprecated */
	char *ramdisk; /* deprecated */
	char *features;
	libxl_defbool e820_host;
} libxl_domain_build_info_pv;

typedef struct {
	libxl_defbool pvshim;
	char *pvshim_path;
	char *pvshim_cmdline;
	char *pvshim_extra;
} libxl_domain_build_info_pvh;

typedef struct {
	int max_vcpus;
	libxl_bitmap avail_vcpus;
	libxl_bitmap cpumap;
	libxl_bitmap nodemap;
	libxl_bitmap *vcpu_hard_affinity;
	int num_vcpu_hard_affinity;
	libxl_bitmap *vcpu_soft_affinity;
	int num_vcpu_soft_affinity;
	libxl_defbool numa_placement;
	libxl_tsc_mode tsc_mode;
	uint64_t max_memkb;
	uint64_t target_memkb;
	uint64_t video_memkb;
	uint64_t shadow_memkb;
	uint64_t iommu_memkb;
	uint32_t rtc_timeoffset;
	uint32_t exec_ssidref;
	char *exec_ssid_label;
	libxl_defbool localtime;
	libxl_defbool disable_migrate;
	libxl_string_list cpuid; /* kept as the config's strings */
	char *blkdev_start;
	libxl_vnode_info *vnuma_nodes;
	int num_vnuma_nodes;
	uint32_t max_grant_frames;
	uint32_t max_maptrack_frames;
	int max_grant_version;
	libxl_device_model_version device_model_version;
	libxl_defbool device_model_stubdomain;
	uint64_t stubdomain_memkb;
	char *stubdomain_kernel;
	char *stubdomain_cmdline;
	char *stubdomain_ramdisk;
	char *device_model;
	uint32_t device_model_ssidref;
	char *device_model_ssid_label;
	char *device_model_user;
	libxl_string_list extra;
	libxl_string_list extra_pv;
	libxl_string_list extra_hvm;
	libxl_domain_sched_params sched_params;
	libxl_ioport_range *ioports;
	int num_ioports;
	uint32_t *irqs;
	int num_irqs;
	libxl_iomem_range *iomem;
	int num_iomem;
	libxl_defbool claim_mode;
	uint32_t event_channels;
	char *kernel;
	char *cmdline;
	char *ramdisk;
	char *device_tree;
	libxl_defbool acpi;
	char *bootloader;
	libxl_string_list bootloader_args;
	libxl_timer_mode timer_mode;
	libxl_defbool nested_hvm;
	libxl_defbool apic;
	libxl_defbool dm_restrict;
	libxl_tee_type tee;
	libxl_domain_type type; /* the key of u */
	union {
		libxl_domain_build_info_hvm hvm;
		libxl_domain_build_info_pv pv;
		libxl_domain_build_info_pvh pvh;
	} u;
	struct {
		libxl_gic_version gic_version;
		libxl_vuart_type vuart;
	} arch_arm;
	struct {
		libxl_defbool msr_relaxed;
	} arch_x86;
	libxl_altp2m_mode altp2m;
	int vmtrace_buf_kb;
	libxl_defbool vpmu;
} libxl_domain_build_info;

typedef struct {
	libxl_domid backend_domid;
	char *backend_domname;
	libxl_devid devid;
	libxl_vnc_info vnc;
	libxl_sdl_info sdl;
	char *keymap;
} libxl_device_vfb;

typedef struct {
	libxl_domid backend_domid;
	char *backend_domname;
	libxl_devid devid;
	libxl_vkb_backend backend_type;
	char *unique_id;
	bool feature_disable_keyboard;
	bool feature_disable_pointer;
	bool feature_abs_pointer;
	bool feature_raw_pointer;
	bool feature_multi_touch;
	uint32_t width;
	uint32_t height;
	uint32_t multi_touch_width;
	uint32_t multi_touch_height;
	uint32_t multi_touch_num_contacts;
} libxl_device_vkb;

typedef struct {
	libxl_domid backend_domid;
	char *backend_domname;
	char *type;
	libxl_virtio_transport transport;
	libxl_devid devid;
	uint32_t irq;
	uint64_t base;
} libxl_device_virtio;

typedef struct {
	libxl_domid backend_domid;
	char *backend_domname;
	char *pdev_path;
	char *vdev;
	libxl_disk_backend backend;
	libxl_disk_format format;
	char *script;
	int removable;
	int readwrite;
	int is_cdrom;
	bool direct_io_safe;
	libxl_defbool discard_enable;
	libxl_disk_specification specification;
	libxl_disk_transport transport;
	uint32_t irq;
	uint64_t base;
	libxl_defbool colo_enable;
	libxl_defbool colo_restore_enable;
	char *colo_host;
	int colo_port;
	char *colo_export;
	char *active_disk;
	char *hidden_disk;
	libxl_defbool trusted;
	libxl_defbool grant_usage; /* parsed, not in 4.17's JSON */
} libxl_device_disk;

typedef struct {
	libxl_domid backend_domid;
	char *backend_domname;
	libxl_devid devid;
	int mtu;
	char *model;
	libxl_mac mac;
	char *ip;
	char *bridge;
	char *ifname;
	char *script;
	libxl_nic_type nictype;
	uint64_t rate_bytes_per_interval;
	uint32_t rate_interval_usecs;
	char *gatewaydev;
	char *coloft_forwarddev;
	/* The COLO proxy settings, named by libxl_nic_colo_keys[] in order. */
	char *colo[LIBXL_NIC_COLO_KEYS];
	libxl_defbool trusted;
} libxl_device_nic;

extern const char *const libxl_nic_colo_keys[LIBXL_NIC_COLO_KEYS];

typedef struct {
	uint8_t func;
	uint8_t dev;
	uint8_t bus;
	int domain;
	uint32_t vdevfn;
	uint32_t vfunc_mask;
	bool msitranslate;
	bool power_mgmt;
	bool permissive;
	bool seize;
	libxl_rdm_reserve_policy rdm_policy;
	char *name;
} libxl_device_pci;

typedef struct {
	uint64_t start;
	uint64_t size;
	libxl_rdm_reserve_policy policy;
} libxl_device_rdm;

typedef struct {
	char *path;
} libxl_device_dtdev;

typedef struct {
	libxl_domid backend_domid;
	char *backend_domname;
	libxl_devid devid;
	libxl_uuid uuid;
} libxl_device_vtpm;

typedef struct {
	libxl_domid backend_domid;
	char *backend_domname;
	char *tag;
	char *path;
	char *security_model;
	libxl_devid devid;
} libxl_device_p9;

typedef struct {
	libxl_domid backend_domid;
	char *backend_domname;
	libxl_devid devid;
} libxl_device_pvcallsif;

typedef struct {
	libxl_domid backend_domid;
	char *backend_domname;
	libxl_devid devid;
	char *name;
	libxl_channel_connection connection; /* the key of u */
	union {
		struct {
			char *path;
		} socket;
	} u;
} libxl_device_channel;

typedef struct {
	char *unique_id;
	uint32_t width;
	uint32_t height;
} libxl_connector_param;

typedef struct {
	libxl_domid backend_domid;
	char *backend_domname;
	libxl_devid devid;
	bool be_alloc;
	libxl_connector_param *connectors;
	int num_connectors;
} libxl_device_vdispl;

typedef struct {
	libxl_usbctrl_type type;
	libxl_devid devid;
	int version;
	int ports;
	libxl_domid backend_domid;
	char *backend_domname;
} libxl_device_usbctrl;

typedef struct {
	libxl_devid ctrl;
	int port;
	libxl_usbdev_type type; /* the key of u */
	union {
		struct {
			uint8_t hostbus;
			uint8_t hostaddr;
		} hostdev;
	} u;
} libxl_device_usbdev;

typedef enum {
	LIBXL_VSND_PCM_FORMAT_S8 = 1,
	LIBXL_VSND_PCM_FORMAT_U8 = 2,
	LIBXL_VSND_PCM_FORMAT_S16_LE = 3,
	LIBXL_VSND_PCM_FORMAT_S16_BE = 4,
	LIBXL_VSND_PCM_FORMAT_U16_LE = 5,
	LIBXL_VSND_PCM_FORMAT_U16_BE = 6,
	LIBXL_VSND_PCM_FORMAT_S24_LE = 7,
	LIBXL_VSND_PCM_FORMAT_S24_BE = 8,
	LIBXL_VSND_PCM_FORMAT_U24_LE = 9,
	LIBXL_VSND_PCM_FORMAT_U24_BE = 10,
	LIBXL_VSND_PCM_FORMAT_S32_LE = 11,
	LIBXL_VSND_PCM_FORMAT_S32_BE = 12,
	LIBXL_VSND_PCM_FORMAT_U32_LE = 13,
	LIBXL_VSND_PCM_FORMAT_U32_BE = 14,
	LIBXL_VSND_PCM_FORMAT_F32_LE = 15,
	LIBXL_VSND_PCM_FORMAT_F32_BE = 16,
	LIBXL_VSND_PCM_FORMAT_F64_LE = 17,
	LIBXL_VSND_PCM_FORMAT_F64_BE = 18,
	LIBXL_VSND_PCM_FORMAT_IEC958_SUBFRAME_LE = 19,
	LIBXL_VSND_PCM_FORMAT_IEC958_SUBFRAME_BE = 20,
	LIBXL_VSND_PCM_FORMAT_MU_LAW = 21,
	LIBXL_VSND_PCM_FORMAT_A_LAW = 22,
	LIBXL_VSND_PCM_FORMAT_IMA_ADPCM = 23,
	LIBXL_VSND_PCM_FORMAT_MPEG = 24,
	LIBXL_VSND_PCM_FORMAT_GSM = 25,
} libxl_vsnd_pcm_format;

typedef enum {
	LIBXL_VSND_STREAM_TYPE_P = 1,
	LIBXL_VSND_STREAM_TYPE_C = 2,
} libxl_vsnd_stream_type;

typedef struct {
	uint32_t *sample_rates;
	int num_sample_rates;
	libxl_vsnd_pcm_format *sample_formats;
	int num_sample_formats;
	uint32_t channels_min;
	uint32_t channels_max;
	uint32_t buffer_size;
} libxl_vsnd_params;

typedef struct {
	char *unique_id;
	libxl_vsnd_stream_type type;
	libxl_vsnd_params params;
} libxl_vsnd_stream;

typedef struct {
	char *name;
	libxl_vsnd_params params;
	libxl_vsnd_stream *streams;
	int num_vsnd_streams;
} libxl_vsnd_pcm;

typedef struct {
	libxl_domid backend_domid;
	char *backend_domname;
	libxl_devid devid;
	char *short_name;
	char *long_name;
	libxl_vsnd_params params;
	libxl_vsnd_pcm *pcms;
	int num_vsnd_pcms;
} libxl_device_vsnd;

typedef struct {
	libxl_domain_create_info c_info;
	libxl_domain_build_info b_info;
	libxl_device_disk *disks;
	int num_disks;
	libxl_device_nic *nics;
	int num_nics;
	libxl_device_pci *pcidevs;
	int num_pcidevs;
	libxl_device_rdm *rdms;
	int num_rdms;
	libxl_device_dtdev *dtdevs;
	int num_dtdevs;
	libxl_device_vfb *vfbs;
	int num_vfbs;
	libxl_device_vkb *vkbs;
	int num_vkbs;
	libxl_device_virtio *virtios;
	int num_virtios;
	libxl_device_vtpm *vtpms;
	int num_vtpms;
	libxl_device_p9 *p9s;
	int num_p9s;
	libxl_device_pvcallsif *pvcallsifs;
	int num_pvcallsifs;
	libxl_device_vdispl *vdispls;
	int num_vdispls;
	libxl_device_vsnd *vsnds;
	int num_vsnds;
	libxl_device_channel *channels;
	int num_channels;
	libxl_device_usbctrl *usbctrls;
	int num_usbctrls;
	libxl_device_usbdev *usbdevs;
	int num_usbdevs;
	libxl_action_on_shutdown on_poweroff;
	libxl_action_on_shutdown on_reboot;
	libxl_action_on_shutdown on_watchdog;
	libxl_action_on_shutdown on_crash;
	libxl_action_on_shutdown on_soft_reset;
} libxl_domain_config;

/* ---- init/dispose (dispose leaves the object initialised) ---- */
#define LIBXL__DECLARE_TYPE(t)               \
	void libxl_##t##_init(libxl_##t *p); \
	void libxl_##t##_dispose(libxl_##t *p);
LIBXL__DECLARE_TYPE(domain_config)
LIBXL__DECLARE_TYPE(domain_create_info)
LIBXL__DECLARE_TYPE(domain_build_info)
LIBXL__DECLARE_TYPE(device_disk)
LIBXL__DECLARE_TYPE(device_nic)
LIBXL__DECLARE_TYPE(device_pci)
LIBXL__DECLARE_TYPE(device_dtdev)
LIBXL__DECLARE_TYPE(device_vfb)
LIBXL__DECLARE_TYPE(device_vkb)
LIBXL__DECLARE_TYPE(device_virtio)
LIBXL__DECLARE_TYPE(device_vtpm)
LIBXL__DECLARE_TYPE(device_p9)
LIBXL__DECLARE_TYPE(device_pvcallsif)
LIBXL__DECLARE_TYPE(device_vdispl)
LIBXL__DECLARE_TYPE(device_channel)
LIBXL__DECLARE_TYPE(device_usbctrl)
LIBXL__DECLARE_TYPE(device_usbdev)
LIBXL__DECLARE_TYPE(iomem_range)
LIBXL__DECLARE_TYPE(vnode_info)
LIBXL__DECLARE_TYPE(device_vsnd)
LIBXL__DECLARE_TYPE(vsnd_pcm)
LIBXL__DECLARE_TYPE(vsnd_stream)
#undef LIBXL__DECLARE_TYPE

/* Sets b_info->type and initialises the matching member of b_info->u. */
void libxl_domain_build_info_init_type(libxl_domain_build_info *b_info, libxl_domain_type type);

/* ---- JSON in Xen's shape (pretty, 4-space indent, defaults omitted) ---- */
/* Returns a malloc'ed string ending in "\n", or NULL. */
char *libxl_domain_config_to_json(const libxl_domain_config *d_config);
/* Fills an initialised d_config; ERROR_INVAL on malformed JSON. */
int libxl_domain_config_from_json(libxl_domain_config *d_config, const char *json);

/* ---- enums as strings (Xen's lowercase names) ---- */
#define LIBXL__DECLARE_ENUM(t)                          \
	const char *libxl_##t##_to_string(libxl_##t v); \
	int libxl_##t##_from_string(const char *s, libxl_##t *v);
LIBXL__DECLARE_ENUM(domain_type)
LIBXL__DECLARE_ENUM(disk_format)
LIBXL__DECLARE_ENUM(disk_backend)
LIBXL__DECLARE_ENUM(nic_type)
LIBXL__DECLARE_ENUM(action_on_shutdown)
LIBXL__DECLARE_ENUM(tsc_mode)
LIBXL__DECLARE_ENUM(timer_mode)
LIBXL__DECLARE_ENUM(bios_type)
LIBXL__DECLARE_ENUM(viridian_enlightenment)
LIBXL__DECLARE_ENUM(hdtype)
LIBXL__DECLARE_ENUM(vuart_type)
LIBXL__DECLARE_ENUM(vkb_backend)
LIBXL__DECLARE_ENUM(passthrough)
LIBXL__DECLARE_ENUM(gfx_passthru_kind)
LIBXL__DECLARE_ENUM(vendor_device)
LIBXL__DECLARE_ENUM(gic_version)
LIBXL__DECLARE_ENUM(tee_type)
LIBXL__DECLARE_ENUM(altp2m_mode)
LIBXL__DECLARE_ENUM(usbctrl_type)
LIBXL__DECLARE_ENUM(usbdev_type)
LIBXL__DECLARE_ENUM(device_model_version)
LIBXL__DECLARE_ENUM(scheduler)
LIBXL__DECLARE_ENUM(rdm_reserve_policy)
LIBXL__DECLARE_ENUM(vsnd_pcm_format)
LIBXL__DECLARE_ENUM(vsnd_stream_type)
#undef LIBXL__DECLARE_ENUM

/* ---- builtin helpers ---- */
void libxl_defbool_set(libxl_defbool *db, bool b);
void libxl_defbool_unset(libxl_defbool *db);
bool libxl_defbool_is_default(libxl_defbool db);
bool libxl_defbool_val(libxl_defbool db); /* false when default */

int libxl_uuid_from_string(libxl_uuid *uuid, const char *in);
void libxl_uuid_generate(libxl_uuid *uuid);
bool libxl_uuid_is_nil(const libxl_uuid *uuid);
void libxl_uuid_to_string(const libxl_uuid *uuid, char out[37]);

bool libxl_mac_is_default(const libxl_mac *mac);

void libxl_bitmap_init(libxl_bitmap *map);
void libxl_bitmap_dispose(libxl_bitmap *map);
int libxl_bitmap_alloc(libxl_bitmap *map, int nr_bits);
/* Host CPUs when max_cpus is 0 (libxl_cpu_bitmap_alloc's contract). */
int libxl_cpu_bitmap_alloc(libxl_bitmap *map, int max_cpus);
int libxl_bitmap_copy_alloc(libxl_bitmap *dst, const libxl_bitmap *src);
bool libxl_bitmap_test(const libxl_bitmap *map, int bit);
void libxl_bitmap_set(libxl_bitmap *map, int bit);
void libxl_bitmap_reset(libxl_bitmap *map, int bit);
void libxl_bitmap_set_any(libxl_bitmap *map);
void libxl_bitmap_set_none(libxl_bitmap *map);
bool libxl_bitmap_is_empty(const libxl_bitmap *map);
int libxl_get_max_cpus(void);

int libxl_string_list_length(const libxl_string_list *sl);
void libxl_string_list_dispose(libxl_string_list *sl);
void libxl_key_value_list_dispose(libxl_key_value_list *kvl);

/* ---- context and lifecycle ---- */
typedef struct libxl__ctx libxl_ctx;

/*
 * A context owns the connections to the hypervisor and the store.  They
 * are opened lazily by the operations that need them, so that a context
 * serves a dry run on a host where nothing runs.
 */
int libxl_ctx_alloc(libxl_ctx **pctx, FILE *log);
void libxl_ctx_free(libxl_ctx *ctx);

/* Options for libxl_domain_create_new; NULL means all defaults. */
typedef struct {
	bool paused; /* leave the domain paused once built */
} libxl_domain_create_opts;

/*
 * Builds, starts (unless opts->paused) and records the domain d_config
 * describes; *domid gets its id.  On failure nothing is left behind.
 */
int libxl_domain_create_new(libxl_ctx *ctx, libxl_domain_config *d_config, uint32_t *domid,
			    const libxl_domain_create_opts *opts);

/* The lifecycle of running domains. */
#include <libxl_domain.h>

#ifdef __cplusplus
}
#endif

#endif /* LIBXL_H */
