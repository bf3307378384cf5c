/*
 * compute.c
 *		A call's computation of its users, part by part.
 *
 * The users are split into as many parts (parts.c) as their memory needs:
 * the first of this process's parts is computed while the tables are read
 * (pass.c), and the others from their files afterwards, each by a pass over
 * its users (firsts.c), which then emits them.  If the first part outgrows
 * the budget all the same (the estimate was wrong), the tables are read
 * again in twice as many parts.  With parallel workers, a process that has
 * computed its own parts takes those others have not begun.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "compute.h"
#include "pass.h"

/* What a user costs on average, to choose the first number of parts. */
#define LC_USER_BYTES_GUESS 280
/*
 * Parts are made about this size even when the budget would allow larger:
 * a part whose users fit in the processor's last-level cache is computed
 * faster than the rows it sends through a temporary file cost
 * (docs/performance.md has the figures).
 */
#define LC_PART_TARGET (24 * 1024 * 1024)

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

/* Compute a part from its two files, which are deleted once read. */
static void
compute_part(LcPass *p, LcSpillFile *users, LcSpillFile *purchases)
{
	lc_pass_start(p, -1);
	lc_pass_read_files(p, users, purchases);
	lc_pass_emit(p);
}

/*
 * With workers, the purchases other processes wrote of a part of owner's:
 * divided, each process writes those it reads.
 */
static void
read_theirs(LcPass *p, LcParts *parts, int owner, int part)
{
	int			nprocs = lc_parts_nprocs(parts);
	int			writer;

	for (writer = 0; writer < nprocs; writer++)
		if (writer != owner)
			lc_pass_read_files(p, NULL, lc_part_open(parts, owner, part, writer, false));
}

/* With workers: compute a part of owner's, which this process has taken. */
static void
compute_taken(LcPass *p, LcParts *parts, int owner, int part)
{
	lc_pass_start(p, -1);
	lc_pass_read_files(p, lc_part_open(parts, owner, part, owner, true),
					   lc_part_open(parts, owner, part, owner, false));
	if (parts->share->divided)
		read_theirs(p, parts, owner, part);
	lc_pass_emit(p);
}

/* Compute the parts of other processes that nobody has taken, last first. */
static void
take_others_parts(LcPass *p, LcParts *parts)
{
	int			proc;

	for (proc = 0; proc < LC_MAX_PROCS; proc++)
	{
		int			part;

		if (proc == parts->proc)
			continue;
		for (part = lc_parts_ready(parts, proc) - 1; part >= 0; part--)
			if (lc_part_take(parts, proc, part))
				compute_taken(p, parts, proc, part);
	}
}

/*
 * Compute every user (or every requested user), calling c->emit for each.
 */
void
lc_compute(LcCompute *c)
{
	LcParts		parts = {0};
	LcPass		p;
	int			first = 0;
	int			part;

	c->passes = 0;
	if (c->share_bits > 0 && c->share_mask == 0 && !c->share->divided)
		return;					/* parallel workers compute every user */
	if (c->branches == NULL)
		c->branches = lc_load_branches(&c->sources[LC_BRANCH], c->cxt);
	parts.proc = c->proc;
	parts.share = c->share;
	parts.share_bits = c->share_bits;
	parts.share_mask = c->share_mask;
	for (parts.bits = Max(lc_first_bits(c), c->share_bits);; parts.bits++)
	{
		bool		fits;

		lc_parts_init(&parts, parts.bits, Max(c->nprocs, 1), c->budget, c->cxt);
		lc_pass_init(&p, c, &parts);
		p.divided = c->share != NULL && c->share->divided;
		/* the first of our parts is computed while the tables are read */
		for (first = 0; first < (1 << parts.bits) && !lc_part_is_ours(&parts, first); first++)
			;
		lc_pass_start(&p, first);
		fits = lc_pass_scan(&p);
		if (fits || parts.bits == LC_MAX_BITS)
			break;
		MemoryContextDelete(p.cxt);
		lc_parts_end(&parts, lc_spill_close);
	}
	if (p.divided)
	{
		/* every process has chosen its parts: the purchases can go to them */
		lc_parts_users_read(&parts);
		(void) lc_pass_scan_divided(&p);
	}
	if (c->share != NULL)
		lc_parts_offer(&parts, first);
	if (p.divided && pg_atomic_read_u32(&c->share->outgrown) != 0)
	{
		/*
		 * Some process's first part outgrew the budget, as every part may
		 * have: nobody has emitted a row yet, and the caller computes again
		 * without dividing, each process splitting its parts as it needs.
		 * The files go with the call's file set.
		 */
		MemoryContextDelete(p.cxt);
		c->passes = 0;
		return;
	}
	if (p.divided && first < (1 << parts.bits))
		read_theirs(&p, &parts, c->proc, first);
	lc_pass_emit(&p);

	for (part = first + 1; part < (1 << parts.bits); part++)
	{
		if (!lc_part_is_ours(&parts, part))
			continue;
		if (c->share != NULL)
		{
			if (lc_part_take(&parts, c->proc, part))
				compute_taken(&p, &parts, c->proc, part);
			continue;
		}
		if (parts.users[part] != NULL)
			lc_spill_rewind(parts.users[part]);
		if (parts.purchases[part] != NULL)
			lc_spill_rewind(parts.purchases[part]);
		compute_part(&p, parts.users[part], parts.purchases[part]);
		parts.users[part] = parts.purchases[part] = NULL;
	}
	if (c->share != NULL)
	{
		take_others_parts(&p, &parts);
		pg_atomic_fetch_add_u32(&c->share->passes, c->passes);
	}
	MemoryContextDelete(p.cxt);
	lc_parts_end(&parts, lc_spill_close);
}
