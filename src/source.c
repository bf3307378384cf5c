/*
 * source.c
 *		Finding and checking the source tables (SPEC section 1), and reading
 *		them through SPI cursors in batches.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_inherits.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "tcop/pquery.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#include "compat.h"
#include "source.h"

/* leadconv.source_schema: where the sources live; empty means search_path */
char	   *lc_source_schema = NULL;

static const LcColumnSpec branch_columns[] = {
	{"branch_id", LC_COL_ID},
	{"timezone_id", LC_COL_TEXT},
	{"created_at", LC_COL_TIME},
};

static const LcColumnSpec user_columns[] = {
	{"user_id", LC_COL_ID},
	{"branch_id", LC_COL_ID},
	{"created_at", LC_COL_TIME},
};

static const LcColumnSpec membership_columns[] = {
	{"user_id", LC_COL_ID},
	{"membership_id", LC_COL_ID},
	{"membership_purchased_at", LC_COL_TIME},
	{"created_at", LC_COL_TIME},
	{"membership_purchase_details", LC_COL_DETAILS},
};

static const LcColumnSpec credit_pack_columns[] = {
	{"user_id", LC_COL_ID},
	{"credit_pack_id", LC_COL_ID},
	{"credit_pack_purchased_at", LC_COL_TIME},
	{"created_at", LC_COL_TIME},
	{"credit_pack_purchase_details", LC_COL_DETAILS},
};

#define LC_TABLE_SPEC(name, cols) {name, cols, lengthof(cols)}

static const struct
{
	const char *name;
	const LcColumnSpec *columns;
	int			ncolumns;
}			table_specs[LC_NTABLES] = {
	LC_TABLE_SPEC("dim_branch", branch_columns),
	LC_TABLE_SPEC("dim_user", user_columns),
	LC_TABLE_SPEC("fct_membership_purchases", membership_columns),
	LC_TABLE_SPEC("fct_credit_pack_purchases", credit_pack_columns),
};

/* The name of a source table. */
const char *
lc_source_table_name(LcTable table)
{
	return table_specs[table].name;
}

/* Rows fetched from a cursor at a time: enough to amortise the fetch. */
#define LC_BATCH_ROWS 10000
/*
 * What a scan's row functions may allocate before it is freed, within a
 * batch: a batch of large documents (detoasted details) would otherwise hold
 * them all at once.
 */
#define LC_ROW_MEMORY (1024 * 1024)

/*
 * The schema the sources are read from: the one leadconv.source_schema names,
 * or the first schema on search_path that has all four tables.  Taking all
 * four from one schema means a single look-alike table earlier on the path
 * is never mixed in.  When no schema has all four, the first schema that has
 * some of them, so that the error names what it lacks; else InvalidOid.
 */
static Oid
sources_schema(void)
{
	List	   *path;
	ListCell   *lc;
	Oid			partial = InvalidOid;

	if (lc_source_schema != NULL && lc_source_schema[0] != '\0')
	{
		Oid			nsp = get_namespace_oid(lc_source_schema, true);

		if (!OidIsValid(nsp))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_SCHEMA_NAME),
					 errmsg("schema \"%s\" does not exist", lc_source_schema),
					 errdetail("leadconv.source_schema names it as the schema of the source tables."),
					 errhint("Create the schema, or RESET leadconv.source_schema to find the tables through search_path.")));
		return nsp;
	}

	path = fetch_search_path(true);
	foreach(lc, path)
	{
		Oid			nsp = lfirst_oid(lc);
		int			found = 0;
		int			i;

		for (i = 0; i < LC_NTABLES; i++)
			if (OidIsValid(get_relname_relid(table_specs[i].name, nsp)))
				found++;
		if (found == LC_NTABLES)
			return nsp;
		if (found > 0 && !OidIsValid(partial))
			partial = nsp;
	}
	return partial;
}

static Oid
find_table(const char *name, Oid nsp)
{
	Oid			relid = OidIsValid(nsp) ? get_relname_relid(name, nsp) : InvalidOid;
	bool		by_setting = lc_source_schema != NULL && lc_source_schema[0] != '\0';

	if (OidIsValid(relid))
		return relid;
	if (!OidIsValid(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s\" does not exist", name),
				 errdetail("No schema on search_path has the source tables of leadconv."),
				 errhint("Create the tables, put their schema on search_path, or set leadconv.source_schema to it.")));
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_TABLE),
			 errmsg("relation \"%s.%s\" does not exist", get_namespace_name(nsp), name),
			 by_setting ?
			 errdetail("leadconv reads its four source tables from the schema named by leadconv.source_schema.") :
			 errdetail("leadconv reads its four source tables from one schema: the first on search_path that has all four.  No schema has all four; %s has some of them.",
					   get_namespace_name(nsp)),
			 errhint("Create the missing table there, or set leadconv.source_schema to the schema of the tables.")));
}

static const char *
kind_types(LcColumnKind kind)
{
	switch (kind)
	{
		case LC_COL_ID:
			return "a text type (text, varchar) or uuid";
		case LC_COL_TEXT:
			return "a text type (text, varchar)";
		case LC_COL_TIME:
			return "timestamp, timestamptz or date";
		case LC_COL_TIMESTAMP:
			return "timestamp (without time zone)";
		case LC_COL_DETAILS:
			return "json, jsonb or a text type";
	}
	pg_unreachable();
}

static bool
kind_accepts(LcColumnKind kind, Oid type)
{
	char		category;
	bool		preferred;

	get_type_category_preferred(type, &category, &preferred);
	switch (kind)
	{
		case LC_COL_ID:
			return category == TYPCATEGORY_STRING || type == UUIDOID;
		case LC_COL_TEXT:
			return category == TYPCATEGORY_STRING;
		case LC_COL_TIME:
			return type == TIMESTAMPOID || type == TIMESTAMPTZOID || type == DATEOID;
		case LC_COL_TIMESTAMP:
			return type == TIMESTAMPOID;
		case LC_COL_DETAILS:
			return category == TYPCATEGORY_STRING || type == JSONOID || type == JSONBOID;
	}
	return false;
}

/*
 * Check that relation relid has the given columns with acceptable types, and
 * describe it in *t.  Errors name the relation and column, with a hint.
 */
void
lc_relation_check(LcSourceTable *t, Oid relid, const LcColumnSpec *columns,
				  int ncolumns)
{
	const char *relname;
	int			i;

	Assert(ncolumns <= LC_MAX_COLUMNS);

	/*
	 * Locked until the transaction ends, as a query locks what it reads: the
	 * columns and types found here are then those the scans read, however
	 * long the call takes.
	 */
	LockRelationOid(relid, AccessShareLock);
	relname = get_rel_name(relid);
	if (relname == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid),
				 errdetail("It was dropped while leadconv was looking for its source tables.")));
	t->relid = relid;
	t->columns = columns;
	t->ncolumns = ncolumns;
	t->qualname = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
											 relname);
	for (i = 0; i < ncolumns; i++)
	{
		AttrNumber	attnum = get_attnum(relid, columns[i].name);
		Oid			type;

		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							columns[i].name, relname),
					 errhint("leadconv needs the column %s of %s, of %s.",
							 columns[i].name, relname, kind_types(columns[i].kind))));
		type = getBaseType(get_atttype(relid, attnum));
		if (!kind_accepts(columns[i].kind, type))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" has unsupported type %s",
							columns[i].name, relname, format_type_be(type)),
					 errdetail("leadconv reads %s as %s.",
							   columns[i].name, kind_types(columns[i].kind)),
					 errhint("Change the column's type, or read the table through a view that casts it.")));
		t->types[i] = type;
		t->attnums[i] = attnum;
	}
}

/*
 * Find and check the four source tables: in schema nsp when it is valid,
 * else where the caller's settings say.
 */
void
lc_sources_resolve(LcSourceTable *tables, Oid nsp)
{
	int			i;

	if (!OidIsValid(nsp))
		nsp = sources_schema();

	for (i = 0; i < LC_NTABLES; i++)
	{
		tables[i].name = table_specs[i].name;
		lc_relation_check(&tables[i], find_table(table_specs[i].name, nsp),
						  table_specs[i].columns, table_specs[i].ncolumns);
	}
}

/*
 * Append "SELECT <columns> FROM <table> s" to buf.  Ids and texts are read as
 * text whatever their type; times and json/jsonb details come raw, their
 * meaning being decided in C so that no session setting (TimeZone) enters.
 */
void
lc_source_select(StringInfo buf, const LcSourceTable *t)
{
	int			i;

	appendStringInfoString(buf, "SELECT ");
	for (i = 0; i < t->ncolumns; i++)
	{
		bool		as_text = t->columns[i].kind == LC_COL_ID ||
			t->columns[i].kind == LC_COL_TEXT ||
			(t->columns[i].kind == LC_COL_DETAILS &&
			 t->types[i] != JSONOID && t->types[i] != JSONBOID);

		appendStringInfo(buf, "%ss.%s%s", i > 0 ? ", " : "",
						 quote_identifier(t->columns[i].name),
						 as_text ? "::pg_catalog.text" : "");
	}
	appendStringInfo(buf, " FROM %s s", t->qualname);
}

/* Whether column i comes out of lc_source_select() as the table stores it. */
static bool
read_as_stored(const LcSourceTable *t, int i)
{
	return t->columns[i].kind == LC_COL_TIME || t->columns[i].kind == LC_COL_TIMESTAMP ||
		t->types[i] == TEXTOID || t->types[i] == VARCHAROID ||
		(t->columns[i].kind == LC_COL_DETAILS &&
		 (t->types[i] == JSONOID || t->types[i] == JSONBOID));
}

/*
 * Append the query of a scan of t to buf, and set where each column is in
 * its rows (positions[i], from 1).  When every column leadconv reads is
 * read as stored (varchar ids, as in the brief), that is "SELECT * FROM
 * <table> s": the executor then hands the table's own tuples over without
 * projecting them, and the scan forms only the columns it asks for, which
 * for the rows a parallel process leaves to another is the user_id alone.
 * Else, or when the caller may read only some of the table's columns, it
 * is lc_source_select()'s query.
 */
void
lc_source_scan(StringInfo buf, const LcSourceTable *t, AttrNumber *positions)
{
	bool		as_stored = pg_class_aclcheck(t->relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
	int			i;

	for (i = 0; as_stored && i < t->ncolumns; i++)
		as_stored = read_as_stored(t, i);
	if (!as_stored)
	{
		lc_source_select(buf, t);
		for (i = 0; i < t->ncolumns; i++)
			positions[i] = i + 1;
		return;
	}

	appendStringInfo(buf, "SELECT * FROM %s s", t->qualname);
	for (i = 0; i < t->ncolumns; i++)
	{
		AttrNumber	a;

		/* "*" leaves out dropped columns */
		positions[i] = t->attnums[i];
		for (a = 1; a < t->attnums[i]; a++)
		{
			HeapTuple	tuple = SearchSysCache2(ATTNUM, ObjectIdGetDatum(t->relid),
												Int16GetDatum(a));

			if (HeapTupleIsValid(tuple))
			{
				if (((Form_pg_attribute) GETSTRUCT(tuple))->attisdropped)
					positions[i]--;
				ReleaseSysCache(tuple);
			}
		}
	}
}

/*
 * Whether the processes of a call may read t's blocks between them without
 * the executor (lc_scan_parallel()): a plain table without children, which
 * the caller may read whole, with no row security and no hook of the
 * executor's privilege checks in the way, whose columns leadconv reads as
 * stored.  The rows are then those of "SELECT * FROM" it.
 */
bool
lc_source_divisible(const LcSourceTable *t)
{
	int			i;

	/* (relhassubclass stays set until a VACUUM after the last child goes) */
	if (get_rel_relkind(t->relid) != RELKIND_RELATION ||
		(has_subclass(t->relid) && find_inheritance_children(t->relid, NoLock) != NIL) ||
		pg_class_aclcheck(t->relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK ||
		check_enable_rls(t->relid, InvalidOid, true) == RLS_ENABLED ||
		ExecutorCheckPerms_hook != NULL)
		return false;
	for (i = 0; i < t->ncolumns; i++)
		if (!read_as_stored(t, i))
			return false;
	return true;
}

/*
 * The settings internal queries run with, until lc_settings_pop(): a new
 * level of settings, in which search_path is pinned to pg_catalog, so that
 * no object another role puts earlier on the caller's path (a function or
 * an operator named like one we use) can change what they compute, and JIT
 * is off (compiling our few scans costs more than it saves, and loads
 * LLVM).  Sources are resolved before and always named schema-qualified.
 * What a caller sets with lc_set_local() after this is undone by the pop.
 */
int
lc_settings_push(void)
{
	int			nestlevel = NewGUCNestLevel();

	lc_set_local("search_path", "pg_catalog, pg_temp");
	lc_set_local("jit", "off");
	return nestlevel;
}

/* Set a setting until the caller's lc_settings_pop(). */
void
lc_set_local(const char *name, const char *value)
{
	(void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/*
 * Resolve the sources (in schema nsp, or by the caller's settings when it is
 * InvalidOid), then push the settings of internal queries
 * (lc_settings_push()), with leadconv.source_schema set to the sources'
 * schema: internal SQL that calls leadconv's own functions then reads the
 * very same sources.
 */
int
lc_sources_push(LcSourceTable *tables, Oid nsp)
{
	int			nestlevel;

	lc_sources_resolve(tables, nsp);
	nestlevel = lc_settings_push();
	lc_set_local("leadconv.source_schema",
				 get_namespace_name(get_rel_namespace(tables[LC_USER].relid)));
	return nestlevel;
}

/* Undo everything set since lc_settings_push() or lc_sources_push(). */
void
lc_settings_pop(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
}

/* The planner's estimate of a relation's rows; 0 when it has none. */
double
lc_reltuples(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	double		rows = 0;

	if (HeapTupleIsValid(tuple))
	{
		rows = Max(((Form_pg_class) GETSTRUCT(tuple))->reltuples, 0);
		ReleaseSysCache(tuple);
	}
	return rows;
}

/* Run one statement through SPI; the rows it processed. */
uint64
lc_execute(const char *sql)
{
	int			rc = SPI_execute(sql, false, 0);

	if (rc < 0)
		elog(ERROR, "SPI_execute failed for \"%s\": %s", sql, SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * Kept SPI plans, keyed by query text.  The text names every table, column
 * and type it was built from, so a changed source gives a new key; a kept
 * plan itself is revalidated by PostgreSQL's plan cache after any DDL on what
 * it reads.  A plan is in use while a statement runs it, and a statement can
 * run others (automatic refresh runs a statement that calls
 * leadconv_client_events_for(), which runs scans): when the cache is full,
 * the plan used longest ago that no statement runs is freed, never one in
 * use; if every plan is in use, the cache grows.
 */
#define LC_PLAN_CACHE_SIZE 32

typedef struct LcCachedPlan
{
	char	   *query;
	SPIPlanPtr	plan;
	int			in_use;			/* statements running it now */
	uint64		used;			/* when it was last taken */
} LcCachedPlan;

static LcCachedPlan **plan_cache = NULL;
static int	plan_cache_size = 0;
static int	plan_cache_used = 0;
static uint64 plan_cache_clock = 0;

/* A free place in the cache: an empty one, or the place of a plan let go. */
static LcCachedPlan *
plan_place(void)
{
	LcCachedPlan *victim = NULL;
	int			i;

	if (plan_cache_used < plan_cache_size)
		return plan_cache[plan_cache_used++];
	for (i = 0; i < plan_cache_used; i++)
		if (plan_cache[i]->in_use == 0 && (victim == NULL || plan_cache[i]->used < victim->used))
			victim = plan_cache[i];
	if (victim != NULL)
	{
		SPI_freeplan(victim->plan);
		pfree(victim->query);
		return victim;
	}
	/* every plan is in use: grow */
	plan_cache_size = Max(LC_PLAN_CACHE_SIZE, 2 * plan_cache_size);
	plan_cache = plan_cache == NULL ?
		MemoryContextAlloc(TopMemoryContext, sizeof(LcCachedPlan *) * plan_cache_size) :
		repalloc(plan_cache, sizeof(LcCachedPlan *) * plan_cache_size);
	for (i = plan_cache_used; i < plan_cache_size; i++)
		plan_cache[i] = MemoryContextAllocZero(TopMemoryContext, sizeof(LcCachedPlan));
	return plan_cache[plan_cache_used++];
}

/* The kept plan of query, prepared if need be; in use until plan_release(). */
static LcCachedPlan *
plan_take(const char *query, int nargs, Oid *argtypes, int options)
{
	LcCachedPlan *entry = NULL;
	SPIPlanPtr	plan;
	int			i;

	for (i = 0; i < plan_cache_used; i++)
		if (strcmp(plan_cache[i]->query, query) == 0)
		{
			entry = plan_cache[i];
			break;
		}
	if (entry == NULL)
	{
		plan = SPI_prepare_cursor(query, nargs, argtypes, options);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 query, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		entry = plan_place();
		entry->query = MemoryContextStrdup(TopMemoryContext, query);
		entry->plan = plan;
		entry->in_use = 0;
	}
	entry->in_use++;
	entry->used = ++plan_cache_clock;
	return entry;
}

static void
plan_release(LcCachedPlan *entry)
{
	Assert(entry->in_use > 0);
	entry->in_use--;
}

/*
 * Run a statement made often (by automatic refresh) from a kept plan, with
 * arguments of types argtypes (none NULL), under snapshot (InvalidSnapshot:
 * as SPI_execute_plan() would); the rows it processed.  The plan is generic
 * from the first run: planning the statement costs more than its arguments
 * could win, and it would be planned anew on each of a session's first five
 * runs.
 */
uint64
lc_execute_kept(const char *sql, int nargs, Oid *argtypes, Datum *args,
				Snapshot snapshot)
{
	LcCachedPlan *entry = plan_take(sql, nargs, argtypes, CURSOR_OPT_GENERIC_PLAN);
	int			rc;

	PG_TRY();
	{
		rc = SPI_execute_snapshot(entry->plan, args, NULL, snapshot, InvalidSnapshot,
								  false, true, 0);
	}
	PG_FINALLY();
	{
		plan_release(entry);
	}
	PG_END_TRY();
	if (rc < 0)
		elog(ERROR, "SPI_execute_snapshot failed for \"%s\": %s", sql, SPI_result_code_string(rc));
	return SPI_processed;
}

/*
 * Run one statement under a snapshot taken now, which sees every change
 * committed so far even in a REPEATABLE READ transaction: what maintains
 * the facts must see the sources as they are, not as the transaction first
 * saw them.  Arguments as for lc_execute_kept(); the rows it processed.
 */
uint64
lc_execute_fresh(const char *sql, int nargs, Oid *argtypes, Datum *args, bool keep)
{
	SPIPlanPtr	plan;
	int			rc;

	if (keep)
		return lc_execute_kept(sql, nargs, argtypes, args, GetLatestSnapshot());
	plan = SPI_prepare(sql, nargs, argtypes);
	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	rc = SPI_execute_snapshot(plan, args, NULL, GetLatestSnapshot(), InvalidSnapshot,
							  false, true, 0);
	if (rc < 0)
		elog(ERROR, "SPI_execute_snapshot failed for \"%s\": %s", sql, SPI_result_code_string(rc));
	SPI_freeplan(plan);
	return SPI_processed;
}

/*
 * Rows of a cursor go straight from the executor's slot to the scan's
 * function: SPI_cursor_fetch() would copy each into a tuple table first,
 * which costs more than most of what leadconv does with a row.
 */
typedef struct LcScanReceiver
{
	DestReceiver pub;
	LcRowFn		fn;
	void	   *arg;
	MemoryContext rowcxt;
	bool		stop;			/* fn asked to stop */
} LcScanReceiver;

static bool
scan_receive(TupleTableSlot *slot, DestReceiver *self)
{
	LcScanReceiver *r = (LcScanReceiver *) self;
	MemoryContext oldcxt;

	CHECK_FOR_INTERRUPTS();
	oldcxt = MemoryContextSwitchTo(r->rowcxt);
	r->stop = !r->fn(slot, r->arg);
	MemoryContextSwitchTo(oldcxt);
	if (MemoryContextMemAllocated(r->rowcxt, false) > LC_ROW_MEMORY)
		MemoryContextReset(r->rowcxt);
	return !r->stop;
}

static void
scan_startup(DestReceiver *self pg_attribute_unused(),
			 int operation pg_attribute_unused(),
			 TupleDesc typeinfo pg_attribute_unused())
{
}

static void
scan_nothing(DestReceiver *self pg_attribute_unused())
{
}

/*
 * Read this process's share of the blocks of t, which lc_source_divisible()
 * allowed, through the parallel scan pscan that the call's processes share,
 * calling fn for each row, with t->attnums its columns' positions.  Memory
 * as in lc_scan().
 */
void
lc_scan_parallel(const LcSourceTable *t, ParallelTableScanDesc pscan, LcRowFn fn, void *arg)
{
	Relation	rel = table_open(t->relid, AccessShareLock);
	TableScanDesc scan = lc_table_beginscan_parallel(rel, pscan);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext, "leadconv scan rows",
												 ALLOCSET_DEFAULT_SIZES);
	MemoryContext oldcxt = MemoryContextSwitchTo(rowcxt);

	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		CHECK_FOR_INTERRUPTS();
		if (!fn(slot, arg))
			break;
		if (MemoryContextMemAllocated(rowcxt, false) > LC_ROW_MEMORY)
			MemoryContextReset(rowcxt);
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(rowcxt);
	ExecDropSingleTupleTableSlot(slot);
	table_endscan(scan);
	table_close(rel, NoLock);
}

/*
 * Run query (with non-NULL args) through an SPI cursor, in batches, calling
 * fn for each row.  Memory does not grow with the table: what fn allocates
 * is freed after each batch, or sooner once it is more than LC_ROW_MEMORY,
 * so anything it keeps beyond its row it must copy.
 */
void
lc_scan(const char *query, int nargs, Oid *argtypes, Datum *args,
		LcRowFn fn, void *arg)
{
	LcScanReceiver receiver = {
		{scan_receive, scan_startup, scan_nothing, scan_nothing, DestNone},
		fn, arg, NULL, false
	};
	LcCachedPlan *entry = plan_take(query, nargs, argtypes, 0);
	Portal		portal;

	PG_TRY();
	{
		portal = SPI_cursor_open(NULL, entry->plan, args, NULL, true);
		receiver.rowcxt = AllocSetContextCreate(CurrentMemoryContext, "leadconv scan rows",
												ALLOCSET_DEFAULT_SIZES);
		while (!receiver.stop &&
			   PortalRunFetch(portal, FETCH_FORWARD, LC_BATCH_ROWS, &receiver.pub) > 0)
			MemoryContextReset(receiver.rowcxt);
		SPI_cursor_close(portal);
		MemoryContextDelete(receiver.rowcxt);
	}
	PG_FINALLY();
	{
		plan_release(entry);
	}
	PG_END_TRY();
}
