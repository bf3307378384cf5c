/*
 * firsts.h
 *		Choosing each user's first purchases (SPEC rules 1, 2, 4 and 5).
 */
#ifndef LEADCONV_FIRSTS_H
#define LEADCONV_FIRSTS_H

#include "postgres.h"
#include "pgtime.h"
#include "utils/array.h"

#include "localtime.h"
#include "source.h"
#include "strhash.h"

typedef enum LcKind
{
	LC_KIND_MEMBERSHIP,
	LC_KIND_CREDIT_PACK,
	LC_NKINDS
} LcKind;

/* A purchase that is, so far, its user's first of its kind. */
typedef struct LcPurchase
{
	LcInstant	when;			/* by rule 4; meaningless when undated */
	LcInstant	created;
	bool		undated;		/* purchased_at and created_at both NULL */
	bool		created_null;
	bool		details_null;
	uint32		capacity;		/* bytes data can hold */
	uint32		details_len;
	uint32		id_len;
	char		data[FLEXIBLE_ARRAY_MEMBER];	/* details, then id */
} LcPurchase;

#define lc_purchase_details(p) ((p)->data)
#define lc_purchase_id(p) ((p)->data + MAXALIGN((p)->details_len))

/* A branch of dim_branch, with its zone by rule 2.  Its id follows it. */
typedef struct LcBranch
{
	pg_tz	   *tz;				/* NULL: UTC */
	const char *zone;			/* name of the winning zone; NULL: none valid */
	LcInstant	created;		/* created_at of the row the zone came from */
	bool		created_null;
} LcBranch;

/* A user of dim_user, by rule 1.  Its id follows it. */
typedef struct LcUser
{
	LcInstant	created;
	bool		created_null;
	const LcBranch *branch;		/* NULL: branch_id NULL or not in dim_branch */
	const LcStr *branch_id;		/* NULL: branch_id NULL */
	LcPurchase *first[LC_NKINDS];
} LcUser;

typedef struct LcCompute LcCompute;
typedef void (*LcUserFn) (const LcCompute *c, const LcUser *user, void *arg);

struct LcCompute
{
	/* set by the caller */
	LcSourceTable sources[LC_NTABLES];
	ArrayType  *user_ids;		/* NULL, or compute only these users */
	Size		budget;			/* bytes one pass may hold */
	LcUserFn	emit;			/* called once per user */
	void	   *emit_arg;

	/* kept for the whole call */
	MemoryContext cxt;
	lc_strhash_hash *branches;
	int			passes;			/* how many passes the users took */
};

extern void lc_load_branches(LcCompute *c);
extern void lc_compute(LcCompute *c);

#endif							/* LEADCONV_FIRSTS_H */
