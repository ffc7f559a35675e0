/*
 * libxl/types.c: the config model's tables (see types_internal.h) and the
 * generic init and dispose that follow them.
 *
 * Field order is Xen 4.17's libxl_types.idl order: it is the JSON key order.
 * Defaults are the IDL's init values; a field equal to its default is not
 * printed in JSON, which is how `xl -N create` output stays short.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "types_internal.h"

/* ---- enumerations ---- */
#define ENUM(t, ...)                                                          \
	static const struct libxl__enum_value t##_values[] = { __VA_ARGS__ }; \
	static const struct libxl__enum_desc t##_desc = {                     \
		t##_values, sizeof(t##_values) / sizeof(t##_values[0])        \
	};                                                                    \
	const char *libxl_##t##_to_string(libxl_##t v)                        \
	{                                                                     \
		return libxl__enum_to_string(&t##_desc, (int)v);              \
	}                                                                     \
	int libxl_##t##_from_string(const char *s, libxl_##t *v)              \
	{                                                                     \
		int i, rc = libxl__enum_from_string(&t##_desc, s, &i);        \
		if (!rc)                                                      \
			*v = (libxl_##t)i;                                    \
		return rc;                                                    \
	}

ENUM(domain_type, { -1, "invalid" }, { 1, "hvm" }, { 2, "pv" }, { 3, "pvh" })
ENUM(rdm_reserve_strategy, { 0, "ignore" }, { 1, "host" })
ENUM(rdm_reserve_policy, { -1, "invalid" }, { 0, "strict" }, { 1, "relaxed" })
ENUM(channel_connection, { 0, "unknown" }, { 1, "pty" }, { 2, "socket" })
ENUM(device_model_version, { 0, "unknown" }, { 1, "qemu_xen_traditional" }, { 2, "qemu_xen" })
ENUM(disk_format, { 0, "unknown" }, { 1, "qcow" }, { 2, "qcow2" }, { 3, "vhd" }, { 4, "raw" },
     { 5, "empty" }, { 6, "qed" })
ENUM(disk_backend, { 0, "unknown" }, { 1, "phy" }, { 2, "tap" }, { 3, "qdisk" },
     { 4, "standalone" })
ENUM(disk_specification, { 0, "unknown" }, { 1, "xen" }, { 2, "virtio" })
ENUM(disk_transport, { 0, "unknown" }, { 1, "mmio" })
ENUM(nic_type, { 0, "unknown" }, { 1, "vif_ioemu" }, { 2, "vif" })
ENUM(action_on_shutdown, { 1, "destroy" }, { 2, "restart" }, { 3, "restart_rename" },
     { 4, "preserve" }, { 5, "coredump_destroy" }, { 6, "coredump_restart" }, { 7, "soft_reset" })
ENUM(tsc_mode, { 0, "default" }, { 1, "always_emulate" }, { 2, "native" }, { 3, "native_paravirt" })
ENUM(gfx_passthru_kind, { 0, "default" }, { 1, "igd" })
ENUM(timer_mode, { -1, "unknown" }, { 0, "delay_for_missed_ticks" },
     { 1, "no_delay_for_missed_ticks" }, { 2, "no_missed_ticks_pending" },
     { 3, "one_missed_tick_pending" })
ENUM(bios_type, { 0, "unknown" }, { 1, "rombios" }, { 2, "seabios" }, { 3, "ovmf" })
ENUM(scheduler, { 0, "unknown" }, { 4, "sedf" }, { 5, "credit" }, { 6, "credit2" },
     { 7, "arinc653" }, { 8, "rtds" }, { 9, "null" })
ENUM(vga_interface_type, { 0, "unknown" }, { 1, "cirrus" }, { 2, "std" }, { 3, "none" },
     { 4, "qxl" })
ENUM(vendor_device, { 0, "none" }, { 1, "xenserver" })
ENUM(viridian_enlightenment, { 0, "base" }, { 1, "freq" }, { 2, "time_ref_count" },
     { 3, "reference_tsc" }, { 4, "hcall_remote_tlb_flush" }, { 5, "apic_assist" },
     { 6, "crash_ctl" }, { 7, "synic" }, { 8, "stimer" }, { 9, "hcall_ipi" },
     { 10, "ex_processor_masks" }, { 11, "no_vp_limit" }, { 12, "cpu_hotplug" })
ENUM(hdtype, { 1, "ide" }, { 2, "ahci" })
ENUM(vuart_type, { 0, "unknown" }, { 1, "sbsa_uart" })
ENUM(vkb_backend, { 0, "unknown" }, { 1, "qemu" }, { 2, "linux" })
ENUM(virtio_transport, { 0, "unknown" }, { 1, "mmio" })
ENUM(passthrough, { 0, "default" }, { 1, "disabled" }, { 2, "enabled" }, { 3, "sync_pt" },
     { 4, "share_pt" })
ENUM(gic_version, { 0, "default" }, { 0x20, "v2" }, { 0x30, "v3" })
ENUM(tee_type, { 0, "none" }, { 1, "optee" })
ENUM(altp2m_mode, { 0, "disabled" }, { 1, "mixed" }, { 2, "external" }, { 3, "limited" })
ENUM(usbctrl_type, { 0, "auto" }, { 1, "pv" }, { 2, "devicemodel" }, { 3, "qusb" })
ENUM(usbdev_type, { 1, "hostdev" })
ENUM(vsnd_pcm_format, { 1, "s8" }, { 2, "u8" }, { 3, "s16_le" }, { 4, "s16_be" }, { 5, "u16_le" },
     { 6, "u16_be" }, { 7, "s24_le" }, { 8, "s24_be" }, { 9, "u24_le" }, { 10, "u24_be" },
     { 11, "s32_le" }, { 12, "s32_be" }, { 13, "u32_le" }, { 14, "u32_be" }, { 15, "f32_le" },
     { 16, "f32_be" }, { 17, "f64_le" }, { 18, "f64_be" }, { 19, "iec958_subframe_le" },
     { 20, "iec958_subframe_be" }, { 21, "mu_law" }, { 22, "a_law" }, { 23, "ima_adpcm" },
     { 24, "mpeg" }, { 25, "gsm" })
ENUM(vsnd_stream_type, { 1, "p" }, { 2, "c" })

const char *libxl__enum_to_string(const struct libxl__enum_desc *e, int v)
{
	int i;

	for (i = 0; i < e->nr; i++)
		if (e->values[i].value == v)
			return e->values[i].name;
	return NULL;
}

/*
 * Case-insensitive, as libxl's generated _from_string functions are, and
 * ERROR_FAIL for an unknown name (callers such as xl pass it on).
 */
int libxl__enum_from_string(const struct libxl__enum_desc *e, const char *s, int *v)
{
	int i;

	if (!s)
		return ERROR_INVAL;
	for (i = 0; i < e->nr; i++) {
		if (!strcasecmp(e->values[i].name, s)) {
			*v = e->values[i].value;
			return 0;
		}
	}
	return ERROR_FAIL;
}

/* ---- field tables ---- */
#define FLD(s, f, k, ...)                                                               \
	{                                                                               \
		.name = #f, .kind = LIBXL__K_##k, .offset = offsetof(s, f), __VA_ARGS__ \
	}
#define STR(s, f) FLD(s, f, STRING)
#define INT(s, f, i) FLD(s, f, INT, .init = (i))
#define U8(s, f) FLD(s, f, UINT8)
#define U32(s, f, i) FLD(s, f, UINT32, .init = (i))
#define U64(s, f, i) FLD(s, f, UINT64, .init = (int64_t)(i))
#define MEMKB(s, f) U64(s, f, LIBXL_MEMKB_DEFAULT)
#define BOOLF(s, f) FLD(s, f, BOOL)
#define DB(s, f) FLD(s, f, DEFBOOL)
#define EN(s, f, t, i) FLD(s, f, ENUM, .enm = &t##_desc, .init = (i))
#define UUIDF(s, f) FLD(s, f, UUID)
#define MACF(s, f) FLD(s, f, MAC)
#define BMAP(s, f) FLD(s, f, BITMAP)
#define SLIST(s, f) FLD(s, f, STRING_LIST)
#define KVL(s, f) FLD(s, f, KV_LIST)
#define SUB(s, f, d) FLD(s, f, STRUCT, .sub = &(d))
#define ARR(s, f, n, d, et)                                                                    \
	FLD(s, f, ARRAY, .sub = (d), .elem = LIBXL__K_##et, .elem_size = sizeof(*((s *)0)->f), \
	    .count_offset = offsetof(s, n))
#define KEY(s, f, t, i) FLD(s, f, ENUM, .enm = &t##_desc, .init = (i), .hidden = 1)
#define DESC(var, s, ...)                                                    \
	static const struct libxl__field var##_fields[] = { __VA_ARGS__ };   \
	const struct libxl__struct_desc var = { #s, sizeof(s), var##_fields, \
						sizeof(var##_fields) / sizeof(var##_fields[0]) }

DESC(ioport_desc, libxl_ioport_range, U32(libxl_ioport_range, first, 0),
     U32(libxl_ioport_range, number, 0));

DESC(iomem_desc, libxl_iomem_range, U64(libxl_iomem_range, start, 0),
     U64(libxl_iomem_range, number, 0), U64(libxl_iomem_range, gfn, LIBXL_INVALID_GFN));

DESC(vga_desc, libxl_vga_interface_info, EN(libxl_vga_interface_info, kind, vga_interface_type, 0));

DESC(vnc_desc, libxl_vnc_info, DB(libxl_vnc_info, enable), STR(libxl_vnc_info, listen),
     STR(libxl_vnc_info, passwd), INT(libxl_vnc_info, display, 0), DB(libxl_vnc_info, findunused));

#define SP libxl_spice_info
DESC(spice_desc, libxl_spice_info, DB(SP, enable), INT(SP, port, 0), INT(SP, tls_port, 0),
     STR(SP, host), DB(SP, disable_ticketing), STR(SP, passwd), DB(SP, agent_mouse),
     DB(SP, vdagent), DB(SP, clipboard_sharing), INT(SP, usbredirection, 0),
     STR(SP, image_compression), STR(SP, streaming_video));
#undef SP

DESC(sdl_desc, libxl_sdl_info, DB(libxl_sdl_info, enable), DB(libxl_sdl_info, opengl),
     STR(libxl_sdl_info, display), STR(libxl_sdl_info, xauthority));

#define CI libxl_domain_create_info
DESC(c_info_desc, libxl_domain_create_info, EN(CI, type, domain_type, LIBXL_DOMAIN_TYPE_INVALID),
     DB(CI, hap), DB(CI, oos), U32(CI, ssidref, 0), STR(CI, ssid_label), STR(CI, name),
     U32(CI, domid, 0), UUIDF(CI, uuid), KVL(CI, xsdata), KVL(CI, platformdata), U32(CI, poolid, 0),
     STR(CI, pool_name), DB(CI, run_hotplug_scripts), DB(CI, driver_domain),
     EN(CI, passthrough, passthrough, 0), DB(CI, xend_suspend_evtchn_compat));
#undef CI

#define SCH libxl_domain_sched_params
DESC(sched_desc, libxl_domain_sched_params, EN(SCH, sched, scheduler, 0), INT(SCH, weight, -1),
     INT(SCH, cap, -1), INT(SCH, period, -1), INT(SCH, budget, -1), INT(SCH, extratime, -1),
     INT(SCH, slice, -1), INT(SCH, latency, -1));
#undef SCH

#define VN libxl_vnode_info
DESC(vnode_desc, libxl_vnode_info, MEMKB(VN, memkb),
     ARR(VN, distances, num_distances, NULL, UINT32), U32(VN, pnode, 0), BMAP(VN, vcpus));
#undef VN

DESC(rdm_reserve_desc, libxl_rdm_reserve, EN(libxl_rdm_reserve, strategy, rdm_reserve_strategy, 0),
     EN(libxl_rdm_reserve, policy, rdm_reserve_policy, -1));

#define H libxl_domain_build_info_hvm
DESC(hvm_desc, libxl_domain_build_info_hvm, STR(H, firmware), EN(H, bios, bios_type, 0), DB(H, pae),
     DB(H, apic), DB(H, acpi), DB(H, acpi_s3), DB(H, acpi_s4), DB(H, acpi_laptop_slate), DB(H, nx),
     DB(H, viridian), BMAP(H, viridian_enable), BMAP(H, viridian_disable), STR(H, timeoffset),
     DB(H, hpet), DB(H, vpt_align), MEMKB(H, mmio_hole_memkb), EN(H, timer_mode, timer_mode, -1),
     DB(H, nested_hvm), DB(H, altp2m), STR(H, system_firmware), STR(H, smbios_firmware),
     STR(H, acpi_firmware), EN(H, hdtype, hdtype, LIBXL_HDTYPE_IDE), DB(H, nographic),
     SUB(H, vga, vga_desc), SUB(H, vnc, vnc_desc), STR(H, keymap), SUB(H, sdl, sdl_desc),
     SUB(H, spice, spice_desc), DB(H, gfx_passthru), EN(H, gfx_passthru_kind, gfx_passthru_kind, 0),
     STR(H, serial), STR(H, boot), DB(H, usb), INT(H, usbversion, 0), STR(H, usbdevice),
     DB(H, vkb_device), STR(H, soundhw), DB(H, xen_platform_pci), SLIST(H, usbdevice_list),
     EN(H, vendor_device, vendor_device, 0), FLD(H, ms_vm_genid, NONE), SLIST(H, serial_list),
     SUB(H, rdm, rdm_reserve_desc), MEMKB(H, rdm_mem_boundary_memkb), U64(H, mca_caps, 0));
#undef H

#define PV libxl_domain_build_info_pv
DESC(pv_desc, libxl_domain_build_info_pv, STR(PV, kernel), MEMKB(PV, slack_memkb),
     STR(PV, bootloader), SLIST(PV, bootloader_args), STR(PV, cmdline), STR(PV, ramdisk),
     FLD(PV, features, NONE), DB(PV, e820_host));
#undef PV

#define PVH libxl_domain_build_info_pvh
DESC(pvh_desc, libxl_domain_build_info_pvh, DB(PVH, pvshim), STR(PVH, pvshim_path),
     STR(PVH, pvshim_cmdline), STR(PVH, pvshim_extra));
#undef PVH

static const struct libxl__union_case b_info_u_cases[] = {
	{ LIBXL_DOMAIN_TYPE_HVM, "type.hvm", &hvm_desc },
	{ LIBXL_DOMAIN_TYPE_PV, "type.pv", &pv_desc },
	{ LIBXL_DOMAIN_TYPE_PVH, "type.pvh", &pvh_desc },
	{ LIBXL_DOMAIN_TYPE_INVALID, "type.invalid", NULL },
};
static const struct libxl__union_desc b_info_u = { offsetof(libxl_domain_build_info, type),
						   b_info_u_cases, 4 };

typedef struct {
	libxl_gic_version gic_version;
	libxl_vuart_type vuart;
} arch_arm_t;
DESC(arch_arm_desc, arch_arm_t, EN(arch_arm_t, gic_version, gic_version, 0),
     EN(arch_arm_t, vuart, vuart_type, 0));

typedef struct {
	libxl_defbool msr_relaxed;
} arch_x86_t;
DESC(arch_x86_desc, arch_x86_t, DB(arch_x86_t, msr_relaxed));

#define B libxl_domain_build_info
DESC(libxl__domain_build_info_desc, libxl_domain_build_info, INT(B, max_vcpus, 0),
     BMAP(B, avail_vcpus), BMAP(B, cpumap), BMAP(B, nodemap),
     ARR(B, vcpu_hard_affinity, num_vcpu_hard_affinity, NULL, BITMAP),
     ARR(B, vcpu_soft_affinity, num_vcpu_soft_affinity, NULL, BITMAP), DB(B, numa_placement),
     EN(B, tsc_mode, tsc_mode, 0), MEMKB(B, max_memkb), MEMKB(B, target_memkb),
     MEMKB(B, video_memkb), MEMKB(B, shadow_memkb), MEMKB(B, iommu_memkb),
     U32(B, rtc_timeoffset, 0), U32(B, exec_ssidref, 0), STR(B, exec_ssid_label), DB(B, localtime),
     DB(B, disable_migrate), FLD(B, cpuid, NONE), STR(B, blkdev_start),
     ARR(B, vnuma_nodes, num_vnuma_nodes, &vnode_desc, STRUCT),
     U32(B, max_grant_frames, LIBXL_MAX_GRANT_DEFAULT),
     U32(B, max_maptrack_frames, LIBXL_MAX_GRANT_DEFAULT),
     INT(B, max_grant_version, (int)LIBXL_MAX_GRANT_DEFAULT),
     EN(B, device_model_version, device_model_version, 0), DB(B, device_model_stubdomain),
     MEMKB(B, stubdomain_memkb), STR(B, stubdomain_kernel), STR(B, stubdomain_cmdline),
     STR(B, stubdomain_ramdisk), STR(B, device_model), U32(B, device_model_ssidref, 0),
     STR(B, device_model_ssid_label), STR(B, device_model_user), SLIST(B, extra),
     SLIST(B, extra_pv), SLIST(B, extra_hvm), SUB(B, sched_params, sched_desc),
     ARR(B, ioports, num_ioports, &ioport_desc, STRUCT), ARR(B, irqs, num_irqs, NULL, UINT32),
     ARR(B, iomem, num_iomem, &iomem_desc, STRUCT), DB(B, claim_mode), U32(B, event_channels, 0),
     STR(B, kernel), STR(B, cmdline), STR(B, ramdisk), STR(B, device_tree), DB(B, acpi),
     STR(B, bootloader), SLIST(B, bootloader_args), EN(B, timer_mode, timer_mode, -1),
     DB(B, nested_hvm), DB(B, apic), DB(B, dm_restrict), EN(B, tee, tee_type, 0),
     KEY(B, type, domain_type, LIBXL_DOMAIN_TYPE_INVALID), FLD(B, u, UNION, .uni = &b_info_u),
     SUB(B, arch_arm, arch_arm_desc), SUB(B, arch_x86, arch_x86_desc),
     EN(B, altp2m, altp2m_mode, 0), INT(B, vmtrace_buf_kb, 0), DB(B, vpmu));
#undef B

#define VFB libxl_device_vfb
DESC(vfb_desc, libxl_device_vfb, U32(VFB, backend_domid, 0), STR(VFB, backend_domname),
     INT(VFB, devid, -1), SUB(VFB, vnc, vnc_desc), SUB(VFB, sdl, sdl_desc), STR(VFB, keymap));
#undef VFB

#define VKB libxl_device_vkb
DESC(vkb_desc, libxl_device_vkb, U32(VKB, backend_domid, 0), STR(VKB, backend_domname),
     INT(VKB, devid, -1), EN(VKB, backend_type, vkb_backend, 0), STR(VKB, unique_id),
     BOOLF(VKB, feature_disable_keyboard), BOOLF(VKB, feature_disable_pointer),
     BOOLF(VKB, feature_abs_pointer), BOOLF(VKB, feature_raw_pointer),
     BOOLF(VKB, feature_multi_touch), U32(VKB, width, 0), U32(VKB, height, 0),
     U32(VKB, multi_touch_width, 0), U32(VKB, multi_touch_height, 0),
     U32(VKB, multi_touch_num_contacts, 0));
#undef VKB

#define VIO libxl_device_virtio
DESC(virtio_desc, libxl_device_virtio, U32(VIO, backend_domid, 0), STR(VIO, backend_domname),
     STR(VIO, type), EN(VIO, transport, virtio_transport, 0), INT(VIO, devid, -1), U32(VIO, irq, 0),
     U64(VIO, base, 0));
#undef VIO

#define D libxl_device_disk
DESC(disk_desc, libxl_device_disk, U32(D, backend_domid, 0), STR(D, backend_domname),
     STR(D, pdev_path), STR(D, vdev), EN(D, backend, disk_backend, 0),
     EN(D, format, disk_format, 0), STR(D, script), INT(D, removable, 0), INT(D, readwrite, 0),
     INT(D, is_cdrom, 0), BOOLF(D, direct_io_safe), DB(D, discard_enable),
     EN(D, specification, disk_specification, 0), EN(D, transport, disk_transport, 0),
     U32(D, irq, 0), U64(D, base, 0), DB(D, colo_enable), DB(D, colo_restore_enable),
     STR(D, colo_host), INT(D, colo_port, 0), STR(D, colo_export), STR(D, active_disk),
     STR(D, hidden_disk), DB(D, trusted));
#undef D

#define NIC_COLO_LIST(X)                          \
	X(0, colo_sock_mirror_id)                 \
	X(1, colo_sock_mirror_ip)                 \
	X(2, colo_sock_mirror_port)               \
	X(3, colo_sock_compare_pri_in_id)         \
	X(4, colo_sock_compare_pri_in_ip)         \
	X(5, colo_sock_compare_pri_in_port)       \
	X(6, colo_sock_compare_sec_in_id)         \
	X(7, colo_sock_compare_sec_in_ip)         \
	X(8, colo_sock_compare_sec_in_port)       \
	X(9, colo_sock_compare_notify_id)         \
	X(10, colo_sock_compare_notify_ip)        \
	X(11, colo_sock_compare_notify_port)      \
	X(12, colo_sock_redirector0_id)           \
	X(13, colo_sock_redirector0_ip)           \
	X(14, colo_sock_redirector0_port)         \
	X(15, colo_sock_redirector1_id)           \
	X(16, colo_sock_redirector1_ip)           \
	X(17, colo_sock_redirector1_port)         \
	X(18, colo_sock_redirector2_id)           \
	X(19, colo_sock_redirector2_ip)           \
	X(20, colo_sock_redirector2_port)         \
	X(21, colo_filter_mirror_queue)           \
	X(22, colo_filter_mirror_outdev)          \
	X(23, colo_filter_redirector0_queue)      \
	X(24, colo_filter_redirector0_indev)      \
	X(25, colo_filter_redirector0_outdev)     \
	X(26, colo_filter_redirector1_queue)      \
	X(27, colo_filter_redirector1_indev)      \
	X(28, colo_filter_redirector1_outdev)     \
	X(29, colo_compare_pri_in)                \
	X(30, colo_compare_sec_in)                \
	X(31, colo_compare_out)                   \
	X(32, colo_compare_notify_dev)            \
	X(33, colo_sock_sec_redirector0_id)       \
	X(34, colo_sock_sec_redirector0_ip)       \
	X(35, colo_sock_sec_redirector0_port)     \
	X(36, colo_sock_sec_redirector1_id)       \
	X(37, colo_sock_sec_redirector1_ip)       \
	X(38, colo_sock_sec_redirector1_port)     \
	X(39, colo_filter_sec_redirector0_queue)  \
	X(40, colo_filter_sec_redirector0_indev)  \
	X(41, colo_filter_sec_redirector0_outdev) \
	X(42, colo_filter_sec_redirector1_queue)  \
	X(43, colo_filter_sec_redirector1_indev)  \
	X(44, colo_filter_sec_redirector1_outdev) \
	X(45, colo_filter_sec_rewriter0_queue)    \
	X(46, colo_checkpoint_host)               \
	X(47, colo_checkpoint_port)

#define COLO_NAME(i, n) #n,
const char *const libxl_nic_colo_keys[LIBXL_NIC_COLO_KEYS] = { NIC_COLO_LIST(COLO_NAME) };
#undef COLO_NAME

#define N libxl_device_nic
#define COLO(i, n) \
	{ .name = #n, .kind = LIBXL__K_STRING, .offset = offsetof(N, colo) + (i) * sizeof(char *) },
DESC(nic_desc, libxl_device_nic, U32(N, backend_domid, 0), STR(N, backend_domname),
     INT(N, devid, -1), INT(N, mtu, 0), STR(N, model), MACF(N, mac), STR(N, ip), STR(N, bridge),
     STR(N, ifname), STR(N, script), EN(N, nictype, nic_type, 0),
     U64(N, rate_bytes_per_interval, 0), U32(N, rate_interval_usecs, 0), STR(N, gatewaydev),
     STR(N, coloft_forwarddev), NIC_COLO_LIST(COLO) DB(N, trusted));
#undef COLO
#undef N

#define P libxl_device_pci
DESC(pci_desc, libxl_device_pci, U8(P, func), U8(P, dev), U8(P, bus), INT(P, domain, 0),
     U32(P, vdevfn, 0), U32(P, vfunc_mask, 0), BOOLF(P, msitranslate), BOOLF(P, power_mgmt),
     BOOLF(P, permissive), BOOLF(P, seize), EN(P, rdm_policy, rdm_reserve_policy, -1),
     STR(P, name));
#undef P

DESC(rdm_desc, libxl_device_rdm, U64(libxl_device_rdm, start, 0), U64(libxl_device_rdm, size, 0),
     EN(libxl_device_rdm, policy, rdm_reserve_policy, -1));

DESC(dtdev_desc, libxl_device_dtdev, STR(libxl_device_dtdev, path));

DESC(vtpm_desc, libxl_device_vtpm, U32(libxl_device_vtpm, backend_domid, 0),
     STR(libxl_device_vtpm, backend_domname), INT(libxl_device_vtpm, devid, -1),
     UUIDF(libxl_device_vtpm, uuid));

#define P9 libxl_device_p9
DESC(p9_desc, libxl_device_p9, U32(P9, backend_domid, 0), STR(P9, backend_domname), STR(P9, tag),
     STR(P9, path), STR(P9, security_model), INT(P9, devid, -1));
#undef P9

DESC(pvcallsif_desc, libxl_device_pvcallsif, U32(libxl_device_pvcallsif, backend_domid, 0),
     STR(libxl_device_pvcallsif, backend_domname), INT(libxl_device_pvcallsif, devid, -1));

DESC(connector_desc, libxl_connector_param, STR(libxl_connector_param, unique_id),
     U32(libxl_connector_param, width, 0), U32(libxl_connector_param, height, 0));

#define VD libxl_device_vdispl
DESC(vdispl_desc, libxl_device_vdispl, U32(VD, backend_domid, 0), STR(VD, backend_domname),
     INT(VD, devid, -1), BOOLF(VD, be_alloc),
     ARR(VD, connectors, num_connectors, &connector_desc, STRUCT));
#undef VD

typedef struct {
	char *path;
} channel_socket_t;
DESC(channel_socket_desc, channel_socket_t, STR(channel_socket_t, path));
static const struct libxl__union_case channel_u_cases[] = {
	{ LIBXL_CHANNEL_CONNECTION_UNKNOWN, "connection.unknown", NULL },
	{ LIBXL_CHANNEL_CONNECTION_PTY, "connection.pty", NULL },
	{ LIBXL_CHANNEL_CONNECTION_SOCKET, "connection.socket", &channel_socket_desc },
};
static const struct libxl__union_desc channel_u = { offsetof(libxl_device_channel, connection),
						    channel_u_cases, 3 };

#define CH libxl_device_channel
DESC(channel_desc, libxl_device_channel, U32(CH, backend_domid, 0), STR(CH, backend_domname),
     INT(CH, devid, -1), STR(CH, name), KEY(CH, connection, channel_connection, 0),
     FLD(CH, u, UNION, .uni = &channel_u));
#undef CH

#define UC libxl_device_usbctrl
DESC(usbctrl_desc, libxl_device_usbctrl, EN(UC, type, usbctrl_type, 0), INT(UC, devid, -1),
     INT(UC, version, 0), INT(UC, ports, 0), U32(UC, backend_domid, 0), STR(UC, backend_domname));
#undef UC

typedef struct {
	uint8_t hostbus;
	uint8_t hostaddr;
} usb_hostdev_t;
DESC(usb_hostdev_desc, usb_hostdev_t, U8(usb_hostdev_t, hostbus), U8(usb_hostdev_t, hostaddr));
static const struct libxl__union_case usbdev_u_cases[] = {
	{ LIBXL_USBDEV_TYPE_HOSTDEV, "type.hostdev", &usb_hostdev_desc },
};
static const struct libxl__union_desc usbdev_u = { offsetof(libxl_device_usbdev, type),
						   usbdev_u_cases, 1 };

#define UD libxl_device_usbdev
DESC(usbdev_desc, libxl_device_usbdev, INT(UD, ctrl, -1), INT(UD, port, 0),
     KEY(UD, type, usbdev_type, 0), FLD(UD, u, UNION, .uni = &usbdev_u));
#undef UD

#define VP libxl_vsnd_params
DESC(vsnd_params_desc, libxl_vsnd_params, ARR(VP, sample_rates, num_sample_rates, NULL, UINT32),
     FLD(VP, sample_formats, ARRAY, .elem = LIBXL__K_ENUM, .enm = &vsnd_pcm_format_desc,
	 .elem_size = sizeof(int), .count_offset = offsetof(VP, num_sample_formats)),
     U32(VP, channels_min, 0), U32(VP, channels_max, 0), U32(VP, buffer_size, 0));
#undef VP

DESC(vsnd_stream_desc, libxl_vsnd_stream, STR(libxl_vsnd_stream, unique_id),
     EN(libxl_vsnd_stream, type, vsnd_stream_type, 0),
     SUB(libxl_vsnd_stream, params, vsnd_params_desc));

DESC(vsnd_pcm_desc, libxl_vsnd_pcm, STR(libxl_vsnd_pcm, name),
     SUB(libxl_vsnd_pcm, params, vsnd_params_desc),
     ARR(libxl_vsnd_pcm, streams, num_vsnd_streams, &vsnd_stream_desc, STRUCT));

#define VS libxl_device_vsnd
DESC(vsnd_desc, libxl_device_vsnd, U32(VS, backend_domid, 0), STR(VS, backend_domname),
     INT(VS, devid, -1), STR(VS, short_name), STR(VS, long_name), SUB(VS, params, vsnd_params_desc),
     ARR(VS, pcms, num_vsnd_pcms, &vsnd_pcm_desc, STRUCT));
#undef VS

#define DC libxl_domain_config
DESC(libxl__domain_config_desc, libxl_domain_config, SUB(DC, c_info, c_info_desc),
     SUB(DC, b_info, libxl__domain_build_info_desc), ARR(DC, disks, num_disks, &disk_desc, STRUCT),
     ARR(DC, nics, num_nics, &nic_desc, STRUCT), ARR(DC, pcidevs, num_pcidevs, &pci_desc, STRUCT),
     ARR(DC, rdms, num_rdms, &rdm_desc, STRUCT), ARR(DC, dtdevs, num_dtdevs, &dtdev_desc, STRUCT),
     ARR(DC, vfbs, num_vfbs, &vfb_desc, STRUCT), ARR(DC, vkbs, num_vkbs, &vkb_desc, STRUCT),
     ARR(DC, virtios, num_virtios, &virtio_desc, STRUCT),
     ARR(DC, vtpms, num_vtpms, &vtpm_desc, STRUCT), ARR(DC, p9s, num_p9s, &p9_desc, STRUCT),
     ARR(DC, pvcallsifs, num_pvcallsifs, &pvcallsif_desc, STRUCT),
     ARR(DC, vdispls, num_vdispls, &vdispl_desc, STRUCT),
     ARR(DC, vsnds, num_vsnds, &vsnd_desc, STRUCT),
     ARR(DC, channels, num_channels, &channel_desc, STRUCT),
     ARR(DC, usbctrls, num_usbctrls, &usbctrl_desc, STRUCT),
     ARR(DC, usbdevs, num_usbdevs, &usbdev_desc, STRUCT),
     EN(DC, on_poweroff, action_on_shutdown, 1), EN(DC, on_reboot, action_on_shutdown, 1),
     EN(DC, on_watchdog, action_on_shutdown, 1), EN(DC, on_crash, action_on_shutdown, 1),
     EN(DC, on_soft_reset, action_on_shutdown, 1));
#undef DC

/* ---- generic init and dispose ---- */
static void *at(const void *p, size_t off)
{
	return (char *)p + off;
}

static const struct libxl__union_case *union_case(const struct libxl__field *f, const void *parent)
{
	int key = *(const int *)at(parent, f->uni->key_offset);
	int i;

	for (i = 0; i < f->uni->nr; i++)
		if (f->uni->cases[i].key == key)
			return &f->uni->cases[i];
	return NULL;
}

void libxl__struct_init(const struct libxl__struct_desc *d, void *p)
{
	const struct libxl__union_case *c;
	int i;

	memset(p, 0, d->size);
	for (i = 0; i < d->nr; i++) {
		const struct libxl__field *f = &d->fields[i];
		void *v = at(p, f->offset);

		switch (f->kind) {
		case LIBXL__K_INT:
		case LIBXL__K_ENUM:
			*(int *)v = (int)f->init;
			break;
		case LIBXL__K_UINT32:
			*(uint32_t *)v = (uint32_t)f->init;
			break;
		case LIBXL__K_UINT64:
			*(uint64_t *)v = (uint64_t)f->init;
			break;
		case LIBXL__K_STRUCT:
			libxl__struct_init(f->sub, v);
			break;
		default:
			break;
		}
	}
	/* Unions come after their key, so the key is initialised by now. */
	for (i = 0; i < d->nr; i++) {
		const struct libxl__field *f = &d->fields[i];

		if (f->kind != LIBXL__K_UNION)
			continue;
		c = union_case(f, p);
		if (c && c->sub)
			libxl__struct_init(c->sub, at(p, f->offset));
	}
}

static void array_dispose(const struct libxl__field *f, void *p)
{
	void **arr = at(p, f->offset);
	int *count = at(p, f->count_offset);
	int i;

	for (i = 0; *arr && i < *count; i++) {
		void *e = (char *)*arr + (size_t)i * f->elem_size;

		if (f->elem == LIBXL__K_STRUCT)
			libxl__struct_dispose(f->sub, e);
		else if (f->elem == LIBXL__K_BITMAP)
			libxl_bitmap_dispose(e);
	}
	free(*arr);
	*arr = NULL;
	*count = 0;
}

void libxl__struct_dispose(const struct libxl__struct_desc *d, void *p)
{
	const struct libxl__union_case *c;
	int i;

	for (i = 0; i < d->nr; i++) {
		const struct libxl__field *f = &d->fields[i];
		void *v = at(p, f->offset);

		switch (f->kind) {
		case LIBXL__K_STRING:
			free(*(char **)v);
			break;
		case LIBXL__K_BITMAP:
			libxl_bitmap_dispose(v);
			break;
		case LIBXL__K_STRING_LIST:
			libxl_string_list_dispose(v);
			break;
		case LIBXL__K_KV_LIST:
			libxl_key_value_list_dispose(v);
			break;
		case LIBXL__K_STRUCT:
			libxl__struct_dispose(f->sub, v);
			break;
		case LIBXL__K_ARRAY:
			array_dispose(f, p);
			break;
		case LIBXL__K_UNION:
			c = union_case(f, p);
			if (c && c->sub)
				libxl__struct_dispose(c->sub, v);
			break;
		default:
			break;
		}
	}
	/* Fields the tables keep out of JSON but which own memory. */
	if (d == &libxl__domain_build_info_desc)
		libxl_string_list_dispose(&((libxl_domain_build_info *)p)->cpuid);
	libxl__struct_init(d, p);
}

int libxl__field_is_default(const struct libxl__field *f, const void *p)
{
	const void *v = at(p, f->offset);
	static const uint8_t zero[16];

	switch (f->kind) {
	case LIBXL__K_STRING:
		return *(char *const *)v == NULL;
	case LIBXL__K_INT:
	case LIBXL__K_ENUM:
		return *(const int *)v == (int)f->init;
	case LIBXL__K_UINT8:
		return *(const uint8_t *)v == 0;
	case LIBXL__K_UINT32:
		return *(const uint32_t *)v == (uint32_t)f->init;
	case LIBXL__K_UINT64:
		return *(const uint64_t *)v == (uint64_t)f->init;
	case LIBXL__K_BOOL:
		return !*(const bool *)v;
	case LIBXL__K_DEFBOOL:
		return libxl_defbool_is_default(*(const libxl_defbool *)v);
	case LIBXL__K_UUID:
		return !memcmp(v, zero, 16);
	case LIBXL__K_MAC:
		return !memcmp(v, zero, 6);
	case LIBXL__K_BITMAP:
		return libxl_bitmap_is_empty(v);
	case LIBXL__K_STRING_LIST:
	case LIBXL__K_KV_LIST:
		return !*(char **const *)v || !**(char **const *)v;
	case LIBXL__K_ARRAY:
		return *(const int *)at(p, f->count_offset) == 0;
	case LIBXL__K_STRUCT:
	case LIBXL__K_UNION:
		return 0; /* aggregates are always printed, as Xen does */
	default:
		return 1;
	}
}

/* ---- public wrappers ---- */
#define WRAP(t, d)                              \
	void libxl_##t##_init(libxl_##t *p)     \
	{                                       \
		libxl__struct_init(&(d), p);    \
	}                                       \
	void libxl_##t##_dispose(libxl_##t *p)  \
	{                                       \
		libxl__struct_dispose(&(d), p); \
	}
WRAP(domain_config, libxl__domain_config_desc)
WRAP(domain_create_info, c_info_desc)
WRAP(domain_build_info, libxl__domain_build_info_desc)
WRAP(device_disk, disk_desc)
WRAP(device_nic, nic_desc)
WRAP(device_pci, pci_desc)
WRAP(device_dtdev, dtdev_desc)
WRAP(device_vfb, vfb_desc)
WRAP(device_vkb, vkb_desc)
WRAP(device_virtio, virtio_desc)
WRAP(device_vtpm, vtpm_desc)
WRAP(device_p9, p9_desc)
WRAP(device_pvcallsif, pvcallsif_desc)
WRAP(device_vdispl, vdispl_desc)
WRAP(device_channel, channel_desc)
WRAP(device_usbctrl, usbctrl_desc)
WRAP(device_usbdev, usbdev_desc)
WRAP(iomem_range, iomem_desc)
WRAP(vnode_info, vnode_desc)
WRAP(device_vsnd, vsnd_desc)
WRAP(vsnd_pcm, vsnd_pcm_desc)
WRAP(vsnd_stream, vsnd_stream_desc)

void libxl_domain_build_info_init_type(libxl_domain_build_info *b_info, libxl_domain_type type)
{
	const struct libxl__struct_desc *sub = NULL;

	b_info->type = type;
	if (type == LIBXL_DOMAIN_TYPE_HVM)
		sub = &hvm_desc;
	else if (type == LIBXL_DOMAIN_TYPE_PV)
		sub = &pv_desc;
	else if (type == LIBXL_DOMAIN_TYPE_PVH)
		sub = &pvh_desc;
	if (sub)
		libxl__struct_init(sub, &b_info->u);
}
