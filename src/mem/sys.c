/*
 * sys.c - a system: the frame pool, the swap store, the kernel vmspace and
 * the counters.  Several systems can live side by side (an emulator with
 * several guests); nothing here is global.
 */
#include <string.h>

#include "mem/mem_impl.h"

#define DEFAULT_KERNEL_MIN 0xffff800000000000ull
#define DEFAULT_KERNEL_MAX 0xffffff8000000000ull
#define KERNEL_GROW_STEP   ((bsdvm_size_t)4 << 20)

void sys_lock(struct bsdvm_sys *sys)
{
	sys->plat->mutex_lock(sys->plat->ctx, sys->lock);
}

void sys_unlock(struct bsdvm_sys *sys)
{
	sys->plat->mutex_unlock(sys->plat->ctx, sys->lock);
}

static void sys_free_storage(struct bsdvm_sys *sys)
{
	const struct bsdvm_platform *p = sys->plat;

	bsdvm_pfree(p, sys->frames, sys->nframes * sizeof(struct vm_page));
	bsdvm_pfree(p, sys->frame_data, sys->nframes * sys->page_size);
	bsdvm_pfree(p, sys->swap_data, sys->nswap * sys->page_size);
	bsdvm_pfree(p, sys->swap_bitmap, (sys->nswap + 63) / 64 * sizeof(uint64_t));
	if (sys->lock != NULL)
		p->mutex_destroy(p->ctx, sys->lock);
	bsdvm_pfree(p, sys, sizeof(*sys));
}

int bsdvm_sys_create(const struct bsdvm_sys_params *params, struct bsdvm_sys **sysp)
{
	const struct bsdvm_platform *plat;
	struct bsdvm_sys_params d = { 0 };
	struct bsdvm_sys *sys;
	uint64_t i;
	int rv;

	if (sysp == NULL)
		return KERN_INVALID_ARGUMENT;
	if (params != NULL)
		d = *params;
	plat = d.platform != NULL ? d.platform : bsdvm_platform_default();
	if (d.page_size == 0)
		d.page_size = 4096;
	if (d.frames == 0)
		d.frames = 4096;
	if (d.kernel_min == 0 && d.kernel_max == 0) {
		d.kernel_min = DEFAULT_KERNEL_MIN;
		d.kernel_max = DEFAULT_KERNEL_MAX;
	}
	if (d.uarea_size == 0)
		d.uarea_size = 4 * d.page_size;
	if (d.sgrowsiz == 0)
		d.sgrowsiz = 128 * 1024;
	if (d.stack_guard_pages == 0)
		d.stack_guard_pages = 1;
	if (d.page_colors == 0)
		d.page_colors = 1;
	if ((d.page_colors & (d.page_colors - 1)) != 0 || d.page_colors > 65536)
		return KERN_INVALID_ARGUMENT;
	if ((d.page_size & (d.page_size - 1)) != 0 || d.page_size < 4096 || d.page_size > 65536 ||
	    (d.uarea_size & (d.page_size - 1)) != 0 || d.sgrowsiz < d.page_size ||
	    (d.sgrowsiz & (d.page_size - 1)) != 0 || (d.pmap == NULL) != (d.pmap_ctx == NULL))
		return KERN_INVALID_ARGUMENT;
	/* the frame pool must fit in the host's size_t arithmetic */
	if (d.frames > SIZE_MAX / d.page_size || d.swap_pages > SIZE_MAX / d.page_size)
		return KERN_INVALID_ARGUMENT;

	sys = bsdvm_palloc(plat, sizeof(*sys));
	if (sys == NULL)
		return KERN_RESOURCE_SHORTAGE;
	sys->plat = plat;
	sys->pmap = d.pmap != NULL ? d.pmap : pmap_soft_ops();
	sys->pmap_ctx = d.pmap != NULL ? d.pmap_ctx : (void *)plat;
	sys->page_size = d.page_size;
	sys->page_shift = map_ctz(d.page_size); /* a power of two, checked above */
	sys->page_colors = d.page_colors;
	sys->nframes = d.frames;
	sys->nswap = d.swap_pages;
	sys->sgrowsiz = d.sgrowsiz;
	sys->stack_guard = d.no_stack_guard ? 0 : d.stack_guard_pages * d.page_size;
	sys->uarea_size = d.uarea_size;
	sys->lock = plat->mutex_create(plat->ctx);
	sys->frames = bsdvm_palloc(plat, d.frames * sizeof(struct vm_page));
	sys->frame_data = bsdvm_palloc(plat, d.frames * d.page_size);
	if (d.swap_pages != 0) {
		sys->swap_data = bsdvm_palloc(plat, d.swap_pages * d.page_size);
		sys->swap_bitmap = bsdvm_palloc(plat, (d.swap_pages + 63) / 64 * sizeof(uint64_t));
	}
	if (sys->lock == NULL || sys->frames == NULL || sys->frame_data == NULL ||
	    (d.swap_pages != 0 && (sys->swap_data == NULL || sys->swap_bitmap == NULL))) {
		sys_free_storage(sys);
		return KERN_RESOURCE_SHORTAGE;
	}
	/* free list in address order, lowest frame first */
	for (i = d.frames; i-- > 0;) {
		struct vm_page *pg = &sys->frames[i];

		pg->data = sys->frame_data + i * d.page_size;
		pg->flags = PG_FREE;
		pg->qnext = sys->free_list;
		sys->free_list = pg;
	}
	sys->nfree = d.frames;

	rv = bsdvm_vmspace_create(sys, d.kernel_min, d.kernel_max, BSDVM_MAP_SYSTEM, &sys->kernel);
	if (rv != KERN_SUCCESS) {
		sys_free_storage(sys);
		return rv == KERN_INVALID_ARGUMENT ? rv : KERN_RESOURCE_SHORTAGE;
	}
	/* one growth step into the window, never past its top (nor past 2^64) */
	sys->kernel_vm_end = d.kernel_max - d.kernel_min > KERNEL_GROW_STEP ?
	    d.kernel_min + KERNEL_GROW_STEP : d.kernel_max;
	*sysp = sys;
	return KERN_SUCCESS;
}

void bsdvm_sys_destroy(struct bsdvm_sys *sys)
{
	if (sys == NULL)
		return;
	bsdvm_vmspace_free(sys->kernel);
	sys_free_storage(sys);
}

bsdvm_size_t bsdvm_sys_page_size(const struct bsdvm_sys *sys)
{
	return sys->page_size;
}

unsigned bsdvm_sys_page_colors(const struct bsdvm_sys *sys)
{
	return sys->page_colors;
}

void bsdvm_sys_get_stats(struct bsdvm_sys *sys, struct bsdvm_sys_stats *st)
{
	sys_lock(sys);
	st->frames = sys->nframes;
	st->free = sys->nfree;
	st->resident = sys->nresident;
	st->wired = sys->nwired;
	st->faults = sys->faults;
	st->zero_fills = sys->zero_fills;
	st->cow_copies = sys->cow_copies;
	st->cow_takeovers = sys->cow_takeovers;
	st->pageouts = sys->pageouts;
	st->pageins = sys->pageins;
	st->file_reads = sys->file_reads;
	st->swap_total = sys->nswap;
	st->swap_used = sys->swap_used;
	st->anons = sys->nanons;
	st->amaps = sys->namaps;
	st->objects = sys->nobjects;
	st->vmspaces = sys->nvmspaces;
	sys_unlock(sys);
}

uint64_t bsdvm_sys_pageout(struct bsdvm_sys *sys, uint64_t want)
{
	uint64_t n;

	sys_lock(sys);
	n = pageout_run(sys, want);
	sys_unlock(sys);
	return n;
}

struct vmspace *bsdvm_sys_kernel(struct bsdvm_sys *sys)
{
	return sys->kernel;
}

bsdvm_addr_t bsdvm_sys_kernel_vm_end(struct bsdvm_sys *sys)
{
	bsdvm_addr_t e;

	sys_lock(sys);
	e = sys->kernel_vm_end;
	sys_unlock(sys);
	return e;
}

/* Called with the kernel map locked when a kernel mapping ends at end:
 * grow the kernel's page tables first (pmap_growkernel(9)). */
void sys_kernel_grow(struct bsdvm_sys *sys, bsdvm_addr_t end)
{
	sys_lock(sys);
	if (end > sys->kernel_vm_end) {
		bsdvm_addr_t top = (end + KERNEL_GROW_STEP - 1) & ~(KERNEL_GROW_STEP - 1);

		if (top < end) /* rounding wrapped at the top of the space */
			top = end;
		sys->pmap->growkernel(sys->pmap_ctx, top);
		sys->kernel_vm_end = top;
	}
	sys_unlock(sys);
}
