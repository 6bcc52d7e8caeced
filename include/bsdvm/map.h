/*
 * bsdvm/map.h - the map engine's native interface.
 *
 * A map describes one address space window [min, max) as a set of
 * non-overlapping page-aligned entries.  Both API faces (bsdvm/vm_map.h with
 * FreeBSD names, bsdvm/uvm.h with NetBSD names) are thin layers over these
 * functions; all behaviour lives here, once.
 *
 * Every mutating function is all-or-nothing: it validates its arguments,
 * reserves the entries it may need, and only then changes the map.  When it
 * returns anything but KERN_SUCCESS the map is exactly as it was.
 *
 * Locking: functions named bsdvm_map_* take the map lock themselves unless
 * their comment says "caller holds the lock".  Entry pointers are only valid
 * while the caller holds at least the read lock.
 */
#ifndef BSDVM_MAP_H
#define BSDVM_MAP_H

#include <bsdvm/platform.h>
#include <bsdvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Entry flags (FreeBSD MAP_ENTRY_* with NetBSD's NOMERGE and QUANTUM). */

#define MAP_ENTRY_COW            0x00000001u /* private: copy on write */
#define MAP_ENTRY_NEEDS_COPY     0x00000002u /* private copy not made yet */
#define MAP_ENTRY_NOMERGE        0x00000004u /* never coalesce (UVM_FLAG_NOMERGE) */
#define MAP_ENTRY_UNSPLITTABLE   0x00000008u /* refuses to be split (UVM_FLAG_QUANTUM) */
#define MAP_ENTRY_GROWS_DOWN     0x00000010u /* stack that grows toward lower addresses */
#define MAP_ENTRY_GROWS_UP       0x00000020u /* stack that grows toward higher addresses */
#define MAP_ENTRY_GUARD          0x00000040u /* reservation: no object, no access */
#define MAP_ENTRY_STACK_GAP_DN   0x00000080u /* guard below a GROWS_DOWN stack */
#define MAP_ENTRY_STACK_GAP_UP   0x00000100u /* guard above a GROWS_UP stack */
#define MAP_ENTRY_NOFAULT        0x00000200u /* faults here are a caller bug */
#define MAP_ENTRY_NOSYNC         0x00000400u /* MADV_NOSYNC */
#define MAP_ENTRY_NOCOREDUMP     0x00000800u /* MADV_NOCORE */
#define MAP_ENTRY_USER_WIRED     0x00001000u /* one user wiring is counted */
#define MAP_ENTRY_IN_TRANSITION  0x00002000u /* being wired/unwired (lock dropped) */
#define MAP_ENTRY_NEEDS_WAKEUP   0x00004000u /* a thread waits on IN_TRANSITION */

/* Flags a caller may give when creating an entry. */
#define MAP_ENTRY_CREATE_MASK                                                   \
	(MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY | MAP_ENTRY_NOMERGE |             \
	 MAP_ENTRY_UNSPLITTABLE | MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP |   \
	 MAP_ENTRY_GUARD | MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP |    \
	 MAP_ENTRY_NOFAULT | MAP_ENTRY_NOSYNC | MAP_ENTRY_NOCOREDUMP)

/* Entries with any of these never merge with a neighbour. */
#define MAP_ENTRY_NOMERGE_MASK                                                  \
	(MAP_ENTRY_NOMERGE | MAP_ENTRY_UNSPLITTABLE | MAP_ENTRY_GROWS_DOWN |    \
	 MAP_ENTRY_GROWS_UP | MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP | \
	 MAP_ENTRY_IN_TRANSITION)

/*
 * One entry.  The fields above "mapping" belong to the map and must not be
 * written; the rest may be read by a caller holding the map lock.
 */
struct vm_map_entry {
	/* address order: the list runs through the map's header, so the
	 * successor and predecessor are one pointer away */
	struct vm_map_entry *prev, *next;
	/* the index keeps its own copy of the bounds, beside the pointer to
	 * the entry, so that lookups and space searches never read entries */
	bsdvm_addr_t start;    /* first address */
	bsdvm_addr_t end;      /* first address after the entry */
	/* mapping (readable under the map lock) */
	struct vm_object *object;
	bsdvm_off_t offset;    /* object offset of start */
	uint32_t eflags;       /* MAP_ENTRY_* */
	int32_t wired_count;
	bsdvm_prot_t protection;
	bsdvm_prot_t max_protection;
	bsdvm_inherit_t inheritance;
	uint8_t advice;        /* BSDVM_MADV_NORMAL / RANDOM / SEQUENTIAL */
	uint8_t adjacent;      /* owned by the map: which neighbours this entry touches */
	void *aux;             /* reserved for the memory layer (amap reference) */
	bsdvm_off_t aux_off;   /* reserved for the memory layer (amap slot offset) */
};

/* ------------------------------------------------------------------ */
/* Creation */

#define BSDVM_MAP_TOPDOWN 0x1u /* find space from the top down by default */
#define BSDVM_MAP_WXORX   0x2u /* refuse prot with both WRITE and EXECUTE */
#define BSDVM_MAP_SYSTEM  0x4u /* a kernel map (informational) */
/* The index keeps, besides the largest gap under every subtree, the
 * largest aligned fit for alignments of 2 to 65536 pages and for the larger
 * ones the window holds more than a few multiples of, so that a search
 * for any power-of-two alignment with no colour offset takes O(log n)
 * steps even on a map whose gaps are long enough but never aligned.  Maps
 * do this by default.
 * BSDVM_MAP_NO_ALIGN_INDEX leaves the fits out: every change to the map is
 * cheaper (inserts and removals up to ~1.5x at small N, see
 * bsdvm_map_create(3)), and such searches try those gaps one by one, as
 * FreeBSD and NetBSD do; the answers are the same either way.
 * BSDVM_MAP_ALIGN_INDEX asks for the default explicitly (giving both is
 * KERN_INVALID_ARGUMENT).  Creation only: neither can change later. */
#define BSDVM_MAP_ALIGN_INDEX    0x8u
#define BSDVM_MAP_NO_ALIGN_INDEX 0x10u
#define BSDVM_MAP_FLAGS_MASK                                                   \
	(BSDVM_MAP_TOPDOWN | BSDVM_MAP_WXORX | BSDVM_MAP_SYSTEM | BSDVM_MAP_ALIGN_INDEX | \
	    BSDVM_MAP_NO_ALIGN_INDEX)

struct bsdvm_map_params {
	bsdvm_addr_t min;           /* lowest address, page aligned */
	bsdvm_addr_t max;           /* one past the highest; page aligned, > min */
	bsdvm_size_t page_size;     /* power of two, 4 KiB .. 64 KiB; 0 = 4 KiB */
	bsdvm_size_t superpage_size;/* power of two >= page size; 0 = 2 MiB */
	uint32_t flags;             /* BSDVM_MAP_* */
	const struct bsdvm_platform *platform; /* NULL = bsdvm_platform_default() */
};

/*
 * The highest page of the 64-bit space cannot be mapped, so that "end" of
 * every range fits in 64 bits: max must be <= 2^64 - page_size.
 * Returns KERN_INVALID_ARGUMENT for bad parameters, KERN_RESOURCE_SHORTAGE
 * when allocation fails.
 */
BSDVM_API int bsdvm_map_create(const struct bsdvm_map_params *params,
    struct vm_map **mapp);
/* Frees the map and all its entries.  No other thread may use it. */
BSDVM_API void bsdvm_map_destroy(struct vm_map *map);

BSDVM_API bsdvm_addr_t bsdvm_map_min(const struct vm_map *map);
BSDVM_API bsdvm_addr_t bsdvm_map_max(const struct vm_map *map);
BSDVM_API bsdvm_size_t bsdvm_map_page_size(const struct vm_map *map);
BSDVM_API bsdvm_size_t bsdvm_map_superpage_size(const struct vm_map *map);
BSDVM_API uint32_t bsdvm_map_flags(const struct vm_map *map);
BSDVM_API const struct bsdvm_platform *bsdvm_map_platform(const struct vm_map *map);

/*
 * Spare entries the map keeps between operations (default 64).  0 makes
 * every operation allocate what it needs and free what it does not keep,
 * which is what allocation-failure tests want.
 */
BSDVM_API void bsdvm_map_set_entry_cache(struct vm_map *map, unsigned max);

/* ------------------------------------------------------------------ */
/* Locking: a shared/exclusive lock with a timestamp (FreeBSD vm_map_lock(9)). */

BSDVM_API void bsdvm_map_lock(struct vm_map *map);          /* exclusive; timestamp++ */
BSDVM_API void bsdvm_map_unlock(struct vm_map *map);
BSDVM_API void bsdvm_map_lock_read(struct vm_map *map);
BSDVM_API void bsdvm_map_unlock_read(struct vm_map *map);
BSDVM_API bool bsdvm_map_trylock(struct vm_map *map);       /* exclusive; timestamp++ */
BSDVM_API bool bsdvm_map_trylock_read(struct vm_map *map);
/*
 * Shared -> exclusive.  Returns true with the exclusive lock held when no
 * other thread changed the map meanwhile; otherwise returns false with NO
 * lock held, and the caller must start over (FreeBSD semantics).
 */
BSDVM_API bool bsdvm_map_lock_upgrade(struct vm_map *map);
BSDVM_API void bsdvm_map_lock_downgrade(struct vm_map *map); /* exclusive -> shared */
/* Count of exclusive acquisitions; equal values mean nothing changed. */
BSDVM_API uint64_t bsdvm_map_timestamp(const struct vm_map *map);
/*
 * Wait until some thread unlocks the map after an exclusive hold, or the
 * timeout (ns, 0 = forever) expires.  Caller holds the exclusive lock; it is
 * dropped while sleeping and re-taken before return.  Returns true if woken.
 */
BSDVM_API bool bsdvm_map_unlock_and_wait(struct vm_map *map, uint64_t timeout_ns);

/* ------------------------------------------------------------------ */
/* Looking up (caller holds the lock). */

/*
 * If addr lies in an entry, sets *entryp to it and returns true; otherwise
 * sets *entryp to the entry before addr (or NULL if none) and returns false.
 * O(log n).
 */
BSDVM_API bool bsdvm_map_lookup_entry(struct vm_map *map, bsdvm_addr_t addr,
    struct vm_map_entry **entryp);
/* First / last entry, or NULL when the map is empty.  O(1). */
BSDVM_API struct vm_map_entry *bsdvm_map_first(struct vm_map *map);
BSDVM_API struct vm_map_entry *bsdvm_map_last(struct vm_map *map);
/* Successor / predecessor in address order, or NULL at the end.  O(1). */
BSDVM_API struct vm_map_entry *bsdvm_map_entry_succ(struct vm_map *map,
    struct vm_map_entry *entry);
BSDVM_API struct vm_map_entry *bsdvm_map_entry_pred(struct vm_map *map,
    struct vm_map_entry *entry);

/* A copy of one entry's attributes, for callers that do not hold the lock. */
struct bsdvm_region {
	bsdvm_addr_t start, end;
	struct vm_object *object;
	bsdvm_off_t offset;
	uint32_t eflags;
	bsdvm_prot_t protection, max_protection;
	bsdvm_inherit_t inheritance;
	uint8_t advice;
	int32_t wired_count;
};
/* Takes the read lock.  Returns true and fills *out if addr is mapped. */
BSDVM_API bool bsdvm_map_query(struct vm_map *map, bsdvm_addr_t addr,
    struct bsdvm_region *out);
/*
 * Calls fn for every entry in address order under the read lock; stops
 * early and returns fn's value when fn returns non-zero.  fn must not call
 * back into this map.
 */
BSDVM_API int bsdvm_map_foreach(struct vm_map *map,
    int (*fn)(void *arg, const struct bsdvm_region *region), void *arg);

/* ------------------------------------------------------------------ */
/* Free space */

#define BSDVM_SPACE_TOPDOWN   0x1u /* highest fit at or below the hint */
#define BSDVM_SPACE_BOTTOMUP  0x2u /* lowest fit at or above the hint (overrides map default) */
#define BSDVM_SPACE_FLAGS_MASK (BSDVM_SPACE_TOPDOWN | BSDVM_SPACE_BOTTOMUP)

struct bsdvm_space_req {
	bsdvm_addr_t hint;        /* bottom-up: lowest start; top-down: highest start */
	bsdvm_size_t length;      /* page multiple, > 0 */
	bsdvm_size_t align;       /* 0, or a power of two >= page size */
	bsdvm_addr_t align_offset;/* start = align_offset (mod align); < align, page aligned */
	bsdvm_addr_t max_end;     /* 0 = no bound; else the range must end <= max_end */
	uint32_t flags;           /* BSDVM_SPACE_*; neither = the map's default direction */
};

/*
 * Finds a free range.  Caller holds the lock (read is enough).
 * Bottom-up: the lowest start >= max(hint, min) that fits; top-down: the
 * highest start <= hint (a hint of 0 means the top of the map).
 * Returns KERN_SUCCESS with *addrp set, KERN_NO_SPACE, or
 * KERN_INVALID_ARGUMENT for a malformed request.  O(log n) per candidate
 * gap; unaligned requests examine at most two (the gap holding the hint,
 * then the first gap long enough).
 */
BSDVM_API int bsdvm_map_findspace_locked(struct vm_map *map,
    const struct bsdvm_space_req *req, bsdvm_addr_t *addrp);
/* The same, taking the read lock. */
BSDVM_API int bsdvm_map_findspace(struct vm_map *map,
    const struct bsdvm_space_req *req, bsdvm_addr_t *addrp);
/* Largest free gap in the map (bytes).  O(1). */
BSDVM_API bsdvm_size_t bsdvm_map_largest_gap(struct vm_map *map);

/* ------------------------------------------------------------------ */
/* Creating entries */

struct bsdvm_entry_attrs {
	struct vm_object *object; /* NULL for anonymous zero-fill */
	bsdvm_off_t offset;       /* object offset of start (page aligned) */
	bsdvm_prot_t prot;
	bsdvm_prot_t maxprot;
	bsdvm_inherit_t inherit;
	uint8_t advice;           /* NORMAL, RANDOM or SEQUENTIAL */
	uint32_t eflags;          /* subset of MAP_ENTRY_CREATE_MASK */
};

/* Attributes of plain anonymous memory with the given protection. */
BSDVM_API struct bsdvm_entry_attrs bsdvm_attrs_anon(bsdvm_prot_t prot,
    bsdvm_prot_t maxprot);

/*
 * Maps [start, end) with attrs; the range must be free.  Coalesces with
 * compatible neighbours.
 *   KERN_INVALID_ARGUMENT   start/end not page aligned, end < start, bad
 *                           prot/inherit/advice/flag bits, GUARD with an
 *                           object or with any prot or maxprot
 *   KERN_INVALID_ADDRESS    start == end, or the range is not inside [min, max)
 *   KERN_PROTECTION_FAILURE prot is not within maxprot, or W|X on a W^X map
 *   KERN_NO_SPACE           part of the range is already mapped
 *   KERN_RESOURCE_SHORTAGE  allocation failed
 */
BSDVM_API int bsdvm_map_insert(struct vm_map *map, bsdvm_addr_t start,
    bsdvm_addr_t end, const struct bsdvm_entry_attrs *attrs);
BSDVM_API int bsdvm_map_insert_locked(struct vm_map *map, bsdvm_addr_t start,
    bsdvm_addr_t end, const struct bsdvm_entry_attrs *attrs);

/*
 * Finds space as bsdvm_map_findspace() does and maps it, under one lock.
 * *addrp is the hint on entry and the start chosen on success.
 * Codes: those of findspace and insert.
 */
BSDVM_API int bsdvm_map_find(struct vm_map *map, const struct bsdvm_space_req *req,
    const struct bsdvm_entry_attrs *attrs, bsdvm_addr_t *addrp);

/*
 * Maps [start, end), first removing whatever is mapped there, atomically
 * (mmap MAP_FIXED, NetBSD UVM_FLAG_FIXED|UVM_FLAG_UNMAP).  Errors as insert;
 * KERN_INVALID_ARGUMENT also if an unsplittable entry would have to split.
 */
BSDVM_API int bsdvm_map_fixed(struct vm_map *map, bsdvm_addr_t start,
    bsdvm_addr_t end, const struct bsdvm_entry_attrs *attrs);
BSDVM_API int bsdvm_map_fixed_locked(struct vm_map *map, bsdvm_addr_t start,
    bsdvm_addr_t end, const struct bsdvm_entry_attrs *attrs);

/* ------------------------------------------------------------------ */
/* Range operations.  For all: start/end page aligned, start <= end, and
 * [start, end) inside [min, max), else KERN_INVALID_ARGUMENT (alignment,
 * order) or KERN_INVALID_ADDRESS (outside).  start == end inside the map
 * succeeds and changes nothing.  Holes inside the range are skipped unless stated.
 * Splitting an unsplittable entry is refused with KERN_INVALID_ARGUMENT. */

/* Removes every mapping in the range (munmap). */
BSDVM_API int bsdvm_map_delete(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end);
BSDVM_API int bsdvm_map_delete_locked(struct vm_map *map, bsdvm_addr_t start,
    bsdvm_addr_t end);

#define BSDVM_PROTECT_SET_PROT 0x1u /* set the current protection */
#define BSDVM_PROTECT_SET_MAX  0x2u /* set the maximum (and mask the current) */
/*
 * Changes protections (FreeBSD vm_map_protect with both flags, NetBSD
 * uvm_map_protect with SET_PROT or SET_MAX alone).  A stack gap takes the
 * change into the protection it keeps for the stack's growth.
 * Every requested bit must be within each entry's maximum: the maximum can
 * only be lowered.  Plain guard entries (GUARD without a stack-gap flag)
 * have no protection to change and are skipped, as in FreeBSD.
 *   KERN_OUT_OF_BOUNDS       both flags and new_prot not within new_maxprot
 *   KERN_PROTECTION_FAILURE  a request exceeds an entry's maximum, or W|X on
 *                            a W^X map
 */
BSDVM_API int bsdvm_map_protect(struct vm_map *map, bsdvm_addr_t start,
    bsdvm_addr_t end, bsdvm_prot_t new_prot, bsdvm_prot_t new_maxprot, uint32_t flags);

/* Sets fork inheritance.  Guard entries ignore VM_INHERIT_ZERO. */
BSDVM_API int bsdvm_map_inherit(struct vm_map *map, bsdvm_addr_t start,
    bsdvm_addr_t end, bsdvm_inherit_t inheritance);

/*
 * Records advice.  NORMAL/RANDOM/SEQUENTIAL set the entry's advice and
 * split; NOSYNC/AUTOSYNC/NOCORE/CORE set or clear entry flags and split;
 * WILLNEED/DONTNEED/FREE act on pages without splitting.
 */
BSDVM_API int bsdvm_map_madvise(struct vm_map *map, bsdvm_addr_t start,
    bsdvm_addr_t end, int advice);

/*
 * True when [start, end) is entirely mapped, without holes, and every
 * entry's current protection includes prot (read lock taken).  As in both
 * BSDs, start itself must lie in an entry whose protection includes prot,
 * even when start == end.  False for any malformed range.
 */
BSDVM_API bool bsdvm_map_check_protection(struct vm_map *map, bsdvm_addr_t start,
    bsdvm_addr_t end, bsdvm_prot_t prot);
BSDVM_API bool bsdvm_map_check_protection_locked(struct vm_map *map,
    bsdvm_addr_t start, bsdvm_addr_t end, bsdvm_prot_t prot);

/* ------------------------------------------------------------------ */
/* Kernel-style primitives (caller holds the exclusive lock). */

/*
 * Splits entry so that it starts (clip_start) or ends (clip_end) at addr;
 * the new piece is a separate entry.  No-op when addr is not strictly
 * inside.  KERN_INVALID_ARGUMENT for an unaligned addr or an unsplittable
 * entry, KERN_RESOURCE_SHORTAGE when no entry can be allocated.
 */
BSDVM_API int bsdvm_map_clip_start(struct vm_map *map, struct vm_map_entry *entry,
    bsdvm_addr_t addr);
BSDVM_API int bsdvm_map_clip_end(struct vm_map *map, struct vm_map_entry *entry,
    bsdvm_addr_t addr);
/* Merges entry with compatible neighbours, which are freed; entry survives
 * (as in FreeBSD) and is returned. */
BSDVM_API struct vm_map_entry *bsdvm_map_simplify_entry(struct vm_map *map,
    struct vm_map_entry *entry);

/* ------------------------------------------------------------------ */
/* Statistics and checking */

struct bsdvm_map_stats {
	uint64_t nentries;     /* entries in the map */
	bsdvm_size_t size;     /* bytes mapped, guard entries excluded */
	bsdvm_size_t largest_gap;
	uint64_t inserts;      /* entries created by insert (not by clipping) */
	uint64_t removes;      /* entries removed by delete or fixed replacement */
	uint64_t splits;       /* clips */
	uint64_t merges;       /* coalescings (extensions and joins) */
	uint64_t timestamp;
	uint64_t index_depth;  /* levels of the index (0 when the map is empty) */
	uint64_t index_bytes;  /* memory the index holds, spare nodes included */
};
BSDVM_API void bsdvm_map_get_stats(struct vm_map *map, struct bsdvm_map_stats *st);

/*
 * Walks the whole map and checks every invariant: order, no overlap, page
 * alignment, bounds, non-empty entries, list/index agreement, the index's
 * balance, fill, keys and copies of each entry's bounds, the largest-gap
 * summaries recomputed from scratch, entry count and size, flag and
 * protection sanity, wiring state.  Returns
 * true when all hold; otherwise false, and if why is not NULL writes a
 * description of the first violation (at most whylen bytes).  Takes the
 * read lock.  O(n).
 */
BSDVM_API bool vm_map_check(struct vm_map *map);
BSDVM_API bool bsdvm_map_check(struct vm_map *map, char *why, size_t whylen);

#ifdef __cplusplus
}
#endif
#endif /* BSDVM_MAP_H */
