/*
 * Reading the guest's output from, and writing input into, the PV console
 * ring.  See ring.h for the rules about untrusted indexes.
 *
 * Memory ordering follows Xen's protocol: the producer writes data, then
 * (write barrier) its index; the consumer reads the index, then (read
 * barrier) the data, then (full barrier) publishes its consumer index.
 */
#include "ring.h"

#include <stdint.h>
#include <string.h>

static XENCONS_RING_IDX ring_index_load(const XENCONS_RING_IDX *idx)
{
	return __atomic_load_n(idx, __ATOMIC_RELAXED);
}

static void ring_index_store(XENCONS_RING_IDX *idx, XENCONS_RING_IDX value)
{
	__atomic_store_n(idx, value, __ATOMIC_RELAXED);
}

size_t console_ring_out_pending(const struct xencons_interface *intf, bool *corrupt)
{
	XENCONS_RING_IDX cons = ring_index_load(&intf->out_cons);
	XENCONS_RING_IDX prod = ring_index_load(&intf->out_prod);
	XENCONS_RING_IDX size = prod - cons;

	if (corrupt)
		*corrupt = size > CONSOLE_RING_OUT_SIZE;
	return size > CONSOLE_RING_OUT_SIZE ? 0 : size;
}

void console_ring_read_out(struct xencons_interface *intf, char *dst, size_t max,
			   struct console_ring_result *res)
{
	XENCONS_RING_IDX cons, prod, size, offset;
	size_t n, first;

	res->bytes = 0;
	res->left = 0;
	res->corrupt = false;

	/* Each index is read once; everything below uses these copies. */
	cons = ring_index_load(&intf->out_cons);
	prod = ring_index_load(&intf->out_prod);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);

	size = prod - cons;
	if (size > CONSOLE_RING_OUT_SIZE) {
		res->corrupt = true;
		return;
	}
	n = size < max ? size : max;
	if (n == 0) {
		res->left = size;
		return;
	}

	offset = MASK_XENCONS_IDX(cons, intf->out);
	first = CONSOLE_RING_OUT_SIZE - offset;
	if (first > n)
		first = n;
	memcpy(dst, intf->out + offset, first);
	memcpy(dst + first, intf->out, n - first);

	/* Our copy is complete before the guest may reuse the space. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	ring_index_store(&intf->out_cons, cons + (XENCONS_RING_IDX)n);

	res->bytes = n;
	res->left = size - n;
}

size_t console_ring_in_space(const struct xencons_interface *intf, bool *corrupt)
{
	XENCONS_RING_IDX cons = ring_index_load(&intf->in_cons);
	XENCONS_RING_IDX prod = ring_index_load(&intf->in_prod);
	XENCONS_RING_IDX used = prod - cons;

	if (corrupt)
		*corrupt = used > CONSOLE_RING_IN_SIZE;
	return used > CONSOLE_RING_IN_SIZE ? 0 : CONSOLE_RING_IN_SIZE - used;
}

size_t console_ring_write_in(struct xencons_interface *intf, const char *src, size_t len)
{
	XENCONS_RING_IDX cons, prod, used, offset;
	size_t n, first;

	cons = ring_index_load(&intf->in_cons);
	prod = ring_index_load(&intf->in_prod);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);

	used = prod - cons;
	if (used > CONSOLE_RING_IN_SIZE)
		return 0;
	n = CONSOLE_RING_IN_SIZE - used;
	if (n > len)
		n = len;
	if (n == 0)
		return 0;

	offset = MASK_XENCONS_IDX(prod, intf->in);
	first = CONSOLE_RING_IN_SIZE - offset;
	if (first > n)
		first = n;
	memcpy(intf->in + offset, src, first);
	memcpy(intf->in, src + first, n - first);

	/* The data is visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	ring_index_store(&intf->in_prod, prod + (XENCONS_RING_IDX)n);
	return n;
}
