/*
 * map_range.c - the steps shared by every range operation: validate the
 * range, find the entries it touches (one tree lookup, then the list),
 * refuse to split unsplittable entries, clip at both ends, and merge back
 * afterwards (the pattern of FreeBSD's vm_map_protect and friends).
 */
#include "map/map_impl.h"

int map_range_check(const struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end)
{
	if (!map_aligned(map, start) || !map_aligned(map, end) || end < start)
		return KERN_INVALID_ARGUMENT;
	if (start < map_min(map) || end > map_max(map))
		return KERN_INVALID_ADDRESS;
	return KERN_SUCCESS;
}

struct vm_map_entry *map_range_first(struct vm_map *map, bsdvm_addr_t start)
{
	struct vm_map_entry *pred, *e = map_tree_lookup(map, start, &pred);

	return e != NULL ? e : pred->next;
}

void map_range_find(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    struct map_range *r)
{
	struct vm_map_entry *pred, *e = map_tree_lookup_link(map, start, &pred);

	/* the removal that follows starts from the finger this leaves */
	r->first = e != NULL ? e : pred->next;
	r->last = NULL;
	for (e = r->first; e != MAP_HEADER(map) && e->start < end; e = e->next) {
		r->last = e;
		if (e->end >= end)
			break; /* the next one starts at or past end: do not read it */
	}
}

int map_range_splittable(const struct map_range *r, bsdvm_addr_t start, bsdvm_addr_t end)
{
	if (r->last == NULL)
		return KERN_SUCCESS;
	if (r->first->start < start && (r->first->eflags & MAP_ENTRY_UNSPLITTABLE))
		return KERN_INVALID_ARGUMENT;
	if (r->last->end > end && (r->last->eflags & MAP_ENTRY_UNSPLITTABLE))
		return KERN_INVALID_ARGUMENT;
	return KERN_SUCCESS;
}

void map_range_clip(struct vm_map *map, struct map_range *r, bsdvm_addr_t start,
    bsdvm_addr_t end, bool clip_first, bool clip_last)
{
	/* a clip keeps the caller's entry on the inner side, so first and
	 * last stay the first and last entries inside the range */
	if (r->last == NULL)
		return;
	if (clip_first && r->first->start < start)
		map_entry_clip_start(map, r->first, start);
	if (clip_last && r->last->end > end)
		map_entry_clip_end(map, r->last, end);
}

void map_range_simplify_from(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t end)
{
	/* Begin with the entry before the range, which may now match the
	 * first one, and stop after the pair that straddles end.  Neighbours
	 * that do not touch are never read (see MAP_ADJ_PREV). */
	if (e == MAP_HEADER(map))
		return;
	if (e->adjacent & MAP_ADJ_PREV)
		e = e->prev;
	for (;;) {
		if ((e->adjacent & MAP_ADJ_NEXT) && map_entry_mergeable(map, e, e->next)) {
			map_entry_join(map, e, e->next);
			continue; /* e grew; try it against its new neighbour */
		}
		if (e->end >= end || e->next == MAP_HEADER(map))
			return;
		e = e->next;
	}
}

void map_range_simplify(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end)
{
	map_range_simplify_from(map, map_range_first(map, start), end);
}
