/*
 * parts.h
 *		Users split into parts by hash, the files of the parts a pass does
 *		not hold, and the parts shared between the processes of a call.
 */
#ifndef LEADCONV_PARTS_H
#define LEADCONV_PARTS_H

#include "postgres.h"
#include "port/atomics.h"
#include "storage/condition_variable.h"
#include "storage/sharedfileset.h"
#include "utils/resowner.h"

#include "spill.h"

/* At most this many bits of parts (2^LC_MAX_BITS parts). */
#define LC_MAX_BITS 8
/* What the output of a process counts (output.h), at most. */
#define LC_MAX_COUNTS 8
/* At most this many processes share a call: the leader and its workers. */
#define LC_MAX_PROCS 8
/* The users are shared out in at most this many shares (LcCompute's mask). */
#define LC_MAX_SHARES 64

/*
 * What the processes of a parallel call share, in its dynamic shared
 * memory, so that one that has computed its own parts can take the parts
 * another has not begun: the parts' files, named in a shared file set, and
 * per process, whether its files are written and which of its parts are
 * taken.
 *
 * When the processes divide the purchase tables between them (divided),
 * each sends the purchases of another's users to that process's parts
 * through files of its own: it needs to know which process computes each
 * share, and each process's bits of parts once it has read dim_user.
 */
typedef struct LcShare
{
	SharedFileSet files;
	bool		divided;		/* the purchase tables are read in parallel */
	int8		owner[LC_MAX_SHARES];	/* the process that computes each share */
	/* the processes of the call; 0 until the leader knows */
	pg_atomic_uint32 nprocs;
	/* divided: 0 while the process reads dim_user, then 1 + its bits of parts */
	pg_atomic_uint32 user_bits[LC_MAX_PROCS];
	/* divided: how many processes have written all their files */
	pg_atomic_uint32 scanned;
	/* divided: a process's first part outgrew the budget (compute.c) */
	pg_atomic_uint32 outgrown;
	ConditionVariable changed;	/* nprocs, user_bits or scanned did */
	/* 0 while the process reads the tables, then 1 + its bits of parts */
	pg_atomic_uint32 ready[LC_MAX_PROCS];
	/* per process and part: 0 while nobody has taken it */
	pg_atomic_uint32 taken[LC_MAX_PROCS][1 << LC_MAX_BITS];
	pg_atomic_uint32 passes;	/* of every process, once it is done */
	pg_atomic_uint64 counts[LC_MAX_COUNTS];	/* what their outputs counted */
} LcShare;

/* The parts of a process, and the files of those it did not compute yet. */
typedef struct LcParts
{
	int			bits;			/* 2^bits parts */
	int			proc;			/* this process in share: 0 the leader */
	LcShare    *share;			/* with workers; NULL alone */
	int			share_bits;		/* this process's parts: those whose top */
	uint64		share_mask;		/* share_bits bits are a share in share_mask */
	LcSpillFile **users;		/* per part; NULL: none, or read with the tables */
	LcSpillFile **purchases;
	/* divided: purchases of other processes' parts, per process and part */
	LcSpillFile **theirs[LC_MAX_PROCS];
	int			their_bits[LC_MAX_PROCS];
	MemoryContext cxt;			/* the call's */
	ResourceOwner owner;		/* the call's, which the files belong to */
	Size		buffer;			/* of each file */
	Size		memory;			/* of all the files' buffers */
} LcParts;

extern void lc_parts_init(LcParts *parts, int bits, int nprocs, Size budget,
						  MemoryContext cxt);
extern void lc_parts_end(LcParts *parts, void (*end) (LcSpillFile *f));

/* The part of a user: the high bits of its hash (buckets use the low). */
static inline int
lc_part_of(const LcParts *parts, uint32 hash)
{
	return parts->bits == 0 ? 0 : (int) (hash >> (32 - parts->bits));
}

/* Whether this process computes a part, or another one does. */
static inline bool
lc_part_is_ours(const LcParts *parts, int part)
{
	return parts->share_bits == 0 ||
		(parts->share_mask >> (part >> (parts->bits - parts->share_bits)) & 1) != 0;
}

/* The process that computes a user, by its hash (a parallel call). */
static inline int
lc_owner_of(const LcParts *parts, uint32 hash)
{
	return parts->share->owner[hash >> (32 - parts->share_bits)];
}

extern LcSpillFile *lc_part_file(LcParts *parts, int part, bool users);
extern LcSpillFile *lc_their_file(LcParts *parts, int owner, uint32 hash);
extern void lc_parts_started(LcShare *share, int nprocs);
extern void lc_parts_users_read(LcParts *parts);
extern void lc_parts_offer(LcParts *parts, int first);
extern bool lc_part_take(LcParts *parts, int proc, int part);
extern LcSpillFile *lc_part_open(LcParts *parts, int owner, int part, int writer,
								 bool users);
extern int	lc_parts_ready(const LcParts *parts, int proc);
extern int	lc_parts_nprocs(LcParts *parts);

#endif							/* LEADCONV_PARTS_H */
