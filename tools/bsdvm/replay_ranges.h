/*
 * replay_ranges.h - a set of non-overlapping address ranges, each with a
 * value: the replay keeps its side tables in them (the name of each
 * replayed range, the translation from traced to replayed addresses, the
 * attached System V segments).  Setting a range overwrites what was there
 * and clips neighbours, as mapping over memory does.
 */
#ifndef BSDVM_TOOL_REPLAY_RANGES_H
#define BSDVM_TOOL_REPLAY_RANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rrange {
	uint64_t start, end; /* end excluded */
	uint64_t val;
};

struct rranges {
	struct rrange *v;    /* sorted by start */
	size_t n, cap;
};

#define RRANGES_INIT { NULL, 0, 0 }

/* Removes [start, end) from every range (clipping them). */
bool rranges_clear(struct rranges *r, uint64_t start, uint64_t end);
/* Makes [start, end) one range with val.  False if out of memory. */
bool rranges_set(struct rranges *r, uint64_t start, uint64_t end, uint64_t val);
/* The range holding addr, or NULL. */
const struct rrange *rranges_find(const struct rranges *r, uint64_t addr);
/* The index of the first range ending after addr (n if none). */
size_t rranges_first_after(const struct rranges *r, uint64_t addr);
bool rranges_copy(struct rranges *dst, const struct rranges *src);
void rranges_free(struct rranges *r);

#endif /* BSDVM_TOOL_REPLAY_RANGES_H */
