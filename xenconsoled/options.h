/*
 * xenconsoled's command line: Xen's options, same spellings and defaults,
 * plus one kxen extension (--rate-limit).  Parsing has no side effects, so
 * it is unit-tested.
 */
#ifndef KXEN_XENCONSOLED_OPTIONS_H
#define KXEN_XENCONSOLED_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CONSOLED_LOG_GUEST 1u
#define CONSOLED_LOG_HV 2u

struct consoled_options {
	unsigned log_mask; /* --log: CONSOLED_LOG_* */
	unsigned timestamp_mask; /* --timestamp: CONSOLED_LOG_* */
	bool discard_overflow; /* --overflow-data=discard (default) */
	bool interactive; /* -i: stay in the foreground */
	bool verbose;
	bool replace_escape;
	char log_dir[4096]; /* default $XEN_LOG_DIR/console */
	char pid_file[4096]; /* empty: none */
	uint64_t rate; /* --rate-limit bytes/s, 0 = unlimited */
	uint64_t burst;
};

enum consoled_parse_result {
	CONSOLED_PARSE_RUN = 0,
	CONSOLED_PARSE_EXIT = 1, /* -h or -V answered: exit 0 */
};

/*
 * Parses argv into opts (log_dir_base is $XEN_LOG_DIR's value or its
 * default).  Prints help and version to out, errors to err.  Returns a
 * consoled_parse_result, or -EINVAL for a bad command line.
 */
int consoled_options_parse(struct consoled_options *opts, int argc, char **argv,
			   const char *log_dir_base, FILE *out, FILE *err);

#endif
