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
 * deltas of its classes' largest fits against that gap, in pages. */
struct bt_sum {
	bsdvm_size_t g;
	bt_lanes_t d;
};

/* Summary of node c, for a parent that keeps fits or not. */
void bt_sum_of_node(const struct bt_node *c, bool fits, struct bt_sum *out);
/* Summary of a node holding the one gap [gs, ge); x is an inner node of
 * the map (for the page size and whether it keeps fits). */
void bt_sum_of_gap(const struct bt_node *x, bsdvm_addr_t gs, bsdvm_addr_t ge,
    struct bt_sum *out);
/* s becomes the summary of a node holding the gaps of both s and t. */
void bt_sum_max(const struct bt_node *x, struct bt_sum *s, const struct bt_sum *t);
/* Whether every maximum of t, the gap and each fit, is below s's, or is a
 * fit of nothing: then a node summarised by s that loses a gap summarised
 * by t keeps s.  t must come from bt_sum_of_gap. */
bool bt_sum_below(const struct bt_node *x, const struct bt_sum *t, const struct bt_sum *s);
/* Inner node c's summary after one of its slots changed from old to new,
 * given cur, the summary cached for it before.  c must keep fits: maps
 * without them are walked on gaps alone (map_btree.c, fix_up_gaps). */
void bt_sum_update(const struct bt_node *c, const struct bt_sum *cur, const struct bt_sum *old,
    const struct bt_sum *new, struct bt_sum *out);

/* What inner node x caches for child i. */
void bt_sum_load(const struct bt_node *x, int i, struct bt_sum *out);
/* Caches s for child i of x; returns whether that changed anything. */
bool bt_sum_store(struct bt_node *x, int i, const struct bt_sum *s);

#endif /* BSDVM_MAP_FITS_H */
