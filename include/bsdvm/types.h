/*
 * bsdvm/types.h - basic types, protection, inheritance, advice and the
 * KERN_* return codes shared by the engine and both API faces.
 *
 * Addresses are 64-bit whatever the host: a map may describe the address
 * space of a 32-bit guest, a 64-bit guest or a kernel, and the host's own
 * pointer size never leaks into the arithmetic.
 */
#ifndef BSDVM_TYPES_H
#define BSDVM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define BSDVM_API
#else
#define BSDVM_API __attribute__((visibility("default")))
#endif

typedef uint64_t bsdvm_addr_t;  /* a virtual address inside a map */
typedef uint64_t bsdvm_size_t;  /* a length in bytes */
typedef uint64_t bsdvm_off_t;   /* an offset into a memory object */
typedef uint8_t bsdvm_prot_t;   /* VM_PROT_* bits */
typedef uint8_t bsdvm_inherit_t;/* VM_INHERIT_* value */

/* Protection bits (same values in FreeBSD, NetBSD and Mach). */
#ifndef VM_PROT_NONE
#define VM_PROT_NONE    ((bsdvm_prot_t)0x00)
#define VM_PROT_READ    ((bsdvm_prot_t)0x01)
#define VM_PROT_WRITE   ((bsdvm_prot_t)0x02)
#define VM_PROT_EXECUTE ((bsdvm_prot_t)0x04)
#endif
#define VM_PROT_RW      ((bsdvm_prot_t)(VM_PROT_READ | VM_PROT_WRITE))
#define VM_PROT_ALL     ((bsdvm_prot_t)(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE))
#define VM_PROT_DEFAULT VM_PROT_ALL

/* Fork inheritance (FreeBSD sys/vm/vm.h values; NetBSD MAP_INHERIT_*). */
#define VM_INHERIT_SHARE   ((bsdvm_inherit_t)0)
#define VM_INHERIT_COPY    ((bsdvm_inherit_t)1)
#define VM_INHERIT_NONE    ((bsdvm_inherit_t)2)
#define VM_INHERIT_ZERO    ((bsdvm_inherit_t)3)
#define VM_INHERIT_DEFAULT VM_INHERIT_COPY

/*
 * Advice (madvise behaviours), numbered as FreeBSD's MADV_*.  The first
 * three are stored in the entry and split it; the others act on pages or
 * on entry flags.  Prefixed so that they never clash with <sys/mman.h>.
 */
#define BSDVM_MADV_NORMAL     0
#define BSDVM_MADV_RANDOM     1
#define BSDVM_MADV_SEQUENTIAL 2
#define BSDVM_MADV_WILLNEED   3
#define BSDVM_MADV_DONTNEED   4
#define BSDVM_MADV_FREE       5
#define BSDVM_MADV_NOSYNC     6
#define BSDVM_MADV_AUTOSYNC   7
#define BSDVM_MADV_NOCORE     8
#define BSDVM_MADV_CORE       9

/*
 * Return codes, numbered as FreeBSD's sys/vm/vm_param.h (and Mach).
 * bsdvm_kern_name() gives the name of each.
 */
#ifndef KERN_SUCCESS
#define KERN_SUCCESS            0
#endif
#define KERN_INVALID_ADDRESS    1  /* address not in the map, or range empty */
#define KERN_PROTECTION_FAILURE 2  /* protection exceeds the maximum */
#define KERN_NO_SPACE           3  /* no free range / range already used */
#define KERN_INVALID_ARGUMENT   4  /* malformed argument */
#define KERN_FAILURE            5  /* generic failure */
#define KERN_RESOURCE_SHORTAGE  6  /* an allocation failed */
#define KERN_NOT_RECEIVER       7
#define KERN_NO_ACCESS          8
#define KERN_OUT_OF_BOUNDS      9  /* new prot not within new max prot */
#define KERN_RESTART           10
#define KERN_WOULD_BLOCK       11  /* bsdvm: a try-lock found the map busy */

/* The name of a KERN_* code ("KERN_NO_SPACE"), or "KERN_?" if unknown. */
BSDVM_API const char *bsdvm_kern_name(int code);
/* A one-line English description of a KERN_* code. */
BSDVM_API const char *bsdvm_kern_strerror(int code);

struct vm_map;
struct vm_map_entry;
struct vm_object;
struct vmspace;

#ifdef __cplusplus
}
#endif
#endif /* BSDVM_TYPES_H */
