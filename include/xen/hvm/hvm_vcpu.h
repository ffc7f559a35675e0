/*
 * Xen's public ABI: the HVM vCPU context of VCPUOP_initialise
 * (public/hvm/hvm_vcpu.h).  kxen keeps it in vcpu.h with the other vcpu_op
 * structures; this header is there for code written against Xen's layout.
 */
#ifndef KXEN_XEN_HVM_HVM_VCPU_H
#define KXEN_XEN_HVM_HVM_VCPU_H

#include "../vcpu.h"

#endif
