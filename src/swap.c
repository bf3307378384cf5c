/*
 * swap.c
 *		Rebuilding a fact table beside itself and swapping the new rows in.
 *
 * When most facts change (or none were there), writing them row by row
 * into the table, each row into every index in random order, costs many
 * times what building them anew does.  So, as REFRESH MATERIALIZED VIEW
 * does, the rows go into a new heap made beside the table, frozen and in
 * bulk, its indexes are built once, sorted, and then the table and each of
 * its indexes are given the new files: pg_class's relfilenode of each is
 * swapped with its copy's, and the copy, which now has the old files, is
 * dropped.  The table keeps its OID, so views, grants, comments and
 * dependencies stay as they were.
 *
 * Unlike REFRESH MATERIALIZED VIEW, readers are not blocked while the rows
 * are computed: only the swap takes the ACCESS EXCLUSIVE lock, from then
 * until the transaction ends.  The lock is not queued for: a queued request
 * would make every new reader wait behind a long one.  It is tried, and
 * tried again, for a while; when readers never leave a moment, the new rows
 * are written into the table in place instead (MVCC, no lock).  The rows
 * are frozen, as REFRESH MATERIALIZED VIEW's are, so that a REPEATABLE READ
 * transaction that first reads the facts after the swap sees the new rows,
 * not an empty table.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/toast_internals.h"
#include "access/xact.h"
#include "catalog/catalog.h"
#include "catalog/dependency.h"
#include "catalog/index.h"
#include "catalog/indexing.h"
#include "catalog/pg_class.h"
#include "commands/tablecmds.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/relcache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "source.h"
#include "swap.h"

/* Make an empty copy of the fact table target, to write rows into. */
void
lc_rebuild_begin(LcRebuild *r, Oid target)
{
	Relation	rel = table_open(target, AccessShareLock);
	int			i;

	memset(r, 0, sizeof(LcRebuild));
	r->target = target;
	r->heap = lc_make_new_heap(target, rel->rd_rel->reltablespace, rel->rd_rel->relam,
							   rel->rd_rel->relpersistence);
	table_close(rel, NoLock);
	r->rel = table_open(r->heap, AccessExclusiveLock);
	r->bistate = GetBulkInsertState();
	r->owner = CurrentResourceOwner;
	r->batch = AllocSetContextCreate(CurrentMemoryContext, "leadconv rebuild batch",
									 ALLOCSET_DEFAULT_SIZES);
	r->cid = GetCurrentCommandId(true);
	for (i = 0; i < LC_WRITE_BATCH; i++)
		r->slots[i] = table_slot_create(r->rel, NULL);
}

/*
 * Write the rows waiting.  Rows can come while a cursor's portal runs, under
 * its resource owner, which would let go of the buffer the bulk insert keeps
 * pinned when the portal closes: the pins are the rebuild's.
 */
static void
flush(LcRebuild *r)
{
	ResourceOwner saved = CurrentResourceOwner;
	MemoryContext oldcxt;
	int			i;

	if (r->nslots == 0)
		return;
	CurrentResourceOwner = r->owner;
	/* heap_multi_insert leaves memory behind: reset after each batch, as COPY does */
	oldcxt = MemoryContextSwitchTo(r->batch);
	table_multi_insert(r->rel, r->slots, r->nslots, r->cid,
					   TABLE_INSERT_SKIP_FSM | TABLE_INSERT_FROZEN, r->bistate);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(r->batch);
	CurrentResourceOwner = saved;
	for (i = 0; i < r->nslots; i++)
		ExecClearTuple(r->slots[i]);
	r->nslots = 0;
}

/* A row of the new facts; values are copied. */
void
lc_rebuild_put(LcRebuild *r, Datum *values, bool *nulls)
{
	TupleTableSlot *slot = r->slots[r->nslots];
	int			natts = slot->tts_tupleDescriptor->natts;

	ExecClearTuple(slot);
	memcpy(slot->tts_values, values, sizeof(Datum) * natts);
	memcpy(slot->tts_isnull, nulls, sizeof(bool) * natts);
	ExecStoreVirtualTuple(slot);
	ExecMaterializeSlot(slot);
	r->rows++;
	if (++r->nslots == LC_WRITE_BATCH)
	{
		CHECK_FOR_INTERRUPTS();
		flush(r);
	}
}

/*
 * The rows are written: build a copy of each of the target's indexes on
 * them, sorted, once.
 */
void
lc_rebuild_finish(LcRebuild *r)
{
	Relation	target = table_open(r->target, AccessShareLock);
	List	   *indexes = RelationGetIndexList(target);
	ListCell   *lc;
	int			i;
	ResourceOwner saved = CurrentResourceOwner;

	flush(r);
	MemoryContextDelete(r->batch);
	CurrentResourceOwner = r->owner;
	FreeBulkInsertState(r->bistate);
	CurrentResourceOwner = saved;
	for (i = 0; i < LC_WRITE_BATCH; i++)
		ExecDropSingleTupleTableSlot(r->slots[i]);
	table_finish_bulk_insert(r->rel, TABLE_INSERT_SKIP_FSM | TABLE_INSERT_FROZEN);
	CommandCounterIncrement();

	foreach(lc, indexes)
	{
		Oid			index = lfirst_oid(lc);
		Oid			copy;
		Relation	copyrel;

		CHECK_FOR_INTERRUPTS();
		copy = lc_index_create_copy(r->rel, index, get_rel_tablespace(index),
									psprintf("pg_temp_%u", index));
		CommandCounterIncrement();
		copyrel = index_open(copy, AccessExclusiveLock);
		lc_index_build(r->rel, copyrel, BuildIndexInfo(copyrel));
		index_close(copyrel, NoLock);
		r->target_indexes = lappend_oid(r->target_indexes, index);
		r->indexes = lappend_oid(r->indexes, copy);
	}
	CommandCounterIncrement();
	table_close(target, NoLock);
	table_close(r->rel, NoLock);
	r->rel = NULL;
}

/* ACCESS EXCLUSIVE on every target, or on none of them. */
static bool
lock_targets(LcRebuild *rebuilds, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (!ConditionalLockRelationOid(rebuilds[i].target, AccessExclusiveLock))
		{
			while (--i >= 0)
				UnlockRelationOid(rebuilds[i].target, AccessExclusiveLock);
			return false;
		}
	return true;
}

/*
 * Swap the files of relations a and b in pg_class, with their sizes; for
 * heaps also their frozen-xid horizons and TOAST tables (whose dependencies
 * then follow).  As cluster.c's swap_relation_files() does for relations
 * that are not mapped.
 */
static void
swap_files(Oid a, Oid b, bool heap)
{
	Relation	pg_class = table_open(RelationRelationId, RowExclusiveLock);
	HeapTuple	ta = SearchSysCacheCopy1(RELOID, ObjectIdGetDatum(a));
	HeapTuple	tb = SearchSysCacheCopy1(RELOID, ObjectIdGetDatum(b));
	Form_pg_class fa;
	Form_pg_class fb;
	Relation	ra;
	Relation	rb;

	if (!HeapTupleIsValid(ta) || !HeapTupleIsValid(tb))
		elog(ERROR, "cache lookup failed for relation %u or %u", a, b);
	fa = (Form_pg_class) GETSTRUCT(ta);
	fb = (Form_pg_class) GETSTRUCT(tb);
	if (!OidIsValid(fa->relfilenode) || !OidIsValid(fb->relfilenode) ||
		fa->reltablespace != fb->reltablespace || fa->relam != fb->relam ||
		fa->relpersistence != fb->relpersistence)
		elog(ERROR, "relations %u and %u cannot swap their files", a, b);

#define SWAP(type, field) do { type t_ = fa->field; fa->field = fb->field; fb->field = t_; } while (0)
	SWAP(Oid, relfilenode);
	SWAP(int32, relpages);
	SWAP(float4, reltuples);
	SWAP(int32, relallvisible);
	if (heap)
	{
		SWAP(TransactionId, relfrozenxid);
		SWAP(MultiXactId, relminmxid);
		SWAP(Oid, reltoastrelid);
	}
#undef SWAP

	/* a's new files were made in this (sub)transaction; b's are a's old ones */
	ra = relation_open(a, NoLock);
	rb = relation_open(b, NoLock);
	rb->rd_createSubid = ra->rd_createSubid;
	rb->lc_rd_newRelfilenodeSubid = ra->lc_rd_newRelfilenodeSubid;
	rb->lc_rd_firstRelfilenodeSubid = ra->lc_rd_firstRelfilenodeSubid;
	lc_RelationAssumeNewRelfilenode(ra);
	relation_close(ra, NoLock);
	relation_close(rb, NoLock);

	CatalogTupleUpdate(pg_class, &ta->t_self, ta);
	CatalogTupleUpdate(pg_class, &tb->t_self, tb);

	if (heap && (fa->reltoastrelid != InvalidOid || fb->reltoastrelid != InvalidOid))
	{
		ObjectAddress owner;
		ObjectAddress toast;

		if (fa->reltoastrelid == InvalidOid || fb->reltoastrelid == InvalidOid)
			elog(ERROR, "relations %u and %u cannot swap their files", a, b);
		if (deleteDependencyRecordsFor(RelationRelationId, fa->reltoastrelid, false) != 1 ||
			deleteDependencyRecordsFor(RelationRelationId, fb->reltoastrelid, false) != 1)
			elog(ERROR, "expected one dependency record for each TOAST table");
		ObjectAddressSet(owner, RelationRelationId, a);
		ObjectAddressSet(toast, RelationRelationId, fa->reltoastrelid);
		recordDependencyOn(&toast, &owner, DEPENDENCY_INTERNAL);
		ObjectAddressSet(owner, RelationRelationId, b);
		ObjectAddressSet(toast, RelationRelationId, fb->reltoastrelid);
		recordDependencyOn(&toast, &owner, DEPENDENCY_INTERNAL);
	}
	heap_freetuple(ta);
	heap_freetuple(tb);
	table_close(pg_class, RowExclusiveLock);
}

/*
 * Swap the rebuilt copies in, all together: false, having swapped nothing,
 * when no moment came within wait_ms in which no one else had one of the
 * targets open.
 */
bool
lc_rebuild_swap(LcRebuild *rebuilds, int n, int wait_ms)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), wait_ms);
	long		nap = 1;
	int			i;

	while (!lock_targets(rebuilds, n))
	{
		if (GetCurrentTimestamp() >= deadline)
			return false;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 nap, WAIT_EVENT_PG_SLEEP);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		nap = Min(nap * 2, 50);
	}
	for (i = 0; i < n; i++)
	{
		LcRebuild  *r = &rebuilds[i];
		ListCell   *t;
		ListCell   *c;

		forboth(t, r->target_indexes, c, r->indexes)
			LockRelationOid(lfirst_oid(t), AccessExclusiveLock);
		swap_files(r->target, r->heap, true);
		forboth(t, r->target_indexes, c, r->indexes)
			swap_files(lfirst_oid(t), lfirst_oid(c), false);
	}
	CommandCounterIncrement();
	return true;
}

/*
 * Write the copy's rows into the target in place, replacing its rows: when
 * the swap could not be had.  Readers go on reading the old rows until
 * commit.  order_by: the target's key columns.
 */
void
lc_rebuild_copy_in_place(LcRebuild *r, const char *order_by)
{
	const char *target = quote_qualified_identifier(get_namespace_name(get_rel_namespace(r->target)),
													get_rel_name(r->target));

	lc_execute_fresh(psprintf("DELETE FROM %s", target), 0, NULL, NULL, false);
	lc_execute_fresh(psprintf("INSERT INTO %s SELECT * FROM %s ORDER BY %s", target,
							  quote_qualified_identifier(get_namespace_name(get_rel_namespace(r->heap)),
														 get_rel_name(r->heap)),
							  order_by),
					 0, NULL, NULL, false);
}

static Oid
toast_of(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			toast;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	toast = ((Form_pg_class) GETSTRUCT(tuple))->reltoastrelid;
	ReleaseSysCache(tuple);
	return toast;
}

/*
 * Drop the copy (after a swap, with the target's old files), and give the
 * target's TOAST table and its index the names they would have.
 */
void
lc_rebuild_drop(LcRebuild *r)
{
	ObjectAddress copy;
	Oid			toast;

	ObjectAddressSet(copy, RelationRelationId, r->heap);
	performDeletion(&copy, DROP_RESTRICT, PERFORM_DELETION_INTERNAL);
	CommandCounterIncrement();
	toast = toast_of(r->target);
	if (OidIsValid(toast) &&
		strcmp(get_rel_name(toast), psprintf("pg_toast_%u", r->target)) != 0)
	{
		RenameRelationInternal(toast, psprintf("pg_toast_%u", r->target), true, false);
		RenameRelationInternal(toast_get_valid_index(toast, AccessExclusiveLock),
							   psprintf("pg_toast_%u_index", r->target), true, true);
		CommandCounterIncrement();
	}
}
