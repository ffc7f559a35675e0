/*
 * Fuzz target: xenstored's wire framing, request parsing and dispatch.
 *
 * Input: byte 0 picks the connection (even: domain 0, odd: an unprivileged
 * domain 5, which also gets a ring-free introduction so that its home
 * exists); byte 1 picks the chunk size the stream is fed in; the rest is the
 * byte stream a client sends.  Every reply is checked for a sane header, and
 * the store must survive a save/load round trip afterwards.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static size_t sink_pending;

static int sink_send(struct xs_conn *conn, const struct xsd_sockmsg *hdr, const void *payload)
{
	(void)conn;
	(void)payload;
	if (hdr->len > XENSTORE_PAYLOAD_MAX)
		abort();
	sink_pending = 0;
	return 0;
}

static size_t sink_get_pending(struct xs_conn *conn)
{
	(void)conn;
	return sink_pending;
}

static const struct xs_conn_ops sink_ops = {
	.send = sink_send,
	.pending = sink_get_pending,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xs_conn *conn, *peer;
	struct xsd xsd;
	size_t chunk, off;
	long used;
	char *img;
	size_t len;

	if (size < 2 || xsd_init(&xsd))
		return 0;
	/* A privileged peer with a watch on everything sees all events. */
	peer = xsd_conn_new(&xsd, &sink_ops, NULL, 0);
	conn = xsd_conn_new(&xsd, &sink_ops, NULL, data[0] & 1 ? 5 : 0);
	if (!peer || !conn)
		goto out;
	xsd_watch_add(peer, "/", "all", false);
	if (data[0] & 1) {
		conn->domain = xsd_domain_get(&xsd, 5);
		xsd_domain_introduce(&xsd, 5, 1, 1);
	}
	chunk = data[1] ? data[1] : 4096;
	for (off = 2; off < size; off += used) {
		size_t n = size - off < chunk ? size - off : chunk;

		used = xsd_conn_input(conn, data + off, n);
		if (used <= 0)
			break;
	}
	if (!xs_store_save(&xsd.store, &img, &len)) {
		if (xs_store_load(&xsd.store, img, len))
			abort();
		free(img);
	}
out:
	xsd_dispose(&xsd);
	return 0;
}
