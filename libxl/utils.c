/*
 * libxl/utils.c: the builtin types of the config model: defbool, uuid,
 * mac, bitmap and string lists, with Xen's semantics (a bitmap set "any"
 * sets every bit of its allocation; an unset defbool is "default").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid.h>

#include "libxl.h"

void libxl_defbool_set(libxl_defbool *db, bool b)
{
	db->val = b ? 1 : -1;
}

void libxl_defbool_unset(libxl_defbool *db)
{
	db->val = 0;
}

bool libxl_defbool_is_default(libxl_defbool db)
{
	return db.val == 0;
}

bool libxl_defbool_val(libxl_defbool db)
{
	return db.val > 0;
}

/* Xen accepts exactly the 8-4-4-4-12 hex form (libxl_uuid_from_string). */
int libxl_uuid_from_string(libxl_uuid *uuid, const char *in)
{
	static const int dash[] = { 8, 13, 18, 23 };
	uint8_t out[16];
	int i, j = 0, n = 0;

	if (!in || strlen(in) != 36)
		return ERROR_INVAL;
	for (i = 0; i < 36; i++) {
		int c = in[i], v;

		if (j < 4 && i == dash[j]) {
			if (c != '-')
				return ERROR_INVAL;
			j++;
			continue;
		}
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return ERROR_INVAL;
		if (n & 1)
			out[n / 2] |= (uint8_t)v;
		else
			out[n / 2] = (uint8_t)(v << 4);
		n++;
	}
	memcpy(uuid->uuid, out, 16);
	return 0;
}

void libxl_uuid_generate(libxl_uuid *uuid)
{
	uuid_generate(uuid->uuid);
}

bool libxl_uuid_is_nil(const libxl_uuid *uuid)
{
	static const uint8_t nil[16];

	return !memcmp(uuid->uuid, nil, 16);
}

void libxl_uuid_to_string(const libxl_uuid *uuid, char out[37])
{
	const uint8_t *u = uuid->uuid;

	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

bool libxl_mac_is_default(const libxl_mac *mac)
{
	static const uint8_t zero[6];

	return !memcmp(*mac, zero, 6);
}

void libxl_bitmap_init(libxl_bitmap *map)
{
	map->size = 0;
	map->map = NULL;
}

void libxl_bitmap_dispose(libxl_bitmap *map)
{
	free(map->map);
	libxl_bitmap_init(map);
}

int libxl_bitmap_alloc(libxl_bitmap *map, int nr_bits)
{
	uint32_t bytes;

	if (nr_bits < 0)
		return ERROR_INVAL;
	bytes = ((uint32_t)nr_bits + 7) / 8;
	free(map->map);
	map->map = calloc(bytes ? bytes : 1, 1);
	if (!map->map) {
		map->size = 0;
		return ERROR_NOMEM;
	}
	map->size = bytes;
	return 0;
}

int libxl_get_max_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return n > 0 ? (int)n : 1;
}

int libxl_cpu_bitmap_alloc(libxl_bitmap *map, int max_cpus)
{
	if (max_cpus <= 0)
		max_cpus = libxl_get_max_cpus();
	return libxl_bitmap_alloc(map, max_cpus);
}

int libxl_bitmap_copy_alloc(libxl_bitmap *dst, const libxl_bitmap *src)
{
	int rc = libxl_bitmap_alloc(dst, (int)src->size * 8);

	if (rc)
		return rc;
	if (src->size)
		memcpy(dst->map, src->map, src->size);
	return 0;
}

bool libxl_bitmap_test(const libxl_bitmap *map, int bit)
{
	if (bit < 0 || (uint32_t)bit >= map->size * 8)
		return false;
	return map->map[bit / 8] & (1u << (bit & 7));
}

/* Bits beyond the allocation are ignored, as in Xen. */
void libxl_bitmap_set(libxl_bitmap *map, int bit)
{
	if (bit < 0 || (uint32_t)bit >= map->size * 8)
		return;
	map->map[bit / 8] |= (uint8_t)(1u << (bit & 7));
}

void libxl_bitmap_reset(libxl_bitmap *map, int bit)
{
	if (bit < 0 || (uint32_t)bit >= map->size * 8)
		return;
	map->map[bit / 8] &= (uint8_t) ~(1u << (bit & 7));
}

void libxl_bitmap_set_any(libxl_bitmap *map)
{
	if (map->size)
		memset(map->map, 0xff, map->size);
}

void libxl_bitmap_set_none(libxl_bitmap *map)
{
	if (map->size)
		memset(map->map, 0, map->size);
}

bool libxl_bitmap_is_empty(const libxl_bitmap *map)
{
	uint32_t i;

	for (i = 0; i < map->size; i++)
		if (map->map[i])
			return false;
	return true;
}

int libxl_string_list_length(const libxl_string_list *sl)
{
	int n = 0;

	if (!*sl)
		return 0;
	while ((*sl)[n])
		n++;
	return n;
}

void libxl_string_list_dispose(libxl_string_list *sl)
{
	char **p = *sl;

	if (!p)
		return;
	while (*p)
		free(*p++);
	free(*sl);
	*sl = NULL;
}

void libxl_key_value_list_dispose(libxl_key_value_list *kvl)
{
	char **p = *kvl;

	if (!p)
		return;
	/* key, value pairs; a value may be NULL, the list ends at a NULL key */
	for (; p[0]; p += 2) {
		free(p[0]);
		free(p[1]);
	}
	free(*kvl);
	*kvl = NULL;
}
