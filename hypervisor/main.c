/*
 * xenhv's entry point: options, start-up checks (/dev/kvm and the KVM
 * capabilities), the memory pool, domain 0, the privcmd socket, the pid
 * file and log, then the main loop: an epoll over the privcmd socket (and
 * later eventfds and timerfds) plus a signalfd.  vCPUs run on their own
 * threads; the main loop only serves domain 0.
 *
 * Stopping: SIGTERM/SIGINT stop xenhv when no guest domain exists and are
 * refused (with the domains named in the log) otherwise; SIGQUIT destroys
 * every guest domain and stops, the "told to destroy them" of the issue.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain.h"
#include "events.h"
#include "kvm.h"
#include "privcmd.h"

#ifndef XEN_RUN_DIR_DEFAULT
#define XEN_RUN_DIR_DEFAULT "/run/xen"
#endif
#ifndef XEN_LOG_DIR_DEFAULT
#define XEN_LOG_DIR_DEFAULT "/var/log/xen"
#endif

struct xenhv_main {
	struct xenhv hv;
	struct kvm_backend kvm;
	struct privcmd_server privcmd;
	int epoll_fd;
	struct hv_watch signals;
	char pid_path[PATH_MAX];
	bool quit;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: xenhv [-F] [--memory SIZE]\n"
		   "  -F, --foreground   stay in the foreground, log to stderr too\n"
		   "  -m, --memory SIZE  memory pool for guests: MiB, or with a K, M, G\n"
		   "                     or T suffix (default: available RAM less a\n"
		   "                     reserve for the host)\n"
		   "  -h, --help         this text\n"
		   "Environment: XEN_RUN_DIR (privcmd socket, pid file), XEN_LOG_DIR.\n");
}

static int parse_size(const char *s, uint64_t *bytes)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1ull << 20;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mul = 1ull << 10;
		end++;
		break;
	case 'm':
	case 'M':
		end++;
		break;
	case 'g':
	case 'G':
		mul = 1ull << 30;
		end++;
		break;
	case 't':
	case 'T':
		mul = 1ull << 40;
		end++;
		break;
	default:
		return -EINVAL;
	}
	if ((*end == 'i' || *end == 'I') && (end[1] == 'b' || end[1] == 'B'))
		end += 2;
	else if (*end == 'b' || *end == 'B')
		end++;
	if (*end || v > UINT64_MAX / mul)
		return -EINVAL;
	*bytes = v * mul;
	return 0;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t i, len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = path[i];
	}
	return 0;
}

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static bool xenhv_may_stop(struct xenhv_main *m, bool destroy)
{
	struct xenhv *hv = &m->hv;
	char names[512] = "";
	size_t used = 0;
	unsigned int i, n = 0;

	pthread_mutex_lock(&hv->lock);
	for (i = 1; i < XENHV_MAX_DOMAINS; i++) {
		struct domain *d = hv->domains[i];

		if (!d)
			continue;
		if (destroy) {
			hv_log(hv, "destroying domain %u before stopping", i);
			domain_destroy(d);
			continue;
		}
		n++;
		if (used < sizeof(names) - 16)
			used += (size_t)snprintf(names + used, sizeof(names) - used, " %u", i);
	}
	if (n)
		hv_log(hv,
		       "refusing to stop: guest domains exist:%s (destroy them, or send SIGQUIT to "
		       "destroy and stop)",
		       names);
	pthread_mutex_unlock(&hv->lock);
	return n == 0;
}

static void xenhv_signal_event(struct hv_watch *w, uint32_t events)
{
	struct xenhv_main *m =
		(struct xenhv_main *)((char *)w - offsetof(struct xenhv_main, signals));
	struct signalfd_siginfo si;

	(void)events;
	if (read(w->fd, &si, sizeof(si)) != sizeof(si))
		return;
	switch (si.ssi_signo) {
	case SIGTERM:
	case SIGINT:
		if (xenhv_may_stop(m, false))
			m->quit = true;
		break;
	case SIGQUIT:
		xenhv_may_stop(m, true);
		m->quit = true;
		break;
	default:
		break;
	}
}

static int xenhv_setup_signals(struct xenhv_main *m)
{
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	sigdelset(&set, SIGPIPE);
	m->signals.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (m->signals.fd < 0)
		return -1;
	m->signals.cb = xenhv_signal_event;
	ev.data.ptr = &m->signals;
	return epoll_ctl(m->epoll_fd, EPOLL_CTL_ADD, m->signals.fd, &ev);
}

/*
 * The pid file is also the instance lock: held (flock) for xenhv's life, so
 * a second xenhv on the same XEN_RUN_DIR stops before it touches the
 * socket of the running one.  Returns the locked fd or -errno (-EEXIST:
 * another xenhv holds it, its pid in *other).
 */
static int xenhv_lock_pid(const char *path, long *other)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		*other = strtol(buf, NULL, 10);
		close(fd);
		return -EEXIST;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	return fd;
}

/* Fork into the background; the parent exits once the child is ready. */
static int xenhv_daemonize(int *ready_fd)
{
	int pipefd[2];
	pid_t pid;
	char c;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) != 1)
			_exit(1);
		_exit(c == 'R' ? 0 : 1);
	}
	close(pipefd[0]);
	setsid();
	if (fork() > 0)
		_exit(0);
	*ready_fd = pipefd[1];
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "foreground", no_argument, NULL, 'F' },
		{ "memory", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct xenhv_main m; /* large (console ring, domain table) */
	char err[256] = "", sock_path[PATH_MAX], log_path[PATH_MAX];
	const char *run_dir, *log_dir;
	uint64_t mem_bytes = 0;
	bool foreground = false;
	int opt, rc, ready_fd = -1, pid_fd;
	long other_pid = 0;
	struct epoll_event evs[16];

	while ((opt = getopt_long(argc, argv, "Fm:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'F':
			foreground = true;
			break;
		case 'm':
			if (parse_size(optarg, &mem_bytes) || !mem_bytes) {
				fprintf(stderr, "xenhv: bad --memory size '%s'\n", optarg);
				return 1;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	run_dir = env_or("XEN_RUN_DIR", XEN_RUN_DIR_DEFAULT);
	log_dir = env_or("XEN_LOG_DIR", XEN_LOG_DIR_DEFAULT);
	if (snprintf(sock_path, sizeof(sock_path), "%s/privcmd", run_dir) >=
		    (int)sizeof(sock_path) ||
	    snprintf(m.pid_path, sizeof(m.pid_path), "%s/xenhv.pid", run_dir) >=
		    (int)sizeof(m.pid_path) ||
	    snprintf(log_path, sizeof(log_path), "%s/xenhv.log", log_dir) >=
		    (int)sizeof(log_path)) {
		fprintf(stderr, "xenhv: XEN_RUN_DIR or XEN_LOG_DIR too long\n");
		return 1;
	}

	rc = kvm_backend_open(&m.kvm, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "xenhv: %s\n", err);
		return 1;
	}
	if (!mem_bytes)
		mem_bytes = memory_pool_default_bytes();
	if (mkdir_p(run_dir) || mkdir_p(log_dir)) {
		fprintf(stderr, "xenhv: cannot create %s or %s: %s\n", run_dir, log_dir,
			strerror(errno));
		return 1;
	}
	if (!foreground && xenhv_daemonize(&ready_fd)) {
		fprintf(stderr, "xenhv: cannot daemonize: %s\n", strerror(errno));
		return 1;
	}
	if (hv_log_open(log_path, foreground) < 0) {
		fprintf(stderr, "xenhv: cannot open %s: %s\n", log_path, strerror(errno));
		return 1;
	}

	hv_init(&m.hv, &kvm_backend_ops, &m.kvm, mem_bytes >> XENHV_PAGE_SHIFT);
	m.hv.nr_cpus = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN);
	if (!m.hv.nr_cpus)
		m.hv.nr_cpus = 1;
	m.hv.cpu_khz = m.kvm.tsc_khz;
	m.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (m.epoll_fd < 0 || xenhv_setup_signals(&m) < 0) {
		hv_log(&m.hv, "cannot set up the main loop: %s", strerror(errno));
		return 1;
	}
	if (domain_create_control(&m.hv)) {
		hv_log(&m.hv, "cannot create domain 0");
		return 1;
	}
	pid_fd = xenhv_lock_pid(m.pid_path, &other_pid);
	if (pid_fd == -EEXIST) {
		hv_log(&m.hv, "another xenhv (pid %ld) serves %s: not starting", other_pid,
		       run_dir);
		return 1;
	}
	if (pid_fd < 0)
		hv_log(&m.hv, "cannot write %s: %s", m.pid_path, strerror(-pid_fd));
	rc = privcmd_server_open(&m.privcmd, &m.hv, sock_path, m.epoll_fd);
	if (rc) {
		hv_log(&m.hv, "cannot listen on %s: %s", sock_path, strerror(-rc));
		return 1;
	}
	hv_log(&m.hv, "xenhv started: kvm backend%s, %u CPUs, pool %llu MiB, privcmd %s",
	       m.kvm.split_irqchip ? " (split irqchip)" : "", m.hv.nr_cpus,
	       (unsigned long long)(mem_bytes >> 20), sock_path);
	if (ready_fd >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			hv_log(&m.hv, "cannot tell the parent we are ready");
		close(ready_fd);
		if (!freopen("/dev/null", "r", stdin) || !freopen("/dev/null", "w", stdout) ||
		    !freopen("/dev/null", "w", stderr))
			hv_log(&m.hv, "cannot redirect standard streams");
	}

	while (!m.quit) {
		int i, n = epoll_wait(m.epoll_fd, evs, 16, -1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hv_log(&m.hv, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			struct hv_watch *w = evs[i].data.ptr;

			w->cb(w, evs[i].events);
		}
	}

	hv_log(&m.hv, "xenhv stopping");
	privcmd_server_close(&m.privcmd);
	hv_dispose(&m.hv);
	if (pid_fd >= 0) {
		unlink(m.pid_path);
		close(pid_fd);
	}
	close(m.signals.fd);
	close(m.epoll_fd);
	kvm_backend_close(&m.kvm);
	hv_log_close();
	return 0;
}
