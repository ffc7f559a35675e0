/*
 * xenhv's log: each line goes to $XEN_LOG_DIR/xenhv.log, to stderr when in
 * the foreground, and to the hypervisor console ring ("(XEN) ..." as Xen
 * prints its own lines) so that `xl dmesg` shows it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "xenhv.h"

/* The one piece of process-wide state: where log lines go. */
static FILE *log_file;
static bool log_stderr = true;

int hv_log_open(const char *path, bool to_stderr)
{
	log_stderr = to_stderr;
	if (!path)
		return 0;
	log_file = fopen(path, "ae");
	if (!log_file)
		return -1;
	setvbuf(log_file, NULL, _IOLBF, 0);
	return 0;
}

void hv_log_close(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

static void hv_log_emit(const char *line)
{
	char stamp[32];
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	if (log_file)
		fprintf(log_file, "%s.%03ldZ %s", stamp, ts.tv_nsec / 1000000, line);
	if (log_stderr)
		fprintf(stderr, "xenhv: %s", line);
}

void hv_log_line(struct xenhv *hv, const char *line)
{
	(void)hv;
	hv_log_emit(line);
}

void hv_log(struct xenhv *hv, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	memcpy(line, "(XEN) ", 6);
	va_start(ap, fmt);
	n = vsnprintf(line + 6, sizeof(line) - 7, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += 6;
	if ((size_t)n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	line[n] = '\0';
	if (hv)
		hv_console_put(&hv->console, line, (size_t)n);
	hv_log_emit(line);
}
