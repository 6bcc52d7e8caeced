/*
 * scenario_ops.h - the functions that carry out each scenario operation,
 * by the file they live in.  Each gets the statement with its parsed
 * arguments (st->arg[] in the order of the operation's table entry,
 * st->opt[] in the order of its options) and returns a result code,
 * SCN_NOCODE or SCN_SKIPPED (scenario.h).
 */
#ifndef BSDVM_TOOL_SCENARIO_OPS_H
#define BSDVM_TOOL_SCENARIO_OPS_H

#include "scenario.h"

/* scenario_op_proc.c: the system, address spaces and what is shown */
int scn_op_system(struct scn_run *r, const struct scn_stmt *st);
int scn_op_space(struct scn_run *r, const struct scn_stmt *st);
int scn_op_fork(struct scn_run *r, const struct scn_stmt *st);
int scn_op_exit(struct scn_run *r, const struct scn_stmt *st);
int scn_op_exec(struct scn_run *r, const struct scn_stmt *st);
int scn_op_limit(struct scn_run *r, const struct scn_stmt *st);
int scn_op_show(struct scn_run *r, const struct scn_stmt *st);
int scn_op_stats(struct scn_run *r, const struct scn_stmt *st);
int scn_op_echo(struct scn_run *r, const struct scn_stmt *st);
int scn_op_pageout(struct scn_run *r, const struct scn_stmt *st);

/* scenario_op_map.c: mappings and range operations */
int scn_op_map(struct scn_run *r, const struct scn_stmt *st);
int scn_op_unmap(struct scn_run *r, const struct scn_stmt *st);
int scn_op_protect(struct scn_run *r, const struct scn_stmt *st);
int scn_op_inherit(struct scn_run *r, const struct scn_stmt *st);
int scn_op_advise(struct scn_run *r, const struct scn_stmt *st);
int scn_op_wire(struct scn_run *r, const struct scn_stmt *st);
int scn_op_unwire(struct scn_run *r, const struct scn_stmt *st);
int scn_op_stack(struct scn_run *r, const struct scn_stmt *st);
int scn_op_growstack(struct scn_run *r, const struct scn_stmt *st);

/* scenario_op_mem.c: bytes, faults and memory objects */
int scn_op_write(struct scn_run *r, const struct scn_stmt *st);
int scn_op_fill(struct scn_run *r, const struct scn_stmt *st);
int scn_op_read(struct scn_run *r, const struct scn_stmt *st);
bool scn_parse_read(struct scn_parser *p, struct scn_stmt *st, const struct scn_toks *t,
    int first, int end);
int scn_op_fault(struct scn_run *r, const struct scn_stmt *st);
int scn_op_file(struct scn_run *r, const struct scn_stmt *st);
int scn_op_object(struct scn_run *r, const struct scn_stmt *st);
int scn_op_sync(struct scn_run *r, const struct scn_stmt *st);

/* scenario_op_kern.c: the kernel side */
int scn_op_uarea(struct scn_run *r, const struct scn_stmt *st);
int scn_op_kmem(struct scn_run *r, const struct scn_stmt *st);
int scn_op_free(struct scn_run *r, const struct scn_stmt *st);

/* scenario_op_face.c: the FreeBSD and NetBSD faces */
int scn_op_vm_map_find(struct scn_run *r, const struct scn_stmt *st);
int scn_op_vm_map_stack(struct scn_run *r, const struct scn_stmt *st);
int scn_op_vm_map_protect(struct scn_run *r, const struct scn_stmt *st);
int scn_op_vm_map_remove(struct scn_run *r, const struct scn_stmt *st);
int scn_op_uvm_map(struct scn_run *r, const struct scn_stmt *st);
int scn_op_uvm_unmap(struct scn_run *r, const struct scn_stmt *st);
int scn_op_uvm_map_protect(struct scn_run *r, const struct scn_stmt *st);
int scn_op_uvm_map_pageable(struct scn_run *r, const struct scn_stmt *st);
bool scn_parse_vmfs(const char *text, uint64_t *out);
bool scn_parse_fbsd_cow(const char *text, uint64_t *out);
bool scn_parse_uvm_inh(const char *text, uint64_t *out);
bool scn_parse_uvm_adv(const char *text, uint64_t *out);
bool scn_parse_uvm_flags(const char *text, uint64_t *out);

/* scenario_expect.c */
int scn_op_expect(struct scn_run *r, const struct scn_stmt *st);
bool scn_parse_expect(struct scn_parser *p, struct scn_stmt *st, const struct scn_toks *t,
    int first, int end);

/* Shared by the op files: the label a new mapping gets in listings
 * (label= option, else the object's name, else "[NAME]", else none). */
bool scn_label_mapping(struct scn_run *r, struct world_space *sp, bsdvm_addr_t start,
    bsdvm_addr_t end, const struct scn_value *label, const struct scn_binding *obj,
    const char *name);

#endif /* BSDVM_TOOL_SCENARIO_OPS_H */
