/*
 * firsts.c
 *		Choosing each user's first purchases (SPEC rules 1, 2, 4 and 5).
 *
 * A pass reads dim_user into a hash table of users, then streams each
 * purchase table once, keeping per user only the best purchase of each kind
 * seen so far.  Nothing is sorted and no purchase but the current best is
 * kept, so a pass costs one scan of each table and memory in proportion to
 * its users.
 *
 * When the users would not fit in leadconv.work_mem they are split into
 * parts by the high bits of a hash of user_id, as a hash join splits its
 * batches: the first part is computed while the tables are read, the rows
 * of the others go to temporary files (spill.c), and each of those parts is
 * computed from its files afterwards.  Each table is still read only once.
 *
 * Looking a row's user up is a cache miss or two in a large table, so rows
 * are taken in small batches: first the hash buckets of the whole batch are
 * fetched, then its users, then the rows are applied, and the misses of a
 * batch overlap instead of following one another.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"

#include "columns.h"
#include "details.h"
#include "firsts.h"
#include "spill.h"

/* What a user costs on average, to choose the first number of parts. */
#define LC_USER_BYTES_GUESS 280
/*
 * Parts are made about this size even when the budget would allow larger:
 * a part whose users fit in the processor's last-level cache is computed
 * faster than the rows it sends through a temporary file cost
 * (docs/performance.md has the figures).
 */
#define LC_PART_TARGET (24 * 1024 * 1024)
/*
 * The first part is split again (and the tables read again) only while it
 * holds enough users for that to help, and at most into 2^LC_MAX_BITS parts;
 * past that, and for the parts read back from files, the budget is a target
 * that a pass may exceed.
 */
#define LC_MIN_SPLIT_USERS 1000
/* Arena blocks: large, but small beside the budget. */
#define LC_ARENA_BLOCK(budget) Max(8192, Min(256 * 1024, (budget) / 32))
/* Rows whose cache misses overlap. */
#define LC_BATCH 64
/*
 * The buffer of a temporary file, at most.  Larger buffers make fewer
 * system calls but leave the processor's cache before they are written:
 * the kernel copies them into the page cache more slowly (figures in
 * docs/performance.md).
 */
#define LC_SPILL_BUFFER (64 * 1024)

#if defined(__GNUC__) || defined(__clang__)
#define lc_prefetch(addr) __builtin_prefetch(addr)
#else
#define lc_prefetch(addr) ((void) 0)
#endif

/*
 * Memory carved out of large blocks, never freed one piece at a time.
 * The blocks of the users' arena hold nothing but users, so that walking
 * them visits every user of a pass in the order they came.
 */
typedef struct LcArenaBlock
{
	struct LcArenaBlock *next;
	Size		used;
	Size		size;
	char		data[FLEXIBLE_ARRAY_MEMBER];
} LcArenaBlock;

typedef struct LcArena
{
	LcArenaBlock *first;
	LcArenaBlock *last;			/* the block in use; later ones are free */
	Size		allocated;
} LcArena;

/*
 * A source row, as a pass takes it and the temporary files keep it: this
 * header, then its payload: the user id (an LcStr), the extra value (a
 * user's branch_id, a purchase's details), then a purchase's id, each at a
 * 4-byte boundary (a jsonb document is read in place).
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
 * In a temporary file a row is its header without the padding at its end,
 * then the bytes of its user id, extra value and id, unaligned: about a
 * tenth less to write and read back than the row as a batch holds it.
 */
#define LC_ROW_FILE_SIZE (offsetof(LcRow, undated) + sizeof(bool))

#define row_payload_len(row) \
	(INTALIGN(LC_STR_SIZE((row)->user_len)) + INTALIGN((row)->extra_len) + (row)->id_len)

#define row_user(payload) ((const LcStr *) (payload))
#define row_extra(payload) \
	((payload) + INTALIGN(LC_STR_SIZE(row_user(payload)->len)))
#define row_id(row, payload) (row_extra(payload) + INTALIGN((row)->extra_len))

/* Rows waiting to be applied together. */
typedef struct LcBatch
{
	int			nrows;
	LcRow		rows[LC_BATCH];
	uint32		offsets[LC_BATCH];	/* of each payload in bytes */
	LcUser	   *users[LC_BATCH];	/* a purchase's user, once found */
	StringInfoData bytes;
} LcBatch;

/* The temporary files of the parts not computed while reading the tables. */
typedef struct LcSpill
{
	int			bits;			/* 2^bits parts */
	LcSpillFile **users;		/* per part; NULL: none, or read with the tables */
	LcSpillFile **purchases;
	ResourceOwner owner;		/* the call's, which the files belong to */
	Size		buffer;			/* of each file */
	Size		memory;			/* of all the files' buffers */
} LcSpill;

/* Diffing: a user of the facts that dim_user no longer has. */
typedef struct LcGone
{
	struct LcGone *next;
	LcFactRow	fact;
	LcStr		user_id;		/* its bytes follow */
} LcGone;

/* One pass: the users of one part. */
typedef struct LcPass
{
	LcCompute  *c;
	LcSpill    *spill;
	int			part;
	MemoryContext cxt;
	lc_strhash_hash *users;
	LcArena		user_arena;
	LcArena		data_arena;
	LcBatch		batch;
	LcGone	   *gone;			/* diffing: users gone from dim_user */
	MemoryContext cmpcxt;		/* reset after each comparison of details */
	LcStr	   *probe;			/* a branch id to look up */
	uint32		probe_size;
	int			kind;			/* of the rows being read from a table */
	Oid		   *types;			/* of that table's columns */
	AttrNumber	positions[LC_MAX_COLUMNS];	/* of its columns in its rows */
} LcPass;

static void *
arena_alloc(LcPass *p, LcArena *arena, Size size)
{
	LcArenaBlock *block = arena->last;
	void	   *chunk;

	size = MAXALIGN(size);
	while (block == NULL || block->size - block->used < size)
	{
		if (block != NULL && block->next != NULL)
		{
			/* a block a previous pass used, free again */
			block = block->next;
			block->used = 0;
		}
		else
		{
			Size		bytes = Max(size, LC_ARENA_BLOCK(p->c->budget));
			LcArenaBlock *fresh = MemoryContextAllocHuge(p->cxt,
														 offsetof(LcArenaBlock, data) + bytes);

			fresh->next = NULL;
			fresh->used = 0;
			fresh->size = bytes;
			if (block)
				block->next = fresh;
			else
				arena->first = fresh;
			arena->allocated += bytes;
			block = fresh;
		}
		arena->last = block;
	}
	chunk = block->data + block->used;
	block->used += size;
	return chunk;
}

/* Free everything in the arena for the next pass, keeping the memory. */
static void
arena_reset(LcArena *arena)
{
	arena->last = arena->first;
	if (arena->first)
		arena->first->used = 0;
}

static Size
user_size(const LcUser *u)
{
	return MAXALIGN(sizeof(LcUser)) + MAXALIGN(LC_STR_SIZE(lc_record_key(u)->len));
}

/* The users of a pass in the order they came, one after another. */
typedef struct LcUserWalk
{
	LcArenaBlock *block;
	LcArenaBlock *last;			/* the arena's last block in use */
	Size		offset;
} LcUserWalk;

static LcUser *
next_user(LcUserWalk *w)
{
	LcUser	   *u;

	while (w->block != NULL && w->offset >= w->block->used)
	{
		w->block = w->block == w->last ? NULL : w->block->next;
		w->offset = 0;
	}
	if (w->block == NULL)
		return NULL;
	u = (LcUser *) (w->block->data + w->offset);
	w->offset += user_size(u);
	return u;
}

static bool
pass_fits(LcPass *p)
{
	Size		used = p->user_arena.allocated + p->data_arena.allocated +
		(Size) p->users->size * sizeof(LcStrEntry);

	return used + p->spill->memory <= p->c->budget ||
		p->users->members < LC_MIN_SPLIT_USERS;
}

/* The part of a user: the high bits of its hash (buckets use the low). */
static int
part_of(const LcSpill *spill, uint32 hash)
{
	return spill->bits == 0 ? 0 : (int) (hash >> (32 - spill->bits));
}

/* Whether this process computes a part, or a parallel worker does. */
static bool
part_is_ours(const LcCompute *c, const LcSpill *spill, int part)
{
	return c->share_bits == 0 ||
		(c->share_mask >> (part >> (spill->bits - c->share_bits)) & 1) != 0;
}

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

/*
 * Rule 2: of the rows of a branch_id, the earliest (created_at, NULLs last)
 * with a valid zone gives the zone; between equally early rows, the zone
 * name first in byte order.
 */
static bool
read_branch(TupleTableSlot *slot, void *arg)
{
	LcCompute  *c = arg;
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
	entry = lc_strhash_insert(c->branches, probe, &found);
	if (!found)
	{
		b = MemoryContextAllocZero(c->cxt, MAXALIGN(sizeof(LcBranch)) + LC_STR_SIZE(len));
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
		created = lc_instant(values[LC_BRANCH_CREATED],
							 c->sources[LC_BRANCH].types[LC_BRANCH_CREATED]);
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

/* Read dim_branch into c->branches, in c->cxt: each branch with its zone. */
void
lc_load_branches(LcCompute *c)
{
	StringInfoData query;
	lc_strhash_iterator it;
	LcStrEntry *entry;

	c->branches = lc_strhash_create(c->cxt, 64, NULL);
	initStringInfo(&query);
	lc_source_select(&query, &c->sources[LC_BRANCH]);
	appendStringInfoString(&query, " WHERE s.branch_id IS NOT NULL");
	lc_scan(query.data, 0, NULL, NULL, read_branch, c);

	lc_strhash_start_iterate(c->branches, &it);
	while ((entry = lc_strhash_iterate(c->branches, &it)) != NULL)
	{
		LcBranch   *b = lc_key_record(LcBranch, entry->key);

		lc_zone_init(&b->local, b->zone ? pg_tzset(b->zone) : NULL);
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

static Oid
details_type(const LcPass *p, int kind)
{
	return p->c->sources[lc_kinds[kind].table].types[LC_PURCHASE_DETAILS];
}

/*
 * Rule 1: of the rows of a user_id, the earliest created_at wins (NULLs
 * last), then the lowest branch_id in byte order (NULLs last).
 */
static void
apply_user(LcPass *p, const LcRow *row, const char *payload)
{
	const LcStr *key = row_user(payload);
	const char *branch = row->extra_null ? NULL : row_extra(payload);
	LcStrEntry *entry;
	LcUser	   *u;
	bool		found;

	entry = lc_strhash_insert_hash(p->users, key, row->hash, &found);
	if (!found)
	{
		u = arena_alloc(p, &p->user_arena, MAXALIGN(sizeof(LcUser)) + LC_STR_SIZE(key->len));
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

		if (LC_STR_SIZE(row->extra_len) > p->probe_size)
		{
			p->probe_size = Max(LC_STR_SIZE(row->extra_len), 2 * p->probe_size);
			p->probe = MemoryContextAlloc(p->cxt, p->probe_size);
		}
		p->probe->len = row->extra_len;
		memcpy(p->probe->data, branch, row->extra_len);
		b = lc_strhash_lookup(p->c->branches, p->probe);
		if (b != NULL)
		{
			u->branch = lc_key_record(LcBranch, b->key);
			u->branch_id = b->key;
		}
		else
		{
			LcStr	   *copy = arena_alloc(p, &p->data_arena, LC_STR_SIZE(row->extra_len));

			memcpy(copy, p->probe, LC_STR_SIZE(row->extra_len));
			u->branch_id = copy;
		}
	}
}

/*
 * Rule 5: earliest by rule 4 (undated last), then created_at (NULLs last),
 * then id in byte order; rows equal so far are one purchase (duplicate ids
 * collapse), and the details that text-sort first (NULL last) are its.
 */
static int
cmp_purchase(LcPass *p, const LcRow *row, const char *payload, const LcFirst *best, Oid type)
{
	const LcPurchaseData *d = best->data;
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
	oldcxt = MemoryContextSwitchTo(p->cmpcxt);
	if (!row->extra_null)
		row_details = details_text(row_extra(payload), &row_len, type);
	if (!d->details_null)
		best_details = details_text(lc_purchase_details(d), &best_len, type);
	cmp = cmp_bytes(row_details, row_len, best_details, best_len);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(p->cmpcxt);
	return cmp;
}

static void
apply_purchase(LcPass *p, const LcRow *row, const char *payload, LcUser *u)
{
	LcFirst    *best = &u->first[row->kind];
	LcPurchaseData *d = best->data;
	Size		size = INTALIGN(row->extra_len) + row->id_len;

	if (d != NULL && cmp_purchase(p, row, payload, best, details_type(p, row->kind)) >= 0)
		return;

	/* the new first purchase: kept in the old one's place if it fits */
	if (d == NULL || d->capacity < size)
	{
		d = arena_alloc(p, &p->data_arena, LC_PURCHASE_DATA_OFFSET + size);
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
 * Diffing: the digest of a user's row in the facts, kept with the user; a
 * fact row whose user is not in dim_user is a user gone.
 */
static void
apply_fact(LcPass *p, const char *payload, LcUser *u)
{
	if (u != NULL)
	{
		LcFactRow  *f = arena_alloc(p, &p->data_arena, sizeof(LcFactRow));

		memcpy(f, row_extra(payload), sizeof(LcFactRow));
		u->facts = f;
	}
	else
	{
		const LcStr *key = row_user(payload);
		LcGone	   *g = arena_alloc(p, &p->data_arena,
									offsetof(LcGone, user_id) + LC_STR_SIZE(key->len));

		memcpy(&g->fact, row_extra(payload), sizeof(LcFactRow));
		memcpy(&g->user_id, key, LC_STR_SIZE(key->len));
		g->next = p->gone;
		p->gone = g;
	}
}

/*
 * Apply the batch: the hash buckets of all its rows are fetched first, then
 * (for purchases) the users found, then the rows are applied.
 */
static void
apply_batch(LcPass *p)
{
	LcBatch    *b = &p->batch;
	int			i;

	for (i = 0; i < b->nrows; i++)
		lc_prefetch(&p->users->data[b->rows[i].hash & p->users->sizemask]);
	for (i = 0; i < b->nrows; i++)
	{
		const char *payload = b->bytes.data + b->offsets[i];
		LcStrEntry *entry;

		if (b->rows[i].kind == LC_ROW_USER)
		{
			apply_user(p, &b->rows[i], payload);
			continue;
		}
		entry = lc_strhash_lookup_hash(p->users, row_user(payload), b->rows[i].hash);
		b->users[i] = entry ? lc_key_record(LcUser, entry->key) : NULL;
		if (b->users[i] && b->rows[i].kind >= 0)
			lc_prefetch(&b->users[i]->first[b->rows[i].kind]);
	}
	for (i = 0; i < b->nrows; i++)
	{
		if (b->rows[i].kind == LC_ROW_FACT)
			apply_fact(p, b->bytes.data + b->offsets[i], b->users[i]);
		else if (b->rows[i].kind != LC_ROW_USER && b->users[i] != NULL)
			apply_purchase(p, &b->rows[i], b->bytes.data + b->offsets[i], b->users[i]);
	}
	b->nrows = 0;
	resetStringInfo(&b->bytes);
}

/* Append a row's payload to buf, at a 4-byte boundary. */
static void
put_payload(StringInfo buf, const LcRow *row, const char *user, const char *extra,
			const char *id)
{
	char	   *to;
	uint32		len = row->user_len;

	buf->len = INTALIGN(buf->len);
	enlargeStringInfo(buf, row_payload_len(row));
	to = buf->data + buf->len;
	memset(to, 0, row_payload_len(row));
	memcpy(to, &len, sizeof(len));
	memcpy(to + offsetof(LcStr, data), user, row->user_len);
	to += INTALIGN(LC_STR_SIZE(row->user_len));
	/* a NULL extra value, or a user's id, has no bytes (and no pointer) */
	if (row->extra_len > 0)
		memcpy(to, extra, row->extra_len);
	if (row->id_len > 0)
		memcpy(to + INTALIGN(row->extra_len), id, row->id_len);
	buf->len += row_payload_len(row);
	buf->data[buf->len] = '\0';
}

/* Add a row of the pass's part to the batch, applying the batch once full. */
static void
batch_row(LcPass *p, const LcRow *row, const char *user, const char *extra,
		  const char *id)
{
	LcBatch    *b = &p->batch;

	put_payload(&b->bytes, row, user, extra, id);
	b->offsets[b->nrows] = b->bytes.len - row_payload_len(row);
	b->rows[b->nrows++] = *row;
	if (b->nrows == LC_BATCH)
		apply_batch(p);
}

/* The name of a part's file in the call's shared file set. */
static void
file_name(char *name, int proc, int part, bool users)
{
	snprintf(name, MAXPGPATH, "lc.%d.%d.%c", proc, part, users ? 'u' : 'p');
}

/*
 * Take a row of one of our parts: into the batch when its user is in this
 * pass's part, else into its part's file.
 */
static void
take_row(LcPass *p, const LcRow *row, const char *user, const char *extra,
		 const char *id)
{
	int			part = part_of(p->spill, row->hash);
	LcSpillFile **files;

	if (part == p->part)
	{
		batch_row(p, row, user, extra, id);
		return;
	}
	files = row->kind == LC_ROW_USER ? p->spill->users : p->spill->purchases;
	if (files[part] == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(p->c->cxt);
		char		name[MAXPGPATH];

		file_name(name, p->c->proc, part, row->kind == LC_ROW_USER);
		/* rows arrive while the cursor's portal runs, under its owner */
		files[part] = lc_spill_create(p->spill->owner, p->spill->buffer,
									  p->c->share ? &p->c->share->files : NULL, name);
		p->spill->memory += p->spill->buffer;
		MemoryContextSwitchTo(oldcxt);
	}
	lc_spill_write(files[part], row, LC_ROW_FILE_SIZE);
	lc_spill_write(files[part], user, row->user_len);
	lc_spill_write(files[part], extra, row->extra_len);
	lc_spill_write(files[part], id, row->id_len);
}

static void
text_bytes(Datum value, const char **data, uint32 *len)
{
	text	   *t = DatumGetTextPP(value);

	*data = VARDATA_ANY(t);
	*len = VARSIZE_ANY_EXHDR(t);
}

/* Column col of the row being read: formed now, and the ones before it. */
static inline Datum
column(const LcPass *p, TupleTableSlot *slot, int col, bool *isnull)
{
	return slot_getattr(slot, p->positions[col], isnull);
}

/* A row of dim_user read by the scan. */
static bool
read_user(TupleTableSlot *slot, void *arg)
{
	LcPass	   *p = arg;
	LcRow		row = {0};
	const char *user;
	const char *branch = NULL;
	Datum		value;
	bool		isnull;

	value = column(p, slot, LC_USER_ID, &isnull);
	if (isnull)					/* nobody */
		return true;
	text_bytes(value, &user, &row.user_len);
	row.hash = lc_hash(user, row.user_len);
	if (!part_is_ours(p->c, p->spill, part_of(p->spill, row.hash)))
		return true;			/* a parallel worker's user: nothing more to form */
	row.kind = LC_ROW_USER;
	value = column(p, slot, LC_USER_CREATED, &row.created_null);
	if (!row.created_null)
		row.created = lc_instant(value, p->types[LC_USER_CREATED]);
	value = column(p, slot, LC_USER_BRANCH, &row.extra_null);
	if (!row.extra_null)
		text_bytes(value, &branch, &row.extra_len);
	take_row(p, &row, user, branch, NULL);
	return pass_fits(p);
}

/* A row of a purchase table read by the scan. */
static bool
read_purchase(TupleTableSlot *slot, void *arg)
{
	LcPass	   *p = arg;
	LcRow		row = {0};
	const char *user;
	const char *id;
	const char *details = NULL;
	Datum		value;
	bool		isnull;

	value = column(p, slot, LC_PURCHASE_USER, &isnull);
	if (isnull)					/* not in the report */
		return true;
	text_bytes(value, &user, &row.user_len);
	row.hash = lc_hash(user, row.user_len);
	if (!part_is_ours(p->c, p->spill, part_of(p->spill, row.hash)))
		return true;			/* a parallel worker's user: nothing more to form */
	value = column(p, slot, LC_PURCHASE_ID, &isnull);
	if (isnull)					/* not in the report either */
		return true;
	row.kind = p->kind;
	text_bytes(value, &id, &row.id_len);
	value = column(p, slot, LC_PURCHASE_CREATED, &row.created_null);
	if (!row.created_null)
		row.created = lc_instant(value, p->types[LC_PURCHASE_CREATED]);
	value = column(p, slot, LC_PURCHASE_AT, &isnull);
	row.undated = isnull && row.created_null;
	row.when = !isnull ? lc_instant(value, p->types[LC_PURCHASE_AT]) : row.created;
	value = column(p, slot, LC_PURCHASE_DETAILS, &row.extra_null);
	if (!row.extra_null)
		details = lc_details_bytes(value, p->types[LC_PURCHASE_DETAILS], &row.extra_len);
	take_row(p, &row, user, details, id);
	return pass_fits(p);
}

/*
 * Diffing: a row of the Part 1 facts, as its user id and the digest of its
 * columns.
 */
static bool
read_fact(TupleTableSlot *slot, void *arg)
{
	LcPass	   *p = arg;
	LcRow		row = {0};
	Datum		values[EV_NCOLUMNS];
	bool		nulls[EV_NCOLUMNS];
	LcFactRow	fact;
	const char *user;
	int			i;

	values[EV_USER_ID] = column(p, slot, EV_USER_ID, &nulls[EV_USER_ID]);
	if (nulls[EV_USER_ID])		/* not a row leadconv wrote: it goes */
		return true;
	text_bytes(values[EV_USER_ID], &user, &row.user_len);
	row.hash = lc_hash(user, row.user_len);
	if (!part_is_ours(p->c, p->spill, part_of(p->spill, row.hash)))
		return true;
	for (i = EV_USER_ID + 1; i < EV_NCOLUMNS; i++)
		values[i] = column(p, slot, i, &nulls[i]);
	lc_digest_event(&p->c->diff->seeds, values, nulls, &fact.digest);
	fact.kinds = lc_kinds_bought(nulls);
	row.kind = LC_ROW_FACT;
	row.extra_len = sizeof(LcFactRow);
	take_row(p, &row, user, (const char *) &fact, NULL);
	return pass_fits(p);
}

/*
 * Read a table for the first pass (of the requested users, if any); rows
 * without a user_id, or purchases without an id, are skipped as they come,
 * which costs less than a WHERE clause.  False when the pass outgrew the
 * budget.
 */
static bool
scan_table(LcPass *p, LcSourceTable *t, int kind, LcRowFn fn)
{
	StringInfoData query;
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		args[1];
	int			nargs = 0;

	initStringInfo(&query);
	lc_source_scan(&query, t, p->positions);
	if (p->c->user_ids != NULL)
	{
		appendStringInfoString(&query, " WHERE s.user_id::pg_catalog.text = ANY ($1)");
		args[nargs++] = PointerGetDatum(p->c->user_ids);
	}
	p->kind = kind;
	p->types = t->types;
	lc_scan(query.data, nargs, argtypes, args, fn, p);
	pfree(query.data);
	apply_batch(p);
	return pass_fits(p);
}

/* Read back the rows of a part's file (from its start), and delete it. */
static void
read_file(LcPass *p, LcSpillFile *file)
{
	StringInfoData payload;
	LcRow		row;

	if (file == NULL)
		return;
	initStringInfo(&payload);
	memset(&row, 0, sizeof(LcRow));
	while (lc_spill_read(file, &row, LC_ROW_FILE_SIZE))
	{
		Size		len = (Size) row.user_len + row.extra_len + row.id_len;

		CHECK_FOR_INTERRUPTS();
		enlargeStringInfo(&payload, len);
		if (!lc_spill_read(file, payload.data, len))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("leadconv temporary file ends in the middle of a row")));
		batch_row(p, &row, payload.data, payload.data + row.user_len,
				  payload.data + row.user_len + row.extra_len);
	}
	apply_batch(p);
	pfree(payload.data);
	/*
	 * The pass holds what it needs: deleting the file now frees its page
	 * cache for the rows the pass emits into the tuplestore, and the disk it
	 * took, before the next part's files are read.
	 */
	lc_spill_close(file);
}

/* The memory of the passes: made once, reused by each part in turn. */
static void
pass_init(LcPass *p, LcCompute *c, LcSpill *spill)
{
	MemoryContext oldcxt;

	memset(p, 0, sizeof(LcPass));
	p->c = c;
	p->spill = spill;
	p->cxt = AllocSetContextCreate(c->cxt, "leadconv pass", ALLOCSET_DEFAULT_SIZES);
	p->users = lc_strhash_create(p->cxt, 1024, NULL);
	p->cmpcxt = AllocSetContextCreate(p->cxt, "leadconv comparisons", ALLOCSET_DEFAULT_SIZES);
	p->probe_size = LC_STR_SIZE(64);
	p->probe = MemoryContextAlloc(p->cxt, p->probe_size);
	oldcxt = MemoryContextSwitchTo(p->cxt);
	initStringInfo(&p->batch.bytes);
	MemoryContextSwitchTo(oldcxt);
}

static void
pass_start(LcPass *p, int part)
{
	p->part = part;
	p->gone = NULL;
	lc_strhash_reset(p->users);
	arena_reset(&p->user_arena);
	arena_reset(&p->data_arena);
}

/* Emit every user of the pass; their purchases are fetched a few ahead. */
static void
pass_emit(LcPass *p)
{
	LcUserWalk	walk = {p->user_arena.first, p->user_arena.last, 0};
	LcUserWalk	ahead = walk;
	LcUser	   *u;
	int			i;

	for (i = 0; i < 4; i++)
		(void) next_user(&ahead);
	while ((u = next_user(&walk)) != NULL)
	{
		LcUser	   *next = next_user(&ahead);

		CHECK_FOR_INTERRUPTS();
		if (next != NULL)
		{
			int			kind;

			for (kind = 0; kind < LC_NKINDS; kind++)
				lc_prefetch(next->first[kind].data);
		}
		p->c->emit(p->c, u, p->c->emit_arg);
	}
	for (; p->gone != NULL; p->gone = p->gone->next)
	{
		CHECK_FOR_INTERRUPTS();
		p->c->diff->gone(p->c, &p->gone->user_id, &p->gone->fact, p->c->emit_arg);
	}
	p->c->passes++;
}

/*
 * Be done with every file of the parts: end is lc_spill_close() (close and
 * delete) or, with workers, lc_spill_keep().
 */
static void
spill_end(LcSpill *spill, void (*end) (LcSpillFile *f))
{
	int			part;

	for (part = 0; part < (1 << spill->bits); part++)
	{
		if (spill->users[part] != NULL)
			end(spill->users[part]);
		if (spill->purchases[part] != NULL)
			end(spill->purchases[part]);
		spill->users[part] = spill->purchases[part] = NULL;
	}
	spill->memory = 0;
}

/* Compute a part from its two files, which are deleted once read. */
static void
compute_part(LcPass *p, LcSpillFile *users, LcSpillFile *purchases)
{
	pass_start(p, -1);
	read_file(p, users);
	read_file(p, purchases);
	pass_emit(p);
}

/*
 * Compute a part another process may also want, if nobody has taken it:
 * with workers, a process that has computed its own parts takes the parts
 * of another that it has not begun, so that the processes finish together
 * however the shares were set.
 */
static void
compute_shared_part(LcPass *p, int proc, int part)
{
	LcShare    *share = p->c->share;
	char		name[MAXPGPATH];
	LcSpillFile *users;

	if (pg_atomic_exchange_u32(&share->taken[proc][part], 1) != 0)
		return;
	file_name(name, proc, part, true);
	users = lc_spill_open(&share->files, name, p->spill->buffer);
	file_name(name, proc, part, false);
	compute_part(p, users, lc_spill_open(&share->files, name, p->spill->buffer));
}

/*
 * With workers, once the tables are read: keep this process's files for
 * whichever process takes each part, and offer those parts.
 */
static void
share_parts(LcCompute *c, LcSpill *spill, int first)
{
	int			part;

	spill_end(spill, lc_spill_keep);
	for (part = 0; part < (1 << spill->bits); part++)
		if (part != first && part_is_ours(c, spill, part))
			pg_atomic_write_u32(&c->share->taken[c->proc][part], 0);
	pg_write_barrier();
	pg_atomic_write_u32(&c->share->ready[c->proc], 1 + spill->bits);
}

/* Compute the parts of other processes that nobody has taken, last first. */
static void
take_others_parts(LcPass *p)
{
	LcShare    *share = p->c->share;
	int			proc;

	for (proc = 0; proc < LC_MAX_PROCS; proc++)
	{
		uint32		ready = pg_atomic_read_u32(&share->ready[proc]);
		int			part;

		if (proc == p->c->proc || ready == 0)
			continue;			/* still reading, or not there */
		pg_read_barrier();
		for (part = (1 << (ready - 1)) - 1; part >= 0; part--)
			compute_shared_part(p, proc, part);
	}
}

/* How many bits of parts the users of dim_user should take, by estimate. */
int
lc_first_bits(const LcCompute *c)
{
	double		users;
	Size		part = Min(c->budget, LC_PART_TARGET);
	int			bits = 0;

	if (c->user_ids != NULL)
		return 0;
	users = lc_reltuples(c->sources[LC_USER].relid);
	while (bits < LC_MAX_BITS && users * LC_USER_BYTES_GUESS / (1 << bits) > part)
		bits++;
	return bits;
}

/*
 * Compute every user (or every requested user), calling c->emit for each.
 * The first part is computed while the tables are read, rows of the other
 * parts spilling to files; if the first part outgrows the budget all the
 * same (the estimate was wrong), it starts over in twice as many parts.
 */
void
lc_compute(LcCompute *c)
{
	LcSpill		spill = {0};
	LcPass		p;
	int			first = 0;
	int			part;
	int			kind;

	c->passes = 0;
	if (c->share_bits > 0 && c->share_mask == 0)
		return;					/* parallel workers compute every user */
	if (c->branches == NULL)
		lc_load_branches(c);
	spill.owner = CurrentResourceOwner;
	for (spill.bits = Max(lc_first_bits(c), c->share_bits);; spill.bits++)
	{
		bool		fits;

		spill.users = MemoryContextAllocZero(c->cxt, sizeof(LcSpillFile *) << spill.bits);
		spill.purchases = MemoryContextAllocZero(c->cxt, sizeof(LcSpillFile *) << spill.bits);
		/* the buffers of all the files take an eighth of the budget at most */
		spill.buffer = Max(BLCKSZ, Min(LC_SPILL_BUFFER, c->budget / (16 << spill.bits)));
		pass_init(&p, c, &spill);
		/* the first of our parts is computed while the tables are read */
		for (first = 0; !part_is_ours(c, &spill, first); first++)
			;
		pass_start(&p, first);
		fits = scan_table(&p, &c->sources[LC_USER], LC_ROW_USER, read_user);
		for (kind = 0; fits && kind < LC_NKINDS; kind++)
			fits = scan_table(&p, &c->sources[lc_kinds[kind].table], kind, read_purchase);
		if (fits && c->diff != NULL)
			fits = scan_table(&p, &c->diff->facts, LC_ROW_FACT, read_fact);
		if (fits || spill.bits == LC_MAX_BITS)
			break;
		MemoryContextDelete(p.cxt);
		spill_end(&spill, lc_spill_close);
	}
	if (c->share != NULL)
		share_parts(c, &spill, first);
	pass_emit(&p);

	for (part = first + 1; part < (1 << spill.bits); part++)
	{
		if (!part_is_ours(c, &spill, part))
			continue;
		if (c->share != NULL)
		{
			compute_shared_part(&p, c->proc, part);
			continue;
		}
		if (spill.users[part] != NULL)
			lc_spill_rewind(spill.users[part]);
		if (spill.purchases[part] != NULL)
			lc_spill_rewind(spill.purchases[part]);
		compute_part(&p, spill.users[part], spill.purchases[part]);
		spill.users[part] = spill.purchases[part] = NULL;
	}
	if (c->share != NULL)
	{
		take_others_parts(&p);
		pg_atomic_fetch_add_u32(&c->share->passes, c->passes);
	}
	MemoryContextDelete(p.cxt);
	spill_end(&spill, lc_spill_close);
}
