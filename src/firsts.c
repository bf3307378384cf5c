/*
 * firsts.c
 *		Choosing each user's first purchases (SPEC rules 1, 2, 4 and 5).
 *
 * One pass reads dim_user into a hash table of users, then streams each
 * purchase table once, keeping per user only the best purchase of each kind
 * seen so far.  Nothing is sorted and no purchase but the current best is
 * kept, so a pass costs one scan of each table and memory in proportion to
 * its users.  When the users would not fit in leadconv.work_mem, they are
 * split by a hash of user_id into several passes, each reading only its
 * share of every table (the split is done by the scans' WHERE clause).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "details.h"
#include "firsts.h"

/* What a user costs on average, to choose the first number of passes. */
#define LC_USER_BYTES_GUESS 300
/*
 * A pass is split only while it holds enough users for that to help, and
 * into at most LC_MAX_PARTS parts: past that, a pass may exceed the budget.
 */
#define LC_MIN_SPLIT_USERS 1000
#define LC_MAX_PARTS (1 << 16)
#define LC_ARENA_BLOCK (1024 * 1024)

/* One pass over the sources, for the users whose hash falls in its share. */
typedef struct LcPass
{
	LcCompute  *c;
	int			nparts;			/* this pass has the users whose hash ... */
	int			part;			/* ... ends in part, modulo nparts */
	MemoryContext cxt;
	lc_strhash_hash *users;
	LcKind		kind;			/* of the purchases being read */
	Oid		   *types;			/* of the columns of the table being read */
	LcStr	   *probe;			/* key of the row being read */
	uint32		probe_size;
	/* users and purchases are carved out of large blocks */
	char	   *free;
	char	   *free_end;
	Size		allocated;
} LcPass;

static void *
pass_alloc(LcPass *p, Size size)
{
	void	   *chunk;

	size = MAXALIGN(size);
	if ((Size) (p->free_end - p->free) < size)
	{
		Size		block = Max(size, LC_ARENA_BLOCK);

		p->free = MemoryContextAllocHuge(p->cxt, block);
		p->free_end = p->free + block;
		p->allocated += block;
	}
	chunk = p->free;
	p->free += size;
	return chunk;
}

static bool
pass_fits(LcPass *p)
{
	return p->allocated + (Size) p->users->size * sizeof(LcStrEntry) <= p->c->budget ||
		p->users->members < LC_MIN_SPLIT_USERS || p->nparts >= LC_MAX_PARTS;
}

/* A key to look up, in a buffer reused from row to row. */
static const LcStr *
probe_key(LcPass *p, const char *data, uint32 len)
{
	if (LC_STR_SIZE(len) > p->probe_size)
	{
		p->probe_size = Max(LC_STR_SIZE(len), 2 * p->probe_size);
		p->probe = MemoryContextAlloc(p->cxt, p->probe_size);
	}
	p->probe->len = len;
	memcpy(p->probe->data, data, len);
	return p->probe;
}

static const LcStr *
probe_text(LcPass *p, Datum value)
{
	text	   *t = DatumGetTextPP(value);

	return probe_key(p, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
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
read_branch(Datum *values, bool *nulls, void *arg)
{
	LcCompute  *c = arg;
	text	   *id = DatumGetTextPP(values[LC_BRANCH_ID]);
	uint32		len = VARSIZE_ANY_EXHDR(id);
	LcStr	   *probe = palloc(LC_STR_SIZE(len));
	LcStrEntry *entry;
	LcBranch   *b;
	const char *zone = NULL;
	bool		created_null = nulls[LC_BRANCH_CREATED];
	LcInstant	created = 0;
	bool		found;

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

		if (b->zone != NULL)
			b->tz = pg_tzset(b->zone);
	}
}

/*
 * Rule 1: of the rows of a user_id, the earliest created_at wins (NULLs
 * last), then the lowest branch_id in byte order (NULLs last).
 */
static bool
read_user(Datum *values, bool *nulls, void *arg)
{
	LcPass	   *p = arg;
	const LcStr *key = probe_text(p, values[LC_USER_ID]);
	bool		created_null = nulls[LC_USER_CREATED];
	LcInstant	created = created_null ? 0 :
		lc_instant(values[LC_USER_CREATED], p->types[LC_USER_CREATED]);
	text	   *branch = nulls[LC_USER_BRANCH] ? NULL :
		DatumGetTextPP(values[LC_USER_BRANCH]);
	const char *branch_data = branch ? VARDATA_ANY(branch) : NULL;
	uint32		branch_len = branch ? VARSIZE_ANY_EXHDR(branch) : 0;
	LcStrEntry *entry;
	LcUser	   *u;
	bool		found;

	entry = lc_strhash_insert(p->users, key, &found);
	if (!found)
	{
		u = pass_alloc(p, MAXALIGN(sizeof(LcUser)) + LC_STR_SIZE(key->len));
		memset(u, 0, sizeof(LcUser));
		memcpy(lc_record_key(u), key, LC_STR_SIZE(key->len));
		entry->key = lc_record_key(u);
	}
	else
	{
		int			cmp;

		u = lc_key_record(LcUser, entry->key);
		cmp = cmp_instant(created_null, created, u->created_null, u->created);
		if (cmp == 0)
			cmp = cmp_bytes(branch_data, branch_len,
							u->branch_id ? u->branch_id->data : NULL,
							u->branch_id ? u->branch_id->len : 0);
		if (cmp >= 0)
			return pass_fits(p);
	}

	u->created = created;
	u->created_null = created_null;
	u->branch = NULL;
	u->branch_id = NULL;
	if (branch != NULL)
	{
		/* the user's key is stored by now: its probe buffer is free */
		LcStrEntry *b = lc_strhash_lookup(p->c->branches,
										  probe_key(p, branch_data, branch_len));

		if (b != NULL)
		{
			u->branch = lc_key_record(LcBranch, b->key);
			u->branch_id = b->key;
		}
		else
		{
			LcStr	   *copy = pass_alloc(p, LC_STR_SIZE(branch_len));

			memcpy(copy, p->probe, LC_STR_SIZE(branch_len));
			u->branch_id = copy;
		}
	}
	return pass_fits(p);
}

/* A purchase row read into the form it is compared and kept in. */
typedef struct LcCandidate
{
	LcInstant	when;
	LcInstant	created;
	bool		undated;
	bool		created_null;
	const char *id;
	uint32		id_len;
	Datum		details;
	bool		details_null;
} LcCandidate;

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
cmp_candidate(const LcCandidate *a, const LcPurchase *b, Oid details_type)
{
	const char *a_details = NULL;
	const char *b_details = NULL;
	uint32		a_len = 0;
	uint32		b_len = 0;
	int			cmp;

	cmp = cmp_instant(a->undated, a->when, b->undated, b->when);
	if (cmp == 0)
		cmp = cmp_instant(a->created_null, a->created, b->created_null, b->created);
	if (cmp == 0)
		cmp = cmp_bytes(a->id, a->id_len, lc_purchase_id(b), b->id_len);
	if (cmp != 0)
		return cmp;
	if (!a->details_null)
		a_details = details_text(lc_details_bytes(a->details, details_type, &a_len),
								 &a_len, details_type);
	if (!b->details_null)
	{
		b_len = b->details_len;
		b_details = details_text(lc_purchase_details(b), &b_len, details_type);
	}
	return cmp_bytes(a_details, a_len, b_details, b_len);
}

static bool
read_purchase(Datum *values, bool *nulls, void *arg)
{
	LcPass	   *p = arg;
	LcStrEntry *entry = lc_strhash_lookup(p->users, probe_text(p, values[LC_PURCHASE_USER]));
	Oid			details_type = p->types[LC_PURCHASE_DETAILS];
	LcCandidate cand;
	text	   *id;
	LcUser	   *u;
	LcPurchase *best;
	const char *details = NULL;
	uint32		details_len = 0;
	Size		size;

	if (entry == NULL)			/* not a user: an orphan purchase */
		return true;
	u = lc_key_record(LcUser, entry->key);

	id = DatumGetTextPP(values[LC_PURCHASE_ID]);
	cand.id = VARDATA_ANY(id);
	cand.id_len = VARSIZE_ANY_EXHDR(id);
	cand.created_null = nulls[LC_PURCHASE_CREATED];
	cand.created = cand.created_null ? 0 :
		lc_instant(values[LC_PURCHASE_CREATED], p->types[LC_PURCHASE_CREATED]);
	cand.undated = nulls[LC_PURCHASE_AT] && cand.created_null;
	cand.when = !nulls[LC_PURCHASE_AT] ?
		lc_instant(values[LC_PURCHASE_AT], p->types[LC_PURCHASE_AT]) : cand.created;
	cand.details = values[LC_PURCHASE_DETAILS];
	cand.details_null = nulls[LC_PURCHASE_DETAILS];

	best = u->first[p->kind];
	if (best != NULL && cmp_candidate(&cand, best, details_type) >= 0)
		return true;

	/* the new first purchase: keep it, in the old one's place if it fits */
	if (!cand.details_null)
		details = lc_details_bytes(cand.details, details_type, &details_len);
	size = MAXALIGN(details_len) + cand.id_len;
	if (best == NULL || best->capacity < size)
	{
		best = pass_alloc(p, offsetof(LcPurchase, data) + size);
		best->capacity = size;
		u->first[p->kind] = best;
	}
	best->when = cand.when;
	best->created = cand.created;
	best->undated = cand.undated;
	best->created_null = cand.created_null;
	best->details_null = cand.details_null;
	best->details_len = details_len;
	best->id_len = cand.id_len;
	if (details != NULL)
		memcpy(lc_purchase_details(best), details, details_len);
	memcpy(lc_purchase_id(best), cand.id, cand.id_len);
	return pass_fits(p);
}

/*
 * The scan of table for this pass: rows with a user_id (and, for purchases,
 * an id), of the pass's share of users, and of the requested users if any.
 */
static bool
scan_table(LcPass *p, LcTable table, LcRowFn fn)
{
	LcSourceTable *t = &p->c->sources[table];
	StringInfoData query;
	Oid			argtypes[3];
	Datum		args[3];
	int			nargs = 0;

	initStringInfo(&query);
	lc_source_select(&query, t);
	appendStringInfoString(&query, " WHERE s.user_id IS NOT NULL");
	if (table != LC_USER)
		appendStringInfo(&query, " AND s.%s IS NOT NULL",
						 quote_identifier(t->columns[LC_PURCHASE_ID].name));
	if (p->nparts > 1)
	{
		appendStringInfo(&query,
						 " AND (pg_catalog.hashtext(s.user_id::pg_catalog.text) & $%d) = $%d",
						 nargs + 1, nargs + 2);
		argtypes[nargs] = INT4OID;
		args[nargs++] = Int32GetDatum(p->nparts - 1);
		argtypes[nargs] = INT4OID;
		args[nargs++] = Int32GetDatum(p->part);
	}
	if (p->c->user_ids != NULL)
	{
		appendStringInfo(&query, " AND s.user_id::pg_catalog.text = ANY ($%d)", nargs + 1);
		argtypes[nargs] = TEXTARRAYOID;
		args[nargs++] = PointerGetDatum(p->c->user_ids);
	}

	p->types = t->types;
	lc_scan(query.data, nargs, argtypes, args, fn, p);
	pfree(query.data);
	return pass_fits(p);
}

/* Run one pass; false when its users outgrew the budget. */
static bool
run_pass(LcCompute *c, int nparts, int part)
{
	LcPass		p;
	bool		ok;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.nparts = nparts;
	p.part = part;
	p.cxt = AllocSetContextCreate(c->cxt, "leadconv pass", ALLOCSET_DEFAULT_SIZES);
	p.users = lc_strhash_create(p.cxt, 1024, NULL);
	p.probe_size = LC_STR_SIZE(64);
	p.probe = MemoryContextAlloc(p.cxt, p.probe_size);

	ok = scan_table(&p, LC_USER, read_user);
	p.kind = LC_KIND_MEMBERSHIP;
	ok = ok && scan_table(&p, LC_MEMBERSHIP, read_purchase);
	p.kind = LC_KIND_CREDIT_PACK;
	ok = ok && scan_table(&p, LC_CREDIT_PACK, read_purchase);

	if (ok)
	{
		lc_strhash_iterator it;
		LcStrEntry *entry;

		lc_strhash_start_iterate(p.users, &it);
		while ((entry = lc_strhash_iterate(p.users, &it)) != NULL)
			c->emit(c, lc_key_record(LcUser, entry->key), c->emit_arg);
	}
	MemoryContextDelete(p.cxt);
	return ok;
}

/* How many passes the users of dim_user should take, by its statistics. */
static int
first_nparts(LcCompute *c)
{
	double		users;
	int			nparts = 1;

	if (c->user_ids != NULL)
		return 1;
	users = lc_reltuples(c->sources[LC_USER].relid);
	while (nparts < LC_MAX_PARTS && users * LC_USER_BYTES_GUESS / nparts > c->budget)
		nparts *= 2;
	return nparts;
}

/*
 * Compute every user (or every requested user), calling c->emit for each.
 * Passes split users by the low bits of their hash: pass (n, r) has the users
 * whose hash ends in r, in n = 2^k parts.  A pass that outgrows the budget is
 * run again in twice as many parts; done[] records, at the current number of
 * parts, which parts a finished pass covered, so no user is emitted twice.
 */
void
lc_compute(LcCompute *c)
{
	int			nparts;
	int			part;
	bool	   *done;

	lc_load_branches(c);
	nparts = first_nparts(c);
	done = palloc0(sizeof(bool) * nparts);
	c->passes = 0;
	for (part = 0; part < nparts; part++)
	{
		if (done[part])
			continue;
		while (!run_pass(c, nparts, part))
		{
			done = repalloc(done, sizeof(bool) * nparts * 2);
			memcpy(done + nparts, done, sizeof(bool) * nparts);
			nparts *= 2;
		}
		done[part] = true;
		c->passes++;
	}
	pfree(done);
}
