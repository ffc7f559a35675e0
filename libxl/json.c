/*
 * libxl/json.c: libxl_domain_config to and from JSON, in Xen's shape.
 *
 * Output is yajl's beautified form (4-space indent, "{\n\n    }" for an
 * empty map, a final newline), keys in IDL order, and every field still at
 * its default left out, except aggregates (structs and keyed unions), which
 * Xen always prints.  A keyed union is one key "<keyname>.<case>" whose
 * value is the case's struct.  Input accepts what output produces and
 * ignores unknown keys, as libxl does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "types_internal.h"

static const void *cat(const void *p, size_t off)
{
	return (const char *)p + off;
}

static void *at(void *p, size_t off)
{
	return (char *)p + off;
}

static const struct libxl__union_case *json_union_case(const struct libxl__field *f,
						       const void *parent)
{
	int key = *(const int *)cat(parent, f->uni->key_offset);
	int i;

	for (i = 0; i < f->uni->nr; i++)
		if (f->uni->cases[i].key == key)
			return &f->uni->cases[i];
	return NULL;
}

/* ---- generation ---- */
static int gen_str(yajl_gen g, const char *s)
{
	if (!s)
		return yajl_gen_null(g);
	return yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static int gen_u64(yajl_gen g, uint64_t v)
{
	char buf[24];
	int n = snprintf(buf, sizeof(buf), "%" PRIu64, v);

	return yajl_gen_number(g, buf, (size_t)n);
}

static int gen_bitmap(yajl_gen g, const libxl_bitmap *b)
{
	uint32_t i;
	int s = yajl_gen_array_open(g);

	for (i = 0; !s && i < b->size * 8; i++)
		if (libxl_bitmap_test(b, (int)i))
			s = yajl_gen_integer(g, i);
	return s ? s : (int)yajl_gen_array_close(g);
}

static int gen_struct(yajl_gen g, const struct libxl__struct_desc *d, const void *p);

static int gen_field(yajl_gen g, const struct libxl__field *f, const void *p)
{
	const void *v = cat(p, f->offset);
	char buf[40];
	int s, i;

	switch (f->kind) {
	case LIBXL__K_STRING:
		return gen_str(g, *(char *const *)v);
	case LIBXL__K_INT:
		return yajl_gen_integer(g, *(const int *)v);
	case LIBXL__K_UINT8:
		return yajl_gen_integer(g, *(const uint8_t *)v);
	case LIBXL__K_UINT32:
		return yajl_gen_integer(g, *(const uint32_t *)v);
	case LIBXL__K_UINT64:
		return gen_u64(g, *(const uint64_t *)v);
	case LIBXL__K_BOOL:
		return yajl_gen_bool(g, *(const bool *)v);
	case LIBXL__K_DEFBOOL: {
		libxl_defbool db = *(const libxl_defbool *)v;

		return gen_str(g, libxl_defbool_is_default(db) ? "<default>"
				  : libxl_defbool_val(db)      ? "True"
							       : "False");
	}
	case LIBXL__K_ENUM:
		return gen_str(g, libxl__enum_to_string(f->enm, *(const int *)v));
	case LIBXL__K_UUID:
		libxl_uuid_to_string(v, buf);
		return gen_str(g, buf);
	case LIBXL__K_MAC: {
		const uint8_t *m = v;

		snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
			 m[4], m[5]);
		return gen_str(g, buf);
	}
	case LIBXL__K_BITMAP:
		return gen_bitmap(g, v);
	case LIBXL__K_STRING_LIST: {
		char *const *sl = *(char **const *)v;

		s = yajl_gen_array_open(g);
		for (i = 0; !s && sl && sl[i]; i++)
			s = gen_str(g, sl[i]);
		return s ? s : (int)yajl_gen_array_close(g);
	}
	case LIBXL__K_KV_LIST: {
		char *const *kv = *(char **const *)v;

		s = yajl_gen_map_open(g);
		for (i = 0; !s && kv && kv[i]; i += 2) {
			s = gen_str(g, kv[i]);
			if (!s)
				s = gen_str(g, kv[i + 1]);
		}
		return s ? s : (int)yajl_gen_map_close(g);
	}
	case LIBXL__K_STRUCT:
		return gen_struct(g, f->sub, v);
	case LIBXL__K_ARRAY: {
		const char *arr = *(const char *const *)v;
		int n = *(const int *)cat(p, f->count_offset);

		s = yajl_gen_array_open(g);
		for (i = 0; !s && arr && i < n; i++) {
			const void *e = arr + (size_t)i * f->elem_size;

			if (f->elem == LIBXL__K_STRUCT)
				s = gen_struct(g, f->sub, e);
			else if (f->elem == LIBXL__K_BITMAP)
				s = gen_bitmap(g, e);
			else if (f->elem == LIBXL__K_ENUM)
				s = gen_str(g, libxl__enum_to_string(f->enm, *(const int *)e));
			else
				s = yajl_gen_integer(g, *(const uint32_t *)e);
		}
		return s ? s : (int)yajl_gen_array_close(g);
	}
	default:
		return yajl_gen_generation_complete;
	}
}

static int gen_struct(yajl_gen g, const struct libxl__struct_desc *d, const void *p)
{
	int i, s = yajl_gen_map_open(g);

	for (i = 0; !s && i < d->nr; i++) {
		const struct libxl__field *f = &d->fields[i];
		const struct libxl__union_case *c;

		if (f->hidden || f->kind == LIBXL__K_NONE)
			continue;
		if (f->kind == LIBXL__K_UNION) {
			c = json_union_case(f, p);
			if (!c)
				continue;
			s = gen_str(g, c->json_key);
			if (!s && c->sub)
				s = gen_struct(g, c->sub, cat(p, f->offset));
			else if (!s && !(s = yajl_gen_map_open(g)))
				s = yajl_gen_map_close(g);
			continue;
		}
		if (libxl__field_is_default(f, p))
			continue;
		s = gen_str(g, f->name);
		if (!s)
			s = gen_field(g, f, p);
	}
	return s ? s : (int)yajl_gen_map_close(g);
}

char *libxl_domain_config_to_json(const libxl_domain_config *d_config)
{
	const unsigned char *buf;
	char *ret = NULL;
	size_t len;
	yajl_gen g;

	g = yajl_gen_alloc(NULL);
	if (!g)
		return NULL;
	yajl_gen_config(g, yajl_gen_beautify, 1);
	if (gen_struct(g, &libxl__domain_config_desc, d_config))
		goto out;
	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		goto out;
	ret = malloc(len + 1);
	if (!ret)
		goto out;
	memcpy(ret, buf, len);
	ret[len] = '\0';
out:
	yajl_gen_free(g);
	return ret;
}

/* ---- parsing ---- */
static char *dup_str(yajl_val v, int *rc)
{
	char *s;

	if (YAJL_IS_NULL(v))
		return NULL;
	if (!YAJL_IS_STRING(v)) {
		*rc = ERROR_INVAL;
		return NULL;
	}
	s = strdup(v->u.string);
	if (!s)
		*rc = ERROR_NOMEM;
	return s;
}

static int get_int(yajl_val v, long long *out)
{
	if (!YAJL_IS_INTEGER(v))
		return ERROR_INVAL;
	*out = YAJL_GET_INTEGER(v);
	return 0;
}

static int parse_bitmap(yajl_val v, libxl_bitmap *b)
{
	long long bit, max = -1;
	size_t i;
	int rc;

	if (!YAJL_IS_ARRAY(v))
		return ERROR_INVAL;
	for (i = 0; i < v->u.array.len; i++) {
		if (get_int(v->u.array.values[i], &bit) || bit < 0 || bit > 65535)
			return ERROR_INVAL;
		if (bit > max)
			max = bit;
	}
	rc = libxl_bitmap_alloc(b, (int)max + 1);
	for (i = 0; !rc && i < v->u.array.len; i++)
		libxl_bitmap_set(b, (int)YAJL_GET_INTEGER(v->u.array.values[i]));
	return rc;
}

static int parse_struct(const struct libxl__struct_desc *d, void *p, yajl_val o);

static int parse_array(const struct libxl__field *f, void *p, yajl_val v)
{
	void **arr = at(p, f->offset);
	int *count = at(p, f->count_offset);
	size_t i, n;
	long long x;
	int rc = 0;

	if (!YAJL_IS_ARRAY(v))
		return ERROR_INVAL;
	n = v->u.array.len;
	if (n > 65536)
		return ERROR_INVAL;
	*arr = calloc(n ? n : 1, f->elem_size);
	if (!*arr)
		return ERROR_NOMEM;
	for (i = 0; i < n; i++) {
		void *e = (char *)*arr + i * f->elem_size;
		yajl_val ev = v->u.array.values[i];

		/* Count each element once it is initialised, for dispose. */
		if (f->elem == LIBXL__K_STRUCT)
			libxl__struct_init(f->sub, e);
		*count = (int)i + 1;
		if (f->elem == LIBXL__K_STRUCT)
			rc = parse_struct(f->sub, e, ev);
		else if (f->elem == LIBXL__K_BITMAP)
			rc = parse_bitmap(ev, e);
		else if (f->elem == LIBXL__K_ENUM)
			rc = libxl__enum_from_string(f->enm, YAJL_GET_STRING(ev), e) ? ERROR_INVAL
										     : 0;
		else if (!(rc = get_int(ev, &x)))
			*(uint32_t *)e = (uint32_t)x;
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_field(const struct libxl__field *f, void *p, yajl_val v)
{
	void *dst = at(p, f->offset);
	long long x;
	size_t i;
	int rc = 0, e;
	const char *s;

	switch (f->kind) {
	case LIBXL__K_STRING:
		free(*(char **)dst);
		*(char **)dst = dup_str(v, &rc);
		return rc;
	case LIBXL__K_INT:
		if (!(rc = get_int(v, &x)))
			*(int *)dst = (int)x;
		return rc;
	case LIBXL__K_UINT8:
		if (!(rc = get_int(v, &x)))
			*(uint8_t *)dst = (uint8_t)x;
		return rc;
	case LIBXL__K_UINT32:
		if (!(rc = get_int(v, &x)))
			*(uint32_t *)dst = (uint32_t)x;
		return rc;
	case LIBXL__K_UINT64:
		/* yajl keeps the digits; big values do not fit long long */
		if (!YAJL_IS_NUMBER(v))
			return ERROR_INVAL;
		*(uint64_t *)dst = strtoull(YAJL_GET_NUMBER(v), NULL, 10);
		return 0;
	case LIBXL__K_BOOL:
		if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
			return ERROR_INVAL;
		*(bool *)dst = YAJL_IS_TRUE(v);
		return 0;
	case LIBXL__K_DEFBOOL:
		s = YAJL_GET_STRING(v);
		if (!s)
			return ERROR_INVAL;
		if (!strcmp(s, "True"))
			libxl_defbool_set(dst, true);
		else if (!strcmp(s, "False"))
			libxl_defbool_set(dst, false);
		else if (!strcmp(s, "<default>"))
			libxl_defbool_unset(dst);
		else
			return ERROR_INVAL;
		return 0;
	case LIBXL__K_ENUM:
		if (libxl__enum_from_string(f->enm, YAJL_GET_STRING(v), &e))
			return ERROR_INVAL;
		*(int *)dst = e;
		return 0;
	case LIBXL__K_UUID:
		s = YAJL_GET_STRING(v);
		return libxl_uuid_from_string(dst, s) ? ERROR_INVAL : 0;
	case LIBXL__K_MAC: {
		unsigned int m[6];
		char end;

		s = YAJL_GET_STRING(v);
		if (!s || sscanf(s, "%x:%x:%x:%x:%x:%x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
				 &end) != 6)
			return ERROR_INVAL;
		for (i = 0; i < 6; i++)
			((uint8_t *)dst)[i] = (uint8_t)m[i];
		return 0;
	}
	case LIBXL__K_BITMAP:
		libxl_bitmap_dispose(dst);
		return parse_bitmap(v, dst);
	case LIBXL__K_STRING_LIST:
	case LIBXL__K_KV_LIST: {
		int kv = f->kind == LIBXL__K_KV_LIST;
		size_t n = kv ? (YAJL_IS_OBJECT(v) ? v->u.object.len : 0)
			      : (YAJL_IS_ARRAY(v) ? v->u.array.len : 0);
		char **list;

		if (kv ? !YAJL_IS_OBJECT(v) : !YAJL_IS_ARRAY(v))
			return ERROR_INVAL;
		if (kv)
			libxl_key_value_list_dispose(dst);
		else
			libxl_string_list_dispose(dst);
		list = calloc(kv ? 2 * n + 2 : n + 1, sizeof(char *));
		if (!list)
			return ERROR_NOMEM;
		*(char ***)dst = list;
		for (i = 0; i < n && !rc; i++) {
			if (kv) {
				list[2 * i] = strdup(v->u.object.keys[i]);
				list[2 * i + 1] = dup_str(v->u.object.values[i], &rc);
				if (!list[2 * i])
					rc = ERROR_NOMEM;
			} else {
				list[i] = dup_str(v->u.array.values[i], &rc);
				if (!list[i] && !rc)
					rc = ERROR_INVAL;
			}
		}
		return rc;
	}
	case LIBXL__K_STRUCT:
		return parse_struct(f->sub, dst, v);
	case LIBXL__K_ARRAY:
		return parse_array(f, p, v);
	default:
		return 0;
	}
}

static int parse_union(const struct libxl__field *f, void *p, const char *key, yajl_val v)
{
	int i;

	for (i = 0; i < f->uni->nr; i++) {
		const struct libxl__union_case *c = &f->uni->cases[i];

		if (strcmp(c->json_key, key))
			continue;
		*(int *)at(p, f->uni->key_offset) = c->key;
		if (!c->sub)
			return 0;
		libxl__struct_init(c->sub, at(p, f->offset));
		return parse_struct(c->sub, at(p, f->offset), v);
	}
	return ERROR_INVAL;
}

static int parse_struct(const struct libxl__struct_desc *d, void *p, yajl_val o)
{
	size_t k;
	int i, rc;

	if (!YAJL_IS_OBJECT(o))
		return ERROR_INVAL;
	for (k = 0; k < o->u.object.len; k++) {
		const char *key = o->u.object.keys[k];
		yajl_val v = o->u.object.values[k];

		for (i = 0; i < d->nr; i++) {
			const struct libxl__field *f = &d->fields[i];

			if (f->kind == LIBXL__K_UNION) {
				const char *dot = strchr(key, '.');

				if (!dot)
					continue;
				rc = parse_union(f, p, key, v);
				if (rc)
					return rc;
				break;
			}
			if (f->hidden || f->kind == LIBXL__K_NONE || strcmp(f->name, key))
				continue;
			rc = parse_field(f, p, v);
			if (rc)
				return rc;
			break;
		}
	}
	return 0;
}

int libxl_domain_config_from_json(libxl_domain_config *d_config, const char *json)
{
	char err[128];
	yajl_val root;
	int rc;

	if (!json || !*json)
		return ERROR_JSON_CONFIG_EMPTY;
	root = yajl_tree_parse(json, err, sizeof(err));
	if (!root)
		return ERROR_INVAL;
	rc = parse_struct(&libxl__domain_config_desc, d_config, root);
	yajl_tree_free(root);
	return rc;
}
