/*
 * map_gap.c - walking the free gaps of a map in address order, skipping
 * whole subtrees whose largest gap is too small: each step to the next (or
 * previous) big-enough gap is O(log n), and reads only the index.
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

/* Descends from level k (whose idx is set) to the first (or last) slot
 * below it that owns a gap >= need; the subtree is known to have one. */
static void descend_to_gap(struct map_gap *g, int k, bsdvm_size_t need, bool last)
{
	struct bt_path *p = &g->path;

	for (; k < p->depth - 1; k++) {
		struct bt_node *c = p->node[k]->u.i.child[p->idx[k]];
		int j;

		bt_prefetch(c);
		p->node[k + 1] = c;
		if (k + 1 == p->depth - 1)
			break;
		if (last)
			for (j = c->n - 1; c->u.i.gap[j] < need; j--)
				;
		else
			for (j = 0; c->u.i.gap[j] < need; j++)
				;
		p->idx[k + 1] = j;
	}
	{
		const struct bt_node *x = p->node[p->depth - 1];
		int s;

		if (last)
			for (s = x->n - 1; bt_leaf_gap(x, s) < need; s--)
				;
		else
			for (s = 0; bt_leaf_gap(x, s) < need; s++)
				;
		p->idx[p->depth - 1] = s;
	}
	gap_from_slot(g);
}

/* Moves the cursor to the nearest gap of at least need bytes in direction
 * dir (+1 up, -1 down): first the rest of its leaf, then, level by level
 * up the path, the siblings on that side, descending into the first whose
 * summary says it holds one.  False when the tree has none there. */
static bool gap_step(struct map_gap *g, bsdvm_size_t need, int dir)
{
	struct bt_path *p = &g->path;
	const struct bt_node *x = p->node[p->depth - 1];

	for (int s = p->idx[p->depth - 1] + dir; s >= 0 && s < x->n; s += dir) {
		if (bt_leaf_gap(x, s) >= need) {
			p->idx[p->depth - 1] = s;
			gap_from_slot(g);
			return true;
		}
	}
	for (int k = p->depth - 2; k >= 0; k--) {
		const struct bt_node *y = p->node[k];

		for (int j = p->idx[k] + dir; j >= 0 && j < y->n; j += dir) {
			if (y->u.i.gap[j] >= need) {
				p->idx[k] = j;
				descend_to_gap(g, k, need, dir < 0);
				return true;
			}
		}
	}
	return false;
}

bool map_tree_gap_next(const struct vm_map *map, struct map_gap *g, bsdvm_size_t need)
{
	if (g->header) {
		/* every gap of the tree lies above the header's: start from just
		 * before the first slot */
		if (map->bt_root == NULL)
			return false;
		bt_path_leftmost(map, &g->path);
		g->path.idx[g->path.depth - 1] = -1;
	}
	return gap_step(g, need, +1);
}

bool map_tree_gap_prev(const struct vm_map *map, struct map_gap *g, bsdvm_size_t need)
{
	if (g->header)
		return false;
	if (gap_step(g, need, -1))
		return true;
	gap_from_header(map, g);
	return g->end - g->start >= need;
}
