/*
 * xtest_main: the test guest's C entry.  Sets up hypercalls, prints the
 * time from the first instruction to this first console line, runs the test
 * named first on the command line (default "hello") and shuts down:
 * poweroff, or the reason given as "shutdown=<poweroff|reboot|crash|...>";
 * "shutdown_code=<reason>" sets SCHEDOP_shutdown_code first.
 */
#include <xen/sched.h>

#include "evtchn.h"
#include "hypercall.h"
#include "xtest.h"

static void debug_port_puts(const char *s)
{
	while (*s)
		__asm__ volatile("outb %0, $0xe9" : : "a"(*s++));
}

/* "key=<reason>" on the command line, or -1. */
static int parse_reason(const char *cmdline, const char *key)
{
	static const char *const names[] = { "poweroff", "reboot", "suspend",
					     "crash", "watchdog",
					     "soft_reset" };
	size_t klen = xstrlen(key);
	const char *p;
	unsigned int i;

	for (p = cmdline; *p; p++) {
		if (xstrncmp(p, key, klen) != 0 ||
		    (p != cmdline && p[-1] != ' '))
			continue;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			size_t n = xstrlen(names[i]);

			if (!xstrncmp(p + klen, names[i], n) &&
			    (p[klen + n] == ' ' || p[klen + n] == '\0'))
				return (int)i;
		}
	}
	return -1;
}

void xtest_main(uint32_t start_info_paddr);

void xtest_main(uint32_t start_info_paddr)
{
	const struct hvm_start_info *si =
		(const struct hvm_start_info *)(unsigned long)start_info_paddr;
	struct xtest_env env = { .start_info = si };
	const char *cmdline = "";
	char name[32];
	size_t n = 0;
	uint64_t now;
	unsigned int i;
	int code;

	if (xen_hypercall_init() < 0) {
		debug_port_puts("xtest: no Xen CPUID leaves\n");
		for (;;)
			__asm__ volatile("hlt");
	}
	now = rdtsc();
	/* The PV console and xenstore rings, when the toolstack made them. */
	xen_console_ring_init();
	xs_ring_init();
	env.tsc_khz = xen_tsc_khz();
	if (si && si->magic == XEN_HVM_START_MAGIC_VALUE && si->cmdline_paddr)
		cmdline = (const char *)(unsigned long)si->cmdline_paddr;
	xprintf("xtest: boot: first console line %lu us after the first instruction\n",
		env.tsc_khz ? (unsigned long)((now - boot_tsc) * 1000 /
					      env.tsc_khz) :
			      0ul);
	if (!si || si->magic != XEN_HVM_START_MAGIC_VALUE)
		xtest_result("boot", "FAIL", "bad hvm_start_info magic");
	while (*cmdline == ' ')
		cmdline++;
	while (cmdline[n] && cmdline[n] != ' ' && n < sizeof(name) - 1) {
		name[n] = cmdline[n];
		n++;
	}
	name[n] = '\0';
	if (!n || !xstrncmp(name, "shutdown", 8))
		xsnprintf(name, sizeof(name), "hello");
	env.args = cmdline + n;
	for (i = 0; xtest_table[i].name; i++) {
		if (!xstrcmp(xtest_table[i].name, name)) {
			xtest_table[i].run(&env);
			break;
		}
	}
	if (!xtest_table[i].name)
		xtest_result(name, "SKIP", "no such test");
	xputs("xtest: done\n");
	/* shutdown_code=<reason>: SCHEDOP_shutdown_code, which wins over it. */
	code = parse_reason(cmdline, "shutdown_code=");
	if (code >= 0) {
		struct sched_shutdown sc = { .reason = (unsigned int)code };

		HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &sc);
	}
	code = parse_reason(cmdline, "shutdown=");
	xtest_shutdown(code >= 0 ? (unsigned int)code : SHUTDOWN_poweroff);
}
