/*
 * test_mem_stack.c - growable stacks: bsdvm_map_stack and
 * bsdvm_map_growstack (FreeBSD vm_map_stack(9) / vm_map_growstack(9)
 * semantics as include/bsdvm/vmspace.h states them).
 *
 *  - GROWS_DOWN and GROWS_UP reservations: the stack entry of sgrowsiz at
 *    the growing end and the stack-gap guard over the rest; touching just
 *    past the stack grows it one step at a time up to the guard page;
 *    a jump grows it in one entry rounded to whole steps;
 *  - the guard page: KERN_PROTECTION_FAILURE for accesses, KERN_NO_SPACE
 *    from growstack;
 *  - RLIMIT_STACK for the main stack ([maxsaddr, stacktop)), set on the
 *    vmspace and through a process, with clamping; RLIMIT_VMEM;
 *  - every error code of bsdvm_map_stack, each leaving the map unchanged;
 *  - growstack outside any stack gap; stacks in a plain map;
 *  - growth keeps the stack's original protection after an mprotect;
 *  - no guard, two guard pages, reservations smaller than a step.
 *
 * Every mutating step is followed by vm_map_check; every scenario ends with
 * all vmspaces freed, the system's counters at zero and, after
 * bsdvm_sys_destroy, no live allocation.
 */
#include <bsdvm/vmspace.h>

#include "memtest.h"

/* ------------------------------------------------------------------ */
/* helpers (the common ones are in support/memtest.h) */


#define STACK_FLAGS                                                              \
	(MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP | MAP_ENTRY_GUARD |          \
	 MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP)
#define GAP_DN (MAP_ENTRY_GUARD | MAP_ENTRY_STACK_GAP_DN)
#define GAP_UP (MAP_ENTRY_GUARD | MAP_ENTRY_STACK_GAP_UP)

/* A system with the stack knobs set. */
static struct bsdvm_sys *stack_sys(bsdvm_size_t page, bsdvm_size_t sgrowsiz,
    unsigned guard_pages, bool no_guard)
{
	struct bsdvm_sys_params p;
	struct bsdvm_sys *s = NULL;

	memset(&p, 0, sizeof(p));
	p.page_size = page;
	p.frames = 256;
	p.swap_pages = 256;
	p.sgrowsiz = sgrowsiz;
	p.stack_guard_pages = guard_pages;
	p.no_stack_guard = no_guard;
	if (bsdvm_sys_create(&p, &s) != KERN_SUCCESS) {
		fprintf(stderr, "bsdvm_sys_create failed\n");
		exit(2);
	}
	PG = page;
	return s;
}

/* The entry at addr is exactly [start, end) with these stack flags and
 * protections. */
static void check_entry_at(int line, struct vmspace *vm, bsdvm_addr_t addr, bsdvm_addr_t start,
    bsdvm_addr_t end, uint32_t flags, bsdvm_prot_t prot, bsdvm_prot_t max)
{
	struct bsdvm_region r;

	memset(&r, 0, sizeof(r));
	CHECK_AT(line, bsdvm_map_query(M(vm), addr, &r));
	CHECK_EQ_AT(line, r.start, start);
	CHECK_EQ_AT(line, r.end, end);
	CHECK_EQ_AT(line, r.eflags & STACK_FLAGS, flags);
	CHECK_EQ_AT(line, r.protection, prot);
	CHECK_EQ_AT(line, r.max_protection, max);
	CHECK_AT(line, r.object == NULL);
}
#define CHECK_ENTRY(vm, addr, start, end, flags, prot, max)                        \
	check_entry_at(__LINE__, (vm), (addr), (start), (end), (flags), (prot), (max))

static bsdvm_size_t map_size(struct vmspace *vm)
{
	struct bsdvm_map_stats st;

	bsdvm_map_get_stats(M(vm), &st);
	return st.size;
}

static bsdvm_size_t ssize(struct vmspace *vm)
{
	struct bsdvm_stackinfo si;

	bsdvm_vmspace_get_stackinfo(vm, &si);
	return si.ssize;
}

static void set_stackinfo(struct vmspace *vm, bsdvm_size_t sz, bsdvm_addr_t maxsaddr,
    bsdvm_addr_t top)
{
	struct bsdvm_stackinfo si = { sz, maxsaddr, top };

	bsdvm_vmspace_set_stackinfo(vm, &si);
}

static void set_limits(struct vmspace *vm, uint64_t stack, uint64_t vmem, uint64_t memlock)
{
	struct bsdvm_rlimits l = { stack, vmem, memlock };

	bsdvm_vmspace_set_limits(vm, &l);
}

/* The map's listing has not changed since `before`. */
static void same_listing_at(int line, struct vmspace *vm, const char *before)
{
	char *now = test_map_listing(M(vm));

	CHECK_AT(line, strcmp(before, now) == 0);
	if (strcmp(before, now) != 0)
		fprintf(stderr, "  before:\n%s  now:\n%s", before, now);
	free(now);
	CHECK_AT(line, vm_map_check(M(vm)));
}
#define SAME_LISTING(vm, before) same_listing_at(__LINE__, (vm), (before))

/* Writes one byte; returns the code. */
static int poke(struct vmspace *vm, bsdvm_addr_t a, uint8_t v)
{
	int rv = bsdvm_copyout(vm, &v, a, 1, NULL);

	CHECK_MAP(M(vm));
	return rv;
}

/* ------------------------------------------------------------------ */

/*
 * A GROWS_DOWN stack of 32 pages grown one step at a time by writing just
 * below its bottom, until only the guard page is left.
 */
static void test_grows_down(bsdvm_size_t page)
{
	struct bsdvm_sys *s = stack_sys(page, 4 * page, 0, false);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t base = 0x10000000, top = base + 32 * PG;
	uint8_t *m = model_new(32 * PG);
	bsdvm_addr_t bottom = top - 4 * PG;
	uint64_t entries = 2;
	uint8_t byte = 0;
	char *before;

	set_stackinfo(vm, 4 * PG, base, top);
	CHECK_KERN(bsdvm_map_stack(M(vm), base, 32 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(nentries(vm), 2);
	/* the stack: sgrowsiz bytes at the top; the gap: the rest, no access */
	CHECK_ENTRY(vm, top - 1, top - 4 * PG, top, MAP_ENTRY_GROWS_DOWN, VM_PROT_RW, VM_PROT_ALL);
	CHECK_ENTRY(vm, base, base, top - 4 * PG, GAP_DN, VM_PROT_NONE, VM_PROT_NONE);
	CHECK_EQ_U64(map_size(vm), 4 * PG); /* the gap is not counted */
	PUT(vm, m, base, top - 4 * PG, 4 * PG, 1);

	/* each write just below the bottom grows the stack by one step */
	for (;;) {
		bsdvm_addr_t want = bottom - 4 * PG;

		if (want < base + PG)
			want = base + PG; /* never into the guard page */
		if (bottom == base + PG)
			break;
		PUT(vm, m, base, bottom - 1, 1, 2);
		entries++;
		CHECK_EQ_U64(nentries(vm), entries);
		CHECK_ENTRY(vm, bottom - 1, want, bottom, MAP_ENTRY_GROWS_DOWN, VM_PROT_RW,
		    VM_PROT_ALL);
		CHECK_ENTRY(vm, base, base, want, GAP_DN, VM_PROT_NONE, VM_PROT_NONE);
		CHECK_EQ_U64(ssize(vm), top - want);
		CHECK_EQ_U64(map_size(vm), top - want);
		/* the new pages read as zeros, the old ones kept their bytes */
		bottom = want;
		VERIFY(vm, m + (bottom - base), bottom, top - bottom);
	}
	CHECK_EQ_U64(entries, 9); /* initial + 6 full steps + one clamped */
	CHECK_EQ_U64(bottom, base + PG);
	/* the guard page: every access fails, growstack says no space */
	before = test_map_listing(M(vm));
	CHECK_KERN(poke(vm, base + PG - 1, 1), KERN_PROTECTION_FAILURE);
	CHECK_KERN(poke(vm, base, 1), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_copyin(vm, base + 7, &byte, 1, NULL), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_fault(M(vm), base, VM_PROT_READ), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_growstack(M(vm), base), KERN_NO_SPACE);
	SAME_LISTING(vm, before);
	CHECK_EQ_U64(ssize(vm), 31 * PG);
	/* below the reservation nothing is mapped */
	CHECK_KERN(poke(vm, base - 1, 1), KERN_INVALID_ADDRESS);
	SAME_LISTING(vm, before);
	VERIFY(vm, m + PG, base + PG, 31 * PG);
	free(before);

	/* unmapping the whole reservation leaves nothing behind */
	CHECK_KERN(bsdvm_map_delete(M(vm), base, top), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(nentries(vm), 0);
	bsdvm_vmspace_free(vm);
	free(m);
	FINISH(s);
}

/* A fault far below the stack grows it in one go; growstack itself. */
static void test_grows_down_jump(bsdvm_size_t page)
{
	struct bsdvm_sys *s = stack_sys(page, 4 * page, 0, false);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t base = 0x10000000, top = base + 32 * PG;
	char *before;

	CHECK_KERN(bsdvm_map_stack(M(vm), base, 32 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	/* a read fault 16 pages below the stack: 16 pages, a whole number of steps */
	CHECK_KERN(bsdvm_fault(M(vm), top - 20 * PG, VM_PROT_READ), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_ENTRY(vm, top - 20 * PG, top - 20 * PG, top - 4 * PG, MAP_ENTRY_GROWS_DOWN,
	    VM_PROT_RW, VM_PROT_ALL);
	CHECK_ENTRY(vm, base, base, top - 20 * PG, GAP_DN, VM_PROT_NONE, VM_PROT_NONE);
	/* 2 pages below: rounded up to one step */
	CHECK_KERN(bsdvm_map_growstack(M(vm), top - 22 * PG + 5), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_ENTRY(vm, top - 21 * PG, top - 24 * PG, top - 20 * PG, MAP_ENTRY_GROWS_DOWN,
	    VM_PROT_RW, VM_PROT_ALL);
	CHECK_EQ_U64(nentries(vm), 4);
	/* growstack at a mapped address: success, nothing changes */
	before = test_map_listing(M(vm));
	CHECK_KERN(bsdvm_map_growstack(M(vm), top - 1), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_growstack(M(vm), top - 24 * PG), KERN_SUCCESS);
	SAME_LISTING(vm, before);
	/* a request reaching into the guard is refused whole */
	CHECK_KERN(bsdvm_map_growstack(M(vm), base + PG - 1), KERN_NO_SPACE);
	SAME_LISTING(vm, before);
	/* the largest possible request stops exactly at the guard */
	CHECK_KERN(bsdvm_map_growstack(M(vm), base + PG), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_ENTRY(vm, base + PG, base + PG, top - 24 * PG, MAP_ENTRY_GROWS_DOWN, VM_PROT_RW,
	    VM_PROT_ALL);
	CHECK_ENTRY(vm, base, base, base + PG, GAP_DN, VM_PROT_NONE, VM_PROT_NONE);
	free(before);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/* The mirror image: a GROWS_UP stack. */
static void test_grows_up(bsdvm_size_t page)
{
	struct bsdvm_sys *s = stack_sys(page, 4 * page, 0, false);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t base = 0x10000000, top = base + 32 * PG;
	uint8_t *m = model_new(32 * PG);
	bsdvm_addr_t end = base + 4 * PG;
	uint64_t entries = 2;
	char *before;

	CHECK_KERN(bsdvm_map_stack(M(vm), base, 32 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_UP), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_ENTRY(vm, base, base, base + 4 * PG, MAP_ENTRY_GROWS_UP, VM_PROT_RW, VM_PROT_ALL);
	CHECK_ENTRY(vm, top - 1, base + 4 * PG, top, GAP_UP, VM_PROT_NONE, VM_PROT_NONE);
	CHECK_EQ_U64(map_size(vm), 4 * PG);
	PUT(vm, m, base, base, 4 * PG, 1);
	while (end != top - PG) {
		bsdvm_addr_t want = end + 4 * PG;

		if (want > top - PG)
			want = top - PG;
		PUT(vm, m, base, end, 1, 2); /* the first byte above the stack */
		entries++;
		CHECK_EQ_U64(nentries(vm), entries);
		CHECK_ENTRY(vm, end, end, want, MAP_ENTRY_GROWS_UP, VM_PROT_RW, VM_PROT_ALL);
		CHECK_ENTRY(vm, top - 1, want, top, GAP_UP, VM_PROT_NONE, VM_PROT_NONE);
		CHECK_EQ_U64(map_size(vm), want - base);
		end = want;
		VERIFY(vm, m, base, end - base);
	}
	CHECK_EQ_U64(entries, 9);
	before = test_map_listing(M(vm));
	CHECK_KERN(poke(vm, top - PG, 1), KERN_PROTECTION_FAILURE);
	CHECK_KERN(poke(vm, top - 1, 1), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_fault(M(vm), top - 1, VM_PROT_WRITE), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_growstack(M(vm), top - PG), KERN_NO_SPACE);
	SAME_LISTING(vm, before);
	VERIFY(vm, m, base, 31 * PG);
	free(before);

	/* a fresh GROWS_UP stack: a jump, and a fault at its guard */
	CHECK_KERN(bsdvm_map_stack(M(vm), top, 32 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_UP), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	before = test_map_listing(M(vm));
	CHECK_KERN(poke(vm, top + 32 * PG - 1, 1), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_growstack(M(vm), top + 31 * PG), KERN_NO_SPACE);
	SAME_LISTING(vm, before);
	free(before);
	CHECK_KERN(poke(vm, top + 10 * PG, 1), KERN_SUCCESS); /* 7 pages -> 8 */
	CHECK_ENTRY(vm, top + 10 * PG, top + 4 * PG, top + 12 * PG, MAP_ENTRY_GROWS_UP,
	    VM_PROT_RW, VM_PROT_ALL);
	CHECK_ENTRY(vm, top + 12 * PG, top + 12 * PG, top + 32 * PG, GAP_UP, VM_PROT_NONE,
	    VM_PROT_NONE);
	bsdvm_vmspace_free(vm);
	free(m);
	FINISH(s);
}

/*
 * RLIMIT_STACK: the main stack (inside [maxsaddr, stacktop)) stops growing
 * at the limit: growstack says KERN_NO_SPACE, the access
 * KERN_PROTECTION_FAILURE.  Growth is clamped to the limit.  Another stack
 * is not the main stack and ignores it.  RLIMIT_VMEM bounds both.
 */
static void test_stack_limit(void)
{
	struct bsdvm_sys *s = stack_sys(4096, 4 * 4096, 0, false);
	struct vmspace *vm = new_vm(s);
	struct proc *pr = NULL;
	const bsdvm_addr_t base = 0x10000000, top = base + 32 * PG;
	const bsdvm_addr_t base2 = 0x20000000, top2 = base2 + 32 * PG;
	struct bsdvm_rlimits lim = { 10 * 4096 + 100, BSDVM_RLIM_INFINITY, BSDVM_RLIM_INFINITY };
	char *before;

	CHECK_KERN(bsdvm_map_stack(M(vm), base, 32 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	set_stackinfo(vm, 4 * PG, base, top);
	set_limits(vm, 10 * PG, BSDVM_RLIM_INFINITY, BSDVM_RLIM_INFINITY);

	CHECK_KERN(poke(vm, top - 5 * PG, 1), KERN_SUCCESS);   /* +4 pages */
	CHECK_EQ_U64(ssize(vm), 8 * PG);
	CHECK_KERN(poke(vm, top - 9 * PG, 2), KERN_SUCCESS);   /* +1 -> 4, clamped to 2 */
	CHECK_EQ_U64(ssize(vm), 10 * PG);
	CHECK_ENTRY(vm, top - 9 * PG, top - 10 * PG, top - 8 * PG, MAP_ENTRY_GROWS_DOWN,
	    VM_PROT_RW, VM_PROT_ALL);
	CHECK_ENTRY(vm, base, base, top - 10 * PG, GAP_DN, VM_PROT_NONE, VM_PROT_NONE);
	before = test_map_listing(M(vm));
	CHECK_KERN(poke(vm, top - 10 * PG - 1, 3), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_fault(M(vm), top - 11 * PG, VM_PROT_READ), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_growstack(M(vm), top - 11 * PG), KERN_NO_SPACE);
	CHECK_KERN(bsdvm_map_growstack(M(vm), top - 20 * PG), KERN_NO_SPACE);
	SAME_LISTING(vm, before);
	CHECK_EQ_U64(ssize(vm), 10 * PG);
	free(before);

	/* a process raises its limit (set through the process) */
	CHECK_KERN(bsdvm_proc_create(s, vm, &pr), KERN_SUCCESS);
	bsdvm_proc_set_limits(pr, &lim); /* 10 pages + 100 bytes: still 10 pages */
	CHECK_KERN(poke(vm, top - 10 * PG - 1, 3), KERN_PROTECTION_FAILURE);
	lim.stack = 16 * PG;
	bsdvm_proc_set_limits(pr, &lim);
	CHECK_KERN(poke(vm, top - 10 * PG - 1, 3), KERN_SUCCESS);
	CHECK_EQ_U64(ssize(vm), 14 * PG);
	CHECK_KERN(poke(vm, top - 14 * PG - 1, 4), KERN_SUCCESS);
	CHECK_EQ_U64(ssize(vm), 16 * PG);
	CHECK_KERN(poke(vm, top - 16 * PG - 1, 5), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_growstack(M(vm), top - 16 * PG - 1), KERN_NO_SPACE);
	CHECK_EQ_U64(ssize(vm), 16 * PG);
	CHECK_ENTRY(vm, base, base, top - 16 * PG, GAP_DN, VM_PROT_NONE, VM_PROT_NONE);

	/* a second stack outside [maxsaddr, stacktop): not limited */
	CHECK_KERN(bsdvm_map_stack(M(vm), base2, 32 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_KERN(poke(vm, base2 + 2 * PG, 6), KERN_SUCCESS);
	CHECK_ENTRY(vm, base2 + 2 * PG, base2 + PG, top2 - 4 * PG, MAP_ENTRY_GROWS_DOWN,
	    VM_PROT_RW, VM_PROT_ALL);
	CHECK_EQ_U64(ssize(vm), 16 * PG); /* the main stack's size is unchanged */

	/* RLIMIT_VMEM: growth may not take the map past it */
	CHECK_KERN(bsdvm_map_stack(M(vm), 0x30000000, 32 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	lim.stack = BSDVM_RLIM_INFINITY;
	lim.vmem = map_size(vm) + 3 * PG; /* less than one step */
	bsdvm_proc_set_limits(pr, &lim);
	before = test_map_listing(M(vm));
	CHECK_KERN(poke(vm, 0x30000000 + 28 * PG - 1, 7), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_growstack(M(vm), 0x30000000 + 28 * PG - 1), KERN_NO_SPACE);
	SAME_LISTING(vm, before);
	free(before);
	lim.vmem = map_size(vm) + 4 * PG;
	bsdvm_proc_set_limits(pr, &lim);
	CHECK_KERN(poke(vm, 0x30000000 + 28 * PG - 1, 7), KERN_SUCCESS);
	CHECK_EQ_U64(map_size(vm), lim.vmem);

	bsdvm_proc_destroy(pr); /* drops one reference */
	CHECK_EQ_U64(bsdvm_vmspace_refcount(vm), 1);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/* Every error code of bsdvm_map_stack; each leaves the map unchanged. */
static void test_stack_errors(void)
{
	struct bsdvm_sys *s = stack_sys(4096, 4 * 4096, 0, false);
	struct vmspace *vm = new_vm(s);
	struct vm_map *map = M(vm);
	const bsdvm_addr_t base = 0x10000000;
	const bsdvm_size_t sz = 32 * 4096;
	const uint32_t DN = MAP_ENTRY_GROWS_DOWN, UP = MAP_ENTRY_GROWS_UP;
	char *before;

	/* something to overlap with */
	MAP_AT(vm, 0x20000000, 4 * PG, 0);
	CHECK_KERN(bsdvm_map_stack(map, 0x30000000, sz, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_SUCCESS);
	CHECK_MAP(map);
	before = test_map_listing(map);

	/* cow flags: exactly one direction; nothing that contradicts a stack */
	CHECK_KERN(bsdvm_map_stack(map, base, sz, VM_PROT_RW, VM_PROT_ALL, 0),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_stack(map, base, sz, VM_PROT_RW, VM_PROT_ALL, DN | UP),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_stack(map, base, sz, VM_PROT_RW, VM_PROT_ALL,
	    DN | MAP_ENTRY_UNSPLITTABLE), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_stack(map, base, sz, VM_PROT_RW, VM_PROT_ALL,
	    DN | MAP_ENTRY_NEEDS_COPY), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_stack(map, base, sz, VM_PROT_RW, VM_PROT_ALL,
	    UP | MAP_ENTRY_GUARD), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_stack(map, base, sz, VM_PROT_RW, VM_PROT_ALL,
	    DN | MAP_ENTRY_STACK_GAP_DN), KERN_INVALID_ARGUMENT);
	SAME_LISTING(vm, before);
	/* the flags a stack may carry are applied to it (vm_map_stack(9):
	 * "Copy-on-write flags passed in cow are also applied") */
	CHECK_KERN(bsdvm_map_stack(map, base, sz, VM_PROT_RW, VM_PROT_ALL,
	    DN | MAP_ENTRY_COW | MAP_ENTRY_NOCOREDUMP), KERN_SUCCESS);
	{
		struct bsdvm_region r;

		CHECK(bsdvm_map_query(map, base + sz - PG, &r));
		CHECK((r.eflags & (DN | MAP_ENTRY_COW | MAP_ENTRY_NOCOREDUMP)) ==
		    (DN | MAP_ENTRY_COW | MAP_ENTRY_NOCOREDUMP));
	}
	CHECK_KERN(bsdvm_map_delete(map, base, base + sz), KERN_SUCCESS);
	SAME_LISTING(vm, before);
	/* protection above the maximum */
	CHECK_KERN(bsdvm_map_stack(map, base, sz, VM_PROT_RW, VM_PROT_READ, DN),
	    KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_stack(map, base, sz, VM_PROT_ALL, VM_PROT_RW, UP),
	    KERN_PROTECTION_FAILURE);
	SAME_LISTING(vm, before);
	/* out of the map's range */
	CHECK_KERN(bsdvm_map_stack(map, VM_MIN - PG, sz, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_NO_SPACE);
	CHECK_KERN(bsdvm_map_stack(map, VM_MAX - sz + PG, sz, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_NO_SPACE);
	CHECK_KERN(bsdvm_map_stack(map, VM_MAX, sz, VM_PROT_RW, VM_PROT_ALL, UP),
	    KERN_NO_SPACE);
	CHECK_KERN(bsdvm_map_stack(map, base, (bsdvm_size_t)0 - PG, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_NO_SPACE);
	SAME_LISTING(vm, before);
	/* overlap: at the bottom, inside, at the top, with another stack */
	CHECK_KERN(bsdvm_map_stack(map, 0x20000000, sz, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_NO_SPACE);
	CHECK_KERN(bsdvm_map_stack(map, 0x20000000 - 8 * PG, sz, VM_PROT_RW, VM_PROT_ALL, UP),
	    KERN_NO_SPACE);
	CHECK_KERN(bsdvm_map_stack(map, 0x20000000 + 3 * PG, sz, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_NO_SPACE);
	CHECK_KERN(bsdvm_map_stack(map, 0x20000000 - sz + PG, sz, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_NO_SPACE);
	CHECK_KERN(bsdvm_map_stack(map, 0x30000000 - 4 * PG, sz, VM_PROT_RW, VM_PROT_ALL, UP),
	    KERN_NO_SPACE); /* into the other stack's gap */
	CHECK_KERN(bsdvm_map_stack(map, 0x30000000 + 10 * PG, sz, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_NO_SPACE);
	SAME_LISTING(vm, before);
	/* guard >= size */
	CHECK_KERN(bsdvm_map_stack(map, base, PG, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_stack(map, base, PG, VM_PROT_RW, VM_PROT_ALL, UP),
	    KERN_INVALID_ARGUMENT);
	SAME_LISTING(vm, before);
	/* RLIMIT_VMEM: the initial stack must fit */
	set_limits(vm, BSDVM_RLIM_INFINITY, map_size(vm) + 3 * PG, BSDVM_RLIM_INFINITY);
	CHECK_KERN(bsdvm_map_stack(map, base, sz, VM_PROT_RW, VM_PROT_ALL, DN), KERN_NO_SPACE);
	SAME_LISTING(vm, before);
	/* ... and it fits exactly */
	set_limits(vm, BSDVM_RLIM_INFINITY, map_size(vm) + 4 * PG, BSDVM_RLIM_INFINITY);
	CHECK_KERN(bsdvm_map_stack(map, base, sz, VM_PROT_RW, VM_PROT_ALL, DN), KERN_SUCCESS);
	CHECK_MAP(map);
	free(before);
	bsdvm_vmspace_free(vm);
	FINISH(s);

	/* two guard pages: a two-page reservation is all guard */
	s = stack_sys(4096, 4 * 4096, 2, false);
	vm = new_vm(s);
	map = M(vm);
	CHECK_KERN(bsdvm_map_stack(map, base, 2 * PG, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_INVALID_ARGUMENT);
	CHECK_EQ_U64(nentries(vm), 0);
	/* three pages: a one-page stack over a two-page gap that never grows */
	CHECK_KERN(bsdvm_map_stack(map, base, 3 * PG, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_SUCCESS);
	CHECK_MAP(map);
	CHECK_ENTRY(vm, base + 2 * PG, base + 2 * PG, base + 3 * PG, MAP_ENTRY_GROWS_DOWN,
	    VM_PROT_RW, VM_PROT_ALL);
	CHECK_ENTRY(vm, base, base, base + 2 * PG, GAP_DN, VM_PROT_NONE, VM_PROT_NONE);
	CHECK_KERN(poke(vm, base + 2 * PG - 1, 1), KERN_PROTECTION_FAILURE);
	CHECK_KERN(poke(vm, base, 1), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_growstack(map, base + PG), KERN_NO_SPACE);
	/* 32 pages: growth stops two pages short */
	CHECK_KERN(bsdvm_map_stack(map, 0x20000000, sz, VM_PROT_RW, VM_PROT_ALL, DN),
	    KERN_SUCCESS);
	CHECK_KERN(poke(vm, 0x20000000 + 2 * PG, 1), KERN_SUCCESS);
	CHECK_ENTRY(vm, 0x20000000, 0x20000000, 0x20000000 + 2 * PG, GAP_DN, VM_PROT_NONE,
	    VM_PROT_NONE);
	CHECK_KERN(poke(vm, 0x20000000 + 2 * PG - 1, 1), KERN_PROTECTION_FAILURE);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/* Small reservations: the initial stack is what the guard leaves. */
static void test_stack_small(void)
{
	struct bsdvm_sys *s = stack_sys(4096, 4 * 4096, 0, false);
	struct vmspace *vm = new_vm(s);
	struct vm_map *map = M(vm);
	const bsdvm_addr_t b1 = 0x10000000, b2 = 0x20000000, b3 = 0x30000000;

	/* 3 pages < sgrowsiz + guard: a 2-page stack and the guard */
	CHECK_KERN(bsdvm_map_stack(map, b1, 3 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(map);
	CHECK_ENTRY(vm, b1 + PG, b1 + PG, b1 + 3 * PG, MAP_ENTRY_GROWS_DOWN, VM_PROT_RW,
	    VM_PROT_ALL);
	CHECK_ENTRY(vm, b1, b1, b1 + PG, GAP_DN, VM_PROT_NONE, VM_PROT_NONE);
	CHECK_KERN(poke(vm, b1 + PG - 1, 1), KERN_PROTECTION_FAILURE);
	/* exactly sgrowsiz + guard: a full step and the guard */
	CHECK_KERN(bsdvm_map_stack(map, b2, 5 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_UP), KERN_SUCCESS);
	CHECK_MAP(map);
	CHECK_ENTRY(vm, b2, b2, b2 + 4 * PG, MAP_ENTRY_GROWS_UP, VM_PROT_RW, VM_PROT_ALL);
	CHECK_ENTRY(vm, b2 + 4 * PG, b2 + 4 * PG, b2 + 5 * PG, GAP_UP, VM_PROT_NONE,
	    VM_PROT_NONE);
	CHECK_KERN(poke(vm, b2 + 4 * PG, 1), KERN_PROTECTION_FAILURE);
	CHECK_EQ_U64(map_size(vm), 6 * PG);
	/* NOCOREDUMP is carried by the stack and by what it grows */
	CHECK_KERN(bsdvm_map_stack(map, b3, 16 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_NOCOREDUMP), KERN_SUCCESS);
	CHECK_MAP(map);
	CHECK_KERN(poke(vm, b3 + 11 * PG, 1), KERN_SUCCESS);
	{
		struct bsdvm_region r;

		CHECK(bsdvm_map_query(map, b3 + 15 * PG, &r) &&
		    (r.eflags & MAP_ENTRY_NOCOREDUMP) != 0);
		CHECK(bsdvm_map_query(map, b3 + 11 * PG, &r) &&
		    (r.eflags & MAP_ENTRY_NOCOREDUMP) != 0 &&
		    (r.eflags & MAP_ENTRY_GROWS_DOWN) != 0);
	}
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/* No guard at all: growth may consume the whole gap, which then goes. */
static void test_no_guard(void)
{
	struct bsdvm_sys *s = stack_sys(4096, 4 * 4096, 0, true);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t base = 0x10000000;

	CHECK_KERN(bsdvm_map_stack(M(vm), base, 8 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_ENTRY(vm, base, base, base + 4 * PG, GAP_DN, VM_PROT_NONE, VM_PROT_NONE);
	CHECK_KERN(poke(vm, base, 1), KERN_SUCCESS);
	CHECK_EQ_U64(nentries(vm), 2);
	CHECK_ENTRY(vm, base, base, base + 4 * PG, MAP_ENTRY_GROWS_DOWN, VM_PROT_RW,
	    VM_PROT_ALL);
	CHECK_KERN(poke(vm, base - 1, 1), KERN_INVALID_ADDRESS);
	/* a one-page reservation is a one-page stack without a gap */
	CHECK_KERN(bsdvm_map_stack(M(vm), 0x20000000, PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_UP), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(nentries(vm), 3);
	CHECK_KERN(poke(vm, 0x20000000, 1), KERN_SUCCESS);
	CHECK_KERN(poke(vm, 0x20000000 + PG, 1), KERN_INVALID_ADDRESS);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/* bsdvm_map_growstack outside a stack gap: nothing to do, success. */
static void test_growstack_nop(void)
{
	struct bsdvm_sys *s = stack_sys(4096, 4 * 4096, 0, false);
	struct vmspace *vm = new_vm(s);
	struct vm_map *map = M(vm);
	struct bsdvm_entry_attrs g = bsdvm_attrs_anon(VM_PROT_NONE, VM_PROT_NONE);
	char *before;

	MAP_AT(vm, 0x20000000, 4 * PG, 0);
	g.eflags = MAP_ENTRY_GUARD;
	CHECK_KERN(bsdvm_map_insert(map, 0x21000000, 0x21000000 + 2 * PG, &g), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_stack(map, 0x30000000, 16 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(map);
	before = test_map_listing(map);
	CHECK_KERN(bsdvm_map_growstack(map, 0x20000000 + PG), KERN_SUCCESS); /* anon entry */
	CHECK_KERN(bsdvm_map_growstack(map, 0x30000000 + 15 * PG), KERN_SUCCESS); /* stack */
	CHECK_KERN(bsdvm_map_growstack(map, 0x10000000), KERN_SUCCESS);  /* unmapped */
	CHECK_KERN(bsdvm_map_growstack(map, 0x30000000 + 16 * PG), KERN_SUCCESS);
	SAME_LISTING(vm, before);
	/* a plain guard is not a stack gap: faults fail, growstack does nothing */
	CHECK_KERN(poke(vm, 0x21000000, 1), KERN_PROTECTION_FAILURE);
	SAME_LISTING(vm, before);
	free(before);

	/* a gap whose stack was unmapped cannot grow */
	CHECK_KERN(bsdvm_map_delete(map, 0x30000000 + 12 * PG, 0x30000000 + 16 * PG),
	    KERN_SUCCESS);
	CHECK_MAP(map);
	before = test_map_listing(map);
	CHECK_KERN(bsdvm_map_growstack(map, 0x30000000 + 11 * PG), KERN_FAILURE);
	CHECK_KERN(poke(vm, 0x30000000 + 11 * PG, 1), KERN_PROTECTION_FAILURE);
	SAME_LISTING(vm, before);
	free(before);

	/* a plain map (no vmspace) grows its stacks too */
	{
		struct vm_map *pm = test_map_new(0x10000, 0x100000000ull, 4096);
		struct bsdvm_region r;

		CHECK_KERN(bsdvm_map_stack(pm, 0x10000000, 64 * PG, VM_PROT_RW, VM_PROT_ALL,
		    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
		CHECK_MAP(pm);
		CHECK_KERN(bsdvm_map_growstack(pm, 0x10000000 + 2 * PG), KERN_SUCCESS);
		CHECK_MAP(pm);
		CHECK(bsdvm_map_query(pm, 0x10000000 + 2 * PG, &r));
		CHECK((r.eflags & MAP_ENTRY_GROWS_DOWN) != 0 && r.protection == VM_PROT_RW);
		CHECK(bsdvm_map_query(pm, 0x10000000, &r) && (r.eflags & GAP_DN) == GAP_DN);
		bsdvm_map_destroy(pm);
	}
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/*
 * Growth uses the protection the stack was created with, even after the
 * current stack entry was re-protected; the inheritance comes from the
 * stack entry.
 */
static void test_grow_prot(void)
{
	struct bsdvm_sys *s = stack_sys(4096, 4 * 4096, 0, false);
	struct vmspace *vm = new_vm(s), *c;
	const bsdvm_addr_t d = 0x10000000, dtop = d + 32 * PG, u = 0x20000000;
	uint8_t byte = 0;

	/* down */
	CHECK_KERN(bsdvm_map_stack(M(vm), d, 32 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_KERN(poke(vm, dtop - 1, 9), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_protect(M(vm), dtop - 4 * PG, dtop, VM_PROT_READ, VM_PROT_READ,
	    BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_ENTRY(vm, dtop - 1, dtop - 4 * PG, dtop, MAP_ENTRY_GROWS_DOWN, VM_PROT_READ,
	    VM_PROT_READ);
	CHECK_KERN(poke(vm, dtop - 1, 1), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_copyin(vm, dtop - 1, &byte, 1, NULL), KERN_SUCCESS);
	CHECK_EQ_U64(byte, 9);
	CHECK_KERN(bsdvm_map_inherit(M(vm), dtop - 4 * PG, dtop, VM_INHERIT_SHARE),
	    KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_KERN(poke(vm, dtop - 4 * PG - 1, 2), KERN_SUCCESS); /* grows, writable */
	CHECK_ENTRY(vm, dtop - 5 * PG, dtop - 8 * PG, dtop - 4 * PG, MAP_ENTRY_GROWS_DOWN,
	    VM_PROT_RW, VM_PROT_ALL);
	{
		struct bsdvm_region r;

		CHECK(bsdvm_map_query(M(vm), dtop - 5 * PG, &r) &&
		    r.inheritance == VM_INHERIT_SHARE);
	}
	CHECK_ENTRY(vm, dtop - 1, dtop - 4 * PG, dtop, MAP_ENTRY_GROWS_DOWN, VM_PROT_READ,
	    VM_PROT_READ);
	/* and again, with a read fault */
	CHECK_KERN(bsdvm_fault(M(vm), dtop - 9 * PG, VM_PROT_READ), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_ENTRY(vm, dtop - 9 * PG, dtop - 12 * PG, dtop - 8 * PG, MAP_ENTRY_GROWS_DOWN,
	    VM_PROT_RW, VM_PROT_ALL);

	/* up, created read-only: growth stays read-only even after the stack
	 * entry was made writable */
	CHECK_KERN(bsdvm_map_stack(M(vm), u, 32 * PG, VM_PROT_READ, VM_PROT_RW,
	    MAP_ENTRY_GROWS_UP), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_KERN(bsdvm_map_protect(M(vm), u, u + 4 * PG, VM_PROT_RW, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_KERN(poke(vm, u + 4 * PG, 1), KERN_PROTECTION_FAILURE); /* write: grows R only */
	CHECK_KERN(bsdvm_fault(M(vm), u + 4 * PG, VM_PROT_READ), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_ENTRY(vm, u + 4 * PG, u + 4 * PG, u + 8 * PG, MAP_ENTRY_GROWS_UP, VM_PROT_READ,
	    VM_PROT_RW);
	CHECK_ENTRY(vm, u, u, u + 4 * PG, MAP_ENTRY_GROWS_UP, VM_PROT_RW, VM_PROT_RW);
	CHECK_KERN(poke(vm, u + PG, 1), KERN_SUCCESS);
	CHECK_KERN(poke(vm, u + 5 * PG, 1), KERN_PROTECTION_FAILURE);

	/* a forked child grows its own copy of the stack */
	c = FORK(vm);
	{
		char *before = test_map_listing(M(vm));
		uint8_t v = 0;

		CHECK_KERN(poke(c, dtop - 12 * PG - 1, 3), KERN_SUCCESS);
		CHECK_ENTRY(c, dtop - 13 * PG, dtop - 16 * PG, dtop - 12 * PG,
		    MAP_ENTRY_GROWS_DOWN, VM_PROT_RW, VM_PROT_ALL);
		SAME_LISTING(vm, before);
		CHECK_KERN(bsdvm_copyin(c, dtop - 1, &v, 1, NULL), KERN_SUCCESS);
		CHECK_EQ_U64(v, 9);
		v = 0x55;
		CHECK_KERN(bsdvm_copyin(vm, dtop - 12 * PG - 1, &v, 1, NULL), KERN_SUCCESS);
		CHECK_MAP(M(vm));
		CHECK_EQ_U64(v, 0); /* the parent grew and read zeros, not the child's 3 */
		free(before);
	}
	bsdvm_vmspace_free(c);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/*
 * A protect or inherit over part of a gap splits it, as in FreeBSD, and
 * then, as there, the stack grows only through the piece next to it: that
 * piece's far end holds the guard, and beyond it growth fails with
 * KERN_FAILURE, a fault there with KERN_PROTECTION_FAILURE, and nothing
 * changes (bsdvm_map_stack(3)).  The fuzzer's model does the same.
 */
static void test_split_gap(void)
{
	struct bsdvm_sys *s = stack_sys(4096, 4 * 4096, 0, false);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t d = 0x10000000, dtop = d + 32 * PG, u = 0x20000000;
	char *before;

	/* down: the upper 12 pages of the gap keep read-only for growth */
	CHECK_KERN(bsdvm_map_stack(M(vm), d, 32 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_protect(M(vm), dtop - 16 * PG, dtop - 4 * PG, VM_PROT_READ, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	before = test_map_listing(M(vm));
	CHECK_KERN(poke(vm, d + PG, 1), KERN_PROTECTION_FAILURE); /* beyond the piece */
	CHECK_KERN(bsdvm_map_growstack(M(vm), d + PG), KERN_FAILURE);
	CHECK_KERN(bsdvm_map_growstack(M(vm), dtop - 16 * PG), KERN_NO_SPACE); /* its guard */
	SAME_LISTING(vm, before);
	free(before);
	CHECK_KERN(bsdvm_fault(M(vm), dtop - 15 * PG, VM_PROT_READ), KERN_SUCCESS);
	CHECK_ENTRY(vm, dtop - 15 * PG, dtop - 15 * PG, dtop - 4 * PG, MAP_ENTRY_GROWS_DOWN,
	    VM_PROT_READ, VM_PROT_ALL);
	CHECK_KERN(poke(vm, dtop - 10 * PG, 2), KERN_PROTECTION_FAILURE); /* grew read-only */

	/* up: an inherit over the lower part of the gap */
	CHECK_KERN(bsdvm_map_stack(M(vm), u, 32 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_UP), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_inherit(M(vm), u + 4 * PG, u + 10 * PG, VM_INHERIT_SHARE),
	    KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_KERN(bsdvm_fault(M(vm), u + 30 * PG, VM_PROT_READ), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_fault(M(vm), u + 8 * PG, VM_PROT_READ), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_ENTRY(vm, u + 4 * PG, u + 4 * PG, u + 9 * PG, MAP_ENTRY_GROWS_UP, VM_PROT_RW,
	    VM_PROT_ALL);
	CHECK_ENTRY(vm, u + 9 * PG, u + 9 * PG, u + 10 * PG, GAP_UP, VM_PROT_NONE,
	    VM_PROT_NONE);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

int main(void)
{
	test_grows_down(4096);
	test_grows_down(16384);
	test_grows_down_jump(4096);
	test_grows_up(4096);
	test_grows_up(65536);
	test_stack_limit();
	test_stack_errors();
	test_stack_small();
	test_no_guard();
	test_growstack_nop();
	test_grow_prot();
	test_split_gap();
	return test_main_exit("test_mem_stack");
}
