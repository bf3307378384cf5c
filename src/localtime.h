/*
 * localtime.h
 *		Instants, time zones and local time (SPEC rules 2 and 3).
 */
#ifndef LEADCONV_LOCALTIME_H
#define LEADCONV_LOCALTIME_H

#include "postgres.h"
#include "datatype/timestamp.h"
#include "pgtime.h"

/* Microseconds since 2000-01-01 00:00 UTC, or DT_NOBEGIN / DT_NOEND. */
typedef int64 LcInstant;

extern LcInstant lc_instant(Datum value, Oid type);
extern const char *lc_zone_name(const char *zone, int len);
extern Timestamp lc_local_time(LcInstant instant, pg_tz *tz);

#endif							/* LEADCONV_LOCALTIME_H */
