/*
 * vcpu_op: SMP bring-up (initialise with an HVM context, up, down, is_up)
 * and the shared areas a guest registers per vCPU (vcpu_info, runstate).
 * Timers are timer_hv.c's.
 */
#include <errno.h>
#include <string.h>

#include <xen/vcpu.h>

#include "domain.h"
#include "evtchn.h"
#include "hypercall.h"
#include "timer_hv.h"

static int64_t vcpu_op_initialise(struct hc_ctx *ctx, unsigned int id, uint64_t arg)
{
	struct vcpu_hvm_context hctx;
	struct vcpu *v;
	int rc;

	if (copy_from_guest(ctx, &hctx, arg, sizeof(hctx)))
		return -EFAULT;
	if (hctx.mode != VCPU_HVM_MODE_32B && hctx.mode != VCPU_HVM_MODE_64B)
		return -EINVAL;
	v = vcpu_get(ctx->caller, id);
	if (v && v->initialised)
		return -EEXIST; /* Xen: initialise once, while down */
	rc = vcpu_create(ctx->caller, id, &v);
	if (rc)
		return rc;
	rc = ctx->caller->hv->ops->vcpu_set_hvm_context(v, &hctx);
	if (rc)
		return rc;
	v->initialised = true;
	return 0;
}

/*
 * As Xen's map_vcpu_info: the old contents move to the new area first
 * (evtchn_upcall_mask, pending selector, time), or Linux, which registers
 * with events masked, would find them reset; then a fresh time record.
 */
static int vcpu_op_move_vcpu_info(struct vcpu *v, struct vcpu_info *to)
{
	struct domain *d = v->domain;
	struct vcpu_info *from = evtchn_vcpu_info(d->evtchn, v->id);
	int rc;

	if (from && from != to)
		memmove(to, from, sizeof(*to));
	rc = evtchn_vcpu_set_info(d->evtchn, v->id, to);
	if (rc)
		return rc;
	vcpu_timer_publish(v);
	return 0;
}

int64_t do_vcpu_op(struct hc_ctx *ctx, const uint64_t *args)
{
	struct domain *d = ctx->caller;
	unsigned int id = (unsigned int)args[1];
	struct vcpu_register_vcpu_info info;
	struct vcpu_register_runstate_memory_area area;
	struct vcpu *v;

	if (args[1] >= d->max_vcpus)
		return -ENOENT;
	if (args[0] == VCPUOP_initialise)
		return vcpu_op_initialise(ctx, id, args[2]);
	v = vcpu_get(d, id);
	switch (args[0]) {
	case VCPUOP_up:
		if (!v)
			return -EINVAL;
		return vcpu_up(v);
	case VCPUOP_down:
		if (!v)
			return 0;
		return vcpu_down(v);
	case VCPUOP_is_up:
		return v && v->online;
	case VCPUOP_get_runstate_info:
		if (!v)
			return -ENOENT;
		return copy_to_guest(ctx, args[2], &v->runstate, sizeof(v->runstate)) ? -EFAULT : 0;
	case VCPUOP_register_runstate_memory_area:
		if (!v)
			return -ENOENT;
		if (copy_from_guest(ctx, &area, args[2], sizeof(area)))
			return -EFAULT;
		v->runstate_guest_addr = area.addr.p;
		return 0;
	case VCPUOP_set_periodic_timer:
	case VCPUOP_stop_periodic_timer:
	case VCPUOP_set_singleshot_timer:
	case VCPUOP_stop_singleshot_timer:
		if (!v)
			return -ENOENT;
		return vcpu_op_timer(ctx, v, (unsigned int)args[0], args[2]);
	case VCPUOP_register_vcpu_info:
		if (!v)
			return -ENOENT;
		if (copy_from_guest(ctx, &info, args[2], sizeof(info)))
			return -EFAULT;
		if (info.offset > 4096 - sizeof(struct vcpu_info) || info.rsvd)
			return -EINVAL;
		if (v->vcpu_info_registered)
			return -EINVAL; /* Xen: once */
		if (!memory_gpa_ptr(&d->mem, (info.mfn << 12) + info.offset,
				    sizeof(struct vcpu_info)))
			return -EINVAL;
		v->vcpu_info_gfn = info.mfn;
		v->vcpu_info_offset = info.offset;
		v->vcpu_info_registered = true;
		if (!d->evtchn)
			return 0;
		return vcpu_op_move_vcpu_info(v, memory_gpa_ptr(&d->mem,
								(info.mfn << 12) + info.offset,
								sizeof(struct vcpu_info)));
	}
	return -ENOSYS;
}
