/*
 * digest.c
 *		A 128-bit digest of a Part 1 row.
 *
 * A refresh compares each user's fresh row with the row in the facts by
 * their digests: two 64-bit hashes of the row's columns, each under its own
 * seed, drawn at random for every refresh so that no data can be made to
 * collide on purpose.  Columns are written out with their NULL flags and
 * lengths, so that no two different rows write the same bytes.
 */
#include "postgres.h"

#include "common/hashfn.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "columns.h"
#include "digest.h"

void
lc_digest_seeds(LcDigestSeeds *seeds)
{
	if (!pg_strong_random(seeds->seed, sizeof(seeds->seed)))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not generate random seeds for leadconv's row digests")));
}

void
lc_digest_event(const LcDigestSeeds *seeds, const Datum *values, const bool *nulls,
				LcDigest *out)
{
	static StringInfo buf = NULL;
	int			i;

	if (buf == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

		buf = makeStringInfo();
		MemoryContextSwitchTo(oldcxt);
	}
	resetStringInfo(buf);
	for (i = 0; i < EV_NCOLUMNS; i++)
	{
		appendStringInfoChar(buf, nulls[i] ? 'n' : 'v');
		if (nulls[i])
			continue;
		if (lc_part1_columns[i].kind == LC_COL_TIMESTAMP)
		{
			int64		t = DatumGetInt64(values[i]);

			appendBinaryStringInfo(buf, (const char *) &t, sizeof(t));
		}
		else
		{
			text	   *t = DatumGetTextPP(values[i]);
			uint32		len = VARSIZE_ANY_EXHDR(t);

			appendBinaryStringInfo(buf, (const char *) &len, sizeof(len));
			appendBinaryStringInfo(buf, VARDATA_ANY(t), len);
			if ((Pointer) t != DatumGetPointer(values[i]))
				pfree(t);
		}
	}
	out->h[0] = hash_bytes_extended((const unsigned char *) buf->data, buf->len,
									seeds->seed[0]);
	out->h[1] = hash_bytes_extended((const unsigned char *) buf->data, buf->len,
									seeds->seed[1]);
}
