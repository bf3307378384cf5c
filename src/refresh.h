/*
 * refresh.h
 *		Making the fact tables equal the functions' rows.
 */
#ifndef LEADCONV_REFRESH_H
#define LEADCONV_REFRESH_H

#include "postgres.h"

#include "facts.h"

/* What a refresh did, per fact table: 0 Part 1, 1 Part 2. */
typedef struct LcRefreshResult
{
	const char *method;			/* "rebuild", "rebuild in place" or "incremental" */
	int64		users_changed;
	uint64		rows[2];
	uint64		deleted[2];
	uint64		inserted[2];
} LcRefreshResult;

extern int	lc_swap_wait;

/* How a refresh may go about it. */
#define LC_REFRESH_MAY_SWAP	0x01	/* rebuild and swap (not in a writer's transaction) */
#define LC_REFRESH_SWITCH	0x02	/* the facts change to the sources of another schema */

extern void lc_refresh(LcFacts *f, Oid sources_nsp, int flags, LcRefreshResult *result);

#endif							/* LEADCONV_REFRESH_H */
