/*
 * xenconsoled's per-domain output buffer: order kept across wrap and
 * growth, the limit enforced by dropping the oldest bytes (counted), and
 * "keep" mode taking only what fits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../xenconsoled/buffer.h"

/* Drains the buffer into out; returns the byte count. */
static size_t drain(struct console_buffer *buf, char *out)
{
	const char *p;
	size_t len, total = 0;

	while ((p = console_buffer_peek(buf, &len)) != NULL) {
		memcpy(out + total, p, len);
		total += len;
		console_buffer_consume(buf, len);
	}
	return total;
}

static void fill_pattern(char *data, size_t len, size_t start)
{
	size_t i;

	for (i = 0; i < len; i++)
		data[i] = (char)((start + i) * 31 % 251);
}

static void test_append_drain(void **state)
{
	struct console_buffer buf;
	char out[32];

	(void)state;
	console_buffer_init(&buf, 0); /* clamped up to the minimum */
	assert_int_equal(buf.limit, CONSOLE_BUFFER_LIMIT_MIN);
	assert_int_equal(console_buffer_append(&buf, "hello", 5, true), 5);
	assert_int_equal(console_buffer_append(&buf, " world", 6, true), 6);
	assert_int_equal(drain(&buf, out), 11);
	assert_memory_equal(out, "hello world", 11);
	assert_int_equal(buf.dropped, 0);
	console_buffer_dispose(&buf);
	console_buffer_dispose(&buf); /* twice is fine */
}

static void test_growth_and_wrap(void **state)
{
	struct console_buffer buf;
	char *data = malloc(100000), *out = malloc(100000);
	size_t in = 0, got = 0, len;
	const char *p;

	(void)state;
	console_buffer_init(&buf, 65536);
	fill_pattern(data, 100000, 0);
	/* Interleave appends and partial consumes so the ring wraps and grows. */
	while (in < 100000) {
		size_t n = 100000 - in < 3000 ? 100000 - in : 3000;

		assert_int_equal(console_buffer_append(&buf, data + in, n, false), n);
		in += n;
		p = console_buffer_peek(&buf, &len);
		if (len > 1700)
			len = 1700;
		memcpy(out + got, p, len);
		got += len;
		console_buffer_consume(&buf, len);
	}
	got += drain(&buf, out + got);
	assert_int_equal(got, 100000);
	assert_memory_equal(out, data, 100000);
	assert_true(buf.alloc <= 65536);
	console_buffer_dispose(&buf);
	free(data);
	free(out);
}

static void test_discard_oldest(void **state)
{
	struct console_buffer buf;
	char data[10000], out[10000];
	size_t n;

	(void)state;
	console_buffer_init(&buf, 4096);
	fill_pattern(data, sizeof(data), 0);
	assert_int_equal(console_buffer_append(&buf, data, 3000, true), 3000);
	assert_int_equal(console_buffer_append(&buf, data + 3000, 3000, true), 3000);
	/* 6000 bytes went in, 4096 fit: the 1904 oldest were dropped. */
	assert_int_equal(buf.dropped, 1904);
	n = drain(&buf, out);
	assert_int_equal(n, 4096);
	assert_memory_equal(out, data + 1904, 4096);

	/* One append larger than the limit keeps only its newest bytes. */
	assert_int_equal(console_buffer_append(&buf, "old", 3, true), 3);
	assert_int_equal(console_buffer_append(&buf, data, sizeof(data), true), 4096);
	assert_int_equal(buf.dropped, 1904 + 3 + (10000 - 4096));
	n = drain(&buf, out);
	assert_int_equal(n, 4096);
	assert_memory_equal(out, data + 10000 - 4096, 4096);
	console_buffer_dispose(&buf);
}

static void test_keep_takes_what_fits(void **state)
{
	struct console_buffer buf;
	char data[5000];

	(void)state;
	console_buffer_init(&buf, 4096);
	fill_pattern(data, sizeof(data), 0);
	assert_int_equal(console_buffer_append(&buf, data, sizeof(data), false), 4096);
	assert_int_equal(console_buffer_space(&buf), 0);
	assert_int_equal(console_buffer_append(&buf, data, 10, false), 0);
	assert_int_equal(buf.dropped, 0);
	console_buffer_dispose(&buf);
}

static void test_set_limit_shrinks(void **state)
{
	struct console_buffer buf;
	char data[8192], out[8192];

	(void)state;
	console_buffer_init(&buf, 8192);
	fill_pattern(data, sizeof(data), 0);
	assert_int_equal(console_buffer_append(&buf, data, sizeof(data), true), 8192);
	console_buffer_set_limit(&buf, 4096);
	assert_int_equal(buf.len, 4096);
	assert_int_equal(buf.dropped, 4096);
	assert_int_equal(drain(&buf, out), 4096);
	assert_memory_equal(out, data + 4096, 4096);
	/* A guest asking for more than the cap gets the cap. */
	console_buffer_set_limit(&buf, SIZE_MAX);
	assert_int_equal(buf.limit, CONSOLE_BUFFER_LIMIT_MAX);
	console_buffer_dispose(&buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_drain),
		cmocka_unit_test(test_growth_and_wrap),
		cmocka_unit_test(test_discard_oldest),
		cmocka_unit_test(test_keep_takes_what_fits),
		cmocka_unit_test(test_set_limit_shrinks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
