/*
 * parallel.h
 *		Parallel workers that compute a share of the users.
 */
#ifndef LEADCONV_PARALLEL_H
#define LEADCONV_PARALLEL_H

#include "postgres.h"
#include "storage/dsm.h"
#include "storage/shm_toc.h"

#include "call.h"
#include "output.h"

/* At most this many workers per call. */
#define LC_MAX_WORKERS	7

extern int	lc_max_parallel_workers;

extern void lc_compute_with_workers(LcCompute *c, LcOutput *out);

extern PGDLLEXPORT void lc_parallel_main(dsm_segment *seg, shm_toc *toc);

#endif							/* LEADCONV_PARALLEL_H */
