/*
 * fanout.h
 *		Part 2: a user's rows under each conversion filter (SPEC section 3).
 */
#ifndef LEADCONV_FANOUT_H
#define LEADCONV_FANOUT_H

#include "postgres.h"
#include "access/tupdesc.h"
#include "utils/tuplestore.h"

/* Filters, as bits of a set. */
#define LC_FILTER_MEMBERSHIP	0x01
#define LC_FILTER_USER_CREDIT	0x02
#define LC_FILTER_ALL			0x04
#define LC_FILTER_EVERY			0x07

/* The column Part 2 adds after the first nine of Part 1. */
#define P2_FILTER 9
#define P2_NCOLUMNS 10

/* Part 2's columns, in order, for SQL text. */
#define PART2_COLUMNS \
	"user_id, branch_id, local_user_created_at, lead_status, " \
	"client_conversion_event_type, client_conversion_event_id, " \
	"client_conversion_event_local_created_at, client_conversion_event_name, " \
	"client_conversion_event_source, client_conversion_event_filter"

extern int	lc_filter_parse(text *filter);
struct LcSink;

extern void lc_fanout(struct LcSink *sink, const Datum *event, const bool *event_nulls,
					  int filters, bool leads_in_every_filter);
extern void lc_fanout_from(Oid relid, Tuplestorestate *store, TupleDesc desc,
						   int filters, bool leads_in_every_filter);

#endif							/* LEADCONV_FANOUT_H */
