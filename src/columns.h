/*
 * columns.h
 *		The columns of Part 1 and Part 2 (SPEC section 3), defined once: the
 *		C code indexes rows by these names, builds its SQL column lists from
 *		them, and checks them against the extension's row types.
 */
#ifndef LEADCONV_COLUMNS_H
#define LEADCONV_COLUMNS_H

#include "postgres.h"

#include "source.h"

/*
 * The columns both parts begin with, in order: index, column name, what it
 * holds.
 */
#define LC_CONVERSION_COLUMNS(X) \
	X(EV_USER_ID, "user_id", LC_COL_ID) \
	X(EV_BRANCH_ID, "branch_id", LC_COL_ID) \
	X(EV_LOCAL_USER_CREATED_AT, "local_user_created_at", LC_COL_TIMESTAMP) \
	X(EV_LEAD_STATUS, "lead_status", LC_COL_TEXT) \
	X(EV_TYPE, "client_conversion_event_type", LC_COL_TEXT) \
	X(EV_ID, "client_conversion_event_id", LC_COL_ID) \
	X(EV_LOCAL_AT, "client_conversion_event_local_created_at", LC_COL_TIMESTAMP) \
	X(EV_NAME, "client_conversion_event_name", LC_COL_TEXT) \
	X(EV_SOURCE, "client_conversion_event_source", LC_COL_TEXT)

/* Part 1: those, then each kind's first purchase. */
#define LC_PART1_COLUMNS(X) \
	LC_CONVERSION_COLUMNS(X) \
	X(EV_MEMBERSHIP_ID, "first_user_membership_id", LC_COL_ID) \
	X(EV_MEMBERSHIP_LOCAL_AT, "first_local_membership_purchased_at", LC_COL_TIMESTAMP) \
	X(EV_MEMBERSHIP_NAME, "first_membership_name", LC_COL_TEXT) \
	X(EV_MEMBERSHIP_SOURCE, "first_membership_source", LC_COL_TEXT) \
	X(EV_CREDIT_PACK_ID, "first_credit_pack_id", LC_COL_ID) \
	X(EV_CREDIT_PACK_LOCAL_AT, "first_local_credit_pack_purchased_at", LC_COL_TIMESTAMP) \
	X(EV_CREDIT_PACK_NAME, "first_credit_pack_name", LC_COL_TEXT) \
	X(EV_CREDIT_PACK_SOURCE, "first_credit_pack_source", LC_COL_TEXT)

#define LC_COLUMN_INDEX(index, name, kind) index,
typedef enum LcEventColumn
{
	LC_PART1_COLUMNS(LC_COLUMN_INDEX)
	EV_NCOLUMNS
} LcEventColumn;

/* Part 2: the conversion columns, then the filter. */
#define LC_PART2_COLUMNS(X) \
	LC_CONVERSION_COLUMNS(X) \
	X(P2_FILTER, "client_conversion_event_filter", LC_COL_TEXT)

#define P2_FILTER (EV_SOURCE + 1)
#define P2_NCOLUMNS (P2_FILTER + 1)

/* The values of the label columns (status, type, filter). */
typedef enum LcLabel
{
	LC_LABEL_LEAD,
	LC_LABEL_CLIENT,
	LC_LABEL_MEMBERSHIP,
	LC_LABEL_USER_CREDIT,
	LC_LABEL_ALL,
	LC_NLABELS
} LcLabel;

/*
 * The kinds of first purchase, and for each: its source table, where its
 * four Part 1 columns start (id, local time, name, source), and its label
 * (its conversion type, and its Part 2 filter).  Sets of kinds are bits
 * (1 << kind); the ALL filter is the bit after them.
 */
typedef enum LcKind
{
	LC_KIND_MEMBERSHIP,
	LC_KIND_CREDIT_PACK,
	LC_NKINDS
} LcKind;

typedef struct LcKindSpec
{
	LcTable		table;
	LcEventColumn first;
	LcLabel		label;
} LcKindSpec;

extern const LcKindSpec lc_kinds[LC_NKINDS];

#define LC_KIND_BIT(kind) (1 << (kind))
#define LC_ALL_BIT (1 << LC_NKINDS)

/* The kinds a Part 1 row has a first purchase of, as bits. */
static inline int
lc_kinds_bought(const bool *nulls)
{
	int			bits = 0;
	int			kind;

	for (kind = 0; kind < LC_NKINDS; kind++)
		if (!nulls[lc_kinds[kind].first])
			bits |= LC_KIND_BIT(kind);
	return bits;
}

/* The Part 2 rows of a user with those kinds: one per kind, and ALL. */
static inline int
lc_conversion_rows(int kinds)
{
	int			rows = 1;
	int			kind;

	for (kind = 0; kind < LC_NKINDS; kind++)
		if (kinds & LC_KIND_BIT(kind))
			rows++;
	return rows;
}

extern const char *lc_label_name(LcLabel which);
extern Datum lc_label(LcLabel which);
extern LcKind lc_kind_of_table(LcTable table);
extern const LcColumnSpec lc_part1_columns[EV_NCOLUMNS];
extern const LcColumnSpec lc_part2_columns[P2_NCOLUMNS];

extern char *lc_column_list(const LcColumnSpec *columns, int ncolumns, const char *prefix);
extern void lc_check_row_type(Oid type, const LcColumnSpec *columns, int ncolumns);

#endif							/* LEADCONV_COLUMNS_H */
