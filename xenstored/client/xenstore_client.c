/*
 * xenstore_client.c: the xenstore multi-call tool.  Run as "xenstore MODE"
 * or through a link named xenstore-MODE (read, write, ls, rm, list, exists,
 * chmod, watch).  Options, output, transactions and exit codes follow Xen
 * 4.17's xenstore_client.c, so scripts written for Xen behave the same:
 * read with several keys, write with several pairs, and rm, exists, list,
 * chmod run in a transaction that is retried on EAGAIN; output is printed
 * only once the transaction committed.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <xenstore.h>

enum mode {
	MODE_unknown,
	MODE_chmod,
	MODE_exists,
	MODE_list,
	MODE_ls,
	MODE_read,
	MODE_rm,
	MODE_write,
	MODE_watch,
};

struct options {
	enum mode mode;
	bool prefix, tidy, upto, recurse, raw, socket;
	int nr_watches;
};

/* Output is buffered so that a retried transaction prints once. */
static char *output_buf;
static size_t output_pos, output_size;
static struct expanding_buffer ebuf;

static void output_raw(const char *data, size_t len)
{
	char *grown;

	if (output_pos + len + 1 > output_size) {
		output_size = output_pos + len + 1024;
		grown = realloc(output_buf, output_size);
		if (!grown)
			err(1, "malloc");
		output_buf = grown;
	}
	memcpy(output_buf + output_pos, data, len);
	output_pos += len;
}

static void output(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void output(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len < 0)
		err(1, "output");
	output_raw(s, len);
	free(s);
}

static void __attribute__((noreturn))
usage(enum mode mode, int incl_mode, const char *progname)
{
	const char *mstr = NULL;

	switch (mode) {
	case MODE_unknown:
		errx(1, "Usage: %s <mode> [-h] [...]", progname);
	case MODE_read:
		mstr = incl_mode ? "read " : "";
		errx(1, "Usage: %s %s[-h] [-p] [-s] [-R] key [...]", progname,
		     mstr);
	case MODE_write:
		mstr = incl_mode ? "write " : "";
		errx(1, "Usage: %s %s[-h] [-s] [-R] key value [...]", progname,
		     mstr);
	case MODE_rm:
		mstr = incl_mode ? "rm " : "";
		errx(1, "Usage: %s %s[-h] [-s] [-t] key [...]", progname, mstr);
	case MODE_exists:
		mstr = incl_mode ? "exists " : "";
		/* fallthrough */
	case MODE_list:
		if (!mstr)
			mstr = incl_mode ? "list " : "";
		errx(1, "Usage: %s %s[-h] [-p] [-s] key [...]", progname, mstr);
	case MODE_ls:
		mstr = incl_mode ? "ls " : "";
		errx(1, "Usage: %s %s[-h] [-f] [-p] [-s] [path]", progname, mstr);
	case MODE_chmod:
		mstr = incl_mode ? "chmod " : "";
		errx(1, "Usage: %s %s[-h] [-u] [-r] [-s] key <mode [modes...]>",
		     progname, mstr);
	case MODE_watch:
		mstr = incl_mode ? "watch " : "";
		errx(1, "Usage: %s %s[-h] [-n NR] key", progname, mstr);
	}
	exit(1);
}

static int max_width = 80;
static int desired_width = 60;
static int show_whole_path;

#define TAG " = \"...\""
#define TAG_LEN ((int)strlen(TAG))
#define STRING_MAX (XENSTORE_ABS_PATH_MAX + 1024)

static void do_ls(struct xs_handle *h, const char *path, int cur_depth,
		  int show_perms)
{
	char **e, *newpath, *val, buf[MAX_STRLEN(unsigned int) + 1];
	unsigned int num, len, nperms, i, j;
	struct xs_permissions *perms;
	int newpath_len, linewid;

	e = xs_directory(h, XBT_NULL, path, &num);
	if (!e) {
		/* A node that disappears while recursing is skipped. */
		if (cur_depth && (errno == ENOENT || errno == EACCES))
			return;
		err(1, "xs_directory (%s)", path);
	}
	newpath = malloc(STRING_MAX);
	if (!newpath)
		err(1, "malloc in do_ls");
	for (i = 0; i < num; i++) {
		newpath_len = snprintf(newpath, STRING_MAX, "%s%s%s", path,
				       path[strlen(path) - 1] == '/' ? "" : "/",
				       e[i]);
		linewid = 0;
		if (show_whole_path) {
			fputs(newpath, stdout);
		} else {
			for (; linewid < cur_depth; linewid++)
				putchar(' ');
			linewid += printf("%.*s", (int)(max_width - TAG_LEN - linewid),
					  e[i]);
		}
		val = NULL;
		len = 0;
		if (newpath_len < STRING_MAX)
			val = xs_read(h, XBT_NULL, newpath, &len);
		if (!val) {
			printf(":\n");
		} else {
			if (max_width < (int)(linewid + len + TAG_LEN)) {
				printf(" = \"%.*s\\...\"",
				       (int)(max_width - TAG_LEN - linewid),
				       sanitise_value(&ebuf, val, len));
			} else {
				linewid += printf(" = \"%s\"",
						  sanitise_value(&ebuf, val, len));
				if (show_perms) {
					putchar(' ');
					for (linewid++;
					     linewid < (desired_width < max_width ?
							desired_width : max_width);
					     linewid++)
						putchar((linewid & 1) ? '.' : ' ');
				}
			}
		}
		free(val);
		if (show_perms) {
			perms = xs_get_permissions(h, XBT_NULL, newpath, &nperms);
			if (!perms) {
				warn("\ncould not access permissions for %s", e[i]);
			} else {
				fputs("  (", stdout);
				for (j = 0; j < nperms; j++) {
					if (j)
						putchar(',');
					xs_perm_to_string(perms + j, buf, sizeof(buf));
					fputs(buf, stdout);
				}
				putchar(')');
				free(perms);
			}
		}
		putchar('\n');
		do_ls(h, newpath, cur_depth + 1, show_perms);
	}
	free(e);
	free(newpath);
}

static void do_chmod(char *path, struct xs_permissions *perms, int nperms,
		     int upto, int recurse, struct xs_handle *xsh,
		     xs_transaction_t xth)
{
	char *sep, **children, *child;
	unsigned int n, i;

	if (!path[0])
		return;
	if (!xs_set_permissions(xsh, xth, path, perms, nperms))
		err(1, "Error occurred setting permissions on '%s'", path);
	if (upto) {
		/* The same permissions on every ancestor. */
		sep = strrchr(path, '/');
		if (!sep)
			errx(1, "Unable to locate path separator '/' in '%s'",
			     path);
		*sep = '\0';
		do_chmod(path, perms, nperms, 1, 0, xsh, xth);
		*sep = '/';
	}
	if (recurse) {
		children = xs_directory(xsh, xth, path, &n);
		for (i = 0; children && i < n; i++) {
			if (asprintf(&child, "%s/%s", path, children[i]) < 0)
				err(1, "malloc");
			do_chmod(child, perms, nperms, 0, 1, xsh, xth);
			free(child);
		}
		free(children);
	}
}

static void do_watch(struct xs_handle *xsh, int max_events)
{
	unsigned int num;
	char **vec;
	int count;

	for (count = 0; max_events == -1 || count < max_events; count++) {
		vec = xs_read_watch(xsh, &num);
		if (!vec) {
			if (errno == EINVAL || errno == ECONNRESET)
				exit(1);
			continue;
		}
		printf("%s\n", vec[XS_WATCH_PATH]);
		fflush(stdout);
		free(vec);
	}
}

static int do_rm(const char *path, struct xs_handle *xsh,
		 xs_transaction_t xth)
{
	if (xs_rm(xsh, xth, path))
		return 0;
	warnx("could not remove path %s", path);
	return 1;
}

static int perform(const struct options *o, int optind, int argc, char **argv,
		   struct xs_handle *xsh, xs_transaction_t xth)
{
	char *ls_default[] = { (char *)"/", NULL };

	if (o->mode == MODE_ls && optind == argc) {
		argv = ls_default;
		optind = 0;
		argc = 1;
	}
	while (optind < argc) {
		switch (o->mode) {
		case MODE_unknown:
			errx(1, "invalid mode %d", o->mode);
		case MODE_read: {
			unsigned int len;
			char *val = xs_read(xsh, xth, argv[optind], &len);

			if (!val) {
				warnx("couldn't read path %s", argv[optind]);
				return 1;
			}
			if (o->prefix)
				output("%s: ", argv[optind]);
			if (o->raw)
				output_raw(val, len);
			else
				output("%s\n", sanitise_value(&ebuf, val, len));
			free(val);
			optind++;
			break;
		}
		case MODE_write: {
			const char *spec = argv[optind + 1];
			unsigned int len;
			const char *val;

			if (o->raw) {
				val = spec;
				len = strlen(spec);
			} else {
				if (!expanding_buffer_ensure(&ebuf, strlen(spec) + 1))
					err(1, "malloc");
				unsanitise_value(ebuf.buf, &len, spec);
				val = ebuf.buf;
			}
			if (!xs_write(xsh, xth, argv[optind], val, len)) {
				warnx("could not write path %s", argv[optind]);
				return 1;
			}
			optind += 2;
			break;
		}
		case MODE_rm: {
			/* With -t, also remove ancestors left empty
			 * (no value, no children), up to the root. */
			char *p, *slash, *val, **list;
			unsigned int len, num;

			if (!o->tidy) {
				if (do_rm(argv[optind], xsh, xth))
					return 1;
				optind++;
				break;
			}
			p = strdup(argv[optind]);
			if (!p)
				err(1, "malloc");
			for (;;) {
				if (do_rm(p, xsh, xth)) {
					free(p);
					return 1;
				}
				slash = strrchr(p, '/');
				if (!slash)
					break;
				*slash = '\0';
				val = xs_read(xsh, xth, p, &len);
				if (!val)
					break;
				free(val);
				if (len)
					break;
				list = xs_directory(xsh, xth, p, &num);
				if (!list)
					break;
				free(list);
				if (num)
					break;
			}
			free(p);
			optind++;
			break;
		}
		case MODE_exists: {
			char *val = xs_read(xsh, xth, argv[optind], NULL);

			if (!val)
				return 1;
			free(val);
			optind++;
			break;
		}
		case MODE_list: {
			unsigned int i, num;
			char **list = xs_directory(xsh, xth, argv[optind], &num);

			if (!list) {
				warnx("could not list path %s", argv[optind]);
				return 1;
			}
			for (i = 0; i < num; i++) {
				if (o->prefix)
					output("%s/", argv[optind]);
				output("%s\n", list[i]);
			}
			free(list);
			optind++;
			break;
		}
		case MODE_ls:
			do_ls(xsh, argv[optind], 0, o->prefix);
			optind++;
			break;
		case MODE_chmod: {
			char *path = argv[optind++];
			int nperms = argc - optind, i;
			struct xs_permissions *perms;

			perms = calloc(nperms ? nperms : 1, sizeof(*perms));
			if (!perms)
				err(1, "malloc");
			for (i = 0; optind < argc; optind++, i++) {
				perms[i].id = atoi(argv[optind] + 1);
				switch (argv[optind][0]) {
				case 'n':
					perms[i].perms = XS_PERM_NONE;
					break;
				case 'r':
					perms[i].perms = XS_PERM_READ;
					break;
				case 'w':
					perms[i].perms = XS_PERM_WRITE;
					break;
				case 'b':
					perms[i].perms = XS_PERM_READ | XS_PERM_WRITE;
					break;
				default:
					errx(1, "Invalid permission specification: '%c'",
					     argv[optind][0]);
				}
			}
			do_chmod(path, perms, nperms, o->upto, o->recurse, xsh,
				 xth);
			free(perms);
			break;
		}
		case MODE_watch:
			for (; optind < argc; optind++) {
				if (!xs_watch(xsh, argv[optind], argv[optind]))
					errx(1, "Unable to add watch on %s\n",
					     argv[optind]);
			}
			do_watch(xsh, o->nr_watches);
			break;
		}
	}
	return 0;
}

static enum mode lookup_mode(const char *m)
{
	static const struct {
		const char *name;
		enum mode mode;
	} modes[] = {
		{ "read", MODE_read },   { "chmod", MODE_chmod },
		{ "exists", MODE_exists }, { "list", MODE_list },
		{ "ls", MODE_ls },       { "rm", MODE_rm },
		{ "write", MODE_write }, { "watch", MODE_watch },
	};
	size_t i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (!strcmp(m, modes[i].name))
			return modes[i].mode;
	}
	errx(1, "unknown mode %s\n", m);
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "help", 0, 0, 'h' },    { "flat", 0, 0, 'f' },
		{ "socket", 0, 0, 's' },  { "prefix", 0, 0, 'p' },
		{ "tidy", 0, 0, 't' },    { "upto", 0, 0, 'u' },
		{ "recurse", 0, 0, 'r' }, { "number", 1, 0, 'n' },
		{ "raw", 0, 0, 'R' },     { 0, 0, 0, 0 },
	};
	struct options o = { .nr_watches = -1 };
	const char *slash = strrchr(argv[0], '/');
	const char *command = slash ? slash + 1 : argv[0];
	xs_transaction_t xth = XBT_NULL;
	struct xs_handle *xsh;
	int switch_argv, c, transaction, ret;
	struct winsize ws;

	if (!strncmp(command, "xenstore-", strlen("xenstore-"))) {
		switch_argv = 0;
		command += strlen("xenstore-");
	} else if (argc < 2) {
		usage(MODE_unknown, 0, argv[0]);
	} else {
		command = argv[1];
		switch_argv = 1;
	}
	o.mode = lookup_mode(command);

	while ((c = getopt_long(argc - switch_argv, argv + switch_argv,
				"hfspturn:R", long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(o.mode, switch_argv, argv[0]);
		case 'f':
			if (o.mode != MODE_ls)
				usage(o.mode, switch_argv, argv[0]);
			max_width = INT_MAX / 2;
			desired_width = 0;
			show_whole_path = 1;
			break;
		case 's':
			o.socket = true;
			break;
		case 'p':
			if (o.mode != MODE_read && o.mode != MODE_list &&
			    o.mode != MODE_ls)
				usage(o.mode, switch_argv, argv[0]);
			o.prefix = true;
			break;
		case 't':
			if (o.mode != MODE_rm)
				usage(o.mode, switch_argv, argv[0]);
			o.tidy = true;
			break;
		case 'u':
			if (o.mode != MODE_chmod)
				usage(o.mode, switch_argv, argv[0]);
			o.upto = true;
			break;
		case 'r':
			if (o.mode != MODE_chmod)
				usage(o.mode, switch_argv, argv[0]);
			o.recurse = true;
			break;
		case 'n':
			if (o.mode != MODE_watch)
				usage(o.mode, switch_argv, argv[0]);
			o.nr_watches = atoi(optarg);
			break;
		case 'R':
			if (o.mode != MODE_read && o.mode != MODE_write)
				usage(o.mode, switch_argv, argv[0]);
			o.raw = true;
			break;
		default:
			/* As Xen's tool: getopt warned, carry on. */
			break;
		}
	}
	argc -= switch_argv;
	argv += switch_argv;
	if (o.mode == MODE_write && (argc - optind) % 2 == 1)
		usage(o.mode, switch_argv, argv[-switch_argv]);
	if (o.mode != MODE_ls && optind == argc)
		usage(o.mode, switch_argv, argv[-switch_argv]);

	switch (o.mode) {
	case MODE_read:
		transaction = argc - optind > 1;
		break;
	case MODE_write:
		transaction = argc - optind > 2;
		break;
	case MODE_ls:
	case MODE_watch:
		transaction = 0;
		break;
	default:
		transaction = 1;
		break;
	}
	if (o.mode == MODE_ls) {
		memset(&ws, 0, sizeof(ws));
		if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws))
			max_width = ws.ws_col - 2;
	}
	xsh = xs_open(o.socket ? XS_OPEN_SOCKETONLY : 0);
	if (!xsh)
		err(1, "xs_open");
again:
	if (transaction) {
		xth = xs_transaction_start(xsh);
		if (xth == XBT_NULL)
			errx(1, "couldn't start transaction");
	}
	ret = perform(&o, optind, argc, argv, xsh, xth);
	if (transaction && !xs_transaction_end(xsh, xth, ret)) {
		if (ret == 0 && errno == EAGAIN) {
			output_pos = 0;
			goto again;
		}
		errx(1, "couldn't end transaction");
	}
	if (output_pos)
		fwrite(output_buf, 1, output_pos, stdout);
	free(output_buf);
	free(ebuf.buf);
	xs_close(xsh);
	return ret;
}
