/*
 * columns.c
 *		The columns of Part 1 and Part 2, defined once (columns.h).
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

#include "columns.h"

#define LC_COLUMN_SPEC(index, name, kind) {name, kind},

const LcColumnSpec lc_part1_columns[EV_NCOLUMNS] = {
	LC_PART1_COLUMNS(LC_COLUMN_SPEC)
};

const LcColumnSpec lc_part2_columns[P2_NCOLUMNS] = {
	LC_PART2_COLUMNS(LC_COLUMN_SPEC)
};

const LcKindSpec lc_kinds[LC_NKINDS] = {
	[LC_KIND_MEMBERSHIP] = {LC_MEMBERSHIP, EV_MEMBERSHIP_ID, LC_LABEL_MEMBERSHIP},
	[LC_KIND_CREDIT_PACK] = {LC_CREDIT_PACK, EV_CREDIT_PACK_ID, LC_LABEL_USER_CREDIT},
};

/* The kind of first purchase a purchase table holds. */
LcKind
lc_kind_of_table(LcTable table)
{
	int			kind;

	for (kind = 0; kind < LC_NKINDS; kind++)
		if (lc_kinds[kind].table == table)
			return (LcKind) kind;
	elog(ERROR, "source table %d holds no kind of purchase", (int) table);
}

static const char *const label_names[LC_NLABELS] = {
	[LC_LABEL_LEAD] = "LEAD",
	[LC_LABEL_CLIENT] = "CLIENT",
	[LC_LABEL_MEMBERSHIP] = "MEMBERSHIP",
	[LC_LABEL_USER_CREDIT] = "USER_CREDIT",
	[LC_LABEL_ALL] = "ALL",
};

const char *
lc_label_name(LcLabel which)
{
	return label_names[which];
}

/*
 * A label as text: made once per backend, since it is a constant.
 */
Datum
lc_label(LcLabel which)
{
	static text *labels[LC_NLABELS];

	if (labels[which] == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

		labels[which] = cstring_to_text(label_names[which]);
		MemoryContextSwitchTo(oldcxt);
	}
	return PointerGetDatum(labels[which]);
}

/* "a, b, c", or with a prefix "p.a, p.b, p.c": for SQL text. */
char *
lc_column_list(const LcColumnSpec *columns, int ncolumns, const char *prefix)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; i < ncolumns; i++)
		appendStringInfo(&buf, "%s%s%s", i > 0 ? ", " : "", prefix ? prefix : "",
						 columns[i].name);
	return buf.data;
}

/*
 * The row type's attributes must be these columns, in this order, of text
 * or timestamp: an install script that disagrees with the C code is an
 * error, not rows in the wrong columns.
 */
void
lc_check_row_type(Oid type, const LcColumnSpec *columns, int ncolumns)
{
	TupleDesc	desc = lookup_rowtype_tupdesc(type, -1);
	int			n = 0;
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		Oid			expected;

		if (att->attisdropped)
			continue;
		expected = n < ncolumns && columns[n].kind == LC_COL_TIMESTAMP ?
			TIMESTAMPOID : TEXTOID;
		if (n >= ncolumns || strcmp(NameStr(att->attname), columns[n].name) != 0 ||
			att->atttypid != expected)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("row type %s does not match leadconv's columns", format_type_be(type)),
					 errdetail("Attribute %d is %s of type %s; leadconv expects %s.",
							   n + 1, NameStr(att->attname), format_type_be(att->atttypid),
							   n < ncolumns ? columns[n].name : "no more attributes"),
					 errhint("Reinstall the extension: its SQL script and its library are of different versions.")));
		n++;
	}
	if (n != ncolumns)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("row type %s does not match leadconv's columns", format_type_be(type)),
				 errdetail("It has %d attributes; leadconv expects %d.", n, ncolumns),
				 errhint("Reinstall the extension: its SQL script and its library are of different versions.")));
	ReleaseTupleDesc(desc);
}
