/*
 * libxl/dm.c: running QEMU as the device model of an HVM domain (see dm.h).
 *
 * Design:
 * - spawn checks everything it can first (libxl__dm_validate, the QMP socket)
 *   so that errors are clear and nothing is left behind, then forks QEMU with
 *   the RAM memfd inherited and its output in the domain's log, and returns
 *   once QMP answers; any failure after the fork kills and reaps QEMU.
 * - A guest reset ends QEMU (-no-reboot) as on Xen, where a reboot is a
 *   domain shutdown with reason reboot that the toolstack acts on.  QMP's
 *   SHUTDOWN reason plus QEMU's exit give the domain's reason, reported once
 *   through ops->shutdown.
 * - The process is watched through a pidfd polled with the QMP socket, so
 *   waiting costs nothing and an exit is seen at once.
 * - QEMU listens on two QMP sockets: the spawner keeps the watch socket for
 *   events all along, while the command socket stays free for short
 *   connections from other toolstack processes (libxl__dm_attach), as Xen
 *   gives QEMU one socket for libxl and one for libxenstat.  Events go to
 *   every QMP connection, so an attached process sees SHUTDOWN too.
 * - QEMU outlives the spawner (own session, nothing kills it on dispose):
 *   xl create returns while the guest runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dm.h"

#define DM_QMP_TIMEOUT_MS 2000

static void dm_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void dm_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void dm_on_event(void *opaque, const char *event, yajl_val data)
{
	struct libxl__dm *dm = opaque;
	const char *reason;

	if (dm->ops && dm->ops->event)
		dm->ops->event(dm->opaque, dm->domid, event);
	if (strcmp(event, "SHUTDOWN"))
		return;
	reason = libxl__qmp_get_string(data, "reason");
	free(dm->qmp_reason);
	dm->qmp_reason = strdup(reason ? reason : "unknown");
}

static const struct libxl__qmp_ops dm_qmp_ops = {
	.event = dm_on_event,
};

void libxl__dm_init(struct libxl__dm *dm)
{
	memset(dm, 0, sizeof(*dm));
	dm->pid = -1;
	dm->ram_fd = -1;
	libxl__qmp_init(&dm->qmp, &dm_qmp_ops, dm);
}

static bool dm_child_alive(void *opaque)
{
	struct libxl__dm *dm = opaque;
	siginfo_t si = { 0 };

	/* WNOWAIT: leave the zombie for dm_wait or spawn's error path. */
	if (dm->pid <= 0 || waitid(P_PID, (id_t)dm->pid, &si, WEXITED | WNOHANG | WNOWAIT))
		return false;
	return si.si_pid == 0;
}

/* The last line QEMU wrote to its log, for error messages. */
static void dm_log_tail(const char *path, char *buf, size_t len)
{
	char chunk[512];
	ssize_t n;
	char *end, *start;
	int fd;

	buf[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (lseek(fd, 0, SEEK_END) > (off_t)sizeof(chunk) - 1)
		lseek(fd, -(off_t)(sizeof(chunk) - 1), SEEK_END);
	else
		lseek(fd, 0, SEEK_SET);
	n = read(fd, chunk, sizeof(chunk) - 1);
	close(fd);
	if (n <= 0)
		return;
	chunk[n] = '\0';
	end = chunk + n;
	while (end > chunk && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	start = strrchr(chunk, '\n');
	start = start ? start + 1 : chunk;
	n = (ssize_t)strlen(start);
	if ((size_t)n >= len)
		n = (ssize_t)len - 1; /* truncation is fine for a message */
	memcpy(buf, start, (size_t)n);
	buf[n] = '\0';
}

/* The build's defaults for the folders of DESIGN.md section 6. */
#ifndef XEN_RUN_DIR_DEFAULT
#define XEN_RUN_DIR_DEFAULT "/run/xen"
#endif
#ifndef XEN_LOG_DIR_DEFAULT
#define XEN_LOG_DIR_DEFAULT "/var/log/xen"
#endif

/* $XEN_RUN_DIR/leaf, malloc'ed. */
static char *dm_run_path(const char *leaf)
{
	const char *dir = getenv("XEN_RUN_DIR");
	char *p;

	if (!dir || !*dir)
		dir = XEN_RUN_DIR_DEFAULT;
	if (asprintf(&p, "%s/%s", dir, leaf) < 0)
		return NULL;
	return p;
}

/* An existing socket: busy if someone answers, removed if stale. */
static int dm_claim_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc = 0;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		dm_err(err, errlen, "QMP socket path '%s' is too long", path);
		return -ENAMETOOLONG;
	}
	if (lstat(path, &st))
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		dm_err(err, errlen, "QMP socket path '%s' exists and is not a socket", path);
		return -EEXIST;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		dm_err(err, errlen,
		       "QMP socket '%s' is in use: a device model already runs for this domain",
		       path);
		rc = -EBUSY;
	} else if (unlink(path) && errno != ENOENT) {
		rc = -errno;
		dm_err(err, errlen, "cannot remove stale '%s': %s", path, strerror(errno));
	}
	close(fd);
	return rc;
}

static int dm_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

int libxl__dm_spawn(struct libxl__dm *dm, const struct libxl__dm_config *cfg,
		    const struct libxl__dm_ops *ops, void *opaque, int timeout_ms, char *err,
		    size_t errlen)
{
	struct libxl__dm_runtime rt = { 0 };
	struct libxl__dm_args args = { 0 };
	char *qemu = NULL, name[64], tail[256];
	int log_fd = -1, rc, flags;
	pid_t pid;

	if (dm->pid > 0) {
		dm_err(err, errlen, "device model already running");
		return -EBUSY;
	}
	dm->domid = cfg->domid;
	dm->ops = ops;
	dm->opaque = opaque;
	dm->reason = LIBXL__DM_SHUTDOWN_NONE;
	dm->quitting = false;

	rc = libxl__dm_validate(cfg, err, errlen);
	if (rc)
		goto out;
	qemu = libxl__dm_find_program(cfg->dm_override ? cfg->dm_override : LIBXL__DM_QEMU_DEFAULT);
	free(dm->qmp_path);
	free(dm->qmp_watch_path);
	free(dm->log_path);
	free(dm->qmp_reason);
	dm->qmp_reason = NULL;
	/* Xen's names: qmp-libxl-<domid> in the run dir, qemu-dm-<name>.log. */
	snprintf(name, sizeof(name), "qmp-libxl-%u", cfg->domid);
	dm->qmp_path = cfg->qmp_path ? strdup(cfg->qmp_path) : dm_run_path(name);
	snprintf(name, sizeof(name), "qmp-watch-%u", cfg->domid);
	dm->qmp_watch_path = cfg->qmp_watch_path ? strdup(cfg->qmp_watch_path) : dm_run_path(name);
	if (cfg->log_path) {
		dm->log_path = strdup(cfg->log_path);
	} else {
		const char *dir = getenv("XEN_LOG_DIR");

		if (!dir || !*dir)
			dir = XEN_LOG_DIR_DEFAULT;
		snprintf(name, sizeof(name), "%u", cfg->domid);
		if (asprintf(&dm->log_path, "%s/qemu-dm-%s.log", dir,
			     cfg->name ? cfg->name : name) < 0)
			dm->log_path = NULL;
	}
	if (!qemu || !dm->qmp_path || !dm->qmp_watch_path || !dm->log_path) {
		rc = -ENOMEM;
		dm_err(err, errlen, "out of memory");
		goto out;
	}
	if (!strcmp(dm->qmp_path, dm->qmp_watch_path)) {
		rc = -EINVAL;
		dm_err(err, errlen, "the two QMP sockets must differ");
		goto out;
	}
	rc = dm_claim_socket(dm->qmp_path, err, errlen);
	if (!rc)
		rc = dm_claim_socket(dm->qmp_watch_path, err, errlen);
	if (rc)
		goto out;

	if (cfg->ram_fd >= 0 && cfg->ram_fd <= 2) {
		/* QEMU's stdio takes those numbers in the child. */
		rc = -EINVAL;
		dm_err(err, errlen, "guest RAM fd %d clashes with QEMU's stdio", cfg->ram_fd);
		goto out;
	}
	if (cfg->ram_fd >= 0) {
		dm->ram_fd = cfg->ram_fd;
		dm->own_ram_fd = false;
	} else {
		/* Stand-alone use (tests): a sparse memfd of our own. */
		dm->ram_fd = memfd_create("kxen-hvm-ram", MFD_CLOEXEC);
		if (dm->ram_fd < 0 || ftruncate(dm->ram_fd, (off_t)(cfg->memory_mib << 20))) {
			rc = -errno;
			dm_err(err, errlen, "guest RAM: %s", strerror(errno));
			goto out;
		}
		dm->own_ram_fd = true;
	}

	rt.qemu = qemu;
	rt.qmp_path = dm->qmp_path;
	rt.qmp_watch_path = dm->qmp_watch_path;
	rt.ram_fd = dm->ram_fd;
	rt.accel = cfg->accel == LIBXL__DM_ACCEL_AUTO ? libxl__dm_accel_probe() : cfg->accel;
	rt.runas = libxl__dm_runas_user(cfg);
	rc = libxl__dm_build_args(cfg, &rt, &args, err, errlen);
	if (rc)
		goto out;

	log_fd = open(dm->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
	if (log_fd < 0) {
		rc = -errno;
		dm_err(err, errlen, "QEMU log '%s': %s", dm->log_path, strerror(errno));
		goto out;
	}

	pid = fork();
	if (pid < 0) {
		rc = -errno;
		dm_err(err, errlen, "fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		/* Own session: QEMU must not get the terminal's signals. */
		setsid();
		if (null >= 0)
			dup2(null, 0);
		dup2(log_fd, 1);
		dup2(log_fd, 2);
		flags = fcntl(dm->ram_fd, F_GETFD);
		if (flags >= 0)
			fcntl(dm->ram_fd, F_SETFD, flags & ~FD_CLOEXEC);
		execv(args.argv[0], args.argv);
		dprintf(2, "exec %s: %s\n", args.argv[0], strerror(errno));
		_exit(127);
	}
	dm->pid = pid;
	dm->child = true;

	rc = libxl__qmp_connect(&dm->qmp, dm->qmp_watch_path, timeout_ms, dm_child_alive, dm);
	if (rc) {
		dm_log_tail(dm->log_path, tail, sizeof(tail));
		dm_err(err, errlen, "device model did not start: %s%s%s",
		       dm->qmp.err[0] ? dm->qmp.err : strerror(-rc), tail[0] ? "; QEMU said: " : "",
		       tail);
		goto out;
	}
	if (cfg->serial_pty) {
		rc = libxl__qmp_query_chardev_pty(&dm->qmp, "serial0", &dm->serial_pty,
						  DM_QMP_TIMEOUT_MS);
		if (rc) {
			dm_err(err, errlen, "serial pty not found: %s", strerror(-rc));
			goto out;
		}
	}
	if (cfg->vnc && cfg->vncpasswd) {
		char *j = NULL, *a = NULL;
		size_t jl = 0;

		rc = libxl__qmp_json_string(&j, &jl, cfg->vncpasswd);
		if (!rc && asprintf(&a, "{\"password\":%s}", j) < 0) {
			a = NULL;
			rc = -ENOMEM;
		}
		if (!rc)
			rc = libxl__qmp_execute(&dm->qmp, "change-vnc-password", a, NULL,
						DM_QMP_TIMEOUT_MS);
		free(j);
		free(a);
		if (rc) {
			dm_err(err, errlen, "setting the VNC password: %s", dm->qmp.err);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc && dm->pid > 0) {
		kill(dm->pid, SIGKILL);
		waitpid(dm->pid, NULL, 0);
		dm->pid = -1;
		dm->child = false;
		unlink(dm->qmp_path);
		unlink(dm->qmp_watch_path);
	}
	if (rc) {
		libxl__qmp_close(&dm->qmp);
		if (dm->own_ram_fd && dm->ram_fd >= 0)
			close(dm->ram_fd);
		dm->ram_fd = -1;
		dm->own_ram_fd = false;
		free(dm->serial_pty);
		dm->serial_pty = NULL;
	}
	if (log_fd >= 0)
		close(log_fd);
	libxl__dm_args_dispose(&args);
	free(qemu);
	return rc;
}

/* QEMU is gone: status is its wait status, or -1 when not our child. */
static void dm_ended(struct libxl__dm *dm, int status)
{
	dm->pid = -1;
	dm->child = false;
	dm->reason = dm->quitting ? LIBXL__DM_SHUTDOWN_DESTROY
				  : libxl__dm_shutdown_reason_from(dm->qmp_reason, status);
	libxl__qmp_close(&dm->qmp);
	if (dm->qmp_path)
		unlink(dm->qmp_path);
	if (dm->qmp_watch_path)
		unlink(dm->qmp_watch_path);
	if (dm->ops && dm->ops->shutdown)
		dm->ops->shutdown(dm->opaque, dm->domid, dm->reason);
}

/* 1 (and *status) when QEMU has ended, 0 while it runs. */
static int dm_check_ended(struct libxl__dm *dm, int pidfd, int *status)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	if (dm->child) {
		pid_t r = waitpid(dm->pid, status, WNOHANG);

		/* ECHILD: the caller ignores SIGCHLD and it was reaped for us. */
		if (r < 0 && errno == ECHILD)
			*status = -1;
		return r == dm->pid || (r < 0 && errno == ECHILD);
	}
	/*
	 * Not our child: its pidfd turns readable at exit, even while it
	 * waits as a zombie for the spawner to reap it.
	 */
	*status = -1;
	if (pidfd >= 0)
		return poll(&pfd, 1, 0) == 1;
	return kill(dm->pid, 0) && errno == ESRCH;
}

static long long dm_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int libxl__dm_wait(struct libxl__dm *dm, int timeout_ms)
{
	long long deadline = timeout_ms < 0 ? -1 : dm_now_ms() + timeout_ms;
	struct pollfd pfd[2];
	int pidfd, status, rc = 0, n, left;
	bool qmp_polled, last = false;

	if (dm->pid <= 0)
		return -ESRCH;
	pidfd = dm_pidfd_open(dm->pid);
	for (;;) {
		if (dm_check_ended(dm, pidfd, &status)) {
			/* Events QEMU sent before it exited are still queued. */
			while (dm->qmp.fd >= 0 && libxl__qmp_handle_input(&dm->qmp, 0) == 0)
				;
			dm_ended(dm, status);
			break;
		}
		if (last) {
			rc = -ETIMEDOUT;
			break;
		}
		left = -1;
		if (deadline >= 0) {
			long long l = deadline - dm_now_ms();

			left = l <= 0 ? 0 : l > 1000000 ? 1000000 : (int)l;
			/* One more look at QMP and the process, then give up. */
			last = left == 0;
		}
		n = 0;
		qmp_polled = dm->qmp.fd >= 0 && !dm->qmp.eof;
		if (qmp_polled)
			pfd[n++] = (struct pollfd){ .fd = dm->qmp.fd, .events = POLLIN };
		if (pidfd >= 0)
			pfd[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		/* Without a pidfd, look at the process every 20 ms. */
		if (pidfd < 0 && (left < 0 || left > 20))
			left = 20;
		if (poll(pfd, (nfds_t)n, left) < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (qmp_polled && (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			libxl__qmp_handle_input(&dm->qmp, 0);
	}
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

int libxl__dm_attach(struct libxl__dm *dm, uint32_t domid, const char *qmp_path,
		     const struct libxl__dm_ops *ops, void *opaque, int timeout_ms, char *err,
		     size_t errlen)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	char name[32];
	int rc;

	if (dm->pid > 0) {
		dm_err(err, errlen, "device model handle already in use");
		return -EBUSY;
	}
	dm->domid = domid;
	dm->ops = ops;
	dm->opaque = opaque;
	dm->reason = LIBXL__DM_SHUTDOWN_NONE;
	dm->quitting = false;
	snprintf(name, sizeof(name), "qmp-libxl-%u", domid);
	free(dm->qmp_path);
	dm->qmp_path = qmp_path ? strdup(qmp_path) : dm_run_path(name);
	if (!dm->qmp_path) {
		dm_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* The socket exists as long as QEMU does: no retrying for it. */
	rc = libxl__qmp_connect(&dm->qmp, dm->qmp_path, timeout_ms, NULL, NULL);
	if (rc == -ETIMEDOUT && access(dm->qmp_path, F_OK))
		rc = -ENOENT;
	if (rc) {
		dm_err(err, errlen, "no device model for domain %u at '%s': %s", domid,
		       dm->qmp_path, rc == -ENOENT ? "no such socket" : dm->qmp.err);
		return rc;
	}
	if (getsockopt(dm->qmp.fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || cred.pid <= 0) {
		rc = -errno;
		dm_err(err, errlen, "cannot tell the device model's pid: %s", strerror(errno));
		libxl__qmp_close(&dm->qmp);
		return rc ? rc : -EIO;
	}
	dm->pid = cred.pid;
	dm->child = false;
	return 0;
}

static int dm_command(struct libxl__dm *dm, const char *cmd)
{
	if (dm->pid <= 0)
		return -ESRCH;
	return libxl__qmp_execute(&dm->qmp, cmd, NULL, NULL, DM_QMP_TIMEOUT_MS);
}

int libxl__dm_pause(struct libxl__dm *dm)
{
	return dm_command(dm, "stop");
}

int libxl__dm_unpause(struct libxl__dm *dm)
{
	return dm_command(dm, "cont");
}

int libxl__dm_powerdown(struct libxl__dm *dm)
{
	return dm_command(dm, "system_powerdown");
}

int libxl__dm_reset(struct libxl__dm *dm)
{
	return dm_command(dm, "system_reset");
}

int libxl__dm_quit(struct libxl__dm *dm, int timeout_ms)
{
	int rc;

	if (dm->pid <= 0)
		return -ESRCH;
	dm->quitting = true;
	/* quit's reply may be lost as QEMU exits at once: not an error. */
	dm_command(dm, "quit");
	rc = libxl__dm_wait(dm, timeout_ms);
	if (rc == -ETIMEDOUT) {
		kill(dm->pid, SIGKILL);
		rc = libxl__dm_wait(dm, -1);
	}
	return rc;
}

void libxl__dm_dispose(struct libxl__dm *dm)
{
	libxl__qmp_close(&dm->qmp);
	if (dm->own_ram_fd && dm->ram_fd >= 0)
		close(dm->ram_fd);
	dm->ram_fd = -1;
	dm->own_ram_fd = false;
	dm->pid = -1;
	dm->child = false;
	free(dm->qmp_path);
	free(dm->qmp_watch_path);
	free(dm->log_path);
	free(dm->serial_pty);
	free(dm->qmp_reason);
	dm->qmp_path = dm->qmp_watch_path = dm->log_path = NULL;
	dm->serial_pty = dm->qmp_reason = NULL;
}
