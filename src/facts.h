/*
 * facts.h
 *		The materialised fact tables, and filling the brief's own tables.
 */
#ifndef LEADCONV_FACTS_H
#define LEADCONV_FACTS_H

#include "postgres.h"
#include "fmgr.h"

extern Datum leadconv_refresh(PG_FUNCTION_ARGS);
extern Datum leadconv_populate(PG_FUNCTION_ARGS);

#endif							/* LEADCONV_FACTS_H */
