/*
 * scenario_html.c - the --html option and recording worlds into pictures.
 */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "scenario_html.h"

int html_take_option(int *argc, char **argv, const char **path)
{
	int i, j;

	for (i = 0; i < *argc; i++) {
		int used;

		if (strcmp(argv[i], "--") == 0)
			break;
		if (strncmp(argv[i], "--html=", 7) == 0) {
			*path = argv[i] + 7;
			used = 1;
		} else if (strcmp(argv[i], "--html") == 0) {
			if (i + 1 >= *argc)
				return cli_usage_error("option '--html' needs a value");
			*path = argv[i + 1];
			used = 2;
		} else {
			continue;
		}
		if (**path == '\0')
			return cli_usage_error("option '--html' needs a file name");
		for (j = i; j + used < *argc; j++)
			argv[j] = argv[j + used];
		*argc -= used;
		i--; /* look at what moved into place */
	}
	return TOOL_EXIT_OK;
}

void html_begin(struct html_rec *rec, const char *path, const char *title)
{
	rec->pic = NULL;
	rec->steps = 0;
	rec->failed = false;
	if (path != NULL) {
		rec->pic = picture_new(title);
		rec->failed = rec->pic == NULL;
	}
}

void html_step(struct html_rec *rec, struct world *w, const char *caption)
{
	char name[96];
	size_t i;

	if (rec->pic == NULL)
		return;
	if (!picture_step(rec->pic, caption)) {
		rec->failed = true;
		return;
	}
	rec->steps++;
	for (i = 0; i < w->n; i++) {
		struct world_space *sp = w->v[i];
		struct listing_namer namer = world_namer(sp);

		if (sp->proc != NULL)
			snprintf(name, sizeof(name), "%s (pid %d)", sp->name, sp->pid);
		else
			snprintf(name, sizeof(name), "%s", sp->name);
		if (!picture_add_map_named(rec->pic, name, world_map(sp), &namer))
			rec->failed = true;
	}
}

bool html_finish(struct html_rec *rec, const char *path, FILE *out)
{
	bool ok = true;

	if (path == NULL)
		return true;
	if (rec->pic == NULL || rec->failed) {
		fprintf(stderr, "%s: %s: out of memory while drawing the picture\n", tool_progname,
		    path);
		ok = false;
	} else if (!picture_write(rec->pic, path)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", tool_progname, path, strerror(errno));
		ok = false;
	} else {
		fprintf(out, "picture: %u step%s in %s\n", rec->steps, rec->steps == 1 ? "" : "s",
		    path);
	}
	if (rec->pic != NULL)
		picture_free(rec->pic);
	rec->pic = NULL;
	return ok;
}
