/*
 * scenario_expect.c - "expect": what a scenario states about the world,
 * checked when the line runs.
 *
 *   expect SPACE entries [CMP] N        entries in the map
 *   expect SPACE size [CMP] SIZE        bytes mapped (guards excluded)
 *   expect SPACE map <<TAG              the listing in maps format, to a line TAG
 *   expect SPACE resident ADDR yes|no   the page at ADDR is in a frame
 *   expect SPACE mapped ADDR yes|no     ADDR lies in an entry
 *   expect SPACE prot ADDR PROT         the protection of the entry at ADDR
 *   expect SPACE wired ADDR [CMP] N     the wiring count of the entry at ADDR
 *   expect stats NAME [CMP] N           a counter of bsdvm_sys_get_stats
 *   expect file OBJECT OFFSET "DATA"    the bytes of a file (on the host)
 *
 * CMP is one of == != < <= > >= (== when left out).
 */
#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "names.h"
#include "scenario_ops.h"

enum form {
	F_ENTRIES, F_SIZE, F_MAP, F_RESIDENT, F_MAPPED, F_PROT, F_WIRED, F_STATS, F_FILE
};

enum cmp { C_EQ, C_NE, C_LT, C_LE, C_GT, C_GE };
static const char *const cmp_words[] = { "==", "!=", "<", "<=", ">", ">=", NULL };

static const char *const yes_no[] = { "no", "yes", NULL };

/* The counters "expect stats" knows, by their names in struct bsdvm_sys_stats. */
#define STAT(f) { #f, offsetof(struct bsdvm_sys_stats, f) }
static const struct {
	const char *name;
	size_t off;
} stats[] = {
	STAT(frames), STAT(free), STAT(resident), STAT(wired), STAT(faults), STAT(zero_fills),
	STAT(cow_copies), STAT(cow_takeovers), STAT(pageouts), STAT(pageins), STAT(file_reads),
	STAT(swap_total), STAT(swap_used), STAT(anons), STAT(amaps), STAT(objects),
	STAT(vmspaces),
};
#define NSTATS (sizeof(stats) / sizeof(stats[0]))

/* ---- parsing ---- */

static bool word_index(const char *const *words, const struct scn_tok *t, int *out)
{
	int i;

	if (t->quoted || t->key != NULL)
		return false;
	for (i = 0; words[i] != NULL; i++) {
		if (strcmp(words[i], t->text) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

/* [CMP] NUMBER at t->v[i..end): the number into st->arg[2]. */
static bool parse_count(struct scn_parser *p, struct scn_stmt *st, const struct scn_toks *t,
    int i, int end)
{
	st->cmp = C_EQ;
	if (i < end && word_index(cmp_words, &t->v[i], &st->cmp))
		i++;
	if (i + 1 != end)
		return scn_parse_error(p, "expect: expected [== != < <= > >=] and one number");
	return scn_parse_value(p, SCN_SIZE, &t->v[i], st->op, &st->arg[2]);
}

static bool parse_stats(struct scn_parser *p, struct scn_stmt *st, const struct scn_toks *t,
    int i, int end)
{
	size_t k;

	st->form = F_STATS;
	if (i >= end)
		return scn_parse_error(p, "expect stats: which counter?");
	for (k = 0; k < NSTATS && strcmp(stats[k].name, t->v[i].text) != 0; k++)
		continue;
	if (k == NSTATS || t->v[i].quoted)
		return scn_parse_error(p, "expect stats: unknown counter '%s' (frames, free, "
		    "resident, wired, faults, zero_fills, cow_copies, cow_takeovers, pageouts, "
		    "pageins, file_reads, swap_total, swap_used, anons, amaps, objects, vmspaces)",
		    t->v[i].text);
	st->arg[1].num = k;
	return parse_count(p, st, t, i + 1, end);
}

static bool parse_file(struct scn_parser *p, struct scn_stmt *st, const struct scn_toks *t,
    int i, int end)
{
	st->form = F_FILE;
	if (end - i != 3)
		return scn_parse_error(p, "expect file: usage: expect file OBJECT OFFSET \"DATA\"");
	return scn_parse_value(p, SCN_OBJECT, &t->v[i], st->op, &st->arg[0]) &&
	    scn_parse_value(p, SCN_SIZE, &t->v[i + 1], st->op, &st->arg[1]) &&
	    scn_parse_value(p, SCN_DATA, &t->v[i + 2], st->op, &st->arg[2]);
}

/* ADDR then, per form, yes|no, PROT or [CMP] N. */
static bool parse_at(struct scn_parser *p, struct scn_stmt *st, const struct scn_toks *t,
    int i, int end)
{
	int yn;

	if (i >= end || !scn_parse_value(p, SCN_ADDR, &t->v[i], st->op, &st->arg[1]))
		return i < end ? false : scn_parse_error(p, "expect: an address is missing");
	i++;
	if (st->form == F_WIRED)
		return parse_count(p, st, t, i, end);
	if (i + 1 != end)
		return scn_parse_error(p, "expect: expected one more word after the address");
	if (st->form == F_PROT)
		return scn_parse_value(p, SCN_PROT, &t->v[i], st->op, &st->arg[2]);
	if (!word_index(yes_no, &t->v[i], &yn))
		return scn_parse_error(p, "expect: expected yes or no, not '%s'", t->v[i].text);
	st->arg[2].num = (uint64_t)yn;
	return true;
}

bool scn_parse_expect(struct scn_parser *p, struct scn_stmt *st, const struct scn_toks *t,
    int first, int end)
{
	static const char *const forms[] = { "entries", "size", "map", "resident", "mapped",
		"prot", "wired", NULL };
	int i = first, f;

	if (i >= end)
		return scn_parse_error(p, "expect: what?");
	if (!t->v[i].quoted && strcmp(t->v[i].text, "stats") == 0)
		return parse_stats(p, st, t, i + 1, end);
	if (!t->v[i].quoted && strcmp(t->v[i].text, "file") == 0)
		return parse_file(p, st, t, i + 1, end);
	if (!scn_parse_value(p, SCN_SPACE, &t->v[i], st->op, &st->arg[0]))
		return false;
	if (++i >= end || !word_index(forms, &t->v[i], &f))
		return scn_parse_error(p, "expect SPACE: expected entries, size, map, resident, "
		    "mapped, prot or wired");
	st->form = f;
	i++;
	switch (st->form) {
	case F_ENTRIES:
	case F_SIZE:
		return parse_count(p, st, t, i, end);
	case F_MAP:
		if (i + 1 != end || t->v[i].quoted || strncmp(t->v[i].text, "<<", 2) != 0 ||
		    !scn_is_name(t->v[i].text + 2))
			return scn_parse_error(p, "expect map: expected <<TAG, then the listing, "
			    "then a line TAG");
		return scn_parse_heredoc(p, st, t->v[i].text + 2);
	default:
		return parse_at(p, st, t, i, end);
	}
}

/* ---- checking ---- */

static bool compare(int cmp, uint64_t got, uint64_t want)
{
	switch (cmp) {
	case C_NE: return got != want;
	case C_LT: return got < want;
	case C_LE: return got <= want;
	case C_GT: return got > want;
	case C_GE: return got >= want;
	default: return got == want;
	}
}

static void check_count(struct scn_run *r, const struct scn_stmt *st, const char *what,
    uint64_t got)
{
	uint64_t want = st->arg[2].num;

	if (compare(st->cmp, got, want))
		scn_note(r, "ok: %s %" PRIu64, what, got);
	else
		scn_fail(r, "%s: expected %s%s%" PRIu64 ", got %" PRIu64, what,
		    st->cmp == C_EQ ? "" : cmp_words[st->cmp], st->cmp == C_EQ ? "" : " ", want,
		    got);
}

/* The next line of s that is not blank, with blank runs squeezed to one
 * space, into buf; NULL at the end.  *sp advances. */
static const char *next_line(const char **sp, char *buf, size_t size)
{
	const char *s = *sp;

	while (*s != '\0') {
		size_t n = 0;
		bool blank = false;

		for (; *s != '\0' && *s != '\n'; s++) {
			if (isspace((unsigned char)*s)) {
				blank = n > 0;
				continue;
			}
			if (blank && n + 1 < size)
				buf[n++] = ' ';
			blank = false;
			if (n + 1 < size)
				buf[n++] = *s;
		}
		if (*s == '\n')
			s++;
		if (n > 0) {
			buf[n] = '\0';
			*sp = s;
			return buf;
		}
	}
	*sp = s;
	return NULL;
}

/* The space's listing in maps format, in a new string; NULL if out of memory. */
static char *listing_text(struct world_space *sp)
{
	struct listing_namer namer = world_namer(sp);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	listing_print_named(f, world_map(sp), LISTING_MAPS, sp->pid, &namer);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static void check_map(struct scn_run *r, const struct scn_stmt *st, struct world_space *sp)
{
	char *got = listing_text(sp), g[256], w[256];
	const char *gp = got, *wp = st->heredoc, *gl, *wl;
	int n = 0;

	if (got == NULL) {
		scn_fail(r, "out of memory");
		return;
	}
	do {
		n++;
		gl = next_line(&gp, g, sizeof(g));
		wl = next_line(&wp, w, sizeof(w));
	} while (gl != NULL && wl != NULL && strcmp(gl, wl) == 0);
	if (gl == NULL && wl == NULL) {
		scn_note(r, "ok: %d line%s", n - 1, n == 2 ? "" : "s");
	} else {
		scn_fail(r, "%s map, line %d: expected %s%s%s, got %s%s%s", sp->name, n,
		    wl ? "'" : "", wl ? wl : "the end", wl ? "'" : "", gl ? "'" : "",
		    gl ? gl : "the end", gl ? "'" : "");
		/* the whole listing, ready to paste into the scenario */
		fprintf(r->out, "    the map is:\n%s", got);
	}
	free(got);
}

static void check_at(struct scn_run *r, const struct scn_stmt *st, struct world_space *sp)
{
	struct bsdvm_region reg;
	bsdvm_addr_t addr;
	bool mapped, yes;
	char got[4], want[4];

	if (!scn_addr(r, &st->arg[1], &addr))
		return;
	mapped = bsdvm_map_query(world_map(sp), addr, &reg);
	switch (st->form) {
	case F_RESIDENT:
	case F_MAPPED:
		yes = st->form == F_MAPPED ? mapped : bsdvm_vmspace_resident(sp->vm, addr);
		if (yes == (st->arg[2].num == 1))
			scn_note(r, "ok: %s", yes ? "yes" : "no");
		else
			scn_fail(r, "%s %#" PRIx64 " %s: expected %s, got %s", sp->name, addr,
			    st->form == F_MAPPED ? "mapped" : "resident", yes_no[st->arg[2].num],
			    yes_no[yes]);
		return;
	case F_PROT:
		names_prot((bsdvm_prot_t)st->arg[2].num, want);
		if (mapped)
			names_prot(reg.protection, got);
		if (mapped && reg.protection == st->arg[2].num)
			scn_note(r, "ok: %s", got);
		else
			scn_fail(r, "%s prot at %#" PRIx64 ": expected %s, got %s", sp->name, addr,
			    want, mapped ? got : "unmapped");
		return;
	default: /* F_WIRED */
		if (!mapped) {
			scn_fail(r, "%s wired at %#" PRIx64 ": not mapped", sp->name, addr);
			return;
		}
		check_count(r, st, "wired", (uint64_t)reg.wired_count);
		return;
	}
}

static void check_file(struct scn_run *r, const struct scn_stmt *st)
{
	struct scn_binding *b = scn_object(r, &st->arg[0]);
	size_t len = st->arg[2].len;
	char *buf, g[96], w[96];
	ssize_t got;

	if (b == NULL)
		return;
	if (b->fd < 0) {
		scn_fail(r, "expect file: '%s' is not a file", b->name);
		return;
	}
	buf = malloc(len ? len : 1);
	if (buf == NULL) {
		scn_fail(r, "out of memory");
		return;
	}
	got = pread(b->fd, buf, len, (off_t)st->arg[1].num);
	if (got == (ssize_t)len && memcmp(buf, st->arg[2].bytes, len) == 0) {
		scn_note(r, "ok: %zu bytes", len);
	} else {
		scn_quote(g, sizeof(g), buf, got > 0 ? (size_t)got : 0, 32);
		scn_quote(w, sizeof(w), st->arg[2].bytes, len, 32);
		scn_fail(r, "file %s at %" PRIu64 ": expected %s, got %s", b->name, st->arg[1].num,
		    w, g);
	}
	free(buf);
}

int scn_op_expect(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = NULL;
	struct bsdvm_map_stats ms;
	struct bsdvm_sys_stats ss;
	uint64_t v;

	r->expectations++;
	if (st->form == F_FILE) {
		check_file(r, st);
		return SCN_NOCODE;
	}
	if (st->form == F_STATS) {
		if (!scn_need_system(r))
			return SCN_SKIPPED;
		bsdvm_sys_get_stats(r->w.sys, &ss);
		memcpy(&v, (const char *)&ss + stats[st->arg[1].num].off, sizeof(v));
		check_count(r, st, stats[st->arg[1].num].name, v);
		return SCN_NOCODE;
	}
	sp = scn_space(r, &st->arg[0]);
	if (sp == NULL)
		return SCN_SKIPPED;
	bsdvm_map_get_stats(world_map(sp), &ms);
	switch (st->form) {
	case F_ENTRIES:
		check_count(r, st, "entries", ms.nentries);
		break;
	case F_SIZE:
		check_count(r, st, "size", ms.size);
		break;
	case F_MAP:
		check_map(r, st, sp);
		break;
	default:
		check_at(r, st, sp);
		break;
	}
	return SCN_NOCODE;
}
