/*
 * Unit tests of xenhv's domain, memory and vCPU logic through the fake
 * backend: domain ids, pause nesting, pool accounting, populate/decrease,
 * getdomaininfo flags, the vCPU loop handling hypercall exits (console_io,
 * shutdown, block), hypercall dispatch rules, and the guest page walker.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/sched.h>
#include <xen/version.h>

#include "../../hypervisor/domain.h"
#include "../../hypervisor/hypercall.h"
#include "../../hypervisor/pvh/pvh.h"
#include "hv-fake-backend.h"

#define POOL_PAGES 4096

struct env {
	struct xenhv hv;
	struct fake_backend fb;
};

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	hv_log_open(NULL, false);
	hv_init(&e->hv, &fake_backend_ops, &e->fb, POOL_PAGES);
	domain_create_control(&e->hv);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	/* A failed assertion leaves the test with hv->lock held: release it. */
	pthread_mutex_trylock(&e->hv.lock);
	pthread_mutex_unlock(&e->hv.lock);
	hv_dispose(&e->hv);
	assert_int_equal(e->fb.domains_created, e->fb.domains_destroyed);
	assert_int_equal(e->fb.vcpus_created, e->fb.vcpus_destroyed);
	assert_int_equal(e->fb.mapped_pages, 0);
	free(e);
	return 0;
}

static struct domain *new_domain(struct env *e, domid_t want, unsigned int vcpus,
				 uint64_t max_pages)
{
	struct xen_domctl_createdomain cfg = { .flags = XEN_DOMCTL_CDF_hvm, .max_vcpus = vcpus };
	struct domain *d = NULL;

	pthread_mutex_lock(&e->hv.lock);
	assert_int_equal(domain_create(&e->hv, want, &cfg, &d), 0);
	assert_int_equal(domain_set_max_mem(d, max_pages), 0);
	pthread_mutex_unlock(&e->hv.lock);
	return d;
}

static void test_domain_ids(void **state)
{
	struct env *e = *state;
	struct xen_domctl_createdomain cfg = { .flags = XEN_DOMCTL_CDF_hvm, .max_vcpus = 1 };
	struct domain *a, *b, *c = NULL;

	a = new_domain(e, 0, 1, 16);
	b = new_domain(e, 7, 1, 16);
	assert_int_equal(a->domid, 1);
	assert_int_equal(b->domid, 7);
	pthread_mutex_lock(&e->hv.lock);
	assert_int_equal(domain_create(&e->hv, 7, &cfg, &c), -EEXIST);
	cfg.max_vcpus = 0;
	assert_int_equal(domain_create(&e->hv, 0, &cfg, &c), -EINVAL);
	cfg.max_vcpus = 1;
	cfg.flags = 0; /* PV: not yet */
	assert_int_equal(domain_create(&e->hv, 0, &cfg, &c), -EOPNOTSUPP);
	cfg.flags = XEN_DOMCTL_CDF_hvm;
	e->fb.fail_domain_create = true;
	assert_int_equal(domain_create(&e->hv, 0, &cfg, &c), -ENOMEM);
	e->fb.fail_domain_create = false;
	assert_ptr_equal(domain_lookup(&e->hv, 7), b);
	assert_ptr_equal(domain_lookup_for(&e->hv, b, DOMID_SELF), b);
	assert_null(domain_lookup(&e->hv, DOMID_IDLE));
	assert_int_equal(domain_destroy(domain_lookup(&e->hv, 0)), -EINVAL);
	assert_int_equal(domain_destroy(a), 0);
	assert_null(domain_lookup(&e->hv, 1));
	assert_int_equal(domain_count(&e->hv), 2); /* 0 and 7 */
	pthread_mutex_unlock(&e->hv.lock);
}

static void test_pause_nesting(void **state)
{
	struct env *e = *state;
	struct domain *d = new_domain(e, 0, 1, 16);
	struct xen_domctl_getdomaininfo info;

	pthread_mutex_lock(&e->hv.lock);
	/* Created paused by the controller, as on Xen. */
	domain_getinfo(d, &info);
	assert_true(info.flags & XEN_DOMINF_paused);
	assert_int_equal(domain_unpause(d), 0);
	assert_int_equal(domain_unpause(d), -EINVAL);
	assert_int_equal(domain_pause(d), 0);
	assert_int_equal(domain_pause(d), 0);
	assert_int_equal(domain_unpause(d), 0);
	domain_getinfo(d, &info);
	assert_true(info.flags & XEN_DOMINF_paused);
	assert_int_equal(domain_unpause(d), 0);
	domain_getinfo(d, &info);
	assert_false(info.flags & XEN_DOMINF_paused);
	assert_true(info.flags & XEN_DOMINF_hvm_guest);
	pthread_mutex_unlock(&e->hv.lock);
}

static void test_pool_accounting(void **state)
{
	struct env *e = *state;
	struct domain *a = new_domain(e, 0, 1, 1024);
	struct domain *b = new_domain(e, 0, 1, POOL_PAGES);

	pthread_mutex_lock(&e->hv.lock);
	assert_int_equal(domain_populate(a, 0, 1024), 0);
	assert_int_equal(a->mem.tot_pages, 1024);
	assert_int_equal(e->hv.pool.free_pages, POOL_PAGES - 1024);
	/* Populating again charges nothing. */
	assert_int_equal(domain_populate(a, 0, 16), 0);
	assert_int_equal(a->mem.tot_pages, 1024);
	/* Over max_pages: ENOMEM, nothing changes. */
	assert_int_equal(domain_populate(a, 2048, 1), -ENOMEM);
	assert_int_equal(a->mem.tot_pages, 1024);
	/* Over the pool: ENOMEM, never overcommit. */
	assert_int_equal(domain_populate(b, 0, POOL_PAGES), -ENOMEM);
	assert_int_equal(b->mem.tot_pages, 0);
	assert_int_equal(e->hv.pool.free_pages, POOL_PAGES - 1024);
	/* Out of the address space. */
	assert_int_equal(domain_populate(b, DOMAIN_GFN_LIMIT, 1), -EINVAL);
	assert_int_equal(domain_populate(b, UINT64_MAX - 1, 4), -EINVAL);
	/* Decrease: holes go back; a hole cannot be given back twice. */
	assert_int_equal(domain_decrease(a, 100, 10), 0);
	assert_int_equal(a->mem.tot_pages, 1014);
	assert_int_equal(domain_decrease(a, 105, 1), -EINVAL);
	assert_null(memory_gpa_ptr(&a->mem, 100 << 12, 1));
	assert_non_null(memory_gpa_ptr(&a->mem, 99 << 12, 4096));
	assert_null(memory_gpa_ptr(&a->mem, (99 << 12) + 1, 4096));
	assert_int_equal(memory_max_gfn(&a->mem), 1023);
	assert_int_equal(e->fb.mapped_pages, 1014);
	/* Destroy gives everything back. */
	assert_int_equal(domain_destroy(a), 0);
	assert_int_equal(e->hv.pool.free_pages, POOL_PAGES);
	assert_int_equal(e->fb.mapped_pages, 0);
	pthread_mutex_unlock(&e->hv.lock);
}

/* Wait (bounded) until pred holds, with hv->lock held while checking. */
static bool wait_for(struct env *e, bool (*pred)(struct domain *), struct domain *d)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < 5000; i++) {
		bool ok;

		pthread_mutex_lock(&e->hv.lock);
		ok = pred(d);
		pthread_mutex_unlock(&e->hv.lock);
		if (ok)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static bool is_shut_down(struct domain *d)
{
	return d->shutdown;
}

static bool vcpu0_blocked(struct domain *d)
{
	return d->vcpus[0] && d->vcpus[0]->blocked;
}

static struct vcpu *start_vcpu(struct env *e, struct domain *d)
{
	struct vcpu_hvm_context ctx = { .mode = VCPU_HVM_MODE_32B };
	struct vcpu *v;

	pthread_mutex_lock(&e->hv.lock);
	assert_int_equal(domain_populate(d, 0, 16), 0);
	assert_int_equal(vcpu_create(d, 0, &v), 0);
	assert_int_equal(vcpu_set_hvm_context(v, &ctx), 0);
	assert_int_equal(vcpu_up(v), 0);
	assert_int_equal(domain_unpause(d), 0);
	pthread_mutex_unlock(&e->hv.lock);
	return v;
}

static void test_vcpu_hypercalls(void **state)
{
	struct env *e = *state;
	struct domain *d = new_domain(e, 0, 1, 64);
	struct vcpu_exit hc = { .kind = VCPU_EXIT_HYPERCALL };
	struct vcpu_regs regs = { .long_mode = true };
	struct sched_shutdown ss = { .reason = SHUTDOWN_reboot };
	struct xen_domctl_getdomaininfo info;
	char ring[256];
	uint32_t index = 0;
	size_t n;
	struct vcpu *v = start_vcpu(e, d);

	/* Paging off: the guest passes physical addresses. */
	memcpy(memory_gpa_ptr(&d->mem, 0x1000, 8), "hi\nthere", 8);
	memcpy(memory_gpa_ptr(&d->mem, 0x2000, sizeof(ss)), &ss, sizeof(ss));
	hc.hypercall_nr = __HYPERVISOR_console_io;
	regs.rdi = CONSOLEIO_write;
	regs.rsi = 8;
	regs.rdx = 0x1000;
	fake_vcpu_script(v, &hc, &regs);
	hc.hypercall_nr = __HYPERVISOR_sched_op;
	regs.rdi = SCHEDOP_block;
	fake_vcpu_script(v, &hc, &regs);
	assert_true(wait_for(e, vcpu0_blocked, d));
	pthread_mutex_lock(&e->hv.lock);
	domain_getinfo(d, &info);
	assert_true(info.flags & XEN_DOMINF_blocked);
	assert_false(info.flags & XEN_DOMINF_running);
	assert_int_equal(v->runstate.state, RUNSTATE_blocked);
	/* An event wakes it; then it shuts down with reason reboot. */
	regs.rdi = SCHEDOP_shutdown;
	regs.rsi = 0x2000;
	fake_vcpu_script(v, &hc, &regs);
	vcpu_wake(v);
	pthread_mutex_unlock(&e->hv.lock);
	assert_true(wait_for(e, is_shut_down, d));
	pthread_mutex_lock(&e->hv.lock);
	domain_getinfo(d, &info);
	assert_true(info.flags & XEN_DOMINF_shutdown);
	assert_int_equal((info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask,
			 SHUTDOWN_reboot);
	n = hv_console_read(&e->hv.console, ring, sizeof(ring) - 1, &index, 0);
	ring[n] = '\0';
	assert_non_null(strstr(ring, "(d1) hi\n"));
	/* "there" has no newline yet: not in the ring. */
	assert_null(strstr(ring, "there"));
	assert_int_equal(domain_destroy(d), 0);
	pthread_mutex_unlock(&e->hv.lock);
}

static bool vcpu0_in_guest(struct domain *d)
{
	return d->vcpus[0] && d->vcpus[0]->in_run;
}

/* Pausing a vCPU that is in the guest kicks it out and waits for it. */
static void test_pause_running(void **state)
{
	struct env *e = *state;
	struct domain *d = new_domain(e, 0, 2, 64);
	struct xen_domctl_getdomaininfo info;
	struct vcpu *v = start_vcpu(e, d);
	unsigned int i;

	assert_true(wait_for(e, vcpu0_in_guest, d));
	pthread_mutex_lock(&e->hv.lock);
	domain_getinfo(d, &info);
	assert_true(info.flags & XEN_DOMINF_running);
	for (i = 0; i < 20; i++) {
		assert_int_equal(domain_pause(d), 0);
		/* domain_pause returns with the vCPU out of the guest. */
		assert_false(v->in_run);
		domain_getinfo(d, &info);
		assert_true(info.flags & XEN_DOMINF_paused);
		assert_false(info.flags & XEN_DOMINF_running);
		assert_int_equal(domain_unpause(d), 0);
	}
	pthread_mutex_unlock(&e->hv.lock);
	assert_true(wait_for(e, vcpu0_in_guest, d));
	pthread_mutex_lock(&e->hv.lock);
	/* Destroying a domain whose vCPU is in the guest. */
	assert_int_equal(domain_destroy(d), 0);
	pthread_mutex_unlock(&e->hv.lock);
}

static void test_hypercall_rules(void **state)
{
	struct env *e = *state;
	struct domain *d = new_domain(e, 0, 1, 64);
	struct vcpu_regs regs = { .long_mode = true };
	struct vcpu_access va;
	struct guest_access ga;
	struct hc_ctx ctx;
	uint64_t args[5] = { 0 };
	struct xen_domctl domctl;

	pthread_mutex_lock(&e->hv.lock);
	assert_int_equal(domain_populate(d, 0, 16), 0);
	vcpu_access_init(&ga, &va, d, &regs);
	ctx = (struct hc_ctx){ &e->hv, d, NULL, &ga };
	/* A guest cannot reach domctl or sysctl; unknown numbers are ENOSYS. */
	ctx.vcpu = (struct vcpu *)1; /* any non-NULL: a guest caller */
	assert_int_equal(hypercall_dispatch(&ctx, __HYPERVISOR_domctl, args), -ENOSYS);
	assert_int_equal(hypercall_dispatch(&ctx, 4242, args), -ENOSYS);
	assert_int_equal(hypercall_dispatch(&ctx, __HYPERVISOR_xen_version, args), (4 << 16) | 17);
	/* A bad pointer is EFAULT. */
	args[0] = XENVER_extraversion;
	args[1] = 0x7fff0000000ull;
	assert_int_equal(hypercall_dispatch(&ctx, __HYPERVISOR_xen_version, args), -EFAULT);
	/* domctl with the wrong interface version: EACCES, as Xen. */
	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = XEN_DOMCTL_pausedomain;
	domctl.domain = d->domid;
	domctl.interface_version = 1;
	memcpy(memory_gpa_ptr(&d->mem, 0x3000, sizeof(domctl)), &domctl, sizeof(domctl));
	ctx.vcpu = NULL; /* as if domain 0 */
	ctx.caller = domain_lookup(&e->hv, 0);
	args[0] = 0x3000;
	assert_int_equal(hypercall_dispatch(&ctx, __HYPERVISOR_domctl, args), -EACCES);
	assert_int_equal(domain_destroy(d), 0);
	pthread_mutex_unlock(&e->hv.lock);
}

static void test_page_walk(void **state)
{
	struct env *e = *state;
	struct domain *d = new_domain(e, 0, 1, 64);
	struct vcpu_regs regs = { .long_mode = true };
	uint64_t *pml4, *pdpt, *pd, *pt, gpa;

	pthread_mutex_lock(&e->hv.lock);
	assert_int_equal(domain_populate(d, 0, 32), 0);
	pml4 = memory_gpa_ptr(&d->mem, 0x1000, 4096);
	pdpt = memory_gpa_ptr(&d->mem, 0x2000, 4096);
	pd = memory_gpa_ptr(&d->mem, 0x3000, 4096);
	pt = memory_gpa_ptr(&d->mem, 0x4000, 4096);
	/* va 0xffff800000000000 + ... : pml4[256] -> pdpt[0] -> pd[1] -> pt[2] */
	pml4[256] = 0x2000 | 3;
	pdpt[0] = 0x3000 | 3;
	pd[1] = 0x4000 | 3;
	pt[2] = 0x9000 | 1; /* read-only */
	pd[2] = 0x200000 | 0x83; /* 2 MiB page */
	regs.cr0 = 0x80000011;
	regs.cr3 = 0x1000;
	regs.cr4 = 0x20;
	regs.efer = 0x500;
	uint64_t va = 0xffff800000000000ull + (1ull << 21) + (2ull << 12) + 5;

	assert_int_equal(guest_translate(&d->mem, &regs, va, false, &gpa), 0);
	assert_int_equal(gpa, 0x9005);
	assert_int_equal(guest_translate(&d->mem, &regs, va, true, &gpa), -EFAULT);
	va = 0xffff800000000000ull + (2ull << 21) + 0x1234;
	assert_int_equal(guest_translate(&d->mem, &regs, va, true, &gpa), 0);
	assert_int_equal(gpa, 0x201234);
	assert_int_equal(guest_translate(&d->mem, &regs, 0x1000, false, &gpa), -EFAULT);
	/* Page tables outside RAM fault, they do not crash xenhv. */
	pml4[0] = 0x7000000000ull | 3;
	assert_int_equal(guest_translate(&d->mem, &regs, 0x1000, false, &gpa), -EFAULT);
	assert_int_equal(domain_destroy(d), 0);
	pthread_mutex_unlock(&e->hv.lock);
}

static void test_hypercall_page(void **state)
{
	uint8_t page[4096];

	(void)state;
	pvh_hypercall_page_fill(page);
	/* out %eax, $port; ret at slot 18: the slot is the number */
	assert_int_equal(page[18 * 32], 0xe7);
	assert_int_equal(page[18 * 32 + 1], 0xe5);
	assert_int_equal(page[18 * 32 + 2], 0xc3);
	assert_int_equal(page[18 * 32 + 3], 0xcc);
	assert_int_equal(page[23 * 32], 0x0f); /* iret slot: ud2 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_domain_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_accounting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vcpu_hypercalls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hypercall_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_walk, setup, teardown),
		cmocka_unit_test(test_hypercall_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
