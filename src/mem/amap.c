/*
 * amap.c - anons and amaps: the copy-on-write layer (after NetBSD's UVM
 * design as described in Cranor's thesis; the code is our own).
 *
 * An anon is one page of private memory with a count of the amap slots that
 * point to it.  An amap is a sparse array of anon pointers, referenced by
 * map entries; each entry covers a range of slots (aux_off).
 *
 * Who shares an amap:
 *   - the pieces of one clipped entry, which cover disjoint slot ranges, so
 *     when one piece goes away its slots can be freed at once;
 *   - entries of processes that inherited it with VM_INHERIT_SHARE, which
 *     cover the same slots; such an amap is marked shared and keeps the
 *     anons of a partly unmapped range until the amap itself dies (NetBSD
 *     keeps per-page reference counts instead; this costs memory only in
 *     that rare case and keeps the bookkeeping simple).
 * Fork with VM_INHERIT_COPY does not share the amap: the child gets a new
 * amap holding the same anons (each anon's count + 1), so a written page is
 * copied only while its anon is really referenced twice, and taken over
 * once it is not.  NetBSD defers that pointer copy with NEEDS_COPY; bsdvm
 * does it at fork, which costs one pointer per resident private page.
 */
#include <string.h>

#include "mem/mem_impl.h"

struct vm_anon *anon_alloc(struct bsdvm_sys *sys)
{
	struct vm_anon *anon = bsdvm_palloc(sys->plat, sizeof(*anon));

	if (anon != NULL) {
		anon->ref = 1;
		sys->nanons++;
	}
	return anon;
}

void anon_unref(struct bsdvm_sys *sys, struct vm_anon *anon)
{
	if (--anon->ref != 0)
		return;
	if (anon->page != NULL)
		page_free(sys, anon->page);
	if (anon->swslot != 0)
		swap_free(sys, anon->swslot);
	sys->nanons--;
	bsdvm_pfree(sys->plat, anon, sizeof(*anon));
}

int anon_load(struct bsdvm_sys *sys, struct vm_anon *anon)
{
	struct vm_page *pg;

	if (anon->page != NULL)
		return KERN_SUCCESS;
	pg = page_alloc(sys, false);
	if (pg == NULL)
		return KERN_RESOURCE_SHORTAGE;
	swap_read(sys, anon->swslot, pg->data);
	/* the frame is now the only copy; the slot can serve someone else */
	swap_free(sys, anon->swslot);
	anon->swslot = 0;
	pg->anon = anon;
	anon->page = pg;
	page_activate(sys, pg);
	sys->pageins++;
	return KERN_SUCCESS;
}

struct vm_amap *amap_alloc(struct bsdvm_sys *sys)
{
	struct vm_amap *amap = bsdvm_palloc(sys->plat, sizeof(*amap));

	if (amap != NULL)
		sys->namaps++;
	return amap;
}

void amap_ref(struct vm_amap *amap, bool shared)
{
	amap->ref++;
	if (shared)
		amap->shared = true;
}

static void free_all(void *arg, uint64_t i, struct spa_slot *s)
{
	(void)i;
	if (s->p != NULL)
		anon_unref(arg, s->p);
	s->p = NULL;
}

void amap_unref(struct bsdvm_sys *sys, struct vm_amap *amap, uint64_t first, uint64_t n)
{
	uint64_t i;

	if (--amap->ref == 0) {
		spa_foreach(&amap->slots, free_all, sys);
		spa_free(&amap->slots, sys->plat);
		sys->namaps--;
		bsdvm_pfree(sys->plat, amap, sizeof(*amap));
		return;
	}
	if (amap->shared) {
		if (amap->ref == 1)
			amap->shared = false;
		return; /* a sharer may still cover these slots */
	}
	for (i = first; i < first + n; i++) {
		struct spa_slot *s = spa_peek(&amap->slots, i);

		if (s == NULL) {
			i |= SPA_CHUNK - 1; /* skip the rest of an absent chunk */
			continue;
		}
		if (s->p != NULL) {
			anon_unref(sys, s->p);
			s->p = NULL;
		}
	}
}

struct vm_anon *amap_lookup(struct vm_amap *amap, uint64_t slot)
{
	struct spa_slot *s = spa_peek(&amap->slots, slot);

	return s != NULL ? s->p : NULL;
}

int amap_set(struct bsdvm_sys *sys, struct vm_amap *amap, uint64_t slot, struct vm_anon *anon)
{
	struct spa_slot *s = spa_get(&amap->slots, sys->plat, slot);

	if (s == NULL)
		return KERN_RESOURCE_SHORTAGE;
	s->p = anon;
	return KERN_SUCCESS;
}

int amap_new_for_entry(struct bsdvm_sys *sys, struct vm_map_entry *e)
{
	struct vm_amap *amap = amap_alloc(sys);

	if (amap == NULL)
		return KERN_RESOURCE_SHORTAGE;
	amap->ref = 1;
	e->aux = amap;
	e->aux_off = 0;
	e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
	return KERN_SUCCESS;
}

struct copy_ctx {
	struct bsdvm_sys *sys;
	struct vm_amap *dst;
	uint64_t first, n;
	bool eager;
	int rv;
};

int amap_copy_range(struct bsdvm_sys *sys, struct vm_amap *src, uint64_t first, uint64_t n,
    bool eager, struct vm_amap **newp)
{
	struct vm_amap *dst = amap_alloc(sys);
	uint64_t i;

	if (dst == NULL)
		return KERN_RESOURCE_SHORTAGE;
	dst->ref = 1;
	for (i = first; i < first + n; i++) {
		struct spa_slot *s = spa_peek(&src->slots, i), *d;
		struct vm_anon *anon;

		if (s == NULL) {
			i |= SPA_CHUNK - 1;
			continue;
		}
		if (s->p == NULL)
			continue;
		anon = s->p;
		d = spa_get(&dst->slots, sys->plat, i - first);
		if (d == NULL)
			goto fail;
		/* a page wired by anyone is never shared copy-on-write (a later
		 * write would move the data off the wired page): copy it now */
		if (!eager && !(anon->page != NULL && anon->page->wire_count > 0)) {
			anon->ref++;
			anon->was_shared = true;
			d->p = anon;
			/* now shared copy-on-write: no mapping anywhere may write it
			 * in place any more - not the parent's, and not those of
			 * processes sharing the source amap through INHERIT_SHARE */
			if (anon->page != NULL)
				sys->pmap->page_protect(sys->pmap_ctx, anon->page,
				    VM_PROT_READ | VM_PROT_EXECUTE);
			continue;
		}
		/* wired memory is never shared copy-on-write: copy it now */
		{
			struct vm_anon *na = anon_alloc(sys);
			struct vm_page *pg;

			if (na == NULL)
				goto fail;
			d->p = na;
			if (anon_load(sys, anon) != KERN_SUCCESS)
				goto fail;
			anon->page->flags |= PG_BUSY;
			pg = page_alloc(sys, false);
			anon->page->flags &= ~PG_BUSY;
			if (pg == NULL)
				goto fail;
			memcpy(pg->data, anon->page->data, sys->page_size);
			pg->anon = na;
			na->page = pg;
			page_activate(sys, pg);
			sys->cow_copies++;
		}
	}
	*newp = dst;
	return KERN_SUCCESS;
fail:
	amap_unref(sys, dst, 0, n);
	return KERN_RESOURCE_SHORTAGE;
}

struct empty_ctx {
	bool empty;
};

static void note_anon(void *arg, uint64_t i, struct spa_slot *s)
{
	(void)i;
	if (s->p != NULL)
		((struct empty_ctx *)arg)->empty = false;
}

bool amap_empty(struct vm_amap *amap)
{
	struct empty_ctx c = { true };

	spa_foreach(&amap->slots, note_anon, &c);
	return c.empty;
}
