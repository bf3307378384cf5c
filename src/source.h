/*
 * source.h
 *		Finding and checking the source tables, and reading them.
 */
#ifndef LEADCONV_SOURCE_H
#define LEADCONV_SOURCE_H

#include "postgres.h"
#include "access/relscan.h"
#include "executor/tuptable.h"
#include "lib/stringinfo.h"
#include "utils/snapshot.h"

/* The four tables of the brief that leadconv reads (SPEC section 1). */
typedef enum LcTable
{
	LC_BRANCH,
	LC_USER,
	LC_MEMBERSHIP,
	LC_CREDIT_PACK,
	LC_NTABLES
} LcTable;

/* What a column holds decides which types it may have. */
typedef enum LcColumnKind
{
	LC_COL_ID,					/* text-like or uuid, read as text */
	LC_COL_TEXT,				/* text-like, read as text */
	LC_COL_TIME,				/* timestamp, timestamptz or date, read raw */
	LC_COL_TIMESTAMP,			/* timestamp only (a local time), read raw */
	LC_COL_DETAILS				/* json or jsonb read raw, text-like as text */
} LcColumnKind;

typedef struct LcColumnSpec
{
	const char *name;
	LcColumnKind kind;
} LcColumnSpec;

#define LC_MAX_COLUMNS 17

/* A table leadconv reads, as found in the catalog for this call. */
typedef struct LcSourceTable
{
	const char *name;			/* name we looked for */
	const LcColumnSpec *columns;
	int			ncolumns;
	Oid			relid;
	char	   *qualname;		/* quoted schema.table */
	Oid			types[LC_MAX_COLUMNS];	/* base type of each column */
	AttrNumber	attnums[LC_MAX_COLUMNS];	/* of each column in the relation */
} LcSourceTable;

/* Column positions within each source's select list. */
enum
{
	LC_BRANCH_ID, LC_BRANCH_ZONE, LC_BRANCH_CREATED
};
enum
{
	LC_USER_ID, LC_USER_BRANCH, LC_USER_CREATED
};
enum
{
	LC_PURCHASE_USER, LC_PURCHASE_ID, LC_PURCHASE_AT, LC_PURCHASE_CREATED,
	LC_PURCHASE_DETAILS
};

/* Settings (leadconv.c). */
extern char *lc_source_schema;
extern int	lc_work_mem;

extern const char *lc_source_table_name(LcTable table);
extern void lc_sources_resolve(LcSourceTable *tables, Oid nsp);
extern void lc_relation_check(LcSourceTable *t, Oid relid,
							  const LcColumnSpec *columns, int ncolumns);
extern void lc_source_select(StringInfo buf, const LcSourceTable *t);
extern void lc_source_scan(StringInfo buf, const LcSourceTable *t, AttrNumber *positions);
extern bool lc_source_divisible(const LcSourceTable *t);

extern int	lc_settings_push(void);
extern int	lc_sources_push(LcSourceTable *tables, Oid nsp);
extern void lc_set_local(const char *name, const char *value);
extern void lc_settings_pop(int nestlevel);

extern uint64 lc_execute(const char *sql);
extern uint64 lc_execute_kept(const char *sql, int nargs, Oid *argtypes, Datum *args,
							  Snapshot snapshot);
extern uint64 lc_execute_fresh(const char *sql, int nargs, Oid *argtypes, Datum *args,
							   bool keep);
extern double lc_reltuples(Oid relid);

/*
 * Called for each row a scan reads; returning false stops the scan.  The
 * row's columns are formed as they are asked for (slot_getattr()), or all
 * at once (slot_getallattrs()).
 */
typedef bool (*LcRowFn) (TupleTableSlot *slot, void *arg);

extern void lc_scan(const char *query, int nargs, Oid *argtypes, Datum *args,
					LcRowFn fn, void *arg);
extern void lc_scan_parallel(const LcSourceTable *t, ParallelTableScanDesc pscan,
							 LcRowFn fn, void *arg);

#endif							/* LEADCONV_SOURCE_H */
