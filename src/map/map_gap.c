/*
 * map_gap.c - walking the free gaps of a map in address order, skipping
 * whole subtrees whose largest gap (or largest aligned fit, for an aligned
 * request) is too small: each step to the next (or previous) gap that holds
 * the request is O(log n), and reads only the index.
 *
 * A cursor is a path to the leaf slot that owns the gap; the gap below the
 * first entry belongs to the header and is the cursor's `header` state.
 */
#include "map/map_btree.h"

static void gap_from_slot(struct map_gap *g)
{
	const struct bt_node *x = g->path.node[g->path.depth - 1];
	int s = g->path.idx[g->path.depth - 1];

	g->header = false;
	g->start = x->u.l.s[s].end;
	g->end = bt_gap_end(x, s);
}

static void gap_from_header(const struct vm_map *map, struct map_gap *g)
{
	g->header = true;
	g->start = map_min(map);
	g->end = map->header.next->start; /* max when the map is empty */
}

/* Steps the cursor's slot back by one, across leaves, or to the header. */
static void slot_prev(const struct vm_map *map, struct map_gap *g)
{
	struct bt_path *p = &g->path;

	if (p->idx[p->depth - 1] > 0) {
		p->idx[p->depth - 1]--;
		gap_from_slot(g);
	} else if (bt_path_prev_leaf(p)) {
		gap_from_slot(g);
	} else {
		gap_from_header(map, g);
	}
}

void map_tree_gap_at(const struct vm_map *map, bsdvm_addr_t addr, bool up, struct map_gap *g)
{
	const struct bt_node *x;
	int s;

	if (map->bt_root == NULL) {
		gap_from_header(map, g);
		return;
	}
	if (addr >= map_max(map))
		addr = map_max(map) - 1; /* keep the descent below BT_NONE */
	bt_descend(map, addr, &g->path);
	x = g->path.node[g->path.depth - 1];
	s = g->path.idx[g->path.depth - 1];
	if (s < 0) {
		gap_from_header(map, g);
		return;
	}
	gap_from_slot(g);
	if (addr < x->u.l.s[s].end && !up)
		slot_prev(map, g); /* inside an entry: the gap before it */
}

/* Whether the gap [s, e) holds w.  The request is passed by value:
 * through a pointer the compiler would reload it after every store to the
 * path. */
static inline bool gap_holds(bsdvm_addr_t s, bsdvm_addr_t e, unsigned pshift, struct gap_want w)
{
	if (w.cls == 0)
		return e - s >= w.len;
	return bt_fit(s, e, pshift, w.cls) >= w.len;
}

static inline bool leaf_holds(const struct bt_node *x, int s, struct gap_want w)
{
	return gap_holds(x->u.l.s[s].end, bt_gap_end(x, s), x->pshift, w);
}

static inline bool child_holds(const struct bt_node *x, int j, struct gap_want w)
{
	if (w.cls == 0)
		return x->u.i.gap[j] >= w.len;
	if (w.cls <= BT_ALIGN_CLASSES)
		return bt_child_fit(x, j, w.cls) >= w.len;
	return bt_child_wide_may_hold(x, j, w.cls, w.len);
}

/* Points the path from level k down at the edge of node[k]'s subtree that
 * a walk in direction dir leaves it by: its last slot going up, its first
 * going down. */
static void path_to_edge(struct bt_path *p, int k, int dir)
{
	p->idx[k] = dir > 0 ? p->node[k]->n - 1 : 0;
	bt_path_fill(p, k, dir > 0);
}

/* Descends from level k (whose idx is set) to the first slot, in direction
 * dir, below it that holds w.  When the summary only bounds what the
 * request needs (an alignment above the widest class kept, or a colour
 * offset: the search is steered by a smaller class than its own), the subtree may
 * hold no fit: then the path is left at the subtree's far edge and the
 * result is false. */
static bool descend_to_gap(struct map_gap *g, int k, struct gap_want w, int dir)
{
	struct bt_path *p = &g->path;

	for (; k < p->depth - 1; k++) {
		struct bt_node *c = p->node[k]->u.i.child[p->idx[k]];
		int j = dir > 0 ? 0 : c->n - 1;

		bt_prefetch(c);
		p->node[k + 1] = c;
		if (k + 1 == p->depth - 1)
			break;
		while (j >= 0 && j < c->n && !child_holds(c, j, w))
			j += dir;
		if (j < 0 || j >= c->n) {
			path_to_edge(p, k + 1, dir);
			return false;
		}
		p->idx[k + 1] = j;
	}
	{
		const struct bt_node *x = p->node[p->depth - 1];
		int s = dir > 0 ? 0 : x->n - 1;

		while (s >= 0 && s < x->n && !leaf_holds(x, s, w))
			s += dir;
		if (s < 0 || s >= x->n) {
			path_to_edge(p, p->depth - 1, dir);
			return false;
		}
		p->idx[p->depth - 1] = s;
	}
	gap_from_slot(g);
	return true;
}

/* Moves the cursor to the nearest gap that holds w in direction dir (+1
 * up, -1 down): first the rest of its leaf, then, level by level up the
 * path, the siblings on that side, descending into the first whose summary
 * says it may hold one (and going on past it when it did not).  False
 * when the tree has none there. */
static bool gap_step(struct map_gap *g, const struct gap_want *wp, int dir)
{
	const struct gap_want w = *wp;
	struct bt_path *p = &g->path;

	for (;;) {
		const struct bt_node *x = p->node[p->depth - 1];
		bool moved = false;

		for (int s = p->idx[p->depth - 1] + dir; s >= 0 && s < x->n; s += dir) {
			if (leaf_holds(x, s, w)) {
				p->idx[p->depth - 1] = s;
				gap_from_slot(g);
				return true;
			}
		}
		for (int k = p->depth - 2; k >= 0 && !moved; k--) {
			const struct bt_node *y = p->node[k];

			for (int j = p->idx[k] + dir; j >= 0 && j < y->n; j += dir) {
				if (child_holds(y, j, w)) {
					p->idx[k] = j;
					if (descend_to_gap(g, k, w, dir))
						return true;
					moved = true; /* resume past that subtree */
					break;
				}
			}
		}
		if (!moved)
			return false;
	}
}

bool map_tree_gap_next(const struct vm_map *map, struct map_gap *g, const struct gap_want *w)
{
	if (g->header) {
		/* every gap of the tree lies above the header's: start from just
		 * before the first slot */
		if (map->bt_root == NULL)
			return false;
		bt_path_leftmost(map, &g->path);
		g->path.idx[g->path.depth - 1] = -1;
	}
	return gap_step(g, w, +1);
}

bool map_tree_gap_prev(const struct vm_map *map, struct map_gap *g, const struct gap_want *w)
{
	if (g->header)
		return false;
	if (gap_step(g, w, -1))
		return true;
	gap_from_header(map, g);
	return gap_holds(g->start, g->end, map->page_shift, *w);
}
