/*
 * map_lock.c - the map lock: shared/exclusive with a timestamp, upgrade and
 * downgrade, following FreeBSD's vm_map_lock(9) contract.
 *
 * It is built from the platform's mutex and condition variable rather than
 * a host rwlock because it must upgrade (a reader becoming the writer) and
 * downgrade, which POSIX rwlocks cannot.  Writers have priority over new
 * readers so that a stream of faults cannot starve an munmap.
 *
 * Fast path: the lock's whole state is one atomic word (writer bit, reader
 * count, and a SLOW bit).  While nobody waits, taking or dropping the lock
 * is one compare-and-swap, as in FreeBSD's sx(9) and rwlock(9); a
 * mutex-and-condvar round trip cost about as much as a small map operation.
 *
 * Slow path: a thread that must wait sets SLOW first, under the mutex, and
 * keeps it set while any thread waits.  Every fast path fails while SLOW is
 * set, so all changes then go through the mutex and can wake sleepers; and
 * since SLOW and the holders share one word, a fast change either lands
 * before SLOW (and the waiter sees it) or fails and retries slowly.
 * Invariant: sleepers > 0 or writers_waiting > 0 implies SLOW.
 */
#include "map/map_impl.h"

#define P(map) ((map)->plat)

#define LK_WRITER 0x1u
#define LK_SLOW   0x2u
#define LK_READER 0x4u /* one reader */
#define LK_READERS(v) ((v) / LK_READER)

int bsdvm_rwlock_init(struct bsdvm_rwlock *lk, const struct bsdvm_platform *p)
{
	atomic_init(&lk->state, 0);
	lk->writers_waiting = lk->sleepers = 0;
	lk->unlocks = 0;
	lk->mtx = p->mutex_create(p->ctx);
	if (lk->mtx == NULL)
		return KERN_RESOURCE_SHORTAGE;
	lk->cv = p->cond_create(p->ctx);
	if (lk->cv == NULL) {
		p->mutex_destroy(p->ctx, lk->mtx);
		return KERN_RESOURCE_SHORTAGE;
	}
	return KERN_SUCCESS;
}

void bsdvm_rwlock_fini(struct bsdvm_rwlock *lk, const struct bsdvm_platform *p)
{
	p->cond_destroy(p->ctx, lk->cv);
	p->mutex_destroy(p->ctx, lk->mtx);
}

static uint32_t lk_load(struct vm_map *map)
{
	return atomic_load_explicit(&map->lock.state, memory_order_relaxed);
}

/* Replaces v by nv if the state is still v; acquire and release both, so
 * that a taker sees what the previous holder wrote. */
static bool lk_cas(struct vm_map *map, uint32_t *v, uint32_t nv)
{
	return atomic_compare_exchange_weak_explicit(&map->lock.state, v, nv,
	    memory_order_acq_rel, memory_order_relaxed);
}

/* Called only by the thread that just took the exclusive lock, so nobody
 * else writes the timestamp meanwhile: a load and a store do, without the
 * locked add that would cost as much again as the compare-and-swap that
 * took the lock.  (Readers load it atomically; FreeBSD's vm_map_lock
 * likewise increments it as a plain field under the lock.) */
static void bump_timestamp(struct vm_map *map)
{
	uint64_t t = atomic_load_explicit(&map->timestamp, memory_order_relaxed);

	atomic_store_explicit(&map->timestamp, t + 1, memory_order_relaxed);
}

static void mtx_enter(struct vm_map *map)
{
	P(map)->mutex_lock(P(map)->ctx, map->lock.mtx);
	/* from here until mtx_exit nobody may change the state without the
	 * mutex: fast paths fail while SLOW is set */
	atomic_fetch_or_explicit(&map->lock.state, LK_SLOW, memory_order_acq_rel);
}

/* Clears SLOW unless someone still waits, then drops the mutex. */
static void mtx_exit(struct vm_map *map)
{
	if (map->lock.writers_waiting == 0 && map->lock.sleepers == 0)
		atomic_fetch_and_explicit(&map->lock.state, ~LK_SLOW, memory_order_acq_rel);
	P(map)->mutex_unlock(P(map)->ctx, map->lock.mtx);
}

static void cv_wait(struct vm_map *map)
{
	map->lock.sleepers++;
	P(map)->cond_wait(P(map)->ctx, map->lock.cv, map->lock.mtx);
	map->lock.sleepers--;
}

/* Wakes sleepers, if any: most unlocks have none. */
static void cv_broadcast(struct vm_map *map)
{
	if (map->lock.sleepers > 0)
		P(map)->cond_broadcast(P(map)->ctx, map->lock.cv);
}

/* Under the mutex (SLOW set): atomically add `add` and clear `clear`. */
static void lk_update(struct vm_map *map, uint32_t clear, uint32_t add)
{
	uint32_t v = lk_load(map);

	while (!lk_cas(map, &v, (v & ~clear) + add))
		;
}

/* With the mutex held: wait for and take the exclusive lock. */
static void take_exclusive(struct vm_map *map)
{
	struct bsdvm_rwlock *lk = &map->lock;

	lk->writers_waiting++;
	for (;;) {
		uint32_t v = lk_load(map);

		if (!(v & LK_WRITER) && LK_READERS(v) == 0 && lk_cas(map, &v, v | LK_WRITER))
			break;
		if ((v & LK_WRITER) || LK_READERS(v) > 0)
			cv_wait(map);
	}
	lk->writers_waiting--;
	bump_timestamp(map);
}

void bsdvm_map_lock(struct vm_map *map)
{
	uint32_t v = 0;

	if (lk_cas(map, &v, LK_WRITER)) {
		bump_timestamp(map);
		return;
	}
	mtx_enter(map);
	take_exclusive(map);
	mtx_exit(map);
}

/* With the mutex held: drop the exclusive hold and wake waiters. */
static void release_exclusive(struct vm_map *map)
{
	lk_update(map, LK_WRITER, 0);
	map->lock.unlocks++;
	cv_broadcast(map);
}

void bsdvm_map_unlock(struct vm_map *map)
{
	uint32_t v = LK_WRITER;

	if (lk_cas(map, &v, 0))
		return; /* nobody waits: nobody to tell */
	mtx_enter(map);
	release_exclusive(map);
	mtx_exit(map);
}

void bsdvm_map_lock_read(struct vm_map *map)
{
	struct bsdvm_rwlock *lk = &map->lock;
	uint32_t v = lk_load(map);

	while (!(v & (LK_WRITER | LK_SLOW))) {
		if (lk_cas(map, &v, v + LK_READER))
			return;
	}
	mtx_enter(map);
	for (;;) {
		v = lk_load(map);
		if (!(v & LK_WRITER) && lk->writers_waiting == 0 && lk_cas(map, &v, v + LK_READER))
			break;
		if ((v & LK_WRITER) || lk->writers_waiting > 0)
			cv_wait(map);
	}
	mtx_exit(map);
}

void bsdvm_map_unlock_read(struct vm_map *map)
{
	uint32_t v = lk_load(map);

	while (!(v & LK_SLOW)) {
		if (lk_cas(map, &v, v - LK_READER))
			return;
	}
	mtx_enter(map);
	lk_update(map, 0, (uint32_t)-LK_READER);
	if (LK_READERS(lk_load(map)) == 0)
		cv_broadcast(map);
	mtx_exit(map);
}

bool bsdvm_map_trylock(struct vm_map *map)
{
	uint32_t v = 0;
	bool ok = false;

	if (lk_cas(map, &v, LK_WRITER)) {
		bump_timestamp(map);
		return true;
	}
	mtx_enter(map);
	v = lk_load(map);
	while (!(v & LK_WRITER) && LK_READERS(v) == 0) {
		if (lk_cas(map, &v, v | LK_WRITER)) {
			bump_timestamp(map);
			ok = true;
			break;
		}
	}
	mtx_exit(map);
	return ok;
}

bool bsdvm_map_trylock_read(struct vm_map *map)
{
	uint32_t v = lk_load(map);
	bool ok = false;

	while (!(v & (LK_WRITER | LK_SLOW))) {
		if (lk_cas(map, &v, v + LK_READER))
			return true;
	}
	mtx_enter(map);
	v = lk_load(map);
	while (!(v & LK_WRITER) && map->lock.writers_waiting == 0) {
		if (lk_cas(map, &v, v + LK_READER)) {
			ok = true;
			break;
		}
	}
	mtx_exit(map);
	return ok;
}

bool bsdvm_map_lock_upgrade(struct vm_map *map)
{
	uint32_t v = LK_READER;
	uint64_t seen;

	/* sole reader, nobody waiting: become the writer in one step */
	if (lk_cas(map, &v, LK_WRITER)) {
		bump_timestamp(map);
		return true;
	}
	mtx_enter(map);
	v = lk_load(map);
	while (LK_READERS(v) == 1) {
		if (lk_cas(map, &v, (v - LK_READER) | LK_WRITER)) {
			bump_timestamp(map);
			mtx_exit(map);
			return true;
		}
	}
	/* Drop the shared hold and queue for exclusive; if any writer got in
	 * first the map may have changed, so give up entirely. */
	seen = atomic_load_explicit(&map->timestamp, memory_order_relaxed);
	lk_update(map, 0, (uint32_t)-LK_READER);
	take_exclusive(map);
	if (atomic_load_explicit(&map->timestamp, memory_order_relaxed) != seen + 1) {
		release_exclusive(map);
		mtx_exit(map);
		return false;
	}
	mtx_exit(map);
	return true;
}

void bsdvm_map_lock_downgrade(struct vm_map *map)
{
	mtx_enter(map);
	lk_update(map, LK_WRITER, LK_READER);
	map->lock.unlocks++;
	cv_broadcast(map);
	mtx_exit(map);
}

uint64_t bsdvm_map_timestamp(const struct vm_map *map)
{
	return atomic_load_explicit(&((struct vm_map *)map)->timestamp, memory_order_relaxed);
}

bool bsdvm_map_unlock_and_wait(struct vm_map *map, uint64_t timeout_ns)
{
	struct bsdvm_rwlock *lk = &map->lock;
	const struct bsdvm_platform *p = P(map);
	uint64_t seen, deadline = 0;
	bool woken = true;

	/* SLOW stays set while this thread waits (it counts as a sleeper or
	 * holds the mutex), so every exclusive release meanwhile goes through
	 * release_exclusive and counts in unlocks */
	mtx_enter(map);
	seen = lk->unlocks;
	lk_update(map, LK_WRITER, 0);
	cv_broadcast(map);
	if (timeout_ns != 0)
		deadline = p->clock_ns(p->ctx) + timeout_ns;
	while (lk->unlocks == seen) {
		if (timeout_ns == 0) {
			cv_wait(map);
		} else {
			uint64_t now = p->clock_ns(p->ctx);
			int timedout;

			if (now >= deadline) {
				woken = false;
				break;
			}
			lk->sleepers++;
			timedout = p->cond_timedwait(p->ctx, lk->cv, lk->mtx, deadline - now);
			lk->sleepers--;
			if (timedout != 0) {
				woken = lk->unlocks != seen;
				break;
			}
		}
	}
	take_exclusive(map);
	mtx_exit(map);
	return woken;
}
