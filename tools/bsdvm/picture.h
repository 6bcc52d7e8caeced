/*
 * picture.h - a self-contained HTML picture of one or more address spaces
 * (inline SVG, no network): entries drawn to scale on an axis that folds
 * large gaps, coloured by protection, details on hover, and a slider over
 * the steps of a demo, scenario or replay.
 *
 * Use: picture_new(), then for each step picture_step() followed by one
 * picture_add_map() per address space to show, then picture_write().
 */
#ifndef BSDVM_TOOL_PICTURE_H
#define BSDVM_TOOL_PICTURE_H

#include <stdbool.h>

#include "labels.h"

struct picture;

/* A new, empty picture with a title; NULL if out of memory. */
struct picture *picture_new(const char *title);
/* Starts a new step with a caption ("fork: child 101 from 100"). */
bool picture_step(struct picture *pic, const char *caption);
/* Records map's entries, as they are now, in the current step under name
 * ("pid 100"); labels (may be NULL) give path names. */
bool picture_add_map(struct picture *pic, const char *name, struct vm_map *map,
    struct labels *labels);
/* Writes the HTML file; false (errno set) if it cannot be written. */
bool picture_write(const struct picture *pic, const char *path);
void picture_free(struct picture *pic);

/* The same as picture_add_map() with names from a listing namer (may be
 * NULL), for commands that keep their own names. */
bool picture_add_map_named(struct picture *pic, const char *name, struct vm_map *map,
    const struct listing_namer *namer);
/* Steps recorded so far. */
unsigned long picture_nsteps(const struct picture *pic);
/* Forgets step i (0-based), so that a long run can keep a sample of its
 * steps; the steps after it move down by one. */
void picture_drop_step(struct picture *pic, unsigned long i);

#endif /* BSDVM_TOOL_PICTURE_H */
