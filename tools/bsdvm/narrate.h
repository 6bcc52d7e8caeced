/*
 * narrate.h - engine calls told as they happen, for commands that walk a
 * map through steps (demo now; scenarios later).
 *
 * Every call prints one line "  <operation> = KERN_X" and compares the
 * result with the expected one; a difference prints "expectation failed:
 * ..." and returns false, so a command can stop at the first surprise.
 * narrate_show() lists the map, prints its counters and runs
 * vm_map_check().
 */
#ifndef BSDVM_TOOL_NARRATE_H
#define BSDVM_TOOL_NARRATE_H

#include <stdbool.h>
#include <stdio.h>

#include <bsdvm/bsdvm.h>

#include "labels.h"
#include "listing.h"

struct narrator {
	FILE *out;
	struct vm_map *map;
	enum listing_format format;
	int pid;             /* procstat's PID column */
	int step;            /* steps begun */
	int checks;          /* vm_map_check() runs */
	struct labels labels;
};

/* A narrator printing to out; the map is set by the caller. */
void narrate_init(struct narrator *n, FILE *out, enum listing_format format, int pid);
/* Frees the labels (not the map). */
void narrate_fini(struct narrator *n);

/* Begins step number ++n->step: "== N. title", then text as given. */
void narrate_step(struct narrator *n, const char *title, const char *text);

/* "  what = KERN_X"; false (after "expectation failed") unless got == want. */
bool narrate_kern(struct narrator *n, const char *what, int got, int want);
/* Silent unless got != want. */
bool narrate_u64(struct narrator *n, const char *what, uint64_t got, uint64_t want);

/* Lists the map, prints its counters and checks it; false if the check fails. */
bool narrate_show(struct narrator *n);

/* bsdvm_map_insert(), expected to succeed; name labels the range if not NULL. */
bool narrate_insert(struct narrator *n, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *attrs, const char *name);
/*
 * bsdvm_map_findspace(), expected to return want_rv and, on success, the
 * address want; *addrp gets what was found.
 */
bool narrate_findspace(struct narrator *n, const struct bsdvm_space_req *req, int want_rv,
    bsdvm_addr_t want, bsdvm_addr_t *addrp);
/* bsdvm_map_protect() with SET_PROT, expected to succeed. */
bool narrate_protect(struct narrator *n, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_prot_t prot);
bool narrate_inherit(struct narrator *n, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_inherit_t inherit);
bool narrate_delete(struct narrator *n, bsdvm_addr_t start, bsdvm_addr_t end);

/* Entries in the map, and entries overlapping [start, end). */
uint64_t narrate_nentries(struct vm_map *map);
unsigned narrate_entries_in(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end);

#endif /* BSDVM_TOOL_NARRATE_H */
