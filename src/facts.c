/*
 * facts.c
 *		The materialised fact tables, and filling the brief's own tables
 *		(SPEC section 4).
 *
 * Both are a few SQL statements run in the caller's transaction, so they are
 * atomic.  They are driven from C because they must find the sources with
 * the caller's search_path and then run with search_path pinned
 * (lc_pin_sources), which no SQL-language function can do.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "compat.h"
#include "events.h"
#include "fanout.h"
#include "facts.h"
#include "source.h"

/*
 * The extension's schema, quoted, to name its objects in internal SQL: the
 * schema of the function being called.
 */
static const char *
extension_schema(FunctionCallInfo fcinfo)
{
	return quote_identifier(get_namespace_name(get_func_namespace(fcinfo->flinfo->fn_oid)));
}

/* Run one statement made from fmt; the rows it processed. */
#define run(...) lc_execute(psprintf(__VA_ARGS__))

static void
put_count(ReturnSetInfo *rsinfo, const char *table, uint64 rows, uint64 deleted,
		  uint64 inserted)
{
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};

	values[0] = CStringGetTextDatum(table);
	values[1] = Int64GetDatum((int64) rows);
	values[2] = Int64GetDatum((int64) deleted);
	values[3] = Int64GetDatum((int64) inserted);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * Make both fact tables equal the functions' rows.  Part 1 is computed once
 * into a temporary table and compared with the facts by one full join on
 * user_id: only the users whose row changed, appeared or went away are
 * rewritten, so a refresh that changes little writes little, and readers
 * see the old rows until commit.  Part 2 rows are a function of the Part 1
 * row, so those users' Part 2 rows are fanned out again from the fresh Part 1
 * rows, and the others' stay as they are.
 */
PG_FUNCTION_INFO_V1(leadconv_refresh);
Datum
leadconv_refresh(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LcSourceTable sources[LC_NTABLES];
	const char *ext;
	uint64		events;
	uint64		conversions;
	uint64		changed;
	uint64		deleted;
	uint64		inserted;
	bool		isnull;
	int			nestlevel;

	InitMaterializedSRF(fcinfo, 0);
	nestlevel = lc_pin_sources(sources, InvalidOid);
	/* the full join hashes a million rows at a million users */
	lc_set_local("work_mem", GetConfigOption("leadconv.work_mem", false, false));
	ext = extension_schema(fcinfo);
	SPI_connect();

	/* one refresh at a time; readers (ACCESS SHARE) are not blocked */
	run("LOCK TABLE %1$s.leadconv_fct_client_conversion_events, "
		"%1$s.leadconv_fct_lead_conversions IN SHARE ROW EXCLUSIVE MODE", ext);

	run("CREATE TEMP TABLE leadconv_fresh OF %s.leadconv_client_event", ext);
	events = run("INSERT INTO pg_temp.leadconv_fresh SELECT * FROM %s.leadconv_client_events()",
				 ext);
	changed = run("CREATE TEMP TABLE leadconv_changed AS "
				  "SELECT coalesce(n.user_id, f.user_id) AS user_id "
				  "FROM pg_temp.leadconv_fresh n "
				  "FULL JOIN %s.leadconv_fct_client_conversion_events f ON f.user_id = n.user_id "
				  "WHERE n IS DISTINCT FROM f", ext);
	run("ANALYZE pg_temp.leadconv_changed");

	deleted = run("DELETE FROM %s.leadconv_fct_client_conversion_events "
				  "WHERE user_id IN (SELECT user_id FROM pg_temp.leadconv_changed)", ext);
	inserted = run("INSERT INTO %s.leadconv_fct_client_conversion_events "
				   "SELECT * FROM pg_temp.leadconv_fresh "
				   "WHERE user_id IN (SELECT user_id FROM pg_temp.leadconv_changed)", ext);
	put_count(rsinfo, "leadconv_fct_client_conversion_events", events, deleted, inserted);

	deleted = run("DELETE FROM %s.leadconv_fct_lead_conversions "
				  "WHERE user_id IN (SELECT user_id FROM pg_temp.leadconv_changed)", ext);
	inserted = run("INSERT INTO %1$s.leadconv_fct_lead_conversions SELECT c.* "
				   "FROM pg_temp.leadconv_fresh n "
				   "CROSS JOIN LATERAL %1$s.leadconv_lead_conversions_of(n) c "
				   "WHERE n.user_id IN (SELECT user_id FROM pg_temp.leadconv_changed)", ext);
	/* every user has an ALL row, and a row for each kind bought */
	run("SELECT count(*) + count(first_user_membership_id) + count(first_credit_pack_id) "
		"FROM pg_temp.leadconv_fresh");
	conversions = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
											  1, &isnull));
	put_count(rsinfo, "leadconv_fct_lead_conversions", conversions, deleted, inserted);

	run("DROP TABLE pg_temp.leadconv_fresh, pg_temp.leadconv_changed");
	/* statistics for the lookups of a few users by automatic refresh, and BI */
	if (changed > 0)
		run("ANALYZE %1$s.leadconv_fct_client_conversion_events, "
			"%1$s.leadconv_fct_lead_conversions", ext);
	SPI_finish();
	lc_unpin_search_path(nestlevel);
	return (Datum) 0;
}

static Oid
brief_table(Oid nsp, const char *name)
{
	Oid			relid = get_relname_relid(name, nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s.%s\" does not exist", get_namespace_name(nsp), name),
				 errdetail("leadconv_populate() fills the brief's output tables beside the source tables."),
				 errhint("Create them as the brief's setup.sql does.")));
	return relid;
}

/*
 * Fill the brief's fct_client_conversion_events and fct_lead_conversions,
 * beside the sources, in the caller's transaction.  fct_lead_conversions of
 * setup.sql lacks client_conversion_event_filter: it is added, with a NOTICE.
 * The tables are emptied first, so running twice gives the same contents.
 */
PG_FUNCTION_INFO_V1(leadconv_populate);
Datum
leadconv_populate(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LcSourceTable sources[LC_NTABLES];
	Oid			nsp;
	Oid			events;
	Oid			conversions;
	const char *ext;
	const char *schema;
	uint64		deleted;
	uint64		rows;
	int			nestlevel;

	InitMaterializedSRF(fcinfo, 0);
	nestlevel = lc_pin_sources(sources, InvalidOid);
	ext = extension_schema(fcinfo);
	nsp = get_rel_namespace(sources[LC_USER].relid);
	schema = quote_identifier(get_namespace_name(nsp));
	events = brief_table(nsp, "fct_client_conversion_events");
	conversions = brief_table(nsp, "fct_lead_conversions");
	SPI_connect();

	if (get_attnum(conversions, "client_conversion_event_filter") == InvalidAttrNumber)
	{
		run("ALTER TABLE %s.fct_lead_conversions "
			"ADD COLUMN client_conversion_event_filter varchar(40)", schema);
		ereport(NOTICE,
				(errmsg("added column client_conversion_event_filter to %s.fct_lead_conversions",
						schema),
				 errdetail("Part 2 of the brief needs it; setup.sql does not create it.")));
	}

	deleted = run("DELETE FROM %s.fct_client_conversion_events", schema);
	rows = run("INSERT INTO %s.fct_client_conversion_events (" PART1_COLUMNS ") "
			   "SELECT " PART1_COLUMNS " FROM %s.leadconv_client_events()", schema, ext);
	put_count(rsinfo, "fct_client_conversion_events", rows, deleted, rows);

	/* Part 2 fanned out from the Part 1 rows just written */
	deleted = run("DELETE FROM %s.fct_lead_conversions", schema);
	rows = run("INSERT INTO %s.fct_lead_conversions (" PART2_COLUMNS ") "
			   "SELECT " PART2_COLUMNS " FROM %s.leadconv_lead_conversions_from(%u)",
			   schema, ext, events);
	put_count(rsinfo, "fct_lead_conversions", rows, deleted, rows);

	SPI_finish();
	lc_unpin_search_path(nestlevel);
	return (Datum) 0;
}
