/*
 * xl/parse_vsnd.c: vsnd = [ [ 'card, short-name=..', 'pcm, name=..',
 * 'stream, unique-id=.., type=p' ], ... ], the virtual sound cards.
 *
 * Each card is a list of items; an item starts with its kind (card, pcm or
 * stream) and goes on with that kind's parameters.  A pcm adds a device to
 * the card, a stream adds a stream to the last pcm.  The parameters
 * sample-rates, sample-formats, channels-min, channels-max and buffer-size
 * go to whichever of card, pcm or stream the item is about.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

#define XL_EXIT_ERR 1

static void *grow(void *arrayp, int *count, size_t size)
{
	void **array = arrayp;
	char *n = realloc(*array, size * ((size_t)*count + 1));

	if (!n)
		return NULL;
	*array = n;
	memset(n + size * (size_t)*count, 0, size);
	return n + size * (size_t)(*count)++;
}

static const char *opt(const char *token, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(token, name, n) || token[n] != '=')
		return NULL;
	return token + n + 1;
}

/* 1: not a params key; -1: error (reported); 0: done */
static int vsnd_params(libxl_vsnd_params *params, const char *token, FILE *report)
{
	char *copy, *item, *save = NULL;
	const char *arg;

	if ((arg = opt(token, "sample-rates"))) {
		copy = strdup(arg);
		for (item = copy ? strtok_r(copy, ";", &save) : NULL; item;
		     item = strtok_r(NULL, ";", &save)) {
			uint32_t *r =
				grow(&params->sample_rates, &params->num_sample_rates, sizeof(*r));

			if (!r)
				break;
			*r = (uint32_t)strtoul(item, NULL, 0);
		}
		free(copy);
	} else if ((arg = opt(token, "sample-formats"))) {
		copy = strdup(arg);
		for (item = copy ? strtok_r(copy, ";", &save) : NULL; item;
		     item = strtok_r(NULL, ";", &save)) {
			libxl_vsnd_pcm_format fmt, *f;

			if (libxl_vsnd_pcm_format_from_string(item, &fmt)) {
				fprintf(report, "Invalid pcm format: %s\n", item);
				free(copy);
				return -1;
			}
			f = grow(&params->sample_formats, &params->num_sample_formats, sizeof(*f));
			if (f)
				*f = fmt;
		}
		free(copy);
	} else if ((arg = opt(token, "channels-min"))) {
		params->channels_min = (uint32_t)strtoul(arg, NULL, 0);
	} else if ((arg = opt(token, "channels-max"))) {
		params->channels_max = (uint32_t)strtoul(arg, NULL, 0);
	} else if ((arg = opt(token, "buffer-size"))) {
		params->buffer_size = (uint32_t)strtoul(arg, NULL, 0);
	} else {
		return 1;
	}
	return 0;
}

static void set(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

static int vsnd_param(libxl_device_vsnd *vsnd, const char *key, const char *token, FILE *report)
{
	libxl_vsnd_pcm *pcm = vsnd->num_vsnd_pcms ? &vsnd->pcms[vsnd->num_vsnd_pcms - 1] : NULL;
	libxl_vsnd_stream *stream = NULL;
	libxl_vsnd_params *params = &vsnd->params;
	const char *arg;
	int r;

	if (!strcasecmp(key, "pcm") || !strcasecmp(key, "stream")) {
		if (!pcm) {
			fprintf(report, "No vsnd pcm device\n");
			return -1;
		}
		params = &pcm->params;
	}
	if (!strcasecmp(key, "stream")) {
		if (!pcm->num_vsnd_streams) {
			fprintf(report, "No vsnd stream\n");
			return -1;
		}
		stream = &pcm->streams[pcm->num_vsnd_streams - 1];
		params = &stream->params;
	}
	r = vsnd_params(params, token, report);
	if (r <= 0)
		return r;
	if (stream) {
		if ((arg = opt(token, "unique-id"))) {
			set(&stream->unique_id, arg);
			return 0;
		}
		if ((arg = opt(token, "type"))) {
			if (libxl_vsnd_stream_type_from_string(arg, &stream->type)) {
				fprintf(report, "Invalid stream type: %s\n", arg);
				return -1;
			}
			return 0;
		}
	} else if (params != &vsnd->params) {
		if ((arg = opt(token, "name"))) {
			set(&pcm->name, arg);
			return 0;
		}
	} else if ((arg = opt(token, "backend"))) {
		set(&vsnd->backend_domname, arg);
		return 0;
	} else if ((arg = opt(token, "short-name"))) {
		set(&vsnd->short_name, arg);
		return 0;
	} else if ((arg = opt(token, "long-name"))) {
		set(&vsnd->long_name, arg);
		return 0;
	}
	fprintf(report, "Invalid parameter: %s\n", token);
	return -1;
}

static int vsnd_new_item(libxl_device_vsnd *vsnd, const char *key, FILE *report)
{
	libxl_vsnd_pcm *pcm;
	libxl_vsnd_stream *stream;

	if (!strcasecmp(key, "card"))
		return 0;
	if (!strcasecmp(key, "pcm") || (!strcasecmp(key, "stream") && !vsnd->num_vsnd_pcms)) {
		pcm = grow(&vsnd->pcms, &vsnd->num_vsnd_pcms, sizeof(*pcm));
		if (!pcm)
			return -1;
		libxl_vsnd_pcm_init(pcm);
	}
	if (!strcasecmp(key, "pcm"))
		return 0;
	if (!strcasecmp(key, "stream")) {
		pcm = &vsnd->pcms[vsnd->num_vsnd_pcms - 1];
		stream = grow(&pcm->streams, &pcm->num_vsnd_streams, sizeof(*stream));
		if (!stream)
			return -1;
		libxl_vsnd_stream_init(stream);
		return 0;
	}
	fprintf(report, "Invalid key: %s\n", key);
	return -1;
}

static int vsnd_item(libxl_device_vsnd *vsnd, const char *spec, FILE *report)
{
	char *copy = strdup(spec), *token, *save = NULL, *key = NULL;
	int rc = 0;

	for (token = copy ? strtok_r(copy, ",", &save) : NULL; token && !rc;
	     token = strtok_r(NULL, ",", &save)) {
		while (*token == ' ')
			token++;
		if (!key) {
			key = token;
			rc = vsnd_new_item(vsnd, key, report);
		} else {
			rc = vsnd_param(vsnd, key, token, report);
		}
	}
	free(copy);
	return rc;
}

int xl_parse_vsnds(XLU_Config *config, libxl_domain_config *d, FILE *report)
{
	XLU_ConfigList *vsnds, *card;
	XLU_ConfigValue *value;
	const char *item;
	int i;

	if (xlu_cfg_get_list(config, "vsnd", &vsnds, 0, 0))
		return 0;
	while ((value = xlu_cfg_get_listitem2(vsnds, d->num_vsnds)) != NULL) {
		int idx = d->num_vsnds;
		libxl_device_vsnd *vsnd;

		if (xlu_cfg_value_get_list(config, value, &card, 0)) {
			fprintf(report, "Failed to get vsnd card list: %s\n", strerror(EINVAL));
			return XL_EXIT_ERR;
		}
		vsnd = grow(&d->vsnds, &d->num_vsnds, sizeof(*vsnd));
		if (!vsnd)
			return 255;
		libxl_device_vsnd_init(vsnd);
		vsnd->devid = idx;
		for (i = 0; (item = xlu_cfg_get_listitem(card, i)) != NULL; i++)
			if (vsnd_item(vsnd, item, report))
				return XL_EXIT_ERR;
	}
	return 0;
}
