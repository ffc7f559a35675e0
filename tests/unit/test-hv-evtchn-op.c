/*
 * Unit tests of xenhv's event channel and grant table wiring (evtchn_op.c,
 * evtchn_host.c, gnttab_op.c) through the fake backend: the hypercalls as
 * domain 0 and as a guest vCPU see them, delivery into the guest's own
 * shared_info page, SCHEDOP_poll blocking and waking, host ends attached
 * to eventfds (the bind-time event, events both ways, ports closed with
 * their connection), grant map and copy by domain 0, and bad arguments.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cmocka.h>

#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/sched.h>

#include "../../hypervisor/domain.h"
#include "../../hypervisor/events.h"
#include "../../hypervisor/evtchn.h"
#include "../../hypervisor/gnttab.h"
#include "../../hypervisor/gnttab_op.h"
#include "../../hypervisor/hypercall.h"
#include "hv-fake-backend.h"

#define POOL_PAGES 4096
#define GUEST_PAGES 16
#define SHINFO_GFN 2

struct env {
	struct xenhv hv;
	struct fake_backend fb;
	struct domain *d;
	struct vcpu *v;
	uint8_t buf[3 * 4096]; /* domain 0's memory: addresses are offsets */
};

/* Addresses are offsets into env->buf, for domain 0 and the guest alike. */
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

static int64_t call(struct env *e, bool guest, unsigned int nr, uint64_t a0, uint64_t a1,
		    uint64_t a2)
{
	struct guest_access ga = { flat_read, flat_write, e };
	struct hc_ctx ctx = {
		.hv = &e->hv,
		.caller = guest ? e->d : domain_lookup(&e->hv, 0),
		.vcpu = guest ? e->v : NULL,
		.mem = &ga,
	};
	uint64_t args[5] = { a0, a1, a2, 0, 0 };
	int64_t rc;

	pthread_mutex_lock(&e->hv.lock);
	rc = hypercall_dispatch(&ctx, nr, args);
	pthread_mutex_unlock(&e->hv.lock);
	return rc;
}

/* An EVTCHNOP with its structure at buf offset 0. */
static int64_t evtchn_call(struct env *e, bool guest, unsigned int cmd, void *op, size_t len)
{
	int64_t rc;

	memcpy(e->buf, op, len);
	rc = call(e, guest, __HYPERVISOR_event_channel_op, cmd, 0, 0);
	memcpy(op, e->buf, len);
	return rc;
}

static struct shared_info *guest_shinfo(struct env *e)
{
	return memory_gpa_ptr(&e->d->mem, SHINFO_GFN << 12, 4096);
}

static int setup(void **state)
{
	struct xen_domctl_createdomain cfg = { .flags = XEN_DOMCTL_CDF_hvm, .max_vcpus = 1 };
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
	pthread_mutex_unlock(&e->hv.lock);
	assert_non_null(e->hv.events);
	assert_non_null(e->d->evtchn);
	memcpy(e->buf, &xatp, sizeof(xatp));
	assert_int_equal(call(e, true, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, 0, 0), 0);
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
	free(e);
	return 0;
}

/* The guest's unbound port for domain 0, bound by domain 0: both ends. */
static void connect_ports(struct env *e, evtchn_port_t *guest_port, evtchn_port_t *host_port)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 0 };
	struct evtchn_bind_interdomain bi;

	assert_int_equal(evtchn_call(e, true, EVTCHNOP_alloc_unbound, &au, sizeof(au)), 0);
	bi.remote_dom = e->d->domid;
	bi.remote_port = au.port;
	assert_int_equal(evtchn_call(e, false, EVTCHNOP_bind_interdomain, &bi, sizeof(bi)), 0);
	*guest_port = au.port;
	*host_port = bi.local_port;
}

static bool guest_pending(struct env *e, evtchn_port_t port)
{
	return guest_shinfo(e)->evtchn_pending[port / 64] & (1ull << (port % 64));
}

static void test_send_reaches_shared_info(void **state)
{
	struct env *e = *state;
	evtchn_port_t gp, hp;
	struct evtchn_send send;

	connect_ports(e, &gp, &hp);
	assert_false(guest_pending(e, gp));
	send.port = hp;
	assert_int_equal(evtchn_call(e, false, EVTCHNOP_send, &send, sizeof(send)), 0);
	assert_true(guest_pending(e, gp));
	assert_int_equal(guest_shinfo(e)->vcpu_info[0].evtchn_upcall_pending, 1);
}

static void test_poll_blocks_and_wakes(void **state)
{
	struct env *e = *state;
	evtchn_port_t gp, hp;
	struct evtchn_send send;
	struct sched_poll poll = { .nr_ports = 1 };

	connect_ports(e, &gp, &hp);
	/* The ports list at offset 256, the sched_poll at 0. */
	memcpy(e->buf + 256, &gp, sizeof(gp));
	set_xen_guest_handle(poll.ports, (evtchn_port_t *)256);
	memcpy(e->buf, &poll, sizeof(poll));
	assert_int_equal(call(e, true, __HYPERVISOR_sched_op, SCHEDOP_poll, 0, 0), 0);
	assert_true(e->v->blocked);
	assert_true(e->v->polling);
	send.port = hp;
	assert_int_equal(evtchn_call(e, false, EVTCHNOP_send, &send, sizeof(send)), 0);
	assert_true(e->v->wake_pending);
	assert_false(e->v->polling);
	/* Pending now: a second poll returns at once. */
	e->v->blocked = false;
	e->v->wake_pending = false;
	memcpy(e->buf, &poll, sizeof(poll));
	assert_int_equal(call(e, true, __HYPERVISOR_sched_op, SCHEDOP_poll, 0, 0), 0);
	assert_false(e->v->blocked);
	/* Too many ports, as Xen. */
	poll.nr_ports = 129;
	memcpy(e->buf, &poll, sizeof(poll));
	assert_int_equal(call(e, true, __HYPERVISOR_sched_op, SCHEDOP_poll, 0, 0), -EINVAL);
}

static uint64_t efd_read(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void test_host_end_eventfds(void **state)
{
	struct env *e = *state;
	evtchn_port_t gp, hp;
	struct evtchn_send send = { 0 };
	struct evtchn_status st = { .dom = DOMID_SELF };
	int fds[2], notify, kick;
	static int conn;

	connect_ports(e, &gp, &hp);
	notify = eventfd(0, EFD_NONBLOCK);
	kick = eventfd(0, EFD_NONBLOCK);
	assert_true(notify >= 0 && kick >= 0);
	fds[0] = dup(notify);
	fds[1] = dup(kick);
	assert_int_equal(hv_hostport_attach(&e->hv, -1, &conn, hp, fds), 0);
	assert_int_equal(fds[0], -1);
	/* Xen's bind-time event on the binder's port was kept for us. */
	assert_int_equal(efd_read(notify), 1);
	/* A second attach of the same port: busy. */
	fds[0] = eventfd(0, 0);
	fds[1] = eventfd(0, 0);
	assert_int_equal(hv_hostport_attach(&e->hv, -1, &conn, hp, fds), -EBUSY);
	close(fds[0]);
	close(fds[1]);
	/* Guest to host. */
	send.port = gp;
	assert_int_equal(evtchn_call(e, true, EVTCHNOP_send, &send, sizeof(send)), 0);
	assert_int_equal(efd_read(notify), 1);
	/* The connection goes: the port closes, the guest's end is unbound. */
	hv_hostport_conn_closed(&e->hv, &conn);
	st.port = hp;
	assert_int_equal(evtchn_call(e, false, EVTCHNOP_status, &st, sizeof(st)), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	st.dom = DOMID_SELF;
	st.port = gp;
	assert_int_equal(evtchn_call(e, true, EVTCHNOP_status, &st, sizeof(st)), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	/* Attaching a closed port is refused. */
	fds[0] = eventfd(0, 0);
	fds[1] = eventfd(0, 0);
	assert_int_equal(hv_hostport_attach(&e->hv, -1, &conn, hp, fds), -EINVAL);
	close(fds[0]);
	close(fds[1]);
	close(notify);
	close(kick);
}

static void test_bad_arguments(void **state)
{
	struct env *e = *state;
	struct evtchn_send send = { .port = 77 };

	assert_int_equal(call(e, true, __HYPERVISOR_event_channel_op, 99, 0, 0), -ENOSYS);
	assert_int_equal(call(e, true, __HYPERVISOR_event_channel_op, EVTCHNOP_send, 1ull << 40, 0),
			 -EFAULT);
	assert_int_equal(evtchn_call(e, true, EVTCHNOP_send, &send, sizeof(send)), -EINVAL);
	/* A guest has no host mappings to make. */
	assert_int_equal(call(e, true, __HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, 0, 1),
			 -EOPNOTSUPP);
	assert_int_equal(call(e, true, __HYPERVISOR_grant_table_op, 99, 0, 1), -ENOSYS);
	/* Grant frames need a backend that can alias pages: not the fake. */
	assert_int_equal(memop_add_grant_frame(e->d, 0, 100), -EOPNOTSUPP);
}

static void test_grant_map_and_copy(void **state)
{
	struct env *e = *state;
	struct gnttab_map_grant_ref map = { .flags = GNTMAP_host_map, .ref = 5 };
	struct gnttab_unmap_grant_ref unmap = { 0 };
	struct gnttab_copy copy = { 0 };
	uint8_t *frame7 = memory_gpa_ptr(&e->d->mem, 7 << 12, 4096);

	map.dom = e->d->domid;
	memcpy(frame7, "granted", 8);
	pthread_mutex_lock(&e->hv.lock);
	assert_int_equal(gnttab_seed_entry(e->d->gnttab, 5, 0, 7), 0);
	pthread_mutex_unlock(&e->hv.lock);
	memcpy(e->buf, &map, sizeof(map));
	assert_int_equal(call(e, false, __HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, 0, 1),
			 0);
	memcpy(&map, e->buf, sizeof(map));
	assert_int_equal(map.status, GNTST_okay);
	assert_int_equal(map.dev_bus_addr, 7 << 12);
	assert_int_equal(gnttab_entry_pin(e->d->gnttab, 5) != 0, 1);
	unmap.handle = map.handle;
	memcpy(e->buf, &unmap, sizeof(unmap));
	assert_int_equal(
		call(e, false, __HYPERVISOR_grant_table_op, GNTTABOP_unmap_grant_ref, 0, 1), 0);
	memcpy(&unmap, e->buf, sizeof(unmap));
	assert_int_equal(unmap.status, GNTST_okay);
	assert_int_equal(gnttab_entry_pin(e->d->gnttab, 5), 0);
	/* Copy the granted bytes into domain 0's page at buf + 4096. */
	copy.source.u.ref = 5;
	copy.source.domid = e->d->domid;
	copy.dest.u.gmfn = 1; /* buf offset 4096 */
	copy.dest.domid = DOMID_SELF;
	copy.dest.offset = 16;
	copy.len = 8;
	copy.flags = GNTCOPY_source_gref;
	memset(e->buf + 4096, 0, 4096);
	memcpy(e->buf, &copy, sizeof(copy));
	assert_int_equal(call(e, false, __HYPERVISOR_grant_table_op, GNTTABOP_copy, 0, 1), 0);
	memcpy(&copy, e->buf, sizeof(copy));
	assert_int_equal(copy.status, GNTST_okay);
	assert_memory_equal(e->buf + 4096 + 16, "granted", 8);
	/* A ref never granted. */
	map.ref = 6;
	memcpy(e->buf, &map, sizeof(map));
	assert_int_equal(call(e, false, __HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, 0, 1),
			 0);
	memcpy(&map, e->buf, sizeof(map));
	assert_int_not_equal(map.status, GNTST_okay);
}

/*
 * Random event_channel_op and grant_table_op calls from the guest and from
 * domain 0, with random structures: every call answers, nothing crashes or
 * leaks (ASan), and the domain is still usable afterwards.
 */
static void test_hostile_calls(void **state)
{
	struct env *e = *state;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	evtchn_port_t gp, hp;
	struct evtchn_send send;
	unsigned int i, j;

	for (i = 0; i < 3000; i++) {
		bool guest = i & 1;
		unsigned int nr =
			(i / 2) % 2 ? __HYPERVISOR_grant_table_op : __HYPERVISOR_event_channel_op;
		uint64_t cmd, count;

		for (j = 0; j < 64; j++) {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			e->buf[(seed >> 20) % 256] = (uint8_t)(seed >> 40);
		}
		/* Small values stay small: ports, refs, domids that exist. */
		for (j = 0; j < 256; j += 4)
			if ((e->buf[j] & 3) == 0)
				e->buf[j + 1] = e->buf[j + 2] = e->buf[j + 3] = 0;
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		cmd = (seed >> 33) % 16;
		count = (seed >> 50) % 4;
		if (nr == __HYPERVISOR_grant_table_op && cmd == GNTTABOP_setup_table)
			count = 1;
		call(e, guest, nr, cmd, (seed >> 13) % 2 ? 0 : (seed >> 17) % 512, count);
		/* The guest must not have blocked itself for good. */
		e->v->blocked = false;
		e->v->polling = false;
	}
	/* Still working: a fresh pair of ports delivers. */
	pthread_mutex_lock(&e->hv.lock);
	evtchn_reset(e->d->evtchn, &(struct evtchn_reset){ .dom = DOMID_SELF });
	pthread_mutex_unlock(&e->hv.lock);
	connect_ports(e, &gp, &hp);
	send.port = hp;
	assert_int_equal(evtchn_call(e, false, EVTCHNOP_send, &send, sizeof(send)), 0);
	assert_true(guest_pending(e, gp));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_send_reaches_shared_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poll_blocks_and_wakes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_end_eventfds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grant_map_and_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_calls, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
