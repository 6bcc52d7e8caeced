/*
 * map_entry.c - entry allocation, clipping and coalescing.
 *
 * Operations never allocate in the middle of a change: they first reserve
 * the entries they may need (map_entry_reserve), which is the only step
 * that can fail, and then take them from the map's spare list.  This is how
 * every operation stays all-or-nothing under allocation failure.
 */
#include <string.h>

#include "map/map_btree.h"

void *map_obj_alloc(const struct bsdvm_platform *p, size_t size)
{
	if (p->alloc_aligned != NULL && p->free_aligned != NULL)
		return p->alloc_aligned(p->ctx, size, 64);
	return bsdvm_palloc(p, size);
}

void map_obj_free(const struct bsdvm_platform *p, void *obj, size_t size)
{
	if (p->alloc_aligned != NULL && p->free_aligned != NULL)
		p->free_aligned(p->ctx, obj, size);
	else
		bsdvm_pfree(p, obj, size);
}

int map_entry_reserve(struct vm_map *map, unsigned n)
{
	/* the index nodes linking n entries may need come first */
	if (bt_reserve(map, n) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	while (map->nfree < n) {
		struct vm_map_entry *e = map_obj_alloc(map->plat, sizeof(*e));

		if (e == NULL) {
			/* a failed operation must not keep what it got so far */
			map_entry_trim(map);
			return KERN_RESOURCE_SHORTAGE;
		}
		e->next = map->free_entries;
		map->free_entries = e;
		map->nfree++;
	}
	return KERN_SUCCESS;
}

struct vm_map_entry *map_entry_take(struct vm_map *map)
{
	struct vm_map_entry *e = map->free_entries;

	/* callers reserve first; running dry is an engine bug */
	if (e == NULL)
		return NULL;
	map->free_entries = e->next;
	map->nfree--;
	memset(e, 0, sizeof(*e));
	return e;
}

void map_entry_release(struct vm_map *map, struct vm_map_entry *e)
{
	e->next = map->free_entries;
	map->free_entries = e;
	map->nfree++;
}

void map_entry_trim(struct vm_map *map)
{
	while (map->nfree > map->cache_max) {
		struct vm_map_entry *e = map->free_entries;

		map->free_entries = e->next;
		map->nfree--;
		map_obj_free(map->plat, e, sizeof(*e));
	}
	bt_trim(map);
}

/* A copy of e's mapping attributes in a fresh (reserved) entry. */
static struct vm_map_entry *entry_clone(struct vm_map *map, const struct vm_map_entry *e)
{
	struct vm_map_entry *n = map_entry_take(map);

	n->eflags = e->eflags & ~MAP_ENTRY_NEEDS_WAKEUP;
	n->object = e->object;
	n->offset = e->offset;
	n->protection = e->protection;
	n->max_protection = e->max_protection;
	n->inheritance = e->inheritance;
	n->advice = e->advice;
	n->wired_count = e->wired_count;
	n->aux = e->aux;
	n->aux_off = e->aux_off;
	return n;
}

void map_entry_clip_start(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t addr)
{
	struct vm_map_entry *n = entry_clone(map, e);
	bsdvm_size_t delta = addr - e->start;

	/* n takes [e->start, addr); e keeps [addr, e->end) */
	if (e->object != NULL) /* anonymous memory has no object offset */
		e->offset += delta;
	e->aux_off += delta;
	map_tree_split(map, e, n, addr, true);
	map->splits++;
	if (map->hooks != NULL && map->hooks->entry_split != NULL)
		map->hooks->entry_split(map, e, n);
}

void map_entry_clip_end(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t addr)
{
	struct vm_map_entry *n = entry_clone(map, e);
	bsdvm_size_t delta = addr - e->start;

	/* e keeps [e->start, addr); n takes [addr, e->end) */
	if (n->object != NULL)
		n->offset += delta;
	n->aux_off += delta;
	map_tree_split(map, e, n, addr, false);
	map->splits++;
	if (map->hooks != NULL && map->hooks->entry_split != NULL)
		map->hooks->entry_split(map, e, n);
}

bool map_entry_mergeable(struct vm_map *map, const struct vm_map_entry *a,
    const struct vm_map_entry *b)
{
	if (a == MAP_HEADER(map) || b == MAP_HEADER(map) || a->end != b->start)
		return false;
	if (((a->eflags | b->eflags) & MAP_ENTRY_NOMERGE_MASK) != 0)
		return false;
	if (a->eflags != b->eflags || a->protection != b->protection ||
	    a->max_protection != b->max_protection ||
	    a->inheritance != b->inheritance || a->advice != b->advice ||
	    a->wired_count != b->wired_count || a->object != b->object)
		return false;
	if (a->object != NULL && a->offset + (a->end - a->start) != b->offset)
		return false;
	if (map->hooks != NULL && map->hooks->entry_can_merge != NULL)
		return map->hooks->entry_can_merge(map, a, b);
	/* without a memory layer, private state in aux blocks merging */
	return a->aux == NULL && b->aux == NULL;
}

void map_entry_join(struct vm_map *map, struct vm_map_entry *a, struct vm_map_entry *b)
{
	if (map->hooks != NULL && map->hooks->entry_merge != NULL)
		map->hooks->entry_merge(map, a, b);
	map_tree_join(map, a, b);
	map_entry_release(map, b);
	map->merges++;
}

/* e absorbs its predecessor p (mergeable), keeping e's identity. */
static void absorb_prev(struct vm_map *map, struct vm_map_entry *e)
{
	struct vm_map_entry *p = e->prev;

	if (map->hooks != NULL && map->hooks->entry_merge != NULL)
		map->hooks->entry_merge(map, e, p);
	e->offset = p->offset;
	e->aux_off = p->aux_off;
	map_tree_join(map, e, p);
	map_entry_release(map, p);
	map->merges++;
}

struct vm_map_entry *map_entry_simplify(struct vm_map *map, struct vm_map_entry *e)
{
	/* e survives, as in FreeBSD's vm_map_simplify_entry: callers may
	 * keep using the pointer they passed */
	if (e == MAP_HEADER(map))
		return e;
	if ((e->adjacent & MAP_ADJ_PREV) && map_entry_mergeable(map, e->prev, e))
		absorb_prev(map, e);
	if ((e->adjacent & MAP_ADJ_NEXT) && map_entry_mergeable(map, e, e->next))
		map_entry_join(map, e, e->next);
	return e;
}

int map_entry_prepare_clip(struct vm_map *map, struct vm_map_entry *e, bool *prepared)
{
	void *before = e->aux;
	int rv;

	*prepared = false;
	if (map->hooks == NULL || map->hooks->entry_prepare_clip == NULL)
		return KERN_SUCCESS;
	rv = map->hooks->entry_prepare_clip(map, e);
	*prepared = rv == KERN_SUCCESS && e->aux != before;
	return rv;
}

void map_entry_unprepare_clip(struct vm_map *map, struct vm_map_entry *e)
{
	if (e != NULL && e != MAP_HEADER(map) && map->hooks != NULL &&
	    map->hooks->entry_unprepare_clip != NULL)
		map->hooks->entry_unprepare_clip(map, e);
}

void map_entry_remove(struct vm_map *map, struct vm_map_entry *e)
{
	if ((e->eflags & MAP_ENTRY_GUARD) == 0)
		map->size -= e->end - e->start;
	if (map->hooks != NULL && map->hooks->entry_dispose != NULL)
		map->hooks->entry_dispose(map, e);
	map_tree_unlink(map, e);
	map_entry_release(map, e);
	map->removes++;
}
