/*
 * snapmaps.c - writes the address space a program has right after execve,
 * before its first instruction runs: the layout the kernel builds and
 * strace cannot show (ELF segments, the dynamic linker, the stack, vdso).
 * It is the seed that "bsdvm replay --maps0" starts from.
 *
 *   cc -O2 -o snapmaps snapmaps.c
 *   setarch -R ./snapmaps OUT.maps0 PROGRAM [ARG ...]
 *
 * The program is started under ptrace, which stops it at its execve;
 * /proc/PID/maps is copied to OUT.maps0 and the program is killed.  Run it
 * and the strace recording under "setarch -R" (no address randomization)
 * so that both see the same layout.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char path[64], buf[4096];
	FILE *in, *out;
	size_t n;
	pid_t pid;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: snapmaps OUT PROGRAM [ARG ...]\n");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return perror("fork"), 1;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
			_exit(126);
		execvp(argv[2], argv + 2);
		_exit(127);
	}
	/* the child stops with SIGTRAP once its execve has succeeded */
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "snapmaps: %s did not stop at its execve\n", argv[2]);
		return 1;
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	in = fopen(path, "r");
	out = fopen(argv[1], "w");
	if (in == NULL || out == NULL)
		return perror("snapmaps"), 1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	if (fclose(out) != 0)
		return perror(argv[1]), 1;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 0;
}
