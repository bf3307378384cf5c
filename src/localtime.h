/*
 * localtime.h
 *		Instants, time zones and local time (SPEC rules 2 and 3).
 */
#ifndef LEADCONV_LOCALTIME_H
#define LEADCONV_LOCALTIME_H

#include "postgres.h"
#include "datatype/timestamp.h"
#include "utils/date.h"
#include "pgtime.h"

/* Microseconds since 2000-01-01 00:00 UTC, or DT_NOBEGIN / DT_NOEND. */
typedef int64 LcInstant;

/*
 * A zone, with the spans of time already found in which its offset from UTC
 * is constant: most instants then turn into local time by an addition.
 */
#define LC_ZONE_SPANS 8

typedef struct LcZoneSpan
{
	LcInstant	from;			/* the offset holds from here ... */
	LcInstant	until;			/* ... to the zone's next transition */
	int64		offset;			/* microseconds east of UTC */
} LcZoneSpan;

typedef struct LcZone
{
	pg_tz	   *tz;
	int			nspans;
	int			next;			/* span to replace when full */
	LcZoneSpan	spans[LC_ZONE_SPANS];
} LcZone;

extern DateADT lc_date_end(void);
extern LcInstant lc_instant(Datum value, Oid type);
extern const char *lc_zone_name(const char *zone, int len);
extern void lc_zone_init(LcZone *zone, pg_tz *tz);
extern Timestamp lc_local_time(LcInstant instant, LcZone *zone);

#endif							/* LEADCONV_LOCALTIME_H */
