/*
 * map_btree.h - the entry index: a B+tree of compact nodes keyed by entry
 * start, each inner node knowing the largest free gap below every child.
 *
 * Why a B+tree rather than a binary tree threaded through the entries (what
 * FreeBSD's vm_map.c and NetBSD's uvm_map.c do): at a million entries a
 * binary descent is ~20 dependent cache misses, one per entry it visits.
 * Here a node holds 16 keys in two cache lines, so a descent is a handful
 * of nodes, and it never touches an entry: a leaf keeps each entry's start
 * and end beside the pointer, so lookups and free-space searches read only
 * the index.  (Linux's maple tree makes the same trade; the code here is
 * our own.)
 *
 * Layout:
 *  - all leaves are at the same depth; map->bt_depth counts levels (0 when
 *    empty, 1 when the root is a leaf);
 *  - key[] is sorted; unused slots hold BT_NONE so that a descent can count
 *    "keys <= addr" over all slots without looking at n;
 *  - an inner node's key[i] is exactly the lowest start under child i, and
 *    gap[i] the largest gap owned by an entry under child i;
 *  - each entry owns the gap that follows it (NetBSD's scheme): up to the
 *    next entry's start, or the map's max for the last one.  A leaf's last
 *    gap ends at next_start, the first start of the next leaf, so leaves
 *    never need to look at entries.  The gap below the first entry belongs
 *    to the map's header and lives outside the tree.
 *
 * Nodes have no parent pointers: every change works on a recorded
 * root-to-leaf path, which it then walks back up (usually the map's
 * finger, see below, rather than a fresh descent).  That keeps splits and
 * merges from having to touch the children they move.
 */
#ifndef BSDVM_MAP_BTREE_H
#define BSDVM_MAP_BTREE_H

#include "map/map_impl.h"

#define BT_SLOTS 16                 /* keys per node */
#define BT_MIN (BT_SLOTS / 4)       /* fewest keys in a node other than the root */
#define BT_NONE (~(bsdvm_addr_t)0)  /* key of an unused slot; above every address */

struct bt_node {
	bsdvm_addr_t key[BT_SLOTS]; /* first: what a descent reads */
	union {
		struct {
			/* end beside the pointer: a hit reads one line */
			struct bt_slot {
				bsdvm_addr_t end;
				struct vm_map_entry *ent;
			} s[BT_SLOTS];
			bsdvm_addr_t next_start;
		} l;
		struct {
			bsdvm_size_t gap[BT_SLOTS];
			struct bt_node *child[BT_SLOTS];
		} i;
	} u;
	uint16_t n;
	uint8_t leaf;
	uint8_t pshift;              /* log2 of the map's page size */
	uint8_t fits;                /* inner node with a struct bt_inner tail
	                              * (the map keeps aligned fits) */
	uint8_t nbig;                /* wide classes the map keeps (below) */
	uint8_t low;                 /* inner node whose children are leaves */
	struct bt_node *free_next;   /* on the map's spare list */
};

/*
 * Aligned fits.  For an alignment A = page << j (1 <= j <= BT_ALIGN_CLASSES)
 * the fit of a gap [s, e) is e - roundup(s, A): the longest A-aligned
 * request it can hold (0 when it holds no A-aligned page).  A search for an
 * aligned request must skip subtrees without a big enough fit, not merely
 * those without a big enough gap, or a map full of gaps that are long
 * enough but badly placed makes it visit every one of them (FreeBSD's
 * vm_map_alignspace loop and NetBSD's uvm_map_findspace both can).
 *
 * So inner nodes also keep, per child, the largest fit under it for every
 * class.  The largest gap G under a child has a fit of at least
 * G - (A - page), so the largest fit F_j is within 2^j pages of the
 * largest gap, and delta_j = (G - F_j) / page is at most 2^j - 1: sixteen
 * unsigned sixteen-bit deltas per child, for classes 1..16 (alignments of
 * 2 to 65536 pages: up to 256 MiB with 4 KiB pages, 4 GiB with 64 KiB
 * ones), in a tail (struct bt_inner) that leaves, nine in ten of the
 * nodes, do without.  map_fits.[ch] compute them, sixteen lanes at a time.
 * Wider classes, below, are kept beside them.
 *
 * Keeping the fits costs every change that moves a gap: a leaf's fits
 * come from each of its gaps' alignment, several times the work of its
 * largest gap, and a change that lowers a maximum re-reads the node's
 * slots.  Maps keep them unless created with BSDVM_MAP_NO_ALIGN_INDEX; in
 * those an inner node has no tail, and searches are steered by gap size
 * alone (map_space.c): they stay exact, they just cannot skip the
 * subtrees whose gaps all miss.
 */
#define BT_ALIGN_CLASSES 16

/*
 * Wide classes.  Sixteen classes leave alignments above 65536 pages, and a
 * search for one of those steered by class 16 alone can again try gap
 * after gap: a map with one gap at every odd multiple of 2^16 pages makes
 * a 2^17-page-aligned search visit all of them.  So a map also keeps the
 * largest fit of each wider class 17, 18, ... it needs.  It needs a class
 * only while the window holds more than a few of its boundaries: a search
 * for an alignment above the widest kept class K is steered by K, and the
 * window (fewer than 2^(K+1) pages, see bt_wide_classes) holds at most
 * three multiples of 2^K pages, so at most three gaps can pass the steer
 * and still miss.  A 47-bit window of 4 KiB pages keeps classes 17..34; a
 * 32-bit one, 17..19.
 *
 * A wide class's fit can be anywhere below the largest gap, so it is kept
 * as a plain byte count, and these are too big to keep per child as the
 * sixteen-bit deltas are (2.3 KiB more per node for a 47-bit window,
 * which slowed protects, merges and erases at 100k entries and more by
 * 15-45% in interleaved runs).  Instead each
 * inner node keeps one row of them for its own subtree, behind its tail
 * (bt_wrow), and a parent keeps per child only wn[i], how many leading
 * classes fit something under child i: a fit only shrinks as the class
 * grows (fewer starts qualify), so every class from there on fits nothing,
 * and only those wn[i] values of a row mean anything.  Most subtrees hold
 * no multiple of 2^17 pages in any gap and have wn[i] = 0: code that
 * combines, stores or moves summaries reads no row for them.
 *
 * Leaves keep no row: a leaf's parent (a "low" node) knows of each leaf
 * only wn[i].  A search asking a low node for a wide class therefore tries
 * each leaf whose wn[i] and class-16 fit allow it, at most sixteen leaves
 * of sixteen gaps; above the low nodes the children's rows are exact, so
 * the search enters only a low node that holds a fit, and stays
 * O(log n).  A low node's own row is the largest over its leaves with
 * wn[i] > 0, read gap by gap.  The root's row is not kept (no parent asks
 * for it).
 */
#define BT_WIDE_MAX (63 - 12 - BT_ALIGN_CLASSES) /* classes 17..51: 2^51 4 KiB pages */

struct bt_inner {
	struct bt_node node;         /* first, so a node pointer is one to this */
	uint8_t wn[BT_SLOTS];        /* per child: wide classes whose fit is not 0
	                              * (beside node.n, on a line every change
	                              * reads anyway) */
	uint16_t afit[BT_SLOTS][BT_ALIGN_CLASSES]; /* per child: class j's delta
	                              * in pages at [j - 1] */
	/* followed, when node.nbig > 0, by bsdvm_size_t wrow[node.nbig]: the
	 * node's own wide fits (its parent's wn says how many mean anything) */
};

/* How many wide classes a map with the window [min, max) and pages of
 * 2^pshift bytes keeps: classes 17..K for the least K with
 * 2^(K+1) >= the window's pages, none when K would be 16. */
static inline unsigned bt_wide_classes(bsdvm_addr_t min, bsdvm_addr_t max, unsigned pshift)
{
	uint64_t pages = (max - min) >> pshift;
	unsigned lg = 0;

	while (lg < 64 && ((uint64_t)1 << lg) < pages)
		lg++; /* least lg with 2^lg >= pages; only at create and exec */
	return lg > BT_ALIGN_CLASSES + 1 ? lg - BT_ALIGN_CLASSES - 1 : 0;
}

/* Bytes of an inner node's tail that keeps nbig wide classes. */
static inline size_t bt_wide_bytes(unsigned nbig)
{
	return (size_t)nbig * sizeof(bsdvm_size_t);
}

static inline uint16_t (*bt_afit(struct bt_node *x))[BT_ALIGN_CLASSES]
{
	return ((struct bt_inner *)x)->afit;
}

static inline const uint16_t (*bt_cafit(const struct bt_node *x))[BT_ALIGN_CLASSES]
{
	return ((const struct bt_inner *)x)->afit;
}

/* Inner node x's wide-class counts, one per child (x->fits). */
static inline uint8_t *bt_wn(struct bt_node *x)
{
	return ((struct bt_inner *)x)->wn;
}

static inline const uint8_t *bt_cwn(const struct bt_node *x)
{
	return ((const struct bt_inner *)x)->wn;
}

/* Inner node x's own wide fits (x->fits, x->nbig > 0). */
static inline bsdvm_size_t *bt_wrow(struct bt_node *x)
{
	return (bsdvm_size_t *)(void *)((struct bt_inner *)x + 1);
}

static inline const bsdvm_size_t *bt_cwrow(const struct bt_node *x)
{
	return (const bsdvm_size_t *)(const void *)((const struct bt_inner *)x + 1);
}

/* The fit of [s, e) for alignment page << j; 0 when none. */
static inline bsdvm_size_t bt_fit(bsdvm_addr_t s, bsdvm_addr_t e, unsigned pshift, unsigned j)
{
	if (!map_align_up(&s, (bsdvm_size_t)1 << (pshift + j), 0))
		return 0; /* the next boundary is 2^64 or past it */
	return s < e ? e - s : 0;
}

/* The largest fit of class j <= 16 under child i of inner node x, which
 * must keep fits (x->fits). */
static inline bsdvm_size_t bt_child_fit(const struct bt_node *x, int i, unsigned j)
{
	return x->u.i.gap[i] - ((bsdvm_size_t)bt_cafit(x)[i][j - 1] << x->pshift);
}

/* Whether child i of x may hold a fit of len bytes for wide class j
 * (16 < j <= 16 + x->nbig).  Exact above the low nodes; at a low node,
 * only that the leaf fits class j at all and class 16 for len, which
 * bounds what trying it costs (see "Wide classes" above). */
static inline bool bt_child_wide_may_hold(const struct bt_node *x, int i, unsigned j,
    bsdvm_size_t len)
{
	unsigned k = j - BT_ALIGN_CLASSES - 1;

	if (k >= bt_cwn(x)[i])
		return false;
	if (x->low)
		return bt_child_fit(x, i, BT_ALIGN_CLASSES) >= len;
	return bt_cwrow(x->u.i.child[i])[k] >= len;
}

/* Whether the gaps [gs, ge) and [a, ge) fit every wide class equally (an
 * entry ending at a was put into the first, leaving the second above it,
 * or taken from between [gs, its start) and the second, merging them):
 * true when no multiple of 2^17 pages lies in [gs, a), as every wide fit
 * starts at one. */
static inline bool bt_wide_kept(const struct bt_node *x, bsdvm_addr_t gs, bsdvm_addr_t a)
{
	bsdvm_addr_t post = gs;

	if (!map_align_up(&post, (bsdvm_size_t)1 << (x->pshift + BT_ALIGN_CLASSES + 1), 0))
		return true; /* no boundary at all above gs */
	return post >= a;
}

/* Asks for every line of node x at once.  A descent reads x's keys, and
 * only then the child pointer or slot they select, which sits on another
 * line: without this, each level of a cold tree costs two misses in a row
 * instead of one. */
static inline void bt_prefetch(const struct bt_node *x)
{
#if defined(__GNUC__)
	for (size_t off = 0; off < sizeof(*x); off += 64)
		__builtin_prefetch((const char *)x + off);
#else
	(void)x;
#endif
}

/* Asks for the line at p (an entry, say) without waiting for it. */
static inline void bt_prefetch_line(const void *p)
{
#if defined(__GNUC__)
	__builtin_prefetch(p);
#else
	(void)p;
#endif
}

/* Number of keys in slots 1.. that are <= a: the child to descend into,
 * or in a leaf the slot of the last start <= a (0 also when none is).
 * A fixed trip count with no early exit: the compiler unrolls it and the
 * CPU need not predict anything.  Requires a < BT_NONE. */
static inline int bt_rank(const struct bt_node *x, bsdvm_addr_t a)
{
	int r = 0;

	for (int j = 1; j < BT_SLOTS; j++)
		r += x->key[j] <= a;
	return r;
}

/* The gap owned by slot s of leaf x. */
static inline bsdvm_addr_t bt_gap_end(const struct bt_node *x, int s)
{
	return s + 1 < x->n ? x->key[s + 1] : x->u.l.next_start;
}

static inline bsdvm_size_t bt_leaf_gap(const struct bt_node *x, int s)
{
	return bt_gap_end(x, s) - x->u.l.s[s].end;
}

/* Bytes of one index node of the map: a leaf, or an inner node. */
size_t bt_node_bytes(const struct vm_map *map, bool leaf);
/* Sets how many wide classes the map's inner nodes keep (an empty map:
 * exec moved its window); spare inner nodes of the old size are freed. */
void bt_set_wide(struct vm_map *map, unsigned nbig);

/* Largest gap owned under x. */
bsdvm_size_t bt_node_max_gap(const struct bt_node *x);

/* Descends toward key, recording the path.  In the leaf, idx is the slot of
 * the last start <= key, or -1 when key is below every start (which only
 * the leftmost leaf can see).  The tree must not be empty. */
void bt_descend(const struct vm_map *map, bsdvm_addr_t key, struct bt_path *p);

/*
 * The finger.  A change, and the lookup that starts it, leave their
 * root-to-leaf path in map->finger; the next one whose key lies in the
 * same leaf starts from it instead of from the root.  Range operations
 * clip, change and merge entries that sit side by side, a delete removes
 * what its lookup found, an insert links after it, and a fork or a big
 * delete works through the entries in order: most changes land where the
 * last one did.
 *
 * A path stays right while no node is taken or given back (those are what
 * move children between parents or change the root).  The only changes
 * that take or give back nodes, a descent that splits full nodes and a
 * rebalance after a removal, work on the finger itself and leave it a
 * path (a rebalance follows its own slot); a root that goes away drops it
 * (depth 0).  So a finger with a depth is always a path, and vm_map_check
 * verifies that after every change the tests make.  Keys changing within
 * the leaves do not matter, because a reuse checks that the key still
 * falls in the finger's leaf.  Only the exclusive lock's holder uses or
 * moves the finger; readers descend on their own paths (vm_map_check only
 * verifies it, under the shared lock, when no writer can run).
 */
/* The finger, descended toward addr (reused, or from the root): as
 * bt_descend. */
struct bt_path *bt_lookup_finger(struct vm_map *map, bsdvm_addr_t addr);
/* The same, always from the root: for the lookups that start changes,
 * which mostly land somewhere new.  Testing whether the finger covers a
 * random address costs branches that go either way, about as much as
 * the descent it would save; the change after such a lookup, at the same
 * place, is where the finger pays. */
struct bt_path *bt_descend_finger(struct vm_map *map, bsdvm_addr_t addr);
/* The finger, at entry e's slot (e is in the map). */
struct bt_path *bt_entry_path(struct vm_map *map, const struct vm_map_entry *e);

/* Fills p's levels below k (whose node and idx are set) with the first
 * child, or the last (and in the leaf the last slot) when last. */
void bt_path_fill(struct bt_path *p, int k, bool last);
/* Sets p to the first slot of the first leaf (the tree is not empty). */
void bt_path_leftmost(const struct vm_map *map, struct bt_path *p);
/* Moves p to the previous leaf's last slot; false when p's leaf is the first. */
bool bt_path_prev_leaf(struct bt_path *p);

/* Recomputes the keys and gaps the inner nodes of p keep for the child on
 * the path, leaf first, stopping where nothing changed. */
void bt_fix_path(struct bt_path *p);

/* The leaf's first start changed (or the leaf is new): tell the previous
 * leaf, whose last gap ends there.  Above the two paths' common ancestor
 * this leaves summaries computed from p's not yet updated branch, so the
 * caller must then fix p's own path (bt_fix_path) or recompute it. */
void bt_first_start_changed(struct bt_path *p);

/* Inserts e (start and end set; not in the index).  Never fails: nodes
 * come from the map's spares, which bt_reserve filled beforehand. */
void bt_insert(struct vm_map *map, struct vm_map_entry *e);
/* Removes e from the index. */
void bt_remove(struct vm_map *map, struct vm_map_entry *e);

/* Splits the slot of an entry [lo->start, hi->end) in two, for lo and hi
 * (bounds set, touching, one of them the entry the index holds).  Never
 * fails, as bt_insert.  Nothing above the leaf is updated, which is right
 * only because the two touch: they add an empty gap and move no other. */
void bt_split_slot(struct vm_map *map, struct vm_map_entry *lo, struct vm_map_entry *hi);
/* Joins the slot at key start with the next slot (touching it) into one
 * slot for keep, ending at end; false, changing nothing, when they are in
 * different leaves.  As for bt_split_slot, the slots must touch: the gap
 * between them is dropped without a fix-up. */
bool bt_join_slots(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    struct vm_map_entry *keep);

/* Makes sure the spares hold enough nodes for `entries` insertions. */
int bt_reserve(struct vm_map *map, unsigned entries);
/* Frees spare nodes beyond what the map keeps cached. */
void bt_trim(struct vm_map *map);

#endif /* BSDVM_MAP_BTREE_H */
