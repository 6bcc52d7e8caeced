/*
 * map_lock.c - the map lock: shared/exclusive with a timestamp, upgrade and
 * downgrade, following FreeBSD's vm_map_lock(9) contract.
 *
 * It is built from the platform's mutex and condition variable rather than
 * a host rwlock because it must upgrade (a reader becoming the writer) and
 * downgrade, which POSIX rwlocks cannot.  Writers have priority over new
 * readers so that a stream of faults cannot starve an munmap.
 */
#include "map/map_impl.h"

#define P(map) ((map)->plat)

int bsdvm_rwlock_init(struct bsdvm_rwlock *lk, const struct bsdvm_platform *p)
{
	lk->readers = lk->writer = lk->writers_waiting = lk->sleepers = 0;
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

static void mtx_enter(struct vm_map *map)
{
	P(map)->mutex_lock(P(map)->ctx, map->lock.mtx);
}

static void mtx_exit(struct vm_map *map)
{
	P(map)->mutex_unlock(P(map)->ctx, map->lock.mtx);
}

static void cv_wait(struct vm_map *map)
{
	map->lock.sleepers++;
	P(map)->cond_wait(P(map)->ctx, map->lock.cv, map->lock.mtx);
	map->lock.sleepers--;
}

/* Wakes sleepers, if any: most unlocks have none, and a broadcast costs
 * as much as the rest of the unlock. */
static void cv_broadcast(struct vm_map *map)
{
	if (map->lock.sleepers > 0)
		P(map)->cond_broadcast(P(map)->ctx, map->lock.cv);
}

/* With the mutex held: wait for and take the exclusive lock. */
static void take_exclusive(struct vm_map *map)
{
	struct bsdvm_rwlock *lk = &map->lock;

	lk->writers_waiting++;
	while (lk->writer || lk->readers > 0)
		cv_wait(map);
	lk->writers_waiting--;
	lk->writer = 1;
	atomic_fetch_add_explicit(&map->timestamp, 1, memory_order_relaxed);
}

void bsdvm_map_lock(struct vm_map *map)
{
	mtx_enter(map);
	take_exclusive(map);
	mtx_exit(map);
}

void bsdvm_map_unlock(struct vm_map *map)
{
	mtx_enter(map);
	map->lock.writer = 0;
	map->lock.unlocks++;
	cv_broadcast(map);
	mtx_exit(map);
}

void bsdvm_map_lock_read(struct vm_map *map)
{
	struct bsdvm_rwlock *lk = &map->lock;

	mtx_enter(map);
	while (lk->writer || lk->writers_waiting > 0)
		cv_wait(map);
	lk->readers++;
	mtx_exit(map);
}

void bsdvm_map_unlock_read(struct vm_map *map)
{
	mtx_enter(map);
	if (--map->lock.readers == 0)
		cv_broadcast(map);
	mtx_exit(map);
}

bool bsdvm_map_trylock(struct vm_map *map)
{
	bool ok = false;

	mtx_enter(map);
	if (!map->lock.writer && map->lock.readers == 0) {
		map->lock.writer = 1;
		atomic_fetch_add_explicit(&map->timestamp, 1, memory_order_relaxed);
		ok = true;
	}
	mtx_exit(map);
	return ok;
}

bool bsdvm_map_trylock_read(struct vm_map *map)
{
	bool ok = false;

	mtx_enter(map);
	if (!map->lock.writer && map->lock.writers_waiting == 0) {
		map->lock.readers++;
		ok = true;
	}
	mtx_exit(map);
	return ok;
}

bool bsdvm_map_lock_upgrade(struct vm_map *map)
{
	struct bsdvm_rwlock *lk = &map->lock;
	uint64_t seen;

	mtx_enter(map);
	if (lk->readers == 1) {
		/* sole reader: become the writer without letting anyone in */
		lk->readers = 0;
		lk->writer = 1;
		atomic_fetch_add_explicit(&map->timestamp, 1, memory_order_relaxed);
		mtx_exit(map);
		return true;
	}
	/* Drop the shared hold and queue for exclusive; if any writer got in
	 * first the map may have changed, so give up entirely. */
	seen = atomic_load_explicit(&map->timestamp, memory_order_relaxed);
	lk->readers--;
	take_exclusive(map);
	if (atomic_load_explicit(&map->timestamp, memory_order_relaxed) != seen + 1) {
		lk->writer = 0;
		lk->unlocks++;
		cv_broadcast(map);
		mtx_exit(map);
		return false;
	}
	mtx_exit(map);
	return true;
}

void bsdvm_map_lock_downgrade(struct vm_map *map)
{
	mtx_enter(map);
	map->lock.writer = 0;
	map->lock.readers = 1;
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

	mtx_enter(map);
	seen = lk->unlocks;
	lk->writer = 0;
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
