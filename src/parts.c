/*
 * parts.c
 *		Users split into parts by hash, the files of the parts a pass does
 *		not hold, and the parts shared between the processes of a call.
 *
 * When the users would not fit in leadconv.work_mem they are split into
 * parts by the high bits of a hash of user_id, as a hash join splits its
 * batches: the first part is computed while the tables are read, the rows
 * of the others go to temporary files (spill.c), one for its users and one
 * for its purchases, and each of those parts is computed from its files
 * afterwards.  Each table is still read only once.
 *
 * With parallel workers, the parts are shared out by the top bits of the
 * same hash, and the files are named in the call's shared file set: a
 * process that has computed its own parts takes the parts of another that
 * it has not begun, each part taken once through an atomic flag, so that
 * the processes finish together however the shares were set.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "parts.h"

/*
 * The buffer of a temporary file, at most.  Larger buffers make fewer
 * system calls but leave the processor's cache before they are written:
 * the kernel copies them into the page cache more slowly (figures in
 * docs/performance.md).
 */
#define LC_SPILL_BUFFER (64 * 1024)

/* 2^bits parts, of which none has a file yet. */
void
lc_parts_init(LcParts *parts, int bits, Size budget, MemoryContext cxt)
{
	parts->bits = bits;
	parts->cxt = cxt;
	parts->owner = CurrentResourceOwner;
	parts->users = MemoryContextAllocZero(cxt, sizeof(LcSpillFile *) << bits);
	parts->purchases = MemoryContextAllocZero(cxt, sizeof(LcSpillFile *) << bits);
	/* the buffers of all the files take an eighth of the budget at most */
	parts->buffer = Max(BLCKSZ, Min(LC_SPILL_BUFFER, budget / (16 << bits)));
	parts->memory = 0;
}

/* The name of a part's file in the call's shared file set. */
static void
file_name(char *name, int proc, int part, bool users)
{
	snprintf(name, MAXPGPATH, "lc.%d.%d.%c", proc, part, users ? 'u' : 'p');
}

/* The file of a part's users, or of its purchases, made when first written. */
LcSpillFile *
lc_part_file(LcParts *parts, int part, bool users)
{
	LcSpillFile **files = users ? parts->users : parts->purchases;

	if (files[part] == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(parts->cxt);
		char		name[MAXPGPATH];

		file_name(name, parts->proc, part, users);
		/* rows arrive while a cursor's portal runs, under its owner */
		files[part] = lc_spill_create(parts->owner, parts->buffer,
									  parts->share ? &parts->share->files : NULL, name);
		parts->memory += parts->buffer;
		MemoryContextSwitchTo(oldcxt);
	}
	return files[part];
}

/*
 * Be done with every file of the parts: end is lc_spill_close() (close and
 * delete) or, with workers, lc_spill_keep().
 */
void
lc_parts_end(LcParts *parts, void (*end) (LcSpillFile *f))
{
	int			part;

	for (part = 0; part < (1 << parts->bits); part++)
	{
		if (parts->users[part] != NULL)
			end(parts->users[part]);
		if (parts->purchases[part] != NULL)
			end(parts->purchases[part]);
		parts->users[part] = parts->purchases[part] = NULL;
	}
	parts->memory = 0;
}

/*
 * With workers, once the tables are read: keep this process's files for
 * whichever process takes each part, and offer those parts (all of ours
 * but first, computed while the tables were read).
 */
void
lc_parts_offer(LcParts *parts, int first)
{
	int			part;

	lc_parts_end(parts, lc_spill_keep);
	for (part = 0; part < (1 << parts->bits); part++)
		if (part != first && lc_part_is_ours(parts, part))
			pg_atomic_write_u32(&parts->share->taken[parts->proc][part], 0);
	pg_write_barrier();
	pg_atomic_write_u32(&parts->share->ready[parts->proc], 1 + parts->bits);
}

/* How many parts process proc offered: 0 while it still reads the tables. */
int
lc_parts_ready(const LcParts *parts, int proc)
{
	uint32		ready = pg_atomic_read_u32(&parts->share->ready[proc]);

	if (ready == 0)
		return 0;
	pg_read_barrier();
	return 1 << (ready - 1);
}

/*
 * Take part of process proc, if nobody has taken it: true, with its files
 * open to be read.
 */
bool
lc_part_take(LcParts *parts, int proc, int part, LcSpillFile **users,
			 LcSpillFile **purchases)
{
	char		name[MAXPGPATH];

	if (pg_atomic_exchange_u32(&parts->share->taken[proc][part], 1) != 0)
		return false;
	file_name(name, proc, part, true);
	*users = lc_spill_open(&parts->share->files, name, parts->buffer);
	file_name(name, proc, part, false);
	*purchases = lc_spill_open(&parts->share->files, name, parts->buffer);
	return true;
}
