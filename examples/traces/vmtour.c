/*
 * vmtour.c - a small program that exercises what "bsdvm replay" replays:
 * mmap/munmap/mprotect (splits and merges), mremap (grow in place, move,
 * MREMAP_FIXED, MREMAP_DONTUNMAP), madvise (DONTFORK, WIPEONFORK,
 * RANDOM), mlock, System V shared memory, threads, fork, vfork + execve,
 * a failing call and two caught SIGSEGVs (one on a PROT_NONE page, one on
 * an unmapped page).  Its trace is examples/traces/vmtour.trace.
 *
 *   cc -O1 -pthread -o vmtour vmtour.c
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096

static sigjmp_buf back;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(back, 1);
}

/* Touches addr; returns 1 if that raised SIGSEGV. */
static int faults(volatile char *addr)
{
	if (sigsetjmp(back, 1) != 0)
		return 1;
	*addr = 1;
	return 0;
}

static void *worker(void *arg)
{
	char *p = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)arg;
	if (p != MAP_FAILED) {
		memset(p, 1, 16 * PG);
		munmap(p + 4 * PG, 4 * PG); /* a hole in the middle */
		munmap(p, 16 * PG);
	}
	return NULL;
}

int main(void)
{
	char *a, *b, *c, *d, *none, *shm;
	pthread_t t[2];
	int i, id, status;
	pid_t pid;

	signal(SIGSEGV, on_segv);

	/* one mapping, split in three by a protection change, merged back */
	a = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(a + 2 * PG, 2 * PG, PROT_READ);
	mprotect(a + 2 * PG, 2 * PG, PROT_READ | PROT_WRITE);
	none = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("PROT_NONE page faults: %d\n", faults(none));

	/* mremap: grow (in place or moved), move to a fixed place, keep the source */
	b = mremap(a, 8 * PG, 64 * PG, MREMAP_MAYMOVE);
	c = mmap(NULL, 16 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	d = mremap(b, 64 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, c + 4 * PG);
	b = mremap(d, 8 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	munmap(c, 16 * PG);
	printf("unmapped page faults: %d\n", faults(c));

	/* inheritance and advice */
	a = mmap(NULL, 12 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	madvise(a, 4 * PG, MADV_DONTFORK);
	madvise(a + 4 * PG, 4 * PG, MADV_WIPEONFORK);
	madvise(a + 8 * PG, 4 * PG, MADV_RANDOM);
	mlock(a + 8 * PG, PG);

	/* a call that fails: an unaligned address */
	mprotect(a + 1, PG, PROT_READ);

	/* System V shared memory */
	id = shmget(IPC_PRIVATE, 3 * PG, IPC_CREAT | 0600);
	shm = shmat(id, NULL, 0);
	strcpy(shm, "shared");
	shmctl(id, IPC_RMID, NULL);

	/* threads */
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);

	/* fork: the child sees the shared segment, not the DONTFORK range */
	pid = fork();
	if (pid == 0) {
		char *p = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		munmap(p, 4 * PG);
		shmdt(shm);
		_exit(3);
	}
	waitpid(pid, &status, 0);

	/* vfork + execve, with one execve that fails first */
	pid = vfork();
	if (pid == 0) {
		execl("/nonexistent/true", "true", (char *)NULL);
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	shmdt(shm);
	munmap(b, 8 * PG);
	munmap(none, PG);
	return 0;
}
