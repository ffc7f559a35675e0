/*
 * libxl/dm.h: the device model (QEMU) of HVM domains.
 *
 * libxl fills a struct libxl__dm_config from the domain's build info (the
 * fields are xl.cfg's HVM keys, in plain C types so that this layer needs
 * nothing else from libxl), then libxl__dm_spawn() validates it, builds
 * QEMU's command line, starts QEMU with the domain's RAM memfd and a QMP
 * socket, and returns once QMP answers.  QEMU's end (a guest poweroff, reset
 * or panic, a crash of QEMU itself, or our own quit) is reported once through
 * ops->shutdown so that libxl can apply on_poweroff/on_reboot/on_crash.
 *
 * The command-line builder, libxl__dm_build_args() in dm_args.c, is pure: it
 * neither touches files nor forks, which is what the unit tests exercise.
 */
#ifndef LIBXL_DM_H
#define LIBXL_DM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "qmp.h"

enum libxl__dm_accel {
	LIBXL__DM_ACCEL_AUTO = 0, /* kvm where the host has VMX/SVM, else tcg */
	LIBXL__DM_ACCEL_KVM,
	LIBXL__DM_ACCEL_TCG,
};

enum libxl__dm_hdtype {
	LIBXL__DM_HDTYPE_IDE = 0, /* xl.cfg hdtype="ide", Xen's default */
	LIBXL__DM_HDTYPE_AHCI,
};

/* One entry of xl.cfg disk=[...], already parsed. */
struct libxl__dm_disk {
	const char *target; /* file or block device; NULL/"" = empty cdrom */
	const char *vdev; /* hdX, sdX, xvdX or dNpM */
	const char *format; /* "raw" (default), "qcow2", ... */
	bool readwrite;
	bool is_cdrom;
};

/* One entry of xl.cfg vif=[...] that QEMU emulates (type=ioemu). */
struct libxl__dm_nic {
	const char *model; /* "rtl8139" (default), "e1000", "virtio-net" */
	const char *mac; /* "00:16:3e:xx:xx:xx"; NULL = from domid/devid */
	const char *ifname; /* TAP device; NULL = vif<domid>.<devid>-emu */
};

struct libxl__dm_config {
	uint32_t domid;
	const char *name;
	uint64_t memory_mib;
	unsigned int vcpus; /* online at start */
	unsigned int max_vcpus; /* 0 = vcpus */

	const char *kernel; /* direct boot: all three optional */
	const char *ramdisk;
	const char *cmdline;
	const char *boot; /* "cd" order of c/d/n; NULL = "cd" */
	const char *firmware; /* NULL, bios, seabios, uefi, ovmf or a path */

	const struct libxl__dm_disk *disks;
	size_t nr_disks;
	enum libxl__dm_hdtype hdtype;
	const struct libxl__dm_nic *nics;
	size_t nr_nics;

	bool serial_pty; /* serial='pty' */
	bool acpi;
	const char *vga; /* NULL/"cirrus", "stdvga", "none"; only with vnc */
	bool vnc;
	const char *vnclisten; /* NULL = 127.0.0.1 */
	int vncdisplay; /* < 0: first free display (vncunused) */
	const char *vncpasswd; /* set over QMP, never on the command line */

	const char *const *extra_args; /* device_model_args, appended */
	size_t nr_extra_args;
	const char *dm_override; /* device_model_override: QEMU binary */
	bool dm_restrict;
	const char *dm_user; /* device_model_user; NULL = picked */

	enum libxl__dm_accel accel;
	/*
	 * The domain's RAM memfd (from xenhv), or -1: spawn makes one.  QEMU's
	 * pc machine maps offset 0 at guest address 0; with 3.5 GiB of RAM or
	 * more it puts the first 3 GiB below 4 GiB and the rest from 4 GiB up,
	 * so offset = gpa below 3 GiB, gpa - 1 GiB from 4 GiB up.
	 */
	int ram_fd;

	/*
	 * QEMU listens for QMP on two sockets: qmp_path, for commands from any
	 * toolstack process (xl pause in another process attaches to it), and
	 * qmp_watch_path, which the spawning process keeps for QEMU's events.
	 * NULL = $XEN_RUN_DIR/qmp-libxl-<domid> and qmp-watch-<domid>.
	 * log_path: QEMU's output; NULL = $XEN_LOG_DIR/qemu-dm-<name>.log.
	 */
	const char *qmp_path;
	const char *qmp_watch_path;
	const char *log_path;
};

/* What made QEMU end, in libxl's terms (on_poweroff/on_reboot/on_crash). */
enum libxl__dm_shutdown_reason {
	LIBXL__DM_SHUTDOWN_NONE = 0,
	LIBXL__DM_SHUTDOWN_POWEROFF, /* guest powered off (ACPI, poweroff) */
	LIBXL__DM_SHUTDOWN_REBOOT, /* guest or system_reset asked a reset */
	LIBXL__DM_SHUTDOWN_CRASH, /* guest panic, or QEMU died on its own */
	LIBXL__DM_SHUTDOWN_DESTROY, /* we quit or killed it (xl destroy) */
};

const char *libxl__dm_shutdown_reason_name(enum libxl__dm_shutdown_reason r);

/*
 * From QMP's SHUTDOWN reason (NULL if none was seen) and QEMU's wait status
 * to the domain's reason.
 */
enum libxl__dm_shutdown_reason libxl__dm_shutdown_reason_from(const char *qmp_reason,
							      int wait_status);

/* Where the runtime decided things the builder cannot know. */
struct libxl__dm_runtime {
	const char *qemu; /* the binary (argv[0]) */
	const char *qmp_path; /* unix socket QEMU listens on */
	const char *qmp_watch_path; /* a second one, or NULL */
	int ram_fd; /* the fd QEMU inherits */
	enum libxl__dm_accel accel; /* KVM or TCG, never AUTO */
	const char *runas; /* user for dm_restrict */
};

struct libxl__dm_args {
	char **argv; /* NULL-terminated */
	size_t argc;
	size_t cap;
};

/* Builds QEMU's argv; on error returns -errno with a message in err. */
int libxl__dm_build_args(const struct libxl__dm_config *cfg, const struct libxl__dm_runtime *rt,
			 struct libxl__dm_args *args, char *err, size_t errlen);
void libxl__dm_args_dispose(struct libxl__dm_args *args);

/*
 * Maps a vdev to its disk index as Xen numbers them (hda=0, sdc=2, xvdb=1,
 * d3p0=3); *part gets the partition (Xen emulates whole disks only).
 */
int libxl__dm_vdev_to_index(const char *vdev, unsigned int *index, unsigned int *part);

/* The QEMU binary QEMU runs as unless device_model_override says. */
#define LIBXL__DM_QEMU_DEFAULT "qemu-system-x86_64"

/* prog itself if it has a '/', else its path in $PATH; malloc'ed or NULL. */
char *libxl__dm_find_program(const char *prog);

/* The user dm_restrict runs QEMU as (device_model_user or Xen's default). */
const char *libxl__dm_runas_user(const struct libxl__dm_config *cfg);

/* kvm when /dev/kvm can run a guest's ring 0 natively; $KXEN_HVM_ACCEL wins. */
enum libxl__dm_accel libxl__dm_accel_probe(void);

struct libxl__dm_ops {
	/* Called once when QEMU has ended and was reaped. */
	void (*shutdown)(void *opaque, uint32_t domid, enum libxl__dm_shutdown_reason reason);
	/* Optional: every QMP event (STOP, RESUME, RESET, POWERDOWN...). */
	void (*event)(void *opaque, uint32_t domid, const char *event);
};

/*
 * One running QEMU, as seen by the process that spawned it (child: it can
 * reap it and knows its exit status) or by one that attached to it later.
 */
struct libxl__dm {
	uint32_t domid;
	pid_t pid; /* -1 when not running */
	bool child;
	int ram_fd;
	bool own_ram_fd;
	struct libxl__qmp qmp;
	char *qmp_path;
	char *qmp_watch_path;
	char *log_path;
	/*
	 * /dev/pts/N of serial='pty', or NULL: libxl writes it to
	 * /local/domain/<domid>/serial/0/tty for `xl console -t serial`.
	 */
	char *serial_pty;
	char *qmp_reason; /* reason of QMP's SHUTDOWN event, if any */
	bool quitting; /* we asked it to end: DESTROY, not CRASH */
	enum libxl__dm_shutdown_reason reason;
	const struct libxl__dm_ops *ops;
	void *opaque;
};

void libxl__dm_init(struct libxl__dm *dm);

/*
 * Validates cfg (files, VNC port, sockets), starts QEMU and waits until its
 * QMP answers (at most timeout_ms).  On error nothing is left running and
 * err says why.  QEMU runs in a session of its own and outlives the caller
 * unless it is quit: libxl stores dm->pid and the socket paths for later.
 */
int libxl__dm_spawn(struct libxl__dm *dm, const struct libxl__dm_config *cfg,
		    const struct libxl__dm_ops *ops, void *opaque, int timeout_ms, char *err,
		    size_t errlen);

/*
 * From another process (xl pause, xl shutdown, xl destroy): connects to the
 * command socket of domid's QEMU (qmp_path NULL = the default path) and
 * learns its pid from the socket.  Everything below then works, except that
 * the exit status is unknown (the reason comes from QMP's SHUTDOWN event).
 */
int libxl__dm_attach(struct libxl__dm *dm, uint32_t domid, const char *qmp_path,
		     const struct libxl__dm_ops *ops, void *opaque, int timeout_ms, char *err,
		     size_t errlen);

/* Checks that can fail before QEMU starts (also done by spawn). */
int libxl__dm_validate(const struct libxl__dm_config *cfg, char *err, size_t errlen);

/*
 * Reads QMP events until QEMU ends (then reaps it and calls ops->shutdown)
 * or timeout_ms passes (-ETIMEDOUT; < 0 waits for ever).  With 0 it only
 * handles what is ready: an event loop polls dm->qmp.fd (and a pidfd of
 * dm->pid) and calls libxl__dm_wait(dm, 0) when either is readable.
 */
int libxl__dm_wait(struct libxl__dm *dm, int timeout_ms);

/* Pause and unpause the guest (QMP stop / cont). */
int libxl__dm_pause(struct libxl__dm *dm);
int libxl__dm_unpause(struct libxl__dm *dm);
/* Presses the ACPI power button; the caller waits with libxl__dm_wait. */
int libxl__dm_powerdown(struct libxl__dm *dm);
int libxl__dm_reset(struct libxl__dm *dm);

/*
 * Ends QEMU at once (QMP quit; SIGKILL after timeout_ms) and waits for it:
 * what xl destroy does.  The reason reported is DESTROY.
 */
int libxl__dm_quit(struct libxl__dm *dm, int timeout_ms);

/*
 * Frees what dm holds and closes its QMP connection; QEMU itself keeps
 * running (see libxl__dm_quit).  Safe to call twice.
 */
void libxl__dm_dispose(struct libxl__dm *dm);

#endif
