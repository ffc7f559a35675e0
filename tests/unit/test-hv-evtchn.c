/*
 * Unit tests of xenhv's event channels (hypervisor/evtchn.c): port table
 * limits, every operation's error codes, 2-level delivery semantics in a
 * plain shared_info buffer, host (domain 0) ends, VIRQ rules and teardown.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../hypervisor/evtchn.h"

#define MAX_EVENTS 64
#define EVTCHN_MAX_VCPUS_TEST 4096 /* evtchn.c's bound on vCPUs */

struct fake {
	struct evtchn_host *h;
	unsigned int kicks[2][64]; /* [domid 1|2 - 1][vcpu] */
	unsigned int nr_host;
	evtchn_port_t host_ports[MAX_EVENTS];
	unsigned int nr_pending;
	unsigned int bad_callbacks;
	unsigned int kicks_other; /* domain 3 */
	bool paused;
	struct shared_info si[2];
	struct evtchn_domain *dom0, *a, *b; /* domains 0, 1, 2 */
};

static void fake_kick(void *opaque, struct evtchn_domain *d, uint32_t vcpu)
{
	struct fake *f = opaque;
	domid_t id = evtchn_domain_id(d);

	/* No cmocka assert here: it would jump out with the lock held. */
	if ((id == 1 || id == 2) && vcpu < 64)
		f->kicks[id - 1][vcpu]++;
	else if (id == 3)
		f->kicks_other++;
	else
		f->bad_callbacks++;
}

static void fake_host_notify(void *opaque, struct evtchn_domain *d, evtchn_port_t port)
{
	struct fake *f = opaque;

	if (evtchn_domain_id(d) == 0 && f->nr_host < MAX_EVENTS)
		f->host_ports[f->nr_host++] = port;
	else
		f->bad_callbacks++;
}

static void fake_port_pending(void *opaque, struct evtchn_domain *d, evtchn_port_t port)
{
	struct fake *f = opaque;

	(void)d;
	(void)port;
	f->nr_pending++;
}

static bool fake_paused(void *opaque, struct evtchn_domain *d)
{
	(void)d;
	return ((struct fake *)opaque)->paused;
}

static const struct evtchn_ops fake_ops = {
	.vcpu_kick = fake_kick,
	.host_notify = fake_host_notify,
	.port_pending = fake_port_pending,
	.domain_paused = fake_paused,
};

static struct evtchn_domain *make_domain(struct fake *f, domid_t id, uint32_t vcpus,
					 uint32_t max_port)
{
	struct evtchn_domain_config cfg = { .domid = id, .nr_vcpus = vcpus, .max_port = max_port };
	struct evtchn_domain *d = NULL;

	assert_int_equal(evtchn_domain_create(f->h, &cfg, &d), 0);
	if (id == 1 || id == 2)
		evtchn_domain_set_shared_info(d, &f->si[id - 1]);
	return d;
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	struct evtchn_domain_config host = {
		.domid = 0, .nr_vcpus = 1, .privileged = true, .host = true
	};

	f->h = evtchn_host_create(&fake_ops, f);
	assert_non_null(f->h);
	assert_int_equal(evtchn_domain_create(f->h, &host, &f->dom0), 0);
	f->a = make_domain(f, 1, 4, 0);
	f->b = make_domain(f, 2, 40, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	unsigned int bad = f->bad_callbacks;

	evtchn_host_destroy(f->h);
	free(f);
	assert_int_equal(bad, 0);
	return 0;
}

static bool bit(const xen_ulong_t *words, unsigned int nr)
{
	return words[nr / 64] & (1ul << (nr % 64));
}

static evtchn_port_t unbound(struct evtchn_domain *d, domid_t remote)
{
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = remote };

	assert_int_equal(evtchn_alloc_unbound(d, &op), 0);
	return op.port;
}

/* a's port connected to b's port; returns a's port, *bport b's. */
static evtchn_port_t connect(struct evtchn_domain *a, struct evtchn_domain *b, evtchn_port_t *bport)
{
	evtchn_port_t rp = unbound(b, evtchn_domain_id(a));
	struct evtchn_bind_interdomain op = { .remote_dom = evtchn_domain_id(b),
					      .remote_port = rp };

	assert_int_equal(evtchn_bind_interdomain(a, &op), 0);
	if (bport)
		*bport = rp;
	return op.local_port;
}

static void clear_guest(struct fake *f, int which)
{
	memset(&f->si[which], 0, sizeof(f->si[which]));
	memset(f->kicks, 0, sizeof(f->kicks));
}

static void test_create_config(void **state)
{
	struct fake *f = *state;
	struct evtchn_domain_config cfg = { .domid = 5, .nr_vcpus = 1 };
	struct evtchn_domain *d;

	cfg.nr_vcpus = 0;
	assert_int_equal(evtchn_domain_create(f->h, &cfg, &d), -EINVAL);
	cfg.nr_vcpus = EVTCHN_MAX_VCPUS_TEST + 1;
	assert_int_equal(evtchn_domain_create(f->h, &cfg, &d), -EINVAL);
	cfg.nr_vcpus = 1;
	cfg.domid = DOMID_SELF;
	assert_int_equal(evtchn_domain_create(f->h, &cfg, &d), -EINVAL);
	cfg.domid = 1;
	assert_int_equal(evtchn_domain_create(f->h, &cfg, &d), -EEXIST);
	assert_ptr_equal(evtchn_domain_lookup(f->h, 1), f->a);
	assert_null(evtchn_domain_lookup(f->h, 77));
}

static void test_alloc_unbound(void **state)
{
	struct fake *f = *state;
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	struct evtchn_status st = { .dom = DOMID_SELF };

	assert_int_equal(evtchn_alloc_unbound(f->a, &op), 0);
	assert_int_equal(op.port, 1); /* port 0 is reserved */
	st.port = 1;
	assert_int_equal(evtchn_status(f->a, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 1); /* DOMID_SELF resolved */
	assert_int_equal(st.vcpu, 0);
	st.port = 0;
	assert_int_equal(evtchn_status(f->a, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);

	op.dom = 99;
	assert_int_equal(evtchn_alloc_unbound(f->a, &op), -ESRCH);
	op.dom = 2; /* an unprivileged domain cannot allocate in another */
	assert_int_equal(evtchn_alloc_unbound(f->a, &op), -EPERM);
	/* The builder (domain 0) allocates a guest's ports for the host. */
	op.dom = 2;
	op.remote_dom = 0;
	assert_int_equal(evtchn_alloc_unbound(f->dom0, &op), 0);
	st.dom = 2;
	st.port = op.port;
	assert_int_equal(evtchn_status(f->dom0, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 0);
}

static void test_port_limits(void **state)
{
	struct fake *f = *state;
	struct evtchn_domain *d = make_domain(f, 7, 1, 10);
	/* More than the 2-level ABI addresses: clamped to 4095, as Xen. */
	struct evtchn_domain *big = make_domain(f, 8, 1, UINT32_MAX);
	struct evtchn_domain *dflt = make_domain(f, 9, 1, 0);
	struct evtchn_alloc_unbound op = { .dom = DOMID_SELF };
	struct evtchn_status st = { .dom = DOMID_SELF };
	unsigned int i;

	for (i = 1; i <= 10; i++) {
		assert_int_equal(evtchn_alloc_unbound(d, &op), 0);
		assert_int_equal(op.port, i);
	}
	assert_int_equal(evtchn_alloc_unbound(d, &op), -ENOSPC);
	/* A freed port is reused first. */
	assert_int_equal(evtchn_close(d, &(struct evtchn_close){ .port = 4 }), 0);
	assert_int_equal(evtchn_alloc_unbound(d, &op), 0);
	assert_int_equal(op.port, 4);

	/* Buckets: port 63 is valid (closed) in a fresh table, 64 is not. */
	st.port = 63;
	assert_int_equal(evtchn_status(big, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	st.port = 64;
	assert_int_equal(evtchn_status(big, &st), -EINVAL);
	for (i = 1; i <= 4095; i++)
		assert_int_equal(evtchn_alloc_unbound(big, &op), 0);
	assert_int_equal(op.port, 4095);
	assert_int_equal(evtchn_alloc_unbound(big, &op), -ENOSPC);
	st.port = 4095;
	assert_int_equal(evtchn_status(big, &st), 0);
	st.port = 4096;
	assert_int_equal(evtchn_status(big, &st), -EINVAL);

	for (i = 1; i <= EVTCHN_DEFAULT_MAX_PORT; i++)
		assert_int_equal(evtchn_alloc_unbound(dflt, &op), 0);
	assert_int_equal(evtchn_alloc_unbound(dflt, &op), -ENOSPC);

	evtchn_domain_destroy(d);
	evtchn_domain_destroy(big);
	evtchn_domain_destroy(dflt);
}

static void test_bind_interdomain_errors(void **state)
{
	struct fake *f = *state;
	struct evtchn_bind_interdomain op = { .remote_dom = 99 };
	evtchn_port_t bp;

	assert_int_equal(evtchn_bind_interdomain(f->a, &op), -ESRCH);
	op.remote_dom = 2;
	op.remote_port = 500; /* not a valid port of b */
	assert_int_equal(evtchn_bind_interdomain(f->a, &op), -EINVAL);
	op.remote_port = 3; /* valid but free */
	assert_int_equal(evtchn_bind_interdomain(f->a, &op), -EINVAL);
	op.remote_port = 0; /* reserved */
	assert_int_equal(evtchn_bind_interdomain(f->a, &op), -EINVAL);
	bp = unbound(f->b, 0); /* offered to domain 0, not to a */
	op.remote_port = bp;
	assert_int_equal(evtchn_bind_interdomain(f->a, &op), -EINVAL);
	/* A bound port cannot be bound twice. */
	connect(f->a, f->b, &bp);
	op.remote_port = bp;
	assert_int_equal(evtchn_bind_interdomain(f->a, &op), -EINVAL);
}

static void test_interdomain_delivery(void **state)
{
	struct fake *f = *state;
	struct evtchn_status st = { .dom = DOMID_SELF };
	evtchn_port_t ap, bp;

	ap = connect(f->a, f->b, &bp);
	/* Binding conservatively marks the binder's new port pending. */
	assert_true(bit(f->si[0].evtchn_pending, ap));
	assert_int_equal(f->kicks[0][0], 1);
	clear_guest(f, 0);

	st.port = ap;
	assert_int_equal(evtchn_status(f->a, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, 2);
	assert_int_equal(st.u.interdomain.port, bp);
	st.port = bp;
	assert_int_equal(evtchn_status(f->b, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_interdomain);
	assert_int_equal(st.u.interdomain.dom, 1);
	assert_int_equal(st.u.interdomain.port, ap);

	/* a -> b: pending bit, selector, upcall flag, one kick. */
	assert_int_equal(evtchn_send(f->a, &(struct evtchn_send){ .port = ap }), 0);
	assert_true(bit(f->si[1].evtchn_pending, bp));
	assert_true(f->si[1].vcpu_info[0].evtchn_pending_sel & (1ul << (bp / 64)));
	assert_int_equal(f->si[1].vcpu_info[0].evtchn_upcall_pending, 1);
	assert_int_equal(f->kicks[1][0], 1);
	assert_true(evtchn_port_is_pending(f->b, bp));
	assert_true(evtchn_vcpu_events_pending(f->b, 0));
	/* Already pending: no second kick. */
	evtchn_send(f->a, &(struct evtchn_send){ .port = ap });
	assert_int_equal(f->kicks[1][0], 1);
	/* Upcall masked: events pending but not deliverable. */
	f->si[1].vcpu_info[0].evtchn_upcall_mask = 1;
	assert_false(evtchn_vcpu_events_pending(f->b, 0));
	f->si[1].vcpu_info[0].evtchn_upcall_mask = 0;

	/* The guest acknowledges; b -> a works the same way. */
	clear_guest(f, 1);
	assert_int_equal(evtchn_send(f->b, &(struct evtchn_send){ .port = bp }), 0);
	assert_true(bit(f->si[0].evtchn_pending, ap));
	assert_int_equal(f->kicks[0][0], 1);
	assert_int_equal(f->si[1].evtchn_pending[0], 0);
}

static void test_two_level_mask_unmask(void **state)
{
	struct fake *f = *state;
	struct shared_info *si = &f->si[1];
	evtchn_port_t ap, bp, bp2;
	unsigned int i;

	/* Push b's port into the second selector word. */
	for (i = 0; i < 70; i++)
		unbound(f->b, 5);
	ap = connect(f->a, f->b, &bp);
	assert_true(bp >= 64);
	clear_guest(f, 1);

	si->evtchn_mask[bp / 64] |= 1ul << (bp % 64);
	evtchn_send(f->a, &(struct evtchn_send){ .port = ap });
	assert_true(bit(si->evtchn_pending, bp));
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 0);
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0);
	assert_int_equal(f->kicks[1][0], 0);

	/* Unmask re-delivers the pending event. */
	assert_int_equal(evtchn_unmask(f->b, &(struct evtchn_unmask){ .port = bp }), 0);
	assert_false(bit(si->evtchn_mask, bp));
	assert_int_equal(si->vcpu_info[0].evtchn_pending_sel, 1ul << (bp / 64));
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 1);
	assert_int_equal(f->kicks[1][0], 1);

	/* Unmask of a port that is not pending only clears the mask. */
	clear_guest(f, 1);
	bp2 = unbound(f->b, 1);
	si->evtchn_mask[0] = ~0ul;
	evtchn_unmask(f->b, &(struct evtchn_unmask){ .port = bp2 });
	assert_false(bit(si->evtchn_mask, bp2));
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0);
	assert_int_equal(f->kicks[1][0], 0);
	assert_int_equal(evtchn_unmask(f->b, &(struct evtchn_unmask){ .port = 9999 }), -EINVAL);

	/* Selector already set: no new upcall, no kick. */
	clear_guest(f, 1);
	si->vcpu_info[0].evtchn_pending_sel = 1ul << (bp / 64);
	evtchn_send(f->a, &(struct evtchn_send){ .port = ap });
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0);
	assert_int_equal(f->kicks[1][0], 0);

	/* Hostile garbage in the upcall byte: only bit 0 counts. */
	clear_guest(f, 1);
	si->vcpu_info[0].evtchn_upcall_pending = 0xfe;
	evtchn_send(f->a, &(struct evtchn_send){ .port = ap });
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 0xff);
	assert_int_equal(f->kicks[1][0], 1);
}

static void test_close_interdomain(void **state)
{
	struct fake *f = *state;
	struct evtchn_status st = { .dom = DOMID_SELF };
	struct evtchn_bind_interdomain rebind = { .remote_dom = 2 };
	evtchn_port_t ap, bp;

	ap = connect(f->a, f->b, &bp);
	evtchn_send(f->b, &(struct evtchn_send){ .port = bp });
	assert_true(bit(f->si[0].evtchn_pending, ap));
	assert_int_equal(evtchn_close(f->a, &(struct evtchn_close){ .port = ap }), 0);
	/* Closing clears the pending bit: no stale event on re-use. */
	assert_false(bit(f->si[0].evtchn_pending, ap));
	st.port = ap;
	assert_int_equal(evtchn_status(f->a, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	st.port = bp;
	assert_int_equal(evtchn_status(f->b, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 1);
	/* Sending on the now unbound end is silently dropped. */
	assert_int_equal(evtchn_send(f->b, &(struct evtchn_send){ .port = bp }), 0);
	/* Closed ports cannot be closed or used again. */
	assert_int_equal(evtchn_close(f->a, &(struct evtchn_close){ .port = ap }), -EINVAL);
	assert_int_equal(evtchn_send(f->a, &(struct evtchn_send){ .port = ap }), -EINVAL);
	assert_int_equal(evtchn_close(f->a, &(struct evtchn_close){ .port = 0 }), -EINVAL);
	assert_int_equal(evtchn_close(f->a, &(struct evtchn_close){ .port = 1u << 20 }), -EINVAL);
	/* a may bind b's end again. */
	rebind.remote_port = bp;
	assert_int_equal(evtchn_bind_interdomain(f->a, &rebind), 0);
	assert_int_equal(rebind.local_port, ap);
}

static void test_virq_rules(void **state)
{
	struct fake *f = *state;
	struct evtchn_bind_virq op = { .virq = VIRQ_TIMER, .vcpu = 1 };
	struct evtchn_status st = { .dom = DOMID_SELF };
	evtchn_port_t t0, t1, dbg, con;

	assert_int_equal(evtchn_bind_virq(f->a, &op), 0);
	t1 = op.port;
	assert_int_equal(evtchn_bind_virq(f->a, &op), -EEXIST);
	op.vcpu = 0;
	assert_int_equal(evtchn_bind_virq(f->a, &op), 0);
	t0 = op.port;
	assert_int_not_equal(t0, t1);
	op.virq = VIRQ_DEBUG; /* per-vCPU too */
	op.vcpu = 3;
	assert_int_equal(evtchn_bind_virq(f->a, &op), 0);
	dbg = op.port;
	op.vcpu = 4;
	assert_int_equal(evtchn_bind_virq(f->a, &op), -ENOENT);
	op.virq = VIRQ_CONSOLE; /* global: vCPU 0 only */
	op.vcpu = 1;
	assert_int_equal(evtchn_bind_virq(f->a, &op), -EINVAL);
	op.vcpu = 0;
	assert_int_equal(evtchn_bind_virq(f->a, &op), 0);
	con = op.port;
	op.virq = NR_VIRQS;
	assert_int_equal(evtchn_bind_virq(f->a, &op), -EINVAL);
	op.virq = UINT32_MAX;
	assert_int_equal(evtchn_bind_virq(f->a, &op), -EINVAL);

	st.port = t1;
	assert_int_equal(evtchn_status(f->a, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_virq);
	assert_int_equal(st.u.virq, VIRQ_TIMER);
	assert_int_equal(st.vcpu, 1);
	assert_int_equal(evtchn_virq_port(f->a, 1, VIRQ_TIMER), t1);

	/* Per-vCPU delivery goes to that vCPU's vcpu_info. */
	clear_guest(f, 0);
	evtchn_send_vcpu_virq(f->a, 1, VIRQ_TIMER);
	assert_true(bit(f->si[0].evtchn_pending, t1));
	assert_int_equal(f->si[0].vcpu_info[1].evtchn_upcall_pending, 1);
	assert_int_equal(f->si[0].vcpu_info[0].evtchn_upcall_pending, 0);
	assert_int_equal(f->kicks[0][1], 1);
	/* Sends of a global VIRQ as per-vCPU (and the reverse) are ignored. */
	evtchn_send_vcpu_virq(f->a, 0, VIRQ_CONSOLE);
	evtchn_send_global_virq(f->a, VIRQ_TIMER);
	assert_false(bit(f->si[0].evtchn_pending, con));
	assert_false(bit(f->si[0].evtchn_pending, t0));

	/* bind_vcpu: per-vCPU VIRQs stay, global ones move. */
	assert_int_equal(
		evtchn_bind_vcpu(f->a, &(struct evtchn_bind_vcpu){ .port = t0, .vcpu = 2 }),
		-EINVAL);
	assert_int_equal(
		evtchn_bind_vcpu(f->a, &(struct evtchn_bind_vcpu){ .port = con, .vcpu = 2 }), 0);
	clear_guest(f, 0);
	evtchn_send_global_virq(f->a, VIRQ_CONSOLE);
	assert_int_equal(f->si[0].vcpu_info[2].evtchn_upcall_pending, 1);
	assert_int_equal(f->kicks[0][2], 1);

	/* Closing unbinds the VIRQ; it can be bound again. */
	assert_int_equal(evtchn_close(f->a, &(struct evtchn_close){ .port = dbg }), 0);
	assert_int_equal(evtchn_virq_port(f->a, 3, VIRQ_DEBUG), 0);
	op.virq = VIRQ_DEBUG;
	op.vcpu = 3;
	assert_int_equal(evtchn_bind_virq(f->a, &op), 0);
	assert_int_equal(op.port, dbg);
	/* Sending on a VIRQ port from the guest is refused. */
	assert_int_equal(evtchn_send(f->a, &(struct evtchn_send){ .port = t0 }), -EINVAL);
}

static void test_ipi_and_bind_vcpu(void **state)
{
	struct fake *f = *state;
	struct evtchn_bind_ipi ipi = { .vcpu = 4 };
	struct evtchn_bind_vcpu bv = { .vcpu = 1 };
	evtchn_port_t ap, bp;

	assert_int_equal(evtchn_bind_ipi(f->a, &ipi), -ENOENT);
	ipi.vcpu = 3;
	assert_int_equal(evtchn_bind_ipi(f->a, &ipi), 0);
	clear_guest(f, 0);
	assert_int_equal(evtchn_send(f->a, &(struct evtchn_send){ .port = ipi.port }), 0);
	assert_int_equal(f->kicks[0][3], 1);
	assert_int_equal(f->si[0].vcpu_info[3].evtchn_upcall_pending, 1);
	/* An IPI port cannot be moved. */
	bv.port = ipi.port;
	assert_int_equal(evtchn_bind_vcpu(f->a, &bv), -EINVAL);
	bv.vcpu = 9;
	assert_int_equal(evtchn_bind_vcpu(f->a, &bv), -ENOENT);
	bv.vcpu = 1;
	bv.port = 3000;
	assert_int_equal(evtchn_bind_vcpu(f->a, &bv), -EINVAL);
	bv.port = 60; /* valid, free */
	assert_int_equal(evtchn_bind_vcpu(f->a, &bv), -EINVAL);

	/* Interdomain ports move; closing resets the binding to vCPU 0. */
	ap = connect(f->a, f->b, &bp);
	bv.port = ap;
	assert_int_equal(evtchn_bind_vcpu(f->a, &bv), 0);
	clear_guest(f, 0);
	evtchn_send(f->b, &(struct evtchn_send){ .port = bp });
	assert_int_equal(f->kicks[0][1], 1);
	assert_int_equal(f->kicks[0][0], 0);
	evtchn_close(f->a, &(struct evtchn_close){ .port = ap });
	assert_int_equal(unbound(f->a, 2), ap);
	{
		struct evtchn_status st = { .dom = DOMID_SELF, .port = ap };

		assert_int_equal(evtchn_status(f->a, &st), 0);
		assert_int_equal(st.vcpu, 0);
	}
}

static void test_status_errors(void **state)
{
	struct fake *f = *state;
	struct evtchn_status st = { .dom = 99, .port = 1 };

	assert_int_equal(evtchn_status(f->a, &st), -ESRCH);
	st.dom = 2;
	assert_int_equal(evtchn_status(f->a, &st), -EPERM);
	st.port = 4000;
	assert_int_equal(evtchn_status(f->a, &st), -EINVAL);
	st.port = 1;
	assert_int_equal(evtchn_status(f->dom0, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
}

static void test_reset(void **state)
{
	struct fake *f = *state;
	struct evtchn_status st = { .dom = DOMID_SELF };
	struct evtchn_bind_ipi ipi = { .vcpu = 0 };
	evtchn_port_t ap, bp;

	ap = connect(f->a, f->b, &bp);
	assert_int_equal(evtchn_bind_ipi(f->a, &ipi), 0);
	assert_int_equal(evtchn_reset(f->a, &(struct evtchn_reset){ .dom = 99 }), -ESRCH);
	assert_int_equal(evtchn_reset(f->b, &(struct evtchn_reset){ .dom = 1 }), -EPERM);
	/* Domain 0 resets another domain only while it is paused. */
	f->paused = false;
	assert_int_equal(evtchn_reset(f->dom0, &(struct evtchn_reset){ .dom = 1 }), -EINVAL);
	f->paused = true;
	assert_int_equal(evtchn_reset(f->dom0, &(struct evtchn_reset){ .dom = 1 }), 0);
	st.port = ap;
	assert_int_equal(evtchn_status(f->a, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	st.port = ipi.port;
	assert_int_equal(evtchn_status(f->a, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_closed);
	st.port = bp;
	assert_int_equal(evtchn_status(f->b, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 1);
	/* A guest resets itself without being paused; port 0 stays reserved. */
	f->paused = false;
	unbound(f->b, 1);
	assert_int_equal(evtchn_reset(f->b, &(struct evtchn_reset){ .dom = DOMID_SELF }), 0);
	assert_int_equal(unbound(f->b, 1), 1);
}

static void test_init_control(void **state)
{
	struct fake *f = *state;
	struct evtchn_init_control op = { .vcpu = 4 };

	assert_int_equal(evtchn_init_control(f->a, &op), -ENOENT);
	op.vcpu = 0;
	op.offset = 4;
	assert_int_equal(evtchn_init_control(f->a, &op), -EINVAL);
	op.offset = 4096 - 64; /* crosses the page */
	assert_int_equal(evtchn_init_control(f->a, &op), -EINVAL);
	op.offset = UINT32_MAX;
	assert_int_equal(evtchn_init_control(f->a, &op), -EINVAL);
	op.offset = 4096 - EVTCHN_FIFO_CONTROL_BLOCK_SIZE;
	assert_int_equal(evtchn_init_control(f->a, &op), -ENOSYS);
	assert_int_equal(op.link_bits, EVTCHN_FIFO_LINK_BITS);
	op.offset = 0;
	assert_int_equal(evtchn_init_control(f->a, &op), -ENOSYS);
}

static void test_host_ends(void **state)
{
	struct fake *f = *state;
	struct evtchn_alloc_unbound au = { .dom = 1, .remote_dom = 0 };
	struct evtchn_bind_interdomain bi = { .remote_dom = 1 };
	struct evtchn_status st = { .dom = DOMID_SELF };
	evtchn_port_t gp, hp, gp2, hp2;

	/* The builder offers a guest port to the host (xenstore style). */
	assert_int_equal(evtchn_alloc_unbound(f->dom0, &au), 0);
	gp = au.port;
	bi.remote_port = gp;
	assert_int_equal(evtchn_bind_interdomain(f->dom0, &bi), 0);
	hp = bi.local_port;
	/* The conservative first event reaches the host end's eventfd. */
	assert_int_equal(f->nr_host, 1);
	assert_int_equal(f->host_ports[0], hp);

	/* guest -> host */
	assert_int_equal(evtchn_send(f->a, &(struct evtchn_send){ .port = gp }), 0);
	assert_int_equal(f->nr_host, 2);
	assert_int_equal(f->host_ports[1], hp);
	/* host -> guest */
	clear_guest(f, 0);
	assert_int_equal(evtchn_send(f->dom0, &(struct evtchn_send){ .port = hp }), 0);
	assert_true(bit(f->si[0].evtchn_pending, gp));
	assert_int_equal(f->kicks[0][0], 1);
	/* Host ports have no shared bitmaps. */
	assert_false(evtchn_port_is_pending(f->dom0, hp));
	assert_int_equal(evtchn_unmask(f->dom0, &(struct evtchn_unmask){ .port = hp }), 0);

	/* The other way round: the host offers, the guest binds. */
	hp2 = unbound(f->dom0, 1);
	bi.remote_dom = 0;
	bi.remote_port = hp2;
	assert_int_equal(evtchn_bind_interdomain(f->a, &bi), 0);
	gp2 = bi.local_port;
	assert_true(bit(f->si[0].evtchn_pending, gp2));
	f->nr_host = 0;
	evtchn_send(f->a, &(struct evtchn_send){ .port = gp2 });
	assert_int_equal(f->nr_host, 1);
	assert_int_equal(f->host_ports[0], hp2);

	/* The guest dies: the host's ends become unbound to it. */
	evtchn_domain_destroy(f->a);
	f->a = NULL;
	st.port = hp;
	assert_int_equal(evtchn_status(f->dom0, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 1);
	st.port = hp2;
	assert_int_equal(evtchn_status(f->dom0, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	f->nr_host = 0;
	assert_int_equal(evtchn_send(f->dom0, &(struct evtchn_send){ .port = hp }), 0);
	assert_int_equal(f->nr_host, 0);
	/* A new domain 1 can be created and bound to the old host port. */
	f->a = make_domain(f, 1, 4, 0);
	bi.remote_dom = 0;
	bi.remote_port = hp;
	assert_int_equal(evtchn_bind_interdomain(f->a, &bi), 0);
}

static void test_dom_exc(void **state)
{
	struct fake *f = *state;
	struct evtchn_bind_virq op = { .virq = VIRQ_DOM_EXC };
	evtchn_port_t port;

	evtchn_raise_dom_exc(f->h); /* nobody bound: nothing happens */
	assert_int_equal(f->nr_host, 0);
	assert_int_equal(evtchn_bind_virq(f->dom0, &op), 0);
	port = op.port;
	evtchn_raise_dom_exc(f->h);
	assert_int_equal(f->nr_host, 1);
	assert_int_equal(f->host_ports[0], port);

	/* XEN_DOMCTL_set_virq_handler moves it to a guest. */
	assert_int_equal(evtchn_set_global_virq_handler(f->h, VIRQ_TIMER, 1), -EINVAL);
	assert_int_equal(evtchn_set_global_virq_handler(f->h, VIRQ_DOM_EXC, 77), -ESRCH);
	assert_int_equal(evtchn_set_global_virq_handler(f->h, VIRQ_DOM_EXC, 2), 0);
	assert_int_equal(evtchn_bind_virq(f->b, &op), 0);
	evtchn_raise_dom_exc(f->h);
	assert_int_equal(f->nr_host, 1);
	assert_true(bit(f->si[1].evtchn_pending, op.port));
	/* The handler dies: domain 0 gets it again. */
	evtchn_domain_destroy(f->b);
	f->b = NULL;
	evtchn_raise_dom_exc(f->h);
	assert_int_equal(f->nr_host, 2);
}

static void test_teardown_peers(void **state)
{
	struct fake *f = *state;
	struct evtchn_status st = { .dom = DOMID_SELF };
	evtchn_port_t ap, bp, ap2, bp2;

	ap = connect(f->a, f->b, &bp);
	ap2 = connect(f->a, f->b, &bp2);
	(void)ap;
	(void)ap2;
	evtchn_domain_destroy(f->a);
	f->a = NULL;
	st.port = bp;
	assert_int_equal(evtchn_status(f->b, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 1);
	st.port = bp2;
	assert_int_equal(evtchn_status(f->b, &st), 0);
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(evtchn_send(f->b, &(struct evtchn_send){ .port = bp }), 0);
	/* Destroying a domain with ports bound to itself works too. */
	ap = connect(f->b, f->b, &bp);
	evtchn_domain_destroy(f->b);
	f->b = NULL;
}

static void test_do_op_dispatch(void **state)
{
	struct fake *f = *state;
	uint64_t buf[8];
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 2 };
	struct evtchn_status st = { .dom = DOMID_SELF };
	bool back;

	assert_int_equal(evtchn_op_size(99, &back), 0);
	assert_int_equal(evtchn_do_op(f->a, 99, buf), -ENOSYS);
	assert_int_equal(evtchn_op_size(EVTCHNOP_alloc_unbound, &back), sizeof(au));
	assert_true(back);
	assert_int_equal(evtchn_op_size(EVTCHNOP_send, &back), 4);
	assert_false(back);
	assert_int_equal(evtchn_op_size(EVTCHNOP_status, &back), 24);
	assert_int_equal(evtchn_op_size(EVTCHNOP_init_control, &back), 24);
	/* Every argument's size as Xen's public/event_channel.h lays it out. */
	{
		static const struct {
			unsigned int cmd;
			size_t size;
			bool back;
		} abi[] = {
			{ EVTCHNOP_bind_interdomain, 12, true },
			{ EVTCHNOP_bind_virq, 12, true },
			{ EVTCHNOP_bind_pirq, 12, true },
			{ EVTCHNOP_close, 4, false },
			{ EVTCHNOP_send, 4, false },
			{ EVTCHNOP_status, 24, true },
			{ EVTCHNOP_alloc_unbound, 8, true },
			{ EVTCHNOP_bind_ipi, 8, true },
			{ EVTCHNOP_bind_vcpu, 8, false },
			{ EVTCHNOP_unmask, 4, false },
			{ EVTCHNOP_reset, 2, false },
			{ EVTCHNOP_init_control, 24, true },
			{ EVTCHNOP_expand_array, 8, false },
			{ EVTCHNOP_set_priority, 8, false },
			{ EVTCHNOP_reset_cont, 2, false },
		};
		unsigned int i;

		for (i = 0; i < sizeof(abi) / sizeof(abi[0]); i++) {
			assert_int_equal(evtchn_op_size(abi[i].cmd, &back), abi[i].size);
			assert_int_equal(back, abi[i].back);
		}
		assert_int_equal(evtchn_op_size(EVTCHNOP_reset_cont + 1, NULL), 0);
		assert_int_equal(evtchn_op_size(UINT32_MAX, &back), 0);
		assert_false(back);
	}

	memcpy(buf, &au, sizeof(au));
	assert_int_equal(evtchn_do_op(f->a, EVTCHNOP_alloc_unbound, buf), 0);
	memcpy(&au, buf, sizeof(au));
	assert_int_equal(au.port, 1);
	st.port = au.port;
	memcpy(buf, &st, sizeof(st));
	assert_int_equal(evtchn_do_op(f->a, EVTCHNOP_status, buf), 0);
	memcpy(&st, buf, sizeof(st));
	assert_int_equal(st.status, EVTCHNSTAT_unbound);
	assert_int_equal(st.u.unbound.dom, 2);

	memset(buf, 0, sizeof(buf));
	assert_int_equal(evtchn_do_op(f->a, EVTCHNOP_expand_array, buf), -EOPNOTSUPP);
	assert_int_equal(evtchn_do_op(f->a, EVTCHNOP_bind_pirq, buf), -EINVAL);
	buf[0] = 1; /* set_priority on a valid port */
	assert_int_equal(evtchn_do_op(f->a, EVTCHNOP_set_priority, buf), -ENOSYS);
	buf[0] = 5000;
	assert_int_equal(evtchn_do_op(f->a, EVTCHNOP_set_priority, buf), -EINVAL);
	/* Unaligned argument buffers are fine. */
	{
		uint8_t raw[64] = { 0 };
		struct evtchn_close c = { .port = 1 };

		memcpy(raw + 1, &c, sizeof(c));
		assert_int_equal(evtchn_do_op(f->a, EVTCHNOP_close, raw + 1), 0);
	}
}

static void test_vcpu_info_moves(void **state)
{
	struct fake *f = *state;
	struct vcpu_info vi;
	evtchn_port_t ap, bp;

	ap = connect(f->a, f->b, &bp);
	memset(&vi, 0, sizeof(vi));
	clear_guest(f, 1);
	assert_int_equal(evtchn_vcpu_set_info(f->b, 40, &vi), -ENOENT);
	assert_int_equal(evtchn_vcpu_set_info(f->b, 0, &vi), 0);
	/* Xen marks everything pending on registration and kicks. */
	assert_int_equal(vi.evtchn_pending_sel, ~0ul);
	assert_int_equal(vi.evtchn_upcall_pending, 1);
	assert_int_equal(f->kicks[1][0], 1);
	memset(&vi, 0, sizeof(vi));
	evtchn_send(f->a, &(struct evtchn_send){ .port = ap });
	assert_int_equal(vi.evtchn_upcall_pending, 1);
	assert_int_equal(f->si[1].vcpu_info[0].evtchn_upcall_pending, 0);
	assert_int_equal(f->kicks[1][0], 2);
	assert_ptr_equal(evtchn_vcpu_info(f->b, 0), &vi);
	assert_ptr_equal(evtchn_vcpu_info(f->b, 1), &f->si[1].vcpu_info[1]);
	assert_null(evtchn_vcpu_info(f->b, 40));
	assert_null(evtchn_vcpu_info(f->dom0, 0));
	/* Back to the shared_info slot. */
	assert_int_equal(evtchn_vcpu_set_info(f->b, 0, NULL), 0);
	assert_ptr_equal(evtchn_vcpu_info(f->b, 0), &f->si[1].vcpu_info[0]);
	assert_int_equal(f->si[1].vcpu_info[0].evtchn_upcall_pending, 1);
}

static void test_vcpus_beyond_32(void **state)
{
	struct fake *f = *state;
	struct evtchn_bind_ipi ipi = { .vcpu = 39 };
	struct vcpu_info vi;

	/* b has 40 vCPUs: vCPU 39 has no slot in shared_info. */
	assert_int_equal(evtchn_bind_ipi(f->b, &ipi), 0);
	clear_guest(f, 1);
	evtchn_send(f->b, &(struct evtchn_send){ .port = ipi.port });
	assert_true(bit(f->si[1].evtchn_pending, ipi.port));
	assert_int_equal(f->kicks[1][39], 1);
	assert_true(evtchn_vcpu_events_pending(f->b, 39));
	memset(&vi, 0, sizeof(vi));
	assert_int_equal(evtchn_vcpu_set_info(f->b, 39, &vi), 0);
	assert_int_equal(vi.evtchn_upcall_pending, 1);
}

static void test_shared_info_late(void **state)
{
	struct fake *f = *state;
	struct evtchn_domain_config cfg = { .domid = 3, .nr_vcpus = 2 };
	struct evtchn_domain *d = NULL;
	struct shared_info *si = calloc(1, sizeof(*si));
	evtchn_port_t dp, bp;

	/* Events before the guest maps shared_info are kept. */
	assert_int_equal(evtchn_domain_create(f->h, &cfg, &d), 0);
	dp = connect(d, f->b, &bp);
	evtchn_send(f->b, &(struct evtchn_send){ .port = bp });
	assert_true(evtchn_port_is_pending(d, dp));
	assert_int_equal(f->kicks_other, 1); /* the binding's own event */
	evtchn_domain_set_shared_info(d, si);
	assert_int_equal(f->kicks_other, 3); /* both vCPUs */
	assert_true(bit(si->evtchn_pending, dp));
	assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending, 1);
	assert_int_equal(si->vcpu_info[1].evtchn_upcall_pending, 1);
	evtchn_domain_destroy(d);
	free(si);
}

struct race {
	struct fake *f;
	evtchn_port_t ports[128]; /* a's ends */
	bool stop; /* atomic */
	unsigned long consumed;
	unsigned int seed;
};

static void *race_sender(void *arg)
{
	struct race *r = arg;
	unsigned int seed = r->seed, i;

	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245u + 12345u;
		evtchn_send(r->f->a, &(struct evtchn_send){ .port = r->ports[(seed >> 8) % 128] });
	}
	return NULL;
}

/* The guest's upcall handler, as Linux's 2-level one orders it. */
static void race_consume(struct race *r)
{
	struct shared_info *si = &r->f->si[1];
	struct vcpu_info *vi = &si->vcpu_info[0];
	xen_ulong_t sel, bits;

	if (!__atomic_exchange_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST))
		return;
	sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		unsigned int w = (unsigned int)__builtin_ctzl(sel);

		sel &= sel - 1;
		bits = __atomic_load_n(&si->evtchn_pending[w], __ATOMIC_SEQ_CST) &
		       ~__atomic_load_n(&si->evtchn_mask[w], __ATOMIC_SEQ_CST);
		while (bits) {
			xen_ulong_t b = bits & -bits;

			bits &= bits - 1;
			__atomic_fetch_and(&si->evtchn_pending[w], ~b, __ATOMIC_SEQ_CST);
			r->consumed++;
		}
	}
}

static void *race_guest(void *arg)
{
	struct race *r = arg;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE))
		race_consume(r);
	return NULL;
}

static void test_concurrent_delivery_no_lost_events(void **state)
{
	struct fake *f = *state;
	struct shared_info *si = &f->si[1];
	struct race r = { .f = f }, r2;
	pthread_t s1, s2, g;
	evtchn_port_t bp;
	unsigned int i;

	for (i = 0; i < 128; i++)
		r.ports[i] = connect(f->a, f->b, &bp);
	/* Spread b's ports over three selector words. */
	for (i = 0; i < 40; i++)
		unbound(f->b, 7);
	for (i = 0; i < 128; i++)
		if (i % 2)
			r.ports[i] = connect(f->a, f->b, &bp);
	clear_guest(f, 1);
	r2 = r;
	r2.seed = 7;
	r.seed = 1;
	assert_int_equal(pthread_create(&g, NULL, race_guest, &r), 0);
	assert_int_equal(pthread_create(&s1, NULL, race_sender, &r), 0);
	assert_int_equal(pthread_create(&s2, NULL, race_sender, &r2), 0);
	pthread_join(s1, NULL);
	pthread_join(s2, NULL);
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(g, NULL);
	/*
	 * Whatever the interleaving: every pending unmasked port can still be
	 * found by the guest through its selector word and the upcall flag.
	 */
	for (i = 0; i < EVTCHN_2L_NR_PORTS; i++) {
		if (!bit(si->evtchn_pending, i) || bit(si->evtchn_mask, i))
			continue;
		assert_true(si->vcpu_info[0].evtchn_pending_sel & (1ul << (i / 64)));
		assert_int_equal(si->vcpu_info[0].evtchn_upcall_pending & 1, 1);
	}
	race_consume(&r);
	for (i = 0; i < 64; i++)
		assert_int_equal(si->evtchn_pending[i], 0);
	assert_true(r.consumed > 0);
	assert_true(f->kicks[1][0] > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_create_config),
		T(test_alloc_unbound),
		T(test_port_limits),
		T(test_bind_interdomain_errors),
		T(test_interdomain_delivery),
		T(test_two_level_mask_unmask),
		T(test_close_interdomain),
		T(test_virq_rules),
		T(test_ipi_and_bind_vcpu),
		T(test_status_errors),
		T(test_reset),
		T(test_init_control),
		T(test_host_ends),
		T(test_dom_exc),
		T(test_teardown_peers),
		T(test_do_op_dispatch),
		T(test_vcpu_info_moves),
		T(test_vcpus_beyond_32),
		T(test_shared_info_late),
		T(test_concurrent_delivery_no_lost_events),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
