/*
 * scenario_show.h - what the demo and scenarios print about a world: each
 * space's map in the chosen listing format with its counters and the
 * result of vm_map_check(), the system's memory counters, and the final
 * leak check.
 */
#ifndef BSDVM_TOOL_SCENARIO_SHOW_H
#define BSDVM_TOOL_SCENARIO_SHOW_H

#include <stdbool.h>

#include "scenario_world.h"

/* "-- p1 (pid 100)", the listing, "stats: ...", "check: ok"; false if
 * the check failed. */
bool show_space(struct world *w, struct world_space *sp);
/* show_space() for every space (or "(no address spaces)"), then the
 * memory counters; false if any check failed. */
bool show_world(struct world *w);
/* The system's counters in two lines ("memory: ...", "events: ..."). */
void show_counters(struct world *w);
/* Runs vm_map_check() on every space, printing only failures; false if
 * any failed. */
bool show_check_all(struct world *w);
/*
 * After every space is gone and every object released: prints "leaks: none"
 * and returns true when no page, swap slot, anon, amap or object is left
 * and only the kernel's vmspace lives; else prints what is left.
 */
bool show_leaks(struct world *w);

#endif /* BSDVM_TOOL_SCENARIO_SHOW_H */
