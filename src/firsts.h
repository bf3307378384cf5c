/*
 * firsts.h
 *		The users of a pass and their first purchases, by the SPEC's rules
 *		1, 2, 4 and 5.
 */
#ifndef LEADCONV_FIRSTS_H
#define LEADCONV_FIRSTS_H

#include "postgres.h"

#include "arena.h"
#include "columns.h"
#include "digest.h"
#include "localtime.h"
#include "rows.h"
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

/* Diffing: what is kept of a user's row in the Part 1 facts. */
typedef struct LcFactRow
{
	LcDigest	digest;
	int32		kinds;			/* the kinds it has a first purchase of, as bits */
} LcFactRow;

/* A user of dim_user, by rule 1.  Its id follows it. */
typedef struct LcUser
{
	LcFirst		first[LC_NKINDS];
	LcInstant	created;
	LcBranch   *branch;			/* NULL: branch_id NULL or not in dim_branch */
	const LcStr *branch_id;		/* NULL: branch_id NULL */
	const LcFactRow *facts;		/* diffing: its row in the facts */
	bool		created_null;
} LcUser;

/* Diffing: a user of the facts that dim_user no longer has. */
typedef struct LcGone
{
	struct LcGone *next;
	LcFactRow	fact;
	LcStr		user_id;		/* its bytes follow */
} LcGone;

/* The users of a pass: a hash table of them, and their first purchases. */
typedef struct LcUsers
{
	const LcSourceTable *sources;	/* the call's */
	lc_strhash_hash *branches;	/* the call's, by rule 2 */
	MemoryContext cxt;
	lc_strhash_hash *hash;
	LcArena		users;			/* the users only: walked to emit them */
	LcArena		data;			/* their purchases' ids and details, and more */
	LcGone	   *gone;			/* diffing: users gone from dim_user */
	MemoryContext cmpcxt;		/* reset after each comparison of details */
	LcStr	   *probe;			/* a branch id to look up */
	uint32		probe_size;
} LcUsers;

extern lc_strhash_hash *lc_load_branches(const LcSourceTable *branches, MemoryContext cxt);

extern void lc_users_init(LcUsers *users, const LcSourceTable *sources,
						  lc_strhash_hash *branches, MemoryContext cxt, Size block_size);
extern void lc_users_reset(LcUsers *users);
extern Size lc_users_memory(const LcUsers *users);
extern void lc_apply_user(LcUsers *users, const LcRow *row, const char *payload);
extern void lc_apply_purchase(LcUsers *users, const LcRow *row, const char *payload,
							  LcUser *user);
extern void lc_apply_fact(LcUsers *users, const char *payload, LcUser *user);
extern Size lc_user_size(const void *user);

#endif							/* LEADCONV_FIRSTS_H */
