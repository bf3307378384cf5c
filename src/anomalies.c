/*
 * anomalies.c
 *		leadconv_anomalies() and leadconv_anomaly_summary(): one row per
 *		dirty input row or value the rules had to handle (SPEC section 4).
 *
 * Each source is read once, through one cursor.  What takes more than one
 * row to see (duplicates, purchases of unknown users, the row rule 1 uses
 * for a user) the cursor's query works out with window functions and joins,
 * whose sorts and hashes spill to disk past work_mem.  What one value shows
 * (zones, times, details JSON) is checked here, by the functions the report
 * itself computes with (lc_zone_name, lc_instant, lc_details_parse), so the
 * two cannot disagree; times are compared as instants, never through the
 * session's TimeZone.  Only the branches are held in memory, by rule 2, as
 * leadconv_client_events() holds them.
 *
 * Every check runs on every row, the rows the report leaves out included: a
 * row left out is listed for why, and its other values for what they are,
 * since fixing the cause brings them into the report.  So messages say how
 * the rules read a value, which holds for any row; users_affected says what
 * a zone row actually decides.
 *
 * row_key is the row's key columns as SQL literals, NULL bare: branch_id for
 * dim_branch, user_id for dim_user, user_id and the purchase's id for
 * purchases (user_id='u1', membership_id='m1').  Copies of a duplicated key
 * share it; their messages show their other values.  value is the row's
 * value of column_name as text, NULL when NULL: times in ISO style and UTC
 * whatever DateStyle and TimeZone say, jsonb as it prints.
 *
 * The codes are stable (users filter on them) and listed once, with what
 * each means, in anomalies.h; leadconv_anomaly_codes() returns that list.
 *
 * For zone codes, users_affected is how many users (by rule 1) the row
 * decides the zone of: the branch's users on the row rule 2 takes the zone
 * from, or, when no row of the branch has a valid zone, on its first row
 * (earliest created_at), since those users are in UTC; else 0.  So the sum
 * over rows counts each user once.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "anomalies.h"
#include "compat.h"
#include "details.h"
#include "firsts.h"
#include "source.h"

#define LC_ANOMALY_CODE(name, code, tables, meaning) [name] = code,
static const char *const anomaly_codes[LC_NANOMALIES] = {
	LC_ANOMALY_CODES(LC_ANOMALY_CODE)
};

#define LC_ANOMALY_TABLES(name, code, tables, meaning) [name] = tables,
static const char *const anomaly_tables[LC_NANOMALIES] = {
	LC_ANOMALY_CODES(LC_ANOMALY_TABLES)
};

#define LC_ANOMALY_MEANING(name, code, tables, meaning) [name] = meaning,
static const char *const anomaly_meanings[LC_NANOMALIES] = {
	LC_ANOMALY_CODES(LC_ANOMALY_MEANING)
};

/* The columns of leadconv_anomalies() and leadconv_anomaly_summary(). */
enum
{
	OUT_TABLE, OUT_KEY, OUT_COLUMN, OUT_CODE, OUT_MESSAGE, OUT_VALUE, OUT_USERS,
	OUT_NCOLUMNS
};
enum
{
	SUM_TABLE, SUM_CODE, SUM_ANOMALIES, SUM_USERS, SUM_NCOLUMNS
};

/* Columns the queries add after a source's own (positions of source.h). */
enum
{
	BRANCH_COPIES = LC_BRANCH_CREATED + 1,	/* rows of this branch_id */
	BRANCH_USERS				/* users, by rule 1, of this branch_id */
};
enum
{
	USER_COPIES = LC_USER_CREATED + 1,	/* rows of this user_id */
	USER_USED					/* the row rule 1 uses */
};
enum
{
	PURCHASE_COPIES = LC_PURCHASE_DETAILS + 1,	/* rows of this id */
	PURCHASE_SEVERAL_USERS,		/* those rows have several user_ids */
	PURCHASE_USER_KNOWN,		/* user_id is in dim_user */
	PURCHASE_USER_CREATED		/* created_at of rule 1's row of the user */
};

/*
 * The key columns of a row: the first of dim_branch and dim_user, the first
 * two (user_id, id) of purchases.
 */
#define KEY_COLUMNS(table) ((table) == LC_BRANCH || (table) == LC_USER ? 1 : 2)

typedef struct LcAnomalyRun
{
	LcSourceTable sources[LC_NTABLES];
	lc_strhash_hash *branches;	/* by rule 2 */
	MemoryContext cxt;			/* of the call */
	Tuplestorestate *store;		/* NULL: only count */
	TupleDesc	desc;
	MemoryContext rowcxt;		/* reset after each row */
	LcInstant	now;
	LcInstant	epoch;
	/* the row being checked */
	LcTable		table;
	Datum	   *values;
	bool	   *nulls;
	/* the last branch whose users a zone row was charged with */
	const LcBranch *charged;
	int64		count[LC_NTABLES][LC_NANOMALIES];
	int64		users[LC_NTABLES][LC_NANOMALIES];
	bool		has_users[LC_NTABLES][LC_NANOMALIES];
} LcAnomalyRun;

/*
 * A time as text in ISO style, whatever DateStyle says: a date as a date, a
 * timestamp as the UTC wall clock it is, a timestamptz in UTC (+00).
 */
static char *
time_text(Datum value, Oid type)
{
	char		buf[MAXDATELEN + 1];
	struct pg_tm tm;
	fsec_t		fsec;

	if (type == DATEOID)
	{
		DateADT		date = DatumGetDateADT(value);

		if (DATE_NOT_FINITE(date))
			EncodeSpecialDate(date, buf);
		else
		{
			j2date(date + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
			EncodeDateOnly(&tm, USE_ISO_DATES, buf);
		}
	}
	else if (TIMESTAMP_NOT_FINITE(DatumGetTimestamp(value)))
		EncodeSpecialTimestamp(DatumGetTimestamp(value), buf);
	else if (timestamp2tm(DatumGetTimestamp(value), NULL, &tm, &fsec, NULL, NULL) == 0)
	{
		/* UTC has no summer time; unset, EncodeDateTime() would omit +00 */
		tm.tm_isdst = 0;
		EncodeDateTime(&tm, fsec, type == TIMESTAMPTZOID, 0, NULL, USE_ISO_DATES, buf);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
	return pstrdup(buf);
}

/* The value of column in the row being checked, as text; NULL when NULL. */
static char *
column_text(LcAnomalyRun *r, int column)
{
	const LcSourceTable *t = &r->sources[r->table];
	Datum		value = r->values[column];

	if (r->nulls[column])
		return NULL;
	switch (t->columns[column].kind)
	{
		case LC_COL_TIME:
		case LC_COL_TIMESTAMP:
			return time_text(value, t->types[column]);
		case LC_COL_DETAILS:
			if (t->types[column] == JSONBOID)
			{
				Jsonb	   *jb = DatumGetJsonbP(value);

				return JsonbToCString(NULL, &jb->root, VARSIZE(jb));
			}
			break;
		case LC_COL_ID:
		case LC_COL_TEXT:
			break;
	}
	/* ids and texts were read as text; json is text underneath */
	return TextDatumGetCString(value);
}

/* "column=literal, ..." of columns [first, last) of the row; NULL bare. */
static char *
columns_text(LcAnomalyRun *r, int first, int last)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = first; i < last; i++)
	{
		char	   *value = column_text(r, i);

		appendStringInfo(&buf, "%s%s=%s", i > first ? ", " : "",
						 r->sources[r->table].columns[i].name,
						 value ? quote_literal_cstr(value) : "NULL");
	}
	return buf.data;
}

static void report(LcAnomalyRun *r, LcAnomaly code, int column, int64 users,
				   const char *fmt,...) pg_attribute_printf(5, 6);

/*
 * Count an anomaly of the row being checked in column, and unless only
 * counting, add its row.  users < 0: users_affected is NULL.
 */
static void
report(LcAnomalyRun *r, LcAnomaly code, int column, int64 users,
	   const char *fmt,...)
{
	const LcSourceTable *t = &r->sources[r->table];
	Datum		values[OUT_NCOLUMNS];
	bool		nulls[OUT_NCOLUMNS] = {0};
	StringInfoData message;
	char	   *value;

	r->count[r->table][code]++;
	if (users >= 0)
	{
		r->users[r->table][code] += users;
		r->has_users[r->table][code] = true;
	}
	if (r->store == NULL)
		return;

	initStringInfo(&message);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&message, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&message, needed);
	}
	value = column_text(r, column);

	values[OUT_TABLE] = CStringGetTextDatum(t->name);
	values[OUT_KEY] = CStringGetTextDatum(columns_text(r, 0, KEY_COLUMNS(r->table)));
	values[OUT_COLUMN] = CStringGetTextDatum(t->columns[column].name);
	values[OUT_CODE] = CStringGetTextDatum(anomaly_codes[code]);
	values[OUT_MESSAGE] = CStringGetTextDatum(message.data);
	values[OUT_VALUE] = value ? CStringGetTextDatum(value) : (Datum) 0;
	nulls[OUT_VALUE] = value == NULL;
	values[OUT_USERS] = Int64GetDatum(users);
	nulls[OUT_USERS] = users < 0;
	tuplestore_putvalues(r->store, r->desc, values, nulls);
}

/* The branch of an id, as lc_load_branches() read it; NULL if none. */
static const LcBranch *
find_branch(LcAnomalyRun *r, Datum id)
{
	text	   *t = DatumGetTextPP(id);
	uint32		len = VARSIZE_ANY_EXHDR(t);
	LcStr	   *key = palloc(LC_STR_SIZE(len));
	LcStrEntry *entry;

	key->len = len;
	memcpy(key->data, VARDATA_ANY(t), len);
	entry = lc_strhash_lookup(r->branches, key);
	return entry ? lc_key_record(LcBranch, entry->key) : NULL;
}

/*
 * Implausible times, which the rules take as they are (rule 8): the epoch
 * (a zero stored as a time), any other time before 2000, a time after now().
 */
static void
check_time(LcAnomalyRun *r, int column)
{
	const LcSourceTable *t = &r->sources[r->table];
	const char *name = t->columns[column].name;
	LcInstant	when = lc_instant(r->values[column], t->types[column]);

	if (when == r->epoch)
		report(r, LC_A_TIME_AT_EPOCH, column, -1,
			   "%s is exactly 1970-01-01 00:00 UTC, the Unix epoch: a zero rather than a real time; it is taken as it is (rule 8)",
			   name);
	else if (when < 0)
		report(r, LC_A_TIME_BEFORE_2000, column, -1,
			   "%s is before 2000, which is implausible; it is taken as it is (rule 8)",
			   name);
	else if (when > r->now)
		report(r, LC_A_TIME_IN_FUTURE, column, -1,
			   "%s is after now(); it is taken as it is (rule 8)", name);
}

/*
 * Whether the branch row being checked is the one rule 2 takes b's zone
 * from: zone (its own, by lc_zone_name) and created_at are the winner's.
 */
static bool
gives_zone(LcAnomalyRun *r, const LcBranch *b, const char *zone)
{
	bool		created_null = r->nulls[LC_BRANCH_CREATED];

	if (b->zone == NULL || zone == NULL || strcmp(zone, b->zone) != 0 ||
		created_null != b->created_null)
		return false;
	return created_null ||
		lc_instant(r->values[LC_BRANCH_CREATED],
				   r->sources[LC_BRANCH].types[LC_BRANCH_CREATED]) == b->created;
}

static void
check_branch(LcAnomalyRun *r)
{
	Datum	   *values = r->values;
	bool	   *nulls = r->nulls;
	const char *raw = NULL;
	const char *zone = NULL;
	bool		charged = false;
	int64		users = 0;

	if (!nulls[LC_BRANCH_ZONE])
	{
		raw = TextDatumGetCString(values[LC_BRANCH_ZONE]);
		zone = lc_zone_name(raw, strlen(raw));
	}

	if (nulls[LC_BRANCH_ID])
		report(r, LC_A_BRANCH_ID_NULL, LC_BRANCH_ID, -1,
			   "branch_id is NULL: no user can have this row's branch, so the rules never use the row");
	else
	{
		const LcBranch *b = find_branch(r, values[LC_BRANCH_ID]);
		int64		copies = DatumGetInt64(values[BRANCH_COPIES]);

		/*
		 * lc_load_branches() read the same snapshot; only a view or a
		 * foreign table can give other rows the second time.
		 */
		if (b == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("%s gave different rows when read twice", r->sources[LC_BRANCH].qualname),
					 errdetail("leadconv_anomalies() reads dim_branch twice in one snapshot; branch_id %s was only there the second time.",
							   quote_literal_cstr(TextDatumGetCString(values[LC_BRANCH_ID]))),
					 errhint("A view or foreign table read as dim_branch must give the same rows each time: no volatile functions.")));

		/*
		 * Rows come by branch_id, earliest first.  The branch's users are
		 * charged to the row its zone comes from, or, when no row has a
		 * valid zone, to its first row; to only one of identical rows.
		 */
		if (b != r->charged && (b->zone == NULL || gives_zone(r, b, zone)))
		{
			r->charged = b;
			charged = true;
			users = DatumGetInt64(values[BRANCH_USERS]);
		}
		if (copies > 1)
			report(r, LC_A_BRANCH_DUPLICATE, LC_BRANCH_ID, -1,
				   "branch_id appears " INT64_FORMAT " times in dim_branch; this row (%s) %s",
				   copies, columns_text(r, LC_BRANCH_ZONE, LC_BRANCH_CREATED + 1),
				   b->zone == NULL ? "gives no zone: no row of the branch has a valid one, so its users are in UTC (rule 2)" :
				   charged ? "gives the branch its zone (rule 2)" :
				   "does not give the branch its zone: another row does (rule 2)");
	}

	if (raw == NULL)
		report(r, LC_A_ZONE_NULL, LC_BRANCH_ZONE, users,
			   "timezone_id is NULL, which rule 2 reads as UTC");
	else if (zone == NULL && raw[strspn(raw, " ")] == '\0')
		report(r, LC_A_ZONE_EMPTY, LC_BRANCH_ZONE, users,
			   "timezone_id is empty, which rule 2 reads as UTC");
	else if (zone == NULL)
		report(r, LC_A_ZONE_INVALID, LC_BRANCH_ZONE, users,
			   "timezone_id is not a zone of pg_timezone_names, which rule 2 reads as UTC");
	else if (strcmp(zone, raw) != 0)
		report(r, LC_A_ZONE_NOT_CANONICAL, LC_BRANCH_ZONE, users,
			   "timezone_id is the zone %s only once trimmed of spaces and compared case-insensitively, as rule 2 reads it",
			   zone);
}

static void
check_user(LcAnomalyRun *r)
{
	Datum	   *values = r->values;
	bool	   *nulls = r->nulls;

	if (nulls[LC_USER_ID])
		report(r, LC_A_USER_ID_NULL, LC_USER_ID, -1,
			   "user_id is NULL: the row is not in the report (rule 1)");
	else if (DatumGetInt64(values[USER_COPIES]) > 1)
		report(r, LC_A_USER_DUPLICATE, LC_USER_ID, -1,
			   "user_id appears " INT64_FORMAT " times in dim_user; this row (%s) %s",
			   DatumGetInt64(values[USER_COPIES]),
			   columns_text(r, LC_USER_BRANCH, LC_USER_CREATED + 1),
			   DatumGetBool(values[USER_USED]) ? "is the one rule 1 uses" :
			   "is not used: rule 1 uses another");

	if (nulls[LC_USER_BRANCH])
		report(r, LC_A_USER_BRANCH_NULL, LC_USER_BRANCH, -1,
			   "branch_id is NULL, which rule 2 reads as UTC");
	else if (find_branch(r, values[LC_USER_BRANCH]) == NULL)
		report(r, LC_A_USER_BRANCH_UNKNOWN, LC_USER_BRANCH, -1,
			   "branch_id is not in dim_branch, which rule 2 reads as UTC");

	if (nulls[LC_USER_CREATED])
		report(r, LC_A_USER_CREATED_NULL, LC_USER_CREATED, -1,
			   "created_at is NULL: local_user_created_at is NULL");
	else
		check_time(r, LC_USER_CREATED);
}

/*
 * One key of a details object.  Its codes: missing for a missing key,
 * missing + 1 for a value that is not text.
 */
static void
check_details_key(LcAnomalyRun *r, const LcDetailsValue *v, const char *key,
				  LcAnomaly missing)
{
	const char *column = r->sources[r->table].columns[LC_PURCHASE_DETAILS].name;
	const char *what = NULL;

	switch (v->shape)
	{
		case LC_VALUE_TEXT:
			return;
		case LC_VALUE_MISSING:
			report(r, missing, LC_PURCHASE_DETAILS, -1,
				   "%s has no key \"%s\" (in exact case): the purchase's %s is NULL (rule 7)",
				   column, key, key);
			return;
		case LC_VALUE_NULL:
			what = "JSON null";
			break;
		case LC_VALUE_CONTAINER:
			what = "an object or an array";
			break;
		case LC_VALUE_UNREPRESENTABLE:
			what = "a string text cannot hold (\\u0000, or a character outside the server encoding)";
			break;
	}
	report(r, missing + 1, LC_PURCHASE_DETAILS, -1,
		   "\"%s\" of %s is %s: the purchase's %s is NULL (rule 7)",
		   key, column, what, key);
}

static void
check_details(LcAnomalyRun *r)
{
	const LcSourceTable *t = &r->sources[r->table];
	const char *column = t->columns[LC_PURCHASE_DETAILS].name;
	const char *data = NULL;
	uint32		len = 0;
	LcDetails	details;

	if (!r->nulls[LC_PURCHASE_DETAILS])
		data = lc_details_bytes(r->values[LC_PURCHASE_DETAILS],
								t->types[LC_PURCHASE_DETAILS], &len);
	lc_details_parse(data, len, t->types[LC_PURCHASE_DETAILS], &details);
	switch (details.shape)
	{
		case LC_DOC_NULL:
			report(r, LC_A_DETAILS_NULL, LC_PURCHASE_DETAILS, -1,
				   "%s is NULL: the purchase's name and source are NULL (rule 7)", column);
			return;
		case LC_DOC_INVALID:
			report(r, LC_A_DETAILS_INVALID, LC_PURCHASE_DETAILS, -1,
				   "%s is not valid JSON: the purchase's name and source are NULL (rule 7)", column);
			return;
		case LC_DOC_NOT_OBJECT:
			report(r, LC_A_DETAILS_NOT_OBJECT, LC_PURCHASE_DETAILS, -1,
				   "%s is JSON but neither an object nor a string holding one: the purchase's name and source are NULL (rule 7)",
				   column);
			return;
		case LC_DOC_DOUBLE_ENCODED:
			report(r, LC_A_DETAILS_DOUBLE_ENCODED, LC_PURCHASE_DETAILS, -1,
				   "%s is a JSON string holding an object, which rule 7 reads as that object", column);
			break;
		case LC_DOC_OBJECT:
			break;
	}
	check_details_key(r, &details.name, "name", LC_A_DETAILS_NAME_MISSING);
	check_details_key(r, &details.source, "source", LC_A_DETAILS_SOURCE_MISSING);
}

static void
check_purchase(LcAnomalyRun *r)
{
	const LcSourceTable *t = &r->sources[r->table];
	Datum	   *values = r->values;
	bool	   *nulls = r->nulls;
	const char *id = t->columns[LC_PURCHASE_ID].name;
	const char *at = t->columns[LC_PURCHASE_AT].name;
	int			when;			/* the column rule 4 dates the purchase by */

	if (nulls[LC_PURCHASE_USER])
		report(r, LC_A_PURCHASE_USER_NULL, LC_PURCHASE_USER, -1,
			   "user_id is NULL: the purchase is not in the report (rule 1)");
	else if (!DatumGetBool(values[PURCHASE_USER_KNOWN]))
		report(r, LC_A_PURCHASE_USER_UNKNOWN, LC_PURCHASE_USER, -1,
			   "user_id is not in dim_user: the purchase is not in the report (rule 1)");

	if (nulls[LC_PURCHASE_ID])
		report(r, LC_A_PURCHASE_ID_NULL, LC_PURCHASE_ID, -1,
			   "%s is NULL: the purchase is not in the report (rule 1)", id);
	else if (DatumGetInt64(values[PURCHASE_COPIES]) > 1)
		report(r, LC_A_PURCHASE_ID_DUPLICATE, LC_PURCHASE_ID, -1,
			   "%s appears " INT64_FORMAT " times in %s%s (rule 5)",
			   id, DatumGetInt64(values[PURCHASE_COPIES]), t->name,
			   DatumGetBool(values[PURCHASE_SEVERAL_USERS]) ?
			   ", for more than one user_id: each user's copies are one purchase of that user" :
			   ": the copies are one purchase");

	if (!nulls[LC_PURCHASE_AT])
		when = LC_PURCHASE_AT;
	else if (!nulls[LC_PURCHASE_CREATED])
	{
		when = LC_PURCHASE_CREATED;
		report(r, LC_A_PURCHASE_DATED_BY_CREATED_AT, LC_PURCHASE_AT, -1,
			   "%s is NULL: rule 4 dates the purchase by its created_at, %s",
			   at, column_text(r, LC_PURCHASE_CREATED));
	}
	else
	{
		when = -1;
		report(r, LC_A_PURCHASE_UNDATED, LC_PURCHASE_AT, -1,
			   "%s and created_at are NULL: rule 4 puts the purchase after every dated one, with no local time",
			   at);
	}

	if (when >= 0)
	{
		Oid			user_created_type = r->sources[LC_USER].types[LC_USER_CREATED];

		check_time(r, when);
		if (!nulls[PURCHASE_USER_CREATED] &&
			lc_instant(values[when], t->types[when]) <
			lc_instant(values[PURCHASE_USER_CREATED], user_created_type))
			report(r, LC_A_PURCHASE_BEFORE_USER, when, -1,
				   "the purchase, at %s by rule 4, is before its user's created_at, %s; it counts as it is (rule 4)",
				   column_text(r, when),
				   time_text(values[PURCHASE_USER_CREATED], user_created_type));
	}

	check_details(r);
}

/* Check one row of the table being read, in a memory context of its own. */
static bool
check_row(TupleTableSlot *slot, void *arg)
{
	LcAnomalyRun *r = arg;
	MemoryContext oldcxt = MemoryContextSwitchTo(r->rowcxt);

	slot_getallattrs(slot);
	r->values = slot->tts_values;
	r->nulls = slot->tts_isnull;
	switch (r->table)
	{
		case LC_BRANCH:
			check_branch(r);
			break;
		case LC_USER:
			check_user(r);
			break;
		default:
			check_purchase(r);
			break;
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(r->rowcxt);
	return true;
}

/*
 * A time column, expr of type type, as lc_instant() orders it: dates past
 * timestamp's range tie with infinity.
 */
static void
append_instant_order(StringInfo buf, const char *expr, Oid type)
{
	int			year;
	int			month;
	int			day;

	if (type != DATEOID)
	{
		appendStringInfoString(buf, expr);
		return;
	}
	j2date(lc_date_end() + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	appendStringInfo(buf,
					 "CASE WHEN %s >= '%04d-%02d-%02d'::pg_catalog.date "
					 "THEN 'infinity'::pg_catalog.date ELSE %s END",
					 expr, year, month, day, expr);
}

/* Rule 1's order of the rows of a user_id, in the select of dim_user alias. */
static void
append_rule1_order(StringInfo buf, const LcSourceTable *users, const char *alias)
{
	char	   *created = psprintf("%s.created_at", alias);

	append_instant_order(buf, created, users->types[LC_USER_CREATED]);
	appendStringInfo(buf, " NULLS LAST, %s.branch_id COLLATE \"C\" NULLS LAST", alias);
	pfree(created);
}

/* A subquery of the row rule 1 uses of each user_id (dim_user's columns). */
static void
append_rule1_rows(StringInfo buf, const LcSourceTable *users)
{
	appendStringInfoString(buf, "(SELECT DISTINCT ON (u.user_id COLLATE \"C\") u.* FROM (");
	lc_source_select(buf, users);
	appendStringInfoString(buf, ") u WHERE u.user_id IS NOT NULL ORDER BY u.user_id COLLATE \"C\", ");
	append_rule1_order(buf, users, "u");
	appendStringInfoChar(buf, ')');
}

/* The query of table: its columns as lc_source_select() reads them, then its extras. */
static char *
table_query(LcAnomalyRun *r, LcTable table)
{
	const LcSourceTable *t = &r->sources[table];
	const LcSourceTable *users = &r->sources[LC_USER];
	StringInfoData q;

	initStringInfo(&q);
	switch (table)
	{
		case LC_BRANCH:
			/* by branch_id, earliest first: see check_branch() */
			appendStringInfoString(&q, "SELECT q.*, pg_catalog.count(*) OVER (PARTITION BY q.branch_id COLLATE \"C\"), COALESCE(n.users, 0) FROM (");
			lc_source_select(&q, t);
			appendStringInfoString(&q, ") q LEFT JOIN (SELECT w.branch_id COLLATE \"C\" AS branch_id, pg_catalog.count(*) AS users FROM ");
			append_rule1_rows(&q, users);
			appendStringInfoString(&q, " w GROUP BY 1) n ON n.branch_id = q.branch_id COLLATE \"C\" ORDER BY q.branch_id COLLATE \"C\", ");
			append_instant_order(&q, "q.created_at", t->types[LC_BRANCH_CREATED]);
			appendStringInfoString(&q, " NULLS LAST");
			break;
		case LC_USER:
			appendStringInfoString(&q, "SELECT q.*, pg_catalog.count(*) OVER w, pg_catalog.row_number() OVER (w ORDER BY ");
			append_rule1_order(&q, users, "q");
			appendStringInfoString(&q, ") = 1 FROM (");
			lc_source_select(&q, t);
			appendStringInfoString(&q, ") q WINDOW w AS (PARTITION BY q.user_id COLLATE \"C\")");
			break;
		default:
			appendStringInfoString(&q, "SELECT q.*, pg_catalog.count(*) OVER d, pg_catalog.min(q.user_id COLLATE \"C\") OVER d IS DISTINCT FROM pg_catalog.max(q.user_id COLLATE \"C\") OVER d, w.user_id IS NOT NULL, w.created_at FROM (");
			lc_source_select(&q, t);
			appendStringInfoString(&q, ") q LEFT JOIN ");
			append_rule1_rows(&q, users);
			appendStringInfo(&q, " w ON w.user_id COLLATE \"C\" = q.user_id COLLATE \"C\" WINDOW d AS (PARTITION BY q.%s COLLATE \"C\")",
							 quote_identifier(t->columns[LC_PURCHASE_ID].name));
			break;
	}
	return q.data;
}

/* Rows of the summary: the anomalies counted of each kind, per table. */
static void
put_summary(LcAnomalyRun *r)
{
	int			table;
	int			code;

	for (table = 0; table < LC_NTABLES; table++)
		for (code = 0; code < LC_NANOMALIES; code++)
		{
			Datum		values[SUM_NCOLUMNS];
			bool		nulls[SUM_NCOLUMNS] = {0};

			if (r->count[table][code] == 0)
				continue;
			values[SUM_TABLE] = CStringGetTextDatum(r->sources[table].name);
			values[SUM_CODE] = CStringGetTextDatum(anomaly_codes[code]);
			values[SUM_ANOMALIES] = Int64GetDatum(r->count[table][code]);
			values[SUM_USERS] = Int64GetDatum(r->users[table][code]);
			nulls[SUM_USERS] = !r->has_users[table][code];
			tuplestore_putvalues(r->store, r->desc, values, nulls);
		}
}

/* Check every source into the call's tuplestore: anomalies, or their summary. */
static void
run_checks(FunctionCallInfo fcinfo, bool summary)
{
	ReturnSetInfo *rsinfo;
	LcAnomalyRun r;
	MemoryContext oldcxt;
	int			nestlevel;
	int			table;

	InitMaterializedSRF(fcinfo, 0);
	rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	memset(&r, 0, sizeof(r));
	r.cxt = AllocSetContextCreate(CurrentMemoryContext, "leadconv anomalies",
									ALLOCSET_DEFAULT_SIZES);
	r.rowcxt = AllocSetContextCreate(r.cxt, "leadconv anomaly row",
									 ALLOCSET_DEFAULT_SIZES);
	r.store = summary ? NULL : rsinfo->setResult;
	r.desc = rsinfo->setDesc;
	r.now = GetCurrentTransactionStartTimestamp();
	r.epoch = SetEpochTimestamp();

	oldcxt = MemoryContextSwitchTo(r.cxt);
	nestlevel = lc_sources_push(r.sources, InvalidOid);
	MemoryContextSwitchTo(oldcxt);

	SPI_connect();
	r.branches = lc_load_branches(&r.sources[LC_BRANCH], r.cxt);
	for (table = 0; table < LC_NTABLES; table++)
	{
		char	   *query = table_query(&r, table);

		r.table = table;
		lc_scan(query, 0, NULL, NULL, check_row, &r);
		pfree(query);
	}
	lc_settings_pop(nestlevel);
	SPI_finish();

	if (summary)
	{
		r.store = rsinfo->setResult;
		put_summary(&r);
	}
	MemoryContextDelete(r.cxt);
}

PG_FUNCTION_INFO_V1(leadconv_anomalies);
Datum
leadconv_anomalies(PG_FUNCTION_ARGS)
{
	run_checks(fcinfo, false);
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(leadconv_anomaly_summary);
Datum
leadconv_anomaly_summary(PG_FUNCTION_ARGS)
{
	run_checks(fcinfo, true);
	return (Datum) 0;
}

/* The anomaly codes: code, the tables it is found in, what it means. */
PG_FUNCTION_INFO_V1(leadconv_anomaly_codes);
Datum
leadconv_anomaly_codes(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			code;

	InitMaterializedSRF(fcinfo, 0);
	for (code = 0; code < LC_NANOMALIES; code++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		values[0] = CStringGetTextDatum(anomaly_codes[code]);
		values[1] = CStringGetTextDatum(anomaly_tables[code]);
		values[2] = CStringGetTextDatum(anomaly_meanings[code]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
