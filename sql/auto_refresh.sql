--
-- Automatic refresh: triggers keep the fact tables equal to a full
-- recompute after every statement on every source table
--
SELECT lc_test.make_sources('t_auto');
SET search_path = t_auto, public;
SET DateStyle = ISO;

INSERT INTO dim_branch VALUES ('b1', 'One', 'America/New_York', '2020-01-01'),
    ('b2', 'Two', 'Asia/Jakarta', '2020-01-01'), ('b3', 'Three', NULL, '2020-01-01');
INSERT INTO dim_user SELECT 'u' || i, 'b' || (i % 4), 'x', '2024-01-01'::timestamp + i * interval '1 day'
FROM generate_series(1, 30) i;
INSERT INTO fct_membership_purchases SELECT 'u' || (i % 35), NULL, 'm' || i,
    '2024-02-01'::timestamp + i * interval '7 hours', NULL, '{"name": "M", "source": "APP"}'
FROM generate_series(1, 60) i;
INSERT INTO fct_credit_pack_purchases SELECT 'u' || (i % 33), NULL, 'c' || i,
    '2024-02-01'::timestamp + i * interval '11 hours', NULL, '{"name": "C", "source": "WEB"}'
FROM generate_series(1, 40) i;

-- the facts hold another schema's sources: enabling here is refused, with
-- the way to switch
SELECT * FROM lc_test.error_of('SELECT leadconv_enable_auto_refresh()');
SELECT leadconv_switch_source_schema('t_auto');
-- triggers and indexes on the sources; the facts start full
SELECT leadconv_enable_auto_refresh();
SELECT source_schema, auto_refresh FROM leadconv_facts_status;
-- they fire ALWAYS: also for replication and restores (replica role)
SELECT tgrelid::regclass AS source, count(*) AS triggers,
       string_agg(DISTINCT tgenabled::text, '') AS enabled
FROM pg_trigger WHERE tgname LIKE 'leadconv_auto_refresh_%' GROUP BY 1 ORDER BY 1;
SELECT indexrelid::regclass AS index FROM pg_index
WHERE indexrelid::regclass::text LIKE 'leadconv_%' AND indrelid::regclass::text NOT LIKE 'leadconv%'
ORDER BY 1;

SELECT lc_test.facts_differing();

-- A random statement on a random source table: inserts, updates of every
-- column that matters (user_id, branch, zone, times, details) and deletes,
-- of one row or many.  Returns what it did.
CREATE FUNCTION lc_test.random_change() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    u text := 'u' || floor(random() * 40)::int;      -- some are not users
    v text := 'u' || floor(random() * 40)::int;
    b text := 'b' || floor(random() * 5)::int;       -- some are not branches
    t timestamp := CASE WHEN random() < 0.15 THEN NULL
                        ELSE '2024-01-01'::timestamp + random() * interval '200 days' END;
    z text := (ARRAY['Europe/London', ' asia/tokyo ', 'Mars/Base', '', NULL,
                     'America/New_York', 'Australia/Sydney'])[1 + floor(random() * 7)::int];
    d text := (ARRAY['{"name": "N1", "source": "S1"}', '{"name": "N2"}', NULL, '"{\"name\": \"N3\"}"',
                     '[1]'])[1 + floor(random() * 5)::int];
    kind text := (ARRAY['membership', 'credit_pack'])[1 + floor(random() * 2)::int];
    purchases text := format('fct_%s_purchases', kind);
    id_col text := format('%s_id', kind);
    at_col text := format('%s_purchased_at', kind);
    details_col text := format('%s_purchase_details', kind);
    op int := floor(random() * 14)::int;
BEGIN
    CASE op
    WHEN 0 THEN
        EXECUTE format('INSERT INTO %I VALUES ($1, NULL, $2, $3, $3, $4::json)', purchases)
            USING u, 'new' || floor(random() * 1000)::int, t, d;
        RETURN 'insert purchase';
    WHEN 1 THEN
        EXECUTE format('INSERT INTO %I SELECT $1, NULL, %I || ''x'', %I, created_at, %I FROM %I WHERE user_id = $2',
                       purchases, id_col, at_col, details_col, purchases) USING u, v;
        RETURN 'insert many purchases';
    WHEN 2 THEN
        EXECUTE format('UPDATE %I SET %I = $1 WHERE %I IN (SELECT %I FROM %I ORDER BY random() LIMIT 2)',
                       purchases, at_col, id_col, id_col, purchases) USING t;
        RETURN 'update purchase time';
    WHEN 3 THEN
        EXECUTE format('UPDATE %I SET %I = $1::json WHERE user_id = $2', purchases, details_col) USING d, u;
        RETURN 'update purchase details';
    WHEN 4 THEN
        EXECUTE format('UPDATE %I SET user_id = $1 WHERE user_id = $2', purchases) USING u, v;
        RETURN 'move purchases to another user';
    WHEN 5 THEN
        EXECUTE format('DELETE FROM %I WHERE %I IN (SELECT %I FROM %I ORDER BY random() LIMIT 3)',
                       purchases, id_col, id_col, purchases);
        RETURN 'delete purchases';
    WHEN 6 THEN
        INSERT INTO dim_user VALUES (u, b, 'dup or new', t);
        RETURN 'insert user';
    WHEN 7 THEN
        UPDATE dim_user SET created_at = t WHERE user_id = u;
        RETURN 'update user created_at';
    WHEN 8 THEN
        UPDATE dim_user SET branch_id = b WHERE user_id = u;
        RETURN 'update user branch';
    WHEN 9 THEN
        UPDATE dim_user SET user_id = v WHERE user_id = u;
        RETURN 'update user_id';
    WHEN 10 THEN
        DELETE FROM dim_user WHERE user_id = u;
        RETURN 'delete user';
    WHEN 11 THEN
        UPDATE dim_branch SET timezone_id = z WHERE branch_id = b;
        RETURN 'update branch zone';
    WHEN 12 THEN
        IF random() < 0.5 THEN
            INSERT INTO dim_branch VALUES (b, 'dup', z, t);
            RETURN 'insert branch';
        END IF;
        DELETE FROM dim_branch WHERE branch_id = b;
        RETURN 'delete branch';
    ELSE
        IF random() < 0.2 THEN
            EXECUTE format('TRUNCATE %I', purchases);
            RETURN 'truncate';
        END IF;
        UPDATE dim_branch SET branch_id = b WHERE branch_id = 'b' || floor(random() * 5)::int;
        RETURN 'update branch_id';
    END CASE;
END $$;

-- 400 random statements, each checked against a full recompute
SELECT setseed(0.42);
CREATE TEMP TABLE steps AS
SELECT i, lc_test.random_change() AS change, lc_test.facts_differing() AS differing
FROM generate_series(1, 400) i;
SELECT change, count(*) AS statements, sum(differing) AS rows_differing
FROM steps GROUP BY change ORDER BY change;

-- A purchase inserted more than a day after its user's first of its kind
-- cannot be the first: no recomputation (leadconv_client_events_for() says
-- nothing at DEBUG1).  One within a day of it, or of a user without one of
-- its kind, is recomputed (and changes nothing here but the last).
INSERT INTO dim_user VALUES ('day1', 'b1', 'x', '2024-01-01');
INSERT INTO fct_membership_purchases VALUES ('day1', NULL, 'first', '2024-03-01 12:00', NULL, NULL);
SET client_min_messages = debug1;
INSERT INTO fct_membership_purchases
VALUES ('day1', NULL, 'two days on', '2024-03-03 12:00', NULL, NULL),
       ('day1', NULL, NULL, '2024-01-01', NULL, NULL);
INSERT INTO fct_membership_purchases VALUES ('day1', NULL, 'twenty hours on', '2024-03-02 08:00', NULL, NULL);
INSERT INTO fct_credit_pack_purchases VALUES ('day1', NULL, 'first pack', '2030-01-01', NULL, NULL);
RESET client_min_messages;
SELECT lc_test.facts_differing();

-- inside a transaction, every statement sees its own facts fresh; a
-- rollback takes the facts back with the sources
BEGIN;
DELETE FROM dim_user WHERE user_id IN ('u1', 'u2');
SELECT count(*) FROM leadconv_fct_client_conversion_events WHERE user_id IN ('u1', 'u2');
ROLLBACK;
SELECT lc_test.facts_differing();

-- off again: triggers and indexes gone; the facts stay as they were
SELECT leadconv_disable_auto_refresh();
SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'leadconv_auto_refresh_%';
SELECT count(*) FROM pg_class WHERE relname LIKE 'leadconv_%_idx' AND relnamespace = 't_auto'::regnamespace;
INSERT INTO dim_user VALUES ('late', 'b1', 'x', '2024-01-01');
SELECT count(*) FROM leadconv_fct_client_conversion_events WHERE user_id = 'late';


-- The same with timestamptz and date purchase times, which the shortcut
-- for inserted purchases reads as UTC too
SELECT lc_test.make_sources('t_auto_types', 'uuid', 'timestamptz', 'jsonb');
SET search_path = t_auto_types, public;
SET TimeZone = 'Asia/Jakarta';
INSERT INTO dim_branch VALUES ('00000000-0000-0000-0000-0000000000b1', 'B', 'Asia/Jakarta', '2020-01-01');
INSERT INTO dim_user VALUES ('00000000-0000-0000-0000-000000000001',
                             '00000000-0000-0000-0000-0000000000b1', 'x', '2024-01-01');
SELECT leadconv_switch_source_schema('t_auto_types');
SELECT leadconv_enable_auto_refresh();
INSERT INTO fct_membership_purchases
VALUES ('00000000-0000-0000-0000-000000000001', NULL, '00000000-0000-0000-0000-0000000000a1',
        '2024-03-01 12:00+00', NULL, NULL);
SET client_min_messages = debug1;
-- two days on in UTC: skipped; 20:00 in Jakarta the next day is 13:00 UTC,
-- a day and an hour on, but less than a day after the local 19:00: recomputed
INSERT INTO fct_membership_purchases
VALUES ('00000000-0000-0000-0000-000000000001', NULL, '00000000-0000-0000-0000-0000000000a2',
        '2024-03-03 12:00+00', NULL, NULL);
INSERT INTO fct_membership_purchases
VALUES ('00000000-0000-0000-0000-000000000001', NULL, '00000000-0000-0000-0000-0000000000a3',
        '2024-03-02 20:00+07', NULL, NULL);
INSERT INTO fct_membership_purchases
VALUES ('00000000-0000-0000-0000-000000000001', NULL, '00000000-0000-0000-0000-0000000000a4',
        '2024-03-01 11:00+00', NULL, NULL);
RESET client_min_messages;
SELECT lc_test.facts_differing();
SELECT first_user_membership_id, first_local_membership_purchased_at
FROM leadconv_fct_client_conversion_events;
-- PostgreSQL 18 reads a zone name first as an abbreviation of the session's
-- TimeZone: under the POSIX zone 'UTC-13' (13 hours east, abbreviated UTC),
-- AT TIME ZONE 'UTC' is 13 hours east too.  The shortcut must not depend on
-- it: a purchase half an hour before a user's first, in a branch 12 hours
-- behind UTC, is a new first and recomputed.
INSERT INTO dim_branch VALUES ('00000000-0000-0000-0000-0000000000b2', 'B2', 'Etc/GMT+12', '2020-01-01');
INSERT INTO dim_user VALUES ('00000000-0000-0000-0000-000000000002',
                             '00000000-0000-0000-0000-0000000000b2', 'x', '2024-01-01');
INSERT INTO fct_membership_purchases
VALUES ('00000000-0000-0000-0000-000000000002', NULL, '00000000-0000-0000-0000-0000000000a5',
        '2024-03-01 12:00+00', NULL, NULL);
SET TimeZone = 'UTC-13';
INSERT INTO fct_membership_purchases
VALUES ('00000000-0000-0000-0000-000000000002', NULL, '00000000-0000-0000-0000-0000000000a6',
        '2024-03-01 11:30+00', NULL, NULL);
SELECT lc_test.facts_differing();
SELECT user_id, first_user_membership_id, first_local_membership_purchased_at
FROM leadconv_fct_client_conversion_events ORDER BY user_id;
SELECT leadconv_disable_auto_refresh();
RESET TimeZone;


-- Facts after a restore: pg_dump keeps the triggers on the sources but not
-- the facts or their record.  The first write then refreshes everything.
SET search_path = t_auto, public;
SELECT leadconv_switch_source_schema('t_auto');
SELECT leadconv_enable_auto_refresh();
TRUNCATE leadconv_fct_client_conversion_events, leadconv_fct_lead_conversions;
UPDATE leadconv_facts_state SET source_schema = NULL;
INSERT INTO dim_user VALUES ('restored', 'b1', 'x', '2024-01-01');
SELECT source_schema, last_refresh_method FROM leadconv_facts_status;
SELECT lc_test.facts_differing();

-- Partitioned and inherited sources: statement triggers fire only for the
-- statements naming their table, so automatic refresh refuses them, and
-- DDL that would give a watched source a parent or a child.
SELECT * FROM lc_test.error_of('CREATE TABLE t_auto.dim_user_child () INHERITS (t_auto.dim_user)');
CREATE TABLE t_auto.users_parent (LIKE t_auto.dim_user);
SELECT * FROM lc_test.error_of('ALTER TABLE t_auto.dim_user INHERIT t_auto.users_parent');
CREATE TABLE t_auto.memberships_by_branch (LIKE t_auto.fct_membership_purchases)
    PARTITION BY LIST (branch_id);
SELECT * FROM lc_test.error_of($$ALTER TABLE t_auto.memberships_by_branch
    ATTACH PARTITION t_auto.fct_membership_purchases DEFAULT$$);
SELECT count(*) AS children FROM pg_inherits
WHERE inhparent = 't_auto.dim_user'::regclass OR inhrelid = 't_auto.dim_user'::regclass;
SELECT leadconv_disable_auto_refresh();
-- other tables are free to inherit as they like
CREATE TABLE t_auto.dim_user_child () INHERITS (t_auto.dim_user);
SELECT * FROM lc_test.error_of('SELECT leadconv_enable_auto_refresh()');
DROP TABLE t_auto.dim_user_child;
SELECT lc_test.make_sources('t_partitioned');
SET search_path = t_partitioned, public;
DROP TABLE fct_credit_pack_purchases;
CREATE TABLE fct_credit_pack_purchases (user_id text, branch_id text, credit_pack_id text,
    credit_pack_purchased_at timestamp, created_at timestamp, credit_pack_purchase_details json)
    PARTITION BY HASH (user_id);
CREATE TABLE fct_credit_pack_purchases_0 PARTITION OF fct_credit_pack_purchases
    FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE fct_credit_pack_purchases_1 PARTITION OF fct_credit_pack_purchases
    FOR VALUES WITH (MODULUS 2, REMAINDER 1);
SELECT leadconv_switch_source_schema('t_partitioned');
SELECT * FROM lc_test.error_of('SELECT leadconv_enable_auto_refresh()');
-- a refresh reads them through the parent, as any query does
INSERT INTO dim_user VALUES ('p1', NULL, 'x', '2024-01-01');
INSERT INTO fct_credit_pack_purchases VALUES ('p1', NULL, 'c1', '2024-02-01', NULL, NULL),
                                             ('p1', NULL, 'c0', '2024-01-01', NULL, NULL);
SELECT fact_table, rows FROM leadconv_refresh();
SELECT user_id, first_credit_pack_id FROM leadconv_fct_client_conversion_events;
-- the session's settings and role are as they were (nothing leaks from the
-- owner's security-restricted context)
SHOW search_path;
SELECT current_user = session_user AS same_user;
CREATE TEMP TABLE after_refresh ();

-- A session that works with many source schemas, automatic refresh moving
-- from one to the next: the plans leadconv keeps outgrow their cache while a
-- trigger's statement runs, and none that is running is freed (valgrind,
-- make sanitize-valgrind, sees the difference).
DO $$
BEGIN
    FOR i IN 1..9 LOOP
        PERFORM lc_test.make_sources('t_many_' || i);
        EXECUTE format('INSERT INTO t_many_%s.dim_user VALUES (''u1'', NULL, ''x'', ''2024-01-01'')', i);
    END LOOP;
END $$;
CREATE TEMP TABLE many (schema text, differing bigint);
DO $$
BEGIN
    FOR i IN 1..9 LOOP
        EXECUTE format('SET LOCAL search_path = t_many_%s, public', i);
        PERFORM leadconv_switch_source_schema('t_many_' || i);
        IF i = 1 THEN
            PERFORM leadconv_enable_auto_refresh();
        END IF;
        EXECUTE format('INSERT INTO t_many_%s.fct_membership_purchases VALUES (''u1'', NULL, ''m%s'', ''2024-02-01'', NULL, NULL)', i, i);
        EXECUTE format('INSERT INTO t_many_%s.dim_user VALUES (''u2'', NULL, ''x'', ''2024-01-01'')', i);
        INSERT INTO many SELECT 't_many_' || i, lc_test.facts_differing();
    END LOOP;
END $$;
SELECT count(*) AS schemas, sum(differing) AS differing FROM many;
SELECT source_schema, auto_refresh FROM leadconv_facts_status;
SELECT count(DISTINCT tgrelid::regclass::text) AS watched_tables,
       min(tgrelid::regclass::text) AS one_of_them
FROM pg_trigger WHERE tgname LIKE 'leadconv_auto_refresh_%';
SELECT leadconv_disable_auto_refresh();
SET client_min_messages = warning;
DO $$
BEGIN
    FOR i IN 1..9 LOOP
        EXECUTE format('DROP SCHEMA t_many_%s CASCADE', i);
    END LOOP;
END $$;
DROP SCHEMA t_partitioned CASCADE;
RESET client_min_messages;

RESET search_path;
