/*
 * xl/cmdtable.c: xl's commands, in Xen 4.17's order and words (the order
 * is what `xl help` prints).  Entries whose main_<name> is not linked in
 * are skipped by help and by lookup: see xl.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xl.h"

const struct cmd_spec cmd_table[] = {
	{ "create", &main_create, 1, 1, "Create a domain from config file <filename>",
	  "<ConfigFile> [options] [vars]",
	  "-h                      Print this help.\n"
	  "-p                      Leave the domain paused after it is created.\n"
	  "-c                      Connect to the console after the domain is created.\n"
	  "-f FILE, --defconfig=FILE\n                     Use the given configuration file.\n"
	  "-q, --quiet             Quiet.\n"
	  "-n, --dryrun            Dry run - prints the resulting configuration\n"
	  "                         (deprecated in favour of global -N option).\n"
	  "-d                      Enable debug messages.\n"
	  "-F                      Run in foreground until death of the domain.\n"
	  "-e                      Do not wait in the background for the death of the domain.\n"
	  "-V, --vncviewer         Connect to the VNC display after the domain is created.\n"
	  "-A, --vncviewer-autopass\n"
	  "                        Pass VNC password to viewer via stdin.\n"
	  "--ignore-global-affinity-masks Ignore global masks in xl.conf." },
	{ "config-update", &main_config_update, 1, 1,
	  "Update a running domain's saved configuration, used when rebuilding "
	  "the domain after reboot.\n"
	  "WARNING: xl now has better capability to manage domain configuration, "
	  "avoid using this command when possible",
	  "<Domain> <ConfigFile> [options] [vars]",
	  "-h                      Print this help.\n"
	  "-f FILE, --defconfig=FILE\n                     Use the given configuration file.\n"
	  "-d                      Enable debug messages.\n" },
	{ "list", &main_list, 0, 0, "List information about all/some domains",
	  "[options] [Domain]\n",
	  "-l, --long              Output all VM details\n"
	  "-v, --verbose           Prints out UUIDs and security context\n"
	  "-Z, --context           Prints out security context\n"
	  "-c, --cpupool           Prints the cpupool the domain is in\n"
	  "-n, --numa              Prints out NUMA node affinity" },
	{ "destroy", &main_destroy, 0, 1, "Terminate a domain immediately", "[options] <Domain>\n",
	  "-f                      Permit destroying domain 0, which will only succeed\n"
	  "                        when run from disaggregated toolstack domain with a\n"
	  "                        hardware domain distinct from domain 0." },
	{ "shutdown", &main_shutdown, 0, 1, "Issue a shutdown signal to a domain",
	  "[options] <-a|Domain>",
	  "-a, --all               Shutdown all guest domains.\n"
	  "-h                      Print this help.\n"
	  "-F                      Fallback to ACPI power event for HVM guests with\n"
	  "                        no PV drivers.\n"
	  "-w, --wait              Wait for guest(s) to shutdown.\n" },
	{ "reboot", &main_reboot, 0, 1, "Issue a reboot signal to a domain",
	  "[options] <-a|Domain>",
	  "-a, --all               Shutdown all guest domains.\n"
	  "-h                      Print this help.\n"
	  "-F                      Fallback to ACPI reset event for HVM guests with\n"
	  "                        no PV drivers.\n"
	  "-w, --wait              Wait for guest(s) to reboot.\n" },
	{ "pause", &main_pause, 0, 1, "Pause execution of a domain", "<Domain>", NULL },
	{ "unpause", &main_unpause, 0, 1, "Unpause a paused domain", "<Domain>", NULL },
	{ "console", &main_console, 0, 0, "Attach to domain's console",
	  "[options] <Domain>\n"
	  "-t <type>       console type, pv , serial or vuart\n"
	  "-n <number>     console number",
	  NULL },
	{ "vncviewer", &main_vncviewer, 0, 0, "Attach to domain's VNC server.",
	  "[options] <Domain>\n"
	  "--autopass               Pass VNC password to viewer via stdin and\n"
	  "                         -autopass\n"
	  "--vncviewer-autopass     (consistency alias for --autopass)",
	  NULL },
	{ "save", &main_save, 0, 1, "Save a domain state to restore later",
	  "[options] <Domain> <CheckpointFile> [<ConfigFile>]",
	  "-h  Print this help.\n"
	  "-c  Leave domain running after creating the snapshot.\n"
	  "-p  Leave domain paused after creating the snapshot.\n"
	  "-D  Store the domain id in the configration." },
	{ "migrate", &main_migrate, 0, 1, "Migrate a domain to another host",
	  "[options] <Domain> <host>",
	  "-h              Print this help.\n"
	  "-C <config>     Send <config> instead of config file from creation.\n"
	  "-s <sshcommand> Use <sshcommand> instead of ssh.  String will be passed\n"
	  "                to sh. If empty, run <host> instead of ssh <host> xl\n"
	  "                migrate-receive [-d -e]\n"
	  "-e              Do not wait in the background (on <host>) for the death\n"
	  "                of the domain.\n"
	  "--debug         Print huge (!) amount of debug during the migration process.\n"
	  "-p              Do not unpause domain after migrating it.\n"
	  "-D              Preserve the domain id" },
	{ "restore", &main_restore, 0, 1, "Restore a domain from a saved state",
	  "[options] [<ConfigFile>] <CheckpointFile>",
	  "-h                       Print this help.\n"
	  "-p                       Do not unpause domain after restoring it.\n"
	  "-e                       Do not wait in the background for the death of the domain.\n"
	  "-d                       Enable debug messages.\n"
	  "-V, --vncviewer          Connect to the VNC display after the domain is created.\n"
	  "-A, --vncviewer-autopass Pass VNC password to viewer via stdin." },
	{ "migrate-receive", &main_migrate_receive, 0, 1, "Restore a domain from a saved state",
	  "- for internal use only", NULL },
	{ "dump-core", &main_dump_core, 0, 1, "Core dump a domain", "<Domain> <filename>", NULL },
	{ "cd-insert", &main_cd_insert, 1, 1, "Insert a cdrom into a guest's cd drive",
	  "<Domain> <VirtualDevice> <path>", NULL },
	{ "cd-eject", &main_cd_eject, 1, 1, "Eject a cdrom from a guest's cd drive",
	  "<Domain> <VirtualDevice>", NULL },
	{ "mem-max", &main_memmax, 0, 1, "Set the maximum amount reservation for a domain",
	  "<Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>", NULL },
	{ "mem-set", &main_memset, 0, 1, "Set the current memory usage for a domain",
	  "<Domain> <MemMB['b'[bytes]|'k'[KB]|'m'[MB]|'g'[GB]|'t'[TB]]>", NULL },
	{ "button-press", &main_button_press, 0, 1, "Indicate an ACPI button press to the domain",
	  "<Domain> <Button>", "<Button> may be 'power' or 'sleep'." },
	{ "vcpu-list", &main_vcpulist, 0, 0, "List the VCPUs for all/some domains", "[Domain, ...]",
	  NULL },
	{ "vcpu-pin", &main_vcpupin, 1, 1, "Set which CPUs a VCPU can use",
	  "[option] <Domain> <VCPU|all> <Hard affinity|-|all> <Soft affinity|-|all>",
	  "-f, --force        undo an override pinning done by the kernel" },
	{ "vcpu-set", &main_vcpuset, 0, 1, "Set the number of active VCPUs allowed for the domain",
	  "[option] <Domain> <vCPUs>",
	  "-i, --ignore-host  Don't limit the vCPU based on the host CPU count" },
	{ "vm-list", &main_vm_list, 0, 0, "List guest domains, excluding dom0, stubdoms, etc.", "",
	  NULL },
	{ "info", &main_info, 0, 0, "Get information about Xen host",
	  "-n, --numa         List host NUMA topology information", NULL },
	{ "sharing", &main_sharing, 0, 0, "Get information about page sharing", "[Domain]", NULL },
	{ "sched-credit", &main_sched_credit, 0, 1, "Get/set credit scheduler parameters",
	  "[-d <Domain> [-w[=WEIGHT]|-c[=CAP]]] [-s [-t TSLICE] [-r RATELIMIT]] [-p CPUPOOL]",
	  "-d DOMAIN, --domain=DOMAIN        Domain to modify\n"
	  "-w WEIGHT, --weight=WEIGHT        Weight (int)\n"
	  "-c CAP,    --cap=CAP              Cap (int)\n"
	  "-s         --schedparam           Query / modify scheduler parameters\n"
	  "-t TSLICE, --tslice_ms=TSLICE     Set the timeslice, in milliseconds\n"
	  "-r RLIMIT, --ratelimit_us=RLIMIT  Set the scheduling rate limit, in microseconds\n"
	  "-m DLY, --migration_delay_us=DLY  Set the migration delay, in microseconds\n"
	  "-p CPUPOOL, --cpupool=CPUPOOL     Restrict output to CPUPOOL" },
	{ "sched-credit2", &main_sched_credit2, 0, 1, "Get/set credit2 scheduler parameters",
	  "[-d <Domain> [-w[=WEIGHT]]] [-p CPUPOOL]",
	  "-d DOMAIN, --domain=DOMAIN     Domain to modify\n"
	  "-w WEIGHT, --weight=WEIGHT     Weight (int)\n"
	  "-c CAP,    --cap=CAP           Cap (int)\n"
	  "-s         --schedparam        Query / modify scheduler parameters\n"
	  "-r RLIMIT, --ratelimit_us=RLIMIT Set the scheduling rate limit, in microseconds\n"
	  "-p CPUPOOL, --cpupool=CPUPOOL  Restrict output to CPUPOOL" },
	{ "sched-rtds", &main_sched_rtds, 0, 1, "Get/set rtds scheduler parameters",
	  "[-d <Domain> [-v[=VCPUID/all]] [-p[=PERIOD]] [-b[=BUDGET]] [-e[=EXTRATIME]]]",
	  "-d DOMAIN, --domain=DOMAIN     Domain to modify\n"
	  "-v VCPUID/all, --vcpuid=VCPUID/all    VCPU to modify or output;\n"
	  "               Using '-v all' to modify/output all vcpus\n"
	  "-p PERIOD, --period=PERIOD     Period (us)\n"
	  "-b BUDGET, --budget=BUDGET     Budget (us)\n"
	  "-e EXTRATIME, --extratime=EXTRATIME EXTRATIME (1=yes, 0=no)\n" },
	{ "domid", &main_domid, 0, 0, "Convert a domain name to domain id", "<DomainName>", NULL },
	{ "domname", &main_domname, 0, 0, "Convert a domain id to domain name", "<DomainId>",
	  NULL },
	{ "rename", &main_rename, 0, 1, "Rename a domain", "<Domain> <NewDomainName>", NULL },
	{ "trigger", &main_trigger, 0, 1, "Send a trigger to a domain",
	  "<Domain> <nmi|reset|init|power|sleep|s3resume> [<VCPU>]", NULL },
	{ "sysrq", &main_sysrq, 0, 1, "Send a sysrq to a domain", "<Domain> <letter>", NULL },
	{ "debug-keys", &main_debug_keys, 0, 1, "Send debug keys to Xen", "<Keys>", NULL },
	{ "set-parameters", &main_set_parameters, 0, 1, "Set hypervisor parameters", "<Params>",
	  NULL },
	{ "dmesg", &main_dmesg, 0, 0, "Read and/or clear dmesg buffer", "[-c]",
	  "  -c                        Clear dmesg buffer as well as printing it" },
	{ "top", &main_top, 0, 0, "Monitor a host and the domains in real time", "", NULL },
	{ "network-attach", &main_networkattach, 1, 1, "Create a new virtual network device",
	  "<Domain> [type=<type>] [mac=<mac>] [bridge=<bridge>] "
	  "[ip=<ip>] [script=<script>] [backend=<BackDomain>] [vifname=<name>] "
	  "[rate=<rate>] [model=<model>] [accel=<accel>]",
	  NULL },
	{ "network-list", &main_networklist, 0, 0, "List virtual network interfaces for a domain",
	  "<Domain(s)>", NULL },
	{ "network-detach", &main_networkdetach, 0, 1, "Destroy a domain's virtual network device",
	  "<Domain> <DevId|mac>", NULL },
	{ "channel-list", &main_channellist, 0, 0, "List virtual channel devices for a domain",
	  "<Domain(s)>", NULL },
	{ "block-attach", &main_blockattach, 1, 1, "Create a new virtual block device",
	  "<Domain> <disk-spec-component(s)>...", NULL },
	{ "block-list", &main_blocklist, 0, 0, "List virtual block devices for a domain",
	  "<Domain(s)>", NULL },
	{ "block-detach", &main_blockdetach, 0, 1, "Destroy a domain's virtual block device",
	  "<Domain> <DevId>",
	  "-f                      Force detach (if guest does not respond).\n" },
	{ "vtpm-attach", &main_vtpmattach, 1, 1, "Create a new virtual TPM device",
	  "<Domain> [uuid=<uuid>] [backend=<BackDomain>]", NULL },
	{ "vtpm-list", &main_vtpmlist, 0, 0, "List virtual TPM devices for a domain", "<Domain(s)>",
	  NULL },
	{ "vtpm-detach", &main_vtpmdetach, 0, 1, "Destroy a domain's virtual TPM device",
	  "<Domain> <DevId|uuid>", NULL },
	{ "vkb-attach", &main_vkbattach, 0, 1, "Create a new virtual keyboard device",
	  "<Domain> <vkb-spec-component(s)>...", NULL },
	{ "vkb-list", &main_vkblist, 0, 0, "List virtual keyboard devices for a domain",
	  "<Domain(s)>", NULL },
	{ "vkb-detach", &main_vkbdetach, 0, 1, "Destroy a domain's virtual keyboard device",
	  "<Domain> <DevId>", NULL },
	{ "vdispl-attach", &main_vdisplattach, 0, 1, "Create a new virtual display device",
	  "<Domain> [backend=<BackDomain>] [be-alloc=<BackAlloc>] [connectors='<Connectors>']",
	  NULL },
	{ "vdispl-list", &main_vdispllist, 0, 0, "List virtual display devices for a domain",
	  "<Domain(s)>", NULL },
	{ "vdispl-detach", &main_vdispldetach, 0, 1, "Destroy a domain's virtual display device",
	  "<Domain> <DevId>", NULL },
	{ "vsnd-attach", &main_vsndattach, 0, 1, "Create a new virtual sound device",
	  "<Domain> <vsnd-spec-component(s)>...", NULL },
	{ "vsnd-list", &main_vsndlist, 0, 0, "List virtual display devices for a domain",
	  "<Domain(s)>", NULL },
	{ "vsnd-detach", &main_vsnddetach, 0, 1, "Destroy a domain's virtual sound device",
	  "<Domain> <DevId>", NULL },
	{ "uptime", &main_uptime, 0, 0, "Print uptime for all/some domains", "[-s] [Domain]",
	  NULL },
	{ "claims", &main_claims, 0, 0, "List outstanding claim information about all domains", "",
	  "" },
	{ "cpupool-create", &main_cpupoolcreate, 1, 1, "Create a new CPU pool",
	  "[options] [<ConfigFile>] [Variable=value ...]",
	  "-h, --help                   Print this help.\n"
	  "-f FILE, --defconfig=FILE    Use the given configuration file.\n"
	  "-n, --dryrun                 Dry run - prints the resulting configuration.\n"
	  "                              (deprecated in favour of global -N option)." },
	{ "cpupool-list", &main_cpupoollist, 0, 0, "List CPU pools on host",
	  "[-c|--cpus] [<CPU Pool>]",
	  "-c, --cpus                     Output list of CPUs used by a pool" },
	{ "cpupool-destroy", &main_cpupooldestroy, 0, 1, "Deactivates a CPU pool", "<CPU Pool>",
	  NULL },
	{ "cpupool-rename", &main_cpupoolrename, 0, 1, "Renames a CPU pool",
	  "<CPU Pool> <new name>", NULL },
	{ "cpupool-cpu-add", &main_cpupoolcpuadd, 0, 1, "Adds a CPU to a CPU pool",
	  "<CPU Pool> <CPU nr>|node:<node nr>", NULL },
	{ "cpupool-cpu-remove", &main_cpupoolcpuremove, 0, 1, "Removes a CPU from a CPU pool",
	  "<CPU Pool> <CPU nr>|node:<node nr>", NULL },
	{ "cpupool-migrate", &main_cpupoolmigrate, 0, 1, "Moves a domain into a CPU pool",
	  "<Domain> <CPU Pool>", NULL },
	{ "cpupool-numa-split", &main_cpupoolnumasplit, 0, 1,
	  "Splits up the machine into one CPU pool per NUMA node", "", NULL },
	{ "getenforce", &main_getenforce, 0, 0,
	  "Returns the current enforcing mode of the Flask Xen security module", "", NULL },
	{ "setenforce", &main_setenforce, 0, 1,
	  "Sets the current enforcing mode of the Flask Xen security module",
	  "<1|0|Enforcing|Permissive>", NULL },
	{ "loadpolicy", &main_loadpolicy, 0, 1,
	  "Loads a new policy into the Flask Xen security module", "<policy file>", NULL },
	{ "remus", &main_remus, 0, 1, "Enable Remus HA or COLO HA for domain",
	  "[options] <Domain> [<host>]", NULL },
	{ "devd", &main_devd, 0, 1, "Daemon that listens for devices and launches backends",
	  "[options]",
	  "-F                      Run in the foreground.\n"
	  "-p, --pidfile [FILE]    Write PID to pidfile when daemonizing." },
	{ "qemu-monitor-command", &main_qemu_monitor_command, 0, 1,
	  "Issue a qemu monitor command to the device model of a domain", "<Domain> <Command>",
	  NULL },
};

const int cmdtable_len = sizeof(cmd_table) / sizeof(cmd_table[0]);

const struct cmd_spec *cmdtable_lookup(const char *s)
{
	const struct cmd_spec *cmd = NULL;
	size_t len;
	int i, count = 0;

	if (!s)
		return NULL;
	len = strlen(s);
	for (i = 0; i < cmdtable_len; i++) {
		if (!cmd_table[i].cmd_impl)
			continue; /* not linked in: not a command here */
		if (strncmp(s, cmd_table[i].cmd_name, len))
			continue;
		cmd = &cmd_table[i];
		/* an exact match wins even if it prefixes another command */
		if (len == strlen(cmd->cmd_name))
			return cmd;
		count++;
	}
	return count == 1 ? cmd : NULL;
}

void help(const char *command)
{
	const struct cmd_spec *cmd;
	int i;

	if (!command || !strcmp(command, "help")) {
		printf("Usage xl [-vfNtT] <subcommand> [args]\n\n");
		printf("xl full list of subcommands:\n\n");
		for (i = 0; i < cmdtable_len; i++) {
			if (!cmd_table[i].cmd_impl)
				continue;
			printf(" %-19s ", cmd_table[i].cmd_name);
			if (strlen(cmd_table[i].cmd_name) > 19)
				printf("\n %-19s ", "");
			printf("%s\n", cmd_table[i].cmd_desc);
		}
		return;
	}
	cmd = cmdtable_lookup(command);
	if (!cmd) {
		printf("command \"%s\" not implemented\n", command);
		return;
	}
	printf("Usage: xl [-v%s%s] %s %s\n\n%s.\n\n", cmd->modifies ? "f" : "",
	       cmd->can_dryrun ? "N" : "", cmd->cmd_name, cmd->cmd_usage, cmd->cmd_desc);
	if (cmd->cmd_option)
		printf("Options:\n\n%s\n", cmd->cmd_option);
}

int def_getopt(int argc, char *const argv[], const char *optstring, const struct option *longopts,
	       const char *helpstr, int reqargs)
{
	static const struct option def_options[] = { COMMON_LONG_OPTS };
	int opt;

	if (!longopts)
		longopts = def_options;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, optstring, longopts, NULL)) == '?') {
		if (optopt == 'h') {
			help(helpstr);
			exit(0);
		}
		fprintf(stderr, "option `%c' not supported.\n", optopt);
		exit(2);
	}
	if (opt == 'h') {
		help(helpstr);
		exit(0);
	}
	if (opt != -1)
		return opt;
	if (argc - optind <= reqargs - 1) {
		help(helpstr);
		exit(2);
	}
	return -1;
}
