/*
 * libxl/types_internal.h: the config model described as data.
 *
 * Xen generates init, dispose and JSON code from libxl_types.idl.  kxen
 * describes each structure once, as a table of fields (name, kind, offset,
 * default), and one generic walker per operation (init, dispose, to JSON,
 * from JSON) follows the tables.  A new field is one line in types.c.
 */
#ifndef LIBXL_TYPES_INTERNAL_H
#define LIBXL_TYPES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "libxl.h"

enum libxl__kind {
	LIBXL__K_STRING,
	LIBXL__K_INT, /* int */
	LIBXL__K_UINT8, /* uint8_t */
	LIBXL__K_UINT32, /* uint32_t */
	LIBXL__K_UINT64, /* uint64_t */
	LIBXL__K_BOOL,
	LIBXL__K_DEFBOOL,
	LIBXL__K_ENUM, /* an int-sized enum with a string table */
	LIBXL__K_UUID,
	LIBXL__K_MAC,
	LIBXL__K_BITMAP,
	LIBXL__K_STRING_LIST,
	LIBXL__K_KV_LIST,
	LIBXL__K_STRUCT,
	LIBXL__K_ARRAY, /* pointer + int count elsewhere in the parent */
	LIBXL__K_UNION, /* keyed by an enum field of the parent */
	LIBXL__K_NONE, /* kept in C, never in JSON (e.g. cpuid) */
};

struct libxl__enum_value {
	int value;
	const char *name;
};

struct libxl__enum_desc {
	const struct libxl__enum_value *values;
	int nr;
};

struct libxl__struct_desc;

struct libxl__union_case {
	int key;
	const char *json_key; /* "type.hvm" */
	const struct libxl__struct_desc *sub; /* NULL: an empty map */
};

struct libxl__union_desc {
	size_t key_offset; /* of the key enum in the parent */
	const struct libxl__union_case *cases;
	int nr;
};

struct libxl__field {
	const char *name;
	enum libxl__kind kind;
	size_t offset;
	int64_t init; /* default of numbers and enums */
	const struct libxl__enum_desc *enm;
	const struct libxl__struct_desc *sub; /* struct, or array of struct */
	enum libxl__kind elem; /* array element kind */
	size_t elem_size;
	size_t count_offset; /* array: offset of the int count */
	const struct libxl__union_desc *uni;
	int hidden; /* union keys: part of the union's JSON key */
};

struct libxl__struct_desc {
	const char *name;
	size_t size;
	const struct libxl__field *fields;
	int nr;
};

extern const struct libxl__struct_desc libxl__domain_config_desc;
extern const struct libxl__struct_desc libxl__domain_build_info_desc;

void libxl__struct_init(const struct libxl__struct_desc *d, void *p);
void libxl__struct_dispose(const struct libxl__struct_desc *d, void *p);
const char *libxl__enum_to_string(const struct libxl__enum_desc *e, int v);
int libxl__enum_from_string(const struct libxl__enum_desc *e, const char *s, int *v);

/* The field's value at p (the parent) is still the default. */
int libxl__field_is_default(const struct libxl__field *f, const void *p);

#endif /* LIBXL_TYPES_INTERNAL_H */
