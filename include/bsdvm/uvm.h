/*
 * bsdvm/uvm.h - the NetBSD face: uvm_map(9) and its family, with NetBSD's
 * names, the UVM_MAPFLAG word laid out as NetBSD lays it out, and errno
 * returns.  Thin translations onto the engine and the memory layer.
 *
 * Functions without a context argument (uvmspace_alloc, uvm_uarea_alloc,
 * ...) act on the default system made by bsdvm_init() (or uvm_init());
 * the native API (bsdvm/vmspace.h) can run several systems side by side.
 *
 * Where NetBSD only asserts (unaligned size, FIXED with an alignment,
 * NOWAIT with WAITVA, UNMAP without FIXED) bsdvm returns EINVAL.
 */
#ifndef BSDVM_UVM_H
#define BSDVM_UVM_H

#include <bsdvm/map.h>
#include <bsdvm/vmspace.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef bsdvm_addr_t vaddr_t;
typedef bsdvm_size_t vsize_t;
typedef bsdvm_off_t voff_t;
typedef bsdvm_prot_t vm_prot_t;
typedef uint32_t uvm_flag_t;

/* NetBSD's memory object: bsdvm's struct vm_object under NetBSD's name, so
 * that code written to uvm_map(9)'s synopsis compiles unchanged. */
#define uvm_object vm_object

/* A light-weight process: enough of NetBSD's struct lwp for uvmspace_exec. */
struct lwp {
	struct proc *l_proc;
};

/* protection */
#define UVM_PROT_NONE  0x0
#define UVM_PROT_R     0x1
#define UVM_PROT_W     0x2
#define UVM_PROT_X     0x4
#define UVM_PROT_MASK  0x7
#define UVM_PROT_RW    (UVM_PROT_R | UVM_PROT_W)
#define UVM_PROT_RX    (UVM_PROT_R | UVM_PROT_X)
#define UVM_PROT_WX    (UVM_PROT_W | UVM_PROT_X)
#define UVM_PROT_RWX   (UVM_PROT_R | UVM_PROT_W | UVM_PROT_X)
#define UVM_PROT_ALL   UVM_PROT_RWX

/* inheritance, already shifted into place (bits 4-5) */
#define UVM_INH_SHARE  0x00
#define UVM_INH_COPY   0x10
#define UVM_INH_NONE   0x20
#define UVM_INH_DONATE 0x30 /* reserved in NetBSD; refused with EINVAL */
#define UVM_INH_MASK   0x30

/* advice (bits 12-14) */
#define UVM_ADV_NORMAL     0x0
#define UVM_ADV_RANDOM     0x1
#define UVM_ADV_SEQUENTIAL 0x2
#define UVM_ADV_WILLNEED   0x3
#define UVM_ADV_DONTNEED   0x4
#define UVM_ADV_NOREUSE    0x5
#define UVM_ADV_MASK       0x7

/* mapping flags (bits 16-31) */
#define UVM_FLAG_FIXED    0x00010000 /* exactly at *startp */
#define UVM_FLAG_OVERLAY  0x00020000 /* give the entry its amap now */
#define UVM_FLAG_NOMERGE  0x00040000 /* never merge with neighbours */
#define UVM_FLAG_COPYONW  0x00080000 /* copy on write */
#define UVM_FLAG_AMAPPAD  0x00100000 /* room to grow: bsdvm amaps always have it */
#define UVM_FLAG_TRYLOCK  0x00200000 /* EAGAIN instead of waiting for the lock */
#define UVM_FLAG_NOWAIT   0x00400000 /* never sleep */
#define UVM_FLAG_WAITVA   0x00800000 /* sleep until an unmap frees space */
#define UVM_FLAG_QUANTUM  0x01000000 /* the entry refuses to be split */
#define UVM_FLAG_VAONLY   0x02000000 /* unmap side: VA only */
#define UVM_FLAG_COLORMATCH 0x04000000 /* align is a page colour to match */
#define UVM_FLAG_UNMAP    0x08000000 /* with FIXED: replace what is mapped */
#define UVM_FLAG_MASK                                                              \
	(UVM_FLAG_FIXED | UVM_FLAG_OVERLAY | UVM_FLAG_NOMERGE | UVM_FLAG_COPYONW |  \
	 UVM_FLAG_AMAPPAD | UVM_FLAG_TRYLOCK | UVM_FLAG_NOWAIT | UVM_FLAG_WAITVA |  \
	 UVM_FLAG_QUANTUM | UVM_FLAG_COLORMATCH | UVM_FLAG_UNMAP)

#define UVM_MAPFLAG(prot, maxprot, inh, advice, flags)                            \
	((uvm_flag_t)((prot) | ((maxprot) << 8) | (inh) | ((advice) << 12) | (flags)))
#define UVM_PROTECTION(X)    ((X) & UVM_PROT_MASK)
#define UVM_INHERIT(X)       (((X) & UVM_INH_MASK) >> 4)
#define UVM_MAXPROTECTION(X) (((X) >> 8) & UVM_PROT_MASK)
#define UVM_ADVICE(X)        (((X) >> 12) & UVM_ADV_MASK)

#define UVM_UNKNOWN_OFFSET ((voff_t)-1)

/* lock flags of uvm_map_pageable */
#define UVM_LK_ENTER 0x00000001 /* the caller holds the map lock */
#define UVM_LK_EXIT  0x00000002 /* keep the map locked on return */

/* The default system used by the context-free functions. */
BSDVM_API int bsdvm_init(const struct bsdvm_sys_params *params);
BSDVM_API void bsdvm_fini(void);
BSDVM_API struct bsdvm_sys *bsdvm_default_sys(void);
/* NetBSD's uvm_init(): bsdvm_init with default parameters, once. */
BSDVM_API void uvm_init(void);

BSDVM_API int uvm_map(struct vm_map *map, vaddr_t *startp, vsize_t size,
    struct uvm_object *uobj, voff_t uoffset, vsize_t align, uvm_flag_t flags);
BSDVM_API void uvm_unmap(struct vm_map *map, vaddr_t start, vaddr_t end);
/* uvm_unmap with UVM_FLAG_VAONLY or 0 in flags. */
BSDVM_API void uvm_unmap1(struct vm_map *map, vaddr_t start, vaddr_t end, int flags);
BSDVM_API int uvm_map_pageable(struct vm_map *map, vaddr_t start, vaddr_t end,
    bool new_pageable, int lockflags);
/* Caller holds the map lock (as in NetBSD). */
BSDVM_API bool uvm_map_checkprot(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_prot_t protection);
BSDVM_API int uvm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end,
    vm_prot_t new_prot, bool set_max);
BSDVM_API int uvm_deallocate(struct vm_map *map, vaddr_t start, vsize_t size);
BSDVM_API struct vmspace *uvmspace_alloc(vaddr_t min, vaddr_t max);
BSDVM_API void uvmspace_exec(struct lwp *l, vaddr_t start, vaddr_t end);
BSDVM_API struct vmspace *uvmspace_fork(struct vmspace *vm);
BSDVM_API void uvmspace_free(struct vmspace *vm);
BSDVM_API void uvmspace_share(struct proc *p1, struct proc *p2);
BSDVM_API vaddr_t uvm_uarea_alloc(void);
BSDVM_API void uvm_uarea_free(vaddr_t uaddr);
BSDVM_API vaddr_t uvm_uarea_system_alloc(void);
BSDVM_API void uvm_uarea_system_free(vaddr_t uaddr);

/* KERN_* -> errno as NetBSD's callers see them. */
BSDVM_API int bsdvm_kern_to_errno(int kern);

#ifdef __cplusplus
}
#endif
#endif /* BSDVM_UVM_H */
