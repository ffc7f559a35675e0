/*
 * xl/parse_hvm.c: the HVM-only keys of xl.cfg (firmware, platform,
 * viridian, display and emulated devices) and the device model keys,
 * read in the order Xen's xl_parse.c reads them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define XL_EXIT_ERR 1
#define XL_EXIT_FAIL 3

static int parse_viridian(XLU_Config *config, libxl_domain_build_info_hvm *h, FILE *report)
{
	XLU_ConfigList *viridian;
	int i, n = 0;

	switch (xlu_cfg_get_list(config, "viridian", &viridian, &n, 1)) {
	case 0:
		if (n) {
			libxl_bitmap_alloc(&h->viridian_enable,
					   LIBXL_BUILDINFO_HVM_VIRIDIAN_ENABLE_DISABLE_WIDTH);
			libxl_bitmap_alloc(&h->viridian_disable,
					   LIBXL_BUILDINFO_HVM_VIRIDIAN_ENABLE_DISABLE_WIDTH);
		}
		for (i = 0; i < n; i++) {
			const char *buf = xlu_cfg_get_listitem(viridian, i);
			libxl_bitmap *s = &h->viridian_enable;
			libxl_bitmap *r = &h->viridian_disable;
			libxl_viridian_enlightenment v;

			if (!buf)
				buf = "";
			if (!strcmp(buf, "all")) {
				libxl_bitmap_set_any(s);
				continue;
			}
			if (!strcmp(buf, "defaults")) {
				libxl_defbool_set(&h->viridian, true);
				continue;
			}
			if (*buf == '!') {
				s = &h->viridian_disable;
				r = &h->viridian_enable;
				buf++;
			}
			if (libxl_viridian_enlightenment_from_string(buf, &v)) {
				fprintf(report,
					"xl: unknown viridian "
					"enlightenment '%s'\n",
					buf);
				return XL_EXIT_FAIL;
			}
			libxl_bitmap_set(s, v);
			libxl_bitmap_reset(r, v);
		}
		break;
	case EINVAL:
		xlu_cfg_get_defbool(config, "viridian", &h->viridian, 1);
		break;
	default:
		break;
	}
	return 0;
}

int xl_parse_hvm_firmware(XLU_Config *config, libxl_domain_build_info *b, FILE *report)
{
	libxl_domain_build_info_hvm *h = &b->u.hvm;
	const char *buf, *base;
	XLU_ConfigList *mca;
	long l;
	int i, n, rc;

	base = b->kernel ? strrchr(b->kernel, '/') : NULL;
	base = base ? base + 1 : b->kernel;
	if (base && !strcmp(base, "hvmloader")) {
		fprintf(report, "WARNING: you seem to be using \"kernel\" directive to "
				"override HVM guest firmware. Ignore that. Use "
				"\"firmware_override\" instead if you really want a "
				"non-default firmware\n");
		free(b->kernel);
		b->kernel = NULL;
	}
	xlu_cfg_replace_string(config, "firmware_override", &h->firmware, 0);
	xlu_cfg_replace_string(config, "bios_path_override", &h->system_firmware, 0);
	if (!xlu_cfg_get_string(config, "bios", &buf, 0)) {
		if (libxl_bios_type_from_string(buf, &h->bios)) {
			fprintf(report,
				"ERROR: invalid value \"%s\" for "
				"\"bios\"\n",
				buf);
			return XL_EXIT_ERR;
		}
	} else if (h->system_firmware) {
		fprintf(report, "WARNING: bios_path_override given without "
				"specific bios name\n");
	}
	xlu_cfg_get_defbool(config, "pae", &h->pae, 0);
	xlu_cfg_get_defbool(config, "acpi_s3", &h->acpi_s3, 0);
	xlu_cfg_get_defbool(config, "acpi_s4", &h->acpi_s4, 0);
	xlu_cfg_get_defbool(config, "acpi_laptop_slate", &h->acpi_laptop_slate, 0);
	xlu_cfg_get_defbool(config, "nx", &h->nx, 0);
	xlu_cfg_get_defbool(config, "hpet", &h->hpet, 0);
	xlu_cfg_get_defbool(config, "vpt_align", &h->vpt_align, 0);
	xlu_cfg_get_defbool(config, "apic", &b->apic, 0);
	rc = parse_viridian(config, h, report);
	if (rc)
		return rc;
	if (!xlu_cfg_get_long(config, "mmio_hole", &l, 0)) {
		uint64_t size = (uint64_t)l * 1024 * 1024;

		h->mmio_hole_memkb = (uint64_t)l * 1024;
		/* HVM_BELOW_4G_MMIO_LENGTH .. HVM_BELOW_4G_MMIO_START */
		if (l < 0 || size < (1ULL << 28) || size > 0xf0000000ULL) {
			fprintf(report,
				"ERROR: invalid value %ld for "
				"\"mmio_hole\"\n",
				l);
			return XL_EXIT_ERR;
		}
	}
	if (!xlu_cfg_get_defbool(config, "altp2mhvm", &h->altp2m, 0))
		fprintf(report, "WARNING: Specifying \"altp2mhvm\" is "
				"deprecated. Please use \"altp2m\" instead.\n");
	xlu_cfg_replace_string(config, "smbios_firmware", &h->smbios_firmware, 0);
	xlu_cfg_replace_string(config, "acpi_firmware", &h->acpi_firmware, 0);
	if (!xlu_cfg_get_string(config, "ms_vm_genid", &buf, 0) && strcmp(buf, "none")) {
		if (strcmp(buf, "generate")) {
			fprintf(report, "ERROR: \"ms_vm_genid\" option must be "
					"\"generate\" or \"none\"\n");
			return XL_EXIT_ERR;
		}
		libxl_uuid_generate((libxl_uuid *)h->ms_vm_genid);
	}
	if (!xlu_cfg_get_long(config, "rdm_mem_boundary", &l, 0))
		h->rdm_mem_boundary_memkb = (uint64_t)l * 1024;
	switch (xlu_cfg_get_list(config, "mca_caps", &mca, &n, 1)) {
	case 0:
		for (i = 0; i < n; i++) {
			buf = xlu_cfg_get_listitem(mca, i);
			if (buf && !strcmp(buf, "lmce")) {
				h->mca_caps |= 1; /* XEN_HVM_MCA_CAP_LMCE */
			} else {
				fprintf(report,
					"ERROR: unrecognized MCA "
					"capability '%s'.\n",
					buf ? buf : "");
				return XL_EXIT_FAIL;
			}
		}
		break;
	case ESRCH:
		break;
	default:
		fprintf(report, "ERROR: unable to parse mca_caps.\n");
		return XL_EXIT_FAIL;
	}
	/* firmware=: a bios name, "uefi", "bios", or a path */
	if (!xlu_cfg_get_string(config, "firmware", &buf, 0) &&
	    libxl_bios_type_from_string(buf, &h->bios)) {
		if (!strncmp(buf, "uefi", strlen(buf)))
			h->bios = LIBXL_BIOS_TYPE_OVMF;
		else if (strncmp(buf, "bios", strlen(buf)))
			xlu_cfg_replace_string(config, "firmware", &h->firmware, 0);
	}
	return 0;
}

/* device_model_* keys, for HVM and for PV guests' QEMU */
int xl_parse_device_model(XLU_Config *config, libxl_domain_config *d, FILE *report)
{
	libxl_domain_build_info *b = &d->b_info;
	static const struct {
		const char *key;
		size_t offset;
	} args[] = {
		{ "device_model_args", offsetof(libxl_domain_build_info, extra) },
		{ "device_model_args_pv", offsetof(libxl_domain_build_info, extra_pv) },
		{ "device_model_args_hvm", offsetof(libxl_domain_build_info, extra_hvm) },
	};
	const char *buf;
	size_t i;
	long l;
	int e;

	if (!xlu_cfg_get_string(config, "device_model", &buf, 0)) {
		fprintf(report, "WARNING: ignoring device_model directive.\n"
				"WARNING: Use \"device_model_override\" instead "
				"if you really want a non-default device_model\n");
		if (strstr(buf, "stubdom-dm")) {
			if (d->c_info.type == LIBXL_DOMAIN_TYPE_HVM)
				fprintf(report, "WARNING: Or use "
						"\"device_model_stubdomain_override\" "
						"if you  want to enable "
						"stubdomains\n");
			else
				fprintf(report, "WARNING: ignoring "
						"\"device_model_stubdomain_override\" "
						"directive for pv guest\n");
		}
	}
	xlu_cfg_replace_string(config, "device_model_override", &b->device_model, 0);
	if (!xlu_cfg_get_string(config, "device_model_version", &buf, 0)) {
		if (!strcmp(buf, "qemu-xen-traditional")) {
			b->device_model_version = LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN_TRADITIONAL;
		} else if (!strcmp(buf, "qemu-xen")) {
			b->device_model_version = LIBXL_DEVICE_MODEL_VERSION_QEMU_XEN;
		} else {
			fprintf(report,
				"Unknown device_model_version \"%s\" "
				"specified\n",
				buf);
			return XL_EXIT_ERR;
		}
	} else if (b->device_model) {
		fprintf(report, "WARNING: device model override given without "
				"specific DM version\n");
	}
	xlu_cfg_get_defbool(config, "device_model_stubdomain_override", &b->device_model_stubdomain,
			    0);
	xlu_cfg_replace_string(config, "device_model_stubdomain_seclabel",
			       &b->device_model_ssid_label, 0);
	xlu_cfg_replace_string(config, "device_model_user", &b->device_model_user, 0);
	xlu_cfg_replace_string(config, "stubdomain_kernel", &b->stubdomain_kernel, 0);
	xlu_cfg_replace_string(config, "stubdomain_ramdisk", &b->stubdomain_ramdisk, 0);
	if (!xlu_cfg_get_long(config, "stubdomain_memory", &l, 0))
		b->stubdomain_memkb = (uint64_t)l * 1024;
	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		e = xlu_cfg_get_list_as_string_list(
			config, args[i].key, (libxl_string_list *)((char *)b + args[i].offset), 0);
		if (e && e != ESRCH) {
			fprintf(report, "xl: Unable to parse %s.\n", args[i].key);
			return XL_EXIT_FAIL;
		}
	}
	return 0;
}

/* serial= and usbdevice= take a list or a single string */
static int parse_list_or_atom(XLU_Config *config, const char *key, libxl_string_list *list,
			      char **atom, FILE *report)
{
	switch (xlu_cfg_get_list_as_string_list(config, key, list, 1)) {
	case 0:
	case ESRCH:
		return 0;
	case EINVAL:
		if (!xlu_cfg_replace_string(config, key, atom, 0))
			return 0;
		/* fall through */
	default:
		fprintf(report, "xl: Unable to parse %s.\n", key);
		return XL_EXIT_FAIL;
	}
}

int xl_parse_hvm_devices(XLU_Config *config, libxl_domain_build_info *b, FILE *report)
{
	libxl_domain_build_info_hvm *h = &b->u.hvm;
	const char *buf;
	long l;
	int rc;

	if (!xlu_cfg_get_string(config, "vga", &buf, 0)) {
		if (!strcmp(buf, "stdvga"))
			h->vga.kind = LIBXL_VGA_INTERFACE_TYPE_STD;
		else if (!strcmp(buf, "cirrus"))
			h->vga.kind = LIBXL_VGA_INTERFACE_TYPE_CIRRUS;
		else if (!strcmp(buf, "none"))
			h->vga.kind = LIBXL_VGA_INTERFACE_TYPE_NONE;
		else if (!strcmp(buf, "qxl"))
			h->vga.kind = LIBXL_VGA_INTERFACE_TYPE_QXL;
		else {
			fprintf(report, "Unknown vga \"%s\" specified\n", buf);
			return XL_EXIT_ERR;
		}
	} else if (!xlu_cfg_get_long(config, "stdvga", &l, 0)) {
		h->vga.kind = l ? LIBXL_VGA_INTERFACE_TYPE_STD : LIBXL_VGA_INTERFACE_TYPE_CIRRUS;
	}
	if (!xlu_cfg_get_string(config, "hdtype", &buf, 0) &&
	    libxl_hdtype_from_string(buf, &h->hdtype)) {
		fprintf(report, "ERROR: invalid value \"%s\" for \"hdtype\"\n", buf);
		return XL_EXIT_ERR;
	}
	xlu_cfg_replace_string(config, "keymap", &h->keymap, 0);
	xlu_cfg_get_defbool(config, "spice", &h->spice.enable, 0);
	if (!xlu_cfg_get_long(config, "spiceport", &l, 0))
		h->spice.port = (int)l;
	if (!xlu_cfg_get_long(config, "spicetls_port", &l, 0))
		h->spice.tls_port = (int)l;
	xlu_cfg_replace_string(config, "spicehost", &h->spice.host, 0);
	xlu_cfg_get_defbool(config, "spicedisable_ticketing", &h->spice.disable_ticketing, 0);
	xlu_cfg_replace_string(config, "spicepasswd", &h->spice.passwd, 0);
	xlu_cfg_get_defbool(config, "spiceagent_mouse", &h->spice.agent_mouse, 0);
	xlu_cfg_get_defbool(config, "spicevdagent", &h->spice.vdagent, 0);
	xlu_cfg_get_defbool(config, "spice_clipboard_sharing", &h->spice.clipboard_sharing, 0);
	if (!xlu_cfg_get_long(config, "spiceusbredirection", &l, 0))
		h->spice.usbredirection = (int)l;
	xlu_cfg_replace_string(config, "spice_image_compression", &h->spice.image_compression, 0);
	xlu_cfg_replace_string(config, "spice_streaming_video", &h->spice.streaming_video, 0);
	xlu_cfg_get_defbool(config, "nographic", &h->nographic, 0);
	if (!xlu_cfg_get_long(config, "gfx_passthru", &l, 1)) {
		libxl_defbool_set(&h->gfx_passthru, l);
	} else if (!xlu_cfg_get_string(config, "gfx_passthru", &buf, 0)) {
		if (libxl_gfx_passthru_kind_from_string(buf, &h->gfx_passthru_kind)) {
			fprintf(report,
				"ERROR: invalid value \"%s\" for "
				"\"gfx_passthru\"\n",
				buf);
			return XL_EXIT_ERR;
		}
		libxl_defbool_set(&h->gfx_passthru, true);
	}
	rc = parse_list_or_atom(config, "serial", &h->serial_list, &h->serial, report);
	if (rc)
		return rc;
	xlu_cfg_replace_string(config, "boot", &h->boot, 0);
	xlu_cfg_get_defbool(config, "usb", &h->usb, 0);
	if (!xlu_cfg_get_long(config, "usbversion", &l, 0))
		h->usbversion = (int)l;
	rc = parse_list_or_atom(config, "usbdevice", &h->usbdevice_list, &h->usbdevice, report);
	if (rc)
		return rc;
	xlu_cfg_get_defbool(config, "vkb_device", &h->vkb_device, 0);
	xlu_cfg_replace_string(config, "soundhw", &h->soundhw, 0);
	xlu_cfg_get_defbool(config, "xen_platform_pci", &h->xen_platform_pci, 0);
	if (h->vnc.listen && h->vnc.display && strchr(h->vnc.listen, ':')) {
		fprintf(report, "ERROR: Display specified both in vnclisten "
				"and vncdisplay!\n");
		return XL_EXIT_ERR;
	}
	if (!xlu_cfg_get_string(config, "vendor_device", &buf, 0) &&
	    libxl_vendor_device_from_string(buf, &h->vendor_device)) {
		fprintf(report, "xl: unknown vendor_device '%s'\n", buf);
		return XL_EXIT_FAIL;
	}
	return 0;
}
