/*
 * The memory pool and per-domain RAM.  Pure bookkeeping plus the memfd;
 * mapping runs into the VM is the caller's (domain.c) business.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "memory.h"

#define PAGE_SHIFT 12
#define BITS 64

void memory_pool_init(struct memory_pool *pool, uint64_t pages)
{
	pool->total_pages = pages;
	pool->free_pages = pages;
}

int memory_pool_claim(struct memory_pool *pool, uint64_t pages)
{
	if (pages > pool->free_pages)
		return -ENOMEM;
	pool->free_pages -= pages;
	return 0;
}

void memory_pool_release(struct memory_pool *pool, uint64_t pages)
{
	pool->free_pages += pages;
	if (pool->free_pages > pool->total_pages)
		pool->free_pages = pool->total_pages;
}

uint64_t memory_pool_default_bytes(void)
{
	unsigned long long kb = 0, avail;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");
	uint64_t bytes, reserve;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %llu kB", &avail) == 1)
			kb = avail;
	fclose(f);
	bytes = (uint64_t)kb * 1024;
	/* Keep a tenth for the host, at least 256 MiB and at most 2 GiB. */
	reserve = bytes / 10;
	if (reserve < (256ull << 20))
		reserve = 256ull << 20;
	if (reserve > (2ull << 30))
		reserve = 2ull << 30;
	return bytes > reserve ? bytes - reserve : 0;
}

int memory_domain_init(struct domain_memory *mem, unsigned int domid, uint64_t gfn_limit)
{
	char name[32];
	size_t bytes = (size_t)gfn_limit << PAGE_SHIFT;
	int rc;

	memset(mem, 0, sizeof(*mem));
	mem->memfd = -1;
	mem->base = MAP_FAILED;
	mem->gfn_limit = gfn_limit;
	mem->populated = calloc((gfn_limit + BITS - 1) / BITS, sizeof(uint64_t));
	if (!mem->populated)
		return -ENOMEM;
	snprintf(name, sizeof(name), "xenhv-dom%u", domid);
	mem->memfd = memfd_create(name, MFD_CLOEXEC);
	if (mem->memfd < 0) {
		rc = -errno;
		goto out;
	}
	if (ftruncate(mem->memfd, (off_t)bytes) < 0) {
		rc = -errno;
		goto out;
	}
	mem->base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
			 mem->memfd, 0);
	if (mem->base == MAP_FAILED) {
		rc = -errno;
		goto out;
	}
	return 0;
out:
	memory_domain_dispose(mem, NULL);
	return rc;
}

void memory_domain_dispose(struct domain_memory *mem, struct memory_pool *pool)
{
	if (pool)
		memory_pool_release(pool, mem->tot_pages);
	mem->tot_pages = 0;
	if (mem->base && mem->base != MAP_FAILED)
		munmap(mem->base, (size_t)mem->gfn_limit << PAGE_SHIFT);
	mem->base = MAP_FAILED;
	if (mem->memfd >= 0)
		close(mem->memfd);
	mem->memfd = -1;
	free(mem->populated);
	mem->populated = NULL;
}

bool memory_gfn_populated(const struct domain_memory *mem, uint64_t gfn)
{
	if (!mem->populated || gfn >= mem->gfn_limit)
		return false;
	return mem->populated[gfn / BITS] & (1ull << (gfn % BITS));
}

uint64_t memory_max_gfn(const struct domain_memory *mem)
{
	uint64_t w;

	if (!mem->populated)
		return 0;
	for (w = (mem->gfn_limit + BITS - 1) / BITS; w > 0; w--)
		if (mem->populated[w - 1])
			return (w - 1) * BITS + 63 -
			       (uint64_t)__builtin_clzll(mem->populated[w - 1]);
	return 0;
}

static void memory_mark(struct domain_memory *mem, uint64_t gfn, bool on)
{
	if (on)
		mem->populated[gfn / BITS] |= 1ull << (gfn % BITS);
	else
		mem->populated[gfn / BITS] &= ~(1ull << (gfn % BITS));
}

int memory_populate(struct domain_memory *mem, struct memory_pool *pool, uint64_t gfn, uint64_t nr)
{
	uint64_t i, fresh = 0;
	int rc;

	if (!mem->populated || nr > mem->gfn_limit || gfn > mem->gfn_limit - nr)
		return -EINVAL;
	for (i = 0; i < nr; i++)
		if (!memory_gfn_populated(mem, gfn + i))
			fresh++;
	if (mem->tot_pages + fresh > mem->max_pages)
		return -ENOMEM;
	rc = memory_pool_claim(pool, fresh);
	if (rc)
		return rc;
	for (i = 0; i < nr; i++)
		memory_mark(mem, gfn + i, true);
	mem->tot_pages += fresh;
	return 0;
}

int memory_decrease(struct domain_memory *mem, struct memory_pool *pool, uint64_t gfn, uint64_t nr)
{
	uint64_t i;

	if (!mem->populated || nr > mem->gfn_limit || gfn > mem->gfn_limit - nr)
		return -EINVAL;
	for (i = 0; i < nr; i++)
		if (!memory_gfn_populated(mem, gfn + i))
			return -EINVAL;
	/* The memory goes back to the host now, not at destroy. */
	if (mem->memfd >= 0)
		fallocate(mem->memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			  (off_t)(gfn << PAGE_SHIFT), (off_t)(nr << PAGE_SHIFT));
	for (i = 0; i < nr; i++)
		memory_mark(mem, gfn + i, false);
	mem->tot_pages -= nr;
	memory_pool_release(pool, nr);
	return 0;
}

void *memory_gpa_ptr(const struct domain_memory *mem, uint64_t gpa, size_t len)
{
	uint64_t first, last, g;

	if (!mem->populated || mem->base == MAP_FAILED || len == 0)
		return NULL;
	if (gpa >= (mem->gfn_limit << PAGE_SHIFT) || len > (mem->gfn_limit << PAGE_SHIFT) - gpa)
		return NULL;
	first = gpa >> PAGE_SHIFT;
	last = (gpa + len - 1) >> PAGE_SHIFT;
	for (g = first; g <= last; g++)
		if (!memory_gfn_populated(mem, g))
			return NULL;
	return mem->base + gpa;
}
