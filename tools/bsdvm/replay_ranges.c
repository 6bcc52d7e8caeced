/*
 * replay_ranges.c - sorted non-overlapping ranges with values.  A sorted
 * array: a replay changes a few hundred ranges per address space, and the
 * listing walks them in order.
 */
#include <stdlib.h>
#include <string.h>

#include "replay_ranges.h"

size_t rranges_first_after(const struct rranges *r, uint64_t addr)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct rrange *rranges_find(const struct rranges *r, uint64_t addr)
{
	size_t i = rranges_first_after(r, addr);

	return i < r->n && r->v[i].start <= addr ? &r->v[i] : NULL;
}

static bool insert_at(struct rranges *r, size_t i, struct rrange x)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct rrange *v = realloc(r->v, cap * sizeof(*v));

		if (v == NULL)
			return false;
		r->v = v;
		r->cap = cap;
	}
	if (i < r->n)
		memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*r->v));
	r->v[i] = x;
	r->n++;
	return true;
}

bool rranges_clear(struct rranges *r, uint64_t start, uint64_t end)
{
	size_t i = rranges_first_after(r, start), j;

	if (start >= end)
		return true;
	if (i < r->n && r->v[i].start < start && r->v[i].end > end) {
		/* a hole in the middle of one range: it becomes two */
		struct rrange tail = r->v[i];

		tail.start = end;
		if (!insert_at(r, i + 1, tail))
			return false;
		r->v[i].end = start;
		return true;
	}
	if (i < r->n && r->v[i].start < start) {
		r->v[i].end = start;
		i++;
	}
	if (r->n == 0)
		return true; /* (v may be NULL) */
	for (j = i; j < r->n && r->v[j].end <= end; j++)
		;
	if (j < r->n && r->v[j].start < end)
		r->v[j].start = end;
	if (j > i && j < r->n)
		memmove(&r->v[i], &r->v[j], (r->n - j) * sizeof(*r->v));
	r->n -= j - i;
	return true;
}

bool rranges_set(struct rranges *r, uint64_t start, uint64_t end, uint64_t val)
{
	struct rrange x = { start, end, val };

	if (start >= end)
		return true;
	if (!rranges_clear(r, start, end))
		return false;
	return insert_at(r, rranges_first_after(r, start), x);
}

bool rranges_copy(struct rranges *dst, const struct rranges *src)
{
	dst->v = NULL;
	dst->n = dst->cap = 0;
	if (src->n == 0)
		return true;
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (dst->v == NULL)
		return false;
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	return true;
}

void rranges_free(struct rranges *r)
{
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}
