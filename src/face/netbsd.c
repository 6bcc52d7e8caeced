/*
 * netbsd.c - the NetBSD face (bsdvm/uvm.h): decodes UVM_MAPFLAG words,
 * the four meanings of <uobj, uoffset>, the locking flags, and turns
 * KERN_* codes into the errno values NetBSD returns.
 */
#include <errno.h>

#include <bsdvm/uvm.h>

#include "mem/mem_impl.h"

/* bits 3, 6, 7, 11 and 15 of the word: never set by UVM_MAPFLAG */
#define UVM_FLAG_UNUSED_BITS 0x000088c8u

int bsdvm_kern_to_errno(int kern)
{
	switch (kern) {
	case KERN_SUCCESS:
		return 0;
	case KERN_INVALID_ADDRESS:
	case KERN_NO_SPACE:
	case KERN_RESOURCE_SHORTAGE:
		return ENOMEM;
	case KERN_PROTECTION_FAILURE:
		return EACCES;
	case KERN_WOULD_BLOCK:
		return EAGAIN;
	case KERN_FAILURE:
		return EFAULT;
	default:
		return EINVAL;
	}
}

/* Decodes flags into attributes; 0 or the errno of a malformed word. */
static int decode_mapflag(struct vm_map *map, vsize_t size, vsize_t align, uvm_flag_t flags,
    struct bsdvm_entry_attrs *a)
{
	unsigned inh = UVM_INHERIT(flags), adv = UVM_ADVICE(flags);
	uvm_flag_t f = flags & 0xffff0000u;

	if ((flags & UVM_FLAG_UNUSED_BITS) != 0 || (f & ~(uvm_flag_t)UVM_FLAG_MASK) != 0)
		return EINVAL;
	if (size == 0 || (size & map->page_mask) != 0)
		return EINVAL;
	/* with COLORMATCH, align is a colour number (checked in uvm_map) */
	if (!(f & UVM_FLAG_COLORMATCH) && align != 0 && (align & (align - 1)) != 0)
		return EINVAL;
	if (((f & UVM_FLAG_FIXED) && align != 0) ||
	    ((f & UVM_FLAG_NOWAIT) && (f & UVM_FLAG_WAITVA)) ||
	    ((f & UVM_FLAG_UNMAP) && !(f & UVM_FLAG_FIXED)) ||
	    ((f & UVM_FLAG_UNMAP) && (f & UVM_FLAG_NOWAIT)))
		return EINVAL;
	if (inh == 3 || adv > UVM_ADV_NOREUSE)
		return EINVAL;
	*a = bsdvm_attrs_anon((bsdvm_prot_t)UVM_PROTECTION(flags),
	    (bsdvm_prot_t)UVM_MAXPROTECTION(flags));
	if ((a->prot & ~a->maxprot) != 0)
		return EACCES;
	/* UVM_INH_SHARE/COPY/NONE >> 4 are 0/1/2, VM_INHERIT_SHARE/COPY/NONE */
	a->inherit = (bsdvm_inherit_t)inh;
	/* WILLNEED/DONTNEED/NOREUSE act on pages; the entry keeps NORMAL */
	a->advice = adv <= UVM_ADV_SEQUENTIAL ? (uint8_t)adv : BSDVM_MADV_NORMAL;
	if (f & UVM_FLAG_COPYONW)
		a->eflags |= MAP_ENTRY_COW | ((f & UVM_FLAG_OVERLAY) ? 0 : MAP_ENTRY_NEEDS_COPY);
	if (f & UVM_FLAG_NOMERGE)
		a->eflags |= MAP_ENTRY_NOMERGE;
	if (f & UVM_FLAG_QUANTUM)
		a->eflags |= MAP_ENTRY_UNSPLITTABLE;
	return 0;
}

int uvm_map(struct vm_map *map, vaddr_t *startp, vsize_t size, struct uvm_object *uobj,
    voff_t uoffset, vsize_t align, uvm_flag_t flags)
{
	struct bsdvm_entry_attrs a;
	struct bsdvm_space_req req = { 0 };
	struct vmspace *vm;
	void *overlay = NULL;
	vaddr_t start;
	int rv, err;

	if (map == NULL || startp == NULL)
		return EINVAL;
	err = decode_mapflag(map, size, align, flags, &a);
	if (err != 0)
		return err;
	if (uobj != NULL && uoffset != UVM_UNKNOWN_OFFSET && (uoffset & map->page_mask) != 0)
		return EINVAL;
	req.length = size;
	vm = bsdvm_map_vmspace(map);
	if (flags & UVM_FLAG_COLORMATCH) {
		/* align is a page colour: the page number of the start, modulo
		 * the system's colours, must equal it (NetBSD's
		 * uvm_map_space_avail moves the start to the next such page).
		 * A map outside any system has one colour. */
		vsize_t colors = vm != NULL ? vm->sys->page_colors : 1;

		if (align >= colors)
			return EINVAL; /* NetBSD asserts align < ncolors */
		if (colors > 1) {
			req.align = colors * map->page_size;
			req.align_offset = align * map->page_size;
		}
	} else {
		/* any power of two is a valid alignment; below a page every
		 * page boundary satisfies it */
		req.align = align != 0 && align < map->page_size ? map->page_size : align;
	}
	if (uobj == NULL && uoffset != UVM_UNKNOWN_OFFSET && align == 0 && vm != NULL &&
	    !(flags & UVM_FLAG_COLORMATCH)) {
		/* <NULL, offset>: the offset is only a PMAP_PREFER hint */
		vm->sys->pmap->prefer(vm->sys->pmap_ctx, uoffset, &req.align, &req.align_offset);
		if (req.align != 0 && req.align < map->page_size)
			req.align = map->page_size;
	}
	a.object = uobj;
	a.offset = (uobj != NULL && uoffset != UVM_UNKNOWN_OFFSET) ? uoffset : 0;

	/* OVERLAY: the amap comes first, so nothing can fail after the
	 * mapping exists */
	if ((flags & UVM_FLAG_OVERLAY) && vm != NULL) {
		overlay = vmspace_amap_prealloc(map);
		if (overlay == NULL)
			return ENOMEM;
	}
	if (flags & UVM_FLAG_TRYLOCK) {
		if (!bsdvm_map_trylock(map)) {
			vmspace_amap_drop(map, overlay);
			return EAGAIN;
		}
	} else {
		bsdvm_map_lock(map);
	}
	for (;;) {
		start = *startp;
		if (flags & UVM_FLAG_FIXED) {
			if ((start & map->page_mask) != 0 || start > UINT64_MAX - size)
				rv = KERN_INVALID_ARGUMENT;
			else if (uobj != NULL && uoffset == UVM_UNKNOWN_OFFSET)
				rv = KERN_SUCCESS; /* insert below, with the offset */
			else if (flags & UVM_FLAG_UNMAP)
				rv = bsdvm_map_fixed_locked(map, start, start + size, &a);
			else
				rv = bsdvm_map_insert_locked(map, start, start + size, &a);
		} else {
			req.hint = start & ~map->page_mask;
			rv = bsdvm_map_findspace_locked(map, &req, &start);
			if (rv == KERN_SUCCESS && !(uobj != NULL && uoffset == UVM_UNKNOWN_OFFSET))
				rv = bsdvm_map_insert_locked(map, start, start + size, &a);
		}
		if (rv == KERN_SUCCESS && uobj != NULL && uoffset == UVM_UNKNOWN_OFFSET) {
			/* <uobj, UVM_UNKNOWN_OFFSET>: the offset follows the address;
			 * a fixed start below the map has none, and is outside it */
			a.offset = start - map_min(map);
			rv = start < map_min(map) ? KERN_INVALID_ADDRESS
			    : (flags & UVM_FLAG_UNMAP)
			    ? bsdvm_map_fixed_locked(map, start, start + size, &a)
			    : bsdvm_map_insert_locked(map, start, start + size, &a);
		}
		if (rv == KERN_NO_SPACE && (flags & UVM_FLAG_WAITVA)) {
			/* sleep until someone else changes the map, then retry;
			 * wake once a second to look again, as NetBSD does */
			bsdvm_map_unlock_and_wait(map, 1000000000ull);
			continue;
		}
		break;
	}
	if (rv == KERN_SUCCESS)
		vmspace_amap_attach(map, start, overlay);
	else
		vmspace_amap_drop(map, overlay);
	bsdvm_map_unlock(map);
	if (rv != KERN_SUCCESS)
		return rv == KERN_INVALID_ARGUMENT ? EINVAL
		    : rv == KERN_PROTECTION_FAILURE ? EACCES : ENOMEM;
	*startp = start;
	return 0;
}

void uvm_unmap1(struct vm_map *map, vaddr_t start, vaddr_t end, int flags)
{
	/* VAONLY: the pages are gone already; dropping translations again is
	 * harmless, so both kinds of unmap do the same here */
	if (map == NULL || (flags & ~UVM_FLAG_VAONLY) != 0 || start >= end)
		return;
	(void)bsdvm_map_delete(map, start, end);
}

void uvm_unmap(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	uvm_unmap1(map, start, end, 0);
}

int uvm_map_pageable(struct vm_map *map, vaddr_t start, vaddr_t end, bool new_pageable,
    int lockflags)
{
	int rv;

	if (map == NULL || (lockflags & ~(UVM_LK_ENTER | UVM_LK_EXIT)) != 0)
		return EINVAL;
	if (!(lockflags & UVM_LK_ENTER))
		bsdvm_map_lock(map);
	if (bsdvm_map_vmspace(map) == NULL || map_range_check(map, start, end) != KERN_SUCCESS)
		rv = EINVAL;
	else if (map_tree_lookup(map, start, NULL) == NULL)
		rv = EFAULT; /* the start must be mapped */
	else if (start == end)
		rv = 0;
	else {
		rv = new_pageable ? map_unwire_locked(map, start, end, BSDVM_WIRE_ALL)
				  : map_wire_locked(map, start, end, 0);
		rv = rv == KERN_SUCCESS ? 0
		    : rv == KERN_RESOURCE_SHORTAGE ? ENOMEM
		    : rv == KERN_FAILURE || rv == KERN_PROTECTION_FAILURE ? EFAULT : EINVAL;
	}
	if (!(lockflags & UVM_LK_EXIT))
		bsdvm_map_unlock(map);
	return rv;
}

bool uvm_map_checkprot(struct vm_map *map, vaddr_t start, vaddr_t end, vm_prot_t protection)
{
	return map != NULL && bsdvm_map_check_protection_locked(map, start, end, protection);
}

int uvm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end, vm_prot_t new_prot,
    bool set_max)
{
	int rv;

	if (map == NULL)
		return EINVAL;
	/* the page: the protection becomes new_prot, and with set_max the
	 * maximum too (NetBSD's kernel only lowers the current protection) */
	rv = set_max ? bsdvm_map_protect(map, start, end, new_prot, new_prot,
			   BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX)
		     : bsdvm_map_protect(map, start, end, new_prot, 0, BSDVM_PROTECT_SET_PROT);
	return rv == KERN_SUCCESS ? 0 : rv == KERN_PROTECTION_FAILURE ? EACCES
	    : rv == KERN_RESOURCE_SHORTAGE ? ENOMEM : EINVAL;
}

int uvm_deallocate(struct vm_map *map, vaddr_t start, vsize_t size)
{
	vaddr_t s, e;

	if (map == NULL)
		return EINVAL;
	if (size == 0)
		return 0;
	s = start & ~map->page_mask;
	if (start > UINT64_MAX - size || start + size > UINT64_MAX - map->page_mask)
		return EINVAL;
	e = (start + size + map->page_mask) & ~map->page_mask;
	switch (bsdvm_map_delete(map, s, e)) {
	case KERN_SUCCESS:
		return 0;
	case KERN_RESOURCE_SHORTAGE:
		return ENOMEM;
	default:
		return EINVAL;
	}
}

struct vmspace *uvmspace_alloc(vaddr_t min, vaddr_t max)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();
	struct vmspace *vm;

	if (sys == NULL || bsdvm_vmspace_create(sys, min, max, 0, &vm) != KERN_SUCCESS)
		return NULL;
	return vm;
}

void uvmspace_exec(struct lwp *l, vaddr_t start, vaddr_t end)
{
	struct proc *p;
	struct vmspace *old, *nvm;
	bool kernel;
	int rv;

	if (l == NULL || (p = l->l_proc) == NULL)
		return;
	old = bsdvm_proc_vmspace(p);
	kernel = old == p->sys->kernel;
	/* the only user: empty it and reuse it (a bad window is refused
	 * there, changing nothing).  The new image obeys the process's own
	 * limits, not those a process that shared the space (vfork) left. */
	rv = kernel ? KERN_FAILURE : bsdvm_vmspace_reset(old, start, end);
	if (rv == KERN_SUCCESS)
		bsdvm_vmspace_set_limits(old, &p->limits);
	if (rv != KERN_FAILURE)
		return;
	/* shared with someone else, or the kernel's, which is never emptied:
	 * the process gets a fresh one, with the old one's flags unless that
	 * was the kernel map */
	if (bsdvm_vmspace_create(p->sys, start, end, kernel ? 0 :
	    old->map->flags & (BSDVM_MAP_TOPDOWN | BSDVM_MAP_WXORX | BSDVM_MAP_NO_ALIGN_INDEX),
	    &nvm) != KERN_SUCCESS)
		return;
	bsdvm_proc_set_vmspace(p, nvm);
	bsdvm_vmspace_free(nvm); /* the process holds its own reference */
}

struct vmspace *uvmspace_fork(struct vmspace *vm)
{
	struct vmspace *child;

	if (vm == NULL || bsdvm_vmspace_fork(vm, &child) != KERN_SUCCESS)
		return NULL;
	return child;
}

void uvmspace_free(struct vmspace *vm)
{
	bsdvm_vmspace_free(vm);
}

void uvmspace_share(struct proc *p1, struct proc *p2)
{
	if (p1 != NULL && p2 != NULL)
		bsdvm_proc_set_vmspace(p2, bsdvm_proc_vmspace(p1));
}

vaddr_t uvm_uarea_alloc(void)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();

	return sys != NULL ? bsdvm_uarea_alloc(sys, false) : 0;
}

void uvm_uarea_free(vaddr_t uaddr)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();

	if (sys != NULL)
		bsdvm_uarea_free(sys, uaddr, false);
}

vaddr_t uvm_uarea_system_alloc(void)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();

	return sys != NULL ? bsdvm_uarea_alloc(sys, true) : 0;
}

void uvm_uarea_system_free(vaddr_t uaddr)
{
	struct bsdvm_sys *sys = bsdvm_default_sys();

	if (sys != NULL)
		bsdvm_uarea_free(sys, uaddr, true);
}
