/*
 * compat.h
 *		Differences between the PostgreSQL versions leadconv builds on (13-19).
 *
 * 15, 17, 18 and 19 are built and tested on this project's machines (make
 * test, make test-versions); the guards at 190000 are 19's, the others keep
 * the code compiling on 13, 14 and 16.
 */
#ifndef LEADCONV_COMPAT_H
#define LEADCONV_COMPAT_H

#include "postgres.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/guc.h"

#if PG_VERSION_NUM < 130000
#error "leadconv needs PostgreSQL 13 or later"
#endif

/*
 * InitMaterializedSRF() appeared in 15.1 (15.0 called it SetSingleFuncCall);
 * before 15 every set-returning function set up its tuplestore by hand.
 */
#if PG_VERSION_NUM < 150000
extern void lc_init_materialized_srf(FunctionCallInfo fcinfo);
#define InitMaterializedSRF(fcinfo, flags) lc_init_materialized_srf(fcinfo)
#elif PG_VERSION_NUM < 150001
#define InitMaterializedSRF(fcinfo, flags) SetSingleFuncCall(fcinfo, flags)
#endif

/* MarkGUCPrefixReserved() is 15's name for EmitWarningsOnPlaceholders() */
#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/*
 * hash_create()'s HASH_STRINGS flag appeared in 14; before, string keys were
 * what a table without HASH_BLOBS or HASH_FUNCTION got, so 0 asks the same.
 * (A file that passes HASH_STRINGS must include this header.)
 */
#if PG_VERSION_NUM < 140000
#include "utils/hsearch.h"
#ifndef HASH_STRINGS
#define HASH_STRINGS 0
#endif
#endif

/*
 * 15 moved the files of a SharedFileSet into a FileSet of their own (its
 * member fs); before, the functions took the SharedFileSet itself, and
 * before 14 opening one took no mode (always read-only).
 */
#if PG_VERSION_NUM >= 150000
#define LC_FILESET(shared) (&(shared)->fs)
#else
#define LC_FILESET(shared) (shared)
#define FileSetCreate(fileset, name) SharedFileSetCreate(fileset, name)
#define FileSetDelete(fileset, name, error_on_failure) \
	SharedFileSetDelete(fileset, name, error_on_failure)
#if PG_VERSION_NUM >= 140000
#define FileSetOpen(fileset, name, mode) SharedFileSetOpen(fileset, name, mode)
#else
#define FileSetOpen(fileset, name, mode) SharedFileSetOpen(fileset, name)
#endif
#endif

/* 19 passes table_beginscan_parallel() the caller's ScanOptions. */
#if PG_VERSION_NUM >= 190000
#define lc_table_beginscan_parallel(rel, pscan) \
	table_beginscan_parallel(rel, pscan, SO_NONE)
#else
#define lc_table_beginscan_parallel(rel, pscan) table_beginscan_parallel(rel, pscan)
#endif

/* Wait events have their own header from 14 on. */
#if PG_VERSION_NUM >= 140000
#include "utils/wait_event.h"
#else
#include "pgstat.h"
#endif

/*
 * Rebuilding a fact table beside itself (swap.c): make_new_heap() takes the
 * new heap's access method from 15 on, and is declared with REPACK from 19
 * on; index_concurrently_create_copy() takes its tablespace from 14 on, and
 * 19 names it index_create_copy(), with the flags it used to imply; 16
 * calls a relfilenode a relfilelocator.
 */
#if PG_VERSION_NUM >= 190000
#include "commands/repack.h"
#else
#include "commands/cluster.h"
#endif
#include "catalog/index.h"
#include "storage/lockdefs.h"
#if PG_VERSION_NUM >= 150000
#define lc_make_new_heap(old, tablespace, am, persistence) \
	make_new_heap(old, tablespace, am, persistence, AccessShareLock)
#else
#define lc_make_new_heap(old, tablespace, am, persistence) \
	make_new_heap(old, tablespace, persistence, AccessShareLock)
#endif
#if PG_VERSION_NUM >= 190000
#define lc_index_create_copy(heap, index, tablespace, name) \
	index_create_copy(heap, INDEX_CREATE_SKIP_BUILD | INDEX_CREATE_CONCURRENT, \
					  index, tablespace, name)
#elif PG_VERSION_NUM >= 140000
#define lc_index_create_copy(heap, index, tablespace, name) \
	index_concurrently_create_copy(heap, index, tablespace, name)
#else
#define lc_index_create_copy(heap, index, tablespace, name) \
	index_concurrently_create_copy(heap, index, name)
#endif
/*
 * 19 asks index_build() whether to report progress; leadconv runs no
 * progress command of its own for it to report to.
 */
#if PG_VERSION_NUM >= 190000
#define lc_index_build(heap, index, info) \
	index_build(heap, index, info, false, true, false)
#else
#define lc_index_build(heap, index, info) index_build(heap, index, info, false, true)
#endif
#if PG_VERSION_NUM >= 160000
#define lc_rd_newRelfilenodeSubid rd_newRelfilelocatorSubid
#define lc_rd_firstRelfilenodeSubid rd_firstRelfilelocatorSubid
#define lc_RelationAssumeNewRelfilenode(rel) RelationAssumeNewRelfilelocator(rel)
#else
#define lc_rd_newRelfilenodeSubid rd_newRelfilenodeSubid
#define lc_rd_firstRelfilenodeSubid rd_firstRelfilenodeSubid
#define lc_RelationAssumeNewRelfilenode(rel) RelationAssumeNewRelfilenode(rel)
#endif

#endif							/* LEADCONV_COMPAT_H */
