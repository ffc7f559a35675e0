/*
 * xl/parse_devices.c: the device lists of xl.cfg (disk, vif, vfb, vkb,
 * channel, p9, vtpm, vdispl, pvcalls, usbctrl, usbdev, pci) into
 * libxl_domain_config, with Xen's quirks kept where they show in the JSON:
 * devices get devid = their index, except disks, pci and usbdev (no devid)
 * and p9 (Xen initialises it twice, so its devid stays -1 and is not
 * printed); each vfb brings a vkb; a vif token Xen does not know is
 * reported and skipped.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define XL_EXIT_ERR 1

/* Appends one zeroed element; NULL when out of memory. */
static void *array_extend(void *arrayp, int *count, size_t size)
{
	void **array = arrayp;
	char *n = realloc(*array, size * ((size_t)*count + 1));

	if (!n)
		return NULL;
	*array = n;
	memset(n + size * (size_t)*count, 0, size);
	return n + size * (size_t)(*count)++;
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

int xl_parse_disks(XLU_Config *config, libxl_domain_config *d)
{
	XLU_ConfigList *vbds;
	const char *buf;
	int e;

	if (xlu_cfg_get_list(config, "disk", &vbds, 0, 0))
		return 0;
	while ((buf = xlu_cfg_get_listitem(vbds, d->num_disks)) != NULL) {
		libxl_device_disk *disk = array_extend(&d->disks, &d->num_disks, sizeof(*disk));

		if (!disk)
			return 255;
		libxl_device_disk_init(disk);
		e = xlu_disk_parse(config, 1, &buf, disk);
		if (e == EINVAL)
			return XL_EXIT_ERR;
		if (e) {
			fprintf(xlu_cfg_report(config), "xlu_disk_parse failed: %s\n", strerror(e));
			return XL_EXIT_ERR;
		}
	}
	return 0;
}

/* "k=v,k=v" items of p9, vtpm and pvcalls specs; stops at an item with
 * no "=", as Xen does.  Calls fn for each pair; fn returns an exit status. */
static int for_each_pair(const char *spec, int (*fn)(void *ctx, const char *k, const char *v),
			 void *ctx)
{
	char *buf = strdup(spec), *p, *eq, *save = NULL;
	int rc = 0;

	if (!buf)
		return 255;
	for (p = strtok_r(buf, ",", &save); p && !rc; p = strtok_r(NULL, ",", &save)) {
		while (*p == ' ')
			p++;
		eq = strchr(p, '=');
		if (!eq)
			break;
		*eq = '\0';
		rc = fn(ctx, p, eq + 1);
	}
	free(buf);
	return rc;
}

struct p9_parse {
	libxl_device_p9 *p9;
	FILE *report;
	char *security_model, *path, *tag, *backend;
};

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
}

static int p9_pair(void *ctx, const char *k, const char *v)
{
	struct p9_parse *p = ctx;

	if (!strcmp(k, "security_model"))
		set_str(&p->security_model, v);
	else if (!strcmp(k, "path"))
		set_str(&p->path, v);
	else if (!strcmp(k, "tag"))
		set_str(&p->tag, v);
	else if (!strcmp(k, "backend"))
		set_str(&p->backend, v);
	else {
		fprintf(p->report, "Unknown string `%s' in 9pfs spec\n", k);
		return XL_EXIT_ERR;
	}
	return 0;
}

int xl_parse_p9s(XLU_Config *config, libxl_domain_config *d, FILE *report)
{
	struct p9_parse p = { .report = report };
	XLU_ConfigList *list;
	const char *buf;
	int rc = 0;

	if (xlu_cfg_get_list(config, "p9", &list, 0, 0))
		return 0;
	while ((buf = xlu_cfg_get_listitem(list, d->num_p9s)) != NULL) {
		p.p9 = array_extend(&d->p9s, &d->num_p9s, sizeof(*p.p9));
		if (!p.p9)
			return 255;
		/* Xen sets devid to the index, then re-initialises: -1 */
		libxl_device_p9_init(p.p9);
		rc = for_each_pair(buf, p9_pair, &p);
		if (rc)
			break;
		if (!p.path || !p.security_model || !p.tag) {
			fprintf(report, "9pfs spec missing required field!\n");
			rc = XL_EXIT_ERR;
			break;
		}
		set_str(&p.p9->tag, p.tag);
		set_str(&p.p9->security_model, p.security_model);
		set_str(&p.p9->path, p.path);
		if (p.backend)
			set_str(&p.p9->backend_domname, p.backend);
	}
	free(p.security_model);
	free(p.path);
	free(p.tag);
	free(p.backend);
	return rc;
}

struct vtpm_parse {
	libxl_device_vtpm *vtpm;
	FILE *report;
	int got_backend;
};

static int vtpm_pair(void *ctx, const char *k, const char *v)
{
	struct vtpm_parse *p = ctx;

	if (!strcmp(k, "backend")) {
		set_str(&p->vtpm->backend_domname, v);
		p->got_backend = 1;
	} else if (!strcmp(k, "uuid")) {
		if (libxl_uuid_from_string(&p->vtpm->uuid, v)) {
			fprintf(p->report, "Failed to parse vtpm UUID: %s\n", v);
			return XL_EXIT_ERR;
		}
	} else {
		fprintf(p->report, "Unknown string `%s' in vtpm spec\n", k);
		return XL_EXIT_ERR;
	}
	return 0;
}

int xl_parse_vtpms(XLU_Config *config, libxl_domain_config *d, FILE *report)
{
	struct vtpm_parse p = { .report = report };
	XLU_ConfigList *list;
	const char *buf;
	int rc;

	if (xlu_cfg_get_list(config, "vtpm", &list, 0, 0))
		return 0;
	while ((buf = xlu_cfg_get_listitem(list, d->num_vtpms)) != NULL) {
		int idx = d->num_vtpms;

		p.vtpm = array_extend(&d->vtpms, &d->num_vtpms, sizeof(*p.vtpm));
		if (!p.vtpm)
			return 255;
		libxl_device_vtpm_init(p.vtpm);
		p.vtpm->devid = idx;
		p.got_backend = 0;
		rc = for_each_pair(buf, vtpm_pair, &p);
		if (rc)
			return rc;
		if (!p.got_backend) {
			fprintf(report, "vtpm spec missing required backend "
					"field!\n");
			return XL_EXIT_ERR;
		}
	}
	return 0;
}

static int vdispl_token(libxl_device_vdispl *v, char *token, FILE *report)
{
	char *save = NULL, *conn;

	if (!strncmp(token, "backend=", 8)) {
		set_str(&v->backend_domname, token + 8);
	} else if (!strncmp(token, "be-alloc=", 9)) {
		v->be_alloc = strtoul(token + 9, NULL, 0);
	} else if (!strncmp(token, "connectors=", 11)) {
		for (conn = strtok_r(token + 11, ";", &save); conn;
		     conn = strtok_r(NULL, ";", &save)) {
			libxl_connector_param *c =
				array_extend(&v->connectors, &v->num_connectors, sizeof(*c));
			char *colon = strchr(conn, ':');

			if (!c)
				return 255;
			if (!colon || sscanf(colon + 1, "%ux%u", &c->width, &c->height) != 2) {
				fprintf(report, "Can't parse connector "
						"resolution\n");
				return XL_EXIT_ERR;
			}
			c->unique_id = strndup(conn, (size_t)(colon - conn));
		}
	} else {
		fprintf(report, "Unknown string \"%s\" in vdispl spec\n", token);
		return XL_EXIT_ERR;
	}
	return 0;
}

int xl_parse_vdispls(XLU_Config *config, libxl_domain_config *d, FILE *report)
{
	XLU_ConfigList *list;
	const char *buf;
	int rc = 0;

	if (xlu_cfg_get_list(config, "vdispl", &list, 0, 0))
		return 0;
	while ((buf = xlu_cfg_get_listitem(list, d->num_vdispls)) != NULL) {
		int idx = d->num_vdispls;
		libxl_device_vdispl *v = array_extend(&d->vdispls, &d->num_vdispls, sizeof(*v));
		char *copy = strdup(buf), *p, *save = NULL;

		if (!v || !copy) {
			free(copy);
			return 255;
		}
		libxl_device_vdispl_init(v);
		v->devid = idx;
		for (p = strtok_r(copy, ",", &save); p && !rc; p = strtok_r(NULL, ",", &save)) {
			while (*p == ' ')
				p++;
			rc = vdispl_token(v, p, report);
		}
		free(copy);
		if (rc)
			return rc;
		if (!v->num_connectors) {
			fprintf(report, "At least one connector should be "
					"specified.\n");
			return XL_EXIT_ERR;
		}
	}
	return 0;
}

struct pvcalls_parse {
	libxl_device_pvcallsif *dev;
	FILE *report;
};

static int pvcalls_pair(void *ctx, const char *k, const char *v)
{
	struct pvcalls_parse *p = ctx;

	if (strcmp(k, "backend")) {
		fprintf(p->report, "Unknown string `%s' in pvcalls spec\n", k);
		return XL_EXIT_ERR;
	}
	set_str(&p->dev->backend_domname, v);
	return 0;
}

int xl_parse_pvcalls(XLU_Config *config, libxl_domain_config *d, FILE *report)
{
	struct pvcalls_parse p = { .report = report };
	XLU_ConfigList *list;
	const char *buf;
	int rc;

	if (xlu_cfg_get_list(config, "pvcalls", &list, 0, 0))
		return 0;
	while ((buf = xlu_cfg_get_listitem(list, d->num_pvcallsifs)) != NULL) {
		int idx = d->num_pvcallsifs;

		p.dev = array_extend(&d->pvcallsifs, &d->num_pvcallsifs, sizeof(*p.dev));
		if (!p.dev)
			return 255;
		libxl_device_pvcallsif_init(p.dev);
		p.dev->devid = idx;
		rc = for_each_pair(buf, pvcalls_pair, &p);
		if (rc)
			return rc;
	}
	return 0;
}

static int channel_item(libxl_device_channel *chn, const char *item, char **path, FILE *report)
{
	const char *orig = item, *eq;
	char *key, *value;
	int rc = 0;

	/* Xen splits with strtok: "k=v" needs a non-empty k and v */
	while (*item == '=')
		item++;
	eq = strchr(item, '=');
	if (!*item || !eq || !eq[1 + strspn(eq + 1, "=")]) {
		fprintf(report, "failed to parse channel configuration: %s", orig);
		return XL_EXIT_ERR;
	}
	key = trim_dup(item, (size_t)(eq - item));
	value = trim_dup(eq + 1 + strspn(eq + 1, "="), strcspn(eq + 1 + strspn(eq + 1, "="), "="));
	if (!key || !value) {
		rc = 255;
	} else if (!strcmp(key, "backend")) {
		set_str(&chn->backend_domname, value);
	} else if (!strcmp(key, "name")) {
		set_str(&chn->name, value);
	} else if (!strcmp(key, "path")) {
		set_str(path, value);
	} else if (!strcmp(key, "connection")) {
		if (!strcmp(value, "pty")) {
			chn->connection = LIBXL_CHANNEL_CONNECTION_PTY;
		} else if (!strcmp(value, "socket")) {
			chn->connection = LIBXL_CHANNEL_CONNECTION_SOCKET;
		} else {
			fprintf(report, "unknown channel connection '%s'\n", value);
			rc = XL_EXIT_ERR;
		}
	} else {
		fprintf(report, "unknown channel parameter '%s', ignoring\n", key);
	}
	free(key);
	free(value);
	return rc;
}

int xl_parse_channels(XLU_Config *config, libxl_domain_config *d, FILE *report)
{
	XLU_ConfigList *list;
	const char *buf;
	int rc = 0;

	if (xlu_cfg_get_list(config, "channel", &list, 0, 0))
		return 0;
	while ((buf = xlu_cfg_get_listitem(list, d->num_channels)) != NULL) {
		int idx = d->num_channels;
		libxl_device_channel *chn =
			array_extend(&d->channels, &d->num_channels, sizeof(*chn));
		char *copy = strdup(buf), *item, *save = NULL, *path = NULL;

		if (!chn || !copy) {
			free(copy);
			return 255;
		}
		libxl_device_channel_init(chn);
		chn->devid = idx;
		for (item = strtok_r(copy, ",", &save); item && !rc;
		     item = strtok_r(NULL, ",", &save))
			rc = channel_item(chn, item, &path, report);
		free(copy);
		if (!rc) {
			switch (chn->connection) {
			case LIBXL_CHANNEL_CONNECTION_UNKNOWN:
				fprintf(report, "channel has unknown "
						"'connection'\n");
				rc = XL_EXIT_ERR;
				break;
			case LIBXL_CHANNEL_CONNECTION_SOCKET:
				if (!path) {
					fprintf(report, "channel connection "
							"'socket' requires "
							"path=..\n");
					rc = XL_EXIT_ERR;
					break;
				}
				chn->u.socket.path = strdup(path);
				break;
			default:
				break;
			}
		}
		free(path);
		if (rc)
			return rc;
	}
	return 0;
}

/* Xen's MATCH_OPTION: token starts with "<name>=". */
static const char *nic_opt(const char *token, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(token, name, n) || token[n] != '=')
		return NULL;
	return token + n + 1;
}

static unsigned long nic_ulong(const char *s, FILE *report, int *status)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (end == s || v == ULONG_MAX) {
		fprintf(report, "xl: failed to convert \"%s\" to number\n", s);
		*status = XL_EXIT_ERR;
	}
	return v;
}

int xl_parse_nic_token(XLU_Config *config, libxl_device_nic *nic, char *token, FILE *report,
		       int *exit_status)
{
	static const struct {
		const char *name;
		size_t offset;
	} strs[] = {
		{ "bridge", offsetof(libxl_device_nic, bridge) },
		{ "gatewaydev", offsetof(libxl_device_nic, gatewaydev) },
		{ "ip", offsetof(libxl_device_nic, ip) },
		{ "script", offsetof(libxl_device_nic, script) },
		{ "backend", offsetof(libxl_device_nic, backend_domname) },
		{ "vifname", offsetof(libxl_device_nic, ifname) },
		{ "model", offsetof(libxl_device_nic, model) },
		{ "forwarddev", offsetof(libxl_device_nic, coloft_forwarddev) },
	};
	const char *arg;
	char *end;
	size_t i;
	int e;

	if ((arg = nic_opt(token, "type"))) {
		if (!strcmp(arg, "vif")) {
			nic->nictype = LIBXL_NIC_TYPE_VIF;
		} else if (!strcmp(arg, "ioemu")) {
			nic->nictype = LIBXL_NIC_TYPE_VIF_IOEMU;
		} else {
			fprintf(report, "Invalid parameter `type'.\n");
			return 1;
		}
		return 0;
	}
	if ((arg = nic_opt(token, "mac"))) {
		for (i = 0; i < 6; i++) {
			unsigned long val = strtoul(arg, &end, 16);

			if (arg == end || val > 255) {
				fprintf(report, "Invalid parameter `mac'.\n");
				return 1;
			}
			nic->mac[i] = (uint8_t)val;
			if (!*end && i < 5) {
				/* Xen reads past the end here; we stop */
				fprintf(report, "Invalid parameter `mac'.\n");
				return 1;
			}
			arg = end + 1;
		}
		return 0;
	}
	if ((arg = nic_opt(token, "netdev"))) {
		fprintf(report, "the netdev parameter is deprecated, please use "
				"gatewaydev instead\n");
		set_str(&nic->gatewaydev, arg);
		return 0;
	}
	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if ((arg = nic_opt(token, strs[i].name))) {
			set_str((char **)((char *)nic + strs[i].offset), arg);
			return 0;
		}
	}
	if ((arg = nic_opt(token, "rate"))) {
		e = xlu_vif_parse_rate(config, arg, nic);
		if (e == EINVAL || e == EOVERFLOW) {
			*exit_status = XL_EXIT_ERR;
		} else if (e) {
			fprintf(report, "xlu_vif_parse_rate failed: %s\n", strerror(e));
			*exit_status = XL_EXIT_ERR;
		}
		return 0;
	}
	for (i = 0; i < LIBXL_NIC_COLO_KEYS; i++) {
		if ((arg = nic_opt(token, libxl_nic_colo_keys[i]))) {
			set_str(&nic->colo[i], arg);
			return 0;
		}
	}
	if (nic_opt(token, "accel")) {
		fprintf(report, "the accel parameter for vifs is currently not "
				"supported\n");
		return 0;
	}
	if ((arg = nic_opt(token, "devid"))) {
		nic->devid = (int)nic_ulong(arg, report, exit_status);
		return 0;
	}
	if ((arg = nic_opt(token, "mtu"))) {
		nic->mtu = (int)nic_ulong(arg, report, exit_status);
		return 0;
	}
	fprintf(report, "unrecognized argument `%s'\n", token);
	return 1;
}

int xl_parse_nics(const struct xl_global_config *gc, XLU_Config *config, libxl_domain_config *d,
		  FILE *report)
{
	XLU_ConfigList *nics;
	const char *buf;
	int status = 0;

	if (xlu_cfg_get_list(config, "vif", &nics, 0, 0))
		return 0;
	while ((buf = xlu_cfg_get_listitem(nics, d->num_nics)) != NULL) {
		int idx = d->num_nics;
		libxl_device_nic *nic = array_extend(&d->nics, &d->num_nics, sizeof(*nic));
		char *copy = strdup(buf), *p, *save = NULL;

		if (!nic || !copy) {
			free(copy);
			return 255;
		}
		libxl_device_nic_init(nic);
		nic->devid = idx;
		if (gc->default_vifscript)
			set_str(&nic->script, gc->default_vifscript);
		if (gc->default_bridge)
			set_str(&nic->bridge, gc->default_bridge);
		if (gc->default_gatewaydev)
			set_str(&nic->gatewaydev, gc->default_gatewaydev);
		if (gc->default_vifbackend)
			set_str(&nic->backend_domname, gc->default_vifbackend);
		for (p = strtok_r(copy, ",", &save); p && !status; p = strtok_r(NULL, ",", &save)) {
			while (*p == ' ')
				p++;
			/* Xen reports a bad token and carries on */
			xl_parse_nic_token(config, nic, p, report, &status);
		}
		free(copy);
		if (status)
			return status;
	}
	return 0;
}

static void vfb_token(libxl_device_vfb *vfb, const char *k, const char *v)
{
	if (!strcmp(k, "vnc"))
		libxl_defbool_set(&vfb->vnc.enable, atoi(v));
	else if (!strcmp(k, "vnclisten"))
		set_str(&vfb->vnc.listen, v);
	else if (!strcmp(k, "vncpasswd"))
		set_str(&vfb->vnc.passwd, v);
	else if (!strcmp(k, "vncdisplay"))
		vfb->vnc.display = atoi(v);
	else if (!strcmp(k, "vncunused"))
		libxl_defbool_set(&vfb->vnc.findunused, atoi(v));
	else if (!strcmp(k, "keymap"))
		set_str(&vfb->keymap, v);
	else if (!strcmp(k, "sdl"))
		libxl_defbool_set(&vfb->sdl.enable, atoi(v));
	else if (!strcmp(k, "opengl"))
		libxl_defbool_set(&vfb->sdl.opengl, atoi(v));
	else if (!strcmp(k, "display"))
		set_str(&vfb->sdl.display, v);
	else if (!strcmp(k, "xauthority"))
		set_str(&vfb->sdl.xauthority, v);
}

int xl_parse_vfbs(XLU_Config *config, libxl_domain_config *d)
{
	XLU_ConfigList *list;
	const char *buf;

	if (xlu_cfg_get_list(config, "vfb", &list, 0, 0))
		return 0;
	while ((buf = xlu_cfg_get_listitem(list, d->num_vfbs)) != NULL) {
		int vfb_idx = d->num_vfbs, vkb_idx = d->num_vkbs;
		libxl_device_vfb *vfb = array_extend(&d->vfbs, &d->num_vfbs, sizeof(*vfb));
		libxl_device_vkb *vkb =
			vfb ? array_extend(&d->vkbs, &d->num_vkbs, sizeof(*vkb)) : NULL;
		char *copy = strdup(buf), *p, *eq, *save = NULL;

		if (!vfb || !vkb || !copy) {
			free(copy);
			return 255;
		}
		libxl_device_vfb_init(vfb);
		vfb->devid = vfb_idx;
		libxl_device_vkb_init(vkb);
		vkb->devid = vkb_idx;
		for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			while (*p == ' ')
				p++;
			eq = strchr(p, '=');
			if (!eq)
				break;
			*eq = '\0';
			vfb_token(vfb, p, eq + 1);
		}
		free(copy);
	}
	return 0;
}

static int usbctrl_token(libxl_device_usbctrl *u, const char *t, FILE *report)
{
	const char *arg;

	if ((arg = nic_opt(t, "type"))) {
		if (libxl_usbctrl_type_from_string(arg, &u->type)) {
			fprintf(report, "Invalid usb controller type '%s'\n", arg);
			return 1;
		}
	} else if ((arg = nic_opt(t, "version"))) {
		u->version = atoi(arg);
	} else if ((arg = nic_opt(t, "ports"))) {
		u->ports = atoi(arg);
	} else {
		fprintf(report, "Unknown string `%s' in usbctrl spec\n", t);
		return 1;
	}
	return 0;
}

static int usbdev_token(libxl_device_usbdev *u, const char *t, FILE *report)
{
	const char *arg;

	if ((arg = nic_opt(t, "type"))) {
		if (libxl_usbdev_type_from_string(arg, &u->type)) {
			/* Xen prints getopt's optarg here, NULL in a config */
			fprintf(report, "Invalid usb device type: (null)\n");
			return 1;
		}
	} else if ((arg = nic_opt(t, "hostbus"))) {
		u->u.hostdev.hostbus = (uint8_t)strtoul(arg, NULL, 0);
	} else if ((arg = nic_opt(t, "hostaddr"))) {
		u->u.hostdev.hostaddr = (uint8_t)strtoul(arg, NULL, 0);
	} else if ((arg = nic_opt(t, "controller"))) {
		u->ctrl = atoi(arg);
	} else if ((arg = nic_opt(t, "port"))) {
		u->port = atoi(arg);
	} else {
		fprintf(report, "Unknown string `%s' in usbdev spec\n", t);
		return 1;
	}
	return 0;
}

int xl_parse_usb(XLU_Config *config, libxl_domain_config *d, FILE *report)
{
	XLU_ConfigList *list;
	const char *buf;
	char *copy, *p, *save;

	if (!xlu_cfg_get_list(config, "usbctrl", &list, 0, 0)) {
		while ((buf = xlu_cfg_get_listitem(list, d->num_usbctrls))) {
			int idx = d->num_usbctrls;
			libxl_device_usbctrl *u =
				array_extend(&d->usbctrls, &d->num_usbctrls, sizeof(*u));

			if (!u || !(copy = strdup(buf)))
				return 255;
			libxl_device_usbctrl_init(u);
			u->devid = idx;
			save = NULL;
			for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
				while (*p == ' ')
					p++;
				if (usbctrl_token(u, p, report)) {
					free(copy);
					return XL_EXIT_ERR;
				}
			}
			free(copy);
		}
	}
	if (!xlu_cfg_get_list(config, "usbdev", &list, 0, 0)) {
		while ((buf = xlu_cfg_get_listitem(list, d->num_usbdevs))) {
			libxl_device_usbdev *u =
				array_extend(&d->usbdevs, &d->num_usbdevs, sizeof(*u));

			if (!u || !(copy = strdup(buf)))
				return 255;
			libxl_device_usbdev_init(u);
			save = NULL;
			for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
				while (*p == ' ')
					p++;
				if (usbdev_token(u, p, report)) {
					free(copy);
					return XL_EXIT_ERR;
				}
			}
			free(copy);
		}
	}
	return 0;
}

static int vkb_token(libxl_device_vkb *vkb, const char *t, FILE *report)
{
	static const struct {
		const char *name;
		size_t offset;
		int is_bool;
	} nums[] = {
		{ "feature-disable-keyboard", offsetof(libxl_device_vkb, feature_disable_keyboard),
		  1 },
		{ "feature-disable-pointer", offsetof(libxl_device_vkb, feature_disable_pointer),
		  1 },
		{ "feature-abs-pointer", offsetof(libxl_device_vkb, feature_abs_pointer), 1 },
		{ "feature-raw-pointer", offsetof(libxl_device_vkb, feature_raw_pointer), 1 },
		{ "feature-multi-touch", offsetof(libxl_device_vkb, feature_multi_touch), 1 },
		{ "multi-touch-width", offsetof(libxl_device_vkb, multi_touch_width), 0 },
		{ "multi-touch-height", offsetof(libxl_device_vkb, multi_touch_height), 0 },
		{ "multi-touch-num-contacts", offsetof(libxl_device_vkb, multi_touch_num_contacts),
		  0 },
		{ "width", offsetof(libxl_device_vkb, width), 0 },
		{ "height", offsetof(libxl_device_vkb, height), 0 },
	};
	const char *arg;
	size_t i;

	if ((arg = nic_opt(t, "backend"))) {
		set_str(&vkb->backend_domname, arg);
		return 0;
	}
	if ((arg = nic_opt(t, "backend-type"))) {
		if (libxl_vkb_backend_from_string(arg, &vkb->backend_type)) {
			fprintf(report,
				"Unknown backend_type \"%s\" in vkb "
				"spec\n",
				arg);
			return 1;
		}
		return 0;
	}
	if ((arg = nic_opt(t, "unique-id"))) {
		set_str(&vkb->unique_id, arg);
		return 0;
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		void *f = (char *)vkb + nums[i].offset;
		unsigned long v;

		if (!(arg = nic_opt(t, nums[i].name)))
			continue;
		v = strtoul(arg, NULL, 0);
		if (nums[i].is_bool)
			*(bool *)f = v != 0;
		else
			*(uint32_t *)f = (uint32_t)v;
		return 0;
	}
	fprintf(report, "Unknown string \"%s\" in vkb spec\n", t);
	return 1;
}

int xl_parse_vkbs(XLU_Config *config, libxl_domain_config *d, FILE *report)
{
	XLU_ConfigList *list;
	const char *buf;
	int entry = 0;

	if (xlu_cfg_get_list(config, "vkb", &list, 0, 0))
		return 0;
	while ((buf = xlu_cfg_get_listitem(list, entry)) != NULL) {
		int idx = d->num_vkbs;
		libxl_device_vkb *vkb = array_extend(&d->vkbs, &d->num_vkbs, sizeof(*vkb));
		char *copy = strdup(buf), *p, *save = NULL;

		if (!vkb || !copy) {
			free(copy);
			return 255;
		}
		libxl_device_vkb_init(vkb);
		vkb->devid = idx;
		for (p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
			while (*p == ' ')
				p++;
			if (vkb_token(vkb, p, report)) {
				free(copy);
				return XL_EXIT_ERR;
			}
		}
		free(copy);
		if (vkb->backend_type == LIBXL_VKB_BACKEND_UNKNOWN) {
			fprintf(report, "backend-type should be set in vkb spec\n");
			return XL_EXIT_ERR;
		}
		if (vkb->multi_touch_height || vkb->multi_touch_width ||
		    vkb->multi_touch_num_contacts)
			vkb->feature_multi_touch = true;
		if (vkb->feature_multi_touch &&
		    !(vkb->multi_touch_height || vkb->multi_touch_width ||
		      vkb->multi_touch_num_contacts)) {
			fprintf(report, "multi-touch-width, multi-touch-height, "
					"multi-touch-num-contacts should be set "
					"for multi touch in vkb spec\n");
			return XL_EXIT_ERR;
		}
		entry++;
	}
	return 0;
}

/*
 * "[DDDD:]BB:DD.F": the colons counted over the leading run of hex digits
 * and colons decide whether the domain is there; F may be "*" (every
 * function).  Reads with sscanf("%x") as Xen does.
 */
static int pci_parse_bdf(libxl_device_pci *pci, const char *str, const char **endp)
{
	unsigned int domain = 0, bus, dev, func, colons = 0;
	const char *ptr;
	int n = 0;

	for (ptr = str; isxdigit((unsigned char)*ptr) || *ptr == ':'; ptr++)
		colons += *ptr == ':';
	ptr = str;
	if (colons == 1) {
		if (sscanf(ptr, "%x:%x.%n", &bus, &dev, &n) != 2)
			return ERROR_INVAL;
	} else if (colons == 2) {
		if (sscanf(ptr, "%x:%x:%x.%n", &domain, &bus, &dev, &n) != 3)
			return ERROR_INVAL;
	} else {
		return ERROR_INVAL;
	}
	/* no "." after the device: Xen reads past with n unset (0 here) */
	if (domain > 0xffff || bus > 0xff || dev > 0x1f)
		return ERROR_INVAL;
	ptr += n;
	if (*ptr == '*') {
		pci->vfunc_mask = ~0u;
		func = 0;
		ptr++;
	} else {
		if (sscanf(ptr, "%x%n", &func, &n) != 1 || func > 7)
			return ERROR_INVAL;
		pci->vfunc_mask = 1;
		ptr += n;
	}
	pci->domain = (int)domain;
	pci->bus = (uint8_t)bus;
	pci->dev = (uint8_t)dev;
	pci->func = (uint8_t)func;
	if (endp)
		*endp = ptr;
	return 0;
}

static int pci_parse_vslot(uint32_t *vdevfn, const char *str, const char **endp)
{
	unsigned int val;
	int n;

	if (sscanf(str, "%x%n", &val, &n) != 1 || val > 0x1f)
		return ERROR_INVAL;
	*vdevfn = val << 3;
	if (endp)
		*endp = str + n;
	return 0;
}

/* "key=value" up to the next comma; the key runs to the first '=' */
static int pci_parse_key_val(char **key, char **val, const char *str, const char **endp)
{
	const char *eq = strchr(str, '='), *end;

	if (!eq)
		return ERROR_INVAL;
	end = eq + 1 + strcspn(eq + 1, ",");
	*key = strndup(str, (size_t)(eq - str));
	*val = strndup(eq + 1, (size_t)(end - eq - 1));
	if (!*key || !*val) {
		free(*key);
		free(*val);
		return ERROR_NOMEM;
	}
	*endp = *end == ',' ? end + 1 : end;
	return 0;
}

/*
 * A positional "BDF[@VSLOT]" first, if it parses, then key=value pairs
 * (bdf, vslot, permissive, msitranslate, seize, power_mgmt, rdm_policy,
 * name); exactly one of bdf and name.  Returns 0 or an ERROR_* code.
 */
static int pci_parse_spec(libxl_device_pci *pci, const char *str, FILE *report)
{
	const char *ptr = str;
	int bdf = 0, name = 0, rc;

	if (!pci_parse_bdf(pci, ptr, &ptr)) {
		bdf = 1;
		if (*ptr == '@') {
			rc = pci_parse_vslot(&pci->vdevfn, ++ptr, &ptr);
			if (rc)
				return rc;
		}
		if (*ptr == ',')
			ptr++;
		else if (*ptr)
			return ERROR_INVAL;
	}
	while (*ptr) {
		char *key, *val;

		rc = pci_parse_key_val(&key, &val, ptr, &ptr);
		if (rc)
			return rc;
		if (!strcmp(key, "bdf")) {
			rc = pci_parse_bdf(pci, val, NULL);
			bdf |= !rc;
		} else if (!strcmp(key, "vslot")) {
			rc = pci_parse_vslot(&pci->vdevfn, val, NULL);
		} else if (!strcmp(key, "permissive")) {
			pci->permissive = atoi(val);
		} else if (!strcmp(key, "msitranslate")) {
			pci->msitranslate = atoi(val);
		} else if (!strcmp(key, "seize")) {
			pci->seize = atoi(val);
		} else if (!strcmp(key, "power_mgmt")) {
			pci->power_mgmt = atoi(val);
		} else if (!strcmp(key, "rdm_policy")) {
			rc = libxl_rdm_reserve_policy_from_string(val, &pci->rdm_policy);
			if (rc)
				fprintf(report, "Unknown RDM policy: %s", val);
		} else if (!strcmp(key, "name")) {
			name = 1;
			free(pci->name);
			pci->name = strdup(val);
			if (!pci->name)
				rc = ERROR_NOMEM;
		} else {
			fprintf(report, "Unknown PCI_SPEC_STRING option: %s", key);
			rc = ERROR_INVAL;
		}
		free(key);
		free(val);
		if (rc)
			return rc;
	}
	return bdf ^ name ? 0 : ERROR_INVAL;
}

int xl_parse_pcis(XLU_Config *config, libxl_domain_config *d, FILE *report)
{
	long l, msitranslate = 0, power_mgmt = 0, permissive = 0, seize = 0;
	XLU_ConfigList *pcis;
	const char *buf;
	int i, e;

	if (!xlu_cfg_get_long(config, "pci_msitranslate", &l, 0))
		msitranslate = l;
	if (!xlu_cfg_get_long(config, "pci_power_mgmt", &l, 0))
		power_mgmt = l;
	if (!xlu_cfg_get_long(config, "pci_permissive", &l, 0))
		permissive = l;
	if (!xlu_cfg_get_long(config, "pci_seize", &l, 0))
		seize = l;
	if (xlu_cfg_get_list(config, "pci", &pcis, 0, 0))
		return 0;
	for (i = 0; (buf = xlu_cfg_get_listitem(pcis, i)) != NULL; i++) {
		libxl_device_pci *pci = array_extend(&d->pcidevs, &d->num_pcidevs, sizeof(*pci));

		if (!pci)
			return 255;
		libxl_device_pci_init(pci);
		pci->msitranslate = msitranslate;
		pci->power_mgmt = power_mgmt;
		pci->permissive = permissive;
		pci->seize = seize;
		/* Xen reads the HVM rdm policy through the union: 0 for PV */
		pci->rdm_policy = d->c_info.type == LIBXL_DOMAIN_TYPE_HVM
					  ? d->b_info.u.hvm.rdm.policy
					  : LIBXL_RDM_RESERVE_POLICY_STRICT;
		e = pci_parse_spec(pci, buf, report);
		if (e) {
			fprintf(report,
				"unable to parse PCI_SPEC_STRING `%s' for "
				"passthrough\n",
				buf);
			return -e;
		}
	}
	if (d->num_pcidevs && d->c_info.type == LIBXL_DOMAIN_TYPE_PV)
		libxl_defbool_set(&d->b_info.u.pv.e820_host, true);
	return 0;
}
