/*
 * replay_place.c - where mappings go, and the translation table.
 *
 * With --place fixed (the default) every mapping goes where the trace says
 * it landed, so traced and replayed addresses are the same.  With another
 * policy bsdvm chooses the address of every mapping the program let the
 * kernel place; later calls still name the traced addresses, so each
 * address space keeps a table from traced ranges to the distance of their
 * replayed copy.  A traced range that spans several table entries is cut
 * into pieces, one per distance.
 */
#include "replay.h"

#define ADDR_2G ((uint64_t)0x80000000)

size_t replay_pieces(struct ras *as, uint64_t start, uint64_t end, struct rpiece *out,
    size_t max)
{
	size_t i = rranges_first_after(&as->xlate, start), n = 0;
	uint64_t at = start;

	while (at < end && n < max) {
		const struct rrange *r = i < as->xlate.n ? &as->xlate.v[i] : NULL;
		uint64_t stop, delta = 0;

		if (r != NULL && r->start <= at) {
			stop = r->end < end ? r->end : end;
			delta = r->val;
			i++;
		} else {
			stop = r != NULL && r->start < end ? r->start : end;
		}
		if (n + 1 == max)
			stop = end; /* out of room: the rest moves with this piece */
		out[n].start = at + delta;
		out[n].end = stop + delta;
		out[n].tstart = at;
		n++;
		at = stop;
	}
	return n;
}

uint64_t replay_xlate(struct ras *as, uint64_t addr)
{
	const struct rrange *r = rranges_find(&as->xlate, addr);

	return r != NULL ? addr + r->val : addr;
}

bool replay_xlate_set(struct ras *as, uint64_t tstart, uint64_t len, uint64_t raddr)
{
	if (raddr == tstart)
		return rranges_clear(&as->xlate, tstart, tstart + len);
	return rranges_set(&as->xlate, tstart, tstart + len, raddr - tstart);
}

/* xorshift64*: the same addresses for the same --seed on every host. */
static uint64_t next_random(struct replay *rp)
{
	uint64_t x = rp->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rp->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

int replay_place(struct replay *rp, struct ras *as, uint64_t traced, uint64_t len,
    bool below2g, uint64_t *addr)
{
	struct bsdvm_space_req req = { 0, len, 0, 0, below2g ? ADDR_2G : 0,
		BSDVM_SPACE_BOTTOMUP };
	uint64_t top = below2g ? ADDR_2G : rp->mmap_base;
	int rv;

	if (rp->o.place == PLACE_FIXED) {
		*addr = traced;
		return KERN_SUCCESS;
	}
	if (rp->o.place == PLACE_TOP_DOWN && top - rp->min >= len) {
		req.hint = top - len;
		req.flags = BSDVM_SPACE_TOPDOWN;
	} else if (rp->o.place == PLACE_RANDOM && top - rp->min > len) {
		uint64_t span = (top - len - rp->min) / rp->o.page_size;

		req.hint = rp->min + (next_random(rp) % (span + 1)) * rp->o.page_size;
	}
	rv = bsdvm_map_findspace(ras_map(as), &req, addr);
	if (rv == KERN_NO_SPACE && req.hint != 0) {
		/* nothing above the random start, or below the base: first fit */
		req.hint = 0;
		req.flags = BSDVM_SPACE_BOTTOMUP;
		rv = bsdvm_map_findspace(ras_map(as), &req, addr);
	}
	return rv;
}
