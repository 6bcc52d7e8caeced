/*
 * map_insert.c - creating entries: insert at a fixed free range, and fixed
 * replacement (delete then insert under one lock).
 *
 * Error codes follow FreeBSD's vm_map_insert (sys/vm/vm_map.c): an empty or
 * out-of-map range is KERN_INVALID_ADDRESS, W|X on a W^X map is
 * KERN_PROTECTION_FAILURE, an overlap is KERN_NO_SPACE, a guard with an
 * object or with access is KERN_INVALID_ARGUMENT.  Where the kernels only
 * assert (prot above maxprot, unaligned bounds, unknown bits) bsdvm returns
 * a code instead: KERN_PROTECTION_FAILURE and KERN_INVALID_ARGUMENT.
 */
#include "map/map_impl.h"

struct bsdvm_entry_attrs bsdvm_attrs_anon(bsdvm_prot_t prot, bsdvm_prot_t maxprot)
{
	struct bsdvm_entry_attrs a = {
		.object = NULL, .offset = 0, .prot = prot, .maxprot = maxprot,
		.inherit = VM_INHERIT_DEFAULT, .advice = BSDVM_MADV_NORMAL, .eflags = 0,
	};
	return a;
}

int map_attrs_valid(const struct vm_map *map, const struct bsdvm_entry_attrs *a)
{
	uint32_t f;

	if (a == NULL)
		return KERN_INVALID_ARGUMENT;
	f = a->eflags;
	if ((a->prot & ~VM_PROT_ALL) != 0 || (a->maxprot & ~VM_PROT_ALL) != 0 ||
	    a->inherit > VM_INHERIT_ZERO || a->advice > BSDVM_MADV_SEQUENTIAL ||
	    (f & ~MAP_ENTRY_CREATE_MASK) != 0)
		return KERN_INVALID_ARGUMENT;
	if ((f & MAP_ENTRY_GROWS_DOWN) && (f & MAP_ENTRY_GROWS_UP))
		return KERN_INVALID_ARGUMENT;
	if ((f & MAP_ENTRY_STACK_GAP_DN) && (f & MAP_ENTRY_STACK_GAP_UP))
		return KERN_INVALID_ARGUMENT;
	if ((f & (MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP)) && !(f & MAP_ENTRY_GUARD))
		return KERN_INVALID_ARGUMENT;
	if ((f & MAP_ENTRY_NEEDS_COPY) && !(f & MAP_ENTRY_COW))
		return KERN_INVALID_ARGUMENT;
	/* a guard is a reservation: no object, no access, nothing to copy */
	if ((f & MAP_ENTRY_GUARD) &&
	    (a->object != NULL || a->prot != VM_PROT_NONE || a->maxprot != VM_PROT_NONE ||
	     (f & (MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP | MAP_ENTRY_COW))))
		return KERN_INVALID_ARGUMENT;
	if (!map_aligned(map, a->offset) || (a->object == NULL && a->offset != 0))
		return KERN_INVALID_ARGUMENT;
	if ((a->prot & ~a->maxprot) != 0)
		return KERN_PROTECTION_FAILURE;
	if ((map->flags & BSDVM_MAP_WXORX) &&
	    (a->prot & (VM_PROT_WRITE | VM_PROT_EXECUTE)) == (VM_PROT_WRITE | VM_PROT_EXECUTE))
		return KERN_PROTECTION_FAILURE;
	return KERN_SUCCESS;
}

int map_attrs_check(const struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *a)
{
	int rv;

	/* order matters: malformed arguments, then the range, then rights */
	if (a == NULL || !map_aligned(map, start) || !map_aligned(map, end) || end < start)
		return KERN_INVALID_ARGUMENT;
	rv = map_attrs_valid(map, a);
	if (rv == KERN_INVALID_ARGUMENT)
		return rv;
	if (a->offset + (end - start) < a->offset)
		return KERN_INVALID_ARGUMENT;
	if (start == end || start < map_min(map) || end > map_max(map))
		return KERN_INVALID_ADDRESS;
	return rv;
}

/* With everything validated and one entry reserved: link and coalesce. */
static void insert_entry(struct vm_map *map, struct vm_map_entry *prev, bsdvm_addr_t start,
    bsdvm_addr_t end, const struct bsdvm_entry_attrs *a)
{
	struct vm_map_entry *e = map_entry_take(map);

	e->start = start;
	e->end = end;
	e->eflags = a->eflags;
	e->object = a->object;
	e->offset = a->offset;
	e->protection = a->prot;
	e->max_protection = a->maxprot;
	e->inheritance = a->inherit;
	e->advice = a->advice;
	map_tree_link_after(map, prev, e);
	if ((a->eflags & MAP_ENTRY_GUARD) == 0)
		map->size += end - start;
	map->inserts++;
	if (map->hooks != NULL && map->hooks->entry_inserted != NULL)
		map->hooks->entry_inserted(map, e);
	map_entry_simplify(map, e);
}

int bsdvm_map_insert_locked(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *attrs)
{
	struct vm_map_entry *prev;
	int rv = map_attrs_check(map, start, end, attrs);

	if (rv != KERN_SUCCESS)
		return rv;
	/* the lookup leaves its descent in the finger, for the link below */
	if (map_tree_lookup_link(map, start, &prev) != NULL || prev->next->start < end)
		return KERN_NO_SPACE;
	rv = map_entry_reserve(map, 1);
	if (rv != KERN_SUCCESS)
		return rv;
	insert_entry(map, prev, start, end, attrs);
	map_entry_trim(map);
	return KERN_SUCCESS;
}

int bsdvm_map_insert(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *attrs)
{
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	bsdvm_map_lock(map);
	rv = bsdvm_map_insert_locked(map, start, end, attrs);
	bsdvm_map_unlock(map);
	return rv;
}

int bsdvm_map_fixed_locked(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *attrs)
{
	struct vm_map_entry *prev;
	struct map_range r;
	int rv = map_attrs_check(map, start, end, attrs);

	if (rv != KERN_SUCCESS)
		return rv;
	map_range_find(map, start, end, &r);
	rv = map_range_splittable(&r, start, end);
	/* two clips for the removal, one entry for the new mapping */
	if (rv == KERN_SUCCESS)
		rv = map_entry_reserve(map, 3);
	if (rv == KERN_SUCCESS) {
		struct vm_map_entry *e = r.first;

		map_range_clip(map, &r, start, end, true, true);
		prev = r.first->prev;
		while (r.last != NULL) {
			struct vm_map_entry *next = e->next;
			bool was_last = e == r.last;

			prev = e->prev;
			map_entry_remove(map, e);
			if (was_last)
				break;
			e = next;
		}
		insert_entry(map, prev, start, end, attrs);
	}
	map_entry_trim(map);
	return rv;
}

int bsdvm_map_fixed(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *attrs)
{
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	bsdvm_map_lock(map);
	rv = bsdvm_map_fixed_locked(map, start, end, attrs);
	bsdvm_map_unlock(map);
	return rv;
}
