/*
 * map_impl.h - the map engine's private structures and internal functions.
 *
 * Layout: the entries sit on a doubly linked address-order list that runs
 * through the map's header, and are indexed by a B+tree of compact nodes
 * (map_btree.h) that keeps each entry's bounds and, per subtree, the
 * largest free gap, which makes lookups and first-fit and top-down searches
 * O(log n) without touching entries.
 */
#ifndef BSDVM_MAP_IMPL_H
#define BSDVM_MAP_IMPL_H

#include <bsdvm/map.h>
#include <stdatomic.h>

/* A shared/exclusive lock that can upgrade and downgrade, as FreeBSD's sx
 * locks do (map_lock.c).  Uncontended acquire and release are one
 * compare-and-swap on `state`; waiting uses the platform's mutex and
 * condvar. */
struct bsdvm_rwlock {
	_Atomic uint32_t state; /* LK_WRITER | LK_SLOW | readers * LK_READER */
	void *mtx;
	void *cv;
	/* the rest only under mtx */
	int writers_waiting;
	int sleepers;      /* threads in cond_wait */
	uint64_t unlocks;  /* exclusive releases seen by waiters (unlock_and_wait) */
};

/* Hooks the memory layer installs to keep object/amap references right
 * when the engine copies or frees entries.  All optional. */
struct bsdvm_map_hooks {
	/* copy was just made from orig by a clip (both now reference it) */
	void (*entry_split)(struct vm_map *map, struct vm_map_entry *orig,
	    struct vm_map_entry *copy);
	/* entry was just created and linked (insert, fixed, stacks and their
	 * growth), before any merge with its neighbours */
	void (*entry_inserted)(struct vm_map *map, struct vm_map_entry *entry);
	/* entry leaves the map for good (delete) */
	void (*entry_dispose)(struct vm_map *map, struct vm_map_entry *entry);
	/* may a and b (adjacent, otherwise compatible) merge? */
	bool (*entry_can_merge)(struct vm_map *map, const struct vm_map_entry *a,
	    const struct vm_map_entry *b);
	/* b is being absorbed into a */
	void (*entry_merge)(struct vm_map *map, struct vm_map_entry *a,
	    struct vm_map_entry *b);
	/* a range operation changed e's protection (or other attributes) */
	void (*entry_changed)(struct vm_map *map, struct vm_map_entry *e);
	/* e is about to be clipped and its pieces kept: give it whatever
	 * private state both pieces must share so that they can merge back
	 * (FreeBSD gives an entry its object before splitting).  Must change
	 * nothing visible; KERN_RESOURCE_SHORTAGE when it cannot. */
	int (*entry_prepare_clip)(struct vm_map *map, struct vm_map_entry *e);
	/* the operation that prepared e failed: take back what
	 * entry_prepare_clip gave it, if it is still unused */
	void (*entry_unprepare_clip)(struct vm_map *map, struct vm_map_entry *e);
};

/* Calls the prepare-clip hook, if any.  *prepared tells whether the entry
 * got something that map_entry_unprepare_clip should take back on failure. */
int map_entry_prepare_clip(struct vm_map *map, struct vm_map_entry *e, bool *prepared);
void map_entry_unprepare_clip(struct vm_map *map, struct vm_map_entry *e);

struct bt_node;

/* A root-to-leaf path through the index: node[0] is the root, node[depth-1]
 * the leaf; idx[k] is the child (in the leaf, the slot) taken at level k. */
#define BT_MAXDEPTH 40 /* > log_4(2^52 pages) + 1 */
struct bt_path {
	int depth;
	struct bt_node *node[BT_MAXDEPTH];
	int idx[BT_MAXDEPTH];
};

struct vm_map {
	struct vm_map_entry header; /* start = max, end = min; list sentinel */
	struct bt_node *bt_root;    /* index root, NULL when empty */
	int bt_depth;               /* index levels: 0 empty, 1 root is a leaf */
	uint64_t bt_nodes;          /* nodes in the index */
	uint64_t bt_inner;          /* of which inner nodes (they are bigger) */
	struct bt_node *bt_free[2]; /* spare leaves [1] and inner nodes [0],
	                             * reserved before changes */
	unsigned bt_nfree[2];
	/* The finger (map_btree.h): the path of the last descent a change
	 * made, which the next change reuses when its key lies in the same
	 * leaf; depth 0 when there is none.  Only holders of the exclusive
	 * lock write it; vm_map_check reads it under the shared one, when no
	 * writer can run. */
	struct bt_path finger;
	uint64_t nentries;
	bsdvm_size_t size;          /* mapped bytes, guards excluded */
	bsdvm_size_t page_size;
	bsdvm_size_t page_mask;     /* page_size - 1 */
	unsigned page_shift;        /* log2(page_size) */
	bool fits;                  /* inner nodes keep aligned fits (unless
	                             * BSDVM_MAP_NO_ALIGN_INDEX) */
	unsigned nbig;              /* ... and this many wide classes, as the
	                             * window needs (map_btree.h) */
	bsdvm_size_t superpage_size;
	uint32_t flags;             /* BSDVM_MAP_* */
	const struct bsdvm_platform *plat;
	const struct bsdvm_map_hooks *hooks;
	void *owner;                /* the vmspace that embeds this map, if any */

	struct bsdvm_rwlock lock;
	_Atomic uint64_t timestamp;

	/* spare entries, so that operations reserve before they mutate */
	struct vm_map_entry *free_entries;
	unsigned nfree;
	unsigned cache_max;

	/* statistics */
	uint64_t inserts, removes, splits, merges;
};

#define MAP_HEADER(map) (&(map)->header)

/* vm_map_entry.adjacent: whether the previous entry ends where this one
 * starts, and whether the next one starts where it ends.  Every change of
 * that already writes both neighbours' list links, so keeping the bits
 * costs no extra memory access, and lets merging skip neighbours that
 * cannot merge without reading them (a cold miss each in a big map). */
#define MAP_ADJ_PREV 0x1u
#define MAP_ADJ_NEXT 0x2u
#define map_min(map) ((map)->header.end)
#define map_max(map) ((map)->header.start)

static inline bool map_aligned(const struct vm_map *map, bsdvm_addr_t a)
{
	return (a & map->page_mask) == 0;
}

/* ---- bits ---- */

static inline bool map_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* Trailing zero bits of v, which must not be 0. */
static inline unsigned map_ctz(uint64_t v)
{
#if defined(__GNUC__)
	return (unsigned)__builtin_ctzll(v);
#else
	unsigned n = 0;

	while ((v & 1) == 0) {
		v >>= 1;
		n++;
	}
	return n;
#endif
}

/* Rounds *a up to the next address that is off modulo align (a power of
 * two, off < align); false, *a untouched, when that would reach 2^64. */
static inline bool map_align_up(bsdvm_addr_t *a, bsdvm_size_t align, bsdvm_addr_t off)
{
	bsdvm_size_t r = (*a - off) & (align - 1);

	if (r == 0)
		return true;
	if (*a >= (bsdvm_addr_t)0 - (align - r))
		return false;
	*a += align - r;
	return true;
}

/* Resets an empty map to [min, max) (exec).  Caller holds the lock. */
int map_reset_bounds(struct vm_map *map, bsdvm_addr_t min, bsdvm_addr_t max);

/* ---- platform shorthands ---- */
void *bsdvm_palloc(const struct bsdvm_platform *p, size_t size);
void bsdvm_pfree(const struct bsdvm_platform *p, void *ptr, size_t size);

/* ---- lock (map_lock.c) ---- */
int bsdvm_rwlock_init(struct bsdvm_rwlock *lk, const struct bsdvm_platform *p);
void bsdvm_rwlock_fini(struct bsdvm_rwlock *lk, const struct bsdvm_platform *p);

/* ---- index and list (map_tree.c, map_gap.c) ---- */
/* Links e (start/end set, not yet in the map) right after prev (an entry or
 * the header).  The caller guarantees prev->end <= e->start and
 * e->end <= prev->next->start, and reserved (map_entry_reserve). */
void map_tree_link_after(struct vm_map *map, struct vm_map_entry *prev,
    struct vm_map_entry *e);
void map_tree_unlink(struct vm_map *map, struct vm_map_entry *e);
/* Recomputes the adjacency bits between a and its successor b (either may
 * be the header, which touches nothing). */
void map_tree_adjacent(struct vm_map *map, struct vm_map_entry *a, struct vm_map_entry *b);
/* Move an entry's start or end; the caller keeps the order intact.  These,
 * map_tree_split and map_tree_join are the only way to change the bounds
 * of an entry in the map: the index finds an entry by its start, and keeps
 * copies of both bounds. */
void map_tree_set_start(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t start);
void map_tree_set_end(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t end);
/* Splits entry e at addr (inside it) with n, a fresh entry not yet in the
 * map: n takes [e->start, addr) when n_below, else [addr, e->end), and e
 * keeps the rest.  The caller reserved, as for map_tree_link_after. */
void map_tree_split(struct vm_map *map, struct vm_map_entry *e, struct vm_map_entry *n,
    bsdvm_addr_t addr, bool n_below);
/* The reverse: keep and gone, neighbours that touch, become keep alone
 * over both ranges; gone leaves the map (the caller frees it). */
void map_tree_join(struct vm_map *map, struct vm_map_entry *keep, struct vm_map_entry *gone);
/* Returns the entry containing addr, or NULL with *predp = the entry before
 * addr (the header when none). */
struct vm_map_entry *map_tree_lookup(struct vm_map *map, bsdvm_addr_t addr,
    struct vm_map_entry **predp);
/* The same, leaving its descent in the map's finger for the change that
 * follows (map_btree.c), and asking for the lines of the entry found and
 * its neighbours, which linking in or out reads.  Only under the exclusive
 * lock. */
struct vm_map_entry *map_tree_lookup_link(struct vm_map *map, bsdvm_addr_t addr,
    struct vm_map_entry **predp);
/* The same without the prefetch, for changes that may clip or merge. */
struct vm_map_entry *map_tree_lookup_change(struct vm_map *map, bsdvm_addr_t addr,
    struct vm_map_entry **predp);
bsdvm_size_t map_tree_largest_gap(const struct vm_map *map);
/* Bytes the index's nodes take, spares included. */
uint64_t map_index_bytes(const struct vm_map *map);

/* A free gap [start, end) and where it sits in the index. */
struct map_gap {
	bsdvm_addr_t start, end;
	bool header;    /* the gap below the first entry */
	struct bt_path path;
};
/* The gap holding addr; when addr is inside an entry, the gap after it (up)
 * or before it (!up).  addr >= max is treated as max - 1 (callers pass
 * hints below max). */
void map_tree_gap_at(const struct vm_map *map, bsdvm_addr_t addr, bool up, struct map_gap *g);
/* What a gap must hold: len bytes from a multiple of page << cls (cls 0:
 * from any page; at most BT_ALIGN_CLASSES + the map's nbig, the classes
 * its index keeps, see map_btree.h). */
struct gap_want {
	bsdvm_size_t len;
	unsigned cls;
};
/* The next (previous) gap that holds w; false when none. */
bool map_tree_gap_next(const struct vm_map *map, struct map_gap *g, const struct gap_want *w);
bool map_tree_gap_prev(const struct vm_map *map, struct map_gap *g, const struct gap_want *w);

/* ---- entries (map_entry.c) ---- */
int map_entry_reserve(struct vm_map *map, unsigned n);
struct vm_map_entry *map_entry_take(struct vm_map *map);
void map_entry_release(struct vm_map *map, struct vm_map_entry *e);
void map_entry_trim(struct vm_map *map);
/* Clip without checks other than "strictly inside"; caller reserved one entry. */
void map_entry_clip_start(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t addr);
void map_entry_clip_end(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t addr);
bool map_entry_mergeable(struct vm_map *map, const struct vm_map_entry *a,
    const struct vm_map_entry *b);
/* Merges b into a (a precedes b, mergeable); frees b. */
void map_entry_join(struct vm_map *map, struct vm_map_entry *a, struct vm_map_entry *b);
/* Merges e with its neighbours where possible; returns the survivor. */
struct vm_map_entry *map_entry_simplify(struct vm_map *map, struct vm_map_entry *e);
/* Removes e from the map and gives it back to the cache. */
void map_entry_remove(struct vm_map *map, struct vm_map_entry *e);

/* ---- range helpers (map_range.c) ---- */
/* The entries a range touches: first is the first entry at or after start
 * (possibly the header when none), last the last one starting before end
 * (NULL when the range touches no entry). */
struct map_range {
	struct vm_map_entry *first;
	struct vm_map_entry *last;
};
/* Validates a range argument of a range operation. */
int map_range_check(const struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end);
/* The entry containing start, or the first one after it (maybe the header). */
struct vm_map_entry *map_range_first(struct vm_map *map, bsdvm_addr_t start);
/* One lookup, then a walk of the list: O(log n + k).  For removals: the
 * lookup leaves the finger at start (map_tree_lookup_link), so only under
 * the exclusive lock. */
void map_range_find(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    struct map_range *r);
/* KERN_INVALID_ARGUMENT if an unsplittable entry straddles start or end. */
int map_range_splittable(const struct map_range *r, bsdvm_addr_t start, bsdvm_addr_t end);
/* Clips first at start and last at end where asked (two entries must be
 * reserved); first and last then lie inside the range. */
void map_range_clip(struct vm_map *map, struct map_range *r, bsdvm_addr_t start,
    bsdvm_addr_t end, bool clip_first, bool clip_last);
/* Merges entries from the one before e through the one after end. */
void map_range_simplify_from(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t end);
void map_range_simplify(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end);

/* ---- consistency checks (map_check.c, map_btree_check.c) ---- */
struct map_checker {
	struct vm_map *map;
	char *why;       /* where the first violation is described, or NULL */
	size_t whylen;
	bool ok;
};
/* Records a violation (only the first is described); returns false. */
bool map_check_fail(struct map_checker *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* The index half: every node, key, copied bound and gap summary against
 * the entry list. */
bool map_check_index(struct map_checker *c);

/* ---- allocation of entries and index nodes (map_entry.c) ---- */
/* Cache-line aligned when the platform can align. */
void *map_obj_alloc(const struct bsdvm_platform *p, size_t size);
void map_obj_free(const struct bsdvm_platform *p, void *obj, size_t size);

/* bsdvm_map_find with the map locked exclusively (map_space.c). */
int map_find_locked(struct vm_map *map, const struct bsdvm_space_req *req,
    const struct bsdvm_entry_attrs *attrs, bsdvm_addr_t *addrp);

/* ---- attribute validation (map_insert.c) ---- */
/* The attributes alone: KERN_INVALID_ARGUMENT or KERN_PROTECTION_FAILURE. */
int map_attrs_valid(const struct vm_map *map, const struct bsdvm_entry_attrs *a);
int map_attrs_check(const struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *a);

#endif /* BSDVM_MAP_IMPL_H */
