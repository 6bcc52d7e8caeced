/*
 * listing.h - a map's entries in one of three formats: Linux
 * /proc/PID/maps, FreeBSD "procstat -v", or JSON.  Every command that shows
 * a map goes through here, so the formats stay identical across commands.
 */
#ifndef BSDVM_TOOL_LISTING_H
#define BSDVM_TOOL_LISTING_H

#include <stdbool.h>
#include <stdio.h>

#include <bsdvm/bsdvm.h>

enum listing_format {
	LISTING_MAPS,     /* Linux /proc/PID/maps */
	LISTING_PROCSTAT, /* FreeBSD procstat -v */
	LISTING_JSON      /* an array of objects, one per line */
};

/* "maps", "procstat" or "json" (also "proc" and "linux", "freebsd"). */
bool listing_format_parse(const char *name, enum listing_format *out);
const char *listing_format_name(enum listing_format format);

/*
 * Gives a region a path name ("/usr/bin/ls", "[heap]"), or NULL to let the
 * listing choose one from the entry's kind.  The engine knows no file names;
 * commands that do (scenarios, trace replay) supply them through this.
 */
struct listing_namer {
	const char *(*name)(void *ctx, const struct bsdvm_region *region);
	void *ctx;
};

/*
 * The path column of a region: the namer's answer if any, else "[guard]"
 * for a guard, "[stack]" for a GROWS_DOWN or GROWS_UP entry, "[object]" for
 * another entry with an object, and "" for anonymous memory.  namer may be
 * NULL.
 */
const char *listing_path(const struct bsdvm_region *region,
    const struct listing_namer *namer);

/* Prints every entry of map in format; pid fills procstat's PID column. */
void listing_print(FILE *out, struct vm_map *map, enum listing_format format, int pid);
/* The same with path names from namer (may be NULL). */
void listing_print_named(FILE *out, struct vm_map *map, enum listing_format format,
    int pid, const struct listing_namer *namer);

#endif /* BSDVM_TOOL_LISTING_H */
