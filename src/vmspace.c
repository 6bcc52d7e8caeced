/*
 * vmspace.c - address spaces with real memory: creation, the hooks that keep
 * amap and object references right as the engine clips, merges and deletes
 * entries, fork by inheritance, reset for exec, and mmap-style mapping.
 */
#include "mem/mem_impl.h"

static struct bsdvm_sys *map_sys(struct vm_map *map)
{
	return map_vmspace(map)->sys;
}

static uint64_t entry_pages(const struct bsdvm_sys *sys, const struct vm_map_entry *e)
{
	return (e->end - e->start) >> sys->page_shift;
}

/* ---- engine hooks ---- */

static void hook_split(struct vm_map *map, struct vm_map_entry *orig, struct vm_map_entry *copy)
{
	struct bsdvm_sys *sys = map_sys(map);

	(void)orig;
	sys_lock(sys);
	if (copy->aux != NULL)
		((struct vm_amap *)copy->aux)->ref++; /* pieces cover disjoint slots */
	if (copy->object != NULL)
		object_ref_locked(copy->object);
	sys_unlock(sys);
}

struct vm_page *entry_page(struct bsdvm_sys *sys, struct vm_map_entry *e, bsdvm_addr_t va)
{
	uint64_t pidx = (va - e->start) >> sys->page_shift;

	if (e->aux != NULL) {
		struct vm_anon *anon = amap_lookup(e->aux, (e->aux_off >> sys->page_shift) + pidx);

		if (anon != NULL)
			return anon->page;
	}
	if (e->object != NULL) {
		struct spa_slot *s = spa_peek(&e->object->pages,
		    (e->offset >> sys->page_shift) + pidx);

		return s != NULL ? s->p : NULL;
	}
	return NULL;
}

void vm_wire_entry_pages(struct vmspace *vm, struct vm_map_entry *e, bool wire)
{
	struct bsdvm_sys *sys = vm->sys;
	bsdvm_addr_t va;

	for (va = e->start; va < e->end; va += sys->page_size) {
		struct vm_page *pg = entry_page(sys, e, va);

		if (pg == NULL)
			continue;
		if (wire) {
			page_wire(sys, pg);
		} else {
			page_unwire(sys, pg);
			sys->pmap->unwire(sys->pmap_ctx, vm->pmap, va);
		}
	}
}

/* Pages a shared mapping dirtied go back to the file when it is unmapped. */
static void writeback_range(struct bsdvm_sys *sys, struct vm_map_entry *e)
{
	struct vm_object *obj = e->object;
	bsdvm_addr_t va;

	if (obj->type != OBJ_PAGER || !obj->writable || (e->eflags & MAP_ENTRY_COW))
		return;
	for (va = e->start; va < e->end; va += sys->page_size) {
		struct spa_slot *s = spa_peek(&obj->pages,
		    (e->offset + (va - e->start)) >> sys->page_shift);

		if (s != NULL && s->p != NULL)
			object_page_writeback(sys, s->p);
	}
}

static void hook_dispose(struct vm_map *map, struct vm_map_entry *e)
{
	struct vmspace *vm = map_vmspace(map);
	struct bsdvm_sys *sys = vm->sys;

	sys_lock(sys);
	if (e->wired_count > 0) {
		vm_wire_entry_pages(vm, e, false);
		vm->wired_size -= e->end - e->start;
	}
	sys->pmap->remove(sys->pmap_ctx, vm->pmap, e->start, e->end);
	if (e->aux != NULL)
		amap_unref(sys, e->aux, e->aux_off >> sys->page_shift, entry_pages(sys, e));
	if (e->object != NULL) {
		writeback_range(sys, e);
		object_unref_locked(e->object);
	}
	e->aux = NULL;
	e->object = NULL;
	sys_unlock(sys);
}

/* Every mapping into the kernel vmspace, whoever makes it, grows the
 * kernel pmap first if it ends above kernel_vm_end, as FreeBSD's
 * vm_map_insert does for kernel_map (pmap_growkernel(9)): translations
 * come only later, from faults. */
static void hook_inserted(struct vm_map *map, struct vm_map_entry *e)
{
	vmspace_kernel_grow(map, e->end);
}

static bool hook_can_merge(struct vm_map *map, const struct vm_map_entry *a,
    const struct vm_map_entry *b)
{
	(void)map;
	if (a->aux == NULL && b->aux == NULL)
		return true;
	return a->aux == b->aux && a->aux_off + (a->end - a->start) == b->aux_off;
}

static void hook_merge(struct vm_map *map, struct vm_map_entry *a, struct vm_map_entry *b)
{
	struct bsdvm_sys *sys = map_sys(map);

	(void)a;
	sys_lock(sys);
	if (b->aux != NULL)
		((struct vm_amap *)b->aux)->ref--; /* a still holds the amap */
	if (b->object != NULL)
		object_unref_locked(b->object);
	b->aux = NULL;
	b->object = NULL;
	sys_unlock(sys);
}

/* A protection (or other) change: drop cached translations of the range;
 * faults re-enter them with the new rights. */
static void hook_changed(struct vm_map *map, struct vm_map_entry *e)
{
	struct vmspace *vm = map_vmspace(map);
	struct bsdvm_sys *sys = vm->sys;

	sys_lock(sys);
	sys->pmap->remove(sys->pmap_ctx, vm->pmap, e->start, e->end);
	sys_unlock(sys);
}

/* Private memory gets its amap before a clip, so that both pieces cover
 * slots of the same amap and can merge again later; without it only the
 * piece that is touched first would get one.  The entry's flags are left
 * alone: nothing visible changes. */
static int hook_prepare_clip(struct vm_map *map, struct vm_map_entry *e)
{
	struct bsdvm_sys *sys = map_sys(map);
	struct vm_amap *amap;

	if (e->aux != NULL || (e->eflags & MAP_ENTRY_GUARD) ||
	    (e->object != NULL && !(e->eflags & MAP_ENTRY_COW)))
		return KERN_SUCCESS;
	sys_lock(sys);
	amap = amap_alloc(sys);
	if (amap != NULL) {
		amap->ref = 1;
		e->aux = amap;
		e->aux_off = 0;
	}
	sys_unlock(sys);
	return amap != NULL ? KERN_SUCCESS : KERN_RESOURCE_SHORTAGE;
}

static void hook_unprepare_clip(struct vm_map *map, struct vm_map_entry *e)
{
	struct bsdvm_sys *sys = map_sys(map);
	struct vm_amap *amap = e->aux;

	sys_lock(sys);
	if (amap != NULL && amap->ref == 1 && amap_empty(amap)) {
		amap_unref(sys, amap, 0, 0);
		e->aux = NULL;
	}
	sys_unlock(sys);
}

const struct bsdvm_map_hooks vmspace_map_hooks = {
	.entry_prepare_clip = hook_prepare_clip,
	.entry_unprepare_clip = hook_unprepare_clip,
	.entry_split = hook_split,
	.entry_inserted = hook_inserted,
	.entry_dispose = hook_dispose,
	.entry_can_merge = hook_can_merge,
	.entry_merge = hook_merge,
	.entry_changed = hook_changed,
};

/* ---- life cycle ---- */

int bsdvm_vmspace_create(struct bsdvm_sys *sys, bsdvm_addr_t min, bsdvm_addr_t max,
    uint32_t flags, struct vmspace **vmp)
{
	struct bsdvm_map_params mp = {
		.min = min, .max = max, .flags = flags,
	};
	struct vmspace *vm;
	int rv;

	if (sys == NULL || vmp == NULL)
		return KERN_INVALID_ARGUMENT;
	mp.page_size = sys->page_size;
	mp.platform = sys->plat;
	vm = bsdvm_palloc(sys->plat, sizeof(*vm));
	if (vm == NULL)
		return KERN_RESOURCE_SHORTAGE;
	rv = bsdvm_map_create(&mp, &vm->map);
	if (rv != KERN_SUCCESS) {
		bsdvm_pfree(sys->plat, vm, sizeof(*vm));
		return rv;
	}
	sys_lock(sys);
	vm->pmap = sys->pmap->create(sys->pmap_ctx);
	if (vm->pmap != NULL)
		sys->nvmspaces++;
	sys_unlock(sys);
	if (vm->pmap == NULL) {
		bsdvm_map_destroy(vm->map);
		bsdvm_pfree(sys->plat, vm, sizeof(*vm));
		return KERN_RESOURCE_SHORTAGE;
	}
	vm->map->owner = vm;
	vm->map->hooks = &vmspace_map_hooks;
	vm->sys = sys;
	atomic_init(&vm->refcnt, 1);
	vm->limits.stack = vm->limits.vmem = vm->limits.memlock = BSDVM_RLIM_INFINITY;
	*vmp = vm;
	return KERN_SUCCESS;
}

struct vm_map *bsdvm_vmspace_map(struct vmspace *vm) { return vm->map; }
struct pmap *bsdvm_vmspace_pmap(struct vmspace *vm) { return vm->pmap; }
struct bsdvm_sys *bsdvm_vmspace_sys(struct vmspace *vm) { return vm->sys; }

struct vmspace *bsdvm_map_vmspace(struct vm_map *map)
{
	return map->hooks == &vmspace_map_hooks ? map->owner : NULL;
}

void bsdvm_vmspace_reference(struct vmspace *vm)
{
	atomic_fetch_add(&vm->refcnt, 1);
}

unsigned bsdvm_vmspace_refcount(const struct vmspace *vm)
{
	return atomic_load(&((struct vmspace *)vm)->refcnt);
}

void bsdvm_vmspace_free(struct vmspace *vm)
{
	struct bsdvm_sys *sys;

	if (vm == NULL || atomic_fetch_sub(&vm->refcnt, 1) != 1)
		return;
	sys = vm->sys;
	/* removing every entry runs the dispose hook: pages, amaps and
	 * object references go with them */
	bsdvm_map_destroy(vm->map);
	sys_lock(sys);
	sys->pmap->destroy(sys->pmap_ctx, vm->pmap);
	sys->nvmspaces--;
	sys_unlock(sys);
	bsdvm_pfree(sys->plat, vm, sizeof(*vm));
}

int bsdvm_vmspace_reset(struct vmspace *vm, bsdvm_addr_t min, bsdvm_addr_t max)
{
	struct vm_map *map;
	int rv;

	if (vm == NULL)
		return KERN_INVALID_ARGUMENT;
	map = vm->map;
	if (vm->sys->kernel == vm)
		return KERN_INVALID_ARGUMENT; /* the kernel never execs */
	if (atomic_load(&vm->refcnt) != 1)
		return KERN_FAILURE;
	bsdvm_map_lock(map);
	/* validate before emptying, so a bad window changes nothing */
	if ((min & map->page_mask) != 0 || (max & map->page_mask) != 0 || min >= max ||
	    max > (bsdvm_addr_t)0 - map->page_size) {
		bsdvm_map_unlock(map);
		return KERN_INVALID_ARGUMENT;
	}
	while (map->header.next != &map->header)
		map_entry_remove(map, map->header.next);
	map_entry_trim(map); /* give back what the old image's entries and index held */
	rv = map_reset_bounds(map, min, max);
	vm->stack.ssize = 0;
	vm->stack.maxsaddr = vm->stack.stacktop = 0;
	bsdvm_map_unlock(map);
	return rv;
}

/* ---- fork ---- */

/* Builds the child's entry for parent entry e; false on allocation failure. */
static bool fork_entry(struct vmspace *child, struct vmspace *parent, struct vm_map_entry *e)
{
	struct bsdvm_sys *sys = parent->sys;
	struct vm_map *cmap = child->map;
	struct vm_map_entry *ce;
	bsdvm_inherit_t inh = e->inheritance;

	if ((e->eflags & MAP_ENTRY_GUARD) && inh != VM_INHERIT_NONE)
		inh = VM_INHERIT_COPY; /* a guard has nothing to share or zero */
	if (inh == VM_INHERIT_NONE)
		return true;
	if (map_entry_reserve(cmap, 1) != KERN_SUCCESS)
		return false;
	if (inh == VM_INHERIT_SHARE && e->aux == NULL &&
	    (e->object == NULL || (e->eflags & MAP_ENTRY_COW)) &&
	    !(e->eflags & MAP_ENTRY_GUARD)) {
		/* both sides must see the same private pages from now on */
		if (amap_new_for_entry(sys, e) != KERN_SUCCESS)
			return false;
	}
	ce = map_entry_take(cmap);
	ce->start = e->start;
	ce->end = e->end;
	ce->eflags = e->eflags & ~(MAP_ENTRY_USER_WIRED | MAP_ENTRY_IN_TRANSITION |
	    MAP_ENTRY_NEEDS_WAKEUP);
	ce->object = e->object;
	ce->offset = e->offset;
	ce->protection = e->protection;
	ce->max_protection = e->max_protection;
	ce->inheritance = e->inheritance;
	ce->advice = e->advice;
	switch (inh) {
	case VM_INHERIT_SHARE:
		ce->aux = e->aux;
		ce->aux_off = e->aux_off;
		if (e->aux != NULL)
			amap_ref(e->aux, true);
		break;
	case VM_INHERIT_COPY:
		if (e->aux != NULL) {
			struct vm_amap *na;

			if (amap_copy_range(sys, e->aux, e->aux_off >> sys->page_shift,
			    entry_pages(sys, e), e->wired_count > 0, &na) != KERN_SUCCESS) {
				map_entry_release(cmap, ce);
				return false;
			}
			/* amap_copy_range write-protected every shared page in every
			 * pmap, so the parent's next write faults and copies */
			ce->aux = na;
		}
		if (e->object != NULL) {
			ce->eflags |= MAP_ENTRY_COW;
			if (ce->aux == NULL)
				ce->eflags |= MAP_ENTRY_NEEDS_COPY;
		}
		break;
	default: /* VM_INHERIT_ZERO: fresh zero-filled memory */
		ce->object = NULL;
		ce->offset = 0;
		ce->eflags &= ~(MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY);
		break;
	}
	if (ce->object != NULL)
		object_ref_locked(ce->object);
	map_tree_link_after(cmap, cmap->header.prev, ce);
	if (!(ce->eflags & MAP_ENTRY_GUARD))
		cmap->size += ce->end - ce->start;
	return true;
}

int bsdvm_vmspace_fork(struct vmspace *vm, struct vmspace **childp)
{
	struct vm_map *map;
	struct vmspace *child;
	struct vm_map_entry *e;
	bool ok = true;
	int rv;

	if (vm == NULL || childp == NULL)
		return KERN_INVALID_ARGUMENT;
	map = vm->map;
	rv = bsdvm_vmspace_create(vm->sys, map_min(map), map_max(map), map->flags, &child);
	if (rv != KERN_SUCCESS)
		return rv;
	bsdvm_map_lock(map);
	bsdvm_map_lock(child->map);
	child->limits = vm->limits;
	child->stack = vm->stack;
	sys_lock(vm->sys);
	for (e = map->header.next; ok && e != &map->header; e = e->next)
		ok = fork_entry(child, vm, e);
	sys_unlock(vm->sys);
	map_entry_trim(child->map);
	bsdvm_map_unlock(child->map);
	bsdvm_map_unlock(map);
	if (!ok) {
		bsdvm_vmspace_free(child);
		return KERN_RESOURCE_SHORTAGE;
	}
	*childp = child;
	return KERN_SUCCESS;
}

/* ---- limits and stack bookkeeping ---- */

void bsdvm_vmspace_get_stackinfo(struct vmspace *vm, struct bsdvm_stackinfo *si)
{
	bsdvm_map_lock_read(vm->map);
	*si = vm->stack;
	bsdvm_map_unlock_read(vm->map);
}

void bsdvm_vmspace_set_stackinfo(struct vmspace *vm, const struct bsdvm_stackinfo *si)
{
	bsdvm_map_lock(vm->map);
	vm->stack = *si;
	bsdvm_map_unlock(vm->map);
}

void bsdvm_vmspace_set_limits(struct vmspace *vm, const struct bsdvm_rlimits *lim)
{
	bsdvm_map_lock(vm->map);
	vm->limits = *lim;
	bsdvm_map_unlock(vm->map);
}

void bsdvm_vmspace_get_limits(struct vmspace *vm, struct bsdvm_rlimits *lim)
{
	bsdvm_map_lock_read(vm->map);
	*lim = vm->limits;
	bsdvm_map_unlock_read(vm->map);
}

/* ---- mmap ---- */

static int mmap_locked(struct vmspace *vm, bsdvm_addr_t *addrp, bsdvm_size_t length,
    bsdvm_prot_t prot, bsdvm_prot_t maxprot, uint32_t flags, struct vm_object *obj,
    bsdvm_off_t offset)
{
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(prot, maxprot);
	struct bsdvm_sys *sys = vm->sys;
	struct vm_object *own = NULL;
	int rv;

	/* RLIMIT_VMEM / RLIMIT_AS, checked where FreeBSD's mmap checks it
	 * (kern_mmap_racct_check): the map may not grow past the limit */
	if (vm->limits.vmem != BSDVM_RLIM_INFINITY &&
	    (length > vm->limits.vmem || vm->map->size > vm->limits.vmem - length))
		return KERN_NO_SPACE;
	if ((flags & BSDVM_MAPF_SHARED) && obj == NULL && length != 0 &&
	    (length & (sys->page_size - 1)) == 0) {
		/* shared anonymous memory lives in an anonymous object */
		rv = bsdvm_object_anon(sys, length, &own);
		if (rv != KERN_SUCCESS)
			return rv;
		obj = own;
	} else if (obj != NULL) {
		/* as mmap(2): a shared view of a read-only file cannot be made
		 * writable, ever: its maximum loses WRITE, and asking for WRITE
		 * now is EACCES */
		if ((flags & BSDVM_MAPF_SHARED) && obj->type == OBJ_PAGER && !obj->writable) {
			if (prot & VM_PROT_WRITE)
				return KERN_PROTECTION_FAILURE;
			maxprot &= (bsdvm_prot_t)~VM_PROT_WRITE;
		}
		bsdvm_object_reference(obj);
		own = obj;
	}
	a.maxprot = maxprot;
	a.object = obj;
	a.offset = offset;
	a.inherit = (flags & BSDVM_MAPF_SHARED) ? VM_INHERIT_SHARE : VM_INHERIT_COPY;
	if (obj != NULL && !(flags & BSDVM_MAPF_SHARED))
		a.eflags |= MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY;
	if (flags & BSDVM_MAPF_NOMERGE)
		a.eflags |= MAP_ENTRY_NOMERGE;
	if (flags & BSDVM_MAPF_FIXED) {
		if (*addrp > UINT64_MAX - length)
			rv = KERN_INVALID_ARGUMENT;
		else if (flags & BSDVM_MAPF_EXCL)
			rv = bsdvm_map_insert_locked(vm->map, *addrp, *addrp + length, &a);
		else
			rv = bsdvm_map_fixed_locked(vm->map, *addrp, *addrp + length, &a);
	} else {
		struct bsdvm_space_req req = { .length = length };

		rv = map_find_locked(vm->map, &req, &a, addrp);
	}
	if (rv != KERN_SUCCESS && own != NULL)
		bsdvm_object_deallocate(own);
	return rv;
}

int bsdvm_vmspace_mmap(struct vmspace *vm, bsdvm_addr_t *addrp, bsdvm_size_t length,
    bsdvm_prot_t prot, bsdvm_prot_t maxprot, uint32_t flags, struct vm_object *obj,
    bsdvm_off_t offset)
{
	int rv;

	if (vm == NULL || addrp == NULL || (flags & ~BSDVM_MAPF_MASK) != 0 ||
	    ((flags & BSDVM_MAPF_EXCL) && !(flags & BSDVM_MAPF_FIXED)))
		return KERN_INVALID_ARGUMENT;
	if (obj == NULL && offset != 0)
		return KERN_INVALID_ARGUMENT;
	/* the limit is checked and the mapping made under one exclusive
	 * hold: two threads cannot both pass the check and then both map */
	bsdvm_map_lock(vm->map);
	rv = mmap_locked(vm, addrp, length, prot, maxprot, flags, obj, offset);
	bsdvm_map_unlock(vm->map);
	return rv;
}

void *vmspace_amap_prealloc(struct vm_map *map)
{
	struct vmspace *vm = bsdvm_map_vmspace(map);
	struct vm_amap *amap;

	if (vm == NULL)
		return NULL;
	sys_lock(vm->sys);
	amap = amap_alloc(vm->sys);
	if (amap != NULL)
		amap->ref = 1;
	sys_unlock(vm->sys);
	return amap;
}

void vmspace_amap_attach(struct vm_map *map, bsdvm_addr_t start, void *prealloc)
{
	struct vmspace *vm = bsdvm_map_vmspace(map);
	struct vm_map_entry *e;

	if (vm == NULL || prealloc == NULL)
		return;
	e = map_tree_lookup(map, start, NULL);
	sys_lock(vm->sys);
	if (e != NULL && e->aux == NULL && !(e->eflags & MAP_ENTRY_GUARD)) {
		e->aux = prealloc;
		e->aux_off = 0;
		e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
	} else {
		/* merged into an entry that has (or needs) none of its own */
		amap_unref(vm->sys, prealloc, 0, 0);
	}
	sys_unlock(vm->sys);
}

void vmspace_amap_drop(struct vm_map *map, void *prealloc)
{
	struct vmspace *vm = bsdvm_map_vmspace(map);

	if (vm == NULL || prealloc == NULL)
		return;
	sys_lock(vm->sys);
	amap_unref(vm->sys, prealloc, 0, 0);
	sys_unlock(vm->sys);
}

void vmspace_kernel_grow(struct vm_map *map, bsdvm_addr_t end)
{
	struct vmspace *vm = bsdvm_map_vmspace(map);

	if (vm != NULL && vm->sys->kernel == vm)
		sys_kernel_grow(vm->sys, end);
}
