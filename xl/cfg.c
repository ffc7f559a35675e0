/*
 * xl/cfg.c: an xl.cfg file once parsed, and the typed getters xl uses to
 * read it.  A key set twice keeps its last value; a getter that finds the
 * wrong shape (a list where a string is wanted, a number that does not
 * parse) warns in Xen's words unless asked not to, and returns EINVAL, so
 * the caller falls back to its default exactly as Xen's xl does.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

XLU_Config *xlu_cfg_init(FILE *report, const char *report_source)
{
	XLU_Config *cfg = calloc(1, sizeof(*cfg));

	if (!cfg)
		return NULL;
	cfg->report = report;
	cfg->config_source = strdup(report_source);
	if (!cfg->config_source) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

int xlu_cfg_readdata(XLU_Config *cfg, const char *data, int length)
{
	if (length < 0)
		return EINVAL;
	return xlu__cfg_parse(cfg, data ? data : "", data ? (size_t)length : 0);
}

int xlu_cfg_readfile(XLU_Config *cfg, const char *real_filename)
{
	char *data = NULL;
	size_t len = 0, got;
	FILE *f;
	int e = 0;

	f = fopen(real_filename, "r");
	if (!f) {
		e = errno;
		fprintf(cfg->report, "%s: unable to open configuration file: %s\n", real_filename,
			strerror(e));
		return e;
	}
	for (;;) {
		char *n = realloc(data, len + 4096);

		if (!n) {
			e = ENOMEM;
			goto out;
		}
		data = n;
		got = fread(data + len, 1, 4096, f);
		len += got;
		if (got < 4096)
			break;
		if (len > INT_MAX - 4096) {
			e = EFBIG;
			goto out;
		}
	}
	if (ferror(f)) {
		e = EIO;
		goto out;
	}
	e = xlu__cfg_parse(cfg, data, len);
out:
	free(data);
	fclose(f);
	return e;
}

void xlu_cfg_destroy(XLU_Config *cfg)
{
	XLU_ConfigSetting *set, *next;

	if (!cfg)
		return;
	for (set = cfg->settings; set; set = next) {
		next = set->next;
		free(set->name);
		xlu__cfg_value_free(set->value);
		free(set);
	}
	free(cfg->config_source);
	free(cfg);
}

const char *xlu_cfg_source(const XLU_Config *cfg)
{
	return cfg->config_source;
}

FILE *xlu_cfg_report(const XLU_Config *cfg)
{
	return cfg->report;
}

static XLU_ConfigSetting *find(const XLU_Config *cfg, const char *n)
{
	XLU_ConfigSetting *set;

	for (set = cfg->settings; set; set = set->next)
		if (!strcmp(set->name, n))
			return set;
	return NULL;
}

static int find_atom(const XLU_Config *cfg, const char *n, XLU_ConfigSetting **set_r, int dont_warn)
{
	XLU_ConfigSetting *set = find(cfg, n);

	if (!set)
		return ESRCH;
	if (set->value->type != XLU_STRING) {
		if (!dont_warn)
			fprintf(cfg->report,
				"%s:%d: warning: parameter `%s' is a list but "
				"should be a single value\n",
				cfg->config_source, set->lineno, n);
		return EINVAL;
	}
	*set_r = set;
	return 0;
}

int xlu_cfg_get_string(const XLU_Config *cfg, const char *n, const char **value_r, int dont_warn)
{
	XLU_ConfigSetting *set;
	int e = find_atom(cfg, n, &set, dont_warn);

	if (e)
		return e;
	*value_r = set->value->u.string;
	return 0;
}

int xlu_cfg_replace_string(const XLU_Config *cfg, const char *n, char **value_r, int dont_warn)
{
	XLU_ConfigSetting *set;
	char *s;
	int e = find_atom(cfg, n, &set, dont_warn);

	if (e)
		return e;
	s = strdup(set->value->u.string);
	if (!s)
		return ENOMEM;
	free(*value_r);
	*value_r = s;
	return 0;
}

int xlu_cfg_get_bounded_long(const XLU_Config *cfg, const char *n, long min, long max,
			     long *value_r, int dont_warn)
{
	XLU_ConfigSetting *set;
	const char *s;
	char *ep;
	long l;
	int e = find_atom(cfg, n, &set, dont_warn);

	if (e)
		return e;
	if (set->op == XLU_OP_ADDITION) {
		if (!dont_warn)
			fprintf(cfg->report,
				"%s:%d: warning: can't use += with numbers for "
				"parameter `%s'\n",
				cfg->config_source, set->lineno, n);
		return EINVAL;
	}
	s = set->value->u.string;
	errno = 0;
	l = strtol(s, &ep, 0);
	if (errno) {
		e = errno;
		if (!dont_warn)
			fprintf(cfg->report,
				"%s:%d: warning: parameter `%s' could not be "
				"parsed as a number: %s\n",
				cfg->config_source, set->lineno, n, strerror(e));
		return e;
	}
	if (*ep || ep == s) {
		if (!dont_warn)
			fprintf(cfg->report,
				"%s:%d: warning: parameter `%s' is not a valid "
				"number\n",
				cfg->config_source, set->lineno, n);
		return EINVAL;
	}
	if (l < min) {
		if (!dont_warn)
			fprintf(cfg->report,
				"%s:%d: warning: value `%ld' is smaller than "
				"minimum bound '%ld'\n",
				cfg->config_source, set->lineno, l, min);
		return EINVAL;
	}
	if (l > max) {
		if (!dont_warn)
			fprintf(cfg->report,
				"%s:%d: warning: value `%ld' is greater than "
				"maximum bound '%ld'\n",
				cfg->config_source, set->lineno, l, max);
		return EINVAL;
	}
	*value_r = l;
	return 0;
}

int xlu_cfg_get_long(const XLU_Config *cfg, const char *n, long *value_r, int dont_warn)
{
	return xlu_cfg_get_bounded_long(cfg, n, LONG_MIN, LONG_MAX, value_r, dont_warn);
}

int xlu_cfg_get_defbool(const XLU_Config *cfg, const char *n, libxl_defbool *b, int dont_warn)
{
	long l;
	int e = xlu_cfg_get_long(cfg, n, &l, dont_warn);

	if (e)
		return e;
	libxl_defbool_set(b, !!l);
	return 0;
}

int xlu_cfg_get_list(const XLU_Config *cfg, const char *n, XLU_ConfigList **list_r, int *entries_r,
		     int dont_warn)
{
	XLU_ConfigSetting *set = find(cfg, n);

	if (!set)
		return ESRCH;
	if (set->value->type != XLU_LIST) {
		if (!dont_warn)
			fprintf(cfg->report,
				"%s:%d: warning: parameter `%s' is a single "
				"value but should be a list\n",
				cfg->config_source, set->lineno, n);
		return EINVAL;
	}
	if (list_r)
		*list_r = &set->value->u.list;
	if (entries_r)
		*entries_r = set->value->u.list.nvalues;
	return 0;
}

int xlu_cfg_get_list_as_string_list(const XLU_Config *cfg, const char *n, libxl_string_list *psl,
				    int dont_warn)
{
	XLU_ConfigList *list;
	char **sl;
	int i, nr, rc;

	rc = xlu_cfg_get_list(cfg, n, &list, &nr, dont_warn);
	if (rc)
		return rc;
	sl = calloc((size_t)nr + 1, sizeof(*sl));
	if (!sl)
		return ENOMEM;
	/* Like Xen, a nested list ends the string list early. */
	for (i = 0; i < nr; i++) {
		const char *a = xlu_cfg_get_listitem(list, i);

		sl[i] = a ? strdup(a) : NULL;
	}
	libxl_string_list_dispose(psl);
	*psl = sl;
	return 0;
}

const char *xlu_cfg_get_listitem(const XLU_ConfigList *list, int entry)
{
	if (entry < 0 || entry >= list->nvalues)
		return NULL;
	if (list->values[entry]->type != XLU_STRING)
		return NULL;
	return list->values[entry]->u.string;
}

XLU_ConfigValue *xlu_cfg_get_listitem2(const XLU_ConfigList *list, int entry)
{
	if (entry < 0 || entry >= list->nvalues)
		return NULL;
	return list->values[entry];
}

enum XLU_ConfigValueType xlu_cfg_value_type(const XLU_ConfigValue *value)
{
	return value->type;
}

int xlu_cfg_value_get_string(const XLU_Config *cfg, XLU_ConfigValue *value, char **value_r,
			     int dont_warn)
{
	if (value->type != XLU_STRING) {
		if (!dont_warn)
			fprintf(cfg->report, "%s:%d:%d: warning: value is not a string\n",
				cfg->config_source, value->line, 0);
		*value_r = NULL;
		return EINVAL;
	}
	*value_r = value->u.string;
	return 0;
}

int xlu_cfg_value_get_list(const XLU_Config *cfg, XLU_ConfigValue *value, XLU_ConfigList **value_r,
			   int dont_warn)
{
	if (value->type != XLU_LIST) {
		if (!dont_warn)
			fprintf(cfg->report, "%s:%d:%d: warning: value is not a list\n",
				cfg->config_source, value->line, 0);
		*value_r = NULL;
		return EINVAL;
	}
	*value_r = &value->u.list;
	return 0;
}
