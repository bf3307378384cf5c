/*
 * events.c
 *		A user's Part 1 row: the conversion event and the first purchases of
 *		each kind (SPEC rules 3, 6 and 7, section 3).
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "details.h"
#include "events.h"

static void
put_text(Datum *values, bool *nulls, int column, const char *data, uint32 len)
{
	values[column] = PointerGetDatum(cstring_to_text_with_len(data, len));
	nulls[column] = false;
}

static void
put_detail(Datum *values, bool *nulls, int column, const LcDetailsValue *v)
{
	if (v->shape == LC_VALUE_TEXT)
	{
		values[column] = PointerGetDatum(v->value);
		nulls[column] = false;
	}
}

/* The four columns of a first purchase: id, local time, name, source. */
static void
put_first(const LcCompute *c, LcKind kind, const LcFirst *first, LcZone *zone,
		  Datum *values, bool *nulls)
{
	LcTable		table = lc_kinds[kind].table;
	const LcPurchaseData *d = first->data;
	int			col = lc_kinds[kind].first;
	LcDetails	details;

	put_text(values, nulls, col, lc_purchase_id(d), d->id_len);
	if (!first->undated)
	{
		values[col + 1] = TimestampGetDatum(lc_local_time(first->when, zone));
		nulls[col + 1] = false;
	}
	lc_details_parse(d->details_null ? NULL : lc_purchase_details(d), d->details_len,
					 c->sources[table].types[LC_PURCHASE_DETAILS], &details);
	put_detail(values, nulls, col + 2, &details.name);
	put_detail(values, nulls, col + 3, &details.source);
}

/*
 * Rule 6: the conversion is the earlier first purchase by rule 4; at the
 * same instant, or both undated, the membership.
 */
static int
conversion_kind(const LcUser *u)
{
	const LcFirst *m = &u->first[LC_KIND_MEMBERSHIP];
	const LcFirst *cp = &u->first[LC_KIND_CREDIT_PACK];

	if (m->data == NULL)
		return cp->data == NULL ? -1 : LC_KIND_CREDIT_PACK;
	if (cp->data != NULL && !cp->undated && (m->undated || cp->when < m->when))
		return LC_KIND_CREDIT_PACK;
	return LC_KIND_MEMBERSHIP;
}

void
lc_event_values(const LcCompute *c, const LcUser *u, Datum *values, bool *nulls)
{
	const LcStr *id = lc_record_key(u);
	LcZone	   *zone = u->branch && u->branch->local.tz ? &u->branch->local : NULL;
	int			kind;
	int			i;

	for (i = 0; i < EV_NCOLUMNS; i++)
		nulls[i] = true;

	put_text(values, nulls, EV_USER_ID, id->data, id->len);
	if (u->branch_id != NULL)
		put_text(values, nulls, EV_BRANCH_ID, u->branch_id->data, u->branch_id->len);
	if (!u->created_null)
	{
		values[EV_LOCAL_USER_CREATED_AT] = TimestampGetDatum(lc_local_time(u->created, zone));
		nulls[EV_LOCAL_USER_CREATED_AT] = false;
	}
	for (kind = 0; kind < LC_NKINDS; kind++)
		if (u->first[kind].data != NULL)
			put_first(c, kind, &u->first[kind], zone, values, nulls);

	kind = conversion_kind(u);
	values[EV_LEAD_STATUS] = lc_label(kind < 0 ? LC_LABEL_LEAD : LC_LABEL_CLIENT);
	nulls[EV_LEAD_STATUS] = false;
	if (kind < 0)
		return;
	values[EV_TYPE] = lc_label(lc_kinds[kind].label);
	nulls[EV_TYPE] = false;
	for (i = 0; i < 4; i++)
	{
		values[EV_ID + i] = values[lc_kinds[kind].first + i];
		nulls[EV_ID + i] = nulls[lc_kinds[kind].first + i];
	}
}
