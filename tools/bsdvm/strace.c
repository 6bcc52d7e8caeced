/*
 * strace.c - strace -f output, line by line, into records.
 *
 * A line is: [PID] [TIMESTAMP] [[IP]] BODY [<DURATION>].  The body is a
 * call "NAME(ARGS) = RESULT", the start of one ("NAME(ARGS <unfinished
 * ...>"), its end ("<... NAME resumed>ARGS) = RESULT"), or an event
 * ("--- ... ---", "+++ ... +++", "[ ... ]").  A started call is kept per
 * TID until its end arrives and is then returned as one record, so the
 * caller sees calls in the order they completed - the only order in which
 * their effects are known.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strace.h"

/* A call whose start was seen and whose end was not, yet. */
struct pending {
	long pid, orig_pid;
	unsigned long line;
	char *name, *args;
};

struct strace_reader {
	FILE *in;
	const char *path;
	char *buf;
	size_t cap;
	unsigned long line;
	uint64_t bytes;
	struct pending *pend;
	size_t npend, cappend;
	char err[512];
};

void strace_rec_free(struct strace_rec *rec)
{
	free(rec->block);
	rec->block = NULL;
}

struct strace_reader *strace_open(FILE *in, const char *path)
{
	struct strace_reader *r = calloc(1, sizeof(*r));

	if (r != NULL) {
		r->in = in;
		r->path = path;
	}
	return r;
}

static void pending_drop(struct pending *p)
{
	free(p->name);
	free(p->args);
}

void strace_close(struct strace_reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->npend; i++)
		pending_drop(&r->pend[i]);
	free(r->pend);
	free(r->buf);
	free(r);
}

const char *strace_error(const struct strace_reader *r) { return r->err; }
unsigned long strace_lines(const struct strace_reader *r) { return r->line; }
uint64_t strace_bytes(const struct strace_reader *r) { return r->bytes; }
unsigned strace_pending(const struct strace_reader *r) { return (unsigned)r->npend; }

static int bad(struct strace_reader *r, const char *why)
{
	snprintf(r->err, sizeof(r->err), "%s:%lu: %s", r->path, r->line, why);
	return -1;
}

/* ---- building records ---- */

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Fills rec's strings from three pieces (any may be NULL). */
static bool rec_strings(struct strace_rec *rec, const char *name, size_t nlen,
    const char *args, size_t alen, const char *err, size_t elen)
{
	char *b = malloc(nlen + alen + elen + 3);

	if (b == NULL)
		return false;
	rec->block = b;
	rec->name = b;
	memcpy(b, name ? name : "", nlen);
	b[nlen] = '\0';
	rec->args = b + nlen + 1;
	memcpy(rec->args, args ? args : "", alen);
	rec->args[alen] = '\0';
	rec->err = rec->args + alen + 1;
	memcpy(rec->err, err ? err : "", elen);
	rec->err[elen] = '\0';
	return true;
}

/* ---- scanning ---- */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Past a quoted string starting at p (on the opening quote); NULL if open. */
static const char *skip_string(const char *p)
{
	for (p++; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/*
 * Finds the ')' that closes an argument list starting at p (just after
 * the '('), skipping strings, comments, nested brackets and -y paths
 * ("3</a (b)>", "5<TCP:[1.2.3.4:5->6.7.8.9:10]>").  NULL if the line ends
 * first.
 */
static const char *scan_args(const char *p)
{
	int depth = 0;

	while (*p != '\0') {
		if (*p == '"') {
			p = skip_string(p);
			if (p == NULL)
				return NULL;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");

			if (e == NULL)
				return NULL;
			p = e + 2;
			continue;
		}
		if (*p == '<' && p[-1] >= '0' && p[-1] <= '9') {
			int sq = 0;

			for (p++; *p != '\0' && !(*p == '>' && sq == 0); p++) {
				if (*p == '[')
					sq++;
				else if (*p == ']' && sq > 0)
					sq--;
			}
			if (*p == '\0')
				return NULL;
			p++;
			continue;
		}
		if (*p == '(' || *p == '[' || *p == '{') {
			depth++;
		} else if (*p == ')' || *p == ']' || *p == '}') {
			if (depth == 0)
				return *p == ')' ? p : NULL;
			depth--;
		}
		p++;
	}
	return NULL;
}

/* Parses "= RESULT [ERRNAME (text)] ..." at p into rec. */
static bool parse_result(const char *p, struct strace_rec *rec, const char **errp,
    size_t *errlen)
{
	char *end;
	long long v;

	p = skip_ws(p);
	if (*p != '=')
		return false;
	p = skip_ws(p + 1);
	*errp = NULL;
	*errlen = 0;
	rec->result = 0;
	rec->result_known = false;
	if (*p == '?')
		return true;
	errno = 0;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		unsigned long long u = strtoull(p, &end, 16);

		v = (long long)u;
	} else {
		v = strtoll(p, &end, 10);
	}
	if (end == p || errno == ERANGE)
		return false;
	if (*end != '\0' && *end != ' ' && *end != '\t' && *end != '<')
		return false;
	rec->result = v;
	rec->result_known = true;
	p = skip_ws(end);
	if (*p == '<') { /* -y: "= 3</etc/passwd>" */
		const char *q = strchr(p, '>');

		p = skip_ws(q != NULL ? q + 1 : p + strlen(p));
	}
	if (v < 0 && *p == 'E') {
		const char *q = p;

		while (isupper((unsigned char)*q) || isdigit((unsigned char)*q) || *q == '_')
			q++;
		*errp = p;
		*errlen = (size_t)(q - p);
	}
	return true;
}

/* ---- pending calls ---- */

static struct pending *pending_find(struct strace_reader *r, long pid)
{
	size_t i;

	for (i = 0; i < r->npend; i++) {
		if (r->pend[i].pid == pid)
			return &r->pend[i];
	}
	return NULL;
}

static void pending_remove(struct strace_reader *r, struct pending *p)
{
	pending_drop(p);
	*p = r->pend[--r->npend];
}

/* Remembers the start of a call; a thread has at most one call open. */
static bool pending_add(struct strace_reader *r, long pid, long orig, const char *name,
    size_t nlen, const char *args, size_t alen)
{
	struct pending *p = pending_find(r, pid);

	if (p != NULL)
		pending_remove(r, p); /* its end was lost (the thread was killed) */
	if (r->npend == r->cappend) {
		size_t cap = r->cappend ? 2 * r->cappend : 16;
		struct pending *v = realloc(r->pend, cap * sizeof(*v));

		if (v == NULL)
			return false;
		r->pend = v;
		r->cappend = cap;
	}
	p = &r->pend[r->npend];
	p->pid = pid;
	p->orig_pid = orig;
	p->line = r->line;
	p->name = dup_n(name, nlen);
	p->args = dup_n(args, alen);
	if (p->name == NULL || p->args == NULL) {
		pending_drop(p);
		return false;
	}
	r->npend++;
	return true;
}

/* ---- bodies ---- */

static size_t name_len(const char *p)
{
	size_t n = 0;

	while (isalnum((unsigned char)p[n]) || p[n] == '_')
		n++;
	return n;
}

/* Strips a trailing marker " <...>" of the given prefix; returns the cut
 * point or NULL when the line does not end with such a marker. */
static char *cut_marker(char *body, const char *prefix)
{
	size_t len = strlen(body);
	char *m;

	if (len == 0 || body[len - 1] != '>')
		return NULL;
	m = strstr(body, prefix);
	if (m == NULL)
		return NULL;
	while (strstr(m + 1, prefix) != NULL)
		m = strstr(m + 1, prefix);
	return m;
}

/*
 * A call line: "NAME(ARGS) = RESULT".  args_open is the text after '(';
 * returns 1 with rec filled, 0 when the line only started the call (it
 * was stored), -1 when malformed.
 */
static int body_call(struct strace_reader *r, long pid, const char *name, size_t nlen,
    const char *args, struct strace_rec *rec)
{
	const char *close = scan_args(args), *err;
	size_t errlen;

	if (close == NULL)
		return bad(r, "unbalanced argument list");
	if (!parse_result(close + 1, rec, &err, &errlen))
		return bad(r, "no result after the argument list (expected '= VALUE')");
	rec->kind = STRACE_CALL;
	if (!rec_strings(rec, name, nlen, args, (size_t)(close - args), err, errlen))
		return bad(r, "out of memory");
	(void)pid;
	return 1;
}

static int body_unfinished(struct strace_reader *r, long pid, char *body)
{
	char *m = cut_marker(body, " <unfinished ...>"), *pc, *open;
	long target = pid;
	size_t nlen = name_len(body);

	if (m == NULL) {
		/* execve from a thread: "<pid changed to N ...>" */
		m = cut_marker(body, "<pid changed to ");
		if (m == NULL)
			return 0;
		target = strtol(m + strlen("<pid changed to "), &pc, 10);
		if (pc == m + strlen("<pid changed to ") || target <= 0)
			return bad(r, "bad '<pid changed to N ...>'");
		while (m > body && m[-1] == ' ')
			m--;
	}
	if (nlen == 0 || body[nlen] != '(')
		return bad(r, "an unfinished call without 'NAME('");
	open = body + nlen + 1;
	while (m > open && m[-1] == ' ')
		m--;
	if (!pending_add(r, target, pid, body, nlen, open, (size_t)(m - open)))
		return bad(r, "out of memory");
	return 1;
}

/* "<... NAME resumed>REST" */
static int body_resumed(struct strace_reader *r, long pid, char *body, struct strace_rec *rec)
{
	char *p = body + 5, *joined;
	size_t nlen = name_len(p), jlen;
	struct pending *pd;
	int rv;

	if (nlen == 0 || strncmp(p + nlen, " resumed>", 9) != 0)
		return bad(r, "bad '<... NAME resumed>'");
	pd = pending_find(r, pid);
	if (pd != NULL && (strlen(pd->name) != nlen || strncmp(pd->name, p, nlen) != 0))
		pd = NULL; /* another call: an execve from a thread took this TID over */
	/* NAME(START REST: the argument list as if it had been on one line */
	jlen = nlen + 1 + (pd ? strlen(pd->args) + 1 : 0) + strlen(p + nlen + 9);
	joined = malloc(jlen + 1);
	if (joined == NULL)
		return bad(r, "out of memory");
	snprintf(joined, jlen + 1, "%.*s(%s%s%s", (int)nlen, p, pd ? pd->args : "",
	    pd ? " " : "", p + nlen + 9);
	rv = body_call(r, pid, joined, nlen, joined + nlen + 1, rec);
	if (rv == 1) {
		rec->resumed_only = pd == NULL;
		if (pd != NULL) {
			rec->start_line = pd->line;
			rec->orig_pid = pd->orig_pid;
		}
	}
	if (pd != NULL)
		pending_remove(r, pd);
	free(joined);
	return rv;
}

/* "--- SIGSEGV {...} ---" or "--- stopped by SIGSTOP ---" */
static int body_signal(struct strace_reader *r, char *body, struct strace_rec *rec)
{
	char *p = body + 4, *end = body + strlen(body);
	size_t nlen;

	if (end - body < 8 || strcmp(end - 4, " ---") != 0)
		return bad(r, "a signal line that does not end with ' ---'");
	end -= 4;
	if (strncmp(p, "stopped by ", 11) == 0)
		p += 11;
	nlen = name_len(p);
	if (nlen == 0)
		return bad(r, "a signal line without a signal name");
	rec->kind = STRACE_SIGNAL;
	if (!rec_strings(rec, p, nlen, skip_ws(p + nlen),
	    (size_t)(end - skip_ws(p + nlen)), NULL, 0))
		return bad(r, "out of memory");
	return 1;
}

/* "+++ exited with N +++", "+++ killed by SIGX [(core dumped)] +++",
 * "+++ superseded by execve in pid N +++" */
static int body_exit(struct strace_reader *r, char *body, struct strace_rec *rec)
{
	char *p = body + 4, *end;
	size_t nlen = 0;

	if (strncmp(p, "exited with ", 12) == 0) {
		rec->kind = STRACE_EXITED;
		rec->value = strtol(p + 12, &end, 10);
		if (end == p + 12)
			return bad(r, "bad '+++ exited with N +++'");
	} else if (strncmp(p, "killed by ", 10) == 0) {
		rec->kind = STRACE_KILLED;
		p += 10;
		nlen = name_len(p);
		if (nlen == 0)
			return bad(r, "bad '+++ killed by SIGNAL +++'");
	} else if (strncmp(p, "superseded by execve in pid ", 28) == 0) {
		rec->kind = STRACE_SUPERSEDED;
		rec->value = strtol(p + 28, &end, 10);
		if (end == p + 28)
			return bad(r, "bad '+++ superseded by execve in pid N +++'");
	} else {
		return bad(r, "unknown '+++' line");
	}
	if (!rec_strings(rec, p, nlen, NULL, 0, NULL, 0))
		return bad(r, "out of memory");
	return 1;
}

static int body_note(struct strace_reader *r, char *body, struct strace_rec *rec)
{
	rec->kind = STRACE_NOTE;
	if (strstr(body, "runs in 32 bit mode") != NULL)
		rec->value = 32;
	else if (strstr(body, "runs in 64 bit mode") != NULL)
		rec->value = 64;
	if (!rec_strings(rec, NULL, 0, body, strlen(body), NULL, 0))
		return bad(r, "out of memory");
	return 1;
}

/* ---- prefixes ---- */

static bool is_timestamp(const char *p, const char **after)
{
	const char *q = p;
	bool sep = false;

	while (isdigit((unsigned char)*q) || *q == ':' || *q == '.') {
		sep |= *q == ':' || *q == '.';
		q++;
	}
	if (!sep || q == p || (*q != ' ' && *q != '\t'))
		return false;
	*after = skip_ws(q);
	return true;
}

/* Skips the columns before the body; *pid gets the TID (0 if none). */
static char *skip_prefix(char *p, long *pid)
{
	const char *after;
	char *end;

	*pid = 0;
	p = (char *)skip_ws(p);
	if (strncmp(p, "[pid ", 5) == 0) {
		*pid = strtol(p + 5, &end, 10);
		if (*end == ']')
			p = (char *)skip_ws(end + 1);
	} else if (isdigit((unsigned char)*p)) {
		long v = strtol(p, &end, 10);

		if (*end == '<') { /* -Y: "7067<comm>" */
			char *q = strchr(end, '>');

			if (q != NULL)
				end = q + 1;
		}
		if (*end == ' ' || *end == '\t') {
			*pid = v;
			p = (char *)skip_ws(end);
		}
	}
	if (is_timestamp(p, &after))
		p = (char *)after;
	if (p[0] == '[' && (isxdigit((unsigned char)p[1]) || p[1] == '?')) {
		/* -i: "[00007f5c71d03c47]", "[????????????????]" when unknown */
		end = strchr(p, ']');
		if (end != NULL)
			p = (char *)skip_ws(end + 1);
	}
	return p;
}

/* Removes the line end and a -T duration " <0.000018>". */
static void trim_line(char *s)
{
	size_t n = strlen(s);
	char *lt;

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
	if (n > 2 && s[n - 1] == '>' && (lt = strrchr(s, '<')) != NULL && lt > s &&
	    lt[-1] == ' ' && isdigit((unsigned char)lt[1])) {
		char *q = lt + 1;

		while (isdigit((unsigned char)*q) || *q == '.')
			q++;
		if (*q == '>' && q[1] == '\0') {
			*lt = '\0';
			n = (size_t)(lt - s);
			while (n > 0 && s[n - 1] == ' ')
				s[--n] = '\0';
		}
	}
}

/* One line: 1 a record, 0 nothing to report, -1 malformed. */
static int parse_line(struct strace_reader *r, char *line, struct strace_rec *rec)
{
	char *body;
	long pid;
	size_t nlen;
	int rv;

	trim_line(line);
	body = skip_prefix(line, &pid);
	memset(rec, 0, sizeof(*rec));
	rec->line = rec->start_line = r->line;
	rec->pid = rec->orig_pid = pid;
	if (*body == '\0')
		return 0;
	if (strncmp(body, "--- ", 4) == 0)
		return body_signal(r, body, rec);
	if (strncmp(body, "+++ ", 4) == 0)
		return body_exit(r, body, rec);
	if (strncmp(body, "<... ", 5) == 0)
		return body_resumed(r, pid, body, rec);
	if (body[0] == '[' || strncmp(body, "strace: ", 8) == 0)
		return body_note(r, body, rec);
	nlen = name_len(body);
	if (nlen == 0 || body[nlen] != '(' || isdigit((unsigned char)body[0]))
		return bad(r, "not a line of strace output (expected 'NAME(ARGS) = RESULT')");
	rv = body_unfinished(r, pid, body);
	if (rv != 0)
		return rv < 0 ? rv : 0;
	return body_call(r, pid, body, nlen, body + nlen + 1, rec);
}

int strace_next(struct strace_reader *r, struct strace_rec *rec)
{
	for (;;) {
		ssize_t n = getline(&r->buf, &r->cap, r->in);
		int rv;

		if (n < 0) {
			if (ferror(r->in)) {
				r->line++;
				return bad(r, strerror(errno));
			}
			return 0;
		}
		r->line++;
		r->bytes += (uint64_t)n;
		if (memchr(r->buf, '\0', (size_t)n) != NULL)
			return bad(r, "a NUL byte: not a text file");
		rv = parse_line(r, r->buf, rec);
		if (rv != 0)
			return rv;
	}
}
