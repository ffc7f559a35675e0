/*
 * The yardstick of bench/xenhv-hypercall: a bare KVM exit round trip
 * (guest `out` to a port, KVM_RUN returns to user space, re-enter), with
 * no xenhv in between.  A real-mode loop of N `out`s; prints ns per exit.
 *
 *   xenhv-bare-exit [N]
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	/* mov $n, %ecx; 1: out %al, $0x80; dec %ecx; jnz 1b; hlt */
	uint8_t code[] = { 0x66, 0xb9, 0, 0, 0, 0, 0xe6, 0x80, 0x66, 0x49, 0x75, 0xfa, 0xf4 };
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 20000;
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	uint64_t t0 = 0, t1 = 0;
	uint32_t exits = 0;
	uint8_t *mem;
	int kvm, vm, vcpu, size;

	if (n == 0)
		n = 1;
	memcpy(code + 2, &n, 4);
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		perror("xenhv-bare-exit: /dev/kvm");
		return 77;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || mem == MAP_FAILED) {
		perror("xenhv-bare-exit: VM");
		return 1;
	}
	memcpy(mem + 0x1000, code, sizeof(code));
	region = (struct kvm_userspace_memory_region){ .slot = 0,
						       .guest_phys_addr = 0,
						       .memory_size = 0x10000,
						       .userspace_addr = (uint64_t)(uintptr_t)mem };
	vcpu = ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0 ? -1
								  : ioctl(vm, KVM_CREATE_VCPU, 0);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || size <= 0) {
		perror("xenhv-bare-exit: vCPU");
		return 1;
	}
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ioctl(vcpu, KVM_GET_SREGS, &sregs);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ioctl(vcpu, KVM_SET_SREGS, &sregs);
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0x1000;
	regs.rflags = 2;
	ioctl(vcpu, KVM_SET_REGS, &regs);
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			perror("xenhv-bare-exit: KVM_RUN");
			return 1;
		}
		if (run->exit_reason == KVM_EXIT_IO) {
			if (!exits++)
				t0 = now_ns();
			continue;
		}
		t1 = now_ns();
		break;
	}
	if (run->exit_reason != KVM_EXIT_HLT || exits != n) {
		fprintf(stderr, "xenhv-bare-exit: unexpected exit %u after %u\n", run->exit_reason,
			exits);
		return 1;
	}
	/* t0 is taken at the first exit: n-1 round trips until the hlt. */
	printf("bare KVM exit round trip: %llu ns (n=%u)\n",
	       (unsigned long long)((t1 - t0) / (n > 1 ? n - 1 : 1)), n);
	return 0;
}
