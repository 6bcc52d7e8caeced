/*
 * demo.c - "bsdvm demo": the map engine at work on a built-in example.
 *
 * One map for a 47-bit user address space gets a program's text, data,
 * heap and stack, then one mapping from each way of finding space, then a
 * protection change that splits an entry and one that merges it back, then
 * an unmap across entries and holes.  After every step the map is listed,
 * its counters printed and vm_map_check() run.  Every result is compared
 * with the expected one, so the demo doubles as a smoke test: any surprise
 * makes it exit 1.  Nothing printed depends on the host (no pointers, no
 * times), so the output is the same on every run.
 */
#include <inttypes.h>

#include "commands.h"
#include "narrate.h"
#include "report.h"

#define DEMO_PID 100 /* procstat's PID column */
#define KIB ((bsdvm_size_t)1024)
#define MIB (1024 * KIB)

/* The example's layout. */
#define USER_MIN   ((bsdvm_addr_t)0x10000)
#define USER_MAX   ((bsdvm_addr_t)0x800000000000)
#define TEXT       ((bsdvm_addr_t)0x400000)
#define DATA       ((bsdvm_addr_t)0x404000)
#define DATA_END   ((bsdvm_addr_t)0x406000)
#define HEAP       ((bsdvm_addr_t)0x600000)
#define HEAP_END   ((bsdvm_addr_t)0x640000)
#define HEAP_GROWN ((bsdvm_addr_t)0x650000)
#define STACK_GAP  ((bsdvm_addr_t)0x7ffffffdf000)
#define STACK      ((bsdvm_addr_t)0x7ffffffe0000)
#define MMAP_BASE  ((bsdvm_addr_t)0x7f0000000000)
#define ADDR_2G    ((bsdvm_addr_t)0x80000000)

static struct bsdvm_entry_attrs anon_rw(void)
{
	return bsdvm_attrs_anon(VM_PROT_RW, VM_PROT_ALL);
}

static bool step_create(struct narrator *n)
{
	struct bsdvm_map_params p = { USER_MIN, USER_MAX, 4 * KIB, 0, 0, NULL };
	char what[160], sp[32];

	narrate_step(n, "Create a map",
	    "  One window for a 47-bit user address space, 4 KiB pages, bottom-up by default.\n");
	snprintf(what, sizeof(what), "create   min %#" PRIx64 ", max %#" PRIx64 ", page 4 KiB",
	    p.min, p.max);
	if (!narrate_kern(n, what, bsdvm_map_create(&p, &n->map), KERN_SUCCESS))
		return false;
	fprintf(n->out, "  superpage size %s (the default)\n",
	    report_size(bsdvm_map_superpage_size(n->map), sp, sizeof(sp)));
	return narrate_show(n);
}

static bool step_program(struct narrator *n)
{
	struct bsdvm_entry_attrs text = bsdvm_attrs_anon(VM_PROT_READ | VM_PROT_EXECUTE,
	    VM_PROT_ALL);
	struct bsdvm_entry_attrs data = anon_rw(), heap = anon_rw();

	narrate_step(n, "Map a program: text, data and heap",
	    "  Text and data are private (copy-on-write) mappings of the program; they touch\n"
	    "  but differ in protection, so they stay two entries.  The heap is anonymous.\n");
	text.eflags = data.eflags = MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY;
	return narrate_insert(n, TEXT, DATA, &text, "/usr/bin/demo") &&
	    narrate_insert(n, DATA, DATA_END, &data, "/usr/bin/demo") &&
	    narrate_insert(n, HEAP, HEAP_END, &heap, "[heap]") &&
	    narrate_u64(n, "entries", narrate_nentries(n->map), 3) && narrate_show(n);
}

static bool step_stack(struct narrator *n)
{
	struct bsdvm_entry_attrs gap = bsdvm_attrs_anon(VM_PROT_NONE, VM_PROT_NONE);
	struct bsdvm_entry_attrs stack = anon_rw();

	narrate_step(n, "Map the stack and its guard",
	    "  A stack that grows down, with a guard entry below it (no access, no memory).\n");
	gap.eflags = MAP_ENTRY_GUARD | MAP_ENTRY_STACK_GAP_DN;
	stack.eflags = MAP_ENTRY_GROWS_DOWN;
	return narrate_insert(n, STACK_GAP, STACK, &gap, NULL) &&
	    narrate_insert(n, STACK, USER_MAX, &stack, NULL) &&
	    narrate_u64(n, "entries", narrate_nentries(n->map), 5) && narrate_show(n);
}

static bool step_brk(struct narrator *n)
{
	struct bsdvm_entry_attrs heap = anon_rw();
	uint64_t before = narrate_nentries(n->map);

	narrate_step(n, "Grow the heap (brk)",
	    "  A mapping right after the heap with the same attributes merges into it:\n"
	    "  the heap entry grows and the entry count stays the same.\n");
	if (!narrate_insert(n, HEAP_END, HEAP_GROWN, &heap, "[heap]"))
		return false;
	fprintf(n->out, "  entries %" PRIu64 " -> %" PRIu64 "\n", before, narrate_nentries(n->map));
	return narrate_u64(n, "entries", narrate_nentries(n->map), before) && narrate_show(n);
}

static bool step_first_fit(struct narrator *n)
{
	struct bsdvm_space_req req = { TEXT, 64 * KIB, 0, 0, 0, BSDVM_SPACE_BOTTOMUP };
	struct bsdvm_entry_attrs a = anon_rw();
	bsdvm_addr_t addr;

	narrate_step(n, "Find space: first fit from a hint",
	    "  The lowest free range at or above the hint.  The hint lies inside the text,\n"
	    "  so the search moves on to the first gap after it that is big enough.\n");
	return narrate_findspace(n, &req, KERN_SUCCESS, DATA_END, &addr) &&
	    narrate_insert(n, addr, addr + req.length, &a, "[anon:first-fit]") &&
	    narrate_show(n);
}

static bool step_top_down(struct narrator *n)
{
	struct bsdvm_space_req req = { MMAP_BASE, 1 * MIB, 0, 0, 0, BSDVM_SPACE_TOPDOWN };
	struct bsdvm_entry_attrs a = anon_rw();
	bsdvm_addr_t first, second;

	narrate_step(n, "Find space: top-down from a hint",
	    "  The highest free range starting at or below the hint, as mmap does below\n"
	    "  its base.  Asked twice: the second lands just below the first and merges\n"
	    "  with it.  Then both are marked shared for fork (listed as 's').\n");
	return narrate_findspace(n, &req, KERN_SUCCESS, MMAP_BASE, &first) &&
	    narrate_insert(n, first, first + req.length, &a, "[anon:top-down]") &&
	    narrate_findspace(n, &req, KERN_SUCCESS, MMAP_BASE - req.length, &second) &&
	    narrate_insert(n, second, second + req.length, &a, "[anon:top-down]") &&
	    narrate_inherit(n, second, first + req.length, VM_INHERIT_SHARE) &&
	    narrate_u64(n, "entries there", narrate_entries_in(n->map, second,
	    first + req.length), 1) && narrate_show(n);
}

static bool step_aligned(struct narrator *n)
{
	bsdvm_size_t sp = bsdvm_map_superpage_size(n->map);
	struct bsdvm_space_req req = { TEXT, 2 * sp, sp, 0, 0, BSDVM_SPACE_BOTTOMUP };
	struct bsdvm_entry_attrs a = anon_rw();
	bsdvm_addr_t addr;

	narrate_step(n, "Find space: aligned to a superpage",
	    "  First fit again, but the start must be a multiple of 2 MiB so that the\n"
	    "  range can be backed by superpages.  The gaps below the heap are too small,\n"
	    "  and the first aligned start after the heap is 0x800000.\n");
	return narrate_findspace(n, &req, KERN_SUCCESS, 0x800000, &addr) &&
	    narrate_insert(n, addr, addr + req.length, &a, "[anon:superpage]") &&
	    narrate_show(n);
}

static bool step_bounded(struct narrator *n)
{
	struct bsdvm_space_req low = { TEXT, 4 * MIB, 0, 0, 0x800000, BSDVM_SPACE_BOTTOMUP };
	struct bsdvm_space_req below2g = { 0, 64 * KIB, 0, 0, ADDR_2G, BSDVM_SPACE_TOPDOWN };
	struct bsdvm_entry_attrs a = anon_rw();
	bsdvm_addr_t addr;

	narrate_step(n, "Find space: bounded by max_end",
	    "  The range must end at or below max_end.  4 MiB below 0x800000 does not fit\n"
	    "  (refused, map unchanged); 64 KiB top-down below 2 GiB (like MAP_32BIT) does.\n");
	return narrate_findspace(n, &low, KERN_NO_SPACE, 0, &addr) &&
	    narrate_findspace(n, &below2g, KERN_SUCCESS, ADDR_2G - below2g.length, &addr) &&
	    narrate_insert(n, addr, addr + below2g.length, &a, "[anon:below-2g]") &&
	    narrate_show(n);
}

/* Sets the protection of 64 KiB inside the heap; want: heap entries after. */
static bool protect_heap(struct narrator *n, bsdvm_prot_t prot, unsigned want)
{
	unsigned before = narrate_entries_in(n->map, HEAP, HEAP_GROWN), after;

	if (!narrate_protect(n, HEAP + 64 * KIB, HEAP + 128 * KIB, prot))
		return false;
	after = narrate_entries_in(n->map, HEAP, HEAP_GROWN);
	fprintf(n->out, "  entries covering the heap %#" PRIx64 "-%#" PRIx64 ": %u -> %u\n", HEAP,
	    HEAP_GROWN, before, after);
	return narrate_u64(n, "heap entries", after, want) && narrate_show(n);
}

static bool step_protect_split(struct narrator *n)
{
	narrate_step(n, "Protect part of the heap: the entry splits",
	    "  Making 64 KiB in the middle of the heap read-only clips the entry at both\n"
	    "  ends of the range.\n");
	return protect_heap(n, VM_PROT_READ, 3);
}

static bool step_protect_merge(struct narrator *n)
{
	narrate_step(n, "Protect it back: the pieces merge",
	    "  With the old protection restored the three pieces are alike again and\n"
	    "  coalesce into one entry.\n");
	return protect_heap(n, VM_PROT_RW, 1);
}

static bool step_unmap(struct narrator *n)
{
	uint64_t before = narrate_nentries(n->map);

	narrate_step(n, "Unmap across entries and holes",
	    "  One range from inside the text to inside the superpage mapping: both ends\n"
	    "  are clipped, everything between (data, first fit, heap, two holes) goes.\n");
	if (!narrate_delete(n, TEXT + 12 * KIB, 0x900000))
		return false;
	fprintf(n->out, "  entries %" PRIu64 " -> %" PRIu64 "\n", before, narrate_nentries(n->map));
	return narrate_u64(n, "entries", narrate_nentries(n->map), before - 3) &&
	    narrate_show(n);
}

static bool (*const steps[])(struct narrator *) = {
	step_create, step_program, step_stack, step_brk, step_first_fit, step_top_down,
	step_aligned, step_bounded, step_protect_split, step_protect_merge, step_unmap,
};

int cmd_demo(int argc, char **argv, struct tool_opts *opts)
{
	struct narrator n;
	char *pos[1];
	size_t i;
	int npos, rv = cli_parse(argc, argv, opts, pos, 0, &npos);

	if (rv != TOOL_EXIT_OK)
		return rv;
	narrate_init(&n, stdout, opts->format, DEMO_PID);
	printf("bsdvm %s demo: the map engine at work, step by step.\n", bsdvm_version_string());
	printf("Each step lists the map (format: %s), its counters, and runs vm_map_check().\n",
	    listing_format_name(opts->format));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (!steps[i](&n)) {
			rv = TOOL_EXIT_FAIL;
			break;
		}
	}
	if (rv == TOOL_EXIT_OK)
		printf("\ndemo: %d steps, %d checks, all passed\n", n.step, n.checks);
	else
		printf("\ndemo: FAILED at step %d\n", n.step);
	if (n.map != NULL)
		bsdvm_map_destroy(n.map);
	narrate_fini(&n);
	return rv;
}
