/*
 * test_compat_freebsd.c - the FreeBSD face (bsdvm/vm_map.h) against its
 * manual pages, statement by statement: vm_map_stack(9) and
 * vm_map_growstack(9) (spec 000 and its clean copy 001), vm_map_find(9)
 * (spec 000/002) and vm_map_findspace(9) (spec 002).
 *
 * Every statement of the pages has one test below; the table gives the
 * statement, paraphrased, and the function that checks it.  "FreeBSD"
 * marks a behaviour the page is silent on, checked against the kernel's
 * (spec/README.md: where a page is silent, bsdvm behaves as the kernel).
 *
 * vm_map_stack(9) / vm_map_growstack(9)
 *  S1  the stack is mapped at addrbos with a maximum size of max_ssize  test_stack_maps_reservation
 *  S2  copy-on-write flags in cow are applied to the new mapping:
 *      grow direction, MAP_DISABLE_COREDUMP                              test_stack_cow_flags
 *      ... and the other insert flags (MAP_DISABLE_SYNCER,
 *      MAP_INHERIT_SHARE) too                                            test_stack_cow_other_flags
 *  S3  protection bits are supplied by prot and max                      test_stack_prot_max
 *  S4  typically called by execve(2) (on a freshly emptied vmspace)      test_stack_exec_sequence
 *  S5  growstack grows the stack of p to the desired address addr       test_growstack_grows_to_addr
 *  S6  vm_map_stack creates its mappings with vm_map_insert(9), so it
 *      returns insert's codes for what insert refuses                    test_stack_insert_codes
 *  S7  vm_map_stack and vm_map_growstack hold the process lock for the
 *      whole call: growstack waits for p's lock                          test_growstack_takes_proc_lock
 *      (vm_map_stack has no p: it serialises on the map lock)            test_stack_takes_map_lock
 *  S8  vm_map_stack returns KERN_SUCCESS when the mapping was made       test_stack_maps_reservation
 *  S9  ... KERN_NO_SPACE if the stack would exceed the VMEM limit        test_stack_vmem_limit
 *  S10 ... KERN_NO_SPACE if addrbos is out of range for the map         test_stack_out_of_range
 *  S11 ... KERN_NO_SPACE if a mapping already exists at the address     test_stack_existing_mapping
 *  S12 ... KERN_NO_SPACE if max_ssize cannot be accommodated            test_stack_not_accommodated
 *  S13 other return values are those of vm_map_insert(9)                test_stack_insert_codes
 *  S14 growstack: KERN_SUCCESS if addr is already mapped                 test_growstack_already_mapped
 *  S15 growstack: KERN_SUCCESS if the stack was grown                    test_growstack_grows_to_addr
 *      (grows-up stacks too)                                             test_growstack_grows_up
 *  S16 growstack: KERN_SUCCESS if addr is outside the stack range        test_growstack_outside_stack
 *      (FreeBSD) growth into the guard or past RLIMIT_STACK fails        test_growstack_refused
 *
 * vm_map_find(9)
 *  F1  finds a free region of the given length                           test_find_length
 *  F2  a found region gets a mapping of object (vm_map_insert)           test_find_maps_object
 *  F3  offset, prot, max and cow reach vm_map_insert unchanged           test_find_passes_attrs
 *  F4  ... if and only if a free region is found                         test_find_iff_found
 *  F5  the caller's reference on object goes to the new entry           test_find_object_reference
 *  F6  max_addr != 0 bounds the mapping: entirely below max_addr         test_find_max_addr
 *  F7  every strategy but NO_SPACE searches at or above *addr            test_find_at_or_above_addr
 *  F8  VMFS_NO_SPACE: only a free region at exactly *addr                test_find_no_space
 *  F9  VMFS_ANY_SPACE: any free region                                   test_find_any_space
 *  F10 VMFS_SUPER_SPACE: a region beginning on a superpage boundary      test_find_super_space
 *  F11 ... object backed by superpages: aligned relative to them
 *      (bsdvm: an object of >= 1 superpage; start = offset mod sp)       test_find_super_space_object
 *  F12 VMFS_OPTIMAL_SPACE: succeeds as long as there is a free region    test_find_optimal_fallback
 *      (and without a superpage object it is plain first fit)            test_find_optimal_no_object
 *  F13 ... object backed by superpages: tries superpage-relative align   test_find_optimal_object
 *  F14 VMFS_ALIGNED_SPACE(n): a region aligned on 2^n                    test_find_aligned_space
 *  F15 takes the map lock with vm_map_lock and holds it to the end       test_find_takes_map_lock
 *  F16 first fit, from *addr onwards (top-down maps too)                 test_find_first_fit
 *  F17 KERN_SUCCESS when the mapping was made                            test_find_length
 *  F18 KERN_NO_SPACE when no space could be found                        test_find_no_space_found
 *  F19 KERN_NO_SPACE for VMFS_NO_SPACE at an already mapped *addr        test_find_no_space
 *  F20 KERN_INVALID_ADDRESS when the discovered range is bogus           test_find_bogus_range
 *
 * vm_map_findspace(9)
 *  P1  finds room for length bytes at or above start                     test_findspace_finds
 *  P2  the caller holds the map lock (findspace takes none)              test_findspace_caller_locks
 *  P3  pmap_growkernel only for the kernel map, only when the range
 *      passes the kernel's current top                                  test_findspace_growkernel
 *  P4  returns 0 and the first address of the region in *addr           test_findspace_finds
 *  P5  returns 1 otherwise                                               test_findspace_fails
 *
 * Bad arguments of every face function (codes, map listing unchanged,
 * vm_map_check true):                                  test_errors_find, test_errors_findspace,
 *   test_errors_stack, test_errors_growstack, test_errors_insert, test_errors_range_ops,
 *   test_errors_null_maps
 *
 * 41 statements (S1-S16, F1-F20, P1-P5), 47 test functions (40 for the
 * statements, 7 for bad arguments).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bsdvm/vm_map.h>

#include "testutil.h"

#define PG ((bsdvm_addr_t)4096)
#define SP ((bsdvm_addr_t)2 << 20) /* the default superpage */
#define UMIN ((bsdvm_addr_t)0x100000)
#define UMAX ((bsdvm_addr_t)0x100000000)
#define RW (VM_PROT_READ | VM_PROT_WRITE)
#define RX (VM_PROT_READ | VM_PROT_EXECUTE)

/* ------------------------------------------------------------------ */
/* Fixtures */

struct fx {
	struct bsdvm_sys *sys;
	struct vmspace *vm;
	vm_map_t map;
	struct proc *p;
};

static struct bsdvm_sys *sys_new(const struct pmap_ops *ops)
{
	struct bsdvm_sys_params sp = { 0 };
	struct bsdvm_sys *sys = NULL;

	if (ops != NULL) {
		sp.pmap = ops;
		sp.pmap_ctx = (void *)bsdvm_platform_default();
	}
	if (bsdvm_sys_create(&sp, &sys) != KERN_SUCCESS) {
		fprintf(stderr, "bsdvm_sys_create failed\n");
		exit(2);
	}
	return sys;
}

/* A system, one vmspace [min, max) and a process using it. */
static void fx_init(struct fx *f, bsdvm_addr_t min, bsdvm_addr_t max, uint32_t flags)
{
	f->sys = sys_new(NULL);
	if (bsdvm_vmspace_create(f->sys, min, max, flags, &f->vm) != KERN_SUCCESS ||
	    bsdvm_proc_create(f->sys, f->vm, &f->p) != KERN_SUCCESS) {
		fprintf(stderr, "fixture failed\n");
		exit(2);
	}
	bsdvm_vmspace_free(f->vm); /* the process holds it now */
	f->map = bsdvm_vmspace_map(f->vm);
}

static void fx_fini(struct fx *f)
{
	CHECK_MAP(f->map);
	bsdvm_proc_destroy(f->p);
	bsdvm_sys_destroy(f->sys);
}

/* Plain anonymous mapping at [start, start + len) through vm_map_find. */
static int map_at(vm_map_t map, vm_offset_t start, vm_size_t len)
{
	vm_offset_t a = start;

	return vm_map_find(map, NULL, 0, &a, len, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, 0);
}

static bool query(vm_map_t map, vm_offset_t addr, struct bsdvm_region *r)
{
	memset(r, 0, sizeof(*r));
	return bsdvm_map_query(map, addr, r);
}

static uint64_t nentries(vm_map_t map)
{
	struct bsdvm_map_stats st;

	bsdvm_map_get_stats(map, &st);
	return st.nentries;
}

/* True when the listing is still `before` and the map checks; prints the
 * two listings otherwise. */
static bool unchanged(vm_map_t map, const char *before)
{
	char *now = test_map_listing(map);
	bool same = strcmp(now, before) == 0;

	if (!same)
		fprintf(stderr, "map changed by a failing call:\n--- before\n%s--- after\n%s",
		    before, now);
	free(now);
	return same && vm_map_check(map);
}

/* ------------------------------------------------------------------ */
/* Threads: a worker runs one call; the main thread watches its flags. */

/* sleep_ms and wait_flag: support/testutil.h */

/* A worker that never finishes is a deadlock: report and stop. */
static void deadlock(const char *what)
{
	fprintf(stderr, "%s did not return within 5 s (deadlock?)\n", what);
	tu_failed++;
	exit(test_main_exit("test_compat_freebsd"));
}

enum job_kind { JOB_FIND, JOB_STACK, JOB_GROWSTACK, JOB_FINDSPACE_X, JOB_FINDSPACE_R };

struct job {
	enum job_kind kind;
	vm_map_t map;
	struct proc *p;
	vm_offset_t addr, out;
	int rv;
	atomic_int started, done;
};

static void *job_run(void *arg)
{
	struct job *j = arg;

	atomic_store(&j->started, 1);
	switch (j->kind) {
	case JOB_FIND:
		j->out = j->addr;
		j->rv = vm_map_find(j->map, NULL, 0, &j->out, 4 * PG, 0, VMFS_ANY_SPACE, RW,
		    VM_PROT_ALL, 0);
		break;
	case JOB_STACK:
		j->rv = vm_map_stack(j->map, j->addr, 16 * PG, RW, VM_PROT_ALL,
		    MAP_STACK_GROWS_DOWN);
		break;
	case JOB_GROWSTACK:
		j->rv = vm_map_growstack(j->p, j->addr);
		break;
	case JOB_FINDSPACE_X:
		vm_map_lock(j->map);
		j->rv = vm_map_findspace(j->map, j->addr, 4 * PG, &j->out);
		vm_map_unlock(j->map);
		break;
	case JOB_FINDSPACE_R:
		vm_map_lock_read(j->map);
		j->rv = vm_map_findspace(j->map, j->addr, 4 * PG, &j->out);
		vm_map_unlock_read(j->map);
		break;
	}
	atomic_store(&j->done, 1);
	return NULL;
}

/* Starts j while the caller holds some lock; returns whether j was still
 * blocked 150 ms after it started.  The caller releases the lock and then
 * calls job_join. */
static bool job_blocked(pthread_t *t, struct job *j)
{
	if (pthread_create(t, NULL, job_run, j) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		exit(2);
	}
	if (!wait_flag(&j->started, 5000))
		deadlock("worker start");
	sleep_ms(150);
	return atomic_load(&j->done) == 0;
}

static void job_join(pthread_t t, struct job *j, const char *what)
{
	if (!wait_flag(&j->done, 5000))
		deadlock(what);
	pthread_join(t, NULL);
}

/* ------------------------------------------------------------------ */
/* vm_map_stack(9) */

#define STK_BOS ((bsdvm_addr_t)0x80000000)
#define STK_MAX ((bsdvm_size_t)0x100000) /* 1 MiB reservation */
#define STK_TOP (STK_BOS + STK_MAX)
#define STK2 ((bsdvm_addr_t)0xa0000000) /* room for more stacks */
#define STK3 ((bsdvm_addr_t)0xc0000000)
#define GROW ((bsdvm_size_t)128 * 1024) /* default sgrowsiz */

/* Sum of the GROWS_DOWN/UP entries in [lo, hi). */
struct stack_sum {
	bsdvm_addr_t lo, hi;
	bsdvm_size_t bytes;
	unsigned entries, bad_prot;
	bsdvm_prot_t prot, max;
};

static int sum_stack(void *arg, const struct bsdvm_region *r)
{
	struct stack_sum *s = arg;

	if (r->start >= s->lo && r->end <= s->hi &&
	    (r->eflags & (MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP))) {
		s->bytes += r->end - r->start;
		s->entries++;
		if (r->protection != s->prot || r->max_protection != s->max)
			s->bad_prot++;
	}
	return 0;
}

static void test_stack_maps_reservation(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct stack_sum s = { STK_BOS, STK_TOP, 0, 0, 0, RW, VM_PROT_ALL };

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_SUCCESS);
	CHECK_MAP(f.map);
	/* the stack proper at the top, growing down */
	CHECK(query(f.map, STK_TOP - PG, &r));
	CHECK(r.end == STK_TOP && (r.eflags & MAP_ENTRY_GROWS_DOWN) != 0);
	CHECK(r.protection == RW && r.max_protection == VM_PROT_ALL);
	/* the rest of the reservation is held (no one else may map there) */
	CHECK(query(f.map, STK_BOS, &r));
	CHECK(r.start == STK_BOS && (r.eflags & MAP_ENTRY_GUARD) != 0);
	CHECK(!query(f.map, STK_BOS - PG, &r));
	CHECK(!query(f.map, STK_TOP, &r));
	CHECK(map_at(f.map, STK_BOS + 4 * PG, PG) == KERN_NO_SPACE);
	/* the stack may grow to max_ssize less the guard page, no further */
	CHECK_KERN(vm_fault(f.map, STK_BOS + PG, VM_PROT_WRITE), KERN_SUCCESS);
	CHECK_KERN(vm_fault(f.map, STK_BOS, VM_PROT_WRITE), KERN_PROTECTION_FAILURE);
	bsdvm_map_foreach(f.map, sum_stack, &s);
	CHECK_EQ_U64(s.bytes, STK_MAX - PG);
	CHECK(s.bad_prot == 0);
	fx_fini(&f);
}

static void test_stack_cow_flags(void)
{
	struct fx f;
	struct bsdvm_region r;

	fx_init(&f, UMIN, UMAX, 0);
	/* MAP_STACK_GROWS_DOWN with MAP_DISABLE_COREDUMP */
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN | MAP_DISABLE_COREDUMP), KERN_SUCCESS);
	CHECK(query(f.map, STK_TOP - PG, &r));
	CHECK((r.eflags & MAP_ENTRY_GROWS_DOWN) && (r.eflags & MAP_ENTRY_NOCOREDUMP));
	CHECK(!(r.eflags & MAP_ENTRY_GROWS_UP));
	CHECK(r.start == STK_TOP - GROW);
	/* the flag stays with the memory the stack grows into */
	CHECK_KERN(vm_map_growstack(f.p, STK_TOP - GROW - PG), KERN_SUCCESS);
	CHECK(query(f.map, STK_TOP - GROW - PG, &r));
	CHECK((r.eflags & MAP_ENTRY_GROWS_DOWN) && (r.eflags & MAP_ENTRY_NOCOREDUMP));

	/* MAP_STACK_GROWS_UP: the stack sits at the bottom */
	CHECK_KERN(vm_map_stack(f.map, STK2, STK_MAX, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_UP), KERN_SUCCESS);
	CHECK(query(f.map, STK2, &r));
	CHECK((r.eflags & MAP_ENTRY_GROWS_UP) && r.start == STK2 && r.end == STK2 + GROW);
	CHECK(!(r.eflags & MAP_ENTRY_NOCOREDUMP));
	CHECK(query(f.map, STK2 + STK_MAX - PG, &r));
	CHECK((r.eflags & MAP_ENTRY_GUARD) && (r.eflags & MAP_ENTRY_STACK_GAP_UP));
	fx_fini(&f);
}

static void test_stack_cow_other_flags(void)
{
	struct fx f;
	struct bsdvm_region r;
	int rv;

	fx_init(&f, UMIN, UMAX, 0);
	/* mmap(MAP_STACK | MAP_NOSYNC) hands MAP_DISABLE_SYNCER down with the
	 * direction; the page: cow flags are applied to the new mapping */
	rv = vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN | MAP_DISABLE_SYNCER);
	CHECK_KERN(rv, KERN_SUCCESS);
	if (rv == KERN_SUCCESS) {
		CHECK(query(f.map, STK_TOP - PG, &r));
		CHECK((r.eflags & MAP_ENTRY_GROWS_DOWN) && (r.eflags & MAP_ENTRY_NOSYNC));
	}
	rv = vm_map_stack(f.map, STK2, STK_MAX, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN | MAP_INHERIT_SHARE);
	CHECK_KERN(rv, KERN_SUCCESS);
	if (rv == KERN_SUCCESS) {
		CHECK(query(f.map, STK2 + STK_MAX - PG, &r));
		CHECK(r.inheritance == VM_INHERIT_SHARE);
	}
	fx_fini(&f);
}

static void test_stack_prot_max(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct stack_sum s = { STK_BOS, STK_TOP, 0, 0, 0, VM_PROT_READ, RW };

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, VM_PROT_READ, RW, MAP_STACK_GROWS_DOWN),
	    KERN_SUCCESS);
	CHECK(query(f.map, STK_TOP - PG, &r));
	CHECK(r.protection == VM_PROT_READ && r.max_protection == RW);
	/* reads work, writes are refused by the protection */
	CHECK_KERN(vm_fault(f.map, STK_TOP - PG, VM_PROT_READ), KERN_SUCCESS);
	CHECK_KERN(vm_fault(f.map, STK_TOP - PG, VM_PROT_WRITE), KERN_PROTECTION_FAILURE);
	/* grown memory has the same protection and maximum */
	CHECK_KERN(vm_map_growstack(f.p, STK_BOS + 8 * PG), KERN_SUCCESS);
	bsdvm_map_foreach(f.map, sum_stack, &s);
	CHECK(s.entries >= 2 && s.bad_prot == 0);
	/* the maximum really is max: raising above it fails, up to it works */
	CHECK_KERN(vm_map_protect(f.map, STK_TOP - PG, STK_TOP, VM_PROT_ALL, 0,
	    VM_MAP_PROTECT_SET_PROT), KERN_PROTECTION_FAILURE);
	CHECK_KERN(vm_map_protect(f.map, STK_TOP - PG, STK_TOP, RW, 0, VM_MAP_PROTECT_SET_PROT),
	    KERN_SUCCESS);
	fx_fini(&f);
}

static void test_stack_exec_sequence(void)
{
	struct fx f;
	struct bsdvm_region r;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(map_at(f.map, 0x400000, 16 * PG), KERN_SUCCESS);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_SUCCESS);
	/* execve: the old image goes, the vmspace is reused, a new stack is made */
	CHECK_KERN(bsdvm_vmspace_reset(f.vm, UMIN, UMAX), KERN_SUCCESS);
	CHECK(nentries(f.map) == 0);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_SUCCESS);
	CHECK(query(f.map, STK_TOP - PG, &r) && (r.eflags & MAP_ENTRY_GROWS_DOWN));
	CHECK(nentries(f.map) == 2);
	fx_fini(&f);
}

static void test_stack_insert_codes(void)
{
	struct fx f;
	char *before;
	struct vmspace *wx;

	fx_init(&f, UMIN, UMAX, 0);
	before = test_map_listing(f.map);
	/* insert refuses prot above max ... */
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, VM_PROT_ALL, VM_PROT_READ,
	    MAP_STACK_GROWS_DOWN), KERN_PROTECTION_FAILURE);
	/* ... protection bits that do not exist ... */
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, 0x08, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_INVALID_ARGUMENT);
	/* ... and unaligned bounds */
	CHECK_KERN(vm_map_stack(f.map, STK_BOS + 1, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX + 1, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_INVALID_ARGUMENT);
	CHECK(unchanged(f.map, before));
	free(before);
	/* a W^X map: insert refuses write+execute */
	CHECK_KERN(bsdvm_vmspace_create(f.sys, UMIN, UMAX, BSDVM_MAP_WXORX, &wx), KERN_SUCCESS);
	before = test_map_listing(bsdvm_vmspace_map(wx));
	CHECK_KERN(vm_map_stack(bsdvm_vmspace_map(wx), STK_BOS, STK_MAX, VM_PROT_ALL, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN), KERN_PROTECTION_FAILURE);
	CHECK(unchanged(bsdvm_vmspace_map(wx), before));
	free(before);
	CHECK_KERN(vm_map_stack(bsdvm_vmspace_map(wx), STK_BOS, STK_MAX, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN), KERN_SUCCESS);
	bsdvm_vmspace_free(wx);
	fx_fini(&f);
}

static void test_stack_vmem_limit(void)
{
	struct fx f;
	struct bsdvm_rlimits lim = { BSDVM_RLIM_INFINITY, 0, BSDVM_RLIM_INFINITY };
	char *before;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(map_at(f.map, 0x400000, 16 * PG), KERN_SUCCESS);
	/* room for 16 pages already mapped plus 64 KiB: less than the first
	 * 128 KiB of stack */
	lim.vmem = 16 * PG + 0x10000;
	bsdvm_proc_set_limits(f.p, &lim);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_NO_SPACE);
	CHECK(unchanged(f.map, before));
	free(before);
	/* exactly enough is enough */
	lim.vmem = 16 * PG + GROW;
	bsdvm_proc_set_limits(f.p, &lim);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_SUCCESS);
	fx_fini(&f);
}

static void test_stack_out_of_range(void)
{
	struct fx f;
	char *before;

	fx_init(&f, UMIN, UMAX, 0);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_stack(f.map, UMIN - STK_MAX, STK_MAX, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN), KERN_NO_SPACE);
	CHECK_KERN(vm_map_stack(f.map, UMIN - PG, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_NO_SPACE);
	CHECK_KERN(vm_map_stack(f.map, UMAX, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_NO_SPACE);
	CHECK_KERN(vm_map_stack(f.map, UMAX - STK_MAX + PG, STK_MAX, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_UP), KERN_NO_SPACE);
	CHECK_KERN(vm_map_stack(f.map, (bsdvm_addr_t)0 - STK_MAX / 2, STK_MAX, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN), KERN_NO_SPACE);
	CHECK(unchanged(f.map, before));
	free(before);
	/* the very ends of the map are in range */
	CHECK_KERN(vm_map_stack(f.map, UMIN, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_UP),
	    KERN_SUCCESS);
	CHECK_KERN(vm_map_stack(f.map, UMAX - STK_MAX, STK_MAX, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN), KERN_SUCCESS);
	fx_fini(&f);
}

static void test_stack_existing_mapping(void)
{
	struct fx f;
	char *before;

	fx_init(&f, UMIN, UMAX, 0);
	/* where the stack entry itself would go */
	CHECK_KERN(map_at(f.map, STK_TOP - PG, PG), KERN_SUCCESS);
	/* where the bottom of the reservation would go */
	CHECK_KERN(map_at(f.map, STK2, PG), KERN_SUCCESS);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_NO_SPACE);
	CHECK_KERN(vm_map_stack(f.map, STK2, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_NO_SPACE);
	/* a second stack over the first */
	CHECK_KERN(vm_map_stack(f.map, STK3, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_SUCCESS);
	free(before);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_stack(f.map, STK3, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_NO_SPACE);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_stack_not_accommodated(void)
{
	struct fx f;
	char *before;

	fx_init(&f, UMIN, UMAX, 0);
	/* addrbos and the top are free, but the middle is not */
	CHECK_KERN(map_at(f.map, STK_BOS + STK_MAX / 2, PG), KERN_SUCCESS);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_NO_SPACE);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_UP),
	    KERN_NO_SPACE);
	/* larger than the whole map */
	CHECK_KERN(vm_map_stack(f.map, UMIN, UMAX - UMIN + PG, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN), KERN_NO_SPACE);
	CHECK(unchanged(f.map, before));
	free(before);
	/* the half below the obstacle does fit */
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX / 2, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_SUCCESS);
	fx_fini(&f);
}

static void test_stack_takes_map_lock(void)
{
	struct fx f;
	struct job j = { .kind = JOB_STACK, .addr = STK_BOS };
	pthread_t t;
	bool blocked;

	fx_init(&f, UMIN, UMAX, 0);
	j.map = f.map;
	vm_map_lock(f.map);
	blocked = job_blocked(&t, &j);
	vm_map_unlock(f.map);
	job_join(t, &j, "vm_map_stack");
	CHECK(blocked);
	CHECK_KERN(j.rv, KERN_SUCCESS);
	fx_fini(&f);
}

/* ------------------------------------------------------------------ */
/* vm_map_growstack(9) */

static void stack_fixture(struct fx *f)
{
	struct bsdvm_stackinfo si = { GROW, STK_BOS, STK_TOP };

	fx_init(f, UMIN, UMAX, 0);
	CHECK_KERN(vm_map_stack(f->map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN),
	    KERN_SUCCESS);
	bsdvm_vmspace_set_stackinfo(f->vm, &si);
}

static void test_growstack_grows_to_addr(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct bsdvm_stackinfo si;
	const vm_offset_t want = STK_BOS + 0x50000;

	stack_fixture(&f);
	CHECK(query(f.map, want, &r) && (r.eflags & MAP_ENTRY_GUARD));
	CHECK_KERN(vm_map_growstack(f.p, want), KERN_SUCCESS);
	CHECK_MAP(f.map);
	/* addr is stack now, contiguous with the old stack, same rights */
	CHECK(query(f.map, want, &r));
	CHECK((r.eflags & MAP_ENTRY_GROWS_DOWN) && !(r.eflags & MAP_ENTRY_GUARD));
	CHECK(r.start <= want && r.end == STK_TOP - GROW);
	CHECK(r.protection == RW && r.max_protection == VM_PROT_ALL);
	/* grown in sgrowsiz steps */
	CHECK((STK_TOP - r.start) % GROW == 0);
	/* and the process's stack size follows */
	bsdvm_vmspace_get_stackinfo(f.vm, &si);
	CHECK_EQ_U64(si.ssize, STK_TOP - r.start);
	/* the memory is usable without another growth */
	CHECK_KERN(vm_fault(f.map, want, VM_PROT_WRITE), KERN_SUCCESS);
	fx_fini(&f);
}

static void test_growstack_grows_up(void)
{
	struct fx f;
	struct bsdvm_region r;
	const vm_offset_t want = STK_BOS + 0x90000;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, MAP_STACK_GROWS_UP),
	    KERN_SUCCESS);
	CHECK_KERN(vm_map_growstack(f.p, want), KERN_SUCCESS);
	CHECK(query(f.map, want, &r));
	CHECK((r.eflags & MAP_ENTRY_GROWS_UP) && r.start == STK_BOS + GROW && r.end > want);
	CHECK_MAP(f.map);
	fx_fini(&f);
}

static void test_growstack_already_mapped(void)
{
	struct fx f;
	char *before;

	stack_fixture(&f);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_growstack(f.p, STK_TOP - PG), KERN_SUCCESS);
	CHECK_KERN(vm_map_growstack(f.p, STK_TOP - GROW), KERN_SUCCESS);
	CHECK(unchanged(f.map, before));
	free(before);
	/* grown once, a second request for the same address changes nothing */
	CHECK_KERN(vm_map_growstack(f.p, STK_BOS + 0x40000), KERN_SUCCESS);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_growstack(f.p, STK_BOS + 0x40000), KERN_SUCCESS);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_growstack_outside_stack(void)
{
	struct fx f;
	char *before;
	vm_offset_t g = 0x900000;

	stack_fixture(&f);
	CHECK_KERN(map_at(f.map, 0x400000, 4 * PG), KERN_SUCCESS);
	/* a plain guard reservation is no stack either */
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &g, 4 * PG, 0, VMFS_NO_SPACE, VM_PROT_NONE,
	    VM_PROT_NONE, MAP_CREATE_GUARD), KERN_SUCCESS);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_growstack(f.p, 0x200000), KERN_SUCCESS);   /* unmapped */
	CHECK_KERN(vm_map_growstack(f.p, STK_TOP), KERN_SUCCESS);    /* just above */
	CHECK_KERN(vm_map_growstack(f.p, STK_BOS - PG), KERN_SUCCESS); /* just below */
	CHECK_KERN(vm_map_growstack(f.p, 0x401000), KERN_SUCCESS);  /* ordinary memory */
	CHECK_KERN(vm_map_growstack(f.p, 0x901000), KERN_SUCCESS);  /* a plain guard */
	CHECK_KERN(vm_map_growstack(f.p, UMAX + PG), KERN_SUCCESS); /* outside the map */
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_growstack_refused(void)
{
	struct fx f;
	struct bsdvm_rlimits lim = { 4 * GROW, BSDVM_RLIM_INFINITY, BSDVM_RLIM_INFINITY };
	char *before;

	stack_fixture(&f);
	before = test_map_listing(f.map);
	/* the guard page at the far end never becomes stack */
	CHECK_KERN(vm_map_growstack(f.p, STK_BOS), KERN_NO_SPACE);
	CHECK(unchanged(f.map, before));
	/* RLIMIT_STACK: 512 KiB of main stack at most */
	bsdvm_proc_set_limits(f.p, &lim);
	CHECK_KERN(vm_map_growstack(f.p, STK_TOP - 5 * GROW), KERN_NO_SPACE);
	CHECK(unchanged(f.map, before));
	free(before);
	CHECK_KERN(vm_map_growstack(f.p, STK_TOP - 4 * GROW), KERN_SUCCESS);
	fx_fini(&f);
}

static void test_growstack_takes_proc_lock(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct job j = { .kind = JOB_GROWSTACK, .addr = STK_BOS + 0x40000 };
	pthread_t t;
	bool blocked;

	stack_fixture(&f);
	j.p = f.p;
	bsdvm_proc_lock(f.p);
	blocked = job_blocked(&t, &j);
	bsdvm_proc_unlock(f.p);
	job_join(t, &j, "vm_map_growstack");
	CHECK(blocked);
	CHECK_KERN(j.rv, KERN_SUCCESS);
	CHECK(query(f.map, STK_BOS + 0x40000, &r) && (r.eflags & MAP_ENTRY_GROWS_DOWN));
	/* the process lock is free again afterwards (taken and released) */
	bsdvm_proc_lock(f.p);
	bsdvm_proc_unlock(f.p);
	fx_fini(&f);
}

/* ------------------------------------------------------------------ */
/* vm_map_find(9) */

static void test_find_length(void)
{
	struct fx f;
	struct bsdvm_region r;
	vm_offset_t a = UMIN;
	const vm_size_t lens[] = { PG, 3 * PG, 0x10000, 5 * SP + PG };

	fx_init(&f, UMIN, UMAX, 0);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		a = UMIN;
		CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, lens[i], 0, VMFS_ANY_SPACE, RW,
		    VM_PROT_ALL, 0), KERN_SUCCESS);
		/* mapped from a for exactly lens[i] bytes (it may have merged
		 * with the previous one, which ends at a) */
		CHECK(query(f.map, a, &r));
		CHECK(r.start <= a && r.end >= a + lens[i]);
		CHECK(!query(f.map, a + lens[i], &r) || r.start == a + lens[i]);
	}
	CHECK_MAP(f.map);
	fx_fini(&f);
}

static void test_find_maps_object(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct vm_object *obj;
	vm_offset_t a = UMIN, b = UMIN;
	const char msg[] = "object contents";
	char buf[sizeof(msg)] = { 0 };

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(bsdvm_object_anon(f.sys, 8 * PG, &obj), KERN_SUCCESS);
	bsdvm_object_reference(obj);
	CHECK_KERN(vm_map_find(f.map, obj, 0, &a, 8 * PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL,
	    MAP_INHERIT_SHARE), KERN_SUCCESS);
	CHECK(query(f.map, a, &r) && r.object == obj && r.offset == 0);
	/* a second mapping of the same object sees the same pages */
	bsdvm_object_reference(obj);
	CHECK_KERN(vm_map_find(f.map, obj, 2 * PG, &b, 2 * PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL,
	    0), KERN_SUCCESS);
	CHECK(query(f.map, b, &r) && r.object == obj && r.offset == 2 * PG);
	CHECK_KERN(bsdvm_copyout(f.vm, msg, a + 2 * PG + 16, sizeof(msg), NULL), KERN_SUCCESS);
	CHECK_KERN(bsdvm_copyin(f.vm, b + 16, buf, sizeof(buf), NULL), KERN_SUCCESS);
	CHECK(memcmp(buf, msg, sizeof(msg)) == 0);
	bsdvm_object_deallocate(obj);
	fx_fini(&f);
}

static void test_find_passes_attrs(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct vm_object *obj;
	vm_offset_t a = UMIN;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(bsdvm_object_anon(f.sys, 16 * PG, &obj), KERN_SUCCESS);
	bsdvm_object_reference(obj);
	CHECK_KERN(vm_map_find(f.map, obj, 3 * PG, &a, 4 * PG, 0, VMFS_ANY_SPACE, VM_PROT_READ, RX,
	    MAP_COPY_ON_WRITE | MAP_DISABLE_COREDUMP | MAP_DISABLE_SYNCER), KERN_SUCCESS);
	CHECK(query(f.map, a, &r));
	CHECK(r.object == obj && r.offset == 3 * PG);
	CHECK(r.protection == VM_PROT_READ && r.max_protection == RX);
	CHECK((r.eflags & MAP_ENTRY_COW) && (r.eflags & MAP_ENTRY_NEEDS_COPY));
	CHECK((r.eflags & MAP_ENTRY_NOCOREDUMP) && (r.eflags & MAP_ENTRY_NOSYNC));
	CHECK(r.inheritance == VM_INHERIT_COPY);
	bsdvm_object_deallocate(obj); /* the mapping keeps its own */
	/* MAP_INHERIT_SHARE and MAP_NOFAULT */
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 2 * PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL,
	    MAP_INHERIT_SHARE | MAP_NOFAULT), KERN_SUCCESS);
	CHECK(query(f.map, a, &r));
	CHECK(r.inheritance == VM_INHERIT_SHARE && (r.eflags & MAP_ENTRY_NOFAULT));
	CHECK(!(r.eflags & MAP_ENTRY_COW) && r.object == NULL);
	/* MAP_CREATE_GUARD: a reservation */
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 2 * PG, 0, VMFS_ANY_SPACE, VM_PROT_NONE,
	    VM_PROT_NONE, MAP_CREATE_GUARD), KERN_SUCCESS);
	CHECK(query(f.map, a, &r) && (r.eflags & MAP_ENTRY_GUARD));
	/* (FreeBSD) MAP_STACK_GROWS_DOWN: a stack reservation, as mmap(MAP_STACK) */
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, STK_MAX, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN), KERN_SUCCESS);
	CHECK(query(f.map, a + STK_MAX - PG, &r) && (r.eflags & MAP_ENTRY_GROWS_DOWN));
	CHECK(query(f.map, a, &r) && (r.eflags & MAP_ENTRY_STACK_GAP_DN));
	CHECK_MAP(f.map);
	fx_fini(&f);
}

static void test_find_iff_found(void)
{
	struct fx f;
	char *before;
	vm_offset_t a;

	fx_init(&f, UMIN, UMIN + 16 * PG, 0);
	CHECK_KERN(map_at(f.map, UMIN, 12 * PG), KERN_SUCCESS);
	before = test_map_listing(f.map);
	/* a region is found: insert sees prot above max and refuses */
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, VMFS_ANY_SPACE, VM_PROT_ALL,
	    VM_PROT_READ, 0), KERN_PROTECTION_FAILURE);
	CHECK(a == UMIN);
	/* no region: insert is never called, so its objections never arise */
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 8 * PG, 0, VMFS_ANY_SPACE, VM_PROT_ALL,
	    VM_PROT_READ, 0), KERN_NO_SPACE);
	a = UMIN + 4 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 2 * PG, 0, VMFS_NO_SPACE, VM_PROT_ALL,
	    VM_PROT_READ, 0), KERN_NO_SPACE);
	CHECK(a == UMIN + 4 * PG);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

/* Entries referencing obj. */
struct obj_count {
	struct vm_object *obj;
	unsigned n;
};

static int count_obj(void *arg, const struct bsdvm_region *r)
{
	struct obj_count *c = arg;

	if (r->object == c->obj)
		c->n++;
	return 0;
}

static unsigned entries_of(vm_map_t map, struct vm_object *obj)
{
	struct obj_count c = { obj, 0 };

	bsdvm_map_foreach(map, count_obj, &c);
	return c.n;
}

static void test_find_object_reference(void)
{
	struct fx f;
	struct vm_object *obj;
	struct bsdvm_sys_stats st;
	vm_offset_t a = UMIN, b;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(bsdvm_object_anon(f.sys, 16 * PG, &obj), KERN_SUCCESS);
	CHECK(bsdvm_object_refcount(obj) == 1);
	/* the caller adds the entry's reference; the call keeps it */
	bsdvm_object_reference(obj);
	CHECK_KERN(vm_map_find(f.map, obj, 0, &a, 4 * PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_SUCCESS);
	CHECK(bsdvm_object_refcount(obj) == 2);
	/* the next part of the object right after: may merge, counts stay right */
	bsdvm_object_reference(obj);
	b = a + 4 * PG;
	CHECK_KERN(vm_map_find(f.map, obj, 4 * PG, &b, 4 * PG, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL,
	    0), KERN_SUCCESS);
	CHECK(bsdvm_object_refcount(obj) == 1 + entries_of(f.map, obj));
	/* a failed call leaves the caller's reference with the caller */
	bsdvm_object_reference(obj);
	b = a;
	CHECK_KERN(vm_map_find(f.map, obj, 0, &b, 4 * PG, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_NO_SPACE);
	CHECK(bsdvm_object_refcount(obj) == 2 + entries_of(f.map, obj));
	bsdvm_object_deallocate(obj);
	/* removing the mappings drops their references */
	CHECK_KERN(vm_map_remove(f.map, a, a + 8 * PG), KERN_SUCCESS);
	CHECK(bsdvm_object_refcount(obj) == 1);
	bsdvm_sys_get_stats(f.sys, &st);
	CHECK(st.objects == 1);
	bsdvm_object_deallocate(obj);
	bsdvm_sys_get_stats(f.sys, &st);
	CHECK(st.objects == 0);
	fx_fini(&f);
}

static void test_find_max_addr(void)
{
	struct fx f;
	char *before;
	vm_offset_t a;

	fx_init(&f, UMIN, UMAX, 0);
	/* ending exactly at max_addr is entirely below it */
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, UMIN + 4 * PG, VMFS_ANY_SPACE, RW,
	    VM_PROT_ALL, 0), KERN_SUCCESS);
	CHECK(a == UMIN);
	/* the next free region would cross max_addr */
	before = test_map_listing(f.map);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, UMIN + 7 * PG, VMFS_ANY_SPACE, RW,
	    VM_PROT_ALL, 0), KERN_NO_SPACE);
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, UMIN + 4 * PG, VMFS_ANY_SPACE, RW,
	    VM_PROT_ALL, 0), KERN_NO_SPACE);
	/* with VMFS_NO_SPACE too */
	a = UMIN + 8 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, UMIN + 11 * PG, VMFS_NO_SPACE, RW,
	    VM_PROT_ALL, 0), KERN_NO_SPACE);
	/* and with alignment */
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, SP, VMFS_SUPER_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_NO_SPACE);
	CHECK(unchanged(f.map, before));
	free(before);
	a = UMIN + 8 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, UMIN + 12 * PG, VMFS_NO_SPACE, RW,
	    VM_PROT_ALL, 0), KERN_SUCCESS);
	/* 0: no bound at all - the top of the map is reachable */
	a = UMAX - 4 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_SUCCESS);
	CHECK(a == UMAX - 4 * PG);
	/* a bound above the map is the map's end */
	a = UMAX - 8 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, UMAX + SP, VMFS_ANY_SPACE, RW,
	    VM_PROT_ALL, 0), KERN_SUCCESS);
	CHECK(a == UMAX - 8 * PG);
	fx_fini(&f);
}

static void test_find_at_or_above_addr(void)
{
	struct fx f;
	const int strategies[] = { VMFS_ANY_SPACE, VMFS_OPTIMAL_SPACE, VMFS_SUPER_SPACE,
		VMFS_ALIGNED_SPACE(16) };
	vm_offset_t a;

	fx_init(&f, UMIN, UMAX, 0);
	/* plenty of room below the hint; none of it is used */
	for (size_t i = 0; i < sizeof(strategies) / sizeof(strategies[0]); i++) {
		const vm_offset_t hint = 0x10000000 + (vm_offset_t)i * 0x1000000 + 5 * PG;

		a = hint;
		CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, strategies[i], RW,
		    VM_PROT_ALL, 0), KERN_SUCCESS);
		CHECK(a >= hint);
		CHECK(a - hint < SP);
	}
	fx_fini(&f);
}

static void test_find_no_space(void)
{
	struct fx f;
	struct bsdvm_region r;
	char *before;
	vm_offset_t a;

	fx_init(&f, UMIN, UMAX, 0);
	/* exactly at *addr, even though lower space is free */
	a = 0x500000 + 3 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_SUCCESS);
	CHECK(a == 0x500000 + 3 * PG);
	CHECK(query(f.map, a, &r) && r.start == a && r.end == a + 4 * PG);
	before = test_map_listing(f.map);
	/* *addr itself mapped */
	a = 0x500000 + 5 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_NO_SPACE);
	CHECK(a == 0x500000 + 5 * PG);
	/* *addr free but the region is too short */
	a = 0x500000;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_NO_SPACE);
	CHECK(a == 0x500000);
	CHECK(unchanged(f.map, before));
	free(before);
	/* the exact hole left is usable */
	a = 0x500000;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 3 * PG, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_SUCCESS);
	/* (FreeBSD) MAP_REMAP with VMFS_NO_SPACE replaces what is there */
	a = 0x500000 + 2 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 2 * PG, 0, VMFS_NO_SPACE, VM_PROT_READ,
	    VM_PROT_ALL, MAP_REMAP), KERN_SUCCESS);
	CHECK(query(f.map, 0x500000 + 3 * PG, &r) && r.protection == VM_PROT_READ);
	CHECK_MAP(f.map);
	fx_fini(&f);
}

static void test_find_any_space(void)
{
	struct fx f;
	vm_offset_t a;

	/* a map with exactly one hole of 3 pages, somewhere in the middle */
	fx_init(&f, UMIN, UMIN + 64 * PG, 0);
	CHECK_KERN(map_at(f.map, UMIN, 40 * PG), KERN_SUCCESS);
	CHECK_KERN(map_at(f.map, UMIN + 43 * PG, 21 * PG), KERN_SUCCESS);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 3 * PG, 0, VMFS_ANY_SPACE, VM_PROT_READ,
	    VM_PROT_ALL, 0), KERN_SUCCESS);
	CHECK(a == UMIN + 40 * PG);
	CHECK(bsdvm_map_largest_gap(f.map) == 0);
	fx_fini(&f);
}

static void test_find_super_space(void)
{
	struct fx f;
	vm_offset_t a;
	char *before;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK(bsdvm_map_superpage_size(f.map) == SP);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, VMFS_SUPER_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_SUCCESS);
	CHECK(a == SP); /* the first boundary at or above UMIN */
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, SP + PG, 0, VMFS_SUPER_SPACE, RW, VM_PROT_ALL,
	    0), KERN_SUCCESS);
	CHECK(a == 2 * SP);
	fx_fini(&f);

	/* room enough, but no superpage boundary inside the map */
	fx_init(&f, UMIN, UMIN + 0xf0000, 0);
	before = test_map_listing(f.map);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, VMFS_SUPER_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_NO_SPACE);
	CHECK(a == UMIN);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_find_super_space_object(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct vm_object *big, *small;
	vm_offset_t a;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(bsdvm_object_anon(f.sys, 2 * SP, &big), KERN_SUCCESS);
	CHECK_KERN(bsdvm_object_anon(f.sys, SP / 2, &small), KERN_SUCCESS);
	/* backed by superpages: start and offset agree modulo the superpage */
	bsdvm_object_reference(big);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, big, 5 * PG, &a, SP / 2, 0, VMFS_SUPER_SPACE, RW,
	    VM_PROT_ALL, 0), KERN_SUCCESS);
	CHECK(a % SP == 5 * PG);
	CHECK(a == SP + 5 * PG); /* the first such address at or above UMIN */
	CHECK(query(f.map, a, &r) && r.object == big && r.offset == 5 * PG);
	/* the same offset modulo the superpage, further into the object */
	bsdvm_object_reference(big);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, big, SP + 7 * PG, &a, 4 * PG, 0, VMFS_SUPER_SPACE, RW,
	    VM_PROT_ALL, 0), KERN_SUCCESS);
	CHECK(a % SP == 7 * PG);
	/* not backed by superpages: plain boundary */
	bsdvm_object_reference(small);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, small, 5 * PG, &a, 4 * PG, 0, VMFS_SUPER_SPACE, RW,
	    VM_PROT_ALL, 0), KERN_SUCCESS);
	CHECK(a % SP == 0);
	bsdvm_object_deallocate(big);
	bsdvm_object_deallocate(small);
	fx_fini(&f);
}

static void test_find_optimal_fallback(void)
{
	struct fx f;
	struct vm_object *big;
	vm_offset_t a;

	/* no superpage boundary anywhere in the map: still succeeds */
	fx_init(&f, UMIN, UMIN + 0xf0000, 0);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, VMFS_OPTIMAL_SPACE, RW, VM_PROT_ALL,
	    0), KERN_SUCCESS);
	CHECK(a == UMIN);
	CHECK_KERN(bsdvm_object_anon(f.sys, 2 * SP, &big), KERN_SUCCESS);
	bsdvm_object_reference(big);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, big, 3 * PG, &a, 4 * PG, 0, VMFS_OPTIMAL_SPACE, RW,
	    VM_PROT_ALL, 0), KERN_SUCCESS);
	CHECK(a == UMIN + 4 * PG); /* first fit after the first mapping */
	bsdvm_object_deallocate(big);
	fx_fini(&f);
}

static void test_find_optimal_no_object(void)
{
	struct fx f;
	struct vm_object *small;
	vm_offset_t a;

	/* no object backed by superpages: nothing to align to, so first fit
	 * from *addr as for any space (FreeBSD downgrades to VMFS_ANY_SPACE) */
	fx_init(&f, UMIN, UMAX, 0);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, VMFS_OPTIMAL_SPACE, RW, VM_PROT_ALL,
	    0), KERN_SUCCESS);
	CHECK_EQ_U64(a, UMIN);
	CHECK_KERN(bsdvm_object_anon(f.sys, SP / 2, &small), KERN_SUCCESS);
	bsdvm_object_reference(small);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, small, 0, &a, 4 * PG, 0, VMFS_OPTIMAL_SPACE, RW, VM_PROT_ALL,
	    0), KERN_SUCCESS);
	CHECK_EQ_U64(a, UMIN + 4 * PG);
	bsdvm_object_deallocate(small);
	fx_fini(&f);
}

static void test_find_optimal_object(void)
{
	struct fx f;
	struct vm_object *big;
	vm_offset_t a;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(bsdvm_object_anon(f.sys, 2 * SP, &big), KERN_SUCCESS);
	bsdvm_object_reference(big);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, big, 9 * PG, &a, SP, 0, VMFS_OPTIMAL_SPACE, RW, VM_PROT_ALL,
	    0), KERN_SUCCESS);
	CHECK(a % SP == 9 * PG);
	CHECK(a == SP + 9 * PG);
	bsdvm_object_deallocate(big);
	fx_fini(&f);
}

static void test_find_aligned_space(void)
{
	struct fx f;
	struct bsdvm_region r;
	vm_offset_t a;
	char *before;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(map_at(f.map, UMIN, PG), KERN_SUCCESS);
	for (unsigned n = 12; n <= 30; n++) {
		a = UMIN;
		CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, 0, VMFS_ALIGNED_SPACE(n), RW,
		    VM_PROT_ALL, 0), KERN_SUCCESS);
		CHECK(a % ((vm_offset_t)1 << n) == 0);
		/* the lowest such address: the boundary before it is taken */
		CHECK(a < UMIN + ((vm_offset_t)1 << n) || query(f.map, a - ((vm_offset_t)1 << n), &r));
	}
	/* below the page size every page boundary qualifies */
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, 0, VMFS_ALIGNED_SPACE(4), RW, VM_PROT_ALL,
	    0), KERN_SUCCESS);
	CHECK(a % 16 == 0 && a >= UMIN + PG);
	/* 2^32 does not fit in a map that ends at 4 GiB */
	before = test_map_listing(f.map);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, 0, VMFS_ALIGNED_SPACE(32), RW, VM_PROT_ALL,
	    0), KERN_NO_SPACE);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_find_takes_map_lock(void)
{
	struct fx f;
	struct job j = { .kind = JOB_FIND, .addr = UMIN };
	pthread_t t;
	bool blocked;
	uint64_t ts;
	vm_offset_t a = UMIN;

	fx_init(&f, UMIN, UMAX, 0);
	j.map = f.map;
	/* another thread holds the lock: vm_map_find waits for it */
	vm_map_lock(f.map);
	blocked = job_blocked(&t, &j);
	vm_map_unlock(f.map);
	job_join(t, &j, "vm_map_find");
	CHECK(blocked);
	CHECK_KERN(j.rv, KERN_SUCCESS);
	/* a reader is enough to hold it off too */
	j.done = 0;
	j.started = 0;
	vm_map_lock_read(f.map);
	blocked = job_blocked(&t, &j);
	vm_map_unlock_read(f.map);
	job_join(t, &j, "vm_map_find");
	CHECK(blocked);
	/* one exclusive acquisition for the whole call, released on return */
	ts = bsdvm_map_timestamp(f.map);
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_SUCCESS);
	CHECK_EQ_U64(bsdvm_map_timestamp(f.map), ts + 1);
	CHECK(vm_map_trylock(f.map));
	vm_map_unlock(f.map);
	fx_fini(&f);
}

static void test_find_first_fit(void)
{
	struct fx f;
	vm_offset_t a;
	int topdown;

	for (topdown = 0; topdown <= 1; topdown++) {
		fx_init(&f, UMIN, UMAX, topdown ? BSDVM_MAP_TOPDOWN : 0);
		/* holes of 1 page at +4, 2 pages at +8, then free from +14 */
		CHECK_KERN(map_at(f.map, UMIN, 4 * PG), KERN_SUCCESS);
		CHECK_KERN(map_at(f.map, UMIN + 5 * PG, 3 * PG), KERN_SUCCESS);
		CHECK_KERN(map_at(f.map, UMIN + 10 * PG, 4 * PG), KERN_SUCCESS);
		a = UMIN;
		CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 2 * PG, 0, VMFS_ANY_SPACE, VM_PROT_READ,
		    VM_PROT_ALL, 0), KERN_SUCCESS);
		CHECK_EQ_U64(a, UMIN + 8 * PG);
		a = UMIN;
		CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, 0, VMFS_ANY_SPACE, VM_PROT_READ,
		    VM_PROT_ALL, 0), KERN_SUCCESS);
		CHECK_EQ_U64(a, UMIN + 4 * PG);
		/* from inside a mapping: the first fit after it */
		a = UMIN + 2 * PG;
		CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, 0, VMFS_ANY_SPACE, VM_PROT_READ,
		    VM_PROT_ALL, 0), KERN_SUCCESS);
		CHECK_EQ_U64(a, UMIN + 14 * PG);
		/* from inside a hole: that very address */
		a = UMIN + 20 * PG;
		CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, 0, VMFS_ANY_SPACE, VM_PROT_READ,
		    VM_PROT_ALL, 0), KERN_SUCCESS);
		CHECK_EQ_U64(a, UMIN + 20 * PG);
		/* *addr below the map: from the map's start */
		a = 0;
		CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, 0, VMFS_ANY_SPACE, VM_PROT_READ,
		    VM_PROT_ALL, 0), KERN_SUCCESS);
		CHECK_EQ_U64(a, UMIN + 15 * PG);
		fx_fini(&f);
	}
}

static void test_find_no_space_found(void)
{
	struct fx f;
	char *before;
	vm_offset_t a;

	fx_init(&f, UMIN, UMIN + 16 * PG, 0);
	CHECK_KERN(map_at(f.map, UMIN + 4 * PG, 4 * PG), KERN_SUCCESS);
	before = test_map_listing(f.map);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 9 * PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_NO_SPACE);
	/* 8 pages are free above UMIN + 8 pages, but not above *addr */
	a = UMIN + 9 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 8 * PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_NO_SPACE);
	CHECK(a == UMIN + 9 * PG);
	/* *addr at or beyond the end of the map */
	a = UMIN + 16 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_NO_SPACE);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 64 * PG, 0, VMFS_OPTIMAL_SPACE, RW, VM_PROT_ALL,
	    0), KERN_NO_SPACE);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_find_bogus_range(void)
{
	struct fx f;
	char *before;
	vm_offset_t a;

	fx_init(&f, UMIN, UMAX, 0);
	before = test_map_listing(f.map);
	/* at *addr, but *addr is not in the map */
	a = UMIN - 4 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ADDRESS);
	a = UMAX - 2 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ADDRESS);
	/* an empty range */
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 0, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ADDRESS);
	a = UMIN;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 0, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ADDRESS);
	/* a range that wraps around the top of the address space */
	a = (vm_offset_t)0 - 2 * PG;
	CHECK_KERN(vm_map_find(f.map, NULL, 0, &a, 4 * PG, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ADDRESS);
	CHECK(a == (vm_offset_t)0 - 2 * PG);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

/* ------------------------------------------------------------------ */
/* vm_map_findspace(9) */

static void test_findspace_finds(void)
{
	struct fx f;
	vm_offset_t a = 0;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(map_at(f.map, UMIN + 4 * PG, 4 * PG), KERN_SUCCESS);
	vm_map_lock(f.map);
	CHECK(vm_map_findspace(f.map, UMIN, 4 * PG, &a) == 0);
	CHECK_EQ_U64(a, UMIN);
	CHECK(vm_map_findspace(f.map, UMIN, 5 * PG, &a) == 0);
	CHECK_EQ_U64(a, UMIN + 8 * PG);
	CHECK(vm_map_findspace(f.map, UMIN + 5 * PG, PG, &a) == 0);
	CHECK_EQ_U64(a, UMIN + 8 * PG);
	CHECK(vm_map_findspace(f.map, UMIN + 2 * PG, 2 * PG, &a) == 0);
	CHECK_EQ_U64(a, UMIN + 2 * PG);
	CHECK(vm_map_findspace(f.map, 0, PG, &a) == 0);
	CHECK_EQ_U64(a, UMIN);
	/* the region really is free: insert accepts it */
	CHECK(vm_map_findspace(f.map, UMIN + PG, 3 * PG, &a) == 0);
	CHECK_KERN(vm_map_insert(f.map, NULL, 0, a, a + 3 * PG, RW, VM_PROT_ALL, 0), KERN_SUCCESS);
	vm_map_unlock(f.map);
	/* findspace does not map anything itself */
	CHECK(nentries(f.map) == 1); /* insert merged with its neighbour */
	fx_fini(&f);
}

static void test_findspace_fails(void)
{
	struct fx f;
	vm_offset_t a = 0x1234000;
	char *before;

	fx_init(&f, UMIN, UMIN + 16 * PG, 0);
	CHECK_KERN(map_at(f.map, UMIN + 4 * PG, 4 * PG), KERN_SUCCESS);
	before = test_map_listing(f.map);
	vm_map_lock(f.map);
	CHECK(vm_map_findspace(f.map, UMIN, 9 * PG, &a) == 1);
	CHECK(vm_map_findspace(f.map, UMIN + 9 * PG, 8 * PG, &a) == 1);
	CHECK(vm_map_findspace(f.map, UMIN + 16 * PG, PG, &a) == 1);
	CHECK(vm_map_findspace(f.map, (vm_offset_t)0 - PG, PG, &a) == 1);
	CHECK(vm_map_findspace(f.map, UMIN, (vm_size_t)0 - PG, &a) == 1);
	vm_map_unlock(f.map);
	CHECK(a == 0x1234000); /* *addr is left alone */
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_findspace_caller_locks(void)
{
	struct fx f;
	struct job j = { .kind = JOB_FINDSPACE_X, .addr = UMIN };
	pthread_t t;
	uint64_t ts;

	fx_init(&f, UMIN, UMAX, 0);
	j.map = f.map;
	/* under the caller's exclusive lock: it must not try to take it again */
	if (pthread_create(&t, NULL, job_run, &j) != 0)
		exit(2);
	job_join(t, &j, "vm_map_findspace under the exclusive lock");
	CHECK(j.rv == 0 && j.out == UMIN);
	/* under a read lock, and without any exclusive acquisition */
	ts = bsdvm_map_timestamp(f.map);
	j.kind = JOB_FINDSPACE_R;
	j.done = 0;
	if (pthread_create(&t, NULL, job_run, &j) != 0)
		exit(2);
	job_join(t, &j, "vm_map_findspace under the read lock");
	CHECK(j.rv == 0 && j.out == UMIN);
	CHECK_EQ_U64(bsdvm_map_timestamp(f.map), ts);
	fx_fini(&f);
}

/* A pmap that is the software pmap except that it records growkernel. */
static struct pmap_ops rec_ops;
static atomic_uint growkernel_calls;
static _Atomic uint64_t growkernel_end;
static atomic_int growkernel_bad_ctx;

static void rec_growkernel(void *ctx, bsdvm_addr_t end)
{
	if (ctx != (void *)bsdvm_platform_default())
		atomic_store(&growkernel_bad_ctx, 1);
	atomic_fetch_add(&growkernel_calls, 1);
	atomic_store(&growkernel_end, end);
	pmap_soft_ops()->growkernel(ctx, end);
}

static void test_findspace_growkernel(void)
{
	struct bsdvm_sys *sys;
	struct vmspace *uvm;
	vm_map_t kmap, umap;
	vm_offset_t kmin, a, top;

	rec_ops = *pmap_soft_ops();
	rec_ops.growkernel = rec_growkernel;
	atomic_store(&growkernel_calls, 0);
	sys = sys_new(&rec_ops);
	kmap = bsdvm_vmspace_map(bsdvm_sys_kernel(sys));
	kmin = vm_map_min(kmap);
	top = bsdvm_sys_kernel_vm_end(sys);
	CHECK(top > kmin);
	CHECK(atomic_load(&growkernel_calls) == 0);

	/* a user map never grows the kernel, wherever the range is */
	CHECK_KERN(bsdvm_vmspace_create(sys, UMIN, (bsdvm_addr_t)1 << 47, 0, &uvm), KERN_SUCCESS);
	umap = bsdvm_vmspace_map(uvm);
	vm_map_lock(umap);
	CHECK(vm_map_findspace(umap, ((bsdvm_addr_t)1 << 46), 64 * SP, &a) == 0);
	vm_map_unlock(umap);
	CHECK(atomic_load(&growkernel_calls) == 0);
	bsdvm_vmspace_free(uvm);

	/* the kernel map, below its current top: space remains, no growth */
	vm_map_lock(kmap);
	CHECK(vm_map_findspace(kmap, kmin, PG, &a) == 0);
	CHECK(a + PG <= top);
	CHECK(atomic_load(&growkernel_calls) == 0);
	/* past the top: grown, to at least the end of the range */
	CHECK(vm_map_findspace(kmap, top + 16 * SP, 4 * PG, &a) == 0);
	CHECK_EQ_U64(a, top + 16 * SP);
	CHECK(atomic_load(&growkernel_calls) == 1);
	CHECK(atomic_load(&growkernel_end) >= a + 4 * PG);
	vm_map_unlock(kmap);
	CHECK(bsdvm_sys_kernel_vm_end(sys) >= a + 4 * PG);
	CHECK(!atomic_load(&growkernel_bad_ctx));
	/* the same range again: nothing left to grow */
	vm_map_lock(kmap);
	CHECK(vm_map_findspace(kmap, top + 16 * SP, 4 * PG, &a) == 0);
	vm_map_unlock(kmap);
	CHECK(atomic_load(&growkernel_calls) == 1);
	/* a failed search grows nothing */
	vm_map_lock(kmap);
	CHECK(vm_map_findspace(kmap, vm_map_max(kmap) - PG, 2 * PG, &a) == 1);
	vm_map_unlock(kmap);
	CHECK(atomic_load(&growkernel_calls) == 1);
	/* vm_map_find on the kernel map goes through the same rule */
	a = bsdvm_sys_kernel_vm_end(sys) + SP;
	CHECK_KERN(vm_map_find(kmap, NULL, 0, &a, PG, 0, VMFS_ANY_SPACE, RW, RW, 0), KERN_SUCCESS);
	CHECK(atomic_load(&growkernel_calls) == 2);
	CHECK(bsdvm_sys_kernel_vm_end(sys) >= a + PG);
	CHECK_KERN(vm_map_remove(kmap, a, a + PG), KERN_SUCCESS);
	bsdvm_sys_destroy(sys);
}

/* ------------------------------------------------------------------ */
/* Bad arguments */

static void test_errors_find(void)
{
	struct fx f;
	struct vm_object *obj;
	char *before;
	vm_offset_t a;
	struct {
		vm_offset_t addr;
		vm_size_t len;
		vm_offset_t max_addr;
		int find_space;
		vm_prot_t prot, max;
		int cow;
		bool with_object;
		int want;
	} cases[] = {
		{ UMIN, PG + 1, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0, false, KERN_INVALID_ARGUMENT },
		{ UMIN + 1, PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0, false, KERN_INVALID_ARGUMENT },
		{ UMIN + 1, PG, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, 0, false, KERN_INVALID_ARGUMENT },
		{ UMIN, PG, UMAX + 1, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0, false, KERN_INVALID_ARGUMENT },
		{ UMIN, 0, 0, VMFS_SUPER_SPACE, RW, VM_PROT_ALL, 0, false, KERN_INVALID_ADDRESS },
		/* a length of 0 is KERN_INVALID_ADDRESS for a stack too, with
		 * or without a search */
		{ UMIN, 0, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN, false,
		  KERN_INVALID_ADDRESS },
		{ UMIN, 0, 0, VMFS_NO_SPACE, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN, false,
		  KERN_INVALID_ADDRESS },
		{ UMIN, PG, 0, 4, RW, VM_PROT_ALL, 0, false, KERN_INVALID_ARGUMENT },
		{ UMIN, PG, 0, -1, RW, VM_PROT_ALL, 0, false, KERN_INVALID_ARGUMENT },
		{ UMIN, PG, 0, VMFS_ALIGNED_SPACE(16) | 1, RW, VM_PROT_ALL, 0, false,
		  KERN_INVALID_ARGUMENT },
		{ UMIN, PG, 0, VMFS_ALIGNED_SPACE(64), RW, VM_PROT_ALL, 0, false,
		  KERN_INVALID_ARGUMENT },
		{ UMIN, PG, 0, VMFS_ANY_SPACE, 0x08, VM_PROT_ALL, 0, false, KERN_INVALID_ARGUMENT },
		{ UMIN, PG, 0, VMFS_ANY_SPACE, RW, 0x10, 0, false, KERN_INVALID_ARGUMENT },
		{ UMIN, PG, 0, VMFS_ANY_SPACE, VM_PROT_ALL, VM_PROT_READ, 0, false,
		  KERN_PROTECTION_FAILURE },
		{ UMIN, PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0x10000000, false,
		  KERN_INVALID_ARGUMENT },
		{ UMIN, PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL,
		  MAP_STACK_GROWS_DOWN | MAP_STACK_GROWS_UP, false, KERN_INVALID_ARGUMENT },
		{ UMIN, STK_MAX, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, MAP_STACK_GROWS_DOWN, true,
		  KERN_INVALID_ARGUMENT },
		{ UMIN, PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, MAP_REMAP, false,
		  KERN_INVALID_ARGUMENT },
		{ UMIN, PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, MAP_CREATE_GUARD, false,
		  KERN_INVALID_ARGUMENT },
		{ UMIN, PG, 0, VMFS_ANY_SPACE, VM_PROT_NONE, VM_PROT_NONE, MAP_CREATE_GUARD, true,
		  KERN_INVALID_ARGUMENT },
		{ UMIN, PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0, true, KERN_SUCCESS },
	};

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(bsdvm_object_anon(f.sys, 4 * PG, &obj), KERN_SUCCESS);
	CHECK_KERN(map_at(f.map, UMIN + 8 * PG, PG), KERN_SUCCESS);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_find(NULL, NULL, 0, &a, PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_find(f.map, NULL, 0, NULL, PG, 0, VMFS_ANY_SPACE, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ARGUMENT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rv;

		a = cases[i].addr;
		if (cases[i].with_object)
			bsdvm_object_reference(obj);
		rv = vm_map_find(f.map, cases[i].with_object ? obj : NULL, 0, &a, cases[i].len,
		    cases[i].max_addr, cases[i].find_space, cases[i].prot, cases[i].max,
		    cases[i].cow);
		if (rv != cases[i].want)
			fprintf(stderr, "vm_map_find case %zu:\n", i);
		CHECK_KERN(rv, cases[i].want);
		if (rv != KERN_SUCCESS) {
			CHECK(a == cases[i].addr);
			CHECK(unchanged(f.map, before));
			if (cases[i].with_object)
				bsdvm_object_deallocate(obj);
		}
	}
	/* the reference of the one success went to the map */
	CHECK(bsdvm_object_refcount(obj) == 2);
	bsdvm_object_deallocate(obj);
	free(before);
	fx_fini(&f);
}

static void test_errors_findspace(void)
{
	struct fx f;
	vm_offset_t a = 0x7000;

	fx_init(&f, UMIN, UMAX, 0);
	vm_map_lock(f.map);
	CHECK(vm_map_findspace(NULL, UMIN, PG, &a) == 1);
	CHECK(vm_map_findspace(f.map, UMIN, PG, NULL) == 1);
	CHECK(vm_map_findspace(f.map, UMIN, 0, &a) == 1);
	CHECK(vm_map_findspace(f.map, UMIN, PG + 1, &a) == 1);
	CHECK(vm_map_findspace(f.map, UMIN + 1, PG, &a) == 1);
	CHECK(vm_map_findspace(f.map, UMIN, UMAX - UMIN + PG, &a) == 1);
	CHECK(vm_map_findspace(f.map, UMAX, PG, &a) == 1);
	vm_map_unlock(f.map);
	CHECK(a == 0x7000);
	CHECK(nentries(f.map) == 0);
	fx_fini(&f);
}

static void test_errors_stack(void)
{
	struct fx f;
	char *before;
	const int down = MAP_STACK_GROWS_DOWN;

	fx_init(&f, UMIN, UMAX, 0);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_stack(NULL, STK_BOS, STK_MAX, RW, VM_PROT_ALL, down),
	    KERN_INVALID_ARGUMENT);
	/* no direction, both directions, unknown flags */
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN | MAP_STACK_GROWS_UP), KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, down | 0x10000000),
	    KERN_INVALID_ARGUMENT);
	/* a guard or a replacement is no stack */
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, down | MAP_CREATE_GUARD),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, VM_PROT_ALL, down | MAP_REMAP),
	    KERN_INVALID_ARGUMENT);
	/* not larger than the guard */
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, PG, RW, VM_PROT_ALL, down),
	    KERN_INVALID_ARGUMENT);
	/* zero size: nothing to map (an empty range, as insert sees it) */
	CHECK(vm_map_stack(f.map, STK_BOS, 0, RW, VM_PROT_ALL, down) != KERN_SUCCESS);
	CHECK_KERN(vm_map_stack(f.map, STK_BOS, STK_MAX, RW, 0x80, down), KERN_INVALID_ARGUMENT);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_errors_growstack(void)
{
	struct fx f;
	char *before;

	stack_fixture(&f);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_growstack(NULL, STK_BOS + 0x40000), KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_growstack(f.p, (vm_offset_t)0 - 1), KERN_SUCCESS);
	CHECK(unchanged(f.map, before));
	free(before);
	/* an unaligned address inside the gap grows to cover it */
	CHECK_KERN(vm_map_growstack(f.p, STK_BOS + 0x40123), KERN_SUCCESS);
	CHECK_KERN(vm_fault(f.map, STK_BOS + 0x40000, VM_PROT_READ), KERN_SUCCESS);
	fx_fini(&f);
}

static void test_errors_insert(void)
{
	struct fx f;
	char *before;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(map_at(f.map, UMIN + 8 * PG, 4 * PG), KERN_SUCCESS);
	before = test_map_listing(f.map);
	CHECK_KERN(vm_map_insert(NULL, NULL, 0, UMIN, UMIN + PG, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ARGUMENT);
	vm_map_lock(f.map);
	CHECK_KERN(vm_map_insert(f.map, NULL, 0, UMIN + 1, UMIN + PG, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_insert(f.map, NULL, 0, UMIN + PG, UMIN, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_insert(f.map, NULL, 0, UMIN, UMIN, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ADDRESS);
	CHECK_KERN(vm_map_insert(f.map, NULL, 0, UMIN - PG, UMIN + PG, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ADDRESS);
	CHECK_KERN(vm_map_insert(f.map, NULL, 0, UMAX - PG, UMAX + PG, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ADDRESS);
	CHECK_KERN(vm_map_insert(f.map, NULL, 0, UMIN + 10 * PG, UMIN + 14 * PG, RW, VM_PROT_ALL,
	    0), KERN_NO_SPACE);
	CHECK_KERN(vm_map_insert(f.map, NULL, 0, UMIN, UMIN + PG, VM_PROT_ALL, RW, 0),
	    KERN_PROTECTION_FAILURE);
	CHECK_KERN(vm_map_insert(f.map, NULL, 0, UMIN, UMIN + PG, 0x40, VM_PROT_ALL, 0),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_insert(f.map, NULL, 0, UMIN, UMIN + PG, RW, VM_PROT_ALL, 0x40000000),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_insert(f.map, NULL, PG, UMIN, UMIN + PG, RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ARGUMENT);
	vm_map_unlock(f.map);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_errors_range_ops(void)
{
	struct fx f;
	char *before;
	const vm_offset_t s = UMIN + 8 * PG, e = UMIN + 12 * PG;
	vm_map_entry_t ent;

	fx_init(&f, UMIN, UMAX, 0);
	CHECK_KERN(map_at(f.map, s, 4 * PG), KERN_SUCCESS);
	before = test_map_listing(f.map);
	/* protect: unaligned, reversed, outside, unknown bits, above max,
	 * prot outside the new max, unknown flags */
	CHECK_KERN(vm_map_protect(f.map, s + 1, e, VM_PROT_READ, 0, VM_MAP_PROTECT_SET_PROT),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_protect(f.map, e, s, VM_PROT_READ, 0, VM_MAP_PROTECT_SET_PROT),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_protect(f.map, UMIN - PG, e, VM_PROT_READ, 0, VM_MAP_PROTECT_SET_PROT),
	    KERN_INVALID_ADDRESS);
	CHECK_KERN(vm_map_protect(f.map, s, e, 0x10, 0, VM_MAP_PROTECT_SET_PROT),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_protect(f.map, s, e, VM_PROT_ALL, VM_PROT_READ,
	    VM_MAP_PROTECT_SET_PROT | VM_MAP_PROTECT_SET_MAXPROT), KERN_OUT_OF_BOUNDS);
	CHECK_KERN(vm_map_protect(f.map, s, e, VM_PROT_READ, 0, 0x100), KERN_INVALID_ARGUMENT);
	/* remove: unaligned, reversed, outside */
	CHECK_KERN(vm_map_remove(f.map, s, e + 1), KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_remove(f.map, e, s), KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_remove(f.map, s, UMAX + PG), KERN_INVALID_ADDRESS);
	/* inherit: unknown value */
	CHECK_KERN(vm_map_inherit(f.map, s, e, 7), KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_inherit(f.map, s - 1, e, VM_INHERIT_SHARE), KERN_INVALID_ARGUMENT);
	/* madvise returns errno values; ENOMEM when the entries a split needs
	 * cannot be allocated (vm_map(9)) */
	CHECK(vm_map_madvise(f.map, s, e, 99) == EINVAL);
	CHECK(vm_map_madvise(f.map, s, UMAX + PG, BSDVM_MADV_RANDOM) == EINVAL);
	bsdvm_map_set_entry_cache(f.map, 0);
	bsdvm_alloc_fail_at(1);
	CHECK(vm_map_madvise(f.map, s + PG, e - PG, BSDVM_MADV_RANDOM) == ENOMEM);
	bsdvm_alloc_fail_at(0);
	/* wire / unwire */
	CHECK_KERN(vm_map_wire(f.map, s, e, 0x100), KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_wire(f.map, s - PG, e, VM_MAP_WIRE_SYSTEM), KERN_INVALID_ADDRESS);
	CHECK_KERN(vm_map_unwire(f.map, s, e, VM_MAP_WIRE_SYSTEM), KERN_INVALID_ARGUMENT);
	CHECK_KERN(vm_map_unwire(f.map, s, e, 0x100), KERN_INVALID_ARGUMENT);
	/* check_protection of malformed ranges is false */
	vm_map_lock_read(f.map);
	CHECK(!vm_map_check_protection(f.map, s + 1, e, VM_PROT_READ));
	CHECK(!vm_map_check_protection(f.map, e, s, VM_PROT_READ));
	CHECK(!vm_map_check_protection(f.map, s - PG, e, VM_PROT_READ));
	CHECK(vm_map_check_protection(f.map, s, e, RW));
	CHECK(!vm_map_lookup_entry(f.map, s - PG, &ent) && ent == NULL);
	CHECK(vm_map_lookup_entry(f.map, s + PG, &ent) && ent != NULL && ent->start == s);
	vm_map_unlock_read(f.map);
	CHECK(unchanged(f.map, before));
	free(before);
	/* vm_map_create: bad bounds give no map */
	CHECK(vm_map_create(NULL, UMAX, UMIN) == NULL);
	CHECK(vm_map_create(NULL, UMIN + 1, UMAX) == NULL);
	{
		vm_map_t m = vm_map_create(NULL, UMIN, UMAX);

		CHECK(m != NULL && vm_map_min(m) == UMIN && vm_map_max(m) == UMAX);
		if (m != NULL)
			vm_map_destroy(m);
	}
	fx_fini(&f);
}

/*
 * NULL maps.  The functions the pages name refuse them (checked above);
 * the vm_map(9) basics behind them are run in a child process, so that a
 * crash is reported as a failure instead of ending the test.
 */
static int null_protect(void)
{
	return vm_map_protect(NULL, UMIN, UMIN + PG, VM_PROT_READ, 0, VM_MAP_PROTECT_SET_PROT);
}

static int null_remove(void)
{
	return vm_map_remove(NULL, UMIN, UMIN + PG);
}

static int null_inherit(void)
{
	return vm_map_inherit(NULL, UMIN, UMIN + PG, VM_INHERIT_SHARE);
}

static int null_wire(void)
{
	return vm_map_wire(NULL, UMIN, UMIN + PG, VM_MAP_WIRE_SYSTEM);
}

/* fn's return value, or -1 if the child died (a signal, or a sanitizer's
 * own exit status) */
static int in_child(int (*fn)(void))
{
	pid_t pid;
	int st;

	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(100 + (fn() & 0x1f));
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -2;
	if (!WIFEXITED(st) || WEXITSTATUS(st) < 100 || WEXITSTATUS(st) >= 100 + 0x20)
		return -1;
	return WEXITSTATUS(st) - 100;
}

static void test_errors_null_maps(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
		int want;
	} calls[] = {
		{ "vm_map_protect", null_protect, KERN_INVALID_ARGUMENT },
		{ "vm_map_remove", null_remove, KERN_INVALID_ARGUMENT },
		{ "vm_map_inherit", null_inherit, KERN_INVALID_ARGUMENT },
		{ "vm_map_wire", null_wire, KERN_INVALID_ARGUMENT },
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		int got = in_child(calls[i].fn);

		if (got != calls[i].want)
			fprintf(stderr, "%s(NULL, ...): %s%d\n", calls[i].name,
			    got < 0 ? "crashed " : "returned ", got);
		CHECK(got == calls[i].want);
	}
}

int main(void)
{
	/* vm_map_stack(9), vm_map_growstack(9) */
	test_stack_maps_reservation();
	test_stack_cow_flags();
	test_stack_cow_other_flags();
	test_stack_prot_max();
	test_stack_exec_sequence();
	test_stack_insert_codes();
	test_stack_vmem_limit();
	test_stack_out_of_range();
	test_stack_existing_mapping();
	test_stack_not_accommodated();
	test_stack_takes_map_lock();
	test_growstack_grows_to_addr();
	test_growstack_grows_up();
	test_growstack_already_mapped();
	test_growstack_outside_stack();
	test_growstack_refused();
	test_growstack_takes_proc_lock();
	/* vm_map_find(9) */
	test_find_length();
	test_find_maps_object();
	test_find_passes_attrs();
	test_find_iff_found();
	test_find_object_reference();
	test_find_max_addr();
	test_find_at_or_above_addr();
	test_find_no_space();
	test_find_any_space();
	test_find_super_space();
	test_find_super_space_object();
	test_find_optimal_fallback();
	test_find_optimal_no_object();
	test_find_optimal_object();
	test_find_aligned_space();
	test_find_takes_map_lock();
	test_find_first_fit();
	test_find_no_space_found();
	test_find_bogus_range();
	/* vm_map_findspace(9) */
	test_findspace_finds();
	test_findspace_fails();
	test_findspace_caller_locks();
	test_findspace_growkernel();
	/* bad arguments */
	test_errors_find();
	test_errors_findspace();
	test_errors_stack();
	test_errors_growstack();
	test_errors_insert();
	test_errors_range_ops();
	test_errors_null_maps();
	return test_main_exit("test_compat_freebsd");
}
