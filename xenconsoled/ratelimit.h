/*
 * Per-domain rate limit of console output: a token bucket in bytes.
 *
 * Xen's xenconsoled counts events per 200 ms period and masks a domain's
 * event channel when it exceeds its allowance.  We keep the idea but count
 * what actually costs us work: every byte read, plus a fixed cost per wake-up
 * (so a guest that sends events with nothing, or with corrupt indexes, is
 * throttled too).  A domain out of tokens is not read until it has `resume`
 * tokens again; the daemon then sleeps exactly until that moment, so an idle
 * daemon has no timer at all.
 *
 * Fairness between domains comes from the event loop serving every ready
 * domain at most one quantum per pass, round-robin; the bucket bounds the
 * share of CPU and log bandwidth one flooding guest can take over time.
 */
#ifndef KXEN_XENCONSOLED_RATELIMIT_H
#define KXEN_XENCONSOLED_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_RATE_DEFAULT (4u << 20) /* bytes per second */
#define CONSOLE_BURST_DEFAULT (1u << 20) /* bytes */
#define CONSOLE_EVENT_COST 64 /* bytes charged per wake-up */

struct console_ratelimit {
	uint64_t rate; /* tokens per second; 0 = unlimited */
	uint64_t burst; /* bucket size */
	uint64_t tokens;
	uint64_t last_ns; /* when tokens were last refilled */
};

void console_ratelimit_init(struct console_ratelimit *rl, uint64_t rate, uint64_t burst,
			    uint64_t now_ns);

/* Tokens available now (UINT64_MAX when unlimited). */
uint64_t console_ratelimit_available(struct console_ratelimit *rl, uint64_t now_ns);

/* Takes cost tokens (never below zero). */
void console_ratelimit_charge(struct console_ratelimit *rl, uint64_t cost);

/* Nanoseconds from now until `want` tokens (at most the burst) are available. */
uint64_t console_ratelimit_wait_ns(struct console_ratelimit *rl, uint64_t now_ns, uint64_t want);

#endif
