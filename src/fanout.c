/*
 * fanout.c
 *		Part 2: a user's rows under each conversion filter (SPEC section 3).
 *
 * Everything Part 2 says of a user is in the user's Part 1 row: the
 * MEMBERSHIP row is the first membership's columns, the USER_CREDIT row the
 * first credit pack's, the ALL row the conversion columns.  So Part 2 is a
 * fan-out of Part 1 rows, whether computed here or read from a table.
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "events.h"
#include "fanout.h"
#include "source.h"

/* filter text, case and surrounding spaces ignored; NULL means all three */
int
lc_filter_parse(text *filter)
{
	char	   *s;
	char	   *end;
	int			kind;

	if (filter == NULL)
		return LC_FILTER_EVERY;
	s = text_to_cstring(filter);
	while (*s == ' ')
		s++;
	end = s + strlen(s);
	while (end > s && end[-1] == ' ')
		*--end = '\0';
	for (kind = 0; kind < LC_NKINDS; kind++)
		if (pg_strcasecmp(s, lc_label_name(lc_kinds[kind].label)) == 0)
			return LC_KIND_BIT(kind);
	if (pg_strcasecmp(s, lc_label_name(LC_LABEL_ALL)) == 0)
		return LC_FILTER_ALL;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid conversion filter \"%s\"", text_to_cstring(filter)),
			 errhint("Valid filters are MEMBERSHIP, USER_CREDIT and ALL, or NULL for all three.")));
}

/* The row of one kind's filter: that kind's first purchase as the event. */
static void
put_kind_row(LcSink *sink, const Datum *event,
			 const bool *event_nulls, LcKind kind, bool leads_in_every_filter)
{
	Datum		values[P2_NCOLUMNS];
	bool		nulls[P2_NCOLUMNS];
	int			first = lc_kinds[kind].first;
	LcLabel		label = lc_kinds[kind].label;
	bool		client = !event_nulls[first];
	int			i;

	if (!client && !leads_in_every_filter)
		return;
	for (i = EV_USER_ID; i <= EV_LOCAL_USER_CREATED_AT; i++)
	{
		values[i] = event[i];
		nulls[i] = event_nulls[i];
	}
	values[EV_LEAD_STATUS] = lc_label(client ? LC_LABEL_CLIENT : LC_LABEL_LEAD);
	nulls[EV_LEAD_STATUS] = false;
	values[EV_TYPE] = lc_label(label);
	nulls[EV_TYPE] = !client;
	for (i = 0; i < 4; i++)
	{
		values[EV_ID + i] = event[first + i];
		nulls[EV_ID + i] = !client || event_nulls[first + i];
	}
	values[P2_FILTER] = lc_label(label);
	nulls[P2_FILTER] = false;
	lc_sink_put(sink, values, nulls);
}

/* The ALL row: the Part 1 conversion, with CREDIT_PACK read as USER_CREDIT. */
static void
put_all_row(LcSink *sink, const Datum *event,
			const bool *event_nulls)
{
	Datum		values[P2_NCOLUMNS];
	bool		nulls[P2_NCOLUMNS];

	memcpy(values, event, sizeof(Datum) * P2_FILTER);
	memcpy(nulls, event_nulls, sizeof(bool) * P2_FILTER);
	if (!nulls[EV_TYPE])
	{
		text	   *type = DatumGetTextPP(values[EV_TYPE]);

		if (VARSIZE_ANY_EXHDR(type) == strlen("CREDIT_PACK") &&
			memcmp(VARDATA_ANY(type), "CREDIT_PACK", strlen("CREDIT_PACK")) == 0)
			values[EV_TYPE] = lc_label(LC_LABEL_USER_CREDIT);
	}
	values[P2_FILTER] = lc_label(LC_LABEL_ALL);
	nulls[P2_FILTER] = false;
	lc_sink_put(sink, values, nulls);
}

/*
 * Part 2 rows of one Part 1 row: MEMBERSHIP and USER_CREDIT when the user
 * has that kind of purchase (or always, leads_in_every_filter), ALL always.
 */
void
lc_fanout(LcSink *sink, const Datum *event,
		  const bool *event_nulls, int filters, bool leads_in_every_filter)
{
	int			kind;

	for (kind = 0; kind < LC_NKINDS; kind++)
		if (filters & LC_KIND_BIT(kind))
			put_kind_row(sink, event, event_nulls, kind, leads_in_every_filter);
	if (filters & LC_FILTER_ALL)
		put_all_row(sink, event, event_nulls);
}


typedef struct LcFanoutFrom
{
	LcSink		sink;
	int			filters;
	bool		leads_in_every_filter;
} LcFanoutFrom;

static bool
fanout_row(TupleTableSlot *slot, void *arg)
{
	LcFanoutFrom *f = arg;

	slot_getallattrs(slot);
	lc_fanout(&f->sink, slot->tts_values, slot->tts_isnull, f->filters,
			  f->leads_in_every_filter);
	return true;
}

/* Part 2 from every row of relid, a table shaped like Part 1. */
void
lc_fanout_from(Oid relid, Tuplestorestate *store, TupleDesc desc, int filters,
			   bool leads_in_every_filter)
{
	LcSourceTable t;
	StringInfoData query;
	LcFanoutFrom f = {{0}, filters, leads_in_every_filter};

	lc_sink_store(&f.sink, store, desc);
	lc_relation_check(&t, relid, lc_part1_columns, EV_NCOLUMNS);
	initStringInfo(&query);
	lc_source_select(&query, &t);
	lc_scan(query.data, 0, NULL, NULL, fanout_row, &f);
}
