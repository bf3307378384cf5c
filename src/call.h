/*
 * call.h
 *		A call's computation: what it computes, how, and where each user
 *		goes.
 */
#ifndef LEADCONV_CALL_H
#define LEADCONV_CALL_H

#include "postgres.h"
#include "utils/array.h"

#include "digest.h"
#include "firsts.h"
#include "parts.h"
#include "source.h"
#include "strhash.h"

typedef struct LcCompute LcCompute;
typedef void (*LcUserFn) (const LcCompute *c, const LcUser *user, void *arg);
typedef void (*LcGoneFn) (const LcCompute *c, const LcStr *user_id,
						  const LcFactRow *fact, void *arg);

/*
 * A refresh diffs the users against the Part 1 facts: each process reads
 * the fact rows of its users with their sources, keeping a digest per user,
 * and is told of the users the facts have that dim_user no longer has.
 */
typedef struct LcDiff
{
	LcSourceTable facts;		/* the Part 1 fact table */
	LcDigestSeeds seeds;
	LcGoneFn	gone;			/* called with emit_arg */
} LcDiff;

struct LcCompute
{
	/* set by the caller */
	LcSourceTable sources[LC_NTABLES];
	ArrayType  *user_ids;		/* NULL, or compute only these users */
	Size		budget;			/* bytes one pass may hold */
	LcUserFn	emit;			/* called once per user */
	void	   *emit_arg;
	LcDiff	   *diff;			/* NULL, or diff against the facts */
	/*
	 * With parallel workers (parallel.c): this process computes only the
	 * users whose hash's top share_bits bits are a share in share_mask.
	 * share_bits 0: every user.
	 */
	int			share_bits;
	uint64		share_mask;
	LcShare    *share;			/* with workers; NULL alone */
	int			proc;			/* this process in share: 0 the leader */
	int			nprocs;			/* processes the call may have, at most */
	/*
	 * The processes divide the purchase tables (share->divided): each reads
	 * its share of their blocks through these parallel scans.
	 */
	ParallelTableScanDesc pscans[LC_NKINDS];
	/*
	 * NULL, or called every few rows read back from files and users
	 * emitted: the leader takes its workers' rows in as it goes, so that a
	 * worker never waits long on a full queue.
	 */
	void		(*tick) (void *arg);
	void	   *tick_arg;

	/* kept for the whole call */
	MemoryContext cxt;
	lc_strhash_hash *branches;
	int			passes;			/* how many passes the users took */
};

/* Call c's tick once in every `every` calls of this, counted in *since. */
static inline void
lc_call_tick(const LcCompute *c, int *since, int every)
{
	if (c->tick != NULL && ++*since >= every)
	{
		c->tick(c->tick_arg);
		*since = 0;
	}
}

#endif							/* LEADCONV_CALL_H */
