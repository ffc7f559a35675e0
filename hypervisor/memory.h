/*
 * Memory: the host pool xenhv hands pages out of, and each domain's RAM (one
 * memfd, sparse: a page costs host memory once touched).  Guest frame g lives
 * at memfd offset g << 12; a bitmap says which frames are populated, and
 * only populated runs are mapped into the domain's VM, so a guest never
 * reaches memory the pool has not charged to it.
 */
#ifndef XENHV_MEMORY_H
#define XENHV_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest-physical address space reserved per domain (in frames): 64 GiB. */
#define DOMAIN_GFN_LIMIT (1ull << 24)

struct memory_pool {
	uint64_t total_pages;
	uint64_t free_pages;
};

void memory_pool_init(struct memory_pool *pool, uint64_t pages);
int memory_pool_claim(struct memory_pool *pool, uint64_t pages);
void memory_pool_release(struct memory_pool *pool, uint64_t pages);
/* Default pool size: the host's available RAM less a reserve for the host. */
uint64_t memory_pool_default_bytes(void);

struct domain_memory {
	int memfd; /* -1 until memory_domain_init */
	uint8_t *base; /* the whole gfn range mapped in xenhv */
	uint64_t gfn_limit;
	uint64_t max_pages; /* XEN_DOMCTL_max_mem */
	uint64_t tot_pages;
	uint64_t *populated; /* bitmap of gfn_limit bits */
};

int memory_domain_init(struct domain_memory *mem, unsigned int domid, uint64_t gfn_limit);
void memory_domain_dispose(struct domain_memory *mem, struct memory_pool *pool);
/* Highest populated gfn, 0 if none. */
uint64_t memory_max_gfn(const struct domain_memory *mem);
bool memory_gfn_populated(const struct domain_memory *mem, uint64_t gfn);
/*
 * Populate [gfn, gfn+nr): charges the pool and tot_pages for frames not yet
 * populated.  -EINVAL out of range, -ENOMEM over max_pages or the pool;
 * nothing changes on error.
 */
int memory_populate(struct domain_memory *mem, struct memory_pool *pool, uint64_t gfn, uint64_t nr);
/* Give [gfn, gfn+nr) back: holes punched, pool credited.  -EINVAL if any frame is not populated. */
int memory_decrease(struct domain_memory *mem, struct memory_pool *pool, uint64_t gfn, uint64_t nr);
/* xenhv's view of guest-physical [gpa, gpa+len) or NULL if not all populated. */
void *memory_gpa_ptr(const struct domain_memory *mem, uint64_t gpa, size_t len);

#endif
