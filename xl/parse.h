/*
 * xl/parse.h: xl.cfg to libxl_domain_config, as Xen's xl_parse.c does it.
 *
 * Xen's xl exits from deep inside its parser; here the parser returns the
 * exit status Xen's xl would have used (1 for most errors, 3 for those
 * Xen reports with exit(-ERROR_FAIL)), so that it can run in a unit test
 * or a fuzzer, and xl's main exits with it.
 */
#ifndef XL_PARSE_H
#define XL_PARSE_H

#include <stdio.h>

#include "libxl.h"
#include "libxlutil.h"

/* The xl.conf settings that the domain parser uses. */
struct xl_global_config {
	int run_hotplug_scripts; /* 1 */
	int claim_mode; /* 1 */
	long max_grant_frames; /* -1: libxl's default */
	long max_maptrack_frames;
	char *blkdev_start;
	char *default_vifscript;
	char *default_bridge;
	char *default_gatewaydev;
	char *default_vifbackend;
	int output_format_sxp;
	char *lockfile;
	/* vm.cpumask, vm.pv.cpumask, vm.hvm.cpumask: every CPU by default */
	libxl_bitmap vm_cpumask, pv_cpumask, hvm_cpumask;
};

void xl_global_config_init(struct xl_global_config *gc);
void xl_global_config_dispose(struct xl_global_config *gc);
/* Reads xl.conf's contents (config_source names it in messages). */
int xl_global_config_parse(struct xl_global_config *gc, const char *config_source, const char *data,
			   int len, FILE *report);

/*
 * Applies xl.conf's vm[.pv|.hvm].cpumask to the vCPUs' hard affinity, as
 * xl create does unless --ignore-global-affinity-masks.  0 or an exit
 * status ("vcpu hard affinity map is empty").
 */
int xl_global_affinity_apply(const struct xl_global_config *gc, libxl_domain_build_info *b,
			     FILE *report);

/*
 * Parses config_data (config_len bytes, from config_source) into the
 * initialised d_config.  Messages go to report.  Returns 0, or the exit
 * status for xl.
 */
int xl_parse_config_data(const struct xl_global_config *gc, const char *config_source,
			 const char *config_data, int config_len, libxl_domain_config *d_config,
			 FILE *report);

/* Devices (parse_devices.c); each returns 0 or an exit status. */
int xl_parse_disks(XLU_Config *config, libxl_domain_config *d_config);
int xl_parse_p9s(XLU_Config *config, libxl_domain_config *d_config, FILE *report);
int xl_parse_vtpms(XLU_Config *config, libxl_domain_config *d_config, FILE *report);
int xl_parse_vdispls(XLU_Config *config, libxl_domain_config *d_config, FILE *report);
int xl_parse_pvcalls(XLU_Config *config, libxl_domain_config *d_config, FILE *report);
int xl_parse_channels(XLU_Config *config, libxl_domain_config *d_config, FILE *report);
int xl_parse_nics(const struct xl_global_config *gc, XLU_Config *config,
		  libxl_domain_config *d_config, FILE *report);
int xl_parse_vfbs(XLU_Config *config, libxl_domain_config *d_config);
int xl_parse_usb(XLU_Config *config, libxl_domain_config *d_config, FILE *report);
int xl_parse_vkbs(XLU_Config *config, libxl_domain_config *d_config, FILE *report);
int xl_parse_pcis(XLU_Config *config, libxl_domain_config *d_config, FILE *report);

/* HVM and device model keys (parse_hvm.c); 0 or an exit status. */
int xl_parse_hvm_firmware(XLU_Config *config, libxl_domain_build_info *b, FILE *report);
int xl_parse_hvm_devices(XLU_Config *config, libxl_domain_build_info *b, FILE *report);
int xl_parse_device_model(XLU_Config *config, libxl_domain_config *d, FILE *report);

/* vsnd= (parse_vsnd.c); 0 or an exit status. */
int xl_parse_vsnds(XLU_Config *config, libxl_domain_config *d, FILE *report);

/* vnuma= (parse_vnuma.c); 0 or an exit status. */
int xl_parse_vnuma(XLU_Config *config, libxl_domain_build_info *b, FILE *report);

/* One "key=value" item of a vif spec; 1 if it is not understood. */
int xl_parse_nic_token(XLU_Config *config, libxl_device_nic *nic, char *token, FILE *report,
		       int *exit_status);

/* Helpers shared with other commands (vcpu-pin, mem-set...). */
int xl_parse_cpurange(const char *cpu, libxl_bitmap *cpumap, FILE *report);
int64_t xl_parse_mem_size_kb(const char *mem);

#endif /* XL_PARSE_H */
