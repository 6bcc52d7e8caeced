/*
 * demo.c - "bsdvm demo": a process's life on a small simulated machine.
 *
 * A system with 64 page frames and swap boots; a program is exec'd (text
 * and data from a file mapped with the FreeBSD face, bss and heap with the
 * NetBSD face, a stack from vm_map_stack, a u-area in the kernel map); a
 * file is mapped private and shared, and anonymous memory; bytes are
 * written; the process forks and each side's writes show which pages are
 * copied and which are taken over; the stack grows by a fault below it;
 * ranges are protected and wired; more pages are touched than there are
 * frames, so pages go to swap and come back; everything is unmapped, both
 * processes exit and nothing is left behind.
 *
 * After every step each address space is listed (--format), with its
 * counters and vm_map_check(), and the system's memory counters follow.
 * Every result is compared with the expected one, so the demo doubles as a
 * test: the first surprise stops it and it exits 1.  The output does not
 * depend on the host: the temporary files are shown under fixed names.
 * At the end an HTML picture with one slider step per demo step is written
 * (--html FILE, default ./bsdvm-demo.html).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bsdvm/uvm.h>
#include <bsdvm/vm_map.h>

#include "commands.h"
#include "narrate.h"
#include "report.h"
#include "scenario.h"
#include "scenario_show.h"

#define DEFAULT_HTML "bsdvm-demo.html"
#define KIB ((bsdvm_size_t)1024)
#define MIB (1024 * KIB)
#define PAGE (4 * KIB)

#define FRAMES 64
#define SWAP_PAGES 256

/* The program's layout. */
#define TEXT       ((bsdvm_addr_t)0x400000)
#define TEXT_SIZE  (16 * KIB)
#define DATA       ((bsdvm_addr_t)0x404000)
#define DATA_SIZE  (8 * KIB)
#define BSS        ((bsdvm_addr_t)0x406000)
#define BSS_SIZE   (8 * KIB)
#define HEAP       ((bsdvm_addr_t)0x600000)
#define HEAP_SIZE  (64 * KIB)
#define STACK_BOS  ((bsdvm_addr_t)0x7ffffff00000) /* bottom of the reservation */
#define STACK_MAX  (1 * MIB)
#define STACK_TOP  (STACK_BOS + STACK_MAX)
#define MMAP_BASE  ((bsdvm_addr_t)0x7f0000000000)
#define FILE_SIZE  (16 * KIB)
#define ANON_SIZE  (64 * KIB)
#define BIG_PAGES  96 /* touched in the paging step: more than the frames left */
#define BIG_HINT   (MMAP_BASE + 1 * MIB) /* away from the other mappings: no merging */

/* Labels standing in for the temporary files' real names. */
#define PROGRAM_NAME "/usr/bin/demo"
#define DATAFILE_NAME "/var/db/demo.dat"

struct demo {
	struct world w;
	struct html_rec pic;
	struct world_space *parent, *child;
	bsdvm_addr_t uarea[2];       /* kernel stacks of parent and child */
	int progfd, datafd;          /* the temporary files */
	struct vm_object *program;   /* the program file */
	struct vm_object *datafile;  /* the data file, writable */
	bsdvm_addr_t priv, shared, anon, big; /* mmap results */
	struct bsdvm_sys_stats before; /* counters when the step began */
	int nstep;                   /* steps begun */
};

/* ---- narration ---- */

static void step(struct demo *d, const char *title, const char *text)
{
	fprintf(d->w.out, "\n== %d. %s\n%s", ++d->nstep, title, text);
	if (d->w.sys != NULL)
		bsdvm_sys_get_stats(d->w.sys, &d->before);
}

/* "  what = KERN_X", checked against want. */
static bool call(struct demo *d, int got, int want, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static bool call(struct demo *d, int got, int want, const char *fmt, ...)
{
	va_list ap;

	fputs("  ", d->w.out);
	va_start(ap, fmt);
	vfprintf(d->w.out, fmt, ap);
	va_end(ap);
	fprintf(d->w.out, " = %s\n", bsdvm_kern_name(got));
	if (got == want)
		return true;
	fprintf(d->w.out, "expectation failed: wanted %s\n", bsdvm_kern_name(want));
	return false;
}

/* The same for the NetBSD face, which answers with errno values. */
static bool call_errno(struct demo *d, int got, const char *what)
{
	fprintf(d->w.out, "  %s = %d\n", what, got);
	if (got == 0)
		return true;
	fprintf(d->w.out, "expectation failed: wanted 0\n");
	return false;
}

static bool expect_u64(struct demo *d, const char *what, uint64_t got, uint64_t want)
{
	if (got == want)
		return true;
	fprintf(d->w.out, "expectation failed: %s is %" PRIu64 ", wanted %" PRIu64 "\n", what,
	    got, want);
	return false;
}

/* "  name before -> after", checked against the expected change. */
static bool delta(struct demo *d, const char *name, uint64_t before, uint64_t after,
    uint64_t want)
{
	fprintf(d->w.out, "  %s %" PRIu64 " -> %" PRIu64 "\n", name, before, after);
	return expect_u64(d, name, after - before, want);
}

static struct bsdvm_sys_stats now(struct demo *d)
{
	struct bsdvm_sys_stats st;

	bsdvm_sys_get_stats(d->w.sys, &st);
	return st;
}

static bool write_str(struct demo *d, struct world_space *sp, bsdvm_addr_t addr,
    const char *s)
{
	size_t len = strlen(s);

	fprintf(d->w.out, "  %s writes ", sp->name);
	scn_put_bytes(d->w.out, s, len);
	fprintf(d->w.out, " at %#" PRIx64 "\n", addr);
	return call(d, bsdvm_copyout(sp->vm, s, addr, len, NULL), KERN_SUCCESS,
	    "  bsdvm_copyout(%s, %#" PRIx64 ", %zu bytes)", sp->name, addr, len);
}

/* Reads strlen(want) bytes at addr and compares them with want. */
static bool read_str(struct demo *d, struct world_space *sp, bsdvm_addr_t addr,
    const char *want)
{
	char got[64];
	size_t len = strlen(want);
	int rv = len <= sizeof(got) ? bsdvm_copyin(sp->vm, addr, got, len, NULL)
	    : KERN_INVALID_ARGUMENT; /* the demo never reads that much */

	if (rv != KERN_SUCCESS)
		return call(d, rv, KERN_SUCCESS, "bsdvm_copyin(%s, %#" PRIx64 ")", sp->name, addr);
	fprintf(d->w.out, "  %s reads %#" PRIx64 ": ", sp->name, addr);
	scn_put_bytes(d->w.out, got, len);
	fputc('\n', d->w.out);
	if (memcmp(got, want, len) == 0)
		return true;
	fprintf(d->w.out, "expectation failed: wanted ");
	scn_put_bytes(d->w.out, want, len);
	fputc('\n', d->w.out);
	return false;
}

/* Entries of sp's map overlapping [start, end). */
static uint64_t entries_in(struct world_space *sp, bsdvm_addr_t start, bsdvm_addr_t end)
{
	return narrate_entries_in(world_map(sp), start, end);
}

/* Ends a step: every map with counters and checks, and a picture step. */
static bool end_step(struct demo *d, const char *caption)
{
	bool ok = show_world(&d->w);

	html_step(&d->pic, &d->w, caption);
	return ok;
}

/* ---- temporary files ---- */

/* A file of size bytes whose page i holds "<tag> page i" padded with
 * dots; unlinked at once, so it disappears with its descriptor.  -1 on
 * error (with a message). */
static int make_file(const char *tag, bsdvm_size_t size)
{
	const char *dir = getenv("TMPDIR");
	char path[4096], page[PAGE];
	bsdvm_size_t off;
	int fd;

	snprintf(path, sizeof(path), "%s/bsdvm-demo-XXXXXX", dir != NULL && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		perror("bsdvm: demo: mkstemp");
		return -1;
	}
	unlink(path);
	for (off = 0; off < size; off += PAGE) {
		memset(page, '.', sizeof(page));
		snprintf(page, sizeof(page), "%s page %" PRIu64, tag, off / PAGE);
		if (pwrite(fd, page, sizeof(page), (off_t)off) != (ssize_t)sizeof(page)) {
			perror("bsdvm: demo: writing a temporary file");
			close(fd);
			return -1;
		}
	}
	return fd;
}

/* ---- the steps ---- */

static bool step_boot(struct demo *d)
{
	struct bsdvm_sys_params sp = { .frames = FRAMES, .swap_pages = SWAP_PAGES };

	step(d, "Boot a machine with 64 page frames and 256 pages of swap",
	    "  One system: a frame pool holding real bytes, a swap store and a kernel map.\n");
	if (!call(d, world_boot(&d->w, &sp), KERN_SUCCESS,
	    "bsdvm_sys_create(frames %d, swap %d pages, page 4 KiB)", FRAMES, SWAP_PAGES))
		return false;
	bsdvm_sys_get_stats(d->w.sys, &d->before);
	return expect_u64(d, "free frames", d->before.free, FRAMES) &&
	    end_step(d, "boot: 64 frames, 256 pages of swap");
}

/* Maps the program file's text and data with the FreeBSD face: private,
 * copy-on-write, at fixed addresses (as exec does). */
static bool map_program(struct demo *d)
{
	struct vm_map *map = world_map(d->parent);
	vm_offset_t text = TEXT, data = DATA;
	int rv;

	bsdvm_object_reference(d->program); /* vm_map_find keeps the caller's reference */
	rv = vm_map_find(map, d->program, 0, &text, TEXT_SIZE, 0, VMFS_NO_SPACE,
	    VM_PROT_READ | VM_PROT_EXECUTE, VM_PROT_ALL, MAP_COPY_ON_WRITE);
	if (rv != KERN_SUCCESS)
		bsdvm_object_deallocate(d->program);
	if (!call(d, rv, KERN_SUCCESS, "vm_map_find(text %#" PRIx64 ", 16 KiB of the program, "
	    "VMFS_NO_SPACE, r-x, MAP_COPY_ON_WRITE)", text))
		return false;
	bsdvm_object_reference(d->program);
	rv = vm_map_find(map, d->program, TEXT_SIZE, &data, DATA_SIZE, 0, VMFS_NO_SPACE,
	    VM_PROT_RW, VM_PROT_ALL, MAP_COPY_ON_WRITE);
	if (rv != KERN_SUCCESS)
		bsdvm_object_deallocate(d->program);
	return call(d, rv, KERN_SUCCESS, "vm_map_find(data %#" PRIx64 ", 8 KiB at offset 16 KiB, "
	    "VMFS_NO_SPACE, rw-, MAP_COPY_ON_WRITE)", data) &&
	    world_label(d->parent, TEXT, DATA + DATA_SIZE, PROGRAM_NAME);
}

/* Maps bss (fixed) and the heap (first fit from a hint) with the NetBSD face. */
static bool map_bss_heap(struct demo *d)
{
	struct vm_map *map = world_map(d->parent);
	vaddr_t bss = BSS, heap = HEAP;
	char what[160];

	snprintf(what, sizeof(what), "uvm_map(bss %#" PRIx64 ", 8 KiB, UVM_MAPFLAG(rw-, rwx, "
	    "UVM_INH_COPY, UVM_ADV_NORMAL, UVM_FLAG_FIXED|UVM_FLAG_COPYONW))", bss);
	if (!call_errno(d, uvm_map(map, &bss, BSS_SIZE, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RWX, UVM_INH_COPY, UVM_ADV_NORMAL,
	    UVM_FLAG_FIXED | UVM_FLAG_COPYONW)), what))
		return false;
	snprintf(what, sizeof(what), "uvm_map(heap, hint %#" PRIx64 ", 64 KiB, UVM_MAPFLAG(rw-, "
	    "rwx, UVM_INH_COPY, UVM_ADV_NORMAL, 0))", heap);
	if (!call_errno(d, uvm_map(map, &heap, HEAP_SIZE, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RWX, UVM_INH_COPY, UVM_ADV_NORMAL, 0)), what))
		return false;
	fprintf(d->w.out, "    -> %#" PRIx64 "\n", heap);
	return expect_u64(d, "heap address", heap, HEAP) &&
	    world_label(d->parent, BSS, BSS + BSS_SIZE, "[bss]") &&
	    world_label(d->parent, HEAP, HEAP + HEAP_SIZE, "[heap]");
}

static bool add_uarea(struct demo *d, int which, struct world_space *sp)
{
	struct world_space *k = world_add_kernel(&d->w);
	char label[48], size[32];

	d->uarea[which] = bsdvm_uarea_alloc(d->w.sys, false);
	if (!call(d, d->uarea[which] != 0 ? KERN_SUCCESS : KERN_RESOURCE_SHORTAGE, KERN_SUCCESS,
	    "bsdvm_uarea_alloc(kernel stack of pid %d)", sp->pid))
		return false;
	fprintf(d->w.out, "    -> %#" PRIx64 " (%s, wired, with a guard page below)\n",
	    d->uarea[which], report_size(bsdvm_uarea_size(d->w.sys), size, sizeof(size)));
	snprintf(label, sizeof(label), "[uarea pid %d]", sp->pid);
	return k != NULL && world_label(k, d->uarea[which],
	    d->uarea[which] + bsdvm_uarea_size(d->w.sys), label);
}

static bool step_exec(struct demo *d)
{
	step(d, "Exec a program: text, data, bss, heap and a u-area",
	    "  Process 100 gets a new user address space.  Text and data are private\n"
	    "  copy-on-write views of the program file (FreeBSD's vm_map_find); bss and\n"
	    "  heap are anonymous memory (NetBSD's uvm_map).  The kernel gives the process\n"
	    "  a u-area: a wired kernel stack in the kernel map.\n");
	d->progfd = make_file("program", TEXT_SIZE + DATA_SIZE);
	if (d->progfd < 0)
		return false;
	if (!call(d, bsdvm_object_file(d->w.sys, d->progfd, TEXT_SIZE + DATA_SIZE, false,
	    &d->program), KERN_SUCCESS, "bsdvm_object_file(%s, 24 KiB, read-only)", PROGRAM_NAME))
		return false;
	if (!call(d, world_add_proc(&d->w, "parent", NULL, &d->parent), KERN_SUCCESS,
	    "bsdvm_proc_create(pid %d)", d->w.next_pid))
		return false;
	return map_program(d) && map_bss_heap(d) && add_uarea(d, 0, d->parent) &&
	    delta(d, "wired", d->before.wired, now(d).wired, 4) &&
	    expect_u64(d, "parent entries", entries_in(d->parent, 0, STACK_TOP), 4) &&
	    end_step(d, "exec: text, data, bss, heap; u-area in the kernel");
}

static bool step_stack(struct demo *d)
{
	step(d, "Map a stack that grows down (vm_map_stack)",
	    "  A 1 MiB reservation below the top of user space: a 128 KiB stack entry at\n"
	    "  the top and a stack gap (a guard entry) over the rest, which faults grow\n"
	    "  the stack into.  Nothing is resident yet.\n");
	return call(d, vm_map_stack(world_map(d->parent), STACK_BOS, STACK_MAX, VM_PROT_RW,
	    VM_PROT_ALL, MAP_STACK_GROWS_DOWN), KERN_SUCCESS,
	    "vm_map_stack(%#" PRIx64 ", 1 MiB, rw-, MAP_STACK_GROWS_DOWN)", STACK_BOS) &&
	    expect_u64(d, "stack entries", entries_in(d->parent, STACK_BOS, STACK_TOP), 2) &&
	    expect_u64(d, "resident", now(d).resident, d->before.resident) &&
	    end_step(d, "vm_map_stack: 1 MiB reservation, 128 KiB mapped");
}

static bool mmap_one(struct demo *d, bsdvm_addr_t hint, bsdvm_addr_t *addr, bsdvm_size_t len,
    uint32_t flags, struct vm_object *obj, const char *what, const char *label)
{
	*addr = hint;
	if (!call(d, bsdvm_vmspace_mmap(d->parent->vm, addr, len, VM_PROT_RW, VM_PROT_ALL, flags,
	    obj, 0), KERN_SUCCESS, "bsdvm_vmspace_mmap(hint %#" PRIx64 ", %s)", hint, what))
		return false;
	fprintf(d->w.out, "    -> %#" PRIx64 "\n", *addr);
	return world_label(d->parent, *addr, *addr + len, label);
}

static bool step_mmap(struct demo *d)
{
	step(d, "Map a file (private and shared) and anonymous memory",
	    "  A 16 KiB data file is mapped twice: privately (writes stay in the process)\n"
	    "  and shared (writes reach the file).  Then 64 KiB of anonymous memory.  Each\n"
	    "  lands in the first free range at or above the hint.\n");
	d->datafd = make_file("datafile", FILE_SIZE);
	if (d->datafd < 0)
		return false;
	return call(d, bsdvm_object_file(d->w.sys, d->datafd, FILE_SIZE, true, &d->datafile),
	    KERN_SUCCESS, "bsdvm_object_file(%s, 16 KiB, writable)", DATAFILE_NAME) &&
	    mmap_one(d, MMAP_BASE, &d->priv, FILE_SIZE, 0, d->datafile, "16 KiB of the file, private",
	    DATAFILE_NAME) &&
	    mmap_one(d, MMAP_BASE, &d->shared, FILE_SIZE, BSDVM_MAPF_SHARED, d->datafile,
	    "16 KiB of the file, BSDVM_MAPF_SHARED", DATAFILE_NAME) &&
	    mmap_one(d, MMAP_BASE, &d->anon, ANON_SIZE, 0, NULL, "64 KiB anonymous", "[anon]") &&
	    expect_u64(d, "shared mapping", d->shared, d->priv + FILE_SIZE) &&
	    end_step(d, "mmap: the data file private and shared, anonymous memory");
}

static bool step_write(struct demo *d)
{
	struct bsdvm_sys_stats after;

	step(d, "Write: pages come in on first touch",
	    "  copyout faults each page in: anonymous pages are zero-filled, file pages\n"
	    "  are read from the file, and a write to a private file page copies it.\n"
	    "  Both views of the data file use the same file pages: page 0 is read once.\n");
	if (!(write_str(d, d->parent, HEAP, "hello, heap") &&
	    write_str(d, d->parent, DATA, "data!") &&
	    write_str(d, d->parent, d->priv, "private") &&
	    write_str(d, d->parent, d->shared + PAGE, "SHARED") &&
	    write_str(d, d->parent, STACK_TOP - 64, "argv") &&
	    read_str(d, d->parent, TEXT, "program page 0") &&
	    read_str(d, d->parent, DATA, "data!am page 4") &&
	    read_str(d, d->parent, d->priv, "privatee page 0") &&
	    read_str(d, d->parent, d->shared, "datafile page 0") &&
	    read_str(d, d->parent, d->shared + PAGE, "SHAREDle page 1")))
		return false;
	after = now(d);
	return delta(d, "zero-fills", d->before.zero_fills, after.zero_fills, 2) &&
	    delta(d, "file reads", d->before.file_reads, after.file_reads, 4) &&
	    delta(d, "cow copies", d->before.cow_copies, after.cow_copies, 2) &&
	    delta(d, "resident", d->before.resident, after.resident, 8) &&
	    end_step(d, "copyout: heap, data, files and stack touched");
}

static bool step_fork(struct demo *d)
{
	struct vmspace *vm;

	step(d, "Fork: the child shares every page copy-on-write",
	    "  bsdvm_vmspace_fork builds the child's map entry by entry: private memory\n"
	    "  is shared copy-on-write, the shared file mapping stays shared.  No page is\n"
	    "  copied yet.  The child gets its own u-area.\n");
	if (!call(d, bsdvm_vmspace_fork(d->parent->vm, &vm), KERN_SUCCESS,
	    "bsdvm_vmspace_fork(parent)"))
		return false;
	/* the process takes its own reference; ours goes right away */
	if (!call(d, world_add_proc(&d->w, "child", vm, &d->child), KERN_SUCCESS,
	    "bsdvm_proc_create(pid %d, the forked vmspace)", d->w.next_pid)) {
		bsdvm_vmspace_free(vm);
		return false;
	}
	bsdvm_vmspace_free(vm);
	return world_copy_labels(d->child, d->parent) && add_uarea(d, 1, d->child) &&
	    delta(d, "cow copies", d->before.cow_copies, now(d).cow_copies, 0) &&
	    read_str(d, d->child, HEAP, "hello, heap") &&
	    end_step(d, "fork: child 101 from 100");
}

static bool step_child_writes(struct demo *d)
{
	struct bsdvm_sys_stats after;

	step(d, "The child writes: shared pages are copied",
	    "  The heap page is shared by both processes, so the child's write copies it;\n"
	    "  the parent still reads its own bytes.  The shared file page is not copied:\n"
	    "  the parent sees the child's write.\n");
	if (!(write_str(d, d->child, HEAP, "HELLO") &&
	    write_str(d, d->child, d->shared + PAGE, "child") &&
	    read_str(d, d->child, HEAP, "HELLO, heap") &&
	    read_str(d, d->parent, HEAP, "hello, heap") &&
	    read_str(d, d->parent, d->shared + PAGE, "childD")))
		return false;
	after = now(d);
	return delta(d, "cow copies", d->before.cow_copies, after.cow_copies, 1) &&
	    delta(d, "cow takeovers", d->before.cow_takeovers, after.cow_takeovers, 0) &&
	    end_step(d, "child writes the heap: one page copied");
}

static bool step_parent_writes(struct demo *d)
{
	struct bsdvm_sys_stats after;

	step(d, "The parent writes: copied where shared, taken over where not",
	    "  The parent's heap page is no longer shared (the child has its copy), so\n"
	    "  the parent takes it over without copying.  Its data page is still shared\n"
	    "  with the child, so that one is copied.\n");
	if (!(write_str(d, d->parent, HEAP, "Hello") && write_str(d, d->parent, DATA, "DATA!") &&
	    read_str(d, d->parent, HEAP, "Hello, heap") &&
	    read_str(d, d->child, HEAP, "HELLO, heap") &&
	    read_str(d, d->parent, DATA, "DATA!") && read_str(d, d->child, DATA, "data!")))
		return false;
	after = now(d);
	return delta(d, "cow copies", d->before.cow_copies, after.cow_copies, 1) &&
	    delta(d, "cow takeovers", d->before.cow_takeovers, after.cow_takeovers, 1) &&
	    end_step(d, "parent writes: one takeover, one copy");
}

static bool step_grow_stack(struct demo *d)
{
	uint64_t before = entries_in(d->parent, STACK_BOS, STACK_TOP);
	bsdvm_addr_t deep = STACK_TOP - 192 * KIB;

	step(d, "Grow the stack by touching below it",
	    "  A write 192 KiB below the top lands in the stack gap: the fault grows the\n"
	    "  stack by whole 128 KiB steps, as a new stack entry, and the gap shrinks.\n");
	if (!write_str(d, d->parent, deep, "deep"))
		return false;
	fprintf(d->w.out, "  stack entries %" PRIu64 " -> %" PRIu64 "\n", before,
	    entries_in(d->parent, STACK_BOS, STACK_TOP));
	return expect_u64(d, "stack entries", entries_in(d->parent, STACK_BOS, STACK_TOP),
	    before + 1) && read_str(d, d->parent, deep, "deep") &&
	    end_step(d, "stack grows: 128 KiB more");
}

static bool step_protect_wire(struct demo *d)
{
	struct vm_map *map = world_map(d->parent);
	uint64_t before = entries_in(d->parent, HEAP, HEAP + HEAP_SIZE);

	step(d, "Protect and wire",
	    "  The upper half of the heap becomes read-only: the entry splits and a write\n"
	    "  there fails.  The first 16 KiB are wired (mlock): every page becomes\n"
	    "  resident and stays so.  Text cannot be written at all.\n");
	if (!call(d, bsdvm_map_protect(map, HEAP + HEAP_SIZE / 2, HEAP + HEAP_SIZE, VM_PROT_READ,
	    0, BSDVM_PROTECT_SET_PROT), KERN_SUCCESS, "bsdvm_map_protect(%#" PRIx64 "-%#" PRIx64
	    ", r--)", HEAP + HEAP_SIZE / 2, HEAP + HEAP_SIZE))
		return false;
	fprintf(d->w.out, "  heap entries %" PRIu64 " -> %" PRIu64 "\n", before,
	    entries_in(d->parent, HEAP, HEAP + HEAP_SIZE));
	return expect_u64(d, "heap entries", entries_in(d->parent, HEAP, HEAP + HEAP_SIZE), 2) &&
	    call(d, bsdvm_copyout(d->parent->vm, "x", HEAP + HEAP_SIZE / 2, 1, NULL),
	    KERN_PROTECTION_FAILURE, "bsdvm_copyout(parent, %#" PRIx64 ", read-only heap)",
	    HEAP + HEAP_SIZE / 2) &&
	    call(d, bsdvm_copyout(d->parent->vm, "x", TEXT, 1, NULL), KERN_PROTECTION_FAILURE,
	    "bsdvm_copyout(parent, %#" PRIx64 ", text)", TEXT) &&
	    call(d, bsdvm_map_wire(map, HEAP, HEAP + 16 * KIB, BSDVM_WIRE_USER), KERN_SUCCESS,
	    "bsdvm_map_wire(%#" PRIx64 "-%#" PRIx64 ", BSDVM_WIRE_USER)", HEAP, HEAP + 16 * KIB) &&
	    delta(d, "wired", d->before.wired, now(d).wired, 4) &&
	    end_step(d, "protect half the heap read-only; wire 16 KiB");
}

/* Fills page i of the big buffer with "page i" and the byte (i & 0xff). */
static void page_pattern(char *buf, unsigned i)
{
	memset(buf, (int)(i & 0xff), PAGE);
	snprintf(buf, 16, "page %u", i);
}

static bool step_paging(struct demo *d)
{
	static char want[PAGE], got[PAGE];
	struct bsdvm_sys_stats mid, after;
	unsigned i, bad = 0;

	step(d, "Page out: touch more pages than there are frames",
	    "  96 pages of new anonymous memory, each filled with its own pattern, while\n"
	    "  fewer than 64 frames are free: older pages go to swap to make room.  Reading\n"
	    "  everything back brings them in again, and every byte must be right.\n");
	if (!mmap_one(d, BIG_HINT, &d->big, BIG_PAGES * PAGE, 0, NULL, "384 KiB anonymous", "[anon:big]"))
		return false;
	for (i = 0; i < BIG_PAGES; i++) {
		page_pattern(want, i);
		if (bsdvm_copyout(d->parent->vm, want, d->big + (bsdvm_addr_t)i * PAGE, PAGE,
		    NULL) != KERN_SUCCESS)
			return call(d, KERN_FAILURE, KERN_SUCCESS, "bsdvm_copyout(page %u)", i);
	}
	mid = now(d);
	fprintf(d->w.out, "  wrote %d pages: pageouts %" PRIu64 " -> %" PRIu64 ", swap used %"
	    PRIu64 "\n", BIG_PAGES, d->before.pageouts, mid.pageouts, mid.swap_used);
	for (i = 0; i < BIG_PAGES; i++) {
		page_pattern(want, i);
		if (bsdvm_copyin(d->parent->vm, d->big + (bsdvm_addr_t)i * PAGE, got, PAGE,
		    NULL) != KERN_SUCCESS || memcmp(got, want, PAGE) != 0)
			bad++;
	}
	after = now(d);
	fprintf(d->w.out, "  read %d pages back: pageins %" PRIu64 " -> %" PRIu64 ", %u wrong\n",
	    BIG_PAGES, mid.pageins, after.pageins, bad);
	/* the earlier steps left pages resident too, so at least this many went */
	return expect_u64(d, "wrong pages", bad, 0) &&
	    expect_u64(d, "paged out", mid.pageouts - d->before.pageouts >= BIG_PAGES - FRAMES,
	    1) && expect_u64(d, "paged in", after.pageins > mid.pageins, 1) &&
	    read_str(d, d->parent, HEAP, "Hello, heap") &&
	    read_str(d, d->child, HEAP, "HELLO, heap") &&
	    expect_u64(d, "free frames", after.free, 0) &&
	    end_step(d, "paging: 96 pages through a full frame pool");
}

static bool step_unmap(struct demo *d)
{
	struct vm_map *map = world_map(d->parent);
	char got[16];

	step(d, "Unmap: the file gets the shared writes",
	    "  The big buffer, both file mappings and the anonymous memory go; the pages\n"
	    "  they held are freed (and their swap slots).  Unmapping a shared mapping\n"
	    "  writes its dirty pages back, so the file now holds the child's write; the\n"
	    "  private write never reaches it.\n");
	if (!(call(d, bsdvm_map_delete(map, d->big, d->big + BIG_PAGES * PAGE), KERN_SUCCESS,
	    "bsdvm_map_delete(%#" PRIx64 ", 384 KiB)", d->big) &&
	    call(d, bsdvm_map_delete(map, d->priv, d->anon + ANON_SIZE), KERN_SUCCESS,
	    "bsdvm_map_delete(%#" PRIx64 "-%#" PRIx64 ")", d->priv, d->anon + ANON_SIZE) &&
	    world_unlabel(d->parent, d->priv, d->big + BIG_PAGES * PAGE) &&
	    call(d, bsdvm_map_delete(world_map(d->child), d->priv, d->anon + ANON_SIZE),
	    KERN_SUCCESS, "bsdvm_map_delete(child, %#" PRIx64 "-%#" PRIx64 ")", d->priv,
	    d->anon + ANON_SIZE) &&
	    world_unlabel(d->child, d->priv, d->anon + ANON_SIZE)))
		return false;
	if (pread(d->datafd, got, 15, (off_t)PAGE) != 15)
		return call(d, KERN_FAILURE, KERN_SUCCESS, "pread(%s)", DATAFILE_NAME);
	fprintf(d->w.out, "  %s at 4 KiB: ", DATAFILE_NAME);
	scn_put_bytes(d->w.out, got, 15);
	fputc('\n', d->w.out);
	if (memcmp(got, "childDle page 1", 15) != 0)
		return expect_u64(d, "file contents right", 0, 1);
	if (pread(d->datafd, got, 15, 0) != 15 || memcmp(got, "datafile page 0", 15) != 0)
		return expect_u64(d, "file page 0 untouched", 0, 1);
	return expect_u64(d, "swap used", now(d).swap_used <= d->before.swap_used, 1) &&
	    end_step(d, "munmap: buffer, file mappings, anonymous memory");
}

static bool step_exit(struct demo *d)
{
	bool ok;

	step(d, "Exit: both processes go, nothing is left",
	    "  The child and the parent exit: their vmspaces are freed with every page,\n"
	    "  anon and amap, and their u-areas leave the kernel map.  The file objects\n"
	    "  are released.  Every counter of live memory is back to zero.\n");
	world_remove(&d->w, d->child);
	d->child = NULL;
	fprintf(d->w.out, "  bsdvm_proc_destroy(child)\n");
	bsdvm_uarea_free(d->w.sys, d->uarea[1], false);
	d->uarea[1] = 0;
	fprintf(d->w.out, "  bsdvm_uarea_free(child's u-area)\n");
	world_remove(&d->w, d->parent);
	d->parent = NULL;
	fprintf(d->w.out, "  bsdvm_proc_destroy(parent)\n");
	bsdvm_uarea_free(d->w.sys, d->uarea[0], false);
	d->uarea[0] = 0;
	fprintf(d->w.out, "  bsdvm_uarea_free(parent's u-area)\n");
	bsdvm_object_deallocate(d->program);
	bsdvm_object_deallocate(d->datafile);
	d->program = d->datafile = NULL;
	fprintf(d->w.out, "  bsdvm_object_deallocate(the two files)\n");
	ok = end_step(d, "exit: everything freed");
	world_remove_all(&d->w);
	return show_leaks(&d->w) && ok;
}

static bool (*const steps[])(struct demo *) = {
	step_boot, step_exec, step_stack, step_mmap, step_write, step_fork, step_child_writes,
	step_parent_writes, step_grow_stack, step_protect_wire, step_paging, step_unmap,
	step_exit,
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

/* Frees whatever a failed step left (in dependency order). */
static void cleanup(struct demo *d)
{
	unsigned i;

	world_remove_all(&d->w);
	for (i = 0; i < 2; i++) {
		if (d->uarea[i] != 0)
			bsdvm_uarea_free(d->w.sys, d->uarea[i], false);
	}
	if (d->program != NULL)
		bsdvm_object_deallocate(d->program);
	if (d->datafile != NULL)
		bsdvm_object_deallocate(d->datafile);
	world_shutdown(&d->w);
	if (d->progfd >= 0)
		close(d->progfd);
	if (d->datafd >= 0)
		close(d->datafd);
}

int cmd_demo(int argc, char **argv, struct tool_opts *opts)
{
	const char *html = DEFAULT_HTML;
	struct demo d;
	char *pos[1];
	size_t i;
	int npos, rv = html_take_option(&argc, argv, &html);

	if (rv == TOOL_EXIT_OK)
		rv = cli_parse(argc, argv, opts, pos, 0, &npos);
	if (rv != TOOL_EXIT_OK)
		return rv;
	memset(&d, 0, sizeof(d));
	d.progfd = d.datafd = -1;
	world_init(&d.w, stdout, opts->format);
	html_begin(&d.pic, html, "bsdvm demo: a process's life");
	printf("bsdvm %s demo: a process's life on a small machine, step by step.\n",
	    bsdvm_version_string());
	printf("Each step lists every address space (format: %s) with its counters and\n"
	    "vm_map_check(), then the system's memory counters.\n",
	    listing_format_name(opts->format));
	for (i = 0; i < NSTEPS; i++) {
		if (!steps[i](&d)) {
			rv = TOOL_EXIT_FAIL;
			break;
		}
	}
	if (rv == TOOL_EXIT_OK && d.w.check_failures != 0)
		rv = TOOL_EXIT_FAIL;
	if (!html_finish(&d.pic, html, stdout) && rv == TOOL_EXIT_OK)
		rv = TOOL_EXIT_FAIL;
	if (rv == TOOL_EXIT_OK)
		printf("\ndemo: %zu steps, %u checks, all passed\n", NSTEPS, d.w.checks);
	else if (i < NSTEPS)
		printf("\ndemo: FAILED at step %zu\n", i + 1);
	else /* every step ran: a check failed, or the picture was not written */
		printf("\ndemo: FAILED after all %zu steps\n", NSTEPS);
	cleanup(&d);
	return rv;
}
