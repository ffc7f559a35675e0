/*
 * What a test guest hears from the toolstack (control.c): requests in
 * control/shutdown as Xen's PV control protocol carries them (`xl shutdown`,
 * `xl reboot`, save's suspend), the input of the PV console (what `xl
 * console` types), and a wait that sleeps until either moves.
 *
 * A program that wants to behave like a guest with PV drivers:
 *
 *	control_init();
 *	for (;;) {
 *		int reason = control_poll();
 *
 *		if (reason >= 0)
 *			control_act("name", reason);
 *		... its own work; when there is none:
 *		control_wait(NULL, 0, 0);
 *	}
 */
#ifndef XTEST_CONTROL_H
#define XTEST_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/event_channel.h>

/*
 * Advertises control/feature-{poweroff,reboot,suspend} = "1" as Linux does
 * and watches control/shutdown.  0, or -1 without a xenstore ring.
 */
int control_init(void);

/*
 * The pending request in control/shutdown, acknowledged (cleared) as Linux
 * does: SHUTDOWN_poweroff ("poweroff", "halt"), SHUTDOWN_reboot or
 * SHUTDOWN_suspend; -1 when there is none.  The store is read only when
 * its ring moved since the last look, so a busy loop may call this often.
 * Unknown requests are left unacknowledged and logged, as Linux does.
 */
int control_poll(void);

/*
 * Carries out a request from control_poll for the program called name:
 * prints "xtest: <name>: PASS asked to <what>", then for poweroff and
 * reboot "xtest: done" and SCHEDOP_shutdown with that reason (does not
 * return).  A suspend returns once the domain is resumed (cancelled or
 * restored), after printing "xtest: <name>: resumed rc=<rc>".
 */
void control_act(const char *name, int reason);

/*
 * Sleeps (SCHEDOP_poll) until the xenstore ring's port, the console's
 * port or one of ports is signalled, or timeout_ns passed (0: no limit).
 * True when woken by an event.  Callers check their conditions after each
 * return: an early return is allowed, a lost wake-up is not.
 */
bool control_wait(const evtchn_port_t *ports, unsigned int nr, uint64_t timeout_ns);

/*
 * The console's input ring: 0 when the toolstack gave a console, -1
 * otherwise.  console_input_read copies what arrived (up to cap bytes)
 * and gives the count, 0 when nothing is there.
 */
int console_input_init(void);
size_t console_input_read(char *buf, size_t cap);

#endif
