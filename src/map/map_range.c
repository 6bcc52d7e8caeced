/*
 * map_range.c - the steps shared by every range operation: validate the
 * range, refuse to split unsplittable entries, clip at both ends, and merge
 * back afterwards (the pattern of FreeBSD's vm_map_protect and friends).
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

int map_range_splittable(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end)
{
	struct vm_map_entry *e;

	if (start == end)
		return KERN_SUCCESS;
	e = map_tree_lookup(map, start, NULL);
	if (e != NULL && e->start < start && (e->eflags & MAP_ENTRY_UNSPLITTABLE))
		return KERN_INVALID_ARGUMENT;
	e = map_tree_lookup(map, end - 1, NULL);
	if (e != NULL && e->end > end && (e->eflags & MAP_ENTRY_UNSPLITTABLE))
		return KERN_INVALID_ARGUMENT;
	return KERN_SUCCESS;
}

struct vm_map_entry *map_range_clip(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end)
{
	struct vm_map_entry *pred, *first, *last;

	first = map_tree_lookup(map, start, &pred);
	if (first == NULL) {
		first = pred->next;
	} else if (first->start < start) {
		map_entry_clip_start(map, first, start);
	}
	if (first == MAP_HEADER(map) || first->start >= end)
		return first;
	last = map_tree_lookup(map, end - 1, NULL);
	if (last != NULL && last->end > end)
		map_entry_clip_end(map, last, end);
	return first;
}

void map_range_simplify(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end)
{
	struct vm_map_entry *pred, *e = map_tree_lookup(map, start, &pred);

	/* begin with the entry before the range: it may now match the first */
	if (e == NULL)
		e = pred;
	else if (e->prev != MAP_HEADER(map))
		e = e->prev;
	if (e == MAP_HEADER(map))
		e = e->next;
	while (e != MAP_HEADER(map) && e->start <= end) {
		struct vm_map_entry *next = e->next;

		if (map_entry_mergeable(map, e, next)) {
			map_entry_join(map, e, next);
			continue; /* e grew; try it against its new neighbour */
		}
		e = next;
	}
}
