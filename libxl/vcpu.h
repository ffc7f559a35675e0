/*
 * libxl/vcpu.h: what create needs from libxl/vcpu.c.
 */
#ifndef LIBXL_VCPU_H
#define LIBXL_VCPU_H

#include <stdint.h>

#include "libxl.h"

/*
 * The config's cpus= / cpus_soft= (b_info->vcpu_hard_affinity[] and
 * vcpu_soft_affinity[], one map per vCPU; b_info->cpumap for the vCPUs
 * past them) applied to the new domain's vCPUs, as Xen's
 * libxl__build_pre does.  A map with no CPU of the host fails, as on Xen.
 */
int libxl__vcpu_affinity_from_config(libxl_ctx *ctx, uint32_t domid,
				     const libxl_domain_build_info *b_info);

#endif /* LIBXL_VCPU_H */
