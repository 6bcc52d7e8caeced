/*
 * map_tree.c - the entry index: an AVL tree keyed by start, augmented with
 * the largest free gap of each subtree, plus the address-order list.
 *
 * Why AVL: it keeps the tree at most ~1.44 log2(n) deep in the worst case
 * (lookups dominate a VM map's workload), and a node needs only a height and
 * parent pointer.  Every structural change ends in map_fixup(), which walks
 * toward the root recomputing height and max_gap and rotating where the
 * balance is off; it stops as soon as a node's cached values did not change,
 * since nothing above it can then change either.
 *
 * Each entry owns the gap that follows it (NetBSD's scheme); the header owns
 * the gap below the first entry and is not in the tree.
 */
#include <stddef.h>

#include "map/map_impl.h"

/* the descent reads only the first cache line of each entry */
_Static_assert(offsetof(struct vm_map_entry, parent) + sizeof(void *) <= 64,
    "tree fields must stay in the first cache line");
_Static_assert(sizeof(struct vm_map_entry) == 128, "an entry is two cache lines");

static inline int32_t node_height(const struct vm_map_entry *n)
{
	return n != NULL ? n->height : 0;
}

static inline bsdvm_size_t node_max_gap(const struct vm_map_entry *n)
{
	return n != NULL ? n->max_gap : 0;
}

/* Recomputes n's cached height and max_gap from its children. */
static inline void node_update(struct vm_map_entry *n)
{
	int32_t hl = node_height(n->left), hr = node_height(n->right);
	bsdvm_size_t g = n->gap, gl = node_max_gap(n->left), gr = node_max_gap(n->right);

	n->height = 1 + (hl > hr ? hl : hr);
	if (gl > g)
		g = gl;
	if (gr > g)
		g = gr;
	n->max_gap = g;
}

static inline void replace_child(struct vm_map *map, struct vm_map_entry *parent,
    struct vm_map_entry *old, struct vm_map_entry *new_child)
{
	if (parent == NULL)
		map->root = new_child;
	else if (parent->left == old)
		parent->left = new_child;
	else
		parent->right = new_child;
}

static struct vm_map_entry *rotate_left(struct vm_map *map, struct vm_map_entry *x)
{
	struct vm_map_entry *y = x->right;

	x->right = y->left;
	if (y->left != NULL)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(map, x->parent, x, y);
	y->left = x;
	x->parent = y;
	node_update(x);
	node_update(y);
	return y;
}

static struct vm_map_entry *rotate_right(struct vm_map *map, struct vm_map_entry *x)
{
	struct vm_map_entry *y = x->left;

	x->left = y->right;
	if (y->right != NULL)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(map, x->parent, x, y);
	y->right = x;
	x->parent = y;
	node_update(x);
	node_update(y);
	return y;
}

/* Restores the AVL property at n (children already balanced); returns the
 * node now standing where n stood. */
static struct vm_map_entry *rebalance(struct vm_map *map, struct vm_map_entry *n)
{
	int32_t bal = node_height(n->left) - node_height(n->right);

	if (bal > 1) {
		if (node_height(n->left->left) < node_height(n->left->right))
			rotate_left(map, n->left);
		return rotate_right(map, n);
	}
	if (bal < -1) {
		if (node_height(n->right->right) < node_height(n->right->left))
			rotate_right(map, n->right);
		return rotate_left(map, n);
	}
	node_update(n);
	return n;
}

/* Walks from n to the root, restoring heights, balance and max_gap. */
static void map_fixup(struct vm_map *map, struct vm_map_entry *n)
{
	while (n != NULL) {
		int32_t old_h = n->height;
		bsdvm_size_t old_g = n->max_gap;
		struct vm_map_entry *top = rebalance(map, n);

		if (top == n && n->height == old_h && n->max_gap == old_g)
			return; /* nothing above can change */
		n = top->parent;
	}
}

/* Sets the cached gap of an owner (entry or header) and repairs the tree. */
static void set_gap(struct vm_map *map, struct vm_map_entry *owner)
{
	owner->gap = owner->next->start - owner->end;
	if (owner != MAP_HEADER(map))
		map_fixup(map, owner);
}

void map_tree_link_after(struct vm_map *map, struct vm_map_entry *prev,
    struct vm_map_entry *e)
{
	struct vm_map_entry *next = prev->next;

	/* list */
	e->prev = prev;
	e->next = next;
	prev->next = e;
	next->prev = e;

	/* tree: e becomes the in-order successor of prev */
	e->left = e->right = NULL;
	e->height = 1;
	e->gap = next->start - e->end;
	e->max_gap = e->gap;
	if (map->root == NULL) {
		e->parent = NULL;
		map->root = e;
	} else if (prev != MAP_HEADER(map) && prev->right == NULL) {
		prev->right = e;
		e->parent = prev;
	} else {
		/* leftmost node of prev's right subtree, or of the whole tree
		 * when e becomes the first entry; that node is next */
		struct vm_map_entry *p = next;

		p->left = e;
		e->parent = p;
	}
	map->nentries++;
	map_fixup(map, e->parent);
	set_gap(map, prev);
}

void map_tree_unlink(struct vm_map *map, struct vm_map_entry *e)
{
	struct vm_map_entry *prev = e->prev, *next = e->next;
	struct vm_map_entry *fix, *moved = NULL;

	/* list */
	prev->next = next;
	next->prev = prev;

	/* tree */
	if (e->left != NULL && e->right != NULL) {
		/* the in-order successor is next: the leftmost node of e's right
		 * subtree; move it into e's place */
		struct vm_map_entry *s = next;

		if (s->parent == e) {
			fix = s;
		} else {
			fix = s->parent;
			fix->left = s->right;
			if (s->right != NULL)
				s->right->parent = fix;
			s->right = e->right;
			s->right->parent = s;
		}
		s->left = e->left;
		s->left->parent = s;
		s->parent = e->parent;
		/* s now stands where e stood: give it e's cached values, so that
		 * the early stop in map_fixup compares against what the
		 * ancestors were computed from */
		s->height = e->height;
		s->max_gap = e->max_gap;
		replace_child(map, e->parent, e, s);
		if (fix != s)
			moved = s;
	} else {
		struct vm_map_entry *child = e->left != NULL ? e->left : e->right;

		if (child != NULL)
			child->parent = e->parent;
		replace_child(map, e->parent, e, child);
		fix = e->parent;
	}
	map->nentries--;
	e->left = e->right = e->parent = e->prev = e->next = NULL;
	map_fixup(map, fix);
	/* the walk from below may stop before reaching s's new place */
	if (moved != NULL)
		map_fixup(map, moved);
	set_gap(map, prev);
}

void map_tree_set_start(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t start)
{
	e->start = start;
	set_gap(map, e->prev);
}

void map_tree_set_end(struct vm_map *map, struct vm_map_entry *e, bsdvm_addr_t end)
{
	e->end = end;
	set_gap(map, e);
}

struct vm_map_entry *map_tree_lookup(struct vm_map *map, bsdvm_addr_t addr,
    struct vm_map_entry **predp)
{
	struct vm_map_entry *n = map->root, *pred = MAP_HEADER(map);

	/* The way down is unpredictable, so it is chosen with selects rather
	 * than branches; only "found", taken once, is a branch.  (Unsigned
	 * wrap makes addr - start < end - start mean start <= addr < end.) */
	while (n != NULL) {
		bool right;

		if (addr - n->start < n->end - n->start) {
			if (predp != NULL)
				*predp = n->prev;
			return n;
		}
		right = addr >= n->start;
		pred = right ? n : pred;
		n = right ? n->right : n->left;
	}
	if (predp != NULL)
		*predp = pred;
	return NULL;
}

/* Leftmost node of subtree n whose own gap is >= need (n->max_gap >= need). */
static struct vm_map_entry *descend_first(struct vm_map_entry *n, bsdvm_size_t need)
{
	for (;;) {
		if (n->left != NULL && n->left->max_gap >= need)
			n = n->left;
		else if (n->gap >= need)
			return n;
		else
			n = n->right;
	}
}

/* Rightmost node of subtree n whose own gap is >= need. */
static struct vm_map_entry *descend_last(struct vm_map_entry *n, bsdvm_size_t need)
{
	for (;;) {
		if (n->right != NULL && n->right->max_gap >= need)
			n = n->right;
		else if (n->gap >= need)
			return n;
		else
			n = n->left;
	}
}

struct vm_map_entry *map_tree_next_gap(struct vm_map *map,
    struct vm_map_entry *owner, bsdvm_size_t need)
{
	struct vm_map_entry *n = owner;

	if (owner == MAP_HEADER(map)) {
		if (map->root != NULL && map->root->max_gap >= need)
			return descend_first(map->root, need);
		return NULL;
	}
	if (n->right != NULL && n->right->max_gap >= need)
		return descend_first(n->right, need);
	while (n->parent != NULL) {
		struct vm_map_entry *q = n->parent;

		if (q->left == n) {
			if (q->gap >= need)
				return q;
			if (q->right != NULL && q->right->max_gap >= need)
				return descend_first(q->right, need);
		}
		n = q;
	}
	return NULL;
}

struct vm_map_entry *map_tree_prev_gap(struct vm_map *map,
    struct vm_map_entry *owner, bsdvm_size_t need)
{
	struct vm_map_entry *n = owner;

	if (owner == MAP_HEADER(map))
		return NULL;
	if (n->left != NULL && n->left->max_gap >= need)
		return descend_last(n->left, need);
	while (n->parent != NULL) {
		struct vm_map_entry *q = n->parent;

		if (q->right == n) {
			if (q->gap >= need)
				return q;
			if (q->left != NULL && q->left->max_gap >= need)
				return descend_last(q->left, need);
		}
		n = q;
	}
	return map->header.gap >= need ? MAP_HEADER(map) : NULL;
}

bsdvm_size_t map_tree_largest_gap(const struct vm_map *map)
{
	bsdvm_size_t g = map->header.gap;

	if (map->root != NULL && map->root->max_gap > g)
		g = map->root->max_gap;
	return g;
}
