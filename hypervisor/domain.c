/*
 * The domain table and the domain life cycle, as Xen defines it for the
 * toolstack: domains start paused by the controller; XEN_DOMCTL_pausedomain
 * nests (unpause below zero is -EINVAL); shutdown stops every vCPU and
 * records the reason the toolstack reads back in getdomaininfo's flags;
 * destroy frees everything at once (Xen frees in steps with -ERESTART; a
 * single step is enough while a domain's memory is one memfd).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xen/sched.h>

#include "domain.h"
#include "events.h"
#include "gnttab_op.h"
#include "timer_hv.h"

#define CONTROLLER_PAUSE_MAX 255

#ifndef XEN_X86_EMU_ALL /* Xen's arch-x86/xen.h: every emulation flag */
#define XEN_X86_EMU_ALL                                                               \
	(XEN_X86_EMU_LAPIC | XEN_X86_EMU_HPET | XEN_X86_EMU_PM | XEN_X86_EMU_RTC |    \
	 XEN_X86_EMU_IOAPIC | XEN_X86_EMU_PIC | XEN_X86_EMU_VGA | XEN_X86_EMU_IOMMU | \
	 XEN_X86_EMU_PIT | XEN_X86_EMU_USE_PIRQ | XEN_X86_EMU_VPCI)
#endif

uint64_t xenhv_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void hv_init(struct xenhv *hv, const struct hv_backend_ops *ops, void *backend, uint64_t pool_pages)
{
	memset(hv, 0, sizeof(*hv));
	pthread_mutex_init(&hv->lock, NULL);
	pthread_cond_init(&hv->cond, NULL);
	hv->ops = ops;
	hv->backend = backend;
	memory_pool_init(&hv->pool, pool_pages);
	hv_console_init(&hv->console);
	hv->next_domid = 1;
	hv->boot_ns = xenhv_now_ns();
	hv->nr_cpus = 1;
	hv_events_init(hv);
	hv_gnttab_init(hv);
	hv_timers_init(hv);
}

void hv_dispose(struct xenhv *hv)
{
	unsigned int i;

	pthread_mutex_lock(&hv->lock);
	for (i = 0; i < XENHV_MAX_DOMAINS; i++) {
		struct domain *d = hv->domains[i];

		if (!d)
			continue;
		if (d->type == DOMAIN_TYPE_CONTROL) {
			hv->domains[i] = NULL;
			hv_gnttab_domain_destroy(d);
			domain_events_destroy(d);
			free(d);
			continue;
		}
		domain_destroy(d);
	}
	hv_gnttab_dispose(hv);
	hv_events_dispose(hv);
	pthread_mutex_unlock(&hv->lock);
	/* Unlocked: its thread takes hv->lock to finish a batch. */
	hv_timers_dispose(hv);
	pthread_cond_destroy(&hv->cond);
	pthread_mutex_destroy(&hv->lock);
}

static struct domain *domain_alloc(struct xenhv *hv, domid_t domid)
{
	struct domain *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->hv = hv;
	d->domid = domid;
	d->mem.memfd = -1;
	d->shutdown_code = ~0u;
	d->created_ns = xenhv_now_ns();
	return d;
}

int domain_create_control(struct xenhv *hv)
{
	struct domain *d;

	if (hv->domains[0])
		return -EEXIST;
	d = domain_alloc(hv, 0);
	if (!d)
		return -ENOMEM;
	d->type = DOMAIN_TYPE_CONTROL;
	d->max_vcpus = hv->nr_cpus;
	hv->domains[0] = d;
	domain_events_create(d);
	hv_gnttab_domain_create(d); /* maps and copies, no table */
	return 0;
}

static int domain_pick_id(struct xenhv *hv, domid_t want, domid_t *out)
{
	unsigned int i;

	if (want != 0 && want < DOMID_FIRST_RESERVED) {
		if (want >= XENHV_MAX_DOMAINS)
			return -EINVAL;
		if (hv->domains[want])
			return -EEXIST;
		*out = want;
		return 0;
	}
	/* Like Xen, hand out ids round-robin so a stale id is not reused soon. */
	for (i = 0; i < XENHV_MAX_DOMAINS - 1; i++) {
		domid_t id = hv->next_domid;

		hv->next_domid = id + 1 >= XENHV_MAX_DOMAINS ? 1 : id + 1;
		if (!hv->domains[id]) {
			*out = id;
			return 0;
		}
	}
	return -ENOSPC;
}

int domain_create(struct xenhv *hv, domid_t domid, const struct xen_domctl_createdomain *cfg,
		  struct domain **out)
{
	struct domain *d = NULL;
	domid_t id;
	int rc;

	if (cfg->max_vcpus == 0 || cfg->max_vcpus > XENHV_MAX_VCPUS)
		return -EINVAL;
	if (cfg->flags &
	    ~(XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap | XEN_DOMCTL_CDF_xs_domain |
	      XEN_DOMCTL_CDF_iommu | XEN_DOMCTL_CDF_oos_off | XEN_DOMCTL_CDF_s3_integrity))
		return -EINVAL;
	/* PVH and HVM so far: both are XEN_DOMCTL_CDF_hvm domains. */
	if (!(cfg->flags & XEN_DOMCTL_CDF_hvm))
		return -EOPNOTSUPP;
	if (cfg->arch.emulation_flags & ~XEN_X86_EMU_ALL)
		return -EINVAL;
	rc = domain_pick_id(hv, domid, &id);
	if (rc)
		return rc;
	d = domain_alloc(hv, id);
	if (!d)
		return -ENOMEM;
	/*
	 * As Xen tells them apart: PVH emulates at most the LAPIC, HVM the
	 * whole platform.  An HVM domain's platform and vCPUs are a QEMU
	 * process of the toolstack's (DESIGN.md section 2): xenhv keeps its
	 * RAM, accounting and state, and makes no KVM VM of its own.
	 */
	d->type =
		cfg->arch.emulation_flags & ~XEN_X86_EMU_LAPIC ? DOMAIN_TYPE_HVM : DOMAIN_TYPE_PVH;
	memcpy(d->handle, cfg->handle, sizeof(d->handle));
	d->ssidref = cfg->ssidref;
	d->create_flags = cfg->flags;
	d->max_evtchn_port = cfg->max_evtchn_port;
	d->max_grant_frames = cfg->max_grant_frames > 0 ? (uint32_t)cfg->max_grant_frames : 0;
	d->max_maptrack_frames =
		cfg->max_maptrack_frames > 0 ? (uint32_t)cfg->max_maptrack_frames : 0;
	d->pause_count = 1;
	rc = domain_set_max_vcpus(d, cfg->max_vcpus);
	if (rc)
		goto out;
	rc = memory_domain_init(&d->mem, id, DOMAIN_GFN_LIMIT);
	if (rc)
		goto out;
	rc = domain_events_create(d);
	if (rc)
		goto out;
	rc = hv_gnttab_domain_create(d);
	if (rc)
		goto out;
	rc = domain_timer_create(d);
	if (rc)
		goto out;
	rc = d->type == DOMAIN_TYPE_HVM ? 0 : hv->ops->domain_create(d);
	if (rc)
		goto out;
	hv->domains[id] = d;
	*out = d;
	return 0;
out:
	domain_timer_destroy(d);
	hv_gnttab_domain_destroy(d);
	domain_events_destroy(d);
	memory_domain_dispose(&d->mem, NULL);
	free(d->vcpus);
	free(d);
	return rc;
}

struct domain *domain_lookup(struct xenhv *hv, domid_t domid)
{
	if (domid >= XENHV_MAX_DOMAINS)
		return NULL;
	return hv->domains[domid];
}

struct domain *domain_lookup_for(struct xenhv *hv, struct domain *caller, domid_t domid)
{
	if (domid == DOMID_SELF)
		return caller;
	return domain_lookup(hv, domid);
}

int domain_set_max_vcpus(struct domain *d, unsigned int max)
{
	struct vcpu **vcpus;

	if (max == 0 || max > XENHV_MAX_VCPUS)
		return -EINVAL;
	if (d->vcpus) {
		/* Xen allows setting it once; the same value again is fine. */
		return max == d->max_vcpus ? 0 : -EINVAL;
	}
	vcpus = calloc(max, sizeof(*vcpus));
	if (!vcpus)
		return -ENOMEM;
	d->vcpus = vcpus;
	d->max_vcpus = max;
	return 0;
}

int domain_set_max_mem(struct domain *d, uint64_t max_pages)
{
	if (d->type == DOMAIN_TYPE_CONTROL)
		return -EINVAL;
	/* As Xen: lowering below the current allocation is allowed. */
	d->mem.max_pages = max_pages;
	return 0;
}

int domain_populate(struct domain *d, uint64_t gfn, uint64_t nr)
{
	struct xenhv *hv = d->hv;
	uint64_t i, run_start = 0, run_len = 0;
	uint8_t *fresh;
	int rc;

	if (d->type == DOMAIN_TYPE_CONTROL || d->dying)
		return -EINVAL;
	if (nr == 0)
		return 0;
	if (nr > d->mem.gfn_limit || gfn > d->mem.gfn_limit - nr)
		return -EINVAL;
	/* Remember which frames are new: only those get mapped into the VM. */
	fresh = calloc(nr, 1);
	if (!fresh)
		return -ENOMEM;
	for (i = 0; i < nr; i++)
		fresh[i] = !memory_gfn_populated(&d->mem, gfn + i);
	rc = memory_populate(&d->mem, &hv->pool, gfn, nr);
	if (rc)
		goto out;
	for (i = 0; i <= nr; i++) {
		if (i < nr && fresh[i]) {
			if (!run_len)
				run_start = gfn + i;
			run_len++;
			continue;
		}
		if (!run_len)
			continue;
		rc = d->type == DOMAIN_TYPE_HVM ? 0
						: hv->ops->memory_map(d, run_start, run_len, true);
		if (rc) {
			/* Undo this run and the rest; mapped runs stay valid. */
			uint64_t j;

			for (j = run_start - gfn; j < nr; j++)
				if (fresh[j])
					memory_decrease(&d->mem, &hv->pool, gfn + j, 1);
			goto out;
		}
		run_len = 0;
	}
out:
	free(fresh);
	return rc;
}

int domain_decrease(struct domain *d, uint64_t gfn, uint64_t nr)
{
	int rc;

	if (d->type == DOMAIN_TYPE_CONTROL)
		return -EINVAL;
	if (nr > d->mem.gfn_limit || gfn > d->mem.gfn_limit - nr)
		return -EINVAL;
	for (uint64_t i = 0; i < nr; i++)
		if (!memory_gfn_populated(&d->mem, gfn + i))
			return -EINVAL;
	rc = d->type == DOMAIN_TYPE_HVM ? 0 : d->hv->ops->memory_map(d, gfn, nr, false);
	if (rc)
		return rc;
	return memory_decrease(&d->mem, &d->hv->pool, gfn, nr);
}

static void domain_stop_vcpus(struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			vcpu_kick(d->vcpus[i]);
	for (i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			vcpu_sync(d->vcpus[i]);
}

static void domain_wake_vcpus(struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			pthread_cond_broadcast(&d->vcpus[i]->cond);
}

int domain_pause(struct domain *d)
{
	if (d->type == DOMAIN_TYPE_CONTROL || d->dying)
		return -EINVAL;
	if (d->pause_count >= CONTROLLER_PAUSE_MAX)
		return -EOVERFLOW;
	d->pause_count++;
	domain_stop_vcpus(d);
	return 0;
}

int domain_unpause(struct domain *d)
{
	if (d->type == DOMAIN_TYPE_CONTROL || d->dying)
		return -EINVAL;
	if (d->pause_count == 0)
		return -EINVAL;
	d->pause_count--;
	if (d->pause_count == 0)
		domain_wake_vcpus(d);
	return 0;
}

int domain_shutdown(struct domain *d, unsigned int reason)
{
	if (d->type == DOMAIN_TYPE_CONTROL)
		return -EINVAL;
	if (reason > SHUTDOWN_MAX)
		return -EINVAL;
	if (d->shutdown || d->dying)
		return 0; /* Xen keeps the first reason */
	/* As Xen: a code set by SCHEDOP_shutdown_code wins over the reason. */
	if (d->shutdown_code != ~0u)
		reason = d->shutdown_code;
	d->shutdown = true;
	d->shutdown_reason = reason;
	hv_events_dom_exc(d->hv);
	hv_log(d->hv, "domain %u: shutdown, reason %u", d->domid, reason);
	/*
	 * The caller may be one of the domain's own vCPUs (SCHEDOP_shutdown):
	 * kick only, the vCPU threads park themselves on their next check.
	 */
	for (unsigned int i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			vcpu_kick(d->vcpus[i]);
	return 0;
}

int domain_destroy(struct domain *d)
{
	struct xenhv *hv = d->hv;
	unsigned int i;

	if (d->type == DOMAIN_TYPE_CONTROL)
		return -EINVAL;
	if (d->dying)
		return -EBUSY; /* another destroy is under way */
	d->dying = true;
	for (i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			vcpu_stop_thread(d->vcpus[i]);
	for (i = 0; i < d->max_vcpus; i++)
		if (d->vcpus[i])
			vcpu_destroy(d->vcpus[i]);
	if (d->type != DOMAIN_TYPE_HVM)
		hv->ops->domain_destroy(d);
	domain_timer_destroy(d);
	hv_gnttab_domain_destroy(d);
	domain_events_destroy(d);
	memory_domain_dispose(&d->mem, &hv->pool);
	hv->domains[d->domid] = NULL;
	/* @releaseDomain for xenstored, as Xen raises it. */
	hv_events_dom_exc(hv);
	free(d->memory_map);
	free(d->vcpus);
	free(d);
	pthread_cond_broadcast(&hv->cond);
	return 0;
}

void domain_getinfo(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
	bool any_running = false, all_blocked = true;
	unsigned int i, online = 0, max_id = 0;
	uint64_t cpu_ns = 0, now = xenhv_now_ns();

	memset(info, 0, sizeof(*info));
	info->domain = d->domid;
	for (i = 0; d->vcpus && i < d->max_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		max_id = i;
		if (!v)
			continue;
		cpu_ns += v->runstate.time[RUNSTATE_running];
		if (v->runstate.state == RUNSTATE_running)
			cpu_ns += now - v->runstate.state_entry_time;
		if (!v->online)
			continue;
		online++;
		if (v->blocked)
			continue;
		all_blocked = false;
		if (vcpu_runnable(v))
			any_running = true;
	}
	if (d->type == DOMAIN_TYPE_CONTROL) {
		/* The host: always running, one vCPU per host CPU. */
		online = d->max_vcpus;
		max_id = d->max_vcpus ? d->max_vcpus - 1 : 0;
		any_running = true;
		all_blocked = false;
	}
	if (d->type == DOMAIN_TYPE_HVM) {
		/* QEMU runs its vCPUs: all online; libxl adds QEMU's CPU time. */
		online = d->max_vcpus;
		max_id = d->max_vcpus ? d->max_vcpus - 1 : 0;
		any_running = true;
		all_blocked = false;
		info->arch_config.emulation_flags = XEN_X86_EMU_ALL;
	}
	if (d->dying)
		info->flags |= XEN_DOMINF_dying;
	if (d->type == DOMAIN_TYPE_PVH || d->type == DOMAIN_TYPE_HVM)
		info->flags |= XEN_DOMINF_hvm_guest | XEN_DOMINF_hap;
	if (d->shutdown)
		info->flags |= XEN_DOMINF_shutdown | ((d->shutdown_reason & XEN_DOMINF_shutdownmask)
						      << XEN_DOMINF_shutdownshift);
	if (d->pause_count)
		info->flags |= XEN_DOMINF_paused;
	if (online && all_blocked)
		info->flags |= XEN_DOMINF_blocked;
	if (any_running && !d->pause_count && !d->shutdown)
		info->flags |= XEN_DOMINF_running;
	info->tot_pages = d->mem.tot_pages;
	info->max_pages = d->mem.max_pages;
	info->shared_info_frame = d->shared_info_gfn;
	info->cpu_time = cpu_ns;
	info->nr_online_vcpus = online;
	info->max_vcpu_id = max_id;
	info->ssidref = d->ssidref;
	memcpy(info->handle, d->handle, sizeof(info->handle));
	info->cpupool = 0;
	info->gpaddr_bits = 36;
}

unsigned int domain_count(struct xenhv *hv)
{
	unsigned int i, n = 0;

	for (i = 0; i < XENHV_MAX_DOMAINS; i++)
		if (hv->domains[i])
			n++;
	return n;
}
