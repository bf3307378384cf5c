/*
 * anomalies.h
 *		The kinds of anomaly the data-quality report finds (SPEC section 4),
 *		listed once: each with its code, which is stable (users filter on
 *		it), the tables it is found in, and what it means.  Codes of one
 *		source table come together, in the order leadconv_anomaly_summary()
 *		lists them.
 */
#ifndef LEADCONV_ANOMALIES_H
#define LEADCONV_ANOMALIES_H

#include "postgres.h"

#define LC_PURCHASES "fct_membership_purchases, fct_credit_pack_purchases"

#define LC_ANOMALY_CODES(X) \
	X(LC_A_BRANCH_ID_NULL, "branch_id_null", "dim_branch", \
	  "branch_id is NULL: no user can have the row's branch") \
	X(LC_A_BRANCH_DUPLICATE, "branch_duplicate", "dim_branch", \
	  "a row of a branch_id found more than once; the message says whether rule 2 takes the branch's zone from it") \
	X(LC_A_ZONE_NULL, "zone_null", "dim_branch", \
	  "timezone_id is NULL: the branch's users are in UTC") \
	X(LC_A_ZONE_EMPTY, "zone_empty", "dim_branch", \
	  "timezone_id is empty or only spaces: UTC") \
	X(LC_A_ZONE_INVALID, "zone_invalid", "dim_branch", \
	  "timezone_id names no zone of the tz database: UTC") \
	X(LC_A_ZONE_NOT_CANONICAL, "zone_not_canonical", "dim_branch", \
	  "timezone_id names a zone only once trimmed of spaces and compared case-insensitively") \
	X(LC_A_USER_ID_NULL, "user_id_null", "dim_user", \
	  "user_id is NULL: the row is not in the report") \
	X(LC_A_USER_DUPLICATE, "user_duplicate", "dim_user", \
	  "a row of a user_id found more than once; the message says whether rule 1 uses it") \
	X(LC_A_USER_BRANCH_NULL, "user_branch_null", "dim_user", \
	  "branch_id is NULL: the user is in UTC") \
	X(LC_A_USER_BRANCH_UNKNOWN, "user_branch_unknown", "dim_user", \
	  "branch_id is not in dim_branch: the user is in UTC") \
	X(LC_A_USER_CREATED_NULL, "user_created_null", "dim_user", \
	  "created_at is NULL") \
	X(LC_A_TIME_BEFORE_2000, "time_before_2000", "dim_user, " LC_PURCHASES, \
	  "a user's created_at, or a purchase's time by rule 4, before 2000-01-01 00:00 UTC (the epoch apart): shown as it is") \
	X(LC_A_TIME_AT_EPOCH, "time_at_epoch", "dim_user, " LC_PURCHASES, \
	  "the same, exactly 1970-01-01 00:00 UTC (a zero stored as a time)") \
	X(LC_A_TIME_IN_FUTURE, "time_in_future", "dim_user, " LC_PURCHASES, \
	  "the same, after now()") \
	X(LC_A_PURCHASE_USER_NULL, "purchase_user_null", LC_PURCHASES, \
	  "user_id is NULL: the purchase is not in the report") \
	X(LC_A_PURCHASE_ID_NULL, "purchase_id_null", LC_PURCHASES, \
	  "the purchase's id is NULL: not in the report") \
	X(LC_A_PURCHASE_USER_UNKNOWN, "purchase_user_unknown", LC_PURCHASES, \
	  "user_id is not in dim_user: not in the report") \
	X(LC_A_PURCHASE_ID_DUPLICATE, "purchase_id_duplicate", LC_PURCHASES, \
	  "a row of an id found more than once in its table") \
	X(LC_A_PURCHASE_DATED_BY_CREATED_AT, "purchase_dated_by_created_at", LC_PURCHASES, \
	  "purchased_at is NULL: the purchase is dated by created_at") \
	X(LC_A_PURCHASE_UNDATED, "purchase_undated", LC_PURCHASES, \
	  "purchased_at and created_at are NULL: the purchase comes after all dated ones") \
	X(LC_A_PURCHASE_BEFORE_USER, "purchase_before_user", LC_PURCHASES, \
	  "the purchase is before the created_at of rule 1's row of its user: it counts as it is") \
	X(LC_A_DETAILS_NULL, "details_null", LC_PURCHASES, \
	  "the details are NULL: no name, no source") \
	X(LC_A_DETAILS_INVALID, "details_invalid", LC_PURCHASES, \
	  "the details are text that is not JSON") \
	X(LC_A_DETAILS_NOT_OBJECT, "details_not_object", LC_PURCHASES, \
	  "the details are JSON, but neither an object nor a string holding one") \
	X(LC_A_DETAILS_DOUBLE_ENCODED, "details_double_encoded", LC_PURCHASES, \
	  "the details are a JSON string holding an object: read as that object") \
	X(LC_A_DETAILS_NAME_MISSING, "details_name_missing", LC_PURCHASES, \
	  "the object has no key \"name\" (exact case)") \
	X(LC_A_DETAILS_NAME_NOT_TEXT, "details_name_not_text", LC_PURCHASES, \
	  "\"name\" is JSON null, an object or an array, or a string text cannot hold") \
	X(LC_A_DETAILS_SOURCE_MISSING, "details_source_missing", LC_PURCHASES, \
	  "the object has no key \"source\" (exact case)") \
	X(LC_A_DETAILS_SOURCE_NOT_TEXT, "details_source_not_text", LC_PURCHASES, \
	  "\"source\" is JSON null, an object or an array, or a string text cannot hold")

#define LC_ANOMALY_ENUM(name, code, tables, meaning) name,
typedef enum LcAnomaly
{
	LC_ANOMALY_CODES(LC_ANOMALY_ENUM)
	LC_NANOMALIES
} LcAnomaly;

#endif							/* LEADCONV_ANOMALIES_H */
