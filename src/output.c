/*
 * output.c
 *		The rows a user gives, into the call's sink.
 *
 * A user's rows are formed once, from its first purchases (events.c), and
 * fanned out for Part 2 (fanout.c).  Diffing against the facts (a refresh),
 * a user whose row is as the facts have it gives none, and a user the facts
 * have but dim_user no longer does gives a row of its user_id alone, with
 * lead_status NULL, which no user's row has; each row then also says which
 * kinds the user's row in the facts had (LC_CHANGE_FACT_KINDS).
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/memutils.h"

#include "events.h"
#include "fanout.h"
#include "output.h"

/* Rows of this many users at most are emitted between two ticks. */
#define LC_TICK_EVERY 256

void
lc_output_init(LcOutput *out, MemoryContext cxt)
{
	memset(out, 0, sizeof(LcOutput));
	out->rowcxt = AllocSetContextCreate(cxt, "leadconv row", ALLOCSET_DEFAULT_SIZES);
}

static void
tick(const LcCompute *c, LcOutput *out)
{
	lc_call_tick(c, &out->since_tick, LC_TICK_EVERY);
}

/* The rows of one user, as the caller of lc_compute() asked (LcUserFn). */
void
lc_emit_user(const LcCompute *c, const LcUser *user, void *arg)
{
	LcOutput   *out = arg;
	Datum		values[LC_CHANGE_NCOLUMNS];
	bool		nulls[LC_CHANGE_NCOLUMNS];
	MemoryContext oldcxt = MemoryContextSwitchTo(out->rowcxt);
	bool		unchanged = false;
	int			conversions;

	lc_event_values(c, user, values, nulls);
	conversions = lc_conversion_rows(lc_kinds_bought(nulls));
	values[LC_CHANGE_FACT_KINDS] = Int32GetDatum(user->facts ? user->facts->kinds : 0);
	nulls[LC_CHANGE_FACT_KINDS] = user->facts == NULL;
	out->counts[LC_COUNT_EVENTS]++;
	out->counts[LC_COUNT_CONVERSIONS] += conversions;
	if (c->diff != NULL && user->facts != NULL)
	{
		LcDigest	digest;

		lc_digest_event(&c->diff->seeds, values, nulls, &digest);
		unchanged = lc_digest_equal(&digest, &user->facts->digest);
		if (!unchanged)
		{
			out->counts[LC_COUNT_EVENTS_DELETED]++;
			out->counts[LC_COUNT_CONVERSIONS_DELETED] += lc_conversion_rows(user->facts->kinds);
		}
	}
	if (!unchanged)
	{
		out->counts[LC_COUNT_EVENTS_INSERTED]++;
		out->counts[LC_COUNT_CONVERSIONS_INSERTED] += conversions;
		out->counts[LC_COUNT_USERS_CHANGED]++;
	}
	if (unchanged)
		;
	else if (out->rows == LC_ROWS_EVENTS)
		lc_sink_put(&out->sink, values, nulls);
	else
		lc_fanout(&out->sink, values, nulls, out->filters, out->leads_in_every_filter);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(out->rowcxt);
	tick(c, out);
}

/* Diffing: a user the facts have and dim_user no longer does (LcGoneFn). */
void
lc_emit_gone(const LcCompute *c, const LcStr *user_id,
			 const LcFactRow *fact, void *arg)
{
	LcOutput   *out = arg;
	Datum		values[LC_CHANGE_NCOLUMNS];
	bool		nulls[LC_CHANGE_NCOLUMNS];
	MemoryContext oldcxt = MemoryContextSwitchTo(out->rowcxt);
	int			i;

	Assert(out->rows == LC_ROWS_EVENTS);
	out->counts[LC_COUNT_EVENTS_DELETED]++;
	out->counts[LC_COUNT_CONVERSIONS_DELETED] += lc_conversion_rows(fact->kinds);
	out->counts[LC_COUNT_USERS_CHANGED]++;
	for (i = 0; i < LC_CHANGE_NCOLUMNS; i++)
		nulls[i] = true;
	values[LC_CHANGE_FACT_KINDS] = Int32GetDatum(fact->kinds);
	nulls[LC_CHANGE_FACT_KINDS] = false;
	values[EV_USER_ID] = PointerGetDatum(cstring_to_text_with_len(user_id->data, user_id->len));
	nulls[EV_USER_ID] = false;
	lc_sink_put(&out->sink, values, nulls);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(out->rowcxt);
	tick(c, out);
}
