/*
 * scenario_op_proc.c - scenario operations on the system and its address
 * spaces (system, space, fork, exit, exec, limit, pageout) and the ones
 * that only look (show, stats, echo).
 */
#include <inttypes.h>

#include "report.h"
#include "scenario_ops.h"
#include "scenario_show.h"

/* The user window of a new space unless min= and max= say otherwise. */
#define SPACE_MIN ((bsdvm_addr_t)0x10000)
#define SPACE_MAX ((bsdvm_addr_t)0x800000000000)

int scn_op_system(struct scn_run *r, const struct scn_stmt *st)
{
	struct bsdvm_sys_params p = { 0 };
	char page[32];
	int rv;

	p.frames = st->opt[0].num;
	p.swap_pages = st->opt[1].num;
	p.page_size = st->opt[2].num;
	p.sgrowsiz = st->opt[3].num;
	if (st->opt[4].set) {
		p.stack_guard_pages = (unsigned)st->opt[4].num;
		p.no_stack_guard = st->opt[4].num == 0;
	}
	p.uarea_size = st->opt[5].num;
	rv = world_boot(&r->w, &p);
	if (rv == KERN_SUCCESS) {
		struct bsdvm_sys_stats s;

		bsdvm_sys_get_stats(r->w.sys, &s);
		scn_note(r, "%" PRIu64 " frames of %s, %" PRIu64 " pages of swap", s.frames,
		    report_size(bsdvm_sys_page_size(r->w.sys), page, sizeof(page)), s.swap_total);
	}
	return rv;
}

int scn_op_space(struct scn_run *r, const struct scn_stmt *st)
{
	bsdvm_addr_t min = SPACE_MIN, max = SPACE_MAX;
	uint32_t flags = 0;
	struct world_space *sp;
	struct vmspace *vm;
	int rv;

	if (!scn_need_system(r) || (st->opt[0].set && !scn_addr(r, &st->opt[0], &min)) ||
	    (st->opt[1].set && !scn_addr(r, &st->opt[1], &max)))
		return SCN_SKIPPED;
	if (st->opt[2].set)
		flags |= BSDVM_MAP_TOPDOWN;
	if (st->opt[3].set)
		flags |= BSDVM_MAP_WXORX;
	if (st->opt[4].set)
		flags |= BSDVM_MAP_NO_ALIGN_INDEX;
	rv = bsdvm_vmspace_create(r->w.sys, min, max, flags, &vm);
	if (rv != KERN_SUCCESS)
		return rv;
	rv = world_add_proc(&r->w, st->arg[0].name, vm, &sp);
	bsdvm_vmspace_free(vm); /* the process holds its own reference */
	if (rv == KERN_SUCCESS)
		scn_note(r, "%s = pid %d, %#" PRIx64 "-%#" PRIx64, sp->name, sp->pid, min, max);
	return rv;
}

int scn_op_fork(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *parent = scn_space(r, &st->arg[0]), *child;
	struct vmspace *vm;
	int rv;

	if (parent == NULL)
		return SCN_SKIPPED;
	rv = bsdvm_vmspace_fork(parent->vm, &vm);
	if (rv != KERN_SUCCESS)
		return rv;
	rv = world_add_proc(&r->w, st->arg[1].name, vm, &child);
	bsdvm_vmspace_free(vm);
	if (rv != KERN_SUCCESS)
		return rv;
	if (!world_copy_labels(child, parent))
		scn_fail(r, "out of memory");
	scn_note(r, "%s = pid %d", child->name, child->pid);
	return rv;
}

int scn_op_exit(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);

	if (sp == NULL)
		return SCN_SKIPPED;
	if (sp->proc == NULL) {
		scn_fail(r, "the kernel cannot exit");
		return SCN_SKIPPED;
	}
	scn_note(r, "pid %d exits", sp->pid);
	world_remove(&r->w, sp);
	return SCN_NOCODE;
}

int scn_op_exec(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);
	int rv;

	if (sp == NULL)
		return SCN_SKIPPED;
	if (sp->proc == NULL) {
		/* the library would empty it, u-areas and all */
		scn_fail(r, "the kernel cannot exec");
		return SCN_SKIPPED;
	}
	rv = bsdvm_vmspace_reset(sp->vm, sp->min, sp->max);
	if (rv == KERN_SUCCESS)
		labels_free(&sp->labels); /* a new program: the old names are gone */
	return rv;
}

int scn_op_limit(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);
	struct bsdvm_rlimits lim;

	if (sp == NULL)
		return SCN_SKIPPED;
	if (sp->proc == NULL) {
		scn_fail(r, "the kernel has no resource limits");
		return SCN_SKIPPED;
	}
	bsdvm_proc_get_limits(sp->proc, &lim);
	if (st->opt[0].set)
		lim.stack = st->opt[0].num;
	if (st->opt[1].set)
		lim.vmem = st->opt[1].num;
	if (st->opt[2].set)
		lim.memlock = st->opt[2].num;
	bsdvm_proc_set_limits(sp->proc, &lim);
	return SCN_NOCODE;
}

int scn_op_pageout(struct scn_run *r, const struct scn_stmt *st)
{
	uint64_t n;

	if (!scn_need_system(r))
		return SCN_SKIPPED;
	n = bsdvm_sys_pageout(r->w.sys, st->arg[0].num);
	scn_note(r, "%" PRIu64 " pages out", n);
	return SCN_NOCODE;
}

int scn_op_show(struct scn_run *r, const struct scn_stmt *st)
{
	bool ok;

	if (!scn_need_system(r))
		return SCN_SKIPPED;
	if (st->arg[0].set) {
		struct world_space *sp = scn_space(r, &st->arg[0]);

		if (sp == NULL)
			return SCN_SKIPPED;
		ok = show_space(&r->w, sp);
	} else {
		ok = show_world(&r->w);
	}
	if (!ok)
		scn_fail(r, "vm_map_check failed");
	return SCN_NOCODE;
}

int scn_op_stats(struct scn_run *r, const struct scn_stmt *st)
{
	(void)st;
	if (!scn_need_system(r))
		return SCN_SKIPPED;
	show_counters(&r->w);
	return SCN_NOCODE;
}

int scn_op_echo(struct scn_run *r, const struct scn_stmt *st)
{
	fwrite(st->arg[0].bytes, 1, st->arg[0].len, r->out);
	fputc('\n', r->out);
	return SCN_NOCODE;
}
