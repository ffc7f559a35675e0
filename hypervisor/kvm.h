/* The KVM backend of the hypervisor ops table (see kvm.c). */
#ifndef XENHV_KVM_H
#define XENHV_KVM_H

#include <stddef.h>

#include "xenhv.h"

struct kvm_cpuid2;

struct kvm_backend {
	int fd; /* /dev/kvm */
	int run_size;
	bool split_irqchip;
	uint32_t tsc_khz; /* 0 if KVM would not tell */
	struct kvm_cpuid2 *cpuid; /* host-supported leaves, KVM's own removed */
};

/* Open /dev/kvm and check the capabilities xenhv needs; err names what is missing. */
int kvm_backend_open(struct kvm_backend *kb, char *err, size_t errlen);
void kvm_backend_close(struct kvm_backend *kb);

extern const struct hv_backend_ops kvm_backend_ops;

#endif
