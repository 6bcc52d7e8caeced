/*
 * test_map_alloc_fail.c - every allocating engine operation is
 * all-or-nothing under allocation failure.
 *
 * For each operation a map is built in a realistic state (several entries,
 * holes, neighbours that merge, an object-backed entry, unmergeable and
 * unsplittable entries, a guard), its entry cache is set to 0 so that the
 * operation must allocate everything it needs, and then the k-th allocation
 * is made to fail for k = 1, 2, 3, ... until the operation succeeds.  Every
 * failed attempt must return KERN_RESOURCE_SHORTAGE, must really have met
 * an injected failure, and must leave the listing, the statistics and the
 * allocator's live bytes exactly as they were.  The successful attempt must
 * produce exactly what the same operation produces on an identical map
 * without injection, plus the explicit result each case expects.
 *
 * bsdvm_map_create gets the same treatment (nothing may leak), and a
 * random sequence of operations, half of them with an early allocation
 * failing, is compared step by step with a twin map that never fails.
 * The operations and the random sequence run a second time on maps created
 * with BSDVM_MAP_NO_ALIGN_INDEX, whose inner index nodes are smaller and
 * keep no aligned fits (the first pass has the default, which does).
 * Seed of the random sequence: argv[1] or $BSDVM_SEED.
 */
#include <bsdvm/vmspace.h>

#include "testutil.h"

#define PG ((bsdvm_addr_t)4096)
#define MAP_LO ((bsdvm_addr_t)0x100000)
#define MAP_HI ((bsdvm_addr_t)0x40000000)
#define BASE ((bsdvm_addr_t)0x1000000)
#define PGA(n) (BASE + (bsdvm_addr_t)(n) * PG) /* address of page n of the layout */
#define K_MAX 64 /* no operation needs anywhere near this many allocations */

static char fake_object_storage[16];
#define OBJ ((struct vm_object *)(void *)fake_object_storage)

static unsigned total_points;

/* ------------------------------------------------------------------ */
/* Building the map state every case starts from. */

static struct bsdvm_entry_attrs attrs_of(bsdvm_prot_t prot, bsdvm_prot_t max,
    bsdvm_inherit_t inh, uint32_t eflags)
{
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(prot, max);

	a.inherit = inh;
	a.eflags = eflags;
	return a;
}

static void must_insert(struct vm_map *map, bsdvm_addr_t s, bsdvm_addr_t e,
    const struct bsdvm_entry_attrs *a)
{
	int rv = bsdvm_map_insert(map, s, e, a);

	if (rv != KERN_SUCCESS) {
		fprintf(stderr, "setup insert [%#llx,%#llx) failed: %s\n",
		    (unsigned long long)s, (unsigned long long)e, bsdvm_kern_name(rv));
		exit(2);
	}
}

/* 0 (aligned fits, which must survive every failure too), or
 * BSDVM_MAP_NO_ALIGN_INDEX for the second pass */
static uint32_t map_flags;

static struct vm_map *alloc_map_new(void)
{
	return test_map_new_flags(MAP_LO, MAP_HI, PG, map_flags);
}

/*
 * Layout, in pages from BASE:
 *   [0,16)    A  RW/ALL anon                 hole [16,20)
 *   [20,40)   C  R/ALL anon
 *   [40,48)   D  RW/ALL anon (touches C)     hole [48,64)
 *   [64,80)   F  RW/ALL object OBJ offset 0
 *   [80,96)   G  R/ALL NOMERGE               hole [96,100)
 *   [100,104) H  RW/ALL UNSPLITTABLE         hole [104,120)
 *   [120,124) I  guard                       hole [124,200)
 *   [200,210) J  RW/ALL anon inherit SHARE   hole [210,214)
 *   [214,220) K  RW/ALL anon inherit SHARE
 *   40 small isolated entries from page 1000 on, alternating R and RW.
 */
static struct vm_map *build_state(void)
{
	struct vm_map *map = alloc_map_new();
	struct bsdvm_entry_attrs rw = attrs_of(VM_PROT_RW, VM_PROT_ALL, VM_INHERIT_DEFAULT, 0);
	struct bsdvm_entry_attrs r = attrs_of(VM_PROT_READ, VM_PROT_ALL, VM_INHERIT_DEFAULT, 0);
	struct bsdvm_entry_attrs f = rw, g, h, guard, share;
	int i;

	f.object = OBJ;
	f.offset = 0;
	g = attrs_of(VM_PROT_READ, VM_PROT_ALL, VM_INHERIT_DEFAULT, MAP_ENTRY_NOMERGE);
	h = attrs_of(VM_PROT_RW, VM_PROT_ALL, VM_INHERIT_DEFAULT, MAP_ENTRY_UNSPLITTABLE);
	guard = attrs_of(VM_PROT_NONE, VM_PROT_NONE, VM_INHERIT_DEFAULT, MAP_ENTRY_GUARD);
	share = attrs_of(VM_PROT_RW, VM_PROT_ALL, VM_INHERIT_SHARE, 0);

	must_insert(map, PGA(0), PGA(16), &rw);
	must_insert(map, PGA(20), PGA(40), &r);
	must_insert(map, PGA(40), PGA(48), &rw);
	must_insert(map, PGA(64), PGA(80), &f);
	must_insert(map, PGA(80), PGA(96), &g);
	must_insert(map, PGA(100), PGA(104), &h);
	must_insert(map, PGA(120), PGA(124), &guard);
	must_insert(map, PGA(200), PGA(210), &share);
	must_insert(map, PGA(214), PGA(220), &share);
	for (i = 0; i < 40; i++)
		must_insert(map, PGA(1000 + 8 * i), PGA(1000 + 8 * i + 4), (i & 1) ? &rw : &r);
	if (!vm_map_check(map)) {
		fprintf(stderr, "setup map is inconsistent\n");
		exit(2);
	}
	return map;
}

/* ------------------------------------------------------------------ */
/* Comparing states. */

static bool stats_equal(const struct bsdvm_map_stats *a, const struct bsdvm_map_stats *b)
{
	/* the timestamp counts lock acquisitions, which a failed operation
	 * does make; every other field must be untouched */
	return a->nentries == b->nentries && a->size == b->size &&
	    a->largest_gap == b->largest_gap && a->inserts == b->inserts &&
	    a->removes == b->removes && a->splits == b->splits && a->merges == b->merges &&
	    a->index_depth == b->index_depth;
}

static void print_stats(const char *tag, const struct bsdvm_map_stats *s)
{
	fprintf(stderr, "  %s: n=%" PRIu64 " size=%#" PRIx64 " gap=%#" PRIx64 " ins=%" PRIu64
	    " rem=%" PRIu64 " spl=%" PRIu64 " mrg=%" PRIu64 " ts=%" PRIu64 "\n", tag,
	    s->nentries, s->size, s->largest_gap, s->inserts, s->removes, s->splits,
	    s->merges, s->timestamp);
}

/* The region containing addr must be exactly [s, e) with these attributes. */
static void expect_region(struct vm_map *map, bsdvm_addr_t addr, bsdvm_addr_t s, bsdvm_addr_t e,
    bsdvm_prot_t prot, bsdvm_prot_t max)
{
	struct bsdvm_region r;
	bool found = bsdvm_map_query(map, addr, &r);

	CHECK(found);
	if (!found)
		return;
	CHECK_EQ_U64(r.start, s);
	CHECK_EQ_U64(r.end, e);
	CHECK_EQ_U64(r.protection, prot);
	CHECK_EQ_U64(r.max_protection, max);
}

static void expect_hole(struct vm_map *map, bsdvm_addr_t addr)
{
	CHECK(!bsdvm_map_query(map, addr, NULL));
}

/* After disarming, the next allocation must succeed and not count as an
 * injected failure. */
static void check_injection_disarmed(void)
{
	const struct bsdvm_platform *p = bsdvm_platform_default();
	uint64_t f0 = bsdvm_alloc_failures();
	void *probe = p->alloc(p->ctx, 32);

	CHECK(probe != NULL);
	CHECK_EQ_U64(bsdvm_alloc_failures(), f0);
	p->free(p->ctx, probe, 32);
}

/* ------------------------------------------------------------------ */
/* The injection driver. */

typedef int (*op_fn)(struct vm_map *map, void *ctx);

/*
 * Runs op on map with the k-th allocation failing, k = 1, 2, ..., until it
 * succeeds.  Returns the number of failure points met (k - 1 at success)
 * and the final return code in *rvp.
 */
static unsigned inject_until_success(const char *name, struct vm_map *map, op_fn op,
    void *ctx, size_t ctx_size, int *rvp)
{
	unsigned char ctx0[256];
	int64_t live_start = bsdvm_alloc_live_bytes();
	struct bsdvm_map_stats st_start, st_end;
	uint64_t k, calls0 = 0, calls = 0;
	int rv = KERN_RESOURCE_SHORTAGE;
	unsigned points = 0;

	bsdvm_map_get_stats(map, &st_start);
	for (k = 1; k <= K_MAX; k++) {
		struct bsdvm_map_stats st0, st1;
		char *before = test_map_listing(map), *after;
		int64_t live0 = bsdvm_alloc_live_bytes();
		uint64_t f0 = bsdvm_alloc_failures();

		bsdvm_map_get_stats(map, &st0);
		if (ctx != NULL)
			memcpy(ctx0, ctx, ctx_size);
		calls0 = bsdvm_alloc_count();
		bsdvm_alloc_fail_at(k);
		rv = op(map, ctx);
		bsdvm_alloc_fail_at(0);
		calls = bsdvm_alloc_count() - calls0;
		if (rv != KERN_RESOURCE_SHORTAGE) {
			/* success: the armed failure was never reached */
			CHECK_EQ_U64(bsdvm_alloc_failures(), f0);
			free(before);
			break;
		}
		points++;
		after = test_map_listing(map);
		bsdvm_map_get_stats(map, &st1);
		CHECK_EQ_U64(bsdvm_alloc_failures(), f0 + 1);
		if (strcmp(before, after) != 0) {
			CHECK(!"listing changed by a failed operation");
			fprintf(stderr, "%s, k=%" PRIu64 ": before:\n%s after:\n%s", name, k,
			    before, after);
		}
		/* with no cache, a failed operation keeps no spare index node */
		CHECK_EQ_U64(st1.index_bytes, st0.index_bytes);
		if (!stats_equal(&st0, &st1)) {
			CHECK(!"statistics changed by a failed operation");
			fprintf(stderr, "%s, k=%" PRIu64 ":\n", name, k);
			print_stats("before", &st0);
			print_stats("after ", &st1);
		}
		CHECK(st1.timestamp >= st0.timestamp);
		/* out-parameters (find's address) are untouched on failure */
		CHECK(ctx == NULL || memcmp(ctx, ctx0, ctx_size) == 0);
		if (bsdvm_alloc_live_bytes() != live0) {
			CHECK(!"live bytes changed by a failed operation (cache is 0)");
			fprintf(stderr, "%s, k=%" PRIu64 ": live bytes %" PRId64 " -> %" PRId64 "\n",
			    name, k, live0, bsdvm_alloc_live_bytes());
		}
		CHECK_MAP(map);
		free(before);
		free(after);
	}
	check_injection_disarmed();
	if (k > K_MAX) {
		CHECK(!"operation never succeeded");
		fprintf(stderr, "%s: still failing at k=%d\n", name, K_MAX);
	}
	CHECK(points >= 1); /* every case here must allocate */
	CHECK_MAP(map);

	/* with no entry cache, the map's memory is exactly its entries and
	 * its index */
	bsdvm_map_get_stats(map, &st_end);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes() - live_start,
	    ((int64_t)st_end.nentries - (int64_t)st_start.nentries) *
	    (int64_t)sizeof(struct vm_map_entry) +
	    ((int64_t)st_end.index_bytes - (int64_t)st_start.index_bytes));

	printf("  %-22s %u failure point%s (success at k=%" PRIu64 ", %" PRIu64
	    " allocation%s)\n", name, points, points == 1 ? "" : "s", k,
	    calls, calls == 1 ? "" : "s");
	*rvp = rv;
	return points;
}

typedef void (*expect_fn)(struct vm_map *map, void *ctx);

/*
 * One case: build the state, inject until success, compare with the same
 * operation on a twin map without injection, run the case's own checks,
 * destroy both maps.
 */
static void run_case(const char *name, op_fn op, void *ctx, size_t ctx_size, expect_fn expect)
{
	struct vm_map *map = build_state(), *twin = build_state();
	struct bsdvm_map_stats sa, sb;
	char *la, *lb;
	int rv, twin_rv;
	unsigned char ctx_copy[256];

	if (ctx_size > sizeof(ctx_copy))
		exit(2);
	/* the op may write results into ctx; give the twin a fresh copy */
	if (ctx != NULL)
		memcpy(ctx_copy, ctx, ctx_size);
	bsdvm_map_set_entry_cache(map, 0);
	total_points += inject_until_success(name, map, op, ctx, ctx_size, &rv);
	CHECK_KERN(rv, KERN_SUCCESS);

	twin_rv = op(twin, ctx != NULL ? (void *)ctx_copy : NULL);
	CHECK_KERN(twin_rv, KERN_SUCCESS);
	if (ctx != NULL && memcmp(ctx, ctx_copy, ctx_size) != 0)
		CHECK(!"results differ from the run without injection");
	la = test_map_listing(map);
	lb = test_map_listing(twin);
	if (strcmp(la, lb) != 0) {
		CHECK(!"result differs from the run without injection");
		fprintf(stderr, "%s: with injection:\n%s without:\n%s", name, la, lb);
	}
	bsdvm_map_get_stats(map, &sa);
	bsdvm_map_get_stats(twin, &sb);
	if (!stats_equal(&sa, &sb)) {
		CHECK(!"statistics differ from the run without injection");
		fprintf(stderr, "%s:\n", name);
		print_stats("injected", &sa);
		print_stats("plain   ", &sb);
	}
	if (expect != NULL)
		expect(map, ctx);
	CHECK_MAP(map);
	free(la);
	free(lb);
	bsdvm_map_destroy(map);
	bsdvm_map_destroy(twin);
}

/* ------------------------------------------------------------------ */
/* The operations. */

struct range_ctx {
	bsdvm_addr_t start, end;
	struct bsdvm_entry_attrs attrs;
	bsdvm_prot_t prot, max;
	uint32_t flags;
	int value; /* inheritance or advice */
};

struct find_ctx {
	struct bsdvm_space_req req;
	struct bsdvm_entry_attrs attrs;
	bsdvm_addr_t addr; /* hint in, result out */
};

static int op_insert(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;

	return bsdvm_map_insert(map, c->start, c->end, &c->attrs);
}

static int op_insert_locked(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;
	int rv;

	bsdvm_map_lock(map);
	rv = bsdvm_map_insert_locked(map, c->start, c->end, &c->attrs);
	bsdvm_map_unlock(map);
	return rv;
}

static int op_find(struct vm_map *map, void *ctx)
{
	struct find_ctx *c = ctx;

	return bsdvm_map_find(map, &c->req, &c->attrs, &c->addr);
}

static int op_fixed(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;

	return bsdvm_map_fixed(map, c->start, c->end, &c->attrs);
}

static int op_delete(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;

	return bsdvm_map_delete(map, c->start, c->end);
}

static int op_delete_locked(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;
	int rv;

	bsdvm_map_lock(map);
	rv = bsdvm_map_delete_locked(map, c->start, c->end);
	bsdvm_map_unlock(map);
	return rv;
}

static int op_protect(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;

	return bsdvm_map_protect(map, c->start, c->end, c->prot, c->max, c->flags);
}

static int op_inherit(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;

	return bsdvm_map_inherit(map, c->start, c->end, (bsdvm_inherit_t)c->value);
}

static int op_madvise(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;

	return bsdvm_map_madvise(map, c->start, c->end, c->value);
}

/* clip the entry containing c->start at c->end (clip_end) or c->start (clip_start) */
static int op_clip_start(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;
	struct vm_map_entry *e = NULL;
	int rv = KERN_FAILURE;

	bsdvm_map_lock(map);
	if (bsdvm_map_lookup_entry(map, c->start, &e))
		rv = bsdvm_map_clip_start(map, e, c->start);
	bsdvm_map_unlock(map);
	return rv;
}

static int op_clip_end(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;
	struct vm_map_entry *e = NULL;
	int rv = KERN_FAILURE;

	bsdvm_map_lock(map);
	if (bsdvm_map_lookup_entry(map, c->start, &e))
		rv = bsdvm_map_clip_end(map, e, c->end);
	bsdvm_map_unlock(map);
	return rv;
}

/* ------------------------------------------------------------------ */
/* What each case must produce. */

static void expect_insert_merge_both(struct vm_map *map, void *ctx)
{
	struct bsdvm_region r;

	(void)ctx;
	expect_region(map, PGA(212), PGA(200), PGA(220), VM_PROT_RW, VM_PROT_ALL);
	CHECK(bsdvm_map_query(map, PGA(200), &r) && r.inheritance == VM_INHERIT_SHARE);
}

static void expect_insert_merge_left(struct vm_map *map, void *ctx)
{
	(void)ctx;
	expect_region(map, PGA(17), PGA(0), PGA(20), VM_PROT_RW, VM_PROT_ALL);
	expect_region(map, PGA(20), PGA(20), PGA(40), VM_PROT_READ, VM_PROT_ALL);
}

static void expect_insert_isolated(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;

	expect_region(map, c->start, c->start, c->end, c->attrs.prot, c->attrs.maxprot);
	expect_hole(map, c->start - PG);
	expect_hole(map, c->end);
}

static void expect_find_first_hole(struct vm_map *map, void *ctx)
{
	struct find_ctx *c = ctx;

	CHECK_EQ_U64(c->addr, PGA(16));
	expect_region(map, PGA(16), PGA(0), PGA(20), VM_PROT_RW, VM_PROT_ALL);
}

static void expect_find_top(struct vm_map *map, void *ctx)
{
	struct find_ctx *c = ctx;

	CHECK_EQ_U64(c->addr, MAP_HI - 8 * PG);
	expect_region(map, MAP_HI - PG, MAP_HI - 8 * PG, MAP_HI, VM_PROT_READ, VM_PROT_READ);
}

static void expect_find_aligned(struct vm_map *map, void *ctx)
{
	struct find_ctx *c = ctx;

	/* [16,20) is aligned but too small; [48,64) is the first that fits */
	CHECK_EQ_U64(c->addr, PGA(48));
	expect_region(map, PGA(48), PGA(48), PGA(56), VM_PROT_READ, VM_PROT_ALL);
	expect_region(map, PGA(47), PGA(40), PGA(48), VM_PROT_RW, VM_PROT_ALL);
}

static void expect_fixed_span(struct vm_map *map, void *ctx)
{
	struct bsdvm_region r;

	(void)ctx;
	expect_region(map, PGA(20), PGA(20), PGA(30), VM_PROT_READ, VM_PROT_ALL);
	expect_region(map, PGA(50), PGA(30), PGA(70), VM_PROT_RW, VM_PROT_ALL);
	expect_region(map, PGA(75), PGA(70), PGA(80), VM_PROT_RW, VM_PROT_ALL);
	CHECK(bsdvm_map_query(map, PGA(30), &r) && r.object == NULL);
	CHECK(bsdvm_map_query(map, PGA(70), &r) && r.object == OBJ && r.offset == 6 * PG);
}

static void expect_delete_split(struct vm_map *map, void *ctx)
{
	(void)ctx;
	expect_region(map, PGA(0), PGA(0), PGA(4), VM_PROT_RW, VM_PROT_ALL);
	expect_hole(map, PGA(4));
	expect_hole(map, PGA(7));
	expect_region(map, PGA(8), PGA(8), PGA(16), VM_PROT_RW, VM_PROT_ALL);
}

static void expect_delete_span(struct vm_map *map, void *ctx)
{
	struct bsdvm_region r;

	(void)ctx;
	expect_region(map, PGA(0), PGA(0), PGA(10), VM_PROT_RW, VM_PROT_ALL);
	expect_hole(map, PGA(10));
	expect_hole(map, PGA(30));
	expect_hole(map, PGA(69));
	expect_region(map, PGA(70), PGA(70), PGA(80), VM_PROT_RW, VM_PROT_ALL);
	CHECK(bsdvm_map_query(map, PGA(70), &r) && r.offset == 6 * PG);
}

static void expect_delete_locked(struct vm_map *map, void *ctx)
{
	(void)ctx;
	expect_region(map, PGA(21), PGA(20), PGA(22), VM_PROT_READ, VM_PROT_ALL);
	expect_hole(map, PGA(22));
	expect_region(map, PGA(26), PGA(26), PGA(40), VM_PROT_READ, VM_PROT_ALL);
}

/* A split 1 -> 3 of A ([0,16)) at pages 4 and 8. */
static void expect_split_a(struct vm_map *map, bsdvm_prot_t mid_prot, bsdvm_prot_t mid_max)
{
	expect_region(map, PGA(0), PGA(0), PGA(4), VM_PROT_RW, VM_PROT_ALL);
	expect_region(map, PGA(5), PGA(4), PGA(8), mid_prot, mid_max);
	expect_region(map, PGA(8), PGA(8), PGA(16), VM_PROT_RW, VM_PROT_ALL);
}

static void expect_protect_split(struct vm_map *map, void *ctx)
{
	(void)ctx;
	expect_split_a(map, VM_PROT_READ, VM_PROT_ALL);
}

static void expect_protect_max(struct vm_map *map, void *ctx)
{
	(void)ctx;
	expect_region(map, PGA(20), PGA(20), PGA(24), VM_PROT_READ, VM_PROT_ALL);
	expect_region(map, PGA(24), PGA(24), PGA(28), VM_PROT_READ, VM_PROT_READ);
	expect_region(map, PGA(28), PGA(28), PGA(40), VM_PROT_READ, VM_PROT_ALL);
}

static void expect_protect_merge(struct vm_map *map, void *ctx)
{
	(void)ctx;
	expect_region(map, PGA(41), PGA(20), PGA(44), VM_PROT_READ, VM_PROT_ALL);
	expect_region(map, PGA(44), PGA(44), PGA(48), VM_PROT_RW, VM_PROT_ALL);
}

static void expect_protect_span(struct vm_map *map, void *ctx)
{
	(void)ctx;
	expect_region(map, PGA(0), PGA(0), PGA(10), VM_PROT_RW, VM_PROT_ALL);
	expect_region(map, PGA(10), PGA(10), PGA(16), VM_PROT_READ, VM_PROT_ALL);
	expect_region(map, PGA(43), PGA(20), PGA(44), VM_PROT_READ, VM_PROT_ALL);
	expect_region(map, PGA(44), PGA(44), PGA(48), VM_PROT_RW, VM_PROT_ALL);
}

static void expect_inherit_split(struct vm_map *map, void *ctx)
{
	struct bsdvm_region r;

	(void)ctx;
	expect_split_a(map, VM_PROT_RW, VM_PROT_ALL);
	CHECK(bsdvm_map_query(map, PGA(4), &r) && r.inheritance == VM_INHERIT_NONE);
	CHECK(bsdvm_map_query(map, PGA(3), &r) && r.inheritance == VM_INHERIT_DEFAULT);
	CHECK(bsdvm_map_query(map, PGA(8), &r) && r.inheritance == VM_INHERIT_DEFAULT);
}

static void expect_madvise_split(struct vm_map *map, void *ctx)
{
	struct bsdvm_region r;

	(void)ctx;
	expect_split_a(map, VM_PROT_RW, VM_PROT_ALL);
	CHECK(bsdvm_map_query(map, PGA(4), &r) && r.advice == BSDVM_MADV_RANDOM);
	CHECK(bsdvm_map_query(map, PGA(3), &r) && r.advice == BSDVM_MADV_NORMAL);
	CHECK(bsdvm_map_query(map, PGA(8), &r) && r.advice == BSDVM_MADV_NORMAL);
}

static void expect_madvise_flag(struct vm_map *map, void *ctx)
{
	struct bsdvm_region r;

	(void)ctx;
	expect_region(map, PGA(64), PGA(64), PGA(66), VM_PROT_RW, VM_PROT_ALL);
	expect_region(map, PGA(66), PGA(66), PGA(70), VM_PROT_RW, VM_PROT_ALL);
	expect_region(map, PGA(70), PGA(70), PGA(80), VM_PROT_RW, VM_PROT_ALL);
	CHECK(bsdvm_map_query(map, PGA(66), &r) && (r.eflags & MAP_ENTRY_NOCOREDUMP) &&
	    r.object == OBJ && r.offset == 2 * PG);
	CHECK(bsdvm_map_query(map, PGA(64), &r) && !(r.eflags & MAP_ENTRY_NOCOREDUMP));
	CHECK(bsdvm_map_query(map, PGA(70), &r) && !(r.eflags & MAP_ENTRY_NOCOREDUMP) &&
	    r.offset == 6 * PG);
}

static void expect_clip_start(struct vm_map *map, void *ctx)
{
	(void)ctx;
	expect_region(map, PGA(0), PGA(0), PGA(6), VM_PROT_RW, VM_PROT_ALL);
	expect_region(map, PGA(6), PGA(6), PGA(16), VM_PROT_RW, VM_PROT_ALL);
}

static void expect_clip_end(struct vm_map *map, void *ctx)
{
	(void)ctx;
	expect_region(map, PGA(25), PGA(20), PGA(30), VM_PROT_READ, VM_PROT_ALL);
	expect_region(map, PGA(30), PGA(30), PGA(40), VM_PROT_READ, VM_PROT_ALL);
}

static void expect_fixed_hole(struct vm_map *map, void *ctx)
{
	struct range_ctx *c = ctx;

	expect_region(map, c->start, c->start, c->end, c->attrs.prot, c->attrs.maxprot);
	expect_region(map, PGA(120), PGA(120), PGA(124), VM_PROT_NONE, VM_PROT_NONE);
}

/* ------------------------------------------------------------------ */
/* bsdvm_map_create */

static void test_create(void)
{
	struct bsdvm_map_params p = {
		.min = MAP_LO, .max = MAP_HI, .page_size = 16384, .flags = BSDVM_MAP_TOPDOWN,
	};
	int64_t live0 = bsdvm_alloc_live_bytes();
	struct vm_map *map = NULL;
	unsigned points = 0;
	uint64_t k;
	int rv = KERN_RESOURCE_SHORTAGE;

	for (k = 1; k <= K_MAX; k++) {
		uint64_t f0 = bsdvm_alloc_failures();

		map = NULL;
		bsdvm_alloc_fail_at(k);
		rv = bsdvm_map_create(&p, &map);
		bsdvm_alloc_fail_at(0);
		if (rv == KERN_SUCCESS) {
			CHECK_EQ_U64(bsdvm_alloc_failures(), f0);
			break;
		}
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK_EQ_U64(bsdvm_alloc_failures(), f0 + 1);
		CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live0);
		CHECK(map == NULL);
		points++;
	}
	check_injection_disarmed();
	CHECK_KERN(rv, KERN_SUCCESS);
	CHECK(points >= 1);
	CHECK(map != NULL);
	if (map != NULL) {
		struct bsdvm_map_stats st;

		CHECK_EQ_U64(bsdvm_map_min(map), MAP_LO);
		CHECK_EQ_U64(bsdvm_map_max(map), MAP_HI);
		CHECK_EQ_U64(bsdvm_map_page_size(map), 16384);
		CHECK_EQ_U64(bsdvm_map_flags(map), BSDVM_MAP_TOPDOWN);
		bsdvm_map_get_stats(map, &st);
		CHECK_EQ_U64(st.nentries, 0);
		CHECK_EQ_U64(st.largest_gap, MAP_HI - MAP_LO);
		CHECK_MAP(map);
		/* the map must work: lock, insert, delete */
		{
			struct bsdvm_entry_attrs a = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL);

			CHECK_KERN(bsdvm_map_insert(map, MAP_LO, MAP_LO + 16384, &a), KERN_SUCCESS);
			CHECK_KERN(bsdvm_map_delete(map, MAP_LO, MAP_LO + 16384), KERN_SUCCESS);
		}
		bsdvm_map_destroy(map);
	}
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live0);
	printf("  %-22s %u failure point%s (success at k=%" PRIu64 ")\n", "create", points,
	    points == 1 ? "" : "s", k);
	total_points += points;
}

/* ------------------------------------------------------------------ */

static struct range_ctx rc_attrs(bsdvm_addr_t s, bsdvm_addr_t e, struct bsdvm_entry_attrs a)
{
	struct range_ctx c;

	memset(&c, 0, sizeof(c));
	c.start = s;
	c.end = e;
	c.attrs = a;
	return c;
}

static struct range_ctx rc_range(bsdvm_addr_t s, bsdvm_addr_t e)
{
	struct range_ctx c;

	memset(&c, 0, sizeof(c));
	c.start = s;
	c.end = e;
	return c;
}

/* ------------------------------------------------------------------ */
/*
 * A random sequence: every operation runs on a map with no entry cache,
 * half of them with one of their first allocations made to fail, and is
 * compared with a twin map where nothing fails.  A failed operation must
 * change nothing; a successful one must do exactly what the twin does.
 */

#define RND_PAGES 256

static struct bsdvm_entry_attrs rnd_attrs(struct test_rng *rng)
{
	static const uint32_t flag_choices[] = { 0, 0, 0, 0, MAP_ENTRY_NOMERGE,
		MAP_ENTRY_UNSPLITTABLE, MAP_ENTRY_NOSYNC, MAP_ENTRY_GUARD };
	uint32_t fl = flag_choices[rng_below(rng, 8)];
	struct bsdvm_entry_attrs a;

	if (fl == MAP_ENTRY_GUARD)
		return attrs_of(VM_PROT_NONE, VM_PROT_NONE, VM_INHERIT_DEFAULT, fl);
	a = attrs_of(rng_below(rng, 2) ? VM_PROT_RW : VM_PROT_READ, VM_PROT_ALL,
	    (bsdvm_inherit_t)rng_below(rng, 2), fl);
	if (rng_below(rng, 4) == 0) {
		a.object = OBJ;
		a.offset = rng_below(rng, 4) * PG;
	}
	return a;
}

struct rnd_op {
	int kind;
	struct range_ctx c;
	struct find_ctx f;
};

static int rnd_apply(struct vm_map *map, struct rnd_op *o)
{
	switch (o->kind) {
	case 0: return op_insert(map, &o->c);
	case 1: return op_fixed(map, &o->c);
	case 2: return op_delete(map, &o->c);
	case 3: return op_protect(map, &o->c);
	case 4: return op_inherit(map, &o->c);
	case 5: return op_madvise(map, &o->c);
	case 6: return op_find(map, &o->f);
	default: return op_clip_end(map, &o->c);
	}
}

static void rnd_make(struct test_rng *rng, struct rnd_op *o)
{
	uint64_t a = rng_below(rng, RND_PAGES), n = 1 + rng_below(rng, 24);

	if (a + n > RND_PAGES)
		n = RND_PAGES - a;
	memset(o, 0, sizeof(*o));
	o->kind = (int)rng_below(rng, 8);
	o->c = rc_attrs(PGA(a), PGA(a + n), rnd_attrs(rng));
	o->c.prot = (bsdvm_prot_t)rng_below(rng, 8);
	o->c.max = VM_PROT_ALL;
	o->c.flags = BSDVM_PROTECT_SET_PROT;
	if (o->kind == 4)
		o->c.value = (int)rng_below(rng, 4);
	else if (o->kind == 5)
		o->c.value = (int)rng_below(rng, 10);
	o->f.req.length = n * PG;
	o->f.req.max_end = PGA(RND_PAGES);
	o->f.req.flags = rng_below(rng, 2) ? BSDVM_SPACE_BOTTOMUP : BSDVM_SPACE_TOPDOWN;
	o->f.attrs = o->c.attrs;
	o->f.addr = o->f.req.flags == BSDVM_SPACE_BOTTOMUP ? BASE : PGA(RND_PAGES - n);
}

static void test_random(uint64_t seed, unsigned nops)
{
	struct vm_map *map = alloc_map_new();
	struct vm_map *twin = test_map_new(MAP_LO, MAP_HI, PG);
	struct test_rng rng;
	unsigned i, injected = 0, failed_ops = 0, mismatches = 0;

	rng_init(&rng, seed);
	bsdvm_map_set_entry_cache(map, 0);
	for (i = 0; i < nops; i++) {
		struct rnd_op o, o_twin;
		struct bsdvm_map_stats st0, st1;
		char *before = test_map_listing(map), *after, *want;
		int64_t live0 = bsdvm_alloc_live_bytes();
		uint64_t f0 = bsdvm_alloc_failures();
		int rv, rv_twin;

		rnd_make(&rng, &o);
		o_twin = o;
		bsdvm_map_get_stats(map, &st0);
		if (rng_below(&rng, 2) == 0)
			bsdvm_alloc_fail_at(1 + rng_below(&rng, 3));
		rv = rnd_apply(map, &o);
		bsdvm_alloc_fail_at(0);
		after = test_map_listing(map);
		bsdvm_map_get_stats(map, &st1);
		if (bsdvm_alloc_failures() != f0) {
			injected++;
			CHECK_EQ_U64(bsdvm_alloc_failures(), f0 + 1);
			/* an injected failure must surface as a shortage */
			CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		}
		if (rv == KERN_RESOURCE_SHORTAGE) {
			failed_ops++;
			CHECK(bsdvm_alloc_failures() == f0 + 1);
			CHECK(strcmp(before, after) == 0);
			CHECK(stats_equal(&st0, &st1));
			CHECK_EQ_U64(st1.index_bytes, st0.index_bytes);
			CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live0);
		} else {
			/* no cache: memory is exactly the entries and the index */
			CHECK_EQ_U64(bsdvm_alloc_live_bytes() - live0,
			    ((int64_t)st1.nentries - (int64_t)st0.nentries) *
			    (int64_t)sizeof(struct vm_map_entry) +
			    ((int64_t)st1.index_bytes - (int64_t)st0.index_bytes));
			rv_twin = rnd_apply(twin, &o_twin);
			CHECK_KERN(rv, rv_twin);
			CHECK_EQ_U64(o.f.addr, o_twin.f.addr);
			want = test_map_listing(twin);
			if (strcmp(after, want) != 0) {
				mismatches++;
				CHECK(!"random sequence: result differs from the twin");
				fprintf(stderr, "seed %" PRIu64 " op %u (kind %d): got\n%s want\n%s",
				    seed, i, o.kind, after, want);
			}
			free(want);
		}
		free(before);
		free(after);
		if (i % 64 == 0) {
			CHECK_MAP(map);
			CHECK_MAP(twin);
		}
		if (mismatches > 3)
			break;
	}
	CHECK_MAP(map);
	check_injection_disarmed();
	CHECK(injected > nops / 16); /* the sequence must really meet failures */
	printf("random sequence: %u operations, %u injected failures, %u returned "
	    "KERN_RESOURCE_SHORTAGE\n", nops, injected, failed_ops);
	bsdvm_map_destroy(map);
	bsdvm_map_destroy(twin);
}

/* ------------------------------------------------------------------ */
/*
 * Persistent failure: from the k-th allocation on, every allocation fails
 * (memory stays short, as it does in a real shortage).  An operation that
 * must undo part of its own work, such as vm_map_stack taking back its
 * stack when the guard cannot be inserted, then gets no memory for the
 * undo either, and must still leave the map exactly as it was.
 */

static const struct bsdvm_platform *dry_base; /* the default platform */
static uint64_t dry_left;                     /* allocations still allowed */
static bool dry_armed;

static void *dry_alloc(void *ctx, size_t size)
{
	if (dry_armed) {
		if (dry_left == 0)
			return NULL;
		dry_left--;
	}
	return dry_base->alloc(ctx, size);
}

typedef int (*dry_op_fn)(struct vm_map *map);

static int dry_stack(struct vm_map *map)
{
	/* 16 pages of reservation, 4 of stack below the top, a guard below */
	return bsdvm_map_stack(map, PGA(300), 16 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN);
}

static int dry_fixed(struct vm_map *map)
{
	struct bsdvm_entry_attrs a = attrs_of(VM_PROT_READ, VM_PROT_ALL, VM_INHERIT_DEFAULT, 0);

	return bsdvm_map_fixed(map, PGA(10), PGA(30), &a); /* replaces across entries */
}

static int dry_protect(struct vm_map *map)
{
	return bsdvm_map_protect(map, PGA(2), PGA(5), VM_PROT_READ, VM_PROT_ALL,
	    BSDVM_PROTECT_SET_PROT);
}

static void dry_case(const char *name, dry_op_fn op)
{
	struct bsdvm_platform plat = *bsdvm_platform_default();
	struct bsdvm_map_params mp = { .min = MAP_LO, .max = MAP_HI, .platform = &plat };
	struct bsdvm_entry_attrs rw = attrs_of(VM_PROT_RW, VM_PROT_ALL, VM_INHERIT_DEFAULT, 0);
	struct vm_map *map;
	uint64_t k;
	int rv = KERN_RESOURCE_SHORTAGE;

	dry_base = bsdvm_platform_default();
	plat.alloc = dry_alloc;
	plat.alloc_aligned = NULL;
	plat.free_aligned = NULL;
	for (k = 0; k < K_MAX && rv == KERN_RESOURCE_SHORTAGE; k++) {
		char *before, *after;

		dry_armed = false;
		if (bsdvm_map_create(&mp, &map) != KERN_SUCCESS) {
			CHECK(!"map_create on the test platform");
			return;
		}
		must_insert(map, PGA(0), PGA(16), &rw);
		must_insert(map, PGA(20), PGA(40), &rw);
		bsdvm_map_set_entry_cache(map, 0);
		before = test_map_listing(map);
		dry_left = k;
		dry_armed = true;
		rv = op(map);
		dry_armed = false;
		after = test_map_listing(map);
		if (rv != KERN_SUCCESS) {
			CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
			if (strcmp(before, after) != 0) {
				CHECK(!"map changed by an operation that ran out of memory");
				fprintf(stderr, "%s, allocations from #%" PRIu64 " on fail:\n"
				    "before:\n%safter:\n%s", name, k + 1, before, after);
			}
		}
		CHECK_MAP(map);
		free(before);
		free(after);
		bsdvm_map_destroy(map);
	}
	CHECK_KERN(rv, KERN_SUCCESS);
	printf("  %-22s succeeds with %" PRIu64 " allocation%s; with fewer, unchanged\n", name,
	    k - 1, k - 1 == 1 ? "" : "s");
}

/* Every operation, failed at each of its allocation points in turn. */
static void all_cases(void)
{
	struct bsdvm_entry_attrs rw = attrs_of(VM_PROT_RW, VM_PROT_ALL, VM_INHERIT_DEFAULT, 0);
	struct bsdvm_entry_attrs r = attrs_of(VM_PROT_READ, VM_PROT_ALL, VM_INHERIT_DEFAULT, 0);
	struct bsdvm_entry_attrs share = attrs_of(VM_PROT_RW, VM_PROT_ALL, VM_INHERIT_SHARE, 0);
	struct range_ctx c;
	struct find_ctx f;

	c = rc_attrs(PGA(210), PGA(214), share);
	run_case("insert (merge both)", op_insert, &c, sizeof(c), expect_insert_merge_both);
	c = rc_attrs(PGA(16), PGA(20), rw);
	run_case("insert (merge left)", op_insert, &c, sizeof(c), expect_insert_merge_left);
	c = rc_attrs(PGA(50), PGA(52), r);
	run_case("insert (isolated)", op_insert, &c, sizeof(c), expect_insert_isolated);
	c = rc_attrs(PGA(56), PGA(60), r);
	run_case("insert_locked", op_insert_locked, &c, sizeof(c), expect_insert_isolated);

	memset(&f, 0, sizeof(f));
	f.req.length = 4 * PG;
	f.req.flags = BSDVM_SPACE_BOTTOMUP;
	f.attrs = rw;
	f.addr = BASE;
	run_case("find (bottom-up)", op_find, &f, sizeof(f), expect_find_first_hole);
	memset(&f, 0, sizeof(f));
	f.req.length = 8 * PG;
	f.req.flags = BSDVM_SPACE_TOPDOWN;
	f.attrs = attrs_of(VM_PROT_READ, VM_PROT_READ, VM_INHERIT_DEFAULT, 0);
	f.addr = 0;
	run_case("find (top-down)", op_find, &f, sizeof(f), expect_find_top);
	memset(&f, 0, sizeof(f));
	f.req.length = 8 * PG;
	f.req.align = 16 * PG;
	f.req.flags = BSDVM_SPACE_BOTTOMUP;
	f.attrs = r;
	f.addr = BASE;
	run_case("find (aligned)", op_find, &f, sizeof(f), expect_find_aligned);

	c = rc_attrs(PGA(30), PGA(70), rw);
	run_case("fixed (replace span)", op_fixed, &c, sizeof(c), expect_fixed_span);
	c = rc_attrs(PGA(130), PGA(140), r);
	run_case("fixed (into hole)", op_fixed, &c, sizeof(c), expect_fixed_hole);

	c = rc_range(PGA(4), PGA(8));
	run_case("delete (split 1->2)", op_delete, &c, sizeof(c), expect_delete_split);
	c = rc_range(PGA(10), PGA(70));
	run_case("delete (span)", op_delete, &c, sizeof(c), expect_delete_span);
	c = rc_range(PGA(22), PGA(26));
	run_case("delete_locked", op_delete_locked, &c, sizeof(c), expect_delete_locked);

	c = rc_range(PGA(4), PGA(8));
	c.prot = VM_PROT_READ;
	c.flags = BSDVM_PROTECT_SET_PROT;
	run_case("protect (split 1->3)", op_protect, &c, sizeof(c), expect_protect_split);
	c = rc_range(PGA(24), PGA(28));
	c.max = VM_PROT_READ;
	c.flags = BSDVM_PROTECT_SET_MAX;
	run_case("protect (max, 1->3)", op_protect, &c, sizeof(c), expect_protect_max);
	c = rc_range(PGA(40), PGA(44));
	c.prot = VM_PROT_READ;
	c.flags = BSDVM_PROTECT_SET_PROT;
	run_case("protect (split+merge)", op_protect, &c, sizeof(c), expect_protect_merge);
	c = rc_range(PGA(10), PGA(44));
	c.prot = VM_PROT_READ;
	c.max = VM_PROT_ALL;
	c.flags = BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX;
	run_case("protect (span)", op_protect, &c, sizeof(c), expect_protect_span);

	c = rc_range(PGA(4), PGA(8));
	c.value = VM_INHERIT_NONE;
	run_case("inherit (split 1->3)", op_inherit, &c, sizeof(c), expect_inherit_split);
	c = rc_range(PGA(4), PGA(8));
	c.value = BSDVM_MADV_RANDOM;
	run_case("madvise (split 1->3)", op_madvise, &c, sizeof(c), expect_madvise_split);
	c = rc_range(PGA(66), PGA(70));
	c.value = BSDVM_MADV_NOCORE;
	run_case("madvise NOCORE (1->3)", op_madvise, &c, sizeof(c), expect_madvise_flag);

	c = rc_range(PGA(6), 0);
	run_case("clip_start", op_clip_start, &c, sizeof(c), expect_clip_start);
	c = rc_range(PGA(25), PGA(30));
	run_case("clip_end", op_clip_end, &c, sizeof(c), expect_clip_end);

}

int main(int argc, char **argv)
{
	uint64_t seed = test_seed(argc, argv, 0x616c6c6f63ull);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), 0);
	printf("failure points per operation:\n");
	test_create();

	printf("persistent shortage (every allocation from the k-th on fails):\n");
	dry_case("stack (undo on guard)", dry_stack);
	dry_case("fixed (replace span)", dry_fixed);
	dry_case("protect (split 1->3)", dry_protect);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), 0);

	all_cases();
	map_flags = BSDVM_MAP_NO_ALIGN_INDEX;
	printf("again, the index keeping no aligned fits:\n");
	all_cases();
	map_flags = 0;
	printf("total: %u injected failure points\n", total_points);
	test_random(seed, 3000);
	map_flags = BSDVM_MAP_NO_ALIGN_INDEX;
	test_random(seed ^ 0x4149ull, 3000);
	map_flags = 0;
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), 0);
	return test_main_exit("test_map_alloc_fail");
}
