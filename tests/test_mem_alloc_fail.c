/*
 * test_mem_alloc_fail.c - allocation-failure injection over every
 * memory-layer operation that allocates.
 *
 * For each operation a realistic state is built, then the k-th allocation
 * from the platform allocator is made to fail for k = 1, 2, 3, ... until
 * the operation succeeds.  Every failed attempt must report the failure
 * (KERN_RESOURCE_SHORTAGE, or 0 for the functions returning an address),
 * must really have met an injected failure, must leave the listing of
 * every involved map exactly as it was and every byte written before
 * readable and unchanged, and vm_map_check() must hold.  Operations that
 * are all-or-nothing must also give back every byte they allocated.
 *
 * Covered: bsdvm_sys_create, bsdvm_vmspace_create, bsdvm_vmspace_fork,
 * bsdvm_vmspace_mmap (private and shared anonymous memory, file objects,
 * placed and fixed), bsdvm_object_anon/file/pager, protect, inherit,
 * delete, wire and unwire of ranges that clip entries with amaps, objects
 * and wirings, copyin/copyout faults (first touch, zero fill,
 * copy-on-write, file read-in and promotion, shared objects, stack growth,
 * all of them in one call), bsdvm_map_wire of such pages,
 * bsdvm_map_stack, bsdvm_map_growstack, bsdvm_kmem_alloc,
 * bsdvm_uarea_alloc and bsdvm_proc_create.
 *
 * Faults (copyin/copyout) may keep invisible bookkeeping (an amap, an
 * object's page slot) and may have moved the bytes of the pages before the
 * failing one, but must change nothing else.  In listings that means: an
 * entry where no page was completed keeps even its NEEDS_COPY flag; one
 * where a page was completed (or, for wire, faulted in) may have lost it,
 * since its amap now holds that page; and a stack that grew before a later
 * allocation failed may stay grown.  BSDVM_ALLOC_FAIL_LOOSE=1 ignores
 * NEEDS_COPY everywhere.  Faults and wiring are run both on one state that
 * carries over from attempt to attempt and on a fresh state for every k
 * (so that every allocation of the whole operation is reached, and so that
 * leaks show).
 *
 * Fork is run on a parent with private, shared, wired, object-backed (file
 * and anonymous object), SHARE/ZERO/NONE-inherited and stack entries; after
 * a failed fork the parent's data must be intact, its private pages must
 * not have become shared (a write takes its page over without copying),
 * and nothing may leak.  A successful fork's child is checked too.
 *
 * At the end everything is destroyed and the allocator must hold no bytes.
 * The number of failure points of every operation and the total are
 * printed.
 */
#include <unistd.h>

#include <bsdvm/vmspace.h>

#include "testutil.h"

#define PG ((bsdvm_addr_t)4096)
#define K_MAX 400 /* no operation needs anywhere near this many allocations */
#define ULL(x) ((unsigned long long)(x))

static unsigned total_points;
static unsigned absorbed;

static void report(const char *name, unsigned points)
{
	printf("  %-44s %3u failure points\n", name, points);
	total_points += points;
}

/* ------------------------------------------------------------------ */
/* Injection */

static uint64_t failures_before;

static void arm(uint64_t k)
{
	failures_before = bsdvm_alloc_failures();
	bsdvm_alloc_fail_at(k);
}

/* Disarms; true when the armed failure happened. */
static bool disarm(void)
{
	bsdvm_alloc_fail_at(0);
	return bsdvm_alloc_failures() > failures_before;
}

/* An operation that succeeded although an allocation failed under it. */
static void note_absorbed(const char *name, uint64_t k)
{
	printf("  note: %s succeeded although allocation %llu failed (tolerated)\n", name,
	    ULL(k));
	absorbed++;
}

/* ------------------------------------------------------------------ */
/* Bytes the test wrote and expects to read back */

#define MAX_KNOWN 64

struct known {
	struct vmspace *vm;
	bsdvm_addr_t addr;
	size_t len;
	uint8_t *data;   /* NULL: the range must be unmapped (a hole) */
};

static struct known known[MAX_KNOWN];
static unsigned nknown;

static void fill(uint8_t *p, size_t n, uint64_t seed)
{
	struct test_rng r;
	size_t i;

	rng_init(&r, seed);
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(rng_next(&r) >> 24);
}

static struct known *know(struct vmspace *vm, bsdvm_addr_t addr, size_t len)
{
	struct known *k;

	if (nknown == MAX_KNOWN) {
		fprintf(stderr, "too many known ranges\n");
		exit(2);
	}
	k = &known[nknown++];
	k->vm = vm;
	k->addr = addr;
	k->len = len;
	k->data = calloc(1, len);
	if (k->data == NULL)
		exit(2);
	return k;
}

/* Writes len bytes of a pattern at addr and remembers them. */
static void put(struct vmspace *vm, bsdvm_addr_t addr, size_t len, uint64_t seed)
{
	struct known *k = know(vm, addr, len);
	size_t done = 0;
	int rv;

	fill(k->data, len, seed);
	rv = bsdvm_copyout(vm, k->data, addr, len, &done);
	if (rv != KERN_SUCCESS || done != len) {
		fprintf(stderr, "setup copyout at %#llx failed: %s\n", ULL(addr), bsdvm_kern_name(rv));
		exit(2);
	}
}

/* Remembers what [addr, addr + len) holds now (zeros, a file, ...). */
static void remember(struct vmspace *vm, bsdvm_addr_t addr, size_t len)
{
	struct known *k = know(vm, addr, len);
	int rv = bsdvm_copyin(vm, addr, k->data, len, NULL);

	if (rv != KERN_SUCCESS) {
		fprintf(stderr, "setup copyin at %#llx failed: %s\n", ULL(addr), bsdvm_kern_name(rv));
		exit(2);
	}
}

static void forget_all(void)
{
	unsigned i;

	for (i = 0; i < nknown; i++)
		free(known[i].data);
	nknown = 0;
}

/* Every remembered byte must read back (of every vmspace or only of vm). */
static bool check_known(struct vmspace *only, const char *when)
{
	uint8_t *buf;
	unsigned i;
	bool ok = true;

	for (i = 0; i < nknown; i++) {
		struct known *k = &known[i];
		size_t done = 0;
		int rv;

		if (only != NULL && k->vm != only)
			continue;
		buf = malloc(k->len);
		if (buf == NULL)
			exit(2);
		rv = bsdvm_copyin(k->vm, k->addr, buf, k->len, &done);
		if (rv != KERN_SUCCESS || done != k->len || memcmp(buf, k->data, k->len) != 0) {
			size_t j = 0;

			while (j < done && buf[j] == k->data[j])
				j++;
			fprintf(stderr, "%s: bytes at %#llx (+%zu of %zu) differ or cannot be read"
			    " (%s, done %zu)\n", when, ULL(k->addr), j, k->len, bsdvm_kern_name(rv),
			    done);
			ok = false;
		}
		free(buf);
	}
	CHECK(ok);
	return ok;
}

/* ------------------------------------------------------------------ */
/* Listings of the involved maps */

#define MAX_MAPS 4

/*
 * How listings are compared: as test_map_listing() prints them, except
 *  - the entries inside [skip_lo, skip_hi) are left out (a fault that grows
 *    a stack before a later allocation fails may leave the stack grown: a
 *    finished step, as in FreeBSD);
 *  - snap_same() can leave out the NEEDS_COPY flag of the entries meeting
 *    a range: a fault that completed a page there keeps the amap holding
 *    it, and that flag only says whether the entry has its amap yet.
 *    BSDVM_ALLOC_FAIL_LOOSE=1 leaves it out everywhere.
 */
struct cmp {
	bsdvm_addr_t skip_lo, skip_hi;
};

static const struct cmp EXACT = { 0, 0 };

struct lbuf {
	char *s;
	size_t len, cap;
	const struct cmp *cmp;
};

static int lbuf_one(void *arg, const struct bsdvm_region *r)
{
	struct lbuf *l = arg;
	char line[200];
	int n;

	if (r->start >= l->cmp->skip_lo && r->end <= l->cmp->skip_hi)
		return 0;
	n = snprintf(line, sizeof(line), "%016llx-%016llx p%x m%x i%u a%u f%08x w%d o%p+%llx\n",
	    ULL(r->start), ULL(r->end), r->protection, r->max_protection, r->inheritance,
	    r->advice, r->eflags, (int)r->wired_count, (void *)r->object, ULL(r->offset));
	if (l->len + (size_t)n + 1 > l->cap) {
		l->cap = (l->cap + (size_t)n + 1) * 2;
		l->s = realloc(l->s, l->cap);
		if (l->s == NULL)
			exit(2);
	}
	memcpy(l->s + l->len, line, (size_t)n + 1);
	l->len += (size_t)n;
	return 0;
}

static char *listing(struct vm_map *map, const struct cmp *cmp)
{
	struct lbuf l = { NULL, 0, 0, cmp };

	l.s = calloc(1, 1);
	l.cap = 1;
	if (l.s == NULL)
		exit(2);
	bsdvm_map_foreach(map, lbuf_one, &l);
	return l.s;
}

/* Clears NEEDS_COPY in the lines of entries meeting [lo, hi). */
static void mask_needs_copy(char *list, bsdvm_addr_t lo, bsdvm_addr_t hi)
{
	char *line = list;

	while (*line != '\0') {
		char *nl = strchr(line, '\n'), *f = strstr(line, " f");
		unsigned long long a = strtoull(line, NULL, 16), b = strtoull(line + 17, NULL, 16);

		if (f != NULL && (nl == NULL || f < nl) && a < hi && b > lo) {
			uint32_t fl = (uint32_t)strtoul(f + 2, NULL, 16) & ~MAP_ENTRY_NEEDS_COPY;
			char hex[16];

			snprintf(hex, sizeof(hex), "%08x", (unsigned)fl);
			memcpy(f + 2, hex, 8);
		}
		if (nl == NULL)
			break;
		line = nl + 1;
	}
}

struct snap {
	struct vm_map *maps[MAX_MAPS];
	char *list[MAX_MAPS];
	unsigned n;
	int64_t live;
	struct bsdvm_sys_stats st;
	const struct cmp *cmp;
};

static void snap_take(struct snap *s, struct bsdvm_sys *sys, struct vm_map *m0,
    struct vm_map *m1, const struct cmp *cmp)
{
	struct vm_map *m[2] = { m0, m1 };
	unsigned i;

	s->n = 0;
	s->cmp = cmp;
	for (i = 0; i < 2; i++) {
		if (m[i] == NULL)
			continue;
		s->maps[s->n] = m[i];
		s->list[s->n] = listing(m[i], cmp);
		s->n++;
	}
	if (sys != NULL)
		bsdvm_sys_get_stats(sys, &s->st);
	s->live = bsdvm_alloc_live_bytes();
}

static void snap_free(struct snap *s)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		free(s->list[i]);
	s->n = 0;
}

/* The listings (NEEDS_COPY aside in entries meeting [nc_lo, nc_hi)) and
 * the checker; with exact, also the allocator's bytes. */
static bool snap_same_nc(const struct snap *s, const char *what, uint64_t k, bool exact,
    bsdvm_addr_t nc_lo, bsdvm_addr_t nc_hi)
{
	const char *lv = getenv("BSDVM_ALLOC_FAIL_LOOSE");
	unsigned i;
	bool ok = true;

	if (lv != NULL && *lv != '\0' && *lv != '0') {
		nc_lo = 0;
		nc_hi = ~(bsdvm_addr_t)0;
	}
	for (i = 0; i < s->n; i++) {
		char *now = listing(s->maps[i], s->cmp), *was = strdup(s->list[i]), why[256];

		if (was == NULL)
			exit(2);
		if (nc_lo < nc_hi) {
			mask_needs_copy(now, nc_lo, nc_hi);
			mask_needs_copy(was, nc_lo, nc_hi);
		}
		if (strcmp(now, was) != 0) {
			fprintf(stderr, "%s, k = %llu: map %u listed differently\nbefore:\n%safter:\n%s",
			    what, ULL(k), i, was, now);
			ok = false;
		}
		free(now);
		free(was);
		if (!bsdvm_map_check(s->maps[i], why, sizeof(why))) {
			fprintf(stderr, "%s, k = %llu: map %u: %s\n", what, ULL(k), i, why);
			ok = false;
		}
	}
	if (exact && bsdvm_alloc_live_bytes() != s->live) {
		fprintf(stderr, "%s, k = %llu: %lld bytes still allocated by the failed attempt\n",
		    what, ULL(k), (long long)(bsdvm_alloc_live_bytes() - s->live));
		ok = false;
	}
	CHECK(ok);
	return ok;
}

static bool snap_same(const struct snap *s, const char *what, uint64_t k, bool exact)
{
	return snap_same_nc(s, what, k, exact, 0, 0);
}

/* ------------------------------------------------------------------ */
/* Building states */

static struct bsdvm_sys *new_sys(uint64_t frames, uint64_t swap)
{
	struct bsdvm_sys_params p = { .frames = frames, .swap_pages = swap };
	struct bsdvm_sys *sys = NULL;

	if (bsdvm_sys_create(&p, &sys) != KERN_SUCCESS) {
		fprintf(stderr, "bsdvm_sys_create failed\n");
		exit(2);
	}
	return sys;
}

static struct vmspace *new_vm(struct bsdvm_sys *sys)
{
	struct vmspace *vm = NULL;

	if (bsdvm_vmspace_create(sys, 0x10000, 0x40000000, 0, &vm) != KERN_SUCCESS) {
		fprintf(stderr, "bsdvm_vmspace_create failed\n");
		exit(2);
	}
	/* no spare entries: every operation must allocate what it needs */
	bsdvm_map_set_entry_cache(bsdvm_vmspace_map(vm), 0);
	return vm;
}

static void must(int rv, const char *what)
{
	if (rv != KERN_SUCCESS) {
		fprintf(stderr, "setup: %s failed: %s\n", what, bsdvm_kern_name(rv));
		exit(2);
	}
}

static void map_at(struct vmspace *vm, bsdvm_addr_t addr, size_t pages, bsdvm_prot_t prot,
    uint32_t flags, struct vm_object *obj)
{
	bsdvm_addr_t a = addr;

	must(bsdvm_vmspace_mmap(vm, &a, pages * PG, prot, VM_PROT_ALL,
	    flags | BSDVM_MAPF_FIXED | BSDVM_MAPF_NOMERGE, obj, 0), "mmap");
}

/* A temporary file of `pages` pages of a known pattern; returns its fd. */
static int temp_file(size_t pages, uint64_t seed)
{
	char path[] = "/tmp/bsdvm_alloc_fail_XXXXXX";
	uint8_t *data = malloc(pages * PG);
	int fd = mkstemp(path);

	if (fd < 0 || data == NULL) {
		fprintf(stderr, "cannot create a temporary file\n");
		exit(2);
	}
	unlink(path);
	fill(data, pages * PG, seed);
	if (write(fd, data, pages * PG) != (ssize_t)(pages * PG)) {
		fprintf(stderr, "cannot write the temporary file\n");
		exit(2);
	}
	free(data);
	return fd;
}

static struct vm_object *file_object(struct bsdvm_sys *sys, int fd, size_t pages)
{
	struct vm_object *obj = NULL;

	must(bsdvm_object_file(sys, fd, pages * PG, true, &obj), "bsdvm_object_file");
	return obj;
}

/*
 * The parent every fork case starts from (addresses in pages of PG):
 *   0x100  8 pages private anon, written
 *   0x200  4 pages shared anon (MAPF_SHARED), written
 *   0x300  4 pages private anon, written and wired
 *   0x400  4 pages private mapping of a file, read; page 1 written
 *   0x500  4 pages shared mapping of the same file, page 0 written
 *   0x600  2 pages private anon inherited SHARE, written
 *   0x700  2 pages private anon inherited ZERO, written
 *   0x800  2 pages private anon inherited NONE, written
 *   0x900  4 pages private anon never touched
 *   0xa00  2 pages of an anonymous object mapped shared, written
 *   0xb00  a 64-page stack growing down (stack entry and its gap), written
 *   0xc00  2 pages read-only private anon, read (zero-filled)
 * With untouched_share, also:
 *   0xd00  2 pages private anon inherited SHARE, never touched (fork must
 *          give it an amap, bookkeeping that may stay after a failure)
 */
static struct vmspace *build_parent(struct bsdvm_sys *sys, int fd, bool untouched_share)
{
	struct vmspace *vm = new_vm(sys);
	struct vm_map *map = bsdvm_vmspace_map(vm);
	struct vm_object *obj;

	map_at(vm, 0x100 * PG, 8, VM_PROT_RW, 0, NULL);
	put(vm, 0x100 * PG, 8 * PG, 1);
	map_at(vm, 0x200 * PG, 4, VM_PROT_RW, BSDVM_MAPF_SHARED, NULL);
	put(vm, 0x200 * PG + 100, 3 * PG, 2);
	map_at(vm, 0x300 * PG, 4, VM_PROT_RW, 0, NULL);
	must(bsdvm_map_wire(map, 0x300 * PG, 0x304 * PG, 0), "wire");
	put(vm, 0x300 * PG, 4 * PG, 3);
	obj = file_object(sys, fd, 4);
	map_at(vm, 0x400 * PG, 4, VM_PROT_RW, 0, obj);
	map_at(vm, 0x500 * PG, 4, VM_PROT_RW, BSDVM_MAPF_SHARED, obj);
	bsdvm_object_deallocate(obj); /* the mappings hold their own references */
	put(vm, 0x500 * PG, PG, 5);
	remember(vm, 0x400 * PG, PG);
	put(vm, 0x401 * PG, PG, 4);
	remember(vm, 0x402 * PG, 2 * PG);
	remember(vm, 0x501 * PG, 3 * PG);
	map_at(vm, 0x600 * PG, 2, VM_PROT_RW, 0, NULL);
	must(bsdvm_map_inherit(map, 0x600 * PG, 0x602 * PG, VM_INHERIT_SHARE), "inherit");
	put(vm, 0x600 * PG, 2 * PG, 6);
	map_at(vm, 0x700 * PG, 2, VM_PROT_RW, 0, NULL);
	must(bsdvm_map_inherit(map, 0x700 * PG, 0x702 * PG, VM_INHERIT_ZERO), "inherit");
	put(vm, 0x700 * PG, 2 * PG, 7);
	map_at(vm, 0x800 * PG, 2, VM_PROT_RW, 0, NULL);
	must(bsdvm_map_inherit(map, 0x800 * PG, 0x802 * PG, VM_INHERIT_NONE), "inherit");
	put(vm, 0x800 * PG, 2 * PG, 8);
	map_at(vm, 0x900 * PG, 4, VM_PROT_RW, 0, NULL);
	must(bsdvm_object_anon(sys, 2 * PG, &obj), "bsdvm_object_anon");
	map_at(vm, 0xa00 * PG, 2, VM_PROT_RW, BSDVM_MAPF_SHARED, obj);
	bsdvm_object_deallocate(obj);
	put(vm, 0xa00 * PG, 2 * PG, 10);
	must(bsdvm_map_stack(map, 0xb00 * PG, 64 * PG, VM_PROT_RW, VM_PROT_RW,
	    MAP_ENTRY_GROWS_DOWN), "stack");
	put(vm, 0xb3c * PG, 4 * PG, 11);
	map_at(vm, 0xc00 * PG, 2, VM_PROT_READ, 0, NULL);
	remember(vm, 0xc00 * PG, 2 * PG);
	if (untouched_share) {
		map_at(vm, 0xd00 * PG, 2, VM_PROT_RW, 0, NULL);
		must(bsdvm_map_inherit(map, 0xd00 * PG, 0xd02 * PG, VM_INHERIT_SHARE), "inherit");
	}
	return vm;
}

/* ------------------------------------------------------------------ */
/* Cases */

static void case_sys_create(void)
{
	struct bsdvm_sys_params p = { .frames = 64, .swap_pages = 128 };
	unsigned points = 0;
	uint64_t k;

	for (k = 1; k <= K_MAX; k++) {
		struct bsdvm_sys *sys = NULL;
		int64_t live = bsdvm_alloc_live_bytes();
		bool inj;
		int rv;

		arm(k);
		rv = bsdvm_sys_create(&p, &sys);
		inj = disarm();
		if (rv == KERN_SUCCESS) {
			if (inj)
				note_absorbed("bsdvm_sys_create", k);
			bsdvm_sys_destroy(sys);
			CHECK(bsdvm_alloc_live_bytes() == live);
			break;
		}
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(inj);
		CHECK(sys == NULL);
		CHECK(bsdvm_alloc_live_bytes() == live);
		points++;
	}
	CHECK(k <= K_MAX);
	report("bsdvm_sys_create", points);
}

static void case_vmspace_create(void)
{
	struct bsdvm_sys *sys = new_sys(64, 128);
	struct bsdvm_sys_stats st0, st1;
	unsigned points = 0;
	uint64_t k;

	bsdvm_sys_get_stats(sys, &st0);
	for (k = 1; k <= K_MAX; k++) {
		struct vmspace *vm = (struct vmspace *)&points; /* must stay untouched */
		int64_t live = bsdvm_alloc_live_bytes();
		bool inj;
		int rv;

		arm(k);
		rv = bsdvm_vmspace_create(sys, 0x10000, 0x40000000, BSDVM_MAP_TOPDOWN, &vm);
		inj = disarm();
		if (rv == KERN_SUCCESS) {
			if (inj)
				note_absorbed("bsdvm_vmspace_create", k);
			CHECK_MAP(bsdvm_vmspace_map(vm));
			bsdvm_vmspace_free(vm);
			CHECK(bsdvm_alloc_live_bytes() == live);
			break;
		}
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(inj);
		CHECK(vm == (struct vmspace *)&points);
		CHECK(bsdvm_alloc_live_bytes() == live);
		bsdvm_sys_get_stats(sys, &st1);
		CHECK_EQ_U64(st1.vmspaces, st0.vmspaces);
		points++;
	}
	CHECK(k <= K_MAX);
	bsdvm_sys_destroy(sys);
	report("bsdvm_vmspace_create", points);
}

/* The child of a successful fork of build_parent's vmspace. */
static void check_child(struct vmspace *parent, struct vmspace *child)
{
	uint8_t a[PG], b[PG], z[PG];
	size_t done;
	unsigned i;

	memset(z, 0, sizeof(z));
	CHECK_MAP(bsdvm_vmspace_map(child));
	/* COPY and SHARE: the parent's bytes */
	CHECK_KERN(bsdvm_copyin(child, 0x100 * PG, a, PG, NULL), KERN_SUCCESS);
	CHECK_KERN(bsdvm_copyin(parent, 0x100 * PG, b, PG, NULL), KERN_SUCCESS);
	CHECK(memcmp(a, b, PG) == 0);
	CHECK_KERN(bsdvm_copyin(child, 0x303 * PG, a, PG, NULL), KERN_SUCCESS);
	CHECK_KERN(bsdvm_copyin(parent, 0x303 * PG, b, PG, NULL), KERN_SUCCESS);
	CHECK(memcmp(a, b, PG) == 0);
	CHECK_KERN(bsdvm_copyin(child, 0x401 * PG, a, PG, NULL), KERN_SUCCESS);
	CHECK_KERN(bsdvm_copyin(parent, 0x401 * PG, b, PG, NULL), KERN_SUCCESS);
	CHECK(memcmp(a, b, PG) == 0);
	/* ZERO: zeros; NONE: a hole */
	CHECK_KERN(bsdvm_copyin(child, 0x700 * PG, a, PG, NULL), KERN_SUCCESS);
	CHECK(memcmp(a, z, PG) == 0);
	CHECK_KERN(bsdvm_copyin(child, 0x800 * PG, a, 1, &done), KERN_INVALID_ADDRESS);
	/* a COPY write stays in the child, a SHARE write reaches the parent */
	memset(a, 0x5a, 16);
	CHECK_KERN(bsdvm_copyout(child, a, 0x100 * PG, 16, NULL), KERN_SUCCESS);
	CHECK_KERN(bsdvm_copyin(parent, 0x100 * PG, b, 16, NULL), KERN_SUCCESS);
	CHECK(memcmp(a, b, 16) != 0);
	CHECK_KERN(bsdvm_copyout(child, a, 0x600 * PG + 8, 16, NULL), KERN_SUCCESS);
	CHECK_KERN(bsdvm_copyin(parent, 0x600 * PG + 8, b, 16, NULL), KERN_SUCCESS);
	CHECK(memcmp(a, b, 16) == 0);
	for (i = 0; i < nknown; i++)
		if (known[i].vm == parent && known[i].addr == 0x600 * PG)
			memcpy(known[i].data + 8, a, 16);
}

/* After a failed fork: the parent's private pages must not have become
 * shared copy-on-write; a write takes its page over without a copy. */
static void check_parent_works(struct bsdvm_sys *sys, struct vmspace *parent, uint64_t k)
{
	struct bsdvm_sys_stats s0, s1;
	uint8_t v[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, w[8];
	struct known *kn = NULL;
	unsigned i;

	for (i = 0; i < nknown; i++)
		if (known[i].vm == parent && known[i].addr == 0x100 * PG)
			kn = &known[i];
	bsdvm_sys_get_stats(sys, &s0);
	CHECK_KERN(bsdvm_copyout(parent, v, 0x100 * PG + 40, sizeof(v), NULL), KERN_SUCCESS);
	CHECK_KERN(bsdvm_copyout(parent, v, 0x303 * PG + 40, sizeof(v), NULL), KERN_SUCCESS);
	bsdvm_sys_get_stats(sys, &s1);
	if (s1.cow_copies != s0.cow_copies)
		fprintf(stderr, "fork, k = %llu: after the failed fork the parent's write copied"
		    " %llu pages (they stayed shared)\n", ULL(k), ULL(s1.cow_copies - s0.cow_copies));
	CHECK_EQ_U64(s1.cow_copies, s0.cow_copies);
	CHECK_KERN(bsdvm_copyin(parent, 0x100 * PG + 40, w, sizeof(w), NULL), KERN_SUCCESS);
	CHECK(memcmp(v, w, sizeof(v)) == 0);
	if (kn != NULL)
		memcpy(kn->data + 40, v, sizeof(v));
	for (i = 0; i < nknown; i++)
		if (known[i].vm == parent && known[i].addr == 0x300 * PG)
			memcpy(known[i].data + 3 * PG + 40, v, sizeof(v));
}

static void case_fork(bool untouched_share)
{
	const char *name = untouched_share ? "bsdvm_vmspace_fork (an untouched SHARE entry)"
					   : "bsdvm_vmspace_fork";
	struct bsdvm_sys *sys = new_sys(256, 512);
	int fd = temp_file(4, 99);
	struct vmspace *parent = build_parent(sys, fd, untouched_share);
	struct vm_map *pmap = bsdvm_vmspace_map(parent);
	unsigned points = 0;
	uint64_t k;

	for (k = 1; k <= K_MAX; k++) {
		struct vmspace *child = (struct vmspace *)&points;
		struct snap s;
		bool inj;
		int rv;

		snap_take(&s, sys, pmap, NULL, &EXACT);
		arm(k);
		rv = bsdvm_vmspace_fork(parent, &child);
		inj = disarm();
		if (rv == KERN_SUCCESS) {
			if (inj)
				note_absorbed(name, k);
			check_known(parent, name);
			check_child(parent, child);
			bsdvm_vmspace_free(child);
			snap_free(&s);
			break;
		}
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(inj);
		CHECK(child == (struct vmspace *)&points);
		if (untouched_share) {
			/* the parent may have got its amap; nothing else may stay */
			struct bsdvm_sys_stats st;

			bsdvm_sys_get_stats(sys, &st);
			snap_same(&s, name, k, false);
			CHECK_EQ_U64(st.vmspaces, s.st.vmspaces);
			CHECK_EQ_U64(st.anons, s.st.anons);
			CHECK_EQ_U64(st.objects, s.st.objects);
			CHECK(st.amaps <= s.st.amaps + 1);
		} else {
			snap_same(&s, name, k, true);
		}
		check_known(parent, name);
		check_parent_works(sys, parent, k);
		snap_free(&s);
		points++;
	}
	CHECK(k <= K_MAX);
	check_known(NULL, name);
	bsdvm_vmspace_free(parent);
	forget_all();
	bsdvm_sys_destroy(sys);
	close(fd);
	report(name, points);
}

/* A pager over memory: counts its releases. */
struct mpager {
	uint8_t data[2 * PG];
	unsigned releases;
};

static int mp_read(void *ctx, bsdvm_off_t off, void *buf, size_t len, size_t *got)
{
	struct mpager *mp = ctx;
	size_t n = off >= sizeof(mp->data) ? 0 : sizeof(mp->data) - (size_t)off;

	if (n > len)
		n = len;
	memcpy(buf, mp->data + off, n);
	*got = n;
	return KERN_SUCCESS;
}

static int mp_write(void *ctx, bsdvm_off_t off, const void *buf, size_t len)
{
	struct mpager *mp = ctx;

	if (off > sizeof(mp->data) || len > sizeof(mp->data) - off)
		return KERN_FAILURE;
	memcpy(mp->data + off, buf, len);
	return KERN_SUCCESS;
}

static void mp_release(void *ctx)
{
	((struct mpager *)ctx)->releases++;
}

static const struct bsdvm_pager_ops mp_ops = { mp_read, mp_write, NULL, mp_release };

/* bsdvm_object_pager: on failure the ctx stays the caller's (no release). */
static void case_pager(void)
{
	const char *name = "bsdvm_object_pager";
	struct bsdvm_sys *sys = new_sys(64, 128);
	struct mpager *mp = calloc(1, sizeof(*mp));
	unsigned points = 0;
	uint64_t k;

	if (mp == NULL)
		exit(2);
	fill(mp->data, sizeof(mp->data), 71);
	for (k = 1; k <= K_MAX; k++) {
		struct vm_object *obj = NULL;
		int64_t live = bsdvm_alloc_live_bytes();
		bool inj;
		int rv;

		arm(k);
		rv = bsdvm_object_pager(sys, &mp_ops, mp, sizeof(mp->data), true, &obj);
		inj = disarm();
		if (rv == KERN_SUCCESS) {
			struct vmspace *vm = new_vm(sys);
			uint8_t b[16], x[16];

			if (inj)
				note_absorbed(name, k);
			/* the pager's bytes come through, and a shared write goes back */
			map_at(vm, 0x100 * PG, 2, VM_PROT_RW, BSDVM_MAPF_SHARED, obj);
			CHECK_KERN(bsdvm_copyin(vm, 0x101 * PG + 3, b, sizeof(b), NULL), KERN_SUCCESS);
			CHECK(memcmp(b, mp->data + PG + 3, sizeof(b)) == 0);
			memset(x, 0x77, sizeof(x));
			CHECK_KERN(bsdvm_copyout(vm, x, 0x100 * PG, sizeof(x), NULL), KERN_SUCCESS);
			bsdvm_vmspace_free(vm);
			CHECK(mp->releases == 0);
			bsdvm_object_deallocate(obj);
			CHECK(mp->releases == 1);
			CHECK(memcmp(mp->data, x, sizeof(x)) == 0);
			CHECK(bsdvm_alloc_live_bytes() == live);
			break;
		}
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(inj);
		CHECK(mp->releases == 0);
		CHECK(bsdvm_alloc_live_bytes() == live);
		points++;
	}
	CHECK(k <= K_MAX);
	free(mp);
	bsdvm_sys_destroy(sys);
	report(name, points);
}

/* Range operations on a vmspace: each must clip entries that carry an
 * amap, an object or a wiring (the memory layer's split hooks). */
enum range_kind { R_PROTECT, R_INHERIT, R_DELETE, R_WIRE, R_UNWIRE };

static void case_range(enum range_kind kind)
{
	static const char *const names[] = {
		"bsdvm_map_protect (vmspace, clipping)", "bsdvm_map_inherit (vmspace, clipping)",
		"bsdvm_map_delete (vmspace, clipping)", "bsdvm_map_wire (resident, clipping)",
		"bsdvm_map_unwire (clipping)",
	};
	const char *name = names[kind];
	struct bsdvm_sys *sys = new_sys(256, 512);
	int fd = temp_file(4, 99);
	struct vmspace *vm = build_parent(sys, fd, false);
	struct vm_map *map = bsdvm_vmspace_map(vm);
	unsigned points = 0, i;
	uint64_t k;

	for (k = 1; k <= K_MAX; k++) {
		struct snap s;
		bool inj;
		int rv;

		snap_take(&s, sys, map, NULL, &EXACT);
		arm(k);
		switch (kind) {
		case R_PROTECT: /* the middle of the 8-page private entry */
			rv = bsdvm_map_protect(map, 0x102 * PG, 0x104 * PG, VM_PROT_READ, 0,
			    BSDVM_PROTECT_SET_PROT);
			break;
		case R_INHERIT: /* the middle of the file mappings */
			rv = bsdvm_map_inherit(map, 0x401 * PG, 0x502 * PG, VM_INHERIT_NONE);
			break;
		case R_DELETE:
			rv = bsdvm_map_delete(map, 0x105 * PG, 0x106 * PG);
			break;
		case R_WIRE:
			rv = bsdvm_map_wire(map, 0x101 * PG, 0x102 * PG, 0);
			break;
		default:
			rv = bsdvm_map_unwire(map, 0x301 * PG, 0x302 * PG, 0);
			break;
		}
		inj = disarm();
		if (rv == KERN_SUCCESS) {
			if (inj)
				note_absorbed(name, k);
			CHECK_MAP(map);
			snap_free(&s);
			break;
		}
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(inj);
		snap_same(&s, name, k, true);
		check_known(vm, name);
		snap_free(&s);
		points++;
	}
	CHECK(k <= K_MAX);
	if (kind == R_DELETE) {
		/* the page deleted is a hole now; the rest is intact */
		for (i = 0; i < nknown; i++)
			if (known[i].addr == 0x100 * PG)
				known[i].len = 5 * PG;
		CHECK_KERN(bsdvm_copyin(vm, 0x105 * PG, &i, 1, NULL), KERN_INVALID_ADDRESS);
	}
	check_known(vm, name);
	bsdvm_vmspace_free(vm);
	forget_all();
	bsdvm_sys_destroy(sys);
	close(fd);
	report(name, points);
}

/* mmap of one kind into a vmspace with some entries. */
static void case_mmap(const char *name, uint32_t flags, bool with_file, bool fixed)
{
	struct bsdvm_sys *sys = new_sys(64, 128);
	int fd = temp_file(4, 7);
	struct vmspace *vm = new_vm(sys);
	struct vm_map *map = bsdvm_vmspace_map(vm);
	struct vm_object *obj = with_file ? file_object(sys, fd, 4) : NULL;
	unsigned points = 0, refs = obj != NULL ? bsdvm_object_refcount(obj) : 0;
	uint64_t k;

	map_at(vm, 0x100 * PG, 4, VM_PROT_RW, 0, NULL);
	put(vm, 0x100 * PG, 4 * PG, 21);
	map_at(vm, 0x108 * PG, 4, VM_PROT_RW, 0, NULL);
	put(vm, 0x108 * PG, 4 * PG, 22);
	for (k = 1; k <= K_MAX; k++) {
		bsdvm_addr_t addr = fixed ? 0x102 * PG : 0x104 * PG;
		struct snap s;
		bool inj;
		int rv;

		snap_take(&s, sys, map, NULL, &EXACT);
		arm(k);
		/* fixed: replaces half of the first entry (a clip and a removal) */
		rv = bsdvm_vmspace_mmap(vm, &addr, 4 * PG, VM_PROT_RW, VM_PROT_ALL,
		    flags | (fixed ? BSDVM_MAPF_FIXED : 0), obj, 0);
		inj = disarm();
		if (rv == KERN_SUCCESS) {
			uint8_t b[16];

			if (inj)
				note_absorbed(name, k);
			CHECK_EQ_U64(addr, fixed ? 0x102 * PG : 0x104 * PG);
			CHECK_MAP(map);
			CHECK_KERN(bsdvm_copyin(vm, addr, b, sizeof(b), NULL), KERN_SUCCESS);
			snap_free(&s);
			break;
		}
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(inj);
		CHECK_EQ_U64(addr, fixed ? 0x102 * PG : 0x104 * PG);
		snap_same(&s, name, k, true);
		if (obj != NULL)
			CHECK_EQ_U64(bsdvm_object_refcount(obj), refs);
		check_known(vm, name);
		snap_free(&s);
		points++;
	}
	CHECK(k <= K_MAX);
	if (fixed) {
		/* the replaced half is gone; the rest is intact */
		known[0].len = 2 * PG;
	}
	check_known(vm, name);
	if (obj != NULL)
		bsdvm_object_deallocate(obj);
	bsdvm_vmspace_free(vm);
	forget_all();
	bsdvm_sys_destroy(sys);
	close(fd);
	report(name, points);
}

static void case_object(bool file)
{
	const char *name = file ? "bsdvm_object_file" : "bsdvm_object_anon";
	struct bsdvm_sys *sys = new_sys(64, 128);
	int fd = temp_file(2, 3);
	unsigned points = 0;
	uint64_t k;

	for (k = 1; k <= K_MAX; k++) {
		struct vm_object *obj = NULL;
		int64_t live = bsdvm_alloc_live_bytes();
		bool inj;
		int rv;

		arm(k);
		rv = file ? bsdvm_object_file(sys, fd, 2 * PG, false, &obj)
			  : bsdvm_object_anon(sys, 16 * PG, &obj);
		inj = disarm();
		if (rv == KERN_SUCCESS) {
			if (inj)
				note_absorbed(name, k);
			bsdvm_object_deallocate(obj);
			CHECK(bsdvm_alloc_live_bytes() == live);
			break;
		}
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(inj);
		CHECK(bsdvm_alloc_live_bytes() == live);
		points++;
	}
	CHECK(k <= K_MAX);
	bsdvm_sys_destroy(sys);
	close(fd);
	report(name, points);
}

/*
 * Faults and wiring.  The state (pages of PG; entries contiguous and
 * unmergeable):
 *   0x100  2 pages private anon, never touched (first touch: amap, anon,
 *          pmap entry)
 *   0x102  2 pages private anon, written, then forked: copy-on-write
 *   0x104  2 pages private mapping of a file, never touched
 *   0x106  2 pages of a shared anonymous object, never touched
 *   0x108  a growing-down stack reservation of 64 pages: its gap
 *          [0x108, 0x128) (0x108 the guard page), the stack [0x128, 0x148)
 * The child of the fork stays alive, so the pages at 0x102 stay shared;
 * its copy is remembered and checked too.  img holds what [0x100, 0x108)
 * must read, without touching it.
 */
#define FBASE (0x100 * PG)
#define FPAGES 8

struct fstate {
	struct bsdvm_sys *sys;
	struct vmspace *vm, *child;
	int fd;
	uint8_t img[FPAGES * PG];
};

static void fstate_build(struct fstate *f)
{
	struct vm_object *obj;
	struct known *kc;

	f->sys = new_sys(64, 256);
	f->fd = temp_file(2, 31);
	f->vm = new_vm(f->sys);
	memset(f->img, 0, sizeof(f->img));
	map_at(f->vm, 0x100 * PG, 2, VM_PROT_RW, 0, NULL);
	map_at(f->vm, 0x102 * PG, 2, VM_PROT_RW, 0, NULL);
	obj = file_object(f->sys, f->fd, 2);
	map_at(f->vm, 0x104 * PG, 2, VM_PROT_RW, 0, obj);
	bsdvm_object_deallocate(obj);
	fill(f->img + 4 * PG, 2 * PG, 31); /* the file's bytes */
	must(bsdvm_object_anon(f->sys, 2 * PG, &obj), "bsdvm_object_anon");
	map_at(f->vm, 0x106 * PG, 2, VM_PROT_RW, BSDVM_MAPF_SHARED, obj);
	bsdvm_object_deallocate(obj);
	must(bsdvm_map_stack(bsdvm_vmspace_map(f->vm), 0x108 * PG, 64 * PG, VM_PROT_RW,
	    VM_PROT_RW, MAP_ENTRY_GROWS_DOWN), "stack");
	fill(f->img + 2 * PG, 2 * PG, 41);
	if (bsdvm_copyout(f->vm, f->img + 2 * PG, 0x102 * PG, 2 * PG, NULL) != KERN_SUCCESS)
		exit(2);
	must(bsdvm_vmspace_fork(f->vm, &f->child), "fork");
	bsdvm_map_set_entry_cache(bsdvm_vmspace_map(f->child), 0);
	kc = know(f->child, 0x102 * PG, 2 * PG);
	memcpy(kc->data, f->img + 2 * PG, 2 * PG);
}

static void fstate_free(struct fstate *f)
{
	bsdvm_vmspace_free(f->child);
	bsdvm_vmspace_free(f->vm);
	forget_all();
	bsdvm_sys_destroy(f->sys);
	close(f->fd);
}

/* [FBASE, FBASE + FPAGES pages) must read as img. */
static bool check_img(struct fstate *f, const char *what, uint64_t k)
{
	uint8_t *buf = malloc(FPAGES * PG);
	size_t done = 0;
	bool ok;
	int rv;

	if (buf == NULL)
		exit(2);
	rv = bsdvm_copyin(f->vm, FBASE, buf, FPAGES * PG, &done);
	ok = rv == KERN_SUCCESS && memcmp(buf, f->img, FPAGES * PG) == 0;
	if (!ok) {
		size_t j = 0;

		while (j < done && buf[j] == f->img[j])
			j++;
		fprintf(stderr, "%s, k = %llu: bytes differ at %#llx (%s, done %zu)\n", what,
		    ULL(k), ULL(FBASE + j), bsdvm_kern_name(rv), done);
	}
	CHECK(ok);
	free(buf);
	return ok;
}

enum fkind { F_WRITE, F_READ, F_WIRE };

struct fault_op {
	const char *name;
	enum fkind kind;
	bsdvm_addr_t addr;
	size_t len;
};

static const struct fault_op fault_ops[] = {
	{ "copyout: first touch of private memory", F_WRITE, 0x100 * PG + 8, 2 * PG - 16 },
	{ "copyin: first touch (zero fill)", F_READ, 0x100 * PG, 2 * PG },
	{ "copyout: copy-on-write", F_WRITE, 0x102 * PG + 100, 2 * PG - 200 },
	{ "copyin: private file mapping (read in)", F_READ, 0x104 * PG, 2 * PG },
	{ "copyout: private file mapping (promotion)", F_WRITE, 0x104 * PG + 1, 2 * PG - 2 },
	{ "copyout: shared anonymous object", F_WRITE, 0x106 * PG, 2 * PG },
	{ "copyout: across all four", F_WRITE, 0x100 * PG + 5, 8 * PG - 10 },
	{ "copyin: across all four", F_READ, 0x100 * PG + 5, 8 * PG - 10 },
	{ "copyout: into a stack gap (growth)", F_WRITE, 0x109 * PG + 3, 2 * PG },
	{ "bsdvm_map_wire of all four", F_WIRE, 0x100 * PG, 8 * PG },
};
#define NFAULT_OPS (sizeof(fault_ops) / sizeof(fault_ops[0]))

/* One attempt of o on f with the k-th allocation failing; checks the
 * outcome; true when the operation succeeded. */
static bool fault_attempt(struct fstate *f, const struct fault_op *o, uint64_t k)
{
	struct vm_map *map = bsdvm_vmspace_map(f->vm);
	uint8_t *buf = malloc(o->len), *back = malloc(o->len);
	bool in_img = o->addr + o->len <= FBASE + FPAGES * PG;
	size_t done = 0, off = (size_t)(o->addr - FBASE);
	struct bsdvm_sys_stats st;
	struct snap s;
	bool inj, ok;
	int rv;

	if (buf == NULL || back == NULL)
		exit(2);
	fill(buf, o->len, o->addr + o->len + k);
	struct cmp loose = { 0, 0 };

	if (o->addr >= 0x108 * PG) {
		/* growth may be done before a later allocation fails */
		loose.skip_lo = 0x108 * PG;
		loose.skip_hi = 0x148 * PG;
	}
	snap_take(&s, f->sys, map, bsdvm_vmspace_map(f->child), &loose);
	arm(k);
	switch (o->kind) {
	case F_WRITE:
		rv = bsdvm_copyout(f->vm, buf, o->addr, o->len, &done);
		break;
	case F_READ:
		rv = bsdvm_copyin(f->vm, o->addr, buf, o->len, &done);
		break;
	default:
		rv = bsdvm_map_wire(map, o->addr, o->addr + o->len, BSDVM_WIRE_USER);
		done = rv == KERN_SUCCESS ? o->len : 0;
		break;
	}
	inj = disarm();
	ok = rv == KERN_SUCCESS;
	if (ok && inj)
		note_absorbed(o->name, k);
	if (!ok) {
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(inj);
		/* the pages before the failing one are done, no more */
		CHECK(done < o->len &&
		    (done == 0 || o->kind == F_WIRE || ((o->addr + done) & (PG - 1)) == 0));
		/* a wiring faults pages in before it fails: those stay, as
		 * pages a copy completed do */
		if (o->kind == F_WIRE)
			snap_same_nc(&s, o->name, k, false, o->addr, o->addr + o->len);
		else if (done != 0)
			snap_same_nc(&s, o->name, k, false, o->addr, o->addr + done);
		else
			snap_same(&s, o->name, k, false);
		bsdvm_sys_get_stats(f->sys, &st);
		CHECK_EQ_U64(st.wired, s.st.wired);
	}
	if (in_img) {
		if (o->kind == F_WRITE)
			memcpy(f->img + off, buf, done);
		else if (o->kind == F_READ)
			CHECK(memcmp(buf, f->img + off, done) == 0);
		check_img(f, o->name, k);
	} else if (done != 0) {
		/* the stack: what was written reads back */
		size_t got = 0;

		CHECK_KERN(bsdvm_copyin(f->vm, o->addr, back, done, &got), KERN_SUCCESS);
		CHECK(got == done && memcmp(back, buf, done) == 0);
	}
	check_known(NULL, o->name);
	if (ok && o->kind == F_WIRE) {
		bsdvm_sys_get_stats(f->sys, &st);
		CHECK_EQ_U64(st.wired, s.st.wired + o->len / PG);
		CHECK_KERN(bsdvm_map_unwire(map, o->addr, o->addr + o->len, BSDVM_WIRE_USER),
		    KERN_SUCCESS);
		bsdvm_sys_get_stats(f->sys, &st);
		CHECK_EQ_U64(st.wired, 0);
	}
	snap_free(&s);
	free(buf);
	free(back);
	return ok;
}

static void case_faults(void)
{
	unsigned i;

	for (i = 0; i < NFAULT_OPS; i++) {
		const struct fault_op *o = &fault_ops[i];
		unsigned points = 0, fresh_points = 0;
		char name[120];
		struct fstate f;
		int64_t live0;
		uint64_t k;

		/* one state carried over from attempt to attempt */
		live0 = bsdvm_alloc_live_bytes();
		fstate_build(&f);
		for (k = 1; k <= K_MAX && !fault_attempt(&f, o, k); k++)
			points++;
		CHECK(k <= K_MAX);
		fstate_free(&f);
		CHECK(bsdvm_alloc_live_bytes() == live0);

		/* a fresh state for every k, so that every allocation of the
		 * whole operation is reached; nothing may leak */
		for (k = 1; k <= K_MAX; k++) {
			bool ok;

			fstate_build(&f);
			ok = fault_attempt(&f, o, k);
			fstate_free(&f);
			if (bsdvm_alloc_live_bytes() != live0)
				fprintf(stderr, "%s, k = %llu: %lld bytes leaked\n", o->name, ULL(k),
				    (long long)(bsdvm_alloc_live_bytes() - live0));
			CHECK(bsdvm_alloc_live_bytes() == live0);
			if (ok)
				break;
			fresh_points++;
		}
		CHECK(k <= K_MAX);
		snprintf(name, sizeof(name), "%s (one state)", o->name);
		report(name, points);
		snprintf(name, sizeof(name), "%s (fresh state)", o->name);
		report(name, fresh_points);
	}
}

static void case_stack(void)
{
	const char *name = "bsdvm_map_stack";
	struct bsdvm_sys *sys = new_sys(64, 128);
	struct vmspace *vm = new_vm(sys);
	struct vm_map *map = bsdvm_vmspace_map(vm);
	unsigned points = 0;
	uint64_t k;

	map_at(vm, 0x100 * PG, 2, VM_PROT_RW, 0, NULL);
	put(vm, 0x100 * PG, 2 * PG, 51);
	for (k = 1; k <= K_MAX; k++) {
		struct snap s;
		bool inj;
		int rv;

		snap_take(&s, sys, map, NULL, &EXACT);
		arm(k);
		rv = bsdvm_map_stack(map, 0x200 * PG, 256 * PG, VM_PROT_RW, VM_PROT_ALL,
		    MAP_ENTRY_GROWS_DOWN);
		inj = disarm();
		if (rv == KERN_SUCCESS) {
			if (inj)
				note_absorbed(name, k);
			CHECK_MAP(map);
			snap_free(&s);
			break;
		}
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(inj);
		snap_same(&s, name, k, true);
		check_known(vm, name);
		snap_free(&s);
		points++;
	}
	CHECK(k <= K_MAX);
	report(name, points);

	/* growth by bsdvm_map_growstack into the gap */
	name = "bsdvm_map_growstack";
	points = 0;
	put(vm, 0x2ff * PG, PG, 52);
	for (k = 1; k <= K_MAX; k++) {
		struct bsdvm_stackinfo si0, si1;
		struct snap s;
		bool inj;
		int rv;

		bsdvm_vmspace_get_stackinfo(vm, &si0);
		snap_take(&s, sys, map, NULL, &EXACT);
		arm(k);
		rv = bsdvm_map_growstack(map, 0x250 * PG);
		inj = disarm();
		if (rv == KERN_SUCCESS) {
			struct bsdvm_region r;

			if (inj)
				note_absorbed(name, k);
			CHECK(bsdvm_map_query(map, 0x250 * PG, &r) && !(r.eflags & MAP_ENTRY_GUARD));
			snap_free(&s);
			break;
		}
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(inj);
		snap_same(&s, name, k, true);
		bsdvm_vmspace_get_stackinfo(vm, &si1);
		CHECK(memcmp(&si0, &si1, sizeof(si0)) == 0);
		check_known(vm, name);
		snap_free(&s);
		points++;
	}
	CHECK(k <= K_MAX);
	check_known(vm, name);
	bsdvm_vmspace_free(vm);
	forget_all();
	bsdvm_sys_destroy(sys);
	report(name, points);
}

/* kmem_alloc and uarea_alloc: 0 on failure, the kernel map untouched. */
static void case_kernel(int which)
{
	static const char *const names[] = { "bsdvm_kmem_alloc", "bsdvm_uarea_alloc (user)",
		"bsdvm_uarea_alloc (system)" };
	const char *name = names[which];
	struct bsdvm_sys *sys = new_sys(64, 128);
	struct vmspace *kvm = bsdvm_sys_kernel(sys);
	struct vm_map *kmap = bsdvm_vmspace_map(kvm);
	bsdvm_addr_t keep = bsdvm_kmem_alloc(sys, 3 * PG);
	unsigned points = 0;
	uint64_t k;

	CHECK(keep != 0);
	bsdvm_map_set_entry_cache(kmap, 0);
	if (keep != 0)
		put(kvm, keep, 3 * PG, 61);
	for (k = 1; k <= K_MAX; k++) {
		struct bsdvm_sys_stats st;
		bsdvm_addr_t a;
		struct snap s;
		bool inj;

		snap_take(&s, sys, kmap, NULL, &EXACT);
		arm(k);
		a = which == 0 ? bsdvm_kmem_alloc(sys, 5 * PG) : bsdvm_uarea_alloc(sys, which == 2);
		inj = disarm();
		if (a != 0) {
			uint8_t buf[PG], z[PG];

			if (inj)
				note_absorbed(name, k);
			memset(z, 0, sizeof(z));
			CHECK_KERN(bsdvm_copyin(kvm, a, buf, PG, NULL), KERN_SUCCESS);
			CHECK(memcmp(buf, z, PG) == 0);
			CHECK_MAP(kmap);
			if (which == 0)
				bsdvm_kmem_free(sys, a, 5 * PG);
			else
				bsdvm_uarea_free(sys, a, which == 2);
			snap_same(&s, name, k, false);
			snap_free(&s);
			break;
		}
		CHECK(inj);
		snap_same(&s, name, k, true);
		bsdvm_sys_get_stats(sys, &st);
		CHECK_EQ_U64(st.wired, s.st.wired);
		check_known(kvm, name);
		snap_free(&s);
		points++;
	}
	CHECK(k <= K_MAX);
	check_known(kvm, name);
	if (keep != 0)
		bsdvm_kmem_free(sys, keep, 3 * PG);
	forget_all();
	bsdvm_sys_destroy(sys);
	report(name, points);
}

static void case_proc(bool own_vm)
{
	const char *name = own_vm ? "bsdvm_proc_create (given vmspace)"
				  : "bsdvm_proc_create (new vmspace)";
	struct bsdvm_sys *sys = new_sys(64, 128);
	struct vmspace *vm = own_vm ? new_vm(sys) : NULL;
	unsigned points = 0;
	uint64_t k;

	for (k = 1; k <= K_MAX; k++) {
		struct proc *p = (struct proc *)&points;
		int64_t live = bsdvm_alloc_live_bytes();
		bool inj;
		int rv;

		arm(k);
		rv = bsdvm_proc_create(sys, vm, &p);
		inj = disarm();
		if (rv == KERN_SUCCESS) {
			if (inj)
				note_absorbed(name, k);
			CHECK(bsdvm_proc_vmspace(p) != NULL);
			if (vm != NULL)
				CHECK(bsdvm_vmspace_refcount(vm) == 2);
			bsdvm_proc_destroy(p);
			CHECK(bsdvm_alloc_live_bytes() == live);
			break;
		}
		CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
		CHECK(inj);
		CHECK(p == (struct proc *)&points);
		CHECK(bsdvm_alloc_live_bytes() == live);
		if (vm != NULL)
			CHECK(bsdvm_vmspace_refcount(vm) == 1);
		points++;
	}
	CHECK(k <= K_MAX);
	if (vm != NULL)
		bsdvm_vmspace_free(vm);
	bsdvm_sys_destroy(sys);
	report(name, points);
}

int main(void)
{
	int64_t live0 = bsdvm_alloc_live_bytes();

	printf("allocation-failure injection, memory layer:\n");
	case_sys_create();
	case_vmspace_create();
	case_fork(false);
	case_fork(true);
	case_mmap("bsdvm_vmspace_mmap (private anon)", 0, false, false);
	case_mmap("bsdvm_vmspace_mmap (private anon, fixed)", 0, false, true);
	case_mmap("bsdvm_vmspace_mmap (shared anon)", BSDVM_MAPF_SHARED, false, false);
	case_mmap("bsdvm_vmspace_mmap (shared anon, fixed)", BSDVM_MAPF_SHARED, false, true);
	case_mmap("bsdvm_vmspace_mmap (file, private)", 0, true, false);
	case_mmap("bsdvm_vmspace_mmap (file, shared, fixed)", BSDVM_MAPF_SHARED, true, true);
	case_object(false);
	case_object(true);
	case_pager();
	case_range(R_PROTECT);
	case_range(R_INHERIT);
	case_range(R_DELETE);
	case_range(R_WIRE);
	case_range(R_UNWIRE);
	case_faults();
	case_stack();
	case_kernel(0);
	case_kernel(1);
	case_kernel(2);
	case_proc(false);
	case_proc(true);
	bsdvm_alloc_fail_at(0);
	printf("total: %u failure points injected", total_points);
	if (absorbed != 0)
		printf(" (%u successes despite a failed allocation)", absorbed);
	printf("\n");
	CHECK(total_points > 0);
	CHECK(bsdvm_alloc_live_bytes() == live0);
	CHECK(bsdvm_alloc_live_bytes() == 0);
	if (bsdvm_alloc_live_bytes() != 0)
		fprintf(stderr, "%lld bytes still allocated at the end\n",
		    (long long)bsdvm_alloc_live_bytes());
	return test_main_exit("test_mem_alloc_fail");
}
