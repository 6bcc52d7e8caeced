/*
 * fault.c - the fault handler: makes the page at one address resident and
 * maps it with the rights the access needs.
 *
 * The cases (after NetBSD's uvm_fault case table, code our own):
 *   - an anon holds the page: use it; on a write, copy it first if another
 *     amap still references the anon (real sharing), otherwise take it over;
 *   - no anon, an object backs the entry: read or shared write uses the
 *     object's page; a private (copy-on-write) write copies it into a new
 *     anon ("promotion");
 *   - nothing backs the entry: a new zero-filled anon;
 *   - a stack gap: grow the stack (FreeBSD vm_map_growstack) and retry.
 * Pages entered for a shared anon or a private object page are mapped
 * without write access, so the first write comes back here.
 */
#include <string.h>

#include "mem/mem_impl.h"

/* A new anon holding a copy of src (or zeros when src is NULL) at slot. */
static int new_anon_page(struct bsdvm_sys *sys, struct vm_amap *amap, uint64_t slot,
    struct vm_page *src, struct vm_anon **anonp)
{
	struct spa_slot *s = spa_get(&amap->slots, sys->plat, slot);
	struct vm_anon *anon;
	struct vm_page *pg;

	if (s == NULL)
		return KERN_RESOURCE_SHORTAGE;
	anon = anon_alloc(sys);
	if (anon == NULL)
		return KERN_RESOURCE_SHORTAGE;
	if (src != NULL)
		src->flags |= PG_BUSY; /* keep the source through a pageout */
	pg = page_alloc(sys, src == NULL);
	if (src != NULL)
		src->flags &= ~PG_BUSY;
	if (pg == NULL) {
		anon->ref = 0;
		sys->nanons--;
		bsdvm_pfree(sys->plat, anon, sizeof(*anon));
		return KERN_RESOURCE_SHORTAGE;
	}
	if (src != NULL) {
		memcpy(pg->data, src->data, sys->page_size);
		sys->cow_copies++;
	} else {
		sys->zero_fills++;
	}
	pg->anon = anon;
	anon->page = pg;
	page_activate(sys, pg);
	if (s->p != NULL) {
		struct vm_anon *old = s->p;

		/* sharers of this amap map the old page: make them refault */
		if (amap->shared && old->page != NULL)
			sys->pmap->page_protect(sys->pmap_ctx, old->page, VM_PROT_NONE);
		anon_unref(sys, old);
	} else if (src != NULL && amap->shared) {
		/* a promotion: the amap's other sharers may still map the
		 * object's page at this slot and must see the new anon */
		sys->pmap->page_protect(sys->pmap_ctx, src, VM_PROT_NONE);
	}
	s->p = anon;
	*anonp = anon;
	return KERN_SUCCESS;
}

static int fault_entry(struct vmspace *vm, struct vm_map_entry *e, bsdvm_addr_t va,
    bsdvm_prot_t access, bool wire);

/* A pager object whose store must never be written. */
static bool object_read_only(const struct vm_object *obj)
{
	return obj->type == OBJ_PAGER && !obj->writable;
}

int fault_locked(struct vmspace *vm, bsdvm_addr_t va, bsdvm_prot_t access, bool wire)
{
	struct bsdvm_sys *sys = vm->sys;
	struct vm_map *map = vm->map;
	struct vm_map_entry *e;
	bsdvm_prot_t prot;
	bool write = (access & VM_PROT_WRITE) != 0, had_amap;
	uint32_t flags;
	int rv;

	va &= ~(bsdvm_addr_t)(sys->page_size - 1);
	sys->faults++;
	for (;;) {
		e = map_tree_lookup(map, va, NULL);
		if (e == NULL)
			return KERN_INVALID_ADDRESS;
		if (!(e->eflags & MAP_ENTRY_GUARD))
			break;
		/* only the gap of a growable stack may turn into memory */
		if (!(e->eflags & (MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP)) || wire)
			return KERN_PROTECTION_FAILURE;
		sys_unlock(sys); /* growth edits the map, whose hooks take sys->lock */
		rv = growstack_locked(map, va, &vm->limits, &vm->stack);
		sys_lock(sys);
		/* a refused growth is an access to the guard (FreeBSD); running
		 * out of memory is reported as such */
		if (rv == KERN_RESOURCE_SHORTAGE)
			return rv;
		if (rv != KERN_SUCCESS)
			return KERN_PROTECTION_FAILURE;
		e = map_tree_lookup(map, va, NULL);
		if (e == NULL || (e->eflags & MAP_ENTRY_GUARD))
			return KERN_PROTECTION_FAILURE; /* the guard tail */
	}
	/* wiring asks for no more than the entry grants (wire.c), and never
	 * wires a PROT_NONE entry */
	prot = e->protection;
	if (prot == VM_PROT_NONE || (access & ~prot) != 0)
		return KERN_PROTECTION_FAILURE;
	/* a shared mapping cannot write into a file opened read-only; its
	 * pages are entered without write (fault_entry), so every write
	 * comes here, read first or not */
	if (write && e->object != NULL && !(e->eflags & MAP_ENTRY_COW) &&
	    object_read_only(e->object))
		return KERN_PROTECTION_FAILURE;
	/* a fault that fails must leave the entry as it found it: an amap
	 * made here for nothing is taken back, and NEEDS_COPY with it */
	had_amap = e->aux != NULL;
	flags = e->eflags;
	rv = fault_entry(vm, e, va, access, wire);
	if (rv != KERN_SUCCESS && !had_amap) {
		/* the listing is as before; a page already promoted stays in
		 * the amap, where the next fault finds it */
		e->eflags = flags;
		if (e->aux != NULL && amap_empty(e->aux)) {
			amap_unref(sys, e->aux, 0, 0);
			e->aux = NULL;
		}
	}
	return rv;
}

/* The memory part of a fault on entry e, whose rights are checked. */
static int fault_entry(struct vmspace *vm, struct vm_map_entry *e, bsdvm_addr_t va,
    bsdvm_prot_t access, bool wire)
{
	struct bsdvm_sys *sys = vm->sys;
	struct vm_page *pg;
	struct vm_anon *anon = NULL;
	bsdvm_prot_t prot = e->protection, enter_prot;
	bool write = (access & VM_PROT_WRITE) != 0;
	/* copy-on-write is resolved by a write, and by wiring (wire.c says
	 * why wiring does it whatever the protections) */
	bool resolve = write || wire;
	uint64_t pidx = (va - e->start) >> sys->page_shift, slot = 0;
	int rv;

	/* private memory needs an amap: anonymous entries always, private
	 * object mappings once written */
	if (e->aux == NULL &&
	    (e->object == NULL || (resolve && (e->eflags & MAP_ENTRY_COW)))) {
		rv = amap_new_for_entry(sys, e);
		if (rv != KERN_SUCCESS)
			return rv;
	}
	if (e->aux != NULL) {
		slot = (e->aux_off >> sys->page_shift) + pidx;
		anon = amap_lookup(e->aux, slot);
	}
	enter_prot = prot;
	if (anon != NULL) {
		rv = anon_load(sys, anon);
		if (rv != KERN_SUCCESS)
			return rv;
		if (resolve && anon->ref > 1) {
			rv = new_anon_page(sys, e->aux, slot, anon->page, &anon);
			if (rv != KERN_SUCCESS)
				return rv;
		} else if (resolve && anon->was_shared) {
			/* the other sharers copied or went away: the last one keeps
			 * the page without copying it */
			anon->was_shared = false;
			sys->cow_takeovers++;
		}
		pg = anon->page;
		if (anon->ref > 1)
			enter_prot &= ~VM_PROT_WRITE;
	} else if (e->object != NULL) {
		struct vm_page *opg;

		rv = object_get_page(e->object, (e->offset >> sys->page_shift) + pidx, &opg);
		if (rv != KERN_SUCCESS)
			return rv;
		if (resolve && (e->eflags & MAP_ENTRY_COW)) {
			rv = new_anon_page(sys, e->aux, slot, opg, &anon);
			if (rv != KERN_SUCCESS)
				return rv;
			pg = anon->page;
		} else {
			pg = opg;
			if ((e->eflags & MAP_ENTRY_COW) || object_read_only(e->object))
				enter_prot &= ~VM_PROT_WRITE; /* the write must fault */
			else if (write)
				pg->flags |= PG_DIRTY;
		}
	} else {
		rv = new_anon_page(sys, e->aux, slot, NULL, &anon);
		if (rv != KERN_SUCCESS)
			return rv;
		pg = anon->page;
	}
	rv = sys->pmap->enter(sys->pmap_ctx, vm->pmap, va, pg, enter_prot, wire || e->wired_count > 0);
	if (rv != KERN_SUCCESS)
		return rv;
	sys->pmap->page_mark(sys->pmap_ctx, pg,
	    PMAP_ATTR_REFERENCED | (write ? PMAP_ATTR_MODIFIED : 0));
	return KERN_SUCCESS;
}

int bsdvm_fault(struct vm_map *map, bsdvm_addr_t addr, bsdvm_prot_t access)
{
	struct vmspace *vm = map != NULL ? bsdvm_map_vmspace(map) : NULL;
	int rv;

	if (vm == NULL || (access & ~VM_PROT_ALL) != 0)
		return KERN_INVALID_ARGUMENT;
	bsdvm_map_lock(map);
	sys_lock(vm->sys);
	rv = fault_locked(vm, addr, access, false);
	sys_unlock(vm->sys);
	bsdvm_map_unlock(map);
	return rv;
}
