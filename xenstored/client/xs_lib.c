/*
 * xs_lib.c: libxenstore's helpers that do not talk to the daemon: where
 * the daemon lives, permission strings, and the quoting of binary values
 * the xenstore tools print (same escapes as Xen's, so output matches).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

const char *xs_daemon_rootdir(void)
{
	const char *s = getenv("XENSTORED_ROOTDIR");

	return s ? s : "/var/lib/xenstored";
}

const char *xs_daemon_rundir(void)
{
	static char buf[PATH_MAX];
	const char *s = getenv("XENSTORED_RUNDIR");

	if (s)
		return s;
	s = getenv("XEN_RUN_DIR");
	if (s) {
		snprintf(buf, sizeof(buf), "%s/xenstored", s);
		return buf;
	}
	return "/run/xenstored";
}

const char *xs_daemon_socket(void)
{
	static char buf[PATH_MAX];
	const char *s = getenv("XENSTORED_PATH");

	if (s)
		return s;
	snprintf(buf, sizeof(buf), "%s/socket", xs_daemon_rundir());
	return buf;
}

const char *xs_daemon_socket_ro(void)
{
	return xs_daemon_socket();
}

const char *xs_domain_dev(void)
{
	const char *s = getenv("XENSTORED_PATH");

	if (s)
		return s;
	if (access("/dev/xen/xenbus", F_OK) == 0)
		return "/dev/xen/xenbus";
	return "/proc/xen/xenbus";
}

const char *xs_daemon_tdb(void)
{
	static char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s/tdb", xs_daemon_rootdir());
	return buf;
}

bool xs_write_all(int fd, const void *data, unsigned int len)
{
	const char *p = data;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		p += n;
		len -= n;
	}
	return true;
}

bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num,
			 const char *strings)
{
	const char *p = strings;
	unsigned int i;
	char *end;

	errno = EINVAL;
	for (i = 0; i < num; i++, p += strlen(p) + 1) {
		switch (*p) {
		case 'r':
			perms[i].perms = XS_PERM_READ;
			break;
		case 'w':
			perms[i].perms = XS_PERM_WRITE;
			break;
		case 'b':
			perms[i].perms = XS_PERM_READ | XS_PERM_WRITE;
			break;
		case 'n':
			perms[i].perms = XS_PERM_NONE;
			break;
		default:
			return false;
		}
		perms[i].id = strtol(p + 1, &end, 0);
		if (*end || !p[1])
			return false;
	}
	return true;
}

bool xs_perm_to_string(const struct xs_permissions *perm, char *buffer,
		       size_t buf_len)
{
	char c;

	switch ((int)perm->perms & (XS_PERM_READ | XS_PERM_WRITE)) {
	case XS_PERM_READ | XS_PERM_WRITE:
		c = 'b';
		break;
	case XS_PERM_READ:
		c = 'r';
		break;
	case XS_PERM_WRITE:
		c = 'w';
		break;
	default:
		c = 'n';
		break;
	}
	if (snprintf(buffer, buf_len, "%c%u", c, perm->id) >= (int)buf_len) {
		errno = EINVAL;
		return false;
	}
	return true;
}

unsigned int xs_count_strings(const char *strings, unsigned int len)
{
	unsigned int num = 0;
	const char *p;

	for (p = strings; p < strings + len; p++) {
		if (*p == '\0')
			num++;
	}
	return num;
}

char *expanding_buffer_ensure(struct expanding_buffer *ebuf, int min_avail)
{
	int want;
	char *got;

	if (ebuf->avail >= min_avail)
		return ebuf->buf;
	if (min_avail >= INT_MAX / 3)
		return NULL;
	want = ebuf->avail + min_avail + 10;
	got = realloc(ebuf->buf, want);
	if (!got)
		return NULL;
	ebuf->buf = got;
	ebuf->avail = want;
	return ebuf->buf;
}

/*
 * Printable ASCII stays, except the backslash; \t \n \r \\ are escaped by
 * name, bytes below 010 as \ooo and others as \xhh (Xen's exact rules).
 */
char *sanitise_value(struct expanding_buffer *ebuf, const char *val,
		     unsigned len)
{
	const unsigned char *ip = (const unsigned char *)val;
	int used = 0, remain = len;
	unsigned char c;

	if (len >= INT_MAX / 5 || !expanding_buffer_ensure(ebuf, remain + 1))
		return NULL;
	while (remain-- > 0) {
		c = *ip++;
		if (c >= ' ' && c <= '~' && c != '\\') {
			ebuf->buf[used++] = c;
			continue;
		}
		if (!expanding_buffer_ensure(ebuf, used + remain + 6))
			return NULL;
		ebuf->buf[used++] = '\\';
		switch (c) {
		case '\t':
			ebuf->buf[used++] = 't';
			break;
		case '\n':
			ebuf->buf[used++] = 'n';
			break;
		case '\r':
			ebuf->buf[used++] = 'r';
			break;
		case '\\':
			ebuf->buf[used++] = '\\';
			break;
		default:
			if (c < 010)
				used += sprintf(ebuf->buf + used, "%03o", c);
			else
				used += sprintf(ebuf->buf + used, "x%02x", c);
		}
	}
	ebuf->buf[used] = '\0';
	return ebuf->buf;
}

void unsanitise_value(char *out, unsigned *out_len_r, const char *in)
{
	const char *ip = in;
	char *op = out;
	unsigned int c;
	int n;

	while ((c = (unsigned char)*ip++)) {
		if (c == '\\') {
			c = (unsigned char)*ip++;
			n = 0;
			switch (c) {
			case 't':
				c = '\t';
				break;
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case '\\':
				c = '\\';
				break;
			case 'x':
				if (sscanf(ip, "%2x%n", &c, &n) < 1)
					n = 0;
				ip += n;
				break;
			case '0' ... '7':
				--ip;
				if (sscanf(ip, "%3o%n", &c, &n) < 1)
					n = 0;
				ip += n;
				break;
			case 0:
				--ip;
				break;
			default:
				break;
			}
		}
		*op++ = c;
	}
	*op = '\0';
	if (out_len_r)
		*out_len_r = op - out;
}
