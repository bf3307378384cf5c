/*
 * events.h
 *		A user's Part 1 row: the conversion event and the first purchases of
 *		each kind (SPEC rules 3, 6 and 7, section 3).
 */
#ifndef LEADCONV_EVENTS_H
#define LEADCONV_EVENTS_H

#include "postgres.h"

#include "columns.h"
#include "call.h"

extern void lc_event_values(const LcCompute *c, const LcUser *user,
							Datum *values, bool *nulls);

#endif							/* LEADCONV_EVENTS_H */
