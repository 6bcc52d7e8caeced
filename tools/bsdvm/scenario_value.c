/*
 * scenario_value.c - numbers, protections, names and result codes as a
 * scenario writes them.
 */
#include <errno.h>
#include <string.h>

#include "scenario.h"

bool scn_number(const char *s, uint64_t *out)
{
	uint64_t v = 0, base = 10, scale = 1;
	const char *p = s;

	if (*p == '\0')
		return false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
		if (*p == '\0')
			return false;
	}
	for (; *p != '\0'; p++) {
		uint64_t d;

		if (*p >= '0' && *p <= '9')
			d = (uint64_t)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (uint64_t)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (uint64_t)(*p - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	/* a binary suffix: K, M, G, T (either case) */
	if (*p != '\0') {
		switch (*p) {
		case 'k': case 'K': scale = (uint64_t)1 << 10; break;
		case 'm': case 'M': scale = (uint64_t)1 << 20; break;
		case 'g': case 'G': scale = (uint64_t)1 << 30; break;
		case 't': case 'T': scale = (uint64_t)1 << 40; break;
		default: return false;
		}
		if (p[1] != '\0' || p == s || (base == 16 && p == s + 2))
			return false;
		if (v > UINT64_MAX / scale)
			return false;
		v *= scale;
	}
	*out = v;
	return true;
}

bool scn_prot(const char *s, uint64_t *out)
{
	static const char letters[3] = { 'r', 'w', 'x' };
	uint64_t prot = 0;
	int i;

	if (strlen(s) != 3)
		return false;
	for (i = 0; i < 3; i++) {
		if (s[i] == letters[i])
			prot |= (uint64_t)1 << i; /* VM_PROT_READ, WRITE, EXECUTE */
		else if (s[i] != '-')
			return false;
	}
	*out = prot;
	return true;
}

bool scn_is_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (s++; *s != '\0'; s++) {
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
		    (*s >= '0' && *s <= '9')))
			return false;
	}
	return true;
}

/* The errno values the NetBSD face returns, by name. */
static const struct {
	const char *name;
	int value;
} errnos[] = {
	{ "0", 0 },
	{ "EINVAL", EINVAL },
	{ "ENOMEM", ENOMEM },
	{ "EACCES", EACCES },
	{ "EAGAIN", EAGAIN },
	{ "EFAULT", EFAULT },
	{ "EPERM", EPERM },
	{ "EBUSY", EBUSY },
	{ "ENOSPC", ENOSPC },
};
#define NERRNOS (sizeof(errnos) / sizeof(errnos[0]))

/* KERN_SUCCESS .. KERN_WOULD_BLOCK */
#define KERN_LAST KERN_WOULD_BLOCK

bool scn_code(enum scn_result kind, const char *s, int *out)
{
	size_t i;
	int c;

	if (kind == SCN_RES_KERN) {
		for (c = 0; c <= KERN_LAST; c++) {
			if (strcmp(bsdvm_kern_name(c), s) == 0) {
				*out = c;
				return true;
			}
		}
	} else if (kind == SCN_RES_ERRNO) {
		for (i = 0; i < NERRNOS; i++) {
			if (strcmp(errnos[i].name, s) == 0) {
				*out = errnos[i].value;
				return true;
			}
		}
	}
	return false;
}

const char *scn_code_name(enum scn_result kind, int code)
{
	static char buf[32];
	size_t i;

	if (kind == SCN_RES_KERN)
		return bsdvm_kern_name(code);
	for (i = 0; i < NERRNOS; i++) {
		if (errnos[i].value == code)
			return errnos[i].name;
	}
	snprintf(buf, sizeof(buf), "errno %d", code);
	return buf;
}

/* One byte as it appears in a quoted string: itself or an escape. */
static const char *escape(unsigned char c, char buf[8])
{
	if (c == '"' || c == '\\')
		snprintf(buf, 8, "\\%c", c);
	else if (c == '\n')
		snprintf(buf, 8, "\\n");
	else if (c == '\t')
		snprintf(buf, 8, "\\t");
	else if (c >= 0x20 && c < 0x7f)
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\x%02x", c);
	return buf;
}

void scn_put_bytes(FILE *out, const char *bytes, size_t len)
{
	char e[8];
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++)
		fputs(escape((unsigned char)bytes[i], e), out);
	fputc('"', out);
}

void scn_quote(char *buf, size_t size, const char *bytes, size_t len, size_t max)
{
	size_t used = 0, i;
	char e[8];

	if (size < 8) {
		if (size > 0)
			buf[0] = '\0';
		return;
	}
	buf[used++] = '"';
	for (i = 0; i < len && i < max; i++) {
		size_t el = strlen(escape((unsigned char)bytes[i], e));

		if (used + el + 5 > size) /* room for "..." and the quote */
			break;
		memcpy(buf + used, e, el);
		used += el;
	}
	buf[used++] = '"';
	if (i < len) {
		memcpy(buf + used, "...", 3);
		used += 3;
	}
	buf[used] = '\0';
}

bool scn_flags(const struct scn_flagname *table, const char *s, uint64_t *out)
{
	uint64_t bits = 0;

	while (*s != '\0') {
		const char *bar = strchr(s, '|');
		size_t len = bar != NULL ? (size_t)(bar - s) : strlen(s);
		const struct scn_flagname *f;
		char word[64];
		uint64_t n;

		if (len == 0 || len >= sizeof(word))
			return false;
		memcpy(word, s, len);
		word[len] = '\0';
		for (f = table; f->name != NULL && strcmp(f->name, word) != 0; f++)
			continue;
		if (f->name != NULL)
			bits |= f->bits;
		else if (scn_number(word, &n))
			bits |= n;
		else
			return false;
		s += len;
		if (*s == '|' && *++s == '\0')
			return false;
	}
	*out = bits;
	return true;
}
