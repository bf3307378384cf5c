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

/*
 * The hash of a key.  Ids are mostly uuids of 36 bytes, hashed for every
 * source row: a word at a time, each multiplied in and folded down, then
 * finished with MurmurHash3's 64-bit mixer, so that both ends are good
 * (buckets take the low bits, parts the high), in less than half the time
 * hash_bytes() takes for a 36-byte id (docs/performance.md).  The
 * hash only ever meets hashes made on the same machine, in the same call,
 * so byte order does not matter.
 */
static inline uint64
lc_hash_word(uint64 h, uint64 w)
{
	h = (h ^ w) * UINT64CONST(0xBF58476D1CE4E5B9);
	return h ^ (h >> 29);
}

static inline uint32
lc_hash(const char *data, uint32 len)
{
	uint64		h = UINT64CONST(0x9E3779B97F4A7C15) ^ len;
	uint64		w;

	for (; len >= sizeof(w); data += sizeof(w), len -= sizeof(w))
	{
		memcpy(&w, data, sizeof(w));
		h = lc_hash_word(h, w);
	}
	if (len > 0)
	{
		w = 0;
		memcpy(&w, data, len);
		h = lc_hash_word(h, w);
	}
	h ^= h >> 33;
	h *= UINT64CONST(0xFF51AFD7ED558CCD);
	h ^= h >> 33;
	h *= UINT64CONST(0xC4CEB9FE1A85EC53);
	h ^= h >> 33;
	return (uint32) h;
}

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
