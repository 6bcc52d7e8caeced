/*
 * replay_calls.c - which system call goes to which handler, and the
 * argument readers the handlers share.
 *
 * Three kinds of names: calls that change address spaces (replayed),
 * calls strace's memory, process and ipc classes show that change no map
 * entry (counted as "no effect": msync, mincore, wait4, ...), and all
 * others (counted as unknown and otherwise ignored: a trace made without
 * -e shows openat, read, ...).
 */
#include <stdlib.h>
#include <string.h>

#include "replay.h"

struct handler {
	const char *name;
	void (*fn)(struct replay *rp, struct rcall *c);
};

static const struct handler handlers[] = {
	{ "brk", replay_brk },
	{ "clone", replay_clone },
	{ "clone2", replay_clone },
	{ "clone3", replay_clone },
	{ "execve", replay_execve },
	{ "execveat", replay_execve },
	{ "fork", replay_clone },
	{ "madvise", replay_madvise },
	{ "mlock", replay_mlock },
	{ "mlock2", replay_mlock },
	{ "mlockall", replay_mlockall },
	{ "mmap", replay_mmap },
	{ "mmap2", replay_mmap },
	{ "mprotect", replay_mprotect },
	{ "mremap", replay_mremap },
	{ "munlock", replay_munlock },
	{ "munlockall", replay_munlockall },
	{ "munmap", replay_munmap },
	{ "pkey_mprotect", replay_mprotect },
	{ "shmat", replay_shmat },
	{ "shmdt", replay_shmdt },
	{ "shmget", replay_shmget },
	{ "vfork", replay_clone },
};

/* Known, and without effect on any map entry. */
static const char *const no_effect[] = {
	"exit", "exit_group", "get_mempolicy", "set_mempolicy", "set_mempolicy_home_node",
	"mbind", "migrate_pages", "move_pages", "mincore", "msync", "mseal",
	"process_madvise", "process_mrelease", "remap_file_pages", "membarrier",
	"wait4", "waitid", "waitpid", "kill", "tkill", "tgkill", "rt_sigqueueinfo",
	"rt_tgsigqueueinfo", "pidfd_open", "pidfd_send_signal", "pidfd_getfd",
	"shmctl", "semget", "semop", "semtimedop", "semctl", "msgget", "msgsnd",
	"msgrcv", "msgctl", "mq_open", "mq_unlink", "mq_timedsend", "mq_timedreceive",
	"mq_notify", "mq_getsetattr", "ipc", "map_shadow_stack", "arch_prctl",
	"set_tid_address", "unshare", "setns", NULL,
};

void rc_unreadable(struct replay *rp, struct rcall *c)
{
	rp->unreadable++;
	c->stat->ignored++;
}

bool rc_nargs(struct replay *rp, struct rcall *c, int n)
{
	if (c->argc >= n)
		return true;
	rc_unreadable(rp, c);
	return false;
}

bool rc_num(struct replay *rp, struct rcall *c, int i, uint64_t *v)
{
	if (i < c->argc && strace_number(c->argv[i], v))
		return true;
	rc_unreadable(rp, c);
	return false;
}

bool rc_flags(struct replay *rp, struct rcall *c, int i, const struct strace_flag *t,
    uint64_t *v)
{
	if (i < c->argc && strace_flags(c->argv[i], t, v, NULL))
		return true;
	rc_unreadable(rp, c);
	return false;
}

bool rc_len(struct replay *rp, struct rcall *c, int i, uint64_t *len)
{
	uint64_t v;

	if (!rc_num(rp, c, i, &v))
		return false;
	if (replay_round(rp, v, len))
		return true;
	rc_unreadable(rp, c);
	return false;
}

bool rc_failed(const struct rcall *c)
{
	return c->rec->result_known && c->rec->result < 0 && c->rec->result >= -4095;
}

bsdvm_prot_t rc_prot(uint64_t lx)
{
	return (bsdvm_prot_t)(((lx & LX_PROT_READ) ? VM_PROT_READ : 0) |
	    ((lx & LX_PROT_WRITE) ? VM_PROT_WRITE : 0) |
	    ((lx & LX_PROT_EXEC) ? VM_PROT_EXECUTE : 0));
}

static const struct handler *find_handler(const char *name)
{
	size_t lo = 0, hi = sizeof(handlers) / sizeof(handlers[0]);

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int cmp = strcmp(name, handlers[mid].name);

		if (cmp == 0)
			return &handlers[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool is_no_effect(const char *name)
{
	size_t i;

	for (i = 0; no_effect[i] != NULL; i++) {
		if (strcmp(no_effect[i], name) == 0)
			return true;
	}
	return false;
}

void replay_call(struct replay *rp, struct rtask *t, struct strace_rec *rec)
{
	const struct handler *h = find_handler(rec->name);
	struct rcall c;
	size_t n;

	memset(&c, 0, sizeof(c));
	c.rec = rec;
	c.task = t;
	c.as = t->as;
	c.stat = replay_stat(rp, rec->name);
	if (c.stat == NULL)
		return;
	c.stat->calls++;
	if (h == NULL) {
		c.stat->known = is_no_effect(rec->name);
		c.stat->ignored++;
		return;
	}
	c.stat->known = true;
	n = strlen(rec->args) + 1;
	c.copy = malloc(n);
	if (c.copy == NULL) {
		rc_unreadable(rp, &c);
		return;
	}
	memcpy(c.copy, rec->args, n);
	c.argc = strace_split(c.copy, c.argv, STRACE_MAXARGS);
	h->fn(rp, &c);
	free(c.copy);
	replay_html_call(rp, rec);
}
