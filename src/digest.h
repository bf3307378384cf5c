/*
 * digest.h
 *		A 128-bit digest of a Part 1 row, to tell whether a user's facts
 *		changed without keeping the old row.
 */
#ifndef LEADCONV_DIGEST_H
#define LEADCONV_DIGEST_H

#include "postgres.h"

typedef struct LcDigest
{
	uint64		h[2];
} LcDigest;

/* Two seeds, drawn at random for each refresh. */
typedef struct LcDigestSeeds
{
	uint64		seed[2];
} LcDigestSeeds;

extern void lc_digest_seeds(LcDigestSeeds *seeds);
extern void lc_digest_event(const LcDigestSeeds *seeds, const Datum *values,
							const bool *nulls, LcDigest *out);

static inline bool
lc_digest_equal(const LcDigest *a, const LcDigest *b)
{
	return a->h[0] == b->h[0] && a->h[1] == b->h[1];
}

#endif							/* LEADCONV_DIGEST_H */
