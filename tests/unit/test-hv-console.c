/*
 * Unit tests of the hypervisor console ring (hypervisor/console.c): reads
 * from the start and incrementally, wrap-around, clear, and guest lines
 * buffered and prefixed "(dN) ".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../hypervisor/console.h"

static void test_read_incremental(void **state)
{
	static struct hv_console c;
	char buf[64];
	uint32_t index = 0;
	size_t n;

	(void)state;
	hv_console_init(&c);
	hv_console_put(&c, "abc", 3);
	n = hv_console_read(&c, buf, sizeof(buf), &index, 1);
	assert_int_equal(n, 3);
	assert_memory_equal(buf, "abc", 3);
	assert_int_equal(index, 3);
	hv_console_put(&c, "de", 2);
	n = hv_console_read(&c, buf, sizeof(buf), &index, 1);
	assert_int_equal(n, 2);
	assert_memory_equal(buf, "de", 2);
	/* Non-incremental: everything kept, from the oldest byte. */
	n = hv_console_read(&c, buf, sizeof(buf), &index, 0);
	assert_int_equal(n, 5);
	/* Small buffers read in pieces. */
	index = 0;
	n = hv_console_read(&c, buf, 2, &index, 1);
	assert_int_equal(n, 2);
	n = hv_console_read(&c, buf, 2, &index, 1);
	assert_memory_equal(buf, "cd", 2);
	hv_console_clear(&c);
	n = hv_console_read(&c, buf, sizeof(buf), &index, 0);
	assert_int_equal(n, 0);
}

static void test_wrap(void **state)
{
	static struct hv_console c;
	static char big[HV_CONSOLE_SIZE];
	char buf[16];
	uint32_t index = 0;
	size_t n, i;

	(void)state;
	hv_console_init(&c);
	for (i = 0; i < 3; i++) {
		memset(big, 'a' + (int)i, sizeof(big));
		hv_console_put(&c, big, sizeof(big) / 2);
	}
	/* 1.5 rings written: the oldest kept byte is from the second put. */
	n = hv_console_read(&c, buf, 4, &index, 1);
	assert_int_equal(n, 4);
	assert_memory_equal(buf, "bbbb", 4);
}

static char emitted[512];

static void emit(void *opaque, const char *line)
{
	(void)opaque;
	strncat(emitted, line, sizeof(emitted) - strlen(emitted) - 1);
}

static void test_guest_lines(void **state)
{
	static struct hv_console c;
	struct hv_guest_line line = { .len = 0 };
	char buf[HV_CONSOLE_LINE_MAX * 3];
	static char longline[HV_CONSOLE_LINE_MAX + 10];
	uint32_t index = 0;
	size_t n;

	(void)state;
	hv_console_init(&c);
	emitted[0] = '\0';
	hv_console_guest_write(&c, &line, 3, "hel", 3, 0, emit, NULL);
	assert_int_equal(c.prod, 0);
	hv_console_guest_write(&c, &line, 3, "lo\n\x01x\n", 6, 0, emit, NULL);
	n = hv_console_read(&c, buf, sizeof(buf), &index, 0);
	buf[n] = '\0';
	assert_string_equal(buf, "(d3) hello\n(d3) .x\n");
	assert_string_equal(emitted, buf);
	/* A line longer than the buffer is split, nothing is lost. */
	memset(longline, 'z', sizeof(longline));
	hv_console_guest_write(&c, &line, 3, longline, sizeof(longline), 0, NULL, NULL);
	hv_console_guest_write(&c, &line, 3, "\n", 1, 0, NULL, NULL);
	n = hv_console_read(&c, buf, sizeof(buf), &index, 1);
	buf[n] = '\0';
	assert_int_equal(n, 2 * 5 + sizeof(longline) + 2); /* two "(d3) " prefixes */
	/* Exactly a full line then a newline: no empty line after it. */
	memset(longline, 'y', HV_CONSOLE_LINE_MAX - 1);
	hv_console_guest_write(&c, &line, 3, longline, HV_CONSOLE_LINE_MAX - 1, 0, NULL, NULL);
	hv_console_guest_write(&c, &line, 3, "\n", 1, 0, NULL, NULL);
	n = hv_console_read(&c, buf, sizeof(buf), &index, 1);
	assert_int_equal(n, 5 + HV_CONSOLE_LINE_MAX - 1 + 1);
}

static void test_guest_flood(void **state)
{
	static struct hv_console c;
	struct hv_guest_line line = { .len = 0 };
	static char buf[HV_CONSOLE_SIZE];
	uint32_t index = 0;
	unsigned int i;
	size_t n;

	(void)state;
	hv_console_init(&c);
	for (i = 0; i < HV_GUEST_LINES_PER_WINDOW + 50; i++)
		hv_console_guest_write(&c, &line, 4, "x\n", 2, 1000, NULL, NULL);
	n = hv_console_read(&c, buf, sizeof(buf), &index, 1);
	assert_int_equal(n, HV_GUEST_LINES_PER_WINDOW * 7);
	/* The next window reports what was dropped, then lets lines in. */
	hv_console_guest_write(&c, &line, 4, "y\n", 2, 1000 + HV_GUEST_WINDOW_NS, NULL, NULL);
	n = hv_console_read(&c, buf, sizeof(buf) - 1, &index, 1);
	buf[n] = '\0';
	assert_string_equal(buf, "(XEN) domain 4: 50 console lines suppressed\n(d4) y\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_incremental),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_guest_lines),
		cmocka_unit_test(test_guest_flood),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
