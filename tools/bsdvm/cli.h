/*
 * cli.h - what every bsdvm command shares: exit codes, the common options
 * (--format, ...) and the command table entry.
 *
 * A command is a function that gets the arguments after its name and the
 * options given before it; it parses its own arguments with cli_parse()
 * and returns one of the TOOL_EXIT_* codes.  To add a command, write it in
 * its own file, declare it in commands.h and add a row to the table in
 * main.c.
 */
#ifndef BSDVM_TOOL_CLI_H
#define BSDVM_TOOL_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "listing.h"

/* Exit codes; documented in man/bsdvm.1 (EXIT STATUS). */
#define TOOL_EXIT_OK     0 /* success */
#define TOOL_EXIT_FAIL   1 /* a check or an expectation failed */
#define TOOL_EXIT_USAGE  2 /* bad command line */
#define TOOL_EXIT_INPUT  3 /* an input file could not be read or parsed */

/* Options every command accepts, before or after its name. */
struct tool_opts {
	enum listing_format format; /* --format, -f */
	bool format_given;          /* --format appeared on the command line */
};

struct tool_command {
	const char *name;
	const char *args;     /* synopsis after the name, e.g. "[--format FMT]" */
	const char *summary;  /* one line for the usage text */
	int (*run)(int argc, char **argv, struct tool_opts *opts);
	const char *options;  /* lines `help COMMAND` adds, or NULL */
};

/* The program name used in messages ("bsdvm"). */
extern const char *tool_progname;

/*
 * Parses argv[0..argc) for common options, storing them in opts, and
 * collects the other arguments in pos (at most maxpos of them; *npos gets
 * the count).  "--" ends the options.  Returns TOOL_EXIT_OK, or
 * TOOL_EXIT_USAGE after printing a message to stderr.
 */
int cli_parse(int argc, char **argv, struct tool_opts *opts, char **pos, int maxpos,
    int *npos);

/*
 * Parses the common options at the front of argv, up to the first argument
 * that is not one (the command name, or an option such as --version that
 * main.c handles); *next gets its index (argc if none).  Returns
 * TOOL_EXIT_OK or TOOL_EXIT_USAGE.
 */
int cli_parse_leading(int argc, char **argv, struct tool_opts *opts, int *next);

/* Prints "bsdvm: message" to stderr (printf-style) and returns TOOL_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif /* BSDVM_TOOL_CLI_H */
