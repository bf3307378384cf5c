/*
 * maintain.c
 *		Keeping the fact tables fresh as the sources change (automatic
 *		refresh).
 *
 * leadconv_enable_auto_refresh() puts statement-level triggers on the four
 * source tables.  Before each statement, one of them takes the fact tables'
 * refresh lock (SHARE ROW EXCLUSIVE: writers of the sources queue, readers
 * of the facts never wait), before the statement takes any row lock, so two
 * writers cannot deadlock over it.  After the statement, the others read the
 * changed rows from the transition tables, find the users they touch (for a
 * branch, its users), and recompute just those users' fact rows, in the
 * same transaction.  After TRUNCATE, or when a statement touches a large
 * share of the users, the whole facts are refreshed instead.
 *
 * Waiting for the lock means another transaction changed the sources; in
 * READ COMMITTED the recomputation runs with a new snapshot and sees its
 * changes.  A REPEATABLE READ or SERIALIZABLE transaction cannot, so it gets
 * a serialization failure instead of facts computed from an old snapshot.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "storage/lmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "events.h"
#include "fanout.h"
#include "maintain.h"
#include "source.h"

static const char *const fact_tables[] = {
	"leadconv_fct_client_conversion_events",
	"leadconv_fct_lead_conversions",
};

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

static const char *
index_name(const LcSourceTable *t, const char *column)
{
	return quote_identifier(psprintf("leadconv_%s_%s_idx", t->name, column));
}

static const char *
extension_schema(FunctionCallInfo fcinfo)
{
	return quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
}

/*
 * Install the triggers, and the indexes that let a few users be found
 * quickly; then refresh, so the facts start equal to the sources.
 */
PG_FUNCTION_INFO_V1(leadconv_enable_auto_refresh);
Datum
leadconv_enable_auto_refresh(PG_FUNCTION_ARGS)
{
	LcSourceTable sources[LC_NTABLES];
	const char *ext;
	const char *schema;
	int			nestlevel;
	int			i;
	size_t		j;

	nestlevel = lc_pin_sources(sources, InvalidOid);
	ext = extension_schema(fcinfo);
	schema = get_namespace_name(get_rel_namespace(sources[LC_USER].relid));
	SPI_connect();
	for (i = 0; i < LC_NTABLES; i++)
	{
		char		relkind = get_rel_relkind(sources[i].relid);
		const char *const *column;

		if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
			ereport(ERROR,
					(errcode(ERRCODE_WRONG_OBJECT_TYPE),
					 errmsg("\"%s\" is not a table", sources[i].qualname),
					 errdetail("Automatic refresh needs triggers on the source tables."),
					 errhint("Refresh with leadconv_refresh() instead.")));
		for (column = indexed_columns(i); *column != NULL; column++)
			lc_execute(psprintf("CREATE INDEX IF NOT EXISTS %s ON %s ((%s::pg_catalog.text))",
								index_name(&sources[i], *column), sources[i].qualname,
								quote_identifier(*column)));
		for (j = 0; j < lengthof(triggers); j++)
			lc_execute(psprintf("CREATE OR REPLACE TRIGGER %s %s ON %s %s FOR EACH STATEMENT "
								"EXECUTE FUNCTION %s.leadconv_auto_refresh_trigger()",
								triggers[j].name, triggers[j].when, sources[i].qualname,
								triggers[j].referencing, ext));
	}
	lc_execute(psprintf("SELECT FROM %s.leadconv_refresh()", ext));
	SPI_finish();
	lc_unpin_search_path(nestlevel);
	ereport(NOTICE,
			(errmsg("automatic refresh of the leadconv facts is on for the tables of schema \"%s\"",
					schema)));
	PG_RETURN_VOID();
}

/* Remove what leadconv_enable_auto_refresh() installed. */
PG_FUNCTION_INFO_V1(leadconv_disable_auto_refresh);
Datum
leadconv_disable_auto_refresh(PG_FUNCTION_ARGS)
{
	LcSourceTable sources[LC_NTABLES];
	const char *schema;
	int			nestlevel;
	int			i;
	size_t		j;

	nestlevel = lc_pin_sources(sources, InvalidOid);
	schema = get_namespace_name(get_rel_namespace(sources[LC_USER].relid));
	/* DROP ... IF EXISTS of what is not there is no news */
	lc_set_local("client_min_messages", "warning");
	SPI_connect();
	for (i = 0; i < LC_NTABLES; i++)
	{
		const char *const *column;

		for (j = 0; j < lengthof(triggers); j++)
			lc_execute(psprintf("DROP TRIGGER IF EXISTS %s ON %s",
								triggers[j].name, sources[i].qualname));
		for (column = indexed_columns(i); *column != NULL; column++)
			lc_execute(psprintf("DROP INDEX IF EXISTS %s.%s", quote_identifier(schema),
								index_name(&sources[i], *column)));
	}
	SPI_finish();
	lc_unpin_search_path(nestlevel);
	PG_RETURN_VOID();
}

static void
lock_facts(Oid ext_nsp)
{
	size_t		i;

	for (i = 0; i < lengthof(fact_tables); i++)
	{
		Oid			relid = get_relname_relid(fact_tables[i], ext_nsp);

		if (ConditionalLockRelationOid(relid, ShareRowExclusiveLock))
			continue;
		if (IsolationUsesXactSnapshot())
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access to the leadconv fact tables"),
					 errdetail("Another transaction is changing the source tables, and automatic refresh must see its changes."),
					 errhint("Retry the transaction.")));
		LockRelationOid(relid, ShareRowExclusiveLock);
	}
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
 * dated first has a NULL there, and the comparison keeps the row).  New purchases
 * mostly come after their user's first, so most inserts need no
 * recomputation at all; a purchase that might be a new first, or whose
 * user has none, is recomputed as any change is.
 */
static char *
cannot_change_facts(const LcSourceTable *t, LcTable table, const char *ext)
{
	const char *first_at = table == LC_MEMBERSHIP ? "first_local_membership_purchased_at" :
		"first_local_credit_pack_purchased_at";

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
 * The users a statement on a source touched, as a text[] (or NULL): the
 * user_ids of its old and new rows; for dim_branch, the users of the old and
 * new branch_ids.  Purchases inserted after their user's first purchase
 * are left out: they change nothing.
 */
static bool
touched_users(TriggerData *td, LcSourceTable *sources, const char *ext, Datum *ids)
{
	Oid			relid = RelationGetRelid(td->tg_relation);
	LcTable		table = relid == sources[LC_BRANCH].relid ? LC_BRANCH :
		relid == sources[LC_USER].relid ? LC_USER :
		relid == sources[LC_MEMBERSHIP].relid ? LC_MEMBERSHIP : LC_CREDIT_PACK;
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
	lc_execute(sql);
	*ids = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (!isnull)
		*ids = datumCopy(*ids, false, -1);
	return !isnull;
}

/* "(a, b) = ((r).a, (r).b)": set the columns of an UPDATE from a row r. */
static char *
set_from_row(const char *columns, const char *row)
{
	StringInfoData buf;
	char	   *list = pstrdup(columns);
	char	   *column;
	char	   *save = NULL;
	bool		first = true;

	initStringInfo(&buf);
	appendStringInfo(&buf, "(%s) = (", columns);
	for (column = strtok_r(list, ", ", &save); column != NULL;
		 column = strtok_r(NULL, ", ", &save))
	{
		appendStringInfo(&buf, "%s(%s).%s", first ? "" : ", ", row, column);
		first = false;
	}
	appendStringInfoChar(&buf, ')');
	return buf.data;
}

/*
 * Bring the fact rows of the users ids up to date, in one statement (a kept
 * plan: a trigger runs it again and again).  Most writes leave a user's
 * facts as they were (a purchase after the first one), so the users' Part 1
 * rows are computed and compared with the facts, and only the rows that
 * differ are written; of those users' Part 2 rows, again only those that
 * differ.  A row that changes is updated in place, not deleted and inserted
 * again, so that an update that leaves the indexed columns alone touches no
 * index.  Each key is deleted, updated or inserted by one sub-statement
 * only, so their order does not matter.
 */
static void
refresh_users(const char *ext, Datum ids)
{
	lc_execute_kept(psprintf(
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
		ext, set_from_row(PART1_COLUMNS, "d.ev"), set_from_row(PART2_COLUMNS, "d.cv")),
					TEXTARRAYOID, ids);
}

/* Whether so many users changed that a whole refresh is cheaper. */
static bool
too_many_users(Oid ext_nsp, Datum ids)
{
	ArrayType  *array = DatumGetArrayTypeP(ids);
	int			users = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	double		facts = lc_reltuples(get_relname_relid(fact_tables[0], ext_nsp));

	return users > LC_INCREMENTAL_MAX_USERS && users > facts / 10;
}

PG_FUNCTION_INFO_V1(leadconv_auto_refresh_trigger);
Datum
leadconv_auto_refresh_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Oid			ext_nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	LcSourceTable sources[LC_NTABLES];
	const char *ext;
	Datum		ids;
	int			nestlevel;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_FOR_STATEMENT(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("leadconv_auto_refresh_trigger() must be fired by a statement-level trigger")));
	if (TRIGGER_FIRED_BEFORE(td->tg_event))
	{
		lock_facts(ext_nsp);
		return PointerGetDatum(NULL);
	}

	/* the sources are those of the table the trigger is on */
	nestlevel = lc_pin_sources(sources, RelationGetNamespace(td->tg_relation));
	ext = extension_schema(fcinfo);
	SPI_connect();
	if (TRIGGER_FIRED_BY_TRUNCATE(td->tg_event))
		lc_execute(psprintf("SELECT FROM %s.leadconv_refresh()", ext));
	else
	{
		SPI_register_trigger_data(td);
		if (touched_users(td, sources, ext, &ids))
		{
			if (too_many_users(ext_nsp, ids))
				lc_execute(psprintf("SELECT FROM %s.leadconv_refresh()", ext));
			else
				refresh_users(ext, ids);
		}
	}
	SPI_finish();
	lc_unpin_search_path(nestlevel);
	return PointerGetDatum(NULL);
}
