/*
 * scenario_names.c - what the names of a running scenario stand for:
 * addresses (with the length of what was mapped there), objects, and the
 * address spaces of the world.
 *
 * The parser has already checked that every name is bound by an earlier
 * line; here a name can only be missing because that line failed, which
 * is reported as a failure of the line that uses it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"

struct scn_binding *scn_lookup(struct scn_run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nb; i++) {
		if (strcmp(r->b[i].name, name) == 0)
			return &r->b[i];
	}
	return NULL;
}

static char *copy_string(const char *s)
{
	size_t len = strlen(s) + 1;
	char *c = malloc(len);

	if (c != NULL)
		memcpy(c, s, len);
	return c;
}

/* The binding called name, created (empty) if new; NULL if out of memory. */
static struct scn_binding *get_binding(struct scn_run *r, const char *name)
{
	struct scn_binding *b = scn_lookup(r, name);

	if (b != NULL)
		return b;
	if (r->nb == r->capb) {
		size_t cap = r->capb ? 2 * r->capb : 16;
		struct scn_binding *v = realloc(r->b, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		r->b = v;
		r->capb = cap;
	}
	b = &r->b[r->nb];
	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->name = copy_string(name);
	if (b->name == NULL)
		return NULL;
	r->nb++;
	return b;
}

struct world_space *scn_space(struct scn_run *r, const struct scn_value *v)
{
	struct world_space *sp;

	if (!scn_need_system(r))
		return NULL;
	if (strcmp(v->name, WORLD_KERNEL) == 0) {
		sp = world_add_kernel(&r->w);
		if (sp == NULL)
			scn_fail(r, "out of memory");
		return sp;
	}
	sp = world_find(&r->w, v->name);
	if (sp == NULL)
		scn_fail(r, "no address space '%s' (the line that should have made it failed)",
		    v->name);
	return sp;
}

/* A bound address; false after scn_fail() when its line failed. */
static struct scn_binding *live_address(struct scn_run *r, const char *name)
{
	struct scn_binding *b = scn_lookup(r, name);

	if (b == NULL || b->dead_line != 0) {
		if (b != NULL)
			scn_fail(r, "'%s' has no address since line %d", name, b->dead_line);
		else
			scn_fail(r, "'%s' has no address", name);
		return NULL;
	}
	return b;
}

bool scn_addr(struct scn_run *r, const struct scn_value *v, bsdvm_addr_t *out)
{
	struct scn_binding *b;

	if (v->name == NULL) {
		*out = v->num;
		return true;
	}
	b = live_address(r, v->name);
	if (b == NULL)
		return false;
	/* wrapping is allowed: the library must refuse such addresses itself */
	*out = b->addr + v->num;
	return true;
}

bool scn_range(struct scn_run *r, const struct scn_value *addr, const struct scn_value *size,
    bsdvm_addr_t *start, bsdvm_addr_t *end)
{
	bsdvm_size_t len;

	if (!scn_addr(r, addr, start))
		return false;
	if (size->set) {
		len = size->num;
	} else {
		/* the parser allows this only for a bare name */
		struct scn_binding *b = live_address(r, addr->name);

		if (b == NULL)
			return false;
		len = b->len;
	}
	/* a range past the top of the space wraps: the library must refuse it */
	*end = *start + len;
	return true;
}

bool scn_bind(struct scn_run *r, const struct scn_value *v, bsdvm_addr_t addr,
    bsdvm_size_t len, int alloc)
{
	struct scn_binding *b;

	if (v->name == NULL)
		return true;
	b = get_binding(r, v->name);
	if (b == NULL) {
		scn_fail(r, "out of memory");
		return false;
	}
	b->dead_line = 0;
	b->addr = addr;
	b->len = len;
	b->alloc = alloc;
	scn_note(r, "%s = %#" PRIx64, v->name, addr);
	return true;
}

struct scn_binding *scn_bind_object(struct scn_run *r, const char *name,
    struct vm_object *obj, int fd, const char *label)
{
	char *copy = copy_string(label);
	struct scn_binding *b = copy != NULL ? get_binding(r, name) : NULL;

	if (b == NULL) {
		/* nobody else holds them: release them here */
		free(copy);
		bsdvm_object_deallocate(obj);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	b->object = true;
	b->obj = obj;
	b->fd = fd;
	b->label = copy;
	return b;
}

struct scn_binding *scn_object(struct scn_run *r, const struct scn_value *v)
{
	struct scn_binding *b = scn_lookup(r, v->name);

	if (b == NULL || !b->object || b->obj == NULL) {
		scn_fail(r, "no object '%s' (the line that should have made it failed)", v->name);
		return NULL;
	}
	return b;
}

bool scn_unbind_outputs(struct scn_run *r, const struct scn_stmt *st)
{
	int a;

	for (a = 0; a < SCN_MAXARGS && st->op->args[a] != SCN_END; a++) {
		struct scn_binding *b;

		if ((st->op->args[a] & ~SCN_OPTIONAL) != SCN_BIND || st->arg[a].name == NULL)
			continue;
		b = get_binding(r, st->arg[a].name);
		if (b == NULL) {
			scn_fail(r, "out of memory");
			return false;
		}
		if (b->dead_line == 0 && b->alloc != SCN_ALLOC_NONE) {
			/* rebinding would lose the only handle on that memory */
			scn_fail(r, "'%s' still holds kernel memory: free it first", b->name);
			return false;
		}
		b->dead_line = st->line;
	}
	return true;
}

void scn_bindings_free(struct scn_run *r)
{
	size_t i;

	for (i = 0; i < r->nb; i++) {
		struct scn_binding *b = &r->b[i];

		if (b->dead_line == 0 && r->w.sys != NULL) {
			/* kernel memory a scenario did not free goes with it */
			if (b->alloc == SCN_ALLOC_UAREA || b->alloc == SCN_ALLOC_SUAREA)
				bsdvm_uarea_free(r->w.sys, b->addr, b->alloc == SCN_ALLOC_SUAREA);
			else if (b->alloc == SCN_ALLOC_KMEM)
				bsdvm_kmem_free(r->w.sys, b->addr, b->len);
		}
		if (b->obj != NULL)
			bsdvm_object_deallocate(b->obj);
		if (b->fd >= 0)
			close(b->fd);
		free(b->label);
		free(b->name);
	}
	free(r->b);
	r->b = NULL;
	r->nb = r->capb = 0;
}
