/*
 * page.c - the frame pool and pageout.
 *
 * Every frame is either on the free list or on the clock ring of resident
 * pages.  Pageout sweeps the ring with a second-chance (clock) policy: a
 * page whose referenced bit is set gets the bit cleared and is passed over
 * once; wired and busy pages are never taken.  An anon's page goes to swap,
 * an object's page to swap or back to its file; only then is the frame
 * reused, so no byte is lost.
 */
#include <string.h>

#include "mem/mem_impl.h"

static void ring_insert(struct bsdvm_sys *sys, struct vm_page *pg)
{
	if (sys->clock_hand == NULL) {
		pg->qnext = pg->qprev = pg;
		sys->clock_hand = pg;
	} else {
		struct vm_page *h = sys->clock_hand;

		/* just behind the hand: the last to be considered */
		pg->qnext = h;
		pg->qprev = h->qprev;
		h->qprev->qnext = pg;
		h->qprev = pg;
	}
	sys->nresident++;
}

static void ring_remove(struct bsdvm_sys *sys, struct vm_page *pg)
{
	if (pg->qnext == pg) {
		sys->clock_hand = NULL;
	} else {
		pg->qprev->qnext = pg->qnext;
		pg->qnext->qprev = pg->qprev;
		if (sys->clock_hand == pg)
			sys->clock_hand = pg->qnext;
	}
	pg->qnext = pg->qprev = NULL;
	sys->nresident--;
}

struct vm_page *page_alloc(struct bsdvm_sys *sys, bool zero)
{
	struct vm_page *pg;

	if (sys->free_list == NULL)
		pageout_run(sys, 1);
	pg = sys->free_list;
	if (pg == NULL)
		return NULL;
	sys->free_list = pg->qnext;
	sys->nfree--;
	pg->qnext = pg->qprev = NULL;
	pg->flags = PG_BUSY;
	pg->anon = NULL;
	pg->object = NULL;
	pg->pindex = 0;
	pg->wire_count = 0;
	/* a new page starts unreferenced and clean in the pmap's eyes */
	sys->pmap->page_attrs(sys->pmap_ctx, pg, PMAP_ATTR_REFERENCED | PMAP_ATTR_MODIFIED);
	if (zero)
		memset(pg->data, 0, sys->page_size);
	return pg;
}

void page_activate(struct bsdvm_sys *sys, struct vm_page *pg)
{
	pg->flags &= ~PG_BUSY;
	ring_insert(sys, pg);
}

void page_free(struct bsdvm_sys *sys, struct vm_page *pg)
{
	sys->pmap->page_protect(sys->pmap_ctx, pg, VM_PROT_NONE);
	if (pg->qnext != NULL)
		ring_remove(sys, pg);
	if (pg->wire_count != 0)
		sys->nwired--;
	pg->anon = NULL;
	pg->object = NULL;
	pg->wire_count = 0;
	pg->flags = PG_FREE;
	pg->qnext = sys->free_list;
	sys->free_list = pg;
	sys->nfree++;
}

void page_wire(struct bsdvm_sys *sys, struct vm_page *pg)
{
	if (pg->wire_count++ == 0)
		sys->nwired++;
}

void page_unwire(struct bsdvm_sys *sys, struct vm_page *pg)
{
	if (pg->wire_count > 0 && --pg->wire_count == 0)
		sys->nwired--;
}

/* Moves an anon's page to swap; false if swap is full. */
static bool anon_evict(struct bsdvm_sys *sys, struct vm_page *pg)
{
	struct vm_anon *anon = pg->anon;
	uint64_t slot = swap_alloc(sys);

	if (slot == 0)
		return false;
	sys->pmap->page_protect(sys->pmap_ctx, pg, VM_PROT_NONE);
	swap_write(sys, slot, pg->data);
	anon->swslot = slot;
	anon->page = NULL;
	return true;
}

uint64_t pageout_run(struct bsdvm_sys *sys, uint64_t want)
{
	uint64_t freed = 0, budget;

	/* two sweeps of the ring at most: the first may only clear bits */
	budget = 2 * sys->nresident + 1;
	while (freed < want && sys->clock_hand != NULL && budget-- > 0) {
		struct vm_page *pg = sys->clock_hand;
		bool ok;

		sys->clock_hand = pg->qnext;
		if (pg->wire_count != 0 || (pg->flags & PG_BUSY))
			continue;
		if (sys->pmap->page_attrs(sys->pmap_ctx, pg, PMAP_ATTR_REFERENCED) &
		    PMAP_ATTR_REFERENCED)
			continue; /* second chance */
		ok = pg->anon != NULL ? anon_evict(sys, pg) : object_evict_page(sys, pg);
		if (!ok)
			continue;
		sys->pageouts++;
		pg->anon = NULL;
		pg->object = NULL;
		page_free(sys, pg);
		freed++;
	}
	return freed;
}
