/*
 * details.c
 *		The name and source of a purchase, from its details JSON (SPEC rule 7).
 *
 * json and text documents are read by a small scanner of our own rather
 * than PostgreSQL's JSON parser: that parser raises errors (on invalid text,
 * or on deep nesting through check_stack_depth()), and SPEC allows no error
 * from data.  The scanner accepts exactly what the json type accepts, keeps
 * no stack on the C stack, and returns the values ->> would return: strings
 * de-escaped, numbers as written, booleans as true/false, and the last of
 * repeated keys.  jsonb documents are read with the jsonb API.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "details.h"

typedef struct JsonScan
{
	const char *p;
	const char *end;
} JsonScan;

/* Where, in the scanned text, the value of a key of the root object is. */
typedef struct FoundValue
{
	char		first;			/* first character of the value; 0: none */
	const char *start;			/* a string's content, or a scalar's token */
	const char *stop;
} FoundValue;

enum
{
	KEY_NAME, KEY_SOURCE, KEY_OTHER
};

static void
skip_ws(JsonScan *s)
{
	while (s->p < s->end &&
		   (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

static int
hex4(const char *p)
{
	int			code = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		char		c = p[i];

		code <<= 4;
		if (c >= '0' && c <= '9')
			code += c - '0';
		else if (c >= 'a' && c <= 'f')
			code += c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			code += c - 'A' + 10;
		else
			return -1;
	}
	return code;
}

/*
 * A string at s->p (its opening quote): sets [start, stop) to its content
 * and moves past the closing quote.  Rejects what the json type rejects:
 * unescaped control characters, unknown escapes, and \u escapes that are not
 * four hex digits or pair surrogates wrongly.
 */
static bool
scan_string(JsonScan *s, const char **start, const char **stop)
{
	bool		want_low = false;	/* a high surrogate waits for its pair */

	s->p++;
	*start = s->p;
	while (s->p < s->end)
	{
		unsigned char c = *s->p;

		if (c == '"')
		{
			if (want_low)
				return false;
			*stop = s->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c != '\\')
		{
			if (want_low)
				return false;
			s->p++;
			continue;
		}
		if (s->end - s->p < 2)
			return false;
		c = s->p[1];
		if (c == 'u')
		{
			int			code;

			if (s->end - s->p < 6 || (code = hex4(s->p + 2)) < 0)
				return false;
			if (code >= 0xD800 && code <= 0xDBFF)
			{
				if (want_low)
					return false;
				want_low = true;
			}
			else if (code >= 0xDC00 && code <= 0xDFFF)
			{
				if (!want_low)
					return false;
				want_low = false;
			}
			else if (want_low)
				return false;
			s->p += 6;
			continue;
		}
		if (want_low || strchr("\"\\/bfnrt", c) == NULL || c == '\0')
			return false;
		s->p += 2;
	}
	return false;
}

static bool
scan_digits(JsonScan *s)
{
	const char *from = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > from;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
scan_number(JsonScan *s)
{
	if (s->p < s->end && *s->p == '-')
		s->p++;
	if (s->p < s->end && *s->p == '0')
		s->p++;
	else if (s->p >= s->end || *s->p < '1' || *s->p > '9' || !scan_digits(s))
		return false;
	if (s->p < s->end && *s->p == '.')
	{
		s->p++;
		if (!scan_digits(s))
			return false;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E'))
	{
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!scan_digits(s))
			return false;
	}
	return true;
}

static bool
scan_word(JsonScan *s, const char *word)
{
	size_t		len = strlen(word);

	if ((size_t) (s->end - s->p) < len || memcmp(s->p, word, len) != 0)
		return false;
	s->p += len;
	return true;
}

/*
 * De-escape the content of a JSON string into buf.  False when text cannot
 * hold the result: \u0000, or a character the server encoding lacks.
 */
static bool
unescape(const char *p, const char *stop, StringInfo buf)
{
	while (p < stop)
	{
		const char *run = p;
		pg_wchar	code;

		while (p < stop && *p != '\\')
			p++;
		appendBinaryStringInfo(buf, run, p - run);
		if (p == stop)
			break;
		switch (p[1])
		{
			case 'b':
				appendStringInfoChar(buf, '\b');
				break;
			case 'f':
				appendStringInfoChar(buf, '\f');
				break;
			case 'n':
				appendStringInfoChar(buf, '\n');
				break;
			case 'r':
				appendStringInfoChar(buf, '\r');
				break;
			case 't':
				appendStringInfoChar(buf, '\t');
				break;
			case 'u':
				code = hex4(p + 2);
				if (code >= 0xD800 && code <= 0xDBFF)
				{
					/* the scanner checked that a low surrogate follows */
					code = 0x10000 + ((code - 0xD800) << 10) + (hex4(p + 8) - 0xDC00);
					p += 6;
				}
				if (code == 0)
					return false;
				if (GetDatabaseEncoding() == PG_UTF8)
				{
					unsigned char utf8[8];

					unicode_to_utf8(code, utf8);
					appendBinaryStringInfo(buf, (char *) utf8, pg_utf_mblen(utf8));
				}
				else if (code < 0x80)
					appendStringInfoChar(buf, (char) code);
				else
					return false;
				p += 4;
				break;
			default:			/* " \ / */
				appendStringInfoChar(buf, p[1]);
				break;
		}
		p += 2;
	}
	return true;
}

static int
key_match(const char *key, Size len)
{
	if (len == 4 && memcmp(key, "name", 4) == 0)
		return KEY_NAME;
	if (len == 6 && memcmp(key, "source", 6) == 0)
		return KEY_SOURCE;
	return KEY_OTHER;
}

/* Which key a member's key string is, compared de-escaped as ->> does. */
static int
key_of(const char *start, const char *stop)
{
	StringInfoData buf;
	int			key = KEY_OTHER;

	if (memchr(start, '\\', stop - start) == NULL)
		return key_match(start, stop - start);
	initStringInfo(&buf);
	if (unescape(start, stop, &buf))
		key = key_match(buf.data, buf.len);
	pfree(buf.data);
	return key;
}

/*
 * Scan one whole JSON document.  Returns false if it is not valid JSON.
 * *root gets the first character of the root value; for a root string,
 * *found[KEY_OTHER] gets its content; for a root object, found[KEY_NAME]
 * and found[KEY_SOURCE] get the last values of those keys.  Containers are
 * tracked on a heap stack, so nesting depth costs no C stack.
 */
static bool
scan_document(const char *text, Size len, char *root, FoundValue *found)
{
	JsonScan	s = {text, text + len};
	char		inline_stack[64];
	char	   *stack = inline_stack;
	int			stack_size = lengthof(inline_stack);
	int			depth = 0;
	int			key = KEY_OTHER;	/* key of the root member being read */
	bool		ok = false;

	memset(found, 0, sizeof(FoundValue) * 3);
	*root = 0;
	for (;;)
	{
		const char *start;
		const char *stop = NULL;
		char		first;

		/* a value */
		skip_ws(&s);
		if (s.p >= s.end)
			goto done;
		first = *s.p;
		start = s.p;
		if (depth == 0)
			*root = first;
		if (first == '{' || first == '[')
		{
			if (depth == 1 && stack[0] == '{' && key != KEY_OTHER)
				found[key].first = first;
			if (depth == stack_size)
			{
				char	   *bigger = palloc(stack_size * 2);

				memcpy(bigger, stack, stack_size);
				if (stack != inline_stack)
					pfree(stack);
				stack = bigger;
				stack_size *= 2;
			}
			stack[depth++] = first;
			s.p++;
			skip_ws(&s);
			if (s.p < s.end && *s.p == (first == '{' ? '}' : ']'))
			{
				s.p++;
				depth--;
			}
			else if (first == '[')
				continue;
			else
				goto member;
		}
		else
		{
			if (first == '"')
			{
				if (!scan_string(&s, &start, &stop))
					goto done;
			}
			else if (first == 't' || first == 'f' || first == 'n')
			{
				if (!scan_word(&s, first == 't' ? "true" : first == 'f' ? "false" : "null"))
					goto done;
			}
			else if (first == '-' || (first >= '0' && first <= '9'))
			{
				if (!scan_number(&s))
					goto done;
			}
			else
				goto done;
			if (stop == NULL)
				stop = s.p;
			if (depth == 0 && first == '"')
				key = KEY_OTHER;
			if ((depth == 1 && stack[0] == '{' && key != KEY_OTHER) ||
				(depth == 0 && first == '"'))
			{
				found[key].first = first;
				found[key].start = start;
				found[key].stop = stop;
			}
		}

		/* after a value: separators and closing brackets */
		for (;;)
		{
			skip_ws(&s);
			if (depth == 0)
			{
				ok = s.p == s.end;
				goto done;
			}
			if (s.p >= s.end)
				goto done;
			if (*s.p == ',')
			{
				s.p++;
				if (stack[depth - 1] == '{')
					goto member;
				break;
			}
			if (*s.p != (stack[depth - 1] == '{' ? '}' : ']'))
				goto done;
			s.p++;
			depth--;
		}
		continue;

		/* an object member's key and colon; its value follows */
member:
		skip_ws(&s);
		if (s.p >= s.end || *s.p != '"' || !scan_string(&s, &start, &stop))
			goto done;
		if (depth == 1)
			key = key_of(start, stop);
		skip_ws(&s);
		if (s.p >= s.end || *s.p != ':')
			goto done;
		s.p++;
	}

done:
	if (stack != inline_stack)
		pfree(stack);
	return ok;
}

static void
value_from_text(const FoundValue *found, LcDetailsValue *out)
{
	StringInfoData buf;

	out->value = NULL;
	switch (found->first)
	{
		case 0:
			out->shape = LC_VALUE_MISSING;
			break;
		case 'n':
			out->shape = LC_VALUE_NULL;
			break;
		case '{':
		case '[':
			out->shape = LC_VALUE_CONTAINER;
			break;
		case '"':
			if (memchr(found->start, '\\', found->stop - found->start) == NULL)
			{
				/* nothing to de-escape: the common case */
				out->shape = LC_VALUE_TEXT;
				out->value = cstring_to_text_with_len(found->start,
													  found->stop - found->start);
				break;
			}
			initStringInfo(&buf);
			if (unescape(found->start, found->stop, &buf))
			{
				out->shape = LC_VALUE_TEXT;
				out->value = cstring_to_text_with_len(buf.data, buf.len);
			}
			else
				out->shape = LC_VALUE_UNREPRESENTABLE;
			pfree(buf.data);
			break;
		default:				/* number, true, false: as written */
			out->shape = LC_VALUE_TEXT;
			out->value = cstring_to_text_with_len(found->start,
												  found->stop - found->start);
			break;
	}
}

/* The object of a text document, or of a JSON string holding one. */
static void
parse_text(const char *data, Size len, LcDetails *out)
{
	FoundValue	found[3];
	char		root;

	if (!scan_document(data, len, &root, found))
	{
		out->shape = LC_DOC_INVALID;
		return;
	}
	if (root == '"')
	{
		StringInfoData inner;
		FoundValue	inner_found[3];
		char		inner_root;

		initStringInfo(&inner);
		if (unescape(found[KEY_OTHER].start, found[KEY_OTHER].stop, &inner) &&
			scan_document(inner.data, inner.len, &inner_root, inner_found) &&
			inner_root == '{')
		{
			out->shape = LC_DOC_DOUBLE_ENCODED;
			value_from_text(&inner_found[KEY_NAME], &out->name);
			value_from_text(&inner_found[KEY_SOURCE], &out->source);
		}
		else
			out->shape = LC_DOC_NOT_OBJECT;
		pfree(inner.data);
		return;
	}
	if (root != '{')
	{
		out->shape = LC_DOC_NOT_OBJECT;
		return;
	}
	out->shape = LC_DOC_OBJECT;
	value_from_text(&found[KEY_NAME], &out->name);
	value_from_text(&found[KEY_SOURCE], &out->source);
}

static void
value_from_jsonb(JsonbContainer *root, const char *key, LcDetailsValue *out)
{
	JsonbValue	v;

	out->value = NULL;
	if (getKeyJsonValueFromContainer(root, key, strlen(key), &v) == NULL)
	{
		out->shape = LC_VALUE_MISSING;
		return;
	}
	out->shape = LC_VALUE_TEXT;
	switch (v.type)
	{
		case jbvString:
			out->value = cstring_to_text_with_len(v.val.string.val, v.val.string.len);
			break;
		case jbvNumeric:
			out->value = cstring_to_text(DatumGetCString(DirectFunctionCall1(numeric_out,
																			 NumericGetDatum(v.val.numeric))));
			break;
		case jbvBool:
			out->value = cstring_to_text(v.val.boolean ? "true" : "false");
			break;
		case jbvNull:
			out->shape = LC_VALUE_NULL;
			break;
		default:
			out->shape = LC_VALUE_CONTAINER;
			break;
	}
}

static void
parse_jsonb(Jsonb *jb, LcDetails *out)
{
	JsonbValue	scalar;

	if (JB_ROOT_IS_OBJECT(jb))
	{
		out->shape = LC_DOC_OBJECT;
		value_from_jsonb(&jb->root, "name", &out->name);
		value_from_jsonb(&jb->root, "source", &out->source);
	}
	else if (JB_ROOT_IS_SCALAR(jb) && JsonbExtractScalar(&jb->root, &scalar) &&
			 scalar.type == jbvString)
	{
		parse_text(scalar.val.string.val, scalar.val.string.len, out);
		/* a string holding anything but an object is not an object */
		if (out->shape == LC_DOC_OBJECT)
			out->shape = LC_DOC_DOUBLE_ENCODED;
		else
		{
			out->shape = LC_DOC_NOT_OBJECT;
			out->name.shape = out->source.shape = LC_VALUE_MISSING;
			out->name.value = out->source.value = NULL;
		}
	}
	else
		out->shape = LC_DOC_NOT_OBJECT;
}

/*
 * A details value as lc_details_parse() reads it: the content of json or
 * text, or the whole (detoasted) jsonb varlena.
 */
const char *
lc_details_bytes(Datum details, Oid type, uint32 *len)
{
	if (type == JSONBOID)
	{
		Jsonb	   *jb = DatumGetJsonbP(details);

		*len = VARSIZE(jb);
		return (const char *) jb;
	}
	else
	{
		text	   *t = DatumGetTextPP(details);

		*len = VARSIZE_ANY_EXHDR(t);
		return VARDATA_ANY(t);
	}
}

void
lc_details_parse(const char *data, Size len, Oid type, LcDetails *out)
{
	out->name.shape = out->source.shape = LC_VALUE_MISSING;
	out->name.value = out->source.value = NULL;
	if (data == NULL)
		out->shape = LC_DOC_NULL;
	else if (type == JSONBOID)
		parse_jsonb((Jsonb *) data, out);
	else
		parse_text(data, len, out);
}
