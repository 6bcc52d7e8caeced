/*
 * report.h - the lines every narrating command prints about a map: its
 * counters, and the result of the consistency check.
 */
#ifndef BSDVM_TOOL_REPORT_H
#define BSDVM_TOOL_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <bsdvm/bsdvm.h>

/*
 * A byte count for people: "4 KiB", "2 MiB", and "127.99 TiB" (truncated,
 * never rounded up) when it is not a whole number of the largest unit.
 * buf should hold 32 bytes.
 */
const char *report_size(bsdvm_size_t bytes, char *buf, size_t len);

/* "stats: entries 5, size 0x86000 (536 KiB), largest gap ..., splits 0, ..." */
void report_stats(FILE *out, struct vm_map *map);

/*
 * Runs vm_map_check(); prints "check: ok" or "check: FAILED: reason" and
 * returns whether it held.
 */
bool report_check(FILE *out, struct vm_map *map);

#endif /* BSDVM_TOOL_REPORT_H */
