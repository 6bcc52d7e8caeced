/*
 * map_fits.c - computing and combining the summaries the index keeps per
 * child (map_fits.h): from a leaf's gaps, from an inner node's children,
 * and incrementally, from the one slot that changed.
 *
 * Everything is in pages and in lanes: class j's delta in lane j - 1.
 * A delta is at most 2^j - 1 <= 65535 pages, so sixteen unsigned bits
 * hold it; the candidates combined here saturate there (see below).  When
 * one summary's largest gap is more than 65535 pages below another's, its
 * fits cannot reach the other's (each fit is within 2^j - 1 pages of its
 * gap), so it is skipped rather than added.
 */
#include <string.h>

#include "map/map_fits.h"

#if BT_ALIGN_CLASSES != 16
#error "the lanes are sixteen unsigned 16-bit deltas"
#endif

#define SPAN_PAGES 65535 /* 2^BT_ALIGN_CLASSES - 1: every delta is at most this */
#define LANE_CAP 65535   /* what a lane saturates at */

/* ---- lanes ----
 *
 * Sums saturate at LANE_CAP: a lane holds min(true value, LANE_CAP).  That
 * is enough, because every delta a summary keeps, the least of its
 * candidates, is at most 2^16 - 1 = LANE_CAP, and capping each candidate
 * at a bound the least one never exceeds leaves the least one unchanged:
 * min(min(a, C), min(b, C)) = min(a, b) when min(a, b) <= C. */

#if defined(__SSE2__) && !defined(BSDVM_NO_VECTOR)
#define MASK(k) (short)((1u << (k)) - 1)

static inline __m128i lane_mask(int k)
{
	return k == 0 ? _mm_setr_epi16(MASK(1), MASK(2), MASK(3), MASK(4), MASK(5),
			    MASK(6), MASK(7), MASK(8)) :
			_mm_setr_epi16(MASK(9), MASK(10), MASK(11), MASK(12), MASK(13),
			    MASK(14), MASK(15), MASK(16));
}

/* unsigned min: a less what a exceeds b by */
static inline __m128i min_u16(__m128i a, __m128i b)
{
	return _mm_sub_epi16(a, _mm_subs_epu16(a, b));
}

/* all ones where a <= b (unsigned): a exceeds b by nothing */
static inline __m128i le_u16(__m128i a, __m128i b)
{
	return _mm_cmpeq_epi16(_mm_subs_epu16(a, b), _mm_setzero_si128());
}

static inline void lanes_fill(bt_lanes_t *a, uint16_t v)
{
	a->h[0] = a->h[1] = _mm_set1_epi16((short)v);
}

/* a = min(a, b + (r & mask)): a gap r pages below a boundary of every
 * class, b pages shorter than the largest */
static inline void lanes_lower(bt_lanes_t *a, uint16_t b, uint16_t r)
{
	__m128i vb = _mm_set1_epi16((short)b), vr = _mm_set1_epi16((short)r);

	for (int k = 0; k < 2; k++)
		a->h[k] = min_u16(a->h[k], _mm_adds_epu16(vb, _mm_and_si128(vr, lane_mask(k))));
}

/* a = min(a, b + d): deltas d of a summary whose gap is b pages below */
static inline void lanes_lower_by(bt_lanes_t *a, uint16_t b, const bt_lanes_t *d)
{
	__m128i vb = _mm_set1_epi16((short)b);

	for (int k = 0; k < 2; k++)
		a->h[k] = min_u16(a->h[k], _mm_adds_epu16(vb, d->h[k]));
}

/* a = d + b */
static inline void lanes_add(bt_lanes_t *a, const bt_lanes_t *d, uint16_t b)
{
	__m128i vb = _mm_set1_epi16((short)b);

	for (int k = 0; k < 2; k++)
		a->h[k] = _mm_adds_epu16(d->h[k], vb);
}

static inline void lanes_min(bt_lanes_t *a, const bt_lanes_t *b)
{
	for (int k = 0; k < 2; k++)
		a->h[k] = min_u16(a->h[k], b->h[k]);
}

/* whether a <= b in some lane */
static inline bool lanes_any_le(const bt_lanes_t *a, const bt_lanes_t *b)
{
	return _mm_movemask_epi8(_mm_or_si128(le_u16(a->h[0], b->h[0]),
	    le_u16(a->h[1], b->h[1]))) != 0;
}

/* whether, in some lane, a <= b while d != v */
static inline bool lanes_any_le_unless(const bt_lanes_t *a, const bt_lanes_t *b,
    const bt_lanes_t *d, uint16_t v)
{
	__m128i vv = _mm_set1_epi16((short)v), m = _mm_setzero_si128();

	for (int k = 0; k < 2; k++)
		m = _mm_or_si128(m, _mm_andnot_si128(_mm_cmpeq_epi16(d->h[k], vv),
		    le_u16(a->h[k], b->h[k])));
	return _mm_movemask_epi8(m) != 0;
}

/* whether, in some lane, n > c while o == c: a maximum that only o
 * reached, and that n does not reach */
static inline bool lanes_any_fell(const bt_lanes_t *n, const bt_lanes_t *c,
    const bt_lanes_t *o)
{
	__m128i m = _mm_setzero_si128();

	for (int k = 0; k < 2; k++)
		m = _mm_or_si128(m, _mm_andnot_si128(le_u16(n->h[k], c->h[k]),
		    _mm_cmpeq_epi16(o->h[k], c->h[k])));
	return _mm_movemask_epi8(m) != 0;
}

static inline void lanes_load(bt_lanes_t *a, const uint16_t *p)
{
	a->h[0] = _mm_loadu_si128((const __m128i *)(const void *)p);
	a->h[1] = _mm_loadu_si128((const __m128i *)(const void *)(p + 8));
}

static inline void lanes_store(uint16_t *p, const bt_lanes_t *a)
{
	_mm_storeu_si128((__m128i *)(void *)p, a->h[0]);
	_mm_storeu_si128((__m128i *)(void *)(p + 8), a->h[1]);
}

/* the last lane: class 16's delta */
static inline uint16_t lanes_top(const bt_lanes_t *a)
{
	return (uint16_t)_mm_extract_epi16(a->h[1], 7);
}
#else
static inline uint16_t lane_mask(int j)
{
	return (uint16_t)((1u << (j + 1)) - 1);
}

static inline uint16_t lane_add(uint16_t a, uint32_t b)
{
	uint32_t s = a + b;

	return (uint16_t)(s < LANE_CAP ? s : LANE_CAP);
}

static inline uint16_t lane_min(uint16_t a, uint16_t c)
{
	return c < a ? c : a;
}

static inline void lanes_fill(bt_lanes_t *a, uint16_t v)
{
	for (int j = 0; j < BT_LANES; j++)
		a->v[j] = v;
}

static inline void lanes_lower(bt_lanes_t *a, uint16_t b, uint16_t r)
{
	for (int j = 0; j < BT_LANES; j++)
		a->v[j] = lane_min(a->v[j], lane_add(b, r & lane_mask(j)));
}

static inline void lanes_lower_by(bt_lanes_t *a, uint16_t b, const bt_lanes_t *d)
{
	for (int j = 0; j < BT_LANES; j++)
		a->v[j] = lane_min(a->v[j], lane_add(b, d->v[j]));
}

static inline void lanes_add(bt_lanes_t *a, const bt_lanes_t *d, uint16_t b)
{
	for (int j = 0; j < BT_LANES; j++)
		a->v[j] = lane_add(d->v[j], b);
}

static inline void lanes_min(bt_lanes_t *a, const bt_lanes_t *b)
{
	for (int j = 0; j < BT_LANES; j++)
		a->v[j] = lane_min(a->v[j], b->v[j]);
}

static inline bool lanes_any_le(const bt_lanes_t *a, const bt_lanes_t *b)
{
	for (int j = 0; j < BT_LANES; j++)
		if (a->v[j] <= b->v[j])
			return true;
	return false;
}

static inline bool lanes_any_le_unless(const bt_lanes_t *a, const bt_lanes_t *b,
    const bt_lanes_t *d, uint16_t v)
{
	for (int j = 0; j < BT_LANES; j++)
		if (a->v[j] <= b->v[j] && d->v[j] != v)
			return true;
	return false;
}

static inline bool lanes_any_fell(const bt_lanes_t *n, const bt_lanes_t *c,
    const bt_lanes_t *o)
{
	for (int j = 0; j < BT_LANES; j++)
		if (n->v[j] > c->v[j] && o->v[j] == c->v[j])
			return true;
	return false;
}

static inline void lanes_load(bt_lanes_t *a, const uint16_t *p)
{
	memcpy(a->v, p, sizeof(a->v));
}

static inline void lanes_store(uint16_t *p, const bt_lanes_t *a)
{
	memcpy(p, a->v, sizeof(a->v));
}

static inline uint16_t lanes_top(const bt_lanes_t *a)
{
	return a->v[BT_LANES - 1];
}
#endif

/* ---- wide classes ----
 *
 * Plain byte counts, class 17 + k at [k], the first wn of them not 0
 * (map_btree.h).  No lanes here: most summaries have none to combine. */

#define WIDE_FIRST_MASK ((((uint64_t)1) << (BT_ALIGN_CLASSES + 1)) - 1) /* 2^17 - 1 pages */

/* s gains the wide fits of a gap of hp pages whose start is rp pages
 * below a boundary of every class (as in leaf_sum).  Class j fits
 * hp - (rp mod 2^j) pages, or nothing once that is not positive, and
 * rp mod 2^j only grows with j: so the first class that fits nothing
 * ends the gap's fits. */
static void wide_add_gap(unsigned nbig, unsigned ps, uint64_t hp, uint64_t rp, struct bt_sum *s)
{
	for (unsigned k = 0; k < nbig; k++) {
		uint64_t r = rp & ((((uint64_t)2) << (BT_ALIGN_CLASSES + k)) - 1);
		bsdvm_size_t f;

		if (hp <= r)
			return;
		f = (hp - r) << ps;
		if (k == s->wn) {
			s->w[k] = f;
			s->wn = k + 1;
		} else if (f > s->w[k]) {
			s->w[k] = f;
		}
	}
}

/* How many wide classes, from 17 up, a gap of hp pages starting rp pages
 * below a boundary of every class fits (as wide_add_gap, without the
 * fits themselves).  A gap of 2^(16 + nbig) pages or more fits them all. */
static unsigned wide_count(unsigned nbig, uint64_t hp, uint64_t rp)
{
	unsigned k = 0;

	if (nbig == 0 || hp >> (BT_ALIGN_CLASSES + nbig) != 0)
		return nbig;
	while (k < nbig && hp > (rp & ((((uint64_t)2) << (BT_ALIGN_CLASSES + k)) - 1)))
		k++;
	return k;
}

/* A leaf's summary carries only the count of the wide classes it fits,
 * which is all its parent keeps (map_btree.h); the fits read as 0. */
static void wide_count_only(struct bt_sum *s, unsigned wn)
{
	s->wn = wn;
	memset(s->w, 0, wn * sizeof(s->w[0]));
}

/* s's wide fits become the larger of its own and those of w[0..n). */
static void wide_max_of(struct bt_sum *s, const bsdvm_size_t *w, unsigned n)
{
	unsigned k;

	for (k = 0; k < n && k < s->wn; k++)
		s->w[k] = w[k] > s->w[k] ? w[k] : s->w[k];
	for (; k < n; k++)
		s->w[k] = w[k];
	if (n > s->wn)
		s->wn = n;
}

/* s gains the wide fits of leaf x's gaps. */
static void leaf_wide(const struct bt_node *x, struct bt_sum *s)
{
	unsigned ps = x->pshift;

	for (int i = 0; i < x->n; i++) {
		bsdvm_addr_t gs = x->u.l.s[i].end;
		uint64_t hp = (bt_gap_end(x, i) - gs) >> ps, rp = (0 - gs) >> ps;

		if (hp > (rp & WIDE_FIRST_MASK))
			wide_add_gap(x->nbig, ps, hp, rp, s);
	}
}

/* The wide fits of inner node x: the largest of its children's rows, or,
 * in a low node, of the gaps of the leaves that fit some wide class (the
 * others cannot raise any).  Children with wn = 0 are not even read. */
static void inner_wide(const struct bt_node *x, struct bt_sum *out)
{
	out->wn = 0;
	if (x->nbig == 0)
		return;
	for (int i = 0; i < x->n; i++) {
		unsigned n = bt_cwn(x)[i];

		if (n == 0)
			continue;
		if (x->low)
			leaf_wide(x->u.i.child[i], out);
		else
			wide_max_of(out, bt_cwrow(x->u.i.child[i]), n);
	}
}

/* Whether some wide maximum of cur was reached by old, the slot's value
 * before the change, and is not by new, its value now: then only a pass
 * over all slots can tell what it fell to.  (Not for low nodes, which do
 * not keep their leaves' fits.) */
static bool wide_fell(const struct bt_sum *cur, const struct bt_sum *old,
    const struct bt_sum *new)
{
	for (unsigned k = 0; k < old->wn; k++) {
		if (k >= cur->wn || old->w[k] >= cur->w[k])
			if (k >= new->wn || new->w[k] < old->w[k])
				return true;
	}
	return false;
}

/* ---- whole nodes ---- */

/*
 * A leaf: the largest gap G and each class's delta.  A gap of
 * h pages whose start is r pages below a boundary of class j
 * (r = (-start / page) mod 2^j) fits h - r pages there, or nothing when
 * h <= r; so its delta against G is (G - h) + r, and one that fits nothing
 * gets a delta of at least G, which G's own gap never exceeds.  The delta
 * of class j is the least over the gaps, and is below 2^j (G's gap alone
 * gives r < 2^j, or G <= r when it fits nothing).
 *
 * A gap can lower no delta when G - h >= 2^16 - 1, or when it fits no
 * class at all (h <= r mod 2: r only grows with the class); it is skipped.
 * Each other gap lowers all sixteen lanes at once with an and, an add and
 * a min: no branch on alignment, no rounding that could overflow at the top
 * of the address space.
 */
static void leaf_sum(const struct bt_node *x, bool wide, struct bt_sum *out)
{
	unsigned ps = x->pshift;
	uint64_t hp[BT_SLOTS], rp[BT_SLOTS], gp = 0;
	unsigned cand = 0; /* the slots whose gap fits some class */
	int n = x->n;

	for (int s = 0; s < n; s++) {
		bsdvm_addr_t gs = x->u.l.s[s].end;

		hp[s] = (bt_gap_end(x, s) - gs) >> ps;
		rp[s] = (0 - gs) >> ps;
		gp = hp[s] > gp ? hp[s] : gp;
		cand |= (unsigned)(hp[s] > (rp[s] & 1)) << s;
	}
	out->g = gp << ps;
	out->wn = 0;
	lanes_fill(&out->d, (uint16_t)(gp < LANE_CAP ? gp : LANE_CAP));
	while (cand != 0) {
		int s = (int)map_ctz(cand);
		uint64_t base = gp - hp[s];

		cand &= cand - 1;
		if (base < SPAN_PAGES)
			lanes_lower(&out->d, (uint16_t)base, (uint16_t)(rp[s] & SPAN_PAGES));
	}
	if (wide && x->nbig != 0 && (gp > LANE_CAP || lanes_top(&out->d) < gp)) {
		/* some gap fits class 16, so one may fit class 17 (most leaves
		 * have none that fits either, and skip this) */
		unsigned wn = 0;

		for (int s = 0; s < n && wn < x->nbig; s++) {
			unsigned c = wide_count(x->nbig, hp[s], rp[s]);

			wn = c > wn ? c : wn;
		}
		wide_count_only(out, wn);
	}
}

/* An inner node that keeps fits: each class's delta against the largest
 * gap is the least of its children's, each raised by how far that child's
 * gap is below the largest. */
static void inner_lanes(const struct bt_node *x, struct bt_sum *out)
{
	unsigned ps = x->pshift;
	bsdvm_size_t g = bt_node_max_gap(x);

	out->g = g;
	lanes_fill(&out->d, LANE_CAP);
	for (int i = 0; i < x->n; i++) {
		uint64_t base = (g - x->u.i.gap[i]) >> ps;
		bt_lanes_t d;

		if (base >= SPAN_PAGES)
			continue;
		lanes_load(&d, bt_cafit(x)[i]);
		lanes_lower_by(&out->d, (uint16_t)base, &d);
	}
}

void bt_sum_of_node(const struct bt_node *c, bool fits, bool wide, struct bt_sum *out)
{
	if (!fits) {
		out->g = bt_node_max_gap(c);
		lanes_fill(&out->d, 0); /* unused, but never left undefined */
		out->wn = 0;
	} else if (c->leaf) {
		leaf_sum(c, wide, out);
	} else {
		inner_lanes(c, out);
		out->wn = 0;
		if (wide)
			inner_wide(c, out);
	}
}

/* ---- combining summaries ---- */

/* t's largest gap is more than SPAN_PAGES below s's: each of t's maxima
 * is below s's. */
static inline bool far_below(const struct bt_node *x, const struct bt_sum *t,
    const struct bt_sum *s)
{
	return t->g < s->g && (s->g - t->g) >> x->pshift > SPAN_PAGES;
}

/* How many pages a gap of g is below top, when a summary's lanes can take
 * it (top - g <= SPAN_PAGES: callers rule out the rest). */
static inline uint16_t pages_below(const struct bt_node *x, bsdvm_size_t top, bsdvm_size_t g)
{
	return (uint16_t)((top - g) >> x->pshift);
}

void bt_sum_of_gap(const struct bt_node *x, bsdvm_addr_t gs, bsdvm_addr_t ge, bool wide,
    struct bt_sum *out)
{
	uint64_t hp = (ge - gs) >> x->pshift, r = (0 - gs) >> x->pshift;

	out->g = ge - gs;
	out->wn = 0;
	lanes_fill(&out->d, 0);
	if (!x->fits)
		return;
	/* class j: r mod 2^j when the gap is longer than that, else all of it */
	lanes_fill(&out->d, (uint16_t)(hp < LANE_CAP ? hp : LANE_CAP));
	lanes_lower(&out->d, 0, (uint16_t)(r & SPAN_PAGES));
	if (wide)
		wide_count_only(out, wide_count(x->nbig, hp, r));
}

/* s's gap and lanes become those of a node holding the gaps of both s
 * and t (a map that keeps fits). */
static void lanes_max(const struct bt_node *x, struct bt_sum *s, const struct bt_sum *t)
{
	bt_lanes_t dt;

	if (far_below(x, t, s))
		return;
	if (far_below(x, s, t)) {
		s->g = t->g;
		s->d = t->d;
		return;
	}
	/* both within SPAN_PAGES of the larger: deltas against it */
	if (t->g > s->g) {
		lanes_add(&s->d, &s->d, pages_below(x, t->g, s->g));
		s->g = t->g;
	}
	lanes_add(&dt, &t->d, pages_below(x, s->g, t->g));
	lanes_min(&s->d, &dt);
}

void bt_sum_max(const struct bt_node *x, struct bt_sum *s, const struct bt_sum *t)
{
	if (!x->fits) {
		s->g = t->g > s->g ? t->g : s->g;
		return;
	}
	/* wide fits are not tied to the largest gap: always combined */
	wide_max_of(s, t->w, t->wn);
	lanes_max(x, s, t);
}

/* A class in which t fits nothing (its delta is its whole gap) cannot
 * lower s's maximum there either, even when that maximum is 0 too: at
 * large alignments most gaps fit nothing, and without this a leaf losing
 * any of them would look as if its maximum might fall. */
bool bt_sum_below(const struct bt_node *x, const struct bt_sum *t, const struct bt_sum *s)
{
	uint64_t hp = t->g >> x->pshift;
	bt_lanes_t dt;

	if (t->g >= s->g)
		return false;
	/* s is a leaf's, whose wide fits its parent does not keep: a gap
	 * that fit a wide class may have been the one that did */
	if (t->wn != 0)
		return false;
	if (!x->fits || far_below(x, t, s))
		return true;
	lanes_add(&dt, &t->d, pages_below(x, s->g, t->g));
	if (hp > LANE_CAP)
		return !lanes_any_le(&dt, &s->d); /* above every r: fits in every class */
	return !lanes_any_le_unless(&dt, &s->d, &t->d, (uint16_t)hp);
}

/*
 * A maximum can only rise to the new value, or stay, unless it fell with
 * the old value, which may have been the only one to reach it.  Only then
 * (in any class, or for the gap itself) are all of c's slots read again.
 * Deltas are compared against T, the larger of the cached and the new
 * gap; an old one too far below T to fit the lanes is capped, which is
 * safe: such a slot cannot have been the only one at a maximum that the
 * new value does not reach (the new value is within SPAN_PAGES of T).
 *
 * This is the lanes' half: it sets out's gap and deltas only.
 */
static void lanes_update(const struct bt_node *c, const struct bt_sum *cur,
    const struct bt_sum *old, const struct bt_sum *new, struct bt_sum *out)
{
	bsdvm_size_t top;
	bt_lanes_t dc, dn, dold;

	if (far_below(c, cur, new)) {
		out->g = new->g; /* new tops every other slot in every class */
		out->d = new->d;
		return;
	}
	if (far_below(c, old, cur)) {
		out->g = cur->g; /* old reached no maximum */
		out->d = cur->d;
		lanes_max(c, out, new);
		return;
	}
	if (new->g < cur->g && old->g == cur->g) {
		inner_lanes(c, out); /* the largest gap may have fallen */
		return;
	}
	top = new->g > cur->g ? new->g : cur->g;
	lanes_add(&dc, &cur->d, pages_below(c, top, cur->g));
	if (far_below(c, new, cur))
		lanes_fill(&dn, LANE_CAP);
	else
		lanes_add(&dn, &new->d, pages_below(c, top, new->g));
	if ((top - old->g) >> c->pshift > SPAN_PAGES)
		lanes_fill(&dold, LANE_CAP);
	else
		lanes_add(&dold, &old->d, pages_below(c, top, old->g));
	if (lanes_any_fell(&dn, &dc, &dold)) {
		inner_lanes(c, out);
		return;
	}
	out->g = top;
	out->d = dc;
	lanes_min(&out->d, &dn);
}

/* The wide fits follow the same rule, on their own: they are not tied to
 * the largest gap, so none of the lanes' shortcuts apply to them.  A low
 * node keeps no fits for its leaves, so when the leaf that changed fit a
 * wide class before or fits one now, its row is read from the leaves
 * again (those that fit one: usually only this leaf). */
void bt_sum_update(const struct bt_node *c, const struct bt_sum *cur, const struct bt_sum *old,
    const struct bt_sum *new, struct bt_sum *out, bool wide)
{
	lanes_update(c, cur, old, new, out);
	if (!wide) {
		out->wn = 0;
		return;
	}
	if (c->low ? (old->wn | new->wn) != 0 : wide_fell(cur, old, new)) {
		inner_wide(c, out);
		return;
	}
	out->wn = 0;
	wide_max_of(out, cur->w, cur->wn);
	if (!c->low)
		wide_max_of(out, new->w, new->wn);
}

/* ---- what parents cache ---- */

void bt_sum_load(const struct bt_node *x, int i, struct bt_sum *out, bool wide)
{
	out->g = x->u.i.gap[i];
	out->wn = 0;
	if (!x->fits) {
		lanes_fill(&out->d, 0);
		return;
	}
	lanes_load(&out->d, bt_cafit(x)[i]);
	if (!wide)
		return;
	out->wn = bt_cwn(x)[i];
	/* a leaf's fits are not kept, only how many classes it fits: the
	 * values read as 0, and no caller uses them (map_fits.h) */
	if (out->wn != 0 && !x->low)
		memcpy(out->w, bt_cwrow(x->u.i.child[i]), out->wn * sizeof(out->w[0]));
	else if (out->wn != 0)
		memset(out->w, 0, out->wn * sizeof(out->w[0]));
}

bool bt_sum_store(struct bt_node *x, int i, const struct bt_sum *s, bool wide)
{
	bool changed = x->u.i.gap[i] != s->g;

	x->u.i.gap[i] = s->g;
	if (x->fits) {
		uint16_t d[BT_ALIGN_CLASSES];

		lanes_store(d, &s->d);
		changed = changed || memcmp(d, bt_afit(x)[i], sizeof(d)) != 0;
		memcpy(bt_afit(x)[i], d, sizeof(d));
	}
	if (wide && x->fits && (bt_wn(x)[i] | s->wn) != 0) {
		if (x->low) {
			/* the leaf's fits are not kept here, so whether they
			 * changed is unknown: the walk up must go on to where
			 * this node's row is read again */
			changed = true;
		} else {
			bsdvm_size_t *w = bt_wrow(x->u.i.child[i]);

			changed = changed || bt_wn(x)[i] != s->wn ||
			    memcmp(w, s->w, s->wn * sizeof(s->w[0])) != 0;
			memcpy(w, s->w, s->wn * sizeof(s->w[0]));
		}
		bt_wn(x)[i] = (uint8_t)s->wn;
	}
	return changed;
}
