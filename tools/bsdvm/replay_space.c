/*
 * replay_space.c - replayed address spaces: one vmspace each, plus the
 * names of their ranges, the traced -> replayed translation and the
 * attached System V segments, which the engine has no place for; the
 * stand-in objects of files; interned strings; the seed.
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

/* Files are stand-ins: anonymous objects big enough for any offset the
 * trace names (the replay reads no file and touches no page). */
#define FILE_OBJECT_SIZE ((bsdvm_size_t)1 << 40)

const char *replay_str(struct replay *rp, const char *s)
{
	size_t i, n = strlen(s) + 1;
	char *copy;

	for (i = rp->nstrs; i-- > 0;) {
		if (strcmp(rp->strs[i], s) == 0)
			return rp->strs[i];
	}
	if (rp->nstrs == rp->capstrs) {
		size_t cap = rp->capstrs ? 2 * rp->capstrs : 64;
		char **v = realloc(rp->strs, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		rp->strs = v;
		rp->capstrs = cap;
	}
	copy = malloc(n);
	if (copy == NULL)
		return NULL;
	memcpy(copy, s, n);
	rp->strs[rp->nstrs++] = copy;
	return copy;
}

struct vm_object *replay_file(struct replay *rp, const char *key)
{
	struct vm_object *obj;
	size_t i, n = strlen(key) + 1;

	for (i = 0; i < rp->nfiles; i++) {
		if (strcmp(rp->files[i].key, key) == 0)
			return rp->files[i].obj;
	}
	if (rp->nfiles == rp->capfiles) {
		size_t cap = rp->capfiles ? 2 * rp->capfiles : 32;
		void *v = realloc(rp->files, cap * sizeof(*rp->files));

		if (v == NULL)
			return NULL;
		rp->files = v;
		rp->capfiles = cap;
	}
	rp->files[rp->nfiles].key = malloc(n);
	if (rp->files[rp->nfiles].key == NULL)
		return NULL;
	if (bsdvm_object_anon(rp->sys, FILE_OBJECT_SIZE, &obj) != KERN_SUCCESS) {
		free(rp->files[rp->nfiles].key);
		return NULL;
	}
	memcpy(rp->files[rp->nfiles].key, key, n);
	rp->files[rp->nfiles++].obj = obj;
	return obj;
}

/* ---- address spaces ---- */

struct vm_map *ras_map(struct ras *as)
{
	return bsdvm_vmspace_map(as->vm);
}

/* A new space holds the creation reference of its vmspace until its own
 * count (tasks and processes) drops back to zero. */
struct ras *ras_new(struct replay *rp)
{
	struct ras *as = calloc(1, sizeof(*as));

	if (as == NULL)
		return NULL;
	if (bsdvm_vmspace_create(rp->sys, rp->min, rp->max, 0, &as->vm) != KERN_SUCCESS) {
		free(as);
		return NULL;
	}
	as->id = ++rp->nspaces;
	as->next = rp->spaces;
	rp->spaces = as;
	return as;
}

struct ras *ras_fork(struct replay *rp, struct ras *parent)
{
	struct ras *as = calloc(1, sizeof(*as));

	if (as == NULL)
		return NULL;
	if (bsdvm_vmspace_fork(parent->vm, &as->vm) != KERN_SUCCESS) {
		free(as);
		return NULL;
	}
	if (!rranges_copy(&as->names, &parent->names) ||
	    !rranges_copy(&as->xlate, &parent->xlate) ||
	    !rranges_copy(&as->shm, &parent->shm)) {
		rranges_free(&as->names);
		rranges_free(&as->xlate);
		rranges_free(&as->shm);
		bsdvm_vmspace_free(as->vm);
		free(as);
		return NULL;
	}
	/* the break is the parent's; mlockall(MCL_FUTURE) is not inherited */
	as->brk_start = parent->brk_start;
	as->brk_cur = parent->brk_cur;
	as->brk_known = parent->brk_known;
	as->id = ++rp->nspaces;
	as->next = rp->spaces;
	rp->spaces = as;
	return as;
}

void ras_ref(struct ras *as)
{
	as->refs++;
	bsdvm_vmspace_reference(as->vm);
}

static void add_stats(struct bsdvm_map_stats *sum, struct vm_map *map)
{
	struct bsdvm_map_stats st;

	bsdvm_map_get_stats(map, &st);
	sum->inserts += st.inserts;
	sum->removes += st.removes;
	sum->splits += st.splits;
	sum->merges += st.merges;
}

void ras_unref(struct replay *rp, struct ras *as)
{
	struct ras **pp;

	bsdvm_vmspace_free(as->vm);
	if (--as->refs > 0)
		return;
	add_stats(&rp->dead, ras_map(as));
	for (pp = &rp->spaces; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == as) {
			*pp = as->next;
			break;
		}
	}
	bsdvm_vmspace_free(as->vm); /* the creation reference */
	rranges_free(&as->names);
	rranges_free(&as->xlate);
	rranges_free(&as->shm);
	free(as);
}

/* ---- names ---- */

static const char *name_of(void *ctx, const struct bsdvm_region *r)
{
	const struct rrange *n = rranges_find(&((struct ras *)ctx)->names, r->start);

	return n != NULL ? (const char *)(uintptr_t)n->val : NULL;
}

struct listing_namer ras_namer(struct ras *as)
{
	struct listing_namer namer = { name_of, as };

	return namer;
}

/* ---- what is mapped ---- */

bool ras_any_mapped(struct ras *as, uint64_t start, uint64_t end)
{
	struct vm_map *map = ras_map(as);
	struct vm_map_entry *e;
	bool any;

	bsdvm_map_lock_read(map);
	if (bsdvm_map_lookup_entry(map, start, &e))
		any = true;
	else {
		e = e != NULL ? bsdvm_map_entry_succ(map, e) : bsdvm_map_first(map);
		any = e != NULL && e->start < end;
	}
	bsdvm_map_unlock_read(map);
	return any;
}

uint64_t ras_mapped_prefix(struct ras *as, uint64_t start, uint64_t end)
{
	struct vm_map *map = ras_map(as);
	struct vm_map_entry *e;
	uint64_t at = start;

	bsdvm_map_lock_read(map);
	if (bsdvm_map_lookup_entry(map, start, &e)) {
		while (e != NULL && e->start <= at && at < end) {
			at = e->end;
			e = bsdvm_map_entry_succ(map, e);
		}
	}
	bsdvm_map_unlock_read(map);
	return at < end ? at : end;
}

/* ---- the seed ---- */

/* Maps one line of the seed; false only when out of memory. */
static bool seed_one(struct replay *rp, struct ras *as, const struct maps0_entry *m)
{
	struct rmap_req req;
	bool file = m->path[0] == '/';

	if (m->start < rp->min || m->end > rp->max || !replay_aligned(rp, m->start) ||
	    !replay_aligned(rp, m->end) || (file && !replay_aligned(rp, m->offset))) {
		rp->seed_skipped++; /* [vsyscall] lies above any user window */
		return true;
	}
	memset(&req, 0, sizeof(req));
	req.addr = m->start;
	req.len = m->end - m->start;
	req.prot = (m->read ? VM_PROT_READ : 0) | (m->write ? VM_PROT_WRITE : 0) |
	    (m->exec ? VM_PROT_EXECUTE : 0);
	req.shared = m->shared;
	req.anon = !file;
	req.growsdown = strcmp(m->path, "[stack]") == 0;
	req.replace = true;
	/* the kernel's special mappings ([vdso], [vvar], ...) never merge */
	req.nomerge = m->path[0] == '[' && !req.growsdown && strcmp(m->path, "[heap]") != 0 &&
	    strncmp(m->path, "[anon:", 6) != 0;
	req.name = replay_str(rp, m->path);
	if (req.name == NULL)
		return false;
	if (file) {
		req.obj = replay_file(rp, m->path);
		if (req.obj == NULL)
			return false;
		req.offset = m->offset;
	}
	if (replay_map_at(rp, as, &req) != KERN_SUCCESS)
		rp->seed_skipped++;
	else
		rp->seed_used++;
	return true;
}

bool ras_seed(struct replay *rp, struct ras *as)
{
	size_t i;

	for (i = 0; i < rp->seed.n; i++) {
		if (!seed_one(rp, as, &rp->seed.v[i]))
			return false;
	}
	return true;
}
