/*
 * model_vm.h - the reference model the fuzzer (fuzz_vm.c) checks the
 * library against: several vmspaces of one system, page by page, with
 * their attributes and their bytes.
 *
 * Page attributes live in the page-array model of the map engine
 * (tests/support/map_model.[ch]), one per vmspace, and every operation the
 * engine itself defines (insert, fixed, find, findspace, delete, inherit,
 * madvise, check_protection) is that model's.  This file adds what the
 * memory layer defines on top: the bytes of each page, copy-on-write
 * views of shared objects, wiring, fork by inheritance, growable stacks
 * with their gaps, and protect as it applies to stack gaps.  The byte
 * semantics follow the model of tests/test_mem_property.c (reference
 * counted page buffers; a fork copies what it inherits COPY at once,
 * which is what copy-on-write looks like from outside).
 *
 * Entries do not exist in the model, with one exception: a stack gap
 * never merges with anything, and whether an address of a gap lies in the
 * piece that borders the stack decides whether touching it grows the
 * stack.  Every page of a gap carries the id of its piece; a range
 * operation that changes part of a piece gives that part a new id, as the
 * engine splits an entry that changes and straddles the range.
 */
#ifndef BSDVM_FUZZ_MODEL_VM_H
#define BSDVM_FUZZ_MODEL_VM_H

#include <bsdvm/vmspace.h>

#include "map_model.h"

#define FZ_NVM 4
#define FZ_NOBJ 3

/* A page's bytes, shared by every page record that must see the same bytes. */
struct fz_buf {
	unsigned ref;
	uint8_t data[];
};

/* The private page of a copy-on-write view of an object page (an amap
 * slot): empty until the first write copies the object's page into it. */
struct fz_slot {
	unsigned ref;
	struct fz_buf *anon;
};

/* What the memory layer adds to a mapped page of the map model. */
struct fz_page {
	struct fz_buf *b;      /* memory (the object's page for object mappings);
	                          NULL for unmapped pages and guards */
	struct fz_slot *slot;  /* copy-on-write view of the object page b */
	int32_t wired;
	bool uwired;           /* MAP_ENTRY_USER_WIRED */
	uint32_t gap;          /* stack-gap piece id, 0 = not a gap */
	bsdvm_prot_t gprot, gmax; /* protections a gap keeps for growth */
};

struct fz_vm {
	bool live;
	unsigned refs;
	uint32_t flags;        /* BSDVM_MAP_* */
	struct vmspace *vm;    /* the library's vmspace */
	struct bsdvm_rlimits lim;
	struct bsdvm_stackinfo si;
	struct map_model mm;   /* attributes, page by page */
	struct fz_page *pg;    /* one per page of mm */
};

/* An object the fuzzer holds a reference to: its pages' bytes, shared by
 * every mapping of it. */
struct fz_obj {
	bool live;
	bool external;         /* pg belongs to the caller (a pager's model) */
	bool readonly;         /* a pager object that is not writable */
	struct vm_object *obj;
	bsdvm_size_t npages;
	struct fz_buf **pg;    /* anonymous: created on first mapping */
};

struct fz_model {
	bsdvm_size_t ps;
	bsdvm_size_t guard;    /* stack guard bytes */
	bsdvm_size_t sgrow;    /* stack growth step */
	uint32_t next_gap;
	struct map_model_opts opts;
	struct fz_vm vm[FZ_NVM];
	struct fz_obj obj[FZ_NOBJ];
};

/* Kinds of map operation fzm_map() models. */
enum { FZ_MAP_INSERT, FZ_MAP_FIXED, FZ_MAP_FIND };

void fzm_init(struct fz_model *m, bsdvm_size_t ps, bsdvm_size_t guard, bsdvm_size_t sgrow);
void fzm_fini(struct fz_model *m);

/* vmspace life: a new empty one, its last reference gone, reset, fork. */
void fzm_vm_new(struct fz_model *m, int vi, struct vmspace *vm, bsdvm_addr_t min,
    bsdvm_addr_t max, uint32_t flags);
void fzm_vm_drop(struct fz_model *m, int vi);
int fzm_reset(struct fz_model *m, int vi, bsdvm_addr_t min, bsdvm_addr_t max);
void fzm_fork(struct fz_model *m, int parent, int child, struct vmspace *vm);

/* Objects the fuzzer holds: bsdvm_object_anon's checks, then a new one;
 * dropping the fuzzer's reference. */
int fzm_obj_new(struct fz_model *m, int oi, struct vm_object *obj, bsdvm_size_t size,
    struct fz_buf **pages, bool readonly);
struct fz_buf *fzm_buf_new(const struct fz_model *m, const uint8_t *src);
void fzm_buf_unref(struct fz_buf *b);
void fzm_obj_drop(struct fz_model *m, int oi);
/*
 * bsdvm_vmspace_mmap.  oi < 0: anonymous memory, and obj is the object a
 * shared mapping gets (the library's, read back after the call); offset
 * must then be 0.  Otherwise a mapping of object oi at offset.
 */
int fzm_mmap(struct fz_model *m, int vi, bsdvm_addr_t *addrp, bsdvm_size_t len,
    bsdvm_prot_t prot, bsdvm_prot_t max, uint32_t flags, struct vm_object *obj, int oi,
    bsdvm_off_t offset);
/* The engine's insert, fixed and find on the vmspace's map. */
int fzm_map(struct fz_model *m, int vi, int how, bsdvm_addr_t start, bsdvm_addr_t end,
    const struct bsdvm_space_req *req, const struct bsdvm_entry_attrs *a,
    bsdvm_addr_t *addrp);
int fzm_delete(struct fz_model *m, int vi, bsdvm_addr_t start, bsdvm_addr_t end);
int fzm_protect(struct fz_model *m, int vi, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_prot_t prot, bsdvm_prot_t max, uint32_t flags);
int fzm_inherit(struct fz_model *m, int vi, bsdvm_addr_t start, bsdvm_addr_t end,
    bsdvm_inherit_t inh);
int fzm_madvise(struct fz_model *m, int vi, bsdvm_addr_t start, bsdvm_addr_t end, int advice);
int fzm_wire(struct fz_model *m, int vi, bsdvm_addr_t start, bsdvm_addr_t end,
    uint32_t flags, bool unwire);
int fzm_stack(struct fz_model *m, int vi, bsdvm_addr_t addrbos, bsdvm_size_t size,
    bsdvm_prot_t prot, bsdvm_prot_t max, uint32_t cow);
int fzm_growstack(struct fz_model *m, int vi, bsdvm_addr_t addr);
int fzm_fault(struct fz_model *m, int vi, bsdvm_addr_t addr, bsdvm_prot_t access);
/*
 * copyout (write: buf is applied) or copyin (read: buf receives what the
 * library must return) of len bytes at va; *done gets the bytes moved
 * before the first failing page, whose fault code is returned.
 */
int fzm_access(struct fz_model *m, int vi, bsdvm_addr_t va, uint8_t *buf, size_t len,
    bool write, size_t *done);

/* The bytes a read of the page at index i sees (mapped, not a guard), or
 * NULL for a page beyond the end of its object. */
const uint8_t *fzm_page_bytes(const struct fz_model *m, int vi, bsdvm_size_t i);
/* Pages with a wiring, over every vmspace. */
uint64_t fzm_wired_pages(const struct fz_model *m);
/* Bytes of the vmspace that are wired. */
uint64_t fzm_wired_bytes(const struct fz_model *m, int vi);
/* Pages of [start, end) (clamped to the window) a wiring would newly wire. */
uint64_t fzm_wire_new_pages(const struct fz_model *m, int vi, bsdvm_addr_t start,
    bsdvm_addr_t end, uint32_t flags);
bool fzm_is_guard(const struct fz_vm *v, bsdvm_size_t i);
bool fzm_is_gap(const struct fz_vm *v, bsdvm_size_t i);

/*
 * Cases of known, reported disagreements the fuzzer can be told to look
 * past (the same as test_mem_property's BSDVM_MEM_PROPERTY_LAX).
 */
bool fzm_unwire_meets_none(const struct fz_model *m, int vi, bsdvm_addr_t s, bsdvm_addr_t e);
bool fzm_wire_meets_readonly(const struct fz_model *m, int vi, bsdvm_addr_t s,
    bsdvm_addr_t e);
bool fzm_fork_copies_sibling_wired(const struct fz_model *m, int vi);

#endif /* BSDVM_FUZZ_MODEL_VM_H */
