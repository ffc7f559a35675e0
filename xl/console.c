/*
 * xl/console.c: `xl console`: attaches the terminal to a domain's console
 * pty, the one xenconsoled (pv) or QEMU (serial) wrote into xenstore.
 * Ctrl-] detaches.  Works with a non-terminal stdin too (scripts): input is
 * copied as it comes, and after its end the console's output is still
 * shown until the domain goes away.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <xenstore.h>

#include "xl.h"
#include "lifecycle.h"

#define ESCAPE_CHAR 0x1d /* Ctrl-] */

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static struct termios saved_termios;
static int termios_saved;

static void restore_terminal(void)
{
	if (termios_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
	termios_saved = 0;
}

static void raw_terminal(void)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_termios))
		return;
	termios_saved = 1;
	atexit(restore_terminal);
	raw = saved_termios;
	cfmakeraw(&raw);
	tcsetattr(STDIN_FILENO, TCSANOW, &raw);
}

static bool write_all(int fd, const char *buf, ssize_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

/* Waits until the tty node is written (xenconsoled may not have served the
 * domain yet); NULL if the domain goes away first. */
static char *wait_for_tty(struct xs_handle *xsh, uint32_t domid, const char *path)
{
	libxl_dominfo info;

	if (!xs_watch(xsh, path, "tty") || !xs_watch(xsh, "@releaseDomain", "release"))
		return NULL;
	for (;;) {
		unsigned int len, num;
		char *tty = xs_read(xsh, XBT_NULL, path, &len);
		char **ev;

		if (tty && *tty)
			return tty;
		free(tty);
		if (libxl_domain_info(xl.ctx, &info, domid) || info.dying)
			return NULL;
		ev = xs_read_watch(xsh, &num);
		if (!ev)
			return NULL;
		free(ev);
	}
}

int console_attach(uint32_t domid, const char *type, int num)
{
	struct xs_handle *xsh = xs_open(0);
	char *path = NULL, *tty = NULL;
	int fd = -1, rc = EXIT_FAILURE, stdin_open = 1;
	char buf[4096];

	if (!xsh) {
		fprintf(stderr, "xl: cannot connect to xenstore: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	if (!strcmp(type, "serial"))
		path = xasprintf("/local/domain/%u/serial/%d/tty", domid, num);
	else if (num == 0)
		path = xasprintf("/local/domain/%u/console/tty", domid);
	else
		path = xasprintf("/local/domain/%u/device/console/%d/tty", domid, num);
	if (!path)
		goto out;
	tty = wait_for_tty(xsh, domid, path);
	if (!tty) {
		fprintf(stderr, "xl: domain %u has no %s console %d (%s)\n", domid, type, num,
			path);
		goto out;
	}
	fd = open(tty, O_RDWR | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "xl: cannot open %s: %s\n", tty, strerror(errno));
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	raw_terminal();
	for (;;) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
					 { .fd = stdin_open ? STDIN_FILENO : -1,
					   .events = POLLIN } };
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0 && !(n < 0 && errno == EINTR)) {
				rc = EXIT_SUCCESS; /* the console went away */
				break;
			}
			if (n > 0 && !write_all(STDOUT_FILENO, buf, n))
				break;
		}
		if (pfd[1].revents) {
			char *esc;

			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0) {
				stdin_open = 0;
				continue;
			}
			esc = memchr(buf, ESCAPE_CHAR, n);
			if (esc) {
				write_all(fd, buf, esc - buf);
				rc = EXIT_SUCCESS;
				break;
			}
			if (!write_all(fd, buf, n))
				break;
		}
	}
	restore_terminal();
out:
	if (fd >= 0)
		close(fd);
	free(tty);
	free(path);
	xs_close(xsh);
	return rc;
}

int main_console(int argc, char **argv)
{
	static const struct option opts[] = { { "type", 1, 0, 't' },
					      { "num", 1, 0, 'n' },
					      COMMON_LONG_OPTS };
	const char *type = NULL;
	libxl_dominfo info;
	uint32_t domid;
	int opt, num = 0;

	SWITCH_FOREACH_OPT(opt, "n:t:", opts, "console", 1) {
	case 't':
		if (strcmp(optarg, "pv") && strcmp(optarg, "serial")) {
			fprintf(stderr, "console type supported are: pv, serial\n");
			return EXIT_FAILURE;
		}
		type = optarg;
		break;
	case 'n':
		num = atoi(optarg);
		break;
	}
	domid = find_domain(argv[optind]);
	if (libxl_domain_info(xl.ctx, &info, domid)) {
		fprintf(stderr, "Error: Domain '%s' does not exist.\n", argv[optind]);
		return EXIT_FAILURE;
	}
	if (!type)
		type = info.domain_type == LIBXL_DOMAIN_TYPE_HVM ? "serial" : "pv";
	return console_attach(domid, type, num);
}
