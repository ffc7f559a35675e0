/*
 * xl-meminfo DOMID: what the hypervisor holds for a domain's memory, for
 * the xl-memory test (xl has no command that prints the limit): one line
 * "max_kb=<max_pages * 4> tot_kb=<tot_pages * 4>".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenctrl.h>

int main(int argc, char **argv)
{
	xc_domaininfo_t info;
	xc_interface *xch;
	char *end;
	unsigned long domid;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: xl-meminfo DOMID\n");
		return 2;
	}
	domid = strtoul(argv[1], &end, 10);
	if (!*argv[1] || *end || domid > 0x7fef) {
		fprintf(stderr, "xl-meminfo: bad domain id '%s'\n", argv[1]);
		return 2;
	}
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		fprintf(stderr, "xl-meminfo: cannot reach xenhv: %s\n", strerror(errno));
		return 1;
	}
	rc = xc_domain_getinfo_single(xch, (uint32_t)domid, &info);
	if (rc < 0) {
		fprintf(stderr, "xl-meminfo: domain %lu: %s\n", domid, strerror(errno));
		xc_interface_close(xch);
		return 1;
	}
	printf("max_kb=%llu tot_kb=%llu\n", (unsigned long long)info.max_pages * 4,
	       (unsigned long long)info.tot_pages * 4);
	xc_interface_close(xch);
	return 0;
}
