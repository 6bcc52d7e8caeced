/*
 * scenario_op_mem.c - scenario operations on bytes and pages (write,
 * fill, read, fault) and on memory objects (file, object, sync).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario_ops.h"

/* What one read may move: enough for any scenario, small enough to allocate. */
#define READ_MAX ((uint64_t)64 << 20)
/* Bytes shown of what was read when nothing is expected. */
#define SHOW_MAX 64
/* fill and file contents are written in chunks of this many bytes. */
#define CHUNK 65536

int scn_op_write(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);
	bsdvm_addr_t addr;
	size_t done = 0;
	int rv;

	if (sp == NULL || !scn_addr(r, &st->arg[1], &addr))
		return SCN_SKIPPED;
	rv = bsdvm_copyout(sp->vm, st->arg[2].bytes, addr, st->arg[2].len, &done);
	if (rv != KERN_SUCCESS)
		scn_note(r, "%zu of %zu bytes written", done, st->arg[2].len);
	return rv;
}

/* Fills buf with len bytes of pattern, starting at pattern offset phase. */
static void pattern(char *buf, size_t len, const struct scn_value *data, uint64_t phase)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = data->bytes[(phase + i) % data->len];
}

int scn_op_fill(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);
	uint64_t size = st->arg[2].num, off;
	bsdvm_addr_t addr;
	int rv = KERN_SUCCESS;
	char *buf;

	if (sp == NULL || !scn_addr(r, &st->arg[1], &addr))
		return SCN_SKIPPED;
	if (st->arg[3].len == 0) {
		scn_fail(r, "fill needs a string of at least one byte");
		return SCN_SKIPPED;
	}
	buf = malloc(CHUNK);
	if (buf == NULL) {
		scn_fail(r, "out of memory");
		return SCN_SKIPPED;
	}
	for (off = 0; off < size && rv == KERN_SUCCESS; off += CHUNK) {
		size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK, done = 0;

		pattern(buf, n, &st->arg[3], off);
		rv = bsdvm_copyout(sp->vm, buf, addr + off, n, &done);
		if (rv != KERN_SUCCESS)
			scn_note(r, "%" PRIu64 " of %" PRIu64 " bytes written", off + done, size);
	}
	free(buf);
	return rv;
}

/* read SPACE ADDR SIZE [expect [repeat] DATA]: st->form is 0 (nothing
 * expected), 1 (exactly DATA) or 2 (DATA repeated); the data is arg[3]. */
bool scn_parse_read(struct scn_parser *p, struct scn_stmt *st, const struct scn_toks *t,
    int first, int end)
{
	int a, i = first;

	for (a = 0; a < 3; a++, i++) {
		if (i >= end)
			return scn_parse_error(p, "read: usage: read SPACE ADDR SIZE "
			    "[expect [repeat] \"DATA\"]");
		if (!scn_parse_value(p, st->op->args[a], &t->v[i], st->op, &st->arg[a]))
			return false;
	}
	if (i == end)
		return true;
	if (t->v[i].quoted || t->v[i].key != NULL || strcmp(t->v[i].text, "expect") != 0)
		return scn_parse_error(p, "read: expected 'expect', not '%s'", t->v[i].text);
	st->form = 1;
	if (++i < end && !t->v[i].quoted && strcmp(t->v[i].text, "repeat") == 0) {
		st->form = 2;
		i++;
	}
	if (i + 1 != end)
		return scn_parse_error(p, "read: expect needs one string");
	if (!scn_parse_value(p, SCN_DATA, &t->v[i], st->op, &st->arg[3]))
		return false;
	if (st->form == 1 && st->arg[3].len != st->arg[2].num)
		return scn_parse_error(p, "read: the size is %" PRIu64 " but the string has %zu "
		    "bytes", st->arg[2].num, st->arg[3].len);
	if (st->form == 2 && st->arg[3].len == 0)
		return scn_parse_error(p, "read: expect repeat needs a string of at least one byte");
	return true;
}

/* Compares what was read with what the statement expects; false after
 * scn_fail(). */
static bool compare_read(struct scn_run *r, const struct scn_stmt *st, const char *got,
    size_t len)
{
	const struct scn_value *data = &st->arg[3];
	char g[96], w[96];
	size_t i;

	r->expectations++;
	for (i = 0; i < len; i++) {
		char want = data->bytes[i % data->len];

		if (got[i] != want)
			break;
	}
	if (i == len)
		return true;
	/* show a little of both from the first difference on */
	scn_quote(g, sizeof(g), got + i, len - i, 16);
	if (st->form == 1) {
		scn_quote(w, sizeof(w), data->bytes + i, len - i, 16);
	} else {
		char buf[16];
		size_t n = len - i < sizeof(buf) ? len - i : sizeof(buf);

		pattern(buf, n, data, i);
		scn_quote(w, sizeof(w), buf, n, 16);
		if (n < len - i)
			strcat(w, "...");
	}
	scn_fail(r, "read: byte %zu differs: expected %s, got %s", i, w, g);
	return false;
}

int scn_op_read(struct scn_run *r, const struct scn_stmt *st)
{
	struct world_space *sp = scn_space(r, &st->arg[0]);
	uint64_t size = st->arg[2].num;
	bsdvm_addr_t addr;
	size_t done = 0;
	char *buf, shown[SHOW_MAX * 4 + 8];
	int rv;

	if (sp == NULL || !scn_addr(r, &st->arg[1], &addr))
		return SCN_SKIPPED;
	if (size > READ_MAX) {
		scn_fail(r, "read: at most %" PRIu64 " bytes at once", READ_MAX);
		return SCN_SKIPPED;
	}
	buf = malloc(size ? (size_t)size : 1);
	if (buf == NULL) {
		scn_fail(r, "out of memory");
		return SCN_SKIPPED;
	}
	rv = bsdvm_copyin(sp->vm, addr, buf, (size_t)size, &done);
	if (rv != KERN_SUCCESS) {
		scn_note(r, "%zu of %" PRIu64 " bytes read", done, size);
	} else if (st->form != 0) {
		if (compare_read(r, st, buf, (size_t)size))
			scn_note(r, "%" PRIu64 " bytes as expected", size);
	} else {
		scn_quote(shown, sizeof(shown), buf, (size_t)size, SHOW_MAX);
		scn_note(r, "%s", shown);
	}
	free(buf);
	return rv;
}

int scn_op_fault(struct scn_run *r, const struct scn_stmt *st)
{
	static const bsdvm_prot_t access[] = { VM_PROT_READ, VM_PROT_WRITE, VM_PROT_EXECUTE };
	struct world_space *sp = scn_space(r, &st->arg[0]);
	bsdvm_addr_t addr;

	if (sp == NULL || !scn_addr(r, &st->arg[1], &addr))
		return SCN_SKIPPED;
	return bsdvm_fault(world_map(sp), addr, access[st->arg[2].num]);
}

/* A temporary file of size bytes of fill (zeros without it), unlinked at
 * once so that nothing is left behind; -1 after scn_fail(). */
static int temp_file(struct scn_run *r, uint64_t size, const struct scn_value *fill)
{
	const char *dir = getenv("TMPDIR");
	char path[4096], *buf = calloc(1, CHUNK);
	uint64_t off;
	int fd;

	snprintf(path, sizeof(path), "%s/bsdvm-run-XXXXXX", dir != NULL && *dir ? dir : "/tmp");
	fd = buf != NULL ? mkstemp(path) : -1;
	if (fd < 0) {
		scn_fail(r, "file: cannot make a temporary file in %s",
		    dir != NULL && *dir ? dir : "/tmp");
		free(buf);
		return -1;
	}
	unlink(path);
	for (off = 0; off < size; off += CHUNK) {
		size_t n = size - off < CHUNK ? (size_t)(size - off) : CHUNK;

		if (fill->set && fill->len > 0)
			pattern(buf, n, fill, off);
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n) {
			scn_fail(r, "file: cannot write the temporary file");
			close(fd);
			free(buf);
			return -1;
		}
	}
	free(buf);
	return fd;
}

int scn_op_file(struct scn_run *r, const struct scn_stmt *st)
{
	const char *label = st->opt[1].set ? st->opt[1].bytes : st->arg[0].name;
	struct vm_object *obj;
	int fd, rv;

	if (!scn_need_system(r))
		return SCN_SKIPPED;
	fd = temp_file(r, st->arg[1].num, &st->opt[0]);
	if (fd < 0)
		return SCN_SKIPPED;
	rv = bsdvm_object_file(r->w.sys, fd, st->arg[1].num, !st->opt[2].set, &obj);
	if (rv != KERN_SUCCESS) {
		close(fd);
		return rv;
	}
	if (scn_bind_object(r, st->arg[0].name, obj, fd, label) == NULL)
		scn_fail(r, "out of memory");
	return rv;
}

int scn_op_object(struct scn_run *r, const struct scn_stmt *st)
{
	struct vm_object *obj;
	char label[128];
	int rv;

	if (!scn_need_system(r))
		return SCN_SKIPPED;
	rv = bsdvm_object_anon(r->w.sys, st->arg[1].num, &obj);
	if (rv != KERN_SUCCESS)
		return rv;
	snprintf(label, sizeof(label), "[%s]", st->arg[0].name);
	if (scn_bind_object(r, st->arg[0].name, obj, -1, label) == NULL)
		scn_fail(r, "out of memory");
	return rv;
}

int scn_op_sync(struct scn_run *r, const struct scn_stmt *st)
{
	struct scn_binding *b = scn_object(r, &st->arg[0]);

	return b != NULL ? bsdvm_object_sync(b->obj) : SCN_SKIPPED;
}
