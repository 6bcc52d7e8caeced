/*
 * test_mem_property.c - random operation streams over several vmspaces of
 * one small system, checked byte for byte against a reference model.
 *
 * The system has a tiny frame pool and a larger swap store, so pages are
 * paged out and in all the time.  Up to NPROC "processes" use up to NVM
 * vmspaces (two processes may share one vmspace, as after vfork), each
 * over a small window.  The operations: mmap (private and shared anonymous
 * memory, fixed, fixed-exclusive and placed with or without a hint, on
 * bottom-up and top-down maps), munmap, protect (every flag combination),
 * inherit (all four values), fork, vfork-style sharing, exec (reset, or a
 * new vmspace while the old one is shared), exit, copyout of random bytes
 * and copyin at random offsets and lengths crossing pages and holes, wire
 * and unwire (user, system and "all", with and without HOLESOK), and
 * pageout.  A few arguments are deliberately bad.
 *
 * The model keeps every page of every vmspace: its attributes and a
 * pointer to a reference-counted byte buffer.  Pages that must show the
 * same bytes (a shared mapping, or a private one inherited with SHARE)
 * point to the same buffer; fork copies the buffer of every private page
 * inherited with COPY at once (the observable meaning of copy-on-write:
 * the child sees the bytes of the moment of the fork, whoever writes
 * later), gives fresh zeros for ZERO and nothing for NONE.  A shared
 * mapping inherited with COPY becomes, as bsdvm_vmspace_create(3) says, a
 * private mapping of the object in the child: the child reads the object's
 * current bytes until it writes a page, which then becomes its own (its
 * "slot"; slots are shared by the vmspaces that inherited the mapping
 * with SHARE from there, as the amap is).
 *
 * After every operation: the KERN code (and the address, the byte count
 * and the bytes read) must equal the model's, vm_map_check() must hold
 * for every live map, every page's attributes (bsdvm_map_foreach) must
 * equal the model's, every wired page must be resident, no more frames may
 * be wired than the model has wired pages, and every vmspace's reference
 * count must be right.  Every FULL_EVERY operations, and at the end, every
 * page of every vmspace is read back and compared.  At the end of a run
 * everything is freed: the system must be empty and nothing may leak.
 *
 * A run stops at its first mismatch and prints the seed, the run, the
 * operation index, the operation, both results and the operations before.
 * With BSDVM_MEM_PROPERTY_MINIMIZE=1 it then shrinks the failing stream
 * (delta debugging: drop chunks of operations while some check still
 * fails) and prints the short stream that remains.
 *
 * Usage: test_mem_property [seed [total-ops]]
 * Environment: BSDVM_MEM_PROPERTY_OPS       total operations when argv[2] is absent
 *              BSDVM_MEM_PROPERTY_ONLY      run only this run index (for replay)
 *              BSDVM_MEM_PROPERTY_TRACE     print every operation
 *              BSDVM_MEM_PROPERTY_MINIMIZE  shrink a failing stream
 *              BSDVM_MEM_PROPERTY_SHARED_COPY=snapshot  read "a shared mapping
 *                  inherited COPY" as a copy made at the fork instead
 *              BSDVM_MEM_PROPERTY_LAX       comma-separated cases to look past
 *                  (known disagreements, "all" for every one):
 *                  unwire-none  issue no unwire over wired memory whose
 *                               protection was lowered to none
 *                  wired-cow    issue no wire over accessible memory without
 *                               write permission
 *                  shared-promote  issue no write (copyout, writable wiring)
 *                               to a copy-on-write view of an object page
 *                               that other vmspaces share and nobody wrote
 * The stream of a run depends only on (seed, run, total-ops, LAX settings).
 */
#include <stdarg.h>

#include <bsdvm/vmspace.h>

#include "testutil.h"

#define DEFAULT_OPS 500000ull
#define FULL_EVERY 50
#define NVM 4
#define NPROC 6
#define RING 24
#define DESC 200
#define WIN_MIN ((bsdvm_addr_t)0x10000)
#define MAX_COPY_PAGES 6

#define ULL(x) ((unsigned long long)(x))

/* ------------------------------------------------------------------ */
/* Run configurations */

struct run_cfg {
	const char *name;
	bsdvm_size_t page;
	unsigned npages;      /* window of every vmspace */
	uint64_t frames;
	uint64_t swap;
	unsigned wire_budget; /* most pages the model lets be wired at once */
	bool cow_heavy;       /* more forks, inherits, protects and wirings */
	unsigned share;       /* of the operations, in sixths */
};

static const struct run_cfg cfgs[] = {
	{ "4k-48frames", 4096, 256, 48, 4096, 20, false, 1 },
	{ "4k-32frames", 4096, 256, 32, 4096, 12, false, 1 },
	{ "16k-48frames", 16384, 128, 48, 2048, 20, false, 1 },
	{ "4k-64frames", 4096, 192, 64, 4096, 28, false, 1 },
	/* frames for everything: translations live long, pages go out only
	 * through explicit pageouts; copy-on-write and wiring stressed */
	{ "4k-roomy-cow", 4096, 128, 1024, 1024, 64, true, 2 },
};
#define NCFG (sizeof(cfgs) / sizeof(cfgs[0]))

/* Known disagreements a run can be told to look past. */
#define LAX_UNWIRE_NONE 0x2u
#define LAX_WIRED_COW   0x8u
#define LAX_SHARED_PROMOTE 0x10u
#define LAX_ALL         0x1au

/* ------------------------------------------------------------------ */
/* Operations */

enum op_kind {
	OP_WRITE, OP_READ, OP_MMAP, OP_MUNMAP, OP_PROTECT, OP_INHERIT, OP_FORK,
	OP_SHARE, OP_EXEC, OP_EXIT, OP_CREATE, OP_WIRE, OP_UNWIRE, OP_PAGEOUT,
	OP_MMAP_OBJ, OP_NKINDS
};

static const char *const op_names[OP_NKINDS] = {
	"copyout", "copyin", "mmap", "munmap", "protect", "inherit", "fork",
	"share", "exec", "exit", "create", "wire", "unwire", "pageout", "mmapobj",
};

/* weights out of 1000 */
static const unsigned op_weights[OP_NKINDS] = {
	265, 200, 105, 60, 70, 60, 40, 10, 15, 25, 10, 45, 45, 35, 15,
};
static const unsigned op_weights_cow[OP_NKINDS] = {
	210, 120, 80, 40, 90, 90, 80, 10, 10, 50, 10, 80, 70, 40, 20,
};
/* a burst: sharing, forking, wiring and writing on the hot spot only */
static const unsigned op_weights_burst[OP_NKINDS] = {
	240, 150, 0, 0, 100, 140, 120, 0, 0, 30, 0, 100, 50, 50, 20,
};
#define BURST_LEN 40

/* One operation, fully decided: it can be replayed on any state. */
struct op {
	uint8_t kind;
	int8_t proc;
	bsdvm_prot_t prot, max;
	bsdvm_inherit_t inh;
	bool topdown;
	uint32_t flags;
	bsdvm_addr_t a, b; /* va, range [a, b), or mmap address and length */
	uint64_t n;        /* copy length, pageout count */
	uint64_t x;        /* seed of the bytes written */
	uint64_t orig;     /* index in the generated stream */
	int8_t src;        /* mmapobj: the process whose mapping names the object */
	bsdvm_addr_t srca; /* mmapobj: the address there */
};

/* ------------------------------------------------------------------ */
/* The model */

struct mbuf {
	unsigned ref;
	uint8_t data[];
};

/* The private page of one page of a copy-on-write object mapping (an amap
 * slot): empty until the first write copies the object's page into it. */
struct mslot {
	unsigned ref;
	struct mbuf *anon;
};

struct mpage {
	struct mbuf *b; /* NULL: unmapped; the object's page when slot != NULL */
	struct mslot *slot; /* copy-on-write view of the object page b */
	bsdvm_prot_t prot, max;
	bsdvm_inherit_t inh;
	bool obj;       /* the entry maps a memory object */
	bool cow;       /* ... copy-on-write (a shared mapping inherited COPY) */
	bool nomerge;
	bool uwired;
	int32_t wired;
	uint32_t objid; /* obj: which object (0: none) */
	uint64_t opidx; /* obj: the object page mapped here */
};

struct mvm {
	bool live;
	bool topdown;
	unsigned refs;
	struct vmspace *vm;
	struct mpage *pg;
};

struct mproc {
	bool live;
	int vm;
};

struct ctx {
	const struct run_cfg *cfg;
	uint64_t seed, total_ops;
	unsigned run;
	uint64_t opi, nops;
	struct test_rng rng;
	struct bsdvm_sys *sys;
	bsdvm_size_t ps;
	unsigned np;
	bsdvm_addr_t min, max;
	struct mvm vm[NVM];
	struct mproc proc[NPROC];
	uint8_t *buf;
	char desc[DESC];
	char ring[RING][DESC];
	bool failed, trace, quiet;
	unsigned lax;   /* LAX_* */
	bool snapshot;  /* BSDVM_MEM_PROPERTY_SHARED_COPY=snapshot */
	unsigned hot_base, hot_len; /* most addresses fall in these pages */
	unsigned burst;             /* operations left in the current burst */
	uint32_t next_objid;
	char firstmsg[400];
	int64_t live0; /* allocator's live bytes before the system existed */
	/* statistics */
	uint64_t codes[OP_NKINDS][KERN_WOULD_BLOCK + 1]; /* results seen */
	uint64_t wire_shortage, full_checks, bytes_compared, max_swap;
	uint64_t sibling_wired_forks; /* forks copying memory a sibling shares wired */
};

static struct mbuf *mbuf_new(struct ctx *c, const uint8_t *src)
{
	struct mbuf *b = malloc(sizeof(*b) + c->ps);

	if (b == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	b->ref = 1;
	if (src != NULL)
		memcpy(b->data, src, c->ps);
	else
		memset(b->data, 0, c->ps);
	return b;
}

static void mbuf_unref(struct mbuf *b)
{
	if (b != NULL && --b->ref == 0)
		free(b);
}

static struct mslot *mslot_new(void)
{
	struct mslot *sl = calloc(1, sizeof(*sl));

	if (sl == NULL)
		exit(2);
	sl->ref = 1;
	return sl;
}

static void mslot_unref(struct mslot *sl)
{
	if (sl != NULL && --sl->ref == 0) {
		mbuf_unref(sl->anon);
		free(sl);
	}
}

static void mpage_clear(struct mpage *p)
{
	mbuf_unref(p->b);
	mslot_unref(p->slot);
	memset(p, 0, sizeof(*p));
}

/* The bytes a read of page p sees. */
static uint8_t *page_rdata(const struct mpage *p)
{
	if (p->slot != NULL && p->slot->anon != NULL)
		return p->slot->anon->data;
	return p->b->data;
}

/* The bytes a write to page p changes: a copy-on-write view of an object
 * page gets its private copy first. */
static uint8_t *page_wdata(struct ctx *c, struct mpage *p)
{
	if (p->slot == NULL)
		return p->b->data;
	if (p->slot->anon == NULL)
		p->slot->anon = mbuf_new(c, p->b->data);
	return p->slot->anon->data;
}

/* The model page holding address a, or NULL outside the window. */
static struct mpage *mpage_at(struct ctx *c, struct mvm *m, bsdvm_addr_t a)
{
	if (a < c->min || a >= c->max)
		return NULL;
	return &m->pg[(a - c->min) / c->ps];
}

static unsigned count_live_vms(const struct ctx *c)
{
	unsigned i, n = 0;

	for (i = 0; i < NVM; i++)
		n += c->vm[i].live;
	return n;
}

static unsigned count_live_procs(const struct ctx *c)
{
	unsigned i, n = 0;

	for (i = 0; i < NPROC; i++)
		n += c->proc[i].live;
	return n;
}

static int free_vm_slot(const struct ctx *c)
{
	int i;

	for (i = 0; i < NVM; i++)
		if (!c->vm[i].live)
			return i;
	return -1;
}

static int free_proc_slot(const struct ctx *c)
{
	int i;

	for (i = 0; i < NPROC; i++)
		if (!c->proc[i].live)
			return i;
	return -1;
}

static uint64_t model_wired_pages(const struct ctx *c)
{
	uint64_t n = 0;
	unsigned i, k;

	for (i = 0; i < NVM; i++) {
		if (!c->vm[i].live)
			continue;
		for (k = 0; k < c->np; k++)
			n += c->vm[i].pg[k].b != NULL && c->vm[i].pg[k].wired > 0;
	}
	return n;
}

static bsdvm_addr_t page_addr(const struct ctx *c, int64_t pg)
{
	if (pg < 0)
		return c->min - (bsdvm_addr_t)(-pg) * c->ps;
	return c->min + (bsdvm_addr_t)pg * c->ps;
}

/* ------------------------------------------------------------------ */
/* Describing operations and reporting */

static char *prot_str(bsdvm_prot_t p, char *s)
{
	s[0] = (p & VM_PROT_READ) ? 'r' : '-';
	s[1] = (p & VM_PROT_WRITE) ? 'w' : '-';
	s[2] = (p & VM_PROT_EXECUTE) ? 'x' : '-';
	s[3] = (p & ~VM_PROT_ALL) ? '!' : '\0';
	s[4] = '\0';
	return s;
}

static const char *inh_str(bsdvm_inherit_t i)
{
	static const char *const n[] = { "SHARE", "COPY", "NONE", "ZERO" };

	return i <= VM_INHERIT_ZERO ? n[i] : "(bad)";
}

static void wire_flags_str(uint32_t f, char *s, size_t len)
{
	snprintf(s, len, "%s%s%s%s%s", f == 0 ? "0" : "", (f & BSDVM_WIRE_HOLESOK) ? "HOLESOK " : "",
	    (f & BSDVM_WIRE_USER) ? "USER " : "", (f & BSDVM_WIRE_ALL) ? "ALL " : "",
	    (f & ~7u) ? "(bad)" : "");
}

static void op_desc(const struct ctx *c, const struct op *o, char *s, size_t len)
{
	char a[5], b[5], f[40];
	int vm = o->proc >= 0 && o->proc < NPROC && c->proc[o->proc].live ? c->proc[o->proc].vm : -1;

	switch (o->kind) {
	case OP_WRITE:
	case OP_READ:
		snprintf(s, len, "%s p%d (vm%d) va %#llx len %llu", op_names[o->kind], o->proc, vm,
		    ULL(o->a), ULL(o->n));
		break;
	case OP_MMAP:
		snprintf(s, len, "mmap p%d (vm%d%s) addr %#llx len %#llx prot %s max %s%s%s%s%s",
		    o->proc, vm, vm >= 0 && c->vm[vm].topdown ? " topdown" : "", ULL(o->a),
		    ULL(o->b), prot_str(o->prot, a), prot_str(o->max, b),
		    (o->flags & BSDVM_MAPF_FIXED) ? " FIXED" : "",
		    (o->flags & BSDVM_MAPF_EXCL) ? " EXCL" : "",
		    (o->flags & BSDVM_MAPF_SHARED) ? " SHARED" : "",
		    (o->flags & BSDVM_MAPF_NOMERGE) ? " NOMERGE" : "");
		break;
	case OP_MMAP_OBJ:
		snprintf(s, len, "mmap p%d (vm%d%s) addr %#llx len %#llx prot %s max %s%s%s%s%s"
		    " of the object p%d maps at %#llx", o->proc, vm,
		    vm >= 0 && c->vm[vm].topdown ? " topdown" : "", ULL(o->a), ULL(o->b),
		    prot_str(o->prot, a), prot_str(o->max, b),
		    (o->flags & BSDVM_MAPF_FIXED) ? " FIXED" : "",
		    (o->flags & BSDVM_MAPF_EXCL) ? " EXCL" : "",
		    (o->flags & BSDVM_MAPF_SHARED) ? " SHARED" : " private",
		    (o->flags & BSDVM_MAPF_NOMERGE) ? " NOMERGE" : "", o->src, ULL(o->srca));
		break;
	case OP_MUNMAP:
		snprintf(s, len, "munmap p%d (vm%d) [%#llx,%#llx)", o->proc, vm, ULL(o->a), ULL(o->b));
		break;
	case OP_PROTECT:
		snprintf(s, len, "protect p%d (vm%d) [%#llx,%#llx) prot %s max %s flags %s%s%s",
		    o->proc, vm, ULL(o->a), ULL(o->b), prot_str(o->prot, a), prot_str(o->max, b),
		    (o->flags & BSDVM_PROTECT_SET_PROT) ? "SET_PROT " : "",
		    (o->flags & BSDVM_PROTECT_SET_MAX) ? "SET_MAX " : "",
		    (o->flags & ~3u) || o->flags == 0 ? "(bad)" : "");
		break;
	case OP_INHERIT:
		snprintf(s, len, "inherit p%d (vm%d) [%#llx,%#llx) %s", o->proc, vm, ULL(o->a),
		    ULL(o->b), inh_str(o->inh));
		break;
	case OP_FORK:
		snprintf(s, len, "fork p%d (vm%d)", o->proc, vm);
		break;
	case OP_SHARE:
		snprintf(s, len, "share p%d (vm%d) with a new process (vfork)", o->proc, vm);
		break;
	case OP_EXEC:
		snprintf(s, len, "exec p%d (vm%d, %u refs)", o->proc, vm, vm >= 0 ? c->vm[vm].refs : 0);
		break;
	case OP_EXIT:
		snprintf(s, len, "exit p%d (vm%d, %u refs)", o->proc, vm, vm >= 0 ? c->vm[vm].refs : 0);
		break;
	case OP_CREATE:
		snprintf(s, len, "create a process with a new%s vmspace", o->topdown ? " top-down" : "");
		break;
	case OP_WIRE:
	case OP_UNWIRE:
		wire_flags_str(o->flags, f, sizeof(f));
		snprintf(s, len, "%s p%d (vm%d) [%#llx,%#llx) %s", op_names[o->kind], o->proc, vm,
		    ULL(o->a), ULL(o->b), f);
		break;
	case OP_PAGEOUT:
		snprintf(s, len, "pageout %llu", ULL(o->n));
		break;
	default:
		snprintf(s, len, "?");
		break;
	}
}

static void fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;
	uint64_t i, first;
	char msg[400];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->failed)
		snprintf(c->firstmsg, sizeof(c->firstmsg), "%s", msg);
	if (c->quiet) {
		c->failed = true;
		return;
	}
	if (!c->failed) {
		fprintf(stderr,
		    "\n*** MISMATCH: seed %llu, run %u (%s), op %llu of %llu: %s\n",
		    ULL(c->seed), c->run, c->cfg->name, ULL(c->opi), ULL(c->nops), c->desc);
		first = c->opi >= RING ? c->opi - RING + 1 : 0;
		fprintf(stderr, "    operations before it:\n");
		for (i = first; i < c->opi; i++)
			fprintf(stderr, "      #%llu %s\n", ULL(i), c->ring[i % RING]);
		fprintf(stderr, "    replay: BSDVM_MEM_PROPERTY_ONLY=%u test_mem_property %llu %llu"
		    " (BSDVM_MEM_PROPERTY_TRACE=1 prints every operation,"
		    " BSDVM_MEM_PROPERTY_MINIMIZE=1 shrinks the stream)\n",
		    c->run, ULL(c->seed), ULL(c->total_ops));
	}
	c->failed = true;
	fprintf(stderr, "    %s\n", msg);
}

static bool expect_code(struct ctx *c, int got, int want)
{
	CHECK(got == want);
	if (got != want) {
		fail(c, "library returned %s, model expects %s", bsdvm_kern_name(got),
		    bsdvm_kern_name(want));
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Model semantics */

static int model_range_check(const struct ctx *c, bsdvm_addr_t s, bsdvm_addr_t e)
{
	if ((s & (c->ps - 1)) != 0 || (e & (c->ps - 1)) != 0 || e < s)
		return KERN_INVALID_ARGUMENT;
	if (s < c->min || e > c->max)
		return KERN_INVALID_ADDRESS;
	return KERN_SUCCESS;
}

/* copyin/copyout: the code and the bytes moved before the failing page. */
static int model_access(struct ctx *c, struct mvm *m, bsdvm_addr_t va, size_t len, bool write,
    size_t *done)
{
	bsdvm_prot_t need = write ? VM_PROT_WRITE : VM_PROT_READ;
	size_t moved = 0;

	while (moved < len) {
		bsdvm_addr_t a = va + moved, pa = a & ~(bsdvm_addr_t)(c->ps - 1);
		size_t n = (size_t)(c->ps - (a - pa));
		struct mpage *p = mpage_at(c, m, pa);

		if (n > len - moved)
			n = len - moved;
		if (p == NULL || p->b == NULL) {
			*done = moved;
			return KERN_INVALID_ADDRESS;
		}
		if ((p->prot & need) == 0) {
			*done = moved;
			return KERN_PROTECTION_FAILURE;
		}
		moved += n;
	}
	*done = moved;
	return KERN_SUCCESS;
}

/* Applies (write) or compares (read) bytes [va, va + len) against buf. */
static bool model_bytes(struct ctx *c, struct mvm *m, bsdvm_addr_t va, uint8_t *buf, size_t len,
    bool write)
{
	size_t moved = 0;

	while (moved < len) {
		bsdvm_addr_t a = va + moved, pa = a & ~(bsdvm_addr_t)(c->ps - 1);
		size_t off = (size_t)(a - pa), n = (size_t)(c->ps - off);
		struct mpage *p = mpage_at(c, m, pa);

		if (n > len - moved)
			n = len - moved;
		if (write) {
			memcpy(page_wdata(c, p) + off, buf + moved, n);
		} else if (memcmp(page_rdata(p) + off, buf + moved, n) != 0) {
			const uint8_t *d = page_rdata(p);
			size_t k = 0;

			while (d[off + k] == buf[moved + k])
				k++;
			fail(c, "vm%d byte at %#llx: library 0x%02x, model 0x%02x (page %llu, model"
			    " buffer shared by %u page records%s)", (int)(m - c->vm), ULL(a + k),
			    buf[moved + k], d[off + k], ULL((pa - c->min) / c->ps), p->b->ref,
			    p->slot == NULL ? "" : p->slot->anon != NULL
			    ? ", copy-on-write view, written" : ", copy-on-write view of the object");
			return false;
		}
		moved += n;
	}
	return true;
}

static void model_free_vm(struct ctx *c, struct mvm *m)
{
	unsigned k;

	for (k = 0; k < c->np; k++)
		mpage_clear(&m->pg[k]);
	free(m->pg);
	m->pg = NULL;
	m->live = false;
	m->vm = NULL;
	m->refs = 0;
}

static struct mvm *model_new_vm(struct ctx *c, int slot, struct vmspace *vm, bool topdown)
{
	struct mvm *m = &c->vm[slot];

	m->live = true;
	m->topdown = topdown;
	m->refs = 1;
	m->vm = vm;
	m->pg = calloc(c->np, sizeof(*m->pg));
	if (m->pg == NULL)
		exit(2);
	return m;
}

/* Bottom-up or top-down first fit, as bsdvm_map_find over the model. */
static int model_find(struct ctx *c, struct mvm *m, bsdvm_addr_t hint, bsdvm_size_t len,
    bsdvm_addr_t *out)
{
	uint64_t npg = len / c->ps;
	bsdvm_addr_t hi_start, s;

	if (len == 0 || (len & (c->ps - 1)) != 0 || (hint & (c->ps - 1)) != 0)
		return KERN_INVALID_ARGUMENT;
	if (len > c->max - c->min)
		return KERN_NO_SPACE;
	hi_start = c->max - len;
	if (m->topdown) {
		if (hint != 0 && hint < hi_start)
			hi_start = hint;
		if (hi_start < c->min)
			return KERN_NO_SPACE;
		for (s = hi_start;; s -= c->ps) {
			uint64_t k, first = (s - c->min) / c->ps;

			for (k = 0; k < npg && m->pg[first + k].b == NULL; k++)
				;
			if (k == npg) {
				*out = s;
				return KERN_SUCCESS;
			}
			if (s == c->min)
				return KERN_NO_SPACE;
		}
	}
	s = hint > c->min ? hint : c->min;
	for (; s <= hi_start; s += c->ps) {
		uint64_t k, first = (s - c->min) / c->ps;

		for (k = 0; k < npg && m->pg[first + k].b == NULL; k++)
			;
		if (k == npg) {
			*out = s;
			return KERN_SUCCESS;
		}
	}
	return KERN_NO_SPACE;
}

/* Builds the model child of parent page p. */
static void model_fork_page(struct ctx *c, const struct mpage *p, struct mpage *q)
{
	if (p->b == NULL || p->inh == VM_INHERIT_NONE)
		return;
	*q = *p;
	q->wired = 0;
	q->uwired = false;
	switch (p->inh) {
	case VM_INHERIT_SHARE:
		p->b->ref++;
		if (p->slot != NULL)
			p->slot->ref++; /* the amap is shared: so are its pages */
		break;
	case VM_INHERIT_COPY:
		q->cow = p->obj; /* the child maps the object copy-on-write */
		if (!p->obj || c->snapshot) {
			q->b = mbuf_new(c, page_rdata(p));
			q->slot = NULL;
			break;
		}
		/* a private view of the object: the object's page, and a copy
		 * of the private page if the parent's view has one */
		p->b->ref++;
		q->slot = mslot_new();
		if (p->slot != NULL && p->slot->anon != NULL)
			q->slot->anon = mbuf_new(c, p->slot->anon->data);
		break;
	default: /* ZERO */
		q->b = mbuf_new(c, NULL);
		q->slot = NULL;
		q->obj = false;
		q->cow = false;
		q->objid = 0;
		q->opidx = 0;
		break;
	}
}

/* ------------------------------------------------------------------ */
/* Checks after each operation */

struct walk {
	struct ctx *c;
	struct mvm *m;
	unsigned next; /* first page not yet covered by a region */
	bool bad;
};

static bool page_attrs_match(const struct ctx *c, unsigned k, const struct mpage *p,
    const struct bsdvm_region *r)
{
	bsdvm_off_t off = r->offset + (page_addr(c, k) - r->start);

	uint32_t want = (p->cow ? MAP_ENTRY_COW : 0) | (p->nomerge ? MAP_ENTRY_NOMERGE : 0) |
	    (p->uwired ? MAP_ENTRY_USER_WIRED : 0);
	uint32_t mask = MAP_ENTRY_COW | MAP_ENTRY_NOMERGE | MAP_ENTRY_USER_WIRED |
	    MAP_ENTRY_GUARD | MAP_ENTRY_IN_TRANSITION | MAP_ENTRY_NEEDS_WAKEUP |
	    MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP;

	return r->protection == p->prot && r->max_protection == p->max &&
	    r->inheritance == p->inh && r->wired_count == p->wired &&
	    (r->object != NULL) == p->obj && (r->eflags & mask) == want &&
	    (!p->obj || off == p->opidx * c->ps);
}

static void report_page(struct walk *w, unsigned k, const struct bsdvm_region *r)
{
	struct ctx *c = w->c;
	const struct mpage *p = &w->m->pg[k];
	char a[5], b[5], d[5], e[5];

	if (r == NULL) {
		fail(c, "vm%d page %u (%#llx): library has no mapping, model has %s/%s %s"
		    " wired %d%s obj %d", (int)(w->m - c->vm), k, ULL(page_addr(c, k)),
		    prot_str(p->prot, a), prot_str(p->max, b), inh_str(p->inh), (int)p->wired,
		    p->uwired ? "u" : "", (int)p->obj);
		return;
	}
	if (p->b == NULL) {
		fail(c, "vm%d page %u (%#llx): library maps [%#llx,%#llx) %s/%s, model has"
		    " nothing", (int)(w->m - c->vm), k, ULL(page_addr(c, k)), ULL(r->start),
		    ULL(r->end), prot_str(r->protection, a), prot_str(r->max_protection, b));
		return;
	}
	fail(c, "vm%d page %u (%#llx) in [%#llx,%#llx): library %s/%s %s wired %d"
	    " eflags %#x obj %d offset %#llx; model %s/%s %s wired %d%s obj %d (object page"
	    " %llu) cow %d nomerge %d",
	    (int)(w->m - c->vm), k, ULL(page_addr(c, k)), ULL(r->start), ULL(r->end),
	    prot_str(r->protection, a), prot_str(r->max_protection, b), inh_str(r->inheritance),
	    (int)r->wired_count, r->eflags, r->object != NULL,
	    ULL(r->offset + (page_addr(c, k) - r->start)), prot_str(p->prot, d),
	    prot_str(p->max, e), inh_str(p->inh), (int)p->wired, p->uwired ? "u" : "",
	    (int)p->obj, ULL(p->opidx), (int)p->cow, (int)p->nomerge);
}

static int walk_one(void *arg, const struct bsdvm_region *r)
{
	struct walk *w = arg;
	struct ctx *c = w->c;
	unsigned k, first, last;

	if (w->bad)
		return 1;
	if (r->start < c->min || r->end > c->max || r->start >= r->end ||
	    ((r->start | r->end) & (c->ps - 1)) != 0) {
		fail(c, "region [%#llx,%#llx) outside the window or malformed", ULL(r->start),
		    ULL(r->end));
		w->bad = true;
		return 1;
	}
	first = (unsigned)((r->start - c->min) / c->ps);
	last = (unsigned)((r->end - c->min) / c->ps);
	for (k = w->next; k < first; k++) {
		if (w->m->pg[k].b != NULL) {
			report_page(w, k, NULL);
			w->bad = true;
			return 1;
		}
	}
	for (k = first; k < last; k++) {
		if (w->m->pg[k].b == NULL || !page_attrs_match(c, k, &w->m->pg[k], r)) {
			report_page(w, k, r);
			w->bad = true;
			return 1;
		}
	}
	w->next = last;
	return 0;
}

static bool check_vm(struct ctx *c, struct mvm *m)
{
	struct vm_map *map = bsdvm_vmspace_map(m->vm);
	struct walk w = { c, m, 0, false };
	char why[256];
	unsigned k;
	bool ok = vm_map_check(map);

	CHECK_MAP(map);
	if (!ok) {
		bsdvm_map_check(map, why, sizeof(why));
		fail(c, "vm_map_check of vm%d: %s", (int)(m - c->vm), why);
		return false;
	}
	if (bsdvm_vmspace_refcount(m->vm) != m->refs) {
		fail(c, "vm%d: refcount %u, model %u", (int)(m - c->vm),
		    bsdvm_vmspace_refcount(m->vm), m->refs);
		return false;
	}
	bsdvm_map_foreach(map, walk_one, &w);
	if (w.bad)
		return false;
	for (k = w.next; k < c->np; k++) {
		if (m->pg[k].b != NULL) {
			report_page(&w, k, NULL);
			return false;
		}
	}
	for (k = 0; k < c->np; k++) {
		if (m->pg[k].b != NULL && m->pg[k].wired > 0 &&
		    !bsdvm_vmspace_resident(m->vm, page_addr(c, k))) {
			fail(c, "vm%d page %u (%#llx) is wired but not resident",
			    (int)(m - c->vm), k, ULL(page_addr(c, k)));
			return false;
		}
	}
	return true;
}

static bool check_all(struct ctx *c)
{
	struct bsdvm_sys_stats st;
	uint64_t mw;
	unsigned i;

	for (i = 0; i < NVM; i++)
		if (c->vm[i].live && !check_vm(c, &c->vm[i]))
			return false;
	bsdvm_sys_get_stats(c->sys, &st);
	if (st.swap_used > c->max_swap)
		c->max_swap = st.swap_used;
	mw = model_wired_pages(c);
	if (st.wired > mw) {
		fail(c, "%llu frames wired, but the model has only %llu wired pages",
		    ULL(st.wired), ULL(mw));
		return false;
	}
	if (st.vmspaces != count_live_vms(c) + 1) {
		fail(c, "stats: %llu vmspaces, model %u + kernel", ULL(st.vmspaces),
		    count_live_vms(c));
		return false;
	}
	return true;
}

/* Reads every page of every vmspace back. */
static bool full_check(struct ctx *c)
{
	unsigned i, k;

	c->full_checks++;
	for (i = 0; i < NVM; i++) {
		struct mvm *m = &c->vm[i];

		if (!m->live)
			continue;
		for (k = 0; k < c->np; k++) {
			bsdvm_addr_t a = page_addr(c, k);
			size_t done = 12345, wdone;
			int want = model_access(c, m, a, c->ps, false, &wdone);
			int rv = bsdvm_copyin(m->vm, a, c->buf, c->ps, &done);

			if (rv != want || done != wdone) {
				fail(c, "full check, vm%u page %u (%#llx): copyin returned %s"
				    " done %zu, model %s done %zu", i, k, ULL(a), bsdvm_kern_name(rv),
				    done, bsdvm_kern_name(want), wdone);
				return false;
			}
			if (rv == KERN_SUCCESS) {
				if (!model_bytes(c, m, a, c->buf, c->ps, false))
					return false;
				c->bytes_compared += c->ps;
			}
		}
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Executing operations (any op on any state: invalid ones are skipped) */

static void count(struct ctx *c, int kind, int rv)
{
	if (rv >= 0 && rv <= KERN_WOULD_BLOCK)
		c->codes[kind][rv]++;
}

static void ex_access(struct ctx *c, const struct op *o, struct mvm *m)
{
	bool write = o->kind == OP_WRITE;
	size_t len = (size_t)o->n, done = 99999, wdone, i;
	int rv, want = model_access(c, m, o->a, len, write, &wdone);

	if (write) {
		struct test_rng r;
		uint64_t x = 0;

		rng_init(&r, o->x);
		for (i = 0; i < len; i++) {
			if ((i & 7) == 0)
				x = rng_next(&r);
			c->buf[i] = (uint8_t)(x >> ((i & 7) * 8));
		}
		rv = bsdvm_copyout(m->vm, c->buf, o->a, len, &done);
	} else {
		memset(c->buf, 0xA5, len);
		rv = bsdvm_copyin(m->vm, o->a, c->buf, len, &done);
	}
	if (rv == KERN_RESOURCE_SHORTAGE)
		fail(c, "%s ran out of frames and swap: the configuration is too small",
		    op_names[o->kind]);
	if (!expect_code(c, rv, want))
		return;
	if (done != wdone) {
		fail(c, "done = %zu, model %zu", done, wdone);
		return;
	}
	model_bytes(c, m, o->a, c->buf, done, write);
	count(c, o->kind, rv);
}

/* The code mmap of len bytes should return, and where it maps. */
static int model_mmap_code(struct ctx *c, struct mvm *m, const struct op *o, bsdvm_size_t len,
    bsdvm_addr_t *want_addr)
{
	bsdvm_addr_t addr = o->a;
	uint64_t npg = len / c->ps, k;
	int want;

	if (o->flags & BSDVM_MAPF_FIXED) {
		if (len == 0 || addr < c->min || addr + len > c->max)
			return KERN_INVALID_ADDRESS;
		if ((o->prot & ~o->max) != 0)
			return KERN_PROTECTION_FAILURE;
		want = KERN_SUCCESS;
		*want_addr = addr;
		if (o->flags & BSDVM_MAPF_EXCL) {
			for (k = 0; k < npg; k++)
				if (mpage_at(c, m, addr + k * c->ps)->b != NULL)
					want = KERN_NO_SPACE;
		}
		return want;
	}
	if ((o->prot & ~o->max) != 0)
		return KERN_PROTECTION_FAILURE; /* attributes are validated first */
	return model_find(c, m, addr, len, want_addr);
}

static void ex_mmap(struct ctx *c, const struct op *o, struct mvm *m)
{
	bsdvm_addr_t addr = o->a, want_addr = 0;
	bsdvm_size_t len = o->b;
	uint64_t npg = len / c->ps, k;
	int rv, want = model_mmap_code(c, m, o, len, &want_addr);

	rv = bsdvm_vmspace_mmap(m->vm, &addr, len, o->prot, o->max, o->flags, NULL, 0);
	if (!expect_code(c, rv, want))
		return;
	count(c, OP_MMAP, rv);
	if (rv != KERN_SUCCESS) {
		if (addr != o->a)
			fail(c, "failed mmap changed *addrp from %#llx to %#llx", ULL(o->a), ULL(addr));
		return;
	}
	if (addr != want_addr) {
		fail(c, "mapped at %#llx, model expects %#llx", ULL(addr), ULL(want_addr));
		return;
	}
	for (k = 0; k < npg; k++) {
		struct mpage *p = mpage_at(c, m, addr + k * c->ps);

		mpage_clear(p);
		p->b = mbuf_new(c, NULL);
		p->prot = o->prot;
		p->max = o->max;
		p->inh = (o->flags & BSDVM_MAPF_SHARED) ? VM_INHERIT_SHARE : VM_INHERIT_COPY;
		p->obj = (o->flags & BSDVM_MAPF_SHARED) != 0;
		p->nomerge = (o->flags & BSDVM_MAPF_NOMERGE) != 0;
		if (p->obj) {
			p->objid = c->next_objid + 1;
			p->opidx = k;
		}
	}
	if (o->flags & BSDVM_MAPF_SHARED)
		c->next_objid++;
}

/* Is the page a shared view of an object (its buffer is the object's)? */
static bool is_object_view(const struct mpage *p)
{
	return p->b != NULL && p->obj && !p->cow;
}

/* mmap, again, of the object a shared mapping at (src, srca) shows:
 * shared (the same bytes) or private (a copy-on-write view of them).
 * False when the source is gone. */
static bool ex_mmap_obj(struct ctx *c, const struct op *o, struct mvm *m)
{
	struct mvm *sm;
	struct mpage *sp;
	struct mbuf *bufs[8];
	struct bsdvm_region r;
	bsdvm_addr_t addr = o->a, want_addr = 0;
	bsdvm_off_t off;
	uint64_t npg = o->b / c->ps, k, n, opidx;
	uint32_t objid;
	int rv, want;

	if (o->src < 0 || o->src >= NPROC || !c->proc[o->src].live)
		return false;
	sm = &c->vm[c->proc[o->src].vm];
	sp = mpage_at(c, sm, o->srca);
	if (sp == NULL || !is_object_view(sp))
		return false;
	/* as many of the pages as continue the same object */
	if (npg > 8)
		npg = 8;
	for (n = 1; n < npg; n++) {
		struct mpage *q = mpage_at(c, sm, o->srca + n * c->ps);

		if (q == NULL || !is_object_view(q) || q->objid != sp->objid ||
		    q->opidx != sp->opidx + n)
			break;
	}
	if (!bsdvm_map_query(bsdvm_vmspace_map(sm->vm), o->srca, &r) || r.object == NULL) {
		fail(c, "no object mapped at %#llx of vm%d", ULL(o->srca), c->proc[o->src].vm);
		return true;
	}
	off = r.offset + (o->srca - r.start);
	if (off != sp->opidx * c->ps) {
		fail(c, "object offset %#llx at %#llx, model %#llx", ULL(off), ULL(o->srca),
		    ULL(sp->opidx * c->ps));
		return true;
	}
	want = model_mmap_code(c, m, o, n * c->ps, &want_addr);
	rv = bsdvm_vmspace_mmap(m->vm, &addr, n * c->ps, o->prot, o->max, o->flags, r.object, off);
	if (!expect_code(c, rv, want))
		return true;
	count(c, OP_MMAP_OBJ, rv);
	if (rv != KERN_SUCCESS)
		return true;
	if (addr != want_addr) {
		fail(c, "mapped at %#llx, model expects %#llx", ULL(addr), ULL(want_addr));
		return true;
	}
	/* take the object's pages first: the new mapping may replace the source */
	objid = sp->objid;
	opidx = sp->opidx;
	for (k = 0; k < n; k++) {
		bufs[k] = mpage_at(c, sm, o->srca + k * c->ps)->b;
		bufs[k]->ref++;
	}
	for (k = 0; k < n; k++) {
		struct mpage *p = mpage_at(c, m, addr + k * c->ps);

		mpage_clear(p);
		p->b = bufs[k];
		p->prot = o->prot;
		p->max = o->max;
		p->obj = true;
		p->objid = objid;
		p->opidx = opidx + k;
		p->nomerge = (o->flags & BSDVM_MAPF_NOMERGE) != 0;
		if (o->flags & BSDVM_MAPF_SHARED) {
			p->inh = VM_INHERIT_SHARE;
		} else {
			p->inh = VM_INHERIT_COPY;
			p->cow = true;
			p->slot = mslot_new();
		}
	}
	return true;
}

static void ex_munmap(struct ctx *c, const struct op *o, struct mvm *m)
{
	int rv, want = model_range_check(c, o->a, o->b);
	bsdvm_addr_t a;

	rv = bsdvm_map_delete(bsdvm_vmspace_map(m->vm), o->a, o->b);
	if (!expect_code(c, rv, want))
		return;
	count(c, OP_MUNMAP, rv);
	if (rv == KERN_SUCCESS)
		for (a = o->a; a < o->b; a += c->ps)
			mpage_clear(mpage_at(c, m, a));
}

static void ex_protect(struct ctx *c, const struct op *o, struct mvm *m)
{
	uint32_t flags = o->flags;
	bsdvm_prot_t prot = o->prot, max = o->max;
	bsdvm_addr_t a;
	int rv, want;

	/* the library's documented order of checks */
	if (flags == 0 || (flags & ~(BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX)) != 0 ||
	    ((flags & BSDVM_PROTECT_SET_PROT) && (prot & ~VM_PROT_ALL) != 0) ||
	    ((flags & BSDVM_PROTECT_SET_MAX) && (max & ~VM_PROT_ALL) != 0)) {
		want = KERN_INVALID_ARGUMENT;
	} else if ((want = model_range_check(c, o->a, o->b)) != KERN_SUCCESS) {
		/* as checked */
	} else if (flags == (BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX) &&
	    (prot & ~max) != 0) {
		want = KERN_OUT_OF_BOUNDS;
	} else {
		for (a = o->a; a < o->b && want == KERN_SUCCESS; a += c->ps) {
			struct mpage *p = mpage_at(c, m, a);

			if (p->b == NULL)
				continue;
			if (((flags & BSDVM_PROTECT_SET_PROT) && (prot & ~p->max) != 0) ||
			    ((flags & BSDVM_PROTECT_SET_MAX) && (max & ~p->max) != 0))
				want = KERN_PROTECTION_FAILURE;
		}
	}
	rv = bsdvm_map_protect(bsdvm_vmspace_map(m->vm), o->a, o->b, prot, max, flags);
	if (!expect_code(c, rv, want))
		return;
	count(c, OP_PROTECT, rv);
	if (rv != KERN_SUCCESS)
		return;
	for (a = o->a; a < o->b; a += c->ps) {
		struct mpage *p = mpage_at(c, m, a);

		if (p->b == NULL)
			continue;
		if (flags & BSDVM_PROTECT_SET_MAX) {
			p->max = max;
			p->prot &= max;
		}
		if (flags & BSDVM_PROTECT_SET_PROT)
			p->prot = prot;
	}
}

static void ex_inherit(struct ctx *c, const struct op *o, struct mvm *m)
{
	int rv, want = o->inh > VM_INHERIT_ZERO ? KERN_INVALID_ARGUMENT
						: model_range_check(c, o->a, o->b);
	bsdvm_addr_t a;

	rv = bsdvm_map_inherit(bsdvm_vmspace_map(m->vm), o->a, o->b, o->inh);
	if (!expect_code(c, rv, want))
		return;
	count(c, OP_INHERIT, rv);
	if (rv != KERN_SUCCESS)
		return;
	for (a = o->a; a < o->b; a += c->ps) {
		struct mpage *p = mpage_at(c, m, a);

		if (p->b != NULL)
			p->inh = o->inh;
	}
}

static void proc_drop_vm(struct ctx *c, int pi)
{
	struct mvm *m = &c->vm[c->proc[pi].vm];

	bsdvm_vmspace_free(m->vm);
	if (--m->refs == 0)
		model_free_vm(c, m);
	c->proc[pi].live = false;
}

static bool new_vmspace(struct ctx *c, int slot, bool topdown)
{
	struct vmspace *vm = NULL;
	int rv = bsdvm_vmspace_create(c->sys, c->min, c->max, topdown ? BSDVM_MAP_TOPDOWN : 0, &vm);

	if (!expect_code(c, rv, KERN_SUCCESS))
		return false;
	model_new_vm(c, slot, vm, topdown);
	return true;
}

static void ex_wire(struct ctx *c, const struct op *o, struct mvm *m)
{
	bool unwire = o->kind == OP_UNWIRE;
	uint32_t flags = o->flags;
	bsdvm_addr_t a;
	int rv, want;

	if ((flags & ~(BSDVM_WIRE_HOLESOK | BSDVM_WIRE_USER | BSDVM_WIRE_ALL)) != 0 ||
	    (!unwire && (flags & BSDVM_WIRE_ALL)) ||
	    ((flags & BSDVM_WIRE_ALL) && (flags & BSDVM_WIRE_USER)))
		want = KERN_INVALID_ARGUMENT;
	else
		want = model_range_check(c, o->a, o->b);
	for (a = o->a; want == KERN_SUCCESS && a < o->b; a += c->ps) {
		struct mpage *p = mpage_at(c, m, a);

		if (p->b == NULL || (p->prot == VM_PROT_NONE && !(unwire && p->wired > 0))) {
			/* holes, and memory that cannot be accessed at all - except
			 * that memory wired before it became NONE can be unwired */
			if (!(flags & BSDVM_WIRE_HOLESOK))
				want = KERN_INVALID_ADDRESS;
			continue;
		}
		if (unwire && ((flags & BSDVM_WIRE_ALL) ? p->wired <= 0
			    : (flags & BSDVM_WIRE_USER) ? !p->uwired
							: p->wired - (p->uwired ? 1 : 0) <= 0))
			want = KERN_INVALID_ARGUMENT;
	}
	if (unwire)
		rv = bsdvm_map_unwire(bsdvm_vmspace_map(m->vm), o->a, o->b, flags);
	else
		rv = bsdvm_map_wire(bsdvm_vmspace_map(m->vm), o->a, o->b, flags);
	if (!unwire && want == KERN_SUCCESS && rv == KERN_RESOURCE_SHORTAGE) {
		c->wire_shortage++; /* legitimately out of frames: nothing changed */
		return;
	}
	if (!expect_code(c, rv, want))
		return;
	count(c, o->kind, rv);
	if (rv != KERN_SUCCESS)
		return;
	for (a = o->a; a < o->b; a += c->ps) {
		struct mpage *p = mpage_at(c, m, a);

		if (p->b == NULL || (p->prot == VM_PROT_NONE && !(unwire && p->wired > 0)))
			continue;
		if (unwire) {
			if (p->wired == 0)
				continue;
			if (flags & (BSDVM_WIRE_USER | BSDVM_WIRE_ALL))
				p->uwired = false;
			if (flags & BSDVM_WIRE_ALL)
				p->wired = 0;
			else
				p->wired--;
		} else {
			if ((flags & BSDVM_WIRE_USER) && p->uwired)
				continue;
			/* wiring faults the page in with the entry's maximum rights
			 * (NetBSD's uvm_fault_wire): a copy-on-write view that may
			 * ever be written gets its private copy now */
			if (p->wired++ == 0 && (p->max & VM_PROT_WRITE))
				page_wdata(c, p);
			if (flags & BSDVM_WIRE_USER)
				p->uwired = true;
		}
	}
}

/* Does an unwire of [s, e) meet wired memory with protection none? */
static bool unwire_meets_none(struct ctx *c, struct mvm *m, bsdvm_addr_t s, bsdvm_addr_t e)
{
	bsdvm_addr_t a;

	if ((s & (c->ps - 1)) != 0 || s < c->min || e > c->max)
		return false;
	for (a = s; a < e; a += c->ps) {
		struct mpage *p = mpage_at(c, m, a);

		if (p->b != NULL && p->prot == VM_PROT_NONE && p->wired > 0)
			return true;
	}
	return false;
}

/* Does m have private memory inherited COPY that it shares (through an
 * earlier SHARE) with another vmspace which has it wired? */
static bool fork_copies_sibling_wired(struct ctx *c, struct mvm *m)
{
	unsigned k, j;

	for (k = 0; k < c->np; k++) {
		const struct mpage *p = &m->pg[k];

		if (p->b == NULL || p->obj || p->inh != VM_INHERIT_COPY || p->b->ref < 2)
			continue;
		/* fork keeps addresses: sharers hold the buffer at the same page */
		for (j = 0; j < NVM; j++)
			if (c->vm[j].live && &c->vm[j] != m && c->vm[j].pg[k].b == p->b &&
			    c->vm[j].pg[k].wired > 0)
				return true;
	}
	return false;
}

/* Would a wiring of [s, e) wire accessible memory without write permission? */
static bool wire_meets_readonly(struct ctx *c, struct mvm *m, bsdvm_addr_t s, bsdvm_addr_t e)
{
	bsdvm_addr_t a;

	if ((s & (c->ps - 1)) != 0 || s < c->min || e > c->max)
		return false;
	for (a = s; a < e; a += c->ps) {
		struct mpage *p = mpage_at(c, m, a);

		if (p->b != NULL && p->prot != VM_PROT_NONE && !(p->prot & VM_PROT_WRITE))
			return true;
	}
	return false;
}

/* Would a write to [s, e) be the first write to a copy-on-write view of an
 * object page that other vmspaces share? */
static bool write_promotes_shared(struct ctx *c, struct mvm *m, bsdvm_addr_t s, bsdvm_addr_t e)
{
	bsdvm_addr_t a;

	for (a = s & ~(bsdvm_addr_t)(c->ps - 1); a < e; a += c->ps) {
		struct mpage *p = mpage_at(c, m, a);

		if (p != NULL && p->b != NULL && p->slot != NULL && p->slot->ref > 1 &&
		    p->slot->anon == NULL)
			return true;
	}
	return false;
}

/* Is o one of the cases the lax settings say to look past? */
static bool op_avoided(struct ctx *c, const struct op *o)
{
	struct mvm *m;

	if (c->lax == 0 || o->proc < 0 || o->proc >= NPROC || !c->proc[o->proc].live)
		return false;
	m = &c->vm[c->proc[o->proc].vm];
	switch (o->kind) {
	case OP_UNWIRE:
		return (c->lax & LAX_UNWIRE_NONE) && unwire_meets_none(c, m, o->a, o->b);
	case OP_WIRE:
		return ((c->lax & LAX_WIRED_COW) && wire_meets_readonly(c, m, o->a, o->b)) ||
		    ((c->lax & LAX_SHARED_PROMOTE) && (o->a & (c->ps - 1)) == 0 &&
		     o->a >= c->min && o->b <= c->max && write_promotes_shared(c, m, o->a, o->b));
	case OP_WRITE:
		return (c->lax & LAX_SHARED_PROMOTE) && o->n != 0 &&
		    write_promotes_shared(c, m, o->a, o->a + o->n);
	default:
		return false;
	}
}

/* Runs one operation against library and model; false if it does not
 * apply to the current state (only when replaying a shrunk stream). */
static bool exec_op(struct ctx *c, const struct op *o)
{
	struct mvm *m = NULL;
	int rv, ci, vs;
	unsigned k;

	if (o->kind != OP_CREATE && o->kind != OP_PAGEOUT) {
		if (o->proc < 0 || o->proc >= NPROC || !c->proc[o->proc].live)
			return false;
		m = &c->vm[c->proc[o->proc].vm];
	}
	if (op_avoided(c, o))
		return false;
	switch (o->kind) {
	case OP_WRITE:
	case OP_READ:
		ex_access(c, o, m);
		break;
	case OP_MMAP:
		ex_mmap(c, o, m);
		break;
	case OP_MMAP_OBJ:
		return ex_mmap_obj(c, o, m);
	case OP_MUNMAP:
		ex_munmap(c, o, m);
		break;
	case OP_PROTECT:
		ex_protect(c, o, m);
		break;
	case OP_INHERIT:
		ex_inherit(c, o, m);
		break;
	case OP_WIRE:
	case OP_UNWIRE:
		ex_wire(c, o, m);
		break;
	case OP_FORK: {
		struct vmspace *child = NULL;

		ci = free_proc_slot(c);
		vs = free_vm_slot(c);
		if (ci < 0 || vs < 0)
			return false;
		if (fork_copies_sibling_wired(c, m))
			c->sibling_wired_forks++;
		rv = bsdvm_vmspace_fork(m->vm, &child);
		if (!expect_code(c, rv, KERN_SUCCESS))
			break;
		count(c, OP_FORK, rv);
		model_new_vm(c, vs, child, m->topdown);
		for (k = 0; k < c->np; k++)
			model_fork_page(c, &m->pg[k], &c->vm[vs].pg[k]);
		c->proc[ci].live = true;
		c->proc[ci].vm = vs;
		break;
	}
	case OP_SHARE:
		ci = free_proc_slot(c);
		if (ci < 0)
			return false;
		bsdvm_vmspace_reference(m->vm);
		m->refs++;
		c->proc[ci].live = true;
		c->proc[ci].vm = c->proc[o->proc].vm;
		count(c, OP_SHARE, KERN_SUCCESS);
		break;
	case OP_EXEC:
		if (m->refs > 1 && count_live_vms(c) >= NVM)
			return false;
		rv = bsdvm_vmspace_reset(m->vm, c->min, c->max);
		if (!expect_code(c, rv, m->refs > 1 ? KERN_FAILURE : KERN_SUCCESS))
			break;
		count(c, OP_EXEC, KERN_SUCCESS);
		if (m->refs == 1) {
			for (k = 0; k < c->np; k++)
				mpage_clear(&m->pg[k]);
		} else {
			/* the vmspace is shared: leave it and take a new one */
			bool topdown = m->topdown;

			proc_drop_vm(c, o->proc);
			vs = free_vm_slot(c);
			if (!new_vmspace(c, vs, topdown))
				break;
			c->proc[o->proc].live = true;
			c->proc[o->proc].vm = vs;
		}
		break;
	case OP_EXIT:
		proc_drop_vm(c, o->proc);
		count(c, OP_EXIT, KERN_SUCCESS);
		break;
	case OP_CREATE:
		ci = free_proc_slot(c);
		vs = free_vm_slot(c);
		if (ci < 0 || vs < 0)
			return false;
		if (!new_vmspace(c, vs, o->topdown))
			break;
		c->proc[ci].live = true;
		c->proc[ci].vm = vs;
		count(c, OP_CREATE, KERN_SUCCESS);
		break;
	case OP_PAGEOUT: {
		uint64_t got = bsdvm_sys_pageout(c->sys, o->n);

		if (got > o->n)
			fail(c, "pageout freed %llu frames, asked for %llu", ULL(got), ULL(o->n));
		count(c, OP_PAGEOUT, KERN_SUCCESS);
		break;
	}
	default:
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* Generating operations */

static int pick_proc(struct ctx *c)
{
	int i, n = (int)count_live_procs(c), k = (int)rng_below(&c->rng, (uint64_t)n);

	for (i = 0; i < NPROC; i++)
		if (c->proc[i].live && k-- == 0)
			return i;
	return -1;
}

/* A range for a range operation: mostly inside the window. */
static void gen_range(struct ctx *c, bsdvm_addr_t *s, bsdvm_addr_t *e)
{
	int64_t sp = (int64_t)rng_below(&c->rng, c->np + 4) - 2;
	uint64_t r = rng_below(&c->rng, 100), len;

	if (c->burst > 0 || rng_below(&c->rng, 100) < 70)
		sp = (int64_t)(c->hot_base + rng_below(&c->rng, c->hot_len));
	if (r < 2)
		len = 0;
	else if (r < 70)
		len = 1 + rng_below(&c->rng, 8);
	else if (r < 95)
		len = 1 + rng_below(&c->rng, 32);
	else
		len = 1 + rng_below(&c->rng, c->np);
	*s = page_addr(c, sp);
	*e = *s + len * c->ps;
	if (rng_below(&c->rng, 200) == 0)
		*s += 512; /* unaligned */
}

/* A mapped page of m allowing `need` (in the hot spot if possible), most
 * of the time; otherwise any page around the window. */
static int64_t pick_page(struct ctx *c, struct mvm *m, bsdvm_prot_t need)
{
	unsigned k, start, pass;

	if (rng_below(&c->rng, 100) < 90) {
		for (pass = 0; pass < 2; pass++) {
			unsigned base = pass == 0 ? c->hot_base : 0;
			unsigned len = pass == 0 ? c->hot_len : c->np;

			start = (unsigned)rng_below(&c->rng, len);
			for (k = 0; k < len; k++) {
				unsigned pg = base + (start + k) % len;

				if (m->pg[pg].b != NULL && (m->pg[pg].prot & need))
					return pg;
			}
		}
	}
	return (int64_t)rng_below(&c->rng, c->np + 2) - 1;
}

/* A page of some process that shows an object shared (its hot spot
 * first); false if there is none. */
static bool pick_object_view(struct ctx *c, struct op *o)
{
	int pi = pick_proc(c);
	struct mvm *sm = &c->vm[c->proc[pi].vm];
	unsigned k, pass, start;

	for (pass = 0; pass < 2; pass++) {
		unsigned base = pass == 0 ? c->hot_base : 0;
		unsigned len = pass == 0 ? c->hot_len : c->np;

		start = (unsigned)rng_below(&c->rng, len);
		for (k = 0; k < len; k++) {
			unsigned pg = base + (start + k) % len;

			if (is_object_view(&sm->pg[pg])) {
				o->src = (int8_t)pi;
				o->srca = page_addr(c, pg);
				return true;
			}
		}
	}
	return false;
}

static enum op_kind choose(struct ctx *c)
{
	const unsigned *w = c->burst > 0 ? op_weights_burst
			  : c->cfg->cow_heavy ? op_weights_cow : op_weights;
	unsigned r = (unsigned)rng_below(&c->rng, 1000), k;
	unsigned nvm = count_live_vms(c), np = count_live_procs(c);

	for (k = 0; k < OP_NKINDS; k++) {
		if (r < w[k])
			break;
		r -= w[k];
	}
	if (np == 0)
		return OP_CREATE;
	if ((k == OP_FORK || k == OP_CREATE) && (nvm >= NVM || np >= NPROC))
		return OP_WRITE;
	if (k == OP_SHARE && np >= NPROC)
		return OP_WRITE;
	return (enum op_kind)k;
}

static bsdvm_prot_t gen_prot(struct ctx *c)
{
	if (rng_below(&c->rng, 2) == 0)
		return VM_PROT_RW;
	return (bsdvm_prot_t)rng_below(&c->rng, 8);
}

static void gen_op(struct ctx *c, struct op *o)
{
	struct mvm *m;
	uint64_t r;

	memset(o, 0, sizeof(*o));
	if (c->opi % 1000 == 0) {
		/* a new hot spot every 1000 operations */
		c->hot_len = c->cfg->cow_heavy ? 2 + (unsigned)rng_below(&c->rng, 9)
					       : 4 + (unsigned)rng_below(&c->rng, 29);
		if (c->hot_len > c->np)
			c->hot_len = c->np;
		c->hot_base = (unsigned)rng_below(&c->rng, c->np - c->hot_len + 1);
	}
	if (c->burst > 0)
		c->burst--;
	else if (c->cfg->cow_heavy && rng_below(&c->rng, 150) == 0)
		c->burst = BURST_LEN;
	o->kind = (uint8_t)choose(c);
	o->proc = -1;
	if (o->kind == OP_CREATE) {
		o->topdown = rng_below(&c->rng, 4) == 0;
		return;
	}
	if (o->kind == OP_PAGEOUT) {
		/* mostly a few pages: a pageout of everything also drops every
		 * translation, which hides bugs that need one to live on */
		o->n = c->burst > 0 || rng_below(&c->rng, 8) == 0
		    ? 1 + rng_below(&c->rng, 2 * c->cfg->frames) : 1 + rng_below(&c->rng, 8);
		return;
	}
	o->proc = (int8_t)pick_proc(c);
	m = &c->vm[c->proc[o->proc].vm];
	if (o->kind == OP_MMAP_OBJ && !pick_object_view(c, o))
		o->kind = OP_MMAP;
	switch (o->kind) {
	case OP_WRITE:
	case OP_READ:
		o->a = page_addr(c, pick_page(c, m, o->kind == OP_WRITE ? VM_PROT_WRITE
									  : VM_PROT_READ)) +
		    rng_below(&c->rng, c->ps);
		r = rng_below(&c->rng, 100);
		if (r < 3)
			o->n = 0;
		else if (r < 55)
			o->n = 1 + rng_below(&c->rng, 256);
		else if (r < 90)
			o->n = 1 + rng_below(&c->rng, 2 * c->ps);
		else
			o->n = 1 + rng_below(&c->rng, MAX_COPY_PAGES * c->ps);
		o->x = rng_next(&c->rng);
		break;
	case OP_MMAP:
	case OP_MMAP_OBJ:
		if (rng_below(&c->rng, 2) == 0) {
			o->flags |= BSDVM_MAPF_FIXED;
			if (rng_below(&c->rng, 4) == 0)
				o->flags |= BSDVM_MAPF_EXCL;
		}
		if (rng_below(&c->rng, 100) < 30)
			o->flags |= BSDVM_MAPF_SHARED;
		if (rng_below(&c->rng, 100) < 10)
			o->flags |= BSDVM_MAPF_NOMERGE;
		o->prot = gen_prot(c);
		if (rng_below(&c->rng, 100) < 92)
			o->max = (bsdvm_prot_t)(o->prot | rng_below(&c->rng, 8));
		else
			o->max = (bsdvm_prot_t)rng_below(&c->rng, 8);
		r = rng_below(&c->rng, 100);
		o->b = (r < 1 ? 0 : r < 75 ? 1 + rng_below(&c->rng, 8) : 1 + rng_below(&c->rng, 48)) *
		    c->ps;
		if (o->kind == OP_MMAP_OBJ)
			o->b = (1 + rng_below(&c->rng, 4)) * c->ps;
		if ((o->flags & BSDVM_MAPF_FIXED) || rng_below(&c->rng, 2) == 0)
			o->a = page_addr(c, rng_below(&c->rng, 100) < 60
				? (int64_t)(c->hot_base + rng_below(&c->rng, c->hot_len))
				: (int64_t)rng_below(&c->rng, c->np + 2) - 1);
		break;
	case OP_MUNMAP:
		gen_range(c, &o->a, &o->b);
		break;
	case OP_PROTECT:
		gen_range(c, &o->a, &o->b);
		o->flags = 1 + (uint32_t)rng_below(&c->rng, 3);
		o->prot = gen_prot(c);
		o->max = (bsdvm_prot_t)rng_below(&c->rng, 8);
		if (rng_below(&c->rng, 3) != 0)
			o->max |= o->prot; /* mostly consistent requests */
		if (rng_below(&c->rng, 300) == 0)
			o->flags = rng_below(&c->rng, 2) ? 0 : 4;
		if (rng_below(&c->rng, 300) == 0)
			o->prot |= 0x10;
		break;
	case OP_INHERIT:
		gen_range(c, &o->a, &o->b);
		o->inh = (bsdvm_inherit_t)rng_below(&c->rng, 4);
		if (c->cfg->cow_heavy && rng_below(&c->rng, 2) == 0)
			o->inh = rng_below(&c->rng, 2) ? VM_INHERIT_SHARE : VM_INHERIT_COPY;
		if (rng_below(&c->rng, 300) == 0)
			o->inh = 4;
		break;
	case OP_WIRE:
	case OP_UNWIRE:
		gen_range(c, &o->a, &o->b);
		o->flags = (uint32_t)rng_below(&c->rng, o->kind == OP_UNWIRE ? 6 : 4);
		if (rng_below(&c->rng, 200) == 0)
			o->flags = (uint32_t)rng_below(&c->rng, 16); /* often invalid */
		if (o->kind == OP_WIRE && o->b > o->a) {
			/* keep wiring within the frame pool: small ranges, bounded total */
			uint64_t npg = (o->b - o->a) / c->ps;

			if (npg > 6) {
				o->b = o->a + 6 * c->ps;
				npg = 6;
			}
			if (model_wired_pages(c) + npg > c->cfg->wire_budget)
				o->b = o->a;
		}
		break;
	case OP_EXEC:
		/* a shared vmspace needs a free slot for the new one */
		if (m->refs > 1 && count_live_vms(c) >= NVM)
			o->kind = OP_EXIT;
		break;
	default:
		break;
	}
	if (op_avoided(c, o)) {
		memset(o, 0, sizeof(*o));
		o->kind = OP_PAGEOUT;
		o->proc = -1;
		o->n = 1;
	}
}

/* ------------------------------------------------------------------ */
/* Runs */

static unsigned lax_flags;
static bool snapshot_reading;

static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static struct ctx *ctx_new(uint64_t seed, uint64_t total, unsigned run, uint64_t nops)
{
	struct bsdvm_sys_params sp = { 0 };
	struct ctx *c = calloc(1, sizeof(*c));
	int rv;

	if (c == NULL)
		exit(2);
	c->cfg = &cfgs[run % NCFG];
	c->seed = seed;
	c->total_ops = total;
	c->run = run;
	c->nops = nops;
	rng_init(&c->rng, mix(seed ^ mix(run + 1) ^ mix(total)));
	c->lax = lax_flags;
	c->snapshot = snapshot_reading;
	c->ps = c->cfg->page;
	c->np = c->cfg->npages;
	c->min = WIN_MIN;
	c->max = WIN_MIN + (bsdvm_addr_t)c->np * c->ps;
	c->buf = malloc((size_t)(MAX_COPY_PAGES + 1) * c->ps);
	if (c->buf == NULL)
		exit(2);
	snprintf(c->desc, sizeof(c->desc), "setup");
	c->live0 = bsdvm_alloc_live_bytes();
	sp.page_size = c->ps;
	sp.frames = c->cfg->frames;
	sp.swap_pages = c->cfg->swap;
	rv = bsdvm_sys_create(&sp, &c->sys);
	CHECK_KERN(rv, KERN_SUCCESS);
	if (rv != KERN_SUCCESS)
		exit(2);
	return c;
}

/* Frees everything; checks that the system is empty and nothing leaked. */
static void ctx_finish(struct ctx *c, struct bsdvm_sys_stats *stp)
{
	struct bsdvm_sys_stats st;
	unsigned i;

	for (i = 0; i < NPROC; i++)
		if (c->proc[i].live)
			proc_drop_vm(c, (int)i);
	bsdvm_sys_get_stats(c->sys, &st);
	if (!c->failed) {
		snprintf(c->desc, sizeof(c->desc), "teardown");
		if (st.anons != 0 || st.amaps != 0 || st.objects != 0 || st.vmspaces != 1 ||
		    st.resident != 0 || st.free != st.frames || st.swap_used != 0 ||
		    st.wired != 0)
			fail(c, "after freeing everything: anons %llu amaps %llu objects %llu"
			    " vmspaces %llu resident %llu free %llu/%llu swap %llu wired %llu",
			    ULL(st.anons), ULL(st.amaps), ULL(st.objects), ULL(st.vmspaces),
			    ULL(st.resident), ULL(st.free), ULL(st.frames), ULL(st.swap_used),
			    ULL(st.wired));
	}
	bsdvm_sys_destroy(c->sys);
	c->sys = NULL;
	if (!c->failed && bsdvm_alloc_live_bytes() != c->live0)
		fail(c, "%lld bytes leaked", (long long)(bsdvm_alloc_live_bytes() - c->live0));
	if (stp != NULL)
		*stp = st;
}

static void ctx_free(struct ctx *c)
{
	free(c->buf);
	free(c);
}

/* Replays ops[0..n) (with keep[i] set) on a fresh system, quietly;
 * returns true when some check fails. */
static bool replay_fails(uint64_t seed, uint64_t total, unsigned run, const struct op *ops,
    size_t n, bool verbose)
{
	struct ctx *c = ctx_new(seed, total, run, n);
	unsigned long saved_passed = tu_passed, saved_failed = tu_failed;
	bool failed;
	size_t i;

	c->quiet = true;
	for (i = 0; i < n && !c->failed; i++) {
		char d[DESC];

		c->opi = i;
		op_desc(c, &ops[i], d, sizeof(d));
		snprintf(c->desc, sizeof(c->desc), "%s", d);
		memcpy(c->ring[i % RING], c->desc, DESC);
		if (!exec_op(c, &ops[i])) {
			if (verbose)
				printf("    (skipped: %s)\n", d);
			continue;
		}
		if (verbose)
			printf("    %zu: %s\n", i, d);
		if (!c->failed)
			check_all(c);
		/* the full checks of the original stream read everything, which
		 * changes what is resident: keep them where they were */
		if (!c->failed && (ops[i].orig + 1) % FULL_EVERY == 0) {
			if (verbose)
				printf("    (full check)\n");
			full_check(c);
		}
	}
	if (!c->failed) {
		snprintf(c->desc, sizeof(c->desc), "full check at the end");
		full_check(c);
	}
	ctx_finish(c, NULL);
	failed = c->failed;
	if (verbose && failed)
		printf("    => %s\n", c->firstmsg);
	ctx_free(c);
	tu_passed = saved_passed;
	tu_failed = saved_failed;
	return failed;
}

/* Delta debugging: drops chunks of operations while the stream still fails. */
static void minimize(uint64_t seed, uint64_t total, unsigned run, struct op *ops, size_t n)
{
	size_t chunk = n / 2, i, tests = 0;

	printf("minimizing %zu operations...\n", n);
	if (!replay_fails(seed, total, run, ops, n, false)) {
		printf("the stream does not fail when replayed; not minimized\n");
		return;
	}
	if (chunk == 0)
		chunk = 1;
	while (chunk >= 1) {
		bool progress = false;

		for (i = 0; i < n;) {
			size_t len = chunk < n - i ? chunk : n - i;
			struct op *trial = malloc((n - len + 1) * sizeof(*trial));

			if (trial == NULL)
				exit(2);
			memcpy(trial, ops, i * sizeof(*ops));
			memcpy(trial + i, ops + i + len, (n - i - len) * sizeof(*ops));
			tests++;
			if (n - len > 0 && replay_fails(seed, total, run, trial, n - len, false)) {
				memcpy(ops, trial, (n - len) * sizeof(*ops));
				n -= len;
				progress = true;
			} else {
				i += len;
			}
			free(trial);
		}
		if (!progress)
			chunk /= 2;
		else if (chunk > n / 2 && n > 1)
			chunk = n / 2;
	}
	printf("minimized to %zu operations (%zu replays); the stream, replayed on a fresh"
	    " system (%s):\n", n, tests, cfgs[run % NCFG].name);
	replay_fails(seed, total, run, ops, n, true);
}

static bool run_one(uint64_t seed, uint64_t total, unsigned run, uint64_t nops, bool trace,
    bool minimize_on_fail)
{
	struct ctx *c = ctx_new(seed, total, run, nops);
	struct bsdvm_sys_stats st;
	struct op *ops = minimize_on_fail ? calloc(nops, sizeof(*ops)) : NULL;
	unsigned i;
	bool ok;

	c->trace = trace;
	for (c->opi = 0; c->opi < nops && !c->failed; c->opi++) {
		struct op o;

		gen_op(c, &o);
		op_desc(c, &o, c->desc, sizeof(c->desc));
		memcpy(c->ring[c->opi % RING], c->desc, DESC);
		if (c->trace) {
			printf("#%llu %s\n", ULL(c->opi), c->desc);
			fflush(stdout);
		}
		o.orig = c->opi;
		if (ops != NULL)
			ops[c->opi] = o;
		if (!exec_op(c, &o)) {
			fail(c, "generated an operation that does not apply");
			break;
		}
		if (!c->failed)
			check_all(c);
		if (!c->failed && (c->opi + 1) % FULL_EVERY == 0)
			full_check(c);
	}
	if (!c->failed) {
		snprintf(c->desc, sizeof(c->desc), "final full check");
		full_check(c);
	}
	ctx_finish(c, &st);
	printf("run %u (%s): %llu ops%s; faults %llu, zero-fills %llu, cow copies %llu,"
	    " takeovers %llu, pageouts %llu, pageins %llu, max swap used %llu, full checks %llu"
	    " (%llu MiB compared), wire shortages %llu, sibling-wired forks %llu\n", run,
	    c->cfg->name,
	    ULL(c->opi < nops ? c->opi : nops), c->failed ? " (STOPPED AT MISMATCH)" : "",
	    ULL(st.faults), ULL(st.zero_fills), ULL(st.cow_copies), ULL(st.cow_takeovers),
	    ULL(st.pageouts), ULL(st.pageins), ULL(c->max_swap), ULL(c->full_checks),
	    ULL(c->bytes_compared >> 20), ULL(c->wire_shortage), ULL(c->sibling_wired_forks));
	for (i = 0; i < OP_NKINDS; i++) {
		int k;

		printf("    %-8s", op_names[i]);
		for (k = 0; k <= KERN_WOULD_BLOCK; k++)
			if (c->codes[i][k] != 0)
				printf(" %s %llu", bsdvm_kern_name(k) + 5, ULL(c->codes[i][k]));
		printf("\n");
	}
	fflush(stdout);
	ok = !c->failed;
	CHECK(ok);
	if (!ok && ops != NULL)
		minimize(seed, total, run, ops, (size_t)(c->opi < nops ? c->opi : nops));
	free(ops);
	ctx_free(c);
	return ok;
}

static bool env_on(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' && *v != '0';
}

static unsigned parse_lax(const char *v)
{
	unsigned f = 0;

	if (v == NULL)
		return 0;
	if (strstr(v, "all") != NULL)
		f |= LAX_ALL;
	if (strstr(v, "wired-cow") != NULL)
		f |= LAX_WIRED_COW;
	if (strstr(v, "shared-promote") != NULL)
		f |= LAX_SHARED_PROMOTE;
	if (strstr(v, "unwire-none") != NULL)
		f |= LAX_UNWIRE_NONE;
	return f;
}

int main(int argc, char **argv)
{
	uint64_t seed = test_seed(argc, argv, 20240611);
	const char *env = getenv("BSDVM_MEM_PROPERTY_OPS");
	const char *only = getenv("BSDVM_MEM_PROPERTY_ONLY");
	uint64_t total = DEFAULT_OPS;
	unsigned run, nruns = NCFG;

	if (argc > 2)
		total = strtoull(argv[2], NULL, 0);
	else if (env != NULL && *env != '\0')
		total = strtoull(env, NULL, 0);
	if (total < 6)
		total = 6;
	lax_flags = parse_lax(getenv("BSDVM_MEM_PROPERTY_LAX"));
	{
		const char *sc = getenv("BSDVM_MEM_PROPERTY_SHARED_COPY");

		snapshot_reading = sc != NULL && strcmp(sc, "snapshot") == 0;
		if (snapshot_reading)
			printf("reading: a shared mapping inherited COPY is copied at the fork\n");
	}
	if (lax_flags & LAX_UNWIRE_NONE)
		printf("lax unwire-none: no unwire over wired memory with protection none\n");
	if (lax_flags & LAX_WIRED_COW)
		printf("lax wired-cow: no wire over accessible memory without write permission\n");
	if (lax_flags & LAX_SHARED_PROMOTE)
		printf("lax shared-promote: no first write to a shared copy-on-write view of an"
		    " object page\n");
	printf("%llu operations in %u runs\n", ULL(total), nruns);
	for (run = 0; run < nruns; run++) {
		if (only != NULL && *only != '\0' && strtoul(only, NULL, 0) != run)
			continue;
		run_one(seed, total, run, total * cfgs[run].share / 6,
		    env_on("BSDVM_MEM_PROPERTY_TRACE"), env_on("BSDVM_MEM_PROPERTY_MINIMIZE"));
	}
	return test_main_exit("test_mem_property");
}
