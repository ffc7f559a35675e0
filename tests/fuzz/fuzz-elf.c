/*
 * Fuzz target: the ELF parser of the domain builders (libxc/xc_elf.c).
 * Every input must parse or be refused without touching memory outside
 * it; a parsed image's segments must lie inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xc_elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xc_elf_info info;
	uint8_t *copy = malloc(size ? size : 1);
	unsigned int i;

	if (!copy)
		return 0;
	/* A copy of exactly size bytes lets ASan catch any overread. */
	memcpy(copy, data, size);
	if (xc_elf_parse(copy, size, &info) == 0) {
		for (i = 0; i < info.nr_segments; i++) {
			const struct xc_elf_segment *s = &info.segments[i];

			if (s->offset > size || s->filesz > size - s->offset ||
			    s->filesz > s->memsz)
				abort();
		}
	}
	free(copy);
	return 0;
}
