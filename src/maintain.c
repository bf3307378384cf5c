/*
 * maintain.c
 *		Keeping the fact tables fresh as the sources change (automatic
 *		refresh).
 *
 * leadconv_enable_auto_refresh() puts statement-level triggers on the four
 * source tables.  Before each statement, one of them takes the facts'
 * refresh lock (facts.c: writers of the sources queue; readers of the facts,
 * VACUUM and ANALYZE never meet it), before the statement takes any row
 * lock, so that two writers cannot deadlock over it.  After the statement,
 * the others read the changed rows from the transition tables, find the
 * users they touch (for a branch, its users), and recompute just those
 * users' fact rows, in the same transaction, as the facts' owner, under a
 * snapshot taken then: it sees every change committed before, also in a
 * REPEATABLE READ or SERIALIZABLE writer, whose own snapshot would not.
 * After TRUNCATE, or when a statement touches a large share of the users,
 * the whole facts are refreshed instead, in place.
 *
 * Statement triggers fire for statements that name their table: rows
 * written through an inheritance parent or a partitioned table, or into a
 * child, would pass them by.  So a source under automatic refresh must be a
 * plain table with no parent and no child; enabling refuses others, and an
 * event trigger refuses DDL that would make one so.  The triggers fire
 * ALWAYS, also when session_replication_role is replica (logical
 * replication, restores with triggers disabled): the facts never depend on
 * how rows were written.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "nodes/value.h"
#include "parser/parse_func.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/regproc.h"

#include "columns.h"
#include "facts.h"
#include "refresh.h"
#include "source.h"

/* The triggers of each source table: name, timing and event, transitions. */
static const struct
{
	const char *name;
	const char *when;
	const char *referencing;
}			triggers[] = {
	{"leadconv_auto_refresh_lock", "BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE", ""},
	{"leadconv_auto_refresh_insert", "AFTER INSERT", "REFERENCING NEW TABLE AS leadconv_new"},
	{"leadconv_auto_refresh_update", "AFTER UPDATE",
	"REFERENCING OLD TABLE AS leadconv_old NEW TABLE AS leadconv_new"},
	{"leadconv_auto_refresh_delete", "AFTER DELETE", "REFERENCING OLD TABLE AS leadconv_old"},
	{"leadconv_auto_refresh_truncate", "AFTER TRUNCATE", ""},
};

/* Past this many users (or a tenth of the facts), refresh everything. */
#define LC_INCREMENTAL_MAX_USERS 10000

/* Columns whose lookups the recomputation of a few users needs indexed. */
static const char *const user_index_columns[] = {"user_id", "branch_id", NULL};
static const char *const purchase_index_columns[] = {"user_id", NULL};
static const char *const no_index_columns[] = {NULL};

static const char *const *
indexed_columns(LcTable table)
{
	return table == LC_USER ? user_index_columns :
		table == LC_BRANCH ? no_index_columns : purchase_index_columns;
}

/* The name of the index on a source's column, unquoted. */
static char *
index_relname(const char *table, const char *column)
{
	return psprintf("leadconv_%s_%s_idx", table, column);
}

static const char *
index_name(const char *table, const char *column)
{
	return quote_identifier(index_relname(table, column));
}

/*
 * A source under automatic refresh must be a plain table with no parent and
 * no child, or some writes would pass its triggers by.
 */
static void
check_plain_table(Oid relid, const char *qualname)
{
	const char *why = NULL;

	if (get_rel_relkind(relid) == RELKIND_PARTITIONED_TABLE)
		why = "it is partitioned";
	else if (get_rel_relkind(relid) != RELKIND_RELATION)
		why = "it is not a table";
	else if (get_rel_relispartition(relid))
		why = "it is a partition";
	else if (has_superclass(relid))
		why = "it inherits from another table";
	else if (find_inheritance_children(relid, NoLock) != NIL)
		why = "other tables inherit from it";
	if (why != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("automatic refresh of the leadconv facts cannot watch %s: %s", qualname, why),
				 errdetail("Its triggers fire only for statements that name it: rows written through a parent or into a child would leave the facts stale."),
				 errhint("Refresh with leadconv_refresh() instead, for example on a schedule.")));
}

/* The tables that have leadconv's automatic-refresh triggers. */
static List *
watched_tables(Oid trigger_function)
{
	Relation	pg_trigger = table_open(TriggerRelationId, AccessShareLock);
	SysScanDesc scan = systable_beginscan(pg_trigger, InvalidOid, false, NULL, 0, NULL);
	List	   *relids = NIL;
	HeapTuple	tuple;

	while (HeapTupleIsValid(tuple = systable_getnext(scan)))
	{
		Form_pg_trigger t = (Form_pg_trigger) GETSTRUCT(tuple);

		if (t->tgfoid == trigger_function)
			relids = list_append_unique_oid(relids, t->tgrelid);
	}
	systable_endscan(scan);
	table_close(pg_trigger, AccessShareLock);
	return relids;
}

static Oid
trigger_function(const LcFacts *f)
{
	return LookupFuncName(list_make2(makeString(get_namespace_name(f->nsp)),
									 makeString("leadconv_auto_refresh_trigger")),
						  0, NULL, false);
}

static void
drop_triggers(Oid relid)
{
	const char *qualname = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
													  get_rel_name(relid));
	const char *schema = quote_identifier(get_namespace_name(get_rel_namespace(relid)));
	size_t		j;
	int			i;

	for (j = 0; j < lengthof(triggers); j++)
		lc_execute(psprintf("DROP TRIGGER IF EXISTS %s ON %s", triggers[j].name, qualname));
	for (i = 0; i < LC_NTABLES; i++)
	{
		const char *const *column;

		if (strcmp(get_rel_name(relid), lc_source_table_name(i)) != 0)
			continue;
		for (column = indexed_columns(i); *column != NULL; column++)
			lc_execute(psprintf("DROP INDEX IF EXISTS %s.%s", schema,
								index_name(lc_source_table_name(i), *column)));
	}
}

/* Remove every table's automatic-refresh triggers, and their indexes. */
static void
disable_all(const LcFacts *f)
{
	ListCell   *lc;
	List	   *relids = watched_tables(trigger_function(f));

	/* DROP ... IF EXISTS of what is not there is no news */
	lc_set_local("client_min_messages", "warning");
	foreach(lc, relids)
		drop_triggers(lfirst_oid(lc));
}

/*
 * Mark an object on a source as depending on the extension (alter: the
 * ALTER command that names it), so that DROP EXTENSION takes it along;
 * pg_dump keeps the mark.  Once: marking an index locks it against readers
 * of its table until the transaction ends.
 */
static void
depend_on_extension(const LcFacts *f, Oid classid, Oid objid, const char *alter)
{
	if (list_member_oid(getAutoExtensionsOfObject(classid, objid), f->ext))
		return;
	lc_execute(psprintf("%s DEPENDS ON EXTENSION %s", alter,
						quote_identifier(get_extension_name(f->ext))));
}

/*
 * Install the triggers, and the indexes that let a few users be found
 * quickly, each marked as depending on the extension.
 */
static void
enable_on(const LcFacts *f, LcSourceTable *sources)
{
	int			i;
	size_t		j;

	for (i = 0; i < LC_NTABLES; i++)
		check_plain_table(sources[i].relid, sources[i].qualname);
	for (i = 0; i < LC_NTABLES; i++)
	{
		const char *const *column;
		Oid			nsp = get_rel_namespace(sources[i].relid);

		for (column = indexed_columns(i); *column != NULL; column++)
		{
			char	   *relname = index_relname(sources[i].name, *column);

			lc_execute(psprintf("CREATE INDEX IF NOT EXISTS %s ON %s ((%s::pg_catalog.text))",
								quote_identifier(relname), sources[i].qualname,
								quote_identifier(*column)));
			depend_on_extension(f, RelationRelationId, get_relname_relid(relname, nsp),
								psprintf("ALTER INDEX %s",
										 quote_qualified_identifier(get_namespace_name(nsp), relname)));
		}
		for (j = 0; j < lengthof(triggers); j++)
		{
			lc_execute(psprintf("CREATE OR REPLACE TRIGGER %s %s ON %s %s FOR EACH STATEMENT "
								"EXECUTE FUNCTION %s.leadconv_auto_refresh_trigger()",
								triggers[j].name, triggers[j].when, sources[i].qualname,
								triggers[j].referencing, f->schema));
			lc_execute(psprintf("ALTER TABLE %s ENABLE ALWAYS TRIGGER %s",
								sources[i].qualname, triggers[j].name));
			depend_on_extension(f, TriggerRelationId,
								get_trigger_oid(sources[i].relid, triggers[j].name, false),
								psprintf("ALTER TRIGGER %s ON %s", triggers[j].name, sources[i].qualname));
		}
	}
}

/*
 * Install the triggers and indexes on the sources the caller's settings
 * find, then refresh, so the facts start equal to the sources.
 */
PG_FUNCTION_INFO_V1(leadconv_enable_auto_refresh);
Datum
leadconv_enable_auto_refresh(PG_FUNCTION_ARGS)
{
	LcSourceTable sources[LC_NTABLES];
	LcFacts		f;
	LcAsOwner	as;
	LcRefreshResult r;
	Oid			nsp;
	int			nestlevel;

	lc_facts_find(&f, fcinfo->flinfo->fn_oid);
	lc_facts_check_caller(&f, "turn automatic refresh on");
	nestlevel = lc_sources_push(sources, InvalidOid);
	nsp = get_rel_namespace(sources[LC_USER].relid);
	lc_facts_lock(&f);
	SPI_connect();
	/* the facts hold one schema: switching is leadconv_switch_source_schema() */
	lc_facts_become_owner(&f, &as);
	lc_facts_check_schema(&f, nsp);
	lc_facts_end_owner(&as);
	enable_on(&f, sources);
	lc_refresh(&f, nsp, LC_REFRESH_MAY_SWAP, &r);
	SPI_finish();
	lc_settings_pop(nestlevel);
	ereport(NOTICE,
			(errmsg("automatic refresh of the leadconv facts is on for the tables of schema \"%s\"",
					get_namespace_name(nsp))));
	PG_RETURN_VOID();
}

/* Remove what leadconv_enable_auto_refresh() installed, wherever it is. */
PG_FUNCTION_INFO_V1(leadconv_disable_auto_refresh);
Datum
leadconv_disable_auto_refresh(PG_FUNCTION_ARGS)
{
	LcFacts		f;
	int			nestlevel;

	lc_facts_find(&f, fcinfo->flinfo->fn_oid);
	lc_facts_check_caller(&f, "turn automatic refresh off");
	lc_facts_lock(&f);
	nestlevel = lc_settings_push();
	SPI_connect();
	disable_all(&f);
	SPI_finish();
	lc_settings_pop(nestlevel);
	PG_RETURN_VOID();
}

/*
 * Make the facts hold the sources of another schema, on purpose: automatic
 * refresh, if on, moves with them.
 */
PG_FUNCTION_INFO_V1(leadconv_switch_source_schema);
Datum
leadconv_switch_source_schema(PG_FUNCTION_ARGS)
{
	Name		schema = PG_GETARG_NAME(0);
	LcSourceTable sources[LC_NTABLES];
	LcFacts		f;
	LcRefreshResult r;
	Oid			nsp;
	bool		watched;
	int			nestlevel;

	lc_facts_find(&f, fcinfo->flinfo->fn_oid);
	lc_facts_check_caller(&f, "switch their source schema");
	nsp = get_namespace_oid(NameStr(*schema), false);
	nestlevel = lc_sources_push(sources, nsp);
	lc_facts_lock(&f);
	SPI_connect();
	watched = watched_tables(trigger_function(&f)) != NIL;
	if (watched)
	{
		disable_all(&f);
		enable_on(&f, sources);
	}
	lc_refresh(&f, nsp, LC_REFRESH_MAY_SWAP | LC_REFRESH_SWITCH, &r);
	SPI_finish();
	lc_settings_pop(nestlevel);
	ereport(NOTICE,
			(errmsg("the leadconv facts now hold the source tables of schema \"%s\"%s",
					NameStr(*schema), watched ? ", with automatic refresh" : "")));
	PG_RETURN_VOID();
}

/*
 * A time column of a transition table as a UTC timestamp (rule 3).  By an
 * offset, not by the name 'UTC': from PostgreSQL 18 on, a zone name is
 * first read as an abbreviation of the session's TimeZone, and under a
 * POSIX TimeZone such as 'UTC-13' the name UTC is 13 hours east.
 */
static char *
utc_timestamp(const char *column, Oid type)
{
	const char *quoted = quote_identifier(column);

	if (type == TIMESTAMPTZOID)
		return psprintf("(n.%s AT TIME ZONE INTERVAL '00:00')", quoted);
	if (type == DATEOID)
		return psprintf("n.%s::pg_catalog.timestamp", quoted);
	return psprintf("n.%s", quoted);
}

/*
 * Of the purchases a statement inserted, those that cannot change their
 * user's facts: a purchase without an id is not in the report, and one
 * dated more than a day after the user's first purchase of its kind cannot
 * be the first (the facts hold that first purchase's local time, and no
 * zone of the tz database has been 16 hours from UTC; a user without a
 * dated first has a NULL there, and the comparison keeps the row).  New
 * purchases mostly come after their user's first, so most inserts need no
 * recomputation at all; a purchase that might be a new first, or whose
 * user has none, is recomputed as any change is.
 */
static char *
cannot_change_facts(const LcSourceTable *t, LcTable table, const char *ext)
{
	/* the local time follows the id */
	const char *first_at = lc_part1_columns[lc_kinds[lc_kind_of_table(table)].first + 1].name;

	return psprintf("(n.%s IS NULL OR EXISTS ("
					"SELECT FROM %s.leadconv_fct_client_conversion_events f "
					"WHERE f.user_id = n.user_id::pg_catalog.text "
					"AND coalesce(%s, %s) > f.%s + interval '1 day'))",
					quote_identifier(t->columns[LC_PURCHASE_ID].name), ext,
					utc_timestamp(t->columns[LC_PURCHASE_AT].name, t->types[LC_PURCHASE_AT]),
					utc_timestamp(t->columns[LC_PURCHASE_CREATED].name,
								  t->types[LC_PURCHASE_CREATED]),
					first_at);
}

/*
 * The users a statement on a source table touched, as a text[] (or NULL):
 * the user_ids of its old and new rows; for dim_branch, the users of the
 * old and new branch_ids.  Purchases inserted after their user's first
 * purchase are left out: they change nothing.
 */
static bool
touched_users(TriggerData *td, LcSourceTable *sources, LcTable table, const char *ext,
			  Datum *ids)
{
	const char *column = table == LC_BRANCH ? "branch_id" : "user_id";
	StringInfoData rows;
	char	   *sql;
	bool		isnull;

	initStringInfo(&rows);
	if (td->tg_oldtable)
		appendStringInfo(&rows, "SELECT %s FROM leadconv_old", column);
	if (td->tg_oldtable && td->tg_newtable)
		appendStringInfoString(&rows, " UNION ALL ");
	if (td->tg_newtable)
		appendStringInfo(&rows, "SELECT %s FROM leadconv_new n", column);
	if (td->tg_newtable && !td->tg_oldtable &&
		(table == LC_MEMBERSHIP || table == LC_CREDIT_PACK))
		appendStringInfo(&rows, " WHERE NOT %s",
						 cannot_change_facts(&sources[table], table, ext));

	if (table != LC_BRANCH)
		sql = psprintf("SELECT pg_catalog.array_agg(DISTINCT c.user_id::pg_catalog.text) "
					   "FROM (%s) c WHERE c.user_id IS NOT NULL", rows.data);
	else
		sql = psprintf("SELECT pg_catalog.array_agg(DISTINCT u.user_id::pg_catalog.text) "
					   "FROM %s u WHERE u.user_id IS NOT NULL AND u.branch_id::pg_catalog.text IN "
					   "(SELECT c.branch_id::pg_catalog.text FROM (%s) c)",
					   sources[LC_USER].qualname, rows.data);
	lc_execute_fresh(sql, 0, NULL, NULL, false);
	*ids = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
		*ids = datumCopy(*ids, false, -1);
	return !isnull;
}

/* "(a, b) = ((r).a, (r).b)": set the columns of an UPDATE from a row r. */
static char *
set_from_row(const LcColumnSpec *columns, int ncolumns, const char *row)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(%s) = (", lc_column_list(columns, ncolumns, NULL));
	for (i = 0; i < ncolumns; i++)
		appendStringInfo(&buf, "%s(%s).%s", i > 0 ? ", " : "", row, columns[i].name);
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * Bring the fact rows of the users ids up to date, in one statement (a kept
 * plan: a trigger runs it again and again), under a snapshot taken now.
 * Most writes leave a user's facts as they were (a purchase after the first
 * one), so the users' Part 1 rows are computed and compared with the facts,
 * and only the rows that differ are written; of those users' Part 2 rows,
 * again only those that differ.  A row that changes is updated in place,
 * not deleted and inserted again, so that an update that leaves the indexed
 * columns alone touches no index.  Each key is deleted, updated or inserted
 * by one sub-statement only, so their order does not matter.
 */
static void
refresh_users(const char *ext, Datum ids)
{
	Oid			types[1] = {TEXTARRAYOID};

	lc_execute_fresh(psprintf(
		"WITH fresh AS MATERIALIZED ("
		"  SELECT n AS ev FROM %1$s.leadconv_client_events_for($1) n), "
		"old AS MATERIALIZED ("
		"  SELECT f AS ev FROM %1$s.leadconv_fct_client_conversion_events f "
		"  WHERE f.user_id OPERATOR(pg_catalog.=) ANY ($1)), "
		"diff AS MATERIALIZED ("
		"  SELECT n.ev, coalesce((n.ev).user_id, (o.ev).user_id) AS user_id, "
		"         (n.ev).user_id IS NOT NULL AS present, (o.ev).user_id IS NOT NULL AS existed "
		"  FROM fresh n FULL JOIN old o ON (o.ev).user_id OPERATOR(pg_catalog.=) (n.ev).user_id "
		"  WHERE n.ev IS DISTINCT FROM o.ev), "
		"events_gone AS ("
		"  DELETE FROM %1$s.leadconv_fct_client_conversion_events f USING diff d "
		"  WHERE f.user_id OPERATOR(pg_catalog.=) d.user_id AND NOT d.present), "
		"events_changed AS ("
		"  UPDATE %1$s.leadconv_fct_client_conversion_events f SET %2$s FROM diff d "
		"  WHERE f.user_id OPERATOR(pg_catalog.=) d.user_id AND d.present AND d.existed), "
		"events_new AS ("
		"  INSERT INTO %1$s.leadconv_fct_client_conversion_events "
		"  SELECT (d.ev).* FROM diff d WHERE d.present AND NOT d.existed), "
		"conversions_fresh AS MATERIALIZED ("
		"  SELECT c AS cv FROM diff d CROSS JOIN LATERAL %1$s.leadconv_lead_conversions_of(d.ev) c "
		"  WHERE d.present), "
		"conversions_old AS MATERIALIZED ("
		"  SELECT f AS cv FROM %1$s.leadconv_fct_lead_conversions f "
		"  WHERE f.user_id IN (SELECT d.user_id FROM diff d)), "
		"conversions_diff AS MATERIALIZED ("
		"  SELECT n.cv, coalesce((n.cv).user_id, (o.cv).user_id) AS user_id, "
		"         coalesce((n.cv).client_conversion_event_filter, "
		"                  (o.cv).client_conversion_event_filter) AS filter, "
		"         (n.cv).user_id IS NOT NULL AS present, (o.cv).user_id IS NOT NULL AS existed "
		"  FROM conversions_fresh n FULL JOIN conversions_old o "
		"  ON (o.cv).user_id OPERATOR(pg_catalog.=) (n.cv).user_id "
		"  AND (o.cv).client_conversion_event_filter OPERATOR(pg_catalog.=) "
		"      (n.cv).client_conversion_event_filter "
		"  WHERE n.cv IS DISTINCT FROM o.cv), "
		"conversions_gone AS ("
		"  DELETE FROM %1$s.leadconv_fct_lead_conversions f USING conversions_diff d "
		"  WHERE f.user_id OPERATOR(pg_catalog.=) d.user_id "
		"  AND f.client_conversion_event_filter OPERATOR(pg_catalog.=) d.filter AND NOT d.present), "
		"conversions_changed AS ("
		"  UPDATE %1$s.leadconv_fct_lead_conversions f SET %3$s FROM conversions_diff d "
		"  WHERE f.user_id OPERATOR(pg_catalog.=) d.user_id "
		"  AND f.client_conversion_event_filter OPERATOR(pg_catalog.=) d.filter "
		"  AND d.present AND d.existed) "
		"INSERT INTO %1$s.leadconv_fct_lead_conversions "
		"SELECT (d.cv).* FROM conversions_diff d WHERE d.present AND NOT d.existed",
		ext, set_from_row(lc_part1_columns, EV_NCOLUMNS, "d.ev"),
		set_from_row(lc_part2_columns, P2_NCOLUMNS, "d.cv")),
					 1, types, &ids, true);
}

/* Whether so many users changed that a whole refresh is cheaper. */
static bool
too_many_users(const LcFacts *f, Datum ids)
{
	ArrayType  *array = DatumGetArrayTypeP(ids);
	int			users = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));

	return users > LC_INCREMENTAL_MAX_USERS && users > lc_reltuples(f->events) / 10;
}

/* Which source table relid is, among sources; an error if none. */
static LcTable
source_of(const LcSourceTable *sources, Oid relid)
{
	int			i;

	for (i = 0; i < LC_NTABLES; i++)
		if (sources[i].relid == relid)
			return (LcTable) i;
	ereport(ERROR,
			(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
			 errmsg("leadconv_auto_refresh_trigger() fired on \"%s\", which is not a leadconv source table",
					get_rel_name(relid)),
			 errhint("Use leadconv_enable_auto_refresh() to install the triggers.")));
}

/* The statement's changes, applied to the facts as their owner. */
static void
maintain(LcFacts *f, TriggerData *td, LcSourceTable *sources)
{
	Oid			nsp = RelationGetNamespace(td->tg_relation);
	LcTable		table = source_of(sources, RelationGetRelid(td->tg_relation));
	char	   *recorded = lc_facts_source_schema(f);
	LcRefreshResult r;
	Datum		ids;

	if (recorded != NULL && strcmp(recorded, get_namespace_name(nsp)) != 0)
	{
		/* triggers left on another schema's tables: not the facts' sources */
		elog(DEBUG1, "leadconv: the facts hold schema \"%s\", not \"%s\"",
			 recorded, get_namespace_name(nsp));
		return;
	}
	/* never refreshed here (as after a restore): refresh everything */
	if (recorded == NULL || TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
	{
		lc_refresh(f, nsp, 0, &r);
		return;
	}
	SPI_register_trigger_data(td);
	if (!touched_users(td, sources, table, f->schema, &ids))
		;
	else if (too_many_users(f, ids))
	{
		lc_refresh(f, nsp, 0, &r);
		return;
	}
	else
		refresh_users(f->schema, ids);
	lc_facts_record_maintained(f);
}

PG_FUNCTION_INFO_V1(leadconv_auto_refresh_trigger);
Datum
leadconv_auto_refresh_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	LcSourceTable sources[LC_NTABLES];
	LcFacts		f;
	LcAsOwner	as;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("leadconv_auto_refresh_trigger() must be fired by a statement-level trigger")));
	lc_facts_find(&f, fcinfo->flinfo->fn_oid);
	lc_facts_lock(&f);
	if (TRIGGER_FIRED_BEFORE(td->tg_event))
		return PointerGetDatum(NULL);

	/* the sources are those of the table the trigger is on */
	lc_sources_resolve(sources, RelationGetNamespace(td->tg_relation));
	lc_facts_become_owner(&f, &as);
	lc_set_local("leadconv.source_schema",
				 get_namespace_name(RelationGetNamespace(td->tg_relation)));
	SPI_connect();
	maintain(&f, td, sources);
	SPI_finish();
	lc_facts_end_owner(&as);
	return PointerGetDatum(NULL);
}

/*
 * An event trigger on DDL that can give a table a parent or a child: a
 * source under automatic refresh must keep neither (check_plain_table()).
 */
PG_FUNCTION_INFO_V1(leadconv_guard_sources);
Datum
leadconv_guard_sources(PG_FUNCTION_ARGS)
{
	LcFacts		f;
	ListCell   *lc;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("leadconv_guard_sources() must be fired by an event trigger")));
	lc_facts_find(&f, fcinfo->flinfo->fn_oid);
	foreach(lc, watched_tables(trigger_function(&f)))
	{
		Oid			relid = lfirst_oid(lc);

		check_plain_table(relid,
						  quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
													 get_rel_name(relid)));
	}
	PG_RETURN_VOID();
}
