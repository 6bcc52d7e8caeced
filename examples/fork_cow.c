/*
 * fork_cow.c - fork(2) with copy-on-write, NetBSD style: uvmspace_alloc,
 * uvm_map and uvmspace_fork from the NetBSD face of bsdvm.
 *
 * The parent maps two regions and fills them with bsdvm_copyout:
 *
 *   private  MAP_PRIVATE-like: UVM_INH_COPY, UVM_FLAG_COPYONW
 *   shared   MAP_SHARED-like:  UVM_INH_SHARE, UVM_FLAG_OVERLAY
 *
 * then forks.  The child sees the parent's data in both.  When the child
 * writes the private region, only the page written is copied (the
 * cow_copies counter goes up by one) and the parent keeps its data; a
 * write to the shared region is seen by both.  The counters of the system
 * are printed before and after.
 *
 * Exit status 0 when everything behaved as fork(2) must, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <string.h>

#include <bsdvm/uvm.h>

#define PAGE  ((vsize_t)4096)
#define PAGES 16

static int failures;

static void expect(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fork_cow: %s\n", what);
		failures++;
	}
}

/* Does the string at va in vm read s? */
static int reads(struct vmspace *vm, vaddr_t va, const char *s)
{
	char buf[64] = { 0 };

	if (bsdvm_copyin(vm, va, buf, strlen(s) + 1, NULL) != KERN_SUCCESS)
		return 0;
	return strcmp(buf, s) == 0;
}

static void write_str(struct vmspace *vm, vaddr_t va, const char *s)
{
	expect(bsdvm_copyout(vm, s, va, strlen(s) + 1, NULL) == KERN_SUCCESS, "copyout");
}

static void print_stats(const char *when, const struct bsdvm_sys_stats *st)
{
	printf("%-14s resident %3llu  faults %3llu  zero_fills %3llu  cow_copies %3llu  "
	       "cow_takeovers %3llu  vmspaces %llu\n", when,
	    (unsigned long long)st->resident, (unsigned long long)st->faults,
	    (unsigned long long)st->zero_fills, (unsigned long long)st->cow_copies,
	    (unsigned long long)st->cow_takeovers, (unsigned long long)st->vmspaces);
}

int main(void)
{
	struct bsdvm_sys_stats before, after;
	struct vmspace *parent, *child;
	vaddr_t priv = 0x1000000, shared = 0x2000000;
	char line[32];
	int i;

	uvm_init(); /* the default system, as the kernel's boot does */
	parent = uvmspace_alloc(0x10000, 0x7f0000000000ull);
	if (parent == NULL) {
		fprintf(stderr, "fork_cow: uvmspace_alloc failed\n");
		return 1;
	}
	expect(uvm_map(bsdvm_vmspace_map(parent), &priv, PAGES * PAGE, NULL, UVM_UNKNOWN_OFFSET,
	    0, UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RWX, UVM_INH_COPY, UVM_ADV_NORMAL,
		UVM_FLAG_COPYONW)) == 0, "map the private region");
	expect(uvm_map(bsdvm_vmspace_map(parent), &shared, PAGE, NULL, UVM_UNKNOWN_OFFSET, 0,
	    UVM_MAPFLAG(UVM_PROT_RW, UVM_PROT_RWX, UVM_INH_SHARE, UVM_ADV_NORMAL,
		UVM_FLAG_OVERLAY)) == 0, "map the shared region");
	for (i = 0; i < PAGES; i++) {
		snprintf(line, sizeof(line), "parent page %d", i);
		write_str(parent, priv + (vaddr_t)i * PAGE, line);
	}
	write_str(parent, shared, "shared by parent");

	child = uvmspace_fork(parent);
	if (child == NULL) {
		fprintf(stderr, "fork_cow: uvmspace_fork failed\n");
		return 1;
	}
	bsdvm_sys_get_stats(bsdvm_default_sys(), &before);
	print_stats("after fork:", &before);

	/* the child starts with the parent's memory */
	expect(reads(child, priv + 3 * PAGE, "parent page 3"), "child sees the parent's data");
	expect(reads(child, shared, "shared by parent"), "child sees the shared data");
	/* the child writes one private page: that page alone is copied */
	write_str(child, priv + 3 * PAGE, "child's own page 3");
	bsdvm_sys_get_stats(bsdvm_default_sys(), &after);
	print_stats("child wrote:", &after);
	expect(after.cow_copies == before.cow_copies + 1, "exactly one page copied");
	expect(reads(child, priv + 3 * PAGE, "child's own page 3"), "child sees its write");
	expect(reads(parent, priv + 3 * PAGE, "parent page 3"), "parent is unchanged");
	expect(reads(child, priv + 4 * PAGE, "parent page 4"), "other pages still shared");
	/* the parent writes another page: the child keeps the old contents */
	write_str(parent, priv + 5 * PAGE, "parent changed page 5");
	expect(reads(child, priv + 5 * PAGE, "parent page 5"), "child is unchanged");
	/* shared memory stays shared */
	write_str(child, shared, "shared by child");
	expect(reads(parent, shared, "shared by child"), "parent sees the shared write");
	bsdvm_sys_get_stats(bsdvm_default_sys(), &after);
	print_stats("at the end:", &after);
	printf("cow_copies: %llu (pages copied because of a write after fork)\n",
	    (unsigned long long)(after.cow_copies - before.cow_copies));

	uvmspace_free(child);
	uvmspace_free(parent);
	bsdvm_sys_get_stats(bsdvm_default_sys(), &after);
	expect(after.vmspaces == 1 && after.anons == 0, "everything freed");
	bsdvm_fini();
	printf("%s\n", failures == 0 ? "ok" : "FAILED");
	return failures == 0 ? 0 : 1;
}
