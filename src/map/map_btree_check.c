/*
 * map_btree_check.c - the index half of vm_map_check(): walks every node
 * and recomputes from the entries themselves what the index caches (keys,
 * bounds, gaps, the largest gap and the largest aligned fits under each
 * child), so a stale summary anywhere is found, not trusted.  The fits are
 * recomputed gap by gap with bt_fit, not with the code that maintains them.
 */
#include <string.h>

#include "map/map_btree.h"

struct bt_walk {
	struct map_checker *c;
	struct vm_map_entry *expect; /* the entry the in-order walk must meet next */
	uint64_t nodes, inner;
};

#define fail(w, ...) map_check_fail((w)->c, __VA_ARGS__)

static bool check_slots(struct bt_walk *c, const struct bt_node *x, int level)
{
	int lo = level == 0 ? (x->leaf ? 1 : 2) : BT_MIN;

	if (x->n < lo || x->n > BT_SLOTS)
		return fail(c, "index node at level %d holds %d keys (allowed %d..%d)",
		    level, x->n, lo, BT_SLOTS);
	for (int j = 0; j < BT_SLOTS; j++) {
		if (j >= x->n && x->key[j] != BT_NONE)
			return fail(c, "index node at level %d: unused slot %d has a key", level, j);
		if (j > 0 && j < x->n && x->key[j - 1] >= x->key[j])
			return fail(c, "index node at level %d: keys out of order at slot %d",
			    level, j);
	}
	return true;
}

/* Whether inner node x caches no fits for slot j (an unused slot). */
static bool fits_clear(const struct bt_node *x, int j)
{
	for (int k = 0; k < BT_ALIGN_CLASSES; k++)
		if (bt_cafit(x)[j][k] != 0)
			return false;
	return bt_cwn(x)[j] == 0;
}

/* What an inner node must cache for a child: its largest gap and largest
 * fit of every class, wide ones included. */
#define CHK_CLASSES (BT_ALIGN_CLASSES + BT_WIDE_MAX)
struct chk_sum {
	bsdvm_size_t gap;
	bsdvm_size_t fit[CHK_CLASSES + 1];
};

static void sum_add(struct chk_sum *m, const struct chk_sum *c)
{
	m->gap = c->gap > m->gap ? c->gap : m->gap;
	for (int j = 1; j <= CHK_CLASSES; j++)
		m->fit[j] = c->fit[j] > m->fit[j] ? c->fit[j] : m->fit[j];
}

/* The wide classes under child j of x: the count of those that fit
 * something must be exact (the code that combines summaries reads only
 * the counted ones), and an inner child's own row must hold their fits. */
static bool check_wide(struct bt_walk *c, const struct bt_node *x, int j, int level,
    const struct chk_sum *cs)
{
	const struct bt_node *ch = x->u.i.child[j];
	unsigned n = 0;

	while (n < x->nbig && cs->fit[BT_ALIGN_CLASSES + 1 + n] != 0)
		n++;
	if (bt_cwn(x)[j] != n)
		return fail(c, "index node at level %d: child %d counts %u wide classes that "
		    "fit, real %u", level, j, bt_cwn(x)[j], n);
	for (unsigned k = 0; k < n && !ch->leaf; k++)
		if (bt_cwrow(ch)[k] != cs->fit[BT_ALIGN_CLASSES + 1 + k])
			return fail(c, "index node at level %d: largest fit aligned to %#llx "
			    "under child %d kept as %#llx, real %#llx", level + 1,
			    (unsigned long long)c->c->map->page_size << (BT_ALIGN_CLASSES + 1 + k),
			    j, (unsigned long long)bt_cwrow(ch)[k],
			    (unsigned long long)cs->fit[BT_ALIGN_CLASSES + 1 + k]);
	return true;
}

static bool check_leaf(struct bt_walk *c, const struct bt_node *x, struct chk_sum *sum)
{
	bsdvm_size_t g = 0;

	for (int s = 0; s < BT_SLOTS; s++) {
		const struct vm_map_entry *e = x->u.l.s[s].ent;
		unsigned long long a;

		if (s >= x->n) {
			if (e != NULL)
				return fail(c, "index leaf: unused slot %d points at an entry", s);
			continue;
		}
		if (e != c->expect || e == MAP_HEADER(c->c->map))
			return fail(c, "index leaf: slot %d is not the next entry in list order", s);
		a = e->start;
		if (x->key[s] != e->start || x->u.l.s[s].end != e->end)
			return fail(c, "entry [%#llx,%#llx): the index holds [%#llx,%#llx)", a,
			    (unsigned long long)e->end, (unsigned long long)x->key[s],
			    (unsigned long long)x->u.l.s[s].end);
		if (bt_leaf_gap(x, s) != e->next->start - e->end)
			return fail(c, "entry [%#llx,%#llx): the index's gap after it is stale", a,
			    (unsigned long long)e->end);
		if (bt_leaf_gap(x, s) > g)
			g = bt_leaf_gap(x, s);
		for (unsigned j = 1; j <= BT_ALIGN_CLASSES + (unsigned)x->nbig; j++) {
			bsdvm_size_t f = bt_fit(e->end, e->next->start, x->pshift, j);

			sum->fit[j] = f > sum->fit[j] ? f : sum->fit[j];
		}
		c->expect = e->next;
	}
	sum->gap = g;
	return true;
}

static bool check_node(struct bt_walk *c, const struct bt_node *x, int level,
    struct chk_sum *sum)
{

	if (x == NULL)
		return fail(c, "index: missing node at level %d", level);
	if (level >= c->c->map->bt_depth || level >= BT_MAXDEPTH)
		return fail(c, "index: node below the leaf level (%d)", c->c->map->bt_depth);
	c->nodes++;
	c->inner += !x->leaf;
	if ((bool)x->leaf != (level == c->c->map->bt_depth - 1))
		return fail(c, "index: %s at level %d of %d", x->leaf ? "leaf" : "inner node",
		    level, c->c->map->bt_depth);
	if (!check_slots(c, x, level))
		return false;
	if (x->pshift != c->c->map->page_shift)
		return fail(c, "index node at level %d: page shift %u, the map's is %u", level,
		    x->pshift, c->c->map->page_shift);
	if ((bool)x->fits != (!x->leaf && c->c->map->fits))
		return fail(c, "index node at level %d %s fits", level,
		    x->fits ? "keeps" : "lacks");
	if (x->nbig != c->c->map->nbig || x->nbig > BT_WIDE_MAX)
		return fail(c, "index node at level %d keeps %u wide classes, the map %u",
		    level, x->nbig, c->c->map->nbig);
	memset(sum, 0, sizeof(*sum));
	if (x->leaf)
		return check_leaf(c, x, sum);
	for (int j = 0; j < BT_SLOTS; j++) {
		const struct bt_node *ch = x->u.i.child[j];
		struct chk_sum cs;

		if (j >= x->n) {
			if (ch != NULL)
				return fail(c, "index node at level %d: unused slot %d has a child",
				    level, j);
			if (x->u.i.gap[j] != 0 || (x->fits && !fits_clear(x, j)))
				return fail(c, "index node at level %d: unused slot %d has a summary",
				    level, j);
			continue;
		}
		if (!check_node(c, ch, level + 1, &cs))
			return false;
		if (x->key[j] != ch->key[0])
			return fail(c, "index node at level %d: key %d is %#llx, its child starts "
			    "at %#llx", level, j, (unsigned long long)x->key[j],
			    (unsigned long long)ch->key[0]);
		if (x->u.i.gap[j] != cs.gap)
			return fail(c, "index node at level %d: largest gap under child %d cached "
			    "as %#llx, real %#llx", level, j, (unsigned long long)x->u.i.gap[j],
			    (unsigned long long)cs.gap);
		if (x->fits && !check_wide(c, x, j, level, &cs))
			return false;
		if ((bool)x->low != ch->leaf)
			return fail(c, "index node at level %d: %s low, child %d is %s", level,
			    x->low ? "marked" : "not marked", j, ch->leaf ? "a leaf" : "not a leaf");
		for (unsigned k = 1; k <= BT_ALIGN_CLASSES && x->fits; k++)
			if (bt_child_fit(x, j, k) != cs.fit[k])
				return fail(c, "index node at level %d: largest fit aligned to "
				    "%#llx under child %d cached as %#llx, real %#llx", level,
				    (unsigned long long)c->c->map->page_size << k, j,
				    (unsigned long long)bt_child_fit(x, j, k),
				    (unsigned long long)cs.fit[k]);
		sum_add(sum, &cs);
	}
	return true;
}

/* The map's finger, when it has one (map_btree.h), must be a path of the
 * index as it is: from the root, each node the child its parent holds at
 * the recorded slot, down to a leaf.  A change that moved nodes and left
 * the finger off the index (a rebalance that lost track of its path, say)
 * fails here before a later change follows it. */
static bool check_finger(struct bt_walk *w, const struct vm_map *map)
{
	const struct bt_path *f = &map->finger;

	if (f->depth == 0)
		return true;
	if (f->depth != map->bt_depth || f->node[0] != map->bt_root)
		return fail(w, "finger: depth %d from %s, the index has depth %d", f->depth,
		    f->node[0] == map->bt_root ? "the root" : "a node that is not the root",
		    map->bt_depth);
	for (int k = 0; k < f->depth; k++) {
		const struct bt_node *x = f->node[k];
		bool last = k == f->depth - 1;

		if (x->leaf != last)
			return fail(w, "finger: level %d is %s", k, x->leaf ? "a leaf" : "not a leaf");
		if (!last && (f->idx[k] < 0 || f->idx[k] >= x->n ||
		    x->u.i.child[f->idx[k]] != f->node[k + 1]))
			return fail(w, "finger: level %d does not lead to level %d", k, k + 1);
	}
	return true;
}

bool map_check_index(struct map_checker *chk)
{
	struct vm_map *map = chk->map;
	struct bt_walk w = { chk, map->header.next, 0, 0 };
	const struct bt_node *x;
	struct chk_sum sum;

	if (map->bt_root == NULL) {
		if (map->bt_depth != 0 || map->bt_nodes != 0)
			return fail(&w, "index: no root, but depth %d and %llu nodes", map->bt_depth,
			    (unsigned long long)map->bt_nodes);
	} else if (check_node(&w, map->bt_root, 0, &sum)) {
		if (w.nodes != map->bt_nodes)
			fail(&w, "index holds %llu nodes, the map counts %llu",
			    (unsigned long long)w.nodes, (unsigned long long)map->bt_nodes);
	}
	if (chk->ok && w.expect != MAP_HEADER(map))
		fail(&w, "list has entries the index lacks");
	if (chk->ok)
		check_finger(&w, map);
	if (chk->ok && w.inner != map->bt_inner)
		fail(&w, "index holds %llu inner nodes, the map counts %llu",
		    (unsigned long long)w.inner, (unsigned long long)map->bt_inner);
	for (int leaf = 0; leaf < 2 && chk->ok; leaf++) {
		unsigned spares = 0;

		for (x = map->bt_free[leaf]; x != NULL; x = x->free_next)
			if (++spares > map->bt_nfree[leaf])
				break;
		if (spares != map->bt_nfree[leaf])
			fail(&w, "index spare %s: %u on the list, the map counts %u",
			    leaf ? "leaves" : "inner nodes", spares, map->bt_nfree[leaf]);
	}
	return chk->ok;
}
