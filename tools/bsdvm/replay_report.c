/*
 * replay_report.c - what a replay prints: every process's final address
 * space, counters, and the calls whose result in bsdvm differs from the
 * recorded one.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "narrate.h"
#include "replay.h"
#include "report.h"

/* A call's text in a mismatch line is cut at this length. */
#define CALL_TEXT_MAX 160

struct rstat *replay_stat(struct replay *rp, const char *name)
{
	size_t i, n = strlen(name) + 1;

	for (i = 0; i < rp->nstats; i++) {
		if (strcmp(rp->stats[i].name, name) == 0)
			return &rp->stats[i];
	}
	if (rp->nstats == rp->capstats) {
		size_t cap = rp->capstats ? 2 * rp->capstats : 32;
		struct rstat *v = realloc(rp->stats, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		rp->stats = v;
		rp->capstats = cap;
	}
	memset(&rp->stats[rp->nstats], 0, sizeof(*rp->stats));
	rp->stats[rp->nstats].name = malloc(n);
	if (rp->stats[rp->nstats].name == NULL)
		return NULL;
	memcpy(rp->stats[rp->nstats].name, name, n);
	return &rp->stats[rp->nstats++];
}

bool replay_round(const struct replay *rp, uint64_t len, uint64_t *out)
{
	uint64_t mask = rp->o.page_size - 1;

	if (len > UINT64_MAX - mask)
		return false;
	*out = (len + mask) & ~mask;
	return true;
}

bool replay_aligned(const struct replay *rp, uint64_t addr)
{
	return (addr & (rp->o.page_size - 1)) == 0;
}

static void keep_line(struct replay *rp, char *line)
{
	if (rp->nmm == rp->capmm) {
		size_t cap = rp->capmm ? 2 * rp->capmm : 16;
		char **v = realloc(rp->mm_lines, cap * sizeof(*v));

		if (v == NULL) {
			free(line);
			return;
		}
		rp->mm_lines = v;
		rp->capmm = cap;
	}
	rp->mm_lines[rp->nmm++] = line;
}

/* "FILE:LINE: pid N: " plus the text; kept while fewer than --show. */
static void vmismatch(struct replay *rp, const struct strace_rec *rec, const char *call,
    const char *fmt, va_list ap)
{
	char head[CALL_TEXT_MAX + 512], why[256], *line;
	size_t n;

	rp->mismatches++;
	if (rp->nmm >= rp->o.show)
		return;
	vsnprintf(why, sizeof(why), fmt, ap);
	snprintf(head, sizeof(head), "%s:%lu: pid %ld: %s", rp->o.trace, rec->line, rec->pid,
	    call);
	n = strlen(head) + strlen(why) + 8;
	line = malloc(n);
	if (line == NULL)
		return;
	snprintf(line, n, "%s\n    %s", head, why);
	keep_line(rp, line);
}

void replay_mismatch(struct replay *rp, struct rcall *c, const char *fmt, ...)
{
	char call[CALL_TEXT_MAX + 192], result[64];
	va_list ap;

	c->stat->mismatches++;
	if (!c->rec->result_known)
		snprintf(result, sizeof(result), "?");
	else if (c->rec->result < 0 && c->rec->err[0] != '\0')
		snprintf(result, sizeof(result), "%" PRId64 " %s", c->rec->result, c->rec->err);
	else if (c->rec->result > 4096 || c->rec->result < -4096)
		snprintf(result, sizeof(result), "0x%" PRIx64, (uint64_t)c->rec->result);
	else
		snprintf(result, sizeof(result), "%" PRId64, c->rec->result);
	snprintf(call, sizeof(call), "%s(%.*s%s) = %s", c->rec->name, CALL_TEXT_MAX,
	    c->rec->args, strlen(c->rec->args) > CALL_TEXT_MAX ? "..." : "", result);
	va_start(ap, fmt);
	vmismatch(rp, c->rec, call, fmt, ap);
	va_end(ap);
}

void replay_mismatch_rec(struct replay *rp, const struct strace_rec *rec, const char *fmt, ...)
{
	char call[CALL_TEXT_MAX + 64];
	va_list ap;

	snprintf(call, sizeof(call), "--- %s %.*s ---", rec->name, CALL_TEXT_MAX, rec->args);
	va_start(ap, fmt);
	vmismatch(rp, rec, call, fmt, ap);
	va_end(ap);
}

/* ---- the report ---- */

static const char *proc_state(const struct rproc *p, char *buf, size_t len)
{
	switch (p->state) {
	case RPROC_EXITED:
		snprintf(buf, len, "exited with %ld", p->status);
		break;
	case RPROC_KILLED:
		snprintf(buf, len, "killed by %s", p->signame != NULL ? p->signame : "?");
		break;
	default:
		snprintf(buf, len, "still running at the end of the trace");
		break;
	}
	return buf;
}

static bool print_process(struct replay *rp, const struct rproc *p)
{
	struct listing_namer namer = ras_namer(p->as);
	struct vm_map *map = ras_map(p->as);
	char state[64];

	printf("\n== process %ld", p->pid);
	if (p->exe[0] != '\0')
		printf(": %s", p->exe);
	printf(" (%s", proc_state(p, state, sizeof(state)));
	if (p->ppid != 0)
		printf(", child of %ld", p->ppid);
	printf(")\n");
	if (narrate_nentries(map) == 0 && rp->o.format == LISTING_MAPS)
		printf("  (the address space is empty)\n");
	else
		listing_print_named(stdout, map, rp->o.format, (int)p->pid, &namer);
	report_stats(stdout, map);
	return report_check(stdout, map);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct rstat *)a)->name, ((const struct rstat *)b)->name);
}

enum counter { C_APPLIED, C_FAILED, C_UNKNOWN, C_IGNORED, C_CALLS };

static unsigned long counter(const struct rstat *s, enum counter which)
{
	switch (which) {
	case C_APPLIED: return s->applied;
	case C_FAILED: return s->failed;
	case C_UNKNOWN: return s->unknown;
	case C_IGNORED: return s->ignored;
	default: return s->calls;
	}
}

/* "title: name N, name N" over the names known (or not), sorted by name. */
static void print_counts(struct replay *rp, const char *title, enum counter which, bool known)
{
	size_t i;
	int n = 0;

	printf("%s:", title);
	for (i = 0; i < rp->nstats; i++) {
		const struct rstat *s = &rp->stats[i];
		unsigned long v = counter(s, which);

		if (v == 0 || s->known != known)
			continue;
		printf("%s %s %lu", n++ ? "," : "", s->name, v);
	}
	printf("%s\n", n ? "" : " none");
}

static void print_totals(struct replay *rp)
{
	struct bsdvm_map_stats sum = rp->dead, st;
	struct bsdvm_sys_stats ss;
	bsdvm_size_t gap = 0;
	uint64_t entries = 0;
	struct ras *as;
	char size[32];

	for (as = rp->spaces; as != NULL; as = as->next) {
		bsdvm_map_get_stats(ras_map(as), &st);
		entries += st.nentries;
		sum.inserts += st.inserts;
		sum.removes += st.removes;
		sum.splits += st.splits;
		sum.merges += st.merges;
		if (st.largest_gap > gap)
			gap = st.largest_gap;
	}
	bsdvm_sys_get_stats(rp->sys, &ss);
	printf("engine: entries %" PRIu64 ", inserts %" PRIu64 ", removes %" PRIu64
	    ", splits %" PRIu64 ", merges %" PRIu64 ", faults %" PRIu64 ", wired pages %" PRIu64
	    "\n", entries, sum.inserts, sum.removes, sum.splits, sum.merges, ss.faults, ss.wired);
	printf("largest free gap: %s (0x%" PRIx64 ")\n", report_size(gap, size, sizeof(size)), gap);
}

static void print_summary(struct replay *rp)
{
	size_t i;

	printf("\n== summary\n");
	printf("trace: %s, %lu records", rp->o.trace, rp->records);
	if (rp->resumed_only)
		printf(", %lu resumed calls whose start was not in the trace", rp->resumed_only);
	printf("\n");
	printf("processes %zu, threads %lu, address spaces %u, execve %lu (%lu failed)\n",
	    rp->nprocs, rp->threads_made, rp->nspaces, rp->execs_ok, rp->execs_failed);
	print_counts(rp, "replayed", C_APPLIED, true);
	print_counts(rp, "failed in the trace (not applied)", C_FAILED, true);
	print_counts(rp, "outcome unknown (= ?)", C_UNKNOWN, true);
	print_counts(rp, "no effect on the map", C_IGNORED, true);
	print_counts(rp, "unknown syscalls", C_CALLS, false);
	printf("unknown ranges: %lu (calls on memory the trace never showed being mapped)\n",
	    rp->unknown_ranges);
	if (rp->unreadable)
		printf("unreadable calls: %lu\n", rp->unreadable);
	if (rp->unfinished)
		printf("calls never finished: %lu\n", rp->unfinished);
	if (rp->orphans)
		printf("threads without a clone in the trace: %lu\n", rp->orphans);
	if (rp->wire_failures)
		printf("MAP_LOCKED / MCL_FUTURE wirings that failed: %lu\n", rp->wire_failures);
	print_totals(rp);
	printf("signals checked: %lu (%lu agree)\n", rp->sig_checked, rp->sig_agree);
	printf("result mismatches: %lu\n", rp->mismatches);
	for (i = 0; i < rp->nmm; i++)
		printf("  %s\n", rp->mm_lines[i]);
	if (rp->mismatches > rp->nmm)
		printf("  ... %lu more (--show N prints more)\n", rp->mismatches - rp->nmm);
}

int replay_report(struct replay *rp)
{
	bool ok = true;
	size_t i;

	printf("bsdvm replay of %s: placement %s, page size %" PRIu64 ", window 0x%" PRIx64
	    "-0x%" PRIx64 "\n", rp->o.trace,
	    rp->o.place == PLACE_FIXED ? "fixed" : rp->o.place == PLACE_FIRST_FIT ? "first-fit"
	    : rp->o.place == PLACE_TOP_DOWN ? "top-down" : "random",
	    rp->o.page_size, rp->min, rp->max);
	if (rp->o.maps0 != NULL)
		printf("seed: %s: %u mappings, %u skipped%s\n", rp->o.maps0, rp->seed_used,
		    rp->seed_skipped, rp->seed_pending ? " (never applied: no execve)" : "");
	for (i = 0; i < rp->nprocs; i++)
		ok &= print_process(rp, rp->procs[i]);
	if (rp->nstats > 0) /* an empty trace has no table to sort */
		qsort(rp->stats, rp->nstats, sizeof(*rp->stats), by_name);
	print_summary(rp);
	if (!ok)
		return TOOL_EXIT_FAIL;
	return rp->o.strict && rp->mismatches > 0 ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
}

void replay_report_free(struct replay *rp)
{
	size_t i;

	for (i = 0; i < rp->nstats; i++)
		free(rp->stats[i].name);
	for (i = 0; i < rp->nmm; i++)
		free(rp->mm_lines[i]);
	free(rp->stats);
	free(rp->mm_lines);
}
