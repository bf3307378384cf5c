/*
 * anomalies.h
 *		The data-quality report: every dirty input row or value the rules
 *		had to handle (SPEC section 4).
 */
#ifndef LEADCONV_ANOMALIES_H
#define LEADCONV_ANOMALIES_H

#include "postgres.h"

/*
 * The kinds of anomaly.  Their codes (anomaly_codes[] in anomalies.c, with
 * what each means) are stable: users filter on them.  Codes of one source
 * table come together, in the order leadconv_anomaly_summary() lists them.
 */
typedef enum LcAnomaly
{
	/* dim_branch */
	LC_A_BRANCH_ID_NULL,
	LC_A_BRANCH_DUPLICATE,
	LC_A_ZONE_NULL,
	LC_A_ZONE_EMPTY,
	LC_A_ZONE_INVALID,
	LC_A_ZONE_NOT_CANONICAL,
	/* dim_user */
	LC_A_USER_ID_NULL,
	LC_A_USER_DUPLICATE,
	LC_A_USER_BRANCH_NULL,
	LC_A_USER_BRANCH_UNKNOWN,
	LC_A_USER_CREATED_NULL,
	/* dim_user created_at, and the time of a purchase by rule 4 */
	LC_A_TIME_BEFORE_2000,
	LC_A_TIME_AT_EPOCH,
	LC_A_TIME_IN_FUTURE,
	/* purchases */
	LC_A_PURCHASE_USER_NULL,
	LC_A_PURCHASE_ID_NULL,
	LC_A_PURCHASE_USER_UNKNOWN,
	LC_A_PURCHASE_ID_DUPLICATE,
	LC_A_PURCHASE_DATED_BY_CREATED_AT,
	LC_A_PURCHASE_UNDATED,
	LC_A_PURCHASE_BEFORE_USER,
	LC_A_DETAILS_NULL,
	LC_A_DETAILS_INVALID,
	LC_A_DETAILS_NOT_OBJECT,
	LC_A_DETAILS_DOUBLE_ENCODED,
	/* per key: missing, then not text; name, then source */
	LC_A_DETAILS_NAME_MISSING,
	LC_A_DETAILS_NAME_NOT_TEXT,
	LC_A_DETAILS_SOURCE_MISSING,
	LC_A_DETAILS_SOURCE_NOT_TEXT,
	LC_NANOMALIES
} LcAnomaly;

#endif							/* LEADCONV_ANOMALIES_H */
