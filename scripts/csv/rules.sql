-- The CSV loader's rules for values (begin.sql includes this file; see
-- docs/csv-loading.md).  file.sql applies lc_convert() to the values that
-- lc_plain() cannot pass as they are (or, in a JSON column where every
-- value is valid, to the word NULL), in one statement per column.
--
-- Deciding whether a value is valid input for a type means trying it.  On
-- PostgreSQL 16 and later pg_input_is_valid() does that without an error;
-- on 15 only a subtransaction can catch the error, so lc_plain() passes the
-- usual shapes (an ISO timestamp, a flat JSON object) by their text alone,
-- and subtransactions are left to the few values of other shapes.

-- Valid input of type typ?
SELECT current_setting('server_version_num')::integer >= 160000 AS lc_has_input_is_valid \gset
\if :lc_has_input_is_valid
CREATE FUNCTION pg_temp.lc_valid(v text, typ text) RETURNS boolean
LANGUAGE sql STABLE AS $f$
    SELECT pg_input_is_valid(v, typ)
$f$;
\else
CREATE FUNCTION pg_temp.lc_valid(v text, typ text) RETURNS boolean
LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM pg_temp.lc_cast(v, typ);
    RETURN true;
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END
$f$;
\endif

-- v read as typ, as text (an error when it is not valid input).
CREATE FUNCTION pg_temp.lc_cast(v text, typ text) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE r text;
BEGIN
    IF typ = 'timestamp without time zone' THEN
        RETURN v::timestamp::text;
    ELSIF typ = 'json' THEN
        RETURN v::json::text;
    END IF;
    EXECUTE format('SELECT ($1::%s)::text', typ) INTO r USING v;
    RETURN r;
END
$f$;

-- An ISO timestamp that PostgreSQL surely reads: digits in their places, a
-- real date, hours to 23, seconds to 59, at most 6 fraction digits.  (Its
-- input takes more, such as 24:00:00: those go the longer way.)
CREATE FUNCTION pg_temp.lc_plain_timestamp(v text) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $f$
    SELECT CASE WHEN v ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?$'
           THEN substr(v, 1, 4)::integer >= 1
                AND substr(v, 6, 2)::integer BETWEEN 1 AND 12
                AND substr(v, 9, 2)::integer BETWEEN 1 AND
                    (ARRAY[31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[substr(v, 6, 2)::integer]
                    + (substr(v, 6, 2) = '02' AND substr(v, 1, 4)::integer % 4 = 0
                       AND (substr(v, 1, 4)::integer % 100 <> 0 OR substr(v, 1, 4)::integer % 400 = 0))::integer
                AND coalesce(nullif(substr(v, 12, 2), '')::integer, 0) <= 23
                AND coalesce(nullif(substr(v, 15, 2), '')::integer, 0) <= 59
                AND coalesce(nullif(substr(v, 18, 2), '')::integer, 0) <= 59
           ELSE false END
$f$;

-- JSON that PostgreSQL surely reads: a scalar, or an object of scalars (no
-- \u escapes).  Nesting is more than a regular expression can check.
DO $do$
DECLARE
    ws constant text := '[ \t\n\r]*';
    str constant text := '"(?:[^"\\[:cntrl:]]|\\["\\/bfnrt])*"';
    scalar constant text :=
        format('(?:%s|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null)', str);
    member constant text := format('%1$s%2$s%1$s:%1$s%3$s%1$s', ws, str, scalar);
BEGIN
    EXECUTE format('CREATE FUNCTION pg_temp.lc_plain_json(v text) RETURNS boolean
                    LANGUAGE sql IMMUTABLE AS %L',
                   format('SELECT v ~ %L',
                          format('^%1$s(?:\{(?:%2$s(?:,%2$s)*|%1$s)\}|%3$s)%1$s$', ws, member, scalar)));
END
$do$;

-- A value that is loaded as it is, and recorded nowhere.
CREATE FUNCTION pg_temp.lc_plain(v text, kind text, maxlen integer) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $f$
    SELECT CASE kind WHEN 'text' THEN v <> 'NULL' AND (maxlen IS NULL OR char_length(v) <= maxlen)
                     WHEN 'timestamp' THEN pg_temp.lc_plain_timestamp(v)
                     WHEN 'json' THEN pg_temp.lc_plain_json(v)
                     ELSE false END
$f$;

-- Whether every value of column col of lc_stage but the word NULL is valid
-- JSON: then only the word NULL needs the rules.  One statement, and one
-- subtransaction, for the whole column.
CREATE FUNCTION pg_temp.lc_all_json(col text) RETURNS boolean
LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE format('SELECT count(%1$I::json) FROM lc_stage WHERE %1$I <> %2$L', col, 'NULL');
    RETURN true;
EXCEPTION WHEN OTHERS THEN
    RETURN false;
END
$f$;

-- v read as typ, as text; NULL when it is not valid input.
CREATE FUNCTION pg_temp.lc_try(v text, typ text) RETURNS text
LANGUAGE plpgsql AS $f$
BEGIN
    IF v IS NULL OR NOT (typ = 'timestamp without time zone' AND pg_temp.lc_plain_timestamp(v)
                         OR typ = 'json' AND pg_temp.lc_plain_json(v)
                         OR pg_temp.lc_valid(v, typ)) THEN
        RETURN NULL;
    END IF;
    RETURN pg_temp.lc_cast(v, typ);
END
$f$;

-- The rules: what is loaded for a non-NULL value v of a column (kind, type,
-- maximum length), and why (reason: a load_rejects row; note: a NOTE line).
CREATE FUNCTION pg_temp.lc_convert(v text, quoted boolean, kind text, typ text, maxlen integer,
                                   OUT loaded text, OUT reason text, OUT note text)
LANGUAGE plpgsql AS $f$
DECLARE
    iso constant text := '\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?';
    m text[];
BEGIN
    IF v IS NULL THEN
        RETURN;
    END IF;
    IF NOT quoted AND v = 'NULL' THEN
        reason := 'the word NULL: read as SQL NULL';
        RETURN;
    END IF;
    IF kind = 'text' THEN
        IF maxlen IS NOT NULL AND char_length(v) > maxlen THEN
            reason := format('longer than %s characters: loaded as NULL', maxlen);
        ELSE
            loaded := v;
        END IF;
    ELSIF v ~ '^[[:space:]]*$' THEN
        reason := 'empty string: read as NULL';
    ELSIF kind = 'timestamp' THEN
        IF v ~ ('^' || iso || '$') THEN
            loaded := pg_temp.lc_try(v, typ);
            IF loaded IS NULL THEN
                reason := 'not a valid timestamp: loaded as NULL';
            END IF;
        ELSIF v ~ '^\d{4}-\d\d-\d\d\d\d:\d\d(:\d\d(\.\d+)?)?$' THEN
            loaded := pg_temp.lc_try(left(v, 10) || ' ' || substr(v, 11), typ);
            reason := CASE WHEN loaded IS NULL THEN 'not a valid timestamp: loaded as NULL'
                           ELSE 'date and time glued together: read with a space between' END;
        ELSE
            m := regexp_match(v, '^(' || iso || ') ?(Z|UTC|[+-]\d\d(?::?\d\d)?)$');
            IF m IS NOT NULL AND m[2] ~ '^(Z|UTC|[+-]00(:?00)?)$' THEN
                loaded := pg_temp.lc_try(m[1], typ);
                IF loaded IS NULL THEN
                    reason := 'not a valid timestamp: loaded as NULL';
                ELSE
                    note := 'UTC offset of zero dropped (the same UTC wall clock)';
                END IF;
            ELSIF m IS NOT NULL THEN
                loaded := pg_temp.lc_try(
                    (pg_temp.lc_try(m[1] || m[2], 'timestamptz')::timestamptz AT TIME ZONE 'UTC')::text,
                    typ);
                reason := CASE WHEN loaded IS NULL THEN 'not a valid timestamp: loaded as NULL'
                               ELSE 'UTC offset: converted to the UTC wall clock' END;
            ELSE
                loaded := pg_temp.lc_try(v, typ);
                reason := CASE WHEN loaded IS NULL THEN 'not a timestamp: loaded as NULL'
                               ELSE 'not ISO 8601: read by PostgreSQL''s timestamp input' END;
            END IF;
        END IF;
    ELSIF kind = 'json' THEN
        IF pg_temp.lc_try(v, typ) IS NULL THEN
            reason := 'not valid JSON: loaded as NULL';
        ELSE
            loaded := v;
        END IF;
    ELSE
        loaded := pg_temp.lc_try(v, typ);
        IF loaded IS NULL THEN
            reason := format('not a valid %s: loaded as NULL', typ);
        END IF;
    END IF;
END
$f$;
