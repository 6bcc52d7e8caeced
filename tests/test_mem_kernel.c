/*
 * test_mem_kernel.c - the kernel side of a system
 * (include/bsdvm/vmspace.h is the contract).
 *
 *  - bsdvm_kmem_alloc: wired, zeroed memory in the kernel vmspace, read
 *    and written with copyin/copyout, never paged out, zeroed again when
 *    reallocated; bsdvm_kmem_free; failure (no frames, no space) returns 0
 *    and changes nothing;
 *  - u-areas (user and system): bsdvm_uarea_size bytes, wired, with an
 *    unmapped guard page just below (accesses fail with
 *    KERN_PROTECTION_FAILURE);
 *  - the pmap growkernel hook, through pmap_ops wrapping the software
 *    pmap: called when the kernel map grows past its top, with the end
 *    bsdvm_sys_kernel_vm_end reports;
 *  - bsdvm_sys_create parameters and allocation failure.
 *
 * Every mutating step is followed by vm_map_check; every scenario ends with
 * the system's counters at zero and, after bsdvm_sys_destroy, no live
 * allocation.
 */
#include <bsdvm/vmspace.h>

#include "memtest.h"

/* ------------------------------------------------------------------ */
/* helpers (the common ones are in support/memtest.h) */


static struct vm_map *KM(struct bsdvm_sys *s)
{
	return M(bsdvm_sys_kernel(s));
}

static bool all_zero(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/* The kernel region at addr is [start, end), wired `wired` times, with prot. */
static void check_kregion_at(int line, struct bsdvm_sys *s, bsdvm_addr_t addr,
    bsdvm_addr_t start, bsdvm_addr_t end, int32_t wired, bsdvm_prot_t prot, bool guard)
{
	struct bsdvm_region r;

	memset(&r, 0, sizeof(r));
	CHECK_AT(line, bsdvm_map_query(KM(s), addr, &r));
	CHECK_EQ_AT(line, r.start, start);
	CHECK_EQ_AT(line, r.end, end);
	CHECK_EQ_AT(line, r.wired_count, wired);
	CHECK_EQ_AT(line, r.protection, prot);
	CHECK_EQ_AT(line, (r.eflags & MAP_ENTRY_GUARD) != 0, guard);
}
#define CHECK_KREGION(s, addr, start, end, wired, prot, guard)                     \
	check_kregion_at(__LINE__, (s), (addr), (start), (end), (wired), (prot), (guard))

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

/* ------------------------------------------------------------------ */

/* Wired, zeroed kernel memory; copyin/copyout through the kernel vmspace. */
static void test_kmem(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 64, 64);
	struct vmspace *kvm = bsdvm_sys_kernel(s);
	struct vm_map *km = KM(s);
	uint8_t *m = model_new(3 * page), *buf = model_new(3 * page);
	bsdvm_addr_t a, b, c;
	size_t done = 99;
	char *before;

	CHECK(kvm != NULL);
	CHECK(bsdvm_map_vmspace(km) == kvm);
	CHECK((bsdvm_map_flags(km) & BSDVM_MAP_SYSTEM) != 0);
	CHECK_EQ_U64(bsdvm_map_page_size(km), page);
	CHECK_EQ_U64(stats(s).vmspaces, 1);
	CHECK_EQ_U64(nentries(kvm), 0);

	a = bsdvm_kmem_alloc(s, 3 * PG);
	CHECK_MAP(km);
	CHECK(a != 0);
	CHECK_EQ_U64(a % PG, 0);
	CHECK(a >= bsdvm_map_min(km) && a + 3 * PG <= bsdvm_map_max(km));
	CHECK_KREGION(s, a, a, a + 3 * PG, 1, VM_PROT_RW, false);
	CHECK_EQ_U64(stats(s).wired, 3);
	CHECK_EQ_U64(stats(s).resident, 3);
	CHECK(bsdvm_vmspace_resident(kvm, a) && bsdvm_vmspace_resident(kvm, a + 3 * PG - 1));
	memset(buf, 0xee, 3 * PG);
	CHECK_KERN(bsdvm_copyin(kvm, a, buf, 3 * PG, &done), KERN_SUCCESS);
	CHECK_EQ_U64(done, 3 * PG);
	CHECK(all_zero(buf, 3 * PG));
	PUT(kvm, m, a, a, 3 * PG, 1);
	VERIFY(kvm, m, a, 3 * PG);
	/* past the end: nothing mapped */
	CHECK_KERN(bsdvm_copyin(kvm, a + 3 * PG, buf, 1, NULL), KERN_INVALID_ADDRESS);

	/* sizes round up to pages; 0 is refused */
	b = bsdvm_kmem_alloc(s, 1);
	CHECK_MAP(km);
	CHECK(b != 0 && (b >= a + 3 * PG || b + PG <= a));
	CHECK_KREGION(s, b, b, b + PG, 1, VM_PROT_RW, false);
	CHECK_EQ_U64(stats(s).wired, 4);
	CHECK_EQ_U64(bsdvm_kmem_alloc(s, 0), 0);
	CHECK_MAP(km);

	/* kernel memory is never paged out */
	CHECK_EQ_U64(pageout_all(s), 0);
	CHECK_EQ_U64(stats(s).resident, 4);
	VERIFY(kvm, m, a, 3 * PG);

	/* freed memory is gone; allocated again, it is zeroed again */
	bsdvm_kmem_free(s, a, 3 * PG);
	CHECK_MAP(km);
	CHECK_EQ_U64(stats(s).wired, 1);
	CHECK_EQ_U64(stats(s).resident, 1);
	CHECK_KERN(bsdvm_copyin(kvm, a, buf, 1, NULL), KERN_INVALID_ADDRESS);
	c = bsdvm_kmem_alloc(s, 3 * PG);
	CHECK_MAP(km);
	CHECK(c != 0);
	memset(buf, 0xee, 3 * PG);
	CHECK_KERN(bsdvm_copyin(kvm, c, buf, 3 * PG, NULL), KERN_SUCCESS);
	CHECK(all_zero(buf, 3 * PG));
	bsdvm_kmem_free(s, c, 3 * PG);
	bsdvm_kmem_free(s, b, 1); /* the same rounding as the allocation */
	CHECK_MAP(km);
	CHECK_EQ_U64(nentries(kvm), 0);
	CHECK_EQ_U64(stats(s).wired, 0);

	/* more than the frames can hold (the swap does not help wired memory):
	 * 0, and nothing changes */
	a = bsdvm_kmem_alloc(s, 40 * PG);
	CHECK(a != 0);
	before = test_map_listing(km);
	CHECK_EQ_U64(bsdvm_kmem_alloc(s, 30 * PG), 0);
	CHECK_MAP(km);
	{
		char *after = test_map_listing(km);

		CHECK(strcmp(before, after) == 0);
		free(after);
	}
	CHECK_EQ_U64(stats(s).wired, 40);
	CHECK_EQ_U64(stats(s).resident, 40);
	bsdvm_kmem_free(s, a, 40 * PG);
	CHECK_MAP(km);
	free(before);
	free(m);
	free(buf);
	FINISH(s);
}

/* Kernel memory and user memory compete for the same frames. */
static void test_kmem_pressure(void)
{
	struct bsdvm_sys *s = new_sys(4096, 32, 128);
	struct vmspace *kvm = bsdvm_sys_kernel(s), *vm = new_vm(s);
	const bsdvm_addr_t u = 0x40000000;
	uint8_t *mu = model_new(64 * PG), *mk = model_new(16 * PG);
	bsdvm_addr_t k;

	MAP_AT(vm, u, 64 * PG, 0);
	PUT(vm, mu, u, u, 64 * PG, 1);  /* fills the pool, half goes to swap */
	k = bsdvm_kmem_alloc(s, 16 * PG); /* takes frames by evicting user pages */
	CHECK(k != 0);
	CHECK_MAP(M(kvm));
	PUT(kvm, mk, k, k, 16 * PG, 2);
	VERIFY(vm, mu, u, 64 * PG);
	VERIFY(kvm, mk, k, 16 * PG);
	CHECK_EQ_U64(stats(s).wired, 16);
	CHECK(stats(s).resident <= 32);
	bsdvm_kmem_free(s, k, 16 * PG);
	CHECK_MAP(M(kvm));
	bsdvm_vmspace_free(vm);
	free(mu);
	free(mk);
	FINISH(s);
}

/* u-areas: wired kernel stacks with an unmapped guard page below. */
static void test_uarea(bsdvm_size_t page, bsdvm_size_t usize)
{
	struct bsdvm_sys_params sp;
	struct bsdvm_sys *s = NULL;
	struct vmspace *kvm;
	bsdvm_addr_t u[8], us, k;
	uint8_t *m, byte[2] = { 0, 0 };
	size_t done = 99;
	unsigned i, j;

	memset(&sp, 0, sizeof(sp));
	sp.page_size = page;
	sp.frames = 128;
	sp.uarea_size = usize;
	CHECK_KERN(bsdvm_sys_create(&sp, &s), KERN_SUCCESS);
	if (s == NULL)
		return;
	PG = page;
	if (usize == 0)
		usize = 4 * page; /* the documented default */
	kvm = bsdvm_sys_kernel(s);
	CHECK_EQ_U64(bsdvm_uarea_size(s), usize);
	m = model_new(usize);

	/* a bit of kernel memory first, so a u-area's guard has a neighbour */
	k = bsdvm_kmem_alloc(s, PG);
	CHECK(k != 0);
	us = bsdvm_uarea_alloc(s, true);
	CHECK_MAP(M(kvm));
	CHECK(us != 0);
	CHECK_KREGION(s, us, us, us + usize, 1, VM_PROT_RW, false);
	CHECK_KREGION(s, us - PG, us - PG, us, 0, VM_PROT_NONE, true);
	CHECK_EQ_U64(stats(s).wired, 1 + usize / PG);
	for (i = 0; i < 8; i++) {
		u[i] = bsdvm_uarea_alloc(s, false);
		CHECK_MAP(M(kvm));
		CHECK(u[i] != 0);
		CHECK_EQ_U64(u[i] % PG, 0);
		CHECK_KREGION(s, u[i], u[i], u[i] + usize, 1, VM_PROT_RW, false);
		CHECK_KREGION(s, u[i] - PG, u[i] - PG, u[i], 0, VM_PROT_NONE, true);
		CHECK(bsdvm_vmspace_resident(kvm, u[i]));
		CHECK(bsdvm_vmspace_resident(kvm, u[i] + usize - 1));
	}
	CHECK_EQ_U64(stats(s).wired, 1 + 9 * usize / PG);
	/* the guard: every access fails, the u-area itself is zeroed */
	for (i = 0; i < 8; i++) {
		CHECK_KERN(bsdvm_copyin(kvm, u[i] - 1, byte, 1, NULL), KERN_PROTECTION_FAILURE);
		CHECK_KERN(bsdvm_copyout(kvm, byte, u[i] - PG, 1, NULL), KERN_PROTECTION_FAILURE);
		CHECK_KERN(bsdvm_fault(M(kvm), u[i] - PG / 2, VM_PROT_READ),
		    KERN_PROTECTION_FAILURE);
		/* a write running down off the stack stops at the guard */
		CHECK_KERN(bsdvm_copyout(kvm, byte, u[i] - 1, 2, &done), KERN_PROTECTION_FAILURE);
		CHECK_EQ_U64(done, 0);
		CHECK_KERN(bsdvm_map_wire(M(kvm), u[i] - PG, u[i], 0), KERN_INVALID_ADDRESS);
		VERIFY(kvm, m, u[i], usize);
	}
	CHECK_KERN(bsdvm_copyin(kvm, us - 1, byte, 1, NULL), KERN_PROTECTION_FAILURE);
	/* the u-areas are disjoint: distinct patterns survive */
	for (i = 0; i < 8; i++)
		PUT(kvm, NULL, u[i], u[i], usize, 10 + i);
	PUT(kvm, NULL, us, us, usize, 30);
	for (i = 0; i < 8; i++) {
		for (j = 0; j < usize; j++)
			m[j] = pat(u[i] + j, 10 + i);
		VERIFY(kvm, m, u[i], usize);
	}
	CHECK_EQ_U64(pageout_all(s), 0);
	/* free: the guard goes with it */
	for (i = 0; i < 8; i += 2) {
		bsdvm_uarea_free(s, u[i], false);
		CHECK_MAP(M(kvm));
		{
			struct bsdvm_region r;

			CHECK(!bsdvm_map_query(M(kvm), u[i], &r));
			CHECK(!bsdvm_map_query(M(kvm), u[i] - PG, &r));
		}
		CHECK_KERN(bsdvm_copyin(kvm, u[i], byte, 1, NULL), KERN_INVALID_ADDRESS);
	}
	CHECK_EQ_U64(stats(s).wired, 1 + 5 * usize / PG);
	for (i = 1; i < 8; i += 2) {
		for (j = 0; j < usize; j++)
			m[j] = pat(u[i] + j, 10 + i);
		VERIFY(kvm, m, u[i], usize);
	}
	/* reallocated: zeroed again */
	u[0] = bsdvm_uarea_alloc(s, false);
	CHECK(u[0] != 0);
	memset(m, 0, usize);
	VERIFY(kvm, m, u[0], usize);
	bsdvm_uarea_free(s, 0, false); /* no-op */
	CHECK_MAP(M(kvm));
	bsdvm_uarea_free(s, u[0], false);
	for (i = 1; i < 8; i += 2)
		bsdvm_uarea_free(s, u[i], false);
	bsdvm_uarea_free(s, us, true);
	bsdvm_kmem_free(s, k, PG);
	CHECK_MAP(M(kvm));
	CHECK_EQ_U64(nentries(kvm), 0);
	free(m);
	FINISH(s);
}

/* ---- the pmap_growkernel hook ---- */

static struct {
	unsigned calls;
	bsdvm_addr_t last_end;
	bool bad_ctx;
	bool decreasing;
} grow_log;

static void rec_growkernel(void *ctx, bsdvm_addr_t end)
{
	if (ctx != (void *)(uintptr_t)bsdvm_platform_default())
		grow_log.bad_ctx = true;
	if (end <= grow_log.last_end)
		grow_log.decreasing = true;
	grow_log.calls++;
	grow_log.last_end = end;
	pmap_soft_ops()->growkernel(ctx, end);
}

static void test_growkernel(void)
{
	struct pmap_ops ops = *pmap_soft_ops();
	struct bsdvm_sys *s;
	struct vmspace *kvm, *vm;
	bsdvm_addr_t end0, k1, k2, k3, k4, u;
	const bsdvm_size_t MiB = 1024 * 1024;
	uint8_t *m = model_new(4 * 4096);

	ops.growkernel = rec_growkernel;
	memset(&grow_log, 0, sizeof(grow_log));
	s = new_sys_pmap(2048, &ops);
	if (s == NULL) {
		free(m);
		return;
	}
	kvm = bsdvm_sys_kernel(s);
	end0 = bsdvm_sys_kernel_vm_end(s);
	CHECK(end0 > bsdvm_map_min(KM(s)));
	grow_log.last_end = end0;

	/* below the current end: no call */
	k1 = bsdvm_kmem_alloc(s, MiB);
	CHECK(k1 != 0 && k1 + MiB <= end0);
	CHECK_EQ_U64(grow_log.calls, 0);
	CHECK_EQ_U64(bsdvm_sys_kernel_vm_end(s), end0);
	/* past it: one call, before the memory is used */
	k2 = bsdvm_kmem_alloc(s, 4 * MiB);
	CHECK_MAP(KM(s));
	CHECK(k2 != 0);
	CHECK(k2 + 4 * MiB > end0);
	CHECK_EQ_U64(grow_log.calls, 1);
	CHECK(grow_log.last_end >= k2 + 4 * MiB);
	CHECK_EQ_U64(bsdvm_sys_kernel_vm_end(s), grow_log.last_end);
	CHECK(bsdvm_sys_kernel_vm_end(s) > end0);
	CHECK_EQ_U64(stats(s).wired, (MiB + 4 * MiB) / PG);
	PUT(kvm, m, k2 + 4 * MiB - 4 * PG, k2 + 4 * MiB - 4 * PG, 4 * PG, 1);
	VERIFY(kvm, m, k2 + 4 * MiB - 4 * PG, 4 * PG);
	/* inside the grown range: no call; freeing never shrinks it */
	end0 = bsdvm_sys_kernel_vm_end(s);
	k3 = bsdvm_kmem_alloc(s, PG);
	CHECK(k3 != 0 && k3 + PG <= end0);
	bsdvm_kmem_free(s, k2, 4 * MiB);
	CHECK_MAP(KM(s));
	CHECK_EQ_U64(bsdvm_sys_kernel_vm_end(s), end0);
	k4 = bsdvm_kmem_alloc(s, 4 * MiB);
	CHECK(k4 != 0 && k4 + 4 * MiB <= end0);
	CHECK_EQ_U64(grow_log.calls, 1);
	/* u-areas grow it too */
	bsdvm_kmem_free(s, k1, MiB);
	k1 = bsdvm_kmem_alloc(s, 3 * MiB);
	CHECK(k1 != 0);
	u = bsdvm_uarea_alloc(s, false);
	CHECK(u != 0);
	CHECK_MAP(KM(s));
	if (u + bsdvm_uarea_size(s) > end0 || k1 + 3 * MiB > end0) {
		CHECK(grow_log.calls >= 2);
		CHECK(bsdvm_sys_kernel_vm_end(s) >= u + bsdvm_uarea_size(s));
		CHECK(bsdvm_sys_kernel_vm_end(s) >= k1 + 3 * MiB);
	}
	CHECK_EQ_U64(bsdvm_sys_kernel_vm_end(s), grow_log.last_end);
	CHECK(!grow_log.bad_ctx);
	CHECK(!grow_log.decreasing);

	/* any mapping into the kernel vmspace grows it, not only kmem:
	 * mmap at a fixed address, and a stack, each beyond the end */
	{
		bsdvm_addr_t a = bsdvm_sys_kernel_vm_end(s) + 16 * MiB, st;
		unsigned calls = grow_log.calls;

		CHECK_KERN(bsdvm_vmspace_mmap(kvm, &a, 4 * PG, VM_PROT_RW, VM_PROT_ALL,
		    BSDVM_MAPF_FIXED, NULL, 0), KERN_SUCCESS);
		CHECK_EQ_U64(grow_log.calls, calls + 1);
		CHECK(bsdvm_sys_kernel_vm_end(s) >= a + 4 * PG);
		PUT(kvm, NULL, a, a, 4 * PG, 3);
		st = bsdvm_sys_kernel_vm_end(s) + 8 * MiB;
		CHECK_KERN(bsdvm_map_stack(KM(s), st, MiB, VM_PROT_RW, VM_PROT_ALL,
		    MAP_ENTRY_GROWS_DOWN), KERN_SUCCESS);
		CHECK_EQ_U64(grow_log.calls, calls + 2);
		CHECK(bsdvm_sys_kernel_vm_end(s) >= st + MiB);
		CHECK_EQ_U64(bsdvm_sys_kernel_vm_end(s), grow_log.last_end);
		CHECK(!grow_log.decreasing);
		CHECK_KERN(bsdvm_map_delete(KM(s), a, a + 4 * PG), KERN_SUCCESS);
		CHECK_KERN(bsdvm_map_delete(KM(s), st, st + MiB), KERN_SUCCESS);
		CHECK_MAP(KM(s));
	}

	/* user memory works with the wrapped pmap as well */
	vm = new_vm(s);
	MAP_AT(vm, 0x40000000, 4 * PG, 0);
	memset(m, 0, 4 * PG);
	PUT(vm, m, 0x40000000, 0x40000000, 4 * PG, 2);
	VERIFY(vm, m, 0x40000000, 4 * PG);
	bsdvm_vmspace_free(vm);

	bsdvm_uarea_free(s, u, false);
	bsdvm_kmem_free(s, k1, 3 * MiB);
	bsdvm_kmem_free(s, k3, PG);
	bsdvm_kmem_free(s, k4, 4 * MiB);
	CHECK_MAP(KM(s));
	free(m);
	FINISH(s);
}

/* A small custom kernel window: allocations that do not fit return 0. */
static void test_kernel_window(void)
{
	struct bsdvm_sys_params sp;
	struct bsdvm_sys *s = NULL;
	const bsdvm_addr_t kmin = 0x100000000ull, kmax = kmin + 64 * 4096;
	bsdvm_addr_t a, b;

	memset(&sp, 0, sizeof(sp));
	sp.frames = 256;
	sp.kernel_min = kmin;
	sp.kernel_max = kmax;
	CHECK_KERN(bsdvm_sys_create(&sp, &s), KERN_SUCCESS);
	if (s == NULL)
		return;
	PG = 4096;
	/* a window below one growth step: the kernel pmap starts at its top */
	CHECK_EQ_U64(bsdvm_sys_kernel_vm_end(s), kmax);
	CHECK_EQ_U64(bsdvm_map_min(KM(s)), kmin);
	CHECK_EQ_U64(bsdvm_map_max(KM(s)), kmax);
	CHECK_EQ_U64(bsdvm_kmem_alloc(s, 65 * PG), 0);
	CHECK_MAP(KM(s));
	a = bsdvm_kmem_alloc(s, 60 * PG);
	CHECK(a >= kmin && a + 60 * PG <= kmax);
	CHECK_EQ_U64(bsdvm_uarea_alloc(s, false), 0); /* 5 pages do not fit in 4 */
	b = bsdvm_kmem_alloc(s, 4 * PG);
	CHECK(b != 0);
	CHECK_EQ_U64(bsdvm_kmem_alloc(s, PG), 0);
	CHECK_MAP(KM(s));
	CHECK_EQ_U64(stats(s).wired, 64);
	bsdvm_kmem_free(s, a, 60 * PG);
	bsdvm_kmem_free(s, b, 4 * PG);
	CHECK_MAP(KM(s));
	FINISH(s);
}

/* bsdvm_sys_create refuses bad parameters and leaks nothing. */
static void test_sys_params(void)
{
	struct bsdvm_sys_params sp;
	struct bsdvm_sys *s = NULL;
	struct bsdvm_sys_stats st;

	memset(&sp, 0, sizeof(sp));
	CHECK_KERN(bsdvm_sys_create(&sp, NULL), KERN_INVALID_ARGUMENT);
	sp.page_size = 3000;
	CHECK_KERN(bsdvm_sys_create(&sp, &s), KERN_INVALID_ARGUMENT);
	sp.page_size = 2048;
	CHECK_KERN(bsdvm_sys_create(&sp, &s), KERN_INVALID_ARGUMENT);
	sp.page_size = 131072;
	CHECK_KERN(bsdvm_sys_create(&sp, &s), KERN_INVALID_ARGUMENT);
	sp.page_size = 8192;
	sp.uarea_size = 4096;
	CHECK_KERN(bsdvm_sys_create(&sp, &s), KERN_INVALID_ARGUMENT);
	sp.uarea_size = 0;
	sp.sgrowsiz = 4096;
	CHECK_KERN(bsdvm_sys_create(&sp, &s), KERN_INVALID_ARGUMENT);
	sp.sgrowsiz = 8192 + 4096;
	CHECK_KERN(bsdvm_sys_create(&sp, &s), KERN_INVALID_ARGUMENT);
	sp.sgrowsiz = 0;
	sp.pmap = pmap_soft_ops(); /* without its context */
	CHECK_KERN(bsdvm_sys_create(&sp, &s), KERN_INVALID_ARGUMENT);
	sp.pmap = NULL;
	sp.pmap_ctx = (void *)(uintptr_t)bsdvm_platform_default();
	CHECK_KERN(bsdvm_sys_create(&sp, &s), KERN_INVALID_ARGUMENT);
	CHECK(s == NULL);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), 0);
	/* defaults */
	memset(&sp, 0, sizeof(sp));
	CHECK_KERN(bsdvm_sys_create(NULL, &s), KERN_SUCCESS);
	if (s == NULL)
		return;
	CHECK_EQ_U64(bsdvm_sys_page_size(s), 4096);
	st = stats(s);
	CHECK_EQ_U64(st.frames, 4096);
	CHECK_EQ_U64(st.free, 4096);
	CHECK_EQ_U64(st.swap_total, 0);
	CHECK_EQ_U64(bsdvm_uarea_size(s), 4 * 4096);
	PG = 4096;
	FINISH(s);
	/* allocation failure while creating: nothing leaks */
	{
		uint64_t k;
		int rv = KERN_RESOURCE_SHORTAGE;

		sp.frames = 16;
		sp.swap_pages = 16;
		for (k = 1; k < 100; k++) {
			s = NULL;
			bsdvm_alloc_fail_at(k);
			rv = bsdvm_sys_create(&sp, &s);
			bsdvm_alloc_fail_at(0);
			if (rv == KERN_SUCCESS)
				break;
			CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
			CHECK(s == NULL);
			CHECK_EQ_U64(bsdvm_alloc_live_bytes(), 0);
		}
		CHECK_KERN(rv, KERN_SUCCESS);
		CHECK(k > 3);
		if (s != NULL)
			FINISH(s);
	}
}

int main(void)
{
	test_sys_params();
	test_kmem(4096);
	test_kmem(65536);
	test_kmem_pressure();
	test_uarea(4096, 0);
	test_uarea(16384, 2 * 16384);
	test_growkernel();
	test_kernel_window();
	return test_main_exit("test_mem_kernel");
}
