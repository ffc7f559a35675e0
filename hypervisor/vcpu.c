/*
 * vCPUs: one thread each, looping over the backend's run() (KVM_RUN in
 * xenhv).  Between runs, with hv->lock held, the thread handles the exit:
 * hypercalls, HLT, the hypercall-page MSR, port I/O.  A vCPU that may not
 * run (offline, blocked, paused, domain shut down) sleeps on its condition
 * variable: no polling.  Run-state time is kept as Xen's
 * vcpu_runstate_info: running, runnable, blocked, offline.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <xen/sched.h>
#include <xen/sys/privcmd.h>

#include "domain.h"
#include "hypercall.h"
#include "pvh/pvh.h"

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
	rc = d->hv->ops->vcpu_create(v);
	if (rc) {
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
		vcpu_runstate_change(v, RUNSTATE_running, xenhv_now_ns());
		vcpu_runstate_publish(v);
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
	sigset_t all, old;
	int rc;

	if (v->thread_started)
		return 0;
	/*
	 * The thread inherits a mask that lets only the kick signal in, so
	 * that process signals go to the main loop.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&v->thread, NULL, vcpu_thread, v);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
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
