/*
 * populate.c
 *		leadconv_populate(): filling the brief's own output tables, beside
 *		the sources (SPEC section 4).
 *
 * A few SQL statements run in the caller's transaction, as the caller (the
 * tables are the caller's), so they are atomic.  They are driven from C
 * because they must find the sources with the caller's search_path and then
 * run with search_path pinned (lc_sources_push), which no SQL-language
 * function can do.
 */
#include "postgres.h"

#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"

#include "columns.h"
#include "compat.h"
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
	nestlevel = lc_sources_push(sources, InvalidOid);
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
	rows = run("INSERT INTO %1$s.fct_client_conversion_events (%3$s) "
			   "SELECT %3$s FROM %2$s.leadconv_client_events()", schema, ext,
			   lc_column_list(lc_part1_columns, EV_NCOLUMNS, NULL));
	put_count(rsinfo, "fct_client_conversion_events", rows, deleted, rows);

	/* Part 2 fanned out from the Part 1 rows just written */
	deleted = run("DELETE FROM %s.fct_lead_conversions", schema);
	rows = run("INSERT INTO %1$s.fct_lead_conversions (%4$s) "
			   "SELECT %4$s FROM %2$s.leadconv_lead_conversions_from(%3$u)",
			   schema, ext, events, lc_column_list(lc_part2_columns, P2_NCOLUMNS, NULL));
	put_count(rsinfo, "fct_lead_conversions", rows, deleted, rows);

	SPI_finish();
	lc_settings_pop(nestlevel);
	return (Datum) 0;
}
