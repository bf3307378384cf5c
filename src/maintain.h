/*
 * maintain.h
 *		Keeping the fact tables fresh as the sources change.
 */
#ifndef LEADCONV_MAINTAIN_H
#define LEADCONV_MAINTAIN_H

#include "postgres.h"
#include "fmgr.h"

extern Datum leadconv_enable_auto_refresh(PG_FUNCTION_ARGS);
extern Datum leadconv_disable_auto_refresh(PG_FUNCTION_ARGS);
extern Datum leadconv_auto_refresh_trigger(PG_FUNCTION_ARGS);

#endif							/* LEADCONV_MAINTAIN_H */
