/*
 * bench_mem.c - the memory layer against the host kernel, in one run:
 *   - zero-fill faults: first write to each page of fresh anonymous memory;
 *   - copy-on-write faults: after fork, the child writes each page once;
 *   - fork of an address space with 10k entries and 100k resident pages.
 * The host side does the same with mmap, page touches and fork(2).  Each
 * figure is the best of several repetitions; the ratios host/bsdvm are
 * printed.  --quick shrinks the sizes for a smoke run.  --json prints one
 * object per measurement.
 *
 * bsdvm's frame pool is touched once before timing (warm_frames): the
 * frames stand for physical memory, which a machine has resident; without
 * this the host's own first-touch faults on the pool would be counted.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <bsdvm/bsdvm.h>
#include <bsdvm/vmspace.h>

static int json;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void report(const char *impl, const char *op, uint64_t n, double ns_per_op)
{
	if (json)
		printf("{\"bench\":\"mem\",\"impl\":\"%s\",\"op\":\"%s\",\"n\":%" PRIu64
		    ",\"ns_per_op\":%.1f,\"ops_per_s\":%.0f}\n", impl, op, n, ns_per_op,
		    1e9 / ns_per_op);
	else
		printf("  %-8s %-34s n=%-7" PRIu64 " %12.1f ns/op %14.0f op/s\n", impl, op, n,
		    ns_per_op, 1e9 / ns_per_op);
}

static void die(const char *what, int rv)
{
	fprintf(stderr, "bench_mem: %s failed: %s\n", what, bsdvm_kern_name(rv));
	exit(1);
}

#define PG 4096u

/* ---- bsdvm ---- */

static struct bsdvm_sys *new_sys(uint64_t frames)
{
	struct bsdvm_sys_params p = { .frames = frames, .swap_pages = 0 };
	struct bsdvm_sys *sys;
	int rv = bsdvm_sys_create(&p, &sys);

	if (rv != KERN_SUCCESS)
		die("bsdvm_sys_create", rv);
	return sys;
}

/* Touches every frame of a fresh system once, so that the host has backed
 * the frame pool with memory: a machine's physical memory is resident, and
 * the host's own page faults on first touch are not bsdvm's cost. */
static void warm_frames(struct bsdvm_sys *sys, uint64_t pages)
{
	struct vmspace *vm;
	bsdvm_addr_t a = 0;
	uint64_t i;
	int rv;

	if ((rv = bsdvm_vmspace_create(sys, 0x10000, 1ull << 47, 0, &vm)) != KERN_SUCCESS)
		die("vmspace_create", rv);
	if ((rv = bsdvm_vmspace_mmap(vm, &a, pages * PG, VM_PROT_RW, VM_PROT_ALL, 0, NULL, 0)))
		die("mmap", rv);
	for (i = 0; i < pages; i++) {
		uint8_t b = 0;

		bsdvm_copyout(vm, &b, a + i * PG, 1, NULL);
	}
	bsdvm_vmspace_free(vm);
}

/* Zero-fill: ns per first write to a page. */
static double bsdvm_zero_fill(uint64_t pages)
{
	struct bsdvm_sys *sys = new_sys(pages + 64);
	struct vmspace *vm;
	bsdvm_addr_t a = 0;
	uint64_t i;
	double t0, t1;
	int rv;

	warm_frames(sys, pages);
	if ((rv = bsdvm_vmspace_create(sys, 0x10000, 1ull << 47, 0, &vm)) != KERN_SUCCESS)
		die("vmspace_create", rv);
	if ((rv = bsdvm_vmspace_mmap(vm, &a, pages * PG, VM_PROT_RW, VM_PROT_ALL, 0, NULL, 0)))
		die("mmap", rv);
	t0 = now_ns();
	for (i = 0; i < pages; i++) {
		uint8_t b = (uint8_t)i;

		if ((rv = bsdvm_copyout(vm, &b, a + i * PG, 1, NULL)) != KERN_SUCCESS)
			die("copyout", rv);
	}
	t1 = now_ns();
	bsdvm_vmspace_free(vm);
	bsdvm_sys_destroy(sys);
	return (t1 - t0) / (double)pages;
}

/* Copy-on-write: ns per first child write to a page shared with the parent. */
static double bsdvm_cow(uint64_t pages)
{
	struct bsdvm_sys *sys = new_sys(2 * pages + 64);
	struct vmspace *vm, *child;
	bsdvm_addr_t a = 0;
	uint64_t i;
	double t0, t1;
	int rv;

	warm_frames(sys, 2 * pages);
	if ((rv = bsdvm_vmspace_create(sys, 0x10000, 1ull << 47, 0, &vm)) != KERN_SUCCESS)
		die("vmspace_create", rv);
	if ((rv = bsdvm_vmspace_mmap(vm, &a, pages * PG, VM_PROT_RW, VM_PROT_ALL, 0, NULL, 0)))
		die("mmap", rv);
	for (i = 0; i < pages; i++) {
		uint8_t b = 1;

		bsdvm_copyout(vm, &b, a + i * PG, 1, NULL);
	}
	if ((rv = bsdvm_vmspace_fork(vm, &child)) != KERN_SUCCESS)
		die("fork", rv);
	t0 = now_ns();
	for (i = 0; i < pages; i++) {
		uint8_t b = 2;

		if ((rv = bsdvm_copyout(child, &b, a + i * PG, 1, NULL)) != KERN_SUCCESS)
			die("copyout", rv);
	}
	t1 = now_ns();
	bsdvm_vmspace_free(child);
	bsdvm_vmspace_free(vm);
	bsdvm_sys_destroy(sys);
	return (t1 - t0) / (double)pages;
}

/* Fork of `entries` mappings holding `pages` resident pages in all: ns per fork. */
static double bsdvm_fork(uint64_t entries, uint64_t pages, int reps)
{
	struct bsdvm_sys *sys = new_sys(pages + 64);
	struct vmspace *vm;
	uint64_t per = pages / entries, i, j;
	double best = 0;
	int rv, r;

	warm_frames(sys, pages);
	if ((rv = bsdvm_vmspace_create(sys, 0x10000, 1ull << 47, 0, &vm)) != KERN_SUCCESS)
		die("vmspace_create", rv);
	for (i = 0; i < entries; i++) {
		/* alternate protections so neighbours stay separate entries */
		bsdvm_addr_t a = 0x100000000ull + i * (per + 1) * PG;
		bsdvm_prot_t prot = (i & 1) ? VM_PROT_RW : (VM_PROT_RW | VM_PROT_EXECUTE);

		if ((rv = bsdvm_vmspace_mmap(vm, &a, per * PG, prot, VM_PROT_ALL,
		    BSDVM_MAPF_FIXED, NULL, 0)) != KERN_SUCCESS)
			die("mmap", rv);
		for (j = 0; j < per; j++) {
			uint8_t b = 1;

			bsdvm_copyout(vm, &b, a + j * PG, 1, NULL);
		}
	}
	for (r = 0; r < reps; r++) {
		struct vmspace *child;
		double t0 = now_ns(), t;

		if ((rv = bsdvm_vmspace_fork(vm, &child)) != KERN_SUCCESS)
			die("fork", rv);
		t = now_ns() - t0;
		bsdvm_vmspace_free(child);
		if (r == 0 || t < best)
			best = t;
	}
	bsdvm_vmspace_free(vm);
	bsdvm_sys_destroy(sys);
	return best;
}

/* ---- host kernel ---- */

static double host_zero_fill(uint64_t pages)
{
	uint8_t *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	volatile uint8_t *v = p;
	double t0, t1;
	uint64_t i;

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	t0 = now_ns();
	for (i = 0; i < pages; i++)
		v[i * PG] = (uint8_t)i;
	t1 = now_ns();
	munmap(p, pages * PG);
	return (t1 - t0) / (double)pages;
}

static double host_cow(uint64_t pages)
{
	uint8_t *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	int fds[2];
	double result = 0;
	uint64_t i;
	pid_t pid;

	if (p == MAP_FAILED || pipe(fds) != 0) {
		perror("mmap/pipe");
		exit(1);
	}
	for (i = 0; i < pages; i++)
		p[i * PG] = 1;
	pid = fork();
	if (pid == 0) {
		volatile uint8_t *v = p;
		double t0 = now_ns(), t;

		for (i = 0; i < pages; i++)
			v[i * PG] = 2;
		t = (now_ns() - t0) / (double)pages;
		if (write(fds[1], &t, sizeof(t)) != (ssize_t)sizeof(t))
			_exit(1);
		_exit(0);
	}
	if (read(fds[0], &result, sizeof(result)) != (ssize_t)sizeof(result))
		result = -1;
	waitpid(pid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	munmap(p, pages * PG);
	return result;
}

static double host_fork(uint64_t entries, uint64_t pages, int reps)
{
	uint64_t per = pages / entries, i, j;
	uint8_t *base = mmap(NULL, entries * (per + 1) * PG, PROT_NONE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	double best = 0;
	int r;

	if (base == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	for (i = 0; i < entries; i++) {
		uint8_t *a = base + i * (per + 1) * PG;
		int prot = (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ | PROT_WRITE | PROT_EXEC;

		if (mmap(a, per * PG, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
		    MAP_FAILED) {
			perror("mmap fixed");
			exit(1);
		}
		for (j = 0; j < per; j++)
			a[j * PG] = 1;
	}
	for (r = 0; r < reps; r++) {
		double t0 = now_ns(), t;
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		t = now_ns() - t0;
		waitpid(pid, NULL, 0);
		if (r == 0 || t < best)
			best = t;
	}
	munmap(base, entries * (per + 1) * PG);
	return best;
}

static double min3(double (*fn)(uint64_t), uint64_t n)
{
	double best = fn(n), t;
	int i;

	for (i = 0; i < 2; i++) {
		t = fn(n);
		if (t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	uint64_t pages = 100000, entries = 10000, fpages = 100000;
	double bz, hz, bc, hc, bf, hf;
	int i, reps = 5;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--quick") == 0) {
			pages = 10000;
			entries = 1000;
			fpages = 10000;
			reps = 3;
		} else {
			fprintf(stderr, "usage: bench_mem [--quick] [--json]\n");
			return 2;
		}
	}
	if (!json)
		printf("bsdvm %s memory benchmark (best of repetitions; 4 KiB pages)\n",
		    bsdvm_version_string());
	bz = min3(bsdvm_zero_fill, pages);
	hz = min3(host_zero_fill, pages);
	report("bsdvm", "zero-fill fault (first write)", pages, bz);
	report("host", "zero-fill fault (first write)", pages, hz);
	bc = min3(bsdvm_cow, pages);
	hc = min3(host_cow, pages);
	report("bsdvm", "copy-on-write fault (child write)", pages, bc);
	report("host", "copy-on-write fault (child write)", pages, hc);
	bf = bsdvm_fork(entries, fpages, reps);
	hf = host_fork(entries, fpages, reps);
	report("bsdvm", "fork (entries x resident pages)", entries, bf);
	report("host", "fork (entries x resident pages)", entries, hf);
	if (!json) {
		printf("ratios (host time / bsdvm time; > 1 means bsdvm is faster):\n");
		printf("  zero-fill fault      %6.2fx\n", hz / bz);
		printf("  copy-on-write fault  %6.2fx\n", hc / bc);
		printf("  fork %" PRIu64 " entries / %" PRIu64 " pages  %6.2fx  (bsdvm %.2f ms, host %.2f ms)\n",
		    entries, fpages, hf / bf, bf / 1e6, hf / 1e6);
	} else {
		printf("{\"bench\":\"mem\",\"ratio\":\"zero_fill\",\"host_over_bsdvm\":%.3f}\n", hz / bz);
		printf("{\"bench\":\"mem\",\"ratio\":\"cow\",\"host_over_bsdvm\":%.3f}\n", hc / bc);
		printf("{\"bench\":\"mem\",\"ratio\":\"fork\",\"host_over_bsdvm\":%.3f}\n", hf / bf);
	}
	return 0;
}
