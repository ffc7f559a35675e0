/*
 * Unit tests of the domain builders' ELF parser (libxc/xc_elf.c): 64- and
 * 32-bit images built here byte by byte, Xen notes from program headers and
 * from section headers, and malformed images refused without reading
 * outside the buffer.
 */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <xen/elfnote.h>

#include "xc_elf.h"

/* A Xen note: namesz 4 "Xen\0", 4-byte descriptor. */
static size_t put_note(uint8_t *p, uint32_t type, uint32_t value)
{
	uint32_t hdr[3] = { 4, 4, type };

	memcpy(p, hdr, sizeof(hdr));
	memcpy(p + 12, "Xen", 4);
	memcpy(p + 16, &value, 4);
	return 20;
}

/* ELF64: header, 2 program headers (LOAD, NOTE), notes, 64 bytes of code. */
static size_t build64(uint8_t *img, bool notes_in_phdr)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	size_t notes = sizeof(*eh) + 2 * sizeof(*ph), nlen, code, end;

	memset(img, 0, 4096);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_entry = 0x100000;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	eh->e_ehsize = sizeof(*eh);
	nlen = put_note(img + notes, XEN_ELFNOTE_PHYS32_ENTRY, 0x100040);
	nlen += put_note(img + notes + nlen, XEN_ELFNOTE_HYPERCALL_PAGE, 0x101000);
	code = notes + nlen;
	end = code + 64;
	ph[0].p_type = PT_LOAD;
	ph[0].p_offset = 0;
	ph[0].p_vaddr = ph[0].p_paddr = 0x100000;
	ph[0].p_filesz = end;
	ph[0].p_memsz = end + 0x2000; /* bss */
	ph[1].p_type = notes_in_phdr ? PT_NOTE : PT_NULL;
	ph[1].p_offset = notes;
	ph[1].p_filesz = nlen;
	if (!notes_in_phdr) {
		/* Section headers: null + one SHT_NOTE over the notes. */
		Elf64_Shdr *sh = (Elf64_Shdr *)(img + end);

		memset(sh, 0, 2 * sizeof(*sh));
		sh[1].sh_type = SHT_NOTE;
		sh[1].sh_offset = notes;
		sh[1].sh_size = nlen;
		eh->e_shoff = end;
		eh->e_shentsize = sizeof(*sh);
		eh->e_shnum = 2;
		end += 2 * sizeof(*sh);
	}
	return end;
}

static void test_elf64_phdr_notes(void **state)
{
	uint8_t img[4096];
	struct xc_elf_info info;
	size_t len = build64(img, true);

	(void)state;
	assert_int_equal(xc_elf_parse(img, len, &info), 0);
	assert_true(info.is64);
	assert_int_equal(info.nr_segments, 1);
	assert_true(info.has_phys32_entry);
	assert_int_equal(info.phys32_entry, 0x100040);
	assert_true(info.has_hypercall_page);
	assert_int_equal(info.hypercall_page, 0x101000);
	assert_int_equal(info.pstart, 0x100000);
	assert_int_equal(info.pend, 0x100000 + info.segments[0].memsz);
	assert_int_equal(info.segments[0].memsz, len + 0x2000);
}

static void test_elf64_section_notes(void **state)
{
	uint8_t img[4096];
	struct xc_elf_info info;
	size_t len = build64(img, false);

	(void)state;
	assert_int_equal(xc_elf_parse(img, len, &info), 0);
	assert_true(info.has_phys32_entry);
	assert_int_equal(info.phys32_entry, 0x100040);
}

static void test_elf32(void **state)
{
	uint8_t img[1024];
	Elf32_Ehdr *eh = (Elf32_Ehdr *)img;
	Elf32_Phdr *ph = (Elf32_Phdr *)(img + sizeof(*eh));
	size_t notes = sizeof(*eh) + 2 * sizeof(*ph);
	struct xc_elf_info info;

	(void)state;
	memset(img, 0, sizeof(img));
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_machine = EM_386;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	put_note(img + notes, XEN_ELFNOTE_PHYS32_ENTRY, 0x200000);
	ph[0].p_type = PT_LOAD;
	ph[0].p_paddr = 0x200000;
	ph[0].p_filesz = 256;
	ph[0].p_memsz = 512;
	ph[1].p_type = PT_NOTE;
	ph[1].p_offset = (Elf32_Off)notes;
	ph[1].p_filesz = 20;
	assert_int_equal(xc_elf_parse(img, sizeof(img), &info), 0);
	assert_false(info.is64);
	assert_int_equal(info.phys32_entry, 0x200000);
	assert_int_equal(info.pend, 0x200200);
}

static void test_elf_refused(void **state)
{
	uint8_t img[4096];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)img;
	Elf64_Phdr *ph = (Elf64_Phdr *)(img + sizeof(*eh));
	struct xc_elf_info info;
	size_t len;

	(void)state;
	assert_int_equal(xc_elf_parse((const uint8_t *)"\x7f"
						       "ELF",
				      4, &info),
			 -ENOEXEC);
	len = build64(img, true);
	/* Truncated: the segment reaches past the end. */
	assert_int_equal(xc_elf_parse(img, len - 1, &info), -EINVAL);
	/* Another machine. */
	eh->e_machine = EM_AARCH64;
	assert_int_equal(xc_elf_parse(img, len, &info), -ENOEXEC);
	eh->e_machine = EM_X86_64;
	/* filesz > memsz. */
	ph[0].p_memsz = ph[0].p_filesz - 1;
	assert_int_equal(xc_elf_parse(img, len, &info), -EINVAL);
	len = build64(img, true);
	/* A note whose descriptor runs past its segment. */
	ph[1].p_filesz = 35; /* the second note's name is cut */
	assert_int_equal(xc_elf_parse(img, len, &info), -EINVAL);
	len = build64(img, true);
	/* Program headers outside the image. */
	eh->e_phoff = len;
	assert_int_equal(xc_elf_parse(img, len, &info), -EINVAL);
	len = build64(img, true);
	/* An address range that wraps. */
	ph[0].p_paddr = UINT64_MAX - 16;
	assert_int_equal(xc_elf_parse(img, len, &info), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf64_phdr_notes),
		cmocka_unit_test(test_elf64_section_notes),
		cmocka_unit_test(test_elf32),
		cmocka_unit_test(test_elf_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
