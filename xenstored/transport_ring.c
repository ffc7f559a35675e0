/*
 * transport_ring.c: a guest's xenstore ring (struct
 * xenstore_domain_interface): requests in req[], replies and watch events
 * in rsp[], free-running 32-bit indexes, an event channel kick each way.
 *
 * The page is shared with an untrusted guest: every index is read once into
 * a local, checked (prod - cons must not exceed the ring size) and only then
 * used; a bad index sets the error field and stops the connection, as Xen
 * 4.17 does.  The mapping and the event channel are the caller's: a test
 * passes an in-memory page, the daemon a mapped guest page.
 *
 * A ring may be "parked" (no page yet): right after a live update the
 * connection, its watches, transactions and undelivered replies exist
 * before the page is mapped again; replies queue until xsd_ring_attach().
 */
#include <stdlib.h>
#include <string.h>

#include "transport.h"

struct xsd_ring {
	struct xsd *xsd;
	struct xs_conn *conn;
	struct xenstore_domain_interface *intf;
	void (*notify)(void *ctx);
	void *ctx;
	char *out; /* replies not yet in the ring */
	size_t out_len, out_cap;
	bool broken;
};

#define RING_OUT_MAX (1u << 20)

static bool ring_write(struct xsd_ring *ring);
static void ring_fail(struct xsd_ring *ring, uint32_t error);

static int ring_send(struct xs_conn *conn, const struct xsd_sockmsg *hdr,
		     const void *payload)
{
	struct xsd_ring *ring = conn->transport;
	size_t need = sizeof(*hdr) + hdr->len, cap;
	char *grown;

	if (ring->broken)
		return -EIO;
	/* A guest that never consumes its replies (watch events pile up)
	 * costs bounded memory: its connection is failed instead. */
	if (ring->out_len + need > RING_OUT_MAX) {
		ring_fail(ring, XENSTORE_ERROR_COMM);
		return -ENOSPC;
	}
	if (ring->out_len + need > ring->out_cap) {
		cap = (ring->out_len + need) * 2;
		if (cap > RING_OUT_MAX)
			cap = RING_OUT_MAX;
		grown = realloc(ring->out, cap);
		if (!grown)
			return -ENOMEM;
		ring->out = grown;
		ring->out_cap = cap;
	}
	memcpy(ring->out + ring->out_len, hdr, sizeof(*hdr));
	if (hdr->len)
		memcpy(ring->out + ring->out_len + sizeof(*hdr), payload,
		       hdr->len);
	ring->out_len += need;
	/* Deliver at once (a watch event caused by another client too), as
	 * far as the ring has room; the rest goes when the guest consumes. */
	if (ring->intf && ring_write(ring) && ring->notify)
		ring->notify(ring->ctx);
	return 0;
}

static size_t ring_pending(struct xs_conn *conn)
{
	return ((struct xsd_ring *)conn->transport)->out_len;
}

static void ring_destroy(struct xs_conn *conn)
{
	xsd_ring_free(conn->transport);
}

static void ring_resume(struct xs_conn *conn)
{
	xsd_ring_handle(conn->transport);
}

static const struct xs_conn_ops ring_ops = {
	.send = ring_send,
	.pending = ring_pending,
	.destroy = ring_destroy,
	.resume = ring_resume,
};

struct xsd_ring *xsd_ring_of_conn(const struct xs_conn *conn)
{
	return conn && conn->ops == &ring_ops ? conn->transport : NULL;
}

bool xsd_ring_is_parked(const struct xsd_ring *ring)
{
	return !ring->intf;
}

void xsd_ring_out(const struct xsd_ring *ring, const char **out,
		  size_t *out_len)
{
	*out = ring->out;
	*out_len = ring->out_len;
}

int xsd_ring_set_out(struct xsd_ring *ring, const char *out, size_t len)
{
	char *copy;

	if (len > RING_OUT_MAX)
		return -EINVAL;
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, out, len);
	free(ring->out);
	ring->out = copy;
	ring->out_len = ring->out_cap = len;
	return 0;
}

void xsd_ring_attach(struct xsd_ring *ring,
		     struct xenstore_domain_interface *intf,
		     void (*notify)(void *ctx), void *ctx)
{
	ring->intf = intf;
	ring->notify = notify;
	ring->ctx = ctx;
	intf->server_features = XENSTORE_SERVER_FEATURE_ERROR;
}

void xsd_ring_park(struct xsd_ring *ring)
{
	ring->intf = NULL;
	ring->notify = NULL;
	ring->ctx = NULL;
}

struct xsd_ring *xsd_ring_new(struct xsd *xsd, uint32_t domid,
			      struct xenstore_domain_interface *intf,
			      void (*notify)(void *ctx), void *ctx)
{
	struct xsd_ring *ring = calloc(1, sizeof(*ring));

	if (!ring)
		return NULL;
	ring->xsd = xsd;
	ring->intf = intf;
	ring->notify = notify;
	ring->ctx = ctx;
	ring->conn = xsd_conn_new(xsd, &ring_ops, ring, domid);
	if (!ring->conn) {
		free(ring);
		return NULL;
	}
	ring->conn->domain = xsd_domain_get(xsd, domid);
	if (intf)
		intf->server_features = XENSTORE_SERVER_FEATURE_ERROR;
	return ring;
}

struct xs_conn *xsd_ring_conn(struct xsd_ring *ring)
{
	return ring->conn;
}

void xsd_ring_free(struct xsd_ring *ring)
{
	if (!ring)
		return;
	ring->conn->ops = NULL; /* no way back here from xsd_conn_free */
	xsd_conn_free(ring->conn);
	free(ring->out);
	free(ring);
}

static void ring_fail(struct xsd_ring *ring, uint32_t error)
{
	if (ring->intf)
		__atomic_store_n(&ring->intf->error, error, __ATOMIC_RELEASE);
	ring->broken = true;
}

/* Moves queued replies into rsp[]; returns true if any moved. */
static bool ring_write(struct xsd_ring *ring)
{
	struct xenstore_domain_interface *intf = ring->intf;
	XENSTORE_RING_IDX cons, prod;
	size_t space, n, off, chunk;

	cons = __atomic_load_n(&intf->rsp_cons, __ATOMIC_ACQUIRE);
	prod = intf->rsp_prod;
	if (prod - cons > XENSTORE_RING_SIZE) {
		ring_fail(ring, XENSTORE_ERROR_RINGIDX);
		return false;
	}
	space = XENSTORE_RING_SIZE - (prod - cons);
	n = ring->out_len < space ? ring->out_len : space;
	for (off = 0; off < n; off += chunk) {
		chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod + off);
		if (chunk > n - off)
			chunk = n - off;
		memcpy(intf->rsp + MASK_XENSTORE_IDX(prod + off),
		       ring->out + off, chunk);
	}
	if (!n)
		return false;
	memmove(ring->out, ring->out + n, ring->out_len - n);
	ring->out_len -= n;
	__atomic_store_n(&intf->rsp_prod, prod + n, __ATOMIC_RELEASE);
	xsd_conn_delivered(ring->conn);
	return true;
}

/* Feeds the requests in req[] to the protocol; true if any consumed. */
static bool ring_read(struct xsd_ring *ring)
{
	struct xenstore_domain_interface *intf = ring->intf;
	XENSTORE_RING_IDX cons, prod;
	char buf[XENSTORE_RING_SIZE];
	size_t avail, off, chunk;
	long used;

	prod = __atomic_load_n(&intf->req_prod, __ATOMIC_ACQUIRE);
	cons = intf->req_cons;
	if (prod - cons > XENSTORE_RING_SIZE) {
		ring_fail(ring, XENSTORE_ERROR_RINGIDX);
		return false;
	}
	avail = prod - cons;
	if (!avail)
		return false;
	/* Copy first: the guest may change the page under us. */
	for (off = 0; off < avail; off += chunk) {
		chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons + off);
		if (chunk > avail - off)
			chunk = avail - off;
		memcpy(buf + off, intf->req + MASK_XENSTORE_IDX(cons + off),
		       chunk);
	}
	used = xsd_conn_input(ring->conn, buf, avail);
	if (used < 0) {
		ring_fail(ring, XENSTORE_ERROR_PROTO);
		return false;
	}
	__atomic_store_n(&intf->req_cons, cons + used, __ATOMIC_RELEASE);
	return used > 0;
}

int xsd_ring_handle(struct xsd_ring *ring)
{
	bool kick = false, progress;

	if (ring->broken)
		return -EIO;
	if (!ring->intf)
		return 0;
	do {
		progress = ring_write(ring);
		progress |= ring_read(ring);
		progress |= ring_write(ring);
		kick |= progress;
	} while (progress && !ring->broken);
	if (kick && ring->notify)
		ring->notify(ring->ctx);
	return ring->broken ? -EIO : 0;
}
