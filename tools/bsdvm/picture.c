/*
 * picture.c - steps of address-space snapshots, written as one
 * self-contained HTML page: no network, no external resources.
 *
 * The page holds every distinct snapshot once, as an SVG bar
 * (picture_svg.c), in a hidden store, and the steps as JSON: (row name,
 * snapshot number) lists with a caption.  A short script puts the chosen
 * step's rows together when the slider moves; without a script the first
 * step is still shown, since its rows are also written in place.  The
 * script records what it shows in attributes of <body> (data-step,
 * data-shown-entries), which tests read back from a headless browser; a
 * URL ending in "#step=N" opens step N ("#step=N&slide" goes through the
 * slider's input event).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "picture_impl.h"

struct pic_row {
	char *name;
	size_t snap;
};

struct pic_step {
	char *caption;
	struct pic_row *rows;
	size_t nrows, caprows;
};

struct picture {
	char *title;
	struct pic_snap *snaps;
	size_t nsnaps, capsnaps;
	struct pic_step *steps;
	size_t nsteps, capsteps;
};

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}

/* Grows *v (of *cap elements of size sz) to hold one more; false if no memory. */
static bool grow(void *vp, size_t *cap, size_t n, size_t sz)
{
	void **v = vp;
	size_t ncap;
	void *nv;

	if (n < *cap)
		return true;
	ncap = *cap ? 2 * *cap : 8;
	nv = realloc(*v, ncap * sz);
	if (nv == NULL)
		return false;
	*v = nv;
	*cap = ncap;
	return true;
}

struct picture *picture_new(const char *title)
{
	struct picture *pic = calloc(1, sizeof(*pic));

	if (pic == NULL)
		return NULL;
	pic->title = dup_str(title != NULL ? title : "bsdvm");
	if (pic->title == NULL) {
		free(pic);
		return NULL;
	}
	return pic;
}

static void step_free(struct pic_step *st)
{
	size_t i;

	for (i = 0; i < st->nrows; i++)
		free(st->rows[i].name);
	free(st->rows);
	free(st->caption);
}

void picture_free(struct picture *pic)
{
	size_t i;

	if (pic == NULL)
		return;
	for (i = 0; i < pic->nsteps; i++)
		step_free(&pic->steps[i]);
	for (i = 0; i < pic->nsnaps; i++) {
		free(pic->snaps[i].v);
		free(pic->snaps[i].pool);
	}
	free(pic->steps);
	free(pic->snaps);
	free(pic->title);
	free(pic);
}

bool picture_step(struct picture *pic, const char *caption)
{
	struct pic_step *st;

	if (!grow(&pic->steps, &pic->capsteps, pic->nsteps, sizeof(*pic->steps)))
		return false;
	st = &pic->steps[pic->nsteps];
	memset(st, 0, sizeof(*st));
	st->caption = dup_str(caption != NULL ? caption : "");
	if (st->caption == NULL)
		return false;
	pic->nsteps++;
	return true;
}

unsigned long picture_nsteps(const struct picture *pic)
{
	return (unsigned long)pic->nsteps;
}

void picture_drop_step(struct picture *pic, unsigned long i)
{
	if (i >= pic->nsteps)
		return;
	step_free(&pic->steps[i]);
	memmove(&pic->steps[i], &pic->steps[i + 1],
	    (pic->nsteps - i - 1) * sizeof(*pic->steps));
	pic->nsteps--;
	/* the snapshots stay: a later step may show the same again, and
	 * picture_write() leaves out the ones no step uses */
}

/* ---- snapshots ---- */

struct collect {
	struct pic_snap s;
	size_t cap, poolcap;
	const struct listing_namer *namer;
	bool nomem;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

static int collect_one(void *arg, const struct bsdvm_region *r)
{
	struct collect *c = arg;
	const char *path = listing_path(r, c->namer);
	size_t len = strlen(path) + 1;
	struct pic_entry *e;

	if (!grow(&c->s.v, &c->cap, c->s.n, sizeof(*c->s.v))) {
		c->nomem = true;
		return 1;
	}
	while (c->s.poollen + len > c->poolcap) {
		size_t ncap = c->poolcap ? 2 * c->poolcap : 256;
		char *np = realloc(c->s.pool, ncap);

		if (np == NULL) {
			c->nomem = true;
			return 1;
		}
		c->s.pool = np;
		c->poolcap = ncap;
	}
	e = &c->s.v[c->s.n++];
	memset(e, 0, sizeof(*e));
	e->r = *r;
	e->r.object = NULL; /* the pointer would make equal snapshots differ */
	if (r->object != NULL)
		e->r.object = (struct vm_object *)(uintptr_t)1;
	e->path = (const char *)(uintptr_t)c->s.poollen; /* made a pointer below */
	memcpy(c->s.pool + c->s.poollen, path, len);
	c->s.poollen += len;
	return 0;
}

/* Hash of the entries (fields one by one: no padding bytes) and names. */
static uint64_t snap_hash(const struct pic_snap *s)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct bsdvm_region *r = &s->v[i].r;
		uint64_t f[5] = { r->start, r->end, r->offset, r->eflags,
			(uint64_t)r->protection | (uint64_t)r->max_protection << 8 |
			(uint64_t)r->inheritance << 16 | (uint64_t)r->advice << 24 |
			(uint64_t)(uint32_t)r->wired_count << 32 };

		h = fnv(h, f, sizeof(f));
	}
	return fnv(h, s->pool, s->poollen);
}

static bool snap_equal(const struct pic_snap *a, const struct pic_snap *b)
{
	size_t i;

	if (a->hash != b->hash || a->n != b->n || a->poollen != b->poollen ||
	    (a->poollen > 0 && memcmp(a->pool, b->pool, a->poollen) != 0))
		return false;
	for (i = 0; i < a->n; i++) {
		const struct bsdvm_region *x = &a->v[i].r, *y = &b->v[i].r;

		if (x->start != y->start || x->end != y->end || x->offset != y->offset ||
		    x->eflags != y->eflags || x->protection != y->protection ||
		    x->max_protection != y->max_protection || x->inheritance != y->inheritance ||
		    x->advice != y->advice || x->wired_count != y->wired_count ||
		    x->object != y->object)
			return false;
	}
	return true;
}

/* Stores s (taking its memory) unless an equal one exists; *index gets its number. */
static bool snap_intern(struct picture *pic, struct pic_snap *s, size_t *index)
{
	size_t i;

	s->hash = snap_hash(s);
	for (i = pic->nsnaps; i-- > 0;) {
		if (snap_equal(&pic->snaps[i], s)) {
			free(s->v);
			free(s->pool);
			*index = i;
			return true;
		}
	}
	if (!grow(&pic->snaps, &pic->capsnaps, pic->nsnaps, sizeof(*pic->snaps)))
		return false;
	*index = pic->nsnaps;
	pic->snaps[pic->nsnaps++] = *s;
	return true;
}

bool picture_add_map_named(struct picture *pic, const char *name, struct vm_map *map,
    const struct listing_namer *namer)
{
	struct collect c;
	struct pic_step *st;
	size_t i, index;

	if (pic->nsteps == 0 && !picture_step(pic, ""))
		return false;
	st = &pic->steps[pic->nsteps - 1];
	memset(&c, 0, sizeof(c));
	c.namer = namer;
	bsdvm_map_foreach(map, collect_one, &c);
	if (c.nomem || !grow(&st->rows, &st->caprows, st->nrows, sizeof(*st->rows))) {
		free(c.s.v);
		free(c.s.pool);
		return false;
	}
	for (i = 0; i < c.s.n; i++) /* pool offsets into pointers, now that it stays put */
		c.s.v[i].path = c.s.pool + (size_t)(uintptr_t)c.s.v[i].path;
	if (!snap_intern(pic, &c.s, &index)) {
		free(c.s.v);
		free(c.s.pool);
		return false;
	}
	st->rows[st->nrows].name = dup_str(name != NULL ? name : "");
	if (st->rows[st->nrows].name == NULL)
		return false;
	st->rows[st->nrows++].snap = index;
	return true;
}

bool picture_add_map(struct picture *pic, const char *name, struct vm_map *map,
    struct labels *labels)
{
	struct listing_namer namer;

	if (labels == NULL)
		return picture_add_map_named(pic, name, map, NULL);
	namer = labels_namer(labels);
	return picture_add_map_named(pic, name, map, &namer);
}

/* ---- the page ---- */

static const char page_style[] =
    "body{font:14px sans-serif;margin:16px;color:#222}\n"
    "h1{font-size:18px;margin:0 0 8px}\n"
    "#controls{margin:8px 0}#slider{width:600px;vertical-align:middle}\n"
    "#caption{font-family:monospace;margin:6px 0 10px;white-space:pre-wrap}\n"
    ".row{margin:4px 0 10px}.rowname{font-family:monospace;font-weight:bold}\n"
    "svg.map{display:block}svg.map text{font:10px monospace;fill:#444}g.fold text{font-size:9px}\n"
    "rect.entry{stroke:#333;stroke-width:.5}rect.entry:hover{stroke:#000;stroke-width:2}\n"
    "rect.shared{stroke:#1d3557;stroke-width:2}rect.guard{fill:#eee;stroke-dasharray:2 2}\n"
    "rect.break{fill:none;stroke:#999;stroke-dasharray:3 3}\n"
    ".p0{fill:#d9d9d9}.p1{fill:#8ecae6}.p2{fill:#cdb4db}.p3{fill:#90be6d}"
    ".p4{fill:#ffd166}.p5{fill:#f9844a}.p6{fill:#b5179e}.p7{fill:#e63946}\n"
    "#legend span{display:inline-block;margin-right:12px;font-family:monospace}\n"
    "#legend svg{vertical-align:middle;margin-right:3px}\n";

/* Shows step i: clones the snapshots of its rows from the store. */
static const char page_script[] =
    "(function(){\n"
    "var steps=JSON.parse(document.getElementById('steps').textContent);\n"
    "var view=document.getElementById('view'),slider=document.getElementById('slider');\n"
    "var cap=document.getElementById('caption'),no=document.getElementById('stepno');\n"
    "function show(i){\n"
    " i=Math.max(0,Math.min(steps.length-1,parseInt(i,10)||0));\n"
    " var s=steps[i],n=0;view.textContent='';\n"
    " s.r.forEach(function(r){\n"
    "  var row=document.createElement('div'),nm=document.createElement('div');\n"
    "  row.className='row';row.setAttribute('data-map',r[0]);\n"
    "  nm.className='rowname';nm.textContent=r[0];row.appendChild(nm);\n"
    "  var svg=document.getElementById('s'+r[1]).firstElementChild.cloneNode(true);\n"
    "  row.appendChild(svg);view.appendChild(row);\n"
    "  n+=svg.querySelectorAll('rect.entry').length;});\n"
    " cap.textContent=s.c;if(slider)slider.value=i;\n"
    " if(no)no.textContent='step '+(i+1)+' of '+steps.length;\n"
    " document.body.setAttribute('data-step',i);\n"
    " document.body.setAttribute('data-shown-entries',n);\n"
    " document.body.setAttribute('data-shown-maps',s.r.length);}\n"
    "if(slider){slider.addEventListener('input',function(){show(slider.value);});\n"
    " document.addEventListener('keydown',function(e){\n"
    "  if(e.key==='ArrowRight')show(+slider.value+1);\n"
    "  else if(e.key==='ArrowLeft')show(+slider.value-1);});}\n"
    "var m=/[#&]step=([0-9]+)(&slide)?/.exec(location.hash);\n"
    "if(m&&m[2]&&slider){slider.value=m[1];slider.dispatchEvent(new Event('input'));}\n"
    "else show(m?m[1]:0);\n"
    "})();\n";

/* A JSON string that is also safe inside <script>: '<' and '>' escaped. */
static void put_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&')
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void put_legend(FILE *out)
{
	static const bsdvm_prot_t order[] = { 1, 3, 5, 7, 0, 2, 4, 6 };
	char cls[4], prot[4];
	size_t i;

	fputs("<div id=\"legend\">", out);
	for (i = 0; i < sizeof(order); i++)
		fprintf(out, "<span><svg width=\"14\" height=\"14\"><rect class=\"%s\" width=\"14\" "
		    "height=\"14\"/></svg>%s</span>", pic_prot_class(order[i], cls),
		    names_prot(order[i], prot));
	fputs("<span><svg width=\"14\" height=\"14\"><rect class=\"p3 shared\" x=\"1\" y=\"1\" "
	    "width=\"12\" height=\"12\"/></svg>shared (inherit share)</span>"
	    "<span><svg width=\"14\" height=\"14\"><rect class=\"guard\" x=\"1\" y=\"1\" "
	    "width=\"12\" height=\"12\"/></svg>guard</span>"
	    "<span><svg width=\"22\" height=\"14\"><rect class=\"break\" x=\"1\" y=\"1\" "
	    "width=\"20\" height=\"12\"/></svg>a hole too large to draw to scale (its size)</span></div>\n", out);
}

static void put_row(FILE *out, const struct pic_row *row, const struct pic_snap *s)
{
	fputs("<div class=\"row\" data-map=\"", out);
	pic_put_html(out, row->name);
	fputs("\"><div class=\"rowname\">", out);
	pic_put_html(out, row->name);
	fputs("</div>\n", out);
	pic_put_svg(out, s);
	fputs("</div>\n", out);
}

static void put_steps_json(FILE *out, const struct picture *pic, const long *ids)
{
	size_t i, j;

	fputs("<script id=\"steps\" type=\"application/json\">[\n", out);
	for (i = 0; i < pic->nsteps; i++) {
		const struct pic_step *st = &pic->steps[i];

		fputs("{\"c\":", out);
		put_json_string(out, st->caption);
		fputs(",\"r\":[", out);
		for (j = 0; j < st->nrows; j++) {
			fputs(j ? ",[" : "[", out);
			put_json_string(out, st->rows[j].name);
			fprintf(out, ",%ld]", ids[st->rows[j].snap]);
		}
		fprintf(out, "]}%s\n", i + 1 < pic->nsteps ? "," : "");
	}
	fputs("]</script>\n", out);
}

/* The page; ids[i] is snapshot i's number in it, -1 when no step shows it. */
static void put_page(FILE *out, const struct picture *pic, const long *ids)
{
	const struct pic_step *first = pic->nsteps > 0 ? &pic->steps[0] : NULL;
	size_t i, j;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
	pic_put_html(out, pic->title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body data-steps=\"%zu\">\n<h1>",
	    page_style, pic->nsteps);
	pic_put_html(out, pic->title);
	fputs("</h1>\n", out);
	put_legend(out);
	fputs("<div id=\"controls\">", out);
	if (pic->nsteps > 1)
		fprintf(out, "<input type=\"range\" id=\"slider\" min=\"0\" max=\"%zu\" value=\"0\" "
		    "aria-label=\"step\"> <span id=\"stepno\">step 1 of %zu</span>",
		    pic->nsteps - 1, pic->nsteps);
	fputs("<div id=\"caption\">", out);
	if (first != NULL)
		pic_put_html(out, first->caption);
	fputs("</div></div>\n<div id=\"view\">\n", out);
	for (j = 0; first != NULL && j < first->nrows; j++)
		put_row(out, &first->rows[j], &pic->snaps[first->rows[j].snap]);
	fputs("</div>\n<div id=\"store\" hidden>\n", out);
	for (i = 0; i < pic->nsnaps; i++) {
		if (ids[i] < 0)
			continue;
		fprintf(out, "<div id=\"s%ld\">", ids[i]);
		pic_put_svg(out, &pic->snaps[i]);
		fputs("</div>\n", out);
	}
	fputs("</div>\n", out);
	put_steps_json(out, pic, ids);
	fprintf(out, "<script>\n%s</script>\n</body>\n</html>\n", page_script);
}

bool picture_write(const struct picture *pic, const char *path)
{
	long *ids = malloc((pic->nsnaps ? pic->nsnaps : 1) * sizeof(*ids)), next = 0;
	FILE *out;
	size_t i, j;
	int saved;

	if (ids == NULL)
		return false;
	for (i = 0; i < pic->nsnaps; i++)
		ids[i] = -1;
	for (i = 0; i < pic->nsteps; i++) {
		for (j = 0; j < pic->steps[i].nrows; j++) {
			size_t s = pic->steps[i].rows[j].snap;

			if (ids[s] < 0)
				ids[s] = next++;
		}
	}
	out = fopen(path, "w");
	if (out == NULL) {
		saved = errno;
		free(ids);
		errno = saved;
		return false;
	}
	put_page(out, pic, ids);
	free(ids);
	if (ferror(out)) {
		saved = errno ? errno : EIO;
		fclose(out);
		errno = saved;
		return false;
	}
	return fclose(out) == 0;
}
