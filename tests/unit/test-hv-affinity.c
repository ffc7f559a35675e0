/*
 * Unit tests of vCPU affinity in xenhv (XEN_DOMCTL_setvcpuaffinity /
 * getvcpuaffinity, vcpu_set_affinity) through the fake backend: maps are
 * kept to the host's CPUs and written back as in effect, an empty result
 * is refused and changes nothing, soft affinity leaves the hard one alone,
 * domain 0 reports every CPU, and the CPU getvcpuinfo reports follows the
 * hard affinity.  The domctl and its bitmaps sit in a helper domain's RAM,
 * which stands for the toolstack's buffers (as in test-hv-domain).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <xen/domctl.h>

#include "../../hypervisor/domain.h"
#include "../../hypervisor/hypercall.h"
#include "hv-fake-backend.h"

#define POOL_PAGES 4096
#define DOMCTL_GPA 0x3000ull
#define HARD_GPA 0x4000ull
#define SOFT_GPA 0x5000ull

struct env {
	struct xenhv hv;
	struct fake_backend fb;
	struct domain *buf; /* holds the "toolstack's" buffers */
	struct domain *target; /* 2 vCPUs */
	struct vcpu_regs regs;
	struct vcpu_access va;
	struct guest_access ga;
};

static struct domain *new_domain(struct env *e, unsigned int vcpus)
{
	struct xen_domctl_createdomain cfg = { .flags = XEN_DOMCTL_CDF_hvm, .max_vcpus = vcpus };
	struct domain *d = NULL;

	assert_int_equal(domain_create(&e->hv, 0, &cfg, &d), 0);
	assert_int_equal(domain_set_max_mem(d, 64), 0);
	return d;
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	hv_log_open(NULL, false);
	hv_init(&e->hv, &fake_backend_ops, &e->fb, POOL_PAGES);
	e->hv.nr_cpus = 4; /* a 4-CPU host */
	domain_create_control(&e->hv);
	pthread_mutex_lock(&e->hv.lock);
	e->buf = new_domain(e, 1);
	assert_int_equal(domain_populate(e->buf, 0, 16), 0);
	e->target = new_domain(e, 2);
	e->regs.long_mode = true;
	vcpu_access_init(&e->ga, &e->va, e->buf, &e->regs);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	pthread_mutex_trylock(&e->hv.lock);
	pthread_mutex_unlock(&e->hv.lock);
	hv_dispose(&e->hv);
	assert_int_equal(e->fb.domains_created, e->fb.domains_destroyed);
	assert_int_equal(e->fb.vcpus_created, e->fb.vcpus_destroyed);
	free(e);
	return 0;
}

static uint8_t *gpa(struct env *e, uint64_t addr)
{
	return memory_gpa_ptr(&e->buf->mem, addr, 16);
}

/* One affinity domctl as domain 0 issues it; maps of nr_bits at HARD/SOFT_GPA. */
static int64_t affinity_op(struct env *e, uint32_t cmd, domid_t domid, uint32_t vcpu,
			   uint32_t flags, uint32_t nr_bits)
{
	struct xen_domctl op;
	struct hc_ctx ctx = { &e->hv, domain_lookup(&e->hv, 0), NULL, &e->ga };
	uint64_t args[5] = { DOMCTL_GPA };

	memset(&op, 0, sizeof(op));
	op.cmd = cmd;
	op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	op.domain = domid;
	op.u.vcpuaffinity.vcpu = vcpu;
	op.u.vcpuaffinity.flags = flags;
	op.u.vcpuaffinity.cpumap_hard.bitmap.p = (uint8_t *)(uintptr_t)HARD_GPA;
	op.u.vcpuaffinity.cpumap_hard.nr_bits = nr_bits;
	op.u.vcpuaffinity.cpumap_soft.bitmap.p = (uint8_t *)(uintptr_t)SOFT_GPA;
	op.u.vcpuaffinity.cpumap_soft.nr_bits = nr_bits;
	memcpy(gpa(e, DOMCTL_GPA), &op, sizeof(op));
	return hypercall_dispatch(&ctx, __HYPERVISOR_domctl, args);
}

static void test_set_and_get(void **state)
{
	struct env *e = *state;
	struct vcpu *v;

	/* vCPU 1 on CPU 2; bits past the host's CPUs are dropped (0xf0). */
	*gpa(e, HARD_GPA) = 0xf4;
	assert_int_equal(affinity_op(e, XEN_DOMCTL_setvcpuaffinity, e->target->domid, 1,
				     XEN_VCPUAFFINITY_HARD, 8),
			 0);
	assert_int_equal(*gpa(e, HARD_GPA), 0x04); /* in effect */
	v = vcpu_get(e->target, 1);
	assert_non_null(v);
	assert_int_equal(v->hard_affinity[0], 0x4);
	assert_true(v->hard_affinity_set);
	assert_int_equal(v->last_cpu, 2); /* moved where it may run */
	/* get: hard and soft (soft never set: every CPU). */
	*gpa(e, HARD_GPA) = 0;
	*gpa(e, SOFT_GPA) = 0;
	assert_int_equal(affinity_op(e, XEN_DOMCTL_getvcpuaffinity, e->target->domid, 1,
				     XEN_VCPUAFFINITY_HARD | XEN_VCPUAFFINITY_SOFT, 8),
			 0);
	assert_int_equal(*gpa(e, HARD_GPA), 0x04);
	assert_int_equal(*gpa(e, SOFT_GPA), 0x0f);
	/* vCPU 0 untouched: all. */
	assert_int_equal(affinity_op(e, XEN_DOMCTL_getvcpuaffinity, e->target->domid, 0,
				     XEN_VCPUAFFINITY_HARD, 8),
			 0);
	assert_int_equal(*gpa(e, HARD_GPA), 0x0f);
	pthread_mutex_unlock(&e->hv.lock);
}

static void test_soft_only(void **state)
{
	struct env *e = *state;
	struct vcpu *v;

	*gpa(e, HARD_GPA) = 0x02;
	assert_int_equal(affinity_op(e, XEN_DOMCTL_setvcpuaffinity, e->target->domid, 0,
				     XEN_VCPUAFFINITY_HARD, 8),
			 0);
	*gpa(e, HARD_GPA) = 0x0f; /* must not be read */
	*gpa(e, SOFT_GPA) = 0x01;
	assert_int_equal(affinity_op(e, XEN_DOMCTL_setvcpuaffinity, e->target->domid, 0,
				     XEN_VCPUAFFINITY_SOFT, 8),
			 0);
	v = vcpu_get(e->target, 0);
	assert_int_equal(v->hard_affinity[0], 0x2);
	assert_int_equal(v->soft_affinity[0], 0x1);
	pthread_mutex_unlock(&e->hv.lock);
}

static void test_refused(void **state)
{
	struct env *e = *state;
	struct vcpu *v;

	*gpa(e, HARD_GPA) = 0x08;
	assert_int_equal(affinity_op(e, XEN_DOMCTL_setvcpuaffinity, e->target->domid, 1,
				     XEN_VCPUAFFINITY_HARD, 8),
			 0);
	/* Only CPUs the host lacks: EINVAL, nothing changes. */
	*gpa(e, HARD_GPA) = 0xf0;
	assert_int_equal(affinity_op(e, XEN_DOMCTL_setvcpuaffinity, e->target->domid, 1,
				     XEN_VCPUAFFINITY_HARD, 8),
			 -EINVAL);
	/* A map of 2 bits: CPU 3 is past it, so the map is empty. */
	*gpa(e, HARD_GPA) = 0x08;
	assert_int_equal(affinity_op(e, XEN_DOMCTL_setvcpuaffinity, e->target->domid, 1,
				     XEN_VCPUAFFINITY_HARD, 2),
			 -EINVAL);
	v = vcpu_get(e->target, 1);
	assert_int_equal(v->hard_affinity[0], 0x8);
	/* No such vCPU, no flags, no such domain. */
	assert_int_equal(affinity_op(e, XEN_DOMCTL_setvcpuaffinity, e->target->domid, 2,
				     XEN_VCPUAFFINITY_HARD, 8),
			 -EINVAL);
	assert_int_equal(affinity_op(e, XEN_DOMCTL_setvcpuaffinity, e->target->domid, 0, 0, 8),
			 -EINVAL);
	assert_int_equal(
		affinity_op(e, XEN_DOMCTL_getvcpuaffinity, 999, 0, XEN_VCPUAFFINITY_HARD, 8),
		-ESRCH);
	/* A bitmap outside every buffer: EFAULT. */
	{
		struct xen_domctl op;
		struct hc_ctx ctx = { &e->hv, domain_lookup(&e->hv, 0), NULL, &e->ga };
		uint64_t args[5] = { DOMCTL_GPA };

		memset(&op, 0, sizeof(op));
		op.cmd = XEN_DOMCTL_setvcpuaffinity;
		op.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
		op.domain = e->target->domid;
		op.u.vcpuaffinity.flags = XEN_VCPUAFFINITY_HARD;
		op.u.vcpuaffinity.cpumap_hard.bitmap.p = (uint8_t *)(uintptr_t)0x7fff000000ull;
		op.u.vcpuaffinity.cpumap_hard.nr_bits = 8;
		memcpy(gpa(e, DOMCTL_GPA), &op, sizeof(op));
		assert_int_equal(hypercall_dispatch(&ctx, __HYPERVISOR_domctl, args), -EFAULT);
	}
	pthread_mutex_unlock(&e->hv.lock);
}

static void test_domain0(void **state)
{
	struct env *e = *state;

	/* The host's "vCPUs" run anywhere and are not ours to pin. */
	*gpa(e, HARD_GPA) = 0;
	assert_int_equal(affinity_op(e, XEN_DOMCTL_getvcpuaffinity, 0, 0, XEN_VCPUAFFINITY_HARD, 8),
			 0);
	assert_int_equal(*gpa(e, HARD_GPA), 0x0f);
	assert_int_equal(affinity_op(e, XEN_DOMCTL_setvcpuaffinity, 0, 0, XEN_VCPUAFFINITY_HARD, 8),
			 -EOPNOTSUPP);
	pthread_mutex_unlock(&e->hv.lock);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_and_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soft_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_domain0, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
