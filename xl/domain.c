/*
 * xl/domain.c: commands acting on a running domain: destroy, shutdown,
 * reboot, pause, unpause, rename, dmesg.  Messages and exit codes as Xen's
 * xl_vmcontrol.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"
#include "lifecycle.h"

int main_pause(int argc, char **argv)
{
	int opt;

	SWITCH_FOREACH_OPT(opt, "", NULL, "pause", 1) {
		/* no options */
	}
	return libxl_domain_pause(xl.ctx, find_domain(argv[optind])) ? EXIT_FAILURE
								     : EXIT_SUCCESS;
}

int main_unpause(int argc, char **argv)
{
	int opt;

	SWITCH_FOREACH_OPT(opt, "", NULL, "unpause", 1) {
		/* no options */
	}
	return libxl_domain_unpause(xl.ctx, find_domain(argv[optind])) ? EXIT_FAILURE
								       : EXIT_SUCCESS;
}

int main_destroy(int argc, char **argv)
{
	uint32_t domid;
	int opt, force = 0, rc;

	SWITCH_FOREACH_OPT(opt, "f", NULL, "destroy", 1) {
	case 'f':
		force = 1;
		break;
	}
	domid = find_domain(argv[optind]);
	if (domid == 0 && !force) {
		fprintf(stderr, "Not destroying domain 0; use -f to force.\n"
				"This can only be done using the xl command line.\n");
		return EXIT_FAILURE;
	}
	rc = libxl_domain_destroy(xl.ctx, domid);
	if (rc) {
		fprintf(stderr, "destroy failed (rc=%d)\n", rc);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* shutdown and reboot share Xen's options: -a all, -w wait, -F fallback. */
static int main_shutdown_or_reboot(int reboot, int argc, char **argv)
{
	const char *what = reboot ? "reboot" : "shutdown";
	static const struct option opts[] = { { "all", 0, 0, 'a' },
					      { "wait", 0, 0, 'w' },
					      COMMON_LONG_OPTS };
	libxl_dominfo *info = NULL;
	uint32_t *domids = NULL;
	int opt, all = 0, wait = 0, fallback = 0, nb = 0, i, rc, failed = 0;

	SWITCH_FOREACH_OPT(opt, "awF", opts, what, 0) {
	case 'a':
		all = 1;
		break;
	case 'w':
		wait = 1;
		break;
	case 'F':
		/* ACPI fallback: for HVM guests without PV drivers. */
		fallback = 1;
		break;
	}
	if (!argv[optind] && !all) {
		fprintf(stderr, "You must specify -a or a domain id.\n\n");
		return EXIT_FAILURE;
	}
	if (all) {
		if (libxl_list_domain(xl.ctx, &info, &nb)) {
			fprintf(stderr, "libxl_list_domain failed.\n");
			return EXIT_FAILURE;
		}
		domids = calloc(nb ? nb : 1, sizeof(*domids));
		if (!domids)
			return EXIT_FAILURE;
		for (i = 0, rc = 0; i < nb; i++)
			if (info[i].domid != 0)
				domids[rc++] = info[i].domid;
		nb = rc;
		free(info);
	} else {
		domids = malloc(sizeof(*domids));
		if (!domids)
			return EXIT_FAILURE;
		domids[0] = find_domain(argv[optind]);
		nb = 1;
	}

	for (i = 0; i < nb; i++) {
		if (reboot) {
			fprintf(stderr, "Rebooting domain %u\n", domids[i]);
			rc = libxl_domain_reboot(xl.ctx, domids[i]);
		} else {
			fprintf(stderr, "Shutting down domain %u\n", domids[i]);
			rc = libxl_domain_shutdown(xl.ctx, domids[i]);
		}
		if (rc == ERROR_NOPARAVIRT && fallback) {
			fprintf(stderr, "PV control interface not available: sending ACPI %s "
					"event.\n",
				reboot ? "reset" : "power button");
			rc = libxl_send_trigger(xl.ctx, domids[i],
						reboot ? LIBXL_TRIGGER_RESET : LIBXL_TRIGGER_POWER,
						0);
		} else if (rc == ERROR_NOPARAVIRT) {
			fprintf(stderr, "PV control interface not available: external graceful "
					"%s not possible.\n",
				what);
			fprintf(stderr, "Use \"-F\" to fallback to ACPI %s event.\n",
				reboot ? "reset" : "power");
		}
		if (rc) {
			fprintf(stderr, "%s failed (rc=%d)\n", what, rc);
			free(domids);
			return EXIT_FAILURE;
		}
	}

	if (wait && nb) {
		fprintf(stderr, "Waiting for %d domains\n", nb);
		for (i = 0; i < nb; i++) {
			libxl_shutdown_reason reason;

			rc = libxl_domain_wait_shutdown(xl.ctx, domids[i], -1, &reason);
			if (rc == ERROR_DOMAIN_NOTFOUND)
				fprintf(stderr, "Domain %u has been destroyed\n", domids[i]);
			else if (!rc)
				fprintf(stderr, "Domain %u has been shut down, reason code %d\n",
					domids[i], reason);
			else
				failed = 1;
		}
		/* Xen's xl says nothing more once all are down. */
	}
	free(domids);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main_shutdown(int argc, char **argv)
{
	return main_shutdown_or_reboot(0, argc, argv);
}

int main_reboot(int argc, char **argv)
{
	return main_shutdown_or_reboot(1, argc, argv);
}

int main_rename(int argc, char **argv)
{
	uint32_t domid;
	int opt;

	SWITCH_FOREACH_OPT(opt, "", NULL, "rename", 2) {
		/* no options */
	}
	domid = find_domain(argv[optind]);
	if (libxl_domain_rename(xl.ctx, domid, NULL, argv[optind + 1])) {
		fprintf(stderr, "Can't rename domain '%s'.\n", argv[optind]);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int main_dmesg(int argc, char **argv)
{
	char *text;
	int opt, clear = 0;

	SWITCH_FOREACH_OPT(opt, "c", NULL, "dmesg", 0) {
	case 'c':
		clear = 1;
		break;
	}
	if (libxl_read_hypervisor_console(xl.ctx, clear, &text))
		return EXIT_FAILURE;
	fputs(text, stdout);
	free(text);
	return EXIT_SUCCESS;
}
