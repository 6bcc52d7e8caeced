/*
 * replay_proc.c - processes and threads: clone, clone3, fork, vfork,
 * execve, execveat, exits and signals.
 *
 * Which address space a new thread gets follows the clone flags, as in
 * the kernel: CLONE_VM shares the parent's (a thread with CLONE_THREAD,
 * else a new process such as a vfork child, which shares until it calls
 * execve); without CLONE_VM the child gets a copy made by
 * bsdvm_vmspace_fork().  Every thread and process holds a reference on
 * its vmspace.  A process that exits keeps its last address space, so
 * that the final layout of every process can be listed at the end.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"

struct rtask *replay_task(struct replay *rp, long tid)
{
	size_t i;

	for (i = rp->ntasks; i-- > 0;) {
		if (rp->tasks[i]->tid == tid && rp->tasks[i]->alive)
			return rp->tasks[i];
	}
	return NULL;
}

static bool push(void *vp, size_t *n, size_t *cap, void *item)
{
	void ***v = vp;

	if (*n == *cap) {
		size_t ncap = *cap ? 2 * *cap : 16;
		void **nv = realloc(*v, ncap * sizeof(*nv));

		if (nv == NULL)
			return false;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = item;
	return true;
}

static struct rtask *task_new(struct replay *rp, long tid, struct rproc *proc)
{
	struct rtask *t = calloc(1, sizeof(*t));

	if (t == NULL || !push(&rp->tasks, &rp->ntasks, &rp->captasks, t)) {
		free(t);
		return NULL;
	}
	t->tid = tid;
	t->proc = proc;
	t->as = proc->as;
	t->alive = true;
	ras_ref(t->as);
	proc->live_tasks++;
	rp->threads_made++;
	return t;
}

/* A process using as: it holds one reference of its own and its bsdvm
 * process another (bsdvm_proc_create takes it). */
static struct rproc *proc_new(struct replay *rp, long pid, long ppid, struct ras *as)
{
	struct rproc *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	if (bsdvm_proc_create(rp->sys, as->vm, &p->p) != KERN_SUCCESS) {
		free(p);
		return NULL;
	}
	if (!push(&rp->procs, &rp->nprocs, &rp->capprocs, p)) {
		bsdvm_proc_destroy(p->p);
		free(p);
		return NULL;
	}
	ras_ref(as);
	p->pid = pid;
	p->ppid = ppid;
	p->as = as;
	p->exe = "";
	p->row = rp->nprocs;
	return p;
}

/* Frees an address space nobody took (after a failure). */
static void drop_unused(struct replay *rp, struct ras *as)
{
	if (as->refs == 0) {
		ras_ref(as);
		ras_unref(rp, as);
	}
}

struct rtask *replay_root(struct replay *rp, long tid, bool first)
{
	struct ras *as = ras_new(rp);
	struct rproc *p;
	struct rtask *t = NULL;

	if (as == NULL)
		return NULL;
	p = proc_new(rp, tid, 0, as);
	if (p != NULL)
		t = task_new(rp, tid, p);
	drop_unused(rp, as);
	if (t != NULL && first && !rp->seed_pending && rp->seed.n > 0 && !ras_seed(rp, as))
		return NULL;
	return t;
}

/* The thread ends; its process ends with its last thread. */
static void task_exit(struct replay *rp, struct rtask *t)
{
	t->alive = false;
	ras_unref(rp, t->as);
	t->as = NULL;
	t->proc->live_tasks--;
}

static void caption(struct replay *rp, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void caption(struct replay *rp, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (rp->pic == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	replay_html_event(rp, buf);
}

/* ---- clone ---- */

/* The clone flags: "flags=..." of clone and clone3, fixed for fork/vfork. */
static bool clone_flags(struct replay *rp, struct rcall *c, uint64_t *flags)
{
	const char *f;
	char buf[512];
	size_t n;

	if (strcmp(c->rec->name, "fork") == 0) {
		*flags = 0;
		return true;
	}
	if (strcmp(c->rec->name, "vfork") == 0) {
		*flags = LX_CLONE_VM | LX_CLONE_VFORK;
		return true;
	}
	f = strace_field(c->rec->args, "flags");
	if (f == NULL) {
		rc_unreadable(rp, c);
		return false;
	}
	n = strcspn(f, ",}");
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, f, n);
	buf[n] = '\0';
	if (!strace_flags(buf, strace_clone_flags, flags, NULL)) {
		rc_unreadable(rp, c);
		return false;
	}
	return true;
}

/* The child's TID: the result, else clone3's "parent_tid=[N]". */
static long child_tid(const struct rcall *c)
{
	const char *pt;

	if (c->rec->result_known && c->rec->result > 0)
		return (long)c->rec->result;
	pt = strace_field(c->rec->args, "parent_tid");
	if (pt != NULL && pt[0] == '[')
		return strtol(pt + 1, NULL, 10);
	return 0;
}

void replay_clone(struct replay *rp, struct rcall *c)
{
	struct rtask *old, *t = c->task;
	struct rproc *p;
	struct ras *as;
	uint64_t flags;
	long child = child_tid(c);

	if (c->rec->result_known && rc_failed(c)) {
		c->stat->failed++;
		return;
	}
	if (child <= 0) {
		c->stat->unknown++;
		return;
	}
	if (!clone_flags(rp, c, &flags))
		return;
	old = replay_task(rp, child);
	if (old != NULL) { /* the TID was reused and its exit never shown */
		replay_mismatch(rp, c, "TID %ld is still alive in the replay", child);
		task_exit(rp, old);
	}
	c->stat->applied++;
	if (flags & LX_CLONE_THREAD) {
		if (task_new(rp, child, t->proc) == NULL)
			rc_unreadable(rp, c);
		else
			caption(rp, "%s: thread %ld in process %ld", c->rec->name, child,
			    t->proc->pid);
		return;
	}
	as = (flags & LX_CLONE_VM) ? t->as : ras_fork(rp, t->as);
	if (as == NULL) {
		replay_mismatch(rp, c, "bsdvm_vmspace_fork fails");
		return;
	}
	p = proc_new(rp, child, t->proc->pid, as);
	if (p == NULL || task_new(rp, child, p) == NULL) {
		rc_unreadable(rp, c);
		drop_unused(rp, as);
		return;
	}
	p->exe = t->proc->exe;
	caption(rp, (flags & LX_CLONE_VM) ? "%s: process %ld shares the address space of %ld"
	                                  : "%s: process %ld, a copy of %ld",
	    c->rec->name, child, t->proc->pid);
}

/* ---- execve ---- */

/* The program path: the first argument without its quotes. */
static const char *program(struct replay *rp, const struct rcall *c)
{
	char buf[512];
	const char *a = c->argc > 0 ? c->argv[0] : "";
	size_t n;

	if (strcmp(c->rec->name, "execveat") == 0 && c->argc > 1)
		a = c->argv[1];
	if (a[0] == '"')
		a++;
	n = strcspn(a, "\"");
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, a, n);
	buf[n] = '\0';
	return replay_str(rp, buf);
}

void replay_execve(struct replay *rp, struct rcall *c)
{
	struct rtask *t = c->task;
	struct rproc *p = t->proc;
	struct ras *old = p->as, *as;
	const char *exe;
	size_t i;

	if (!c->rec->result_known) {
		c->stat->unknown++;
		return;
	}
	if (c->rec->result != 0) {
		c->stat->failed++; /* ENOENT from a PATH search changes nothing */
		rp->execs_failed++;
		return;
	}
	as = ras_new(rp);
	exe = program(rp, c);
	if (as == NULL || exe == NULL) {
		rc_unreadable(rp, c);
		return;
	}
	/* every other thread of the process dies with the old image */
	for (i = 0; i < rp->ntasks; i++) {
		if (rp->tasks[i]->alive && rp->tasks[i]->proc == p && rp->tasks[i] != t)
			task_exit(rp, rp->tasks[i]);
	}
	bsdvm_proc_set_vmspace(p->p, as->vm);
	ras_ref(as);
	p->as = as;
	ras_ref(as);
	t->as = as;
	ras_unref(rp, old); /* the thread's */
	ras_unref(rp, old); /* the process's */
	p->exe = exe;
	p->execs++;
	rp->execs_ok++;
	c->stat->applied++;
	if (rp->seed_pending && p->row == 1) {
		rp->seed_pending = false;
		if (!ras_seed(rp, as))
			rc_unreadable(rp, c);
	}
	caption(rp, "execve: process %ld runs %s", p->pid, exe);
}

/* ---- events ---- */

/* A SIGSEGV names the address: SEGV_MAPERR says it was not mapped,
 * SEGV_ACCERR that it was but the access was not allowed.  The replayed
 * map should agree. */
static void check_segv(struct replay *rp, struct rtask *t, const struct strace_rec *rec)
{
	const char *code = strace_field(rec->args, "si_code");
	const char *addr = strace_field(rec->args, "si_addr");
	bool maperr, mapped;
	uint64_t a, ra;
	char buf[40];
	size_t n;

	if (code == NULL || addr == NULL || t->as == NULL || rp->o.place != PLACE_FIXED)
		return; /* moved mappings: an address freed since has no translation left */
	maperr = strncmp(code, "SEGV_MAPERR", 11) == 0;
	if (!maperr && strncmp(code, "SEGV_ACCERR", 11) != 0)
		return;
	n = strcspn(addr, ",}");
	if (n >= sizeof(buf))
		return;
	memcpy(buf, addr, n);
	buf[n] = '\0';
	if (!strace_number(buf, &a))
		return;
	ra = replay_xlate(t->as, a & ~(rp->o.page_size - 1));
	mapped = ras_any_mapped(t->as, ra, ra + rp->o.page_size);
	rp->sig_checked++;
	if (mapped != maperr)
		rp->sig_agree++;
	else
		replay_mismatch_rec(rp, rec, "%s at 0x%" PRIx64 ", but bsdvm has it %s",
		    maperr ? "SEGV_MAPERR" : "SEGV_ACCERR", a, mapped ? "mapped" : "unmapped");
}

void replay_event(struct replay *rp, struct rtask *t, struct strace_rec *rec)
{
	struct rproc *p = t->proc;

	rp->events++;
	switch (rec->kind) {
	case STRACE_EXITED:
	case STRACE_KILLED:
		task_exit(rp, t);
		if (p->live_tasks > 0)
			return;
		p->state = rec->kind == STRACE_EXITED ? RPROC_EXITED : RPROC_KILLED;
		p->status = rec->value;
		p->signame = rec->kind == STRACE_KILLED ? replay_str(rp, rec->name) : NULL;
		if (rec->kind == STRACE_EXITED)
			caption(rp, "exit: process %ld exited with %ld", p->pid, p->status);
		else
			caption(rp, "exit: process %ld killed by %s", p->pid, rec->name);
		return;
	case STRACE_SIGNAL:
		if (strcmp(rec->name, "SIGSEGV") == 0)
			check_segv(rp, t, rec);
		return;
	default: /* "superseded by execve": the execve's own line tells the rest */
		return;
	}
}

void replay_procs_free(struct replay *rp)
{
	size_t i;

	for (i = 0; i < rp->ntasks; i++) {
		if (rp->tasks[i]->alive)
			ras_unref(rp, rp->tasks[i]->as);
		free(rp->tasks[i]);
	}
	for (i = 0; i < rp->nprocs; i++) {
		bsdvm_proc_destroy(rp->procs[i]->p);
		ras_unref(rp, rp->procs[i]->as);
		free(rp->procs[i]);
	}
	free(rp->tasks);
	free(rp->procs);
	rp->tasks = NULL;
	rp->procs = NULL;
	rp->ntasks = rp->nprocs = 0;
}
