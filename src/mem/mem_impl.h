/*
 * mem_impl.h - private structures of the memory layer: pages, anons,
 * amaps, objects, swap, the system, vmspaces and processes.
 *
 * Locking: one mutex per system (sys->lock) protects everything in this
 * layer - the frame pool and its queues, anons, amaps, objects, swap, the
 * pmaps and the counters.  Map locks protect map entries.  Order: a map
 * lock first, then sys->lock; never the other way round.
 */
#ifndef BSDVM_MEM_IMPL_H
#define BSDVM_MEM_IMPL_H

#include <bsdvm/vmspace.h>

#include "map/map_impl.h"

/* ---- sparse arrays (amap slots, object pages) ---- */

/* One slot: a pointer and a number (amap: the anon, number unused;
 * object: page + swap slot). */
struct spa_slot {
	void *p;
	uint64_t v;
};
#define SPA_CHUNK 64 /* slots per chunk: small, so a small amap costs 1 KiB, not 8 */
struct spa {
	struct spa_slot **chunks; /* chunks[i] covers slots [i*SPA_CHUNK, (i+1)*SPA_CHUNK) */
	uint64_t nchunks;
};
/* The slot at index i, or NULL when its chunk does not exist. */
struct spa_slot *spa_peek(const struct spa *a, uint64_t i);
/* The slot at index i, creating its chunk; NULL when allocation fails. */
struct spa_slot *spa_get(struct spa *a, const struct bsdvm_platform *p, uint64_t i);
/* Ensures the chunks for [i, i+n) exist (so later spa_get cannot fail). */
int spa_reserve(struct spa *a, const struct bsdvm_platform *p, uint64_t i, uint64_t n);
void spa_free(struct spa *a, const struct bsdvm_platform *p);
/* Calls fn for every slot with a non-NULL p or non-zero v. */
void spa_foreach(struct spa *a, void (*fn)(void *arg, uint64_t i, struct spa_slot *s),
    void *arg);

/* ---- pages ---- */

#define PG_FREE    0x01u /* on the free list */
#define PG_BUSY    0x02u /* being worked on: not a pageout candidate */
#define PG_DIRTY   0x04u /* differs from its backing store */

struct vm_page {
	uint8_t *data;               /* page_size bytes of contents */
	struct vm_anon *anon;        /* owner when the page belongs to an anon */
	struct vm_object *object;    /* owner when the page belongs to an object */
	uint64_t pindex;             /* page index in object */
	uint32_t wire_count;         /* wired entries mapping this page */
	uint32_t flags;              /* PG_* */
	struct vm_page *qnext, *qprev; /* free list, or the pageout clock ring */
	void *md_pv;                 /* the pmap's list of translations */
	unsigned md_attrs;           /* the pmap's referenced/modified bits */
};

/* ---- anons and amaps (NetBSD uvm_anon / uvm_amap, our own code) ---- */

struct vm_anon {
	uint32_t ref;        /* amap slots pointing here */
	bool was_shared;     /* shared copy-on-write since its last write */
	struct vm_page *page;/* resident page, or NULL */
	uint64_t swslot;     /* swap slot + 1 when paged out, else 0 */
};

struct vm_amap {
	uint32_t ref;        /* entries referencing this amap */
	bool shared;         /* some reference came from INHERIT_SHARE */
	struct spa slots;    /* p = anon (v is unused: no per-slot counts, see amap.c) */
};

/* ---- memory objects ---- */

#define OBJ_ANON 1 /* swap-backed, zero-fill */
#define OBJ_PAGER 2 /* backed by a pager (bsdvm_object_pager; a host file is one) */

struct vm_object {
	uint32_t ref;
	int type;
	struct bsdvm_sys *sys;
	bsdvm_size_t size;   /* bytes */
	struct spa pages;    /* p = resident page, v = swap slot + 1 */
	/* OBJ_PAGER only: the backing store, reached only through these */
	const struct bsdvm_pager_ops *pager;
	void *pager_ctx;
	bool writable;       /* dirty pages go back through pager->write */
};

/* ---- the system ---- */

struct bsdvm_sys {
	const struct bsdvm_platform *plat;
	const struct pmap_ops *pmap;
	void *pmap_ctx;
	void *lock;                    /* platform mutex */
	bsdvm_size_t page_size;
	unsigned page_shift;
	unsigned page_colors;          /* for UVM_FLAG_COLORMATCH */
	/* frame pool */
	uint64_t nframes;
	struct vm_page *frames;
	uint8_t *frame_data;
	struct vm_page *free_list;
	uint64_t nfree;
	struct vm_page *clock_hand;    /* ring of resident pages, for pageout */
	uint64_t nresident;
	uint64_t nwired;
	/* swap store */
	uint64_t nswap;
	uint8_t *swap_data;
	uint64_t *swap_bitmap;
	uint64_t swap_used;
	uint64_t swap_hint;
	/* stacks */
	bsdvm_size_t sgrowsiz;
	bsdvm_size_t stack_guard;      /* bytes */
	/* kernel */
	struct vmspace *kernel;
	bsdvm_addr_t kernel_vm_end;
	bsdvm_size_t uarea_size;
	uint64_t uareas[2];            /* live u-areas: user, system */
	/* counters */
	uint64_t faults, zero_fills, cow_copies, cow_takeovers, pageouts, pageins;
	uint64_t file_reads, nanons, namaps, nobjects, nvmspaces;
};

struct vmspace {
	struct vm_map *map;
	struct pmap *pmap;
	struct bsdvm_sys *sys;
	_Atomic uint32_t refcnt;
	struct bsdvm_rlimits limits;
	struct bsdvm_stackinfo stack;
	bsdvm_size_t wired_size;       /* bytes in wired entries */
};

struct proc {
	struct bsdvm_sys *sys;
	struct vmspace *vm;
	struct bsdvm_rlimits limits;
	void *lock;                    /* platform mutex */
};

/* ---- system lock ---- */
void sys_lock(struct bsdvm_sys *sys);
void sys_unlock(struct bsdvm_sys *sys);

/* ---- frames (page.c) ---- */
/* A free frame (evicting if needed), owned by nobody yet, marked busy.
 * NULL when nothing can be evicted. */
struct vm_page *page_alloc(struct bsdvm_sys *sys, bool zero);
/* Puts a busy page just filled on the pageout ring. */
void page_activate(struct bsdvm_sys *sys, struct vm_page *pg);
/* Frees a page: drops its translations and returns the frame. */
void page_free(struct bsdvm_sys *sys, struct vm_page *pg);
void page_wire(struct bsdvm_sys *sys, struct vm_page *pg);
void page_unwire(struct bsdvm_sys *sys, struct vm_page *pg);
/* Evicts up to want pages; returns how many were freed. */
uint64_t pageout_run(struct bsdvm_sys *sys, uint64_t want);

/* ---- swap (swap.c) ---- */
uint64_t swap_alloc(struct bsdvm_sys *sys);       /* slot + 1, or 0 when full */
void swap_free(struct bsdvm_sys *sys, uint64_t slot1);
void swap_write(struct bsdvm_sys *sys, uint64_t slot1, const uint8_t *data);
void swap_read(struct bsdvm_sys *sys, uint64_t slot1, uint8_t *data);

/* ---- anons and amaps (amap.c) ---- */
struct vm_anon *anon_alloc(struct bsdvm_sys *sys);
void anon_unref(struct bsdvm_sys *sys, struct vm_anon *anon);
/* Makes the anon's page resident (paging it in); KERN code. */
int anon_load(struct bsdvm_sys *sys, struct vm_anon *anon);
struct vm_amap *amap_alloc(struct bsdvm_sys *sys);
/* One more entry references amap (shared: through INHERIT_SHARE). */
void amap_ref(struct vm_amap *amap, bool shared);
/* Drops the reference of an entry covering slots [first, first + n). */
void amap_unref(struct bsdvm_sys *sys, struct vm_amap *amap, uint64_t first, uint64_t n);
struct vm_anon *amap_lookup(struct vm_amap *amap, uint64_t slot);
/* Stores anon at slot; KERN_RESOURCE_SHORTAGE if the slot's chunk cannot
 * be allocated. */
int amap_set(struct bsdvm_sys *sys, struct vm_amap *amap, uint64_t slot, struct vm_anon *anon);
/* True when no slot of amap holds an anon. */
bool amap_empty(struct vm_amap *amap);
/* Gives e a fresh empty amap and clears NEEDS_COPY. */
int amap_new_for_entry(struct bsdvm_sys *sys, struct vm_map_entry *e);
/* A new amap with src's anons of slots [first, first + n) at slots 0..n-1:
 * sharing each anon (its count + 1), or with eager set, copying its page
 * now (fork of wired memory). */
int amap_copy_range(struct bsdvm_sys *sys, struct vm_amap *src, uint64_t first, uint64_t n,
    bool eager, struct vm_amap **newp);

/* ---- objects (object.c) ---- */
/* The resident page at pindex, reading it in if needed; KERN code. */
int object_get_page(struct vm_object *obj, uint64_t pindex, struct vm_page **pgp);
void object_ref_locked(struct vm_object *obj);
void object_unref_locked(struct vm_object *obj);
/* Writes a pager page back if it is dirty (shared writable mappings). */
void object_page_writeback(struct bsdvm_sys *sys, struct vm_page *pg);
/* Evicts an object page (called by pageout); false when it cannot. */
bool object_evict_page(struct bsdvm_sys *sys, struct vm_page *pg);

/* ---- kernel (sys.c) ---- */
void sys_kernel_grow(struct bsdvm_sys *sys, bsdvm_addr_t end);

/* ---- vmspaces (vmspace.c) ---- */
extern const struct bsdvm_map_hooks vmspace_map_hooks;
static inline struct vmspace *map_vmspace(struct vm_map *map)
{
	return map->owner;
}
/* The page backing va in entry e, if resident (no faulting). */
struct vm_page *entry_page(struct bsdvm_sys *sys, struct vm_map_entry *e, bsdvm_addr_t va);
void vm_wire_entry_pages(struct vmspace *vm, struct vm_map_entry *e, bool wire);

/* ---- faults (fault.c) ---- */
/* Caller holds map (exclusive) and sys locks.  wire: a wiring fault,
 * which also resolves copy-on-write (wire.c). */
int fault_locked(struct vmspace *vm, bsdvm_addr_t va, bsdvm_prot_t access, bool wire);

/* ---- wiring (wire.c): caller holds the map lock exclusively ---- */
int map_wire_locked(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end, uint32_t flags);
int map_unwire_locked(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end, uint32_t flags);
/* UVM_FLAG_OVERLAY without a failure point after the insert: allocate
 * the amap first (NULL for a plain map or when out of memory), then give
 * it to the new entry, or drop it if the entry merged elsewhere. */
void *vmspace_amap_prealloc(struct vm_map *map);
void vmspace_amap_attach(struct vm_map *map, bsdvm_addr_t start, void *prealloc);
void vmspace_amap_drop(struct vm_map *map, void *prealloc);
/* Grows the kernel pmap when map is the kernel map of its system. */
void vmspace_kernel_grow(struct vm_map *map, bsdvm_addr_t end);

/* ---- stacks (stack.c) ---- */
int map_stack_locked(struct vm_map *map, bsdvm_addr_t addrbos, bsdvm_size_t max_ssize,
    bsdvm_prot_t prot, bsdvm_prot_t max, uint32_t cow, bsdvm_inherit_t inherit);
/* Caller holds the map lock exclusively. */
int growstack_locked(struct vm_map *map, bsdvm_addr_t addr, const struct bsdvm_rlimits *lim,
    struct bsdvm_stackinfo *si);

#endif /* BSDVM_MEM_IMPL_H */
