/*
 * map_model.h - a reference model of the map engine for property tests.
 *
 * The model keeps one record per page of a small map window and implements
 * every engine operation by the most direct means possible: loops over
 * pages, linear scans for free space, no trees, no entry merging.  It is
 * written from the contract in bsdvm/map.h, not from the engine's code, so
 * that a disagreement points at one of the two.  Entries do not exist in
 * the model: the engine may split and merge as it likes, and the state is
 * compared page by page.  The one exception is unsplittable entries, whose
 * extent is part of the observable behaviour (they refuse to split); every
 * page of one carries the id of the insert that created it.
 *
 * Where map.h leaves a choice open, the model's reading is stated at the
 * function that makes it, and a few readings that the engine may dispute
 * are switches in struct map_model_opts.
 */
#ifndef BSDVM_MAP_MODEL_H
#define BSDVM_MAP_MODEL_H

#include <bsdvm/bsdvm.h>

/* What one page of the window looks like. */
struct model_page {
	uint8_t mapped;
	bsdvm_prot_t prot, maxprot;
	bsdvm_inherit_t inherit;
	uint8_t advice;
	uint32_t eflags;
	uint32_t unit;            /* unsplittable entry id, 0 = not unsplittable */
	struct vm_object *object;
	bsdvm_off_t offset;       /* object offset of this page; 0 without object */
};

/*
 * Readings of map.h that are open to dispute.  Each defaults to the most
 * literal reading of the header; the comment says what the alternative is.
 */
struct map_model_opts {
	/*
	 * map.h, protect: "Every requested bit must be within each entry's
	 * maximum".  A plain guard's maximum is NONE, so literally any
	 * requested bit over one is KERN_PROTECTION_FAILURE (false).  FreeBSD
	 * skips plain guards in mprotect (true).
	 */
	bool protect_skips_guards;
	/*
	 * map.h, range operations: "start == end inside the map succeeds".
	 * For check_protection that reads as true for an empty well-formed
	 * range (true).  FreeBSD answers "is start mapped" instead (false: then
	 * the model answers "start lies in a page whose protection includes
	 * prot").
	 */
	bool checkprot_empty_true;
};

struct map_model {
	bsdvm_addr_t min, max;
	bsdvm_size_t page_size;
	bsdvm_size_t npages;
	uint32_t flags;           /* BSDVM_MAP_* */
	uint32_t next_unit;
	struct model_page *pages;
	uint32_t *run;            /* scratch: free pages from each page on */
	struct map_model_opts opts;
};

/* The model of an empty map with these parameters (already validated by
 * bsdvm_map_create).  Exits on allocation failure. */
void model_init(struct map_model *m, const struct bsdvm_map_params *p,
    const struct map_model_opts *opts);
void model_fini(struct map_model *m);

/* Page index of a page-aligned address inside [min, max). */
static inline bsdvm_size_t model_index(const struct map_model *m, bsdvm_addr_t a)
{
	return (a - m->min) / m->page_size;
}
static inline bsdvm_addr_t model_addr(const struct map_model *m, bsdvm_size_t i)
{
	return m->min + i * m->page_size;
}
/* The page holding addr, or NULL outside the window (addr need not be aligned). */
const struct model_page *model_page_at(const struct map_model *m, bsdvm_addr_t addr);

/* The engine's operations, with the same arguments and return codes. */
int model_insert(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *a);
int model_fixed(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *a);
int model_findspace(const struct map_model *m, const struct bsdvm_space_req *req,
    bsdvm_addr_t *addrp);
int model_find(struct map_model *m, const struct bsdvm_space_req *req,
    const struct bsdvm_entry_attrs *a, bsdvm_addr_t *addrp);
int model_delete(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end);
int model_protect(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_prot_t prot, bsdvm_prot_t maxprot, uint32_t flags);
int model_inherit(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_inherit_t inh);
int model_madvise(struct map_model *m, bsdvm_addr_t start, bsdvm_addr_t end, int advice);
bool model_check_protection(const struct map_model *m, bsdvm_addr_t start,
    bsdvm_addr_t end, bsdvm_prot_t prot);

/*
 * Public clip at addr of the entry that holds page x (x mapped): what
 * bsdvm_map_clip_start/clip_end must return.  The state never changes.
 */
int model_clip(const struct map_model *m, bsdvm_addr_t x, bsdvm_addr_t addr);

/* The extent [*s, *e) of the unsplittable entry holding mapped page a;
 * false when a is not in one. */
bool model_unit_extent(const struct map_model *m, bsdvm_addr_t a, bsdvm_addr_t *s,
    bsdvm_addr_t *e);

/* Mapped bytes, guards excluded (bsdvm_map_stats.size). */
bsdvm_size_t model_size(const struct map_model *m);
/* The longest run of free pages, in bytes (bsdvm_map_largest_gap). */
bsdvm_size_t model_largest_gap(const struct map_model *m);
/* Fraction of pages mapped, in 1/1024ths. */
unsigned model_fill(const struct map_model *m);

/*
 * Compares the engine's map with the model over the pages of [lo, hi)
 * (clamped to the window): mapped or not, protections, inheritance,
 * advice, flags, object and per-page offset, wiring, and that unsplittable
 * entries have exactly the model's extent.  Returns true when all agree;
 * otherwise writes the first differing page and field to why.
 */
bool model_compare_range(const struct map_model *m, struct vm_map *map,
    bsdvm_addr_t lo, bsdvm_addr_t hi, char *why, size_t whylen);
/* The whole window, plus the map's size and largest-gap statistics. */
bool model_compare(const struct map_model *m, struct vm_map *map, char *why, size_t whylen);
/*
 * bsdvm_map_lookup_entry (under the read lock) and bsdvm_map_query at
 * addr, any value, aligned or not, inside the window or not.
 */
bool model_compare_lookup(const struct map_model *m, struct vm_map *map,
    bsdvm_addr_t addr, char *why, size_t whylen);

#endif /* BSDVM_MAP_MODEL_H */
