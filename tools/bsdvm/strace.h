/*
 * strace.h - reading the output of "strace -f -o FILE": one record per
 * finished system call or process event.
 *
 * Understood: the TID column of -f (also "[pid N]" as strace prints it on
 * stderr, and "N<comm>" of -Y), timestamps of -t/-tt/-ttt/-r, the
 * instruction pointer of -i, durations of -T, fd paths of -y/-yy, the
 * comments of -X verbose, "<unfinished ...>" / "<... NAME resumed>" pairs
 * (joined here, so a call is reported once, when its result appears),
 * "<pid changed to N ...>" of an execve from a non-leader thread,
 * "--- SIGNAL {...} ---", "+++ exited with N +++", "+++ killed by SIG +++",
 * "+++ superseded by execve in pid N +++" and "= ?" results.
 * Lines are tokenised, never matched with regular expressions: quoted
 * strings with escapes, nested brackets and comments may hold any of
 * "(),=<>".
 */
#ifndef BSDVM_TOOL_STRACE_H
#define BSDVM_TOOL_STRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum strace_kind {
	STRACE_CALL,       /* a system call and its result */
	STRACE_SIGNAL,     /* --- SIGSEGV {...} --- */
	STRACE_EXITED,     /* +++ exited with N +++ */
	STRACE_KILLED,     /* +++ killed by SIGX +++ */
	STRACE_SUPERSEDED, /* +++ superseded by execve in pid N +++ */
	STRACE_NOTE        /* anything else strace says: "[ Process PID=N runs in 32 bit mode. ]" */
};

/* One record; its strings live in one block freed by strace_rec_free(). */
struct strace_rec {
	enum strace_kind kind;
	unsigned long line;  /* line of the result (of the event for others) */
	unsigned long start_line; /* line where the call began (== line unless joined) */
	long pid;            /* TID column, 0 when the trace has none */
	long orig_pid;       /* the thread that entered the call (see "pid changed") */
	char *name;          /* syscall name, or signal name for SIGNAL / KILLED */
	char *args;          /* CALL: the argument text; SIGNAL: the {...} text */
	bool result_known;   /* CALL: false for "= ?" */
	bool resumed_only;   /* CALL: a "resumed" line whose start was never seen */
	int64_t result;      /* CALL: the return value */
	char *err;           /* CALL: "ENOMEM" etc. when the call failed, else "" */
	long value;          /* EXITED: the status; SUPERSEDED: the pid; NOTE: 32 for a
	                        32-bit mode note, 64 for 64-bit, else 0 */
	char *block;         /* owns the strings */
};

void strace_rec_free(struct strace_rec *rec);

struct strace_reader;

/* A reader of in; path names the file in messages.  NULL if out of memory. */
struct strace_reader *strace_open(FILE *in, const char *path);
void strace_close(struct strace_reader *r);

/*
 * The next record: 1 with *rec filled (free it with strace_rec_free), 0 at
 * the end of the input, -1 for a line that is not strace output or a read
 * error, with a message "FILE:LINE: why" in strace_error().
 */
int strace_next(struct strace_reader *r, struct strace_rec *rec);
const char *strace_error(const struct strace_reader *r);

/* Lines read so far, bytes read so far, and calls still unfinished. */
unsigned long strace_lines(const struct strace_reader *r);
uint64_t strace_bytes(const struct strace_reader *r);
unsigned strace_pending(const struct strace_reader *r);

#endif /* BSDVM_TOOL_STRACE_H */
