/*
 * privcmd message parsing and the bounce-buffer guest_access.  Pure code:
 * no sockets, no KVM.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "privcmd_wire.h"

int privcmd_parse_header(const void *buf, size_t avail, struct privcmd_hdr *hdr)
{
	if (avail < sizeof(*hdr))
		return -EAGAIN;
	memcpy(hdr, buf, sizeof(*hdr));
	if (hdr->magic != PRIVCMD_MAGIC || hdr->version != PRIVCMD_VERSION)
		return -EPROTO;
	if (hdr->len < sizeof(*hdr) || hdr->len > PRIVCMD_MSG_MAX)
		return -EPROTO;
	if (hdr->type < PRIVCMD_MSG_HYPERCALL || hdr->type > PRIVCMD_MSG_EVTCHN_DETACH)
		return -EPROTO;
	return 0;
}

int privcmd_parse_evtchn_attach(const uint8_t *body, size_t len, struct privcmd_evtchn_attach *req)
{
	if (len != sizeof(*req))
		return -EPROTO;
	memcpy(req, body, sizeof(*req));
	return req->pad ? -EPROTO : 0;
}

static int privcmd_bufs_overlap(const struct privcmd_buf *a, const struct privcmd_buf *b)
{
	return a->addr < b->addr + b->len && b->addr < a->addr + a->len;
}

int privcmd_parse_hypercall(const uint8_t *body, size_t len, struct privcmd_call *call)
{
	struct privcmd_hypercall hc;
	size_t off, total = 0;
	unsigned int i, j;

	memset(call, 0, sizeof(*call));
	if (len < sizeof(hc))
		return -EPROTO;
	memcpy(&hc, body, sizeof(hc));
	if (hc.nr_bufs > PRIVCMD_MAX_BUFS || hc.pad)
		return -EPROTO;
	off = sizeof(hc);
	if (len - off < hc.nr_bufs * sizeof(struct privcmd_buf))
		return -EPROTO;
	call->op = hc.op;
	memcpy(call->arg, hc.arg, sizeof(call->arg));
	call->nr_bufs = hc.nr_bufs;
	memcpy(call->bufs, body + off, hc.nr_bufs * sizeof(struct privcmd_buf));
	off += hc.nr_bufs * sizeof(struct privcmd_buf);
	for (i = 0; i < call->nr_bufs; i++) {
		const struct privcmd_buf *b = &call->bufs[i];

		if (!b->flags || (b->flags & ~(PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT)))
			return -EPROTO;
		if (b->len == 0 || b->len > PRIVCMD_MSG_MAX || b->addr + b->len < b->addr)
			return -EPROTO;
		/* The reply must fit in one message too. */
		total += b->len;
		if (total >
		    PRIVCMD_MSG_MAX - sizeof(struct privcmd_hdr) - sizeof(struct privcmd_result))
			return -EPROTO;
		for (j = 0; j < i; j++)
			if (privcmd_bufs_overlap(b, &call->bufs[j]))
				return -EPROTO;
		if (b->flags & PRIVCMD_BUF_IN) {
			if (len - off < b->len)
				return -EPROTO;
			call->in[i] = body + off;
			off += b->len;
		}
	}
	/* No trailing bytes: the sender and we agree on every length. */
	if (off != len)
		return -EPROTO;
	return 0;
}

int privcmd_parse_map_foreign(const uint8_t *body, size_t len, struct privcmd_map_foreign *req,
			      const uint8_t **gfns)
{
	if (len < sizeof(*req))
		return -EPROTO;
	memcpy(req, body, sizeof(*req));
	if (req->pad || req->nr == 0 || req->nr > PRIVCMD_MAX_FOREIGN)
		return -EPROTO;
	if (req->prot & ~3u)
		return -EPROTO;
	if (len - sizeof(*req) != req->nr * sizeof(uint64_t))
		return -EPROTO;
	*gfns = body + sizeof(*req);
	return 0;
}

static int privcmd_bounce_find(const struct privcmd_bounce *b, uint64_t addr, size_t len,
			       uint32_t need, uint8_t **p)
{
	unsigned int i;

	if (addr + len < addr)
		return -EFAULT;
	for (i = 0; i < b->call->nr_bufs; i++) {
		const struct privcmd_buf *buf = &b->call->bufs[i];

		if (addr < buf->addr || addr + len > buf->addr + buf->len)
			continue;
		if (!(buf->flags & need))
			return -EFAULT;
		*p = b->local[i] + (addr - buf->addr);
		return 0;
	}
	return -EFAULT;
}

static int privcmd_bounce_read(void *opaque, uint64_t addr, void *dst, size_t len)
{
	uint8_t *p;

	if (len == 0)
		return 0;
	if (privcmd_bounce_find(opaque, addr, len, PRIVCMD_BUF_IN, &p))
		return -EFAULT;
	memcpy(dst, p, len);
	return 0;
}

static int privcmd_bounce_write(void *opaque, uint64_t addr, const void *src, size_t len)
{
	uint8_t *p;

	if (len == 0)
		return 0;
	if (privcmd_bounce_find(opaque, addr, len, PRIVCMD_BUF_OUT, &p))
		return -EFAULT;
	memcpy(p, src, len);
	return 0;
}

int privcmd_bounce_init(struct privcmd_bounce *b, const struct privcmd_call *call,
			struct guest_access *ga)
{
	unsigned int i;

	memset(b, 0, sizeof(*b));
	b->call = call;
	for (i = 0; i < call->nr_bufs; i++) {
		b->local[i] = calloc(1, call->bufs[i].len);
		if (!b->local[i]) {
			privcmd_bounce_dispose(b);
			return -ENOMEM;
		}
		if (call->in[i])
			memcpy(b->local[i], call->in[i], call->bufs[i].len);
	}
	ga->read = privcmd_bounce_read;
	ga->write = privcmd_bounce_write;
	ga->opaque = b;
	return 0;
}

void privcmd_bounce_dispose(struct privcmd_bounce *b)
{
	unsigned int i;

	for (i = 0; i < PRIVCMD_MAX_BUFS; i++) {
		free(b->local[i]);
		b->local[i] = NULL;
	}
}

size_t privcmd_bounce_out_size(const struct privcmd_call *call)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < call->nr_bufs; i++)
		if (call->bufs[i].flags & PRIVCMD_BUF_OUT)
			n += call->bufs[i].len;
	return n;
}

void privcmd_bounce_out(const struct privcmd_bounce *b, uint8_t *out)
{
	unsigned int i;

	for (i = 0; i < b->call->nr_bufs; i++) {
		if (!(b->call->bufs[i].flags & PRIVCMD_BUF_OUT))
			continue;
		memcpy(out, b->local[i], b->call->bufs[i].len);
		out += b->call->bufs[i].len;
	}
}
