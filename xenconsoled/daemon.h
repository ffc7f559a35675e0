/*
 * xenconsoled's state: one context for the daemon (no other globals), one
 * record per domain whose console it serves.  domain.c knows domains
 * (xenstore keys, ring, pty, log); main.c knows the process (options,
 * signals, pid file, the poll loop).
 */
#ifndef KXEN_XENCONSOLED_DAEMON_H
#define KXEN_XENCONSOLED_DAEMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "backend.h"
#include "buffer.h"
#include "log.h"
#include "options.h"
#include "ratelimit.h"

struct xs_handle;

/* Most bytes read from one domain's ring per pass of the loop (fairness). */
#define CONSOLE_QUANTUM 2048

struct console_domain {
	struct console_domain *next;
	uint32_t domid;
	char conspath[64]; /* /local/domain/<domid>/console */
	char token[16]; /* the watch token, "dom<domid>" */
	bool watching;
	bool seen; /* still listed by the last rescan */
	bool ignored; /* console type is not ours */

	uint64_t ring_ref;
	uint32_t remote_port;
	bool mapped, bound;
	struct console_ring_map map;
	struct console_port port;
	int setup_error; /* last failure reported, to say it once */

	int master_fd, slave_fd;
	char tty[64];
	bool pty_full; /* the last write to the pty would block: wait for POLLOUT */

	struct console_buffer buffer;
	struct console_log log;
	struct console_ratelimit rl;
	bool need_service; /* the ring may hold output */
	bool throttled; /* out of tokens until resume_ns */
	uint64_t resume_ns;

	uint64_t bytes_out, bytes_in, corrupt_events;
};

struct consoled {
	struct consoled_options opts;
	struct xs_handle *xs;
	const struct console_backend_ops *ops;
	struct console_backend *be;
	struct console_domain *domains;
	struct console_domain *next_first; /* where the next pass starts (round-robin) */
	struct console_log hv_log;
	int signal_fd;
	bool quit;
	bool failed; /* quit because of an error: exit status 1 */
	bool hv_error; /* reading the hypervisor console failed (said once) */
};

enum consoled_level { CONSOLED_ERR, CONSOLED_WARN, CONSOLED_INFO, CONSOLED_DEBUG };

void consoled_log(struct consoled *c, enum consoled_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

uint64_t consoled_now_ns(void);

/* Domains (domain.c). */
int consoled_rescan(struct consoled *c);
void consoled_watch_fired(struct consoled *c, const char *path, const char *token);
void consoled_domain_free(struct consoled *c, struct console_domain *d, bool drain);
void consoled_domains_free(struct consoled *c);
void consoled_domain_event(struct consoled *c, struct console_domain *d);
void consoled_domain_service(struct consoled *c, struct console_domain *d, uint64_t now_ns);
void consoled_domain_input(struct consoled *c, struct console_domain *d);
void consoled_domain_flush(struct consoled *c, struct console_domain *d);
bool consoled_domain_wants_input(const struct console_domain *d);
bool consoled_domain_may_read(const struct consoled *c, const struct console_domain *d);
void consoled_reopen_logs(struct consoled *c);

#endif
