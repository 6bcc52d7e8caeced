/*
 * test_map_property.c - random operation streams, engine against the
 * page-array model (support/map_model.c).
 *
 * Each run drives one map shape with its own seed derived from the test's
 * seed: inserts, fixed mappings, finds and findspace (bottom-up, top-down,
 * aligned, bounded, with hints anywhere), deletes, protects with every flag
 * combination, inherit, madvise, check_protection, lookups and public
 * clips, with deliberately bad arguments mixed in.  After every operation
 * the return code (and any address) must equal the model's, vm_map_check()
 * must hold, and the pages the operation touched must match the model;
 * every FULL_EVERY operations the whole window and the statistics are
 * compared.  A run stops at its first mismatch, prints what it was doing
 * and the operations before it, and the test fails at the end.
 *
 * Usage: test_map_property [seed [total-ops]]
 * Environment: BSDVM_PROPERTY_OPS    total operations when argv[2] is absent
 *              BSDVM_PROPERTY_ONLY   run only this shape index (for replay)
 *              BSDVM_PROPERTY_TRACE  print every operation of the runs
 *              BSDVM_PROPERTY_VERBOSE  print per-operation outcome counts
 *              BSDVM_PROPERTY_READING  "engine", or a comma-separated list
 *                  of protect_skips_guards, checkprot_start_mapped: switch
 *                  those disputed readings of map.h (struct map_model_opts)
 *                  to the engine's, to look past a known disagreement
 * The stream of a run depends only on the seed and the shape index (the
 * op count only says where it stops), so the printed replay line, or any
 * larger op count, reproduces a failure exactly.
 */
#include "map_model.h"
#include "testutil.h"

#define DEFAULT_OPS 1000000ull
#define FULL_EVERY 64
#define RING (FULL_EVERY + 16) /* a full compare can blame any op since the last */
#define NHOT 16

#define ULL(x) ((unsigned long long)(x))

/* ------------------------------------------------------------------ */
/* Map shapes */

enum where { MIN_RANDOM, MIN_ZERO, AT_TOP };

struct shape {
	const char *name;
	bsdvm_size_t page;
	bsdvm_size_t npages;
	enum where where;
	uint32_t flags;          /* BSDVM_MAP_* */
	bsdvm_size_t superpage;  /* 0 = the engine's default */
	bool full;               /* start fully mapped and keep it nearly so */
};

static const struct shape shapes[] = {
	/* -plain: the index keeps no aligned fits (BSDVM_MAP_NO_ALIGN_INDEX);
	 * the answers must be the same */
	{ "4k-plain", 4096, 1024, MIN_RANDOM, BSDVM_MAP_NO_ALIGN_INDEX, 0, false },
	{ "16k", 16384, 2048, MIN_RANDOM, 0, 0, false },
	{ "64k-plain", 65536, 512, MIN_RANDOM, BSDVM_MAP_NO_ALIGN_INDEX, (bsdvm_size_t)1 << 20,
	    false },
	{ "min0-plain", 4096, 2048, MIN_ZERO, BSDVM_MAP_NO_ALIGN_INDEX, 0, false },
	{ "top-of-space", 4096, 1024, AT_TOP, 0, 0, false },
	{ "top-of-space-64k-topdown", 65536, 512, AT_TOP, BSDVM_MAP_TOPDOWN, 0, false },
	{ "one-page-plain", 4096, 1, MIN_RANDOM, BSDVM_MAP_NO_ALIGN_INDEX, 0, false },
	{ "full-16k", 16384, 1024, MIN_RANDOM, BSDVM_MAP_ALIGN_INDEX, 0, true },
	{ "topdown", 4096, 4096, MIN_RANDOM, BSDVM_MAP_TOPDOWN, 0, false },
	{ "wxorx-plain", 4096, 1024, MIN_RANDOM,
	    BSDVM_MAP_WXORX | BSDVM_MAP_SYSTEM | BSDVM_MAP_NO_ALIGN_INDEX, (bsdvm_size_t)64 << 10,
	    false },
};
#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))

/* ------------------------------------------------------------------ */
/* Operations */

enum op_kind {
	OP_INSERT, OP_FIXED, OP_FIND, OP_FINDSPACE, OP_DELETE, OP_PROTECT,
	OP_INHERIT, OP_MADVISE, OP_CHECKPROT, OP_LOOKUP, OP_CLIP, OP_NKINDS
};

static const char *const op_names[OP_NKINDS] = {
	"insert", "fixed", "find", "findspace", "delete", "protect",
	"inherit", "madvise", "check_protection", "lookup", "clip",
};

/* Base weights (percent-ish); the fill level shifts them. */
static const unsigned op_weight[OP_NKINDS] = {
	14, 8, 12, 12, 12, 14, 6, 8, 6, 5, 3,
};

struct op {
	enum op_kind kind;
	bsdvm_addr_t start, end;          /* range ops, insert, fixed; clip: entry page, addr */
	struct bsdvm_entry_attrs attrs;   /* insert, fixed, find */
	struct bsdvm_space_req req;       /* find, findspace */
	bsdvm_addr_t hint;                /* find: *addrp on entry */
	bsdvm_prot_t prot, maxprot;       /* protect, check_protection */
	uint32_t flags;                   /* protect; clip: 0 start, 1 end, 2 +simplify */
	int value;                        /* inherit, madvise */
	bool locked;                      /* the *_locked variant was called */
	int got, want;                    /* return codes (bools as 0/1 for checkprot) */
	bsdvm_addr_t got_addr, want_addr; /* find, findspace */
};

struct run {
	unsigned index;
	const struct shape *sh;
	uint64_t seed;
	struct test_rng rng;
	struct vm_map *map;
	struct map_model m;
	bsdvm_size_t pg;
	unsigned fill_target;             /* in 1/1024ths */
	unsigned fill;                    /* refreshed every FULL_EVERY ops */
	bsdvm_addr_t hot[NHOT];           /* recently used boundaries */
	unsigned nhot;
	struct op ring[RING];
	uint64_t nops;
	bool trace;
	uint64_t outcomes[OP_NKINDS][KERN_WOULD_BLOCK + 1];
	uint64_t entries_sum, entries_max, samples, fill_sum; /* shape of the map */
};

static uint64_t splitmix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static uint64_t rnd(struct run *r, uint64_t n)
{
	return rng_below(&r->rng, n);
}

/* True with probability pct/100. */
static bool chance(struct run *r, unsigned pct)
{
	return rnd(r, 100) < pct;
}

/* Keeps a used boundary for reuse; malformed ones are not kept, so that
 * bad arguments stay at the rate their generators choose. */
static void remember(struct run *r, bsdvm_addr_t a)
{
	if (a >= r->m.min && a <= r->m.max && (a & (r->pg - 1)) == 0)
		r->hot[r->nhot++ % NHOT] = a;
}

/* ------------------------------------------------------------------ */
/* Argument generators */

/* A page boundary in [min, max], biased to places where things happen. */
static bsdvm_addr_t pick_boundary(struct run *r)
{
	const struct map_model *m = &r->m;
	uint64_t k = rnd(r, 100);

	if (k < 55 || r->nhot == 0)
		return model_addr(m, rnd(r, m->npages + 1));
	if (k < 85) {
		unsigned n = r->nhot < NHOT ? r->nhot : NHOT;

		return r->hot[rnd(r, n)];
	}
	if (k < 95) {
		bsdvm_size_t d = rnd(r, m->npages < 3 ? m->npages + 1 : 3);

		return chance(r, 50) ? model_addr(m, d) : model_addr(m, m->npages - d);
	}
	/* the next change of state after a random page */
	{
		bsdvm_size_t i = rnd(r, m->npages), j;

		for (j = i + 1; j < m->npages && j < i + 64; j++)
			if (m->pages[j].mapped != m->pages[i].mapped ||
			    m->pages[j].prot != m->pages[i].prot ||
			    m->pages[j].unit != m->pages[i].unit)
				break;
		return model_addr(m, j);
	}
}

/*
 * A length in pages.  Mappings and unmappings are mostly small, so that the
 * map fragments into many entries; attribute changes are often wide, so
 * that they cross many entries and holes.
 */
static bsdvm_size_t pick_pages(struct run *r, bool wide)
{
	const bsdvm_size_t n = r->m.npages;
	uint64_t k = rnd(r, 100);

	if (k < (wide ? 50u : 70u))
		return 1 + rnd(r, 4);
	if (k < (wide ? 80u : 94u))
		return 1 + rnd(r, 32);
	if (k < (wide ? 95u : 99u))
		return 1 + rnd(r, n / 4 + 1);
	return 1 + rnd(r, n);
}

/* An address outside the window, or at the very ends of the 64-bit space. */
static bsdvm_addr_t pick_outside(struct run *r)
{
	const struct map_model *m = &r->m;

	switch (rnd(r, 6)) {
	case 0:
		return m->min >= r->pg ? m->min - r->pg * (1 + rnd(r, 4)) : 0 - r->pg;
	case 1:
		return m->max + r->pg * (1 + rnd(r, 4)); /* may wrap to low addresses */
	case 2:
		return 0;
	case 3:
		return 0 - r->pg;
	case 4:
		return m->max;
	default:
		return (bsdvm_addr_t)1 << 63;
	}
}

/* A range for a range operation, with a modest rate of bad ones. */
static void pick_range(struct run *r, bsdvm_addr_t *sp, bsdvm_addr_t *ep, bool wide)
{
	const struct map_model *m = &r->m;
	bsdvm_addr_t s, e;
	uint64_t k = rnd(r, 100);

	if (k < (wide ? 75u : 90u)) {
		bsdvm_size_t len = pick_pages(r, wide) * r->pg;

		s = pick_boundary(r);
		if (len > m->max - s)
			e = chance(r, 80) ? m->max : s + len;
		else
			e = s + len;
	} else if (k < 90) {
		s = pick_boundary(r);
		e = pick_boundary(r);
		if (e < s) {
			bsdvm_addr_t t = s;

			s = e;
			e = t;
		}
	} else if (k < 93) {
		s = e = pick_boundary(r); /* empty */
	} else {
		/* malformed or outside */
		s = pick_boundary(r);
		e = s + pick_pages(r, wide) * r->pg;
		switch (rnd(r, 7)) {
		case 0:
			s += 1 + rnd(r, r->pg - 1);
			break;
		case 1:
			e += 1 + rnd(r, r->pg - 1);
			break;
		case 2:
			if (s != e) {
				bsdvm_addr_t t = s;

				s = e;
				e = t;
			}
			break;
		case 3:
			s = pick_outside(r);
			break;
		case 4:
			e = pick_outside(r);
			break;
		case 5:
			s = pick_outside(r);
			e = pick_outside(r);
			break;
		default:
			s = 0;
			e = 0 - r->pg;
			break;
		}
	}
	*sp = s;
	*ep = e;
	remember(r, s);
	remember(r, e);
}

static const struct {
	bsdvm_prot_t prot, max;
} prot_palette[] = {
	{ VM_PROT_RW, VM_PROT_ALL }, { VM_PROT_RW, VM_PROT_RW }, { VM_PROT_READ, VM_PROT_READ },
	{ VM_PROT_READ, VM_PROT_ALL }, { VM_PROT_READ | VM_PROT_EXECUTE, VM_PROT_READ | VM_PROT_EXECUTE },
	{ VM_PROT_NONE, VM_PROT_ALL }, { VM_PROT_ALL, VM_PROT_ALL }, { VM_PROT_RW, VM_PROT_ALL },
};

#define FAKE_OBJECT(k) ((struct vm_object *)(uintptr_t)(0x1000u * (k)))

/* Attributes for a new mapping at [s, e); bad ones at a modest rate. */
static void pick_attrs(struct run *r, bsdvm_addr_t s, struct bsdvm_entry_attrs *a)
{
	const struct map_model *m = &r->m;
	unsigned i = (unsigned)rnd(r, sizeof(prot_palette) / sizeof(prot_palette[0]));
	uint64_t k;

	*a = bsdvm_attrs_anon(prot_palette[i].prot, prot_palette[i].max);
	if (chance(r, 20))
		a->inherit = (bsdvm_inherit_t)rnd(r, 4);
	if (chance(r, 15))
		a->advice = (uint8_t)rnd(r, 3);
	k = rnd(r, 100);
	if (k < 70)
		a->eflags = 0;
	else if (k < 76)
		a->eflags = MAP_ENTRY_COW;
	else if (k < 79)
		a->eflags = MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY;
	else if (k < 83)
		a->eflags = MAP_ENTRY_NOMERGE;
	else if (k < 88)
		a->eflags = MAP_ENTRY_UNSPLITTABLE;
	else if (k < 93)
		a->eflags = MAP_ENTRY_GUARD;
	else if (k < 95)
		a->eflags = MAP_ENTRY_GUARD | MAP_ENTRY_STACK_GAP_DN;
	else if (k < 96)
		a->eflags = MAP_ENTRY_NOSYNC;
	else if (k < 97)
		a->eflags = MAP_ENTRY_NOCOREDUMP;
	else if (k < 98)
		a->eflags = MAP_ENTRY_NOFAULT;
	else if (k < 99)
		a->eflags = MAP_ENTRY_GROWS_DOWN;
	else
		a->eflags = MAP_ENTRY_GROWS_UP | MAP_ENTRY_NOSYNC;
	if (a->eflags & MAP_ENTRY_GUARD) {
		a->prot = a->maxprot = VM_PROT_NONE;
	} else if (chance(r, 30)) {
		const struct model_page *prev = s > m->min ? model_page_at(m, s - r->pg) : NULL;

		if (prev != NULL && prev->mapped && prev->object != NULL && chance(r, 60)) {
			/* continue the neighbour's object so that the two may merge */
			a->object = prev->object;
			a->offset = prev->offset + r->pg;
		} else {
			a->object = FAKE_OBJECT(1 + rnd(r, 3));
			a->offset = rnd(r, 1024) * r->pg;
		}
	}
	if (!chance(r, 5))
		return;
	switch (rnd(r, 17)) {
	case 0:
		a->prot |= 0x8;
		break;
	case 1:
		a->maxprot |= 0x10;
		break;
	case 2:
		a->inherit = (bsdvm_inherit_t)(4 + rnd(r, 252));
		break;
	case 3:
		a->advice = (uint8_t)(3 + rnd(r, 253));
		break;
	case 4: {
		static const uint32_t bad[] = { MAP_ENTRY_USER_WIRED, MAP_ENTRY_IN_TRANSITION,
			MAP_ENTRY_NEEDS_WAKEUP, 0x8000u, 0x80000000u };

		a->eflags |= bad[rnd(r, 5)];
		break;
	}
	case 5:
		a->eflags = MAP_ENTRY_GUARD;
		a->prot = a->maxprot = VM_PROT_NONE;
		a->object = FAKE_OBJECT(1);
		break;
	case 6:
		a->eflags = MAP_ENTRY_GUARD;
		a->prot = VM_PROT_NONE;
		a->maxprot = VM_PROT_READ;
		break;
	case 7:
		/* a guard with current access but no maximum */
		a->eflags = MAP_ENTRY_GUARD;
		a->prot = VM_PROT_READ;
		a->maxprot = VM_PROT_NONE;
		a->object = NULL;
		a->offset = 0;
		break;
	case 8:
		a->eflags |= MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP;
		break;
	case 9:
		a->eflags |= MAP_ENTRY_STACK_GAP_UP;
		a->eflags &= ~MAP_ENTRY_GUARD;
		break;
	case 10:
		a->eflags |= MAP_ENTRY_NEEDS_COPY;
		a->eflags &= ~MAP_ENTRY_COW;
		break;
	case 11:
		a->eflags = MAP_ENTRY_GUARD | (chance(r, 50) ? MAP_ENTRY_COW : MAP_ENTRY_GROWS_DOWN);
		a->prot = a->maxprot = VM_PROT_NONE;
		a->object = NULL;
		a->offset = 0;
		break;
	case 12:
		a->object = FAKE_OBJECT(2);
		a->offset = 1 + rnd(r, r->pg - 1);
		break;
	case 13:
		a->object = NULL;
		a->offset = r->pg;
		break;
	case 14:
		/* an object range reaching past 2^64 (or just short of it) */
		a->eflags &= ~(uint32_t)(MAP_ENTRY_GUARD | MAP_ENTRY_STACK_GAP_DN);
		a->object = FAKE_OBJECT(3);
		a->offset = 0 - r->pg * (1 + rnd(r, 8));
		break;
	default:
		a->prot = VM_PROT_ALL;
		a->maxprot = VM_PROT_READ;
		break;
	}
}

/*
 * The length of the free run holding a random page (give or take a page),
 * so that requests often fit a gap exactly: the boundary cases of the
 * engine's gap search.
 */
static bsdvm_size_t exact_gap(struct run *r)
{
	const struct map_model *m = &r->m;
	bsdvm_size_t i = rnd(r, m->npages), lo = i, hi = i;

	if (m->pages[i].mapped)
		return r->pg;
	while (lo > 0 && !m->pages[lo - 1].mapped)
		lo--;
	while (hi < m->npages && !m->pages[hi].mapped)
		hi++;
	switch (rnd(r, 4)) {
	case 0:
		return (hi - lo + 1) * r->pg;
	case 1:
		return hi - lo > 1 ? (hi - lo - 1) * r->pg : r->pg;
	default:
		return (hi - lo) * r->pg;
	}
}

/* A findspace request; for find the hint goes in *hintp and req->hint is junk. */
static void pick_req(struct run *r, struct bsdvm_space_req *q, bsdvm_addr_t *hintp)
{
	const struct map_model *m = &r->m;
	bsdvm_size_t sp = bsdvm_map_superpage_size(r->map);
	uint64_t k;

	memset(q, 0, sizeof(*q));
	k = rnd(r, 100);
	if (k < 15)
		q->length = exact_gap(r);
	else if (k < 90)
		q->length = pick_pages(r, false) * r->pg;
	else if (k < 95)
		q->length = (m->npages + 1 + rnd(r, 4)) * r->pg; /* never fits */
	else if (k < 97)
		q->length = (bsdvm_size_t)0 - r->pg;
	else if (k < 98)
		q->length = 0;
	else
		q->length = r->pg + 1 + rnd(r, r->pg - 1);

	k = rnd(r, 100);
	if (k < 45)
		q->align = 0;
	else if (k < 60)
		q->align = r->pg;
	else if (k < 75)
		q->align = r->pg << (1 + rnd(r, 5));
	else if (k < 88)
		q->align = sp;
	else if (k < 94)
		q->align = sp << (1 + rnd(r, 20));
	else if (k < 97)
		q->align = (bsdvm_size_t)1 << 63;
	else if (k < 98)
		q->align = 3 * r->pg;
	else
		q->align = r->pg / 2;
	if (q->align > r->pg && chance(r, 35))
		q->align_offset = rnd(r, q->align / r->pg) * r->pg;
	if (chance(r, 1))
		q->align_offset = q->align != 0 ? q->align : r->pg;
	if (chance(r, 1))
		q->align_offset = 1 + rnd(r, r->pg - 1);

	k = rnd(r, 100);
	if (k < 30)
		*hintp = 0;
	else if (k < 70)
		*hintp = pick_boundary(r);
	else if (k < 88)
		*hintp = pick_outside(r);
	else if (k < 98)
		*hintp = model_addr(m, rnd(r, m->npages)); /* often inside a mapping */
	else
		*hintp = pick_boundary(r) + 1 + rnd(r, r->pg - 1);

	k = rnd(r, 100);
	if (k < 65)
		q->max_end = 0;
	else if (k < 88)
		q->max_end = pick_boundary(r);
	else if (k < 98)
		q->max_end = pick_outside(r);
	else
		q->max_end = pick_boundary(r) + 1 + rnd(r, r->pg - 1);

	k = rnd(r, 100);
	if (k < 40)
		q->flags = 0;
	else if (k < 68)
		q->flags = BSDVM_SPACE_TOPDOWN;
	else if (k < 98)
		q->flags = BSDVM_SPACE_BOTTOMUP;
	else if (k < 99)
		q->flags = BSDVM_SPACE_TOPDOWN | BSDVM_SPACE_BOTTOMUP;
	else
		q->flags = 0x4u << rnd(r, 8);
}

/* ------------------------------------------------------------------ */
/* Reporting */

static void fmt_attrs(const struct bsdvm_entry_attrs *a, char *buf, size_t n)
{
	snprintf(buf, n, "{obj %#llx off %#llx prot %#x max %#x inh %u adv %u eflags %#x}",
	    ULL((uintptr_t)a->object), ULL(a->offset), a->prot, a->maxprot, a->inherit,
	    a->advice, a->eflags);
}

static void fmt_req(const struct bsdvm_space_req *q, char *buf, size_t n)
{
	snprintf(buf, n, "{hint %#llx len %#llx align %#llx off %#llx max_end %#llx flags %#x}",
	    ULL(q->hint), ULL(q->length), ULL(q->align), ULL(q->align_offset),
	    ULL(q->max_end), q->flags);
}

static const char *code_name(const struct op *o, int c)
{
	if (o->kind == OP_CHECKPROT)
		return c ? "true" : "false";
	return bsdvm_kern_name(c);
}

static void print_op(FILE *f, uint64_t idx, const struct op *o)
{
	char a[160], q[200];

	fprintf(f, "  op #%llu: %s%s", ULL(idx), op_names[o->kind], o->locked ? "_locked" : "");
	switch (o->kind) {
	case OP_INSERT:
	case OP_FIXED:
		fmt_attrs(&o->attrs, a, sizeof(a));
		fprintf(f, "(%#llx, %#llx, %s)", ULL(o->start), ULL(o->end), a);
		break;
	case OP_FIND:
		fmt_attrs(&o->attrs, a, sizeof(a));
		fmt_req(&o->req, q, sizeof(q));
		fprintf(f, "(req %s, %s, *addrp %#llx)", q, a, ULL(o->hint));
		break;
	case OP_FINDSPACE:
		fmt_req(&o->req, q, sizeof(q));
		fprintf(f, "(req %s)", q);
		break;
	case OP_DELETE:
		fprintf(f, "(%#llx, %#llx)", ULL(o->start), ULL(o->end));
		break;
	case OP_PROTECT:
		fprintf(f, "(%#llx, %#llx, prot %#x, max %#x, flags %#x)", ULL(o->start),
		    ULL(o->end), o->prot, o->maxprot, o->flags);
		break;
	case OP_INHERIT:
	case OP_MADVISE:
		fprintf(f, "(%#llx, %#llx, %d)", ULL(o->start), ULL(o->end), o->value);
		break;
	case OP_CHECKPROT:
		fprintf(f, "(%#llx, %#llx, prot %#x)", ULL(o->start), ULL(o->end), o->prot);
		break;
	case OP_LOOKUP:
		fprintf(f, "(%#llx)", ULL(o->start));
		break;
	case OP_CLIP:
		fprintf(f, "_%s(entry at %#llx, %#llx)%s", (o->flags & 1) ? "end" : "start",
		    ULL(o->start), ULL(o->end), (o->flags & 2) ? " + simplify" : "");
		break;
	default:
		break;
	}
	if (o->kind == OP_LOOKUP) {
		fprintf(f, "\n");
		return;
	}
	fprintf(f, " -> engine %s", code_name(o, o->got));
	if ((o->kind == OP_FIND || o->kind == OP_FINDSPACE) && o->got == KERN_SUCCESS)
		fprintf(f, " at %#llx", ULL(o->got_addr));
	fprintf(f, ", model %s", code_name(o, o->want));
	if ((o->kind == OP_FIND || o->kind == OP_FINDSPACE) && o->want == KERN_SUCCESS)
		fprintf(f, " at %#llx", ULL(o->want_addr));
	fprintf(f, "\n");
}

static bool g_failed_any, g_verbose;
static const char *g_reading;

static void report(struct run *r, const char *what)
{
	uint64_t first = r->nops >= RING ? r->nops - RING + 1 : 0, i;

	fprintf(stderr,
	    "MISMATCH seed %llu, run %u (shape %s, run seed %#llx), op #%llu: %s\n",
	    ULL(r->seed), r->index, r->sh->name, ULL(splitmix(r->seed + r->index)),
	    ULL(r->nops), what);
	fprintf(stderr, " operations leading to it (last is the failing one):\n");
	for (i = first; i <= r->nops; i++)
		print_op(stderr, i, &r->ring[i % RING]);
	fprintf(stderr, " replay: %s%s%sBSDVM_PROPERTY_ONLY=%u BSDVM_PROPERTY_TRACE=1 "
	    "test_map_property %llu %llu\n", g_reading != NULL ? "BSDVM_PROPERTY_READING=" : "",
	    g_reading != NULL ? g_reading : "", g_reading != NULL ? " " : "", r->index,
	    ULL(r->seed), ULL((r->nops + 1) * NSHAPES));
	tu_failed++;
	g_failed_any = true;
}

/* ------------------------------------------------------------------ */
/* One operation: generate, run on both, compare */

static int engine_clip(struct run *r, struct op *o)
{
	struct vm_map_entry *e;
	int rv;

	bsdvm_map_lock(r->map);
	if (!bsdvm_map_lookup_entry(r->map, o->start, &e)) {
		bsdvm_map_unlock(r->map);
		return -1; /* the model says mapped: compare_range will tell */
	}
	if (o->flags & 1)
		rv = bsdvm_map_clip_end(r->map, e, o->end);
	else
		rv = bsdvm_map_clip_start(r->map, e, o->end);
	if (o->flags & 2)
		bsdvm_map_simplify_entry(r->map, e);
	bsdvm_map_unlock(r->map);
	return rv;
}

static enum op_kind pick_kind(struct run *r)
{
	unsigned w[OP_NKINDS], total = 0, i;
	uint64_t k;

	for (i = 0; i < OP_NKINDS; i++)
		w[i] = op_weight[i];
	if (r->sh->full) {
		/* keep it nearly full: replace more, remove less */
		w[OP_FIXED] *= 2;
		w[OP_DELETE] /= 3;
	}
	if (r->fill > r->fill_target + 100) {
		w[OP_DELETE] *= 3;
	} else if (r->fill + 100 < r->fill_target) {
		w[OP_INSERT] *= 2;
		w[OP_FIND] *= 2;
		w[OP_FIXED] *= 2;
	}
	for (i = 0; i < OP_NKINDS; i++)
		total += w[i];
	k = rnd(r, total);
	for (i = 0; i < OP_NKINDS; i++) {
		if (k < w[i])
			return (enum op_kind)i;
		k -= w[i];
	}
	return OP_LOOKUP;
}

/* [lo, hi) to compare after o, widened by a page each side; empty when
 * the operation cannot have changed anything. */
static void touched(const struct run *r, const struct op *o, bsdvm_addr_t *lo, bsdvm_addr_t *hi)
{
	bsdvm_addr_t s = o->start, e = o->end, pg = r->pg;

	*lo = *hi = 0;
	switch (o->kind) {
	case OP_FIND:
		if (o->got != KERN_SUCCESS)
			return;
		s = o->got_addr;
		e = s + o->req.length;
		break;
	case OP_FINDSPACE:
	case OP_CHECKPROT:
	case OP_LOOKUP:
		return;
	case OP_CLIP:
		s = o->start >= 8 * pg ? o->start - 8 * pg : 0;
		e = o->start + 8 * pg >= o->start ? o->start + 8 * pg : 0 - pg;
		break;
	default:
		break;
	}
	if (e < s) {
		bsdvm_addr_t t = s;

		s = e;
		e = t;
	}
	*lo = s >= pg ? s - pg : 0;
	*hi = e + pg >= e ? e + pg : 0 - pg;
}

/* Runs one generated operation; false on a mismatch (already reported). */
static bool step(struct run *r)
{
	struct op *o = &r->ring[r->nops % RING];
	struct map_model *m = &r->m;
	char why[512];
	bsdvm_addr_t lo, hi;
	bool b1, b2;
	struct bsdvm_map_stats before, after;

	memset(o, 0, sizeof(*o));
	o->kind = pick_kind(r);
	bsdvm_map_get_stats(r->map, &before);
	switch (o->kind) {
	case OP_INSERT:
	case OP_FIXED:
		pick_range(r, &o->start, &o->end, false);
		pick_attrs(r, o->start, &o->attrs);
		o->locked = chance(r, 30);
		if (o->locked)
			bsdvm_map_lock(r->map);
		if (o->kind == OP_INSERT) {
			o->got = o->locked ?
			    bsdvm_map_insert_locked(r->map, o->start, o->end, &o->attrs) :
			    bsdvm_map_insert(r->map, o->start, o->end, &o->attrs);
			o->want = model_insert(m, o->start, o->end, &o->attrs);
		} else {
			o->got = o->locked ?
			    bsdvm_map_fixed_locked(r->map, o->start, o->end, &o->attrs) :
			    bsdvm_map_fixed(r->map, o->start, o->end, &o->attrs);
			o->want = model_fixed(m, o->start, o->end, &o->attrs);
		}
		if (o->locked)
			bsdvm_map_unlock(r->map);
		break;
	case OP_FIND: {
		bsdvm_addr_t ea, ma;

		pick_req(r, &o->req, &o->hint);
		o->req.hint = rng_next(&r->rng); /* ignored: *addrp is the hint */
		pick_attrs(r, 0, &o->attrs);
		ea = ma = o->hint;
		o->got = bsdvm_map_find(r->map, &o->req, &o->attrs, &ea);
		o->want = model_find(m, &o->req, &o->attrs, &ma);
		o->got_addr = ea;
		o->want_addr = ma;
		if (o->got == KERN_SUCCESS)
			remember(r, ea + o->req.length);
		break;
	}
	case OP_FINDSPACE:
		pick_req(r, &o->req, &o->req.hint);
		o->locked = chance(r, 30);
		if (o->locked) {
			bsdvm_map_lock_read(r->map);
			o->got = bsdvm_map_findspace_locked(r->map, &o->req, &o->got_addr);
			bsdvm_map_unlock_read(r->map);
		} else {
			o->got = bsdvm_map_findspace(r->map, &o->req, &o->got_addr);
		}
		o->want = model_findspace(m, &o->req, &o->want_addr);
		break;
	case OP_DELETE:
		pick_range(r, &o->start, &o->end, false);
		o->locked = chance(r, 30);
		if (o->locked) {
			bsdvm_map_lock(r->map);
			o->got = bsdvm_map_delete_locked(r->map, o->start, o->end);
			bsdvm_map_unlock(r->map);
		} else {
			o->got = bsdvm_map_delete(r->map, o->start, o->end);
		}
		o->want = model_delete(m, o->start, o->end);
		break;
	case OP_PROTECT: {
		static const uint32_t fl[] = { BSDVM_PROTECT_SET_PROT, BSDVM_PROTECT_SET_MAX,
			BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX };
		static const uint32_t badfl[] = { 0, 4, 5, 0x80000003u };

		pick_range(r, &o->start, &o->end, true);
		o->flags = chance(r, 96) ? fl[rnd(r, 3)] : badfl[rnd(r, 4)];
		o->prot = (bsdvm_prot_t)rnd(r, 8);
		o->maxprot = (bsdvm_prot_t)rnd(r, 8);
		if (chance(r, 70))
			o->prot &= o->maxprot;
		if (chance(r, 2))
			o->prot |= 0x8;
		if (chance(r, 2))
			o->maxprot |= 0x40;
		o->got = bsdvm_map_protect(r->map, o->start, o->end, o->prot, o->maxprot, o->flags);
		o->want = model_protect(m, o->start, o->end, o->prot, o->maxprot, o->flags);
		break;
	}
	case OP_INHERIT:
		pick_range(r, &o->start, &o->end, true);
		o->value = chance(r, 97) ? (int)rnd(r, 4) : (int)(4 + rnd(r, 252));
		o->got = bsdvm_map_inherit(r->map, o->start, o->end, (bsdvm_inherit_t)o->value);
		o->want = model_inherit(m, o->start, o->end, (bsdvm_inherit_t)o->value);
		break;
	case OP_MADVISE: {
		static const int bad[] = { -1, 10, 100, -2147483647 - 1 };

		pick_range(r, &o->start, &o->end, true);
		o->value = chance(r, 97) ? (int)rnd(r, 10) : bad[rnd(r, 4)];
		o->got = bsdvm_map_madvise(r->map, o->start, o->end, o->value);
		o->want = model_madvise(m, o->start, o->end, o->value);
		break;
	}
	case OP_CHECKPROT:
		pick_range(r, &o->start, &o->end, true);
		o->prot = (bsdvm_prot_t)rnd(r, 8);
		if (chance(r, 2))
			o->prot |= 0x10;
		o->locked = chance(r, 30);
		if (o->locked) {
			bsdvm_map_lock_read(r->map);
			b1 = bsdvm_map_check_protection_locked(r->map, o->start, o->end, o->prot);
			bsdvm_map_unlock_read(r->map);
		} else {
			b1 = bsdvm_map_check_protection(r->map, o->start, o->end, o->prot);
		}
		b2 = model_check_protection(m, o->start, o->end, o->prot);
		o->got = b1;
		o->want = b2;
		break;
	case OP_LOOKUP: {
		uint64_t k = rnd(r, 100);

		if (k < 60)
			o->start = model_addr(m, rnd(r, m->npages));
		else if (k < 80)
			o->start = model_addr(m, rnd(r, m->npages)) + rnd(r, r->pg);
		else if (k < 90)
			o->start = pick_boundary(r);
		else
			o->start = pick_outside(r) + (chance(r, 50) ? 0 : rnd(r, r->pg));
		if (!model_compare_lookup(m, r->map, o->start, why, sizeof(why))) {
			report(r, why);
			return false;
		}
		break;
	}
	case OP_CLIP: {
		const struct model_page *p;

		o->start = model_addr(m, rnd(r, m->npages));
		p = model_page_at(m, o->start);
		if (!p->mapped) {
			o->kind = OP_LOOKUP; /* nothing to clip: look it up instead */
			if (!model_compare_lookup(m, r->map, o->start, why, sizeof(why))) {
				report(r, why);
				return false;
			}
			break;
		}
		o->end = o->start + r->pg * (bsdvm_addr_t)((int64_t)rnd(r, 17) - 8);
		if (chance(r, 8))
			o->end += 1 + rnd(r, r->pg - 1);
		o->flags = (uint32_t)rnd(r, 4);
		o->got = engine_clip(r, o);
		o->want = model_clip(m, o->start, o->end);
		break;
	}
	default:
		break;
	}

	if (o->kind != OP_LOOKUP) {
		r->outcomes[o->kind][o->want >= 0 && o->want <= KERN_WOULD_BLOCK ? o->want : 0]++;
		if (o->got != o->want) {
			report(r, "return codes differ");
			return false;
		}
		if ((o->kind == OP_FIND || o->kind == OP_FINDSPACE) && o->got == KERN_SUCCESS &&
		    o->got_addr != o->want_addr) {
			report(r, "addresses differ");
			return false;
		}
	}
	if (r->trace)
		print_op(stderr, r->nops, o);
	tu_passed++;

	/* all-or-nothing: a refused operation leaves even the entries alone
	 * (no clip left behind, nothing merged, inserted or removed) */
	bsdvm_map_get_stats(r->map, &after);
	if (o->kind != OP_LOOKUP && o->kind != OP_CHECKPROT && o->got != KERN_SUCCESS &&
	    !(o->kind == OP_CLIP && (o->flags & 2)) && /* the simplify may merge */
	    (after.nentries != before.nentries || after.size != before.size ||
	     after.splits != before.splits || after.merges != before.merges ||
	     after.inserts != before.inserts || after.removes != before.removes)) {
		snprintf(why, sizeof(why), "failed operation changed the map: entries %llu -> %llu, "
		    "splits %llu -> %llu, merges %llu -> %llu", ULL(before.nentries),
		    ULL(after.nentries), ULL(before.splits), ULL(after.splits),
		    ULL(before.merges), ULL(after.merges));
		report(r, why);
		return false;
	}

	if (!vm_map_check(r->map)) {
		report(r, "vm_map_check failed (reason above)");
		return false;
	}
	touched(r, o, &lo, &hi);
	if (lo < hi && !model_compare_range(m, r->map, lo, hi, why, sizeof(why))) {
		report(r, why);
		return false;
	}
	if ((r->nops + 1) % FULL_EVERY == 0) {
		if (!model_compare(m, r->map, why, sizeof(why))) {
			report(r, why);
			return false;
		}
		r->fill = model_fill(m);
		if (r->trace || g_verbose) {
			struct bsdvm_map_stats st;

			bsdvm_map_get_stats(r->map, &st);
			r->entries_sum += st.nentries;
			if (st.nentries > r->entries_max)
				r->entries_max = st.nentries;
			r->fill_sum += r->fill;
			r->samples++;
		}
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* One run */

static struct vm_map *make_map(struct run *r, struct bsdvm_map_params *p)
{
	const struct shape *sh = r->sh;
	struct vm_map *map = NULL;
	bsdvm_size_t span = sh->page * sh->npages;

	memset(p, 0, sizeof(*p));
	p->page_size = sh->page;
	p->superpage_size = sh->superpage;
	p->flags = sh->flags;
	switch (sh->where) {
	case MIN_ZERO:
		p->min = 0;
		break;
	case AT_TOP:
		p->min = (0 - sh->page) - span;
		break;
	default:
		/* anywhere below 2^47, at any page (so rarely superpage aligned) */
		p->min = (0x10000000ull + rnd(r, (bsdvm_addr_t)1 << 34) * 4096) & ~(sh->page - 1);
		break;
	}
	p->max = p->min + span;
	if (bsdvm_map_create(p, &map) != KERN_SUCCESS) {
		fprintf(stderr, "bsdvm_map_create failed for shape %s\n", sh->name);
		exit(2);
	}
	return map;
}

/* Fills the whole window with random mappings (the "full" shape). */
static bool prefill(struct run *r)
{
	struct map_model *m = &r->m;
	bsdvm_addr_t a = m->min;
	char why[512];

	while (a < m->max) {
		struct op *o = &r->ring[0];
		bsdvm_addr_t e = a + (1 + rnd(r, 16)) * r->pg;

		if (e > m->max)
			e = m->max;
		/* bad attributes are refused by both; draw again */
		do {
			memset(o, 0, sizeof(*o));
			o->kind = OP_INSERT;
			o->start = a;
			o->end = e;
			pick_attrs(r, a, &o->attrs);
			o->got = bsdvm_map_insert(r->map, a, e, &o->attrs);
			o->want = model_insert(m, a, e, &o->attrs);
			if (o->got != o->want) {
				report(r, "prefill: return codes differ");
				return false;
			}
		} while (o->got != KERN_SUCCESS);
		a = e;
	}
	if (!vm_map_check(r->map) || !model_compare(m, r->map, why, sizeof(why))) {
		report(r, why);
		return false;
	}
	return true;
}

static const char *opt_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

static uint64_t run_one(uint64_t seed, unsigned index, uint64_t nops,
    const struct map_model_opts *opts, bool verbose)
{
	struct run *r = calloc(1, sizeof(*r));
	struct bsdvm_map_params p;
	struct bsdvm_map_stats st;
	uint64_t done = 0;
	static const unsigned caches[] = { 0, 1, 4, 64 };
	char why[512];

	if (r == NULL)
		exit(2);
	r->index = index;
	r->sh = &shapes[index];
	r->seed = seed;
	rng_init(&r->rng, splitmix(seed + index));
	r->pg = r->sh->page;
	r->trace = opt_env("BSDVM_PROPERTY_TRACE") != NULL;
	r->map = make_map(r, &p);
	model_init(&r->m, &p, opts);
	bsdvm_map_set_entry_cache(r->map, caches[rnd(r, 4)]);
	r->fill_target = r->sh->full ? 1000 : (unsigned)(150 + rnd(r, 700));
	if (r->sh->full && !prefill(r))
		goto out;
	r->fill = model_fill(&r->m);

	for (r->nops = 0; r->nops < nops; r->nops++) {
		if (!step(r))
			goto out;
		done++;
	}
	r->nops--; /* the final compare reports against the last operation */
	if (!model_compare(&r->m, r->map, why, sizeof(why)))
		report(r, why);
out:
	bsdvm_map_get_stats(r->map, &st);
	printf("run %u %-26s min %#llx pages %llu: %llu ops, %llu entries at end, "
	    "%llu splits, %llu merges\n", index, r->sh->name, ULL(p.min), ULL(r->m.npages),
	    ULL(done), ULL(st.nentries), ULL(st.splits), ULL(st.merges));
	if (verbose) {
		unsigned k, c;

		if (r->samples != 0)
			printf("    entries avg %llu max %llu, fill avg %llu/1024 (target %u)\n",
			    ULL(r->entries_sum / r->samples), ULL(r->entries_max),
			    ULL(r->fill_sum / r->samples), r->fill_target);

		for (k = 0; k < OP_NKINDS; k++) {
			printf("    %-17s", op_names[k]);
			for (c = 0; c <= KERN_WOULD_BLOCK; c++)
				if (r->outcomes[k][c] != 0)
					printf(" %s=%llu", k == OP_CHECKPROT ? (c ? "true" : "false")
					    : bsdvm_kern_name((int)c), ULL(r->outcomes[k][c]));
			printf("\n");
		}
	}
	fflush(stdout);
	bsdvm_map_destroy(r->map);
	model_fini(&r->m);
	free(r);
	return done;
}

int main(int argc, char **argv)
{
	uint64_t seed = test_seed(argc, argv, 20240601);
	uint64_t total = DEFAULT_OPS, per, done = 0;
	const char *only = opt_env("BSDVM_PROPERTY_ONLY");
	bool verbose = opt_env("BSDVM_PROPERTY_VERBOSE") != NULL;
	/* The documented contract (map.h): protect skips plain guards, and
	 * check_protection needs start inside an entry even for an empty
	 * range, as in both BSDs.  BSDVM_PROPERTY_READING can switch back to
	 * the literal readings for experiments. */
	struct map_model_opts opts = { true, false };
	const char *reading = opt_env("BSDVM_PROPERTY_READING");
	unsigned i, nruns = 0;

	if (argc > 2)
		total = strtoull(argv[2], NULL, 0);
	else if (opt_env("BSDVM_PROPERTY_OPS") != NULL)
		total = strtoull(opt_env("BSDVM_PROPERTY_OPS"), NULL, 0);
	g_reading = reading;
	g_verbose = verbose;
	if (reading != NULL) {
		bool all = strcmp(reading, "engine") == 0;

		opts.protect_skips_guards = all || strstr(reading, "protect_skips_guards");
		opts.checkprot_empty_true = !(all || strstr(reading, "checkprot_start_mapped"));
		printf("model readings: protect_skips_guards %d, checkprot_empty_true %d\n",
		    opts.protect_skips_guards, opts.checkprot_empty_true);
	}
	per = total / NSHAPES;
	if (per == 0)
		per = 1;
	for (i = 0; i < NSHAPES; i++) {
		if (only != NULL && strtoul(only, NULL, 0) != i)
			continue;
		done += run_one(seed, i, per, &opts, verbose);
		nruns++;
	}
	printf("property: %llu ops over %u seeds%s\n", ULL(done), nruns,
	    g_failed_any ? " (stopped early: mismatch)" : "");
	return test_main_exit("test_map_property");
}
