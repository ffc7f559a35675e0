/*
 * Test programs that stay up until the toolstack or a user tells them to
 * stop, as a guest with PV drivers does:
 *
 * wait [S]: "xtest: wait: ready" (and data/wait-ready = 1), then asleep
 *   until control/shutdown asks (xl shutdown, xl reboot); prints what it
 *   was asked and shuts down with that reason.  A suspend is carried out
 *   and, once resumed, waits again.  With S, gives up after S seconds
 *   ("xtest: wait: FAIL ...", then poweroff), so that a forgotten guest
 *   does not stay forever.
 * echo: "xtest: echo: ready", then echoes each line of console input as
 *   "echo: <line>" until the line "quit", then powers off; control/shutdown
 *   is answered too.  Lines end with CR (a terminal in raw mode) or LF.
 */
#include <xen/sched.h>

#include "control_tests.h"
#include "runtime/control.h"
#include "runtime/evtchn.h"

#define NS_PER_S 1000000000ull

void test_wait(struct xtest_env *env)
{
	const char *p = env->args;
	unsigned long seconds;
	uint64_t start = rdtsc(), limit;
	int reason;

	while (*p == ' ')
		p++;
	seconds = xstrtoul(p, NULL);
	limit = (uint64_t)seconds * (env->tsc_khz ? env->tsc_khz : 1000000) * 1000;
	if (control_init()) {
		xtest_result("wait", "SKIP", "no xenstore ring: nobody can ask");
		return;
	}
	xs_write("data/wait-ready", "1");
	xputs("xtest: wait: ready\n");
	for (;;) {
		reason = control_poll();
		if (reason >= 0) {
			control_act("wait", reason);
			/* Resumed after a suspend: waiting again. */
			xputs("xtest: wait: ready\n");
			continue;
		}
		if (seconds && rdtsc() - start >= limit) {
			xtest_result("wait", "FAIL", "nothing asked within %lu s", seconds);
			return;
		}
		control_wait(NULL, 0, seconds ? NS_PER_S : 0);
	}
}

void test_echo(struct xtest_env *env)
{
	char line[128], buf[64];
	size_t len = 0, n, i;
	int reason;

	(void)env;
	if (console_input_init()) {
		xtest_result("echo", "SKIP", "no PV console ring");
		return;
	}
	/* Without a store it still echoes; only xl shutdown goes unheard. */
	control_init();
	xputs("xtest: echo: ready\n");
	for (;;) {
		n = console_input_read(buf, sizeof(buf));
		for (i = 0; i < n; i++) {
			if (buf[i] != '\r' && buf[i] != '\n') {
				/* A longer line is cut, not split. */
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			if (!len)
				continue; /* the LF of a CR LF, or an empty line */
			line[len] = '\0';
			len = 0;
			if (!xstrcmp(line, "quit")) {
				xtest_result("echo", "PASS", "quit");
				return;
			}
			xprintf("echo: %s\n", line);
		}
		if (n)
			continue;
		reason = control_poll();
		if (reason >= 0) {
			control_act("echo", reason);
			continue;
		}
		control_wait(NULL, 0, 0);
	}
}
