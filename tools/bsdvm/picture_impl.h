/*
 * picture_impl.h - what picture.c (steps, snapshots, the page) shares with
 * picture_svg.c (one snapshot drawn as SVG).
 *
 * A snapshot is one map's entries at one moment.  Steps often leave most
 * maps unchanged, so equal snapshots are stored once and a step is a list
 * of (row name, snapshot) pairs: the page holds each snapshot's SVG once
 * and its script puts the rows of the chosen step together.
 */
#ifndef BSDVM_TOOL_PICTURE_IMPL_H
#define BSDVM_TOOL_PICTURE_IMPL_H

#include <stdio.h>

#include "picture.h"

struct pic_entry {
	struct bsdvm_region r;
	const char *path;  /* into the snapshot's string pool */
};

struct pic_snap {
	struct pic_entry *v;
	size_t n;
	char *pool;        /* the paths, one after the other */
	size_t poollen;
	uint64_t hash;
};

/* Escapes text for HTML (element content and quoted attributes). */
void pic_put_html(FILE *out, const char *s);
/* Writes snapshot s as one <svg> element. */
void pic_put_svg(FILE *out, const struct pic_snap *s);
/* The CSS class of a protection ("p5" for r-x): the legend uses it too. */
const char *pic_prot_class(bsdvm_prot_t prot, char buf[4]);

#endif /* BSDVM_TOOL_PICTURE_IMPL_H */
