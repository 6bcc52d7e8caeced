/*
 * labels.h - names for address ranges ("/usr/bin/ls", "[heap]"), kept by
 * the tool because the engine knows no names.  A listing asks for the name
 * of each entry through labels_namer(); the most recently added label that
 * contains the entry's start wins, so a range mapped again simply gets a
 * new label on top of the old one.
 */
#ifndef BSDVM_TOOL_LABELS_H
#define BSDVM_TOOL_LABELS_H

#include <stdbool.h>
#include <stddef.h>

#include "listing.h"

struct label {
	bsdvm_addr_t start, end;
	char *name;
};

struct labels {
	struct label *v;
	size_t n, cap;
};

#define LABELS_INIT { NULL, 0, 0 }

/* Adds a label for [start, end); the name is copied.  False if out of memory. */
bool labels_add(struct labels *l, bsdvm_addr_t start, bsdvm_addr_t end, const char *name);
/* The newest label containing addr, or NULL. */
const char *labels_find(const struct labels *l, bsdvm_addr_t addr);
/* A namer for listing_print_named() that answers from l. */
struct listing_namer labels_namer(struct labels *l);
void labels_free(struct labels *l);

#endif /* BSDVM_TOOL_LABELS_H */
