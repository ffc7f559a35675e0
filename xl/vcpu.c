/*
 * xl/vcpu.c: the commands on a domain's CPUs and time: vcpu-list,
 * vcpu-pin, vcpu-set and uptime, with Xen's options, output and messages
 * (tools/xl/xl_vcpu.c and xl_misc.c), because scripts parse them.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xl.h"
#include "lifecycle.h"

/*
 * Xen's print_bitmap: "all" when every one of the maplen CPUs is set,
 * "none" when none is, else ranges "0-3,6".
 */
static void print_cpumap(const libxl_bitmap *map, int maplen, FILE *f)
{
	int i, first = -1, printed = 0, all = 1;

	for (i = 0; i < maplen; i++)
		if (!libxl_bitmap_test(map, i))
			all = 0;
	if (all && maplen > 0) {
		fputs("all", f);
		return;
	}
	for (i = 0; i <= maplen; i++) {
		int set = i < maplen && libxl_bitmap_test(map, i);

		if (set && first < 0)
			first = i;
		if (!set && first >= 0) {
			fprintf(f, "%s%d", printed ? "," : "", first);
			if (i - 1 > first)
				fprintf(f, "-%d", i - 1);
			printed = 1;
			first = -1;
		}
	}
	if (!printed)
		fputs("none", f);
}

static void print_domain_vcpuinfo(uint32_t domid, int nr_cpus)
{
	libxl_vcpuinfo *vcpus;
	int nb_vcpu, host_cpus, i;
	char *name;

	vcpus = libxl_list_vcpu(xl.ctx, domid, &nb_vcpu, &host_cpus);
	if (!vcpus)
		return;
	name = libxl_domid_to_name(xl.ctx, domid);
	for (i = 0; i < nb_vcpu; i++) {
		const libxl_vcpuinfo *v = &vcpus[i];

		printf("%-32s %5u %5u", name ? name : "(null)", domid, v->vcpuid);
		if (!v->online)
			printf("%5c %3c%cp ", '-', '-', '-');
		else
			printf("%5u %3c%c- ", v->cpu, v->running ? 'r' : '-',
			       v->blocked ? 'b' : '-');
		printf("%9.1f  ", (double)v->vcpu_time / 1e9);
		print_cpumap(&v->cpumap, nr_cpus, stdout);
		printf(" / ");
		print_cpumap(&v->cpumap_soft, nr_cpus, stdout);
		printf("\n");
	}
	free(name);
	libxl_vcpuinfo_list_free(vcpus, nb_vcpu);
}

int main_vcpulist(int argc, char **argv)
{
	libxl_physinfo physinfo;
	libxl_dominfo *info;
	int opt, nb, i;

	SWITCH_FOREACH_OPT(opt, "", NULL, "vcpu-list", 0) {
		/* no options */
	}
	if (libxl_get_physinfo(xl.ctx, &physinfo)) {
		fprintf(stderr, "libxl_physinfo failed.\n");
		return EXIT_SUCCESS; /* Xen's exit status here */
	}
	printf("%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
	       "Affinity (Hard / Soft)");
	if (optind >= argc) {
		if (libxl_list_domain(xl.ctx, &info, &nb)) {
			fprintf(stderr, "libxl_list_domain failed.\n");
			return EXIT_SUCCESS;
		}
		for (i = 0; i < nb; i++)
			print_domain_vcpuinfo(info[i].domid, (int)physinfo.nr_cpus);
		free(info);
	} else {
		for (i = optind; i < argc; i++)
			print_domain_vcpuinfo(find_domain(argv[i]), (int)physinfo.nr_cpus);
	}
	return EXIT_SUCCESS;
}

int main_vcpupin(int argc, char **argv)
{
	static const struct option opts[] = { { "force", 0, 0, 'f' }, COMMON_LONG_OPTS };
	libxl_bitmap cpumap_hard, cpumap_soft;
	libxl_bitmap *hard = &cpumap_hard, *soft = &cpumap_soft;
	const char *vcpu, *hard_str, *soft_str;
	libxl_vcpuinfo *vcpus;
	uint32_t domid;
	long vcpuid;
	char *end;
	int opt, nb_vcpu, nb_cpu, force = 0, rc = EXIT_FAILURE;

	libxl_bitmap_init(&cpumap_hard);
	libxl_bitmap_init(&cpumap_soft);
	SWITCH_FOREACH_OPT(opt, "f", opts, "vcpu-pin", 3) {
	case 'f':
		force = 1;
		break;
	}
	domid = find_domain(argv[optind]);
	vcpu = argv[optind + 1];
	hard_str = argv[optind + 2];
	soft_str = argc > optind + 3 ? argv[optind + 3] : NULL;

	vcpuid = strtol(vcpu, &end, 10);
	/* Past 32 bits would wrap to another vCPU: as invalid as "-1". */
	if (vcpu == end || vcpuid < 0 || vcpuid > INT32_MAX) {
		if (strcmp(vcpu, "all")) {
			fprintf(stderr, "Error: Invalid argument %s as VCPU.\n", vcpu);
			goto out;
		}
		if (force) {
			fprintf(stderr, "Error: --force and 'all' as VCPU not allowed.\n");
			goto out;
		}
		vcpuid = -1;
	}
	if (libxl_cpu_bitmap_alloc(&cpumap_hard, 0) || libxl_cpu_bitmap_alloc(&cpumap_soft, 0))
		goto out;
	/* "-" leaves that affinity alone; soft may be left out altogether. */
	if (!strcmp(hard_str, "-"))
		hard = NULL;
	else if (xl_parse_cpurange(hard_str, hard, stderr))
		goto out;
	if (!soft_str || !strcmp(soft_str, "-"))
		soft = NULL;
	else if (xl_parse_cpurange(soft_str, soft, stderr))
		goto out;

	if (xl.dryrun_only) {
		nb_cpu = libxl_get_online_cpus(xl.ctx);
		if (nb_cpu < 0) {
			fprintf(stderr, "libxl_get_online_cpus failed.\n");
			goto out;
		}
		printf("cpumap: ");
		if (hard)
			print_cpumap(hard, nb_cpu, stdout);
		else
			printf("-");
		if (soft) {
			printf(" ");
			print_cpumap(soft, nb_cpu, stdout);
		}
		printf("\n");
		rc = EXIT_SUCCESS;
		goto out;
	}

	/* -f undoes a guest's SCHEDOP_pin_override: kxen has none to undo. */
	if (vcpuid != -1) {
		if (libxl_set_vcpuaffinity(xl.ctx, domid, (uint32_t)vcpuid, hard, soft)) {
			fprintf(stderr, "Could not set affinity for vcpu `%ld'.\n", vcpuid);
			goto out;
		}
	} else {
		vcpus = libxl_list_vcpu(xl.ctx, domid, &nb_vcpu, &nb_cpu);
		if (!vcpus) {
			fprintf(stderr, "libxl_list_vcpu failed.\n");
			goto out;
		}
		if (libxl_set_vcpuaffinity_all(xl.ctx, domid, (unsigned int)nb_vcpu, hard, soft))
			fprintf(stderr, "Could not set affinity.\n");
		libxl_vcpuinfo_list_free(vcpus, nb_vcpu);
	}
	rc = EXIT_SUCCESS;
out:
	libxl_bitmap_dispose(&cpumap_soft);
	libxl_bitmap_dispose(&cpumap_hard);
	return rc;
}

#define VCPUSET_MAX_BITS 65536u

static int vcpuset(uint32_t domid, const char *nr_vcpus, int check_host)
{
	libxl_bitmap cpumap;
	unsigned int max_vcpus, i;
	char *end;
	int rc;

	max_vcpus = strtoul(nr_vcpus, &end, 10);
	if (nr_vcpus == end) {
		fprintf(stderr, "Error: Invalid argument.\n");
		return 1;
	}
	/* As Xen: more vCPUs than host CPUs only with --ignore-host. */
	if (check_host) {
		unsigned int host_cpus = (unsigned int)libxl_get_max_cpus();
		libxl_dominfo info;

		if (libxl_domain_info(xl.ctx, &info, domid))
			return 1;
		if (max_vcpus > info.vcpu_online && max_vcpus > host_cpus) {
			fprintf(stderr,
				"You are overcommmitting! You have %d physical CPUs and want "
				"%d vCPUs! Aborting, use --ignore-host to continue\n",
				host_cpus, max_vcpus);
			return 1;
		}
	}
	/*
	 * More bits than any domain has vCPUs only make libxl refuse: cap the
	 * map so that a huge number does not cost a huge loop.
	 */
	if (max_vcpus > VCPUSET_MAX_BITS)
		max_vcpus = VCPUSET_MAX_BITS;
	libxl_bitmap_init(&cpumap);
	rc = libxl_bitmap_alloc(&cpumap, max_vcpus ? (int)max_vcpus : 1);
	if (rc) {
		fprintf(stderr, "libxl_cpu_bitmap_alloc failed, rc: %d\n", rc);
		return 1;
	}
	for (i = 0; i < max_vcpus; i++)
		libxl_bitmap_set(&cpumap, (int)i);
	rc = libxl_set_vcpuonline(xl.ctx, domid, &cpumap);
	if (rc == ERROR_DOMAIN_NOTFOUND)
		fprintf(stderr, "Domain %u does not exist.\n", domid);
	else if (rc)
		fprintf(stderr, "libxl_set_vcpuonline failed domid=%u max_vcpus=%d, rc: %d\n",
			domid, max_vcpus, rc);
	libxl_bitmap_dispose(&cpumap);
	return rc ? 1 : 0;
}

int main_vcpuset(int argc, char **argv)
{
	static const struct option opts[] = { { "ignore-host", 0, 0, 'i' }, COMMON_LONG_OPTS };
	int opt, check_host = 1;

	SWITCH_FOREACH_OPT(opt, "i", opts, "vcpu-set", 2) {
	case 'i':
		check_host = 0;
		break;
	}
	return vcpuset(find_domain(argv[optind]), argv[optind + 1], check_host) ? EXIT_FAILURE
										: EXIT_SUCCESS;
}

/* Xen's uptime_to_string: "[D day[s], ]HH:MM[:SS]" (hours space-padded). */
static void print_duration(unsigned long uptime, int short_mode)
{
	unsigned long day = uptime / 86400, hour = uptime / 3600 % 24;
	unsigned long min = uptime / 60 % 60, sec = uptime % 60;

	if (day)
		printf("%lu day%s, ", day, day > 1 ? "s" : "");
	if (short_mode)
		printf("%2lu:%02lu", hour, min);
	else
		printf("%2lu:%02lu:%02lu", hour, min, sec);
}

static void print_uptime_row(uint32_t domid, int short_mode, time_t now)
{
	unsigned long uptime;
	char *name;

	if (domid == 0) {
		/* Domain 0 is the host: its uptime is the host's. */
		char buf[64] = "";
		int fd = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

		if (fd >= 0)
			close(fd);
		if (n <= 0) {
			fprintf(stderr, "Can not get Dom0 uptime.\n");
			exit(-1);
		}
		buf[n] = '\0';
		uptime = strtoul(buf, NULL, 10);
	} else {
		int64_t start = libxl_vm_get_start_time(xl.ctx, domid);

		if (start < 0)
			return;
		uptime = now > start ? (unsigned long)(now - start) : 0;
	}
	name = libxl_domid_to_name(xl.ctx, domid);
	if (!name && domid == 0)
		name = strdup("Domain-0");
	if (short_mode) {
		char now_str[32] = "";

		strftime(now_str, sizeof(now_str), "%H:%M:%S", localtime(&now));
		printf(" %s up ", now_str);
		print_duration(uptime, 1);
		printf(", %s (%u)\n", name ? name : "(null)", domid);
	} else {
		printf("%-33s %4u ", name ? name : "(null)", domid);
		print_duration(uptime, 0);
		printf("\n");
	}
	free(name);
}

int main_uptime(int argc, char **argv)
{
	time_t now = time(NULL);
	libxl_dominfo *info;
	int opt, short_mode = 0, nb, i;

	SWITCH_FOREACH_OPT(opt, "s", NULL, "uptime", 0) {
	case 's':
		short_mode = 1;
		break;
	}
	/* As Xen: every name resolved (or the command fails) before output. */
	if (optind < argc) {
		uint32_t *domids = calloc((size_t)(argc - optind), sizeof(*domids));

		if (!domids)
			return EXIT_FAILURE;
		for (i = optind; i < argc; i++)
			domids[i - optind] = find_domain(argv[i]);
		if (!short_mode)
			printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
		for (i = 0; i < argc - optind; i++)
			print_uptime_row(domids[i], short_mode, now);
		free(domids);
		return EXIT_SUCCESS;
	}
	if (!short_mode)
		printf("%-33s %4s %s\n", "Name", "ID", "Uptime");
	print_uptime_row(0, short_mode, now);
	if (libxl_list_domain(xl.ctx, &info, &nb)) {
		fprintf(stderr, "Could not list vms.\n");
		return EXIT_SUCCESS;
	}
	for (i = 0; i < nb; i++)
		if (info[i].domid != 0)
			print_uptime_row(info[i].domid, short_mode, now);
	free(info);
	return EXIT_SUCCESS;
}
