/*
 * facts.h
 *		The fact tables: where they are, who owns them, acting as their owner
 *		while maintaining them, and what they record of themselves.
 */
#ifndef LEADCONV_FACTS_H
#define LEADCONV_FACTS_H

#include "postgres.h"

/* The extension's fact tables and its record of them. */
typedef struct LcFacts
{
	Oid			ext;			/* the extension */
	Oid			nsp;			/* its schema */
	const char *schema;			/* quoted */
	Oid			events;			/* leadconv_fct_client_conversion_events */
	Oid			conversions;	/* leadconv_fct_lead_conversions */
	Oid			state;			/* leadconv_facts_state */
	Oid			owner;
} LcFacts;

/* Who the caller was, while leadconv acts as the facts' owner. */
typedef struct LcAsOwner
{
	Oid			save_userid;
	int			save_sec_context;
	int			nestlevel;
} LcAsOwner;

extern void lc_facts_find(LcFacts *f, Oid func);
extern void lc_facts_check_caller(const LcFacts *f, const char *action);
extern void lc_facts_lock(const LcFacts *f);
extern void lc_facts_become_owner(const LcFacts *f, LcAsOwner *as);
extern void lc_facts_end_owner(const LcAsOwner *as);

extern char *lc_facts_source_schema(const LcFacts *f);
extern void lc_facts_check_schema(const LcFacts *f, Oid nsp);
extern void lc_facts_record_refresh_start(const LcFacts *f, Oid nsp);
extern void lc_facts_record_refresh_end(const LcFacts *f, const char *method, int64 users_changed);
extern void lc_facts_record_maintained(const LcFacts *f);

#endif							/* LEADCONV_FACTS_H */
