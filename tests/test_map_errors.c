/*
 * test_map_errors.c - every bad input of every engine function, as a table.
 *
 * Each row is {name, thunk, expected code}.  For every row the test builds a
 * fresh fixture (three maps, below), lists them, calls the thunk, and checks
 * (1) the code, (2) that every map lists exactly as before and its
 * nentries/size/largest_gap/inserts/removes/splits/merges did not move, and
 * (3) CHECK_MAP on every map.  Thunks that also hand back a value through a
 * pointer (*mapp, *addrp) check it was left alone and report SIDE_EFFECT
 * otherwise.  bsdvm_map_check_protection returns a bool: its rows expect
 * RET_FALSE (shown as KERN_FAILURE).
 *
 * Bad-input classes and the code the contract (include/bsdvm/map.h) gives.
 * "insert" stands for insert and insert_locked, "fixed" for fixed and
 * fixed_locked, "delete" for delete and delete_locked, "findspace" and
 * "check_protection" for their _locked variants too.
 *
 *  class                                         function(s)            code
 *  --------------------------------------------  ---------------------  -----------------------
 *  NULL params / NULL mapp                       create                 KERN_INVALID_ARGUMENT
 *  page size not 2^n, < 4 KiB or > 64 KiB        create                 KERN_INVALID_ARGUMENT
 *  superpage not 2^n or smaller than the page    create                 KERN_INVALID_ARGUMENT
 *  min >= max, min/max not page aligned          create                 KERN_INVALID_ARGUMENT
 *  max beyond 2^64 - page size                   create                 KERN_INVALID_ARGUMENT
 *  unknown map flag bits                         create                 KERN_INVALID_ARGUMENT
 *  NULL attrs                                    insert(_locked), fixed(_locked),
 *                                                find                   KERN_INVALID_ARGUMENT
 *  NULL req / NULL addrp                         findspace(_locked), find      KERN_INVALID_ARGUMENT
 *  NULL entry                                    clip_start, clip_end   KERN_INVALID_ARGUMENT
 *  NULL map                                      every function returning a code
 *                                                that takes no lock held KERN_INVALID_ARGUMENT
 *  start/end not page aligned                    insert, fixed, delete, protect,
 *                                                inherit, madvise       KERN_INVALID_ARGUMENT
 *                                                check_protection       false
 *  end < start, or end wraps past 2^64           same                   KERN_INVALID_ARGUMENT / false
 *  zero length (start == end)                    insert, fixed          KERN_INVALID_ADDRESS
 *                                                (range operations: success, no change)
 *  range below min / above max / straddling      insert, fixed, delete, protect,
 *    min or max                                  inherit, madvise       KERN_INVALID_ADDRESS
 *                                                check_protection       false
 *  object offset not page aligned, or offset +   insert, fixed, find    KERN_INVALID_ARGUMENT
 *    length wraps past 2^64
 *  prot above maxprot                            insert, fixed, find    KERN_PROTECTION_FAILURE
 *  prot/maxprot bits beyond VM_PROT_ALL          insert, fixed, find,
 *                                                protect                KERN_INVALID_ARGUMENT
 *                                                check_protection       false
 *  inheritance > VM_INHERIT_ZERO                 insert, fixed, find,
 *                                                inherit                KERN_INVALID_ARGUMENT
 *  advice beyond SEQUENTIAL (entry attrs)        insert, fixed, find    KERN_INVALID_ARGUMENT
 *  madvise value outside NORMAL..CORE            madvise                KERN_INVALID_ARGUMENT
 *  unknown or non-creatable entry flag bits      insert, fixed, find    KERN_INVALID_ARGUMENT
 *  GROWS_DOWN|GROWS_UP, STACK_GAP_* without      insert, fixed, find    KERN_INVALID_ARGUMENT
 *    GUARD, STACK_GAP_DN|STACK_GAP_UP,
 *    NEEDS_COPY without COW, GUARD with an
 *    object or with a non-NONE maxprot
 *  W|X on a BSDVM_MAP_WXORX map                  insert, fixed, find,
 *                                                protect                KERN_PROTECTION_FAILURE
 *  range already (partly) mapped                 insert(_locked)        KERN_NO_SPACE
 *  splitting an UNSPLITTABLE entry               fixed, delete, protect,
 *                                                inherit, madvise,
 *                                                clip_start, clip_end   KERN_INVALID_ARGUMENT
 *  unknown / both-direction space flags          findspace, find        KERN_INVALID_ARGUMENT
 *  length 0 or not a page multiple; hint,        findspace, find        KERN_INVALID_ARGUMENT
 *    max_end not page aligned; align not 2^n or
 *    < page; align_offset >= align or unaligned
 *  request that cannot be placed: longer than    findspace, find        KERN_NO_SPACE
 *    the map, hint beyond max, hint + length
 *    past 2^64, max_end below min, no aligned
 *    start inside the map
 *  unknown protect flag bits                     protect                KERN_INVALID_ARGUMENT
 *  both protect flags, new prot not within       protect                KERN_OUT_OF_BOUNDS
 *    new maxprot
 *  new prot or maxprot above an entry's max      protect                KERN_PROTECTION_FAILURE
 *    (also when only one entry of the range
 *    fails: nothing changes)
 *  unaligned clip address                        clip_start, clip_end   KERN_INVALID_ARGUMENT
 *  hole in the range, unmapped start, prot not   check_protection       false
 *    held by every entry
 */
#include <limits.h>

#include "testutil.h"

#define SKIP        (-1)           /* row does not apply to this function */
#define RET_FALSE   KERN_FAILURE   /* check_protection returned false */
#define RET_TRUE    KERN_SUCCESS   /* check_protection returned true */
#define SIDE_EFFECT 99             /* an out-parameter was written on failure */

#define IA  KERN_INVALID_ARGUMENT
#define IAD KERN_INVALID_ADDRESS
#define PF  KERN_PROTECTION_FAILURE
#define NS  KERN_NO_SPACE
#define OOB KERN_OUT_OF_BOUNDS

/* ------------------------------------------------------------------ */
/* the fixture */

#define PG    ((bsdvm_addr_t)0x1000)
#define TOP(x) ((bsdvm_addr_t)0 - (bsdvm_addr_t)(x))
#define MINA  ((bsdvm_addr_t)0x100000)
#define MAXA  ((bsdvm_addr_t)0x1000000)
/* main map entries */
#define A0 (MINA + 0x10000)  /* A  [A0, A1)  anon RW/ALL */
#define A1 (MINA + 0x14000)
#define B1 (MINA + 0x18000)  /* Bn [A1, B1)  anon R/R   */
#define U0 (MINA + 0x20000)  /* U  [U0, U1)  anon RW/ALL UNSPLITTABLE */
#define U1 (MINA + 0x24000)
#define O0 (MINA + 0x30000)  /* O  [O0, O1)  object, offset 0x1000, RW/RW */
#define O1 (MINA + 0x34000)
#define G0 (MINA + 0x40000)  /* G  [G0, G1)  guard */
#define G1 (MINA + 0x42000)
#define T0 (MAXA - 0x4000)   /* T  [T0, MAXA) anon RW/ALL, touches max */
#define HOLE (MINA + 0x100000) /* free space */
/* top map: [TMIN, TMAX) with [TMAX - 2 pages, TMAX) mapped */
#define TMAX TOP(PG)
#define TMIN TOP(0x100000)

static long obj_store[2];
#define OBJ ((struct vm_object *)(void *)obj_store)

static struct fixture {
	struct vm_map *m;   /* main map */
	struct vm_map *wx;  /* BSDVM_MAP_WXORX map, one RW entry */
	struct vm_map *top; /* map reaching 2^64 - page size */
} F;

#define MAP_MAIN (F.m)
#define MAP_WX   (F.wx)
#define MAP_TOPM (F.top)

static void fx_insert(struct vm_map *m, bsdvm_addr_t s, bsdvm_addr_t e,
    struct bsdvm_entry_attrs a)
{
	if (bsdvm_map_insert(m, s, e, &a) != KERN_SUCCESS) {
		fprintf(stderr, "fixture: insert [%#" PRIx64 ", %#" PRIx64 ") failed\n", s, e);
		exit(2);
	}
}

static struct vm_map *fx_map(bsdvm_addr_t min, bsdvm_addr_t max, uint32_t flags)
{
	struct bsdvm_map_params p = { .min = min, .max = max, .flags = flags };
	struct vm_map *m = NULL;

	if (bsdvm_map_create(&p, &m) != KERN_SUCCESS) {
		fprintf(stderr, "fixture: create failed\n");
		exit(2);
	}
	return m;
}

static void fx_init(void)
{
	struct bsdvm_entry_attrs a;

	F.m = fx_map(MINA, MAXA, 0);
	fx_insert(F.m, A0, A1, bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL));
	fx_insert(F.m, A1, B1, bsdvm_attrs_anon(VM_PROT_READ, VM_PROT_READ));
	a = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL);
	a.eflags = MAP_ENTRY_UNSPLITTABLE;
	fx_insert(F.m, U0, U1, a);
	a = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_RW);
	a.object = OBJ;
	a.offset = 0x1000;
	fx_insert(F.m, O0, O1, a);
	a = bsdvm_attrs_anon(VM_PROT_NONE, VM_PROT_NONE);
	a.eflags = MAP_ENTRY_GUARD;
	fx_insert(F.m, G0, G1, a);
	fx_insert(F.m, T0, MAXA, bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL));

	F.wx = fx_map(MINA, MAXA, BSDVM_MAP_WXORX);
	fx_insert(F.wx, A0, A1, bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL));

	F.top = fx_map(TMIN, TMAX, 0);
	fx_insert(F.top, TMAX - 2 * PG, TMAX, bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL));
}

static void fx_fini(void)
{
	bsdvm_map_destroy(F.m);
	bsdvm_map_destroy(F.wx);
	bsdvm_map_destroy(F.top);
	memset(&F, 0, sizeof(F));
}

/* ------------------------------------------------------------------ */
/* entry attributes, good and bad */

static struct bsdvm_entry_attrs attr_buf;

static const struct bsdvm_entry_attrs *b_ok(void)
{
	attr_buf = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL);
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_null(void) { return NULL; }
static const struct bsdvm_entry_attrs *b_prot_gt_max(void)
{
	attr_buf = bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_READ);
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_prot_bits(void)
{
	b_ok();
	attr_buf.prot = VM_PROT_READ | 0x08;
	attr_buf.maxprot = 0x0f;
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_maxprot_bits(void)
{
	b_ok();
	attr_buf.maxprot = VM_PROT_ALL | 0x80;
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_inherit_4(void)
{
	b_ok();
	attr_buf.inherit = VM_INHERIT_ZERO + 1;
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_inherit_ff(void)
{
	b_ok();
	attr_buf.inherit = 0xff;
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_advice_willneed(void)
{
	b_ok();
	attr_buf.advice = BSDVM_MADV_WILLNEED;
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_advice_ff(void)
{
	b_ok();
	attr_buf.advice = 0xff;
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *flags_attrs(uint32_t f)
{
	b_ok();
	attr_buf.eflags = f;
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *guard_with(uint32_t extra, bsdvm_prot_t prot,
    bsdvm_prot_t max, struct vm_object *obj)
{
	attr_buf = bsdvm_attrs_anon(prot, max);
	attr_buf.eflags = MAP_ENTRY_GUARD | extra;
	attr_buf.object = obj;
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_flag_unknown(void) { return flags_attrs(0x80000000u); }
static const struct bsdvm_entry_attrs *b_flag_wired(void)
{
	return flags_attrs(MAP_ENTRY_USER_WIRED);
}
static const struct bsdvm_entry_attrs *b_flag_transition(void)
{
	return flags_attrs(MAP_ENTRY_IN_TRANSITION);
}
static const struct bsdvm_entry_attrs *b_flag_wakeup(void)
{
	return flags_attrs(MAP_ENTRY_NEEDS_WAKEUP);
}
static const struct bsdvm_entry_attrs *b_grows_both(void)
{
	return flags_attrs(MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP);
}
static const struct bsdvm_entry_attrs *b_gapdn_noguard(void)
{
	return flags_attrs(MAP_ENTRY_STACK_GAP_DN);
}
static const struct bsdvm_entry_attrs *b_gapup_noguard(void)
{
	attr_buf = bsdvm_attrs_anon(VM_PROT_NONE, VM_PROT_NONE);
	attr_buf.eflags = MAP_ENTRY_STACK_GAP_UP;
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_gap_both(void)
{
	return guard_with(MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP, VM_PROT_NONE,
	    VM_PROT_NONE, NULL);
}
static const struct bsdvm_entry_attrs *b_needscopy_nocow(void)
{
	return flags_attrs(MAP_ENTRY_NEEDS_COPY);
}
static const struct bsdvm_entry_attrs *b_guard_object(void)
{
	return guard_with(0, VM_PROT_NONE, VM_PROT_NONE, OBJ);
}
static const struct bsdvm_entry_attrs *b_guard_access(void)
{
	return guard_with(0, VM_PROT_READ, VM_PROT_READ, NULL);
}
static const struct bsdvm_entry_attrs *b_guard_maxaccess(void)
{
	return guard_with(0, VM_PROT_NONE, VM_PROT_RW, NULL);
}
static const struct bsdvm_entry_attrs *b_off_unaligned(void)
{
	b_ok();
	attr_buf.object = OBJ;
	attr_buf.offset = PG / 2;
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_off_wraps(void)
{
	b_ok();
	attr_buf.object = OBJ;
	attr_buf.offset = TOP(PG); /* + 2 pages passes 2^64 */
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_wx(void)
{
	attr_buf = bsdvm_attrs_anon(VM_PROT_ALL, VM_PROT_ALL);
	return &attr_buf;
}
static const struct bsdvm_entry_attrs *b_wx_only(void)
{
	attr_buf = bsdvm_attrs_anon(VM_PROT_WRITE | VM_PROT_EXECUTE, VM_PROT_ALL);
	return &attr_buf;
}

/* ------------------------------------------------------------------ */
/* the row type */

struct row {
	const char *name;
	int (*call)(void);
	int expect;
};

/*
 * Creating entries: insert, insert_locked, fixed, fixed_locked, find.
 * X(tag, description, map, start, end, attrs, insert, fixed, find)
 * (insert_locked shares insert's column, fixed_locked fixed's.)
 * find ignores start/end: it asks for 2 pages bottom-up from HOLE, so only
 * the attribute classes apply to it.
 */
#define INSERT_CASES(X)                                                                   \
	X(null_attrs, "attrs NULL", MAIN, HOLE, HOLE + PG, b_null, IA, IA, IA)              \
	X(start_unaligned, "start not page aligned", MAIN, HOLE + 1, HOLE + PG, b_ok,      \
	    IA, IA, SKIP)                                                                  \
	X(start_half, "start half a page off", MAIN, HOLE + PG / 2, HOLE + 2 * PG, b_ok,   \
	    IA, IA, SKIP)                                                                  \
	X(end_unaligned, "end not page aligned", MAIN, HOLE, HOLE + PG + 1, b_ok,          \
	    IA, IA, SKIP)                                                                  \
	X(end_before_start, "end < start", MAIN, HOLE + PG, HOLE, b_ok, IA, IA, SKIP)      \
	X(end_wraps, "end wraps past 2^64", TOPM, TMAX - 4 * PG, TMAX - 4 * PG + 6 * PG,   \
	    b_ok, IA, IA, SKIP)                                                            \
	X(end_wraps_0, "end = 2^64 (wraps to 0)", TOPM, TMAX - 4 * PG, 0, b_ok,           \
	    IA, IA, SKIP)                                                                  \
	X(zero_len, "zero length", MAIN, HOLE, HOLE, b_ok, IAD, IAD, SKIP)                 \
	X(zero_len_min, "zero length at min", MAIN, MINA, MINA, b_ok, IAD, IAD, SKIP)       \
	X(below_min, "range below min", MAIN, MINA - 2 * PG, MINA - PG, b_ok,              \
	    IAD, IAD, SKIP)                                                                \
	X(straddle_min, "range straddles min", MAIN, MINA - PG, MINA + PG, b_ok,           \
	    IAD, IAD, SKIP)                                                                \
	X(at_max, "range starts at max", WX, MAXA, MAXA + PG, b_ok, IAD, IAD, SKIP)        \
	X(above_max, "range above max", WX, MAXA + 4 * PG, MAXA + 8 * PG, b_ok,            \
	    IAD, IAD, SKIP)                                                                \
	X(straddle_max, "range straddles max", WX, MAXA - PG, MAXA + PG, b_ok,             \
	    IAD, IAD, SKIP)                                                                \
	X(below_min_top, "range below min (top map)", TOPM, TMIN - PG, TMIN + PG, b_ok,    \
	    IAD, IAD, SKIP)                                                                \
	X(prot_gt_max, "prot not within maxprot", MAIN, HOLE, HOLE + PG, b_prot_gt_max,    \
	    PF, PF, PF)                                                                    \
	X(prot_bits, "prot bits beyond VM_PROT_ALL", MAIN, HOLE, HOLE + PG, b_prot_bits,   \
	    IA, IA, IA)                                                                    \
	X(maxprot_bits, "maxprot bits beyond VM_PROT_ALL", MAIN, HOLE, HOLE + PG,          \
	    b_maxprot_bits, IA, IA, IA)                                                    \
	X(inherit_4, "inheritance 4", MAIN, HOLE, HOLE + PG, b_inherit_4, IA, IA, IA)      \
	X(inherit_ff, "inheritance 255", MAIN, HOLE, HOLE + PG, b_inherit_ff, IA, IA, IA)  \
	X(advice_willneed, "advice WILLNEED in attrs", MAIN, HOLE, HOLE + PG,              \
	    b_advice_willneed, IA, IA, IA)                                                 \
	X(advice_ff, "advice 255", MAIN, HOLE, HOLE + PG, b_advice_ff, IA, IA, IA)         \
	X(flag_unknown, "unknown entry flag 0x80000000", MAIN, HOLE, HOLE + PG,            \
	    b_flag_unknown, IA, IA, IA)                                                    \
	X(flag_wired, "non-creatable flag USER_WIRED", MAIN, HOLE, HOLE + PG,              \
	    b_flag_wired, IA, IA, IA)                                                      \
	X(flag_transition, "non-creatable flag IN_TRANSITION", MAIN, HOLE, HOLE + PG,      \
	    b_flag_transition, IA, IA, IA)                                                 \
	X(flag_wakeup, "non-creatable flag NEEDS_WAKEUP", MAIN, HOLE, HOLE + PG,           \
	    b_flag_wakeup, IA, IA, IA)                                                     \
	X(grows_both, "GROWS_DOWN|GROWS_UP", MAIN, HOLE, HOLE + PG, b_grows_both,          \
	    IA, IA, IA)                                                                    \
	X(gapdn_noguard, "STACK_GAP_DN without GUARD", MAIN, HOLE, HOLE + PG,              \
	    b_gapdn_noguard, IA, IA, IA)                                                   \
	X(gapup_noguard, "STACK_GAP_UP without GUARD", MAIN, HOLE, HOLE + PG,              \
	    b_gapup_noguard, IA, IA, IA)                                                   \
	X(gap_both, "STACK_GAP_DN|STACK_GAP_UP", MAIN, HOLE, HOLE + PG, b_gap_both,        \
	    IA, IA, IA)                                                                    \
	X(needscopy_nocow, "NEEDS_COPY without COW", MAIN, HOLE, HOLE + PG,                \
	    b_needscopy_nocow, IA, IA, IA)                                                 \
	X(guard_object, "GUARD with an object", MAIN, HOLE, HOLE + PG, b_guard_object,     \
	    IA, IA, IA)                                                                    \
	X(guard_access, "GUARD with access", MAIN, HOLE, HOLE + PG, b_guard_access,        \
	    IA, IA, IA)                                                                    \
	X(guard_maxaccess, "GUARD with a non-NONE maxprot", MAIN, HOLE, HOLE + PG,         \
	    b_guard_maxaccess, IA, IA, IA)                                                 \
	X(off_unaligned, "object offset not page aligned", MAIN, HOLE, HOLE + PG,          \
	    b_off_unaligned, IA, IA, IA)                                                   \
	X(off_wraps, "object offset + length wraps", MAIN, HOLE, HOLE + 2 * PG,            \
	    b_off_wraps, IA, IA, IA)                                                       \
	X(wx, "W|X on a W^X map", WX, HOLE, HOLE + PG, b_wx, PF, PF, PF)                   \
	X(wx_only, "W|X without R on a W^X map", WX, HOLE, HOLE + PG, b_wx_only,           \
	    PF, PF, PF)                                                                    \
	X(overlap_inside, "range inside an entry", MAIN, A0 + PG, A0 + 2 * PG, b_ok,       \
	    NS, SKIP, SKIP)                                                                \
	X(overlap_exact, "range exactly an entry", MAIN, A0, A1, b_ok, NS, SKIP, SKIP)     \
	X(overlap_head, "range ends inside an entry", MAIN, A0 - PG, A0 + PG, b_ok,        \
	    NS, SKIP, SKIP)                                                                \
	X(overlap_tail, "range starts inside an entry", MAIN, B1 - PG, B1 + PG, b_ok,      \
	    NS, SKIP, SKIP)                                                                \
	X(overlap_cover, "range covers entries", MAIN, A0 - PG, B1 + PG, b_ok,             \
	    NS, SKIP, SKIP)                                                                \
	X(overlap_last, "range overlaps the last page", MAIN, MAXA - PG, MAXA, b_ok,       \
	    NS, SKIP, SKIP)                                                                \
	X(overlap_top, "range overlaps the top page (top map)", TOPM, TMAX - PG, TMAX,     \
	    b_ok, NS, SKIP, SKIP)                                                          \
	X(split_u_start, "splits UNSPLITTABLE (start inside)", MAIN, U0 + PG, U1 + PG,     \
	    b_ok, NS, IA, SKIP)                                                            \
	X(split_u_end, "splits UNSPLITTABLE (end inside)", MAIN, U0 - PG, U0 + PG, b_ok,   \
	    NS, IA, SKIP)                                                                  \
	X(split_u_inside, "splits UNSPLITTABLE (inside)", MAIN, U0 + PG, U1 - PG, b_ok,    \
	    NS, IA, SKIP)

/* find asks for two pages bottom-up from HOLE; *addrp must survive failure */
static int find_attrs(struct vm_map *m, const struct bsdvm_entry_attrs *a)
{
	struct bsdvm_space_req q = { .length = 2 * PG, .flags = BSDVM_SPACE_BOTTOMUP };
	bsdvm_addr_t addr = HOLE;
	int rv = bsdvm_map_find(m, &q, a, &addr);

	if (rv != KERN_SUCCESS && addr != HOLE) {
		fprintf(stderr, "  find wrote *addrp = %#" PRIx64 " on failure\n", addr);
		return SIDE_EFFECT;
	}
	return rv;
}

static int insert_locked_call(struct vm_map *m, bsdvm_addr_t s, bsdvm_addr_t e,
    const struct bsdvm_entry_attrs *a)
{
	int rv;

	bsdvm_map_lock(m);
	rv = bsdvm_map_insert_locked(m, s, e, a);
	bsdvm_map_unlock(m);
	return rv;
}

static int fixed_locked_call(struct vm_map *m, bsdvm_addr_t s, bsdvm_addr_t e,
    const struct bsdvm_entry_attrs *a)
{
	int rv;

	bsdvm_map_lock(m);
	rv = bsdvm_map_fixed_locked(m, s, e, a);
	bsdvm_map_unlock(m);
	return rv;
}

#define GEN_INSERT(tag, desc, map, s, e, b, ci, cf, cfd)                                 \
	static int ins_##tag(void) { return bsdvm_map_insert(MAP_##map, s, e, b()); }     \
	static int insl_##tag(void) { return insert_locked_call(MAP_##map, s, e, b()); } \
	static int fix_##tag(void) { return bsdvm_map_fixed(MAP_##map, s, e, b()); }      \
	static int fixl_##tag(void) { return fixed_locked_call(MAP_##map, s, e, b()); }   \
	static int find_##tag(void) { return find_attrs(MAP_##map, b()); }
INSERT_CASES(GEN_INSERT)

#define ROW_INSERT(tag, desc, map, s, e, b, ci, cf, cfd)                                 \
	{ "insert: " desc, ins_##tag, ci }, { "insert_locked: " desc, insl_##tag, ci },   \
	{ "fixed: " desc, fix_##tag, cf }, { "fixed_locked: " desc, fixl_##tag, cf },    \
	{ "find: " desc, find_##tag, cfd },

/*
 * Free-space requests: findspace, findspace_locked, find (with good attrs,
 * the hint passed through *addrp).
 * X(tag, description, map, hint, length, align, align_offset, max_end, flags, code)
 */
#define UP BSDVM_SPACE_BOTTOMUP
#define DN BSDVM_SPACE_TOPDOWN
#define SPACE_CASES(X)                                                                    \
	X(len_zero, "length 0", MAIN, HOLE, 0, 0, 0, 0, UP, IA)                             \
	X(len_unaligned, "length not a page multiple", MAIN, HOLE, PG + 1, 0, 0, 0, UP, IA) \
	X(len_half, "length half a page", MAIN, HOLE, PG / 2, 0, 0, 0, DN, IA)             \
	X(hint_unaligned, "hint not page aligned", MAIN, HOLE + 1, PG, 0, 0, 0, UP, IA)    \
	X(hint_unaligned_dn, "hint not page aligned (top-down)", MAIN, HOLE + 8, PG, 0, 0, \
	    0, DN, IA)                                                                     \
	X(maxend_unaligned, "max_end not page aligned", MAIN, 0, PG, 0, 0, HOLE + 1, UP,   \
	    IA)                                                                            \
	X(align_not_pow2, "align not a power of two", MAIN, 0, PG, 3 * PG, 0, 0, UP, IA)   \
	X(align_lt_page, "align below the page size", MAIN, 0, PG, PG / 2, 0, 0, UP, IA)   \
	X(align_one, "align 1", MAIN, 0, PG, 1, 0, 0, DN, IA)                             \
	X(aoff_ge_align, "align_offset >= align", MAIN, 0, PG, 4 * PG, 4 * PG, 0, UP, IA)  \
	X(aoff_unaligned, "align_offset not page aligned", MAIN, 0, PG, 4 * PG, PG / 2, 0, \
	    UP, IA)                                                                        \
	X(aoff_no_align, "align_offset without align", MAIN, 0, PG, 0, PG, 0, UP, IA)      \
	X(flags_unknown, "unknown space flag 0x4", MAIN, 0, PG, 0, 0, 0, 0x4, IA)          \
	X(flags_high, "unknown space flag 0x80000000", MAIN, 0, PG, 0, 0, 0,               \
	    0x80000000u, IA)                                                               \
	X(flags_both, "TOPDOWN|BOTTOMUP", MAIN, 0, PG, 0, 0, 0, UP | DN, IA)               \
	X(len_gt_map, "length larger than the map", MAIN, 0, MAXA - MINA + PG, 0, 0, 0, UP, \
	    NS)                                                                            \
	X(len_gt_map_dn, "length larger than the map (top-down)", MAIN, 0,                 \
	    MAXA - MINA + PG, 0, 0, 0, DN, NS)                                             \
	X(len_huge, "length 2^64 - page", MAIN, 0, TOP(PG), 0, 0, 0, UP, NS)              \
	X(hint_beyond_max, "hint beyond max (bottom-up)", MAIN, MAXA + 16 * PG, PG, 0, 0,  \
	    0, UP, NS)                                                                     \
	X(hint_len_wraps, "hint + length past 2^64", TOPM, TMAX - 3 * PG, 4 * PG, 0, 0, 0, \
	    UP, NS)                                                                        \
	X(maxend_below_min, "max_end below min", MAIN, 0, PG, 0, 0, MINA - PG, UP, NS)     \
	X(maxend_below_min_dn, "max_end below min (top-down)", MAIN, 0, PG, 0, 0,          \
	    MINA - PG, DN, NS)                                                             \
	X(align_too_big, "no aligned start inside the map", MAIN, 0, PG,                  \
	    (bsdvm_size_t)1 << 40, 0, 0, UP, NS)                                           \
	X(align_too_big_dn, "no aligned start inside the map (top-down)", MAIN, 0, PG,    \
	    (bsdvm_size_t)1 << 40, 0, 0, DN, NS)                                           \
	X(align_wraps, "next aligned start is 2^64", TOPM, 0, PG, (bsdvm_size_t)1 << 63,   \
	    0, 0, UP, NS)                                                                  \
	X(align_wraps_small, "next aligned start is 2^64 (align 2 MiB)", TOPM, 0, PG,     \
	    (bsdvm_size_t)2 << 20, 0, 0, UP, NS)

static int space_call(struct vm_map *m, int which, bsdvm_addr_t hint, bsdvm_size_t len,
    bsdvm_size_t align, bsdvm_addr_t aoff, bsdvm_addr_t max_end, uint32_t flags)
{
	struct bsdvm_space_req q = { .hint = hint, .length = len, .align = align,
		.align_offset = aoff, .max_end = max_end, .flags = flags };
	bsdvm_addr_t addr = 0x7000;
	int rv;

	switch (which) {
	case 0:
		return bsdvm_map_findspace(m, &q, &addr);
	case 1:
		bsdvm_map_lock_read(m);
		rv = bsdvm_map_findspace_locked(m, &q, &addr);
		bsdvm_map_unlock_read(m);
		return rv;
	default:
		addr = hint;
		q.hint = 0;
		rv = bsdvm_map_find(m, &q, b_ok(), &addr);
		if (rv != KERN_SUCCESS && addr != hint) {
			fprintf(stderr, "  find wrote *addrp = %#" PRIx64 " on failure\n", addr);
			return SIDE_EFFECT;
		}
		return rv;
	}
}

#define GEN_SPACE(tag, desc, map, h, l, al, ao, me, fl, code)                            \
	static int fs_##tag(void) { return space_call(MAP_##map, 0, h, l, al, ao, me, fl); } \
	static int fsl_##tag(void) { return space_call(MAP_##map, 1, h, l, al, ao, me, fl); } \
	static int fsf_##tag(void) { return space_call(MAP_##map, 2, h, l, al, ao, me, fl); }
SPACE_CASES(GEN_SPACE)

#define ROW_SPACE(tag, desc, map, h, l, al, ao, me, fl, code)                            \
	{ "findspace: " desc, fs_##tag, code }, { "findspace_locked: " desc, fsl_##tag, code }, \
	{ "find: " desc, fsf_##tag, code },

/*
 * Range operations.  The operations ask for a change every entry would
 * take (protect to READ, inherit NONE, madvise RANDOM) so that the
 * unsplittable rows really need a split.
 * X(tag, description, map, start, end, delete, protect, inherit, madvise, check_protection)
 */
#define RANGE_CASES(X)                                                                    \
	X(start_unaligned, "start not page aligned", MAIN, A0 + 1, A1, IA, IA, IA, IA,      \
	    RET_FALSE)                                                                     \
	X(end_unaligned, "end not page aligned", MAIN, A0, A1 - 1, IA, IA, IA, IA,         \
	    RET_FALSE)                                                                     \
	X(end_before_start, "end < start", MAIN, A1, A0, IA, IA, IA, IA, RET_FALSE)        \
	X(end_wraps, "end wraps past 2^64", TOPM, TMAX - 2 * PG, TMAX + 2 * PG, IA, IA,    \
	    IA, IA, RET_FALSE)                                                             \
	X(end_wraps_0, "end = 2^64 (wraps to 0)", TOPM, TMAX - 2 * PG, 0, IA, IA, IA, IA,  \
	    RET_FALSE)                                                                     \
	X(below_min, "range below min", MAIN, MINA - 2 * PG, MINA - PG, IAD, IAD, IAD,     \
	    IAD, RET_FALSE)                                                                \
	X(straddle_min, "range straddles min", MAIN, MINA - PG, A1, IAD, IAD, IAD, IAD,    \
	    RET_FALSE)                                                                     \
	X(at_max, "range starts at max", MAIN, MAXA, MAXA + PG, IAD, IAD, IAD, IAD,        \
	    RET_FALSE)                                                                     \
	X(above_max, "range above max", MAIN, MAXA + PG, MAXA + 4 * PG, IAD, IAD, IAD,     \
	    IAD, RET_FALSE)                                                                \
	X(straddle_max, "range straddles max", MAIN, T0, MAXA + PG, IAD, IAD, IAD, IAD,    \
	    RET_FALSE)                                                                     \
	X(around_map, "range contains the whole map", MAIN, MINA - PG, MAXA + PG, IAD,     \
	    IAD, IAD, IAD, RET_FALSE)                                                      \
	X(below_min_top, "range straddles min (top map)", TOPM, TMIN - PG, TMAX, IAD, IAD, \
	    IAD, IAD, RET_FALSE)                                                           \
	X(split_u_start, "splits UNSPLITTABLE (start inside)", MAIN, U0 + PG, U1 + PG, IA, \
	    IA, IA, IA, SKIP)                                                              \
	X(split_u_end, "splits UNSPLITTABLE (end inside)", MAIN, U0 - PG, U0 + PG, IA, IA, \
	    IA, IA, SKIP)                                                                  \
	X(split_u_inside, "splits UNSPLITTABLE (inside)", MAIN, U0 + PG, U1 - PG, IA, IA,  \
	    IA, IA, SKIP)                                                                  \
	X(split_u_wide, "splits UNSPLITTABLE (range from A)", MAIN, A0, U0 + PG, IA, IA,   \
	    IA, IA, RET_FALSE)

static int delete_locked_call(struct vm_map *m, bsdvm_addr_t s, bsdvm_addr_t e)
{
	int rv;

	bsdvm_map_lock(m);
	rv = bsdvm_map_delete_locked(m, s, e);
	bsdvm_map_unlock(m);
	return rv;
}

static int cp_call(struct vm_map *m, bsdvm_addr_t s, bsdvm_addr_t e, bsdvm_prot_t prot,
    bool locked)
{
	bool ok;

	if (locked) {
		bsdvm_map_lock_read(m);
		ok = bsdvm_map_check_protection_locked(m, s, e, prot);
		bsdvm_map_unlock_read(m);
	} else {
		ok = bsdvm_map_check_protection(m, s, e, prot);
	}
	return ok ? RET_TRUE : RET_FALSE;
}

#define GEN_RANGE(tag, desc, map, s, e, cd, cp, ci, ca, cc)                              \
	static int del_##tag(void) { return bsdvm_map_delete(MAP_##map, s, e); }          \
	static int dell_##tag(void) { return delete_locked_call(MAP_##map, s, e); }       \
	static int prot_##tag(void)                                                        \
	{                                                                                  \
		return bsdvm_map_protect(MAP_##map, s, e, VM_PROT_READ, 0,                 \
		    BSDVM_PROTECT_SET_PROT);                                               \
	}                                                                                  \
	static int inh_##tag(void) { return bsdvm_map_inherit(MAP_##map, s, e, VM_INHERIT_NONE); } \
	static int adv_##tag(void)                                                         \
	{                                                                                  \
		return bsdvm_map_madvise(MAP_##map, s, e, BSDVM_MADV_RANDOM);              \
	}                                                                                  \
	static int cp_##tag(void) { return cp_call(MAP_##map, s, e, VM_PROT_NONE, false); } \
	static int cpl_##tag(void) { return cp_call(MAP_##map, s, e, VM_PROT_NONE, true); }
RANGE_CASES(GEN_RANGE)

#define ROW_RANGE(tag, desc, map, s, e, cd, cp, ci, ca, cc)                              \
	{ "delete: " desc, del_##tag, cd }, { "delete_locked: " desc, dell_##tag, cd },   \
	{ "protect: " desc, prot_##tag, cp }, { "inherit: " desc, inh_##tag, ci },        \
	{ "madvise: " desc, adv_##tag, ca }, { "check_protection: " desc, cp_##tag, cc }, \
	{ "check_protection_locked: " desc, cpl_##tag, cc },

/* ------------------------------------------------------------------ */
/* hand-written rows: NULL pointers, per-function values, clip, create */

static int findspace_null_req(void)
{
	bsdvm_addr_t a = 0x7000;
	int rv = bsdvm_map_findspace(F.m, NULL, &a);

	return rv != KERN_SUCCESS && a != 0x7000 ? SIDE_EFFECT : rv;
}
static int findspace_null_addr(void)
{
	struct bsdvm_space_req q = { .length = PG };

	return bsdvm_map_findspace(F.m, &q, NULL);
}
static int findspace_locked_null_req(void)
{
	bsdvm_addr_t a = 0x7000;
	int rv;

	bsdvm_map_lock_read(F.m);
	rv = bsdvm_map_findspace_locked(F.m, NULL, &a);
	bsdvm_map_unlock_read(F.m);
	return rv != KERN_SUCCESS && a != 0x7000 ? SIDE_EFFECT : rv;
}
static int findspace_locked_null_addr(void)
{
	struct bsdvm_space_req q = { .length = PG };
	int rv;

	bsdvm_map_lock_read(F.m);
	rv = bsdvm_map_findspace_locked(F.m, &q, NULL);
	bsdvm_map_unlock_read(F.m);
	return rv;
}
static int find_null_req(void)
{
	bsdvm_addr_t a = HOLE;
	int rv = bsdvm_map_find(F.m, NULL, b_ok(), &a);

	return rv != KERN_SUCCESS && a != HOLE ? SIDE_EFFECT : rv;
}
static int find_null_addr(void)
{
	struct bsdvm_space_req q = { .length = PG };

	return bsdvm_map_find(F.m, &q, b_ok(), NULL);
}

/* a NULL map, to every function that returns a code and takes the lock
 * itself (the _locked ones are called with the lock held, so with a map) */
static int nomap_cb(void *arg, const struct bsdvm_region *r)
{
	(void)arg;
	(void)r;
	return 1;
}
static int null_map_insert(void) { return bsdvm_map_insert(NULL, HOLE, HOLE + PG, b_ok()); }
static int null_map_fixed(void) { return bsdvm_map_fixed(NULL, HOLE, HOLE + PG, b_ok()); }
static int null_map_findspace(void)
{
	struct bsdvm_space_req q = { .length = PG };
	bsdvm_addr_t a = 0x7000;
	int rv = bsdvm_map_findspace(NULL, &q, &a);

	return rv != KERN_SUCCESS && a != 0x7000 ? SIDE_EFFECT : rv;
}
static int null_map_find(void)
{
	struct bsdvm_space_req q = { .length = PG };
	bsdvm_addr_t a = HOLE;
	int rv = bsdvm_map_find(NULL, &q, b_ok(), &a);

	return rv != KERN_SUCCESS && a != HOLE ? SIDE_EFFECT : rv;
}
static int null_map_delete(void) { return bsdvm_map_delete(NULL, A0, A1); }
static int null_map_protect(void)
{
	return bsdvm_map_protect(NULL, A0, A1, VM_PROT_READ, 0, BSDVM_PROTECT_SET_PROT);
}
static int null_map_inherit(void) { return bsdvm_map_inherit(NULL, A0, A1, VM_INHERIT_NONE); }
static int null_map_madvise(void) { return bsdvm_map_madvise(NULL, A0, A1, BSDVM_MADV_RANDOM); }
/* clip is called with the map locked: an entry of F.m, but no map */
static int null_map_clip(bool start)
{
	struct vm_map_entry *e = NULL;
	int rv;

	bsdvm_map_lock(F.m);
	(void)bsdvm_map_lookup_entry(F.m, A0, &e);
	rv = start ? bsdvm_map_clip_start(NULL, e, A0 + PG) : bsdvm_map_clip_end(NULL, e, A0 + PG);
	bsdvm_map_unlock(F.m);
	return rv;
}
static int null_map_clip_start(void) { return null_map_clip(true); }
static int null_map_clip_end(void) { return null_map_clip(false); }
static int null_map_foreach(void) { return bsdvm_map_foreach(NULL, nomap_cb, NULL); }
static int null_foreach_fn(void) { return bsdvm_map_foreach(F.m, NULL, NULL); }

/* protect */
static int protect_call(struct vm_map *m, bsdvm_addr_t s, bsdvm_addr_t e, bsdvm_prot_t p,
    bsdvm_prot_t mp, uint32_t fl)
{
	return bsdvm_map_protect(m, s, e, p, mp, fl);
}
static int protect_flag_unknown(void)
{
	return protect_call(F.m, A0, A1, VM_PROT_READ, VM_PROT_READ, 0x4);
}
static int protect_flag_high(void)
{
	return protect_call(F.m, A0, A1, VM_PROT_READ, VM_PROT_READ,
	    BSDVM_PROTECT_SET_PROT | 0x80000000u);
}
static int protect_prot_bits(void)
{
	return protect_call(F.m, A0, A1, VM_PROT_READ | 0x08, 0, BSDVM_PROTECT_SET_PROT);
}
static int protect_maxprot_bits(void)
{
	return protect_call(F.m, A0, A1, 0, VM_PROT_READ | 0x40, BSDVM_PROTECT_SET_MAX);
}
static int protect_out_of_bounds(void)
{
	return protect_call(F.m, A0, A1, VM_PROT_RW, VM_PROT_READ,
	    BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX);
}
static int protect_out_of_bounds_hole(void)
{
	return protect_call(F.m, HOLE, HOLE + PG, VM_PROT_EXECUTE, VM_PROT_NONE,
	    BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX);
}
static int protect_above_max(void)
{
	return protect_call(F.m, A1, B1, VM_PROT_RW, 0, BSDVM_PROTECT_SET_PROT);
}
static int protect_above_max_part(void)
{
	return protect_call(F.m, A1 + PG, A1 + 2 * PG, VM_PROT_RW, 0, BSDVM_PROTECT_SET_PROT);
}
static int protect_raise_max(void)
{
	return protect_call(F.m, A1, B1, 0, VM_PROT_RW, BSDVM_PROTECT_SET_MAX);
}
static int protect_raise_max_both(void)
{
	return protect_call(F.m, A1, B1, VM_PROT_READ, VM_PROT_RW,
	    BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX);
}
static int protect_second_fails(void)
{
	/* A (RW/ALL) could become RWX, Bn (R/R) cannot: nothing changes */
	return protect_call(F.m, A0, B1, VM_PROT_ALL, 0, BSDVM_PROTECT_SET_PROT);
}
static int protect_last_fails(void)
{
	/* U (max ALL) would take max ALL, O (max RW) cannot: nothing changes */
	return protect_call(F.m, U0, O1, VM_PROT_READ, VM_PROT_ALL,
	    BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX);
}
static int protect_wx(void)
{
	return protect_call(F.wx, A0, A1, VM_PROT_ALL, 0, BSDVM_PROTECT_SET_PROT);
}
static int protect_wx_part(void)
{
	return protect_call(F.wx, A0 + PG, A0 + 2 * PG, VM_PROT_WRITE | VM_PROT_EXECUTE, 0,
	    BSDVM_PROTECT_SET_PROT);
}
static int protect_wx_both(void)
{
	return protect_call(F.wx, A0, A1, VM_PROT_ALL, VM_PROT_ALL,
	    BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX);
}

/* inherit, madvise */
static int inherit_4(void) { return bsdvm_map_inherit(F.m, A0, A1, VM_INHERIT_ZERO + 1); }
static int inherit_ff(void) { return bsdvm_map_inherit(F.m, A0, A1, 0xff); }
static int madvise_neg(void) { return bsdvm_map_madvise(F.m, A0, A1, -1); }
static int madvise_10(void) { return bsdvm_map_madvise(F.m, A0, A1, BSDVM_MADV_CORE + 1); }
static int madvise_max(void) { return bsdvm_map_madvise(F.m, A0, A1, INT_MAX); }
static int madvise_min(void) { return bsdvm_map_madvise(F.m, A0, A1, INT_MIN); }

/* check_protection: well-formed ranges that are still false */
static int cp_prot_bits(void) { return cp_call(F.m, A0, A1, 0x08, false); }
static int cp_prot_ff(void) { return cp_call(F.m, A0, A1, 0xff, false); }
static int cp_hole(void) { return cp_call(F.m, A0, U1, VM_PROT_NONE, false); }
static int cp_unmapped_start(void) { return cp_call(F.m, A0 - PG, A1, VM_PROT_NONE, false); }
static int cp_unmapped_end(void) { return cp_call(F.m, A0, B1 + PG, VM_PROT_NONE, false); }
static int cp_not_held(void) { return cp_call(F.m, A0, B1, VM_PROT_RW, false); }
static int cp_guard(void) { return cp_call(F.m, G0, G1, VM_PROT_READ, false); }

/* clip under the exclusive lock */
static int clip_call(struct vm_map *m, bsdvm_addr_t lookup, bsdvm_addr_t at, bool start,
    bool null_entry)
{
	struct vm_map_entry *e = NULL;
	int rv;

	bsdvm_map_lock(m);
	if (!null_entry && !bsdvm_map_lookup_entry(m, lookup, &e)) {
		bsdvm_map_unlock(m);
		fprintf(stderr, "  clip row: no entry at %#" PRIx64 "\n", lookup);
		return SIDE_EFFECT;
	}
	rv = start ? bsdvm_map_clip_start(m, e, at) : bsdvm_map_clip_end(m, e, at);
	bsdvm_map_unlock(m);
	return rv;
}
static int clip_start_null(void) { return clip_call(F.m, 0, A0 + PG, true, true); }
static int clip_end_null(void) { return clip_call(F.m, 0, A0 + PG, false, true); }
static int clip_start_unaligned(void) { return clip_call(F.m, A0, A0 + PG + 1, true, false); }
static int clip_end_unaligned(void) { return clip_call(F.m, A0, A0 + PG / 2, false, false); }
static int clip_start_unaligned_outside(void)
{
	return clip_call(F.m, A0, HOLE + 3, true, false);
}
static int clip_start_unsplittable(void) { return clip_call(F.m, U0, U0 + PG, true, false); }
static int clip_end_unsplittable(void) { return clip_call(F.m, U0, U1 - PG, false, false); }

/* create: *mapp must stay untouched and nothing may leak */
static int create_call(const struct bsdvm_map_params *p, bool null_mapp)
{
	struct vm_map *sentinel = (struct vm_map *)(void *)obj_store;
	struct vm_map *m = sentinel;
	int64_t live = bsdvm_alloc_live_bytes();
	int rv = bsdvm_map_create(p, null_mapp ? NULL : &m);

	if (rv == KERN_SUCCESS) {
		if (m != sentinel)
			bsdvm_map_destroy(m);
		return rv;
	}
	if (m != sentinel || bsdvm_alloc_live_bytes() != live) {
		fprintf(stderr, "  create: *mapp written or memory leaked on failure\n");
		return SIDE_EFFECT;
	}
	return rv;
}
static int create_with(bsdvm_addr_t min, bsdvm_addr_t max, bsdvm_size_t page,
    bsdvm_size_t super, uint32_t flags)
{
	struct bsdvm_map_params p = { .min = min, .max = max, .page_size = page,
		.superpage_size = super, .flags = flags };

	return create_call(&p, false);
}
static int create_null_params(void) { return create_call(NULL, false); }

/* the order of insert's checks (map_insert.c): an empty range is
 * KERN_INVALID_ADDRESS before a protection above the maximum is looked at */
static int insert_empty_and_prot_above_max(void)
{
	struct bsdvm_entry_attrs a = bsdvm_attrs_anon(VM_PROT_ALL, VM_PROT_READ);

	return bsdvm_map_insert(F.m, HOLE, HOLE, &a);
}
static int create_null_mapp(void)
{
	struct bsdvm_map_params p = { .min = MINA, .max = MAXA };

	return create_call(&p, true);
}
static int create_page_12k(void) { return create_with(0, MAXA, 12 * 1024, 0, 0); }
static int create_page_odd(void) { return create_with(0, MAXA, 4096 + 1, 0, 0); }
static int create_page_2k(void) { return create_with(0, MAXA, 2048, 0, 0); }
static int create_page_1(void) { return create_with(0, MAXA, 1, 0, 0); }
static int create_page_128k(void) { return create_with(0, MAXA, 128 * 1024, 0, 0); }
static int create_page_2_63(void) { return create_with(0, MAXA, (bsdvm_size_t)1 << 63, 0, 0); }
static int create_super_small(void) { return create_with(0, MAXA, 65536, 16384, 0); }
static int create_super_odd(void) { return create_with(0, MAXA, 0, 3u << 20, 0); }
static int create_super_page_half(void) { return create_with(0, MAXA, 8192, 4096, 0); }
static int create_min_eq_max(void) { return create_with(MINA, MINA, 0, 0, 0); }
static int create_min_gt_max(void) { return create_with(MAXA, MINA, 0, 0, 0); }
static int create_zero_zero(void) { return create_with(0, 0, 0, 0, 0); }
static int create_min_unaligned(void) { return create_with(MINA + 1, MAXA, 0, 0, 0); }
static int create_max_unaligned(void) { return create_with(MINA, MAXA + 0x800, 0, 0, 0); }
static int create_min_unaligned_64k(void) { return create_with(0x11000, MAXA, 65536, 0, 0); }
static int create_max_beyond(void) { return create_with(0, TOP(1), 0, 0, 0); }
static int create_max_beyond_64k(void) { return create_with(0, TOP(4096), 65536, 0, 0); }
static int create_max_2_64(void) { return create_with(MINA, 0, 0, 0, 0); }
static int create_flag_unknown(void) { return create_with(MINA, MAXA, 0, 0, 0x20); }
static int create_flag_both_index(void)
{
	return create_with(MINA, MAXA, 0, 0, BSDVM_MAP_ALIGN_INDEX | BSDVM_MAP_NO_ALIGN_INDEX);
}
static int create_flag_high(void) { return create_with(MINA, MAXA, 0, 0, 0x80000000u); }

/* ------------------------------------------------------------------ */
/* THE TABLE */

static const struct row rows[] = {
	/* create */
	{ "create: params NULL", create_null_params, IA },
	{ "create: mapp NULL", create_null_mapp, IA },
	{ "create: page 12K (not a power of two)", create_page_12k, IA },
	{ "create: page 4K+1 (not a power of two)", create_page_odd, IA },
	{ "create: page 2K (< 4K)", create_page_2k, IA },
	{ "create: page 1 (< 4K)", create_page_1, IA },
	{ "create: page 128K (> 64K)", create_page_128k, IA },
	{ "create: page 2^63 (> 64K)", create_page_2_63, IA },
	{ "create: superpage 16K < page 64K", create_super_small, IA },
	{ "create: superpage 4K < page 8K", create_super_page_half, IA },
	{ "create: superpage 3M (not a power of two)", create_super_odd, IA },
	{ "create: min == max", create_min_eq_max, IA },
	{ "create: min > max", create_min_gt_max, IA },
	{ "create: min == max == 0", create_zero_zero, IA },
	{ "create: min not page aligned", create_min_unaligned, IA },
	{ "create: max not page aligned", create_max_unaligned, IA },
	{ "create: min not aligned to a 64K page", create_min_unaligned_64k, IA },
	{ "create: max = 2^64 - 1", create_max_beyond, IA },
	{ "create: max = 2^64 - 4K with 64K pages", create_max_beyond_64k, IA },
	{ "create: max = 2^64 (wraps to 0)", create_max_2_64, IA },
	{ "create: unknown map flag 0x20", create_flag_unknown, IA },
	{ "create: ALIGN_INDEX and NO_ALIGN_INDEX", create_flag_both_index, IA },
	{ "create: unknown map flag 0x80000000", create_flag_high, IA },

	/* insert, insert_locked, fixed, find: range and attribute classes */
	INSERT_CASES(ROW_INSERT)

	/* findspace, findspace_locked, find: request classes */
	SPACE_CASES(ROW_SPACE)
	{ "findspace: req NULL", findspace_null_req, IA },
	{ "findspace: addrp NULL", findspace_null_addr, IA },
	{ "findspace_locked: req NULL", findspace_locked_null_req, IA },
	{ "findspace_locked: addrp NULL", findspace_locked_null_addr, IA },
	{ "find: req NULL", find_null_req, IA },
	{ "find: addrp NULL", find_null_addr, IA },
	{ "insert: map NULL", null_map_insert, IA },
	{ "insert: empty range and prot above max", insert_empty_and_prot_above_max,
	  KERN_INVALID_ADDRESS },
	{ "fixed: map NULL", null_map_fixed, IA },
	{ "findspace: map NULL", null_map_findspace, IA },
	{ "find: map NULL", null_map_find, IA },
	{ "delete: map NULL", null_map_delete, IA },
	{ "protect: map NULL", null_map_protect, IA },
	{ "inherit: map NULL", null_map_inherit, IA },
	{ "madvise: map NULL", null_map_madvise, IA },
	{ "clip_start: map NULL", null_map_clip_start, IA },
	{ "clip_end: map NULL", null_map_clip_end, IA },
	{ "foreach: map NULL", null_map_foreach, IA },
	{ "foreach: fn NULL", null_foreach_fn, IA },

	/* delete, protect, inherit, madvise, check_protection: range classes */
	RANGE_CASES(ROW_RANGE)

	/* protect */
	{ "protect: unknown flag 0x4", protect_flag_unknown, IA },
	{ "protect: unknown flag 0x80000000", protect_flag_high, IA },
	{ "protect: prot bits beyond VM_PROT_ALL", protect_prot_bits, IA },
	{ "protect: maxprot bits beyond VM_PROT_ALL", protect_maxprot_bits, IA },
	{ "protect: new prot not within new max", protect_out_of_bounds, OOB },
	{ "protect: new prot not within new max (hole)", protect_out_of_bounds_hole, OOB },
	{ "protect: prot above the entry's max", protect_above_max, PF },
	{ "protect: prot above max, part of an entry", protect_above_max_part, PF },
	{ "protect: SET_MAX raising the max", protect_raise_max, PF },
	{ "protect: both flags raising the max", protect_raise_max_both, PF },
	{ "protect: second entry of the range fails", protect_second_fails, PF },
	{ "protect: last entry of the range fails", protect_last_fails, PF },
	{ "protect: W|X on a W^X map", protect_wx, PF },
	{ "protect: W|X on part of an entry, W^X map", protect_wx_part, PF },
	{ "protect: W|X with both flags, W^X map", protect_wx_both, PF },

	/* inherit, madvise */
	{ "inherit: value 4", inherit_4, IA },
	{ "inherit: value 255", inherit_ff, IA },
	{ "madvise: advice -1", madvise_neg, IA },
	{ "madvise: advice 10", madvise_10, IA },
	{ "madvise: advice INT_MAX", madvise_max, IA },
	{ "madvise: advice INT_MIN", madvise_min, IA },

	/* check_protection */
	{ "check_protection: prot bit 0x8", cp_prot_bits, RET_FALSE },
	{ "check_protection: prot 0xff", cp_prot_ff, RET_FALSE },
	{ "check_protection: hole inside the range", cp_hole, RET_FALSE },
	{ "check_protection: unmapped start", cp_unmapped_start, RET_FALSE },
	{ "check_protection: unmapped end", cp_unmapped_end, RET_FALSE },
	{ "check_protection: prot not held by every entry", cp_not_held, RET_FALSE },
	{ "check_protection: READ on a guard", cp_guard, RET_FALSE },

	/* clip_start, clip_end */
	{ "clip_start: entry NULL", clip_start_null, IA },
	{ "clip_end: entry NULL", clip_end_null, IA },
	{ "clip_start: address not page aligned", clip_start_unaligned, IA },
	{ "clip_end: address not page aligned", clip_end_unaligned, IA },
	{ "clip_start: unaligned address outside the entry", clip_start_unaligned_outside, IA },
	{ "clip_start: UNSPLITTABLE entry", clip_start_unsplittable, IA },
	{ "clip_end: UNSPLITTABLE entry", clip_end_unsplittable, IA },
};

/* ------------------------------------------------------------------ */
/* controls: the same fixture accepts well-formed calls (so the rows above
 * fail for the reason they name, not because the fixture is broken) */

static int ok_insert(void) { return bsdvm_map_insert(F.m, HOLE, HOLE + PG, b_ok()); }
static int ok_insert_locked(void) { return insert_locked_call(F.m, HOLE, HOLE + PG, b_ok()); }
static int ok_insert_top(void)
{
	return bsdvm_map_insert(F.top, TMAX - 4 * PG, TMAX - 2 * PG, b_ok());
}
static int ok_insert_min(void) { return bsdvm_map_insert(F.m, MINA, MINA + PG, b_ok()); }
static int ok_fixed(void) { return bsdvm_map_fixed(F.m, A0, O1, b_ok()); }
static int ok_fixed_u(void) { return bsdvm_map_fixed(F.m, U0, U1, b_ok()); }
static int ok_fixed_locked(void) { return fixed_locked_call(F.m, A0 + PG, HOLE, b_ok()); }
static int ok_find(void) { return find_attrs(F.m, b_ok()); }
static int ok_find_wx(void)
{
	attr_buf = bsdvm_attrs_anon(VM_PROT_READ | VM_PROT_EXECUTE, VM_PROT_ALL);
	return find_attrs(F.wx, &attr_buf);
}
static int ok_findspace(void) { return space_call(F.m, 0, HOLE, PG, 0, 0, 0, UP); }
static int ok_findspace_aligned(void)
{
	return space_call(F.m, 0, 0, PG, 4 * PG, PG, 0, DN);
}
static int ok_findspace_top(void) { return space_call(F.top, 0, 0, PG, 0, 0, 0, DN); }
static int ok_delete(void) { return bsdvm_map_delete(F.m, A0, T0); }
static int ok_delete_u(void) { return bsdvm_map_delete(F.m, U0, U1); }
static int ok_delete_top(void) { return bsdvm_map_delete(F.top, TMAX - PG, TMAX); }
static int ok_delete_empty(void) { return bsdvm_map_delete(F.m, MAXA, MAXA); }
static int ok_protect(void)
{
	return protect_call(F.m, A0 + PG, A1, VM_PROT_READ, 0, BSDVM_PROTECT_SET_PROT);
}
static int ok_protect_u(void)
{
	return protect_call(F.m, U0, U1, VM_PROT_READ, 0, BSDVM_PROTECT_SET_PROT);
}
static int ok_protect_wx(void)
{
	return protect_call(F.wx, A0, A1, VM_PROT_READ | VM_PROT_EXECUTE, 0,
	    BSDVM_PROTECT_SET_PROT);
}
static int ok_inherit(void) { return bsdvm_map_inherit(F.m, A0, A1 - PG, VM_INHERIT_ZERO); }
static int ok_madvise(void) { return bsdvm_map_madvise(F.m, A0, A1 - PG, BSDVM_MADV_CORE); }
static int ok_madvise_u(void)
{
	return bsdvm_map_madvise(F.m, U0 + PG, U1 - PG, BSDVM_MADV_WILLNEED);
}
static int ok_cp(void) { return cp_call(F.m, A0, B1, VM_PROT_READ, false); }
static int ok_cp_top(void) { return cp_call(F.top, TMAX - 2 * PG, TMAX, VM_PROT_RW, true); }
static int ok_clip(void) { return clip_call(F.m, A0, A0 + PG, true, false); }
static int ok_clip_u_noop(void) { return clip_call(F.m, U0, U0, true, false); }
static int ok_create(void)
{
	return create_with(MINA, MAXA, 65536, 65536, BSDVM_MAP_FLAGS_MASK & ~BSDVM_MAP_ALIGN_INDEX);
}
static int ok_create_top(void) { return create_with(0, TOP(65536), 65536, 0, 0); }

static const struct row controls[] = {
	{ "insert", ok_insert, KERN_SUCCESS },
	{ "insert_locked", ok_insert_locked, KERN_SUCCESS },
	{ "insert below the top entry", ok_insert_top, KERN_SUCCESS },
	{ "insert at min", ok_insert_min, KERN_SUCCESS },
	{ "fixed over several entries", ok_fixed, KERN_SUCCESS },
	{ "fixed over a whole unsplittable entry", ok_fixed_u, KERN_SUCCESS },
	{ "fixed_locked over most of the map", ok_fixed_locked, KERN_SUCCESS },
	{ "find", ok_find, KERN_SUCCESS },
	{ "find R|X on W^X map", ok_find_wx, KERN_SUCCESS },
	{ "findspace", ok_findspace, KERN_SUCCESS },
	{ "findspace aligned top-down", ok_findspace_aligned, KERN_SUCCESS },
	{ "findspace on the top map", ok_findspace_top, KERN_SUCCESS },
	{ "delete across entries", ok_delete, KERN_SUCCESS },
	{ "delete a whole unsplittable entry", ok_delete_u, KERN_SUCCESS },
	{ "delete the top page", ok_delete_top, KERN_SUCCESS },
	{ "delete empty at max", ok_delete_empty, KERN_SUCCESS },
	{ "protect", ok_protect, KERN_SUCCESS },
	{ "protect a whole unsplittable entry", ok_protect_u, KERN_SUCCESS },
	{ "protect R|X on W^X map", ok_protect_wx, KERN_SUCCESS },
	{ "inherit", ok_inherit, KERN_SUCCESS },
	{ "madvise", ok_madvise, KERN_SUCCESS },
	{ "madvise WILLNEED inside unsplittable", ok_madvise_u, KERN_SUCCESS },
	{ "check_protection", ok_cp, RET_TRUE },
	{ "check_protection_locked at the top", ok_cp_top, RET_TRUE },
	{ "clip_start", ok_clip, KERN_SUCCESS },
	{ "clip_start no-op on unsplittable", ok_clip_u_noop, KERN_SUCCESS },
	{ "create 64K pages, all flags", ok_create, KERN_SUCCESS },
	{ "create up to 2^64 - 64K", ok_create_top, KERN_SUCCESS },
};

/* ------------------------------------------------------------------ */
/* the runner */

struct snapshot {
	char *listing[3];
	struct bsdvm_map_stats st[3];
};

static struct vm_map *fx_nth(int i)
{
	return i == 0 ? F.m : i == 1 ? F.wx : F.top;
}

static void snap(struct snapshot *s)
{
	int i;

	for (i = 0; i < 3; i++) {
		s->listing[i] = test_map_listing(fx_nth(i));
		bsdvm_map_get_stats(fx_nth(i), &s->st[i]);
	}
}

static void snap_free(struct snapshot *s)
{
	int i;

	for (i = 0; i < 3; i++)
		free(s->listing[i]);
}

/* True when nothing observable about any map moved. */
static bool unchanged(const struct snapshot *a, const struct snapshot *b, const char *name)
{
	static const char *const names[3] = { "main", "wx", "top" };
	bool same = true;
	int i;

	for (i = 0; i < 3; i++) {
		const struct bsdvm_map_stats *x = &a->st[i], *y = &b->st[i];

		if (strcmp(a->listing[i], b->listing[i]) != 0) {
			fprintf(stderr, "  %s: %s map listing changed\nbefore:\n%safter:\n%s",
			    name, names[i], a->listing[i], b->listing[i]);
			same = false;
		}
		if (x->nentries != y->nentries || x->size != y->size ||
		    x->largest_gap != y->largest_gap || x->inserts != y->inserts ||
		    x->removes != y->removes || x->splits != y->splits ||
		    x->merges != y->merges) {
			fprintf(stderr, "  %s: %s map statistics changed (nentries %" PRIu64
			    "->%" PRIu64 ", size %#" PRIx64 "->%#" PRIx64 ", splits %" PRIu64
			    "->%" PRIu64 ", merges %" PRIu64 "->%" PRIu64 ")\n", name, names[i],
			    x->nentries, y->nentries, x->size, y->size, x->splits, y->splits,
			    x->merges, y->merges);
			same = false;
		}
	}
	return same;
}

static void run_row(const struct row *r, bool must_not_change)
{
	struct snapshot before, after;
	int rv, i;

	fx_init();
	snap(&before);
	rv = r->call();
	snap(&after);
	CHECK_KERN(rv, r->expect);
	if (rv != r->expect)
		fprintf(stderr, "  row: %s\n", r->name);
	if (must_not_change) {
		bool same = unchanged(&before, &after, r->name);

		CHECK(same);
	}
	for (i = 0; i < 3; i++) {
		bool ok = vm_map_check(fx_nth(i));

		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  row: %s\n", r->name);
	}
	snap_free(&before);
	snap_free(&after);
	fx_fini();
}

int main(void)
{
	const size_t nrows = sizeof(rows) / sizeof(rows[0]);
	const size_t nctl = sizeof(controls) / sizeof(controls[0]);
	int64_t live0 = bsdvm_alloc_live_bytes();
	size_t i, j, run = 0;

	for (i = 0; i < nrows; i++) {
		/* the table holds errors only, each named once */
		CHECK(rows[i].expect != KERN_SUCCESS);
		for (j = 0; j < i; j++)
			if (strcmp(rows[i].name, rows[j].name) == 0) {
				tu_failed++;
				fprintf(stderr, "duplicate row name: %s\n", rows[i].name);
			}
		if (rows[i].expect == SKIP)
			continue;
		run_row(&rows[i], true);
		run++;
	}
	for (i = 0; i < nctl; i++)
		run_row(&controls[i], false);
	CHECK_EQ_U64(bsdvm_alloc_live_bytes(), live0);
	printf("%zu error rows (%zu in the table), %zu controls\n", run, nrows, nctl);
	return test_main_exit("test_map_errors");
}
