/*
 * parallel.c
 *		Parallel workers that compute a share of the users.
 *
 * The users are split into parts by a hash of user_id (firsts.c).  With
 * workers, the parts are shared out by the top bits of that hash: every
 * process reads dim_user whole, keeps the users of its own share and drops
 * the others, and computes its share as a serial call computes everything.
 * The purchase tables, most of the data, the processes divide between them
 * block by block through parallel table scans, as a parallel sequential
 * scan does, and each sends the purchases of another's users to that
 * process's parts through files (parts.c).  That needs the tables read
 * without the executor, so only plain tables the caller may read whole,
 * without row security (lc_source_divisible()), and not when diffing
 * against the facts; otherwise every process reads every purchase too, and
 * keeps those of its share.
 *
 * A worker sends its rows through a tuple queue; the leader moves them into
 * the call's sink between its own users, and at the end, waiting for
 * the last.  That costs the leader time, so its share is set for all to
 * finish together (assign_shares); and since how long a share takes varies
 * (with the rows a user gives, the number of users, the machine), a process
 * that has computed its own parts then takes the parts of others that they
 * have not begun, from the files they wrote (firsts.c).  An error in a
 * worker is raised again in the leader, and an error in the leader stops
 * the workers, as in parallel query.
 *
 * Workers are used as the planner would use them for a scan: up to
 * max_parallel_workers_per_gather, and no more than
 * leadconv.max_parallel_workers (by default the processors less one), only
 * when the users take several parts anyway, never for the few users of
 * automatic refresh, and never on temporary tables, which a worker cannot
 * read.
 */
#include "postgres.h"

#include <unistd.h>

#include "access/parallel.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tqueue.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/sharedfileset.h"
#include "storage/shm_mq.h"
#include "storage/shm_toc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/typcache.h"

#include "columns.h"
#include "compat.h"
#include "compute.h"
#include "parallel.h"

/* leadconv.max_parallel_workers; -1: the processors less one */
int			lc_max_parallel_workers = -1;

#define LC_KEY_TASK		UINT64CONST(0x6C63000000000001)
#define LC_KEY_QUEUES	UINT64CONST(0x6C63000000000002)
#define LC_KEY_SHARE	UINT64CONST(0x6C63000000000003)
#define LC_KEY_SCAN		UINT64CONST(0x6C63000000000010)	/* + the kind */

StaticAssertDecl(LC_MAX_WORKERS + 1 <= LC_MAX_PROCS, "a process of a call has no place in LcShare");
StaticAssertDecl(LC_NCOUNTS <= LC_MAX_COUNTS, "an output count has no place in LcShare");
StaticAssertDecl((1 << 4) <= LC_MAX_SHARES, "a share has no owner in LcShare");

/*
 * What the leader's and a worker's libraries must agree on.  The test of
 * the check (scripts/test_layout.sh) builds a library that differs by
 * setting LC_LAYOUT_TEST.
 */
#ifndef LC_LAYOUT_TEST
#define LC_LAYOUT_TEST 0
#endif
#define LC_LAYOUT \
	(((UINT64CONST(0x6C63) << 48) | ((uint64) sizeof(LcShare) << 16) | (uint64) sizeof(LcTask)) ^ \
	 ((uint64) LC_LAYOUT_TEST << 32))

/* The processes share 2^LC_SHARE_BITS shares of the users. */
#define LC_SHARE_BITS	4
#define LC_SHARES		(1 << LC_SHARE_BITS)

/* Each worker's queue: a few thousand rows. */
#define LC_QUEUE_SIZE	(1024 * 1024)

/*
 * What a worker is to compute, as the leader set it up.  A worker loads the
 * library from disk when it starts: if a new one was installed since the
 * leader loaded its own, they may not agree on what the shared memory
 * holds, and the worker must stop rather than read it (layout).
 */
typedef struct LcTask
{
	uint64		layout;			/* LC_LAYOUT of the leader's library */
	Oid			sources_nsp;
	Oid			result_type;	/* composite type of the rows */
	Size		budget;
	uint64		shares[LC_MAX_WORKERS]; /* of each worker */
	LcRows		rows;
	int			filters;
	bool		leads_in_every_filter;
	Oid			diff_facts;		/* diffing: the Part 1 facts; else invalid */
	LcDigestSeeds diff_seeds;
	int			nprocs;			/* the leader and the workers it asked for */
} LcTask;

typedef struct LcParallel
{
	ParallelContext *pcxt;
	TupleQueueReader **readers; /* of the workers still sending */
	int			nreaders;
	LcShare    *share;
	LcSink	   *sink;			/* the leader's */
	TupleTableSlot *slot;
} LcParallel;

/*
 * Processors online.  Every process reads dim_user whole, at least: more
 * processes than processors would add reading and take nothing off the
 * leader.
 */
static int
cpus(void)
{
#ifdef _SC_NPROCESSORS_ONLN
	long		n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int) Min(n, 1024) : 1;
#else
	return 2;					/* not known: as the machines we test on */
#endif
}

/* How many workers to launch: 0 when none would help. */
static int
workers_for(const LcCompute *c, const LcOutput *out)
{
	int			i;

	if (c->user_ids != NULL || IsInParallelMode() || !IsUnderPostmaster ||
		out->sink.desc->tdtypeid == RECORDOID || lc_first_bits(c) == 0)
		return 0;
	for (i = 0; i < LC_NTABLES; i++)
		if (get_rel_persistence(c->sources[i].relid) == RELPERSISTENCE_TEMP)
			return 0;
	return Min(Min(max_parallel_workers_per_gather, LC_MAX_WORKERS),
			   lc_max_parallel_workers >= 0 ? lc_max_parallel_workers : cpus() - 1);
}

/*
 * Which process computes each share: the leader the first ones, the
 * workers the others in turn.  Every process reads the tables, or its
 * share of them (a cost S, the same for each), and computes its users (P
 * for all of them); a worker also sends its rows (Q for all of them), and
 * the leader puts them in the tuplestore (R).
 * With n workers, all finish together when the leader's fraction x solves
 * S + x P + (1 - x) R = S + (1 - x) (P + Q) / n.  Timelines of the two
 * processes show them ending together when Q is about R, and R about P / 5
 * (docs/performance.md): with one worker the leader takes 8 of the 16
 * shares, and from six workers on it only collects.
 */
static void
assign_shares(int nworkers, uint64 *leader, uint64 *workers)
{
	/* x = (6 - n) / (4n + 6), rounded to shares */
	int			leader_shares = Max(0, (LC_SHARES * (6 - nworkers) + 2 * nworkers + 3) /
									(4 * nworkers + 6));
	int			s;

	*leader = 0;
	memset(workers, 0, sizeof(uint64) * nworkers);
	for (s = 0; s < LC_SHARES; s++)
	{
		if (s < leader_shares)
			*leader |= UINT64CONST(1) << s;
		else
			workers[(s - leader_shares) % nworkers] |= UINT64CONST(1) << s;
	}
}

static int	parallel_end(LcParallel *par, LcOutput *out);

/*
 * Whether the processes may divide the purchase tables' blocks between them
 * instead of each reading them whole: not when diffing against the facts
 * (a refresh), and only for tables read as they are stored.
 */
static bool
divisible(const LcCompute *c)
{
	int			kind;

	if (c->diff != NULL)
		return false;
	for (kind = 0; kind < LC_NKINDS; kind++)
		if (!lc_source_divisible(&c->sources[lc_kinds[kind].table]))
			return false;
	return true;
}

/*
 * The process that computes each share; the shares of workers that did not
 * start are the leader's.
 */
static void
set_owners(LcShare *share, const uint64 *workers, int launched)
{
	int			s;
	int			i;

	for (s = 0; s < LC_SHARES; s++)
	{
		share->owner[s] = 0;
		for (i = 0; i < launched; i++)
			if ((workers[i] >> s) & 1)
				share->owner[s] = (int8) (1 + i);
	}
}

/*
 * Launch the workers of a call and give the leader its share (c->share_*),
 * with the shares of workers that could not start; NULL when no worker
 * started, and the leader computes everything.
 */
static LcParallel *
parallel_begin(LcCompute *c, LcOutput *out, bool may_divide)
{
	int			nworkers = workers_for(c, out);
	ParallelContext *pcxt;
	LcParallel *par;
	LcTask	   *task;
	LcShare    *share;
	char	   *queues;
	shm_mq_handle **handles;
	bool		divided;
	Relation	rels[LC_NKINDS];
	Size		scan_sizes[LC_NKINDS];
	int			kind;
	int			i;

	if (nworkers == 0)
		return NULL;

	divided = may_divide && divisible(c);
	EnterParallelMode();
	pcxt = CreateParallelContext("leadconv", "lc_parallel_main", nworkers);
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(LcTask));
	shm_toc_estimate_chunk(&pcxt->estimator, mul_size(LC_QUEUE_SIZE, nworkers));
	shm_toc_estimate_chunk(&pcxt->estimator, sizeof(LcShare));
	shm_toc_estimate_keys(&pcxt->estimator, 3);
	for (kind = 0; divided && kind < LC_NKINDS; kind++)
	{
		rels[kind] = table_open(c->sources[lc_kinds[kind].table].relid, AccessShareLock);
		scan_sizes[kind] = table_parallelscan_estimate(rels[kind], GetActiveSnapshot());
		shm_toc_estimate_chunk(&pcxt->estimator, scan_sizes[kind]);
		shm_toc_estimate_keys(&pcxt->estimator, 1);
	}
	InitializeParallelDSM(pcxt);
	if (pcxt->seg == NULL)		/* no shared memory to be had */
	{
		for (kind = 0; divided && kind < LC_NKINDS; kind++)
			table_close(rels[kind], NoLock);
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		return NULL;
	}
	for (kind = 0; divided && kind < LC_NKINDS; kind++)
	{
		ParallelTableScanDesc pscan = shm_toc_allocate(pcxt->toc, scan_sizes[kind]);

		table_parallelscan_initialize(rels[kind], pscan, GetActiveSnapshot());
		shm_toc_insert(pcxt->toc, LC_KEY_SCAN + kind, pscan);
		table_close(rels[kind], NoLock);
		c->pscans[kind] = pscan;
	}

	task = shm_toc_allocate(pcxt->toc, sizeof(LcTask));
	task->layout = LC_LAYOUT;
	task->sources_nsp = get_rel_namespace(c->sources[LC_USER].relid);
	task->result_type = out->sink.desc->tdtypeid;
	task->budget = c->budget;
	assign_shares(nworkers, &c->share_mask, task->shares);
	task->rows = out->rows;
	task->filters = out->filters;
	task->leads_in_every_filter = out->leads_in_every_filter;
	task->diff_facts = c->diff ? c->diff->facts.relid : InvalidOid;
	if (c->diff)
		task->diff_seeds = c->diff->seeds;
	task->nprocs = 1 + nworkers;
	shm_toc_insert(pcxt->toc, LC_KEY_TASK, task);

	share = shm_toc_allocate(pcxt->toc, sizeof(LcShare));
	SharedFileSetInit(&share->files, pcxt->seg);
	share->divided = divided;
	pg_atomic_init_u32(&share->nprocs, 0);
	pg_atomic_init_u32(&share->scanned, 0);
	pg_atomic_init_u32(&share->outgrown, 0);
	ConditionVariableInit(&share->changed);
	for (i = 0; i < LC_MAX_PROCS; i++)
	{
		int			part;

		pg_atomic_init_u32(&share->ready[i], 0);
		pg_atomic_init_u32(&share->user_bits[i], 0);
		for (part = 0; part < (1 << LC_MAX_BITS); part++)
			pg_atomic_init_u32(&share->taken[i][part], 1);
	}
	pg_atomic_init_u32(&share->passes, 0);
	for (i = 0; i < LC_MAX_COUNTS; i++)
		pg_atomic_init_u64(&share->counts[i], 0);
	shm_toc_insert(pcxt->toc, LC_KEY_SHARE, share);

	queues = shm_toc_allocate(pcxt->toc, mul_size(LC_QUEUE_SIZE, nworkers));
	shm_toc_insert(pcxt->toc, LC_KEY_QUEUES, queues);
	handles = palloc(sizeof(shm_mq_handle *) * nworkers);
	for (i = 0; i < nworkers; i++)
	{
		shm_mq	   *mq = shm_mq_create(queues + (Size) i * LC_QUEUE_SIZE, LC_QUEUE_SIZE);

		shm_mq_set_receiver(mq, MyProc);
		handles[i] = shm_mq_attach(mq, pcxt->seg, NULL);
	}

	LaunchParallelWorkers(pcxt);

	par = palloc0(sizeof(LcParallel));
	par->pcxt = pcxt;
	par->readers = palloc(sizeof(TupleQueueReader *) * nworkers);
	par->sink = &out->sink;
	par->slot = MakeSingleTupleTableSlot(out->sink.desc, &TTSOpsMinimalTuple);
	par->share = share;
	c->share_bits = LC_SHARE_BITS;
	c->share = share;
	c->proc = 0;
	c->nprocs = 1 + nworkers;
	for (i = 0; i < nworkers; i++)
	{
		if (i < pcxt->nworkers_launched)
		{
			/*
			 * A worker that dies before it attaches ends its queue, and
			 * WaitForParallelWorkersToFinish() raises an error: a share is
			 * never silently missing.
			 */
			shm_mq_set_handle(handles[i], pcxt->worker[i].bgwhandle);
			par->readers[par->nreaders++] = CreateTupleQueueReader(handles[i]);
		}
		else
		{
			shm_mq_detach(handles[i]);
			c->share_mask |= task->shares[i];	/* the leader does its work */
		}
	}
	elog(DEBUG1, "leadconv: %d parallel worker(s) of %d launched%s",
		 par->nreaders, nworkers, divided ? ", dividing the purchase tables" : "");
	if (par->nreaders == 0)
	{
		(void) parallel_end(par, out);
		c->share_bits = 0;
		c->share_mask = 0;
		c->share = NULL;
		c->nprocs = 1;
		memset(c->pscans, 0, sizeof(c->pscans));
		return NULL;
	}
	set_owners(share, task->shares, pcxt->nworkers_launched);
	if (divided)
	{
		/*
		 * The processes wait for one another (parts.c): a worker that never
		 * starts must be an error here, not a wait without end.
		 */
		WaitForParallelWorkersToAttach(pcxt);
	}
	lc_parts_started(share, 1 + pcxt->nworkers_launched);
	return par;
}

/*
 * Move the rows the workers have sent into the call's sink; with wait, until
 * every worker has sent its last.
 */
static void
parallel_collect(LcParallel *par, bool wait)
{
	for (;;)
	{
		bool		got = false;
		int			i = 0;

		while (i < par->nreaders)
		{
			bool		done = false;
			MinimalTuple tuple;

			CHECK_FOR_INTERRUPTS();
			tuple = TupleQueueReaderNext(par->readers[i], true, &done);
			if (done)
			{
				DestroyTupleQueueReader(par->readers[i]);
				par->readers[i] = par->readers[--par->nreaders];
				continue;
			}
			if (tuple == NULL)
			{
				i++;
				continue;
			}
			ExecStoreMinimalTuple(tuple, par->slot, false);
			lc_sink_put_slot(par->sink, par->slot);
			got = true;
		}
		if (!wait || par->nreaders == 0)
			return;
		if (!got)
		{
			/* a worker sets our latch when it sends */
			(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_EXIT_ON_PM_DEATH, 0,
							 WAIT_EVENT_EXECUTE_GATHER);
			ResetLatch(MyLatch);
		}
	}
}

/*
 * Take the workers' last rows, and let them go; the passes of every process
 * of the call (which parts each took varies, their number does not), or -1
 * when a divided call must be computed again (compute.c).
 */
static int
parallel_end(LcParallel *par, LcOutput *out)
{
	int			passes;
	int			i;

	parallel_collect(par, true);
	WaitForParallelWorkersToFinish(par->pcxt);
	passes = pg_atomic_read_u32(&par->share->outgrown) != 0 ? -1 :
		(int) pg_atomic_read_u32(&par->share->passes);
	for (i = 0; i < LC_NCOUNTS; i++)
		out->counts[i] += pg_atomic_read_u64(&par->share->counts[i]);
	DestroyParallelContext(par->pcxt);
	ExitParallelMode();
	ExecDropSingleTupleTableSlot(par->slot);
	return passes;
}

/* The leader takes in its workers' rows as it goes, so they never wait long. */
static void
collect_tick(void *arg)
{
	parallel_collect((LcParallel *) arg, false);
}

/*
 * Compute every user of c into out's sink, with parallel workers when they
 * help.  SPI is connected, and settings are pinned: no setting may change
 * in parallel mode.
 */
void
lc_compute_with_workers(LcCompute *c, LcOutput *out)
{
	bool		may_divide = true;

	for (;;)
	{
		LcParallel *par = parallel_begin(c, out, may_divide);

		if (par != NULL)
		{
			c->tick = collect_tick;
			c->tick_arg = par;
		}
		lc_compute(c);
		if (par != NULL)
		{
			c->passes = parallel_end(par, out);
			c->tick = NULL;
		}
		if (c->passes >= 0)
			break;
		/* the parts outgrew leadconv.work_mem before any row was emitted */
		elog(DEBUG1, "leadconv: the users' parts outgrew leadconv.work_mem: computing again without dividing");
		may_divide = false;
		c->share_bits = 0;
		c->share_mask = 0;
		c->share = NULL;
		memset(c->pscans, 0, sizeof(c->pscans));
	}
	elog(DEBUG1, "leadconv: computed in %d pass(es)", c->passes);
}

/* A worker: compute its share of the users into its queue. */
void
lc_parallel_main(dsm_segment *seg, shm_toc *toc)
{
	LcTask	   *task = shm_toc_lookup(toc, LC_KEY_TASK, false);
	char	   *queues = shm_toc_lookup(toc, LC_KEY_QUEUES, false);
	shm_mq	   *mq = (shm_mq *) (queues + (Size) ParallelWorkerNumber * LC_QUEUE_SIZE);
	LcShare    *share = shm_toc_lookup(toc, LC_KEY_SHARE, false);
	shm_mq_handle *mqh;
	DestReceiver *dest;
	TupleDesc	desc;
	LcCompute	c;
	LcOutput	out;
	LcDiff		diff;
	MemoryContext oldcxt;

	if (task->layout != LC_LAYOUT)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("leadconv library of the parallel worker differs from its leader's"),
				 errhint("A new leadconv library was installed while this session ran: start a new session.")));
	shm_mq_set_sender(mq, MyProc);
	mqh = shm_mq_attach(mq, seg, NULL);
	SharedFileSetAttach(&share->files, seg);

	memset(&c, 0, sizeof(c));
	c.cxt = AllocSetContextCreate(CurrentMemoryContext, "leadconv worker",
								  ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(c.cxt);
	lc_sources_resolve(c.sources, task->sources_nsp);
	desc = lookup_rowtype_tupdesc_copy(task->result_type, -1);
	if (OidIsValid(task->diff_facts))
	{
		lc_relation_check(&diff.facts, task->diff_facts, lc_part1_columns, EV_NCOLUMNS);
		diff.seeds = task->diff_seeds;
		diff.gone = lc_emit_gone;
		c.diff = &diff;
	}
	MemoryContextSwitchTo(oldcxt);
	c.budget = task->budget;
	c.share_bits = LC_SHARE_BITS;
	c.share_mask = task->shares[ParallelWorkerNumber];
	c.share = share;
	c.proc = 1 + ParallelWorkerNumber;
	c.nprocs = task->nprocs;
	if (share->divided)
		for (int kind = 0; kind < LC_NKINDS; kind++)
			c.pscans[kind] = shm_toc_lookup(toc, LC_KEY_SCAN + kind, false);

	dest = CreateTupleQueueDestReceiver(mqh);
	lc_output_init(&out, c.cxt);
	lc_sink_dest(&out.sink, dest, desc);
	out.rows = task->rows;
	out.filters = task->filters;
	out.leads_in_every_filter = task->leads_in_every_filter;
	c.emit = lc_emit_user;
	c.emit_arg = &out;

	SPI_connect();
	lc_compute(&c);
	SPI_finish();
	for (int i = 0; i < LC_NCOUNTS; i++)
		pg_atomic_fetch_add_u64(&share->counts[i], out.counts[i]);
	elog(DEBUG2, "leadconv: worker %d computed in %d pass(es)", ParallelWorkerNumber, c.passes);

	ExecDropSingleTupleTableSlot(out.sink.slot);
	dest->rDestroy(dest);		/* detaches the queue: the leader's reader is done */
	MemoryContextDelete(c.cxt);
}
