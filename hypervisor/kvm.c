/*
 * The KVM backend of the hypervisor ops table: one KVM VM per domain (so a
 * domain's guest-physical space holds only its own memory), one KVM vCPU per
 * vCPU, memslots for populated runs of the domain's memfd.
 *
 * What xenhv needs from KVM, checked at start (kvm_backend_open):
 * KVM_CAP_X86_USER_SPACE_MSR and KVM_CAP_X86_MSR_FILTER (the hypercall-page
 * MSR exits to xenhv; KVM_CAP_XEN_HVM is not required), KVM_CAP_SYNC_REGS
 * (registers come with the exit, no ioctl per hypercall),
 * KVM_CAP_IMMEDIATE_EXIT (kicking a vCPU without races), and
 * KVM_CAP_USER_MEMORY.  KVM_CAP_SPLIT_IRQCHIP is used when present (an
 * in-kernel local APIC for upcall vectors and guest timers, no PIC/IOAPIC).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xen/sys/privcmd.h>

#include "kvm.h"
#include "pvh/pvh.h"

#define KVM_MAX_SLOTS 4096
#define KVM_CPUID_MAX 256
#define KVM_KICK_SIGNAL SIGUSR1

struct kvm_slot {
	bool used;
	uint64_t gfn, nr;
};

struct kvm_vm {
	int fd;
	struct kvm_slot slots[KVM_MAX_SLOTS];
	unsigned int nr_slots; /* high-water mark of used indexes */
	bool split_irqchip;
};

struct kvm_vcpu {
	int fd;
	struct kvm_run *run;
	bool signals_ready;
	uint32_t pending_msr_exit; /* KVM_EXIT_X86_RDMSR/WRMSR being handled */
	int64_t tsc_offset; /* guest TSC - host TSC, see kvm_vcpu_read_tsc */
};

static const struct {
	int cap;
	const char *name;
	const char *why;
} kvm_required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest memory" },
	{ KVM_CAP_X86_USER_SPACE_MSR, "KVM_CAP_X86_USER_SPACE_MSR", "the hypercall-page MSR exit" },
	{ KVM_CAP_X86_MSR_FILTER, "KVM_CAP_X86_MSR_FILTER", "the hypercall-page MSR exit" },
	{ KVM_CAP_SYNC_REGS, "KVM_CAP_SYNC_REGS", "registers on exits" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "vCPU kicks" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "Xen CPUID leaves" },
};

static void kvm_kick_handler(int sig)
{
	(void)sig; /* only interrupts KVM_RUN */
}

/* The guests' TSC rate (CPUID time leaf, physinfo): ask a scratch vCPU. */
static uint32_t kvm_probe_tsc_khz(int kvm_fd)
{
	int vm = ioctl(kvm_fd, KVM_CREATE_VM, 0), vcpu, khz = 0;

	if (vm < 0)
		return 0;
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu >= 0) {
		khz = ioctl(vcpu, KVM_GET_TSC_KHZ, 0);
		close(vcpu);
	}
	close(vm);
	return khz > 0 ? (uint32_t)khz : 0;
}

int kvm_backend_open(struct kvm_backend *kb, char *err, size_t errlen)
{
	struct sigaction sa;
	size_t i;
	int nent;

	memset(kb, 0, sizeof(*kb));
	kb->fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kb->fd < 0) {
		snprintf(err, errlen, "cannot open /dev/kvm: %s", strerror(errno));
		return -errno;
	}
	if (ioctl(kb->fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		snprintf(err, errlen, "/dev/kvm: unsupported KVM API version");
		goto fail;
	}
	for (i = 0; i < sizeof(kvm_required_caps) / sizeof(kvm_required_caps[0]); i++) {
		if (ioctl(kb->fd, KVM_CHECK_EXTENSION, kvm_required_caps[i].cap) <= 0) {
			snprintf(err, errlen, "this host's KVM lacks %s (needed for %s)",
				 kvm_required_caps[i].name, kvm_required_caps[i].why);
			goto fail;
		}
	}
	if ((ioctl(kb->fd, KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS) &
	     (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) !=
	    (KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)) {
		snprintf(err, errlen, "KVM_CAP_SYNC_REGS lacks regs/sregs");
		goto fail;
	}
	kb->split_irqchip = ioctl(kb->fd, KVM_CHECK_EXTENSION, KVM_CAP_SPLIT_IRQCHIP) > 0;
	kb->run_size = ioctl(kb->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (kb->run_size <= 0) {
		snprintf(err, errlen, "KVM_GET_VCPU_MMAP_SIZE failed");
		goto fail;
	}
	kb->cpuid = calloc(1, sizeof(*kb->cpuid) + KVM_CPUID_MAX * sizeof(struct kvm_cpuid_entry2));
	if (!kb->cpuid)
		goto fail;
	kb->cpuid->nent = KVM_CPUID_MAX;
	if (ioctl(kb->fd, KVM_GET_SUPPORTED_CPUID, kb->cpuid) < 0) {
		snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		goto fail;
	}
	/* Drop KVM's own hypervisor leaves: guests must see Xen there. */
	nent = 0;
	for (i = 0; i < kb->cpuid->nent; i++) {
		uint32_t fn = kb->cpuid->entries[i].function;

		if (fn >= 0x40000000 && fn < 0x40010000)
			continue;
		kb->cpuid->entries[nent++] = kb->cpuid->entries[i];
	}
	kb->cpuid->nent = (uint32_t)nent;
	kb->tsc_khz = kvm_probe_tsc_khz(kb->fd);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kvm_kick_handler; /* no SA_RESTART: KVM_RUN returns */
	sigaction(KVM_KICK_SIGNAL, &sa, NULL);
	return 0;
fail:
	if (!err[0])
		snprintf(err, errlen, "out of memory");
	close(kb->fd);
	kb->fd = -1;
	free(kb->cpuid);
	kb->cpuid = NULL;
	return -ENODEV;
}

void kvm_backend_close(struct kvm_backend *kb)
{
	if (kb->fd >= 0)
		close(kb->fd);
	kb->fd = -1;
	free(kb->cpuid);
	kb->cpuid = NULL;
}

static struct kvm_backend *kvm_of(struct domain *d)
{
	return d->hv->backend;
}

static int kvm_domain_create(struct domain *d)
{
	struct kvm_backend *kb = kvm_of(d);
	static uint8_t deny_bitmap[1]; /* bit clear = deny = exit to us */
	struct kvm_msr_filter filter = { .flags = KVM_MSR_FILTER_DEFAULT_ALLOW };
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };
	struct kvm_vm *vm;
	int rc;

	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->fd = ioctl(kb->fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		rc = -errno;
		free(vm);
		return rc;
	}
	cap.args[0] = KVM_MSR_EXIT_REASON_FILTER;
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap) < 0)
		goto fail;
	filter.ranges[0].flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE;
	filter.ranges[0].nmsrs = 1;
	filter.ranges[0].base = PVH_HYPERCALL_MSR;
	filter.ranges[0].bitmap = deny_bitmap;
	if (ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &filter) < 0)
		goto fail;
	/* Intel needs a TSS area for real mode; harmless elsewhere. */
	ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	if (kb->split_irqchip) {
		struct kvm_enable_cap split = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };

		vm->split_irqchip = ioctl(vm->fd, KVM_ENABLE_CAP, &split) == 0;
	}
	d->backend = vm;
	return 0;
fail:
	rc = -errno;
	close(vm->fd);
	free(vm);
	return rc;
}

static void kvm_domain_destroy(struct domain *d)
{
	struct kvm_vm *vm = d->backend;

	if (!vm)
		return;
	close(vm->fd);
	free(vm);
	d->backend = NULL;
}

static int kvm_slot_set(struct domain *d, unsigned int idx, uint64_t gfn, uint64_t nr)
{
	struct kvm_vm *vm = d->backend;
	struct kvm_userspace_memory_region r = {
		.slot = idx,
		.guest_phys_addr = gfn << XENHV_PAGE_SHIFT,
		.memory_size = nr << XENHV_PAGE_SHIFT,
		.userspace_addr = (uint64_t)(uintptr_t)(d->mem.base + (gfn << XENHV_PAGE_SHIFT)),
	};

	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return -errno;
	return 0;
}

static int kvm_slot_add(struct domain *d, uint64_t gfn, uint64_t nr)
{
	struct kvm_vm *vm = d->backend;
	unsigned int i;
	int rc;

	for (i = 0; i < KVM_MAX_SLOTS; i++)
		if (!vm->slots[i].used)
			break;
	if (i == KVM_MAX_SLOTS)
		return -ENOSPC;
	rc = kvm_slot_set(d, i, gfn, nr);
	if (rc)
		return rc;
	vm->slots[i] = (struct kvm_slot){ true, gfn, nr };
	if (i + 1 > vm->nr_slots)
		vm->nr_slots = i + 1;
	return 0;
}

static int kvm_memory_map(struct domain *d, uint64_t gfn, uint64_t nr, bool map)
{
	struct kvm_vm *vm = d->backend;
	unsigned int i;
	int rc;

	if (map)
		return kvm_slot_add(d, gfn, nr);
	/* Unmap: cut [gfn, gfn+nr) out of every slot it touches. */
	for (i = 0; i < vm->nr_slots; i++) {
		struct kvm_slot s = vm->slots[i];

		if (!s.used || s.gfn >= gfn + nr || s.gfn + s.nr <= gfn)
			continue;
		rc = kvm_slot_set(d, i, s.gfn, 0);
		if (rc)
			return rc;
		vm->slots[i].used = false;
		if (s.gfn < gfn) {
			rc = kvm_slot_add(d, s.gfn, gfn - s.gfn);
			if (rc)
				return rc;
		}
		if (s.gfn + s.nr > gfn + nr) {
			rc = kvm_slot_add(d, gfn + nr, s.gfn + s.nr - gfn - nr);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/*
 * A host page at guest frame gfn (a grant table frame): a one-page slot of
 * its own, outside the memfd runs that kvm_memory_map keeps.
 */
static int kvm_memory_alias(struct domain *d, uint64_t gfn, void *page, bool map)
{
	struct kvm_vm *vm = d->backend;
	struct kvm_userspace_memory_region r = {
		.guest_phys_addr = gfn << XENHV_PAGE_SHIFT,
		.memory_size = map ? XENHV_PAGE_SIZE : 0,
		.userspace_addr = (uint64_t)(uintptr_t)page,
	};
	unsigned int i;

	for (i = 0; i < KVM_MAX_SLOTS; i++) {
		if (map ? !vm->slots[i].used
			: (vm->slots[i].used && vm->slots[i].gfn == gfn && vm->slots[i].nr == 1))
			break;
	}
	if (i == KVM_MAX_SLOTS)
		return map ? -ENOSPC : -ENOENT;
	r.slot = i;
	if (!map)
		r.userspace_addr = 0;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return -errno;
	vm->slots[i] = (struct kvm_slot){ map, gfn, 1 };
	if (map && i + 1 > vm->nr_slots)
		vm->nr_slots = i + 1;
	return 0;
}

/*
 * An upcall vector to a vCPU through its in-kernel local APIC: a fixed,
 * edge MSI to its APIC id (the vCPU id).  KVM wakes a halted vCPU for it;
 * the guest EOIs it.  Without an in-kernel APIC there is nothing to do.
 */
static void kvm_vcpu_inject_vector(struct vcpu *v, uint8_t vector)
{
	struct kvm_vm *vm = v->domain->backend;
	struct kvm_msi msi = {
		.address_lo = 0xfee00000u | (v->id << 12),
		.data = vector,
	};

	if (!vm || !vm->split_irqchip)
		return;
	if (ioctl(vm->fd, KVM_SIGNAL_MSI, &msi) < 0)
		hv_log(v->domain->hv, "domain %u vcpu %u: upcall vector %u not delivered",
		       v->domain->domid, v->id, vector);
}

static int kvm_vcpu_set_cpuid(struct vcpu *v, struct kvm_vcpu *kv)
{
	struct kvm_backend *kb = kvm_of(v->domain);
	struct pvh_cpuid_leaf leaves[16];
	struct kvm_cpuid2 *c;
	size_t n, i, nent = kb->cpuid->nent;
	int rc = 0;

	n = pvh_cpuid_leaves(leaves, 16, v->domain->domid, v->id, v->domain->hv->cpu_khz);
	c = calloc(1, sizeof(*c) + (nent + n) * sizeof(c->entries[0]));
	if (!c)
		return -ENOMEM;
	memcpy(c->entries, kb->cpuid->entries, nent * sizeof(c->entries[0]));
	for (i = 0; i < nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		/* The initial APIC id is the vCPU id. */
		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffff) | (v->id << 24);
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = v->id;
	}
	for (i = 0; i < n; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[nent + i];

		memset(e, 0, sizeof(*e));
		e->function = leaves[i].function;
		e->index = leaves[i].index;
		e->flags = leaves[i].has_index ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
		e->eax = leaves[i].eax;
		e->ebx = leaves[i].ebx;
		e->ecx = leaves[i].ecx;
		e->edx = leaves[i].edx;
	}
	c->nent = (uint32_t)(nent + n);
	if (ioctl(kv->fd, KVM_SET_CPUID2, c) < 0)
		rc = -errno;
	free(c);
	return rc;
}

static inline uint64_t kvm_host_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/*
 * The guest TSC is the host TSC plus KVM's per-vCPU offset (no scaling:
 * xenhv never sets a TSC rate, so KVM_GET_TSC_KHZ is the host's).  The
 * offset is read once, while the vCPU cannot run, from the
 * KVM_VCPU_TSC_OFFSET attribute (exact); KVM_GET_MSRS of the TSC instead
 * would need the vCPU's ioctl lock, which KVM_RUN holds.  Where the
 * attribute is missing, the offset is estimated from an MSR read between
 * two host TSC reads (within the ioctl's duration).  A guest that writes
 * its TSC MSR later is not followed (Linux does not).
 */
static void kvm_vcpu_probe_tsc_offset(struct kvm_vcpu *kv)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} msrs;
	uint64_t off = 0, before, after;
	struct kvm_device_attr attr = {
		.group = KVM_VCPU_TSC_CTRL,
		.attr = KVM_VCPU_TSC_OFFSET,
		.addr = (uint64_t)(uintptr_t)&off,
	};

	if (ioctl(kv->fd, KVM_GET_DEVICE_ATTR, &attr) == 0) {
		kv->tsc_offset = (int64_t)off;
		return;
	}
	memset(&msrs, 0, sizeof(msrs));
	msrs.hdr.nmsrs = 1;
	msrs.entry.index = 0x10; /* IA32_TIME_STAMP_COUNTER */
	before = kvm_host_rdtsc();
	if (ioctl(kv->fd, KVM_GET_MSRS, &msrs) != 1)
		return;
	after = kvm_host_rdtsc();
	kv->tsc_offset = (int64_t)(msrs.entry.data - (before + (after - before) / 2));
}

static int kvm_vcpu_read_tsc(struct vcpu *v, uint64_t *tsc)
{
	struct kvm_vcpu *kv = v->backend;

	if (!kv)
		return -EINVAL;
	*tsc = kvm_host_rdtsc() + (uint64_t)kv->tsc_offset;
	return 0;
}

static int kvm_vcpu_create(struct vcpu *v)
{
	struct kvm_backend *kb = kvm_of(v->domain);
	struct kvm_vm *vm = v->domain->backend;
	struct kvm_vcpu *kv;
	int rc, khz;

	kv = calloc(1, sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	kv->fd = ioctl(vm->fd, KVM_CREATE_VCPU, v->id);
	if (kv->fd < 0) {
		rc = -errno;
		free(kv);
		return rc;
	}
	kv->run = mmap(NULL, (size_t)kb->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, kv->fd, 0);
	if (kv->run == MAP_FAILED) {
		rc = -errno;
		goto fail;
	}
	khz = ioctl(kv->fd, KVM_GET_TSC_KHZ, 0);
	if (khz > 0 && !v->domain->hv->cpu_khz)
		v->domain->hv->cpu_khz = (uint32_t)khz;
	rc = kvm_vcpu_set_cpuid(v, kv);
	if (rc)
		goto fail;
	kvm_vcpu_probe_tsc_offset(kv);
	kv->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	v->backend = kv;
	return 0;
fail:
	if (kv->run && kv->run != MAP_FAILED)
		munmap(kv->run, (size_t)kb->run_size);
	close(kv->fd);
	free(kv);
	return rc;
}

static void kvm_vcpu_destroy(struct vcpu *v)
{
	struct kvm_vcpu *kv = v->backend;

	if (!kv)
		return;
	munmap(kv->run, (size_t)kvm_of(v->domain)->run_size);
	close(kv->fd);
	free(kv);
	v->backend = NULL;
}

static void kvm_exit_error(struct vcpu_exit *exit, const char *why)
{
	exit->kind = VCPU_EXIT_ERROR;
	exit->why = why;
}

static int kvm_vcpu_run(struct vcpu *v, struct vcpu_exit *exit)
{
	struct kvm_vcpu *kv = v->backend;
	struct kvm_run *run = kv->run;
	uint8_t *data;

	if (!kv->signals_ready) {
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, KVM_KICK_SIGNAL);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		kv->signals_ready = true;
	}
	run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	if (ioctl(kv->fd, KVM_RUN, 0) < 0) {
		run->immediate_exit = 0;
		if (errno == EINTR || errno == EAGAIN) {
			exit->kind = VCPU_EXIT_NONE;
			return 0;
		}
		return -errno;
	}
	run->immediate_exit = 0;
	run->kvm_dirty_regs = 0;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		data = (uint8_t *)run + run->io.data_offset;
		if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == XENHV_HYPERCALL_PORT &&
		    run->io.count == 1) {
			/* The slot of the stub is the number (pvh/pvh.c). */
			uint64_t rip = run->s.regs.regs.rip;

			if ((rip & 0x1f) == 0 || (rip & 0x1f) == 2) {
				exit->kind = VCPU_EXIT_HYPERCALL;
				exit->hypercall_nr = (uint32_t)((rip & 0xfff) >> 5);
				return 0;
			}
		}
		exit->kind = VCPU_EXIT_IO;
		exit->io.port = run->io.port;
		exit->io.size = run->io.size;
		exit->io.in = run->io.direction == KVM_EXIT_IO_IN;
		if (exit->io.in) {
			/* No device: reads float high, as on an empty bus. */
			memset(data, 0xff, (size_t)run->io.size * run->io.count);
		} else {
			memcpy(&exit->io.data, data, run->io.size < 4 ? run->io.size : 4);
		}
		return 0;
	case KVM_EXIT_HLT:
		exit->kind = VCPU_EXIT_HLT;
		return 0;
	case KVM_EXIT_X86_WRMSR:
	case KVM_EXIT_X86_RDMSR:
		exit->kind = run->exit_reason == KVM_EXIT_X86_WRMSR ? VCPU_EXIT_MSR_WRITE
								    : VCPU_EXIT_MSR_READ;
		exit->msr.index = run->msr.index;
		exit->msr.data = run->msr.data;
		kv->pending_msr_exit = run->exit_reason;
		return 0;
	case KVM_EXIT_MMIO:
		exit->kind = VCPU_EXIT_MMIO;
		exit->mmio_addr = run->mmio.phys_addr;
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
		return 0;
	case KVM_EXIT_INTR:
		exit->kind = VCPU_EXIT_NONE;
		return 0;
	case KVM_EXIT_SHUTDOWN:
		exit->kind = VCPU_EXIT_SHUTDOWN;
		return 0;
	case KVM_EXIT_SYSTEM_EVENT:
		exit->kind = VCPU_EXIT_SHUTDOWN;
		return 0;
	case KVM_EXIT_FAIL_ENTRY:
		kvm_exit_error(exit, "KVM entry failed");
		return 0;
	case KVM_EXIT_INTERNAL_ERROR:
		kvm_exit_error(exit, "KVM internal error (emulation failed)");
		return 0;
	}
	kvm_exit_error(exit, "unexpected KVM exit");
	return 0;
}

static void kvm_vcpu_kick(struct vcpu *v)
{
	struct kvm_vcpu *kv = v->backend;

	if (!kv || !v->thread_started)
		return;
	kv->run->immediate_exit = 1;
	pthread_kill(v->thread, KVM_KICK_SIGNAL);
}

static int kvm_vcpu_get_regs(struct vcpu *v, struct vcpu_regs *r)
{
	struct kvm_vcpu *kv = v->backend;
	const struct kvm_regs *g;
	const struct kvm_sregs *s;

	if (!kv)
		return -EINVAL;
	g = &kv->run->s.regs.regs;
	s = &kv->run->s.regs.sregs;
	r->rax = g->rax;
	r->rbx = g->rbx;
	r->rcx = g->rcx;
	r->rdx = g->rdx;
	r->rsi = g->rsi;
	r->rdi = g->rdi;
	r->rsp = g->rsp;
	r->rbp = g->rbp;
	r->r8 = g->r8;
	r->r9 = g->r9;
	r->r10 = g->r10;
	r->r11 = g->r11;
	r->r12 = g->r12;
	r->r13 = g->r13;
	r->r14 = g->r14;
	r->r15 = g->r15;
	r->rip = g->rip;
	r->rflags = g->rflags;
	r->cr0 = s->cr0;
	r->cr2 = s->cr2;
	r->cr3 = s->cr3;
	r->cr4 = s->cr4;
	r->efer = s->efer;
	r->long_mode = s->cs.l;
	r->cpl = s->cs.dpl;
	return 0;
}

static int kvm_vcpu_set_regs(struct vcpu *v, const struct vcpu_regs *r)
{
	struct kvm_vcpu *kv = v->backend;
	struct kvm_regs *g;

	if (!kv)
		return -EINVAL;
	g = &kv->run->s.regs.regs;
	g->rax = r->rax;
	g->rbx = r->rbx;
	g->rcx = r->rcx;
	g->rdx = r->rdx;
	g->rsi = r->rsi;
	g->rdi = r->rdi;
	g->rsp = r->rsp;
	g->rbp = r->rbp;
	g->r8 = r->r8;
	g->r9 = r->r9;
	g->r10 = r->r10;
	g->r11 = r->r11;
	g->r12 = r->r12;
	g->r13 = r->r13;
	g->r14 = r->r14;
	g->r15 = r->r15;
	g->rip = r->rip;
	g->rflags = r->rflags;
	kv->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	return 0;
}

static void kvm_vcpu_msr_done(struct vcpu *v, bool error, uint64_t data)
{
	struct kvm_vcpu *kv = v->backend;

	if (!kv || !kv->pending_msr_exit)
		return;
	kv->run->msr.error = error ? 1 : 0;
	if (kv->pending_msr_exit == KVM_EXIT_X86_RDMSR)
		kv->run->msr.data = data;
	kv->pending_msr_exit = 0;
}

/* Xen's compressed segment attributes (vcpu_hvm_x86_32 *_ar) to KVM's. */
static void kvm_segment_from_ar(struct kvm_segment *seg, uint32_t base, uint32_t limit, uint16_t ar,
				uint16_t sel)
{
	memset(seg, 0, sizeof(*seg));
	seg->base = base;
	seg->limit = limit;
	seg->selector = sel;
	seg->type = ar & 0xf;
	seg->s = (ar >> 4) & 1;
	seg->dpl = (ar >> 5) & 3;
	seg->present = (ar >> 7) & 1;
	seg->avl = (ar >> 8) & 1;
	seg->l = (ar >> 9) & 1;
	seg->db = (ar >> 10) & 1;
	seg->g = (ar >> 11) & 1;
	seg->unusable = !seg->present;
}

static int kvm_vcpu_set_hvm_context(struct vcpu *v, const struct vcpu_hvm_context *ctx)
{
	struct kvm_vcpu *kv = v->backend;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (!kv)
		return -EINVAL;
	if (ioctl(kv->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	memset(&regs, 0, sizeof(regs));
	if (ctx->mode == VCPU_HVM_MODE_32B) {
		const struct vcpu_hvm_x86_32 *c = &ctx->cpu_regs.x86_32;
		uint16_t tr_ar = c->tr_ar ? c->tr_ar : 0x8b; /* busy 32-bit TSS */

		/* Selectors are not part of the record: use the flat GDT's. */
		kvm_segment_from_ar(&sregs.cs, c->cs_base, c->cs_limit, c->cs_ar, 0x08);
		kvm_segment_from_ar(&sregs.ds, c->ds_base, c->ds_limit, c->ds_ar, 0x10);
		kvm_segment_from_ar(&sregs.ss, c->ss_base, c->ss_limit, c->ss_ar, 0x10);
		kvm_segment_from_ar(&sregs.es, c->es_base, c->es_limit, c->es_ar, 0x10);
		sregs.fs = sregs.ds;
		sregs.gs = sregs.ds;
		kvm_segment_from_ar(&sregs.tr, c->tr_base, c->tr_limit ? c->tr_limit : 0x67, tr_ar,
				    0x18);
		sregs.cr0 = c->cr0;
		sregs.cr3 = c->cr3;
		sregs.cr4 = c->cr4;
		sregs.efer = c->efer;
		regs.rax = c->eax;
		regs.rbx = c->ebx;
		regs.rcx = c->ecx;
		regs.rdx = c->edx;
		regs.rsp = c->esp;
		regs.rbp = c->ebp;
		regs.rsi = c->esi;
		regs.rdi = c->edi;
		regs.rip = c->eip;
		regs.rflags = c->eflags | 2;
	} else {
		const struct vcpu_hvm_x86_64 *c = &ctx->cpu_regs.x86_64;

		/* Xen's 64-bit start state: flat code/data, long mode on. */
		kvm_segment_from_ar(&sregs.cs, 0, 0xffffffff, 0xa9b, 0x08);
		kvm_segment_from_ar(&sregs.ds, 0, 0xffffffff, 0xc93, 0x10);
		sregs.ss = sregs.es = sregs.fs = sregs.gs = sregs.ds;
		kvm_segment_from_ar(&sregs.tr, 0, 0x67, 0x8b, 0x18);
		sregs.cr0 = c->cr0;
		sregs.cr3 = c->cr3;
		sregs.cr4 = c->cr4;
		sregs.efer = c->efer;
		regs.rax = c->rax;
		regs.rbx = c->rbx;
		regs.rcx = c->rcx;
		regs.rdx = c->rdx;
		regs.rsp = c->rsp;
		regs.rbp = c->rbp;
		regs.rsi = c->rsi;
		regs.rdi = c->rdi;
		regs.rip = c->rip;
		regs.rflags = c->rflags | 2;
	}
	if (ioctl(kv->fd, KVM_SET_SREGS, &sregs) < 0)
		return -errno;
	if (ioctl(kv->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	/*
	 * With an in-kernel local APIC, vCPUs other than 0 start waiting for
	 * INIT/SIPI; a PVH vCPU brought up by VCPUOP_up runs from its context.
	 */
	if (v->id != 0) {
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

		if (ioctl(kv->fd, KVM_SET_MP_STATE, &mp) < 0)
			return -errno;
	}
	/* The sync-regs copy must not overwrite what we just set. */
	kv->run->kvm_dirty_regs = 0;
	return 0;
}

static int kvm_vcpu_get_hvm_context(struct vcpu *v, struct vcpu_hvm_context *ctx)
{
	struct kvm_vcpu *kv = v->backend;
	struct vcpu_hvm_x86_64 *c = &ctx->cpu_regs.x86_64;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (!kv)
		return -EINVAL;
	if (ioctl(kv->fd, KVM_GET_REGS, &regs) < 0 || ioctl(kv->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
	memset(ctx, 0, sizeof(*ctx));
	ctx->mode = VCPU_HVM_MODE_64B;
	c->rax = regs.rax;
	c->rcx = regs.rcx;
	c->rdx = regs.rdx;
	c->rbx = regs.rbx;
	c->rsp = regs.rsp;
	c->rbp = regs.rbp;
	c->rsi = regs.rsi;
	c->rdi = regs.rdi;
	c->rip = regs.rip;
	c->rflags = regs.rflags;
	c->cr0 = sregs.cr0;
	c->cr3 = sregs.cr3;
	c->cr4 = sregs.cr4;
	c->efer = sregs.efer;
	return 0;
}

const struct hv_backend_ops kvm_backend_ops = {
	.name = "kvm",
	.domain_create = kvm_domain_create,
	.domain_destroy = kvm_domain_destroy,
	.memory_map = kvm_memory_map,
	.vcpu_create = kvm_vcpu_create,
	.vcpu_destroy = kvm_vcpu_destroy,
	.vcpu_run = kvm_vcpu_run,
	.vcpu_kick = kvm_vcpu_kick,
	.vcpu_get_regs = kvm_vcpu_get_regs,
	.vcpu_set_regs = kvm_vcpu_set_regs,
	.vcpu_msr_done = kvm_vcpu_msr_done,
	.vcpu_set_hvm_context = kvm_vcpu_set_hvm_context,
	.vcpu_get_hvm_context = kvm_vcpu_get_hvm_context,
	.memory_alias = kvm_memory_alias,
	.vcpu_inject_vector = kvm_vcpu_inject_vector,
	.vcpu_read_tsc = kvm_vcpu_read_tsc,
};
