/*
 * Unit tests of xenhv's timer wiring (timer_hv.c) through the fake
 * backend: time records and the wallclock published when shared_info is
 * mapped, VCPUOP_*_timer and set_timer_op with Xen's errors, VIRQ_TIMER
 * raised at once for an overdue timer and by the timer thread for a future
 * one, SCHEDOP_block and SCHEDOP_poll woken at their deadline with no
 * event bound, XEN_DOMCTL_settimeoffset, and register_vcpu_info carrying
 * the old vcpu_info (mask, time) over, and system time continuing from a
 * restored value.  The timer thread is real: waits
 * are bounded generously and decide nothing about timing.
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

#include <xen/domctl.h>
#include <xen/event_channel.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

#include "../../hypervisor/domain.h"
#include "../../hypervisor/evtchn.h"
#include "../../hypervisor/hypercall.h"
#include "../../hypervisor/timer_hv.h"
#include "hv-fake-backend.h"

#define POOL_PAGES 4096
#define GUEST_PAGES 16
#define SHINFO_GFN 2
#define VINFO_GFN 3
#define WAIT_MAX_MS 5000 /* a bound on a failure, not a timing check */

struct env {
	struct xenhv hv;
	struct fake_backend fb;
	struct domain *d;
	struct vcpu *v, *v1;
	uint8_t buf[4096]; /* the callers' memory: addresses are offsets */
};

static int flat_read(void *opaque, uint64_t addr, void *dst, size_t len)
{
	struct env *e = opaque;

	if (addr > sizeof(e->buf) || len > sizeof(e->buf) - addr)
		return -EFAULT;
	memcpy(dst, e->buf + addr, len);
	return 0;
}

static int flat_write(void *opaque, uint64_t addr, const void *src, size_t len)
{
	struct env *e = opaque;

	if (addr > sizeof(e->buf) || len > sizeof(e->buf) - addr)
		return -EFAULT;
	memcpy(e->buf + addr, src, len);
	return 0;
}

/* A hypercall by vCPU v (NULL: domain 0 over privcmd), its struct at buf 0. */
static int64_t call(struct env *e, struct vcpu *v, unsigned int nr, uint64_t a0, uint64_t a1,
		    uint64_t a2)
{
	struct guest_access ga = { flat_read, flat_write, e };
	struct hc_ctx ctx = {
		.hv = &e->hv,
		.caller = v ? e->d : domain_lookup(&e->hv, 0),
		.vcpu = v,
		.mem = &ga,
	};
	uint64_t args[5] = { a0, a1, a2, 0, 0 };
	int64_t rc;

	pthread_mutex_lock(&e->hv.lock);
	rc = hypercall_dispatch(&ctx, nr, args);
	pthread_mutex_unlock(&e->hv.lock);
	return rc;
}

static int64_t vcpu_op(struct env *e, struct vcpu *caller, unsigned int cmd, unsigned int id,
		       const void *arg, size_t len)
{
	if (len)
		memcpy(e->buf, arg, len);
	return call(e, caller, __HYPERVISOR_vcpu_op, cmd, id, 0);
}

static struct shared_info *shinfo(struct env *e)
{
	return memory_gpa_ptr(&e->d->mem, SHINFO_GFN << 12, 4096);
}

static int setup(void **state)
{
	struct xen_domctl_createdomain cfg = { .flags = XEN_DOMCTL_CDF_hvm, .max_vcpus = 2 };
	struct xen_add_to_physmap xatp = { .domid = DOMID_SELF,
					   .space = XENMAPSPACE_shared_info,
					   .gpfn = SHINFO_GFN };
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	hv_log_open(NULL, false);
	hv_init(&e->hv, &fake_backend_ops, &e->fb, POOL_PAGES);
	domain_create_control(&e->hv);
	pthread_mutex_lock(&e->hv.lock);
	assert_int_equal(domain_create(&e->hv, 0, &cfg, &e->d), 0);
	assert_int_equal(domain_set_max_mem(e->d, GUEST_PAGES), 0);
	assert_int_equal(domain_populate(e->d, 0, GUEST_PAGES), 0);
	assert_int_equal(vcpu_create(e->d, 0, &e->v), 0);
	assert_int_equal(vcpu_create(e->d, 1, &e->v1), 0);
	pthread_mutex_unlock(&e->hv.lock);
	assert_non_null(e->hv.timers);
	assert_non_null(e->d->timer);
	assert_non_null(e->v->timer);
	memcpy(e->buf, &xatp, sizeof(xatp));
	assert_int_equal(call(e, e->v, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, 0, 0), 0);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	hv_dispose(&e->hv);
	assert_int_equal(e->fb.domains_created, e->fb.domains_destroyed);
	assert_null(e->hv.timers);
	free(e);
	return 0;
}

static evtchn_port_t bind_timer(struct env *e)
{
	struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };

	memcpy(e->buf, &bv, sizeof(bv));
	assert_int_equal(call(e, e->v, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, 0, 0), 0);
	memcpy(&bv, e->buf, sizeof(bv));
	return bv.port;
}

static bool port_pending(struct env *e, evtchn_port_t port)
{
	bool p;

	pthread_mutex_lock(&e->hv.lock);
	p = evtchn_port_is_pending(e->d->evtchn, port);
	pthread_mutex_unlock(&e->hv.lock);
	return p;
}

static void clear_port(struct env *e, evtchn_port_t port)
{
	__atomic_fetch_and(&shinfo(e)->evtchn_pending[port / 64], ~(1ull << (port % 64)),
			   __ATOMIC_SEQ_CST);
}

static bool wait_for(struct env *e, bool (*cond)(struct env *, evtchn_port_t), evtchn_port_t port)
{
	unsigned int i;

	for (i = 0; i < WAIT_MAX_MS; i++) {
		if (cond(e, port))
			return true;
		usleep(1000);
	}
	return false;
}

static bool vcpu_woken(struct env *e, evtchn_port_t port)
{
	bool w;

	(void)port;
	pthread_mutex_lock(&e->hv.lock);
	w = e->v->wake_pending;
	pthread_mutex_unlock(&e->hv.lock);
	return w;
}

static uint64_t guest_now(struct env *e)
{
	uint64_t now;

	pthread_mutex_lock(&e->hv.lock);
	now = domain_timer_now(e->d);
	pthread_mutex_unlock(&e->hv.lock);
	return now;
}

static void test_published_on_map(void **state)
{
	struct env *e = *state;
	struct shared_info *si = shinfo(e);
	struct timespec ts;

	assert_true(si->vcpu_info[0].time.version != 0);
	assert_int_equal(si->vcpu_info[0].time.version & 1, 0);
	assert_true(si->vcpu_info[0].time.tsc_to_system_mul != 0);
	assert_true(si->vcpu_info[1].time.version != 0);
	assert_int_equal(si->wc_version & 1, 0);
	assert_true(si->wc_version != 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	/* Wall time at system time 0: the domain was created moments ago. */
	assert_true(si->wc_sec <= (uint64_t)ts.tv_sec && si->wc_sec + 60 >= (uint64_t)ts.tv_sec);
}

static void test_bad_requests(void **state)
{
	struct env *e = *state;
	struct vcpu_set_periodic_timer pt = { .period_ns = 999999 };
	struct vcpu_set_singleshot_timer st = { .timeout_abs_ns = 1,
						.flags = VCPU_SSHOTTMR_future };

	assert_int_equal(vcpu_op(e, e->v, VCPUOP_set_periodic_timer, 0, &pt, sizeof(pt)), -EINVAL);
	/* Past with VCPU_SSHOTTMR_future: -ETIME, nothing armed. */
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_set_singleshot_timer, 0, &st, sizeof(st)), -ETIME);
	/* Another vCPU's singleshot timer: -EINVAL, as Xen; its periodic is fine. */
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_set_singleshot_timer, 1, &st, sizeof(st)),
			 -EINVAL);
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_stop_singleshot_timer, 1, NULL, 0), -EINVAL);
	pt.period_ns = 50000000;
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_set_periodic_timer, 1, &pt, sizeof(pt)), 0);
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_stop_periodic_timer, 1, NULL, 0), 0);
	/* No such vCPU; a bad pointer. */
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_stop_periodic_timer, 7, NULL, 0), -ENOENT);
	assert_int_equal(
		call(e, e->v, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, 1ull << 40),
		-EFAULT);
	/* set_timer_op is a guest's, not domain 0's. */
	assert_int_equal(call(e, NULL, __HYPERVISOR_set_timer_op, 1, 0, 0), -ENOSYS);
}

static void test_overdue_fires_at_once(void **state)
{
	struct env *e = *state;
	evtchn_port_t port = bind_timer(e);
	struct vcpu_set_singleshot_timer st = { .timeout_abs_ns = 1 };

	assert_false(port_pending(e, port));
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_set_singleshot_timer, 0, &st, sizeof(st)), 0);
	assert_true(port_pending(e, port));
	/* A top-bit deadline is in the past for Xen's signed time. */
	clear_port(e, port);
	st.timeout_abs_ns = 1ull << 63;
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_set_singleshot_timer, 0, &st, sizeof(st)), 0);
	assert_true(port_pending(e, port));
}

static void test_future_fires_from_thread(void **state)
{
	struct env *e = *state;
	evtchn_port_t port = bind_timer(e);
	struct vcpu_set_singleshot_timer st = { .timeout_abs_ns = guest_now(e) + 5000000 };

	assert_int_equal(vcpu_op(e, e->v, VCPUOP_set_singleshot_timer, 0, &st, sizeof(st)), 0);
	assert_false(port_pending(e, port));
	assert_true(wait_for(e, port_pending, port));
	assert_true(guest_now(e) >= st.timeout_abs_ns);
	/* set_timer_op arms the same timer. */
	clear_port(e, port);
	assert_int_equal(call(e, e->v, __HYPERVISOR_set_timer_op, guest_now(e) + 5000000, 0, 0), 0);
	assert_true(wait_for(e, port_pending, port));
	/* A stopped timer stays silent. */
	clear_port(e, port);
	st.timeout_abs_ns = guest_now(e) + 5000000;
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_set_singleshot_timer, 0, &st, sizeof(st)), 0);
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_stop_singleshot_timer, 0, NULL, 0), 0);
	usleep(20000);
	assert_false(port_pending(e, port));
}

static void test_periodic_ticks(void **state)
{
	struct env *e = *state;
	evtchn_port_t port = bind_timer(e);
	struct vcpu_set_periodic_timer pt = { .period_ns = 2000000 };
	unsigned int ticks;

	assert_int_equal(vcpu_op(e, e->v, VCPUOP_set_periodic_timer, 0, &pt, sizeof(pt)), 0);
	for (ticks = 0; ticks < 3; ticks++) {
		assert_true(wait_for(e, port_pending, port));
		clear_port(e, port);
	}
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_stop_periodic_timer, 0, NULL, 0), 0);
	clear_port(e, port);
	usleep(10000);
	assert_false(port_pending(e, port));
}

/* No VIRQ bound: the block deadline alone wakes the vCPU. */
static void test_block_woken_at_deadline(void **state)
{
	struct env *e = *state;
	struct vcpu_set_singleshot_timer st = { .timeout_abs_ns = guest_now(e) + 5000000 };

	assert_int_equal(vcpu_op(e, e->v, VCPUOP_set_singleshot_timer, 0, &st, sizeof(st)), 0);
	assert_int_equal(call(e, e->v, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0), 0);
	assert_true(e->v->blocked);
	assert_true(wait_for(e, vcpu_woken, 0));
	assert_true(guest_now(e) >= st.timeout_abs_ns);
}

static void test_poll_timeout(void **state)
{
	struct env *e = *state;
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 0 };
	struct sched_poll poll = { .nr_ports = 1 };
	uint64_t deadline;

	memcpy(e->buf, &au, sizeof(au));
	assert_int_equal(call(e, e->v, __HYPERVISOR_event_channel_op, EVTCHNOP_alloc_unbound, 0, 0),
			 0);
	memcpy(&au, e->buf, sizeof(au));
	memcpy(e->buf + 256, &au.port, sizeof(au.port));
	set_xen_guest_handle(poll.ports, (evtchn_port_t *)256);
	deadline = guest_now(e) + 5000000;
	poll.timeout = deadline;
	memcpy(e->buf, &poll, sizeof(poll));
	assert_int_equal(call(e, e->v, __HYPERVISOR_sched_op, SCHEDOP_poll, 0, 0), 0);
	assert_true(e->v->blocked);
	assert_true(wait_for(e, vcpu_woken, 0));
	assert_true(guest_now(e) >= deadline);
	pthread_mutex_lock(&e->hv.lock);
	assert_false(e->v->polling);
	pthread_mutex_unlock(&e->hv.lock);
}

static void test_settimeoffset(void **state)
{
	struct env *e = *state;
	struct xen_domctl op = { .cmd = XEN_DOMCTL_settimeoffset,
				 .interface_version = XEN_DOMCTL_INTERFACE_VERSION };
	uint32_t before = shinfo(e)->wc_sec, version = shinfo(e)->wc_version;

	op.domain = e->d->domid;
	op.u.settimeoffset.time_offset_seconds = 3600;
	memcpy(e->buf, &op, sizeof(op));
	assert_int_equal(call(e, NULL, __HYPERVISOR_domctl, 0, 0, 0), 0);
	assert_true(shinfo(e)->wc_sec >= before + 3599 && shinfo(e)->wc_sec <= before + 3601);
	assert_int_equal(shinfo(e)->wc_version, version + 2);
}

static void test_register_vcpu_info_carries_over(void **state)
{
	struct env *e = *state;
	struct vcpu_register_vcpu_info info = { .mfn = VINFO_GFN, .offset = 64 };
	struct vcpu_info *moved =
		memory_gpa_ptr(&e->d->mem, (VINFO_GFN << 12) + 64, sizeof(*moved));
	struct shared_info *si = shinfo(e);

	si->vcpu_info[0].evtchn_upcall_mask = 1;
	memset(moved, 0, sizeof(*moved));
	assert_int_equal(vcpu_op(e, e->v, VCPUOP_register_vcpu_info, 0, &info, sizeof(info)), 0);
	assert_int_equal(moved->evtchn_upcall_mask, 1);
	assert_true(moved->time.version >= si->vcpu_info[0].time.version);
	assert_int_equal(moved->time.version & 1, 0);
	assert_int_equal(moved->time.tsc_to_system_mul, si->vcpu_info[0].time.tsc_to_system_mul);
	assert_true(moved->time.system_time >= si->vcpu_info[0].time.system_time);
	/* Given back, the frame stays a hole: no record is written there. */
	pthread_mutex_lock(&e->hv.lock);
	assert_int_equal(domain_decrease(e->d, VINFO_GFN, 1), 0);
	domain_timer_publish(e->d);
	pthread_mutex_unlock(&e->hv.lock);
	assert_true(lseek(e->d->mem.memfd, VINFO_GFN << 12, SEEK_DATA) != (off_t)(VINFO_GFN << 12));
}

/* After a restore, time continues from the saved value, never back. */
static void test_restore_continues(void **state)
{
	struct env *e = *state;
	uint64_t saved = 3600ull * 1000000000ull;

	pthread_mutex_lock(&e->hv.lock);
	domain_timer_restore(e->d, saved);
	assert_true(domain_timer_now(e->d) >= saved);
	pthread_mutex_unlock(&e->hv.lock);
	assert_true(shinfo(e)->vcpu_info[0].time.system_time >= saved);
	assert_int_equal(shinfo(e)->vcpu_info[0].time.version & 1, 0);
	/* A timer in restored time still fires. */
	test_future_fires_from_thread(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_published_on_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overdue_fires_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_future_fires_from_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_periodic_ticks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_block_woken_at_deadline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_settimeoffset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_vcpu_info_carries_over, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_restore_continues, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
