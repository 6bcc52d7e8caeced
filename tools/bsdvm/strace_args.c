/*
 * strace_args.c - reading the arguments strace prints.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strace_args.h"

/* ---- splitting ---- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

int strace_split(char *args, char **argv, int max)
{
	char *p = args, *start = args;
	int depth = 0, n = 0;

	if (*trim(args) == '\0' || max <= 0)
		return 0;
	while (*p != '\0') {
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
			if (*p != '\0')
				p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			char *e = strstr(p + 2, "*/");

			p = e != NULL ? e + 2 : p + strlen(p);
			continue;
		}
		if (*p == '<' && p > args && isdigit((unsigned char)p[-1])) {
			/* a -y path: quotes and commas in it are the file's */
			int sq = 0;

			for (p++; *p != '\0' && !(*p == '>' && sq == 0); p++) {
				if (*p == '[')
					sq++;
				else if (*p == ']' && sq > 0)
					sq--;
			}
			if (*p != '\0')
				p++;
			continue;
		}
		if (*p == '(' || *p == '[' || *p == '{')
			depth++;
		else if ((*p == ')' || *p == ']' || *p == '}') && depth > 0)
			depth--;
		else if (*p == ',' && depth == 0 && n + 1 < max) {
			*p = '\0';
			argv[n++] = trim(start);
			start = p + 1;
		}
		p++;
	}
	argv[n++] = trim(start);
	return n;
}

/* ---- numbers ---- */

static bool parse_int(const char *s, const char **end, uint64_t *out)
{
	char *e;
	bool neg = false;
	uint64_t v;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		v = strtoull(s, &e, 16);
	else if (s[0] == '0' && isdigit((unsigned char)s[1]))
		v = strtoull(s, &e, 8); /* strace prints octal modes as 0644 */
	else
		v = strtoull(s, &e, 10);
	if (errno == ERANGE)
		return false;
	*out = neg ? (uint64_t)0 - v : v;
	*end = e;
	return true;
}

bool strace_number(const char *s, uint64_t *out)
{
	const char *end;

	while (*s == ' ')
		s++;
	if (strncmp(s, "NULL", 4) == 0 && (s[4] == '\0' || s[4] == ' ')) {
		*out = 0;
		return true;
	}
	if (!parse_int(s, &end, out))
		return false;
	while (*end == ' ')
		end++;
	return *end == '\0' || *end == '<' || strncmp(end, "/*", 2) == 0;
}

/* strace writes unprintable and special characters of a path as C
 * escapes ("\\74" for '<', "\\\"", "\\x0a"); copies src[0..n) without them. */
static void unescape(char *dst, const char *src, size_t n)
{
	const char *end = src + n;

	while (src < end) {
		unsigned v = 0;
		int k;

		if (*src != '\\' || src + 1 == end) {
			*dst++ = *src++;
			continue;
		}
		src++;
		if (*src >= '0' && *src <= '7') {
			for (k = 0; k < 3 && src < end && *src >= '0' && *src <= '7'; k++)
				v = v * 8 + (unsigned)(*src++ - '0');
			*dst++ = (char)v;
		} else if (*src == 'x' && src + 1 < end && isxdigit((unsigned char)src[1])) {
			for (src++, k = 0; k < 2 && src < end && isxdigit((unsigned char)*src); k++, src++)
				v = v * 16 + (unsigned)(isdigit((unsigned char)*src) ? *src - '0'
				                                                   : (*src | 0x20) - 'a' + 10);
			*dst++ = (char)v;
		} else {
			*dst++ = *src == 'n' ? '\n' : *src == 't' ? '\t' : *src;
			src++;
		}
	}
	*dst = '\0';
}

bool strace_fd(const char *s, long *fd, char **path)
{
	uint64_t v;
	const char *lt, *gt;

	if (path != NULL)
		*path = NULL;
	if (!strace_number(s, &v))
		return false;
	*fd = (long)(int64_t)v;
	lt = strchr(s, '<');
	if (path != NULL && lt != NULL && (gt = strrchr(lt, '>')) != NULL && gt > lt + 1) {
		size_t n = (size_t)(gt - lt - 1);

		*path = malloc(n + 1);
		if (*path != NULL)
			unescape(*path, lt + 1, n);
	}
	return true;
}

/* ---- flags ---- */

static bool lookup(const struct strace_flag *t, const char *name, size_t len, uint64_t *v)
{
	for (; t->name != NULL; t++) {
		if (strlen(t->name) == len && strncmp(t->name, name, len) == 0) {
			*v = t->value;
			return true;
		}
	}
	return false;
}

bool strace_flags(const char *s, const struct strace_flag *table, uint64_t *out,
    unsigned *unknown)
{
	const char *c = strstr(s, "/*"), *end = s + strlen(s), *p;
	uint64_t acc = 0;

	if (c != NULL) { /* -X verbose: "0x3 /" "* PROT_READ|PROT_WRITE *" "/" */
		const char *ce = strstr(c, "*/");

		s = c + 2;
		end = ce != NULL ? ce : s + strlen(s);
	}
	for (p = s; p < end;) {
		const char *q = p, *tokend;
		uint64_t v;
		size_t len;

		while (q < end && *q != '|')
			q++;
		tokend = q;
		while (p < tokend && *p == ' ')
			p++;
		while (tokend > p && tokend[-1] == ' ')
			tokend--;
		len = (size_t)(tokend - p);
		if (len > 0) {
			const char *ne;

			if (isdigit((unsigned char)*p) || *p == '-') {
				if (!parse_int(p, &ne, &v) || ne != tokend)
					return false;
				acc |= v;
			} else if (lookup(table, p, len, &v)) {
				acc |= v;
			} else if (unknown != NULL) {
				(*unknown)++;
			}
		}
		p = q + 1;
	}
	*out = acc;
	return true;
}

const char *strace_field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = text; *p != '\0'; p++) {
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
			if (*p == '\0')
				break;
			continue;
		}
		if (strncmp(p, key, klen) == 0 && p[klen] == '=' &&
		    (p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')))
			return p + klen + 1;
	}
	return NULL;
}

/* ---- tables ---- */

const struct strace_flag strace_prot_flags[] = {
	{ "PROT_NONE", 0 }, { "PROT_READ", 0x1 }, { "PROT_WRITE", 0x2 },
	{ "PROT_EXEC", 0x4 }, { "PROT_SEM", 0x8 }, { "PROT_BTI", 0x10 }, { "PROT_MTE", 0x20 },
	{ "PROT_GROWSDOWN", 0x01000000 }, { "PROT_GROWSUP", 0x02000000 }, { NULL, 0 },
};

const struct strace_flag strace_map_flags[] = {
	{ "MAP_SHARED", 0x1 }, { "MAP_PRIVATE", 0x2 }, { "MAP_SHARED_VALIDATE", 0x3 },
	{ "MAP_DROPPABLE", 0x8 }, { "MAP_FIXED", 0x10 }, { "MAP_ANONYMOUS", 0x20 },
	{ "MAP_ANON", 0x20 }, { "MAP_32BIT", 0x40 }, { "MAP_GROWSDOWN", 0x100 },
	{ "MAP_DENYWRITE", 0x800 }, { "MAP_EXECUTABLE", 0x1000 }, { "MAP_LOCKED", 0x2000 },
	{ "MAP_NORESERVE", 0x4000 }, { "MAP_POPULATE", 0x8000 }, { "MAP_NONBLOCK", 0x10000 },
	{ "MAP_STACK", 0x20000 }, { "MAP_HUGETLB", 0x40000 }, { "MAP_SYNC", 0x80000 },
	{ "MAP_FIXED_NOREPLACE", 0x100000 }, { "MAP_UNINITIALIZED", 0x4000000 },
	{ "MAP_FILE", 0 }, { "MAP_HUGE_64KB", 16u << 26 }, { "MAP_HUGE_2MB", 21u << 26 },
	{ "MAP_HUGE_1GB", 30u << 26 }, { NULL, 0 },
};

const struct strace_flag strace_mremap_flags[] = {
	{ "MREMAP_MAYMOVE", 0x1 }, { "MREMAP_FIXED", 0x2 }, { "MREMAP_DONTUNMAP", 0x4 },
	{ NULL, 0 },
};

const struct strace_flag strace_madv_values[] = {
	{ "MADV_NORMAL", 0 }, { "MADV_RANDOM", 1 }, { "MADV_SEQUENTIAL", 2 },
	{ "MADV_WILLNEED", 3 }, { "MADV_DONTNEED", 4 }, { "MADV_FREE", 8 },
	{ "MADV_REMOVE", 9 }, { "MADV_DONTFORK", 10 }, { "MADV_DOFORK", 11 },
	{ "MADV_MERGEABLE", 12 }, { "MADV_UNMERGEABLE", 13 }, { "MADV_HUGEPAGE", 14 },
	{ "MADV_NOHUGEPAGE", 15 }, { "MADV_DONTDUMP", 16 }, { "MADV_DODUMP", 17 },
	{ "MADV_WIPEONFORK", 18 }, { "MADV_KEEPONFORK", 19 }, { "MADV_COLD", 20 },
	{ "MADV_PAGEOUT", 21 }, { "MADV_POPULATE_READ", 22 }, { "MADV_POPULATE_WRITE", 23 },
	{ "MADV_DONTNEED_LOCKED", 24 }, { "MADV_COLLAPSE", 25 }, { "MADV_HWPOISON", 100 },
	{ "MADV_SOFT_OFFLINE", 101 }, { "MADV_GUARD_INSTALL", 102 },
	{ "MADV_GUARD_REMOVE", 103 }, { NULL, 0 },
};

const struct strace_flag strace_mcl_flags[] = {
	{ "MCL_CURRENT", 0x1 }, { "MCL_FUTURE", 0x2 }, { "MCL_ONFAULT", 0x4 },
	{ "MLOCK_ONFAULT", 0x1 }, { NULL, 0 },
};

const struct strace_flag strace_clone_flags[] = {
	{ "CLONE_VM", 0x100 }, { "CLONE_FS", 0x200 }, { "CLONE_FILES", 0x400 },
	{ "CLONE_SIGHAND", 0x800 }, { "CLONE_PIDFD", 0x1000 }, { "CLONE_PTRACE", 0x2000 },
	{ "CLONE_VFORK", 0x4000 }, { "CLONE_PARENT", 0x8000 }, { "CLONE_THREAD", 0x10000 },
	{ "CLONE_NEWNS", 0x20000 }, { "CLONE_SYSVSEM", 0x40000 }, { "CLONE_SETTLS", 0x80000 },
	{ "CLONE_PARENT_SETTID", 0x100000 }, { "CLONE_CHILD_CLEARTID", 0x200000 },
	{ "CLONE_DETACHED", 0x400000 }, { "CLONE_UNTRACED", 0x800000 },
	{ "CLONE_CHILD_SETTID", 0x1000000 }, { "CLONE_NEWCGROUP", 0x2000000 },
	{ "CLONE_NEWUTS", 0x4000000 }, { "CLONE_NEWIPC", 0x8000000 },
	{ "CLONE_NEWUSER", 0x10000000 }, { "CLONE_NEWPID", 0x20000000 },
	{ "CLONE_NEWNET", 0x40000000 }, { "CLONE_IO", 0x80000000u },
	{ "CLONE_CLEAR_SIGHAND", 0x100000000ull }, { "CLONE_INTO_CGROUP", 0x200000000ull },
	{ NULL, 0 },
};

const struct strace_flag strace_shm_flags[] = {
	{ "SHM_RDONLY", 0x1000 }, { "SHM_RND", 0x2000 }, { "SHM_REMAP", 0x4000 },
	{ "SHM_EXEC", 0x8000 }, { NULL, 0 },
};
