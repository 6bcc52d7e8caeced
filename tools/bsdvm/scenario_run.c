/*
 * scenario_run.c - "bsdvm run FILE [--html FILE]": runs a scenario.
 *
 * Every statement is echoed ("12: map p1 heap any 64K rw-"), carried out,
 * and its result printed ("    = KERN_SUCCESS, heap = 0x10000").  A result
 * other than the expected one ("=> CODE", success by default) and every
 * unmet "expect" is a failure: it is reported on the output and as
 * "FILE:LINE: ..." on stderr, and the run goes on, so that one run shows
 * every failure; the exit status is then 1.  After every statement each
 * address space is checked with vm_map_check(); a statement that changed
 * any map becomes a step of the --html picture.  At the end every process
 * exits, every object and kernel allocation is released, and the memory
 * counters must be back to zero (no leaks).
 */
#include <stdarg.h>
#include <string.h>

#include "commands.h"
#include "scenario.h"
#include "scenario_show.h"

void scn_fail(struct scn_run *r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->cur != NULL && r->cur->op->result != SCN_RES_NONE) {
		/* after the statement's result line, where it reads best */
		size_t used = strlen(r->pending);

		snprintf(r->pending + used, sizeof(r->pending) - used, "    FAILED: %s\n", msg);
	} else {
		fprintf(r->out, "    FAILED: %s\n", msg);
	}
	if (r->cur != NULL)
		fprintf(stderr, "%s:%d: %s\n", r->file, r->cur->line, msg);
	else
		fprintf(stderr, "%s: %s\n", r->file, msg);
	r->failures++;
}

void scn_note(struct scn_run *r, const char *fmt, ...)
{
	size_t used = strlen(r->note);
	va_list ap;

	if (used != 0 && used + 2 < sizeof(r->note)) {
		memcpy(r->note + used, ", ", 3);
		used += 2;
	}
	va_start(ap, fmt);
	vsnprintf(r->note + used, sizeof(r->note) - used, fmt, ap);
	va_end(ap);
}

bool scn_need_system(struct scn_run *r)
{
	struct bsdvm_sys_params params;
	int rv;

	if (r->w.sys != NULL)
		return true;
	memset(&params, 0, sizeof(params)); /* the library's defaults */
	rv = world_boot(&r->w, &params);
	if (rv != KERN_SUCCESS) {
		scn_fail(r, "the default system could not be made: %s", bsdvm_kern_name(rv));
		return false;
	}
	return true;
}

/* ---- change detection, for the picture ---- */

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static int hash_region(void *arg, const struct bsdvm_region *reg)
{
	uint64_t *h = arg, f[6];

	f[0] = reg->start;
	f[1] = reg->end;
	f[2] = reg->offset;
	f[3] = reg->eflags;
	f[4] = (uint64_t)reg->protection | (uint64_t)reg->max_protection << 8 |
	    (uint64_t)reg->inheritance << 16 | (uint64_t)reg->advice << 24;
	f[5] = (uint64_t)(uint32_t)reg->wired_count;
	*h = fnv(*h, f, sizeof(f));
	return 0;
}

/* A hash of every map of the world: equal before and after a statement
 * when it changed no map (and made or ended no space). */
static uint64_t world_hash(struct world *w)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < w->n; i++) {
		h = fnv(h, w->v[i]->name, strlen(w->v[i]->name) + 1);
		bsdvm_map_foreach(world_map(w->v[i]), hash_region, &h);
	}
	return h;
}

/* ---- one statement ---- */

static void result_line(struct scn_run *r, const struct scn_stmt *st, int code)
{
	enum scn_result kind = st->op->result;
	int want = st->want_set ? st->want : 0; /* KERN_SUCCESS and errno 0 */

	r->operations++;
	if (st->want_set)
		r->expectations++;
	fprintf(r->out, "    = %s%s%s\n", scn_code_name(kind, code), r->note[0] ? ", " : "",
	    r->note);
	if (!st->want_any && code != want)
		scn_fail(r, "%s: expected %s, got %s", st->op->name, scn_code_name(kind, want),
		    scn_code_name(kind, code));
}

static void run_statement(struct scn_run *r, const struct scn_stmt *st)
{
	uint64_t before = world_hash(&r->w);
	char caption[160];
	int code;

	r->cur = st;
	r->note[0] = '\0';
	r->pending[0] = '\0';
	if (!(st->op->flags & SCN_F_QUIET))
		fprintf(r->out, "%d: %s\n", st->line, st->src);
	code = scn_unbind_outputs(r, st) ? st->op->exec(r, st) : SCN_SKIPPED;
	if (code != SCN_SKIPPED && st->op->result != SCN_RES_NONE)
		result_line(r, st, code);
	else if (code != SCN_SKIPPED && r->note[0] != '\0')
		fprintf(r->out, "    %s\n", r->note);
	if (!show_check_all(&r->w))
		scn_fail(r, "vm_map_check failed after this line");
	fputs(r->pending, r->out);
	if (world_hash(&r->w) != before) {
		snprintf(caption, sizeof(caption), "line %d: %s", st->line, st->src);
		html_step(&r->pic, &r->w, caption);
	}
}

/* Ends every process, releases objects and kernel memory, and checks that
 * nothing is left. */
static void finish(struct scn_run *r)
{
	r->cur = NULL;
	world_remove_all(&r->w);
	scn_bindings_free(r);
	if (r->w.sys != NULL) {
		fprintf(r->out, "end: every process exits, every object is released\n");
		if (!show_leaks(&r->w))
			scn_fail(r, "memory is left after the run");
	}
	world_shutdown(&r->w);
}

int cmd_run(int argc, char **argv, struct tool_opts *opts)
{
	const char *html = NULL;
	struct scn_script script;
	struct scn_run r;
	char *pos[1], title[256];
	int i, npos, rv = html_take_option(&argc, argv, &html);

	if (rv == TOOL_EXIT_OK)
		rv = cli_parse(argc, argv, opts, pos, 1, &npos);
	if (rv != TOOL_EXIT_OK)
		return rv;
	if (npos != 1)
		return cli_usage_error("run needs a scenario file");
	rv = scn_parse_file(pos[0], &script);
	if (rv != TOOL_EXIT_OK)
		return rv;
	memset(&r, 0, sizeof(r));
	world_init(&r.w, stdout, opts->format);
	r.out = stdout;
	r.file = pos[0];
	snprintf(title, sizeof(title), "bsdvm run %s", pos[0]);
	html_begin(&r.pic, html, title);
	fprintf(r.out, "bsdvm run %s: %d statements\n", pos[0], script.n);
	for (i = 0; i < script.n; i++)
		run_statement(&r, &script.v[i]);
	finish(&r);
	if (!html_finish(&r.pic, html, r.out))
		r.failures++;
	if (r.failures == 0)
		fprintf(r.out, "run: %d statements, %u operations, %u expectations, %u checks: "
		    "all passed\n", script.n, r.operations, r.expectations, r.w.checks);
	else
		fprintf(r.out, "run: %u FAILED (%d statements, %u operations, %u expectations, "
		    "%u checks)\n", r.failures, script.n, r.operations, r.expectations, r.w.checks);
	scn_script_free(&script);
	return r.failures == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}
