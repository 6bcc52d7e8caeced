/*
 * memtest.h - helpers shared by the memory-layer tests: a system and a
 * vmspace per scenario, byte patterns written through copyout and checked
 * through copyin against a model the test keeps, fork, and the end-of-test
 * check that every counter is back at zero and nothing leaked.  Failures
 * name the test's own file and line.
 */
#ifndef BSDVM_MEMTEST_H
#define BSDVM_MEMTEST_H

#include <bsdvm/vmspace.h>

#include "testutil.h"

/* CHECK, CHECK_KERN and CHECK_EQ_U64 for a line given by the caller. */
#define CHECK_FL(file, line, cond)                                               \
	do {                                                                     \
		if (cond) {                                                      \
			tu_passed++;                                             \
		} else {                                                         \
			tu_failed++;                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", (file),     \
			    (line), #cond);                                      \
		}                                                                \
	} while (0)
#define CHECK_KERN_FL(file, line, got, want)                                     \
	do {                                                                     \
		int tu_g = (got), tu_w = (want);                                 \
		if (tu_g == tu_w) {                                              \
			tu_passed++;                                             \
		} else {                                                         \
			tu_failed++;                                             \
			fprintf(stderr, "%s:%d: %s returned %s, expected %s\n",  \
			    (file), (line), #got, bsdvm_kern_name(tu_g),         \
			    bsdvm_kern_name(tu_w));                              \
		}                                                                \
	} while (0)
#define CHECK_EQ_FL(file, line, got, want)                                       \
	do {                                                                     \
		uint64_t tu_g = (uint64_t)(got), tu_w = (uint64_t)(want);        \
		if (tu_g == tu_w) {                                              \
			tu_passed++;                                             \
		} else {                                                         \
			tu_failed++;                                             \
			fprintf(stderr, "%s:%d: %s = %" PRIu64                   \
			    ", expected %" PRIu64 "\n", (file), (line), #got,    \
			    tu_g, tu_w);                                         \
		}                                                                \
	} while (0)
#define CHECK_AT(line, cond) CHECK_FL(__FILE__, line, cond)
#define CHECK_KERN_AT(line, got, want) CHECK_KERN_FL(__FILE__, line, got, want)
#define CHECK_EQ_AT(line, got, want) CHECK_EQ_FL(__FILE__, line, got, want)

#define VM_MIN ((bsdvm_addr_t)0x10000)
#define VM_MAX ((bsdvm_addr_t)1 << 40)

/* The page size of the scenario running (set by new_sys). */
extern bsdvm_size_t PG;

struct bsdvm_sys *new_sys(bsdvm_size_t page, uint64_t frames, uint64_t swap);
/* A system of 4 KiB pages whose pmap is ops: the software pmap's
 * operations, some wrapped by a test (their context is the software
 * pmap's, the default platform).  NULL, after a failed check, on error. */
struct bsdvm_sys *new_sys_pmap(uint64_t frames, const struct pmap_ops *ops);
struct bsdvm_sys_stats stats(struct bsdvm_sys *s);
struct vmspace *new_vm(struct bsdvm_sys *s);
struct vm_map *M(struct vmspace *vm);
/* The byte a pattern `tag` puts at address a (never 0, never constant). */
uint8_t pat(bsdvm_addr_t a, unsigned tag);
uint8_t *model_new(size_t n);
uint8_t *model_dup(const uint8_t *src, size_t n);

/* Everything is gone: counters at zero, then destroy, then no leak. */
void finish_at(const char *file, int line, struct bsdvm_sys *s);
/* Maps anonymous memory at exactly a. */
void map_at(const char *file, int line, struct vmspace *vm, bsdvm_addr_t a,
    bsdvm_size_t len, uint32_t flags);
/* Writes pattern `tag` over [a, a + n) and records it in model (which
 * describes the range starting at base; may be NULL). */
void put_at(const char *file, int line, struct vmspace *vm, uint8_t *model,
    bsdvm_addr_t base, bsdvm_addr_t a, size_t n, unsigned tag);
/* Reads [base, base + n) and compares every byte with model. */
void verify_at(const char *file, int line, struct vmspace *vm, const uint8_t *model,
    bsdvm_addr_t base, size_t n);
struct vmspace *fork_at(const char *file, int line, struct vmspace *vm);
/* Entries in vm's map. */
uint64_t nentries(struct vmspace *vm);

#define FINISH(s) finish_at(__FILE__, __LINE__, (s))
#define MAP_AT(vm, a, len, flags) map_at(__FILE__, __LINE__, (vm), (a), (len), (flags))
#define PUT(vm, model, base, a, n, tag)                                          \
	put_at(__FILE__, __LINE__, (vm), (model), (base), (a), (n), (tag))
#define VERIFY(vm, model, base, n) verify_at(__FILE__, __LINE__, (vm), (model), (base), (n))
#define FORK(vm) fork_at(__FILE__, __LINE__, (vm))

#endif /* BSDVM_MEMTEST_H */
