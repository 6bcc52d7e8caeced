/*
 * test_map_index.c - the map index (the B+tree of src/map/map_btree.c) at
 * the depths the other tests never reach.
 *
 * The other map tests build maps of a hundred entries or so: a tree of
 * depth 2, where a split or a merge never climbs past the root and the gap
 * cursor never leaves its leaf's parent.  Here:
 *
 * The first big map and the first mixed run are created with
 * BSDVM_MAP_NO_ALIGN_INDEX, the others as maps are by default, keeping
 * aligned fits, so that those are checked (by bsdvm_map_check, from
 * scratch) through every split, merge, borrow and level change, and
 * aligned searches over them are compared with the model as everything
 * else is; and so that the plain index is too.
 *
 *  1. Three maps of BIG_N one-page entries, one page apart so that they
 *     never coalesce, built in ascending, descending and shuffled order
 *     (depth 5 at 40,000).  Every insertion is followed by O(1) checks: the
 *     depth never shrinks and stays within what 4..16 keys per node allow
 *     for the entry count, and the memory the platform holds is exactly
 *     the entries plus the index.
 *  2. Every page of each map is looked up, through both faces, and compared
 *     with a page model: a hit must give the entry's exact bounds, a miss
 *     the exact predecessor (NULL below the first entry).
 *  3. Free-space searches (first fit at or above a hint, highest fit at or
 *     below it, aligned, bounded) compared address for address with a
 *     linear scan of the model, after deleting a few entries so that
 *     2..4-page requests have holes to find far from most hints.
 *  4. Each map is then emptied one entry at a time (random, ascending,
 *     descending order), with lookups around every deletion, and every
 *     500 deletions and at the counts where nodes and levels fill or
 *     empty the whole map, the largest gap and a few searches; the depth
 *     must only fall, reach 0, and the index must give back every byte.
 *     Builds get the same checkpoints.
 *  5. A randomised mix of inserts, multi-entry deletes and protects on a
 *     300,000-page map against the model: it grows the tree to depth 5,
 *     churns it, then shrinks it to a leaf.  Every operation is followed
 *     by lookups around it and two searches that cross into the subtree
 *     it changed; every MIX_CHECK_EVERY operations, the whole map, 200
 *     random lookups and 16 random searches.
 *  6. Memory: with the entry cache at 0 the platform's live bytes above the
 *     empty map's must be nentries * sizeof(struct vm_map_entry) +
 *     index_bytes after every operation (with a cache, the difference may
 *     only be whole cached entries).
 *  7. Entries split and joined in place at every slot of a depth-3 tree
 *     (t_clip_join, below).
 *
 * Only the public API is used; what the index must look like (4..16 keys
 * per node, all leaves at one depth) is checked through index_depth and
 * index_bytes, the internals through bsdvm_map_check().
 *
 * Usage: test_map_index [seed [mixed-ops]]
 *   seed       replays a run exactly (also $BSDVM_SEED)
 *   mixed-ops  operations of the mixed phase (default MIX_OPS; more repeat
 *              its grow/churn/shrink cycle).  Its stream depends only on
 *              the seed, so a failure's printed op count replays it and
 *              stops right after the failing operation.
 * Environment: BSDVM_INDEX_TRACE=1 prints every mixed-phase operation.
 */
#include <bsdvm/vm_map.h>

#include "testutil.h"

#define PG ((bsdvm_size_t)4096)
#define NONE SIZE_MAX

/* Big maps: entry i is page 2i+1, so page 0 (the header's gap) and every
 * even page are one-page holes; TAIL free pages follow the last entry. */
#define BIG_N 40000
#define BIG_TAIL 48
#define BIG_MIN ((bsdvm_addr_t)1 << 31) /* aligned to every alignment asked */
#define BIG_WIDEN 48                     /* entries deleted to open 3-page holes */
#define BIG_PAIRS 4                      /* adjacent pairs deleted: 5-page holes */
#define BIG_FINDS 3000

/* The mixed phase. */
#define MIX_MIN ((bsdvm_addr_t)1 << 32)
#define MIX_PAGES 300000
#define MIX_STAGE 66000 /* ops per stage of the mixed phase (see t_mixed) */
#define MIX_OPS (3 * MIX_STAGE)
#define MIX_CHECK_EVERY 200
#define MIX_LOOKUPS 200
#define MIX_FINDS 16

#define CHECK_EVERY 500 /* whole-map checks while building or draining */

#define ULL(x) ((unsigned long long)(x))

/* ------------------------------------------------------------------ */
/* Failure reporting.  A failing EXPECT prints where the test was (phase,
 * operation number, range) and returns false, so that a phase stops at its
 * first mismatch instead of burying it under thousands of consequences. */

static struct {
	const char *phase;
	const char *op;
	uint64_t k;             /* operation number within the phase */
	bsdvm_addr_t a, b;      /* its range */
} where;

static uint64_t max_depth_seen;
static size_t node_size;    /* bytes of one index leaf, measured */
static size_t inner_size;   /* bytes of one inner node, measured */

static void set_where(const char *op, uint64_t k, bsdvm_addr_t a, bsdvm_addr_t b)
{
	where.op = op;
	where.k = k;
	where.a = a;
	where.b = b;
}

static void fail_at(int line, const char *cond)
{
	tu_failed++;
	fprintf(stderr, "%s:%d: CHECK failed: %s\n  during %s: %s #%llu [%#llx, %#llx)\n",
	    __FILE__, line, cond, where.phase != NULL ? where.phase : "-",
	    where.op != NULL ? where.op : "-", ULL(where.k), ULL(where.a), ULL(where.b));
}

/* The format must be a string literal. */
#define EXPECT(cond, ...)                                                        \
	do {                                                                     \
		if (cond) {                                                      \
			tu_passed++;                                             \
		} else {                                                         \
			fail_at(__LINE__, #cond);                                \
			fprintf(stderr, "  " __VA_ARGS__);                       \
			fputc('\n', stderr);                                     \
			return false;                                            \
		}                                                                \
	} while (0)

#define EXPECT_KERN(got, want)                                                   \
	do {                                                                     \
		int ek_g = (got), ek_w = (want);                                 \
		EXPECT(ek_g == ek_w, "%s returned %s, expected %s", #got,        \
		    bsdvm_kern_name(ek_g), bsdvm_kern_name(ek_w));               \
	} while (0)

/* ------------------------------------------------------------------ */
/* The model: one bit per page (mapped or not) and each mapped page's
 * protection.  Blocks of BLK_WORDS words keep a count of mapped pages so
 * that "the highest mapped page below p" skips empty stretches: the mixed
 * phase ends nearly empty and asks that of hundreds of random addresses. */

#define BLK_WORDS 64

struct model {
	bsdvm_addr_t min;
	size_t npages;
	uint64_t *bits;
	uint32_t *blkcnt;
	uint8_t *prot;
	size_t mapped;
};

static void model_init(struct model *m, bsdvm_addr_t min, size_t npages)
{
	size_t nw = (npages + 63) / 64;

	m->min = min;
	m->npages = npages;
	m->bits = calloc(nw, sizeof(*m->bits));
	m->blkcnt = calloc(nw / BLK_WORDS + 1, sizeof(*m->blkcnt));
	m->prot = calloc(npages, 1);
	m->mapped = 0;
	if (m->bits == NULL || m->blkcnt == NULL || m->prot == NULL) {
		fprintf(stderr, "model_init: out of memory\n");
		exit(2);
	}
}

static void model_fini(struct model *m)
{
	free(m->bits);
	free(m->blkcnt);
	free(m->prot);
}

static bsdvm_addr_t model_max(const struct model *m)
{
	return m->min + m->npages * PG;
}

static bsdvm_addr_t page_addr(const struct model *m, size_t p)
{
	return m->min + p * PG;
}

static bool model_mapped(const struct model *m, size_t p)
{
	return (m->bits[p / 64] >> (p % 64)) & 1;
}

static void model_map(struct model *m, size_t p, bsdvm_prot_t prot)
{
	if (!model_mapped(m, p)) {
		m->bits[p / 64] |= (uint64_t)1 << (p % 64);
		m->blkcnt[p / 64 / BLK_WORDS]++;
		m->mapped++;
	}
	m->prot[p] = prot;
}

static void model_unmap(struct model *m, size_t p)
{
	if (model_mapped(m, p)) {
		m->bits[p / 64] &= ~((uint64_t)1 << (p % 64));
		m->blkcnt[p / 64 / BLK_WORDS]--;
		m->mapped--;
	}
}

static int top_bit(uint64_t x)
{
	int r = 63;

	while (((x >> r) & 1) == 0)
		r--;
	return r;
}

/* Highest mapped page below p, or NONE. */
static size_t model_prev_mapped(const struct model *m, size_t p)
{
	size_t w;
	uint64_t bits;

	if (p == 0)
		return NONE;
	p--;
	w = p / 64;
	bits = m->bits[w] & (~(uint64_t)0 >> (63 - p % 64));
	for (;;) {
		if (bits != 0)
			return w * 64 + (size_t)top_bit(bits);
		if (w == 0)
			return NONE;
		w--;
		if ((w + 1) % BLK_WORDS == 0) {
			/* crossed into the block below: skip it if it is empty,
			 * and the ones below it too */
			size_t b = w / BLK_WORDS;

			while (m->blkcnt[b] == 0) {
				if (b == 0)
					return NONE;
				b--;
			}
			w = b * BLK_WORDS + BLK_WORDS - 1;
		}
		bits = m->bits[w];
	}
}

/* Lowest (first) or highest mapped page in [p, p + len), or NONE. */
static size_t model_mapped_in(const struct model *m, size_t p, size_t len, bool highest)
{
	for (size_t j = 0; j < len; j++) {
		size_t q = highest ? p + len - 1 - j : p + j;

		if (model_mapped(m, q))
			return q;
	}
	return NONE;
}

/* Bounds [*lo, *hi) of the run of mapped pages with p's protection around
 * mapped page p: what one entry covers when entries never touch. */
static void model_run(const struct model *m, size_t p, size_t *lo, size_t *hi)
{
	size_t a = p, b = p + 1;

	while (a > 0 && model_mapped(m, a - 1) && m->prot[a - 1] == m->prot[p])
		a--;
	while (b < m->npages && model_mapped(m, b) && m->prot[b] == m->prot[p])
		b++;
	*lo = a;
	*hi = b;
}

/* Number of such runs: the fewest entries the map can have. */
static size_t model_runs(const struct model *m)
{
	size_t n = 0;

	for (size_t p = 0; p < m->npages; p++)
		if (model_mapped(m, p) &&
		    (p == 0 || !model_mapped(m, p - 1) || m->prot[p - 1] != m->prot[p]))
			n++;
	return n;
}

/* Longest run of free pages, in bytes; whole empty or full words at once
 * (the mixed phase asks this of 300,000 pages every few hundred ops). */
static bsdvm_size_t model_largest_gap(const struct model *m)
{
	size_t best = 0, run = 0;

	for (size_t p = 0; p < m->npages;) {
		uint64_t w = m->bits[p / 64];

		if (p % 64 == 0 && p + 64 <= m->npages && (w == 0 || w == ~(uint64_t)0)) {
			run = w == 0 ? run + 64 : 0;
			p += 64;
		} else {
			run = (w >> (p % 64)) & 1 ? 0 : run + 1;
			p++;
		}
		best = run > best ? run : best;
	}
	return best * PG;
}

/* Page q with q = off (mod al), nearest at or above x / at or below x. */
static size_t align_up(size_t x, size_t al, size_t off)
{
	return x + (off + al - x % al) % al;
}

static bool align_down(size_t x, size_t al, size_t off, size_t *q)
{
	size_t d = (x % al + al - off) % al;

	if (x < d)
		return false;
	*q = x - d;
	return true;
}

/* Lowest aligned start in [lo, hi] with len free pages, or NONE.  A
 * candidate that covers a mapped page j moves past j: every start at or
 * below j would cover it too. */
static size_t model_fit_up(const struct model *m, size_t lo, size_t hi, size_t len,
    size_t al, size_t off)
{
	for (size_t q = align_up(lo, al, off); q <= hi;) {
		size_t j = model_mapped_in(m, q, len, true);

		if (j == NONE)
			return q;
		q = align_up(j + 1, al, off);
	}
	return NONE;
}

/* Highest aligned start in [0, hi] with len free pages, or NONE. */
static size_t model_fit_down(const struct model *m, size_t hi, size_t len, size_t al,
    size_t off)
{
	size_t q;

	if (!align_down(hi, al, off, &q))
		return NONE;
	for (;;) {
		size_t j = model_mapped_in(m, q, len, false);

		if (j == NONE)
			return q;
		if (j < len || !align_down(j - len, al, off, &q))
			return NONE;
	}
}

/* What bsdvm_map_findspace must answer, read from map.h: bottom-up, the
 * lowest start >= max(hint, min); top-down, the highest <= hint (0: the
 * top); both ending at or below max_end when that is set.  Alignment is
 * of the address, so the model's min must be aligned to req->align. */
static size_t model_findspace(const struct model *m, const struct bsdvm_space_req *req)
{
	size_t len = req->length / PG;
	size_t al = req->align != 0 ? req->align / PG : 1, off = req->align_offset / PG;
	size_t endp = m->npages, hi, lo = 0;

	if (req->max_end != 0 && req->max_end < model_max(m))
		endp = req->max_end <= m->min ? 0 : (req->max_end - m->min) / PG;
	if (len > endp)
		return NONE;
	hi = endp - len;
	if (req->flags & BSDVM_SPACE_TOPDOWN) {
		if (req->hint != 0) {
			if (req->hint < m->min)
				return NONE;
			if ((req->hint - m->min) / PG < hi)
				hi = (req->hint - m->min) / PG;
		}
		return model_fit_down(m, hi, len, al, off);
	}
	if (req->hint > m->min)
		lo = (req->hint - m->min) / PG;
	if (lo > hi)
		return NONE;
	return model_fit_up(m, lo, hi, len, al, off);
}

/* ------------------------------------------------------------------ */
/* Map helpers */

/* flags: 0 (the index keeps aligned fits) or BSDVM_MAP_NO_ALIGN_INDEX */
static struct vm_map *new_map(bsdvm_addr_t min, size_t npages, uint32_t flags)
{
	return test_map_new_flags(min, min + npages * PG, PG, flags);
}

static int insert_pages(struct vm_map *map, const struct model *m, size_t p, size_t n,
    bsdvm_prot_t prot)
{
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(prot, VM_PROT_ALL);

	return bsdvm_map_insert(map, page_addr(m, p), page_addr(m, p + n), &a);
}

static bool map_ok(struct vm_map *map)
{
	char why[512] = "";
	bool ok = bsdvm_map_check(map, why, sizeof(why));

	EXPECT(ok, "bsdvm_map_check: %s", why);
	return true;
}

/* Power of 16 or 4, as uint64 (exponents here stay far below overflow). */
static uint64_t upow(uint64_t b, uint64_t e)
{
	uint64_t r = 1;

	while (e-- > 0)
		r *= b;
	return r;
}

/*
 * The depth a B+tree with 4..16 keys per node may have for n entries: at
 * most 16^d entries fit in d levels, and with d >= 2 the root has at least
 * two children and every other node at least four, so there are at least
 * 2 * 4^(d-1).  A level too many or too few for the count breaks one
 * bound or the other (a root left with one child shows once the count
 * falls below the lower bound, or at once in bsdvm_map_check).
 */
static bool depth_fits(uint64_t n, uint64_t d)
{
	if (n == 0 || d == 0)
		return n == 0 && d == 0;
	if (d > 15)
		return false;
	return n <= upow(16, d) && (d == 1 || n >= 2 * upow(4, d - 1));
}

/*
 * O(1) checks after every mutation.  Memory: live bytes above the empty
 * map's are the entries plus the index; with a cache, plus at most
 * `cache` whole spare entries.  With no cache the index holds only its
 * nodes, so its bytes must fit the shape: at least one leaf per 16 entries
 * and an inner node per level above them, and (leaves and inner nodes
 * alike) at most one node per 4 entries with levels shrinking by 4 at
 * least (n/3 + depth), each no bigger than an inner node of a map that
 * keeps aligned fits (t_node_size measures that kind).
 */
static bool quick_checks(struct vm_map *map, const struct model *m, int64_t base,
    unsigned cache)
{
	struct bsdvm_map_stats st = test_map_stats(map);
	int64_t live = bsdvm_alloc_live_bytes() - base;
	int64_t accounted = (int64_t)(st.nentries * sizeof(struct vm_map_entry) + st.index_bytes);
	int64_t extra = live - accounted;

	EXPECT(st.size == m->mapped * PG, "size %#llx, model maps %zu pages", ULL(st.size),
	    m->mapped);
	EXPECT(depth_fits(st.nentries, st.index_depth), "depth %llu for %llu entries",
	    ULL(st.index_depth), ULL(st.nentries));
	EXPECT(extra >= 0 && extra % (int64_t)sizeof(struct vm_map_entry) == 0 &&
	    extra / (int64_t)sizeof(struct vm_map_entry) <= (int64_t)cache,
	    "live bytes %lld, entries + index %lld (%llu entries, index %llu bytes, cache %u)",
	    (long long)live, (long long)accounted, ULL(st.nentries), ULL(st.index_bytes), cache);
	if (cache == 0) {
		uint64_t lo = 0, hi = (st.nentries / 3 + st.index_depth) * inner_size;

		if (st.index_depth > 0)
			/* inner nodes are leaf-sized in a map without aligned
			 * fits, bigger in one with them */
			lo = (st.nentries + 15) / 16 * node_size + (st.index_depth - 1) * node_size;
		EXPECT(st.index_bytes >= lo && st.index_bytes <= hi,
		    "index of %llu bytes for %llu entries at depth %llu (leaf %zu, inner %zu bytes)",
		    ULL(st.index_bytes), ULL(st.nentries), ULL(st.index_depth), node_size,
		    inner_size);
	}
	if (st.index_depth > max_depth_seen)
		max_depth_seen = st.index_depth;
	return true;
}

/* The exact memory rule for a map that keeps a cache: drop the cache
 * (freeing spare entries and nodes), check, and restore it. */
static bool exact_memory(struct vm_map *map, const struct model *m, int64_t base,
    unsigned cache)
{
	bool ok;

	bsdvm_map_set_entry_cache(map, 0);
	ok = quick_checks(map, m, base, 0);
	bsdvm_map_set_entry_cache(map, cache);
	return ok;
}

/*
 * One lookup against the model (caller holds the read lock).  A hit must
 * be an entry whose every page the model maps with the same protection; a
 * miss must name the entry holding the highest mapped page below addr,
 * which must end right after that page, or NULL when there is none.  With
 * `exact`, an entry is exactly its run of same-protection pages (the big
 * maps, whose entries never touch).  Alternate calls go through the
 * FreeBSD face, which must answer the same.
 */
static bool check_lookup(struct vm_map *map, const struct model *m, bsdvm_addr_t addr,
    bool exact, bool freebsd_face)
{
	struct vm_map_entry *const poison = (struct vm_map_entry *)(void *)&where;
	struct vm_map_entry *e = poison;
	bool hit, want_hit;
	size_t q;

	if (freebsd_face) {
		vm_map_entry_t fe = poison;

		hit = vm_map_lookup_entry(map, addr, &fe) != 0;
		e = fe;
	} else {
		hit = bsdvm_map_lookup_entry(map, addr, &e);
	}
	if (addr < m->min) {
		want_hit = false;
		q = NONE;
	} else if (addr >= model_max(m)) {
		want_hit = false;
		q = model_prev_mapped(m, m->npages);
	} else {
		size_t p = (addr - m->min) / PG;

		want_hit = model_mapped(m, p);
		q = want_hit ? p : model_prev_mapped(m, p);
	}
	EXPECT(hit == want_hit, "lookup %#llx: %s, the model says %s", ULL(addr),
	    hit ? "hit" : "miss", want_hit ? "mapped" : "free");
	EXPECT(e != poison, "lookup %#llx left *entryp unset", ULL(addr));
	if (q == NONE) {
		EXPECT(e == NULL, "lookup %#llx: predecessor [%#llx, %#llx), the model has none",
		    ULL(addr), ULL(e->start), ULL(e->end));
		return true;
	}
	EXPECT(e != NULL, "lookup %#llx: no %s, the model has page %#llx", ULL(addr),
	    hit ? "entry" : "predecessor", ULL(page_addr(m, q)));
	EXPECT(e->start <= page_addr(m, q) && page_addr(m, q) < e->end,
	    "lookup %#llx: entry [%#llx, %#llx) does not hold page %#llx", ULL(addr),
	    ULL(e->start), ULL(e->end), ULL(page_addr(m, q)));
	if (!hit)
		EXPECT(e->end == page_addr(m, q + 1),
		    "lookup %#llx: predecessor [%#llx, %#llx) should end at %#llx", ULL(addr),
		    ULL(e->start), ULL(e->end), ULL(page_addr(m, q + 1)));
	EXPECT(e->protection == m->prot[q], "lookup %#llx: entry prot %u, model %u", ULL(addr),
	    e->protection, m->prot[q]);
	EXPECT(e->start >= m->min && e->end <= model_max(m) && e->start % PG == 0 &&
	    e->end % PG == 0, "lookup %#llx: entry [%#llx, %#llx) malformed", ULL(addr),
	    ULL(e->start), ULL(e->end));
	for (bsdvm_addr_t a = e->start; a < e->end; a += PG) {
		size_t p = (a - m->min) / PG;

		EXPECT(model_mapped(m, p) && m->prot[p] == e->protection,
		    "lookup %#llx: entry [%#llx, %#llx) covers page %#llx, which the model "
		    "has %s", ULL(addr), ULL(e->start), ULL(e->end), ULL(a),
		    model_mapped(m, p) ? "with another protection" : "free");
	}
	if (exact) {
		size_t lo, hi;

		model_run(m, q, &lo, &hi);
		EXPECT(e->start == page_addr(m, lo) && e->end == page_addr(m, hi),
		    "lookup %#llx: entry [%#llx, %#llx), expected [%#llx, %#llx)", ULL(addr),
		    ULL(e->start), ULL(e->end), ULL(page_addr(m, lo)), ULL(page_addr(m, hi)));
	}
	return true;
}

/* Lookups in pages p-1 .. p+2 (those inside the window), under the read
 * lock: around a change, where entries split, merge and move in the index. */
static bool lookups_near(struct vm_map *map, const struct model *m, size_t p, bool exact)
{
	bool ok = true;

	bsdvm_map_lock_read(map);
	for (size_t d = 0; d < 4 && ok; d++)
		if (p + d >= 1 && p + d - 1 < m->npages)
			ok = check_lookup(map, m, page_addr(m, p + d - 1) + (d * 1000) % PG, exact,
			    d % 2 != 0);
	bsdvm_map_unlock_read(map);
	return ok;
}

/*
 * Everything at once: the map's own check, both faces' check, the counts,
 * the largest gap, and a lookup in every page (at its start, middle or
 * last byte) plus around the window's edges.
 */
static bool verify_full(struct vm_map *map, const struct model *m, bool exact)
{
	struct bsdvm_map_stats st = test_map_stats(map);
	size_t runs = model_runs(m);
	const bsdvm_addr_t edges[] = { m->min - 1, model_max(m), model_max(m) + PG,
		~(bsdvm_addr_t)0 };
	uint64_t listed = 0;
	bool ok = true;

	if (!map_ok(map))
		return false;
	EXPECT(vm_map_check(map), "vm_map_check");
	EXPECT(st.largest_gap == model_largest_gap(m), "largest gap %#llx, model %#llx",
	    ULL(st.largest_gap), ULL(model_largest_gap(m)));
	EXPECT(bsdvm_map_largest_gap(map) == st.largest_gap, "largest_gap() %#llx",
	    ULL(bsdvm_map_largest_gap(map)));
	EXPECT(exact ? st.nentries == runs : st.nentries >= runs,
	    "%llu entries, the model has %zu runs", ULL(st.nentries), runs);
	bsdvm_map_lock_read(map);
	for (struct vm_map_entry *e = bsdvm_map_first(map); e != NULL;
	     e = bsdvm_map_entry_succ(map, e))
		listed++;
	for (size_t p = 0; p < m->npages && ok; p++)
		ok = check_lookup(map, m, page_addr(m, p) + (p % 3) * (PG / 2) - (p % 3 == 2),
		    exact, p % 2 != 0);
	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]) && ok; i++)
		ok = check_lookup(map, m, edges[i], exact, i % 2 != 0);
	bsdvm_map_unlock_read(map);
	if (!ok)
		return false;
	EXPECT(listed == st.nentries, "%llu entries listed, %llu counted", ULL(listed),
	    ULL(st.nentries));
	return true;
}

/* ------------------------------------------------------------------ */
/* Free-space searches */

static bool check_findspace(struct vm_map *map, const struct model *m,
    const struct bsdvm_space_req *req)
{
	bsdvm_addr_t got = 0xdeadbeef000;
	int rv = bsdvm_map_findspace(map, req, &got);
	size_t want = model_findspace(m, req);

	if (want == NONE)
		EXPECT(rv == KERN_NO_SPACE, "findspace %s hint %#llx len %#llx align %#llx+%#llx "
		    "max_end %#llx: %s at %#llx, the model finds no space",
		    (req->flags & BSDVM_SPACE_TOPDOWN) ? "down" : "up", ULL(req->hint),
		    ULL(req->length), ULL(req->align), ULL(req->align_offset),
		    ULL(req->max_end), bsdvm_kern_name(rv), ULL(got));
	else
		EXPECT(rv == KERN_SUCCESS && got == page_addr(m, want),
		    "findspace %s hint %#llx len %#llx align %#llx+%#llx max_end %#llx: "
		    "%s at %#llx, the model finds %#llx",
		    (req->flags & BSDVM_SPACE_TOPDOWN) ? "down" : "up", ULL(req->hint),
		    ULL(req->length), ULL(req->align), ULL(req->align_offset),
		    ULL(req->max_end), bsdvm_kern_name(rv), ULL(got), ULL(page_addr(m, want)));
	return true;
}

/* A hint: mostly a random page of the window, sometimes one of its edges
 * or outside it (0 is "the top" for top-down searches). */
static bsdvm_addr_t random_hint(struct test_rng *r, const struct model *m)
{
	switch (rng_below(r, 20)) {
	case 0:
		return 0;
	case 1:
		return m->min;
	case 2:
		return m->min - PG * (1 + rng_below(r, 4));
	case 3:
		return model_max(m) - PG;
	case 4:
		return model_max(m);
	default:
		return page_addr(m, rng_below(r, m->npages));
	}
}

/* n random requests of 1..maxlen pages: both directions, unaligned or
 * aligned to 2, 16 or 64 pages with a random offset, sometimes bounded. */
static bool findspace_round(struct vm_map *map, const struct model *m, struct test_rng *r,
    unsigned n, size_t maxlen)
{
	/* up to the widest class the mixed phase's window keeps (its 300,000
	 * pages keep classes 17 and 18, see map_btree.h), and one past it;
	 * test_map_wide_align covers wide classes in wide windows */
	static const size_t aligns[] = { 2, 16, 64, 4096, 65536, 131072, 262144, 524288 };

	for (unsigned i = 0; i < n; i++) {
		struct bsdvm_space_req req;

		memset(&req, 0, sizeof(req));
		req.length = (1 + rng_below(r, maxlen)) * PG;
		req.flags = rng_below(r, 2) ? BSDVM_SPACE_TOPDOWN : BSDVM_SPACE_BOTTOMUP;
		req.hint = random_hint(r, m);
		if (rng_below(r, 5) < 2) {
			size_t al = aligns[rng_below(r, sizeof(aligns) / sizeof(aligns[0]))];

			req.align = al * PG;
			req.align_offset = rng_below(r, 2) ? rng_below(r, al) * PG : 0;
		}
		if (rng_below(r, 6) == 0)
			req.max_end = page_addr(m, rng_below(r, m->npages + 1));
		if (!check_findspace(map, m, &req))
			return false;
	}
	return true;
}

/* Searches sized by the largest free gap: they steer by the inner nodes'
 * max-gap summaries all the way down, so a stale summary sends them to
 * the wrong gap or to none.  lg is the model's largest gap in bytes. */
static bool largest_gap_queries(struct vm_map *map, const struct model *m,
    struct test_rng *r, bsdvm_size_t lg)
{
	struct bsdvm_space_req req;

	if (lg == 0)
		return true;
	memset(&req, 0, sizeof(req));
	req.length = lg;
	req.flags = BSDVM_SPACE_BOTTOMUP;
	req.hint = page_addr(m, rng_below(r, m->npages));
	if (!check_findspace(map, m, &req))
		return false;
	req.flags = BSDVM_SPACE_TOPDOWN;
	req.hint = 0;
	if (!check_findspace(map, m, &req))
		return false;
	req.length = lg + PG; /* fits nowhere */
	req.flags = rng_below(r, 2) ? BSDVM_SPACE_TOPDOWN : BSDVM_SPACE_BOTTOMUP;
	return check_findspace(map, m, &req);
}

/* ------------------------------------------------------------------ */
/* Big maps: build, verify, search, drain */

enum order { ASCENDING, DESCENDING, RANDOM };
static const char *const order_name[] = { "ascending", "descending", "random" };

static void shuffle(size_t *v, size_t n, struct test_rng *r)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(r, i), t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

/* v[0..n) in the given order of the values given ascending. */
static void arrange(size_t *v, size_t n, enum order o, struct test_rng *r)
{
	if (o == DESCENDING)
		for (size_t i = 0; i < n / 2; i++) {
			size_t t = v[i];

			v[i] = v[n - 1 - i];
			v[n - 1 - i] = t;
		}
	else if (o == RANDOM)
		shuffle(v, n, r);
}

/* Counts where a node or a level fills or empties: the small trees of
 * the first splits and the last root collapses, and the neighbourhood of
 * each power of two (16^k is the most d levels hold, 2 * 4^(d-1) the
 * fewest). */
static bool near_boundary(uint64_t n)
{
	if (n <= 40)
		return true;
	for (uint64_t b = 64; b <= ((uint64_t)1 << 24); b <<= 1)
		if (n + 1 >= b && n <= b + 1)
			return true;
	return false;
}

/* The checkpoint of builds and drains: the whole map, and the gap
 * summaries, which lookups never read, through the largest gap and a few
 * searches of the tree as it is at that moment. */
static bool checkpoint(struct vm_map *map, const struct model *m, struct test_rng *r)
{
	struct bsdvm_map_stats st = test_map_stats(map);
	bsdvm_size_t lg = model_largest_gap(m);

	if (!map_ok(map))
		return false;
	EXPECT(st.largest_gap == lg, "largest gap %#llx, model %#llx", ULL(st.largest_gap),
	    ULL(lg));
	return largest_gap_queries(map, m, r, lg) && findspace_round(map, m, r, 8, 6);
}

/* One insertion of the build, with its O(1) checks; the whole map is
 * checked every CHECK_EVERY insertions and near node boundaries. */
static bool build_step(struct vm_map *map, struct model *m, struct test_rng *r, size_t k,
    size_t p, uint64_t *depth, int64_t base, unsigned cache)
{
	struct bsdvm_map_stats st;

	set_where("insert", k, page_addr(m, p), page_addr(m, p + 1));
	EXPECT_KERN(insert_pages(map, m, p, 1, VM_PROT_RW), KERN_SUCCESS);
	model_map(m, p, VM_PROT_RW);
	st = test_map_stats(map);
	EXPECT(st.nentries == k + 1, "%llu entries after %zu inserts", ULL(st.nentries), k + 1);
	EXPECT(st.index_depth >= *depth, "depth fell from %llu to %llu on insert",
	    ULL(*depth), ULL(st.index_depth));
	*depth = st.index_depth;
	if (!quick_checks(map, m, base, cache))
		return false;
	if ((k + 1) % CHECK_EVERY == 0 || near_boundary(k + 1))
		return checkpoint(map, m, r) && lookups_near(map, m, p, true);
	return true;
}

static bool big_build(struct vm_map *map, struct model *m, enum order o, struct test_rng *r,
    int64_t base, unsigned cache)
{
	size_t *idx = malloc(BIG_N * sizeof(*idx));
	uint64_t depth = 0;
	bool ok = true;

	if (idx == NULL)
		exit(2);
	for (size_t i = 0; i < BIG_N; i++)
		idx[i] = 2 * i + 1;
	arrange(idx, BIG_N, o, r);
	for (size_t k = 0; k < BIG_N && ok; k++)
		ok = build_step(map, m, r, k, idx[k], &depth, base, cache);
	free(idx);
	return ok;
}

/* Opens BIG_WIDEN 3-page holes and BIG_PAIRS 5-page ones by deleting
 * entries, at random: the only places a 2..4-page request fits besides
 * the tail, so most searches must cross many leaves to reach one. */
static bool big_widen(struct vm_map *map, struct model *m, struct test_rng *r, int64_t base,
    unsigned cache)
{
	for (unsigned k = 0; k < BIG_WIDEN + BIG_PAIRS; k++) {
		bool pair = k >= BIG_WIDEN;
		size_t i = (size_t)rng_below(r, BIG_N - 1), p = 2 * i + 1;
		size_t end = pair ? p + 3 : p + 1;

		set_where(pair ? "delete pair" : "delete one", k, page_addr(m, p),
		    page_addr(m, end));
		EXPECT_KERN(bsdvm_map_delete(map, page_addr(m, p), page_addr(m, end)),
		    KERN_SUCCESS);
		for (size_t q = p; q < end; q++)
			model_unmap(m, q);
		if (!quick_checks(map, m, base, cache) || !lookups_near(map, m, p, true))
			return false;
	}
	return map_ok(map);
}

/* One deletion of the drain, with its O(1) checks; the whole map is
 * checked every CHECK_EVERY deletions and near node boundaries.  The depth
 * may only fall; where it does is noted in *log. */
static bool drain_step(struct vm_map *map, struct model *m, struct test_rng *r, size_t k,
    size_t p, size_t left, uint64_t *depth, char *log, size_t logsize, int64_t base,
    unsigned cache)
{
	struct bsdvm_map_stats st;
	size_t used = strlen(log);

	set_where("drain delete", k, page_addr(m, p), page_addr(m, p + 1));
	EXPECT_KERN(bsdvm_map_delete(map, page_addr(m, p), page_addr(m, p + 1)), KERN_SUCCESS);
	model_unmap(m, p);
	st = test_map_stats(map);
	EXPECT(st.nentries == left, "%llu entries, %zu left", ULL(st.nentries), left);
	EXPECT(st.index_depth <= *depth, "depth grew from %llu to %llu on delete", ULL(*depth),
	    ULL(st.index_depth));
	if (st.index_depth < *depth && used < logsize)
		snprintf(log + used, logsize - used, ", %llu at %zu", ULL(st.index_depth), left);
	*depth = st.index_depth;
	if (!quick_checks(map, m, base, cache) || !lookups_near(map, m, p, true))
		return false;
	if (left % CHECK_EVERY == 0 || near_boundary(left))
		return checkpoint(map, m, r);
	return true;
}

/* Deletes the remaining entries one by one in order o.  The depth must
 * reach 0, and the index must then hold nothing. */
static bool big_drain(struct vm_map *map, struct model *m, enum order o, struct test_rng *r,
    int64_t base, unsigned cache)
{
	size_t n = 0, *pages = malloc((m->mapped + 1) * sizeof(*pages));
	uint64_t depth = test_map_stats(map).index_depth;
	char log[256];
	bool ok = true;

	if (pages == NULL)
		exit(2);
	snprintf(log, sizeof(log), "depth %llu", ULL(depth));
	for (size_t p = 0; p < m->npages; p++)
		if (model_mapped(m, p))
			pages[n++] = p;
	arrange(pages, n, o, r);
	for (size_t k = 0; k < n && ok; k++)
		ok = drain_step(map, m, r, k, pages[k], n - k - 1, &depth, log, sizeof(log),
		    base, cache);
	free(pages);
	if (!ok)
		return false;
	printf("  drain %s: %s entries\n", order_name[o], log);
	set_where("drained", n, 0, 0);
	EXPECT(depth == 0, "depth %llu with the map empty", ULL(depth));
	return verify_full(map, m, true);
}

/*
 * One big map: built in order `build`, checked, searched, widened,
 * searched again, drained in order `drain`.  cache 0 checks memory after
 * every operation exactly; a cache (the default 64) lets the index recycle
 * spare nodes, and the exact check is made after each of build, widening
 * and drain with the cache dropped to 0 for a moment.
 */
static void t_big(enum order build, enum order drain, unsigned cache, uint32_t flags,
    uint64_t seed)
{
	const size_t npages = 2 * BIG_N + BIG_TAIL;
	struct vm_map *map = new_map(BIG_MIN, npages, flags);
	struct model m;
	struct test_rng r;
	struct bsdvm_map_stats st;
	char phase[96];
	int64_t base;
	bool ok;

	snprintf(phase, sizeof(phase), "big map built %s, drained %s, cache %u%s",
	    order_name[build], order_name[drain], cache,
	    flags != 0 ? ", no aligned fits" : "");
	where.phase = phase;
	set_where("setup", 0, 0, 0);
	rng_init(&r, seed);
	model_init(&m, BIG_MIN, npages);
	bsdvm_map_set_entry_cache(map, 0);
	base = bsdvm_alloc_live_bytes();
	bsdvm_map_set_entry_cache(map, cache);

	ok = big_build(map, &m, build, &r, base, cache) && exact_memory(map, &m, base, cache);
	st = test_map_stats(map);
	printf("  built %s: %llu entries, depth %llu, index %llu bytes\n",
	    order_name[build], ULL(st.nentries), ULL(st.index_depth), ULL(st.index_bytes));
	if (ok) {
		CHECK(st.index_depth >= 4);
		/* appending fills nodes to 12 of 16 (3/4 splits on the right
		 * edge), where halving splits would leave 8: n/11 nodes in
		 * all against n/7; one in 12 or so of them is an inner node */
		if (build == ASCENDING && cache == 0)
			CHECK(st.index_bytes <= BIG_N / 10 * node_size);
		set_where("verify built", 0, 0, 0);
		ok = verify_full(map, &m, true);
	}
	if (ok) {
		set_where("findspace (one-page holes)", 0, 0, 0);
		ok = findspace_round(map, &m, &r, BIG_FINDS / 3, 2);
	}
	if (ok)
		ok = big_widen(map, &m, &r, base, cache) && exact_memory(map, &m, base, cache);
	if (ok) {
		set_where("verify widened", 0, 0, 0);
		ok = verify_full(map, &m, true);
	}
	if (ok) {
		set_where("findspace (widened holes)", 0, 0, 0);
		ok = findspace_round(map, &m, &r, BIG_FINDS, 4);
	}
	if (ok)
		ok = big_drain(map, &m, drain, &r, base, cache) &&
		    exact_memory(map, &m, base, cache);
	if (ok) {
		bsdvm_map_set_entry_cache(map, 0);
		set_where("empty, cache 0", 0, 0, 0);
		st = test_map_stats(map);
		CHECK_EQ_U64(st.nentries, 0);
		CHECK_EQ_U64(st.index_depth, 0);
		CHECK_EQ_U64(st.index_bytes, 0);
		CHECK_EQ_U64(bsdvm_alloc_live_bytes(), base);
	}
	CHECK(ok); /* a phase that stopped early has already said why */
	bsdvm_map_destroy(map);
	model_fini(&m);
}

/* ------------------------------------------------------------------ */
/* The mixed phase */

/* three protections, so that a neighbour matches (and merges) one time in three */
static const bsdvm_prot_t mix_prots[] = {
	VM_PROT_READ, VM_PROT_RW, VM_PROT_READ | VM_PROT_EXECUTE,
};

struct mix {
	struct vm_map *map;
	struct model m;
	struct test_rng r;
	int64_t base;
	unsigned cache;
	bool trace;
};

/*
 * Two searches that must cross into the part of the tree the operation at
 * page p just changed: bottom-up from up to 2048 pages below it, top-down
 * from up to 2048 above.  They leave their leaf and climb, trusting the
 * inner nodes' max-gap summaries of the changed subtree; a summary left
 * stale by the change (the next change in that leaf would repair it) is
 * found now or not at all.
 */
static bool mix_searches_near(struct mix *x, size_t p)
{
	struct bsdvm_space_req req;
	size_t below = (size_t)rng_below(&x->r, 2048), above = (size_t)rng_below(&x->r, 2048);

	memset(&req, 0, sizeof(req));
	req.length = (1 + rng_below(&x->r, 12)) * PG;
	req.flags = BSDVM_SPACE_BOTTOMUP;
	req.hint = page_addr(&x->m, p > below ? p - below : 0);
	if (!check_findspace(x->map, &x->m, &req))
		return false;
	req.flags = BSDVM_SPACE_TOPDOWN;
	req.hint = page_addr(&x->m, p + above < MIX_PAGES ? p + above : MIX_PAGES - 1);
	return check_findspace(x->map, &x->m, &req);
}

/* Inserts 1-4 pages at a random place.  Where it is taken, usually slide
 * up to a free run nearby (the map must grow); otherwise try anyway: the
 * engine must refuse with KERN_NO_SPACE and change nothing. */
static bool mix_insert(struct mix *x, uint64_t k)
{
	size_t len = 1 + (size_t)rng_below(&x->r, 4);
	size_t p = (size_t)rng_below(&x->r, MIX_PAGES - len + 1);
	bsdvm_prot_t prot = mix_prots[rng_below(&x->r, 3)];
	bool free_run = model_mapped_in(&x->m, p, len, false) == NONE;

	if (!free_run && rng_below(&x->r, 4) != 0)
		for (size_t q = p + 1; q < p + 64 && q + len <= MIX_PAGES; q++)
			if (model_mapped_in(&x->m, q, len, false) == NONE) {
				p = q;
				free_run = true;
				break;
			}
	set_where("insert", k, page_addr(&x->m, p), page_addr(&x->m, p + len));
	if (x->trace)
		printf("%llu insert [%#llx,%#llx) prot %u\n", ULL(k), ULL(where.a), ULL(where.b),
		    prot);
	EXPECT_KERN(insert_pages(x->map, &x->m, p, len, prot),
	    free_run ? KERN_SUCCESS : KERN_NO_SPACE);
	if (free_run)
		for (size_t q = p; q < p + len; q++)
			model_map(&x->m, q, prot);
	return lookups_near(x->map, &x->m, p, false) &&
	    lookups_near(x->map, &x->m, p + len - 1, false) && mix_searches_near(x, p);
}

/* Deletes or protects a random range (which may span many entries, or
 * none); maxlen pages at most. */
static bool mix_range(struct mix *x, uint64_t k, bool protect, size_t maxlen)
{
	size_t p = (size_t)rng_below(&x->r, MIX_PAGES);
	size_t len = 1 + (size_t)rng_below(&x->r, maxlen);
	bsdvm_prot_t prot = mix_prots[rng_below(&x->r, 3)];
	bsdvm_addr_t a, b;

	if (p + len > MIX_PAGES)
		len = MIX_PAGES - p;
	a = page_addr(&x->m, p);
	b = page_addr(&x->m, p + len);
	set_where(protect ? "protect" : "delete", k, a, b);
	if (x->trace)
		printf("%llu %s [%#llx,%#llx) prot %u\n", ULL(k), where.op, ULL(a), ULL(b), prot);
	if (protect) {
		EXPECT_KERN(bsdvm_map_protect(x->map, a, b, prot, 0, BSDVM_PROTECT_SET_PROT),
		    KERN_SUCCESS);
		for (size_t q = p; q < p + len; q++)
			if (model_mapped(&x->m, q))
				x->m.prot[q] = prot;
	} else {
		EXPECT_KERN(bsdvm_map_delete(x->map, a, b), KERN_SUCCESS);
		for (size_t q = p; q < p + len; q++)
			model_unmap(&x->m, q);
	}
	/* the pages on either side of both ends: where clipping, merging
	 * and the index's key updates happen */
	return lookups_near(x->map, &x->m, p, false) &&
	    lookups_near(x->map, &x->m, p + len - 1, false) && mix_searches_near(x, p);
}

/* The periodic check: the whole map, random lookups, a few searches, and
 * every fourth time the largest gap against the model and the searches
 * sized by it (O(pages); they catch a stale gap summary that the few
 * random searches happen to miss). */
static bool mix_check(struct mix *x, unsigned round)
{
	bool ok = true;

	if (!map_ok(x->map))
		return false;
	bsdvm_map_lock_read(x->map);
	for (unsigned i = 0; i < MIX_LOOKUPS && ok; i++) {
		bsdvm_addr_t a = page_addr(&x->m, rng_below(&x->r, MIX_PAGES)) +
		    rng_below(&x->r, PG);

		ok = check_lookup(x->map, &x->m, a, false, i % 2 != 0);
	}
	bsdvm_map_unlock_read(x->map);
	if (!ok || !findspace_round(x->map, &x->m, &x->r, MIX_FINDS, 8))
		return false;
	if (round % 4 == 0) {
		struct bsdvm_map_stats st = test_map_stats(x->map);
		bsdvm_size_t lg = model_largest_gap(&x->m);

		EXPECT(st.largest_gap == lg, "largest gap %#llx, model %#llx", ULL(st.largest_gap),
		    ULL(lg));
		return largest_gap_queries(x->map, &x->m, &x->r, lg);
	}
	return true;
}

/*
 * Stages of MIX_STAGE operations, cycling: growth (mostly inserts: the
 * tree reaches depth 5), churn (balanced, with a 64-entry cache so that
 * the index recycles spare nodes), shrinking (mostly long deletes, and
 * inserts tapering from 20% to none, so that the tree collapses level by
 * level while protects still split and merge; the last quarter inserts
 * nothing and takes it down to a leaf or less).  The stream depends only
 * on the seed: nops only says where it stops.  Then everything is deleted
 * at once.
 */
static void t_mixed(uint64_t seed, uint64_t nops, uint32_t flags)
{
	static const unsigned del_pct[] = { 10, 25, 50 };
	static const size_t del_len[] = { 16, 32, 256 };
	struct mix x;
	struct bsdvm_map_stats st;
	uint64_t k, depth_after[3] = { 0, 0, 0 }, max_entries = 0, max_depth = 0;
	unsigned round = 0;
	bool ok = true;
	const char *tr = getenv("BSDVM_INDEX_TRACE");

	where.phase = flags != 0 ? "mixed, no aligned fits" : "mixed";
	set_where("setup", 0, 0, 0);
	memset(&x, 0, sizeof(x));
	x.trace = tr != NULL && *tr != '\0' && *tr != '0';
	rng_init(&x.r, seed ^ 0x4444444444444444ull);
	model_init(&x.m, MIX_MIN, MIX_PAGES);
	x.map = new_map(MIX_MIN, MIX_PAGES, flags);
	bsdvm_map_set_entry_cache(x.map, 0);
	x.base = bsdvm_alloc_live_bytes();

	for (k = 0; k < nops && ok; k++) {
		uint64_t pos = k % MIX_STAGE;
		unsigned stage = (unsigned)(k / MIX_STAGE % 3);
		unsigned roll = (unsigned)rng_below(&x.r, 100);
		unsigned cache = stage == 1 ? 64 : 0;
		/* shrinking: inserts taper to none at 3/4 of the stage, so that
		 * the last quarter takes the tree down to a leaf or nothing */
		unsigned ins = stage == 0 ? 60 : stage == 1 ? 45 :
		    pos >= MIX_STAGE / 4 * 3 ? 0 :
		    (unsigned)(20 * (MIX_STAGE / 4 * 3 - pos) / (MIX_STAGE / 4 * 3));

		if (cache != x.cache) {
			/* stage change: exact memory first, then the new cache */
			bsdvm_map_set_entry_cache(x.map, 0);
			x.cache = 0;
			set_where("stage change", k, 0, 0);
			ok = quick_checks(x.map, &x.m, x.base, 0);
			x.cache = cache;
			bsdvm_map_set_entry_cache(x.map, cache);
			if (!ok)
				break;
		}
		if (roll < ins)
			ok = mix_insert(&x, k);
		else if (roll < ins + del_pct[stage])
			ok = mix_range(&x, k, false, del_len[stage]);
		else
			ok = mix_range(&x, k, true, 64);
		ok = ok && quick_checks(x.map, &x.m, x.base, x.cache);
		st = test_map_stats(x.map);
		max_entries = st.nentries > max_entries ? st.nentries : max_entries;
		max_depth = st.index_depth > max_depth ? st.index_depth : max_depth;
		depth_after[stage] = st.index_depth;
		if (ok && (k + 1) % MIX_CHECK_EVERY == 0)
			ok = mix_check(&x, round++);
		if (ok && pos == MIX_STAGE - 1) {
			set_where("verify stage end", k, 0, 0);
			ok = verify_full(x.map, &x.m, false);
		}
	}
	if (!ok) {
		fprintf(stderr, "  mixed phase stopped at op %llu; replay just that far with: "
		    "test_map_index %llu %llu (BSDVM_INDEX_TRACE=1 lists the ops)\n",
		    ULL(where.k), ULL(seed), ULL(where.k + 1));
		CHECK(ok);
	} else {
		printf("  mixed: %llu ops, up to %llu entries, depth up to %llu; depth after "
		    "growth %llu, churn %llu, shrinking %llu\n", ULL(nops), ULL(max_entries),
		    ULL(max_depth), ULL(depth_after[0]), ULL(depth_after[1]), ULL(depth_after[2]));
		/* a full growth stage must build a deep tree, or the run tested
		 * little of what it is for */
		if (nops >= MIX_STAGE)
			CHECK(max_depth >= 4);
		set_where("verify end", nops, 0, 0);
		CHECK(verify_full(x.map, &x.m, false));
		set_where("delete all", nops, MIX_MIN, model_max(&x.m));
		bsdvm_map_set_entry_cache(x.map, 0);
		CHECK_KERN(bsdvm_map_delete(x.map, MIX_MIN, model_max(&x.m)), KERN_SUCCESS);
		for (size_t p = 0; p < MIX_PAGES; p++)
			model_unmap(&x.m, p);
		st = test_map_stats(x.map);
		CHECK_EQ_U64(st.nentries, 0);
		CHECK_EQ_U64(st.index_depth, 0);
		CHECK_EQ_U64(st.index_bytes, 0);
		CHECK_EQ_U64(bsdvm_alloc_live_bytes(), x.base);
		CHECK(verify_full(x.map, &x.m, true));
	}
	bsdvm_map_destroy(x.map);
	model_fini(&x.m);
}

/* ------------------------------------------------------------------ */

/*
 * The size of one index node, measured: one entry in an empty map with no
 * cache holds exactly one node.  Also the smallest case of the memory
 * rule, and of the index giving everything back.
 */
/*
 * 7. Splits and joins in place (bt_split_slot, bt_join_slots): CJ_N
 *    touching 4-page entries of alternating protection (nothing merges),
 *    a tree of depth 3.  Every entry in turn has its middle protected away
 *    and back (1 -> 3 -> 1, at every slot of every leaf, full leaves
 *    included), then every third entry takes its neighbours' protection,
 *    so the three join, whether they share a leaf or not; then the joined
 *    entries are split again at the old bounds.  bsdvm_map_check after
 *    every call, and the entry count each call must leave.
 */
#define CJ_N 700

static bool cj_protect(struct vm_map *map, bsdvm_addr_t a, bsdvm_addr_t b, bsdvm_prot_t prot,
    uint64_t want_entries)
{
	set_where("protect", want_entries, a, b);
	EXPECT(bsdvm_map_protect(map, a, b, prot, 0, BSDVM_PROTECT_SET_PROT) == KERN_SUCCESS,
	    "protect failed");
	EXPECT(test_map_stats(map).nentries == want_entries, "%llu entries, want %llu",
	    ULL(test_map_stats(map).nentries), ULL(want_entries));
	return map_ok(map);
}

static void t_clip_join(uint32_t flags)
{
	struct vm_map *map = new_map(BIG_MIN, 4 * CJ_N, flags);
	uint64_t n = CJ_N;

	where.phase = flags != 0 ? "clip and join (no aligned fits)" : "clip and join";
	for (uint64_t i = 0; i < CJ_N; i++) {
		struct bsdvm_entry_attrs at = bsdvm_attrs_anon(i % 2 ? VM_PROT_READ : VM_PROT_RW,
		    VM_PROT_ALL);
		bsdvm_addr_t a = BIG_MIN + 4 * i * PG;

		set_where("insert", i, a, a + 4 * PG);
		CHECK_KERN(bsdvm_map_insert(map, a, a + 4 * PG, &at), KERN_SUCCESS);
	}
	CHECK(test_map_stats(map).index_depth == 3);
	for (uint64_t i = 0; i < CJ_N; i++) {
		bsdvm_addr_t a = BIG_MIN + 4 * i * PG;
		bsdvm_prot_t own = i % 2 ? VM_PROT_READ : VM_PROT_RW;

		if (!cj_protect(map, a + PG, a + 3 * PG, VM_PROT_NONE, n + 2) ||
		    !cj_protect(map, a + PG, a + 3 * PG, own, n))
			goto out;
	}
	for (uint64_t i = 1; i + 1 < CJ_N; i += 3) {
		bsdvm_addr_t a = BIG_MIN + 4 * i * PG;

		/* i - 1 and i + 1 have the other protection */
		n -= 2;
		if (!cj_protect(map, a, a + 4 * PG, i % 2 ? VM_PROT_RW : VM_PROT_READ, n))
			goto out;
	}
	for (uint64_t i = 1; i + 1 < CJ_N; i += 3) {
		bsdvm_addr_t a = BIG_MIN + 4 * i * PG;

		n += 2;
		if (!cj_protect(map, a, a + 4 * PG, i % 2 ? VM_PROT_READ : VM_PROT_RW, n))
			goto out;
	}
out:
	bsdvm_map_destroy(map);
}

static void t_node_size(void)
{
	struct vm_map *map = new_map(BIG_MIN, 64, 0);
	struct bsdvm_entry_attrs attrs = bsdvm_attrs_anon(VM_PROT_READ, VM_PROT_ALL);
	int64_t base;
	struct bsdvm_map_stats st;

	where.phase = "node size";
	bsdvm_map_set_entry_cache(map, 0);
	base = bsdvm_alloc_live_bytes();
	CHECK_EQ_U64(test_map_stats(map).index_bytes, 0);
	CHECK_KERN(bsdvm_map_insert(map, BIG_MIN + PG, BIG_MIN + 2 * PG, &attrs), KERN_SUCCESS);
	st = test_map_stats(map);
	CHECK_EQ_U64(st.nentries, 1);
	CHECK_EQ_U64(st.index_depth, 1);
	CHECK(st.index_bytes > 0);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes() - base,
	    sizeof(struct vm_map_entry) + st.index_bytes);
	node_size = st.index_bytes > 0 ? (size_t)st.index_bytes : 1;
	/* 16 more, a page apart: 17 keys split the root leaf in two under a
	 * new inner root */
	for (int i = 1; i <= 16; i++)
		CHECK_KERN(bsdvm_map_insert(map, BIG_MIN + (2 * i + 1) * PG,
		    BIG_MIN + (2 * i + 2) * PG, &attrs), KERN_SUCCESS);
	st = test_map_stats(map);
	CHECK_EQ_U64(st.index_depth, 2);
	CHECK(st.index_bytes >= 3 * node_size);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes() - base,
	    17 * sizeof(struct vm_map_entry) + st.index_bytes);
	inner_size = st.index_bytes > 2 * node_size ? (size_t)(st.index_bytes - 2 * node_size) : 1;
	CHECK(inner_size >= node_size);
	CHECK_KERN(bsdvm_map_delete(map, BIG_MIN, BIG_MIN + 64 * PG), KERN_SUCCESS);
	st = test_map_stats(map);
	CHECK_EQ_U64(st.index_depth, 0);
	CHECK_EQ_U64(st.index_bytes, 0);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), base);
	bsdvm_map_destroy(map);
}

int main(int argc, char **argv)
{
	uint64_t seed = test_seed(argc, argv, 20250611);
	uint64_t nops = argc > 2 ? strtoull(argv[2], NULL, 0) : MIX_OPS;
	int64_t live0 = bsdvm_alloc_live_bytes();

	t_node_size();
	t_clip_join(BSDVM_MAP_NO_ALIGN_INDEX);
	t_clip_join(0);
	/* every build order and every drain order once; the shuffled build
	 * keeps the default cache so that spare nodes get recycled */
	t_big(ASCENDING, RANDOM, 0, BSDVM_MAP_NO_ALIGN_INDEX, seed ^ 0x1111111111111111ull);
	t_big(DESCENDING, ASCENDING, 0, 0, seed ^ 0x2222222222222222ull);
	t_big(RANDOM, DESCENDING, 64, 0, seed ^ 0x3333333333333333ull);
	t_mixed(seed, nops, BSDVM_MAP_NO_ALIGN_INDEX);
	t_mixed(seed ^ 0x5555555555555555ull, nops, 0);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live0);
	printf("deepest index: %llu levels\n", ULL(max_depth_seen));
	return test_main_exit("test_map_index");
}
