/*
 * strace_args.h - the arguments of a call as strace prints them: split at
 * top-level commas, numbers ("NULL", "4096", "0x7f00", "-1"), flag words
 * ("PROT_READ|PROT_WRITE", "MAP_PRIVATE|0x200000", "0x3 /+ PROT_READ|... +/"
 * of -X verbose), file descriptors with -y paths ("3</usr/lib/libc.so.6>")
 * and "key=value" fields of structures (clone3's flags=, parent_tid=[N]).
 *
 * Symbolic names are preferred to numbers since numbers differ between
 * architectures; bare numbers are read with x86-64 Linux values.
 */
#ifndef BSDVM_TOOL_STRACE_ARGS_H
#define BSDVM_TOOL_STRACE_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STRACE_MAXARGS 8

/*
 * Splits args in place at commas outside strings, brackets and comments;
 * each argument is trimmed.  Returns the count (at most max; the rest is
 * left in the last one).  "" gives 0.
 */
int strace_split(char *args, char **argv, int max);

/* A number, "NULL" (0), or a -y descriptor "3<...>"; false if none. */
bool strace_number(const char *s, uint64_t *out);

/* A descriptor "3" or "3</path>"; *path (may be NULL) gets a copy of the
 * path between the angle brackets, or NULL when there is none. */
bool strace_fd(const char *s, long *fd, char **path);

/* One name of a flag word and its value. */
struct strace_flag {
	const char *name;
	uint64_t value;
};

/*
 * A flag word: names from table joined by '|', numbers, or 0.  Unknown
 * names are ignored and counted in *unknown (may be NULL).  With a
 * "/+ NAMES +/" comment (-X verbose) the names in it are used.
 */
bool strace_flags(const char *s, const struct strace_flag *table, uint64_t *out,
    unsigned *unknown);

/*
 * The value of "key=" anywhere in text (at any depth, not inside a
 * string), as a pointer into text just after the '='; NULL if absent.
 */
const char *strace_field(const char *text, const char *key);

/* Tables (x86-64 values). */
extern const struct strace_flag strace_prot_flags[];
extern const struct strace_flag strace_map_flags[];
extern const struct strace_flag strace_mremap_flags[];
extern const struct strace_flag strace_madv_values[];
extern const struct strace_flag strace_mcl_flags[];
extern const struct strace_flag strace_clone_flags[];
extern const struct strace_flag strace_shm_flags[];

/* The flag values replay needs. */
#define LX_PROT_READ        0x1u
#define LX_PROT_WRITE       0x2u
#define LX_PROT_EXEC        0x4u
#define LX_PROT_GROWSDOWN   0x01000000u
#define LX_MAP_SHARED       0x01u
#define LX_MAP_PRIVATE      0x02u
#define LX_MAP_TYPE         0x0fu
#define LX_MAP_FIXED        0x10u
#define LX_MAP_ANONYMOUS    0x20u
#define LX_MAP_32BIT        0x40u
#define LX_MAP_GROWSDOWN    0x100u
#define LX_MAP_LOCKED       0x2000u
#define LX_MAP_FIXED_NOREPLACE 0x100000u
#define LX_MREMAP_MAYMOVE   0x1u
#define LX_MREMAP_FIXED     0x2u
#define LX_MREMAP_DONTUNMAP 0x4u
#define LX_MCL_CURRENT      0x1u
#define LX_MCL_FUTURE       0x2u
#define LX_CLONE_VM         0x100u
#define LX_CLONE_VFORK      0x4000u
#define LX_CLONE_THREAD     0x10000u
#define LX_SHM_RDONLY       0x1000u
#define LX_SHM_RND          0x2000u
#define LX_SHM_REMAP        0x4000u
#define LX_SHM_EXEC         0x8000u

/* madvise advice values */
#define LX_MADV_NORMAL      0
#define LX_MADV_RANDOM      1
#define LX_MADV_SEQUENTIAL  2
#define LX_MADV_DONTFORK    10
#define LX_MADV_DOFORK      11
#define LX_MADV_DONTDUMP    16
#define LX_MADV_DODUMP      17
#define LX_MADV_WIPEONFORK  18
#define LX_MADV_KEEPONFORK  19

#endif /* BSDVM_TOOL_STRACE_ARGS_H */
