/*
 * test_map_wide_align.c - aligned searches for alignments above 65536
 * pages, in windows wide enough that the index keeps wide classes for
 * them (map_btree.h), checked against an interval model.
 *
 * The other findspace tests use page-array models of a few hundred
 * thousand pages, where a multiple of 2^17 pages is a rare event.  Here
 * the windows span 2^35 to 2^52 pages, and every insertion lands next to
 * a multiple of some large power of two, so that gaps straddling such
 * boundaries (the only gaps with a wide-class fit) are made, split,
 * merged and removed all the time:
 *
 *  - after every operation bsdvm_map_check() recomputes every cached fit,
 *    wide classes included, from the entries, and the map must list
 *    exactly the model's mapped ranges;
 *  - then random searches, bottom-up and top-down, with alignments from
 *    1 page to beyond the window (sometimes with an offset, sometimes
 *    bounded), must return the model's first fit address for address;
 *  - each shape is also run on a map created with BSDVM_MAP_NO_ALIGN_INDEX,
 *    which must answer the same.
 *
 * Usage: test_map_wide_align [seed]   (also $BSDVM_SEED; printed)
 */
#include <bsdvm/vm_map.h>

#include "testutil.h"

#define ULL(x) ((unsigned long long)(x))
#define MAXIV 4096    /* model capacity */
#define OPS 2500      /* operations per shape and kind of map */
#define FINDS 12      /* searches after each operation */

/* ---- the model: sorted, disjoint, non-touching mapped ranges ---- */

struct iv {
	bsdvm_addr_t s, e;
};

struct model {
	bsdvm_addr_t min, max;
	bsdvm_size_t pg;
	struct iv v[MAXIV];
	size_t n;
};

static bool model_free(const struct model *m, bsdvm_addr_t s, bsdvm_addr_t e)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].s < e && s < m->v[i].e)
			return false;
	return true;
}

/* Adds [s, e), merging with ranges it touches (the map may coalesce them
 * or not: only the free space matters to the searches and the listing is
 * compared as a union). */
static void model_add(struct model *m, bsdvm_addr_t s, bsdvm_addr_t e)
{
	size_t i = 0, j;

	while (i < m->n && m->v[i].e < s)
		i++;
	j = i;
	while (j < m->n && m->v[j].s <= e) {
		s = m->v[j].s < s ? m->v[j].s : s;
		e = m->v[j].e > e ? m->v[j].e : e;
		j++;
	}
	memmove(&m->v[i + 1], &m->v[j], (m->n - j) * sizeof(m->v[0]));
	m->n = m->n - (j - i) + 1;
	m->v[i].s = s;
	m->v[i].e = e;
}

static void model_del(struct model *m, bsdvm_addr_t s, bsdvm_addr_t e)
{
	struct iv out[MAXIV + 1];
	size_t k = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct iv a = m->v[i];

		if (a.e <= s || e <= a.s) {
			out[k++] = a;
			continue;
		}
		if (a.s < s)
			out[k++] = (struct iv){ a.s, s };
		if (e < a.e)
			out[k++] = (struct iv){ e, a.e };
	}
	memcpy(m->v, out, k * sizeof(out[0]));
	m->n = k;
}

/* Gap i of the model: i = 0 is below the first range, i = n above the
 * last; false when it is empty. */
static bool model_gap(const struct model *m, size_t i, bsdvm_addr_t *gs, bsdvm_addr_t *ge)
{
	*gs = i == 0 ? m->min : m->v[i - 1].e;
	*ge = i == m->n ? m->max : m->v[i].s;
	return *gs < *ge;
}

/* Least a' >= a with a' = off mod al; false past 2^64. */
static bool up_to(bsdvm_addr_t a, bsdvm_size_t al, bsdvm_addr_t off, bsdvm_addr_t *out)
{
	bsdvm_size_t r = (off - a) & (al - 1);

	if (a + r < a)
		return false;
	*out = a + r;
	return true;
}

/* What bsdvm_map_findspace must answer (map.h): bottom-up the lowest
 * start >= max(hint, min), top-down the highest <= hint (0: any), ending
 * at or below max_end when set; false for KERN_NO_SPACE. */
static bool model_find(const struct model *m, const struct bsdvm_space_req *q,
    bsdvm_addr_t *out)
{
	bsdvm_size_t al = q->align != 0 ? q->align : m->pg;
	bsdvm_addr_t hi_end = m->max, lo = m->min, hi;

	if (q->max_end != 0 && q->max_end < hi_end)
		hi_end = q->max_end;
	if (hi_end <= lo || q->length > hi_end - lo)
		return false;
	hi = hi_end - q->length; /* highest start */
	if (q->flags & BSDVM_SPACE_TOPDOWN) {
		if (q->hint != 0 && q->hint < hi)
			hi = q->hint;
		if (hi < lo)
			return false;
		for (size_t i = m->n + 1; i-- > 0;) {
			bsdvm_addr_t gs, ge, top;

			if (!model_gap(m, i, &gs, &ge) || ge - gs < q->length)
				continue;
			bsdvm_size_t r;

			top = ge - q->length < hi ? ge - q->length : hi;
			if (top < gs)
				continue;
			r = (top - q->align_offset) & (al - 1);
			if (top - gs >= r) {
				*out = top - r;
				return true;
			}
		}
		return false;
	}
	if (q->hint > lo)
		lo = q->hint;
	if (lo > hi)
		return false;
	for (size_t i = 0; i <= m->n; i++) {
		bsdvm_addr_t gs, ge, a;

		if (!model_gap(m, i, &gs, &ge) || ge <= lo)
			continue;
		if (!up_to(gs > lo ? gs : lo, al, q->align_offset, &a))
			return false;
		if (a > hi)
			return false;
		if (a < ge && ge - a >= q->length) {
			*out = a;
			return true;
		}
	}
	return false;
}

/* ---- the shapes ---- */

struct shape {
	const char *name;
	bsdvm_addr_t min, max;
	bsdvm_size_t pg;
};

static const struct shape shapes[] = {
	{ "47-bit, 4 KiB pages", 0x10000, 0x7ffffffff000ull, 4096 },
	{ "2^32..2^63, 4 KiB pages", (bsdvm_addr_t)1 << 32, (bsdvm_addr_t)1 << 63, 4096 },
	{ "whole 64-bit space, 64 KiB pages", 0, 0 - (bsdvm_addr_t)65536, 65536 },
	{ "32-bit guest, 4 KiB pages", 0x1000, (bsdvm_addr_t)1 << 32, 4096 },
};

/* log2 of the window's pages, rounded up: classes up to this are worth
 * asking for; a few past it too. */
static unsigned window_bits(const struct model *m)
{
	uint64_t pages = (m->max - m->min) / m->pg;
	unsigned lg = 0;

	while (lg < 63 && ((uint64_t)1 << lg) < pages)
		lg++;
	return lg;
}

/* A page boundary next to a multiple of a large power of two: where gaps
 * with wide-class fits begin and end. */
static bsdvm_addr_t near_boundary(struct test_rng *r, const struct model *m)
{
	unsigned wb = window_bits(m), c = 12 + (unsigned)rng_below(r, wb - 11);
	bsdvm_size_t step = m->pg << (c < wb ? c : wb - 1);
	uint64_t posts = (m->max - m->min) / step;
	bsdvm_addr_t a = (m->min + step - 1) / step * step;

	a += step * rng_below(r, posts + 1);
	a += m->pg * (rng_below(r, 9)) - m->pg * 4; /* within 4 pages either way */
	return a;
}

static bsdvm_size_t random_len(struct test_rng *r, const struct model *m)
{
	if (rng_below(r, 4) != 0)
		return m->pg * (1 + rng_below(r, 4));
	return m->pg << rng_below(r, window_bits(m) - 2); /* sometimes huge */
}

static void random_req(struct test_rng *r, const struct model *m, struct bsdvm_space_req *q)
{
	unsigned wb = window_bits(m);
	unsigned cls = rng_below(r, 3) == 0 ? (unsigned)rng_below(r, 17) :
	    16 + (unsigned)rng_below(r, wb - 14); /* up to two past the window */

	unsigned pshift = 0;

	while (((bsdvm_size_t)1 << pshift) < m->pg)
		pshift++;
	memset(q, 0, sizeof(*q));
	if (cls > 63 - pshift)
		cls = 63 - pshift; /* the largest alignment there is: 2^63 */
	q->length = random_len(r, m);
	q->align = cls == 0 ? 0 : m->pg << cls;
	if (cls > 1 && rng_below(r, 6) == 0)
		q->align_offset = (m->pg << rng_below(r, cls)) & (q->align - 1);
	q->flags = rng_below(r, 2) ? BSDVM_SPACE_TOPDOWN : BSDVM_SPACE_BOTTOMUP;
	switch (rng_below(r, 4)) {
	case 0:
		q->hint = 0;
		break;
	case 1:
		q->hint = near_boundary(r, m);
		break;
	default:
		q->hint = m->min + (rng_next(r) % ((m->max - m->min) / m->pg)) * m->pg;
	}
	if (rng_below(r, 8) == 0)
		q->max_end = near_boundary(r, m);
}

static int check_find(struct vm_map *map, const struct model *m, const struct bsdvm_space_req *q,
    uint64_t op)
{
	bsdvm_addr_t want = 0, got = 0xdead000;
	bool fits = model_find(m, q, &want);
	int rv = bsdvm_map_findspace(map, q, &got);

	if (fits ? rv == KERN_SUCCESS && got == want : rv == KERN_NO_SPACE)
		return 1;
	fprintf(stderr, "op %llu: findspace %s len %#llx align %#llx+%#llx hint %#llx "
	    "max_end %#llx: %s %#llx, the model %s %#llx\n", ULL(op),
	    (q->flags & BSDVM_SPACE_TOPDOWN) ? "down" : "up", ULL(q->length), ULL(q->align),
	    ULL(q->align_offset), ULL(q->hint), ULL(q->max_end), bsdvm_kern_name(rv), ULL(got),
	    fits ? "finds" : "finds nothing", ULL(want));
	return 0;
}

/* The map's entries, read in order, must cover exactly the model's ranges. */
static int check_listing(struct vm_map *map, const struct model *m)
{
	size_t i = 0;
	bsdvm_addr_t s = 0, e = 0;
	bool open = false, ok = true;

	bsdvm_map_lock_read(map);
	for (struct vm_map_entry *x = bsdvm_map_first(map); x != NULL && ok;
	     x = bsdvm_map_entry_succ(map, x)) {
		if (open && x->start == e) {
			e = x->end;
			continue;
		}
		if (open)
			ok = i < m->n && m->v[i].s == s && m->v[i++].e == e;
		s = x->start;
		e = x->end;
		open = true;
	}
	bsdvm_map_unlock_read(map);
	if (ok && open)
		ok = i < m->n && m->v[i].s == s && m->v[i++].e == e;
	return ok && i == m->n;
}

static void run_shape(const struct shape *sh, uint32_t flags, uint64_t seed)
{
	static struct model m;
	struct test_rng r;
	struct vm_map *map = test_map_new_flags(sh->min, sh->max, sh->pg, flags);
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(VM_PROT_READ, VM_PROT_ALL);
	char why[512];

	rng_init(&r, seed);
	memset(&m, 0, sizeof(m));
	m.min = sh->min;
	m.max = sh->max;
	m.pg = sh->pg;
	CHECK(map != NULL);
	if (map == NULL)
		return;
	for (uint64_t op = 0; op < OPS; op++) {
		bool del = m.n > 0 && (m.n >= MAXIV - 4 || rng_below(&r, 3) == 0);
		bsdvm_addr_t s;
		bsdvm_size_t len;
		int rv;

		if (del) {
			size_t i = (size_t)rng_below(&r, m.n);

			/* a piece of a range, all of it, or several */
			s = m.v[i].s + ((m.v[i].e - m.v[i].s) / m.pg > 1 && rng_below(&r, 2) ?
			    m.pg * rng_below(&r, (m.v[i].e - m.v[i].s) / m.pg) : 0);
			len = rng_below(&r, 4) == 0 && i + 1 < m.n ? m.v[i + 1].e - s :
			    m.v[i].e - s;
			rv = bsdvm_map_delete(map, s, s + len);
			CHECK_KERN(rv, KERN_SUCCESS);
			model_del(&m, s, s + len);
		} else {
			s = near_boundary(&r, &m);
			len = random_len(&r, &m);
			if (s < m.min || s >= m.max || len > m.max - s)
				continue;
			rv = bsdvm_map_insert(map, s, s + len, &a);
			if (model_free(&m, s, s + len)) {
				CHECK_KERN(rv, KERN_SUCCESS);
				if (rv == KERN_SUCCESS)
					model_add(&m, s, s + len);
			} else {
				CHECK_KERN(rv, KERN_NO_SPACE);
			}
		}
		if (!bsdvm_map_check(map, why, sizeof(why)) || !check_listing(map, &m)) {
			fprintf(stderr, "%s%s: op %llu (%s [%#llx, %#llx)): %s\n", sh->name,
			    flags ? " (no aligned fits)" : "", ULL(op), del ? "delete" : "insert",
			    ULL(s), ULL(s + len), why[0] ? why : "listing differs from the model");
			CHECK(false);
			break;
		}
		for (int k = 0; k < FINDS; k++) {
			struct bsdvm_space_req q;

			random_req(&r, &m, &q);
			if (!check_find(map, &m, &q, op)) {
				CHECK(false);
				op = OPS;
				break;
			}
		}
	}
	bsdvm_map_destroy(map);
}

/* The map from the benchmark's adversarial row, small: one one-page gap
 * at every odd multiple of 2^16 pages, entries everywhere else.  Every
 * gap holds a 2^16-aligned page and none a 2^17-aligned one, so the only
 * 2^17-aligned fit is above the last entry. */
static void t_odd_boundaries(uint32_t flags)
{
	const bsdvm_size_t pg = 4096, step = pg << 16;
	const bsdvm_addr_t base = (bsdvm_addr_t)1 << 40;
	const int n = 300;
	struct vm_map *map = test_map_new_flags(base, (bsdvm_addr_t)1 << 47, pg, flags);
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(VM_PROT_READ, VM_PROT_ALL);
	struct bsdvm_space_req q;
	bsdvm_addr_t got = 0, last = base;

	for (int i = 0; i < n; i++) {
		bsdvm_addr_t gap = base + (2 * (bsdvm_addr_t)i + 1) * step;

		CHECK_KERN(bsdvm_map_insert(map, last, gap, &a), KERN_SUCCESS);
		last = gap + pg;
	}
	CHECK_MAP(map);
	memset(&q, 0, sizeof(q));
	q.length = pg;
	q.align = step; /* class 16: the first gap */
	CHECK_KERN(bsdvm_map_findspace(map, &q, &got), KERN_SUCCESS);
	CHECK_EQ_U64(got, base + step);
	q.align = step * 2; /* class 17: above the last entry, which ends at last */
	CHECK_KERN(bsdvm_map_findspace(map, &q, &got), KERN_SUCCESS);
	CHECK_EQ_U64(got, (last + 2 * step - 1) / (2 * step) * (2 * step));
	q.flags = BSDVM_SPACE_TOPDOWN;
	q.hint = last - pg; /* below the top entry's end: nothing */
	CHECK_KERN(bsdvm_map_findspace(map, &q, &got), KERN_NO_SPACE);
	bsdvm_map_destroy(map);
}

int main(int argc, char **argv)
{
	uint64_t seed = test_seed(argc, argv, 20261122);

	t_odd_boundaries(0);
	t_odd_boundaries(BSDVM_MAP_NO_ALIGN_INDEX);
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		run_shape(&shapes[i], 0, seed + i);
		run_shape(&shapes[i], BSDVM_MAP_NO_ALIGN_INDEX, seed + i);
	}
	return test_main_exit("test_map_wide_align");
}
