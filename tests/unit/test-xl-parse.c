/*
 * Unit tests of xl.cfg -> libxl_domain_config (xl/parse.c,
 * xl/parse_devices.c): the notable results Xen's xl gives (cmdline from
 * root and extra, affinity per vCPU, rate, vfb's implicit vkb, HVM keys)
 * and each malformed-config message with its exit status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parse.h"

struct result {
	libxl_domain_config d;
	char *report, *json;
	size_t report_len;
	int rc;
};

static void run(struct result *r, const char *text)
{
	struct xl_global_config gc;
	FILE *f = open_memstream(&r->report, &r->report_len);

	xl_global_config_init(&gc);
	libxl_domain_config_init(&r->d);
	r->rc = xl_parse_config_data(&gc, "p.cfg", text, (int)strlen(text), &r->d, f);
	fclose(f);
	r->json = r->rc ? NULL : libxl_domain_config_to_json(&r->d);
	xl_global_config_dispose(&gc);
}

static void done(struct result *r)
{
	libxl_domain_config_dispose(&r->d);
	free(r->report);
	free(r->json);
}

static void expect_json(const char *text, const char *fragment)
{
	struct result r;

	run(&r, text);
	assert_int_equal(r.rc, 0);
	assert_non_null(r.json);
	if (!strstr(r.json, fragment))
		fail_msg("%s\nnot in:\n%s", fragment, r.json);
	done(&r);
}

static void expect_error(const char *text, int status, const char *report)
{
	struct result r;

	run(&r, text);
	assert_int_equal(r.rc, status);
	assert_string_equal(r.report, report);
	done(&r);
}

#define PV "name='g'\nkernel='/k'\n"

static void test_translation(void **state)
{
	(void)state;
	expect_json(PV "root='/dev/xvda1 ro'\nextra='console=hvc0'\n",
		    "\"cmdline\": \"root=/dev/xvda1 ro console=hvc0\"");
	expect_json(PV "extra='quiet'\n", "\"cmdline\": \"quiet\"");
	expect_json(PV "memory=256\n", "\"max_memkb\": 262144,\n"
				       "        \"target_memkb\": 262144");
	expect_json(PV "vcpus=2\nmaxvcpus=3\ncpus=['1','2-3']\n",
		    "\"vcpu_hard_affinity\": [\n"
		    "            [\n"
		    "                1\n"
		    "            ],\n"
		    "            [\n"
		    "                2,\n"
		    "                3\n"
		    "            ]\n"
		    "        ],\n"
		    "        \"numa_placement\": \"False\"");
	expect_json(PV "on_crash='rename-restart'\non_poweroff='preserve'\n",
		    "\"on_poweroff\": \"preserve\",\n"
		    "    \"on_reboot\": \"restart\",\n"
		    "    \"on_crash\": \"restart_rename\"");
	expect_json(PV "vif=['mac=00:16:3e:00:00:01,rate=10MB/s@20ms,mtu=9000']\n",
		    "\"devid\": 0,\n"
		    "            \"mtu\": 9000,\n"
		    "            \"mac\": \"00:16:3e:00:00:01\",\n"
		    "            \"rate_bytes_per_interval\": 200000,\n"
		    "            \"rate_interval_usecs\": 20000");
	expect_json(PV "vnc=1\nvncdisplay=3\n", "\"vfbs\": [\n"
						"        {\n"
						"            \"devid\": 0,\n"
						"            \"vnc\": {\n"
						"                \"enable\": \"True\",\n"
						"                \"display\": 3\n"
						"            },");
	expect_json(PV "channel=['name=c0,connection=pty']\n",
		    "\"name\": \"c0\",\n"
		    "            \"connection.pty\": {\n\n            }");
	expect_json("name='h'\ntype='hvm'\nviridian=1\nvga='none'\n"
		    "serial='pty'\nboot='c'\n",
		    "\"viridian\": \"True\"");
	expect_json("name='h'\nbuilder='hvm'\nfirmware='uefi'\n", "\"bios\": \"ovmf\"");
	expect_json("name='p'\ntype='pvh'\nkernel='/k'\npvshim=1\n",
		    "\"type.pvh\": {\n            \"pvshim\": \"True\"");
	expect_json(PV "type='p'\n", "\"type\": \"pv\"");
	expect_json(PV "uuid='01234567-89AB-cdef-0123-456789abcdef'\n",
		    "\"uuid\": \"01234567-89ab-cdef-0123-456789abcdef\"");
	expect_json(PV "p9=['tag=t,security_model=none,path=/p']\n",
		    "\"p9s\": [\n        {\n            \"tag\": \"t\",");
	expect_json(PV "vtpm=['backend=0']\n",
		    "\"vtpms\": [\n        {\n            \"backend_domname\": "
		    "\"0\",\n            \"devid\": 0\n");
	expect_json(PV "disk=['/a,qcow2,xvda,w','/b,,xvdb,r']\n",
		    "\"pdev_path\": \"/b\",\n"
		    "            \"vdev\": \"xvdb\",\n"
		    "            \"format\": \"raw\"\n");
	expect_json(PV "max_grant_frames=32\nmax_maptrack_frames=0\n",
		    "\"max_grant_frames\": 32,\n"
		    "        \"max_maptrack_frames\": 0,");
	expect_json(PV "tsc_mode='native'\n", "\"tsc_mode\": \"native\"");
	expect_json(PV "pci=['0000:02:03.1@4,permissive=1','name=gpu']\n",
		    "\"pcidevs\": [\n"
		    "        {\n"
		    "            \"func\": 1,\n"
		    "            \"dev\": 3,\n"
		    "            \"bus\": 2,\n"
		    "            \"vdevfn\": 32,\n"
		    "            \"vfunc_mask\": 1,\n"
		    "            \"permissive\": true,\n"
		    "            \"rdm_policy\": \"strict\"\n"
		    "        },\n"
		    "        {\n"
		    "            \"rdm_policy\": \"strict\",\n"
		    "            \"name\": \"gpu\"\n"
		    "        }\n"
		    "    ],");
	/* a cpu string with no vCPU to apply it to still turns placement off */
	expect_json(PV "cpus_soft='0'\n", "\"numa_placement\": \"False\"");
	expect_json(PV "vsnd=[['card, short-name=c, sample-rates=8000;48000',"
		       "'pcm, name=p0', 'stream, unique-id=s0, type=P, "
		       "sample-formats=s16_le;U8']]\n",
		    "\"vsnds\": [\n"
		    "        {\n"
		    "            \"devid\": 0,\n"
		    "            \"short_name\": \"c\",\n"
		    "            \"params\": {\n"
		    "                \"sample_rates\": [\n"
		    "                    8000,\n"
		    "                    48000\n"
		    "                ]\n"
		    "            },\n"
		    "            \"pcms\": [\n"
		    "                {\n"
		    "                    \"name\": \"p0\",\n"
		    "                    \"params\": {\n\n                    },\n"
		    "                    \"streams\": [\n"
		    "                        {\n"
		    "                            \"unique_id\": \"s0\",\n"
		    "                            \"type\": \"p\",\n"
		    "                            \"params\": {\n"
		    "                                \"sample_formats\": [\n"
		    "                                    \"s16_le\",\n"
		    "                                    \"u8\"\n");
	expect_json(PV "maxvcpus=3\nvnuma=[['pnode=0','size=256','vcpus=0-1',"
		       "'vdistances=10,20'],['size=256','vcpus=2',"
		       "'vdistances=20,10']]\n",
		    "\"max_vcpus\": 3,");
	expect_json(PV "maxvcpus=2\n"
		       "vnuma=[['size=256','vcpus=0'],['size=128','vcpus=1']]\n",
		    "\"max_memkb\": 393216,");
	expect_json(PV "maxvcpus=2\nvnuma=[['size=256','vcpus=0-1','vdistances=10']]\n",
		    "\"vnuma_nodes\": [\n"
		    "            {\n"
		    "                \"memkb\": 262144,\n"
		    "                \"distances\": [\n"
		    "                    10\n"
		    "                ],\n"
		    "                \"vcpus\": [\n"
		    "                    0,\n"
		    "                    1\n"
		    "                ]\n"
		    "            }\n"
		    "        ],");
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("type='pv'\nkernel='/k'\nmemory=256\n", 1, "Domain name must be specified.\n");
	expect_error("name='x'\ntype='xyz'\n", 1, "Invalid domain type xyz.\n");
	expect_error("name='x'\ntype='hvm'\nbuilder='generic'\n", 1,
		     "Contradicting \"builder\" and \"type\" options "
		     "specified.\n");
	expect_error("name='x'\nmemory=\n", 1,
		     "p.cfg:1: config parsing error near <newline>: syntax "
		     "error, unexpected NEWLINE, expecting STRING or NUMBER or "
		     "'['\n"
		     "Failed to parse config: Invalid argument\n");
	expect_error("name='x'\n", 1, "Neither kernel nor bootloader specified\n");
	expect_error(PV "vcpus=4\nmaxvcpus=2\n", 1, "xl: maxvcpus < vcpus\n");
	expect_error(PV "on_crash='explode'\n", 1,
		     "Unknown on_crash action \"explode\" specified\n");
	expect_error(PV "uuid='nope'\n", 1, "Failed to parse UUID: nope\n");
	expect_error(PV "timer_mode='delay_for_missed_ticks'\n", 3,
		     "ERROR: \"timer_mode\" option is not supported for PV "
		     "guests.\n");
	expect_error(PV "firmware='pvgrub64'\n", 1, "ERROR: both kernel and firmware specified\n");
	expect_error(PV "disk=['/a,raw,xvda,rw,oops']\n", 1,
		     "p.cfg: config parsing error in disk specification: too "
		     "many positional parameters: near `oops' in "
		     "`/a,raw,xvda,rw,oops'\n");
	expect_error(PV "vif=['rate=lots']\n", 1,
		     "p.cfg: config parsing error in vif: invalid rate in "
		     "`lots'\n");
	expect_error(PV "channel=['name=c']\n", 1, "channel has unknown 'connection'\n");
	expect_error(PV "channel=['connection=socket']\n", 1,
		     "channel connection 'socket' requires path=..\n");
	expect_error(PV "p9=['tag=t']\n", 1, "9pfs spec missing required field!\n");
	expect_error(PV "vkb=['width=3']\n", 1, "backend-type should be set in vkb spec\n");
	expect_error(PV "max_grant_frames='-1'\n", 1, "");
	expect_error(PV "pci=['01:00.0,bogus=1']\n", 6,
		     "Unknown PCI_SPEC_STRING option: bogusunable to parse "
		     "PCI_SPEC_STRING `01:00.0,bogus=1' for passthrough\n");
	expect_error(PV "pci=['01:00.0,rdm_policy=wrong']\n", 3,
		     "Unknown RDM policy: wrongunable to parse PCI_SPEC_STRING "
		     "`01:00.0,rdm_policy=wrong' for passthrough\n");
	expect_error(PV "pci=['01:20.0']\n", 6,
		     "unable to parse PCI_SPEC_STRING `01:20.0' for passthrough\n");
	expect_error(PV "cpus='^all'\n", 1, "Can't combine \"^\" and \"all\".\n");
	expect_error(PV "cpus='5-2'\n", 1, "Invalid pcpu range: 5-2.\n");
	expect_error(PV "vnuma=[['pnode=3','size=1','vcpus=0']]\n", 1,
		     "xl: invalid pnode number: 3\n");
	expect_error(PV "maxvcpus=4\nvnuma=[['size=1','vcpus=0']]\n", 1,
		     "xl: vnuma vcpus and maxvcpus= mismatch\n");
	expect_error(PV "maxmem=8\nvnuma=[['size=1','vcpus=0']]\n", 1,
		     "xl: maxmem and vnuma memory size mismatch\n");
	expect_error(PV "vsnd=[['card, sample-formats=s7_be']]\n", 1,
		     "Invalid pcm format: s7_be\n");
	expect_error(PV "vsnd=[['speaker']]\n", 1, "Invalid key: speaker\n");
	expect_error(PV "vsnd=[['card, colour=red']]\n", 1, "Invalid parameter: colour=red\n");
	expect_error(PV "vnuma=['size=1']\n", 1,
		     "p.cfg:3:0: warning: value is not a list\n"
		     "xl: cannot get vnode config option list\n");
	expect_error("name='h'\ntype='hvm'\nviridian=['warp']\n", 3,
		     "xl: unknown viridian enlightenment 'warp'\n");
	expect_error("name='h'\ntype='hvm'\nvga='ega'\n", 1, "Unknown vga \"ega\" specified\n");
	expect_error("name='h'\ntype='hvm'\ndevice_model_version='qemu-old'\n", 1,
		     "Unknown device_model_version \"qemu-old\" specified\n");
}

static void test_warnings_keep_going(void **state)
{
	struct result r;

	(void)state;
	run(&r, PV "cmdline='a'\nroot='b'\nvif=['bogus=1','bridge=br1']\n"
		   "memory='lots'\n");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.report, "p.cfg:6: warning: parameter `memory' is not a "
				      "valid number\n"
				      "Warning: ignoring root= and extra= in favour of "
				      "cmdline=\n"
				      "unrecognized argument `bogus=1'\n");
	assert_non_null(strstr(r.json, "\"bridge\": \"br1\""));
	done(&r);
}

static void test_global_config(void **state)
{
	static const char conf[] = "vif.default.bridge = 'xenbr9'\n"
				   "vif.default.script = \"vif-route\"\n"
				   "claim_mode = 0\nrun_hotplug_scripts = 0\n"
				   "output_format = 'yaml'\n";
	static const char cfg[] = PV "vif=['', 'bridge=br1']\n";
	struct xl_global_config gc;
	libxl_domain_config d;
	char *report, *json;
	size_t len;
	FILE *f = open_memstream(&report, &len);

	(void)state;
	xl_global_config_init(&gc);
	assert_int_equal(xl_global_config_parse(&gc, "xl.conf", conf, (int)strlen(conf), f), 0);
	libxl_domain_config_init(&d);
	assert_int_equal(xl_parse_config_data(&gc, "p.cfg", cfg, (int)strlen(cfg), &d, f), 0);
	fclose(f);
	assert_string_equal(report, "invalid default output format \"yaml\"\n");
	json = libxl_domain_config_to_json(&d);
	assert_non_null(strstr(json, "\"run_hotplug_scripts\": \"False\""));
	assert_non_null(strstr(json, "\"claim_mode\": \"False\""));
	assert_non_null(strstr(json, "\"bridge\": \"xenbr9\",\n"
				     "            \"script\": \"vif-route\""));
	assert_non_null(strstr(json, "\"bridge\": \"br1\""));
	free(json);
	free(report);
	libxl_domain_config_dispose(&d);
	xl_global_config_dispose(&gc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translation),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_warnings_keep_going),
		cmocka_unit_test(test_global_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
