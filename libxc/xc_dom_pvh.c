/*
 * The PVH domain builder (xc_pvh_build, see xenctrl.h).
 *
 * Guest-physical layout, as Xen's libxc lays out a PVH guest:
 *   [0, lowmem)               RAM; the kernel's PT_LOAD segments at their
 *                             physical addresses, then one block with
 *                             hvm_start_info, the module list, the command
 *                             line and the memory map, then the initrd
 *   [0xfeff8000, 0xff000000)  Xen's 8 special pages (reserved in the
 *                             memory map): xenstore ring at 0xfeffc,
 *                             console ring at 0xfefff
 *   [4 GiB, ...)              RAM above lowmem when mem_mb is large
 * vCPU 0 starts at XEN_ELFNOTE_PHYS32_ENTRY in 32-bit protected mode,
 * paging off, %ebx = the start info's address: the PVH entry ABI.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xen/hvm/start_info.h>

#include "xc_elf.h"
#include "xc_private.h"

#define PVH_LOWMEM_END 0xf0000000ull /* RAM above this moves to 4 GiB */
#define PVH_HIGHMEM_START 0x100000000ull
#define PVH_SPECIAL_END_PFN 0xff000ull
#define PVH_SPECIAL_PAGES 8
#define PVH_SPECIAL_BASE_PFN (PVH_SPECIAL_END_PFN - PVH_SPECIAL_PAGES)
#define PVH_SPECIALPAGE_XENSTORE 4
#define PVH_SPECIALPAGE_CONSOLE 7
#define PVH_CMDLINE_MAX 4096
#define PVH_POPULATE_BATCH 32768 /* extents per call */
#define PVH_MEMMAP_MAX 4

static int pvh_read_file(const char *path, uint8_t **data, size_t *size)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (st.st_size <= 0 || st.st_size > (1l << 30)) {
		errno = EFBIG;
		goto fail;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		errno = ENOMEM;
		goto fail;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			goto fail;
		}
		done += (size_t)n;
	}
	close(fd);
	*data = buf;
	*size = done;
	return 0;
fail:
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return -1;
}

/* Populate [gfn, gfn+nr) using 2 MiB extents where aligned. */
static int pvh_populate_range(xc_interface *xch, uint32_t domid, uint64_t gfn, uint64_t nr)
{
	xen_pfn_t *list;
	uint64_t end = gfn + nr;
	int rc = 0;

	list = malloc(PVH_POPULATE_BATCH * sizeof(*list));
	if (!list) {
		errno = ENOMEM;
		return -1;
	}
	while (gfn < end && !rc) {
		unsigned int order = 0, n = 0;

		if (!(gfn & 511) && end - gfn >= 512) {
			order = 9;
			while (n < PVH_POPULATE_BATCH && end - gfn >= 512) {
				list[n++] = gfn;
				gfn += 512;
			}
		} else {
			while (n < PVH_POPULATE_BATCH && gfn < end &&
			       ((gfn & 511) || end - gfn < 512)) {
				list[n++] = gfn;
				gfn++;
			}
		}
		rc = xc_domain_populate_physmap_exact(xch, domid, n, order, 0, list);
	}
	free(list);
	return rc;
}

struct pvh_layout {
	uint64_t ram_pages, low_pages, high_pages;
	uint64_t info_paddr, info_size; /* start info block */
	uint64_t modlist_paddr, cmdline_paddr, memmap_paddr;
	uint64_t initrd_paddr, initrd_size;
	uint64_t image_end; /* end of everything loaded */
	struct hvm_memmap_table_entry memmap[PVH_MEMMAP_MAX];
	unsigned int memmap_entries;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int pvh_plan(const struct xc_elf_info *elf, uint64_t mem_mb, size_t cmdline_len,
		    size_t initrd_size, struct pvh_layout *l)
{
	uint64_t cur;

	memset(l, 0, sizeof(*l));
	l->ram_pages = mem_mb << (20 - XC_PAGE_SHIFT);
	l->low_pages = l->ram_pages;
	if (l->low_pages > (PVH_LOWMEM_END >> XC_PAGE_SHIFT))
		l->low_pages = PVH_LOWMEM_END >> XC_PAGE_SHIFT;
	l->high_pages = l->ram_pages - l->low_pages;
	cur = align_up(elf->pend, XC_PAGE_SIZE);
	l->info_paddr = cur;
	l->modlist_paddr = cur + align_up(sizeof(struct hvm_start_info), 16);
	l->memmap_paddr = l->modlist_paddr + align_up(sizeof(struct hvm_modlist_entry), 16);
	l->cmdline_paddr = l->memmap_paddr + PVH_MEMMAP_MAX * sizeof(struct hvm_memmap_table_entry);
	l->info_size = l->cmdline_paddr + cmdline_len + 1 - cur;
	cur = align_up(cur + l->info_size, XC_PAGE_SIZE);
	if (initrd_size) {
		l->initrd_paddr = cur;
		l->initrd_size = initrd_size;
		cur = align_up(cur + initrd_size, XC_PAGE_SIZE);
	}
	l->image_end = cur;
	if (elf->pstart >= elf->pend || l->image_end > (l->low_pages << XC_PAGE_SHIFT)) {
		errno = ENOMEM; /* the image does not fit in the guest's RAM */
		return -1;
	}
	l->memmap[0] = (struct hvm_memmap_table_entry){ 0, l->low_pages << XC_PAGE_SHIFT,
							XEN_HVM_MEMMAP_TYPE_RAM, 0 };
	l->memmap[1] = (struct hvm_memmap_table_entry){ PVH_SPECIAL_BASE_PFN << XC_PAGE_SHIFT,
							PVH_SPECIAL_PAGES << XC_PAGE_SHIFT,
							XEN_HVM_MEMMAP_TYPE_RESERVED, 0 };
	l->memmap_entries = 2;
	if (l->high_pages)
		l->memmap[l->memmap_entries++] =
			(struct hvm_memmap_table_entry){ PVH_HIGHMEM_START,
							 l->high_pages << XC_PAGE_SHIFT,
							 XEN_HVM_MEMMAP_TYPE_RAM, 0 };
	return 0;
}

static void pvh_write_image(uint8_t *base, uint64_t base_paddr, const uint8_t *kernel,
			    const struct xc_elf_info *elf, const struct pvh_layout *l,
			    const char *cmdline, const uint8_t *initrd)
{
	struct hvm_start_info si;
	struct hvm_modlist_entry mod;
	unsigned int i;

	for (i = 0; i < elf->nr_segments; i++) {
		const struct xc_elf_segment *s = &elf->segments[i];
		uint8_t *dst = base + (s->paddr - base_paddr);

		memcpy(dst, kernel + s->offset, s->filesz);
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	memset(&si, 0, sizeof(si));
	si.magic = XEN_HVM_START_MAGIC_VALUE;
	si.version = 1;
	si.cmdline_paddr = l->cmdline_paddr;
	si.memmap_paddr = l->memmap_paddr;
	si.memmap_entries = l->memmap_entries;
	if (initrd) {
		si.nr_modules = 1;
		si.modlist_paddr = l->modlist_paddr;
		memset(&mod, 0, sizeof(mod));
		mod.paddr = l->initrd_paddr;
		mod.size = l->initrd_size;
		memcpy(base + (l->modlist_paddr - base_paddr), &mod, sizeof(mod));
		memcpy(base + (l->initrd_paddr - base_paddr), initrd, l->initrd_size);
	}
	memcpy(base + (l->info_paddr - base_paddr), &si, sizeof(si));
	memcpy(base + (l->memmap_paddr - base_paddr), l->memmap,
	       l->memmap_entries * sizeof(l->memmap[0]));
	strcpy((char *)base + (l->cmdline_paddr - base_paddr), cmdline);
}

static int pvh_set_memory_map(xc_interface *xch, uint32_t domid, const struct pvh_layout *l)
{
	struct e820entry e820[PVH_MEMMAP_MAX];
	unsigned int i;

	for (i = 0; i < l->memmap_entries; i++) {
		e820[i].addr = l->memmap[i].addr;
		e820[i].size = l->memmap[i].size;
		e820[i].type = l->memmap[i].type;
	}
	return xc_domain_set_memory_map(xch, domid, e820, l->memmap_entries);
}

static int pvh_set_boot_vcpu(xc_interface *xch, uint32_t domid, uint32_t entry, uint64_t start_info)
{
	vcpu_hvm_context_t ctx;
	struct vcpu_hvm_x86_32 *c = &ctx.cpu_regs.x86_32;

	memset(&ctx, 0, sizeof(ctx));
	ctx.mode = VCPU_HVM_MODE_32B;
	c->eip = entry;
	c->ebx = (uint32_t)start_info;
	c->eflags = 0x2;
	c->cr0 = 0x11; /* PE | ET, paging off */
	c->cs_limit = c->ds_limit = c->ss_limit = c->es_limit = 0xffffffff;
	c->cs_ar = 0xc9b; /* 32-bit code, present, accessed, 4K granular */
	c->ds_ar = c->ss_ar = c->es_ar = 0xc93; /* 32-bit data */
	c->tr_limit = 0x67;
	c->tr_ar = 0x8b; /* busy 32-bit TSS */
	return xc_vcpu_set_hvm_context(xch, domid, 0, &ctx);
}

int xc_pvh_build(xc_interface *xch, uint32_t domid, const struct xc_pvh_build_args *args,
		 struct xc_pvh_build_result *result)
{
	uint8_t *kernel_file = NULL, *initrd = NULL, *map = NULL;
	const uint8_t *kernel = args->kernel;
	size_t kernel_size = args->kernel_size, initrd_size = 0, map_size = 0;
	const char *cmdline = args->cmdline ? args->cmdline : "";
	struct xc_elf_info elf;
	struct pvh_layout l;
	uint64_t base_pfn, special;
	int rc = -1, saved;

	if (strlen(cmdline) >= PVH_CMDLINE_MAX || args->mem_mb == 0) {
		errno = EINVAL;
		return -1;
	}
	if (args->kernel_path) {
		if (pvh_read_file(args->kernel_path, &kernel_file, &kernel_size) < 0)
			return -1;
		kernel = kernel_file;
	}
	if (!kernel) {
		errno = EINVAL;
		goto out;
	}
	if (args->ramdisk_path && pvh_read_file(args->ramdisk_path, &initrd, &initrd_size) < 0)
		goto out;
	saved = xc_elf_parse(kernel, kernel_size, &elf);
	if (saved) {
		errno = -saved;
		goto out;
	}
	if (!elf.has_phys32_entry) {
		errno = ENOEXEC; /* not a PVH kernel */
		goto out;
	}
	if (pvh_plan(&elf, args->mem_mb, strlen(cmdline), initrd_size, &l) < 0)
		goto out;
	if (pvh_populate_range(xch, domid, 0, l.low_pages) < 0 ||
	    pvh_populate_range(xch, domid, PVH_HIGHMEM_START >> XC_PAGE_SHIFT, l.high_pages) < 0 ||
	    pvh_populate_range(xch, domid, PVH_SPECIAL_BASE_PFN, PVH_SPECIAL_PAGES) < 0)
		goto out;
	base_pfn = elf.pstart >> XC_PAGE_SHIFT;
	map_size = (size_t)(l.image_end - (base_pfn << XC_PAGE_SHIFT));
	map = xc_map_foreign_range(xch, domid, (int)map_size, PROT_READ | PROT_WRITE, base_pfn);
	if (!map)
		goto out;
	pvh_write_image(map, base_pfn << XC_PAGE_SHIFT, kernel, &elf, &l, cmdline, initrd);
	if (pvh_set_memory_map(xch, domid, &l) < 0)
		goto out;
	special = PVH_SPECIAL_BASE_PFN;
	if (xc_hvm_param_set(xch, domid, HVM_PARAM_STORE_PFN, special + PVH_SPECIALPAGE_XENSTORE) <
		    0 ||
	    xc_hvm_param_set(xch, domid, HVM_PARAM_CONSOLE_PFN, special + PVH_SPECIALPAGE_CONSOLE) <
		    0)
		goto out;
	if (pvh_set_boot_vcpu(xch, domid, elf.phys32_entry, l.info_paddr) < 0)
		goto out;
	if (result) {
		result->entry = elf.phys32_entry;
		result->start_info_paddr = l.info_paddr;
		result->console_pfn = special + PVH_SPECIALPAGE_CONSOLE;
		result->store_pfn = special + PVH_SPECIALPAGE_XENSTORE;
		result->kernel_end = elf.pend;
	}
	rc = 0;
out:
	saved = errno;
	if (map)
		munmap(map, align_up(map_size, XC_PAGE_SIZE));
	free(kernel_file);
	free(initrd);
	errno = saved;
	return rc;
}
