/*
 * Console output through HYPERVISOR_console_io (the hypervisor console,
 * `xl dmesg`), results in xtest's format, and shutdown.  The PV console
 * ring joins with issue 5's event channels.
 */
#include <xen/sched.h>

#include "evtchn.h"
#include "hypercall.h"
#include "xtest.h"

void xputs(const char *s)
{
	HYPERVISOR_console_io(CONSOLEIO_write, (int)xstrlen(s), s);
	/* The PV console (xenconsoled, xl console) when the toolstack made one. */
	if (xen_console_ring_ready())
		xen_console_ring_write(s, xstrlen(s));
}

void xprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	xvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xputs(buf);
}

void xtest_result(const char *name, const char *status, const char *fmt, ...)
{
	char detail[200];
	va_list ap;

	va_start(ap, fmt);
	xvsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	xprintf("xtest: %s: %s%s%s\n", name, status, detail[0] ? " " : "",
		detail);
}

_Noreturn void xtest_shutdown(unsigned int reason)
{
	struct sched_shutdown s = { .reason = reason };

	xen_console_ring_flush();

	for (;;) {
		HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
		__asm__ volatile("hlt");
	}
}
