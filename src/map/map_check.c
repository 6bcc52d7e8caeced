/*
 * map_check.c - vm_map_check(): the whole-map consistency walker.
 *
 * Inspired by FreeBSD's _vm_map_assert_consistent and NetBSD's
 * _uvm_tree_sanity: every invariant the engine relies on is recomputed from
 * scratch, nothing cached is trusted.  Tests call it after every mutation.
 * It formats its report with vsnprintf, which kernels provide too; the
 * printing wrapper vm_map_check() lives with the platform (check_print.c).
 */
#include <stdarg.h>
#include <stdio.h>

#include "map/map_impl.h"

bool map_check_fail(struct map_checker *c, const char *fmt, ...)
{
	va_list ap;

	if (c->ok && c->why != NULL && c->whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(c->why, c->whylen, fmt, ap);
		va_end(ap);
	}
	c->ok = false;
	return false;
}

static bool check_entry(struct map_checker *c, const struct vm_map_entry *e, bsdvm_addr_t prev_end)
{
	const struct vm_map *map = c->map;
	const uint32_t known = MAP_ENTRY_CREATE_MASK | MAP_ENTRY_USER_WIRED |
	    MAP_ENTRY_IN_TRANSITION | MAP_ENTRY_NEEDS_WAKEUP;
	unsigned long long s = e->start, en = e->end;

	if (e->start >= e->end)
		return map_check_fail(c, "entry [%#llx,%#llx): empty or inverted", s, en);
	if (!map_aligned(map, e->start) || !map_aligned(map, e->end))
		return map_check_fail(c, "entry [%#llx,%#llx): not page aligned", s, en);
	if (e->start < prev_end)
		return map_check_fail(c, "entry [%#llx,%#llx): overlaps or precedes the previous one", s, en);
	if (e->end > map_max(map))
		return map_check_fail(c, "entry [%#llx,%#llx): beyond the map's max", s, en);
	if (e->next->prev != e)
		return map_check_fail(c, "entry [%#llx,%#llx): broken list links", s, en);
	if (e->adjacent != ((e->prev != MAP_HEADER(map) && e->prev->end == e->start ?
	    MAP_ADJ_PREV : 0) | (e->next != MAP_HEADER(map) && e->next->start == e->end ?
	    MAP_ADJ_NEXT : 0)))
		return map_check_fail(c, "entry [%#llx,%#llx): stale adjacency bits %#x", s, en,
		    e->adjacent);
	if ((e->protection & ~VM_PROT_ALL) || (e->max_protection & ~VM_PROT_ALL) ||
	    (e->protection & ~e->max_protection))
		return map_check_fail(c, "entry [%#llx,%#llx): protection %#x not within max %#x", s, en,
		    e->protection, e->max_protection);
	if (e->inheritance > VM_INHERIT_ZERO || e->advice > BSDVM_MADV_SEQUENTIAL)
		return map_check_fail(c, "entry [%#llx,%#llx): bad inheritance or advice", s, en);
	if (e->eflags & ~known)
		return map_check_fail(c, "entry [%#llx,%#llx): unknown flags %#x", s, en, e->eflags);
	if ((e->eflags & MAP_ENTRY_GROWS_DOWN) && (e->eflags & MAP_ENTRY_GROWS_UP))
		return map_check_fail(c, "entry [%#llx,%#llx): grows both ways", s, en);
	if ((e->eflags & MAP_ENTRY_NEEDS_COPY) && !(e->eflags & MAP_ENTRY_COW))
		return map_check_fail(c, "entry [%#llx,%#llx): needs-copy without copy-on-write", s, en);
	if ((e->eflags & MAP_ENTRY_GUARD) &&
	    (e->object != NULL || e->max_protection != VM_PROT_NONE))
		return map_check_fail(c, "entry [%#llx,%#llx): guard with an object or access", s, en);
	if (e->wired_count < 0)
		return map_check_fail(c, "entry [%#llx,%#llx): negative wired count", s, en);
	if ((e->eflags & MAP_ENTRY_USER_WIRED) && e->wired_count < 1)
		return map_check_fail(c, "entry [%#llx,%#llx): user-wired with wired count 0", s, en);
	if ((e->eflags & MAP_ENTRY_NEEDS_WAKEUP) && !(e->eflags & MAP_ENTRY_IN_TRANSITION))
		return map_check_fail(c, "entry [%#llx,%#llx): needs-wakeup outside a transition", s, en);
	if (e->object == NULL && e->offset != 0 && !(e->eflags & MAP_ENTRY_GUARD))
		return map_check_fail(c, "entry [%#llx,%#llx): offset without an object", s, en);
	return true;
}

bool bsdvm_map_check(struct vm_map *map, char *why, size_t whylen)
{
	struct map_checker c = { map, why, whylen, true };
	struct vm_map_entry *h = MAP_HEADER(map), *e;
	bsdvm_addr_t prev_end = map_min(map);
	bsdvm_size_t size = 0;
	uint64_t n = 0;

	bsdvm_map_lock_read(map);
	if (h->next->prev != h || h->prev->next != h)
		map_check_fail(&c, "header list links broken");
	for (e = h->next; c.ok && e != h; e = e->next) {
		if (!check_entry(&c, e, prev_end))
			break;
		prev_end = e->end;
		if (!(e->eflags & MAP_ENTRY_GUARD))
			size += e->end - e->start;
		if (++n > map->nentries)
			map_check_fail(&c, "more entries on the list than nentries (%llu)",
			    (unsigned long long)map->nentries);
	}
	if (c.ok && n != map->nentries)
		map_check_fail(&c, "list holds %llu entries, nentries says %llu",
		    (unsigned long long)n, (unsigned long long)map->nentries);
	if (c.ok && size != map->size)
		map_check_fail(&c, "entries sum to %#llx bytes, size says %#llx",
		    (unsigned long long)size, (unsigned long long)map->size);
	/* the list is sound: now check that the index agrees with it */
	if (c.ok)
		map_check_index(&c);
	bsdvm_map_unlock_read(map);
	return c.ok;
}
