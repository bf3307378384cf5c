/*
 * strhash.h
 *		An open-addressing hash (simplehash) of length-prefixed byte strings,
 *		for users and branches keyed by their ids.
 *
 * An entry holds only a pointer to its key.  Records are allocated with their
 * key right behind them (lc_record_key), so a key also finds its record
 * (lc_key_record) and an entry costs 16 bytes.
 */
#ifndef LEADCONV_STRHASH_H
#define LEADCONV_STRHASH_H

#include "postgres.h"

typedef struct LcStr
{
	uint32		len;
	char		data[FLEXIBLE_ARRAY_MEMBER];
} LcStr;

#define LC_STR_SIZE(len) (offsetof(LcStr, data) + (len))

/* The key stored right behind a record of type, and back. */
#define lc_record_key(record) \
	((LcStr *) ((char *) (record) + MAXALIGN(sizeof(*(record)))))
#define lc_key_record(type, key) \
	((type *) ((char *) (key) - MAXALIGN(sizeof(type))))

typedef struct LcStrEntry
{
	const LcStr *key;
	uint32		hash;
	char		status;
} LcStrEntry;

#define SH_PREFIX lc_strhash
#define SH_ELEMENT_TYPE LcStrEntry
#define SH_KEY_TYPE const LcStr *
#define SH_SCOPE extern
#define SH_DECLARE
#include "lib/simplehash.h"

#endif							/* LEADCONV_STRHASH_H */
