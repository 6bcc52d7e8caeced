/*
 * report.c - map counters and the consistency check, as text.
 */
#include <inttypes.h>

#include "report.h"

const char *report_size(bsdvm_size_t bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;
	uint64_t scale = 1;

	while (u + 1 < sizeof(unit) / sizeof(unit[0]) && bytes / scale >= 1024) {
		scale *= 1024;
		u++;
	}
	if (bytes % scale == 0) {
		snprintf(buf, len, "%" PRIu64 " %s", bytes / scale, unit[u]);
	} else {
		/* two decimals, truncated; rem * 100 fits in 64 bits up to
		 * PiB (rem < 2^50), so only EiB divides the scale first */
		uint64_t rem = bytes % scale;
		uint64_t hundredths = scale > ((uint64_t)1 << 50) ? rem / (scale / 100)
		                                                   : rem * 100 / scale;

		if (hundredths > 99)
			hundredths = 99;
		snprintf(buf, len, "%" PRIu64 ".%02" PRIu64 " %s", bytes / scale, hundredths,
		    unit[u]);
	}
	return buf;
}

void report_stats(FILE *out, struct vm_map *map)
{
	struct bsdvm_map_stats st;
	char size[32], gap[32];

	bsdvm_map_get_stats(map, &st);
	fprintf(out, "stats: entries %" PRIu64 ", size %s, largest gap %s (0x%" PRIx64 ")\n",
	    st.nentries, report_size(st.size, size, sizeof(size)),
	    report_size(st.largest_gap, gap, sizeof(gap)), st.largest_gap);
	fprintf(out, "       inserts %" PRIu64 ", removes %" PRIu64 ", splits %" PRIu64
	    ", merges %" PRIu64 "\n", st.inserts, st.removes, st.splits, st.merges);
}

bool report_check(FILE *out, struct vm_map *map)
{
	char why[256];

	if (vm_map_check(map)) {
		fprintf(out, "check: ok\n");
		return true;
	}
	/* the same walker again, for the description of what broke */
	if (bsdvm_map_check(map, why, sizeof(why)))
		snprintf(why, sizeof(why), "vm_map_check failed, bsdvm_map_check passed");
	fprintf(out, "check: FAILED: %s\n", why);
	return false;
}
