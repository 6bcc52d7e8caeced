/*
 * replay_mm.c - mmap, mmap2, munmap, mprotect, pkey_mprotect, brk and
 * madvise, applied when their result appears.
 *
 * A call that succeeded in the trace is applied; if bsdvm refuses it, that
 * is a result mismatch.  A call that failed in the trace changes nothing,
 * except mprotect failing with ENOMEM, where Linux has already changed the
 * mapped run before the first hole and so does the replay; where the model
 * can tell (alignment, holes, the break) a failure is checked too, and a
 * call bsdvm would have allowed is a mismatch.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define MAX_PIECES 64

int replay_map_at(struct replay *rp, struct ras *as, const struct rmap_req *q)
{
	struct vm_map *map = ras_map(as);
	uint64_t addr = q->addr;
	int rv;

	if (q->growsdown) {
		/* the only flag mmap cannot pass: a stack entry */
		struct bsdvm_entry_attrs a = bsdvm_attrs_anon(q->prot, VM_PROT_ALL);

		a.eflags = MAP_ENTRY_GROWS_DOWN;
		if (q->addr > UINT64_MAX - q->len)
			return KERN_INVALID_ARGUMENT;
		rv = q->replace ? bsdvm_map_fixed(map, q->addr, q->addr + q->len, &a)
		                : bsdvm_map_insert(map, q->addr, q->addr + q->len, &a);
	} else {
		uint32_t flags = BSDVM_MAPF_FIXED | (q->replace ? 0 : BSDVM_MAPF_EXCL) |
		    (q->shared ? BSDVM_MAPF_SHARED : 0) | (q->nomerge ? BSDVM_MAPF_NOMERGE : 0);

		rv = bsdvm_vmspace_mmap(as->vm, &addr, q->len, q->prot, VM_PROT_ALL, flags,
		    q->anon ? NULL : q->obj, q->anon ? 0 : q->offset);
	}
	if (rv != KERN_SUCCESS)
		return rv;
	rranges_clear(&as->shm, q->addr, q->addr + q->len);
	if (q->name != NULL)
		rranges_set(&as->names, q->addr, q->addr + q->len, (uint64_t)(uintptr_t)q->name);
	else
		rranges_clear(&as->names, q->addr, q->addr + q->len);
	if ((q->locked || as->lock_future) &&
	    replay_wire(rp, as, q->addr, q->addr + q->len) != KERN_SUCCESS)
		rp->wire_failures++; /* Linux does not fail the mmap either */
	return KERN_SUCCESS;
}

int replay_unmap(struct replay *rp, struct ras *as, uint64_t start, uint64_t end)
{
	int rv = bsdvm_map_delete(ras_map(as), start, end);

	(void)rp;
	if (rv == KERN_SUCCESS) {
		rranges_clear(&as->names, start, end);
		rranges_clear(&as->shm, start, end);
	}
	return rv;
}

/* ---- mmap ---- */

/* The object and name of a file mapping from its fd argument. */
static bool file_of(struct replay *rp, struct rcall *c, struct rmap_req *q)
{
	char key[32], *path = NULL;
	long fd;

	if (!strace_fd(c->argv[4], &fd, &path)) {
		rc_unreadable(rp, c);
		return false;
	}
	snprintf(key, sizeof(key), "fd %ld", fd);
	q->obj = replay_file(rp, path != NULL ? path : key);
	q->name = path != NULL ? replay_str(rp, path) : NULL;
	free(path);
	return q->obj != NULL;
}

void replay_mmap(struct replay *rp, struct rcall *c)
{
	struct rmap_req q;
	uint64_t addr, prot, flags, off, traced;
	int rv;

	if (!c->rec->result_known) {
		c->stat->unknown++;
		return;
	}
	if (rc_failed(c)) {
		c->stat->failed++; /* EBADF, EACCES, ENOMEM: nothing the map can judge */
		return;
	}
	memset(&q, 0, sizeof(q));
	if (!rc_nargs(rp, c, 6) || !rc_num(rp, c, 0, &addr) || !rc_len(rp, c, 1, &q.len) ||
	    !rc_flags(rp, c, 2, strace_prot_flags, &prot) ||
	    !rc_flags(rp, c, 3, strace_map_flags, &flags) || !rc_num(rp, c, 5, &off))
		return;
	traced = (uint64_t)c->rec->result;
	q.prot = rc_prot(prot);
	q.shared = (flags & LX_MAP_TYPE) == LX_MAP_SHARED || (flags & LX_MAP_TYPE) == 0x3;
	q.anon = (flags & LX_MAP_ANONYMOUS) != 0;
	q.growsdown = (flags & LX_MAP_GROWSDOWN) != 0 && !q.shared && q.anon;
	q.locked = (flags & LX_MAP_LOCKED) != 0;
	q.offset = strcmp(c->rec->name, "mmap2") == 0 ? off * 4096 : off;
	if (q.anon)
		q.name = q.shared ? replay_str(rp, "/dev/zero (deleted)") : NULL;
	else if (!file_of(rp, c, &q))
		return;
	if (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) {
		q.addr = replay_xlate(c->as, traced);
		q.replace = !(flags & LX_MAP_FIXED_NOREPLACE);
	} else {
		rv = replay_place(rp, c->as, traced, q.len, (flags & LX_MAP_32BIT) != 0, &q.addr);
		if (rv != KERN_SUCCESS) {
			replay_mismatch(rp, c, "bsdvm finds no room for it (%s)", bsdvm_kern_name(rv));
			c->stat->applied++;
			return;
		}
	}
	rv = replay_map_at(rp, c->as, &q);
	if (rv != KERN_SUCCESS)
		replay_mismatch(rp, c, "mapping 0x%" PRIx64 "-0x%" PRIx64 " fails: %s", q.addr,
		    q.addr + q.len, bsdvm_kern_name(rv));
	else if (!replay_xlate_set(c->as, traced, q.len, q.addr))
		rp->unreadable++;
	c->stat->applied++;
}

/* ---- munmap ---- */

void replay_munmap(struct replay *rp, struct rcall *c)
{
	struct rpiece pc[MAX_PIECES];
	uint64_t addr, len;
	size_t i, n;
	bool any = false;

	if (!c->rec->result_known) {
		c->stat->unknown++;
		return;
	}
	if (!rc_nargs(rp, c, 2) || !rc_num(rp, c, 0, &addr) || !rc_len(rp, c, 1, &len))
		return;
	if (rc_failed(c)) {
		c->stat->failed++;
		if (strcmp(c->rec->err, "EINVAL") == 0 && replay_aligned(rp, addr) && len > 0)
			replay_mismatch(rp, c, "bsdvm would unmap the range");
		return;
	}
	n = replay_pieces(c->as, addr, addr + len, pc, MAX_PIECES);
	for (i = 0; i < n; i++) {
		int rv;

		any |= ras_any_mapped(c->as, pc[i].start, pc[i].end);
		rv = replay_unmap(rp, c->as, pc[i].start, pc[i].end);
		if (rv != KERN_SUCCESS)
			replay_mismatch(rp, c, "unmapping 0x%" PRIx64 "-0x%" PRIx64 " fails: %s",
			    pc[i].start, pc[i].end, bsdvm_kern_name(rv));
	}
	if (!any)
		rp->unknown_ranges++;
	rranges_clear(&c->as->xlate, addr, addr + len);
	c->stat->applied++;
}

/* ---- mprotect ---- */

static void protect_piece(struct replay *rp, struct rcall *c, uint64_t start, uint64_t end,
    bsdvm_prot_t prot)
{
	int rv = bsdvm_map_protect(ras_map(c->as), start, end, prot, 0, BSDVM_PROTECT_SET_PROT);

	if (rv != KERN_SUCCESS)
		replay_mismatch(rp, c, "protecting 0x%" PRIx64 "-0x%" PRIx64 " fails: %s", start,
		    end, bsdvm_kern_name(rv));
}

/* Linux stops at the first hole with ENOMEM, after changing what it passed. */
static void protect_failed(struct replay *rp, struct rcall *c, uint64_t addr, uint64_t len,
    bsdvm_prot_t prot)
{
	struct rpiece pc[MAX_PIECES];
	size_t i, n;

	c->stat->failed++;
	if (strcmp(c->rec->err, "EINVAL") == 0 && !replay_aligned(rp, addr))
		return; /* bsdvm refuses it too */
	if (strcmp(c->rec->err, "ENOMEM") != 0)
		return; /* EACCES and the like: beyond the map's knowledge */
	n = replay_pieces(c->as, addr, addr + len, pc, MAX_PIECES);
	for (i = 0; i < n; i++) {
		uint64_t stop = ras_mapped_prefix(c->as, pc[i].start, pc[i].end);

		if (stop > pc[i].start)
			protect_piece(rp, c, pc[i].start, stop, prot);
		if (stop < pc[i].end)
			return; /* the hole Linux stopped at */
	}
	replay_mismatch(rp, c, "the whole range is mapped in bsdvm, no ENOMEM");
}

void replay_mprotect(struct replay *rp, struct rcall *c)
{
	struct rpiece pc[MAX_PIECES];
	uint64_t addr, len, prot;
	size_t i, n;
	bool unknown = false;

	if (!c->rec->result_known) {
		c->stat->unknown++;
		return;
	}
	if (!rc_nargs(rp, c, 3) || !rc_num(rp, c, 0, &addr) || !rc_len(rp, c, 1, &len) ||
	    !rc_flags(rp, c, 2, strace_prot_flags, &prot))
		return;
	if (rc_failed(c)) {
		protect_failed(rp, c, addr, len, rc_prot(prot));
		return;
	}
	n = replay_pieces(c->as, addr, addr + len, pc, MAX_PIECES);
	for (i = 0; i < n; i++) {
		if (ras_mapped_prefix(c->as, pc[i].start, pc[i].end) < pc[i].end)
			unknown = true; /* not mapped here: a mapping the trace never showed */
		if (ras_any_mapped(c->as, pc[i].start, pc[i].end))
			protect_piece(rp, c, pc[i].start, pc[i].end, rc_prot(prot));
	}
	if (unknown)
		rp->unknown_ranges++;
	c->stat->applied++;
}

/* ---- brk ---- */

/* Would bsdvm let the break move to want? */
static bool brk_possible(struct replay *rp, struct ras *as, uint64_t want)
{
	uint64_t old_end, new_end;

	if (want < as->brk_start || !replay_round(rp, want, &new_end) ||
	    !replay_round(rp, as->brk_cur, &old_end))
		return false;
	return new_end <= old_end || !ras_any_mapped(as, old_end, new_end);
}

static void brk_move(struct replay *rp, struct rcall *c, uint64_t want)
{
	struct ras *as = c->as;
	uint64_t old_end, new_end;
	int rv = KERN_SUCCESS;

	if (!replay_round(rp, want, &new_end) || !replay_round(rp, as->brk_cur, &old_end)) {
		replay_mismatch(rp, c, "the break 0x%" PRIx64 " is beyond the address space", want);
		return;
	}
	if (new_end > old_end) {
		struct rmap_req q;

		memset(&q, 0, sizeof(q));
		q.addr = old_end;
		q.len = new_end - old_end;
		q.prot = VM_PROT_RW;
		q.anon = true;
		q.name = replay_str(rp, "[heap]");
		rv = replay_map_at(rp, as, &q);
	} else if (new_end < old_end) {
		rv = replay_unmap(rp, as, new_end, old_end);
	}
	if (rv != KERN_SUCCESS)
		replay_mismatch(rp, c, "moving the break from 0x%" PRIx64 " fails: %s", as->brk_cur,
		    bsdvm_kern_name(rv));
	as->brk_cur = want;
}

/* brk reports no error: it returns the break, which is the one asked for
 * when the call worked.  brk(NULL) asks where the break is; the first
 * answer after execve is where the heap starts. */
void replay_brk(struct replay *rp, struct rcall *c)
{
	struct ras *as = c->as;
	uint64_t want, got = (uint64_t)c->rec->result;

	if (!c->rec->result_known) {
		c->stat->unknown++;
		return;
	}
	if (!rc_nargs(rp, c, 1) || !rc_num(rp, c, 0, &want))
		return;
	if (!as->brk_known) {
		as->brk_known = true;
		as->brk_start = as->brk_cur = got;
		if (want != 0) /* the first call moved it: where from is unknown */
			rp->unknown_ranges++;
		c->stat->applied++;
		return;
	}
	if (want == 0) {
		if (got != as->brk_cur)
			replay_mismatch(rp, c, "the break is 0x%" PRIx64 " in bsdvm", as->brk_cur);
		c->stat->applied++;
		return;
	}
	if (got != want) {
		c->stat->failed++;
		if (brk_possible(rp, as, want))
			replay_mismatch(rp, c, "bsdvm would move the break to 0x%" PRIx64, want);
		return;
	}
	brk_move(rp, c, want);
	c->stat->applied++;
}

/* ---- madvise ---- */

struct regions {
	struct bsdvm_region v[MAX_PIECES];
	size_t n;
	uint64_t start, end;
};

static int collect(void *arg, const struct bsdvm_region *r)
{
	struct regions *rs = arg;

	if (r->end <= rs->start || r->start >= rs->end)
		return 0;
	if (rs->n == MAX_PIECES)
		return 1;
	rs->v[rs->n++] = *r;
	return 0;
}

/* The inheritance an entry has without DONTFORK/WIPEONFORK: shared
 * memory stays shared, the rest is copied. */
static bsdvm_inherit_t default_inherit(const struct bsdvm_region *r)
{
	return r->object != NULL && !(r->eflags & MAP_ENTRY_COW) ? VM_INHERIT_SHARE
	                                                          : VM_INHERIT_COPY;
}

/* Sets entries of [start, end) whose inheritance is from back to their default. */
static int restore_inherit(struct ras *as, uint64_t start, uint64_t end, bsdvm_inherit_t from)
{
	struct regions rs;
	size_t i;
	int rv = KERN_SUCCESS;

	rs.n = 0;
	rs.start = start;
	rs.end = end;
	bsdvm_map_foreach(ras_map(as), collect, &rs);
	for (i = 0; i < rs.n && rv == KERN_SUCCESS; i++) {
		uint64_t s = rs.v[i].start > start ? rs.v[i].start : start;
		uint64_t e = rs.v[i].end < end ? rs.v[i].end : end;

		if (rs.v[i].inheritance == from)
			rv = bsdvm_map_inherit(ras_map(as), s, e, default_inherit(&rs.v[i]));
	}
	return rv;
}

/* Applies one advice to replayed [s, e); KERN code. */
static int advise(struct ras *as, uint64_t s, uint64_t e, uint64_t advice)
{
	struct vm_map *map = ras_map(as);

	switch (advice) {
	case LX_MADV_DONTFORK:
		return bsdvm_map_inherit(map, s, e, VM_INHERIT_NONE);
	case LX_MADV_DOFORK:
		return restore_inherit(as, s, e, VM_INHERIT_NONE);
	case LX_MADV_WIPEONFORK:
		return bsdvm_map_inherit(map, s, e, VM_INHERIT_ZERO);
	case LX_MADV_KEEPONFORK:
		return restore_inherit(as, s, e, VM_INHERIT_ZERO);
	case LX_MADV_NORMAL:
		return bsdvm_map_madvise(map, s, e, BSDVM_MADV_NORMAL);
	case LX_MADV_RANDOM:
		return bsdvm_map_madvise(map, s, e, BSDVM_MADV_RANDOM);
	case LX_MADV_SEQUENTIAL:
		return bsdvm_map_madvise(map, s, e, BSDVM_MADV_SEQUENTIAL);
	case LX_MADV_DONTDUMP:
		return bsdvm_map_madvise(map, s, e, BSDVM_MADV_NOCORE);
	case LX_MADV_DODUMP:
		return bsdvm_map_madvise(map, s, e, BSDVM_MADV_CORE);
	default:
		return KERN_SUCCESS; /* acts on pages only: the entries stay as they are */
	}
}

void replay_madvise(struct replay *rp, struct rcall *c)
{
	struct rpiece pc[MAX_PIECES];
	uint64_t addr, len, advice;
	size_t i, n;

	if (!c->rec->result_known) {
		c->stat->unknown++;
		return;
	}
	if (rc_failed(c)) {
		c->stat->failed++;
		return;
	}
	if (!rc_nargs(rp, c, 3) || !rc_num(rp, c, 0, &addr) || !rc_len(rp, c, 1, &len) ||
	    !rc_flags(rp, c, 2, strace_madv_values, &advice))
		return;
	n = replay_pieces(c->as, addr, addr + len, pc, MAX_PIECES);
	for (i = 0; i < n; i++) {
		int rv = advise(c->as, pc[i].start, pc[i].end, advice);

		if (rv != KERN_SUCCESS)
			replay_mismatch(rp, c, "advice on 0x%" PRIx64 "-0x%" PRIx64 " fails: %s",
			    pc[i].start, pc[i].end, bsdvm_kern_name(rv));
	}
	c->stat->applied++;
}
