/*
 * cli.c - parsing the options every command shares.
 *
 * Hand-written rather than getopt_long(), which is not POSIX: options may
 * appear anywhere among a command's arguments, in the forms "--format json",
 * "--format=json" and "-f json".
 */
#include <stdarg.h>
#include <string.h>

#include "cli.h"

const char *tool_progname = "bsdvm";

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", tool_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s help' for more information.\n", tool_progname);
	return TOOL_EXIT_USAGE;
}

/* If arg is the option long (or short, when not NULL), in either of the
 * forms "--opt VALUE" or "--opt=VALUE", sets *value and advances *i past
 * what it used.  Returns 1 if matched, 0 if not, -1 if the value is missing. */
static int match_valued(int argc, char **argv, int *i, const char *lng, const char *shrt,
    const char **value)
{
	const char *arg = argv[*i];
	size_t n = strlen(lng);

	if (strncmp(arg, lng, n) == 0 && arg[n] == '=') {
		*value = arg + n + 1;
		return 1;
	}
	if (strcmp(arg, lng) != 0 && (shrt == NULL || strcmp(arg, shrt) != 0))
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*value = argv[++*i];
	return 1;
}

static int parse_format(const char *value, struct tool_opts *opts)
{
	if (!listing_format_parse(value, &opts->format))
		return cli_usage_error("unknown format '%s' (expected maps, procstat or json)",
		    value);
	opts->format_given = true;
	return TOOL_EXIT_OK;
}

/* If argv[*i] is a common option, applies it, advances *i past its value
 * and returns 1; returns 0 if it is not one, or -1 after a usage error. */
static int take_common(int argc, char **argv, int *i, struct tool_opts *opts)
{
	const char *value = NULL;
	int m = match_valued(argc, argv, i, "--format", "-f", &value);

	if (m < 0) {
		cli_usage_error("option '%s' needs a value", argv[*i]);
		return -1;
	}
	if (m > 0 && parse_format(value, opts) != TOOL_EXIT_OK)
		return -1;
	return m;
}

int cli_parse_leading(int argc, char **argv, struct tool_opts *opts, int *next)
{
	int i;

	for (i = 0; i < argc; i++) {
		int m = take_common(argc, argv, &i, opts);

		if (m < 0)
			return TOOL_EXIT_USAGE;
		if (m == 0)
			break;
	}
	*next = i;
	return TOOL_EXIT_OK;
}

int cli_parse(int argc, char **argv, struct tool_opts *opts, char **pos, int maxpos,
    int *npos)
{
	bool options = true;
	int i;

	*npos = 0;
	for (i = 0; i < argc; i++) {
		if (options && strcmp(argv[i], "--") == 0) {
			options = false;
			continue;
		}
		if (options && argv[i][0] == '-' && argv[i][1] != '\0') {
			int m = take_common(argc, argv, &i, opts);

			if (m < 0)
				return TOOL_EXIT_USAGE;
			if (m == 0)
				return cli_usage_error("unknown option '%s'", argv[i]);
			continue;
		}
		if (*npos >= maxpos)
			return cli_usage_error("unexpected argument '%s'", argv[i]);
		pos[(*npos)++] = argv[i];
	}
	return TOOL_EXIT_OK;
}
