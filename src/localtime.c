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

#include "compat.h"
#include "localtime.h"

LcInstant
lc_instant(Datum value, Oid type)
{
	if (type == DATEOID)
	{
		DateADT		date = DatumGetDateADT(value);

		if (DATE_IS_NOBEGIN(date))
			return DT_NOBEGIN;
		/* dates past timestamp's range (294276 AD) sort and show as infinity */
		if (DATE_IS_NOEND(date) ||
			date >= (DateADT) (TIMESTAMP_END_JULIAN - POSTGRES_EPOCH_JDATE))
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

/*
 * instant on the wall clock of tz (NULL: UTC), as timestamp without time
 * zone: what (ts AT TIME ZONE 'UTC') AT TIME ZONE zone gives, with the zone
 * always taken from the tz database.  Infinities pass through; a finite
 * instant whose local time falls outside timestamp's range shows as the
 * infinity on that side instead of raising an error.
 */
Timestamp
lc_local_time(LcInstant instant, pg_tz *tz)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			offset;
	Timestamp	local;

	if (tz == NULL || TIMESTAMP_NOT_FINITE(instant))
		return instant;
	if (timestamp2tm(instant, &offset, &tm, &fsec, NULL, tz) != 0 ||
		tm2timestamp(&tm, fsec, NULL, &local) != 0)
		return instant < 0 ? DT_NOBEGIN : DT_NOEND;
	return local;
}
