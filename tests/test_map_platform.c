/*
 * test_map_platform.c - a map on an embedder's own platform: entries and
 * index nodes come from alloc_aligned when the platform has it (64-byte
 * aligned, so a node's keys fill exactly two cache lines), every
 * allocation is given back, and the map works as on the default platform.
 */
#include <stdint.h>

#include "testutil.h"

static long aligned_live, aligned_calls, plain_live;
static size_t last_align;

static void *my_alloc(void *ctx, size_t size)
{
	(void)ctx;
	plain_live++;
	return calloc(1, size);
}

static void my_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	(void)size;
	if (p != NULL)
		plain_live--;
	free(p);
}

static void *my_alloc_aligned(void *ctx, size_t size, size_t align)
{
	void *p;

	(void)ctx;
	last_align = align;
	p = aligned_alloc(align, (size + align - 1) & ~(align - 1));
	if (p != NULL) {
		memset(p, 0, size);
		aligned_live++;
		aligned_calls++;
	}
	return p;
}

static void my_free_aligned(void *ctx, void *p, size_t size)
{
	(void)ctx;
	(void)size;
	if (p != NULL)
		aligned_live--;
	free(p);
}

int main(void)
{
	struct bsdvm_platform plat = *bsdvm_platform_default();
	struct bsdvm_map_params mp = { .min = 0x100000, .max = 0x40000000, .platform = &plat };
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL);
	struct vm_map *map;
	struct vm_map_entry *e;
	bool aligned = true;
	int i;

	plat.alloc = my_alloc;
	plat.free = my_free;
	plat.alloc_aligned = my_alloc_aligned;
	plat.free_aligned = my_free_aligned;
	CHECK_KERN(bsdvm_map_create(&mp, &map), KERN_SUCCESS);
	for (i = 0; i < 200; i++)
		CHECK_KERN(bsdvm_map_insert(map, 0x200000 + (bsdvm_addr_t)i * 0x2000,
		    0x201000 + (bsdvm_addr_t)i * 0x2000, &a), KERN_SUCCESS);
	CHECK_MAP(map);
	CHECK(aligned_calls >= 200);
	CHECK(last_align == 64);
	bsdvm_map_lock_read(map);
	for (e = bsdvm_map_first(map); e != NULL; e = bsdvm_map_entry_succ(map, e))
		aligned = aligned && ((uintptr_t)e % 64) == 0;
	bsdvm_map_unlock_read(map);
	CHECK(aligned);
	/* split, merge and delete work the same on this platform */
	CHECK_KERN(bsdvm_map_protect(map, 0x200000, 0x300000, VM_PROT_READ, 0,
	    BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
	CHECK_MAP(map);
	CHECK_KERN(bsdvm_map_delete(map, 0x200000, 0x400000), KERN_SUCCESS);
	CHECK_MAP(map);
	bsdvm_map_destroy(map);
	/* every entry went back through free_aligned, the rest through free */
	CHECK(aligned_live == 0);
	CHECK(plain_live == 0);
	return test_main_exit("test_map_platform");
}
