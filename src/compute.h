/*
 * compute.h
 *		A call's computation of its users, part by part.
 */
#ifndef LEADCONV_COMPUTE_H
#define LEADCONV_COMPUTE_H

#include "postgres.h"

#include "call.h"

extern int	lc_first_bits(const LcCompute *c);
extern void lc_compute(LcCompute *c);

#endif							/* LEADCONV_COMPUTE_H */
