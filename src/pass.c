/*
 * pass.c
 *		One pass: the users of one part, from the rows of their tables.
 *
 * A pass reads dim_user, then each purchase table (and, diffing, the Part 1
 * facts), forming of each row only what it needs, and gives the rows of its
 * part to its users (firsts.c); the rows of other parts of this process go
 * to those parts' files (parts.c), and of a row another process computes
 * only the user_id is formed.  When the processes divide the purchase
 * tables (parallel.c), a purchase of another process's user goes to a file
 * of that process's part instead.  A part not computed while the tables
 * are read is computed from its files later, by a pass of its own.
 *
 * Looking a row's user up is a cache miss or two in a large table, so rows
 * are taken in small batches: first the hash buckets of the whole batch are
 * fetched, then its users, then the rows are applied, and the misses of a
 * batch overlap instead of following one another.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "details.h"
#include "pass.h"

/*
 * The first part is split again (and the tables read again) only while it
 * holds enough users for that to help; past that, and for the parts read
 * back from files, the budget is a target that a pass may exceed.
 */
#define LC_MIN_SPLIT_USERS 1000
/* Rows read back from a file between two calls of the call's tick. */
#define LC_TICK_ROWS 1024
/* Arena blocks: large, but small beside the budget. */
#define LC_ARENA_BLOCK(budget) Max(8192, Min(256 * 1024, (budget) / 32))

#if defined(__GNUC__) || defined(__clang__)
#define lc_prefetch(addr) __builtin_prefetch(addr)
#else
#define lc_prefetch(addr) ((void) 0)
#endif

/* The memory of the passes: made once, reused by each part in turn. */
void
lc_pass_init(LcPass *p, LcCompute *c, LcParts *parts)
{
	MemoryContext oldcxt;

	memset(p, 0, sizeof(LcPass));
	p->c = c;
	p->parts = parts;
	p->cxt = AllocSetContextCreate(c->cxt, "leadconv pass", ALLOCSET_DEFAULT_SIZES);
	lc_users_init(&p->users, c->sources, c->branches, p->cxt, LC_ARENA_BLOCK(c->budget));
	oldcxt = MemoryContextSwitchTo(p->cxt);
	initStringInfo(&p->batch.bytes);
	MemoryContextSwitchTo(oldcxt);
}

/* Start the pass of part (-1: a part read back from its files). */
void
lc_pass_start(LcPass *p, int part)
{
	p->part = part;
	lc_users_reset(&p->users);
}

/* Whether the pass still fits its budget (or is too small to split). */
static bool
pass_fits(LcPass *p)
{
	return lc_users_memory(&p->users) + p->parts->memory <= p->c->budget ||
		p->users.hash->members < LC_MIN_SPLIT_USERS;
}

/*
 * Apply the batch: the hash buckets of all its rows are fetched first, then
 * (for purchases) the users found, then the rows are applied.
 */
static void
apply_batch(LcPass *p)
{
	LcBatch    *b = &p->batch;
	lc_strhash_hash *hash = p->users.hash;
	int			i;

	for (i = 0; i < b->nrows; i++)
		lc_prefetch(&hash->data[b->rows[i].hash & hash->sizemask]);
	for (i = 0; i < b->nrows; i++)
	{
		const char *payload = b->bytes.data + b->offsets[i];
		LcStrEntry *entry;

		if (b->rows[i].kind == LC_ROW_USER)
		{
			lc_apply_user(&p->users, &b->rows[i], payload);
			continue;
		}
		entry = lc_strhash_lookup_hash(hash, row_user(payload), b->rows[i].hash);
		b->users[i] = entry ? lc_key_record(LcUser, entry->key) : NULL;
		if (b->users[i] && b->rows[i].kind >= 0)
			lc_prefetch(&b->users[i]->first[b->rows[i].kind]);
	}
	for (i = 0; i < b->nrows; i++)
	{
		if (b->rows[i].kind == LC_ROW_FACT)
			lc_apply_fact(&p->users, b->bytes.data + b->offsets[i], b->users[i]);
		else if (b->rows[i].kind != LC_ROW_USER && b->users[i] != NULL)
			lc_apply_purchase(&p->users, &b->rows[i], b->bytes.data + b->offsets[i],
							  b->users[i]);
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

/*
 * Take a row of one of our parts: into the batch when its user is in this
 * pass's part, else into its part's file.
 */
static void
take_row(LcPass *p, const LcRow *row, const char *user, const char *extra,
		 const char *id)
{
	int			part = lc_part_of(p->parts, row->hash);
	int			owner = p->parts->proc;
	LcSpillFile *file;

	/* divided, a purchase read here may be another process's */
	if (p->divided && row->kind >= 0)
		owner = lc_owner_of(p->parts, row->hash);
	if (owner != p->parts->proc)
		file = lc_their_file(p->parts, owner, row->hash);
	else if (part == p->part)
	{
		batch_row(p, row, user, extra, id);
		return;
	}
	else
		file = lc_part_file(p->parts, part, row->kind == LC_ROW_USER);
	lc_spill_write(file, row, LC_ROW_FILE_SIZE);
	lc_spill_write(file, user, row->user_len);
	lc_spill_write(file, extra, row->extra_len);
	lc_spill_write(file, id, row->id_len);
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
	if (!lc_part_is_ours(p->parts, lc_part_of(p->parts, row.hash)))
		return true;			/* another process's user: nothing more to form */
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
	if (!p->divided && !lc_part_is_ours(p->parts, lc_part_of(p->parts, row.hash)))
		return true;			/* another process's user: nothing more to form */
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
	if (!lc_part_is_ours(p->parts, lc_part_of(p->parts, row.hash)))
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
 * Read a table (of the requested users, if any); rows without a user_id,
 * or purchases without an id, are skipped as they come, which costs less
 * than a WHERE clause.  False when the pass outgrew the budget.
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

/*
 * The first pass: read every table, the users first, then each kind of
 * purchase, then (diffing) the facts; divided, dim_user alone.  False when
 * the pass outgrew the budget.
 */
bool
lc_pass_scan(LcPass *p)
{
	LcCompute  *c = p->c;
	bool		fits;
	int			kind;

	fits = scan_table(p, &c->sources[LC_USER], LC_ROW_USER, read_user);
	if (p->divided)
		return fits;
	for (kind = 0; fits && kind < LC_NKINDS; kind++)
		fits = scan_table(p, &c->sources[lc_kinds[kind].table], kind, read_purchase);
	if (fits && c->diff != NULL)
		fits = scan_table(p, &c->diff->facts, LC_ROW_FACT, read_fact);
	return fits;
}

/*
 * read_purchase(), divided: when the pass outgrows the budget, the parts
 * cannot be split again (the other processes send rows to them), so every
 * process stops and the call is computed again without dividing.
 */
static bool
read_divided(TupleTableSlot *slot, void *arg)
{
	LcPass	   *p = arg;
	pg_atomic_uint32 *outgrown = &p->parts->share->outgrown;

	if (!read_purchase(slot, arg))
		pg_atomic_write_u32(outgrown, 1);
	return pg_atomic_read_u32(outgrown) == 0;
}

/*
 * Divided, once every process has read dim_user: read this process's
 * share of the blocks of each purchase table, in parallel with the others.
 * False when a process's pass outgrew the budget, and the call must be
 * computed again without dividing.
 */
bool
lc_pass_scan_divided(LcPass *p)
{
	LcCompute  *c = p->c;
	int			kind;

	for (kind = 0; kind < LC_NKINDS; kind++)
	{
		LcSourceTable *t = &c->sources[lc_kinds[kind].table];

		p->kind = kind;
		p->types = t->types;
		memcpy(p->positions, t->attnums, sizeof(AttrNumber) * t->ncolumns);
		lc_scan_parallel(t, c->pscans[kind], read_divided, p);
		apply_batch(p);
		if (!pass_fits(p))
			pg_atomic_write_u32(&p->parts->share->outgrown, 1);
	}
	return pg_atomic_read_u32(&p->parts->share->outgrown) == 0;
}

/* Read back the rows of a part's file (from its start), and delete it. */
static void
read_file(LcPass *p, LcSpillFile *file)
{
	StringInfoData payload;
	LcRow		row;
	int			since_tick = 0;

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
		lc_call_tick(p->c, &since_tick, LC_TICK_ROWS);
	}
	apply_batch(p);
	pfree(payload.data);
	/*
	 * The pass holds what it needs: deleting the file now frees its page
	 * cache for the rows the pass emits, and the disk it took, before the
	 * next part's files are read.
	 */
	lc_spill_close(file);
}

/* A part from its two files (users first), which are deleted once read. */
void
lc_pass_read_files(LcPass *p, LcSpillFile *users, LcSpillFile *purchases)
{
	read_file(p, users);
	read_file(p, purchases);
}

/* Emit every user of the pass; their purchases are fetched a few ahead. */
void
lc_pass_emit(LcPass *p)
{
	LcArenaWalk walk;
	LcArenaWalk ahead;
	LcUser	   *u;
	LcGone	   *g;
	int			i;

	lc_arena_walk(&p->users.users, &walk);
	ahead = walk;
	for (i = 0; i < 4; i++)
		(void) lc_arena_next(&ahead, lc_user_size);
	while ((u = lc_arena_next(&walk, lc_user_size)) != NULL)
	{
		LcUser	   *next = lc_arena_next(&ahead, lc_user_size);

		CHECK_FOR_INTERRUPTS();
		if (next != NULL)
		{
			int			kind;

			for (kind = 0; kind < LC_NKINDS; kind++)
				lc_prefetch(next->first[kind].data);
		}
		p->c->emit(p->c, u, p->c->emit_arg);
	}
	for (g = p->users.gone; g != NULL; g = g->next)
	{
		CHECK_FOR_INTERRUPTS();
		p->c->diff->gone(p->c, &g->user_id, &g->fact, p->c->emit_arg);
	}
	p->c->passes++;
}
