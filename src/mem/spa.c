/*
 * spa.c - a two-level sparse array of slots, grown on demand.
 *
 * Amaps and objects index their pages by page number; a mapping of many
 * gigabytes that is touched in a few places must not cost a slot per page,
 * so slots come in chunks of SPA_CHUNK that exist only once used.
 */
#include <string.h>

#include "mem/mem_impl.h"

struct spa_slot *spa_peek(const struct spa *a, uint64_t i)
{
	uint64_t c = i / SPA_CHUNK;

	if (c >= a->nchunks || a->chunks[c] == NULL)
		return NULL;
	return &a->chunks[c][i % SPA_CHUNK];
}

static int spa_grow(struct spa *a, const struct bsdvm_platform *p, uint64_t nchunks)
{
	struct spa_slot **n;
	uint64_t cap = a->nchunks != 0 ? a->nchunks : 1;

	while (cap < nchunks)
		cap *= 2;
	n = bsdvm_palloc(p, cap * sizeof(*n));
	if (n == NULL)
		return KERN_RESOURCE_SHORTAGE;
	if (a->nchunks != 0)
		memcpy(n, a->chunks, a->nchunks * sizeof(*n));
	bsdvm_pfree(p, a->chunks, a->nchunks * sizeof(*n));
	a->chunks = n;
	a->nchunks = cap;
	return KERN_SUCCESS;
}

int spa_reserve(struct spa *a, const struct bsdvm_platform *p, uint64_t i, uint64_t n)
{
	uint64_t c, last;

	if (n == 0)
		return KERN_SUCCESS;
	last = (i + n - 1) / SPA_CHUNK;
	if (last >= a->nchunks && spa_grow(a, p, last + 1) != KERN_SUCCESS)
		return KERN_RESOURCE_SHORTAGE;
	for (c = i / SPA_CHUNK; c <= last; c++) {
		if (a->chunks[c] == NULL) {
			a->chunks[c] = bsdvm_palloc(p, SPA_CHUNK * sizeof(struct spa_slot));
			if (a->chunks[c] == NULL)
				return KERN_RESOURCE_SHORTAGE;
		}
	}
	return KERN_SUCCESS;
}

struct spa_slot *spa_get(struct spa *a, const struct bsdvm_platform *p, uint64_t i)
{
	if (spa_reserve(a, p, i, 1) != KERN_SUCCESS)
		return NULL;
	return &a->chunks[i / SPA_CHUNK][i % SPA_CHUNK];
}

void spa_foreach(struct spa *a, void (*fn)(void *arg, uint64_t i, struct spa_slot *s),
    void *arg)
{
	uint64_t c, k;

	for (c = 0; c < a->nchunks; c++) {
		if (a->chunks[c] == NULL)
			continue;
		for (k = 0; k < SPA_CHUNK; k++) {
			struct spa_slot *s = &a->chunks[c][k];

			if (s->p != NULL || s->v != 0)
				fn(arg, c * SPA_CHUNK + k, s);
		}
	}
}

void spa_free(struct spa *a, const struct bsdvm_platform *p)
{
	uint64_t c;

	for (c = 0; c < a->nchunks; c++)
		bsdvm_pfree(p, a->chunks[c], SPA_CHUNK * sizeof(struct spa_slot));
	bsdvm_pfree(p, a->chunks, a->nchunks * sizeof(*a->chunks));
	a->chunks = NULL;
	a->nchunks = 0;
}
