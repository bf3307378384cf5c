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
#include "utils/lsyscache.h"

#include "compat.h"
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
#define run(...) lc_execute(psprintf(__VA_ARGS__), NULL)

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
 * Make fact table equal the rows of temp table fresh (of the same row type):
 * delete the rows that are not in fresh exactly, insert those of fresh not
 * left.  Rows are matched on key, then compared whole, so a refresh that
 * changes little writes little; readers see the old rows until commit.
 */
static void
sync_table(ReturnSetInfo *rsinfo, const char *schema, const char *table,
		   const char *fresh, uint64 rows, const char *key)
{
	uint64		deleted;
	uint64		inserted;

	deleted = run("DELETE FROM %s.%s f WHERE NOT EXISTS "
				  "(SELECT FROM pg_temp.%s n WHERE %s AND n = f)",
				  schema, table, fresh, key);
	inserted = run("INSERT INTO %s.%s SELECT * FROM pg_temp.%s n WHERE NOT EXISTS "
				   "(SELECT FROM %s.%s f WHERE %s)",
				   schema, table, fresh, schema, table, key);
	put_count(rsinfo, table, rows, deleted, inserted);
}

PG_FUNCTION_INFO_V1(leadconv_refresh);
Datum
leadconv_refresh(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LcSourceTable sources[LC_NTABLES];
	const char *ext;
	uint64		events;
	uint64		conversions;
	int			nestlevel;

	InitMaterializedSRF(fcinfo, 0);
	nestlevel = lc_pin_sources(sources, InvalidOid);
	/*
	 * The fact tables may be new and never analyzed; a nested loop anti-join
	 * over them, chosen on such estimates, is quadratic.
	 */
	lc_set_local("enable_nestloop", "off");
	ext = extension_schema(fcinfo);
	SPI_connect();

	/* one refresh at a time; readers (ACCESS SHARE) are not blocked */
	run("LOCK TABLE %1$s.leadconv_fct_client_conversion_events, "
		"%1$s.leadconv_fct_lead_conversions IN SHARE ROW EXCLUSIVE MODE", ext);

	/* Part 1 computed once; Part 2 fanned out from it */
	run("CREATE TEMP TABLE leadconv_fresh_events OF %s.leadconv_client_event", ext);
	events = run("INSERT INTO pg_temp.leadconv_fresh_events "
				 "SELECT * FROM %s.leadconv_client_events()", ext);
	run("CREATE TEMP TABLE leadconv_fresh_conversions OF %s.leadconv_lead_conversion", ext);
	conversions = run("INSERT INTO pg_temp.leadconv_fresh_conversions SELECT * FROM "
					  "%s.leadconv_lead_conversions_from('pg_temp.leadconv_fresh_events')", ext);
	run("ANALYZE pg_temp.leadconv_fresh_events, pg_temp.leadconv_fresh_conversions");

	sync_table(rsinfo, ext, "leadconv_fct_client_conversion_events",
			   "leadconv_fresh_events", events, "n.user_id = f.user_id");
	sync_table(rsinfo, ext, "leadconv_fct_lead_conversions",
			   "leadconv_fresh_conversions", conversions,
			   "n.user_id = f.user_id AND "
			   "n.client_conversion_event_filter = f.client_conversion_event_filter");

	run("DROP TABLE pg_temp.leadconv_fresh_events, pg_temp.leadconv_fresh_conversions");
	SPI_finish();
	lc_unpin_search_path(nestlevel);
	return (Datum) 0;
}

/* The columns of the brief's output tables that leadconv fills. */
#define PART1_COLUMNS \
	"user_id, branch_id, local_user_created_at, lead_status, " \
	"client_conversion_event_type, client_conversion_event_id, " \
	"client_conversion_event_local_created_at, client_conversion_event_name, " \
	"client_conversion_event_source, first_user_membership_id, " \
	"first_local_membership_purchased_at, first_membership_name, " \
	"first_membership_source, first_credit_pack_id, " \
	"first_local_credit_pack_purchased_at, first_credit_pack_name, " \
	"first_credit_pack_source"
#define PART2_COLUMNS \
	"user_id, branch_id, local_user_created_at, lead_status, " \
	"client_conversion_event_type, client_conversion_event_id, " \
	"client_conversion_event_local_created_at, client_conversion_event_name, " \
	"client_conversion_event_source, client_conversion_event_filter"

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
