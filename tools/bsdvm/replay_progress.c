/*
 * replay_progress.c - a progress bar on standard error, for replays that
 * take more than a second and only when standard error is a terminal
 * (never in a pipe, a log or a test).  Redrawn at most ten times a second.
 */
#include <time.h>

#include "replay.h"

#define BAR_WIDTH 40

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void replay_progress(struct replay *rp, uint64_t done, bool last)
{
	double t;
	int i, filled;

	if (!rp->o.progress)
		return;
	t = now();
	if (rp->started == 0) {
		rp->started = t;
		return;
	}
	if (last) {
		if (rp->bar_shown)
			fprintf(stderr, "\r%*s\r", BAR_WIDTH + 40, "");
		return;
	}
	if (t - rp->started < 1.0 || t - rp->last_draw < 0.1)
		return;
	rp->last_draw = t;
	rp->bar_shown = true;
	filled = rp->total_bytes > 0 ? (int)((double)done / (double)rp->total_bytes * BAR_WIDTH)
	                             : 0;
	if (filled > BAR_WIDTH)
		filled = BAR_WIDTH;
	fputs("\rreplay [", stderr);
	for (i = 0; i < BAR_WIDTH; i++)
		fputc(i < filled ? '#' : ' ', stderr);
	if (rp->total_bytes > 0)
		fprintf(stderr, "] %3d%% %lu records", (int)(100.0 * (double)done /
		    (double)rp->total_bytes), rp->records);
	else
		fprintf(stderr, "] %lu records", rp->records);
	fflush(stderr);
}
