/*
 * Token bucket (see ratelimit.h).  Refill is computed from elapsed time on
 * demand, so nothing runs while no domain is being limited.
 */
#include "ratelimit.h"

#define NSEC_PER_SEC 1000000000ull

void console_ratelimit_init(struct console_ratelimit *rl, uint64_t rate, uint64_t burst,
			    uint64_t now_ns)
{
	rl->rate = rate;
	rl->burst = burst ? burst : 1;
	rl->tokens = rl->burst;
	rl->last_ns = now_ns;
}

static void ratelimit_refill(struct console_ratelimit *rl, uint64_t now_ns)
{
	uint64_t elapsed, add;

	if (now_ns <= rl->last_ns)
		return;
	elapsed = now_ns - rl->last_ns;
	/* A long idle period simply fills the bucket; avoid the overflow. */
	if (elapsed >= NSEC_PER_SEC * 64) {
		rl->tokens = rl->burst;
		rl->last_ns = now_ns;
		return;
	}
	add = (unsigned __int128)elapsed * rl->rate / NSEC_PER_SEC;
	if (add == 0)
		return; /* keep last_ns so fractions accumulate */
	rl->tokens = rl->burst - rl->tokens < add ? rl->burst : rl->tokens + add;
	/* Advance by the time those tokens stand for, not to now. */
	rl->last_ns += (unsigned __int128)add * NSEC_PER_SEC / rl->rate;
	if (rl->tokens == rl->burst)
		rl->last_ns = now_ns;
}

uint64_t console_ratelimit_available(struct console_ratelimit *rl, uint64_t now_ns)
{
	if (!rl->rate)
		return UINT64_MAX;
	ratelimit_refill(rl, now_ns);
	return rl->tokens;
}

void console_ratelimit_charge(struct console_ratelimit *rl, uint64_t cost)
{
	if (!rl->rate)
		return;
	rl->tokens = cost > rl->tokens ? 0 : rl->tokens - cost;
}

uint64_t console_ratelimit_wait_ns(struct console_ratelimit *rl, uint64_t now_ns, uint64_t want)
{
	uint64_t missing, ns;

	if (!rl->rate)
		return 0;
	if (want > rl->burst)
		want = rl->burst;
	ratelimit_refill(rl, now_ns);
	if (rl->tokens >= want)
		return 0;
	missing = want - rl->tokens;
	ns = (unsigned __int128)missing * NSEC_PER_SEC / rl->rate + 1;
	/* Time already accrued towards the next token counts. */
	if (now_ns > rl->last_ns)
		ns = now_ns - rl->last_ns >= ns ? 1 : ns - (now_ns - rl->last_ns);
	return ns;
}
