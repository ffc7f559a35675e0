/*
 * xenstore_control.c: xenstore-control, sends one XS_CONTROL command
 * ("xenstore-control quota", "xenstore-control help", ...) and prints the
 * daemon's answer, as Xen's tool does.  Exit code 0 on success, 3 when the
 * daemon refused the command, 2 when it cannot be reached.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenstore.h>

static char *control(struct xs_handle *xsh, const char *const *args, int n)
{
	char buf[4096];
	size_t len = 0, l;
	int i;

	for (i = 0; i < n; i++) {
		l = strlen(args[i]) + 1;
		if (len + l > sizeof(buf))
			return NULL;
		memcpy(buf + len, args[i], l);
		len += l;
	}
	return xs_control_command(xsh, "live-update", buf, len);
}

/*
 * live-update [-c <cmdline>] [-F] [-t <timeout>] <file>: select the binary
 * (and command line), then ask to start, retrying while the daemon answers
 * BUSY (transactions open) until the timeout; the answer to the start
 * request comes from the new daemon.
 */
static int live_update(struct xs_handle *xsh, int argc, char **argv)
{
	const char *cmdline = NULL, *file = NULL, *args[5];
	unsigned int timeout = 60;
	bool force = false;
	char *ret = NULL, to[16];
	time_t start;
	int i, n;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-c") && i + 1 < argc)
			cmdline = argv[++i];
		else if (!strcmp(argv[i], "-F"))
			force = true;
		else if (!strcmp(argv[i], "-t") && i + 1 < argc)
			timeout = atoi(argv[++i]);
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else
			goto usage;
	}
	if (!file)
		goto usage;
	args[0] = "-f";
	args[1] = file;
	ret = control(xsh, args, 2);
	if (!ret || strcmp(ret, "OK"))
		goto fail;
	free(ret);
	if (cmdline) {
		args[0] = "-c";
		args[1] = cmdline;
		ret = control(xsh, args, 2);
		if (!ret || strcmp(ret, "OK"))
			goto fail;
		free(ret);
	}
	snprintf(to, sizeof(to), "%u", timeout);
	n = 0;
	args[n++] = "-s";
	if (force)
		args[n++] = "-F";
	args[n++] = "-t";
	args[n++] = to;
	for (start = time(NULL);;) {
		ret = control(xsh, args, n);
		if (!ret || strcmp(ret, "BUSY") ||
		    time(NULL) - start >= (time_t)timeout)
			break;
		free(ret);
		sleep(1);
	}
	if (!ret || strcmp(ret, "OK"))
		goto fail;
	free(ret);
	return 0;
fail:
	fprintf(stderr, "Live update failed: %s\n",
		ret ? ret : strerror(errno));
	free(ret);
	return 3;
usage:
	fprintf(stderr, "Usage: xenstore-control live-update [-c <cmdline>] [-F] [-t <timeout>] <file>\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct xs_handle *xsh;
	char *par = NULL, *ret;
	size_t len = 0, n;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "Usage:\n%s <command> [<arg>...]\n", argv[0]);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		n = strlen(argv[i]) + 1;
		par = realloc(par, len + n);
		if (!par) {
			fprintf(stderr, "Allocation error.\n");
			return 1;
		}
		memcpy(par + len, argv[i], n);
		len += n;
	}
	xsh = xs_open(0);
	if (!xsh) {
		fprintf(stderr, "Failed to open connection to xenstore.\n");
		free(par);
		return 2;
	}
	if (!strcmp(argv[1], "live-update")) {
		rc = live_update(xsh, argc - 2, argv + 2);
		free(par);
		xs_close(xsh);
		return rc;
	}
	ret = xs_control_command(xsh, argv[1], par, len);
	if (!ret) {
		rc = 3;
		if (errno == EINVAL)
			fprintf(stderr, "Command not supported. Valid commands are:\n"
					"%s",
				(ret = xs_control_command(xsh, "help", NULL, 0)) ?
					ret : "");
		else
			fprintf(stderr, "Error when executing command.\n");
	} else if (strlen(ret) > 0) {
		printf("%s\n", ret);
	}
	free(ret);
	free(par);
	xs_close(xsh);
	return rc;
}
