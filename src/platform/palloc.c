/*
 * palloc.c - the engine's shorthands for the platform allocator.
 */
#include "map/map_impl.h"

void *bsdvm_palloc(const struct bsdvm_platform *p, size_t size)
{
	return p->alloc(p->ctx, size);
}

void bsdvm_pfree(const struct bsdvm_platform *p, void *ptr, size_t size)
{
	p->free(p->ctx, ptr, size);
}
