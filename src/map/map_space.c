/*
 * map_space.c - finding free space: first fit at or above a hint, highest
 * fit at or below a hint, each optionally aligned (2^n, superpage, or a
 * colour offset) and bounded by a maximum end address.
 *
 * Search order: first the gap that holds the hint, then the gaps beyond it
 * in address order, each found in O(log n) by the index's summaries
 * (map_tree_gap_next / map_tree_gap_prev).  The answer is the exact lowest
 * (or highest) fit, as vm_map_find(9) defines it: first fit from the hint,
 * and success whenever some free region aligns.
 *
 * Without alignment the first gap big enough always fits, so the search is
 * one descent.  A gap big enough may still hold no aligned start, and a
 * search that only knows gap sizes must then try the next one, and the
 * next (FreeBSD's vm_map_alignspace loop does; so does NetBSD's
 * uvm_map_findspace): on a map whose gaps all just miss, that is every gap.
 * The index also keeps the largest aligned fit under each subtree for
 * alignments of 2 to 65536 pages, and for the wider ones the map's window
 * can hold more than a few boundaries of (map_btree.h), so aligned
 * requests with no colour offset skip to the first gap that fits in one
 * O(log n) step (unless the map was created with
 * BSDVM_MAP_NO_ALIGN_INDEX).  An alignment wider still is steered by the
 * widest kept class, which lets at most three gaps through that then
 * miss.  Colour offsets are steered by the largest class their starts are
 * multiples of, and fall back to checking the gaps that class lets
 * through: exact, but not guaranteed logarithmic (NetBSD's PMAP_PREFER
 * search is linear too).
 */
#include "map/map_btree.h"

struct space_query {
	bsdvm_size_t len;
	bsdvm_size_t align;     /* power of two >= page size */
	bsdvm_addr_t off;       /* wanted start mod align */
	bsdvm_addr_t lo;        /* lowest acceptable start */
	bsdvm_addr_t hi_start;  /* highest acceptable start */
	struct gap_want want;   /* what the index must find in a gap */
};

/* Every start the query accepts is a multiple of page << cls: of the
 * alignment, and with a colour offset also of the offset's own alignment
 * (off + m * align, off < align, has off's trailing zeros).  The largest
 * such class the index keeps steers the search. */
static void want_init(const struct vm_map *map, struct space_query *q)
{
	unsigned cls = map_ctz(q->align) - map->page_shift;

	if (q->off != 0 && map_ctz(q->off) - map->page_shift < cls)
		cls = map_ctz(q->off) - map->page_shift;
	q->want.len = q->len;
	/* above the widest class kept, K, the window holds at most three
	 * multiples of 2^K pages (map_btree.h): steering by K lets at most
	 * three gaps through that then miss */
	q->want.cls = cls < BT_ALIGN_CLASSES + map->nbig ? cls : BT_ALIGN_CLASSES + map->nbig;
	/* without fits the index can only steer by gap size, and checking a
	 * gap's fit is search_up's and search_down's job anyway */
	if (!map->fits)
		q->want.cls = 0;
}

/* Lowest aligned start in [max(gs, q->lo), ge - len]; false if none. */
static bool fit_up(const struct space_query *q, bsdvm_addr_t gs, bsdvm_addr_t ge,
    bsdvm_addr_t *out)
{
	bsdvm_addr_t a = gs > q->lo ? gs : q->lo;

	if (!map_align_up(&a, q->align, q->off) || a > q->hi_start || a > ge || ge - a < q->len)
		return false;
	*out = a;
	return true;
}

/* Highest aligned start in [gs, min(ge - len, q->hi_start)]; false if none. */
static bool fit_down(const struct space_query *q, bsdvm_addr_t gs, bsdvm_addr_t ge,
    bsdvm_addr_t *out)
{
	bsdvm_addr_t top;
	bsdvm_size_t r;

	if (ge - gs < q->len)
		return false;
	top = ge - q->len;
	if (top > q->hi_start)
		top = q->hi_start;
	if (top < gs || top < q->lo)
		return false;
	r = (top - q->off) & (q->align - 1);
	if (top - gs < r || top - q->lo < r)
		return false;
	*out = top - r;
	return true;
}

static int search_up(struct vm_map *map, const struct space_query *q, bsdvm_addr_t *addrp)
{
	struct map_gap g;

	/* the gap holding the hint, or the one after the entry holding it */
	map_tree_gap_at(map, q->lo, true, &g);
	for (;;) {
		if (g.start > q->hi_start)
			return KERN_NO_SPACE;
		if (fit_up(q, g.start, g.end, addrp))
			return KERN_SUCCESS;
		if (!map_tree_gap_next(map, &g, &q->want))
			return KERN_NO_SPACE;
	}
}

static int search_down(struct vm_map *map, const struct space_query *q, bsdvm_addr_t *addrp)
{
	struct map_gap g;

	/* the gap holding the hint, or the one before the entry holding it */
	map_tree_gap_at(map, q->hi_start, false, &g);
	for (;;) {
		if (fit_down(q, g.start, g.end, addrp))
			return KERN_SUCCESS;
		if (!map_tree_gap_prev(map, &g, &q->want))
			return KERN_NO_SPACE;
		/* gaps further down end below lo + len: nothing can fit */
		if (g.end < q->lo || g.end - q->lo < q->len)
			return KERN_NO_SPACE;
	}
}

int bsdvm_map_findspace_locked(struct vm_map *map, const struct bsdvm_space_req *req,
    bsdvm_addr_t *addrp)
{
	struct space_query q;
	bsdvm_addr_t lo = map_min(map), hi_end = map_max(map);
	bool topdown;

	if (req == NULL || addrp == NULL)
		return KERN_INVALID_ARGUMENT;
	if ((req->flags & ~BSDVM_SPACE_FLAGS_MASK) != 0 ||
	    (req->flags & BSDVM_SPACE_FLAGS_MASK) == BSDVM_SPACE_FLAGS_MASK)
		return KERN_INVALID_ARGUMENT;
	if (req->length == 0 || !map_aligned(map, req->length) ||
	    !map_aligned(map, req->hint) || !map_aligned(map, req->max_end))
		return KERN_INVALID_ARGUMENT;
	q.align = req->align != 0 ? req->align : map->page_size;
	if (!map_pow2(q.align) || q.align < map->page_size)
		return KERN_INVALID_ARGUMENT;
	if (req->align_offset >= q.align || !map_aligned(map, req->align_offset))
		return KERN_INVALID_ARGUMENT;
	topdown = (req->flags & BSDVM_SPACE_TOPDOWN) != 0 ||
	    ((req->flags & BSDVM_SPACE_BOTTOMUP) == 0 && (map->flags & BSDVM_MAP_TOPDOWN) != 0);

	if (req->max_end != 0 && req->max_end < hi_end)
		hi_end = req->max_end;
	q.len = req->length;
	q.off = req->align_offset;
	/* an alignment beyond the map, or a request longer than the window,
	 * simply cannot be placed */
	if (hi_end <= lo || q.len > hi_end - lo)
		return KERN_NO_SPACE;
	q.hi_start = hi_end - q.len;
	q.lo = lo;
	want_init(map, &q);
	if (topdown) {
		if (req->hint != 0 && req->hint < q.hi_start)
			q.hi_start = req->hint;
		if (q.hi_start < lo)
			return KERN_NO_SPACE;
		return search_down(map, &q, addrp);
	}
	if (req->hint > lo)
		q.lo = req->hint;
	if (q.lo > q.hi_start)
		return KERN_NO_SPACE;
	return search_up(map, &q, addrp);
}

int bsdvm_map_findspace(struct vm_map *map, const struct bsdvm_space_req *req,
    bsdvm_addr_t *addrp)
{
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	bsdvm_map_lock_read(map);
	rv = bsdvm_map_findspace_locked(map, req, addrp);
	bsdvm_map_unlock_read(map);
	return rv;
}

int bsdvm_map_find(struct vm_map *map, const struct bsdvm_space_req *req,
    const struct bsdvm_entry_attrs *attrs, bsdvm_addr_t *addrp)
{
	int rv;

	if (map == NULL || req == NULL || attrs == NULL || addrp == NULL)
		return KERN_INVALID_ARGUMENT;
	bsdvm_map_lock(map);
	rv = map_find_locked(map, req, attrs, addrp);
	bsdvm_map_unlock(map);
	return rv;
}

int map_find_locked(struct vm_map *map, const struct bsdvm_space_req *req,
    const struct bsdvm_entry_attrs *attrs, bsdvm_addr_t *addrp)
{
	struct bsdvm_space_req r = *req;
	bsdvm_addr_t addr = 0;
	/* bad attributes are reported as such, not as a failed search */
	int rv = map_attrs_valid(map, attrs);

	if (rv != KERN_SUCCESS)
		return rv;
	r.hint = *addrp;
	rv = bsdvm_map_findspace_locked(map, &r, &addr);
	if (rv == KERN_SUCCESS)
		rv = bsdvm_map_insert_locked(map, addr, addr + r.length, attrs);
	if (rv == KERN_SUCCESS)
		*addrp = addr;
	return rv;
}
