/*
 * test_map_threads.c - one map shared by several threads.
 *
 * Part 1 (stress): NTHREADS threads run a random mix of every public
 * operation on one map, in rounds.  Each thread owns a private window of
 * the map that no other thread touches; there it keeps a page-by-page
 * model and checks every result exactly (return codes, query,
 * check_protection, the entries foreach reports).  Elsewhere the threads
 * roam: they mutate two shared zones with loose checks, and read the whole
 * map (findspace, query, check_protection, foreach, stats, vm_map_check)
 * verifying each answer under the same read lock that produced it.  The
 * lock API is part of the mix: read -> upgrade (retrying when it fails),
 * downgrade, trylock, trylock_read, unlock_and_wait with a short timeout.
 * Between rounds, with every thread joined, the whole map is checked and
 * every private window is compared with its model.
 *
 * Part 2 (lock protocol): deterministic scenarios for trylock while another
 * thread holds the lock, upgrade failing and succeeding on its slow path,
 * downgrade, timestamps, and unlock_and_wait woken by another thread's
 * exclusive unlock (and not by a shared one) or timing out.
 *
 * Part 3 (exclusion): threads increment a plain counter that only the map
 * lock protects, through every way of getting the exclusive lock, while
 * readers check it never moves under them.  ThreadSanitizer sees any gap.
 *
 * Threads never use CHECK (its counters are not atomic): each counts its
 * own failures and the main thread checks the totals after joining.
 *
 * Seed: argv[1] or $BSDVM_SEED.  Total stress operations: argv[2] or
 * $BSDVM_THREAD_OPS (default 200000).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "testutil.h"

#define NTHREADS 4
#define ROUNDS 5
#define PG ((bsdvm_addr_t)4096)
#define MAP_MIN ((bsdvm_addr_t)0x10000000)
#define MAP_MAX ((bsdvm_addr_t)1 << 40)
#define SEP_PAGES 16     /* never-mapped separation between windows */
#define SHARED_PAGES 8192 /* the low roaming zone */
#define PRIV_PAGES 1024  /* each thread's private window */
#define TOP_PAGES 8192   /* the high roaming zone, just below MAP_MAX */

#define S_LO MAP_MIN
#define S_HI (S_LO + SHARED_PAGES * PG)
#define PRIV_BASE(t) (S_HI + SEP_PAGES * PG + (bsdvm_addr_t)(t) * (PRIV_PAGES + SEP_PAGES) * PG)
#define PRIV_END(t) (PRIV_BASE(t) + PRIV_PAGES * PG)
#define U_LO (PRIV_BASE(NTHREADS) + SEP_PAGES * PG) /* above every private window */
#define T_LO (MAP_MAX - TOP_PAGES * PG)

/* ------------------------------------------------------------------ */
/* Per-thread state and failure reporting. */

struct page {
	uint8_t mapped, prot, max, inh, adv;
	uint32_t eflags;
};

enum op_kind {
	OP_INSERT, OP_FIXED, OP_DELETE, OP_PROTECT, OP_INHERIT, OP_MADVISE,
	OP_CHECKPROT, OP_QUERY, OP_FOREACH, OP_UPGRADE, OP_TRYLOCK, OP_TRYLOCK_READ,
	OP_WAIT, OP_R_INSERT, OP_R_FIND, OP_R_FIXED, OP_R_DELETE, OP_R_PROTECT,
	OP_R_INHERIT, OP_R_MADVISE, OP_R_FINDSPACE, OP_R_QUERY, OP_R_CHECKPROT,
	OP_R_FOREACH, OP_R_STATS, OP_R_CHECK, OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"insert", "fixed", "delete", "protect", "inherit", "madvise",
	"check_protection", "query", "foreach(own)", "read+upgrade", "trylock",
	"trylock_read", "unlock_and_wait", "roam insert", "roam find", "roam fixed",
	"roam delete", "roam protect", "roam inherit", "roam madvise", "findspace",
	"roam query", "roam check_prot", "roam foreach", "stats", "vm_map_check",
};

/* relative frequencies */
static const unsigned op_weight[OP_COUNT] = {
	10, 4, 8, 8, 4, 4,
	6, 8, 1, 4, 3, 3,
	1, 6, 5, 3, 6, 4,
	2, 2, 6, 6, 4, 1, 2, 1,
};

struct worker {
	int id;
	uint64_t seed;
	struct test_rng rng;
	struct vm_map *map;
	bsdvm_addr_t base;
	struct page pages[PRIV_PAGES];
	unsigned long ops_per_round;
	unsigned long count[OP_COUNT];
	unsigned long failed;
	unsigned long upgrade_ok, upgrade_retry, trylock_busy, tryread_busy;
	unsigned long wait_woken, wait_timeout;
};

#define T_CHECK(w, cond)                                                         \
	do {                                                                     \
		if (!(cond)) {                                                   \
			(w)->failed++;                                           \
			fprintf(stderr, "thread %d (seed %" PRIu64 "): %s:%d: "  \
			    "CHECK failed: %s\n", (w)->id, (w)->seed, __FILE__,  \
			    __LINE__, #cond);                                    \
		}                                                                \
	} while (0)

#define T_CHECK_KERN(w, got, want)                                               \
	do {                                                                     \
		int tk_g = (got), tk_w = (want);                                 \
		if (tk_g != tk_w) {                                              \
			(w)->failed++;                                           \
			fprintf(stderr, "thread %d (seed %" PRIu64 "): %s:%d: "  \
			    "%s returned %s, expected %s\n", (w)->id, (w)->seed, \
			    __FILE__, __LINE__, #got, bsdvm_kern_name(tk_g),     \
			    bsdvm_kern_name(tk_w));                              \
		}                                                                \
	} while (0)

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_us(unsigned us)
{
	struct timespec ts = { 0, (long)us * 1000 };

	nanosleep(&ts, NULL);
}

static uint64_t split_seed(uint64_t seed, int i)
{
	uint64_t z = seed + 0x9E3779B97F4A7C15ull * (uint64_t)(i + 1);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* ------------------------------------------------------------------ */
/* The private window model. */

static bsdvm_addr_t paddr(const struct worker *w, size_t pg)
{
	return w->base + (bsdvm_addr_t)pg * PG;
}

static bool page_matches(const struct page *p, const struct bsdvm_region *r)
{
	return p->mapped && p->prot == r->protection && p->max == r->max_protection &&
	    p->inh == r->inheritance && p->adv == r->advice && p->eflags == r->eflags &&
	    r->object == NULL && r->offset == 0 && r->wired_count == 0;
}

/* A random range inside the window: pages [*a, *a + *n). */
static void priv_range(struct worker *w, size_t *a, size_t *n)
{
	*a = (size_t)rng_below(&w->rng, PRIV_PAGES);
	*n = 1 + (size_t)rng_below(&w->rng, 32);
	if (*a + *n > PRIV_PAGES)
		*n = PRIV_PAGES - *a;
}

static bsdvm_prot_t random_subset(struct worker *w, bsdvm_prot_t of)
{
	return (bsdvm_prot_t)(rng_next(&w->rng) & of);
}

static struct bsdvm_entry_attrs random_attrs(struct worker *w)
{
	static const bsdvm_prot_t maxes[] = { VM_PROT_ALL, VM_PROT_ALL, VM_PROT_RW,
		VM_PROT_READ, VM_PROT_READ | VM_PROT_EXECUTE };
	struct bsdvm_entry_attrs a;
	uint64_t x = rng_next(&w->rng);

	a = bsdvm_attrs_anon(VM_PROT_NONE, maxes[rng_below(&w->rng, 5)]);
	/* mostly plain RW/ALL so that neighbours often merge */
	if (x % 3 == 0) {
		a.prot = VM_PROT_RW;
		a.maxprot = VM_PROT_ALL;
		return a;
	}
	a.prot = random_subset(w, a.maxprot);
	a.inherit = (bsdvm_inherit_t)((x >> 8) % 4);
	a.advice = (uint8_t)((x >> 16) % 3);
	if ((x >> 24) % 8 == 0)
		a.eflags |= MAP_ENTRY_NOSYNC;
	if ((x >> 27) % 8 == 0)
		a.eflags |= MAP_ENTRY_NOCOREDUMP;
	if ((x >> 30) % 16 == 0)
		a.eflags |= MAP_ENTRY_NOMERGE;
	return a;
}

static void model_set(struct worker *w, size_t a, size_t n, const struct bsdvm_entry_attrs *at)
{
	size_t i;

	for (i = a; i < a + n; i++) {
		w->pages[i].mapped = 1;
		w->pages[i].prot = at->prot;
		w->pages[i].max = at->maxprot;
		w->pages[i].inh = at->inherit;
		w->pages[i].adv = at->advice;
		w->pages[i].eflags = at->eflags;
	}
}

static void model_clear(struct worker *w, size_t a, size_t n)
{
	memset(&w->pages[a], 0, n * sizeof(w->pages[0]));
}

static bool model_free(const struct worker *w, size_t a, size_t n)
{
	size_t i;

	for (i = a; i < a + n; i++)
		if (w->pages[i].mapped)
			return false;
	return true;
}

/*
 * The entry the map reports for page pg must agree with the model: every
 * page it covers carries its attributes, and it stays inside the window.
 * Returns the first page after the entry (or pg + 1 for a hole).
 */
static size_t verify_region(struct worker *w, size_t pg, bool found, const struct bsdvm_region *r)
{
	bsdvm_addr_t addr = paddr(w, pg);
	size_t i, first, last;

	if (!w->pages[pg].mapped) {
		T_CHECK(w, !found);
		if (found)
			fprintf(stderr, "thread %d: page %#llx should be free, found [%#llx,%#llx)\n",
			    w->id, (unsigned long long)addr, (unsigned long long)r->start,
			    (unsigned long long)r->end);
		return pg + 1;
	}
	T_CHECK(w, found);
	if (!found)
		return pg + 1;
	T_CHECK(w, r->start <= addr && addr < r->end);
	T_CHECK(w, r->start >= w->base && r->end <= w->base + PRIV_PAGES * PG);
	if (r->start < w->base || r->end > w->base + PRIV_PAGES * PG || r->end <= addr)
		return pg + 1;
	first = (size_t)((r->start - w->base) / PG);
	last = (size_t)((r->end - w->base) / PG);
	for (i = first; i < last; i++) {
		if (!page_matches(&w->pages[i], r)) {
			T_CHECK(w, page_matches(&w->pages[i], r));
			fprintf(stderr, "thread %d: entry [%#llx,%#llx) p%x m%x i%u a%u f%x, "
			    "model page %#llx: mapped %u p%x m%x i%u a%u f%x\n", w->id,
			    (unsigned long long)r->start, (unsigned long long)r->end,
			    r->protection, r->max_protection, r->inheritance, r->advice,
			    r->eflags, (unsigned long long)paddr(w, i), w->pages[i].mapped,
			    w->pages[i].prot, w->pages[i].max, w->pages[i].inh, w->pages[i].adv,
			    w->pages[i].eflags);
			break;
		}
	}
	return last;
}

/* Walks the whole window with queries. */
static void verify_window(struct worker *w)
{
	size_t pg = 0;

	while (pg < PRIV_PAGES) {
		struct bsdvm_region r;
		bool found = bsdvm_map_query(w->map, paddr(w, pg), &r);

		pg = verify_region(w, pg, found, &r);
	}
}

/* ---- private mutators (exact) ---- */

static void priv_insert(struct worker *w, bool locked)
{
	struct bsdvm_entry_attrs a = random_attrs(w);
	size_t pg, n;
	int want, rv;

	priv_range(w, &pg, &n);
	want = model_free(w, pg, n) ? KERN_SUCCESS : KERN_NO_SPACE;
	if (locked)
		rv = bsdvm_map_insert_locked(w->map, paddr(w, pg), paddr(w, pg + n), &a);
	else
		rv = bsdvm_map_insert(w->map, paddr(w, pg), paddr(w, pg + n), &a);
	T_CHECK_KERN(w, rv, want);
	if (rv == KERN_SUCCESS)
		model_set(w, pg, n, &a);
}

static void priv_fixed(struct worker *w)
{
	struct bsdvm_entry_attrs a = random_attrs(w);
	size_t pg, n;
	int rv;

	priv_range(w, &pg, &n);
	rv = bsdvm_map_fixed(w->map, paddr(w, pg), paddr(w, pg + n), &a);
	T_CHECK_KERN(w, rv, KERN_SUCCESS);
	if (rv == KERN_SUCCESS)
		model_set(w, pg, n, &a);
}

static void priv_delete(struct worker *w, bool locked)
{
	size_t pg, n;
	int rv;

	priv_range(w, &pg, &n);
	if (locked)
		rv = bsdvm_map_delete_locked(w->map, paddr(w, pg), paddr(w, pg + n));
	else
		rv = bsdvm_map_delete(w->map, paddr(w, pg), paddr(w, pg + n));
	T_CHECK_KERN(w, rv, KERN_SUCCESS);
	if (rv == KERN_SUCCESS)
		model_clear(w, pg, n);
}

/*
 * Exclusive lock held: split the entry holding a random page of the window
 * with the public clip primitives, and maybe merge it back.  The pages keep
 * their attributes, so the model does not change.
 */
static void priv_clip_locked(struct worker *w)
{
	size_t pg = (size_t)rng_below(&w->rng, PRIV_PAGES);
	struct vm_map_entry *e = NULL;
	bsdvm_addr_t at;
	int rv;

	if (!bsdvm_map_lookup_entry(w->map, paddr(w, pg), &e))
		return;
	/* mostly strictly inside; sometimes a boundary (a no-op) */
	at = e->start + rng_below(&w->rng, (e->end - e->start) / PG + 1) * PG;
	if (rng_below(&w->rng, 2) == 0)
		rv = bsdvm_map_clip_start(w->map, e, at);
	else
		rv = bsdvm_map_clip_end(w->map, e, at);
	T_CHECK_KERN(w, rv, KERN_SUCCESS);
	T_CHECK(w, e->start < e->end && e->start >= w->base &&
	    e->end <= w->base + PRIV_PAGES * PG);
	if (rng_below(&w->rng, 2) == 0) {
		bsdvm_addr_t s0 = e->start, e0 = e->end;

		e = bsdvm_map_simplify_entry(w->map, e);
		/* the survivor covers what e covered, and stays in the window */
		T_CHECK(w, e->start <= s0 && e->end >= e0 && e->start >= w->base &&
		    e->end <= w->base + PRIV_PAGES * PG);
	}
}

/* With the exclusive lock held: one checked mutation of the window. */
static void priv_mutate_locked(struct worker *w)
{
	switch (rng_below(&w->rng, 3)) {
	case 0:
		priv_insert(w, true);
		break;
	case 1:
		priv_delete(w, true);
		break;
	default:
		priv_clip_locked(w);
		break;
	}
}

static void priv_protect(struct worker *w)
{
	size_t pg, n, i;
	uint32_t flags = 1 + (uint32_t)rng_below(&w->rng, 3);
	bsdvm_prot_t prot = random_subset(w, VM_PROT_ALL);
	bsdvm_prot_t max = random_subset(w, VM_PROT_ALL);
	int want = KERN_SUCCESS, rv;

	priv_range(w, &pg, &n);
	if (flags == (BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX)) {
		if (rng_below(&w->rng, 4) != 0)
			prot &= max; /* mostly well-formed */
		if ((prot & ~max) != 0)
			want = KERN_OUT_OF_BOUNDS;
	}
	for (i = pg; want == KERN_SUCCESS && i < pg + n; i++) {
		const struct page *p = &w->pages[i];

		if (!p->mapped)
			continue;
		if (((flags & BSDVM_PROTECT_SET_PROT) && (prot & ~p->max) != 0) ||
		    ((flags & BSDVM_PROTECT_SET_MAX) && (max & ~p->max) != 0))
			want = KERN_PROTECTION_FAILURE;
	}
	rv = bsdvm_map_protect(w->map, paddr(w, pg), paddr(w, pg + n), prot, max, flags);
	T_CHECK_KERN(w, rv, want);
	if (rv != KERN_SUCCESS)
		return;
	for (i = pg; i < pg + n; i++) {
		struct page *p = &w->pages[i];

		if (!p->mapped)
			continue;
		if (flags & BSDVM_PROTECT_SET_MAX) {
			p->max = max;
			p->prot &= max;
		}
		if (flags & BSDVM_PROTECT_SET_PROT)
			p->prot = prot;
	}
}

static void priv_inherit(struct worker *w)
{
	size_t pg, n, i;
	bsdvm_inherit_t inh = (bsdvm_inherit_t)rng_below(&w->rng, 4);
	int rv;

	priv_range(w, &pg, &n);
	rv = bsdvm_map_inherit(w->map, paddr(w, pg), paddr(w, pg + n), inh);
	T_CHECK_KERN(w, rv, KERN_SUCCESS);
	for (i = pg; rv == KERN_SUCCESS && i < pg + n; i++)
		if (w->pages[i].mapped)
			w->pages[i].inh = inh;
}

static void priv_madvise(struct worker *w)
{
	size_t pg, n, i;
	int adv = (int)rng_below(&w->rng, 10), rv;

	priv_range(w, &pg, &n);
	rv = bsdvm_map_madvise(w->map, paddr(w, pg), paddr(w, pg + n), adv);
	T_CHECK_KERN(w, rv, KERN_SUCCESS);
	for (i = pg; rv == KERN_SUCCESS && i < pg + n; i++) {
		struct page *p = &w->pages[i];

		if (!p->mapped)
			continue;
		switch (adv) {
		case BSDVM_MADV_NORMAL:
		case BSDVM_MADV_RANDOM:
		case BSDVM_MADV_SEQUENTIAL:
			p->adv = (uint8_t)adv;
			break;
		case BSDVM_MADV_NOSYNC:
			p->eflags |= MAP_ENTRY_NOSYNC;
			break;
		case BSDVM_MADV_AUTOSYNC:
			p->eflags &= ~MAP_ENTRY_NOSYNC;
			break;
		case BSDVM_MADV_NOCORE:
			p->eflags |= MAP_ENTRY_NOCOREDUMP;
			break;
		case BSDVM_MADV_CORE:
			p->eflags &= ~MAP_ENTRY_NOCOREDUMP;
			break;
		default: /* WILLNEED, DONTNEED, FREE: pages only */
			break;
		}
	}
}

static bool model_check_prot(const struct worker *w, size_t pg, size_t n, bsdvm_prot_t prot)
{
	size_t i;

	for (i = pg; i < pg + n; i++)
		if (!w->pages[i].mapped || (w->pages[i].prot & prot) != prot)
			return false;
	return true;
}

static void priv_checkprot(struct worker *w)
{
	size_t pg, n;
	bsdvm_prot_t prot = random_subset(w, VM_PROT_ALL);

	priv_range(w, &pg, &n);
	if (rng_below(&w->rng, 2) == 0) {
		T_CHECK(w, bsdvm_map_check_protection(w->map, paddr(w, pg), paddr(w, pg + n),
		    prot) == model_check_prot(w, pg, n, prot));
	} else {
		bsdvm_map_lock_read(w->map);
		T_CHECK(w, bsdvm_map_check_protection_locked(w->map, paddr(w, pg),
		    paddr(w, pg + n), prot) == model_check_prot(w, pg, n, prot));
		bsdvm_map_unlock_read(w->map);
	}
}

static void priv_query(struct worker *w)
{
	size_t pg = (size_t)rng_below(&w->rng, PRIV_PAGES);
	struct bsdvm_region r;
	bool found = bsdvm_map_query(w->map, paddr(w, pg), &r);

	verify_region(w, pg, found, &r);
}

/* Read lock held: page pg through lookup_entry must agree with the model. */
static void priv_lookup_locked(struct worker *w)
{
	size_t pg = (size_t)rng_below(&w->rng, PRIV_PAGES);
	struct vm_map_entry *e = NULL;
	bool found = bsdvm_map_lookup_entry(w->map, paddr(w, pg), &e);
	struct bsdvm_region r;

	memset(&r, 0, sizeof(r));
	if (found) {
		r.start = e->start;
		r.end = e->end;
		r.object = e->object;
		r.offset = e->offset;
		r.eflags = e->eflags;
		r.protection = e->protection;
		r.max_protection = e->max_protection;
		r.inheritance = e->inheritance;
		r.advice = e->advice;
		r.wired_count = e->wired_count;
	} else if (e != NULL) {
		T_CHECK(w, e->end <= paddr(w, pg));
	}
	verify_region(w, pg, found, &r);
}

/* ---- foreach: global order, plus the own window exactly ---- */

struct walk {
	struct worker *w;
	bsdvm_addr_t prev_end;
	size_t own_next; /* first window page not yet accounted for */
	uint64_t n;
	bool bad_order;
};

static int walk_fn(void *arg, const struct bsdvm_region *r)
{
	struct walk *k = arg;
	struct worker *w = k->w;

	k->n++;
	if (r->start >= r->end || r->start < k->prev_end || r->start < MAP_MIN ||
	    r->end > MAP_MAX)
		k->bad_order = true;
	k->prev_end = r->end;
	if (w != NULL && r->end > w->base && r->start < w->base + PRIV_PAGES * PG) {
		size_t first = (size_t)((r->start - w->base) / PG), i;

		T_CHECK(w, r->start >= w->base && r->end <= w->base + PRIV_PAGES * PG);
		if (r->start < w->base || r->end > w->base + PRIV_PAGES * PG)
			return 0;
		if ((r->start / PG) % 64 == 0)
			sched_yield(); /* hold the read lock across a reschedule */
		for (i = k->own_next; i < first; i++)
			T_CHECK(w, !w->pages[i].mapped);
		k->own_next = verify_region(w, first, true, r);
	}
	return 0;
}

static void priv_foreach(struct worker *w)
{
	struct walk k = { w, MAP_MIN, 0, 0, false };
	size_t i;

	T_CHECK(w, bsdvm_map_foreach(w->map, walk_fn, &k) == 0);
	T_CHECK(w, !k.bad_order);
	for (i = k.own_next; i < PRIV_PAGES; i++)
		T_CHECK(w, !w->pages[i].mapped);
}

/* ---- lock API inside the mix ---- */

static void op_upgrade(struct worker *w)
{
	unsigned tries;

	for (tries = 0; tries < 100000; tries++) {
		uint64_t t0;
		size_t pg, n;
		bsdvm_prot_t prot = random_subset(w, VM_PROT_ALL);

		bsdvm_map_lock_read(w->map);
		t0 = bsdvm_map_timestamp(w->map);
		priv_range(w, &pg, &n);
		T_CHECK(w, bsdvm_map_check_protection_locked(w->map, paddr(w, pg),
		    paddr(w, pg + n), prot) == model_check_prot(w, pg, n, prot));
		priv_lookup_locked(w);
		/* nobody can take the exclusive lock while we read */
		T_CHECK(w, bsdvm_map_timestamp(w->map) == t0);
		/* let others queue up behind us now and then, so that upgrades
		 * also take the slow path and sometimes lose */
		if (rng_below(&w->rng, 4) == 0)
			sched_yield();
		if (!bsdvm_map_lock_upgrade(w->map)) {
			/* no lock held now; someone else got in first */
			T_CHECK(w, bsdvm_map_timestamp(w->map) >= t0 + 2);
			w->upgrade_retry++;
			continue;
		}
		w->upgrade_ok++;
		T_CHECK(w, bsdvm_map_timestamp(w->map) == t0 + 1);
		priv_mutate_locked(w);
		if (rng_below(&w->rng, 2) == 0) {
			bsdvm_map_lock_downgrade(w->map);
			priv_lookup_locked(w);
			bsdvm_map_unlock_read(w->map);
		} else {
			bsdvm_map_unlock(w->map);
		}
		return;
	}
	T_CHECK(w, !"upgrade never succeeded");
}

static void op_trylock(struct worker *w)
{
	uint64_t t0 = bsdvm_map_timestamp(w->map);

	if (!bsdvm_map_trylock(w->map)) {
		w->trylock_busy++;
		return;
	}
	T_CHECK(w, bsdvm_map_timestamp(w->map) >= t0 + 1);
	priv_mutate_locked(w);
	if (rng_below(&w->rng, 4) == 0)
		sched_yield(); /* others block or fail their trylocks meanwhile */
	priv_mutate_locked(w);
	bsdvm_map_unlock(w->map);
}

static void op_trylock_read(struct worker *w)
{
	uint64_t t0;

	if (!bsdvm_map_trylock_read(w->map)) {
		w->tryread_busy++;
		return;
	}
	t0 = bsdvm_map_timestamp(w->map);
	priv_lookup_locked(w);
	if (rng_below(&w->rng, 4) == 0)
		sched_yield();
	priv_lookup_locked(w);
	T_CHECK(w, bsdvm_map_timestamp(w->map) == t0);
	bsdvm_map_unlock_read(w->map);
}

static void op_wait(struct worker *w)
{
	bsdvm_map_lock(w->map);
	priv_mutate_locked(w);
	if (bsdvm_map_unlock_and_wait(w->map, 50000 + rng_below(&w->rng, 200000)))
		w->wait_woken++;
	else
		w->wait_timeout++;
	/* exclusive again */
	priv_mutate_locked(w);
	bsdvm_map_unlock(w->map);
}

/* ---- roaming over the shared zones ---- */

/* A random range in the low zone or the top zone. */
static void roam_range(struct worker *w, bsdvm_addr_t *s, bsdvm_addr_t *e, uint64_t maxpages)
{
	bool top = rng_below(&w->rng, 2) != 0;
	bsdvm_addr_t lo = top ? T_LO : S_LO, hi = top ? MAP_MAX : S_HI;
	uint64_t pages = (hi - lo) / PG;
	uint64_t a = rng_below(&w->rng, pages), n = 1 + rng_below(&w->rng, maxpages);

	if (a + n > pages)
		n = pages - a;
	*s = lo + a * PG;
	*e = *s + n * PG;
}

static struct bsdvm_entry_attrs roam_attrs(struct worker *w)
{
	struct bsdvm_entry_attrs a = random_attrs(w);
	uint64_t x = rng_below(&w->rng, 64);

	if (x == 0) {
		a = bsdvm_attrs_anon(VM_PROT_NONE, VM_PROT_NONE);
		a.eflags = MAP_ENTRY_GUARD;
	} else if (x == 1) {
		a.eflags |= MAP_ENTRY_UNSPLITTABLE;
	}
	return a;
}

static bool code_in(int rv, int a, int b, int c)
{
	return rv == a || rv == b || rv == c;
}

static void roam_insert(struct worker *w)
{
	struct bsdvm_entry_attrs a = roam_attrs(w);
	bsdvm_addr_t s, e;
	int rv;

	roam_range(w, &s, &e, 64);
	rv = bsdvm_map_insert(w->map, s, e, &a);
	T_CHECK(w, rv == KERN_SUCCESS || rv == KERN_NO_SPACE);
}

static void roam_find(struct worker *w)
{
	struct bsdvm_entry_attrs a = roam_attrs(w);
	struct bsdvm_space_req q;
	bsdvm_addr_t addr;
	int rv;

	memset(&q, 0, sizeof(q));
	q.length = (1 + rng_below(&w->rng, 32)) * PG;
	if (rng_below(&w->rng, 4) == 0)
		q.align = PG << rng_below(&w->rng, 6);
	if (rng_below(&w->rng, 2) == 0) {
		/* bottom-up, bounded to the low zone */
		q.flags = BSDVM_SPACE_BOTTOMUP;
		q.max_end = S_HI;
		addr = S_LO + rng_below(&w->rng, SHARED_PAGES) * PG;
		rv = bsdvm_map_find(w->map, &q, &a, &addr);
		T_CHECK(w, rv == KERN_SUCCESS || rv == KERN_NO_SPACE);
		if (rv == KERN_SUCCESS)
			T_CHECK(w, addr >= S_LO && addr + q.length <= S_HI);
	} else {
		/* top-down from the top of the map: stays above the windows */
		q.flags = BSDVM_SPACE_TOPDOWN;
		addr = 0;
		rv = bsdvm_map_find(w->map, &q, &a, &addr);
		T_CHECK_KERN(w, rv, KERN_SUCCESS);
		if (rv == KERN_SUCCESS)
			T_CHECK(w, addr >= U_LO && addr + q.length <= MAP_MAX);
	}
	if (rv == KERN_SUCCESS && q.align != 0)
		T_CHECK(w, (addr & (q.align - 1)) == 0);
}

static void roam_fixed(struct worker *w)
{
	struct bsdvm_entry_attrs a = roam_attrs(w);
	bsdvm_addr_t s, e;
	int rv;

	roam_range(w, &s, &e, 64);
	rv = bsdvm_map_fixed(w->map, s, e, &a);
	T_CHECK(w, rv == KERN_SUCCESS || rv == KERN_INVALID_ARGUMENT);
}

static void roam_delete(struct worker *w)
{
	bsdvm_addr_t s, e;
	int rv;

	if (rng_below(&w->rng, 64) == 0) {
		/* sweep whatever top-down finds left between windows and top zone */
		rv = bsdvm_map_delete(w->map, U_LO, T_LO);
		/* refused only if an unsplittable entry straddles T_LO */
		T_CHECK(w, rv == KERN_SUCCESS || rv == KERN_INVALID_ARGUMENT);
		return;
	}
	roam_range(w, &s, &e, rng_below(&w->rng, 8) == 0 ? 1024 : 64);
	rv = bsdvm_map_delete(w->map, s, e);
	T_CHECK(w, rv == KERN_SUCCESS || rv == KERN_INVALID_ARGUMENT);
}

static void roam_protect(struct worker *w)
{
	bsdvm_addr_t s, e;
	uint32_t flags = 1 + (uint32_t)rng_below(&w->rng, 3);
	bsdvm_prot_t max = random_subset(w, VM_PROT_ALL);
	bsdvm_prot_t prot = random_subset(w, max);
	int rv;

	roam_range(w, &s, &e, 64);
	rv = bsdvm_map_protect(w->map, s, e, prot, max, flags);
	T_CHECK(w, code_in(rv, KERN_SUCCESS, KERN_PROTECTION_FAILURE, KERN_INVALID_ARGUMENT));
}

static void roam_inherit(struct worker *w)
{
	bsdvm_addr_t s, e;
	int rv;

	roam_range(w, &s, &e, 64);
	rv = bsdvm_map_inherit(w->map, s, e, (bsdvm_inherit_t)rng_below(&w->rng, 4));
	T_CHECK(w, rv == KERN_SUCCESS || rv == KERN_INVALID_ARGUMENT);
}

static void roam_madvise(struct worker *w)
{
	bsdvm_addr_t s, e;
	int rv;

	roam_range(w, &s, &e, 64);
	rv = bsdvm_map_madvise(w->map, s, e, (int)rng_below(&w->rng, 10));
	T_CHECK(w, rv == KERN_SUCCESS || rv == KERN_INVALID_ARGUMENT);
}

/* Anywhere in the map, verified under the same read lock. */
static void roam_findspace(struct worker *w)
{
	struct bsdvm_space_req q;
	bsdvm_addr_t addr = 0;
	struct vm_map_entry *e, *next;
	int rv;

	memset(&q, 0, sizeof(q));
	q.length = (1 + rng_below(&w->rng, rng_below(&w->rng, 4) == 0 ? 1u << 20 : 64)) * PG;
	if (rng_below(&w->rng, 3) == 0) {
		q.align = PG << rng_below(&w->rng, 10);
		q.align_offset = rng_below(&w->rng, q.align / PG) * PG;
	}
	q.hint = MAP_MIN + rng_below(&w->rng, (MAP_MAX - MAP_MIN) / PG) * PG;
	if (rng_below(&w->rng, 4) == 0)
		q.max_end = MAP_MIN + rng_below(&w->rng, (MAP_MAX - MAP_MIN) / PG) * PG;
	q.flags = (uint32_t)rng_below(&w->rng, 3); /* 0, TOPDOWN or BOTTOMUP */

	bsdvm_map_lock_read(w->map);
	rv = bsdvm_map_findspace_locked(w->map, &q, &addr);
	T_CHECK(w, rv == KERN_SUCCESS || rv == KERN_NO_SPACE);
	if (rv == KERN_SUCCESS) {
		T_CHECK(w, addr >= MAP_MIN && addr + q.length <= MAP_MAX && addr + q.length > addr);
		if (q.max_end != 0)
			T_CHECK(w, addr + q.length <= q.max_end);
		if (q.align != 0)
			T_CHECK(w, ((addr - q.align_offset) & (q.align - 1)) == 0);
		if (q.flags == BSDVM_SPACE_TOPDOWN)
			T_CHECK(w, addr <= q.hint);
		else
			T_CHECK(w, addr >= q.hint);
		/* the range must be free right now */
		T_CHECK(w, !bsdvm_map_lookup_entry(w->map, addr, &e));
		next = e != NULL ? bsdvm_map_entry_succ(w->map, e) : bsdvm_map_first(w->map);
		T_CHECK(w, next == NULL || next->start >= addr + q.length);
	}
	bsdvm_map_unlock_read(w->map);
}

static void roam_query(struct worker *w)
{
	bsdvm_addr_t addr;
	struct bsdvm_region r;
	uint64_t x = rng_below(&w->rng, 3);

	if (x == 0)
		addr = S_LO + rng_below(&w->rng, SHARED_PAGES) * PG;
	else if (x == 1)
		addr = T_LO + rng_below(&w->rng, TOP_PAGES) * PG;
	else /* somebody else's window, or anything */
		addr = S_LO + rng_below(&w->rng, (U_LO - S_LO) / PG) * PG;
	if (bsdvm_map_query(w->map, addr, &r))
		T_CHECK(w, r.start <= addr && addr < r.end &&
		    (r.protection & ~r.max_protection) == 0);
}

/* check_protection_locked against a walk of the entries, same read lock. */
static void roam_checkprot(struct worker *w)
{
	bsdvm_addr_t s, e, cur;
	bsdvm_prot_t prot = random_subset(w, VM_PROT_ALL);
	struct vm_map_entry *en;
	bool want = true, got;

	roam_range(w, &s, &e, 16);
	bsdvm_map_lock_read(w->map);
	got = bsdvm_map_check_protection_locked(w->map, s, e, prot);
	cur = s;
	if (!bsdvm_map_lookup_entry(w->map, s, &en))
		want = false;
	while (want && cur < e) {
		if (en == NULL || en->start > cur || (en->protection & prot) != prot) {
			want = false;
			break;
		}
		cur = en->end;
		en = bsdvm_map_entry_succ(w->map, en);
	}
	T_CHECK(w, got == want);
	bsdvm_map_unlock_read(w->map);
	/* and the self-locking form, for the lock traffic */
	(void)bsdvm_map_check_protection(w->map, s, e, prot);
}

static void roam_foreach(struct worker *w)
{
	struct walk k = { NULL, MAP_MIN, 0, 0, false };

	T_CHECK(w, bsdvm_map_foreach(w->map, walk_fn, &k) == 0);
	T_CHECK(w, !k.bad_order);
}

static void roam_stats(struct worker *w)
{
	struct bsdvm_map_stats st;

	if (rng_below(&w->rng, 16) == 0) /* 0 = allocate and free on every operation */
		bsdvm_map_set_entry_cache(w->map, (unsigned)rng_below(&w->rng, 65));
	bsdvm_map_get_stats(w->map, &st);
	T_CHECK(w, st.size <= MAP_MAX - MAP_MIN && st.largest_gap <= MAP_MAX - MAP_MIN);
	T_CHECK(w, bsdvm_map_largest_gap(w->map) <= MAP_MAX - MAP_MIN);
}

static void roam_check(struct worker *w)
{
	char why[256];

	if (!bsdvm_map_check(w->map, why, sizeof(why))) {
		T_CHECK(w, !"vm_map_check under concurrency");
		fprintf(stderr, "thread %d: %s\n", w->id, why);
	}
}

/* ------------------------------------------------------------------ */

static unsigned weight_total;

static enum op_kind pick_op(struct worker *w)
{
	uint64_t x = rng_below(&w->rng, weight_total);
	int i;

	for (i = 0; i < OP_COUNT; i++) {
		if (x < op_weight[i])
			return (enum op_kind)i;
		x -= op_weight[i];
	}
	return OP_QUERY;
}

static atomic_int gate; /* workers of a round start together */

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned long i;

	atomic_fetch_add(&gate, 1);
	while (atomic_load(&gate) < NTHREADS)
		sched_yield();

	for (i = 0; i < w->ops_per_round; i++) {
		enum op_kind k = pick_op(w);

		w->count[k]++;
		switch (k) {
		case OP_INSERT: priv_insert(w, false); break;
		case OP_FIXED: priv_fixed(w); break;
		case OP_DELETE: priv_delete(w, false); break;
		case OP_PROTECT: priv_protect(w); break;
		case OP_INHERIT: priv_inherit(w); break;
		case OP_MADVISE: priv_madvise(w); break;
		case OP_CHECKPROT: priv_checkprot(w); break;
		case OP_QUERY: priv_query(w); break;
		case OP_FOREACH: priv_foreach(w); break;
		case OP_UPGRADE: op_upgrade(w); break;
		case OP_TRYLOCK: op_trylock(w); break;
		case OP_TRYLOCK_READ: op_trylock_read(w); break;
		case OP_WAIT: op_wait(w); break;
		case OP_R_INSERT: roam_insert(w); break;
		case OP_R_FIND: roam_find(w); break;
		case OP_R_FIXED: roam_fixed(w); break;
		case OP_R_DELETE: roam_delete(w); break;
		case OP_R_PROTECT: roam_protect(w); break;
		case OP_R_INHERIT: roam_inherit(w); break;
		case OP_R_MADVISE: roam_madvise(w); break;
		case OP_R_FINDSPACE: roam_findspace(w); break;
		case OP_R_QUERY: roam_query(w); break;
		case OP_R_CHECKPROT: roam_checkprot(w); break;
		case OP_R_FOREACH: roam_foreach(w); break;
		case OP_R_STATS: roam_stats(w); break;
		case OP_R_CHECK: roam_check(w); break;
		default: break;
		}
		if (i % 1024 == 1023)
			verify_window(w);
	}
	return NULL;
}

/* Quiescent: count entries and bytes through foreach; compare with stats. */
struct totals {
	uint64_t n;
	bsdvm_size_t size;
};

static int totals_fn(void *arg, const struct bsdvm_region *r)
{
	struct totals *t = arg;

	t->n++;
	if (!(r->eflags & MAP_ENTRY_GUARD))
		t->size += r->end - r->start;
	return 0;
}

static void stress(struct vm_map *map, uint64_t seed, unsigned long total_ops)
{
	static struct worker workers[NTHREADS];
	pthread_t tid[NTHREADS];
	unsigned long sum[OP_COUNT];
	unsigned long ops_done = 0, upg = 0, retry = 0, tbusy = 0, rbusy = 0, woken = 0, tmo = 0;
	uint64_t t_start = now_ns(), ts_prev = bsdvm_map_timestamp(map);
	int t, i, round;

	memset(sum, 0, sizeof(sum));
	for (i = 0; i < OP_COUNT; i++)
		weight_total += op_weight[i];
	for (t = 0; t < NTHREADS; t++) {
		struct worker *w = &workers[t];

		memset(w, 0, sizeof(*w));
		w->id = t;
		w->seed = split_seed(seed, t);
		rng_init(&w->rng, w->seed);
		w->map = map;
		w->base = PRIV_BASE(t);
		w->ops_per_round = total_ops / ((unsigned long)NTHREADS * ROUNDS);
		printf("thread %d: seed %#" PRIx64 ", window [%#" PRIx64 ", %#" PRIx64 ")\n",
		    t, w->seed, w->base, (uint64_t)PRIV_END(t));
	}
	for (round = 0; round < ROUNDS; round++) {
		struct totals tot = { 0, 0 };
		struct bsdvm_map_stats st;

		atomic_store(&gate, 0);
		for (t = 0; t < NTHREADS; t++)
			if (pthread_create(&tid[t], NULL, worker_main, &workers[t]) != 0) {
				fprintf(stderr, "pthread_create failed\n");
				exit(2);
			}
		for (t = 0; t < NTHREADS; t++)
			pthread_join(tid[t], NULL);
		/* quiescent point */
		CHECK_MAP(map);
		for (t = 0; t < NTHREADS; t++) {
			unsigned long before = workers[t].failed;

			verify_window(&workers[t]);
			CHECK(workers[t].failed == before);
			priv_foreach(&workers[t]);
			CHECK(workers[t].failed == before);
		}
		bsdvm_map_foreach(map, totals_fn, &tot);
		bsdvm_map_get_stats(map, &st);
		CHECK_EQ_U64(st.nentries, tot.n);
		CHECK_EQ_U64(st.size, tot.size);
		CHECK(st.timestamp > ts_prev);
		ts_prev = st.timestamp;
		printf("round %d: %" PRIu64 " entries, %#" PRIx64 " bytes mapped, timestamp %" PRIu64
		    ", %.2f s\n", round, st.nentries, st.size, st.timestamp,
		    (double)(now_ns() - t_start) / 1e9);
	}
	for (t = 0; t < NTHREADS; t++) {
		struct worker *w = &workers[t];

		for (i = 0; i < OP_COUNT; i++) {
			sum[i] += w->count[i];
			ops_done += w->count[i];
		}
		CHECK(w->failed == 0);
		upg += w->upgrade_ok;
		retry += w->upgrade_retry;
		tbusy += w->trylock_busy;
		rbusy += w->tryread_busy;
		woken += w->wait_woken;
		tmo += w->wait_timeout;
	}
	printf("stress: %lu operations by %d threads in %.2f s\n", ops_done, NTHREADS,
	    (double)(now_ns() - t_start) / 1e9);
	for (i = 0; i < OP_COUNT; i++)
		printf("  %-18s %lu\n", op_names[i], sum[i]);
	printf("  upgrades: %lu succeeded, %lu failed and retried; trylock busy %lu, "
	    "trylock_read busy %lu; unlock_and_wait woken %lu, timed out %lu\n",
	    upg, retry, tbusy, rbusy, woken, tmo);
	CHECK(ops_done == total_ops / ((unsigned long)NTHREADS * ROUNDS) * NTHREADS * ROUNDS);
}

/* ------------------------------------------------------------------ */
/* Part 2: the lock protocol, scenario by scenario. */

static struct vm_map *lmap;
static atomic_int stage;   /* scenario progress, set by one side, awaited by the other */
static atomic_int peer_ok; /* results a helper thread reports */

/* Waits until stage >= v (10 s limit, so a broken lock fails rather than hangs). */
static bool await_stage(int v)
{
	uint64_t deadline = now_ns() + 10000000000ull;

	while (atomic_load(&stage) < v) {
		if (now_ns() > deadline)
			return false;
		sched_yield();
	}
	return true;
}

/* Spins until trylock_read fails, i.e. some thread is queued for the
 * exclusive lock.  Caller may hold the read lock. */
static bool await_writer_queued(void)
{
	uint64_t deadline = now_ns() + 10000000000ull;

	while (bsdvm_map_trylock_read(lmap)) {
		bsdvm_map_unlock_read(lmap);
		if (now_ns() > deadline)
			return false;
		sched_yield();
	}
	return true;
}

static void *try_both_fail(void *arg)
{
	uint64_t t0 = bsdvm_map_timestamp(lmap);
	bool a = bsdvm_map_trylock(lmap), b = bsdvm_map_trylock_read(lmap);

	(void)arg;
	if (a)
		bsdvm_map_unlock(lmap);
	if (b)
		bsdvm_map_unlock_read(lmap);
	atomic_store(&peer_ok, !a && !b && bsdvm_map_timestamp(lmap) == t0);
	return NULL;
}

static void *try_read_only(void *arg)
{
	bool a = bsdvm_map_trylock(lmap), b = bsdvm_map_trylock_read(lmap);

	(void)arg;
	if (a)
		bsdvm_map_unlock(lmap);
	if (b)
		bsdvm_map_unlock_read(lmap);
	atomic_store(&peer_ok, !a && b);
	return NULL;
}

static bool run_peer(void *(*fn)(void *))
{
	pthread_t t;

	atomic_store(&peer_ok, 0);
	if (pthread_create(&t, NULL, fn, NULL) != 0)
		return false;
	pthread_join(t, NULL);
	return atomic_load(&peer_ok) != 0;
}

static void test_trylock_contention(void)
{
	int i;

	/* held exclusive: both trylocks fail in other threads, timestamp still */
	bsdvm_map_lock(lmap);
	for (i = 0; i < 3; i++)
		CHECK(run_peer(try_both_fail));
	bsdvm_map_unlock(lmap);
	/* held shared: trylock fails, trylock_read succeeds */
	bsdvm_map_lock_read(lmap);
	for (i = 0; i < 3; i++)
		CHECK(run_peer(try_read_only));
	bsdvm_map_unlock_read(lmap);
	/* free again */
	CHECK(bsdvm_map_trylock(lmap));
	bsdvm_map_unlock(lmap);
}

static void test_timestamps(void)
{
	uint64_t t = bsdvm_map_timestamp(lmap);

	bsdvm_map_lock(lmap);
	CHECK_EQ_U64(bsdvm_map_timestamp(lmap), t + 1);
	bsdvm_map_unlock(lmap);
	CHECK_EQ_U64(bsdvm_map_timestamp(lmap), t + 1);
	bsdvm_map_lock_read(lmap);
	CHECK_EQ_U64(bsdvm_map_timestamp(lmap), t + 1);
	CHECK(bsdvm_map_lock_upgrade(lmap)); /* sole reader */
	CHECK_EQ_U64(bsdvm_map_timestamp(lmap), t + 2);
	bsdvm_map_lock_downgrade(lmap);
	CHECK_EQ_U64(bsdvm_map_timestamp(lmap), t + 2);
	CHECK(!bsdvm_map_trylock(lmap)); /* we hold it shared */
	CHECK_EQ_U64(bsdvm_map_timestamp(lmap), t + 2);
	bsdvm_map_unlock_read(lmap);
	CHECK(bsdvm_map_trylock_read(lmap));
	CHECK_EQ_U64(bsdvm_map_timestamp(lmap), t + 2);
	bsdvm_map_unlock_read(lmap);
	CHECK(bsdvm_map_trylock(lmap));
	CHECK_EQ_U64(bsdvm_map_timestamp(lmap), t + 3);
	bsdvm_map_unlock(lmap);
	/* a mutating operation takes the exclusive lock once */
	{
		struct bsdvm_entry_attrs a = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL);

		CHECK_KERN(bsdvm_map_insert(lmap, S_LO, S_LO + PG, &a), KERN_SUCCESS);
		CHECK_EQ_U64(bsdvm_map_timestamp(lmap), t + 4);
		CHECK(bsdvm_map_query(lmap, S_LO, NULL));
		CHECK_EQ_U64(bsdvm_map_timestamp(lmap), t + 4);
		CHECK_KERN(bsdvm_map_delete(lmap, S_LO, S_LO + PG), KERN_SUCCESS);
		CHECK_EQ_U64(bsdvm_map_timestamp(lmap), t + 5);
	}
}

/*
 * Upgrade that must fail: A (helper) and main both read; A upgrades and
 * queues; main, now the sole reader, upgrades at once and changes the map;
 * A must come back with false and no lock held.
 */
struct upg_result {
	bool upgraded;
	bool trylock_after;
	uint64_t t0, t_after;
};

static void *upgrade_loser(void *arg)
{
	struct upg_result *res = arg;

	bsdvm_map_lock_read(lmap);
	res->t0 = bsdvm_map_timestamp(lmap);
	atomic_store(&stage, 1);
	res->upgraded = bsdvm_map_lock_upgrade(lmap);
	if (res->upgraded) {
		bsdvm_map_unlock(lmap); /* wrong, but do not hang */
		return NULL;
	}
	res->t_after = bsdvm_map_timestamp(lmap);
	/* holding nothing: the exclusive lock must be free for us */
	res->trylock_after = bsdvm_map_trylock(lmap);
	if (res->trylock_after)
		bsdvm_map_unlock(lmap);
	return NULL;
}

static void test_upgrade_fails(void)
{
	struct upg_result res;
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL);
	pthread_t t;
	bool mine;

	memset(&res, 0, sizeof(res));
	atomic_store(&stage, 0);
	bsdvm_map_lock_read(lmap);
	CHECK(pthread_create(&t, NULL, upgrade_loser, &res) == 0);
	CHECK(await_stage(1));
	CHECK(await_writer_queued()); /* A waits inside its upgrade */
	mine = bsdvm_map_lock_upgrade(lmap);
	CHECK(mine);
	if (mine) {
		CHECK_KERN(bsdvm_map_insert_locked(lmap, S_LO, S_LO + 2 * PG, &a), KERN_SUCCESS);
		bsdvm_map_unlock(lmap);
	} else {
		/* we hold nothing now */
	}
	pthread_join(t, NULL);
	CHECK(!res.upgraded);
	CHECK(res.trylock_after);
	CHECK(res.t_after >= res.t0 + 2);
	CHECK_KERN(bsdvm_map_delete(lmap, S_LO, S_LO + 2 * PG), KERN_SUCCESS);
}

/*
 * Upgrade that succeeds on the slow path: A and main read; A upgrades and
 * queues; main just drops its read lock; A gets the lock with nobody having
 * changed the map.  Then downgrade and release, observed from main.
 */
static void *upgrade_winner(void *arg)
{
	struct upg_result *res = arg;

	bsdvm_map_lock_read(lmap);
	res->t0 = bsdvm_map_timestamp(lmap);
	atomic_store(&stage, 1);
	res->upgraded = bsdvm_map_lock_upgrade(lmap);
	res->t_after = bsdvm_map_timestamp(lmap);
	atomic_store(&stage, 2);
	if (!res->upgraded)
		return NULL;
	if (!await_stage(3)) {
		bsdvm_map_unlock(lmap);
		return NULL;
	}
	bsdvm_map_lock_downgrade(lmap);
	atomic_store(&stage, 4);
	await_stage(5);
	bsdvm_map_unlock_read(lmap);
	atomic_store(&stage, 6);
	return NULL;
}

static void test_upgrade_slow_path(void)
{
	struct upg_result res;
	pthread_t t;

	memset(&res, 0, sizeof(res));
	atomic_store(&stage, 0);
	bsdvm_map_lock_read(lmap);
	CHECK(pthread_create(&t, NULL, upgrade_winner, &res) == 0);
	CHECK(await_stage(1));
	CHECK(await_writer_queued());
	bsdvm_map_unlock_read(lmap);
	CHECK(await_stage(2));
	CHECK(res.upgraded);
	CHECK_EQ_U64(res.t_after, res.t0 + 1);
	if (res.upgraded) {
		/* A holds it exclusive */
		CHECK(!bsdvm_map_trylock(lmap));
		CHECK(!bsdvm_map_trylock_read(lmap));
		atomic_store(&stage, 3);
		CHECK(await_stage(4));
		/* A holds it shared */
		CHECK(!bsdvm_map_trylock(lmap));
		CHECK(bsdvm_map_trylock_read(lmap));
		bsdvm_map_unlock_read(lmap);
		atomic_store(&stage, 5);
		CHECK(await_stage(6));
	}
	pthread_join(t, NULL);
	CHECK(bsdvm_map_trylock(lmap));
	bsdvm_map_unlock(lmap);
}

/* unlock_and_wait: woken by an exclusive unlock, not by a shared one. */
static atomic_int helper_phase;

static void *exclusive_cycler(void *arg)
{
	(void)arg;
	bsdvm_map_lock(lmap); /* gets in only once the waiter has let go */
	atomic_store(&helper_phase, 1);
	sleep_us(2000);
	bsdvm_map_unlock(lmap);
	return NULL;
}

static void *reader_then_writer(void *arg)
{
	(void)arg;
	bsdvm_map_lock_read(lmap);
	bsdvm_map_unlock_read(lmap);
	atomic_store(&helper_phase, 1);
	sleep_us(30000); /* a waiter woken by the read unlock would return now */
	atomic_store(&helper_phase, 2);
	bsdvm_map_lock(lmap);
	bsdvm_map_unlock(lmap);
	return NULL;
}

static void test_unlock_and_wait(void)
{
	pthread_t t;
	uint64_t t0, ts0;
	bool woken;
	int forever;

	for (forever = 0; forever < 2; forever++) {
		atomic_store(&helper_phase, 0);
		bsdvm_map_lock(lmap);
		CHECK(pthread_create(&t, NULL, exclusive_cycler, NULL) == 0);
		woken = bsdvm_map_unlock_and_wait(lmap, forever ? 0 : 10000000000ull);
		CHECK(woken);
		CHECK(atomic_load(&helper_phase) == 1);
		/* we hold the exclusive lock again */
		CHECK(run_peer(try_both_fail));
		bsdvm_map_unlock(lmap);
		pthread_join(t, NULL);
	}

	atomic_store(&helper_phase, 0);
	bsdvm_map_lock(lmap);
	CHECK(pthread_create(&t, NULL, reader_then_writer, NULL) == 0);
	woken = bsdvm_map_unlock_and_wait(lmap, 10000000000ull);
	CHECK(woken);
	CHECK(atomic_load(&helper_phase) == 2);
	bsdvm_map_unlock(lmap);
	pthread_join(t, NULL);

	/* nobody comes: time out, exclusive lock held again, one acquisition */
	bsdvm_map_lock(lmap);
	ts0 = bsdvm_map_timestamp(lmap);
	t0 = now_ns();
	woken = bsdvm_map_unlock_and_wait(lmap, 20000000);
	CHECK(!woken);
	CHECK(now_ns() - t0 >= 20000000);
	CHECK_EQ_U64(bsdvm_map_timestamp(lmap), ts0 + 1);
	CHECK(run_peer(try_both_fail));
	bsdvm_map_unlock(lmap);
	CHECK(run_peer(try_read_only) == false); /* free: trylock succeeds */
}

/* ------------------------------------------------------------------ */
/* Part 3: exclusion, seen through a counter only the map lock guards. */

#define EXCL_THREADS 4
#define EXCL_OPS 4000

static unsigned long guarded_counter; /* protected by lmap's lock, nothing else */

struct excl {
	int id;
	struct test_rng rng;
	unsigned long increments, violations;
};

static void *excl_main(void *arg)
{
	struct excl *x = arg;
	int i;

	for (i = 0; i < EXCL_OPS; i++) {
		unsigned long c0;
		uint64_t t0;

		switch (rng_below(&x->rng, 6)) {
		case 0:
			bsdvm_map_lock(lmap);
			guarded_counter++;
			x->increments++;
			bsdvm_map_unlock(lmap);
			break;
		case 1:
			bsdvm_map_lock_read(lmap);
			c0 = guarded_counter;
			t0 = bsdvm_map_timestamp(lmap);
			sched_yield();
			if (guarded_counter != c0 || bsdvm_map_timestamp(lmap) != t0)
				x->violations++;
			bsdvm_map_unlock_read(lmap);
			break;
		case 2:
			for (;;) {
				bsdvm_map_lock_read(lmap);
				t0 = bsdvm_map_timestamp(lmap);
				c0 = guarded_counter;
				if (bsdvm_map_lock_upgrade(lmap))
					break;
				if (bsdvm_map_timestamp(lmap) < t0 + 2)
					x->violations++;
			}
			/* nothing changed since we read */
			if (guarded_counter != c0 || bsdvm_map_timestamp(lmap) != t0 + 1)
				x->violations++;
			guarded_counter++;
			x->increments++;
			if (rng_below(&x->rng, 2) == 0) {
				bsdvm_map_lock_downgrade(lmap);
				c0 = guarded_counter;
				sched_yield();
				if (guarded_counter != c0)
					x->violations++;
				bsdvm_map_unlock_read(lmap);
			} else {
				bsdvm_map_unlock(lmap);
			}
			break;
		case 3:
			if (bsdvm_map_trylock(lmap)) {
				guarded_counter++;
				x->increments++;
				bsdvm_map_unlock(lmap);
			}
			break;
		case 4:
			if (bsdvm_map_trylock_read(lmap)) {
				c0 = guarded_counter;
				sched_yield();
				if (guarded_counter != c0)
					x->violations++;
				bsdvm_map_unlock_read(lmap);
			}
			break;
		default:
			bsdvm_map_lock(lmap);
			guarded_counter++;
			x->increments++;
			(void)bsdvm_map_unlock_and_wait(lmap, 100000);
			guarded_counter++;
			x->increments++;
			bsdvm_map_unlock(lmap);
			break;
		}
	}
	return NULL;
}

static void test_exclusion(uint64_t seed)
{
	static struct excl xs[EXCL_THREADS];
	pthread_t t[EXCL_THREADS];
	unsigned long inc = 0, bad = 0;
	uint64_t t0 = now_ns();
	int i;

	guarded_counter = 0;
	for (i = 0; i < EXCL_THREADS; i++) {
		memset(&xs[i], 0, sizeof(xs[i]));
		xs[i].id = i;
		rng_init(&xs[i].rng, split_seed(seed, 100 + i));
		CHECK(pthread_create(&t[i], NULL, excl_main, &xs[i]) == 0);
	}
	for (i = 0; i < EXCL_THREADS; i++) {
		pthread_join(t[i], NULL);
		inc += xs[i].increments;
		bad += xs[i].violations;
	}
	CHECK_EQ_U64(guarded_counter, inc);
	CHECK_EQ_U64(bad, 0);
	printf("exclusion: %d threads x %d lock operations, %lu exclusive increments, "
	    "%.2f s\n", EXCL_THREADS, EXCL_OPS, inc, (double)(now_ns() - t0) / 1e9);
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	uint64_t seed = test_seed(argc, argv, 0x7468726561647321ull);
	unsigned long total_ops = 200000;
	const char *env = getenv("BSDVM_THREAD_OPS");
	struct bsdvm_map_params p = { .min = MAP_MIN, .max = MAP_MAX };
	uint64_t t0 = now_ns();
	struct vm_map *map = NULL;

	if (argc > 2)
		total_ops = strtoul(argv[2], NULL, 0);
	else if (env != NULL && *env != '\0')
		total_ops = strtoul(env, NULL, 0);
	if (total_ops < (unsigned long)NTHREADS * ROUNDS)
		total_ops = (unsigned long)NTHREADS * ROUNDS;

	CHECK_KERN(bsdvm_map_create(&p, &map), KERN_SUCCESS);
	if (map == NULL)
		return test_main_exit("test_map_threads");
	lmap = map;

	stress(map, seed, total_ops);
	CHECK_MAP(map);
	/* empty the roaming zones; only the private windows stay */
	CHECK_KERN(bsdvm_map_delete(map, S_LO, S_HI), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_delete(map, U_LO, MAP_MAX), KERN_SUCCESS);
	CHECK(!bsdvm_map_query(map, S_LO, NULL));
	CHECK_MAP(map);

	test_trylock_contention();
	test_timestamps();
	test_upgrade_fails();
	test_upgrade_slow_path();
	test_unlock_and_wait();
	test_exclusion(seed);
	CHECK_MAP(map);

	bsdvm_map_destroy(map);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), 0);
	printf("total %.2f s\n", (double)(now_ns() - t0) / 1e9);
	return test_main_exit("test_map_threads");
}
