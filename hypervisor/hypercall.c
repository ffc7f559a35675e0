/*
 * The hypercall table and the small guest-facing hypercalls: console_io,
 * xen_version, sched_op, hvm_op.  Unknown numbers get -ENOSYS, as on Xen.
 * Guest mistakes are logged rate-limited (a guest must not fill the log).
 */
#include <errno.h>
#include <string.h>

#include <xen/hvm/params.h>
#include <xen/sched.h>
#include <xen/version.h>

#include "domain.h"
#include "events.h"
#include "evtchn.h"
#include "gnttab_op.h"
#include "hypercall.h"
#include "pvh/pvh.h"
#include "timer_hv.h"

#define CONSOLE_IO_MAX 4096 /* bytes per console_io write, like Xen's chunks */

static const struct hypercall_desc hypercall_table[] = {
	{ __HYPERVISOR_memory_op, "memory_op", do_memory_op, HC_GUEST | HC_CONTROL },
	{ __HYPERVISOR_xen_version, "xen_version", do_xen_version, HC_GUEST | HC_CONTROL },
	{ __HYPERVISOR_console_io, "console_io", do_console_io, HC_GUEST | HC_CONTROL },
	{ __HYPERVISOR_vcpu_op, "vcpu_op", do_vcpu_op, HC_GUEST },
	{ __HYPERVISOR_set_timer_op, "set_timer_op", do_set_timer_op, HC_GUEST },
	{ __HYPERVISOR_sched_op, "sched_op", do_sched_op, HC_GUEST | HC_CONTROL },
	{ __HYPERVISOR_hvm_op, "hvm_op", do_hvm_op, HC_GUEST | HC_CONTROL },
	{ __HYPERVISOR_event_channel_op, "event_channel_op", do_event_channel_op,
	  HC_GUEST | HC_CONTROL },
	{ __HYPERVISOR_sysctl, "sysctl", do_sysctl, HC_CONTROL },
	{ __HYPERVISOR_domctl, "domctl", do_domctl, HC_CONTROL },
	{ __HYPERVISOR_grant_table_op, "grant_table_op", do_grant_table_op, HC_GUEST | HC_CONTROL },
};

static const struct hypercall_desc *hypercall_find(uint64_t nr)
{
	size_t i;

	for (i = 0; i < sizeof(hypercall_table) / sizeof(hypercall_table[0]); i++)
		if (hypercall_table[i].nr == nr)
			return &hypercall_table[i];
	return NULL;
}

const char *hypercall_name(uint64_t nr)
{
	const struct hypercall_desc *desc = hypercall_find(nr);

	return desc ? desc->name : "unknown";
}

int64_t hypercall_dispatch(struct hc_ctx *ctx, uint64_t nr, const uint64_t args[5])
{
	const struct hypercall_desc *desc = hypercall_find(nr);
	unsigned int need = ctx->vcpu ? HC_GUEST : HC_CONTROL;

	if (!desc || !(desc->flags & need))
		return -ENOSYS;
	return desc->handler(ctx, args);
}

int64_t do_console_io(struct hc_ctx *ctx, const uint64_t *args)
{
	char buf[256];
	uint64_t cmd = args[0], count = args[1], addr = args[2], done = 0;

	if (cmd == CONSOLEIO_read)
		return 0; /* no hypervisor console input yet */
	if (cmd != CONSOLEIO_write)
		return -ENOSYS;
	if (count > CONSOLE_IO_MAX)
		count = CONSOLE_IO_MAX;
	while (done < count) {
		size_t n = count - done;

		if (n > sizeof(buf))
			n = sizeof(buf);
		if (copy_from_guest(ctx, buf, addr + done, n))
			return -EFAULT;
		pvh_console_write(ctx->caller, buf, n);
		done += n;
	}
	return 0;
}

static int64_t xen_version_string(struct hc_ctx *ctx, uint64_t addr, const char *s, size_t size)
{
	char buf[1024];

	memset(buf, 0, size);
	strncpy(buf, s, size - 1);
	return copy_to_guest(ctx, addr, buf, size) ? -EFAULT : 0;
}

int64_t do_xen_version(struct hc_ctx *ctx, const uint64_t *args)
{
	uint64_t cmd = args[0], addr = args[1];
	struct xen_feature_info fi;
	struct xen_platform_parameters pp;
	struct xen_compile_info ci;

	switch (cmd) {
	case XENVER_version:
		return (PVH_XEN_MAJOR << 16) | PVH_XEN_MINOR;
	case XENVER_extraversion:
		return xen_version_string(ctx, addr, ".0-kxen", sizeof(xen_extraversion_t));
	case XENVER_compile_info:
		memset(&ci, 0, sizeof(ci));
		strcpy(ci.compiler, "gcc");
		strcpy(ci.compile_by, "kxen");
		strcpy(ci.compile_domain, "kxen");
		strcpy(ci.compile_date, __DATE__);
		return copy_to_guest(ctx, addr, &ci, sizeof(ci)) ? -EFAULT : 0;
	case XENVER_capabilities:
		return xen_version_string(
			ctx, addr, "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64",
			sizeof(xen_capabilities_info_t));
	case XENVER_changeset:
		return xen_version_string(ctx, addr, "kxen", sizeof(xen_changeset_info_t));
	case XENVER_platform_parameters:
		pp.virt_start = 0xffff800000000000ul;
		return copy_to_guest(ctx, addr, &pp, sizeof(pp)) ? -EFAULT : 0;
	case XENVER_get_features:
		if (copy_from_guest(ctx, &fi, addr, sizeof(fi)))
			return -EFAULT;
		fi.submap = 0;
		if (fi.submap_idx == 0) {
			fi.submap = (1u << XENFEAT_writable_page_tables) |
				    (1u << XENFEAT_writable_descriptor_tables) |
				    (1u << XENFEAT_auto_translated_physmap) |
				    (1u << XENFEAT_supervisor_mode_kernel) |
				    (1u << XENFEAT_hvm_callback_vector) |
				    (1u << XENFEAT_hvm_safe_pvclock) |
				    (1u << XENFEAT_linux_rsdp_unrestricted);
			if (ctx->caller->domid == 0)
				fi.submap |= 1u << XENFEAT_dom0;
		}
		return copy_to_guest(ctx, addr, &fi, sizeof(fi)) ? -EFAULT : 0;
	case XENVER_pagesize:
		return 4096;
	case XENVER_guest_handle:
		return copy_to_guest(ctx, addr, ctx->caller->handle, sizeof(xen_domain_handle_t))
			       ? -EFAULT
			       : 0;
	case XENVER_commandline:
		/* Xen hides its command line from unprivileged guests. */
		return xen_version_string(ctx, addr, "", sizeof(xen_commandline_t));
	case XENVER_build_id:
		return -ENODATA;
	}
	return -ENOSYS;
}

int64_t do_sched_op(struct hc_ctx *ctx, const uint64_t *args)
{
	struct domain *d = ctx->caller;
	struct sched_remote_shutdown rs;
	struct sched_shutdown ss;

	/* Domain 0 over privcmd has no vCPU to yield or block. */
	if (!ctx->vcpu && args[0] != SCHEDOP_remote_shutdown)
		return -EINVAL;
	switch (args[0]) {
	case SCHEDOP_remote_shutdown:
		if (d->domid != 0)
			return -EPERM;
		if (copy_from_guest(ctx, &rs, args[1], sizeof(rs)))
			return -EFAULT;
		d = domain_lookup(ctx->hv, rs.domain_id);
		if (!d || d->type == DOMAIN_TYPE_CONTROL)
			return -ESRCH;
		return domain_shutdown(d, rs.reason);
	case SCHEDOP_yield:
		return 0;
	case SCHEDOP_block:
		/* Xen's vcpu_block_enable_events: unmask, then check, then sleep. */
		if (d->evtchn) {
			struct vcpu_info *vi = evtchn_vcpu_info(d->evtchn, ctx->vcpu->id);

			if (vi)
				__atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
		}
		if (vcpu_events_pending(ctx->vcpu))
			return 0;
		vcpu_block(ctx->vcpu);
		return 0;
	case SCHEDOP_shutdown:
		if (copy_from_guest(ctx, &ss, args[1], sizeof(ss)))
			return -EFAULT;
		if (ss.reason > SHUTDOWN_MAX)
			return -EINVAL;
		return domain_shutdown(d, ss.reason);
	case SCHEDOP_shutdown_code:
		if (copy_from_guest(ctx, &ss, args[1], sizeof(ss)))
			return -EFAULT;
		if (ss.reason > SHUTDOWN_MAX)
			return -EINVAL;
		/* The first code set stays, as on Xen. */
		if (d->shutdown_code == ~0u)
			d->shutdown_code = ss.reason;
		return 0;
	case SCHEDOP_poll:
		return sched_op_poll(ctx, args[1]);
	}
	return -ENOSYS;
}

int64_t do_hvm_op(struct hc_ctx *ctx, const uint64_t *args)
{
	struct xen_hvm_param p;
	struct domain *d;

	if (args[0] == HVMOP_set_evtchn_upcall_vector)
		return hvm_set_upcall_vector(ctx, args[1]);
	if (args[0] != HVMOP_set_param && args[0] != HVMOP_get_param)
		return -ENOSYS;
	if (copy_from_guest(ctx, &p, args[1], sizeof(p)))
		return -EFAULT;
	if (p.index >= HVM_NR_PARAMS)
		return -EINVAL;
	d = domain_lookup_for(ctx->hv, ctx->caller, p.domid);
	if (!d)
		return -ESRCH;
	/* A guest may reach only its own parameters. */
	if (ctx->vcpu && d != ctx->caller)
		return -EPERM;
	if (d->type == DOMAIN_TYPE_CONTROL || d->type == DOMAIN_TYPE_PV)
		return -EINVAL;
	if (args[0] == HVMOP_get_param) {
		p.value = d->hvm_params[p.index];
		return copy_to_guest(ctx, args[1], &p, sizeof(p)) ? -EFAULT : 0;
	}
	/* Guests may set only the callback; the toolstack sets the rest. */
	if (ctx->vcpu && p.index != HVM_PARAM_CALLBACK_IRQ)
		return -EPERM;
	d->hvm_params[p.index] = p.value;
	/*
	 * The rings' reserved grant entries for domain 0, as Xen's builder
	 * seeds them (xenconsoled and xenstored map GNTTAB_RESERVED_*).
	 */
	if (p.index == HVM_PARAM_CONSOLE_PFN || p.index == HVM_PARAM_STORE_PFN)
		hv_gnttab_seed_ring(d, p.index == HVM_PARAM_CONSOLE_PFN, p.value);
	return 0;
}
