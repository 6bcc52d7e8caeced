/*
 * bsdvm/pmap.h - the physical-map interface: the machine-dependent layer
 * that holds virtual-to-physical translations for one address space.
 *
 * bsdvm's memory layer only talks to a pmap through this table, so an
 * embedder can substitute its own (a real MMU, an emulator's TLB).  The
 * default is a software pmap that keeps its translations in a hash table.
 * A pmap is a cache: any translation may be dropped at any time and the
 * fault handler re-creates it.
 */
#ifndef BSDVM_PMAP_H
#define BSDVM_PMAP_H

#include <bsdvm/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct pmap;
struct vm_page;

/* Attribute bits a pmap tracks per page (pmap_is_modified/referenced). */
#define PMAP_ATTR_REFERENCED 0x1u
#define PMAP_ATTR_MODIFIED   0x2u

struct pmap_ops {
	/* create/destroy one address space's translations */
	struct pmap *(*create)(void *ctx);
	void (*destroy)(void *ctx, struct pmap *pmap);
	/* map va -> page with prot (replacing any old translation);
	 * KERN_SUCCESS or KERN_RESOURCE_SHORTAGE */
	int (*enter)(void *ctx, struct pmap *pmap, bsdvm_addr_t va, struct vm_page *pg,
	    bsdvm_prot_t prot, bool wired);
	/* drop every translation in [sva, eva) */
	void (*remove)(void *ctx, struct pmap *pmap, bsdvm_addr_t sva, bsdvm_addr_t eva);
	/* lower every translation in [sva, eva) to at most prot */
	void (*protect)(void *ctx, struct pmap *pmap, bsdvm_addr_t sva, bsdvm_addr_t eva,
	    bsdvm_prot_t prot);
	/* the page mapped at va and its prot, or NULL */
	struct vm_page *(*extract)(void *ctx, struct pmap *pmap, bsdvm_addr_t va,
	    bsdvm_prot_t *protp);
	/* lower all translations of pg in every pmap (NONE removes them) */
	void (*page_protect)(void *ctx, struct vm_page *pg, bsdvm_prot_t prot);
	/* read and clear the referenced/modified bits of pg */
	unsigned (*page_attrs)(void *ctx, struct vm_page *pg, unsigned clear);
	/* the software MMU (copyin/copyout, faults) touched pg: record the
	 * PMAP_ATTR_* bits, as hardware would set them in a page table */
	void (*page_mark)(void *ctx, struct vm_page *pg, unsigned attrs);
	/* note that va's translation is no longer wired */
	void (*unwire)(void *ctx, struct pmap *pmap, bsdvm_addr_t va);
	/* the kernel map now extends to end (pmap_growkernel(9)) */
	void (*growkernel)(void *ctx, bsdvm_addr_t end);
	/* PMAP_PREFER: to avoid cache aliases when mapping offset foff, the
	 * start should satisfy start = *align_offset (mod *align); set *align
	 * to 0 for no preference.  bsdvm's space search honours it exactly. */
	void (*prefer)(void *ctx, bsdvm_off_t foff, bsdvm_size_t *align,
	    bsdvm_addr_t *align_offset);
	/* number of translations held */
	uint64_t (*count)(void *ctx, struct pmap *pmap);
};

/* The software pmap (the default).  Its ctx is the platform
 * (const struct bsdvm_platform *) it allocates from. */
BSDVM_API const struct pmap_ops *pmap_soft_ops(void);

#ifdef __cplusplus
}
#endif
#endif /* BSDVM_PMAP_H */
