/*
 * kmem.c - the kernel side: wired kernel memory and u-areas (kernel stacks
 * with an unmapped guard page below), allocated from the kernel vmspace.
 * A kernel mapping that ends past the kernel pmap's current top grows it
 * (pmap_growkernel(9)); the vmspace's insert hook does that for every
 * mapping into the kernel vmspace.
 */
#include "mem/mem_impl.h"

static struct vm_map *kmap(struct bsdvm_sys *sys)
{
	return sys->kernel->map;
}

/* Finds space and maps `attrs`-style entries for [a, a + guard + size):
 * an optional guard page, then wired memory.  Returns 0 on failure. */
static bsdvm_addr_t kernel_alloc(struct bsdvm_sys *sys, bsdvm_size_t size, bsdvm_size_t guard)
{
	struct vm_map *map = kmap(sys);
	struct bsdvm_space_req req = { .length = size + guard, .flags = BSDVM_SPACE_BOTTOMUP };
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_RW);
	struct bsdvm_entry_attrs g = bsdvm_attrs_anon(VM_PROT_NONE, VM_PROT_NONE);
	bsdvm_addr_t addr = 0;
	int rv;

	if (size == 0 || (size & (sys->page_size - 1)) != 0 || size + guard < size)
		return 0;
	a.inherit = g.inherit = VM_INHERIT_NONE;
	a.eflags = MAP_ENTRY_NOMERGE;
	g.eflags = MAP_ENTRY_GUARD | MAP_ENTRY_NOMERGE;
	bsdvm_map_lock(map);
	rv = bsdvm_map_findspace_locked(map, &req, &addr);
	if (rv == KERN_SUCCESS) /* the insertion grows the kernel pmap (vmspace.c) */
		rv = bsdvm_map_insert_locked(map, addr + guard, addr + guard + size, &a);
	if (rv == KERN_SUCCESS && guard != 0) {
		rv = bsdvm_map_insert_locked(map, addr, addr + guard, &g);
		if (rv != KERN_SUCCESS)
			bsdvm_map_delete_locked(map, addr + guard, addr + guard + size);
	}
	bsdvm_map_unlock(map);
	if (rv != KERN_SUCCESS)
		return 0;
	if (bsdvm_map_wire(map, addr + guard, addr + guard + size, 0) != KERN_SUCCESS) {
		bsdvm_map_delete(map, addr, addr + guard + size);
		return 0;
	}
	return addr + guard;
}

bsdvm_addr_t bsdvm_kmem_alloc(struct bsdvm_sys *sys, bsdvm_size_t size)
{
	size = (size + sys->page_size - 1) & ~(bsdvm_size_t)(sys->page_size - 1);
	return kernel_alloc(sys, size, 0);
}

void bsdvm_kmem_free(struct bsdvm_sys *sys, bsdvm_addr_t addr, bsdvm_size_t size)
{
	size = (size + sys->page_size - 1) & ~(bsdvm_size_t)(sys->page_size - 1);
	bsdvm_map_delete(kmap(sys), addr, addr + size);
}

bsdvm_addr_t bsdvm_uarea_alloc(struct bsdvm_sys *sys, bool system)
{
	bsdvm_addr_t a = kernel_alloc(sys, sys->uarea_size, sys->page_size);

	if (a != 0) {
		sys_lock(sys);
		sys->uareas[system ? 1 : 0]++;
		sys_unlock(sys);
	}
	return a;
}

void bsdvm_uarea_free(struct bsdvm_sys *sys, bsdvm_addr_t uaddr, bool system)
{
	if (uaddr == 0)
		return;
	bsdvm_map_delete(kmap(sys), uaddr - sys->page_size, uaddr + sys->uarea_size);
	sys_lock(sys);
	sys->uareas[system ? 1 : 0]--;
	sys_unlock(sys);
}

bsdvm_size_t bsdvm_uarea_size(const struct bsdvm_sys *sys)
{
	return sys->uarea_size;
}
