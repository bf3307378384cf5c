/*
 * firsts.h
 *		Choosing each user's first purchases (SPEC rules 1, 2, 4 and 5).
 */
#ifndef LEADCONV_FIRSTS_H
#define LEADCONV_FIRSTS_H

#include "postgres.h"
#include "pgtime.h"
#include "port/atomics.h"
#include "storage/sharedfileset.h"
#include "utils/array.h"

#include "columns.h"
#include "digest.h"
#include "localtime.h"
#include "source.h"
#include "strhash.h"

/* The id and details of a first purchase, kept aside from its user. */
typedef struct LcPurchaseData
{
	uint32		capacity;		/* bytes data can hold */
	uint32		details_len;
	uint32		id_len;
	bool		details_null;
	/* then, at an aligned offset (a jsonb document is read in place): */
	char		data[FLEXIBLE_ARRAY_MEMBER];	/* details, then id */
} LcPurchaseData;

#define LC_PURCHASE_DATA_OFFSET MAXALIGN(offsetof(LcPurchaseData, data))
#define lc_purchase_details(d) ((char *) (d) + LC_PURCHASE_DATA_OFFSET)
#define lc_purchase_id(d) (lc_purchase_details(d) + INTALIGN((d)->details_len))

/*
 * A user's first purchase of a kind so far.  What orders purchases is kept
 * in the user itself: deciding that a purchase is not the first, which is
 * what most purchases are, then reads no other memory.
 */
typedef struct LcFirst
{
	LcInstant	when;			/* by rule 4; meaningless when undated */
	LcInstant	created;
	LcPurchaseData *data;		/* NULL: no purchase of the kind */
	bool		undated;		/* purchased_at and created_at both NULL */
	bool		created_null;
} LcFirst;

/* A branch of dim_branch, with its zone by rule 2.  Its id follows it. */
typedef struct LcBranch
{
	LcZone		local;			/* its zone; local.tz NULL: UTC */
	const char *zone;			/* name of the winning zone; NULL: none valid */
	LcInstant	created;		/* created_at of the row the zone came from */
	bool		created_null;
} LcBranch;

/* A user of dim_user, by rule 1.  Its id follows it. */
typedef struct LcUser
{
	LcFirst		first[LC_NKINDS];
	LcInstant	created;
	LcBranch   *branch;			/* NULL: branch_id NULL or not in dim_branch */
	const LcStr *branch_id;		/* NULL: branch_id NULL */
	const struct LcFactRow *facts;	/* diffing: its row in the facts */
	bool		created_null;
} LcUser;

/* At most this many bits of parts (2^LC_MAX_BITS parts). */
#define LC_MAX_BITS 8
/* What the output of a process counts (output.h), at most. */
#define LC_MAX_COUNTS 8
/* At most this many processes share a call: the leader and its workers. */
#define LC_MAX_PROCS 8

/*
 * What the processes of a parallel call share, in its dynamic shared
 * memory, so that one that has computed its own parts can take the parts
 * another has not begun: the parts' files, named in a shared file set, and
 * per process, whether its files are written and which of its parts are
 * taken.
 */
typedef struct LcShare
{
	SharedFileSet files;
	/* 0 while the process reads the tables, then 1 + its bits of parts */
	pg_atomic_uint32 ready[LC_MAX_PROCS];
	/* per process and part: 0 while nobody has taken it */
	pg_atomic_uint32 taken[LC_MAX_PROCS][1 << LC_MAX_BITS];
	pg_atomic_uint32 passes;	/* of every process, once it is done */
	pg_atomic_uint64 counts[LC_MAX_COUNTS];	/* what their outputs counted */
} LcShare;

typedef struct LcCompute LcCompute;
typedef void (*LcUserFn) (const LcCompute *c, const LcUser *user, void *arg);
typedef void (*LcGoneFn) (const LcCompute *c, const LcStr *user_id,
						  const struct LcFactRow *fact, void *arg);

/* Diffing: what is kept of a user's row in the Part 1 facts. */
typedef struct LcFactRow
{
	LcDigest	digest;
	int32		kinds;			/* the kinds it has a first purchase of, as bits */
} LcFactRow;

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

	/* kept for the whole call */
	MemoryContext cxt;
	lc_strhash_hash *branches;
	int			passes;			/* how many passes the users took */
};

extern void lc_load_branches(LcCompute *c);
extern int	lc_first_bits(const LcCompute *c);
extern void lc_compute(LcCompute *c);

#endif							/* LEADCONV_FIRSTS_H */
