/*
 * xl/monitor.c: the per-domain monitor xl leaves behind after create, as
 * Xen's xl does: it waits for the domain to shut down and carries out the
 * config's on_poweroff / on_reboot / on_crash / on_watchdog / on_soft_reset
 * action.  In the background it logs to $XEN_LOG_DIR/xl-<name>.log.
 *
 * Actions (Xen's): destroy; restart (destroy, then create again from the
 * stored config); rename-restart (keep the dead domain under a new name and
 * create a fresh one); preserve (leave it as it is, for debugging).
 * coredump-destroy and coredump-restart need core dumps, which kxen does
 * not write yet: they log that and act as destroy and restart.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xl.h"
#include "lifecycle.h"

static void monitor_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void monitor_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

static libxl_action_on_shutdown action_for(const libxl_domain_config *d_config,
					   libxl_shutdown_reason reason)
{
	libxl_action_on_shutdown a;

	switch (reason) {
	case LIBXL_SHUTDOWN_REASON_REBOOT:
		a = d_config->on_reboot;
		return a ? a : LIBXL_ACTION_ON_SHUTDOWN_RESTART;
	case LIBXL_SHUTDOWN_REASON_CRASH:
		a = d_config->on_crash;
		break;
	case LIBXL_SHUTDOWN_REASON_WATCHDOG:
		a = d_config->on_watchdog;
		break;
	case LIBXL_SHUTDOWN_REASON_SOFT_RESET:
		a = d_config->on_soft_reset;
		/* Soft reset keeps the domain's memory: not supported yet. */
		if (!a || a == LIBXL_ACTION_ON_SHUTDOWN_SOFT_RESET)
			a = LIBXL_ACTION_ON_SHUTDOWN_RESTART;
		return a;
	default:
		a = d_config->on_poweroff;
		break;
	}
	return a ? a : LIBXL_ACTION_ON_SHUTDOWN_DESTROY;
}

/*
 * Keeps the dead domain as "<name>-<UTC time>" under a new uuid, as Xen's
 * preserve_domain does, so that the new one starts with the config's name
 * and uuid.
 */
static void preserve_renamed(uint32_t domid, libxl_domain_create_info *c_info)
{
	char stime[24];
	libxl_uuid new_uuid;
	time_t now = time(NULL);

	strftime(stime, sizeof(stime), "-%Y%m%dT%H%MZ", gmtime(&now));
	libxl_uuid_generate(&new_uuid);
	monitor_log("Preserving domain %u %s with suffix%s", domid, c_info->name, stime);
	if (libxl_domain_preserve(xl.ctx, domid, c_info, stime, new_uuid))
		monitor_log("Failed to preserve domain %u", domid);
}

static int monitor_loop(uint32_t domid)
{
	for (;;) {
		libxl_domain_config d_config;
		libxl_shutdown_reason reason;
		libxl_action_on_shutdown action;
		uint32_t new_domid;
		int rc;

		rc = libxl_domain_wait_shutdown(xl.ctx, domid, -1, &reason);
		if (rc == ERROR_DOMAIN_NOTFOUND) {
			monitor_log("Domain %u has been destroyed.", domid);
			return EXIT_SUCCESS;
		}
		if (rc) {
			monitor_log("Waiting for domain %u failed (rc=%d)", domid, rc);
			return EXIT_FAILURE;
		}
		/* Xen: a suspended domain is the saver's (xl save, migrate) to handle. */
		if (reason == LIBXL_SHUTDOWN_REASON_SUSPEND) {
			monitor_log("Domain %u has shut down, reason code %d 0x%x", domid, reason,
				    reason);
			monitor_log("Domain has suspended.");
			monitor_log("Done. Exiting now");
			return EXIT_SUCCESS;
		}
		libxl_domain_config_init(&d_config);
		if (libxl_retrieve_domain_configuration(xl.ctx, domid, &d_config)) {
			monitor_log("No stored config for domain %u: destroying it", domid);
			libxl_domain_destroy(xl.ctx, domid);
			libxl_domain_config_dispose(&d_config);
			return EXIT_FAILURE;
		}
		action = action_for(&d_config, reason);
		monitor_log("Domain %u has shut down, reason code %d 0x%x", domid, reason,
			    reason);
		monitor_log("Action for shutdown reason code %d is %s", reason,
			    libxl_action_on_shutdown_to_string(action));
		switch (action) {
		case LIBXL_ACTION_ON_SHUTDOWN_PRESERVE:
			monitor_log("Done. Exiting now");
			libxl_domain_config_dispose(&d_config);
			return EXIT_SUCCESS;
		case LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY:
		case LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_RESTART:
			monitor_log("Core dumps are not supported yet: no core written");
			break;
		default:
			break;
		}
		if (action == LIBXL_ACTION_ON_SHUTDOWN_RESTART_RENAME)
			preserve_renamed(domid, &d_config.c_info);
		else
			libxl_domain_destroy(xl.ctx, domid);
		if (action == LIBXL_ACTION_ON_SHUTDOWN_DESTROY ||
		    action == LIBXL_ACTION_ON_SHUTDOWN_COREDUMP_DESTROY) {
			monitor_log("Domain %u needs to be cleaned up: destroying the domain",
				    domid);
			libxl_domain_config_dispose(&d_config);
			return EXIT_SUCCESS;
		}
		monitor_log("Domain %u needs to be cleaned up: restarting the domain", domid);
		rc = libxl_domain_create_new(xl.ctx, &d_config, &new_domid, NULL);
		libxl_domain_config_dispose(&d_config);
		if (rc) {
			monitor_log("Restarting failed (rc=%d)", rc);
			return EXIT_FAILURE;
		}
		monitor_log("Domain %u restarted as domain %u", domid, new_domid);
		domid = new_domid;
	}
}

int monitor_domain(uint32_t domid, const char *name, int foreground)
{
	const char *logdir = getenv("XEN_LOG_DIR");
	char *logfile = NULL;
	pid_t pid;
	int fd;

	if (foreground)
		return monitor_loop(domid);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("xl: fork");
		return EXIT_FAILURE;
	}
	if (pid > 0)
		return EXIT_SUCCESS;

	/* The monitor: its own session, stdio to the log, a fresh context. */
	setsid();
	if (asprintf(&logfile, "%s/xl-%s.log", logdir && *logdir ? logdir : XEN_LOG_DIR_DEFAULT,
		     name) < 0)
		_exit(EXIT_FAILURE);
	fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		close(fd);
	}
	free(logfile);
	libxl_ctx_free(xl.ctx);
	if (libxl_ctx_alloc(&xl.ctx, stderr))
		_exit(EXIT_FAILURE);
	monitor_log("Waiting for domain %s (domid %u) to die [pid %ld]", name, domid,
		    (long)getpid());
	_exit(monitor_loop(domid));
}
