/*
 * narrate.c - engine calls told as they happen, checked against what was
 * expected.
 */
#include <inttypes.h>

#include "names.h"
#include "narrate.h"
#include "report.h"

void narrate_init(struct narrator *n, FILE *out, enum listing_format format, int pid)
{
	struct labels empty = LABELS_INIT;

	n->out = out;
	n->map = NULL;
	n->format = format;
	n->pid = pid;
	n->step = 0;
	n->checks = 0;
	n->labels = empty;
}

void narrate_fini(struct narrator *n)
{
	labels_free(&n->labels);
}

void narrate_step(struct narrator *n, const char *title, const char *text)
{
	fprintf(n->out, "\n== %d. %s\n", ++n->step, title);
	if (text != NULL)
		fputs(text, n->out);
}

bool narrate_kern(struct narrator *n, const char *what, int got, int want)
{
	fprintf(n->out, "  %s = %s\n", what, bsdvm_kern_name(got));
	if (got == want)
		return true;
	fprintf(n->out, "expectation failed: wanted %s\n", bsdvm_kern_name(want));
	return false;
}

bool narrate_u64(struct narrator *n, const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return true;
	fprintf(n->out, "expectation failed: %s is 0x%" PRIx64 ", wanted 0x%" PRIx64 "\n", what,
	    got, want);
	return false;
}

bool narrate_show(struct narrator *n)
{
	struct listing_namer namer = labels_namer(&n->labels);

	if (narrate_nentries(n->map) == 0 && n->format == LISTING_MAPS)
		fprintf(n->out, "  (the map is empty)\n");
	else
		listing_print_named(n->out, n->map, n->format, n->pid, &namer);
	report_stats(n->out, n->map);
	n->checks++;
	return report_check(n->out, n->map);
}

/* "r-x max rwx cow needs_copy" */
static void describe(char *buf, size_t len, const struct bsdvm_entry_attrs *a)
{
	const struct names_flag *f;
	char prot[4], max[4];
	size_t used;

	used = (size_t)snprintf(buf, len, "%s max %s", names_prot(a->prot, prot),
	    names_prot(a->maxprot, max));
	for (f = names_eflags; f->name != NULL && used < len; f++) {
		if (a->eflags & f->bit)
			used += (size_t)snprintf(buf + used, len - used, " %s", f->name);
	}
}

bool narrate_insert(struct narrator *n, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_entry_attrs *a, const char *name)
{
	char what[160], attrs[96];

	describe(attrs, sizeof(attrs), a);
	snprintf(what, sizeof(what), "insert   %#" PRIx64 "-%#" PRIx64 " %s", start, end, attrs);
	if (!narrate_kern(n, what, bsdvm_map_insert(n->map, start, end, a), KERN_SUCCESS))
		return false;
	if (name != NULL && !labels_add(&n->labels, start, end, name)) {
		fprintf(n->out, "expectation failed: out of memory\n");
		return false;
	}
	return true;
}

bool narrate_findspace(struct narrator *n, const struct bsdvm_space_req *req, int want_rv,
    bsdvm_addr_t want, bsdvm_addr_t *addrp)
{
	char what[320], size[32], align[48] = "", bound[48] = "", hint[48];
	int rv;

	report_size(req->length, size, sizeof(size));
	if (req->align != 0) {
		char a[32];

		snprintf(align, sizeof(align), ", align %s", report_size(req->align, a, sizeof(a)));
	}
	if (req->max_end != 0)
		snprintf(bound, sizeof(bound), ", max_end %#" PRIx64, req->max_end);
	if (req->hint != 0)
		snprintf(hint, sizeof(hint), "hint %#" PRIx64, req->hint);
	else
		snprintf(hint, sizeof(hint), "no hint");
	snprintf(what, sizeof(what), "findspace %s, %s, length %s%s%s",
	    (req->flags & BSDVM_SPACE_TOPDOWN) ? "top-down" : "bottom-up", hint, size, align,
	    bound);
	*addrp = 0;
	rv = bsdvm_map_findspace(n->map, req, addrp);
	if (!narrate_kern(n, what, rv, want_rv))
		return false;
	if (rv != KERN_SUCCESS)
		return true;
	fprintf(n->out, "    -> %#" PRIx64 "\n", *addrp);
	return narrate_u64(n, "the address found", *addrp, want);
}

bool narrate_protect(struct narrator *n, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_prot_t prot)
{
	char what[96], p[4];

	snprintf(what, sizeof(what), "protect  %#" PRIx64 "-%#" PRIx64 " %s", start, end,
	    names_prot(prot, p));
	return narrate_kern(n, what,
	    bsdvm_map_protect(n->map, start, end, prot, 0, BSDVM_PROTECT_SET_PROT), KERN_SUCCESS);
}

bool narrate_inherit(struct narrator *n, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_inherit_t inherit)
{
	char what[96];

	snprintf(what, sizeof(what), "inherit  %#" PRIx64 "-%#" PRIx64 " %s", start, end,
	    names_inherit(inherit));
	return narrate_kern(n, what, bsdvm_map_inherit(n->map, start, end, inherit),
	    KERN_SUCCESS);
}

bool narrate_delete(struct narrator *n, bsdvm_addr_t start, bsdvm_addr_t end)
{
	char what[96];

	snprintf(what, sizeof(what), "delete   %#" PRIx64 "-%#" PRIx64, start, end);
	return narrate_kern(n, what, bsdvm_map_delete(n->map, start, end), KERN_SUCCESS);
}

uint64_t narrate_nentries(struct vm_map *map)
{
	struct bsdvm_map_stats st;

	bsdvm_map_get_stats(map, &st);
	return st.nentries;
}

struct range_count {
	bsdvm_addr_t start, end;
	unsigned n;
};

static int count_one(void *arg, const struct bsdvm_region *r)
{
	struct range_count *c = arg;

	if (r->start < c->end && r->end > c->start)
		c->n++;
	return 0;
}

unsigned narrate_entries_in(struct vm_map *map, bsdvm_addr_t start, bsdvm_addr_t end)
{
	struct range_count c = { start, end, 0 };

	bsdvm_map_foreach(map, count_one, &c);
	return c.n;
}
