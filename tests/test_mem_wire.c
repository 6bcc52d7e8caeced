/*
 * test_mem_wire.c - wiring: bsdvm_map_wire and bsdvm_map_unwire
 * (include/bsdvm/vmspace.h is the contract; FreeBSD vm_map_wire semantics).
 *
 *  - wire and unwire ranges; entries split and merge back; counts nest;
 *  - BSDVM_WIRE_USER counts once per entry; user and system wirings mix;
 *  - holes and PROT_NONE / stack-gap entries: KERN_INVALID_ADDRESS, or
 *    skipped with BSDVM_WIRE_HOLESOK; unwiring what is not wired:
 *    KERN_INVALID_ARGUMENT;
 *  - a wiring failing part-way (no frame, no swap) is rolled back: listing,
 *    wired page count and wired size exactly as before;
 *  - RLIMIT_MEMLOCK (vmspace and process limits);
 *  - wired pages are resident and survive pageout;
 *  - wiring copy-on-write memory after fork breaks the sharing, whatever
 *    the maximum protection; fork of wired memory copies it.
 *
 * Every mutating step is followed by vm_map_check; every scenario ends with
 * all vmspaces freed, the system's counters at zero and, after
 * bsdvm_sys_destroy, no live allocation.
 */
#include <bsdvm/vmspace.h>

#include "memtest.h"

/* ------------------------------------------------------------------ */
/* helpers (the common ones are in support/memtest.h) */


/* The region at addr: [start, end) and its wiring. */
static void check_wired_at(int line, struct vmspace *vm, bsdvm_addr_t addr, bsdvm_addr_t start,
    bsdvm_addr_t end, int32_t wired, bool user)
{
	struct bsdvm_region r;

	memset(&r, 0, sizeof(r));
	CHECK_AT(line, bsdvm_map_query(M(vm), addr, &r));
	CHECK_EQ_AT(line, r.start, start);
	CHECK_EQ_AT(line, r.end, end);
	CHECK_EQ_AT(line, r.wired_count, wired);
	CHECK_EQ_AT(line, (r.eflags & MAP_ENTRY_USER_WIRED) != 0, user);
}
#define CHECK_WIRED(vm, addr, start, end, wired, user)                             \
	check_wired_at(__LINE__, (vm), (addr), (start), (end), (wired), (user))

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

static uint64_t wired_pages(struct bsdvm_sys *s)
{
	return stats(s).wired;
}

static void set_memlock(struct vmspace *vm, uint64_t bytes)
{
	struct bsdvm_rlimits l = { BSDVM_RLIM_INFINITY, BSDVM_RLIM_INFINITY, bytes };

	bsdvm_vmspace_set_limits(vm, &l);
}

static uint64_t pageout_all(struct bsdvm_sys *s)
{
	uint64_t total = 0, n;
	int rounds = 0;

	do {
		n = bsdvm_sys_pageout(s, UINT64_MAX);
		total += n;
	} while (n != 0 && ++rounds < 16);
	return total;
}

static int wire(struct vmspace *vm, bsdvm_addr_t s, bsdvm_addr_t e, uint32_t f)
{
	int rv = bsdvm_map_wire(M(vm), s, e, f);

	CHECK_MAP(M(vm));
	return rv;
}

static int unwire(struct vmspace *vm, bsdvm_addr_t s, bsdvm_addr_t e, uint32_t f)
{
	int rv = bsdvm_map_unwire(M(vm), s, e, f);

	CHECK_MAP(M(vm));
	return rv;
}

/* ------------------------------------------------------------------ */

/* Wire, nest, unwire; entries split and merge back; pages stay. */
static void test_wire_basic(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 128, 256);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000;
	const size_t n = 16 * PG;
	uint8_t *m = model_new(n);
	char *before;
	uint64_t i;

	MAP_AT(vm, a, n, 0);
	PUT(vm, m, a, a + 2 * PG, 4 * PG, 1); /* pages 2..5 */
	before = test_map_listing(M(vm));

	CHECK_KERN(wire(vm, a + 4 * PG, a + 8 * PG, 0), KERN_SUCCESS);
	CHECK_EQ_U64(nentries(vm), 3);
	CHECK_WIRED(vm, a, a, a + 4 * PG, 0, false);
	CHECK_WIRED(vm, a + 4 * PG, a + 4 * PG, a + 8 * PG, 1, false);
	CHECK_WIRED(vm, a + 8 * PG, a + 8 * PG, a + n, 0, false);
	CHECK_EQ_U64(wired_pages(s), 4);
	for (i = 4; i < 8; i++)
		CHECK(bsdvm_vmspace_resident(vm, a + i * PG)); /* touched or not */
	CHECK(!bsdvm_vmspace_resident(vm, a + 8 * PG));
	VERIFY(vm, m, a, n);

	/* nesting */
	CHECK_KERN(wire(vm, a + 4 * PG, a + 8 * PG, 0), KERN_SUCCESS);
	CHECK_WIRED(vm, a + 4 * PG, a + 4 * PG, a + 8 * PG, 2, false);
	CHECK_EQ_U64(wired_pages(s), 4);
	CHECK_KERN(unwire(vm, a + 4 * PG, a + 8 * PG, 0), KERN_SUCCESS);
	CHECK_WIRED(vm, a + 4 * PG, a + 4 * PG, a + 8 * PG, 1, false);
	CHECK_EQ_U64(wired_pages(s), 4);
	pageout_all(s);
	for (i = 4; i < 8; i++)
		CHECK(bsdvm_vmspace_resident(vm, a + i * PG));
	CHECK(!bsdvm_vmspace_resident(vm, a + 2 * PG));
	CHECK_EQ_U64(stats(s).resident, 4);
	VERIFY(vm, m, a, n);
	CHECK_KERN(unwire(vm, a + 4 * PG, a + 8 * PG, 0), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 0);
	SAME_LISTING(vm, before); /* merged back into one entry */
	/* unwiring what is not wired */
	CHECK_KERN(unwire(vm, a + 4 * PG, a + 8 * PG, 0), KERN_INVALID_ARGUMENT);
	CHECK_KERN(unwire(vm, a, a + n, 0), KERN_INVALID_ARGUMENT);
	SAME_LISTING(vm, before);

	/* a range partly wired cannot be unwired */
	CHECK_KERN(wire(vm, a + 4 * PG, a + 8 * PG, 0), KERN_SUCCESS);
	free(before);
	before = test_map_listing(M(vm));
	CHECK_KERN(unwire(vm, a, a + 8 * PG, 0), KERN_INVALID_ARGUMENT);
	CHECK_KERN(unwire(vm, a + 4 * PG, a + 9 * PG, 0), KERN_INVALID_ARGUMENT);
	SAME_LISTING(vm, before);
	CHECK_EQ_U64(wired_pages(s), 4);

	/* over entries of different counts */
	CHECK_KERN(wire(vm, a, a + n, 0), KERN_SUCCESS);
	CHECK_WIRED(vm, a, a, a + 4 * PG, 1, false);
	CHECK_WIRED(vm, a + 4 * PG, a + 4 * PG, a + 8 * PG, 2, false);
	CHECK_WIRED(vm, a + 8 * PG, a + 8 * PG, a + n, 1, false);
	CHECK_EQ_U64(wired_pages(s), 16);
	CHECK_EQ_U64(pageout_all(s), 0);
	CHECK_EQ_U64(stats(s).resident, 16);
	CHECK_KERN(unwire(vm, a, a + n, 0), KERN_SUCCESS);
	SAME_LISTING(vm, before);
	CHECK_EQ_U64(wired_pages(s), 4);
	/* a sub-range of a wired entry: split off and unwired alone */
	CHECK_KERN(unwire(vm, a + 5 * PG, a + 6 * PG, 0), KERN_SUCCESS);
	CHECK_WIRED(vm, a + 4 * PG, a + 4 * PG, a + 5 * PG, 1, false);
	CHECK_WIRED(vm, a + 5 * PG, a + 5 * PG, a + 6 * PG, 0, false);
	CHECK_WIRED(vm, a + 6 * PG, a + 6 * PG, a + 8 * PG, 1, false);
	CHECK_EQ_U64(wired_pages(s), 3);
	CHECK_KERN(unwire(vm, a + 4 * PG, a + 5 * PG, 0), KERN_SUCCESS);
	CHECK_KERN(unwire(vm, a + 6 * PG, a + 8 * PG, 0), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 0);
	CHECK_EQ_U64(nentries(vm), 1);
	VERIFY(vm, m, a, n);

	/* protection changes keep the wiring; a NONE entry is not wirable */
	CHECK_KERN(wire(vm, a, a + 4 * PG, 0), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_protect(M(vm), a, a + 2 * PG, VM_PROT_READ, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(wired_pages(s), 4);
	CHECK_WIRED(vm, a, a, a + 2 * PG, 1, false);
	VERIFY(vm, m, a, n);
	CHECK_KERN(bsdvm_map_protect(M(vm), a + 12 * PG, a + n, VM_PROT_NONE, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	free(before);
	before = test_map_listing(M(vm));
	CHECK_KERN(wire(vm, a + 8 * PG, a + n, 0), KERN_INVALID_ADDRESS);
	SAME_LISTING(vm, before);
	CHECK_KERN(wire(vm, a + 8 * PG, a + n, BSDVM_WIRE_HOLESOK), KERN_SUCCESS);
	CHECK_WIRED(vm, a + 8 * PG, a + 8 * PG, a + 12 * PG, 1, false);
	CHECK_WIRED(vm, a + 12 * PG, a + 12 * PG, a + n, 0, false);
	CHECK_EQ_U64(wired_pages(s), 8);
	/* a read-only entry wires too */
	CHECK_KERN(wire(vm, a, a + 2 * PG, 0), KERN_SUCCESS);
	CHECK_WIRED(vm, a, a, a + 2 * PG, 2, false);
	CHECK_EQ_U64(wired_pages(s), 8);

	/* unmapping wired memory unwires it */
	CHECK_KERN(bsdvm_map_delete(M(vm), a, a + 3 * PG), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(wired_pages(s), 5);
	VERIFY(vm, m + 3 * PG, a + 3 * PG, 9 * PG);
	free(before);
	free(m);
	bsdvm_vmspace_free(vm); /* with wired entries left: freed all the same */
	FINISH(s);
}

/* Argument errors. */
static void test_wire_args(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 0);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000;
	struct vm_map *plain = test_map_new(0x10000, 0x100000000ull, 4096);
	struct bsdvm_entry_attrs at = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL);
	char *before;

	MAP_AT(vm, a, 8 * PG, 0);
	before = test_map_listing(M(vm));
	CHECK_KERN(wire(vm, a + 1, a + PG, 0), KERN_INVALID_ARGUMENT);
	CHECK_KERN(wire(vm, a, a + PG + 1, 0), KERN_INVALID_ARGUMENT);
	CHECK_KERN(wire(vm, a + PG, a, 0), KERN_INVALID_ARGUMENT);
	CHECK_KERN(wire(vm, a, a + PG, 0x4), KERN_INVALID_ARGUMENT);
	CHECK_KERN(unwire(vm, a, a + PG, 0x80), KERN_INVALID_ARGUMENT);
	CHECK_KERN(wire(vm, 0, PG, 0), KERN_INVALID_ADDRESS); /* below the map */
	CHECK_KERN(wire(vm, VM_MAX, VM_MAX + PG, 0), KERN_INVALID_ADDRESS);
	CHECK_KERN(unwire(vm, VM_MAX - PG, VM_MAX + PG, 0), KERN_INVALID_ADDRESS);
	CHECK_KERN(wire(vm, a, a, 0), KERN_SUCCESS);   /* empty: nothing */
	CHECK_KERN(unwire(vm, a, a, 0), KERN_SUCCESS);
	SAME_LISTING(vm, before);
	CHECK_EQ_U64(wired_pages(s), 0);
	/* a map without memory cannot be wired */
	CHECK_KERN(bsdvm_map_insert(plain, 0x20000, 0x30000, &at), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_wire(plain, 0x20000, 0x30000, 0), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_unwire(plain, 0x20000, 0x30000, 0), KERN_INVALID_ARGUMENT);
	CHECK_MAP(plain);
	bsdvm_map_destroy(plain);
	free(before);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/* BSDVM_WIRE_USER counts once per entry; system and user wirings nest. */
static void test_wire_user(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 0);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000;
	const uint32_t U = BSDVM_WIRE_USER;
	char *before;

	MAP_AT(vm, a, 8 * PG, 0);
	PUT(vm, NULL, a, a, 8 * PG, 1); /* memory first, so the pieces can merge back */
	before = test_map_listing(M(vm));
	CHECK_KERN(wire(vm, a, a + 4 * PG, U), KERN_SUCCESS);
	CHECK_WIRED(vm, a, a, a + 4 * PG, 1, true);
	CHECK_KERN(wire(vm, a, a + 4 * PG, U), KERN_SUCCESS);
	CHECK_WIRED(vm, a, a, a + 4 * PG, 1, true); /* not counted twice */
	CHECK_EQ_U64(wired_pages(s), 4);
	CHECK_KERN(wire(vm, a, a + 4 * PG, 0), KERN_SUCCESS);
	CHECK_WIRED(vm, a, a, a + 4 * PG, 2, true);
	CHECK_KERN(unwire(vm, a, a + 4 * PG, U), KERN_SUCCESS);
	CHECK_WIRED(vm, a, a, a + 4 * PG, 1, false);
	CHECK_EQ_U64(wired_pages(s), 4);
	CHECK_KERN(unwire(vm, a, a + 4 * PG, U), KERN_INVALID_ARGUMENT);
	CHECK_WIRED(vm, a, a, a + 4 * PG, 1, false);
	CHECK_KERN(unwire(vm, a, a + 4 * PG, 0), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 0);
	SAME_LISTING(vm, before);
	/* only a user wiring: a system unwire has nothing to undo */
	CHECK_KERN(wire(vm, a, a + 4 * PG, U), KERN_SUCCESS);
	CHECK_KERN(unwire(vm, a, a + 4 * PG, 0), KERN_INVALID_ARGUMENT);
	CHECK_WIRED(vm, a, a, a + 4 * PG, 1, true);
	/* extending a user wiring over a neighbour: both user-wired once, merged */
	CHECK_KERN(wire(vm, a, a + 8 * PG, U), KERN_SUCCESS);
	CHECK_WIRED(vm, a, a, a + 8 * PG, 1, true);
	CHECK_EQ_U64(nentries(vm), 1);
	CHECK_EQ_U64(wired_pages(s), 8);
	CHECK_KERN(unwire(vm, a, a + 8 * PG, U), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 0);
	SAME_LISTING(vm, before);
	free(before);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/* Holes: KERN_INVALID_ADDRESS unless BSDVM_WIRE_HOLESOK. */
static void test_wire_holes(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 0);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000;
	const uint32_t H = BSDVM_WIRE_HOLESOK;
	char *before;

	MAP_AT(vm, a, 4 * PG, 0);
	MAP_AT(vm, a + 8 * PG, 4 * PG, 0);
	PUT(vm, NULL, a, a, PG, 1); /* memory first, so the pieces can merge back */
	PUT(vm, NULL, a, a + 8 * PG, PG, 1);
	before = test_map_listing(M(vm));
	CHECK_KERN(wire(vm, a, a + 12 * PG, 0), KERN_INVALID_ADDRESS);     /* hole inside */
	CHECK_KERN(wire(vm, a + 4 * PG, a + 12 * PG, 0), KERN_INVALID_ADDRESS); /* starts in it */
	CHECK_KERN(wire(vm, a, a + 6 * PG, 0), KERN_INVALID_ADDRESS);      /* ends in it */
	CHECK_KERN(wire(vm, a + 4 * PG, a + 8 * PG, 0), KERN_INVALID_ADDRESS); /* all hole */
	CHECK_KERN(wire(vm, a - 2 * PG, a + PG, 0), KERN_INVALID_ADDRESS);
	SAME_LISTING(vm, before);
	CHECK_EQ_U64(wired_pages(s), 0);
	CHECK_KERN(wire(vm, a + 4 * PG, a + 8 * PG, H), KERN_SUCCESS);     /* nothing to do */
	SAME_LISTING(vm, before);
	CHECK_KERN(wire(vm, a + 2 * PG, a + 10 * PG, H), KERN_SUCCESS);
	CHECK_WIRED(vm, a + 2 * PG, a + 2 * PG, a + 4 * PG, 1, false);
	CHECK_WIRED(vm, a + 8 * PG, a + 8 * PG, a + 10 * PG, 1, false);
	CHECK_WIRED(vm, a, a, a + 2 * PG, 0, false);
	CHECK_EQ_U64(wired_pages(s), 4);
	CHECK_KERN(unwire(vm, a + 2 * PG, a + 10 * PG, 0), KERN_INVALID_ADDRESS);
	CHECK_EQ_U64(wired_pages(s), 4);
	CHECK_KERN(unwire(vm, a + 2 * PG, a + 10 * PG, H), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 0);
	SAME_LISTING(vm, before);

	/* a stack gap is a hole for wiring; the stack itself wires */
	CHECK_KERN(bsdvm_map_stack(M(vm), 0x50000000, 64 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	free(before);
	before = test_map_listing(M(vm));
	CHECK_KERN(wire(vm, 0x50000000, 0x50000000 + 64 * PG, 0), KERN_INVALID_ADDRESS);
	SAME_LISTING(vm, before);
	CHECK_KERN(wire(vm, 0x50000000, 0x50000000 + 64 * PG, H), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 32); /* sgrowsiz: 128 KiB */
	{
		struct bsdvm_region r;

		CHECK(bsdvm_map_query(M(vm), 0x50000000, &r) && r.wired_count == 0 &&
		    (r.eflags & MAP_ENTRY_GUARD));
	}
	CHECK_KERN(unwire(vm, 0x50000000, 0x50000000 + 64 * PG, H), KERN_SUCCESS);
	SAME_LISTING(vm, before);
	CHECK_EQ_U64(wired_pages(s), 0);
	free(before);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/*
 * A wiring that fails part-way (frames exhausted, no swap) is rolled back
 * completely: same listing, same wired page count, same wired size (seen
 * through RLIMIT_MEMLOCK afterwards), same bytes.
 */
static void test_wire_rollback(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 32, 0);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t w = 0x30000000, a = 0x40000000;
	const size_t n = 40 * PG;
	uint8_t *m = model_new(n), *mw = model_new(4 * PG);
	struct bsdvm_sys_stats st0, st;
	char *before;

	MAP_AT(vm, w, 4 * PG, 0);
	PUT(vm, mw, w, w, 4 * PG, 1);
	CHECK_KERN(wire(vm, w, w + 4 * PG, 0), KERN_SUCCESS);
	MAP_AT(vm, a, n, 0);
	CHECK_KERN(bsdvm_map_protect(M(vm), a + 10 * PG, a + 20 * PG, VM_PROT_READ, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	PUT(vm, m, a, a, 4 * PG, 2);
	PUT(vm, m, a, a + 30 * PG, PG, 3);
	CHECK_KERN(wire(vm, a + 12 * PG, a + 14 * PG, 0), KERN_SUCCESS); /* nested below */
	CHECK_EQ_U64(nentries(vm), 6);
	before = test_map_listing(M(vm));
	st0 = stats(s);
	CHECK_EQ_U64(st0.wired, 6);
	CHECK_EQ_U64(st0.resident, 11);

	/* 33 pages over 4 entries, 31 of them need a frame: 21 are free */
	CHECK_KERN(wire(vm, a + 5 * PG, a + 38 * PG, 0), KERN_RESOURCE_SHORTAGE);
	SAME_LISTING(vm, before);
	st = stats(s);
	CHECK_EQ_U64(st.wired, st0.wired);
	CHECK_EQ_U64(st.swap_used, 0);
	CHECK_WIRED(vm, a + 12 * PG, a + 12 * PG, a + 14 * PG, 1, false);
	/* the same inside one entry, and as a user wiring */
	CHECK_KERN(wire(vm, a + 20 * PG, a + n, 0), KERN_RESOURCE_SHORTAGE);
	SAME_LISTING(vm, before);
	CHECK_KERN(wire(vm, a + 22 * PG, a + 39 * PG, BSDVM_WIRE_USER), KERN_RESOURCE_SHORTAGE);
	SAME_LISTING(vm, before);
	CHECK_EQ_U64(stats(s).wired, st0.wired);
	/* (the frames the failed wirings filled stay used: no swap) */
	VERIFY(vm, m, a, 4 * PG);
	VERIFY(vm, m + 30 * PG, a + 30 * PG, PG);
	VERIFY(vm, mw, w, 4 * PG);

	/* the wired size is what it was: 6 pages; 2 more fit in 8 */
	set_memlock(vm, 8 * PG);
	CHECK_KERN(wire(vm, a, a + 2 * PG, 0), KERN_SUCCESS);
	CHECK_KERN(wire(vm, a + 2 * PG, a + 3 * PG, 0), KERN_RESOURCE_SHORTAGE);
	CHECK_EQ_U64(stats(s).wired, 8);
	CHECK_KERN(unwire(vm, a, a + 2 * PG, 0), KERN_SUCCESS);
	CHECK_KERN(unwire(vm, a + 12 * PG, a + 14 * PG, 0), KERN_SUCCESS);
	CHECK_KERN(unwire(vm, w, w + 4 * PG, 0), KERN_SUCCESS);
	CHECK_EQ_U64(stats(s).wired, 0);
	VERIFY(vm, m, a, 4 * PG);
	VERIFY(vm, m + 30 * PG, a + 30 * PG, PG);
	free(before);
	free(m);
	free(mw);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/*
 * The pmap's side of a failed wiring.  The wiring fault enters each page
 * with its translation wired; when the wiring then fails, every such
 * translation must be unwired again, as the pages are.  A pmap wrapping
 * the software one keeps the set of wired translations.
 */
#define WSET_MAX 256
static struct {
	struct pmap *pmap[WSET_MAX];
	bsdvm_addr_t va[WSET_MAX];
	struct vm_page *pg[WSET_MAX];
	int n;
} wset;

static void wset_drop(int i)
{
	wset.n--;
	wset.pmap[i] = wset.pmap[wset.n];
	wset.va[i] = wset.va[wset.n];
	wset.pg[i] = wset.pg[wset.n];
}

static int wset_find(struct pmap *pm, bsdvm_addr_t va)
{
	for (int i = 0; i < wset.n; i++)
		if (wset.pmap[i] == pm && wset.va[i] == va)
			return i;
	return -1;
}

static int w_enter(void *ctx, struct pmap *pm, bsdvm_addr_t va, struct vm_page *pg,
    bsdvm_prot_t prot, bool wired)
{
	int rv = pmap_soft_ops()->enter(ctx, pm, va, pg, prot, wired);
	int i = wset_find(pm, va);

	if (rv == KERN_SUCCESS && wired && i < 0 && wset.n < WSET_MAX) {
		wset.pmap[wset.n] = pm;
		wset.va[wset.n] = va;
		wset.pg[wset.n++] = pg;
	} else if (rv == KERN_SUCCESS && i >= 0) {
		if (wired)
			wset.pg[i] = pg;
		else
			wset_drop(i);
	}
	return rv;
}

static void w_remove(void *ctx, struct pmap *pm, bsdvm_addr_t s, bsdvm_addr_t e)
{
	for (int i = wset.n - 1; i >= 0; i--)
		if (wset.pmap[i] == pm && wset.va[i] >= s && wset.va[i] < e)
			wset_drop(i);
	pmap_soft_ops()->remove(ctx, pm, s, e);
}

static void w_page_protect(void *ctx, struct vm_page *pg, bsdvm_prot_t prot)
{
	if (prot == VM_PROT_NONE)
		for (int i = wset.n - 1; i >= 0; i--)
			if (wset.pg[i] == pg)
				wset_drop(i);
	pmap_soft_ops()->page_protect(ctx, pg, prot);
}

static void w_unwire(void *ctx, struct pmap *pm, bsdvm_addr_t va)
{
	int i = wset_find(pm, va);

	if (i >= 0)
		wset_drop(i);
	pmap_soft_ops()->unwire(ctx, pm, va);
}

static void w_destroy(void *ctx, struct pmap *pm)
{
	for (int i = wset.n - 1; i >= 0; i--)
		if (wset.pmap[i] == pm)
			wset_drop(i);
	pmap_soft_ops()->destroy(ctx, pm);
}

static void test_wire_rollback_pmap(void)
{
	struct pmap_ops ops = *pmap_soft_ops();
	struct bsdvm_sys *s;
	struct vmspace *vm;
	const bsdvm_addr_t w = 0x30000000, a = 0x40000000;

	ops.enter = w_enter;
	ops.remove = w_remove;
	ops.page_protect = w_page_protect;
	ops.unwire = w_unwire;
	ops.destroy = w_destroy;
	memset(&wset, 0, sizeof(wset));
	s = new_sys_pmap(8, &ops);
	if (s == NULL)
		return;
	vm = new_vm(s);
	MAP_AT(vm, w, 2 * PG, 0);
	CHECK_KERN(wire(vm, w, w + 2 * PG, 0), KERN_SUCCESS);
	CHECK_EQ_U64(wset.n, 2);
	/* 12 pages, 6 frames left: the wiring fails part-way */
	MAP_AT(vm, a, 12 * PG, 0);
	CHECK_KERN(wire(vm, a, a + 12 * PG, 0), KERN_RESOURCE_SHORTAGE);
	CHECK_EQ_U64(stats(s).wired, 2);
	CHECK_EQ_U64(wset.n, 2); /* only w's translations are still wired */
	for (int i = 0; i < wset.n; i++)
		CHECK(wset.va[i] >= w && wset.va[i] < w + 2 * PG);
	CHECK_KERN(unwire(vm, w, w + 2 * PG, 0), KERN_SUCCESS);
	CHECK_EQ_U64(wset.n, 0);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/* RLIMIT_MEMLOCK counts the bytes of wired entries, once. */
static void test_wire_memlock(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 0);
	struct vmspace *vm = new_vm(s);
	struct proc *pr = NULL;
	struct bsdvm_rlimits lim = { BSDVM_RLIM_INFINITY, BSDVM_RLIM_INFINITY, 4 * 4096 };
	const bsdvm_addr_t a = 0x40000000;
	char *before;

	MAP_AT(vm, a, 16 * PG, 0);
	set_memlock(vm, 8 * PG);
	CHECK_KERN(wire(vm, a, a + 8 * PG, 0), KERN_SUCCESS);
	before = test_map_listing(M(vm));
	CHECK_KERN(wire(vm, a + 8 * PG, a + 9 * PG, 0), KERN_RESOURCE_SHORTAGE);
	CHECK_KERN(wire(vm, a + 4 * PG, a + 9 * PG, 0), KERN_RESOURCE_SHORTAGE);
	CHECK_KERN(wire(vm, a + 4 * PG, a + 9 * PG, BSDVM_WIRE_USER), KERN_RESOURCE_SHORTAGE);
	SAME_LISTING(vm, before);
	CHECK_EQ_U64(wired_pages(s), 8);
	CHECK_EQ_U64(stats(s).resident, 8);
	/* nesting adds no bytes */
	CHECK_KERN(wire(vm, a, a + 8 * PG, 0), KERN_SUCCESS);
	CHECK_KERN(wire(vm, a + 2 * PG, a + 6 * PG, BSDVM_WIRE_USER), KERN_SUCCESS);
	CHECK_KERN(unwire(vm, a + 2 * PG, a + 6 * PG, BSDVM_WIRE_USER), KERN_SUCCESS);
	CHECK_KERN(unwire(vm, a, a + 8 * PG, 0), KERN_SUCCESS);
	CHECK_KERN(unwire(vm, a, a + 8 * PG, 0), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 0);
	CHECK_KERN(wire(vm, a + 8 * PG, a + 16 * PG, 0), KERN_SUCCESS);
	/* a lower limit through the process: nothing new, unwiring works */
	CHECK_KERN(bsdvm_proc_create(s, vm, &pr), KERN_SUCCESS);
	bsdvm_proc_set_limits(pr, &lim);
	free(before);
	before = test_map_listing(M(vm));
	CHECK_KERN(wire(vm, a, a + PG, 0), KERN_RESOURCE_SHORTAGE);
	SAME_LISTING(vm, before);
	CHECK_KERN(unwire(vm, a + 8 * PG, a + 16 * PG, 0), KERN_SUCCESS);
	CHECK_KERN(wire(vm, a, a + 4 * PG, 0), KERN_SUCCESS);
	CHECK_KERN(wire(vm, a + 4 * PG, a + 5 * PG, 0), KERN_RESOURCE_SHORTAGE);
	/* unmapping a wired range gives its bytes back */
	CHECK_KERN(bsdvm_map_delete(M(vm), a, a + 2 * PG), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_KERN(wire(vm, a + 4 * PG, a + 6 * PG, 0), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 4);
	bsdvm_proc_destroy(pr);
	free(before);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/*
 * Wiring copy-on-write memory after fork copies the shared pages now
 * (wired memory is never shared copy-on-write); both sides stay
 * independent.  Forking wired memory copies it at once.
 */
static void test_wire_cow(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 256, 0);
	struct vmspace *p = new_vm(s), *c, *g;
	const bsdvm_addr_t a = 0x40000000;
	const size_t n = 8 * PG;
	uint8_t *mp = model_new(n), *mc, *mg;
	uint64_t copies;

	MAP_AT(p, a, n, 0);
	PUT(p, mp, a, a, n, 1);
	c = FORK(p);
	mc = model_dup(mp, n);
	copies = stats(s).cow_copies;
	CHECK_KERN(wire(p, a, a + n, 0), KERN_SUCCESS);
	CHECK_EQ_U64(stats(s).cow_copies - copies, 8);
	CHECK_EQ_U64(stats(s).anons, 16);
	CHECK_EQ_U64(wired_pages(s), 8);
	VERIFY(c, mc, a, n);
	VERIFY(p, mp, a, n);
	copies = stats(s).cow_copies;
	PUT(p, mp, a, a, n, 2);
	VERIFY(c, mc, a, n);
	PUT(c, mc, a, a + PG, 2 * PG, 3); /* the child's pages are its own now */
	VERIFY(p, mp, a, n);
	VERIFY(c, mc, a, n);
	CHECK_EQ_U64(stats(s).cow_copies - copies, 0);
	CHECK_KERN(wire(c, a, a + n, BSDVM_WIRE_USER), KERN_SUCCESS);
	CHECK_EQ_U64(stats(s).cow_copies - copies, 0);
	CHECK_EQ_U64(wired_pages(s), 16);
	CHECK_EQ_U64(stats(s).anons, 16);

	/* fork of wired memory: the grandchild gets copies, unwired */
	copies = stats(s).cow_copies;
	g = FORK(c);
	mg = model_dup(mc, n);
	CHECK_EQ_U64(stats(s).cow_copies - copies, 8);
	CHECK_WIRED(g, a, a, a + n, 0, false);
	CHECK_WIRED(c, a, a, a + n, 1, true);
	CHECK_EQ_U64(wired_pages(s), 16);
	VERIFY(g, mg, a, n);
	PUT(c, mc, a, a + 3 * PG, 3 * PG, 4); /* wired: writable without a fault */
	VERIFY(g, mg, a, n);
	PUT(g, mg, a, a, 2 * PG, 5);
	VERIFY(c, mc, a, n);
	VERIFY(p, mp, a, n);
	CHECK_EQ_U64(stats(s).cow_copies - copies, 8);
	/* the grandchild's pages are pageable */
	{
		uint64_t out = pageout_all(s);

		CHECK_EQ_U64(out, 0); /* no swap: nothing can go */
	}
	bsdvm_vmspace_free(c);
	CHECK_EQ_U64(wired_pages(s), 8);
	VERIFY(g, mg, a, n);
	VERIFY(p, mp, a, n);
	bsdvm_vmspace_free(p);
	CHECK_EQ_U64(wired_pages(s), 0);
	VERIFY(g, mg, a, n);
	bsdvm_vmspace_free(g);
	free(mp);
	free(mc);
	free(mg);
	FINISH(s);
}

/*
 * A wired range in a process that shares the memory (INHERIT_SHARE) with
 * another process, which then forks a copy-on-write child: whoever writes
 * next copies the page, and the page the wired process maps afterwards
 * must still be wired - resident through any pageout - and the wired
 * count must stay exact.
 */
static void test_wire_shared_then_copied(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 256);
	struct vmspace *a = new_vm(s), *b, *c, *d;
	const bsdvm_addr_t base = 0x40000000;
	const size_t n = 4 * PG;
	uint8_t *mab = model_new(n), *mc;
	uint64_t i;

	MAP_AT(a, base, n, 0);
	PUT(a, mab, base, base, n, 1);
	CHECK_KERN(bsdvm_map_inherit(M(a), base, base + n, VM_INHERIT_SHARE), KERN_SUCCESS);
	CHECK_MAP(M(a));
	b = FORK(a);
	CHECK_KERN(wire(b, base, base + n, 0), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 4);
	CHECK_KERN(bsdvm_map_inherit(M(a), base, base + n, VM_INHERIT_COPY), KERN_SUCCESS);
	CHECK_MAP(M(a));
	c = FORK(a);
	mc = model_dup(mab, n);
	/* the sharers write: each shared page is copied */
	PUT(a, mab, base, base, PG, 2);
	PUT(b, mab, base, base + PG, PG, 3);
	VERIFY(a, mab, base, n);
	VERIFY(b, mab, base, n);
	VERIFY(c, mc, base, n);
	CHECK_EQ_U64(wired_pages(s), 4);
	/* memory pressure from elsewhere, then pageout: b's wired range stays */
	d = new_vm(s);
	MAP_AT(d, 0x50000000, 128 * PG, 0);
	PUT(d, NULL, 0x50000000, 0x50000000, 128 * PG, 4);
	pageout_all(s);
	for (i = 0; i < 4; i++)
		CHECK(bsdvm_vmspace_resident(b, base + i * PG));
	CHECK_EQ_U64(wired_pages(s), 4);
	VERIFY(a, mab, base, n);
	VERIFY(b, mab, base, n);
	VERIFY(c, mc, base, n);
	CHECK_KERN(unwire(b, base, base + n, 0), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 0);
	bsdvm_vmspace_free(c);
	CHECK_EQ_U64(wired_pages(s), 0);
	bsdvm_vmspace_free(d);
	bsdvm_vmspace_free(a);
	bsdvm_vmspace_free(b);
	free(mab);
	free(mc);
	FINISH(s);
}

/*
 * A process lowers its maximum protection to read-only, then wires memory
 * whose amap it shares (INHERIT_SHARE) with a sibling that may still
 * write.  The page is still shared copy-on-write: with a COPY child of the
 * sibling (anonymous memory) or with the object it maps privately.  The
 * wiring must make the page the amap's own, so that the sibling's write
 * lands in the wired page: the wired process sees it, the page stays
 * resident through pageout, and unwiring leaves nothing wired.  (NetBSD
 * resolves copy-on-write only when the maximum allows writing, and the
 * sibling's write would replace the wired page in the shared slot.)
 */
static void test_wire_readonly_max_shared(bool object)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 256);
	struct vmspace *p = new_vm(s), *sib, *c = NULL;
	const bsdvm_addr_t a = 0x40000000;
	const size_t n = 2 * PG;
	struct vm_object *obj = NULL;
	uint8_t *mp = model_new(n), *mc = NULL;
	bsdvm_addr_t at = a;

	if (object) {
		CHECK_KERN(bsdvm_object_anon(s, n, &obj), KERN_SUCCESS);
		CHECK_KERN(bsdvm_vmspace_mmap(p, &at, n, VM_PROT_RW, VM_PROT_RW, BSDVM_MAPF_FIXED,
		    obj, 0), KERN_SUCCESS);
		VERIFY(p, mp, a, n); /* reads the object's zero pages */
	} else {
		MAP_AT(p, a, n, 0);
		PUT(p, mp, a, a, n, 1);
	}
	CHECK_KERN(bsdvm_map_inherit(M(p), a, a + n, VM_INHERIT_SHARE), KERN_SUCCESS);
	sib = FORK(p);
	if (!object) {
		CHECK_KERN(bsdvm_map_inherit(M(sib), a, a + n, VM_INHERIT_COPY), KERN_SUCCESS);
		c = FORK(sib);
		mc = model_dup(mp, n);
	}
	CHECK_KERN(bsdvm_map_protect(M(p), a, a + n, VM_PROT_READ, VM_PROT_READ,
	    BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX), KERN_SUCCESS);
	CHECK_MAP(M(p));
	CHECK_KERN(wire(p, a, a + n, BSDVM_WIRE_USER), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 2);
	PUT(sib, mp, a, a, PG, 2);
	VERIFY(p, mp, a, n);
	VERIFY(sib, mp, a, n);
	if (c != NULL)
		VERIFY(c, mc, a, n);
	pageout_all(s);
	CHECK(bsdvm_vmspace_resident(p, a));
	CHECK(bsdvm_vmspace_resident(p, a + PG));
	CHECK_EQ_U64(wired_pages(s), 2);
	CHECK_KERN(unwire(p, a, a + n, BSDVM_WIRE_USER), KERN_SUCCESS);
	CHECK_EQ_U64(wired_pages(s), 0);
	VERIFY(p, mp, a, n);
	bsdvm_vmspace_free(p);
	bsdvm_vmspace_free(sib);
	if (c != NULL) {
		CHECK_EQ_U64(wired_pages(s), 0);
		VERIFY(c, mc, a, n);
		bsdvm_vmspace_free(c);
	}
	if (obj != NULL)
		bsdvm_object_deallocate(obj);
	free(mp);
	free(mc);
	FINISH(s);
}

int main(void)
{
	test_wire_basic(4096);
	test_wire_basic(16384);
	test_wire_args();
	test_wire_user();
	test_wire_holes();
	test_wire_rollback(4096);
	test_wire_rollback(65536);
	test_wire_rollback_pmap();
	test_wire_memlock();
	test_wire_cow(4096);
	test_wire_cow(16384);
	test_wire_shared_then_copied();
	test_wire_readonly_max_shared(false);
	test_wire_readonly_max_shared(true);
	return test_main_exit("test_mem_wire");
}
