/*
 * scenario_html.h - the --html option of "demo" and "run", and recording a
 * world into a picture (picture.h): one slider step per change, with every
 * address space of the world drawn in it.
 */
#ifndef BSDVM_TOOL_SCENARIO_HTML_H
#define BSDVM_TOOL_SCENARIO_HTML_H

#include <stdbool.h>

#include "picture.h"
#include "scenario_world.h"

/*
 * Takes "--html FILE" or "--html=FILE" out of argv[0..*argc) (the common
 * parser, cli_parse(), does not know it), setting *path.  Stops at "--".
 * Returns TOOL_EXIT_OK or TOOL_EXIT_USAGE after a message.
 */
int html_take_option(int *argc, char **argv, const char **path);

/* A picture recorder: pic is NULL when no picture is wanted or memory ran out. */
struct html_rec {
	struct picture *pic;
	unsigned steps;
	bool failed; /* out of memory while recording */
};

/* Starts recording when path is not NULL. */
void html_begin(struct html_rec *rec, const char *path, const char *title);
/* One step with caption: every space of w as it is now. */
void html_step(struct html_rec *rec, struct world *w, const char *caption);
/*
 * Writes the picture to path, prints "picture: N steps in PATH" on out and
 * frees it.  False (after a message on stderr) if it could not be written.
 * Without a picture only frees and returns true.
 */
bool html_finish(struct html_rec *rec, const char *path, FILE *out);

#endif /* BSDVM_TOOL_SCENARIO_HTML_H */
