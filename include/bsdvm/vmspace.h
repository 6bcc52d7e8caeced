/*
 * bsdvm/vmspace.h - real memory: a system (frame pool, swap, kernel map),
 * memory objects, vmspaces, processes, faults, byte access, wiring, stacks
 * and kernel memory.
 *
 * Copy-on-write follows NetBSD's amap/anon design (Cranor's UVM): private
 * pages live in anons referenced from per-entry amaps, an anon shared by
 * two amaps is copied on the first write, and an unshared one is simply
 * taken over.  Memory objects hold the pages of a file or of shared
 * anonymous memory.
 */
#ifndef BSDVM_VMSPACE_H
#define BSDVM_VMSPACE_H

#include <bsdvm/map.h>
#include <bsdvm/pmap.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bsdvm_sys;
struct proc;

/* ------------------------------------------------------------------ */
/* The system: one simulated machine. */

struct bsdvm_sys_params {
	bsdvm_size_t page_size;     /* 4 KiB .. 64 KiB, power of two; 0 = 4 KiB */
	uint64_t frames;            /* physical page frames; 0 = 4096 */
	uint64_t swap_pages;        /* swap store size in pages; 0 = none */
	bsdvm_addr_t kernel_min;    /* kernel map window; both 0 = a default */
	bsdvm_addr_t kernel_max;
	bsdvm_size_t uarea_size;    /* kernel stack bytes per u-area; 0 = 4 pages */
	bsdvm_size_t sgrowsiz;      /* stack growth step; 0 = 128 KiB */
	unsigned stack_guard_pages; /* guard pages at the far end of a stack; 0 = 1 */
	bool no_stack_guard;        /* set to use no guard pages at all */
	const struct bsdvm_platform *platform; /* NULL = default */
	const struct pmap_ops *pmap;           /* NULL = software pmap */
	void *pmap_ctx;                        /* NULL with the software pmap */
	unsigned page_colors;       /* page colours, a power of two up to 65536,
	                             * for UVM_FLAG_COLORMATCH; 0 = 1 */
};

BSDVM_API int bsdvm_sys_create(const struct bsdvm_sys_params *params, struct bsdvm_sys **sysp);
/* Frees the system; every vmspace, process and object must be gone. */
BSDVM_API void bsdvm_sys_destroy(struct bsdvm_sys *sys);
BSDVM_API bsdvm_size_t bsdvm_sys_page_size(const struct bsdvm_sys *sys);
BSDVM_API unsigned bsdvm_sys_page_colors(const struct bsdvm_sys *sys);

struct bsdvm_sys_stats {
	uint64_t frames;       /* frames in the pool */
	uint64_t free;         /* frames not holding a page */
	uint64_t resident;     /* frames holding a page */
	uint64_t wired;        /* resident pages that are wired */
	uint64_t faults;       /* calls to the fault handler */
	uint64_t zero_fills;   /* pages created zero-filled */
	uint64_t cow_copies;   /* pages copied because a shared page was written */
	uint64_t cow_takeovers;/* writes that took an unshared page without copying */
	uint64_t pageouts;     /* pages written to swap or back to their file */
	uint64_t pageins;      /* pages read back from swap */
	uint64_t file_reads;   /* pages read from files */
	uint64_t swap_total;   /* swap slots */
	uint64_t swap_used;
	uint64_t anons;        /* live anons */
	uint64_t amaps;        /* live amaps */
	uint64_t objects;      /* live memory objects */
	uint64_t vmspaces;     /* live vmspaces, the kernel's included */
};
BSDVM_API void bsdvm_sys_get_stats(struct bsdvm_sys *sys, struct bsdvm_sys_stats *st);

/* Evicts up to `want` unwired pages (second chance); returns how many. */
BSDVM_API uint64_t bsdvm_sys_pageout(struct bsdvm_sys *sys, uint64_t want);

/* ------------------------------------------------------------------ */
/* Memory objects (reference counted). */

/* Zero-filled, swap-backed memory of `size` bytes (shared anonymous memory). */
BSDVM_API int bsdvm_object_anon(struct bsdvm_sys *sys, bsdvm_size_t size,
    struct vm_object **objp);

/*
 * A pager: the backing store of an object, as callbacks so the memory
 * layer never does I/O itself (a kernel supplies its vnode or device
 * pager; bsdvm_object_file supplies one on a host file).  Every op gets
 * the ctx given to bsdvm_object_pager, is called with the system's lock
 * held (so it must not call back into the same system) and returns a
 * KERN_* code.
 *
 *  read    fills buf with up to len bytes at off; *got gets how many.
 *          Fewer than len means the data ends there: the object zero-fills
 *          the rest of the page.  Required.
 *  write   stores len bytes at off, all of them or fails.  Never asked to
 *          write past the length `size` reports.  Required when the object
 *          is writable, else may be NULL.
 *  size    the backing store's current length in *sizep: writeback never
 *          extends it, and a page reaching past it is never evicted, since
 *          its bytes there have nowhere to go.  NULL: the store is as long
 *          as the object.
 *  release called once, when the object dies (after its last writeback);
 *          may be NULL.
 */
struct bsdvm_pager_ops {
	int (*read)(void *ctx, bsdvm_off_t off, void *buf, size_t len, size_t *got);
	int (*write)(void *ctx, bsdvm_off_t off, const void *buf, size_t len);
	int (*size)(void *ctx, bsdvm_off_t *sizep);
	void (*release)(void *ctx);
};
/*
 * An object of `size` bytes whose pages come from a pager: read on first
 * touch; when `writable`, pages dirtied through shared mappings are
 * written back by bsdvm_object_sync, on unmap, on eviction and when the
 * object dies.  ops must stay valid while the object lives; ctx belongs to
 * the object from success on (release gets it back), and stays the
 * caller's on failure (release is not called).
 */
BSDVM_API int bsdvm_object_pager(struct bsdvm_sys *sys, const struct bsdvm_pager_ops *ops,
    void *ctx, bsdvm_size_t size, bool writable, struct vm_object **objp);
/*
 * A view of a host file: bsdvm_object_pager with the default pager on fd
 * (pread on first touch, pwrite on writeback, fstat for the length).  The
 * object does not own fd; keep it open while the object lives.
 */
BSDVM_API int bsdvm_object_file(struct bsdvm_sys *sys, int fd, bsdvm_size_t size,
    bool writable, struct vm_object **objp);
BSDVM_API void bsdvm_object_reference(struct vm_object *obj);
BSDVM_API void bsdvm_object_deallocate(struct vm_object *obj);
/* Writes dirty pages of a writable pager (file) object back; KERN_FAILURE
 * when the pager fails. */
BSDVM_API int bsdvm_object_sync(struct vm_object *obj);
BSDVM_API bsdvm_size_t bsdvm_object_size(const struct vm_object *obj);
BSDVM_API unsigned bsdvm_object_refcount(const struct vm_object *obj);

/* ------------------------------------------------------------------ */
/* vmspaces */

/* A new empty address space [min, max) (flags: BSDVM_MAP_TOPDOWN, WXORX). */
BSDVM_API int bsdvm_vmspace_create(struct bsdvm_sys *sys, bsdvm_addr_t min,
    bsdvm_addr_t max, uint32_t flags, struct vmspace **vmp);
BSDVM_API struct vm_map *bsdvm_vmspace_map(struct vmspace *vm);
BSDVM_API struct pmap *bsdvm_vmspace_pmap(struct vmspace *vm);
BSDVM_API struct bsdvm_sys *bsdvm_vmspace_sys(struct vmspace *vm);
/* The vmspace a map belongs to, or NULL for a plain map. */
BSDVM_API struct vmspace *bsdvm_map_vmspace(struct vm_map *map);
BSDVM_API void bsdvm_vmspace_reference(struct vmspace *vm);
/* Drops one reference; the last one unmaps everything and frees it. */
BSDVM_API void bsdvm_vmspace_free(struct vmspace *vm);
BSDVM_API unsigned bsdvm_vmspace_refcount(const struct vmspace *vm);
/*
 * A child address space built entry by entry from the parent's inheritance:
 * SHARE shares the pages, COPY shares them copy-on-write, NONE leaves a
 * hole, ZERO gives fresh zero-filled memory.  On failure the parent is
 * unchanged (copy-on-write bookkeeping aside) and *childp is untouched.
 */
BSDVM_API int bsdvm_vmspace_fork(struct vmspace *vm, struct vmspace **childp);
/*
 * Empties the vmspace and resets its window to [min, max) when the caller
 * holds the only reference; otherwise returns KERN_FAILURE (use a new one).
 */
BSDVM_API int bsdvm_vmspace_reset(struct vmspace *vm, bsdvm_addr_t min, bsdvm_addr_t max);

/* Resource limits of a process (FreeBSD RLIMIT_STACK, RLIMIT_VMEM/AS,
 * RLIMIT_MEMLOCK); BSDVM_RLIM_INFINITY for none. */
#define BSDVM_RLIM_INFINITY UINT64_MAX
struct bsdvm_rlimits {
	uint64_t stack;   /* bytes of main stack */
	uint64_t vmem;    /* bytes of address space (map size) */
	uint64_t memlock; /* bytes of wired memory */
};

/* Stack bookkeeping a vmspace keeps for growstack (FreeBSD vm_ssize,
 * vm_maxsaddr, vm_stacktop). */
struct bsdvm_stackinfo {
	bsdvm_size_t ssize;       /* bytes of main stack mapped */
	bsdvm_addr_t maxsaddr;    /* lowest address the main stack may reach */
	bsdvm_addr_t stacktop;    /* top of the main stack */
};
BSDVM_API void bsdvm_vmspace_get_stackinfo(struct vmspace *vm, struct bsdvm_stackinfo *si);
BSDVM_API void bsdvm_vmspace_set_stackinfo(struct vmspace *vm, const struct bsdvm_stackinfo *si);
/* The limits faults in this vmspace obey (set by bsdvm_proc_*). */
BSDVM_API void bsdvm_vmspace_set_limits(struct vmspace *vm, const struct bsdvm_rlimits *lim);
BSDVM_API void bsdvm_vmspace_get_limits(struct vmspace *vm, struct bsdvm_rlimits *lim);

/* ------------------------------------------------------------------ */
/* Mapping memory into a vmspace (thin helpers over bsdvm_map_find/fixed). */

#define BSDVM_MAPF_FIXED   0x1u /* exactly at *addrp, replacing what is there */
#define BSDVM_MAPF_EXCL    0x2u /* with FIXED: fail with KERN_NO_SPACE if used */
#define BSDVM_MAPF_SHARED  0x4u /* shared (inherit SHARE, writes reach the object) */
#define BSDVM_MAPF_NOMERGE 0x8u
#define BSDVM_MAPF_MASK    0xfu
/*
 * Maps length bytes of obj at offset (obj NULL: private anonymous memory;
 * shared anonymous memory gets a fresh anonymous object).  The mapping
 * takes its own reference on obj.  *addrp: hint in, address out.
 */
BSDVM_API int bsdvm_vmspace_mmap(struct vmspace *vm, bsdvm_addr_t *addrp,
    bsdvm_size_t length, bsdvm_prot_t prot, bsdvm_prot_t maxprot, uint32_t flags,
    struct vm_object *obj, bsdvm_off_t offset);

/* ------------------------------------------------------------------ */
/* Faults and byte access */

/*
 * Resolves one access to addr: zero-fill, copy-on-write (copying only a
 * page that is really shared), stack growth into a stack gap, protection
 * checks.  KERN_SUCCESS, KERN_INVALID_ADDRESS (unmapped),
 * KERN_PROTECTION_FAILURE (access not allowed, guard page),
 * KERN_RESOURCE_SHORTAGE (no frame and no swap), KERN_FAILURE (the object's
 * pager failed).
 */
BSDVM_API int bsdvm_fault(struct vm_map *map, bsdvm_addr_t addr, bsdvm_prot_t access);

/* Reads len bytes at uaddr into buf (copyin).  Stops at the first page
 * that fails, with that fault's code; *done (if not NULL) gets the bytes
 * moved. */
BSDVM_API int bsdvm_copyin(struct vmspace *vm, bsdvm_addr_t uaddr, void *buf, size_t len,
    size_t *done);
/* Writes len bytes from buf at uaddr (copyout), as bsdvm_copyin. */
BSDVM_API int bsdvm_copyout(struct vmspace *vm, const void *buf, bsdvm_addr_t uaddr,
    size_t len, size_t *done);
/* Is the page at addr resident (in a frame) for this vmspace? */
BSDVM_API bool bsdvm_vmspace_resident(struct vmspace *vm, bsdvm_addr_t addr);

/* ------------------------------------------------------------------ */
/* Wiring */

#define BSDVM_WIRE_HOLESOK 0x1u /* skip holes instead of failing */
#define BSDVM_WIRE_USER    0x2u /* a user (mlock) wiring: once per entry */
#define BSDVM_WIRE_ALL     0x4u /* unwire only: drop every wiring (NetBSD munlock) */
/*
 * Wires [start, end): every page becomes resident and is never paged out;
 * wirings nest.  A hole (without HOLESOK) is KERN_INVALID_ADDRESS; a page
 * that cannot be faulted in fails the call and every wiring it made is
 * rolled back.
 */
BSDVM_API int bsdvm_map_wire(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    uint32_t flags);
/* Undoes one wiring (every wiring with BSDVM_WIRE_ALL); an unwired entry
 * in the range is KERN_INVALID_ARGUMENT. */
BSDVM_API int bsdvm_map_unwire(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    uint32_t flags);

/* ------------------------------------------------------------------ */
/* Stacks (FreeBSD vm_map_stack(9) semantics) */

/*
 * Maps a growable stack reservation [addrbos, addrbos + max_ssize): a
 * stack entry of min(max_ssize - guard, sgrowsiz) bytes at the growing end
 * and a stack-gap entry over the rest.  cow carries MAP_ENTRY_GROWS_DOWN or
 * MAP_ENTRY_GROWS_UP (exactly one) and may add NOCOREDUMP, NOSYNC,
 * NOFAULT, NOMERGE and COW (with or without NEEDS_COPY), which the stack
 * and every piece it grows keep.  Other flags: KERN_INVALID_ARGUMENT.
 * Codes as vm_map_stack(9).
 */
BSDVM_API int bsdvm_map_stack(struct vm_map *map, bsdvm_addr_t addrbos,
    bsdvm_size_t max_ssize, bsdvm_prot_t prot, bsdvm_prot_t max, uint32_t cow);
/* Grows the stack whose gap holds addr (vm_map_growstack(9) semantics). */
BSDVM_API int bsdvm_map_growstack(struct vm_map *map, bsdvm_addr_t addr);

/* ------------------------------------------------------------------ */
/* Processes */

BSDVM_API int bsdvm_proc_create(struct bsdvm_sys *sys, struct vmspace *vm,
    struct proc **pp);
/* Exit: drops the process's vmspace reference and frees it. */
BSDVM_API void bsdvm_proc_destroy(struct proc *p);
BSDVM_API struct vmspace *bsdvm_proc_vmspace(struct proc *p);
BSDVM_API struct bsdvm_sys *bsdvm_proc_sys(struct proc *p);
BSDVM_API void bsdvm_proc_set_limits(struct proc *p, const struct bsdvm_rlimits *lim);
BSDVM_API void bsdvm_proc_get_limits(struct proc *p, struct bsdvm_rlimits *lim);
BSDVM_API void bsdvm_proc_lock(struct proc *p);
BSDVM_API void bsdvm_proc_unlock(struct proc *p);
/* Makes p use vm (taking a reference, dropping the old one); vm takes p's
 * limits, so a shared vmspace obeys the process that joined it last. */
BSDVM_API void bsdvm_proc_set_vmspace(struct proc *p, struct vmspace *vm);

/* ------------------------------------------------------------------ */
/* The kernel side */

/* The kernel's vmspace (a system map). */
BSDVM_API struct vmspace *bsdvm_sys_kernel(struct bsdvm_sys *sys);
/* Wired, zeroed kernel memory; returns 0 when no space or no frame. */
BSDVM_API bsdvm_addr_t bsdvm_kmem_alloc(struct bsdvm_sys *sys, bsdvm_size_t size);
BSDVM_API void bsdvm_kmem_free(struct bsdvm_sys *sys, bsdvm_addr_t addr, bsdvm_size_t size);
/* A u-area (kernel stack) with an unmapped guard page below it; `system`
 * selects the pool of kernel threads.  Returns 0 on failure. */
BSDVM_API bsdvm_addr_t bsdvm_uarea_alloc(struct bsdvm_sys *sys, bool system);
BSDVM_API void bsdvm_uarea_free(struct bsdvm_sys *sys, bsdvm_addr_t uaddr, bool system);
BSDVM_API bsdvm_size_t bsdvm_uarea_size(const struct bsdvm_sys *sys);
/* Highest address the kernel pmap has been grown to (pmap_growkernel). */
BSDVM_API bsdvm_addr_t bsdvm_sys_kernel_vm_end(struct bsdvm_sys *sys);

#ifdef __cplusplus
}
#endif
#endif /* BSDVM_VMSPACE_H */
