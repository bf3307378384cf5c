/*
 * events.h
 *		A user's Part 1 row: the conversion event and the first purchases of
 *		each kind (SPEC rules 3, 6 and 7, section 3).
 */
#ifndef LEADCONV_EVENTS_H
#define LEADCONV_EVENTS_H

#include "postgres.h"

#include "columns.h"
#include "firsts.h"

/* Where each kind's four columns (id, local time, name, source) start. */
#define EV_FIRST_OF(kind) \
	((kind) == LC_KIND_MEMBERSHIP ? EV_MEMBERSHIP_ID : EV_CREDIT_PACK_ID)

typedef enum LcLabel
{
	LC_LABEL_LEAD,
	LC_LABEL_CLIENT,
	LC_LABEL_MEMBERSHIP,
	LC_LABEL_USER_CREDIT,
	LC_LABEL_ALL,
	LC_NLABELS
} LcLabel;

extern Datum lc_label(LcLabel which);

extern void lc_event_values(const LcCompute *c, const LcUser *user,
							Datum *values, bool *nulls);

#endif							/* LEADCONV_EVENTS_H */
