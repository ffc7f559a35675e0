/*
 * Unit tests of xenhv's grant tables (hypervisor/gnttab.c): table
 * operations, map/unmap with Xen's checks and GTF_reading/GTF_writing
 * bookkeeping, a guest rewriting entries (also from another thread while
 * maps run), maptrack and pin limits, grant copy, seeding and teardown.
 * Guest RAM and table frames are plain buffers; every frame reference the
 * module takes is counted and must be dropped again.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../hypervisor/gnttab.h"

#define RAM_PAGES 16
#define NR_DOMS 4 /* domain 0 (host, no RAM) and guests 1..3 */
#define RO_GFN 15 /* a frame frame_get refuses for writing */

struct fake {
	struct gnttab_host *h;
	uint8_t (*ram)[RAM_PAGES][4096]; /* [NR_DOMS] */
	int refs[NR_DOMS][RAM_PAGES];
	int table_frames;
	int fail_table_alloc;
	unsigned int bad_callbacks;
	struct gnttab_domain *dom0, *g1, *g2;
};

static int fake_table_alloc(void *opaque, struct gnttab_domain *d, unsigned int idx, void **page,
			    xen_pfn_t *frame)
{
	struct fake *f = opaque;

	if (f->fail_table_alloc)
		return -ENOMEM;
	*page = aligned_alloc(4096, 4096);
	if (!*page)
		return -ENOMEM;
	memset(*page, 0xa5, 4096); /* the module must clear it */
	*frame = 0x100000 + gnttab_domain_id(d) * 0x1000 + idx;
	f->table_frames++;
	return 0;
}

static void fake_table_free(void *opaque, struct gnttab_domain *d, unsigned int idx, void *page)
{
	struct fake *f = opaque;

	(void)d;
	(void)idx;
	free(page);
	f->table_frames--;
}

static void *fake_frame_get(void *opaque, struct gnttab_domain *d, xen_pfn_t gfn, bool writable)
{
	struct fake *f = opaque;
	domid_t id = gnttab_domain_id(d);

	if (id == 0 || id >= NR_DOMS || gfn >= RAM_PAGES)
		return NULL;
	if (writable && gfn == RO_GFN)
		return NULL;
	f->refs[id][gfn]++;
	return f->ram[id][gfn];
}

static void fake_frame_put(void *opaque, struct gnttab_domain *d, xen_pfn_t gfn, void *page)
{
	struct fake *f = opaque;
	domid_t id = gnttab_domain_id(d);

	/* No cmocka assert in callbacks: the module's lock is held. */
	if (id == 0 || id >= NR_DOMS || gfn >= RAM_PAGES || page != f->ram[id][gfn] ||
	    f->refs[id][gfn] <= 0) {
		f->bad_callbacks++;
		return;
	}
	f->refs[id][gfn]--;
}

static const struct gnttab_ops fake_ops = {
	.table_frame_alloc = fake_table_alloc,
	.table_frame_free = fake_table_free,
	.frame_get = fake_frame_get,
	.frame_put = fake_frame_put,
};

static struct gnttab_domain *make_domain(struct fake *f, domid_t id, unsigned int maptrack_frames)
{
	struct gnttab_domain_config cfg = {
		.domid = id,
		.max_maptrack_frames = maptrack_frames,
		.privileged = id == 0,
		.no_table = id == 0,
	};
	struct gnttab_domain *d = NULL;

	assert_int_equal(gnttab_domain_create(f->h, &cfg, &d), 0);
	return d;
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	f->ram = calloc(NR_DOMS, sizeof(*f->ram));
	f->h = gnttab_host_create(&fake_ops, f);
	assert_non_null(f->h);
	f->dom0 = make_domain(f, 0, 0);
	f->g1 = make_domain(f, 1, 0);
	f->g2 = make_domain(f, 2, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	unsigned int bad;
	int d, g, refs = 0;

	gnttab_host_destroy(f->h);
	for (d = 0; d < NR_DOMS; d++)
		for (g = 0; g < RAM_PAGES; g++)
			refs += f->refs[d][g];
	bad = f->bad_callbacks;
	assert_int_equal(f->table_frames, 0);
	free(f->ram);
	free(f);
	assert_int_equal(bad, 0);
	assert_int_equal(refs, 0);
	return 0;
}

/* The guest's view of its table (frame 0 holds refs 0..511). */
static grant_entry_v1_t *entry(struct gnttab_domain *d, grant_ref_t ref)
{
	void *page;
	xen_pfn_t frame;

	assert_int_equal(gnttab_get_table_frame(d, ref / GNTTAB_ENTRIES_PER_FRAME, &page, &frame),
			 0);
	return (grant_entry_v1_t *)page + ref % GNTTAB_ENTRIES_PER_FRAME;
}

static void grant(struct gnttab_domain *d, grant_ref_t ref, domid_t to, uint32_t frame,
		  uint16_t extra)
{
	grant_entry_v1_t *e = entry(d, ref);

	e->frame = frame;
	e->domid = to;
	e->flags = GTF_permit_access | extra;
}

static struct gnttab_map_grant_ref map(struct gnttab_domain *ld, domid_t dom, grant_ref_t ref,
				       uint32_t flags)
{
	struct gnttab_map_grant_ref op = { .flags = flags, .ref = ref, .dom = dom };

	gnttab_map_grant_ref(ld, &op);
	return op;
}

static int16_t unmap(struct gnttab_domain *ld, grant_handle_t handle)
{
	struct gnttab_unmap_grant_ref op = { .handle = handle };

	gnttab_unmap_grant_ref(ld, &op);
	return op.status;
}

static void test_table_ops(void **state)
{
	struct fake *f = *state;
	struct gnttab_query_size qs = { .dom = DOMID_SELF };
	struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 4 };
	xen_pfn_t frames[GNTTAB_MAX_FRAMES_LIMIT];
	void *page;
	xen_pfn_t frame;

	assert_int_equal(gnttab_query_size(f->g1, &qs), 0);
	assert_int_equal(qs.status, GNTST_okay);
	assert_int_equal(qs.nr_frames, 1);
	assert_int_equal(qs.max_nr_frames, GNTTAB_DEFAULT_MAX_FRAMES);
	assert_int_equal(gnttab_setup_table(f->g1, &st, frames, 64), 0);
	assert_int_equal(st.status, GNTST_okay);
	assert_int_equal(frames[0], 0x101000);
	assert_int_equal(frames[3], 0x101003);
	assert_int_equal(gnttab_nr_frames(f->g1), 4);
	/* Fewer frames than the table has: no shrink. */
	st.nr_frames = 2;
	assert_int_equal(gnttab_setup_table(f->g1, &st, frames, 64), 0);
	assert_int_equal(gnttab_nr_frames(f->g1), 4);

	st.nr_frames = GNTTAB_DEFAULT_MAX_FRAMES + 1;
	assert_int_equal(gnttab_setup_table(f->g1, &st, frames, 1024), 0);
	assert_int_equal(st.status, GNTST_general_error);
	st.nr_frames = 10;
	assert_int_equal(gnttab_setup_table(f->g1, &st, frames, 8), 0);
	assert_int_equal(st.status, GNTST_general_error);
	assert_int_equal(gnttab_nr_frames(f->g1), 4);
	st.dom = 99;
	gnttab_setup_table(f->g1, &st, frames, 64);
	assert_int_equal(st.status, GNTST_bad_domain);
	st.dom = 2;
	gnttab_setup_table(f->g1, &st, frames, 64);
	assert_int_equal(st.status, GNTST_permission_denied);
	st.nr_frames = 2;
	gnttab_setup_table(f->dom0, &st, frames, 64);
	assert_int_equal(st.status, GNTST_okay);
	qs.dom = 2;
	gnttab_query_size(f->g1, &qs);
	assert_int_equal(qs.status, GNTST_permission_denied);
	gnttab_query_size(f->dom0, &qs);
	assert_int_equal(qs.status, GNTST_okay);
	assert_int_equal(qs.nr_frames, 2);
	qs.dom = 42;
	gnttab_query_size(f->dom0, &qs);
	assert_int_equal(qs.status, GNTST_bad_domain);

	/* Allocation failure: an error, nothing changed. */
	f->fail_table_alloc = 1;
	st.dom = DOMID_SELF;
	st.nr_frames = 8;
	gnttab_setup_table(f->g1, &st, frames, 64);
	assert_int_equal(st.status, GNTST_general_error);
	assert_int_equal(gnttab_nr_frames(f->g1), 4);
	f->fail_table_alloc = 0;

	/* add_to_physmap(grant_table, idx) grows the table; the GFN sticks. */
	assert_int_equal(gnttab_get_table_frame(f->g1, 9, &page, &frame), 0);
	assert_int_equal(gnttab_nr_frames(f->g1), 10);
	assert_int_equal(gnttab_get_table_frame(f->g1, 64, &page, &frame), -EINVAL);
	assert_int_equal(gnttab_set_frame_number(f->g1, 0, 0xfeed0), 0);
	assert_int_equal(gnttab_set_frame_number(f->g1, 10, 1), -EINVAL);
	st.nr_frames = 1;
	gnttab_setup_table(f->g1, &st, frames, 64);
	assert_int_equal(frames[0], 0xfeed0);
	/* The host domain has no table. */
	qs.dom = DOMID_SELF;
	gnttab_query_size(f->dom0, &qs);
	assert_int_equal(qs.nr_frames, 0);
	assert_int_equal(qs.max_nr_frames, 0);
}

static void test_versions(void **state)
{
	struct fake *f = *state;
	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	struct gnttab_set_version sv = { .version = 1 };

	assert_int_equal(gnttab_get_version(f->g1, &gv), 0);
	assert_int_equal(gv.version, 1);
	gv.dom = 77;
	assert_int_equal(gnttab_get_version(f->g1, &gv), -ESRCH);
	gv.dom = 2;
	assert_int_equal(gnttab_get_version(f->g1, &gv), -EPERM);
	assert_int_equal(gnttab_get_version(f->dom0, &gv), 0);
	assert_int_equal(gnttab_set_version(f->g1, &sv), 0);
	assert_int_equal(sv.version, 1);
	sv.version = 2;
	assert_int_equal(gnttab_set_version(f->g1, &sv), -ENOSYS);
	assert_int_equal(sv.version, 1);
	sv.version = 0;
	assert_int_equal(gnttab_set_version(f->g1, &sv), -EINVAL);
	sv.version = 3;
	assert_int_equal(gnttab_set_version(f->g1, &sv), -EINVAL);
}

static void test_map_unmap_flags(void **state)
{
	struct fake *f = *state;
	struct gnttab_map_grant_ref m;
	struct gnttab_mapping_info info;
	grant_entry_v1_t *e;

	grant(f->g1, 10, 0, 5, 0);
	f->ram[1][5][0] = 0x42;
	m = map(f->dom0, 1, 10, GNTMAP_host_map);
	assert_int_equal(m.status, GNTST_okay);
	assert_int_equal(m.dev_bus_addr, 5ull << 12);
	e = entry(f->g1, 10);
	assert_int_equal(e->flags, GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(f->refs[1][5], 1);
	assert_int_equal(gnttab_entry_pin(f->g1, 10), 1); /* one hstw pin */
	assert_int_equal(gnttab_mapping_info(f->dom0, m.handle, &info), 0);
	assert_int_equal(info.domid, 1);
	assert_int_equal(info.ref, 10);
	assert_int_equal(info.frame, 5);
	assert_ptr_equal(info.page, f->ram[1][5]);
	assert_false(info.orphan);
	assert_int_equal(((uint8_t *)info.page)[0], 0x42);
	assert_int_equal(gnttab_maptrack_in_use(f->dom0), 1);

	assert_int_equal(unmap(f->dom0, m.handle), GNTST_okay);
	assert_int_equal(e->flags, GTF_permit_access);
	assert_int_equal(f->refs[1][5], 0);
	assert_int_equal(gnttab_entry_pin(f->g1, 10), 0);
	assert_int_equal(gnttab_maptrack_in_use(f->dom0), 0);
	assert_int_equal(gnttab_mapping_info(f->dom0, m.handle, &info), -ENOENT);
	/* Device and host map at once: two pins, one handle. */
	m = map(f->dom0, 1, 10, GNTMAP_host_map | GNTMAP_device_map);
	assert_int_equal(m.status, GNTST_okay);
	assert_int_equal(gnttab_entry_pin(f->g1, 10), 0x10001);
	assert_int_equal(unmap(f->dom0, m.handle), GNTST_okay);
	assert_int_equal(gnttab_entry_pin(f->g1, 10), 0);
	assert_int_equal(e->flags, GTF_permit_access);
}

static void test_map_errors(void **state)
{
	struct fake *f = *state;
	grant_entry_v1_t *e;

	grant(f->g1, 3, 0, 2, 0);
	assert_int_equal(map(f->dom0, 1, 3, 0).status, GNTST_bad_gntref);
	assert_int_equal(map(f->dom0, 1, 3, GNTMAP_readonly).status, GNTST_bad_gntref);
	assert_int_equal(map(f->dom0, 9, 3, GNTMAP_host_map).status, GNTST_bad_domain);
	assert_int_equal(map(f->dom0, DOMID_SELF, 3, GNTMAP_host_map).status, GNTST_bad_domain);
	assert_int_equal(map(f->dom0, 1, 512, GNTMAP_host_map).status, GNTST_bad_gntref);
	assert_int_equal(map(f->dom0, 1, UINT32_MAX, GNTMAP_host_map).status, GNTST_bad_gntref);
	/* Granted to another domain. */
	assert_int_equal(map(f->g2, 1, 3, GNTMAP_host_map).status, GNTST_general_error);
	/* Not a permit_access entry, or a sub-page one (v2 only). */
	e = entry(f->g1, 4);
	e->domid = 0;
	e->frame = 2;
	e->flags = GTF_invalid;
	assert_int_equal(map(f->dom0, 1, 4, GNTMAP_host_map).status, GNTST_general_error);
	e->flags = GTF_accept_transfer;
	assert_int_equal(map(f->dom0, 1, 4, GNTMAP_host_map).status, GNTST_general_error);
	e->flags = GTF_permit_access | GTF_sub_page;
	assert_int_equal(map(f->dom0, 1, 4, GNTMAP_host_map).status, GNTST_general_error);
	assert_int_equal(e->flags, GTF_permit_access | GTF_sub_page);
	/* Writable map of a read-only grant: Xen's general_error, no flags. */
	grant(f->g1, 5, 0, 2, GTF_readonly);
	assert_int_equal(map(f->dom0, 1, 5, GNTMAP_host_map).status, GNTST_general_error);
	assert_int_equal(entry(f->g1, 5)->flags, GTF_permit_access | GTF_readonly);
	/* A frame that is not the granter's RAM: bad_page, flags undone. */
	grant(f->g1, 6, 0, 4000, 0);
	assert_int_equal(map(f->dom0, 1, 6, GNTMAP_host_map).status, GNTST_bad_page);
	assert_int_equal(entry(f->g1, 6)->flags, GTF_permit_access);
	grant(f->g1, 7, 0, RO_GFN, 0);
	assert_int_equal(map(f->dom0, 1, 7, GNTMAP_host_map).status, GNTST_bad_page);
	assert_int_equal(entry(f->g1, 7)->flags, GTF_permit_access);
	assert_int_equal(gnttab_maptrack_in_use(f->dom0), 0);
	assert_int_equal(gnttab_entry_pin(f->g1, 6), 0);
}

static void test_readonly_maps(void **state)
{
	struct fake *f = *state;
	struct gnttab_map_grant_ref r1, r2, w;
	grant_entry_v1_t *e;

	grant(f->g1, 20, 0, 8, GTF_readonly);
	r1 = map(f->dom0, 1, 20, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(r1.status, GNTST_okay);
	e = entry(f->g1, 20);
	assert_int_equal(e->flags, GTF_permit_access | GTF_readonly | GTF_reading);
	assert_int_equal(unmap(f->dom0, r1.handle), GNTST_okay);
	assert_int_equal(e->flags, GTF_permit_access | GTF_readonly);

	/* RW grant: read-only maps, then a writable one upgrades. */
	grant(f->g1, 21, 0, RO_GFN - 1, 0);
	r1 = map(f->dom0, 1, 21, GNTMAP_host_map | GNTMAP_readonly);
	r2 = map(f->dom0, 1, 21, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(r2.status, GNTST_okay);
	e = entry(f->g1, 21);
	assert_int_equal(e->flags, GTF_permit_access | GTF_reading);
	w = map(f->dom0, 1, 21, GNTMAP_host_map);
	assert_int_equal(w.status, GNTST_okay);
	assert_int_equal(e->flags, GTF_permit_access | GTF_reading | GTF_writing);
	assert_int_equal(gnttab_entry_pin(f->g1, 21), 0x201);
	assert_int_equal(f->refs[1][RO_GFN - 1], 1);
	/* The last writable map goes: GTF_writing goes, reading stays. */
	assert_int_equal(unmap(f->dom0, w.handle), GNTST_okay);
	assert_int_equal(e->flags, GTF_permit_access | GTF_reading);
	assert_int_equal(unmap(f->dom0, r1.handle), GNTST_okay);
	assert_int_equal(e->flags, GTF_permit_access | GTF_reading);
	assert_int_equal(unmap(f->dom0, r2.handle), GNTST_okay);
	assert_int_equal(e->flags, GTF_permit_access);
	assert_int_equal(f->refs[1][RO_GFN - 1], 0);

	/* Read-only pin of a frame that refuses writes, then a write map. */
	grant(f->g1, 22, 0, RO_GFN, 0);
	r1 = map(f->dom0, 1, 22, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(r1.status, GNTST_okay);
	w = map(f->dom0, 1, 22, GNTMAP_host_map);
	assert_int_equal(w.status, GNTST_general_error);
	e = entry(f->g1, 22);
	assert_int_equal(e->flags, GTF_permit_access | GTF_reading);
	assert_int_equal(unmap(f->dom0, r1.handle), GNTST_okay);
	assert_int_equal(e->flags, GTF_permit_access);
}

static void test_guest_revokes_while_mapped(void **state)
{
	struct fake *f = *state;
	struct gnttab_map_grant_ref m1, m2;
	struct gnttab_mapping_info info;
	grant_entry_v1_t *e;

	grant(f->g1, 30, 0, 9, 0);
	m1 = map(f->dom0, 1, 30, GNTMAP_host_map);
	assert_int_equal(m1.status, GNTST_okay);
	e = entry(f->g1, 30);
	/* The guest revokes access and points the entry elsewhere. */
	e->flags &= (uint16_t)~GTF_permit_access;
	e->frame = 3;
	e->domid = 2;
	/* The pin stands: another map by the pinning domain still works. */
	m2 = map(f->dom0, 1, 30, GNTMAP_host_map);
	assert_int_equal(m2.status, GNTST_okay);
	assert_int_equal(m2.dev_bus_addr, 9ull << 12);
	assert_int_equal(gnttab_mapping_info(f->dom0, m2.handle, &info), 0);
	assert_int_equal(info.frame, 9);
	/* Nobody else gets in. */
	assert_int_equal(map(f->g2, 1, 30, GNTMAP_host_map).status, GNTST_general_error);
	assert_int_equal(f->refs[1][9], 1);
	assert_int_equal(f->refs[1][3], 0);
	assert_int_equal(unmap(f->dom0, m1.handle), GNTST_okay);
	assert_int_equal(e->flags & (GTF_reading | GTF_writing), GTF_reading | GTF_writing);
	assert_int_equal(unmap(f->dom0, m2.handle), GNTST_okay);
	/* Only our bits are cleared; the guest's rewrite stays. */
	assert_int_equal(e->flags, GTF_invalid);
	assert_int_equal(e->frame, 3);
	assert_int_equal(f->refs[1][9], 0);
	/* Revoked: a fresh map now fails. */
	assert_int_equal(map(f->dom0, 1, 30, GNTMAP_host_map).status, GNTST_general_error);
}

struct hammer {
	grant_entry_v1_t *e;
	bool stop; /* atomic */
	unsigned long flips;
};

static void *hammer_thread(void *arg)
{
	struct hammer *hm = arg;
	uint16_t *flags = &hm->e->flags;

	while (!__atomic_load_n(&hm->stop, __ATOMIC_ACQUIRE)) {
		/* Toggle a bit the grant does not care about, and the type. */
		__atomic_fetch_xor(flags, GTF_PAT, __ATOMIC_SEQ_CST);
		if ((hm->flips & 63) == 0)
			__atomic_fetch_xor(flags, GTF_permit_access, __ATOMIC_SEQ_CST);
		hm->flips++;
	}
	return NULL;
}

static void test_concurrent_guest_rewrites(void **state)
{
	struct fake *f = *state;
	struct hammer hm = { 0 };
	pthread_t t;
	unsigned int i, ok = 0, refused = 0;

	grant(f->g1, 40, 0, 11, 0);
	hm.e = entry(f->g1, 40);
	assert_int_equal(pthread_create(&t, NULL, hammer_thread, &hm), 0);
	for (i = 0; i < 2000; i++) {
		struct gnttab_map_grant_ref m =
			map(f->dom0, 1, 40, GNTMAP_host_map | (i & 1 ? GNTMAP_readonly : 0));

		if (m.status == GNTST_okay) {
			ok++;
			assert_int_equal(unmap(f->dom0, m.handle), GNTST_okay);
		} else {
			assert_int_equal(m.status, GNTST_general_error);
			refused++;
		}
		assert_int_equal(gnttab_entry_pin(f->g1, 40), 0);
	}
	__atomic_store_n(&hm.stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	assert_int_equal(ok + refused, 2000);
	/* Whatever the race, the bookkeeping is balanced. */
	assert_int_equal(hm.e->flags & (GTF_reading | GTF_writing), 0);
	assert_int_equal(f->refs[1][11], 0);
	assert_int_equal(gnttab_maptrack_in_use(f->dom0), 0);
}

static void test_maptrack_and_pin_limits(void **state)
{
	struct fake *f = *state;
	struct gnttab_domain *small = make_domain(f, 3, 1);
	struct gnttab_map_grant_ref m;
	grant_handle_t handles[GNTTAB_MAPTRACK_PER_FRAME];
	unsigned int i;

	for (i = 0; i <= GNTTAB_MAPTRACK_PER_FRAME; i++)
		grant(f->g1, 100 + i, 3, 1, 0);
	for (i = 0; i < GNTTAB_MAPTRACK_PER_FRAME; i++) {
		m = map(small, 1, 100 + i, GNTMAP_host_map | GNTMAP_readonly);
		assert_int_equal(m.status, GNTST_okay);
		handles[i] = m.handle;
	}
	m = map(small, 1, 100 + i, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(m.status, GNTST_no_device_space);
	assert_int_equal(entry(f->g1, 100 + i)->flags, GTF_permit_access);
	assert_int_equal(unmap(small, handles[7]), GNTST_okay);
	m = map(small, 1, 100 + i, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(m.status, GNTST_okay);
	assert_int_equal(m.handle, handles[7]);
	/* One frame reference per pinned entry... */
	assert_int_equal(f->refs[1][1], GNTTAB_MAPTRACK_PER_FRAME);
	gnttab_domain_destroy(small); /* ...and teardown unmaps them all */
	assert_int_equal(f->refs[1][1], 0);
	assert_int_equal(entry(f->g1, 100)->flags, GTF_permit_access);

	/* The pin counter refuses before it overflows (Xen: 0x80 per kind). */
	grant(f->g1, 50, 0, 2, 0);
	for (i = 0; i < 128; i++)
		assert_int_equal(map(f->dom0, 1, 50, GNTMAP_host_map | GNTMAP_readonly).status,
				 GNTST_okay);
	assert_int_equal(map(f->dom0, 1, 50, GNTMAP_host_map | GNTMAP_readonly).status,
			 GNTST_general_error);
	assert_int_equal(gnttab_entry_pin(f->g1, 50), 128u << 8);
}

static void test_unmap_errors(void **state)
{
	struct fake *f = *state;
	struct gnttab_unmap_grant_ref u = { .handle = 12345 };
	struct gnttab_map_grant_ref m;

	gnttab_unmap_grant_ref(f->dom0, &u);
	assert_int_equal(u.status, GNTST_bad_handle);
	grant(f->g1, 60, 0, 6, 0);
	m = map(f->dom0, 1, 60, GNTMAP_host_map);
	u.handle = m.handle + 1; /* allocated, never used */
	gnttab_unmap_grant_ref(f->dom0, &u);
	assert_int_equal(u.status, GNTST_bad_handle);
	u.handle = m.handle;
	u.dev_bus_addr = 7ull << 12; /* not the mapped frame */
	gnttab_unmap_grant_ref(f->dom0, &u);
	assert_int_equal(u.status, GNTST_general_error);
	assert_int_equal(gnttab_entry_pin(f->g1, 60), 1);
	u.dev_bus_addr = 6ull << 12;
	gnttab_unmap_grant_ref(f->dom0, &u);
	assert_int_equal(u.status, GNTST_okay);
	u.dev_bus_addr = 0;
	gnttab_unmap_grant_ref(f->dom0, &u);
	assert_int_equal(u.status, GNTST_bad_handle);
	/* Handles are per mapping domain. */
	m = map(f->dom0, 1, 60, GNTMAP_host_map);
	assert_int_equal(unmap(f->g2, m.handle), GNTST_bad_handle);
	assert_int_equal(unmap(f->dom0, m.handle), GNTST_okay);
}

static void *local_frame(void *ctx, xen_pfn_t gmfn, bool writable)
{
	uint8_t(*buf)[4096] = ctx;

	(void)writable;
	return gmfn < 2 ? buf[gmfn] : NULL;
}

static void test_copy(void **state)
{
	struct fake *f = *state;
	static uint8_t host_buf[2][4096];
	struct gnttab_copy_local local = { .frame = local_frame, .ctx = host_buf };
	struct gnttab_copy op[8];
	unsigned int i;

	memset(f->ram[1][4], 0x11, 4096);
	memset(host_buf[1], 0x77, 4096);
	grant(f->g1, 70, 0, 4, 0); /* RW: copy in and out */
	grant(f->g1, 71, 0, 5, GTF_readonly);
	memset(op, 0, sizeof(op));
	/* 0: guest grant -> host buffer */
	op[0].source.u.ref = 70;
	op[0].source.domid = 1;
	op[0].source.offset = 100;
	op[0].dest.u.gmfn = 0;
	op[0].dest.domid = DOMID_SELF;
	op[0].dest.offset = 8;
	op[0].len = 50;
	op[0].flags = GNTCOPY_source_gref;
	/* 1: host buffer -> guest grant */
	op[1].source.u.gmfn = 1;
	op[1].source.domid = DOMID_SELF;
	op[1].dest.u.ref = 70;
	op[1].dest.domid = 1;
	op[1].dest.offset = 4000;
	op[1].len = 96;
	op[1].flags = GNTCOPY_dest_gref;
	/* 2: into a read-only grant */
	op[2] = op[1];
	op[2].dest.u.ref = 71;
	/* 3: beyond the page */
	op[3] = op[1];
	op[3].dest.offset = 4001;
	/* 4: a foreign frame named by number */
	op[4] = op[0];
	op[4].source.u.gmfn = 4;
	op[4].flags = 0;
	/* 5: unknown domain, 6: bad ref, 7: local frame that does not exist */
	op[5] = op[0];
	op[5].source.domid = 33;
	op[6] = op[0];
	op[6].source.u.ref = 5000;
	op[7] = op[0];
	op[7].dest.u.gmfn = 2;
	assert_int_equal(gnttab_copy(f->dom0, op, 8, &local), 0);
	assert_int_equal(op[0].status, GNTST_okay);
	assert_int_equal(host_buf[0][8], 0x11);
	assert_int_equal(host_buf[0][57], 0x11);
	assert_int_equal(host_buf[0][58], 0);
	assert_int_equal(host_buf[0][7], 0);
	assert_int_equal(op[1].status, GNTST_okay);
	assert_int_equal(f->ram[1][4][3999], 0x11);
	assert_int_equal(f->ram[1][4][4000], 0x77);
	assert_int_equal(f->ram[1][4][4095], 0x77);
	assert_int_equal(op[2].status, GNTST_general_error);
	assert_int_equal(op[3].status, GNTST_bad_copy_arg);
	assert_int_equal(op[4].status, GNTST_permission_denied);
	assert_int_equal(op[5].status, GNTST_bad_domain);
	assert_int_equal(op[6].status, GNTST_bad_gntref);
	assert_int_equal(op[7].status, GNTST_bad_page);
	for (i = 70; i <= 71; i++)
		assert_int_equal(entry(f->g1, i)->flags & (GTF_reading | GTF_writing), 0);
	assert_int_equal(gnttab_entry_pin(f->g1, 70), 0);

	/* Guest to guest by grants, with a zero length and an overlap. */
	grant(f->g2, 5, 1, 6, 0);
	memset(f->ram[2][6], 0x22, 4096);
	memset(op, 0, sizeof(op));
	op[0].source.u.ref = 5;
	op[0].source.domid = 2;
	op[0].dest.u.gmfn = 7;
	op[0].dest.domid = DOMID_SELF;
	op[0].len = 4096;
	op[0].flags = GNTCOPY_source_gref;
	op[1] = op[0];
	op[1].len = 0;
	op[1].source.offset = 4096;
	op[2].source.u.gmfn = 7;
	op[2].source.domid = DOMID_SELF;
	op[2].dest.u.gmfn = 7;
	op[2].dest.domid = DOMID_SELF;
	op[2].dest.offset = 1;
	op[2].len = 100;
	/* The grant is for domain 1: domain 0 may not use it. */
	op[3] = op[0];
	assert_int_equal(gnttab_copy(f->g1, op, 3, NULL), 0);
	assert_int_equal(op[0].status, GNTST_okay);
	assert_int_equal(f->ram[1][7][4095], 0x22);
	assert_int_equal(op[1].status, GNTST_okay);
	assert_int_equal(op[2].status, GNTST_okay);
	assert_int_equal(gnttab_copy(f->dom0, &op[3], 1, NULL), 0);
	assert_int_equal(op[3].status, GNTST_general_error);
	/* Without a local resolver domain 0 has no frames of its own. */
	op[0].source.u.gmfn = 0;
	op[0].source.domid = DOMID_SELF;
	op[0].flags = 0;
	assert_int_equal(gnttab_copy(f->dom0, op, 1, NULL), 0);
	assert_int_equal(op[0].status, GNTST_bad_page);
	assert_int_equal(entry(f->g2, 5)->flags, GTF_permit_access);
}

static void test_seed_entries(void **state)
{
	struct fake *f = *state;
	grant_entry_v1_t *e;
	struct gnttab_map_grant_ref m;

	assert_int_equal(gnttab_seed_console(f->g1, 0, 12), 0);
	assert_int_equal(gnttab_seed_xenstore(f->g1, 0, 13), 0);
	e = entry(f->g1, GNTTAB_RESERVED_CONSOLE);
	assert_int_equal(e->flags, GTF_permit_access);
	assert_int_equal(e->domid, 0);
	assert_int_equal(e->frame, 12);
	assert_int_equal(entry(f->g1, GNTTAB_RESERVED_XENSTORE)->frame, 13);
	m = map(f->dom0, 1, GNTTAB_RESERVED_XENSTORE, GNTMAP_host_map);
	assert_int_equal(m.status, GNTST_okay);
	assert_int_equal(m.dev_bus_addr, 13ull << 12);
	assert_int_equal(gnttab_seed_entry(f->g1, 512, 0, 1), -EINVAL);
	assert_int_equal(gnttab_seed_entry(f->g1, 2, 0, 1ull << 33), -ERANGE);
	assert_int_equal(gnttab_seed_entry(f->dom0, 0, 0, 1), -EINVAL);
	/* Left mapped: teardown of the host releases it. */
}

static void test_teardown_granter(void **state)
{
	struct fake *f = *state;
	struct gnttab_map_grant_ref m1, m2;
	struct gnttab_mapping_info info;

	grant(f->g1, 80, 0, 3, 0);
	grant(f->g1, 81, 2, 3, GTF_readonly);
	m1 = map(f->dom0, 1, 80, GNTMAP_host_map);
	m2 = map(f->g2, 1, 81, GNTMAP_host_map | GNTMAP_readonly);
	assert_int_equal(m2.status, GNTST_okay);
	assert_int_equal(f->refs[1][3], 2);
	/* The granter dies with both mapped: references go, handles orphan. */
	gnttab_domain_destroy(f->g1);
	f->g1 = NULL;
	assert_int_equal(f->refs[1][3], 0);
	assert_int_equal(gnttab_mapping_info(f->dom0, m1.handle, &info), 0);
	assert_true(info.orphan);
	assert_null(info.page);
	/* A new domain 1 does not inherit the orphans. */
	f->g1 = make_domain(f, 1, 0);
	assert_int_equal(gnttab_entry_pin(f->g1, 80), 0);
	assert_int_equal(unmap(f->dom0, m1.handle), GNTST_okay);
	assert_int_equal(unmap(f->g2, m2.handle), GNTST_okay);
	assert_int_equal(gnttab_maptrack_in_use(f->dom0), 0);
	assert_int_equal(gnttab_entry_pin(f->g1, 80), 0);

	/* The mapper dies: the granter's flags and pins are released. */
	grant(f->g1, 82, 2, 4, 0);
	m1 = map(f->g2, 1, 82, GNTMAP_host_map);
	assert_int_equal(m1.status, GNTST_okay);
	gnttab_domain_destroy(f->g2);
	f->g2 = NULL;
	assert_int_equal(entry(f->g1, 82)->flags, GTF_permit_access);
	assert_int_equal(gnttab_entry_pin(f->g1, 82), 0);
	assert_int_equal(f->refs[1][4], 0);
}

static void test_config_errors(void **state)
{
	struct fake *f = *state;
	struct gnttab_domain_config cfg = { .domid = 1 };
	struct gnttab_domain *d;

	assert_int_equal(gnttab_domain_create(f->h, &cfg, &d), -EEXIST);
	assert_int_equal(f->table_frames, 2); /* g1 and g2 only */
	cfg.domid = DOMID_SELF;
	assert_int_equal(gnttab_domain_create(f->h, &cfg, &d), -EINVAL);
	cfg.domid = 3;
	cfg.max_frames = GNTTAB_MAX_FRAMES_LIMIT + 1;
	assert_int_equal(gnttab_domain_create(f->h, &cfg, &d), -EINVAL);
	assert_null(gnttab_host_create(NULL, NULL));
	assert_ptr_equal(gnttab_domain_lookup(f->h, 2), f->g2);
	assert_null(gnttab_domain_lookup(f->h, 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_table_ops),
		T(test_versions),
		T(test_map_unmap_flags),
		T(test_map_errors),
		T(test_readonly_maps),
		T(test_guest_revokes_while_mapped),
		T(test_concurrent_guest_rewrites),
		T(test_maptrack_and_pin_limits),
		T(test_unmap_errors),
		T(test_copy),
		T(test_seed_entries),
		T(test_teardown_granter),
		T(test_config_errors),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
