/*
 * replay.h - "bsdvm replay": the state a replay of an strace trace keeps,
 * shared by its files:
 *
 *   replay.c          the command: options, the main loop, records of
 *                     TIDs not known yet
 *   replay_calls.c    which system call goes where
 *   replay_mm.c       memory calls: mmap, munmap, mprotect, brk, madvise
 *   replay_mremap.c   mremap
 *   replay_lock.c     mlock and friends, System V shared memory
 *   replay_proc.c     processes: clone, fork, vfork, execve, exits, signals
 *   replay_space.c    address spaces, their names and the seed
 *   replay_place.c    placement policies and traced -> replayed addresses
 *   replay_report.c   counters, result mismatches, the final listing
 *   replay_html.c     the picture's steps
 *   replay_progress.c the progress bar
 */
#ifndef BSDVM_TOOL_REPLAY_H
#define BSDVM_TOOL_REPLAY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <bsdvm/bsdvm.h>
#include <bsdvm/vmspace.h>

#include "cli.h"
#include "maps0.h"
#include "picture.h"
#include "replay_ranges.h"
#include "strace.h"
#include "strace_args.h"

enum replay_place {
	PLACE_FIXED,     /* where the trace says (default) */
	PLACE_FIRST_FIT, /* lowest free range */
	PLACE_TOP_DOWN,  /* highest free range below the mmap base */
	PLACE_RANDOM     /* first fit from a random address */
};

struct replay_opts {
	const char *trace, *maps0, *html;
	enum replay_place place;
	uint64_t page_size;
	unsigned address_bits;  /* the window is [page, 2^bits) */
	uint64_t seed;          /* for --place random */
	unsigned long html_steps;
	uint64_t frames;
	unsigned long show;     /* mismatches printed at most */
	bool strict;            /* exit 1 on a mismatch */
	bool progress;          /* progress bar allowed (stderr is a terminal) */
	enum listing_format format;
};

/* One replayed address space (a Linux mm): a vmspace and the side tables
 * the engine has no place for. */
struct ras {
	struct vmspace *vm;
	unsigned id;            /* 1, 2, ... in order of creation */
	unsigned refs;          /* tasks and processes using it */
	struct rranges names;   /* replayed range -> string number */
	struct rranges xlate;   /* traced range -> replayed minus traced */
	struct rranges shm;     /* replayed range -> segment number + 1 */
	uint64_t brk_start, brk_cur;
	bool brk_known;
	bool lock_future;       /* mlockall(MCL_FUTURE) */
	struct ras *next;       /* all address spaces alive */
};

enum rproc_state { RPROC_RUNNING, RPROC_EXITED, RPROC_KILLED };

struct rproc {
	long pid;
	long ppid;              /* 0 for the first process */
	struct proc *p;         /* the bsdvm process: holds a reference on as->vm */
	struct ras *as;
	const char *exe;        /* from its last execve; interned */
	enum rproc_state state;
	long status;
	const char *signame;    /* interned */
	unsigned live_tasks;
	unsigned execs;
	unsigned long row;      /* order of creation */
};

struct rtask {
	long tid;
	struct rproc *proc;
	struct ras *as;         /* holds a reference */
	bool alive;
};

/* Calls of one name. */
struct rstat {
	char *name;
	unsigned long calls;      /* records seen */
	unsigned long applied;    /* replayed */
	unsigned long failed;     /* failed in the trace, not applied */
	unsigned long unknown;    /* "= ?": the outcome is not known */
	unsigned long ignored;    /* no effect on the map (not modelled) */
	unsigned long mismatches;
	bool known;               /* a call replay knows */
};

/* One System V segment from shmget. */
struct rshm {
	long id;
	uint64_t key, size;
	struct vm_object *obj;
};

/* A record of a TID not seen yet, kept until a clone returns it. */
struct rbuffered {
	struct strace_rec rec;
	struct rbuffered *next;
};

struct replay {
	struct replay_opts o;
	struct bsdvm_sys *sys;
	uint64_t min, max, mmap_base;
	/* processes and threads */
	struct rproc **procs;
	size_t nprocs, capprocs;
	struct rtask **tasks;
	size_t ntasks, captasks;
	struct ras *spaces;
	unsigned nspaces;
	unsigned long threads_made;
	/* records of unknown TIDs, oldest first */
	struct rbuffered *buf_head, *buf_tail;
	unsigned long buffered;
	/* the seed */
	struct maps0 seed;
	bool seed_pending;          /* apply at the first process's first execve */
	unsigned seed_used, seed_skipped;
	/* interned strings: names of ranges, programs */
	char **strs;
	size_t nstrs, capstrs;
	/* file objects by name, System V segments */
	struct { char *key; struct vm_object *obj; } *files;
	size_t nfiles, capfiles;
	struct rshm *shms;
	size_t nshms, capshms;
	/* counters */
	struct rstat *stats;
	size_t nstats, capstats;
	unsigned long records, events, unknown_ranges, resumed_only, orphans, unfinished;
	long root_pid;
	unsigned long sig_checked, sig_agree, mismatches, collisions;
	unsigned long execs_ok, execs_failed, wire_failures, unreadable;
	char **mm_lines;            /* the mismatches kept for printing */
	size_t nmm, capmm;
	struct bsdvm_map_stats dead; /* counters of address spaces already freed */
	uint64_t rng;
	/* the picture */
	struct picture *pic;
	uint64_t html_every, html_count;
	bool *html_sticky;
	size_t html_cap;
	/* the progress bar */
	uint64_t total_bytes;
	double started, last_draw;
	bool bar_shown;
};

/* The call being replayed: its record, its arguments and its thread. */
struct rcall {
	struct strace_rec *rec;
	char *argv[STRACE_MAXARGS];
	int argc;
	char *copy;             /* the split copy of rec->args */
	struct rtask *task;
	struct ras *as;
	struct rstat *stat;
};

/* ---- replay_calls.c ---- */
/* Replays one finished call of a known thread. */
void replay_call(struct replay *rp, struct rtask *t, struct strace_rec *rec);
/* Argument i as a number / flag word; false after counting the call as
 * unreadable when it is missing or not one. */
bool rc_num(struct replay *rp, struct rcall *c, int i, uint64_t *v);
bool rc_flags(struct replay *rp, struct rcall *c, int i, const struct strace_flag *t,
    uint64_t *v);
/* Counts the call as one whose arguments could not be read. */
void rc_unreadable(struct replay *rp, struct rcall *c);
/* At least n arguments; false after counting the call as unreadable. */
bool rc_nargs(struct replay *rp, struct rcall *c, int n);
/* The call failed in the trace (a result in -4095..-1). */
bool rc_failed(const struct rcall *c);
/* The call's length argument i rounded up to pages (false: unreadable). */
bool rc_len(struct replay *rp, struct rcall *c, int i, uint64_t *len);
/* Linux PROT_* bits as VM_PROT_* bits. */
bsdvm_prot_t rc_prot(uint64_t lxprot);

/* ---- replay_mm.c ---- */
void replay_mmap(struct replay *rp, struct rcall *c);
void replay_munmap(struct replay *rp, struct rcall *c);
void replay_mprotect(struct replay *rp, struct rcall *c);
void replay_brk(struct replay *rp, struct rcall *c);
void replay_madvise(struct replay *rp, struct rcall *c);
/* Maps [addr, addr+len) (replayed addresses) as a traced mmap asked; the
 * kernel's own mappings (seed) go through here too.  Returns a KERN code. */
struct rmap_req {
	uint64_t addr, len, offset;
	bsdvm_prot_t prot;
	bool shared, anon, growsdown, replace, locked, nomerge;
	struct vm_object *obj;  /* file or segment; NULL: anonymous */
	const char *name;       /* interned path, "" for none */
};
int replay_map_at(struct replay *rp, struct ras *as, const struct rmap_req *req);
/* Unmaps replayed [start, end) and forgets its names and segments. */
int replay_unmap(struct replay *rp, struct ras *as, uint64_t start, uint64_t end);

/* ---- replay_mremap.c ---- */
void replay_mremap(struct replay *rp, struct rcall *c);

/* ---- replay_lock.c ---- */
void replay_mlock(struct replay *rp, struct rcall *c);
void replay_munlock(struct replay *rp, struct rcall *c);
void replay_mlockall(struct replay *rp, struct rcall *c);
void replay_munlockall(struct replay *rp, struct rcall *c);
void replay_shmget(struct replay *rp, struct rcall *c);
void replay_shmat(struct replay *rp, struct rcall *c);
void replay_shmdt(struct replay *rp, struct rcall *c);
/* Wires replayed [start, end) for mlock / MAP_LOCKED; a KERN code. */
int replay_wire(struct replay *rp, struct ras *as, uint64_t start, uint64_t end);

/* ---- replay_proc.c ---- */
void replay_clone(struct replay *rp, struct rcall *c);
void replay_execve(struct replay *rp, struct rcall *c);
/* The non-call records: exits, signals, notes. */
void replay_event(struct replay *rp, struct rtask *t, struct strace_rec *rec);
/* The thread with this TID, or NULL. */
struct rtask *replay_task(struct replay *rp, long tid);
/* A first process (the trace's first TID, or one whose clone was never
 * seen) with an empty address space; NULL if out of memory. */
struct rtask *replay_root(struct replay *rp, long tid, bool first);
/* Frees every process, thread and address space. */
void replay_procs_free(struct replay *rp);

/* ---- replay_space.c ---- */
struct ras *ras_new(struct replay *rp);
/* A copy for fork: bsdvm_vmspace_fork and copies of the side tables. */
struct ras *ras_fork(struct replay *rp, struct ras *parent);
void ras_ref(struct ras *as);
void ras_unref(struct replay *rp, struct ras *as);
struct vm_map *ras_map(struct ras *as);
/* Applies the seed to as; false if out of memory. */
bool ras_seed(struct replay *rp, struct ras *as);
/* A namer for listings: the names kept in as. */
struct listing_namer ras_namer(struct ras *as);
/* Interns s; NULL if out of memory. */
const char *replay_str(struct replay *rp, const char *s);
/* The stand-in object of a file (by -y path, else by descriptor). */
struct vm_object *replay_file(struct replay *rp, const char *key);
/* Is any of replayed [start, end) mapped / all of it? */
bool ras_any_mapped(struct ras *as, uint64_t start, uint64_t end);
/* The end of the mapped run starting at start (start if unmapped). */
uint64_t ras_mapped_prefix(struct ras *as, uint64_t start, uint64_t end);

/* ---- replay_place.c ---- */
/* One replayed piece of a traced range. */
struct rpiece {
	uint64_t start, end;    /* replayed */
	uint64_t tstart;        /* traced */
};
/* Cuts traced [start, end) into replayed pieces (at most max; the count
 * is returned); untranslated parts map to themselves. */
size_t replay_pieces(struct ras *as, uint64_t start, uint64_t end, struct rpiece *out,
    size_t max);
/* The replayed address of traced addr. */
uint64_t replay_xlate(struct ras *as, uint64_t addr);
/* Records that traced [tstart, tstart+len) now lives at replayed raddr. */
bool replay_xlate_set(struct ras *as, uint64_t tstart, uint64_t len, uint64_t raddr);
/* Where a non-fixed mapping of len bytes goes: the traced address with
 * --place fixed, else the policy's choice; KERN code.  below2g for MAP_32BIT. */
int replay_place(struct replay *rp, struct ras *as, uint64_t traced, uint64_t len,
    bool below2g, uint64_t *addr);

/* ---- replay_report.c ---- */
struct rstat *replay_stat(struct replay *rp, const char *name);
/* Records a result that differs from the trace: "what" says how. */
void replay_mismatch(struct replay *rp, struct rcall *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* A mismatch of an event (signal) rather than a call. */
void replay_mismatch_rec(struct replay *rp, const struct strace_rec *rec, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Page rounding; false when it overflows. */
bool replay_round(const struct replay *rp, uint64_t len, uint64_t *out);
bool replay_aligned(const struct replay *rp, uint64_t addr);
/* Prints the listings and counters; returns the exit status. */
int replay_report(struct replay *rp);
void replay_report_free(struct replay *rp);

/* ---- replay_html.c ---- */
bool replay_html_init(struct replay *rp);
/* After a call (sampled) or a process event (always kept). */
void replay_html_call(struct replay *rp, const struct strace_rec *rec);
void replay_html_event(struct replay *rp, const char *caption);
/* The last step (final layouts) and the file; false after a message. */
bool replay_html_finish(struct replay *rp);

/* ---- replay_progress.c ---- */
void replay_progress(struct replay *rp, uint64_t bytes_done, bool last);

#endif /* BSDVM_TOOL_REPLAY_H */
