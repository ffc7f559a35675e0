/*
 * Fuzz target: a privcmd message as xenhv receives it, parsed and, when
 * well formed, run through the hypercall table as domain 0 against a
 * hypervisor with the fake backend (one guest domain exists).  Nothing may
 * crash, leak, or read outside the message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hypervisor/domain.h"
#include "../../hypervisor/privcmd_wire.h"
#include "../unit/hv-fake-backend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xenhv hv;
	struct fake_backend fb = { 0 };
	struct xen_domctl_createdomain cfg = { .flags = XEN_DOMCTL_CDF_hvm, .max_vcpus = 2 };
	struct privcmd_hdr hdr;
	struct privcmd_call call;
	struct privcmd_bounce bounce;
	struct privcmd_map_foreign req;
	struct guest_access ga;
	struct hc_ctx ctx;
	struct domain *d;
	const uint8_t *gfns;
	uint8_t *msg = malloc(size ? size : 1);

	if (!msg)
		return 0;
	memcpy(msg, data, size);
	if (privcmd_parse_header(msg, size, &hdr) || hdr.len > size)
		goto out;
	if (hdr.type == PRIVCMD_MSG_MAP_FOREIGN) {
		privcmd_parse_map_foreign(msg + sizeof(hdr), hdr.len - sizeof(hdr), &req, &gfns);
		goto out;
	}
	if (privcmd_parse_hypercall(msg + sizeof(hdr), hdr.len - sizeof(hdr), &call))
		goto out;
	hv_log_open(NULL, false);
	hv_init(&hv, &fake_backend_ops, &fb, 4096);
	domain_create_control(&hv);
	pthread_mutex_lock(&hv.lock);
	if (domain_create(&hv, 1, &cfg, &d) == 0) {
		domain_set_max_mem(d, 1024);
		domain_populate(d, 0, 64);
	}
	pthread_mutex_unlock(&hv.lock);
	if (privcmd_bounce_init(&bounce, &call, &ga) == 0) {
		ctx = (struct hc_ctx){ &hv, domain_lookup(&hv, 0), NULL, &ga };
		pthread_mutex_lock(&hv.lock);
		hypercall_dispatch(&ctx, call.op, call.arg);
		pthread_mutex_unlock(&hv.lock);
		privcmd_bounce_dispose(&bounce);
	}
	hv_dispose(&hv);
	if (fb.domains_created != fb.domains_destroyed || fb.vcpus_created != fb.vcpus_destroyed ||
	    fb.mapped_pages)
		abort();
out:
	free(msg);
	return 0;
}
