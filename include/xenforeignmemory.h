/*
 * xenforeignmemory: mapping another domain's frames into a host process,
 * in the shapes of Xen's libxenforeignmemory, provided by kxen's
 * libxenctrl.  Only domain 0's processes reach xenhv, so every handle may
 * map any domain's populated frames.
 */
#ifndef XENFOREIGNMEMORY_H
#define XENFOREIGNMEMORY_H

#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct xenforeignmemory_handle xenforeignmemory_handle;
struct xentoollog_logger;

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
					       unsigned int open_flags);
int xenforeignmemory_close(xenforeignmemory_handle *fmem);
/*
 * Map pages frames of dom; err[i] gets 0 or -errno per frame.  With err
 * NULL the call fails (NULL, errno set) if any frame fails, as Xen's does.
 */
void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom, int prot, size_t pages,
			   const xen_pfn_t arr[], int err[]);
/* As map; addr and flags (e.g. MAP_FIXED-like placement) are not supported yet: addr must be NULL. */
void *xenforeignmemory_map2(xenforeignmemory_handle *fmem, uint32_t dom, void *addr, int prot,
			    int flags, size_t pages, const xen_pfn_t arr[], int err[]);
int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr, size_t pages);
int xenforeignmemory_restrict(xenforeignmemory_handle *fmem, uint16_t domid);

#ifdef __cplusplus
}
#endif

#endif
