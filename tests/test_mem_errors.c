/*
 * test_mem_errors.c - every bad input of every memory-layer function
 * (include/bsdvm/vmspace.h and the man pages bsdvm_sys_create(3),
 * bsdvm_object_anon(3), bsdvm_vmspace_create(3), bsdvm_vmspace_mmap(3),
 * bsdvm_fault(3), bsdvm_map_wire(3), bsdvm_map_stack(3),
 * bsdvm_proc_create(3), bsdvm_kmem_alloc(3)), as a table.
 *
 * Each row is {name, thunk, expected code, options, arguments}.  For every
 * row the test builds a fresh fixture (two systems, four user vmspaces, the
 * two kernel vmspaces, a plain map, a process, three objects; below), takes
 * a snapshot, calls the thunk and checks
 *   (1) the code (functions returning an address report RET_ZERO when they
 *       returned 0, functions returning nothing RET_VOID);
 *   (2) that nothing moved: the listing of every map, its nentries, size
 *       and largest gap; the counters of both systems that describe state
 *       (free, resident, wired, anons, amaps, objects, swap_used,
 *       vmspaces); the reference counts of every vmspace and object; the
 *       stack bookkeeping of the main vmspace;
 *   (3) vm_map_check on every map;
 *   (4) that every byte written by the fixture reads back unchanged;
 *   (5) that the out-parameters of a failed call were left alone (*sysp,
 *       *objp, *vmp, *childp, *addrp, *pp, and *done where the contract
 *       says so), and that *done holds the documented partial progress;
 * and, when the fixture is torn down, that the systems drop to zero
 * anons, amaps, objects and resident pages and that no platform
 * allocation is left live (so an error path that leaks a reference fails).
 * Rows marked NOOP are calls the contract says succeed without doing
 * anything; rows marked TRACE are failures the man page (BUGS) allows to
 * leave pages resident: for them the frame, anon and amap counters are not
 * compared, everything else is.  SWEEP rows repeat one well-formed call
 * with the k-th platform allocation failing, k = 1, 2, ... until the call
 * succeeds; each failure must return the resource code and change nothing.
 *
 * Bad-input classes and the code the contract gives.  Where the header and
 * man pages do not name a code the choice is marked (*) and explained at
 * the end of the table.
 *
 *  class                                        function                code
 *  -------------------------------------------  ----------------------  ------------------------
 *  sysp NULL (params NULL or not)               sys_create              KERN_INVALID_ARGUMENT
 *  page size not 2^n, < 4 KiB, > 64 KiB         sys_create              KERN_INVALID_ARGUMENT
 *  uarea_size not a page multiple               sys_create              KERN_INVALID_ARGUMENT
 *  sgrowsiz < page or not a page multiple       sys_create              KERN_INVALID_ARGUMENT
 *  only one of pmap / pmap_ctx                  sys_create              KERN_INVALID_ARGUMENT
 *  frames or swap_pages beyond size_t           sys_create              KERN_INVALID_ARGUMENT
 *  kernel window: min >= max, unaligned bound,  sys_create              KERN_INVALID_ARGUMENT
 *    max = 2^64 (wraps to 0)
 *  allocation fails (injected)                  sys_create              KERN_RESOURCE_SHORTAGE
 *  sys NULL, objp NULL                          object_anon, _file      KERN_INVALID_ARGUMENT
 *  size 0, not a page multiple                  object_anon, _file      KERN_INVALID_ARGUMENT
 *  fd negative                                  object_file             KERN_INVALID_ARGUMENT
 *  allocation fails                             object_anon, _file      KERN_RESOURCE_SHORTAGE
 *  vmp NULL, unknown map flags                  vmspace_create          KERN_INVALID_ARGUMENT
 *  window: min >= max, unaligned, max = 2^64    vmspace_create          KERN_INVALID_ARGUMENT
 *  allocation fails                             vmspace_create          KERN_RESOURCE_SHORTAGE
 *  childp NULL                                  vmspace_fork            KERN_INVALID_ARGUMENT
 *  allocation fails at any point; no frame for  vmspace_fork            KERN_RESOURCE_SHORTAGE
 *    the eager copies of wired pages
 *  more than one reference                      vmspace_reset           KERN_FAILURE
 *  window: min >= max, unaligned, max = 2^64    vmspace_reset           KERN_INVALID_ARGUMENT
 *  addrp NULL                                   mmap (every flag set)   KERN_INVALID_ARGUMENT
 *  unknown flag bits (0x10, 0x80000000)         mmap (all 16 sets)      KERN_INVALID_ARGUMENT
 *  EXCL without FIXED                           mmap                    KERN_INVALID_ARGUMENT
 *  prot / maxprot bits beyond VM_PROT_ALL       mmap                    KERN_INVALID_ARGUMENT
 *  offset with anonymous memory, object offset  mmap                    KERN_INVALID_ARGUMENT
 *    not page aligned, offset + length wraps(*)
 *  length 0                                     mmap                    KERN_INVALID_ARGUMENT,
 *                                                                       FIXED: KERN_INVALID_ADDRESS
 *  length not a page multiple                   mmap                    KERN_INVALID_ARGUMENT
 *  hint / fixed address not page aligned        mmap                    KERN_INVALID_ARGUMENT
 *  fixed range wraps past 2^64 (*)              mmap FIXED              KERN_INVALID_ARGUMENT
 *  fixed range below min / beyond max           mmap FIXED              KERN_INVALID_ADDRESS
 *  no room from the hint (longer than the map,  mmap (not FIXED)        KERN_NO_SPACE
 *    hint beyond max, hint + length past 2^64)
 *  prot above maxprot                           mmap                    KERN_PROTECTION_FAILURE
 *  W|X on a BSDVM_MAP_WXORX vmspace             mmap                    KERN_PROTECTION_FAILURE
 *  shared writable view of a read-only file (*) mmap SHARED             KERN_PROTECTION_FAILURE
 *  range in use                                 mmap FIXED|EXCL         KERN_NO_SPACE
 *  splits an unsplittable entry                 mmap FIXED              KERN_INVALID_ARGUMENT
 *  allocation fails                             mmap                    KERN_RESOURCE_SHORTAGE
 *  not the map of a vmspace                     fault                   KERN_INVALID_ARGUMENT
 *  access bits beyond VM_PROT_ALL               fault                   KERN_INVALID_ARGUMENT
 *  unmapped, below min, at/above max, 0, 2^64-1 fault                   KERN_INVALID_ADDRESS
 *  page beyond the end of the object            fault                   KERN_INVALID_ADDRESS
 *  access not allowed (W on R, X on RW, NONE),  fault                   KERN_PROTECTION_FAILURE
 *    guard, stack guard, stack gap that cannot
 *    grow (stack limit, vmem limit, stack gone)
 *  no frame (no swap, all unwired pages anon)   fault                   KERN_RESOURCE_SHORTAGE
 *  file read fails (write-only descriptor)      fault                   KERN_FAILURE
 *  vm NULL; buf NULL with len > 0               copyin, copyout         KERN_INVALID_ARGUMENT,
 *                                                                       *done untouched
 *  a failure with done NULL                     copyin, copyout         the same code
 *  buf NULL with len 0                          copyin, copyout         success, nothing moved
 *  unmapped start / unmapped part, below min,   copyin, copyout         KERN_INVALID_ADDRESS,
 *    beyond max, past the top page, len so                              *done = bytes before the
 *    large that uaddr + len wraps past 2^64                             failing page
 *  no permission (R for out, NONE, guard,       copyin, copyout         KERN_PROTECTION_FAILURE,
 *    stack guard, gap that cannot grow), also                           *done = bytes moved
 *    after a permitted part
 *  page beyond the end of the object            copyin, copyout         KERN_INVALID_ADDRESS
 *  no frame                                     copyin, copyout         KERN_RESOURCE_SHORTAGE
 *  file read fails                              copyin                  KERN_FAILURE
 *  plain map (no vmspace)                       map_wire, map_unwire    KERN_INVALID_ARGUMENT
 *  unknown flag bits                            map_wire, map_unwire    KERN_INVALID_ARGUMENT
 *  WIRE_ALL (any combination)                   map_wire                KERN_INVALID_ARGUMENT
 *  WIRE_ALL|WIRE_USER                           map_unwire              KERN_INVALID_ARGUMENT
 *  start / end not page aligned, end < start    map_wire, map_unwire    KERN_INVALID_ARGUMENT
 *  range below min / beyond max                 map_wire, map_unwire    KERN_INVALID_ADDRESS
 *  hole (start, middle, end), guard, stack      map_wire, map_unwire    KERN_INVALID_ADDRESS
 *    gap, NONE entry without HOLESOK
 *  splits an unsplittable entry                 map_wire, map_unwire    KERN_INVALID_ARGUMENT
 *  entry lacks the wiring to remove (unwired;   map_unwire              KERN_INVALID_ARGUMENT
 *    USER on a system wiring; system on a user
 *    wiring; ALL on unwired; one entry of two)
 *  page beyond the end of the object            map_wire                KERN_INVALID_ADDRESS
 *  memlock limit; no frame                      map_wire                KERN_RESOURCE_SHORTAGE
 *  file read fails                              map_wire                KERN_FAILURE
 *  start == end; HOLESOK over a hole only       map_wire, map_unwire    success, nothing changes
 *  cow: neither or both directions, other bits  map_stack               KERN_INVALID_ARGUMENT
 *  prot / max bits beyond VM_PROT_ALL           map_stack               KERN_INVALID_ARGUMENT
 *  addrbos / max_ssize not page aligned         map_stack               KERN_INVALID_ARGUMENT
 *  reservation not larger than the guard        map_stack               KERN_INVALID_ARGUMENT
 *  prot above max; W|X on a W^X map             map_stack               KERN_PROTECTION_FAILURE
 *  max_ssize 0; outside the map (below, above,  map_stack               KERN_NO_SPACE
 *    straddling, wrapping); overlaps an entry;
 *    vmem limit
 *  (the same classes on a plain map)            map_stack               same codes
 *  address in the stack's guard                 map_growstack           KERN_NO_SPACE
 *  stack limit, vmem limit                      map_growstack           KERN_NO_SPACE
 *  gap whose stack was unmapped                 map_growstack           KERN_FAILURE
 *  mapped, outside the map, hole, plain guard   map_growstack           success, nothing changes
 *  sys NULL, pp NULL                            proc_create             KERN_INVALID_ARGUMENT,
 *                                                                       no reference taken
 *  allocation fails                             proc_create             KERN_RESOURCE_SHORTAGE
 *  size 0; rounding overflows (size > 2^64 -    kmem_alloc              returns 0, state unchanged
 *    page); larger than the kernel window; no
 *    frame; allocation fails
 *  no room in the kernel window, allocation     uarea_alloc             returns 0, state unchanged
 *    fails
 *  nothing allocated there (address 0, size 0,  kmem_free               (void) state unchanged
 *    unaligned address, a hole) (*)
 *  uaddr 0                                      uarea_free              (void) ignored
 *  NULL                                         proc_destroy,           (void) ignored
 *                                               vmspace_free,
 *                                               object_deallocate,
 *                                               sys_destroy
 *  (no bad-input class: accessors and setters)  sys_page_size, get_stats, sys_pageout,
 *                                               object_reference/sync/size/refcount,
 *                                               vmspace_map/pmap/sys/reference/refcount,
 *                                               map_vmspace, get/set_stackinfo, get/set_limits,
 *                                               vmspace_resident, proc_vmspace/sys/
 *                                               set_limits/get_limits/lock/unlock/
 *                                               set_vmspace, sys_kernel, uarea_size,
 *                                               sys_kernel_vm_end
 *
 * (*) Choices where the documentation is silent or ambiguous, taking the
 *     implementation's code because it is the sensible one:
 *   - mmap: an object offset + length that wraps past 2^64 is not listed in
 *     bsdvm_vmspace_mmap(3); KERN_INVALID_ARGUMENT is the engine's code for
 *     it (bsdvm_map_insert) and what mmap returns.
 *   - mmap FIXED: on every map a range that wraps past 2^64 also runs
 *     beyond max (max <= 2^64 - page), so it is in two classes; the more
 *     specific one, "would wrap", KERN_INVALID_ARGUMENT, is expected.
 *   - mmap SHARED of a read-only file object asking for VM_PROT_WRITE:
 *     KERN_PROTECTION_FAILURE, as bsdvm_vmspace_mmap(3) documents (mmap(2)'s
 *     EACCES); with write only in maxprot the view is made, without it.
 *   - copyin/copyout past the top of the address space: the man page gives
 *     KERN_INVALID_ADDRESS but not *done; the bytes before the first page
 *     that cannot be reached are moved and counted, as for any other
 *     failing page.
 *   - kmem_free: the man page makes the address and size a precondition;
 *     the rows only name ranges where nothing is allocated, and expect
 *     nothing to change.
 * A NULL sys, vm, map or object where the page does not list one is not a
 * row either; test_null_objects checks that every function returning a code
 * refuses it with KERN_INVALID_ARGUMENT, as README's bad-input table says,
 * rather than crashing.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include <bsdvm/vmspace.h>

#include "testutil.h"

#define IA  KERN_INVALID_ARGUMENT
#define IAD KERN_INVALID_ADDRESS
#define PF  KERN_PROTECTION_FAILURE
#define NS  KERN_NO_SPACE
#define RS  KERN_RESOURCE_SHORTAGE
#define FL  KERN_FAILURE
#define OK  KERN_SUCCESS

/* pseudo-codes for functions that do not return a KERN_* code, and for
 * thunks that caught a broken out-parameter */
#define RET_ZERO    100 /* an address-returning function returned 0 */
#define RET_ADDR    101 /* ... returned an address */
#define RET_VOID    102 /* a void function returned */
#define SIDE_EFFECT 103 /* an out-parameter was written on failure */
#define BAD_DONE    104 /* *done is not the documented progress */
#define BAD_BYTES   105 /* copyin delivered wrong bytes, or wrote past *done */

/* row options */
#define O_NOOP    0x1u /* the contract says: success, nothing changes */
#define O_TRACE   0x2u /* documented (BUGS) traces: frame/anon/amap counters may move */
#define O_SWEEP   0x4u /* repeat with the k-th allocation failing */
#define O_CONTROL 0x8u /* a well-formed call that must succeed (state may change) */

/* ------------------------------------------------------------------ */
/* addresses */

#define PG    ((bsdvm_addr_t)0x1000)
#define TOP(x) ((bsdvm_addr_t)0 - (bsdvm_addr_t)(x))
#define VMIN  ((bsdvm_addr_t)0x100000)
#define VMAX  ((bsdvm_addr_t)0x10000000)

#define A0   ((bsdvm_addr_t)0x200000) /* A: anon RW/ALL, 4 pages, written */
#define A1   (A0 + 4 * PG)
#define R0   ((bsdvm_addr_t)0x210000) /* R: anon R/RW, 2 pages, written before */
#define N0   ((bsdvm_addr_t)0x220000) /* N: anon NONE/RW, 2 pages */
#define U0   ((bsdvm_addr_t)0x230000) /* U: anon RW/ALL UNSPLITTABLE, 4 pages */
#define S0   ((bsdvm_addr_t)0x240000) /* S: shared anonymous, 4 pages */
#define FS0  ((bsdvm_addr_t)0x250000) /* FS: shared view of O2 (2 pages), 4 pages */
#define FP0  ((bsdvm_addr_t)0x260000) /* FP: private view of O2, 4 pages, read */
#define G0   ((bsdvm_addr_t)0x270000) /* G: guard, 2 pages */
#define W2   ((bsdvm_addr_t)0x27c000) /* W2: 1 page system-wired, a hole after it */
#define W0   ((bsdvm_addr_t)0x280000) /* W: 2 pages system-wired, then WA: 2 unwired */
#define UW0  ((bsdvm_addr_t)0x290000) /* UW: 2 pages user-wired */
#define AR0  ((bsdvm_addr_t)0x2a0000) /* AR: a RW page, then a R page */
#define AN0  ((bsdvm_addr_t)0x2b0000) /* AN: a RW page, then a NONE page */
#define FW0  ((bsdvm_addr_t)0x2c0000) /* FW: private view of OW (unreadable fd) */
#define E0   ((bsdvm_addr_t)0x2d0000) /* E: anon RW, 4 pages, never touched */
#define HOLE ((bsdvm_addr_t)0x800000) /* free */
#define STK  (16 * PG)                /* every stack reservation */
#define SD0  ((bsdvm_addr_t)0x1000000) /* grows down: gap + guard, stack at top */
#define SD1  (SD0 + STK)
#define SU0  ((bsdvm_addr_t)0x1100000) /* grows up */
#define SU1  (SU0 + STK)
#define SO0  ((bsdvm_addr_t)0x1200000) /* grows down, stack entry unmapped */
#define SO1  (SO0 + STK)
#define SGROW (4 * PG)                /* the systems' sgrowsiz */
#define T0   (VMAX - 2 * PG)          /* T: 2 pages touching max, written */
#define TMAX TOP(PG)                  /* top vmspace [TMIN, TMAX) */
#define TMIN TOP(0x100000)
#define KW0  ((bsdvm_addr_t)0xffff800000000000ull) /* small system's kernel window */
#define SMALL_FRAMES 8

#define BIG  ((uint64_t)0 - PG)       /* 2^64 - one page */

/* ------------------------------------------------------------------ */
/* the fixture */

enum {
	V_MAIN,   /* everything above, bottom-up */
	V_WX,     /* TOPDOWN | WXORX, one RW entry at A0 */
	V_TOP,    /* [TMIN, TMAX), last 2 pages written; held by the process too */
	V_SMALL,  /* system 2 (8 frames, no swap): 16 pages at A0, 8 written,
		   * the first 2 wired;
		   * 8 pages at E0 never touched */
	V_KERN,   /* kernel of system 1: 2 pages of kmem written */
	V_KERN2,  /* kernel of system 2: empty, window of 4 pages */
	M_PLAIN,  /* a plain map with one anon entry at A0 */
	NMAPS,
	V_NULL = 90,
	V_NONE = 91
};
#define NVMS M_PLAIN

enum { OBJ_NONE, OBJ_O2, OBJ_RO, OBJ_WO };
#define MM_ADDRP_NULL 0x100u

static struct fixture {
	struct bsdvm_sys *sys, *sys2;
	struct vmspace *vm[NVMS];
	struct vm_map *plain;
	struct proc *proc;
	struct vm_object *o2, *oro, *owo;
	bsdvm_addr_t kva;
} F;

static int g_fd_ro = -1, g_fd_wo = -1;
static char g_path[64];
static const char *g_row = "fixture";
static uint64_t g_fail_k; /* SWEEP: the allocation to fail, 0 = none */

static void die(const char *what, int line)
{
	fprintf(stderr, "fixture: %s failed (line %d)\n", what, line);
	exit(2);
}
#define MUST(call)                                                               \
	do {                                                                     \
		if ((call) != KERN_SUCCESS)                                      \
			die(#call, __LINE__);                                    \
	} while (0)

static struct vm_map *map_of(int sel)
{
	return sel == M_PLAIN ? F.plain : bsdvm_vmspace_map(F.vm[sel]);
}

static struct vmspace *vm_of(int sel)
{
	return sel == V_NULL || sel == V_NONE ? NULL : F.vm[sel];
}

/* the byte the fixture wrote at addr of vmspace sel */
static uint8_t pat(int sel, bsdvm_addr_t addr)
{
	if (sel == V_MAIN && addr >= FP0 && addr < FP0 + 4 * PG)
		addr = addr - FP0 + FS0; /* FP shows the object FS wrote */
	return (uint8_t)((addr >> 12) * 7u + (addr & 0xfff) * 13u + (unsigned)sel * 29u + 1u);
}

static void fx_put(int sel, bsdvm_addr_t a, bsdvm_size_t len)
{
	static uint8_t buf[16 * 0x1000];
	bsdvm_size_t i;

	for (i = 0; i < len; i++)
		buf[i] = pat(sel, a + i);
	MUST(bsdvm_copyout(F.vm[sel], buf, a, (size_t)len, NULL));
}

static void fx_mmap(int sel, bsdvm_addr_t a, bsdvm_size_t len, bsdvm_prot_t prot,
    bsdvm_prot_t max, uint32_t flags, struct vm_object *obj)
{
	bsdvm_addr_t addr = a;

	MUST(bsdvm_vmspace_mmap(F.vm[sel], &addr, len, prot, max,
	    flags | BSDVM_MAPF_FIXED | BSDVM_MAPF_EXCL, obj, 0));
}

static struct bsdvm_sys *fx_sys(uint64_t frames, uint64_t swap, bsdvm_addr_t kmin,
    bsdvm_addr_t kmax)
{
	struct bsdvm_sys_params p;
	struct bsdvm_sys *s = NULL;

	memset(&p, 0, sizeof(p));
	p.frames = frames;
	p.swap_pages = swap;
	p.kernel_min = kmin;
	p.kernel_max = kmax;
	p.sgrowsiz = SGROW;
	p.stack_guard_pages = 1;
	MUST(bsdvm_sys_create(&p, &s));
	return s;
}

static void fx_init(void)
{
	struct bsdvm_map_params mp = { .min = VMIN, .max = VMAX };
	struct bsdvm_entry_attrs a;
	struct bsdvm_stackinfo si;
	struct vm_map *m;
	uint8_t tmp[2 * 0x1000];

	F.sys = fx_sys(512, 64, 0, 0);
	F.sys2 = fx_sys(SMALL_FRAMES, 0, KW0, KW0 + 4 * PG);

	/* the main vmspace */
	MUST(bsdvm_vmspace_create(F.sys, VMIN, VMAX, 0, &F.vm[V_MAIN]));
	m = bsdvm_vmspace_map(F.vm[V_MAIN]);
	fx_mmap(V_MAIN, A0, 4 * PG, VM_PROT_RW, VM_PROT_ALL, 0, NULL);
	fx_put(V_MAIN, A0, 4 * PG);
	fx_mmap(V_MAIN, R0, 2 * PG, VM_PROT_RW, VM_PROT_RW, 0, NULL);
	fx_put(V_MAIN, R0, 2 * PG);
	MUST(bsdvm_map_protect(m, R0, R0 + 2 * PG, VM_PROT_READ, 0, BSDVM_PROTECT_SET_PROT));
	fx_mmap(V_MAIN, N0, 2 * PG, VM_PROT_NONE, VM_PROT_RW, 0, NULL);
	a = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL);
	a.eflags = MAP_ENTRY_UNSPLITTABLE;
	MUST(bsdvm_map_insert(m, U0, U0 + 4 * PG, &a));
	fx_put(V_MAIN, U0, 4 * PG);
	fx_mmap(V_MAIN, S0, 4 * PG, VM_PROT_RW, VM_PROT_RW, BSDVM_MAPF_SHARED, NULL);
	fx_put(V_MAIN, S0, 4 * PG);
	MUST(bsdvm_object_anon(F.sys, 2 * PG, &F.o2));
	fx_mmap(V_MAIN, FS0, 4 * PG, VM_PROT_RW, VM_PROT_RW, BSDVM_MAPF_SHARED, F.o2);
	fx_put(V_MAIN, FS0, 2 * PG);
	fx_mmap(V_MAIN, FP0, 4 * PG, VM_PROT_RW, VM_PROT_RW, 0, F.o2);
	MUST(bsdvm_copyin(F.vm[V_MAIN], FP0, tmp, sizeof(tmp), NULL));
	a = bsdvm_attrs_anon(VM_PROT_NONE, VM_PROT_NONE);
	a.eflags = MAP_ENTRY_GUARD;
	MUST(bsdvm_map_insert(m, G0, G0 + 2 * PG, &a));
	fx_mmap(V_MAIN, W2, PG, VM_PROT_RW, VM_PROT_ALL, 0, NULL);
	fx_put(V_MAIN, W2, PG);
	MUST(bsdvm_map_wire(m, W2, W2 + PG, 0));
	fx_mmap(V_MAIN, W0, 2 * PG, VM_PROT_RW, VM_PROT_ALL, 0, NULL);
	fx_put(V_MAIN, W0, 2 * PG);
	MUST(bsdvm_map_wire(m, W0, W0 + 2 * PG, 0));
	fx_mmap(V_MAIN, W0 + 2 * PG, 2 * PG, VM_PROT_RW, VM_PROT_ALL, BSDVM_MAPF_NOMERGE, NULL);
	fx_put(V_MAIN, W0 + 2 * PG, 2 * PG);
	fx_mmap(V_MAIN, UW0, 2 * PG, VM_PROT_RW, VM_PROT_ALL, 0, NULL);
	fx_put(V_MAIN, UW0, 2 * PG);
	MUST(bsdvm_map_wire(m, UW0, UW0 + 2 * PG, BSDVM_WIRE_USER));
	fx_mmap(V_MAIN, AR0, 2 * PG, VM_PROT_RW, VM_PROT_RW, 0, NULL);
	fx_put(V_MAIN, AR0, 2 * PG);
	MUST(bsdvm_map_protect(m, AR0 + PG, AR0 + 2 * PG, VM_PROT_READ, 0,
	    BSDVM_PROTECT_SET_PROT));
	fx_mmap(V_MAIN, AN0, 2 * PG, VM_PROT_RW, VM_PROT_RW, 0, NULL);
	fx_put(V_MAIN, AN0, PG);
	MUST(bsdvm_map_protect(m, AN0 + PG, AN0 + 2 * PG, VM_PROT_NONE, 0,
	    BSDVM_PROTECT_SET_PROT));
	MUST(bsdvm_object_file(F.sys, g_fd_ro, 2 * PG, false, &F.oro));
	MUST(bsdvm_object_file(F.sys, g_fd_wo, 2 * PG, true, &F.owo));
	fx_mmap(V_MAIN, FW0, 2 * PG, VM_PROT_RW, VM_PROT_RW, 0, F.owo);
	fx_mmap(V_MAIN, E0, 4 * PG, VM_PROT_RW, VM_PROT_RW, 0, NULL);
	MUST(bsdvm_map_stack(m, SD0, STK, VM_PROT_RW, VM_PROT_ALL, MAP_ENTRY_GROWS_DOWN));
	fx_put(V_MAIN, SD1 - SGROW, SGROW);
	MUST(bsdvm_map_stack(m, SU0, STK, VM_PROT_RW, VM_PROT_ALL, MAP_ENTRY_GROWS_UP));
	fx_put(V_MAIN, SU0, SGROW);
	MUST(bsdvm_map_stack(m, SO0, STK, VM_PROT_RW, VM_PROT_ALL, MAP_ENTRY_GROWS_DOWN));
	MUST(bsdvm_map_delete(m, SO1 - SGROW, SO1));
	si.ssize = SGROW;
	si.maxsaddr = SD0;
	si.stacktop = SD1;
	bsdvm_vmspace_set_stackinfo(F.vm[V_MAIN], &si);
	fx_mmap(V_MAIN, T0, 2 * PG, VM_PROT_RW, VM_PROT_RW, 0, NULL);
	fx_put(V_MAIN, T0, 2 * PG);

	/* W^X, top-down */
	MUST(bsdvm_vmspace_create(F.sys, VMIN, VMAX, BSDVM_MAP_TOPDOWN | BSDVM_MAP_WXORX,
	    &F.vm[V_WX]));
	fx_mmap(V_WX, A0, 2 * PG, VM_PROT_RW, VM_PROT_RW, 0, NULL);
	fx_put(V_WX, A0, 2 * PG);

	/* at the top of the 64-bit space, shared with a process */
	MUST(bsdvm_vmspace_create(F.sys, TMIN, TMAX, 0, &F.vm[V_TOP]));
	fx_mmap(V_TOP, TMAX - 2 * PG, 2 * PG, VM_PROT_RW, VM_PROT_RW, 0, NULL);
	fx_put(V_TOP, TMAX - 2 * PG, 2 * PG);
	MUST(bsdvm_proc_create(F.sys, F.vm[V_TOP], &F.proc));

	/* the kernel of system 1 */
	F.vm[V_KERN] = bsdvm_sys_kernel(F.sys);
	F.kva = bsdvm_kmem_alloc(F.sys, 2 * PG);
	if (F.kva == 0)
		die("bsdvm_kmem_alloc", __LINE__);
	fx_put(V_KERN, F.kva, 2 * PG);

	/* system 2: every frame holds an unwired anonymous page, no swap */
	MUST(bsdvm_vmspace_create(F.sys2, VMIN, VMAX, 0, &F.vm[V_SMALL]));
	fx_mmap(V_SMALL, A0, 16 * PG, VM_PROT_RW, VM_PROT_RW, 0, NULL);
	fx_put(V_SMALL, A0, SMALL_FRAMES * PG);
	MUST(bsdvm_map_wire(bsdvm_vmspace_map(F.vm[V_SMALL]), A0, A0 + 2 * PG, 0));
	fx_mmap(V_SMALL, E0, 8 * PG, VM_PROT_RW, VM_PROT_RW, 0, NULL); /* never touched */
	F.vm[V_KERN2] = bsdvm_sys_kernel(F.sys2);

	/* a plain map */
	MUST(bsdvm_map_create(&mp, &F.plain));
	a = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL);
	MUST(bsdvm_map_insert(F.plain, A0, A0 + 2 * PG, &a));
}

/* Tears the fixture down and checks that nothing was left behind. */
static void fx_fini(void)
{
	struct bsdvm_sys_stats st;
	struct bsdvm_sys *sys[2];
	int i;

	bsdvm_proc_destroy(F.proc);
	bsdvm_vmspace_free(F.vm[V_MAIN]);
	bsdvm_vmspace_free(F.vm[V_WX]);
	bsdvm_vmspace_free(F.vm[V_TOP]);
	bsdvm_vmspace_free(F.vm[V_SMALL]);
	bsdvm_kmem_free(F.sys, F.kva, 2 * PG);
	bsdvm_object_deallocate(F.o2);
	bsdvm_object_deallocate(F.oro);
	bsdvm_object_deallocate(F.owo);
	bsdvm_map_destroy(F.plain);
	sys[0] = F.sys;
	sys[1] = F.sys2;
	for (i = 0; i < 2; i++) {
		bsdvm_sys_get_stats(sys[i], &st);
		if (st.anons != 0 || st.amaps != 0 || st.objects != 0 || st.resident != 0 ||
		    st.wired != 0 || st.swap_used != 0 || st.vmspaces != 1) {
			tu_failed++;
			fprintf(stderr, "  %s: system %d left anons %" PRIu64 " amaps %" PRIu64
			    " objects %" PRIu64 " resident %" PRIu64 " wired %" PRIu64
			    " swap %" PRIu64 " vmspaces %" PRIu64 " behind\n", g_row, i + 1,
			    st.anons, st.amaps, st.objects, st.resident, st.wired, st.swap_used,
			    st.vmspaces);
		} else {
			tu_passed++;
		}
		bsdvm_sys_destroy(sys[i]);
	}
	memset(&F, 0, sizeof(F));
}

/* the byte ranges the fixture wrote, read back after every row */
static const struct region {
	int sel;
	bsdvm_addr_t start; /* 0 with V_KERN: the kernel memory */
	bsdvm_size_t len;
} written[] = {
	{ V_MAIN, A0, 4 * PG },
	{ V_MAIN, R0, 2 * PG },
	{ V_MAIN, U0, 4 * PG },
	{ V_MAIN, S0, 4 * PG },
	{ V_MAIN, FS0, 2 * PG },
	{ V_MAIN, FP0, 2 * PG },
	{ V_MAIN, W2, PG },
	{ V_MAIN, W0, 4 * PG },
	{ V_MAIN, UW0, 2 * PG },
	{ V_MAIN, AR0, 2 * PG },
	{ V_MAIN, AN0, PG },
	{ V_MAIN, SD1 - SGROW, SGROW },
	{ V_MAIN, SU0, SGROW },
	{ V_MAIN, T0, 2 * PG },
	{ V_WX, A0, 2 * PG },
	{ V_TOP, TMAX - 2 * PG, 2 * PG },
	{ V_KERN, 0, 2 * PG },
	{ V_SMALL, A0, SMALL_FRAMES * PG },
};

static bool bytes_intact(void)
{
	static uint8_t buf[16 * 0x1000];
	bool ok = true;
	size_t i, j;

	for (i = 0; i < sizeof(written) / sizeof(written[0]); i++) {
		const struct region *r = &written[i];
		bsdvm_addr_t s = r->start != 0 ? r->start : F.kva;
		int rv = bsdvm_copyin(F.vm[r->sel], s, buf, (size_t)r->len, NULL);

		if (rv != KERN_SUCCESS) {
			fprintf(stderr, "  %s: reading back [%#" PRIx64 ", +%#" PRIx64
			    ") of map %d: %s\n", g_row, s, r->len, r->sel, bsdvm_kern_name(rv));
			ok = false;
			continue;
		}
		for (j = 0; j < r->len; j++)
			if (buf[j] != pat(r->sel, s + j)) {
				fprintf(stderr, "  %s: byte at %#" PRIx64 " of map %d changed\n",
				    g_row, s + j, r->sel);
				ok = false;
				break;
			}
	}
	return ok;
}

/* ------------------------------------------------------------------ */
/* snapshots */

struct snapshot {
	char *listing[NMAPS];
	struct bsdvm_map_stats mst[NMAPS];
	struct bsdvm_sys_stats sst[2];
	unsigned vref[NVMS];
	unsigned oref[3];
	struct bsdvm_stackinfo si;
};

static const char *const map_names[NMAPS] = {
	"main", "wx", "top", "small", "kernel", "kernel2", "plain",
};

static void snap(struct snapshot *s)
{
	int i;

	for (i = 0; i < NMAPS; i++) {
		s->listing[i] = test_map_listing(map_of(i));
		bsdvm_map_get_stats(map_of(i), &s->mst[i]);
	}
	for (i = 0; i < NVMS; i++)
		s->vref[i] = bsdvm_vmspace_refcount(F.vm[i]);
	bsdvm_sys_get_stats(F.sys, &s->sst[0]);
	bsdvm_sys_get_stats(F.sys2, &s->sst[1]);
	s->oref[0] = bsdvm_object_refcount(F.o2);
	s->oref[1] = bsdvm_object_refcount(F.oro);
	s->oref[2] = bsdvm_object_refcount(F.owo);
	bsdvm_vmspace_get_stackinfo(F.vm[V_MAIN], &s->si);
}

static void snap_free(struct snapshot *s)
{
	int i;

	for (i = 0; i < NMAPS; i++)
		free(s->listing[i]);
}

#define DIFF(field, label)                                                       \
	do {                                                                     \
		if (x->field != y->field) {                                      \
			fprintf(stderr, "  %s: system %d %s %" PRIu64 " -> %" PRIu64 \
			    "\n", g_row, i + 1, label, (uint64_t)x->field,       \
			    (uint64_t)y->field);                                 \
			same = false;                                            \
		}                                                                \
	} while (0)

static bool unchanged(const struct snapshot *a, const struct snapshot *b, unsigned opts)
{
	bool same = true;
	int i;

	for (i = 0; i < NMAPS; i++) {
		const struct bsdvm_map_stats *p = &a->mst[i], *q = &b->mst[i];

		if (strcmp(a->listing[i], b->listing[i]) != 0) {
			fprintf(stderr, "  %s: %s map listing changed\nbefore:\n%safter:\n%s",
			    g_row, map_names[i], a->listing[i], b->listing[i]);
			same = false;
		}
		if (p->nentries != q->nentries || p->size != q->size ||
		    p->largest_gap != q->largest_gap) {
			fprintf(stderr, "  %s: %s map nentries/size/largest gap changed\n", g_row,
			    map_names[i]);
			same = false;
		}
	}
	for (i = 0; i < NVMS; i++)
		if (a->vref[i] != b->vref[i]) {
			fprintf(stderr, "  %s: %s vmspace refcount %u -> %u\n", g_row,
			    map_names[i], a->vref[i], b->vref[i]);
			same = false;
		}
	for (i = 0; i < 3; i++)
		if (a->oref[i] != b->oref[i]) {
			fprintf(stderr, "  %s: object %d refcount %u -> %u\n", g_row, i,
			    a->oref[i], b->oref[i]);
			same = false;
		}
	if (a->si.ssize != b->si.ssize || a->si.maxsaddr != b->si.maxsaddr ||
	    a->si.stacktop != b->si.stacktop) {
		fprintf(stderr, "  %s: stack bookkeeping changed\n", g_row);
		same = false;
	}
	for (i = 0; i < 2; i++) {
		const struct bsdvm_sys_stats *x = &a->sst[i], *y = &b->sst[i];

		if (!(opts & O_TRACE)) {
			DIFF(free, "free");
			DIFF(resident, "resident");
			DIFF(anons, "anons");
			DIFF(amaps, "amaps");
		}
		DIFF(wired, "wired");
		DIFF(objects, "objects");
		DIFF(swap_used, "swap_used");
		DIFF(vmspaces, "vmspaces");
	}
	return same;
}

/* ------------------------------------------------------------------ */
/* rows */

struct row {
	const char *name;
	int (*call)(const struct row *r);
	int expect;
	unsigned opts;
	uint64_t a[8];
};

static void arm(void)
{
	if (g_fail_k != 0)
		bsdvm_alloc_fail_at(g_fail_k);
}

static void disarm(void)
{
	bsdvm_alloc_fail_at(0);
}

static int side_effect(const char *what)
{
	fprintf(stderr, "  %s: %s written on failure\n", g_row, what);
	return SIDE_EFFECT;
}

/* limits a row applies to the main vmspace just before its call */
enum { L_NONE, L_STACK, L_VMEM, L_MEMLOCK };

static void limits(uint64_t mode)
{
	struct bsdvm_rlimits lim = { BSDVM_RLIM_INFINITY, BSDVM_RLIM_INFINITY,
		BSDVM_RLIM_INFINITY };
	struct bsdvm_map_stats st;

	switch (mode) {
	case L_STACK: /* no room for any growth of the main stack */
		lim.stack = SGROW;
		break;
	case L_VMEM: /* no room for any growth of the map */
		bsdvm_map_get_stats(map_of(V_MAIN), &st);
		lim.vmem = st.size;
		break;
	case L_MEMLOCK: /* W2, W and UW use it all */
		lim.memlock = 5 * PG;
		break;
	default:
		return;
	}
	bsdvm_vmspace_set_limits(F.vm[V_MAIN], &lim);
}

static void limits_off(void)
{
	struct bsdvm_rlimits lim = { BSDVM_RLIM_INFINITY, BSDVM_RLIM_INFINITY,
		BSDVM_RLIM_INFINITY };

	bsdvm_vmspace_set_limits(F.vm[V_MAIN], &lim);
}

/* ---- bsdvm_sys_create ---- */

#define SC_PARAMS_NULL 0x1u
#define SC_SYSP_NULL   0x2u
#define SC_PMAP_ONLY   0x4u
#define SC_CTX_ONLY    0x8u

/* a[0] page, a[1] frames, a[2] swap, a[3] kmin, a[4] kmax, a[5] uarea,
 * a[6] sgrowsiz, a[7] SC_* */
static int t_sys_create(const struct row *r)
{
	struct bsdvm_sys_params p;
	struct bsdvm_sys *sentinel = (struct bsdvm_sys *)(void *)&g_fail_k, *s = sentinel;
	int64_t live = bsdvm_alloc_live_bytes();
	int rv;

	memset(&p, 0, sizeof(p));
	p.page_size = r->a[0];
	p.frames = r->a[1];
	p.swap_pages = r->a[2];
	p.kernel_min = r->a[3];
	p.kernel_max = r->a[4];
	p.uarea_size = r->a[5];
	p.sgrowsiz = r->a[6];
	if (r->a[7] & SC_PMAP_ONLY)
		p.pmap = pmap_soft_ops();
	if (r->a[7] & SC_CTX_ONLY)
		p.pmap_ctx = (void *)(uintptr_t)bsdvm_platform_default();
	arm();
	rv = bsdvm_sys_create((r->a[7] & SC_PARAMS_NULL) ? NULL : &p,
	    (r->a[7] & SC_SYSP_NULL) ? NULL : &s);
	disarm();
	if (rv == KERN_SUCCESS) {
		if (s != sentinel)
			bsdvm_sys_destroy(s);
		return rv;
	}
	if (s != sentinel)
		return side_effect("*sysp");
	if (bsdvm_alloc_live_bytes() != live) {
		fprintf(stderr, "  %s: %" PRId64 " bytes leaked\n", g_row,
		    bsdvm_alloc_live_bytes() - live);
		return SIDE_EFFECT;
	}
	return rv;
}

/* ---- bsdvm_object_anon / bsdvm_object_file ---- */

#define FD_RO 1000 /* a[3]: the read-only test file */

/* a[0] 0 anon / 1 file, a[1] sys NULL, a[2] size, a[3] fd, a[4] objp NULL,
 * a[5] writable */
static int t_object(const struct row *r)
{
	struct vm_object *sentinel = (struct vm_object *)(void *)&g_fail_k, *o = sentinel;
	struct bsdvm_sys *sys = r->a[1] ? NULL : F.sys;
	struct vm_object **op = r->a[4] ? NULL : &o;
	int fd = r->a[3] == FD_RO ? g_fd_ro : (int)(int64_t)r->a[3];
	int rv;

	arm();
	if (r->a[0] == 0)
		rv = bsdvm_object_anon(sys, r->a[2], op);
	else
		rv = bsdvm_object_file(sys, fd, r->a[2], r->a[5] != 0, op);
	disarm();
	if (rv == KERN_SUCCESS) {
		if (o != sentinel)
			bsdvm_object_deallocate(o);
		return rv;
	}
	return o != sentinel ? side_effect("*objp") : rv;
}

/* ---- bsdvm_vmspace_create / fork / reset ---- */

/* a[0] min, a[1] max, a[2] flags, a[3] vmp NULL */
static int t_vm_create(const struct row *r)
{
	struct vmspace *sentinel = (struct vmspace *)(void *)&g_fail_k, *v = sentinel;
	int rv;

	arm();
	rv = bsdvm_vmspace_create(F.sys, r->a[0], r->a[1], (uint32_t)r->a[2],
	    r->a[3] ? NULL : &v);
	disarm();
	if (rv == KERN_SUCCESS) {
		if (v != sentinel)
			bsdvm_vmspace_free(v);
		return rv;
	}
	return v != sentinel ? side_effect("*vmp") : rv;
}

/* a[0] vmspace, a[1] childp NULL */
static int t_fork(const struct row *r)
{
	struct vmspace *sentinel = (struct vmspace *)(void *)&g_fail_k, *c = sentinel;
	int rv;

	arm();
	rv = bsdvm_vmspace_fork(vm_of((int)r->a[0]), r->a[1] ? NULL : &c);
	disarm();
	if (rv == KERN_SUCCESS) {
		if (c != sentinel)
			bsdvm_vmspace_free(c);
		return rv;
	}
	return c != sentinel ? side_effect("*childp") : rv;
}

/* a[0] vmspace, a[1] min, a[2] max */
static int t_reset(const struct row *r)
{
	return bsdvm_vmspace_reset(vm_of((int)r->a[0]), r->a[1], r->a[2]);
}

/* ---- bsdvm_vmspace_mmap ---- */

static struct vm_object *obj_of(uint64_t sel)
{
	switch (sel & 0xff) {
	case OBJ_O2:
		return F.o2;
	case OBJ_RO:
		return F.oro;
	case OBJ_WO:
		return F.owo;
	default:
		return NULL;
	}
}

/* a[0] vmspace, a[1] address/hint, a[2] length, a[3] prot, a[4] maxprot,
 * a[5] flags, a[6] object | MM_ADDRP_NULL, a[7] offset */
static int t_mmap(const struct row *r)
{
	bsdvm_addr_t addr = r->a[1];
	int rv;

	arm();
	rv = bsdvm_vmspace_mmap(vm_of((int)r->a[0]), (r->a[6] & MM_ADDRP_NULL) ? NULL : &addr,
	    r->a[2], (bsdvm_prot_t)r->a[3], (bsdvm_prot_t)r->a[4], (uint32_t)r->a[5],
	    obj_of(r->a[6]), r->a[7]);
	disarm();
	if (rv != KERN_SUCCESS && addr != r->a[1])
		return side_effect("*addrp");
	return rv;
}

/* ---- bsdvm_fault ---- */

/* a[0] map, a[1] address, a[2] access, a[3] limits, a[4] address is
 * relative to the fixture's kernel memory */
static int t_fault(const struct row *r)
{
	bsdvm_addr_t a = r->a[4] ? F.kva + r->a[1] : r->a[1];
	int rv;

	limits(r->a[3]);
	rv = bsdvm_fault(map_of((int)r->a[0]), a, (bsdvm_prot_t)r->a[2]);
	limits_off();
	return rv;
}

/* ---- bsdvm_copyin / bsdvm_copyout ---- */

#define DONE_KEEP UINT64_MAX /* a[4]: *done must not be touched */
#define DONE_SENTINEL ((size_t)0x5eed5eed)
#define CBUF (64 * 1024)

/* a[0] vmspace, a[1] uaddr, a[2] len, a[3] 0 in / 1 out, a[4] expected
 * *done, a[5] buf NULL, a[6] limits, a[7] done NULL */
static int t_copy(const struct row *r)
{
	static uint8_t buf[CBUF];
	int sel = (int)r->a[0];
	size_t len = (size_t)r->a[2], done = DONE_SENTINEL, want, i, lim;
	void *b = r->a[5] ? NULL : buf;
	int rv;

	want = r->a[4] == DONE_KEEP ? DONE_SENTINEL : (size_t)r->a[4];
	if (r->a[4] != DONE_KEEP && want > CBUF) {
		fprintf(stderr, "  %s: row expects more progress than the buffer holds\n", g_row);
		return BAD_DONE;
	}
	/* copyout sends exactly what is there already for the part that must
	 * be moved, and foreign bytes beyond it */
	for (i = 0; i < CBUF; i++)
		buf[i] = (r->a[3] && r->a[4] != DONE_KEEP && i < want && sel < NVMS) ?
		    pat(sel, r->a[1] + i) : 0xEE;
	limits(r->a[6]);
	if (r->a[3])
		rv = bsdvm_copyout(vm_of(sel), b, r->a[1], len, r->a[7] ? NULL : &done);
	else
		rv = bsdvm_copyin(vm_of(sel), r->a[1], b, len, r->a[7] ? NULL : &done);
	limits_off();
	if (r->a[7])
		done = want;
	if (done != want) {
		fprintf(stderr, "  %s: *done = %#zx, expected %#zx\n", g_row, done, want);
		return BAD_DONE;
	}
	if (!r->a[3] && r->a[4] != DONE_KEEP) {
		lim = len < CBUF ? len : CBUF;
		for (i = 0; i < lim; i++)
			if (i < want ? buf[i] != pat(sel, r->a[1] + i) : buf[i] != 0xEE) {
				fprintf(stderr, "  %s: copyin buffer wrong at +%#zx\n", g_row, i);
				return BAD_BYTES;
			}
	}
	return rv;
}

/* ---- bsdvm_map_wire / bsdvm_map_unwire ---- */

/* a[0] map, a[1] start, a[2] end, a[3] flags, a[4] unwire, a[5] limits */
static int t_wire(const struct row *r)
{
	struct vm_map *m = map_of((int)r->a[0]);
	int rv;

	limits(r->a[5]);
	arm();
	if (r->a[4])
		rv = bsdvm_map_unwire(m, r->a[1], r->a[2], (uint32_t)r->a[3]);
	else
		rv = bsdvm_map_wire(m, r->a[1], r->a[2], (uint32_t)r->a[3]);
	disarm();
	limits_off();
	return rv;
}

/* ---- bsdvm_map_stack / bsdvm_map_growstack ---- */

/* a[0] map, a[1] addrbos, a[2] max_ssize, a[3] prot, a[4] max, a[5] cow,
 * a[6] limits */
static int t_stack(const struct row *r)
{
	int rv;

	limits(r->a[6]);
	arm();
	rv = bsdvm_map_stack(map_of((int)r->a[0]), r->a[1], r->a[2], (bsdvm_prot_t)r->a[3],
	    (bsdvm_prot_t)r->a[4], (uint32_t)r->a[5]);
	disarm();
	limits_off();
	return rv;
}

/* a[0] map, a[1] address, a[2] limits */
static int t_grow(const struct row *r)
{
	int rv;

	limits(r->a[2]);
	arm();
	rv = bsdvm_map_growstack(map_of((int)r->a[0]), r->a[1]);
	disarm();
	limits_off();
	return rv;
}

/* ---- processes ---- */

/* a[0] sys NULL, a[1] vmspace or V_NONE, a[2] pp NULL */
static int t_proc(const struct row *r)
{
	struct proc *sentinel = (struct proc *)(void *)&g_fail_k, *p = sentinel;
	int rv;

	arm();
	rv = bsdvm_proc_create(r->a[0] ? NULL : F.sys, vm_of((int)r->a[1]),
	    r->a[2] ? NULL : &p);
	disarm();
	if (rv == KERN_SUCCESS) {
		if (p != sentinel)
			bsdvm_proc_destroy(p);
		return rv;
	}
	return p != sentinel ? side_effect("*pp") : rv;
}

/* ---- kernel memory and u-areas ---- */

static struct bsdvm_sys *sys_of(uint64_t sel)
{
	return sel == 2 ? F.sys2 : F.sys;
}

/* a[0] system (1 or 2), a[1] size */
static int t_kmem(const struct row *r)
{
	bsdvm_addr_t a;

	arm();
	a = bsdvm_kmem_alloc(sys_of(r->a[0]), r->a[1]);
	disarm();
	if (a == 0)
		return RET_ZERO;
	bsdvm_kmem_free(sys_of(r->a[0]), a, r->a[1]);
	return RET_ADDR;
}

/* a[0] system, a[1] address, a[2] size, a[3] address is relative to the
 * fixture's kernel memory */
static int t_kfree(const struct row *r)
{
	bsdvm_addr_t a = r->a[3] ? F.kva + r->a[1] : r->a[1];

	bsdvm_kmem_free(sys_of(r->a[0]), a, r->a[2]);
	return RET_VOID;
}

/* a[0] system, a[1] system u-area */
static int t_uarea(const struct row *r)
{
	bsdvm_addr_t a;

	arm();
	a = bsdvm_uarea_alloc(sys_of(r->a[0]), r->a[1] != 0);
	disarm();
	if (a == 0)
		return RET_ZERO;
	bsdvm_uarea_free(sys_of(r->a[0]), a, r->a[1] != 0);
	return RET_ADDR;
}

/* a[0] which NULL-tolerant release */
static int t_release_null(const struct row *r)
{
	switch (r->a[0]) {
	case 0:
		bsdvm_proc_destroy(NULL);
		break;
	case 1:
		bsdvm_vmspace_free(NULL);
		break;
	case 2:
		bsdvm_object_deallocate(NULL);
		break;
	case 3:
		bsdvm_sys_destroy(NULL);
		break;
	case 4:
		bsdvm_uarea_free(F.sys, 0, false);
		break;
	default:
		bsdvm_uarea_free(F.sys, 0, true);
		break;
	}
	return RET_VOID;
}

/* ------------------------------------------------------------------ */
/* THE TABLE */

#define ROW(name, fn, code, opts, ...) { name, fn, code, opts, { __VA_ARGS__ } }
#define U64(x) ((uint64_t)(x))

/* sys_create(page, frames, swap, kmin, kmax, uarea, sgrowsiz, bits) */
#define SYSC(name, code, ...) ROW("sys_create: " name, t_sys_create, code, 0, __VA_ARGS__)
/* object(kind, sysnull, size, fd, objpnull, writable) */
#define OBJA(name, code, ...) ROW("object_anon: " name, t_object, code, 0, 0, __VA_ARGS__)
#define OBJF(name, code, ...) ROW("object_file: " name, t_object, code, 0, 1, __VA_ARGS__)
/* vmspace_create(min, max, flags, vmpnull) */
#define VMC(name, code, ...) ROW("vmspace_create: " name, t_vm_create, code, 0, __VA_ARGS__)
/* fault(map, addr, access, limits) */
#define FLT(name, code, ...) ROW("fault: " name, t_fault, code, 0, __VA_ARGS__)
/* copy(vm, uaddr, len, dir, done, bufnull, limits) */
#define CIN(name, code, vm, ua, len, done, ...)                                   \
	ROW("copyin: " name, t_copy, code, 0, vm, U64(ua), U64(len), 0, U64(done), __VA_ARGS__)
#define COUT(name, code, vm, ua, len, done, ...)                                  \
	ROW("copyout: " name, t_copy, code, 0, vm, U64(ua), U64(len), 1, U64(done), __VA_ARGS__)
/* wire(map, start, end, flags, unwire, limits) */
#define WIRE(name, code, m, s, e, f, ...)                                         \
	ROW("map_wire: " name, t_wire, code, 0, m, U64(s), U64(e), f, 0, __VA_ARGS__)
#define UNWIRE(name, code, m, s, e, f, ...)                                       \
	ROW("map_unwire: " name, t_wire, code, 0, m, U64(s), U64(e), f, 1, __VA_ARGS__)
/* both of them */
#define WIRE2(name, code, m, s, e, f)                                             \
	WIRE(name, code, m, s, e, f, 0), UNWIRE(name, code, m, s, e, f, 0)
/* stack(map, addrbos, size, prot, max, cow, limits) */
#define STACK(name, code, ...) ROW("map_stack: " name, t_stack, code, 0, __VA_ARGS__)
/* growstack(map, addr, limits) */
#define GROW(name, code, ...) ROW("map_growstack: " name, t_grow, code, 0, __VA_ARGS__)

#define RWX VM_PROT_ALL
#define RW  VM_PROT_RW
#define RD  VM_PROT_READ
#define DN  MAP_ENTRY_GROWS_DOWN
#define UP  MAP_ENTRY_GROWS_UP
#define HOLESOK BSDVM_WIRE_HOLESOK
#define WUSER   BSDVM_WIRE_USER
#define WALL    BSDVM_WIRE_ALL

static const struct row table[] = {
	/* ---- bsdvm_sys_create ---- */
	SYSC("sysp NULL", IA, 0, 64, 0, 0, 0, 0, 0, SC_SYSP_NULL),
	SYSC("params NULL and sysp NULL", IA, 0, 0, 0, 0, 0, 0, 0, SC_PARAMS_NULL | SC_SYSP_NULL),
	SYSC("page 12K (not a power of two)", IA, 12288, 64, 0, 0, 0, 0, 0, 0),
	SYSC("page 4K+1", IA, 4097, 64, 0, 0, 0, 0, 0, 0),
	SYSC("page 2K (< 4K)", IA, 2048, 64, 0, 0, 0, 0, 0, 0),
	SYSC("page 1", IA, 1, 64, 0, 0, 0, 0, 0, 0),
	SYSC("page 128K (> 64K)", IA, 131072, 64, 0, 0, 0, 0, 0, 0),
	SYSC("page 2^63", IA, U64(1) << 63, 64, 0, 0, 0, 0, 0, 0),
	SYSC("uarea_size not a page multiple", IA, 0, 64, 0, 0, 0, 4 * PG + 1, 0, 0),
	SYSC("uarea_size half a page", IA, 0, 64, 0, 0, 0, PG / 2, 0, 0),
	SYSC("uarea_size 4K with 16K pages", IA, 16384, 64, 0, 0, 0, PG, 0, 0),
	SYSC("sgrowsiz below a page", IA, 0, 64, 0, 0, 0, 0, PG / 2, 0),
	SYSC("sgrowsiz not a page multiple", IA, 0, 64, 0, 0, 0, 0, 3 * PG / 2, 0),
	SYSC("sgrowsiz 4K with 64K pages", IA, 65536, 64, 0, 0, 0, 0, PG, 0),
	SYSC("pmap without pmap_ctx", IA, 0, 64, 0, 0, 0, 0, 0, SC_PMAP_ONLY),
	SYSC("pmap_ctx without pmap", IA, 0, 64, 0, 0, 0, 0, 0, SC_CTX_ONLY),
	SYSC("frames beyond size_t", IA, 0, UINT64_MAX, 0, 0, 0, 0, 0, 0),
	SYSC("frames * page just beyond size_t", IA, 0, (SIZE_MAX / 4096) + 1, 0, 0, 0, 0, 0, 0),
	SYSC("swap_pages beyond size_t", IA, 0, 64, UINT64_MAX, 0, 0, 0, 0, 0),
	SYSC("swap * 64K page beyond size_t", IA, 65536, 64, (SIZE_MAX / 65536) + 1, 0, 0, 0, 0,
	    0),
	SYSC("kernel_min == kernel_max", IA, 0, 64, 0, KW0, KW0, 0, 0, 0),
	SYSC("kernel_min > kernel_max", IA, 0, 64, 0, KW0 + 16 * PG, KW0, 0, 0, 0),
	SYSC("kernel_min set, kernel_max 0 (2^64)", IA, 0, 64, 0, KW0, 0, 0, 0, 0),
	SYSC("kernel_min not page aligned", IA, 0, 64, 0, KW0 + 1, KW0 + 16 * PG, 0, 0, 0),
	SYSC("kernel_max not page aligned", IA, 0, 64, 0, KW0, KW0 + 16 * PG + 8, 0, 0, 0),
	SYSC("kernel window not aligned to 64K pages", IA, 65536, 64, 0, KW0 + PG,
	    KW0 + 0x100000, 0, 0, 0),
	SYSC("kernel_max 2^64 - 1", IA, 0, 64, 0, KW0, UINT64_MAX, 0, 0, 0),
	ROW("sys_create: allocation fails", t_sys_create, RS, O_SWEEP, 0, 64, 16, 0, 0, 0, 0, 0),

	/* ---- bsdvm_object_anon / bsdvm_object_file ---- */
	OBJA("sys NULL", IA, 1, 2 * PG, 0, 0, 0),
	OBJA("objp NULL", IA, 0, 2 * PG, 0, 1, 0),
	OBJA("size 0", IA, 0, 0, 0, 0, 0),
	OBJA("size not a page multiple", IA, 0, PG + 1, 0, 0, 0),
	OBJA("size half a page", IA, 0, PG / 2, 0, 0, 0),
	OBJA("size 2^64 - 1", IA, 0, UINT64_MAX, 0, 0, 0),
	ROW("object_anon: allocation fails", t_object, RS, O_SWEEP, 0, 0, 2 * PG, 0, 0, 0),
	OBJF("sys NULL", IA, 1, 2 * PG, FD_RO, 0, 0),
	OBJF("objp NULL", IA, 0, 2 * PG, FD_RO, 1, 0),
	OBJF("size 0", IA, 0, 0, FD_RO, 0, 0),
	OBJF("size not a page multiple", IA, 0, 2 * PG - 1, FD_RO, 0, 1),
	OBJF("fd -1", IA, 0, 2 * PG, U64(-1), 0, 0),
	OBJF("fd INT_MIN", IA, 0, 2 * PG, U64((int64_t)INT32_MIN), 0, 1),
	ROW("object_file: allocation fails", t_object, RS, O_SWEEP, 1, 0, 2 * PG, FD_RO, 0, 0),

	/* ---- bsdvm_vmspace_create ---- */
	VMC("vmp NULL", IA, VMIN, VMAX, 0, 1),
	VMC("unknown flag 0x20", IA, VMIN, VMAX, 0x20, 0),
	VMC("ALIGN_INDEX and NO_ALIGN_INDEX", IA, VMIN, VMAX,
	    BSDVM_MAP_ALIGN_INDEX | BSDVM_MAP_NO_ALIGN_INDEX, 0),
	VMC("unknown flag 0x80000000", IA, VMIN, VMAX, 0x80000000u, 0),
	VMC("min == max", IA, VMIN, VMIN, 0, 0),
	VMC("min > max", IA, VMAX, VMIN, 0, 0),
	VMC("min == max == 0", IA, 0, 0, 0, 0),
	VMC("min not page aligned", IA, VMIN + 1, VMAX, 0, 0),
	VMC("max not page aligned", IA, VMIN, VMAX + 0x800, 0, 0),
	VMC("max 2^64 - 1", IA, VMIN, UINT64_MAX, 0, 0),
	VMC("max 2^64 (wraps to 0)", IA, VMIN, 0, 0, 0),
	ROW("vmspace_create: allocation fails", t_vm_create, RS, O_SWEEP, VMIN, VMAX, 0, 0),

	/* ---- bsdvm_vmspace_fork ---- */
	ROW("vmspace_fork: childp NULL", t_fork, IA, 0, V_MAIN, 1),
	ROW("vmspace_fork: childp NULL (W^X vmspace)", t_fork, IA, 0, V_WX, 1),
	ROW("vmspace_fork: allocation fails", t_fork, RS, O_SWEEP, V_MAIN, 0),
	ROW("vmspace_fork: no frame for the copies of wired pages", t_fork, RS, 0, V_SMALL, 0),

	/* ---- bsdvm_vmspace_reset ---- */
	ROW("vmspace_reset: second reference (a process)", t_reset, FL, 0, V_TOP, TMIN, TMAX),
	ROW("vmspace_reset: second reference, other window", t_reset, FL, 0, V_TOP, VMIN, VMAX),
	ROW("vmspace_reset: min == max", t_reset, IA, 0, V_MAIN, VMIN, VMIN),
	ROW("vmspace_reset: min > max", t_reset, IA, 0, V_MAIN, VMAX, VMIN),
	ROW("vmspace_reset: min == max == 0", t_reset, IA, 0, V_MAIN, 0, 0),
	ROW("vmspace_reset: min not page aligned", t_reset, IA, 0, V_MAIN, VMIN + 8, VMAX),
	ROW("vmspace_reset: max not page aligned", t_reset, IA, 0, V_MAIN, VMIN, VMAX - 1),
	ROW("vmspace_reset: max 2^64 - 1", t_reset, IA, 0, V_MAIN, VMIN, UINT64_MAX),
	ROW("vmspace_reset: max 2^64 (wraps to 0)", t_reset, IA, 0, V_MAIN, VMIN, 0),

	/* ---- bsdvm_vmspace_mmap: rows outside the flag matrix (below) ---- */
	ROW("mmap: sweep, shared anonymous", t_mmap, RS, O_SWEEP, V_MAIN, HOLE, 2 * PG, RW, RW,
	    BSDVM_MAPF_SHARED, OBJ_NONE, 0),
	ROW("mmap: sweep, fixed over entries", t_mmap, RS, O_SWEEP, V_MAIN, A0 + PG, 4 * PG, RW,
	    RW, BSDVM_MAPF_FIXED, OBJ_NONE, 0),
	ROW("mmap: sweep, fixed shared object", t_mmap, RS, O_SWEEP, V_MAIN, A0 + PG, 2 * PG,
	    RW, RW, BSDVM_MAPF_FIXED | BSDVM_MAPF_SHARED, OBJ_O2, 0),

	/* ---- bsdvm_fault ---- */
	FLT("plain map", IA, M_PLAIN, A0, RD, 0),
	FLT("access bit 0x8", IA, V_MAIN, A0, 0x8, 0),
	FLT("access READ|0x10", IA, V_MAIN, A0, RD | 0x10, 0),
	FLT("access 0xff", IA, V_MAIN, A0, 0xff, 0),
	FLT("unmapped", IAD, V_MAIN, HOLE, RD, 0),
	FLT("just past an entry", IAD, V_MAIN, A1, RW, 0),
	FLT("below min", IAD, V_MAIN, VMIN - PG, RD, 0),
	FLT("at max", IAD, V_MAIN, VMAX, RD, 0),
	FLT("address 0", IAD, V_MAIN, 0, RD, 0),
	FLT("address 2^64 - 1", IAD, V_MAIN, UINT64_MAX, RD, 0),
	FLT("address 2^64 - 1 (top vmspace)", IAD, V_TOP, UINT64_MAX, RW, 0),
	FLT("kernel hole", IAD, V_KERN, KW0 + 0x40000000, RD, 0),
	FLT("write to a read-only entry", PF, V_MAIN, R0, VM_PROT_WRITE, 0),
	FLT("execute a read-only entry", PF, V_MAIN, R0 + PG, VM_PROT_EXECUTE, 0),
	FLT("execute a RW entry (max ALL)", PF, V_MAIN, A0, VM_PROT_EXECUTE, 0),
	FLT("read a NONE entry", PF, V_MAIN, N0, RD, 0),
	FLT("write the NONE page after a RW page", PF, V_MAIN, AN0 + PG, VM_PROT_WRITE, 0),
	FLT("read a guard", PF, V_MAIN, G0, RD, 0),
	FLT("read the guard of a down stack", PF, V_MAIN, SD0, RD, 0),
	FLT("write the guard of an up stack", PF, V_MAIN, SU1 - 1, VM_PROT_WRITE, 0),
	FLT("gap whose stack was unmapped", PF, V_MAIN, SO1 - SGROW - PG, RD, 0),
	FLT("main stack gap beyond the stack limit", PF, V_MAIN, SD1 - SGROW - PG, RW, L_STACK),
	FLT("down stack gap beyond the vmem limit", PF, V_MAIN, SD1 - SGROW - PG, RW, L_VMEM),
	FLT("up stack gap beyond the vmem limit", PF, V_MAIN, SU0 + SGROW, RW, L_VMEM),
	FLT("read past the object (shared)", IAD, V_MAIN, FS0 + 2 * PG, RD, 0),
	FLT("write past the object (shared)", IAD, V_MAIN, FS0 + 3 * PG, RW, 0),
	FLT("read past the object (private)", IAD, V_MAIN, FP0 + 2 * PG, RD, 0),
	FLT("write past the object (private)", IAD, V_MAIN, FP0 + 2 * PG, RW, 0),
	FLT("read a file that cannot be read", FL, V_MAIN, FW0, RD, 0),
	FLT("write a private file that cannot be read", FL, V_MAIN, FW0 + PG, RW, 0),
	FLT("no frame (write)", RS, V_SMALL, A0 + SMALL_FRAMES * PG, RW, 0),
	FLT("no frame (read of untouched memory)", RS, V_SMALL, A0 + 15 * PG, RD, 0),
	FLT("no frame, entry never touched", RS, V_SMALL, E0 + PG, RW, 0),

	/* ---- bsdvm_copyin / bsdvm_copyout ---- */
	CIN("vm NULL", IA, V_NULL, A0, 16, DONE_KEEP, 0, 0),
	COUT("vm NULL", IA, V_NULL, A0, 16, DONE_KEEP, 0, 0),
	CIN("buf NULL, len 1", IA, V_MAIN, A0, 1, DONE_KEEP, 1, 0),
	COUT("buf NULL, len 1", IA, V_MAIN, A0, 1, DONE_KEEP, 1, 0),
	CIN("buf NULL, len 2^64 - 1", IA, V_MAIN, A0, SIZE_MAX, DONE_KEEP, 1, 0),
	COUT("buf NULL, len 2^64 - 1", IA, V_MAIN, A0, SIZE_MAX, DONE_KEEP, 1, 0),
	CIN("buf NULL, unmapped", IA, V_MAIN, HOLE, PG, DONE_KEEP, 1, 0),
	ROW("copyin: buf NULL, len 0", t_copy, OK, O_NOOP, V_MAIN, HOLE, 0, 0, 0, 1, 0),
	ROW("copyout: buf NULL, len 0", t_copy, OK, O_NOOP, V_MAIN, R0, 0, 1, 0, 1, 0),
	CIN("unmapped", IAD, V_MAIN, HOLE, 16, 0, 0, 0),
	COUT("unmapped", IAD, V_MAIN, HOLE, 16, 0, 0, 0),
	CIN("unmapped, done NULL", IAD, V_MAIN, HOLE, 16, 0, 0, 0, 1),
	COUT("runs into a hole, done NULL", IAD, V_MAIN, A1 - 16, 32, 16, 0, 0, 1),
	CIN("vm NULL, done NULL", IA, V_NULL, A0, 16, DONE_KEEP, 0, 0, 1),
	CIN("below min", IAD, V_MAIN, VMIN - 8, 16, 0, 0, 0),
	COUT("below min", IAD, V_MAIN, VMIN - 8, 16, 0, 0, 0),
	CIN("runs into a hole", IAD, V_MAIN, A1 - 16, 32, 16, 0, 0),
	COUT("runs into a hole", IAD, V_MAIN, A1 - 16, 32, 16, 0, 0),
	CIN("len 2^64 - 1 from a mapped page", IAD, V_MAIN, A0 + 8, SIZE_MAX, 4 * PG - 8, 0, 0),
	COUT("len 2^64 - 1 from a mapped page", IAD, V_MAIN, A0 + 8, SIZE_MAX, 4 * PG - 8, 0, 0),
	CIN("runs past max", IAD, V_MAIN, VMAX - 16, 32, 16, 0, 0),
	COUT("runs past max", IAD, V_MAIN, VMAX - 16, 32, 16, 0, 0),
	CIN("at max", IAD, V_MAIN, VMAX, 8, 0, 0, 0),
	CIN("runs into the top page", IAD, V_TOP, TMAX - 16, 32, 16, 0, 0),
	COUT("runs into the top page", IAD, V_TOP, TMAX - 16, 32, 16, 0, 0),
	CIN("uaddr + len wraps past 2^64", IAD, V_TOP, TMAX - 2 * PG, SIZE_MAX, 2 * PG, 0, 0),
	COUT("uaddr + len wraps past 2^64", IAD, V_TOP, TMAX - 2 * PG, SIZE_MAX, 2 * PG, 0, 0),
	CIN("from 2^64 - 8 across 2^64", IAD, V_TOP, UINT64_MAX - 7, 16, 0, 0, 0),
	COUT("from 2^64 - 8 across 2^64", IAD, V_TOP, UINT64_MAX - 7, 16, 0, 0, 0),
	COUT("read-only entry", PF, V_MAIN, R0, 16, 0, 0, 0),
	COUT("RW page then a read-only page", PF, V_MAIN, AR0 + PG - 16, 32, 16, 0, 0),
	CIN("NONE entry", PF, V_MAIN, N0 + 8, 16, 0, 0, 0),
	COUT("NONE entry", PF, V_MAIN, N0, 16, 0, 0, 0),
	CIN("RW page then a NONE page", PF, V_MAIN, AN0 + PG - 16, 32, 16, 0, 0),
	COUT("RW page then a NONE page", PF, V_MAIN, AN0 + PG - 16, 32, 16, 0, 0),
	CIN("guard", PF, V_MAIN, G0, 16, 0, 0, 0),
	COUT("guard", PF, V_MAIN, G0 + PG, 16, 0, 0, 0),
	COUT("stack guard", PF, V_MAIN, SD0, 16, 0, 0, 0),
	COUT("main stack gap beyond the stack limit", PF, V_MAIN, SD1 - SGROW - 16, 16, 0, 0,
	    L_STACK),
	CIN("stack gap beyond the vmem limit", PF, V_MAIN, SU0 + SGROW, 16, 0, 0, L_VMEM),
	CIN("gap whose stack was unmapped", PF, V_MAIN, SO1 - SGROW - 16, 16, 0, 0, 0),
	CIN("runs past the object (shared)", IAD, V_MAIN, FS0 + 2 * PG - 16, 32, 16, 0, 0),
	COUT("runs past the object (shared)", IAD, V_MAIN, FS0 + 2 * PG - 16, 32, 16, 0, 0),
	CIN("runs past the object (private)", IAD, V_MAIN, FP0 + 2 * PG - 16, 32, 16, 0, 0),
	COUT("past the object (private)", IAD, V_MAIN, FP0 + 2 * PG, 32, 0, 0, 0),
	CIN("a file that cannot be read", FL, V_MAIN, FW0, 16, 0, 0, 0),
	COUT("a private file that cannot be read", FL, V_MAIN, FW0 + 8, 16, 0, 0, 0),
	CIN("no frame", RS, V_SMALL, A0 + SMALL_FRAMES * PG - 16, 32, 16, 0, 0),
	COUT("no frame", RS, V_SMALL, A0 + SMALL_FRAMES * PG - 16, 32, 16, 0, 0),

	/* ---- bsdvm_map_wire / bsdvm_map_unwire ---- */
	WIRE2("plain map", IA, M_PLAIN, A0, A0 + PG, 0),
	WIRE2("plain map, empty range", IA, M_PLAIN, A0, A0, 0),
	WIRE2("unknown flag 0x8", IA, V_MAIN, A0, A1, 0x8),
	WIRE2("unknown flag 0x80000000", IA, V_MAIN, W0, W0 + PG, 0x80000000u),
	WIRE("WIRE_ALL", IA, V_MAIN, A0, A1, WALL, 0),
	WIRE("WIRE_ALL|HOLESOK", IA, V_MAIN, A0, A1, WALL | HOLESOK, 0),
	WIRE("WIRE_ALL|USER", IA, V_MAIN, A0, A1, WALL | WUSER, 0),
	UNWIRE("WIRE_ALL|USER", IA, V_MAIN, UW0, UW0 + 2 * PG, WALL | WUSER, 0),
	WIRE2("start not page aligned", IA, V_MAIN, W0 + 1, W0 + PG, 0),
	WIRE2("end not page aligned", IA, V_MAIN, W0, W0 + PG + 1, 0),
	WIRE2("end < start", IA, V_MAIN, W0 + PG, W0, 0),
	WIRE2("end 2^64 (wraps to 0)", IA, V_MAIN, T0, 0, 0),
	WIRE2("below min", IAD, V_MAIN, VMIN - PG, VMIN + PG, 0),
	WIRE2("beyond max", IAD, V_MAIN, VMAX, VMAX + PG, 0),
	WIRE2("straddles max", IAD, V_MAIN, T0, VMAX + PG, 0),
	WIRE2("straddles max, HOLESOK", IAD, V_MAIN, T0, VMAX + PG, HOLESOK),
	WIRE2("a hole", IAD, V_MAIN, HOLE, HOLE + PG, 0),
	WIRE("hole between entries", IAD, V_MAIN, A0, R0 + PG, 0, 0),
	UNWIRE("hole between entries", IAD, V_MAIN, W2, W0 + PG, 0, 0),
	WIRE2("hole at the end", IAD, V_MAIN, UW0, UW0 + 3 * PG, WUSER),
	WIRE2("hole at the start", IAD, V_MAIN, W0 - PG, W0 + PG, 0),
	WIRE2("guard", IAD, V_MAIN, G0, G0 + PG, 0),
	WIRE("NONE entry", IAD, V_MAIN, N0, N0 + PG, 0, 0),
	/* a PROT_NONE entry that was never wired is a hole for unwire too (one
	 * wired before it became NONE is unwired like any other) */
	UNWIRE("NONE entry", IAD, V_MAIN, N0, N0 + PG, 0, 0),
	WIRE("RW page then a NONE page", IAD, V_MAIN, AN0, AN0 + 2 * PG, 0, 0),
	WIRE2("stack gap", IAD, V_MAIN, SD0 + PG, SD0 + 2 * PG, 0),
	WIRE("stack gap and stack", IAD, V_MAIN, SD1 - SGROW - PG, SD1, 0, 0),
	WIRE2("splits an unsplittable entry (inside)", IA, V_MAIN, U0 + PG, U0 + 2 * PG, 0),
	WIRE2("splits an unsplittable entry (end)", IA, V_MAIN, U0, U0 + PG, 0),
	WIRE2("splits an unsplittable entry, HOLESOK", IA, V_MAIN, U0 - PG, U0 + PG, HOLESOK),
	UNWIRE("unwired entry", IA, V_MAIN, A0, A1, 0, 0),
	UNWIRE("unwired entry, USER", IA, V_MAIN, A0, A0 + PG, WUSER, 0),
	UNWIRE("unwired entry, ALL", IA, V_MAIN, A0 + PG, A1, WALL, 0),
	UNWIRE("unwired entry after a hole, HOLESOK", IA, V_MAIN, A0 - PG, A1, HOLESOK, 0),
	UNWIRE("USER on a system wiring", IA, V_MAIN, W0, W0 + 2 * PG, WUSER, 0),
	UNWIRE("system on a user wiring", IA, V_MAIN, UW0, UW0 + PG, 0, 0),
	UNWIRE("wired entry then an unwired one", IA, V_MAIN, W0, W0 + 4 * PG, 0, 0),
	UNWIRE("wired entry then an unwired one, ALL", IA, V_MAIN, W0 + PG, W0 + 3 * PG, WALL, 0),
	WIRE("page past the object (shared)", IAD, V_MAIN, FS0, FS0 + 4 * PG, 0, 0),
	WIRE("page past the object (shared), USER", IAD, V_MAIN, FS0 + PG, FS0 + 3 * PG, WUSER, 0),
	ROW("map_wire: page past the object (private)", t_wire, IAD, O_TRACE, V_MAIN, FP0,
	    FP0 + 4 * PG, 0, 0, 0),
	ROW("map_wire: a private file that cannot be read", t_wire, FL, O_TRACE, V_MAIN, FW0,
	    FW0 + 2 * PG, 0, 0, 0),
	WIRE("page past the object (shared), middle of the entry", IAD, V_MAIN, FS0 + PG,
	    FS0 + 3 * PG, 0, 0),
	ROW("map_wire: page past the object (private), middle of the entry", t_wire, IAD,
	    O_TRACE, V_MAIN, FP0 + PG, FP0 + 3 * PG, 0, 0, 0),
	WIRE("beyond the memlock limit", RS, V_MAIN, A0, A1, 0, L_MEMLOCK),
	WIRE("beyond the memlock limit, USER", RS, V_MAIN, A0 + PG, A0 + 2 * PG, WUSER, L_MEMLOCK),
	WIRE("no frame", RS, V_SMALL, A0, A0 + 16 * PG, 0, 0),
	WIRE("no frame, USER", RS, V_SMALL, A0 + 4 * PG, A0 + 12 * PG, WUSER, 0),
	WIRE("no frame, entry never touched", RS, V_SMALL, E0, E0 + 8 * PG, 0, 0),
	WIRE("no frame, middle of an entry never touched", RS, V_SMALL, E0 + PG, E0 + 3 * PG,
	    0, 0),
	ROW("map_wire: allocation fails, middle of an entry never touched", t_wire, RS,
	    O_SWEEP | O_TRACE, V_MAIN, E0 + PG, E0 + 3 * PG, 0, 0, 0),

	ROW("map_wire: empty range", t_wire, OK, O_NOOP, V_MAIN, A0, A0, 0, 0, 0),
	ROW("map_unwire: empty range on unwired memory", t_wire, OK, O_NOOP, V_MAIN, A0, A0, 0, 1,
	    0),
	ROW("map_wire: empty range in a hole", t_wire, OK, O_NOOP, V_MAIN, HOLE, HOLE, 0, 0, 0),
	ROW("map_wire: HOLESOK over a hole only", t_wire, OK, O_NOOP, V_MAIN, HOLE, HOLE + 4 * PG,
	    HOLESOK, 0, 0),
	ROW("map_unwire: HOLESOK over a hole only", t_wire, OK, O_NOOP, V_MAIN, HOLE,
	    HOLE + 4 * PG, HOLESOK, 1, 0),
	ROW("map_wire: HOLESOK over a guard only", t_wire, OK, O_NOOP, V_MAIN, G0, G0 + 2 * PG,
	    HOLESOK, 0, 0),
	ROW("map_wire: USER on user-wired memory", t_wire, OK, O_NOOP, V_MAIN, UW0,
	    UW0 + 2 * PG, WUSER, 0, 0),

	/* ---- bsdvm_map_stack ---- */
	STACK("cow 0", IA, V_MAIN, HOLE, STK, RW, RWX, 0, 0),
	STACK("GROWS_DOWN|GROWS_UP", IA, V_MAIN, HOLE, STK, RW, RWX, DN | UP, 0),
	STACK("NOCOREDUMP alone", IA, V_MAIN, HOLE, STK, RW, RWX, MAP_ENTRY_NOCOREDUMP, 0),
	STACK("both directions and NOCOREDUMP", IA, V_MAIN, HOLE, STK, RW, RWX,
	    DN | UP | MAP_ENTRY_NOCOREDUMP, 0),
	STACK("unknown cow bit 0x80000000", IA, V_MAIN, HOLE, STK, RW, RWX, DN | 0x80000000u, 0),
	STACK("cow GUARD", IA, V_MAIN, HOLE, STK, RW, RWX, DN | MAP_ENTRY_GUARD, 0),
	STACK("cow USER_WIRED", IA, V_MAIN, HOLE, STK, RW, RWX, UP | MAP_ENTRY_USER_WIRED, 0),
	STACK("cow UNSPLITTABLE", IA, V_MAIN, HOLE, STK, RW, RWX, DN | MAP_ENTRY_UNSPLITTABLE, 0),
	STACK("cow STACK_GAP_DN", IA, V_MAIN, HOLE, STK, RW, RWX, DN | MAP_ENTRY_STACK_GAP_DN, 0),
	STACK("cow STACK_GAP_UP", IA, V_MAIN, HOLE, STK, RW, RWX, UP | MAP_ENTRY_STACK_GAP_UP, 0),
	STACK("cow IN_TRANSITION", IA, V_MAIN, HOLE, STK, RW, RWX, DN | MAP_ENTRY_IN_TRANSITION, 0),
	STACK("cow NEEDS_WAKEUP", IA, V_MAIN, HOLE, STK, RW, RWX, UP | MAP_ENTRY_NEEDS_WAKEUP, 0),
	STACK("cow NEEDS_COPY", IA, V_MAIN, HOLE, STK, RW, RWX, DN | MAP_ENTRY_NEEDS_COPY, 0),
	STACK("prot bit 0x8", IA, V_MAIN, HOLE, STK, RD | 0x8, 0xf, DN, 0),
	STACK("max bit 0x80", IA, V_MAIN, HOLE, STK, RW, RWX | 0x80, DN, 0),
	STACK("addrbos not page aligned", IA, V_MAIN, HOLE + 1, STK, RW, RWX, DN, 0),
	STACK("max_ssize not page aligned", IA, V_MAIN, HOLE, STK + 1, RW, RWX, DN, 0),
	STACK("max_ssize half a page", IA, V_MAIN, HOLE, PG / 2, RW, RWX, UP, 0),
	STACK("reservation of one page (the guard)", IA, V_MAIN, HOLE, PG, RW, RWX, DN, 0),
	STACK("reservation of one page, growing up", IA, V_MAIN, HOLE, PG, RW, RWX, UP, 0),
	STACK("prot above max", PF, V_MAIN, HOLE, STK, RW, RD, DN, 0),
	STACK("prot ALL above max RW", PF, V_MAIN, HOLE, STK, RWX, RW, UP, 0),
	STACK("W|X on a W^X map", PF, V_WX, HOLE, STK, RWX, RWX, DN, 0),
	STACK("max_ssize 0", NS, V_MAIN, HOLE, 0, RW, RWX, DN, 0),
	STACK("below min", NS, V_MAIN, VMIN - STK, STK, RW, RWX, DN, 0),
	STACK("straddles min", NS, V_MAIN, VMIN - PG, STK, RW, RWX, DN, 0),
	STACK("at max", NS, V_MAIN, VMAX, STK, RW, RWX, UP, 0),
	STACK("straddles max", NS, V_MAIN, VMAX - PG, STK, RW, RWX, DN, 0),
	STACK("addrbos 2^64 - one page", NS, V_MAIN, BIG, PG * 2, RW, RWX, DN, 0),
	STACK("max_ssize wraps past 2^64", NS, V_MAIN, HOLE, BIG, RW, RWX, DN, 0),
	STACK("wraps past 2^64 (top map)", NS, V_TOP, TMAX - 4 * PG, 8 * PG, RW, RWX, UP, 0),
	STACK("covers an entry", NS, V_MAIN, A0 - 8 * PG, STK, RW, RWX, DN, 0),
	STACK("starts at an entry", NS, V_MAIN, A0, STK, RW, RWX, UP, 0),
	STACK("inside an entry", NS, V_MAIN, A0 + PG, 2 * PG, RW, RWX, DN, 0),
	STACK("overlaps a guard", NS, V_MAIN, G0 - 8 * PG, STK, RW, RWX, DN, 0),
	STACK("overlaps a stack gap", NS, V_MAIN, SD0 - 8 * PG, STK, RW, RWX, DN, 0),
	STACK("overlaps an orphan gap", NS, V_MAIN, SO1 - 8 * PG, STK, RW, RWX, UP, 0),
	STACK("beyond the vmem limit", NS, V_MAIN, HOLE, STK, RW, RWX, DN, L_VMEM),
	STACK("plain map: both directions", IA, M_PLAIN, HOLE, STK, RW, RWX, DN | UP, 0),
	STACK("plain map: one page", IA, M_PLAIN, HOLE, PG, RW, RWX, DN, 0),
	STACK("plain map: prot above max", PF, M_PLAIN, HOLE, STK, RWX, RD, DN, 0),
	STACK("plain map: beyond max", NS, M_PLAIN, VMAX, STK, RW, RWX, DN, 0),
	STACK("plain map: covers an entry", NS, M_PLAIN, A0 - PG, STK, RW, RWX, UP, 0),

	/* ---- bsdvm_map_growstack ---- */
	GROW("guard of a down stack", NS, V_MAIN, SD0, 0),
	GROW("last byte of the guard", NS, V_MAIN, SD0 + PG - 1, 0),
	GROW("guard of an up stack", NS, V_MAIN, SU1 - PG, 0),
	GROW("main stack beyond the stack limit", NS, V_MAIN, SD1 - SGROW - 1, L_STACK),
	GROW("main stack beyond the stack limit, far", NS, V_MAIN, SD0 + PG, L_STACK),
	GROW("down stack beyond the vmem limit", NS, V_MAIN, SD1 - SGROW - PG, L_VMEM),
	GROW("up stack beyond the vmem limit", NS, V_MAIN, SU0 + SGROW, L_VMEM),
	GROW("gap whose stack was unmapped", FL, V_MAIN, SO0 + 4 * PG, 0),
	ROW("map_growstack: mapped address", t_grow, OK, O_NOOP, V_MAIN, A0, 0),
	ROW("map_growstack: stack entry", t_grow, OK, O_NOOP, V_MAIN, SD1 - 1, 0),
	ROW("map_growstack: hole", t_grow, OK, O_NOOP, V_MAIN, HOLE, 0),
	ROW("map_growstack: plain guard", t_grow, OK, O_NOOP, V_MAIN, G0, 0),
	ROW("map_growstack: below min", t_grow, OK, O_NOOP, V_MAIN, VMIN - PG, 0),
	ROW("map_growstack: beyond max", t_grow, OK, O_NOOP, V_MAIN, VMAX + PG, 0),
	ROW("map_growstack: 2^64 - 1", t_grow, OK, O_NOOP, V_MAIN, UINT64_MAX, 0),
	ROW("map_growstack: plain map hole", t_grow, OK, O_NOOP, M_PLAIN, HOLE, 0),

	/* ---- processes ---- */
	ROW("proc_create: sys NULL", t_proc, IA, 0, 1, V_NONE, 0),
	ROW("proc_create: sys NULL with a vmspace", t_proc, IA, 0, 1, V_MAIN, 0),
	ROW("proc_create: pp NULL", t_proc, IA, 0, 0, V_NONE, 1),
	ROW("proc_create: pp NULL with a vmspace", t_proc, IA, 0, 0, V_MAIN, 1),
	ROW("proc_create: allocation fails", t_proc, RS, O_SWEEP, 0, V_NONE, 0),
	ROW("proc_create: allocation fails, given vmspace", t_proc, RS, O_SWEEP, 0, V_MAIN, 0),
	ROW("proc_destroy: NULL", t_release_null, RET_VOID, 0, 0),

	/* ---- release functions that ignore NULL ---- */
	ROW("vmspace_free: NULL", t_release_null, RET_VOID, 0, 1),
	ROW("object_deallocate: NULL", t_release_null, RET_VOID, 0, 2),
	ROW("sys_destroy: NULL", t_release_null, RET_VOID, 0, 3),

	/* ---- kernel memory and u-areas ---- */
	ROW("kmem_alloc: size 0", t_kmem, RET_ZERO, 0, 1, 0),
	ROW("kmem_alloc: size 2^64 - 1 (rounding overflows)", t_kmem, RET_ZERO, 0, 1, UINT64_MAX),
	ROW("kmem_alloc: size 2^64 - page + 1 (rounding overflows)", t_kmem, RET_ZERO, 0, 1,
	    BIG + 1),
	ROW("kmem_alloc: size 2^64 - page", t_kmem, RET_ZERO, 0, 1, BIG),
	ROW("kmem_alloc: larger than the kernel window", t_kmem, RET_ZERO, 0, 1, U64(1) << 48),
	ROW("kmem_alloc: no room in a small window", t_kmem, RET_ZERO, 0, 2, 5 * PG),
	ROW("kmem_alloc: no frame", t_kmem, RET_ZERO, 0, 2, PG),
	ROW("kmem_alloc: no frame, whole window", t_kmem, RET_ZERO, 0, 2, 4 * PG - 100),
	ROW("kmem_alloc: allocation fails", t_kmem, RET_ZERO, O_SWEEP, 1, 3 * PG),
	ROW("kmem_free: address 0, size 0", t_kfree, RET_VOID, 0, 1, 0, 0),
	ROW("kmem_free: address 0", t_kfree, RET_VOID, 0, 1, 0, PG),
	ROW("kmem_free: size 0", t_kfree, RET_VOID, 0, 1, 0, 0, 1),
	ROW("kmem_free: address not page aligned", t_kfree, RET_VOID, 0, 1, 1, PG, 1),
	ROW("kmem_free: nothing allocated there", t_kfree, RET_VOID, 0, 1, 64 * PG, 2 * PG, 1),
	ROW("kmem_free: beyond the kernel window", t_kfree, RET_VOID, 0, 2, KW0 + 8 * PG, PG),
	ROW("uarea_alloc: no room (user)", t_uarea, RET_ZERO, 0, 2, 0),
	ROW("uarea_alloc: no room (system)", t_uarea, RET_ZERO, 0, 2, 1),
	ROW("uarea_alloc: allocation fails", t_uarea, RET_ZERO, O_SWEEP, 1, 0),
	ROW("uarea_free: address 0 (user)", t_release_null, RET_VOID, 0, 4),
	ROW("uarea_free: address 0 (system)", t_release_null, RET_VOID, 0, 5),
};

/* ------------------------------------------------------------------ */
/* bsdvm_vmspace_mmap: every class under every flag set */

#define MF_FIXED  BSDVM_MAPF_FIXED
#define MF_EXCL   BSDVM_MAPF_EXCL
#define MF_SHARED BSDVM_MAPF_SHARED

static void flag_name(uint32_t f, char *buf, size_t n)
{
	static const char *const names[] = { "FIXED", "EXCL", "SHARED", "NOMERGE" };
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < 4; i++)
		if (f & (1u << i))
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? "|" : "",
			    names[i]);
	if (f & ~BSDVM_MAPF_MASK)
		len += (size_t)snprintf(buf + len, n - len, "%s%#x", len ? "|" : "",
		    (unsigned)(f & ~BSDVM_MAPF_MASK));
	if (len == 0)
		snprintf(buf, n, "0");
}

enum {
	MC_ADDRP_NULL, MC_PROT_BITS, MC_MAXPROT_BITS, MC_PROT_GT_MAX, MC_PROT_GT_MAX_OBJ,
	MC_LEN0, MC_LEN_ODD, MC_LEN_HALF, MC_ADDR_UNALIGNED, MC_ANON_OFFSET, MC_OFF_UNALIGNED,
	MC_OFF_WRAPS, MC_WX, MC_BEYOND_MAX, MC_BELOW_MIN, MC_LEN_GT_MAP, MC_LEN_HUGE,
	MC_TOP_WRAP, MC_IN_USE, MC_IN_USE_PART, MC_UNSPLIT, MC_RO_FILE, MC_NCLASSES
};

static const char *const mc_names[MC_NCLASSES] = {
	"addrp NULL", "prot bits beyond VM_PROT_ALL", "maxprot bits beyond VM_PROT_ALL",
	"prot above maxprot", "prot above maxprot, object", "length 0",
	"length not a page multiple", "length half a page", "address not page aligned",
	"anonymous memory with an offset", "object offset not page aligned",
	"object offset + length wraps", "W|X on a W^X vmspace",
	"range beyond max", "range below min", "length larger than the map",
	"length 2^64 - one page", "range reaches 2^64 (top vmspace)", "range in use",
	"range partly in use", "splits an unsplittable entry",
	"shared writable view of a read-only file",
};

/* A well-formed call under flag set f: 2 anonymous pages, RW/RW, at A0
 * when replacing (FIXED alone), else at (or from) HOLE. */
static void mmap_defaults(uint32_t f, struct row *r)
{
	bool fixed = (f & MF_FIXED) != 0, excl = (f & MF_EXCL) != 0;

	r->a[0] = V_MAIN;
	r->a[1] = fixed && !excl ? A0 : HOLE;
	r->a[2] = 2 * PG;
	r->a[3] = RW;
	r->a[4] = RW;
	r->a[5] = f;
	r->a[6] = OBJ_NONE;
	r->a[7] = 0;
}

/* Fills r for class c under flag set f; false when c does not apply. */
static bool mmap_case(int c, uint32_t f, struct row *r)
{
	bool fixed = (f & MF_FIXED) != 0, excl = (f & MF_EXCL) != 0;
	bsdvm_addr_t base;
	uint64_t *a = r->a;

	mmap_defaults(f, r);
	base = a[1];
	switch (c) {
	case MC_ADDRP_NULL:
		a[6] = MM_ADDRP_NULL;
		r->expect = IA;
		break;
	case MC_PROT_BITS:
		a[3] = RD | 0x8;
		a[4] = RWX | 0x8;
		r->expect = IA;
		break;
	case MC_MAXPROT_BITS:
		a[4] = RWX | 0x80;
		r->expect = IA;
		break;
	case MC_PROT_GT_MAX:
		a[4] = RD;
		r->expect = PF;
		break;
	case MC_PROT_GT_MAX_OBJ:
		a[6] = OBJ_O2;
		a[3] = RWX;
		a[4] = RW;
		r->expect = PF;
		break;
	case MC_LEN0:
		a[2] = 0;
		r->expect = fixed ? IAD : IA;
		break;
	case MC_LEN_ODD:
		a[2] = PG + 1;
		r->expect = IA;
		break;
	case MC_LEN_HALF:
		a[2] = PG / 2;
		r->expect = IA;
		break;
	case MC_ADDR_UNALIGNED:
		a[1] = base + 8;
		r->expect = IA;
		break;
	case MC_ANON_OFFSET:
		a[7] = PG;
		r->expect = IA;
		break;
	case MC_OFF_UNALIGNED:
		a[6] = OBJ_O2;
		a[7] = PG / 2;
		r->expect = IA;
		break;
	case MC_OFF_WRAPS:
		a[6] = OBJ_O2;
		a[7] = BIG;
		r->expect = IA;
		break;
	case MC_WX:
		a[0] = V_WX;
		a[3] = RWX;
		a[4] = RWX;
		r->expect = PF;
		break;
	case MC_BEYOND_MAX:
		a[1] = fixed ? VMAX - PG : VMAX + PG;
		r->expect = fixed ? IAD : NS;
		break;
	case MC_BELOW_MIN:
		if (!fixed)
			return false; /* a hint below min is simply the bottom */
		a[1] = VMIN - PG;
		r->expect = IAD;
		break;
	case MC_LEN_GT_MAP:
		a[2] = VMAX;
		r->expect = fixed ? IAD : NS;
		break;
	case MC_LEN_HUGE:
		a[2] = BIG;
		r->expect = fixed ? IA : NS;
		break;
	case MC_TOP_WRAP:
		a[0] = V_TOP;
		a[1] = TMAX - PG;
		r->expect = fixed ? IA : NS;
		break;
	case MC_IN_USE:
		if (!(fixed && excl))
			return false;
		a[1] = A0;
		r->expect = NS;
		break;
	case MC_IN_USE_PART:
		if (!(fixed && excl))
			return false;
		a[1] = A1 - PG;
		r->expect = NS;
		break;
	case MC_UNSPLIT:
		if (!fixed || excl)
			return false;
		a[1] = U0 + PG;
		a[2] = PG;
		r->expect = IA;
		break;
	case MC_RO_FILE:
		/* as mmap(2): asking for write on a shared view of a read-only
		 * file is refused (a read-only view just loses write from its
		 * maximum, see bsdvm_vmspace_mmap(3)) */
		if (!(f & MF_SHARED))
			return false;
		a[6] = OBJ_RO;
		a[3] = RW;
		a[4] = RW;
		r->expect = PF;
		break;
	default:
		return false;
	}
	return true;
}

#define MAXGEN 512
static struct row gen[MAXGEN];
static char gen_names[MAXGEN][112];
static size_t ngen;

static struct row *gen_row(void)
{
	struct row *r;

	if (ngen == MAXGEN) {
		fprintf(stderr, "too many generated rows\n");
		exit(2);
	}
	r = &gen[ngen];
	memset(r, 0, sizeof(*r));
	r->name = gen_names[ngen];
	r->call = t_mmap;
	ngen++;
	return r;
}

static void gen_mmap_rows(void)
{
	static const uint32_t unknown[2] = { 0x10u, 0x80000000u };
	char fl[64];
	uint32_t f;
	int c, k;

	for (f = 0; f <= BSDVM_MAPF_MASK; f++) {
		bool valid = !((f & MF_EXCL) && !(f & MF_FIXED));

		flag_name(f, fl, sizeof(fl));
		for (k = 0; k < 2; k++) {
			struct row *r = gen_row();
			char ufl[64];

			flag_name(f | unknown[k], ufl, sizeof(ufl));
			snprintf(gen_names[ngen - 1], sizeof(gen_names[0]),
			    "mmap %s: unknown flag bits", ufl);
			mmap_defaults(f, r);
			r->a[5] = f | unknown[k];
			r->expect = IA;
		}
		if (!valid) {
			struct row *r = gen_row();

			snprintf(gen_names[ngen - 1], sizeof(gen_names[0]),
			    "mmap %s: EXCL without FIXED", fl);
			mmap_defaults(f, r);
			r->expect = IA;
			continue;
		}
		for (c = 0; c < MC_NCLASSES; c++) {
			struct row *r = gen_row();

			if (!mmap_case(c, f, r)) {
				ngen--;
				continue;
			}
			snprintf(gen_names[ngen - 1], sizeof(gen_names[0]), "mmap %s: %s", fl,
			    mc_names[c]);
		}
	}
}

/* ------------------------------------------------------------------ */
/* controls: the same fixture accepts well-formed calls, so each row above
 * fails for the reason it names */

static const struct row controls[] = {
	SYSC("defaults", OK, 0, 64, 0, 0, 0, 0, 0, 0),
	SYSC("params NULL", OK, 0, 0, 0, 0, 0, 0, 0, SC_PARAMS_NULL),
	SYSC("64K pages, swap, window, both pmap fields", OK, 65536, 16, 16, KW0,
	    KW0 + 0x1000000, 65536, 65536, SC_PMAP_ONLY | SC_CTX_ONLY),
	SYSC("kernel_min 0", OK, 0, 16, 0, 0, 0x100000, 0, 0, 0),
	OBJA("2 pages", OK, 0, 2 * PG, 0, 0, 0),
	OBJF("2 pages", OK, 0, 2 * PG, FD_RO, 0, 0),
	VMC("all flags", OK, VMIN, VMAX, BSDVM_MAP_FLAGS_MASK & ~BSDVM_MAP_ALIGN_INDEX, 0),
	VMC("up to 2^64 - page", OK, 0, TOP(PG), 0, 0),
	ROW("vmspace_fork", t_fork, OK, 0, V_MAIN, 0),
	ROW("vmspace_reset", t_reset, OK, 0, V_WX, 0, TOP(PG)),
	ROW("mmap fixed|excl", t_mmap, OK, 0, V_MAIN, HOLE, 2 * PG, RW, RW,
	    MF_FIXED | MF_EXCL, OBJ_NONE, 0),
	ROW("mmap fixed over entries", t_mmap, OK, 0, V_MAIN, A0 + PG, 0x80000, RW, RW,
	    MF_FIXED, OBJ_NONE, 0),
	ROW("mmap fixed over a whole unsplittable entry", t_mmap, OK, 0, V_MAIN, U0, 4 * PG, RW,
	    RW, MF_FIXED, OBJ_NONE, 0),
	ROW("mmap hint beyond max on a top-down map", t_mmap, OK, 0, V_WX, VMAX + PG, 2 * PG, RD,
	    RWX, MF_SHARED | BSDVM_MAPF_NOMERGE, OBJ_NONE, 0),
	ROW("mmap the top pages", t_mmap, OK, 0, V_TOP, TMAX - 4 * PG, 2 * PG, RW, RW,
	    MF_FIXED | MF_EXCL, OBJ_NONE, 0),
	ROW("mmap shared read-only file, max R|X", t_mmap, OK, 0, V_MAIN, HOLE, 2 * PG, RD,
	    RD | VM_PROT_EXECUTE, MF_SHARED, OBJ_RO, 0),
	ROW("mmap private writable read-only file", t_mmap, OK, 0, V_MAIN, HOLE, 2 * PG, RW,
	    RW, 0, OBJ_RO, 0),
	ROW("mmap object at an offset", t_mmap, OK, 0, V_MAIN, HOLE, 2 * PG, RW, RW, 0, OBJ_O2,
	    PG),
	FLT("read", OK, V_MAIN, A0, RD, 0),
	FLT("write to a stack gap", OK, V_MAIN, SD1 - SGROW - PG, RW, 0),
	FLT("write the up stack gap", OK, V_MAIN, SU0 + SGROW, RW, 0),
	FLT("kernel memory", OK, V_KERN, PG, RD, 0, 1),
	CIN("whole A", OK, V_MAIN, A0, 4 * PG, 4 * PG, 0, 0),
	COUT("top pages", OK, V_TOP, TMAX - 2 * PG, 2 * PG, 2 * PG, 0, 0),
	CIN("the last byte below max", OK, V_MAIN, VMAX - 1, 1, 1, 0, 0),
	WIRE("A", OK, V_MAIN, A0, A1, 0, 0),
	WIRE("W again, at the memlock limit", OK, V_MAIN, W0, W0 + 2 * PG, 0, L_MEMLOCK),
	WIRE("shared object pages", OK, V_MAIN, FS0, FS0 + 2 * PG, WUSER, 0),
	WIRE("HOLESOK over entries and holes", OK, V_MAIN, VMIN, N0 + 2 * PG, HOLESOK, 0),
	UNWIRE("W", OK, V_MAIN, W0, W0 + 2 * PG, 0, 0),
	UNWIRE("UW, USER", OK, V_MAIN, UW0, UW0 + PG, WUSER, 0),
	UNWIRE("ALL with HOLESOK", OK, V_MAIN, UW0 - PG, UW0 + 2 * PG, WALL | HOLESOK, 0),
	WIRE("small system: the written pages", OK, V_SMALL, A0, A0 + 8 * PG, 0, 0),
	STACK("down", OK, V_MAIN, HOLE, STK, RW, RWX, DN | MAP_ENTRY_NOCOREDUMP, 0),
	STACK("two pages, up", OK, V_MAIN, HOLE, 2 * PG, RW, RWX, UP, 0),
	STACK("plain map", OK, M_PLAIN, HOLE, STK, RW, RWX, DN, 0),
	STACK("R|X on the W^X map", OK, V_WX, HOLE, STK, RD | VM_PROT_EXECUTE, RWX, DN, 0),
	GROW("down", OK, V_MAIN, SD0 + PG, 0),
	GROW("up", OK, V_MAIN, SU1 - PG - 1, 0),
	ROW("proc_create", t_proc, OK, 0, 0, V_NONE, 0),
	ROW("proc_create with a vmspace", t_proc, OK, 0, 0, V_MAIN, 0),
	ROW("kmem_alloc", t_kmem, RET_ADDR, 0, 1, 1),
	ROW("kmem_alloc, 1 MiB", t_kmem, RET_ADDR, 0, 1, 1 << 20),
	ROW("uarea_alloc", t_uarea, RET_ADDR, 0, 1, 1),
};

/* ------------------------------------------------------------------ */
/* the runner */

static const char *code_name(int c)
{
	switch (c) {
	case RET_ZERO:
		return "RET_ZERO";
	case RET_ADDR:
		return "RET_ADDR";
	case RET_VOID:
		return "RET_VOID";
	case SIDE_EFFECT:
		return "SIDE_EFFECT";
	case BAD_DONE:
		return "BAD_DONE";
	case BAD_BYTES:
		return "BAD_BYTES";
	default:
		return bsdvm_kern_name(c);
	}
}

static void check_code(int got, int want)
{
	if (got == want) {
		tu_passed++;
		return;
	}
	tu_failed++;
	fprintf(stderr, "%s: returned %s, expected %s\n", g_row, code_name(got),
	    code_name(want));
}

static void check_maps(void)
{
	int i;

	for (i = 0; i < NMAPS; i++) {
		bool ok = vm_map_check(map_of(i));

		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  row: %s (%s map)\n", g_row, map_names[i]);
	}
}

/* One call on a fresh fixture; returns the code. */
static int run_once(const struct row *r, int expect)
{
	struct snapshot before, after;
	int64_t live = bsdvm_alloc_live_bytes();
	bool strict;
	int rv;

	fx_init();
	snap(&before);
	rv = r->call(r);
	g_fail_k = 0;
	snap(&after);
	/* a control, or the call that ends a sweep, may change the state */
	strict = !(r->opts & O_CONTROL) && (expect >= 0 || (rv != OK && rv != RET_ADDR));
	if (expect >= 0)
		check_code(rv, expect);
	if (strict) {
		bool same = unchanged(&before, &after, r->opts);

		CHECK(same);
		if (!same)
			fprintf(stderr, "  row: %s: state changed\n", g_row);
	}
	check_maps();
	if (strict) {
		bool intact = bytes_intact();

		CHECK(intact);
	}
	snap_free(&before);
	snap_free(&after);
	fx_fini();
	if (bsdvm_alloc_live_bytes() != live) {
		tu_failed++;
		fprintf(stderr, "  %s: %" PRId64 " bytes of platform memory leaked\n", g_row,
		    bsdvm_alloc_live_bytes() - live);
	} else {
		tu_passed++;
	}
	return rv;
}

static unsigned long sweep_fails;

static void run_row(const struct row *r)
{
	uint64_t k;

	g_row = r->name;
	if (!(r->opts & O_SWEEP)) {
		run_once(r, r->expect);
		return;
	}
	/* SWEEP: the k-th allocation fails, until the call needs fewer */
	for (k = 1; k <= 400; k++) {
		int rv;

		g_fail_k = k;
		rv = run_once(r, -1);
		if (rv == OK || rv == RET_ADDR) {
			if (k == 1) {
				tu_failed++;
				fprintf(stderr, "%s: no allocation to fail\n", g_row);
			} else {
				tu_passed++;
				printf("%s: %" PRIu64 " injected failures\n", g_row, k - 1);
			}
			return;
		}
		sweep_fails++;
		check_code(rv, r->expect);
	}
	tu_failed++;
	fprintf(stderr, "%s: still failing after 400 injected failures\n", g_row);
}

static void make_files(void)
{
	static uint8_t page[2 * 0x1000];
	int fd;

	snprintf(g_path, sizeof(g_path), "/tmp/bsdvm_memerr_XXXXXX");
	fd = mkstemp(g_path);
	if (fd < 0)
		die("mkstemp", __LINE__);
	memset(page, 0x5a, sizeof(page));
	if (write(fd, page, sizeof(page)) != (ssize_t)sizeof(page))
		die("write", __LINE__);
	close(fd);
	g_fd_ro = open(g_path, O_RDONLY);
	g_fd_wo = open(g_path, O_WRONLY);
	if (g_fd_ro < 0 || g_fd_wo < 0)
		die("open", __LINE__);
}

static int null_cb(void *arg, const struct bsdvm_region *r)
{
	(void)arg;
	(void)r;
	return 1;
}

/* RLIMIT_VMEM at its boundary for mmap (bsdvm_vmspace_mmap(3)): a
 * mapping that ends the map's size exactly at the limit is allowed, one
 * page more is KERN_NO_SPACE and changes nothing. */
static void test_vmem_boundary(void)
{
	struct bsdvm_sys *s = NULL;
	struct bsdvm_sys_params sp = { .frames = 64 };
	struct vmspace *vm = NULL;
	struct bsdvm_rlimits lim = { BSDVM_RLIM_INFINITY, 4 * 0x1000, BSDVM_RLIM_INFINITY };
	bsdvm_addr_t a = 0;
	struct bsdvm_map_stats st;

	CHECK_KERN(bsdvm_sys_create(&sp, &s), KERN_SUCCESS);
	CHECK_KERN(bsdvm_vmspace_create(s, 0x10000, 0x100000000ull, 0, &vm), KERN_SUCCESS);
	bsdvm_vmspace_set_limits(vm, &lim);
	CHECK_KERN(bsdvm_vmspace_mmap(vm, &a, 3 * 0x1000, VM_PROT_RW, VM_PROT_ALL, 0, NULL, 0),
	    KERN_SUCCESS);
	CHECK_KERN(bsdvm_vmspace_mmap(vm, &a, 2 * 0x1000, VM_PROT_RW, VM_PROT_ALL, 0, NULL, 0),
	    KERN_NO_SPACE);
	CHECK_KERN(bsdvm_vmspace_mmap(vm, &a, 0x1000, VM_PROT_RW, VM_PROT_ALL,
	    BSDVM_MAPF_NOMERGE, NULL, 0), KERN_SUCCESS);
	bsdvm_map_get_stats(bsdvm_vmspace_map(vm), &st);
	CHECK_EQ_U64(st.size, 4 * 0x1000);
	CHECK_KERN(bsdvm_vmspace_mmap(vm, &a, 0x1000, VM_PROT_RW, VM_PROT_ALL, 0, NULL, 0),
	    KERN_NO_SPACE);
	CHECK_EQ_U64(st.nentries, 2);
	CHECK_MAP(bsdvm_vmspace_map(vm));
	bsdvm_vmspace_free(vm);
	bsdvm_sys_destroy(s);
}

static void test_null_objects(void)
{
	struct vmspace *vm = (struct vmspace *)0x1; /* must stay untouched */
	bsdvm_addr_t a = 0x7000;
	uint8_t buf[8] = { 0 };

	CHECK_KERN(bsdvm_vmspace_create(NULL, 0x10000, 0x100000, 0, &vm), KERN_INVALID_ARGUMENT);
	CHECK(vm == (struct vmspace *)0x1);
	CHECK_KERN(bsdvm_vmspace_fork(NULL, &vm), KERN_INVALID_ARGUMENT);
	CHECK(vm == (struct vmspace *)0x1);
	CHECK_KERN(bsdvm_vmspace_reset(NULL, 0x10000, 0x100000), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_vmspace_mmap(NULL, &a, 0x1000, VM_PROT_RW, VM_PROT_ALL, 0, NULL, 0),
	    KERN_INVALID_ARGUMENT);
	CHECK(a == 0x7000);
	CHECK_KERN(bsdvm_object_sync(NULL), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_fault(NULL, 0x10000, VM_PROT_READ), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_copyin(NULL, 0x10000, buf, 1, NULL), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_copyout(NULL, buf, 0x10000, 1, NULL), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_wire(NULL, 0x10000, 0x11000, 0), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_unwire(NULL, 0x10000, 0x11000, 0), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_stack(NULL, 0x100000, 0x100000, VM_PROT_RW, VM_PROT_ALL,
	    MAP_ENTRY_GROWS_DOWN), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_growstack(NULL, 0x10000), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_map_foreach(NULL, null_cb, NULL), KERN_INVALID_ARGUMENT);
	CHECK_KERN(bsdvm_proc_create(NULL, NULL, NULL), KERN_INVALID_ARGUMENT);
}

int main(void)
{
	const size_t nrows = sizeof(table) / sizeof(table[0]);
	const size_t nctl = sizeof(controls) / sizeof(controls[0]);
	int64_t live0;
	size_t i, j, total;

	make_files();
	gen_mmap_rows();
	live0 = bsdvm_alloc_live_bytes();
	total = nrows + ngen;
	for (i = 0; i < total; i++) {
		const struct row *r = i < nrows ? &table[i] : &gen[i - nrows];

		/* the table holds failures, and successes only as NOOP rows; each
		 * name once */
		if ((r->expect == OK || r->expect == RET_ADDR) != ((r->opts & O_NOOP) != 0)) {
			tu_failed++;
			fprintf(stderr, "row %s: success expected without NOOP or vice versa\n",
			    r->name);
		}
		for (j = 0; j < i; j++) {
			const struct row *q = j < nrows ? &table[j] : &gen[j - nrows];

			if (strcmp(r->name, q->name) == 0) {
				tu_failed++;
				fprintf(stderr, "duplicate row name: %s\n", r->name);
			}
		}
		run_row(r);
	}
	for (i = 0; i < nctl; i++) {
		struct row c = controls[i];
		char name[160];

		snprintf(name, sizeof(name), "control %s", c.name);
		c.name = name;
		c.opts |= O_CONTROL;
		run_row(&c);
	}
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live0);
	close(g_fd_ro);
	close(g_fd_wo);
	unlink(g_path);
	printf("%zu rows (%zu in the table, %zu generated mmap rows), %lu injected failures,"
	    " %zu controls\n", total, nrows, ngen, sweep_fails, nctl);
	test_null_objects();
	test_vmem_boundary();
	return test_main_exit("test_mem_errors");
}
