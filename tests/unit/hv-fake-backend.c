/* The in-memory backend of xenhv's ops table (see hv-fake-backend.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hv-fake-backend.h"

static struct fake_backend *fb(struct domain *d)
{
	return d->hv->backend;
}

static int fake_domain_create(struct domain *d)
{
	if (fb(d)->fail_domain_create)
		return -ENOMEM;
	fb(d)->domains_created++;
	return 0;
}

static void fake_domain_destroy(struct domain *d)
{
	/* The VM goes with all its mappings: what is populated is mapped. */
	fb(d)->mapped_pages -= (int64_t)d->mem.tot_pages;
	fb(d)->domains_destroyed++;
}

static int fake_memory_map(struct domain *d, uint64_t gfn, uint64_t nr, bool map)
{
	(void)gfn;
	fb(d)->mapped_pages += map ? (int64_t)nr : -(int64_t)nr;
	return 0;
}

static int fake_vcpu_create(struct vcpu *v)
{
	struct fake_vcpu *fv = calloc(1, sizeof(*fv));

	if (!fv)
		return -ENOMEM;
	pthread_mutex_init(&fv->m, NULL);
	pthread_cond_init(&fv->c, NULL);
	v->backend = fv;
	fb(v->domain)->vcpus_created++;
	return 0;
}

static void fake_vcpu_destroy(struct vcpu *v)
{
	struct fake_vcpu *fv = v->backend;

	pthread_mutex_destroy(&fv->m);
	pthread_cond_destroy(&fv->c);
	free(fv);
	v->backend = NULL;
	fb(v->domain)->vcpus_destroyed++;
}

static int fake_vcpu_run(struct vcpu *v, struct vcpu_exit *exit)
{
	struct fake_vcpu *fv = v->backend;

	pthread_mutex_lock(&fv->m);
	fv->runs++;
	if (fv->pos < fv->n) {
		*exit = fv->script[fv->pos];
		fv->regs = fv->script_regs[fv->pos];
		fv->pos++;
		pthread_mutex_unlock(&fv->m);
		return 0;
	}
	while (!fv->kicked)
		pthread_cond_wait(&fv->c, &fv->m);
	fv->kicked = false;
	exit->kind = VCPU_EXIT_NONE;
	pthread_mutex_unlock(&fv->m);
	return 0;
}

static void fake_vcpu_kick(struct vcpu *v)
{
	struct fake_vcpu *fv = v->backend;

	pthread_mutex_lock(&fv->m);
	fv->kicked = true;
	pthread_cond_broadcast(&fv->c);
	pthread_mutex_unlock(&fv->m);
}

static int fake_vcpu_get_regs(struct vcpu *v, struct vcpu_regs *regs)
{
	struct fake_vcpu *fv = v->backend;

	pthread_mutex_lock(&fv->m);
	*regs = fv->regs;
	pthread_mutex_unlock(&fv->m);
	return 0;
}

static int fake_vcpu_set_regs(struct vcpu *v, const struct vcpu_regs *regs)
{
	struct fake_vcpu *fv = v->backend;

	pthread_mutex_lock(&fv->m);
	fv->regs = *regs;
	pthread_mutex_unlock(&fv->m);
	return 0;
}

static void fake_vcpu_msr_done(struct vcpu *v, bool error, uint64_t data)
{
	struct fake_vcpu *fv = v->backend;

	(void)data;
	fv->msr_error = error;
}

static int fake_vcpu_set_hvm_context(struct vcpu *v, const struct vcpu_hvm_context *ctx)
{
	struct fake_vcpu *fv = v->backend;

	fv->ctx = *ctx;
	return 0;
}

const struct hv_backend_ops fake_backend_ops = {
	.name = "fake",
	.domain_create = fake_domain_create,
	.domain_destroy = fake_domain_destroy,
	.memory_map = fake_memory_map,
	.vcpu_create = fake_vcpu_create,
	.vcpu_destroy = fake_vcpu_destroy,
	.vcpu_run = fake_vcpu_run,
	.vcpu_kick = fake_vcpu_kick,
	.vcpu_get_regs = fake_vcpu_get_regs,
	.vcpu_set_regs = fake_vcpu_set_regs,
	.vcpu_msr_done = fake_vcpu_msr_done,
	.vcpu_set_hvm_context = fake_vcpu_set_hvm_context,
};

void fake_vcpu_script(struct vcpu *v, const struct vcpu_exit *exit, const struct vcpu_regs *regs)
{
	struct fake_vcpu *fv = v->backend;

	pthread_mutex_lock(&fv->m);
	if (fv->n < FAKE_SCRIPT_MAX) {
		fv->script[fv->n] = *exit;
		fv->script_regs[fv->n] = *regs;
		fv->n++;
	}
	/* Wake a vCPU "running the guest" so it takes the next exit. */
	fv->kicked = true;
	pthread_cond_broadcast(&fv->c);
	pthread_mutex_unlock(&fv->m);
}

struct vcpu_regs fake_vcpu_regs(struct vcpu *v)
{
	struct vcpu_regs r;

	fake_vcpu_get_regs(v, &r);
	return r;
}
