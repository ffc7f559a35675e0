/*
 * Unit tests of xenstored's guest ring transport against an in-memory
 * xenstore_domain_interface page, playing the guest's side by hand:
 * requests and replies across the ring's wrap-around, event channel kicks,
 * and hostile indexes and payloads.
 */
#include "xenstored-harness.h"
#include "transport.h"

static struct xsd xsd;
static struct xenstore_domain_interface *page;
static unsigned int kicks;

static void kick(void *ctx)
{
	(void)ctx;
	kicks++;
}

static int setup(void **state)
{
	(void)state;
	page = calloc(1, 4096);
	kicks = 0;
	return page ? xsd_init(&xsd) : -1;
}

static int teardown(void **state)
{
	(void)state;
	xsd_dispose(&xsd);
	free(page);
	return 0;
}

/* Guest side: put bytes in req[], as a front end would. */
static void guest_put(const void *data, size_t len)
{
	const char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		assert_true(page->req_prod - page->req_cons < XENSTORE_RING_SIZE);
		page->req[MASK_XENSTORE_IDX(page->req_prod)] = p[i];
		page->req_prod++;
	}
}

static void guest_request(uint32_t type, const void *payload, uint32_t len)
{
	struct xsd_sockmsg hdr = { type, 42, 0, len };

	guest_put(&hdr, sizeof(hdr));
	guest_put(payload, len);
}

static size_t guest_get(void *data, size_t len)
{
	char *p = data;
	size_t n = 0;

	while (n < len && page->rsp_cons != page->rsp_prod) {
		p[n++] = page->rsp[MASK_XENSTORE_IDX(page->rsp_cons)];
		page->rsp_cons++;
	}
	return n;
}

static void guest_reply(struct xsd_sockmsg *hdr, char *body)
{
	assert_int_equal(guest_get(hdr, sizeof(*hdr)), sizeof(*hdr));
	assert_true(hdr->len <= XENSTORE_PAYLOAD_MAX);
	assert_int_equal(guest_get(body, hdr->len), hdr->len);
	body[hdr->len] = '\0';
}

static void test_ring_roundtrip(void **state)
{
	struct xsd_ring *ring = xsd_ring_new(&xsd, 4, page, kick, NULL);
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];
	unsigned int i;

	(void)state;
	assert_non_null(ring);
	assert_true(page->server_features & XENSTORE_SERVER_FEATURE_ERROR);
	guest_request(XS_GET_DOMAIN_PATH, "4", 2);
	assert_int_equal(xsd_ring_handle(ring), 0);
	assert_true(kicks > 0);
	guest_reply(&hdr, body);
	assert_int_equal(hdr.type, XS_GET_DOMAIN_PATH);
	assert_int_equal(hdr.req_id, 42);
	assert_string_equal(body, "/local/domain/4");

	/* Many requests: indexes wrap around the 1 KiB rings. */
	for (i = 0; i < 300; i++) {
		guest_request(XS_WRITE, "x\0value", 7);
		assert_int_equal(xsd_ring_handle(ring), 0);
		guest_reply(&hdr, body);
		/* Domain 4 may not write its home until dom0 allows it. */
		assert_int_equal(hdr.type, XS_ERROR);
		assert_string_equal(body, "EACCES");
	}
	xsd_ring_free(ring);
}

static void test_ring_reply_bigger_than_ring(void **state)
{
	struct xsd_ring *ring = xsd_ring_new(&xsd, 4, page, kick, NULL);
	struct fake *d0 = fake_new(&xsd, 0);
	char value[3000], body[XENSTORE_PAYLOAD_MAX + 1], buf[4096];
	struct xsd_sockmsg hdr;
	size_t got = 0, n;

	(void)state;
	memset(value, 'v', sizeof(value));
	fake_raw(d0, XS_WRITE, 0, "/big\0", 5);
	expect_ok(d0);
	fake_raw(d0, XS_SET_PERMS, 0, "/big\0r0\0", 8);
	expect_ok(d0);
	{
		char req[5 + sizeof(value)];

		memcpy(req, "/big", 5);
		memcpy(req + 5, value, sizeof(value));
		fake_raw(d0, XS_WRITE, 0, req, sizeof(req));
		expect_ok(d0);
	}
	guest_request(XS_READ, "/big", 5);
	/* The reply (3016 bytes) drains over several guest reads. */
	while (got < sizeof(hdr) + sizeof(value)) {
		assert_int_equal(xsd_ring_handle(ring), 0);
		n = guest_get(buf + got, sizeof(buf) - got);
		assert_true(n > 0);
		got += n;
	}
	memcpy(&hdr, buf, sizeof(hdr));
	assert_int_equal(hdr.len, sizeof(value));
	memcpy(body, buf + sizeof(hdr), hdr.len);
	assert_memory_equal(body, value, sizeof(value));
	fake_free(d0);
	xsd_ring_free(ring);
}

/* A watch event caused by another client reaches the ring unasked. */
static void test_ring_watch_event_pushed(void **state)
{
	struct xsd_ring *ring = xsd_ring_new(&xsd, 4, page, kick, NULL);
	struct fake *d0 = fake_new(&xsd, 0);
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];
	unsigned int before;

	(void)state;
	fake_raw(d0, XS_WRITE, 0, "/local/domain/4/data\0", 21);
	expect_ok(d0);
	fake_raw(d0, XS_SET_PERMS, 0, "/local/domain/4/data\0n4\0", 24);
	expect_ok(d0);
	guest_request(XS_WATCH, "data\0tok\0", 10);
	assert_int_equal(xsd_ring_handle(ring), 0);
	guest_reply(&hdr, body);
	assert_string_equal(body, "OK");
	guest_reply(&hdr, body);
	assert_int_equal(hdr.type, XS_WATCH_EVENT);
	assert_string_equal(body, "data");
	before = kicks;
	fake_raw(d0, XS_WRITE, 0, "/local/domain/4/data/x\0v", 24);
	expect_ok(d0);
	assert_true(kicks > before);
	guest_reply(&hdr, body);
	assert_int_equal(hdr.type, XS_WATCH_EVENT);
	assert_string_equal(body, "data/x");
	assert_string_equal(body + 7, "tok");
	fake_free(d0);
	xsd_ring_free(ring);
}

/* A guest that never reads: its queue is bounded, then it is failed. */
static void test_ring_never_reads(void **state)
{
	struct xsd_ring *ring = xsd_ring_new(&xsd, 4, page, kick, NULL);
	struct fake *d0 = fake_new(&xsd, 0);
	unsigned int i;

	(void)state;
	fake_raw(d0, XS_SET_PERMS, 0, "/\0r0\0", 5);
	expect_ok(d0);
	guest_request(XS_WATCH, "/\0tok\0", 6);
	assert_int_equal(xsd_ring_handle(ring), 0);
	char req[256];

	/* Events of ~220 bytes: the 1 MiB bound is reached in ~5000. */
	memset(req, 'a', sizeof(req));
	req[0] = '/';
	req[200] = '\0';
	for (i = 0; i < 20000 && !page->error; i++) {
		fake_raw(d0, XS_WRITE, 0, req, 202);
		fake_clear(d0);
	}
	assert_int_equal(page->error, XENSTORE_ERROR_COMM);
	assert_int_equal(xsd_ring_handle(ring), -EIO);
	fake_free(d0);
	xsd_ring_free(ring);
}

static void test_ring_bad_index(void **state)
{
	struct xsd_ring *ring = xsd_ring_new(&xsd, 4, page, kick, NULL);

	(void)state;
	page->req_prod = page->req_cons + XENSTORE_RING_SIZE + 1;
	assert_int_equal(xsd_ring_handle(ring), -EIO);
	assert_int_equal(page->error, XENSTORE_ERROR_RINGIDX);
	/* Once broken, nothing more is read. */
	assert_int_equal(xsd_ring_handle(ring), -EIO);
	xsd_ring_free(ring);
}

static void test_ring_oversized(void **state)
{
	struct xsd_ring *ring = xsd_ring_new(&xsd, 4, page, kick, NULL);
	struct xsd_sockmsg hdr = { XS_READ, 0, 0, XENSTORE_PAYLOAD_MAX + 1 };

	(void)state;
	guest_put(&hdr, sizeof(hdr));
	assert_int_equal(xsd_ring_handle(ring), -EIO);
	assert_int_equal(page->error, XENSTORE_ERROR_PROTO);
	xsd_ring_free(ring);
}

/*
 * Outstanding quota as Xen counts it: a request is outstanding until its
 * reply left for the ring; at 20 the guest's requests stay unread, and
 * reading resumes as the guest consumes its replies.
 */
static void test_ring_outstanding(void **state)
{
	struct xsd_ring *ring = xsd_ring_new(&xsd, 4, page, kick, NULL);
	struct fake *d0 = fake_new(&xsd, 0);
	char body[XENSTORE_PAYLOAD_MAX + 1], req[600];
	struct xsd_sockmsg hdr;
	unsigned int i, got = 0;

	(void)state;
	memcpy(req, "/local/domain/4/v", 18);
	memset(req + 18, 'x', 500);
	fake_raw(d0, XS_WRITE, 0, req, 518);
	expect_ok(d0);
	fake_raw(d0, XS_SET_PERMS, 0, "/local/domain/4/v\0n4\0", 21);
	expect_ok(d0);
	for (i = 0; i < 25; i++)
		guest_request(XS_READ, "/local/domain/4/v", 18);
	assert_int_equal(xsd_ring_handle(ring), 0);
	/* One reply fits the ring; 20 more are outstanding, 4 unread. */
	assert_int_equal(page->req_prod - page->req_cons, 4 * (16 + 18));
	assert_int_equal(xsd_domain_find(&xsd, 4)->nr_outstanding, 20);
	while (got < 25) {
		guest_reply(&hdr, body);
		assert_int_equal(hdr.type, XS_READ);
		assert_int_equal(hdr.len, 500);
		got++;
		assert_int_equal(xsd_ring_handle(ring), 0);
	}
	assert_int_equal(page->req_prod, page->req_cons);
	assert_int_equal(xsd_domain_find(&xsd, 4)->nr_outstanding, 0);
	fake_free(d0);
	xsd_ring_free(ring);
}

/* Memory quota: watches count (path + token); past it WATCH is ENOMEM,
 * and removing one makes room again. */
static void test_ring_memory_quota(void **state)
{
	struct xsd_ring *ring = xsd_ring_new(&xsd, 4, page, kick, NULL);
	char body[XENSTORE_PAYLOAD_MAX + 1], req[400];
	struct xsd_sockmsg hdr;
	unsigned int i;

	(void)state;
	xsd.quota[XSD_Q_MEMORY].val = 2000;
	memcpy(req, "/a\0", 3);
	memset(req + 3, 't', 300);
	req[303] = '\0';
	for (i = 0; i < 10; i++) {
		req[3] = 'a' + i; /* distinct tokens */
		guest_request(XS_WATCH, req, 304);
		assert_int_equal(xsd_ring_handle(ring), 0);
		guest_reply(&hdr, body);
		if (hdr.type == XS_ERROR)
			break;
		guest_reply(&hdr, body); /* the initial event */
		assert_int_equal(hdr.type, XS_WATCH_EVENT);
	}
	assert_true(i >= 5 && i < 10);
	assert_string_equal(body, "ENOMEM");
	assert_true(xsd_domain_memory(xsd_domain_find(&xsd, 4)) <= 2000);
	req[3] = 'a';
	guest_request(XS_UNWATCH, req, 304);
	assert_int_equal(xsd_ring_handle(ring), 0);
	guest_reply(&hdr, body);
	assert_string_equal(body, "OK");
	req[3] = 'a' + i;
	guest_request(XS_WATCH, req, 304);
	assert_int_equal(xsd_ring_handle(ring), 0);
	guest_reply(&hdr, body);
	assert_string_equal(body, "OK");
	xsd_ring_free(ring);
	/* Everything charged was given back. */
	assert_int_equal(xsd_domain_find(&xsd, 4)->memory_other, 0);
}

/*
 * A parked ring (after a live update, before the page is mapped again)
 * keeps its watches and queues what it must send; attached, it delivers.
 */
static void test_ring_parked(void **state)
{
	struct xsd_ring *ring = xsd_ring_new(&xsd, 4, NULL, NULL, NULL);
	struct fake *d0 = fake_new(&xsd, 0);
	char body[XENSTORE_PAYLOAD_MAX + 1];
	struct xsd_sockmsg hdr;
	const char *out;
	size_t len;

	(void)state;
	assert_true(xsd_ring_is_parked(ring));
	assert_ptr_equal(xsd_ring_of_conn(xsd_ring_conn(ring)), ring);
	assert_int_equal(xsd_watch_add(xsd_ring_conn(ring), "/local/domain/4/d",
				       "tok", true), 0);
	fake_raw(d0, XS_WRITE, 0, "/local/domain/4/d\0v", 20);
	expect_ok(d0);
	/* Readable by domain 4 now: this change reaches its watch. */
	fake_raw(d0, XS_SET_PERMS, 0, "/local/domain/4/d\0n4\0", 21);
	expect_ok(d0);
	assert_int_equal(xsd_ring_handle(ring), 0);
	xsd_ring_out(ring, &out, &len);
	assert_int_equal(len, sizeof(hdr) + 6);
	assert_int_equal(xsd_ring_set_out(ring, out, len), 0);
	xsd_ring_attach(ring, page, kick, NULL);
	assert_false(xsd_ring_is_parked(ring));
	assert_int_equal(xsd_ring_handle(ring), 0);
	guest_reply(&hdr, body);
	assert_int_equal(hdr.type, XS_WATCH_EVENT);
	assert_string_equal(body, "d");
	assert_string_equal(body + 2, "tok");
	fake_free(d0);
	/* Freed with the daemon, through its transport. */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ring_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_reply_bigger_than_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_watch_event_pushed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_never_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_bad_index, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_oversized, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_outstanding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_memory_quota, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_parked, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
