/*
 * Console log files (see log.h).  Output is assembled in a stack buffer and
 * written in large pieces, so that timestamping a 2 KiB burst of short lines
 * costs one write(2), not one per line.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_CHUNK 8192
#define LOG_STAMP_MAX 32

void console_log_init(struct console_log *log)
{
	memset(log, 0, sizeof(*log));
	log->fd = -1;
	log->at_line_start = true;
}

static int log_write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t r = write(fd, data, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += r;
		len -= (size_t)r;
	}
	return 0;
}

static size_t log_format_stamp(char *stamp, time_t now)
{
	struct tm tm;

	if (!localtime_r(&now, &tm))
		return 0;
	return strftime(stamp, LOG_STAMP_MAX, "[%Y-%m-%d %H:%M:%S] ", &tm);
}

int console_log_write(struct console_log *log, const char *data, size_t len, time_t now)
{
	char out[LOG_CHUNK + LOG_STAMP_MAX];
	char stamp[LOG_STAMP_MAX];
	size_t stamp_len = 0, used = 0, i;
	bool strip_cr = false;
	int rc;

	if (log->fd < 0)
		return 0;
	if (log->timestamp)
		stamp_len = log_format_stamp(stamp, now);

	for (i = 0; i < len; i++) {
		char c = data[i];

		if (log->timestamp) {
			/* Like Xen, drop the \r run that follows a newline in one write. */
			if (c == '\r' && strip_cr)
				continue;
			strip_cr = c == '\n';
			if (log->at_line_start) {
				memcpy(out + used, stamp, stamp_len);
				used += stamp_len;
				log->at_line_start = false;
			}
			if (c == '\n')
				log->at_line_start = true;
		}
		if (log->replace_escape && c == '\033')
			c = '.';
		out[used++] = c;
		if (used >= LOG_CHUNK) {
			rc = log_write_all(log->fd, out, used);
			if (rc < 0)
				return rc;
			used = 0;
		}
	}
	return used ? log_write_all(log->fd, out, used) : 0;
}

int console_log_open(struct console_log *log, const char *path, bool timestamp, bool replace_escape,
		     time_t now)
{
	char *copy = NULL;
	int rc;

	if (log->path != path) {
		copy = strdup(path);
		if (!copy)
			return -ENOMEM;
	}
	console_log_close(log);
	if (copy) {
		free(log->path);
		log->path = copy;
	}
	log->timestamp = timestamp;
	log->replace_escape = replace_escape;
	log->at_line_start = true;

	log->fd = open(log->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
	if (log->fd < 0)
		return -errno;
	if (timestamp) {
		rc = console_log_write(log, CONSOLE_LOG_OPENED, strlen(CONSOLE_LOG_OPENED), now);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int console_log_reopen(struct console_log *log, time_t now)
{
	if (!log->path)
		return 0;
	return console_log_open(log, log->path, log->timestamp, log->replace_escape, now);
}

void console_log_close(struct console_log *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}

void console_log_dispose(struct console_log *log)
{
	console_log_close(log);
	free(log->path);
	log->path = NULL;
}

int console_log_guest_path(char *path, size_t size, const char *dir, const char *name)
{
	int n;

	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	n = snprintf(path, size, "%s/guest-%s.log", dir, name);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int console_log_hv_path(char *path, size_t size, const char *dir)
{
	int n = snprintf(path, size, "%s/hypervisor.log", dir);

	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int console_log_make_dir(const char *dir)
{
	char path[PATH_MAX];
	size_t len = strlen(dir), i;

	if (len == 0 || len >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		path[i] = i < len ? '/' : '\0';
	}
	return 0;
}
