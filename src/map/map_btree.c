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

/*
 * Leaf fits are computed in sixteen 16-bit lanes, class j in lane j - 1
 * (lanes 10..15 are padding, so the lanes fill whole vector registers).
 * GCC and clang turn the lane type into vector instructions wherever the
 * target has them (two SSE2 registers on any x86-64) and into plain code
 * elsewhere; other compilers, and builds with BSDVM_NO_VECTOR (which the
 * test script uses to check this path), get the loop.
 */
#define LANES 16
#define LANE_CAP 2047 /* above every delta (< 2^10) and every candidate kept */

#if defined(__GNUC__) && !defined(BSDVM_NO_VECTOR)
/* two registers of eight lanes: 16-byte vectors are what every SIMD
 * target has, so no compiler has to split a wider one lane by lane */
typedef int16_t half_t __attribute__((vector_size(16)));
typedef struct {
	half_t h[2];
} lanes_t;

static const half_t lane_mask[2] = {
	{ 1, 3, 7, 15, 31, 63, 127, 255 },
	{ 511, 1023 },
};

#define HALF_SPLAT(v) ((half_t){ v, v, v, v, v, v, v, v })

static inline void lanes_fill(lanes_t *acc, int16_t v)
{
	acc->h[0] = acc->h[1] = HALF_SPLAT(v);
}

/* acc = min(acc, b + (r & mask)), lane by lane */
static inline void lanes_lower(lanes_t *acc, int16_t b, int16_t r)
{
	half_t vb = HALF_SPLAT(b), vr = HALF_SPLAT(r);

	for (int k = 0; k < 2; k++) {
		half_t c = vb + (vr & lane_mask[k]);
		half_t lt = c < acc->h[k]; /* all ones where c is below */

		acc->h[k] = (c & lt) | (acc->h[k] & ~lt);
	}
}

#define LANE(acc, j) ((acc).h[(j) / 8][(j) % 8])
#else
typedef struct {
	int16_t v[LANES];
} lanes_t;

static const int16_t lane_mask[LANES] = { 1, 3, 7, 15, 31, 63, 127, 255, 511, 1023 };

static inline void lanes_fill(lanes_t *acc, int16_t v)
{
	for (int j = 0; j < LANES; j++)
		acc->v[j] = v;
}

static inline void lanes_lower(lanes_t *acc, int16_t b, int16_t r)
{
	for (int j = 0; j < LANES; j++) {
		int16_t c = (int16_t)(b + (r & lane_mask[j]));

		acc->v[j] = c < acc->v[j] ? c : acc->v[j];
	}
}

#define LANE(acc, j) ((acc).v[j])
#endif

/*
 * The largest gap G of leaf x and the packed deltas of its fits, worked in
 * pages.  A gap of h pages whose start is r pages below a boundary of class
 * j (r = (-start / page) mod 2^j) fits h - r pages there, or nothing when
 * h <= r; so its delta against G is (G - h) + r, and one that fits nothing
 * gets a delta of at least G, which G's own gap never exceeds.  The delta
 * of class j is the least over the gaps, and is below 2^j (G's gap alone
 * gives r < 2^j, or G <= r when it fits nothing).
 *
 * A gap can lower no delta when G - h >= 2^10 - 1, or when it fits no
 * class at all (h <= r mod 2: r only grows with the class); it is skipped.
 * Each other gap lowers all ten lanes at once with an and, an add and a
 * min: no branch on alignment, no rounding that could overflow at the top
 * of the address space.
 */
static bsdvm_size_t leaf_summary(const struct bt_node *x, uint64_t *afitp)
{
	unsigned ps = x->pshift;
	uint64_t hp[BT_SLOTS], rp[BT_SLOTS], gp = 0, packed = 0;
	unsigned cand = 0; /* the slots whose gap fits some class */
	lanes_t acc;
	int n = x->n;

	for (int s = 0; s < n; s++) {
		bsdvm_addr_t gs = x->u.l.s[s].end;

		hp[s] = (bt_gap_end(x, s) - gs) >> ps;
		rp[s] = (0 - gs) >> ps;
		gp = hp[s] > gp ? hp[s] : gp;
		cand |= (unsigned)(hp[s] > (rp[s] & 1)) << s;
	}
	lanes_fill(&acc, (int16_t)(gp < LANE_CAP ? gp : LANE_CAP));
	while (cand != 0) {
		int s = (int)map_ctz(cand);
		uint64_t base = gp - hp[s];

		cand &= cand - 1;
		if (base < 1023)
			lanes_lower(&acc, (int16_t)base, (int16_t)(rp[s] & 1023));
	}
	for (unsigned j = 1; j <= BT_ALIGN_CLASSES; j++)
		packed |= (uint64_t)(uint16_t)LANE(acc, j - 1) << BT_CLS_OFF(j);
	*afitp = packed;
	return gp << ps;
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

/* A node's summary as its parent caches it: largest gap, packed fits. */
struct bt_sum {
	bsdvm_size_t g;
	uint64_t a;
};

/* A class's fit in pages, from a summary. */
#define SUM_FIT(t, j, ps) (((t).g >> (ps)) - (((t).a >> BT_CLS_OFF(j)) & BT_CLS_MASK(j)))

/* Every fit of a summary is within this many bytes of its largest gap
 * (each delta is below 2^BT_ALIGN_CLASSES pages).  A summary whose largest
 * gap is at least that far below another's is below it in every class,
 * which lets the helpers here skip the class-by-class work. */
static inline bsdvm_size_t fit_span(const struct bt_node *x)
{
	return (((bsdvm_size_t)1 << BT_ALIGN_CLASSES) - 1) << x->pshift;
}

/* t is below s by more than fit_span: each of t's maxima is below s's */
static inline bool sum_far_below(const struct bt_node *x, struct bt_sum t, struct bt_sum s)
{
	return t.g < s.g && s.g - t.g > fit_span(x);
}

/* The summary of a leaf holding the one gap [gs, ge): in pages, class j's
 * delta is r mod 2^j (r as in leaf_summary) when the gap is longer than
 * that, else the whole gap, as it fits nothing.  x, here and in the
 * helpers below, is an inner node of the map (leaves keep no fits flag):
 * it gives the page size and whether the map keeps fits. */
static struct bt_sum gap_sum(const struct bt_node *x, bsdvm_addr_t gs, bsdvm_addr_t ge)
{
	unsigned ps = x->pshift;
	uint64_t hp = (ge - gs) >> ps, r = (0 - gs) >> ps;
	struct bt_sum t = { ge - gs, 0 };

	if (!x->fits)
		return t;
	for (unsigned j = 1; j <= BT_ALIGN_CLASSES; j++) {
		uint64_t rj = r & BT_CLS_MASK(j);

		t.a |= (hp > rj ? rj : hp) << BT_CLS_OFF(j);
	}
	return t;
}

/* The summary of a node holding the gaps of both s and t: class by class,
 * the larger. */
static struct bt_sum sum_max(const struct bt_node *x, struct bt_sum s, struct bt_sum t)
{
	unsigned ps = x->pshift;
	struct bt_sum m = { s.g > t.g ? s.g : t.g, 0 };

	if (!x->fits || sum_far_below(x, t, s))
		return (struct bt_sum){ m.g, s.a };
	if (sum_far_below(x, s, t))
		return t;
	for (unsigned j = 1; j <= BT_ALIGN_CLASSES; j++) {
		uint64_t fs = SUM_FIT(s, j, ps), ft = SUM_FIT(t, j, ps);

		m.a |= ((m.g >> ps) - (fs > ft ? fs : ft)) << BT_CLS_OFF(j);
	}
	return m;
}

/* Whether every maximum of t, the gap and each fit, is below s's: then a
 * node summarised by s that loses a gap summarised by t keeps s. */
static bool sum_below(const struct bt_node *x, struct bt_sum t, struct bt_sum s)
{
	unsigned ps = x->pshift;

	if (t.g >= s.g)
		return false;
	if (!x->fits || sum_far_below(x, t, s))
		return true;
	for (unsigned j = 1; j <= BT_ALIGN_CLASSES; j++)
		if (SUM_FIT(t, j, ps) >= SUM_FIT(s, j, ps))
			return false;
	return true;
}

/*
 * Inner node c's summary, cached as cur, after one of its slots changed
 * from old to new (a map that keeps fits), without reading the other slots
 * where it can be helped: a maximum can only rise to the new value, or
 * stay, unless it fell with the old value, which may have been the only
 * one to reach it.  Only such a maximum is recomputed from all slots.
 */
static struct bt_sum sum_update(const struct bt_node *c, struct bt_sum cur, struct bt_sum old,
    struct bt_sum new)
{
	unsigned ps = c->pshift;
	bsdvm_size_t top;
	uint64_t pg, po, pn, pt, packed = 0;

	if (sum_far_below(c, cur, new))
		return new; /* new tops every other slot in every class */
	if (sum_far_below(c, old, cur))
		return sum_max(c, cur, new); /* old reached no maximum */
	top = new.g >= cur.g ? new.g : old.g == cur.g ? bt_node_max_gap(c) : cur.g;
	/* in pages, where a class's fit is the gap less its field */
	pg = cur.g >> ps, po = old.g >> ps, pn = new.g >> ps, pt = top >> ps;

#define FIELD(w, j) (((w) >> BT_CLS_OFF(j)) & BT_CLS_MASK(j))
#define CLASS(j)                                                                   \
	do {                                                                       \
		uint64_t sf = pg - FIELD(cur.a, j), nf = pn - FIELD(new.a, j);     \
		if (nf >= sf)                                                      \
			sf = nf;                                                   \
		else if (po - FIELD(old.a, j) == sf)                               \
			sf = class_max(c, j) >> ps;                                \
		packed |= (pt - sf) << BT_CLS_OFF(j);                              \
	} while (0)
	CLASS(1); CLASS(2); CLASS(3); CLASS(4); CLASS(5);
	CLASS(6); CLASS(7); CLASS(8); CLASS(9); CLASS(10);
#undef CLASS
#undef FIELD
	return (struct bt_sum){ top, packed };
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
 * the first level where nothing changed.  When the caller knows the
 * leaf's new summary (and the leaf was not rearranged), it passes it in
 * leaf, sparing a pass over the leaf's gaps.
 */
static void fix_up(struct bt_path *p, int top, const struct bt_sum *leaf)
{
	struct bt_sum old = { 0, 0 }, new = { 0, 0 };

	for (int k = p->depth - 2; k >= 0; k--) {
		struct bt_node *x = p->node[k], *c = p->node[k + 1];
		int i = p->idx[k];
		struct bt_sum cur = { x->u.i.gap[i], x->fits ? bt_afit(x)[i] : 0 }, t;

		if (c->leaf && leaf != NULL && k + 1 < top)
			t = *leaf;
		else if (c->leaf || k + 1 >= top || !x->fits)
			t.g = child_summary(x, c, &t.a);
		else
			t = sum_update(c, cur, old, new);
		if (k < top && x->key[i] == c->key[0] && cur.g == t.g && cur.a == t.a)
			return; /* nothing above can change */
		old = cur;
		new = t;
		x->key[i] = c->key[0];
		x->u.i.gap[i] = t.g;
		if (x->fits)
			bt_afit(x)[i] = t.a;
	}
}

/* What p's leaf's parent caches for it (the leaf is not the root). */
static struct bt_sum cached_sum(const struct bt_path *p)
{
	const struct bt_node *x = p->node[p->depth - 2];
	int i = p->idx[p->depth - 2];
	struct bt_sum t = { x->u.i.gap[i], x->fits ? bt_cafit(x)[i] : 0 };

	return t;
}

void bt_fix_path(struct bt_path *p)
{
	fix_up(p, p->depth, NULL);
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

void bt_insert(struct vm_map *map, struct vm_map_entry *e)
{
	bsdvm_addr_t key = e->start;
	struct bt_path p;
	struct bt_node *x = descend_with_room(map, key, &p);
	struct bt_sum lost = { 0, 0 };
	int s;

	/* slot 0 only in the leftmost leaf, since every other leaf's first
	 * key is <= key */
	s = x->n > 0 && x->key[0] <= key ? bt_rank(x, key) + 1 : 0;
	if (s > 0 && p.depth > 1) {
		/* e splits the gap of slot s - 1: the leaf's summary stays
		 * when that gap reached none of its maxima */
		bsdvm_addr_t gs = x->u.l.s[s - 1].end;

		lost = gap_sum(p.node[p.depth - 2], gs, bt_gap_end(x, s - 1));
	}
	slot_open(x, s);
	leaf_put(x, s, e);
	p.idx[p.depth - 1] = s;
	if (p.depth > 1 && s > 0 && sum_below(p.node[p.depth - 2], lost, cached_sum(&p)))
		return; /* no key moved either: s is not the first slot */
	bt_fix_path(&p);
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
	struct bt_path p;
	struct bt_node *x = descend_with_room(map, lo->start, &p);
	int s = bt_rank(x, lo->start);

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


/* A root with one child gives way to it. */
static void shrink_root(struct vm_map *map)
{
	while (map->bt_depth > 1 && map->bt_root->n == 1) {
		struct bt_node *old = map->bt_root;

		map->bt_root = old->u.i.child[0];
		map->bt_depth--;
		node_release(map, old);
	}
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
	if (s == 0) {
		bt_first_start_changed(&p);
		fix_up(&p, rebalance(map, &p), NULL);
	} else {
		/* the gaps on both sides of e became one, which holds
		 * everything they held: the leaf's summary can only grow, to
		 * that gap's */
		bsdvm_addr_t gs = leaf->u.l.s[s - 1].end;
		struct bt_sum grown = { 0, 0 };

		if (p.depth > 1) {
			const struct bt_node *up = p.node[p.depth - 2];

			grown = sum_max(up, cached_sum(&p), gap_sum(up, gs, bt_gap_end(leaf, s - 1)));
		}
		fix_up(&p, rebalance(map, &p), &grown);
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
	struct bt_path p;
	struct bt_node *x;
	int s, top;

	bt_descend(map, start, &p);
	x = p.node[p.depth - 1];
	s = p.idx[p.depth - 1];
	if (s + 1 >= x->n)
		return false;
	slot_close(x, s + 1);
	x->u.l.s[s].end = end;
	x->u.l.s[s].ent = keep;
	top = rebalance(map, &p);
	if (top < p.depth)
		fix_up(&p, top, NULL);
	shrink_root(map);
	return true;
}
