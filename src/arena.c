/*
 * arena.c
 *		Memory carved out of large blocks, never freed one piece at a time:
 *		a pass's users and their first purchases, millions of small records
 *		whose chunk headers palloc would add to each.  A reset keeps the
 *		blocks for the next pass.  An arena that holds records of one kind
 *		only can be walked, visiting them in the order they came.
 */
#include "postgres.h"

#include "utils/memutils.h"

#include "arena.h"

void
lc_arena_init(LcArena *arena, MemoryContext cxt, Size block_size)
{
	memset(arena, 0, sizeof(LcArena));
	arena->cxt = cxt;
	arena->block_size = block_size;
}

void *
lc_arena_alloc(LcArena *arena, Size size)
{
	LcArenaBlock *block = arena->last;
	void	   *chunk;

	size = MAXALIGN(size);
	while (block == NULL || block->size - block->used < size)
	{
		if (block != NULL && block->next != NULL)
		{
			/* a block an earlier pass used, free again */
			block = block->next;
			block->used = 0;
		}
		else
		{
			Size		bytes = Max(size, arena->block_size);
			LcArenaBlock *fresh = MemoryContextAllocHuge(arena->cxt,
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

/* Free everything in the arena, keeping its blocks. */
void
lc_arena_reset(LcArena *arena)
{
	arena->last = arena->first;
	if (arena->first)
		arena->first->used = 0;
}

void
lc_arena_walk(const LcArena *arena, LcArenaWalk *walk)
{
	walk->block = arena->first;
	walk->last = arena->last;
	walk->offset = 0;
}

/* The next record, whose size (as allocated) size() tells; NULL at the end. */
void *
lc_arena_next(LcArenaWalk *walk, Size (*size) (const void *record))
{
	void	   *record;

	while (walk->block != NULL && walk->offset >= walk->block->used)
	{
		walk->block = walk->block == walk->last ? NULL : walk->block->next;
		walk->offset = 0;
	}
	if (walk->block == NULL)
		return NULL;
	record = walk->block->data + walk->offset;
	walk->offset += MAXALIGN(size(record));
	return record;
}
