/*
 * main.c: xenstored's command line, files and signals.
 *
 * Options follow Xen 4.17's C xenstored.  The socket is $XENSTORED_PATH,
 * else $XENSTORED_RUNDIR/socket, else $XEN_RUN_DIR/xenstored/socket, else
 * /run/xenstored/socket (DESIGN.md section 6); the log is
 * $XEN_LOG_DIR/xenstored.log.  No hypervisor is needed: domains introduced
 * before the ring backend exists are recorded and announced only.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "transport.h"

#ifndef XEN_LOG_DIR_DEFAULT
#define XEN_LOG_DIR_DEFAULT "/var/log/xen"
#endif

/* Signal flags: the only state outside the daemon's context. */
static volatile int stop_requested, reopen_requested;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reopen_requested = 1;
	else
		stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage:\n"
"\n"
"  xenstored <options>\n"
"\n"
"where options may include:\n"
"\n"
"  -D, --no-domain-init    to state that xenstored should not initialise dom0,\n"
"  -F, --pid-file <file>   giving a file for the daemon's pid to be written,\n"
"  -H, --help              to output this message,\n"
"  -N, --no-fork           to request that the daemon does not fork,\n"
"  -P, --output-pid        to request that the pid of the daemon is output,\n"
"  -T, --trace-file <file> giving the file for logging, and\n"
"      --trace-control=+<switch> activate a specific <switch>\n"
"      --trace-control=-<switch> deactivate a specific <switch>\n"
"  -E, --entry-nb <nb>     limit the number of entries per domain,\n"
"  -S, --entry-size <size> limit the size of entry per domain, and\n"
"  -W, --watch-nb <nb>     limit the number of watches per domain,\n"
"  -t, --transaction <nb>  limit the number of transaction allowed per domain,\n"
"  -A, --perm-nb <nb>      limit the number of permissions per node,\n"
"  -M, --path-max <chars>  limit the allowed Xenstore node path length,\n"
"  -Q, --quota <what>=<nb> set the quota <what> to the value <nb>, allowed\n"
"                          quotas are: nodes, watches, transactions,\n"
"                          outstanding, transaction-nodes, memory, node-size,\n"
"                          path-length, node-permissions\n"
"  -q, --quota-soft <what>=<nb> set a soft quota <what> to the value <nb>\n"
"                          (memory)\n"
"  -w, --timeout <what>=<seconds>   accepted, not enforced yet\n"
"  -K, --keep-orphans      don't delete nodes owned by a domain when the\n"
"                          domain is deleted (the default here)\n"
"  -R, --no-recovery       accepted for compatibility\n"
"  -I, --internal-db [on|off] accepted: the store is always in memory\n"
"  -V, --verbose           to request verbose execution.\n");
}

static int set_quota(struct xsd_quota *q, const char *spec)
{
	char *copy = strdup(spec), *eq, *end;
	struct xsd_quota *found;
	unsigned long val;
	int rc = -EINVAL;

	if (!copy)
		return -ENOMEM;
	eq = strchr(copy, '=');
	if (eq) {
		*eq = '\0';
		found = xsd_quota_find(q, copy);
		val = strtoul(eq + 1, &end, 10);
		if (found && eq[1] && !*end && val <= 0x7fffffff) {
			found->val = val;
			rc = 0;
		}
	}
	free(copy);
	return rc;
}

static int set_quota_option(struct xsd *xsd, char opt, const char *arg)
{
	unsigned int i;
	char *end;
	unsigned long val = strtoul(arg, &end, 10);

	if (!*arg || *end || val > 0x7fffffff)
		return -EINVAL;
	for (i = 0; i < XSD_Q_NR; i++) {
		if (xsd->quota[i].option == opt) {
			xsd->quota[i].val = val;
			return 0;
		}
	}
	return -EINVAL;
}

static char *socket_path(void)
{
	const char *env = getenv("XENSTORED_PATH");
	char *path = NULL;

	if (env)
		return strdup(env);
	env = getenv("XENSTORED_RUNDIR");
	if (env && asprintf(&path, "%s/socket", env) >= 0)
		return path;
	env = getenv("XEN_RUN_DIR");
	if (env && asprintf(&path, "%s/xenstored/socket", env) >= 0)
		return path;
	return strdup("/run/xenstored/socket");
}

/* mkdir -p of the folder that will hold path. */
static void make_parent_dirs(const char *path)
{
	char *copy = strdup(path), *p;

	if (!copy)
		return;
	for (p = copy + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(copy, 0755);
		*p = '/';
	}
	free(copy);
}

static FILE *open_log(struct xsd *xsd)
{
	const char *dir = getenv("XEN_LOG_DIR");
	char *path;

	if (!dir)
		dir = XEN_LOG_DIR_DEFAULT;
	if (asprintf(&path, "%s/xenstored.log", dir) < 0)
		return NULL;
	make_parent_dirs(path);
	xsd->log_path = path;
	return fopen(path, "ae");
}

static int write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) ? -errno : 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "no-domain-init", no_argument, NULL, 'D' },
		{ "entry-nb", required_argument, NULL, 'E' },
		{ "pid-file", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'H' },
		{ "no-fork", no_argument, NULL, 'N' },
		{ "output-pid", no_argument, NULL, 'P' },
		{ "entry-size", required_argument, NULL, 'S' },
		{ "trace-file", required_argument, NULL, 'T' },
		{ "transaction", required_argument, NULL, 't' },
		{ "perm-nb", required_argument, NULL, 'A' },
		{ "path-max", required_argument, NULL, 'M' },
		{ "quota", required_argument, NULL, 'Q' },
		{ "quota-soft", required_argument, NULL, 'q' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "no-recovery", no_argument, NULL, 'R' },
		{ "internal-db", optional_argument, NULL, 'I' },
		{ "keep-orphans", no_argument, NULL, 'K' },
		{ "verbose", no_argument, NULL, 'V' },
		{ "watch-nb", required_argument, NULL, 'W' },
		{ "trace-control", required_argument, NULL, 1 },
		{ "live-update", required_argument, NULL, 2 },
		{ NULL, 0, NULL, 0 },
	};
	const char *pidfile = NULL, *tracefile = NULL;
	bool no_fork = false, output_pid = false;
	struct xsd_loop *loop = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	struct xsd xsd;
	char *sock = NULL, *state_dir = NULL;
	int opt, fd = -1, rc = 1, lu_fd = -1;
	pid_t pid;

	if (xsd_init(&xsd)) {
		fprintf(stderr, "xenstored: out of memory\n");
		return 1;
	}
	xsd.argc = argc;
	xsd.argv = argv;
	while ((opt = getopt_long(argc, argv, "DE:F:HNPS:t:A:M:Q:q:T:RI::KVW:w:U",
				  options, NULL)) != -1) {
		switch (opt) {
		case 'D':
		case 'R':
		case 'I':
		case 'K':
		case 'U':
		case 'w':
		case 1:
			break;
		case 2:
			/* Started by a live update: the old daemon's state. */
			lu_fd = atoi(optarg);
			break;
		case 'F':
			pidfile = optarg;
			break;
		case 'H':
			usage(stdout);
			rc = 0;
			goto out;
		case 'N':
			no_fork = true;
			break;
		case 'P':
			output_pid = true;
			break;
		case 'T':
			tracefile = optarg;
			break;
		case 'V':
			xsd.verbose = true;
			break;
		case 'E':
		case 'S':
		case 't':
		case 'A':
		case 'M':
		case 'W':
			if (set_quota_option(&xsd, opt, optarg)) {
				fprintf(stderr, "xenstored: bad value '%s' for -%c\n",
					optarg, opt);
				goto out;
			}
			break;
		case 'Q':
		case 'q':
			if (set_quota(opt == 'Q' ? xsd.quota : xsd.quota_soft,
				      optarg)) {
				fprintf(stderr, "xenstored: bad quota '%s'\n",
					optarg);
				goto out;
			}
			break;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind != argc) {
		usage(stderr);
		goto out;
	}

	xsd.log = open_log(&xsd);
	xsd.log_stderr = no_fork;
	if (tracefile) {
		xsd.trace_path = strdup(tracefile);
		xsd.trace = fopen(tracefile, "ae");
		if (!xsd.trace)
			fprintf(stderr, "xenstored: cannot open trace file %s: %m\n",
				tracefile);
	}
	sock = socket_path();
	if (!sock)
		goto out;
	make_parent_dirs(sock);
	state_dir = strdup(sock);
	if (!state_dir)
		goto out;
	/* The crash-survival files live next to the socket. */
	if (strrchr(state_dir, '/'))
		*strrchr(state_dir, '/') = '\0';
	else
		strcpy(state_dir, ".");
	if (lu_fd >= 0) {
		rc = xsd_live_update_restore(&xsd, &loop, lu_fd);
		if (rc) {
			fprintf(stderr, "xenstored: live update failed: %s\n",
				strerror(-rc));
			goto out;
		}
		fd = xsd_loop_listen_fd(loop);
		no_fork = true;
	}
	rc = xsd_persist_open(&xsd, *state_dir ? state_dir : "/", lu_fd < 0);
	if (rc) {
		xsd_log(&xsd, "crash survival off (%s): %s", state_dir,
			strerror(-rc));
	}
	rc = 1;
	if (fd < 0)
		fd = xsd_socket_listen(sock);
	if (fd < 0) {
		if (!xsd.log_stderr)
			fprintf(stderr, "xenstored: cannot listen on %s: %s\n",
				sock, strerror(-fd));
		xsd_log(&xsd, "cannot listen on %s: %s", sock, strerror(-fd));
		goto out;
	}
	if (!no_fork) {
		pid = fork();
		if (pid < 0)
			goto out;
		if (pid > 0) {
			/* The child owns the socket now. */
			if (output_pid)
				printf("%ld\n", (long)pid);
			fd = -1;
			free(sock);
			sock = NULL;
			rc = 0;
			goto out_parent;
		}
		setsid();
		if (!freopen("/dev/null", "r", stdin) ||
		    !freopen("/dev/null", "w", stdout))
			goto out;
	} else if (output_pid) {
		printf("%ld\n", (long)getpid());
		fflush(stdout);
	}
	if (pidfile && write_pidfile(pidfile)) {
		fprintf(stderr, "xenstored: cannot write %s: %m\n", pidfile);
		goto out;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	xsd.reopen_logs = &reopen_requested;
	signal(SIGPIPE, SIG_IGN);
	if (!loop)
		loop = xsd_loop_new(&xsd, fd);
	if (!loop)
		goto out;
	/* Guest rings through xenhv, when there is one. */
	xsd_ring_xen_attach(&xsd, loop);
	xsd_loop_resume(loop);
	xsd_log(&xsd, "xenstored started, pid %ld, socket %s", (long)getpid(),
		sock);
	rc = xsd_loop_run(loop, &stop_requested) ? 1 : 0;
	xsd_log(&xsd, "xenstored stopping");
out:
	xsd_ring_xen_detach(&xsd);
	xsd_loop_free(loop);
	if (fd >= 0) {
		close(fd);
		if (sock)
			unlink(sock);
	}
	if (pidfile && rc == 0)
		unlink(pidfile);
	/* A clean stop forgets the store, as Xen's daemon does. */
	xsd_persist_close(&xsd, rc == 0);
out_parent:
	free(state_dir);
	free(sock);
	if (xsd.trace)
		fclose(xsd.trace);
	free(xsd.trace_path);
	if (xsd.log)
		fclose(xsd.log);
	xsd.trace = NULL;
	xsd.log = NULL;
	xsd_dispose(&xsd);
	return rc;
}
