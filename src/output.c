/*
 * output.c
 *		Where the rows of a call go, and the rows a user gives.
 *
 * A user's rows are formed once, from its first purchases (events.c), and
 * fanned out for Part 2 (fanout.c).  They go to the call's tuplestore, or,
 * in a parallel worker, to the queue the leader empties into that
 * tuplestore (parallel.c).
 */
#include "postgres.h"

#include "executor/executor.h"
#include "utils/memutils.h"

#include "events.h"
#include "fanout.h"
#include "output.h"
#include "parallel.h"

/* Rows of this many users at most are emitted between two collections. */
#define LC_COLLECT_EVERY 256

void
lc_sink_store(LcSink *sink, Tuplestorestate *store, TupleDesc desc)
{
	memset(sink, 0, sizeof(LcSink));
	sink->store = store;
	sink->desc = desc;
}

void
lc_sink_dest(LcSink *sink, DestReceiver *dest, TupleDesc desc)
{
	memset(sink, 0, sizeof(LcSink));
	sink->dest = dest;
	sink->desc = desc;
	sink->slot = MakeSingleTupleTableSlot(desc, &TTSOpsVirtual);
}

void
lc_sink_put(LcSink *sink, Datum *values, bool *nulls)
{
	TupleTableSlot *slot = sink->slot;

	if (sink->store != NULL)
	{
		tuplestore_putvalues(sink->store, sink->desc, values, nulls);
		return;
	}
	ExecClearTuple(slot);
	memcpy(slot->tts_values, values, sizeof(Datum) * sink->desc->natts);
	memcpy(slot->tts_isnull, nulls, sizeof(bool) * sink->desc->natts);
	ExecStoreVirtualTuple(slot);
	if (!sink->dest->receiveSlot(slot, sink->dest))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("leadconv parallel worker lost its leader")));
}

/* The rows of one user, as the caller of lc_compute() asked (LcUserFn). */
void
lc_emit_user(const LcCompute *c, const LcUser *user, void *arg)
{
	LcOutput   *out = arg;
	Datum		values[EV_NCOLUMNS];
	bool		nulls[EV_NCOLUMNS];
	MemoryContext oldcxt = MemoryContextSwitchTo(out->rowcxt);

	lc_event_values(c, user, values, nulls);
	if (out->rows == LC_ROWS_EVENTS)
		lc_sink_put(&out->sink, values, nulls);
	else
		lc_fanout(&out->sink, values, nulls, out->filters, out->leads_in_every_filter);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(out->rowcxt);

	/* the leader takes in its workers' rows as it goes, so they never wait long */
	if (out->parallel != NULL && ++out->since_collect == LC_COLLECT_EVERY)
	{
		lc_parallel_collect(out->parallel, false);
		out->since_collect = 0;
	}
}
