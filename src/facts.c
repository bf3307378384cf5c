/*
 * facts.c
 *		The fact tables: where they are, who owns them, acting as their owner
 *		while maintaining them, and what they record of themselves.
 *
 * The facts are shared state: every reader must see the rows the functions
 * give over all the source rows, whoever wrote the sources and however.  So,
 * as REFRESH MATERIALIZED VIEW does, they are computed and written as their
 * owner, in a security-restricted operation, with row-level security off
 * (a policy that would hide source rows from the owner is an error, not
 * fewer facts), whoever triggered it; a writer of the sources needs no
 * privilege on the facts, and only their owner (or a member of its role)
 * may refresh them.
 *
 * Maintenance is serialized by a lock on the extension object, which
 * nothing but maintenance takes (and DROP EXTENSION): readers of the facts,
 * VACUUM, ANALYZE and CREATE INDEX CONCURRENTLY never meet it.
 *
 * leadconv_facts_state holds one row: the schema whose sources the facts
 * hold, and when they were last refreshed and maintained.
 */
#include "postgres.h"

#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "catalog/pg_class.h"

#include "facts.h"
#include "source.h"

static Oid
member_table(const LcFacts *f, const char *name)
{
	Oid			relid = get_relname_relid(name, f->nsp);

	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation \"%s.%s\" does not exist", get_namespace_name(f->nsp), name),
				 errdetail("It is a table of the extension leadconv."),
				 errhint("Update the extension: ALTER EXTENSION leadconv UPDATE.")));
	return relid;
}

static Oid
rel_owner(Oid relid)
{
	HeapTuple	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);
	return owner;
}

/* The fact tables of the extension that func (a function being called) belongs to. */
void
lc_facts_find(LcFacts *f, Oid func)
{
	memset(f, 0, sizeof(LcFacts));
	f->ext = getExtensionOfObject(ProcedureRelationId, func);
	if (!OidIsValid(f->ext))
		elog(ERROR, "function %u is not a member of an extension", func);
	f->nsp = get_func_namespace(func);
	f->schema = quote_identifier(get_namespace_name(f->nsp));
	f->events = member_table(f, "leadconv_fct_client_conversion_events");
	f->conversions = member_table(f, "leadconv_fct_lead_conversions");
	f->state = member_table(f, "leadconv_facts_state");
	f->owner = rel_owner(f->events);
}

/* The facts are maintained together, as their one owner. */
static void
check_one_owner(const LcFacts *f)
{
	if (rel_owner(f->conversions) != f->owner || rel_owner(f->state) != f->owner)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the leadconv fact tables do not have one owner"),
				 errdetail("leadconv_fct_client_conversion_events, leadconv_fct_lead_conversions and leadconv_facts_state are maintained together, as their owner."),
				 errhint("Give all three to one role with ALTER TABLE ... OWNER TO.")));
}

/* Only the facts' owner, or a member of its role, may do action to them. */
void
lc_facts_check_caller(const LcFacts *f, const char *action)
{
	check_one_owner(f);
	if (!has_privs_of_role(GetUserId(), f->owner))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("must be the owner of the leadconv fact tables to %s", action),
				 errdetail("The fact tables are owned by role \"%s\"; leadconv maintains them as that role, whoever asks.",
						   GetUserNameFromId(f->owner, false)),
				 errhint("Run it as that role or a member of it; to let another role maintain the facts, give it leadconv_fct_client_conversion_events, leadconv_fct_lead_conversions and leadconv_facts_state with ALTER TABLE ... OWNER TO.")));
}

/* One maintainer at a time, until the transaction ends. */
void
lc_facts_lock(const LcFacts *f)
{
	LockDatabaseObject(ExtensionRelationId, f->ext, 0, ExclusiveLock);
}

/*
 * Act as the facts' owner until lc_facts_end_owner(), with the settings of
 * internal queries (lc_settings_push()) and row-level security off.  An
 * error on the way is undone by the (sub)transaction's abort.
 */
void
lc_facts_become_owner(const LcFacts *f, LcAsOwner *as)
{
	check_one_owner(f);
	GetUserIdAndSecContext(&as->save_userid, &as->save_sec_context);
	SetUserIdAndSecContext(f->owner, as->save_sec_context | SECURITY_RESTRICTED_OPERATION);
	as->nestlevel = lc_settings_push();
	lc_set_local("row_security", "off");
}

void
lc_facts_end_owner(const LcAsOwner *as)
{
	lc_settings_pop(as->nestlevel);
	SetUserIdAndSecContext(as->save_userid, as->save_sec_context);
}

/* The schema whose sources the facts hold; NULL before the first refresh. */
char *
lc_facts_source_schema(const LcFacts *f)
{
	bool		isnull;
	Datum		value;

	lc_execute_fresh(psprintf("SELECT source_schema FROM %s.leadconv_facts_state", f->schema),
					 0, NULL, NULL, true);
	if (SPI_processed == 0)
		return NULL;
	value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? NULL : pstrdup(NameStr(*DatumGetName(value)));
}

/*
 * The facts hold one schema's sources: a refresh from another schema is an
 * error, which says how to switch on purpose.
 */
void
lc_facts_check_schema(const LcFacts *f, Oid nsp)
{
	char	   *recorded = lc_facts_source_schema(f);
	const char *name = get_namespace_name(nsp);

	if (recorded != NULL && strcmp(recorded, name) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("the leadconv facts hold the source tables of schema \"%s\", not \"%s\"",
						recorded, name),
				 errdetail("leadconv_refresh() found the source tables in schema \"%s\" (through search_path or leadconv.source_schema).",
						   name),
				 errhint("To refresh the facts of \"%s\", SET leadconv.source_schema = '%s'.  To make the facts hold \"%s\" instead, call leadconv_switch_source_schema('%s').",
						 recorded, recorded, name, name)));
}

/* Set columns of the state's row (made again if someone deleted it). */
static void
record(const LcFacts *f, const char *set, int nargs, Oid *types, Datum *args)
{
	char	   *update = psprintf("UPDATE %s.leadconv_facts_state SET %s", f->schema, set);

	if (lc_execute_fresh(update, nargs, types, args, true) > 0)
		return;
	lc_execute_fresh(psprintf("INSERT INTO %s.leadconv_facts_state DEFAULT VALUES", f->schema),
					 0, NULL, NULL, false);
	lc_execute_fresh(update, nargs, types, args, true);
}

void
lc_facts_record_refresh_start(const LcFacts *f, Oid nsp)
{
	Oid			types[1] = {NAMEOID};
	Datum		args[1] = {CStringGetDatum(get_namespace_name(nsp))};

	args[0] = DirectFunctionCall1(namein, args[0]);
	record(f, "source_schema = $1, refresh_started = pg_catalog.clock_timestamp()",
		   1, types, args);
}

void
lc_facts_record_refresh_end(const LcFacts *f, const char *method, int64 users_changed)
{
	Oid			types[3] = {TEXTOID, INT8OID, TIMESTAMPTZOID};
	Datum		args[3] = {CStringGetTextDatum(method), Int64GetDatum(users_changed),
	TimestampTzGetDatum(GetCurrentTimestamp())};

	record(f, "refresh_ended = $3, refresh_method = $1, refresh_users_changed = $2, maintained = $3",
		   3, types, args);
}

void
lc_facts_record_maintained(const LcFacts *f)
{
	record(f, "maintained = pg_catalog.clock_timestamp()", 0, NULL, NULL);
}
