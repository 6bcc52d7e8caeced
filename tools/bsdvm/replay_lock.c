/*
 * replay_lock.c - wiring (mlock, mlock2, munlock, mlockall, munlockall)
 * and System V shared memory (shmget, shmat, shmdt).
 *
 * mlock is a user wiring: bsdvm_map_wire with BSDVM_WIRE_USER, which
 * faults every page in (so it needs frames: see --frames) and counts at
 * most once per entry, as Linux's VM_LOCKED does.  Holes and PROT_NONE
 * entries are skipped as Linux skips them.  munlock on memory that is not
 * locked is no error in Linux, so only user-wired entries are unwired.
 * mlockall(MCL_FUTURE) makes later mappings wired; MCL_ONFAULT locks
 * nothing now (pages would be locked as they fault in, and the replay
 * touches none), so it is counted without an effect.
 *
 * A segment's size is known only from shmget, whose result (the id) is
 * what shmat names; each segment is one shared memory object, so all its
 * attachments share pages.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define MAX_PIECES 64

int replay_wire(struct replay *rp, struct ras *as, uint64_t start, uint64_t end)
{
	(void)rp;
	return bsdvm_map_wire(ras_map(as), start, end, BSDVM_WIRE_USER | BSDVM_WIRE_HOLESOK);
}

struct wired {
	uint64_t start[MAX_PIECES], end[MAX_PIECES];
	size_t n;
	uint64_t lo, hi;
};

static int collect_wired(void *arg, const struct bsdvm_region *r)
{
	struct wired *w = arg;

	if (!(r->eflags & MAP_ENTRY_USER_WIRED) || r->end <= w->lo || r->start >= w->hi)
		return 0;
	if (w->n == MAX_PIECES)
		return 1;
	w->start[w->n] = r->start > w->lo ? r->start : w->lo;
	w->end[w->n++] = r->end < w->hi ? r->end : w->hi;
	return 0;
}

/* Drops the user wiring of every entry in [start, end) that has one. */
static int unwire_user(struct ras *as, uint64_t start, uint64_t end)
{
	struct wired w;
	size_t i;
	int rv = KERN_SUCCESS;

	w.n = 0;
	w.lo = start;
	w.hi = end;
	bsdvm_map_foreach(ras_map(as), collect_wired, &w);
	for (i = 0; i < w.n && rv == KERN_SUCCESS; i++)
		rv = bsdvm_map_unwire(ras_map(as), w.start[i], w.end[i], BSDVM_WIRE_USER);
	return rv;
}

/* mlock, mlock2, munlock: a range, in pieces. */
static void lock_range(struct replay *rp, struct rcall *c, bool lock)
{
	struct rpiece pc[MAX_PIECES];
	uint64_t addr, len;
	size_t i, n;

	if (!c->rec->result_known) {
		c->stat->unknown++;
		return;
	}
	if (rc_failed(c)) {
		c->stat->failed++;
		return;
	}
	if (!rc_nargs(rp, c, 2) || !rc_num(rp, c, 0, &addr) || !rc_len(rp, c, 1, &len))
		return;
	n = replay_pieces(c->as, addr, addr + len, pc, MAX_PIECES);
	for (i = 0; i < n; i++) {
		int rv;

		if (ras_mapped_prefix(c->as, pc[i].start, pc[i].end) < pc[i].end)
			rp->unknown_ranges++;
		rv = lock ? replay_wire(rp, c->as, pc[i].start, pc[i].end)
		          : unwire_user(c->as, pc[i].start, pc[i].end);
		if (rv != KERN_SUCCESS)
			replay_mismatch(rp, c, "%s 0x%" PRIx64 "-0x%" PRIx64 " fails: %s",
			    lock ? "wiring" : "unwiring", pc[i].start, pc[i].end,
			    bsdvm_kern_name(rv));
	}
	c->stat->applied++;
}

void replay_mlock(struct replay *rp, struct rcall *c)
{
	lock_range(rp, c, true);
}

void replay_munlock(struct replay *rp, struct rcall *c)
{
	lock_range(rp, c, false);
}

void replay_mlockall(struct replay *rp, struct rcall *c)
{
	uint64_t flags;
	int rv;

	if (!c->rec->result_known) {
		c->stat->unknown++;
		return;
	}
	if (rc_failed(c)) {
		c->stat->failed++;
		return;
	}
	if (!rc_nargs(rp, c, 1) || !rc_flags(rp, c, 0, strace_mcl_flags, &flags))
		return;
	if (flags & 0x4) { /* MCL_ONFAULT */
		c->stat->ignored++;
		return;
	}
	if (flags & LX_MCL_FUTURE)
		c->as->lock_future = true;
	if (flags & LX_MCL_CURRENT) {
		rv = replay_wire(rp, c->as, rp->min, rp->max);
		if (rv != KERN_SUCCESS)
			replay_mismatch(rp, c, "wiring everything fails: %s", bsdvm_kern_name(rv));
	}
	c->stat->applied++;
}

void replay_munlockall(struct replay *rp, struct rcall *c)
{
	int rv;

	if (!c->rec->result_known) {
		c->stat->unknown++;
		return;
	}
	if (rc_failed(c)) {
		c->stat->failed++;
		return;
	}
	c->as->lock_future = false;
	rv = unwire_user(c->as, rp->min, rp->max);
	if (rv != KERN_SUCCESS)
		replay_mismatch(rp, c, "unwiring everything fails: %s", bsdvm_kern_name(rv));
	c->stat->applied++;
}

/* ---- System V shared memory ---- */

static struct rshm *segment(struct replay *rp, long id)
{
	size_t i;

	for (i = 0; i < rp->nshms; i++) {
		if (rp->shms[i].id == id)
			return &rp->shms[i];
	}
	return NULL;
}

void replay_shmget(struct replay *rp, struct rcall *c)
{
	uint64_t key, size;
	struct rshm *s;

	if (!c->rec->result_known || rc_failed(c)) {
		if (c->rec->result_known)
			c->stat->failed++;
		else
			c->stat->unknown++;
		return;
	}
	if (!rc_nargs(rp, c, 2))
		return;
	if (strcmp(c->argv[0], "IPC_PRIVATE") == 0)
		key = 0;
	else if (!rc_num(rp, c, 0, &key))
		return;
	if (!rc_len(rp, c, 1, &size))
		return;
	c->stat->applied++;
	if (segment(rp, (long)c->rec->result) != NULL || size == 0)
		return; /* an existing segment: its size is the one it was made with */
	if (rp->nshms == rp->capshms) {
		size_t cap = rp->capshms ? 2 * rp->capshms : 8;
		struct rshm *v = realloc(rp->shms, cap * sizeof(*v));

		if (v == NULL)
			return;
		rp->shms = v;
		rp->capshms = cap;
	}
	s = &rp->shms[rp->nshms];
	s->id = (long)c->rec->result;
	s->key = key;
	s->size = size;
	if (bsdvm_object_anon(rp->sys, size, &s->obj) == KERN_SUCCESS)
		rp->nshms++;
}

void replay_shmat(struct replay *rp, struct rcall *c)
{
	uint64_t id, addr, flags, traced = (uint64_t)c->rec->result;
	struct rmap_req q;
	struct rshm *s;
	char name[48];
	int rv;

	if (!c->rec->result_known || rc_failed(c)) {
		if (c->rec->result_known)
			c->stat->failed++;
		else
			c->stat->unknown++;
		return;
	}
	if (!rc_nargs(rp, c, 3) || !rc_num(rp, c, 0, &id) || !rc_num(rp, c, 1, &addr) ||
	    !rc_flags(rp, c, 2, strace_shm_flags, &flags))
		return;
	c->stat->applied++;
	s = segment(rp, (long)id);
	if (s == NULL) {
		rp->unknown_ranges++; /* made before the trace began: size unknown */
		return;
	}
	memset(&q, 0, sizeof(q));
	q.len = s->size;
	q.prot = VM_PROT_READ | ((flags & LX_SHM_RDONLY) ? 0 : VM_PROT_WRITE) |
	    ((flags & LX_SHM_EXEC) ? VM_PROT_EXECUTE : 0);
	q.shared = true;
	q.obj = s->obj;
	snprintf(name, sizeof(name), "/SYSV%08" PRIx64, s->key);
	q.name = replay_str(rp, name);
	if (addr != 0) {
		q.addr = replay_xlate(c->as, traced);
		q.replace = (flags & LX_SHM_REMAP) != 0;
	} else {
		rv = replay_place(rp, c->as, traced, q.len, false, &q.addr);
		if (rv != KERN_SUCCESS) {
			replay_mismatch(rp, c, "bsdvm finds no room for it (%s)", bsdvm_kern_name(rv));
			return;
		}
	}
	rv = replay_map_at(rp, c->as, &q);
	if (rv != KERN_SUCCESS) {
		replay_mismatch(rp, c, "attaching at 0x%" PRIx64 " fails: %s", q.addr,
		    bsdvm_kern_name(rv));
		return;
	}
	rranges_set(&c->as->shm, q.addr, q.addr + q.len, (uint64_t)(s - rp->shms) + 1);
	replay_xlate_set(c->as, traced, q.len, q.addr);
}

void replay_shmdt(struct replay *rp, struct rcall *c)
{
	const struct rrange *r;
	uint64_t addr, start, end;
	int rv;

	if (!c->rec->result_known || rc_failed(c)) {
		if (c->rec->result_known)
			c->stat->failed++;
		else
			c->stat->unknown++;
		return;
	}
	if (!rc_nargs(rp, c, 1) || !rc_num(rp, c, 0, &addr))
		return;
	c->stat->applied++;
	r = rranges_find(&c->as->shm, replay_xlate(c->as, addr));
	if (r == NULL) {
		rp->unknown_ranges++;
		return;
	}
	start = r->start;
	end = r->end;
	rv = replay_unmap(rp, c->as, start, end);
	if (rv != KERN_SUCCESS)
		replay_mismatch(rp, c, "detaching 0x%" PRIx64 "-0x%" PRIx64 " fails: %s", start, end,
		    bsdvm_kern_name(rv));
	rranges_clear(&c->as->xlate, addr, addr + (end - start));
}
