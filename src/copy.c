/*
 * copy.c - byte access through a vmspace (copyin/copyout), acting as the
 * software MMU: each page is translated through the pmap; a missing or
 * insufficient translation is a fault, resolved by the fault handler, and
 * the referenced/modified bits are set as hardware would set them.
 */
#include <string.h>

#include "mem/mem_impl.h"

static int vm_access(struct vmspace *vm, bsdvm_addr_t uaddr, uint8_t *buf, size_t len,
    size_t *done, bool write)
{
	struct bsdvm_sys *sys = vm->sys;
	const bsdvm_prot_t need = write ? VM_PROT_WRITE : VM_PROT_READ;
	size_t moved = 0;
	int rv = KERN_SUCCESS;

	bsdvm_map_lock(vm->map);
	sys_lock(sys);
	while (moved < len) {
		bsdvm_addr_t va = uaddr + moved;
		bsdvm_addr_t pva = va & ~(bsdvm_addr_t)(sys->page_size - 1);
		size_t off = (size_t)(va - pva), n = sys->page_size - off;
		bsdvm_prot_t prot = VM_PROT_NONE;
		struct vm_page *pg;

		if (va < uaddr) { /* wrapped past the top of the address space */
			rv = KERN_INVALID_ADDRESS;
			break;
		}
		if (n > len - moved)
			n = len - moved;
		pg = sys->pmap->extract(sys->pmap_ctx, vm->pmap, pva, &prot);
		if (pg == NULL || (prot & need) == 0) {
			rv = fault_locked(vm, pva, need, false);
			if (rv != KERN_SUCCESS)
				break;
			pg = sys->pmap->extract(sys->pmap_ctx, vm->pmap, pva, &prot);
			if (pg == NULL || (prot & need) == 0) {
				rv = KERN_FAILURE;
				break;
			}
		}
		if (write) {
			memcpy(pg->data + off, buf + moved, n);
			sys->pmap->page_mark(sys->pmap_ctx, pg,
			    PMAP_ATTR_REFERENCED | PMAP_ATTR_MODIFIED);
			if (pg->object != NULL)
				pg->flags |= PG_DIRTY;
		} else {
			memcpy(buf + moved, pg->data + off, n);
			sys->pmap->page_mark(sys->pmap_ctx, pg, PMAP_ATTR_REFERENCED);
		}
		moved += n;
	}
	sys_unlock(sys);
	bsdvm_map_unlock(vm->map);
	if (done != NULL)
		*done = moved;
	return rv;
}

int bsdvm_copyin(struct vmspace *vm, bsdvm_addr_t uaddr, void *buf, size_t len, size_t *done)
{
	if (vm == NULL || (buf == NULL && len != 0))
		return KERN_INVALID_ARGUMENT;
	return vm_access(vm, uaddr, buf, len, done, false);
}

int bsdvm_copyout(struct vmspace *vm, const void *buf, bsdvm_addr_t uaddr, size_t len,
    size_t *done)
{
	if (vm == NULL || (buf == NULL && len != 0))
		return KERN_INVALID_ARGUMENT;
	return vm_access(vm, uaddr, (uint8_t *)(uintptr_t)buf, len, done, true);
}

bool bsdvm_vmspace_resident(struct vmspace *vm, bsdvm_addr_t addr)
{
	struct bsdvm_sys *sys = vm->sys;
	struct vm_map_entry *e;
	bool r = false;

	bsdvm_map_lock_read(vm->map);
	sys_lock(sys);
	e = map_tree_lookup(vm->map, addr, NULL);
	if (e != NULL)
		r = entry_page(sys, e, addr & ~(bsdvm_addr_t)(sys->page_size - 1)) != NULL;
	sys_unlock(sys);
	bsdvm_map_unlock_read(vm->map);
	return r;
}
