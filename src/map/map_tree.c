/*
 * map_tree.c - what the rest of the engine sees of the index: lookup,
 * linking and unlinking entries (index and address-order list together),
 * and moving an entry's bounds.  The B+tree itself is in map_btree.c.
 *
 * The list runs through the map's header, a sentinel whose start is the
 * map's max and whose end is its min (the FreeBSD/NetBSD trick), so that
 * successor and predecessor are one pointer away and "next->start - end"
 * is the free gap after any entry, the last one included.
 */
#include "map/map_btree.h"

void map_tree_adjacent(struct vm_map *map, struct vm_map_entry *a, struct vm_map_entry *b)
{
	bool touch = a != MAP_HEADER(map) && b != MAP_HEADER(map) && a->end == b->start;

	if (a != MAP_HEADER(map))
		a->adjacent = (uint8_t)((a->adjacent & ~MAP_ADJ_NEXT) | (touch ? MAP_ADJ_NEXT : 0));
	if (b != MAP_HEADER(map))
		b->adjacent = (uint8_t)((b->adjacent & ~MAP_ADJ_PREV) | (touch ? MAP_ADJ_PREV : 0));
}

/* Puts e in the address-order list right after prev. */
static void list_link_after(struct vm_map *map, struct vm_map_entry *prev,
    struct vm_map_entry *e)
{
	struct vm_map_entry *next = prev->next;

	e->prev = prev;
	e->next = next;
	prev->next = e;
	next->prev = e;
	map_tree_adjacent(map, prev, e);
	map_tree_adjacent(map, e, next);
}

/* Takes e out of the address-order list; its neighbours now meet. */
static void list_unlink(struct vm_map *map, struct vm_map_entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	map_tree_adjacent(map, e->prev, e->next);
	e->prev = e->next = NULL;
	e->adjacent = 0;
}

void map_tree_link_after(struct vm_map *map, struct vm_map_entry *prev,
    struct vm_map_entry *e)
{
	list_link_after(map, prev, e);
	bt_insert(map, e);
	map->nentries++;
}

void map_tree_unlink(struct vm_map *map, struct vm_map_entry *e)
{
	bt_remove(map, e);
	list_unlink(map, e);
	map->nentries--;
}

void map_tree_set_start(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t start)
{
	struct bt_path *p = bt_entry_path(map, e);
	int s = p->idx[p->depth - 1];

	p->node[p->depth - 1]->key[s] = start;
	e->start = start;
	map_tree_adjacent(map, e->prev, e);
	if (s == 0)
		bt_first_start_changed(p);
	bt_fix_path(p);
}

void map_tree_set_end(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t end)
{
	struct bt_path *p = bt_entry_path(map, e);

	p->node[p->depth - 1]->u.l.s[p->idx[p->depth - 1]].end = end;
	e->end = end;
	map_tree_adjacent(map, e, e->next);
	bt_fix_path(p);
}

void map_tree_split(struct vm_map *map, struct vm_map_entry *e, struct vm_map_entry *n,
    bsdvm_addr_t addr, bool n_below)
{
	struct vm_map_entry *lo = n_below ? n : e, *hi = n_below ? e : n;

	lo->start = e->start;
	hi->end = e->end;
	lo->end = hi->start = addr;
	bt_split_slot(map, lo, hi);
	/* the adjacency bits of e's side that did not move stay right */
	list_link_after(map, n_below ? e->prev : e, n);
	map->nentries++;
}

void map_tree_join(struct vm_map *map, struct vm_map_entry *keep, struct vm_map_entry *gone)
{
	struct vm_map_entry *lo = keep->start < gone->start ? keep : gone;
	bsdvm_addr_t start = lo->start, end = lo->next->end;

	if (!bt_join_slots(map, start, end, keep)) {
		/* the two slots sit in different leaves */
		map_tree_unlink(map, gone);
		if (keep->start != start)
			map_tree_set_start(map, keep, start);
		else
			map_tree_set_end(map, keep, end);
		return;
	}
	list_unlink(map, gone);
	keep->start = start;
	keep->end = end;
	/* keep's bounds changed after list_unlink set its bit toward gone's
	 * side: both sides again */
	map_tree_adjacent(map, keep->prev, keep);
	map_tree_adjacent(map, keep, keep->next);
	map->nentries--;
}

/* What a descent toward addr found in leaf x: slot s holds the last start
 * at or below addr (-1: addr is below the first entry).  Returns the entry
 * containing addr, or NULL with *predp (when not NULL) the one before. */
static struct vm_map_entry *slot_hit(struct vm_map *map, const struct bt_node *x, int s,
    bsdvm_addr_t addr, struct vm_map_entry **predp)
{
	struct vm_map_entry *e;

	if (s < 0) {
		if (predp != NULL)
			*predp = MAP_HEADER(map);
		return NULL;
	}
	e = x->u.l.s[s].ent;
	if (addr < x->u.l.s[s].end) {
		if (predp != NULL)
			*predp = e->prev;
		return e;
	}
	if (predp != NULL)
		*predp = e;
	return NULL;
}

struct vm_map_entry *map_tree_lookup(struct vm_map *map, bsdvm_addr_t addr,
    struct vm_map_entry **predp)
{
	const struct bt_node *x = map->bt_root;
	int s;

	/* addresses at or past max lie after every entry (and keep the
	 * descent's keys, all below max, apart from BT_NONE) */
	if (x == NULL || addr >= map_max(map)) {
		if (predp != NULL)
			*predp = map->header.prev;
		return NULL;
	}
	bt_prefetch(x);
	for (int k = map->bt_depth; k > 1; k--) {
		x = x->u.i.child[bt_rank(x, addr)];
		bt_prefetch(x);
	}
	s = bt_rank(x, addr);
	return slot_hit(map, x, x->key[s] <= addr ? s : -1, addr, predp);
}

/* A lookup that leaves its descent in the finger (bt_descend_finger) for
 * the change that follows, which then need not descend again: inserting
 * at a free address, removing, clipping or merging the entry found.  At
 * ten thousand entries a second descent was about a tenth of an
 * insertion's or removal's instructions. */
static struct vm_map_entry *lookup_finger(struct vm_map *map, bsdvm_addr_t addr,
    struct vm_map_entry **predp, bool links)
{
	const struct bt_node *x;
	struct bt_path *p;
	int s;

	if (map->bt_root == NULL || addr >= map_max(map))
		return map_tree_lookup(map, addr, predp);
	p = bt_descend_finger(map, addr);
	x = p->node[p->depth - 1];
	s = p->idx[p->depth - 1];
	/* Linking an entry in or out reads it and both its neighbours;
	 * reached through the list, each is a miss that can start only once
	 * the one before it has landed (prev, then prev->next).  The leaf
	 * holds all three pointers: ask for them at once, so that in a map
	 * bigger than the caches the misses overlap. */
	for (int k = s - 1; links && k <= s + 1; k++)
		if (k >= 0 && k < x->n)
			bt_prefetch_line(x->u.l.s[k].ent);
	return slot_hit(map, x, s, addr, predp);
}

struct vm_map_entry *map_tree_lookup_link(struct vm_map *map, bsdvm_addr_t addr,
    struct vm_map_entry **predp)
{
	return lookup_finger(map, addr, predp, true);
}

struct vm_map_entry *map_tree_lookup_change(struct vm_map *map, bsdvm_addr_t addr,
    struct vm_map_entry **predp)
{
	return lookup_finger(map, addr, predp, false);
}

bsdvm_size_t map_tree_largest_gap(const struct vm_map *map)
{
	/* the header owns the space below the first entry */
	bsdvm_size_t g = map->header.next->start - map_min(map);

	if (map->bt_root != NULL) {
		bsdvm_size_t t = bt_node_max_gap(map->bt_root);

		g = t > g ? t : g;
	}
	return g;
}

uint64_t map_index_bytes(const struct vm_map *map)
{
	uint64_t inner = map->bt_inner + map->bt_nfree[0];

	return (map->bt_nodes - map->bt_inner + map->bt_nfree[1]) * bt_node_bytes(map, true) +
	    inner * bt_node_bytes(map, false);
}
