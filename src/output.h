/*
 * output.h
 *		The rows a user gives: Part 1's one, or Part 2's fan-out.
 */
#ifndef LEADCONV_OUTPUT_H
#define LEADCONV_OUTPUT_H

#include "postgres.h"

#include "call.h"
#include "sink.h"

/* Which rows each user gives: Part 1's one, or Part 2's fan-out. */
typedef enum LcRows
{
	LC_ROWS_EVENTS,
	LC_ROWS_CONVERSIONS
} LcRows;

/* What the output counts of the users it is given. */
typedef enum LcCount
{
	LC_COUNT_EVENTS,			/* Part 1 rows of the users */
	LC_COUNT_CONVERSIONS,		/* their Part 2 rows (every filter) */
	/* diffing against the facts: rows to delete and insert */
	LC_COUNT_EVENTS_DELETED,
	LC_COUNT_EVENTS_INSERTED,
	LC_COUNT_CONVERSIONS_DELETED,
	LC_COUNT_CONVERSIONS_INSERTED,
	LC_COUNT_USERS_CHANGED,		/* users whose facts change, appear or go */
	LC_NCOUNTS
} LcCount;

/*
 * Diffing, a user's row has one more column: the kinds of its row in the
 * facts (LC_KIND_BIT()s), NULL when the facts have no row of it.  Its row
 * type is leadconv_fact_change.
 */
#define LC_CHANGE_FACT_KINDS EV_NCOLUMNS
#define LC_CHANGE_NCOLUMNS (EV_NCOLUMNS + 1)

typedef struct LcOutput
{
	LcSink		sink;
	LcRows		rows;
	int			filters;		/* Part 2 only */
	bool		leads_in_every_filter;
	MemoryContext rowcxt;		/* reset after each user */
	int			since_tick;		/* users emitted since c->tick was called */
	uint64		counts[LC_NCOUNTS];
} LcOutput;

extern void lc_output_init(LcOutput *out, MemoryContext cxt);
extern void lc_emit_user(const LcCompute *c, const LcUser *user, void *arg);
extern void lc_emit_gone(const LcCompute *c, const LcStr *user_id,
						 const LcFactRow *fact, void *arg);

#endif							/* LEADCONV_OUTPUT_H */
