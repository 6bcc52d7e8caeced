/*
 * platform_default.c - the default platform: libc allocation, pthread
 * mutexes and condition variables, the monotonic clock.  This is the only
 * file of the library that touches libc's allocator or pthreads.
 *
 * The allocator can be told to fail its k-th call (bsdvm_alloc_fail_at), so
 * tests can prove every operation is all-or-nothing under allocation
 * failure; it also counts live bytes for leak checks.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include <bsdvm/platform.h>

#include "map/map_impl.h"

static _Atomic uint64_t alloc_calls;
static _Atomic uint64_t alloc_fail_countdown; /* 0 = off */
static _Atomic uint64_t alloc_failures;
static _Atomic int64_t alloc_live;

void bsdvm_alloc_fail_at(uint64_t k)
{
	atomic_store(&alloc_fail_countdown, k);
}

uint64_t bsdvm_alloc_count(void)
{
	return atomic_load(&alloc_calls);
}

int64_t bsdvm_alloc_live_bytes(void)
{
	return atomic_load(&alloc_live);
}

uint64_t bsdvm_alloc_failures(void)
{
	return atomic_load(&alloc_failures);
}

/* True when this call is the one chosen to fail. */
static bool inject_failure(void)
{
	uint64_t k = atomic_load(&alloc_fail_countdown);

	while (k != 0) {
		if (atomic_compare_exchange_weak(&alloc_fail_countdown, &k, k - 1)) {
			if (k == 1) {
				atomic_fetch_add(&alloc_failures, 1);
				return true;
			}
			return false;
		}
	}
	return false;
}

static void *def_alloc(void *ctx, size_t size)
{
	void *p;

	(void)ctx;
	atomic_fetch_add(&alloc_calls, 1);
	if (inject_failure())
		return NULL;
	p = calloc(1, size);
	if (p != NULL)
		atomic_fetch_add(&alloc_live, (int64_t)size);
	return p;
}

static void def_free(void *ctx, void *ptr, size_t size)
{
	(void)ctx;
	if (ptr == NULL)
		return;
	atomic_fetch_sub(&alloc_live, (int64_t)size);
	free(ptr);
}

static void *def_mutex_create(void *ctx)
{
	pthread_mutex_t *m = def_alloc(ctx, sizeof(*m));

	if (m != NULL && pthread_mutex_init(m, NULL) != 0) {
		def_free(ctx, m, sizeof(*m));
		return NULL;
	}
	return m;
}

static void def_mutex_destroy(void *ctx, void *m)
{
	pthread_mutex_destroy(m);
	def_free(ctx, m, sizeof(pthread_mutex_t));
}

static void def_mutex_lock(void *ctx, void *m)
{
	(void)ctx;
	pthread_mutex_lock(m);
}

static void def_mutex_unlock(void *ctx, void *m)
{
	(void)ctx;
	pthread_mutex_unlock(m);
}

static void *def_cond_create(void *ctx)
{
	pthread_cond_t *c = def_alloc(ctx, sizeof(*c));
	pthread_condattr_t attr;

	if (c == NULL)
		return NULL;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(c, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		def_free(ctx, c, sizeof(*c));
		return NULL;
	}
	pthread_condattr_destroy(&attr);
	return c;
}

static void def_cond_destroy(void *ctx, void *c)
{
	pthread_cond_destroy(c);
	def_free(ctx, c, sizeof(pthread_cond_t));
}

static void def_cond_wait(void *ctx, void *c, void *m)
{
	(void)ctx;
	pthread_cond_wait(c, m);
}

static uint64_t def_clock_ns(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int def_cond_timedwait(void *ctx, void *c, void *m, uint64_t ns)
{
	uint64_t deadline = def_clock_ns(ctx) + ns;
	struct timespec ts;

	ts.tv_sec = (time_t)(deadline / 1000000000u);
	ts.tv_nsec = (long)(deadline % 1000000000u);
	return pthread_cond_timedwait(c, m, &ts) == 0 ? 0 : 1;
}

static void def_cond_broadcast(void *ctx, void *c)
{
	(void)ctx;
	pthread_cond_broadcast(c);
}

/* xorshift64*, seeded from the clock; good enough for placement jitter. */
static uint64_t def_random(void *ctx)
{
	static _Atomic uint64_t state;
	uint64_t x = atomic_load(&state), nx;

	do {
		nx = x != 0 ? x : def_clock_ns(ctx) | 1;
		nx ^= nx >> 12;
		nx ^= nx << 25;
		nx ^= nx >> 27;
	} while (!atomic_compare_exchange_weak(&state, &x, nx));
	return nx * 0x2545F4914F6CDD1Dull;
}

static const struct bsdvm_platform default_platform = {
	.ctx = NULL,
	.alloc = def_alloc,
	.free = def_free,
	/* no alloc_aligned: with glibc, aligned_alloc's padding spread the
	 * entries out and 100k-1M entry lookups got slower (measured) */
	.alloc_aligned = NULL,
	.free_aligned = NULL,
	.mutex_create = def_mutex_create,
	.mutex_destroy = def_mutex_destroy,
	.mutex_lock = def_mutex_lock,
	.mutex_unlock = def_mutex_unlock,
	.cond_create = def_cond_create,
	.cond_destroy = def_cond_destroy,
	.cond_wait = def_cond_wait,
	.cond_timedwait = def_cond_timedwait,
	.cond_broadcast = def_cond_broadcast,
	.clock_ns = def_clock_ns,
	.random = def_random,
};

const struct bsdvm_platform *bsdvm_platform_default(void)
{
	return &default_platform;
}
