/*
 * xl/cfg_internal.h: the parsed form of an xl.cfg file, shared by the
 * parser (cfg_parse.c) and the typed getters (cfg.c).
 */
#ifndef XL_CFG_INTERNAL_H
#define XL_CFG_INTERNAL_H

#include <stdio.h>

#include "libxlutil.h"

struct XLU_ConfigList {
	int avalues; /* allocated */
	int nvalues;
	XLU_ConfigValue **values;
};

struct XLU_ConfigValue {
	enum XLU_ConfigValueType type;
	union {
		char *string;
		XLU_ConfigList list;
	} u;
	int line; /* of the value's first token */
};

typedef struct XLU_ConfigSetting {
	struct XLU_ConfigSetting *next;
	char *name;
	XLU_ConfigValue *value;
	enum XLU_Operation op;
	int lineno;
} XLU_ConfigSetting;

struct XLU_Config {
	XLU_ConfigSetting *settings; /* newest first: the last value wins */
	FILE *report;
	char *config_source;
};

void xlu__cfg_value_free(XLU_ConfigValue *value);

/* Parses data into cfg->settings; returns 0 or a positive errno. */
int xlu__cfg_parse(XLU_Config *cfg, const char *data, size_t len);

#endif /* XL_CFG_INTERNAL_H */
