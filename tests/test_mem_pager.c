/*
 * test_mem_pager.c - objects backed by a pager of the caller's
 * (bsdvm_object_pager and struct bsdvm_pager_ops in
 * include/bsdvm/vmspace.h are the contract).
 *
 * The pager here keeps its "file" in a byte buffer, counts its calls and
 * can be told to fail, so every promise of the contract can be watched
 * from the store's side:
 *
 *  - private mappings: reads see the store, zeros past its length; writes
 *    never reach it (not on sync, unmap, fork or the object's death);
 *  - shared mappings: writes reach the store after bsdvm_object_sync and on
 *    unmap, not before; other mappings see them at once;
 *  - writeback never extends the store and never writes past its length;
 *    pages reaching past the length stay resident under pageout and keep
 *    their bytes, pages inside it are evicted and read back;
 *  - a small pool: dirty pages go to the store when evicted, no swap used;
 *  - a failing read: KERN_FAILURE from bsdvm_fault and bsdvm_copyin, no
 *    frame kept; a read claiming more than a page is a failure too;
 *  - a failing write or size: sync fails, the page stays dirty (a second
 *    sync fails again, pageout keeps it), and once the pager works again
 *    the bytes arrive;
 *  - no size op: the store is as long as the object;
 *  - release: exactly once, after the last write, when the last reference
 *    (mapping, fork, bsdvm_object_reference) goes; never on failure;
 *  - bad arguments: KERN_INVALID_ARGUMENT, *objp untouched, nothing made;
 *  - allocation failure at every point of bsdvm_object_pager and
 *    bsdvm_object_file: KERN_RESOURCE_SHORTAGE and nothing leaked.
 *
 * Every mutating step is followed by vm_map_check; every scenario ends with
 * the system's counters at zero and, after bsdvm_sys_destroy, no live
 * allocation (bsdvm_alloc_live_bytes() == 0).
 */
#include <unistd.h>

#include <bsdvm/vmspace.h>

#include "testutil.h"

/* ------------------------------------------------------------------ */
/* helpers */

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

#define CHECK_KERN_AT(line, got, want)                                           \
	do {                                                                     \
		int tu_g = (got), tu_w = (want);                                 \
		if (tu_g == tu_w) {                                              \
			tu_passed++;                                             \
		} else {                                                         \
			tu_failed++;                                             \
			fprintf(stderr, "%s:%d: %s returned %s, expected %s\n",  \
			    __FILE__, (line), #got, bsdvm_kern_name(tu_g),       \
			    bsdvm_kern_name(tu_w));                              \
		}                                                                \
	} while (0)

#define CHECK_EQ_AT(line, got, want)                                             \
	do {                                                                     \
		uint64_t tu_g = (uint64_t)(got), tu_w = (uint64_t)(want);        \
		if (tu_g == tu_w) {                                              \
			tu_passed++;                                             \
		} else {                                                         \
			tu_failed++;                                             \
			fprintf(stderr, "%s:%d: %s = %" PRIu64                   \
			    ", expected %" PRIu64 "\n", __FILE__, (line), #got,  \
			    tu_g, tu_w);                                         \
		}                                                                \
	} while (0)

#define VM_MIN ((bsdvm_addr_t)0x10000)
#define VM_MAX ((bsdvm_addr_t)1 << 40)

static bsdvm_size_t PG; /* page size of the scenario running */

static struct bsdvm_sys *new_sys(bsdvm_size_t page, uint64_t frames, uint64_t swap)
{
	struct bsdvm_sys_params p;
	struct bsdvm_sys *s = NULL;

	memset(&p, 0, sizeof(p));
	p.page_size = page;
	p.frames = frames;
	p.swap_pages = swap;
	if (bsdvm_sys_create(&p, &s) != KERN_SUCCESS) {
		fprintf(stderr, "bsdvm_sys_create failed\n");
		exit(2);
	}
	PG = page;
	return s;
}

static struct bsdvm_sys_stats stats(struct bsdvm_sys *s)
{
	struct bsdvm_sys_stats st;

	memset(&st, 0xa5, sizeof(st));
	bsdvm_sys_get_stats(s, &st);
	return st;
}

static struct vm_map *M(struct vmspace *vm)
{
	return bsdvm_vmspace_map(vm);
}

static struct vmspace *new_vm(struct bsdvm_sys *s)
{
	struct vmspace *vm = NULL;

	if (bsdvm_vmspace_create(s, VM_MIN, VM_MAX, 0, &vm) != KERN_SUCCESS) {
		fprintf(stderr, "bsdvm_vmspace_create failed\n");
		exit(2);
	}
	CHECK_MAP(M(vm));
	return vm;
}

/* Everything is gone: counters at zero, then destroy, then no leak. */
static void finish_at(int line, struct bsdvm_sys *s)
{
	struct bsdvm_sys_stats st = stats(s);

	CHECK_EQ_AT(line, st.anons, 0);
	CHECK_EQ_AT(line, st.amaps, 0);
	CHECK_EQ_AT(line, st.objects, 0);
	CHECK_EQ_AT(line, st.resident, 0);
	CHECK_EQ_AT(line, st.wired, 0);
	CHECK_EQ_AT(line, st.swap_used, 0);
	CHECK_EQ_AT(line, st.vmspaces, 1);
	CHECK_EQ_AT(line, st.free, st.frames);
	CHECK_AT(line, vm_map_check(M(bsdvm_sys_kernel(s))));
	bsdvm_sys_destroy(s);
	CHECK_EQ_AT(line, bsdvm_alloc_live_bytes(), 0);
}
#define FINISH(s) finish_at(__LINE__, (s))

/* The byte a pattern `tag` puts at offset a (never 0, never constant over
 * a page, so a zero page or a stale page never matches). */
static uint8_t pat(uint64_t a, unsigned tag)
{
	uint64_t x = a * 0x9E3779B97F4A7C15ull ^ ((uint64_t)tag + 1) * 0xC2B2AE3D27D4EB4Full;

	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 32;
	return (uint8_t)(x | 1);
}

static uint8_t *model_new(size_t n)
{
	uint8_t *m = calloc(1, n);

	if (m == NULL)
		exit(2);
	return m;
}

static uint8_t *model_dup(const uint8_t *src, size_t n)
{
	uint8_t *m = model_new(n);

	memcpy(m, src, n);
	return m;
}

/* Writes pattern `tag` over [a, a + n) and records it in model (which
 * describes the range starting at base; NULL: no model). */
static void put_at(int line, struct vmspace *vm, uint8_t *model, bsdvm_addr_t base,
    bsdvm_addr_t a, size_t n, unsigned tag)
{
	uint8_t *buf = model_new(n);
	size_t done = (size_t)-1, i;

	for (i = 0; i < n; i++)
		buf[i] = pat(a + i, tag);
	CHECK_KERN_AT(line, bsdvm_copyout(vm, buf, a, n, &done), KERN_SUCCESS);
	CHECK_EQ_AT(line, done, n);
	if (model != NULL)
		memcpy(model + (a - base), buf, n);
	CHECK_AT(line, vm_map_check(M(vm)));
	free(buf);
}
#define PUT(vm, model, base, a, n, tag) put_at(__LINE__, (vm), (model), (base), (a), (n), (tag))

/* n bytes at a equal b; prints the first difference. */
static void same_at(int line, const char *what, const uint8_t *got, const uint8_t *want,
    size_t n)
{
	size_t i, bad = 0, first = 0;

	for (i = 0; i < n; i++) {
		if (got[i] != want[i] && bad++ == 0)
			first = i;
	}
	CHECK_AT(line, bad == 0);
	if (bad != 0)
		fprintf(stderr, "%s:%d:   %s: %zu bytes differ, first at +%#zx (got %#x, want %#x)\n",
		    __FILE__, line, what, bad, first, got[first], want[first]);
}

/* Reads [base, base + n) through vm and compares every byte with model. */
static void verify_at(int line, struct vmspace *vm, const uint8_t *model, bsdvm_addr_t base,
    size_t n)
{
	uint8_t *buf = model_new(n);
	size_t done = (size_t)-1;

	memset(buf, 0x5a, n);
	CHECK_KERN_AT(line, bsdvm_copyin(vm, base, buf, n, &done), KERN_SUCCESS);
	CHECK_EQ_AT(line, done, n);
	same_at(line, "memory", buf, model, n);
	CHECK_AT(line, vm_map_check(M(vm)));
	free(buf);
}
#define VERIFY(vm, model, base, n) verify_at(__LINE__, (vm), (model), (base), (n))

static void map_obj_at(int line, struct vmspace *vm, bsdvm_addr_t a, bsdvm_size_t len,
    bsdvm_prot_t prot, uint32_t flags, struct vm_object *obj, bsdvm_off_t off)
{
	bsdvm_addr_t addr = a;

	CHECK_KERN_AT(line, bsdvm_vmspace_mmap(vm, &addr, len, prot, VM_PROT_ALL,
	    BSDVM_MAPF_FIXED | flags, obj, off), KERN_SUCCESS);
	CHECK_EQ_AT(line, addr, a);
	CHECK_AT(line, vm_map_check(M(vm)));
}
#define MAP_OBJ(vm, a, len, prot, flags, obj, off)                                 \
	map_obj_at(__LINE__, (vm), (a), (len), (prot), (flags), (obj), (off))

static void unmap_at(int line, struct vmspace *vm, bsdvm_addr_t a, bsdvm_size_t len)
{
	CHECK_KERN_AT(line, bsdvm_map_delete(M(vm), a, a + len), KERN_SUCCESS);
	CHECK_AT(line, vm_map_check(M(vm)));
}
#define UNMAP(vm, a, len) unmap_at(__LINE__, (vm), (a), (len))

static struct vmspace *fork_at(int line, struct vmspace *vm)
{
	struct vmspace *child = NULL;

	CHECK_KERN_AT(line, bsdvm_vmspace_fork(vm, &child), KERN_SUCCESS);
	if (child == NULL) {
		fprintf(stderr, "%s:%d: fork failed, cannot go on\n", __FILE__, line);
		exit(1);
	}
	CHECK_AT(line, vm_map_check(M(vm)));
	CHECK_AT(line, vm_map_check(M(child)));
	return child;
}
#define FORK(vm) fork_at(__LINE__, (vm))

/* Two pageout passes: the clock gives every page a second chance. */
static void pageout_all(struct bsdvm_sys *s)
{
	bsdvm_sys_pageout(s, UINT64_MAX);
	bsdvm_sys_pageout(s, UINT64_MAX);
}

/* ------------------------------------------------------------------ */
/* the in-memory pager */

#define STORE_FILL 0xee /* what the buffer holds past the store's length */

struct mempager {
	uint8_t *data;       /* cap bytes; [0, len) is the store */
	size_t cap;
	size_t len;          /* the store's length, as size reports it */
	bsdvm_size_t page;
	unsigned reads, writes, sizes, releases;
	unsigned calls_after_release;
	unsigned bad_calls;  /* a read not of one aligned page, a write past len */
	bool fail_read, fail_write, fail_size, overread;
	unsigned shrink_at;  /* the size call (count) at which len becomes shrink_to */
	size_t shrink_to;
};

static int mp_read(void *ctx, bsdvm_off_t off, void *buf, size_t len, size_t *got)
{
	struct mempager *mp = ctx;
	size_t n = 0;

	if (mp->releases != 0)
		mp->calls_after_release++;
	mp->reads++;
	/* the object asks for one whole page at a page boundary */
	if (len != mp->page || off % mp->page != 0)
		mp->bad_calls++;
	if (mp->fail_read)
		return KERN_FAILURE;
	if (mp->overread) {
		*got = len + 1;
		return KERN_SUCCESS;
	}
	if (off < mp->len)
		n = mp->len - (size_t)off < len ? mp->len - (size_t)off : len;
	memcpy(buf, mp->data + off, n);
	*got = n;
	return KERN_SUCCESS;
}

static int mp_write(void *ctx, bsdvm_off_t off, const void *buf, size_t len)
{
	struct mempager *mp = ctx;

	if (mp->releases != 0)
		mp->calls_after_release++;
	mp->writes++;
	if (mp->fail_write)
		return KERN_FAILURE;
	/* writeback must never extend the store, nor start off a page */
	if (off > mp->len || len > mp->len - off || off % mp->page != 0 || len == 0) {
		mp->bad_calls++;
		return KERN_FAILURE;
	}
	memcpy(mp->data + off, buf, len);
	return KERN_SUCCESS;
}

static int mp_size(void *ctx, bsdvm_off_t *sizep)
{
	struct mempager *mp = ctx;

	if (mp->releases != 0)
		mp->calls_after_release++;
	mp->sizes++;
	if (mp->fail_size)
		return KERN_FAILURE;
	if (mp->shrink_at != 0 && mp->sizes == mp->shrink_at) {
		/* the file is truncated while the page daemon works on it */
		mp->len = mp->shrink_to;
		memset(mp->data + mp->len, STORE_FILL, mp->cap - mp->len);
	}
	*sizep = mp->len;
	return KERN_SUCCESS;
}

static void mp_release(void *ctx)
{
	struct mempager *mp = ctx;

	mp->releases++;
}

static const struct bsdvm_pager_ops mp_ops = {
	.read = mp_read,
	.write = mp_write,
	.size = mp_size,
	.release = mp_release,
};

/* A store of len bytes of pattern `tag` in a buffer of cap bytes, the
 * rest STORE_FILL (which no read may ever show). */
static void mp_init(struct mempager *mp, size_t cap, size_t len, unsigned tag)
{
	size_t i;

	memset(mp, 0, sizeof(*mp));
	mp->data = model_new(cap);
	mp->cap = cap;
	mp->len = len;
	mp->page = PG;
	for (i = 0; i < cap; i++)
		mp->data[i] = i < len ? pat(i, tag) : STORE_FILL;
}

static void mp_done(struct mempager *mp)
{
	CHECK_EQ_U64(mp->bad_calls, 0);
	CHECK_EQ_U64(mp->calls_after_release, 0);
	free(mp->data);
	mp->data = NULL;
}

/* The store's bytes [0, n) equal model[0, n), and past its length the
 * buffer is untouched. */
static void store_is_at(int line, const struct mempager *mp, const uint8_t *model, size_t n)
{
	size_t i, bad = 0;

	same_at(line, "store", mp->data, model, n);
	for (i = mp->len; i < mp->cap; i++)
		bad += mp->data[i] != STORE_FILL;
	CHECK_EQ_AT(line, bad, 0);
}
#define STORE_IS(mp, model, n) store_is_at(__LINE__, (mp), (model), (n))

static struct vm_object *pager_object_at(int line, struct bsdvm_sys *s,
    const struct bsdvm_pager_ops *ops, struct mempager *mp, bsdvm_size_t size, bool writable)
{
	struct vm_object *obj = NULL;

	CHECK_KERN_AT(line, bsdvm_object_pager(s, ops, mp, size, writable, &obj), KERN_SUCCESS);
	if (obj == NULL) {
		fprintf(stderr, "%s:%d: no object, cannot go on\n", __FILE__, line);
		exit(1);
	}
	CHECK_EQ_AT(line, bsdvm_object_refcount(obj), 1);
	CHECK_EQ_AT(line, bsdvm_object_size(obj), size);
	return obj;
}
#define PAGER_OBJECT(s, ops, mp, size, w) pager_object_at(__LINE__, (s), (ops), (mp), (size), (w))

/* ------------------------------------------------------------------ */

/*
 * Private mappings: the store's bytes, then zeros inside the object; the
 * mapping's writes stay its own through sync, fork, unmap and the
 * object's death; the store is never written.
 */
static void test_private(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 64, 64);
	struct vmspace *vm = new_vm(s), *c;
	const size_t slen = 5 * page + 123, osize = 8 * page;
	const bsdvm_addr_t a = 0x40000000, b = 0x50000000;
	struct mempager mp;
	struct vm_object *obj;
	uint8_t *fm, *m, *mc;

	mp_init(&mp, 10 * page, slen, 1);
	fm = model_new(osize);
	memcpy(fm, mp.data, slen); /* then zeros, not STORE_FILL */
	obj = PAGER_OBJECT(s, &mp_ops, &mp, osize, true);
	CHECK_EQ_U64(stats(s).objects, 1);
	MAP_OBJ(vm, a, osize, VM_PROT_RW, 0, obj, 0);
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 2);
	/* nothing is read before it is touched */
	CHECK_EQ_U64(mp.reads, 0);
	CHECK(!bsdvm_vmspace_resident(vm, a));
	m = model_dup(fm, osize);
	VERIFY(vm, m, a, osize);
	CHECK_EQ_U64(mp.reads, 8); /* one per page, those past the store too */
	CHECK_EQ_U64(stats(s).file_reads, 8);
	VERIFY(vm, m, a, osize); /* resident now: not read again */
	CHECK_EQ_U64(mp.reads, 8);

	PUT(vm, m, a, a + page - 10, page + 20, 2);
	PUT(vm, m, a, a + 5 * page + 7, 50, 3); /* inside the store's last page */
	PUT(vm, m, a, a + 7 * page, page, 4);   /* past the store */
	VERIFY(vm, m, a, osize);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	CHECK_EQ_U64(mp.writes, 0);
	STORE_IS(&mp, fm, slen);

	/* a second private mapping at an offset sees the store */
	MAP_OBJ(vm, b, 3 * page, VM_PROT_READ, 0, obj, 2 * page);
	VERIFY(vm, fm + 2 * page, b, 3 * page);

	c = FORK(vm);
	mc = model_dup(m, osize);
	VERIFY(c, mc, a, osize);
	PUT(c, mc, a, a + 2 * page, 2 * page, 5);
	PUT(vm, m, a, a + 3 * page, page, 6);
	VERIFY(vm, m, a, osize);
	VERIFY(c, mc, a, osize);
	bsdvm_vmspace_free(c);

	/* under pageout the private copies go to swap, not to the store */
	pageout_all(s);
	VERIFY(vm, m, a, osize);
	UNMAP(vm, a, osize);
	bsdvm_vmspace_free(vm);
	CHECK_EQ_U64(mp.releases, 0);
	bsdvm_object_deallocate(obj);
	CHECK_EQ_U64(mp.releases, 1);
	CHECK_EQ_U64(mp.writes, 0);
	STORE_IS(&mp, fm, slen);
	CHECK_EQ_U64(mp.len, slen);
	mp_done(&mp);
	free(fm);
	free(m);
	free(mc);
	FINISH(s);
}

/*
 * Shared mappings: writes stay in memory until bsdvm_object_sync or an
 * unmap sends them to the store; every shared mapping (a forked child's
 * too) sees them at once.
 */
static void test_shared(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 64, 64);
	struct vmspace *vm = new_vm(s), *vm2 = new_vm(s), *c;
	const size_t slen = 6 * page, osize = 6 * page;
	const bsdvm_addr_t a = 0x40000000, b = 0x50000000;
	struct mempager mp;
	struct vm_object *obj;
	uint8_t *orig, *fm;
	unsigned w;

	mp_init(&mp, slen, slen, 10);
	orig = model_dup(mp.data, slen);
	fm = model_dup(mp.data, slen);
	obj = PAGER_OBJECT(s, &mp_ops, &mp, osize, true);
	MAP_OBJ(vm, a, osize, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	MAP_OBJ(vm2, b, 2 * page, VM_PROT_READ, BSDVM_MAPF_SHARED, obj, 4 * page);
	VERIFY(vm, fm, a, osize);

	PUT(vm, fm, a, a + 10, 100, 11);
	PUT(vm, fm, a, a + 2 * page - 1, 2, 12);
	PUT(vm, fm, a, a + 4 * page, page, 13);
	VERIFY(vm, fm, a, osize);
	VERIFY(vm2, fm + 4 * page, b, 2 * page); /* another vmspace, at once */
	/* not in the store yet: nothing asked for a writeback */
	CHECK_EQ_U64(mp.writes, 0);
	STORE_IS(&mp, orig, slen);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	CHECK_EQ_U64(mp.writes, 4); /* pages 0, 1, 2 and 4, whole */
	STORE_IS(&mp, fm, slen);
	/* nothing dirty: nothing written */
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	CHECK_EQ_U64(mp.writes, 4);

	/* a forked child shares the object */
	c = FORK(vm);
	PUT(c, fm, a, a + 3 * page, page / 2, 14);
	VERIFY(vm, fm, a, osize);
	bsdvm_vmspace_free(c);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	STORE_IS(&mp, fm, slen);

	/* writes, then unmap without sync: they reach the store */
	w = mp.writes;
	PUT(vm, fm, a, a + page, 2 * page, 15);
	UNMAP(vm, a, osize);
	CHECK_EQ_U64(mp.writes - w, 2);
	STORE_IS(&mp, fm, slen);
	/* the object keeps its pages while vm2 maps it */
	VERIFY(vm2, fm + 4 * page, b, 2 * page);
	MAP_OBJ(vm, a, osize, VM_PROT_READ, BSDVM_MAPF_SHARED, obj, 0);
	VERIFY(vm, fm, a, osize);
	bsdvm_vmspace_free(vm);
	bsdvm_vmspace_free(vm2);
	w = mp.writes;
	bsdvm_object_deallocate(obj);
	CHECK_EQ_U64(mp.writes, w); /* nothing was left to write */
	CHECK_EQ_U64(mp.releases, 1);
	STORE_IS(&mp, fm, slen);
	mp_done(&mp);
	free(orig);
	free(fm);
	FINISH(s);
}

/*
 * A store whose length is not a page multiple, in an object twice as long:
 * writeback stops at the length (the store never grows, and the buffer
 * past it is never touched); pages wholly inside the store are evicted and
 * read back, the page holding the end and the pages past it stay resident
 * with their bytes, written or not.  The object's death writes what it can
 * and nothing more.
 */
static void test_tail(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 64, 0);
	struct vmspace *vm = new_vm(s);
	const size_t slen = 2 * page + 100, osize = 5 * page;
	const bsdvm_addr_t a = 0x40000000;
	struct mempager mp;
	struct vm_object *obj;
	uint8_t *fm;
	uint64_t resident;

	mp_init(&mp, 8 * page, slen, 20);
	fm = model_new(osize);
	memcpy(fm, mp.data, slen);
	obj = PAGER_OBJECT(s, &mp_ops, &mp, osize, true);
	MAP_OBJ(vm, a, osize, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	VERIFY(vm, fm, a, osize); /* zeros from slen on, never STORE_FILL */

	/* rewrite everything: inside the store, across its end, past it */
	PUT(vm, fm, a, a, page, 21);
	PUT(vm, fm, a, a + 2 * page + 10, page, 22);
	PUT(vm, fm, a, a + 4 * page, page, 23);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	CHECK_EQ_U64(mp.len, slen);
	STORE_IS(&mp, fm, slen);
	CHECK_EQ_U64(mp.bad_calls, 0);

	/* pageout: pages 0 and 1 go (0 was written back, 1 is clean), 2 (the
	 * store ends inside it), 3 and 4 (past the end) stay */
	pageout_all(s);
	CHECK(!bsdvm_vmspace_resident(vm, a));
	CHECK(!bsdvm_vmspace_resident(vm, a + page));
	CHECK(bsdvm_vmspace_resident(vm, a + 2 * page));
	CHECK(bsdvm_vmspace_resident(vm, a + 3 * page));
	CHECK(bsdvm_vmspace_resident(vm, a + 4 * page));
	resident = stats(s).resident;
	CHECK_EQ_U64(resident, 3);
	CHECK_EQ_U64(stats(s).swap_used, 0);
	VERIFY(vm, fm, a, osize);
	CHECK_MAP(M(vm));

	/* dirty again past the end: still resident after pageout, bytes kept */
	PUT(vm, fm, a, a + 3 * page + 5, 40, 24);
	pageout_all(s);
	CHECK(bsdvm_vmspace_resident(vm, a + 3 * page));
	VERIFY(vm, fm, a, osize);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	STORE_IS(&mp, fm, slen);

	/* a store that shrank: the page it now ends in stays resident too */
	mp.len = page + 1;
	memset(mp.data + mp.len, STORE_FILL, mp.cap - mp.len);
	pageout_all(s);
	CHECK(bsdvm_vmspace_resident(vm, a + page));
	PUT(vm, fm, a, a + page, page, 25);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	STORE_IS(&mp, fm, page + 1);

	/* the store grows back: the bytes of that page past the old end,
	 * which the sync could not store, must reach it now, by a sync or an
	 * eviction, and never be dropped as clean */
	memset(mp.data + mp.len, 0, 2 * page - mp.len);
	mp.len = 2 * page;
	pageout_all(s);
	CHECK(!bsdvm_vmspace_resident(vm, a + page));
	STORE_IS(&mp, fm, 2 * page);
	VERIFY(vm, fm, a, 2 * page);
	mp.len = page + 1; /* as it was, for the end of the test */
	memset(mp.data + mp.len, STORE_FILL, mp.cap - mp.len);

	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(obj);
	CHECK_EQ_U64(mp.releases, 1);
	CHECK_EQ_U64(mp.len, page + 1);
	STORE_IS(&mp, fm, page + 1);
	mp_done(&mp);
	free(fm);
	FINISH(s);
}

/*
 * The store shrinks between the eviction's length check and its write-back
 * (a truncate racing the page daemon): the write is cut short, so the page
 * keeps bytes the store no longer has room for.  It must stay resident and
 * dirty, and reach the store whole once the store grows back
 * (bsdvm_object_anon(3): such bytes are never lost while the object lives).
 */
static void test_shrink_during_pageout(void)
{
	struct bsdvm_sys *s = new_sys(4096, 16, 0);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000;
	struct mempager mp;
	struct vm_object *obj;
	uint8_t *fm;

	mp_init(&mp, PG, PG, 30);
	fm = model_dup(mp.data, PG);
	obj = PAGER_OBJECT(s, &mp_ops, &mp, PG, true);
	MAP_OBJ(vm, a, PG, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	PUT(vm, fm, a, a + PG - 8, 8, 31); /* the last bytes of the page */
	mp.shrink_at = mp.sizes + 2;       /* the eviction's second length query */
	mp.shrink_to = PG / 2;
	pageout_all(s);
	CHECK(mp.sizes >= mp.shrink_at);
	CHECK(bsdvm_vmspace_resident(vm, a));
	VERIFY(vm, fm, a, PG);
	/* the store grows back: the next eviction writes the page whole */
	mp.shrink_at = 0;
	memset(mp.data + mp.len, 0, PG - mp.len);
	mp.len = PG;
	pageout_all(s);
	CHECK(!bsdvm_vmspace_resident(vm, a));
	STORE_IS(&mp, fm, PG);
	VERIFY(vm, fm, a, PG);
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(obj);
	mp_done(&mp);
	free(fm);
	FINISH(s);
}

/*
 * Short reads land in frames that held other data: the part of each page
 * past the store's end must read as zeros, not as what the frame held.
 */
static void test_zero_fill(void)
{
	struct bsdvm_sys *s = new_sys(4096, 8, 0);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000;
	struct mempager full, shorter;
	struct vm_object *obj;
	uint8_t *fm;

	/* every frame of the pool gets non-zero bytes, then goes back */
	mp_init(&full, 8 * 4096, 8 * 4096, 100);
	obj = PAGER_OBJECT(s, &mp_ops, &full, 8 * PG, false);
	MAP_OBJ(vm, a, 8 * PG, VM_PROT_READ, BSDVM_MAPF_SHARED, obj, 0);
	VERIFY(vm, full.data, a, 8 * PG);
	CHECK_EQ_U64(stats(s).free, 0);
	UNMAP(vm, a, 8 * PG);
	bsdvm_object_deallocate(obj);
	CHECK_EQ_U64(stats(s).free, 8);

	/* 100 bytes of store, 8 pages of object: one short read, seven empty */
	mp_init(&shorter, 8 * 4096, 100, 101);
	fm = model_new(8 * PG);
	memcpy(fm, shorter.data, 100);
	obj = PAGER_OBJECT(s, &mp_ops, &shorter, 8 * PG, false);
	MAP_OBJ(vm, a, 8 * PG, VM_PROT_READ, BSDVM_MAPF_SHARED, obj, 0);
	VERIFY(vm, fm, a, 8 * PG);
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(obj);
	CHECK_EQ_U64(full.releases, 1);
	CHECK_EQ_U64(shorter.releases, 1);
	mp_done(&full);
	mp_done(&shorter);
	free(fm);
	FINISH(s);
}

/*
 * A store four times the pool, no swap: private reads and shared writes
 * cycle every page through the frames; dirty pages go to the store as
 * they are evicted.
 */
static void test_small_pool(void)
{
	const uint64_t frames = 16, npages = 64;
	struct bsdvm_sys *s = new_sys(4096, frames, 0);
	struct vmspace *vm = new_vm(s);
	const size_t slen = npages * 4096;
	const bsdvm_addr_t a = 0x40000000, b = 0x80000000;
	struct mempager mp;
	struct vm_object *obj;
	uint8_t *fm;
	size_t i;

	mp_init(&mp, slen, slen, 30);
	fm = model_dup(mp.data, slen);
	obj = PAGER_OBJECT(s, &mp_ops, &mp, slen, true);
	MAP_OBJ(vm, a, slen, VM_PROT_READ, 0, obj, 0);
	VERIFY(vm, fm, a, slen);
	VERIFY(vm, fm, a, slen);
	CHECK(stats(s).resident <= frames);
	CHECK(mp.reads >= 2 * npages - frames);
	MAP_OBJ(vm, b, slen, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	for (i = 0; i < npages; i++)
		PUT(vm, fm, b, b + i * PG, PG, 31);
	CHECK(mp.writes >= npages - frames); /* evictions wrote them */
	VERIFY(vm, fm, b, slen);
	VERIFY(vm, fm, a, slen);
	CHECK_EQ_U64(stats(s).swap_used, 0);
	CHECK(stats(s).pageouts > 0);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	STORE_IS(&mp, fm, slen);
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(obj);
	CHECK_EQ_U64(mp.releases, 1);
	STORE_IS(&mp, fm, slen);
	mp_done(&mp);
	free(fm);
	FINISH(s);
}

/*
 * A pager whose read fails: the fault and copyin fail with KERN_FAILURE,
 * shared or private, and keep no frame; when it works again, so does the
 * mapping.  A read that claims more than it was asked is a failure too.
 */
static void test_read_fails(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 16);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000, b = 0x50000000;
	struct mempager mp;
	struct vm_object *obj;
	uint8_t *fm, byte = 0;
	size_t done = 99;

	mp_init(&mp, 4 * 4096, 4 * 4096, 40);
	fm = model_dup(mp.data, 4 * PG);
	obj = PAGER_OBJECT(s, &mp_ops, &mp, 4 * PG, true);
	MAP_OBJ(vm, a, 4 * PG, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	MAP_OBJ(vm, b, 4 * PG, VM_PROT_RW, 0, obj, 0);
	mp.fail_read = true;
	CHECK_KERN(bsdvm_copyin(vm, a + 10, &byte, 1, &done), KERN_FAILURE);
	CHECK_EQ_U64(done, 0);
	CHECK_KERN(bsdvm_fault(M(vm), a + PG, VM_PROT_READ), KERN_FAILURE);
	CHECK_MAP(M(vm));
	CHECK_KERN(bsdvm_fault(M(vm), b, VM_PROT_READ), KERN_FAILURE);
	CHECK_MAP(M(vm));
	/* a private write needs the store's page to copy it */
	CHECK_KERN(bsdvm_copyout(vm, &byte, b + PG, 1, NULL), KERN_FAILURE);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(stats(s).resident, 0);
	CHECK_EQ_U64(stats(s).file_reads, 0);
	CHECK_EQ_U64(stats(s).anons, 0);

	mp.fail_read = false;
	mp.overread = true;
	CHECK_KERN(bsdvm_copyin(vm, a, &byte, 1, NULL), KERN_FAILURE);
	CHECK_KERN(bsdvm_fault(M(vm), b + 2 * PG, VM_PROT_WRITE), KERN_FAILURE);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(stats(s).resident, 0);

	mp.overread = false;
	VERIFY(vm, fm, a, 4 * PG);
	VERIFY(vm, fm, b, 4 * PG);
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(obj);
	CHECK_EQ_U64(mp.writes, 0);
	CHECK_EQ_U64(mp.releases, 1);
	mp_done(&mp);
	free(fm);
	FINISH(s);
}

/*
 * A pager whose write (or size) fails: sync fails and keeps failing, the
 * page stays dirty and resident through pageout and unmap, and its bytes
 * reach the store once the pager works again.
 */
static void test_write_fails(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 16);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000;
	struct mempager mp;
	struct vm_object *obj;
	uint8_t *orig, *fm;

	mp_init(&mp, 4 * 4096, 4 * 4096, 50);
	orig = model_dup(mp.data, 4 * PG);
	fm = model_dup(mp.data, 4 * PG);
	obj = PAGER_OBJECT(s, &mp_ops, &mp, 4 * PG, true);
	MAP_OBJ(vm, a, 4 * PG, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	PUT(vm, fm, a, a + PG + 3, 100, 51);
	VERIFY(vm, fm, a, 4 * PG);

	mp.fail_write = true;
	CHECK_KERN(bsdvm_object_sync(obj), KERN_FAILURE);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_FAILURE); /* still dirty */
	pageout_all(s);
	CHECK(bsdvm_vmspace_resident(vm, a + PG)); /* cannot be written: kept */
	CHECK(!bsdvm_vmspace_resident(vm, a));     /* clean ones go */
	VERIFY(vm, fm, a, 4 * PG);
	STORE_IS(&mp, orig, 4 * PG);

	/* size fails: nothing can be written or evicted either */
	mp.fail_write = false;
	mp.fail_size = true;
	CHECK_KERN(bsdvm_object_sync(obj), KERN_FAILURE);
	pageout_all(s);
	CHECK(bsdvm_vmspace_resident(vm, a + PG));
	STORE_IS(&mp, orig, 4 * PG);

	/* an unmap whose writeback fails leaves the page dirty in the object */
	mp.fail_size = false;
	mp.fail_write = true;
	PUT(vm, fm, a, a + 3 * PG, PG, 52);
	UNMAP(vm, a, 4 * PG);
	STORE_IS(&mp, orig, 4 * PG);
	mp.fail_write = false;
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	STORE_IS(&mp, fm, 4 * PG);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);

	/* written: now they can go */
	pageout_all(s);
	CHECK_EQ_U64(stats(s).resident, 0);
	MAP_OBJ(vm, a, 4 * PG, VM_PROT_READ, BSDVM_MAPF_SHARED, obj, 0);
	VERIFY(vm, fm, a, 4 * PG);
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(obj);
	CHECK_EQ_U64(mp.releases, 1);
	mp_done(&mp);
	free(orig);
	free(fm);
	FINISH(s);
}

/*
 * Optional ops: without size the store is as long as the object (every
 * page can be written back whole and evicted); without release nothing is
 * called at the end; without write a read-only object is fine.
 */
static void test_optional_ops(void)
{
	static const struct bsdvm_pager_ops no_size = { .read = mp_read, .write = mp_write,
		.release = mp_release };
	static const struct bsdvm_pager_ops read_only = { .read = mp_read };
	struct bsdvm_sys *s = new_sys(4096, 64, 0);
	struct vmspace *vm = new_vm(s);
	const bsdvm_addr_t a = 0x40000000;
	struct mempager mp, ro;
	struct vm_object *obj, *robj;
	uint8_t *fm, *rm;
	bsdvm_addr_t addr = a + 16 * PG;

	mp_init(&mp, 4 * 4096, 4 * 4096, 60);
	fm = model_dup(mp.data, 4 * PG);
	obj = PAGER_OBJECT(s, &no_size, &mp, 4 * PG, true);
	MAP_OBJ(vm, a, 4 * PG, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	PUT(vm, fm, a, a, 4 * PG, 61);
	pageout_all(s);
	CHECK_EQ_U64(stats(s).resident, 0);
	CHECK_EQ_U64(mp.writes, 4);
	CHECK_EQ_U64(mp.sizes, 0);
	STORE_IS(&mp, fm, 4 * PG);
	VERIFY(vm, fm, a, 4 * PG);

	/* read-only, no write, no size, no release */
	mp_init(&ro, 2 * 4096, 2 * 4096, 62);
	rm = model_dup(ro.data, 2 * PG);
	robj = PAGER_OBJECT(s, &read_only, &ro, 2 * PG, false);
	/* as mmap(2) of a read-only file: no shared writable view */
	CHECK_KERN(bsdvm_vmspace_mmap(vm, &addr, 2 * PG, VM_PROT_RW, VM_PROT_ALL,
	    BSDVM_MAPF_FIXED | BSDVM_MAPF_SHARED, robj, 0), KERN_PROTECTION_FAILURE);
	CHECK_MAP(M(vm));
	MAP_OBJ(vm, addr, 2 * PG, VM_PROT_READ, BSDVM_MAPF_SHARED, robj, 0);
	MAP_OBJ(vm, addr + 4 * PG, 2 * PG, VM_PROT_RW, 0, robj, 0);
	VERIFY(vm, rm, addr, 2 * PG);
	/* a shared read/write entry made with the map engine, which does not
	 * know the object is read-only: every write fails, also to a page a
	 * read faulted in first (that read must not map it writable) */
	{
		struct bsdvm_entry_attrs at = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_RW);
		bsdvm_addr_t w = addr + 8 * PG;
		uint8_t byte = 0;

		at.object = robj;
		at.inherit = VM_INHERIT_SHARE;
		bsdvm_object_reference(robj); /* the entry takes it */
		CHECK_KERN(bsdvm_map_insert(M(vm), w, w + 2 * PG, &at), KERN_SUCCESS);
		CHECK_MAP(M(vm));
		CHECK_KERN(bsdvm_copyout(vm, &byte, w, 1, NULL), KERN_PROTECTION_FAILURE);
		CHECK_KERN(bsdvm_copyin(vm, w + PG, &byte, 1, NULL), KERN_SUCCESS);
		CHECK_EQ_U64(byte, rm[PG]);
		byte = (uint8_t)~byte;
		CHECK_KERN(bsdvm_copyout(vm, &byte, w + PG, 1, NULL), KERN_PROTECTION_FAILURE);
		VERIFY(vm, rm, w, 2 * PG);
		VERIFY(vm, rm, addr, 2 * PG);
	}
	PUT(vm, NULL, addr + 4 * PG, addr + 4 * PG, 2 * PG, 63); /* private */
	CHECK_KERN(bsdvm_object_sync(robj), KERN_SUCCESS);
	pageout_all(s);
	VERIFY(vm, rm, addr, 2 * PG);
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(robj);
	bsdvm_object_deallocate(obj);
	CHECK_EQ_U64(mp.releases, 1);
	CHECK_EQ_U64(ro.releases, 0);
	CHECK_EQ_U64(ro.writes, 0);
	STORE_IS(&ro, rm, 2 * PG);
	mp_done(&mp);
	mp_done(&ro);
	free(fm);
	free(rm);
	FINISH(s);
}

/*
 * release is called exactly once, when the last reference goes, whatever
 * held it: the caller, mappings in two vmspaces, a forked child, pieces
 * of a split entry, an extra bsdvm_object_reference.
 */
static void test_release_once(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 16);
	struct vmspace *vm = new_vm(s), *vm2 = new_vm(s), *c;
	const bsdvm_addr_t a = 0x40000000;
	struct mempager mp;
	struct vm_object *obj;
	uint8_t *fm;
	unsigned w;

	mp_init(&mp, 4 * 4096, 4 * 4096, 70);
	fm = model_dup(mp.data, 4 * PG);
	obj = PAGER_OBJECT(s, &mp_ops, &mp, 4 * PG, true);
	MAP_OBJ(vm, a, 4 * PG, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	MAP_OBJ(vm2, a, 4 * PG, VM_PROT_RW, 0, obj, 0);
	bsdvm_object_reference(obj);
	bsdvm_object_deallocate(obj);
	bsdvm_object_deallocate(obj); /* the caller's: mappings keep it alive */
	CHECK_EQ_U64(mp.releases, 0);
	CHECK_EQ_U64(stats(s).objects, 1);
	PUT(vm, fm, a, a + PG, PG, 71);
	/* split the shared entry: one more reference, still one object */
	CHECK_KERN(bsdvm_map_protect(M(vm), a + PG, a + 2 * PG, VM_PROT_READ, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	c = FORK(vm);
	bsdvm_vmspace_free(vm);
	CHECK_EQ_U64(mp.releases, 0);
	VERIFY(c, fm, a, 4 * PG);
	/* the child's unmap cannot write its page back: it stays dirty in the
	 * object, which vm2's private mapping keeps alive */
	PUT(c, fm, a, a + 2 * PG, PG, 72);
	mp.fail_write = true;
	bsdvm_vmspace_free(c);
	mp.fail_write = false;
	CHECK_EQ_U64(mp.releases, 0);
	CHECK_EQ_U64(stats(s).objects, 1);
	VERIFY(vm2, fm, a, 4 * PG); /* untouched private pages show the object */
	/* the last reference: the dirty page goes to the store, then release
	 * (mp counts any call after it) */
	w = mp.writes;
	bsdvm_vmspace_free(vm2);
	CHECK_EQ_U64(mp.writes - w, 1);
	CHECK_EQ_U64(mp.releases, 1);
	CHECK_EQ_U64(stats(s).objects, 0);
	STORE_IS(&mp, fm, 4 * PG);
	mp_done(&mp);
	free(fm);
	FINISH(s);
}

/* Bad arguments: KERN_INVALID_ARGUMENT, *objp untouched, nothing made,
 * ctx not released. */
static void test_bad_args(void)
{
	static const struct bsdvm_pager_ops no_read = { .write = mp_write, .size = mp_size,
		.release = mp_release };
	static const struct bsdvm_pager_ops no_write = { .read = mp_read, .size = mp_size,
		.release = mp_release };
	struct bsdvm_sys *s = new_sys(4096, 16, 0);
	struct vm_object *sentinel = (struct vm_object *)(void *)&PG, *obj = sentinel;
	struct mempager mp;

	mp_init(&mp, 4096, 4096, 80);
	CHECK_KERN(bsdvm_object_pager(s, NULL, &mp, PG, false, &obj), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_pager(s, &no_read, &mp, PG, false, &obj), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_pager(s, &no_read, &mp, PG, true, &obj), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_pager(s, &no_write, &mp, PG, true, &obj), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_pager(s, &mp_ops, &mp, 0, true, &obj), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_pager(s, &mp_ops, &mp, PG + 1, true, &obj),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_pager(s, &mp_ops, &mp, PG / 2, true, &obj),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_pager(s, &mp_ops, &mp, UINT64_MAX, true, &obj),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_pager(NULL, &mp_ops, &mp, PG, true, &obj), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_pager(s, &mp_ops, &mp, PG, true, NULL), KERN_INVALID_ARGUMENT);
	CHECK(obj == sentinel);
	CHECK_EQ_U64(stats(s).objects, 0);
	CHECK_EQ_U64(mp.releases + mp.reads + mp.writes + mp.sizes, 0);

	/* a read-only object needs no write; ctx may be NULL for the library */
	obj = NULL;
	CHECK_KERN(bsdvm_object_pager(s, &no_write, &mp, PG, false, &obj), KERN_SUCCESS);
	CHECK(obj != NULL);
	bsdvm_object_deallocate(obj);
	CHECK_EQ_U64(mp.releases, 1);
	mp_done(&mp);
	FINISH(s);
}

/* Allocation failure at every point of bsdvm_object_pager and
 * bsdvm_object_file: KERN_RESOURCE_SHORTAGE, *objp untouched, ctx not
 * released, nothing leaked; then the call succeeds. */
static void test_alloc_fail(void)
{
	struct bsdvm_sys *s = new_sys(4096, 16, 0);
	struct mempager mp;
	char path[] = "/tmp/bsdvm_mem_pager_XXXXXX";
	int fd = mkstemp(path);
	int pass;

	if (fd < 0) {
		perror("mkstemp");
		exit(2);
	}
	unlink(path); /* the descriptor is all the test needs */
	mp_init(&mp, 4096, 4096, 90);
	for (pass = 0; pass < 2; pass++) {
		uint64_t k, failures = 0;

		for (k = 1; k <= 64; k++) {
			struct vm_object *obj = NULL;
			int64_t live = bsdvm_alloc_live_bytes();
			uint64_t before = bsdvm_alloc_failures();
			int rv;

			bsdvm_alloc_fail_at(k);
			rv = pass == 0 ? bsdvm_object_pager(s, &mp_ops, &mp, 2 * PG, true, &obj)
				       : bsdvm_object_file(s, fd, 2 * PG, true, &obj);
			bsdvm_alloc_fail_at(0);
			if (rv == KERN_SUCCESS) {
				/* no injected failure was swallowed */
				CHECK_EQ_U64(bsdvm_alloc_failures(), before);
				CHECK(obj != NULL);
				bsdvm_object_deallocate(obj);
				CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live);
				break;
			}
			failures++;
			CHECK_KERN(rv, KERN_RESOURCE_SHORTAGE);
			CHECK(obj == NULL);
			CHECK_EQ_U64(bsdvm_alloc_failures(), before + 1);
			CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live);
			CHECK_EQ_U64(stats(s).objects, 0);
		}
		CHECK(k <= 64);
		/* the object; for a file, its pager's ctx first */
		CHECK_EQ_U64(failures, pass == 0 ? 1 : 2);
	}
	CHECK_EQ_U64(mp.releases, 1); /* the one that succeeded, only */
	close(fd);
	mp_done(&mp);
	FINISH(s);
}

int main(void)
{
	test_private(4096);
	test_private(16384);
	test_shared(4096);
	test_shared(65536);
	test_tail(4096);
	test_tail(16384);
	test_zero_fill();
	test_shrink_during_pageout();
	test_small_pool();
	test_read_fails();
	test_write_fails();
	test_optional_ops();
	test_release_once();
	test_bad_args();
	test_alloc_fail();
	return test_main_exit("test_mem_pager");
}
