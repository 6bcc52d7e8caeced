/*
 * freebsd.c - the FreeBSD face (bsdvm/vm_map.h): translates FreeBSD's
 * argument lists, cow flags and strategies onto the engine.  No behaviour
 * of its own beyond that translation and the rules the manual pages state.
 */
#include <errno.h>

#include <bsdvm/vm_map.h>

#include "mem/mem_impl.h"

/* cow flags -> entry attributes; KERN_INVALID_ARGUMENT for unknown bits */
static int cow_attrs(vm_object_t object, vm_ooffset_t offset, vm_prot_t prot, vm_prot_t max,
    int cow, struct bsdvm_entry_attrs *a)
{
	if (((unsigned)cow & ~(unsigned)BSDVM_FREEBSD_COW_MASK) != 0)
		return KERN_INVALID_ARGUMENT;
	*a = bsdvm_attrs_anon(prot, max);
	a->object = object;
	a->offset = offset;
	a->inherit = (cow & MAP_INHERIT_SHARE) ? VM_INHERIT_SHARE : VM_INHERIT_COPY;
	if (cow & MAP_COPY_ON_WRITE)
		a->eflags |= MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY;
	if (cow & MAP_NOFAULT)
		a->eflags |= MAP_ENTRY_NOFAULT;
	if (cow & MAP_DISABLE_SYNCER)
		a->eflags |= MAP_ENTRY_NOSYNC;
	if (cow & MAP_DISABLE_COREDUMP)
		a->eflags |= MAP_ENTRY_NOCOREDUMP;
	if (cow & MAP_CREATE_GUARD)
		a->eflags |= MAP_ENTRY_GUARD;
	if (cow & MAP_STACK_GROWS_DOWN)
		a->eflags |= MAP_ENTRY_GROWS_DOWN;
	if (cow & MAP_STACK_GROWS_UP)
		a->eflags |= MAP_ENTRY_GROWS_UP;
	return KERN_SUCCESS;
}

/* An object counts as "backed by superpages" when it spans at least one:
 * its pages can then sit in superpage-aligned frames, and a mapping must
 * keep the same offset within the superpage. */
static bool object_superpaged(vm_map_t map, vm_object_t object)
{
	return object != NULL && object->size >= map->superpage_size;
}

static int find_strategy(vm_map_t map, vm_object_t object, vm_ooffset_t offset, int find_space,
    struct bsdvm_space_req *req)
{
	unsigned n;

	req->align = 0;
	req->align_offset = 0;
	switch (find_space) {
	case VMFS_ANY_SPACE:
		return KERN_SUCCESS;
	case VMFS_OPTIMAL_SPACE:
		/* only an object already backed by superpages has a placement
		 * worth preferring; otherwise this is plain first fit */
		if (!object_superpaged(map, object))
			return KERN_SUCCESS;
		req->align = map->superpage_size;
		req->align_offset = offset & (map->superpage_size - 1);
		return KERN_SUCCESS;
	case VMFS_SUPER_SPACE:
		req->align = map->superpage_size;
		if (object_superpaged(map, object))
			req->align_offset = offset & (map->superpage_size - 1);
		return KERN_SUCCESS;
	default:
		if ((find_space & 0xff) != 0 || find_space < 0)
			return KERN_INVALID_ARGUMENT;
		n = (unsigned)find_space >> 8;
		if (n >= 64)
			return KERN_INVALID_ARGUMENT;
		req->align = (bsdvm_size_t)1 << n;
		if (req->align < map->page_size)
			req->align = map->page_size;
		return KERN_SUCCESS;
	}
}

int vm_map_find(vm_map_t map, vm_object_t object, vm_ooffset_t offset, vm_offset_t *addr,
    vm_size_t length, vm_offset_t max_addr, int find_space, vm_prot_t prot, vm_prot_t max,
    int cow)
{
	const int stack = MAP_STACK_GROWS_DOWN | MAP_STACK_GROWS_UP;
	struct bsdvm_space_req req = { 0 };
	struct bsdvm_entry_attrs a;
	vm_offset_t start;
	int rv;

	if (map == NULL || addr == NULL)
		return KERN_INVALID_ARGUMENT;
	rv = cow_attrs(object, offset, prot, max, cow, &a);
	if (rv != KERN_SUCCESS)
		return rv;
	/* stacks have no object; REMAP only replaces at a fixed address */
	if (((cow & stack) && object != NULL) ||
	    ((cow & MAP_REMAP) && (find_space != VMFS_NO_SPACE || (cow & stack))))
		return KERN_INVALID_ARGUMENT;
	if (find_space != VMFS_NO_SPACE) {
		rv = find_strategy(map, object, offset, find_space, &req);
		if (rv != KERN_SUCCESS)
			return rv;
	}
	start = *addr;
	vm_map_lock(map);
	if (find_space == VMFS_NO_SPACE) {
		struct vm_map_entry *prev;

		if (max_addr != 0 && (start > max_addr || length > max_addr - start))
			rv = KERN_NO_SPACE;
		/* the page: a mapped *addr is KERN_NO_SPACE, whatever else is
		 * wrong with the request (FreeBSD checks the overlap first too) */
		else if (!(cow & MAP_REMAP) && length != 0 && start <= UINT64_MAX - length &&
		    (map_tree_lookup(map, start, &prev) != NULL ||
		     (prev->next != MAP_HEADER(map) && prev->next->start < start + length)))
			rv = KERN_NO_SPACE;
	} else {
		req.hint = start;
		req.length = length;
		req.max_end = max_addr;
		req.flags = BSDVM_SPACE_BOTTOMUP; /* the page: first fit from *addr */
		rv = bsdvm_map_findspace_locked(map, &req, &start);
		if (rv != KERN_SUCCESS && find_space == VMFS_OPTIMAL_SPACE) {
			req.align = 0; /* optimal falls back to any space */
			req.align_offset = 0;
			rv = bsdvm_map_findspace_locked(map, &req, &start);
		}
		if (rv == KERN_INVALID_ARGUMENT)
			rv = length == 0 ? KERN_INVALID_ADDRESS : KERN_INVALID_ARGUMENT;
	}
	if (rv == KERN_SUCCESS && start > UINT64_MAX - length)
		rv = KERN_INVALID_ADDRESS;
	if (rv == KERN_SUCCESS) {
		if (cow & stack)
			/* vm_map_find(9): a length of 0 is KERN_INVALID_ADDRESS
			 * whatever the strategy (vm_map_stack(9) itself calls a
			 * max_ssize of 0 KERN_NO_SPACE, as its page says) */
			rv = length == 0 ? KERN_INVALID_ADDRESS
			    : map_stack_locked(map, start, length, prot, max, a.eflags, a.inherit);
		else if (cow & MAP_REMAP)
			rv = bsdvm_map_fixed_locked(map, start, start + length, &a);
		else
			rv = bsdvm_map_insert_locked(map, start, start + length, &a);
	}
	if (rv == KERN_SUCCESS)
		*addr = start; /* a kernel mapping grew the kernel pmap (vmspace.c) */
	vm_map_unlock(map);
	return rv;
}

int vm_map_findspace(vm_map_t map, vm_offset_t start, vm_size_t length, vm_offset_t *addr)
{
	struct bsdvm_space_req req = { .hint = start, .length = length,
		.flags = BSDVM_SPACE_BOTTOMUP };
	vm_offset_t a;

	if (map == NULL || addr == NULL || bsdvm_map_findspace_locked(map, &req, &a) != KERN_SUCCESS)
		return 1;
	/* every insertion into the kernel map grows the kernel pmap
	 * (vmspace.c); a search that only finds space does too, as
	 * FreeBSD's vm_map_findspace */
	vmspace_kernel_grow(map, a + length);
	*addr = a;
	return 0;
}

int vm_map_insert(vm_map_t map, vm_object_t object, vm_ooffset_t offset, vm_offset_t start,
    vm_offset_t end, vm_prot_t prot, vm_prot_t max, int cow)
{
	struct bsdvm_entry_attrs a;
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	rv = cow_attrs(object, offset, prot, max, cow, &a);
	if (rv == KERN_SUCCESS)
		rv = bsdvm_map_insert_locked(map, start, end, &a);
	return rv;
}

int vm_map_stack(vm_map_t map, vm_offset_t addrbos, vm_size_t max_ssize, vm_prot_t prot,
    vm_prot_t max, int cow)
{
	struct bsdvm_entry_attrs a;
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	/* the page: the cow flags are applied to the new mapping too */
	rv = cow_attrs(NULL, 0, prot, max, cow, &a);
	if (rv != KERN_SUCCESS || (cow & (MAP_CREATE_GUARD | MAP_REMAP)))
		return KERN_INVALID_ARGUMENT;
	vm_map_lock(map);
	rv = map_stack_locked(map, addrbos, max_ssize, prot, max, a.eflags, a.inherit);
	vm_map_unlock(map);
	return rv;
}

int vm_map_growstack(struct proc *p, vm_offset_t addr)
{
	int rv;

	if (p == NULL)
		return KERN_INVALID_ARGUMENT;
	/* the page: the process lock is held for the whole call */
	bsdvm_proc_lock(p);
	rv = bsdvm_map_growstack(bsdvm_vmspace_map(bsdvm_proc_vmspace(p)), addr);
	bsdvm_proc_unlock(p);
	return rv;
}

vm_map_t vm_map_create(pmap_t pmap, vm_offset_t min, vm_offset_t max)
{
	struct bsdvm_map_params p = { .min = min, .max = max };
	struct vm_map *map;

	(void)pmap; /* a plain map keeps no translations; vmspaces own pmaps */
	return bsdvm_map_create(&p, &map) == KERN_SUCCESS ? map : NULL;
}

void vm_map_destroy(vm_map_t map) { bsdvm_map_destroy(map); }
vm_offset_t vm_map_min(vm_map_t map) { return bsdvm_map_min(map); }
vm_offset_t vm_map_max(vm_map_t map) { return bsdvm_map_max(map); }

boolean_t vm_map_lookup_entry(vm_map_t map, vm_offset_t address, vm_map_entry_t *entry)
{
	return bsdvm_map_lookup_entry(map, address, entry) ? TRUE : FALSE;
}

int vm_map_protect(vm_map_t map, vm_offset_t start, vm_offset_t end, vm_prot_t new_prot,
    vm_prot_t new_maxprot, int flags)
{
	uint32_t f = 0;

	if (map == NULL ||
	    (flags & ~(VM_MAP_PROTECT_SET_PROT | VM_MAP_PROTECT_SET_MAXPROT)) != 0)
		return KERN_INVALID_ARGUMENT;
	if (flags & VM_MAP_PROTECT_SET_PROT)
		f |= BSDVM_PROTECT_SET_PROT;
	if (flags & VM_MAP_PROTECT_SET_MAXPROT)
		f |= BSDVM_PROTECT_SET_MAX;
	return bsdvm_map_protect(map, start, end, new_prot, new_maxprot, f);
}

int vm_map_remove(vm_map_t map, vm_offset_t start, vm_offset_t end)
{
	return map != NULL ? bsdvm_map_delete(map, start, end) : KERN_INVALID_ARGUMENT;
}

int vm_map_delete(vm_map_t map, vm_offset_t start, vm_offset_t end)
{
	return map != NULL ? bsdvm_map_delete_locked(map, start, end) : KERN_INVALID_ARGUMENT;
}

int vm_map_inherit(vm_map_t map, vm_offset_t start, vm_offset_t end,
    vm_inherit_t new_inheritance)
{
	return map != NULL ? bsdvm_map_inherit(map, start, end, new_inheritance)
			   : KERN_INVALID_ARGUMENT;
}

int vm_map_madvise(vm_map_t map, vm_offset_t start, vm_offset_t end, int behav)
{
	if (map == NULL)
		return EINVAL;
	switch (bsdvm_map_madvise(map, start, end, behav)) {
	case KERN_SUCCESS:
		return 0;
	case KERN_RESOURCE_SHORTAGE:
		return ENOMEM;
	default:
		return EINVAL;
	}
}

static int wire_flags(int flags, uint32_t *out)
{
	if ((flags & ~(VM_MAP_WIRE_USER | VM_MAP_WIRE_HOLESOK | VM_MAP_WIRE_WRITE)) != 0)
		return KERN_INVALID_ARGUMENT;
	*out = ((flags & VM_MAP_WIRE_USER) ? BSDVM_WIRE_USER : 0) |
	    ((flags & VM_MAP_WIRE_HOLESOK) ? BSDVM_WIRE_HOLESOK : 0);
	return KERN_SUCCESS;
}

int vm_map_wire(vm_map_t map, vm_offset_t start, vm_offset_t end, int flags)
{
	uint32_t f;
	int rv = map != NULL ? wire_flags(flags, &f) : KERN_INVALID_ARGUMENT;

	return rv != KERN_SUCCESS ? rv : bsdvm_map_wire(map, start, end, f);
}

int vm_map_unwire(vm_map_t map, vm_offset_t start, vm_offset_t end, int flags)
{
	uint32_t f;
	int rv = map != NULL ? wire_flags(flags, &f) : KERN_INVALID_ARGUMENT;

	return rv != KERN_SUCCESS ? rv : bsdvm_map_unwire(map, start, end, f);
}

boolean_t vm_map_check_protection(vm_map_t map, vm_offset_t start, vm_offset_t end,
    vm_prot_t protection)
{
	return map != NULL && bsdvm_map_check_protection_locked(map, start, end, protection) ? TRUE : FALSE;
}

void vm_map_simplify_entry(vm_map_t map, vm_map_entry_t entry)
{
	bsdvm_map_simplify_entry(map, entry);
}

int vm_fault(vm_map_t map, vm_offset_t vaddr, vm_prot_t fault_type)
{
	return map != NULL ? bsdvm_fault(map, vaddr, fault_type) : KERN_INVALID_ARGUMENT;
}

void vm_map_lock(vm_map_t map) { bsdvm_map_lock(map); }
void vm_map_unlock(vm_map_t map) { bsdvm_map_unlock(map); }
void vm_map_lock_read(vm_map_t map) { bsdvm_map_lock_read(map); }
void vm_map_unlock_read(vm_map_t map) { bsdvm_map_unlock_read(map); }
int vm_map_trylock(vm_map_t map) { return bsdvm_map_trylock(map) ? 1 : 0; }
int vm_map_trylock_read(vm_map_t map) { return bsdvm_map_trylock_read(map) ? 1 : 0; }
int vm_map_lock_upgrade(vm_map_t map) { return bsdvm_map_lock_upgrade(map) ? 0 : 1; }
void vm_map_lock_downgrade(vm_map_t map) { bsdvm_map_lock_downgrade(map); }
