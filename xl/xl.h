/*
 * xl/xl.h: what xl's command families share.
 *
 * The command table (cmdtable.c) lists Xen 4.17's commands in Xen's order
 * with Xen's help texts.  A command family (xl/create.c, xl/list.c, ...)
 * plugs in by defining the main_<command> functions named there: they are
 * weak references, so a command whose function is not linked in is left
 * out of `xl help` and answers "command not implemented", as Xen's xl does
 * for commands it was built without.  Adding a family is a new file plus
 * one line in xl/Makefile.inc.
 */
#ifndef XL_XL_H
#define XL_XL_H

#include <getopt.h>
#include <stdbool.h>

#include "libxl.h"
#include "parse.h"

struct cmd_spec {
	const char *cmd_name;
	int (*cmd_impl)(int argc, char **argv);
	int can_dryrun;
	int modifies;
	const char *cmd_desc;
	const char *cmd_usage;
	const char *cmd_option;
};

/* xl's process-wide state: global options, xl.conf, the libxl context. */
struct xl_context {
	int dryrun_only; /* -N */
	int force_execution; /* -f */
	int progress_use_cr; /* -t */
	int timestamps; /* -T */
	int verbosity; /* each -v adds one */
	struct xl_global_config gc; /* from xl.conf */
	libxl_ctx *ctx;
};

extern struct xl_context xl;

extern const struct cmd_spec cmd_table[];
extern const int cmdtable_len;

/* An exact name, or an unambiguous prefix of one; NULL otherwise. */
const struct cmd_spec *cmdtable_lookup(const char *s);
void help(const char *command);

/*
 * Xen's def_getopt: parses a command's options; -h/--help prints the
 * command's help and exits 0; an unknown option exits 2; fewer than
 * reqargs operands prints the help and exits 2.  Returns the option or -1.
 */
int def_getopt(int argc, char *const argv[], const char *optstring, const struct option *longopts,
	       const char *helpstr, int reqargs);

#define COMMON_LONG_OPTS       \
	{ "help", 0, 0, 'h' }, \
	{                      \
		NULL, 0, 0, 0  \
	}

#define SWITCH_FOREACH_OPT(opt, opts, longopts, commandname, num_required)          \
	while (((opt) = def_getopt(argc, argv, "h" opts, (longopts), (commandname), \
				   (num_required))) != -1)                          \
		switch (opt)

/* Every command's entry point, defined by its family's file. */
/* clang-format off */
#define XL_COMMANDS(X) \
	X(create) \
	X(config_update) \
	X(list) \
	X(destroy) \
	X(shutdown) \
	X(reboot) \
	X(pause) \
	X(unpause) \
	X(console) \
	X(vncviewer) \
	X(save) \
	X(migrate) \
	X(restore) \
	X(migrate_receive) \
	X(dump_core) \
	X(cd_insert) \
	X(cd_eject) \
	X(memmax) \
	X(memset) \
	X(button_press) \
	X(vcpulist) \
	X(vcpupin) \
	X(vcpuset) \
	X(vm_list) \
	X(info) \
	X(sharing) \
	X(sched_credit) \
	X(sched_credit2) \
	X(sched_rtds) \
	X(domid) \
	X(domname) \
	X(rename) \
	X(trigger) \
	X(sysrq) \
	X(debug_keys) \
	X(set_parameters) \
	X(dmesg) \
	X(top) \
	X(networkattach) \
	X(networklist) \
	X(networkdetach) \
	X(channellist) \
	X(blockattach) \
	X(blocklist) \
	X(blockdetach) \
	X(vtpmattach) \
	X(vtpmlist) \
	X(vtpmdetach) \
	X(vkbattach) \
	X(vkblist) \
	X(vkbdetach) \
	X(vdisplattach) \
	X(vdispllist) \
	X(vdispldetach) \
	X(vsndattach) \
	X(vsndlist) \
	X(vsnddetach) \
	X(uptime) \
	X(claims) \
	X(cpupoolcreate) \
	X(cpupoollist) \
	X(cpupooldestroy) \
	X(cpupoolrename) \
	X(cpupoolcpuadd) \
	X(cpupoolcpuremove) \
	X(cpupoolmigrate) \
	X(cpupoolnumasplit) \
	X(getenforce) \
	X(setenforce) \
	X(loadpolicy) \
	X(remus) \
	X(devd) \
	X(qemu_monitor_command)
/* clang-format on */

#define XL_DECLARE_MAIN(name) int main_##name(int argc, char **argv) __attribute__((weak));
XL_COMMANDS(XL_DECLARE_MAIN)
#undef XL_DECLARE_MAIN

/* create.c, shared with restore and migrate-receive later */
struct domain_create {
	int debug;
	int daemonize;
	int monitor;
	int paused;
	int dryrun;
	int quiet;
	int vnc;
	int vncautopass;
	int console_autoconnect;
	int ignore_global_affinity_masks;
	const char *config_file;
	char *extra_config; /* "key=value\n" lines from the command line */
};

int create_domain(struct domain_create *dom_info);

/* Reads a whole file (NUL-terminated); 0 or an errno value. */
int xl_read_file_contents(const char *path, char **data, int *len);

#endif /* XL_XL_H */
