/*
 * Hypercall dispatch: one table {nr, name, handler, flags} serves guests (a
 * hypercall-page stub exits to xenhv) and domain 0 (privcmd socket
 * messages).  Handlers take the Xen ABI structures through the caller's
 * guest_access and return a value or -errno, as Xen's do.
 */
#ifndef XENHV_HYPERCALL_H
#define XENHV_HYPERCALL_H

#include <stddef.h>
#include <stdint.h>

#include "xenhv.h"

/* Reading and writing the caller's memory at the addresses it passed. */
struct guest_access {
	int (*read)(void *opaque, uint64_t addr, void *dst, size_t len);
	int (*write)(void *opaque, uint64_t addr, const void *src, size_t len);
	void *opaque;
};

struct hc_ctx {
	struct xenhv *hv;
	struct domain *caller;
	struct vcpu *vcpu; /* NULL for privcmd */
	const struct guest_access *mem;
};

#define HC_GUEST (1u << 0) /* a guest may call it */
#define HC_CONTROL (1u << 1) /* domain 0 may call it over privcmd */

typedef int64_t (*hypercall_fn)(struct hc_ctx *ctx, const uint64_t *args);

struct hypercall_desc {
	unsigned int nr;
	const char *name;
	hypercall_fn handler;
	unsigned int flags;
};

int64_t hypercall_dispatch(struct hc_ctx *ctx, uint64_t nr, const uint64_t args[5]);
const char *hypercall_name(uint64_t nr);

static inline int copy_from_guest(struct hc_ctx *ctx, void *dst, uint64_t addr, size_t len)
{
	return ctx->mem->read(ctx->mem->opaque, addr, dst, len);
}

static inline int copy_to_guest(struct hc_ctx *ctx, uint64_t addr, const void *src, size_t len)
{
	return ctx->mem->write(ctx->mem->opaque, addr, src, len);
}

/* The handlers, one module each. */
int64_t do_console_io(struct hc_ctx *ctx, const uint64_t *args);
int64_t do_xen_version(struct hc_ctx *ctx, const uint64_t *args);
int64_t do_sched_op(struct hc_ctx *ctx, const uint64_t *args);
int64_t do_hvm_op(struct hc_ctx *ctx, const uint64_t *args);
int64_t do_memory_op(struct hc_ctx *ctx, const uint64_t *args);
int64_t do_vcpu_op(struct hc_ctx *ctx, const uint64_t *args);
int64_t do_domctl(struct hc_ctx *ctx, const uint64_t *args);
int64_t do_sysctl(struct hc_ctx *ctx, const uint64_t *args);
int64_t do_event_channel_op(struct hc_ctx *ctx, const uint64_t *args);

/* guest_access.c: a vCPU's virtual addresses through its page tables. */
struct vcpu_access {
	struct domain *d;
	const struct vcpu_regs *regs;
};
void vcpu_access_init(struct guest_access *ga, struct vcpu_access *va, struct domain *d,
		      const struct vcpu_regs *regs);
/* Translate a guest virtual address; -EFAULT when not mapped (or not writable for write). */
int guest_translate(const struct domain_memory *mem, const struct vcpu_regs *regs, uint64_t va,
		    bool write, uint64_t *gpa);

#endif
