/*
 * replay.c - "bsdvm replay [options] TRACE": the system calls of an
 * "strace -f" trace replayed onto the address spaces of one bsdvm system.
 *
 * Records arrive in the order their results appeared (strace.c joins
 * unfinished calls), which is the only order in which their effects are
 * known.  A record of a TID nobody has created yet is kept aside: a
 * child's first lines often come before its parent's clone returns.  Once
 * a clone names the TID, the kept records are replayed in their order; at
 * the end, TIDs no clone ever named become processes of their own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "replay.h"

#define DEFAULT_HTML_STEPS 300
#define DEFAULT_FRAMES     65536
#define DEFAULT_SHOW       50
#define MIB                ((uint64_t)1 << 20)

/* ---- options ---- */

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s == '\0' || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno == 0 && *end == '\0';
}

/* Takes the value of an option of replay's own ("--x V" or "--x=V");
 * returns 1 if argv[*i] is that option, 0 if not, -1 on a usage error. */
static int valued(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*value = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		cli_usage_error("option '%s' needs a value", name);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

static int set_place(const char *v, struct replay_opts *o)
{
	if (strcmp(v, "fixed") == 0)
		o->place = PLACE_FIXED;
	else if (strcmp(v, "first-fit") == 0)
		o->place = PLACE_FIRST_FIT;
	else if (strcmp(v, "top-down") == 0)
		o->place = PLACE_TOP_DOWN;
	else if (strcmp(v, "random") == 0)
		o->place = PLACE_RANDOM;
	else
		return cli_usage_error("unknown placement '%s' (expected fixed, first-fit, "
		    "top-down or random)", v);
	return TOOL_EXIT_OK;
}

/* Applies one of replay's valued options; a TOOL_EXIT code. */
static int set_option(const char *name, const char *v, struct replay_opts *o)
{
	uint64_t n = 0;

	if (strcmp(name, "--maps0") == 0)
		o->maps0 = v;
	else if (strcmp(name, "--html") == 0)
		o->html = v;
	else if (strcmp(name, "--place") == 0)
		return set_place(v, o);
	else if (!parse_u64(v, &n))
		return cli_usage_error("option '%s' needs a number, not '%s'", name, v);
	else if (strcmp(name, "--page-size") == 0) {
		if (n < 4096 || n > 65536 || (n & (n - 1)) != 0)
			return cli_usage_error("--page-size must be a power of two from 4096 "
			    "to 65536");
		o->page_size = n;
	} else if (strcmp(name, "--address-bits") == 0) {
		if (n < 32 || n > 63)
			return cli_usage_error("--address-bits must be from 32 to 63");
		o->address_bits = (unsigned)n;
	} else if (strcmp(name, "--seed") == 0) {
		o->seed = n;
	} else if (strcmp(name, "--html-steps") == 0) {
		if (n < 2 || n > 100000)
			return cli_usage_error("--html-steps must be from 2 to 100000");
		o->html_steps = (unsigned long)n;
	} else if (strcmp(name, "--frames") == 0) {
		if (n < 16 || n > ((uint64_t)1 << 24))
			return cli_usage_error("--frames must be from 16 to 16777216");
		o->frames = n;
	} else if (strcmp(name, "--show") == 0) {
		o->show = (unsigned long)n;
	}
	return TOOL_EXIT_OK;
}

static int parse_options(int argc, char **argv, struct tool_opts *topts,
    struct replay_opts *o)
{
	static const char *const names[] = { "--maps0", "--html", "--place", "--page-size",
		"--address-bits", "--seed", "--html-steps", "--frames", "--show", NULL };
	char **rest = malloc(((size_t)argc + 1) * sizeof(*rest)), *pos[1];
	int i, nrest = 0, npos, rv = TOOL_EXIT_OK;

	if (rest == NULL)
		return cli_usage_error("out of memory");
	for (i = 0; i < argc && rv == TOOL_EXIT_OK; i++) {
		const char *v = NULL;
		int k, m = 0;

		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				rest[nrest++] = argv[i++];
			break;
		}
		for (k = 0; names[k] != NULL && m == 0; k++) {
			m = valued(argc, argv, &i, names[k], &v);
			if (m > 0)
				rv = set_option(names[k], v, o);
		}
		if (m < 0)
			rv = TOOL_EXIT_USAGE;
		else if (m == 0 && strcmp(argv[i], "--strict") == 0)
			o->strict = true;
		else if (m == 0)
			rest[nrest++] = argv[i];
	}
	if (rv == TOOL_EXIT_OK)
		rv = cli_parse(nrest, rest, topts, pos, 1, &npos);
	free(rest);
	if (rv != TOOL_EXIT_OK)
		return rv;
	if (npos != 1)
		return cli_usage_error("replay needs the trace file (bsdvm replay [options] TRACE)");
	o->trace = pos[0];
	o->format = topts->format;
	return TOOL_EXIT_OK;
}

/* ---- records ---- */

static void dispatch(struct replay *rp, struct strace_rec *rec);

/* Keeps a record of a TID not known yet. */
static void keep(struct replay *rp, struct strace_rec *rec)
{
	struct rbuffered *b = malloc(sizeof(*b));

	if (b == NULL) {
		strace_rec_free(rec);
		return;
	}
	b->rec = *rec;
	b->next = NULL;
	if (rp->buf_tail != NULL)
		rp->buf_tail->next = b;
	else
		rp->buf_head = b;
	rp->buf_tail = b;
	rp->buffered++;
}

/* Replays kept records whose TID is known now, oldest first. */
static void flush(struct replay *rp)
{
	/* a kept record may clone and flush again: the list is rescanned from
	 * its head after every record, so that is safe */
	for (;;) {
		struct rbuffered **pp = &rp->buf_head, *b = NULL, *prev = NULL;

		for (; *pp != NULL; prev = *pp, pp = &(*pp)->next) {
			if (replay_task(rp, (*pp)->rec.pid) != NULL) {
				b = *pp;
				break;
			}
		}
		if (b == NULL)
			break;
		*pp = b->next;
		if (rp->buf_tail == b)
			rp->buf_tail = prev;
		dispatch(rp, &b->rec);
		free(b);
	}
}

/* Replays one record, taking it over. */
static void dispatch(struct replay *rp, struct strace_rec *rec)
{
	struct rtask *t;

	if (rec->pid == 0)
		rec->pid = rec->orig_pid = rp->root_pid; /* a trace without -f */
	t = replay_task(rp, rec->pid);
	if (t == NULL && rec->orig_pid != rec->pid) {
		/* execve in a thread: the thread takes the process's TID */
		t = replay_task(rp, rec->orig_pid);
		if (t != NULL)
			t->tid = rec->pid;
	}
	if (t == NULL) {
		keep(rp, rec);
		return;
	}
	if (rec->resumed_only)
		rp->resumed_only++;
	if (rec->kind == STRACE_CALL) {
		replay_call(rp, t, rec);
		if (rp->buf_head != NULL)
			flush(rp);
	} else {
		replay_event(rp, t, rec);
	}
	strace_rec_free(rec);
}

/* Frees the records still kept: after a bad line stops the replay, or
 * when memory runs out. */
static void drop_kept(struct replay *rp)
{
	while (rp->buf_head != NULL) {
		struct rbuffered *b = rp->buf_head;

		rp->buf_head = b->next;
		strace_rec_free(&b->rec);
		free(b);
	}
	rp->buf_tail = NULL;
}

/* TIDs no clone in the trace created: each becomes a process of its own. */
static void adopt_orphans(struct replay *rp)
{
	while (rp->buf_head != NULL) {
		if (replay_task(rp, rp->buf_head->rec.pid) == NULL) {
			if (replay_root(rp, rp->buf_head->rec.pid, false) == NULL)
				break;
			rp->orphans++;
		}
		flush(rp);
	}
	drop_kept(rp); /* only when out of memory */
}

static bool is_exec(const struct strace_rec *rec)
{
	return rec->kind == STRACE_CALL &&
	    (strcmp(rec->name, "execve") == 0 || strcmp(rec->name, "execveat") == 0);
}

/* Reads every record; TOOL_EXIT_INPUT after a message on a bad line. */
static int run(struct replay *rp, FILE *in)
{
	struct strace_reader *r = strace_open(in, rp->o.trace);
	struct strace_rec rec;
	int rv;

	if (r == NULL)
		return TOOL_EXIT_FAIL;
	while ((rv = strace_next(r, &rec)) == 1) {
		if (++rp->records % 256 == 0)
			replay_progress(rp, strace_bytes(r), false);
		if (rp->nprocs == 0) {
			rp->root_pid = rec.pid != 0 ? rec.pid : 1;
			rp->seed_pending = rp->seed.n > 0 && is_exec(&rec);
			if (replay_root(rp, rp->root_pid, true) == NULL) {
				strace_rec_free(&rec);
				rv = -2;
				break;
			}
		}
		dispatch(rp, &rec);
	}
	replay_progress(rp, strace_bytes(r), true);
	rp->unfinished = strace_pending(r);
	if (rv == -1)
		fprintf(stderr, "%s: %s\n", tool_progname, strace_error(r));
	else if (rv == -2)
		fprintf(stderr, "%s: out of memory\n", tool_progname);
	strace_close(r);
	if (rv < 0) {
		drop_kept(rp);
		return rv == -1 ? TOOL_EXIT_INPUT : TOOL_EXIT_FAIL;
	}
	adopt_orphans(rp);
	return TOOL_EXIT_OK;
}

/* ---- set up and tear down ---- */

static int setup(struct replay *rp)
{
	struct bsdvm_sys_params sp;
	char err[600];

	memset(&sp, 0, sizeof(sp));
	sp.page_size = rp->o.page_size;
	sp.frames = rp->o.frames;
	if (bsdvm_sys_create(&sp, &rp->sys) != KERN_SUCCESS) {
		fprintf(stderr, "%s: cannot create a bsdvm system of %llu frames\n", tool_progname,
		    (unsigned long long)rp->o.frames);
		return TOOL_EXIT_FAIL;
	}
	rp->min = rp->o.page_size;
	rp->max = (uint64_t)1 << rp->o.address_bits;
	/* Linux puts its mmap base below the stack's rlimit gap (at least
	 * 128 MiB) and the stack guard gap (1 MiB) */
	rp->mmap_base = rp->max - 129 * MIB;
	rp->rng = rp->o.seed * 0x9e3779b97f4a7c15ull + 1;
	if (rp->o.maps0 != NULL && !maps0_read(rp->o.maps0, &rp->seed, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", tool_progname, err);
		return TOOL_EXIT_INPUT;
	}
	if (rp->o.html != NULL && !replay_html_init(rp)) {
		fprintf(stderr, "%s: out of memory\n", tool_progname);
		return TOOL_EXIT_FAIL;
	}
	return TOOL_EXIT_OK;
}

static void teardown(struct replay *rp)
{
	size_t i;

	if (rp->pic != NULL) {
		picture_free(rp->pic);
		free(rp->html_sticky);
	}
	replay_procs_free(rp);
	for (i = 0; i < rp->nfiles; i++) {
		bsdvm_object_deallocate(rp->files[i].obj);
		free(rp->files[i].key);
	}
	for (i = 0; i < rp->nshms; i++)
		bsdvm_object_deallocate(rp->shms[i].obj);
	for (i = 0; i < rp->nstrs; i++)
		free(rp->strs[i]);
	free(rp->files);
	free(rp->shms);
	free(rp->strs);
	replay_report_free(rp);
	maps0_free(&rp->seed);
	if (rp->sys != NULL)
		bsdvm_sys_destroy(rp->sys);
}

int cmd_replay(int argc, char **argv, struct tool_opts *opts)
{
	struct replay rp;
	struct stat st;
	FILE *in;
	int rv;

	memset(&rp, 0, sizeof(rp));
	rp.o.page_size = 4096;
	rp.o.address_bits = 47;
	rp.o.seed = 1;
	rp.o.html_steps = DEFAULT_HTML_STEPS;
	rp.o.frames = DEFAULT_FRAMES;
	rp.o.show = DEFAULT_SHOW;
	rv = parse_options(argc, argv, opts, &rp.o);
	if (rv != TOOL_EXIT_OK)
		return rv;
	rp.o.progress = isatty(STDERR_FILENO) != 0;
	in = strcmp(rp.o.trace, "-") == 0 ? stdin : fopen(rp.o.trace, "r");
	if (in == NULL) {
		fprintf(stderr, "%s: %s: %s\n", tool_progname, rp.o.trace, strerror(errno));
		return TOOL_EXIT_INPUT;
	}
	if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
		rp.total_bytes = (uint64_t)st.st_size;
	rv = setup(&rp);
	if (rv == TOOL_EXIT_OK)
		rv = run(&rp, in);
	if (in != stdin)
		fclose(in);
	if (rv == TOOL_EXIT_OK && !replay_html_finish(&rp))
		rv = TOOL_EXIT_FAIL;
	if (rv == TOOL_EXIT_OK)
		rv = replay_report(&rp);
	teardown(&rp);
	return rv;
}
