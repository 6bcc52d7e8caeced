/*
 * labels.c - names for address ranges, newest first.
 */
#include <stdlib.h>
#include <string.h>

#include "labels.h"

bool labels_add(struct labels *l, bsdvm_addr_t start, bsdvm_addr_t end, const char *name)
{
	size_t len = strlen(name) + 1;
	char *copy;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct label *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return false;
		l->v = v;
		l->cap = cap;
	}
	copy = malloc(len);
	if (copy == NULL)
		return false;
	memcpy(copy, name, len);
	l->v[l->n++] = (struct label){ start, end, copy };
	return true;
}

const char *labels_find(const struct labels *l, bsdvm_addr_t addr)
{
	size_t i;

	for (i = l->n; i > 0; i--) {
		if (addr >= l->v[i - 1].start && addr < l->v[i - 1].end)
			return l->v[i - 1].name;
	}
	return NULL;
}

static const char *name_region(void *ctx, const struct bsdvm_region *r)
{
	return labels_find(ctx, r->start);
}

struct listing_namer labels_namer(struct labels *l)
{
	struct listing_namer namer = { name_region, l };

	return namer;
}

void labels_free(struct labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
