/*
 * An in-memory backend for xenhv's ops table: the hypervisor logic (domain
 * table, memory, vCPU loop, hypercalls) runs in unit tests and fuzz targets
 * without /dev/kvm.  A fake vCPU returns the exits scripted for it, then
 * "runs the guest" until kicked.
 */
#ifndef HV_FAKE_BACKEND_H
#define HV_FAKE_BACKEND_H

#include <pthread.h>
#include <stdbool.h>

#include "../../hypervisor/xenhv.h"

#define FAKE_SCRIPT_MAX 32

struct fake_vcpu {
	pthread_mutex_t m;
	pthread_cond_t c;
	bool kicked;
	struct vcpu_exit script[FAKE_SCRIPT_MAX];
	struct vcpu_regs script_regs[FAKE_SCRIPT_MAX];
	unsigned int n, pos;
	struct vcpu_regs regs;
	unsigned int runs;
	bool msr_error;
	struct vcpu_hvm_context ctx;
};

struct fake_backend {
	unsigned int domains_created, domains_destroyed;
	unsigned int vcpus_created, vcpus_destroyed;
	int64_t mapped_pages; /* pages currently mapped into fake VMs */
	bool fail_domain_create;
};

extern const struct hv_backend_ops fake_backend_ops;

/* Queue an exit (with the registers the vCPU has at that exit). */
void fake_vcpu_script(struct vcpu *v, const struct vcpu_exit *exit, const struct vcpu_regs *regs);
/* The registers the vCPU has now (rax holds a hypercall's result). */
struct vcpu_regs fake_vcpu_regs(struct vcpu *v);

#endif
