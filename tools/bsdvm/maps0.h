/*
 * maps0.h - reading a /proc/PID/maps snapshot, the layout a replay starts
 * from: the kernel builds the first mappings of a program (its ELF
 * segments, the dynamic linker, the stack, vdso and vvar) inside execve,
 * and strace shows none of them.
 */
#ifndef BSDVM_TOOL_MAPS0_H
#define BSDVM_TOOL_MAPS0_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct maps0_entry {
	uint64_t start, end;   /* end excluded */
	bool read, write, exec, shared;
	uint64_t offset;       /* file offset */
	unsigned long inode;   /* 0 for anonymous memory and pseudo-files */
	unsigned long line;    /* where it was read */
	char *path;            /* "" when none; "\012" read back as a newline */
};

struct maps0 {
	struct maps0_entry *v;
	size_t n;
};

/*
 * Reads the file at path.  Returns true, or false with a message
 * "FILE:LINE: why" (or "FILE: why") in err.  Lines must be in the format
 * "start-end perms offset dev inode [path]" with increasing, page-sized
 * non-overlapping ranges (checked by the caller against its page size).
 */
bool maps0_read(const char *path, struct maps0 *out, char *err, size_t errlen);
void maps0_free(struct maps0 *m);

#endif /* BSDVM_TOOL_MAPS0_H */
