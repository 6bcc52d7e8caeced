/*
 * map_check.c - vm_map_check(): the whole-map consistency walker.
 *
 * Inspired by FreeBSD's _vm_map_assert_consistent and NetBSD's
 * _uvm_tree_sanity: every invariant the engine relies on is recomputed from
 * scratch, nothing cached is trusted.  Tests call it after every mutation.
 * It formats its report with vsnprintf, which kernels provide too; the
 * printing wrapper vm_map_check() lives with the platform (check_print.c).
 */
#include <stdarg.h>
#include <stdio.h>

#include "map/map_impl.h"

struct checker {
	struct vm_map *map;
	char *why;
	size_t whylen;
	uint64_t tree_nodes;
	struct vm_map_entry *inorder; /* next list entry the in-order walk expects */
	bool ok;
};

static bool fail(struct checker *c, const char *fmt, ...)
{
	va_list ap;

	if (c->ok && c->why != NULL && c->whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(c->why, c->whylen, fmt, ap);
		va_end(ap);
	}
	c->ok = false;
	return false;
}

/* Recursively checks the subtree at n; returns its height and max gap. */
static bool check_subtree(struct checker *c, struct vm_map_entry *n,
    struct vm_map_entry *parent, int32_t *height, bsdvm_size_t *max_gap, int depth)
{
	int32_t hl = 0, hr = 0;
	bsdvm_size_t gl = 0, gr = 0, g;

	*height = 0;
	*max_gap = 0;
	if (n == NULL)
		return true;
	if (depth > 128)
		return fail(c, "tree deeper than 128: a cycle?");
	if (n->parent != parent)
		return fail(c, "entry [%#llx,%#llx): wrong parent link",
		    (unsigned long long)n->start, (unsigned long long)n->end);
	if (!check_subtree(c, n->left, n, &hl, &gl, depth + 1))
		return false;
	/* in-order position must match the list */
	if (n != c->inorder)
		return fail(c, "entry [%#llx,%#llx): tree order differs from list order",
		    (unsigned long long)n->start, (unsigned long long)n->end);
	c->inorder = n->next;
	c->tree_nodes++;
	if (!check_subtree(c, n->right, n, &hr, &gr, depth + 1))
		return false;
	if (hl - hr > 1 || hr - hl > 1)
		return fail(c, "entry [%#llx,%#llx): AVL balance %d",
		    (unsigned long long)n->start, (unsigned long long)n->end, (int)(hl - hr));
	*height = 1 + (hl > hr ? hl : hr);
	if (n->height != *height)
		return fail(c, "entry [%#llx,%#llx): cached height %d, real %d",
		    (unsigned long long)n->start, (unsigned long long)n->end,
		    (int)n->height, (int)*height);
	g = n->next->start - n->end;
	if (gl > g)
		g = gl;
	if (gr > g)
		g = gr;
	*max_gap = g;
	if (n->max_gap != g)
		return fail(c, "entry [%#llx,%#llx): cached max_gap %#llx, real %#llx",
		    (unsigned long long)n->start, (unsigned long long)n->end,
		    (unsigned long long)n->max_gap, (unsigned long long)g);
	return true;
}

static bool check_entry(struct checker *c, const struct vm_map_entry *e, bsdvm_addr_t prev_end)
{
	const struct vm_map *map = c->map;
	const uint32_t known = MAP_ENTRY_CREATE_MASK | MAP_ENTRY_USER_WIRED |
	    MAP_ENTRY_IN_TRANSITION | MAP_ENTRY_NEEDS_WAKEUP;
	unsigned long long s = e->start, en = e->end;

	if (e->start >= e->end)
		return fail(c, "entry [%#llx,%#llx): empty or inverted", s, en);
	if (!map_aligned(map, e->start) || !map_aligned(map, e->end))
		return fail(c, "entry [%#llx,%#llx): not page aligned", s, en);
	if (e->start < prev_end)
		return fail(c, "entry [%#llx,%#llx): overlaps or precedes the previous one", s, en);
	if (e->end > map_max(map))
		return fail(c, "entry [%#llx,%#llx): beyond the map's max", s, en);
	if (e->next->prev != e)
		return fail(c, "entry [%#llx,%#llx): broken list links", s, en);
	if (e->gap != e->next->start - e->end)
		return fail(c, "entry [%#llx,%#llx): cached gap is stale", s, en);
	if ((e->protection & ~VM_PROT_ALL) || (e->max_protection & ~VM_PROT_ALL) ||
	    (e->protection & ~e->max_protection))
		return fail(c, "entry [%#llx,%#llx): protection %#x not within max %#x", s, en,
		    e->protection, e->max_protection);
	if (e->inheritance > VM_INHERIT_ZERO || e->advice > BSDVM_MADV_SEQUENTIAL)
		return fail(c, "entry [%#llx,%#llx): bad inheritance or advice", s, en);
	if (e->eflags & ~known)
		return fail(c, "entry [%#llx,%#llx): unknown flags %#x", s, en, e->eflags);
	if ((e->eflags & MAP_ENTRY_GROWS_DOWN) && (e->eflags & MAP_ENTRY_GROWS_UP))
		return fail(c, "entry [%#llx,%#llx): grows both ways", s, en);
	if ((e->eflags & MAP_ENTRY_NEEDS_COPY) && !(e->eflags & MAP_ENTRY_COW))
		return fail(c, "entry [%#llx,%#llx): needs-copy without copy-on-write", s, en);
	if ((e->eflags & MAP_ENTRY_GUARD) &&
	    (e->object != NULL || e->max_protection != VM_PROT_NONE))
		return fail(c, "entry [%#llx,%#llx): guard with an object or access", s, en);
	if (e->wired_count < 0)
		return fail(c, "entry [%#llx,%#llx): negative wired count", s, en);
	if ((e->eflags & MAP_ENTRY_USER_WIRED) && e->wired_count < 1)
		return fail(c, "entry [%#llx,%#llx): user-wired with wired count 0", s, en);
	if ((e->eflags & MAP_ENTRY_NEEDS_WAKEUP) && !(e->eflags & MAP_ENTRY_IN_TRANSITION))
		return fail(c, "entry [%#llx,%#llx): needs-wakeup outside a transition", s, en);
	if (e->object == NULL && e->offset != 0 && !(e->eflags & MAP_ENTRY_GUARD))
		return fail(c, "entry [%#llx,%#llx): offset without an object", s, en);
	return true;
}

bool bsdvm_map_check(struct vm_map *map, char *why, size_t whylen)
{
	struct checker c = { map, why, whylen, 0, NULL, true };
	struct vm_map_entry *h = MAP_HEADER(map), *e;
	bsdvm_addr_t prev_end = map_min(map);
	bsdvm_size_t size = 0;
	uint64_t n = 0;
	int32_t height;
	bsdvm_size_t max_gap;

	bsdvm_map_lock_read(map);
	if (h->gap != h->next->start - h->end)
		fail(&c, "header gap is stale");
	if (h->next->prev != h || h->prev->next != h)
		fail(&c, "header list links broken");
	for (e = h->next; c.ok && e != h; e = e->next) {
		if (!check_entry(&c, e, prev_end))
			break;
		prev_end = e->end;
		if (!(e->eflags & MAP_ENTRY_GUARD))
			size += e->end - e->start;
		if (++n > map->nentries)
			fail(&c, "more entries on the list than nentries (%llu)",
			    (unsigned long long)map->nentries);
	}
	if (c.ok && n != map->nentries)
		fail(&c, "list holds %llu entries, nentries says %llu",
		    (unsigned long long)n, (unsigned long long)map->nentries);
	if (c.ok && size != map->size)
		fail(&c, "entries sum to %#llx bytes, size says %#llx",
		    (unsigned long long)size, (unsigned long long)map->size);
	if (c.ok) {
		c.inorder = h->next;
		if (map->root != NULL && map->root->parent != NULL)
			fail(&c, "root has a parent");
		else if (check_subtree(&c, map->root, NULL, &height, &max_gap, 0)) {
			if (c.tree_nodes != map->nentries)
				fail(&c, "tree holds %llu entries, nentries says %llu",
				    (unsigned long long)c.tree_nodes,
				    (unsigned long long)map->nentries);
			else if (c.inorder != h)
				fail(&c, "list has entries the tree lacks");
		}
	}
	bsdvm_map_unlock_read(map);
	return c.ok;
}
