/*
 * commands.h - the entry point of every bsdvm command.  Each gets the
 * arguments after its name and the options seen before it, and returns a
 * TOOL_EXIT_* code (cli.h).
 */
#ifndef BSDVM_TOOL_COMMANDS_H
#define BSDVM_TOOL_COMMANDS_H

#include "cli.h"

/* demo.c: the engine at work on a built-in example, step by step. */
int cmd_demo(int argc, char **argv, struct tool_opts *opts);
/* scenario_run.c: runs a scenario file (docs/scenario.md). */
int cmd_run(int argc, char **argv, struct tool_opts *opts);
/* replay.c: an strace -f trace replayed onto bsdvm address spaces. */
int cmd_replay(int argc, char **argv, struct tool_opts *opts);

#endif /* BSDVM_TOOL_COMMANDS_H */
