/*
 * test_stress_threads.c - 8 threads of mixed operations on shared vmspaces,
 * meant to run under ThreadSanitizer (label "threads").
 *
 * Every thread owns a slice of one shared vmspace where it can check its
 * own bytes exactly (map, write, read back, protect, wire, fork and compare
 * the child's copy, unmap), and also roams the whole space with operations
 * whose outcome it cannot predict (writes and reads into other slices,
 * protects, faults, pageouts), asserting only that every code is one the
 * API documents.  A second, tiny map exercises uvm_map's TRYLOCK, NOWAIT
 * and WAITVA paths: its capacity exceeds the thread count, so WAITVA always
 * finds space eventually, and one thread pair makes a WAITVA caller really
 * sleep until the other unmaps.  Threads racing to fill a vmspace up to its
 * address-space limit must stop exactly at it.  vm_map_check runs at the
 * quiescent points
 * (after every round, once all threads have joined).
 *
 * Seeds: argv[1] or $BSDVM_SEED; each thread derives its own.  Bounded by
 * an op count (argv[2], default 4000 per thread per round) and 3 rounds.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include <bsdvm/uvm.h>
#include <bsdvm/vmspace.h>

#include "testutil.h"

#define NTHREADS 8
#define PG 4096ull
#define SLICE_PAGES 64
#define BASE 0x100000ull
#define SPACE_END (BASE + (NTHREADS + 1) * SLICE_PAGES * PG)
#define TINY_SLOTS 12

struct shared {
	struct bsdvm_sys *sys;
	struct vmspace *vm;
	struct vm_map *tiny;
	uint64_t seed;
	uint64_t ops;
	_Atomic unsigned long bad;    /* checks that failed in a thread */
	_Atomic unsigned long good;
	_Atomic int waiter_slept;
};

struct worker {
	struct shared *sh;
	int id;
	struct test_rng rng;
	uint8_t shadow[SLICE_PAGES * PG]; /* what this thread's slice should hold */
	bool mapped;
};

static void tcheck(struct shared *sh, bool ok, const char *what, int id, int code)
{
	if (ok) {
		atomic_fetch_add(&sh->good, 1);
		return;
	}
	atomic_fetch_add(&sh->bad, 1);
	fprintf(stderr, "thread %d: %s (code %d)\n", id, what, code);
}

static bool documented_kern(int rv)
{
	return rv == KERN_SUCCESS || rv == KERN_INVALID_ADDRESS ||
	    rv == KERN_PROTECTION_FAILURE || rv == KERN_NO_SPACE ||
	    rv == KERN_INVALID_ARGUMENT || rv == KERN_RESOURCE_SHORTAGE;
}

static bsdvm_addr_t slice_base(int id)
{
	return BASE + (bsdvm_addr_t)id * SLICE_PAGES * PG;
}

/* ---- operations on the thread's own slice: exact expectations ---- */

static void own_map(struct worker *w)
{
	bsdvm_addr_t a = slice_base(w->id);
	int rv;

	rv = bsdvm_vmspace_mmap(w->sh->vm, &a, SLICE_PAGES * PG, VM_PROT_RW, VM_PROT_ALL,
	    BSDVM_MAPF_FIXED, NULL, 0);
	tcheck(w->sh, rv == KERN_SUCCESS, "map own slice", w->id, rv);
	memset(w->shadow, 0, sizeof(w->shadow));
	w->mapped = rv == KERN_SUCCESS;
}

static void own_write_read(struct worker *w)
{
	uint8_t buf[3 * 4096];
	size_t len = 1 + rng_below(&w->rng, sizeof(buf) - 1);
	size_t off = rng_below(&w->rng, sizeof(w->shadow) - len);
	size_t i, done = 0;
	int rv;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)rng_next(&w->rng);
	rv = bsdvm_copyout(w->sh->vm, buf, slice_base(w->id) + off, len, &done);
	tcheck(w->sh, rv == KERN_SUCCESS && done == len, "write own slice", w->id, rv);
	memcpy(w->shadow + off, buf, len);
	off = rng_below(&w->rng, sizeof(w->shadow) - len);
	rv = bsdvm_copyin(w->sh->vm, slice_base(w->id) + off, buf, len, &done);
	tcheck(w->sh, rv == KERN_SUCCESS && memcmp(buf, w->shadow + off, len) == 0,
	    "read back own slice", w->id, rv);
}

static void own_protect_roundtrip(struct worker *w)
{
	bsdvm_addr_t a = slice_base(w->id) + rng_below(&w->rng, SLICE_PAGES) * PG;
	uint8_t b = 0x5a;
	int rv;

	rv = bsdvm_map_protect(bsdvm_vmspace_map(w->sh->vm), a, a + PG, VM_PROT_READ, 0,
	    BSDVM_PROTECT_SET_PROT);
	tcheck(w->sh, rv == KERN_SUCCESS, "protect read-only", w->id, rv);
	rv = bsdvm_copyout(w->sh->vm, &b, a, 1, NULL);
	tcheck(w->sh, rv == KERN_PROTECTION_FAILURE, "write to read-only page refused", w->id, rv);
	rv = bsdvm_map_protect(bsdvm_vmspace_map(w->sh->vm), a, a + PG, VM_PROT_RW, 0,
	    BSDVM_PROTECT_SET_PROT);
	tcheck(w->sh, rv == KERN_SUCCESS, "protect back", w->id, rv);
}

static void own_wire(struct worker *w)
{
	struct vm_map *map = bsdvm_vmspace_map(w->sh->vm);
	bsdvm_addr_t a = slice_base(w->id) + rng_below(&w->rng, SLICE_PAGES - 4) * PG;
	int rv = bsdvm_map_wire(map, a, a + 4 * PG, 0);

	/* frames may run short while others wire too; never a partial state */
	tcheck(w->sh, rv == KERN_SUCCESS || rv == KERN_RESOURCE_SHORTAGE, "wire", w->id, rv);
	if (rv == KERN_SUCCESS) {
		rv = bsdvm_map_unwire(map, a, a + 4 * PG, 0);
		tcheck(w->sh, rv == KERN_SUCCESS, "unwire", w->id, rv);
	}
}

static void own_fork_compare(struct worker *w)
{
	struct vmspace *child;
	uint8_t buf[SLICE_PAGES * PG];
	int rv = bsdvm_vmspace_fork(w->sh->vm, &child);

	tcheck(w->sh, rv == KERN_SUCCESS || rv == KERN_RESOURCE_SHORTAGE, "fork", w->id, rv);
	if (rv != KERN_SUCCESS)
		return;
	/* nobody else writes this slice, so the child's copy is exact */
	rv = bsdvm_copyin(child, slice_base(w->id), buf, sizeof(buf), NULL);
	tcheck(w->sh, rv == KERN_SUCCESS && memcmp(buf, w->shadow, sizeof(buf)) == 0,
	    "child sees the slice as it was at fork", w->id, rv);
	buf[0] ^= 0xff;
	rv = bsdvm_copyout(child, buf, slice_base(w->id), 1, NULL);
	tcheck(w->sh, rv == KERN_SUCCESS, "child writes its copy", w->id, rv);
	rv = bsdvm_copyin(w->sh->vm, slice_base(w->id), buf, 1, NULL);
	tcheck(w->sh, rv == KERN_SUCCESS && buf[0] == w->shadow[0],
	    "parent unaffected by the child's write", w->id, rv);
	tcheck(w->sh, vm_map_check(bsdvm_vmspace_map(child)), "child map consistent", w->id, 0);
	bsdvm_vmspace_free(child);
}

static void own_unmap_remap(struct worker *w)
{
	int rv = bsdvm_map_delete(bsdvm_vmspace_map(w->sh->vm), slice_base(w->id),
	    slice_base(w->id) + SLICE_PAGES * PG);

	tcheck(w->sh, rv == KERN_SUCCESS, "unmap own slice", w->id, rv);
	w->mapped = false;
	own_map(w);
}

/* ---- roaming operations: only the codes are known ---- */

static void roam(struct worker *w)
{
	struct vm_map *map = bsdvm_vmspace_map(w->sh->vm);
	bsdvm_addr_t a = BASE + rng_below(&w->rng, (SPACE_END - BASE) / PG) * PG;
	uint8_t buf[64];
	int rv = KERN_SUCCESS;

	switch (rng_below(&w->rng, 6)) {
	case 0:
		/* slice NTHREADS is nobody's: map and unmap there freely */
		a = slice_base(NTHREADS) + rng_below(&w->rng, SLICE_PAGES - 2) * PG;
		rv = bsdvm_vmspace_mmap(w->sh->vm, &a, 2 * PG, VM_PROT_RW, VM_PROT_ALL,
		    BSDVM_MAPF_FIXED, NULL, 0);
		break;
	case 1:
		a = slice_base(NTHREADS) + rng_below(&w->rng, SLICE_PAGES - 2) * PG;
		rv = bsdvm_map_delete(map, a, a + 2 * PG);
		break;
	case 2:
		rv = bsdvm_copyin(w->sh->vm, a, buf, sizeof(buf), NULL);
		break;
	case 3:
		/* writes only into the shared slice: others' slices stay exact */
		a = slice_base(NTHREADS) + rng_below(&w->rng, SLICE_PAGES) * PG;
		rv = bsdvm_copyout(w->sh->vm, buf, a, sizeof(buf), NULL);
		break;
	case 4:
		rv = bsdvm_fault(map, a, VM_PROT_READ);
		break;
	default:
		bsdvm_sys_pageout(w->sh->sys, 4);
		break;
	}
	tcheck(w->sh, documented_kern(rv), "roaming op returned a documented code", w->id, rv);
}

/* ---- the tiny map: TRYLOCK, NOWAIT, WAITVA ---- */

static void tiny_op(struct worker *w)
{
	vaddr_t va = 0;
	uvm_flag_t f = UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_COPY, UVM_ADV_NORMAL,
	    UVM_FLAG_NOMERGE);
	int err;

	switch (rng_below(&w->rng, 3)) {
	case 0:
		err = uvm_map(w->sh->tiny, &va, PG, NULL, UVM_UNKNOWN_OFFSET, 0,
		    f | UVM_FLAG_TRYLOCK);
		tcheck(w->sh, err == 0 || err == EAGAIN || err == ENOMEM, "TRYLOCK map", w->id, err);
		break;
	case 1:
		err = uvm_map(w->sh->tiny, &va, PG, NULL, UVM_UNKNOWN_OFFSET, 0,
		    f | UVM_FLAG_NOWAIT);
		tcheck(w->sh, err == 0 || err == ENOMEM, "NOWAIT map", w->id, err);
		break;
	default:
		/* capacity > threads, and every thread unmaps what it mapped
		 * before mapping again, so a slot always comes free */
		err = uvm_map(w->sh->tiny, &va, PG, NULL, UVM_UNKNOWN_OFFSET, 0,
		    f | UVM_FLAG_WAITVA);
		tcheck(w->sh, err == 0, "WAITVA map", w->id, err);
		break;
	}
	if (va != 0 && err == 0)
		uvm_unmap(w->sh->tiny, va, va + PG);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint64_t i;

	if (!w->mapped)
		own_map(w);
	for (i = 0; i < w->sh->ops; i++) {
		switch (rng_below(&w->rng, 16)) {
		case 0:
			own_protect_roundtrip(w);
			break;
		case 1:
			own_wire(w);
			break;
		case 2:
			if (rng_below(&w->rng, 8) == 0)
				own_fork_compare(w);
			break;
		case 3:
			if (rng_below(&w->rng, 8) == 0)
				own_unmap_remap(w);
			break;
		case 4:
		case 5:
			tiny_op(w);
			break;
		case 6:
		case 7:
		case 8:
			roam(w);
			break;
		default:
			own_write_read(w);
			break;
		}
	}
	return NULL;
}

/* One WAITVA caller that must sleep: the tiny map is full until the
 * filler thread unmaps. */
struct waitva_pair {
	struct shared *sh;
	vaddr_t held[TINY_SLOTS];
	_Atomic int waiting;
};

static void *waitva_waiter(void *arg)
{
	struct waitva_pair *p = arg;
	vaddr_t va = 0;
	int err;

	atomic_store(&p->waiting, 1);
	err = uvm_map(p->sh->tiny, &va, PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_COPY, UVM_ADV_NORMAL,
	    UVM_FLAG_NOMERGE | UVM_FLAG_WAITVA));
	tcheck(p->sh, err == 0, "sleeping WAITVA caller got space", -1, err);
	if (err == 0)
		uvm_unmap(p->sh->tiny, va, va + PG);
	return NULL;
}

static void waitva_sleep_case(struct shared *sh)
{
	struct waitva_pair p = { .sh = sh };
	pthread_t t;
	int i, err;
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	for (i = 0; i < TINY_SLOTS; i++) {
		p.held[i] = 0;
		err = uvm_map(sh->tiny, &p.held[i], PG, NULL, UVM_UNKNOWN_OFFSET, 0,
		    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_COPY, UVM_ADV_NORMAL,
		    UVM_FLAG_NOMERGE));
		CHECK(err == 0);
	}
	pthread_create(&t, NULL, waitva_waiter, &p);
	while (!atomic_load(&p.waiting))
		nanosleep(&ts, NULL);
	nanosleep(&ts, NULL); /* let the waiter reach its sleep */
	CHECK(bsdvm_map_largest_gap(sh->tiny) == 0); /* it cannot have got space */
	uvm_unmap(sh->tiny, p.held[0], p.held[0] + PG);
	pthread_join(t, NULL);
	for (i = 1; i < TINY_SLOTS; i++)
		uvm_unmap(sh->tiny, p.held[i], p.held[i] + PG);
	CHECK_MAP(sh->tiny);
}

/*
 * RLIMIT_VMEM under contention: threads map one page at a time into a
 * vmspace limited to LIMIT_PAGES until refused.  The check and the mapping
 * are one critical section, so the map never ends above the limit, and
 * the refusals are KERN_NO_SPACE.
 */
#define LIMIT_PAGES 64
#define LIMIT_THREADS 4

struct limit_race {
	struct vmspace *vm;
	_Atomic int bad;
};

static void *limit_worker(void *arg)
{
	struct limit_race *lr = arg;

	for (;;) {
		bsdvm_addr_t a = 0;
		int rv = bsdvm_vmspace_mmap(lr->vm, &a, PG, VM_PROT_RW, VM_PROT_ALL,
		    BSDVM_MAPF_NOMERGE, NULL, 0);

		if (rv == KERN_NO_SPACE)
			return NULL;
		if (rv != KERN_SUCCESS) {
			atomic_fetch_add(&lr->bad, 1);
			return NULL;
		}
	}
}

static void limit_race_case(struct bsdvm_sys *sys)
{
	struct bsdvm_rlimits lim = { BSDVM_RLIM_INFINITY, LIMIT_PAGES * PG, BSDVM_RLIM_INFINITY };
	struct limit_race lr = { 0 };
	pthread_t t[LIMIT_THREADS];
	struct bsdvm_map_stats st;

	for (int round = 0; round < 20; round++) {
		CHECK(bsdvm_vmspace_create(sys, 0x10000, 0x100000000ull, 0, &lr.vm) ==
		    KERN_SUCCESS);
		bsdvm_vmspace_set_limits(lr.vm, &lim);
		for (int i = 0; i < LIMIT_THREADS; i++)
			pthread_create(&t[i], NULL, limit_worker, &lr);
		for (int i = 0; i < LIMIT_THREADS; i++)
			pthread_join(t[i], NULL);
		bsdvm_map_get_stats(bsdvm_vmspace_map(lr.vm), &st);
		CHECK_EQ_U64(st.size, LIMIT_PAGES * PG);
		CHECK_MAP(bsdvm_vmspace_map(lr.vm));
		bsdvm_vmspace_free(lr.vm);
	}
	CHECK(atomic_load(&lr.bad) == 0);
}

int main(int argc, char **argv)
{
	static struct worker workers[NTHREADS];
	struct bsdvm_sys_params sp = { .frames = 2048, .swap_pages = 8192 };
	struct shared sh = { 0 };
	struct bsdvm_map_params tp = { .min = 0x10000, .max = 0x10000 + TINY_SLOTS * PG };
	pthread_t t[NTHREADS];
	int i, round;

	sh.seed = test_seed(argc, argv, 0xC0FFEE);
	sh.ops = argc > 2 ? strtoull(argv[2], NULL, 0) : 4000;
	if (bsdvm_sys_create(&sp, &sh.sys) != KERN_SUCCESS ||
	    bsdvm_vmspace_create(sh.sys, 0x10000, SPACE_END + PG, 0, &sh.vm) != KERN_SUCCESS ||
	    bsdvm_map_create(&tp, &sh.tiny) != KERN_SUCCESS) {
		fprintf(stderr, "setup failed\n");
		return 2;
	}
	for (i = 0; i < NTHREADS; i++) {
		workers[i].sh = &sh;
		workers[i].id = i;
		rng_init(&workers[i].rng, sh.seed * 1000003u + (uint64_t)i + 1);
	}
	for (round = 0; round < 3; round++) {
		for (i = 0; i < NTHREADS; i++)
			pthread_create(&t[i], NULL, worker_main, &workers[i]);
		for (i = 0; i < NTHREADS; i++)
			pthread_join(t[i], NULL);
		/* quiescent: every invariant must hold, every slice be exact */
		CHECK_MAP(bsdvm_vmspace_map(sh.vm));
		CHECK_MAP(sh.tiny);
		for (i = 0; i < NTHREADS; i++) {
			static uint8_t buf[SLICE_PAGES * PG];

			CHECK(bsdvm_copyin(sh.vm, slice_base(i), buf, sizeof(buf), NULL) ==
			    KERN_SUCCESS);
			CHECK(memcmp(buf, workers[i].shadow, sizeof(buf)) == 0);
		}
		waitva_sleep_case(&sh);
	}
	limit_race_case(sh.sys);
	printf("stress: %d threads x %" PRIu64 " ops x 3 rounds; %lu thread checks passed\n",
	    NTHREADS, sh.ops, (unsigned long)atomic_load(&sh.good));
	tu_passed += atomic_load(&sh.good);
	tu_failed += atomic_load(&sh.bad);
	bsdvm_map_destroy(sh.tiny);
	bsdvm_vmspace_free(sh.vm);
	{
		struct bsdvm_sys_stats st;

		bsdvm_sys_get_stats(sh.sys, &st);
		CHECK(st.anons == 0 && st.amaps == 0 && st.wired == 0);
	}
	bsdvm_sys_destroy(sh.sys);
	CHECK(bsdvm_alloc_live_bytes() == 0);
	return test_main_exit("test_stress_threads");
}
