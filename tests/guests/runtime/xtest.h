/*
 * The test-guest runtime: console output, formatting, results in the
 * machine-readable form "xtest: <name>: PASS|FAIL|SKIP <detail>", and
 * shutdown.  Ring-0 only for now; ring-3 user tasks (for heavy work, since
 * ring-0 code is emulated on PVM-style hosts) come with issue 6.
 */
#ifndef XTEST_XTEST_H
#define XTEST_XTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/hvm/start_info.h>

/* start.S */
extern uint64_t boot_tsc;

/* lib.c */
size_t xstrlen(const char *s);
int xstrcmp(const char *a, const char *b);
int xstrncmp(const char *a, const char *b, size_t n);
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int xvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int xsnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
unsigned long xstrtoul(const char *s, const char **end);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* console.c */
void xputs(const char *s);
void xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void xtest_result(const char *name, const char *status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
_Noreturn void xtest_shutdown(unsigned int reason);

/* A test program: run by name from the kernel command line. */
struct xtest_env {
	const struct hvm_start_info *start_info;
	const char *args; /* the command line after the test name */
	uint32_t tsc_khz;
};

struct xtest {
	const char *name;
	void (*run)(struct xtest_env *env);
};

extern const struct xtest xtest_table[];

#endif
