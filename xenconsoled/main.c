/*
 * xenconsoled: serves every guest's PV console as a pty and logs consoles
 * (and the hypervisor's) to files, as Xen's daemon of the same name does.
 *
 * One thread, one poll(2) loop.  It sleeps without a timeout unless some
 * domain has output left after its quantum (then it polls with timeout 0,
 * after serving the others) or is rate-limited (then it sleeps until the
 * earliest such domain may go on): no events, no wake-ups.
 *
 * Readiness for xencommons: the pid file is written only once xenstore is
 * connected, the watches are set and the running domains are attached.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

#include "daemon.h"

#ifndef XEN_LOG_DIR_DEFAULT
#define XEN_LOG_DIR_DEFAULT "/var/log/xen"
#endif

/* Poll slots before the per-domain ones. */
enum { SLOT_SIGNAL, SLOT_XS, SLOT_DOMAINS, SLOT_HV, SLOT_FIXED };

void consoled_log(struct consoled *c, enum consoled_level level, const char *fmt, ...)
{
	static const int syslog_level[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	va_list ap;

	if (level >= CONSOLED_INFO && !c->opts.verbose)
		return;
	va_start(ap, fmt);
	if (c->opts.interactive) {
		fputs("xenconsoled: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(syslog_level[level], fmt, ap);
	}
	va_end(ap);
}

uint64_t consoled_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Written to a temporary name first: a reader never sees a partial pid. */
static int consoled_write_pid_file(const char *path)
{
	char tmp[PATH_MAX], pid[32];
	int fd, len, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (write(fd, pid, (size_t)len) != len)
		rc = -EIO;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

static int consoled_daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0)
		return -errno;
	fd = open("/dev/null", O_RDWR);
	if (fd < 0)
		return -errno;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
	return 0;
}

/* Each console holds about five fds: allow as many as the hard limit lets us, as Xen does. */
static void consoled_raise_fd_limit(void)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_NOFILE, &lim);
	}
}

static int consoled_setup_signals(struct consoled *c)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	c->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return c->signal_fd < 0 ? -errno : 0;
}

static void consoled_handle_signals(struct consoled *c)
{
	struct signalfd_siginfo si;

	while (read(c->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			consoled_reopen_logs(c);
		else
			c->quit = true;
	}
}

static void consoled_handle_xs(struct consoled *c)
{
	unsigned int num;
	char **watch;

	/* One event per readiness, as Xen's daemon does; poll brings us back. */
	watch = xs_read_watch(c->xs, &num);
	if (!watch) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		/* xenstored is gone: nothing would tell us about domains any more. */
		consoled_log(c, CONSOLED_ERR, "lost the connection to xenstore: %s",
			     strerror(errno));
		c->quit = true;
		c->failed = true;
		return;
	}
	if (num > XS_WATCH_TOKEN)
		consoled_watch_fired(c, watch[XS_WATCH_PATH], watch[XS_WATCH_TOKEN]);
	free(watch);
}

static void consoled_handle_hv(struct consoled *c)
{
	char data[4096];
	long n = 0;
	int i;

	/* Bounded: the hypervisor's ring is finite, a confused reader must not spin. */
	for (i = 0; i < 256; i++) {
		n = c->ops->hv_console_read(c->be, data, sizeof(data));
		if (n <= 0)
			break;
		console_log_write(&c->hv_log, data, (size_t)n, time(NULL));
	}
	if (n < 0 && !c->hv_error) {
		consoled_log(c, CONSOLED_ERR, "cannot read the hypervisor console: %s",
			     strerror((int)-n));
		c->hv_error = true;
	}
}

static int consoled_open_hv_log(struct consoled *c)
{
	char path[PATH_MAX];
	int rc;

	if (!(c->opts.log_mask & CONSOLED_LOG_HV))
		return 0;
	rc = console_log_hv_path(path, sizeof(path), c->opts.log_dir);
	if (rc < 0)
		return rc;
	rc = console_log_open(&c->hv_log, path, c->opts.timestamp_mask & CONSOLED_LOG_HV,
			      c->opts.replace_escape, time(NULL));
	if (rc < 0)
		consoled_log(c, CONSOLED_ERR, "Failed to open log %s: %s", path, strerror(-rc));
	return rc;
}

/* Serves domains round-robin, one quantum each, starting after last pass's first. */
static void consoled_service_all(struct consoled *c, uint64_t now)
{
	struct console_domain *start = c->next_first ? c->next_first : c->domains;
	struct console_domain *d = start;

	if (!d)
		return;
	do {
		if (d->throttled && now >= d->resume_ns) {
			d->throttled = false;
			d->need_service = true;
		}
		consoled_domain_service(c, d, now);
		d = d->next ? d->next : c->domains;
	} while (d != start);
	c->next_first = start->next;
}

static int consoled_poll_timeout(struct consoled *c, uint64_t now)
{
	uint64_t earliest = UINT64_MAX;
	struct console_domain *d;

	for (d = c->domains; d; d = d->next) {
		if (d->throttled) {
			if (d->resume_ns < earliest)
				earliest = d->resume_ns;
		} else if (d->need_service && consoled_domain_may_read(c, d)) {
			return 0;
		}
	}
	if (earliest == UINT64_MAX)
		return -1;
	if (earliest <= now)
		return 0;
	/* Round up so that we wake after, not just before, the refill. */
	return (int)((earliest - now + 999999) / 1000000);
}

static int consoled_loop(struct consoled *c)
{
	struct console_domain **owner = NULL;
	struct pollfd *fds = NULL;
	size_t cap = 0;
	int rc = 0;

	while (!c->quit) {
		struct console_domain *d;
		size_t n = SLOT_FIXED, i, count = 0;
		int timeout;

		for (d = c->domains; d; d = d->next)
			count++;
		if (SLOT_FIXED + 2 * count > cap) {
			size_t want = SLOT_FIXED + 2 * count + 16;
			struct pollfd *nf = realloc(fds, want * sizeof(*fds));
			struct console_domain **no;

			if (!nf) {
				rc = -ENOMEM;
				break;
			}
			fds = nf;
			no = realloc(owner, want * sizeof(*owner));
			if (!no) {
				rc = -ENOMEM;
				break;
			}
			owner = no;
			cap = want;
		}
		fds[SLOT_SIGNAL] = (struct pollfd){ c->signal_fd, POLLIN, 0 };
		fds[SLOT_XS] = (struct pollfd){ xs_fileno(c->xs), POLLIN, 0 };
		fds[SLOT_DOMAINS] = (struct pollfd){ c->ops->domains_fd(c->be), POLLIN, 0 };
		fds[SLOT_HV] =
			(struct pollfd){ c->hv_log.fd >= 0 ? c->ops->hv_console_fd(c->be) : -1,
					 POLLIN, 0 };
		for (d = c->domains; d; d = d->next) {
			/* The event channel: only while we would act on it. */
			fds[n] = (struct pollfd){ consoled_domain_may_read(c, d) ? d->port.fd : -1,
						  POLLIN, 0 };
			owner[n++] = d;
			fds[n] = (struct pollfd){ d->master_fd, 0, 0 };
			if (consoled_domain_wants_input(d))
				fds[n].events |= POLLIN;
			if (d->buffer.len)
				fds[n].events |= POLLOUT;
			if (!fds[n].events)
				fds[n].fd = -1;
			owner[n++] = d;
		}

		timeout = consoled_poll_timeout(c, consoled_now_ns());
		if (poll(fds, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			consoled_log(c, CONSOLED_ERR, "poll: %s", strerror(errno));
			break;
		}

		if (fds[SLOT_SIGNAL].revents)
			consoled_handle_signals(c);
		if (c->quit)
			break;
		/* Per-domain events first: a watch may free a domain below. */
		for (i = SLOT_FIXED; i < n; i += 2) {
			d = owner[i];
			if (fds[i].revents & (POLLIN | POLLERR | POLLHUP))
				consoled_domain_event(c, d);
			if (fds[i + 1].revents & POLLIN)
				consoled_domain_input(c, d);
			if (fds[i + 1].revents & POLLOUT)
				consoled_domain_flush(c, d);
		}
		if (fds[SLOT_HV].revents)
			consoled_handle_hv(c);
		consoled_service_all(c, consoled_now_ns());
		if (fds[SLOT_DOMAINS].revents) {
			c->ops->domains_ack(c->be);
			consoled_rescan(c);
		}
		if (fds[SLOT_XS].revents)
			consoled_handle_xs(c);
	}
	free(fds);
	free(owner);
	return rc;
}

static const struct console_backend_ops *consoled_pick_backend(void)
{
	const char *fake = getenv(CONSOLE_FAKE_BACKEND_ENV);

	if (fake && fake[0])
		return &console_backend_fake_ops;
	return console_backend_xen_ops;
}

int main(int argc, char **argv)
{
	struct consoled c = { .signal_fd = -1 };
	const char *log_base = getenv("XEN_LOG_DIR");
	int rc, exit_code = 1;

	console_log_init(&c.hv_log);
	if (!log_base || !log_base[0])
		log_base = XEN_LOG_DIR_DEFAULT;
	rc = consoled_options_parse(&c.opts, argc, argv, log_base, stdout, stderr);
	if (rc == CONSOLED_PARSE_EXIT)
		return 0;
	if (rc < 0)
		return EINVAL; /* Xen's exit status for a bad command line */

	if (!c.opts.interactive) {
		openlog("xenconsoled", LOG_PID, LOG_DAEMON);
		rc = consoled_daemonize();
		if (rc < 0) {
			consoled_log(&c, CONSOLED_ERR, "cannot daemonize: %s", strerror(-rc));
			goto out;
		}
	}
	consoled_raise_fd_limit();
	rc = consoled_setup_signals(&c);
	if (rc < 0) {
		consoled_log(&c, CONSOLED_ERR, "signals: %s", strerror(-rc));
		goto out;
	}

	c.xs = xs_open(0);
	if (!c.xs) {
		consoled_log(&c, CONSOLED_ERR, "Failed to contact xenstore (%s). Is it running?",
			     strerror(errno));
		goto out;
	}
	c.ops = consoled_pick_backend();
	if (!c.ops) {
		consoled_log(&c, CONSOLED_ERR,
			     "Failed to contact hypervisor (this build has no libxc backend)");
		goto out;
	}
	rc = c.ops->open(&c.be);
	if (rc < 0) {
		consoled_log(&c, CONSOLED_ERR, "Failed to contact hypervisor (%s)", strerror(-rc));
		goto out;
	}

	if (c.opts.log_mask) {
		rc = console_log_make_dir(c.opts.log_dir);
		if (rc < 0)
			consoled_log(&c, CONSOLED_ERR, "cannot create %s: %s", c.opts.log_dir,
				     strerror(-rc));
	}
	consoled_open_hv_log(&c);
	/* What the hypervisor printed before we started (its boot messages). */
	if (c.hv_log.fd >= 0)
		consoled_handle_hv(&c);

	if (!xs_watch(c.xs, "@introduceDomain", "domlist") ||
	    !xs_watch(c.xs, "@releaseDomain", "domlist")) {
		consoled_log(&c, CONSOLED_ERR, "cannot watch for domains: %s", strerror(errno));
		goto out;
	}
	consoled_rescan(&c);

	if (c.opts.pid_file[0]) {
		rc = consoled_write_pid_file(c.opts.pid_file);
		if (rc < 0) {
			consoled_log(&c, CONSOLED_ERR, "cannot write %s: %s", c.opts.pid_file,
				     strerror(-rc));
			goto out;
		}
	}

	rc = consoled_loop(&c);
	exit_code = rc < 0 || c.failed ? 1 : 0;
	if (c.opts.pid_file[0])
		unlink(c.opts.pid_file);
out:
	consoled_domains_free(&c);
	console_log_dispose(&c.hv_log);
	if (c.be)
		c.ops->close(c.be);
	if (c.xs)
		xs_close(c.xs);
	if (c.signal_fd >= 0)
		close(c.signal_fd);
	return exit_code;
}
