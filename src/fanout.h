/*
 * fanout.h
 *		Part 2: a user's rows under each conversion filter (SPEC section 3).
 */
#ifndef LEADCONV_FANOUT_H
#define LEADCONV_FANOUT_H

#include "postgres.h"
#include "access/tupdesc.h"
#include "utils/tuplestore.h"

#include "sink.h"

/* Filters, as bits of a set. */
#define LC_FILTER_MEMBERSHIP	0x01
#define LC_FILTER_USER_CREDIT	0x02
#define LC_FILTER_ALL			0x04
#define LC_FILTER_EVERY			0x07

extern int	lc_filter_parse(text *filter);
extern void lc_fanout(LcSink *sink, const Datum *event, const bool *event_nulls,
					  int filters, bool leads_in_every_filter);
extern void lc_fanout_from(Oid relid, Tuplestorestate *store, TupleDesc desc,
						   int filters, bool leads_in_every_filter);

#endif							/* LEADCONV_FANOUT_H */
