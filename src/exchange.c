/*
 * exchange.c
 *		Purchase rows passed between the processes of a parallel call.
 *
 * With parallel workers, each process computes a share of the users
 * (parallel.c).  Every process reads dim_user whole and keeps its own users;
 * but the purchase tables are most of the data, so each process reads only
 * an equal range of their blocks, and writes the rows of other
 * processes' users to files of the call's SharedFileSet: one file per
 * sender and part, parts as the leader laid them out (bits).  Once every
 * process has read its ranges, each reads the files written for its parts,
 * in the pass of each part.
 *
 * A table is split by block only when that is sure to read each row once:
 * a heap table (not a view, a partitioned or foreign table), which the
 * caller may read whole (ctid needs the table's SELECT privilege, not a
 * column's), on a server with TID range scans (14).  Other tables are read
 * whole by every process, as dim_user is.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/condition_variable.h"
#include "storage/spin.h"
#include "utils/acl.h"
#include "utils/rel.h"

#include "compat.h"
#include "exchange.h"

struct LcExchangeShared
{
	SharedFileSet fileset;
	ConditionVariable cv;		/* broadcast when what follows changes */
	slock_t		mutex;
	int			bits;			/* the files are per part of 2^bits */
	bool		ready;			/* the leader has set what follows */
	int			nprocs;			/* processes of the call */
	int			scanners;		/* of which this many read ranges */
	int			scanned;		/* and this many have read them */
	bool		split[LC_NTABLES];
	/* each process's blocks: [from, to); to InvalidBlockNumber: to the end */
	BlockNumber from[LC_NTABLES][LC_MAX_PROCS];
	BlockNumber to[LC_NTABLES][LC_MAX_PROCS];
};

Size
lc_exchange_size(void)
{
	return sizeof(LcExchangeShared);
}

/* In the leader, before the workers are launched. */
void
lc_exchange_init(LcExchange *x, void *space, ParallelContext *pcxt, int bits)
{
	LcExchangeShared *s = space;

	memset(s, 0, sizeof(LcExchangeShared));
	SharedFileSetInit(&s->fileset, pcxt->seg);
	ConditionVariableInit(&s->cv);
	SpinLockInit(&s->mutex);
	s->bits = bits;
	x->shared = s;
	x->pcxt = pcxt;
	x->self = 0;
}

/* The blocks of a table that can be split by block; false if it cannot. */
static bool
table_blocks(Oid relid, BlockNumber *nblocks)
{
#if PG_VERSION_NUM < 140000
	return false;				/* no TID range scans: a range means a full read */
#else
	Relation	rel;
	bool		heap;

	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK)
		return false;
	rel = table_open(relid, AccessShareLock);
	heap = (rel->rd_rel->relkind == RELKIND_RELATION ||
			rel->rd_rel->relkind == RELKIND_MATVIEW) &&
		rel->rd_rel->relam == HEAP_TABLE_AM_OID;
	if (heap)
		*nblocks = RelationGetNumberOfBlocks(rel);
	table_close(rel, AccessShareLock);
	return heap;
#endif
}

/*
 * In the leader, once the workers are launched: split the purchase tables
 * in equal ranges between the processes that read (each row read costs
 * the same, whoever's user it is of), the last range open to the end (rows
 * the snapshot sees are all in blocks that exist now, but the last range
 * need not know that).  The leader reads unless it has no users to compute.
 */
void
lc_exchange_start(LcExchange *x, const LcSourceTable *sources, int nprocs,
				  bool leader_reads)
{
	LcExchangeShared *s = x->shared;
	LcTable		tables[] = {LC_MEMBERSHIP, LC_CREDIT_PACK};
	int			first = leader_reads ? 0 : 1;
	int			scanners = nprocs - first;
	int			i;
	int			k;

	for (i = 0; i < (int) lengthof(tables); i++)
	{
		LcTable		t = tables[i];
		BlockNumber nblocks;

		s->split[t] = table_blocks(sources[t].relid, &nblocks);
		for (k = first; s->split[t] && k < nprocs; k++)
		{
			s->from[t][k] = (BlockNumber) ((uint64) nblocks * (k - first) / scanners);
			s->to[t][k] = k == nprocs - 1 ? InvalidBlockNumber :
				(BlockNumber) ((uint64) nblocks * (k - first + 1) / scanners);
		}
	}

	SpinLockAcquire(&s->mutex);
	s->nprocs = nprocs;
	s->scanners = scanners;
	s->ready = true;
	SpinLockRelease(&s->mutex);
	ConditionVariableBroadcast(&s->cv);
}

/* Whether the leader has set the call up, or every scanner has read. */
static bool
is_ready(LcExchangeShared *s, bool all_scanned)
{
	bool		done;

	SpinLockAcquire(&s->mutex);
	done = s->ready && (!all_scanned || s->scanned == s->scanners);
	SpinLockRelease(&s->mutex);
	return done;
}

static void
wait_until(LcExchangeShared *s, bool all_scanned)
{
	ConditionVariablePrepareToSleep(&s->cv);
	while (!is_ready(s, all_scanned))
		ConditionVariableSleep(&s->cv, PG_WAIT_EXTENSION);
	ConditionVariableCancelSleep();
}

/* In a worker: attach, and wait for the leader to have set the call up. */
void
lc_exchange_attach(LcExchange *x, void *space, dsm_segment *seg, int self)
{
	x->shared = space;
	x->pcxt = NULL;
	x->self = self;
	SharedFileSetAttach(&x->shared->fileset, seg);
	wait_until(x->shared, false);
}

int
lc_exchange_bits(const LcExchange *x)
{
	return x->shared->bits;
}

int
lc_exchange_procs(const LcExchange *x)
{
	return x->shared->nprocs;
}

/* The range of a table this process reads; false: it reads the whole table. */
bool
lc_exchange_range(const LcExchange *x, LcTable table, ItemPointerData *from,
				  ItemPointerData *to)
{
	const LcExchangeShared *s = x->shared;

	if (!s->split[table])
		return false;
	ItemPointerSet(from, s->from[table][x->self], 0);
	ItemPointerSet(to, s->to[table][x->self], 0);
	return true;
}

static void
file_name(char *name, int sender, int part)
{
	snprintf(name, MAXPGPATH, "leadconv.%d.%d", sender, part);
}

/* The file of rows of a part of another process's, which this one read. */
LcSpillFile *
lc_exchange_create(LcExchange *x, int part, ResourceOwner owner, Size buffer)
{
	char		name[MAXPGPATH];

	file_name(name, x->self, part);
	return lc_spill_create_shared(&x->shared->fileset, name, owner, buffer);
}

/* Remove such a file, closed, when the reading starts over. */
void
lc_exchange_delete(LcExchange *x, int part)
{
	char		name[MAXPGPATH];

	file_name(name, x->self, part);
	lc_fileset_delete(&x->shared->fileset, name);
}

/*
 * This process has read its ranges and closed its files: wait until every
 * process has.  A worker that failed to start would never arrive, so the
 * leader first waits for its workers to start, which raises an error for
 * one that could not; a worker's error reaches the leader as an interrupt
 * while it sleeps, and the leader's ends the workers.
 */
void
lc_exchange_scanned(LcExchange *x)
{
	LcExchangeShared *s = x->shared;

	SpinLockAcquire(&s->mutex);
	s->scanned++;
	SpinLockRelease(&s->mutex);
	ConditionVariableBroadcast(&s->cv);
	if (x->pcxt != NULL)
		WaitForParallelWorkersToAttach(x->pcxt);
	wait_until(s, true);
}

/* The rows sender read of a part of this process's; NULL if none. */
LcSpillFile *
lc_exchange_open(LcExchange *x, int sender, int part, Size buffer)
{
	char		name[MAXPGPATH];

	file_name(name, sender, part);
	return lc_spill_open_shared(&x->shared->fileset, name, buffer);
}
