/*
 * libxl/create_hvm.h: the HVM part of the domain lifecycle (create_hvm.c),
 * called from create.c and domain.c where the type is HVM.
 */
#ifndef LIBXL_CREATE_HVM_H
#define LIBXL_CREATE_HVM_H

#include <stdbool.h>
#include <stdint.h>

#include "dm.h"
#include "libxl.h"

/* Xen's XEN_X86_EMU_ALL: the emulation flags of an HVM domain. */
#define LIBXL__EMU_ALL 0x7ffu

/* The device model's config and the storage its pointers refer to. */
struct libxl__hvm_dm_config {
	struct libxl__dm_config cfg;
	struct libxl__dm_disk *disks;
	struct libxl__dm_nic *nics;
	char (*macs)[18];
	const char **extra;
};

/*
 * libxl's config to the device model's (pure: pointers into d_config, no
 * file or process touched; tests/unit/test-libxl-hvm).  Logs and returns
 * ERROR_* for what an HVM domain cannot have (RAM not in whole MiB, or
 * above the flat layout).  QEMU is always started stopped (-S).
 */
int libxl__hvm_dm_config_fill(libxl_ctx *ctx, uint32_t domid, libxl_domain_config *d_config,
			      struct libxl__hvm_dm_config *h);
void libxl__hvm_dm_config_dispose(struct libxl__hvm_dm_config *h);

/*
 * Checks an HVM config before anything is created: memory layout, files
 * (kernel, disks), the VNC port.  Logs the reason and returns ERROR_*.
 */
int libxl__hvm_config_check(libxl_ctx *ctx, libxl_domain_config *d_config);

/*
 * Step 4 for HVM: the domain's RAM and special pages (store and console
 * rings, *store_pfn and *console_pfn) in xenhv, QEMU on its memfd, stopped
 * until libxl__hvm_pause(.., false), the serial pty and QEMU's pid in
 * xenstore, NICs on their bridges, and the watcher that turns QEMU's end
 * into the domain's shutdown reason.  On error QEMU is gone; the caller
 * destroys the domain.
 */
int libxl__hvm_build(libxl_ctx *ctx, uint32_t domid, libxl_domain_config *d_config,
		     uint64_t *store_pfn, uint64_t *console_pfn);

/* QEMU's CPU time in ns (what `xl list` shows for an HVM domain); 0 if unknown. */
uint64_t libxl__hvm_cpu_time(libxl_ctx *ctx, uint32_t domid);

/* QMP stop / cont of the domain's QEMU, when it has one. */
int libxl__hvm_pause(libxl_ctx *ctx, uint32_t domid, bool pause);

/* Whether the guest runs Xen's PV drivers (HVM_PARAM_CALLBACK_IRQ set), as Xen checks. */
bool libxl__hvm_pvcontrol_available(libxl_ctx *ctx, uint32_t domid);

#endif /* LIBXL_CREATE_HVM_H */
