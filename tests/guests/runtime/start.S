/*
 * PVH entry of the kxen test guests.  xenhv (or Xen) enters _start in
 * 32-bit protected mode, paging off, %ebx = physical address of
 * hvm_start_info.  We record the TSC (for the boot-time figure), switch to
 * long mode with static identity page tables (the first 4 GiB in 2 MiB
 * pages, built by the assembler so no ring-0 loop runs: ring-0 code is
 * emulated and slow on PVM-style hosts) and call xtest_main(start_info).
 */
#include <xen/elfnote.h>

#define PTE_P_RW 0x3
#define PTE_LARGE 0x83

	.section .note.Xen, "a", @note
	.align 4
	.long 4, 4, XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.align 4
	.long _start
	.align 4
	.long 4, 11, XEN_ELFNOTE_GUEST_OS
	.asciz "Xen"
	.align 4
	.asciz "kxen-xtest"
	.align 4
	.long 4, 8, XEN_ELFNOTE_XEN_VERSION
	.asciz "Xen"
	.align 4
	.asciz "xen-3.0"
	.align 4

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cld
	movl %ebx, start_info_paddr
	rdtsc
	movl %eax, boot_tsc
	movl %edx, boot_tsc + 4
	movl $pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx		/* EFER.LME */
	rdmsr
	orl $0x100, %eax
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax		/* PG | PE */
	movl %eax, %cr0
	lgdt gdt_desc
	ljmp $0x08, $start64

	.code64
start64:
	movl $0x10, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	leaq stack_top(%rip), %rsp
	movl start_info_paddr(%rip), %edi
	call xtest_main
1:	hlt
	jmp 1b

	.section .data
	.align 16
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

	.globl start_info_paddr, boot_tsc
	.align 8
start_info_paddr:
	.quad 0
boot_tsc:
	.quad 0

	.section .data.pagetables, "aw"
	.align 4096
pml4:
	.quad pdpt + PTE_P_RW
	.fill 511, 8, 0
pdpt:
	.quad pd + PTE_P_RW
	.quad pd + 0x1000 + PTE_P_RW
	.quad pd + 0x2000 + PTE_P_RW
	.quad pd + 0x3000 + PTE_P_RW
	.fill 508, 8, 0
pd:
	.set i, 0
	.rept 2048
	.quad (i << 21) + PTE_LARGE
	.set i, i + 1
	.endr

	.section .bss
	.align 4096
	.globl hypercall_page
hypercall_page:
	.skip 4096
stack:
	.skip 16384
stack_top:
