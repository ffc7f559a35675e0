/*
 * xenhv-boot: a small driver for the hypervisor's integration tests and
 * benchmarks, using libxc directly (the xl path comes with libxl).
 *
 *   xenhv-boot [options] KERNEL        build, boot, wait for shutdown
 *   xenhv-boot --cycles N [--parallel P] [--mem MB]
 *                                       create+populate+destroy N domains
 *
 * Options: --mem MB (default 32), --cmdline STR, --timeout SEC (default 30),
 * --ramdisk FILE (module 0), --keep (do not destroy), --vcpus N, --pause-cycles N (pause and unpause
 * the running guest N times, checking the flags each time).
 * Prints "xenhv-boot: key=value" lines the test scripts check: domid,
 * shutdown reason, the guest's console lines, pool pages before/after,
 * and timings.  Waiting for shutdown polls getdomaininfo every 2 ms until
 * VIRQ_DOM_EXC reaches domain 0 (issue 5).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>

static const char *const shutdown_names[] = { "poweroff", "reboot",   "suspend",
					      "crash",	  "watchdog", "soft_reset" };

struct opts {
	const char *kernel;
	const char *ramdisk;
	const char *cmdline;
	uint64_t mem_mb;
	unsigned int vcpus;
	int timeout;
	bool keep;
	unsigned int cycles;
	unsigned int parallel;
	unsigned int pause_cycles;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int create_domain(xc_interface *xch, const struct opts *o, uint32_t *domid)
{
	struct xen_domctl_createdomain cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap;
	cfg.max_vcpus = o->vcpus;
	cfg.max_evtchn_port = 1023;
	cfg.max_grant_frames = 32;
	cfg.max_maptrack_frames = 1024;
	*domid = 0;
	if (xc_domain_create(xch, domid, &cfg) < 0) {
		fprintf(stderr, "xenhv-boot: create: %s\n", strerror(errno));
		return -1;
	}
	/* Room for RAM plus Xen's 8 special pages. */
	if (xc_domain_setmaxmem(xch, *domid, o->mem_mb * 1024 + 32) < 0) {
		fprintf(stderr, "xenhv-boot: setmaxmem: %s\n", strerror(errno));
		xc_domain_destroy(xch, *domid);
		return -1;
	}
	return 0;
}

static void print_console(xc_interface *xch, uint32_t *index, bool quiet)
{
	char *buf = malloc(65536);
	unsigned int n = 65536;

	if (!buf)
		return;
	if (xc_readconsolering(xch, buf, &n, 0, 1, index) == 0) {
		char *line = buf, *nl;

		buf[n < 65536 ? n : 65535] = '\0';
		while (!quiet && (nl = strchr(line, '\n'))) {
			*nl = '\0';
			printf("xenhv-boot: console: %s\n", line);
			line = nl + 1;
		}
	}
	free(buf);
}

/* Pause nests; a paused domain is not running; unpause below zero fails. */
static int pause_cycles(xc_interface *xch, uint32_t domid, unsigned int n)
{
	xc_domaininfo_t info;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (xc_domain_pause(xch, domid) < 0 || xc_domain_pause(xch, domid) < 0 ||
		    xc_domain_getinfo_single(xch, domid, &info) < 0)
			goto fail;
		if (!(info.flags & XEN_DOMINF_paused) || (info.flags & XEN_DOMINF_running)) {
			fprintf(stderr, "xenhv-boot: paused domain has flags %#x\n", info.flags);
			return -1;
		}
		if (i == 0) {
			vcpu_hvm_context_t ctx;

			/*
			 * A paused vCPU's registers: somewhere in the guest's
			 * image (at its entry if it has not run yet: no
			 * timing assumption), with protected mode on.
			 */
			if (xc_vcpu_get_hvm_context(xch, domid, 0, &ctx) < 0)
				goto fail;
			if (ctx.mode != VCPU_HVM_MODE_64B || !(ctx.cpu_regs.x86_64.cr0 & 1) ||
			    ctx.cpu_regs.x86_64.rip < 0x100000 ||
			    ctx.cpu_regs.x86_64.rip >= 0x200000) {
				fprintf(stderr,
					"xenhv-boot: odd vCPU context: efer %#llx rip %#llx\n",
					(unsigned long long)ctx.cpu_regs.x86_64.efer,
					(unsigned long long)ctx.cpu_regs.x86_64.rip);
				return -1;
			}
			printf("xenhv-boot: paused at rip=%#llx\n",
			       (unsigned long long)ctx.cpu_regs.x86_64.rip);
		}
		if (xc_domain_unpause(xch, domid) < 0 ||
		    xc_domain_getinfo_single(xch, domid, &info) < 0)
			goto fail;
		if (!(info.flags & XEN_DOMINF_paused)) {
			fprintf(stderr, "xenhv-boot: pause did not nest\n");
			return -1;
		}
		if (xc_domain_unpause(xch, domid) < 0)
			goto fail;
		usleep(1000);
	}
	if (xc_domain_unpause(xch, domid) == 0 || errno != EINVAL) {
		fprintf(stderr,
			"xenhv-boot: unpause of an unpaused domain did not fail with EINVAL\n");
		return -1;
	}
	printf("xenhv-boot: pause_cycles=%u ok\n", n);
	return 0;
fail:
	fprintf(stderr, "xenhv-boot: pause/unpause: %s\n", strerror(errno));
	return -1;
}

static int boot(xc_interface *xch, const struct opts *o)
{
	struct xc_pvh_build_args args = { .kernel_path = o->kernel,
					  .ramdisk_path = o->ramdisk,
					  .cmdline = o->cmdline,
					  .mem_mb = o->mem_mb };
	struct xc_pvh_build_result res;
	xc_physinfo_t before, after;
	xc_domaininfo_t info;
	uint64_t t0, t_created, t_built, t_down = 0, t_destroyed;
	uint32_t domid, index = 0;
	int rc = 1;

	if (xc_physinfo(xch, &before) < 0) {
		fprintf(stderr, "xenhv-boot: physinfo: %s\n", strerror(errno));
		return 1;
	}
	/* Skip what the console ring holds now: print only this guest's lines. */
	print_console(xch, &index, true);
	t0 = now_us();
	if (create_domain(xch, o, &domid) < 0)
		return 1;
	t_created = now_us();
	printf("xenhv-boot: domid=%u\n", domid);
	if (xc_pvh_build(xch, domid, &args, &res) < 0) {
		fprintf(stderr, "xenhv-boot: build: %s\n", strerror(errno));
		goto destroy;
	}
	t_built = now_us();
	printf("xenhv-boot: entry=%#llx start_info=%#llx\n", (unsigned long long)res.entry,
	       (unsigned long long)res.start_info_paddr);
	if (xc_domain_unpause(xch, domid) < 0) {
		fprintf(stderr, "xenhv-boot: unpause: %s\n", strerror(errno));
		goto destroy;
	}
	if (o->pause_cycles && pause_cycles(xch, domid, o->pause_cycles) < 0)
		goto destroy;
	for (;;) {
		if (xc_domain_getinfo_single(xch, domid, &info) < 0) {
			fprintf(stderr, "xenhv-boot: getinfo: %s\n", strerror(errno));
			goto destroy;
		}
		if (info.flags & XEN_DOMINF_shutdown)
			break;
		if (now_us() - t_built > (uint64_t)o->timeout * 1000000) {
			fprintf(stderr, "xenhv-boot: timeout waiting for shutdown\n");
			print_console(xch, &index, false);
			goto destroy;
		}
		usleep(2000);
	}
	t_down = now_us();
	{
		unsigned int reason =
			(info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;

		printf("xenhv-boot: shutdown=%s\n",
		       reason < 6 ? shutdown_names[reason] : "unknown");
	}
	printf("xenhv-boot: tot_pages=%llu\n", (unsigned long long)info.tot_pages);
	print_console(xch, &index, false);
	rc = 0;
destroy:
	if (o->keep)
		return rc;
	if (xc_domain_destroy(xch, domid) < 0) {
		fprintf(stderr, "xenhv-boot: destroy: %s\n", strerror(errno));
		return 1;
	}
	t_destroyed = now_us();
	if (xc_physinfo(xch, &after) == 0)
		printf("xenhv-boot: free_pages_before=%llu free_pages_after=%llu\n",
		       (unsigned long long)before.free_pages, (unsigned long long)after.free_pages);
	if (!rc)
		printf("xenhv-boot: timing create_us=%llu build_us=%llu run_us=%llu "
		       "destroy_us=%llu\n",
		       (unsigned long long)(t_created - t0),
		       (unsigned long long)(t_built - t_created),
		       (unsigned long long)(t_down - t_built),
		       (unsigned long long)(t_destroyed - t_down));
	return rc;
}

struct cycle_job {
	const struct opts *o;
	unsigned int count;
	int rc;
};

static void *cycle_thread(void *arg)
{
	struct cycle_job *job = arg;
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);
	xen_pfn_t *pfns;
	uint64_t pages = job->o->mem_mb << 8, i;
	unsigned int c;

	job->rc = 1;
	if (!xch)
		return NULL;
	pfns = malloc(pages / 512 * sizeof(*pfns) + sizeof(*pfns));
	for (c = 0; pfns && c < job->count; c++) {
		uint32_t domid;

		if (create_domain(xch, job->o, &domid) < 0)
			goto out;
		for (i = 0; i < pages / 512; i++)
			pfns[i] = i * 512;
		if (xc_domain_populate_physmap_exact(xch, domid, pages / 512, 9, 0, pfns) < 0) {
			fprintf(stderr, "xenhv-boot: populate: %s\n", strerror(errno));
			xc_domain_destroy(xch, domid);
			goto out;
		}
		if (xc_domain_destroy(xch, domid) < 0)
			goto out;
	}
	job->rc = 0;
out:
	free(pfns);
	xc_interface_close(xch);
	return NULL;
}

static int cycles(const struct opts *o)
{
	struct cycle_job jobs[16];
	pthread_t threads[16];
	xc_physinfo_t before, after;
	xc_interface *xch = xc_interface_open(NULL, NULL, 0);
	unsigned int p, total = 0;
	uint64_t t0, t1;
	int rc = 0;

	if (!xch || xc_physinfo(xch, &before) < 0)
		return 1;
	t0 = now_us();
	for (p = 0; p < o->parallel; p++) {
		jobs[p] = (struct cycle_job){ o, o->cycles / o->parallel, 0 };
		total += jobs[p].count;
		pthread_create(&threads[p], NULL, cycle_thread, &jobs[p]);
	}
	for (p = 0; p < o->parallel; p++) {
		pthread_join(threads[p], NULL);
		rc |= jobs[p].rc;
	}
	t1 = now_us();
	xc_physinfo(xch, &after);
	printf("xenhv-boot: cycles=%u parallel=%u mem_mb=%llu total_us=%llu per_cycle_us=%llu "
	       "rate_per_s=%llu\n",
	       total, o->parallel, (unsigned long long)o->mem_mb, (unsigned long long)(t1 - t0),
	       (unsigned long long)(total ? (t1 - t0) / total : 0),
	       (unsigned long long)(t1 > t0 ? total * 1000000ull / (t1 - t0) : 0));
	printf("xenhv-boot: free_pages_before=%llu free_pages_after=%llu\n",
	       (unsigned long long)before.free_pages, (unsigned long long)after.free_pages);
	xc_interface_close(xch);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "keep", no_argument, NULL, 'k' },
		{ "vcpus", required_argument, NULL, 'v' },
		{ "cycles", required_argument, NULL, 'n' },
		{ "parallel", required_argument, NULL, 'p' },
		{ "pause-cycles", required_argument, NULL, 'P' },
		{ "ramdisk", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.cmdline = "hello", .mem_mb = 32, .vcpus = 1, .timeout = 30, .parallel = 1
	};
	xc_interface *xch;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "m:c:t:kv:n:p:P:r:", lopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			o.mem_mb = strtoull(optarg, NULL, 10);
			break;
		case 'c':
			o.cmdline = optarg;
			break;
		case 't':
			o.timeout = atoi(optarg);
			break;
		case 'k':
			o.keep = true;
			break;
		case 'v':
			o.vcpus = (unsigned int)atoi(optarg);
			break;
		case 'n':
			o.cycles = (unsigned int)atoi(optarg);
			break;
		case 'p':
			o.parallel = (unsigned int)atoi(optarg);
			break;
		case 'P':
			o.pause_cycles = (unsigned int)atoi(optarg);
			break;
		case 'r':
			o.ramdisk = optarg;
			break;
		default:
			return 2;
		}
	}
	if (o.parallel < 1 || o.parallel > 16 || !o.mem_mb || !o.vcpus) {
		fprintf(stderr, "xenhv-boot: bad options\n");
		return 2;
	}
	if (o.cycles)
		return cycles(&o);
	if (optind + 1 != argc) {
		fprintf(stderr, "usage: xenhv-boot [options] KERNEL\n");
		return 2;
	}
	o.kernel = argv[optind];
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch) {
		fprintf(stderr, "xenhv-boot: cannot reach xenhv: %s\n", strerror(errno));
		return 1;
	}
	rc = boot(xch, &o);
	xc_interface_close(xch);
	return rc;
}
