/*
 * perm.c: Xen's node permissions.
 *
 * A node's permission list is "<letter><domid>" entries: the first names the
 * owner (who has full access) and its letter is what every domain not listed
 * gets; later entries grant n(one), r(ead), w(rite) or b(oth) to one domain.
 * Privileged connections (domain 0) may do anything.  A domain with a target
 * (a stub domain, SET_TARGET) also has its target's rights.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

unsigned int xsd_perm_for_conn(const struct xs_conn *conn,
			       const struct xs_perm *perms, uint32_t nperms)
{
	const struct xsd_domain *dom = conn->domain;
	bool has_target = dom && dom->has_target;
	uint32_t target = has_target ? dom->target : 0, i;
	unsigned int mask = 0;
	bool listed = false;

	if (conn->privileged)
		return XSD_PERM_BOTH | XSD_PERM_OWNER;
	if (!nperms)
		return 0;
	if (perms[0].id == conn->domid || (has_target && perms[0].id == target))
		return XSD_PERM_BOTH | XSD_PERM_OWNER;
	for (i = 1; i < nperms; i++) {
		if (perms[i].id == conn->domid ||
		    (has_target && perms[i].id == target)) {
			mask |= perms[i].perms;
			listed = true;
		}
	}
	return listed ? mask : perms[0].perms;
}

static int perm_letter(char c)
{
	switch (c) {
	case 'n':
		return XSD_PERM_NONE;
	case 'r':
		return XSD_PERM_READ;
	case 'w':
		return XSD_PERM_WRITE;
	case 'b':
		return XSD_PERM_BOTH;
	default:
		return -1;
	}
}

/* Parses "r5\0n0\0..." (every entry NUL-terminated); at least one. */
int xsd_perms_parse(const char *strings, size_t len, struct xs_perm **out,
		    uint32_t *nout)
{
	struct xs_perm *perms;
	uint32_t n = 0, i;
	size_t off;
	const char *s;
	char *end;
	unsigned long id;
	int letter;

	for (off = 0; off < len; off++)
		n += strings[off] == '\0';
	if (!n || strings[len - 1] != '\0')
		return -EINVAL;
	perms = malloc(n * sizeof(*perms));
	if (!perms)
		return -ENOMEM;
	for (i = 0, s = strings; i < n; i++, s += strlen(s) + 1) {
		letter = perm_letter(s[0]);
		if (letter < 0 || !s[1])
			goto bad;
		id = strtoul(s + 1, &end, 10);
		if (*end || id > 0xffff || s[1] == '-' || s[1] == '+' ||
		    s[1] == ' ')
			goto bad;
		perms[i].id = id;
		perms[i].perms = letter;
	}
	*out = perms;
	*nout = n;
	return 0;
bad:
	free(perms);
	return -EINVAL;
}

/* Formats as "r5\0n0\0"; returns the length or -1 if buf is too small. */
int xsd_perms_format(const struct xs_perm *perms, uint32_t nperms, char *buf,
		     size_t len)
{
	static const char letters[] = "nrwb";
	size_t used = 0;
	uint32_t i;
	int n;

	for (i = 0; i < nperms; i++) {
		n = snprintf(buf + used, len - used, "%c%u",
			     letters[perms[i].perms & XSD_PERM_BOTH],
			     perms[i].id);
		if (n < 0 || (size_t)n + 1 > len - used)
			return -1;
		used += n + 1;
	}
	return used;
}
