/*
 * names.h - the words the tool uses for protections, inheritance, advice
 * and entry flags, in one place so that every output format (and, later,
 * the scenario parser) spells them the same way.
 */
#ifndef BSDVM_TOOL_NAMES_H
#define BSDVM_TOOL_NAMES_H

#include <bsdvm/bsdvm.h>

/* "rwx" with '-' for missing bits; buf must hold 4 bytes. */
const char *names_prot(bsdvm_prot_t prot, char buf[4]);
/* "share", "copy", "none", "zero" or "?". */
const char *names_inherit(bsdvm_inherit_t inherit);
/* "normal", "random", "sequential" or "?". */
const char *names_advice(unsigned advice);

/* One MAP_ENTRY_* bit and its name ("cow", "grows_down", ...). */
struct names_flag {
	uint32_t bit;
	const char *name;
};
/* All known entry flags in bit order, ended by { 0, NULL }. */
extern const struct names_flag names_eflags[];

#endif /* BSDVM_TOOL_NAMES_H */
