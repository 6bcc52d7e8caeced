/*
 * map_fits.h - the summaries an inner index node keeps for each child:
 * the largest gap below it and, in maps that keep aligned fits, the
 * largest fit of every alignment class (map_btree.h says what a fit is
 * and why the index keeps them).  map_fits.c computes and combines them;
 * map_btree.c decides when.
 *
 * A class's fit is stored as its delta below the largest gap, in pages:
 * the largest gap G under a child holds an aligned fit of at least
 * G - (A - page), so class j's delta is below 2^j pages, and all sixteen
 * fit in unsigned sixteen-bit lanes.  Working on all sixteen lanes at
 * once, in two SSE2 registers on x86-64, is what keeps the summaries cheap
 * enough for every map to keep them.
 */
#ifndef BSDVM_MAP_FITS_H
#define BSDVM_MAP_FITS_H

#include <string.h>

#include "map/map_btree.h"

/* Lane k is class k + 1: sixteen classes in sixteen unsigned 16-bit
 * lanes, two SSE2 registers. */
#define BT_LANES BT_ALIGN_CLASSES

#if defined(__SSE2__) && !defined(BSDVM_NO_VECTOR)
#include <emmintrin.h>
typedef struct {
	__m128i h[2];
} bt_lanes_t;
#else
/* other targets, and builds with BSDVM_NO_VECTOR (which the test script
 * uses to check this path), get plain loops */
typedef struct {
	uint16_t v[BT_LANES];
} bt_lanes_t;
#endif

/* A child's summary: its largest gap, and (in a map that keeps fits) the
 * deltas of its classes' largest fits against that gap, in pages, and
 * the fits of the wide classes the map keeps (map_btree.h): wn of them
 * are not 0, and only those are meaningful here (the rest are 0 by
 * definition, and are neither copied nor read).  Copy with bt_sum_copy,
 * which moves only those.  One exception: a leaf's summary has wn but not
 * the fits (they read as 0), which nobody keeps; the functions below
 * that take such a summary say how they treat it. */
struct bt_sum {
	bsdvm_size_t g;
	bt_lanes_t d;
	unsigned wn;
	bsdvm_size_t w[BT_WIDE_MAX];
};

static inline void bt_sum_zero(struct bt_sum *s)
{
	memset(&s->d, 0, sizeof(s->d));
	s->g = 0;
	s->wn = 0;
}

static inline void bt_sum_copy(struct bt_sum *dst, const struct bt_sum *src)
{
	dst->g = src->g;
	dst->d = src->d;
	dst->wn = src->wn;
	for (unsigned k = 0; k < src->wn; k++)
		dst->w[k] = src->w[k];
}

/* Summary of node c, for a parent that keeps fits or not.  A leaf's has
 * only the count of its wide fits, as its parent keeps it. */
void bt_sum_of_node(const struct bt_node *c, bool fits, bool wide, struct bt_sum *out);
/* Summary of a leaf holding the one gap [gs, ge), as a leaf's (count
 * only); x is the leaf's parent (for the page size and whether it keeps
 * fits). */
void bt_sum_of_gap(const struct bt_node *x, bsdvm_addr_t gs, bsdvm_addr_t ge, bool wide,
    struct bt_sum *out);
/* s becomes the summary of a node holding the gaps of both s and t.  When
 * s is a leaf's as its parent caches it, only the count of the result's
 * wide fits is right, which is all that parent keeps. */
void bt_sum_max(const struct bt_node *x, struct bt_sum *s, const struct bt_sum *t);
/* Whether every maximum of t, the gap and each fit, is below s's, or is a
 * fit of nothing: then a node summarised by s that loses a gap summarised
 * by t keeps s.  t must come from bt_sum_of_gap, s is a leaf's as its
 * parent caches it: a t that fits a wide class is never below it. */
bool bt_sum_below(const struct bt_node *x, const struct bt_sum *t, const struct bt_sum *s);
/* Inner node c's summary after one of its slots changed from old to new,
 * given cur, the summary cached for it before (for a low node old needs
 * no wide fits, only their count).  c must keep fits: maps
 * without them are walked on gaps alone (map_btree.c, fix_up_gaps). */
void bt_sum_update(const struct bt_node *c, const struct bt_sum *cur, const struct bt_sum *old,
    const struct bt_sum *new, struct bt_sum *out, bool wide);

/* What inner node x caches for child i. */
void bt_sum_load(const struct bt_node *x, int i, struct bt_sum *out, bool wide);
/* Caches s for child i of x; returns whether that changed anything. */
bool bt_sum_store(struct bt_node *x, int i, const struct bt_sum *s, bool wide);

/*
 * The wide argument of these and of bt_sum_of_node and bt_sum_of_gap:
 * false when the change
 * being walked up is known to leave every wide fit as it was (see
 * bt_wide_kept in map_btree.h), so the wide part is neither read, nor
 * combined, nor stored (a load leaves out's wn 0).  Appending to a map,
 * which cuts the top of its last gap, is the common case: the wide fits
 * of that gap sit at its first boundary of 2^17 pages or more, far above.
 */

#endif /* BSDVM_MAP_FITS_H */
