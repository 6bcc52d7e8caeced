/*
 * exec_image.c - build a process image the way execve(2) does on FreeBSD,
 * with the FreeBSD face of bsdvm.
 *
 * The "executable" is a small file: three pages of text followed by two
 * pages of initialised data.  Like the ELF image activator, we map
 *
 *   text   the file's first pages, read/execute, copy-on-write
 *   data   the next pages of the same file, read/write, copy-on-write
 *   bss    anonymous zero-fill memory right after the data
 *   stack  a growable stack reservation below the top of user space
 *          (vm_map_stack(9)), with the argument strings copied to its top
 *
 * each with vm_map_find(9), then run a deep call chain down the stack, one
 * 8 KiB frame at a time: each first touch of the stack gap faults and grows
 * the stack (vm_map_growstack(9) semantics).  Finally the map is printed,
 * one line per entry, the way procstat -v would show it.
 *
 * Exit status 0 when every step did what the kernel would do, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include <bsdvm/vm_map.h>

#define PAGE      ((vm_size_t)4096)
#define TEXT_VA   ((vm_offset_t)0x400000)
#define TEXT_LEN  (3 * PAGE)
#define DATA_OFF  TEXT_LEN           /* file offset of the data segment */
#define DATA_LEN  (2 * PAGE)
#define BSS_LEN   (5 * PAGE)
#define MAXSSIZ   ((vm_size_t)8 << 20) /* 8 MiB stack reservation */
#define DEPTH     ((vm_size_t)1 << 20) /* how deep the call chain runs */
#define FRAME     ((vm_size_t)8192)

static int failures;

static void expect(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "exec_image: %s\n", what);
		failures++;
	}
}

static int expect_kern(int rv, const char *what)
{
	if (rv != KERN_SUCCESS) {
		fprintf(stderr, "exec_image: %s: %s\n", what, bsdvm_kern_name(rv));
		failures++;
	}
	return rv;
}

/* Writes the executable: text pages filled with a pattern, then data. */
static FILE *make_executable(void)
{
	static unsigned char image[TEXT_LEN + DATA_LEN];
	FILE *f = tmpfile();

	if (f == NULL)
		return NULL;
	memset(image, 0xcc, TEXT_LEN); /* "int3" all the way */
	memcpy(image, "\x55\x48\x89\xe5", 4);
	strcpy((char *)image + DATA_OFF, "initialised data");
	if (fwrite(image, 1, sizeof(image), f) != sizeof(image) || fflush(f) != 0) {
		fclose(f);
		return NULL;
	}
	return f;
}

static void prot_string(vm_prot_t p, char out[4])
{
	out[0] = (p & VM_PROT_READ) ? 'r' : '-';
	out[1] = (p & VM_PROT_WRITE) ? 'w' : '-';
	out[2] = (p & VM_PROT_EXECUTE) ? 'x' : '-';
	out[3] = '\0';
}

struct listing {
	struct vm_object *exe;
	unsigned entries;
};

static int print_entry(void *arg, const struct bsdvm_region *r)
{
	struct listing *l = arg;
	char prot[4], max[4];
	const char *what;

	prot_string(r->protection, prot);
	prot_string(r->max_protection, max);
	if (r->eflags & MAP_ENTRY_STACK_GAP_DN)
		what = "[stack gap]";
	else if (r->eflags & MAP_ENTRY_GROWS_DOWN)
		what = "[stack]";
	else if (r->object == l->exe)
		what = r->protection & VM_PROT_EXECUTE ? "a.out (text)" : "a.out (data)";
	else
		what = "[bss]";
	printf("  %#14llx %#14llx %s/%s %s%s %s\n", (unsigned long long)r->start,
	    (unsigned long long)r->end, prot, max,
	    (r->eflags & MAP_ENTRY_COW) ? "C" : "-",
	    (r->eflags & MAP_ENTRY_NEEDS_COPY) ? "N" : "-", what);
	l->entries++;
	return 0;
}

int main(void)
{
	struct bsdvm_sys *sys;
	struct proc *p;
	struct vmspace *vm;
	vm_map_t map;
	struct vm_object *exe;
	struct bsdvm_stackinfo si;
	struct bsdvm_rlimits lim;
	struct listing l = { NULL, 0 };
	FILE *file;
	vm_offset_t addr, top, bos, sp;
	char buf[32];
	static const char args[] = "a.out\0-v\0PATH=/bin\0";

	file = make_executable();
	if (file == NULL) {
		perror("exec_image: tmpfile");
		return 1;
	}
	if (expect_kern(bsdvm_sys_create(NULL, &sys), "bsdvm_sys_create") != KERN_SUCCESS)
		return 1;
	/* a process with a fresh (default) user address space */
	if (expect_kern(bsdvm_proc_create(sys, NULL, &p), "bsdvm_proc_create") != KERN_SUCCESS)
		return 1;
	vm = bsdvm_proc_vmspace(p);
	map = bsdvm_vmspace_map(vm);
	if (expect_kern(bsdvm_object_file(sys, fileno(file), TEXT_LEN + DATA_LEN, false, &exe),
	    "bsdvm_object_file") != KERN_SUCCESS)
		return 1;
	l.exe = exe;

	/* text: each mapping of the object holds a reference the caller takes */
	addr = TEXT_VA;
	bsdvm_object_reference(exe);
	expect_kern(vm_map_find(map, exe, 0, &addr, TEXT_LEN, 0, VMFS_NO_SPACE,
	    VM_PROT_READ | VM_PROT_EXECUTE, VM_PROT_ALL, MAP_COPY_ON_WRITE), "map text");
	/* data right after it */
	addr = TEXT_VA + TEXT_LEN;
	bsdvm_object_reference(exe);
	expect_kern(vm_map_find(map, exe, DATA_OFF, &addr, DATA_LEN, 0, VMFS_NO_SPACE,
	    VM_PROT_RW, VM_PROT_ALL, MAP_COPY_ON_WRITE), "map data");
	/* bss: anonymous, zero-filled */
	addr = TEXT_VA + TEXT_LEN + DATA_LEN;
	expect_kern(vm_map_find(map, NULL, 0, &addr, BSS_LEN, 0, VMFS_NO_SPACE, VM_PROT_RW,
	    VM_PROT_ALL, 0), "map bss");
	bsdvm_object_deallocate(exe); /* the mappings hold it now */

	/* the stack: an 8 MiB reservation ending at the top of user space */
	top = vm_map_max(map);
	bos = top - MAXSSIZ;
	expect_kern(vm_map_stack(map, bos, MAXSSIZ, VM_PROT_RW, VM_PROT_ALL,
	    MAP_STACK_GROWS_DOWN), "vm_map_stack");
	bsdvm_vmspace_get_stackinfo(vm, &si);
	si.maxsaddr = bos;
	si.stacktop = top;
	si.ssize = 128 * 1024; /* what vm_map_stack mapped (sgrowsiz) */
	bsdvm_vmspace_set_stackinfo(vm, &si);
	bsdvm_proc_get_limits(p, &lim);
	lim.stack = MAXSSIZ;
	bsdvm_proc_set_limits(p, &lim);
	/* argv and envv strings at the top, as exec copies them out */
	sp = top - sizeof(args);
	expect_kern(bsdvm_copyout(vm, args, sp, sizeof(args), NULL), "copy out arguments");

	/* the program runs: text is readable, not writable; data is private */
	expect_kern(bsdvm_copyin(vm, TEXT_VA, buf, 4, NULL), "read text");
	expect(memcmp(buf, "\x55\x48\x89\xe5", 4) == 0, "text has the file's bytes");
	expect(bsdvm_copyout(vm, "x", TEXT_VA, 1, NULL) == KERN_PROTECTION_FAILURE,
	    "text is not writable");
	expect_kern(bsdvm_copyin(vm, TEXT_VA + TEXT_LEN, buf, 17, NULL), "read data");
	expect(strcmp(buf, "initialised data") == 0, "data has the file's bytes");
	expect_kern(bsdvm_copyout(vm, "modified", TEXT_VA + TEXT_LEN, 9, NULL), "write data");
	expect_kern(bsdvm_copyin(vm, TEXT_VA + TEXT_LEN + DATA_LEN + BSS_LEN - 8, buf, 8, NULL),
	    "read bss");
	expect(memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0, "bss is zero");

	/* a deep call chain: one frame at a time, down 1 MiB of stack */
	for (sp = top - FRAME; sp >= top - DEPTH; sp -= FRAME) {
		unsigned long long frame = sp;

		if (expect_kern(bsdvm_copyout(vm, &frame, sp, sizeof(frame), NULL),
		    "push a frame") != KERN_SUCCESS)
			break;
	}
	bsdvm_vmspace_get_stackinfo(vm, &si);
	expect(si.ssize >= DEPTH, "the stack grew to the depth reached");
	/* growstack at an address already mapped does nothing */
	expect_kern(vm_map_growstack(p, top - FRAME), "vm_map_growstack (mapped)");
	/* the bottom guard page never becomes stack */
	expect(vm_fault(map, bos, VM_PROT_WRITE) != KERN_SUCCESS, "guard page at the bottom");
	/* the data write stayed in this process: the file is unchanged */
	{
		char filebuf[17] = { 0 };

		if (fseek(file, (long)DATA_OFF, SEEK_SET) != 0 ||
		    fread(filebuf, 1, sizeof(filebuf), file) != sizeof(filebuf))
			filebuf[0] = '\0';
		expect(strcmp(filebuf, "initialised data") == 0, "the file is unchanged");
	}

	printf("process image after running %llu KiB down the stack "
	       "(stack %llu KiB mapped):\n", (unsigned long long)(DEPTH >> 10),
	    (unsigned long long)(si.ssize >> 10));
	printf("  %14s %14s %s\n", "START", "END", "PRT/MAX FL WHAT");
	bsdvm_map_foreach(map, print_entry, &l);
	expect(vm_map_check(map), "the map is consistent");
	printf("%u entries; %s\n", l.entries, failures == 0 ? "ok" : "FAILED");

	bsdvm_proc_destroy(p);
	bsdvm_sys_destroy(sys);
	fclose(file);
	return failures == 0 ? 0 : 1;
}
