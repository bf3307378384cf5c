--
-- Section 4: the materialised fact tables, and filling the brief's own
-- output tables
--
SELECT lc_test.make_sources('t_facts');
SET search_path = t_facts, public;
SET DateStyle = ISO;

INSERT INTO dim_branch VALUES ('b1', 'One', 'America/New_York', '2020-01-01'),
                              ('b2', 'Two', 'Asia/Jakarta', '2020-01-01');
INSERT INTO dim_user SELECT 'u' || i, 'b' || (i % 2 + 1), 'x', '2024-01-01'::timestamp + i * interval '1 day'
FROM generate_series(1, 40) i;
INSERT INTO fct_membership_purchases
SELECT 'u' || i, NULL, 'm' || i, '2024-03-01'::timestamp + i * interval '1 hour', NULL,
       '{"name": "Monthly", "source": "APP"}'
FROM generate_series(1, 40, 2) i;
INSERT INTO fct_credit_pack_purchases
SELECT 'u' || i, NULL, 'c' || i, '2024-02-01'::timestamp + i * interval '1 hour', NULL,
       '{"name": "Ten", "source": "WEB"}'
FROM generate_series(1, 40, 3) i;

-- the fact tables have exactly the functions' columns, in order
CREATE FUNCTION lc_test.columns_of(rel regclass) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
    FROM pg_attribute WHERE attrelid = rel AND attnum > 0 AND NOT attisdropped
$$;
CREATE FUNCTION lc_test.columns_of(fn regprocedure) RETURNS text LANGUAGE sql AS $$
    SELECT lc_test.columns_of(t.typrelid::regclass)
    FROM pg_proc p JOIN pg_type t ON t.oid = p.prorettype WHERE p.oid = fn
$$;
SELECT lc_test.columns_of('leadconv_fct_client_conversion_events'::regclass)
     = lc_test.columns_of('leadconv_client_events()'::regprocedure) AS part1_same,
       lc_test.columns_of('leadconv_fct_lead_conversions'::regclass)
     = lc_test.columns_of('leadconv_lead_conversions(text, boolean)'::regprocedure) AS part2_same;
SELECT lc_test.columns_of('leadconv_fct_lead_conversions'::regclass);

-- the key columns are in byte order (COLLATE "C"), as the SPEC orders ids
SELECT attrelid::regclass AS relation, attname, attcollation::regcollation
FROM pg_attribute
WHERE attrelid IN ('leadconv_fct_client_conversion_events'::regclass, 'leadconv_fct_lead_conversions'::regclass)
  AND attcollation <> 0 AND attcollation <> 'default'::regcollation
ORDER BY 1::text, attnum;

-- indexed for lookups by user, and by branch (and filter)
SELECT indexrelid::regclass AS index, pg_get_indexdef(indexrelid, 0, false) ~ 'UNIQUE' AS is_unique,
       (SELECT string_agg(attname, ', ' ORDER BY k.n) FROM unnest(indkey) WITH ORDINALITY k(att, n)
        JOIN pg_attribute ON attrelid = indrelid AND attnum = k.att) AS columns
FROM pg_index
WHERE indrelid IN ('leadconv_fct_client_conversion_events'::regclass, 'leadconv_fct_lead_conversions'::regclass)
ORDER BY 1::text;

-- The facts hold one schema's sources.  Earlier tests left them holding
-- another's: refreshing from here is an error that says how to switch.
SELECT source_schema IS NOT NULL AS holds_a_schema FROM leadconv_facts_status;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_refresh()');
SELECT leadconv_switch_source_schema('t_facts');
SELECT source_schema, last_refresh_method FROM leadconv_facts_status;
-- The columns are defined once, in src/columns.h; every refresh checks the
-- fact tables and row types against them: a catalog that differs is an
-- error, never rows in the wrong columns.
BEGIN;
ALTER TYPE leadconv_lead_conversion RENAME ATTRIBUTE branch_id TO branch CASCADE;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_refresh()');
ROLLBACK;
BEGIN;
ALTER TYPE leadconv_client_event ADD ATTRIBUTE extra text CASCADE;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_refresh()');
ROLLBACK;
-- A rebuild swaps files under the facts' own heap and indexes: amcheck says
-- whether the heaps are sound and each index holds exactly its heap's rows
-- (facts_differing() reads the heaps alone).
CREATE EXTENSION amcheck SCHEMA lc_test;
CREATE FUNCTION lc_test.facts_checked() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    t regclass;
    i regclass;
    n int := 0;
BEGIN
    FOREACH t IN ARRAY ARRAY['leadconv_fct_client_conversion_events',
                             'leadconv_fct_lead_conversions']::regclass[] LOOP
        IF EXISTS (SELECT FROM lc_test.verify_heapam(t)) THEN
            RETURN format('%s: heap corrupt', t);
        END IF;
        FOR i IN SELECT indexrelid FROM pg_index WHERE indrelid = t LOOP
            PERFORM lc_test.bt_index_check(i, true);  -- errors on a heap row it lacks
            n := n + 1;
        END LOOP;
    END LOOP;
    RETURN format('heaps sound, %s indexes hold their rows', n);
END $$;
-- and so do the facts, emptied: a refresh into empty facts rebuilds them
TRUNCATE leadconv_fct_client_conversion_events, leadconv_fct_lead_conversions;
CREATE TEMP TABLE relfiles AS
SELECT relname, relfilenode FROM pg_class
WHERE relname IN ('leadconv_fct_client_conversion_events', 'leadconv_fct_client_conversion_events_pkey');
SELECT * FROM leadconv_refresh();
SELECT lc_test.facts_differing(), lc_test.facts_checked();
SELECT last_refresh_method, last_refresh_users_changed,
       last_refresh_started <= last_refresh_ended AS timed,
       last_maintained = last_refresh_ended AS maintained
FROM leadconv_facts_status;
-- a rebuild swaps new files in: the table and its indexes keep their OIDs
SELECT c.relname, c.relfilenode <> r.relfilenode AS new_files
FROM pg_class c JOIN relfiles r USING (relname) ORDER BY 1;
SELECT count(*) AS rebuilt_left_behind FROM pg_class WHERE relname LIKE 'pg_temp_%'
  AND relnamespace = 'public'::regnamespace;
SELECT relname = 'pg_toast_' || 'leadconv_fct_client_conversion_events'::regclass::oid AS toast_named
FROM pg_class
WHERE oid = (SELECT reltoastrelid FROM pg_class WHERE relname = 'leadconv_fct_client_conversion_events');

-- a refresh with nothing changed writes nothing; a change rewrites only
-- the rows of the users whose Part 1 row changed: u7's (its Part 1 row and
-- its three Part 2 rows), u41's new rows, u40's gone rows
SELECT * FROM leadconv_refresh();
SELECT last_refresh_method, last_refresh_users_changed FROM leadconv_facts_status;
UPDATE fct_membership_purchases SET membership_purchase_details = '{"name": "Yearly"}' WHERE user_id = 'u7';
INSERT INTO dim_user VALUES ('u41', 'b1', 'new', '2024-06-01');
DELETE FROM dim_user WHERE user_id = 'u40';
SELECT * FROM leadconv_refresh();
SELECT lc_test.facts_differing(), lc_test.facts_checked();
SELECT last_refresh_method, last_refresh_users_changed FROM leadconv_facts_status;
SELECT first_membership_name FROM leadconv_fct_client_conversion_events WHERE user_id = 'u7';

-- When much changes, the facts are rebuilt from the rows that did not
-- change and the changed ones, and swapped in: every zone moves.
UPDATE dim_branch SET timezone_id = CASE branch_id WHEN 'b1' THEN 'America/Chicago' ELSE 'Asia/Tokyo' END;
SELECT * FROM leadconv_refresh();
SELECT lc_test.facts_differing(), lc_test.facts_checked();
SELECT last_refresh_method, last_refresh_users_changed FROM leadconv_facts_status;
-- half of the users change: rebuilt too (10 of 41 is under a fifth: in place)
UPDATE dim_user SET created_at = created_at + interval '1 minute' WHERE user_id ~ '[02468]$';
SELECT * FROM leadconv_refresh();
SELECT lc_test.facts_differing(), last_refresh_method FROM leadconv_facts_status;
UPDATE dim_user SET created_at = created_at - interval '1 minute' WHERE user_id ~ '[0]$';
SELECT * FROM leadconv_refresh();
SELECT lc_test.facts_differing(), last_refresh_method FROM leadconv_facts_status;

-- Values TOAST keeps outside the row (a name of 96 kB that does not
-- compress away) survive a rebuild: the table keeps its TOAST table, filled
-- anew
UPDATE fct_membership_purchases
SET membership_purchase_details = json_build_object('name',
    (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 3000) i)) WHERE user_id = 'u1';
TRUNCATE leadconv_fct_client_conversion_events, leadconv_fct_lead_conversions;
SELECT * FROM leadconv_refresh();
SELECT lc_test.facts_differing();
SELECT length(first_membership_name) FROM leadconv_fct_client_conversion_events WHERE user_id = 'u1';
SELECT pg_relation_size(reltoastrelid) > 0 AS toasted FROM pg_class
WHERE relname = 'leadconv_fct_client_conversion_events';
UPDATE fct_membership_purchases
SET membership_purchase_details = '{"name": "Monthly", "source": "APP"}' WHERE user_id = 'u1';
SELECT fact_table, rows_deleted, rows_inserted FROM leadconv_refresh();

-- Rows written to the facts by hand are noticed by the next refresh: the
-- facts are compared with the functions' rows, whoever wrote them.
UPDATE leadconv_fct_client_conversion_events SET lead_status = 'forged' WHERE user_id = 'u3';
INSERT INTO leadconv_fct_client_conversion_events (user_id, lead_status) VALUES ('ghost', 'LEAD');
SELECT * FROM leadconv_refresh();
SELECT lc_test.facts_differing();

-- atomic: a refresh rolled back leaves the facts as they were
BEGIN;
DELETE FROM dim_user;
SELECT * FROM leadconv_refresh();
ROLLBACK;
SELECT count(*) FROM leadconv_fct_client_conversion_events;

-- lookups use the indexes: a user, a branch, a branch under a filter
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM leadconv_fct_client_conversion_events WHERE user_id = 'u1';
EXPLAIN (COSTS OFF) SELECT * FROM leadconv_fct_client_conversion_events WHERE branch_id = 'b1';
EXPLAIN (COSTS OFF) SELECT * FROM leadconv_fct_lead_conversions
    WHERE branch_id = 'b1' AND client_conversion_event_filter = 'ALL';
EXPLAIN (COSTS OFF) SELECT * FROM leadconv_fct_lead_conversions
    WHERE user_id = 'u1' AND client_conversion_event_filter = 'ALL';
RESET enable_seqscan;

-- filling the brief's own output tables, created as setup.sql does, beside
-- the sources; fct_lead_conversions gets its missing filter column, once
CREATE TABLE fct_client_conversion_events (user_id varchar(40), branch_id varchar(40),
    local_user_created_at timestamp, lead_status varchar(40), client_conversion_event_type varchar(40),
    client_conversion_event_id varchar(40), client_conversion_event_local_created_at timestamp,
    client_conversion_event_name varchar(40), client_conversion_event_source varchar(40),
    first_user_membership_id varchar(40), first_local_membership_purchased_at timestamp,
    first_membership_name varchar(40), first_membership_source varchar(40),
    first_credit_pack_id varchar(40), first_local_credit_pack_purchased_at timestamp,
    first_credit_pack_name varchar(40), first_credit_pack_source varchar(40));
CREATE TABLE fct_lead_conversions (user_id varchar(40), branch_id varchar(40),
    local_user_created_at timestamp, lead_status varchar(40), client_conversion_event_type varchar(40),
    client_conversion_event_id varchar(40), client_conversion_event_local_created_at timestamp,
    client_conversion_event_name varchar(40), client_conversion_event_source varchar(40));
SELECT * FROM leadconv_populate();
SELECT * FROM leadconv_populate();
SELECT count(*) AS part1_differing FROM (
    (SELECT * FROM fct_client_conversion_events EXCEPT ALL SELECT * FROM leadconv_client_events())
    UNION ALL (SELECT * FROM leadconv_client_events() EXCEPT ALL SELECT * FROM fct_client_conversion_events)) d;
SELECT count(*) AS part2_differing FROM (
    (SELECT * FROM fct_lead_conversions EXCEPT ALL SELECT * FROM leadconv_lead_conversions())
    UNION ALL (SELECT * FROM leadconv_lead_conversions() EXCEPT ALL SELECT * FROM fct_lead_conversions)) d;

-- without the brief's tables: an error that says what to do
DROP TABLE fct_lead_conversions;
\pset format unaligned
\pset fieldsep ' | '
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_populate()');
\pset format aligned

RESET search_path;
