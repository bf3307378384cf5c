/*
 * sink.c
 *		Where rows go: a call's tuplestore, a parallel worker's queue to its
 *		leader, or a function of the caller's (the refresh writes its rows
 *		into the fact tables so).  A leaf: it knows nothing of leadconv's
 *		rows.
 */
#include "postgres.h"

#include "executor/executor.h"

#include "sink.h"

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
lc_sink_fn(LcSink *sink, TupleDesc desc, LcSinkFn fn, void *arg)
{
	memset(sink, 0, sizeof(LcSink));
	sink->desc = desc;
	sink->fn = fn;
	sink->arg = arg;
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
	if (sink->fn != NULL)
	{
		sink->fn(sink->arg, values, nulls);
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

/* A row another process sent (a parallel worker's, to its leader). */
void
lc_sink_put_slot(LcSink *sink, TupleTableSlot *slot)
{
	if (sink->store != NULL)
	{
		tuplestore_puttupleslot(sink->store, slot);
		return;
	}
	slot_getallattrs(slot);
	lc_sink_put(sink, slot->tts_values, slot->tts_isnull);
}
