/*
 * Event channels, 2-level ABI (see evtchn.h for the interface).
 *
 * Design
 * - Each domain has a port table grown in buckets of 64 ports, as Xen
 *   allocates its struct evtchn buckets: a port is "valid" (status answers
 *   closed rather than -EINVAL) once its bucket exists.  Port 0 is reserved.
 *   get_free_port() gives the lowest free port up to the domain's max_port
 *   (Xen's max_evtchn_port, libxl's max_event_channels) and the ABI limit
 *   (4096 ports for 2-level on 64-bit guests): -ENOSPC beyond.
 * - States and transitions follow xen/common/event_channel.c: free,
 *   reserved, unbound (remote domid), interdomain (peer domid and port),
 *   virq, ipi.  PIRQs are not provided (bind_pirq answers -EINVAL, as Xen
 *   does for a domain without pirqs).  Closing an interdomain end turns the
 *   peer's end back into unbound to the closer, and a freed port loses its
 *   pending bit and its vCPU binding.
 * - Delivery (Xen's evtchn_2l_set_pending): test-and-set the port's pending
 *   bit in shared_info; if it was clear and the port is not masked,
 *   test-and-set the port's word in the target vcpu_info's selector; if
 *   that was clear, test-and-set evtchn_upcall_pending; if that was clear,
 *   kick the vCPU through ops->vcpu_kick.  Unmask re-delivers a pending
 *   event the same way.  Every access to guest memory is an atomic
 *   operation and nothing read back is used as an index or a length.
 * - Host domains (domain 0: xenstored, xenconsoled and backends hold their
 *   ports in host processes) have no shared_info: an event on one of their
 *   ports is one ops->host_notify call (xenhv writes the port's eventfd;
 *   the eventfd counter coalesces, the client side keeps pending/mask).
 * - All domains live in one struct evtchn_host registry (indexed by domid)
 *   with one mutex: interdomain operations touch two tables, and a single
 *   lock keeps them obviously consistent.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "evtchn.h"

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)
/* A host domain's ports are not bounded by a shared bitmap: FIFO's limit. */
#define EVTCHN_HOST_NR_PORTS (1u << EVTCHN_FIFO_LINK_BITS)
#define EVTCHN_MAX_VCPUS 4096

/* Xen public structures not in include/xen/event_channel.h (yet). */
struct evtchn_bind_pirq_abi {
	uint32_t pirq;
	uint32_t flags;
	evtchn_port_t port;
};
struct evtchn_set_priority_abi {
	evtchn_port_t port;
	uint32_t priority;
};

enum evtchn_state {
	ECS_FREE,
	ECS_RESERVED,
	ECS_UNBOUND,
	ECS_INTERDOMAIN,
	ECS_VIRQ,
	ECS_IPI,
};

struct evtchn_chan {
	uint8_t state;
	uint32_t notify_vcpu;
	union {
		domid_t unbound_remote;
		struct {
			domid_t dom;
			evtchn_port_t port;
		} interdomain;
		uint32_t virq;
	} u;
};

struct evtchn_vcpu {
	struct vcpu_info *registered; /* VCPUOP_register_vcpu_info, or NULL */
	evtchn_port_t virq_to_port[NR_VIRQS];
};

struct evtchn_domain {
	struct evtchn_host *h;
	domid_t domid;
	bool privileged;
	bool host;
	void *owner;
	uint32_t nr_vcpus;
	uint32_t max_port;
	uint32_t valid; /* ports [0, valid) have a table entry */
	struct evtchn_chan *chans;
	struct evtchn_vcpu *vcpus;
	struct shared_info *si; /* in use: the guest's, or private_si */
	struct shared_info *private_si;
	struct vcpu_info *private_vi; /* [nr_vcpus], for vCPUs >= 32 */
};

struct evtchn_host {
	pthread_mutex_t lock;
	const struct evtchn_ops *ops;
	void *opaque;
	struct evtchn_domain **domains; /* [DOMID_FIRST_RESERVED] */
	domid_t global_virq_handler[NR_VIRQS];
};

/* Atomic bit operations on (hostile) guest memory. */
static bool guest_test_and_set_bit(unsigned int nr, xen_ulong_t *words)
{
	xen_ulong_t bit = (xen_ulong_t)1 << (nr % BITS_PER_WORD);

	return __atomic_fetch_or(&words[nr / BITS_PER_WORD], bit, __ATOMIC_SEQ_CST) & bit;
}

static bool guest_test_and_clear_bit(unsigned int nr, xen_ulong_t *words)
{
	xen_ulong_t bit = (xen_ulong_t)1 << (nr % BITS_PER_WORD);

	return __atomic_fetch_and(&words[nr / BITS_PER_WORD], ~bit, __ATOMIC_SEQ_CST) & bit;
}

static bool guest_test_bit(unsigned int nr, xen_ulong_t *words)
{
	xen_ulong_t bit = (xen_ulong_t)1 << (nr % BITS_PER_WORD);

	return __atomic_load_n(&words[nr / BITS_PER_WORD], __ATOMIC_SEQ_CST) & bit;
}

bool evtchn_virq_is_global(uint32_t virq)
{
	switch (virq) {
	case VIRQ_TIMER:
	case VIRQ_DEBUG:
	case VIRQ_XENOPROF:
	case VIRQ_XENPMU:
		return false;
	}
	return true; /* including the arch VIRQs, global on x86 */
}

static struct evtchn_domain *domain_by_id(struct evtchn_host *h, domid_t id)
{
	if (id >= DOMID_FIRST_RESERVED)
		return NULL;
	return h->domains[id];
}

/* The domain a caller names: DOMID_SELF is the caller. */
static struct evtchn_domain *domain_by_any_id(struct evtchn_domain *caller, domid_t id)
{
	if (id == DOMID_SELF)
		return caller;
	return domain_by_id(caller->h, id);
}

/* Xen's XSM_TARGET rule without a device model: self or privileged. */
static bool may_target(const struct evtchn_domain *caller, const struct evtchn_domain *d)
{
	return caller == d || caller->privileged;
}

static struct vcpu_info *vcpu_info_of(struct evtchn_domain *d, uint32_t v)
{
	if (d->vcpus[v].registered)
		return d->vcpus[v].registered;
	if (v < XEN_LEGACY_MAX_VCPUS)
		return &d->si->vcpu_info[v];
	return &d->private_vi[v];
}

static void vcpu_mark_events_pending(struct evtchn_domain *d, uint32_t v)
{
	struct vcpu_info *vi = vcpu_info_of(d, v);

	/* Bit 0 only, as Xen's test_and_set_bit: the guest owns the rest. */
	if (__atomic_fetch_or(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) & 1)
		return;
	if (d->h->ops->vcpu_kick)
		d->h->ops->vcpu_kick(d->h->opaque, d, v);
}

static void port_set_pending(struct evtchn_domain *d, uint32_t v, evtchn_port_t port)
{
	struct evtchn_host *h = d->h;
	struct shared_info *si = d->si;

	if (d->host) {
		if (h->ops->host_notify)
			h->ops->host_notify(h->opaque, d, port);
		return;
	}
	/* The strict order of Xen's evtchn_2l_set_pending. */
	if (guest_test_and_set_bit(port, si->evtchn_pending))
		return;
	if (!guest_test_bit(port, si->evtchn_mask) &&
	    !guest_test_and_set_bit(port / BITS_PER_WORD, &vcpu_info_of(d, v)->evtchn_pending_sel))
		vcpu_mark_events_pending(d, v);
	if (h->ops->port_pending)
		h->ops->port_pending(h->opaque, d, port);
}

static void port_unmask(struct evtchn_domain *d, evtchn_port_t port)
{
	struct shared_info *si = d->si;
	uint32_t v = d->chans[port].notify_vcpu;

	if (d->host)
		return;
	if (guest_test_and_clear_bit(port, si->evtchn_mask) &&
	    guest_test_bit(port, si->evtchn_pending) &&
	    !guest_test_and_set_bit(port / BITS_PER_WORD, &vcpu_info_of(d, v)->evtchn_pending_sel))
		vcpu_mark_events_pending(d, v);
}

static bool port_valid(const struct evtchn_domain *d, evtchn_port_t port)
{
	return port < d->valid;
}

static uint32_t abi_nr_ports(const struct evtchn_domain *d)
{
	return d->host ? EVTCHN_HOST_NR_PORTS : EVTCHN_2L_NR_PORTS;
}

static int grow_table(struct evtchn_domain *d)
{
	struct evtchn_chan *chans;
	uint32_t n = d->valid + EVTCHN_BUCKET_PORTS;

	chans = realloc(d->chans, n * sizeof(*chans));
	if (!chans)
		return -ENOMEM;
	memset(&chans[d->valid], 0, EVTCHN_BUCKET_PORTS * sizeof(*chans));
	d->chans = chans;
	d->valid = n;
	return 0;
}

/* Xen's get_free_port(): the lowest free port, growing by one bucket. */
static int get_free_port(struct evtchn_domain *d)
{
	uint32_t port;
	int rc;

	for (port = 0; port_valid(d, port); port++) {
		if (port > d->max_port)
			return -ENOSPC;
		if (d->chans[port].state == ECS_FREE)
			return (int)port;
	}
	if (port >= abi_nr_ports(d) || port > d->max_port)
		return -ENOSPC;
	rc = grow_table(d);
	if (rc)
		return rc;
	return (int)port;
}

static void free_port(struct evtchn_domain *d, evtchn_port_t port)
{
	/* A stale pending bit would fire on the next binding of the port. */
	if (!d->host)
		guest_test_and_clear_bit(port, d->si->evtchn_pending);
	memset(&d->chans[port], 0, sizeof(d->chans[port]));
	d->chans[port].state = ECS_FREE;
}

static int close_port(struct evtchn_domain *d1, evtchn_port_t port1)
{
	struct evtchn_chan *c1, *c2;
	struct evtchn_domain *d2;
	uint32_t v;

	if (!port_valid(d1, port1))
		return -EINVAL;
	c1 = &d1->chans[port1];
	switch (c1->state) {
	case ECS_FREE:
	case ECS_RESERVED:
		return -EINVAL;
	case ECS_UNBOUND:
	case ECS_IPI:
		break;
	case ECS_VIRQ:
		for (v = 0; v < d1->nr_vcpus; v++)
			if (d1->vcpus[v].virq_to_port[c1->u.virq] == port1)
				d1->vcpus[v].virq_to_port[c1->u.virq] = 0;
		break;
	case ECS_INTERDOMAIN:
		d2 = domain_by_id(d1->h, c1->u.interdomain.dom);
		/* Both ends change together under the lock: d2 is consistent. */
		if (d2 && port_valid(d2, c1->u.interdomain.port)) {
			c2 = &d2->chans[c1->u.interdomain.port];
			if (c2->state == ECS_INTERDOMAIN && c2->u.interdomain.dom == d1->domid &&
			    c2->u.interdomain.port == port1) {
				c2->state = ECS_UNBOUND;
				memset(&c2->u, 0, sizeof(c2->u));
				c2->u.unbound_remote = d1->domid;
			}
		}
		break;
	}
	free_port(d1, port1);
	return 0;
}

struct evtchn_host *evtchn_host_create(const struct evtchn_ops *ops, void *opaque)
{
	struct evtchn_host *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->domains = calloc(DOMID_FIRST_RESERVED, sizeof(*h->domains));
	if (!h->domains) {
		free(h);
		return NULL;
	}
	pthread_mutex_init(&h->lock, NULL);
	h->ops = ops;
	h->opaque = opaque;
	return h;
}

static void domain_free(struct evtchn_domain *d)
{
	free(d->chans);
	free(d->vcpus);
	free(d->private_si);
	free(d->private_vi);
	free(d);
}

/* Close every port and leave the registry.  Lock held. */
static void domain_teardown(struct evtchn_domain *d)
{
	struct evtchn_host *h = d->h;
	uint32_t port, virq;

	for (port = 1; port < d->valid; port++)
		close_port(d, port);
	for (virq = 0; virq < NR_VIRQS; virq++)
		if (h->global_virq_handler[virq] == d->domid)
			h->global_virq_handler[virq] = 0;
	h->domains[d->domid] = NULL;
}

void evtchn_host_destroy(struct evtchn_host *h)
{
	unsigned int i;

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	for (i = 0; i < DOMID_FIRST_RESERVED; i++) {
		struct evtchn_domain *d = h->domains[i];

		if (d) {
			domain_teardown(d);
			domain_free(d);
		}
	}
	pthread_mutex_unlock(&h->lock);
	pthread_mutex_destroy(&h->lock);
	free(h->domains);
	free(h);
}

int evtchn_domain_create(struct evtchn_host *h, const struct evtchn_domain_config *cfg,
			 struct evtchn_domain **out)
{
	struct evtchn_domain *d = NULL;
	uint32_t limit = cfg->host ? EVTCHN_HOST_NR_PORTS : EVTCHN_2L_NR_PORTS;
	int rc;

	if (cfg->domid >= DOMID_FIRST_RESERVED || cfg->nr_vcpus == 0 ||
	    cfg->nr_vcpus > EVTCHN_MAX_VCPUS)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->domid = cfg->domid;
	d->privileged = cfg->privileged;
	d->host = cfg->host;
	d->owner = cfg->owner;
	d->nr_vcpus = cfg->nr_vcpus;
	/* Xen clamps max_evtchn_port to what the ABI can address. */
	if (cfg->max_port)
		d->max_port = cfg->max_port < limit ? cfg->max_port : limit - 1;
	else
		d->max_port = cfg->host ? limit - 1 : EVTCHN_DEFAULT_MAX_PORT;
	rc = -ENOMEM;
	d->vcpus = calloc(d->nr_vcpus, sizeof(*d->vcpus));
	if (!d->vcpus)
		goto out;
	if (!d->host) {
		d->private_si = calloc(1, sizeof(*d->private_si));
		d->private_vi = calloc(d->nr_vcpus, sizeof(*d->private_vi));
		if (!d->private_si || !d->private_vi)
			goto out;
		d->si = d->private_si;
	}
	rc = grow_table(d);
	if (rc)
		goto out;
	d->chans[0].state = ECS_RESERVED;

	pthread_mutex_lock(&h->lock);
	if (h->domains[d->domid]) {
		pthread_mutex_unlock(&h->lock);
		rc = -EEXIST;
		goto out;
	}
	d->h = h;
	h->domains[d->domid] = d;
	pthread_mutex_unlock(&h->lock);
	*out = d;
	return 0;
out:
	domain_free(d);
	return rc;
}

void evtchn_domain_destroy(struct evtchn_domain *d)
{
	struct evtchn_host *h;

	if (!d)
		return;
	h = d->h;
	pthread_mutex_lock(&h->lock);
	domain_teardown(d);
	pthread_mutex_unlock(&h->lock);
	domain_free(d);
}

struct evtchn_domain *evtchn_domain_lookup(struct evtchn_host *h, domid_t domid)
{
	struct evtchn_domain *d;

	pthread_mutex_lock(&h->lock);
	d = domain_by_id(h, domid);
	pthread_mutex_unlock(&h->lock);
	return d;
}

void *evtchn_domain_owner(const struct evtchn_domain *d)
{
	return d->owner;
}

domid_t evtchn_domain_id(const struct evtchn_domain *d)
{
	return d->domid;
}

void evtchn_domain_set_shared_info(struct evtchn_domain *d, struct shared_info *si)
{
	struct shared_info *old;
	bool carried = false;
	unsigned int i;
	uint32_t v;

	if (d->host)
		return;
	pthread_mutex_lock(&d->h->lock);
	old = d->si;
	d->si = si ? si : d->private_si;
	/*
	 * Only the private page is read back: a guest page given up is
	 * ordinary guest RAM again and its bits mean nothing.
	 */
	if (old == d->private_si && d->si != old) {
		for (i = 0; i < BITS_PER_WORD; i++) {
			xen_ulong_t bits =
				__atomic_exchange_n(&old->evtchn_pending[i], 0, __ATOMIC_SEQ_CST);

			if (!bits)
				continue;
			__atomic_fetch_or(&d->si->evtchn_pending[i], bits, __ATOMIC_SEQ_CST);
			carried = true;
		}
	}
	if (carried) {
		for (v = 0; v < d->nr_vcpus; v++) {
			__atomic_store_n(&vcpu_info_of(d, v)->evtchn_pending_sel, ~(xen_ulong_t)0,
					 __ATOMIC_SEQ_CST);
			vcpu_mark_events_pending(d, v);
		}
	}
	pthread_mutex_unlock(&d->h->lock);
}

int evtchn_vcpu_set_info(struct evtchn_domain *d, uint32_t vcpu, struct vcpu_info *vi)
{
	struct vcpu_info *now;

	if (vcpu >= d->nr_vcpus)
		return -ENOENT;
	if (d->host)
		return -EINVAL;
	pthread_mutex_lock(&d->h->lock);
	d->vcpus[vcpu].registered = vi;
	/* Xen's map_vcpu_info: everything pending so nothing gets lost. */
	now = vcpu_info_of(d, vcpu);
	__atomic_store_n(&now->evtchn_pending_sel, ~(xen_ulong_t)0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&now->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
	if (d->h->ops->vcpu_kick)
		d->h->ops->vcpu_kick(d->h->opaque, d, vcpu);
	pthread_mutex_unlock(&d->h->lock);
	return 0;
}

struct vcpu_info *evtchn_vcpu_info(struct evtchn_domain *d, uint32_t vcpu)
{
	struct vcpu_info *vi;

	if (d->host || vcpu >= d->nr_vcpus)
		return NULL;
	pthread_mutex_lock(&d->h->lock);
	vi = vcpu_info_of(d, vcpu);
	pthread_mutex_unlock(&d->h->lock);
	return vi;
}

int evtchn_alloc_unbound(struct evtchn_domain *caller, struct evtchn_alloc_unbound *op)
{
	struct evtchn_host *h = caller->h;
	struct evtchn_domain *d;
	int port, rc;

	pthread_mutex_lock(&h->lock);
	d = domain_by_any_id(caller, op->dom);
	rc = -ESRCH;
	if (!d)
		goto out;
	port = get_free_port(d);
	rc = port;
	if (port < 0)
		goto out;
	rc = -EPERM;
	if (!may_target(caller, d))
		goto out;
	d->chans[port].state = ECS_UNBOUND;
	d->chans[port].u.unbound_remote =
		op->remote_dom == DOMID_SELF ? caller->domid : op->remote_dom;
	op->port = (evtchn_port_t)port;
	rc = 0;
out:
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int evtchn_bind_interdomain(struct evtchn_domain *caller, struct evtchn_bind_interdomain *op)
{
	struct evtchn_host *h = caller->h;
	struct evtchn_domain *ld = caller, *rd;
	evtchn_port_t rport = op->remote_port;
	struct evtchn_chan *lchn, *rchn;
	int lport, rc;

	pthread_mutex_lock(&h->lock);
	rd = domain_by_any_id(caller, op->remote_dom);
	rc = -ESRCH;
	if (!rd)
		goto out;
	lport = get_free_port(ld);
	rc = lport;
	if (lport < 0)
		goto out;
	rc = -EINVAL;
	if (!port_valid(rd, rport))
		goto out;
	/* Pointers only after get_free_port(): it may move ld's table. */
	rchn = &rd->chans[rport];
	if (rchn->state != ECS_UNBOUND || rchn->u.unbound_remote != ld->domid)
		goto out;
	lchn = &ld->chans[lport];
	lchn->state = ECS_INTERDOMAIN;
	lchn->u.interdomain.dom = rd->domid;
	lchn->u.interdomain.port = rport;
	rchn->state = ECS_INTERDOMAIN;
	memset(&rchn->u, 0, sizeof(rchn->u));
	rchn->u.interdomain.dom = ld->domid;
	rchn->u.interdomain.port = (evtchn_port_t)lport;
	/* Xen: a notification may have been lost while the remote was unbound. */
	port_set_pending(ld, lchn->notify_vcpu, (evtchn_port_t)lport);
	op->local_port = (evtchn_port_t)lport;
	rc = 0;
out:
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int evtchn_bind_virq(struct evtchn_domain *caller, struct evtchn_bind_virq *op)
{
	struct evtchn_host *h = caller->h;
	struct evtchn_domain *d = caller;
	uint32_t virq = op->virq, vcpu = op->vcpu;
	int port, rc;

	if (virq >= NR_VIRQS)
		return -EINVAL;
	if (evtchn_virq_is_global(virq) && vcpu != 0)
		return -EINVAL;
	if (vcpu >= d->nr_vcpus)
		return -ENOENT;
	pthread_mutex_lock(&h->lock);
	rc = -EEXIST;
	if (d->vcpus[vcpu].virq_to_port[virq])
		goto out;
	port = get_free_port(d);
	rc = port;
	if (port < 0)
		goto out;
	d->chans[port].state = ECS_VIRQ;
	d->chans[port].notify_vcpu = vcpu;
	d->chans[port].u.virq = virq;
	d->vcpus[vcpu].virq_to_port[virq] = (evtchn_port_t)port;
	op->port = (evtchn_port_t)port;
	rc = 0;
out:
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int evtchn_bind_ipi(struct evtchn_domain *caller, struct evtchn_bind_ipi *op)
{
	struct evtchn_host *h = caller->h;
	int port;

	if (op->vcpu >= caller->nr_vcpus)
		return -ENOENT;
	pthread_mutex_lock(&h->lock);
	port = get_free_port(caller);
	if (port >= 0) {
		caller->chans[port].state = ECS_IPI;
		caller->chans[port].notify_vcpu = op->vcpu;
		op->port = (evtchn_port_t)port;
	}
	pthread_mutex_unlock(&h->lock);
	return port < 0 ? port : 0;
}

int evtchn_close(struct evtchn_domain *caller, const struct evtchn_close *op)
{
	int rc;

	pthread_mutex_lock(&caller->h->lock);
	rc = close_port(caller, op->port);
	pthread_mutex_unlock(&caller->h->lock);
	return rc;
}

int evtchn_send(struct evtchn_domain *caller, const struct evtchn_send *op)
{
	struct evtchn_host *h = caller->h;
	struct evtchn_domain *rd;
	struct evtchn_chan *c;
	evtchn_port_t rport;
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	if (!port_valid(caller, op->port)) {
		rc = -EINVAL;
		goto out;
	}
	c = &caller->chans[op->port];
	switch (c->state) {
	case ECS_INTERDOMAIN:
		rd = domain_by_id(h, c->u.interdomain.dom);
		rport = c->u.interdomain.port;
		if (rd && port_valid(rd, rport))
			port_set_pending(rd, rd->chans[rport].notify_vcpu, rport);
		break;
	case ECS_IPI:
		port_set_pending(caller, c->notify_vcpu, op->port);
		break;
	case ECS_UNBOUND:
		break; /* silently dropped, as on Xen */
	default:
		rc = -EINVAL;
	}
out:
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int evtchn_status(struct evtchn_domain *caller, struct evtchn_status *op)
{
	struct evtchn_host *h = caller->h;
	struct evtchn_domain *d;
	struct evtchn_chan *c;
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	d = domain_by_any_id(caller, op->dom);
	if (!d) {
		rc = -ESRCH;
		goto out;
	}
	if (!port_valid(d, op->port)) {
		rc = -EINVAL;
		goto out;
	}
	if (!may_target(caller, d)) {
		rc = -EPERM;
		goto out;
	}
	c = &d->chans[op->port];
	switch (c->state) {
	case ECS_FREE:
	case ECS_RESERVED:
		op->status = EVTCHNSTAT_closed;
		break;
	case ECS_UNBOUND:
		op->status = EVTCHNSTAT_unbound;
		op->u.unbound.dom = c->u.unbound_remote;
		break;
	case ECS_INTERDOMAIN:
		op->status = EVTCHNSTAT_interdomain;
		op->u.interdomain.dom = c->u.interdomain.dom;
		op->u.interdomain.port = c->u.interdomain.port;
		break;
	case ECS_VIRQ:
		op->status = EVTCHNSTAT_virq;
		op->u.virq = c->u.virq;
		break;
	case ECS_IPI:
		op->status = EVTCHNSTAT_ipi;
		break;
	}
	op->vcpu = c->notify_vcpu;
out:
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int evtchn_bind_vcpu(struct evtchn_domain *caller, const struct evtchn_bind_vcpu *op)
{
	struct evtchn_chan *c;
	int rc = 0;

	if (op->vcpu >= caller->nr_vcpus)
		return -ENOENT;
	pthread_mutex_lock(&caller->h->lock);
	if (!port_valid(caller, op->port)) {
		rc = -EINVAL;
		goto out;
	}
	c = &caller->chans[op->port];
	switch (c->state) {
	case ECS_VIRQ:
		/* A per-vCPU VIRQ stays on the vCPU it was bound for. */
		if (evtchn_virq_is_global(c->u.virq))
			c->notify_vcpu = op->vcpu;
		else
			rc = -EINVAL;
		break;
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		c->notify_vcpu = op->vcpu;
		break;
	default:
		rc = -EINVAL;
	}
out:
	pthread_mutex_unlock(&caller->h->lock);
	return rc;
}

int evtchn_unmask(struct evtchn_domain *caller, const struct evtchn_unmask *op)
{
	int rc = 0;

	pthread_mutex_lock(&caller->h->lock);
	if (port_valid(caller, op->port))
		port_unmask(caller, op->port);
	else
		rc = -EINVAL;
	pthread_mutex_unlock(&caller->h->lock);
	return rc;
}

int evtchn_reset(struct evtchn_domain *caller, const struct evtchn_reset *op)
{
	struct evtchn_host *h = caller->h;
	struct evtchn_domain *d;
	uint32_t port;
	int rc = 0;

	pthread_mutex_lock(&h->lock);
	d = domain_by_any_id(caller, op->dom);
	if (!d) {
		rc = -ESRCH;
		goto out;
	}
	if (!may_target(caller, d)) {
		rc = -EPERM;
		goto out;
	}
	/* Xen resets another domain's ports only while it is paused. */
	if (d != caller && h->ops->domain_paused && !h->ops->domain_paused(h->opaque, d)) {
		rc = -EINVAL;
		goto out;
	}
	for (port = 1; port < d->valid; port++)
		close_port(d, port);
out:
	pthread_mutex_unlock(&h->lock);
	return rc;
}

int evtchn_init_control(struct evtchn_domain *caller, struct evtchn_init_control *op)
{
	op->link_bits = EVTCHN_FIFO_LINK_BITS;
	if (op->vcpu >= caller->nr_vcpus)
		return -ENOENT;
	if (op->offset > 4096 - EVTCHN_FIFO_CONTROL_BLOCK_SIZE)
		return -EINVAL;
	if (op->offset & 7)
		return -EINVAL;
	/* The guest falls back to the 2-level ABI. */
	return -ENOSYS;
}

static int set_priority(struct evtchn_domain *caller, evtchn_port_t port)
{
	int rc;

	pthread_mutex_lock(&caller->h->lock);
	rc = port_valid(caller, port) ? -ENOSYS : -EINVAL;
	pthread_mutex_unlock(&caller->h->lock);
	return rc;
}

/* Bytes of each EVTCHNOP_* argument and whether it is copied back. */
static const struct {
	uint8_t size;
	bool copy_back;
} evtchn_op_args[] = {
	[EVTCHNOP_bind_interdomain] = { sizeof(struct evtchn_bind_interdomain), true },
	[EVTCHNOP_bind_virq] = { sizeof(struct evtchn_bind_virq), true },
	[EVTCHNOP_bind_pirq] = { sizeof(struct evtchn_bind_pirq_abi), true },
	[EVTCHNOP_close] = { sizeof(struct evtchn_close), false },
	[EVTCHNOP_send] = { sizeof(struct evtchn_send), false },
	[EVTCHNOP_status] = { sizeof(struct evtchn_status), true },
	[EVTCHNOP_alloc_unbound] = { sizeof(struct evtchn_alloc_unbound), true },
	[EVTCHNOP_bind_ipi] = { sizeof(struct evtchn_bind_ipi), true },
	[EVTCHNOP_bind_vcpu] = { sizeof(struct evtchn_bind_vcpu), false },
	[EVTCHNOP_unmask] = { sizeof(struct evtchn_unmask), false },
	[EVTCHNOP_reset] = { sizeof(struct evtchn_reset), false },
	[EVTCHNOP_init_control] = { sizeof(struct evtchn_init_control), true },
	[EVTCHNOP_expand_array] = { sizeof(struct evtchn_expand_array), false },
	[EVTCHNOP_set_priority] = { sizeof(struct evtchn_set_priority_abi), false },
	[EVTCHNOP_reset_cont] = { sizeof(struct evtchn_reset), false },
};

size_t evtchn_op_size(unsigned int cmd, bool *copy_back)
{
	if (cmd >= sizeof(evtchn_op_args) / sizeof(evtchn_op_args[0])) {
		if (copy_back)
			*copy_back = false;
		return 0;
	}
	if (copy_back)
		*copy_back = evtchn_op_args[cmd].copy_back;
	return evtchn_op_args[cmd].size;
}

/* The argument is copied into a typed local: arg need not be aligned. */
#define DO_OP(type, fn)                               \
	do {                                          \
		type a_;                              \
		memcpy(&a_, arg, sizeof(a_));         \
		rc = fn(caller, &a_);                 \
		if (!rc)                              \
			memcpy(arg, &a_, sizeof(a_)); \
	} while (0)

int evtchn_do_op(struct evtchn_domain *caller, unsigned int cmd, void *arg)
{
	struct evtchn_set_priority_abi prio;
	int rc;

	switch (cmd) {
	case EVTCHNOP_bind_interdomain:
		DO_OP(struct evtchn_bind_interdomain, evtchn_bind_interdomain);
		break;
	case EVTCHNOP_bind_virq:
		DO_OP(struct evtchn_bind_virq, evtchn_bind_virq);
		break;
	case EVTCHNOP_bind_pirq:
		rc = -EINVAL; /* no PIRQs: Xen's answer for pirq >= nr_pirqs */
		break;
	case EVTCHNOP_close:
		DO_OP(struct evtchn_close, evtchn_close);
		break;
	case EVTCHNOP_send:
		DO_OP(struct evtchn_send, evtchn_send);
		break;
	case EVTCHNOP_status:
		DO_OP(struct evtchn_status, evtchn_status);
		break;
	case EVTCHNOP_alloc_unbound:
		DO_OP(struct evtchn_alloc_unbound, evtchn_alloc_unbound);
		break;
	case EVTCHNOP_bind_ipi:
		DO_OP(struct evtchn_bind_ipi, evtchn_bind_ipi);
		break;
	case EVTCHNOP_bind_vcpu:
		DO_OP(struct evtchn_bind_vcpu, evtchn_bind_vcpu);
		break;
	case EVTCHNOP_unmask:
		DO_OP(struct evtchn_unmask, evtchn_unmask);
		break;
	case EVTCHNOP_reset:
	case EVTCHNOP_reset_cont:
		DO_OP(struct evtchn_reset, evtchn_reset);
		break;
	case EVTCHNOP_init_control: {
		struct evtchn_init_control a;

		memcpy(&a, arg, sizeof(a));
		rc = evtchn_init_control(caller, &a);
		memcpy(arg, &a, sizeof(a));
		break;
	}
	case EVTCHNOP_expand_array:
		rc = -EOPNOTSUPP; /* FIFO only: Xen's answer without FIFO */
		break;
	case EVTCHNOP_set_priority:
		memcpy(&prio, arg, sizeof(prio));
		rc = set_priority(caller, prio.port);
		break;
	default:
		rc = -ENOSYS;
	}
	return rc;
}

void evtchn_send_vcpu_virq(struct evtchn_domain *d, uint32_t vcpu, uint32_t virq)
{
	evtchn_port_t port;

	if (virq >= NR_VIRQS || evtchn_virq_is_global(virq) || vcpu >= d->nr_vcpus)
		return;
	pthread_mutex_lock(&d->h->lock);
	port = d->vcpus[vcpu].virq_to_port[virq];
	if (port)
		port_set_pending(d, vcpu, port);
	pthread_mutex_unlock(&d->h->lock);
}

static void send_global_virq_locked(struct evtchn_domain *d, uint32_t virq)
{
	evtchn_port_t port = d->vcpus[0].virq_to_port[virq];

	if (port)
		port_set_pending(d, d->chans[port].notify_vcpu, port);
}

void evtchn_send_global_virq(struct evtchn_domain *d, uint32_t virq)
{
	if (virq >= NR_VIRQS || !evtchn_virq_is_global(virq))
		return;
	pthread_mutex_lock(&d->h->lock);
	send_global_virq_locked(d, virq);
	pthread_mutex_unlock(&d->h->lock);
}

void evtchn_raise_dom_exc(struct evtchn_host *h)
{
	struct evtchn_domain *d;

	pthread_mutex_lock(&h->lock);
	d = domain_by_id(h, h->global_virq_handler[VIRQ_DOM_EXC]);
	if (d)
		send_global_virq_locked(d, VIRQ_DOM_EXC);
	pthread_mutex_unlock(&h->lock);
}

int evtchn_set_global_virq_handler(struct evtchn_host *h, uint32_t virq, domid_t domid)
{
	int rc = 0;

	if (virq >= NR_VIRQS || !evtchn_virq_is_global(virq))
		return -EINVAL;
	pthread_mutex_lock(&h->lock);
	if (domain_by_id(h, domid))
		h->global_virq_handler[virq] = domid;
	else
		rc = -ESRCH;
	pthread_mutex_unlock(&h->lock);
	return rc;
}

bool evtchn_port_is_pending(struct evtchn_domain *d, evtchn_port_t port)
{
	bool pending = false;

	pthread_mutex_lock(&d->h->lock);
	if (!d->host && port_valid(d, port))
		pending = guest_test_bit(port, d->si->evtchn_pending);
	pthread_mutex_unlock(&d->h->lock);
	return pending;
}

bool evtchn_vcpu_events_pending(struct evtchn_domain *d, uint32_t vcpu)
{
	struct vcpu_info *vi;
	bool pending = false;

	if (d->host || vcpu >= d->nr_vcpus)
		return false;
	pthread_mutex_lock(&d->h->lock);
	vi = vcpu_info_of(d, vcpu);
	pending = __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST) &&
		  !__atomic_load_n(&vi->evtchn_upcall_mask, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&d->h->lock);
	return pending;
}

evtchn_port_t evtchn_virq_port(struct evtchn_domain *d, uint32_t vcpu, uint32_t virq)
{
	evtchn_port_t port;

	if (vcpu >= d->nr_vcpus || virq >= NR_VIRQS)
		return 0;
	pthread_mutex_lock(&d->h->lock);
	port = d->vcpus[vcpu].virq_to_port[virq];
	pthread_mutex_unlock(&d->h->lock);
	return port;
}
