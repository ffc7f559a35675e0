/*
 * hvm-dm-boot: drives libxl's HVM device-model layer (libxl/dm.c, qmp.c)
 * on its own, for tests and benchmarks, until `xl create` does it.
 *
 *   hvm-dm-boot [config options] STEP...
 *
 * Config options fill struct libxl__dm_config; the steps then run in order
 * against the spawned QEMU, each printing one line, and the program exits 0
 * only if every step succeeded:
 *
 *   expect:TEXT:SECS   read the serial pty until TEXT (fails after SECS)
 *   send:TEXT          write TEXT and a newline to the serial pty
 *   pause, unpause     QMP stop / cont
 *   powerdown, reset   ACPI power button / system_reset
 *   kill               SIGKILL QEMU behind the layer's back (a crash)
 *   wait:SECS          wait for QEMU to end (fails after SECS)
 *   destroy            QMP quit, then reap
 *   reason:NAME        the shutdown reason must be NAME
 *   user:NAME          QEMU must run as user NAME (dm_restrict)
 *   mem                print QEMU's memory: RSS and PSS, the guest RAM it
 *                      has touched (the memfd's allocated size) and what it
 *                      takes beyond that
 *   sleep:MS
 *
 * --attach attaches to the QEMU of --domid (through --qmp) instead of
 * spawning one, as a second toolstack process would.  A spawned QEMU is
 * quit at the end unless a step ended it or --keep is given.
 * --args prints the command line instead of running it.  Times printed are
 * from just before spawn, so that a benchmark reads spawn-to-banner directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "libxl/dm.h"

#define MAX_DISKS 8
#define MAX_NICS 4
#define MAX_EXTRA 32

struct driver {
	struct libxl__dm dm;
	struct libxl__dm_config cfg;
	struct libxl__dm_disk disks[MAX_DISKS];
	struct libxl__dm_nic nics[MAX_NICS];
	const char *extra[MAX_EXTRA];
	int serial_fd;
	char seen[8192]; /* serial output not yet matched */
	size_t seen_len;
	bool shutdown_called;
	enum libxl__dm_shutdown_reason reason;
	double t0;
	bool echo;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_shutdown(void *opaque, uint32_t domid, enum libxl__dm_shutdown_reason reason)
{
	struct driver *d = opaque;

	d->shutdown_called = true;
	d->reason = reason;
	printf("%.3f shutdown domid=%u reason=%s\n", now_s() - d->t0, domid,
	       libxl__dm_shutdown_reason_name(reason));
}

/* QEMU runs in its own session: take it down with us if we are killed. */
static volatile pid_t qemu_pid = -1;

static void on_signal(int sig)
{
	if (qemu_pid > 0)
		kill(qemu_pid, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static const struct libxl__dm_ops driver_ops = {
	.shutdown = on_shutdown,
};

static void usage(void)
{
	fprintf(stderr, "usage: hvm-dm-boot [--kernel K] [--ramdisk R] [--cmdline C]\n"
			"  [--memory MiB] [--vcpus N] [--disk PATH,VDEV[,ro][,cdrom]]...\n"
			"  [--nic MODEL,MAC,IFNAME]... [--vnc DISPLAY] [--vncpasswd P]\n"
			"  [--accel auto|kvm|tcg] [--qmp PATH] [--log PATH] [--domid N]\n"
			"  [--name N] [--no-serial] [--restrict] [--dm QEMU] [--dm-arg A]...\n"
			"  [--echo] [--args] STEP...\n");
}

/* PATH,VDEV[,ro][,cdrom]: the path may not hold commas here. */
static int parse_disk(struct libxl__dm_disk *disk, char *spec)
{
	char *tok, *save = NULL;
	int n = 0;

	disk->readwrite = true;
	for (tok = strtok_r(spec, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++) {
		if (n == 0)
			disk->target = tok;
		else if (n == 1)
			disk->vdev = tok;
		else if (!strcmp(tok, "ro"))
			disk->readwrite = false;
		else if (!strcmp(tok, "cdrom"))
			disk->is_cdrom = true, disk->readwrite = false;
		else if (!strncmp(tok, "format=", 7))
			disk->format = tok + 7;
		else
			return -EINVAL;
	}
	if (disk->target && !strcmp(disk->target, "empty"))
		disk->target = NULL;
	return n >= 2 ? 0 : -EINVAL;
}

static int parse_nic(struct libxl__dm_nic *nic, char *spec)
{
	char *save = NULL;

	nic->model = strtok_r(spec, ",", &save);
	nic->mac = strtok_r(NULL, ",", &save);
	nic->ifname = strtok_r(NULL, ",", &save);
	return nic->model ? 0 : -EINVAL;
}

static int serial_open(struct driver *d)
{
	struct termios t;

	d->serial_fd = open(d->dm.serial_pty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (d->serial_fd < 0)
		return -errno;
	/* Raw, so that our own side neither echoes nor translates. */
	if (!tcgetattr(d->serial_fd, &t)) {
		cfmakeraw(&t);
		tcsetattr(d->serial_fd, TCSANOW, &t);
	}
	return 0;
}

static int step_expect(struct driver *d, const char *text, double secs)
{
	double deadline = now_s() + secs;
	struct pollfd pfd = { .fd = d->serial_fd, .events = POLLIN };
	size_t tlen = strlen(text);
	ssize_t r;

	if (d->serial_fd < 0)
		return -ENODEV;
	for (;;) {
		char *hit = memmem(d->seen, d->seen_len, text, tlen);

		if (hit) {
			size_t used = (size_t)(hit - d->seen) + tlen;

			memmove(d->seen, d->seen + used, d->seen_len - used);
			d->seen_len -= used;
			return 0;
		}
		/* Keep the tail that could still start a match. */
		if (d->seen_len > sizeof(d->seen) / 2) {
			size_t keep = tlen < d->seen_len ? tlen : d->seen_len;

			memmove(d->seen, d->seen + d->seen_len - keep, keep);
			d->seen_len = keep;
		}
		double left = deadline - now_s();

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			return -errno;
		if (!(pfd.revents & POLLIN)) {
			if (pfd.revents & (POLLHUP | POLLERR))
				usleep(10000); /* no writer on the pty yet */
			continue;
		}
		r = read(d->serial_fd, d->seen + d->seen_len, sizeof(d->seen) - d->seen_len);
		if (r < 0 && (errno == EINTR || errno == EAGAIN || errno == EIO))
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EPIPE;
		if (d->echo)
			fwrite(d->seen + d->seen_len, 1, (size_t)r, stderr);
		d->seen_len += (size_t)r;
	}
}

static int step_send(struct driver *d, const char *text)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s\n", text);

	if (d->serial_fd < 0)
		return -ENODEV;
	if (n < 0 || (size_t)n >= sizeof(line))
		return -E2BIG;
	return write(d->serial_fd, line, (size_t)n) == n ? 0 : -EIO;
}

/* Sums "Rss:"/"Pss:" over QEMU's mappings, apart for the guest RAM's. */
static int step_mem(struct driver *d)
{
	unsigned long long rss = 0, pss = 0, ram_rss = 0, kb;
	bool in_ram = false;
	char path[64], line[512];
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)d->dm.pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;

		/* A mapping's header: "lo-hi perms offset dev inode name". */
		if (sscanf(line, "%llx-%llx ", &lo, &hi) == 2) {
			in_ram = strstr(line, "memfd:kxen-hvm-ram") != NULL;
			continue;
		}
		if (sscanf(line, "Rss: %llu kB", &kb) == 1) {
			rss += kb;
			if (in_ram)
				ram_rss += kb;
		} else if (sscanf(line, "Pss: %llu kB", &kb) == 1) {
			pss += kb;
		}
	}
	fclose(f);
	if (fstat(d->dm.ram_fd, &st))
		return -errno;
	printf("%.3f mem: qemu_rss_kib=%llu qemu_pss_kib=%llu guest_ram_mapped_rss_kib=%llu "
	       "guest_ram_touched_kib=%llu overhead_rss_kib=%llu\n",
	       now_s() - d->t0, rss, pss, ram_rss, (unsigned long long)st.st_blocks / 2,
	       rss - ram_rss);
	return 0;
}

/* QEMU's real and effective uid must both be user's. */
static int step_user(struct driver *d, const char *user)
{
	struct passwd *pw = getpwnam(user);
	unsigned int ruid, euid;
	char path[64], line[256];
	int rc = -ENOENT;
	FILE *f;

	if (!pw)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)d->dm.pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %u %u", &ruid, &euid) == 2) {
			rc = ruid == pw->pw_uid && euid == pw->pw_uid ? 0 : -EPERM;
			break;
		}
	fclose(f);
	return rc;
}

static int run_step(struct driver *d, char *step)
{
	char *arg = strchr(step, ':');
	double secs;
	int rc;

	if (arg)
		*arg++ = '\0';
	if (!strcmp(step, "expect") && arg) {
		char *colon = strrchr(arg, ':');

		secs = 30;
		if (colon) {
			*colon = '\0';
			secs = atof(colon + 1);
		}
		rc = step_expect(d, arg, secs);
		printf("%.3f expect '%s': %s\n", now_s() - d->t0, arg, rc ? strerror(-rc) : "seen");
		return rc;
	}
	if (!strcmp(step, "send") && arg) {
		rc = step_send(d, arg);
		printf("%.3f send '%s': %s\n", now_s() - d->t0, arg, rc ? strerror(-rc) : "ok");
		return rc;
	}
	if (!strcmp(step, "pause") || !strcmp(step, "unpause") || !strcmp(step, "powerdown") ||
	    !strcmp(step, "reset")) {
		if (!strcmp(step, "pause"))
			rc = libxl__dm_pause(&d->dm);
		else if (!strcmp(step, "unpause"))
			rc = libxl__dm_unpause(&d->dm);
		else if (!strcmp(step, "powerdown"))
			rc = libxl__dm_powerdown(&d->dm);
		else
			rc = libxl__dm_reset(&d->dm);
		printf("%.3f %s: %s\n", now_s() - d->t0, step, rc ? d->dm.qmp.err : "ok");
		return rc;
	}
	if (!strcmp(step, "kill")) {
		rc = d->dm.pid > 0 ? kill(d->dm.pid, SIGKILL) : -1;
		printf("%.3f kill: %s\n", now_s() - d->t0, rc ? "failed" : "ok");
		return rc ? -ESRCH : 0;
	}
	if (!strcmp(step, "wait")) {
		secs = arg ? atof(arg) : 30;
		rc = libxl__dm_wait(&d->dm, (int)(secs * 1000));
		printf("%.3f wait: %s\n", now_s() - d->t0, rc ? strerror(-rc) : "ended");
		return rc;
	}
	if (!strcmp(step, "destroy")) {
		rc = libxl__dm_quit(&d->dm, 5000);
		printf("%.3f destroy: %s\n", now_s() - d->t0, rc ? strerror(-rc) : "ended");
		return rc;
	}
	if (!strcmp(step, "reason") && arg) {
		const char *got = libxl__dm_shutdown_reason_name(d->reason);

		rc = d->shutdown_called && !strcmp(got, arg) ? 0 : -EINVAL;
		printf("%.3f reason %s: %s\n", now_s() - d->t0, arg, rc ? got : "ok");
		return rc;
	}
	if (!strcmp(step, "mem"))
		return step_mem(d);
	if (!strcmp(step, "user") && arg) {
		rc = step_user(d, arg);
		printf("%.3f user %s: %s\n", now_s() - d->t0, arg, rc ? strerror(-rc) : "ok");
		return rc;
	}
	if (!strcmp(step, "sleep") && arg) {
		usleep((useconds_t)atoi(arg) * 1000);
		return 0;
	}
	fprintf(stderr, "hvm-dm-boot: unknown step '%s'\n", step);
	return -EINVAL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "ramdisk", required_argument, NULL, 'r' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "vcpus", required_argument, NULL, 'v' },
		{ "disk", required_argument, NULL, 'd' },
		{ "nic", required_argument, NULL, 'n' },
		{ "vnc", required_argument, NULL, 'V' },
		{ "vncpasswd", required_argument, NULL, 'P' },
		{ "accel", required_argument, NULL, 'a' },
		{ "qmp", required_argument, NULL, 'q' },
		{ "log", required_argument, NULL, 'l' },
		{ "domid", required_argument, NULL, 'i' },
		{ "name", required_argument, NULL, 'N' },
		{ "no-serial", no_argument, NULL, 'S' },
		{ "restrict", no_argument, NULL, 'R' },
		{ "dm", required_argument, NULL, 'D' },
		{ "dm-arg", required_argument, NULL, 'A' },
		{ "echo", no_argument, NULL, 'e' },
		{ "args", no_argument, NULL, 'p' },
		{ "attach", no_argument, NULL, 't' },
		{ "keep", no_argument, NULL, 'K' },
		{ "qmp-watch", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct driver d;
	struct libxl__dm_config *cfg = &d.cfg;
	bool print_args = false, attach = false, keep = false;
	char *watch = NULL;
	char err[512] = "";
	int c, i, rc, status = 1;

	libxl__dm_init(&d.dm);
	d.serial_fd = -1;
	cfg->domid = 1;
	cfg->memory_mib = 256;
	cfg->vcpus = 1;
	cfg->acpi = true;
	cfg->serial_pty = true;
	cfg->vncdisplay = -1;
	cfg->ram_fd = -1;
	cfg->disks = d.disks;
	cfg->nics = d.nics;
	cfg->extra_args = d.extra;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			cfg->kernel = optarg;
			break;
		case 'r':
			cfg->ramdisk = optarg;
			break;
		case 'c':
			cfg->cmdline = optarg;
			break;
		case 'm':
			cfg->memory_mib = strtoull(optarg, NULL, 0);
			break;
		case 'v':
			cfg->vcpus = (unsigned int)atoi(optarg);
			break;
		case 'd':
			if (cfg->nr_disks == MAX_DISKS ||
			    parse_disk(&d.disks[cfg->nr_disks], optarg)) {
				fprintf(stderr, "hvm-dm-boot: bad --disk\n");
				return 2;
			}
			cfg->nr_disks++;
			break;
		case 'n':
			if (cfg->nr_nics == MAX_NICS || parse_nic(&d.nics[cfg->nr_nics], optarg)) {
				fprintf(stderr, "hvm-dm-boot: bad --nic\n");
				return 2;
			}
			cfg->nr_nics++;
			break;
		case 'V':
			cfg->vnc = true;
			cfg->vncdisplay = atoi(optarg);
			break;
		case 'P':
			cfg->vncpasswd = optarg;
			break;
		case 'a':
			cfg->accel = !strcmp(optarg, "kvm")   ? LIBXL__DM_ACCEL_KVM
				     : !strcmp(optarg, "tcg") ? LIBXL__DM_ACCEL_TCG
							      : LIBXL__DM_ACCEL_AUTO;
			break;
		case 'q':
			cfg->qmp_path = optarg;
			break;
		case 'l':
			cfg->log_path = optarg;
			break;
		case 'i':
			cfg->domid = (uint32_t)atoi(optarg);
			break;
		case 'N':
			cfg->name = optarg;
			break;
		case 'S':
			cfg->serial_pty = false;
			break;
		case 'R':
			cfg->dm_restrict = true;
			break;
		case 'D':
			cfg->dm_override = optarg;
			break;
		case 'A':
			if (cfg->nr_extra_args == MAX_EXTRA)
				return 2;
			d.extra[cfg->nr_extra_args++] = optarg;
			break;
		case 'e':
			d.echo = true;
			break;
		case 'p':
			print_args = true;
			break;
		case 't':
			attach = true;
			break;
		case 'K':
			keep = true;
			break;
		case 'w':
			cfg->qmp_watch_path = optarg;
			break;
		default:
			usage();
			return c == 'h' ? 0 : 2;
		}
	}

	if (print_args) {
		struct libxl__dm_runtime rt = {
			.qemu = cfg->dm_override ? cfg->dm_override : LIBXL__DM_QEMU_DEFAULT,
			.qmp_path = cfg->qmp_path ? cfg->qmp_path : "qmp.sock",
			.ram_fd = 3,
			.accel = cfg->accel == LIBXL__DM_ACCEL_AUTO ? libxl__dm_accel_probe()
								    : cfg->accel,
			.runas = libxl__dm_runas_user(cfg),
		};
		struct libxl__dm_args a;

		rc = libxl__dm_build_args(cfg, &rt, &a, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "hvm-dm-boot: %s\n", err);
			return 1;
		}
		for (size_t k = 0; k < a.argc; k++)
			printf("%s\n", a.argv[k]);
		libxl__dm_args_dispose(&a);
		return 0;
	}

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGHUP, on_signal);
	d.t0 = now_s();
	/* Both sockets next to --qmp unless told otherwise. */
	if (cfg->qmp_path && !cfg->qmp_watch_path) {
		if (asprintf(&watch, "%s.watch", cfg->qmp_path) < 0)
			return 1;
		cfg->qmp_watch_path = watch;
	}
	if (attach)
		rc = libxl__dm_attach(&d.dm, cfg->domid, cfg->qmp_path, &driver_ops, &d, 10000, err,
				      sizeof(err));
	else
		rc = libxl__dm_spawn(&d.dm, cfg, &driver_ops, &d, 10000, err, sizeof(err));
	if (rc) {
		printf("%.3f %s: error: %s\n", now_s() - d.t0, attach ? "attach" : "spawn", err);
		goto out;
	}
	if (!attach)
		qemu_pid = d.dm.pid;
	printf("%.3f %s: pid %d qmp %s serial %s\n", now_s() - d.t0, attach ? "attach" : "spawn",
	       (int)d.dm.pid, d.dm.qmp_path, d.dm.serial_pty ? d.dm.serial_pty : "-");
	fflush(stdout);
	if (d.dm.serial_pty) {
		rc = serial_open(&d);
		if (rc) {
			printf("serial: %s\n", strerror(-rc));
			goto out;
		}
	}
	for (i = optind; i < argc; i++) {
		rc = run_step(&d, argv[i]);
		fflush(stdout);
		if (rc)
			goto out;
	}
	status = 0;
out:
	if (d.serial_fd >= 0)
		close(d.serial_fd);
	if (!attach && !keep && d.dm.pid > 0)
		libxl__dm_quit(&d.dm, 5000);
	libxl__dm_dispose(&d.dm);
	free(watch);
	return status;
}
