/*
 * map_model.c - the page-array reference model (see map_model.h).
 *
 * Everything here is deliberately naive: validation follows the order in
 * which map.h lists the codes, and every state change is a loop over the
 * pages it touches.  Mutators first decide the outcome without touching
 * anything and only then write, which is the all-or-nothing contract in
 * its plainest form.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map_model.h"

/* ------------------------------------------------------------------ */
/* Basics */

void model_init(struct map_model *m, const struct bsdvm_map_params *p,
    const struct map_model_opts *opts)
{
	memset(m, 0, sizeof(*m));
	m->min = p->min;
	m->max = p->max;
	m->page_size = p->page_size != 0 ? p->page_size : 4096;
	m->npages = (p->max - p->min) / m->page_size;
	m->flags = p->flags;
	if (opts != NULL)
		m->opts = *opts;
	m->pages = calloc(m->npages, sizeof(*m->pages));
	m->run = calloc(m->npages + 1, sizeof(*m->run));
	if (m->pages == NULL || m->run == NULL) {
		fprintf(stderr, "model_init: out of memory\n");
		exit(2);
	}
}

void model_fini(struct map_model *m)
{
	free(m->pages);
	free(m->run);
	m->pages = NULL;
	m->run = NULL;
}

static bool aligned(const struct map_model *m, uint64_t v)
{
	return (v & (m->page_size - 1)) == 0;
}

static bool pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

const struct model_page *model_page_at(const struct map_model *m, bsdvm_addr_t addr)
{
	if (addr < m->min || addr >= m->max)
		return NULL;
	return &m->pages[model_index(m, addr)];
}

static bool is_guard(const struct model_page *p)
{
	return (p->eflags & MAP_ENTRY_GUARD) != 0;
}

/* Do two mapped pages carry different attributes? */
static bool page_differs(const struct model_page *a, const struct model_page *b)
{
	return a->mapped != b->mapped || a->prot != b->prot || a->maxprot != b->maxprot ||
	    a->inherit != b->inherit || a->advice != b->advice || a->eflags != b->eflags ||
	    a->unit != b->unit || a->object != b->object || a->offset != b->offset;
}

/*
 * Would a change that starts or ends at b have to split an unsplittable
 * entry?  Only if the pages on both sides of b belong to the same one.
 */
static bool straddles(const struct map_model *m, bsdvm_addr_t b)
{
	const struct model_page *lo, *hi;

	if (b <= m->min || b >= m->max)
		return false;
	lo = &m->pages[model_index(m, b) - 1];
	hi = &m->pages[model_index(m, b)];
	return lo->mapped && hi->mapped && lo->unit != 0 && lo->unit == hi->unit;
}

/* ------------------------------------------------------------------ */
/* Argument validation */

/*
 * Range operations (map.h, "Range operations"): misaligned or reversed is
 * KERN_INVALID_ARGUMENT, then outside [min, max) is KERN_INVALID_ADDRESS.
 */
static int range_code(const struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end)
{
	if (!aligned(m, start) || !aligned(m, end) || end < start)
		return KERN_INVALID_ARGUMENT;
	if (start < m->min || end > m->max)
		return KERN_INVALID_ADDRESS;
	return KERN_SUCCESS;
}

/*
 * The attributes on their own (map.h, bsdvm_map_insert): first everything
 * that makes them malformed (KERN_INVALID_ARGUMENT), then the rights
 * (KERN_PROTECTION_FAILURE).  "Bad flag bits" is read as: bits outside
 * MAP_ENTRY_CREATE_MASK, or a combination that contradicts itself (growing
 * both ways, both stack-gap directions, a stack gap that is not a guard,
 * NEEDS_COPY without COW, a guard that grows or is copy-on-write).  A guard
 * must have no object and no prot or maxprot at all.  The object offset
 * must be page aligned, and zero without an object.
 */
static int attrs_valid(const struct map_model *m, const struct bsdvm_entry_attrs *a)
{
	const uint32_t gaps = MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP;
	const uint32_t grows = MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP;
	const bsdvm_prot_t wx = VM_PROT_WRITE | VM_PROT_EXECUTE;
	uint32_t f;

	if (a == NULL)
		return KERN_INVALID_ARGUMENT;
	f = a->eflags;
	if ((a->prot & ~VM_PROT_ALL) != 0 || (a->maxprot & ~VM_PROT_ALL) != 0)
		return KERN_INVALID_ARGUMENT;
	if (a->inherit > VM_INHERIT_ZERO || a->advice > BSDVM_MADV_SEQUENTIAL)
		return KERN_INVALID_ARGUMENT;
	if ((f & ~MAP_ENTRY_CREATE_MASK) != 0 || (f & grows) == grows || (f & gaps) == gaps)
		return KERN_INVALID_ARGUMENT;
	if ((f & gaps) != 0 && (f & MAP_ENTRY_GUARD) == 0)
		return KERN_INVALID_ARGUMENT;
	if ((f & MAP_ENTRY_NEEDS_COPY) != 0 && (f & MAP_ENTRY_COW) == 0)
		return KERN_INVALID_ARGUMENT;
	if ((f & MAP_ENTRY_GUARD) != 0 &&
	    (a->object != NULL || a->prot != VM_PROT_NONE || a->maxprot != VM_PROT_NONE ||
	     (f & (grows | MAP_ENTRY_COW)) != 0))
		return KERN_INVALID_ARGUMENT;
	if (!aligned(m, a->offset) || (a->object == NULL && a->offset != 0))
		return KERN_INVALID_ARGUMENT;
	if ((a->prot & ~a->maxprot) != 0)
		return KERN_PROTECTION_FAILURE;
	if ((m->flags & BSDVM_MAP_WXORX) != 0 && (a->prot & wx) == wx)
		return KERN_PROTECTION_FAILURE;
	return KERN_SUCCESS;
}

/*
 * insert/fixed with a range: every KERN_INVALID_ARGUMENT (including an
 * object offset that would wrap over the length), then
 * KERN_INVALID_ADDRESS, then KERN_PROTECTION_FAILURE, in the order map.h
 * lists them.
 */
static int attrs_code(const struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *a)
{
	int rv;

	if (a == NULL || !aligned(m, start) || !aligned(m, end) || end < start)
		return KERN_INVALID_ARGUMENT;
	rv = attrs_valid(m, a);
	if (rv == KERN_INVALID_ARGUMENT)
		return rv;
	if (a->offset + (end - start) < a->offset)
		return KERN_INVALID_ARGUMENT;
	if (start == end || start < m->min || end > m->max)
		return KERN_INVALID_ADDRESS;
	return rv;
}

/* ------------------------------------------------------------------ */
/* Creating and removing */

/* Maps [start, end) with a; everything validated.  An unsplittable
 * mapping gets a fresh id so that its extent stays known. */
static void set_pages(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *a)
{
	bsdvm_size_t i, i0 = model_index(m, start), i1 = model_index(m, end);
	uint32_t unit = 0;

	if (a->eflags & MAP_ENTRY_UNSPLITTABLE)
		unit = ++m->next_unit;
	for (i = i0; i < i1; i++) {
		struct model_page *p = &m->pages[i];

		p->mapped = 1;
		p->prot = a->prot;
		p->maxprot = a->maxprot;
		p->inherit = a->inherit;
		p->advice = a->advice;
		p->eflags = a->eflags;
		p->unit = unit;
		p->object = a->object;
		p->offset = a->object != NULL ? a->offset + (i - i0) * m->page_size : 0;
	}
}

static void clear_pages(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end)
{
	bsdvm_size_t i;

	for (i = model_index(m, start); i < model_index(m, end); i++)
		memset(&m->pages[i], 0, sizeof(m->pages[i]));
}

int model_insert(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *a)
{
	bsdvm_size_t i;
	int rv = attrs_code(m, start, end, a);

	if (rv != KERN_SUCCESS)
		return rv;
	for (i = model_index(m, start); i < model_index(m, end); i++)
		if (m->pages[i].mapped)
			return KERN_NO_SPACE;
	set_pages(m, start, end, a);
	return KERN_SUCCESS;
}

/* map.h: errors as insert (never KERN_NO_SPACE: the range is cleared
 * first), plus KERN_INVALID_ARGUMENT when the removal would split an
 * unsplittable entry.  Argument errors come before that state check. */
int model_fixed(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *a)
{
	int rv = attrs_code(m, start, end, a);

	if (rv != KERN_SUCCESS)
		return rv;
	if (straddles(m, start) || straddles(m, end))
		return KERN_INVALID_ARGUMENT;
	clear_pages(m, start, end);
	set_pages(m, start, end, a);
	return KERN_SUCCESS;
}

int model_delete(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end)
{
	int rv = range_code(m, start, end);

	if (rv != KERN_SUCCESS || start == end)
		return rv;
	if (straddles(m, start) || straddles(m, end))
		return KERN_INVALID_ARGUMENT;
	clear_pages(m, start, end);
	return KERN_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Free space, by exhaustive scan */

/* run[i] = number of free pages from page i upward (run[npages] = 0). */
static void compute_runs(const struct map_model *m)
{
	bsdvm_size_t i = m->npages;

	m->run[i] = 0;
	while (i-- > 0)
		m->run[i] = m->pages[i].mapped ? 0 : m->run[i + 1] + 1;
}

/*
 * map.h, bsdvm_map_findspace.  "Malformed" is read as: unknown flag bits
 * or both directions at once, a zero or unaligned length, an unaligned
 * hint or max_end, an alignment that is not 0 or a power of two of at
 * least a page, an align_offset that is unaligned or not below the
 * alignment (0 standing for one page).  Then the answer is the lowest
 * (highest) candidate start satisfying everything the header states,
 * found by trying every aligned start in turn.
 */
int model_findspace(const struct map_model *m, const struct bsdvm_space_req *req,
    bsdvm_addr_t *addrp)
{
	bsdvm_addr_t hi_end, last, s;
	bsdvm_size_t align, need;
	bool topdown;

	if (req == NULL || addrp == NULL)
		return KERN_INVALID_ARGUMENT;
	if ((req->flags & ~BSDVM_SPACE_FLAGS_MASK) != 0 ||
	    (req->flags & BSDVM_SPACE_FLAGS_MASK) == BSDVM_SPACE_FLAGS_MASK)
		return KERN_INVALID_ARGUMENT;
	if (req->length == 0 || !aligned(m, req->length) || !aligned(m, req->hint) ||
	    !aligned(m, req->max_end))
		return KERN_INVALID_ARGUMENT;
	align = req->align != 0 ? req->align : m->page_size;
	if (!pow2(align) || align < m->page_size)
		return KERN_INVALID_ARGUMENT;
	if (req->align_offset >= align || !aligned(m, req->align_offset))
		return KERN_INVALID_ARGUMENT;
	topdown = (req->flags & BSDVM_SPACE_TOPDOWN) != 0 ||
	    ((req->flags & BSDVM_SPACE_BOTTOMUP) == 0 && (m->flags & BSDVM_MAP_TOPDOWN) != 0);

	hi_end = m->max;
	if (req->max_end != 0 && req->max_end < hi_end)
		hi_end = req->max_end;
	if (hi_end <= m->min || req->length > hi_end - m->min)
		return KERN_NO_SPACE;
	last = hi_end - req->length; /* the highest start that ends in bounds */
	need = req->length / m->page_size;
	compute_runs(m);

	if (!topdown) {
		bsdvm_addr_t lo = req->hint > m->min ? req->hint : m->min;

		if (lo > last)
			return KERN_NO_SPACE;
		s = lo + ((req->align_offset - lo) & (align - 1));
		if (s < lo)
			return KERN_NO_SPACE; /* rounding up wrapped past 2^64 */
		for (;;) {
			if (s > last)
				return KERN_NO_SPACE;
			if (m->run[model_index(m, s)] >= need)
				break;
			if (last - s < align)
				return KERN_NO_SPACE;
			s += align;
		}
	} else {
		bsdvm_addr_t top = last;
		bsdvm_size_t r;

		if (req->hint != 0 && req->hint < top)
			top = req->hint;
		if (top < m->min)
			return KERN_NO_SPACE;
		r = (top - req->align_offset) & (align - 1);
		if (top - m->min < r)
			return KERN_NO_SPACE;
		s = top - r;
		for (;;) {
			if (m->run[model_index(m, s)] >= need)
				break;
			if (s - m->min < align)
				return KERN_NO_SPACE;
			s -= align;
		}
	}
	*addrp = s;
	return KERN_SUCCESS;
}

/*
 * map.h, bsdvm_map_find: find space as findspace does (with *addrp as the
 * hint, req->hint ignored), then map it.  "Codes: those of findspace and
 * insert" leaves their order open; the model reports what is wrong with
 * the attributes themselves first (a bad mapping is not a failed search),
 * then findspace's codes, then what insert can still say about the range.
 */
int model_find(struct map_model *m, const struct bsdvm_space_req *req,
    const struct bsdvm_entry_attrs *a, bsdvm_addr_t *addrp)
{
	struct bsdvm_space_req r;
	bsdvm_addr_t addr = 0;
	int rv;

	if (req == NULL || a == NULL || addrp == NULL)
		return KERN_INVALID_ARGUMENT;
	rv = attrs_valid(m, a);
	if (rv != KERN_SUCCESS)
		return rv;
	r = *req;
	r.hint = *addrp;
	rv = model_findspace(m, &r, &addr);
	if (rv == KERN_SUCCESS)
		rv = model_insert(m, addr, addr + r.length, a);
	if (rv == KERN_SUCCESS)
		*addrp = addr;
	return rv;
}

/* ------------------------------------------------------------------ */
/* Changing attributes over a range */

/*
 * One attribute change: check (may be NULL) says whether a page may be
 * changed at all; result computes its new state.
 */
struct page_change {
	int (*check)(const struct map_model *m, const struct model_page *p, const void *arg);
	void (*result)(const struct map_model *m, const struct model_page *old,
	    struct model_page *out, const void *arg);
	const void *arg;
};

/*
 * The common driver, for a valid non-empty range.  Validation walks the
 * pages in address order and reports the first problem met: a page that
 * may not change, or an unsplittable entry sticking out of the range that
 * would change (and so would have to split; one that would not change
 * needs no split).  Holes are skipped.  Only then are pages written.
 */
static int change_range(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct page_change *c)
{
	bsdvm_size_t i, i0 = model_index(m, start), i1 = model_index(m, end);
	struct model_page n;
	int rv;

	for (i = i0; i < i1; i++) {
		const struct model_page *p = &m->pages[i];

		if (!p->mapped)
			continue;
		if (c->check != NULL && (rv = c->check(m, p, c->arg)) != KERN_SUCCESS)
			return rv;
		c->result(m, p, &n, c->arg);
		if (page_differs(p, &n) &&
		    ((i == i0 && straddles(m, start)) || (i == i1 - 1 && straddles(m, end))))
			return KERN_INVALID_ARGUMENT;
	}
	for (i = i0; i < i1; i++) {
		if (!m->pages[i].mapped)
			continue;
		c->result(m, &m->pages[i], &n, c->arg);
		m->pages[i] = n;
	}
	return KERN_SUCCESS;
}

struct protect_args {
	bsdvm_prot_t prot, maxprot;
	uint32_t flags;
};

/*
 * A stack gap keeps a protection for the stack's growth and protect works
 * on that (map.h); inserted as it must be, with offset 0, it keeps NONE,
 * which is what the page records.  So only plain guards may be skipped.
 */
static bool protect_ignores(const struct map_model *m, const struct model_page *p)
{
	return m->opts.protect_skips_guards && is_guard(p) &&
	    (p->eflags & (MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP)) == 0;
}

/* map.h: every requested bit within the page's (old) maximum. */
static int protect_check(const struct map_model *m, const struct model_page *p,
    const void *arg)
{
	const struct protect_args *a = arg;

	if (protect_ignores(m, p))
		return KERN_SUCCESS;
	if ((a->flags & BSDVM_PROTECT_SET_PROT) && (a->prot & ~p->maxprot) != 0)
		return KERN_PROTECTION_FAILURE;
	if ((a->flags & BSDVM_PROTECT_SET_MAX) && (a->maxprot & ~p->maxprot) != 0)
		return KERN_PROTECTION_FAILURE;
	return KERN_SUCCESS;
}

/* SET_MAX sets the maximum and masks the current protection with it;
 * SET_PROT then sets the current protection. */
static void protect_result(const struct map_model *m, const struct model_page *old,
    struct model_page *out, const void *arg)
{
	const struct protect_args *a = arg;

	*out = *old;
	if (protect_ignores(m, old))
		return;
	if (a->flags & BSDVM_PROTECT_SET_MAX) {
		out->maxprot = a->maxprot;
		out->prot &= a->maxprot;
	}
	if (a->flags & BSDVM_PROTECT_SET_PROT)
		out->prot = a->prot;
}

/*
 * map.h, bsdvm_map_protect.  Flags must be a non-empty subset of SET_PROT
 * and SET_MAX, and the protections a flag asks for must be VM_PROT_* bits
 * (the other one is ignored), else KERN_INVALID_ARGUMENT; then the range;
 * then KERN_OUT_OF_BOUNDS and the W^X refusal, which depend only on the
 * arguments and so are reported even for an empty range; then per page.
 */
int model_protect(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_prot_t prot, bsdvm_prot_t maxprot, uint32_t flags)
{
	const uint32_t both = BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX;
	const bsdvm_prot_t wx = VM_PROT_WRITE | VM_PROT_EXECUTE;
	struct protect_args a = { prot, maxprot, flags };
	struct page_change c = { protect_check, protect_result, &a };
	int rv;

	if (flags == 0 || (flags & ~both) != 0)
		return KERN_INVALID_ARGUMENT;
	if (((flags & BSDVM_PROTECT_SET_PROT) && (prot & ~VM_PROT_ALL) != 0) ||
	    ((flags & BSDVM_PROTECT_SET_MAX) && (maxprot & ~VM_PROT_ALL) != 0))
		return KERN_INVALID_ARGUMENT;
	rv = range_code(m, start, end);
	if (rv != KERN_SUCCESS)
		return rv;
	if ((flags & both) == both && (prot & ~maxprot) != 0)
		return KERN_OUT_OF_BOUNDS;
	if ((m->flags & BSDVM_MAP_WXORX) && (flags & BSDVM_PROTECT_SET_PROT) &&
	    (prot & wx) == wx)
		return KERN_PROTECTION_FAILURE;
	if (start == end)
		return KERN_SUCCESS;
	return change_range(m, start, end, &c);
}

/* map.h: "Guard entries ignore VM_INHERIT_ZERO." */
static void inherit_result(const struct map_model *m, const struct model_page *old,
    struct model_page *out, const void *arg)
{
	bsdvm_inherit_t inh = *(const bsdvm_inherit_t *)arg;

	(void)m;
	*out = *old;
	if (inh == VM_INHERIT_ZERO && is_guard(old))
		return;
	out->inherit = inh;
}

int model_inherit(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_inherit_t inh)
{
	struct page_change c = { NULL, inherit_result, &inh };
	int rv;

	if (inh > VM_INHERIT_ZERO)
		return KERN_INVALID_ARGUMENT;
	rv = range_code(m, start, end);
	if (rv != KERN_SUCCESS || start == end)
		return rv;
	return change_range(m, start, end, &c);
}

/* map.h, bsdvm_map_madvise: the advice field, or a flag set or cleared. */
static void madvise_result(const struct map_model *m, const struct model_page *old,
    struct model_page *out, const void *arg)
{
	int advice = *(const int *)arg;

	(void)m;
	*out = *old;
	switch (advice) {
	case BSDVM_MADV_NORMAL:
	case BSDVM_MADV_RANDOM:
	case BSDVM_MADV_SEQUENTIAL:
		out->advice = (uint8_t)advice;
		break;
	case BSDVM_MADV_NOSYNC:
		out->eflags |= MAP_ENTRY_NOSYNC;
		break;
	case BSDVM_MADV_AUTOSYNC:
		out->eflags &= ~MAP_ENTRY_NOSYNC;
		break;
	case BSDVM_MADV_NOCORE:
		out->eflags |= MAP_ENTRY_NOCOREDUMP;
		break;
	case BSDVM_MADV_CORE:
		out->eflags &= ~MAP_ENTRY_NOCOREDUMP;
		break;
	default:
		break;
	}
}

/* Advice outside NORMAL..CORE is KERN_INVALID_ARGUMENT; WILLNEED,
 * DONTNEED and FREE leave the map as it is. */
int model_madvise(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end, int advice)
{
	struct page_change c = { NULL, madvise_result, &advice };
	int rv;

	if (advice < BSDVM_MADV_NORMAL || advice > BSDVM_MADV_CORE)
		return KERN_INVALID_ARGUMENT;
	rv = range_code(m, start, end);
	if (rv != KERN_SUCCESS || start == end)
		return rv;
	if (advice == BSDVM_MADV_WILLNEED || advice == BSDVM_MADV_DONTNEED ||
	    advice == BSDVM_MADV_FREE)
		return KERN_SUCCESS;
	return change_range(m, start, end, &c);
}

/*
 * map.h, bsdvm_map_check_protection: false for a malformed range (or
 * protection bits beyond VM_PROT_ALL); otherwise every page mapped and
 * its current protection including prot.  An empty range: see
 * map_model_opts.checkprot_empty_true.
 */
bool model_check_protection(const struct map_model *m, bsdvm_addr_t start,
    bsdvm_addr_t end, bsdvm_prot_t prot)
{
	bsdvm_size_t i;

	if (range_code(m, start, end) != KERN_SUCCESS || (prot & ~VM_PROT_ALL) != 0)
		return false;
	if (start == end) {
		const struct model_page *p = model_page_at(m, start);

		if (m->opts.checkprot_empty_true)
			return true;
		return p != NULL && p->mapped && (p->prot & prot) == prot;
	}
	for (i = model_index(m, start); i < model_index(m, end); i++)
		if (!m->pages[i].mapped || (m->pages[i].prot & prot) != prot)
			return false;
	return true;
}

bool model_unit_extent(const struct map_model *m, bsdvm_addr_t a, bsdvm_addr_t *s,
    bsdvm_addr_t *e)
{
	const struct model_page *p = model_page_at(m, a);
	bsdvm_size_t lo, hi;

	if (p == NULL || !p->mapped || p->unit == 0)
		return false;
	lo = hi = model_index(m, a);
	while (lo > 0 && m->pages[lo - 1].mapped && m->pages[lo - 1].unit == p->unit)
		lo--;
	while (hi + 1 < m->npages && m->pages[hi + 1].mapped &&
	    m->pages[hi + 1].unit == p->unit)
		hi++;
	*s = model_addr(m, lo);
	*e = model_addr(m, hi + 1);
	return true;
}

/*
 * map.h, clip_start/clip_end: an unaligned addr is always refused; an addr
 * not strictly inside the entry is a no-op; splitting an unsplittable
 * entry is refused.
 */
int model_clip(const struct map_model *m, bsdvm_addr_t x, bsdvm_addr_t addr)
{
	bsdvm_addr_t s, e;

	if (!aligned(m, addr))
		return KERN_INVALID_ARGUMENT;
	if (model_unit_extent(m, x, &s, &e) && addr > s && addr < e)
		return KERN_INVALID_ARGUMENT;
	return KERN_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Statistics */

bsdvm_size_t model_size(const struct map_model *m)
{
	bsdvm_size_t i, n = 0;

	for (i = 0; i < m->npages; i++)
		if (m->pages[i].mapped && !is_guard(&m->pages[i]))
			n++;
	return n * m->page_size;
}

bsdvm_size_t model_largest_gap(const struct map_model *m)
{
	bsdvm_size_t i, run = 0, best = 0;

	for (i = 0; i < m->npages; i++) {
		run = m->pages[i].mapped ? 0 : run + 1;
		if (run > best)
			best = run;
	}
	return best * m->page_size;
}

unsigned model_fill(const struct map_model *m)
{
	bsdvm_size_t i, n = 0;

	for (i = 0; i < m->npages; i++)
		n += m->pages[i].mapped;
	return (unsigned)(n * 1024 / m->npages);
}

/* ------------------------------------------------------------------ */
/* Comparing with the engine */

#define ULL(x) ((unsigned long long)(x))

static bool differ(char *why, size_t whylen, bsdvm_addr_t a, const char *field,
    unsigned long long engine, unsigned long long model, const struct vm_map_entry *e)
{
	if (e != NULL)
		snprintf(why, whylen,
		    "page %#llx: %s differs: engine %#llx, model %#llx (engine entry [%#llx,%#llx))",
		    ULL(a), field, engine, model, ULL(e->start), ULL(e->end));
	else
		snprintf(why, whylen, "page %#llx: %s differs: engine %#llx, model %#llx",
		    ULL(a), field, engine, model);
	return false;
}

/* Engine entry e holds page a (caller holds the read lock). */
static bool compare_page(const struct map_model *m, const struct vm_map_entry *e,
    bsdvm_addr_t a, char *why, size_t whylen)
{
	bsdvm_size_t i = model_index(m, a);
	const struct model_page *p = &m->pages[i];
	bsdvm_off_t off = e->object != NULL ? e->offset + (a - e->start) : e->offset;

	if (e->protection != p->prot)
		return differ(why, whylen, a, "protection", e->protection, p->prot, e);
	if (e->max_protection != p->maxprot)
		return differ(why, whylen, a, "max_protection", e->max_protection, p->maxprot, e);
	if (e->inheritance != p->inherit)
		return differ(why, whylen, a, "inheritance", e->inheritance, p->inherit, e);
	if (e->advice != p->advice)
		return differ(why, whylen, a, "advice", e->advice, p->advice, e);
	if (e->eflags != p->eflags)
		return differ(why, whylen, a, "eflags", e->eflags, p->eflags, e);
	if (e->object != p->object)
		return differ(why, whylen, a, "object", (uintptr_t)e->object,
		    (uintptr_t)p->object, e);
	if (off != p->offset)
		return differ(why, whylen, a, "object offset", off, p->offset, e);
	if (e->wired_count != 0)
		return differ(why, whylen, a, "wired_count", (unsigned)e->wired_count, 0, e);
	/* an unsplittable entry must be exactly one model unit */
	if (p->unit != 0) {
		if (a == e->start && i > 0 && m->pages[i - 1].mapped &&
		    m->pages[i - 1].unit == p->unit)
			return differ(why, whylen, a, "unsplittable entry start", e->start,
			    a - m->page_size, e);
		if (a > e->start && m->pages[i - 1].unit != p->unit)
			return differ(why, whylen, a, "unsplittable entry start", e->start, a, e);
		if (a + m->page_size == e->end && i + 1 < m->npages &&
		    m->pages[i + 1].mapped && m->pages[i + 1].unit == p->unit)
			return differ(why, whylen, a, "unsplittable entry end", e->end,
			    e->end + m->page_size, e);
	}
	return true;
}

bool model_compare_range(const struct map_model *m, struct vm_map *map,
    bsdvm_addr_t lo, bsdvm_addr_t hi, char *why, size_t whylen)
{
	struct vm_map_entry *e;
	bsdvm_addr_t a;
	bool ok = true;

	/* clamp to the window and widen to whole pages */
	if (lo < m->min)
		lo = m->min;
	if (lo > m->max)
		lo = m->max;
	lo -= (lo - m->min) & (m->page_size - 1);
	if (hi > m->max || hi < lo)
		hi = m->max;
	if (((hi - m->min) & (m->page_size - 1)) != 0)
		hi += m->page_size - ((hi - m->min) & (m->page_size - 1));

	bsdvm_map_lock_read(map);
	if (!bsdvm_map_lookup_entry(map, lo, &e))
		e = e != NULL ? bsdvm_map_entry_succ(map, e) : bsdvm_map_first(map);
	for (a = lo; ok && a < hi; a += m->page_size) {
		const struct model_page *p = &m->pages[model_index(m, a)];
		bool emapped;

		while (e != NULL && e->end <= a)
			e = bsdvm_map_entry_succ(map, e);
		emapped = e != NULL && e->start <= a;
		if (emapped != (p->mapped != 0))
			ok = differ(why, whylen, a, "mapped", emapped, p->mapped,
			    emapped ? e : NULL);
		else if (emapped)
			ok = compare_page(m, e, a, why, whylen);
	}
	bsdvm_map_unlock_read(map);
	return ok;
}

bool model_compare(const struct map_model *m, struct vm_map *map, char *why, size_t whylen)
{
	struct bsdvm_map_stats st;
	bsdvm_size_t want;

	if (!model_compare_range(m, map, m->min, m->max, why, whylen))
		return false;
	bsdvm_map_get_stats(map, &st);
	want = model_size(m);
	if (st.size != want) {
		snprintf(why, whylen, "stats.size: engine %#llx, model %#llx", ULL(st.size),
		    ULL(want));
		return false;
	}
	want = model_largest_gap(m);
	if (st.largest_gap != want || bsdvm_map_largest_gap(map) != want) {
		snprintf(why, whylen, "largest gap: engine %#llx (stats %#llx), model %#llx",
		    ULL(bsdvm_map_largest_gap(map)), ULL(st.largest_gap), ULL(want));
		return false;
	}
	return true;
}

bool model_compare_lookup(const struct map_model *m, struct vm_map *map,
    bsdvm_addr_t addr, char *why, size_t whylen)
{
	const struct model_page *p = model_page_at(m, addr);
	bool mfound = p != NULL && p->mapped, found, qfound;
	struct vm_map_entry *e;
	struct bsdvm_region r;
	bsdvm_size_t i;
	bool ok = true;

	bsdvm_map_lock_read(map);
	found = bsdvm_map_lookup_entry(map, addr, &e);
	if (found != mfound) {
		snprintf(why, whylen, "lookup_entry(%#llx): engine %s, model %s", ULL(addr),
		    found ? "true" : "false", mfound ? "true" : "false");
		ok = false;
	} else if (found) {
		if (e == NULL || e->start > addr || e->end <= addr) {
			snprintf(why, whylen, "lookup_entry(%#llx): entry does not hold it",
			    ULL(addr));
			ok = false;
		}
	} else {
		/* the model's predecessor: the highest mapped page below addr */
		bool have = false;

		if (addr >= m->min) {
			i = addr >= m->max ? m->npages : model_index(m, addr);
			while (i-- > 0) {
				if (m->pages[i].mapped) {
					have = true;
					break;
				}
			}
		}
		if (!have && e != NULL) {
			snprintf(why, whylen,
			    "lookup_entry(%#llx): engine predecessor [%#llx,%#llx), model none",
			    ULL(addr), ULL(e->start), ULL(e->end));
			ok = false;
		} else if (have && (e == NULL || e->end != model_addr(m, i) + m->page_size ||
		    e->start > model_addr(m, i))) {
			snprintf(why, whylen,
			    "lookup_entry(%#llx): engine predecessor %s, model ends at %#llx",
			    ULL(addr), e == NULL ? "NULL" : "wrong",
			    ULL(model_addr(m, i) + m->page_size));
			ok = false;
		}
	}
	bsdvm_map_unlock_read(map);
	if (!ok)
		return false;

	qfound = bsdvm_map_query(map, addr, &r);
	if (qfound != mfound) {
		snprintf(why, whylen, "query(%#llx): engine %s, model %s", ULL(addr),
		    qfound ? "true" : "false", mfound ? "true" : "false");
		return false;
	}
	if (qfound && (r.start > addr || r.end <= addr || r.protection != p->prot ||
	    r.max_protection != p->maxprot || r.inheritance != p->inherit ||
	    r.advice != p->advice || r.eflags != p->eflags || r.object != p->object ||
	    (r.object != NULL ? r.offset + ((addr & ~(m->page_size - 1)) - r.start)
			      : r.offset) != p->offset)) {
		snprintf(why, whylen, "query(%#llx): region [%#llx,%#llx) p%x m%x i%u a%u f%#x "
		    "differs from the model's page p%x m%x i%u a%u f%#x", ULL(addr),
		    ULL(r.start), ULL(r.end), r.protection, r.max_protection, r.inheritance,
		    r.advice, r.eflags, p->prot, p->maxprot, p->inherit, p->advice, p->eflags);
		return false;
	}
	return true;
}
