/*
 * arena.h
 *		Memory carved out of large blocks, freed all at once.
 */
#ifndef LEADCONV_ARENA_H
#define LEADCONV_ARENA_H

#include "postgres.h"

typedef struct LcArenaBlock
{
	struct LcArenaBlock *next;
	Size		used;
	Size		size;
	char		data[FLEXIBLE_ARRAY_MEMBER];
} LcArenaBlock;

typedef struct LcArena
{
	MemoryContext cxt;			/* the blocks' */
	Size		block_size;
	LcArenaBlock *first;
	LcArenaBlock *last;			/* the block in use; later ones are free */
	Size		allocated;
} LcArena;

/* Walking the records of an arena that holds nothing else, in order. */
typedef struct LcArenaWalk
{
	LcArenaBlock *block;
	LcArenaBlock *last;
	Size		offset;
} LcArenaWalk;

extern void lc_arena_init(LcArena *arena, MemoryContext cxt, Size block_size);
extern void *lc_arena_alloc(LcArena *arena, Size size);
extern void lc_arena_reset(LcArena *arena);
extern void lc_arena_walk(const LcArena *arena, LcArenaWalk *walk);
extern void *lc_arena_next(LcArenaWalk *walk, Size (*size) (const void *record));

#endif							/* LEADCONV_ARENA_H */
