/*
 * scenario_world.c - the system and its named address spaces.
 */
#include <stdlib.h>
#include <string.h>

#include "scenario_world.h"

/* The user window of a process made without a vmspace (bsdvm_proc_create
 * uses the same one); kept so that "exec" can reset to it. */
#define USER_MIN ((bsdvm_addr_t)0x10000)
#define USER_MAX ((bsdvm_addr_t)0x800000000000)

void world_init(struct world *w, FILE *out, enum listing_format format)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->format = format;
	w->next_pid = WORLD_FIRST_PID;
}

int world_boot(struct world *w, const struct bsdvm_sys_params *params)
{
	return bsdvm_sys_create(params, &w->sys);
}

static char *copy_string(const char *s)
{
	size_t len = strlen(s) + 1;
	char *c = malloc(len);

	if (c != NULL)
		memcpy(c, s, len);
	return c;
}

/* A new space record appended to the list; NULL if out of memory. */
static struct world_space *append(struct world *w, const char *name)
{
	struct world_space *sp;

	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		struct world_space **v = realloc(w->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		w->v = v;
		w->cap = cap;
	}
	sp = calloc(1, sizeof(*sp));
	if (sp == NULL)
		return NULL;
	sp->name = copy_string(name);
	if (sp->name == NULL) {
		free(sp);
		return NULL;
	}
	w->v[w->n++] = sp;
	return sp;
}

/* Takes the newest record off the list again (after a failed creation). */
static void drop_last(struct world *w)
{
	struct world_space *sp = w->v[--w->n];

	labels_free(&sp->labels);
	free(sp->name);
	free(sp);
}

/* Listings show the processes first and the kernel last: moves a space
 * just appended in front of the kernel's. */
static void keep_kernel_last(struct world *w)
{
	size_t i;

	for (i = 0; i + 1 < w->n; i++) {
		if (w->v[i]->proc == NULL) {
			struct world_space *kernel = w->v[i];

			memmove(&w->v[i], &w->v[i + 1], (w->n - i - 1) * sizeof(w->v[0]));
			w->v[w->n - 1] = kernel;
			return;
		}
	}
}

int world_add_proc(struct world *w, const char *name, struct vmspace *vm,
    struct world_space **spp)
{
	struct world_space *sp = append(w, name);
	int rv;

	if (sp == NULL)
		return KERN_RESOURCE_SHORTAGE;
	rv = bsdvm_proc_create(w->sys, vm, &sp->proc);
	if (rv != KERN_SUCCESS) {
		drop_last(w);
		return rv;
	}
	sp->vm = bsdvm_proc_vmspace(sp->proc);
	sp->pid = w->next_pid++;
	keep_kernel_last(w);
	sp->min = vm != NULL ? bsdvm_map_min(bsdvm_vmspace_map(vm)) : USER_MIN;
	sp->max = vm != NULL ? bsdvm_map_max(bsdvm_vmspace_map(vm)) : USER_MAX;
	if (spp != NULL)
		*spp = sp;
	return KERN_SUCCESS;
}

struct world_space *world_add_kernel(struct world *w)
{
	struct world_space *sp = world_find(w, WORLD_KERNEL);

	if (sp != NULL)
		return sp;
	sp = append(w, WORLD_KERNEL);
	if (sp == NULL)
		return NULL;
	sp->vm = bsdvm_sys_kernel(w->sys);
	sp->min = bsdvm_map_min(bsdvm_vmspace_map(sp->vm));
	sp->max = bsdvm_map_max(bsdvm_vmspace_map(sp->vm));
	return sp;
}

struct world_space *world_find(struct world *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->n; i++) {
		if (strcmp(w->v[i]->name, name) == 0)
			return w->v[i];
	}
	return NULL;
}

void world_remove(struct world *w, struct world_space *sp)
{
	size_t i;

	for (i = 0; i < w->n && w->v[i] != sp; i++)
		continue;
	if (i == w->n)
		return;
	memmove(&w->v[i], &w->v[i + 1], (w->n - i - 1) * sizeof(w->v[0]));
	w->n--;
	if (sp->proc != NULL)
		bsdvm_proc_destroy(sp->proc); /* the kernel's vmspace is the system's */
	labels_free(&sp->labels);
	free(sp->name);
	free(sp);
}

void world_remove_all(struct world *w)
{
	while (w->n > 0)
		world_remove(w, w->v[w->n - 1]);
}

void world_shutdown(struct world *w)
{
	world_remove_all(w);
	free(w->v);
	w->v = NULL;
	w->cap = 0;
	if (w->sys != NULL)
		bsdvm_sys_destroy(w->sys);
	w->sys = NULL;
}

struct vm_map *world_map(const struct world_space *sp)
{
	return bsdvm_vmspace_map(sp->vm);
}

/* ---- labels ----
 * An empty name is the "no label" marker: it hides older labels without
 * naming the range, and the namer below turns it back into NULL. */

bool world_label(struct world_space *sp, bsdvm_addr_t start, bsdvm_addr_t end,
    const char *name)
{
	return labels_add(&sp->labels, start, end, name);
}

bool world_unlabel(struct world_space *sp, bsdvm_addr_t start, bsdvm_addr_t end)
{
	/* nothing to hide on a space that never had labels */
	if (sp->labels.n == 0)
		return true;
	return labels_add(&sp->labels, start, end, "");
}

static const char *name_region(void *ctx, const struct bsdvm_region *r)
{
	const char *name = labels_find(ctx, r->start);

	return name != NULL && name[0] != '\0' ? name : NULL;
}

struct listing_namer world_namer(struct world_space *sp)
{
	struct listing_namer namer = { name_region, &sp->labels };

	return namer;
}

bool world_copy_labels(struct world_space *to, const struct world_space *from)
{
	size_t i;

	for (i = 0; i < from->labels.n; i++) {
		const struct label *l = &from->labels.v[i];

		if (!labels_add(&to->labels, l->start, l->end, l->name))
			return false;
	}
	return true;
}
