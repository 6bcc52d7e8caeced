/*
 * model_vm.c - the fuzzer's model of vmspaces (see model_vm.h).
 *
 * Every function decides the outcome first and changes the model only on
 * success, as the library's all-or-nothing contract says; the few places
 * where a failing call still changes something (a fault that grew a stack
 * and then found the access not allowed, a copy that moved some bytes
 * before failing) say so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_vm.h"

#define GAPS (MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP)
#define GROWS (MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP)
/* What a stack may carry besides its direction (bsdvm/vmspace.h), and
 * what every piece it grows keeps. */
#define STACK_KEEP (GROWS | MAP_ENTRY_NOCOREDUMP | MAP_ENTRY_NOSYNC | MAP_ENTRY_NOFAULT | \
	MAP_ENTRY_NOMERGE | MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY)

/* ------------------------------------------------------------------ */
/* Buffers */

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n != 0 ? n : 1, size);

	if (p == NULL) {
		fprintf(stderr, "fuzz model: out of memory\n");
		abort();
	}
	return p;
}

static struct fz_buf *buf_new(const struct fz_model *m, const uint8_t *src)
{
	struct fz_buf *b = xcalloc(1, sizeof(*b) + m->ps);

	b->ref = 1;
	if (src != NULL)
		memcpy(b->data, src, m->ps);
	return b;
}

static void buf_unref(struct fz_buf *b)
{
	if (b != NULL && --b->ref == 0)
		free(b);
}

static void slot_unref(struct fz_slot *s)
{
	if (s != NULL && --s->ref == 0) {
		buf_unref(s->anon);
		free(s);
	}
}

static void fpage_clear(struct fz_page *p)
{
	buf_unref(p->b);
	slot_unref(p->slot);
	memset(p, 0, sizeof(*p));
}

static const uint8_t *page_rdata(const struct fz_page *p)
{
	if (p->slot != NULL && p->slot->anon != NULL)
		return p->slot->anon->data;
	return p->b->data;
}

/* The bytes a write changes: a copy-on-write view gets its copy first. */
static uint8_t *page_wdata(const struct fz_model *m, struct fz_page *p)
{
	if (p->slot == NULL)
		return p->b->data;
	if (p->slot->anon == NULL)
		p->slot->anon = buf_new(m, p->b->data);
	return p->slot->anon->data;
}

/* ------------------------------------------------------------------ */
/* Basics */

static bool aligned(const struct fz_model *m, uint64_t v)
{
	return (v & (m->ps - 1)) == 0;
}

bool fzm_is_guard(const struct fz_vm *v, bsdvm_size_t i)
{
	return v->mm.pages[i].mapped && (v->mm.pages[i].eflags & MAP_ENTRY_GUARD) != 0;
}

bool fzm_is_gap(const struct fz_vm *v, bsdvm_size_t i)
{
	return v->mm.pages[i].mapped && (v->mm.pages[i].eflags & GAPS) != 0;
}

static bool in_window(const struct fz_vm *v, bsdvm_addr_t a)
{
	return a >= v->mm.min && a < v->mm.max;
}

static bsdvm_size_t idx(const struct fz_vm *v, bsdvm_addr_t a)
{
	return model_index(&v->mm, a);
}

/* The range rules of map.h: misaligned or reversed, then outside. */
static int range_code(const struct fz_model *m, const struct fz_vm *v, bsdvm_addr_t s,
    bsdvm_addr_t e)
{
	if (!aligned(m, s) || !aligned(m, e) || e < s)
		return KERN_INVALID_ARGUMENT;
	if (s < v->mm.min || e > v->mm.max)
		return KERN_INVALID_ADDRESS;
	return KERN_SUCCESS;
}

void fzm_init(struct fz_model *m, bsdvm_size_t ps, bsdvm_size_t guard, bsdvm_size_t sgrow)
{
	memset(m, 0, sizeof(*m));
	m->ps = ps;
	m->guard = guard;
	m->sgrow = sgrow;
	/* the engine's readings of the two disputed points of map.h */
	m->opts.protect_skips_guards = true;
	m->opts.checkprot_empty_true = false;
}

void fzm_fini(struct fz_model *m)
{
	int i;

	for (i = 0; i < FZ_NVM; i++)
		if (m->vm[i].live)
			fzm_vm_drop(m, i);
	for (i = 0; i < FZ_NOBJ; i++)
		if (m->obj[i].live)
			fzm_obj_drop(m, i);
}

struct fz_buf *fzm_buf_new(const struct fz_model *m, const uint8_t *src)
{
	return buf_new(m, src);
}

void fzm_buf_unref(struct fz_buf *b)
{
	buf_unref(b);
}

/* bsdvm_object_anon / bsdvm_object_pager: size a non-zero page multiple.
 * pages: the pages of a pager object, which stay the caller's. */
int fzm_obj_new(struct fz_model *m, int oi, struct vm_object *obj, bsdvm_size_t size,
    struct fz_buf **pages, bool readonly)
{
	struct fz_obj *o = &m->obj[oi];

	if (size == 0 || !aligned(m, size))
		return KERN_INVALID_ARGUMENT;
	o->live = true;
	o->obj = obj;
	o->npages = size / m->ps;
	o->external = pages != NULL;
	o->readonly = readonly;
	o->pg = pages != NULL ? pages : xcalloc(o->npages, sizeof(*o->pg));
	return KERN_SUCCESS;
}

/* The object lives on in the library while mappings hold it; its pages
 * live on in the model in the page records that share them. */
void fzm_obj_drop(struct fz_model *m, int oi)
{
	struct fz_obj *o = &m->obj[oi];
	bsdvm_size_t i;

	if (!o->external) {
		for (i = 0; i < o->npages; i++)
			buf_unref(o->pg[i]);
		free(o->pg);
	}
	memset(o, 0, sizeof(*o));
}

static void vm_setup(struct fz_model *m, struct fz_vm *v, bsdvm_addr_t min, bsdvm_addr_t max)
{
	struct bsdvm_map_params p = { 0 };

	p.min = min;
	p.max = max;
	p.page_size = m->ps;
	p.flags = v->flags;
	model_init(&v->mm, &p, &m->opts);
	v->pg = xcalloc(v->mm.npages, sizeof(*v->pg));
}

static void vm_teardown(struct fz_vm *v)
{
	bsdvm_size_t i;

	for (i = 0; i < v->mm.npages; i++)
		fpage_clear(&v->pg[i]);
	free(v->pg);
	v->pg = NULL;
	model_fini(&v->mm);
}

void fzm_vm_new(struct fz_model *m, int vi, struct vmspace *vm, bsdvm_addr_t min,
    bsdvm_addr_t max, uint32_t flags)
{
	struct fz_vm *v = &m->vm[vi];

	memset(v, 0, sizeof(*v));
	v->live = true;
	v->refs = 1;
	v->flags = flags;
	v->vm = vm;
	v->lim.stack = v->lim.vmem = v->lim.memlock = BSDVM_RLIM_INFINITY;
	vm_setup(m, v, min, max);
}

void fzm_vm_drop(struct fz_model *m, int vi)
{
	struct fz_vm *v = &m->vm[vi];

	(void)m;
	vm_teardown(v);
	memset(v, 0, sizeof(*v));
}

/* bsdvm_vmspace_reset, the caller holding the only reference. */
int fzm_reset(struct fz_model *m, int vi, bsdvm_addr_t min, bsdvm_addr_t max)
{
	struct fz_vm *v = &m->vm[vi];

	if (v->refs != 1)
		return KERN_FAILURE;
	if (!aligned(m, min) || !aligned(m, max) || min >= max || max > (bsdvm_addr_t)0 - m->ps)
		return KERN_INVALID_ARGUMENT;
	vm_teardown(v);
	vm_setup(m, v, min, max);
	memset(&v->si, 0, sizeof(v->si)); /* limits and map flags are kept */
	return KERN_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Fork */

static void fork_page(const struct fz_model *m, const struct fz_vm *pv, struct fz_vm *cv,
    bsdvm_size_t i)
{
	const struct model_page *pa = &pv->mm.pages[i];
	struct model_page *ca = &cv->mm.pages[i];
	const struct fz_page *p = &pv->pg[i];
	struct fz_page *q = &cv->pg[i];

	if (!pa->mapped || pa->inherit == VM_INHERIT_NONE)
		return;
	*ca = *pa;
	memset(q, 0, sizeof(*q));
	if (pa->eflags & MAP_ENTRY_GUARD) {
		/* guards, stack gaps included, are copied whatever else they inherit */
		q->gap = p->gap;
		q->gprot = p->gprot;
		q->gmax = p->gmax;
		return;
	}
	switch (pa->inherit) {
	case VM_INHERIT_SHARE:
		q->b = p->b;
		if (q->b != NULL)
			q->b->ref++; /* NULL: beyond the end of the object */
		q->slot = p->slot;
		if (q->slot != NULL)
			q->slot->ref++; /* the amap is shared, so are its pages */
		break;
	case VM_INHERIT_COPY:
		if (pa->object == NULL) {
			q->b = buf_new(m, page_rdata(p));
			break;
		}
		/* a private view of the object: its page, and a copy of the
		 * parent's private page if its view has one */
		ca->eflags |= MAP_ENTRY_COW;
		q->b = p->b;
		if (q->b != NULL)
			q->b->ref++;
		q->slot = xcalloc(1, sizeof(*q->slot));
		q->slot->ref = 1;
		if (p->slot != NULL && p->slot->anon != NULL)
			q->slot->anon = buf_new(m, p->slot->anon->data);
		break;
	default: /* ZERO */
		q->b = buf_new(m, NULL);
		ca->object = NULL;
		ca->offset = 0;
		ca->eflags &= ~(uint32_t)(MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY);
		break;
	}
}

void fzm_fork(struct fz_model *m, int parent, int child, struct vmspace *vm)
{
	struct fz_vm *pv = &m->vm[parent], *cv = &m->vm[child];
	bsdvm_size_t i;

	fzm_vm_new(m, child, vm, pv->mm.min, pv->mm.max, pv->flags);
	cv->mm.next_unit = pv->mm.next_unit;
	cv->lim = pv->lim; /* the same limits and stack bookkeeping */
	cv->si = pv->si;
	for (i = 0; i < pv->mm.npages; i++)
		fork_page(m, pv, cv, i);
}

/* ------------------------------------------------------------------ */
/* Stack-gap pieces */

/* Attributes of a page as a range operation sees them, gap memory included. */
static bool page_same(const struct model_page *a, const struct fz_page *ga,
    const struct model_page *b, const struct fz_page *gb)
{
	return a->mapped == b->mapped && a->prot == b->prot && a->maxprot == b->maxprot &&
	    a->inherit == b->inherit && a->advice == b->advice && a->eflags == b->eflags &&
	    ga->gprot == gb->gprot && ga->gmax == gb->gmax;
}

struct snap {
	bsdvm_size_t i0, n;
	struct model_page *a;
	struct fz_page *g;
};

static void snap_take(struct fz_vm *v, bsdvm_size_t i0, bsdvm_size_t i1, struct snap *s)
{
	s->i0 = i0;
	s->n = i1 - i0;
	s->a = xcalloc(s->n, sizeof(*s->a));
	s->g = xcalloc(s->n, sizeof(*s->g));
	if (s->n != 0) {
		memcpy(s->a, &v->mm.pages[i0], s->n * sizeof(*s->a));
		memcpy(s->g, &v->pg[i0], s->n * sizeof(*s->g));
	}
}

/*
 * After a range operation changed pages [i0, i1): a gap piece that
 * changed inside the range and goes on outside it was split there, so
 * its part inside gets an id of its own.
 */
static void snap_resplit(struct fz_model *m, struct fz_vm *v, struct snap *s)
{
	bsdvm_size_t k, j, i1 = s->i0 + s->n;

	for (k = 0; k < s->n; k++) {
		bsdvm_size_t i = s->i0 + k;
		uint32_t id = s->g[k].gap, nid;
		bool out;

		if (id == 0 || !fzm_is_gap(v, i) || v->pg[i].gap != id ||
		    page_same(&s->a[k], &s->g[k], &v->mm.pages[i], &v->pg[i]))
			continue;
		out = (s->i0 > 0 && v->pg[s->i0 - 1].gap == id && fzm_is_gap(v, s->i0 - 1)) ||
		    (i1 < v->mm.npages && v->pg[i1].gap == id && fzm_is_gap(v, i1));
		if (!out)
			continue;
		nid = ++m->next_gap;
		for (j = s->i0; j < i1; j++)
			if (v->pg[j].gap == id && fzm_is_gap(v, j))
				v->pg[j].gap = nid;
	}
	free(s->a);
	free(s->g);
}

/* ------------------------------------------------------------------ */
/* Mapping and unmapping */

/* Gives pages [s, e), just mapped by the map model with a, their memory. */
static void fill_pages(const struct fz_model *m, struct fz_vm *v, bsdvm_addr_t s,
    bsdvm_addr_t e, const struct bsdvm_entry_attrs *a)
{
	bsdvm_size_t i;

	for (i = idx(v, s); i < idx(v, e); i++) {
		fpage_clear(&v->pg[i]);
		if (!(a->eflags & MAP_ENTRY_GUARD))
			v->pg[i].b = buf_new(m, NULL);
	}
}

int fzm_map(struct fz_model *m, int vi, int how, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_space_req *req, const struct bsdvm_entry_attrs *a,
    bsdvm_addr_t *addrp)
{
	struct fz_vm *v = &m->vm[vi];
	bsdvm_size_t i;
	int rv;

	switch (how) {
	case FZ_MAP_INSERT:
		rv = model_insert(&v->mm, start, end, a);
		break;
	case FZ_MAP_FIXED:
		/* what fixed replaces loses its memory in fill_pages */
		rv = model_fixed(&v->mm, start, end, a);
		break;
	default:
		rv = model_find(&v->mm, req, a, addrp);
		if (rv == KERN_SUCCESS) {
			start = *addrp;
			end = start + req->length;
		}
		break;
	}
	if (rv != KERN_SUCCESS)
		return rv;
	fill_pages(m, v, start, end, a);
	if (a->eflags & GAPS) {
		/* a stack gap made by hand keeps no protection (offset 0) */
		uint32_t gid = ++m->next_gap;

		for (i = idx(v, start); i < idx(v, end); i++)
			v->pg[i].gap = gid;
	}
	return KERN_SUCCESS;
}

/* Pages [start, + len), just mapped to object oi at offset, show its pages
 * (a private mapping through a copy-on-write view of each). */
static void fill_object(struct fz_model *m, struct fz_vm *v, int oi, bsdvm_addr_t start,
    bsdvm_size_t len, bsdvm_off_t offset, bool shared)
{
	struct fz_obj *o = &m->obj[oi];
	bsdvm_size_t k, n = len / m->ps;

	for (k = 0; k < n; k++) {
		struct fz_page *p = &v->pg[idx(v, start) + k];
		bsdvm_size_t pi = offset / m->ps + k;

		fpage_clear(p);
		if (pi < o->npages) {
			if (o->pg[pi] == NULL)
				o->pg[pi] = buf_new(m, NULL);
			p->b = o->pg[pi];
			p->b->ref++;
		}
		if (!shared) {
			p->slot = xcalloc(1, sizeof(*p->slot));
			p->slot->ref = 1;
		}
	}
}

int fzm_mmap(struct fz_model *m, int vi, bsdvm_addr_t *addrp, bsdvm_size_t len,
    bsdvm_prot_t prot, bsdvm_prot_t max, uint32_t flags, struct vm_object *obj, int oi,
    bsdvm_off_t offset)
{
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(prot, max);
	struct bsdvm_space_req req;
	struct fz_vm *v = &m->vm[vi];
	int rv;

	if ((flags & ~BSDVM_MAPF_MASK) != 0 ||
	    ((flags & BSDVM_MAPF_EXCL) && !(flags & BSDVM_MAPF_FIXED)))
		return KERN_INVALID_ARGUMENT;
	if (oi < 0 && offset != 0)
		return KERN_INVALID_ARGUMENT;
	/* bsdvm_vmspace_mmap(3), KERN_NO_SPACE: the map's size plus the length
	 * may not pass the address-space limit (FreeBSD's RLIMIT_VMEM check,
	 * made before the rest of the arguments, as mmap(2) makes it) */
	if (v->lim.vmem != BSDVM_RLIM_INFINITY &&
	    (len > v->lim.vmem || model_size(&v->mm) > v->lim.vmem - len))
		return KERN_NO_SPACE;
	/* shared anonymous memory is an object of its own (when the length
	 * is one a mapping can have) */
	if (oi < 0 && (flags & BSDVM_MAPF_SHARED) && len != 0 && aligned(m, len))
		a.object = obj;
	/* as mmap(2): a shared view of a read-only file never becomes
	 * writable (its maximum loses write), and asking for write is refused */
	if (oi >= 0 && (flags & BSDVM_MAPF_SHARED) && m->obj[oi].readonly) {
		if (prot & VM_PROT_WRITE)
			return KERN_PROTECTION_FAILURE;
		a.maxprot &= (bsdvm_prot_t)~VM_PROT_WRITE;
	}
	if (oi >= 0) {
		a.object = m->obj[oi].obj;
		a.offset = offset;
		if (!(flags & BSDVM_MAPF_SHARED))
			a.eflags |= MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY;
	}
	a.inherit = (flags & BSDVM_MAPF_SHARED) ? VM_INHERIT_SHARE : VM_INHERIT_COPY;
	if (flags & BSDVM_MAPF_NOMERGE)
		a.eflags |= MAP_ENTRY_NOMERGE;
	if (flags & BSDVM_MAPF_FIXED) {
		if (*addrp > UINT64_MAX - len)
			return KERN_INVALID_ARGUMENT; /* the fixed range would wrap */
		rv = fzm_map(m, vi, (flags & BSDVM_MAPF_EXCL) ? FZ_MAP_INSERT : FZ_MAP_FIXED,
		    *addrp, *addrp + len, NULL, &a, NULL);
	} else {
		memset(&req, 0, sizeof(req));
		req.length = len;
		rv = fzm_map(m, vi, FZ_MAP_FIND, 0, 0, &req, &a, addrp);
	}
	if (rv == KERN_SUCCESS && oi >= 0)
		fill_object(m, v, oi, *addrp, len, offset, (flags & BSDVM_MAPF_SHARED) != 0);
	return rv;
}

int fzm_delete(struct fz_model *m, int vi, bsdvm_addr_t start, bsdvm_addr_t end)
{
	struct fz_vm *v = &m->vm[vi];
	bsdvm_size_t i;
	int rv = model_delete(&v->mm, start, end);

	if (rv == KERN_SUCCESS && start < end)
		for (i = idx(v, start); i < idx(v, end); i++)
			fpage_clear(&v->pg[i]);
	return rv;
}

/* ------------------------------------------------------------------ */
/* Attribute changes */

static bool is_plain_guard(const struct model_page *a)
{
	return (a->eflags & MAP_ENTRY_GUARD) != 0 && (a->eflags & GAPS) == 0;
}

/* The protections protect works on: the page's, or those a gap keeps. */
static void prots_of(const struct model_page *a, const struct fz_page *g, bsdvm_prot_t *cur,
    bsdvm_prot_t *max)
{
	if (a->eflags & GAPS) {
		*cur = g->gprot;
		*max = g->gmax;
	} else {
		*cur = a->prot;
		*max = a->maxprot;
	}
}

static void protect_result(bsdvm_prot_t cur, bsdvm_prot_t max, bsdvm_prot_t prot,
    bsdvm_prot_t nmax, uint32_t flags, bsdvm_prot_t *ocur, bsdvm_prot_t *omax)
{
	if (flags & BSDVM_PROTECT_SET_MAX) {
		max = nmax;
		cur &= nmax;
	}
	if (flags & BSDVM_PROTECT_SET_PROT)
		cur = prot;
	*ocur = cur;
	*omax = max;
}

/*
 * map.h, bsdvm_map_protect, with the stack gap rule of map.h and
 * bsdvm_map_stack(3): a gap has no protection of its own, but protect
 * checks and changes the protections it keeps for the stack's growth,
 * within the maximum it keeps.  A plain guard has nothing to change.
 */
int fzm_protect(struct fz_model *m, int vi, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_prot_t prot, bsdvm_prot_t nmax, uint32_t flags)
{
	const uint32_t both = BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX;
	const bsdvm_prot_t wx = VM_PROT_WRITE | VM_PROT_EXECUTE;
	struct fz_vm *v = &m->vm[vi];
	bsdvm_size_t i, i0, i1;
	struct snap s;
	int rv;

	if (flags == 0 || (flags & ~both) != 0)
		return KERN_INVALID_ARGUMENT;
	if (((flags & BSDVM_PROTECT_SET_PROT) && (prot & ~VM_PROT_ALL) != 0) ||
	    ((flags & BSDVM_PROTECT_SET_MAX) && (nmax & ~VM_PROT_ALL) != 0))
		return KERN_INVALID_ARGUMENT;
	rv = range_code(m, v, start, end);
	if (rv != KERN_SUCCESS)
		return rv;
	if ((flags & both) == both && (prot & ~nmax) != 0)
		return KERN_OUT_OF_BOUNDS;
	if ((v->flags & BSDVM_MAP_WXORX) && (flags & BSDVM_PROTECT_SET_PROT) &&
	    (prot & wx) == wx)
		return KERN_PROTECTION_FAILURE;
	if (start == end)
		return KERN_SUCCESS;
	i0 = idx(v, start);
	i1 = idx(v, end);
	/* validate in address order: rights, then unsplittable entries that
	 * would change and stick out of the range */
	for (i = i0; i < i1; i++) {
		const struct model_page *a = &v->mm.pages[i];
		bsdvm_prot_t cur, max, ncur, nm;
		bsdvm_addr_t us, ue;

		if (!a->mapped || is_plain_guard(a))
			continue;
		prots_of(a, &v->pg[i], &cur, &max);
		if ((flags & BSDVM_PROTECT_SET_PROT) && (prot & ~max) != 0)
			return KERN_PROTECTION_FAILURE;
		if ((flags & BSDVM_PROTECT_SET_MAX) && (nmax & ~max) != 0)
			return KERN_PROTECTION_FAILURE;
		protect_result(cur, max, prot, nmax, flags, &ncur, &nm);
		if ((ncur != cur || nm != max) &&
		    model_unit_extent(&v->mm, model_addr(&v->mm, i), &us, &ue) &&
		    (us < start || ue > end))
			return KERN_INVALID_ARGUMENT;
	}
	snap_take(v, i0, i1, &s);
	for (i = i0; i < i1; i++) {
		struct model_page *a = &v->mm.pages[i];
		bsdvm_prot_t cur, max;

		if (!a->mapped || is_plain_guard(a))
			continue;
		prots_of(a, &v->pg[i], &cur, &max);
		if (a->eflags & GAPS)
			protect_result(cur, max, prot, nmax, flags, &v->pg[i].gprot, &v->pg[i].gmax);
		else
			protect_result(cur, max, prot, nmax, flags, &a->prot, &a->maxprot);
	}
	snap_resplit(m, v, &s);
	return KERN_SUCCESS;
}

int fzm_inherit(struct fz_model *m, int vi, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_inherit_t inh)
{
	struct fz_vm *v = &m->vm[vi];
	struct snap s;
	int rv;

	if (inh > VM_INHERIT_ZERO || range_code(m, v, start, end) != KERN_SUCCESS)
		return model_inherit(&v->mm, start, end, inh);
	snap_take(v, idx(v, start), idx(v, end), &s);
	rv = model_inherit(&v->mm, start, end, inh);
	snap_resplit(m, v, &s);
	return rv;
}

int fzm_madvise(struct fz_model *m, int vi, bsdvm_addr_t start, bsdvm_addr_t end, int advice)
{
	struct fz_vm *v = &m->vm[vi];
	struct snap s;
	int rv;

	if (advice < BSDVM_MADV_NORMAL || advice > BSDVM_MADV_CORE ||
	    range_code(m, v, start, end) != KERN_SUCCESS)
		return model_madvise(&v->mm, start, end, advice);
	snap_take(v, idx(v, start), idx(v, end), &s);
	rv = model_madvise(&v->mm, start, end, advice);
	snap_resplit(m, v, &s);
	return rv;
}

/* ------------------------------------------------------------------ */
/* Wiring */

/* Can the page be wired at all (not a hole, a guard, or without access)? */
static bool wirable(const struct fz_vm *v, bsdvm_size_t i)
{
	const struct model_page *a = &v->mm.pages[i];

	return a->mapped && !(a->eflags & MAP_ENTRY_GUARD) && a->prot != VM_PROT_NONE;
}

/* Would this wiring change the page's count? */
static bool wire_changes(const struct fz_vm *v, bsdvm_size_t i, uint32_t flags)
{
	return wirable(v, i) && !((flags & BSDVM_WIRE_USER) && v->pg[i].uwired);
}

uint64_t fzm_wire_new_pages(const struct fz_model *m, int vi, bsdvm_addr_t start,
    bsdvm_addr_t end, uint32_t flags)
{
	const struct fz_vm *v = &m->vm[vi];
	bsdvm_addr_t a;
	uint64_t n = 0;

	if (!aligned(m, start) || end < start)
		return 0;
	if (start < v->mm.min)
		start = v->mm.min;
	if (end > v->mm.max)
		end = v->mm.max;
	for (a = start; a < end; a += m->ps)
		if (wire_changes(v, idx(v, a), flags) && v->pg[idx(v, a)].wired == 0)
			n++;
	return n;
}

/* What unwiring treats as wired memory: what wiring could wire, and an
 * entry wired before its protection became none (bsdvm_map_wire(3)). */
static bool unwirable(const struct fz_vm *v, bsdvm_size_t i)
{
	return wirable(v, i) || (v->mm.pages[i].mapped && !fzm_is_guard(v, i) &&
	    v->pg[i].wired > 0);
}

/*
 * bsdvm_map_wire(3): flags, then the range, then every page in address
 * order: holes, guards and pages without access (skipped with HOLESOK;
 * for unwiring, a page wired before it lost all access is no hole), an
 * unsplittable entry reaching beyond the range, for wiring a page beyond
 * the end of its object, for unwiring the kind of wiring to remove; then
 * the memlock limit.  All before anything changes.
 */
int fzm_wire(struct fz_model *m, int vi, bsdvm_addr_t start, bsdvm_addr_t end,
    uint32_t flags, bool unwire)
{
	struct fz_vm *v = &m->vm[vi];
	bool holesok = (flags & BSDVM_WIRE_HOLESOK) != 0;
	bsdvm_size_t i, i0, i1;
	int rv;

	if ((flags & ~(BSDVM_WIRE_HOLESOK | BSDVM_WIRE_USER | BSDVM_WIRE_ALL)) != 0 ||
	    (!unwire && (flags & BSDVM_WIRE_ALL)) ||
	    ((flags & BSDVM_WIRE_ALL) && (flags & BSDVM_WIRE_USER)))
		return KERN_INVALID_ARGUMENT;
	rv = range_code(m, v, start, end);
	if (rv != KERN_SUCCESS || start == end)
		return rv;
	i0 = idx(v, start);
	i1 = idx(v, end);
	for (i = i0; i < i1; i++) {
		const struct fz_page *p = &v->pg[i];
		bsdvm_addr_t us, ue;

		if (unwire ? !unwirable(v, i) : !wirable(v, i)) {
			if (!holesok)
				return KERN_INVALID_ADDRESS;
			continue;
		}
		if (model_unit_extent(&v->mm, model_addr(&v->mm, i), &us, &ue) &&
		    (us < start || ue > end))
			return KERN_INVALID_ARGUMENT;
		if (!unwire && p->b == NULL)
			return KERN_INVALID_ADDRESS; /* beyond the end of the object */
		if (unwire && ((flags & BSDVM_WIRE_ALL) ? p->wired <= 0
			    : (flags & BSDVM_WIRE_USER) ? !p->uwired
							: p->wired - (p->uwired ? 1 : 0) <= 0))
			return KERN_INVALID_ARGUMENT;
	}
	/* the memlock limit counts every kind of wiring */
	if (!unwire && v->lim.memlock != BSDVM_RLIM_INFINITY &&
	    fzm_wired_bytes(m, vi) + fzm_wire_new_pages(m, vi, start, end, flags) * m->ps >
	    v->lim.memlock)
		return KERN_RESOURCE_SHORTAGE;
	for (i = i0; i < i1; i++) {
		struct fz_page *p = &v->pg[i];

		if (unwire) {
			if (!unwirable(v, i))
				continue;
			if (flags & (BSDVM_WIRE_USER | BSDVM_WIRE_ALL))
				p->uwired = false;
			if (flags & BSDVM_WIRE_ALL)
				p->wired = 0;
			else
				p->wired--;
			continue;
		}
		if (!wire_changes(v, i, flags))
			continue;
		/* the first wiring faults the page in against the maximum
		 * protection, for writing when the maximum allows it: a
		 * copy-on-write view gets its own copy now */
		if (p->wired++ == 0 && (v->mm.pages[i].maxprot & VM_PROT_WRITE))
			page_wdata(m, p);
		if (flags & BSDVM_WIRE_USER)
			p->uwired = true;
	}
	return KERN_SUCCESS;
}

uint64_t fzm_wired_bytes(const struct fz_model *m, int vi)
{
	const struct fz_vm *v = &m->vm[vi];
	bsdvm_size_t i;
	uint64_t n = 0;

	for (i = 0; i < v->mm.npages; i++)
		n += v->mm.pages[i].mapped && v->pg[i].wired > 0;
	return n * m->ps;
}

uint64_t fzm_wired_pages(const struct fz_model *m)
{
	uint64_t n = 0;
	bsdvm_size_t i;
	int k;

	for (k = 0; k < FZ_NVM; k++) {
		const struct fz_vm *v = &m->vm[k];

		if (!v->live)
			continue;
		for (i = 0; i < v->mm.npages; i++)
			n += v->mm.pages[i].mapped && v->pg[i].wired > 0;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Stacks */

/*
 * bsdvm_map_stack(3) and bsdvm/vmspace.h (cow may add NOCOREDUMP, NOSYNC,
 * NOFAULT, NOMERGE and COW with or without NEEDS_COPY).  The checks in
 * the order of the page (its codes do not say which comes first across
 * codes; this is the order the arguments are listed in): cow, the
 * protection bits and alignment, prot within max, the reservation in the
 * map, larger than the guard, free; then W^X as any insert.
 */
int fzm_stack(struct fz_model *m, int vi, bsdvm_addr_t addrbos, bsdvm_size_t size,
    bsdvm_prot_t prot, bsdvm_prot_t max, uint32_t cow)
{
	const bsdvm_prot_t wx = VM_PROT_WRITE | VM_PROT_EXECUTE;
	struct fz_vm *v = &m->vm[vi];
	bsdvm_size_t init, i;
	bsdvm_addr_t top, ss, se, gs, ge, a;
	uint32_t gid;

	if ((cow & ~STACK_KEEP) != 0 || (cow & GROWS) == 0 || (cow & GROWS) == GROWS ||
	    ((cow & MAP_ENTRY_NEEDS_COPY) && !(cow & MAP_ENTRY_COW)))
		return KERN_INVALID_ARGUMENT;
	if ((prot & ~VM_PROT_ALL) != 0 || (max & ~VM_PROT_ALL) != 0 || !aligned(m, addrbos) ||
	    !aligned(m, size))
		return KERN_INVALID_ARGUMENT;
	if ((prot & ~max) != 0)
		return KERN_PROTECTION_FAILURE;
	if (size == 0 || addrbos < v->mm.min || addrbos > v->mm.max ||
	    size > v->mm.max - addrbos)
		return KERN_NO_SPACE;
	if (m->guard >= size)
		return KERN_INVALID_ARGUMENT;
	init = m->sgrow;
	if (size < m->sgrow + m->guard)
		init = size - m->guard;
	/* the initial stack must keep the map within the address-space limit */
	if (v->lim.vmem != BSDVM_RLIM_INFINITY && model_size(&v->mm) + init > v->lim.vmem)
		return KERN_NO_SPACE;
	top = addrbos + size;
	for (a = addrbos; a < top; a += m->ps)
		if (v->mm.pages[idx(v, a)].mapped)
			return KERN_NO_SPACE;
	if ((v->flags & BSDVM_MAP_WXORX) && (prot & wx) == wx)
		return KERN_PROTECTION_FAILURE;
	if (cow & MAP_ENTRY_GROWS_DOWN) {
		ss = top - init;
		se = top;
		gs = addrbos;
		ge = ss;
	} else {
		ss = addrbos;
		se = addrbos + init;
		gs = se;
		ge = top;
	}
	for (i = idx(v, ss); i < idx(v, se); i++) {
		struct model_page *pa = &v->mm.pages[i];

		memset(pa, 0, sizeof(*pa));
		pa->mapped = 1;
		pa->prot = prot;
		pa->maxprot = max;
		pa->inherit = VM_INHERIT_COPY;
		pa->eflags = cow;
		fpage_clear(&v->pg[i]);
		v->pg[i].b = buf_new(m, NULL);
	}
	gid = ++m->next_gap;
	for (i = gs < ge ? idx(v, gs) : 0; gs < ge && i < idx(v, ge); i++) {
		struct model_page *pa = &v->mm.pages[i];

		memset(pa, 0, sizeof(*pa));
		pa->mapped = 1;
		pa->inherit = VM_INHERIT_COPY;
		pa->eflags = MAP_ENTRY_GUARD |
		    ((cow & MAP_ENTRY_GROWS_DOWN) ? MAP_ENTRY_STACK_GAP_DN : MAP_ENTRY_STACK_GAP_UP);
		fpage_clear(&v->pg[i]);
		v->pg[i].gap = gid;
		v->pg[i].gprot = prot;
		v->pg[i].gmax = max;
	}
	return KERN_SUCCESS;
}

/*
 * Growth into the gap page i (bsdvm_map_stack(3), growstack): the piece
 * of the gap holding i must border a stack entry growing its way; the
 * stack grows to cover i, rounded up to whole growth steps, never into
 * the piece's last `guard` bytes, with the protections the gap keeps, the
 * stack's inheritance and the flags of STACK_KEEP the stack has.
 * Growth at an address of the main stack ([maxsaddr, stacktop) of the
 * stack bookkeeping) must keep ssize within the stack limit, is cut short
 * of a whole step to end at the limit, and is added to ssize; the map's
 * size after growth must stay within the address-space limit.
 */
static int grow_at(struct fz_model *m, struct fz_vm *v, bsdvm_size_t i)
{
	uint32_t id = v->pg[i].gap;
	bool down = (v->mm.pages[i].eflags & MAP_ENTRY_STACK_GAP_DN) != 0;
	bsdvm_size_t lo = i, hi = i + 1, st, n0, n1, k, gapsize, maxgrow, grow;
	bsdvm_addr_t addr = model_addr(&v->mm, i);
	bool mainstack = addr >= v->si.maxsaddr && addr < v->si.stacktop;
	uint64_t slim = v->lim.stack;
	struct model_page tmpl;

	while (lo > 0 && fzm_is_gap(v, lo - 1) && v->pg[lo - 1].gap == id)
		lo--;
	while (hi < v->mm.npages && fzm_is_gap(v, hi) && v->pg[hi].gap == id)
		hi++;
	if (down) {
		if (hi >= v->mm.npages)
			return KERN_FAILURE;
		st = hi;
	} else {
		if (lo == 0)
			return KERN_FAILURE;
		st = lo - 1;
	}
	if (!v->mm.pages[st].mapped || (v->mm.pages[st].eflags & MAP_ENTRY_GUARD) ||
	    !(v->mm.pages[st].eflags & (down ? MAP_ENTRY_GROWS_DOWN : MAP_ENTRY_GROWS_UP)))
		return KERN_FAILURE; /* the stack went away */
	gapsize = (hi - lo) * m->ps;
	if (m->guard > gapsize)
		return KERN_NO_SPACE;
	maxgrow = gapsize - m->guard;
	grow = (down ? hi - i : i + 1 - lo) * m->ps;
	if (grow > maxgrow)
		return KERN_NO_SPACE;
	if (mainstack && slim != BSDVM_RLIM_INFINITY && v->si.ssize + grow > slim)
		return KERN_NO_SPACE;
	grow = (grow + m->sgrow - 1) / m->sgrow * m->sgrow;
	if (grow > maxgrow)
		grow = maxgrow;
	slim &= ~(uint64_t)(m->ps - 1);
	if (mainstack && v->lim.stack != BSDVM_RLIM_INFINITY && v->si.ssize + grow > slim)
		grow = slim - v->si.ssize;
	if (v->lim.vmem != BSDVM_RLIM_INFINITY && model_size(&v->mm) + grow > v->lim.vmem)
		return KERN_NO_SPACE;
	if (mainstack)
		v->si.ssize += grow;
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.mapped = 1;
	tmpl.prot = v->pg[i].gprot;
	tmpl.maxprot = v->pg[i].gmax;
	tmpl.inherit = v->mm.pages[st].inherit;
	tmpl.eflags = v->mm.pages[st].eflags & STACK_KEEP;
	n0 = down ? hi - grow / m->ps : lo;
	n1 = down ? hi : lo + grow / m->ps;
	for (k = n0; k < n1; k++) {
		v->mm.pages[k] = tmpl;
		fpage_clear(&v->pg[k]);
		v->pg[k].b = buf_new(m, NULL);
	}
	return KERN_SUCCESS;
}

/* bsdvm_map_growstack(3): nothing to do outside a stack gap. */
int fzm_growstack(struct fz_model *m, int vi, bsdvm_addr_t addr)
{
	struct fz_vm *v = &m->vm[vi];

	if (!in_window(v, addr) || !fzm_is_gap(v, idx(v, addr)))
		return KERN_SUCCESS;
	return grow_at(m, v, idx(v, addr));
}

/* ------------------------------------------------------------------ */
/* Faults and bytes */

/* bsdvm_fault(3) of the page at index i for `need`: growth into a gap,
 * then the protection; on success a write gets its private copy. */
static int page_fault(struct fz_model *m, struct fz_vm *v, bsdvm_size_t i, bsdvm_prot_t need)
{
	const struct model_page *a = &v->mm.pages[i];

	if (!a->mapped)
		return KERN_INVALID_ADDRESS;
	if (a->eflags & MAP_ENTRY_GUARD) {
		if (!(a->eflags & GAPS) || grow_at(m, v, i) != KERN_SUCCESS)
			return KERN_PROTECTION_FAILURE;
		if (v->mm.pages[i].eflags & MAP_ENTRY_GUARD)
			return KERN_PROTECTION_FAILURE;
	}
	if (a->prot == VM_PROT_NONE || (need & ~a->prot) != 0)
		return KERN_PROTECTION_FAILURE;
	if (v->pg[i].b == NULL)
		return KERN_INVALID_ADDRESS; /* beyond the end of the object */
	if (need & VM_PROT_WRITE)
		page_wdata(m, &v->pg[i]);
	return KERN_SUCCESS;
}

int fzm_fault(struct fz_model *m, int vi, bsdvm_addr_t addr, bsdvm_prot_t access)
{
	struct fz_vm *v = &m->vm[vi];

	if ((access & ~VM_PROT_ALL) != 0)
		return KERN_INVALID_ARGUMENT;
	if (!in_window(v, addr))
		return KERN_INVALID_ADDRESS;
	return page_fault(m, v, idx(v, addr), access);
}

int fzm_access(struct fz_model *m, int vi, bsdvm_addr_t va, uint8_t *buf, size_t len,
    bool write, size_t *done)
{
	struct fz_vm *v = &m->vm[vi];
	bsdvm_prot_t need = write ? VM_PROT_WRITE : VM_PROT_READ;
	size_t moved = 0;
	int rv;

	while (moved < len) {
		bsdvm_addr_t a = va + moved, pa = a & ~(bsdvm_addr_t)(m->ps - 1);
		size_t off = (size_t)(a - pa), n = (size_t)(m->ps - off);
		struct fz_page *p;

		if (a < va || !in_window(v, pa)) {
			*done = moved;
			return KERN_INVALID_ADDRESS;
		}
		rv = page_fault(m, v, idx(v, pa), need);
		if (rv != KERN_SUCCESS) {
			*done = moved;
			return rv;
		}
		if (n > len - moved)
			n = len - moved;
		p = &v->pg[idx(v, pa)];
		if (write)
			memcpy(page_wdata(m, p) + off, buf + moved, n);
		else
			memcpy(buf + moved, page_rdata(p) + off, n);
		moved += n;
	}
	*done = moved;
	return KERN_SUCCESS;
}

const uint8_t *fzm_page_bytes(const struct fz_model *m, int vi, bsdvm_size_t i)
{
	return m->vm[vi].pg[i].b != NULL ? page_rdata(&m->vm[vi].pg[i]) : NULL;
}

/* ------------------------------------------------------------------ */
/* Known disagreements */

bool fzm_unwire_meets_none(const struct fz_model *m, int vi, bsdvm_addr_t s, bsdvm_addr_t e)
{
	const struct fz_vm *v = &m->vm[vi];
	bsdvm_addr_t a;

	if (range_code(m, v, s, e) != KERN_SUCCESS)
		return false;
	for (a = s; a < e; a += m->ps) {
		bsdvm_size_t i = idx(v, a);

		if (v->mm.pages[i].mapped && !fzm_is_guard(v, i) &&
		    v->mm.pages[i].prot == VM_PROT_NONE && v->pg[i].wired > 0)
			return true;
	}
	return false;
}

bool fzm_wire_meets_readonly(const struct fz_model *m, int vi, bsdvm_addr_t s, bsdvm_addr_t e)
{
	const struct fz_vm *v = &m->vm[vi];
	bsdvm_addr_t a;

	if (range_code(m, v, s, e) != KERN_SUCCESS)
		return false;
	for (a = s; a < e; a += m->ps) {
		bsdvm_size_t i = idx(v, a);

		if (wirable(v, i) && !(v->mm.pages[i].prot & VM_PROT_WRITE))
			return true;
	}
	return false;
}

bool fzm_fork_copies_sibling_wired(const struct fz_model *m, int vi)
{
	const struct fz_vm *v = &m->vm[vi];
	bsdvm_size_t i;
	int j;

	for (i = 0; i < v->mm.npages; i++) {
		const struct model_page *a = &v->mm.pages[i];
		const struct fz_page *p = &v->pg[i];
		bsdvm_addr_t addr = model_addr(&v->mm, i);

		if (!a->mapped || p->b == NULL || a->object != NULL ||
		    a->inherit != VM_INHERIT_COPY || p->b->ref < 2)
			continue;
		for (j = 0; j < FZ_NVM; j++) {
			const struct fz_vm *w = &m->vm[j];

			if (j == vi || !w->live || !in_window(w, addr))
				continue;
			if (w->pg[idx(w, addr)].b == p->b && w->pg[idx(w, addr)].wired > 0)
				return true;
		}
	}
	return false;
}
