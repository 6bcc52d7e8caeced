/*
 * testutil.c - shared test helpers (see testutil.h).
 */
#include <time.h>

#include "testutil.h"

unsigned long tu_passed, tu_failed;

int test_main_exit(const char *name)
{
	printf("%s: %lu passed, %lu failed\n", name, tu_passed, tu_failed);
	return tu_failed == 0 ? 0 : 1;
}

uint64_t test_seed(int argc, char **argv, uint64_t dflt)
{
	const char *env = getenv("BSDVM_SEED");
	uint64_t seed = dflt;

	if (argc > 1)
		seed = strtoull(argv[1], NULL, 0);
	else if (env != NULL && *env != '\0')
		seed = strtoull(env, NULL, 0);
	printf("seed %" PRIu64 " (replay with: %s %" PRIu64 ")\n", seed,
	    argc > 0 ? argv[0] : "test", seed);
	fflush(stdout);
	return seed;
}

struct bsdvm_map_stats test_map_stats(struct vm_map *map)
{
	struct bsdvm_map_stats st;

	memset(&st, 0xa5, sizeof(st));
	bsdvm_map_get_stats(map, &st);
	return st;
}

struct vm_map *test_map_new(bsdvm_addr_t min, bsdvm_addr_t max, bsdvm_size_t page)
{
	return test_map_new_flags(min, max, page, 0);
}

struct vm_map *test_map_new_flags(bsdvm_addr_t min, bsdvm_addr_t max, bsdvm_size_t page,
    uint32_t flags)
{
	struct bsdvm_map_params p = { .min = min, .max = max, .page_size = page, .flags = flags };
	struct vm_map *map = NULL;

	if (bsdvm_map_create(&p, &map) != KERN_SUCCESS) {
		fprintf(stderr, "test_map_new: bsdvm_map_create failed\n");
		exit(2);
	}
	return map;
}

struct listing {
	char *buf;
	size_t len, cap;
};

static int list_one(void *arg, const struct bsdvm_region *r)
{
	struct listing *l = arg;
	char line[256];
	int n = snprintf(line, sizeof(line),
	    "%016" PRIx64 "-%016" PRIx64 " p%x m%x i%u a%u f%08x w%d o%p+%" PRIx64 "\n",
	    r->start, r->end, r->protection, r->max_protection, r->inheritance,
	    r->advice, r->eflags, (int)r->wired_count, (void *)r->object, r->offset);

	if (l->len + (size_t)n + 1 > l->cap) {
		l->cap = (l->cap + (size_t)n + 1) * 2;
		l->buf = realloc(l->buf, l->cap);
		if (l->buf == NULL)
			exit(2);
	}
	memcpy(l->buf + l->len, line, (size_t)n + 1);
	l->len += (size_t)n;
	return 0;
}

char *test_map_listing(struct vm_map *map)
{
	struct listing l = { NULL, 0, 0 };

	l.buf = calloc(1, 1);
	l.cap = 1;
	bsdvm_map_foreach(map, list_one, &l);
	return l.buf;
}

void sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

bool wait_flag(atomic_int *flag, unsigned ms)
{
	for (unsigned i = 0; i < ms; i++) {
		if (atomic_load(flag))
			return true;
		sleep_ms(1);
	}
	return atomic_load(flag) != 0;
}
