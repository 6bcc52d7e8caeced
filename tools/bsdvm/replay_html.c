/*
 * replay_html.c - the steps of a replay's picture (--html FILE).
 *
 * A step shows every live address space once (processes sharing one, like
 * a vfork child before its execve, are one row).  Process events (clone,
 * execve, exit) always make a step; calls make one every html_every
 * calls.  When there are more steps than --html-steps, every other call
 * step is dropped and html_every doubles, so a trace of any length gives
 * an evenly thinned picture of bounded size.  The last step shows the
 * final address space of every process, as the text listing does.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

#define CAPTION_MAX 240

bool replay_html_init(struct replay *rp)
{
	char title[512];

	snprintf(title, sizeof(title), "bsdvm replay of %s", rp->o.trace);
	rp->pic = picture_new(title);
	rp->html_every = 1;
	return rp->pic != NULL;
}

/* "pid 100, 101: /bin/sh" for the processes (alive ones unless all) using as. */
static void row_name(struct replay *rp, const struct ras *as, bool all, char *buf, size_t len)
{
	size_t i, used = 0;
	const char *exe = "";

	for (i = 0; i < rp->nprocs && used < len; i++) {
		const struct rproc *p = rp->procs[i];

		if (p->as != as || (!all && p->live_tasks == 0))
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%ld", used ? ", " : "pid ",
		    p->pid);
		exe = p->exe;
	}
	if (used < len && exe[0] != '\0')
		snprintf(buf + used, len - used, ": %s", exe);
}

/* One step: a row per address space of a live process (of any, if all). */
static bool add_step(struct replay *rp, const char *caption, bool sticky, bool all)
{
	unsigned long n = picture_nsteps(rp->pic);
	size_t i, j;

	if (n + 1 > rp->html_cap) {
		size_t cap = rp->html_cap ? 2 * rp->html_cap : 64;
		bool *v = realloc(rp->html_sticky, cap * sizeof(*v));

		if (v == NULL)
			return false;
		rp->html_sticky = v;
		rp->html_cap = cap;
	}
	if (!picture_step(rp->pic, caption))
		return false;
	rp->html_sticky[n] = sticky;
	for (i = 0; i < rp->nprocs; i++) {
		struct rproc *p = rp->procs[i];
		struct listing_namer namer;
		char name[256];

		if (!all && p->live_tasks == 0)
			continue;
		for (j = 0; j < i; j++) {
			if (rp->procs[j]->as == p->as && (all || rp->procs[j]->live_tasks > 0))
				break;
		}
		if (j < i)
			continue; /* already shown in this step */
		row_name(rp, p->as, all, name, sizeof(name));
		namer = ras_namer(p->as);
		if (!picture_add_map_named(rp->pic, name, ras_map(p->as), &namer))
			return false;
	}
	return true;
}

/* Drops every other call step (then every other step) until within bounds. */
static void thin(struct replay *rp)
{
	unsigned long i, n;
	bool any_sticky_only = false;

	while ((n = picture_nsteps(rp->pic)) > rp->o.html_steps) {
		bool odd = false, dropped = false;

		for (i = n; i-- > 0;) {
			if (rp->html_sticky[i] && !any_sticky_only)
				continue;
			if (odd) {
				picture_drop_step(rp->pic, i);
				memmove(&rp->html_sticky[i], &rp->html_sticky[i + 1],
				    (n - i - 1) * sizeof(bool));
				n--;
				dropped = true;
			}
			odd = !odd;
		}
		if (!dropped)
			any_sticky_only = true; /* only process events left: thin them too */
		rp->html_every *= 2;
	}
}

void replay_html_call(struct replay *rp, const struct strace_rec *rec)
{
	char caption[CAPTION_MAX + 128];

	if (rp->pic == NULL || ++rp->html_count % rp->html_every != 0)
		return;
	snprintf(caption, sizeof(caption), "line %lu, pid %ld: %s(%.*s%s) = ", rec->line,
	    rec->pid, rec->name, CAPTION_MAX, rec->args,
	    strlen(rec->args) > CAPTION_MAX ? "..." : "");
	if (!rec->result_known)
		strcat(caption, "?");
	else if (rec->result < 0 && rec->err[0] != '\0')
		snprintf(caption + strlen(caption), sizeof(caption) - strlen(caption),
		    "-1 %s", rec->err);
	else
		snprintf(caption + strlen(caption), sizeof(caption) - strlen(caption),
		    rec->result > 4096 ? "0x%" PRIx64 : "%" PRId64, rec->result);
	if (add_step(rp, caption, false, false))
		thin(rp);
}

void replay_html_event(struct replay *rp, const char *caption)
{
	if (rp->pic != NULL && add_step(rp, caption, true, false))
		thin(rp);
}

bool replay_html_finish(struct replay *rp)
{
	bool ok;

	if (rp->pic == NULL)
		return true;
	ok = add_step(rp, "end of the trace: the last address space of every process", true,
	    true);
	if (ok && !picture_write(rp->pic, rp->o.html)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", tool_progname, rp->o.html,
		    strerror(errno));
		ok = false;
	}
	picture_free(rp->pic);
	rp->pic = NULL;
	free(rp->html_sticky);
	return ok;
}
