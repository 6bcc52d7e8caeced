/*
 * map_create.c - creating and destroying maps, accessors and statistics.
 */
#include <string.h>

#include "map/map_btree.h"

int bsdvm_map_create(const struct bsdvm_map_params *params, struct vm_map **mapp)
{
	const struct bsdvm_platform *plat;
	bsdvm_size_t pg, sp;
	struct vm_map *map;

	if (params == NULL || mapp == NULL)
		return KERN_INVALID_ARGUMENT;
	plat = params->platform != NULL ? params->platform : bsdvm_platform_default();
	pg = params->page_size != 0 ? params->page_size : 4096;
	sp = params->superpage_size != 0 ? params->superpage_size : (bsdvm_size_t)2 << 20;
	if (!map_pow2(pg) || pg < 4096 || pg > 65536 || !map_pow2(sp) || sp < pg)
		return KERN_INVALID_ARGUMENT;
	if ((params->flags & ~BSDVM_MAP_FLAGS_MASK) != 0)
		return KERN_INVALID_ARGUMENT;
	if ((params->flags & BSDVM_MAP_ALIGN_INDEX) && (params->flags & BSDVM_MAP_NO_ALIGN_INDEX))
		return KERN_INVALID_ARGUMENT; /* one says keep the fits, the other not */
	/* page-aligned bounds, min < max, and max <= 2^64 - page size so that
	 * the end of every range is representable */
	if ((params->min & (pg - 1)) != 0 || (params->max & (pg - 1)) != 0 ||
	    params->min >= params->max || params->max > (bsdvm_addr_t)0 - pg)
		return KERN_INVALID_ARGUMENT;

	map = bsdvm_palloc(plat, sizeof(*map));
	if (map == NULL)
		return KERN_RESOURCE_SHORTAGE;
	map->plat = plat;
	if (bsdvm_rwlock_init(&map->lock, plat) != KERN_SUCCESS) {
		bsdvm_pfree(plat, map, sizeof(*map));
		return KERN_RESOURCE_SHORTAGE;
	}
	map->header.start = params->max;
	map->header.end = params->min;
	map->header.next = map->header.prev = &map->header;
	map->header.eflags = 0;
	map->page_size = pg;
	map->page_mask = pg - 1;
	map->page_shift = map_ctz(pg);
	map->superpage_size = sp;
	map->flags = params->flags;
	map->fits = (params->flags & BSDVM_MAP_NO_ALIGN_INDEX) == 0;
	map->nbig = map->fits ? bt_wide_classes(params->min, params->max, map->page_shift) : 0;
	map->cache_max = 64;
	atomic_init(&map->timestamp, 0);
	*mapp = map;
	return KERN_SUCCESS;
}

int map_reset_bounds(struct vm_map *map, bsdvm_addr_t min, bsdvm_addr_t max)
{
	if (map->nentries != 0 || (min & map->page_mask) != 0 || (max & map->page_mask) != 0 ||
	    min >= max || max > (bsdvm_addr_t)0 - map->page_size)
		return KERN_INVALID_ARGUMENT;
	map->header.start = max;
	map->header.end = min;
	/* the wide classes follow the window; the map is empty, so only its
	 * spare nodes have the old size */
	if (map->fits)
		bt_set_wide(map, bt_wide_classes(min, max, map->page_shift));
	return KERN_SUCCESS;
}

void bsdvm_map_destroy(struct vm_map *map)
{
	const struct bsdvm_platform *plat;

	if (map == NULL)
		return;
	plat = map->plat;
	while (map->header.next != &map->header)
		map_entry_remove(map, map->header.next);
	map->cache_max = 0;
	map_entry_trim(map); /* entries and index nodes alike */
	bsdvm_rwlock_fini(&map->lock, plat);
	bsdvm_pfree(plat, map, sizeof(*map));
}

bsdvm_addr_t bsdvm_map_min(const struct vm_map *map) { return map_min(map); }
bsdvm_addr_t bsdvm_map_max(const struct vm_map *map) { return map_max(map); }
bsdvm_size_t bsdvm_map_page_size(const struct vm_map *map) { return map->page_size; }
bsdvm_size_t bsdvm_map_superpage_size(const struct vm_map *map) { return map->superpage_size; }
uint32_t bsdvm_map_flags(const struct vm_map *map) { return map->flags; }
const struct bsdvm_platform *bsdvm_map_platform(const struct vm_map *map) { return map->plat; }

void bsdvm_map_set_entry_cache(struct vm_map *map, unsigned max)
{
	bsdvm_map_lock(map);
	map->cache_max = max;
	map_entry_trim(map);
	bsdvm_map_unlock(map);
}

void bsdvm_map_get_stats(struct vm_map *map, struct bsdvm_map_stats *st)
{
	bsdvm_map_lock_read(map);
	st->nentries = map->nentries;
	st->size = map->size;
	st->largest_gap = map_tree_largest_gap(map);
	st->inserts = map->inserts;
	st->removes = map->removes;
	st->splits = map->splits;
	st->merges = map->merges;
	st->timestamp = bsdvm_map_timestamp(map);
	st->index_depth = (uint64_t)map->bt_depth;
	st->index_bytes = map_index_bytes(map);
	bsdvm_map_unlock_read(map);
}

bsdvm_size_t bsdvm_map_largest_gap(struct vm_map *map)
{
	bsdvm_size_t g;

	bsdvm_map_lock_read(map);
	g = map_tree_largest_gap(map);
	bsdvm_map_unlock_read(map);
	return g;
}

/* ---- lookup and iteration ---- */

bool bsdvm_map_lookup_entry(struct vm_map *map, bsdvm_addr_t addr,
    struct vm_map_entry **entryp)
{
	struct vm_map_entry *pred, *e = map_tree_lookup(map, addr, &pred);

	if (e != NULL) {
		*entryp = e;
		return true;
	}
	*entryp = pred == MAP_HEADER(map) ? NULL : pred;
	return false;
}

struct vm_map_entry *bsdvm_map_first(struct vm_map *map)
{
	return map->header.next == &map->header ? NULL : map->header.next;
}

struct vm_map_entry *bsdvm_map_last(struct vm_map *map)
{
	return map->header.prev == &map->header ? NULL : map->header.prev;
}

struct vm_map_entry *bsdvm_map_entry_succ(struct vm_map *map, struct vm_map_entry *e)
{
	return e->next == &map->header ? NULL : e->next;
}

struct vm_map_entry *bsdvm_map_entry_pred(struct vm_map *map, struct vm_map_entry *e)
{
	return e->prev == &map->header ? NULL : e->prev;
}

static void region_of(const struct vm_map_entry *e, struct bsdvm_region *r)
{
	r->start = e->start;
	r->end = e->end;
	r->object = e->object;
	/* a guard has no object: its offset field is private bookkeeping (a
	 * stack gap keeps the stack's protection there) */
	r->offset = (e->eflags & MAP_ENTRY_GUARD) ? 0 : e->offset;
	r->eflags = e->eflags;
	r->protection = e->protection;
	r->max_protection = e->max_protection;
	r->inheritance = e->inheritance;
	r->advice = e->advice;
	r->wired_count = e->wired_count;
}

bool bsdvm_map_query(struct vm_map *map, bsdvm_addr_t addr, struct bsdvm_region *out)
{
	struct vm_map_entry *e;

	bsdvm_map_lock_read(map);
	e = map_tree_lookup(map, addr, NULL);
	if (e != NULL && out != NULL)
		region_of(e, out);
	bsdvm_map_unlock_read(map);
	return e != NULL;
}

int bsdvm_map_foreach(struct vm_map *map,
    int (*fn)(void *arg, const struct bsdvm_region *region), void *arg)
{
	struct vm_map_entry *e;
	int rv = 0;

	if (map == NULL || fn == NULL)
		return KERN_INVALID_ARGUMENT;
	bsdvm_map_lock_read(map);
	for (e = map->header.next; e != &map->header && rv == 0; e = e->next) {
		struct bsdvm_region r;

		region_of(e, &r);
		rv = fn(arg, &r);
	}
	bsdvm_map_unlock_read(map);
	return rv;
}
