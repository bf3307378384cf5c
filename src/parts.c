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
 *
 * When the processes divide the purchase tables between them, a process
 * also writes the purchases it reads of another's users, into files of
 * that process's parts named with the writer; the processes wait for one
 * another twice: once all have read dim_user (each has chosen its parts),
 * and once all have written their files (a part is whole).
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "compat.h"
#include "parts.h"

/*
 * The buffer of a temporary file, at most.  Larger buffers make fewer
 * system calls but leave the processor's cache before they are written:
 * the kernel copies them into the page cache more slowly (figures in
 * docs/performance.md).
 */
#define LC_SPILL_BUFFER (64 * 1024)

/*
 * 2^bits parts, of which none has a file yet; nprocs processes may write
 * files of them.
 */
void
lc_parts_init(LcParts *parts, int bits, int nprocs, Size budget, MemoryContext cxt)
{
	parts->bits = bits;
	parts->cxt = cxt;
	parts->owner = CurrentResourceOwner;
	parts->users = MemoryContextAllocZero(cxt, sizeof(LcSpillFile *) << bits);
	parts->purchases = MemoryContextAllocZero(cxt, sizeof(LcSpillFile *) << bits);
	memset(parts->theirs, 0, sizeof(parts->theirs));
	/* the buffers of all the files take an eighth of the budget at most */
	parts->buffer = Max(BLCKSZ, Min(LC_SPILL_BUFFER, budget / ((Size) (16 << bits) * nprocs)));
	parts->memory = 0;
}

/*
 * The name of a file of a part, in the call's shared file set: of the
 * process that computes it, the part, the process that writes it.
 */
static void
file_name(char *name, int owner, int part, int writer, bool users)
{
	snprintf(name, MAXPGPATH, "lc.%d.%d.%d.%c", owner, part, writer, users ? 'u' : 'p');
}

/*
 * Wait until a counter of the share is at least n.  An error in another
 * process raises it in the leader as it waits, which then ends the others,
 * as in parallel query.
 */
static uint32
wait_for(LcShare *share, pg_atomic_uint32 *counter, uint32 n)
{
	uint32		value;

	ConditionVariablePrepareToSleep(&share->changed);
	while ((value = pg_atomic_read_u32(counter)) < n)
		ConditionVariableSleep(&share->changed, WAIT_EVENT_EXECUTE_GATHER);
	ConditionVariableCancelSleep();
	pg_read_barrier();
	return value;
}

/* Set a counter of the share, and wake whoever waits. */
static void
announce(LcShare *share, pg_atomic_uint32 *counter, uint32 value, bool add)
{
	pg_write_barrier();
	if (add)
		pg_atomic_fetch_add_u32(counter, value);
	else
		pg_atomic_write_u32(counter, value);
	ConditionVariableBroadcast(&share->changed);
}

/* The leader, once it knows how many processes the call has. */
void
lc_parts_started(LcShare *share, int nprocs)
{
	announce(share, &share->nprocs, (uint32) nprocs, false);
}

/* A new file of owner's part, which this process writes, in the parts' memory. */
static LcSpillFile *
create_file(LcParts *parts, int owner, int part, bool users)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(parts->cxt);
	char		name[MAXPGPATH];
	LcSpillFile *file;

	file_name(name, owner, part, parts->proc, users);
	/* rows arrive while a cursor's portal runs, under its owner */
	file = lc_spill_create(parts->owner, parts->buffer,
						   parts->share ? &parts->share->files : NULL, name);
	parts->memory += parts->buffer;
	MemoryContextSwitchTo(oldcxt);
	return file;
}

/* The file of a part's users, or of its purchases, made when first written. */
LcSpillFile *
lc_part_file(LcParts *parts, int part, bool users)
{
	LcSpillFile **files = users ? parts->users : parts->purchases;

	if (files[part] == NULL)
		files[part] = create_file(parts, parts->proc, part, users);
	return files[part];
}

/*
 * Divided: the file of purchases of another process's user (by its hash),
 * in that process's part, made when first written.
 */
LcSpillFile *
lc_their_file(LcParts *parts, int owner, uint32 hash)
{
	int			bits = parts->their_bits[owner];
	int			part = bits == 0 ? 0 : (int) (hash >> (32 - bits));
	LcSpillFile **files = parts->theirs[owner];

	if (files == NULL)
		files = parts->theirs[owner] =
			MemoryContextAllocZero(parts->cxt, sizeof(LcSpillFile *) << bits);
	if (files[part] == NULL)
		files[part] = create_file(parts, owner, part, false);
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
	int			proc;

	for (part = 0; part < (1 << parts->bits); part++)
	{
		if (parts->users[part] != NULL)
			end(parts->users[part]);
		if (parts->purchases[part] != NULL)
			end(parts->purchases[part]);
		parts->users[part] = parts->purchases[part] = NULL;
	}
	for (proc = 0; proc < LC_MAX_PROCS; proc++)
	{
		if (parts->theirs[proc] == NULL)
			continue;
		for (part = 0; part < (1 << parts->their_bits[proc]); part++)
			if (parts->theirs[proc][part] != NULL)
				end(parts->theirs[proc][part]);
		pfree(parts->theirs[proc]);
		parts->theirs[proc] = NULL;
	}
	parts->memory = 0;
}

/* The processes of the call, once the leader knows how many started. */
int
lc_parts_nprocs(LcParts *parts)
{
	return (int) wait_for(parts->share, &parts->share->nprocs, 1);
}

/*
 * Divided, once this process has read dim_user and chosen its parts: say
 * so, and wait until every process has, to know how each splits its users.
 * The processes read dim_user whole, each, so they wait little.
 */
void
lc_parts_users_read(LcParts *parts)
{
	int			nprocs = lc_parts_nprocs(parts);
	int			proc;

	announce(parts->share, &parts->share->user_bits[parts->proc], 1 + parts->bits, false);
	for (proc = 0; proc < nprocs; proc++)
		parts->their_bits[proc] =
			(int) wait_for(parts->share, &parts->share->user_bits[proc], 1) - 1;
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
	if (parts->share->divided)
	{
		/*
		 * A part is whole once every process has written its files; the
		 * processes read equal shares of the purchases, so they wait little.
		 */
		int			nprocs = lc_parts_nprocs(parts);

		announce(parts->share, &parts->share->scanned, 1, true);
		(void) wait_for(parts->share, &parts->share->scanned, (uint32) nprocs);
	}
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

/* Take part of process proc, if nobody has taken it. */
bool
lc_part_take(LcParts *parts, int proc, int part)
{
	return pg_atomic_exchange_u32(&parts->share->taken[proc][part], 1) == 0;
}

/*
 * Open a file of a part, as writer wrote it, to read from the start; NULL
 * if it wrote none.
 */
LcSpillFile *
lc_part_open(LcParts *parts, int owner, int part, int writer, bool users)
{
	char		name[MAXPGPATH];

	file_name(name, owner, part, writer, users);
	return lc_spill_open(&parts->share->files, name, parts->buffer);
}
