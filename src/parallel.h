/*
 * parallel.h
 *		Parallel workers that compute a share of the users.
 */
#ifndef LEADCONV_PARALLEL_H
#define LEADCONV_PARALLEL_H

#include "postgres.h"
#include "storage/dsm.h"
#include "storage/shm_toc.h"

#include "firsts.h"
#include "output.h"

/* At most this many workers per call. */
#define LC_MAX_WORKERS	7

extern int	lc_max_parallel_workers;

typedef struct LcParallel LcParallel;

extern LcParallel *lc_parallel_begin(LcCompute *c, LcOutput *out);
extern void lc_parallel_collect(LcParallel *par, bool wait);
extern int	lc_parallel_end(LcParallel *par);

extern PGDLLEXPORT void lc_parallel_main(dsm_segment *seg, shm_toc *toc);

#endif							/* LEADCONV_PARALLEL_H */
