/*
 * scenario_ops.c - the table of scenario operations: each one's name,
 * positional arguments, words, options, kind of result code, and the
 * function that carries it out.  docs/scenario.md describes each entry.
 */
#include <string.h>

#include "scenario_ops.h"

#define A(k) ((unsigned)(k))
#define OPT(k) (A(k) | SCN_OPTIONAL)

static const char *const inherit_words[] = { "share", "copy", "none", "zero", NULL };
/* in the order of BSDVM_MADV_*: the index is the advice */
static const char *const advice_words[] = { "normal", "random", "sequential", "willneed",
	"dontneed", "free", "nosync", "autosync", "nocore", "core", NULL };
static const char *const direction_words[] = { "down", "up", NULL };
static const char *const access_words[] = { "read", "write", "execute", NULL };
static const char *const bool_words[] = { "false", "true", NULL };

const struct scn_op scn_ops[] = {
	/* the system and address spaces */
	{ "system", SCN_F_FIRST, { SCN_END }, NULL,
	    { { "frames", SCN_SIZE, NULL }, { "swap", SCN_SIZE, NULL },
	      { "page", SCN_SIZE, NULL }, { "sgrowsiz", SCN_SIZE, NULL },
	      { "guard", SCN_SIZE, NULL }, { "uarea", SCN_SIZE, NULL } },
	    SCN_RES_KERN, NULL, scn_op_system },
	{ "space", 0, { A(SCN_NEWSPACE) }, NULL,
	    { { "min", SCN_ADDR, NULL }, { "max", SCN_ADDR, NULL },
	      { "topdown", SCN_FLAG, NULL }, { "wxorx", SCN_FLAG, NULL },
	      { "plainindex", SCN_FLAG, NULL } },
	    SCN_RES_KERN, NULL, scn_op_space },
	{ "fork", 0, { A(SCN_SPACE), A(SCN_NEWSPACE) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_fork },
	{ "exit", SCN_F_ENDS_SPACE, { A(SCN_SPACE) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_NONE, NULL, scn_op_exit },
	{ "exec", 0, { A(SCN_SPACE) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_exec },
	{ "limit", 0, { A(SCN_SPACE) }, NULL,
	    { { "stack", SCN_SIZE, NULL }, { "vmem", SCN_SIZE, NULL },
	      { "memlock", SCN_SIZE, NULL } },
	    SCN_RES_NONE, NULL, scn_op_limit },

	/* memory objects */
	{ "file", 0, { A(SCN_NEWOBJECT), A(SCN_SIZE) }, NULL,
	    { { "fill", SCN_TEXT, NULL }, { "path", SCN_TEXT, NULL },
	      { "readonly", SCN_FLAG, NULL } },
	    SCN_RES_KERN, NULL, scn_op_file },
	{ "object", 0, { A(SCN_NEWOBJECT), A(SCN_SIZE) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_object },
	{ "sync", 0, { A(SCN_OBJECT) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_sync },

	/* mappings and ranges */
	{ "map", 0, { A(SCN_SPACE), A(SCN_BIND), A(SCN_HINT), A(SCN_SIZE), A(SCN_PROT) }, NULL,
	    { { "max", SCN_PROT, NULL }, { "fixed", SCN_FLAG, NULL }, { "excl", SCN_FLAG, NULL },
	      { "shared", SCN_FLAG, NULL }, { "nomerge", SCN_FLAG, NULL },
	      { "object", SCN_OBJECT, NULL }, { "offset", SCN_SIZE, NULL },
	      { "label", SCN_TEXT, NULL } },
	    SCN_RES_KERN, NULL, scn_op_map },
	{ "unmap", 0, { A(SCN_SPACE), A(SCN_ADDR), OPT(SCN_SIZE) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_unmap },
	{ "protect", 0, { A(SCN_SPACE), A(SCN_ADDR), OPT(SCN_SIZE), A(SCN_PROT) }, NULL,
	    { { "max", SCN_PROT, NULL } },
	    SCN_RES_KERN, NULL, scn_op_protect },
	{ "inherit", 0, { A(SCN_SPACE), A(SCN_ADDR), OPT(SCN_SIZE), A(SCN_WORD) }, inherit_words,
	    { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_inherit },
	{ "advise", 0, { A(SCN_SPACE), A(SCN_ADDR), OPT(SCN_SIZE), A(SCN_WORD) }, advice_words,
	    { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_advise },
	{ "wire", 0, { A(SCN_SPACE), A(SCN_ADDR), OPT(SCN_SIZE) }, NULL,
	    { { "user", SCN_FLAG, NULL }, { "holesok", SCN_FLAG, NULL } },
	    SCN_RES_KERN, NULL, scn_op_wire },
	{ "unwire", 0, { A(SCN_SPACE), A(SCN_ADDR), OPT(SCN_SIZE) }, NULL,
	    { { "user", SCN_FLAG, NULL }, { "holesok", SCN_FLAG, NULL },
	      { "all", SCN_FLAG, NULL } },
	    SCN_RES_KERN, NULL, scn_op_unwire },
	{ "stack", 0, { A(SCN_SPACE), A(SCN_BIND), A(SCN_ADDR), A(SCN_SIZE), A(SCN_PROT),
	    A(SCN_WORD) }, direction_words,
	    { { "max", SCN_PROT, NULL }, { "label", SCN_TEXT, NULL } },
	    SCN_RES_KERN, NULL, scn_op_stack },
	{ "growstack", 0, { A(SCN_SPACE), A(SCN_ADDR) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_growstack },

	/* bytes and faults */
	{ "write", 0, { A(SCN_SPACE), A(SCN_ADDR), A(SCN_DATA) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_write },
	{ "fill", 0, { A(SCN_SPACE), A(SCN_ADDR), A(SCN_SIZE), A(SCN_DATA) }, NULL,
	    { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_fill },
	{ "read", 0, { A(SCN_SPACE), A(SCN_ADDR), A(SCN_SIZE) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_KERN, scn_parse_read, scn_op_read },
	{ "fault", 0, { A(SCN_SPACE), A(SCN_ADDR), A(SCN_WORD) }, access_words,
	    { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_fault },
	{ "pageout", 0, { A(SCN_SIZE) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_NONE, NULL, scn_op_pageout },

	/* the kernel */
	{ "uarea", SCN_F_NAMED, { A(SCN_BIND) }, NULL, { { "system", SCN_FLAG, NULL } },
	    SCN_RES_KERN, NULL, scn_op_uarea },
	{ "kmem", SCN_F_NAMED, { A(SCN_BIND), A(SCN_SIZE) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_kmem },
	{ "free", 0, { A(SCN_ADDR) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_NONE, NULL, scn_op_free },

	/* the FreeBSD face */
	{ "vm_map_find", 0, { A(SCN_SPACE), A(SCN_BIND), A(SCN_HINT), A(SCN_SIZE), A(SCN_PROT) },
	    NULL,
	    { { "max", SCN_PROT, NULL }, { "find", SCN_CUSTOM, scn_parse_vmfs },
	      { "cow", SCN_CUSTOM, scn_parse_fbsd_cow }, { "object", SCN_OBJECT, NULL },
	      { "offset", SCN_SIZE, NULL }, { "max_addr", SCN_ADDR, NULL },
	      { "label", SCN_TEXT, NULL } },
	    SCN_RES_KERN, NULL, scn_op_vm_map_find },
	{ "vm_map_stack", 0, { A(SCN_SPACE), A(SCN_BIND), A(SCN_ADDR), A(SCN_SIZE), A(SCN_PROT) },
	    NULL,
	    { { "max", SCN_PROT, NULL }, { "cow", SCN_CUSTOM, scn_parse_fbsd_cow } },
	    SCN_RES_KERN, NULL, scn_op_vm_map_stack },
	{ "vm_map_protect", 0, { A(SCN_SPACE), A(SCN_ADDR), OPT(SCN_SIZE), A(SCN_PROT) }, NULL,
	    { { "max", SCN_PROT, NULL } },
	    SCN_RES_KERN, NULL, scn_op_vm_map_protect },
	{ "vm_map_remove", 0, { A(SCN_SPACE), A(SCN_ADDR), OPT(SCN_SIZE) }, NULL,
	    { { NULL, 0, NULL } },
	    SCN_RES_KERN, NULL, scn_op_vm_map_remove },

	/* the NetBSD face */
	{ "uvm_map", 0, { A(SCN_SPACE), A(SCN_BIND), A(SCN_HINT), A(SCN_SIZE), A(SCN_PROT) }, NULL,
	    { { "max", SCN_PROT, NULL }, { "inh", SCN_CUSTOM, scn_parse_uvm_inh },
	      { "advice", SCN_CUSTOM, scn_parse_uvm_adv },
	      { "flags", SCN_CUSTOM, scn_parse_uvm_flags }, { "object", SCN_OBJECT, NULL },
	      { "offset", SCN_SIZE, NULL }, { "align", SCN_SIZE, NULL },
	      { "label", SCN_TEXT, NULL } },
	    SCN_RES_ERRNO, NULL, scn_op_uvm_map },
	{ "uvm_unmap", 0, { A(SCN_SPACE), A(SCN_ADDR), OPT(SCN_SIZE) }, NULL,
	    { { NULL, 0, NULL } },
	    SCN_RES_NONE, NULL, scn_op_uvm_unmap },
	{ "uvm_map_protect", 0, { A(SCN_SPACE), A(SCN_ADDR), OPT(SCN_SIZE), A(SCN_PROT) }, NULL,
	    { { "setmax", SCN_FLAG, NULL } },
	    SCN_RES_ERRNO, NULL, scn_op_uvm_map_protect },
	{ "uvm_map_pageable", 0, { A(SCN_SPACE), A(SCN_ADDR), OPT(SCN_SIZE), A(SCN_WORD) },
	    bool_words, { { NULL, 0, NULL } },
	    SCN_RES_ERRNO, NULL, scn_op_uvm_map_pageable },

	/* looking */
	{ "show", 0, { OPT(SCN_SPACE) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_NONE, NULL, scn_op_show },
	{ "stats", 0, { SCN_END }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_NONE, NULL, scn_op_stats },
	{ "echo", SCN_F_QUIET, { A(SCN_DATA) }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_NONE, NULL, scn_op_echo },
	{ "expect", 0, { SCN_END }, NULL, { { NULL, 0, NULL } },
	    SCN_RES_NONE, scn_parse_expect, scn_op_expect },
	{ NULL, 0, { SCN_END }, NULL, { { NULL, 0, NULL } }, SCN_RES_NONE, NULL, NULL },
};

const struct scn_op *scn_find_op(const char *name)
{
	const struct scn_op *op;

	for (op = scn_ops; op->name != NULL; op++) {
		if (strcmp(op->name, name) == 0)
			return op;
	}
	return NULL;
}
