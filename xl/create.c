/*
 * xl/create.c: `xl create` (the vmcontrol family's first command).
 *
 * Reads the config file, appends the command line's key=value settings as
 * Xen does ("\n<settings>\n" after the file, so they win), parses it into a
 * libxl_domain_config and either prints it as JSON (-N, -n, and -d on
 * stderr) or hands it to libxl_domain_create_new().  The JSON is libxl's,
 * so `xl list -l` prints the very same thing later.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"
#include "lifecycle.h"

static int append_extra(char **extra, const char *s)
{
	size_t old = *extra ? strlen(*extra) : 0, n = strlen(s);
	char *e = realloc(*extra, old + n + 2);

	if (!e)
		return -1;
	memcpy(e + old, s, n);
	e[old + n] = '\n';
	e[old + n + 1] = '\0';
	*extra = e;
	return 0;
}

int create_domain(struct domain_create *dom_info)
{
	libxl_domain_config d_config;
	libxl_domain_create_opts opts = { .paused = dom_info->paused };
	const char *config_file = dom_info->config_file;
	const char *extra = dom_info->extra_config;
	char *config_data = NULL, *json;
	int config_len = 0, ret, e;
	uint32_t domid;

	libxl_domain_config_init(&d_config);
	if (!config_file) {
		fprintf(stderr, "Config file not specified and none in save "
				"file\n");
		ret = ERROR_INVAL;
		goto out;
	}
	/* /dev/null: the whole config comes from the command line */
	if (strcmp(config_file, "/dev/null")) {
		e = xl_read_file_contents(config_file, &config_data, &config_len);
		if (e) {
			fprintf(stderr, "Failed to read config file: %s: %s\n", config_file,
				strerror(e));
			ret = ERROR_FAIL;
			goto out;
		}
	}
	if (extra && *extra) {
		size_t n = strlen(extra);
		char *d;

		if ((size_t)config_len > INT_MAX - (n + 2 + 1)) {
			fprintf(stderr, "Failed to attach extra configuration\n");
			ret = ERROR_FAIL;
			goto out;
		}
		d = realloc(config_data, (size_t)config_len + n + 2 + 1);
		if (!d) {
			ret = ERROR_NOMEM;
			goto out;
		}
		config_data = d;
		config_len += sprintf(config_data + config_len, "\n%s\n", extra);
	}
	if (!dom_info->quiet)
		fprintf(stderr, "Parsing config from %s\n", config_file);
	fflush(stderr);

	ret = xl_parse_config_data(&xl.gc, config_file, config_data, config_len, &d_config, stderr);
	if (ret) {
		ret = -ret; /* main_create turns it back into the exit status */
		goto out;
	}

	if (!dom_info->ignore_global_affinity_masks) {
		ret = xl_global_affinity_apply(&xl.gc, &d_config.b_info, stderr);
		if (ret) {
			ret = -ret;
			goto out;
		}
	}

	if (dom_info->debug || dom_info->dryrun) {
		FILE *fh = dom_info->debug && !dom_info->dryrun ? stderr : stdout;

		json = libxl_domain_config_to_json(&d_config);
		if (!json) {
			fprintf(stderr, "Failed to convert domain configuration "
					"to JSON\n");
			exit(1);
		}
		fputs(json, fh);
		free(json);
		fflush(fh);
	}
	ret = 0;
	if (dom_info->dryrun)
		goto out;

	/*
	 * Built and started by libxl; then the monitor (xl/monitor.c)
	 * carries out on_poweroff/on_reboot/on_crash, in the background
	 * unless -F, and -c attaches the console.
	 */
	ret = libxl_domain_create_new(xl.ctx, &d_config, &domid, &opts);
	if (!ret) {
		ret = (int)domid;
		if (dom_info->monitor) {
			int foreground = !dom_info->daemonize && !dom_info->console_autoconnect;

			if (monitor_domain(domid, d_config.c_info.name, foreground) && foreground)
				ret = -1;
		}
		if (dom_info->console_autoconnect)
			console_attach(domid,
				       d_config.c_info.type == LIBXL_DOMAIN_TYPE_HVM ? "serial" : "pv",
				       0);
	}
out:
	libxl_domain_config_dispose(&d_config);
	free(config_data);
	return ret;
}

int main_create(int argc, char **argv)
{
	static const struct option opts[] = { { "dryrun", 0, 0, 'n' },
					      { "quiet", 0, 0, 'q' },
					      { "defconfig", 1, 0, 'f' },
					      { "vncviewer", 0, 0, 'V' },
					      { "vncviewer-autopass", 0, 0, 'A' },
					      { "ignore-global-affinity-masks", 0, 0, 'i' },
					      COMMON_LONG_OPTS };
	struct domain_create dom_info = { .daemonize = 1, .monitor = 1 };
	const char *filename = NULL;
	int opt, rc, dryrun = xl.dryrun_only;

	if (argv[1] && argv[1][0] != '-' && !strchr(argv[1], '=')) {
		filename = argv[1];
		argc--;
		argv++;
	}
	SWITCH_FOREACH_OPT(opt, "Fnqf:pcdeVAi", opts, "create", 0)
	{
	case 'f':
		filename = optarg;
		break;
	case 'p':
		dom_info.paused = 1;
		break;
	case 'c':
		dom_info.console_autoconnect = 1;
		break;
	case 'd':
		dom_info.debug = 1;
		break;
	case 'F':
		dom_info.daemonize = 0;
		break;
	case 'e':
		dom_info.daemonize = 0;
		dom_info.monitor = 0;
		break;
	case 'n':
		dryrun = 1;
		break;
	case 'q':
		dom_info.quiet = 1;
		break;
	case 'V':
		dom_info.vnc = 1;
		break;
	case 'A':
		dom_info.vnc = dom_info.vncautopass = 1;
		break;
	case 'i':
		dom_info.ignore_global_affinity_masks = 1;
		break;
	}
	for (; optind < argc; optind++) {
		if (strchr(argv[optind], '=')) {
			if (append_extra(&dom_info.extra_config, argv[optind])) {
				free(dom_info.extra_config);
				return 1;
			}
		} else if (!filename) {
			filename = argv[optind];
		} else {
			help("create");
			free(dom_info.extra_config);
			return 2;
		}
	}
	dom_info.dryrun = dryrun;
	dom_info.config_file = filename;
	rc = create_domain(&dom_info);
	free(dom_info.extra_config);
	return rc < 0 ? -rc : 0;
}
