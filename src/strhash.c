/*
 * strhash.c
 *		The simplehash instantiation declared in strhash.h.
 */
#include "postgres.h"

#include "strhash.h"

#define SH_PREFIX lc_strhash
#define SH_ELEMENT_TYPE LcStrEntry
#define SH_KEY_TYPE const LcStr *
#define SH_KEY key
#define SH_HASH_KEY(tb, k) lc_hash((k)->data, (k)->len)
#define SH_EQUAL(tb, a, b) \
	((a)->len == (b)->len && memcmp((a)->data, (b)->data, (a)->len) == 0)
#define SH_STORE_HASH
#define SH_GET_HASH(tb, a) a->hash
#define SH_SCOPE extern
#define SH_DEFINE
#include "lib/simplehash.h"
