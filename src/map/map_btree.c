/*
 * map_btree.c - the B+tree under the entry index: descents, insertion with
 * splitting, removal with borrowing and merging, and the spare nodes that
 * keep every change all-or-nothing.  The layout and its invariants are
 * described in map_btree.h.
 *
 * Insertion splits full nodes on the way down (so a split never has to
 * climb back up), removal rebalances on the way back up.  A node splits in
 * half, except on the map's rightmost path when the new key goes past its
 * last one: then only the last BT_MIN keys move, so that maps built in
 * address order (fork, exec, a growing heap) end up with 3/4-full nodes.
 */
#include <string.h>

#include "map/map_btree.h"

/* ---- spare nodes ---- */

/* Spares are kept per kind, [1] leaves and [0] inner nodes, which in a
 * map that keeps aligned fits are bigger (struct bt_inner). */
static size_t node_size(const struct vm_map *map, bool leaf)
{
	return leaf || !map->fits ? sizeof(struct bt_node) : sizeof(struct bt_inner);
}

/* Insertions may split every node on their path and add a root: k of
 * them in a row split at most k leaves, and need at most
 * k * depth + k * (k - 1) / 2 inner nodes (the depth grows by one at most
 * per insertion). */
static unsigned nodes_needed(const struct vm_map *map, unsigned entries, bool leaf)
{
	unsigned d = (unsigned)map->bt_depth;

	if (leaf)
		return entries;
	return entries * d + entries * (entries - (entries > 0)) / 2;
}

static int reserve_kind(struct vm_map *map, unsigned entries, bool leaf)
{
	unsigned need = nodes_needed(map, entries, leaf);

	while (map->bt_nfree[leaf] < need) {
		struct bt_node *x = map_obj_alloc(map->plat, node_size(map, leaf));

		if (x == NULL)
			return KERN_RESOURCE_SHORTAGE;
		x->free_next = map->bt_free[leaf];
		map->bt_free[leaf] = x;
		map->bt_nfree[leaf]++;
	}
	return KERN_SUCCESS;
}

int bt_reserve(struct vm_map *map, unsigned entries)
{
	if (reserve_kind(map, entries, true) != KERN_SUCCESS ||
	    reserve_kind(map, entries, false) != KERN_SUCCESS) {
		bt_trim(map);
		return KERN_RESOURCE_SHORTAGE;
	}
	return KERN_SUCCESS;
}

void bt_trim(struct vm_map *map)
{
	for (int leaf = 0; leaf < 2; leaf++) {
		/* keep what the largest common reservation (three entries)
		 * needs, unless the map keeps no spares at all */
		unsigned keep = map->cache_max == 0 ? 0 : nodes_needed(map, 3, leaf);

		while (map->bt_nfree[leaf] > keep) {
			struct bt_node *x = map->bt_free[leaf];

			map->bt_free[leaf] = x->free_next;
			map->bt_nfree[leaf]--;
			map_obj_free(map->plat, x, node_size(map, leaf));
		}
	}
}

static struct bt_node *node_take(struct vm_map *map, bool leaf)
{
	struct bt_node *x = map->bt_free[leaf];

	/* callers reserved: running dry is an engine bug, and crashing here
	 * beats corrupting the map */
	map->bt_free[leaf] = x->free_next;
	map->bt_nfree[leaf]--;
	memset(x, 0, node_size(map, leaf));
	for (int j = 0; j < BT_SLOTS; j++)
		x->key[j] = BT_NONE;
	x->leaf = leaf;
	x->pshift = (uint8_t)map->page_shift;
	x->fits = !leaf && map->fits;
	map->bt_nodes++;
	map->bt_inner += !leaf;
	return x;
}

static void node_release(struct vm_map *map, struct bt_node *x)
{
	bool leaf = x->leaf;

	map->bt_nodes--;
	map->bt_inner -= !leaf;
	/* a map that keeps no spares gives the node back at once; the spares
	 * themselves stay, as the rest of the operation may need them */
	if (map->cache_max == 0) {
		map_obj_free(map->plat, x, node_size(map, leaf));
		return;
	}
	x->free_next = map->bt_free[leaf];
	map->bt_free[leaf] = x;
	map->bt_nfree[leaf]++;
}

/* ---- reading ---- */

bsdvm_size_t bt_node_max_gap(const struct bt_node *x)
{
	bsdvm_size_t g = 0;

	if (x->leaf) {
		for (int s = 0; s < x->n; s++) {
			bsdvm_size_t h = bt_leaf_gap(x, s);

			g = h > g ? h : g;
		}
	} else {
		for (int j = 0; j < x->n; j++)
			g = x->u.i.gap[j] > g ? x->u.i.gap[j] : g;
	}
	return g;
}

/* fit[j] = max(fit[j], fit of [s, e)) for the classes from j up, for a gap
 * whose start is not a multiple of page << j: past its own alignment. */
static void leaf_fits(bsdvm_size_t *fit, bsdvm_addr_t s, bsdvm_addr_t e, unsigned pshift,
    unsigned j)
{
	for (; j <= BT_ALIGN_CLASSES; j++) {
		bsdvm_size_t f = bt_fit(s, e, pshift, j);

		if (f == 0)
			return; /* larger alignments round up at least as far */
		fit[j] = f > fit[j] ? f : fit[j];
	}
}

/* Packs fit[1..] against the largest gap g; fit[j] >= g - (page << j) +
 * page by construction, so each delta fits its field. */
static uint64_t fits_pack(const bsdvm_size_t *fit, bsdvm_size_t g, unsigned ps)
{
	uint64_t packed = 0;

#define PACK(j) packed |= ((g - fit[j]) >> ps) << BT_CLS_OFF(j)
	PACK(1); PACK(2); PACK(3); PACK(4); PACK(5);
	PACK(6); PACK(7); PACK(8); PACK(9); PACK(10);
#undef PACK
	return packed;
}

#if BT_ALIGN_CLASSES != 10
#error "fits_pack, leaf_summary and sum_update spell out the ten classes"
#endif

static bsdvm_size_t leaf_summary(const struct bt_node *x, uint64_t *afitp)
{
	/* whole[t]: the largest gap whose start is a multiple of exactly
	 * page << t (t = BT_ALIGN_CLASSES: or of more); such a gap fits whole
	 * for every class up to t.  Gaps no bigger than page << t fit no
	 * larger class at all: their next boundary of one is at least that
	 * far.  Only the others need leaf_fits. */
	bsdvm_size_t fit[BT_ALIGN_CLASSES + 1], whole[BT_ALIGN_CLASSES + 1];
	bsdvm_size_t g = 0, best = 0, f;
	unsigned ps = x->pshift;
	uint64_t packed = 0;

	memset(fit, 0, sizeof(fit));
	memset(whole, 0, sizeof(whole));
	for (int s = 0; s < x->n; s++) {
		bsdvm_addr_t gs = x->u.l.s[s].end, ge = bt_gap_end(x, s);
		bsdvm_size_t h = ge - gs;
		unsigned t;

		if (h == 0)
			continue;
		/* an entry's end is above 0, so gs has a lowest set bit */
		t = map_ctz(gs) - ps;
		t = t < BT_ALIGN_CLASSES ? t : BT_ALIGN_CLASSES;
		whole[t] = h > whole[t] ? h : whole[t];
		if (t < BT_ALIGN_CLASSES && h > ((bsdvm_size_t)1 << (ps + t)))
			leaf_fits(fit, gs, ge, ps, t + 1);
	}
	for (unsigned j = 0; j <= BT_ALIGN_CLASSES; j++)
		g = whole[j] > g ? whole[j] : g;
	/* from the largest class down: best is the largest gap whose start is
	 * a multiple of page << j or more, and fits class j whole */
#define SUFFIX(j)                                                                  \
	do {                                                                       \
		best = whole[j] > best ? whole[j] : best;                          \
		f = best > fit[j] ? best : fit[j];                                 \
		packed |= ((g - f) >> ps) << BT_CLS_OFF(j);                        \
	} while (0)
	SUFFIX(10); SUFFIX(9); SUFFIX(8); SUFFIX(7); SUFFIX(6);
	SUFFIX(5); SUFFIX(4); SUFFIX(3); SUFFIX(2); SUFFIX(1);
#undef SUFFIX
	*afitp = packed;
	return g;
}

/* The largest fit of class j among inner node c's slots. */
static bsdvm_size_t class_max(const struct bt_node *c, unsigned j)
{
	bsdvm_size_t m = 0;

	for (int i = 0; i < c->n; i++) {
		bsdvm_size_t f = bt_child_fit(c, i, j);

		m = f > m ? f : m;
	}
	return m;
}

static bsdvm_size_t inner_summary(const struct bt_node *x, uint64_t *afitp)
{
	bsdvm_size_t fit[BT_ALIGN_CLASSES + 1], g = bt_node_max_gap(x);

	for (unsigned j = 1; j <= BT_ALIGN_CLASSES; j++)
		fit[j] = class_max(x, j);
	*afitp = fits_pack(fit, g, x->pshift);
	return g;
}

bsdvm_size_t bt_node_summary(const struct bt_node *x, uint64_t *afitp)
{
	return x->leaf ? leaf_summary(x, afitp) : inner_summary(x, afitp);
}

void bt_descend(const struct vm_map *map, bsdvm_addr_t key, struct bt_path *p)
{
	struct bt_node *x = map->bt_root;
	int k;

	p->depth = map->bt_depth;
	bt_prefetch(x);
	for (k = 0; k < p->depth - 1; k++) {
		p->node[k] = x;
		p->idx[k] = bt_rank(x, key);
		x = x->u.i.child[p->idx[k]];
		bt_prefetch(x);
	}
	p->node[k] = x;
	p->idx[k] = x->key[0] <= key ? bt_rank(x, key) : -1;
}

void bt_find_entry(const struct vm_map *map, const struct vm_map_entry *e, struct bt_path *p)
{
	bt_descend(map, e->start, p);
	/* the caller passes an entry of this map: its start is a key */
}

void bt_path_fill(struct bt_path *p, int k, bool last)
{
	for (; k < p->depth - 1; k++) {
		struct bt_node *c = p->node[k]->u.i.child[p->idx[k]];

		p->node[k + 1] = c;
		p->idx[k + 1] = last ? c->n - 1 : 0;
	}
}

void bt_path_leftmost(const struct vm_map *map, struct bt_path *p)
{
	p->depth = map->bt_depth;
	p->node[0] = map->bt_root;
	p->idx[0] = 0;
	bt_path_fill(p, 0, false);
}

bool bt_path_prev_leaf(struct bt_path *p)
{
	for (int k = p->depth - 2; k >= 0; k--) {
		if (p->idx[k] > 0) {
			p->idx[k]--;
			bt_path_fill(p, k, true);
			return true;
		}
	}
	return false;
}

/* ---- keeping the inner nodes' summaries right ---- */

/*
 * Inner node c's summary (*gp, *ap) after one of its slots changed from
 * (og, oa) to (ng, na), without reading the other slots where it can be
 * helped: a maximum can only rise to the new value, or stay, unless it fell
 * with the old value, which may have been the only one to reach it.  Only
 * such a maximum is recomputed from all slots.
 */
static void sum_update(const struct bt_node *c, bsdvm_size_t *gp, uint64_t *ap,
    bsdvm_size_t og, uint64_t oa, bsdvm_size_t ng, uint64_t na)
{
	unsigned ps = c->pshift;
	bsdvm_size_t g = *gp, top = ng >= g ? ng : og == g ? bt_node_max_gap(c) : g;
	/* in pages, where a class's fit is the gap less its field */
	uint64_t pg = g >> ps, po = og >> ps, pn = ng >> ps, pt = top >> ps, a = *ap;
	uint64_t packed = 0;

#define FIELD(w, j) (((w) >> BT_CLS_OFF(j)) & BT_CLS_MASK(j))
#define CLASS(j)                                                                   \
	do {                                                                       \
		uint64_t sf = pg - FIELD(a, j), nf = pn - FIELD(na, j);            \
		if (nf >= sf)                                                      \
			sf = nf;                                                   \
		else if (po - FIELD(oa, j) == sf)                                  \
			sf = class_max(c, j) >> ps;                                \
		packed |= (pt - sf) << BT_CLS_OFF(j);                              \
	} while (0)
	CLASS(1); CLASS(2); CLASS(3); CLASS(4); CLASS(5);
	CLASS(6); CLASS(7); CLASS(8); CLASS(9); CLASS(10);
#undef CLASS
#undef FIELD
	*gp = top;
	*ap = packed;
}

/* What x caches for child c: c's largest gap and, in a map that keeps
 * them, its fits (else 0). */
static bsdvm_size_t child_summary(const struct bt_node *x, const struct bt_node *c,
    uint64_t *afitp)
{
	if (x->fits)
		return bt_node_summary(c, afitp);
	*afitp = 0;
	return bt_node_max_gap(c);
}

/*
 * Brings the keys and summaries of p's inner nodes up to date, leaf first.
 * Nodes at levels >= top had their slots rearranged (a rebalance), so
 * their summaries are recomputed from all their slots, and the walk goes
 * on through them; above, each node has only the slot on the path
 * changed, so in a map that keeps fits its summary follows from the one
 * cached for it and that slot's old and new values, and the walk stops at
 * the first level where nothing changed.
 */
static void fix_up(struct bt_path *p, int top)
{
	bsdvm_size_t og = 0, ng = 0;
	uint64_t oa = 0, na = 0;

	for (int k = p->depth - 2; k >= 0; k--) {
		struct bt_node *x = p->node[k], *c = p->node[k + 1];
		int i = p->idx[k];
		bsdvm_size_t g = x->u.i.gap[i];
		uint64_t a = x->fits ? bt_afit(x)[i] : 0;

		if (c->leaf || k + 1 >= top || !x->fits)
			g = child_summary(x, c, &a);
		else
			sum_update(c, &g, &a, og, oa, ng, na);
		if (k < top && x->key[i] == c->key[0] && x->u.i.gap[i] == g &&
		    (!x->fits || bt_afit(x)[i] == a))
			return; /* nothing above can change */
		og = x->u.i.gap[i];
		ng = g;
		x->key[i] = c->key[0];
		x->u.i.gap[i] = g;
		if (x->fits) {
			oa = bt_afit(x)[i];
			na = a;
			bt_afit(x)[i] = a;
		}
	}
}

void bt_fix_path(struct bt_path *p)
{
	fix_up(p, p->depth);
}

void bt_first_start_changed(struct bt_path *p)
{
	struct bt_path q = *p;
	bsdvm_addr_t first = p->node[p->depth - 1]->key[0];

	if (bt_path_prev_leaf(&q)) {
		q.node[q.depth - 1]->u.l.next_start = first;
		bt_fix_path(&q);
	}
}

/* ---- moving slots ---- */

/* Copies n slots of src from s to dst at d (same kind of node; ranges in
 * different nodes, or overlapping within one: memmove). */
static void slots_move(struct bt_node *dst, int d, struct bt_node *src, int s, int n)
{
	if (n <= 0)
		return;
	memmove(&dst->key[d], &src->key[s], (size_t)n * sizeof(dst->key[0]));
	if (dst->leaf) {
		memmove(&dst->u.l.s[d], &src->u.l.s[s], (size_t)n * sizeof(dst->u.l.s[0]));
	} else {
		memmove(&dst->u.i.gap[d], &src->u.i.gap[s], (size_t)n * sizeof(dst->u.i.gap[0]));
		if (dst->fits)
			memmove(&bt_afit(dst)[d], &bt_afit(src)[s], (size_t)n * sizeof(uint64_t));
		memmove(&dst->u.i.child[d], &src->u.i.child[s],
		    (size_t)n * sizeof(dst->u.i.child[0]));
	}
}

/* Marks slots from..BT_SLOTS-1 unused. */
static void slots_clear(struct bt_node *x, int from)
{
	for (int j = from; j < BT_SLOTS; j++) {
		x->key[j] = BT_NONE;
		if (x->leaf) {
			x->u.l.s[j].end = 0;
			x->u.l.s[j].ent = NULL;
		} else {
			x->u.i.gap[j] = 0;
			if (x->fits)
				bt_afit(x)[j] = 0;
			x->u.i.child[j] = NULL;
		}
	}
}

/* Opens slot i of x (x not full). */
static void slot_open(struct bt_node *x, int i)
{
	slots_move(x, i + 1, x, i, x->n - i);
	x->n++;
}

/* Closes slot i of x. */
static void slot_close(struct bt_node *x, int i)
{
	slots_move(x, i, x, i + 1, x->n - i - 1);
	x->n--;
	slots_clear(x, x->n);
}

static void set_child(struct bt_node *x, int i, struct bt_node *c)
{
	uint64_t a;

	x->key[i] = c->key[0];
	x->u.i.gap[i] = child_summary(x, c, &a);
	if (x->fits)
		bt_afit(x)[i] = a;
	x->u.i.child[i] = c;
}

/* ---- insertion ---- */

/* Splits the full child i of x; the upper part becomes child i + 1. */
static void split_child(struct vm_map *map, struct bt_node *x, int i, bool append)
{
	struct bt_node *c = x->u.i.child[i];
	struct bt_node *r = node_take(map, c->leaf);
	/* appending: the new node gets only BT_MIN keys (and the new one),
	 * so it is as full as a node may be while the old one stays 3/4 full */
	int m = append ? BT_SLOTS - BT_MIN : BT_SLOTS / 2;

	slots_move(r, 0, c, m, BT_SLOTS - m);
	r->n = (uint16_t)(BT_SLOTS - m);
	c->n = (uint16_t)m;
	slots_clear(c, m);
	if (c->leaf) {
		r->u.l.next_start = c->u.l.next_start;
		c->u.l.next_start = r->key[0];
	}
	slot_open(x, i + 1);
	set_child(x, i, c);
	set_child(x, i + 1, r);
}

static void leaf_put(struct bt_node *x, int s, const struct vm_map_entry *e)
{
	x->key[s] = e->start;
	x->u.l.s[s].end = e->end;
	x->u.l.s[s].ent = (struct vm_map_entry *)e;
}

void bt_insert(struct vm_map *map, struct vm_map_entry *e)
{
	bsdvm_addr_t key = e->start;
	struct bt_path p;
	struct bt_node *x;
	bool rightmost = true;
	int k, s;

	if (map->bt_root == NULL) {
		x = node_take(map, true);
		x->u.l.next_start = map_max(map);
		map->bt_root = x;
		map->bt_depth = 1;
	}
	if (map->bt_root->n == BT_SLOTS) {
		struct bt_node *old = map->bt_root;

		x = node_take(map, false);
		x->n = 1;
		set_child(x, 0, old);
		map->bt_root = x;
		map->bt_depth++;
		split_child(map, x, 0, key > old->key[BT_SLOTS - 1]);
	}
	x = map->bt_root;
	bt_prefetch(x);
	p.depth = map->bt_depth;
	for (k = 0; k < p.depth - 1; k++) {
		int i = bt_rank(x, key);
		struct bt_node *c = x->u.i.child[i];

		bt_prefetch(c);
		rightmost = rightmost && i == x->n - 1;
		if (c->n == BT_SLOTS) {
			split_child(map, x, i, rightmost && key > c->key[BT_SLOTS - 1]);
			if (key >= x->key[i + 1])
				i++;
			c = x->u.i.child[i];
			rightmost = rightmost && i == x->n - 1;
		}
		p.node[k] = x;
		p.idx[k] = i;
		x = c;
	}
	/* x is a leaf with room; slot 0 only in the leftmost leaf, since every
	 * other leaf's first key is <= key */
	s = x->n > 0 && x->key[0] <= key ? bt_rank(x, key) + 1 : 0;
	slot_open(x, s);
	leaf_put(x, s, e);
	p.node[k] = x;
	p.idx[k] = s;
	bt_fix_path(&p);
}

/* ---- removal ---- */

/* Child i + 1 of x goes into child i. */
static void merge_children(struct vm_map *map, struct bt_node *x, int i)
{
	struct bt_node *a = x->u.i.child[i], *b = x->u.i.child[i + 1];

	slots_move(a, a->n, b, 0, b->n);
	a->n = (uint16_t)(a->n + b->n);
	if (a->leaf)
		a->u.l.next_start = b->u.l.next_start;
	node_release(map, b);
	slot_close(x, i + 1);
	set_child(x, i, a);
}

/* Evens out children i and i + 1 of x, which together hold more than a
 * node can.  Returns how many slots moved from i to i + 1 (negative when
 * they moved the other way). */
static int balance_children(struct bt_node *x, int i)
{
	struct bt_node *a = x->u.i.child[i], *b = x->u.i.child[i + 1];
	int total = a->n + b->n, move = a->n - total / 2;

	if (move > 0) {
		slots_move(b, move, b, 0, b->n);
		slots_move(b, 0, a, a->n - move, move);
		slots_clear(a, a->n - move);
	} else if (move < 0) {
		slots_move(a, a->n, b, 0, -move);
		slots_move(b, 0, b, -move, b->n + move);
		slots_clear(b, b->n + move);
	}
	a->n = (uint16_t)(total / 2);
	b->n = (uint16_t)(total - total / 2);
	if (a->leaf)
		a->u.l.next_start = b->key[0];
	set_child(x, i, a);
	set_child(x, i + 1, b);
	return move;
}

/* Restores the minimum fill along p after a removal from its leaf.
 * Returns the highest level (smallest number) whose node's slots it
 * rearranged, or p->depth when it changed nothing. */
static int rebalance(struct vm_map *map, struct bt_path *p)
{
	int top = p->depth;

	for (int k = p->depth - 1; k > 0; k--) {
		struct bt_node *x = p->node[k], *parent = p->node[k - 1];
		int i = p->idx[k - 1];
		int left = i > 0 ? i - 1 : i; /* the pair is children left, left + 1 */
		struct bt_node *a = parent->u.i.child[left], *b = parent->u.i.child[left + 1];

		if (x->n >= BT_MIN)
			break;
		top = k - 1;
		if (a->n + b->n <= BT_SLOTS) {
			if (x == b)
				p->idx[k] += a->n;
			merge_children(map, parent, left);
			p->node[k] = a;
			p->idx[k - 1] = left;
		} else {
			int moved = balance_children(parent, left);

			/* x is the underfull one, so slots always move toward
			 * it: moved > 0 when x is b (its slots shift right),
			 * and when x is a its own slots stay put (the branch
			 * moving the path into b is a guard, never taken with
			 * BT_MIN < BT_SLOTS / 2) */
			if (x == b)
				p->idx[k] += moved;
			else if (p->idx[k] >= a->n) {
				/* the path's slot moved into b */
				p->idx[k] -= a->n;
				p->node[k] = b;
				p->idx[k - 1] = left + 1;
			}
			break;
		}
	}
	return top;
}


void bt_remove(struct vm_map *map, struct vm_map_entry *e)
{
	struct bt_path p;
	struct bt_node *leaf;
	int s;

	bt_find_entry(map, e, &p);
	leaf = p.node[p.depth - 1];
	s = p.idx[p.depth - 1];
	slot_close(leaf, s);
	if (leaf->n == 0) {
		/* only a root leaf may empty: the others hold BT_MIN or more */
		node_release(map, leaf);
		map->bt_root = NULL;
		map->bt_depth = 0;
		return;
	}
	/* the path must point at a live slot for the fix-ups below */
	if (s == leaf->n)
		p.idx[p.depth - 1] = s - 1;
	if (s == 0)
		bt_first_start_changed(&p);
	fix_up(&p, rebalance(map, &p));
	while (map->bt_depth > 1 && map->bt_root->n == 1) {
		struct bt_node *old = map->bt_root;

		map->bt_root = old->u.i.child[0];
		map->bt_depth--;
		node_release(map, old);
	}
}
