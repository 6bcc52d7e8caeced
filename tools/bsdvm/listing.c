/*
 * listing.c - the three listing formats.
 *
 * maps:     start-end perms offset dev inode [path], as Linux prints
 *           /proc/PID/maps: addresses and offset in lower-case hex of at
 *           least 8 digits, the path starting at column 74.  The engine has
 *           no devices or inodes, so those are always "00:00 0".
 * procstat: the columns of FreeBSD's "procstat -v"; what the map engine
 *           cannot know (resident pages, reference and shadow counts) is 0.
 * json:     an array with one object per entry, one object per line.
 */
#include <inttypes.h>
#include <string.h>

#include "listing.h"
#include "names.h"

bool listing_format_parse(const char *name, enum listing_format *out)
{
	if (strcmp(name, "maps") == 0 || strcmp(name, "proc") == 0 ||
	    strcmp(name, "linux") == 0)
		*out = LISTING_MAPS;
	else if (strcmp(name, "procstat") == 0 || strcmp(name, "freebsd") == 0)
		*out = LISTING_PROCSTAT;
	else if (strcmp(name, "json") == 0)
		*out = LISTING_JSON;
	else
		return false;
	return true;
}

const char *listing_format_name(enum listing_format format)
{
	switch (format) {
	case LISTING_PROCSTAT:
		return "procstat";
	case LISTING_JSON:
		return "json";
	case LISTING_MAPS:
	default:
		return "maps";
	}
}

const char *listing_path(const struct bsdvm_region *r, const struct listing_namer *namer)
{
	const char *name = NULL;

	if (namer != NULL && namer->name != NULL)
		name = namer->name(namer->ctx, r);
	if (name != NULL)
		return name;
	if (r->eflags & MAP_ENTRY_GUARD)
		return "[guard]";
	if (r->eflags & (MAP_ENTRY_GROWS_DOWN | MAP_ENTRY_GROWS_UP))
		return "[stack]";
	return r->object != NULL ? "[object]" : "";
}

/* State shared by the per-entry printers. */
struct listing_ctx {
	FILE *out;
	int pid;
	const struct listing_namer *namer;
	unsigned long count;
};

/* ---- Linux /proc/PID/maps ---- */

/* Where the path column starts on a 64-bit kernel (0-based). */
#define MAPS_PATH_COLUMN 73

/* A path as the kernel escapes it: only the newline becomes "\012". */
static void put_escaped_path(FILE *out, const char *path)
{
	for (; *path != '\0'; path++) {
		if (*path == '\n')
			fputs("\\012", out);
		else
			fputc(*path, out);
	}
}

static int print_maps(void *arg, const struct bsdvm_region *r)
{
	struct listing_ctx *c = arg;
	const char *path = listing_path(r, c->namer);
	char prot[4];
	int len;

	/* 's' only for memory a child shares; private (COW) memory is 'p' */
	len = fprintf(c->out, "%08" PRIx64 "-%08" PRIx64 " %s%c %08" PRIx64 " 00:00 0",
	    r->start, r->end, names_prot(r->protection, prot),
	    r->inheritance == VM_INHERIT_SHARE && !(r->eflags & MAP_ENTRY_COW) ? 's' : 'p',
	    r->offset);
	if (path[0] != '\0') {
		do
			fputc(' ', c->out);
		while (++len < MAPS_PATH_COLUMN);
		put_escaped_path(c->out, path);
	}
	fputc('\n', c->out);
	return 0;
}

/* ---- FreeBSD procstat -v ---- */

static void procstat_header(FILE *out)
{
	fprintf(out, "%5s %18s %18s %-3s %4s %4s %3s %3s %-5s %-2s %s\n", "PID", "START",
	    "END", "PRT", "RES", "PRES", "REF", "SHD", "FLAG", "TP", "PATH");
}

/* C copy-on-write, N needs copy, S superpage (never known here),
 * D/U grows down/up, W user-wired. */
static const char *procstat_flags(uint32_t f, char buf[6])
{
	buf[0] = (f & MAP_ENTRY_COW) ? 'C' : '-';
	buf[1] = (f & MAP_ENTRY_NEEDS_COPY) ? 'N' : '-';
	buf[2] = '-';
	buf[3] = (f & MAP_ENTRY_GROWS_DOWN) ? 'D' : (f & MAP_ENTRY_GROWS_UP) ? 'U' : '-';
	buf[4] = (f & MAP_ENTRY_USER_WIRED) ? 'W' : '-';
	buf[5] = '\0';
	return buf;
}

/* gd guard, -- no object yet (untouched anonymous memory), df an object. */
static const char *procstat_type(const struct bsdvm_region *r)
{
	if (r->eflags & MAP_ENTRY_GUARD)
		return "gd";
	return r->object == NULL ? "--" : "df";
}

static int print_procstat(void *arg, const struct bsdvm_region *r)
{
	struct listing_ctx *c = arg;
	const char *path = listing_path(r, c->namer);
	char start[24], end[24], prot[4], flags[6];

	snprintf(start, sizeof(start), "0x%" PRIx64, r->start);
	snprintf(end, sizeof(end), "0x%" PRIx64, r->end);
	fprintf(c->out, "%5d %18s %18s %-3s %4d %4d %3d %3d %-5s %-2s", c->pid, start, end,
	    names_prot(r->protection, prot), 0, 0, 0, 0, procstat_flags(r->eflags, flags),
	    procstat_type(r));
	if (path[0] != '\0') {
		fputc(' ', c->out);
		put_escaped_path(c->out, path);
	}
	fputc('\n', c->out);
	return 0;
}

/* ---- JSON ---- */

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void json_flags(FILE *out, uint32_t eflags)
{
	const struct names_flag *f;
	uint32_t known = 0;
	int n = 0;

	fputc('[', out);
	for (f = names_eflags; f->name != NULL; f++) {
		known |= f->bit;
		if (eflags & f->bit)
			fprintf(out, "%s\"%s\"", n++ ? ", " : "", f->name);
	}
	if (eflags & ~known)
		fprintf(out, "%s\"0x%" PRIx32 "\"", n ? ", " : "", eflags & ~known);
	fputc(']', out);
}

static int print_json(void *arg, const struct bsdvm_region *r)
{
	struct listing_ctx *c = arg;
	char prot[4], maxprot[4];

	fprintf(c->out, "%s  {\"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64 "\", ",
	    c->count++ ? ",\n" : "\n", r->start, r->end);
	fprintf(c->out, "\"prot\": \"%s\", \"maxprot\": \"%s\", \"inherit\": \"%s\", ",
	    names_prot(r->protection, prot), names_prot(r->max_protection, maxprot),
	    names_inherit(r->inheritance));
	fprintf(c->out, "\"advice\": \"%s\", \"flags\": ", names_advice(r->advice));
	json_flags(c->out, r->eflags);
	fprintf(c->out, ", \"wired\": %" PRId32 ", \"offset\": \"0x%" PRIx64 "\", \"path\": ",
	    r->wired_count, r->offset);
	json_string(c->out, listing_path(r, c->namer));
	fputc('}', c->out);
	return 0;
}

/* ---- dispatch ---- */

void listing_print_named(FILE *out, struct vm_map *map, enum listing_format format,
    int pid, const struct listing_namer *namer)
{
	struct listing_ctx c = { out, pid, namer, 0 };

	switch (format) {
	case LISTING_PROCSTAT:
		procstat_header(out);
		bsdvm_map_foreach(map, print_procstat, &c);
		break;
	case LISTING_JSON:
		fputc('[', out);
		bsdvm_map_foreach(map, print_json, &c);
		fputs(c.count ? "\n]\n" : "]\n", out);
		break;
	case LISTING_MAPS:
	default:
		bsdvm_map_foreach(map, print_maps, &c);
		break;
	}
}

void listing_print(FILE *out, struct vm_map *map, enum listing_format format, int pid)
{
	listing_print_named(out, map, format, pid, NULL);
}
