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

-- indexed for lookups by user, by branch and by filter
SELECT indexrelid::regclass AS index, pg_get_indexdef(indexrelid, 0, false) ~ 'UNIQUE' AS is_unique,
       (SELECT string_agg(attname, ', ' ORDER BY k.n) FROM unnest(indkey) WITH ORDINALITY k(att, n)
        JOIN pg_attribute ON attrelid = indrelid AND attnum = k.att) AS columns
FROM pg_index
WHERE indrelid IN ('leadconv_fct_client_conversion_events'::regclass, 'leadconv_fct_lead_conversions'::regclass)
ORDER BY 1::text;

-- a refresh fills them with exactly the functions' rows
SELECT * FROM leadconv_refresh();
SELECT lc_test.facts_differing();

-- a refresh with nothing changed writes nothing; a change rewrites only
-- the rows of the users whose Part 1 row changed: u7's (its Part 1 row and
-- its three Part 2 rows), u41's new rows, u40's gone rows
SELECT * FROM leadconv_refresh();
UPDATE fct_membership_purchases SET membership_purchase_details = '{"name": "Yearly"}' WHERE user_id = 'u7';
INSERT INTO dim_user VALUES ('u41', 'b1', 'new', '2024-06-01');
DELETE FROM dim_user WHERE user_id = 'u40';
SELECT * FROM leadconv_refresh();
SELECT lc_test.facts_differing();
SELECT first_membership_name FROM leadconv_fct_client_conversion_events WHERE user_id = 'u7';

-- atomic: a refresh rolled back leaves the facts as they were
BEGIN;
DELETE FROM dim_user;
SELECT * FROM leadconv_refresh();
ROLLBACK;
SELECT count(*) FROM leadconv_fct_client_conversion_events;

-- lookups use the indexes
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM leadconv_fct_client_conversion_events WHERE user_id = 'u1';
EXPLAIN (COSTS OFF) SELECT * FROM leadconv_fct_client_conversion_events WHERE branch_id = 'b1';
EXPLAIN (COSTS OFF) SELECT * FROM leadconv_fct_lead_conversions
    WHERE branch_id = 'b1' AND client_conversion_event_filter = 'ALL';
EXPLAIN (COSTS OFF) SELECT count(*) FROM leadconv_fct_lead_conversions
    WHERE client_conversion_event_filter = 'MEMBERSHIP';
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
