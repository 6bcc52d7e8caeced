/*
 * test_mem_paging.c - the frame pool, pageout and swap
 * (include/bsdvm/vmspace.h is the contract).
 *
 *  - a working set four times a 64-frame pool: seeded random writes and
 *    reads against a model, every byte verified; then a fork under the
 *    same pressure with a shared region (the seed is printed; replay with
 *    the test's argument or BSDVM_SEED);
 *  - wired pages are never evicted, whatever bsdvm_sys_pageout is asked;
 *  - frames and swap exhausted: KERN_RESOURCE_SHORTAGE at exactly the
 *    capacity, no byte written before is lost, freed memory is reusable;
 *  - no swap at all;
 *  - bsdvm_vmspace_resident.
 *
 * Every mutating step is followed by vm_map_check; every scenario ends with
 * all vmspaces freed, the system's counters at zero and, after
 * bsdvm_sys_destroy, no live allocation.
 */
#include <bsdvm/vmspace.h>

#include "memtest.h"

/* ------------------------------------------------------------------ */
/* helpers */



/* Random bytes from the test's generator. */
static void rand_bytes(struct test_rng *r, uint8_t *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)(rng_next(r) >> 56);
}

/* Resident pages of [base, base + npages pages) by bsdvm_vmspace_resident. */
static uint64_t count_resident(struct vmspace *vm, bsdvm_addr_t base, uint64_t npages)
{
	uint64_t i, n = 0;

	for (i = 0; i < npages; i++)
		n += bsdvm_vmspace_resident(vm, base + i * PG) ? 1 : 0;
	return n;
}

/* Calls bsdvm_sys_pageout until it evicts nothing more; returns the total. */
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

/* One random access to [base, base + len) of vm, checked against model. */
static void random_op(struct test_rng *r, struct vmspace *vm, uint8_t *model,
    bsdvm_addr_t base, size_t len, uint8_t *buf)
{
	size_t n = 1 + (size_t)rng_below(r, 2 * PG);
	size_t off = (size_t)rng_below(r, len - n + 1), done = (size_t)-1;
	int rv;

	if (rng_below(r, 10) < 6) {
		rand_bytes(r, buf, n);
		rv = bsdvm_copyout(vm, buf, base + off, n, &done);
		CHECK_KERN(rv, KERN_SUCCESS);
		CHECK_EQ_U64(done, n);
		if (rv == KERN_SUCCESS)
			memcpy(model + off, buf, n);
		CHECK_MAP(M(vm));
	} else {
		rv = bsdvm_copyin(vm, base + off, buf, n, &done);
		CHECK_KERN(rv, KERN_SUCCESS);
		CHECK_EQ_U64(done, n);
		if (memcmp(buf, model + off, n) != 0) {
			CHECK(!"random read differs from the model");
			fprintf(stderr, "  read of %zu bytes at %#" PRIx64 "\n", n, base + off);
		} else {
			CHECK(1);
		}
	}
}

/*
 * A working set four times the frame pool: sequential fill, then seeded
 * random writes and reads, then every byte; then a fork under the same
 * pressure with a shared region, both sides written at random.
 */
static void test_working_set(bsdvm_size_t page, uint64_t seed)
{
	const uint64_t frames = 64, npages = 4 * frames, nshared = 64;
	struct bsdvm_sys *s = new_sys(page, frames, 2048);
	struct vmspace *p = new_vm(s), *c;
	const bsdvm_addr_t a = 0x40000000, sh = 0x80000000;
	const size_t len = npages * PG, slen = nshared * PG;
	uint8_t *ma = model_new(len), *ms = model_new(slen), *mc;
	uint8_t *buf = model_new(2 * PG);
	struct test_rng r;
	struct bsdvm_sys_stats st;
	uint64_t i, nres;

	rng_init(&r, seed ^ page);
	MAP_AT(p, a, len, 0);
	for (i = 0; i < npages; i++) {
		rand_bytes(&r, ma + i * PG, PG);
		CHECK_KERN(bsdvm_copyout(p, ma + i * PG, a + i * PG, PG, NULL), KERN_SUCCESS);
		CHECK_MAP(M(p));
	}
	CHECK_MAP(M(p));
	st = stats(s);
	nres = count_resident(p, a, npages);
	CHECK_EQ_U64(st.anons, npages);
	CHECK_EQ_U64(st.resident, nres);
	CHECK_EQ_U64(st.resident, frames); /* the pool is full, nothing else is */
	CHECK_EQ_U64(st.free, 0);
	CHECK_EQ_U64(nres + st.swap_used, npages); /* each page in exactly one place */
	CHECK(st.pageouts >= npages - frames);
	CHECK_EQ_U64(st.zero_fills, npages);
	VERIFY(p, ma, a, len);

	for (i = 0; i < 4000; i++)
		random_op(&r, p, ma, a, len, buf);
	CHECK_MAP(M(p));
	VERIFY(p, ma, a, len);
	st = stats(s);
	CHECK(st.pageins > 0);
	CHECK(st.resident <= frames);
	CHECK_EQ_U64(st.free + st.resident, frames);
	CHECK_EQ_U64(count_resident(p, a, npages) + st.swap_used, npages);
	CHECK_EQ_U64(st.anons, npages);

	/* fork under pressure, with a shared region */
	MAP_AT(p, sh, slen, BSDVM_MAPF_SHARED);
	for (i = 0; i < 200; i++)
		random_op(&r, p, ms, sh, slen, buf);
	c = FORK(p);
	mc = model_dup(ma, len);
	VERIFY(c, mc, a, len);
	VERIFY(c, ms, sh, slen);
	for (i = 0; i < 6000; i++) {
		switch (rng_below(&r, 4)) {
		case 0:
			random_op(&r, p, ma, a, len, buf);
			break;
		case 1:
			random_op(&r, c, mc, a, len, buf);
			break;
		case 2:
			random_op(&r, p, ms, sh, slen, buf);
			break;
		default:
			random_op(&r, c, ms, sh, slen, buf);
			break;
		}
	}
	CHECK_MAP(M(p));
	CHECK_MAP(M(c));
	VERIFY(p, ma, a, len);
	VERIFY(c, mc, a, len);
	VERIFY(p, ms, sh, slen);
	VERIFY(c, ms, sh, slen);
	st = stats(s);
	CHECK(st.resident <= frames);
	CHECK(st.cow_copies > 0);
	/* everything out, then everything back in */
	pageout_all(s);
	CHECK_EQ_U64(stats(s).resident, 0);
	VERIFY(c, mc, a, len);
	VERIFY(c, ms, sh, slen);
	VERIFY(p, ma, a, len);
	bsdvm_vmspace_free(p);
	VERIFY(c, mc, a, len);
	VERIFY(c, ms, sh, slen);
	bsdvm_vmspace_free(c);

	free(ma);
	free(ms);
	free(mc);
	free(buf);
	FINISH(s);
}

/* Wired pages stay resident whatever the pressure and pageout do. */
static void test_wired_stay(bsdvm_size_t page)
{
	const uint64_t frames = 64;
	struct bsdvm_sys *s = new_sys(page, frames, 1024);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000, b = 0x50000000;
	const size_t alen = 16 * PG, blen = 200 * PG;
	uint8_t *ma = model_new(alen), *mb = model_new(blen);
	uint64_t i, before;

	MAP_AT(vm, a, alen, 0);
	PUT(vm, ma, a, a, alen, 1);
	CHECK_KERN(bsdvm_map_wire(M(vm), a + 4 * PG, a + 12 * PG, 0), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(stats(s).wired, 8);
	MAP_AT(vm, b, blen, 0);
	PUT(vm, mb, b, b, blen, 2); /* three times the pool through the rest */
	CHECK_EQ_U64(stats(s).wired, 8);
	for (i = 4; i < 12; i++)
		CHECK(bsdvm_vmspace_resident(vm, a + i * PG));
	before = stats(s).resident;
	CHECK_EQ_U64(pageout_all(s), before - 8);
	CHECK_EQ_U64(stats(s).resident, 8);
	CHECK_EQ_U64(stats(s).wired, 8);
	for (i = 0; i < 16; i++)
		CHECK(bsdvm_vmspace_resident(vm, a + i * PG) == (i >= 4 && i < 12));
	CHECK_EQ_U64(count_resident(vm, b, 200), 0);
	VERIFY(vm, mb, b, blen);
	VERIFY(vm, ma, a, alen);
	for (i = 4; i < 12; i++)
		CHECK(bsdvm_vmspace_resident(vm, a + i * PG));
	/* a pageout asked for exactly one page takes one */
	CHECK_EQ_U64(bsdvm_sys_pageout(s, 1), 1);
	CHECK_EQ_U64(bsdvm_sys_pageout(s, 0), 0);
	pageout_all(s);
	CHECK_EQ_U64(stats(s).resident, 8);
	/* once unwired they can go */
	CHECK_KERN(bsdvm_map_unwire(M(vm), a + 4 * PG, a + 12 * PG, 0), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(stats(s).wired, 0);
	CHECK_EQ_U64(pageout_all(s), 8);
	CHECK_EQ_U64(stats(s).resident, 0);
	CHECK_EQ_U64(count_resident(vm, a, 16), 0);
	VERIFY(vm, ma, a, alen);
	VERIFY(vm, mb, b, blen);
	/* with nothing resident, pageout has nothing to do */
	CHECK_KERN(bsdvm_map_delete(M(vm), a, a + alen), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_delete(M(vm), b, b + blen), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(stats(s).resident, 0);
	CHECK_EQ_U64(stats(s).swap_used, 0);
	CHECK_EQ_U64(bsdvm_sys_pageout(s, 10), 0);
	bsdvm_vmspace_free(vm);
	free(ma);
	free(mb);
	FINISH(s);
}

/* Reads every written page: each read either succeeds with the right
 * bytes or reports KERN_RESOURCE_SHORTAGE having moved nothing. */
static void check_readable_or_short(struct vmspace *vm, const uint8_t *model, bsdvm_addr_t base,
    uint64_t first, uint64_t last, uint8_t *buf)
{
	uint64_t i;

	for (i = first; i < last; i++) {
		size_t done = (size_t)-1;
		int rv = bsdvm_copyin(vm, base + i * PG, buf, PG, &done);

		CHECK(rv == KERN_SUCCESS || rv == KERN_RESOURCE_SHORTAGE);
		if (rv == KERN_SUCCESS)
			CHECK(memcmp(buf, model + i * PG, PG) == 0);
		else
			CHECK_EQ_U64(done, 0);
	}
}

/*
 * Frames and swap both full: the next page fails with
 * KERN_RESOURCE_SHORTAGE, nothing written before is lost, and memory
 * freed elsewhere makes room again.  `shared`: the pages live in a shared
 * anonymous object (object pages go to swap too).
 */
static void test_full_swap(bsdvm_size_t page, bool shared)
{
	const uint64_t frames = 64, swap = 64, cap = frames + swap, npages = 256;
	const uint64_t nfree = 16;
	struct bsdvm_sys *s = new_sys(page, frames, swap);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t f = 0x30000000, a = 0x40000000;
	const size_t len = npages * PG;
	uint8_t *m = model_new(len), *mf = model_new(nfree * PG), *zero = model_new(PG);
	uint8_t *buf = model_new(PG);
	uint64_t i, ok = 0, room;
	size_t done = (size_t)-1;
	int rv = KERN_SUCCESS;
	struct bsdvm_sys_stats st;

	/* private memory that will be freed to make room */
	MAP_AT(vm, f, nfree * PG, 0);
	PUT(vm, mf, f, f, nfree * PG, 1);
	MAP_AT(vm, a, len, shared ? BSDVM_MAPF_SHARED : 0);
	for (i = 0; i < npages; i++) {
		uint64_t k;

		for (k = 0; k < PG; k++)
			buf[k] = pat(a + i * PG + k, 2);
		done = (size_t)-1;
		rv = bsdvm_copyout(vm, buf, a + i * PG, PG, &done);
		CHECK_MAP(M(vm));
		if (rv != KERN_SUCCESS)
			break;
		memcpy(m + i * PG, buf, PG);
		ok++;
	}
	CHECK_MAP(M(vm));
	CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
	CHECK_EQ_U64(done, 0);
	CHECK_EQ_U64(ok, cap - nfree);
	st = stats(s);
	CHECK_EQ_U64(st.resident, frames);
	CHECK_EQ_U64(st.free, 0);
	CHECK_EQ_U64(st.swap_used, swap);
	/* the fault handler says the same; a read of a new page too */
	CHECK_KERN(bsdvm_fault(M(vm), a + (ok + 1) * PG, VM_PROT_WRITE), KERN_RESOURCE_SHORTAGE);
	CHECK_KERN(bsdvm_fault(M(vm), a + (ok + 2) * PG, VM_PROT_READ), KERN_RESOURCE_SHORTAGE);
	CHECK_KERN(bsdvm_copyin(vm, a + (ok + 3) * PG, buf, 1, NULL), KERN_RESOURCE_SHORTAGE);
	/* wiring needs frames as well */
	CHECK_KERN(bsdvm_map_wire(M(vm), a + (ok + 4) * PG, a + (ok + 5) * PG, 0),
	    KERN_RESOURCE_SHORTAGE);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(stats(s).wired, 0);
	check_readable_or_short(vm, m, a, 0, ok, buf);
	CHECK_EQ_U64(stats(s).swap_used, swap);

	/* free the private pages: everything written reads back exactly */
	CHECK_KERN(bsdvm_map_delete(M(vm), f, f + nfree * PG), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	st = stats(s);
	CHECK_EQ_U64(st.resident + st.swap_used, cap - nfree);
	VERIFY(vm, m, a, ok * PG);
	/* the page whose write failed holds nothing */
	VERIFY(vm, zero, a + ok * PG, PG);
	/* exactly the freed room can be written again */
	room = nfree - 1;
	for (i = ok + 1; i < ok + 1 + room; i++)
		PUT(vm, m, a, a + i * PG, PG, 3);
	CHECK_KERN(bsdvm_copyout(vm, buf, a + i * PG, PG, &done), KERN_RESOURCE_SHORTAGE);
	CHECK_EQ_U64(done, 0);
	st = stats(s);
	CHECK_EQ_U64(st.resident, frames);
	CHECK_EQ_U64(st.swap_used, swap);
	check_readable_or_short(vm, m, a, 0, ok + 1 + room, buf);

	/* unmap the whole shared mapping or part of the private one, then
	 * check the rest */
	if (shared) {
		CHECK_KERN(bsdvm_map_delete(M(vm), a, a + len), KERN_SUCCESS);
		CHECK_MAP(M(vm));
		st = stats(s);
		CHECK_EQ_U64(st.resident, 0);
		CHECK_EQ_U64(st.swap_used, 0);
		CHECK_EQ_U64(st.objects, 0);
	} else {
		CHECK_KERN(bsdvm_map_delete(M(vm), a, a + 8 * PG), KERN_SUCCESS);
		CHECK_MAP(M(vm));
		VERIFY(vm, m + 8 * PG, a + 8 * PG, (ok + 1 + room - 8) * PG);
	}
	bsdvm_vmspace_free(vm);
	free(m);
	free(mf);
	free(zero);
	free(buf);
	FINISH(s);
}

/* No swap at all: the pool is the limit; nothing is ever paged out. */
static void test_no_swap(bsdvm_size_t page)
{
	const uint64_t frames = 32;
	struct bsdvm_sys *s = new_sys(page, frames, 0);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000;
	const size_t len = (frames + 4) * PG;
	uint8_t *m = model_new(len), *buf = model_new(PG);
	uint64_t i;

	MAP_AT(vm, a, len, 0);
	for (i = 0; i < frames; i++)
		PUT(vm, m, a, a + i * PG, PG, 1);
	CHECK_KERN(bsdvm_copyout(vm, buf, a + frames * PG, 1, NULL), KERN_RESOURCE_SHORTAGE);
	CHECK_EQ_U64(stats(s).pageouts, 0);
	CHECK_EQ_U64(bsdvm_sys_pageout(s, 10), 0);
	CHECK_EQ_U64(stats(s).resident, frames);
	VERIFY(vm, m, a, frames * PG);
	/* freeing one page makes room for one */
	CHECK_KERN(bsdvm_map_delete(M(vm), a, a + PG), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	memset(m, 0, PG);
	PUT(vm, m, a, a + frames * PG, PG, 2);
	CHECK_KERN(bsdvm_copyout(vm, buf, a + (frames + 1) * PG, 1, NULL),
	    KERN_RESOURCE_SHORTAGE);
	VERIFY(vm, m + PG, a + PG, frames * PG);
	CHECK_EQ_U64(stats(s).pageouts, 0);
	bsdvm_vmspace_free(vm);
	free(m);
	free(buf);
	FINISH(s);
}

/* Resident queries: unmapped and untouched addresses are not resident. */
static void test_resident_query(void)
{
	struct bsdvm_sys *s = new_sys(4096, 16, 16);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000;
	uint8_t byte = 1;

	CHECK(!bsdvm_vmspace_resident(vm, a));
	MAP_AT(vm, a, 4 * PG, 0);
	CHECK(!bsdvm_vmspace_resident(vm, a));
	CHECK_KERN(bsdvm_copyout(vm, &byte, a + PG + 5, 1, NULL), KERN_SUCCESS);
	CHECK(!bsdvm_vmspace_resident(vm, a));
	CHECK(bsdvm_vmspace_resident(vm, a + PG));
	CHECK(bsdvm_vmspace_resident(vm, a + 2 * PG - 1));
	CHECK(!bsdvm_vmspace_resident(vm, a + 2 * PG));
	CHECK_EQ_U64(pageout_all(s), 1);
	CHECK(!bsdvm_vmspace_resident(vm, a + PG));
	CHECK_EQ_U64(stats(s).swap_used, 1);
	byte = 0;
	CHECK_KERN(bsdvm_copyin(vm, a + PG + 5, &byte, 1, NULL), KERN_SUCCESS);
	CHECK_EQ_U64(byte, 1);
	CHECK(bsdvm_vmspace_resident(vm, a + PG));
	CHECK_EQ_U64(stats(s).swap_used, 0);
	CHECK_EQ_U64(stats(s).pageins, 1);
	bsdvm_vmspace_free(vm);
	FINISH(s);
}

/* Second chance (vmspace.h, bsdvm_sys_pageout): a page referenced since
 * the last sweep is passed over for one that was not. */
static void test_second_chance(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 64);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000;
	uint8_t *m = model_new(3 * PG), byte;

	MAP_AT(vm, a, 3 * PG, 0);
	PUT(vm, m, a, a, 3 * PG, 1);
	CHECK_EQ_U64(bsdvm_sys_pageout(s, 1), 1); /* clears all three, evicts the first */
	CHECK(!bsdvm_vmspace_resident(vm, a));
	CHECK_KERN(bsdvm_copyin(vm, a + PG, &byte, 1, NULL), KERN_SUCCESS); /* referenced */
	CHECK_EQ_U64(bsdvm_sys_pageout(s, 1), 1);
	CHECK(bsdvm_vmspace_resident(vm, a + PG));
	CHECK(!bsdvm_vmspace_resident(vm, a + 2 * PG));
	VERIFY(vm, m, a, 3 * PG);
	bsdvm_vmspace_free(vm);
	free(m);
	FINISH(s);
}

int main(int argc, char **argv)
{
	uint64_t seed = test_seed(argc, argv, 0x6d656d70616765ull);

	test_working_set(4096, seed);
	test_working_set(16384, seed);
	test_wired_stay(4096);
	test_wired_stay(65536);
	test_full_swap(4096, false);
	test_full_swap(4096, true);
	test_full_swap(16384, false);
	test_no_swap(4096);
	test_resident_query();
	test_second_chance();
	return test_main_exit("test_mem_paging");
}
