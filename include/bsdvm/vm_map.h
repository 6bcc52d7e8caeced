/*
 * bsdvm/vm_map.h - the FreeBSD face: vm_map_find(9), vm_map_findspace(9),
 * vm_map_insert(9), vm_map_stack(9), vm_map_growstack(9), the vm_map(9)
 * basics and the vm_map_lock(9) family, with FreeBSD's names, argument
 * lists and KERN_* returns.  Every function is a thin translation onto the
 * engine (bsdvm/map.h) and the memory layer (bsdvm/vmspace.h).
 *
 * Where the manual pages and today's FreeBSD differ, the page wins:
 * vm_map_findspace returns 0/1 and fills *addr; vm_map_growstack takes a
 * process.  Where FreeBSD clamps a range to the map or asserts on bad
 * input, bsdvm returns KERN_INVALID_ADDRESS or KERN_INVALID_ARGUMENT and
 * changes nothing.
 */
#ifndef BSDVM_VM_MAP_H
#define BSDVM_VM_MAP_H

#include <bsdvm/map.h>
#include <bsdvm/vmspace.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef bsdvm_addr_t vm_offset_t;
typedef bsdvm_size_t vm_size_t;
typedef bsdvm_off_t vm_ooffset_t;
typedef bsdvm_prot_t vm_prot_t;
typedef bsdvm_inherit_t vm_inherit_t;
typedef struct vm_map *vm_map_t;
typedef struct vm_map_entry *vm_map_entry_t;
typedef struct vm_object *vm_object_t;
typedef struct pmap *pmap_t;
#ifndef BSDVM_HAVE_BOOLEAN_T
#define BSDVM_HAVE_BOOLEAN_T
typedef int boolean_t;
#endif
#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif

/* find_space strategies of vm_map_find(9) */
#define VMFS_NO_SPACE           0 /* exactly at *addr */
#define VMFS_ANY_SPACE          1 /* first fit at or above *addr */
#define VMFS_OPTIMAL_SPACE      2 /* superpage-friendly if possible, else any */
#define VMFS_SUPER_SPACE        3 /* must start on a superpage boundary */
#define VMFS_ALIGNED_SPACE(n)   ((n) << 8) /* must start on a 2^n boundary */

/* cow flags of vm_map_insert(9) and vm_map_find(9) (FreeBSD's values) */
#define MAP_INHERIT_SHARE        0x00000001 /* inherit SHARE instead of COPY */
#define MAP_COPY_ON_WRITE        0x00000002 /* private: copy on write */
#define MAP_NOFAULT              0x00000004
#define MAP_PREFAULT             0x00000008 /* accepted; pages come on demand */
#define MAP_PREFAULT_PARTIAL     0x00000010 /* accepted; pages come on demand */
#define MAP_DISABLE_SYNCER       0x00000020
#define MAP_CHECK_EXCL           0x00000040 /* accepted (insert never replaces) */
#define MAP_CREATE_GUARD         0x00000080
#define MAP_DISABLE_COREDUMP     0x00000100
#define MAP_PREFAULT_MADVISE     0x00000200 /* accepted */
#define MAP_WRITECOUNT           0x00000400 /* accepted */
#define MAP_REMAP                0x00000800 /* VMFS_NO_SPACE: replace what is there */
#define MAP_STACK_GROWS_DOWN     0x00001000
#define MAP_STACK_GROWS_UP       0x00002000
#define MAP_ACC_CHARGED          0x00004000 /* accepted (no swap accounting) */
#define MAP_ACC_NO_CHARGE        0x00008000 /* accepted */
#define MAP_VN_EXEC              0x00040000 /* accepted */
#define MAP_NO_HINT              0x00200000 /* accepted */
#define BSDVM_FREEBSD_COW_MASK                                                    \
	(MAP_INHERIT_SHARE | MAP_COPY_ON_WRITE | MAP_NOFAULT | MAP_PREFAULT |     \
	 MAP_PREFAULT_PARTIAL | MAP_DISABLE_SYNCER | MAP_CHECK_EXCL |             \
	 MAP_CREATE_GUARD | MAP_DISABLE_COREDUMP | MAP_PREFAULT_MADVISE |         \
	 MAP_WRITECOUNT | MAP_REMAP | MAP_STACK_GROWS_DOWN | MAP_STACK_GROWS_UP | \
	 MAP_ACC_CHARGED | MAP_ACC_NO_CHARGE | MAP_VN_EXEC | MAP_NO_HINT)

/* vm_map_protect flags */
#define VM_MAP_PROTECT_SET_PROT    0x0001
#define VM_MAP_PROTECT_SET_MAXPROT 0x0002

/* vm_map_wire / vm_map_unwire flags */
#define VM_MAP_WIRE_SYSTEM  0
#define VM_MAP_WIRE_USER    1
#define VM_MAP_WIRE_NOHOLES 0
#define VM_MAP_WIRE_HOLESOK 2
#define VM_MAP_WIRE_WRITE   4 /* accepted: wiring already resolves copy-on-write */

/* vm_map_find(9) */
BSDVM_API int vm_map_find(vm_map_t map, vm_object_t object, vm_ooffset_t offset,
    vm_offset_t *addr, vm_size_t length, vm_offset_t max_addr, int find_space,
    vm_prot_t prot, vm_prot_t max, int cow);
/* vm_map_findspace(9): 0 and *addr on success, 1 on failure.  Caller
 * holds the map lock. */
BSDVM_API int vm_map_findspace(vm_map_t map, vm_offset_t start, vm_size_t length,
    vm_offset_t *addr);
/* vm_map_insert(9).  Caller holds the map lock exclusively. */
BSDVM_API int vm_map_insert(vm_map_t map, vm_object_t object, vm_ooffset_t offset,
    vm_offset_t start, vm_offset_t end, vm_prot_t prot, vm_prot_t max, int cow);
/* vm_map_stack(9) */
BSDVM_API int vm_map_stack(vm_map_t map, vm_offset_t addrbos, vm_size_t max_ssize,
    vm_prot_t prot, vm_prot_t max, int cow);
/* vm_map_growstack(9) */
BSDVM_API int vm_map_growstack(struct proc *p, vm_offset_t addr);

/* vm_map(9) basics */
BSDVM_API vm_map_t vm_map_create(pmap_t pmap, vm_offset_t min, vm_offset_t max);
BSDVM_API void vm_map_destroy(vm_map_t map);
BSDVM_API vm_offset_t vm_map_min(vm_map_t map);
BSDVM_API vm_offset_t vm_map_max(vm_map_t map);
/* Caller holds the lock.  On a miss *entry is the entry before address, or
 * NULL when there is none (FreeBSD returns its header there). */
BSDVM_API boolean_t vm_map_lookup_entry(vm_map_t map, vm_offset_t address,
    vm_map_entry_t *entry);
BSDVM_API int vm_map_protect(vm_map_t map, vm_offset_t start, vm_offset_t end,
    vm_prot_t new_prot, vm_prot_t new_maxprot, int flags);
BSDVM_API int vm_map_remove(vm_map_t map, vm_offset_t start, vm_offset_t end);
/* Caller holds the lock exclusively. */
BSDVM_API int vm_map_delete(vm_map_t map, vm_offset_t start, vm_offset_t end);
BSDVM_API int vm_map_inherit(vm_map_t map, vm_offset_t start, vm_offset_t end,
    vm_inherit_t new_inheritance);
/* Returns 0 or EINVAL, with FreeBSD's MADV_* numbering (BSDVM_MADV_*). */
BSDVM_API int vm_map_madvise(vm_map_t map, vm_offset_t start, vm_offset_t end, int behav);
BSDVM_API int vm_map_wire(vm_map_t map, vm_offset_t start, vm_offset_t end, int flags);
BSDVM_API int vm_map_unwire(vm_map_t map, vm_offset_t start, vm_offset_t end, int flags);
/* Caller holds the lock. */
BSDVM_API boolean_t vm_map_check_protection(vm_map_t map, vm_offset_t start,
    vm_offset_t end, vm_prot_t protection);
/* Caller holds the lock exclusively. */
BSDVM_API void vm_map_simplify_entry(vm_map_t map, vm_map_entry_t entry);
BSDVM_API int vm_fault(vm_map_t map, vm_offset_t vaddr, vm_prot_t fault_type);

/* vm_map_lock(9) */
BSDVM_API void vm_map_lock(vm_map_t map);
BSDVM_API void vm_map_unlock(vm_map_t map);
BSDVM_API void vm_map_lock_read(vm_map_t map);
BSDVM_API void vm_map_unlock_read(vm_map_t map);
/* Non-zero when the lock was taken. */
BSDVM_API int vm_map_trylock(vm_map_t map);
BSDVM_API int vm_map_trylock_read(vm_map_t map);
/* 0 when upgraded; non-zero when the map may have changed, and then no
 * lock is held. */
BSDVM_API int vm_map_lock_upgrade(vm_map_t map);
BSDVM_API void vm_map_lock_downgrade(vm_map_t map);

#ifdef __cplusplus
}
#endif
#endif /* BSDVM_VM_MAP_H */
