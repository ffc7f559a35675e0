/*
 * Foreign mapping: xenhv checks the frames and passes the domain's memory
 * descriptor with each frame's offset in it; we reserve one address range
 * and map every frame (runs of adjacent offsets with one mmap) into it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenforeignmemory.h>

#include "xc_private.h"

void *xc_map_foreign_bulk(xc_interface *xch, uint32_t dom, int prot, const xen_pfn_t *arr, int *err,
			  unsigned int num)
{
	struct privcmd_map_foreign req = { .domid = (domid_t)dom,
					   .prot = (uint32_t)prot & 3,
					   .nr = num };
	struct privcmd_foreign_frame *frames = NULL;
	size_t body_len = sizeof(req) + (size_t)num * sizeof(uint64_t);
	uint8_t *body = NULL, *addr = MAP_FAILED;
	unsigned int i, j;
	int memfd = -1, saved;

	if (num == 0 || num > PRIVCMD_MAX_FOREIGN) {
		errno = EINVAL;
		return NULL;
	}
	body = malloc(body_len);
	frames = calloc(num, sizeof(*frames));
	if (!body || !frames) {
		errno = ENOMEM;
		goto fail;
	}
	memcpy(body, &req, sizeof(req));
	for (i = 0; i < num; i++) {
		uint64_t gfn = arr[i];

		memcpy(body + sizeof(req) + i * sizeof(gfn), &gfn, sizeof(gfn));
	}
	if (xc_privcmd_call(xch, PRIVCMD_MSG_MAP_FOREIGN, body, body_len, frames,
			    num * sizeof(*frames), &memfd) < 0)
		goto fail;
	if (memfd < 0) {
		errno = EPROTO;
		goto fail;
	}
	/* Reserve the range; frames that fail stay inaccessible. */
	addr = mmap(NULL, (size_t)num << XC_PAGE_SHIFT, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	if (addr == MAP_FAILED)
		goto fail;
	for (i = 0; i < num; i = j) {
		err[i] = frames[i].err;
		j = i + 1;
		if (frames[i].err)
			continue;
		while (j < num && !frames[j].err &&
		       frames[j].offset ==
			       frames[i].offset + ((uint64_t)(j - i) << XC_PAGE_SHIFT)) {
			err[j] = 0;
			j++;
		}
		if (mmap(addr + ((size_t)i << XC_PAGE_SHIFT), (size_t)(j - i) << XC_PAGE_SHIFT,
			 prot, MAP_SHARED | MAP_FIXED, memfd,
			 (off_t)frames[i].offset) == MAP_FAILED)
			goto fail;
	}
	close(memfd);
	free(body);
	free(frames);
	return addr;
fail:
	saved = errno;
	if (addr != MAP_FAILED)
		munmap(addr, (size_t)num << XC_PAGE_SHIFT);
	if (memfd >= 0)
		close(memfd);
	free(body);
	free(frames);
	errno = saved;
	return NULL;
}

void *xc_map_foreign_pages(xc_interface *xch, uint32_t dom, int prot, const xen_pfn_t *arr, int num)
{
	int *err, i, saved;
	void *addr;

	if (num <= 0) {
		errno = EINVAL;
		return NULL;
	}
	err = calloc((size_t)num, sizeof(*err));
	if (!err) {
		errno = ENOMEM;
		return NULL;
	}
	addr = xc_map_foreign_bulk(xch, dom, prot, arr, err, (unsigned int)num);
	for (i = 0; addr && i < num; i++) {
		if (err[i]) {
			munmap(addr, (size_t)num << XC_PAGE_SHIFT);
			addr = NULL;
			errno = -err[i];
		}
	}
	saved = errno;
	free(err);
	errno = saved;
	return addr;
}

void *xc_map_foreign_range(xc_interface *xch, uint32_t dom, int size, int prot, unsigned long mfn)
{
	int num = (int)((size + XC_PAGE_SIZE - 1) >> XC_PAGE_SHIFT), i;
	xen_pfn_t *arr;
	void *addr;
	int saved;

	if (size <= 0) {
		errno = EINVAL;
		return NULL;
	}
	arr = calloc((size_t)num, sizeof(*arr));
	if (!arr) {
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < num; i++)
		arr[i] = mfn + (unsigned long)i;
	addr = xc_map_foreign_pages(xch, dom, prot, arr, num);
	saved = errno;
	free(arr);
	errno = saved;
	return addr;
}

/* xenforeignmemory (xenforeignmemory.h): a handle is a libxc connection. */
struct xenforeignmemory_handle {
	xc_interface *xch;
};

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
					       unsigned int open_flags)
{
	xenforeignmemory_handle *fmem = calloc(1, sizeof(*fmem));

	(void)logger;
	(void)open_flags;
	if (!fmem) {
		errno = ENOMEM;
		return NULL;
	}
	fmem->xch = xc_interface_open(NULL, NULL, 0);
	if (!fmem->xch) {
		int saved = errno;

		free(fmem);
		errno = saved;
		return NULL;
	}
	return fmem;
}

int xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
	if (!fmem)
		return 0;
	xc_interface_close(fmem->xch);
	free(fmem);
	return 0;
}

void *xenforeignmemory_map2(xenforeignmemory_handle *fmem, uint32_t dom, void *addr, int prot,
			    int flags, size_t pages, const xen_pfn_t arr[], int err[])
{
	if (addr || flags || pages > UINT32_MAX) {
		errno = EINVAL;
		return NULL;
	}
	if (err)
		return xc_map_foreign_bulk(fmem->xch, dom, prot, arr, err, (unsigned int)pages);
	return xc_map_foreign_pages(fmem->xch, dom, prot, arr, (int)pages);
}

void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom, int prot, size_t pages,
			   const xen_pfn_t arr[], int err[])
{
	return xenforeignmemory_map2(fmem, dom, NULL, prot, 0, pages, arr, err);
}

int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr, size_t pages)
{
	(void)fmem;
	return munmap(addr, pages << XC_PAGE_SHIFT);
}

int xenforeignmemory_restrict(xenforeignmemory_handle *fmem, uint16_t domid)
{
	(void)fmem;
	(void)domid;
	errno = EOPNOTSUPP;
	return -1;
}

/*
 * The whole RAM of an HVM domain for its device model: the same checked
 * request as a foreign map of frame 0 (domain 0 may map any frame), keeping
 * the descriptor instead of mapping one page of it.
 */
int xc_domain_ram_fd(xc_interface *xch, uint32_t dom)
{
	struct privcmd_map_foreign req = { .domid = (domid_t)dom, .prot = 3, .nr = 1 };
	struct privcmd_foreign_frame frame = { 0 };
	uint8_t body[sizeof(req) + sizeof(uint64_t)];
	uint64_t gfn = 0;
	int memfd = -1;

	memcpy(body, &req, sizeof(req));
	memcpy(body + sizeof(req), &gfn, sizeof(gfn));
	if (xc_privcmd_call(xch, PRIVCMD_MSG_MAP_FOREIGN, body, sizeof(body), &frame, sizeof(frame),
			    &memfd) < 0)
		return -1;
	if (memfd < 0 || frame.err || frame.offset != 0) {
		if (memfd >= 0)
			close(memfd);
		errno = frame.err ? -frame.err : EPROTO;
		return -1;
	}
	return memfd;
}
