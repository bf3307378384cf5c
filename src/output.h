/*
 * output.h
 *		Where the rows of a call go, and the rows a user gives.
 */
#ifndef LEADCONV_OUTPUT_H
#define LEADCONV_OUTPUT_H

#include "postgres.h"
#include "executor/tuptable.h"
#include "tcop/dest.h"
#include "utils/tuplestore.h"

#include "firsts.h"

/*
 * The call's tuplestore, or in a parallel worker the queue to the leader
 * (dest, with a slot to hand it rows).
 */
typedef struct LcSink
{
	Tuplestorestate *store;
	TupleDesc	desc;
	DestReceiver *dest;
	TupleTableSlot *slot;
} LcSink;

/* Which rows each user gives: Part 1's one, or Part 2's fan-out. */
typedef enum LcRows
{
	LC_ROWS_EVENTS,
	LC_ROWS_CONVERSIONS
} LcRows;

struct LcParallel;

typedef struct LcOutput
{
	LcSink		sink;
	LcRows		rows;
	int			filters;		/* Part 2 only */
	bool		leads_in_every_filter;
	MemoryContext rowcxt;		/* reset after each user */
	struct LcParallel *parallel;	/* the leader's workers, or NULL */
	int			since_collect;	/* users emitted since their rows were */
} LcOutput;

extern void lc_sink_store(LcSink *sink, Tuplestorestate *store, TupleDesc desc);
extern void lc_sink_dest(LcSink *sink, DestReceiver *dest, TupleDesc desc);
extern void lc_sink_put(LcSink *sink, Datum *values, bool *nulls);
extern void lc_emit_user(const LcCompute *c, const LcUser *user, void *arg);

#endif							/* LEADCONV_OUTPUT_H */
