/*
 * xl/memory.c: mem-set (the balloon target) and mem-max (the hypervisor's
 * limit), with Xen's messages (tools/xl/xl_mem.c).
 *
 * Sizes take Xen's suffixes b, k, m, g, t.  Without a suffix the number is
 * MiB: that is what Xen's parse_mem_size_kb does (and the usage line's
 * "<MemMB...>" says), although xl(1) speaks of KiB; scripts depend on the
 * behaviour, so the behaviour is kept.
 */
#include <stdio.h>
#include <stdlib.h>

#include "xl.h"
#include "lifecycle.h"

int main_memmax(int argc, char **argv)
{
	const char *mem;
	int64_t memorykb;
	uint32_t domid;
	int opt;

	SWITCH_FOREACH_OPT(opt, "", NULL, "mem-max", 2) {
		/* no options */
	}
	domid = find_domain(argv[optind]);
	mem = argv[optind + 1];
	memorykb = xl_parse_mem_size_kb(mem);
	if (memorykb < 0) {
		fprintf(stderr, "invalid memory size: %s\n", mem);
		return EXIT_FAILURE;
	}
	if (libxl_domain_setmaxmem(xl.ctx, domid, (uint64_t)memorykb)) {
		fprintf(stderr, "cannot set domid %u static max memory to : %s\n", domid, mem);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int main_memset(int argc, char **argv)
{
	const char *mem;
	int64_t memorykb;
	uint32_t domid;
	int opt;

	SWITCH_FOREACH_OPT(opt, "", NULL, "mem-set", 2) {
		/* no options */
	}
	domid = find_domain(argv[optind]);
	mem = argv[optind + 1];
	memorykb = xl_parse_mem_size_kb(mem);
	if (memorykb < 0) {
		fprintf(stderr, "invalid memory size: %s\n", mem);
		return EXIT_FAILURE;
	}
	/* enforce: the hypervisor's limit follows the target down, as Xen. */
	if (libxl_set_memory_target(xl.ctx, domid, memorykb, 0, 1)) {
		fprintf(stderr, "cannot set domid %u dynamic max memory to : %s\n", domid, mem);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
