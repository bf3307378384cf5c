/*
 * refresh.c
 *		leadconv_refresh(): make both fact tables equal the functions' rows,
 *		in one transaction, at a cost that follows what changed.
 *
 * The users are computed as leadconv_client_events() computes them, with
 * the Part 1 facts read alongside the sources (firsts.c), so that a user
 * whose row is as the facts have it gives nothing (output.c).  What is left
 * is what changed: rows of users that are new or differ, and the ids of
 * users gone from dim_user.
 *
 * - Little changed: those users' rows are deleted and written again, Part 2
 *   fanned out from the changed Part 1 rows, in place (readers see the old
 *   rows until commit).
 * - Much changed, or the facts were empty: the facts are rebuilt beside
 *   themselves and swapped in (swap.c), which costs about what building
 *   them anew costs, whatever changed.  Empty facts are rebuilt straight
 *   from the computation, without diffing.
 *
 * Automatic refresh, which runs inside a writer's transaction, never swaps:
 * the swap's lock would be held until that writer commits.
 *
 * Everything runs as the facts' owner (facts.c), under a snapshot taken
 * once the refresh lock is held, which sees every change committed before,
 * whatever the caller's isolation level.
 */
#include "postgres.h"

#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/queryenvironment.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "columns.h"
#include "compat.h"
#include "events.h"
#include "fanout.h"
#include "output.h"
#include "parallel.h"
#include "refresh.h"
#include "swap.h"

/* leadconv.swap_wait, in ms: how long a rebuild waits for its swap */
int			lc_swap_wait = 10000;

/*
 * Rebuild when more than this share of the users changed: rewriting a
 * user's rows in place costs several times what writing them anew does,
 * and a rebuild costs about the same whatever changed.
 */
#define LC_REBUILD_SHARE 0.25

/*
 * What a refresh keeps besides the pass's users (which take
 * leadconv.work_mem) shares a quarter of it more: the changes found, then,
 * once they are sorted into their sets, the sets and each statement that
 * writes them.  Past that they go to temporary files, so a refresh's memory
 * does not grow with what changed.
 */
#define LC_CHANGES_KB (work_mem / 4)

/* A refresh under way. */
typedef struct LcRefresh
{
	LcFacts    *facts;
	LcSourceTable sources[LC_NTABLES];
	LcSourceTable tables[2];	/* the two fact tables, as Part 1 and 2 */
	TupleDesc	desc[3];		/* of the row types: Part 1, Part 2, a change */
	MemoryContext cxt;
	LcOutput	out;
	/* rebuilding */
	LcRebuild	rebuild[2];
	LcSink		conversions;	/* Part 2 rows into rebuild[1] */
	Datum	   *values;			/* a row in a fact table's physical order */
	bool	   *nulls;
} LcRefresh;

static Oid
row_type(const LcFacts *f, const char *name)
{
	Oid			type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
									   CStringGetDatum(name), ObjectIdGetDatum(f->nsp));

	if (!OidIsValid(type))
		elog(ERROR, "type %s of the extension leadconv does not exist", name);
	return type;
}

/*
 * The owner computes the facts: a source the owner may not read is an error
 * that says so, rather than permission denied for whoever refreshed.
 */
static void
check_owner_reads(const LcFacts *f, const LcSourceTable *sources)
{
	int			i;
	int			col;

	for (i = 0; i < LC_NTABLES; i++)
		for (col = 0; col < sources[i].ncolumns; col++)
			if (pg_class_aclcheck(sources[i].relid, f->owner, ACL_SELECT) != ACLCHECK_OK &&
				pg_attribute_aclcheck(sources[i].relid, sources[i].attnums[col], f->owner,
									  ACL_SELECT) != ACLCHECK_OK)
				ereport(ERROR,
						(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
						 errmsg("the owner of the leadconv fact tables, role \"%s\", may not read column %s of %s",
								GetUserNameFromId(f->owner, false), sources[i].columns[col].name,
								sources[i].qualname),
						 errdetail("The facts are computed as their owner, whoever refreshes them."),
						 errhint("GRANT SELECT ON %s TO %s.", sources[i].qualname,
								 quote_identifier(GetUserNameFromId(f->owner, false)))));
}

/* Write a row (Part 1 or 2, in its columns' order) into rebuild[part]. */
static void
rebuild_put(LcRefresh *rf, int part, Datum *values, bool *nulls)
{
	LcSourceTable *t = &rf->tables[part];
	LcRebuild  *r = &rf->rebuild[part];
	int			natts = RelationGetDescr(r->rel)->natts;
	int			i;

	for (i = 0; i < natts; i++)
		rf->nulls[i] = true;
	for (i = 0; i < t->ncolumns; i++)
	{
		rf->values[t->attnums[i] - 1] = values[i];
		rf->nulls[t->attnums[i] - 1] = nulls[i];
	}
	lc_rebuild_put(r, rf->values, rf->nulls);
}

static void
rebuild_conversion(void *arg, Datum *values, bool *nulls)
{
	rebuild_put((LcRefresh *) arg, 1, values, nulls);
}

/* A Part 1 row of the new facts, and its Part 2 rows (LcSinkFn). */
static void
rebuild_event(void *arg, Datum *values, bool *nulls)
{
	LcRefresh  *rf = arg;

	rebuild_put(rf, 0, values, nulls);
	lc_fanout(&rf->conversions, values, nulls, LC_FILTER_EVERY, false);
}

static void
rebuild_begin(LcRefresh *rf)
{
	int			natts;

	lc_rebuild_begin(&rf->rebuild[0], rf->facts->events);
	lc_rebuild_begin(&rf->rebuild[1], rf->facts->conversions);
	natts = Max(RelationGetDescr(rf->rebuild[0].rel)->natts,
				RelationGetDescr(rf->rebuild[1].rel)->natts);
	rf->values = MemoryContextAlloc(rf->cxt, sizeof(Datum) * natts);
	rf->nulls = MemoryContextAlloc(rf->cxt, sizeof(bool) * natts);
	lc_sink_fn(&rf->conversions, rf->desc[1], rebuild_conversion, rf);
}

/*
 * The rebuilt facts are written: build their indexes and swap them in; if
 * the facts are never free to swap, write the rows in place.
 */
static const char *
rebuild_end(LcRefresh *rf)
{
	const char *method = "rebuild";
	instr_time	start;
	instr_time	duration;

	INSTR_TIME_SET_CURRENT(start);
	lc_rebuild_finish(&rf->rebuild[0]);
	lc_rebuild_finish(&rf->rebuild[1]);
	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	elog(DEBUG1, "leadconv: refresh built the facts' indexes in %.3f s",
		 INSTR_TIME_GET_DOUBLE(duration));
	if (!lc_rebuild_swap(rf->rebuild, 2, lc_swap_wait))
	{
		lc_rebuild_copy_in_place(&rf->rebuild[0], "user_id");
		lc_rebuild_copy_in_place(&rf->rebuild[1], "user_id, client_conversion_event_filter");
		method = "rebuild in place";
	}
	lc_rebuild_drop(&rf->rebuild[0]);
	lc_rebuild_drop(&rf->rebuild[1]);
	return method;
}

/* Compute every user into sink; diffing against the facts when diff. */
static void
compute(LcRefresh *rf, LcSink *sink, bool diff)
{
	LcCompute	c;
	LcDiff		d;
	instr_time	start;
	instr_time	duration;

	memset(&c, 0, sizeof(c));
	c.cxt = AllocSetContextCreate(rf->cxt, "leadconv refresh computation",
								  ALLOCSET_DEFAULT_SIZES);
	memcpy(c.sources, rf->sources, sizeof(c.sources));
	c.budget = (Size) lc_work_mem * 1024;
	c.emit = lc_emit_user;
	c.emit_arg = &rf->out;
	if (diff)
	{
		d.facts = rf->tables[0];
		lc_digest_seeds(&d.seeds);
		d.gone = lc_emit_gone;
		c.diff = &d;
	}
	lc_output_init(&rf->out, rf->cxt);
	rf->out.sink = *sink;
	rf->out.rows = LC_ROWS_EVENTS;
	INSTR_TIME_SET_CURRENT(start);
	lc_compute_with_workers(&c, &rf->out);
	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	elog(DEBUG1, "leadconv: refresh computed %s users in %.3f s, " UINT64_FORMAT " changed",
		 diff ? "and diffed the" : "the", INSTR_TIME_GET_DOUBLE(duration),
		 rf->out.counts[LC_COUNT_USERS_CHANGED]);
	MemoryContextDelete(c.cxt);
}

static void
register_rows(const char *name, TupleDesc desc, Tuplestorestate *rows)
{
	EphemeralNamedRelation enr = palloc0(sizeof(EphemeralNamedRelationData));

	enr->md.name = pstrdup(name);
	enr->md.reliddesc = InvalidOid;
	enr->md.tupdesc = desc;
	enr->md.enrtype = ENR_NAMED_TUPLESTORE;
	enr->md.enrtuples = tuplestore_tuple_count(rows);
	enr->reldata = rows;
	if (SPI_register_relation(enr) != SPI_OK_REL_REGISTER)
		elog(ERROR, "could not register %s", name);
}

/*
 * The changes, sorted by what they do to the facts, each a set of rows the
 * statements that apply them read (as ephemeral named relations).
 */
typedef enum LcChangeSet
{
	LC_GONE,					/* Part 1 rows of users gone: their user_id */
	LC_UPDATED,					/* Part 1 rows of users the facts have */
	LC_ADDED,					/* Part 1 rows of new users */
	LC_CONVERSIONS_REMOVED,		/* Part 2 keys of filters a user no longer has */
	LC_CONVERSIONS_UPDATED,		/* Part 2 rows whose key the facts have */
	LC_CONVERSIONS_ADDED,		/* Part 2 rows whose key they have not */
	LC_NCHANGESETS
} LcChangeSet;

static const char *const change_set_names[LC_NCHANGESETS] = {
	"leadconv_gone", "leadconv_updated", "leadconv_added",
	"leadconv_conversions_removed", "leadconv_conversions_updated",
	"leadconv_conversions_added",
};

typedef struct LcChanges
{
	Tuplestorestate *sets[LC_NCHANGESETS];
	TupleDesc	descs[LC_NCHANGESETS];
	int			kinds;			/* of the user being fanned out, in the facts */
	bool		existed;
} LcChanges;

/* A Part 2 row of a changed user: its key is in the facts, or new (LcSinkFn). */
static void
sort_conversion(void *arg, Datum *values, bool *nulls)
{
	LcChanges  *ch = arg;
	text	   *filter = DatumGetTextPP(values[P2_FILTER]);
	bool		had = ch->existed;	/* ALL: every user of the facts has it */
	int			kind;

	for (kind = 0; kind < LC_NKINDS; kind++)
	{
		const char *label = lc_label_name(lc_kinds[kind].label);

		if (VARSIZE_ANY_EXHDR(filter) == strlen(label) &&
			memcmp(VARDATA_ANY(filter), label, strlen(label)) == 0)
			had = ch->existed && (ch->kinds & LC_KIND_BIT(kind)) != 0;
	}
	tuplestore_putvalues(ch->sets[had ? LC_CONVERSIONS_UPDATED : LC_CONVERSIONS_ADDED],
						 ch->descs[LC_CONVERSIONS_ADDED], values, nulls);
}

/* The key of a Part 2 row of kind filter the user no longer has. */
static void
remove_conversion(LcChanges *ch, Datum user_id, LcLabel filter)
{
	Datum		values[P2_NCOLUMNS];
	bool		nulls[P2_NCOLUMNS];
	int			i;

	for (i = 0; i < P2_NCOLUMNS; i++)
		nulls[i] = true;
	values[EV_USER_ID] = user_id;
	nulls[EV_USER_ID] = false;
	values[P2_FILTER] = lc_label(filter);
	nulls[P2_FILTER] = false;
	tuplestore_putvalues(ch->sets[LC_CONVERSIONS_REMOVED], ch->descs[LC_CONVERSIONS_REMOVED],
						 values, nulls);
}

/* Sort the changes (leadconv_fact_change rows) into their sets. */
static void
sort_changes(LcRefresh *rf, Tuplestorestate *changes, LcChanges *ch)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(rf->desc[2], &TTSOpsMinimalTuple);
	LcSink		sink;
	int			i;

	for (i = 0; i < LC_NCHANGESETS; i++)
	{
		ch->sets[i] = tuplestore_begin_heap(false, false,
											Max(64, LC_CHANGES_KB / (2 * LC_NCHANGESETS)));
		ch->descs[i] = i < LC_CONVERSIONS_REMOVED ? rf->desc[0] : rf->desc[1];
	}
	lc_sink_fn(&sink, rf->desc[1], sort_conversion, ch);
	tuplestore_rescan(changes);
	while (tuplestore_gettupleslot(changes, true, false, slot))
	{
		Datum	   *values;
		bool	   *nulls;
		int			kinds;
		int			kind;

		CHECK_FOR_INTERRUPTS();
		slot_getallattrs(slot);
		values = slot->tts_values;
		nulls = slot->tts_isnull;
		ch->existed = !nulls[LC_CHANGE_FACT_KINDS];
		ch->kinds = ch->existed ? DatumGetInt32(values[LC_CHANGE_FACT_KINDS]) : 0;
		if (nulls[EV_LEAD_STATUS])
		{
			tuplestore_putvalues(ch->sets[LC_GONE], rf->desc[0], values, nulls);
			continue;
		}
		tuplestore_putvalues(ch->sets[ch->existed ? LC_UPDATED : LC_ADDED], rf->desc[0],
							 values, nulls);
		lc_fanout(&sink, values, nulls, LC_FILTER_EVERY, false);
		kinds = lc_kinds_bought(nulls);
		for (kind = 0; kind < LC_NKINDS; kind++)
			if ((ch->kinds & LC_KIND_BIT(kind)) && !(kinds & LC_KIND_BIT(kind)))
				remove_conversion(ch, values[EV_USER_ID], lc_kinds[kind].label);
	}
	ExecDropSingleTupleTableSlot(slot);
}

/* Run sql (a %s for the fact table) when set has rows; the rows it processed. */
static uint64
apply(LcChanges *ch, LcChangeSet set, const char *sql, const char *table)
{
	uint64		rows;

	if (tuplestore_tuple_count(ch->sets[set]) == 0)
		return 0;
	register_rows(change_set_names[set], ch->descs[set], ch->sets[set]);
	rows = lc_execute_fresh(psprintf(sql, table), 0, NULL, NULL, false);
	SPI_unregister_relation(change_set_names[set]);
	return rows;
}

/*
 * Apply the changes in place: the rows of users gone are deleted, the rows
 * of changed users updated where their key was there before (in place,
 * HOT when the page has room: the facts leave a tenth of each page free)
 * and inserted where it was not, and a Part 2 row whose filter a user no
 * longer has is deleted.  An update counts as a row deleted and a row
 * inserted.
 */
static void
apply_in_place(LcRefresh *rf, Tuplestorestate *changes, LcRefreshResult *result)
{
	LcChanges	ch;
	const LcFacts *f = rf->facts;
	const char *events = psprintf("%s.leadconv_fct_client_conversion_events", f->schema);
	const char *convs = psprintf("%s.leadconv_fct_lead_conversions", f->schema);
	char	   *p1 = lc_column_list(lc_part1_columns, EV_NCOLUMNS, NULL);
	char	   *p2 = lc_column_list(lc_part2_columns, P2_NCOLUMNS, NULL);
	char	   *c1 = lc_column_list(lc_part1_columns, EV_NCOLUMNS, "c.");
	char	   *c2 = lc_column_list(lc_part2_columns, P2_NCOLUMNS, "c.");
	char	   *f2 = lc_column_list(lc_part2_columns, P2_NCOLUMNS, "f.");
	uint64		n;
	int			i;

	sort_changes(rf, changes, &ch);
	tuplestore_clear(changes);
	lc_set_local("work_mem", psprintf("%dkB", Max(64, LC_CHANGES_KB / 2)));
	/*
	 * Each change finds its row by the key's index, in key order: hashing
	 * the facts, which the planner prefers as the change rows are wider,
	 * reads all of them for a tenth.
	 */
	lc_set_local("enable_hashjoin", "off");
	lc_set_local("enable_mergejoin", "off");

	result->deleted[0] = apply(&ch, LC_GONE,
							   "DELETE FROM %s f USING leadconv_gone c WHERE f.user_id = c.user_id",
							   events);
	result->deleted[1] = apply(&ch, LC_GONE,
							   "DELETE FROM %s f USING leadconv_gone c WHERE f.user_id = c.user_id",
							   convs);
	n = apply(&ch, LC_UPDATED,
			  psprintf("UPDATE %%s f SET (%s) = (%s) "
					   "FROM (SELECT * FROM leadconv_updated ORDER BY user_id) c "
					   "WHERE f.user_id = c.user_id", p1, c1), events);
	result->deleted[0] += n;
	result->inserted[0] = n + apply(&ch, LC_ADDED,
									psprintf("INSERT INTO %%s (%s) SELECT %s FROM leadconv_added c "
											 "ORDER BY c.user_id", p1, c1), events);
	result->deleted[1] += apply(&ch, LC_CONVERSIONS_REMOVED,
								"DELETE FROM %s f USING leadconv_conversions_removed c "
								"WHERE f.user_id = c.user_id "
								"AND f.client_conversion_event_filter = c.client_conversion_event_filter",
								convs);
	/* a changed user's Part 2 rows partly stay as they were */
	n = apply(&ch, LC_CONVERSIONS_UPDATED,
			  psprintf("UPDATE %%s f SET (%s) = (%s) "
					   "FROM (SELECT * FROM leadconv_conversions_updated "
					   "      ORDER BY user_id, client_conversion_event_filter) c "
					   "WHERE f.user_id = c.user_id "
					   "AND f.client_conversion_event_filter = c.client_conversion_event_filter "
					   "AND (%s) IS DISTINCT FROM (%s)", p2, c2, f2, c2), convs);
	result->deleted[1] += n;
	result->inserted[1] = n + apply(&ch, LC_CONVERSIONS_ADDED,
									psprintf("INSERT INTO %%s (%s) SELECT %s "
											 "FROM leadconv_conversions_added c "
											 "ORDER BY c.user_id, c.client_conversion_event_filter",
											 p2, c2), convs);
	for (i = 0; i < LC_NCHANGESETS; i++)
		tuplestore_end(ch.sets[i]);
}

/* A Part 1 row of the facts that did not change, into the rebuild (LcRowFn). */
static bool
rebuild_kept(TupleTableSlot *slot, void *arg)
{
	slot_getallattrs(slot);
	rebuild_event(arg, slot->tts_values, slot->tts_isnull);
	return true;
}

/*
 * Rebuild from the facts and the changes: the rows of users that did not
 * change, then the changed and new users' rows.
 */
static const char *
rebuild_from_changes(LcRefresh *rf, Tuplestorestate *changes)
{
	TupleTableSlot *slot = MakeSingleTupleTableSlot(rf->desc[2], &TTSOpsMinimalTuple);
	char	   *p1 = lc_column_list(lc_part1_columns, EV_NCOLUMNS, "f.");

	instr_time	start;
	instr_time	duration;

	INSTR_TIME_SET_CURRENT(start);
	register_rows("leadconv_changes", rf->desc[2], changes);
	lc_set_local("work_mem", psprintf("%dkB", Max(64, LC_CHANGES_KB)));
	rebuild_begin(rf);
	lc_scan(psprintf("SELECT %s FROM %s.leadconv_fct_client_conversion_events f "
					 "WHERE NOT EXISTS (SELECT FROM leadconv_changes c WHERE c.user_id = f.user_id)",
					 p1, rf->facts->schema),
			0, NULL, NULL, rebuild_kept, rf);
	SPI_unregister_relation("leadconv_changes");
	tuplestore_rescan(changes);
	while (tuplestore_gettupleslot(changes, true, false, slot))
	{
		CHECK_FOR_INTERRUPTS();
		slot_getallattrs(slot);
		if (!slot->tts_isnull[EV_LEAD_STATUS])
			rebuild_event(rf, slot->tts_values, slot->tts_isnull);
	}
	ExecDropSingleTupleTableSlot(slot);
	INSTR_TIME_SET_CURRENT(duration);
	INSTR_TIME_SUBTRACT(duration, start);
	elog(DEBUG1, "leadconv: refresh wrote the kept and the changed rows in %.3f s",
		 INSTR_TIME_GET_DOUBLE(duration));
	return rebuild_end(rf);
}

/* Whether the Part 1 facts have no row. */
static bool
facts_empty(const LcFacts *f)
{
	lc_execute_fresh(psprintf("SELECT FROM %s.leadconv_fct_client_conversion_events LIMIT 1",
							  f->schema), 0, NULL, NULL, false);
	return SPI_processed == 0;
}

/* Old Part 2 rows when the Part 1 facts are empty: normally none. */
static uint64
conversions_left(const LcFacts *f)
{
	bool		isnull;

	lc_execute_fresh(psprintf("SELECT count(*) FROM %s.leadconv_fct_lead_conversions", f->schema),
					 0, NULL, NULL, false);
	return (uint64) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
												1, &isnull));
}

/*
 * Refresh the facts f from the sources of schema sources_nsp: lock, become
 * the owner, compute, write, record.  flags: LC_REFRESH_*.
 */
void
lc_refresh(LcFacts *f, Oid sources_nsp, int flags, LcRefreshResult *result)
{
	LcRefresh	rf;
	LcAsOwner	as;
	uint64	   *counts = rf.out.counts;
	bool		may_swap = (flags & LC_REFRESH_MAY_SWAP) != 0;
	bool		empty;
	const char *method_label = NULL;

	memset(&rf, 0, sizeof(rf));
	memset(result, 0, sizeof(LcRefreshResult));
	rf.facts = f;
	rf.cxt = AllocSetContextCreate(CurrentMemoryContext, "leadconv refresh",
								   ALLOCSET_DEFAULT_SIZES);
	lc_facts_lock(f);
	lc_facts_become_owner(f, &as);
	lc_set_local("work_mem", GetConfigOption("leadconv.work_mem", false, false));
	PushActiveSnapshot(GetLatestSnapshot());
	SPI_connect();

	lc_sources_resolve(rf.sources, sources_nsp);
	lc_set_local("leadconv.source_schema", get_namespace_name(sources_nsp));
	check_owner_reads(f, rf.sources);
	if ((flags & LC_REFRESH_SWITCH) == 0)
		lc_facts_check_schema(f, sources_nsp);
	lc_facts_record_refresh_start(f, sources_nsp);
	lc_relation_check(&rf.tables[0], f->events, lc_part1_columns, EV_NCOLUMNS);
	lc_relation_check(&rf.tables[1], f->conversions, lc_part2_columns, P2_NCOLUMNS);
	rf.desc[0] = lookup_rowtype_tupdesc_copy(row_type(f, "leadconv_client_event"), -1);
	rf.desc[1] = lookup_rowtype_tupdesc_copy(row_type(f, "leadconv_lead_conversion"), -1);
	rf.desc[2] = lookup_rowtype_tupdesc_copy(row_type(f, "leadconv_fact_change"), -1);
	lc_check_row_type(rf.desc[0]->tdtypeid, lc_part1_columns, EV_NCOLUMNS);
	lc_check_row_type(rf.desc[1]->tdtypeid, lc_part2_columns, P2_NCOLUMNS);

	empty = facts_empty(f);
	if (empty && may_swap)
	{
		LcSink		sink;

		rebuild_begin(&rf);
		lc_sink_fn(&sink, rf.desc[0], rebuild_event, &rf);
		compute(&rf, &sink, false);
		counts[LC_COUNT_EVENTS_INSERTED] = counts[LC_COUNT_EVENTS];
		counts[LC_COUNT_CONVERSIONS_INSERTED] = counts[LC_COUNT_CONVERSIONS];
		counts[LC_COUNT_CONVERSIONS_DELETED] = conversions_left(f);
		counts[LC_COUNT_USERS_CHANGED] = counts[LC_COUNT_EVENTS];
		result->method = rebuild_end(&rf);
	}
	else
	{
		Tuplestorestate *changes = tuplestore_begin_heap(false, false, LC_CHANGES_KB);
		LcSink		sink;

		lc_sink_store(&sink, changes, rf.desc[2]);
		compute(&rf, &sink, !empty);
		if (may_swap && counts[LC_COUNT_USERS_CHANGED] > LC_REBUILD_SHARE * counts[LC_COUNT_EVENTS])
			result->method = rebuild_from_changes(&rf, changes);
		else
		{
			result->method = "incremental";
			if (tuplestore_tuple_count(changes) > 0)
			{
				instr_time	start;
				instr_time	duration;

				INSTR_TIME_SET_CURRENT(start);
				apply_in_place(&rf, changes, result);
				INSTR_TIME_SET_CURRENT(duration);
				INSTR_TIME_SUBTRACT(duration, start);
				elog(DEBUG1, "leadconv: refresh wrote the changes in place in %.3f s",
					 INSTR_TIME_GET_DOUBLE(duration));
			}
		}
		tuplestore_end(changes);
		/* every row written in place: the status should not say "incremental" */
		if (empty)
			method_label = "rebuild in place";
	}

	result->users_changed = (int64) counts[LC_COUNT_USERS_CHANGED];
	result->rows[0] = counts[LC_COUNT_EVENTS];
	result->rows[1] = counts[LC_COUNT_CONVERSIONS];
	/* written in place, the statements counted; rebuilt, the diff did */
	if (strcmp(result->method, "incremental") != 0)
	{
		result->deleted[0] = counts[LC_COUNT_EVENTS_DELETED];
		result->inserted[0] = counts[LC_COUNT_EVENTS_INSERTED];
		result->deleted[1] = counts[LC_COUNT_CONVERSIONS_DELETED];
		result->inserted[1] = counts[LC_COUNT_CONVERSIONS_INSERTED];
	}
	if (method_label)
		result->method = method_label;
	lc_facts_record_refresh_end(f, result->method, result->users_changed);
	/*
	 * Statistics for the planner of BI queries: files swapped in keep the
	 * old files' statistics, and autovacuum does not count their rows as
	 * changed (in-place writes it counts, and analyzes after).
	 */
	if (strcmp(result->method, "rebuild") == 0)
		lc_execute_fresh(psprintf("ANALYZE %1$s.leadconv_fct_client_conversion_events, "
								  "%1$s.leadconv_fct_lead_conversions", f->schema),
						 0, NULL, NULL, false);

	SPI_finish();
	PopActiveSnapshot();
	lc_facts_end_owner(&as);
	MemoryContextDelete(rf.cxt);
}

static void
put_result(ReturnSetInfo *rsinfo, const char *table, uint64 rows, uint64 deleted,
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
sources_schema(void)
{
	LcSourceTable sources[LC_NTABLES];

	lc_sources_resolve(sources, InvalidOid);
	return get_rel_namespace(sources[LC_USER].relid);
}

/*
 * Make both fact tables equal the functions' rows, in one transaction: the
 * facts' owner, or a member of its role, may.
 */
PG_FUNCTION_INFO_V1(leadconv_refresh);
Datum
leadconv_refresh(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	LcFacts		f;
	LcRefreshResult r;

	InitMaterializedSRF(fcinfo, 0);
	lc_facts_find(&f, fcinfo->flinfo->fn_oid);
	lc_facts_check_caller(&f, "refresh them");
	lc_refresh(&f, sources_schema(), LC_REFRESH_MAY_SWAP, &r);
	put_result(rsinfo, "leadconv_fct_client_conversion_events", r.rows[0], r.deleted[0],
			   r.inserted[0]);
	put_result(rsinfo, "leadconv_fct_lead_conversions", r.rows[1], r.deleted[1], r.inserted[1]);
	return (Datum) 0;
}
