/*
 * xl/vif_spec.c: the vif rate= value (xl-network-configuration(5)):
 * "<n>[GMK]<B|b>/s[@<n>[m|u][s]]", e.g. 10Mb/s@50ms.  The result is bytes
 * per interval and the interval in microseconds (50 ms by default), with
 * Xen's arithmetic: 10Mb/s is 1250000 B/s, i.e. 62500 bytes per 50 ms.
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

static void vif_err(XLU_Config *cfg, const char *msg, const char *rate)
{
	fprintf(cfg->report, "%s: config parsing error in vif: %s in `%s'\n", cfg->config_source,
		msg, rate);
}

static int vif_match(const char *re, const char *s)
{
	regex_t rec;
	int r;

	if (regcomp(&rec, re, REG_EXTENDED | REG_NOSUB))
		return 0;
	r = !regexec(&rec, s, 0, NULL, 0);
	regfree(&rec);
	return r;
}

static int vif_parse_bytes_per_sec(XLU_Config *cfg, const char *bytes, uint64_t *bytes_per_sec)
{
	const char *p = bytes;
	char *end;
	uint64_t tmp;

	if (!vif_match("^[0-9]+[GMK]?[Bb]/s$", bytes)) {
		vif_err(cfg, "invalid rate", bytes);
		return EINVAL;
	}
	errno = 0;
	tmp = strtoull(p, &end, 0);
	if (tmp == 0 || tmp > UINT32_MAX || errno == ERANGE) {
		vif_err(cfg, "rate overflow", bytes);
		return EOVERFLOW;
	}
	p = end;
	if (*p == 'G')
		tmp *= 1000 * 1000 * 1000;
	else if (*p == 'M')
		tmp *= 1000 * 1000;
	else if (*p == 'K')
		tmp *= 1000;
	if (*p == 'b' || *(p + 1) == 'b')
		tmp /= 8;
	*bytes_per_sec = tmp;
	return 0;
}

static int vif_parse_interval_usecs(XLU_Config *cfg, const char *interval, uint32_t *interval_usecs)
{
	char *p;
	uint64_t tmp;

	if (!vif_match("^[0-9]+[mu]?s?$", interval)) {
		vif_err(cfg, "invalid replenishment interval", interval);
		return EINVAL;
	}
	errno = 0;
	tmp = strtoull(interval, &p, 0);
	if (tmp == 0 || tmp > UINT32_MAX || errno == ERANGE) {
		vif_err(cfg, "replenishment interval overflow", interval);
		return EOVERFLOW;
	}
	if (*p == 's' || *p == '\0')
		tmp *= 1000 * 1000;
	else if (*p == 'm')
		tmp *= 1000;
	if (tmp > UINT32_MAX) {
		vif_err(cfg, "replenishment interval overflow", interval);
		return EOVERFLOW;
	}
	*interval_usecs = (uint32_t)tmp;
	return 0;
}

int xlu_vif_parse_rate(XLU_Config *cfg, const char *rate, libxl_device_nic *nic)
{
	uint64_t bytes_per_sec = 0;
	uint32_t interval_usecs = 50000; /* Xen's default: 50 ms */
	char *p, *tmprate;
	int rc;

	tmprate = strdup(rate);
	if (!tmprate)
		return ENOMEM;
	p = strchr(tmprate, '@');
	if (p)
		*p++ = '\0';
	if (!strcmp(tmprate, "")) {
		vif_err(cfg, "no rate specified", rate);
		rc = EINVAL;
		goto out;
	}
	rc = vif_parse_bytes_per_sec(cfg, tmprate, &bytes_per_sec);
	if (rc)
		goto out;
	if (p) {
		rc = vif_parse_interval_usecs(cfg, p, &interval_usecs);
		if (rc)
			goto out;
	}
	if (interval_usecs != 0 && bytes_per_sec > UINT64_MAX / interval_usecs) {
		vif_err(cfg, "rate overflow", rate);
		rc = EOVERFLOW;
		goto out;
	}
	nic->rate_interval_usecs = interval_usecs;
	nic->rate_bytes_per_interval = bytes_per_sec * interval_usecs / 1000000;
out:
	free(tmprate);
	return rc;
}
