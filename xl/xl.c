/*
 * xl/xl.c: xl's main: global options (-v -N -f -t -T), xl.conf, then one
 * command from the table (cmdtable.c), with Xen's xl exit codes: no
 * command prints the usage and exits 1, an unknown command or option
 * exits 1, a command's own usage error exits 2.
 *
 * xl.conf is $XL_GLOBAL_CONFIG when set (tests point it at their own
 * copy), else <sysconfdir>/xen/xl.conf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xl.h"

#ifndef XEN_CONFIG_DIR
#define XEN_CONFIG_DIR "/etc/xen"
#endif

struct xl_context xl;

static int read_file(const char *path, char **data, int *len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0, got;
	char *buf = NULL, *nb;
	int e = 0;

	*data = NULL;
	*len = 0;
	if (!f)
		return errno;
	do {
		nb = realloc(buf, n + 4096 + 1);
		if (!nb || n > (1 << 30)) {
			e = nb ? EFBIG : ENOMEM;
			free(nb ? nb : buf);
			fclose(f);
			return e;
		}
		buf = nb;
		got = fread(buf + n, 1, 4096, f);
		n += got;
	} while (got == 4096);
	if (ferror(f))
		e = EIO;
	fclose(f);
	if (e) {
		free(buf);
		return e;
	}
	buf[n] = '\0';
	*data = buf;
	*len = (int)n;
	return 0;
}

int xl_read_file_contents(const char *path, char **data, int *len)
{
	return read_file(path, data, len);
}

static void xl_cleanup(void)
{
	libxl_ctx_free(xl.ctx);
	xl.ctx = NULL;
	xl_global_config_dispose(&xl.gc);
}

int main(int argc, char **argv)
{
	const struct cmd_spec *cspec;
	const char *cmd, *conf;
	char *config_data = NULL;
	int opt, ret, config_len = 0, e;

	while ((opt = getopt(argc, argv, "+vftNT")) >= 0) {
		switch (opt) {
		case 'v':
			xl.verbosity++;
			break;
		case 'N':
			xl.dryrun_only = 1;
			break;
		case 'f':
			xl.force_execution = 1;
			break;
		case 't':
			xl.progress_use_cr = 1;
			break;
		case 'T':
			xl.timestamps = 1;
			break;
		default:
			fprintf(stderr, "unknown global option\n");
			exit(EXIT_FAILURE);
		}
	}
	cmd = argv[optind];
	if (!cmd) {
		help(NULL);
		exit(EXIT_FAILURE);
	}
	opterr = 0;

	xl_global_config_init(&xl.gc);
	atexit(xl_cleanup);
	if (libxl_ctx_alloc(&xl.ctx, stderr)) {
		fprintf(stderr, "cannot init xl context\n");
		exit(EXIT_FAILURE);
	}
	conf = getenv("XL_GLOBAL_CONFIG");
	if (!conf || !*conf)
		conf = XEN_CONFIG_DIR "/xl.conf";
	e = read_file(conf, &config_data, &config_len);
	if (e)
		fprintf(stderr, "Failed to read config file: %s: %s\n", conf, strerror(e));
	if (xl_global_config_parse(&xl.gc, conf, config_data, config_len, stderr))
		exit(EXIT_FAILURE);
	free(config_data);

	/* each command parses its own options from argv[1] */
	argv += optind;
	argc -= optind;
	optind = 1;

	cspec = cmdtable_lookup(cmd);
	if (cspec) {
		if (xl.dryrun_only && !cspec->can_dryrun) {
			fprintf(stderr, "command does not implement -N (dryrun) "
					"option\n");
			return EXIT_FAILURE;
		}
		ret = cspec->cmd_impl(argc, argv);
	} else if (!strcmp(cmd, "help")) {
		help(argv[1]);
		ret = EXIT_SUCCESS;
	} else {
		fprintf(stderr, "command not implemented\n");
		ret = EXIT_FAILURE;
	}
	return ret;
}
