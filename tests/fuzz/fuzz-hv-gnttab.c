/*
 * Fuzz target of xenhv's grant tables (hypervisor/gnttab.c): the input is
 * a program of grant operations (map, unmap, copy, table ops, seeding,
 * domain death and rebirth) interleaved with a hostile guest rewriting its
 * entries.  After every step the frame references the module holds must
 * match its pinned entries exactly (no leak, no double put), statuses must
 * be GNTST_* values, and at the end everything must be released.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../hypervisor/gnttab.h"

#define NR_GUESTS 3 /* domains 1..3; domain 0 is the host */
#define RAM_PAGES 8
#define MAX_FRAMES 2
#define MAX_HANDLES 64

struct world {
	struct gnttab_host *h;
	struct gnttab_domain *dom[NR_GUESTS + 1];
	uint8_t ram[NR_GUESTS + 1][RAM_PAGES][4096];
	uint8_t host_buf[2][4096];
	int refs[NR_GUESTS + 1][RAM_PAGES];
	int table_frames;
	int broken;
	struct {
		uint8_t mapper;
		grant_handle_t handle;
	} handles[MAX_HANDLES];
	unsigned int nr_handles;
};

struct input {
	const uint8_t *p;
	size_t left;
};

static uint32_t take(struct input *in, unsigned int bytes)
{
	uint32_t v = 0;

	while (bytes--) {
		v <<= 8;
		if (in->left) {
			v |= *in->p++;
			in->left--;
		}
	}
	return v;
}

static void check(struct world *w, int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-hv-gnttab: invariant broken: %s\n", what);
		abort();
	}
	(void)w;
}

static int table_alloc(void *opaque, struct gnttab_domain *d, unsigned int idx, void **page,
		       xen_pfn_t *frame)
{
	struct world *w = opaque;

	*page = aligned_alloc(4096, 4096);
	if (!*page)
		return -1;
	*frame = 0x1000 + gnttab_domain_id(d) * 16 + idx;
	w->table_frames++;
	return 0;
}

static void table_free(void *opaque, struct gnttab_domain *d, unsigned int idx, void *page)
{
	struct world *w = opaque;

	(void)d;
	(void)idx;
	free(page);
	w->table_frames--;
}

static void *frame_get(void *opaque, struct gnttab_domain *d, xen_pfn_t gfn, bool writable)
{
	struct world *w = opaque;
	domid_t id = gnttab_domain_id(d);

	if (id == 0 || id > NR_GUESTS || gfn >= RAM_PAGES)
		return NULL;
	if (writable && gfn == RAM_PAGES - 1)
		return NULL; /* one read-only frame per guest */
	w->refs[id][gfn]++;
	return w->ram[id][gfn];
}

static void frame_put(void *opaque, struct gnttab_domain *d, xen_pfn_t gfn, void *page)
{
	struct world *w = opaque;
	domid_t id = gnttab_domain_id(d);

	if (id == 0 || id > NR_GUESTS || gfn >= RAM_PAGES || page != w->ram[id][gfn] ||
	    w->refs[id][gfn] <= 0) {
		w->broken = 1;
		return;
	}
	w->refs[id][gfn]--;
}

static const struct gnttab_ops ops = {
	.table_frame_alloc = table_alloc,
	.table_frame_free = table_free,
	.frame_get = frame_get,
	.frame_put = frame_put,
};

static void *local_frame(void *ctx, xen_pfn_t gmfn, bool writable)
{
	struct world *w = ctx;

	(void)writable;
	return gmfn < 2 ? w->host_buf[gmfn] : NULL;
}

static void make(struct world *w, domid_t id)
{
	struct gnttab_domain_config cfg = {
		.domid = id,
		.max_frames = MAX_FRAMES,
		.max_maptrack_frames = 1,
		.privileged = id == 0,
		.no_table = id == 0,
	};

	check(w, gnttab_domain_create(w->h, &cfg, &w->dom[id]) == 0, "create");
}

static grant_entry_v1_t *guest_entry(struct world *w, domid_t id, grant_ref_t ref)
{
	void *page;
	xen_pfn_t frame;

	if (gnttab_get_table_frame(w->dom[id], ref / GNTTAB_ENTRIES_PER_FRAME, &page, &frame))
		return NULL;
	return (grant_entry_v1_t *)page + ref % GNTTAB_ENTRIES_PER_FRAME;
}

static void check_status(struct world *w, int16_t st)
{
	check(w, st <= GNTST_okay && st >= GNTST_no_space, "GNTST range");
}

/* Each pinned entry holds exactly one frame reference, nothing else does. */
static void check_refs(struct world *w)
{
	int held = 0, pinned = 0;
	unsigned int id, g;

	check(w, !w->broken, "frame_put of a frame not held");
	for (id = 1; id <= NR_GUESTS; id++) {
		for (g = 0; g < RAM_PAGES; g++)
			held += w->refs[id][g];
		pinned += (int)gnttab_pinned_entries(w->dom[id]);
	}
	check(w, held == pinned, "frame references == pinned entries");
}

static void step(struct world *w, struct input *in)
{
	uint8_t op = (uint8_t)take(in, 1);
	domid_t g = 1 + take(in, 1) % NR_GUESTS;
	domid_t mapper = take(in, 1) % (NR_GUESTS + 1);
	grant_ref_t ref = take(in, 2) % (MAX_FRAMES * 512 + 8);
	grant_entry_v1_t *e;

	switch (op % 9) {
	case 0: /* the guest rewrites an entry, any bits */
	case 1:
		e = guest_entry(w, g, ref % (MAX_FRAMES * 512));
		if (!e)
			break;
		e->frame = take(in, 1) % (RAM_PAGES + 2);
		e->domid = (domid_t)(take(in, 1) % (NR_GUESTS + 2));
		e->flags = (uint16_t)take(in, 2);
		break;
	case 2: { /* map */
		struct gnttab_map_grant_ref m = {
			.flags = take(in, 1) & 0x1f,
			.ref = ref,
			.dom = g,
		};

		gnttab_map_grant_ref(w->dom[mapper], &m);
		check_status(w, m.status);
		if (m.status == GNTST_okay && w->nr_handles < MAX_HANDLES) {
			w->handles[w->nr_handles].mapper = (uint8_t)mapper;
			w->handles[w->nr_handles].handle = m.handle;
			w->nr_handles++;
		} else if (m.status == GNTST_okay) {
			struct gnttab_unmap_grant_ref u = { .handle = m.handle };

			gnttab_unmap_grant_ref(w->dom[mapper], &u);
			check(w, u.status == GNTST_okay, "unmap fresh handle");
		}
		break;
	}
	case 3: { /* unmap a recorded handle, or a random one */
		struct gnttab_unmap_grant_ref u = { 0 };
		unsigned int i = take(in, 1);

		if (w->nr_handles && !(i & 0x80)) {
			i %= w->nr_handles;
			u.handle = w->handles[i].handle;
			mapper = w->handles[i].mapper;
			gnttab_unmap_grant_ref(w->dom[mapper], &u);
			check(w, u.status == GNTST_okay, "unmap of own handle");
			w->handles[i] = w->handles[--w->nr_handles];
		} else {
			/* Random handles may hit recorded ones: forget them. */
			u.handle = take(in, 2) % 300;
			u.dev_bus_addr = (uint64_t)(take(in, 1) % 3) << 12;
			gnttab_unmap_grant_ref(w->dom[mapper], &u);
			check_status(w, u.status);
			if (u.status == GNTST_okay)
				for (i = 0; i < w->nr_handles; i++)
					if (w->handles[i].mapper == mapper &&
					    w->handles[i].handle == u.handle)
						w->handles[i] = w->handles[--w->nr_handles];
		}
		break;
	}
	case 4: { /* copy */
		struct gnttab_copy c = { 0 };
		struct gnttab_copy_local local = { .frame = local_frame, .ctx = w };

		c.flags = take(in, 1) & 3;
		c.source.domid = take(in, 1) & 1 ? DOMID_SELF : g;
		c.source.u.ref =
			c.flags & GNTCOPY_source_gref ? ref : take(in, 1) % (RAM_PAGES + 1);
		c.source.offset = (uint16_t)take(in, 2);
		c.dest.domid = take(in, 1) & 1 ? DOMID_SELF : g;
		c.dest.u.ref = c.flags & GNTCOPY_dest_gref ? take(in, 2) % 1100
							   : take(in, 1) % (RAM_PAGES + 1);
		c.dest.offset = (uint16_t)take(in, 2);
		c.len = (uint16_t)take(in, 2);
		gnttab_copy(w->dom[mapper], &c, 1, mapper ? NULL : &local);
		check_status(w, c.status);
		break;
	}
	case 5: { /* table operations */
		xen_pfn_t frames[MAX_FRAMES + 4];
		struct gnttab_setup_table st = { .dom = g, .nr_frames = take(in, 1) % 6 };
		struct gnttab_query_size qs = { .dom = g };

		gnttab_setup_table(w->dom[mapper], &st, frames, MAX_FRAMES + 4);
		check_status(w, st.status);
		gnttab_query_size(w->dom[mapper], &qs);
		check_status(w, qs.status);
		if (qs.status == GNTST_okay)
			check(w, qs.nr_frames <= qs.max_nr_frames, "nr_frames <= max");
		break;
	}
	case 6: /* the builder seeds an entry */
		gnttab_seed_entry(w->dom[g], ref, (domid_t)mapper, take(in, 1) % (RAM_PAGES + 1));
		break;
	case 7: { /* a guest dies and a new one takes its id */
		unsigned int i;

		if (take(in, 1) % 4)
			break;
		gnttab_domain_destroy(w->dom[g]);
		w->dom[g] = NULL;
		for (i = 0; i < w->nr_handles;)
			if (w->handles[i].mapper == g)
				w->handles[i] = w->handles[--w->nr_handles];
			else
				i++;
		make(w, g);
		break;
	}
	case 8: { /* add_to_physmap of a table frame */
		void *page;
		xen_pfn_t frame;

		gnttab_get_table_frame(w->dom[g], take(in, 1) % 4, &page, &frame);
		break;
	}
	}
	check_refs(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct world *w = calloc(1, sizeof(*w));
	struct input in = { data, size };
	unsigned int id, g, steps = 0;

	if (!w)
		return 0;
	w->h = gnttab_host_create(&ops, w);
	check(w, w->h != NULL, "host");
	for (id = 0; id <= NR_GUESTS; id++)
		make(w, id);
	while (in.left && steps++ < 500)
		step(w, &in);

	/* Unmap what is recorded, then everything must be free. */
	while (w->nr_handles) {
		struct gnttab_unmap_grant_ref u = { .handle =
							    w->handles[w->nr_handles - 1].handle };

		gnttab_unmap_grant_ref(w->dom[w->handles[w->nr_handles - 1].mapper], &u);
		check(w, u.status == GNTST_okay, "final unmap");
		w->nr_handles--;
	}
	for (id = 0; id <= NR_GUESTS; id++)
		check(w, gnttab_maptrack_in_use(w->dom[id]) == 0, "maptrack empty");
	check_refs(w);
	gnttab_host_destroy(w->h);
	check(w, w->table_frames == 0, "table frames freed");
	for (id = 0; id <= NR_GUESTS; id++)
		for (g = 0; g < RAM_PAGES; g++)
			check(w, w->refs[id][g] == 0, "references dropped");
	check(w, !w->broken, "frame_put balance");
	free(w);
	return 0;
}
