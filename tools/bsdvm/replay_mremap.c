/*
 * replay_mremap.c - mremap: shrink or grow in place, or move.
 *
 * Linux requires the old range to lie inside one mapping, so the
 * attributes of the new memory are those of the entry at the old address
 * (for a grow in place, of the entry at the old end).  A move maps the new
 * range first and then unmaps the old one (unless MREMAP_DONTUNMAP, or an
 * old size of 0, which duplicates a shared mapping), so that an object
 * the old mapping held alone survives the move.  Pages are not carried
 * over: the replay touches no memory.
 */
#include <inttypes.h>
#include <string.h>

#include "replay.h"

/* The request that maps len bytes at addr like region r would continue at
 * r_at (the address inside r whose attributes the new memory takes). */
static void like(struct ras *as, const struct bsdvm_region *r, uint64_t r_at, uint64_t addr,
    uint64_t len, struct rmap_req *q)
{
	const struct rrange *name = rranges_find(&as->names, r->start);

	memset(q, 0, sizeof(*q));
	q->addr = addr;
	q->len = len;
	q->prot = r->protection;
	q->obj = r->object;
	q->anon = r->object == NULL;
	q->shared = r->object != NULL && !(r->eflags & MAP_ENTRY_COW);
	q->offset = r->object != NULL ? r->offset + (r_at - r->start) : 0;
	q->growsdown = (r->eflags & MAP_ENTRY_GROWS_DOWN) != 0;
	q->name = name != NULL ? (const char *)(uintptr_t)name->val : NULL;
}

static void resize_in_place(struct replay *rp, struct rcall *c, uint64_t rold,
    uint64_t oldlen, uint64_t newlen)
{
	struct bsdvm_region r;
	struct rmap_req q;
	int rv = KERN_SUCCESS;

	if (newlen < oldlen) {
		rv = replay_unmap(rp, c->as, rold + newlen, rold + oldlen);
	} else if (newlen > oldlen) {
		if (!bsdvm_map_query(ras_map(c->as), rold + oldlen - 1, &r)) {
			rp->unknown_ranges++;
			return;
		}
		like(c->as, &r, rold + oldlen, rold + oldlen, newlen - oldlen, &q);
		rv = replay_map_at(rp, c->as, &q);
	}
	if (rv != KERN_SUCCESS)
		replay_mismatch(rp, c, "resizing 0x%" PRIx64 " in place fails: %s", rold,
		    bsdvm_kern_name(rv));
}

static void move(struct replay *rp, struct rcall *c, uint64_t old, uint64_t rold,
    uint64_t oldlen, uint64_t newlen, uint64_t flags)
{
	uint64_t traced = (uint64_t)c->rec->result, rnew;
	struct bsdvm_region r;
	struct rmap_req q;
	int rv;

	if (!bsdvm_map_query(ras_map(c->as), rold, &r)) {
		rp->unknown_ranges++;
		return;
	}
	if (flags & LX_MREMAP_FIXED) {
		rnew = replay_xlate(c->as, traced);
	} else {
		rv = replay_place(rp, c->as, traced, newlen, false, &rnew);
		if (rv != KERN_SUCCESS) {
			replay_mismatch(rp, c, "bsdvm finds no room for the move (%s)",
			    bsdvm_kern_name(rv));
			return;
		}
	}
	like(c->as, &r, rold, rnew, newlen, &q);
	q.replace = (flags & LX_MREMAP_FIXED) != 0;
	rv = replay_map_at(rp, c->as, &q);
	if (rv != KERN_SUCCESS) {
		replay_mismatch(rp, c, "mapping the new range 0x%" PRIx64 "-0x%" PRIx64 " fails: %s",
		    rnew, rnew + newlen, bsdvm_kern_name(rv));
		return;
	}
	if (oldlen > 0 && !(flags & LX_MREMAP_DONTUNMAP)) {
		rv = replay_unmap(rp, c->as, rold, rold + oldlen);
		if (rv != KERN_SUCCESS)
			replay_mismatch(rp, c, "unmapping the old range fails: %s",
			    bsdvm_kern_name(rv));
		rranges_clear(&c->as->xlate, old, old + oldlen);
	}
	replay_xlate_set(c->as, traced, newlen, rnew);
}

void replay_mremap(struct replay *rp, struct rcall *c)
{
	uint64_t old, oldlen, newlen, flags = 0, rold;

	if (!c->rec->result_known) {
		c->stat->unknown++;
		return;
	}
	if (rc_failed(c)) {
		c->stat->failed++;
		return;
	}
	if (!rc_nargs(rp, c, 3) || !rc_num(rp, c, 0, &old) || !rc_len(rp, c, 1, &oldlen) ||
	    !rc_len(rp, c, 2, &newlen) ||
	    (c->argc > 3 && !rc_flags(rp, c, 3, strace_mremap_flags, &flags)))
		return;
	rold = replay_xlate(c->as, old);
	if (!ras_any_mapped(c->as, rold, rold + (oldlen ? oldlen : 1))) {
		rp->unknown_ranges++;
		c->stat->applied++;
		return;
	}
	if ((uint64_t)c->rec->result == old && !(flags & LX_MREMAP_FIXED) && oldlen > 0) {
		resize_in_place(rp, c, rold, oldlen, newlen);
		/* the translation grows or shrinks with the mapping */
		if (newlen > oldlen)
			replay_xlate_set(c->as, old, newlen, rold);
		else
			rranges_clear(&c->as->xlate, old + newlen, old + oldlen);
	} else
		move(rp, c, old, rold, oldlen, newlen, flags);
	c->stat->applied++;
}
