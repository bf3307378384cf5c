--
-- Differential fuzzing of leadconv, part 2: a plain-SQL reference.
--
-- Written from SPEC.md sections 2-3 and the rules chosen where SPEC is
-- silent (notes/HELPERS.md), NOT from the C code.  It reads the four
-- source tables of one schema, whatever their allowed column types:
--
--   lc_fuzz.ref_client_events(schema)                -- Part 1, 17 columns
--   lc_fuzz.ref_lead_conversions(schema, leads_in_every_filter)
--                                                    -- Part 2, 10 columns
--
-- Nothing here depends on the session's TimeZone, DateStyle or search_path.
--
-- Zone names that are also time zone abbreviations (MET, CET, EST, ...):
-- leadconv shows local time on the zone file's wall clock, never the
-- abbreviation's fixed offset, but SQL's AT TIME ZONE 'MET' looks up the
-- abbreviation first.  The reference therefore converts with the 'posix/'
-- copy of such zones ('posix/MET'), which AT TIME ZONE can only read as the
-- zone file, or, in a tz database without posix/ copies (Debian 13 and
-- later), under SET TimeZone, which reads only zone files.
--

CREATE SCHEMA IF NOT EXISTS lc_fuzz;

--
-- Times.  timestamp = UTC wall clock, timestamptz = the instant, date = its
-- midnight UTC.  One function per type: the column's type picks it.  UTC is
-- an offset here, not the name 'UTC': PostgreSQL 18 reads a zone name first
-- as an abbreviation of the session's TimeZone, and the POSIX TimeZone
-- 'UTC+3' that compare.sql may set makes the name UTC 3 hours west.
--
CREATE OR REPLACE FUNCTION lc_fuzz.instant(t timestamp) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT t AT TIME ZONE INTERVAL '00:00' $$;

CREATE OR REPLACE FUNCTION lc_fuzz.instant(t timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT t $$;

CREATE OR REPLACE FUNCTION lc_fuzz.instant(d date) RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT d::timestamp AT TIME ZONE INTERVAL '00:00' $$;

-- ASCII-only lower case: zone names match ASCII-case-insensitively, so
-- 'İ' or the Kelvin sign must not fold to 'i' or 'k' as lower() may.
CREATE OR REPLACE FUNCTION lc_fuzz.ascii_lower(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT translate(t, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
$$;

--
-- Details.  The order of purchases looks at the details as text (json: as
-- written, jsonb: its output, text: as is).
--
CREATE OR REPLACE FUNCTION lc_fuzz.details_text(d json) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT d::text $$;

CREATE OR REPLACE FUNCTION lc_fuzz.details_text(d jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT d::text $$;

CREATE OR REPLACE FUNCTION lc_fuzz.details_text(d text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT d $$;

-- Escapes PostgreSQL cannot turn into text.
--  * \u0000: rule 7 makes only the string holding it NULL.  But ->> de-escapes
--    every string of the document, not only the one asked for, and fails on
--    it; so before reading a document the reference replaces \u0000 by
--    \uFFFF, a character the generator never produces, and a value holding
--    U+FFFF is NULL.
--  * an unpaired UTF-16 surrogate (\ud83d alone, or a low one first): no
--    character at all; PostgreSQL's JSON parser rejects it as a syntax error
--    ("invalid input syntax for type json", as jsonb input does), so the
--    document is read as invalid JSON text: NULL name and source.
-- Every backslash in valid JSON starts an escape; escaped backslashes are
-- hidden first so that "\\u0000" (a backslash, then "u0000") is left alone.
-- The document must be valid JSON.
CREATE OR REPLACE FUNCTION lc_fuzz.json_defuse(doc text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT replace(regexp_replace(replace(doc, '\\', E'\x01'), '\\u0000', '\\uFFFF', 'g'),
                   E'\x01', '\\')
$$;

CREATE OR REPLACE FUNCTION lc_fuzz.json_unpaired_surrogate(doc text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT regexp_replace(replace(doc, '\\', E'\x01'),
                          '\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}', '', 'g')
           ~ '\\u[dD][89a-fA-F][0-9a-fA-F]{2}'
$$;

-- A member of a JSON object as text, rule 7: strings de-escaped, numbers
-- as written (json) or as jsonb prints them, true/false; JSON null,
-- objects and arrays: NULL; a repeated key: the last one.
CREATE OR REPLACE FUNCTION lc_fuzz.member_text(o json, k text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN json_typeof(o -> k) IN ('string', 'number', 'boolean')
                 AND strpos(o ->> k, chr(65535)) = 0
            THEN o ->> k END
$$;

CREATE OR REPLACE FUNCTION lc_fuzz.member_text(o jsonb, k text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT CASE WHEN jsonb_typeof(o -> k) IN ('string', 'number', 'boolean')
                 AND strpos(o ->> k, chr(65535)) = 0
            THEN o ->> k END
$$;

-- {name, source} of a details document given as JSON text.  unwrap: a root
-- string whose content is a JSON object is read as that object (one level).
-- That content is JSON text, whatever the column's type: its numbers are
-- read as written, also in a jsonb column.
CREATE OR REPLACE FUNCTION lc_fuzz.doc_fields(doc text, unwrap boolean)
RETURNS text[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    j json;
    content text;
BEGIN
    IF doc IS NULL THEN
        RETURN ARRAY[NULL, NULL]::text[];
    END IF;
    BEGIN
        j := doc::json;                           -- valid JSON text?
    EXCEPTION WHEN others THEN
        RETURN ARRAY[NULL, NULL]::text[];
    END;
    IF lc_fuzz.json_unpaired_surrogate(doc) THEN
        RETURN ARRAY[NULL, NULL]::text[];
    END IF;
    j := lc_fuzz.json_defuse(doc)::json;
    IF json_typeof(j) = 'string' AND unwrap THEN
        content := j #>> '{}';
        IF strpos(content, chr(65535)) > 0 THEN  -- the string itself holds \u0000
            RETURN ARRAY[NULL, NULL]::text[];
        END IF;
        RETURN lc_fuzz.doc_fields(content, false);
    END IF;
    IF json_typeof(j) <> 'object' THEN
        RETURN ARRAY[NULL, NULL]::text[];
    END IF;
    RETURN ARRAY[lc_fuzz.member_text(j, 'name'), lc_fuzz.member_text(j, 'source')];
END $$;

-- {name, source} of a details column value, one function per column type.
CREATE OR REPLACE FUNCTION lc_fuzz.details_fields(d json) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$ SELECT lc_fuzz.doc_fields(d::text, true) $$;

CREATE OR REPLACE FUNCTION lc_fuzz.details_fields(d text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$ SELECT lc_fuzz.doc_fields(d, true) $$;

CREATE OR REPLACE FUNCTION lc_fuzz.details_fields(d jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE jsonb_typeof(d)
        WHEN 'object' THEN ARRAY[lc_fuzz.member_text(d, 'name'), lc_fuzz.member_text(d, 'source')]
        WHEN 'string' THEN lc_fuzz.doc_fields(d #>> '{}', false)
        ELSE ARRAY[NULL, NULL]::text[]
    END
$$;

--
-- Rule 2: the valid zone names (pg_timezone_names, slow to read, so kept in
-- a table made when this file is loaded), matched ASCII-case-insensitively;
-- sql_name is what AT TIME ZONE must be given to use the zone file: zones
-- whose name is also an abbreviation are read through their posix/ copy,
-- and where there is none, sql_name is NULL: local() reads the zone under
-- SET TimeZone.
--
DROP TABLE IF EXISTS lc_fuzz.ref_zones;
CREATE TABLE lc_fuzz.ref_zones AS
SELECT n.name,
       lc_fuzz.ascii_lower(n.name) AS folded,
       CASE WHEN NOT EXISTS (SELECT 1 FROM pg_timezone_abbrevs a WHERE lower(a.abbrev) = lower(n.name))
            THEN n.name
            WHEN EXISTS (SELECT 1 FROM pg_timezone_names p WHERE p.name = 'posix/' || n.name)
            THEN 'posix/' || n.name END AS sql_name
FROM pg_timezone_names n;
CREATE UNIQUE INDEX ON lc_fuzz.ref_zones (folded);
ANALYZE lc_fuzz.ref_zones;

-- Rule 3: instant t on the wall clock of a ref_zones row's zone (name and
-- sql_name; no zone: UTC).
CREATE OR REPLACE FUNCTION lc_fuzz.zone_clock(zone text, t timestamptz) RETURNS timestamp
LANGUAGE plpgsql VOLATILE STRICT
SET TimeZone = 'UTC'
AS $$
BEGIN
    -- for this call only (the function's SET restores the session's)
    PERFORM pg_catalog.set_config('TimeZone', zone, true);
    RETURN t::timestamp;
END $$;

CREATE OR REPLACE FUNCTION lc_fuzz.local(zone text, sql_name text, t timestamptz)
RETURNS timestamp
LANGUAGE sql VOLATILE AS $$
    SELECT CASE WHEN zone IS NULL THEN pg_catalog.timezone(INTERVAL '00:00', t)
                WHEN sql_name IS NOT NULL THEN pg_catalog.timezone(sql_name, t)
                ELSE lc_fuzz.zone_clock(zone, t) END
$$;

--
-- Part 1.
--
CREATE OR REPLACE FUNCTION lc_fuzz.ref_client_events(source_schema text)
RETURNS TABLE (
    user_id text,
    branch_id text,
    local_user_created_at timestamp,
    lead_status text,
    client_conversion_event_type text,
    client_conversion_event_id text,
    client_conversion_event_local_created_at timestamp,
    client_conversion_event_name text,
    client_conversion_event_source text,
    first_user_membership_id text,
    first_local_membership_purchased_at timestamp,
    first_membership_name text,
    first_membership_source text,
    first_credit_pack_id text,
    first_local_credit_pack_purchased_at timestamp,
    first_credit_pack_name text,
    first_credit_pack_source text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format($q$
    WITH
    -- rule 2: per branch_id, among rows with a valid zone, the earliest
    -- created_at (NULLs last), then the zone name in byte order
    branch_zone AS (
        SELECT DISTINCT ON (b.bid) b.bid, tz.name, tz.sql_name
        FROM (SELECT branch_id::text AS bid, timezone_id::text AS zone,
                     lc_fuzz.instant(created_at) AS created
              FROM %1$I.dim_branch
              WHERE branch_id IS NOT NULL) b
        JOIN lc_fuzz.ref_zones tz ON tz.folded = lc_fuzz.ascii_lower(btrim(b.zone, ' '))
        ORDER BY b.bid, b.created NULLS LAST, tz.name COLLATE "C"),
    -- rule 1: one row per user_id, the earliest created_at (NULLs last),
    -- then the lowest branch_id in byte order (NULLs last)
    users AS (
        SELECT DISTINCT ON (u.uid) u.uid, u.bid, u.created
        FROM (SELECT user_id::text AS uid, branch_id::text AS bid,
                     lc_fuzz.instant(created_at) AS created
              FROM %1$I.dim_user
              WHERE user_id IS NOT NULL) u
        ORDER BY u.uid, u.created NULLS LAST, u.bid COLLATE "C" NULLS LAST),
    user_zone AS (
        SELECT u.uid, u.bid, u.created, bz.name AS zone, bz.sql_name
        FROM users u LEFT JOIN branch_zone bz ON bz.bid = u.bid),
    -- rules 4-5: the first purchase of each kind: undated last, then the
    -- rule-4 time, created_at (NULLs last), id and details in byte order
    first_m AS (
        SELECT DISTINCT ON (p.uid) p.uid, p.id, p.t4, p.details
        FROM (SELECT user_id::text AS uid, membership_id::text AS id,
                     coalesce(lc_fuzz.instant(membership_purchased_at),
                              lc_fuzz.instant(created_at)) AS t4,
                     lc_fuzz.instant(created_at) AS created,
                     membership_purchase_details AS details,
                     lc_fuzz.details_text(membership_purchase_details) AS dtext
              FROM %1$I.fct_membership_purchases
              WHERE user_id IS NOT NULL AND membership_id IS NOT NULL) p
        JOIN users u ON u.uid = p.uid
        ORDER BY p.uid, p.t4 NULLS LAST, p.created NULLS LAST, p.id COLLATE "C",
                 p.dtext COLLATE "C" NULLS LAST),
    first_c AS (
        SELECT DISTINCT ON (p.uid) p.uid, p.id, p.t4, p.details
        FROM (SELECT user_id::text AS uid, credit_pack_id::text AS id,
                     coalesce(lc_fuzz.instant(credit_pack_purchased_at),
                              lc_fuzz.instant(created_at)) AS t4,
                     lc_fuzz.instant(created_at) AS created,
                     credit_pack_purchase_details AS details,
                     lc_fuzz.details_text(credit_pack_purchase_details) AS dtext
              FROM %1$I.fct_credit_pack_purchases
              WHERE user_id IS NOT NULL AND credit_pack_id IS NOT NULL) p
        JOIN users u ON u.uid = p.uid
        ORDER BY p.uid, p.t4 NULLS LAST, p.created NULLS LAST, p.id COLLATE "C",
                 p.dtext COLLATE "C" NULLS LAST),
    firsts AS (
        SELECT uz.uid, uz.bid,
               lc_fuzz.local(uz.zone, uz.sql_name, uz.created) AS local_created,
               m.id AS m_id, lc_fuzz.local(uz.zone, uz.sql_name, m.t4) AS m_local,
               lc_fuzz.details_fields(m.details) AS m_fields,
               c.id AS c_id, lc_fuzz.local(uz.zone, uz.sql_name, c.t4) AS c_local,
               lc_fuzz.details_fields(c.details) AS c_fields,
               -- rule 6: the earlier wins, dated before undated; equal
               -- times or both undated: MEMBERSHIP
               CASE WHEN m.uid IS NULL AND c.uid IS NULL THEN NULL
                    WHEN c.uid IS NULL THEN 'MEMBERSHIP'
                    WHEN m.uid IS NULL THEN 'USER_CREDIT'
                    WHEN m.t4 IS NULL AND c.t4 IS NULL THEN 'MEMBERSHIP'
                    WHEN m.t4 IS NULL THEN 'USER_CREDIT'
                    WHEN c.t4 IS NULL THEN 'MEMBERSHIP'
                    WHEN m.t4 <= c.t4 THEN 'MEMBERSHIP'
                    ELSE 'USER_CREDIT' END AS event
        FROM user_zone uz
        LEFT JOIN first_m m ON m.uid = uz.uid
        LEFT JOIN first_c c ON c.uid = uz.uid)
    SELECT f.uid, f.bid, f.local_created,
           CASE WHEN f.event IS NULL THEN 'LEAD' ELSE 'CLIENT' END,
           f.event,
           CASE f.event WHEN 'MEMBERSHIP' THEN f.m_id WHEN 'USER_CREDIT' THEN f.c_id END,
           CASE f.event WHEN 'MEMBERSHIP' THEN f.m_local WHEN 'USER_CREDIT' THEN f.c_local END,
           CASE f.event WHEN 'MEMBERSHIP' THEN f.m_fields[1] WHEN 'USER_CREDIT' THEN f.c_fields[1] END,
           CASE f.event WHEN 'MEMBERSHIP' THEN f.m_fields[2] WHEN 'USER_CREDIT' THEN f.c_fields[2] END,
           f.m_id, f.m_local, f.m_fields[1], f.m_fields[2],
           f.c_id, f.c_local, f.c_fields[1], f.c_fields[2]
    FROM firsts f
    $q$, source_schema);
END $fn$;

--
-- Part 2, every filter: ALL = the Part 1 row; MEMBERSHIP / USER_CREDIT =
-- the first purchase of that kind as a CLIENT, or (leads_in_every_filter)
-- a LEAD with NULL conversion columns when there is none.
-- ref_part2(part1, ...) reads Part 1 rows from any query or table part1
-- (SQL text); ref_lead_conversions(schema, ...) from the reference's Part 1.
--
CREATE OR REPLACE FUNCTION lc_fuzz.ref_part2(part1 text, leads_in_every_filter boolean)
RETURNS TABLE (
    user_id text,
    branch_id text,
    local_user_created_at timestamp,
    lead_status text,
    client_conversion_event_type text,
    client_conversion_event_id text,
    client_conversion_event_local_created_at timestamp,
    client_conversion_event_name text,
    client_conversion_event_source text,
    client_conversion_event_filter text)
LANGUAGE plpgsql STABLE
AS $fn$
BEGIN
    RETURN QUERY EXECUTE format($q$
    WITH p1 AS MATERIALIZED (SELECT * FROM %s)
    SELECT user_id, branch_id, local_user_created_at, lead_status, client_conversion_event_type,
           client_conversion_event_id, client_conversion_event_local_created_at,
           client_conversion_event_name, client_conversion_event_source, 'ALL'
    FROM p1
    UNION ALL
    SELECT user_id, branch_id, local_user_created_at,
           CASE WHEN first_user_membership_id IS NULL THEN 'LEAD' ELSE 'CLIENT' END,
           CASE WHEN first_user_membership_id IS NOT NULL THEN 'MEMBERSHIP' END,
           first_user_membership_id, first_local_membership_purchased_at,
           first_membership_name, first_membership_source, 'MEMBERSHIP'
    FROM p1
    WHERE first_user_membership_id IS NOT NULL OR %2$L
    UNION ALL
    SELECT user_id, branch_id, local_user_created_at,
           CASE WHEN first_credit_pack_id IS NULL THEN 'LEAD' ELSE 'CLIENT' END,
           CASE WHEN first_credit_pack_id IS NOT NULL THEN 'USER_CREDIT' END,
           first_credit_pack_id, first_local_credit_pack_purchased_at,
           first_credit_pack_name, first_credit_pack_source, 'USER_CREDIT'
    FROM p1
    WHERE first_credit_pack_id IS NOT NULL OR %2$L
    $q$, part1, leads_in_every_filter);
END $fn$;

CREATE OR REPLACE FUNCTION lc_fuzz.ref_lead_conversions(source_schema text, leads_in_every_filter boolean)
RETURNS TABLE (
    user_id text,
    branch_id text,
    local_user_created_at timestamp,
    lead_status text,
    client_conversion_event_type text,
    client_conversion_event_id text,
    client_conversion_event_local_created_at timestamp,
    client_conversion_event_name text,
    client_conversion_event_source text,
    client_conversion_event_filter text)
LANGUAGE sql STABLE
AS $$
    SELECT * FROM lc_fuzz.ref_part2(format('lc_fuzz.ref_client_events(%L)', source_schema),
                                    leads_in_every_filter)
$$;
