/*
 * proc.c - processes as the VM system sees them: a vmspace, resource
 * limits and a lock (the process lock vm_map_stack(9) talks about).
 */
#include "mem/mem_impl.h"

#define DEFAULT_USER_MIN 0x10000ull
#define DEFAULT_USER_MAX 0x800000000000ull

int bsdvm_proc_create(struct bsdvm_sys *sys, struct vmspace *vm, struct proc **pp)
{
	struct proc *p;
	int rv;

	if (sys == NULL || pp == NULL)
		return KERN_INVALID_ARGUMENT;
	p = bsdvm_palloc(sys->plat, sizeof(*p));
	if (p == NULL)
		return KERN_RESOURCE_SHORTAGE;
	p->lock = sys->plat->mutex_create(sys->plat->ctx);
	if (p->lock == NULL) {
		bsdvm_pfree(sys->plat, p, sizeof(*p));
		return KERN_RESOURCE_SHORTAGE;
	}
	p->sys = sys;
	p->limits.stack = p->limits.vmem = p->limits.memlock = BSDVM_RLIM_INFINITY;
	if (vm != NULL) {
		bsdvm_vmspace_reference(vm);
	} else {
		rv = bsdvm_vmspace_create(sys, DEFAULT_USER_MIN, DEFAULT_USER_MAX, 0, &vm);
		if (rv != KERN_SUCCESS) {
			sys->plat->mutex_destroy(sys->plat->ctx, p->lock);
			bsdvm_pfree(sys->plat, p, sizeof(*p));
			return rv;
		}
	}
	p->vm = vm;
	*pp = p;
	return KERN_SUCCESS;
}

void bsdvm_proc_destroy(struct proc *p)
{
	if (p == NULL)
		return;
	bsdvm_vmspace_free(p->vm);
	p->sys->plat->mutex_destroy(p->sys->plat->ctx, p->lock);
	bsdvm_pfree(p->sys->plat, p, sizeof(*p));
}

struct vmspace *bsdvm_proc_vmspace(struct proc *p) { return p->vm; }
struct bsdvm_sys *bsdvm_proc_sys(struct proc *p) { return p->sys; }

void bsdvm_proc_set_limits(struct proc *p, const struct bsdvm_rlimits *lim)
{
	p->limits = *lim;
	bsdvm_vmspace_set_limits(p->vm, lim);
}

void bsdvm_proc_get_limits(struct proc *p, struct bsdvm_rlimits *lim)
{
	*lim = p->limits;
}

void bsdvm_proc_lock(struct proc *p)
{
	p->sys->plat->mutex_lock(p->sys->plat->ctx, p->lock);
}

void bsdvm_proc_unlock(struct proc *p)
{
	p->sys->plat->mutex_unlock(p->sys->plat->ctx, p->lock);
}

void bsdvm_proc_set_vmspace(struct proc *p, struct vmspace *vm)
{
	struct vmspace *old = p->vm;

	/* the vmspace obeys the limits of the process that moved in last,
	 * whether it is new (exec) or shared with others (uvmspace_share):
	 * limits live in the vmspace, where growth and wiring check them */
	if (vm != old)
		bsdvm_vmspace_set_limits(vm, &p->limits);
	bsdvm_vmspace_reference(vm);
	p->vm = vm;
	bsdvm_vmspace_free(old);
}
