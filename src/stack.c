/*
 * stack.c - growable stacks, as FreeBSD's vm_map_stack(9) and
 * vm_map_growstack(9) describe them.
 *
 * A stack reservation is two entries: the stack itself (GROWS_DOWN or
 * GROWS_UP) at the growing end, and a stack-gap guard over the rest.  The
 * gap remembers the stack's protection in its offset field, so growth
 * reproduces it even if the stack was re-protected meanwhile (FreeBSD does
 * the same).  A fault in the gap grows the stack by the distance rounded up
 * to sgrowsiz, never into the last `guard` bytes of the reservation, and
 * within RLIMIT_STACK (main stack) and RLIMIT_VMEM.  Each growth step is a
 * new entry: stack entries never merge.
 */
#include "mem/mem_impl.h"

#define DEFAULT_SGROWSIZ ((bsdvm_size_t)128 * 1024)

static bsdvm_size_t map_sgrowsiz(struct vm_map *map)
{
	struct vmspace *vm = bsdvm_map_vmspace(map);

	return vm != NULL ? vm->sys->sgrowsiz : DEFAULT_SGROWSIZ;
}

static bsdvm_size_t map_stack_guard(struct vm_map *map)
{
	struct vmspace *vm = bsdvm_map_vmspace(map);

	return vm != NULL ? vm->sys->stack_guard : map->page_size;
}

static bsdvm_off_t gap_prot_pack(bsdvm_prot_t prot, bsdvm_prot_t max)
{
	return (bsdvm_off_t)prot | ((bsdvm_off_t)max << 8);
}

int map_stack_locked(struct vm_map *map, bsdvm_addr_t addrbos, bsdvm_size_t max_ssize,
    bsdvm_prot_t prot, bsdvm_prot_t max, uint32_t cow, bsdvm_inherit_t inherit)
{
	const uint32_t grows = MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP;
	struct vmspace *vm = bsdvm_map_vmspace(map);
	struct bsdvm_entry_attrs sa, ga;
	struct vm_map_entry *prev;
	bsdvm_size_t init_ssize, guard = map_stack_guard(map), grow = map_sgrowsiz(map);
	bsdvm_addr_t top, sstart, send, gstart, gend;
	int rv;

	/* besides the direction, the stack takes the flags any anonymous
	 * mapping may have; a guard, a stack gap or an unsplittable stack
	 * would contradict what a stack is */
	const uint32_t allowed = grows | MAP_ENTRY_NOCOREDUMP | MAP_ENTRY_NOSYNC |
	    MAP_ENTRY_NOFAULT | MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY | MAP_ENTRY_NOMERGE;

	if ((cow & ~allowed) != 0 || (cow & grows) == 0 || (cow & grows) == grows ||
	    ((cow & MAP_ENTRY_NEEDS_COPY) && !(cow & MAP_ENTRY_COW)) ||
	    inherit > VM_INHERIT_ZERO)
		return KERN_INVALID_ARGUMENT;
	if ((prot & ~VM_PROT_ALL) != 0 || (max & ~VM_PROT_ALL) != 0 ||
	    !map_aligned(map, addrbos) || !map_aligned(map, max_ssize))
		return KERN_INVALID_ARGUMENT;
	if ((prot & ~max) != 0)
		return KERN_PROTECTION_FAILURE;
	/* the page: an address out of range for the map is KERN_NO_SPACE */
	if (max_ssize == 0 || addrbos < map_min(map) || addrbos > map_max(map) ||
	    max_ssize > map_max(map) - addrbos)
		return KERN_NO_SPACE;
	if (guard >= max_ssize)
		return KERN_INVALID_ARGUMENT;
	init_ssize = grow;
	if (max_ssize < grow + guard)
		init_ssize = max_ssize - guard;
	top = addrbos + max_ssize;
	if (cow & MAP_ENTRY_GROWS_DOWN) {
		sstart = top - init_ssize;
		send = top;
		gstart = addrbos;
		gend = sstart;
	} else {
		sstart = addrbos;
		send = addrbos + init_ssize;
		gstart = send;
		gend = top;
	}
	sa = bsdvm_attrs_anon(prot, max);
	sa.eflags = cow;
	sa.inherit = inherit;
	ga = bsdvm_attrs_anon(VM_PROT_NONE, VM_PROT_NONE);
	/* the reservation goes where the stack goes (a guard has no memory
	 * to zero) */
	ga.inherit = inherit == VM_INHERIT_ZERO ? VM_INHERIT_COPY : inherit;
	ga.eflags = MAP_ENTRY_GUARD |
	    ((cow & MAP_ENTRY_GROWS_DOWN) ? MAP_ENTRY_STACK_GAP_DN : MAP_ENTRY_STACK_GAP_UP);

	if (vm != NULL && vm->limits.vmem != BSDVM_RLIM_INFINITY &&
	    map->size + init_ssize > vm->limits.vmem) {
		rv = KERN_NO_SPACE;
	} else if (map_tree_lookup(map, addrbos, &prev) != NULL || prev->next->start < top) {
		rv = KERN_NO_SPACE; /* the whole reservation must be free */
	} else {
		rv = map_entry_reserve(map, 2);
	}
	if (rv == KERN_SUCCESS)
		rv = bsdvm_map_insert_locked(map, sstart, send, &sa);
	if (rv == KERN_SUCCESS && gstart < gend) {
		rv = bsdvm_map_insert_locked(map, gstart, gend, &ga);
		if (rv == KERN_SUCCESS) {
			struct vm_map_entry *g = map_tree_lookup(map, gstart, NULL);

			g->offset = gap_prot_pack(prot, max);
		} else {
			/* undo: the stack is one whole entry, whose removal
			 * needs no memory and so cannot fail */
			bsdvm_map_delete_locked(map, sstart, send);
		}
	}
	map_entry_trim(map);
	return rv;
}

int bsdvm_map_stack(struct vm_map *map, bsdvm_addr_t addrbos, bsdvm_size_t max_ssize,
    bsdvm_prot_t prot, bsdvm_prot_t max, uint32_t cow)
{
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	bsdvm_map_lock(map);
	rv = map_stack_locked(map, addrbos, max_ssize, prot, max, cow, VM_INHERIT_DEFAULT);
	bsdvm_map_unlock(map);
	return rv;
}

int growstack_locked(struct vm_map *map, bsdvm_addr_t addr, const struct bsdvm_rlimits *lim,
    struct bsdvm_stackinfo *si)
{
	struct vm_map_entry *gap = map_tree_lookup(map, addr, NULL), *stack;
	struct bsdvm_entry_attrs a;
	bsdvm_size_t grow, max_grow, gapsize, guard = map_stack_guard(map);
	bsdvm_size_t step = map_sgrowsiz(map);
	bsdvm_addr_t nstart, nend;
	bool down, procstack;
	int rv;

	/* mapped already, or outside any stack: nothing to do (the page) */
	if (gap == NULL || !(gap->eflags & MAP_ENTRY_GUARD) ||
	    !(gap->eflags & (MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP)))
		return KERN_SUCCESS;
	down = (gap->eflags & MAP_ENTRY_STACK_GAP_DN) != 0;
	stack = down ? gap->next : gap->prev;
	if (stack == MAP_HEADER(map) ||
	    !(stack->eflags & (down ? MAP_ENTRY_GROWS_DOWN : MAP_ENTRY_GROWS_UP)) ||
	    (down ? stack->start != gap->end : stack->end != gap->start))
		return KERN_FAILURE; /* a gap whose stack went away */
	addr &= ~map->page_mask;
	grow = down ? stack->start - addr : addr + map->page_size - stack->end;
	gapsize = gap->end - gap->start;
	if (guard > gapsize)
		return KERN_NO_SPACE;
	max_grow = gapsize - guard;
	if (grow > max_grow)
		return KERN_NO_SPACE; /* into the guard */
	procstack = si != NULL && addr >= si->maxsaddr && addr < si->stacktop;
	if (procstack && lim->stack != BSDVM_RLIM_INFINITY && si->ssize + grow > lim->stack)
		return KERN_NO_SPACE;
	/* grow by whole steps, within the reservation and the limit */
	grow = (grow + step - 1) / step * step;
	if (grow > max_grow)
		grow = max_grow;
	if (procstack && lim->stack != BSDVM_RLIM_INFINITY &&
	    si->ssize + grow > (lim->stack & ~map->page_mask))
		grow = (lim->stack & ~map->page_mask) - si->ssize;
	if (lim != NULL && lim->vmem != BSDVM_RLIM_INFINITY && map->size + grow > lim->vmem)
		return KERN_NO_SPACE;
	rv = map_entry_reserve(map, 1);
	if (rv != KERN_SUCCESS)
		return rv;

	a = bsdvm_attrs_anon((bsdvm_prot_t)(gap->offset & 0xff),
	    (bsdvm_prot_t)((gap->offset >> 8) & 0xff));
	/* the new piece is the same stack: it keeps the flags the stack was
	 * made with; being fresh memory it has no private copy yet */
	a.eflags = stack->eflags & (MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP |
	    MAP_ENTRY_NOCOREDUMP | MAP_ENTRY_NOSYNC | MAP_ENTRY_NOFAULT | MAP_ENTRY_NOMERGE |
	    MAP_ENTRY_COW);
	if (a.eflags & MAP_ENTRY_COW)
		a.eflags |= MAP_ENTRY_NEEDS_COPY;
	a.inherit = stack->inheritance;
	if (down) {
		nend = gap->end;
		nstart = nend - grow;
		if (nstart == gap->start)
			map_entry_remove(map, gap);
		else
			map_tree_set_end(map, gap, nstart);
	} else {
		nstart = gap->start;
		nend = nstart + grow;
		if (nend == gap->end) {
			map_entry_remove(map, gap);
		} else {
			map_tree_set_start(map, gap, nend);
		}
	}
	rv = bsdvm_map_insert_locked(map, nstart, nend, &a);
	if (rv != KERN_SUCCESS)
		return rv; /* cannot happen: one entry is reserved */
	if (procstack)
		si->ssize += grow;
	return KERN_SUCCESS;
}

int bsdvm_map_growstack(struct vm_map *map, bsdvm_addr_t addr)
{
	struct vmspace *vm;
	struct bsdvm_rlimits nolim = { BSDVM_RLIM_INFINITY, BSDVM_RLIM_INFINITY,
		BSDVM_RLIM_INFINITY };
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	vm = bsdvm_map_vmspace(map);
	bsdvm_map_lock(map);
	rv = growstack_locked(map, addr, vm != NULL ? &vm->limits : &nolim,
	    vm != NULL ? &vm->stack : NULL);
	map_entry_trim(map);
	bsdvm_map_unlock(map);
	return rv;
}
