/*
 * kxen's privcmd socket protocol: what the ioctls of Linux's
 * /dev/xen/privcmd are on Xen, messages on the unix socket
 * $XEN_RUN_DIR/privcmd are on kxen.  Only libxc speaks it.
 *
 * Every message starts with struct privcmd_hdr; len counts the whole
 * message, header included, and is at most PRIVCMD_MSG_MAX.  A reply carries
 * the request's seq and type | PRIVCMD_REPLY_BIT; file descriptors travel as
 * SCM_RIGHTS with the reply.  A message xenhv cannot parse (bad magic,
 * version, length, type or layout) closes that connection only.
 *
 * PRIVCMD_MSG_HYPERCALL carries a hypercall the way the privcmd ioctl does:
 * op and five arguments.  Pointers in the arguments (and in the structures
 * they point to, e.g. a domctl's buffer handle) are addresses in the
 * client's address space; the client lists every memory range the call may
 * touch as a bounce buffer {addr, len, flags}, sends the IN ranges' bytes
 * after the buffer table, and gets the OUT ranges' bytes back after the
 * result, in table order.  xenhv resolves each access of the hypercall
 * handler against this table exactly as it resolves a guest's virtual
 * addresses against its page tables, so one handler serves guests and the
 * host: an access outside every buffer fails with -EFAULT as in Xen.
 */
#ifndef KXEN_XEN_SYS_PRIVCMD_H
#define KXEN_XEN_SYS_PRIVCMD_H

#include <stdint.h>

#define PRIVCMD_MAGIC 0x4350584bu /* "KXPC" little-endian */
#define PRIVCMD_VERSION 1
#define PRIVCMD_MSG_MAX (4u << 20)
#define PRIVCMD_MAX_BUFS 16
#define PRIVCMD_MAX_FOREIGN 65536 /* frames per map request */
#define PRIVCMD_REPLY_BIT 0x8000u

enum privcmd_msg_type {
	PRIVCMD_MSG_HYPERCALL = 1,
	PRIVCMD_MSG_MAP_FOREIGN = 2,
	PRIVCMD_MSG_EVTCHN_ATTACH = 3,
	PRIVCMD_MSG_EVTCHN_DETACH = 4,
};

struct privcmd_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t len;
	uint32_t seq;
};

#define PRIVCMD_BUF_IN 1u /* bytes go to xenhv */
#define PRIVCMD_BUF_OUT 2u /* bytes come back */

struct privcmd_buf {
	uint64_t addr;
	uint32_t len;
	uint32_t flags;
};

/* Body of PRIVCMD_MSG_HYPERCALL: then bufs[nr_bufs], then IN bytes. */
struct privcmd_hypercall {
	uint64_t op;
	uint64_t arg[5];
	uint32_t nr_bufs;
	uint32_t pad;
};

/* Body of every reply: then the OUT bytes / per-request payload. */
struct privcmd_result {
	int64_t ret; /* hypercall result, or -errno */
	uint32_t nr_fds; /* descriptors passed with this reply */
	uint32_t pad;
};

/*
 * Body of PRIVCMD_MSG_MAP_FOREIGN: then uint64_t gfn[nr].  The reply carries
 * one descriptor (the domain's memory) and struct privcmd_foreign_frame[nr]:
 * each frame's offset in that descriptor, or err = -errno.
 */
struct privcmd_map_foreign {
	uint16_t domid;
	uint16_t pad;
	uint32_t prot; /* PROT_READ | PROT_WRITE */
	uint64_t nr;
};

struct privcmd_foreign_frame {
	int32_t err;
	uint32_t pad;
	uint64_t offset;
};

/*
 * Host ends of event channels (libxc's xenevtchn API).  A domain-0 port is
 * bound with the event_channel_op hypercall on a connection of its own, then
 * attached: the request passes two eventfds by SCM_RIGHTS, [0] signalled by
 * xenhv when the port gets an event (the host process polls it) and [1]
 * written by the host process to send on the port (xenhv polls it), so
 * neither direction needs a socket round trip.  Ports attached on a
 * connection are closed when it closes, as closing /dev/xen/evtchn does.
 * PRIVCMD_MSG_EVTCHN_DETACH (no fds) undoes an attach.  The reply's ret is
 * 0 or -errno.
 */
struct privcmd_evtchn_attach {
	uint32_t port;
	uint32_t pad;
};

/* The I/O port the hypercall page's stubs write the hypercall number to. */
#define XENHV_HYPERCALL_PORT 0xe5

#endif
