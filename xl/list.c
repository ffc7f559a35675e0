/*
 * xl/list.c: list, domid, domname, uptime: what runs, in Xen's formats
 * (scripts parse these, tabs included).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xl.h"
#include "lifecycle.h"

uint32_t find_domain(const char *qualifier)
{
	uint32_t domid;
	int rc = libxl_domain_qualifier_to_domid(xl.ctx, qualifier, &domid);

	if (rc) {
		fprintf(stderr, "%s is an invalid domain identifier (rc=%d)\n", qualifier, rc);
		exit(EXIT_FAILURE);
	}
	return domid;
}

static void list_domains(int verbose, int numa, const libxl_dominfo *info, int nb)
{
	static const char shutdown_reason_letters[] = "-rscwS";
	int i;

	printf("Name                                        ID   Mem VCPUs\tState\tTime(s)");
	if (verbose)
		printf("   UUID                            Reason-Code\tSecurity Label");
	if (numa)
		printf(" NODE Affinity");
	printf("\n");
	for (i = 0; i < nb; i++) {
		char *name = libxl_domid_to_name(xl.ctx, info[i].domid);
		int reason = info[i].shutdown ? info[i].shutdown_reason : 0;
		char letter = reason >= 0 && reason < (int)sizeof(shutdown_reason_letters) - 1
				      ? shutdown_reason_letters[reason]
				      : '?';

		printf("%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f",
		       name ? name : (info[i].domid == 0 ? "Domain-0" : "(null)"), info[i].domid,
		       (unsigned long)((info[i].current_memkb + info[i].outstanding_memkb) / 1024),
		       info[i].vcpu_online, info[i].running ? 'r' : '-',
		       info[i].blocked ? 'b' : '-', info[i].paused ? 'p' : '-',
		       info[i].shutdown ? 's' : '-', letter, info[i].dying ? 'd' : '-',
		       (double)info[i].cpu_time / 1e9);
		free(name);
		if (verbose) {
			char uuid[37];

			libxl_uuid_to_string(&info[i].uuid, uuid);
			printf(" %s", uuid);
			if (info[i].shutdown)
				printf(" %8x", reason);
			else
				printf(" %8s", "-");
			/* No XSM/FLASK: no security label, as Xen prints it. */
			printf("  -");
		}
		/* The host is one NUMA node and every domain may use it. */
		if (numa)
			printf(" all");
		printf("\n");
	}
}

/* Indents every line but the first of text by n spaces. */
static void print_indented(const char *text, int n)
{
	for (const char *p = text; *p; p++) {
		putchar(*p);
		if (*p == '\n' && p[1])
			printf("%*s", n, "");
	}
}

static int list_domains_details(const libxl_dominfo *info, int nb)
{
	int i, printed = 0;

	printf("[\n");
	for (i = 0; i < nb; i++) {
		libxl_domain_config d_config;
		char *json;

		/* Domain 0 is the host: it has no config of xl's making. */
		if (info[i].domid == 0)
			continue;
		libxl_domain_config_init(&d_config);
		if (libxl_retrieve_domain_configuration(xl.ctx, info[i].domid, &d_config)) {
			libxl_domain_config_dispose(&d_config);
			continue;
		}
		json = libxl_domain_config_to_json(&d_config);
		libxl_domain_config_dispose(&d_config);
		if (!json)
			continue;
		/* Trim the JSON's final newline: the object closes it. */
		if (*json && json[strlen(json) - 1] == '\n')
			json[strlen(json) - 1] = '\0';
		printf("%s    {\n        \"domid\": %u,\n        \"config\": ",
		       printed ? ",\n" : "", info[i].domid);
		print_indented(json, 8);
		printf("\n    }");
		free(json);
		printed++;
	}
	printf("%s]\n", printed ? "\n" : "");
	return 0;
}

int main_list(int argc, char **argv)
{
	static const struct option opts[] = { { "long", 0, 0, 'l' },
					      { "verbose", 0, 0, 'v' },
					      { "numa", 0, 0, 'n' },
					      COMMON_LONG_OPTS };
	libxl_dominfo *info = NULL, one;
	int opt, details = 0, verbose = 0, numa = 0, nb, rc;

	SWITCH_FOREACH_OPT(opt, "lvZcn", opts, "list", 0) {
	case 'l':
		details = 1;
		break;
	case 'v':
		verbose = 1;
		break;
	case 'n':
		numa = 1;
		break;
	case 'Z':
	case 'c':
		fprintf(stderr, "xl list: option -%c is not supported by kxen yet\n", opt);
		return EXIT_FAILURE;
	}

	if (optind >= argc) {
		rc = libxl_list_domain(xl.ctx, &info, &nb);
		if (rc) {
			fprintf(stderr, "libxl_list_domain failed.\n");
			return EXIT_FAILURE;
		}
	} else if (optind == argc - 1) {
		uint32_t domid = find_domain(argv[optind]);

		rc = libxl_domain_info(xl.ctx, &one, domid);
		if (rc == ERROR_DOMAIN_NOTFOUND) {
			fprintf(stderr, "Error: Domain '%s' does not exist.\n", argv[optind]);
			return EXIT_FAILURE;
		}
		if (rc) {
			fprintf(stderr, "libxl_domain_info failed (code %d).\n", rc);
			return EXIT_FAILURE;
		}
		info = &one;
		nb = 1;
	} else {
		help("list");
		return EXIT_FAILURE;
	}

	if (details)
		list_domains_details(info, nb);
	else
		list_domains(verbose, numa, info, nb);
	if (info != &one)
		free(info);
	return EXIT_SUCCESS;
}

int main_domid(int argc, char **argv)
{
	uint32_t domid;
	int opt;

	SWITCH_FOREACH_OPT(opt, "", NULL, "domid", 1) {
		/* no options */
	}
	if (libxl_name_to_domid(xl.ctx, argv[optind], &domid)) {
		fprintf(stderr, "Can't get domid of domain name '%s', maybe this domain does "
				"not exist.\n",
			argv[optind]);
		return EXIT_FAILURE;
	}
	printf("%u\n", domid);
	return EXIT_SUCCESS;
}

int main_domname(int argc, char **argv)
{
	char *end, *name;
	unsigned long domid;
	int opt;

	SWITCH_FOREACH_OPT(opt, "", NULL, "domname", 1) {
		/* no options */
	}
	domid = strtoul(argv[optind], &end, 10);
	if (!*argv[optind] || *end) {
		fprintf(stderr, "Invalid domain id.\n\n");
		return EXIT_FAILURE;
	}
	name = libxl_domid_to_name(xl.ctx, domid);
	if (!name) {
		fprintf(stderr, "Can't get domain name of domain id '%lu', maybe this domain "
				"does not exist.\n",
			domid);
		return EXIT_FAILURE;
	}
	printf("%s\n", name);
	free(name);
	return EXIT_SUCCESS;
}
