/*
 * xenstored-harness.h: drives xenstored's protocol in process for the unit
 * tests: fake connections whose output lands in a buffer, a request helper
 * and reply accessors.  No sockets, no daemon.
 */
#ifndef XENSTORED_HARNESS_H
#define XENSTORED_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core.h"

struct fake_msg {
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];
};

struct fake {
	struct xs_conn *conn;
	struct fake_msg msgs[64];
	unsigned int nr, next;
	size_t pending; /* pretend this much is undelivered */
	unsigned long *order; /* global sequence of sends, for ordering */
	unsigned long seq[64];
	unsigned long requests;
};

static unsigned long fake_clock;

static int fake_send(struct xs_conn *conn, const struct xsd_sockmsg *hdr, const void *payload)
{
	struct fake *f = conn->transport;
	struct fake_msg *m;

	if (f->nr == 64)
		return -ENOSPC;
	m = &f->msgs[f->nr];
	f->seq[f->nr] = ++fake_clock;
	f->nr++;
	m->hdr = *hdr;
	if (hdr->len)
		memcpy(m->body, payload, hdr->len);
	m->body[hdr->len] = '\0';
	return 0;
}

static size_t fake_pending(struct xs_conn *conn)
{
	return ((struct fake *)conn->transport)->pending;
}

static const struct xs_conn_ops fake_ops = {
	.send = fake_send,
	.pending = fake_pending,
};

static inline struct fake *fake_new(struct xsd *xsd, uint32_t domid)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->conn = xsd_conn_new(xsd, &fake_ops, f, domid);
	assert_non_null(f->conn);
	if (domid)
		f->conn->domain = xsd_domain_get(xsd, domid);
	return f;
}

static inline void fake_free(struct fake *f)
{
	xsd_conn_free(f->conn);
	free(f);
}

static inline void fake_clear(struct fake *f)
{
	f->nr = f->next = 0;
}

/*
 * The committed tree must survive a save/load round trip after every
 * request: save, load into a fresh store, save again, same bytes.
 */
static inline void store_roundtrip(struct xs_store *s)
{
	struct xs_store copy;
	char *a, *b;
	size_t alen, blen;

	assert_int_equal(xs_store_save(s, &a, &alen), 0);
	assert_int_equal(xs_store_init(&copy, NULL, NULL), 0);
	assert_int_equal(xs_store_load(&copy, a, alen), 0);
	assert_int_equal(xs_store_save(&copy, &b, &blen), 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	xs_store_dispose(&copy);
	free(a);
	free(b);
}

/* Sends one request with a raw payload. */
static inline void fake_raw(struct fake *f, uint32_t type, uint32_t tx, const void *payload,
			    uint32_t len)
{
	char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr = { type, 7, tx, len };

	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), payload, len);
	assert_int_equal(xsd_conn_input(f->conn, buf, sizeof(hdr) + len), sizeof(hdr) + len);
	/* Every request while the tree is small; keep big tests fast. */
	if (f->conn->xsd->store.nodes.count < 200 || !(++f->requests % 50))
		store_roundtrip(&f->conn->xsd->store);
}

/* Sends strings joined by NULs (each NUL-terminated unless raw_last). */
static inline void fake_req(struct fake *f, uint32_t type, uint32_t tx, int nstr, ...)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t len = 0, n;
	va_list ap;
	int i;

	va_start(ap, nstr);
	for (i = 0; i < nstr; i++) {
		const char *s = va_arg(ap, const char *);

		n = strlen(s) + 1;
		memcpy(buf + len, s, n);
		len += n;
	}
	va_end(ap);
	fake_raw(f, type, tx, buf, len);
}

static inline void fake_write(struct fake *f, uint32_t tx, const char *path, const char *value)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1, vl = strlen(value);

	memcpy(buf, path, pl);
	memcpy(buf + pl, value, vl);
	fake_raw(f, XS_WRITE, tx, buf, pl + vl);
}

/* The next message the connection received (skipping none). */
static inline struct fake_msg *fake_next(struct fake *f)
{
	assert_true(f->next < f->nr);
	return &f->msgs[f->next++];
}

/* The last reply that is not a watch event; asserts its type. */
static inline struct fake_msg *fake_reply(struct fake *f)
{
	struct fake_msg *m;

	while ((m = fake_next(f))->hdr.type == XS_WATCH_EVENT)
		;
	return m;
}

static inline void expect_ok(struct fake *f)
{
	struct fake_msg *m = fake_reply(f);

	if (m->hdr.type == XS_ERROR)
		fail_msg("expected OK, got %s", m->body);
	assert_string_equal(m->body, "OK");
}

static inline void expect_error(struct fake *f, const char *err)
{
	struct fake_msg *m = fake_reply(f);

	assert_int_equal(m->hdr.type, XS_ERROR);
	assert_string_equal(m->body, err);
}

static inline void expect_reply_value(struct fake *f, const char *value)
{
	struct fake_msg *m = fake_reply(f);

	if (m->hdr.type == XS_ERROR)
		fail_msg("expected a value, got %s", m->body);
	assert_int_equal(m->hdr.len, strlen(value));
	assert_memory_equal(m->body, value, m->hdr.len);
}

/* A reply that is a NUL-terminated string ("OK", "T", a path...). */
static inline void expect_reply_string(struct fake *f, const char *s)
{
	struct fake_msg *m = fake_reply(f);

	if (m->hdr.type == XS_ERROR)
		fail_msg("expected %s, got %s", s, m->body);
	assert_int_equal(m->hdr.len, strlen(s) + 1);
	assert_string_equal(m->body, s);
}

/* Expects the next message to be a watch event (path, token). */
static inline void expect_event(struct fake *f, const char *path, const char *token)
{
	struct fake_msg *m = fake_next(f);

	assert_int_equal(m->hdr.type, XS_WATCH_EVENT);
	assert_int_equal(m->hdr.req_id, 0);
	assert_string_equal(m->body, path);
	assert_string_equal(m->body + strlen(path) + 1, token);
}

static inline void expect_no_more(struct fake *f)
{
	assert_int_equal(f->next, f->nr);
}

#endif
