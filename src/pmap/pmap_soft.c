/*
 * pmap_soft.c - the software pmap: translations kept in a hash table keyed
 * by virtual page, each also linked on its page's list of translations
 * (the "pv list"), so that pageout and copy-on-write can find and drop
 * every mapping of a page.  The referenced/modified bits live in the page
 * (md_attrs); the software MMU (copy.c, fault.c) sets them through
 * page_mark, as hardware would.
 *
 * Callers hold the system lock; the pmap has no lock of its own.
 */
#include "mem/mem_impl.h"

struct pte {
	bsdvm_addr_t va;
	struct vm_page *pg;
	struct pmap *pmap;
	struct pte *hnext;             /* hash bucket */
	struct pte *pvnext, *pvprev;   /* the page's translations */
	bsdvm_prot_t prot;
	bool wired;
};

struct pmap {
	struct pte **buckets;
	uint64_t nbuckets;             /* power of two */
	uint64_t count;
};

#define PLAT(ctx) ((const struct bsdvm_platform *)(ctx))

static uint64_t hash_va(const struct pmap *pm, bsdvm_addr_t va)
{
	return ((va >> 12) * 0x9E3779B97F4A7C15ull >> 17) & (pm->nbuckets - 1);
}

static struct pmap *soft_create(void *ctx)
{
	struct pmap *pm = bsdvm_palloc(PLAT(ctx), sizeof(*pm));

	if (pm == NULL)
		return NULL;
	pm->nbuckets = 64;
	pm->buckets = bsdvm_palloc(PLAT(ctx), pm->nbuckets * sizeof(*pm->buckets));
	if (pm->buckets == NULL) {
		bsdvm_pfree(PLAT(ctx), pm, sizeof(*pm));
		return NULL;
	}
	return pm;
}

static void pv_unlink(struct pte *t)
{
	if (t->pvprev != NULL)
		t->pvprev->pvnext = t->pvnext;
	else
		t->pg->md_pv = t->pvnext;
	if (t->pvnext != NULL)
		t->pvnext->pvprev = t->pvprev;
}

/* Unlinks the pte for va from its bucket; returns it or NULL. */
static struct pte *bucket_take(struct pmap *pm, bsdvm_addr_t va)
{
	struct pte **pp = &pm->buckets[hash_va(pm, va)];

	for (; *pp != NULL; pp = &(*pp)->hnext) {
		if ((*pp)->va == va) {
			struct pte *t = *pp;

			*pp = t->hnext;
			pm->count--;
			return t;
		}
	}
	return NULL;
}

static struct pte *bucket_find(const struct pmap *pm, bsdvm_addr_t va)
{
	struct pte *t = pm->buckets[hash_va(pm, va)];

	while (t != NULL && t->va != va)
		t = t->hnext;
	return t;
}

static void drop(void *ctx, struct pte *t)
{
	pv_unlink(t);
	bsdvm_pfree(PLAT(ctx), t, sizeof(*t));
}

static void soft_destroy(void *ctx, struct pmap *pm)
{
	uint64_t b;

	for (b = 0; b < pm->nbuckets; b++) {
		while (pm->buckets[b] != NULL) {
			struct pte *t = pm->buckets[b];

			pm->buckets[b] = t->hnext;
			drop(ctx, t);
		}
	}
	bsdvm_pfree(PLAT(ctx), pm->buckets, pm->nbuckets * sizeof(*pm->buckets));
	bsdvm_pfree(PLAT(ctx), pm, sizeof(*pm));
}

/* Doubles the table when it is fuller than one entry per bucket; a failed
 * allocation just leaves it as it is. */
static void maybe_grow(void *ctx, struct pmap *pm)
{
	uint64_t nb = pm->nbuckets * 2, b;
	struct pte **n;
	struct pte **old = pm->buckets;
	uint64_t oldn = pm->nbuckets;

	if (pm->count < pm->nbuckets)
		return;
	n = bsdvm_palloc(PLAT(ctx), nb * sizeof(*n));
	if (n == NULL)
		return;
	pm->buckets = n;
	pm->nbuckets = nb;
	for (b = 0; b < oldn; b++) {
		while (old[b] != NULL) {
			struct pte *t = old[b];
			uint64_t h = hash_va(pm, t->va);

			old[b] = t->hnext;
			t->hnext = n[h];
			n[h] = t;
		}
	}
	bsdvm_pfree(PLAT(ctx), old, oldn * sizeof(*old));
}

static int soft_enter(void *ctx, struct pmap *pm, bsdvm_addr_t va, struct vm_page *pg,
    bsdvm_prot_t prot, bool wired)
{
	struct pte *t = bucket_find(pm, va);
	uint64_t h;

	if (t != NULL) {
		if (t->pg != pg) {
			pv_unlink(t);
			t->pg = pg;
			t->pvprev = NULL;
			t->pvnext = pg->md_pv;
			if (t->pvnext != NULL)
				t->pvnext->pvprev = t;
			pg->md_pv = t;
		}
		t->prot = prot;
		t->wired = wired;
		return KERN_SUCCESS;
	}
	t = bsdvm_palloc(PLAT(ctx), sizeof(*t));
	if (t == NULL)
		return KERN_RESOURCE_SHORTAGE;
	t->va = va;
	t->pg = pg;
	t->pmap = pm;
	t->prot = prot;
	t->wired = wired;
	h = hash_va(pm, va);
	t->hnext = pm->buckets[h];
	pm->buckets[h] = t;
	t->pvnext = pg->md_pv;
	if (t->pvnext != NULL)
		t->pvnext->pvprev = t;
	pg->md_pv = t;
	pm->count++;
	maybe_grow(ctx, pm);
	return KERN_SUCCESS;
}

/* Applies fn to each translation in [sva, eva): by page when the range is
 * smaller than the table, else by scanning the table. */
static void range_walk(void *ctx, struct pmap *pm, bsdvm_addr_t sva, bsdvm_addr_t eva,
    bsdvm_prot_t prot, bool remove)
{
	const bsdvm_size_t step = 4096;

	if ((eva - sva) / step <= pm->count) {
		bsdvm_addr_t va;

		for (va = sva; va < eva; va += step) {
			struct pte *t = remove ? bucket_take(pm, va) : bucket_find(pm, va);

			if (t == NULL)
				continue;
			if (remove)
				drop(ctx, t);
			else
				t->prot &= prot;
		}
		return;
	}
	for (uint64_t b = 0; b < pm->nbuckets; b++) {
		struct pte **pp = &pm->buckets[b];

		while (*pp != NULL) {
			struct pte *t = *pp;

			if (t->va < sva || t->va >= eva) {
				pp = &t->hnext;
				continue;
			}
			if (remove) {
				*pp = t->hnext;
				pm->count--;
				drop(ctx, t);
			} else {
				t->prot &= prot;
				pp = &t->hnext;
			}
		}
	}
}

static void soft_remove(void *ctx, struct pmap *pm, bsdvm_addr_t sva, bsdvm_addr_t eva)
{
	range_walk(ctx, pm, sva, eva, VM_PROT_NONE, true);
}

static void soft_protect(void *ctx, struct pmap *pm, bsdvm_addr_t sva, bsdvm_addr_t eva,
    bsdvm_prot_t prot)
{
	range_walk(ctx, pm, sva, eva, prot, prot == VM_PROT_NONE);
}

static struct vm_page *soft_extract(void *ctx, struct pmap *pm, bsdvm_addr_t va,
    bsdvm_prot_t *protp)
{
	struct pte *t = bucket_find(pm, va);

	(void)ctx;
	if (t == NULL)
		return NULL;
	if (protp != NULL)
		*protp = t->prot;
	return t->pg;
}

static void soft_page_protect(void *ctx, struct vm_page *pg, bsdvm_prot_t prot)
{
	struct pte *t = pg->md_pv, *next;

	for (; t != NULL; t = next) {
		next = t->pvnext;
		if (prot == VM_PROT_NONE) {
			bucket_take(t->pmap, t->va);
			drop(ctx, t);
		} else {
			t->prot &= prot;
		}
	}
}

static unsigned soft_page_attrs(void *ctx, struct vm_page *pg, unsigned clear)
{
	unsigned a = pg->md_attrs;

	(void)ctx;
	pg->md_attrs &= ~clear;
	return a;
}

static void soft_page_mark(void *ctx, struct vm_page *pg, unsigned attrs)
{
	(void)ctx;
	pg->md_attrs |= attrs;
}

static void soft_unwire(void *ctx, struct pmap *pm, bsdvm_addr_t va)
{
	struct pte *t = bucket_find(pm, va);

	(void)ctx;
	if (t != NULL)
		t->wired = false;
}

static void soft_growkernel(void *ctx, bsdvm_addr_t end)
{
	(void)ctx;
	(void)end; /* software page tables need no preallocation */
}

static void soft_prefer(void *ctx, bsdvm_off_t foff, bsdvm_size_t *align,
    bsdvm_addr_t *align_offset)
{
	(void)ctx;
	(void)foff;
	*align = 0; /* no virtually indexed caches to avoid */
	*align_offset = 0;
}

static uint64_t soft_count(void *ctx, struct pmap *pm)
{
	(void)ctx;
	return pm->count;
}

static const struct pmap_ops soft_ops = {
	.create = soft_create,
	.destroy = soft_destroy,
	.enter = soft_enter,
	.remove = soft_remove,
	.protect = soft_protect,
	.extract = soft_extract,
	.page_protect = soft_page_protect,
	.page_attrs = soft_page_attrs,
	.page_mark = soft_page_mark,
	.unwire = soft_unwire,
	.growkernel = soft_growkernel,
	.prefer = soft_prefer,
	.count = soft_count,
};

const struct pmap_ops *pmap_soft_ops(void)
{
	return &soft_ops;
}
