/*
 * scenario_lex.h - splitting a scenario line into tokens.
 *
 * Tokens are separated by blanks; "#" outside a string starts a comment.
 * A token is a word ("r-x", "heap+0x1000", "=>"), a string in double
 * quotes with C escapes (\n \t \r \0 \\ \" \xHH), or key=value where the
 * value is a word or a string (label="[heap]").  See docs/scenario.md.
 */
#ifndef BSDVM_TOOL_SCENARIO_LEX_H
#define BSDVM_TOOL_SCENARIO_LEX_H

#include <stdbool.h>
#include <stddef.h>

struct scn_tok {
	char *key;   /* "label" of label="x"; NULL when the token has no key */
	char *text;  /* the word or value, decoded, NUL-terminated */
	size_t len;  /* bytes in text (a string may hold NUL bytes) */
	bool quoted; /* the value was a string */
};

struct scn_toks {
	struct scn_tok *v;
	int n;
};

/*
 * Splits line (NUL-terminated, no newline) into *out.  On a lexical error
 * returns false and writes a message to err; *out is then empty.  Free
 * with scn_toks_free().
 */
bool scn_lex(const char *line, struct scn_toks *out, char *err, size_t errlen);
void scn_toks_free(struct scn_toks *t);

/* The line without its comment and surrounding blanks, in a new string
 * (for echoing); NULL if out of memory. */
char *scn_strip_comment(const char *line);

#endif /* BSDVM_TOOL_SCENARIO_LEX_H */
