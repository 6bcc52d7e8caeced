/*
 * bsdvm/platform.h - the hooks the portable core needs from its host.
 *
 * The engine never calls libc's allocator or pthreads directly: it calls
 * these hooks.  A kernel that vendors src/ supplies its own table; user
 * programs get the default one (libc + pthreads), which also lets tests
 * make the k-th allocation fail.
 */
#ifndef BSDVM_PLATFORM_H
#define BSDVM_PLATFORM_H

#include <bsdvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bsdvm_platform {
	void *ctx; /* passed back to every hook */

	/* Memory: alloc returns zeroed memory or NULL; free gets the size. */
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *ptr, size_t size);
	/* Optional: zeroed memory aligned to align (a power of two), freed
	 * with free_aligned.  The engine uses it for entries and index nodes
	 * so that each starts on a cache line; without it, alloc/free. */
	void *(*alloc_aligned)(void *ctx, size_t size, size_t align);
	void (*free_aligned)(void *ctx, void *ptr, size_t size);

	/* A sleeping mutex and a condition variable, as opaque objects. */
	void *(*mutex_create)(void *ctx);
	void (*mutex_destroy)(void *ctx, void *mutex);
	void (*mutex_lock)(void *ctx, void *mutex);
	void (*mutex_unlock)(void *ctx, void *mutex);
	void *(*cond_create)(void *ctx);
	void (*cond_destroy)(void *ctx, void *cond);
	void (*cond_wait)(void *ctx, void *cond, void *mutex);
	/* Returns 0 when woken, non-zero when the timeout (ns) expired. */
	int (*cond_timedwait)(void *ctx, void *cond, void *mutex, uint64_t ns);
	void (*cond_broadcast)(void *ctx, void *cond);

	/* A monotonic clock in nanoseconds, and 64 random bits. */
	uint64_t (*clock_ns)(void *ctx);
	uint64_t (*random)(void *ctx);
};

/* The default platform: calloc/free, pthread mutex and condvar, clock_gettime. */
BSDVM_API const struct bsdvm_platform *bsdvm_platform_default(void);

/*
 * Failure injection in the default platform's allocator (for tests).
 * bsdvm_alloc_fail_at(k): the k-th allocation from now fails (k = 1 is the
 * next one); every later one succeeds again.  k = 0 disables injection.
 * The count is process-wide.
 */
BSDVM_API void bsdvm_alloc_fail_at(uint64_t k);
/* Allocations made by the default platform since the process started. */
BSDVM_API uint64_t bsdvm_alloc_count(void);
/* Bytes currently allocated through the default platform (leak checks). */
BSDVM_API int64_t bsdvm_alloc_live_bytes(void);
/* Injected failures so far. */
BSDVM_API uint64_t bsdvm_alloc_failures(void);

#ifdef __cplusplus
}
#endif
#endif /* BSDVM_PLATFORM_H */
