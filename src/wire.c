/*
 * wire.c - wiring: making a range resident and unpageable.
 *
 * Entry wired counts nest (each wiring adds one); a user (mlock) wiring is
 * counted at most once per entry, as FreeBSD's USER_WIRED does.  Pages are
 * wired when their entry's count goes from 0 to 1, by faulting each page
 * in and raising the page's wire count; they are unwired when the count
 * returns to 0.  If a page cannot be made resident, everything this call
 * did is rolled back.
 *
 * The wiring fault resolves copy-on-write for all private memory, so a
 * wired page is the entry's own (an anon no other amap references).  The
 * BSDs resolve it only where the entry may be written: NetBSD when the
 * maximum protection allows it (uvm_map_pageable passes max_protection to
 * uvm_fault_wire), FreeBSD when the current one does (vm_map_lookup faults
 * a wired entry with its protection).  That leaves a hole NetBSD marks
 * with an XXX in uvm_amap.c amap_add: when the amap is
 * shared (VM_INHERIT_SHARE), a sibling that may write replaces the page
 * in the shared slot, and the wired mapping silently moves to an unwired
 * page while the old one stays wired.  Resolving always closes it: in a
 * shared slot holding an anon of its own, a sibling's write lands in
 * place.  Later forks copy wired pages at once (amap_copy_range), so the
 * anon never becomes shared copy-on-write again while it is wired.
 */
#include "mem/mem_impl.h"

static bool wire_changes(const struct vm_map_entry *e, uint32_t flags)
{
	if ((e->eflags & MAP_ENTRY_GUARD) || e->protection == VM_PROT_NONE)
		return false;
	return !((flags & BSDVM_WIRE_USER) && (e->eflags & MAP_ENTRY_USER_WIRED));
}

/* Phase 1 of wire and unwire: holes, unwirable and unsplittable entries.
 * *newbytes gets the bytes that would become wired. */
static int wire_validate(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    uint32_t flags, bool unwire, bsdvm_size_t *newbytes)
{
	struct vm_map_entry *pred, *e = map_tree_lookup(map, start, &pred);
	bsdvm_addr_t cursor = start;
	bool holesok = (flags & BSDVM_WIRE_HOLESOK) != 0;

	*newbytes = 0;
	if (e == NULL) {
		if (!holesok)
			return KERN_INVALID_ADDRESS;
		e = pred->next;
	}
	for (; e != MAP_HEADER(map) && e->start < end; e = e->next) {
		bsdvm_addr_t s = e->start > start ? e->start : start;
		bsdvm_addr_t t = e->end < end ? e->end : end;

		if (e->start > cursor && !holesok)
			return KERN_INVALID_ADDRESS;
		cursor = e->end;
		/* a guard has nothing to wire; neither has a PROT_NONE entry, but
		 * one wired before it became NONE must still be unwirable: only
		 * an unwired NONE entry counts as a hole for unwire */
		if ((e->eflags & MAP_ENTRY_GUARD) ||
		    (e->protection == VM_PROT_NONE && (!unwire || e->wired_count == 0))) {
			if (!holesok)
				return KERN_INVALID_ADDRESS;
			continue;
		}
		if ((e->eflags & MAP_ENTRY_UNSPLITTABLE) && (e->start < start || e->end > end))
			return KERN_INVALID_ARGUMENT;
		/* a page past the end of its object could never be made
		 * resident: refuse before anything is faulted in */
		if (!unwire && e->object != NULL &&
		    e->offset + (t - e->start) > bsdvm_object_size(e->object))
			return KERN_INVALID_ADDRESS;
		if (unwire) {
			int32_t sys_wired = e->wired_count - ((e->eflags & MAP_ENTRY_USER_WIRED) ? 1 : 0);

			if ((flags & BSDVM_WIRE_ALL) ? e->wired_count <= 0
			    : (flags & BSDVM_WIRE_USER) ? !(e->eflags & MAP_ENTRY_USER_WIRED)
							: sys_wired <= 0)
				return KERN_INVALID_ARGUMENT;
		} else if (wire_changes(e, flags) && e->wired_count == 0) {
			*newbytes += t - s;
		}
	}
	if (cursor < end && !holesok)
		return KERN_INVALID_ADDRESS;
	return KERN_SUCCESS;
}

static int range_prepare(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    uint32_t flags)
{
	if (map == NULL || bsdvm_map_vmspace(map) == NULL ||
	    (flags & ~(BSDVM_WIRE_HOLESOK | BSDVM_WIRE_USER | BSDVM_WIRE_ALL)) != 0 ||
	    ((flags & BSDVM_WIRE_ALL) && (flags & BSDVM_WIRE_USER)))
		return KERN_INVALID_ARGUMENT;
	return map_range_check(map, start, end);
}

/* Undo one wiring of e (count and, on reaching zero, its pages). */
static void unwire_entry(struct vmspace *vm, struct vm_map_entry *e)
{
	if (--e->wired_count == 0) {
		vm_wire_entry_pages(vm, e, false);
		vm->wired_size -= e->end - e->start;
	}
}

/* Faults every page of e in and wires it; on failure unwires those done. */
static int wire_entry_pages(struct vmspace *vm, struct vm_map_entry *e)
{
	struct bsdvm_sys *sys = vm->sys;
	bsdvm_addr_t va;
	int rv = KERN_SUCCESS;

	/* the rights the entry grants, less write: wiring writes nothing
	 * (a shared page is not dirtied by it), and the wiring fault makes
	 * private memory private by itself */
	bsdvm_prot_t access = e->protection & ~VM_PROT_WRITE;

	for (va = e->start; va < e->end; va += sys->page_size) {
		struct vm_page *pg;

		rv = fault_locked(vm, va, access, true);
		pg = rv == KERN_SUCCESS ? entry_page(sys, e, va) : NULL;
		if (pg == NULL) {
			if (rv == KERN_SUCCESS)
				rv = KERN_FAILURE;
			break;
		}
		page_wire(sys, pg);
	}
	if (rv != KERN_SUCCESS) {
		bsdvm_addr_t done = va;

		/* the pages stay mapped, but neither they nor their
		 * translations are wired any more (the fault entered them
		 * wired) */
		for (va = e->start; va < done; va += sys->page_size) {
			struct vm_page *pg = entry_page(sys, e, va);

			if (pg != NULL) {
				page_unwire(sys, pg);
				sys->pmap->unwire(sys->pmap_ctx, vm->pmap, va);
			}
		}
	}
	return rv;
}

int map_wire_locked(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end, uint32_t flags)
{
	struct vmspace *vm = bsdvm_map_vmspace(map);
	struct vm_map_entry *e, *first;
	bool prep_first = false, prep_last = false;
	bsdvm_size_t newbytes;
	int rv = range_prepare(map, start, end, flags);

	if (rv != KERN_SUCCESS || start == end)
		return rv;
	rv = wire_validate(map, start, end, flags, false, &newbytes);
	if (rv == KERN_SUCCESS && vm->limits.memlock != BSDVM_RLIM_INFINITY &&
	    vm->wired_size + newbytes > vm->limits.memlock)
		rv = KERN_RESOURCE_SHORTAGE;
	if (rv == KERN_SUCCESS)
		rv = map_entry_reserve(map, 2);
	if (rv != KERN_SUCCESS)
		return rv;
	first = map_range_first(map, start);
	e = map_tree_lookup(map, end - 1, NULL);
	/* clipped pieces must share an amap so that a rollback can merge them */
	if (first != MAP_HEADER(map) && first->start < start && wire_changes(first, flags))
		rv = map_entry_prepare_clip(map, first, &prep_first);
	if (rv == KERN_SUCCESS && e != NULL && e->end > end && e->start < end &&
	    wire_changes(e, flags))
		rv = map_entry_prepare_clip(map, e, &prep_last);
	if (rv != KERN_SUCCESS) {
		if (prep_first)
			map_entry_unprepare_clip(map, first);
		map_entry_trim(map);
		return rv;
	}
	if (first != MAP_HEADER(map) && first->start < start && wire_changes(first, flags))
		map_entry_clip_start(map, first, start);
	e = map_tree_lookup(map, end - 1, NULL);
	if (e != NULL && e->end > end && e->start < end && wire_changes(e, flags))
		map_entry_clip_end(map, e, end);

	first = map_range_first(map, start);
	sys_lock(vm->sys);
	for (e = first; e != MAP_HEADER(map) && e->start < end; e = e->next) {
		if (e->start < start || e->end > end || !wire_changes(e, flags))
			continue;
		e->eflags |= MAP_ENTRY_IN_TRANSITION;
		if (++e->wired_count == 1) {
			rv = wire_entry_pages(vm, e);
			if (rv != KERN_SUCCESS) {
				e->wired_count = 0;
				e->eflags &= ~MAP_ENTRY_IN_TRANSITION;
				break;
			}
			vm->wired_size += e->end - e->start;
		}
	}
	/* finish: commit, or roll back every entry this call touched */
	for (e = first; e != MAP_HEADER(map) && e->start < end; e = e->next) {
		if (!(e->eflags & MAP_ENTRY_IN_TRANSITION))
			continue;
		e->eflags &= ~MAP_ENTRY_IN_TRANSITION;
		if (rv != KERN_SUCCESS)
			unwire_entry(vm, e);
		else if (flags & BSDVM_WIRE_USER)
			e->eflags |= MAP_ENTRY_USER_WIRED;
	}
	sys_unlock(vm->sys);
	map_range_simplify(map, start, end);
	if (rv != KERN_SUCCESS) {
		/* the pieces merged back: an amap added only for the clip goes */
		if (prep_first)
			map_entry_unprepare_clip(map, map_tree_lookup(map, start - 1, NULL));
		if (prep_last)
			map_entry_unprepare_clip(map, map_tree_lookup(map, end, NULL));
	}
	map_entry_trim(map);
	return rv;
}

int map_unwire_locked(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end, uint32_t flags)
{
	struct vmspace *vm = bsdvm_map_vmspace(map);
	struct vm_map_entry *e, *first;
	bsdvm_size_t unused;
	int rv = range_prepare(map, start, end, flags);

	if (rv != KERN_SUCCESS || start == end)
		return rv;
	rv = wire_validate(map, start, end, flags, true, &unused);
	if (rv == KERN_SUCCESS)
		rv = map_entry_reserve(map, 2);
	if (rv != KERN_SUCCESS)
		return rv;
	first = map_range_first(map, start);
	if (first != MAP_HEADER(map) && first->start < start && first->wired_count > 0)
		map_entry_clip_start(map, first, start);
	e = map_tree_lookup(map, end - 1, NULL);
	if (e != NULL && e->end > end && e->start < end && e->wired_count > 0)
		map_entry_clip_end(map, e, end);
	first = map_range_first(map, start);
	sys_lock(vm->sys);
	for (e = first; e != MAP_HEADER(map) && e->start < end; e = e->next) {
		if (e->wired_count == 0 || (e->eflags & MAP_ENTRY_GUARD))
			continue;
		if (flags & BSDVM_WIRE_ALL) {
			e->eflags &= ~MAP_ENTRY_USER_WIRED;
			e->wired_count = 1; /* one munlock undoes any number */
		} else if (flags & BSDVM_WIRE_USER) {
			e->eflags &= ~MAP_ENTRY_USER_WIRED;
		}
		unwire_entry(vm, e);
	}
	sys_unlock(vm->sys);
	map_range_simplify(map, start, end);
	map_entry_trim(map);
	return KERN_SUCCESS;
}

int bsdvm_map_wire(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end, uint32_t flags)
{
	int rv;

	if (map == NULL || (flags & BSDVM_WIRE_ALL) != 0)
		return KERN_INVALID_ARGUMENT;
	bsdvm_map_lock(map);
	rv = map_wire_locked(map, start, end, flags);
	bsdvm_map_unlock(map);
	return rv;
}

int bsdvm_map_unwire(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end, uint32_t flags)
{
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	bsdvm_map_lock(map);
	rv = map_unwire_locked(map, start, end, flags);
	bsdvm_map_unlock(map);
	return rv;
}
