/*
 * Command-line parsing for xenconsoled (see options.h).  Xen silently
 * ignores a bad --log/--timestamp/--overflow-data value; we reject it with a
 * message instead, since a typo there would otherwise lose logs unnoticed.
 */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"

#define USAGE_LINE                                                                \
	"Usage: %s [-h] [-V] [-v] [-i] [--log=none|guest|hv|all] [--log-dir=DIR]" \
	" [--pid-file=PATH] [-t, --timestamp=none|guest|hv|all]"                  \
	" [-o, --overflow-data=discard|keep] [--replace-escape]"                  \
	" [--rate-limit=BYTES_PER_SEC[,BURST]]\n"

enum {
	OPT_LOG = 0x100,
	OPT_LOG_DIR,
	OPT_PID_FILE,
	OPT_REPLACE_ESCAPE,
	OPT_RATE_LIMIT,
};

static const struct option consoled_long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "interactive", no_argument, NULL, 'i' },
	{ "log", required_argument, NULL, OPT_LOG },
	{ "log-dir", required_argument, NULL, OPT_LOG_DIR },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "timestamp", required_argument, NULL, 't' },
	{ "overflow-data", required_argument, NULL, 'o' },
	{ "replace-escape", no_argument, NULL, OPT_REPLACE_ESCAPE },
	{ "rate-limit", required_argument, NULL, OPT_RATE_LIMIT },
	{ NULL, 0, NULL, 0 },
};

static int options_parse_which(const char *value, unsigned *mask)
{
	if (!strcmp(value, "none"))
		*mask = 0;
	else if (!strcmp(value, "guest"))
		*mask = CONSOLED_LOG_GUEST;
	else if (!strcmp(value, "hv"))
		*mask = CONSOLED_LOG_HV;
	else if (!strcmp(value, "all"))
		*mask = CONSOLED_LOG_GUEST | CONSOLED_LOG_HV;
	else
		return -EINVAL;
	return 0;
}

static int options_parse_size(const char *text, uint64_t *value, char **end)
{
	unsigned long long v;

	if (*text < '0' || *text > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(text, end, 10);
	if (errno)
		return -EINVAL;
	*value = v;
	return 0;
}

static int options_parse_rate(const char *text, uint64_t *rate, uint64_t *burst)
{
	char *end;

	if (options_parse_size(text, rate, &end) < 0)
		return -EINVAL;
	if (*end == '\0') {
		*burst = *rate < CONSOLE_BURST_DEFAULT ? *rate : CONSOLE_BURST_DEFAULT;
		return 0;
	}
	if (*end != ',' || options_parse_size(end + 1, burst, &end) < 0 || *end != '\0' ||
	    *burst == 0)
		return -EINVAL;
	return 0;
}

static int options_copy(char *dst, size_t size, const char *src)
{
	if (strlen(src) >= size)
		return -ENAMETOOLONG;
	strcpy(dst, src);
	return 0;
}

int consoled_options_parse(struct consoled_options *opts, int argc, char **argv,
			   const char *log_dir_base, FILE *out, FILE *err)
{
	const char *prog = argc > 0 ? argv[0] : "xenconsoled";
	int c, rc = CONSOLED_PARSE_RUN;
	bool log_dir_set = false;

	memset(opts, 0, sizeof(*opts));
	opts->discard_overflow = true;
	opts->rate = CONSOLE_RATE_DEFAULT;
	opts->burst = CONSOLE_BURST_DEFAULT;

	optind = 0; /* glibc: a full reset, so parsing can run more than once */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hVvit:o:", consoled_long_options, NULL)) != -1) {
		switch (c) {
		case 'h':
			fprintf(out, USAGE_LINE, prog);
			return CONSOLED_PARSE_EXIT;
		case 'V':
			fprintf(out, "Xen Console Daemon 3.0 (kxen %s)\n", PACKAGE_VERSION);
			return CONSOLED_PARSE_EXIT;
		case 'v':
			opts->verbose = true;
			break;
		case 'i':
			opts->interactive = true;
			break;
		case OPT_LOG:
			if (options_parse_which(optarg, &opts->log_mask) < 0) {
				fprintf(err, "%s: invalid --log value '%s' (none|guest|hv|all)\n",
					prog, optarg);
				return -EINVAL;
			}
			break;
		case 't':
			if (options_parse_which(optarg, &opts->timestamp_mask) < 0) {
				fprintf(err,
					"%s: invalid --timestamp value '%s' (none|guest|hv|all)\n",
					prog, optarg);
				return -EINVAL;
			}
			break;
		case 'o':
			if (!strcmp(optarg, "discard")) {
				opts->discard_overflow = true;
			} else if (!strcmp(optarg, "keep")) {
				opts->discard_overflow = false;
			} else {
				fprintf(err,
					"%s: invalid --overflow-data value '%s' (discard|keep)\n",
					prog, optarg);
				return -EINVAL;
			}
			break;
		case OPT_LOG_DIR:
			if (!optarg[0] ||
			    options_copy(opts->log_dir, sizeof(opts->log_dir), optarg) < 0) {
				fprintf(err, "%s: invalid --log-dir '%s'\n", prog, optarg);
				return -EINVAL;
			}
			log_dir_set = true;
			break;
		case OPT_PID_FILE:
			if (!optarg[0] ||
			    options_copy(opts->pid_file, sizeof(opts->pid_file), optarg) < 0) {
				fprintf(err, "%s: invalid --pid-file '%s'\n", prog, optarg);
				return -EINVAL;
			}
			break;
		case OPT_REPLACE_ESCAPE:
			opts->replace_escape = true;
			break;
		case OPT_RATE_LIMIT:
			if (options_parse_rate(optarg, &opts->rate, &opts->burst) < 0) {
				fprintf(err,
					"%s: invalid --rate-limit '%s' (BYTES_PER_SEC[,BURST], 0 = "
					"off)\n",
					prog, optarg);
				return -EINVAL;
			}
			break;
		case ':':
			fprintf(err, "%s: option %s needs a value\n", prog, argv[optind - 1]);
			fprintf(err, "Try `%s --help' for more information\n", prog);
			return -EINVAL;
		default:
			if (optopt && optopt < 0x100)
				fprintf(err, "%s: invalid option -%c\n", prog, optopt);
			else
				fprintf(err, "%s: invalid option %s\n", prog, argv[optind - 1]);
			fprintf(err, "Try `%s --help' for more information\n", prog);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(err, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		fprintf(err, "Try `%s --help' for more information\n", prog);
		return -EINVAL;
	}
	if (!log_dir_set) {
		int n = snprintf(opts->log_dir, sizeof(opts->log_dir), "%s/console", log_dir_base);

		if (n < 0 || (size_t)n >= sizeof(opts->log_dir)) {
			fprintf(err, "%s: XEN_LOG_DIR is too long\n", prog);
			return -EINVAL;
		}
	}
	return rc;
}
