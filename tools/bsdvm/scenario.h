/*
 * scenario.h - "bsdvm run": the scenario language's statements, operation
 * table and run state, shared by the scenario_*.c files.
 *
 * A scenario is read and checked completely first (scenario_parse.c), so
 * that a malformed file changes nothing and exits 3; then its statements
 * run in order (scenario_run.c), each one an operation from the table in
 * scenario_ops.c carried out by a scenario_op_*.c file.  The language is
 * described in docs/scenario.md.
 */
#ifndef BSDVM_TOOL_SCENARIO_H
#define BSDVM_TOOL_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario_html.h"
#include "scenario_lex.h"
#include "scenario_world.h"

#define SCN_MAXARGS 8  /* positional arguments of one operation */
#define SCN_MAXOPTS 12 /* key=value and flag options of one operation */

/* What a positional argument or an option holds. */
enum scn_kind {
	SCN_END = 0,   /* ends an argument list */
	SCN_SPACE,     /* an existing address space, or "kernel" */
	SCN_NEWSPACE,  /* the name of the space the line creates */
	SCN_BIND,      /* the name the line gives its address, or "-" */
	SCN_ADDR,      /* an address: 0x400000, heap, heap+4K, heap-0x1000 */
	SCN_HINT,      /* an address or "any" */
	SCN_SIZE,      /* a number: 4096, 0x1000, 16K, 2M, 1G */
	SCN_PROT,      /* rwx with '-' for a missing right */
	SCN_DATA,      /* a string */
	SCN_WORD,      /* one of the operation's words */
	SCN_OBJECT,    /* an existing file or object */
	SCN_NEWOBJECT, /* the name of the object the line creates */
	SCN_FLAG,      /* options only: a bare word */
	SCN_TEXT,      /* options only: a string or a word, taken as it is */
	SCN_CUSTOM     /* options only: a word parsed by the option's parser */
};
/* Or'ed into a positional kind: the argument may be left out. */
#define SCN_OPTIONAL 0x100u

/* The result codes an operation answers with. */
enum scn_result {
	SCN_RES_NONE,  /* none: "=> CODE" is not allowed */
	SCN_RES_KERN,  /* KERN_* (the native API and the FreeBSD face) */
	SCN_RES_ERRNO  /* 0 or an errno name (the NetBSD face) */
};

/* An exec function's answer when there is no code, or when it could not
 * run at all (a failure was already reported). */
#define SCN_NOCODE (-1000)
#define SCN_SKIPPED (-1001)

struct scn_value {
	bool set;
	uint64_t num;         /* SIZE, PROT, WORD index, CUSTOM; ADDR: the literal,
	                         or the offset from the name (two's complement) */
	const char *name;     /* a name; NULL for "-" and for literals */
	bool any;             /* HINT: "any" */
	const char *bytes;    /* DATA, TEXT */
	size_t len;
};

struct scn_opt {
	const char *key;
	enum scn_kind kind;
	/* SCN_CUSTOM: parses the value; false if it is not valid */
	bool (*parse)(const char *text, uint64_t *out);
};

struct scn_run;
struct scn_stmt;
struct scn_parser;

/* scn_op flags */
#define SCN_F_ENDS_SPACE 0x1u /* the space named by the first argument is gone after */
#define SCN_F_FIRST      0x2u /* must be the first statement (system) */
#define SCN_F_QUIET      0x4u /* the line itself is not echoed (echo) */
#define SCN_F_NAMED      0x8u /* its first argument, a SCN_BIND, may not be "-" */

struct scn_op {
	const char *name;
	unsigned flags;               /* SCN_F_* */
	unsigned args[SCN_MAXARGS];   /* scn_kind | SCN_OPTIONAL, SCN_END-terminated */
	const char *const *words;     /* what a SCN_WORD argument may be */
	struct scn_opt opts[SCN_MAXOPTS]; /* ended by a NULL key */
	enum scn_result result;
	/* replaces the generic argument parser (expect, read's tail) */
	bool (*parse)(struct scn_parser *p, struct scn_stmt *st, const struct scn_toks *t,
	    int first, int end);
	/* carries the statement out: a code, SCN_NOCODE or SCN_SKIPPED */
	int (*exec)(struct scn_run *r, const struct scn_stmt *st);
};

/* One statement: a line (with its here-document, if any). */
struct scn_stmt {
	int line;
	const struct scn_op *op;
	char *src;                        /* the line without its comment */
	struct scn_value arg[SCN_MAXARGS];
	struct scn_value opt[SCN_MAXOPTS];/* by the index of the option in op->opts */
	bool want_set;                    /* "=> CODE" given */
	bool want_any;                    /* "=> any" */
	int want;
	/* expect and read: the form and the comparison */
	int form;
	int cmp;
	char *heredoc;                    /* the lines of a <<WORD block */
	struct scn_toks toks;             /* owns the text the values point into */
};

struct scn_script {
	const char *file;
	struct scn_stmt *v;
	int n;
};

/* ---- parsing (scenario_parse.c) ---- */

/*
 * Reads and checks the file.  On success returns TOOL_EXIT_OK; on a
 * malformed line prints "FILE:LINE: message" to stderr and returns
 * TOOL_EXIT_INPUT (also when the file cannot be read).
 */
int scn_parse_file(const char *path, struct scn_script *s);
void scn_script_free(struct scn_script *s);

/* For custom parsers: parse token t as kind into v (and check names);
 * false after reporting the error. */
bool scn_parse_value(struct scn_parser *p, unsigned kind, const struct scn_tok *t,
    const struct scn_op *op, struct scn_value *v);
/* Reports "FILE:LINE: message" for the statement being parsed; false. */
bool scn_parse_error(struct scn_parser *p, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Asks for the here-document after the statement, ended by a line tag. */
bool scn_parse_heredoc(struct scn_parser *p, struct scn_stmt *st, const char *tag);

/* ---- values (scenario_value.c) ---- */

/* 4096, 0x1000, 16K, 2M, 1G, 1T (K = 1024); false on junk or overflow. */
bool scn_number(const char *s, uint64_t *out);
/* "rwx", "r--", "---"; false otherwise. */
bool scn_prot(const char *s, uint64_t *out);
/* A name: a letter or '_' then letters, digits and '_'. */
bool scn_is_name(const char *s);
/* The code named s for result kind (KERN_X, or 0/EXXX); false if unknown. */
bool scn_code(enum scn_result kind, const char *s, int *out);
/* The name of code (KERN_X, "0", "ENOMEM", ...). */
const char *scn_code_name(enum scn_result kind, int code);
/* Prints bytes as a quoted string with escapes. */
void scn_put_bytes(FILE *out, const char *bytes, size_t len);
/* The same into buf (always terminated); at most max bytes are shown,
 * then "..." follows. */
void scn_quote(char *buf, size_t size, const char *bytes, size_t len, size_t max);
/* A flag word: names from table joined by '|' (or a number); false if a
 * name is unknown. */
struct scn_flagname {
	const char *name;
	uint64_t bits;
};
bool scn_flags(const struct scn_flagname *table, const char *s, uint64_t *out);

/* ---- running (scenario_run.c, scenario_names.c) ---- */

struct scn_binding {
	char *name;
	bool object;          /* an object (file/object) rather than an address */
	int dead_line;        /* > 0: the line that should have bound it failed */
	bsdvm_addr_t addr;    /* addresses */
	bsdvm_size_t len;
	int alloc;            /* SCN_ALLOC_*: how "free" releases it */
	struct vm_object *obj;/* objects: the run's reference */
	int fd;               /* the file's descriptor, or -1 */
	char *label;          /* the file's name in listings */
};
#define SCN_ALLOC_NONE   0
#define SCN_ALLOC_UAREA  1
#define SCN_ALLOC_SUAREA 2 /* a u-area from the system (kernel thread) pool */
#define SCN_ALLOC_KMEM   3

struct scn_run {
	struct world w;
	FILE *out;
	const char *file;
	const struct scn_stmt *cur;  /* the statement running */
	struct scn_binding *b;
	size_t nb, capb;
	unsigned failures, expectations, operations;
	char note[512];              /* appended to the result line */
	char pending[1024];          /* failures reported while the statement ran,
	                                printed after its result line */
	struct html_rec pic;
};

/* Reports an unmet expectation or a runtime problem of the current
 * statement: "    FAILED: ..." on the output, "FILE:LINE: ..." on stderr. */
void scn_fail(struct scn_run *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Adds text to the current statement's result line. */
void scn_note(struct scn_run *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Boots the default system if no "system" line did (false on failure). */
bool scn_need_system(struct scn_run *r);

/* The space v names; NULL after scn_fail() when it does not exist. */
struct world_space *scn_space(struct scn_run *r, const struct scn_value *v);
/* The value of an address expression; false after scn_fail(). */
bool scn_addr(struct scn_run *r, const struct scn_value *v, bsdvm_addr_t *out);
/* An address and a size, the size defaulting to the length bound with a
 * bare name; false after scn_fail(). */
bool scn_range(struct scn_run *r, const struct scn_value *addr, const struct scn_value *size,
    bsdvm_addr_t *start, bsdvm_addr_t *end);
/* Binds v's name (nothing for "-") to [addr, addr + len) and notes it. */
bool scn_bind(struct scn_run *r, const struct scn_value *v, bsdvm_addr_t addr,
    bsdvm_size_t len, int alloc);
/* The binding called name, or NULL. */
struct scn_binding *scn_lookup(struct scn_run *r, const char *name);
/* A new object binding, taking obj's reference and fd; NULL if out of
 * memory (obj and fd are then released). */
struct scn_binding *scn_bind_object(struct scn_run *r, const char *name,
    struct vm_object *obj, int fd, const char *label);
/* The object v names; NULL after scn_fail(). */
struct scn_binding *scn_object(struct scn_run *r, const struct scn_value *v);
/* Marks every name the statement binds as dead until it succeeds; false
 * (after scn_fail) if one still holds kernel memory, which would leak. */
bool scn_unbind_outputs(struct scn_run *r, const struct scn_stmt *st);
/* Drops every binding, releasing objects and kernel memory. */
void scn_bindings_free(struct scn_run *r);

/* The operation table (scenario_ops.c). */
extern const struct scn_op scn_ops[];
const struct scn_op *scn_find_op(const char *name);

#endif /* BSDVM_TOOL_SCENARIO_H */
