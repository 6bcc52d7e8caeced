/*
 * memtest.c - helpers shared by the memory-layer tests (see memtest.h).
 */
#include "memtest.h"

bsdvm_size_t PG;

struct bsdvm_sys *new_sys(bsdvm_size_t page, uint64_t frames, uint64_t swap)
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

struct bsdvm_sys *new_sys_pmap(uint64_t frames, const struct pmap_ops *ops)
{
	struct bsdvm_sys_params p;
	struct bsdvm_sys *s = NULL;

	memset(&p, 0, sizeof(p));
	p.frames = frames;
	p.pmap = ops;
	p.pmap_ctx = (void *)(uintptr_t)bsdvm_platform_default();
	CHECK_KERN(bsdvm_sys_create(&p, &s), KERN_SUCCESS);
	PG = 4096;
	return s;
}

struct bsdvm_sys_stats stats(struct bsdvm_sys *s)
{
	struct bsdvm_sys_stats st;

	memset(&st, 0xa5, sizeof(st));
	bsdvm_sys_get_stats(s, &st);
	return st;
}

struct vmspace *new_vm(struct bsdvm_sys *s)
{
	struct vmspace *vm = NULL;

	if (bsdvm_vmspace_create(s, VM_MIN, VM_MAX, 0, &vm) != KERN_SUCCESS) {
		fprintf(stderr, "bsdvm_vmspace_create failed\n");
		exit(2);
	}
	CHECK_MAP(bsdvm_vmspace_map(vm));
	return vm;
}

struct vm_map *M(struct vmspace *vm)
{
	return bsdvm_vmspace_map(vm);
}

/* Everything is gone: counters at zero, then destroy, then no leak. */
void finish_at(const char *file, int line, struct bsdvm_sys *s)
{
	struct bsdvm_sys_stats st = stats(s);

	CHECK_EQ_FL(file, line, st.anons, 0);
	CHECK_EQ_FL(file, line, st.amaps, 0);
	CHECK_EQ_FL(file, line, st.objects, 0);
	CHECK_EQ_FL(file, line, st.resident, 0);
	CHECK_EQ_FL(file, line, st.wired, 0);
	CHECK_EQ_FL(file, line, st.swap_used, 0);
	CHECK_EQ_FL(file, line, st.vmspaces, 1);
	CHECK_EQ_FL(file, line, st.free, st.frames);
	CHECK_FL(file, line, vm_map_check(M(bsdvm_sys_kernel(s))));
	bsdvm_sys_destroy(s);
	CHECK_EQ_FL(file, line, bsdvm_alloc_live_bytes(), 0);
}

/* The byte a pattern `tag` puts at address a (never constant over a page). */
uint8_t pat(bsdvm_addr_t a, unsigned tag)
{
	uint64_t x = a * 0x9E3779B97F4A7C15ull ^ ((uint64_t)tag + 1) * 0xC2B2AE3D27D4EB4Full;

	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ull;
	x ^= x >> 32;
	return (uint8_t)(x | 1); /* never 0, so a zero page never matches */
}

/* Maps anonymous memory at exactly a. */
void map_at(const char *file, int line, struct vmspace *vm, bsdvm_addr_t a, bsdvm_size_t len,
    uint32_t flags)
{
	bsdvm_addr_t addr = a;

	CHECK_KERN_FL(file, line, bsdvm_vmspace_mmap(vm, &addr, len, VM_PROT_RW, VM_PROT_ALL,
	    BSDVM_MAPF_FIXED | BSDVM_MAPF_EXCL | flags, NULL, 0), KERN_SUCCESS);
	CHECK_EQ_FL(file, line, addr, a);
	CHECK_FL(file, line, vm_map_check(M(vm)));
}

/* Writes pattern `tag` over [a, a + n) and records it in model (which
 * describes the range starting at base). */
void put_at(const char *file, int line, struct vmspace *vm, uint8_t *model, bsdvm_addr_t base,
    bsdvm_addr_t a, size_t n, unsigned tag)
{
	uint8_t *buf = malloc(n);
	size_t done = (size_t)-1, i;

	if (buf == NULL)
		exit(2);
	for (i = 0; i < n; i++)
		buf[i] = pat(a + i, tag);
	CHECK_KERN_FL(file, line, bsdvm_copyout(vm, buf, a, n, &done), KERN_SUCCESS);
	CHECK_EQ_FL(file, line, done, n);
	if (model != NULL)
		memcpy(model + (a - base), buf, n);
	CHECK_FL(file, line, vm_map_check(M(vm)));
	free(buf);
}

/* Reads [base, base + n) and compares every byte with model. */
void verify_at(const char *file, int line, struct vmspace *vm, const uint8_t *model, bsdvm_addr_t base,
    size_t n)
{
	uint8_t *buf = malloc(n);
	size_t done = (size_t)-1, i, bad = 0, first = 0;

	if (buf == NULL)
		exit(2);
	memset(buf, 0x5a, n);
	CHECK_KERN_FL(file, line, bsdvm_copyin(vm, base, buf, n, &done), KERN_SUCCESS);
	CHECK_EQ_FL(file, line, done, n);
	for (i = 0; i < n; i++) {
		if (buf[i] != model[i]) {
			if (bad++ == 0)
				first = i;
		}
	}
	CHECK_FL(file, line, bad == 0);
	if (bad != 0)
		fprintf(stderr, "%s:%d:   %zu bytes differ, first at %#" PRIx64
		    " (got %#x, want %#x)\n", file, line, bad, base + first, buf[first],
		    model[first]);
	CHECK_FL(file, line, vm_map_check(M(vm)));
	free(buf);
}

uint8_t *model_new(size_t n)
{
	uint8_t *m = calloc(1, n);

	if (m == NULL)
		exit(2);
	return m;
}

uint8_t *model_dup(const uint8_t *src, size_t n)
{
	uint8_t *m = model_new(n);

	memcpy(m, src, n);
	return m;
}

struct vmspace *fork_at(const char *file, int line, struct vmspace *vm)
{
	struct vmspace *child = NULL;

	CHECK_KERN_FL(file, line, bsdvm_vmspace_fork(vm, &child), KERN_SUCCESS);
	if (child == NULL) {
		fprintf(stderr, "%s:%d: fork failed, cannot go on\n", file, line);
		exit(1);
	}
	CHECK_FL(file, line, vm_map_check(M(vm)));
	CHECK_FL(file, line, vm_map_check(M(child)));
	return child;
}

static int count_entry(void *arg, const struct bsdvm_region *r)
{
	(void)r;
	(*(uint64_t *)arg)++;
	return 0;
}

uint64_t nentries(struct vmspace *vm)
{
	uint64_t n = 0;

	bsdvm_map_foreach(M(vm), count_entry, &n);
	return n;
}
