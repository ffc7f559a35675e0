/*
 * vCPUs: one thread each, looping over the backend's run() (KVM_RUN in
 * xenhv).  Between runs, with hv->lock held, the thread handles the exit:
 * hypercalls, HLT, the hypercall-page MSR, port I/O.  A vCPU that may not
 * run (offline, blocked, paused, domain shut down) sleeps on its condition
 * variable: no polling.  Run-state time is kept as Xen's
 * vcpu_runstate_info: running, runnable, blocked, offline.  Hard affinity
 * (vcpu-pin) is the thread's CPU affinity, so the host kernel enforces it;
 * threads are named d<domid>v<vcpu> for ps, top and tests.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/sched.h>
#include <xen/sys/privcmd.h>

#include "domain.h"
#include "hypercall.h"
#include "pvh/pvh.h"
#include "timer_hv.h"

struct vcpu *vcpu_get(struct domain *d, unsigned int id)
{
	if (!d->vcpus || id >= d->max_vcpus)
		return NULL;
	return d->vcpus[id];
}

void vcpu_runstate_change(struct vcpu *v, int state, uint64_t now)
{
	struct vcpu_runstate_info *rs = &v->runstate;

	if (rs->state == state)
		return;
	if (now > rs->state_entry_time)
		rs->time[rs->state] += now - rs->state_entry_time;
	rs->state = state;
	rs->state_entry_time = now;
}

void vcpu_affinity_fill(uint64_t *map, unsigned int nr_cpus)
{
	unsigned int i;

	memset(map, 0, XENHV_CPUMAP_WORDS * sizeof(*map));
	for (i = 0; i < nr_cpus && i < XENHV_MAX_HOST_CPUS; i++)
		map[i / 64] |= 1ull << (i % 64);
}

static void vcpu_affinity_to_cpuset(const uint64_t *map, cpu_set_t *set)
{
	unsigned int i;

	CPU_ZERO(set);
	for (i = 0; i < XENHV_MAX_HOST_CPUS && i < CPU_SETSIZE; i++)
		if (map[i / 64] & (1ull << (i % 64)))
			CPU_SET(i, set);
}

/*
 * Hard affinity is where the vCPU's thread may run: the kernel enforces
 * it.  Xen keeps only CPUs that exist (its cpupool's online CPUs) and
 * refuses a map left empty by that.
 */
int vcpu_set_affinity(struct vcpu *v, const uint64_t *hard, const uint64_t *soft)
{
	uint64_t host[XENHV_CPUMAP_WORDS], eff[XENHV_CPUMAP_WORDS];
	bool any = false;
	cpu_set_t set;
	unsigned int i;
	int rc;

	vcpu_affinity_fill(host, v->domain->hv->nr_cpus);
	if (hard) {
		for (i = 0; i < XENHV_CPUMAP_WORDS; i++) {
			eff[i] = hard[i] & host[i];
			any |= eff[i] != 0;
		}
		if (!any)
			return -EINVAL;
		if (v->thread_started) {
			vcpu_affinity_to_cpuset(eff, &set);
			rc = pthread_setaffinity_np(v->thread, sizeof(set), &set);
			if (rc)
				return -rc;
		}
		memcpy(v->hard_affinity, eff, sizeof(eff));
		v->hard_affinity_set = true;
		/* As Xen moves v->processor: a CPU it may run on from now on. */
		if (v->last_cpu >= XENHV_MAX_HOST_CPUS ||
		    !(eff[v->last_cpu / 64] & (1ull << (v->last_cpu % 64))))
			for (i = 0; i < XENHV_MAX_HOST_CPUS; i++)
				if (eff[i / 64] & (1ull << (i % 64))) {
					v->last_cpu = i;
					break;
				}
	}
	if (soft) {
		for (i = 0; i < XENHV_CPUMAP_WORDS; i++)
			v->soft_affinity[i] = soft[i] & host[i];
	}
	return 0;
}

int vcpu_create(struct domain *d, unsigned int id, struct vcpu **out)
{
	struct vcpu *v;
	int rc;

	if (!d->vcpus || id >= d->max_vcpus)
		return -EINVAL;
	if (d->vcpus[id]) {
		*out = d->vcpus[id];
		return 0;
	}
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->domain = d;
	v->id = id;
	pthread_cond_init(&v->cond, NULL);
	v->runstate.state = RUNSTATE_offline;
	v->runstate.state_entry_time = xenhv_now_ns();
	/* As Xen: a new vCPU may run anywhere, with no preference. */
	vcpu_affinity_fill(v->hard_affinity, d->hv->nr_cpus);
	vcpu_affinity_fill(v->soft_affinity, d->hv->nr_cpus);
	rc = d->hv->ops->vcpu_create(v);
	if (rc) {
		pthread_cond_destroy(&v->cond);
		free(v);
		return rc;
	}
	rc = vcpu_timer_create(v);
	if (rc) {
		d->hv->ops->vcpu_destroy(v);
		pthread_cond_destroy(&v->cond);
		free(v);
		return rc;
	}
	v->created = true;
	d->vcpus[id] = v;
	*out = v;
	return 0;
}

bool vcpu_runnable(const struct vcpu *v)
{
	const struct domain *d = v->domain;

	return v->online && v->initialised && !v->blocked && !v->stop && !v->pause_count &&
	       !d->pause_count && !d->shutdown && !d->dying;
}

static int vcpu_idle_state(const struct vcpu *v)
{
	if (v->online && v->blocked)
		return RUNSTATE_blocked;
	return RUNSTATE_offline;
}

/*
 * VCPUOP_register_runstate_memory_area: Xen copies the runstate to the
 * guest's virtual address whenever the vCPU is scheduled; we do it each
 * time it enters the guest, through its page tables as of its last exit
 * (the area can only have been registered by a hypercall exit).
 */
static void vcpu_runstate_publish(struct vcpu *v)
{
	struct vcpu_regs regs;
	struct vcpu_access va;
	struct guest_access ga;

	if (!v->runstate_guest_addr || v->domain->hv->ops->vcpu_get_regs(v, &regs))
		return;
	vcpu_access_init(&ga, &va, v->domain, &regs);
	ga.write(ga.opaque, v->runstate_guest_addr, &v->runstate, sizeof(v->runstate));
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct domain *d = v->domain;
	struct xenhv *hv = d->hv;
	struct vcpu_exit exit;
	int rc;

	pthread_mutex_lock(&hv->lock);
	for (;;) {
		if (v->stop)
			break;
		if (v->blocked && v->wake_pending) {
			v->blocked = false;
			v->wake_pending = false;
		}
		if (!vcpu_runnable(v)) {
			vcpu_runstate_change(v, vcpu_idle_state(v), xenhv_now_ns());
			pthread_cond_broadcast(&hv->cond);
			pthread_cond_wait(&v->cond, &hv->lock);
			continue;
		}
		/* Back from blocked, paused or down: fresh guest time. */
		if (v->runstate.state != RUNSTATE_running)
			vcpu_timer_schedule_in(v);
		vcpu_runstate_change(v, RUNSTATE_running, xenhv_now_ns());
		vcpu_runstate_publish(v);
		{
			int cpu = sched_getcpu();

			v->last_cpu = cpu >= 0 ? (unsigned int)cpu : 0;
		}
		v->in_run = true;
		pthread_mutex_unlock(&hv->lock);
		memset(&exit, 0, sizeof(exit));
		rc = hv->ops->vcpu_run(v, &exit);
		pthread_mutex_lock(&hv->lock);
		v->in_run = false;
		pthread_cond_broadcast(&hv->cond);
		if (rc) {
			exit.kind = VCPU_EXIT_ERROR;
			exit.why = "run failed";
		}
		vcpu_handle_exit(v, &exit);
	}
	vcpu_runstate_change(v, RUNSTATE_offline, xenhv_now_ns());
	pthread_cond_broadcast(&hv->cond);
	pthread_mutex_unlock(&hv->lock);
	return NULL;
}

static int vcpu_start_thread(struct vcpu *v)
{
	pthread_attr_t attr;
	sigset_t all, old;
	cpu_set_t set;
	char name[16];
	int rc;

	if (v->thread_started)
		return 0;
	rc = pthread_attr_init(&attr);
	if (rc)
		return -rc;
	/* Pinned from its first instruction when vcpu-pin came first. */
	if (v->hard_affinity_set) {
		vcpu_affinity_to_cpuset(v->hard_affinity, &set);
		pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	}
	/*
	 * The thread inherits a mask that lets only the kick signal in, so
	 * that process signals go to the main loop.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&v->thread, &attr, vcpu_thread, v);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc)
		return -rc;
	/* "d<domid>v<vcpu>" in ps and /proc/PID/task/TID/comm. */
	snprintf(name, sizeof(name), "d%uv%u", v->domain->domid, v->id);
	pthread_setname_np(v->thread, name);
	v->thread_started = true;
	return 0;
}

int vcpu_set_hvm_context(struct vcpu *v, const struct vcpu_hvm_context *ctx)
{
	int rc;

	if (v->online && !v->domain->pause_count)
		return -EBUSY; /* Xen: only a paused or down vCPU */
	rc = v->domain->hv->ops->vcpu_set_hvm_context(v, ctx);
	if (rc)
		return rc;
	v->initialised = true;
	return 0;
}

int vcpu_up(struct vcpu *v)
{
	int rc;

	if (!v->initialised)
		return -EINVAL;
	if (v->online)
		return 0;
	rc = vcpu_start_thread(v);
	if (rc)
		return rc;
	v->online = true;
	pthread_cond_broadcast(&v->cond);
	return 0;
}

int vcpu_down(struct vcpu *v)
{
	v->online = false;
	vcpu_kick(v);
	return 0;
}

void vcpu_wake(struct vcpu *v)
{
	v->wake_pending = true;
	pthread_cond_broadcast(&v->cond);
}

void vcpu_kick(struct vcpu *v)
{
	if (v->in_run)
		v->domain->hv->ops->vcpu_kick(v);
	pthread_cond_broadcast(&v->cond);
}

void vcpu_sync(struct vcpu *v)
{
	struct xenhv *hv = v->domain->hv;

	while (v->in_run) {
		hv->ops->vcpu_kick(v);
		pthread_cond_wait(&hv->cond, &hv->lock);
	}
}

void vcpu_stop_thread(struct vcpu *v)
{
	struct xenhv *hv = v->domain->hv;

	if (!v->thread_started)
		return;
	v->stop = true;
	vcpu_kick(v);
	/* Joining needs the lock released: the thread takes it to exit. */
	pthread_mutex_unlock(&hv->lock);
	pthread_join(v->thread, NULL);
	pthread_mutex_lock(&hv->lock);
	v->thread_started = false;
}

void vcpu_destroy(struct vcpu *v)
{
	struct domain *d = v->domain;

	vcpu_stop_thread(v);
	vcpu_timer_destroy(v);
	if (v->created)
		d->hv->ops->vcpu_destroy(v);
	d->vcpus[v->id] = NULL;
	pthread_cond_destroy(&v->cond);
	free(v);
}

void vcpu_block(struct vcpu *v)
{
	if (v->wake_pending) {
		v->wake_pending = false;
		return;
	}
	v->blocked = true;
	/* Woken by an event, or at its next timer at the latest. */
	vcpu_timer_block(v, 0);
}

static void vcpu_crash(struct vcpu *v, const char *why)
{
	struct domain *d = v->domain;
	struct vcpu_regs regs;

	memset(&regs, 0, sizeof(regs));
	d->hv->ops->vcpu_get_regs(v, &regs);
	hv_log(d->hv, "domain %u vcpu %u: %s at rip %#llx, crashing domain", d->domid, v->id, why,
	       (unsigned long long)regs.rip);
	domain_shutdown(d, SHUTDOWN_crash);
}

static void vcpu_do_hypercall(struct vcpu *v, uint32_t nr)
{
	struct domain *d = v->domain;
	struct vcpu_regs regs;
	struct vcpu_access va;
	struct guest_access ga;
	struct hc_ctx ctx;
	uint64_t args[5];
	int64_t ret;

	if (d->hv->ops->vcpu_get_regs(v, &regs)) {
		vcpu_crash(v, "cannot read registers");
		return;
	}
	if (regs.long_mode) {
		args[0] = regs.rdi;
		args[1] = regs.rsi;
		args[2] = regs.rdx;
		args[3] = regs.r10;
		args[4] = regs.r8;
	} else {
		args[0] = (uint32_t)regs.rbx;
		args[1] = (uint32_t)regs.rcx;
		args[2] = (uint32_t)regs.rdx;
		args[3] = (uint32_t)regs.rsi;
		args[4] = (uint32_t)regs.rdi;
	}
	vcpu_access_init(&ga, &va, d, &regs);
	ctx.hv = d->hv;
	ctx.caller = d;
	ctx.vcpu = v;
	ctx.mem = &ga;
	ret = hypercall_dispatch(&ctx, nr, args);
	regs.rax = regs.long_mode ? (uint64_t)ret : (uint32_t)ret;
	d->hv->ops->vcpu_set_regs(v, &regs);
}

int vcpu_handle_exit(struct vcpu *v, const struct vcpu_exit *exit)
{
	struct domain *d = v->domain;
	int rc;

	switch (exit->kind) {
	case VCPU_EXIT_NONE:
		return 0;
	case VCPU_EXIT_HYPERCALL:
		vcpu_do_hypercall(v, exit->hypercall_nr);
		return 0;
	case VCPU_EXIT_HLT:
		vcpu_block(v);
		return 0;
	case VCPU_EXIT_MSR_WRITE:
		rc = pvh_msr_write(v, exit->msr.index, exit->msr.data);
		d->hv->ops->vcpu_msr_done(v, rc != 0, 0);
		return 0;
	case VCPU_EXIT_MSR_READ:
		/* The hypercall-page MSR is write-only, as on Xen: #GP. */
		d->hv->ops->vcpu_msr_done(v, true, 0);
		return 0;
	case VCPU_EXIT_IO:
		if (exit->io.port == PVH_DEBUG_PORT && !exit->io.in) {
			char ch = (char)exit->io.data;

			pvh_console_write(d, &ch, 1);
		}
		return 0;
	case VCPU_EXIT_MMIO:
		return 0;
	case VCPU_EXIT_SHUTDOWN:
		vcpu_crash(v, "triple fault");
		return 0;
	case VCPU_EXIT_ERROR:
		vcpu_crash(v, exit->why ? exit->why : "unknown exit");
		return 0;
	}
	return -EINVAL;
}
