/*
 * scenario_op_map.c - scenario operations that map and change ranges
 * through the native API: map (bsdvm_vmspace_mmap), unmap, protect,
 * inherit, advise, wire, unwire, stack, growstack.
 */
#include <string.h>

#include "scenario_ops.h"

bool scn_label_mapping(struct scn_run *r, struct world_space *sp, bsdvm_addr_t start,
    bsdvm_addr_t end, const struct scn_value *label, const struct scn_binding *obj,
    const char *name)
{
	char buf[128];
	bool ok;

	if (label != NULL && label->set) {
		/* the value may hold NUL bytes; a label ends at the first */
		ok = label->len == 0 ? world_unlabel(sp, start, end)
		    : world_label(sp, start, end, label->bytes);
	} else if (obj != NULL) {
		ok = world_label(sp, start, end, obj->label);
	} else if (name != NULL) {
		snprintf(buf, sizeof(buf), "[%s]", name);
		ok = world_label(sp, start, end, buf);
	} else {
		ok = world_unlabel(sp, start, end);
	}
	if (!ok)
		scn_fail(r, "out of memory");
	return ok;
}

int scn_op_map(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);
	const struct scn_binding *obj = NULL;
	bsdvm_addr_t addr = 0;
	bsdvm_prot_t max = st->opt[0].set ? (bsdvm_prot_t)st->opt[0].num : VM_PROT_ALL;
	uint32_t flags = 0;
	int rv;

	if (sp == NULL || (!st->arg[2].any && !scn_addr(r, &st->arg[2], &addr)))
		return SCN_SKIPPED;
	if (st->opt[5].set && (obj = scn_object(r, &st->opt[5])) == NULL)
		return SCN_SKIPPED;
	if (st->opt[1].set)
		flags |= BSDVM_MAPF_FIXED;
	if (st->opt[2].set)
		flags |= BSDVM_MAPF_FIXED | BSDVM_MAPF_EXCL;
	if (st->opt[3].set)
		flags |= BSDVM_MAPF_SHARED;
	if (st->opt[4].set)
		flags |= BSDVM_MAPF_NOMERGE;
	rv = bsdvm_vmspace_mmap(sp->vm, &addr, st->arg[3].num, (bsdvm_prot_t)st->arg[4].num, max,
	    flags, obj != NULL ? obj->obj : NULL, st->opt[6].num);
	if (rv == KERN_SUCCESS) {
		scn_bind(r, &st->arg[1], addr, st->arg[3].num, SCN_ALLOC_NONE);
		scn_label_mapping(r, sp, addr, addr + st->arg[3].num, &st->opt[7], obj,
		    st->arg[1].name);
	}
	return rv;
}

/* The space and range of "OP SPACE ADDR [SIZE] ..."; false after a failure. */
static bool space_range(struct scn_run *r, const struct scn_stmt *st, struct world_space **spp,
    bsdvm_addr_t *start, bsdvm_addr_t *end)
{
	*spp = scn_space(r, &st->arg[0]);
	return *spp != NULL && scn_range(r, &st->arg[1], &st->arg[2], start, end);
}

int scn_op_unmap(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp;
	bsdvm_addr_t start, end;
	int rv;

	if (!space_range(r, st, &sp, &start, &end))
		return SCN_SKIPPED;
	rv = bsdvm_map_delete(world_map(sp), start, end);
	if (rv == KERN_SUCCESS && !world_unlabel(sp, start, end))
		scn_fail(r, "out of memory");
	return rv;
}

int scn_op_protect(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp;
	bsdvm_addr_t start, end;
	uint32_t flags = BSDVM_PROTECT_SET_PROT;

	if (!space_range(r, st, &sp, &start, &end))
		return SCN_SKIPPED;
	if (st->opt[0].set)
		flags |= BSDVM_PROTECT_SET_MAX;
	return bsdvm_map_protect(world_map(sp), start, end, (bsdvm_prot_t)st->arg[3].num,
	    (bsdvm_prot_t)st->opt[0].num, flags);
}

int scn_op_inherit(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp;
	bsdvm_addr_t start, end;

	if (!space_range(r, st, &sp, &start, &end))
		return SCN_SKIPPED;
	/* the words are in the order of VM_INHERIT_SHARE, COPY, NONE, ZERO */
	return bsdvm_map_inherit(world_map(sp), start, end, (bsdvm_inherit_t)st->arg[3].num);
}

int scn_op_advise(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp;
	bsdvm_addr_t start, end;

	if (!space_range(r, st, &sp, &start, &end))
		return SCN_SKIPPED;
	/* the words are in the order of BSDVM_MADV_* */
	return bsdvm_map_madvise(world_map(sp), start, end, (int)st->arg[3].num);
}

int scn_op_wire(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp;
	bsdvm_addr_t start, end;
	uint32_t flags = 0;

	if (!space_range(r, st, &sp, &start, &end))
		return SCN_SKIPPED;
	if (st->opt[0].set)
		flags |= BSDVM_WIRE_USER;
	if (st->opt[1].set)
		flags |= BSDVM_WIRE_HOLESOK;
	return bsdvm_map_wire(world_map(sp), start, end, flags);
}

int scn_op_unwire(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp;
	bsdvm_addr_t start, end;
	uint32_t flags = 0;

	if (!space_range(r, st, &sp, &start, &end))
		return SCN_SKIPPED;
	if (st->opt[0].set)
		flags |= BSDVM_WIRE_USER;
	if (st->opt[1].set)
		flags |= BSDVM_WIRE_HOLESOK;
	if (st->opt[2].set)
		flags |= BSDVM_WIRE_ALL;
	return bsdvm_map_unwire(world_map(sp), start, end, flags);
}

int scn_op_stack(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);
	bsdvm_prot_t max = st->opt[0].set ? (bsdvm_prot_t)st->opt[0].num : VM_PROT_ALL;
	bsdvm_addr_t addr, len = st->arg[3].num;
	int rv;

	if (sp == NULL || !scn_addr(r, &st->arg[2], &addr))
		return SCN_SKIPPED;
	rv = bsdvm_map_stack(world_map(sp), addr, len, (bsdvm_prot_t)st->arg[4].num, max,
	    st->arg[5].num == 0 ? MAP_ENTRY_GROWS_DOWN : MAP_ENTRY_GROWS_UP);
	if (rv == KERN_SUCCESS) {
		scn_bind(r, &st->arg[1], addr, len, SCN_ALLOC_NONE);
		/* without label= the listing's own [stack] and [guard] say it best */
		scn_label_mapping(r, sp, addr, addr + len, &st->opt[1], NULL, NULL);
	}
	return rv;
}

int scn_op_growstack(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);
	bsdvm_addr_t addr;

	if (sp == NULL || !scn_addr(r, &st->arg[1], &addr))
		return SCN_SKIPPED;
	return bsdvm_map_growstack(world_map(sp), addr);
}
