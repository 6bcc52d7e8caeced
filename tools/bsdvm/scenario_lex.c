/*
 * scenario_lex.c - tokens of one scenario line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_lex.h"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident(char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the string starting at the quote *pp into buf (which has room for
 * the whole line); *pp ends after the closing quote.  False with err set
 * on a bad escape or a missing quote. */
static bool lex_string(const char **pp, char *buf, size_t *lenp, char *err, size_t errlen)
{
	const char *p = *pp + 1;
	size_t n = 0;

	for (;;) {
		char c = *p++;

		if (c == '\0') {
			snprintf(err, errlen, "unterminated string");
			return false;
		}
		if (c == '"')
			break;
		if (c == '\\') {
			char e = *p++;
			int hi, lo;

			switch (e) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '0': c = '\0'; break;
			case '\\': c = '\\'; break;
			case '"': c = '"'; break;
			case 'x':
				hi = hex_digit(p[0]);
				lo = hi < 0 ? -1 : hex_digit(p[1]);
				if (lo < 0) {
					snprintf(err, errlen, "\\x needs two hex digits");
					return false;
				}
				c = (char)(hi * 16 + lo);
				p += 2;
				break;
			default:
				snprintf(err, errlen, "unknown escape '\\%c' in a string",
				    e != '\0' ? e : '?');
				return false;
			}
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	*lenp = n;
	*pp = p;
	return true;
}

static char *copy_bytes(const char *s, size_t len)
{
	char *c = malloc(len + 1);

	if (c != NULL) {
		memcpy(c, s, len);
		c[len] = '\0';
	}
	return c;
}

/* Lexes one token at *pp into tok, using buf as scratch. */
static bool lex_token(const char **pp, struct scn_tok *tok, char *buf, char *err,
    size_t errlen)
{
	const char *p = *pp, *start = p;
	size_t len;

	memset(tok, 0, sizeof(*tok));
	/* key=value: an identifier directly followed by '=' (not "=>") */
	if (is_ident_start(*p)) {
		const char *q = p;

		while (is_ident(*q))
			q++;
		if (*q == '=' && q[1] != '>') {
			tok->key = copy_bytes(p, (size_t)(q - p));
			if (tok->key == NULL)
				goto nomem;
			p = q + 1;
			start = p;
		}
	}
	if (*p == '"') {
		if (!lex_string(&p, buf, &len, err, errlen))
			return false;
		if (*p != '\0' && !is_blank(*p) && *p != '#') {
			snprintf(err, errlen, "a string must be followed by a blank");
			return false;
		}
		tok->quoted = true;
		tok->text = copy_bytes(buf, len);
		tok->len = len;
	} else {
		while (*p != '\0' && !is_blank(*p) && *p != '#') {
			if (*p == '"') {
				snprintf(err, errlen, "a quote inside a word");
				return false;
			}
			p++;
		}
		tok->len = (size_t)(p - start);
		tok->text = copy_bytes(start, tok->len);
	}
	if (tok->text == NULL)
		goto nomem;
	*pp = p;
	return true;
nomem:
	snprintf(err, errlen, "out of memory");
	return false;
}

bool scn_lex(const char *line, struct scn_toks *out, char *err, size_t errlen)
{
	size_t cap = 0;
	char *buf = malloc(strlen(line) + 1);
	const char *p = line;

	out->v = NULL;
	out->n = 0;
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	for (;;) {
		while (is_blank(*p))
			p++;
		if (*p == '\0' || *p == '#')
			break;
		if ((size_t)out->n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			struct scn_tok *v = realloc(out->v, ncap * sizeof(*v));

			if (v == NULL) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			out->v = v;
			cap = ncap;
		}
		if (!lex_token(&p, &out->v[out->n], buf, err, errlen)) {
			out->n++; /* free what the token got */
			goto fail;
		}
		out->n++;
	}
	free(buf);
	return true;
fail:
	free(buf);
	scn_toks_free(out);
	return false;
}

void scn_toks_free(struct scn_toks *t)
{
	int i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].text);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

char *scn_strip_comment(const char *line)
{
	const char *p = line, *end;
	bool in_string = false;

	while (is_blank(*p))
		p++;
	for (end = p; *end != '\0'; end++) {
		if (in_string && *end == '\\' && end[1] != '\0')
			end++;
		else if (*end == '"')
			in_string = !in_string;
		else if (!in_string && *end == '#')
			break;
	}
	while (end > p && is_blank(end[-1]))
		end--;
	return copy_bytes(p, (size_t)(end - p));
}
