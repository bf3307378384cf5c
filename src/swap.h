/*
 * swap.h
 *		Rebuilding a fact table beside itself and swapping the new rows in.
 */
#ifndef LEADCONV_SWAP_H
#define LEADCONV_SWAP_H

#include "postgres.h"
#include "access/heapam.h"
#include "executor/tuptable.h"
#include "nodes/pg_list.h"
#include "utils/rel.h"
#include "utils/resowner.h"

/* Rows written together. */
#define LC_WRITE_BATCH 1000

/* A fact table's rebuilt copy, until it is swapped in. */
typedef struct LcRebuild
{
	Oid			target;			/* the fact table */
	Oid			heap;			/* the copy */
	Relation	rel;			/* the copy, open while rows are written */
	BulkInsertState bistate;
	ResourceOwner owner;		/* of the pins the writing holds */
	MemoryContext batch;		/* what writing a batch allocates */
	TupleTableSlot *slots[LC_WRITE_BATCH];
	int			nslots;
	CommandId	cid;
	uint64		rows;
	List	   *target_indexes; /* the target's indexes ... */
	List	   *indexes;		/* ... and their copies, in the same order */
} LcRebuild;

extern void lc_rebuild_begin(LcRebuild *r, Oid target);
extern void lc_rebuild_put(LcRebuild *r, Datum *values, bool *nulls);
extern void lc_rebuild_finish(LcRebuild *r);
extern bool lc_rebuild_swap(LcRebuild *rebuilds, int n, int wait_ms);
extern void lc_rebuild_copy_in_place(LcRebuild *r, const char *order_by);
extern void lc_rebuild_drop(LcRebuild *r);

#endif							/* LEADCONV_SWAP_H */
