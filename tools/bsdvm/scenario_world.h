/*
 * scenario_world.h - one simulated machine as the demo and scenarios see
 * it: a system (frame pool, swap, kernel map) and a list of named address
 * spaces, each a process (or the kernel's vmspace) with labels that name
 * its ranges in listings.
 *
 * Both "bsdvm demo" and "bsdvm run" drive the library through a world, so
 * the two print maps, counters and checks in exactly the same way
 * (scenario_show.h) and draw the same pictures (scenario_html.h).
 */
#ifndef BSDVM_TOOL_SCENARIO_WORLD_H
#define BSDVM_TOOL_SCENARIO_WORLD_H

#include <stdbool.h>
#include <stdio.h>

#include <bsdvm/bsdvm.h>
#include <bsdvm/vmspace.h>

#include "labels.h"
#include "listing.h"

/* The name of the kernel's address space in listings and scenarios. */
#define WORLD_KERNEL "kernel"
/* The first process gets this pid, the next one more, and so on. */
#define WORLD_FIRST_PID 100

struct world_space {
	char *name;           /* "p1", "kernel" */
	int pid;              /* procstat's PID column; 0 for the kernel */
	struct proc *proc;    /* NULL for the kernel */
	struct vmspace *vm;   /* the process's, or the kernel's */
	bsdvm_addr_t min, max;/* the window it was created with (for exec) */
	struct labels labels; /* names for its ranges */
};

struct world {
	FILE *out;
	enum listing_format format;
	struct bsdvm_sys *sys;   /* NULL until world_boot() */
	struct world_space **v;  /* in creation order */
	size_t n, cap;
	int next_pid;
	unsigned checks;         /* vm_map_check() runs */
	unsigned check_failures;
};

void world_init(struct world *w, FILE *out, enum listing_format format);
/* Creates the system; a KERN_* code. */
int world_boot(struct world *w, const struct bsdvm_sys_params *params);

/*
 * Adds a process named name that uses vm (NULL: a new vmspace for the
 * default user window), taking its own reference on vm.  *spp (if not NULL)
 * gets the new space.  A KERN_* code.
 */
int world_add_proc(struct world *w, const char *name, struct vmspace *vm,
    struct world_space **spp);
/* Adds the kernel's vmspace under WORLD_KERNEL (once); NULL if out of memory. */
struct world_space *world_add_kernel(struct world *w);
/* The space called name, or NULL. */
struct world_space *world_find(struct world *w, const char *name);
/* Ends a process (bsdvm_proc_destroy) or forgets the kernel, and frees sp. */
void world_remove(struct world *w, struct world_space *sp);
/* Removes every space, newest first. */
void world_remove_all(struct world *w);
/* Destroys the system (every space must be gone). */
void world_shutdown(struct world *w);

struct vm_map *world_map(const struct world_space *sp);

/*
 * Labels: label_range() names [start, end) (name copied); unlabel_range()
 * hides older labels there, so that a range unmapped and mapped again
 * without a name shows the listing's own pseudo-name.  False if out of
 * memory.  world_namer() answers listing_print_named() from sp's labels.
 */
bool world_label(struct world_space *sp, bsdvm_addr_t start, bsdvm_addr_t end,
    const char *name);
bool world_unlabel(struct world_space *sp, bsdvm_addr_t start, bsdvm_addr_t end);
struct listing_namer world_namer(struct world_space *sp);
/* Copies every label of from to to (a forked child keeps its names). */
bool world_copy_labels(struct world_space *to, const struct world_space *from);

#endif /* BSDVM_TOOL_SCENARIO_WORLD_H */
