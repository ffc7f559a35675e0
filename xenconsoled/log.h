/*
 * Console log files, as Xen's xenconsoled writes them:
 *   <log-dir>/guest-<name>.log   one per domain (--log=guest|all)
 *   <log-dir>/hypervisor.log     the hypervisor console (--log=hv|all)
 * opened O_APPEND, 0644.  With timestamps on (--timestamp), each line starts
 * with "[YYYY-MM-DD HH:MM:SS] " in local time, carriage returns right after
 * a newline are dropped, and every open writes a "Logfile Opened" line.
 * SIGHUP closes and reopens every log (for logrotate).
 */
#ifndef KXEN_XENCONSOLED_LOG_H
#define KXEN_XENCONSOLED_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct console_log {
	int fd; /* -1 when closed */
	char *path;
	bool timestamp;
	bool replace_escape; /* ESC (0x1b) written as '.' */
	bool at_line_start; /* the next byte starts a line */
};

#define CONSOLE_LOG_OPENED "Logfile Opened\n"

void console_log_init(struct console_log *log);

/* Opens (creating) path for appending; writes the "Logfile Opened" line in timestamp mode. */
int console_log_open(struct console_log *log, const char *path, bool timestamp, bool replace_escape,
		     time_t now);

/* Closes and opens the same path again (rotation). */
int console_log_reopen(struct console_log *log, time_t now);

void console_log_close(struct console_log *log);

/* Closes and frees the path: the log is as after console_log_init. */
void console_log_dispose(struct console_log *log);

/* Writes guest bytes, adding timestamps per line in timestamp mode. */
int console_log_write(struct console_log *log, const char *data, size_t len, time_t now);

/*
 * Formats <dir>/guest-<name>.log into path.  Returns -EINVAL for a name a
 * file cannot carry safely (empty, containing '/', or "." / ".."), or
 * -ENAMETOOLONG.
 */
int console_log_guest_path(char *path, size_t size, const char *dir, const char *name);

/* Formats <dir>/hypervisor.log into path. */
int console_log_hv_path(char *path, size_t size, const char *dir);

/* Creates dir and its parents (0755); existing folders are fine. */
int console_log_make_dir(const char *dir);

#endif
