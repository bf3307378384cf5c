/*
 * fanout.h
 *		Part 2: a user's rows under each conversion filter (SPEC section 3).
 */
#ifndef LEADCONV_FANOUT_H
#define LEADCONV_FANOUT_H

#include "postgres.h"
#include "access/tupdesc.h"
#include "utils/tuplestore.h"

#include "columns.h"
#include "sink.h"

/* Filters, as bits of a set: a kind's bit, and ALL's. */
#define LC_FILTER_ALL			LC_ALL_BIT
#define LC_FILTER_EVERY			(LC_ALL_BIT | (LC_ALL_BIT - 1))

extern int	lc_filter_parse(text *filter);
extern void lc_fanout(LcSink *sink, const Datum *event, const bool *event_nulls,
					  int filters, bool leads_in_every_filter);
extern void lc_fanout_from(Oid relid, Tuplestorestate *store, TupleDesc desc,
						   int filters, bool leads_in_every_filter);

#endif							/* LEADCONV_FANOUT_H */
