/*
 * fuzz_vm.c - a libFuzzer target for the memory layer and the map engine
 * under it, checked against a reference model after every operation.
 *
 * The input is decoded into a stream of operations over up to FZ_NVM
 * vmspaces of one small system (FRAMES frames, SWAP swap slots, windows
 * of WIN_PAGES pages), so that pages are paged out and in all the time.
 * After every operation the return code (and address, byte count, bytes
 * read) must be the model's (model_vm.c), vm_map_check() must hold for
 * every map, every page's attributes and wiring must be the model's, every
 * wired page must be resident, the stack bookkeeping, limits, reference
 * counts and statistics must add up; the full-check operation and the end
 * of the input read every readable page back, and a pager's store must
 * hold its object's bytes after a sync and when the object dies.  At the
 * end everything is freed: the system must be empty and nothing may leak.  A mismatch prints the operations
 * so far and calls abort(), so that libFuzzer keeps the input.
 *
 * The input format (fuzz/README.md has it in full): byte 0 configures the
 * system (page size, growth step, stack guard, the first vmspace's flags);
 * then each operation is an opcode byte (taken modulo NOPCODES through
 * op_table), a selector byte (the vmspace in bits 0-1, option bits in
 * 2-7) and a fixed number of argument bytes for that kind.  Missing bytes
 * read as 0; the input ends at the first missing opcode.
 *
 * Built with -DFUZZING it is a libFuzzer target (fuzz/run.sh); without it
 * main() replays input files or directories of them (the regression test
 * tests/test_fuzz_regress.c builds it that way).
 *
 * Environment: BSDVM_FUZZ_TRACE=1  print every operation as it runs
 *              BSDVM_FUZZ_LAX      comma-separated known disagreements to
 *                  look past (lax_names below, "all" for every one; unset
 *                  or "none": none).
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#endif
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <bsdvm/vmspace.h>

#include "model_vm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WIN_MIN ((bsdvm_addr_t)0x100000)
#define WIN_PAGES 128
#define FRAMES 32
#define SWAP 1024
#define MAX_COPY_PAGES 8
#define WIRE_BUDGET 12
#define MAX_REFS 4
#define MAX_OPS 4096

#define ULL(x) ((unsigned long long)(x))

/*
 * Disagreements the fuzzer can be told to look past (BSDVM_FUZZ_LAX), so
 * that a known one does not hide the next: those test_mem_property found
 * (BSDVM_MEM_PROPERTY_LAX).  The library has since settled the first two
 * (bsdvm_map_wire(3): unwiring treats memory wired before it lost all
 * access as wired; wiring resolves copy-on-write whenever the maximum
 * protection allows writing) and the third was not seen again, so none is
 * looked past by default.  One the fuzzer finds gets a switch here while
 * it is open.
 */
#define LAX_UNWIRE_NONE   0x1u /* no unwire over wired memory with protection none */
#define LAX_SIBLING_WIRED 0x2u /* no fork copying private memory a wired sibling shares */
#define LAX_WIRED_COW     0x4u /* no wire over accessible memory without write */
#define LAX_DEFAULT       0u

static const struct {
	const char *name;
	unsigned bit;
} lax_names[] = {
	{ "unwire-none", LAX_UNWIRE_NONE },
	{ "sibling-wired", LAX_SIBLING_WIRED },
	{ "wired-cow", LAX_WIRED_COW },
};

/* ------------------------------------------------------------------ */
/* Operations */

enum op_kind {
	OP_WRITE, OP_READ, OP_MMAP, OP_MAPENG, OP_UNMAP, OP_PROTECT, OP_INHERIT, OP_MADVISE,
	OP_FINDSPACE, OP_WIRE, OP_UNWIRE, OP_FORK, OP_EXEC, OP_FREE, OP_REF, OP_CREATE,
	OP_STACK, OP_GROW, OP_FAULT, OP_PAGEOUT, OP_CHECKPROT, OP_FULLCHECK, OP_FAILAT,
	OP_LIMITS, OP_STACKINFO, OP_OBJ, OP_MMAPOBJ, OP_SYNC, OP_NKINDS
};

static const char *const op_names[OP_NKINDS] = {
	"write", "read", "mmap", "map", "unmap", "protect", "inherit", "madvise",
	"findspace", "wire", "unwire", "fork", "exec", "free", "ref", "create",
	"stack", "grow", "fault", "pageout", "checkprot", "fullcheck", "failat", "limits",
	"stackinfo", "object", "mmap-object", "sync",
};

/* opcode byte % NOPCODES -> kind; the repetitions are the weights */
static const uint8_t op_table[] = {
	OP_WRITE, OP_WRITE, OP_WRITE, OP_READ, OP_READ, OP_READ, OP_MMAP, OP_MMAP,         /* 0-7 */
	OP_MMAP, OP_MMAP, OP_MAPENG, OP_MAPENG, OP_UNMAP, OP_UNMAP, OP_PROTECT, OP_PROTECT, /* 8-15 */
	OP_PROTECT, OP_INHERIT, OP_MADVISE, OP_FINDSPACE, OP_WIRE, OP_WIRE, OP_UNWIRE,      /* 16-22 */
	OP_UNWIRE, OP_FORK, OP_EXEC, OP_FREE, OP_REF, OP_CREATE, OP_STACK, OP_STACK,        /* 23-30 */
	OP_GROW, OP_FAULT, OP_FAULT, OP_PAGEOUT, OP_PAGEOUT, OP_CHECKPROT, OP_FULLCHECK,    /* 31-37 */
	OP_WRITE, OP_READ, OP_FAILAT, OP_FAILAT, OP_LIMITS, OP_STACKINFO,                   /* 38-43 */
	OP_OBJ, OP_MMAPOBJ, OP_MMAPOBJ, OP_OBJ, OP_SYNC,                                    /* 44-48 */
};
#define NOPCODES (sizeof(op_table) / sizeof(op_table[0]))

/* ------------------------------------------------------------------ */
/* State */

struct input {
	const uint8_t *p;
	size_t n, i;
};

struct fz {
	struct fz_model m;
	struct bsdvm_sys *sys;
	bsdvm_size_t ps;
	uint8_t cfg;
	unsigned lax;
	bool trace;
	bool stop;         /* legitimately out of memory: end the input */
	unsigned failat;   /* the next operation's k-th allocation fails (0: none) */
	bool armed;        /* ... and this one's does */
	uint64_t failures0;/* bsdvm_alloc_failures() when armed */
	unsigned opi;
	char desc[320];
	char *log;
	size_t loglen, logcap;
	uint8_t *buf, *exp;
	int64_t live0;
	struct fz_pager *pagers[FZ_NOBJ]; /* the pagers of the objects held */
	bool pinning;      /* a pager's store ended inside its object */
};

static uint8_t u8(struct input *in)
{
	return in->i < in->n ? in->p[in->i++] : 0;
}

static void log_add(struct fz *f, const char *s)
{
	size_t len = strlen(s);

	if (f->loglen + len + 2 > f->logcap) {
		size_t cap = f->logcap != 0 ? f->logcap * 2 : 4096;
		char *n;

		while (cap < f->loglen + len + 2)
			cap *= 2;
		n = realloc(f->log, cap);
		if (n == NULL)
			abort();
		f->log = n;
		f->logcap = cap;
	}
	memcpy(f->log + f->loglen, s, len);
	f->loglen += len;
	f->log[f->loglen++] = '\n';
	f->log[f->loglen] = '\0';
}

static void describe(struct fz *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void describe(struct fz *f, const char *fmt, ...)
{
	va_list ap;
	int k = snprintf(f->desc, sizeof(f->desc), "#%u ", f->opi);

	va_start(ap, fmt);
	vsnprintf(f->desc + k, sizeof(f->desc) - (size_t)k, fmt, ap);
	va_end(ap);
}

static void fail(struct fz *f, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void fail(struct fz *f, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n*** bsdvm fuzz MISMATCH (config 0x%02x: page %llu, guard %llu,"
	    " growth step %llu, %d frames, %d swap)\n", f->cfg, ULL(f->ps), ULL(f->m.guard),
	    ULL(f->m.sgrow), FRAMES, SWAP);
	fprintf(stderr, "operations before it:\n%s", f->log != NULL ? f->log : "");
	fprintf(stderr, "failing operation: %s\n    ", f->desc);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
	abort();
}

static const char *kname(int rv)
{
	return bsdvm_kern_name(rv) + 5; /* without "KERN_" */
}

static void expect(struct fz *f, int got, int want)
{
	if (got != want)
		fail(f, "library returned %s, model expects %s", bsdvm_kern_name(got),
		    bsdvm_kern_name(want));
}

static void done_op(struct fz *f, const char *result);

/*
 * Did the allocation failure injected into this operation make it fail?
 * Then it must have changed nothing: the model is left as it is, and the
 * checks after the operation compare the library with it.
 */
static bool injected(struct fz *f, int rv)
{
	if (!f->armed || rv != KERN_RESOURCE_SHORTAGE || bsdvm_alloc_failures() == f->failures0)
		return false;
	done_op(f, "RESOURCE_SHORTAGE (injected allocation failure)");
	return true;
}

/* Records the op just run in the log (and prints it when tracing). */
static void done_op(struct fz *f, const char *result)
{
	char line[400];

	snprintf(line, sizeof(line), "%s -> %s", f->desc, result);
	log_add(f, line);
	if (f->trace) {
		printf("%s\n", line);
		fflush(stdout);
	}
}

static char *prot_str(bsdvm_prot_t p, char *s)
{
	s[0] = (p & VM_PROT_READ) ? 'r' : '-';
	s[1] = (p & VM_PROT_WRITE) ? 'w' : '-';
	s[2] = (p & VM_PROT_EXECUTE) ? 'x' : '-';
	s[3] = (p & ~VM_PROT_ALL) ? '!' : '\0';
	s[4] = '\0';
	return s;
}

/* ------------------------------------------------------------------ */
/* Decoding arguments */

/* An address from one byte: mostly pages in or just around the window. */
static bsdvm_addr_t dec_page(const struct fz *f, uint8_t b)
{
	if (b == 255)
		return (bsdvm_addr_t)0 - f->ps; /* the top page of the 64-bit space */
	if (b == 254)
		return 0;
	return WIN_MIN + (bsdvm_addr_t)((int64_t)(b % 140) - 6) * f->ps;
}

/* A length in pages from one byte. */
static bsdvm_size_t dec_npages(uint8_t b)
{
	if (b < 128)
		return b & 15;
	if (b < 224)
		return (bsdvm_size_t)(b - 128) + 16;
	if (b == 255)
		return (bsdvm_size_t)1 << 50; /* far more than any window */
	return (bsdvm_size_t)(b - 224) * 8;
}

/* [*s, *e) from two bytes: a page and a length; length byte 254 reverses
 * the range, 253 makes its start unaligned. */
static void dec_range(const struct fz *f, struct input *in, bsdvm_addr_t *s, bsdvm_addr_t *e)
{
	uint8_t p = u8(in), l = u8(in);

	*s = dec_page(f, p);
	if (l == 254) {
		*e = *s - f->ps;
	} else if (l == 253) {
		*e = *s + f->ps;
		*s += 512;
	} else {
		*e = *s + dec_npages(l) * f->ps;
	}
}

/* prot and max from one byte: bits 0-2 prot, 3-5 max; bits 6-7: 2 takes
 * them as they are, 3 adds a bit that is no protection, else max includes
 * prot (mostly consistent requests). */
static void dec_prot(uint8_t b, bsdvm_prot_t *prot, bsdvm_prot_t *max)
{
	*prot = (bsdvm_prot_t)(b & 7);
	*max = (bsdvm_prot_t)((b >> 3) & 7);
	if ((b >> 6) == 3)
		*prot |= 0x10;
	else if ((b >> 6) != 2)
		*max |= *prot;
}

/* A byte offset inside a page. */
static bsdvm_size_t dec_off(const struct fz *f, uint8_t b)
{
	return (bsdvm_size_t)b * (f->ps >> 8) + (b & 7);
}

/* A copy length from one byte: mostly short, up to MAX_COPY_PAGES pages. */
static size_t dec_len(const struct fz *f, uint8_t b)
{
	if (b < 128)
		return b;
	if (b < 224)
		return (size_t)(b - 127) * 97;
	return (size_t)(b - 223) * (size_t)f->ps / 4;
}

/*
 * The default platform, except that the big zeroed blocks (the swap
 * store) come straight from mmap: calloc would clear megabytes for every
 * input, most of which no input touches.
 */
#define BIG_ALLOC ((size_t)1 << 20)
#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS MAP_ANON
#endif

static const struct bsdvm_platform *plat_default;
static struct bsdvm_platform plat_fuzz;

static void *fz_alloc(void *ctx, size_t size)
{
	void *p;

	if (size < BIG_ALLOC)
		return plat_default->alloc(ctx, size);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void fz_free(void *ctx, void *ptr, size_t size)
{
	if (size < BIG_ALLOC)
		plat_default->free(ctx, ptr, size);
	else if (ptr != NULL)
		munmap(ptr, size);
}

static const struct bsdvm_platform *fuzz_platform(void)
{
	if (plat_default == NULL) {
		plat_default = bsdvm_platform_default();
		plat_fuzz = *plat_default;
		plat_fuzz.alloc = fz_alloc;
		plat_fuzz.free = fz_free;
	}
	return &plat_fuzz;
}

static int pick_vm(const struct fz *f, uint8_t sel)
{
	int k, vi = sel & 3;

	for (k = 0; k < FZ_NVM; k++) {
		int j = (vi + k) % FZ_NVM;

		if (f->m.vm[j].live)
			return j;
	}
	return -1;
}

static int free_slot(const struct fz *f)
{
	int k;

	for (k = 0; k < FZ_NVM; k++)
		if (!f->m.vm[k].live)
			return k;
	return -1;
}

static unsigned live_vms(const struct fz *f)
{
	unsigned n = 0;
	int k;

	for (k = 0; k < FZ_NVM; k++)
		n += f->m.vm[k].live;
	return n;
}

static struct vm_map *vmap(struct fz *f, int vi)
{
	return bsdvm_vmspace_map(f->m.vm[vi].vm);
}

/*
 * Out of frames and swap is the input's doing, not a bug: stop it.  So is
 * running out of frames once a pager's store ends inside its object: a
 * page reaching past the store is never evicted (bsdvm/vmspace.h), clean
 * or not, so every such page touched holds a frame until the object dies.
 */
static bool out_of_memory(struct fz *f, int rv)
{
	struct bsdvm_sys_stats st;

	if (rv != KERN_RESOURCE_SHORTAGE)
		return false;
	bsdvm_sys_get_stats(f->sys, &st);
	if (st.swap_used < st.swap_total && !f->pinning)
		return false;
	f->stop = true;
	done_op(f, st.swap_used < st.swap_total ?
	    "RESOURCE_SHORTAGE (frames held by pages past a pager's store: input ends)" :
	    "RESOURCE_SHORTAGE (swap full: input ends)");
	return true;
}

/* ------------------------------------------------------------------ */
/* Checks */

struct walk {
	struct fz *f;
	int vi;
	bsdvm_size_t next;
};

static void page_mismatch(struct fz *f, int vi, bsdvm_size_t k, const struct bsdvm_region *r,
    const char *what)
{
	const struct fz_vm *v = &f->m.vm[vi];
	const struct model_page *a = &v->mm.pages[k];
	const struct fz_page *p = &v->pg[k];
	char s1[5], s2[5], s3[5], s4[5];

	if (r == NULL)
		fail(f, "vm%d page %#llx: library has no mapping, model has %s/%s inh %u adv %u"
		    " eflags %#x wired %d%s", vi, ULL(model_addr(&v->mm, k)), prot_str(a->prot, s1),
		    prot_str(a->maxprot, s2), a->inherit, a->advice, a->eflags, (int)p->wired,
		    p->uwired ? "u" : "");
	if (!a->mapped)
		fail(f, "vm%d page %#llx: library maps [%#llx,%#llx) %s/%s eflags %#x, model has"
		    " nothing", vi, ULL(model_addr(&v->mm, k)), ULL(r->start), ULL(r->end),
		    prot_str(r->protection, s1), prot_str(r->max_protection, s2), r->eflags);
	fail(f, "vm%d page %#llx (%s) in library entry [%#llx,%#llx): library %s/%s inh %u adv %u"
	    " eflags %#x obj %p off %#llx wired %d; model %s/%s inh %u adv %u eflags %#x%s obj %p"
	    " off %#llx wired %d", vi, ULL(model_addr(&v->mm, k)), what, ULL(r->start),
	    ULL(r->end), prot_str(r->protection, s1), prot_str(r->max_protection, s2),
	    r->inheritance, r->advice, r->eflags, (void *)r->object, ULL(r->offset),
	    (int)r->wired_count, prot_str(a->prot, s3), prot_str(a->maxprot, s4), a->inherit,
	    a->advice, a->eflags, p->uwired ? "+USER_WIRED" : "", (void *)a->object,
	    ULL(a->offset), (int)p->wired);
}

static int walk_one(void *arg, const struct bsdvm_region *r)
{
	struct walk *w = arg;
	struct fz *f = w->f;
	const struct fz_vm *v = &f->m.vm[w->vi];
	bsdvm_size_t k, first, last;

	if (r->start < v->mm.min || r->end > v->mm.max || r->start >= r->end ||
	    ((r->start | r->end) & (f->ps - 1)) != 0)
		fail(f, "vm%d: entry [%#llx,%#llx) outside the window or malformed", w->vi,
		    ULL(r->start), ULL(r->end));
	first = model_index(&v->mm, r->start);
	last = model_index(&v->mm, r->end);
	if (first < w->next)
		fail(f, "vm%d: entries out of order at %#llx", w->vi, ULL(r->start));
	for (k = w->next; k < first; k++)
		if (v->mm.pages[k].mapped)
			page_mismatch(f, w->vi, k, NULL, "");
	for (k = first; k < last; k++) {
		const struct model_page *a = &v->mm.pages[k];
		const struct fz_page *p = &v->pg[k];
		uint32_t want = a->eflags | (p->uwired ? MAP_ENTRY_USER_WIRED : 0);
		bsdvm_addr_t addr = model_addr(&v->mm, k);

		if (!a->mapped)
			page_mismatch(f, w->vi, k, r, "");
		if (r->protection != a->prot || r->max_protection != a->maxprot)
			page_mismatch(f, w->vi, k, r, "protection");
		if (r->inheritance != a->inherit)
			page_mismatch(f, w->vi, k, r, "inheritance");
		if (r->advice != a->advice)
			page_mismatch(f, w->vi, k, r, "advice");
		if ((r->eflags & ~MAP_ENTRY_NEEDS_COPY) != (want & ~MAP_ENTRY_NEEDS_COPY))
			page_mismatch(f, w->vi, k, r, "eflags");
		if (r->object != a->object)
			page_mismatch(f, w->vi, k, r, "object");
		if (a->object != NULL && r->offset + (addr - r->start) != a->offset)
			page_mismatch(f, w->vi, k, r, "object offset");
		if (a->object == NULL && !(a->eflags & MAP_ENTRY_GUARD) && r->offset != 0)
			page_mismatch(f, w->vi, k, r, "offset");
		if (r->wired_count != p->wired)
			page_mismatch(f, w->vi, k, r, "wired count");
	}
	w->next = last;
	return 0;
}

static void check_vm(struct fz *f, int vi)
{
	struct fz_vm *v = &f->m.vm[vi];
	struct vm_map *map = vmap(f, vi);
	struct walk w = { f, vi, 0 };
	struct bsdvm_stackinfo si;
	struct bsdvm_rlimits lim;
	char why[256];
	bsdvm_size_t k;

	if (!vm_map_check(map)) {
		bsdvm_map_check(map, why, sizeof(why));
		fail(f, "vm_map_check of vm%d: %s", vi, why);
	}
	if (bsdvm_vmspace_refcount(v->vm) != v->refs)
		fail(f, "vm%d: refcount %u, model %u", vi, bsdvm_vmspace_refcount(v->vm), v->refs);
	bsdvm_vmspace_get_stackinfo(v->vm, &si);
	if (si.ssize != v->si.ssize || si.maxsaddr != v->si.maxsaddr ||
	    si.stacktop != v->si.stacktop)
		fail(f, "vm%d: stack bookkeeping ssize %#llx maxsaddr %#llx stacktop %#llx, model"
		    " %#llx %#llx %#llx", vi, ULL(si.ssize), ULL(si.maxsaddr), ULL(si.stacktop),
		    ULL(v->si.ssize), ULL(v->si.maxsaddr), ULL(v->si.stacktop));
	bsdvm_vmspace_get_limits(v->vm, &lim);
	if (lim.stack != v->lim.stack || lim.vmem != v->lim.vmem || lim.memlock != v->lim.memlock)
		fail(f, "vm%d: limits stack %#llx vmem %#llx memlock %#llx, model %#llx %#llx %#llx",
		    vi, ULL(lim.stack), ULL(lim.vmem), ULL(lim.memlock), ULL(v->lim.stack),
		    ULL(v->lim.vmem), ULL(v->lim.memlock));
	if (bsdvm_map_min(map) != v->mm.min || bsdvm_map_max(map) != v->mm.max)
		fail(f, "vm%d: window [%#llx,%#llx), model [%#llx,%#llx)", vi,
		    ULL(bsdvm_map_min(map)), ULL(bsdvm_map_max(map)), ULL(v->mm.min),
		    ULL(v->mm.max));
	bsdvm_map_foreach(map, walk_one, &w);
	for (k = w.next; k < v->mm.npages; k++)
		if (v->mm.pages[k].mapped)
			page_mismatch(f, vi, k, NULL, "");
	for (k = 0; k < v->mm.npages; k++)
		if (v->mm.pages[k].mapped && v->pg[k].wired > 0 &&
		    !bsdvm_vmspace_resident(v->vm, model_addr(&v->mm, k)))
			fail(f, "vm%d page %#llx is wired but not resident", vi,
			    ULL(model_addr(&v->mm, k)));
}

static void check_all(struct fz *f)
{
	struct bsdvm_sys_stats st;
	uint64_t mw;
	int k;

	for (k = 0; k < FZ_NVM; k++)
		if (f->m.vm[k].live)
			check_vm(f, k);
	bsdvm_sys_get_stats(f->sys, &st);
	mw = fzm_wired_pages(&f->m);
	if (st.wired > mw)
		fail(f, "%llu frames wired, but the model has only %llu wired pages", ULL(st.wired),
		    ULL(mw));
	if (st.vmspaces != live_vms(f) + 1)
		fail(f, "stats: %llu vmspaces, model %u + the kernel's", ULL(st.vmspaces),
		    live_vms(f));
	if (st.free + st.resident != st.frames || st.swap_used > st.swap_total)
		fail(f, "stats: free %llu + resident %llu != frames %llu, or swap %llu/%llu",
		    ULL(st.free), ULL(st.resident), ULL(st.frames), ULL(st.swap_used),
		    ULL(st.swap_total));
}

/* Reads every readable page of every vmspace back. */
static void full_check(struct fz *f)
{
	int vi;

	for (vi = 0; vi < FZ_NVM; vi++) {
		struct fz_vm *v = &f->m.vm[vi];
		bsdvm_size_t k;

		if (!v->live)
			continue;
		for (k = 0; k < v->mm.npages; k++) {
			const struct model_page *a = &v->mm.pages[k];
			bsdvm_addr_t addr = model_addr(&v->mm, k);
			const uint8_t *want;
			size_t done = 12345, j;
			int rv;

			if (!a->mapped || (a->eflags & MAP_ENTRY_GUARD) || !(a->prot & VM_PROT_READ))
				continue;
			want = fzm_page_bytes(&f->m, vi, k);
			rv = bsdvm_copyin(v->vm, addr, f->buf, f->ps, &done);
			if (want != NULL && out_of_memory(f, rv))
				return;
			if (want == NULL && (rv != KERN_INVALID_ADDRESS || done != 0))
				fail(f, "full check: copyin of vm%d page %#llx, beyond the end of its"
				    " object, returned %s done %zu", vi, ULL(addr), bsdvm_kern_name(rv),
				    done);
			if (want == NULL)
				continue;
			if (rv != KERN_SUCCESS || done != f->ps)
				fail(f, "full check: copyin of vm%d page %#llx returned %s done %zu,"
				    " model SUCCESS", vi, ULL(addr), bsdvm_kern_name(rv), done);
			if (memcmp(want, f->buf, f->ps) != 0) {
				for (j = 0; want[j] == f->buf[j]; j++)
					;
				fail(f, "full check: vm%d byte %#llx: library 0x%02x, model 0x%02x", vi,
				    ULL(addr + j), f->buf[j], want[j]);
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* Executing operations */

static void fill_bytes(uint8_t *p, size_t n, uint64_t seed)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((i & 7) == 0) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
		}
		p[i] = (uint8_t)((x * 0x2545F4914F6CDD1Dull) >> ((i & 7) * 8));
	}
}

static void op_access(struct fz *f, struct input *in, int vi, uint8_t sel, bool write)
{
	bsdvm_addr_t va = dec_page(f, u8(in));
	size_t len, done = 99999, wdone = 0, j;
	uint8_t o = u8(in), l = u8(in), d = write ? u8(in) : 0;
	char res[64];
	int rv, want;

	va += dec_off(f, o);
	len = dec_len(f, l);
	(void)sel;
	describe(f, "%s vm%d va %#llx len %zu", write ? "write" : "read", vi, ULL(va), len);
	if (write) {
		fill_bytes(f->buf, len, (uint64_t)d << 16 | f->opi);
		memcpy(f->exp, f->buf, len);
		rv = bsdvm_copyout(f->m.vm[vi].vm, f->buf, va, len, &done);
	} else {
		memset(f->buf, 0xA5, len);
		rv = bsdvm_copyin(f->m.vm[vi].vm, va, f->buf, len, &done);
	}
	want = fzm_access(&f->m, vi, va, f->exp, len, write, &wdone);
	if (want != KERN_RESOURCE_SHORTAGE && out_of_memory(f, rv))
		return;
	expect(f, rv, want);
	if (done != wdone)
		fail(f, "%zu bytes moved, model %zu", done, wdone);
	if (!write && memcmp(f->buf, f->exp, done) != 0) {
		for (j = 0; f->buf[j] == f->exp[j]; j++)
			;
		fail(f, "read: byte %#llx: library 0x%02x, model 0x%02x", ULL(va + j), f->buf[j],
		    f->exp[j]);
	}
	snprintf(res, sizeof(res), "%s done %zu", kname(rv), done);
	done_op(f, res);
}

static void op_mmap(struct fz *f, struct input *in, int vi, uint8_t sel)
{
	uint32_t flags = 0;
	bsdvm_prot_t prot, max;
	bsdvm_addr_t addr, maddr, orig;
	bsdvm_size_t len;
	struct vm_object *obj = NULL;
	struct bsdvm_region r;
	uint8_t pb = u8(in), ab = u8(in), lb = u8(in);
	char s1[5], s2[5], res[64];
	int rv, want;

	if (sel & 0x04)
		flags |= BSDVM_MAPF_FIXED;
	if ((sel & 0x0c) == 0x0c)
		flags |= BSDVM_MAPF_EXCL;
	if (sel & 0x10)
		flags |= BSDVM_MAPF_SHARED;
	if (sel & 0x20)
		flags |= BSDVM_MAPF_NOMERGE;
	if ((sel & 0xcc) == 0xc8)
		flags |= BSDVM_MAPF_EXCL; /* without FIXED */
	else if ((sel & 0xcc) == 0xcc)
		flags |= 0x10; /* not a flag */
	dec_prot(pb, &prot, &max);
	addr = (flags & BSDVM_MAPF_FIXED) || (sel & 0x40) ? dec_page(f, ab) : 0;
	len = dec_npages(lb) * f->ps;
	if (lb == 254)
		len = f->ps / 2; /* not a page multiple */
	describe(f, "mmap vm%d addr %#llx len %#llx prot %s max %s flags %#x%s%s%s%s", vi,
	    ULL(addr), ULL(len), prot_str(prot, s1), prot_str(max, s2), flags,
	    (flags & BSDVM_MAPF_FIXED) ? " FIXED" : "", (flags & BSDVM_MAPF_EXCL) ? " EXCL" : "",
	    (flags & BSDVM_MAPF_SHARED) ? " SHARED" : "",
	    (flags & BSDVM_MAPF_NOMERGE) ? " NOMERGE" : "");
	maddr = orig = addr;
	rv = bsdvm_vmspace_mmap(f->m.vm[vi].vm, &addr, len, prot, max, flags, NULL, 0);
	if (injected(f, rv)) {
		if (addr != orig)
			fail(f, "a failed mmap changed *addrp to %#llx", ULL(addr));
		return;
	}
	if (rv == KERN_SUCCESS && (flags & BSDVM_MAPF_SHARED) && bsdvm_map_query(vmap(f, vi), addr, &r))
		obj = r.object;
	else if (flags & BSDVM_MAPF_SHARED)
		obj = (struct vm_object *)(uintptr_t)0x1000; /* stands for the object */
	want = fzm_mmap(&f->m, vi, &maddr, len, prot, max, flags, obj, -1, 0);
	expect(f, rv, want);
	if (rv != KERN_SUCCESS && addr != orig)
		fail(f, "a failed mmap changed *addrp to %#llx", ULL(addr));
	if (rv == KERN_SUCCESS && addr != maddr)
		fail(f, "mapped at %#llx, model %#llx", ULL(addr), ULL(maddr));
	snprintf(res, sizeof(res), "%s at %#llx", kname(rv), ULL(addr));
	done_op(f, res);
}

/* eflags a direct engine insert asks for */
static const uint32_t eng_eflags[8] = {
	0,
	MAP_ENTRY_NOMERGE,
	MAP_ENTRY_UNSPLITTABLE,
	MAP_ENTRY_GUARD,
	MAP_ENTRY_UNSPLITTABLE | MAP_ENTRY_NOMERGE,
	MAP_ENTRY_GUARD | MAP_ENTRY_UNSPLITTABLE,
	0x00800000u, /* not an entry flag */
	MAP_ENTRY_GUARD | MAP_ENTRY_STACK_GAP_DN, /* a gap without a stack, for now */
};

/* bsdvm_space_req fields from three bytes (align, align_offset, max_end). */
static void dec_req(const struct fz *f, struct bsdvm_space_req *req, uint8_t ab, uint8_t ob,
    uint8_t mb)
{
	unsigned sh = ab & 7;

	if (sh == 0)
		req->align = 0;
	else if (sh == 7)
		req->align = 3 * f->ps; /* not a power of two */
	else
		req->align = f->ps << (sh - 1);
	req->align_offset = (bsdvm_addr_t)(ob & 63) * f->ps;
	if ((ob & 0xc0) == 0xc0)
		req->align_offset += 512; /* unaligned */
	else if (req->align != 0 && !(ob & 0x80))
		req->align_offset &= req->align - 1;
	req->max_end = mb == 0 ? 0 : dec_page(f, mb);
}

static void op_mapeng(struct fz *f, struct input *in, int vi, uint8_t sel)
{
	static const char *const hows[] = { "insert", "fixed", "find" };
	int how = (sel >> 2) & 3;
	struct bsdvm_entry_attrs a;
	struct bsdvm_space_req req;
	bsdvm_addr_t s, e, addr = 0, maddr = 0;
	uint8_t pb = u8(in), ib = u8(in);
	uint8_t xa, xo, xm, xd;
	char s1[5], s2[5], res[64];
	int rv, want;

	if (how == 3)
		how = FZ_MAP_FIND;
	memset(&a, 0, sizeof(a));
	memset(&req, 0, sizeof(req));
	dec_prot(pb, &a.prot, &a.maxprot);
	a.eflags = eng_eflags[(sel >> 5) & 7];
	if ((a.eflags & MAP_ENTRY_GUARD) && !(pb & 0x80))
		a.prot = a.maxprot = VM_PROT_NONE; /* mostly a well-formed guard */
	a.inherit = (bsdvm_inherit_t)(ib & 3);
	a.advice = (uint8_t)((ib >> 2) & 3); /* 3 is not an entry advice */
	if (ib & 0x10)
		a.eflags |= MAP_ENTRY_NOSYNC;
	if (ib & 0x20)
		a.eflags |= MAP_ENTRY_NOCOREDUMP;
	if ((ib & 0xc0) == 0xc0)
		a.inherit = 4; /* not an inheritance */
	dec_range(f, in, &s, &e);
	xa = u8(in);
	xo = u8(in);
	xm = u8(in);
	xd = u8(in);
	if (how == FZ_MAP_FIND) {
		dec_req(f, &req, xa, xo, xm);
		req.length = e >= s ? e - s : f->ps / 2;
		req.flags = xd & 3;
		addr = maddr = (xd & 4) ? s : 0;
	}
	describe(f, "map(%s) vm%d [%#llx,%#llx) prot %s max %s inh %u adv %u eflags %#x"
	    " req{align %#llx off %#llx max_end %#llx flags %u hint %#llx}", hows[how], vi,
	    ULL(s), ULL(e), prot_str(a.prot, s1), prot_str(a.maxprot, s2), a.inherit, a.advice,
	    a.eflags, ULL(req.align), ULL(req.align_offset), ULL(req.max_end), req.flags,
	    ULL(addr));
	switch (how) {
	case FZ_MAP_INSERT:
		rv = bsdvm_map_insert(vmap(f, vi), s, e, &a);
		break;
	case FZ_MAP_FIXED:
		rv = bsdvm_map_fixed(vmap(f, vi), s, e, &a);
		break;
	default:
		rv = bsdvm_map_find(vmap(f, vi), &req, &a, &addr);
		break;
	}
	if (injected(f, rv))
		return;
	want = fzm_map(&f->m, vi, how, s, e, &req, &a, &maddr);
	expect(f, rv, want);
	if (how == FZ_MAP_FIND && addr != maddr)
		fail(f, "find: address %#llx, model %#llx", ULL(addr), ULL(maddr));
	snprintf(res, sizeof(res), "%s", kname(rv));
	if (how == FZ_MAP_FIND && rv == KERN_SUCCESS)
		snprintf(res, sizeof(res), "SUCCESS at %#llx", ULL(addr));
	done_op(f, res);
}

static void op_findspace(struct fz *f, struct input *in, int vi, uint8_t sel)
{
	struct bsdvm_space_req req;
	bsdvm_addr_t s, e, addr = 0xdead000, maddr = 0xdead000;
	uint8_t xa = u8(in), xo = u8(in), xm = u8(in);
	char res[64];
	int rv, want;

	memset(&req, 0, sizeof(req));
	dec_range(f, in, &s, &e);
	dec_req(f, &req, xa, xo, xm);
	req.hint = (sel & 0x10) ? s : 0;
	if ((sel & 0xe0) == 0xe0)
		req.hint += 512;
	req.length = e >= s ? e - s : f->ps / 2;
	req.flags = (sel >> 2) & 3;
	if ((sel & 0xc0) == 0xc0)
		req.flags |= 0x8; /* not a flag */
	describe(f, "findspace vm%d req{hint %#llx len %#llx align %#llx off %#llx max_end %#llx"
	    " flags %u}", vi, ULL(req.hint), ULL(req.length), ULL(req.align),
	    ULL(req.align_offset), ULL(req.max_end), req.flags);
	rv = bsdvm_map_findspace(vmap(f, vi), &req, &addr);
	want = model_findspace(&f->m.vm[vi].mm, &req, &maddr);
	expect(f, rv, want);
	if (rv == KERN_SUCCESS && addr != maddr)
		fail(f, "findspace: %#llx, model %#llx", ULL(addr), ULL(maddr));
	snprintf(res, sizeof(res), "%s at %#llx", kname(rv), ULL(addr));
	done_op(f, res);
}

static void op_range(struct fz *f, struct input *in, int vi, uint8_t sel, int kind)
{
	bsdvm_addr_t s, e;
	bsdvm_prot_t prot = 0, max = 0;
	uint32_t flags = 0;
	uint8_t pb = kind == OP_PROTECT || kind == OP_CHECKPROT ? u8(in) : 0;
	char s1[5], s2[5];
	int rv = 0, want = 0, advice = 0;
	bsdvm_inherit_t inh = 0;

	dec_range(f, in, &s, &e);
	switch (kind) {
	case OP_UNMAP:
		describe(f, "unmap vm%d [%#llx,%#llx)", vi, ULL(s), ULL(e));
		rv = bsdvm_map_delete(vmap(f, vi), s, e);
		if (injected(f, rv))
			return;
		want = fzm_delete(&f->m, vi, s, e);
		break;
	case OP_PROTECT: {
		static const uint32_t fl[4] = { 3, 1, 2, 3 };

		flags = fl[(sel >> 3) & 3];
		if ((sel & 0xe0) == 0xe0)
			flags = (sel & 0x04) ? 4 : 0; /* no flag, or not a flag */
		dec_prot(pb, &prot, &max);
		describe(f, "protect vm%d [%#llx,%#llx) prot %s max %s flags %s%s%s", vi, ULL(s),
		    ULL(e), prot_str(prot, s1), prot_str(max, s2),
		    (flags & BSDVM_PROTECT_SET_PROT) ? "SET_PROT " : "",
		    (flags & BSDVM_PROTECT_SET_MAX) ? "SET_MAX" : "",
		    (flags & ~3u) || flags == 0 ? "(bad)" : "");
		rv = bsdvm_map_protect(vmap(f, vi), s, e, prot, max, flags);
		if (injected(f, rv))
			return;
		want = fzm_protect(&f->m, vi, s, e, prot, max, flags);
		break;
	}
	case OP_INHERIT:
		inh = (bsdvm_inherit_t)((sel >> 3) & 7);
		if (inh > 4)
			inh &= 3;
		describe(f, "inherit vm%d [%#llx,%#llx) %u", vi, ULL(s), ULL(e), inh);
		rv = bsdvm_map_inherit(vmap(f, vi), s, e, inh);
		if (injected(f, rv))
			return;
		want = fzm_inherit(&f->m, vi, s, e, inh);
		break;
	case OP_MADVISE:
		advice = (sel >> 3) % 12;
		if (advice == 11)
			advice = -1;
		describe(f, "madvise vm%d [%#llx,%#llx) %d", vi, ULL(s), ULL(e), advice);
		rv = bsdvm_map_madvise(vmap(f, vi), s, e, advice);
		if (injected(f, rv))
			return;
		want = fzm_madvise(&f->m, vi, s, e, advice);
		break;
	default: { /* OP_CHECKPROT */
		bool got, w;

		prot = (bsdvm_prot_t)(pb & 7);
		if ((pb & 0xc0) == 0xc0)
			prot |= 0x20;
		describe(f, "check_protection vm%d [%#llx,%#llx) %s", vi, ULL(s), ULL(e),
		    prot_str(prot, s1));
		got = bsdvm_map_check_protection(vmap(f, vi), s, e, prot);
		w = model_check_protection(&f->m.vm[vi].mm, s, e, prot);
		if (got != w)
			fail(f, "check_protection: library %d, model %d", got, w);
		done_op(f, got ? "true" : "false");
		return;
	}
	}
	expect(f, rv, want);
	done_op(f, kname(rv));
}

static void op_wire(struct fz *f, struct input *in, int vi, uint8_t sel, bool unwire)
{
	bsdvm_addr_t s, e;
	uint32_t flags = (sel >> 2) & 3; /* HOLESOK, USER */
	char res[64];
	int rv, want;

	if (unwire && (sel & 0x10))
		flags = (flags & BSDVM_WIRE_HOLESOK) | BSDVM_WIRE_ALL;
	if ((sel & 0xe0) == 0xe0)
		flags |= (sel & 0x10) ? 0x8 : BSDVM_WIRE_ALL | BSDVM_WIRE_USER; /* bad */
	dec_range(f, in, &s, &e);
	describe(f, "%s vm%d [%#llx,%#llx) flags%s%s%s%s", unwire ? "unwire" : "wire", vi, ULL(s),
	    ULL(e), (flags & BSDVM_WIRE_HOLESOK) ? " HOLESOK" : "",
	    (flags & BSDVM_WIRE_USER) ? " USER" : "", (flags & BSDVM_WIRE_ALL) ? " ALL" : "",
	    (flags & 8) ? " (bad)" : "");
	if (!unwire && fzm_wired_pages(&f->m) + fzm_wire_new_pages(&f->m, vi, s, e, flags) >
	    WIRE_BUDGET) {
		done_op(f, "skipped (over the wiring budget)");
		return;
	}
	if (unwire && (f->lax & LAX_UNWIRE_NONE) && fzm_unwire_meets_none(&f->m, vi, s, e)) {
		done_op(f, "skipped (lax unwire-none)");
		return;
	}
	if (!unwire && (f->lax & LAX_WIRED_COW) && fzm_wire_meets_readonly(&f->m, vi, s, e)) {
		done_op(f, "skipped (lax wired-cow)");
		return;
	}
	if (unwire)
		rv = bsdvm_map_unwire(vmap(f, vi), s, e, flags);
	else
		rv = bsdvm_map_wire(vmap(f, vi), s, e, flags);
	if (injected(f, rv))
		return;
	want = fzm_wire(&f->m, vi, s, e, flags, unwire);
	if (!unwire && want != KERN_RESOURCE_SHORTAGE && out_of_memory(f, rv))
		return;
	expect(f, rv, want);
	snprintf(res, sizeof(res), "%s", kname(rv));
	done_op(f, res);
}

static void op_stack(struct fz *f, struct input *in, int vi, uint8_t sel)
{
	bsdvm_prot_t prot, max;
	uint8_t pb = u8(in), ab = u8(in), lb = u8(in);
	bsdvm_addr_t bos = dec_page(f, ab);
	bsdvm_size_t size = dec_npages(lb) * f->ps;
	uint32_t cow = (sel & 0x04) ? MAP_ENTRY_GROWS_UP : MAP_ENTRY_GROWS_DOWN;
	static const uint32_t extra[6] = {
		0, MAP_ENTRY_NOSYNC, MAP_ENTRY_NOMERGE, MAP_ENTRY_COW,
		MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY, MAP_ENTRY_NOFAULT,
	};
	unsigned x = (sel >> 4) & 7;
	char s1[5], s2[5];
	int rv, want;

	dec_prot(pb, &prot, &max);
	if (sel & 0x08)
		cow |= MAP_ENTRY_NOCOREDUMP;
	if (x < 6)
		cow |= extra[x];
	else if (x == 6 && (sel & 0x80))
		bos += 512;
	else if (x == 6)
		cow |= (sel & 0x08) ? MAP_ENTRY_NEEDS_COPY : MAP_ENTRY_UNSPLITTABLE; /* bad */
	else if (sel & 0x80)
		cow |= MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP;
	else
		cow &= ~(uint32_t)(MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP);
	describe(f, "stack vm%d addrbos %#llx size %#llx prot %s max %s cow %#x", vi, ULL(bos),
	    ULL(size), prot_str(prot, s1), prot_str(max, s2), cow);
	rv = bsdvm_map_stack(vmap(f, vi), bos, size, prot, max, cow);
	if (injected(f, rv))
		return;
	want = fzm_stack(&f->m, vi, bos, size, prot, max, cow);
	expect(f, rv, want);
	done_op(f, kname(rv));
}

static void op_grow_fault(struct fz *f, struct input *in, int vi, uint8_t sel, int kind)
{
	bsdvm_addr_t addr = dec_page(f, u8(in));
	bsdvm_prot_t access = (bsdvm_prot_t)((sel >> 3) & 7);
	char s1[5];
	int rv, want;

	addr += dec_off(f, u8(in));
	if ((sel & 0xc0) == 0xc0)
		access |= 0x8;
	if (kind == OP_GROW && !(sel & 0x04)) {
		describe(f, "growstack vm%d %#llx", vi, ULL(addr));
		rv = bsdvm_map_growstack(vmap(f, vi), addr);
		if (injected(f, rv))
			return;
		want = fzm_growstack(&f->m, vi, addr);
	} else {
		describe(f, "fault vm%d %#llx access %s", vi, ULL(addr), prot_str(access, s1));
		rv = bsdvm_fault(vmap(f, vi), addr, access);
		want = fzm_fault(&f->m, vi, addr, access);
		if (want != KERN_RESOURCE_SHORTAGE && out_of_memory(f, rv))
			return;
	}
	expect(f, rv, want);
	done_op(f, kname(rv));
}

/*
 * A pager over a backing store in memory: the model's pages of its object
 * live here, not in the model's object slot, since the object outlives the
 * fuzzer's reference.  When the object dies the store must hold the bytes
 * of every page (what was dirtied through shared mappings is written back
 * by then, and nothing else changes the store).
 */
struct fz_pager {
	struct fz *f;
	int oi;
	bool writable;
	uint8_t *store;
	size_t len;            /* the store's length (may end inside the object) */
	bsdvm_size_t npages;
	struct fz_buf **pg;
};

static int pg_read(void *ctx, bsdvm_off_t off, void *buf, size_t len, size_t *got)
{
	struct fz_pager *pg = ctx;
	size_t n = off >= pg->len ? 0 : pg->len - (size_t)off;

	if (n > len)
		n = len;
	if (n != 0)
		memcpy(buf, pg->store + off, n);
	*got = n;
	return KERN_SUCCESS;
}

static int pg_write(void *ctx, bsdvm_off_t off, const void *buf, size_t len)
{
	struct fz_pager *pg = ctx;

	if (!pg->writable)
		fail(pg->f, "pager write to a read-only object");
	if (off > pg->len || len > pg->len - off)
		fail(pg->f, "pager asked to write [%#llx,+%#zx) past the store's length %#zx",
		    ULL(off), len, pg->len);
	memcpy(pg->store + off, buf, len);
	return KERN_SUCCESS;
}

static int pg_size(void *ctx, bsdvm_off_t *sizep)
{
	*sizep = ((struct fz_pager *)ctx)->len;
	return KERN_SUCCESS;
}

/* Does the store hold the model's bytes of every page?  (Not once the
 * input stopped out of memory: the model then stands where the failing
 * operation would have left it.) */
static void pager_check(struct fz_pager *pg, const char *when)
{
	bsdvm_size_t i, ps = pg->f->ps;

	if (pg->f->stop)
		return;
	for (i = 0; i < pg->npages && i * ps < pg->len; i++) {
		size_t n = pg->len - i * ps < ps ? pg->len - i * ps : ps, j;
		const uint8_t *st = pg->store + i * ps, *want = pg->pg[i]->data;

		if (memcmp(st, want, n) != 0) {
			for (j = 0; st[j] == want[j]; j++)
				;
			fail(pg->f, "%s: pager store byte %#llx is 0x%02x, model 0x%02x", when,
			    ULL(i * ps + j), st[j], want[j]);
		}
	}
}

static void pg_release(void *ctx)
{
	struct fz_pager *pg = ctx;
	bsdvm_size_t i;

	if (pg->f->pagers[pg->oi] == pg)
		fail(pg->f, "pager object released while the fuzzer holds a reference");
	pager_check(pg, "object death");
	for (i = 0; i < pg->npages; i++)
		fzm_buf_unref(pg->pg[i]);
	free(pg->pg);
	free(pg->store);
	free(pg);
}

static const struct bsdvm_pager_ops pager_rw = { pg_read, pg_write, pg_size, pg_release };
static const struct bsdvm_pager_ops pager_rw_nosize = { pg_read, pg_write, NULL, pg_release };
static const struct bsdvm_pager_ops pager_ro = { pg_read, NULL, pg_size, pg_release };

/* An object the fuzzer holds: anonymous or with a pager (a new one, or
 * dropping the one held). */
static void op_obj(struct fz *f, struct input *in, uint8_t sel)
{
	int oi = ((sel >> 2) & 3) % FZ_NOBJ, rv, want;
	uint8_t sb = u8(in), lb = u8(in);
	bsdvm_size_t size = sb == 253 ? f->ps / 2 : (bsdvm_size_t)(sb % 160) * f->ps;
	struct fz_obj *o = &f->m.obj[oi];
	struct vm_object *obj = NULL;
	struct fz_pager *pg = NULL;
	char res[64];

	if (o->live) {
		/* the fuzzer lets go of the one it holds there first */
		describe(f, "object %d: drop our reference", oi);
		f->pagers[oi] = NULL;
		bsdvm_object_deallocate(o->obj);
		fzm_obj_drop(&f->m, oi);
		done_op(f, "done");
		if (sel & 0x10)
			return;
	}
	if (!(sel & 0x20)) {
		describe(f, "object %d: new anonymous object of %#llx bytes", oi, ULL(size));
		rv = bsdvm_object_anon(f->sys, size, &obj);
	} else {
		const struct bsdvm_pager_ops *ops;
		bsdvm_size_t i, np = (size + f->ps - 1) / f->ps;

		pg = calloc(1, sizeof(*pg));
		if (pg == NULL)
			abort();
		pg->f = f;
		pg->oi = oi;
		pg->writable = (sel & 0x40) != 0;
		pg->len = (size_t)size;
		if ((sel & 0x80) && size != 0)
			pg->len = (size_t)(lb % 8) * (size_t)(f->ps / 4) % (size_t)size;
		pg->store = malloc(size != 0 ? (size_t)size : 1);
		pg->npages = np;
		pg->pg = calloc(np != 0 ? np : 1, sizeof(*pg->pg));
		if (pg->store == NULL || pg->pg == NULL)
			abort();
		/* contents the reads can tell apart, cheaply */
		memset(pg->store, lb ^ 0x5a, (size_t)size);
		for (i = 0; i < size; i += 61)
			pg->store[i] = (uint8_t)(i / 61 + lb);
		/* the object's pages as a first touch reads them */
		for (i = 0; i < np; i++) {
			pg->pg[i] = fzm_buf_new(&f->m, NULL);
			if (i * f->ps < pg->len)
				memcpy(pg->pg[i]->data, pg->store + i * f->ps,
				    pg->len - i * f->ps < f->ps ? pg->len - i * f->ps : f->ps);
		}
		ops = !pg->writable ? &pager_ro : pg->len != size ? &pager_rw : &pager_rw_nosize;
		describe(f, "object %d: new %s pager object of %#llx bytes, store %#zx bytes%s", oi,
		    pg->writable ? "writable" : "read-only", ULL(size), pg->len,
		    ops->size != NULL ? "" : " (no size op)");
		rv = bsdvm_object_pager(f->sys, ops, pg, size, pg->writable, &obj);
		if (rv != KERN_SUCCESS) {
			/* ctx stays ours on failure */
			for (i = 0; i < np; i++)
				fzm_buf_unref(pg->pg[i]);
			free(pg->pg);
			free(pg->store);
			free(pg);
			pg = NULL;
		}
	}
	if (injected(f, rv))
		return;
	want = fzm_obj_new(&f->m, oi, obj, size, pg != NULL ? pg->pg : NULL,
	    pg != NULL && !pg->writable);
	expect(f, rv, want);
	f->pagers[oi] = pg;
	if (pg != NULL && pg->len < size)
		f->pinning = true;
	if (rv == KERN_SUCCESS && bsdvm_object_size(obj) != size)
		fail(f, "object size %#llx, asked for %#llx", ULL(bsdvm_object_size(obj)), ULL(size));
	snprintf(res, sizeof(res), "%s", kname(rv));
	done_op(f, res);
}

/* bsdvm_object_sync of an object the fuzzer holds: afterwards a pager's
 * store holds every page. */
static void op_sync(struct fz *f, uint8_t sel)
{
	int oi = ((sel >> 2) & 3) % FZ_NOBJ, rv;
	struct fz_obj *o = &f->m.obj[oi];

	describe(f, "sync object %d", oi);
	if (!o->live) {
		done_op(f, "skipped (none)");
		return;
	}
	rv = bsdvm_object_sync(o->obj);
	expect(f, rv, KERN_SUCCESS);
	if (f->pagers[oi] != NULL)
		pager_check(f->pagers[oi], "after sync");
	done_op(f, "SUCCESS");
}

/* bsdvm_vmspace_mmap of an object the fuzzer holds. */
static void op_mmapobj(struct fz *f, struct input *in, int vi, uint8_t sel)
{
	uint32_t flags = 0;
	bsdvm_prot_t prot, max;
	bsdvm_addr_t addr, maddr, orig;
	bsdvm_size_t len;
	bsdvm_off_t off;
	uint8_t pb = u8(in), ab = u8(in), lb = u8(in), ob = u8(in);
	int oi = (sel >> 6) & 3, rv, want;
	struct vm_object *obj;
	char s1[5], s2[5], res[64];

	if (sel & 0x04)
		flags |= BSDVM_MAPF_FIXED;
	if ((sel & 0x0c) == 0x0c)
		flags |= BSDVM_MAPF_EXCL;
	if (sel & 0x10)
		flags |= BSDVM_MAPF_SHARED;
	if (sel & 0x20)
		flags |= BSDVM_MAPF_NOMERGE;
	dec_prot(pb, &prot, &max);
	addr = (flags & BSDVM_MAPF_FIXED) ? dec_page(f, ab) : 0;
	len = dec_npages(lb) * f->ps;
	off = (bsdvm_off_t)(ob & 63) * f->ps;
	if (ob & 0x80)
		off += 512; /* unaligned */
	if (oi == 3) {
		obj = NULL; /* anonymous memory at an offset: refused */
		off += f->ps;
	} else if (f->m.obj[oi].live) {
		obj = f->m.obj[oi].obj;
	} else {
		describe(f, "mmap object %d (none)", oi);
		done_op(f, "skipped");
		return;
	}
	describe(f, "mmap vm%d object %d offset %#llx addr %#llx len %#llx prot %s max %s flags"
	    " %#x%s%s%s%s", vi, oi, ULL(off), ULL(addr), ULL(len), prot_str(prot, s1),
	    prot_str(max, s2), flags, (flags & BSDVM_MAPF_FIXED) ? " FIXED" : "",
	    (flags & BSDVM_MAPF_EXCL) ? " EXCL" : "", (flags & BSDVM_MAPF_SHARED) ? " SHARED" : "",
	    (flags & BSDVM_MAPF_NOMERGE) ? " NOMERGE" : "");
	maddr = orig = addr;
	rv = bsdvm_vmspace_mmap(f->m.vm[vi].vm, &addr, len, prot, max, flags, obj, off);
	if (rv != KERN_SUCCESS && addr != orig)
		fail(f, "a failed mmap changed *addrp to %#llx", ULL(addr));
	if (injected(f, rv))
		return;
	want = fzm_mmap(&f->m, vi, &maddr, len, prot, max, flags, NULL, obj != NULL ? oi : -1,
	    off);
	expect(f, rv, want);
	if (rv == KERN_SUCCESS && addr != maddr)
		fail(f, "mapped at %#llx, model %#llx", ULL(addr), ULL(maddr));
	snprintf(res, sizeof(res), "%s at %#llx", kname(rv), ULL(addr));
	done_op(f, res);
}

/* Limits (in pages, 255 = none) and the main stack's bookkeeping. */
static void op_limits(struct fz *f, struct input *in, int vi, uint8_t sel, int kind)
{
	struct fz_vm *v = &f->m.vm[vi];
	uint8_t a = u8(in), b = u8(in), c = u8(in);

	if (kind == OP_LIMITS) {
		uint64_t val = a == 255 ? BSDVM_RLIM_INFINITY : (uint64_t)a * f->ps;

		switch ((sel >> 2) & 3) {
		case 0:
			v->lim.stack = val;
			break;
		case 1:
			v->lim.vmem = val;
			break;
		case 2:
			v->lim.memlock = val;
			break;
		default:
			v->lim.stack = v->lim.vmem = v->lim.memlock = BSDVM_RLIM_INFINITY;
			break;
		}
		describe(f, "limits vm%d stack %#llx vmem %#llx memlock %#llx", vi,
		    ULL(v->lim.stack), ULL(v->lim.vmem), ULL(v->lim.memlock));
		bsdvm_vmspace_set_limits(v->vm, &v->lim);
	} else {
		v->si.maxsaddr = dec_page(f, a);
		v->si.stacktop = v->si.maxsaddr + dec_npages(b) * f->ps;
		v->si.ssize = (bsdvm_size_t)(c & 63) * f->ps;
		describe(f, "stackinfo vm%d main stack [%#llx,%#llx) ssize %#llx", vi,
		    ULL(v->si.maxsaddr), ULL(v->si.stacktop), ULL(v->si.ssize));
		bsdvm_vmspace_set_stackinfo(v->vm, &v->si);
	}
	done_op(f, "done");
}

static bool new_vmspace(struct fz *f, int slot, bsdvm_addr_t min, bsdvm_addr_t max,
    uint32_t flags)
{
	struct vmspace *vm = NULL;
	int rv = bsdvm_vmspace_create(f->sys, min, max, flags, &vm);

	if (injected(f, rv))
		return false;
	expect(f, rv, KERN_SUCCESS);
	fzm_vm_new(&f->m, slot, vm, min, max, flags);
	return true;
}

static void op_life(struct fz *f, struct input *in, int vi, uint8_t sel, int kind)
{
	struct fz_vm *v = &f->m.vm[vi];
	int slot, rv;

	switch (kind) {
	case OP_FORK: {
		struct vmspace *child = NULL;

		slot = free_slot(f);
		describe(f, "fork vm%d -> vm%d", vi, slot);
		if (slot < 0) {
			done_op(f, "skipped (no free slot)");
			return;
		}
		if ((f->lax & LAX_SIBLING_WIRED) && fzm_fork_copies_sibling_wired(&f->m, vi)) {
			done_op(f, "skipped (lax sibling-wired)");
			return;
		}
		rv = bsdvm_vmspace_fork(v->vm, &child);
		if (rv != KERN_SUCCESS && child != NULL)
			fail(f, "a failed fork set *childp");
		if (injected(f, rv))
			return;
		/* wired pages are copied at fork, which takes frames: with the
		 * rest pinned (pages past a pager's store) there may be none */
		if (out_of_memory(f, rv))
			return;
		expect(f, rv, KERN_SUCCESS);
		fzm_fork(&f->m, vi, slot, child);
		done_op(f, "SUCCESS");
		return;
	}
	case OP_EXEC: {
		uint8_t wb = u8(in);
		int mode = (sel >> 2) & 3, want;
		bsdvm_addr_t min = v->mm.min, max = v->mm.max;

		if (mode == 2) {
			min = WIN_MIN + (bsdvm_addr_t)(wb % 16) * f->ps;
			max = min + (bsdvm_addr_t)(32 + (wb >> 4) * 6) * f->ps;
		} else if (mode == 3) {
			if (wb & 1)
				min += 512;
			else
				max = min;
		}
		describe(f, "exec vm%d (%u refs) window [%#llx,%#llx)", vi, v->refs, ULL(min),
		    ULL(max));
		rv = bsdvm_vmspace_reset(v->vm, min, max);
		if (injected(f, rv))
			return;
		want = fzm_reset(&f->m, vi, min, max);
		expect(f, rv, want);
		if (rv == KERN_FAILURE) {
			/* shared: leave it for a new vmspace */
			uint32_t flags = v->flags;

			min = v->mm.min;
			max = v->mm.max;
			slot = free_slot(f);
			if (slot < 0) {
				done_op(f, "FAILURE (shared; no free slot for a new one)");
				return;
			}
			bsdvm_vmspace_free(v->vm);
			v->refs--;
			if (new_vmspace(f, slot, min, max, flags))
				done_op(f, "FAILURE (shared): a new vmspace replaces it");
			return;
		}
		done_op(f, kname(rv));
		return;
	}
	case OP_FREE:
		describe(f, "free vm%d (%u refs)", vi, v->refs);
		bsdvm_vmspace_free(v->vm);
		if (--v->refs == 0)
			fzm_vm_drop(&f->m, vi);
		done_op(f, "done");
		return;
	case OP_REF:
		describe(f, "reference vm%d (%u refs)", vi, v->refs);
		if (v->refs >= MAX_REFS) {
			done_op(f, "skipped (enough references)");
			return;
		}
		bsdvm_vmspace_reference(v->vm);
		v->refs++;
		done_op(f, "done");
		return;
	default: { /* OP_CREATE */
		uint32_t flags = ((sel & 0x04) ? BSDVM_MAP_TOPDOWN : 0) |
		    ((sel & 0x08) ? BSDVM_MAP_WXORX : 0) |
		    ((sel & 0x10) ? BSDVM_MAP_NO_ALIGN_INDEX : 0);

		slot = free_slot(f);
		describe(f, "create vm%d flags %#x", slot, flags);
		if (slot < 0) {
			done_op(f, "skipped (no free slot)");
			return;
		}
		if (new_vmspace(f, slot, WIN_MIN, WIN_MIN + (bsdvm_addr_t)WIN_PAGES * f->ps, flags))
			done_op(f, "SUCCESS");
		return;
	}
	}
}

/* Operations whose failure must leave everything as it was, so that an
 * allocation failure can be injected into them (faults and copies may
 * have grown a stack or resolved copy-on-write before failing). */
static bool injectable(int kind, uint8_t sel)
{
	switch (kind) {
	case OP_MMAP:
	case OP_MAPENG:
	case OP_UNMAP:
	case OP_PROTECT:
	case OP_INHERIT:
	case OP_MADVISE:
	case OP_UNWIRE:
	case OP_FORK:
	case OP_EXEC:
	case OP_CREATE:
	case OP_STACK:
	case OP_OBJ:
	case OP_MMAPOBJ:
		return true;
	case OP_GROW:
		return !(sel & 0x04); /* growstack, not a fault */
	default:
		return false;
	}
}

static void run_op_armed(struct fz *f, struct input *in, int kind, uint8_t sel, int vi);

static void run_op(struct fz *f, struct input *in)
{
	int kind = op_table[u8(in) % NOPCODES];
	uint8_t sel = u8(in);
	int vi = pick_vm(f, sel);
	unsigned k = f->failat;

	f->failat = 0;
	if (kind == OP_FAILAT) {
		f->failat = 1 + u8(in) % 24;
		describe(f, "failat: allocation %u of the next operation fails", f->failat);
		done_op(f, "armed");
		return;
	}
	if (k != 0 && injectable(kind, sel)) {
		f->armed = true;
		f->failures0 = bsdvm_alloc_failures();
		bsdvm_alloc_fail_at(k);
	}
	run_op_armed(f, in, kind, sel, vi);
	if (f->armed) {
		bsdvm_alloc_fail_at(0);
		f->armed = false;
	}
}

static void run_op_armed(struct fz *f, struct input *in, int kind, uint8_t sel, int vi)
{
	if (kind == OP_PAGEOUT) {
		uint8_t nb = u8(in);
		uint64_t n = nb < 200 ? nb % 9 : (uint64_t)(nb - 200) * 2, got;

		describe(f, "pageout %llu", ULL(n));
		got = bsdvm_sys_pageout(f->sys, n);
		if (got > n)
			fail(f, "pageout evicted %llu pages, asked for %llu", ULL(got), ULL(n));
		done_op(f, "done");
		return;
	}
	if (kind == OP_FULLCHECK) {
		describe(f, "full check");
		full_check(f);
		if (!f->stop)
			done_op(f, "done");
		return;
	}
	if (kind == OP_OBJ) {
		op_obj(f, in, sel);
		return;
	}
	if (kind == OP_SYNC) {
		op_sync(f, sel);
		return;
	}
	if (vi < 0 && kind != OP_CREATE) {
		describe(f, "%s (no vmspace)", op_names[kind]);
		done_op(f, "skipped");
		return;
	}
	switch (kind) {
	case OP_WRITE:
	case OP_READ:
		op_access(f, in, vi, sel, kind == OP_WRITE);
		break;
	case OP_MMAP:
		op_mmap(f, in, vi, sel);
		break;
	case OP_MAPENG:
		op_mapeng(f, in, vi, sel);
		break;
	case OP_FINDSPACE:
		op_findspace(f, in, vi, sel);
		break;
	case OP_UNMAP:
	case OP_PROTECT:
	case OP_INHERIT:
	case OP_MADVISE:
	case OP_CHECKPROT:
		op_range(f, in, vi, sel, kind);
		break;
	case OP_WIRE:
	case OP_UNWIRE:
		op_wire(f, in, vi, sel, kind == OP_UNWIRE);
		break;
	case OP_STACK:
		op_stack(f, in, vi, sel);
		break;
	case OP_GROW:
	case OP_FAULT:
		op_grow_fault(f, in, vi, sel, kind);
		break;
	case OP_LIMITS:
	case OP_STACKINFO:
		op_limits(f, in, vi, sel, kind);
		break;
	case OP_MMAPOBJ:
		op_mmapobj(f, in, vi, sel);
		break;
	default:
		op_life(f, in, vi < 0 ? 0 : vi, sel, kind);
		break;
	}
}

/* ------------------------------------------------------------------ */
/* One input */

static unsigned parse_lax(void)
{
	const char *v = getenv("BSDVM_FUZZ_LAX");
	unsigned l = 0;
	size_t k;

	if (v == NULL)
		return LAX_DEFAULT;
	for (k = 0; k < sizeof(lax_names) / sizeof(lax_names[0]); k++)
		if (strstr(v, "all") != NULL || strstr(v, lax_names[k].name) != NULL)
			l |= lax_names[k].bit;
	return l;
}

static void teardown(struct fz *f)
{
	struct bsdvm_sys_stats st;
	int k;

	describe(f, "teardown: drop the objects, free every vmspace");
	for (k = 0; k < FZ_NOBJ; k++) {
		if (f->m.obj[k].live) {
			f->pagers[k] = NULL;
			bsdvm_object_deallocate(f->m.obj[k].obj);
			fzm_obj_drop(&f->m, k);
		}
	}
	for (k = 0; k < FZ_NVM; k++) {
		while (f->m.vm[k].live) {
			bsdvm_vmspace_free(f->m.vm[k].vm);
			if (--f->m.vm[k].refs == 0)
				fzm_vm_drop(&f->m, k);
		}
	}
	bsdvm_sys_get_stats(f->sys, &st);
	if (st.anons != 0 || st.amaps != 0 || st.objects != 0 || st.vmspaces != 1 ||
	    st.resident != 0 || st.free != st.frames || st.swap_used != 0 || st.wired != 0)
		fail(f, "after freeing everything: anons %llu amaps %llu objects %llu vmspaces %llu"
		    " resident %llu free %llu/%llu swap %llu wired %llu", ULL(st.anons),
		    ULL(st.amaps), ULL(st.objects), ULL(st.vmspaces), ULL(st.resident), ULL(st.free),
		    ULL(st.frames), ULL(st.swap_used), ULL(st.wired));
	bsdvm_sys_destroy(f->sys);
	f->sys = NULL;
	if (bsdvm_alloc_live_bytes() != f->live0)
		fail(f, "%lld bytes leaked", (long long)(bsdvm_alloc_live_bytes() - f->live0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const bsdvm_size_t steps[4] = { 1, 2, 4, 8 };
	struct input in = { data, size, 0 };
	struct bsdvm_sys_params sp;
	struct fz f;
	const char *tr = getenv("BSDVM_FUZZ_TRACE");
	unsigned guard_pages;
	int rv;

	if (size == 0)
		return 0;
	memset(&f, 0, sizeof(f));
	f.cfg = u8(&in);
	f.ps = (f.cfg & 1) ? 16384 : 4096;
	f.lax = parse_lax();
	f.trace = tr != NULL && *tr != '\0' && *tr != '0';
	guard_pages = (f.cfg >> 3) & 3; /* 1 page (the default), 2, none, 1 */
	guard_pages = guard_pages == 1 ? 2 : guard_pages == 2 ? 0 : 1;
	fzm_init(&f.m, f.ps, guard_pages * f.ps, steps[(f.cfg >> 1) & 3] * f.ps);
	f.buf = calloc(MAX_COPY_PAGES + 2, f.ps);
	f.exp = calloc(MAX_COPY_PAGES + 2, f.ps);
	if (f.buf == NULL || f.exp == NULL)
		abort();
	f.live0 = bsdvm_alloc_live_bytes();
	memset(&sp, 0, sizeof(sp));
	sp.page_size = f.ps;
	sp.frames = FRAMES;
	sp.swap_pages = SWAP;
	sp.sgrowsiz = f.m.sgrow;
	sp.stack_guard_pages = guard_pages;
	sp.no_stack_guard = guard_pages == 0;
	sp.platform = fuzz_platform();
	describe(&f, "setup");
	rv = bsdvm_sys_create(&sp, &f.sys);
	expect(&f, rv, KERN_SUCCESS);
	if (f.trace)
		printf("config 0x%02x: page %llu, guard %llu, growth step %llu\n", f.cfg, ULL(f.ps),
		    ULL(f.m.guard), ULL(f.m.sgrow));
	new_vmspace(&f, 0, WIN_MIN, WIN_MIN + (bsdvm_addr_t)WIN_PAGES * f.ps,
	    ((f.cfg & 0x20) ? BSDVM_MAP_TOPDOWN : 0) | ((f.cfg & 0x40) ? BSDVM_MAP_WXORX : 0) |
	    ((f.cfg & 0x80) ? BSDVM_MAP_NO_ALIGN_INDEX : 0));
	check_all(&f);
	for (f.opi = 0; in.i < in.n && f.opi < MAX_OPS && !f.stop; f.opi++) {
		run_op(&f, &in);
		if (!f.stop)
			check_all(&f);
	}
	if (!f.stop) {
		describe(&f, "full check at the end");
		full_check(&f);
	}
	teardown(&f);
	fzm_fini(&f.m);
	free(f.buf);
	free(f.exp);
	free(f.log);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Replaying files without libFuzzer */

#ifndef FUZZING
static int replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t n = 0, cap = 0, got;

	if (fp == NULL) {
		perror(path);
		return 1;
	}
	for (;;) {
		if (n == cap) {
			uint8_t *d;

			cap = cap != 0 ? cap * 2 : 65536;
			d = realloc(data, cap);
			if (d == NULL)
				abort();
			data = d;
		}
		got = fread(data + n, 1, cap - n, fp);
		if (got == 0)
			break;
		n += got;
	}
	fclose(fp);
	printf("replaying %s (%zu bytes)\n", path, n);
	fflush(stdout);
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A file, or every file of a directory in name order; returns files replayed
 * (negative on error). */
static int replay_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int count = 0;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) == 0 ? 1 : -1;
	d = opendir(path);
	if (d == NULL) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "README") == 0)
			continue;
		if (n == cap) {
			char **nn;

			cap = cap != 0 ? cap * 2 : 64;
			nn = realloc(names, cap * sizeof(*names));
			if (nn == NULL)
				abort();
			names = nn;
		}
		names[n] = malloc(strlen(path) + strlen(de->d_name) + 2);
		if (names[n] == NULL)
			abort();
		sprintf(names[n], "%s/%s", path, de->d_name);
		n++;
	}
	closedir(d);
	if (n != 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(names[i]) != 0)
				count = -1;
			else if (count >= 0)
				count++;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char **argv)
{
#ifdef BSDVM_FUZZ_DEFAULT_DIRS
	static const char *const dflt[] = { BSDVM_FUZZ_DEFAULT_DIRS };
#else
	static const char *const dflt[] = { "fuzz/regressions", "fuzz/corpus" };
#endif
	int i, total = 0, r;

	if (argc < 2) {
		for (i = 0; i < (int)(sizeof(dflt) / sizeof(dflt[0])); i++) {
			r = replay_path(dflt[i]);
			if (r < 0)
				return 1;
			total += r;
		}
	} else {
		for (i = 1; i < argc; i++) {
			r = replay_path(argv[i]);
			if (r < 0)
				return 1;
			total += r;
		}
	}
	printf("fuzz_vm: %d inputs replayed, all agree with the model\n", total);
	return 0;
}
#endif
