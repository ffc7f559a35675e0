/*
 * Unit tests of the privcmd protocol's parsing (hypervisor/privcmd_wire.c)
 * and of a whole domctl carried the way libxc carries it: bounce buffers
 * resolved against the client's addresses, OUT bytes returned.
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
#include <xen/sysctl.h>

#include "../../hypervisor/domain.h"
#include "../../hypervisor/privcmd_wire.h"
#include "hv-fake-backend.h"

static size_t put(uint8_t *msg, size_t off, const void *p, size_t len)
{
	memcpy(msg + off, p, len);
	return off + len;
}

static void test_header(void **state)
{
	struct privcmd_hdr h = { PRIVCMD_MAGIC, PRIVCMD_VERSION, PRIVCMD_MSG_HYPERCALL, sizeof(h),
				 1 },
			   out;

	(void)state;
	assert_int_equal(privcmd_parse_header(&h, sizeof(h) - 1, &out), -EAGAIN);
	assert_int_equal(privcmd_parse_header(&h, sizeof(h), &out), 0);
	h.magic ^= 1;
	assert_int_equal(privcmd_parse_header(&h, sizeof(h), &out), -EPROTO);
	h.magic ^= 1;
	h.version = 2;
	assert_int_equal(privcmd_parse_header(&h, sizeof(h), &out), -EPROTO);
	h.version = PRIVCMD_VERSION;
	h.len = PRIVCMD_MSG_MAX + 1;
	assert_int_equal(privcmd_parse_header(&h, sizeof(h), &out), -EPROTO);
	h.len = 4;
	assert_int_equal(privcmd_parse_header(&h, sizeof(h), &out), -EPROTO);
	h.len = sizeof(h);
	h.type = 99;
	assert_int_equal(privcmd_parse_header(&h, sizeof(h), &out), -EPROTO);
}

static void test_hypercall_layout(void **state)
{
	uint8_t msg[512];
	struct privcmd_hypercall hc = { .op = 17, .nr_bufs = 2 };
	struct privcmd_buf b[2] = { { 0x1000, 8, PRIVCMD_BUF_IN },
				    { 0x2000, 16, PRIVCMD_BUF_OUT } };
	struct privcmd_call call;
	size_t off;

	(void)state;
	off = put(msg, 0, &hc, sizeof(hc));
	off = put(msg, off, b, sizeof(b));
	off = put(msg, off, "12345678", 8);
	assert_int_equal(privcmd_parse_hypercall(msg, off, &call), 0);
	assert_int_equal(call.nr_bufs, 2);
	assert_memory_equal(call.in[0], "12345678", 8);
	assert_null(call.in[1]);
	/* Trailing or missing bytes are malformed. */
	assert_int_equal(privcmd_parse_hypercall(msg, off + 1, &call), -EPROTO);
	assert_int_equal(privcmd_parse_hypercall(msg, off - 1, &call), -EPROTO);
	/* Overlapping buffers are ambiguous: refused. */
	b[1].addr = 0x1004;
	put(msg, sizeof(hc), b, sizeof(b));
	assert_int_equal(privcmd_parse_hypercall(msg, off, &call), -EPROTO);
	/* Zero flags, zero length, wrapping address. */
	b[1] = (struct privcmd_buf){ 0x2000, 16, 0 };
	put(msg, sizeof(hc), b, sizeof(b));
	assert_int_equal(privcmd_parse_hypercall(msg, off, &call), -EPROTO);
	b[1] = (struct privcmd_buf){ UINT64_MAX - 4, 16, PRIVCMD_BUF_OUT };
	put(msg, sizeof(hc), b, sizeof(b));
	assert_int_equal(privcmd_parse_hypercall(msg, off, &call), -EPROTO);
	/* Too many buffers. */
	hc.nr_bufs = PRIVCMD_MAX_BUFS + 1;
	put(msg, 0, &hc, sizeof(hc));
	assert_int_equal(privcmd_parse_hypercall(msg, off, &call), -EPROTO);
}

static void test_map_foreign_layout(void **state)
{
	uint8_t msg[64];
	struct privcmd_map_foreign req = { .domid = 1, .prot = 3, .nr = 2 }, out;
	uint64_t gfns[2] = { 5, 6 };
	const uint8_t *g;
	size_t off;

	(void)state;
	off = put(msg, 0, &req, sizeof(req));
	off = put(msg, off, gfns, sizeof(gfns));
	assert_int_equal(privcmd_parse_map_foreign(msg, off, &out, &g), 0);
	assert_int_equal(privcmd_parse_map_foreign(msg, off - 8, &out, &g), -EPROTO);
	req.nr = 0;
	put(msg, 0, &req, sizeof(req));
	assert_int_equal(privcmd_parse_map_foreign(msg, sizeof(req), &out, &g), -EPROTO);
}

/* A createdomain + getdomaininfolist as libxc sends them. */
static void test_domctl_roundtrip(void **state)
{
	static struct xenhv hv;
	struct fake_backend fb = { 0 };
	struct xen_domctl domctl;
	struct xen_sysctl sysctl;
	struct xen_domctl_getdomaininfo infos[4];
	struct privcmd_call call;
	struct privcmd_bounce bounce;
	struct guest_access ga;
	struct hc_ctx ctx;
	uint8_t out[sizeof(domctl) + sizeof(infos)];

	(void)state;
	hv_log_open(NULL, false);
	hv_init(&hv, &fake_backend_ops, &fb, 1024);
	domain_create_control(&hv);
	memset(&domctl, 0, sizeof(domctl));
	domctl.cmd = XEN_DOMCTL_createdomain;
	domctl.interface_version = XEN_DOMCTL_INTERFACE_VERSION;
	domctl.u.createdomain.flags = XEN_DOMCTL_CDF_hvm;
	domctl.u.createdomain.max_vcpus = 2;
	memset(&call, 0, sizeof(call));
	call.op = __HYPERVISOR_domctl;
	call.arg[0] = 0x10000; /* the client's address of its domctl */
	call.nr_bufs = 1;
	call.bufs[0] =
		(struct privcmd_buf){ 0x10000, sizeof(domctl), PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT };
	call.in[0] = (const uint8_t *)&domctl;
	assert_int_equal(privcmd_bounce_init(&bounce, &call, &ga), 0);
	ctx = (struct hc_ctx){ &hv, domain_lookup(&hv, 0), NULL, &ga };
	pthread_mutex_lock(&hv.lock);
	assert_int_equal(hypercall_dispatch(&ctx, call.op, call.arg), 0);
	pthread_mutex_unlock(&hv.lock);
	assert_int_equal(privcmd_bounce_out_size(&call), sizeof(domctl));
	privcmd_bounce_out(&bounce, out);
	privcmd_bounce_dispose(&bounce);
	memcpy(&domctl, out, sizeof(domctl));
	assert_int_equal(domctl.domain, 1);

	/* sysctl getdomaininfolist: the struct IN|OUT, the array OUT only. */
	memset(&sysctl, 0, sizeof(sysctl));
	sysctl.cmd = XEN_SYSCTL_getdomaininfolist;
	sysctl.interface_version = XEN_SYSCTL_INTERFACE_VERSION;
	sysctl.u.getdomaininfolist.max_domains = 4;
	sysctl.u.getdomaininfolist.buffer.p = (xen_domctl_getdomaininfo_t *)(uintptr_t)0x20000;
	call.op = __HYPERVISOR_sysctl;
	call.arg[0] = 0x10000;
	call.nr_bufs = 2;
	call.bufs[0] =
		(struct privcmd_buf){ 0x10000, sizeof(sysctl), PRIVCMD_BUF_IN | PRIVCMD_BUF_OUT };
	call.in[0] = (const uint8_t *)&sysctl;
	call.bufs[1] = (struct privcmd_buf){ 0x20000, sizeof(infos), PRIVCMD_BUF_OUT };
	call.in[1] = NULL;
	assert_int_equal(privcmd_bounce_init(&bounce, &call, &ga), 0);
	pthread_mutex_lock(&hv.lock);
	assert_int_equal(hypercall_dispatch(&ctx, call.op, call.arg), 0);
	pthread_mutex_unlock(&hv.lock);
	privcmd_bounce_out(&bounce, out);
	privcmd_bounce_dispose(&bounce);
	memcpy(&sysctl, out, sizeof(sysctl));
	memcpy(infos, out + sizeof(sysctl), sizeof(infos));
	assert_int_equal(sysctl.u.getdomaininfolist.num_domains, 2);
	assert_int_equal(infos[0].domain, 0);
	assert_int_equal(infos[1].domain, 1);
	assert_true(infos[1].flags & XEN_DOMINF_paused);
	assert_int_equal(infos[1].max_vcpu_id, 1);

	/* The handler writing outside the declared buffers: EFAULT. */
	sysctl.u.getdomaininfolist.buffer.p = (xen_domctl_getdomaininfo_t *)(uintptr_t)0x30000;
	assert_int_equal(privcmd_bounce_init(&bounce, &call, &ga), 0);
	pthread_mutex_lock(&hv.lock);
	assert_int_equal(hypercall_dispatch(&ctx, call.op, call.arg), -EFAULT);
	pthread_mutex_unlock(&hv.lock);
	privcmd_bounce_dispose(&bounce);
	hv_dispose(&hv);
	assert_int_equal(fb.domains_created, fb.domains_destroyed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_hypercall_layout),
		cmocka_unit_test(test_map_foreign_layout),
		cmocka_unit_test(test_domctl_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
