/*
 * swap.c - the swap store: a fixed number of page-sized slots in memory
 * with a free bitmap.  Slot numbers are stored as slot + 1 so that 0 means
 * "not in swap".
 */
#include <string.h>

#include "mem/mem_impl.h"

uint64_t swap_alloc(struct bsdvm_sys *sys)
{
	uint64_t words = (sys->nswap + 63) / 64, w, i;

	if (sys->swap_used >= sys->nswap)
		return 0;
	for (i = 0; i < words; i++) {
		w = (sys->swap_hint + i) % words;
		if (sys->swap_bitmap[w] != UINT64_MAX) {
			unsigned b = map_ctz(~sys->swap_bitmap[w]);
			uint64_t slot = w * 64 + b;

			if (slot >= sys->nswap)
				continue;
			sys->swap_bitmap[w] |= (uint64_t)1 << b;
			sys->swap_used++;
			sys->swap_hint = w;
			return slot + 1;
		}
	}
	return 0;
}

void swap_free(struct bsdvm_sys *sys, uint64_t slot1)
{
	uint64_t slot = slot1 - 1;

	sys->swap_bitmap[slot / 64] &= ~((uint64_t)1 << (slot % 64));
	sys->swap_used--;
}

void swap_write(struct bsdvm_sys *sys, uint64_t slot1, const uint8_t *data)
{
	memcpy(sys->swap_data + (slot1 - 1) * sys->page_size, data, sys->page_size);
}

void swap_read(struct bsdvm_sys *sys, uint64_t slot1, uint8_t *data)
{
	memcpy(data, sys->swap_data + (slot1 - 1) * sys->page_size, sys->page_size);
}
