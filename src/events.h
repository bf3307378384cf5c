/*
 * events.h
 *		A user's Part 1 row: the conversion event and the first purchases of
 *		each kind (SPEC rules 3, 6 and 7, section 3).
 */
#ifndef LEADCONV_EVENTS_H
#define LEADCONV_EVENTS_H

#include "postgres.h"

#include "firsts.h"

/* The columns of leadconv_client_events(), in order. */
typedef enum LcEventColumn
{
	EV_USER_ID,
	EV_BRANCH_ID,
	EV_LOCAL_USER_CREATED_AT,
	EV_LEAD_STATUS,
	EV_TYPE,
	EV_ID,
	EV_LOCAL_AT,
	EV_NAME,
	EV_SOURCE,
	EV_MEMBERSHIP_ID,
	EV_MEMBERSHIP_LOCAL_AT,
	EV_MEMBERSHIP_NAME,
	EV_MEMBERSHIP_SOURCE,
	EV_CREDIT_PACK_ID,
	EV_CREDIT_PACK_LOCAL_AT,
	EV_CREDIT_PACK_NAME,
	EV_CREDIT_PACK_SOURCE,
	EV_NCOLUMNS
} LcEventColumn;

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

/* Part 1's columns, in order, for SQL text. */
#define PART1_COLUMNS \
	"user_id, branch_id, local_user_created_at, lead_status, " \
	"client_conversion_event_type, client_conversion_event_id, " \
	"client_conversion_event_local_created_at, client_conversion_event_name, " \
	"client_conversion_event_source, first_user_membership_id, " \
	"first_local_membership_purchased_at, first_membership_name, " \
	"first_membership_source, first_credit_pack_id, " \
	"first_local_credit_pack_purchased_at, first_credit_pack_name, " \
	"first_credit_pack_source"

extern void lc_event_values(const LcCompute *c, const LcUser *user,
							Datum *values, bool *nulls);

#endif							/* LEADCONV_EVENTS_H */
