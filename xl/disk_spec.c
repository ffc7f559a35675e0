/*
 * xl/disk_spec.c: the disk spec grammar (xl-disk-configuration(5)).
 *
 * A spec is scanned like Xen's flex scanner does it: at each position every
 * rule is tried, the longest match wins and the earlier rule wins a tie.
 * The order matters and is kept: "cdrom" is the flag, never a target path;
 * "target=" takes the rest of the string; a deprecated "phy:" style prefix
 * counts as matching the whole rest (flex trailing context), so it beats a
 * positional item.  Positional items fill target, format, vdev, access.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

struct disk_ctx {
	XLU_Config *cfg;
	const char *spec;
	libxl_device_disk *disk;
	int err;
	int access_set;
	int had_depr_prefix;
};

static void disk_err(struct disk_ctx *d, const char *erroneous, const char *message)
{
	fprintf(d->cfg->report,
		"%s: config parsing error in disk specification: %s%s%s%s in "
		"`%s'\n",
		d->cfg->config_source, message, erroneous ? ": near `" : "",
		erroneous ? erroneous : "", erroneous ? "'" : "", d->spec);
	if (!d->err)
		d->err = EINVAL;
}

static void disk_savestring(struct disk_ctx *d, const char *what, char **update, const char *value)
{
	char msg[64];

	if (*update) {
		if (**update) {
			snprintf(msg, sizeof(msg), "%s respecified", what);
			disk_err(d, value, msg);
			return;
		}
		free(*update); /* overwriting an empty string is fine */
	}
	*update = strdup(value);
	if (!*update && !d->err)
		d->err = ENOMEM;
}

/* Sets an enum field unless already set to something else. */
static void disk_dset(struct disk_ctx *d, int *member, int value, const char *str, const char *name)
{
	char msg[64];

	if (*member != 0 && *member != value) {
		snprintf(msg, sizeof(msg), "%s respecified", name);
		disk_err(d, str, msg);
	} else {
		*member = value;
	}
}

static void disk_setaccess(struct disk_ctx *d, const char *s)
{
	if (!strcmp(s, "r") || !strcmp(s, "ro"))
		d->disk->readwrite = 0;
	else if (!strcmp(s, "rw") || !strcmp(s, "w") || !strcmp(s, ""))
		d->disk->readwrite = 1;
	else
		disk_err(d, s, "unknown value for access");
}

static void disk_setformat(struct disk_ctx *d, const char *s)
{
	static const struct {
		const char *name;
		libxl_disk_format format;
	} formats[] = {
		{ "", LIBXL_DISK_FORMAT_RAW },	    { "raw", LIBXL_DISK_FORMAT_RAW },
		{ "qcow", LIBXL_DISK_FORMAT_QCOW }, { "qcow2", LIBXL_DISK_FORMAT_QCOW2 },
		{ "vhd", LIBXL_DISK_FORMAT_VHD },   { "empty", LIBXL_DISK_FORMAT_EMPTY },
		{ "qed", LIBXL_DISK_FORMAT_QED },
	};
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (!strcmp(s, formats[i].name)) {
			disk_dset(d, (int *)&d->disk->format, formats[i].format, s, "format");
			return;
		}
	}
	disk_err(d, s, "unknown value for format");
}

static void disk_setbackendtype(struct disk_ctx *d, const char *s)
{
	libxl_disk_backend b;

	if (!strcmp(s, "phy"))
		b = LIBXL_DISK_BACKEND_PHY;
	else if (!strcmp(s, "tap"))
		b = LIBXL_DISK_BACKEND_TAP;
	else if (!strcmp(s, "qdisk"))
		b = LIBXL_DISK_BACKEND_QDISK;
	else if (!strcmp(s, "standalone"))
		b = LIBXL_DISK_BACKEND_STANDALONE;
	else {
		disk_err(d, s, "unknown value for backendtype");
		return;
	}
	disk_dset(d, (int *)&d->disk->backend, b, s, "backend");
}

static void disk_setspecification(struct disk_ctx *d, const char *s)
{
	if (!strcmp(s, "xen"))
		disk_dset(d, (int *)&d->disk->specification, LIBXL_DISK_SPECIFICATION_XEN, s,
			  "specification");
	else if (!strcmp(s, "virtio"))
		disk_dset(d, (int *)&d->disk->specification, LIBXL_DISK_SPECIFICATION_VIRTIO, s,
			  "specification");
	else
		disk_err(d, s, "unknown value for specification");
}

/* "<vdev>:<devtype>" positional item: 1 if it had a colon. */
static int disk_vdev_and_devtype(struct disk_ctx *d, char *s)
{
	char *colon = strrchr(s, ':');

	if (!colon)
		return 0;
	*colon++ = '\0';
	disk_savestring(d, "vdev", &d->disk->vdev, s);
	if (!strcmp(colon, "cdrom"))
		d->disk->is_cdrom = 1;
	else if (!strcmp(colon, "disk"))
		d->disk->is_cdrom = 0;
	else
		disk_err(d, colon, "unknown deprecated type");
	return 1;
}

/* ---- matching, one function per rule shape ---- */
static size_t rest_of_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl ? (size_t)(nl - s) : strlen(s);
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* literal "key=" then [^,]*, then an optional comma */
static size_t match_keyval(const char *s, const char *key)
{
	size_t n = strlen(key);

	if (strncmp(s, key, n))
		return 0;
	n += strcspn(s + n, ",");
	return s[n] == ',' ? n + 1 : n;
}

/* literal word then an optional comma */
static size_t match_flag(const char *s, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(s, word, n))
		return 0;
	return s[n] == ',' ? n + 1 : n;
}

/* literal "prefix:" with trailing context ".*": the whole line counts */
static size_t match_prefix(const char *s, const char *prefix, size_t *take)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) || s[n] != ':')
		return 0;
	*take = n + 1;
	return n + 1 + rest_of_line(s + n + 1);
}

enum disk_rule {
	R_BLANK,
	R_FORMAT,
	R_CDROM,
	R_DEVTYPE_CDROM,
	R_DEVTYPE_DISK,
	R_DEVTYPE_OTHER,
	R_ACCESS,
	R_BACKEND,
	R_BACKENDTYPE,
	R_SPECIFICATION,
	R_VDEV,
	R_SCRIPT,
	R_DIRECT_IO_SAFE,
	R_DISCARD,
	R_NO_DISCARD,
	R_COLO,
	R_NO_COLO,
	R_COLO_HOST,
	R_COLO_PORT,
	R_COLO_EXPORT,
	R_ACTIVE_DISK,
	R_HIDDEN_DISK,
	R_TARGET,
	R_UNKNOWN_PARAM,
	R_PREFIX_FORMAT,
	R_PREFIX_SCRIPT,
	R_PREFIX_IGNORED,
	R_PREFIX_UNKNOWN,
	R_POSITIONAL,
	R_NR,
};

static const char *const disk_keyvals[R_NR] = {
	[R_FORMAT] = "format=",
	[R_DEVTYPE_OTHER] = "devtype=",
	[R_ACCESS] = "access=",
	[R_BACKEND] = "backend=",
	[R_BACKENDTYPE] = "backendtype=",
	[R_SPECIFICATION] = "specification=",
	[R_VDEV] = "vdev=",
	[R_SCRIPT] = "script=",
	[R_COLO_HOST] = "colo-host=",
	[R_COLO_PORT] = "colo-port=",
	[R_COLO_EXPORT] = "colo-export=",
	[R_ACTIVE_DISK] = "active-disk=",
	[R_HIDDEN_DISK] = "hidden-disk=",
};

static const char *const disk_flags[R_NR] = {
	[R_CDROM] = "cdrom",
	[R_DEVTYPE_CDROM] = "devtype=cdrom",
	[R_DEVTYPE_DISK] = "devtype=disk",
	[R_DIRECT_IO_SAFE] = "direct-io-safe",
	[R_DISCARD] = "discard",
	[R_NO_DISCARD] = "no-discard",
	[R_COLO] = "colo",
	[R_NO_COLO] = "no-colo",
};

static int is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Length the rule would match at s (0: none); *take: bytes consumed. */
static size_t disk_match(enum disk_rule r, const char *s, size_t *take)
{
	static const char *const fmt_prefixes[] = { "raw", "qcow2", "qcow", "vhd" };
	static const char *const script_prefixes[] = { "iscsi", "enbd", "nbd", "drbd" };
	static const char *const ignored_prefixes[] = { "tapdisk", "tap2", "tap", "aio",
							"ioemu",   "file", "phy" };
	const char *const *list = NULL;
	size_t n = 0, i, nr = 0, best = 0;

	*take = 0;
	switch (r) {
	case R_BLANK:
		while (is_blank(s[n]))
			n++;
		if (!n)
			return 0;
		*take = n;
		/* trailing context ([^ \t\n].*)? counts towards the length */
		return s[n] ? n + 1 + rest_of_line(s + n + 1) : n;
	case R_TARGET:
		if (strncmp(s, "target=", 7))
			return 0;
		return *take = 7 + rest_of_line(s + 7);
	case R_UNKNOWN_PARAM:
		if (!is_lower(s[0]))
			return 0;
		n = 1;
		while (is_lower(s[n]) || is_digit(s[n]) || s[n] == '-')
			n++;
		if (s[n] != '=' || !s[n + 1] || s[n + 1] == ',')
			return 0;
		n += 2;
		return *take = s[n] == ',' ? n + 1 : n;
	case R_PREFIX_FORMAT:
		list = fmt_prefixes;
		nr = 4;
		break;
	case R_PREFIX_SCRIPT:
		list = script_prefixes;
		nr = 4;
		break;
	case R_PREFIX_IGNORED:
		list = ignored_prefixes;
		nr = 7;
		break;
	case R_PREFIX_UNKNOWN:
		if (!is_lower(s[0]))
			return 0;
		n = 1;
		while (is_lower(s[n]) || is_digit(s[n]))
			n++;
		if (s[n] != ':')
			return 0;
		*take = n + 1;
		if (s[n + 1] && s[n + 1] != '\n' && !is_lower(s[n + 1]) && !is_digit(s[n + 1]))
			return n + 2 + rest_of_line(s + n + 2);
		return n + 1;
	case R_POSITIONAL:
		n = strcspn(s, "=,");
		if (s[n] == ',')
			n++;
		return *take = n;
	default:
		if (disk_keyvals[r])
			return *take = match_keyval(s, disk_keyvals[r]);
		if (disk_flags[r])
			return *take = match_flag(s, disk_flags[r]);
		return 0;
	}
	for (i = 0; i < nr; i++) {
		size_t t, m = match_prefix(s, list[i], &t);

		if (m > best) {
			best = m;
			*take = t;
		}
	}
	return best;
}

static void strip(char *s, char delim)
{
	size_t n = strlen(s);

	if (n && s[n - 1] == delim)
		s[n - 1] = '\0';
}

/* Runs the action of rule r on its text; returns 0 to stop scanning. */
static int disk_action(struct disk_ctx *d, enum disk_rule r, char *text)
{
	libxl_device_disk *disk = d->disk;
	char *val = strchr(text, '=');
	char *script;

	val = val ? val + 1 : NULL;
	switch (r) {
	case R_BLANK:
		return 1;
	case R_CDROM:
	case R_DEVTYPE_CDROM:
		disk->is_cdrom = 1;
		return 1;
	case R_DEVTYPE_DISK:
		disk->is_cdrom = 0;
		return 1;
	case R_DEVTYPE_OTHER:
		disk_err(d, text, "unknown value for type");
		return 1;
	case R_DIRECT_IO_SAFE:
		disk->direct_io_safe = true;
		return 1;
	case R_DISCARD:
	case R_NO_DISCARD:
		libxl_defbool_set(&disk->discard_enable, r == R_DISCARD);
		return 1;
	case R_COLO:
	case R_NO_COLO:
		libxl_defbool_set(&disk->colo_enable, r == R_COLO);
		return 1;
	case R_UNKNOWN_PARAM:
		disk_err(d, text, "unknown parameter");
		return 1;
	case R_PREFIX_UNKNOWN:
		disk_err(d, text, "unknown deprecated disk prefix");
		return 0;
	default:
		break;
	}
	strip(text, r >= R_PREFIX_FORMAT && r <= R_PREFIX_IGNORED ? ':' : ',');
	switch (r) {
	case R_FORMAT:
		disk_setformat(d, val);
		break;
	case R_ACCESS:
		disk_setaccess(d, val);
		break;
	case R_BACKEND:
		disk_savestring(d, "backend", &disk->backend_domname, val);
		break;
	case R_BACKENDTYPE:
		disk_setbackendtype(d, val);
		break;
	case R_SPECIFICATION:
		disk_setspecification(d, val);
		break;
	case R_VDEV:
		disk_savestring(d, "vdev", &disk->vdev, val);
		break;
	case R_SCRIPT:
		disk_savestring(d, "script", &disk->script, val);
		break;
	case R_COLO_HOST:
		disk_savestring(d, "colo-host", &disk->colo_host, val);
		break;
	case R_COLO_PORT:
		if (atoi(val))
			disk->colo_port = atoi(val);
		else
			disk_err(d, val, "unknown value for colo_port");
		break;
	case R_COLO_EXPORT:
		disk_savestring(d, "colo-export", &disk->colo_export, val);
		break;
	case R_ACTIVE_DISK:
		disk_savestring(d, "active-disk", &disk->active_disk, val);
		break;
	case R_HIDDEN_DISK:
		disk_savestring(d, "hidden-disk", &disk->hidden_disk, val);
		break;
	case R_TARGET:
		disk_savestring(d, "target", &disk->pdev_path, val);
		break;
	case R_PREFIX_FORMAT:
		d->had_depr_prefix = 1;
		disk_setformat(d, text);
		break;
	case R_PREFIX_SCRIPT:
		d->had_depr_prefix = 1;
		if (asprintf(&script, "block-%s", text) < 0) {
			disk_err(d, text, "unable to format script");
			return 0;
		}
		disk_savestring(d, "script", &disk->script, script);
		free(script);
		break;
	case R_PREFIX_IGNORED:
		d->had_depr_prefix = 1;
		break;
	case R_POSITIONAL:
		if (d->err) {
			/* previous errors may just lead to subsequent ones */
		} else if (!disk->pdev_path) {
			disk_savestring(d, "target", &disk->pdev_path, text);
		} else if (!d->had_depr_prefix && disk->format == LIBXL_DISK_FORMAT_UNKNOWN) {
			if (!*disk->pdev_path && disk_vdev_and_devtype(d, text))
				disk->format = LIBXL_DISK_FORMAT_EMPTY;
			else
				disk_setformat(d, text);
		} else if (!disk->vdev) {
			if (!disk_vdev_and_devtype(d, text))
				disk_savestring(d, "vdev", &disk->vdev, text);
		} else if (!d->access_set) {
			d->access_set = 1;
			disk_setaccess(d, text);
		} else {
			disk_err(d, text, "too many positional parameters");
			return 0; /* don't print any more errors */
		}
		break;
	default:
		break;
	}
	return 1;
}

static void disk_scan(struct disk_ctx *d, const char *spec)
{
	const char *s = spec;

	while (*s) {
		enum disk_rule r, best_rule = R_NR;
		size_t best = 0, best_take = 0, len, take;
		char *text;
		int go_on;

		for (r = R_BLANK; r < R_NR; r++) {
			len = disk_match(r, s, &take);
			if (len > best) {
				best = len;
				best_take = take;
				best_rule = r;
			}
		}
		if (best_rule == R_NR || !best_take) {
			/*
			 * "." then <LEXERR>".*": the rest of the line; with
			 * nothing after it, flex just ends and nothing is said.
			 */
			if (!s[1])
				return;
			len = 1 + rest_of_line(s + 1);
			text = strndup(s, len);
			disk_err(d, text ? text : s, "bad disk syntax");
			free(text);
			return;
		}
		text = strndup(s, best_take);
		if (!text) {
			d->err = ENOMEM;
			return;
		}
		go_on = disk_action(d, best_rule, text);
		free(text);
		if (!go_on)
			return;
		s += best_take;
	}
}

int xlu_disk_parse(XLU_Config *cfg, int nspecs, const char *const *specs, libxl_device_disk *disk)
{
	struct disk_ctx d = { .cfg = cfg, .disk = disk, .spec = "" };
	int i;

	disk->readwrite = 1;
	for (i = 0; i < nspecs; i++) {
		d.spec = specs[i];
		disk_scan(&d, specs[i]);
		if (d.err)
			return d.err;
	}
	if (disk->format == LIBXL_DISK_FORMAT_UNKNOWN)
		disk->format = LIBXL_DISK_FORMAT_RAW;
	if (disk->is_cdrom) {
		disk->removable = 1;
		disk->readwrite = 0;
		if (!disk->pdev_path || !strcmp(disk->pdev_path, ""))
			disk->format = LIBXL_DISK_FORMAT_EMPTY;
	}
	if (!disk->vdev) {
		disk_err(&d, NULL, "no vdev specified");
		return d.err;
	}
	if (!disk->pdev_path && !disk->removable) {
		disk_err(&d, NULL,
			 "no target specified (and device not "
			 "removable)");
		return d.err;
	}
	return 0;
}
