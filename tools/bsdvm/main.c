/*
 * main.c - bsdvm(1): command dispatch, help and version.
 *
 *   bsdvm [--format FMT] COMMAND [ARG ...]
 *   bsdvm help [COMMAND] | -h | --help
 *   bsdvm --version
 *
 * Every command lives in its own file and is listed in the table below.
 */
#include <string.h>

#include "commands.h"

static int cmd_help(int argc, char **argv, struct tool_opts *opts);
static int cmd_version(int argc, char **argv, struct tool_opts *opts);

static const struct tool_command commands[] = {
	{ "demo", "[--format maps|procstat|json] [--html FILE]",
	    "a process's life on a small simulated machine, step by step", cmd_demo, NULL },
	{ "run", "FILE [--format maps|procstat|json] [--html FILE]",
	    "run a scenario: operations and expectations, one per line", cmd_run, NULL },
	{ "replay", "[--maps0 FILE] [--place POLICY] [--html FILE] [options] TRACE",
	    "replay an strace -f trace onto bsdvm address spaces", cmd_replay,
	    "options:\n"
	    "  --maps0 FILE        seed the layout from a /proc/PID/maps snapshot\n"
	    "  --place POLICY      fixed (default), first-fit, top-down or random\n"
	    "  --page-size N       4096 (default) to 65536, a power of two\n"
	    "  --address-bits N    the window is [one page, 2^N), N from 32 to 63 (default 47)\n"
	    "  --seed N            seed of --place random (default 1)\n"
	    "  --frames N          page frames, 16 to 16777216 (default 65536)\n"
	    "  --show N            print at most N mismatches (default 50)\n"
	    "  --strict            exit 1 when there is a mismatch\n"
	    "  --html FILE         write a picture of the replay\n"
	    "  --html-steps N      steps kept in the picture, 2 to 100000 (default 300)\n" },
	{ "help", "[COMMAND]", "show this help, or the help of one command", cmd_help, NULL },
	{ "version", "", "print the version", cmd_version, NULL },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct tool_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: %s [--format FMT] COMMAND [ARG ...]\n", tool_progname);
	fprintf(out, "       %s --version | -h | --help\n\n", tool_progname);
	fprintf(out, "Commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nOptions (before or after the command):\n");
	fprintf(out, "  -f, --format FMT  listing format: maps (Linux /proc/PID/maps, the\n");
	fprintf(out, "                    default), procstat (FreeBSD procstat -v) or json\n");
	fprintf(out, "\nExit status: 0 success, 1 a check or expectation failed, 2 usage error,\n");
	fprintf(out, "3 input file error.  See bsdvm(1).\n");
}

static int cmd_help(int argc, char **argv, struct tool_opts *opts)
{
	const struct tool_command *c;
	char *pos[1];
	int npos, rv = cli_parse(argc, argv, opts, pos, 1, &npos);

	if (rv != TOOL_EXIT_OK)
		return rv;
	if (npos == 0) {
		usage(stdout);
		return TOOL_EXIT_OK;
	}
	c = find_command(pos[0]);
	if (c == NULL)
		return cli_usage_error("unknown command '%s'", pos[0]);
	printf("usage: %s %s%s%s\n  %s\n", tool_progname, c->name, c->args[0] ? " " : "",
	    c->args, c->summary);
	if (c->options != NULL)
		printf("%s", c->options);
	return TOOL_EXIT_OK;
}

static int cmd_version(int argc, char **argv, struct tool_opts *opts)
{
	char *pos[1];
	int npos, rv = cli_parse(argc, argv, opts, pos, 0, &npos);

	if (rv != TOOL_EXIT_OK)
		return rv;
	/* the library is linked statically, so the two always agree */
	printf("%s %s\n", tool_progname, bsdvm_version_string());
	return TOOL_EXIT_OK;
}

int main(int argc, char **argv)
{
	struct tool_opts opts = { LISTING_MAPS, false };
	const struct tool_command *c;
	const char *name;
	int next, rv;

	rv = cli_parse_leading(argc - 1, argv + 1, &opts, &next);
	if (rv != TOOL_EXIT_OK)
		return rv;
	next++; /* index into argv */
	if (next >= argc) {
		usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	name = argv[next];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0)
		name = "help";
	else if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0)
		name = "version";
	else if (name[0] == '-')
		return cli_usage_error("unknown option '%s'", name);
	c = find_command(name);
	if (c == NULL)
		return cli_usage_error("unknown command '%s'", name);
	rv = c->run(argc - next - 1, argv + next + 1, &opts);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: error writing the output\n", tool_progname);
		if (rv == TOOL_EXIT_OK)
			rv = TOOL_EXIT_FAIL;
	}
	return rv;
}
