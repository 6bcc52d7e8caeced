/*
 * scenario_show.c - maps, counters and checks of a world, as text.
 */
#include <inttypes.h>

#include "report.h"
#include "scenario_show.h"

static void space_header(struct world *w, const struct world_space *sp)
{
	if (sp->proc != NULL)
		fprintf(w->out, "-- %s (pid %d)\n", sp->name, sp->pid);
	else
		fprintf(w->out, "-- %s\n", sp->name);
}

/* One vm_map_check() of sp, counted; prints the result when verbose or
 * when it failed. */
static bool check_space(struct world *w, struct world_space *sp, bool verbose)
{
	bool ok;

	w->checks++;
	if (verbose) {
		ok = report_check(w->out, world_map(sp));
	} else {
		ok = vm_map_check(world_map(sp));
		if (!ok) {
			fprintf(w->out, "%s: ", sp->name);
			report_check(w->out, world_map(sp)); /* again, for the reason */
		}
	}
	if (!ok)
		w->check_failures++;
	return ok;
}

bool show_space(struct world *w, struct world_space *sp)
{
	struct listing_namer namer = world_namer(sp);
	struct bsdvm_map_stats st;

	space_header(w, sp);
	bsdvm_map_get_stats(world_map(sp), &st);
	if (st.nentries == 0 && w->format == LISTING_MAPS)
		fprintf(w->out, "  (the map is empty)\n");
	else
		listing_print_named(w->out, world_map(sp), w->format, sp->pid, &namer);
	report_stats(w->out, world_map(sp));
	return check_space(w, sp, true);
}

bool show_world(struct world *w)
{
	bool ok = true;
	size_t i;

	if (w->n == 0)
		fprintf(w->out, "(no address spaces)\n");
	for (i = 0; i < w->n; i++)
		ok = show_space(w, w->v[i]) && ok;
	show_counters(w);
	return ok;
}

void show_counters(struct world *w)
{
	struct bsdvm_sys_stats st;

	if (w->sys == NULL) {
		fprintf(w->out, "memory: no system yet\n");
		return;
	}
	bsdvm_sys_get_stats(w->sys, &st);
	fprintf(w->out, "memory: frames %" PRIu64 ", resident %" PRIu64 ", free %" PRIu64
	    ", wired %" PRIu64 ", swap used %" PRIu64 " of %" PRIu64 "\n", st.frames,
	    st.resident, st.free, st.wired, st.swap_used, st.swap_total);
	fprintf(w->out, "events: faults %" PRIu64 ", zero-fills %" PRIu64 ", cow copies %" PRIu64
	    ", cow takeovers %" PRIu64 ", pageouts %" PRIu64 ", pageins %" PRIu64
	    ", file reads %" PRIu64 "\n", st.faults, st.zero_fills, st.cow_copies,
	    st.cow_takeovers, st.pageouts, st.pageins, st.file_reads);
}

bool show_check_all(struct world *w)
{
	bool ok = true;
	size_t i;

	for (i = 0; i < w->n; i++)
		ok = check_space(w, w->v[i], false) && ok;
	return ok;
}

bool show_leaks(struct world *w)
{
	struct bsdvm_sys_stats st;
	bool clean;

	bsdvm_sys_get_stats(w->sys, &st);
	/* the kernel's own vmspace lives as long as the system */
	clean = st.resident == 0 && st.wired == 0 && st.swap_used == 0 && st.anons == 0 &&
	    st.amaps == 0 && st.objects == 0 && st.vmspaces == 1 && st.free == st.frames;
	fprintf(w->out, "leaks: %s (resident %" PRIu64 ", wired %" PRIu64 ", swap used %" PRIu64
	    ", anons %" PRIu64 ", amaps %" PRIu64 ", objects %" PRIu64 ", vmspaces %" PRIu64
	    ": the kernel's)\n", clean ? "none" : "FOUND", st.resident, st.wired, st.swap_used,
	    st.anons, st.amaps, st.objects, st.vmspaces);
	return clean;
}
