/*
 * Fuzz target: an arbitrary xl.cfg through the whole config path xl -N
 * create takes (lexer, parser, getters, disk and vif specs, the model and
 * its JSON), then the JSON back through the JSON parser.  Every malformed
 * input must end in a message and an exit status, never a crash or leak.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xl_global_config gc;
	libxl_domain_config d, back;
	FILE *sink = fopen("/dev/null", "w");
	char *json;

	if (!sink || size > (1 << 20)) {
		if (sink)
			fclose(sink);
		return 0;
	}
	xl_global_config_init(&gc);
	libxl_domain_config_init(&d);
	if (!xl_parse_config_data(&gc, "fuzz.cfg", (const char *)data, (int)size, &d, sink)) {
		json = libxl_domain_config_to_json(&d);
		if (json) {
			libxl_domain_config_init(&back);
			libxl_domain_config_from_json(&back, json);
			libxl_domain_config_dispose(&back);
			free(json);
		}
	}
	/* the global config parser reads the same grammar */
	xl_global_config_parse(&gc, "fuzz.conf", (const char *)data, (int)size, sink);
	libxl_domain_config_dispose(&d);
	xl_global_config_dispose(&gc);
	fclose(sink);
	return 0;
}
