--
-- Safety (SPEC section 5): SECURITY INVOKER, the caller's privileges,
-- search_path tricks, and cancellation.
--
-- The roles are created here and dropped at the end; pg_regress runs this
-- file as a superuser, which is also the victim of the search_path tricks:
-- code an unprivileged role gets it to run would run as superuser.
--
SET DateStyle = ISO;
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_lc_reader;
DROP ROLE IF EXISTS regress_lc_attacker;
RESET client_min_messages;
CREATE ROLE regress_lc_reader;
CREATE ROLE regress_lc_attacker;
GRANT USAGE ON SCHEMA lc_test TO regress_lc_reader;

--
-- 1. Every function of the extension runs with the caller's rights, and any
-- that is not C either pins its search_path or has an SQL-standard body
-- (BEGIN ATOMIC: bound to the objects it names when it is created).
--
CREATE TEMP VIEW extension_functions AS
SELECT p.oid::regprocedure AS function, p.prosecdef, l.lanname, p.proconfig,
       p.prosqlbody IS NOT NULL AS sql_standard_body
FROM pg_depend d
JOIN pg_proc p ON p.oid = d.objid
JOIN pg_language l ON l.oid = p.prolang
WHERE d.classid = 'pg_proc'::regclass
  AND d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leadconv')
  AND d.deptype = 'e';
SELECT count(*) > 0 AS has_functions,
       count(*) FILTER (WHERE prosecdef) AS security_definer
FROM extension_functions;
-- the offenders, if any
SELECT function, prosecdef, lanname, proconfig
FROM extension_functions
WHERE prosecdef
   OR (lanname NOT IN ('c', 'internal') AND NOT sql_standard_body
       AND NOT coalesce(array_to_string(proconfig, ',') ~ '(^|,)search_path=', false))
ORDER BY function::text;

--
-- 2. search_path tricks.  An unprivileged role owns a schema the superuser
-- puts first on search_path, and fills it with objects named like those
-- leadconv's internal SQL uses: hashtext(), casts to text, the operators
-- =, & and = ANY on text and int4, a type named text, and a look-alike of
-- one source table.  Each trap raises an error if it ever runs.  This comes
-- before any other leadconv call in the file, so that the backend's first
-- calls (which prepare and keep the internal plans, and read the zone names)
-- happen with the traps in place.
--
SELECT lc_test.make_sources('t_trap_data');
INSERT INTO t_trap_data.dim_branch VALUES
    ('b0', 'x', 'America/New_York', '2020-01-01'),
    ('b1', 'x', 'Asia/Jakarta', '2020-01-01'),
    ('b2', 'x', NULL, '2020-01-01');
-- 1500 users: more than one pass holds at leadconv.work_mem = 1MB, so the
-- passes split users with hashtext() & mask = part
INSERT INTO t_trap_data.dim_user
SELECT 'u' || i, 'b' || (i % 3), 'x', timestamp '2024-01-01' + i * interval '1 hour'
FROM generate_series(1, 1500) i;
INSERT INTO t_trap_data.fct_membership_purchases
SELECT 'u' || i, NULL, 'm' || i, timestamp '2024-03-01' + i * interval '1 hour', NULL,
       '{"name": "Monthly", "source": "APP"}'
FROM generate_series(1, 1500) i WHERE i % 2 = 0;
INSERT INTO t_trap_data.fct_credit_pack_purchases
SELECT 'u' || i, NULL, 'c' || i, timestamp '2024-02-01' + i * interval '1 hour', NULL,
       '{"name": "Ten", "source": "WEB"}'
FROM generate_series(1, 1500) i WHERE i % 3 = 0;

CREATE SCHEMA regress_lc_trap AUTHORIZATION regress_lc_attacker;
SET ROLE regress_lc_attacker;
GRANT USAGE ON SCHEMA regress_lc_trap TO PUBLIC;
CREATE FUNCTION regress_lc_trap.sprung(what text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'trap ran: %', what;
END $$;
CREATE FUNCTION regress_lc_trap.hashtext(text) RETURNS int4
    LANGUAGE sql AS $$ SELECT 0 WHERE regress_lc_trap.sprung('hashtext(text)') $$;
CREATE FUNCTION regress_lc_trap.hashtext(varchar) RETURNS int4
    LANGUAGE sql AS $$ SELECT 0 WHERE regress_lc_trap.sprung('hashtext(varchar)') $$;
CREATE FUNCTION regress_lc_trap.text(varchar) RETURNS text
    LANGUAGE sql AS $$ SELECT 'x' WHERE regress_lc_trap.sprung('text(varchar)') $$;
CREATE FUNCTION regress_lc_trap.text(uuid) RETURNS text
    LANGUAGE sql AS $$ SELECT 'x' WHERE regress_lc_trap.sprung('text(uuid)') $$;
CREATE FUNCTION regress_lc_trap.text(name) RETURNS text
    LANGUAGE sql AS $$ SELECT 'x' WHERE regress_lc_trap.sprung('text(name)') $$;
CREATE FUNCTION regress_lc_trap.eq_text(text, text) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_lc_trap.sprung('= (text, text)') $$;
CREATE FUNCTION regress_lc_trap.eq_varchar_text(varchar, text) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_lc_trap.sprung('= (varchar, text)') $$;
CREATE FUNCTION regress_lc_trap.eq_int4(int4, int4) RETURNS boolean
    LANGUAGE sql AS $$ SELECT regress_lc_trap.sprung('= (int4, int4)') $$;
CREATE FUNCTION regress_lc_trap.and_int4(int4, int4) RETURNS int4
    LANGUAGE sql AS $$ SELECT 0 WHERE regress_lc_trap.sprung('& (int4, int4)') $$;
CREATE OPERATOR regress_lc_trap.= (LEFTARG = text, RIGHTARG = text,
    FUNCTION = regress_lc_trap.eq_text);
CREATE OPERATOR regress_lc_trap.= (LEFTARG = varchar, RIGHTARG = text,
    FUNCTION = regress_lc_trap.eq_varchar_text);
CREATE OPERATOR regress_lc_trap.= (LEFTARG = int4, RIGHTARG = int4,
    FUNCTION = regress_lc_trap.eq_int4);
CREATE OPERATOR regress_lc_trap.& (LEFTARG = int4, RIGHTARG = int4,
    FUNCTION = regress_lc_trap.and_int4);
CREATE DOMAIN regress_lc_trap.text AS integer;
-- a look-alike of one source table (the other three are missing)
CREATE VIEW regress_lc_trap.dim_user AS
SELECT 'intruder'::pg_catalog.text AS user_id, NULL::pg_catalog.text AS branch_id,
       NULL::timestamp AS created_at
WHERE regress_lc_trap.sprung('look-alike dim_user');
-- the same for the zone names leadconv reads from pg_catalog
CREATE VIEW regress_lc_trap.pg_timezone_names AS
SELECT 'Fake/Zone'::pg_catalog.text AS name WHERE regress_lc_trap.sprung('pg_timezone_names');
RESET ROLE;

-- The victim's calls, with the trap schema first on search_path.  Multiple
-- passes (leadconv.work_mem at its minimum), the users filter of
-- leadconv_client_events_for(), Part 2, Part 2 from a table, the anomalies,
-- and the per-branch function.
BEGIN;
SET LOCAL search_path = regress_lc_trap, t_trap_data, public;
SET LOCAL leadconv.work_mem = 1024;
CREATE TEMP TABLE trapped_events AS SELECT * FROM leadconv_client_events();
CREATE TEMP TABLE trapped_for AS
    SELECT * FROM leadconv_client_events_for(ARRAY['u1', 'u2', 'u3', 'u6', 'nobody']);
CREATE TEMP TABLE trapped_conversions AS SELECT * FROM leadconv_lead_conversions();
CREATE TEMP TABLE trapped_from AS
    SELECT * FROM leadconv_lead_conversions_from('pg_temp.trapped_events');
CREATE TEMP TABLE trapped_anomalies AS SELECT * FROM leadconv_anomalies();
CREATE TEMP TABLE trapped_branch AS SELECT * FROM leadconv_branch_conversions();
SET LOCAL search_path = pg_catalog, public;
-- several passes did run: dim_user was scanned more than once
SELECT seq_scan > 1 AS several_passes FROM pg_stat_xact_user_tables
WHERE relid = 't_trap_data.dim_user'::regclass;
COMMIT;

-- The same calls without the traps give the same rows: rows of one side not
-- on the other, both ways, are none.
SET search_path = t_trap_data, public;
CREATE FUNCTION pg_temp.rows_differ(a text, b text) RETURNS TABLE (rows bigint, differ bigint)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format(
        'SELECT (SELECT count(*) FROM (%1$s) a), '
        '(SELECT count(*) FROM ((%1$s) EXCEPT ALL (%2$s)) d) '
        '+ (SELECT count(*) FROM ((%2$s) EXCEPT ALL (%1$s)) d)', a, b);
END $$;
SELECT 'events' AS call, * FROM pg_temp.rows_differ('TABLE trapped_events',
    'SELECT * FROM leadconv_client_events()')
UNION ALL
SELECT 'events_for', * FROM pg_temp.rows_differ('TABLE trapped_for',
    $$SELECT * FROM leadconv_client_events_for('{u1, u2, u3, u6}')$$)
UNION ALL
SELECT 'conversions', * FROM pg_temp.rows_differ('TABLE trapped_conversions',
    'SELECT * FROM leadconv_lead_conversions()')
UNION ALL
SELECT 'conversions_from', * FROM pg_temp.rows_differ('TABLE trapped_from',
    'SELECT * FROM leadconv_lead_conversions()')
UNION ALL
SELECT 'branch_conversions', * FROM pg_temp.rows_differ('TABLE trapped_branch',
    'SELECT * FROM leadconv_branch_conversions()');
SELECT rows > 0 AS some_anomalies, differ AS anomalies_differ
FROM pg_temp.rows_differ('TABLE trapped_anomalies', 'SELECT * FROM leadconv_anomalies()');
SELECT user_id, branch_id, local_user_created_at, lead_status, client_conversion_event_type,
       client_conversion_event_id, client_conversion_event_name
FROM trapped_for ORDER BY user_id COLLATE "C";

-- The fact tables too: a refresh (a rebuild and a diff), then automatic
-- refresh by triggers fired by the victim's changes to the sources, and the
-- views over the facts (rolled back after).
BEGIN;
SET LOCAL search_path = regress_lc_trap, t_trap_data, public;
SELECT fact_table, rows FROM leadconv_refresh();
SELECT fact_table, rows FROM leadconv_refresh();
SELECT leadconv_enable_auto_refresh();
INSERT INTO t_trap_data.dim_user VALUES ('u_new', 'b1', 'x', '2024-06-01');
INSERT INTO t_trap_data.fct_credit_pack_purchases VALUES
    ('u_new', NULL, 'c_new', '2024-06-02', NULL, '{"name": "New"}');
UPDATE t_trap_data.dim_branch SET timezone_id = 'Europe/Paris'
WHERE branch_id OPERATOR(pg_catalog.=) 'b2';
DELETE FROM t_trap_data.fct_membership_purchases WHERE user_id OPERATOR(pg_catalog.=) 'u2';
CREATE TEMP TABLE trapped_summary AS SELECT * FROM leadconv_conversion_summary();
CREATE TEMP TABLE trapped_view AS SELECT * FROM leadconv_branch_conversions;
SET LOCAL search_path = t_trap_data, public;
SELECT 'facts' AS call, * FROM pg_temp.rows_differ('TABLE leadconv_fct_client_conversion_events',
    'SELECT * FROM leadconv_client_events()')
UNION ALL
SELECT 'conversion facts', * FROM pg_temp.rows_differ('TABLE leadconv_fct_lead_conversions',
    'SELECT * FROM leadconv_lead_conversions()')
UNION ALL
SELECT 'branch conversions view', * FROM pg_temp.rows_differ('TABLE trapped_view',
    'SELECT * FROM leadconv_branch_conversions()')
UNION ALL
SELECT 'conversion summary', * FROM pg_temp.rows_differ('TABLE trapped_summary',
    'SELECT * FROM leadconv_conversion_summary()');
ROLLBACK;
-- leave the fact tables as the later tests expect them: empty
VACUUM leadconv_fct_client_conversion_events, leadconv_fct_lead_conversions;

-- What search_path does decide: which schema the sources come from.  Once
-- the untrusted schema has all four tables, they are the sources (as for
-- any unqualified table name in SQL), and the trap in its dim_user runs.
-- leadconv.source_schema names the schema of the sources instead.
SET ROLE regress_lc_attacker;
CREATE TABLE regress_lc_trap.dim_branch (branch_id text, timezone_id text, created_at timestamp);
CREATE TABLE regress_lc_trap.fct_membership_purchases (user_id text, membership_id text,
    membership_purchased_at timestamp, created_at timestamp, membership_purchase_details json);
CREATE TABLE regress_lc_trap.fct_credit_pack_purchases (user_id text, credit_pack_id text,
    credit_pack_purchased_at timestamp, created_at timestamp, credit_pack_purchase_details json);
GRANT SELECT ON ALL TABLES IN SCHEMA regress_lc_trap TO PUBLIC;
RESET ROLE;
SET search_path = regress_lc_trap, t_trap_data, public;
SELECT * FROM lc_test.error_of('SELECT * FROM public.leadconv_client_events()');
SET leadconv.source_schema = t_trap_data;
SELECT count(*) FROM public.leadconv_client_events();
RESET leadconv.source_schema;
SET search_path = public;
SET client_min_messages = warning;
DROP SCHEMA regress_lc_trap CASCADE;
RESET client_min_messages;

--
-- 3. The caller's privileges: SECURITY INVOKER, so the internal queries
-- check the caller's rights on every source table, column and row.
--
SELECT lc_test.make_sources('t_priv');
SET search_path = t_priv, public;
INSERT INTO dim_branch VALUES ('b1', 'x', 'UTC', NULL), ('b2', 'x', 'Asia/Jakarta', NULL);
INSERT INTO dim_user VALUES
    ('u1', 'b1', 'x', '2024-01-01'), ('u2', 'b1', 'x', '2024-01-02'),
    ('u3', 'b2', 'x', '2024-01-03'), ('u4', 'b2', 'x', '2024-01-04');
INSERT INTO fct_membership_purchases VALUES
    ('u1', NULL, 'm1', '2024-02-01', NULL, '{"name": "Monthly", "source": "APP"}'),
    ('u3', NULL, 'm3', '2024-02-03', NULL, '{"name": "Monthly", "source": "WEB"}');
INSERT INTO fct_credit_pack_purchases VALUES
    ('u2', NULL, 'c2', '2024-02-02', NULL, '{"name": "Ten", "source": "APP"}');
GRANT USAGE ON SCHEMA t_priv TO regress_lc_reader;
-- the superuser first: the internal plans are prepared and kept
SELECT user_id, lead_status, client_conversion_event_type FROM leadconv_client_events()
ORDER BY user_id;

-- no SELECT on a source table: 42501, whichever table it is
SET ROLE regress_lc_reader;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
RESET ROLE;
GRANT SELECT ON dim_branch TO regress_lc_reader;
SET ROLE regress_lc_reader;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
RESET ROLE;
GRANT SELECT ON dim_user, fct_membership_purchases TO regress_lc_reader;
SET ROLE regress_lc_reader;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_lead_conversions()');
SELECT * FROM lc_test.error_of($$SELECT * FROM leadconv_client_events_for('{u1}')$$);
RESET ROLE;
-- SELECT on just the columns leadconv reads is enough
GRANT SELECT (user_id, credit_pack_id, credit_pack_purchased_at, created_at,
              credit_pack_purchase_details) ON fct_credit_pack_purchases TO regress_lc_reader;
SET ROLE regress_lc_reader;
SELECT user_id, lead_status, client_conversion_event_type FROM leadconv_client_events()
ORDER BY user_id;
SELECT count(*) FROM leadconv_lead_conversions();
RESET ROLE;
-- but not one column fewer
REVOKE SELECT (created_at) ON fct_credit_pack_purchases FROM regress_lc_reader;
SET ROLE regress_lc_reader;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
RESET ROLE;
GRANT SELECT ON fct_credit_pack_purchases TO regress_lc_reader;

-- Part 2 from a table: the caller needs SELECT on that table too
CREATE TABLE t_priv.part1 AS SELECT * FROM leadconv_client_events();
SET ROLE regress_lc_reader;
SELECT * FROM lc_test.error_of($$SELECT * FROM leadconv_lead_conversions_from('t_priv.part1')$$);
RESET ROLE;
GRANT SELECT ON t_priv.part1 TO regress_lc_reader;
SET ROLE regress_lc_reader;
SELECT count(*) FROM leadconv_lead_conversions_from('t_priv.part1');
-- refreshing the fact tables is their owner's, as REFRESH MATERIALIZED VIEW is
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_refresh()');
SELECT * FROM lc_test.error_of('SELECT leadconv_enable_auto_refresh()');
SELECT * FROM lc_test.error_of($$SELECT leadconv_switch_source_schema('t_priv')$$);
RESET ROLE;
-- NULL is no table: no rows
SELECT count(*) FROM leadconv_lead_conversions_from(NULL);

-- Row-level security: the caller sees the rows its policies let it see,
-- though the superuser's plans were prepared and kept first.
ALTER TABLE dim_user ENABLE ROW LEVEL SECURITY;
CREATE POLICY reader_b1 ON dim_user FOR SELECT TO regress_lc_reader USING (branch_id = 'b1');
SELECT count(*) AS superuser_sees FROM leadconv_client_events();
SET ROLE regress_lc_reader;
SELECT user_id, lead_status, client_conversion_event_type FROM leadconv_client_events()
ORDER BY user_id;
RESET ROLE;
SELECT count(*) AS superuser_sees FROM leadconv_client_events();

-- The facts are shared: they are computed and written as their owner,
-- whoever writes the sources.  A writer under that policy adds purchases of
-- users it cannot see, and the facts stay those of all the rows; it needs
-- no privilege on the facts.
SELECT leadconv_switch_source_schema('t_priv');
SELECT leadconv_enable_auto_refresh();
GRANT INSERT, UPDATE, DELETE ON fct_membership_purchases TO regress_lc_reader;
SET ROLE regress_lc_reader;
INSERT INTO fct_membership_purchases VALUES
    ('u4', NULL, 'm4', '2024-01-10', NULL, '{"name": "Seen by the owner"}'),
    ('u2', NULL, 'm2', '2024-01-11', NULL, '{"name": "Seen by all"}');
DELETE FROM fct_membership_purchases WHERE membership_id = 'm3';
SELECT * FROM lc_test.error_of('SELECT count(*) FROM leadconv_fct_client_conversion_events');
RESET ROLE;
SELECT lc_test.facts_differing();
SELECT user_id, first_user_membership_id, first_membership_name
FROM leadconv_fct_client_conversion_events ORDER BY user_id;
-- A BI reader needs SELECT on the status view alone: the view reads the
-- state table as its owner.
GRANT SELECT ON leadconv_facts_status TO regress_lc_reader;
SET ROLE regress_lc_reader;
SELECT source_schema, auto_refresh, last_refresh_method IS NOT NULL AS refreshed
FROM leadconv_facts_status;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_facts_state');
RESET ROLE;
REVOKE SELECT ON leadconv_facts_status FROM regress_lc_reader;
SELECT leadconv_disable_auto_refresh();

-- Another role may maintain the facts once they are its (or it is a
-- member of their owner's role).  It computes them as itself, with
-- row-level security off: a source it may not read, or whose policy would
-- hide rows from it, is an error, never fewer facts.
CREATE ROLE regress_lc_etl;
ALTER TABLE leadconv_fct_client_conversion_events OWNER TO regress_lc_etl;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_refresh()');
ALTER TABLE leadconv_fct_lead_conversions OWNER TO regress_lc_etl;
ALTER TABLE leadconv_facts_state OWNER TO regress_lc_etl;
GRANT regress_lc_etl TO regress_lc_reader;
SET ROLE regress_lc_reader;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_refresh()');
RESET ROLE;
GRANT USAGE ON SCHEMA t_priv TO regress_lc_etl;
GRANT SELECT ON ALL TABLES IN SCHEMA t_priv TO regress_lc_etl;
SET ROLE regress_lc_reader;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_refresh()');
RESET ROLE;
ALTER ROLE regress_lc_etl BYPASSRLS;
SET ROLE regress_lc_reader;
SELECT fact_table, rows FROM leadconv_refresh();
RESET ROLE;
SELECT lc_test.facts_differing();
ALTER TABLE leadconv_fct_client_conversion_events OWNER TO CURRENT_USER;
ALTER TABLE leadconv_fct_lead_conversions OWNER TO CURRENT_USER;
ALTER TABLE leadconv_facts_state OWNER TO CURRENT_USER;
REVOKE ALL ON ALL TABLES IN SCHEMA t_priv FROM regress_lc_etl;
REVOKE USAGE ON SCHEMA t_priv FROM regress_lc_etl;
DROP ROLE regress_lc_etl;
REVOKE INSERT, UPDATE, DELETE ON fct_membership_purchases FROM regress_lc_reader;
ALTER TABLE dim_user DISABLE ROW LEVEL SECURITY;

-- No USAGE on the schema: on search_path it is skipped (so no sources are
-- found); named by leadconv.source_schema, it is refused (42501).
REVOKE USAGE ON SCHEMA t_priv FROM regress_lc_reader;
SET ROLE regress_lc_reader;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
SET leadconv.source_schema = t_priv;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
RESET leadconv.source_schema;
RESET ROLE;

--
-- 4. Cancellation: a long run stops on statement_timeout, and leaves the
-- session as it was (no cursor left open, settings restored) and able to
-- run leadconv again.  300000 generated users: the uncancelled run takes
-- about a second, the timeout fires at 0.1 s, in the middle of the scans.
--
CREATE SCHEMA t_cancel;
CREATE UNLOGGED TABLE t_cancel.dim_branch AS
SELECT 'b' || i AS branch_id, 'America/New_York' AS timezone_id,
       timestamp '2020-01-01' AS created_at
FROM generate_series(0, 9) i;
CREATE UNLOGGED TABLE t_cancel.dim_user AS
SELECT 'u' || i AS user_id, 'b' || (i % 10) AS branch_id,
       timestamp '2024-01-01' + i * interval '1 second' AS created_at
FROM generate_series(1, 300000) i;
CREATE UNLOGGED TABLE t_cancel.fct_membership_purchases AS
SELECT 'u' || i AS user_id, 'm' || i AS membership_id,
       timestamp '2024-02-01' + i * interval '1 second' AS membership_purchased_at,
       NULL::timestamp AS created_at, '{"name": "M"}'::json AS membership_purchase_details
FROM generate_series(1, 300000, 3) i;
CREATE UNLOGGED TABLE t_cancel.fct_credit_pack_purchases AS
SELECT 'u' || i AS user_id, 'c' || i AS credit_pack_id,
       timestamp '2024-02-01' + i * interval '1 second' AS credit_pack_purchased_at,
       NULL::timestamp AS created_at, '{"name": "C"}'::json AS credit_pack_purchase_details
FROM generate_series(1, 300000, 5) i;

SET search_path = t_cancel, public;
SET statement_timeout = '100ms';
-- (terse: a cancel that lands while a scan's cursor opens adds a CONTEXT line)
\set VERBOSITY terse
SELECT count(*) FROM leadconv_client_events();
\set VERBOSITY default
RESET statement_timeout;
SELECT name FROM pg_cursors;
SHOW search_path;
SHOW leadconv.source_schema;

-- The same inside a subtransaction, timed: the run stops soon after the
-- timeout, and the rest of the transaction goes on.
SET statement_timeout = '100ms';
DO $$
DECLARE
    started timestamptz := clock_timestamp();
BEGIN
    BEGIN
        PERFORM count(*) FROM leadconv_lead_conversions();
        RAISE NOTICE 'not cancelled';
    EXCEPTION WHEN query_canceled THEN
        RAISE NOTICE 'cancelled within 1 s: %', clock_timestamp() - started < interval '1 s';
    END;
    RAISE NOTICE 'search_path: %; cursors: %', current_setting('search_path'),
        (SELECT count(*) FROM pg_cursors);
END $$;
RESET statement_timeout;

-- and leadconv runs again, in full
SELECT count(*) AS users, count(client_conversion_event_type) AS clients
FROM leadconv_client_events();
SELECT user_id, branch_id, local_user_created_at, client_conversion_event_type,
       client_conversion_event_id, client_conversion_event_local_created_at
FROM leadconv_client_events_for('{u1, u2, u3, u299999}') ORDER BY user_id COLLATE "C";
RESET search_path;
SET client_min_messages = warning;
DROP SCHEMA t_cancel CASCADE;

--
-- The roles go; their schemas and grants went with the tests above.
--
DROP SCHEMA t_trap_data CASCADE;
DROP SCHEMA t_priv CASCADE;
RESET client_min_messages;
REVOKE USAGE ON SCHEMA lc_test FROM regress_lc_reader;
DROP ROLE regress_lc_reader;
DROP ROLE regress_lc_attacker;
