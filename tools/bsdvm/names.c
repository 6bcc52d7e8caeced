/*
 * names.c - protections, inheritance, advice and entry flags as words.
 */
#include "names.h"

const char *names_prot(bsdvm_prot_t prot, char buf[4])
{
	buf[0] = (prot & VM_PROT_READ) ? 'r' : '-';
	buf[1] = (prot & VM_PROT_WRITE) ? 'w' : '-';
	buf[2] = (prot & VM_PROT_EXECUTE) ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}

const char *names_inherit(bsdvm_inherit_t inherit)
{
	switch (inherit) {
	case VM_INHERIT_SHARE:
		return "share";
	case VM_INHERIT_COPY:
		return "copy";
	case VM_INHERIT_NONE:
		return "none";
	case VM_INHERIT_ZERO:
		return "zero";
	default:
		return "?";
	}
}

const char *names_advice(unsigned advice)
{
	switch (advice) {
	case BSDVM_MADV_NORMAL:
		return "normal";
	case BSDVM_MADV_RANDOM:
		return "random";
	case BSDVM_MADV_SEQUENTIAL:
		return "sequential";
	default:
		return "?";
	}
}

const struct names_flag names_eflags[] = {
	{ MAP_ENTRY_COW, "cow" },
	{ MAP_ENTRY_NEEDS_COPY, "needs_copy" },
	{ MAP_ENTRY_NOMERGE, "nomerge" },
	{ MAP_ENTRY_UNSPLITTABLE, "unsplittable" },
	{ MAP_ENTRY_GROWS_DOWN, "grows_down" },
	{ MAP_ENTRY_GROWS_UP, "grows_up" },
	{ MAP_ENTRY_GUARD, "guard" },
	{ MAP_ENTRY_STACK_GAP_DN, "stack_gap_dn" },
	{ MAP_ENTRY_STACK_GAP_UP, "stack_gap_up" },
	{ MAP_ENTRY_NOFAULT, "nofault" },
	{ MAP_ENTRY_NOSYNC, "nosync" },
	{ MAP_ENTRY_NOCOREDUMP, "nocoredump" },
	{ MAP_ENTRY_USER_WIRED, "user_wired" },
	{ MAP_ENTRY_IN_TRANSITION, "in_transition" },
	{ MAP_ENTRY_NEEDS_WAKEUP, "needs_wakeup" },
	{ 0, NULL },
};
