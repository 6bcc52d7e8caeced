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

struct bt_inner {
	struct bt_node node;         /* first, so a node pointer is one to this */
	uint16_t afit[BT_SLOTS][BT_ALIGN_CLASSES]; /* per child: class j's delta
	                              * in pages at [j - 1] */
};

static inline uint16_t (*bt_afit(struct bt_node *x))[BT_ALIGN_CLASSES]
{
	return ((struct bt_inner *)x)->afit;
}

static inline const uint16_t (*bt_cafit(const struct bt_node *x))[BT_ALIGN_CLASSES]
{
	return ((const struct bt_inner *)x)->afit;
}

/* The fit of [s, e) for alignment page << j; 0 when none. */
static inline bsdvm_size_t bt_fit(bsdvm_addr_t s, bsdvm_addr_t e, unsigned pshift, unsigned j)
{
	if (!map_align_up(&s, (bsdvm_size_t)1 << (pshift + j), 0))
		return 0; /* the next boundary is 2^64 or past it */
	return s < e ? e - s : 0;
}

/* The largest fit of class j under child i of inner node x, which must
 * keep fits (x->fits). */
static inline bsdvm_size_t bt_child_fit(const struct bt_node *x, int i, unsigned j)
{
	return x->u.i.gap[i] - ((bsdvm_size_t)bt_cafit(x)[i][j - 1] << x->pshift);
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
