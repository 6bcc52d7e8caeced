/*
 * map_ops.c - range operations: delete, protect, inherit, madvise,
 * check_protection, and the public clip/simplify primitives.
 *
 * Each mutator has the same three phases:
 *   1. validate the arguments and every entry the range touches, and
 *      reserve the two entries that clipping may need (the only failure
 *      points);
 *   2. clip at both ends and change the entries;
 *   3. merge what became compatible.
 * Entries whose attributes would not change are not clipped at all.
 */
#include "map/map_impl.h"

/* ---- delete ---- */

int bsdvm_map_delete_locked(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end)
{
	struct map_range r;
	struct vm_map_entry *e;
	int rv = map_range_check(map, start, end);

	if (rv != KERN_SUCCESS || start == end)
		return rv;
	map_range_find(map, start, end, &r);
	if (r.last == NULL)
		return KERN_SUCCESS; /* only holes */
	rv = map_range_splittable(&r, start, end);
	/* only a clip needs memory: removing whole entries cannot fail, which
	 * callers undoing their own insertion rely on (map_stack_locked) */
	if (rv == KERN_SUCCESS && (r.first->start < start || r.last->end > end))
		rv = map_entry_reserve(map, 2);
	if (rv != KERN_SUCCESS)
		return rv;
	map_range_clip(map, &r, start, end, true, true);
	for (e = r.first;;) {
		struct vm_map_entry *next = e->next;
		bool was_last = e == r.last;

		map_entry_remove(map, e);
		if (was_last)
			break;
		e = next;
	}
	map_entry_trim(map);
	return KERN_SUCCESS;
}

int bsdvm_map_delete(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end)
{
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	bsdvm_map_lock(map);
	rv = bsdvm_map_delete_locked(map, start, end);
	bsdvm_map_unlock(map);
	return rv;
}

/* ---- the generic "change attributes over a range" driver ---- */

struct range_op {
	/* KERN_SUCCESS if e may be changed as asked, else the code */
	int (*check)(const struct vm_map *map, const struct vm_map_entry *e, const void *arg);
	/* would e change? */
	bool (*changes)(const struct vm_map_entry *e, const void *arg);
	void (*apply)(struct vm_map_entry *e, const void *arg);
	const void *arg;
};

static int range_apply(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct range_op *op)
{
	struct map_range r;
	struct vm_map_entry *e;
	bool any = false, prepared = false;
	int rv = map_range_check(map, start, end);

	if (rv != KERN_SUCCESS || start == end)
		return rv;

	/* phase 1: one lookup, then validate every entry in the range; the
	 * lookup leaves the finger for the clips and merges of phase 2 */
	e = map_tree_lookup_change(map, start, &r.first);
	r.first = e != NULL ? e : r.first->next;
	r.last = NULL;
	for (e = r.first; e != MAP_HEADER(map) && e->start < end; e = e->next) {
		r.last = e;
		if (op->check != NULL && (rv = op->check(map, e, op->arg)) != KERN_SUCCESS)
			return rv;
		if (op->changes(e, op->arg)) {
			if ((e->eflags & MAP_ENTRY_UNSPLITTABLE) && (e->start < start || e->end > end))
				return KERN_INVALID_ARGUMENT;
			any = true;
		}
		if (e->end >= end)
			break; /* the next one starts at or past end: do not read it */
	}
	if (!any)
		return KERN_SUCCESS;
	rv = map_entry_reserve(map, 2);
	if (rv == KERN_SUCCESS && r.first->start < start && op->changes(r.first, op->arg))
		rv = map_entry_prepare_clip(map, r.first, &prepared);
	if (rv == KERN_SUCCESS && r.last->end > end && op->changes(r.last, op->arg)) {
		bool unused;

		rv = map_entry_prepare_clip(map, r.last, &unused);
	}
	if (rv != KERN_SUCCESS) {
		if (prepared)
			map_entry_unprepare_clip(map, r.first);
		map_entry_trim(map);
		return rv;
	}

	/* phase 2: clip only the boundary entries that change, then apply */
	map_range_clip(map, &r, start, end, op->changes(r.first, op->arg),
	    op->changes(r.last, op->arg));
	for (e = r.first;; e = e->next) {
		if (e->start >= start && e->end <= end && op->changes(e, op->arg)) {
			op->apply(e, op->arg);
			if (map->hooks != NULL && map->hooks->entry_changed != NULL)
				map->hooks->entry_changed(map, e);
		}
		if (e == r.last)
			break;
	}

	/* phase 3: coalesce */
	map_range_simplify_from(map, r.first, end);
	map_entry_trim(map);
	return KERN_SUCCESS;
}

static int range_apply_locking(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct range_op *op)
{
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	bsdvm_map_lock(map);
	rv = range_apply(map, start, end, op);
	bsdvm_map_unlock(map);
	return rv;
}

/* ---- protect ---- */

struct protect_arg {
	bsdvm_prot_t prot, maxprot;
	uint32_t flags;
};

/*
 * A plain guard has no protection to change.  A stack gap has none of its
 * own either, but it keeps the stack's protection (prot | max << 8 in its
 * offset) for the growth to come; protect checks and updates that, as
 * FreeBSD's vm_map_protect_guard does.
 */
static bool is_plain_guard(const struct vm_map_entry *e)
{
	return (e->eflags & MAP_ENTRY_GUARD) != 0 &&
	    (e->eflags & (MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP)) == 0;
}

static bool is_stack_gap(const struct vm_map_entry *e)
{
	return (e->eflags & (MAP_ENTRY_STACK_GAP_DN | MAP_ENTRY_STACK_GAP_UP)) != 0;
}

/* The protection and maximum protect works on: the entry's own, or the
 * stack's as a stack gap records it. */
static void entry_prots(const struct vm_map_entry *e, bsdvm_prot_t *prot, bsdvm_prot_t *max)
{
	if (is_stack_gap(e)) {
		*prot = (bsdvm_prot_t)(e->offset & VM_PROT_ALL);
		*max = (bsdvm_prot_t)((e->offset >> 8) & VM_PROT_ALL);
	} else {
		*prot = e->protection;
		*max = e->max_protection;
	}
}

static int protect_check(const struct vm_map *map, const struct vm_map_entry *e,
    const void *arg)
{
	const struct protect_arg *p = arg;
	bsdvm_prot_t cur, max;

	(void)map;
	if (is_plain_guard(e))
		return KERN_SUCCESS;
	entry_prots(e, &cur, &max);
	if ((p->flags & BSDVM_PROTECT_SET_PROT) && (p->prot & ~max) != 0)
		return KERN_PROTECTION_FAILURE;
	if ((p->flags & BSDVM_PROTECT_SET_MAX) && (p->maxprot & ~max) != 0)
		return KERN_PROTECTION_FAILURE;
	return KERN_SUCCESS;
}

static void protect_result(const struct vm_map_entry *e, const struct protect_arg *p,
    bsdvm_prot_t *prot, bsdvm_prot_t *max)
{
	entry_prots(e, prot, max);
	if (p->flags & BSDVM_PROTECT_SET_MAX) {
		*max = p->maxprot;
		*prot &= p->maxprot;
	}
	if (p->flags & BSDVM_PROTECT_SET_PROT)
		*prot = p->prot;
}

static bool protect_changes(const struct vm_map_entry *e, const void *arg)
{
	bsdvm_prot_t prot, max, cur, curmax;

	if (is_plain_guard(e))
		return false;
	protect_result(e, arg, &prot, &max);
	entry_prots(e, &cur, &curmax);
	return prot != cur || max != curmax;
}

static void protect_apply(struct vm_map_entry *e, const void *arg)
{
	bsdvm_prot_t prot, max;

	protect_result(e, arg, &prot, &max);
	if (is_stack_gap(e)) {
		e->offset = (bsdvm_off_t)prot | ((bsdvm_off_t)max << 8);
	} else {
		e->protection = prot;
		e->max_protection = max;
	}
}

int bsdvm_map_protect(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_prot_t new_prot, bsdvm_prot_t new_maxprot, uint32_t flags)
{
	struct protect_arg a = { new_prot, new_maxprot, flags };
	struct range_op op = { protect_check, protect_changes, protect_apply, &a };
	const bsdvm_prot_t wx = VM_PROT_WRITE | VM_PROT_EXECUTE;

	if (map == NULL || flags == 0 ||
	    (flags & ~(BSDVM_PROTECT_SET_PROT | BSDVM_PROTECT_SET_MAX)) != 0)
		return KERN_INVALID_ARGUMENT;
	if (((flags & BSDVM_PROTECT_SET_PROT) && (new_prot & ~VM_PROT_ALL) != 0) ||
	    ((flags & BSDVM_PROTECT_SET_MAX) && (new_maxprot & ~VM_PROT_ALL) != 0))
		return KERN_INVALID_ARGUMENT;
	if (map_range_check(map, start, end) != KERN_SUCCESS)
		return map_range_check(map, start, end);
	if ((flags & BSDVM_PROTECT_SET_PROT) && (flags & BSDVM_PROTECT_SET_MAX) &&
	    (new_prot & ~new_maxprot) != 0)
		return KERN_OUT_OF_BOUNDS;
	if ((map->flags & BSDVM_MAP_WXORX) && (flags & BSDVM_PROTECT_SET_PROT) &&
	    (new_prot & wx) == wx)
		return KERN_PROTECTION_FAILURE;
	return range_apply_locking(map, start, end, &op);
}

/* ---- inherit ---- */

static bool inherit_changes(const struct vm_map_entry *e, const void *arg)
{
	bsdvm_inherit_t inh = *(const bsdvm_inherit_t *)arg;

	/* a guard has no memory to zero (FreeBSD vm_map_inherit) */
	if (inh == VM_INHERIT_ZERO && (e->eflags & MAP_ENTRY_GUARD))
		return false;
	return e->inheritance != inh;
}

static void inherit_apply(struct vm_map_entry *e, const void *arg)
{
	e->inheritance = *(const bsdvm_inherit_t *)arg;
}

int bsdvm_map_inherit(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_inherit_t inheritance)
{
	struct range_op op = { NULL, inherit_changes, inherit_apply, &inheritance };

	if (inheritance > VM_INHERIT_ZERO)
		return KERN_INVALID_ARGUMENT;
	return range_apply_locking(map, start, end, &op);
}

/* ---- madvise ---- */

struct advise_arg {
	int advice;
};

static void advise_result(const struct vm_map_entry *e, int advice, uint8_t *adv,
    uint32_t *eflags)
{
	*adv = e->advice;
	*eflags = e->eflags;
	switch (advice) {
	case BSDVM_MADV_NORMAL:
	case BSDVM_MADV_RANDOM:
	case BSDVM_MADV_SEQUENTIAL:
		*adv = (uint8_t)advice;
		break;
	case BSDVM_MADV_NOSYNC:
		*eflags |= MAP_ENTRY_NOSYNC;
		break;
	case BSDVM_MADV_AUTOSYNC:
		*eflags &= ~MAP_ENTRY_NOSYNC;
		break;
	case BSDVM_MADV_NOCORE:
		*eflags |= MAP_ENTRY_NOCOREDUMP;
		break;
	case BSDVM_MADV_CORE:
		*eflags &= ~MAP_ENTRY_NOCOREDUMP;
		break;
	default:
		break;
	}
}

static bool advise_changes(const struct vm_map_entry *e, const void *arg)
{
	uint8_t adv;
	uint32_t fl;

	advise_result(e, ((const struct advise_arg *)arg)->advice, &adv, &fl);
	return adv != e->advice || fl != e->eflags;
}

static void advise_apply(struct vm_map_entry *e, const void *arg)
{
	advise_result(e, ((const struct advise_arg *)arg)->advice, &e->advice, &e->eflags);
}

int bsdvm_map_madvise(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end, int advice)
{
	struct advise_arg a = { advice };
	struct range_op op = { NULL, advise_changes, advise_apply, &a };
	int rv;

	if (map == NULL || advice < BSDVM_MADV_NORMAL || advice > BSDVM_MADV_CORE)
		return KERN_INVALID_ARGUMENT;
	rv = map_range_check(map, start, end);
	if (rv != KERN_SUCCESS)
		return rv;
	/* WILLNEED, DONTNEED and FREE act on resident pages, not on entries;
	 * the map itself does not change. */
	if (advice == BSDVM_MADV_WILLNEED || advice == BSDVM_MADV_DONTNEED ||
	    advice == BSDVM_MADV_FREE)
		return KERN_SUCCESS;
	return range_apply_locking(map, start, end, &op);
}

/* ---- check_protection ---- */

bool bsdvm_map_check_protection_locked(struct vm_map *map, bsdvm_addr_t start,
    bsdvm_addr_t end, bsdvm_prot_t prot)
{
	struct vm_map_entry *e;

	if (map_range_check(map, start, end) != KERN_SUCCESS || (prot & ~VM_PROT_ALL) != 0)
		return false;
	e = map_tree_lookup(map, start, NULL);
	if (e == NULL)
		return false;
	for (;;) {
		if ((e->protection & prot) != prot)
			return false;
		if (e->end >= end)
			return true;
		if (e->next == MAP_HEADER(map) || e->next->start != e->end)
			return false; /* a hole */
		e = e->next;
	}
}

bool bsdvm_map_check_protection(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_prot_t prot)
{
	bool ok;

	bsdvm_map_lock_read(map);
	ok = bsdvm_map_check_protection_locked(map, start, end, prot);
	bsdvm_map_unlock_read(map);
	return ok;
}

/* ---- public primitives ---- */

/* Validates a public clip; *needed is false when addr is not strictly
 * inside e (nothing to do). */
static int clip_prepare(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t addr,
    bool *needed)
{
	bool prepared;

	*needed = false;
	if (e == NULL || !map_aligned(map, addr))
		return KERN_INVALID_ARGUMENT;
	if (addr <= e->start || addr >= e->end)
		return KERN_SUCCESS;
	if (e->eflags & MAP_ENTRY_UNSPLITTABLE)
		return KERN_INVALID_ARGUMENT;
	*needed = true;
	if (map_entry_reserve(map, 1) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	return map_entry_prepare_clip(map, e, &prepared);
}

int bsdvm_map_clip_start(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t addr)
{
	bool needed;
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	rv = clip_prepare(map, e, addr, &needed);

	if (rv == KERN_SUCCESS && needed)
		map_entry_clip_start(map, e, addr);
	map_entry_trim(map); /* spare index nodes, or the entry a failure left */
	return rv;
}

int bsdvm_map_clip_end(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t addr)
{
	bool needed;
	int rv;

	if (map == NULL)
		return KERN_INVALID_ARGUMENT;
	rv = clip_prepare(map, e, addr, &needed);

	if (rv == KERN_SUCCESS && needed)
		map_entry_clip_end(map, e, addr);
	map_entry_trim(map); /* spare index nodes, or the entry a failure left */
	return rv;
}

struct vm_map_entry *bsdvm_map_simplify_entry(struct vm_map *map, struct vm_map_entry *e)
{
	return map_entry_simplify(map, e);
}
