/*
 * localtime.c
 *		Instants, time zones and local time (SPEC rules 2 and 3).
 *
 * Source times become instants without consulting the session's TimeZone:
 * a timestamp is a UTC wall-clock value, so its microseconds already are the
 * instant; a timestamptz is one; a date is its midnight UTC.  Local time is
 * that instant on the wall clock of a zone of PostgreSQL's tz database.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "common/int.h"

#include "compat.h"
#include "localtime.h"

/*
 * The first date past timestamp's range (294277 AD): a date from it on sorts
 * and shows as infinity.
 */
DateADT
lc_date_end(void)
{
	return (DateADT) (TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE);
}

LcInstant
lc_instant(Datum value, Oid type)
{
	if (type == DATEOID)
	{
		DateADT		date = DatumGetDateADT(value);

		if (DATE_IS_NOBEGIN(date))
			return DT_NOBEGIN;
		if (DATE_IS_NOEND(date) || date >= lc_date_end())
			return DT_NOEND;
		return (LcInstant) date * USECS_PER_DAY;
	}
	Assert(type == TIMESTAMPOID || type == TIMESTAMPTZOID);
	return DatumGetInt64(value);
}

/*
 * The names of pg_timezone_names, keyed by their lower-case spelling.  Read
 * once per backend: the tz database is files read at start-up by PostgreSQL
 * too, and its own zone cache is never invalidated either.
 */
typedef struct LcZoneName
{
	char		key[TZ_STRLEN_MAX + 1]; /* lower case */
	char		name[TZ_STRLEN_MAX + 1];	/* as pg_timezone_names spells it */
} LcZoneName;

static HTAB *zone_names = NULL;

static void
lower_ascii(char *dst, const char *src, int len)
{
	int			i;

	for (i = 0; i < len; i++)
		dst[i] = pg_ascii_tolower((unsigned char) src[i]);
	dst[len] = '\0';
}

static void
load_zone_names(void)
{
	MemoryContext cxt;
	HASHCTL		ctl;
	HTAB	   *names;
	uint64		i;

	/* built in a child of the current context, kept only when complete */
	cxt = AllocSetContextCreate(CurrentMemoryContext, "leadconv zone names",
								ALLOCSET_SMALL_SIZES);
	ctl.keysize = TZ_STRLEN_MAX + 1;
	ctl.entrysize = sizeof(LcZoneName);
	ctl.hcxt = cxt;
	names = hash_create("leadconv zone names", 2048, &ctl,
						HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	if (SPI_execute("SELECT name::pg_catalog.text FROM pg_catalog.pg_timezone_names",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read pg_timezone_names");
	for (i = 0; i < SPI_processed; i++)
	{
		char	   *name = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
		int			len = strlen(name);
		char		key[TZ_STRLEN_MAX + 1];
		LcZoneName *entry;

		if (len > TZ_STRLEN_MAX)
			continue;
		lower_ascii(key, name, len);
		entry = hash_search(names, key, HASH_ENTER, NULL);
		strlcpy(entry->name, name, sizeof(entry->name));
	}
	SPI_freetuptable(SPI_tuptable);

	MemoryContextSetParent(cxt, TopMemoryContext);
	zone_names = names;
}

/*
 * The pg_timezone_names spelling of zone, or NULL when it names none: a zone
 * is valid when, trimmed of spaces, it matches a name case-insensitively.
 * Needs an SPI connection the first time.
 */
const char *
lc_zone_name(const char *zone, int len)
{
	char		key[TZ_STRLEN_MAX + 1];
	LcZoneName *entry;

	while (len > 0 && zone[0] == ' ')
		zone++, len--;
	while (len > 0 && zone[len - 1] == ' ')
		len--;
	if (len == 0 || len > TZ_STRLEN_MAX)
		return NULL;
	if (zone_names == NULL)
		load_zone_names();
	lower_ascii(key, zone, len);
	entry = hash_search(zone_names, key, HASH_FIND, NULL);
	return entry ? entry->name : NULL;
}

void
lc_zone_init(LcZone *zone, pg_tz *tz)
{
	zone->tz = tz;
	zone->nspans = 0;
	zone->next = 0;
}

/*
 * instant on the wall clock of zone (NULL: UTC), as timestamp without time
 * zone: what (ts AT TIME ZONE 'UTC') AT TIME ZONE zone gives, with the zone
 * always taken from the tz database.  Like timestamp2tm(), it takes the
 * offset pg_localtime() finds at the instant's second; the span from there
 * to the zone's next transition is remembered.  Infinities pass through; a
 * finite instant whose local time falls outside timestamp's range shows as
 * the infinity on that side instead of raising an error.
 */
Timestamp
lc_local_time(LcInstant instant, LcZone *zone)
{
	int64		offset = 0;
	Timestamp	local;
	int			i;

	if (zone == NULL || TIMESTAMP_NOT_FINITE(instant))
		return instant;
	for (i = 0; i < zone->nspans; i++)
		if (zone->spans[i].from <= instant && instant < zone->spans[i].until)
			break;
	if (i < zone->nspans)
		offset = zone->spans[i].offset;
	else
	{
		/* the instant's second, rounded down as timestamp2tm() does */
		pg_time_t	t = instant / USECS_PER_SEC - (instant % USECS_PER_SEC < 0) +
			(pg_time_t) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY;
		struct pg_tm *tm = pg_localtime(&t, zone->tz);
		long int	before_offset;
		long int	after_offset;
		int			before_isdst;
		int			after_isdst;
		pg_time_t	boundary;
		LcZoneSpan *span = &zone->spans[zone->next];

		if (tm == NULL)
			return instant < 0 ? DT_NOBEGIN : DT_NOEND;
		offset = (int64) tm->tm_gmtoff * USECS_PER_SEC;
		span->from = instant;
		span->offset = offset;
		switch (pg_next_dst_boundary(&t, &before_offset, &before_isdst, &boundary,
									 &after_offset, &after_isdst, zone->tz))
		{
			case 0:				/* no transition after t: the offset holds */
				span->until = DT_NOEND;
				break;
			case 1:
				span->until = boundary > t ?
					(boundary - (pg_time_t) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) *
					 SECS_PER_DAY) * USECS_PER_SEC : instant;
				break;
			default:			/* remember nothing */
				span->until = instant;
				break;
		}
		zone->next = (zone->next + 1) % LC_ZONE_SPANS;
		zone->nspans = Max(zone->nspans, zone->next == 0 ? LC_ZONE_SPANS : zone->next);
	}
	if (pg_add_s64_overflow(instant, offset, &local) || !IS_VALID_TIMESTAMP(local))
		return instant < 0 ? DT_NOBEGIN : DT_NOEND;
	return local;
}
