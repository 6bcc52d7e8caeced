/*
 * test_compat_netbsd.c - the NetBSD face (bsdvm/uvm.h) against uvm_map(9)
 * (spec 003), statement by statement.  "NetBSD" marks a behaviour the page
 * is silent on, checked against the kernel's (spec/README.md); "bsdvm"
 * marks a rule bsdvm's header adds (misuse NetBSD only asserts on).
 *
 * uvm_map(9)
 *  N1  uvm_map establishes a valid mapping in map                        test_map_establishes
 *  N2  ... map must be unlocked: uvm_map takes the lock itself           test_map_takes_lock
 *  N3  the new mapping has size size, a multiple of PAGE_SIZE
 *      (bsdvm: anything else is EINVAL)                                  test_map_size
 *  N4  <NULL, UVM_UNKNOWN_OFFSET>: PMAP_PREFER is not used               test_map_null_unknown_offset
 *  N5  <NULL, off>: off is the hint given to PMAP_PREFER                 test_map_null_offset_prefer
 *  N6  <uobj, UVM_UNKNOWN_OFFSET>: the offset follows the address        test_map_obj_unknown_offset
 *  N7  <uobj, off>: a regular mapping at offset off
 *      (NetBSD: the mapping takes over the caller's reference)           test_map_obj_offset
 *  N8  the start address of the mapping is returned in startp            test_map_startp
 *  N9  align is the alignment of the mapping unless UVM_FLAG_FIXED
 *      (bsdvm: an alignment with FIXED is EINVAL)                        test_map_align
 *  N10 align must be a power of 2                                        test_map_align_pow2
 *  N11 flags are made with UVM_MAPFLAG(prot, maxprot, inh, advice, flags) test_mapflag_layout
 *  N12 prot and maxprot: UVM_PROT_NONE, R, W, X, MASK                     test_mapflag_prot
 *  N13 ... and the ORed UVM_PROT_RW, RX, WX, RWX                          test_mapflag_prot
 *  N14 inh: UVM_INH_SHARE, COPY, NONE, MASK                              test_mapflag_inherit
 *  N15 advice: UVM_ADV_NORMAL, RANDOM, SEQUENTIAL, MASK                  test_mapflag_advice
 *  N16 UVM_FLAG_FIXED: map at *startp; without it *startp is a hint      test_flag_fixed
 *  N17 UVM_FLAG_OVERLAY: establish the overlay (amap) now                test_flag_overlay
 *  N18 UVM_FLAG_NOMERGE: do not merge map entries                        test_flag_nomerge
 *  N19 UVM_FLAG_COPYONW: copy-on-write, pages not faulted in now         test_flag_copyonw
 *  N20 UVM_FLAG_AMAPPAD: for bss, a larger amap if it may grow           test_flag_amappad
 *  N21 UVM_FLAG_TRYLOCK: fail if the lock is not free at once (EAGAIN)   test_flag_trylock
 *  N22 UVM_FLAG_NOWAIT: not allowed to sleep; fail instead               test_flag_nowait
 *  N23 UVM_FLAG_QUANTUM: the entry cannot be split once mapped           test_flag_quantum
 *  N24 UVM_FLAG_WAITVA: sleep until VA space is available                test_flag_waitva
 *  N25 UVM_FLAG_VAONLY: unmap only VA space, used by uvm_unmap
 *      (refused by uvm_map, accepted by uvm_unmap1)                      test_flag_vaonly
 *  N26 (bsdvm/NetBSD) UVM_FLAG_UNMAP with FIXED replaces what is there   test_flag_unmap
 *      (NetBSD) UVM_FLAG_COLORMATCH: align is a page colour to match     test_flag_colormatch
 *  N27 the UVM_MAPFLAG arguments can be combined with an or operator     test_mapflag_layout
 *  N28 special macros check protection combinations, e.g. UVM_PROT_WX    test_mapflag_prot
 *  N29 UVM_PROTECTION, UVM_INHERIT, UVM_MAXPROTECTION, UVM_ADVICE return
 *      the protection, inheritance, maximum protection and advice        test_mapflag_extract
 *  N30 uvm_map returns zero on success or an error number                test_map_return_values
 *  N31 uvm_unmap removes the mapping from start to end                   test_unmap
 *  N32 ... in map, which must be unlocked (it takes the lock)            test_unmap_takes_lock
 *  N33 uvm_map_pageable changes the pageability of start..end            test_pageable
 *  N34 uvm_map_pageable returns zero or an error number (EFAULT when
 *      start is unmapped, EINVAL for holes)                              test_pageable_errors
 *      (NetBSD) UVM_LK_ENTER / UVM_LK_EXIT lock handling                 test_pageable_lockflags
 *  N35 uvm_map_checkprot checks start..end against protection: true/false test_checkprot
 *  N36 uvm_map_protect changes the protection of start..end to new_prot  test_protect
 *  N37 ... also the maximum protection to new_prot if set_max is true    test_protect_set_max
 *  N38 uvm_map_protect returns a standard UVM return value               test_protect
 *  N39 uvm_deallocate deallocates kernel memory start..start+size
 *      (NetBSD: size 0 does nothing, the range is page-rounded)          test_deallocate
 *  N40 uvmspace_alloc returns a new address space from min to max        test_uvmspace_alloc
 *  N41 uvmspace_exec reuses l's process's space if nobody else uses it   test_uvmspace_exec_reuse
 *  N42 ... otherwise it creates a new one with uvmspace_alloc            test_uvmspace_exec_new
 *  N43 ... the valid range is reset to start through end                 test_uvmspace_exec_reuse, _new
 *  N44 uvmspace_fork returns a new space based upon vm                   test_uvmspace_fork
 *  N45 uvmspace_free drops a reference, freeing on the last              test_uvmspace_free
 *  N46 uvmspace_share makes p2 share p1's address space                  test_uvmspace_share
 *  N47 uvm_uarea_alloc allocates a u-area and returns its address        test_uarea
 *  N48 uvm_uarea_free frees a u-area from uvm_uarea_alloc                test_uarea
 *  N49 uvm_uarea_system_alloc / _free, the same for kernel threads       test_uarea_system
 *  N50 (bsdvm) the context-free functions use the default system,
 *      bsdvm_init / bsdvm_fini / uvm_init                                test_default_system
 *  N51 (bsdvm) independent systems side by side, native API              test_systems_side_by_side
 *
 * Bad arguments of every function (error codes; map listing unchanged and
 * vm_map_check true after each failing call): test_errors_uvm_map,
 * test_errors_unmap, test_errors_pageable, test_errors_checkprot,
 * test_errors_protect, test_errors_deallocate, test_errors_uvmspace.
 *
 * 51 statements, 54 test functions (47 for the statements, 7 for bad
 * arguments).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <bsdvm/uvm.h>

#include "testutil.h"

#define PG ((bsdvm_addr_t)4096)
#define UMIN ((bsdvm_addr_t)0x100000)
#define UMAX ((bsdvm_addr_t)0x100000000)
#define COLOUR ((bsdvm_size_t)0x10000) /* the alignment our PMAP_PREFER asks for */

/* The usual flags: RW of RWX, copy on fork, normal advice. */
#define MF(fl) UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RWX, UVM_INH_COPY, UVM_ADV_NORMAL, (fl))
#define MF_SHARED(fl) UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RWX, UVM_INH_SHARE, UVM_ADV_NORMAL, (fl))

/* ------------------------------------------------------------------ */
/* Fixtures */

/* A pmap that is the software one except for the hooks we watch. */
static struct pmap_ops rec_ops;
static atomic_uint prefer_calls;
static _Atomic uint64_t prefer_foff;
static atomic_int rec_bad_ctx;

static void rec_prefer(void *ctx, bsdvm_off_t foff, bsdvm_size_t *align,
    bsdvm_addr_t *align_offset)
{
	if (ctx != (void *)bsdvm_platform_default())
		atomic_store(&rec_bad_ctx, 1);
	atomic_fetch_add(&prefer_calls, 1);
	atomic_store(&prefer_foff, foff);
	/* a virtually indexed cache with 64 KiB colours: same colour as foff */
	*align = COLOUR;
	*align_offset = foff & (COLOUR - 1);
}

static struct bsdvm_sys *sys_new(bool colour, bsdvm_size_t page)
{
	struct bsdvm_sys_params sp = { .page_size = page };
	struct bsdvm_sys *sys = NULL;

	if (colour) {
		rec_ops = *pmap_soft_ops();
		rec_ops.prefer = rec_prefer;
		sp.pmap = &rec_ops;
		sp.pmap_ctx = (void *)bsdvm_platform_default();
	}
	if (bsdvm_sys_create(&sp, &sys) != KERN_SUCCESS) {
		fprintf(stderr, "bsdvm_sys_create failed\n");
		exit(2);
	}
	return sys;
}

struct fx {
	struct bsdvm_sys *sys;
	struct vmspace *vm;
	struct vm_map *map;
};

static void fx_init2(struct fx *f, bsdvm_addr_t min, bsdvm_addr_t max, bool colour)
{
	f->sys = sys_new(colour, 0);
	if (bsdvm_vmspace_create(f->sys, min, max, 0, &f->vm) != KERN_SUCCESS) {
		fprintf(stderr, "bsdvm_vmspace_create failed\n");
		exit(2);
	}
	f->map = bsdvm_vmspace_map(f->vm);
}

static void fx_init(struct fx *f)
{
	fx_init2(f, UMIN, UMAX, false);
}

static void fx_fini(struct fx *f)
{
	CHECK_MAP(f->map);
	bsdvm_vmspace_free(f->vm);
	bsdvm_sys_destroy(f->sys);
}

static bool query(struct vm_map *map, vaddr_t addr, struct bsdvm_region *r)
{
	memset(r, 0, sizeof(*r));
	return bsdvm_map_query(map, addr, r);
}

static uint64_t nentries(struct vm_map *map)
{
	struct bsdvm_map_stats st;

	bsdvm_map_get_stats(map, &st);
	return st.nentries;
}

static struct bsdvm_sys_stats stats(struct bsdvm_sys *sys)
{
	struct bsdvm_sys_stats st;

	bsdvm_sys_get_stats(sys, &st);
	return st;
}

/* Anonymous RW mapping at exactly start. */
static int map_fixed(struct vm_map *map, vaddr_t start, vsize_t size, uvm_flag_t extra)
{
	vaddr_t s = start;

	return uvm_map(map, &s, size, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_FIXED | extra));
}

static bool unchanged(struct vm_map *map, const char *before)
{
	char *now = test_map_listing(map);
	bool same = strcmp(now, before) == 0;

	if (!same)
		fprintf(stderr, "map changed by a failing call:\n--- before\n%s--- after\n%s",
		    before, now);
	free(now);
	return same && vm_map_check(map);
}

static bool put(struct vmspace *vm, vaddr_t a, const char *s)
{
	return bsdvm_copyout(vm, s, a, strlen(s) + 1, NULL) == KERN_SUCCESS;
}

/* True when the string at a in vm is s. */
static bool has(struct vmspace *vm, vaddr_t a, const char *s)
{
	char buf[64] = { 0 };
	size_t n = strlen(s) + 1;

	if (n > sizeof(buf) || bsdvm_copyin(vm, a, buf, n, NULL) != KERN_SUCCESS)
		return false;
	return memcmp(buf, s, n) == 0;
}

/* ------------------------------------------------------------------ */
/* Threads */

/* sleep_ms and wait_flag: support/testutil.h */

static void deadlock(const char *what)
{
	fprintf(stderr, "%s did not return within 5 s (deadlock?)\n", what);
	tu_failed++;
	exit(test_main_exit("test_compat_netbsd"));
}

enum job_kind { JOB_MAP, JOB_UNMAP, JOB_PAGEABLE_ENTER };

struct job {
	enum job_kind kind;
	struct vm_map *map;
	vaddr_t start, end;
	vsize_t size;
	uvm_flag_t flags;
	int lockflags;
	int rv;
	atomic_int started, done, release;
	atomic_int *watch; /* if set, its value right after the call */
	int seen;
};

static void *job_run(void *arg)
{
	struct job *j = arg;

	atomic_store(&j->started, 1);
	switch (j->kind) {
	case JOB_MAP:
		j->rv = uvm_map(j->map, &j->start, j->size, NULL, UVM_UNKNOWN_OFFSET, 0, j->flags);
		break;
	case JOB_UNMAP:
		uvm_unmap(j->map, j->start, j->end);
		j->rv = 0;
		break;
	case JOB_PAGEABLE_ENTER:
		/* the caller holds the lock, as UVM_LK_ENTER says */
		bsdvm_map_lock(j->map);
		j->rv = uvm_map_pageable(j->map, j->start, j->end, false, j->lockflags);
		break;
	}
	if (j->watch != NULL)
		j->seen = atomic_load(j->watch);
	atomic_store(&j->done, 1);
	return NULL;
}

static void job_start(pthread_t *t, struct job *j)
{
	if (pthread_create(t, NULL, job_run, j) != 0) {
		fprintf(stderr, "pthread_create failed\n");
		exit(2);
	}
	if (!wait_flag(&j->started, 5000))
		deadlock("worker start");
}

/* Started under a lock the caller holds: still blocked after 150 ms? */
static bool job_blocked(pthread_t *t, struct job *j)
{
	job_start(t, j);
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
/* uvm_map: the mapping, its arguments */

static void test_map_establishes(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct vm_map *plain;
	vaddr_t s = 0;

	fx_init(&f);
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == 0);
	CHECK(s >= UMIN && s + 4 * PG <= UMAX);
	CHECK(query(f.map, s, &r));
	CHECK(r.start == s && r.end == s + 4 * PG);
	CHECK(r.protection == VM_PROT_RW && r.max_protection == VM_PROT_ALL);
	CHECK(r.inheritance == VM_INHERIT_COPY && r.object == NULL);
	/* valid: usable memory */
	CHECK(put(f.vm, s + 4 * PG - 8, "abcdefg"));
	CHECK(has(f.vm, s + 4 * PG - 8, "abcdefg"));
	CHECK_MAP(f.map);
	fx_fini(&f);
	/* a plain map (no memory behind it) works the same */
	plain = test_map_new(UMIN, UMAX, 0);
	s = UMIN;
	CHECK(uvm_map(plain, &s, 2 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == 0);
	CHECK(query(plain, s, &r) && r.end - r.start == 2 * PG);
	CHECK_MAP(plain);
	bsdvm_map_destroy(plain);
}

static void test_map_takes_lock(void)
{
	struct fx f;
	struct job j = { .kind = JOB_MAP, .start = UMIN, .size = 4 * PG, .flags = MF(0) };
	pthread_t t;
	bool blocked;

	fx_init(&f);
	j.map = f.map;
	bsdvm_map_lock(f.map);
	blocked = job_blocked(&t, &j);
	bsdvm_map_unlock(f.map);
	job_join(t, &j, "uvm_map");
	CHECK(blocked);
	CHECK(j.rv == 0 && j.start == UMIN);
	/* and gives it back */
	CHECK(bsdvm_map_trylock(f.map));
	bsdvm_map_unlock(f.map);
	fx_fini(&f);
}

static void test_map_size(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct bsdvm_sys *big;
	struct vmspace *vm16;
	char *before;
	vaddr_t s;
	const vsize_t sizes[] = { PG, 7 * PG, 0x200000 + PG };

	fx_init(&f);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		s = 0x40000000;
		CHECK(uvm_map(f.map, &s, sizes[i], NULL, UVM_UNKNOWN_OFFSET, 0,
		    MF(UVM_FLAG_NOMERGE)) == 0);
		CHECK(query(f.map, s, &r) && r.start == s && r.end - r.start == sizes[i]);
	}
	before = test_map_listing(f.map);
	s = UMIN;
	CHECK(uvm_map(f.map, &s, PG + 1, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == EINVAL);
	CHECK(uvm_map(f.map, &s, PG / 2, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == EINVAL);
	CHECK(uvm_map(f.map, &s, 0, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == EINVAL);
	CHECK(s == UMIN);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
	/* PAGE_SIZE is the system's: 4 KiB is not a multiple of 16 KiB */
	big = sys_new(false, 16384);
	CHECK_KERN(bsdvm_vmspace_create(big, UMIN, UMAX, 0, &vm16), KERN_SUCCESS);
	s = UMIN;
	CHECK(uvm_map(bsdvm_vmspace_map(vm16), &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) ==
	    EINVAL);
	CHECK(uvm_map(bsdvm_vmspace_map(vm16), &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) ==
	    0);
	bsdvm_vmspace_free(vm16);
	bsdvm_sys_destroy(big);
}

static void test_map_null_unknown_offset(void)
{
	struct fx f;
	vaddr_t s = UMIN;

	fx_init2(&f, UMIN, UMAX, true);
	CHECK(map_fixed(f.map, UMIN, PG, 0) == 0);
	atomic_store(&prefer_calls, 0);
	CHECK(uvm_map(f.map, &s, 2 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == 0);
	CHECK(atomic_load(&prefer_calls) == 0);
	/* no colour: the first fit, not 64 KiB-coloured */
	CHECK_EQ_U64(s, UMIN + PG);
	fx_fini(&f);
}

static void test_map_null_offset_prefer(void)
{
	struct fx f;
	struct bsdvm_region r;
	vaddr_t s = UMIN;

	fx_init2(&f, UMIN, UMAX, true);
	CHECK(map_fixed(f.map, UMIN, PG, 0) == 0);
	atomic_store(&prefer_calls, 0);
	CHECK(uvm_map(f.map, &s, 2 * PG, NULL, 0x3000, 0, MF(0)) == 0);
	CHECK(atomic_load(&prefer_calls) == 1);
	CHECK_EQ_U64(atomic_load(&prefer_foff), 0x3000);
	/* honoured: the lowest address of the wanted colour */
	CHECK_EQ_U64(s % COLOUR, 0x3000);
	CHECK_EQ_U64(s, UMIN + 0x3000);
	/* the offset was only a hint: anonymous memory, entry offset 0 */
	CHECK(query(f.map, s, &r) && r.object == NULL && r.offset == 0);
	/* another colour */
	s = UMIN;
	CHECK(uvm_map(f.map, &s, PG, NULL, 0x2a000, 0, MF(0)) == 0);
	CHECK_EQ_U64(s % COLOUR, 0xa000);
	CHECK(!atomic_load(&rec_bad_ctx));
	fx_fini(&f);
}

static void test_map_obj_unknown_offset(void)
{
	struct bsdvm_sys *sys = sys_new(false, 0);
	struct vm_map *kmap = bsdvm_vmspace_map(bsdvm_sys_kernel(sys));
	struct uvm_object *obj; /* the page's name for the object type */
	struct bsdvm_region r;
	const vaddr_t kmin = bsdvm_map_min(kmap);
	vaddr_t s;
	char *before;

	CHECK_KERN(bsdvm_object_anon(sys, 0x100000, &obj), KERN_SUCCESS);
	/* a fixed start below the map has no offset to derive: outside the
	 * map, ENOMEM as without an object, and nothing changes */
	before = test_map_listing(kmap);
	s = kmin - PG;
	CHECK(uvm_map(kmap, &s, 2 * PG, obj, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_NONE, UVM_ADV_NORMAL,
	    UVM_FLAG_FIXED)) == ENOMEM);
	CHECK(unchanged(kmap, before));
	CHECK(s == kmin - PG);
	CHECK(bsdvm_object_refcount(obj) == 1);
	free(before);
	bsdvm_object_reference(obj);
	s = kmin + 0x40000;
	CHECK(uvm_map(kmap, &s, 2 * PG, obj, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_NONE, UVM_ADV_NORMAL, 0)) == 0);
	CHECK(query(kmap, s, &r) && r.object == obj);
	CHECK_EQ_U64(r.offset, s - kmin);
	CHECK_EQ_U64(r.offset, 0x40000);
	bsdvm_object_reference(obj);
	s = kmin + 0x9a000;
	CHECK(uvm_map(kmap, &s, PG, obj, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_NONE, UVM_ADV_NORMAL, 0)) == 0);
	CHECK(query(kmap, s, &r) && r.object == obj && r.offset == s - kmin);
	uvm_unmap(kmap, kmin + 0x40000, kmin + 0x40000 + 2 * PG);
	uvm_unmap(kmap, s, s + PG);
	CHECK(bsdvm_object_refcount(obj) == 1);
	bsdvm_object_deallocate(obj);
	CHECK_MAP(kmap);
	bsdvm_sys_destroy(sys);
}

static void test_map_obj_offset(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct vm_object *obj;
	vaddr_t a = UMIN, b = UMIN;
	char *before;

	fx_init(&f);
	CHECK_KERN(bsdvm_object_anon(f.sys, 16 * PG, &obj), KERN_SUCCESS);
	bsdvm_object_reference(obj);
	CHECK(uvm_map(f.map, &a, 16 * PG, obj, 0, 0, MF_SHARED(0)) == 0);
	CHECK(bsdvm_object_refcount(obj) == 2);
	CHECK(put(f.vm, a + 2 * PG + 8, "at two pages"));
	bsdvm_object_reference(obj);
	CHECK(uvm_map(f.map, &b, 2 * PG, obj, 2 * PG, 0, MF_SHARED(0)) == 0);
	CHECK(query(f.map, b, &r) && r.object == obj && r.offset == 2 * PG);
	CHECK(has(f.vm, b + 8, "at two pages"));
	/* writes through either mapping reach the one object */
	CHECK(put(f.vm, b + PG, "back"));
	CHECK(has(f.vm, a + 3 * PG, "back"));
	CHECK(bsdvm_object_refcount(obj) == 3);
	/* a failed call leaves the reference with the caller */
	before = test_map_listing(f.map);
	bsdvm_object_reference(obj);
	b = a;
	CHECK(uvm_map(f.map, &b, 2 * PG, obj, 2 * PG, 0, MF_SHARED(UVM_FLAG_FIXED)) == ENOMEM);
	CHECK(bsdvm_object_refcount(obj) == 4);
	CHECK(unchanged(f.map, before));
	free(before);
	bsdvm_object_deallocate(obj);
	bsdvm_object_deallocate(obj);
	fx_fini(&f);
}

static void test_map_startp(void)
{
	struct fx f;
	vaddr_t s;
	char *before;

	fx_init(&f);
	CHECK(map_fixed(f.map, UMIN, 4 * PG, 0) == 0);
	s = UMIN;
	CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == 0);
	CHECK_EQ_U64(s, UMIN + 4 * PG);
	s = UMIN + 8 * PG;
	CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_FIXED)) == 0);
	CHECK_EQ_U64(s, UMIN + 8 * PG);
	/* a failed call leaves *startp alone */
	before = test_map_listing(f.map);
	s = UMIN;
	CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_FIXED)) == ENOMEM);
	CHECK_EQ_U64(s, UMIN);
	s = UMIN + 0x123;
	CHECK(uvm_map(f.map, &s, UMAX, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == ENOMEM);
	CHECK_EQ_U64(s, UMIN + 0x123);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_map_align(void)
{
	struct fx f;
	vaddr_t s;
	char *before;

	fx_init(&f);
	CHECK(map_fixed(f.map, UMIN, PG, 0) == 0);
	for (vsize_t align = PG; align <= ((vsize_t)1 << 30); align <<= 1) {
		s = UMIN;
		CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, align, MF(0)) == 0);
		CHECK(s % align == 0);
	}
	s = UMIN;
	CHECK(uvm_map(f.map, &s, 2 * PG, NULL, UVM_UNKNOWN_OFFSET, 0x10000, MF(0)) == 0);
	CHECK(s % 0x10000 == 0);
	/* an alignment nothing in the map satisfies */
	before = test_map_listing(f.map);
	s = UMIN;
	CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, (vsize_t)1 << 33, MF(0)) == ENOMEM);
	/* with FIXED, no alignment applies: bsdvm refuses one (NetBSD asserts) */
	s = 0x50001000;
	CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0x10000, MF(UVM_FLAG_FIXED)) ==
	    EINVAL);
	CHECK(unchanged(f.map, before));
	free(before);
	/* ... and the address is taken as it is */
	CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_FIXED)) == 0);
	CHECK(s == 0x50001000);
	fx_fini(&f);
}

static void test_map_align_pow2(void)
{
	struct fx f;
	vaddr_t s;
	char *before;
	const vsize_t bad[] = { 3 * PG, 5 * PG, 0x30000, PG + 1, 3 };
	const vsize_t small[] = { 1, 2, 16, 2048 };

	fx_init(&f);
	before = test_map_listing(f.map);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = UMIN;
		CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, bad[i], MF(0)) == EINVAL);
		CHECK(s == UMIN);
	}
	CHECK(unchanged(f.map, before));
	free(before);
	/* powers of two below the page size: every page boundary satisfies them */
	for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
		s = UMIN;
		CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, small[i], MF(0)) == 0);
		CHECK(s % PG == 0);
	}
	fx_fini(&f);
}

static void test_map_return_values(void)
{
	struct fx f;
	struct job j = { .kind = JOB_MAP, .start = UMIN, .size = PG,
		.flags = MF(UVM_FLAG_TRYLOCK) };
	pthread_t t;
	vaddr_t s = UMIN;

	fx_init2(&f, UMIN, UMIN + 8 * PG, false);
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == 0);
	CHECK(uvm_map(f.map, &s, 8 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == ENOMEM);
	CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RWX, UVM_PROT_R, UVM_INH_COPY, UVM_ADV_NORMAL, 0)) == EACCES);
	CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 3, MF(0)) == EINVAL);
	j.map = f.map;
	bsdvm_map_lock(f.map);
	job_start(&t, &j);
	if (!wait_flag(&j.done, 5000))
		deadlock("uvm_map(TRYLOCK)");
	bsdvm_map_unlock(f.map);
	pthread_join(t, NULL);
	CHECK(j.rv == EAGAIN);
	fx_fini(&f);
}

/* ------------------------------------------------------------------ */
/* UVM_MAPFLAG and its values */

static void test_mapflag_layout(void)
{
	const uvm_flag_t flags[] = { UVM_FLAG_FIXED, UVM_FLAG_OVERLAY, UVM_FLAG_NOMERGE,
		UVM_FLAG_COPYONW, UVM_FLAG_AMAPPAD, UVM_FLAG_TRYLOCK, UVM_FLAG_NOWAIT,
		UVM_FLAG_QUANTUM, UVM_FLAG_WAITVA, UVM_FLAG_VAONLY, UVM_FLAG_UNMAP };
	uvm_flag_t all = 0;

	/* prot in bits 0-2, inheritance 4-5, maxprot 8-10, advice 12-14,
	 * flags 16-31 */
	CHECK(UVM_MAPFLAG(UVM_PROT_R, UVM_PROT_RWX, UVM_INH_COPY, UVM_ADV_RANDOM, UVM_FLAG_FIXED) ==
	    (0x1u | 0x700u | 0x10u | 0x1000u | 0x10000u));
	CHECK(UVM_MAPFLAG(UVM_PROT_NONE, UVM_PROT_NONE, UVM_INH_SHARE, UVM_ADV_NORMAL, 0) == 0);
	CHECK(UVM_MAPFLAG(UVM_PROT_MASK, UVM_PROT_MASK, UVM_INH_MASK, UVM_ADV_MASK, 0) == 0x7737u);
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		CHECK((flags[i] & 0xffffu) == 0);            /* above the attribute bits */
		CHECK((flags[i] & (flags[i] - 1)) == 0);     /* one bit each */
		CHECK((all & flags[i]) == 0);                /* all different */
		all |= flags[i];
	}
	/* the arguments combine with |, and so do whole words */
	CHECK(UVM_MAPFLAG(UVM_PROT_R | UVM_PROT_W, UVM_PROT_RWX, UVM_INH_NONE, UVM_ADV_SEQUENTIAL,
	    UVM_FLAG_FIXED | UVM_FLAG_NOMERGE) ==
	    (UVM_MAPFLAG(UVM_PROT_R, 0, 0, 0, UVM_FLAG_FIXED) |
	     UVM_MAPFLAG(UVM_PROT_W, UVM_PROT_RWX, UVM_INH_NONE, UVM_ADV_SEQUENTIAL,
		 UVM_FLAG_NOMERGE)));
	CHECK(UVM_PROTECTION(UVM_MAPFLAG(UVM_PROT_RX, UVM_PROT_RWX, UVM_INH_COPY, UVM_ADV_NORMAL,
	    all)) == UVM_PROT_RX);
}

static void test_mapflag_extract(void)
{
	const unsigned inh[] = { UVM_INH_SHARE, UVM_INH_COPY, UVM_INH_NONE };
	const unsigned adv[] = { UVM_ADV_NORMAL, UVM_ADV_RANDOM, UVM_ADV_SEQUENTIAL,
		UVM_ADV_WILLNEED, UVM_ADV_DONTNEED, UVM_ADV_NOREUSE };
	const uvm_flag_t fl[] = { 0, UVM_FLAG_FIXED | UVM_FLAG_COPYONW, UVM_FLAG_MASK };
	unsigned bad = 0;

	for (unsigned p = 0; p <= UVM_PROT_MASK; p++)
		for (unsigned m = 0; m <= UVM_PROT_MASK; m++)
			for (size_t i = 0; i < 3; i++)
				for (size_t a = 0; a < 6; a++)
					for (size_t k = 0; k < 3; k++) {
						uvm_flag_t w = UVM_MAPFLAG(p, m, inh[i], adv[a], fl[k]);

						bad += UVM_PROTECTION(w) != p;
						bad += UVM_MAXPROTECTION(w) != m;
						bad += UVM_INHERIT(w) != inh[i] >> 4;
						bad += UVM_ADVICE(w) != adv[a];
						bad += (w & 0xffff0000u) != fl[k];
					}
	CHECK(bad == 0);
	/* UVM_INHERIT gives the MAP_INHERIT / VM_INHERIT numbering */
	CHECK(UVM_INHERIT(UVM_INH_SHARE) == VM_INHERIT_SHARE);
	CHECK(UVM_INHERIT(UVM_INH_COPY) == VM_INHERIT_COPY);
	CHECK(UVM_INHERIT(UVM_INH_NONE) == VM_INHERIT_NONE);
	/* the masks cover their values */
	CHECK(((UVM_INH_SHARE | UVM_INH_COPY | UVM_INH_NONE) & ~UVM_INH_MASK) == 0);
	CHECK(((UVM_ADV_NORMAL | UVM_ADV_RANDOM | UVM_ADV_SEQUENTIAL) & ~UVM_ADV_MASK) == 0);
	CHECK(((UVM_PROT_R | UVM_PROT_W | UVM_PROT_X) & ~UVM_PROT_MASK) == 0);
}

static void test_mapflag_prot(void)
{
	struct vm_map *map = test_map_new(UMIN, UMAX, 0);
	struct bsdvm_region r;
	unsigned bad = 0, refused = 0, pairs = 0;
	vaddr_t s;

	CHECK(UVM_PROT_NONE == 0);
	CHECK(UVM_PROT_R == VM_PROT_READ && UVM_PROT_W == VM_PROT_WRITE &&
	    UVM_PROT_X == VM_PROT_EXECUTE);
	CHECK(UVM_PROT_MASK == (UVM_PROT_R | UVM_PROT_W | UVM_PROT_X));
	CHECK(UVM_PROT_RW == (UVM_PROT_R | UVM_PROT_W));
	CHECK(UVM_PROT_RX == (UVM_PROT_R | UVM_PROT_X));
	CHECK(UVM_PROT_WX == (UVM_PROT_W | UVM_PROT_X));
	CHECK(UVM_PROT_RWX == (UVM_PROT_R | UVM_PROT_W | UVM_PROT_X));
	/* every prot within every maxprot gives an entry with exactly those */
	for (unsigned p = 0; p <= UVM_PROT_MASK; p++) {
		for (unsigned m = 0; m <= UVM_PROT_MASK; m++) {
			int rv;

			s = UMIN;
			rv = uvm_map(map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0,
			    UVM_MAPFLAG(p, m, UVM_INH_COPY, UVM_ADV_NORMAL, 0));
			if ((p & ~m) != 0) {
				refused += rv == EACCES;
				continue;
			}
			pairs++;
			if (rv != 0 || !query(map, s, &r) || r.protection != p ||
			    r.max_protection != m)
				bad++;
			uvm_unmap(map, s, s + PG);
		}
	}
	CHECK(pairs == 27 && bad == 0);
	CHECK(refused == 64 - 27);
	CHECK(nentries(map) == 0);
	bsdvm_map_destroy(map);
}

static void test_mapflag_inherit(void)
{
	struct fx f;
	struct vmspace *child;
	struct bsdvm_region r;
	vaddr_t sh = 0x200000, cp = 0x300000, no = 0x400000;
	const unsigned inh[] = { UVM_INH_SHARE, UVM_INH_COPY, UVM_INH_NONE };
	const vaddr_t at[] = { 0x200000, 0x300000, 0x400000 };

	fx_init(&f);
	for (size_t i = 0; i < 3; i++) {
		vaddr_t s = at[i];

		CHECK(uvm_map(f.map, &s, 2 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
		    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, inh[i], UVM_ADV_NORMAL,
			UVM_FLAG_FIXED)) == 0);
		CHECK(query(f.map, s, &r) && r.inheritance == UVM_INHERIT(inh[i]));
		CHECK(put(f.vm, s, "parent"));
	}
	child = uvmspace_fork(f.vm);
	CHECK(child != NULL);
	if (child != NULL) {
		/* share: one memory */
		CHECK(has(child, sh, "parent"));
		CHECK(put(child, sh, "child"));
		CHECK(has(f.vm, sh, "child"));
		/* copy: same contents, then private */
		CHECK(has(child, cp, "parent"));
		CHECK(put(child, cp, "child"));
		CHECK(has(f.vm, cp, "parent"));
		/* none: not in the child */
		CHECK(!query(bsdvm_vmspace_map(child), no, &r));
		uvmspace_free(child);
	}
	fx_fini(&f);
}

static void test_mapflag_advice(void)
{
	struct vm_map *map = test_map_new(UMIN, UMAX, 0);
	struct bsdvm_region r;
	const unsigned adv[] = { UVM_ADV_NORMAL, UVM_ADV_RANDOM, UVM_ADV_SEQUENTIAL };
	const unsigned want[] = { BSDVM_MADV_NORMAL, BSDVM_MADV_RANDOM, BSDVM_MADV_SEQUENTIAL };

	for (size_t i = 0; i < 3; i++) {
		vaddr_t s = UMIN + i * 4 * PG;

		CHECK(uvm_map(map, &s, 2 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
		    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_COPY, adv[i], UVM_FLAG_FIXED)) ==
		    0);
		CHECK(query(map, s, &r) && r.advice == want[i]);
	}
	CHECK(nentries(map) == 3);
	CHECK_MAP(map);
	bsdvm_map_destroy(map);
}

/* ------------------------------------------------------------------ */
/* The UVM_FLAG_* flags */

static void test_flag_fixed(void)
{
	struct fx f;
	struct bsdvm_region r;
	vaddr_t s;
	char *before;

	fx_init(&f);
	/* exactly there, though lower space is free */
	s = 0x7000000;
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_FIXED)) == 0);
	CHECK(s == 0x7000000 && query(f.map, s, &r) && r.start == s);
	/* not there: refused */
	before = test_map_listing(f.map);
	s = 0x7000000 + 2 * PG;
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_FIXED)) == ENOMEM);
	s = 0x7000000 - 2 * PG;
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_FIXED)) == ENOMEM);
	CHECK(unchanged(f.map, before));
	free(before);
	/* without FIXED the address is a hint: taken when free ... */
	s = 0x9000000;
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == 0);
	CHECK(s == 0x9000000);
	/* ... and when it is not, the mapping goes elsewhere */
	s = 0x7000000;
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == 0);
	CHECK(s != 0x7000000 && s >= 0x7000000 + 4 * PG);
	/* an unaligned hint is only a hint */
	s = 0xa000123;
	CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == 0);
	CHECK(s % PG == 0);
	CHECK_MAP(f.map);
	fx_fini(&f);
}

static void test_flag_overlay(void)
{
	struct fx f;
	struct bsdvm_region r;
	uint64_t amaps;
	vaddr_t s = UMIN;

	fx_init(&f);
	amaps = stats(f.sys).amaps;
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF_SHARED(0)) == 0);
	CHECK(stats(f.sys).amaps == amaps); /* lazily, without OVERLAY */
	s = UMIN;
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF_SHARED(UVM_FLAG_OVERLAY)) ==
	    0);
	CHECK(stats(f.sys).amaps == amaps + 1); /* now */
	/* with COPYONW too: the amap is there, nothing left to copy later */
	s = UMIN;
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    MF(UVM_FLAG_OVERLAY | UVM_FLAG_COPYONW)) == 0);
	CHECK(stats(f.sys).amaps == amaps + 2);
	CHECK(query(f.map, s, &r) && (r.eflags & MAP_ENTRY_COW) &&
	    !(r.eflags & MAP_ENTRY_NEEDS_COPY));
	CHECK(put(f.vm, s, "overlay"));
	CHECK(has(f.vm, s, "overlay"));
	fx_fini(&f);

	/* a plain map has no amaps to attach, and the flags alone must say
	 * it: COPYONW|OVERLAY is copy-on-write with nothing left to copy,
	 * COPYONW alone still needs the copy (uvm_map(9)) */
	{
		struct bsdvm_map_params mp = { .min = UMIN, .max = UMAX };
		struct vm_map *plain;

		CHECK_KERN(bsdvm_map_create(&mp, &plain), KERN_SUCCESS);
		s = UMIN;
		CHECK(uvm_map(plain, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
		    MF(UVM_FLAG_OVERLAY | UVM_FLAG_COPYONW | UVM_FLAG_NOMERGE)) == 0);
		CHECK(query(plain, s, &r) && (r.eflags & MAP_ENTRY_COW) &&
		    !(r.eflags & MAP_ENTRY_NEEDS_COPY));
		s = UMIN + 8 * PG;
		CHECK(uvm_map(plain, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
		    MF(UVM_FLAG_COPYONW | UVM_FLAG_NOMERGE)) == 0);
		CHECK(query(plain, s, &r) && (r.eflags & MAP_ENTRY_COW) &&
		    (r.eflags & MAP_ENTRY_NEEDS_COPY));
		CHECK_MAP(plain);
		bsdvm_map_destroy(plain);
	}
}

static void test_flag_nomerge(void)
{
	struct fx f;
	struct bsdvm_region r;

	fx_init(&f);
	/* compatible neighbours merge ... */
	CHECK(map_fixed(f.map, 0x200000, 2 * PG, 0) == 0);
	CHECK(map_fixed(f.map, 0x200000 + 2 * PG, 2 * PG, 0) == 0);
	CHECK(nentries(f.map) == 1);
	CHECK(query(f.map, 0x200000, &r) && r.end == 0x200000 + 4 * PG);
	/* ... unless told not to */
	CHECK(map_fixed(f.map, 0x200000 + 4 * PG, 2 * PG, UVM_FLAG_NOMERGE) == 0);
	CHECK(nentries(f.map) == 2);
	CHECK(query(f.map, 0x200000 + 4 * PG, &r) && r.start == 0x200000 + 4 * PG);
	/* and later neighbours do not merge into it either */
	CHECK(map_fixed(f.map, 0x200000 + 6 * PG, 2 * PG, 0) == 0);
	CHECK(nentries(f.map) == 3);
	CHECK(query(f.map, 0x200000 + 4 * PG, &r) && r.end == 0x200000 + 6 * PG);
	fx_fini(&f);
}

static void test_flag_copyonw(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct vm_object *obj;
	vaddr_t a = UMIN, b = UMIN, c = UMIN;
	uint64_t resident;

	fx_init(&f);
	/* anonymous: copy-on-write, the private copy is made later */
	CHECK(uvm_map(f.map, &c, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_COPYONW)) == 0);
	CHECK(query(f.map, c, &r) && (r.eflags & MAP_ENTRY_COW) && (r.eflags & MAP_ENTRY_NEEDS_COPY));
	/* an object: a shared view and a copy-on-write view */
	CHECK_KERN(bsdvm_object_anon(f.sys, 4 * PG, &obj), KERN_SUCCESS);
	bsdvm_object_reference(obj);
	CHECK(uvm_map(f.map, &a, 4 * PG, obj, 0, 0, MF_SHARED(0)) == 0);
	CHECK(put(f.vm, a, "original"));
	resident = stats(f.sys).resident;
	bsdvm_object_reference(obj);
	CHECK(uvm_map(f.map, &b, 4 * PG, obj, 0, 0, MF(UVM_FLAG_COPYONW)) == 0);
	CHECK(stats(f.sys).resident == resident); /* nothing faulted in */
	CHECK(query(f.map, b, &r) && (r.eflags & MAP_ENTRY_COW));
	CHECK(has(f.vm, b, "original"));
	CHECK(put(f.vm, b, "private"));
	CHECK(has(f.vm, b, "private"));
	CHECK(has(f.vm, a, "original"));
	/* without COPYONW a write reaches the object */
	CHECK(put(f.vm, a + PG, "shared"));
	CHECK(has(f.vm, b + PG, "shared"));
	bsdvm_object_deallocate(obj);
	fx_fini(&f);
}

static void test_flag_amappad(void)
{
	struct fx f;
	vaddr_t s = 0x600000;

	fx_init(&f);
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    MF(UVM_FLAG_FIXED | UVM_FLAG_OVERLAY | UVM_FLAG_COPYONW | UVM_FLAG_AMAPPAD)) == 0);
	CHECK(put(f.vm, s + 4 * PG - 8, "bss"));
	/* the bss grows (brk) right after it */
	CHECK(map_fixed(f.map, s + 4 * PG, 4 * PG, UVM_FLAG_COPYONW) == 0);
	CHECK(put(f.vm, s + 8 * PG - 8, "brk"));
	CHECK(has(f.vm, s + 4 * PG - 8, "bss"));
	CHECK(has(f.vm, s + 8 * PG - 8, "brk"));
	CHECK(bsdvm_map_check_protection(f.map, s, s + 8 * PG, VM_PROT_RW));
	fx_fini(&f);
}

static void test_flag_trylock(void)
{
	struct fx f;
	struct job j = { .kind = JOB_MAP, .start = UMIN, .size = PG,
		.flags = MF(UVM_FLAG_TRYLOCK) };
	pthread_t t;
	char *before;
	bool returned;

	fx_init(&f);
	before = test_map_listing(f.map);
	j.map = f.map;
	/* held exclusively by another thread: EAGAIN, without waiting */
	bsdvm_map_lock(f.map);
	job_start(&t, &j);
	returned = wait_flag(&j.done, 5000);
	bsdvm_map_unlock(f.map);
	job_join(t, &j, "uvm_map(TRYLOCK)");
	CHECK(returned);
	CHECK(j.rv == EAGAIN && j.start == UMIN);
	/* held shared: the same */
	j.done = 0;
	j.started = 0;
	bsdvm_map_lock_read(f.map);
	job_start(&t, &j);
	returned = wait_flag(&j.done, 5000);
	bsdvm_map_unlock_read(f.map);
	job_join(t, &j, "uvm_map(TRYLOCK)");
	CHECK(returned && j.rv == EAGAIN);
	CHECK(unchanged(f.map, before));
	free(before);
	/* free: maps */
	CHECK(uvm_map(f.map, &j.start, PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_TRYLOCK)) == 0);
	CHECK(nentries(f.map) == 1);
	fx_fini(&f);
}

static void test_flag_nowait(void)
{
	struct fx f;
	vaddr_t s = UMIN;
	char *before;

	fx_init2(&f, UMIN, UMIN + 8 * PG, false);
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_NOWAIT)) == 0);
	before = test_map_listing(f.map);
	/* no space: fails at once instead of waiting for some */
	s = UMIN;
	CHECK(uvm_map(f.map, &s, 8 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_NOWAIT)) == ENOMEM);
	/* no memory for the entry: fails instead of waiting for memory */
	bsdvm_map_set_entry_cache(f.map, 0);
	bsdvm_alloc_fail_at(1);
	s = UMIN;
	CHECK(uvm_map(f.map, &s, 2 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    MF(UVM_FLAG_NOWAIT | UVM_FLAG_NOMERGE)) == ENOMEM);
	bsdvm_alloc_fail_at(0);
	CHECK(s == UMIN);
	CHECK(unchanged(f.map, before));
	free(before);
	CHECK(uvm_map(f.map, &s, 2 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    MF(UVM_FLAG_NOWAIT | UVM_FLAG_NOMERGE)) == 0);
	fx_fini(&f);
}

static void test_flag_quantum(void)
{
	struct fx f;
	struct bsdvm_region r;
	const vaddr_t q = 0x800000;
	vaddr_t s = q;
	char *before;

	fx_init(&f);
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    MF(UVM_FLAG_FIXED | UVM_FLAG_QUANTUM)) == 0);
	CHECK(map_fixed(f.map, q + 4 * PG, 4 * PG, 0) == 0);
	before = test_map_listing(f.map);
	/* every way of splitting it is refused, and nothing changes */
	uvm_unmap(f.map, q + PG, q + 2 * PG);
	uvm_unmap(f.map, q + 3 * PG, q + 6 * PG);
	CHECK(uvm_map_protect(f.map, q, q + PG, VM_PROT_READ, false) == EINVAL);
	CHECK(uvm_map_protect(f.map, q + 2 * PG, q + 8 * PG, VM_PROT_READ, false) == EINVAL);
	CHECK(uvm_deallocate(f.map, q + PG, PG) == EINVAL);
	CHECK(uvm_map_pageable(f.map, q, q + PG, false, 0) == EINVAL);
	s = q + PG;
	CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    MF(UVM_FLAG_FIXED | UVM_FLAG_UNMAP)) == EINVAL);
	CHECK(unchanged(f.map, before));
	free(before);
	/* the whole entry: fine */
	CHECK(uvm_map_protect(f.map, q, q + 4 * PG, VM_PROT_READ, false) == 0);
	CHECK(query(f.map, q, &r) && r.protection == VM_PROT_READ && r.end == q + 4 * PG);
	CHECK(uvm_map_pageable(f.map, q, q + 4 * PG, false, 0) == 0);
	CHECK(uvm_map_pageable(f.map, q, q + 4 * PG, true, 0) == 0);
	uvm_unmap(f.map, q, q + 4 * PG);
	CHECK(!query(f.map, q, &r));
	CHECK(nentries(f.map) == 1);
	fx_fini(&f);
}

/*
 * Thread B maps size bytes at start with flags (WAITVA) into a full map
 * and must sleep; thread A (here) then unmaps [ustart, ustart + size),
 * and B must return only after that, having mapped it at want.
 */
static void waitva_until_unmap(struct vm_map *map, vaddr_t start, uvm_flag_t flags,
    vaddr_t ustart, vsize_t size, vaddr_t want, const char *what)
{
	atomic_int unmapped = 0;
	struct job j = { .kind = JOB_MAP, .map = map, .start = start, .size = size,
		.flags = flags, .watch = &unmapped };
	pthread_t t;
	bool blocked = job_blocked(&t, &j);

	atomic_store(&unmapped, 1);
	uvm_unmap(map, ustart, ustart + size);
	job_join(t, &j, what);
	CHECK(blocked);
	CHECK(j.seen == 1); /* it returned only after the unmap */
	CHECK(j.rv == 0);
	CHECK_EQ_U64(j.start, want);
}

static void test_flag_waitva(void)
{
	struct fx f;
	vaddr_t s = UMIN;

	/* thread A (here) fills a 16-page map */
	fx_init2(&f, UMIN, UMIN + 16 * PG, false);
	CHECK(uvm_map(f.map, &s, 16 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == 0);
	/* without WAITVA: no space, at once */
	s = UMIN;
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == ENOMEM);
	/* thread B searches with WAITVA and sleeps; A frees four pages, B
	 * wakes and gets them */
	waitva_until_unmap(f.map, UMIN, MF(UVM_FLAG_WAITVA), UMIN + 4 * PG, 4 * PG,
	    UMIN + 4 * PG, "uvm_map(WAITVA)");
	CHECK(bsdvm_map_largest_gap(f.map) == 0);
	/* NetBSD: a fixed range in use is waited for the same way */
	waitva_until_unmap(f.map, UMIN + 8 * PG, MF(UVM_FLAG_FIXED | UVM_FLAG_WAITVA),
	    UMIN + 8 * PG, 2 * PG, UMIN + 8 * PG, "uvm_map(FIXED|WAITVA)");
	CHECK(bsdvm_map_largest_gap(f.map) == 0);
	fx_fini(&f);
}

static void test_flag_vaonly(void)
{
	struct fx f;
	struct bsdvm_region r;
	vaddr_t s = 0x300000;
	char *before;

	fx_init(&f);
	before = test_map_listing(f.map);
	CHECK(uvm_map(f.map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_VAONLY)) == EINVAL);
	CHECK(unchanged(f.map, before));
	free(before);
	CHECK(map_fixed(f.map, 0x300000, 4 * PG, 0) == 0);
	CHECK(put(f.vm, 0x300000 + PG, "gone"));
	uvm_unmap1(f.map, 0x300000, 0x300000 + 2 * PG, UVM_FLAG_VAONLY);
	CHECK(!query(f.map, 0x300000, &r) && !query(f.map, 0x300000 + PG, &r));
	CHECK(query(f.map, 0x300000 + 2 * PG, &r) && r.start == 0x300000 + 2 * PG);
	/* the range can be mapped again, fresh */
	CHECK(map_fixed(f.map, 0x300000, 2 * PG, 0) == 0);
	CHECK(has(f.vm, 0x300000 + PG, ""));
	/* uvm_unmap1 with 0 is uvm_unmap */
	uvm_unmap1(f.map, 0x300000, 0x300000 + 4 * PG, 0);
	CHECK(nentries(f.map) == 0);
	fx_fini(&f);
}

static void test_flag_unmap(void)
{
	struct fx f;
	struct bsdvm_region r;
	vaddr_t s;

	fx_init(&f);
	CHECK(map_fixed(f.map, 0x300000, 4 * PG, UVM_FLAG_NOMERGE) == 0);
	CHECK(map_fixed(f.map, 0x300000 + 4 * PG, 4 * PG, UVM_FLAG_NOMERGE) == 0);
	CHECK(put(f.vm, 0x300000 + 3 * PG, "old"));
	s = 0x300000 + 2 * PG;
	CHECK(uvm_map(f.map, &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_R, UVM_PROT_RW, UVM_INH_COPY, UVM_ADV_NORMAL,
		UVM_FLAG_FIXED | UVM_FLAG_UNMAP)) == 0);
	CHECK(s == 0x300000 + 2 * PG);
	CHECK(query(f.map, s, &r) && r.start == s && r.end == s + 4 * PG &&
	    r.protection == VM_PROT_READ);
	CHECK(has(f.vm, 0x300000 + 3 * PG, "")); /* new memory */
	CHECK(query(f.map, 0x300000, &r) && r.end == 0x300000 + 2 * PG);
	CHECK(query(f.map, 0x300000 + 6 * PG, &r) && r.start == 0x300000 + 6 * PG);
	CHECK(nentries(f.map) == 3);
	fx_fini(&f);
}

/* ------------------------------------------------------------------ */
/* uvm_unmap */

/*
 * NetBSD (the page is silent): with UVM_FLAG_COLORMATCH, align is a page
 * colour below the system's number of colours, and the mapping starts at
 * the first page (bottom-up; the last top-down) whose page number has that
 * colour: number mod colours.  A map outside any system has one colour.
 */
static void test_flag_colormatch(void)
{
	struct bsdvm_sys_params sp = { .page_colors = 8 };
	struct bsdvm_sys *sys;
	struct vmspace *vm;
	struct vm_map *map, *plain;
	struct bsdvm_map_params mp = { .min = UMIN, .max = UMAX };
	char *before;
	vaddr_t s;

	CHECK_KERN(bsdvm_sys_create(&sp, &sys), KERN_SUCCESS);
	CHECK(bsdvm_sys_page_colors(sys) == 8);
	CHECK_KERN(bsdvm_vmspace_create(sys, UMIN, UMAX, 0, &vm), KERN_SUCCESS);
	map = bsdvm_vmspace_map(vm);
	CHECK(map_fixed(map, UMIN, 5 * PG, 0) == 0);
	for (vsize_t c = 0; c < 8; c++) {
		s = UMIN;
		CHECK(uvm_map(map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, c,
		    MF(UVM_FLAG_COLORMATCH | UVM_FLAG_NOMERGE)) == 0);
		CHECK_EQ_U64((s / PG) % 8, c);
		/* the first page of that colour at or above the hint that is free */
		CHECK(s >= UMIN + 5 * PG && s < UMIN + 5 * PG + 8 * PG);
		CHECK_MAP(map);
	}
	/* colour 5 again: its page above UMIN + 5 pages is taken, so the next */
	s = UMIN;
	CHECK(uvm_map(map, &s, 2 * PG, NULL, UVM_UNKNOWN_OFFSET, 5,
	    MF(UVM_FLAG_COLORMATCH)) == 0);
	CHECK_EQ_U64((s / PG) % 8, 5);
	CHECK(s >= UMIN + 13 * PG);
	/* colours run up to 7; FIXED takes no colour other than 0 */
	before = test_map_listing(map);
	s = UMIN;
	CHECK(uvm_map(map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 8, MF(UVM_FLAG_COLORMATCH)) ==
	    EINVAL);
	s = UMAX - PG;
	CHECK(uvm_map(map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 3,
	    MF(UVM_FLAG_COLORMATCH | UVM_FLAG_FIXED)) == EINVAL);
	CHECK(unchanged(map, before));
	free(before);
	CHECK(uvm_map(map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    MF(UVM_FLAG_COLORMATCH | UVM_FLAG_FIXED)) == 0);
	CHECK(s == UMAX - PG);
	bsdvm_vmspace_free(vm);
	/* top-down: the highest page of the colour at or below the hint */
	CHECK_KERN(bsdvm_vmspace_create(sys, UMIN, UMAX, BSDVM_MAP_TOPDOWN, &vm), KERN_SUCCESS);
	map = bsdvm_vmspace_map(vm);
	s = UMAX - PG;
	CHECK(uvm_map(map, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 6, MF(UVM_FLAG_COLORMATCH)) == 0);
	CHECK_EQ_U64((s / PG) % 8, 6);
	CHECK(s <= UMAX - PG && s > UMAX - PG - 8 * PG);
	bsdvm_vmspace_free(vm);
	bsdvm_sys_destroy(sys);
	/* colours must be a power of two */
	sp.page_colors = 12;
	CHECK_KERN(bsdvm_sys_create(&sp, &sys), KERN_INVALID_ARGUMENT);
	/* one colour outside a system */
	CHECK_KERN(bsdvm_map_create(&mp, &plain), KERN_SUCCESS);
	s = UMIN + 3 * PG;
	CHECK(uvm_map(plain, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(UVM_FLAG_COLORMATCH)) == 0);
	CHECK(s == UMIN + 3 * PG);
	before = test_map_listing(plain);
	CHECK(uvm_map(plain, &s, PG, NULL, UVM_UNKNOWN_OFFSET, 1, MF(UVM_FLAG_COLORMATCH)) ==
	    EINVAL);
	CHECK(unchanged(plain, before));
	free(before);
	bsdvm_map_destroy(plain);
}

static void test_unmap(void)
{
	struct fx f;
	struct bsdvm_region r;
	uint64_t resident;

	fx_init(&f);
	CHECK(map_fixed(f.map, 0x300000, 8 * PG, 0) == 0);
	for (vaddr_t a = 0x300000; a < 0x300000 + 8 * PG; a += PG)
		CHECK(put(f.vm, a, "x"));
	resident = stats(f.sys).resident;
	/* the middle: one entry becomes two, those pages are freed */
	uvm_unmap(f.map, 0x300000 + 2 * PG, 0x300000 + 4 * PG);
	CHECK(nentries(f.map) == 2);
	CHECK(!query(f.map, 0x300000 + 2 * PG, &r) && !query(f.map, 0x300000 + 3 * PG, &r));
	CHECK(stats(f.sys).resident == resident - 2);
	CHECK(has(f.vm, 0x300000 + PG, "x") && has(f.vm, 0x300000 + 4 * PG, "x"));
	/* across a hole and both entries */
	uvm_unmap(f.map, 0x300000 + PG, 0x300000 + 7 * PG);
	CHECK(query(f.map, 0x300000, &r) && r.end == 0x300000 + PG);
	CHECK(query(f.map, 0x300000 + 7 * PG, &r) && r.start == 0x300000 + 7 * PG);
	/* nothing there: nothing happens */
	uvm_unmap(f.map, 0x900000, 0x900000 + 4 * PG);
	CHECK(nentries(f.map) == 2);
	uvm_unmap(f.map, UMIN, UMAX);
	CHECK(nentries(f.map) == 0);
	fx_fini(&f);
}

static void test_unmap_takes_lock(void)
{
	struct fx f;
	struct job j = { .kind = JOB_UNMAP, .start = 0x300000, .end = 0x300000 + 4 * PG };
	pthread_t t;
	bool blocked;

	fx_init(&f);
	CHECK(map_fixed(f.map, 0x300000, 4 * PG, 0) == 0);
	j.map = f.map;
	bsdvm_map_lock(f.map);
	blocked = job_blocked(&t, &j);
	bsdvm_map_unlock(f.map);
	job_join(t, &j, "uvm_unmap");
	CHECK(blocked);
	CHECK(nentries(f.map) == 0);
	fx_fini(&f);
}

/* ------------------------------------------------------------------ */
/* uvm_map_pageable */

static void test_pageable(void)
{
	struct fx f;
	struct bsdvm_region r;
	uint64_t wired;
	const vaddr_t s = 0x300000, e = 0x300000 + 4 * PG;

	fx_init(&f);
	CHECK(map_fixed(f.map, s, 8 * PG, 0) == 0);
	CHECK(put(f.vm, s + PG, "kept"));
	wired = stats(f.sys).wired;
	/* not pageable: wired, resident */
	CHECK(uvm_map_pageable(f.map, s, e, false, 0) == 0);
	CHECK(query(f.map, s, &r) && r.wired_count > 0 && r.end == e);
	CHECK(query(f.map, e, &r) && r.wired_count == 0);
	CHECK(stats(f.sys).wired == wired + 4);
	for (vaddr_t a = s; a < e; a += PG)
		CHECK(bsdvm_vmspace_resident(f.vm, a));
	(void)bsdvm_sys_pageout(f.sys, 4096); /* wired pages stay */
	for (vaddr_t a = s; a < e; a += PG)
		CHECK(bsdvm_vmspace_resident(f.vm, a));
	CHECK(has(f.vm, s + PG, "kept"));
	/* wired twice; pageable again undoes both (one munlock) */
	CHECK(uvm_map_pageable(f.map, s, e, false, 0) == 0);
	CHECK(uvm_map_pageable(f.map, s, e, true, 0) == 0);
	CHECK(query(f.map, s, &r) && r.wired_count == 0);
	CHECK(stats(f.sys).wired == wired);
	CHECK(has(f.vm, s + PG, "kept"));
	CHECK(nentries(f.map) == 1); /* merged back */
	/* start == end at a mapped address: nothing to do */
	CHECK(uvm_map_pageable(f.map, s, s, false, 0) == 0);
	CHECK(query(f.map, s, &r) && r.wired_count == 0);
	fx_fini(&f);
}

static void test_pageable_errors(void)
{
	struct fx f;
	char *before;
	const vaddr_t s = 0x300000;

	fx_init(&f);
	CHECK(map_fixed(f.map, s, 4 * PG, 0) == 0);
	CHECK(map_fixed(f.map, s + 6 * PG, 4 * PG, 0) == 0);
	CHECK(uvm_map(f.map, &(vaddr_t){ s + 12 * PG }, 2 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_NONE, UVM_PROT_RW, UVM_INH_COPY, UVM_ADV_NORMAL,
		UVM_FLAG_FIXED)) == 0);
	before = test_map_listing(f.map);
	/* start not mapped */
	CHECK(uvm_map_pageable(f.map, s - PG, s + PG, false, 0) == EFAULT);
	CHECK(uvm_map_pageable(f.map, s + 4 * PG, s + 8 * PG, false, 0) == EFAULT);
	CHECK(uvm_map_pageable(f.map, s - PG, s + PG, true, 0) == EFAULT);
	/* a hole inside */
	CHECK(uvm_map_pageable(f.map, s, s + 8 * PG, false, 0) == EINVAL);
	/* inaccessible memory cannot be wired */
	CHECK(uvm_map_pageable(f.map, s + 12 * PG, s + 14 * PG, false, 0) == EINVAL);
	/* not wired: cannot be unwired */
	CHECK(uvm_map_pageable(f.map, s, s + 4 * PG, true, 0) == EINVAL);
	CHECK(unchanged(f.map, before));
	free(before);
	/* a hole inside an unwire, after a wire */
	CHECK(uvm_map_pageable(f.map, s, s + 4 * PG, false, 0) == 0);
	CHECK(uvm_map_pageable(f.map, s + 6 * PG, s + 10 * PG, false, 0) == 0);
	before = test_map_listing(f.map);
	CHECK(uvm_map_pageable(f.map, s, s + 10 * PG, true, 0) == EINVAL);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_pageable_lockflags(void)
{
	struct fx f;
	struct bsdvm_region r;
	struct job j = { .kind = JOB_PAGEABLE_ENTER, .start = 0x300000, .end = 0x300000 + PG };
	pthread_t t;
	const vaddr_t s = 0x300000;

	fx_init(&f);
	CHECK(map_fixed(f.map, s, 4 * PG, UVM_FLAG_NOMERGE) == 0);
	j.map = f.map;
	/* 0: locks and unlocks */
	CHECK(uvm_map_pageable(f.map, s, s + PG, false, 0) == 0);
	CHECK(bsdvm_map_trylock(f.map));
	bsdvm_map_unlock(f.map);
	/* UVM_LK_EXIT: returns with the map locked */
	CHECK(uvm_map_pageable(f.map, s + PG, s + 2 * PG, false, UVM_LK_EXIT) == 0);
	CHECK(!bsdvm_map_trylock(f.map));
	bsdvm_map_unlock(f.map);
	CHECK(bsdvm_map_trylock(f.map));
	bsdvm_map_unlock(f.map);
	/* ... on a failure too */
	CHECK(uvm_map_pageable(f.map, s + 8 * PG, s + 9 * PG, false, UVM_LK_EXIT) == EFAULT);
	CHECK(!bsdvm_map_trylock(f.map));
	bsdvm_map_unlock(f.map);
	/* UVM_LK_ENTER: the caller holds it; it is released on return */
	j.start = s + 2 * PG;
	j.end = s + 3 * PG;
	j.lockflags = UVM_LK_ENTER;
	job_start(&t, &j);
	job_join(t, &j, "uvm_map_pageable(UVM_LK_ENTER)");
	CHECK(j.rv == 0);
	CHECK(bsdvm_map_trylock(f.map));
	bsdvm_map_unlock(f.map);
	/* UVM_LK_ENTER | UVM_LK_EXIT: held before and after */
	j.start = s + 3 * PG;
	j.end = s + 4 * PG;
	j.lockflags = UVM_LK_ENTER | UVM_LK_EXIT;
	j.done = 0;
	j.started = 0;
	job_start(&t, &j);
	job_join(t, &j, "uvm_map_pageable(UVM_LK_ENTER|UVM_LK_EXIT)");
	CHECK(j.rv == 0);
	CHECK(!bsdvm_map_trylock(f.map));
	bsdvm_map_unlock(f.map);
	/* ENTER on a failure: released as well */
	j.start = s + 8 * PG;
	j.end = s + 9 * PG;
	j.lockflags = UVM_LK_ENTER;
	j.done = 0;
	j.started = 0;
	job_start(&t, &j);
	job_join(t, &j, "uvm_map_pageable(UVM_LK_ENTER)");
	CHECK(j.rv == EFAULT);
	CHECK(bsdvm_map_trylock(f.map));
	bsdvm_map_unlock(f.map);
	/* all four pages were wired, each once */
	for (vaddr_t a = s; a < s + 4 * PG; a += PG)
		CHECK(query(f.map, a, &r) && r.wired_count == 1);
	fx_fini(&f);
}

/* ------------------------------------------------------------------ */
/* uvm_map_checkprot, uvm_map_protect */

static void test_checkprot(void)
{
	struct fx f;
	const vaddr_t s = 0x300000;

	fx_init(&f);
	CHECK(map_fixed(f.map, s, 4 * PG, 0) == 0);
	CHECK(uvm_map(f.map, &(vaddr_t){ s + 4 * PG }, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_R, UVM_PROT_RW, UVM_INH_COPY, UVM_ADV_NORMAL, UVM_FLAG_FIXED)) == 0);
	CHECK(uvm_map(f.map, &(vaddr_t){ s + 12 * PG }, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_NONE, UVM_PROT_RW, UVM_INH_COPY, UVM_ADV_NORMAL,
		UVM_FLAG_FIXED)) == 0);
	bsdvm_map_lock_read(f.map); /* the caller holds the lock */
	CHECK(uvm_map_checkprot(f.map, s, s + 4 * PG, VM_PROT_RW));
	CHECK(uvm_map_checkprot(f.map, s + PG, s + 2 * PG, VM_PROT_WRITE));
	CHECK(uvm_map_checkprot(f.map, s, s + 8 * PG, VM_PROT_READ));
	CHECK(!uvm_map_checkprot(f.map, s, s + 8 * PG, VM_PROT_RW));
	CHECK(!uvm_map_checkprot(f.map, s, s + 4 * PG, VM_PROT_EXECUTE));
	CHECK(uvm_map_checkprot(f.map, s, s + 8 * PG, VM_PROT_NONE));
	/* a hole, an unmapped start */
	CHECK(!uvm_map_checkprot(f.map, s, s + 10 * PG, VM_PROT_READ));
	CHECK(!uvm_map_checkprot(f.map, s, s + 10 * PG, VM_PROT_NONE));
	CHECK(!uvm_map_checkprot(f.map, s - PG, s + PG, VM_PROT_NONE));
	/* inaccessible memory allows nothing */
	CHECK(!uvm_map_checkprot(f.map, s + 12 * PG, s + 16 * PG, VM_PROT_READ));
	CHECK(uvm_map_checkprot(f.map, s + 12 * PG, s + 16 * PG, VM_PROT_NONE));
	bsdvm_map_unlock_read(f.map);
	fx_fini(&f);
}

static void test_protect(void)
{
	struct fx f;
	struct bsdvm_region r;
	const vaddr_t s = 0x300000;
	char *before;

	fx_init(&f);
	CHECK(uvm_map(f.map, &(vaddr_t){ s }, 8 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_COPY, UVM_ADV_NORMAL, UVM_FLAG_FIXED)) == 0);
	CHECK(put(f.vm, s + 2 * PG, "data"));
	/* lower part of it: split, the maximum stays */
	CHECK(uvm_map_protect(f.map, s + 2 * PG, s + 4 * PG, VM_PROT_READ, false) == 0);
	CHECK(query(f.map, s + 2 * PG, &r) && r.start == s + 2 * PG && r.end == s + 4 * PG);
	CHECK(r.protection == VM_PROT_READ && r.max_protection == VM_PROT_RW);
	CHECK(query(f.map, s, &r) && r.protection == VM_PROT_RW);
	CHECK(bsdvm_copyout(f.vm, "x", s + 2 * PG, 1, NULL) == KERN_PROTECTION_FAILURE);
	CHECK(has(f.vm, s + 2 * PG, "data"));
	/* raise it again, up to the maximum */
	CHECK(uvm_map_protect(f.map, s + 2 * PG, s + 4 * PG, VM_PROT_RW, false) == 0);
	CHECK(put(f.vm, s + 2 * PG, "more"));
	CHECK(nentries(f.map) == 1);
	/* not above the maximum: EACCES, nothing changes */
	before = test_map_listing(f.map);
	CHECK(uvm_map_protect(f.map, s, s + 8 * PG, VM_PROT_ALL, false) == EACCES);
	CHECK(uvm_map_protect(f.map, s + PG, s + 2 * PG, VM_PROT_EXECUTE, false) == EACCES);
	CHECK(unchanged(f.map, before));
	free(before);
	/* none */
	CHECK(uvm_map_protect(f.map, s, s + 8 * PG, VM_PROT_NONE, false) == 0);
	CHECK(bsdvm_copyin(f.vm, s, &(char){ 0 }, 1, NULL) == KERN_PROTECTION_FAILURE);
	fx_fini(&f);
}

static void test_protect_set_max(void)
{
	struct fx f;
	struct bsdvm_region r;
	const vaddr_t s = 0x300000;
	char *before;

	fx_init(&f);
	CHECK(uvm_map(f.map, &(vaddr_t){ s }, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RWX, UVM_INH_COPY, UVM_ADV_NORMAL,
		UVM_FLAG_FIXED | UVM_FLAG_NOMERGE)) == 0);
	CHECK(uvm_map(f.map, &(vaddr_t){ s + 4 * PG }, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_R, UVM_PROT_RWX, UVM_INH_COPY, UVM_ADV_NORMAL,
		UVM_FLAG_FIXED | UVM_FLAG_NOMERGE)) == 0);
	/* lowering: protection and maximum both become new_prot */
	CHECK(uvm_map_protect(f.map, s, s + 4 * PG, VM_PROT_READ, true) == 0);
	CHECK(query(f.map, s, &r) && r.max_protection == VM_PROT_READ);
	CHECK(r.protection == VM_PROT_READ);
	/* the maximum is really lowered: RW is refused from now on */
	CHECK(uvm_map_protect(f.map, s, s + 4 * PG, VM_PROT_RW, false) == EACCES);
	/* "changes the protection to new_prot, also setting the maximum
	 * protection to new_prot": an entry with R of RWX set to RW, max */
	CHECK(uvm_map_protect(f.map, s + 4 * PG, s + 8 * PG, VM_PROT_RW, true) == 0);
	CHECK(query(f.map, s + 4 * PG, &r) && r.max_protection == VM_PROT_RW);
	CHECK_EQ_U64(r.protection, VM_PROT_RW);
	/* the maximum never rises */
	before = test_map_listing(f.map);
	CHECK(uvm_map_protect(f.map, s, s + 4 * PG, VM_PROT_RW, true) == EACCES);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

/* ------------------------------------------------------------------ */
/* uvm_deallocate */

static void test_deallocate(void)
{
	struct bsdvm_sys *sys = sys_new(false, 0);
	struct vm_map *kmap = bsdvm_vmspace_map(bsdvm_sys_kernel(sys));
	struct bsdvm_region r;
	struct fx f;
	uint64_t wired = stats(sys).wired;
	vaddr_t k = bsdvm_kmem_alloc(sys, 3 * PG);
	char *before;
	const vaddr_t s = 0x300000;

	/* kernel memory */
	CHECK(k != 0);
	CHECK(stats(sys).wired == wired + 3);
	CHECK(query(kmap, k, &r));
	CHECK(uvm_deallocate(kmap, k, 3 * PG) == 0);
	CHECK(!query(kmap, k, &r) && !query(kmap, k + 2 * PG, &r));
	CHECK(stats(sys).wired == wired);
	CHECK_MAP(kmap);
	bsdvm_sys_destroy(sys);

	/* page rounding: [trunc(start), round(start + size)) */
	fx_init(&f);
	CHECK(map_fixed(f.map, s, 8 * PG, 0) == 0);
	CHECK(uvm_deallocate(f.map, s + PG + 0x10, PG) == 0);
	CHECK(query(f.map, s, &r) && r.end == s + PG);
	CHECK(!query(f.map, s + PG, &r) && !query(f.map, s + 2 * PG, &r));
	CHECK(query(f.map, s + 3 * PG, &r) && r.start == s + 3 * PG);
	CHECK(uvm_deallocate(f.map, s + 7 * PG + 1, 1) == 0);
	CHECK(!query(f.map, s + 7 * PG, &r));
	/* size 0: nothing at all, wherever start is */
	before = test_map_listing(f.map);
	CHECK(uvm_deallocate(f.map, s, 0) == 0);
	CHECK(uvm_deallocate(f.map, s + 0x123, 0) == 0);
	CHECK(uvm_deallocate(f.map, (vaddr_t)0 - 1, 0) == 0);
	/* nothing mapped there: nothing to do */
	CHECK(uvm_deallocate(f.map, 0x900000, 4 * PG) == 0);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

/* ------------------------------------------------------------------ */
/* uvmspace_* (the default system) */

static void test_uvmspace_alloc(void)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();
	uint64_t n = stats(sys).vmspaces;
	struct vmspace *a = uvmspace_alloc(0x200000, 0x40000000);
	struct vmspace *b = uvmspace_alloc(0x10000, 0x800000000000ull);
	vaddr_t s = 0;

	CHECK(a != NULL && b != NULL && a != b);
	if (a == NULL || b == NULL)
		return;
	CHECK(bsdvm_map_min(bsdvm_vmspace_map(a)) == 0x200000);
	CHECK(bsdvm_map_max(bsdvm_vmspace_map(a)) == 0x40000000);
	CHECK(bsdvm_map_min(bsdvm_vmspace_map(b)) == 0x10000);
	CHECK(bsdvm_map_max(bsdvm_vmspace_map(b)) == 0x800000000000ull);
	CHECK(bsdvm_vmspace_sys(a) == sys);
	CHECK(bsdvm_vmspace_refcount(a) == 1);
	CHECK(nentries(bsdvm_vmspace_map(a)) == 0);
	CHECK(stats(sys).vmspaces == n + 2);
	/* a usable address space, confined to [min, max) */
	CHECK(uvm_map(bsdvm_vmspace_map(a), &s, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == 0);
	CHECK(s == 0x200000);
	CHECK(put(a, s, "space"));
	s = 0x40000000;
	CHECK(uvm_map(bsdvm_vmspace_map(a), &s, PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    MF(UVM_FLAG_FIXED)) == ENOMEM);
	uvmspace_free(a);
	uvmspace_free(b);
	CHECK(stats(sys).vmspaces == n);
}

static void test_uvmspace_exec_reuse(void)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();
	struct vmspace *vm = uvmspace_alloc(0x10000, 0x40000000);
	struct proc *p;
	struct lwp l;
	uint64_t n;

	CHECK(vm != NULL);
	if (vm == NULL)
		return;
	CHECK_KERN(bsdvm_proc_create(sys, vm, &p), KERN_SUCCESS);
	uvmspace_free(vm); /* the process holds the only reference */
	CHECK(map_fixed(bsdvm_vmspace_map(vm), 0x400000, 8 * PG, 0) == 0);
	CHECK(put(vm, 0x400000, "old image"));
	n = stats(sys).vmspaces;
	l.l_proc = p;
	uvmspace_exec(&l, 0x20000, 0x7f000000);
	CHECK(bsdvm_proc_vmspace(p) == vm); /* reused */
	CHECK(nentries(bsdvm_vmspace_map(vm)) == 0);
	CHECK(bsdvm_map_min(bsdvm_vmspace_map(vm)) == 0x20000);
	CHECK(bsdvm_map_max(bsdvm_vmspace_map(vm)) == 0x7f000000);
	CHECK(stats(sys).vmspaces == n);
	CHECK(bsdvm_vmspace_refcount(vm) == 1);
	/* the new range is the valid one */
	CHECK(map_fixed(bsdvm_vmspace_map(vm), 0x60000000, PG, 0) == 0);
	CHECK(map_fixed(bsdvm_vmspace_map(vm), 0x10000, PG, 0) == ENOMEM);
	/* a wider window keeps more wide alignment classes in the index
	 * (map_btree.h), so its nodes are bigger: exec must not reuse the old
	 * window's spare nodes, and the index must work at the new size */
	for (int w = 0; w < 2; w++) {
		struct vm_map *map = bsdvm_vmspace_map(vm);
		vaddr_t top = w == 0 ? (vaddr_t)0x7f000000 : (vaddr_t)0x7ffffffff000;
		vaddr_t at = 0;

		uvmspace_exec(&l, 0x20000, top);
		CHECK(bsdvm_proc_vmspace(p) == vm);
		for (int i = 0; i < 60; i++)
			CHECK(map_fixed(map, 0x100000 + (vaddr_t)i * 0x1000000, PG, 0) == 0);
		CHECK_MAP(map);
		CHECK(uvm_map(map, &at, PG, NULL, UVM_UNKNOWN_OFFSET, (vsize_t)1 << 30,
		    MF(0)) == 0);
		CHECK_EQ_U64(at, 0x40000000);
		CHECK_MAP(map);
	}
	bsdvm_proc_destroy(p);

	/* after a vfork-style share ended, the reused space obeys the
	 * process's own limits again, not those the sharer left in it */
	{
		struct bsdvm_rlimits big = { BSDVM_RLIM_INFINITY, BSDVM_RLIM_INFINITY, 1 << 30 };
		struct bsdvm_rlimits none = { BSDVM_RLIM_INFINITY, BSDVM_RLIM_INFINITY, 0 };
		struct bsdvm_rlimits got;
		struct proc *p2;

		CHECK_KERN(bsdvm_proc_create(sys, NULL, &p), KERN_SUCCESS);
		CHECK_KERN(bsdvm_proc_create(sys, NULL, &p2), KERN_SUCCESS);
		bsdvm_proc_set_limits(p, &big);
		bsdvm_proc_set_limits(p2, &none);
		uvmspace_share(p, p2); /* the shared space now obeys p2 */
		l.l_proc = p2;
		uvmspace_exec(&l, 0x20000, 0x7f000000); /* p2 leaves */
		l.l_proc = p;
		uvmspace_exec(&l, 0x20000, 0x7f000000); /* p reuses it */
		vm = bsdvm_proc_vmspace(p);
		bsdvm_vmspace_get_limits(vm, &got);
		CHECK_EQ_U64(got.memlock, 1 << 30);
		CHECK(map_fixed(bsdvm_vmspace_map(vm), 0x400000, PG, 0) == 0);
		CHECK(uvm_map_pageable(bsdvm_vmspace_map(vm), 0x400000, 0x400000 + PG, false, 0) ==
		    0);
		bsdvm_proc_destroy(p2);
		bsdvm_proc_destroy(p);
	}
}

static void test_uvmspace_exec_new(void)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();
	struct vmspace *vm = uvmspace_alloc(0x10000, 0x40000000), *nvm;
	struct proc *p1, *p2;
	struct lwp l;
	uint64_t n;

	CHECK(vm != NULL);
	if (vm == NULL)
		return;
	CHECK_KERN(bsdvm_proc_create(sys, vm, &p1), KERN_SUCCESS);
	CHECK_KERN(bsdvm_proc_create(sys, vm, &p2), KERN_SUCCESS); /* vfork-style */
	uvmspace_free(vm);
	CHECK(map_fixed(bsdvm_vmspace_map(vm), 0x400000, 8 * PG, 0) == 0);
	CHECK(put(vm, 0x400000, "parent's"));
	n = stats(sys).vmspaces;
	l.l_proc = p1;
	uvmspace_exec(&l, 0x20000, 0x7f000000);
	nvm = bsdvm_proc_vmspace(p1);
	CHECK(nvm != vm); /* a new one */
	CHECK(nentries(bsdvm_vmspace_map(nvm)) == 0);
	CHECK(bsdvm_map_min(bsdvm_vmspace_map(nvm)) == 0x20000);
	CHECK(bsdvm_map_max(bsdvm_vmspace_map(nvm)) == 0x7f000000);
	CHECK(bsdvm_vmspace_refcount(nvm) == 1);
	CHECK(stats(sys).vmspaces == n + 1);
	/* the other process keeps the old space, untouched */
	CHECK(bsdvm_proc_vmspace(p2) == vm);
	CHECK(bsdvm_vmspace_refcount(vm) == 1);
	CHECK(has(vm, 0x400000, "parent's"));
	CHECK(bsdvm_map_min(bsdvm_vmspace_map(vm)) == 0x10000);
	bsdvm_proc_destroy(p1);
	bsdvm_proc_destroy(p2);
	CHECK(stats(sys).vmspaces == n - 1);

	/* a process running in the kernel's vmspace, which is never emptied,
	 * also gets a new one; the kernel's stays as it was */
	{
		struct vmspace *kvm = bsdvm_sys_kernel(sys);
		char *before = test_map_listing(bsdvm_vmspace_map(kvm));

		CHECK_KERN(bsdvm_proc_create(sys, kvm, &p1), KERN_SUCCESS);
		l.l_proc = p1;
		uvmspace_exec(&l, 0x20000, 0x7f000000);
		nvm = bsdvm_proc_vmspace(p1);
		CHECK(nvm != kvm);
		CHECK(bsdvm_map_min(bsdvm_vmspace_map(nvm)) == 0x20000);
		CHECK(bsdvm_map_max(bsdvm_vmspace_map(nvm)) == 0x7f000000);
		CHECK(nentries(bsdvm_vmspace_map(nvm)) == 0);
		CHECK(bsdvm_vmspace_refcount(kvm) == 1);
		CHECK(unchanged(bsdvm_vmspace_map(kvm), before));
		free(before);
		bsdvm_proc_destroy(p1);
	}
}

static void test_uvmspace_fork(void)
{
	struct vmspace *vm = uvmspace_alloc(0x10000, 0x40000000), *child;
	struct vm_map *map;
	struct bsdvm_region r;
	vaddr_t cp = 0x100000, sh = 0x200000, no = 0x300000;

	CHECK(vm != NULL);
	if (vm == NULL)
		return;
	map = bsdvm_vmspace_map(vm);
	CHECK(uvm_map(map, &cp, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    MF(UVM_FLAG_FIXED | UVM_FLAG_COPYONW)) == 0);
	CHECK(uvm_map(map, &sh, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    MF_SHARED(UVM_FLAG_FIXED | UVM_FLAG_OVERLAY)) == 0);
	CHECK(uvm_map(map, &no, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_NONE, UVM_ADV_NORMAL, UVM_FLAG_FIXED)) ==
	    0);
	CHECK(put(vm, cp, "copied") && put(vm, sh, "shared") && put(vm, no, "none"));
	child = uvmspace_fork(vm);
	CHECK(child != NULL && child != vm);
	if (child != NULL) {
		struct vm_map *cmap = bsdvm_vmspace_map(child);

		CHECK(bsdvm_map_min(cmap) == 0x10000 && bsdvm_map_max(cmap) == 0x40000000);
		CHECK(bsdvm_vmspace_refcount(child) == 1);
		CHECK(bsdvm_vmspace_sys(child) == bsdvm_vmspace_sys(vm));
		CHECK(has(child, cp, "copied"));
		CHECK(put(child, cp, "child"));
		CHECK(has(vm, cp, "copied"));
		CHECK(put(vm, cp + 8, "parent"));
		CHECK(has(child, cp + 8, "") && has(child, cp, "child"));
		CHECK(has(child, sh, "shared"));
		CHECK(put(child, sh, "both"));
		CHECK(has(vm, sh, "both"));
		CHECK(!query(cmap, no, &r));
		CHECK_MAP(cmap);
		uvmspace_free(child);
	}
	CHECK(has(vm, cp, "copied") && has(vm, no, "none"));
	uvmspace_free(vm);
}

static void test_uvmspace_free(void)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();
	uint64_t n = stats(sys).vmspaces, frames_free;
	struct vmspace *vm = uvmspace_alloc(0x10000, 0x40000000);

	CHECK(vm != NULL);
	if (vm == NULL)
		return;
	frames_free = stats(sys).free;
	CHECK(map_fixed(bsdvm_vmspace_map(vm), 0x100000, 4 * PG, 0) == 0);
	CHECK(put(vm, 0x100000, "a") && put(vm, 0x100000 + 3 * PG, "b"));
	bsdvm_vmspace_reference(vm);
	CHECK(bsdvm_vmspace_refcount(vm) == 2);
	uvmspace_free(vm); /* not the last: still there, still usable */
	CHECK(bsdvm_vmspace_refcount(vm) == 1);
	CHECK(stats(sys).vmspaces == n + 1);
	CHECK(has(vm, 0x100000, "a"));
	uvmspace_free(vm); /* the last: gone with its memory */
	CHECK(stats(sys).vmspaces == n);
	CHECK(stats(sys).free == frames_free);
}

static void test_uvmspace_share(void)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();
	struct proc *p1, *p2;
	struct vmspace *vm1, *vm2;
	struct bsdvm_rlimits lim1, lim2, got;
	uint64_t n;

	CHECK_KERN(bsdvm_proc_create(sys, NULL, &p1), KERN_SUCCESS);
	CHECK_KERN(bsdvm_proc_create(sys, NULL, &p2), KERN_SUCCESS);
	vm1 = bsdvm_proc_vmspace(p1);
	vm2 = bsdvm_proc_vmspace(p2);
	CHECK(vm1 != vm2);
	n = stats(sys).vmspaces;
	lim1.stack = lim1.vmem = BSDVM_RLIM_INFINITY;
	lim2 = lim1;
	lim1.memlock = 0x1000;
	lim2.memlock = 0x100000;
	bsdvm_proc_set_limits(p1, &lim1);
	bsdvm_proc_set_limits(p2, &lim2);
	/* also while a third holder keeps a reference, the shared space
	 * obeys p2's limits from now on */
	bsdvm_vmspace_reference(vm1);
	uvmspace_share(p1, p2);
	bsdvm_vmspace_get_limits(vm1, &got);
	CHECK_EQ_U64(got.memlock, 0x100000);
	uvmspace_free(vm1);
	CHECK(bsdvm_proc_vmspace(p2) == vm1);
	CHECK(bsdvm_vmspace_refcount(vm1) == 2);
	CHECK(stats(sys).vmspaces == n - 1); /* p2's old space had no other user */
	(void)vm2;
	/* one address space: a mapping made through one is the other's */
	CHECK(map_fixed(bsdvm_vmspace_map(bsdvm_proc_vmspace(p1)), 0x400000, PG, 0) == 0);
	CHECK(put(bsdvm_proc_vmspace(p1), 0x400000, "one space"));
	CHECK(has(bsdvm_proc_vmspace(p2), 0x400000, "one space"));
	bsdvm_proc_destroy(p1);
	CHECK(has(bsdvm_proc_vmspace(p2), 0x400000, "one space"));
	CHECK(bsdvm_vmspace_refcount(vm1) == 1);
	bsdvm_proc_destroy(p2);
	CHECK(stats(sys).vmspaces == n - 2);
}

/* ------------------------------------------------------------------ */
/* u-areas */

static void check_uarea(struct bsdvm_sys *sys, vaddr_t a)
{
	struct vmspace *kvm = bsdvm_sys_kernel(sys);
	struct vm_map *kmap = bsdvm_vmspace_map(kvm);
	const vsize_t size = bsdvm_uarea_size(sys);
	struct bsdvm_region r;

	CHECK(a != 0 && a % PG == 0);
	CHECK(a >= bsdvm_map_min(kmap) && a + size <= bsdvm_map_max(kmap));
	CHECK(size >= PG && size % PG == 0);
	CHECK(bsdvm_map_check_protection(kmap, a, a + size, VM_PROT_RW));
	CHECK(query(kmap, a, &r) && r.wired_count > 0);
	for (vaddr_t v = a; v < a + size; v += PG)
		CHECK(bsdvm_vmspace_resident(kvm, v));
	/* a kernel stack: usable, with nothing accessible just below it */
	CHECK(put(kvm, a + size - 16, "pcb"));
	CHECK(has(kvm, a + size - 16, "pcb"));
	CHECK(bsdvm_fault(kmap, a - PG, VM_PROT_READ) != KERN_SUCCESS);
}

static void test_uarea(void)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();
	struct vm_map *kmap = bsdvm_vmspace_map(bsdvm_sys_kernel(sys));
	const vsize_t size = bsdvm_uarea_size(sys);
	uint64_t wired = stats(sys).wired, ents = nentries(kmap);
	struct bsdvm_region r;
	vaddr_t a = uvm_uarea_alloc(), b = uvm_uarea_alloc();

	check_uarea(sys, a);
	check_uarea(sys, b);
	CHECK(a != b && (a + size <= b || b + size <= a));
	CHECK(stats(sys).wired == wired + 2 * size / PG);
	uvm_uarea_free(a);
	CHECK(!query(kmap, a, &r) && !query(kmap, a + size - PG, &r));
	CHECK(stats(sys).wired == wired + size / PG);
	check_uarea(sys, b);
	uvm_uarea_free(b);
	CHECK(stats(sys).wired == wired);
	CHECK(nentries(kmap) == ents);
	CHECK_MAP(kmap);
}

static void test_uarea_system(void)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();
	struct vm_map *kmap = bsdvm_vmspace_map(bsdvm_sys_kernel(sys));
	const vsize_t size = bsdvm_uarea_size(sys);
	uint64_t wired = stats(sys).wired, ents = nentries(kmap);
	struct bsdvm_region r;
	vaddr_t k = uvm_uarea_system_alloc(), u = uvm_uarea_alloc();

	check_uarea(sys, k);
	check_uarea(sys, u);
	CHECK(k + size <= u || u + size <= k);
	uvm_uarea_system_free(k);
	CHECK(!query(kmap, k, &r));
	check_uarea(sys, u);
	uvm_uarea_free(u);
	CHECK(stats(sys).wired == wired);
	CHECK(nentries(kmap) == ents);
	/* many kernel threads */
	{
		vaddr_t t[16];

		for (int i = 0; i < 16; i++) {
			t[i] = uvm_uarea_system_alloc();
			CHECK(t[i] != 0);
		}
		for (int i = 0; i < 16; i++)
			uvm_uarea_system_free(t[i]);
	}
	CHECK(stats(sys).wired == wired);
	CHECK(nentries(kmap) == ents);
	uvm_uarea_system_free(0); /* nothing */
	uvm_uarea_free(0);
	CHECK_MAP(kmap);
}

/* ------------------------------------------------------------------ */
/* Systems */

/* bsdvm_kern_to_errno: the table of bsdvm_init(3), row by row. */
static void test_kern_to_errno(void)
{
	CHECK(bsdvm_kern_to_errno(KERN_SUCCESS) == 0);
	CHECK(bsdvm_kern_to_errno(KERN_INVALID_ADDRESS) == ENOMEM);
	CHECK(bsdvm_kern_to_errno(KERN_NO_SPACE) == ENOMEM);
	CHECK(bsdvm_kern_to_errno(KERN_RESOURCE_SHORTAGE) == ENOMEM);
	CHECK(bsdvm_kern_to_errno(KERN_PROTECTION_FAILURE) == EACCES);
	CHECK(bsdvm_kern_to_errno(KERN_WOULD_BLOCK) == EAGAIN);
	CHECK(bsdvm_kern_to_errno(KERN_FAILURE) == EFAULT);
	CHECK(bsdvm_kern_to_errno(KERN_INVALID_ARGUMENT) == EINVAL);
	CHECK(bsdvm_kern_to_errno(KERN_OUT_OF_BOUNDS) == EINVAL);
	CHECK(bsdvm_kern_to_errno(12345) == EINVAL);
}

static void test_default_system(void)
{
	struct bsdvm_sys_params sp = { .frames = 8192 };
	struct bsdvm_sys *s1;

	/* no default system yet: the context-free functions have nothing */
	CHECK(bsdvm_default_sys() == NULL);
	CHECK(uvmspace_alloc(0x10000, 0x40000000) == NULL);
	CHECK(uvm_uarea_alloc() == 0);
	CHECK(uvm_uarea_system_alloc() == 0);
	uvm_uarea_free(0x1000);
	CHECK_KERN(bsdvm_init(NULL), KERN_SUCCESS);
	s1 = bsdvm_default_sys();
	CHECK(s1 != NULL);
	CHECK_KERN(bsdvm_init(NULL), KERN_FAILURE); /* once */
	CHECK(bsdvm_default_sys() == s1);
	uvm_init(); /* already there: nothing */
	CHECK(bsdvm_default_sys() == s1);
	bsdvm_fini();
	CHECK(bsdvm_default_sys() == NULL);
	uvm_init();
	CHECK(bsdvm_default_sys() != NULL);
	bsdvm_fini();
	/* with parameters */
	CHECK_KERN(bsdvm_init(&sp), KERN_SUCCESS);
	CHECK(bsdvm_default_sys() != NULL && stats(bsdvm_default_sys()).frames == 8192);
}

static void test_systems_side_by_side(void)
{
	struct bsdvm_sys *a = sys_new(false, 0), *b = sys_new(false, 16384);
	struct bsdvm_sys_stats da0 = stats(bsdvm_default_sys());
	struct vmspace *va, *vb;
	vaddr_t ua, ub, s;

	CHECK(a != b && bsdvm_sys_page_size(a) == 4096 && bsdvm_sys_page_size(b) == 16384);
	CHECK(bsdvm_sys_kernel(a) != bsdvm_sys_kernel(b));
	CHECK_KERN(bsdvm_vmspace_create(a, UMIN, UMAX, 0, &va), KERN_SUCCESS);
	CHECK_KERN(bsdvm_vmspace_create(b, UMIN, UMAX, 0, &vb), KERN_SUCCESS);
	/* the same address in each: separate memory */
	CHECK(map_fixed(bsdvm_vmspace_map(va), 0x400000, PG, 0) == 0);
	CHECK(map_fixed(bsdvm_vmspace_map(vb), 0x400000, 4 * PG, 0) == 0);
	CHECK(map_fixed(bsdvm_vmspace_map(vb), 0x500000, PG, 0) == EINVAL); /* b's pages are 16 KiB */
	CHECK(put(va, 0x400000, "in a") && put(vb, 0x400000, "in b"));
	CHECK(has(va, 0x400000, "in a") && has(vb, 0x400000, "in b"));
	/* u-areas in each kernel */
	ua = bsdvm_uarea_alloc(a, false);
	ub = bsdvm_uarea_alloc(b, true);
	check_uarea(a, ua);
	CHECK(ub != 0 && bsdvm_map_check_protection(bsdvm_vmspace_map(bsdvm_sys_kernel(b)), ub,
	    ub + bsdvm_uarea_size(b), VM_PROT_RW));
	/* their counters are their own */
	CHECK(stats(a).vmspaces == 2 && stats(b).vmspaces == 2);
	CHECK(stats(a).resident >= 1 && stats(b).resident >= 1);
	CHECK(stats(bsdvm_default_sys()).vmspaces == da0.vmspaces);
	CHECK(stats(bsdvm_default_sys()).resident == da0.resident);
	/* the NetBSD functions act on the map they are given */
	s = UMIN;
	CHECK(uvm_map(bsdvm_vmspace_map(vb), &s, 16384, NULL, UVM_UNKNOWN_OFFSET, 0, MF(0)) == 0);
	CHECK(uvm_map_pageable(bsdvm_vmspace_map(vb), s, s + 16384, false, 0) == 0);
	CHECK(stats(b).wired >= 1 && stats(a).wired == bsdvm_uarea_size(a) / PG);
	/* freeing in one kernel leaves the other's alone */
	bsdvm_uarea_free(a, ua, false);
	CHECK(bsdvm_map_check_protection(bsdvm_vmspace_map(bsdvm_sys_kernel(b)), ub,
	    ub + bsdvm_uarea_size(b), VM_PROT_RW));
	CHECK(has(bsdvm_sys_kernel(b), ub, "") && put(bsdvm_sys_kernel(b), ub, "b's stack"));
	bsdvm_uarea_free(b, ub, true);
	bsdvm_vmspace_free(va);
	bsdvm_vmspace_free(vb);
	CHECK(stats(a).vmspaces == 1 && stats(b).vmspaces == 1);
	bsdvm_sys_destroy(a);
	bsdvm_sys_destroy(b);
}

/* ------------------------------------------------------------------ */
/* Bad arguments */

static void test_errors_uvm_map(void)
{
	struct fx f;
	struct vm_object *obj;
	char *before;
	const uvm_flag_t base = MF(0);
	struct {
		vaddr_t start;
		vsize_t size;
		bool with_object;
		voff_t off;
		vsize_t align;
		uvm_flag_t flags;
		int want;
	} cases[] = {
		{ UMIN, PG + 1, false, UVM_UNKNOWN_OFFSET, 0, base, EINVAL },
		{ UMIN, 0, false, UVM_UNKNOWN_OFFSET, 0, base, EINVAL },
		{ UMIN, (vsize_t)0 - PG, false, UVM_UNKNOWN_OFFSET, 0, base, ENOMEM },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 3 * PG, base, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, PG, base | UVM_FLAG_FIXED, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0,
		  base | UVM_FLAG_NOWAIT | UVM_FLAG_WAITVA, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0, base | UVM_FLAG_UNMAP, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0,
		  base | UVM_FLAG_UNMAP | UVM_FLAG_FIXED | UVM_FLAG_NOWAIT, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0, base | UVM_FLAG_VAONLY, EINVAL },
		/* a colour the system does not have (it has one) */
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 1, base | UVM_FLAG_COLORMATCH, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0, base | 0x10000000u, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0, base | 0x80000000u, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0, base | 0x8u, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0, base | 0x80u, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0, base | 0x800u, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0, base | 0x8000u, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0,
		  UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_DONATE, UVM_ADV_NORMAL, 0), EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0,
		  UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_COPY, 6, 0), EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0,
		  UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_R, UVM_INH_COPY, UVM_ADV_NORMAL, 0), EACCES },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, 0,
		  UVM_MAPFLAG(UVM_PROT_X, UVM_PROT_NONE, UVM_INH_COPY, UVM_ADV_NORMAL, 0), EACCES },
		{ UMIN + 1, PG, false, UVM_UNKNOWN_OFFSET, 0, base | UVM_FLAG_FIXED, EINVAL },
		{ UMIN - PG, PG, false, UVM_UNKNOWN_OFFSET, 0, base | UVM_FLAG_FIXED, ENOMEM },
		{ UMAX, PG, false, UVM_UNKNOWN_OFFSET, 0, base | UVM_FLAG_FIXED, ENOMEM },
		{ (vaddr_t)0 - PG, 2 * PG, false, UVM_UNKNOWN_OFFSET, 0, base | UVM_FLAG_FIXED,
		  EINVAL },
		{ UMIN + 8 * PG, PG, false, UVM_UNKNOWN_OFFSET, 0, base | UVM_FLAG_FIXED, ENOMEM },
		{ UMIN, PG, true, 0x123, 0, base, EINVAL },
		{ UMIN, PG, false, UVM_UNKNOWN_OFFSET, (vsize_t)1 << 40, base, ENOMEM },
		{ UMAX, PG, false, UVM_UNKNOWN_OFFSET, 0, base, ENOMEM },
		{ UMIN, PG, true, 0, 0, base, 0 },
	};

	fx_init(&f);
	CHECK_KERN(bsdvm_object_anon(f.sys, 4 * PG, &obj), KERN_SUCCESS);
	CHECK(map_fixed(f.map, UMIN + 8 * PG, PG, 0) == 0);
	before = test_map_listing(f.map);
	CHECK(uvm_map(NULL, &(vaddr_t){ UMIN }, PG, NULL, UVM_UNKNOWN_OFFSET, 0, base) == EINVAL);
	CHECK(uvm_map(f.map, NULL, PG, NULL, UVM_UNKNOWN_OFFSET, 0, base) == EINVAL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		vaddr_t s = cases[i].start;
		int rv;

		if (cases[i].with_object)
			bsdvm_object_reference(obj);
		rv = uvm_map(f.map, &s, cases[i].size, cases[i].with_object ? obj : NULL,
		    cases[i].off, cases[i].align, cases[i].flags);
		if (rv != cases[i].want)
			fprintf(stderr, "uvm_map case %zu: %d, expected %d\n", i, rv, cases[i].want);
		CHECK(rv == cases[i].want);
		if (rv != 0) {
			CHECK(s == cases[i].start);
			CHECK(unchanged(f.map, before));
			if (cases[i].with_object)
				bsdvm_object_deallocate(obj);
		}
	}
	CHECK(bsdvm_object_refcount(obj) == 2);
	bsdvm_object_deallocate(obj);
	free(before);
	fx_fini(&f);
}

static void test_errors_unmap(void)
{
	struct fx f;
	char *before;
	const vaddr_t s = 0x300000;

	fx_init(&f);
	CHECK(map_fixed(f.map, s, 4 * PG, 0) == 0);
	before = test_map_listing(f.map);
	uvm_unmap(NULL, s, s + PG);
	uvm_unmap(f.map, s + PG, s + PG);       /* empty */
	uvm_unmap(f.map, s + 2 * PG, s + PG);   /* reversed */
	uvm_unmap(f.map, s + 1, s + 2 * PG);    /* unaligned */
	uvm_unmap(f.map, s, s + PG + 1);
	uvm_unmap(f.map, UMIN - PG, s + PG);    /* outside the map */
	uvm_unmap(f.map, s, UMAX + PG);
	uvm_unmap1(f.map, s, s + PG, UVM_FLAG_FIXED); /* not an unmap flag */
	uvm_unmap1(f.map, s, s + PG, 0x40);
	uvm_unmap1(NULL, s, s + PG, UVM_FLAG_VAONLY);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_errors_pageable(void)
{
	struct fx f;
	struct vm_map *plain = test_map_new(UMIN, UMAX, 0);
	char *before;
	const vaddr_t s = 0x300000;

	fx_init(&f);
	CHECK(map_fixed(f.map, s, 4 * PG, 0) == 0);
	CHECK(map_fixed(plain, s, 4 * PG, 0) == 0);
	before = test_map_listing(f.map);
	CHECK(uvm_map_pageable(NULL, s, s + PG, false, 0) == EINVAL);
	CHECK(uvm_map_pageable(f.map, s, s + PG, false, 0x4) == EINVAL);
	CHECK(uvm_map_pageable(f.map, s + 1, s + PG, false, 0) == EINVAL);
	CHECK(uvm_map_pageable(f.map, s, s + PG + 1, false, 0) == EINVAL);
	CHECK(uvm_map_pageable(f.map, s + PG, s, false, 0) == EINVAL);
	CHECK(uvm_map_pageable(f.map, s, UMAX + PG, false, 0) == EINVAL);
	CHECK(uvm_map_pageable(f.map, (vaddr_t)0 - PG, 0, false, 0) == EINVAL);
	CHECK(uvm_map_pageable(plain, s, s + PG, false, 0) == EINVAL); /* nothing to wire */
	CHECK(unchanged(f.map, before));
	/* no lock left behind by any of them */
	CHECK(bsdvm_map_trylock(f.map));
	bsdvm_map_unlock(f.map);
	free(before);
	bsdvm_map_destroy(plain);
	fx_fini(&f);
}

static void test_errors_checkprot(void)
{
	struct fx f;
	const vaddr_t s = 0x300000;

	fx_init(&f);
	CHECK(map_fixed(f.map, s, 4 * PG, 0) == 0);
	bsdvm_map_lock_read(f.map);
	CHECK(!uvm_map_checkprot(NULL, s, s + PG, VM_PROT_READ));
	CHECK(!uvm_map_checkprot(f.map, s + 1, s + PG, VM_PROT_READ));
	CHECK(!uvm_map_checkprot(f.map, s, s + PG + 1, VM_PROT_READ));
	CHECK(!uvm_map_checkprot(f.map, s + PG, s, VM_PROT_READ));
	CHECK(!uvm_map_checkprot(f.map, UMIN - PG, s + PG, VM_PROT_READ));
	CHECK(!uvm_map_checkprot(f.map, s, s + PG, 0x10));
	CHECK(uvm_map_checkprot(f.map, s, s + PG, VM_PROT_READ));
	bsdvm_map_unlock_read(f.map);
	fx_fini(&f);
}

static void test_errors_protect(void)
{
	struct fx f;
	char *before;
	const vaddr_t s = 0x300000;

	fx_init(&f);
	CHECK(uvm_map(f.map, &(vaddr_t){ s }, 4 * PG, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RW, UVM_INH_COPY, UVM_ADV_NORMAL, UVM_FLAG_FIXED)) == 0);
	before = test_map_listing(f.map);
	CHECK(uvm_map_protect(NULL, s, s + PG, VM_PROT_READ, false) == EINVAL);
	CHECK(uvm_map_protect(f.map, s + 1, s + PG, VM_PROT_READ, false) == EINVAL);
	CHECK(uvm_map_protect(f.map, s, s + PG + 1, VM_PROT_READ, false) == EINVAL);
	CHECK(uvm_map_protect(f.map, s + PG, s, VM_PROT_READ, false) == EINVAL);
	CHECK(uvm_map_protect(f.map, UMIN - PG, s, VM_PROT_READ, false) == EINVAL);
	CHECK(uvm_map_protect(f.map, s, s + PG, 0x10, false) == EINVAL);
	CHECK(uvm_map_protect(f.map, s, s + PG, 0x10, true) == EINVAL);
	CHECK(uvm_map_protect(f.map, s, s + PG, VM_PROT_ALL, false) == EACCES);
	CHECK(uvm_map_protect(f.map, s, s + PG, VM_PROT_ALL, true) == EACCES);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_errors_deallocate(void)
{
	struct fx f;
	char *before;
	const vaddr_t s = 0x300000;

	fx_init(&f);
	CHECK(map_fixed(f.map, s, 4 * PG, 0) == 0);
	before = test_map_listing(f.map);
	CHECK(uvm_deallocate(NULL, s, PG) == EINVAL);
	CHECK(uvm_deallocate(f.map, (vaddr_t)0 - PG, 2 * PG) == EINVAL); /* wraps */
	CHECK(uvm_deallocate(f.map, s, (vsize_t)0 - 1) == EINVAL);
	CHECK(uvm_deallocate(f.map, UMIN - PG, 2 * PG) == EINVAL);       /* outside */
	CHECK(uvm_deallocate(f.map, UMAX - PG, 2 * PG) == EINVAL);
	CHECK(unchanged(f.map, before));
	free(before);
	fx_fini(&f);
}

static void test_errors_uvmspace(void)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();
	uint64_t n = stats(sys).vmspaces;
	struct proc *p;
	struct lwp l = { NULL };
	struct vmspace *vm;
	char *before;

	CHECK(uvmspace_alloc(0x40000000, 0x10000) == NULL);
	CHECK(uvmspace_alloc(0x10000, 0x10000) == NULL);
	CHECK(uvmspace_alloc(0x10001, 0x40000000) == NULL);
	CHECK(uvmspace_alloc(0x10000, 0x40000001) == NULL);
	CHECK(uvmspace_fork(NULL) == NULL);
	uvmspace_free(NULL);
	CHECK(stats(sys).vmspaces == n);
	CHECK_KERN(bsdvm_proc_create(sys, NULL, &p), KERN_SUCCESS);
	vm = bsdvm_proc_vmspace(p);
	CHECK(map_fixed(bsdvm_vmspace_map(vm), 0x400000, PG, 0) == 0);
	before = test_map_listing(bsdvm_vmspace_map(vm));
	uvmspace_share(NULL, p);
	uvmspace_share(p, NULL);
	CHECK(bsdvm_proc_vmspace(p) == vm);
	uvmspace_exec(NULL, 0x10000, 0x40000000);
	uvmspace_exec(&l, 0x10000, 0x40000000); /* no process */
	l.l_proc = p;
	uvmspace_exec(&l, 0x40000000, 0x10000); /* a bad range: nothing happens */
	uvmspace_exec(&l, 0x10001, 0x40000000);
	CHECK(bsdvm_proc_vmspace(p) == vm);
	CHECK(unchanged(bsdvm_vmspace_map(vm), before));
	free(before);
	bsdvm_proc_destroy(p);
	CHECK(stats(sys).vmspaces == n);
}

int main(void)
{
	/* the default system first: it must not exist yet */
	test_kern_to_errno();
	test_default_system();
	/* uvm_map */
	test_map_establishes();
	test_map_takes_lock();
	test_map_size();
	test_map_null_unknown_offset();
	test_map_null_offset_prefer();
	test_map_obj_unknown_offset();
	test_map_obj_offset();
	test_map_startp();
	test_map_align();
	test_map_align_pow2();
	test_map_return_values();
	test_mapflag_layout();
	test_mapflag_extract();
	test_mapflag_prot();
	test_mapflag_inherit();
	test_mapflag_advice();
	test_flag_fixed();
	test_flag_overlay();
	test_flag_nomerge();
	test_flag_copyonw();
	test_flag_amappad();
	test_flag_trylock();
	test_flag_nowait();
	test_flag_quantum();
	test_flag_waitva();
	test_flag_vaonly();
	test_flag_unmap();
	test_flag_colormatch();
	/* the rest of the page */
	test_unmap();
	test_unmap_takes_lock();
	test_pageable();
	test_pageable_errors();
	test_pageable_lockflags();
	test_checkprot();
	test_protect();
	test_protect_set_max();
	test_deallocate();
	test_uvmspace_alloc();
	test_uvmspace_exec_reuse();
	test_uvmspace_exec_new();
	test_uvmspace_fork();
	test_uvmspace_free();
	test_uvmspace_share();
	test_uarea();
	test_uarea_system();
	test_systems_side_by_side();
	/* bad arguments */
	test_errors_uvm_map();
	test_errors_unmap();
	test_errors_pageable();
	test_errors_checkprot();
	test_errors_protect();
	test_errors_deallocate();
	test_errors_uvmspace();
	{
		struct bsdvm_sys_stats st = stats(bsdvm_default_sys());

		CHECK(st.vmspaces == 1); /* only the kernel's is left */
		CHECK(st.objects == 0 && st.anons == 0 && st.amaps == 0);
	}
	bsdvm_fini();
	CHECK(bsdvm_default_sys() == NULL);
	return test_main_exit("test_compat_netbsd");
}
