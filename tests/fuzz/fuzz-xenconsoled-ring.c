/*
 * Fuzzes xenconsoled's ring access with guest-controlled ring pages.
 *
 * The input is a sequence of steps.  The first 3072+16 bytes (zero-padded)
 * are the initial ring page; then each 9-byte step sets one index to an
 * arbitrary value (a guest racing with us), reads out with some limit, or
 * writes some input.  Checked: no access outside the page (ASan), reads
 * never return more than the ring or the limit, and a read or write either
 * reports corruption and leaves the indexes alone or moves them by exactly
 * the bytes it reports.  What is read goes through the log writer (to
 * /dev/null) with timestamps and escape replacement, as the daemon does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../xenconsoled/log.h"
#include "../../xenconsoled/ring.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Allocated exactly, so any stray access is an ASan report. */
	struct xencons_interface *intf = malloc(sizeof(*intf));
	size_t head = size < sizeof(*intf) ? size : sizeof(*intf);
	char out[4096], in[1100];
	struct console_log log;

	if (!intf)
		return 0;
	console_log_init(&log);
	if (console_log_open(&log, "/dev/null", size & 1, size & 2, 0) < 0)
		abort();
	memset(intf, 0, sizeof(*intf));
	memcpy(intf, data, head);
	data += head;
	size -= head;
	memset(in, 'i', sizeof(in));

	while (size >= 9) {
		uint8_t op = data[0];
		uint32_t a, b;

		memcpy(&a, data + 1, 4);
		memcpy(&b, data + 5, 4);
		data += 9;
		size -= 9;

		switch (op % 6) {
		case 0:
			intf->out_prod = a;
			break;
		case 1:
			intf->out_cons = a;
			intf->in_cons = b;
			break;
		case 2: {
			struct console_ring_result res;
			uint32_t cons = intf->out_cons, prod = intf->out_prod;
			size_t max = b % sizeof(out);

			console_ring_read_out(intf, out, max, &res);
			check(res.bytes <= max && res.bytes <= CONSOLE_RING_OUT_SIZE);
			if (res.corrupt) {
				check(res.bytes == 0 && intf->out_cons == cons);
			} else {
				check(intf->out_cons == cons + (uint32_t)res.bytes);
				check(res.bytes + res.left == (uint32_t)(prod - cons));
			}
			check(console_log_write(&log, out, res.bytes, (time_t)a) == 0);
			break;
		}
		case 3: {
			uint32_t prod = intf->in_prod;
			size_t len = a % sizeof(in);
			size_t n = console_ring_write_in(intf, in, len);

			check(n <= len && n <= CONSOLE_RING_IN_SIZE);
			check(intf->in_prod == prod + (uint32_t)n);
			break;
		}
		case 4:
			intf->in_prod = a;
			break;
		default: {
			bool corrupt;

			check(console_ring_out_pending(intf, &corrupt) <= CONSOLE_RING_OUT_SIZE);
			check(console_ring_in_space(intf, &corrupt) <= CONSOLE_RING_IN_SIZE);
			break;
		}
		}
	}
	console_log_dispose(&log);
	free(intf);
	return 0;
}
