/*
 * scenario_op_face.c - scenario operations through the FreeBSD face
 * (vm_map_find, vm_map_stack, vm_map_protect, vm_map_remove) and the
 * NetBSD face (uvm_map, uvm_unmap, uvm_map_protect, uvm_map_pageable),
 * with the faces' own flag names and result codes.
 */
#include <string.h>

#include <bsdvm/uvm.h>
#include <bsdvm/vm_map.h>

#include "scenario_ops.h"

/* ---- the faces' words ---- */

#define FLAG(name) { #name, (uint64_t)(name) }

static const struct scn_flagname fbsd_cow[] = {
	FLAG(MAP_INHERIT_SHARE), FLAG(MAP_COPY_ON_WRITE), FLAG(MAP_NOFAULT),
	FLAG(MAP_PREFAULT), FLAG(MAP_PREFAULT_PARTIAL), FLAG(MAP_DISABLE_SYNCER),
	FLAG(MAP_CHECK_EXCL), FLAG(MAP_CREATE_GUARD), FLAG(MAP_DISABLE_COREDUMP),
	FLAG(MAP_PREFAULT_MADVISE), FLAG(MAP_WRITECOUNT), FLAG(MAP_REMAP),
	FLAG(MAP_STACK_GROWS_DOWN), FLAG(MAP_STACK_GROWS_UP), FLAG(MAP_ACC_CHARGED),
	FLAG(MAP_ACC_NO_CHARGE), FLAG(MAP_VN_EXEC), FLAG(MAP_NO_HINT), { NULL, 0 },
};

static const struct scn_flagname uvm_flags[] = {
	FLAG(UVM_FLAG_FIXED), FLAG(UVM_FLAG_OVERLAY), FLAG(UVM_FLAG_NOMERGE),
	FLAG(UVM_FLAG_COPYONW), FLAG(UVM_FLAG_AMAPPAD), FLAG(UVM_FLAG_TRYLOCK),
	FLAG(UVM_FLAG_NOWAIT), FLAG(UVM_FLAG_WAITVA), FLAG(UVM_FLAG_QUANTUM),
	FLAG(UVM_FLAG_VAONLY), FLAG(UVM_FLAG_COLORMATCH), FLAG(UVM_FLAG_UNMAP), { NULL, 0 },
};

static const struct scn_flagname uvm_inh[] = {
	FLAG(UVM_INH_SHARE), FLAG(UVM_INH_COPY), FLAG(UVM_INH_NONE), FLAG(UVM_INH_DONATE),
	{ NULL, 0 },
};

static const struct scn_flagname uvm_adv[] = {
	FLAG(UVM_ADV_NORMAL), FLAG(UVM_ADV_RANDOM), FLAG(UVM_ADV_SEQUENTIAL),
	FLAG(UVM_ADV_WILLNEED), FLAG(UVM_ADV_DONTNEED), FLAG(UVM_ADV_NOREUSE), { NULL, 0 },
};

/* One name of a table, no '|' and no number. */
static bool one_of(const struct scn_flagname *table, const char *text, uint64_t *out)
{
	for (; table->name != NULL; table++) {
		if (strcmp(table->name, text) == 0) {
			*out = table->bits;
			return true;
		}
	}
	return false;
}

bool scn_parse_vmfs(const char *text, uint64_t *out)
{
	static const struct scn_flagname vmfs[] = {
		FLAG(VMFS_NO_SPACE), FLAG(VMFS_ANY_SPACE), FLAG(VMFS_OPTIMAL_SPACE),
		FLAG(VMFS_SUPER_SPACE), { NULL, 0 },
	};
	static const char aligned[] = "VMFS_ALIGNED_SPACE(";
	size_t len = strlen(text);
	uint64_t n;

	if (one_of(vmfs, text, out))
		return true;
	/* VMFS_ALIGNED_SPACE(n): the start on a 2^n boundary */
	if (strncmp(text, aligned, sizeof(aligned) - 1) == 0 && len > sizeof(aligned) &&
	    text[len - 1] == ')') {
		char num[24];
		size_t nl = len - sizeof(aligned);

		if (nl == 0 || nl >= sizeof(num))
			return false;
		memcpy(num, text + sizeof(aligned) - 1, nl);
		num[nl] = '\0';
		if (!scn_number(num, &n) || n >= 64)
			return false;
		*out = (uint64_t)VMFS_ALIGNED_SPACE(n);
		return true;
	}
	return false;
}

bool scn_parse_fbsd_cow(const char *text, uint64_t *out)
{
	return scn_flags(fbsd_cow, text, out);
}

bool scn_parse_uvm_inh(const char *text, uint64_t *out)
{
	return one_of(uvm_inh, text, out);
}

bool scn_parse_uvm_adv(const char *text, uint64_t *out)
{
	return one_of(uvm_adv, text, out);
}

bool scn_parse_uvm_flags(const char *text, uint64_t *out)
{
	return scn_flags(uvm_flags, text, out);
}

/* ---- shared ---- */

/* The object of an object= option (or none), with a reference for the
 * face to keep: vm_map_find and uvm_map keep the caller's reference when
 * they succeed.  False after scn_fail(). */
static bool take_object(struct scn_run *r, const struct scn_value *v,
    const struct scn_binding **bp)
{
	*bp = NULL;
	if (!v->set)
		return true;
	*bp = scn_object(r, v);
	if (*bp == NULL)
		return false;
	bsdvm_object_reference((*bp)->obj);
	return true;
}

static void drop_object(const struct scn_binding *b)
{
	if (b != NULL)
		bsdvm_object_deallocate(b->obj);
}

static bool space_range(struct scn_run *r, const struct scn_stmt *st, struct world_space **spp,
    bsdvm_addr_t *start, bsdvm_addr_t *end)
{
	*spp = scn_space(r, &st->arg[0]);
	return *spp != NULL && scn_range(r, &st->arg[1], &st->arg[2], start, end);
}

/* ---- FreeBSD ---- */

int scn_op_vm_map_find(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);
	const struct scn_binding *obj;
	vm_offset_t addr = 0, max_addr = 0;
	vm_prot_t max = st->opt[0].set ? (vm_prot_t)st->opt[0].num : VM_PROT_ALL;
	int find = st->opt[1].set ? (int)st->opt[1].num : VMFS_ANY_SPACE;
	int cow = (int)st->opt[2].num, rv;

	if (sp == NULL || (!st->arg[2].any && !scn_addr(r, &st->arg[2], &addr)) ||
	    (st->opt[5].set && !scn_addr(r, &st->opt[5], &max_addr)) ||
	    !take_object(r, &st->opt[3], &obj))
		return SCN_SKIPPED;
	rv = vm_map_find(world_map(sp), obj != NULL ? obj->obj : NULL, st->opt[4].num, &addr,
	    st->arg[3].num, max_addr, find, (vm_prot_t)st->arg[4].num, max, cow);
	if (rv != KERN_SUCCESS) {
		drop_object(obj);
		return rv;
	}
	scn_bind(r, &st->arg[1], addr, st->arg[3].num, SCN_ALLOC_NONE);
	/* a stack is best shown as the listing's [stack] and [guard] */
	scn_label_mapping(r, sp, addr, addr + st->arg[3].num, &st->opt[6], obj,
	    (cow & (MAP_STACK_GROWS_DOWN | MAP_STACK_GROWS_UP)) ? NULL : st->arg[1].name);
	return rv;
}

int scn_op_vm_map_stack(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);
	vm_prot_t max = st->opt[0].set ? (vm_prot_t)st->opt[0].num : VM_PROT_ALL;
	int cow = st->opt[1].set ? (int)st->opt[1].num : MAP_STACK_GROWS_DOWN, rv;
	bsdvm_addr_t addr;

	if (sp == NULL || !scn_addr(r, &st->arg[2], &addr))
		return SCN_SKIPPED;
	rv = vm_map_stack(world_map(sp), addr, st->arg[3].num, (vm_prot_t)st->arg[4].num, max,
	    cow);
	if (rv == KERN_SUCCESS) {
		scn_bind(r, &st->arg[1], addr, st->arg[3].num, SCN_ALLOC_NONE);
		scn_label_mapping(r, sp, addr, addr + st->arg[3].num, NULL, NULL, NULL);
	}
	return rv;
}

int scn_op_vm_map_protect(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp;
	bsdvm_addr_t start, end;
	int flags = VM_MAP_PROTECT_SET_PROT;

	if (!space_range(r, st, &sp, &start, &end))
		return SCN_SKIPPED;
	if (st->opt[0].set)
		flags |= VM_MAP_PROTECT_SET_MAXPROT;
	return vm_map_protect(world_map(sp), start, end, (vm_prot_t)st->arg[3].num,
	    (vm_prot_t)st->opt[0].num, flags);
}

int scn_op_vm_map_remove(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp;
	bsdvm_addr_t start, end;
	int rv;

	if (!space_range(r, st, &sp, &start, &end))
		return SCN_SKIPPED;
	rv = vm_map_remove(world_map(sp), start, end);
	if (rv == KERN_SUCCESS && !world_unlabel(sp, start, end))
		scn_fail(r, "out of memory");
	return rv;
}

/* ---- NetBSD ---- */

int scn_op_uvm_map(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);
	const struct scn_binding *obj;
	vaddr_t addr = 0;
	uint64_t max = st->opt[0].set ? st->opt[0].num : UVM_PROT_ALL;
	uint64_t inh = st->opt[1].set ? st->opt[1].num : UVM_INH_COPY;
	voff_t offset = st->opt[5].set ? st->opt[5].num : UVM_UNKNOWN_OFFSET;
	int rv;

	if (sp == NULL || (!st->arg[2].any && !scn_addr(r, &st->arg[2], &addr)) ||
	    !take_object(r, &st->opt[4], &obj))
		return SCN_SKIPPED;
	rv = uvm_map(world_map(sp), &addr, st->arg[3].num, obj != NULL ? obj->obj : NULL, offset,
	    st->opt[6].num, UVM_MAPFLAG(st->arg[4].num, max, inh, st->opt[2].num,
	    st->opt[3].num));
	if (rv != 0) {
		drop_object(obj);
		return rv;
	}
	scn_bind(r, &st->arg[1], addr, st->arg[3].num, SCN_ALLOC_NONE);
	scn_label_mapping(r, sp, addr, addr + st->arg[3].num, &st->opt[7], obj, st->arg[1].name);
	return rv;
}

int scn_op_uvm_unmap(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp;
	bsdvm_addr_t start, end;

	if (!space_range(r, st, &sp, &start, &end))
		return SCN_SKIPPED;
	uvm_unmap(world_map(sp), start, end); /* no result: NetBSD's is void */
	if (!world_unlabel(sp, start, end))
		scn_fail(r, "out of memory");
	return SCN_NOCODE;
}

int scn_op_uvm_map_protect(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp;
	bsdvm_addr_t start, end;

	if (!space_range(r, st, &sp, &start, &end))
		return SCN_SKIPPED;
	return uvm_map_protect(world_map(sp), start, end, (vm_prot_t)st->arg[3].num,
	    st->opt[0].set);
}

int scn_op_uvm_map_pageable(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp;
	bsdvm_addr_t start, end;

	if (!space_range(r, st, &sp, &start, &end))
		return SCN_SKIPPED;
	/* new_pageable false wires, true unwires (the words are false, true) */
	return uvm_map_pageable(world_map(sp), start, end, st->arg[3].num == 1, 0);
}
