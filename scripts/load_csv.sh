#!/usr/bin/env bash
# Load a folder of the brief's CSV files into the current database.
#
#   scripts/load_csv.sh [--schema NAME] [--replace] DIR
#
# PG* variables select the database (run it inside `pg_virtualenv -t`).  The
# tables are created as the brief's setup.sql creates them (the four input
# tables, fct_client_conversion_events_part_2 and the two output tables), in
# the current schema (the first existing schema on search_path, e.g. from
# PGOPTIONS='-c search_path=myschema'), or with --schema NAME in schema NAME
# (created when missing), plus a table load_rejects.  With
# --replace, those eight tables are dropped first from that schema (and only
# from it); without it, the load stops if one of them exists there.
#
# DIR/<table>.csv is loaded into <table>.  The four input files are required,
# fct_client_conversion_events_part_2.csv is optional (absent: the table is
# created empty); any other *.csv file is ignored with a warning.
#
# How it works.  Perl (perl-base, always on Debian) reads each file as bytes,
# splits it into lines, drops a CR before the LF, checks the line is UTF-8
# without NUL bytes and sends it hex-encoded; psql \copy (client side: works
# whoever owns the server) loads that stream into a staging table in ONE
# transaction, and SQL does the rest with the explicit rules below.  Every
# line of every file ends up counted as a header, a blank line, a loaded row or
# a rejected row, and the script checks that the counts add up.
#
# CSV dialect (RFC 4180 plus backslash escapes, as the brief's files need):
#  - fields are separated by commas; a field starting with " is quoted and
#    ends at the next unescaped "; inside it \" and "" stand for ", \\ for \,
#    any other backslash is kept as it is (COPY's CSV ESCAPE '\' behaviour);
#  - an unquoted empty field is NULL, a quoted empty field "" an empty string;
#  - a quoted field may span lines (the record's line number is its first);
#  - a blank (or all-space) line is skipped and recorded;
#  - a UTF-8 byte order mark at the start of a file is dropped and recorded;
#  - the first non-blank record is a header when at least half its fields,
#    trimmed and in any case, are column names of the table: columns are then
#    matched by name (any order; unknown header columns are ignored, table
#    columns absent from the header are NULL; both recorded).  Otherwise there
#    is no header and fields map to the columns by position.  Headers are
#    detected by content, never by file name.  A later record equal to the
#    header is a repeated header: skipped and recorded.
#
# Rows that cannot be loaded (recorded in load_rejects with the whole record
# as value, and not loaded): wrong number of fields, malformed quoting, bytes
# that are not UTF-8, NUL bytes.
#
# Values (loaded as they are, except):
#  - any column: the unquoted word NULL is read as SQL NULL (recorded);
#  - varchar(n): longer than n characters: loaded as NULL (recorded);
#  - timestamp: ISO 'YYYY-MM-DD[ T]HH:MM[:SS[.frac]]' or a date as they are;
#      date and time glued together ('2024-05-1319:36:43.491328'): a space is
#        inserted (converted, recorded);
#      a UTC offset of zero ('... +00:00', Z, UTC): dropped, the value is the
#        same UTC wall clock (not recorded; counted in a NOTE line);
#      another UTC offset: converted to the UTC wall clock (recorded);
#      anything else PostgreSQL's timestamp input reads (DateStyle ISO, YMD):
#        read that way (converted, recorded); an empty string: NULL (recorded);
#      what does not parse: NULL (recorded);
#  - json: valid JSON text is kept byte for byte; an empty string is NULL
#    (recorded); invalid JSON: NULL (recorded).
#
# load_rejects(file, line, field, value, reason, loaded_as): one row per
# rejected row (field NULL, value the record) or per value that was rejected
# (loaded_as NULL) or converted by a rule (loaded_as the value loaded).  The
# script prints per file lines read / rows loaded / rows rejected, and one
# WARNING line per file, field and kind with counts and an example.
#
# Exit status: 0 loaded (warnings or not), 2 usage or missing file, 3 the load
# failed (nothing is left behind: one transaction).
set -euo pipefail

usage() { echo "usage: $0 [--schema NAME] [--replace] DIR" >&2; exit 2; }
replace=false
schema=
while [ $# -gt 0 ]; do
    case "$1" in
        --replace) replace=true; shift ;;
        --schema) if [ $# -lt 2 ] || [ -z "$2" ]; then usage; fi; schema=$2; shift 2 ;;
        --schema=?*) schema=${1#--schema=}; shift ;;
        -h|--help) usage ;;
        --) shift; break ;;
        -*) usage ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || usage
dir=$1
[ -d "$dir" ] || { echo "load_csv: $dir is not a directory" >&2; exit 2; }

required=(dim_branch dim_user fct_membership_purchases fct_credit_pack_purchases)
optional=(fct_client_conversion_events_part_2)

files=()
for t in "${required[@]}"; do
    f="$dir/$t.csv"
    if [ ! -f "$f" ] || [ ! -r "$f" ]; then
        echo "load_csv: required file $f is missing or unreadable" >&2; exit 2
    fi
    files+=("$f")
done
for t in "${optional[@]}"; do
    f="$dir/$t.csv"
    if [ -f "$f" ]; then
        [ -r "$f" ] || { echo "load_csv: $f is unreadable" >&2; exit 2; }
        files+=("$f")
    fi
done
shopt -s nullglob
for f in "$dir"/*.csv; do
    b=${f##*/}; b=${b%.csv}
    case " ${required[*]} ${optional[*]} " in
        *" $b "*) ;;
        *) echo "WARNING: $f is not a file of the brief's tables: ignored" ;;
    esac
done

# One line out per line in: file, line number, status, CR dropped, hex bytes;
# then a line-0 marker for each file (present, even when empty).
read -r -d '' PERL <<'PERL' || true
use strict; use warnings;
my $utf8 = qr/[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]
  |[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|\xED[\x80-\x9F][\x80-\xBF]
  |\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2}/x;
for my $path (@ARGV) {
    (my $name = $path) =~ s{.*/}{}s;
    open(my $fh, '<:raw', $path) or die "load_csv: cannot read $path: $!\n";
    my $n = 0;
    while (my $line = <$fh>) {
        $n++;
        $line =~ s/\n\z//;
        my $cr = ($line =~ s/\r\z//) ? 1 : 0;
        my $status = 'ok';
        if ($line =~ /\x00/) {
            $status = 'nul';
        } elsif ($line =~ /[\x80-\xFF]/) {
            pos($line) = 0;
            1 while $line =~ /\G$utf8/gc;
            $status = 'bad_utf8' if (pos($line) // 0) != length($line);
        }
        print "$name\t$n\t$status\t$cr\t", unpack('H*', $line), "\n";
    }
    close($fh) or die "load_csv: cannot read $path: $!\n";
    print "$name\t0\tfile\t0\t\n";
}
print "\t-1\tend\t0\t\n";    # the stream is complete
PERL

read -r -d '' SQL <<'SQL' || true
\set ON_ERROR_STOP 1
\pset format unaligned
\pset tuples_only on
\pset footer off
SET client_min_messages = warning;
SET standard_conforming_strings = on;
SET DateStyle = 'ISO, YMD';
SET TimeZone = 'UTC';
SET IntervalStyle = 'postgres';
SET jit = off;                 -- small statements: compiling them costs seconds
\if :{?schema}
CREATE SCHEMA IF NOT EXISTS :"schema";
SET search_path = :"schema";
\endif

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
\i :brief_tables

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

-- 1. The files, line by line (see the Perl part of load_csv.sh).
CREATE TEMP TABLE lc_raw (file text, lineno integer, status text, cr integer, hex text);
\copy lc_raw FROM pstdin
DO $do$
BEGIN
    IF NOT EXISTS (SELECT FROM lc_raw WHERE lineno = -1 AND status = 'end') THEN
        RAISE EXCEPTION 'load_csv: the files could not be read to the end';
    END IF;
END
$do$;

CREATE TEMP TABLE lc_file AS
SELECT r.file, t.tbl,
       (SELECT count(*) FROM lc_raw x WHERE x.file = r.file AND x.lineno > 0) AS nlines,
       (SELECT coalesce(sum(x.cr), 0) FROM lc_raw x WHERE x.file = r.file) AS ncr
FROM lc_raw r
JOIN lc_target t ON t.tbl || '.csv' = r.file
WHERE r.lineno = 0;

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

CREATE TEMP TABLE lc_line AS
SELECT r.file, r.lineno, r.status,
       CASE WHEN r.status = 'ok' THEN convert_from(decode(r.hex, 'hex'), 'UTF8') END AS line,
       r.hex
FROM lc_raw r JOIN lc_file f ON f.file = r.file
WHERE r.lineno > 0;

-- A UTF-8 byte order mark starting a file is dropped.
INSERT INTO load_rejects
SELECT file, lineno, NULL, 'U+FEFF', 'byte order mark at the start of the file: dropped', ''
FROM lc_line WHERE lineno = 1 AND left(line, 1) = U&'\FEFF';
UPDATE lc_line SET line = substr(line, 2) WHERE lineno = 1 AND left(line, 1) = U&'\FEFF';

-- 2. Records: a line whose (unescaped) quotes are odd in number opens a quoted
-- field that goes on to the next line with an odd number of them.
CREATE TEMP TABLE lc_line2 AS
SELECT l.*,
       coalesce(sum(l.odd) OVER (PARTITION BY l.file ORDER BY l.lineno
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) % 2 = 0
           AS starts
FROM (SELECT l.*,
             CASE WHEN l.status = 'ok'
                  THEN (length(q) - length(replace(q, '"', ''))) % 2 ELSE 0 END AS odd
      FROM lc_line l,
           LATERAL (SELECT regexp_replace(l.line, '\\[\\"]', '', 'g') AS q) x) l;

CREATE TEMP TABLE lc_group AS
SELECT file, grp AS line, max(lineno) AS last_line, count(*) AS nlines,
       bool_and(status = 'ok') AS ok,
       string_agg(coalesce(line, ''), E'\n' ORDER BY lineno) AS rec,
       min(status) FILTER (WHERE status <> 'ok') AS bad_status,
       min(hex) AS hex
FROM (SELECT *, max(CASE WHEN starts THEN lineno END)
                    OVER (PARTITION BY file ORDER BY lineno) AS grp
      FROM lc_line2) s
GROUP BY file, grp;

-- Split a record into its raw fields (quotes kept); NULL when the quoting is
-- malformed (the fields found do not cover the record end to end).
CREATE FUNCTION pg_temp.lc_split(rec text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT AS $f$
    SELECT CASE WHEN sum(len) = length(rec) THEN array_agg(f ORDER BY o) END
    FROM (SELECT m[1] AS f, length(m[1]) + length(m[2]) AS len, o,
                 coalesce(bool_or(m[2] = '') OVER (ORDER BY o ROWS BETWEEN UNBOUNDED PRECEDING
                                                               AND 1 PRECEDING), false) AS after_end
          FROM regexp_matches(rec, '("(?:[^"\\]|\\.|"")*"|[^,"]*)(,|$)', 'g')
               WITH ORDINALITY AS t(m, o)) s
    WHERE NOT after_end
$f$;

-- A raw field's value: quoted: unescaped; unquoted: as it is, empty = NULL.
CREATE FUNCTION pg_temp.lc_unquote(tok text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $f$
    SELECT CASE WHEN left(tok, 1) = '"'
                THEN regexp_replace(substr(tok, 2, length(tok) - 2), '\\(["\\])|"(")', '\1\2', 'g')
                WHEN tok = '' THEN NULL
                ELSE tok END
$f$;

-- Records that parse as they are, and, for a multi-line group that does not,
-- its lines one by one.
CREATE TEMP TABLE lc_rec AS
WITH g AS (
    SELECT g.*, CASE WHEN g.ok THEN pg_temp.lc_split(g.rec) END AS tok FROM lc_group g
)
SELECT file, line, nlines, ok, bad_status, hex, rec, tok FROM g
WHERE tok IS NOT NULL OR nlines = 1
UNION ALL
SELECT l.file, l.lineno, 1, l.status = 'ok', nullif(l.status, 'ok'), l.hex, l.line,
       CASE WHEN l.status = 'ok' THEN pg_temp.lc_split(l.line) END
FROM g JOIN lc_line l ON l.file = g.file AND l.lineno BETWEEN g.line AND g.last_line
WHERE g.tok IS NULL AND g.nlines > 1;

ALTER TABLE lc_rec ADD COLUMN kind text;
UPDATE lc_rec SET kind = 'blank' WHERE ok AND nlines = 1 AND rec ~ '^[[:space:]]*$';

-- 3. Header: the first non-blank record, when at least half its fields name
-- columns of the table.
CREATE TEMP TABLE lc_head AS
SELECT DISTINCT ON (r.file) r.file, r.line, r.tok,
       (SELECT array_agg(lower(btrim(pg_temp.lc_unquote(x), E' \t')) ORDER BY i)
        FROM unnest(r.tok) WITH ORDINALITY u(x, i)) AS names
FROM lc_rec r
WHERE r.kind IS NULL
ORDER BY r.file, r.line;
DELETE FROM lc_head WHERE tok IS NULL;

DELETE FROM lc_head h
WHERE (SELECT count(*) FROM unnest(h.names) n
       WHERE n IN (SELECT c.col FROM lc_col c JOIN lc_file f ON f.tbl = c.tbl WHERE f.file = h.file))
      < greatest(1, ceil(cardinality(h.names) / 2.0));

UPDATE lc_rec r SET kind = 'header' FROM lc_head h WHERE h.file = r.file AND h.line = r.line;
UPDATE lc_rec r SET kind = 'repeated header'
FROM lc_head h WHERE h.file = r.file AND r.line > h.line AND r.kind IS NULL AND r.tok = h.tok;

-- Field i of a file -> column (by header name, else by position).
CREATE TEMP TABLE lc_map AS
SELECT f.file, f.tbl, u.i, c.col, u.name
FROM lc_file f
JOIN lc_head h ON h.file = f.file
CROSS JOIN LATERAL unnest(h.names) WITH ORDINALITY u(name, i)
LEFT JOIN lc_col c ON c.tbl = f.tbl AND c.col = u.name
     AND u.i = (SELECT min(i2) FROM unnest(h.names) WITH ORDINALITY v(n2, i2) WHERE n2 = u.name)
UNION ALL
SELECT f.file, f.tbl, c.pos, c.col, c.col
FROM lc_file f JOIN lc_col c ON c.tbl = f.tbl
WHERE NOT EXISTS (SELECT FROM lc_head h WHERE h.file = f.file);

INSERT INTO load_rejects
SELECT m.file, h.line, m.name, m.name,
       CASE WHEN EXISTS (SELECT FROM lc_col c WHERE c.tbl = m.tbl AND c.col = m.name)
            THEN 'header column repeated: ignored'
            ELSE 'header column not in the table: ignored' END, NULL
FROM lc_map m JOIN lc_head h ON h.file = m.file WHERE m.col IS NULL
UNION ALL
SELECT f.file, h.line, c.col, NULL, 'table column absent from the header: loaded as NULL', NULL
FROM lc_file f JOIN lc_head h ON h.file = f.file JOIN lc_col c ON c.tbl = f.tbl
WHERE NOT EXISTS (SELECT FROM lc_map m WHERE m.file = f.file AND m.col = c.col);

-- 4. Rows that cannot be loaded.
UPDATE lc_rec r SET kind = 'row rejected' WHERE r.kind IS NULL AND (NOT r.ok OR r.tok IS NULL
    OR cardinality(r.tok) <> (SELECT count(*) FROM lc_map m WHERE m.file = r.file));
UPDATE lc_rec SET kind = 'row' WHERE kind IS NULL;

INSERT INTO load_rejects
SELECT r.file, r.line, NULL,
       CASE WHEN r.ok THEN r.rec ELSE '\x' || r.hex END,
       CASE WHEN r.kind = 'blank' THEN 'blank line: skipped'
            WHEN r.kind = 'repeated header' THEN 'header line repeated: skipped'
            WHEN r.bad_status = 'nul' THEN 'NUL byte in the line: row not loaded'
            WHEN r.bad_status = 'bad_utf8' THEN 'line is not valid UTF-8: row not loaded'
            WHEN NOT r.ok THEN 'unreadable line: row not loaded'
            WHEN r.tok IS NULL THEN 'malformed CSV quoting: row not loaded'
            ELSE format('%s fields, expected %s: row not loaded', cardinality(r.tok),
                        (SELECT count(*) FROM lc_map m WHERE m.file = r.file)) END,
       NULL
FROM lc_rec r WHERE r.kind IN ('blank', 'repeated header', 'row rejected')
ORDER BY r.file, r.line;

-- 5. Values, by the column's type.
CREATE FUNCTION pg_temp.lc_try(v text, typ text) RETURNS text
LANGUAGE plpgsql AS $f$
DECLARE r text;
BEGIN
    IF typ = 'timestamp without time zone' THEN
        RETURN v::timestamp::text;
    ELSIF typ = 'timestamp with time zone' THEN
        RETURN v::timestamptz::text;
    ELSIF typ = 'json' THEN
        RETURN v::json::text;
    END IF;
    EXECUTE format('SELECT ($1::%s)::text', typ) INTO r USING v;
    RETURN r;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END
$f$;

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

CREATE TEMP TABLE lc_val AS
SELECT r.file, r.line, m.tbl, m.col, c.pos, x.v, x.quoted, y.loaded, y.reason, y.note
FROM lc_rec r
CROSS JOIN LATERAL unnest(r.tok) WITH ORDINALITY t(tok, i)
JOIN lc_map m ON m.file = r.file AND m.i = t.i AND m.col IS NOT NULL
JOIN lc_col c ON c.tbl = m.tbl AND c.col = m.col
CROSS JOIN LATERAL (SELECT pg_temp.lc_unquote(t.tok) AS v, left(t.tok, 1) = '"' AS quoted) x
CROSS JOIN LATERAL (SELECT (x.v IS NULL OR c.kind = 'text' AND (x.quoted OR x.v <> 'NULL')
                            AND (c.maxlen IS NULL OR char_length(x.v) <= c.maxlen)) AS plain) p
CROSS JOIN LATERAL (SELECT x.v AS loaded, NULL::text AS reason, NULL::text AS note WHERE p.plain
                    UNION ALL
                    SELECT * FROM pg_temp.lc_convert(x.v, x.quoted, c.kind, c.typ, c.maxlen)
                    WHERE NOT p.plain) y
WHERE r.kind = 'row';

INSERT INTO load_rejects
SELECT file, line, col, v, reason, loaded FROM lc_val WHERE reason IS NOT NULL ORDER BY file, line, pos;

-- 6. Into the tables, in file order.
SELECT format('INSERT INTO %I.%I (%s) SELECT %s FROM lc_val WHERE file = %L GROUP BY line ORDER BY line',
              current_schema(), f.tbl,
              string_agg(format('%I', c.col), ', ' ORDER BY c.pos),
              string_agg(format('(max(loaded) FILTER (WHERE col = %L))::%s', c.col, c.typ), ', '
                         ORDER BY c.pos),
              f.file)
FROM lc_file f JOIN lc_col c ON c.tbl = f.tbl
WHERE EXISTS (SELECT FROM lc_map m WHERE m.file = f.file AND m.col = c.col)
GROUP BY f.file, f.tbl
\gexec

-- 7. Every line accounted for, every row loaded once.
CREATE TEMP TABLE lc_count AS
SELECT f.file, f.tbl, f.nlines, f.ncr,
       (SELECT coalesce(sum(r.nlines), 0) FROM lc_rec r WHERE r.file = f.file) AS lines_seen,
       (SELECT count(*) FROM lc_rec r WHERE r.file = f.file AND r.kind = 'header') AS header,
       (SELECT count(*) FROM lc_rec r WHERE r.file = f.file AND r.kind = 'blank') AS blank,
       (SELECT count(*) FROM lc_rec r WHERE r.file = f.file AND r.kind = 'row') AS loaded,
       (SELECT count(*) FROM lc_rec r WHERE r.file = f.file
                                      AND r.kind IN ('row rejected', 'repeated header')) AS rejected,
       (SELECT count(*) FROM lc_rec r WHERE r.file = f.file AND r.nlines > 1) AS multiline
FROM lc_file f;

DO $do$
DECLARE r record; n bigint;
BEGIN
    FOR r IN SELECT * FROM lc_count LOOP
        IF r.lines_seen <> r.nlines
           OR r.header + r.blank + r.loaded + r.rejected
              <> (SELECT count(*) FROM lc_rec x WHERE x.file = r.file) THEN
            RAISE EXCEPTION 'load_csv: % lines of % not accounted for', r.nlines - r.lines_seen, r.file;
        END IF;
        EXECUTE format('SELECT count(*) FROM %I.%I', current_schema(), r.tbl) INTO n;
        IF n <> r.loaded THEN
            RAISE EXCEPTION 'load_csv: % rows of % parsed, % in table %', r.loaded, r.file, n, r.tbl;
        END IF;
    END LOOP;
END
$do$;

-- 8. Report.
SELECT format('%s -> %s.%s: %s lines read (%s header, %s blank%s), %s %s loaded, %s %s rejected',
              file, current_schema(), tbl, nlines, header, blank,
              CASE WHEN multiline > 0 THEN format(', %s record%s over several lines', multiline,
                                                  CASE WHEN multiline > 1 THEN 's' ELSE '' END) ELSE '' END,
              loaded, CASE WHEN loaded = 1 THEN 'row' ELSE 'rows' END,
              rejected, CASE WHEN rejected = 1 THEN 'row' ELSE 'rows' END)
FROM lc_count ORDER BY file;

SELECT format('NOTE: %s is absent: table %s created empty', t.tbl || '.csv', t.tbl)
FROM lc_target t WHERE NOT t.required AND NOT EXISTS (SELECT FROM lc_file f WHERE f.tbl = t.tbl);

SELECT format('NOTE: %s: lines ending in CR LF, the CR dropped: %s line%s', file, ncr,
              CASE WHEN ncr > 1 THEN 's' ELSE '' END)
FROM lc_count WHERE ncr > 0 ORDER BY file;

SELECT format('NOTE: %s, %s: UTC offset of zero dropped (the same UTC wall clock): %s value%s, e.g. line %s: %L -> %L',
              file, col, count(*), CASE WHEN count(*) > 1 THEN 's' ELSE '' END, min(line), (array_agg(v ORDER BY line))[1],
              (array_agg(loaded ORDER BY line))[1])
FROM lc_val WHERE note IS NOT NULL GROUP BY file, col, pos ORDER BY file, pos;

SELECT format('WARNING: %s%s: %s: %s %s%s, e.g. line %s: %L%s',
              file, coalesce(', ' || field, ''), reason, count(*),
              CASE WHEN field IS NULL THEN 'line'
                   WHEN reason LIKE '%header%' THEN 'column' ELSE 'value' END,
              CASE WHEN count(*) > 1 THEN 's' ELSE '' END, min(line),
              left((array_agg(value ORDER BY line))[1], 100),
              CASE WHEN (array_agg(loaded_as ORDER BY line))[1] IS NOT NULL
                   THEN ' -> ' || quote_literal((array_agg(loaded_as ORDER BY line))[1]) ELSE '' END)
FROM load_rejects GROUP BY file, field, reason ORDER BY file, min(line), field, reason;

SELECT format('load_csv: %s rows loaded, %s rows rejected, %s entries in %s.load_rejects',
              (SELECT sum(loaded) FROM lc_count), (SELECT sum(rejected) FROM lc_count),
              (SELECT count(*) FROM load_rejects), current_schema());
SQL

t0=$(date +%s%N)
set +e
perl -e "$PERL" "${files[@]}" |
    psql -X -q -v ON_ERROR_STOP=1 -v replace="$replace" ${schema:+-v schema="$schema"} \
         -v brief_tables="$(cd "$(dirname "$0")" && pwd)/brief_tables.sql" \
         --single-transaction -f <(printf '%s\n' "$SQL")
rc=("${PIPESTATUS[@]}")
set -e
if [ "${rc[0]}" -ne 0 ] || [ "${rc[1]}" -ne 0 ]; then
    echo "load_csv: the load of $dir failed; nothing was loaded" >&2
    exit 3
fi
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
printf 'load_csv: done in %d.%03d s\n' $((ms / 1000)) $((ms % 1000))
