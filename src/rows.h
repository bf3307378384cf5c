/*
 * rows.h
 *		A source row as a pass takes it and a part's file keeps it.
 */
#ifndef LEADCONV_ROWS_H
#define LEADCONV_ROWS_H

#include "postgres.h"

#include "localtime.h"
#include "strhash.h"

/*
 * The header, then the payload: the user id (an LcStr), the extra value (a
 * user's branch_id, a purchase's details, a fact row's LcFactRow), then a
 * purchase's id, each at a 4-byte boundary (a jsonb document is read in
 * place).
 */
#define LC_ROW_USER (-1)
#define LC_ROW_FACT (-2)			/* diffing: a user's row in the facts */

typedef struct LcRow
{
	LcInstant	when;			/* a purchase's time by rule 4 */
	LcInstant	created;
	uint32		hash;			/* of the user id */
	uint32		user_len;
	uint32		extra_len;
	uint32		id_len;
	int8		kind;			/* LC_ROW_USER, LC_ROW_FACT, or a purchase's LcKind */
	bool		created_null;
	bool		extra_null;		/* branch_id or details NULL */
	bool		undated;		/* a purchase with neither time */
} LcRow;

/*
 * In a file a row is its header without the padding at its end, then the
 * bytes of its user id, extra value and id, unaligned: about a tenth less
 * to write and read back than the row as a batch holds it.
 */
#define LC_ROW_FILE_SIZE (offsetof(LcRow, undated) + sizeof(bool))

#define row_payload_len(row) \
	(INTALIGN(LC_STR_SIZE((row)->user_len)) + INTALIGN((row)->extra_len) + (row)->id_len)

#define row_user(payload) ((const LcStr *) (payload))
#define row_extra(payload) \
	((payload) + INTALIGN(LC_STR_SIZE(row_user(payload)->len)))
#define row_id(row, payload) (row_extra(payload) + INTALIGN((row)->extra_len))

#endif							/* LEADCONV_ROWS_H */
