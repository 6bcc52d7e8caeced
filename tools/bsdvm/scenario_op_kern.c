/*
 * scenario_op_kern.c - scenario operations on the kernel side: u-areas
 * (kernel stacks with a guard page) and wired kernel memory, both in the
 * kernel's map, which scenarios call "kernel".
 */
#include <inttypes.h>

#include "scenario_ops.h"

/* Labels the kernel range and makes sure the kernel map is listed. */
static void kernel_label(struct scn_run *r, bsdvm_addr_t start, bsdvm_size_t len,
    const char *name, const char *kind)
{
	struct world_space *k = world_add_kernel(&r->w);
	char label[128];

	if (name != NULL)
		snprintf(label, sizeof(label), "[%s %s]", kind, name);
	else
		snprintf(label, sizeof(label), "[%s]", kind);
	if (k == NULL || !world_label(k, start, start + len, label))
		scn_fail(r, "out of memory");
}

int scn_op_uarea(struct scn_run *r, const struct scn_stmt *st)
{
	bool system = st->opt[0].set;
	bsdvm_addr_t a;

	if (!scn_need_system(r))
		return SCN_SKIPPED;
	a = bsdvm_uarea_alloc(r->w.sys, system);
	if (a == 0)
		return KERN_RESOURCE_SHORTAGE; /* the library says only "0" */
	/* named (SCN_F_NAMED), so that "free" and the end of the run find it */
	scn_bind(r, &st->arg[0], a, bsdvm_uarea_size(r->w.sys),
	    system ? SCN_ALLOC_SUAREA : SCN_ALLOC_UAREA);
	kernel_label(r, a, bsdvm_uarea_size(r->w.sys), st->arg[0].name, "uarea");
	return KERN_SUCCESS;
}

int scn_op_kmem(struct scn_run *r, const struct scn_stmt *st)
{
	bsdvm_addr_t a;

	if (!scn_need_system(r))
		return SCN_SKIPPED;
	a = bsdvm_kmem_alloc(r->w.sys, st->arg[1].num);
	if (a == 0)
		return KERN_RESOURCE_SHORTAGE;
	scn_bind(r, &st->arg[0], a, st->arg[1].num, SCN_ALLOC_KMEM);
	kernel_label(r, a, st->arg[1].num, st->arg[0].name, "kmem");
	return KERN_SUCCESS;
}

int scn_op_free(struct scn_run *r, const struct scn_stmt *st)
{
	struct scn_binding *b = st->arg[0].name != NULL && st->arg[0].num == 0
	    ? scn_lookup(r, st->arg[0].name) : NULL;
	struct world_space *k;

	if (b == NULL || b->dead_line != 0 || b->alloc == SCN_ALLOC_NONE) {
		scn_fail(r, "free: give the name of a live u-area or kmem allocation");
		return SCN_SKIPPED;
	}
	if (b->alloc == SCN_ALLOC_KMEM)
		bsdvm_kmem_free(r->w.sys, b->addr, b->len);
	else
		bsdvm_uarea_free(r->w.sys, b->addr, b->alloc == SCN_ALLOC_SUAREA);
	k = world_find(&r->w, WORLD_KERNEL);
	if (k != NULL && !world_unlabel(k, b->addr, b->addr + b->len))
		scn_fail(r, "out of memory");
	b->alloc = SCN_ALLOC_NONE;
	b->dead_line = st->line; /* freed: the name has no memory any more */
	scn_note(r, "%s freed", b->name);
	return SCN_NOCODE;
}
