/*
 * picture_svg.c - one map drawn as a horizontal bar.
 *
 * Entries and small holes are drawn to scale; a hole larger than a
 * threshold is "folded": drawn as a fixed-width break marked with its
 * size, since a 64-bit address space is mostly holes and the mappings
 * would otherwise be specks.  Every entry gets a minimum width so that a
 * single page stays visible next to a gigabyte; the scale is chosen so
 * that the bar fills the width (it widens when there are too many entries
 * for their minimums).  Every entry is one <rect class="entry"> with data
 * attributes and a <title> that the browser shows on hover.
 */
#include <inttypes.h>
#include <string.h>

#include "names.h"
#include "picture_impl.h"
#include "report.h"

#define BAR_WIDTH    1100.0 /* px for the whole bar */
#define MIN_ENTRY    3.0    /* px at least for an entry */
#define MIN_HOLE     1.0    /* px at least for a hole drawn to scale */
#define BREAK_WIDTH  72.0   /* px for a folded hole, its size written inside */
#define BAR_Y        4
#define BAR_HEIGHT   26
#define SVG_HEIGHT   50     /* bar plus the address labels below it */

void pic_put_html(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out); break;
		}
	}
}

const char *pic_prot_class(bsdvm_prot_t prot, char buf[4])
{
	snprintf(buf, 4, "p%u", (unsigned)(prot & VM_PROT_ALL));
	return buf;
}

/* A hole is folded when larger than this: 1/16 of the mapped bytes, but
 * never less than 64 pages of 4 KiB nor more than 1 GiB. */
static uint64_t fold_threshold(const struct pic_snap *s)
{
	uint64_t mapped = 0, t;
	size_t i;

	for (i = 0; i < s->n; i++)
		mapped += s->v[i].r.end - s->v[i].r.start;
	t = mapped / 16;
	if (t < 64 * 4096)
		t = 64 * 4096;
	if (t > ((uint64_t)1 << 30))
		t = (uint64_t)1 << 30;
	return t;
}

/* The hole after entry i (0 after the last). */
static uint64_t hole_after(const struct pic_snap *s, size_t i)
{
	return i + 1 < s->n ? s->v[i + 1].r.start - s->v[i].r.end : 0;
}

/*
 * Chooses px per byte so that the scaled pieces fill avail: pieces below
 * their minimum take the minimum and the rest share what is left.  A few
 * rounds settle it.
 */
static double choose_scale(const struct pic_snap *s, uint64_t fold, double avail)
{
	double k = 0;
	int round;

	for (round = 0; round < 4; round++) {
		double fixed = 0, bytes = 0;
		size_t i;

		for (i = 0; i < s->n; i++) {
			double b = (double)(s->v[i].r.end - s->v[i].r.start);
			uint64_t h = hole_after(s, i);

			if (round > 0 && b * k < MIN_ENTRY)
				fixed += MIN_ENTRY;
			else
				bytes += b;
			if (h == 0 || h > fold)
				continue;
			if (round > 0 && (double)h * k < MIN_HOLE)
				fixed += MIN_HOLE;
			else
				bytes += (double)h;
		}
		if (bytes <= 0 || avail - fixed <= 0)
			break;
		k = (avail - fixed) / bytes;
	}
	return k;
}

static double piece_width(uint64_t bytes, double k, double min)
{
	double w = (double)bytes * k;

	return w < min ? min : w;
}

static void put_entry(FILE *out, const struct pic_entry *e, double x, double w)
{
	const struct bsdvm_region *r = &e->r;
	const struct names_flag *f;
	char prot[4], max[4], cls[4], size[32];
	int n = 0;

	fprintf(out, "<rect class=\"entry %s%s%s\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
	    "height=\"%d\" data-start=\"0x%" PRIx64 "\" data-end=\"0x%" PRIx64 "\" "
	    "data-prot=\"%s\" data-maxprot=\"%s\" data-inherit=\"%s\" data-flags=\"",
	    pic_prot_class(r->protection, cls),
	    (r->eflags & MAP_ENTRY_GUARD) ? " guard" : "",
	    r->inheritance == VM_INHERIT_SHARE ? " shared" : "", x, BAR_Y, w, BAR_HEIGHT,
	    r->start, r->end, names_prot(r->protection, prot),
	    names_prot(r->max_protection, max), names_inherit(r->inheritance));
	for (f = names_eflags; f->name != NULL; f++) {
		if (r->eflags & f->bit)
			fprintf(out, "%s%s", n++ ? " " : "", f->name);
	}
	fputs("\" data-name=\"", out);
	pic_put_html(out, e->path);
	fprintf(out, "\"><title>0x%" PRIx64 "-0x%" PRIx64 " (%s)\nprot %s, max %s\n"
	    "inherit %s, advice %s\nflags ", r->start, r->end,
	    report_size(r->end - r->start, size, sizeof(size)), prot, max,
	    names_inherit(r->inheritance), names_advice(r->advice));
	n = 0;
	for (f = names_eflags; f->name != NULL; f++) {
		if (r->eflags & f->bit)
			fprintf(out, "%s%s", n++ ? " " : "", f->name);
	}
	fprintf(out, "%s\nwired %" PRId32 ", offset 0x%" PRIx64, n ? "" : "none", r->wired_count,
	    r->offset);
	if (e->path[0] != '\0') {
		fputc('\n', out);
		pic_put_html(out, e->path);
	}
	fputs("</title></rect>\n", out);
}

static void put_break(FILE *out, uint64_t from, uint64_t to, double x)
{
	char size[32];

	report_size(to - from, size, sizeof(size));
	fprintf(out, "<g class=\"fold\"><rect class=\"break\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
	    "height=\"%d\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>"
	    "<title>hole 0x%" PRIx64 "-0x%" PRIx64 " (%s), not to scale</title></g>\n", x + 3,
	    BAR_Y + 2, BREAK_WIDTH - 6, BAR_HEIGHT - 4, x + BREAK_WIDTH / 2,
	    BAR_Y + BAR_HEIGHT / 2 + 3, size, from, to, size);
}

/* Labels closer than this would overlap (12 hex digits at 10px). */
#define LABEL_SPACING 84.0

/* The address where a run of drawn pieces begins, below the bar; skipped
 * when it would overlap the previous label (*last: its x). */
static void put_address(FILE *out, uint64_t addr, double x, const char *anchor,
    double *last, double width)
{
	double left = anchor[0] == 'e' ? x - LABEL_SPACING : x;

	if ((left < *last + LABEL_SPACING && *last > -LABEL_SPACING) ||
	    (anchor[0] == 's' && x + 2 * LABEL_SPACING > width))
		return; /* overlapping, or no room left for the end address */
	*last = left;
	fprintf(out, "<text class=\"addr\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%" PRIx64
	    "</text>\n", x, BAR_Y + BAR_HEIGHT + 20, anchor, addr);
}

void pic_put_svg(FILE *out, const struct pic_snap *s)
{
	uint64_t fold = fold_threshold(s);
	double k, x = 2, width = BAR_WIDTH, avail = BAR_WIDTH, needed, last = -2 * LABEL_SPACING;
	size_t i, folds = 0;

	for (i = 0; i + 1 < s->n; i++)
		folds += hole_after(s, i) > fold;
	avail -= (double)folds * BREAK_WIDTH;
	needed = (double)s->n * MIN_ENTRY + 50;
	if (avail < needed) { /* too many entries for their minimums: widen */
		width += needed - avail;
		avail = needed;
	}
	k = choose_scale(s, fold, avail);
	fprintf(out, "<svg class=\"map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%d\" data-entries=\"%zu\">\n", width + 4, SVG_HEIGHT, s->n);
	if (s->n == 0)
		fprintf(out, "<text class=\"empty\" x=\"4\" y=\"%d\">(empty)</text>\n",
		    BAR_Y + BAR_HEIGHT / 2 + 4);
	for (i = 0; i < s->n; i++) {
		const struct pic_entry *e = &s->v[i];
		double w = piece_width(e->r.end - e->r.start, k, MIN_ENTRY);
		uint64_t h = hole_after(s, i);

		if (i == 0)
			put_address(out, e->r.start, x, "start", &last, width);
		put_entry(out, e, x, w);
		x += w;
		if (h == 0)
			continue;
		if (h > fold) {
			put_break(out, e->r.end, e->r.end + h, x);
			x += BREAK_WIDTH;
			put_address(out, s->v[i + 1].r.start, x, "start", &last, width);
		} else {
			x += piece_width(h, k, MIN_HOLE);
		}
	}
	if (s->n > 0)
		put_address(out, s->v[s->n - 1].r.end, x, "end", &last, width);
	fputs("</svg>\n", out);
}
