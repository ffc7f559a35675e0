/*
 * ELF parsing for the domain builders (see xc_elf.h).  Notes are read as
 * Xen's libelf reads them: owner "Xen", numeric descriptors of 4 or 8
 * bytes, strings NUL-terminated within the descriptor.
 */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include <xen/elfnote.h>

#include "xc_elf.h"

/* Read a little-endian field of n bytes at off, checked against size. */
static int rd(const uint8_t *img, size_t size, uint64_t off, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	*out = 0; /* callers that checked bounds first may ignore errors */
	if (off > size || n > size - off)
		return -EINVAL;
	for (i = 0; i < n; i++)
		v |= (uint64_t)img[off + i] << (8 * i);
	*out = v;
	return 0;
}

static uint64_t note_number(const uint8_t *desc, uint64_t len)
{
	uint64_t v = 0;

	if (len > 8)
		len = 8;
	for (uint64_t i = 0; i < len; i++)
		v |= (uint64_t)desc[i] << (8 * i);
	return v;
}

static void note_apply(struct xc_elf_info *info, uint64_t type, const uint8_t *desc, uint64_t len)
{
	info->has_xen_notes = true;
	switch (type) {
	case XEN_ELFNOTE_PHYS32_ENTRY:
		if (len >= 4) {
			info->has_phys32_entry = true;
			info->phys32_entry = (uint32_t)note_number(desc, 4);
		}
		break;
	case XEN_ELFNOTE_ENTRY:
		info->has_entry = true;
		info->entry = note_number(desc, len);
		break;
	case XEN_ELFNOTE_HYPERCALL_PAGE:
		info->has_hypercall_page = true;
		info->hypercall_page = note_number(desc, len);
		break;
	case XEN_ELFNOTE_VIRT_BASE:
		info->virt_base = note_number(desc, len);
		break;
	case XEN_ELFNOTE_GUEST_OS: {
		size_t n =
			len < sizeof(info->guest_os) - 1 ? (size_t)len : sizeof(info->guest_os) - 1;

		memcpy(info->guest_os, desc, n);
		info->guest_os[n] = '\0';
		break;
	}
	default:
		break;
	}
}

/* Walk the notes in [off, off+len); Xen's notes are 4-byte aligned. */
static int notes_parse(const uint8_t *img, size_t size, uint64_t off, uint64_t len,
		       struct xc_elf_info *info)
{
	uint64_t end, namesz, descsz, type;

	if (off > size || len > size - off)
		return -EINVAL;
	end = off + len;
	while (end - off >= 12) {
		if (rd(img, size, off, 4, &namesz) || rd(img, size, off + 4, 4, &descsz) ||
		    rd(img, size, off + 8, 4, &type))
			return -EINVAL;
		off += 12;
		uint64_t name_al = (namesz + 3) & ~3ull;
		uint64_t desc_al = (descsz + 3) & ~3ull;

		if (name_al > end - off || desc_al > end - off - name_al)
			return -EINVAL;
		if (namesz == 4 && memcmp(img + off, "Xen", 4) == 0)
			note_apply(info, type, img + off + name_al, descsz);
		off += name_al + desc_al;
	}
	return 0;
}

int xc_elf_parse(const uint8_t *img, size_t size, struct xc_elf_info *info)
{
	uint64_t phoff, phentsize, phnum, shoff, shentsize, shnum, machine;
	bool is64;
	uint64_t i;

	memset(info, 0, sizeof(*info));
	if (size < EI_NIDENT || memcmp(img, ELFMAG, SELFMAG) != 0)
		return -ENOEXEC;
	if (img[EI_DATA] != ELFDATA2LSB)
		return -ENOEXEC;
	if (img[EI_CLASS] == ELFCLASS64)
		is64 = true;
	else if (img[EI_CLASS] == ELFCLASS32)
		is64 = false;
	else
		return -ENOEXEC;
	info->is64 = is64;
	if (size < (is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr)))
		return -ENOEXEC;
	if (rd(img, size, 18, 2, &machine))
		return -ENOEXEC;
	if (machine != (is64 ? EM_X86_64 : EM_386))
		return -ENOEXEC;
	if (is64) {
		rd(img, size, 24, 8, &info->e_entry);
		rd(img, size, 32, 8, &phoff);
		rd(img, size, 40, 8, &shoff);
		rd(img, size, 54, 2, &phentsize);
		rd(img, size, 56, 2, &phnum);
		rd(img, size, 58, 2, &shentsize);
		rd(img, size, 60, 2, &shnum);
		if (phnum && phentsize < sizeof(Elf64_Phdr))
			return -EINVAL;
		if (shnum && shentsize < sizeof(Elf64_Shdr))
			return -EINVAL;
	} else {
		rd(img, size, 24, 4, &info->e_entry);
		rd(img, size, 28, 4, &phoff);
		rd(img, size, 32, 4, &shoff);
		rd(img, size, 42, 2, &phentsize);
		rd(img, size, 44, 2, &phnum);
		rd(img, size, 46, 2, &shentsize);
		rd(img, size, 48, 2, &shnum);
		if (phnum && phentsize < sizeof(Elf32_Phdr))
			return -EINVAL;
		if (shnum && shentsize < sizeof(Elf32_Shdr))
			return -EINVAL;
	}
	if (phnum == 0)
		return -EINVAL;
	if (phoff > size || phnum * phentsize > size - phoff)
		return -EINVAL;
	info->pstart = UINT64_MAX;
	for (i = 0; i < phnum; i++) {
		uint64_t ph = phoff + i * phentsize, type;
		struct xc_elf_segment s;

		rd(img, size, ph, 4, &type);
		if (is64) {
			rd(img, size, ph + 8, 8, &s.offset);
			rd(img, size, ph + 16, 8, &s.vaddr);
			rd(img, size, ph + 24, 8, &s.paddr);
			rd(img, size, ph + 32, 8, &s.filesz);
			rd(img, size, ph + 40, 8, &s.memsz);
		} else {
			rd(img, size, ph + 4, 4, &s.offset);
			rd(img, size, ph + 8, 4, &s.vaddr);
			rd(img, size, ph + 12, 4, &s.paddr);
			rd(img, size, ph + 16, 4, &s.filesz);
			rd(img, size, ph + 20, 4, &s.memsz);
		}
		if (type == PT_NOTE) {
			if (notes_parse(img, size, s.offset, s.filesz, info))
				return -EINVAL;
			continue;
		}
		if (type != PT_LOAD || s.memsz == 0)
			continue;
		if (s.offset > size || s.filesz > size - s.offset || s.filesz > s.memsz ||
		    s.paddr + s.memsz < s.paddr)
			return -EINVAL;
		if (info->nr_segments == XC_ELF_MAX_SEGMENTS)
			return -EINVAL;
		info->segments[info->nr_segments++] = s;
		if (s.paddr < info->pstart)
			info->pstart = s.paddr;
		if (s.paddr + s.memsz > info->pend)
			info->pend = s.paddr + s.memsz;
	}
	if (info->nr_segments == 0)
		return -EINVAL;
	if (info->has_xen_notes || shnum == 0)
		return 0;
	/* No notes in program headers: look at SHT_NOTE sections. */
	if (shoff > size || shnum * shentsize > size - shoff)
		return 0;
	for (i = 0; i < shnum; i++) {
		uint64_t sh = shoff + i * shentsize, type, off, len;

		rd(img, size, sh + 4, 4, &type);
		if (type != SHT_NOTE)
			continue;
		if (is64) {
			rd(img, size, sh + 24, 8, &off);
			rd(img, size, sh + 32, 8, &len);
		} else {
			rd(img, size, sh + 16, 4, &off);
			rd(img, size, sh + 20, 4, &len);
		}
		if (notes_parse(img, size, off, len, info))
			return -EINVAL;
	}
	return 0;
}
