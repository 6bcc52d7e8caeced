/*
 * testutil.h - the tiny assertion and randomness kit every test uses.
 *
 * A failed CHECK prints file, line and the expression, counts the failure
 * and carries on; test_main_exit() prints "N passed, N failed" and returns
 * the exit status.  Randomised tests take their seed from argv[1] or the
 * BSDVM_SEED environment variable, print it first, and replay exactly from
 * it.
 */
#ifndef BSDVM_TESTUTIL_H
#define BSDVM_TESTUTIL_H

#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bsdvm/bsdvm.h>

extern unsigned long tu_passed, tu_failed;

#define CHECK(cond)                                                              \
	do {                                                                     \
		if (cond) {                                                      \
			tu_passed++;                                             \
		} else {                                                         \
			tu_failed++;                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,   \
			    __LINE__, #cond);                                    \
		}                                                                \
	} while (0)

/* Compare two KERN_* codes, printing both names on mismatch. */
#define CHECK_KERN(got, want)                                                    \
	do {                                                                     \
		int tu_g = (got), tu_w = (want);                                 \
		if (tu_g == tu_w) {                                              \
			tu_passed++;                                             \
		} else {                                                         \
			tu_failed++;                                             \
			fprintf(stderr, "%s:%d: %s returned %s, expected %s\n",  \
			    __FILE__, __LINE__, #got, bsdvm_kern_name(tu_g),     \
			    bsdvm_kern_name(tu_w));                              \
		}                                                                \
	} while (0)

#define CHECK_EQ_U64(got, want)                                                  \
	do {                                                                     \
		uint64_t tu_g = (uint64_t)(got), tu_w = (uint64_t)(want);        \
		if (tu_g == tu_w) {                                              \
			tu_passed++;                                             \
		} else {                                                         \
			tu_failed++;                                             \
			fprintf(stderr, "%s:%d: %s = %#" PRIx64                  \
			    ", expected %#" PRIx64 "\n", __FILE__, __LINE__,     \
			    #got, tu_g, tu_w);                                   \
		}                                                                \
	} while (0)

/* vm_map_check() must hold; prints the violation otherwise. */
#define CHECK_MAP(map) CHECK(vm_map_check(map))

/* Prints the summary line CI reads and returns the exit status. */
int test_main_exit(const char *name);

/* Seed from argv[1], else $BSDVM_SEED, else dflt; printed on stdout. */
uint64_t test_seed(int argc, char **argv, uint64_t dflt);

/* xorshift64*: small, fast, reproducible across hosts. */
struct test_rng {
	uint64_t s;
};
static inline void rng_init(struct test_rng *r, uint64_t seed)
{
	r->s = seed != 0 ? seed : 0x9E3779B97F4A7C15ull;
}
static inline uint64_t rng_next(struct test_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1Dull;
}
/* Uniform in [0, n). */
static inline uint64_t rng_below(struct test_rng *r, uint64_t n)
{
	return n != 0 ? rng_next(r) % n : 0;
}

/* A map over [min, max) with the given page size (0 = 4 KiB). */
struct vm_map *test_map_new(bsdvm_addr_t min, bsdvm_addr_t max, bsdvm_size_t page);
/* The same, with BSDVM_MAP_* flags; exits on failure like test_map_new. */
struct vm_map *test_map_new_flags(bsdvm_addr_t min, bsdvm_addr_t max, bsdvm_size_t page,
    uint32_t flags);
/* The map's statistics; the struct is poisoned first, so a field the
 * library forgets to fill shows up as 0xa5a5... */
struct bsdvm_map_stats test_map_stats(struct vm_map *map);

/* Writes the map's entries, one per line, to a malloc'd string (for
 * "listed exactly as before" comparisons).  Caller frees. */
char *test_map_listing(struct vm_map *map);

/* Sleeps ms milliseconds (threaded tests). */
void sleep_ms(unsigned ms);
/* Polls *flag for up to ms milliseconds; true once it is set. */
bool wait_flag(atomic_int *flag, unsigned ms);

#endif /* BSDVM_TESTUTIL_H */
