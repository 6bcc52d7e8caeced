/*
 * maps0.c - /proc/PID/maps text into entries.
 *
 * Split on whitespace, not on columns: the path column's position depends
 * on the kernel's word size.  The path is the rest of the line after the
 * inode and may hold spaces; the kernel writes a newline in it as "\012".
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maps0.h"

static bool hex_field(const char **pp, char stop, uint64_t *out)
{
	const char *p = *pp;
	uint64_t v = 0;
	int digits = 0;

	while (isxdigit((unsigned char)*p)) {
		if (digits++ == 16)
			return false;
		v = v * 16 + (uint64_t)(isdigit((unsigned char)*p) ? *p - '0'
		                                                   : (tolower((unsigned char)*p) - 'a' + 10));
		p++;
	}
	if (digits == 0 || *p != stop)
		return false;
	*out = v;
	*pp = p + 1;
	return true;
}

/* The path with "\012" turned back into a newline. */
static char *unescape(const char *s)
{
	char *d = malloc(strlen(s) + 1), *q = d;

	if (d == NULL)
		return NULL;
	while (*s != '\0') {
		if (strncmp(s, "\\012", 4) == 0) {
			*q++ = '\n';
			s += 4;
		} else {
			*q++ = *s++;
		}
	}
	*q = '\0';
	return d;
}

/* Parses one line; false with *why set when it is not a maps line. */
static bool parse(char *line, struct maps0_entry *e, const char **why)
{
	const char *p = line;
	char *end;
	uint64_t dummy;

	*why = "expected 'start-end perms offset dev inode [path]'";
	if (!hex_field(&p, '-', &e->start) || !hex_field(&p, ' ', &e->end))
		return false;
	if (e->end <= e->start) {
		*why = "the end is not above the start";
		return false;
	}
	if (strlen(p) < 5 || strchr("r-", p[0]) == NULL || strchr("w-", p[1]) == NULL ||
	    strchr("x-", p[2]) == NULL || strchr("ps", p[3]) == NULL || p[4] != ' ') {
		*why = "bad permissions (expected four characters like 'r-xp')";
		return false;
	}
	e->read = p[0] == 'r';
	e->write = p[1] == 'w';
	e->exec = p[2] == 'x';
	e->shared = p[3] == 's';
	p += 5;
	if (!hex_field(&p, ' ', &e->offset) || !hex_field(&p, ':', &dummy) ||
	    !hex_field(&p, ' ', &dummy))
		return false;
	errno = 0;
	e->inode = strtoul(p, &end, 10);
	if (end == p || errno != 0 || (*end != ' ' && *end != '\0'))
		return false;
	p = end;
	while (*p == ' ' || *p == '\t')
		p++;
	e->path = unescape(p);
	if (e->path == NULL) {
		*why = "out of memory";
		return false;
	}
	return true;
}

static bool fail(char *err, size_t errlen, const char *path, unsigned long line,
    const char *why)
{
	if (line > 0)
		snprintf(err, errlen, "%s:%lu: %s", path, line, why);
	else
		snprintf(err, errlen, "%s: %s", path, why);
	return false;
}

bool maps0_read(const char *path, struct maps0 *out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, alloc = 0;
	unsigned long line = 0;
	ssize_t n;
	bool ok = true;

	out->v = NULL;
	out->n = 0;
	if (f == NULL)
		return fail(err, errlen, path, 0, strerror(errno));
	while (ok && (n = getline(&buf, &cap, f)) >= 0) {
		struct maps0_entry e;
		const char *why;

		line++;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (n == 0)
			continue;
		if (!parse(buf, &e, &why)) {
			ok = fail(err, errlen, path, line, why);
			break;
		}
		e.line = line;
		if (out->n > 0 && e.start < out->v[out->n - 1].end) {
			free(e.path);
			ok = fail(err, errlen, path, line, "ranges overlap or are not in order");
			break;
		}
		if (out->n == alloc) {
			size_t ncap = alloc ? 2 * alloc : 32;
			struct maps0_entry *v = realloc(out->v, ncap * sizeof(*v));

			if (v == NULL) {
				free(e.path);
				ok = fail(err, errlen, path, line, "out of memory");
				break;
			}
			out->v = v;
			alloc = ncap;
		}
		out->v[out->n++] = e;
	}
	if (ok && ferror(f))
		ok = fail(err, errlen, path, 0, strerror(errno));
	free(buf);
	fclose(f);
	if (!ok)
		maps0_free(out);
	return ok;
}

void maps0_free(struct maps0 *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}
