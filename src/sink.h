/*
 * sink.h
 *		Where rows go: a call's tuplestore, a parallel worker's queue to its
 *		leader, or a function of the caller's.
 */
#ifndef LEADCONV_SINK_H
#define LEADCONV_SINK_H

#include "postgres.h"
#include "executor/tuptable.h"
#include "tcop/dest.h"
#include "utils/tuplestore.h"

typedef void (*LcSinkFn) (void *arg, Datum *values, bool *nulls);

typedef struct LcSink
{
	TupleDesc	desc;
	Tuplestorestate *store;		/* set: rows go here */
	DestReceiver *dest;			/* set: rows go here, through slot */
	TupleTableSlot *slot;
	LcSinkFn	fn;				/* else: rows go to fn(arg, ...) */
	void	   *arg;
} LcSink;

extern void lc_sink_store(LcSink *sink, Tuplestorestate *store, TupleDesc desc);
extern void lc_sink_dest(LcSink *sink, DestReceiver *dest, TupleDesc desc);
extern void lc_sink_fn(LcSink *sink, TupleDesc desc, LcSinkFn fn, void *arg);
extern void lc_sink_put(LcSink *sink, Datum *values, bool *nulls);
extern void lc_sink_put_slot(LcSink *sink, TupleTableSlot *slot);

#endif							/* LEADCONV_SINK_H */
