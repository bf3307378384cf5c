/*
 * leadconv.c
 *		The SQL-callable functions of leadconv, and its settings.
 *
 * Each function finds its sources with the caller's search_path, then runs
 * every internal query with search_path pinned (source.c), in one SPI
 * connection, writing rows into the tuplestore of materialize mode.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "compat.h"
#include "events.h"
#include "fanout.h"
#include "call.h"
#include "output.h"
#include "parallel.h"
#include "refresh.h"
#include "sink.h"
#include "source.h"

PG_MODULE_MAGIC;

/* leadconv.work_mem, in kB: what one pass over the sources may hold */
int			lc_work_mem = 65536;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomStringVariable("leadconv.source_schema",
							   "Schema of the source tables; empty finds them through search_path.",
							   NULL,
							   &lc_source_schema,
							   "",
							   PGC_USERSET,
							   0,
							   NULL, NULL, NULL);
	DefineCustomIntVariable("leadconv.work_mem",
							"Memory one pass over the source tables may use for its users.",
							"When the users would need more, they are split by hash into several passes.",
							&lc_work_mem,
							65536,
							1024,
							MAX_KILOBYTES,
							PGC_USERSET,
							GUC_UNIT_KB,
							NULL, NULL, NULL);
	DefineCustomIntVariable("leadconv.max_parallel_workers",
							"Parallel workers one call may use; -1: the processors less one.",
							"Never more than max_parallel_workers_per_gather allows.",
							&lc_max_parallel_workers,
							-1,
							-1,
							LC_MAX_WORKERS,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("leadconv.swap_wait",
							"How long a rebuilding refresh waits for a moment when no one reads the fact tables.",
							"It then swaps the rebuilt facts in; when no such moment comes, it writes them in place.",
							&lc_swap_wait,
							10000,
							0,
							INT_MAX,
							PGC_USERSET,
							GUC_UNIT_MS,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("leadconv");
}

/*
 * Compute the users (all, or user_ids) into the call's tuplestore, with
 * parallel workers when they help.
 */
static void
compute(FunctionCallInfo fcinfo, ArrayType *user_ids, LcOutput *out)
{
	ReturnSetInfo *rsinfo;
	LcCompute	c;
	MemoryContext oldcxt;
	int			nestlevel;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	memset(&c, 0, sizeof(c));
	c.cxt = AllocSetContextCreate(CurrentMemoryContext, "leadconv call",
								  ALLOCSET_DEFAULT_SIZES);
	c.user_ids = user_ids;
	c.budget = (Size) lc_work_mem * 1024;
	c.emit = lc_emit_user;
	c.emit_arg = out;
	lc_sink_store(&out->sink, rsinfo->setResult, rsinfo->setDesc);

	oldcxt = MemoryContextSwitchTo(c.cxt);
	nestlevel = lc_sources_push(c.sources, InvalidOid);
	MemoryContextSwitchTo(oldcxt);
	/*
	 * A list of users is a few (automatic refresh): their rows are found by
	 * the user_id indexes.  The planner, costing random reads, would rather
	 * read a whole table for a thousand users.
	 */
	if (user_ids != NULL)
		lc_set_local("enable_seqscan", "off");

	SPI_connect();
	lc_compute_with_workers(&c, out);
	lc_settings_pop(nestlevel);
	SPI_finish();
	MemoryContextDelete(c.cxt);
}

PG_FUNCTION_INFO_V1(leadconv_client_events);
Datum
leadconv_client_events(PG_FUNCTION_ARGS)
{
	LcOutput	out;

	lc_output_init(&out, CurrentMemoryContext);
	out.rows = LC_ROWS_EVENTS;
	compute(fcinfo, NULL, &out);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(leadconv_client_events_for);
Datum
leadconv_client_events_for(PG_FUNCTION_ARGS)
{
	LcOutput	out;

	lc_output_init(&out, CurrentMemoryContext);
	out.rows = LC_ROWS_EVENTS;
	compute(fcinfo, PG_GETARG_ARRAYTYPE_P(0), &out);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(leadconv_lead_conversions);
Datum
leadconv_lead_conversions(PG_FUNCTION_ARGS)
{
	LcOutput	out;

	lc_output_init(&out, CurrentMemoryContext);
	out.rows = LC_ROWS_CONVERSIONS;
	out.filters = lc_filter_parse(PG_ARGISNULL(0) ? NULL : PG_GETARG_TEXT_PP(0));
	out.leads_in_every_filter = !PG_ARGISNULL(1) && PG_GETARG_BOOL(1);
	compute(fcinfo, NULL, &out);
	return (Datum) 0;
}

/* Part 2 rows of one Part 1 row. */
PG_FUNCTION_INFO_V1(leadconv_lead_conversions_of);
Datum
leadconv_lead_conversions_of(PG_FUNCTION_ARGS)
{
	int			filters = lc_filter_parse(PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1));
	bool		leads_in_every_filter = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	HeapTupleHeader event;
	HeapTupleData tuple;
	TupleDesc	desc;
	Datum		values[EV_NCOLUMNS];
	bool		nulls[EV_NCOLUMNS];
	LcSink		sink;

	InitMaterializedSRF(fcinfo, 0);
	if (PG_ARGISNULL(0))
		return (Datum) 0;
	event = PG_GETARG_HEAPTUPLEHEADER(0);
	desc = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(event),
								  HeapTupleHeaderGetTypMod(event));
	tuple.t_len = HeapTupleHeaderGetDatumLength(event);
	tuple.t_data = event;
	heap_deform_tuple(&tuple, desc, values, nulls);
	ReleaseTupleDesc(desc);
	lc_sink_store(&sink, rsinfo->setResult, rsinfo->setDesc);
	lc_fanout(&sink, values, nulls, filters, leads_in_every_filter);
	return (Datum) 0;
}

/* Part 2 from a table shaped like Part 1; no table (NULL), no rows. */
PG_FUNCTION_INFO_V1(leadconv_lead_conversions_from);
Datum
leadconv_lead_conversions_from(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_ARGISNULL(0) ? InvalidOid : PG_GETARG_OID(0);
	int			filters = lc_filter_parse(PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1));
	bool		leads_in_every_filter = !PG_ARGISNULL(2) && PG_GETARG_BOOL(2);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			nestlevel;

	InitMaterializedSRF(fcinfo, 0);
	if (!OidIsValid(relid))
		return (Datum) 0;
	SPI_connect();
	nestlevel = lc_settings_push();
	lc_fanout_from(relid, rsinfo->setResult, rsinfo->setDesc, filters,
				   leads_in_every_filter);
	lc_settings_pop(nestlevel);
	SPI_finish();
	return (Datum) 0;
}

/* A conversion filter as leadconv spells it; anything else is an error. */
PG_FUNCTION_INFO_V1(leadconv_conversion_filter);
Datum
leadconv_conversion_filter(PG_FUNCTION_ARGS)
{
	int			filter = lc_filter_parse(PG_GETARG_TEXT_PP(0));
	int			kind;

	for (kind = 0; kind < LC_NKINDS; kind++)
		if (filter == LC_KIND_BIT(kind))
			PG_RETURN_DATUM(lc_label(lc_kinds[kind].label));
	PG_RETURN_DATUM(lc_label(LC_LABEL_ALL));
}
