/*
 * libxlutil.h: xl.cfg parsing (the xl.cfg(5) grammar, the disk and vif
 * spec grammars), with the names and contracts of Xen's libxlutil so that
 * code written against Xen's xl reads the same here.
 *
 * Errors are positive errno values (EINVAL for a malformed config, ESRCH
 * for a missing key); messages go to the FILE given to xlu_cfg_init, in
 * Xen's words, prefixed "<source>:<line>:".
 */
#ifndef LIBXLUTIL_H
#define LIBXLUTIL_H

#include <stdio.h>

#include "libxl.h"

enum XLU_ConfigValueType {
	XLU_STRING,
	XLU_LIST,
};

enum XLU_Operation {
	XLU_OP_ASSIGNMENT = 0,
	XLU_OP_ADDITION,
};

typedef struct XLU_Config XLU_Config;
typedef struct XLU_ConfigValue XLU_ConfigValue;
typedef struct XLU_ConfigList XLU_ConfigList;

XLU_Config *xlu_cfg_init(FILE *report, const char *report_source);
int xlu_cfg_readfile(XLU_Config *cfg, const char *real_filename);
int xlu_cfg_readdata(XLU_Config *cfg, const char *data, int length);
void xlu_cfg_destroy(XLU_Config *cfg);

/* dont_warn: do not print a warning when the key has the wrong shape. */
int xlu_cfg_get_string(const XLU_Config *cfg, const char *n, const char **value_r, int dont_warn);
int xlu_cfg_replace_string(const XLU_Config *cfg, const char *n, char **value_r, int dont_warn);
int xlu_cfg_get_long(const XLU_Config *cfg, const char *n, long *value_r, int dont_warn);
int xlu_cfg_get_bounded_long(const XLU_Config *cfg, const char *n, long min, long max,
			     long *value_r, int dont_warn);
int xlu_cfg_get_defbool(const XLU_Config *cfg, const char *n, libxl_defbool *b, int dont_warn);
int xlu_cfg_get_list(const XLU_Config *cfg, const char *n, XLU_ConfigList **list_r, int *entries_r,
		     int dont_warn);
int xlu_cfg_get_list_as_string_list(const XLU_Config *cfg, const char *n, libxl_string_list *sl,
				    int dont_warn);
/* NULL past the end or for an item that is itself a list. */
const char *xlu_cfg_get_listitem(const XLU_ConfigList *list, int entry);
XLU_ConfigValue *xlu_cfg_get_listitem2(const XLU_ConfigList *list, int entry);
enum XLU_ConfigValueType xlu_cfg_value_type(const XLU_ConfigValue *value);
int xlu_cfg_value_get_string(const XLU_Config *cfg, XLU_ConfigValue *value, char **value_r,
			     int dont_warn);
int xlu_cfg_value_get_list(const XLU_Config *cfg, XLU_ConfigValue *value, XLU_ConfigList **value_r,
			   int dont_warn);
const char *xlu_cfg_source(const XLU_Config *cfg);
FILE *xlu_cfg_report(const XLU_Config *cfg);

/* Disk specs (xl-disk-configuration(5)); disk must be initialised. */
int xlu_disk_parse(XLU_Config *cfg, int nspecs, const char *const *specs, libxl_device_disk *disk);

/* vif rate= ("10Mb/s@50ms"): EINVAL or EOVERFLOW on a bad rate. */
int xlu_vif_parse_rate(XLU_Config *cfg, const char *rate, libxl_device_nic *nic);

#endif /* LIBXLUTIL_H */
