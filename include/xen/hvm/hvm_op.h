/* Xen's public ABI: the hvm_op hypercall (public/hvm/hvm_op.h). */
#ifndef KXEN_XEN_HVM_HVM_OP_H
#define KXEN_XEN_HVM_HVM_OP_H

#include "../xen.h"

#define HVMOP_set_param 0
#define HVMOP_get_param 1
#define HVMOP_flush_tlbs 5
#define HVMOP_pagetable_dying 9
#define HVMOP_get_time 10
#define HVMOP_set_evtchn_upcall_vector 23
#define HVMOP_guest_request_vm_event 24

struct xen_hvm_param {
	domid_t domid;
	uint16_t pad;
	uint32_t index;
	uint64_t value;
};
typedef struct xen_hvm_param xen_hvm_param_t;

/* HVMOP_set_evtchn_upcall_vector: a per-vCPU upcall vector. */
struct xen_hvm_evtchn_upcall_vector {
	uint32_t vcpu;
	uint8_t vector;
};
typedef struct xen_hvm_evtchn_upcall_vector xen_hvm_evtchn_upcall_vector_t;

#endif
