/*
 * scenario_parse.c - reading a scenario and checking every line before
 * anything runs: known operations, argument kinds, options, result-code
 * names, and names used only after a line has bound them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "scenario.h"

/* What a name stands for while parsing. */
enum decl_kind { DECL_SPACE, DECL_ADDR, DECL_OBJECT };

struct decl {
	char *name;
	enum decl_kind kind;
	bool live; /* spaces: not exited */
};

struct scn_parser {
	const char *file;
	int line;          /* the line being parsed (1-based) */
	char **lines;      /* the file, split into lines */
	int nlines;
	int next;          /* index of the next line to read */
	struct decl *d;
	size_t nd, capd;
};

bool scn_parse_error(struct scn_parser *p, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", p->file, p->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

/* ---- names ---- */

static struct decl *find_decl(struct scn_parser *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nd; i++) {
		if (strcmp(p->d[i].name, name) == 0)
			return &p->d[i];
	}
	return NULL;
}

static bool declare(struct scn_parser *p, const char *name, enum decl_kind kind)
{
	struct decl *d = find_decl(p, name);
	size_t len;

	if (d != NULL) {
		d->live = true;
		return true;
	}
	if (p->nd == p->capd) {
		size_t cap = p->capd ? 2 * p->capd : 16;
		struct decl *v = realloc(p->d, cap * sizeof(*v));

		if (v == NULL)
			return scn_parse_error(p, "out of memory");
		p->d = v;
		p->capd = cap;
	}
	len = strlen(name) + 1;
	p->d[p->nd].name = malloc(len);
	if (p->d[p->nd].name == NULL)
		return scn_parse_error(p, "out of memory");
	memcpy(p->d[p->nd].name, name, len);
	p->d[p->nd].kind = kind;
	p->d[p->nd].live = true;
	p->nd++;
	return true;
}

static const char *kind_word(enum decl_kind k)
{
	return k == DECL_SPACE ? "an address space" : k == DECL_OBJECT ? "an object"
	    : "an address";
}

/* Words that can never be names, so that they stay unambiguous. */
static bool reserved(const char *name)
{
	static const char *const words[] = { "any", "stats", "file", "kernel", NULL };
	const char *const *w;

	for (w = words; *w != NULL; w++) {
		if (strcmp(*w, name) == 0)
			return true;
	}
	return false;
}

/* A new name of kind: well formed, not reserved, not bound to another kind. */
static bool check_new_name(struct scn_parser *p, const char *name, enum decl_kind kind)
{
	struct decl *d;

	if (!scn_is_name(name))
		return scn_parse_error(p, "'%s' is not a name (a letter or '_', then letters, "
		    "digits, '_')", name);
	if (reserved(name))
		return scn_parse_error(p, "'%s' is a reserved word", name);
	d = find_decl(p, name);
	if (d != NULL && d->kind != kind)
		return scn_parse_error(p, "'%s' is %s already", name, kind_word(d->kind));
	if (d != NULL && kind == DECL_SPACE && d->live)
		return scn_parse_error(p, "address space '%s' exists already", name);
	if (d != NULL && kind == DECL_OBJECT)
		return scn_parse_error(p, "object '%s' exists already", name);
	return true;
}

static bool check_used_name(struct scn_parser *p, const char *name, enum decl_kind kind)
{
	struct decl *d = find_decl(p, name);

	if (kind == DECL_SPACE && strcmp(name, WORLD_KERNEL) == 0)
		return true;
	if (d == NULL)
		return scn_parse_error(p, "unknown name '%s' (%s)", name, kind_word(kind));
	if (d->kind != kind)
		return scn_parse_error(p, "'%s' is %s, not %s", name, kind_word(d->kind),
		    kind_word(kind));
	if (kind == DECL_SPACE && !d->live)
		return scn_parse_error(p, "address space '%s' has exited", name);
	return true;
}

/* ---- values ---- */

/*
 * An address: a number or a name, then any number of +N and -N terms
 * ("stack+1M-8").  A literal is folded into v->num; a name's terms are
 * folded into v->num as a 64-bit two's-complement offset (v->name set).
 */
static bool parse_addr(struct scn_parser *p, const struct scn_tok *t, struct scn_value *v)
{
	char *s = t->text, *term = strpbrk(s + 1, "+-");
	uint64_t base = 0, n;

	if (term == NULL && scn_number(s, &v->num))
		return true;
	if (term != NULL) {
		char sign = *term;

		*term = '\0'; /* the token's own copy: split it in place */
		if (scn_number(s, &base)) {
			v->name = NULL;
		} else if (scn_is_name(s)) {
			v->name = s;
		} else {
			*term = sign;
			goto bad;
		}
		*term = sign;
		while (term != NULL) {
			char *next = strpbrk(term + 1, "+-"), num[32];
			size_t len = next != NULL ? (size_t)(next - term - 1) : strlen(term + 1);

			if (len == 0 || len >= sizeof(num))
				goto bad;
			memcpy(num, term + 1, len);
			num[len] = '\0';
			if (!scn_number(num, &n))
				goto bad;
			base = *term == '+' ? base + n : base - n; /* wraps: two's complement */
			term = next;
		}
		*strpbrk(s + 1, "+-") = '\0'; /* the name ends at its first term */
		v->num = base;
	} else if (scn_is_name(s)) {
		v->name = s;
	} else {
		goto bad;
	}
	return v->name == NULL || check_used_name(p, v->name, DECL_ADDR);
bad:
	return scn_parse_error(p, "bad address '%s' (a number or a name, then +N or -N terms, "
	    "like heap+4K or stack+1M-8)", t->text);
}

static const char *kind_name(unsigned kind)
{
	switch (kind) {
	case SCN_SPACE: case SCN_NEWSPACE: return "an address space name";
	case SCN_BIND: return "a name for the result (or -)";
	case SCN_ADDR: return "an address";
	case SCN_HINT: return "an address or 'any'";
	case SCN_SIZE: return "a size";
	case SCN_PROT: return "a protection (like r-x)";
	case SCN_DATA: return "a string in double quotes";
	case SCN_WORD: return "a word";
	case SCN_OBJECT: case SCN_NEWOBJECT: return "an object name";
	default: return "a value";
	}
}

static bool parse_word(struct scn_parser *p, const struct scn_tok *t, const struct scn_op *op,
    struct scn_value *v)
{
	uint64_t i;

	for (i = 0; op->words != NULL && op->words[i] != NULL; i++) {
		if (strcmp(op->words[i], t->text) == 0) {
			v->num = i;
			return true;
		}
	}
	return scn_parse_error(p, "'%s' is not one of the words %s takes", t->text, op->name);
}

bool scn_parse_value(struct scn_parser *p, unsigned kind, const struct scn_tok *t,
    const struct scn_op *op, struct scn_value *v)
{
	kind &= ~SCN_OPTIONAL;
	memset(v, 0, sizeof(*v));
	v->set = true;
	if (kind == SCN_DATA || kind == SCN_TEXT) {
		if (kind == SCN_DATA && !t->quoted)
			return scn_parse_error(p, "expected a string in double quotes, not '%s'",
			    t->text);
		v->bytes = t->text;
		v->len = t->len;
		return true;
	}
	if (t->quoted)
		return scn_parse_error(p, "expected %s, not a string", kind_name(kind));
	switch (kind) {
	case SCN_SPACE:
		v->name = t->text;
		return check_used_name(p, t->text, DECL_SPACE);
	case SCN_NEWSPACE:
		v->name = t->text;
		return check_new_name(p, t->text, DECL_SPACE);
	case SCN_OBJECT:
		v->name = t->text;
		return check_used_name(p, t->text, DECL_OBJECT);
	case SCN_NEWOBJECT:
		v->name = t->text;
		return check_new_name(p, t->text, DECL_OBJECT);
	case SCN_BIND:
		if (strcmp(t->text, "-") == 0)
			return true;
		v->name = t->text;
		return check_new_name(p, t->text, DECL_ADDR);
	case SCN_HINT:
		if (strcmp(t->text, "any") == 0) {
			v->any = true;
			return true;
		}
		return parse_addr(p, t, v);
	case SCN_ADDR:
		return parse_addr(p, t, v);
	case SCN_SIZE:
		if (!scn_number(t->text, &v->num))
			return scn_parse_error(p, "bad number '%s' (like 4096, 0x1000, 16K, 2M)",
			    t->text);
		return true;
	case SCN_PROT:
		if (!scn_prot(t->text, &v->num))
			return scn_parse_error(p, "bad protection '%s' (like rw-, r-x, ---)",
			    t->text);
		return true;
	case SCN_WORD:
		return parse_word(p, t, op, v);
	default:
		return scn_parse_error(p, "internal error: argument kind %u", kind);
	}
}

/* ---- options and positional arguments ---- */

static int find_opt(const struct scn_op *op, const char *key, bool flag)
{
	int i;

	for (i = 0; i < SCN_MAXOPTS && op->opts[i].key != NULL; i++) {
		if (strcmp(op->opts[i].key, key) == 0 && (op->opts[i].kind == SCN_FLAG) == flag)
			return i;
	}
	return -1;
}

static bool is_option(const struct scn_op *op, const struct scn_tok *t)
{
	return t->key != NULL || (!t->quoted && find_opt(op, t->text, true) >= 0);
}

/* What a custom option accepts, for the message about a bad value. */
static const char *custom_values(const char *key)
{
	static const struct {
		const char *key, *values;
	} help[] = {
		{ "find", "VMFS_NO_SPACE, VMFS_ANY_SPACE, VMFS_OPTIMAL_SPACE, VMFS_SUPER_SPACE "
			  "or VMFS_ALIGNED_SPACE(n) with n below 64" },
		{ "cow", "MAP_* flags or numbers joined by '|'" },
		{ "flags", "UVM_FLAG_* flags or numbers joined by '|'" },
		{ "inh", "UVM_INH_SHARE, UVM_INH_COPY, UVM_INH_NONE or UVM_INH_DONATE" },
		{ "advice", "UVM_ADV_NORMAL, _RANDOM, _SEQUENTIAL, _WILLNEED, _DONTNEED or "
			    "_NOREUSE" },
	};

	for (size_t i = 0; i < sizeof(help) / sizeof(help[0]); i++)
		if (strcmp(help[i].key, key) == 0)
			return help[i].values;
	return "see bsdvm(1)";
}

static bool parse_option(struct scn_parser *p, const struct scn_op *op, const struct scn_tok *t,
    struct scn_stmt *st)
{
	int i = find_opt(op, t->key != NULL ? t->key : t->text, t->key == NULL);
	const struct scn_opt *o;

	if (i < 0) {
		if (t->key != NULL)
			return scn_parse_error(p, "%s takes no option '%s='", op->name, t->key);
		return scn_parse_error(p, "unexpected '%s' (%s takes no more arguments)", t->text,
		    op->name);
	}
	o = &op->opts[i];
	if (st->opt[i].set)
		return scn_parse_error(p, "option '%s' given twice", o->key);
	if (o->kind == SCN_FLAG) {
		st->opt[i].set = true;
		return true;
	}
	if (o->kind == SCN_CUSTOM) {
		st->opt[i].set = true;
		if (t->quoted || !o->parse(t->text, &st->opt[i].num))
			return scn_parse_error(p, "bad value '%s' for %s= (expected %s)", t->text,
			    o->key, custom_values(o->key));
		return true;
	}
	return scn_parse_value(p, o->kind, t, op, &st->opt[i]);
}

/* May token t fill optional positional argument kind? */
static bool fits_optional(struct scn_parser *p, unsigned kind, const struct scn_tok *t)
{
	struct decl *d;

	if (t->quoted || t->key != NULL)
		return false;
	switch (kind & ~SCN_OPTIONAL) {
	case SCN_SIZE:
		return isdigit((unsigned char)t->text[0]) != 0;
	case SCN_SPACE:
		/* a name that is not a space is reported as such by the caller */
		d = find_decl(p, t->text);
		return scn_is_name(t->text) && (d == NULL || d->kind == DECL_SPACE ||
		    strcmp(t->text, WORLD_KERNEL) == 0);
	default:
		return true;
	}
}

static bool parse_generic(struct scn_parser *p, struct scn_stmt *st, const struct scn_toks *t,
    int first, int end)
{
	const struct scn_op *op = st->op;
	int i = first, a;

	for (a = 0; a < SCN_MAXARGS && op->args[a] != SCN_END; a++) {
		unsigned kind = op->args[a];
		bool optional = (kind & SCN_OPTIONAL) != 0;

		if (i >= end || (optional && (is_option(op, &t->v[i]) ||
		    !fits_optional(p, kind, &t->v[i])))) {
			if (optional)
				continue;
			return scn_parse_error(p, "%s: missing %s", op->name, kind_name(kind));
		}
		if (t->v[i].key != NULL)
			return scn_parse_error(p, "%s: expected %s before the options", op->name,
			    kind_name(kind));
		if (!scn_parse_value(p, kind, &t->v[i], op, &st->arg[a]))
			return false;
		i++;
	}
	for (; i < end; i++) {
		if (!parse_option(p, op, &t->v[i], st))
			return false;
	}
	/* a size left out is the length bound with a bare name */
	for (a = 1; a < SCN_MAXARGS && op->args[a] != SCN_END; a++) {
		const struct scn_value *addr = &st->arg[a - 1];

		if ((op->args[a] & ~SCN_OPTIONAL) == SCN_SIZE && !st->arg[a].set &&
		    (op->args[a - 1] & ~SCN_OPTIONAL) == SCN_ADDR &&
		    (addr->name == NULL || addr->num != 0))
			return scn_parse_error(p, "%s: give a size (only a bare name has a length)",
			    op->name);
	}
	return true;
}

/* ---- statements ---- */

/* "=> CODE" at the end of the tokens: sets the expectation and *end. */
static bool parse_want(struct scn_parser *p, struct scn_stmt *st, const struct scn_toks *t,
    int *end)
{
	int i;

	for (i = 1; i < t->n; i++) {
		const struct scn_tok *k = &t->v[i];

		if (k->quoted || k->key != NULL || strcmp(k->text, "=>") != 0)
			continue;
		if (i != t->n - 2)
			return scn_parse_error(p, "'=>' must be followed by exactly one result code");
		if (st->op->result == SCN_RES_NONE)
			return scn_parse_error(p, "%s has no result code to expect", st->op->name);
		*end = i;
		st->want_set = true;
		if (strcmp(t->v[i + 1].text, "any") == 0) {
			st->want_any = true;
			return true;
		}
		if (t->v[i + 1].quoted || !scn_code(st->op->result, t->v[i + 1].text, &st->want))
			return scn_parse_error(p, "unknown result code '%s' (%s)", t->v[i + 1].text,
			    st->op->result == SCN_RES_KERN ? "KERN_SUCCESS, KERN_NO_SPACE, ..."
			    : "0, EINVAL, ENOMEM, EACCES, ...");
		return true;
	}
	return true;
}

/* Declares what a parsed statement creates and forgets what it ends. */
static bool declare_outputs(struct scn_parser *p, const struct scn_stmt *st)
{
	int a;

	for (a = 0; a < SCN_MAXARGS && st->op->args[a] != SCN_END; a++) {
		unsigned kind = st->op->args[a] & ~SCN_OPTIONAL;
		const char *name = st->arg[a].name;

		if (!st->arg[a].set || name == NULL)
			continue;
		if ((kind == SCN_BIND && !declare(p, name, DECL_ADDR)) ||
		    (kind == SCN_NEWSPACE && !declare(p, name, DECL_SPACE)) ||
		    (kind == SCN_NEWOBJECT && !declare(p, name, DECL_OBJECT)))
			return false;
	}
	if (st->op->flags & SCN_F_ENDS_SPACE) {
		struct decl *d = find_decl(p, st->arg[0].name);

		if (d != NULL)
			d->live = false;
	}
	return true;
}

static bool parse_statement(struct scn_parser *p, struct scn_stmt *st, const char *raw,
    struct scn_toks *t, int nstmts)
{
	int end = t->n;

	if (t->v[0].quoted || t->v[0].key != NULL)
		return scn_parse_error(p, "a line must start with an operation");
	st->op = scn_find_op(t->v[0].text);
	if (st->op == NULL)
		return scn_parse_error(p, "unknown operation '%s'", t->v[0].text);
	if ((st->op->flags & SCN_F_FIRST) && nstmts != 0)
		return scn_parse_error(p, "%s must be the first operation", st->op->name);
	st->src = scn_strip_comment(raw);
	if (st->src == NULL)
		return scn_parse_error(p, "out of memory");
	if (!parse_want(p, st, t, &end))
		return false;
	if (!(st->op->parse != NULL ? st->op->parse(p, st, t, 1, end)
	    : parse_generic(p, st, t, 1, end)))
		return false;
	if ((st->op->flags & SCN_F_NAMED) && st->arg[0].name == NULL)
		return scn_parse_error(p, "%s needs a name, to free the memory later", st->op->name);
	return declare_outputs(p, st);
}

bool scn_parse_heredoc(struct scn_parser *p, struct scn_stmt *st, const char *tag)
{
	size_t len = 0, cap = 1;
	int i;

	for (i = p->next; i < p->nlines; i++) {
		char *stripped = scn_strip_comment(p->lines[i]);
		bool done = stripped != NULL && strcmp(stripped, tag) == 0;

		free(stripped);
		if (done)
			break;
		cap += strlen(p->lines[i]) + 1;
	}
	if (i == p->nlines)
		return scn_parse_error(p, "the here-document <<%s is not ended by a line '%s'", tag,
		    tag);
	st->heredoc = malloc(cap);
	if (st->heredoc == NULL)
		return scn_parse_error(p, "out of memory");
	for (; p->next < i; p->next++) {
		size_t l = strlen(p->lines[p->next]);

		memcpy(st->heredoc + len, p->lines[p->next], l);
		len += l;
		st->heredoc[len++] = '\n';
	}
	st->heredoc[len] = '\0';
	p->next++; /* the tag line */
	return true;
}

/* ---- the file ---- */

/* Reads path and splits it into NUL-terminated lines (in place). */
static int read_lines(struct scn_parser *p, const char *path, char **textp)
{
	FILE *f = fopen(path, "rb");
	int err = errno;
	size_t len = 0, cap = 4096, i;
	char *text = malloc(cap), *line;
	int n = 0;

	if (f == NULL || text == NULL) {
		fprintf(stderr, "%s: %s: cannot read the scenario: %s\n", tool_progname, path,
		    strerror(f == NULL ? err : ENOMEM));
		free(text);
		if (f != NULL)
			fclose(f);
		return TOOL_EXIT_INPUT;
	}
	for (;;) {
		size_t got;

		if (len + 1 >= cap) {
			char *t = realloc(text, cap * 2);

			if (t == NULL)
				break;
			text = t;
			cap *= 2;
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f) || len + 1 >= cap) {
		/* a directory opens, then fails to read (EISDIR) */
		fprintf(stderr, "%s: %s: cannot read the scenario: %s\n", tool_progname, path,
		    ferror(f) ? strerror(errno) : strerror(ENOMEM));
		fclose(f);
		free(text);
		return TOOL_EXIT_INPUT;
	}
	fclose(f);
	text[len] = '\0';
	if (memchr(text, '\0', len) != NULL) {
		fprintf(stderr, "%s: %s: not a text file (it holds NUL bytes)\n", tool_progname,
		    path);
		free(text);
		return TOOL_EXIT_INPUT;
	}
	for (i = 0; i <= len; i++)
		n += i == len || text[i] == '\n';
	p->lines = malloc((size_t)n * sizeof(*p->lines));
	if (p->lines == NULL) {
		free(text);
		return TOOL_EXIT_INPUT;
	}
	for (line = text, n = 0, i = 0; i <= len; i++) {
		if (i == len || text[i] == '\n') {
			text[i] = '\0';
			p->lines[n++] = line;
			line = text + i + 1;
		}
	}
	/* a final newline does not start another line */
	if (len > 0 && text[len - 1] == '\0')
		n--;
	p->nlines = n;
	*textp = text;
	return TOOL_EXIT_OK;
}

static void parser_free(struct scn_parser *p)
{
	size_t i;

	for (i = 0; i < p->nd; i++)
		free(p->d[i].name);
	free(p->d);
	free(p->lines);
}

int scn_parse_file(const char *path, struct scn_script *s)
{
	struct scn_parser p;
	char *text = NULL;
	int rv;

	memset(&p, 0, sizeof(p));
	memset(s, 0, sizeof(*s));
	s->file = path;
	p.file = path;
	rv = read_lines(&p, path, &text);
	if (rv != TOOL_EXIT_OK)
		return rv;
	s->v = calloc((size_t)p.nlines + 1, sizeof(*s->v));
	if (s->v == NULL) {
		rv = TOOL_EXIT_INPUT;
		goto out;
	}
	while (p.next < p.nlines) {
		struct scn_stmt *st = &s->v[s->n];
		struct scn_toks t;
		char err[160];
		const char *raw = p.lines[p.next];

		p.line = ++p.next;
		if (!scn_lex(raw, &t, err, sizeof(err))) {
			scn_parse_error(&p, "%s", err);
			rv = TOOL_EXIT_INPUT;
			break;
		}
		if (t.n == 0)
			continue;
		st->line = p.line;
		st->toks = t; /* the statement owns the tokens its values point into */
		s->n++;
		if (!parse_statement(&p, st, raw, &st->toks, s->n - 1)) {
			rv = TOOL_EXIT_INPUT;
			break;
		}
	}
out:
	parser_free(&p);
	free(text);
	if (rv != TOOL_EXIT_OK)
		scn_script_free(s);
	return rv;
}

void scn_script_free(struct scn_script *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].src);
		free(s->v[i].heredoc);
		scn_toks_free(&s->v[i].toks);
	}
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
