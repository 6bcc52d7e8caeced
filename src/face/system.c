/*
 * system.c - the default system that NetBSD's context-free functions
 * (uvmspace_alloc, uvm_uarea_alloc, ...) act on.  One pointer, set by
 * bsdvm_init() and cleared by bsdvm_fini().
 */
#include <stdatomic.h>

#include <bsdvm/uvm.h>

static _Atomic(struct bsdvm_sys *) default_sys;

int bsdvm_init(const struct bsdvm_sys_params *params)
{
	struct bsdvm_sys *sys = NULL, *expected = NULL;
	int rv;

	if (atomic_load(&default_sys) != NULL)
		return KERN_FAILURE; /* already initialised */
	rv = bsdvm_sys_create(params, &sys);
	if (rv != KERN_SUCCESS)
		return rv;
	if (!atomic_compare_exchange_strong(&default_sys, &expected, sys)) {
		bsdvm_sys_destroy(sys); /* another thread won the race */
		return KERN_FAILURE;
	}
	return KERN_SUCCESS;
}

void bsdvm_fini(void)
{
	bsdvm_sys_destroy(atomic_exchange(&default_sys, NULL));
}

struct bsdvm_sys *bsdvm_default_sys(void)
{
	return atomic_load(&default_sys);
}

void uvm_init(void)
{
	if (atomic_load(&default_sys) == NULL)
		(void)bsdvm_init(NULL);
}
