/*
 * test_mem_file.c - memory objects backed by host files, and anonymous
 * objects (include/bsdvm/vmspace.h is the contract).
 *
 *  - private mappings (bsdvm_object_file + bsdvm_vmspace_mmap without
 *    BSDVM_MAPF_SHARED): reads see the file, zeros past its end inside the
 *    object; writes stay private (checked on disk with pread) through
 *    sync, unmap, fork and the object's death;
 *  - shared writable mappings: writes reach the file after
 *    bsdvm_object_sync and on unmap (bsdvm_map_delete); other mappings and
 *    a forked child see them at once; the file's length never changes;
 *  - file pages need no swap under memory pressure;
 *  - object references across mmap, merge, split, unmap and failed mmap;
 *  - I/O errors: KERN_FAILURE from a fault and from sync.
 *
 * Every mutating step is followed by vm_map_check; every scenario ends with
 * all vmspaces and objects gone, the system's counters at zero and, after
 * bsdvm_sys_destroy, no live allocation.  Temporary files live in /tmp and
 * are removed.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bsdvm/vmspace.h>

#include "memtest.h"

/* ------------------------------------------------------------------ */
/* helpers */



/* ---- host files ---- */

static char tmp_path[64];

/* A temporary file holding `size` bytes of pattern `tag`. */
static int make_file(size_t size, unsigned tag)
{
	uint8_t *buf = model_new(size ? size : 1);
	size_t i;
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/bsdvm_mem_file_XXXXXX");
	fd = mkstemp(tmp_path);
	if (fd < 0) {
		perror("mkstemp");
		exit(2);
	}
	for (i = 0; i < size; i++)
		buf[i] = pat(i, tag);
	if (size != 0 && pwrite(fd, buf, size, 0) != (ssize_t)size) {
		perror("pwrite");
		exit(2);
	}
	free(buf);
	return fd;
}

static void drop_file(int fd)
{
	close(fd);
	unlink(tmp_path);
}

static off_t file_size(int fd)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	return st.st_size;
}

/* The file's bytes equal model[0 .. n). */
static void file_is_at(int line, int fd, const uint8_t *model, size_t n)
{
	uint8_t *buf = model_new(n + 1);
	ssize_t got = pread(fd, buf, n, 0);
	size_t i, bad = 0, first = 0;

	CHECK_EQ_AT(line, got, n);
	for (i = 0; i < n; i++) {
		if (buf[i] != model[i]) {
			if (bad++ == 0)
				first = i;
		}
	}
	CHECK_AT(line, bad == 0);
	if (bad != 0)
		fprintf(stderr, "%s:%d:   %zu file bytes differ, first at offset %#zx "
		    "(got %#x, want %#x)\n", __FILE__, line, bad, first, buf[first], model[first]);
	free(buf);
}
#define FILE_IS(fd, model, n) file_is_at(__LINE__, (fd), (model), (n))

/* Maps obj at exactly a. */
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

struct objcount {
	struct vm_object *obj;
	uint64_t n;
};

static int count_obj(void *arg, const struct bsdvm_region *r)
{
	struct objcount *c = arg;

	if (r->object == c->obj)
		c->n++;
	return 0;
}

/* Entries of vm mapping obj. */
static uint64_t obj_entries(struct vmspace *vm, struct vm_object *obj)
{
	struct objcount c = { obj, 0 };

	bsdvm_map_foreach(M(vm), count_obj, &c);
	return c.n;
}

/* ------------------------------------------------------------------ */

/*
 * A private mapping: reads see the file (zeros past its end inside the
 * object), writes are private and never reach the file, not on sync, not
 * on unmap, not when the object dies.
 */
static void test_private(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 64, 64);
	struct vmspace *vm = new_vm(s), *c;
	const size_t fsize = 5 * page + 123, osize = 8 * page;
	int fd = make_file(fsize, 1);
	const bsdvm_addr_t a = 0x40000000, b = 0x50000000;
	uint8_t *fm = model_new(osize), *m, *mc;
	struct vm_object *obj = NULL;
	struct bsdvm_region r;
	uint64_t reads;
	size_t i;

	for (i = 0; i < fsize; i++)
		fm[i] = pat(i, 1);
	CHECK_KERN(bsdvm_object_file(s, fd, osize, true, &obj), KERN_SUCCESS);
	if (obj == NULL)
		exit(1);
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 1);
	CHECK_EQ_U64(bsdvm_object_size(obj), osize);
	CHECK_EQ_U64(stats(s).objects, 1);

	MAP_OBJ(vm, a, osize, VM_PROT_RW, 0, obj, 0);
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 2);
	CHECK(bsdvm_map_query(M(vm), a, &r));
	CHECK(r.object == obj && r.offset == 0);
	CHECK((r.eflags & MAP_ENTRY_COW) != 0);
	CHECK(r.inheritance == VM_INHERIT_COPY);
	/* nothing is read before it is touched */
	CHECK_EQ_U64(stats(s).file_reads, 0);
	CHECK(!bsdvm_vmspace_resident(vm, a));
	m = model_dup(fm, osize);
	VERIFY(vm, m, a, osize); /* the file, then zeros */
	reads = stats(s).file_reads;
	CHECK(reads >= 6 && reads <= 8);
	VERIFY(vm, m, a, osize); /* resident now: not read again */
	CHECK_EQ_U64(stats(s).file_reads, reads);

	/* private writes */
	PUT(vm, m, a, a + PG - 10, PG + 20, 2);
	PUT(vm, m, a, a + 5 * PG + 7, 50, 3);   /* inside the file's last page */
	PUT(vm, m, a, a + 7 * PG, PG, 4);       /* past the end of the file */
	VERIFY(vm, m, a, osize);
	FILE_IS(fd, fm, fsize);
	CHECK_EQ_U64(file_size(fd), fsize);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	FILE_IS(fd, fm, fsize);
	CHECK_EQ_U64(file_size(fd), fsize);

	/* a second private mapping at an offset sees the file, not the first
	 * mapping's writes */
	MAP_OBJ(vm, b, 3 * PG, VM_PROT_READ, 0, obj, 2 * PG);
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 3);
	VERIFY(vm, fm + 2 * PG, b, 3 * PG);

	/* fork: the child sees the parent's private bytes, copy-on-write */
	c = FORK(vm);
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 5);
	mc = model_dup(m, osize);
	VERIFY(c, mc, a, osize);
	PUT(c, mc, a, a + 2 * PG, 2 * PG, 5);
	PUT(vm, m, a, a + 3 * PG, PG, 6);
	VERIFY(vm, m, a, osize);
	VERIFY(c, mc, a, osize);
	VERIFY(c, fm + 2 * PG, b, 3 * PG);
	FILE_IS(fd, fm, fsize);
	bsdvm_vmspace_free(c);
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 3);

	/* unmapping does not write private pages back */
	CHECK_KERN(bsdvm_map_delete(M(vm), a, a + osize), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 2);
	FILE_IS(fd, fm, fsize);
	bsdvm_vmspace_free(vm);
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 1);
	bsdvm_object_deallocate(obj); /* the object dies */
	FILE_IS(fd, fm, fsize);
	CHECK_EQ_U64(file_size(fd), fsize);
	free(fm);
	free(m);
	free(mc);
	FINISH(s);
	drop_file(fd);
}

/*
 * A shared writable mapping: writes reach the file after bsdvm_object_sync
 * and on unmap; other shared mappings and a forked child see them at once.
 */
static void test_shared(bsdvm_size_t page)
{
	struct bsdvm_sys *s = new_sys(page, 64, 64);
	struct vmspace *vm = new_vm(s), *c;
	const size_t fsize = 6 * page, osize = 6 * page;
	int fd = make_file(fsize, 10);
	const bsdvm_addr_t a = 0x40000000, b = 0x50000000;
	uint8_t *fm = model_new(osize);
	struct vm_object *obj = NULL;
	struct bsdvm_region r;
	size_t i;

	for (i = 0; i < fsize; i++)
		fm[i] = pat(i, 10);
	CHECK_KERN(bsdvm_object_file(s, fd, osize, true, &obj), KERN_SUCCESS);
	if (obj == NULL)
		exit(1);
	MAP_OBJ(vm, a, osize, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	CHECK(bsdvm_map_query(M(vm), a, &r));
	CHECK(r.object == obj && (r.eflags & MAP_ENTRY_COW) == 0);
	CHECK(r.inheritance == VM_INHERIT_SHARE);
	VERIFY(vm, fm, a, osize);

	/* write, sync, read the file */
	PUT(vm, fm, a, a + 10, 100, 11);
	PUT(vm, fm, a, a + 2 * PG - 1, 2, 12);
	PUT(vm, fm, a, a + 4 * PG, PG, 13);
	VERIFY(vm, fm, a, osize);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	FILE_IS(fd, fm, fsize);
	CHECK_EQ_U64(file_size(fd), fsize);
	/* a second sync with nothing dirty changes nothing */
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	FILE_IS(fd, fm, fsize);

	/* a second shared mapping of part of the object sees the same pages */
	MAP_OBJ(vm, b, 2 * PG, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 4 * PG);
	VERIFY(vm, fm + 4 * PG, b, 2 * PG);
	PUT(vm, fm, b - 4 * PG, b + PG + 3, 17, 14);
	VERIFY(vm, fm, a, osize);

	/* a forked child shares the object */
	c = FORK(vm);
	VERIFY(c, fm, a, osize);
	PUT(c, fm, a, a + 3 * PG, PG / 2, 15);
	VERIFY(vm, fm, a, osize);
	bsdvm_vmspace_free(c);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	FILE_IS(fd, fm, fsize);

	/* writes, then unmap without sync: they reach the file */
	PUT(vm, fm, a, a + PG, 3 * PG, 16);
	CHECK_KERN(bsdvm_map_delete(M(vm), a, a + osize), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	FILE_IS(fd, fm, fsize);
	PUT(vm, fm, b - 4 * PG, b, 2 * PG, 17);
	CHECK_KERN(bsdvm_map_delete(M(vm), b, b + 2 * PG), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	FILE_IS(fd, fm, fsize);
	CHECK_EQ_U64(file_size(fd), fsize);

	/* mapped again: the object still holds what was written */
	MAP_OBJ(vm, a, osize, VM_PROT_READ, BSDVM_MAPF_SHARED, obj, 0);
	VERIFY(vm, fm, a, osize);
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(obj);
	FILE_IS(fd, fm, fsize);
	free(fm);
	FINISH(s);
	drop_file(fd);
}

/*
 * A file whose length is not a page multiple, mapped shared: reads past
 * the end give zeros; writing bytes inside the file's last page and
 * syncing must not change the file's length (mmap never extends a file).
 */
static void test_shared_tail(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 0);
	struct vmspace *vm = new_vm(s);
	const size_t fsize = 2 * 4096 + 100, osize = 4 * 4096;
	int fd = make_file(fsize, 20);
	const bsdvm_addr_t a = 0x40000000;
	uint8_t *fm = model_new(osize);
	struct vm_object *obj = NULL;
	size_t i;

	for (i = 0; i < fsize; i++)
		fm[i] = pat(i, 20);
	CHECK_KERN(bsdvm_object_file(s, fd, osize, true, &obj), KERN_SUCCESS);
	if (obj == NULL)
		exit(1);
	MAP_OBJ(vm, a, osize, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	VERIFY(vm, fm, a, osize); /* zeros from byte fsize on */
	/* rewrite the first page and 50 bytes inside the file's last page */
	PUT(vm, fm, a, a, PG, 21);
	PUT(vm, fm, a, a + 2 * PG + 10, 50, 22);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	FILE_IS(fd, fm, fsize);
	CHECK_EQ_U64(file_size(fd), fsize);
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(obj);
	CHECK_EQ_U64(file_size(fd), fsize);
	FILE_IS(fd, fm, fsize);
	free(fm);
	FINISH(s);
	drop_file(fd);
}

/*
 * File pages need no swap: with a tiny pool and no swap, a file four
 * times the pool is read privately and rewritten through a shared mapping
 * (dirty pages go back to the file when evicted).
 */
static void test_file_paging(void)
{
	const uint64_t frames = 16, npages = 64;
	struct bsdvm_sys *s = new_sys(4096, frames, 0);
	struct vmspace *vm = new_vm(s);
	const size_t fsize = npages * 4096;
	int fd = make_file(fsize, 30);
	const bsdvm_addr_t a = 0x40000000, b = 0x80000000;
	uint8_t *fm = model_new(fsize);
	struct vm_object *obj = NULL;
	size_t i;

	for (i = 0; i < fsize; i++)
		fm[i] = pat(i, 30);
	CHECK_KERN(bsdvm_object_file(s, fd, fsize, true, &obj), KERN_SUCCESS);
	if (obj == NULL)
		exit(1);
	MAP_OBJ(vm, a, fsize, VM_PROT_READ, 0, obj, 0);
	VERIFY(vm, fm, a, fsize);
	VERIFY(vm, fm, a, fsize);
	CHECK(stats(s).resident <= frames);
	CHECK(stats(s).file_reads >= 2 * npages - frames);
	MAP_OBJ(vm, b, fsize, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	for (i = 0; i < npages; i++)
		PUT(vm, fm, b, b + i * PG, PG, 31);
	VERIFY(vm, fm, b, fsize);
	VERIFY(vm, fm, a, fsize); /* the private view has no copies: same pages */
	CHECK_EQ_U64(stats(s).swap_used, 0);
	CHECK(stats(s).pageouts > 0);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	FILE_IS(fd, fm, fsize);
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(obj);
	FILE_IS(fd, fm, fsize);
	free(fm);
	FINISH(s);
	drop_file(fd);
}

/* References: each mapping holds one, merged mappings hold one. */
static void test_object_refs(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 16);
	struct vmspace *vm = new_vm(s);
	int fd = make_file(8 * 4096, 40);
	const bsdvm_addr_t a = 0x40000000;
	struct vm_object *obj = NULL, *anon = NULL;
	bsdvm_addr_t addr;
	uint8_t *m = model_new(4 * 4096);

	CHECK_KERN(bsdvm_object_file(s, -1, 4096, false, &obj), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_file(s, fd, 0, false, &obj), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_file(s, fd, 4096 + 1, false, &obj), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_anon(s, 0, &anon), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_object_anon(s, 100, &anon), KERN_INVALID_ARGUMENT);
	CHECK_EQ_U64(stats(s).objects, 0);
	CHECK_KERN(bsdvm_object_file(s, fd, 8 * 4096, false, &obj), KERN_SUCCESS);
	CHECK_KERN(bsdvm_object_anon(s, 4 * 4096, &anon), KERN_SUCCESS);
	if (obj == NULL || anon == NULL)
		exit(1);
	CHECK_EQ_U64(stats(s).objects, 2);

	/* adjacent pieces at contiguous offsets may merge: one reference per
	 * entry either way */
	MAP_OBJ(vm, a, 2 * PG, VM_PROT_READ, 0, obj, 0);
	MAP_OBJ(vm, a + 2 * PG, 2 * PG, VM_PROT_READ, 0, obj, 2 * PG);
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 1 + obj_entries(vm, obj));
	MAP_OBJ(vm, a + 4 * PG, 2 * PG, VM_PROT_READ, 0, obj, 6 * PG);
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 1 + obj_entries(vm, obj));
	/* splitting by protection: one more entry, one more reference */
	CHECK_KERN(bsdvm_map_protect(M(vm), a + PG, a + 2 * PG, VM_PROT_NONE, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 1 + obj_entries(vm, obj));
	CHECK_KERN(bsdvm_map_protect(M(vm), a + PG, a + 2 * PG, VM_PROT_READ, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 1 + obj_entries(vm, obj));
	/* partial unmap */
	CHECK_KERN(bsdvm_map_delete(M(vm), a + PG, a + 3 * PG), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 1 + obj_entries(vm, obj));
	/* replacing with MAPF_FIXED drops the old mapping's reference */
	MAP_OBJ(vm, a, 6 * PG, VM_PROT_RW, 0, NULL, 0);
	CHECK_EQ_U64(obj_entries(vm, obj), 0);
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 1);

	/* failed mmaps take no reference */
	addr = a;
	CHECK_KERN(bsdvm_vmspace_mmap(vm, &addr, PG, VM_PROT_READ, VM_PROT_ALL,
	    BSDVM_MAPF_FIXED | BSDVM_MAPF_EXCL, obj, 0), KERN_NO_SPACE);
	CHECK_KERN(bsdvm_vmspace_mmap(vm, &addr, PG, VM_PROT_READ, VM_PROT_ALL,
	    BSDVM_MAPF_EXCL, obj, 0), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_vmspace_mmap(vm, &addr, PG, VM_PROT_READ, VM_PROT_ALL, 0x100, obj, 0),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_vmspace_mmap(vm, &addr, PG, VM_PROT_RW, VM_PROT_READ, 0, obj, 0),
	    KERN_PROTECTION_FAILURE);
	CHECK_KERN(bsdvm_vmspace_mmap(vm, &addr, PG, VM_PROT_READ, VM_PROT_ALL, 0, NULL, PG),
	    KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_vmspace_mmap(vm, NULL, PG, VM_PROT_READ, VM_PROT_ALL, 0, obj, 0),
	    KERN_INVALID_ARGUMENT);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(bsdvm_object_refcount(obj), 1);
	CHECK_EQ_U64(stats(s).objects, 2);
	/* private anonymous memory creates no object */
	MAP_AT(vm, 0x70000000, 2 * PG, 0);
	PUT(vm, NULL, 0x70000000, 0x70000000, 2 * PG, 40);
	CHECK_EQ_U64(stats(s).objects, 2);

	/* without MAPF_FIXED: placed in free space */
	addr = 0;
	CHECK_KERN(bsdvm_vmspace_mmap(vm, &addr, 4 * PG, VM_PROT_RW, VM_PROT_ALL,
	    BSDVM_MAPF_SHARED, anon, 0), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK(addr >= VM_MIN && addr % PG == 0);
	CHECK_EQ_U64(bsdvm_object_refcount(anon), 2);
	PUT(vm, m, addr, addr, 4 * PG, 41);
	/* the anonymous object keeps its pages while referenced */
	CHECK_KERN(bsdvm_map_delete(M(vm), addr, addr + 4 * PG), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(bsdvm_object_refcount(anon), 1);
	addr = 0x60000000;
	MAP_OBJ(vm, addr, 4 * PG, VM_PROT_READ, BSDVM_MAPF_SHARED, anon, 0);
	VERIFY(vm, m, addr, 4 * PG);
	bsdvm_object_reference(anon);
	CHECK_EQ_U64(bsdvm_object_refcount(anon), 3);
	bsdvm_object_deallocate(anon);
	bsdvm_object_deallocate(anon); /* the mapping keeps it alive */
	CHECK_EQ_U64(stats(s).objects, 2);
	VERIFY(vm, m, addr, 4 * PG);
	bsdvm_vmspace_free(vm);
	CHECK_EQ_U64(stats(s).objects, 1);
	bsdvm_object_deallocate(obj);
	bsdvm_object_deallocate(NULL);
	free(m);
	FINISH(s);
	drop_file(fd);
}

/* I/O errors: a page that cannot be read faults with KERN_FAILURE; a
 * page that cannot be written back makes sync return KERN_FAILURE. */
static void test_file_errors(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 0);
	struct vmspace *vm = new_vm(s);
	int fd = make_file(4 * 4096, 50), rfd, wfd;
	const bsdvm_addr_t a = 0x40000000, b = 0x50000000;
	struct vm_object *ro = NULL, *wo = NULL;
	uint8_t *fm = model_new(4 * 4096), byte = 0;
	size_t i;

	for (i = 0; i < 4 * 4096; i++)
		fm[i] = pat(i, 50);
	rfd = open(tmp_path, O_RDONLY);
	wfd = open(tmp_path, O_WRONLY);
	CHECK(rfd >= 0 && wfd >= 0);
	/* writable object on a read-only descriptor: sync fails */
	CHECK_KERN(bsdvm_object_file(s, rfd, 4 * PG, true, &ro), KERN_SUCCESS);
	/* object on a write-only descriptor: reading fails */
	CHECK_KERN(bsdvm_object_file(s, wfd, 4 * PG, true, &wo), KERN_SUCCESS);
	if (ro == NULL || wo == NULL)
		exit(1);
	MAP_OBJ(vm, a, 4 * PG, VM_PROT_RW, BSDVM_MAPF_SHARED, ro, 0);
	MAP_OBJ(vm, b, 4 * PG, VM_PROT_RW, BSDVM_MAPF_SHARED, wo, 0);
	CHECK_KERN(bsdvm_copyin(vm, b, &byte, 1, NULL), KERN_FAILURE);
	CHECK_KERN(bsdvm_fault(M(vm), b + PG, VM_PROT_READ), KERN_FAILURE);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(stats(s).resident, 0); /* the frame went back */
	VERIFY(vm, fm, a, 4 * PG);
	CHECK_KERN(bsdvm_object_sync(ro), KERN_SUCCESS); /* nothing dirty */
	PUT(vm, NULL, a, a + PG, 10, 51);
	CHECK_KERN(bsdvm_object_sync(ro), KERN_FAILURE);
	FILE_IS(fd, fm, 4 * PG);
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(ro);
	bsdvm_object_deallocate(wo);
	FILE_IS(fd, fm, 4 * PG);
	close(rfd);
	close(wfd);
	free(fm);
	FINISH(s);
	drop_file(fd);
}

/*
 * Wiring a private file mapping makes every page a private copy now
 * (copy-on-write is resolved by the wiring); the file never changes and
 * the copies stay resident.  Wiring a shared mapping wires the file's own
 * pages.
 */
static void test_wire_file(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 0);
	struct vmspace *vm = new_vm(s);
	int fd = make_file(4 * 4096, 70);
	const bsdvm_addr_t a = 0x40000000, b = 0x50000000;
	struct vm_object *obj = NULL;
	uint8_t *fm = model_new(4 * 4096), *m;
	uint64_t copies;
	size_t i;

	for (i = 0; i < 4 * 4096; i++)
		fm[i] = pat(i, 70);
	m = model_dup(fm, 4 * PG);
	CHECK_KERN(bsdvm_object_file(s, fd, 4 * PG, true, &obj), KERN_SUCCESS);
	if (obj == NULL)
		exit(1);
	MAP_OBJ(vm, a, 4 * PG, VM_PROT_RW, 0, obj, 0);
	MAP_OBJ(vm, b, 4 * PG, VM_PROT_RW, BSDVM_MAPF_SHARED, obj, 0);
	copies = stats(s).cow_copies;
	CHECK_KERN(bsdvm_map_wire(M(vm), a, a + 4 * PG, 0), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(stats(s).cow_copies - copies, 4);
	CHECK_EQ_U64(stats(s).wired, 4);
	VERIFY(vm, fm, a, 4 * PG);
	/* the shared mapping writes the file's pages; the wired private copies
	 * do not see it */
	PUT(vm, fm, b, b + PG, PG, 71);
	VERIFY(vm, m, a, 4 * PG);
	PUT(vm, m, a, a + 2 * PG, PG, 72);
	VERIFY(vm, fm, b, 4 * PG);
	CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
	FILE_IS(fd, fm, 4 * PG);
	CHECK_KERN(bsdvm_map_wire(M(vm), b, b + 4 * PG, 0), KERN_SUCCESS);
	CHECK_MAP(M(vm));
	CHECK_EQ_U64(stats(s).wired, 8);
	CHECK_EQ_U64(stats(s).cow_copies - copies, 4);
	bsdvm_sys_pageout(s, UINT64_MAX);
	bsdvm_sys_pageout(s, UINT64_MAX);
	CHECK_EQ_U64(stats(s).resident, 8);
	VERIFY(vm, m, a, 4 * PG);
	VERIFY(vm, fm, b, 4 * PG);
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(obj);
	FILE_IS(fd, fm, 4 * PG);
	free(fm);
	free(m);
	FINISH(s);
	drop_file(fd);
}

/*
 * A file object created read-only (writable = false) mapped shared with
 * write access: either the mapping is refused, or what is written stays
 * in memory for as long as the object lives - a pageout must not silently
 * bring the file's old bytes back.  The file itself never changes.
 */
static void test_readonly_object(void)
{
	struct bsdvm_sys *s = new_sys(4096, 64, 64);
	struct vmspace *vm = new_vm(s);
	int fd = make_file(4 * 4096, 60);
	const bsdvm_addr_t a = 0x40000000;
	struct vm_object *obj = NULL;
	uint8_t *fm = model_new(4 * 4096), *m;
	bsdvm_addr_t addr = a;
	size_t i;
	int rv;

	for (i = 0; i < 4 * 4096; i++)
		fm[i] = pat(i, 60);
	m = model_dup(fm, 4 * PG);
	CHECK_KERN(bsdvm_object_file(s, fd, 4 * PG, false, &obj), KERN_SUCCESS);
	if (obj == NULL)
		exit(1);
	rv = bsdvm_vmspace_mmap(vm, &addr, 4 * PG, VM_PROT_RW, VM_PROT_ALL,
	    BSDVM_MAPF_FIXED | BSDVM_MAPF_SHARED, obj, 0);
	CHECK_MAP(M(vm));
	CHECK(rv == KERN_SUCCESS || rv == KERN_PROTECTION_FAILURE ||
	    rv == KERN_INVALID_ARGUMENT);
	if (rv == KERN_SUCCESS) {
		PUT(vm, m, a, a + PG, 2 * PG, 61);
		VERIFY(vm, m, a, 4 * PG);
		CHECK_KERN(bsdvm_object_sync(obj), KERN_SUCCESS);
		bsdvm_sys_pageout(s, UINT64_MAX);
		bsdvm_sys_pageout(s, UINT64_MAX);
		VERIFY(vm, m, a, 4 * PG); /* the written bytes, not the file's */
		FILE_IS(fd, fm, 4 * PG);
	}
	bsdvm_vmspace_free(vm);
	bsdvm_object_deallocate(obj);
	FILE_IS(fd, fm, 4 * PG);
	free(fm);
	free(m);
	FINISH(s);
	drop_file(fd);
}

int main(void)
{
	test_private(4096);
	test_private(16384);
	test_shared(4096);
	test_shared(65536);
	test_shared_tail();
	test_file_paging();
	test_object_refs();
	test_file_errors();
	test_wire_file();
	test_readonly_object();
	return test_main_exit("test_mem_file");
}
