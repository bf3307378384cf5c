/*
 * firsts.c
 *		The users of a pass and their first purchases: the SPEC's rules 1, 2,
 *		4 and 5, applied to one source row at a time.
 *
 * A pass (pass.c) takes the rows of its part of the users and applies them
 * here: a row of dim_user makes or replaces its user by rule 1, a purchase
 * replaces its user's first purchase of its kind when it comes earlier by
 * rules 4 and 5.  Nothing is sorted and no purchase but the current first is
 * kept, so memory follows the users, not their purchases.  The branches and
 * their zones (rule 2) are read once per call.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "firsts.h"

/* -1, 0, 1 as a sorts before, with or after b; NULLs last. */
static int
cmp_instant(bool a_null, LcInstant a, bool b_null, LcInstant b)
{
	if (a_null || b_null)
		return (int) a_null - (int) b_null;
	return a < b ? -1 : a > b ? 1 : 0;
}

/* Byte order, a prefix first, NULLs (data NULL) last. */
static int
cmp_bytes(const char *a, uint32 a_len, const char *b, uint32 b_len)
{
	int			r;

	if (a == NULL || b == NULL)
		return (int) (a == NULL) - (int) (b == NULL);
	r = memcmp(a, b, Min(a_len, b_len));
	if (r != 0)
		return r;
	return a_len < b_len ? -1 : a_len > b_len ? 1 : 0;
}

typedef struct LcBranchLoad
{
	lc_strhash_hash *branches;
	MemoryContext cxt;
	Oid			created_type;
} LcBranchLoad;

/*
 * Rule 2: of the rows of a branch_id, the earliest (created_at, NULLs last)
 * with a valid zone gives the zone; between equally early rows, the zone
 * name first in byte order.
 */
static bool
read_branch(TupleTableSlot *slot, void *arg)
{
	LcBranchLoad *load = arg;
	Datum	   *values = slot->tts_values;
	bool	   *nulls = slot->tts_isnull;
	text	   *id;
	uint32		len;
	LcStr	   *probe;
	LcStrEntry *entry;
	LcBranch   *b;
	const char *zone = NULL;
	bool		created_null;
	LcInstant	created = 0;
	bool		found;

	slot_getallattrs(slot);
	created_null = nulls[LC_BRANCH_CREATED];
	id = DatumGetTextPP(values[LC_BRANCH_ID]);
	len = VARSIZE_ANY_EXHDR(id);
	probe = palloc(LC_STR_SIZE(len));
	probe->len = len;
	memcpy(probe->data, VARDATA_ANY(id), len);
	entry = lc_strhash_insert(load->branches, probe, &found);
	if (!found)
	{
		b = MemoryContextAllocZero(load->cxt, MAXALIGN(sizeof(LcBranch)) + LC_STR_SIZE(len));
		memcpy(lc_record_key(b), probe, LC_STR_SIZE(len));
		entry->key = lc_record_key(b);
	}
	b = lc_key_record(LcBranch, entry->key);

	if (!nulls[LC_BRANCH_ZONE])
	{
		text	   *z = DatumGetTextPP(values[LC_BRANCH_ZONE]);

		zone = lc_zone_name(VARDATA_ANY(z), VARSIZE_ANY_EXHDR(z));
	}
	if (!created_null)
		created = lc_instant(values[LC_BRANCH_CREATED], load->created_type);
	if (zone != NULL)
	{
		int			cmp = b->zone == NULL ? -1 :
			cmp_instant(created_null, created, b->created_null, b->created);

		if (cmp == 0)
			cmp = strcmp(zone, b->zone);
		if (cmp < 0)
		{
			b->zone = zone;
			b->created = created;
			b->created_null = created_null;
		}
	}
	return true;
}

/* Read dim_branch into a hash table of branches, each with its zone, in cxt. */
lc_strhash_hash *
lc_load_branches(const LcSourceTable *branches, MemoryContext cxt)
{
	LcBranchLoad load = {lc_strhash_create(cxt, 64, NULL), cxt,
	branches->types[LC_BRANCH_CREATED]};
	StringInfoData query;
	lc_strhash_iterator it;
	LcStrEntry *entry;

	initStringInfo(&query);
	lc_source_select(&query, branches);
	appendStringInfoString(&query, " WHERE s.branch_id IS NOT NULL");
	lc_scan(query.data, 0, NULL, NULL, read_branch, &load);

	lc_strhash_start_iterate(load.branches, &it);
	while ((entry = lc_strhash_iterate(load.branches, &it)) != NULL)
	{
		LcBranch   *b = lc_key_record(LcBranch, entry->key);

		lc_zone_init(&b->local, b->zone ? pg_tzset(b->zone) : NULL);
	}
	return load.branches;
}

/* The memory of a pass's users: made once, reused by each part in turn. */
void
lc_users_init(LcUsers *users, const LcSourceTable *sources, lc_strhash_hash *branches,
			  MemoryContext cxt, Size block_size)
{
	memset(users, 0, sizeof(LcUsers));
	users->sources = sources;
	users->branches = branches;
	users->cxt = cxt;
	users->hash = lc_strhash_create(cxt, 1024, NULL);
	lc_arena_init(&users->users, cxt, block_size);
	lc_arena_init(&users->data, cxt, block_size);
	users->cmpcxt = AllocSetContextCreate(cxt, "leadconv comparisons", ALLOCSET_DEFAULT_SIZES);
	users->probe_size = LC_STR_SIZE(64);
	users->probe = MemoryContextAlloc(cxt, users->probe_size);
}

/* No users, for the next part. */
void
lc_users_reset(LcUsers *users)
{
	users->gone = NULL;
	lc_strhash_reset(users->hash);
	lc_arena_reset(&users->users);
	lc_arena_reset(&users->data);
}

/* What the users hold, to keep a pass within its budget. */
Size
lc_users_memory(const LcUsers *users)
{
	return users->users.allocated + users->data.allocated +
		(Size) users->hash->size * sizeof(LcStrEntry);
}

/* The size of a user, as allocated with its id. */
Size
lc_user_size(const void *user)
{
	return MAXALIGN(sizeof(LcUser)) + LC_STR_SIZE(lc_record_key((const LcUser *) user)->len);
}

/*
 * Rule 1: of the rows of a user_id, the earliest created_at wins (NULLs
 * last), then the lowest branch_id in byte order (NULLs last).
 */
void
lc_apply_user(LcUsers *users, const LcRow *row, const char *payload)
{
	const LcStr *key = row_user(payload);
	const char *branch = row->extra_null ? NULL : row_extra(payload);
	LcStrEntry *entry;
	LcUser	   *u;
	bool		found;

	entry = lc_strhash_insert_hash(users->hash, key, row->hash, &found);
	if (!found)
	{
		u = lc_arena_alloc(&users->users, MAXALIGN(sizeof(LcUser)) + LC_STR_SIZE(key->len));
		memset(u, 0, sizeof(LcUser));
		memcpy(lc_record_key(u), key, LC_STR_SIZE(key->len));
		entry->key = lc_record_key(u);
	}
	else
	{
		int			cmp;

		u = lc_key_record(LcUser, entry->key);
		cmp = cmp_instant(row->created_null, row->created, u->created_null, u->created);
		if (cmp == 0)
			cmp = cmp_bytes(branch, row->extra_len,
							u->branch_id ? u->branch_id->data : NULL,
							u->branch_id ? u->branch_id->len : 0);
		if (cmp >= 0)
			return;
	}

	u->created = row->created;
	u->created_null = row->created_null;
	u->branch = NULL;
	u->branch_id = NULL;
	if (branch != NULL)
	{
		LcStrEntry *b;

		if (LC_STR_SIZE(row->extra_len) > users->probe_size)
		{
			users->probe_size = Max(LC_STR_SIZE(row->extra_len), 2 * users->probe_size);
			users->probe = MemoryContextAlloc(users->cxt, users->probe_size);
		}
		users->probe->len = row->extra_len;
		memcpy(users->probe->data, branch, row->extra_len);
		b = lc_strhash_lookup(users->branches, users->probe);
		if (b != NULL)
		{
			u->branch = lc_key_record(LcBranch, b->key);
			u->branch_id = b->key;
		}
		else
		{
			LcStr	   *copy = lc_arena_alloc(&users->data, LC_STR_SIZE(row->extra_len));

			memcpy(copy, users->probe, LC_STR_SIZE(row->extra_len));
			u->branch_id = copy;
		}
	}
}

/* Details as text, for the last tie-break: jsonb compares as its output. */
static const char *
details_text(const char *bytes, uint32 *len, Oid type)
{
	if (type == JSONBOID)
	{
		char	   *out = JsonbToCString(NULL, &((Jsonb *) bytes)->root, VARSIZE(bytes));

		*len = strlen(out);
		return out;
	}
	return bytes;
}

/*
 * Rule 5: earliest by rule 4 (undated last), then created_at (NULLs last),
 * then id in byte order; rows equal so far are one purchase (duplicate ids
 * collapse), and the details that text-sort first (NULL last) are its.
 */
static int
cmp_purchase(LcUsers *users, const LcRow *row, const char *payload, const LcFirst *best)
{
	const LcPurchaseData *d = best->data;
	Oid			type = users->sources[lc_kinds[row->kind].table].types[LC_PURCHASE_DETAILS];
	const char *row_details = NULL;
	const char *best_details = NULL;
	uint32		row_len = row->extra_len;
	uint32		best_len = d->details_len;
	MemoryContext oldcxt;
	int			cmp;

	cmp = cmp_instant(row->undated, row->when, best->undated, best->when);
	if (cmp == 0)
		cmp = cmp_instant(row->created_null, row->created, best->created_null, best->created);
	if (cmp == 0)
		cmp = cmp_bytes(row_id(row, payload), row->id_len, lc_purchase_id(d), d->id_len);
	if (cmp != 0)
		return cmp;
	/* rendering jsonb allocates, more than the text: freed at once */
	oldcxt = MemoryContextSwitchTo(users->cmpcxt);
	if (!row->extra_null)
		row_details = details_text(row_extra(payload), &row_len, type);
	if (!d->details_null)
		best_details = details_text(lc_purchase_details(d), &best_len, type);
	cmp = cmp_bytes(row_details, row_len, best_details, best_len);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(users->cmpcxt);
	return cmp;
}

/* A purchase of user: its first of its kind, if it comes before the first so far. */
void
lc_apply_purchase(LcUsers *users, const LcRow *row, const char *payload, LcUser *u)
{
	LcFirst    *best = &u->first[row->kind];
	LcPurchaseData *d = best->data;
	Size		size = INTALIGN(row->extra_len) + row->id_len;

	if (d != NULL && cmp_purchase(users, row, payload, best) >= 0)
		return;

	/* the new first purchase: kept in the old one's place if it fits */
	if (d == NULL || d->capacity < size)
	{
		d = lc_arena_alloc(&users->data, LC_PURCHASE_DATA_OFFSET + size);
		d->capacity = size;
		best->data = d;
	}
	best->when = row->when;
	best->created = row->created;
	best->undated = row->undated;
	best->created_null = row->created_null;
	d->details_null = row->extra_null;
	d->details_len = row->extra_len;
	d->id_len = row->id_len;
	memcpy(lc_purchase_details(d), row_extra(payload), row->extra_len);
	memcpy(lc_purchase_id(d), row_id(row, payload), row->id_len);
}

/*
 * Diffing: what is kept of a user's row in the facts goes with the user; a
 * fact row whose user is not in dim_user is a user gone.
 */
void
lc_apply_fact(LcUsers *users, const char *payload, LcUser *u)
{
	if (u != NULL)
	{
		LcFactRow  *f = lc_arena_alloc(&users->data, sizeof(LcFactRow));

		memcpy(f, row_extra(payload), sizeof(LcFactRow));
		u->facts = f;
	}
	else
	{
		const LcStr *key = row_user(payload);
		LcGone	   *g = lc_arena_alloc(&users->data,
									   offsetof(LcGone, user_id) + LC_STR_SIZE(key->len));

		memcpy(&g->fact, row_extra(payload), sizeof(LcFactRow));
		memcpy(&g->user_id, key, LC_STR_SIZE(key->len));
		g->next = users->gone;
		users->gone = g;
	}
}
