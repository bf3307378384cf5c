-- The CSV loader, first part (scripts/load_csv.sh runs it, then file.sql for
-- each file, then finish.sql, in one psql session and one transaction):
-- the session's settings, the tables, and the value rules.
--
-- psql variables: replace (true: drop the load's tables first) and schema
-- (optional: where to create them; else the current schema).
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
\pset footer off
SET client_min_messages = warning;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET IntervalStyle = 'postgres';
SET jit = off;                 -- small statements: compiling them costs seconds
\if :{?schema}
CREATE SCHEMA IF NOT EXISTS :"schema";
SET search_path = :"schema";
\endif

-- The tables of the load: the files (required or not), then the others.
CREATE TEMP TABLE lc_target (tbl text PRIMARY KEY, required boolean);
INSERT INTO lc_target VALUES
    ('dim_branch', true), ('dim_user', true),
    ('fct_membership_purchases', true), ('fct_credit_pack_purchases', true),
    ('fct_client_conversion_events_part_2', false);
INSERT INTO lc_target VALUES ('fct_client_conversion_events', NULL),
    ('fct_lead_conversions', NULL), ('load_rejects', NULL);
SELECT set_config('lc.replace', :'replace', true) AS lc_replace \gset

DO $do$
DECLARE e text;
BEGIN
    IF current_schema() IS NULL THEN
        RAISE EXCEPTION 'load_csv: no schema on search_path to create the tables in';
    END IF;
    IF NOT current_setting('lc.replace')::boolean THEN
        SELECT string_agg(c.relname, ', ' ORDER BY c.relname) INTO e
        FROM pg_class c
        WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
          AND c.relname IN (SELECT tbl FROM lc_target);
        IF e IS NOT NULL THEN
            RAISE EXCEPTION 'load_csv: schema % has tables of the load already: %', current_schema(), e
                USING HINT = 'Use --replace to drop them first, or another schema.';
        END IF;
    END IF;
END
$do$;

\if :replace
SELECT format('DROP TABLE %I.%I', current_schema(), c.relname)
FROM pg_class c
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
  AND c.relname IN (SELECT tbl FROM lc_target)
ORDER BY c.relname
\gexec
\endif
DELETE FROM lc_target WHERE required IS NULL;

-- The brief's tables, as its setup.sql creates them.
\ir ../brief_tables.sql

CREATE TABLE load_rejects (
    file text,          -- file name
    line integer,       -- line number in the file (first line of the record)
    field text,         -- column; NULL when the whole row was rejected
    value text,         -- the value as read (the whole record for a row)
    reason text,        -- the kind of problem and the rule applied
    loaded_as text      -- what was loaded instead (NULL: nothing)
);
COMMENT ON TABLE load_rejects IS
    'scripts/load_csv.sh: rows and values of the CSV files not loaded as they are';

-- The columns of the tables, and the rule that reads their values.
CREATE TEMP TABLE lc_col AS
SELECT c.relname::text AS tbl, a.attnum AS pos, a.attname::text AS col,
       format_type(a.atttypid, a.atttypmod) AS typ,
       CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype, 'text'::regtype) THEN 'text'
            WHEN a.atttypid = 'timestamp'::regtype THEN 'timestamp'
            WHEN a.atttypid IN ('json'::regtype, 'jsonb'::regtype) THEN 'json'
            ELSE 'other' END AS kind,
       CASE WHEN a.atttypid IN ('varchar'::regtype, 'bpchar'::regtype) AND a.atttypmod > 4
            THEN a.atttypmod - 4 END AS maxlen
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN lc_target t ON t.tbl = c.relname
WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())
  AND a.attnum > 0 AND NOT a.attisdropped;

-- What file.sql leaves for finish.sql: per file its counts, and the values
-- whose UTC offset of zero was dropped (a NOTE, not a load_rejects row).
CREATE TEMP TABLE lc_count (file text, tbl text, nlines bigint, ncr bigint, lines_seen bigint,
                            records bigint, header bigint, blank bigint, loaded bigint,
                            rejected bigint, multiline bigint);
CREATE TEMP TABLE lc_note (file text, col text, pos integer, line integer, value text, loaded text);

-- Per file: its records (from split.pl), the column of each field, and the
-- values that a rule changed.
CREATE TEMP TABLE lc_rec (line integer, nlines integer, status text, rec text,
                          fields text[], quoted_null integer[], kind text);
CREATE TEMP VIEW lc_head AS
SELECT line, rec,
       (SELECT array_agg(lower(btrim(v, E' \t')) ORDER BY i) FROM unnest(fields) WITH ORDINALITY u(v, i))
           AS names
FROM lc_rec WHERE kind = 'header';
CREATE TEMP TABLE lc_map (i integer, col text, name text);
CREATE TEMP TABLE lc_fix (line integer, i integer, value text, loaded text, reason text, note text);

\ir rules.sql
