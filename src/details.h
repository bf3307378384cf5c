/*
 * details.h
 *		The name and source of a purchase, from its details JSON (SPEC rule 7).
 */
#ifndef LEADCONV_DETAILS_H
#define LEADCONV_DETAILS_H

#include "postgres.h"

/* What the details document is. */
typedef enum LcDocShape
{
	LC_DOC_NULL,				/* SQL NULL */
	LC_DOC_INVALID,				/* text that is not JSON */
	LC_DOC_NOT_OBJECT,			/* JSON, neither an object nor a string of one */
	LC_DOC_OBJECT,				/* an object */
	LC_DOC_DOUBLE_ENCODED		/* a JSON string whose content is an object */
} LcDocShape;

/* What one key (name or source) of the document holds. */
typedef enum LcValueShape
{
	LC_VALUE_MISSING,			/* no such key, or no object */
	LC_VALUE_TEXT,				/* a string, number or boolean: value is set */
	LC_VALUE_NULL,				/* JSON null */
	LC_VALUE_CONTAINER,			/* an object or an array */
	LC_VALUE_UNREPRESENTABLE	/* a string text cannot hold (\u0000, or a
								 * character outside the server encoding) */
} LcValueShape;

typedef struct LcDetailsValue
{
	LcValueShape shape;
	text	   *value;			/* when shape is LC_VALUE_TEXT */
} LcDetailsValue;

typedef struct LcDetails
{
	LcDocShape	shape;
	LcDetailsValue name;
	LcDetailsValue source;
} LcDetails;

/*
 * data is the document: the bytes of json or text, or a whole jsonb varlena
 * (type JSONBOID).  Never raises an error for what the document holds.
 */
extern void lc_details_parse(const char *data, Size len, Oid type, LcDetails *out);
extern const char *lc_details_bytes(Datum details, Oid type, uint32 *len);

#endif							/* LEADCONV_DETAILS_H */
