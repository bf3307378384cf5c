/*
 * pass.h
 *		One pass: the users of one part, from the rows of their tables.
 */
#ifndef LEADCONV_PASS_H
#define LEADCONV_PASS_H

#include "postgres.h"
#include "lib/stringinfo.h"

#include "call.h"

/* Rows whose cache misses overlap. */
#define LC_BATCH 64

/* Rows waiting to be applied together. */
typedef struct LcBatch
{
	int			nrows;
	LcRow		rows[LC_BATCH];
	uint32		offsets[LC_BATCH];	/* of each payload in bytes */
	LcUser	   *users[LC_BATCH];	/* a purchase's user, once found */
	StringInfoData bytes;
} LcBatch;

typedef struct LcPass
{
	LcCompute  *c;
	LcParts    *parts;
	int			part;			/* being computed; -1: from its files */
	bool		divided;		/* the processes divide the purchase tables */
	MemoryContext cxt;
	LcUsers		users;
	LcBatch		batch;
	int			kind;			/* of the rows being read from a table */
	Oid		   *types;			/* of that table's columns */
	AttrNumber	positions[LC_MAX_COLUMNS];	/* of its columns in its rows */
} LcPass;

extern void lc_pass_init(LcPass *p, LcCompute *c, LcParts *parts);
extern void lc_pass_start(LcPass *p, int part);
extern bool lc_pass_scan(LcPass *p);
extern bool lc_pass_scan_divided(LcPass *p);
extern void lc_pass_read_files(LcPass *p, LcSpillFile *users, LcSpillFile *purchases);
extern void lc_pass_emit(LcPass *p);

#endif							/* LEADCONV_PASS_H */
