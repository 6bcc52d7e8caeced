/*
 * object.c - memory objects: shared anonymous memory (swap-backed,
 * zero-filled) and objects backed by a pager (struct bsdvm_pager_ops: a
 * host file through src/platform/pager_fd.c, or whatever a kernel or a
 * program supplies).  All I/O goes through the pager's ops, so this file
 * needs nothing from the host.  Private mappings never write into an
 * object: their writes go to anons (amap.c); shared mappings write the
 * object's own pages.
 */
#include <string.h>

#include "mem/mem_impl.h"

static int object_new(struct bsdvm_sys *sys, int type, bsdvm_size_t size,
    struct vm_object **objp)
{
	struct vm_object *obj;

	if (sys == NULL || objp == NULL || size == 0 || (size & (sys->page_size - 1)) != 0)
		return KERN_INVALID_ARGUMENT;
	obj = bsdvm_palloc(sys->plat, sizeof(*obj));
	if (obj == NULL)
		return KERN_RESOURCE_SHORTAGE;
	obj->ref = 1;
	obj->type = type;
	obj->sys = sys;
	obj->size = size;
	sys_lock(sys);
	sys->nobjects++;
	sys_unlock(sys);
	*objp = obj;
	return KERN_SUCCESS;
}

int bsdvm_object_anon(struct bsdvm_sys *sys, bsdvm_size_t size, struct vm_object **objp)
{
	return object_new(sys, OBJ_ANON, size, objp);
}

int bsdvm_object_pager(struct bsdvm_sys *sys, const struct bsdvm_pager_ops *ops, void *ctx,
    bsdvm_size_t size, bool writable, struct vm_object **objp)
{
	int rv;

	/* a writable object without write would lose every shared write */
	if (ops == NULL || ops->read == NULL || (writable && ops->write == NULL))
		return KERN_INVALID_ARGUMENT;
	rv = object_new(sys, OBJ_PAGER, size, objp);
	if (rv == KERN_SUCCESS) {
		(*objp)->pager = ops;
		(*objp)->pager_ctx = ctx;
		(*objp)->writable = writable;
	}
	return rv;
}

/* The backing store's length now; false when the pager cannot tell. */
static bool pager_length(struct vm_object *obj, bsdvm_off_t *lenp)
{
	if (obj->pager->size == NULL) {
		*lenp = obj->size; /* a store without a size op is the object's size */
		return true;
	}
	return obj->pager->size(obj->pager_ctx, lenp) == KERN_SUCCESS;
}

/* Writes a dirty pager page back; false when the pager fails. */
static bool page_writeback(struct vm_object *obj, struct vm_page *pg)
{
	struct bsdvm_sys *sys = obj->sys;
	unsigned attrs = sys->pmap->page_attrs(sys->pmap_ctx, pg, PMAP_ATTR_MODIFIED);
	bsdvm_off_t off = pg->pindex * sys->page_size;
	size_t want = sys->page_size;
	bsdvm_off_t len;

	if ((attrs & PMAP_ATTR_MODIFIED) == 0 && (pg->flags & PG_DIRTY) == 0)
		return true;
	if (obj->type != OBJ_PAGER || !obj->writable)
		return true;
	/* reading the modified bit cleared it: until the bytes are stored,
	 * PG_DIRTY is what says they still have to be, so a failed write is
	 * tried again and an eviction never drops them */
	pg->flags |= PG_DIRTY;
	/* as mmap: writing back never changes the store's length */
	if (!pager_length(obj, &len))
		return false;
	if (off >= len)
		want = 0;
	else if (want > len - off)
		want = (size_t)(len - off);
	if (want != 0 && obj->pager->write(obj->pager_ctx, off, pg->data, want) != KERN_SUCCESS)
		return false;
	/* a page cut short by the store's end keeps the bytes past it only
	 * in memory: it stays dirty, so that once the store grows back the
	 * next write-back stores them, and no clean eviction drops them */
	if (want == sys->page_size)
		pg->flags &= ~PG_DIRTY;
	return true;
}

void object_page_writeback(struct bsdvm_sys *sys, struct vm_page *pg)
{
	(void)sys;
	page_writeback(pg->object, pg);
}

struct sync_ctx {
	struct vm_object *obj;
	bool ok;
};

static void sync_one(void *arg, uint64_t i, struct spa_slot *s)
{
	struct sync_ctx *c = arg;

	(void)i;
	if (s->p != NULL && !page_writeback(c->obj, s->p))
		c->ok = false;
}

int bsdvm_object_sync(struct vm_object *obj)
{
	struct sync_ctx c = { obj, true };

	if (obj == NULL)
		return KERN_INVALID_ARGUMENT;
	sys_lock(obj->sys);
	spa_foreach(&obj->pages, sync_one, &c);
	sys_unlock(obj->sys);
	return c.ok ? KERN_SUCCESS : KERN_FAILURE;
}

static void release_one(void *arg, uint64_t i, struct spa_slot *s)
{
	struct vm_object *obj = arg;

	(void)i;
	if (s->p != NULL) {
		page_writeback(obj, s->p);
		page_free(obj->sys, s->p);
	}
	if (s->v != 0)
		swap_free(obj->sys, s->v);
	s->p = NULL;
	s->v = 0;
}

void object_ref_locked(struct vm_object *obj)
{
	obj->ref++;
}

void object_unref_locked(struct vm_object *obj)
{
	struct bsdvm_sys *sys = obj->sys;

	if (--obj->ref != 0)
		return;
	spa_foreach(&obj->pages, release_one, obj);
	spa_free(&obj->pages, sys->plat);
	/* after the last writeback above: the pager's ctx may go now */
	if (obj->type == OBJ_PAGER && obj->pager->release != NULL)
		obj->pager->release(obj->pager_ctx);
	sys->nobjects--;
	bsdvm_pfree(sys->plat, obj, sizeof(*obj));
}

void bsdvm_object_reference(struct vm_object *obj)
{
	sys_lock(obj->sys);
	object_ref_locked(obj);
	sys_unlock(obj->sys);
}

void bsdvm_object_deallocate(struct vm_object *obj)
{
	struct bsdvm_sys *sys;

	if (obj == NULL)
		return;
	sys = obj->sys;
	sys_lock(sys);
	object_unref_locked(obj);
	sys_unlock(sys);
}

bsdvm_size_t bsdvm_object_size(const struct vm_object *obj)
{
	return obj->size;
}

unsigned bsdvm_object_refcount(const struct vm_object *obj)
{
	return obj->ref;
}

/* Fills pg with the object's contents at pindex: swap, pager or zeros. */
static int object_fill(struct vm_object *obj, struct spa_slot *s, struct vm_page *pg)
{
	struct bsdvm_sys *sys = obj->sys;

	if (s->v != 0) {
		swap_read(sys, s->v, pg->data);
		swap_free(sys, s->v);
		s->v = 0;
		sys->pageins++;
		/* the swap copy is gone: the frame must be written out again */
		pg->flags |= PG_DIRTY;
		return KERN_SUCCESS;
	}
	if (obj->type == OBJ_PAGER) {
		size_t got = 0;

		/* any pager error is an I/O error to the fault; a pager claiming
		 * more than it was asked for is broken, and trusting it would
		 * make the memset below run backwards */
		if (obj->pager->read(obj->pager_ctx, pg->pindex * sys->page_size, pg->data,
		    sys->page_size, &got) != KERN_SUCCESS || got > sys->page_size)
			return KERN_FAILURE;
		/* past the end of the store: zeros */
		memset(pg->data + got, 0, sys->page_size - got);
		sys->file_reads++;
		return KERN_SUCCESS;
	}
	memset(pg->data, 0, sys->page_size);
	sys->zero_fills++;
	return KERN_SUCCESS;
}

int object_get_page(struct vm_object *obj, uint64_t pindex, struct vm_page **pgp)
{
	struct bsdvm_sys *sys = obj->sys;
	struct spa_slot *s;
	struct vm_page *pg;
	int rv;

	if (pindex >= obj->size / sys->page_size)
		return KERN_INVALID_ADDRESS;
	s = spa_get(&obj->pages, sys->plat, pindex);
	if (s == NULL)
		return KERN_RESOURCE_SHORTAGE;
	if (s->p != NULL) {
		*pgp = s->p;
		return KERN_SUCCESS;
	}
	pg = page_alloc(sys, false);
	if (pg == NULL)
		return KERN_RESOURCE_SHORTAGE;
	pg->object = obj;
	pg->pindex = pindex;
	rv = object_fill(obj, s, pg);
	if (rv != KERN_SUCCESS) {
		page_free(sys, pg);
		return rv;
	}
	s->p = pg;
	page_activate(sys, pg);
	*pgp = pg;
	return KERN_SUCCESS;
}

bool object_evict_page(struct bsdvm_sys *sys, struct vm_page *pg)
{
	struct vm_object *obj = pg->object;
	struct spa_slot *s = spa_peek(&obj->pages, pg->pindex);
	unsigned attrs;

	if (s == NULL)
		return false;
	if (obj->type == OBJ_PAGER) {
		bsdvm_off_t len;

		/* bytes beyond the end of the store have no home there: a page
		 * holding any stays resident, so they are never lost */
		if (!pager_length(obj, &len) || (pg->pindex + 1) * sys->page_size > len)
			return false;
		sys->pmap->page_protect(sys->pmap_ctx, pg, VM_PROT_NONE);
		/* still dirty after the write: the store shrank under it */
		if (!page_writeback(obj, pg) || (pg->flags & PG_DIRTY))
			return false;
	} else {
		uint64_t slot = swap_alloc(sys);

		if (slot == 0)
			return false;
		sys->pmap->page_protect(sys->pmap_ctx, pg, VM_PROT_NONE);
		attrs = sys->pmap->page_attrs(sys->pmap_ctx, pg, PMAP_ATTR_MODIFIED);
		(void)attrs;
		swap_write(sys, slot, pg->data);
		s->v = slot;
	}
	s->p = NULL;
	return true;
}
