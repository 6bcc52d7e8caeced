/*
 * test_mem_fork.c - fork by inheritance, copy-on-write accounting, and
 * processes / exec (include/bsdvm/vmspace.h is the contract).
 *
 *  - VM_INHERIT_COPY: both sides write, every byte of both sides is
 *    compared with a model kept by the test; a grandchild; the parent's
 *    vmspace freed while the child keeps its data;
 *  - VM_INHERIT_SHARE (bsdvm_map_inherit and BSDVM_MAPF_SHARED), before and
 *    after pages were touched, on part of an entry;
 *  - VM_INHERIT_NONE (a hole in the child) and VM_INHERIT_ZERO;
 *  - exact cow_copies / cow_takeovers / zero_fills / anons counts;
 *  - fork under allocation failure (all-or-nothing, *childp untouched);
 *  - processes: create, limits, set_vmspace, vmspace_reset (exec);
 *  - copyin/copyout at the edges: holes, the top of the address space,
 *    bad arguments, protections.
 *
 * Every mutating step is followed by vm_map_check on every map involved;
 * every scenario ends with all vmspaces freed, the system's counters back
 * at zero and, after bsdvm_sys_destroy, no live allocation.
 * Scenarios run with 4 KiB, 16 KiB and 64 KiB pages.
 */
#include <bsdvm/vmspace.h>

#include "memtest.h"

/* ------------------------------------------------------------------ */
/* helpers (the common ones are in support/memtest.h) */

/* ------------------------------------------------------------------ */
/* VM_INHERIT_COPY */

static void test_copy(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 512, 0);
	struct vmspace *p = new_vm(s), *c, *g;
	const bsdvm_addr_t base = 0x40000000;
	const size_t n = 16 * PG;
	uint8_t *mp = model_new(n), *mc, *mg;

	MAP_AT(p, base, n, 0);
	/* a zero-filled page reads as zeros before anything is written */
	VERIFY(p, mp, base, n);
	PUT(p, mp, base, base, n, 1);
	VERIFY(p, mp, base, n);

	c = FORK(p);
	mc = model_dup(mp, n);
	VERIFY(c, mc, base, n);
	CHECK_EQ_U64(nentries(c), nentries(p));

	/* the child writes whole pages and odd spans crossing pages */
	PUT(c, mc, base, base, 3 * PG, 2);
	PUT(c, mc, base, base + 5 * PG - 7, 19, 3);
	PUT(c, mc, base, base + 9 * PG + 1, 1, 4);
	VERIFY(p, mp, base, n);
	VERIFY(c, mc, base, n);

	/* the parent writes over pages the child copied and pages it did not */
	PUT(p, mp, base, base + 2 * PG, 4 * PG, 5);
	PUT(p, mp, base, base + 15 * PG - 1, 1, 6);
	VERIFY(p, mp, base, n);
	VERIFY(c, mc, base, n);

	/* grandchild: a copy of the child as it is now */
	g = FORK(c);
	mg = model_dup(mc, n);
	VERIFY(g, mg, base, n);
	PUT(g, mg, base, base + PG / 2, 2 * PG, 7);
	PUT(c, mc, base, base + 8 * PG, 3 * PG + 11, 8);
	PUT(p, mp, base, base + 10 * PG, PG, 9);
	VERIFY(p, mp, base, n);
	VERIFY(c, mc, base, n);
	VERIFY(g, mg, base, n);

	/* the parent goes away: child and grandchild keep their data */
	bsdvm_vmspace_free(p);
	VERIFY(c, mc, base, n);
	VERIFY(g, mg, base, n);
	PUT(c, mc, base, base, n, 10);
	VERIFY(c, mc, base, n);
	VERIFY(g, mg, base, n);
	bsdvm_vmspace_free(c);
	VERIFY(g, mg, base, n);
	PUT(g, mg, base, base + 3, n - 6, 11);
	VERIFY(g, mg, base, n);
	bsdvm_vmspace_free(g);

	free(mp);
	free(mc);
	free(mg);
	FINISH(s);
}

/* Copy semantics over several entries: different protections, a clipped
 * entry, an untouched region, a region partly unmapped after fork. */
static void test_copy_entries(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 512, 0);
	struct vmspace *p = new_vm(s), *c;
	const bsdvm_addr_t base = 0x40000000;
	const size_t n = 24 * PG;
	uint8_t *mp = model_new(n), *mc;
	uint8_t one = 0;

	MAP_AT(p, base, n, 0);
	PUT(p, mp, base, base, 12 * PG, 1); /* pages 12.. untouched */
	/* split the entry in three by protection */
	CHECK_KERN(bsdvm_map_protect(M(p), base + 4 * PG, base + 8 * PG, VM_PROT_READ, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(p));
	CHECK_EQ_U64(nentries(p), 3);

	c = FORK(p);
	mc = model_dup(mp, n);
	CHECK_EQ_U64(nentries(c), 3);
	VERIFY(c, mc, base, n);
	/* read-only in both */
	CHECK_KERN(bsdvm_copyout(c, &one, base + 5 * PG, 1, NULL), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_copyout(p, &one, base + 5 * PG, 1, NULL), KERN_PROTECTION_FAILURE);
	/* re-enable writing in the child only */
	CHECK_KERN(bsdvm_map_protect(M(c), base + 4 * PG, base + 8 * PG, VM_PROT_RW, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(c));
	PUT(c, mc, base, base + 4 * PG, 4 * PG, 2);
	PUT(c, mc, base, base + 12 * PG, 4 * PG, 3); /* untouched in the parent */
	PUT(p, mp, base, base + 14 * PG, 4 * PG, 4);
	VERIFY(p, mp, base, n);
	VERIFY(c, mc, base, n);

	/* unmapping in the parent does not disturb the child */
	CHECK_KERN(bsdvm_map_delete(M(p), base + 2 * PG, base + 6 * PG), KERN_SUCCESS);
	CHECK_MAP(M(p));
	VERIFY(c, mc, base, n);
	VERIFY(p, mp, base, 2 * PG);
	VERIFY(p, mp + 6 * PG, base + 6 * PG, n - 6 * PG);
	CHECK_KERN(bsdvm_copyin(p, base + 3 * PG, &one, 1, NULL), KERN_INVALID_ADDRESS);
	/* nor the other way round */
	CHECK_KERN(bsdvm_map_delete(M(c), base, base + n), KERN_SUCCESS);
	CHECK_MAP(M(c));
	VERIFY(p, mp, base, 2 * PG);
	VERIFY(p, mp + 6 * PG, base + 6 * PG, n - 6 * PG);

	bsdvm_vmspace_free(c);
	bsdvm_vmspace_free(p);
	free(mp);
	free(mc);
	FINISH(s);
}

/* ------------------------------------------------------------------ */
/* VM_INHERIT_SHARE */

static void test_share(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 512, 0);
	struct vmspace *p = new_vm(s), *c, *g;
	const bsdvm_addr_t a1 = 0x40000000, a2 = 0x50000000, a3 = 0x60000000;
	const size_t n = 8 * PG;
	uint8_t *m1 = model_new(n), *m2 = model_new(n), *m3 = model_new(n);
	uint8_t *m3c;
	struct bsdvm_region r;

	/* a1: private anonymous memory made SHARE before any page was touched */
	MAP_AT(p, a1, n, 0);
	CHECK_KERN(bsdvm_map_inherit(M(p), a1, a1 + n, VM_INHERIT_SHARE), KERN_SUCCESS);
	CHECK_MAP(M(p));
	/* a2: made SHARE after some pages were touched */
	MAP_AT(p, a2, n, 0);
	PUT(p, m2, a2, a2, 3 * PG, 1);
	PUT(p, m2, a2, a2 + 6 * PG + 5, 9, 2);
	CHECK_KERN(bsdvm_map_inherit(M(p), a2, a2 + n, VM_INHERIT_SHARE), KERN_SUCCESS);
	CHECK_MAP(M(p));
	/* a3: SHARE on the middle of a touched entry only */
	MAP_AT(p, a3, n, 0);
	PUT(p, m3, a3, a3, n, 3);
	CHECK_KERN(bsdvm_map_inherit(M(p), a3 + 2 * PG, a3 + 5 * PG, VM_INHERIT_SHARE),
	    KERN_SUCCESS);
	CHECK_MAP(M(p));

	c = FORK(p);
	CHECK(bsdvm_map_query(M(c), a1, &r) && r.inheritance == VM_INHERIT_SHARE);
	m3c = model_dup(m3, n);
	VERIFY(c, m1, a1, n);
	VERIFY(c, m2, a2, n);
	VERIFY(c, m3c, a3, n);

	/* writes show both ways */
	PUT(c, m1, a1, a1, 2 * PG, 4);         /* child first touches */
	VERIFY(p, m1, a1, n);
	PUT(p, m1, a1, a1 + PG, 3 * PG, 5);    /* parent over child's page and new ones */
	VERIFY(c, m1, a1, n);
	PUT(c, m1, a1, a1 + 7 * PG - 3, 3, 6);
	VERIFY(p, m1, a1, n);
	VERIFY(c, m1, a1, n);

	PUT(p, m2, a2, a2 + PG, PG, 7);        /* a page touched before fork */
	VERIFY(c, m2, a2, n);
	PUT(c, m2, a2, a2 + 5 * PG, PG, 8);    /* a page nobody touched */
	VERIFY(p, m2, a2, n);
	PUT(c, m2, a2, a2, PG + 1, 9);
	VERIFY(p, m2, a2, n);

	/* a3: pages 2..4 shared, the rest copy-on-write */
	{
		/* one write spanning copy and share parts, from each side */
		uint8_t *buf = malloc(6 * PG);
		size_t i;

		if (buf == NULL)
			exit(2);
		for (i = 0; i < 6 * PG; i++)
			buf[i] = pat(a3 + PG + i, 10);
		CHECK_KERN(bsdvm_copyout(c, buf, a3 + PG, 6 * PG, NULL), KERN_SUCCESS);
		CHECK_MAP(M(c));
		memcpy(m3c + PG, buf, 6 * PG);
		memcpy(m3 + 2 * PG, buf + PG, 3 * PG); /* only the shared part */
		free(buf);
	}
	VERIFY(p, m3, a3, n);
	VERIFY(c, m3c, a3, n);
	PUT(p, m3, a3, a3 + 4 * PG, 2 * PG, 11);
	memcpy(m3c + 4 * PG, m3 + 4 * PG, PG);
	VERIFY(p, m3, a3, n);
	VERIFY(c, m3c, a3, n);

	/* a grandchild shares too (the child's entries inherit SHARE) */
	g = FORK(c);
	VERIFY(g, m1, a1, n);
	PUT(g, m1, a1, a1 + 3 * PG, PG, 12);
	VERIFY(p, m1, a1, n);
	VERIFY(c, m1, a1, n);
	PUT(p, m2, a2, a2 + 2 * PG, 2 * PG, 13);
	VERIFY(g, m2, a2, n);

	/* the parent exits: child and grandchild still share */
	bsdvm_vmspace_free(p);
	PUT(c, m1, a1, a1, n, 14);
	VERIFY(g, m1, a1, n);
	PUT(g, m2, a2, a2, n, 15);
	VERIFY(c, m2, a2, n);
	/* a partial unmap in one sharer leaves the other's pages alone */
	CHECK_KERN(bsdvm_map_delete(M(c), a1 + 2 * PG, a1 + 4 * PG), KERN_SUCCESS);
	CHECK_MAP(M(c));
	VERIFY(g, m1, a1, n);
	bsdvm_vmspace_free(c);
	VERIFY(g, m1, a1, n);
	VERIFY(g, m2, a2, n);
	bsdvm_vmspace_free(g);

	free(m1);
	free(m2);
	free(m3);
	free(m3c);
	FINISH(s);
}

/* BSDVM_MAPF_SHARED anonymous memory lives in an object: shared by fork. */
static void test_share_mapf(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 512, 0);
	struct vmspace *p = new_vm(s), *c;
	const bsdvm_addr_t a = 0x40000000;
	const size_t n = 6 * PG;
	uint8_t *m = model_new(n);
	struct bsdvm_region r;

	MAP_AT(p, a, 2 * PG, BSDVM_MAPF_SHARED);
	CHECK(bsdvm_map_query(M(p), a, &r));
	CHECK(r.object != NULL);
	CHECK(r.inheritance == VM_INHERIT_SHARE);
	CHECK_EQ_U64(stats(s).objects, 1);
	PUT(p, m, a, a, PG + 3, 1);
	MAP_AT(p, a + 2 * PG, 4 * PG, BSDVM_MAPF_SHARED); /* a second object */
	CHECK_EQ_U64(stats(s).objects, 2);

	c = FORK(p);
	VERIFY(c, m, a, n);
	PUT(c, m, a, a + PG, 3 * PG, 2);
	VERIFY(p, m, a, n);
	PUT(p, m, a, a + 4 * PG, 2 * PG, 3);
	VERIFY(c, m, a, n);
	bsdvm_vmspace_free(p);
	VERIFY(c, m, a, n);
	CHECK_EQ_U64(stats(s).objects, 2);
	bsdvm_vmspace_free(c);
	CHECK_EQ_U64(stats(s).objects, 0);
	free(m);
	FINISH(s);
}

/*
 * A copy of memory that is shared with a third party: B shares an anonymous
 * region with A (SHARE); B then makes its view COPY and forks C.  C holds a
 * snapshot: writes by A or B after the fork must not show in C, and C's
 * writes show in neither, while A and B keep sharing.
 */
static void test_copy_of_shared(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 512, 0);
	struct vmspace *a = new_vm(s), *b, *c;
	const bsdvm_addr_t base = 0x40000000;
	const size_t n = 4 * PG;
	uint8_t *mab = model_new(n), *mc;

	MAP_AT(a, base, n, 0);
	CHECK_KERN(bsdvm_map_inherit(M(a), base, base + n, VM_INHERIT_SHARE), KERN_SUCCESS);
	CHECK_MAP(M(a));
	b = FORK(a);
	PUT(a, mab, base, base, 2 * PG, 1);     /* mapped writable in a */
	PUT(b, mab, base, base + 2 * PG, 2 * PG, 2); /* mapped writable in b */
	VERIFY(a, mab, base, n);                 /* and now readable in a */
	VERIFY(b, mab, base, n);                 /* and in b */

	CHECK_KERN(bsdvm_map_inherit(M(b), base, base + n, VM_INHERIT_COPY), KERN_SUCCESS);
	CHECK_MAP(M(b));
	c = FORK(b);
	mc = model_dup(mab, n);
	VERIFY(c, mc, base, n);

	/* every page is written by a sharer that had it mapped writable */
	PUT(a, mab, base, base, n, 3);
	PUT(b, mab, base, base + PG, 2 * PG, 4);
	VERIFY(a, mab, base, n);
	VERIFY(b, mab, base, n);
	VERIFY(c, mc, base, n);
	PUT(c, mc, base, base + PG / 2, PG, 5);
	VERIFY(a, mab, base, n);
	VERIFY(b, mab, base, n);
	VERIFY(c, mc, base, n);

	bsdvm_vmspace_free(a);
	bsdvm_vmspace_free(b);
	VERIFY(c, mc, base, n);
	bsdvm_vmspace_free(c);
	free(mab);
	free(mc);
	FINISH(s);
}

/* ------------------------------------------------------------------ */
/* VM_INHERIT_NONE and VM_INHERIT_ZERO */

static void test_none_zero(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 512, 0);
	struct vmspace *p = new_vm(s), *c, *g;
	const bsdvm_addr_t a = 0x40000000, z = 0x50000000, sh = 0x60000000;
	const size_t n = 8 * PG;
	uint8_t *ma = model_new(n), *mz = model_new(n), *msh = model_new(n);
	uint8_t *zero = model_new(n), *mcz, *mca;
	uint8_t byte = 0x77;
	size_t done = 99;
	struct bsdvm_region r;

	MAP_AT(p, a, n, 0);
	PUT(p, ma, a, a, n, 1);
	/* NONE over the middle of the entry: a hole in the child */
	CHECK_KERN(bsdvm_map_inherit(M(p), a + 2 * PG, a + 5 * PG, VM_INHERIT_NONE),
	    KERN_SUCCESS);
	CHECK_MAP(M(p));
	MAP_AT(p, z, n, 0);
	PUT(p, mz, z, z, 5 * PG, 2);
	CHECK_KERN(bsdvm_map_inherit(M(p), z, z + n, VM_INHERIT_ZERO), KERN_SUCCESS);
	CHECK_MAP(M(p));
	/* ZERO on shared memory: the child gets private zeros */
	MAP_AT(p, sh, n, BSDVM_MAPF_SHARED);
	PUT(p, msh, sh, sh, n, 3);
	CHECK_KERN(bsdvm_map_inherit(M(p), sh, sh + n, VM_INHERIT_ZERO), KERN_SUCCESS);
	CHECK_MAP(M(p));

	c = FORK(p);
	mca = model_dup(ma, n);
	/* NONE */
	CHECK(!bsdvm_map_query(M(c), a + 2 * PG, &r));
	CHECK(!bsdvm_map_query(M(c), a + 5 * PG - 1, &r));
	CHECK(bsdvm_map_query(M(c), a + 5 * PG, &r));
	CHECK_KERN(bsdvm_copyin(c, a + 2 * PG, &byte, 1, &done), KERN_INVALID_ADDRESS);
	CHECK_EQ_U64(done, 0);
	CHECK_KERN(bsdvm_copyin(c, a + 4 * PG + PG - 1, &byte, 1, NULL), KERN_INVALID_ADDRESS);
	CHECK_KERN(bsdvm_copyout(c, &byte, a + 3 * PG, 1, NULL), KERN_INVALID_ADDRESS);
	CHECK_KERN(bsdvm_fault(M(c), a + 3 * PG, VM_PROT_READ), KERN_INVALID_ADDRESS);
	/* a read running into the hole stops there */
	{
		uint8_t *buf = malloc(2 * PG);

		if (buf == NULL)
			exit(2);
		CHECK_KERN(bsdvm_copyin(c, a + PG, buf, 2 * PG, &done), KERN_INVALID_ADDRESS);
		CHECK_EQ_U64(done, PG);
		CHECK(memcmp(buf, ma + PG, PG) == 0);
		free(buf);
	}
	VERIFY(c, mca, a, 2 * PG);
	VERIFY(c, mca + 5 * PG, a + 5 * PG, 3 * PG);
	VERIFY(p, ma, a, n);
	/* the child may map something else there */
	MAP_AT(c, a + 2 * PG, 3 * PG, 0);
	memset(mca + 2 * PG, 0, 3 * PG);
	VERIFY(c, mca, a, n);
	PUT(c, mca, a, a, n, 4);
	VERIFY(p, ma, a, n);

	/* ZERO */
	CHECK(bsdvm_map_query(M(c), z, &r) && r.inheritance == VM_INHERIT_ZERO);
	VERIFY(c, zero, z, n);
	VERIFY(p, mz, z, n);
	mcz = model_new(n);
	PUT(c, mcz, z, z + PG, 2 * PG, 5);
	VERIFY(p, mz, z, n);
	PUT(p, mz, z, z + 6 * PG, PG, 6);
	VERIFY(c, mcz, z, n);
	/* ZERO of shared memory */
	VERIFY(c, zero, sh, n);
	PUT(c, NULL, sh, sh, PG, 7);
	VERIFY(p, msh, sh, n);
	PUT(p, msh, sh, sh + PG, PG, 8);
	{
		uint8_t *mcsh = model_new(n);
		size_t i;

		for (i = 0; i < PG; i++)
			mcsh[i] = pat(sh + i, 7);
		VERIFY(c, mcsh, sh, n);
		free(mcsh);
	}

	/* ZERO is inherited as ZERO: the grandchild gets zeros of its own */
	g = FORK(c);
	VERIFY(g, zero, z, n);
	VERIFY(c, mcz, z, n);
	bsdvm_vmspace_free(g);

	bsdvm_vmspace_free(p);
	VERIFY(c, mcz, z, n);
	VERIFY(c, mca, a, n);
	bsdvm_vmspace_free(c);
	free(ma);
	free(mz);
	free(msh);
	free(zero);
	free(mcz);
	free(mca);
	FINISH(s);
}

/* ------------------------------------------------------------------ */
/* Copy-on-write accounting */

static void write_page_at(int line, struct vmspace *vm, bsdvm_addr_t a, unsigned tag)
{
	put_at(__FILE__, line, vm, NULL, a, a, PG, tag);
}
#define WRITE_PAGE(vm, a, tag) write_page_at(__LINE__, (vm), (a), (tag))

static void read_byte_at(int line, struct vmspace *vm, bsdvm_addr_t a, uint8_t want)
{
	uint8_t b = 0;

	CHECK_KERN_AT(line, bsdvm_copyin(vm, a, &b, 1, NULL), KERN_SUCCESS);
	CHECK_EQ_AT(line, b, want);
}
#define READ_BYTE(vm, a, want) read_byte_at(__LINE__, (vm), (a), (want))

struct cowcount {
	uint64_t zero_fills, cow_copies, cow_takeovers, anons, amaps;
};

static struct cowcount cow_now(struct bsdvm_sys *s)
{
	struct bsdvm_sys_stats st = stats(s);
	struct cowcount c = { st.zero_fills, st.cow_copies, st.cow_takeovers, st.anons,
		st.amaps };
	return c;
}

static void cow_expect_at(int line, struct bsdvm_sys *s, const struct cowcount *base,
    uint64_t dz, uint64_t dcopy, uint64_t dtake, uint64_t anons)
{
	struct cowcount now = cow_now(s);

	CHECK_EQ_AT(line, now.zero_fills - base->zero_fills, dz);
	CHECK_EQ_AT(line, now.cow_copies - base->cow_copies, dcopy);
	CHECK_EQ_AT(line, now.cow_takeovers - base->cow_takeovers, dtake);
	CHECK_EQ_AT(line, now.anons, anons);
}
#define COW_EXPECT(s, base, dz, dc, dt, anons)                                 \
	cow_expect_at(__LINE__, (s), &(base), (dz), (dc), (dt), (anons))

static void test_cow_counts(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 512, 0);
	struct vmspace *p = new_vm(s), *c;
	const bsdvm_addr_t a = 0x40000000;
	struct cowcount b0;
	unsigned i;

	MAP_AT(p, a, 32 * PG, 0);
	b0 = cow_now(s);
	for (i = 0; i < 16; i++)
		WRITE_PAGE(p, a + i * PG, 1);
	COW_EXPECT(s, b0, 16, 0, 0, 16);
	/* writing again to written pages faults nowhere */
	for (i = 0; i < 16; i++)
		WRITE_PAGE(p, a + i * PG, 2);
	COW_EXPECT(s, b0, 16, 0, 0, 16);

	c = FORK(p);
	COW_EXPECT(s, b0, 16, 0, 0, 16); /* fork copies no page */
	CHECK_EQ_U64(stats(s).resident, 16);

	/* the child writes 3 pages: 3 copies */
	WRITE_PAGE(c, a + 0 * PG, 3);
	WRITE_PAGE(c, a + 1 * PG, 3);
	WRITE_PAGE(c, a + 2 * PG, 3);
	COW_EXPECT(s, b0, 16, 3, 0, 19);
	/* again: the copies are the child's own now */
	WRITE_PAGE(c, a + 1 * PG, 4);
	COW_EXPECT(s, b0, 16, 3, 0, 19);

	/* the parent writes one of those 3: its page is no longer shared */
	WRITE_PAGE(p, a + 1 * PG, 5);
	COW_EXPECT(s, b0, 16, 3, 1, 19);
	/* the parent writes a page the child did not touch: a copy */
	WRITE_PAGE(p, a + 7 * PG, 6);
	COW_EXPECT(s, b0, 16, 4, 1, 20);
	/* the child reads then writes a page still shared: a copy */
	READ_BYTE(c, a + 9 * PG, pat(a + 9 * PG, 2));
	COW_EXPECT(s, b0, 16, 4, 1, 20);
	WRITE_PAGE(c, a + 9 * PG, 7);
	COW_EXPECT(s, b0, 16, 5, 1, 21);
	/* the parent takes over page 9 (only it holds the old anon) */
	WRITE_PAGE(p, a + 9 * PG, 8);
	COW_EXPECT(s, b0, 16, 5, 2, 21);
	/* pages nobody touched: zero fill on either side, no copy */
	WRITE_PAGE(c, a + 20 * PG, 9);
	WRITE_PAGE(p, a + 20 * PG, 10);
	READ_BYTE(p, a + 21 * PG, 0);
	COW_EXPECT(s, b0, 19, 5, 2, 24);

	/* the values are what each side wrote */
	READ_BYTE(p, a + 0 * PG, pat(a, 2));
	READ_BYTE(c, a + 0 * PG, pat(a, 3));
	READ_BYTE(p, a + 1 * PG, pat(a + PG, 5));
	READ_BYTE(c, a + 1 * PG, pat(a + PG, 4));
	READ_BYTE(p, a + 7 * PG, pat(a + 7 * PG, 6));
	READ_BYTE(c, a + 7 * PG, pat(a + 7 * PG, 2));
	READ_BYTE(p, a + 9 * PG, pat(a + 9 * PG, 8));
	READ_BYTE(c, a + 9 * PG, pat(a + 9 * PG, 7));
	READ_BYTE(p, a + 20 * PG, pat(a + 20 * PG, 10));
	READ_BYTE(c, a + 20 * PG, pat(a + 20 * PG, 9));

	/* the child exits: every page the parent still shared is its own,
	 * and writing it takes it over without a copy */
	bsdvm_vmspace_free(c);
	CHECK_EQ_U64(stats(s).anons, 18);
	b0 = cow_now(s);
	for (i = 0; i < 16; i++)
		WRITE_PAGE(p, a + i * PG, 11);
	/* pages 1, 7 and 9 were already the parent's own and writable */
	COW_EXPECT(s, b0, 0, 0, 13, 18);
	bsdvm_vmspace_free(p);
	FINISH(s);
}

/* ------------------------------------------------------------------ */
/* Fork under allocation failure: all or nothing. */

static void test_fork_alloc_fail(void)
{
	struct bsdvm_sys *s = new_sys(4096, 256, 0);
	struct vmspace *p = new_vm(s), *c = NULL;
	const bsdvm_addr_t a = 0x40000000, b = 0x50000000, sh = 0x60000000;
	const bsdvm_addr_t w = 0x70000000, z = 0x78000000, st = 0x7c000000;
	const size_t n = 8 * PG;
	uint8_t *ma = model_new(n), *mb = model_new(n), *msh = model_new(n);
	uint8_t *mw = model_new(4 * PG), *zero = model_new(n);
	uint64_t k, vms, anons, wired, resident;
	int rv = KERN_RESOURCE_SHORTAGE;
	unsigned failures = 0;
	char *before, *after;

	MAP_AT(p, a, n, 0);
	PUT(p, ma, a, a, n, 1);
	MAP_AT(p, b, n, 0);
	PUT(p, mb, b, b, 3 * PG, 2);
	CHECK_KERN(bsdvm_map_inherit(M(p), b, b + n, VM_INHERIT_SHARE), KERN_SUCCESS);
	MAP_AT(p, sh, n, BSDVM_MAPF_SHARED);
	PUT(p, msh, sh, sh, n, 3);
	CHECK_KERN(bsdvm_map_inherit(M(p), a + PG, a + 2 * PG, VM_INHERIT_NONE), KERN_SUCCESS);
	CHECK_MAP(M(p));
	VERIFY(p, mb, b, n); /* zero-fills b's untouched pages */
	/* wired memory (copied eagerly by fork), ZERO memory, a stack */
	MAP_AT(p, w, 4 * PG, 0);
	PUT(p, mw, w, w, 4 * PG, 8);
	CHECK_KERN(bsdvm_map_wire(M(p), w, w + 4 * PG, 0), KERN_SUCCESS);
	MAP_AT(p, z, n, 0);
	PUT(p, NULL, z, z, n, 9);
	CHECK_KERN(bsdvm_map_inherit(M(p), z, z + n, VM_INHERIT_ZERO), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_stack(M(p), st, 64 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(M(p));
	before = test_map_listing(M(p));
	vms = stats(s).vmspaces;
	anons = stats(s).anons;
	wired = stats(s).wired;
	resident = stats(s).resident;
	CHECK_EQ_U64(anons, 16 + 4 + 8);
	CHECK_EQ_U64(wired, 4);

	for (k = 1; k < 10000; k++) {
		struct vmspace *sentinel = (struct vmspace *)(uintptr_t)0x1234;

		c = sentinel;
		bsdvm_alloc_fail_at(k);
		rv = bsdvm_vmspace_fork(p, &c);
		bsdvm_alloc_fail_at(0);
		CHECK_MAP(M(p));
		if (rv == KERN_SUCCESS)
			break;
		failures++;
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(c == sentinel);
		after = test_map_listing(M(p));
		CHECK(strcmp(before, after) == 0);
		free(after);
		CHECK_EQ_U64(stats(s).vmspaces, vms);
		CHECK_EQ_U64(stats(s).anons, anons);
		CHECK_EQ_U64(stats(s).wired, wired);
		CHECK_EQ_U64(stats(s).resident, resident);
		VERIFY(p, ma, a, n);
		VERIFY(p, mb, b, n);
		VERIFY(p, msh, sh, n);
	}
	CHECK_KERN(rv, KERN_SUCCESS);
	CHECK(failures > 3); /* the fork did allocate several times */
	if (rv == KERN_SUCCESS) {
		uint8_t *mc = model_dup(ma, n);

		CHECK_MAP(M(c));
		VERIFY(c, mc, a, PG);
		VERIFY(c, mc + 2 * PG, a + 2 * PG, n - 2 * PG);
		VERIFY(c, mb, b, n);
		VERIFY(c, msh, sh, n);
		VERIFY(c, mw, w, 4 * PG);
		VERIFY(c, zero, z, n);
		CHECK_EQ_U64(nentries(c), nentries(p) - 1); /* all but the NONE piece */
		CHECK_EQ_U64(stats(s).wired, wired);
		PUT(c, mc, a, a + 2 * PG, n / 2, 4);
		PUT(c, mb, b, b, n, 5);
		PUT(p, msh, sh, sh, n, 6);
		VERIFY(p, ma, a, n);
		VERIFY(p, mb, b, n);
		VERIFY(c, msh, sh, n);
		bsdvm_vmspace_free(c);
		free(mc);
	}

	/* a copy-on-write fault under allocation failure: fails cleanly,
	 * succeeds on retry, both sides keep their bytes */
	c = FORK(p);
	{
		uint8_t *mc = model_dup(ma, n);

		for (k = 1; k < 1000; k++) {
			uint8_t *buf = malloc(PG);
			size_t i;

			if (buf == NULL)
				exit(2);
			for (i = 0; i < PG; i++)
				buf[i] = pat(a + 4 * PG + i, 7);
			bsdvm_alloc_fail_at(k);
			rv = bsdvm_copyout(c, buf, a + 4 * PG, PG, NULL);
			bsdvm_alloc_fail_at(0);
			CHECK_MAP(M(c));
			free(buf);
			if (rv == KERN_SUCCESS)
				break;
			CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
			VERIFY(p, ma, a, n);
			VERIFY(c, mc, a, PG);
			VERIFY(c, mc + 2 * PG, a + 2 * PG, n - 2 * PG);
		}
		CHECK_KERN(rv, KERN_SUCCESS);
		for (k = 0; k < PG; k++)
			mc[4 * PG + k] = pat(a + 4 * PG + k, 7);
		VERIFY(p, ma, a, n);
		VERIFY(c, mc, a, PG);
		VERIFY(c, mc + 2 * PG, a + 2 * PG, n - 2 * PG);
		free(mc);
	}
	bsdvm_vmspace_free(c);
	bsdvm_vmspace_free(p);
	free(before);
	free(ma);
	free(mb);
	free(msh);
	free(mw);
	free(zero);
	FINISH(s);
}

/* ------------------------------------------------------------------ */
/* Processes and exec */

static void test_proc(void)
{
	struct bsdvm_sys *s = new_sys(4096, 256, 0);
	struct proc *pr = NULL, *pc = NULL;
	struct vmspace *vm, *cvm, *nvm;
	struct bsdvm_rlimits lim = { 64 * 4096, 1024 * 4096, 8 * 4096 }, got;
	struct bsdvm_stackinfo si = { 4096, 0x30000000, 0x30100000 }, sgot;
	const bsdvm_addr_t a = 0x40000000;
	uint8_t *m = model_new(4 * PG), *mc;
	uint8_t byte = 0;
	uint64_t vms0 = stats(s).vmspaces;

	CHECK_KERN(bsdvm_proc_create(NULL, NULL, &pr), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_proc_create(s, NULL, NULL), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_proc_create(s, NULL, &pr), KERN_SUCCESS);
	CHECK(bsdvm_proc_sys(pr) == s);
	vm = bsdvm_proc_vmspace(pr);
	CHECK(vm != NULL);
	CHECK_EQ_U64(bsdvm_vmspace_refcount(vm), 1);
	CHECK_EQ_U64(stats(s).vmspaces, vms0 + 1);
	CHECK(bsdvm_vmspace_sys(vm) == s);
	CHECK(bsdvm_map_vmspace(M(vm)) == vm);
	CHECK_MAP(M(vm));
	bsdvm_proc_lock(pr);
	bsdvm_proc_unlock(pr);

	/* default limits are infinite; set_limits reaches the vmspace */
	bsdvm_proc_get_limits(pr, &got);
	CHECK(got.stack == BSDVM_RLIM_INFINITY && got.vmem == BSDVM_RLIM_INFINITY &&
	    got.memlock == BSDVM_RLIM_INFINITY);
	bsdvm_proc_set_limits(pr, &lim);
	bsdvm_proc_get_limits(pr, &got);
	CHECK(memcmp(&got, &lim, sizeof(lim)) == 0);
	memset(&got, 0, sizeof(got));
	bsdvm_vmspace_get_limits(vm, &got);
	CHECK(memcmp(&got, &lim, sizeof(lim)) == 0);
	bsdvm_vmspace_set_stackinfo(vm, &si);
	bsdvm_vmspace_get_stackinfo(vm, &sgot);
	CHECK(memcmp(&si, &sgot, sizeof(si)) == 0);

	MAP_AT(vm, a, 4 * PG, 0);
	PUT(vm, m, a, a, 4 * PG, 1);

	/* fork: the child process holds the child vmspace */
	cvm = FORK(vm);
	bsdvm_vmspace_get_limits(cvm, &got);
	CHECK(memcmp(&got, &lim, sizeof(lim)) == 0); /* limits are inherited */
	bsdvm_vmspace_get_stackinfo(cvm, &sgot);
	CHECK(memcmp(&si, &sgot, sizeof(si)) == 0);
	CHECK_KERN(bsdvm_proc_create(s, cvm, &pc), KERN_SUCCESS);
	CHECK(bsdvm_proc_vmspace(pc) == cvm);
	CHECK_EQ_U64(bsdvm_vmspace_refcount(cvm), 2);
	bsdvm_vmspace_free(cvm);
	CHECK_EQ_U64(bsdvm_vmspace_refcount(cvm), 1);
	mc = model_dup(m, 4 * PG);
	VERIFY(cvm, mc, a, 4 * PG);

	/* exec in place: only when the vmspace is not shared */
	bsdvm_vmspace_reference(cvm);
	CHECK_EQ_U64(bsdvm_vmspace_refcount(cvm), 2);
	{
		char *before = test_map_listing(M(cvm)), *after;

		CHECK_KERN(bsdvm_vmspace_reset(cvm, VM_MIN, VM_MAX), KERN_FAILURE);
		CHECK_MAP(M(cvm));
		after = test_map_listing(M(cvm));
		CHECK(strcmp(before, after) == 0);
		free(after);
		bsdvm_vmspace_free(cvm);
		CHECK_EQ_U64(bsdvm_vmspace_refcount(cvm), 1);
		/* a malformed window changes nothing */
		CHECK_KERN(bsdvm_vmspace_reset(cvm, 0x20000, 0x10000), KERN_INVALID_ARGUMENT);
		CHECK_KERN(bsdvm_vmspace_reset(cvm, 0x10001, 0x20000), KERN_INVALID_ARGUMENT);
		CHECK_MAP(M(cvm));
		after = test_map_listing(M(cvm));
		CHECK(strcmp(before, after) == 0);
		free(after);
		free(before);
	}
	VERIFY(cvm, mc, a, 4 * PG);
	/* wired memory and a stack go with the reset */
	CHECK_KERN(bsdvm_map_wire(M(cvm), a, a + 2 * PG, BSDVM_WIRE_USER), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_stack(M(cvm), 0x30000000, 64 * PG, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
	CHECK_MAP(M(cvm));
	CHECK_EQ_U64(stats(s).wired, 2);
	CHECK_KERN(bsdvm_vmspace_reset(cvm, 0x100000, 0x80000000), KERN_SUCCESS);
	CHECK_EQ_U64(stats(s).wired, 0);
	CHECK_MAP(M(cvm));
	CHECK_EQ_U64(nentries(cvm), 0);
	CHECK_EQ_U64(bsdvm_map_min(M(cvm)), 0x100000);
	CHECK_EQ_U64(bsdvm_map_max(M(cvm)), 0x80000000);
	bsdvm_vmspace_get_stackinfo(cvm, &sgot);
	CHECK(sgot.ssize == 0 && sgot.maxsaddr == 0 && sgot.stacktop == 0);
	/* the child's copy-on-write pages are gone; the parent keeps its own */
	VERIFY(vm, m, a, 4 * PG);
	CHECK_EQ_U64(stats(s).anons, 4);
	/* nothing is mapped at the old address any more */
	CHECK_KERN(bsdvm_copyin(cvm, a, &byte, 1, NULL), KERN_INVALID_ADDRESS);
	/* the reset vmspace works as a new one */
	MAP_AT(cvm, 0x200000, 2 * PG, 0);
	memset(mc, 0, 4 * PG);
	PUT(cvm, mc, 0x200000, 0x200000, 2 * PG, 2);
	VERIFY(cvm, mc, 0x200000, 2 * PG);

	/* exec with a new vmspace: set_vmspace swaps and frees the old one */
	CHECK_KERN(bsdvm_vmspace_create(s, VM_MIN, VM_MAX, 0, &nvm), KERN_SUCCESS);
	CHECK_MAP(M(nvm));
	bsdvm_proc_set_vmspace(pr, nvm);
	CHECK(bsdvm_proc_vmspace(pr) == nvm);
	CHECK_EQ_U64(bsdvm_vmspace_refcount(nvm), 2);
	bsdvm_vmspace_free(nvm);
	CHECK_EQ_U64(bsdvm_vmspace_refcount(nvm), 1);
	CHECK_EQ_U64(stats(s).vmspaces, vms0 + 2); /* pr's new one, pc's */
	CHECK_EQ_U64(stats(s).anons, 2);           /* the old vmspace's pages died */
	bsdvm_vmspace_get_limits(nvm, &got);
	CHECK(memcmp(&got, &lim, sizeof(lim)) == 0); /* the process's limits */
	CHECK_EQ_U64(nentries(nvm), 0);

	/* setting the vmspace a process already has changes nothing */
	bsdvm_proc_set_vmspace(pr, nvm);
	CHECK(bsdvm_proc_vmspace(pr) == nvm);
	CHECK_EQ_U64(bsdvm_vmspace_refcount(nvm), 1);
	CHECK_MAP(M(nvm));

	/* a process sharing a vmspace (vfork-like): reset refuses */
	{
		struct proc *pv = NULL;

		CHECK_KERN(bsdvm_proc_create(s, nvm, &pv), KERN_SUCCESS);
		CHECK_EQ_U64(bsdvm_vmspace_refcount(nvm), 2);
		CHECK_KERN(bsdvm_vmspace_reset(nvm, VM_MIN, VM_MAX), KERN_FAILURE);
		bsdvm_proc_destroy(pv);
		CHECK_EQ_U64(bsdvm_vmspace_refcount(nvm), 1);
		CHECK_KERN(bsdvm_vmspace_reset(nvm, VM_MIN, VM_MAX), KERN_SUCCESS);
		CHECK_MAP(M(nvm));
	}

	bsdvm_proc_destroy(pc);
	bsdvm_proc_destroy(pr);
	bsdvm_proc_destroy(NULL);
	CHECK_EQ_U64(stats(s).vmspaces, vms0);
	free(m);
	free(mc);
	FINISH(s);
}

/* Byte access at the edges: holes, the top of the address space, bad
 * arguments, protections. */
static void test_copy_bounds(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 0);
	const bsdvm_addr_t top = (bsdvm_addr_t)0 - 4096; /* the highest map max */
	struct vmspace *vm = NULL;
	struct vm_map *plain = test_map_new(0x10000, 0x100000000ull, 4096);
	uint8_t buf[3 * 4096], one = 1;
	size_t done = 99;
	uint8_t *m = model_new(2 * PG);

	CHECK_KERN(bsdvm_vmspace_create(s, 0x10000, top, 0, &vm), KERN_SUCCESS);
	if (vm == NULL)
		exit(1);
	CHECK_MAP(M(vm));
	MAP_AT(vm, top - 2 * PG, 2 * PG, 0);
	PUT(vm, m, top - 2 * PG, top - 2 * PG, 2 * PG, 1);
	VERIFY(vm, m, top - 2 * PG, 2 * PG);
	/* running off the top of the map stops after what was mapped */
	CHECK_KERN(bsdvm_copyin(vm, top - 2 * PG, buf, 3 * PG, &done), KERN_INVALID_ADDRESS);
	CHECK_EQ_U64(done, 2 * PG);
	CHECK(memcmp(buf, m, 2 * PG) == 0);
	CHECK_KERN(bsdvm_copyout(vm, buf, top - PG + 1, PG, &done), KERN_INVALID_ADDRESS);
	CHECK_EQ_U64(done, PG - 1);
	memcpy(m + PG + 1, buf, PG - 1); /* what did get written */
	VERIFY(vm, m, top - 2 * PG, 2 * PG);
	/* a range wrapping past 2^64 */
	CHECK_KERN(bsdvm_copyin(vm, (bsdvm_addr_t)0 - 16, buf, 32, &done), KERN_INVALID_ADDRESS);
	CHECK_EQ_U64(done, 0);
	/* empty, NULL, bad access bits, a map without memory */
	CHECK_KERN(bsdvm_copyin(vm, 0x12345, NULL, 0, &done), KERN_SUCCESS);
	CHECK_EQ_U64(done, 0);
	CHECK_KERN(bsdvm_copyout(vm, NULL, 0x12345, 0, NULL), KERN_SUCCESS);
	CHECK_KERN(bsdvm_copyin(vm, top - PG, NULL, 1, NULL), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_copyout(vm, NULL, top - PG, 1, NULL), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_copyin(NULL, top - PG, buf, 1, NULL), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_fault(M(vm), top - PG, 0x80), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_fault(plain, 0x20000, VM_PROT_READ), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_fault(M(vm), 0x20000, VM_PROT_READ), KERN_INVALID_ADDRESS);
	/* protections */
	CHECK_KERN(bsdvm_map_protect(M(vm), top - 2 * PG, top - PG, VM_PROT_READ, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_KERN(bsdvm_copyout(vm, &one, top - 2 * PG, 1, NULL), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_fault(M(vm), top - 2 * PG, VM_PROT_WRITE), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_fault(M(vm), top - 2 * PG, VM_PROT_EXECUTE), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_fault(M(vm), top - 2 * PG, VM_PROT_READ), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_protect(M(vm), top - 2 * PG, top - PG, VM_PROT_NONE, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_KERN(bsdvm_copyin(vm, top - 2 * PG, buf, 1, NULL), KERN_PROTECTION_FAILURE);
	/* ... and back: the bytes are still there */
	CHECK_KERN(bsdvm_map_protect(M(vm), top - 2 * PG, top - PG, VM_PROT_RW, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	VERIFY(vm, m, top - 2 * PG, 2 * PG);
	/* lowering the maximum takes write access away for good */
	CHECK_KERN(bsdvm_map_protect(M(vm), top - PG, top, VM_PROT_READ, VM_PROT_READ,
	    BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_KERN(bsdvm_copyout(vm, &one, top - 1, 1, NULL), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_protect(M(vm), top - PG, top, VM_PROT_RW, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_PROTECTION_FAILURE);
	VERIFY(vm, m, top - 2 * PG, 2 * PG);
	bsdvm_map_destroy(plain);
	bsdvm_vmspace_free(vm);
	free(m);
	FINISH(s);
}

/* Two systems side by side share nothing. */
static void test_two_systems(void)
{
	struct bsdvm_sys *s1 = new_sys(4096, 64, 0), *s2 = new_sys(4096, 64, 0);
	struct vmspace *v1 = new_vm(s1), *v2 = new_vm(s2);
	const bsdvm_addr_t a = 0x40000000;
	uint8_t *m1 = model_new(2 * PG), *m2 = model_new(2 * PG);

	MAP_AT(v1, a, 2 * PG, 0);
	MAP_AT(v2, a, 2 * PG, 0);
	PUT(v1, m1, a, a, 2 * PG, 1);
	PUT(v2, m2, a, a, 2 * PG, 2);
	CHECK_EQ_U64(stats(s1).resident, 2);
	CHECK_EQ_U64(stats(s2).resident, 2);
	VERIFY(v1, m1, a, 2 * PG);
	VERIFY(v2, m2, a, 2 * PG);
	bsdvm_vmspace_free(v1);
	CHECK_EQ_U64(stats(s2).resident, 2);
	VERIFY(v2, m2, a, 2 * PG);
	bsdvm_vmspace_free(v2);
	{
		struct bsdvm_sys_stats st = stats(s1);

		CHECK(st.anons == 0 && st.resident == 0 && st.amaps == 0);
	}
	bsdvm_sys_destroy(s1);
	FINISH(s2);
	free(m1);
	free(m2);
}

/*
 * Amap bookkeeping that a mutation run found unpinned:
 *  - simplify merging a clipped piece back (map.h: the entry survives)
 *    must keep the first piece's amap offset, or the merged entry shows
 *    the wrong pages once the translations are gone;
 *  - once the last other sharer of an INHERIT_SHARE amap is gone, the amap
 *    is private again and a partial unmap frees the unmapped anons at once
 *    (docs/design.md: only a shared amap keeps them).
 */
static void test_amap_bookkeeping(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 0);
	struct vmspace *vm = new_vm(s), *c;
	const bsdvm_addr_t a = 0x40000000;
	uint8_t *m = model_new(2 * PG);
	struct vm_map_entry *e;

	MAP_AT(vm, a, 2 * PG, 0);
	PUT(vm, m, a, a, 2 * PG, 1);
	bsdvm_map_lock(M(vm));
	CHECK(bsdvm_map_lookup_entry(M(vm), a, &e));
	CHECK_KERN(bsdvm_map_clip_start(M(vm), e, a + PG), KERN_SUCCESS);
	CHECK(bsdvm_map_lookup_entry(M(vm), a + PG, &e));
	e = bsdvm_map_simplify_entry(M(vm), e);
	CHECK(e->start == a && e->end == a + 2 * PG);
	bsdvm_map_unlock(M(vm));
	CHECK_MAP(M(vm));
	/* drop the translations: the reads below go through the amap */
	CHECK_KERN(bsdvm_map_protect(M(vm), a, a + 2 * PG, VM_PROT_READ, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	VERIFY(vm, m, a, 2 * PG);

	CHECK_KERN(bsdvm_map_inherit(M(vm), a, a + 2 * PG, VM_INHERIT_SHARE), KERN_SUCCESS);
	c = FORK(vm);
	CHECK_EQ_U64(stats(s).anons, 2);
	bsdvm_vmspace_free(c);
	CHECK_KERN(bsdvm_map_delete(M(vm), a + PG, a + 2 * PG), KERN_SUCCESS);
	CHECK_EQ_U64(stats(s).anons, 1);
	VERIFY(vm, m, a, PG);
	bsdvm_vmspace_free(vm);
	free(m);
	FINISH(s);
}

int main(void)
{
	static const bsdvm_size_t pages[] = { 4096, 16384, 65536 };
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		test_copy(pages[i]);
		test_copy_entries(pages[i]);
		test_share(pages[i]);
		test_share_mapf(pages[i]);
		test_none_zero(pages[i]);
		test_cow_counts(pages[i]);
		test_copy_of_shared(pages[i]);
	}
	test_fork_alloc_fail();
	test_amap_bookkeeping();
	test_proc();
	test_copy_bounds();
	test_two_systems();
	return test_main_exit("test_mem_fork");
}
