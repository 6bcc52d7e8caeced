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

#include "map/map_fits.h"

/* ---- spare nodes ---- */

/* Spares are kept per kind, [1] leaves and [0] inner nodes, which in a
 * map that keeps aligned fits are bigger (struct bt_inner, and the wide
 * classes the map keeps behind it). */
size_t bt_node_bytes(const struct vm_map *map, bool leaf)
{
	if (leaf || !map->fits)
		return sizeof(struct bt_node);
	return sizeof(struct bt_inner) + bt_wide_bytes(map->nbig);
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
		struct bt_node *x = map_obj_alloc(map->plat, bt_node_bytes(map, leaf));

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
			map_obj_free(map->plat, x, bt_node_bytes(map, leaf));
		}
	}
}

void bt_set_wide(struct vm_map *map, unsigned nbig)
{
	while (map->bt_free[0] != NULL) {
		struct bt_node *x = map->bt_free[0];

		map->bt_free[0] = x->free_next;
		map->bt_nfree[0]--;
		map_obj_free(map->plat, x, bt_node_bytes(map, false));
	}
	map->nbig = nbig;
}

static struct bt_node *node_take(struct vm_map *map, bool leaf)
{
	struct bt_node *x = map->bt_free[leaf];

	/* callers reserved: running dry is an engine bug, and crashing here
	 * beats corrupting the map */
	map->bt_free[leaf] = x->free_next;
	map->bt_nfree[leaf]--;
	/* the row of wide fits too: set_child compares it with the new one
	 * before writing it, when the count in the slot it fills matches */
	memset(x, 0, bt_node_bytes(map, leaf));
	for (int j = 0; j < BT_SLOTS; j++)
		x->key[j] = BT_NONE;
	x->leaf = leaf;
	x->pshift = (uint8_t)map->page_shift;
	x->fits = !leaf && map->fits;
	x->nbig = (uint8_t)map->nbig; /* leaves too: their summaries count them */
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
		map_obj_free(map->plat, x, bt_node_bytes(map, leaf));
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

/* ---- the finger (map_btree.h) ---- */

/* The finger is no path any more (the root it started from went). */
static void finger_drop(struct vm_map *map)
{
	map->finger.depth = 0;
}

/* Whether the map has a finger: then it is a path of the index as it is
 * (map_btree.h says who keeps it so; vm_map_check verifies it). */
static inline bool finger_good(const struct vm_map *map)
{
	return map->finger.depth != 0;
}

/*
 * Whether a descent toward key would end in the finger's leaf, so that the
 * finger is that descent.  At every level a descent takes the child whose
 * lowest key is at most key and whose next sibling's is above it; the
 * inner nodes' keys are exact, so for the leaf that is: its first key at
 * most key (or it is the first leaf, which also takes keys below every
 * entry), and key below next_start, the next leaf's first key.
 */
static bool finger_covers(const struct vm_map *map, bsdvm_addr_t key)
{
	const struct bt_path *f = &map->finger;
	const struct bt_node *x;

	if (!finger_good(map))
		return false;
	x = f->node[f->depth - 1];
	if (key >= x->u.l.next_start)
		return false;
	if (x->key[0] <= key)
		return true;
	for (int k = 0; k < f->depth - 1; k++)
		if (f->idx[k] != 0)
			return false;
	return true;
}

struct bt_path *bt_descend_finger(struct vm_map *map, bsdvm_addr_t addr)
{
	bt_descend(map, addr, &map->finger);
	return &map->finger;
}

struct bt_path *bt_lookup_finger(struct vm_map *map, bsdvm_addr_t addr)
{
	struct bt_path *f = &map->finger;
	const struct bt_node *x;

	if (!finger_covers(map, addr))
		return bt_descend_finger(map, addr);
	x = f->node[f->depth - 1];
	f->idx[f->depth - 1] = x->key[0] <= addr ? bt_rank(x, addr) : -1;
	return f;
}

struct bt_path *bt_entry_path(struct vm_map *map, const struct vm_map_entry *e)
{
	struct bt_path *f = &map->finger;

	/* Often the finger already stands on e: the lookup that found it,
	 * or the change just before, left it there.  A path that ends at
	 * e's slot is the descent toward e->start, the only path to that
	 * leaf. */
	if (finger_good(map)) {
		const struct bt_node *x = f->node[f->depth - 1];
		int s = f->idx[f->depth - 1];

		if (s >= 0 && s < x->n && x->u.l.s[s].ent == e)
			return f;
	}
	/* otherwise e's start is a key of the leaf reached: idx is its slot */
	return bt_lookup_finger(map, e->start);
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

/* What x caches for child c: c's summary, with fits when x keeps them
 * (and the wide ones unless !wide, see map_fits.h). */
static void child_summary(const struct bt_node *x, const struct bt_node *c, bool wide,
    struct bt_sum *out)
{
	bt_sum_of_node(c, x->fits, wide, out);
}

/* fix_up for a map that keeps no fits: the same walk on largest gaps
 * alone, without the summaries' lanes. */
static void fix_up_gaps(struct bt_path *p, int top, const struct bt_sum *leaf)
{
	bsdvm_size_t og = 0, ng = 0;

	for (int k = p->depth - 2; k >= 0; k--) {
		struct bt_node *x = p->node[k], *c = p->node[k + 1];
		int i = p->idx[k];
		bsdvm_size_t cur = x->u.i.gap[i], g;

		if (c->leaf && leaf != NULL && k + 1 < top)
			g = leaf->g;
		else if (c->leaf || k + 1 >= top || (ng < cur && og == cur))
			g = bt_node_max_gap(c); /* rearranged, or the maximum fell */
		else
			g = ng > cur ? ng : cur;
		if (k < top && x->key[i] == c->key[0] && cur == g)
			return; /* nothing above can change */
		x->key[i] = c->key[0];
		x->u.i.gap[i] = g;
		og = cur;
		ng = g;
	}
}

/*
 * Brings the keys and summaries of p's inner nodes up to date, leaf first.
 * Nodes at levels >= top had their slots rearranged (a rebalance), so
 * their summaries are recomputed from all their slots, and the walk goes
 * on through them; above, each node has only the slot on the path
 * changed, so its summary follows from the one cached for it and that
 * slot's old and new values (bt_sum_update), and the walk stops at the
 * first level where nothing changed.  When the caller knows the leaf's
 * new summary, it passes it in leaf, sparing a pass over the leaf's gaps;
 * it is used only if the leaf was not rearranged (top is the depth).
 * wide is false when the change left every wide fit of the leaf's gaps as
 * it was (map_fits.h): then the levels not rearranged skip them.
 */
static void fix_up(struct bt_path *p, int top, const struct bt_sum *leaf, bool wide)
{
	struct bt_sum old, new, cur, t;

	if (!p->node[0]->fits) {
		fix_up_gaps(p, top, leaf);
		return;
	}
	bt_sum_zero(&old); /* read from the second level up only */
	bt_sum_zero(&new);
	for (int k = p->depth - 2; k >= 0; k--) {
		struct bt_node *x = p->node[k], *c = p->node[k + 1];
		int i = p->idx[k];
		bool w = wide || k + 1 >= top; /* moved slots need everything */

		bt_sum_load(x, i, &cur, w);
		if (c->leaf && leaf != NULL && k + 1 < top)
			bt_sum_copy(&t, leaf);
		else if (c->leaf || k + 1 >= top)
			child_summary(x, c, w, &t);
		else
			bt_sum_update(c, &cur, &old, &new, &t, w);
		if (!bt_sum_store(x, i, &t, w) && k < top && x->key[i] == c->key[0])
			return; /* nothing above can change */
		x->key[i] = c->key[0];
		bt_sum_copy(&old, &cur);
		bt_sum_copy(&new, &t);
	}
}

/* What p's leaf's parent caches for it (the leaf is not the root). */
static void cached_sum(const struct bt_path *p, struct bt_sum *out)
{
	bt_sum_load(p->node[p->depth - 2], p->idx[p->depth - 2], out, true);
}

void bt_fix_path(struct bt_path *p)
{
	fix_up(p, p->depth, NULL, true);
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

/* slots_move's part for inner nodes, which move far less often than
 * leaves (once per leaf split or merge): kept out of line, so that the
 * leaves' part stays small enough to inline. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void inner_slots_move(struct bt_node *dst, int d, struct bt_node *src, int s, int n)
{
	memmove(&dst->u.i.gap[d], &src->u.i.gap[s], (size_t)n * sizeof(dst->u.i.gap[0]));
	if (dst->fits) {
		memmove(&bt_afit(dst)[d], &bt_afit(src)[s], (size_t)n * sizeof(bt_afit(dst)[0]));
		/* a child's wide fits live in the child: only the counts move */
		memmove(&bt_wn(dst)[d], &bt_wn(src)[s], (size_t)n);
	}
	memmove(&dst->u.i.child[d], &src->u.i.child[s], (size_t)n * sizeof(dst->u.i.child[0]));
}

/* Copies n slots of src from s to dst at d (same kind of node; ranges in
 * different nodes, or overlapping within one: memmove). */
static inline void slots_move(struct bt_node *dst, int d, struct bt_node *src, int s, int n)
{
	if (n <= 0)
		return;
	memmove(&dst->key[d], &src->key[s], (size_t)n * sizeof(dst->key[0]));
	if (dst->leaf)
		memmove(&dst->u.l.s[d], &src->u.l.s[s], (size_t)n * sizeof(dst->u.l.s[0]));
	else
		inner_slots_move(dst, d, src, s, n);
}

/* Marks slots from..to-1 unused: the ones a change just emptied (those
 * from to on are unused already). */
static void slots_clear(struct bt_node *x, int from, int to)
{
	for (int j = from; j < to; j++) {
		x->key[j] = BT_NONE;
		if (x->leaf) {
			x->u.l.s[j].end = 0;
			x->u.l.s[j].ent = NULL;
		} else {
			x->u.i.gap[j] = 0;
			if (x->fits) {
				memset(bt_afit(x)[j], 0, sizeof(bt_afit(x)[j]));
				bt_wn(x)[j] = 0;
			}
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
	slots_clear(x, x->n, x->n + 1);
}

static void set_child(struct bt_node *x, int i, struct bt_node *c)
{
	struct bt_sum t;

	x->key[i] = c->key[0];
	x->low = c->leaf;
	x->u.i.child[i] = c; /* first: the store writes c's own wide fits */
	child_summary(x, c, true, &t);
	bt_sum_store(x, i, &t, true);
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

	r->low = c->low;
	slots_move(r, 0, c, m, BT_SLOTS - m);
	r->n = (uint16_t)(BT_SLOTS - m);
	c->n = (uint16_t)m;
	slots_clear(c, m, BT_SLOTS);
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

/*
 * Descends toward key, splitting every full node on the way (and the root
 * first), so that the leaf reached has a free slot.  Fills p down to the
 * leaf, whose idx is left for the caller.  Splits recompute the summaries
 * of both halves from what the nodes hold now, so callers change leaves
 * only after this.
 */
static struct bt_node *descend_with_room(struct vm_map *map, bsdvm_addr_t key,
    struct bt_path *p)
{
	struct bt_node *x;
	bool rightmost = true;
	int k;

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
	p->depth = map->bt_depth;
	for (k = 0; k < p->depth - 1; k++) {
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
		p->node[k] = x;
		p->idx[k] = i;
		x = c;
	}
	p->node[k] = x;
	return x;
}

/* The leaf an insertion of key goes into, with room for it, and the
 * finger on the path there.  When the finger covers key and no node on
 * it is full, it is exactly the path descend_with_room would take (that
 * splits only full nodes), and is used as it is. */
static struct bt_node *finger_with_room(struct vm_map *map, bsdvm_addr_t key)
{
	struct bt_path *p = &map->finger;
	bool room = map->bt_root != NULL && finger_covers(map, key);

	for (int k = 0; room && k < p->depth; k++)
		room = p->node[k]->n < BT_SLOTS;
	if (!room)
		descend_with_room(map, key, p); /* the splits on the way are behind it */
	return p->node[p->depth - 1];
}

void bt_insert(struct vm_map *map, struct vm_map_entry *e)
{
	bsdvm_addr_t key = e->start;
	struct bt_path *p = &map->finger;
	struct bt_node *x = finger_with_room(map, key);
	struct bt_sum lost, cached;
	bool wide = true;
	int s;

	/* slot 0 only in the leftmost leaf, since every other leaf's first
	 * key is <= key */
	s = x->n > 0 && x->key[0] <= key ? bt_rank(x, key) + 1 : 0;
	if (s > 0 && p->depth > 1) {
		/* e splits the gap of slot s - 1: the leaf's summary stays
		 * when that gap reached none of its maxima */
		const struct bt_node *up = p->node[p->depth - 2];
		bsdvm_addr_t gs = x->u.l.s[s - 1].end;

		/* the part above e keeps every wide fit the gap had when no
		 * boundary of 2^17 pages lies below e's end (an append) */
		wide = !bt_wide_kept(up, gs, e->end);
		bt_sum_of_gap(up, gs, bt_gap_end(x, s - 1), wide, &lost);
	}
	slot_open(x, s);
	leaf_put(x, s, e);
	p->idx[p->depth - 1] = s;
	if (s > 0 && p->depth > 1) {
		cached_sum(p, &cached);
		if (bt_sum_below(p->node[p->depth - 2], &lost, &cached))
			return; /* no key moved either: s is not the first slot */
	}
	fix_up(p, p->depth, NULL, wide);
}

/*
 * An entry [s, t) becomes lo = [s, a) and hi = [a, t).  The gaps stay what
 * they were (lo's is empty, hi's is the old one), and so does every key
 * above the leaf (lo keeps slot and key s; hi gets the next slot, never a
 * leaf's first).  So once the descent has made room, no summary and no
 * key above the leaf changes: there is nothing to fix.
 */
void bt_split_slot(struct vm_map *map, struct vm_map_entry *lo, struct vm_map_entry *hi)
{
	struct bt_node *x = finger_with_room(map, lo->start);
	int s = bt_rank(x, lo->start);

	map->finger.idx[map->finger.depth - 1] = s;
	slot_open(x, s + 1);
	leaf_put(x, s, lo);
	leaf_put(x, s + 1, hi);
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
		slots_clear(a, a->n - move, a->n);
	} else if (move < 0) {
		slots_move(a, a->n, b, 0, -move);
		slots_move(b, 0, b, -move, b->n + move);
		slots_clear(b, b->n + move, b->n);
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

/* A root with one child gives way to it.  Called last by changes that
 * worked on the finger, which a rebalance kept a path (it follows its own
 * slot), so the finger stays one unless the root went. */
static void shrink_root(struct vm_map *map)
{
	while (map->bt_depth > 1 && map->bt_root->n == 1) {
		struct bt_node *old = map->bt_root;

		map->bt_root = old->u.i.child[0];
		map->bt_depth--;
		node_release(map, old);
		finger_drop(map);
	}
}

void bt_remove(struct vm_map *map, struct vm_map_entry *e)
{
	struct bt_path *p = bt_entry_path(map, e);
	struct bt_node *leaf;
	int s;

	leaf = p->node[p->depth - 1];
	s = p->idx[p->depth - 1];
	slot_close(leaf, s);
	if (leaf->n == 0) {
		/* only a root leaf may empty: the others hold BT_MIN or more */
		node_release(map, leaf);
		map->bt_root = NULL;
		map->bt_depth = 0;
		finger_drop(map);
		return;
	}
	/* the path must point at a live slot for the fix-ups below */
	if (s == leaf->n)
		p->idx[p->depth - 1] = s - 1;
	if (s == 0) {
		bt_first_start_changed(p);
		fix_up(p, rebalance(map, p), NULL, true);
	} else {
		/* the gaps on both sides of e became one, which holds
		 * everything they held: the leaf's summary can only grow, to
		 * that gap's */
		bsdvm_addr_t gs = leaf->u.l.s[s - 1].end;
		struct bt_sum grown, merged;
		bool wide = true;

		bt_sum_zero(&grown);
		if (p->depth > 1) {
			const struct bt_node *up = p->node[p->depth - 2];

			/* the merged gap fits exactly what the gap after e did
			 * when no boundary of 2^17 pages lies below e's end */
			wide = !bt_wide_kept(up, gs, e->end);
			cached_sum(p, &grown);
			bt_sum_of_gap(up, gs, bt_gap_end(leaf, s - 1), wide, &merged);
			bt_sum_max(up, &grown, &merged);
		}
		fix_up(p, rebalance(map, p), &grown, wide);
	}
	shrink_root(map);
}

/*
 * The reverse of bt_split_slot: the slot at key start and the next one
 * become one slot ending at end, for entry keep.  Gaps and the keys above
 * stay as they were, as there; only a rebalance, when the leaf runs short,
 * has summaries to recompute.  Returns false, changing nothing, when the
 * two slots are in different leaves.
 */
bool bt_join_slots(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    struct vm_map_entry *keep)
{
	struct bt_path *p = bt_lookup_finger(map, start);
	struct bt_node *x = p->node[p->depth - 1];
	int s = p->idx[p->depth - 1], top;

	if (s + 1 >= x->n)
		return false;
	slot_close(x, s + 1);
	x->u.l.s[s].end = end;
	x->u.l.s[s].ent = keep;
	top = rebalance(map, p);
	if (top < p->depth)
		fix_up(p, top, NULL, true);
	shrink_root(map);
	return true;
}
