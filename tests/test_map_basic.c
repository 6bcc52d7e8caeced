/*
 * test_map_basic.c - deterministic unit tests of every map engine operation
 * (include/bsdvm/map.h is the contract): creation and accessors, version and
 * KERN_* names, insert and coalescing, lookup and iteration, free-space
 * search, find, fixed replacement, delete, protect, inherit, madvise,
 * check_protection, the clip/simplify primitives, statistics and the lock.
 *
 * Most scenarios run with 4 KiB, 16 KiB and 64 KiB pages; addresses are
 * written as page multiples (P(n)) so that one scenario serves all three.
 * Maps starting at address 0 and maps reaching 2^64 - page size are tested
 * explicitly.  Every mutation is followed by CHECK_MAP.
 */
#include <limits.h>
#include <pthread.h>

#include "testutil.h"

/* ------------------------------------------------------------------ */
/* helpers */

#define KiB ((bsdvm_size_t)1024)
#define MiB ((bsdvm_size_t)1024 * 1024)
#define GiB ((bsdvm_size_t)1024 * 1024 * 1024)
/* 2^64 - x, without writing the wrap-around at every use */
#define TOP(x) ((bsdvm_addr_t)0 - (bsdvm_addr_t)(x))

/* A check that reports the caller's line. */
#define CHECK_AT(line, cond)                                                     \
	do {                                                                     \
		if (cond) {                                                      \
			tu_passed++;                                             \
		} else {                                                         \
			tu_failed++;                                             \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,   \
			    (line), #cond);                                      \
		}                                                                \
	} while (0)

/* Two distinct fake memory objects: the engine only compares the pointers. */
static long obj_a_store[2], obj_b_store[2];
#define OBJ_A ((struct vm_object *)(void *)obj_a_store)
#define OBJ_B ((struct vm_object *)(void *)obj_b_store)

static uint64_t nentries(struct vm_map *m)
{
	return test_map_stats(m).nentries;
}

static struct bsdvm_entry_attrs anon(bsdvm_prot_t prot)
{
	return bsdvm_attrs_anon(prot, VM_PROT_ALL);
}

static struct bsdvm_entry_attrs with_obj(struct vm_object *obj, bsdvm_off_t off,
    bsdvm_prot_t prot)
{
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(prot, VM_PROT_ALL);

	a.object = obj;
	a.offset = off;
	return a;
}

static struct bsdvm_entry_attrs with_flags(bsdvm_prot_t prot, uint32_t eflags)
{
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(prot, VM_PROT_ALL);

	a.eflags = eflags;
	return a;
}

static struct bsdvm_entry_attrs guard_attrs(uint32_t extra)
{
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(VM_PROT_NONE, VM_PROT_NONE);

	a.eflags = MAP_ENTRY_GUARD | extra;
	return a;
}

static struct vm_map *new_map_flags(bsdvm_addr_t min, bsdvm_addr_t max, bsdvm_size_t pg,
    uint32_t flags)
{
	struct bsdvm_map_params p = { .min = min, .max = max, .page_size = pg, .flags = flags };
	struct vm_map *m = NULL;

	if (bsdvm_map_create(&p, &m) != KERN_SUCCESS || m == NULL) {
		fprintf(stderr, "new_map_flags: bsdvm_map_create failed\n");
		exit(2);
	}
	return m;
}

static int ins(struct vm_map *m, bsdvm_addr_t s, bsdvm_addr_t e, bsdvm_prot_t prot)
{
	struct bsdvm_entry_attrs a = anon(prot);

	return bsdvm_map_insert(m, s, e, &a);
}

static int ins_attrs(struct vm_map *m, bsdvm_addr_t s, bsdvm_addr_t e,
    struct bsdvm_entry_attrs a)
{
	return bsdvm_map_insert(m, s, e, &a);
}

/* The entry holding addr must be exactly [s, e). */
#define CHECK_REGION(m, addr, s, e) check_region((m), (addr), (s), (e), __LINE__)
static void check_region(struct vm_map *m, bsdvm_addr_t addr, bsdvm_addr_t s,
    bsdvm_addr_t e, int line)
{
	struct bsdvm_region r;
	bool found = bsdvm_map_query(m, addr, &r);

	CHECK_AT(line, found);
	if (found) {
		CHECK_AT(line, r.start == s);
		CHECK_AT(line, r.end == e);
		if (r.start != s || r.end != e)
			fprintf(stderr, "  region at %#" PRIx64 " is [%#" PRIx64 ", %#" PRIx64
			    "), expected [%#" PRIx64 ", %#" PRIx64 ")\n", addr, r.start, r.end, s, e);
	}
}

static struct bsdvm_region region_at(struct vm_map *m, bsdvm_addr_t addr)
{
	struct bsdvm_region r;

	memset(&r, 0, sizeof(r));
	if (!bsdvm_map_query(m, addr, &r)) {
		tu_failed++;
		fprintf(stderr, "region_at: %#" PRIx64 " is not mapped\n", addr);
	}
	return r;
}

#define CHECK_UNMAPPED(m, addr) CHECK_AT(__LINE__, !bsdvm_map_query((m), (addr), NULL))

/* The map's entries must be exactly the [start, end) pairs given. */
struct layout {
	bsdvm_addr_t se[128];
	size_t n;
};

static int layout_one(void *arg, const struct bsdvm_region *r)
{
	struct layout *l = arg;

	if (l->n < 64) {
		l->se[2 * l->n] = r->start;
		l->se[2 * l->n + 1] = r->end;
	}
	l->n++;
	return 0;
}

static void check_layout(struct vm_map *m, const bsdvm_addr_t *se, size_t n, int line)
{
	struct layout l;
	bool same;

	l.n = 0;
	bsdvm_map_foreach(m, layout_one, &l);
	same = l.n == n && (n == 0 || memcmp(l.se, se, n * 2 * sizeof(se[0])) == 0);
	CHECK_AT(line, same);
	if (!same) {
		size_t i;

		fprintf(stderr, "  layout has %zu entries:", l.n);
		for (i = 0; i < l.n && i < 64; i++)
			fprintf(stderr, " [%#" PRIx64 ",%#" PRIx64 ")", l.se[2 * i], l.se[2 * i + 1]);
		fprintf(stderr, "\n  expected %zu:", n);
		for (i = 0; i < n; i++)
			fprintf(stderr, " [%#" PRIx64 ",%#" PRIx64 ")", se[2 * i], se[2 * i + 1]);
		fprintf(stderr, "\n");
	}
}
#define CHECK_LAYOUT(m, ...)                                                     \
	do {                                                                     \
		const bsdvm_addr_t tu_se[] = { __VA_ARGS__ };                    \
		check_layout((m), tu_se, sizeof(tu_se) / sizeof(tu_se[0]) / 2,   \
		    __LINE__);                                                   \
	} while (0)
#define CHECK_EMPTY(m) check_layout((m), NULL, 0, __LINE__)

static const bsdvm_size_t page_sizes[] = { 4 * KiB, 16 * KiB, 64 * KiB };
#define NPAGES (sizeof(page_sizes) / sizeof(page_sizes[0]))

/* ------------------------------------------------------------------ */
/* version and KERN_* names */

static void t_version(void)
{
	char buf[64];

	CHECK_EQ_U64(bsdvm_version(), BSDVM_VERSION_HEX);
	CHECK_EQ_U64(bsdvm_version(), ((unsigned)BSDVM_VERSION_MAJOR << 16) |
	    ((unsigned)BSDVM_VERSION_MINOR << 8) | (unsigned)BSDVM_VERSION_PATCH);
	CHECK(bsdvm_version_string() != NULL);
	snprintf(buf, sizeof(buf), "%d.%d.%d", BSDVM_VERSION_MAJOR, BSDVM_VERSION_MINOR,
	    BSDVM_VERSION_PATCH);
	CHECK(strcmp(bsdvm_version_string(), buf) == 0);
	CHECK(strcmp(bsdvm_version_string(), BSDVM_VERSION_STRING) == 0);
	CHECK(strcmp(BSDVM_VERSION_STRING, buf) == 0);
	/* the string agrees with the number */
	CHECK_EQ_U64((bsdvm_version() >> 16) & 0xff, BSDVM_VERSION_MAJOR);
	CHECK_EQ_U64((bsdvm_version() >> 8) & 0xff, BSDVM_VERSION_MINOR);
	CHECK_EQ_U64(bsdvm_version() & 0xff, BSDVM_VERSION_PATCH);
}

static void t_kern_names(void)
{
	static const struct {
		int code;
		const char *name;
	} codes[] = {
		{ KERN_SUCCESS, "KERN_SUCCESS" },
		{ KERN_INVALID_ADDRESS, "KERN_INVALID_ADDRESS" },
		{ KERN_PROTECTION_FAILURE, "KERN_PROTECTION_FAILURE" },
		{ KERN_NO_SPACE, "KERN_NO_SPACE" },
		{ KERN_INVALID_ARGUMENT, "KERN_INVALID_ARGUMENT" },
		{ KERN_FAILURE, "KERN_FAILURE" },
		{ KERN_RESOURCE_SHORTAGE, "KERN_RESOURCE_SHORTAGE" },
		{ KERN_NOT_RECEIVER, "KERN_NOT_RECEIVER" },
		{ KERN_NO_ACCESS, "KERN_NO_ACCESS" },
		{ KERN_OUT_OF_BOUNDS, "KERN_OUT_OF_BOUNDS" },
		{ KERN_RESTART, "KERN_RESTART" },
		{ KERN_WOULD_BLOCK, "KERN_WOULD_BLOCK" },
	};
	static const int unknown[] = { -1, -100, 12, 13, 255, 4096, INT_MAX, INT_MIN };
	const size_t n = sizeof(codes) / sizeof(codes[0]);
	const char *unk_text = bsdvm_kern_strerror(-1);
	size_t i, j;

	/* the numbering is FreeBSD's */
	CHECK_EQ_U64(KERN_SUCCESS, 0);
	CHECK_EQ_U64(KERN_INVALID_ADDRESS, 1);
	CHECK_EQ_U64(KERN_NO_SPACE, 3);
	CHECK_EQ_U64(KERN_INVALID_ARGUMENT, 4);
	CHECK_EQ_U64(KERN_OUT_OF_BOUNDS, 9);
	CHECK(unk_text != NULL && unk_text[0] != '\0');
	for (i = 0; i < n; i++) {
		const char *name = bsdvm_kern_name(codes[i].code);
		const char *text = bsdvm_kern_strerror(codes[i].code);

		CHECK(name != NULL && strcmp(name, codes[i].name) == 0);
		if (name != NULL && strcmp(name, codes[i].name) != 0)
			fprintf(stderr, "  code %d named %s\n", codes[i].code, name);
		CHECK(text != NULL && text[0] != '\0');
		CHECK(text != NULL && strchr(text, '\n') == NULL);
		CHECK(text != NULL && unk_text != NULL && strcmp(text, unk_text) != 0);
		for (j = 0; j < i; j++) {
			CHECK(strcmp(bsdvm_kern_strerror(codes[j].code), text) != 0);
			CHECK(strcmp(bsdvm_kern_name(codes[j].code), name) != 0);
		}
	}
	for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		const char *name = bsdvm_kern_name(unknown[i]);
		const char *text = bsdvm_kern_strerror(unknown[i]);

		CHECK(name != NULL && strcmp(name, "KERN_?") == 0);
		CHECK(text != NULL && unk_text != NULL && strcmp(text, unk_text) == 0);
	}
}

/* ------------------------------------------------------------------ */
/* creation, accessors, bad parameters */

static void t_create_valid(void)
{
	static const bsdvm_size_t pages[] = { 0, 4 * KiB, 8 * KiB, 16 * KiB, 32 * KiB, 64 * KiB };
	struct bsdvm_platform custom = *bsdvm_platform_default();
	const struct bsdvm_platform *plats[3];
	int64_t live0 = bsdvm_alloc_live_bytes();
	size_t ip, is, ib, ipl;
	uint32_t fl;

	plats[0] = NULL;
	plats[1] = bsdvm_platform_default();
	plats[2] = &custom;
	for (ip = 0; ip < sizeof(pages) / sizeof(pages[0]); ip++) {
		bsdvm_size_t pg = pages[ip] != 0 ? pages[ip] : 4 * KiB;
		/* superpage: 0 (default 2 MiB), the page itself, twice it, 2 MiB, 1 GiB */
		const bsdvm_size_t sps[] = { 0, pages[ip], 2 * pg, 2 * MiB, 1 * GiB };
		/* bounds: low, at 0, the whole space, a one-page map at 0, a
		 * one-page map at the top, and a window reaching the top */
		const bsdvm_addr_t bounds[][2] = {
			{ pg, 1 * MiB },
			{ 0, 16 * MiB },
			{ 0, TOP(pg) },
			{ 0, pg },
			{ TOP(2 * pg), TOP(pg) },
			{ TOP(64 * pg), TOP(pg) },
		};

		for (is = 0; is < sizeof(sps) / sizeof(sps[0]); is++)
		for (ib = 0; ib < sizeof(bounds) / sizeof(bounds[0]); ib++)
		for (fl = 0; fl <= BSDVM_MAP_FLAGS_MASK; fl++)
		for (ipl = 0; ipl < 3; ipl++) {
			struct bsdvm_map_params p = {
				.min = bounds[ib][0], .max = bounds[ib][1],
				.page_size = pages[ip], .superpage_size = sps[is],
				.flags = fl, .platform = plats[ipl],
			};
			struct vm_map *m = NULL;
			struct bsdvm_map_stats st;
			int rv = bsdvm_map_create(&p, &m);

			if ((fl & BSDVM_MAP_ALIGN_INDEX) && (fl & BSDVM_MAP_NO_ALIGN_INDEX)) {
				/* keep the fits and do not: refused */
				CHECK_KERN(rv, KERN_INVALID_ARGUMENT);
				CHECK(m == NULL);
				continue;
			}
			CHECK_KERN(rv, KERN_SUCCESS);
			if (rv != KERN_SUCCESS || m == NULL) {
				fprintf(stderr, "  page %#" PRIx64 " sp %#" PRIx64
				    " [%#" PRIx64 ",%#" PRIx64 ") flags %u\n",
				    pages[ip], sps[is], p.min, p.max, fl);
				continue;
			}
			CHECK_EQ_U64(bsdvm_map_min(m), p.min);
			CHECK_EQ_U64(bsdvm_map_max(m), p.max);
			CHECK_EQ_U64(bsdvm_map_page_size(m), pg);
			CHECK_EQ_U64(bsdvm_map_superpage_size(m),
			    sps[is] != 0 ? sps[is] : 2 * MiB);
			CHECK_EQ_U64(bsdvm_map_flags(m), fl);
			CHECK(bsdvm_map_platform(m) ==
			    (plats[ipl] != NULL ? plats[ipl] : bsdvm_platform_default()));
			st = test_map_stats(m);
			CHECK_EQ_U64(st.nentries, 0);
			CHECK_EQ_U64(st.size, 0);
			CHECK_EQ_U64(st.largest_gap, p.max - p.min);
			CHECK_EQ_U64(bsdvm_map_largest_gap(m), p.max - p.min);
			CHECK_EQ_U64(st.inserts + st.removes + st.splits + st.merges, 0);
			bsdvm_map_lock_read(m);
			CHECK(bsdvm_map_first(m) == NULL);
			CHECK(bsdvm_map_last(m) == NULL);
			bsdvm_map_unlock_read(m);
			CHECK_MAP(m);
			bsdvm_map_destroy(m);
		}
	}
	/* destroying NULL is harmless; nothing leaked */
	bsdvm_map_destroy(NULL);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live0);
}

static void t_create_invalid(void)
{
	const bsdvm_size_t M = 1 * MiB;
	static const struct bsdvm_map_params base = {
		.min = 1 * MiB, .max = 16 * MiB, .page_size = 0, .superpage_size = 0,
		.flags = 0, .platform = NULL,
	};
	struct {
		const char *what;
		bsdvm_addr_t min, max;
		bsdvm_size_t page, super;
		uint32_t flags;
	} bad[] = {
		{ "page not a power of two (12K)", M, 16 * M, 12 * KiB, 0, 0 },
		{ "page not a power of two (20K)", M, 16 * M, 20 * KiB, 0, 0 },
		{ "page not a power of two (4K+1)", M, 16 * M, 4 * KiB + 1, 0, 0 },
		{ "page 2K < 4K", M, 16 * M, 2 * KiB, 0, 0 },
		{ "page 1 < 4K", M, 16 * M, 1, 0, 0 },
		{ "page 128K > 64K", M, 16 * M, 128 * KiB, 0, 0 },
		{ "page 2^63 > 64K", M, 16 * M, (bsdvm_size_t)1 << 63, 0, 0 },
		{ "superpage 8K < page 16K", M, 16 * M, 16 * KiB, 8 * KiB, 0 },
		{ "superpage 32K < page 64K", M, 16 * M, 64 * KiB, 32 * KiB, 0 },
		{ "superpage not a power of two", M, 16 * M, 0, 3 * MiB, 0 },
		{ "superpage 4K+4K*2^? odd", M, 16 * M, 0, 12 * KiB, 0 },
		{ "min == max", M, M, 0, 0, 0 },
		{ "min > max", 16 * M, M, 0, 0, 0 },
		{ "min == max == 0", 0, 0, 0, 0, 0 },
		{ "min unaligned", M + 512, 16 * M, 0, 0, 0 },
		{ "max unaligned", M, 16 * M + 1, 0, 0, 0 },
		{ "min unaligned to 16K page", M + 4 * KiB, 16 * M, 16 * KiB, 0, 0 },
		{ "max unaligned to 64K page", M, 16 * M + 16 * KiB, 64 * KiB, 0, 0 },
		{ "max = 2^64 - 1", 0, TOP(1), 0, 0, 0 },
		{ "max = 2^64 - 4K with 64K pages", 0, TOP(4 * KiB), 64 * KiB, 0, 0 },
		{ "max = 2^64 (wraps to 0)", M, 0, 0, 0, 0 },
		{ "unknown map flag 0x20", M, 16 * M, 0, 0, 0x20 },
		{ "ALIGN_INDEX and NO_ALIGN_INDEX", M, 16 * M, 0, 0,
		    BSDVM_MAP_ALIGN_INDEX | BSDVM_MAP_NO_ALIGN_INDEX },
		{ "unknown map flag 0x80000000", M, 16 * M, 0, 0, 0x80000000u },
	};
	int64_t live0 = bsdvm_alloc_live_bytes();
	struct vm_map *sentinel = (struct vm_map *)(void *)obj_a_store;
	struct vm_map *m = sentinel;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bsdvm_map_params p = base;
		int rv;

		p.min = bad[i].min;
		p.max = bad[i].max;
		p.page_size = bad[i].page;
		p.superpage_size = bad[i].super;
		p.flags = bad[i].flags;
		m = sentinel;
		rv = bsdvm_map_create(&p, &m);
		CHECK_KERN(rv, KERN_INVALID_ARGUMENT);
		if (rv != KERN_INVALID_ARGUMENT)
			fprintf(stderr, "  create: %s\n", bad[i].what);
		CHECK(m == sentinel); /* *mapp untouched on failure */
		if (rv == KERN_SUCCESS && m != sentinel)
			bsdvm_map_destroy(m);
	}
	m = sentinel;
	CHECK_KERN(bsdvm_map_create(NULL, &m), KERN_INVALID_ARGUMENT);
	CHECK(m == sentinel);
	CHECK_KERN(bsdvm_map_create(&base, NULL), KERN_INVALID_ARGUMENT);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live0);
	/* the same parameters minus the defect do work (the table is not
	 * failing for some other reason) */
	m = NULL;
	CHECK_KERN(bsdvm_map_create(&base, &m), KERN_SUCCESS);
	if (m != NULL)
		bsdvm_map_destroy(m);
}

/* ------------------------------------------------------------------ */
/* insert and coalescing */

static void t_insert_coalesce(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 256 * MiB;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	struct vm_map *m = test_map_new(B, P(4096), pg);
	struct bsdvm_map_stats st;
	struct bsdvm_region r;

	/* extension at the end, extension at the start, hole filled */
	CHECK_KERN(ins(m, P(10), P(12), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(12), P(14), VM_PROT_RW), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(14));
	st = test_map_stats(m);
	CHECK_EQ_U64(st.inserts, 2);
	CHECK_EQ_U64(st.merges, 1);
	CHECK_EQ_U64(st.size, 4 * pg);
	CHECK_KERN(ins(m, P(8), P(10), VM_PROT_RW), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(8), P(14));
	CHECK_KERN(ins(m, P(16), P(18), VM_PROT_RW), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(8), P(14), P(16), P(18));
	st = test_map_stats(m);
	CHECK_EQ_U64(st.merges, 2);
	CHECK_KERN(ins(m, P(14), P(16), VM_PROT_RW), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(8), P(18));
	st = test_map_stats(m);
	CHECK_EQ_U64(st.nentries, 1);
	CHECK_EQ_U64(st.merges, 4);
	CHECK_EQ_U64(st.inserts, 5);
	CHECK_EQ_U64(st.size, 10 * pg);
	r = region_at(m, P(9));
	CHECK_EQ_U64(r.protection, VM_PROT_RW);
	CHECK_EQ_U64(r.max_protection, VM_PROT_ALL);
	CHECK_EQ_U64(r.inheritance, VM_INHERIT_DEFAULT);
	CHECK_EQ_U64(r.advice, BSDVM_MADV_NORMAL);
	CHECK(r.object == NULL);
	CHECK_MAP(m);

	/* overlaps are refused (exact, head, tail, covering, inside) */
	CHECK_KERN(ins(m, P(8), P(18), VM_PROT_RW), KERN_NO_SPACE);
	CHECK_KERN(ins(m, P(6), P(9), VM_PROT_RW), KERN_NO_SPACE);
	CHECK_KERN(ins(m, P(17), P(20), VM_PROT_RW), KERN_NO_SPACE);
	CHECK_KERN(ins(m, P(4), P(30), VM_PROT_RW), KERN_NO_SPACE);
	CHECK_KERN(ins(m, P(10), P(11), VM_PROT_RW), KERN_NO_SPACE);
	CHECK_LAYOUT(m, P(8), P(18));
	CHECK_EQ_U64(test_map_stats(m).inserts, 5);
	/* touching but not overlapping is fine */
	CHECK_KERN(ins(m, P(18), P(19), VM_PROT_READ), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(7), P(8), VM_PROT_READ), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(7), P(8), P(8), P(18), P(18), P(19));
	CHECK_MAP(m);
	bsdvm_map_destroy(m);

	/* Non-merging neighbours: for each variant, a base entry [x, x+2) and
	 * a new one at [x+2, x+3) that differ only as listed. */
	{
		struct {
			const char *what;
			struct bsdvm_entry_attrs left, right;
			bool merge;
		} v[] = {
			{ "identical anonymous", anon(VM_PROT_RW), anon(VM_PROT_RW), true },
			{ "prot", anon(VM_PROT_RW), anon(VM_PROT_READ), false },
			{ "maxprot", anon(VM_PROT_READ), bsdvm_attrs_anon(VM_PROT_READ, VM_PROT_RW),
			    false },
			{ "inheritance", anon(VM_PROT_RW), anon(VM_PROT_RW), false },
			{ "advice", anon(VM_PROT_RW), anon(VM_PROT_RW), false },
			{ "anon vs object", anon(VM_PROT_RW), with_obj(OBJ_A, 2 * pg, VM_PROT_RW),
			    false },
			{ "object vs anon", with_obj(OBJ_A, 0, VM_PROT_RW), anon(VM_PROT_RW), false },
			{ "same object, contiguous", with_obj(OBJ_A, 0, VM_PROT_RW),
			    with_obj(OBJ_A, 2 * pg, VM_PROT_RW), true },
			{ "same object, offset gap", with_obj(OBJ_A, 0, VM_PROT_RW),
			    with_obj(OBJ_A, 3 * pg, VM_PROT_RW), false },
			{ "same object, offset behind", with_obj(OBJ_A, 4 * pg, VM_PROT_RW),
			    with_obj(OBJ_A, 0, VM_PROT_RW), false },
			{ "other object, contiguous", with_obj(OBJ_A, 0, VM_PROT_RW),
			    with_obj(OBJ_B, 2 * pg, VM_PROT_RW), false },
			{ "NOMERGE both", with_flags(VM_PROT_RW, MAP_ENTRY_NOMERGE),
			    with_flags(VM_PROT_RW, MAP_ENTRY_NOMERGE), false },
			{ "NOMERGE new only", anon(VM_PROT_RW),
			    with_flags(VM_PROT_RW, MAP_ENTRY_NOMERGE), false },
			{ "NOMERGE old only", with_flags(VM_PROT_RW, MAP_ENTRY_NOMERGE),
			    anon(VM_PROT_RW), false },
			{ "UNSPLITTABLE both", with_flags(VM_PROT_RW, MAP_ENTRY_UNSPLITTABLE),
			    with_flags(VM_PROT_RW, MAP_ENTRY_UNSPLITTABLE), false },
			{ "GROWS_DOWN both", with_flags(VM_PROT_RW, MAP_ENTRY_GROWS_DOWN),
			    with_flags(VM_PROT_RW, MAP_ENTRY_GROWS_DOWN), false },
			{ "GROWS_UP both", with_flags(VM_PROT_RW, MAP_ENTRY_GROWS_UP),
			    with_flags(VM_PROT_RW, MAP_ENTRY_GROWS_UP), false },
			{ "NOSYNC vs none", with_flags(VM_PROT_RW, MAP_ENTRY_NOSYNC),
			    anon(VM_PROT_RW), false },
			{ "NOSYNC both", with_flags(VM_PROT_RW, MAP_ENTRY_NOSYNC),
			    with_flags(VM_PROT_RW, MAP_ENTRY_NOSYNC), true },
			{ "stack gap DN both", guard_attrs(MAP_ENTRY_STACK_GAP_DN),
			    guard_attrs(MAP_ENTRY_STACK_GAP_DN), false },
			{ "stack gap UP both", guard_attrs(MAP_ENTRY_STACK_GAP_UP),
			    guard_attrs(MAP_ENTRY_STACK_GAP_UP), false },
			{ "stack gap below GROWS_DOWN stack", guard_attrs(MAP_ENTRY_STACK_GAP_DN),
			    with_flags(VM_PROT_RW, MAP_ENTRY_GROWS_DOWN), false },
			{ "guard vs anon", guard_attrs(0), anon(VM_PROT_NONE), false },
		};
		size_t i;

		v[3].right.inherit = VM_INHERIT_SHARE;
		v[4].right.advice = BSDVM_MADV_RANDOM;
		m = test_map_new(B, P(4096), pg);
		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			bsdvm_addr_t x = P(10 + 10 * i);
			uint64_t before;
			int rv1, rv2;

			rv1 = ins_attrs(m, x, x + 2 * pg, v[i].left);
			before = nentries(m);
			rv2 = ins_attrs(m, x + 2 * pg, x + 3 * pg, v[i].right);
			CHECK_KERN(rv1, KERN_SUCCESS);
			CHECK_KERN(rv2, KERN_SUCCESS);
			if (v[i].merge) {
				CHECK_EQ_U64(nentries(m), before);
				CHECK_REGION(m, x, x, x + 3 * pg);
			} else {
				CHECK_EQ_U64(nentries(m), before + 1);
				CHECK_REGION(m, x, x, x + 2 * pg);
				CHECK_REGION(m, x + 2 * pg, x + 2 * pg, x + 3 * pg);
			}
			if (tu_failed != 0 && (rv1 != KERN_SUCCESS || rv2 != KERN_SUCCESS ||
			    nentries(m) != before + (v[i].merge ? 0 : 1)))
				fprintf(stderr, "  coalescing variant: %s\n", v[i].what);
			CHECK_MAP(m);
		}
		/* the same object, inserted back to front, merges too */
		{
			struct bsdvm_entry_attrs hi = with_obj(OBJ_B, 6 * pg, VM_PROT_READ);
			struct bsdvm_entry_attrs lo = with_obj(OBJ_B, 4 * pg, VM_PROT_READ);
			bsdvm_addr_t x = P(1000);

			CHECK_KERN(bsdvm_map_insert(m, x + 2 * pg, x + 4 * pg, &hi), KERN_SUCCESS);
			CHECK_KERN(bsdvm_map_insert(m, x, x + 2 * pg, &lo), KERN_SUCCESS);
			CHECK_REGION(m, x + 3 * pg, x, x + 4 * pg);
			r = region_at(m, x + 3 * pg);
			CHECK(r.object == OBJ_B);
			CHECK_EQ_U64(r.offset, 4 * pg);
			/* an anonymous entry filling the hole between two equal
			 * anonymous ones joins all three */
			CHECK_KERN(ins(m, P(2000), P(2001), VM_PROT_READ), KERN_SUCCESS);
			CHECK_KERN(ins(m, P(2003), P(2004), VM_PROT_READ), KERN_SUCCESS);
			CHECK_KERN(ins(m, P(2001), P(2003), VM_PROT_READ), KERN_SUCCESS);
			CHECK_REGION(m, P(2002), P(2000), P(2004));
			/* ... but not when it differs from one of them */
			CHECK_KERN(ins(m, P(2010), P(2011), VM_PROT_READ), KERN_SUCCESS);
			CHECK_KERN(ins(m, P(2013), P(2014), VM_PROT_RW), KERN_SUCCESS);
			CHECK_KERN(ins(m, P(2011), P(2013), VM_PROT_READ), KERN_SUCCESS);
			CHECK_REGION(m, P(2012), P(2010), P(2013));
			CHECK_REGION(m, P(2013), P(2013), P(2014));
		}
		/* guards are not counted in size */
		{
			uint64_t sz = test_map_stats(m).size;

			CHECK_KERN(ins_attrs(m, P(3000), P(3004), guard_attrs(0)), KERN_SUCCESS);
			CHECK_EQ_U64(test_map_stats(m).size, sz);
			CHECK_KERN(bsdvm_map_delete(m, P(3000), P(3004)), KERN_SUCCESS);
			CHECK_EQ_U64(test_map_stats(m).size, sz);
		}
		CHECK_MAP(m);
		bsdvm_map_destroy(m);
	}
#undef P
}

/* insert_locked under the caller's lock, and the attribute fields kept */
static void t_insert_locked(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 0;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	struct vm_map *m = test_map_new(B, P(64), pg);
	struct bsdvm_entry_attrs a = with_obj(OBJ_A, 8 * pg, VM_PROT_READ);
	struct bsdvm_region r;
	uint64_t ts;

	a.maxprot = VM_PROT_RW;
	a.inherit = VM_INHERIT_SHARE;
	a.advice = BSDVM_MADV_SEQUENTIAL;
	a.eflags = MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY | MAP_ENTRY_NOFAULT;
	bsdvm_map_lock(m);
	ts = bsdvm_map_timestamp(m);
	CHECK_KERN(bsdvm_map_insert_locked(m, P(0), P(3), &a), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_insert_locked(m, P(1), P(2), &a), KERN_NO_SPACE);
	CHECK_EQ_U64(bsdvm_map_timestamp(m), ts); /* no lock taken inside */
	bsdvm_map_unlock(m);
	r = region_at(m, 0);
	CHECK_EQ_U64(r.start, 0);
	CHECK_EQ_U64(r.end, P(3));
	CHECK(r.object == OBJ_A);
	CHECK_EQ_U64(r.offset, 8 * pg);
	CHECK_EQ_U64(r.protection, VM_PROT_READ);
	CHECK_EQ_U64(r.max_protection, VM_PROT_RW);
	CHECK_EQ_U64(r.inheritance, VM_INHERIT_SHARE);
	CHECK_EQ_U64(r.advice, BSDVM_MADV_SEQUENTIAL);
	CHECK_EQ_U64(r.eflags, MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY | MAP_ENTRY_NOFAULT);
	CHECK_EQ_U64(r.wired_count, 0);
	/* the last page of a map at 0 */
	CHECK_KERN(ins(m, P(63), P(64), VM_PROT_READ), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(64), P(65), VM_PROT_READ), KERN_INVALID_ADDRESS);
	CHECK_LAYOUT(m, P(0), P(3), P(63), P(64));
	CHECK_MAP(m);
	bsdvm_map_destroy(m);
#undef P
}

/* ------------------------------------------------------------------ */
/* lookup, first/last/succ/pred, query, foreach */

struct fe_state {
	int calls, stop_at, ret;
	bsdvm_addr_t last_start;
	bool ordered;
};

static int fe_count(void *arg, const struct bsdvm_region *r)
{
	struct fe_state *s = arg;

	if (s->calls > 0 && r->start < s->last_start)
		s->ordered = false;
	s->last_start = r->start;
	s->calls++;
	return s->calls == s->stop_at ? s->ret : 0;
}

static void t_lookup_iter(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 64 * MiB;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	struct vm_map *m = test_map_new(B, P(100), pg);
	struct vm_map_entry *e, *e1, *e2, *e3;
	struct bsdvm_region r;
	struct fe_state fs;

	/* empty map */
	bsdvm_map_lock_read(m);
	e = (struct vm_map_entry *)(void *)obj_a_store;
	CHECK(!bsdvm_map_lookup_entry(m, P(5), &e));
	CHECK(e == NULL);
	CHECK(bsdvm_map_first(m) == NULL);
	CHECK(bsdvm_map_last(m) == NULL);
	bsdvm_map_unlock_read(m);
	memset(&fs, 0, sizeof(fs));
	fs.ordered = true;
	CHECK_EQ_U64(bsdvm_map_foreach(m, fe_count, &fs), 0);
	CHECK_EQ_U64(fs.calls, 0);
	CHECK(!bsdvm_map_query(m, P(5), &r));

	/* one entry: first == last */
	CHECK_KERN(ins(m, P(20), P(24), VM_PROT_RW), KERN_SUCCESS);
	bsdvm_map_lock_read(m);
	e = bsdvm_map_first(m);
	CHECK(e != NULL && e == bsdvm_map_last(m));
	CHECK(e != NULL && bsdvm_map_entry_succ(m, e) == NULL);
	CHECK(e != NULL && bsdvm_map_entry_pred(m, e) == NULL);
	bsdvm_map_unlock_read(m);

	CHECK_KERN(ins(m, P(10), P(12), VM_PROT_READ), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(30), P(31), VM_PROT_READ), KERN_SUCCESS);
	bsdvm_map_lock_read(m);
	e1 = bsdvm_map_first(m);
	e3 = bsdvm_map_last(m);
	CHECK(e1 != NULL && e3 != NULL);
	if (e1 != NULL && e3 != NULL) {
		e2 = bsdvm_map_entry_succ(m, e1);
		CHECK(e2 != NULL);
		CHECK_EQ_U64(e1->start, P(10));
		CHECK_EQ_U64(e1->end, P(12));
		CHECK_EQ_U64(e1->protection, VM_PROT_READ);
		CHECK(e2 != NULL && e2->start == P(20) && e2->end == P(24));
		CHECK_EQ_U64(e3->start, P(30));
		CHECK(bsdvm_map_entry_succ(m, e2) == e3);
		CHECK(bsdvm_map_entry_succ(m, e3) == NULL);
		CHECK(bsdvm_map_entry_pred(m, e3) == e2);
		CHECK(bsdvm_map_entry_pred(m, e2) == e1);
		CHECK(bsdvm_map_entry_pred(m, e1) == NULL);

		/* hits: first byte, a middle page, the last byte */
		e = NULL;
		CHECK(bsdvm_map_lookup_entry(m, P(10), &e) && e == e1);
		CHECK(bsdvm_map_lookup_entry(m, P(12) - 1, &e) && e == e1);
		CHECK(bsdvm_map_lookup_entry(m, P(22), &e) && e == e2);
		CHECK(bsdvm_map_lookup_entry(m, P(23) + 17, &e) && e == e2);
		CHECK(bsdvm_map_lookup_entry(m, P(30), &e) && e == e3);
		/* misses return the predecessor, NULL before the first */
		e = e2;
		CHECK(!bsdvm_map_lookup_entry(m, P(0), &e) && e == NULL);
		e = e2;
		CHECK(!bsdvm_map_lookup_entry(m, P(10) - 1, &e) && e == NULL);
		e = e2;
		CHECK(!bsdvm_map_lookup_entry(m, 0, &e) && e == NULL); /* below min */
		CHECK(!bsdvm_map_lookup_entry(m, P(12), &e) && e == e1);
		CHECK(!bsdvm_map_lookup_entry(m, P(19), &e) && e == e1);
		CHECK(!bsdvm_map_lookup_entry(m, P(24), &e) && e == e2);
		CHECK(!bsdvm_map_lookup_entry(m, P(31), &e) && e == e3);
		CHECK(!bsdvm_map_lookup_entry(m, P(100) - 1, &e) && e == e3);
		CHECK(!bsdvm_map_lookup_entry(m, P(100), &e) && e == e3); /* at max */
		CHECK(!bsdvm_map_lookup_entry(m, TOP(1), &e) && e == e3);
	}
	bsdvm_map_unlock_read(m);

	/* query copies every attribute */
	CHECK(bsdvm_map_query(m, P(23), &r));
	CHECK_EQ_U64(r.start, P(20));
	CHECK_EQ_U64(r.end, P(24));
	CHECK_EQ_U64(r.protection, VM_PROT_RW);
	CHECK_EQ_U64(r.max_protection, VM_PROT_ALL);
	CHECK_EQ_U64(r.inheritance, VM_INHERIT_COPY);
	CHECK_EQ_U64(r.advice, BSDVM_MADV_NORMAL);
	CHECK_EQ_U64(r.eflags, 0);
	CHECK(r.object == NULL);
	CHECK_EQ_U64(r.offset, 0);
	CHECK(!bsdvm_map_query(m, P(24), &r));
	CHECK(!bsdvm_map_query(m, P(9), &r));
	CHECK(!bsdvm_map_query(m, P(200), &r));

	/* foreach: all in order; early stop returns fn's value */
	memset(&fs, 0, sizeof(fs));
	fs.ordered = true;
	CHECK_EQ_U64(bsdvm_map_foreach(m, fe_count, &fs), 0);
	CHECK_EQ_U64(fs.calls, 3);
	CHECK(fs.ordered);
	memset(&fs, 0, sizeof(fs));
	fs.stop_at = 2;
	fs.ret = 42;
	CHECK_EQ_U64(bsdvm_map_foreach(m, fe_count, &fs), 42);
	CHECK_EQ_U64(fs.calls, 2);
	CHECK_EQ_U64(fs.last_start, P(20));
	memset(&fs, 0, sizeof(fs));
	fs.stop_at = 1;
	fs.ret = -7;
	CHECK(bsdvm_map_foreach(m, fe_count, &fs) == -7);
	CHECK_EQ_U64(fs.calls, 1);
	memset(&fs, 0, sizeof(fs));
	fs.stop_at = 3;
	fs.ret = 1;
	CHECK_EQ_U64(bsdvm_map_foreach(m, fe_count, &fs), 1);
	CHECK_EQ_U64(fs.calls, 3);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);
#undef P
}

/* ------------------------------------------------------------------ */
/* free space */

static int fs_call(struct vm_map *m, bsdvm_addr_t hint, bsdvm_size_t len,
    bsdvm_size_t align, bsdvm_addr_t align_off, bsdvm_addr_t max_end, uint32_t flags,
    bsdvm_addr_t *out)
{
	struct bsdvm_space_req q = {
		.hint = hint, .length = len, .align = align, .align_offset = align_off,
		.max_end = max_end, .flags = flags,
	};
	bsdvm_addr_t a = 0xdead0000;
	int rv = bsdvm_map_findspace(m, &q, &a);
	int rv2;
	bsdvm_addr_t a2 = 0xdead0000;

	/* the _locked variant agrees */
	bsdvm_map_lock_read(m);
	rv2 = bsdvm_map_findspace_locked(m, &q, &a2);
	bsdvm_map_unlock_read(m);
	if (rv2 != rv || (rv == KERN_SUCCESS && a2 != a)) {
		tu_failed++;
		fprintf(stderr, "findspace and findspace_locked disagree\n");
	}
	*out = rv == KERN_SUCCESS ? a : ~(bsdvm_addr_t)0;
	return rv;
}

/* findspace returns want (or the given code). */
#define FS_OK(m, want, hint, len, align, aoff, maxend, flags)                   \
	do {                                                                     \
		bsdvm_addr_t tu_a;                                               \
		int tu_rv = fs_call((m), (hint), (len), (align), (aoff), (maxend), \
		    (flags), &tu_a);                                             \
		CHECK_KERN(tu_rv, KERN_SUCCESS);                                 \
		CHECK_EQ_U64(tu_a, (want));                                      \
	} while (0)
#define FS_ERR(m, code, hint, len, align, aoff, maxend, flags)                  \
	do {                                                                     \
		bsdvm_addr_t tu_a;                                               \
		int tu_rv = fs_call((m), (hint), (len), (align), (aoff), (maxend), \
		    (flags), &tu_a);                                             \
		CHECK_KERN(tu_rv, (code));                                       \
		if (tu_rv == KERN_SUCCESS && (code) != KERN_SUCCESS)             \
			fprintf(stderr, "  findspace returned address %#" PRIx64  \
			    " (map [%#" PRIx64 ", %#" PRIx64 "))\n", tu_a,        \
			    bsdvm_map_min(m), bsdvm_map_max(m));                 \
	} while (0)

static void t_findspace(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 1 * GiB;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	const uint32_t UP = BSDVM_SPACE_BOTTOMUP, DN = BSDVM_SPACE_TOPDOWN;
	const bsdvm_addr_t MAXA = P(1024);
	struct vm_map *m = test_map_new(B, MAXA, pg);
	const bsdvm_size_t sp = bsdvm_map_superpage_size(m);
	char *before;

	/* empty map */
	FS_OK(m, B, 0, pg, 0, 0, 0, 0);
	FS_OK(m, B, 0, MAXA - B, 0, 0, 0, UP); /* the whole map */
	FS_OK(m, B, 0, MAXA - B, 0, 0, 0, DN);
	FS_ERR(m, KERN_NO_SPACE, 0, MAXA - B + pg, 0, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, 0, MAXA - B + pg, 0, 0, 0, DN);
	FS_OK(m, MAXA - pg, 0, pg, 0, 0, 0, DN);

	/* E1 [0,4)  gap 2  E2 [6,8)  gap 8  E3 [16,17)  gap 983  E4 [1000,1024) */
	CHECK_KERN(ins(m, P(0), P(4), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(6), P(8), VM_PROT_READ), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(16), P(17), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(1000), P(1024), VM_PROT_READ), KERN_SUCCESS);
	before = test_map_listing(m);

	/* bottom-up: first fit, gaps that fit exactly */
	FS_OK(m, P(4), 0, pg, 0, 0, 0, UP);
	FS_OK(m, P(4), 0, 2 * pg, 0, 0, 0, UP);     /* exactly the 2-page gap */
	FS_OK(m, P(8), 0, 3 * pg, 0, 0, 0, UP);
	FS_OK(m, P(8), 0, 8 * pg, 0, 0, 0, UP);     /* exactly the 8-page gap */
	FS_OK(m, P(17), 0, 9 * pg, 0, 0, 0, UP);
	FS_OK(m, P(17), 0, 983 * pg, 0, 0, 0, UP);  /* exactly [17,1000) */
	FS_ERR(m, KERN_NO_SPACE, 0, 984 * pg, 0, 0, 0, UP);
	/* no direction flag: the map's default, bottom-up here */
	FS_OK(m, P(4), 0, pg, 0, 0, 0, 0);
	FS_OK(m, P(8), 0, 3 * pg, 0, 0, 0, 0);
	/* hints: in a gap, inside an entry, at an entry's start/end, below min */
	FS_OK(m, P(5), P(5), pg, 0, 0, 0, UP);
	FS_OK(m, P(8), P(5), 2 * pg, 0, 0, 0, UP);
	FS_OK(m, P(8), P(6), pg, 0, 0, 0, UP);      /* hint at E2's start */
	FS_OK(m, P(8), P(7), pg, 0, 0, 0, UP);      /* hint inside E2 */
	FS_OK(m, P(8), P(8), pg, 0, 0, 0, UP);      /* hint at E2's end */
	FS_OK(m, P(17), P(16), pg, 0, 0, 0, UP);
	FS_OK(m, P(12), P(12), 4 * pg, 0, 0, 0, UP); /* fits exactly up to E3 */
	FS_OK(m, P(17), P(13), 4 * pg, 0, 0, 0, UP);
	FS_OK(m, P(4), B - 16 * pg, pg, 0, 0, 0, UP); /* hint below min */
	FS_OK(m, P(999), P(999), pg, 0, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, P(999), 2 * pg, 0, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, P(1000), pg, 0, 0, 0, UP);  /* hint in the last entry */
	FS_ERR(m, KERN_NO_SPACE, MAXA, pg, 0, 0, 0, UP);     /* hint at max */
	FS_ERR(m, KERN_NO_SPACE, P(5000), pg, 0, 0, 0, UP);  /* hint beyond max */
	FS_ERR(m, KERN_NO_SPACE, TOP(64 * KiB), pg, 0, 0, 0, UP);

	/* top-down: highest fit at or below the hint (0 = the top) */
	FS_OK(m, P(999), 0, pg, 0, 0, 0, DN);
	FS_OK(m, P(17), 0, 983 * pg, 0, 0, 0, DN);
	FS_OK(m, P(992), 0, 8 * pg, 0, 0, 0, DN);
	FS_OK(m, P(5), P(5), pg, 0, 0, 0, DN);       /* hint in a gap */
	FS_OK(m, P(4), P(5), 2 * pg, 0, 0, 0, DN);   /* start <= hint */
	FS_OK(m, P(4), P(7), 2 * pg, 0, 0, 0, DN);   /* hint inside E2 */
	FS_OK(m, P(5), P(6), pg, 0, 0, 0, DN);       /* hint at E2's start */
	FS_OK(m, P(14), P(16), 2 * pg, 0, 0, 0, DN); /* hint at E3's start */
	FS_OK(m, P(8), P(13), 8 * pg, 0, 0, 0, DN);  /* the exact 8-page gap */
	FS_OK(m, P(8), P(8), 8 * pg, 0, 0, 0, DN);
	FS_OK(m, P(4), P(7), 2 * pg, 0, 0, 0, DN);
	FS_ERR(m, KERN_NO_SPACE, P(2), pg, 0, 0, 0, DN); /* hint inside E1 */
	FS_ERR(m, KERN_NO_SPACE, B - 16 * pg, pg, 0, 0, 0, DN); /* hint below min */
	FS_ERR(m, KERN_NO_SPACE, P(0), pg, 0, 0, 0, DN); /* hint = min, inside E1 */
	FS_ERR(m, KERN_NO_SPACE, P(7), 3 * pg, 0, 0, 0, DN);
	FS_OK(m, P(999), P(5000), pg, 0, 0, 0, DN);  /* hint beyond max: clamped */
	FS_OK(m, P(999), TOP(64 * KiB), pg, 0, 0, 0, DN);
	FS_OK(m, P(990), MAXA, 10 * pg, 0, 0, 0, DN);

	/* max_end */
	FS_OK(m, P(4), 0, pg, 0, 0, P(5), UP);
	FS_OK(m, P(4), 0, 2 * pg, 0, 0, P(6), UP);
	FS_ERR(m, KERN_NO_SPACE, 0, 2 * pg, 0, 0, P(5), UP);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 0, 0, P(4), UP);
	FS_OK(m, P(8), 0, 3 * pg, 0, 0, P(11), UP);
	FS_ERR(m, KERN_NO_SPACE, 0, 3 * pg, 0, 0, P(10), UP);
	FS_OK(m, P(15), 0, pg, 0, 0, P(16), DN);
	FS_OK(m, P(5), 0, pg, 0, 0, P(6), DN);
	FS_OK(m, P(5), 0, pg, 0, 0, P(7), DN);
	FS_OK(m, P(4), 0, pg, 0, 0, P(5), DN);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 0, 0, P(4), DN);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 0, 0, B - 64 * KiB, DN); /* below min */
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 0, 0, B - 64 * KiB, UP);
	FS_OK(m, P(999), 0, pg, 0, 0, P(5000), DN); /* beyond max: max */
	FS_OK(m, P(4), 0, pg, 0, 0, P(5000), UP);
	FS_OK(m, P(12), P(14), 2 * pg, 0, 0, P(14), DN); /* hint and max_end */

	/* alignment: 2^n, skipping candidates inside entries */
	FS_OK(m, P(32), 0, pg, 32 * pg, 0, 0, UP);
	FS_OK(m, P(32), 0, pg, 16 * pg, 0, 0, UP);  /* 0: E1, 16: E3 */
	FS_OK(m, P(8), 0, pg, 8 * pg, 0, 0, UP);
	FS_OK(m, P(8), 0, 8 * pg, 8 * pg, 0, 0, UP);
	FS_OK(m, P(24), 0, 9 * pg, 8 * pg, 0, 0, UP);
	FS_OK(m, P(4), 0, pg, pg, 0, 0, UP);        /* align == page size */
	FS_OK(m, P(4), 0, pg, 2 * pg, 0, 0, UP);
	/* align_offset: start = offset (mod align) */
	FS_OK(m, P(5), 0, pg, 4 * pg, pg, 0, UP);
	FS_OK(m, P(10), 0, 2 * pg, 4 * pg, 2 * pg, 0, UP);
	FS_OK(m, P(11), 0, pg, 4 * pg, 3 * pg, 0, UP);
	FS_OK(m, P(8), 0, pg, 32 * pg, 8 * pg, 0, UP);
	FS_OK(m, P(40), P(9), pg, 32 * pg, 8 * pg, 0, UP);
	/* superpage alignment */
	FS_OK(m, B + sp, 0, pg, sp, 0, 0, UP);
	FS_OK(m, B + (999 * pg / sp) * sp, 0, pg, sp, 0, 0, DN);
	/* aligned top-down */
	FS_OK(m, P(992), 0, pg, 8 * pg, 0, 0, DN);
	FS_OK(m, P(984), 0, 9 * pg, 8 * pg, 0, 0, DN);
	FS_OK(m, P(5), P(7), pg, 4 * pg, pg, 0, DN);
	FS_OK(m, P(8), P(15), pg, 8 * pg, 0, 0, DN);
	FS_OK(m, P(13), P(15), pg, 8 * pg, 5 * pg, 0, DN);
	FS_ERR(m, KERN_NO_SPACE, P(7), 2 * pg, 8 * pg, 0, 0, DN);
	FS_ERR(m, KERN_NO_SPACE, P(7), pg, 4 * pg, 2 * pg, 0, DN); /* 2: E1, 6: E2 */
	/* alignment and max_end together */
	FS_OK(m, P(8), 0, pg, 8 * pg, 0, P(16), UP);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 16 * pg, 0, P(32), UP);
	FS_OK(m, P(32), 0, pg, 16 * pg, 0, P(33), UP);

	/* searching changes nothing */
	{
		char *after = test_map_listing(m);

		CHECK(strcmp(before, after) == 0);
		free(after);
	}
	free(before);

	/* the first and the last page of the map */
	CHECK_KERN(bsdvm_map_delete(m, P(0), P(4)), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_delete(m, P(1000), P(1024)), KERN_SUCCESS);
	FS_OK(m, B, 0, pg, 0, 0, 0, UP);
	FS_OK(m, B, 0, 6 * pg, 0, 0, 0, UP);
	FS_OK(m, MAXA - pg, 0, pg, 0, 0, 0, DN);
	FS_OK(m, MAXA - pg, MAXA - pg, pg, 0, 0, 0, UP);
	FS_OK(m, P(17), 0, (1024 - 17) * pg, 0, 0, 0, DN);
	FS_OK(m, P(3), P(3), pg, 0, 0, 0, DN);
	FS_OK(m, P(2), P(3), 4 * pg, 0, 0, 0, DN);
	FS_OK(m, B, P(3), 6 * pg, 0, 0, 0, DN);
	FS_ERR(m, KERN_NO_SPACE, P(3), 7 * pg, 0, 0, 0, DN);
	FS_OK(m, P(2), P(2), pg, 0, 0, 0, DN);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);

	/* a map with BSDVM_MAP_TOPDOWN: default top-down, BOTTOMUP overrides */
	m = new_map_flags(B, MAXA, pg, BSDVM_MAP_TOPDOWN);
	CHECK_KERN(ins(m, P(1020), P(1024), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(0), P(2), VM_PROT_RW), KERN_SUCCESS);
	FS_OK(m, P(1018), 0, 2 * pg, 0, 0, 0, 0);
	FS_OK(m, P(1018), 0, 2 * pg, 0, 0, 0, DN);
	FS_OK(m, P(2), 0, 2 * pg, 0, 0, 0, UP);
	FS_OK(m, P(10), P(10), 2 * pg, 0, 0, 0, 0);   /* hint = highest start */
	FS_OK(m, P(10), P(10), 2 * pg, 0, 0, 0, UP);  /* hint = lowest start */
	FS_OK(m, P(1016), 0, 2 * pg, 8 * pg, 0, 0, 0);
	FS_OK(m, P(8), 0, 2 * pg, 8 * pg, 0, 0, UP);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);

	/* a one-page map */
	m = test_map_new(B, B + pg, pg);
	FS_OK(m, B, 0, pg, 0, 0, 0, UP);
	FS_OK(m, B, 0, pg, 0, 0, 0, DN);
	FS_OK(m, B, B, pg, 0, 0, 0, DN);
	FS_OK(m, B, 0, pg, sp, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, 0, 2 * pg, 0, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, 0, 2 * pg, 0, 0, 0, DN);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 2 * pg, pg, 0, UP);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), pg);
	CHECK_KERN(ins(m, B, B + pg, VM_PROT_RW), KERN_SUCCESS);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 0, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 0, 0, 0, DN);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 0);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);

	/* a full map */
	m = test_map_new(B, MAXA, pg);
	CHECK_KERN(ins(m, P(0), P(10), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(10), P(20), VM_PROT_READ), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(20), P(1024), VM_PROT_RW), KERN_SUCCESS);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 0);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 0, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 0, 0, 0, DN);
	FS_ERR(m, KERN_NO_SPACE, P(500), pg, 0, 0, 0, DN);
	FS_ERR(m, KERN_NO_SPACE, P(500), pg, 0, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 8 * pg, 0, 0, UP);
	/* one page freed in the middle is found from both sides */
	CHECK_KERN(bsdvm_map_delete(m, P(500), P(501)), KERN_SUCCESS);
	FS_OK(m, P(500), 0, pg, 0, 0, 0, UP);
	FS_OK(m, P(500), 0, pg, 0, 0, 0, DN);
	FS_OK(m, P(500), 0, pg, 4 * pg, 0, 0, DN);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 8 * pg, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 8 * pg, 0, 0, DN);
	FS_ERR(m, KERN_NO_SPACE, 0, 2 * pg, 0, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, P(501), pg, 0, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, P(499), pg, 0, 0, 0, DN);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);

	/* an alignment larger than the map: no aligned start inside it,
	 * unless align_offset lands on it */
	m = test_map_new(B + 64 * KiB, B + 64 * KiB + 16 * pg, pg);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 4 * GiB, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 4 * GiB, 0, 0, DN);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, (bsdvm_size_t)1 << 63, 0, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, (bsdvm_size_t)1 << 63, 0, 0, DN);
	FS_OK(m, B + 64 * KiB, 0, pg, 4 * GiB, B + 64 * KiB, 0, UP);
	FS_OK(m, B + 64 * KiB, 0, pg, 4 * GiB, B + 64 * KiB, 0, DN);
	FS_OK(m, B + 64 * KiB + pg, 0, pg, 4 * GiB, B + 64 * KiB + pg, 0, DN);
	FS_OK(m, B + 64 * KiB + pg, 0, pg, 4 * GiB, B + 64 * KiB + pg, 0, UP);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 4 * GiB, 64 * KiB, 0, UP);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);
#undef P
}

/*
 * findspace against a naive page-by-page scan, on a fixed irregular layout
 * (deterministic: a fixed pattern, no seed).  Exercises the tree's gap
 * search through many shapes rather than a handful of entries.
 */
#define BF_PAGES 300
static bool bf_used[BF_PAGES];

static bool bf_free(size_t s, size_t len)
{
	size_t i;

	if (s + len > BF_PAGES)
		return false;
	for (i = s; i < s + len; i++)
		if (bf_used[i])
			return false;
	return true;
}

/* Naive answer in pages from the map's start, or -1. */
static long bf_answer(size_t hint, size_t len, size_t align, size_t off, size_t max_end,
    bool topdown)
{
	size_t hi_end = max_end != 0 && max_end < BF_PAGES ? max_end : BF_PAGES;
	long s;

	if (len > hi_end)
		return -1;
	if (topdown) {
		long top = (long)(hi_end - len);

		if (hint != 0 && (long)hint < top)
			top = (long)hint;
		for (s = top; s >= 0; s--)
			if (((size_t)s + align - off) % align == 0 && bf_free((size_t)s, len))
				return s;
		return -1;
	}
	for (s = (long)hint; (size_t)s + len <= hi_end; s++)
		if (((size_t)s + align - off) % align == 0 && bf_free((size_t)s, len))
			return s;
	return -1;
}

static void bf_compare(struct vm_map *m, bsdvm_addr_t B, bsdvm_size_t pg)
{
	static const size_t lens[] = { 1, 2, 3, 5, 8, 13 };
	static const size_t aligns[] = { 1, 2, 4, 16, 64 };
	static const size_t maxends[] = { 0, 150, 299 };
	size_t il, ia, io, ih, im, dir, mismatches = 0, checks = 0;

	for (il = 0; il < sizeof(lens) / sizeof(lens[0]); il++)
	for (ia = 0; ia < sizeof(aligns) / sizeof(aligns[0]); ia++)
	for (io = 0; io < 2 && io < aligns[ia]; io++)
	for (ih = 0; ih < BF_PAGES + 20; ih += 11)
	for (im = 0; im < sizeof(maxends) / sizeof(maxends[0]); im++)
	for (dir = 0; dir < 2; dir++) {
		struct bsdvm_space_req q = {
			.hint = ih == 0 ? 0 : B + ih * pg,
			.length = lens[il] * pg,
			.align = aligns[ia] == 1 ? 0 : aligns[ia] * pg,
			.align_offset = io * pg,
			.max_end = maxends[im] == 0 ? 0 : B + maxends[im] * pg,
			.flags = dir ? BSDVM_SPACE_TOPDOWN : BSDVM_SPACE_BOTTOMUP,
		};
		bsdvm_addr_t got = 0;
		int rv = bsdvm_map_findspace(m, &q, &got);
		long want = ih > BF_PAGES ? (dir ? bf_answer(0, lens[il], aligns[ia], io,
		    maxends[im], true) : -1) : bf_answer(ih, lens[il], aligns[ia], io,
		    maxends[im], dir != 0);
		bool ok = want < 0 ? rv == KERN_NO_SPACE :
		    rv == KERN_SUCCESS && got == B + (bsdvm_addr_t)want * pg;

		checks++;
		if (!ok && mismatches++ < 10)
			fprintf(stderr, "findspace pg %#" PRIx64 " len %zu align %zu off %zu hint %zu "
			    "max_end %zu %s: got %s %#" PRIx64 ", want page %ld\n", pg, lens[il],
			    aligns[ia], io, ih, maxends[im], dir ? "down" : "up",
			    bsdvm_kern_name(rv), (got - B) / pg, want);
	}
	CHECK_EQ_U64(mismatches, 0);
	CHECK_EQ_U64(checks, 9720); /* every combination ran */
}

static void t_findspace_naive(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 1 * GiB;
	struct vm_map *m = test_map_new(B, B + BF_PAGES * pg, pg);
	size_t p = 0, k = 0;

	memset(bf_used, 0, sizeof(bf_used));
	/* entries of 1..6 pages separated by gaps of 0..9 pages, in a fixed
	 * irregular pattern; neighbours without a gap differ in protection */
	while (p < BF_PAGES) {
		size_t len = 1 + (k * 7) % 6, gap = (k * 5 + k / 3) % 10;
		size_t i;

		if (p + len > BF_PAGES)
			len = BF_PAGES - p;
		if (ins(m, B + p * pg, B + (p + len) * pg,
		    (k & 1) ? VM_PROT_READ : VM_PROT_RW) != KERN_SUCCESS) {
			CHECK(0);
			break;
		}
		for (i = p; i < p + len; i++)
			bf_used[i] = true;
		p += len + gap;
		k++;
	}
	CHECK_MAP(m);
	bf_compare(m, B, pg);
	/* punch some holes and compare again */
	for (p = 3; p + 9 < BF_PAGES; p += 29) {
		size_t i;

		CHECK_KERN(bsdvm_map_delete(m, B + p * pg, B + (p + 9) * pg), KERN_SUCCESS);
		for (i = p; i < p + 9; i++)
			bf_used[i] = false;
	}
	CHECK_MAP(m);
	bf_compare(m, B, pg);
	bsdvm_map_destroy(m);
}

/* ------------------------------------------------------------------ */
/* find: findspace + insert under one lock */

static int find_call(struct vm_map *m, bsdvm_addr_t *addrp, bsdvm_size_t len,
    bsdvm_size_t align, uint32_t flags, struct bsdvm_entry_attrs a)
{
	struct bsdvm_space_req q = { .hint = 0xbad000, .length = len, .align = align,
		.flags = flags };

	return bsdvm_map_find(m, &q, &a, addrp);
}

static void t_find(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 16 * MiB;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	struct vm_map *m = test_map_new(B, P(64), pg);
	struct vm_map *wx = new_map_flags(B, P(64), pg, BSDVM_MAP_WXORX);
	bsdvm_addr_t a;
	char *before;
	struct bsdvm_map_stats st;

	CHECK_KERN(ins(m, P(0), P(4), VM_PROT_RW), KERN_SUCCESS);
	/* *addrp is the hint (req->hint is ignored) */
	a = 0;
	CHECK_KERN(find_call(m, &a, 2 * pg, 0, BSDVM_SPACE_BOTTOMUP, anon(VM_PROT_READ)),
	    KERN_SUCCESS);
	CHECK_EQ_U64(a, P(4));
	CHECK_REGION(m, P(4), P(4), P(6));
	CHECK_EQ_U64(region_at(m, P(4)).protection, VM_PROT_READ);
	/* the next one coalesces with it */
	a = 0;
	CHECK_KERN(find_call(m, &a, pg, 0, 0, anon(VM_PROT_READ)), KERN_SUCCESS);
	CHECK_EQ_U64(a, P(6));
	CHECK_REGION(m, P(6), P(4), P(7));
	a = P(20);
	CHECK_KERN(find_call(m, &a, pg, 0, BSDVM_SPACE_BOTTOMUP, anon(VM_PROT_RW)),
	    KERN_SUCCESS);
	CHECK_EQ_U64(a, P(20));
	a = 0;
	CHECK_KERN(find_call(m, &a, 3 * pg, 0, BSDVM_SPACE_TOPDOWN, anon(VM_PROT_RW)),
	    KERN_SUCCESS);
	CHECK_EQ_U64(a, P(61));
	a = P(40);
	CHECK_KERN(find_call(m, &a, 3 * pg, 0, BSDVM_SPACE_TOPDOWN, anon(VM_PROT_RW)),
	    KERN_SUCCESS);
	CHECK_EQ_U64(a, P(40));
	a = 0;
	CHECK_KERN(find_call(m, &a, pg, 16 * pg, BSDVM_SPACE_BOTTOMUP, anon(VM_PROT_RW)),
	    KERN_SUCCESS);
	CHECK_EQ_U64(a, P(16));
	CHECK_LAYOUT(m, P(0), P(4), P(4), P(7), P(16), P(17), P(20), P(21), P(40), P(43),
	    P(61), P(64));
	st = test_map_stats(m);
	CHECK_EQ_U64(st.inserts, 7);
	CHECK_MAP(m);

	/* failures leave *addrp and the map alone */
	before = test_map_listing(m);
	a = P(50);
	CHECK_KERN(find_call(m, &a, 20 * pg, 0, BSDVM_SPACE_BOTTOMUP, anon(VM_PROT_RW)),
	    KERN_NO_SPACE);
	CHECK_EQ_U64(a, P(50));
	a = P(2);
	CHECK_KERN(find_call(m, &a, pg, 0, BSDVM_SPACE_TOPDOWN, anon(VM_PROT_RW)),
	    KERN_NO_SPACE);
	CHECK_EQ_U64(a, P(2));
	a = 0;
	CHECK_KERN(find_call(m, &a, pg, 0, 0, bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_READ)),
	    KERN_PROTECTION_FAILURE);
	CHECK_EQ_U64(a, 0);
	{
		char *after = test_map_listing(m);

		CHECK(strcmp(before, after) == 0);
		free(after);
	}
	free(before);
	CHECK_EQ_U64(test_map_stats(m).inserts, st.inserts);

	/* W^X map: W|X refused, W or X alone fine */
	a = 0;
	CHECK_KERN(find_call(wx, &a, pg, 0, 0, anon(VM_PROT_ALL)), KERN_PROTECTION_FAILURE);
	CHECK_EQ_U64(nentries(wx), 0);
	CHECK_KERN(find_call(wx, &a, pg, 0, 0, anon(VM_PROT_RW)), KERN_SUCCESS);
	CHECK_KERN(find_call(wx, &a, pg, 0, 0, anon(VM_PROT_READ | VM_PROT_EXECUTE)),
	    KERN_SUCCESS);
	CHECK_EQ_U64(nentries(wx), 2);
	CHECK_MAP(m);
	CHECK_MAP(wx);
	bsdvm_map_destroy(m);
	bsdvm_map_destroy(wx);
#undef P
}

/* ------------------------------------------------------------------ */
/* fixed: replace whatever is there, atomically */

static void t_fixed(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 512 * MiB;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	struct vm_map *m = test_map_new(B, P(256), pg);
	struct bsdvm_entry_attrs a;
	struct bsdvm_map_stats st0, st;

	CHECK_KERN(ins(m, P(10), P(14), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(16), P(18), VM_PROT_READ), KERN_SUCCESS);
	CHECK_KERN(ins_attrs(m, P(19), P(20), guard_attrs(0)), KERN_SUCCESS);
	CHECK_KERN(ins_attrs(m, P(20), P(24), with_obj(OBJ_A, 0, VM_PROT_RW)), KERN_SUCCESS);
	st0 = test_map_stats(m);
	/* replace [12, 22): clips E1 and E4, removes E2 and the guard */
	a = anon(VM_PROT_READ);
	CHECK_KERN(bsdvm_map_fixed(m, P(12), P(22), &a), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(12), P(12), P(22), P(22), P(24));
	CHECK_EQ_U64(region_at(m, P(12)).protection, VM_PROT_READ);
	CHECK_EQ_U64(region_at(m, P(10)).protection, VM_PROT_RW);
	CHECK(region_at(m, P(22)).object == OBJ_A);
	CHECK_EQ_U64(region_at(m, P(22)).offset, 2 * pg); /* clipped: offset follows */
	st = test_map_stats(m);
	CHECK_EQ_U64(st.nentries, 3);
	CHECK_EQ_U64(st.size, 14 * pg);
	CHECK_EQ_U64(st.inserts, st0.inserts + 1);
	CHECK_EQ_U64(st.removes - st0.removes, 4); /* two clipped pieces, E2, guard */
	CHECK_EQ_U64(st.splits - st0.splits, 2);
	CHECK_MAP(m);
	/* replace with attributes equal to the neighbours: all merge */
	a = anon(VM_PROT_RW);
	CHECK_KERN(bsdvm_map_fixed(m, P(12), P(22), &a), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(22), P(22), P(24));
	/* strictly inside one entry, same attributes: still one entry */
	CHECK_KERN(bsdvm_map_fixed(m, P(14), P(16), &a), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(22), P(22), P(24));
	/* the locked variant, under the caller's exclusive lock */
	bsdvm_map_lock(m);
	CHECK_KERN(bsdvm_map_fixed_locked(m, P(11), P(13), &a), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_fixed_locked(m, P(11), P(11), &a), KERN_INVALID_ADDRESS);
	bsdvm_map_unlock(m);
	CHECK_LAYOUT(m, P(10), P(22), P(22), P(24));
	/* into a hole it is a plain insert */
	CHECK_KERN(bsdvm_map_fixed(m, P(100), P(101), &a), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(22), P(22), P(24), P(100), P(101));
	/* covering an unsplittable entry exactly replaces it */
	CHECK_KERN(ins_attrs(m, P(200), P(204), with_flags(VM_PROT_RW, MAP_ENTRY_UNSPLITTABLE)),
	    KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_fixed(m, P(200), P(204), &a), KERN_SUCCESS);
	CHECK_EQ_U64(region_at(m, P(201)).eflags, 0);
	CHECK_KERN(ins_attrs(m, P(210), P(214), with_flags(VM_PROT_RW, MAP_ENTRY_UNSPLITTABLE)),
	    KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_fixed(m, P(208), P(216), &a), KERN_SUCCESS);
	CHECK_REGION(m, P(210), P(208), P(216));
	/* ... but not partly (atomic: nothing changes) */
	CHECK_KERN(ins_attrs(m, P(220), P(224), with_flags(VM_PROT_RW, MAP_ENTRY_UNSPLITTABLE)),
	    KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_fixed(m, P(218), P(222), &a), KERN_INVALID_ARGUMENT);
	CHECK_REGION(m, P(220), P(220), P(224));
	CHECK_UNMAPPED(m, P(218));
	/* the whole map */
	CHECK_KERN(bsdvm_map_fixed(m, P(219), P(225), &a), KERN_SUCCESS); /* covers it whole */
	CHECK_REGION(m, P(220), P(219), P(225));
	CHECK_KERN(bsdvm_map_fixed(m, P(0), P(256), &a), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(0), P(256));
	CHECK_EQ_U64(test_map_stats(m).size, 256 * pg);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);
#undef P
}

/* ------------------------------------------------------------------ */
/* delete */

static void t_delete(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 0;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	struct vm_map *m = test_map_new(B, P(128), pg);
	struct bsdvm_map_stats st0, st;

	/* E1 [0,4)  E2 [6,10)  E3 [10,12) (R)  E4 [20,24) object */
	CHECK_KERN(ins(m, P(0), P(4), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(6), P(10), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(10), P(12), VM_PROT_READ), KERN_SUCCESS);
	CHECK_KERN(ins_attrs(m, P(20), P(24), with_obj(OBJ_A, 4 * pg, VM_PROT_RW)), KERN_SUCCESS);
	/* empty range and a range entirely in a hole: nothing happens */
	st0 = test_map_stats(m);
	CHECK_KERN(bsdvm_map_delete(m, P(2), P(2)), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_delete(m, P(13), P(19)), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_delete(m, P(128), P(128)), KERN_SUCCESS);
	st = test_map_stats(m);
	CHECK_EQ_U64(st.nentries, st0.nentries);
	CHECK_EQ_U64(st.splits, st0.splits);
	CHECK_EQ_U64(st.removes, st0.removes);
	CHECK_LAYOUT(m, P(0), P(4), P(6), P(10), P(10), P(12), P(20), P(24));

	/* inside one entry: splits it in two */
	CHECK_KERN(bsdvm_map_delete(m, P(21), P(23)), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(0), P(4), P(6), P(10), P(10), P(12), P(20), P(21), P(23), P(24));
	CHECK_EQ_U64(region_at(m, P(23)).offset, 7 * pg);
	CHECK_EQ_U64(region_at(m, P(20)).offset, 4 * pg);
	st = test_map_stats(m);
	CHECK_EQ_U64(st.nentries, st0.nentries + 1);
	CHECK_EQ_U64(st.size, st0.size - 2 * pg);
	CHECK_EQ_U64(st.removes, st0.removes + 1);
	CHECK_MAP(m);

	/* across entries and holes, clipping both ends */
	st0 = st;
	CHECK_KERN(bsdvm_map_delete(m, P(2), P(7)), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(0), P(2), P(7), P(10), P(10), P(12), P(20), P(21), P(23), P(24));
	st = test_map_stats(m);
	CHECK_EQ_U64(st.splits - st0.splits, 2);
	CHECK_EQ_U64(st.size, st0.size - 3 * pg);
	CHECK_KERN(bsdvm_map_delete(m, P(8), P(21)), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(0), P(2), P(7), P(8), P(23), P(24));
	CHECK_MAP(m);
	/* exactly one entry, first page of the map, last page of the map */
	CHECK_KERN(bsdvm_map_delete(m, P(7), P(8)), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(127), P(128), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_delete(m, P(0), P(1)), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_delete(m, P(127), P(128)), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(1), P(2), P(23), P(24));
	/* the locked variant */
	bsdvm_map_lock(m);
	CHECK_KERN(bsdvm_map_delete_locked(m, P(23), P(24)), KERN_SUCCESS);
	bsdvm_map_unlock(m);
	CHECK_LAYOUT(m, P(1), P(2));
	/* everything */
	CHECK_KERN(ins(m, P(50), P(60), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_delete(m, P(0), P(128)), KERN_SUCCESS);
	CHECK_EMPTY(m);
	st = test_map_stats(m);
	CHECK_EQ_U64(st.nentries, 0);
	CHECK_EQ_U64(st.size, 0);
	CHECK_EQ_U64(st.largest_gap, 128 * pg);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);
#undef P
}

/* ------------------------------------------------------------------ */
/* protect */

static void t_protect(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 2 * GiB;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	struct vm_map *m = test_map_new(B, P(128), pg);
	struct vm_map *wx = new_map_flags(B, P(128), pg, BSDVM_MAP_WXORX);
	const uint32_t SP = BSDVM_PROTECT_SET_PROT, SM = BSDVM_PROTECT_SET_MAX;
	struct bsdvm_map_stats st0, st;
	struct bsdvm_region r;
	char *before;

	CHECK_KERN(ins(m, P(10), P(20), VM_PROT_RW), KERN_SUCCESS);
	st0 = test_map_stats(m);
	/* a sub-range splits the entry in three */
	CHECK_KERN(bsdvm_map_protect(m, P(12), P(15), VM_PROT_READ, 0, SP), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(12), P(12), P(15), P(15), P(20));
	st = test_map_stats(m);
	CHECK_EQ_U64(st.nentries, 3);
	CHECK_EQ_U64(st.splits - st0.splits, 2);
	CHECK_EQ_U64(region_at(m, P(12)).protection, VM_PROT_READ);
	CHECK_EQ_U64(region_at(m, P(14)).max_protection, VM_PROT_ALL);
	CHECK_EQ_U64(region_at(m, P(10)).protection, VM_PROT_RW);
	CHECK_EQ_U64(region_at(m, P(19)).protection, VM_PROT_RW);
	CHECK_MAP(m);
	/* protecting back merges into one */
	st0 = st;
	CHECK_KERN(bsdvm_map_protect(m, P(12), P(15), VM_PROT_RW, 0, SP), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(20));
	st = test_map_stats(m);
	CHECK_EQ_U64(st.nentries, 1);
	CHECK_EQ_U64(st.merges - st0.merges, 2);
	CHECK_EQ_U64(st.size, 10 * pg);
	/* the whole entry, and a no-op request, do not split */
	st0 = st;
	CHECK_KERN(bsdvm_map_protect(m, P(10), P(20), VM_PROT_RW, 0, SP), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_protect(m, P(12), P(13), VM_PROT_RW, 0, SP), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(20));
	CHECK_EQ_U64(test_map_stats(m).nentries, 1);
	CHECK_KERN(bsdvm_map_protect(m, P(10), P(20), VM_PROT_ALL, 0, SP), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(20));
	CHECK_EQ_U64(region_at(m, P(10)).protection, VM_PROT_ALL);
	CHECK_KERN(bsdvm_map_protect(m, P(10), P(20), VM_PROT_RW, 0, SP), KERN_SUCCESS);

	/* SET_MAX lowers the maximum and masks the current protection */
	CHECK_KERN(bsdvm_map_protect(m, P(12), P(15), 0, VM_PROT_READ, SM), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(12), P(12), P(15), P(15), P(20));
	r = region_at(m, P(12));
	CHECK_EQ_U64(r.protection, VM_PROT_READ);
	CHECK_EQ_U64(r.max_protection, VM_PROT_READ);
	/* raising above the maximum fails and changes nothing */
	before = test_map_listing(m);
	st0 = test_map_stats(m);
	CHECK_KERN(bsdvm_map_protect(m, P(12), P(15), VM_PROT_RW, 0, SP), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_protect(m, P(12), P(15), 0, VM_PROT_ALL, SM), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_protect(m, P(12), P(15), VM_PROT_RW, VM_PROT_RW, SP | SM),
	    KERN_PROTECTION_FAILURE);
	/* over several entries: the first could change, the second cannot */
	CHECK_KERN(bsdvm_map_protect(m, P(10), P(15), VM_PROT_RW, 0, SP), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_protect(m, P(11), P(13), VM_PROT_READ | VM_PROT_WRITE, 0, SP),
	    KERN_PROTECTION_FAILURE);
	{
		char *after = test_map_listing(m);

		CHECK(strcmp(before, after) == 0);
		free(after);
	}
	free(before);
	st = test_map_stats(m);
	CHECK_EQ_U64(st.splits, st0.splits);
	CHECK_EQ_U64(st.nentries, st0.nentries);
	/* lowering to what is already there is allowed */
	CHECK_KERN(bsdvm_map_protect(m, P(12), P(15), VM_PROT_READ, 0, SP), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_protect(m, P(12), P(15), VM_PROT_NONE, 0, SP), KERN_SUCCESS);
	CHECK_EQ_U64(region_at(m, P(13)).protection, VM_PROT_NONE);
	CHECK_KERN(bsdvm_map_protect(m, P(12), P(15), VM_PROT_READ, 0, SP), KERN_SUCCESS);
	/* both flags: prot and max at once; equal neighbours then merge */
	CHECK_KERN(bsdvm_map_protect(m, P(10), P(12), VM_PROT_READ, VM_PROT_READ, SP | SM),
	    KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(15), P(15), P(20));
	r = region_at(m, P(10));
	CHECK_EQ_U64(r.protection, VM_PROT_READ);
	CHECK_EQ_U64(r.max_protection, VM_PROT_READ);
	CHECK_KERN(bsdvm_map_protect(m, P(15), P(20), VM_PROT_READ, VM_PROT_RW, SP | SM),
	    KERN_SUCCESS);
	r = region_at(m, P(15));
	CHECK_EQ_U64(r.protection, VM_PROT_READ);
	CHECK_EQ_U64(r.max_protection, VM_PROT_RW);
	/* KERN_OUT_OF_BOUNDS: new prot not within new max */
	CHECK_KERN(bsdvm_map_protect(m, P(15), P(20), VM_PROT_RW, VM_PROT_READ, SP | SM),
	    KERN_OUT_OF_BOUNDS);
	/* SET_MAX alone to NONE masks everything */
	CHECK_KERN(bsdvm_map_protect(m, P(15), P(16), 0, VM_PROT_NONE, SM), KERN_SUCCESS);
	r = region_at(m, P(15));
	CHECK_EQ_U64(r.protection, VM_PROT_NONE);
	CHECK_EQ_U64(r.max_protection, VM_PROT_NONE);
	CHECK_MAP(m);

	/* across a hole: entries change, the hole stays */
	CHECK_KERN(ins(m, P(30), P(32), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(34), P(36), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_protect(m, P(29), P(37), VM_PROT_READ, 0, SP), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(15), P(15), P(16), P(16), P(20), P(30), P(32), P(34), P(36));
	CHECK_EQ_U64(region_at(m, P(30)).protection, VM_PROT_READ);
	CHECK_EQ_U64(region_at(m, P(35)).protection, VM_PROT_READ);
	CHECK_UNMAPPED(m, P(33));
	/* an empty range and a hole-only range succeed */
	CHECK_KERN(bsdvm_map_protect(m, P(31), P(31), VM_PROT_NONE, 0, SP), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_protect(m, P(40), P(50), VM_PROT_NONE, 0, SP), KERN_SUCCESS);
	CHECK_EQ_U64(region_at(m, P(31)).protection, VM_PROT_READ);
	CHECK_MAP(m);

	/* W^X: W|X refused, each alone fine */
	CHECK_KERN(ins(wx, P(0), P(4), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_protect(wx, P(0), P(4), VM_PROT_ALL, 0, SP), KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_map_protect(wx, P(1), P(2), VM_PROT_WRITE | VM_PROT_EXECUTE, 0, SP),
	    KERN_PROTECTION_FAILURE);
	CHECK_LAYOUT(wx, P(0), P(4));
	CHECK_EQ_U64(region_at(wx, P(0)).protection, VM_PROT_RW);
	CHECK_KERN(bsdvm_map_protect(wx, P(1), P(2), VM_PROT_READ | VM_PROT_EXECUTE, 0, SP),
	    KERN_SUCCESS);
	CHECK_EQ_U64(region_at(wx, P(1)).protection, VM_PROT_READ | VM_PROT_EXECUTE);
	CHECK_LAYOUT(wx, P(0), P(1), P(1), P(2), P(2), P(4));
	CHECK_MAP(wx);
	bsdvm_map_destroy(wx);
	bsdvm_map_destroy(m);
#undef P
}

/* ------------------------------------------------------------------ */
/* inherit and madvise */

static void t_inherit_madvise(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 4 * GiB;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	struct vm_map *m = test_map_new(B, P(128), pg);
	struct bsdvm_map_stats st0, st;
	char *before;
	static const int pageonly[] = { BSDVM_MADV_WILLNEED, BSDVM_MADV_DONTNEED,
		BSDVM_MADV_FREE };
	size_t i;

	CHECK_KERN(ins(m, P(10), P(20), VM_PROT_RW), KERN_SUCCESS);
	st0 = test_map_stats(m);
	CHECK_KERN(bsdvm_map_inherit(m, P(12), P(15), VM_INHERIT_SHARE), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(12), P(12), P(15), P(15), P(20));
	CHECK_EQ_U64(region_at(m, P(12)).inheritance, VM_INHERIT_SHARE);
	CHECK_EQ_U64(region_at(m, P(11)).inheritance, VM_INHERIT_COPY);
	CHECK_EQ_U64(region_at(m, P(15)).inheritance, VM_INHERIT_COPY);
	st = test_map_stats(m);
	CHECK_EQ_U64(st.splits - st0.splits, 2);
	CHECK_KERN(bsdvm_map_inherit(m, P(12), P(15), VM_INHERIT_COPY), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(20));
	CHECK_EQ_U64(test_map_stats(m).merges - st.merges, 2);
	CHECK_KERN(bsdvm_map_inherit(m, P(10), P(20), VM_INHERIT_NONE), KERN_SUCCESS);
	CHECK_EQ_U64(region_at(m, P(10)).inheritance, VM_INHERIT_NONE);
	CHECK_KERN(bsdvm_map_inherit(m, P(19), P(20), VM_INHERIT_ZERO), KERN_SUCCESS);
	CHECK_EQ_U64(region_at(m, P(19)).inheritance, VM_INHERIT_ZERO);
	CHECK_LAYOUT(m, P(10), P(19), P(19), P(20));
	CHECK_KERN(bsdvm_map_inherit(m, P(10), P(20), VM_INHERIT_COPY), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(20));
	/* guards ignore VM_INHERIT_ZERO but take other values */
	CHECK_KERN(ins_attrs(m, P(30), P(34), guard_attrs(0)), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_inherit(m, P(31), P(33), VM_INHERIT_ZERO), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(20), P(30), P(34));
	CHECK_EQ_U64(region_at(m, P(31)).inheritance, VM_INHERIT_COPY);
	CHECK_KERN(bsdvm_map_inherit(m, P(25), P(40), VM_INHERIT_ZERO), KERN_SUCCESS);
	CHECK_EQ_U64(region_at(m, P(31)).inheritance, VM_INHERIT_COPY);
	CHECK_KERN(bsdvm_map_inherit(m, P(31), P(33), VM_INHERIT_NONE), KERN_SUCCESS);
	CHECK_EQ_U64(region_at(m, P(31)).inheritance, VM_INHERIT_NONE);
	CHECK_LAYOUT(m, P(10), P(20), P(30), P(31), P(31), P(33), P(33), P(34));
	CHECK_KERN(bsdvm_map_delete(m, P(30), P(34)), KERN_SUCCESS);
	CHECK_MAP(m);

	/* advice stored in the entry */
	CHECK_KERN(bsdvm_map_madvise(m, P(12), P(15), BSDVM_MADV_RANDOM), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(12), P(12), P(15), P(15), P(20));
	CHECK_EQ_U64(region_at(m, P(13)).advice, BSDVM_MADV_RANDOM);
	CHECK_EQ_U64(region_at(m, P(15)).advice, BSDVM_MADV_NORMAL);
	CHECK_KERN(bsdvm_map_madvise(m, P(12), P(15), BSDVM_MADV_SEQUENTIAL), KERN_SUCCESS);
	CHECK_EQ_U64(region_at(m, P(13)).advice, BSDVM_MADV_SEQUENTIAL);
	CHECK_KERN(bsdvm_map_madvise(m, P(12), P(15), BSDVM_MADV_NORMAL), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(20));
	/* NOSYNC / AUTOSYNC, NOCORE / CORE: entry flags */
	CHECK_KERN(bsdvm_map_madvise(m, P(11), P(13), BSDVM_MADV_NOSYNC), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(11), P(11), P(13), P(13), P(20));
	CHECK_EQ_U64(region_at(m, P(11)).eflags, MAP_ENTRY_NOSYNC);
	CHECK_EQ_U64(region_at(m, P(10)).eflags, 0);
	CHECK_KERN(bsdvm_map_madvise(m, P(12), P(14), BSDVM_MADV_NOCORE), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(11), P(11), P(12), P(12), P(13), P(13), P(14), P(14), P(20));
	CHECK_EQ_U64(region_at(m, P(11)).eflags, MAP_ENTRY_NOSYNC);
	CHECK_EQ_U64(region_at(m, P(12)).eflags, MAP_ENTRY_NOSYNC | MAP_ENTRY_NOCOREDUMP);
	CHECK_EQ_U64(region_at(m, P(13)).eflags, MAP_ENTRY_NOCOREDUMP);
	CHECK_KERN(bsdvm_map_madvise(m, P(10), P(20), BSDVM_MADV_AUTOSYNC), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(12), P(12), P(14), P(14), P(20));
	CHECK_EQ_U64(region_at(m, P(12)).eflags, MAP_ENTRY_NOCOREDUMP);
	CHECK_KERN(bsdvm_map_madvise(m, P(12), P(14), BSDVM_MADV_CORE), KERN_SUCCESS);
	CHECK_LAYOUT(m, P(10), P(20));
	CHECK_EQ_U64(region_at(m, P(12)).eflags, 0);
	CHECK_MAP(m);
	/* WILLNEED, DONTNEED and FREE leave the entries alone */
	CHECK_KERN(bsdvm_map_madvise(m, P(12), P(15), BSDVM_MADV_RANDOM), KERN_SUCCESS);
	before = test_map_listing(m);
	st0 = test_map_stats(m);
	for (i = 0; i < sizeof(pageonly) / sizeof(pageonly[0]); i++) {
		char *after;

		CHECK_KERN(bsdvm_map_madvise(m, P(11), P(13), pageonly[i]), KERN_SUCCESS);
		CHECK_KERN(bsdvm_map_madvise(m, P(10), P(40), pageonly[i]), KERN_SUCCESS);
		after = test_map_listing(m);
		CHECK(strcmp(before, after) == 0);
		free(after);
		st = test_map_stats(m);
		CHECK_EQ_U64(st.splits, st0.splits);
		CHECK_EQ_U64(st.merges, st0.merges);
		CHECK_EQ_U64(st.nentries, st0.nentries);
	}
	free(before);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);
#undef P
}

/* ------------------------------------------------------------------ */
/* check_protection */

static void t_check_protection(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 8 * GiB;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	struct vm_map *m = test_map_new(B, P(64), pg);
	const bsdvm_prot_t R = VM_PROT_READ, W = VM_PROT_WRITE, X = VM_PROT_EXECUTE;

	/* [0,4) R   [4,8) RW   [8,10) RWX   hole   [12,14) RW   [14,16) NONE */
	CHECK_KERN(ins(m, P(0), P(4), R), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(4), P(8), R | W), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(8), P(10), R | W | X), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(12), P(14), R | W), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(14), P(16), VM_PROT_NONE), KERN_SUCCESS);

	CHECK(bsdvm_map_check_protection(m, P(0), P(10), R));
	CHECK(bsdvm_map_check_protection(m, P(0), P(10), VM_PROT_NONE));
	CHECK(!bsdvm_map_check_protection(m, P(0), P(10), R | W));
	CHECK(bsdvm_map_check_protection(m, P(4), P(10), R | W));
	CHECK(bsdvm_map_check_protection(m, P(5), P(9), R | W)); /* inside entries */
	CHECK(!bsdvm_map_check_protection(m, P(5), P(9), X));
	CHECK(bsdvm_map_check_protection(m, P(8), P(10), R | W | X));
	CHECK(bsdvm_map_check_protection(m, P(9), P(10), X));
	CHECK(!bsdvm_map_check_protection(m, P(3), P(5), W));
	/* holes */
	CHECK(!bsdvm_map_check_protection(m, P(8), P(13), R));
	CHECK(!bsdvm_map_check_protection(m, P(0), P(16), VM_PROT_NONE));
	CHECK(!bsdvm_map_check_protection(m, P(10), P(12), VM_PROT_NONE));
	/* unmapped start, range ending past the last entry */
	CHECK(!bsdvm_map_check_protection(m, P(11), P(13), R));
	CHECK(!bsdvm_map_check_protection(m, P(10), P(11), VM_PROT_NONE));
	CHECK(!bsdvm_map_check_protection(m, P(14), P(17), VM_PROT_NONE));
	CHECK(bsdvm_map_check_protection(m, P(14), P(16), VM_PROT_NONE));
	CHECK(!bsdvm_map_check_protection(m, P(14), P(16), R));
	CHECK(bsdvm_map_check_protection(m, P(12), P(16), VM_PROT_NONE));
	CHECK(!bsdvm_map_check_protection(m, P(12), P(16), R));
	/* malformed ranges are simply false */
	CHECK(!bsdvm_map_check_protection(m, P(0) + 1, P(4), R));
	CHECK(!bsdvm_map_check_protection(m, P(4), P(0), R));
	CHECK(!bsdvm_map_check_protection(m, B - pg, P(4), R));
	CHECK(!bsdvm_map_check_protection(m, P(0), P(65), R));
	CHECK(!bsdvm_map_check_protection(m, P(0), P(4), 0x8));
	/* the locked variant */
	bsdvm_map_lock_read(m);
	CHECK(bsdvm_map_check_protection_locked(m, P(4), P(10), R | W));
	CHECK(!bsdvm_map_check_protection_locked(m, P(4), P(13), R | W));
	bsdvm_map_unlock_read(m);
	/* after a protect the answer follows */
	CHECK_KERN(bsdvm_map_protect(m, P(0), P(4), R | W, 0, BSDVM_PROTECT_SET_PROT),
	    KERN_SUCCESS);
	CHECK(bsdvm_map_check_protection(m, P(0), P(10), R | W));
	CHECK_MAP(m);
	bsdvm_map_destroy(m);
#undef P
}

/* ------------------------------------------------------------------ */
/* clip_start / clip_end / simplify_entry under the lock */

static void t_clip(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 16 * GiB;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	struct vm_map *m = test_map_new(B, P(64), pg);
	struct vm_map_entry *e = NULL, *s;
	struct bsdvm_map_stats st0, st;
	bool hit;

	CHECK_KERN(ins_attrs(m, P(10), P(20), with_obj(OBJ_A, 100 * pg, VM_PROT_RW)),
	    KERN_SUCCESS);
	CHECK_KERN(ins_attrs(m, P(30), P(34), with_flags(VM_PROT_RW, MAP_ENTRY_UNSPLITTABLE)),
	    KERN_SUCCESS);
	st0 = test_map_stats(m);

	bsdvm_map_lock(m);
	hit = bsdvm_map_lookup_entry(m, P(10), &e);
	CHECK(hit && e != NULL);
	if (hit && e != NULL) {
		/* not strictly inside: no-ops */
		CHECK_KERN(bsdvm_map_clip_start(m, e, P(10)), KERN_SUCCESS);
		CHECK_KERN(bsdvm_map_clip_end(m, e, P(20)), KERN_SUCCESS);
		CHECK_KERN(bsdvm_map_clip_start(m, e, P(5)), KERN_SUCCESS);
		CHECK_KERN(bsdvm_map_clip_end(m, e, P(25)), KERN_SUCCESS);
		CHECK_EQ_U64(e->start, P(10));
		CHECK_EQ_U64(e->end, P(20));
		/* unaligned */
		CHECK_KERN(bsdvm_map_clip_start(m, e, P(12) + 1), KERN_INVALID_ARGUMENT);
		CHECK_KERN(bsdvm_map_clip_end(m, e, P(12) + pg / 2), KERN_INVALID_ARGUMENT);
		CHECK_EQ_U64(e->start, P(10));
		CHECK_EQ_U64(e->end, P(20));
		/* real clips: e keeps the named side */
		CHECK_KERN(bsdvm_map_clip_start(m, e, P(12)), KERN_SUCCESS);
		CHECK_EQ_U64(e->start, P(12));
		CHECK_EQ_U64(e->end, P(20));
		CHECK_EQ_U64(e->offset, 102 * pg);
		s = bsdvm_map_entry_pred(m, e);
		CHECK(s != NULL && s->start == P(10) && s->end == P(12) &&
		    s->offset == 100 * pg && s->object == OBJ_A);
		CHECK_KERN(bsdvm_map_clip_end(m, e, P(17)), KERN_SUCCESS);
		CHECK_EQ_U64(e->start, P(12));
		CHECK_EQ_U64(e->end, P(17));
		CHECK_EQ_U64(e->offset, 102 * pg);
		s = bsdvm_map_entry_succ(m, e);
		CHECK(s != NULL && s->start == P(17) && s->end == P(20) &&
		    s->offset == 107 * pg && s->protection == VM_PROT_RW);
	}
	bsdvm_map_unlock(m);
	CHECK_LAYOUT(m, P(10), P(12), P(12), P(17), P(17), P(20), P(30), P(34));
	st = test_map_stats(m);
	CHECK_EQ_U64(st.splits - st0.splits, 2);
	CHECK_EQ_U64(st.nentries, 4);
	CHECK_EQ_U64(st.size, st0.size);
	CHECK_MAP(m);

	/* simplify merges all three back */
	bsdvm_map_lock(m);
	hit = bsdvm_map_lookup_entry(m, P(13), &e);
	CHECK(hit);
	if (hit) {
		s = bsdvm_map_simplify_entry(m, e);
		/* the entry passed in survives (as in FreeBSD), its neighbours go */
		CHECK(s == e && s->start == P(10) && s->end == P(20) &&
		    s->offset == 100 * pg);
	}
	bsdvm_map_unlock(m);
	CHECK_LAYOUT(m, P(10), P(20), P(30), P(34));
	CHECK_EQ_U64(test_map_stats(m).merges - st.merges, 2);
	CHECK_MAP(m);

	/* an incompatible neighbour is left alone */
	CHECK_KERN(bsdvm_map_protect(m, P(18), P(20), VM_PROT_READ, 0, BSDVM_PROTECT_SET_PROT),
	    KERN_SUCCESS);
	bsdvm_map_lock(m);
	if (bsdvm_map_lookup_entry(m, P(18), &e)) {
		s = bsdvm_map_simplify_entry(m, e);
		CHECK(s == e && s->start == P(18) && s->end == P(20));
	} else {
		CHECK(0);
	}
	/* unsplittable: a split is refused, a no-op is not */
	if (bsdvm_map_lookup_entry(m, P(31), &e)) {
		CHECK_KERN(bsdvm_map_clip_start(m, e, P(31)), KERN_INVALID_ARGUMENT);
		CHECK_KERN(bsdvm_map_clip_end(m, e, P(33)), KERN_INVALID_ARGUMENT);
		CHECK_KERN(bsdvm_map_clip_start(m, e, P(30)), KERN_SUCCESS);
		CHECK_KERN(bsdvm_map_clip_end(m, e, P(34)), KERN_SUCCESS);
		CHECK_EQ_U64(e->start, P(30));
		CHECK_EQ_U64(e->end, P(34));
	} else {
		CHECK(0);
	}
	bsdvm_map_unlock(m);
	CHECK_LAYOUT(m, P(10), P(18), P(18), P(20), P(30), P(34));
	CHECK_MAP(m);
	bsdvm_map_destroy(m);
#undef P
}

/* ------------------------------------------------------------------ */
/* statistics and largest_gap */

static void t_stats(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 32 * GiB;
#define P(n) (B + (bsdvm_addr_t)(n) * pg)
	struct vm_map *m = test_map_new(B, P(100), pg);
	struct bsdvm_map_stats st;

	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 100 * pg);
	CHECK_KERN(ins(m, P(10), P(20), VM_PROT_RW), KERN_SUCCESS);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 80 * pg); /* [20,100) */
	CHECK_KERN(ins(m, P(50), P(51), VM_PROT_RW), KERN_SUCCESS);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 49 * pg); /* [51,100) */
	CHECK_KERN(ins(m, P(90), P(100), VM_PROT_RW), KERN_SUCCESS);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 39 * pg); /* [51,90) */
	CHECK_KERN(ins(m, P(60), P(61), VM_PROT_RW), KERN_SUCCESS);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 30 * pg); /* [20,50) */
	CHECK_KERN(ins(m, P(30), P(31), VM_PROT_RW), KERN_SUCCESS);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 29 * pg); /* [61,90) */
	CHECK_KERN(ins(m, P(70), P(71), VM_PROT_RW), KERN_SUCCESS);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 19 * pg); /* [31,50), [71,90) */
	CHECK_KERN(ins(m, P(0), P(1), VM_PROT_RW), KERN_SUCCESS);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 19 * pg);
	CHECK_KERN(bsdvm_map_delete(m, P(0), P(1)), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_delete(m, P(10), P(20)), KERN_SUCCESS);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 30 * pg); /* [0,30) */
	st = test_map_stats(m);
	CHECK_EQ_U64(st.largest_gap, 30 * pg);
	CHECK_EQ_U64(st.nentries, 5);
	CHECK_EQ_U64(st.size, 14 * pg);
	CHECK_EQ_U64(st.inserts, 7);
	CHECK_EQ_U64(st.removes, 2);
	CHECK_EQ_U64(st.splits, 0);
	CHECK_EQ_U64(st.merges, 0);
	CHECK_EQ_U64(st.timestamp, bsdvm_map_timestamp(m));
	CHECK(st.timestamp >= 9); /* at least one exclusive hold per mutation */
	CHECK_MAP(m);
	/* entry cache 0 and back: behaviour unchanged */
	bsdvm_map_set_entry_cache(m, 0);
	CHECK_KERN(bsdvm_map_delete(m, P(50), P(71)), KERN_SUCCESS);
	CHECK_KERN(ins(m, P(55), P(57), VM_PROT_RW), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_protect(m, P(56), P(57), VM_PROT_READ, 0, BSDVM_PROTECT_SET_PROT),
	    KERN_SUCCESS);
	bsdvm_map_set_entry_cache(m, 64);
	CHECK_LAYOUT(m, P(30), P(31), P(55), P(56), P(56), P(57), P(90), P(100));
	CHECK_EQ_U64(test_map_stats(m).size, 13 * pg);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);
#undef P
}

/* ------------------------------------------------------------------ */
/* allocation failure: KERN_RESOURCE_SHORTAGE and nothing changed */

enum af_op { AF_INSERT, AF_FIXED, AF_FIND, AF_DELETE, AF_PROTECT, AF_INHERIT, AF_MADVISE,
	AF_CLIP, AF_NOPS };

static int af_call(struct vm_map *m, enum af_op op, bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 1 * MiB;
	struct bsdvm_entry_attrs a = anon(VM_PROT_READ);
	struct bsdvm_space_req q = { .length = pg, .flags = BSDVM_SPACE_BOTTOMUP };
	struct vm_map_entry *e;
	bsdvm_addr_t addr = B + 100 * pg;
	int rv;

	switch (op) {
	case AF_INSERT:
		return bsdvm_map_insert(m, B + 50 * pg, B + 51 * pg, &a);
	case AF_FIXED:
		return bsdvm_map_fixed(m, B + 12 * pg, B + 14 * pg, &a);
	case AF_FIND:
		return bsdvm_map_find(m, &q, &a, &addr);
	case AF_DELETE:
		return bsdvm_map_delete(m, B + 12 * pg, B + 14 * pg);
	case AF_PROTECT:
		return bsdvm_map_protect(m, B + 12 * pg, B + 14 * pg, VM_PROT_READ, 0,
		    BSDVM_PROTECT_SET_PROT);
	case AF_INHERIT:
		return bsdvm_map_inherit(m, B + 12 * pg, B + 14 * pg, VM_INHERIT_NONE);
	case AF_MADVISE:
		return bsdvm_map_madvise(m, B + 12 * pg, B + 14 * pg, BSDVM_MADV_NOCORE);
	default:
		bsdvm_map_lock(m);
		rv = bsdvm_map_lookup_entry(m, B + 12 * pg, &e) ?
		    bsdvm_map_clip_start(m, e, B + 12 * pg) : KERN_FAILURE;
		bsdvm_map_unlock(m);
		return rv;
	}
}

static void t_alloc_fail(bsdvm_size_t pg)
{
	const bsdvm_addr_t B = 1 * MiB;
	int op;

	for (op = 0; op < AF_NOPS; op++) {
		uint64_t k;
		int shortages = 0;

		for (k = 1; k <= 4; k++) {
			struct vm_map *m = test_map_new(B, B + 256 * pg, pg);
			struct bsdvm_map_stats st0, st;
			char *before, *after;
			int rv;

			CHECK_KERN(ins(m, B + 10 * pg, B + 20 * pg, VM_PROT_RW), KERN_SUCCESS);
			bsdvm_map_set_entry_cache(m, 0);
			before = test_map_listing(m);
			st0 = test_map_stats(m);
			bsdvm_alloc_fail_at(k);
			rv = af_call(m, (enum af_op)op, pg);
			bsdvm_alloc_fail_at(0);
			if (rv == KERN_RESOURCE_SHORTAGE) {
				shortages++;
				after = test_map_listing(m);
				CHECK(strcmp(before, after) == 0);
				free(after);
				st = test_map_stats(m);
				CHECK_EQ_U64(st.nentries, st0.nentries);
				CHECK_EQ_U64(st.size, st0.size);
				CHECK_EQ_U64(st.splits, st0.splits);
				CHECK_EQ_U64(st.inserts, st0.inserts);
			} else {
				CHECK_KERN(rv, KERN_SUCCESS);
			}
			CHECK_MAP(m);
			free(before);
			bsdvm_map_destroy(m);
		}
		CHECK(shortages >= 1);
		if (shortages < 1)
			fprintf(stderr, "  op %d never reported KERN_RESOURCE_SHORTAGE\n", op);
	}

	/* create: the map, its mutex and its condvar may each fail */
	{
		int64_t live = bsdvm_alloc_live_bytes();
		struct bsdvm_map_params p = { .min = B, .max = B + 16 * pg, .page_size = pg };
		uint64_t k;
		int shortages = 0;

		for (k = 1; k <= 4; k++) {
			struct vm_map *m = NULL;
			int rv;

			bsdvm_alloc_fail_at(k);
			rv = bsdvm_map_create(&p, &m);
			bsdvm_alloc_fail_at(0);
			if (rv == KERN_RESOURCE_SHORTAGE) {
				shortages++;
				CHECK(m == NULL);
				CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live);
			} else {
				CHECK_KERN(rv, KERN_SUCCESS);
				if (m != NULL)
					bsdvm_map_destroy(m);
			}
		}
		CHECK(shortages >= 1);
		CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live);
	}
}

/* ------------------------------------------------------------------ */
/* the lock */

struct locker_arg {
	struct vm_map *m;
};

static void *locker_thread(void *p)
{
	struct locker_arg *a = p;

	bsdvm_map_lock(a->m);
	bsdvm_map_unlock(a->m);
	return NULL;
}

static void t_lock(void)
{
	struct vm_map *m = test_map_new(0, 16 * MiB, 0);
	uint64_t ts = bsdvm_map_timestamp(m);
	struct bsdvm_map_stats st;

	CHECK_EQ_U64(ts, 0);
	bsdvm_map_lock(m);
	CHECK_EQ_U64(bsdvm_map_timestamp(m), ts + 1);
	CHECK(!bsdvm_map_trylock(m));
	CHECK(!bsdvm_map_trylock_read(m));
	bsdvm_map_unlock(m);
	CHECK_EQ_U64(bsdvm_map_timestamp(m), ts + 1);

	/* shared holds do not count; two readers may coexist */
	bsdvm_map_lock_read(m);
	CHECK(bsdvm_map_trylock_read(m));
	CHECK(!bsdvm_map_trylock(m));
	bsdvm_map_unlock_read(m);
	bsdvm_map_unlock_read(m);
	CHECK_EQ_U64(bsdvm_map_timestamp(m), ts + 1);

	CHECK(bsdvm_map_trylock(m));
	CHECK_EQ_U64(bsdvm_map_timestamp(m), ts + 2);
	bsdvm_map_unlock(m);
	CHECK(bsdvm_map_trylock_read(m));
	CHECK_EQ_U64(bsdvm_map_timestamp(m), ts + 2);
	/* sole reader upgrades */
	CHECK(bsdvm_map_lock_upgrade(m));
	CHECK_EQ_U64(bsdvm_map_timestamp(m), ts + 3);
	CHECK(!bsdvm_map_trylock_read(m));
	CHECK(!bsdvm_map_trylock(m));
	/* downgrade: shared again, no new acquisition */
	bsdvm_map_lock_downgrade(m);
	CHECK_EQ_U64(bsdvm_map_timestamp(m), ts + 3);
	CHECK(!bsdvm_map_trylock(m));
	CHECK(bsdvm_map_trylock_read(m));
	bsdvm_map_unlock_read(m);
	bsdvm_map_unlock_read(m);
	CHECK(bsdvm_map_trylock(m));
	bsdvm_map_unlock(m);
	CHECK_EQ_U64(bsdvm_map_timestamp(m), ts + 4);

	/* read-only operations do not move the timestamp, mutations do */
	ts = bsdvm_map_timestamp(m);
	bsdvm_map_get_stats(m, &st);
	(void)bsdvm_map_query(m, 0, NULL);
	(void)bsdvm_map_largest_gap(m);
	(void)bsdvm_map_check_protection(m, 0, 4096, VM_PROT_READ);
	CHECK_MAP(m);
	CHECK_EQ_U64(bsdvm_map_timestamp(m), ts);
	CHECK_EQ_U64(st.timestamp, ts);
	CHECK_KERN(ins(m, 0, 4096, VM_PROT_RW), KERN_SUCCESS);
	CHECK(bsdvm_map_timestamp(m) > ts);

	/* unlock_and_wait with a timeout and nobody else: false, re-locked */
	bsdvm_map_lock(m);
	ts = bsdvm_map_timestamp(m);
	CHECK(!bsdvm_map_unlock_and_wait(m, 2000000));
	CHECK(!bsdvm_map_trylock_read(m)); /* still held exclusive */
	CHECK_EQ_U64(bsdvm_map_timestamp(m), ts + 1);
	bsdvm_map_unlock(m);

	/* unlock_and_wait woken by another thread's exclusive hold */
	{
		struct locker_arg la = { m };
		pthread_t t;
		int prc;

		bsdvm_map_lock(m);
		ts = bsdvm_map_timestamp(m);
		prc = pthread_create(&t, NULL, locker_thread, &la);
		CHECK(prc == 0);
		if (prc == 0) {
			CHECK(bsdvm_map_unlock_and_wait(m, 0));
			CHECK(!bsdvm_map_trylock_read(m));
			CHECK_EQ_U64(bsdvm_map_timestamp(m), ts + 2);
			bsdvm_map_unlock(m);
			pthread_join(t, NULL);
		} else {
			bsdvm_map_unlock(m);
		}
	}
	bsdvm_map_destroy(m);
}

/* ------------------------------------------------------------------ */
/* the top of the 64-bit space, and maps at 0 */

static void t_top(bsdvm_size_t pg)
{
	const bsdvm_addr_t MAXA = TOP(pg), MINA = TOP(256 * pg);
#define T(n) (MAXA - (bsdvm_addr_t)(n) * pg) /* n pages below max */
	struct vm_map *m = test_map_new(MINA, MAXA, pg);
	struct bsdvm_entry_attrs a = anon(VM_PROT_RW);
	bsdvm_addr_t got;
	char *before;

	/* the very last page */
	FS_OK(m, T(1), 0, pg, 0, 0, 0, BSDVM_SPACE_TOPDOWN);
	FS_OK(m, T(1), T(1), pg, 0, 0, 0, BSDVM_SPACE_BOTTOMUP);
	FS_OK(m, T(1), T(1), pg, 0, 0, 0, BSDVM_SPACE_TOPDOWN);
	CHECK_KERN(bsdvm_map_insert(m, T(1), MAXA, &a), KERN_SUCCESS);
	CHECK_REGION(m, TOP(pg + 1), T(1), MAXA);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 254 * pg);
	FS_OK(m, T(2), 0, pg, 0, 0, 0, BSDVM_SPACE_TOPDOWN);
	FS_ERR(m, KERN_NO_SPACE, T(1), pg, 0, 0, 0, BSDVM_SPACE_BOTTOMUP);
	FS_ERR(m, KERN_NO_SPACE, T(2), 2 * pg, 0, 0, 0, BSDVM_SPACE_BOTTOMUP);
	/* an alignment whose next multiple above min is exactly 2^64 must not
	 * wrap around to address 0 */
	FS_ERR(m, KERN_NO_SPACE, 0, pg, (bsdvm_size_t)1 << 63, 0, 0, BSDVM_SPACE_BOTTOMUP);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 512 * pg, 0, 0, BSDVM_SPACE_BOTTOMUP);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, 512 * pg, 0, 0, BSDVM_SPACE_TOPDOWN);
	FS_ERR(m, KERN_NO_SPACE, 0, pg, (bsdvm_size_t)1 << 62, 0, 0, BSDVM_SPACE_BOTTOMUP);
	FS_OK(m, MINA, 0, pg, 512 * pg, 256 * pg, 0, BSDVM_SPACE_BOTTOMUP);
	{
		struct bsdvm_space_req q = { .length = pg, .align = 512 * pg,
			.flags = BSDVM_SPACE_BOTTOMUP };

		got = 5 * pg; /* a hint below min */
		CHECK_KERN(bsdvm_map_find(m, &q, &a, &got), KERN_NO_SPACE);
		CHECK_EQ_U64(got, 5 * pg);
	}
	FS_ERR(m, KERN_NO_SPACE, 0, pg, (bsdvm_size_t)1 << 63, 0, 0, BSDVM_SPACE_TOPDOWN);
	FS_OK(m, T(2), 0, pg, (bsdvm_size_t)1 << 63, T(2) - ((bsdvm_addr_t)1 << 63), 0,
	    BSDVM_SPACE_TOPDOWN);
	FS_OK(m, MINA, 0, pg, 64 * KiB, 0, 0, BSDVM_SPACE_BOTTOMUP);
	FS_OK(m, (T(1) - pg) & ~(64 * KiB - 1), 0, pg, 64 * KiB, 0, 0, BSDVM_SPACE_TOPDOWN);
	/* lengths that run past 2^64 */
	FS_ERR(m, KERN_NO_SPACE, 0, TOP(pg), 0, 0, 0, BSDVM_SPACE_BOTTOMUP);
	FS_ERR(m, KERN_NO_SPACE, 0, TOP(pg), 0, 0, 0, BSDVM_SPACE_TOPDOWN);
	FS_ERR(m, KERN_NO_SPACE, T(3), 4 * pg, 0, 0, 0, BSDVM_SPACE_BOTTOMUP);
	/* find at the top */
	got = 0;
	{
		struct bsdvm_space_req q = { .length = 2 * pg, .flags = BSDVM_SPACE_TOPDOWN };

		CHECK_KERN(bsdvm_map_find(m, &q, &a, &got), KERN_SUCCESS);
		CHECK_EQ_U64(got, T(3));
		CHECK_REGION(m, T(3), T(3), MAXA); /* coalesced with the last page */
	}
	/* ranges whose end would wrap past 2^64 are refused, nothing changes */
	before = test_map_listing(m);
	CHECK_KERN(bsdvm_map_insert(m, T(1), T(1) + 2 * pg, &a), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_insert(m, MAXA, 0, &a), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_insert(m, MAXA, MAXA + pg, &a), KERN_INVALID_ARGUMENT); /* 2^64 */
	CHECK_KERN(bsdvm_map_insert(m, MAXA, MAXA, &a), KERN_INVALID_ADDRESS);
	CHECK_KERN(bsdvm_map_fixed(m, T(1), T(1) + 2 * pg, &a), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_delete(m, T(2), T(2) + 3 * pg), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_delete(m, MAXA, MAXA + pg), KERN_INVALID_ARGUMENT); /* 2^64 */
	CHECK_KERN(bsdvm_map_delete(m, T(1), TOP(1) + 1), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_delete(m, MAXA, MAXA), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_protect(m, T(2), 0, VM_PROT_READ, 0, BSDVM_PROTECT_SET_PROT),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_inherit(m, T(2), T(2) + 4 * pg, VM_INHERIT_NONE),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_madvise(m, T(2), T(2) + 4 * pg, BSDVM_MADV_RANDOM),
	    KERN_INVALID_ARGUMENT);
	CHECK(!bsdvm_map_check_protection(m, T(2), T(2) + 4 * pg, VM_PROT_READ));
	CHECK(bsdvm_map_check_protection(m, T(2), MAXA, VM_PROT_RW));
	{
		char *after = test_map_listing(m);

		CHECK(strcmp(before, after) == 0);
		free(after);
	}
	free(before);
	/* protect, clip and delete at the very top */
	CHECK_KERN(bsdvm_map_protect(m, T(1), MAXA, VM_PROT_READ, 0, BSDVM_PROTECT_SET_PROT),
	    KERN_SUCCESS);
	CHECK_LAYOUT(m, T(3), T(1), T(1), MAXA);
	CHECK_KERN(bsdvm_map_delete(m, T(1), MAXA), KERN_SUCCESS);
	CHECK_LAYOUT(m, T(3), T(1));
	CHECK_KERN(bsdvm_map_delete(m, MINA, MAXA), KERN_SUCCESS);
	CHECK_EMPTY(m);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), MAXA - MINA);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);

	/* the whole space: [0, 2^64 - page) */
	m = test_map_new(0, MAXA, pg);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), MAXA);
	FS_OK(m, 0, 0, pg, 0, 0, 0, BSDVM_SPACE_BOTTOMUP);
	FS_OK(m, T(1), 0, pg, 0, 0, 0, BSDVM_SPACE_TOPDOWN);
	FS_OK(m, 0, 0, MAXA, 0, 0, 0, BSDVM_SPACE_TOPDOWN);
	FS_OK(m, (bsdvm_addr_t)1 << 63, 0, pg, (bsdvm_size_t)1 << 63, 0, 0,
	    BSDVM_SPACE_TOPDOWN);
	CHECK_KERN(bsdvm_map_insert(m, 0, pg, &a), KERN_SUCCESS);
	CHECK_KERN(bsdvm_map_insert(m, T(1), MAXA, &a), KERN_SUCCESS);
	FS_OK(m, pg, 0, pg, 0, 0, 0, BSDVM_SPACE_BOTTOMUP);
	FS_OK(m, T(2), 0, pg, 0, 0, 0, BSDVM_SPACE_TOPDOWN);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), MAXA - 2 * pg);
	CHECK_EQ_U64(test_map_stats(m).size, 2 * pg);
	CHECK_KERN(bsdvm_map_fixed(m, 0, MAXA, &a), KERN_SUCCESS);
	CHECK_LAYOUT(m, 0, MAXA);
	CHECK_EQ_U64(test_map_stats(m).size, MAXA);
	CHECK_EQ_U64(bsdvm_map_largest_gap(m), 0);
	CHECK(bsdvm_map_check_protection(m, 0, MAXA, VM_PROT_RW));
	CHECK_KERN(bsdvm_map_protect(m, pg, T(1), VM_PROT_NONE, 0, BSDVM_PROTECT_SET_PROT),
	    KERN_SUCCESS);
	CHECK_LAYOUT(m, 0, pg, pg, T(1), T(1), MAXA);
	CHECK_KERN(bsdvm_map_delete(m, 0, MAXA), KERN_SUCCESS);
	CHECK_EMPTY(m);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);

	/* a map at 0: the first page is address 0 */
	m = test_map_new(0, 64 * pg, pg);
	FS_OK(m, 0, 0, pg, 0, 0, 0, BSDVM_SPACE_BOTTOMUP);
	FS_OK(m, 0, 0, 64 * pg, 0, 0, 0, BSDVM_SPACE_TOPDOWN);
	CHECK_KERN(bsdvm_map_insert(m, pg, 64 * pg, &a), KERN_SUCCESS);
	FS_OK(m, 0, 0, pg, 0, 0, 0, BSDVM_SPACE_TOPDOWN); /* only page 0 is free */
	FS_OK(m, 0, 0, pg, 0, 0, 0, BSDVM_SPACE_BOTTOMUP);
	FS_OK(m, 0, 0, pg, (bsdvm_size_t)1 << 40, 0, 0, BSDVM_SPACE_TOPDOWN);
	FS_ERR(m, KERN_NO_SPACE, 0, 2 * pg, 0, 0, 0, BSDVM_SPACE_TOPDOWN);
	CHECK_KERN(bsdvm_map_insert(m, 0, pg, &a), KERN_SUCCESS);
	CHECK_LAYOUT(m, 0, 64 * pg);
	{
		struct vm_map_entry *e = (struct vm_map_entry *)(void *)obj_b_store;

		bsdvm_map_lock_read(m);
		CHECK(bsdvm_map_lookup_entry(m, 0, &e) && e != NULL && e->start == 0);
		bsdvm_map_unlock_read(m);
	}
	CHECK_KERN(bsdvm_map_delete(m, 0, pg), KERN_SUCCESS);
	CHECK_LAYOUT(m, pg, 64 * pg);
	CHECK_UNMAPPED(m, 0);
	CHECK_MAP(m);
	bsdvm_map_destroy(m);
#undef T
}

int main(void)
{
	int64_t live0 = bsdvm_alloc_live_bytes();
	size_t i;

	t_version();
	t_kern_names();
	t_create_valid();
	t_create_invalid();
	for (i = 0; i < NPAGES; i++) {
		t_insert_coalesce(page_sizes[i]);
		t_insert_locked(page_sizes[i]);
		t_lookup_iter(page_sizes[i]);
		t_findspace(page_sizes[i]);
		t_findspace_naive(page_sizes[i]);
		t_find(page_sizes[i]);
		t_fixed(page_sizes[i]);
		t_delete(page_sizes[i]);
		t_protect(page_sizes[i]);
		t_inherit_madvise(page_sizes[i]);
		t_check_protection(page_sizes[i]);
		t_clip(page_sizes[i]);
		t_stats(page_sizes[i]);
		t_top(page_sizes[i]);
		t_alloc_fail(page_sizes[i]);
	}
	t_lock();
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live0); /* every map freed everything */
	return test_main_exit("test_map_basic");
}
