/*
 * exchange.h
 *		Purchase rows passed between the processes of a parallel call.
 */
#ifndef LEADCONV_EXCHANGE_H
#define LEADCONV_EXCHANGE_H

#include "postgres.h"
#include "access/parallel.h"
#include "storage/itemptr.h"
#include "utils/resowner.h"

#include "source.h"
#include "spill.h"

/* Processes of a call: the leader is 0, parallel worker k is k + 1. */
#define LC_MAX_PROCS	8

typedef struct LcExchangeShared LcExchangeShared;

/* A process's handle on the exchange of its call. */
typedef struct LcExchange
{
	LcExchangeShared *shared;
	ParallelContext *pcxt;		/* the leader's: to see workers fail to start */
	int			self;
} LcExchange;

extern Size lc_exchange_size(void);
extern void lc_exchange_init(LcExchange *x, void *space, ParallelContext *pcxt, int bits);
extern void lc_exchange_start(LcExchange *x, const LcSourceTable *sources,
							  int nprocs, bool leader_reads);
extern void lc_exchange_attach(LcExchange *x, void *space, dsm_segment *seg, int self);
extern int	lc_exchange_bits(const LcExchange *x);
extern int	lc_exchange_procs(const LcExchange *x);
extern bool lc_exchange_range(const LcExchange *x, LcTable table,
							  ItemPointerData *from, ItemPointerData *to);
extern LcSpillFile *lc_exchange_create(LcExchange *x, int part,
									   ResourceOwner owner, Size buffer);
extern void lc_exchange_delete(LcExchange *x, int part);
extern void lc_exchange_scanned(LcExchange *x);
extern LcSpillFile *lc_exchange_open(LcExchange *x, int sender, int part, Size buffer);

#endif							/* LEADCONV_EXCHANGE_H */
