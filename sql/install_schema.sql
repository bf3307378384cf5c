--
-- install_schema: leadconv installed into a schema of one's choice
-- (reports), its sources in another (brief, the project's sample data, shaped
-- as the brief's setup.sql), neither on the other's search_path.  The
-- functions, the refresh, automatic refresh, populate and the BI views work
-- there, from a fresh install and from 1.0 updated to the newest version.
--
-- Works in a scratch database of its own, as upgrade does.
--
SET client_min_messages = warning;
SELECT current_database() AS regress_db,
       current_database() || '_schema' AS schema_db \gset
DROP DATABASE IF EXISTS :"schema_db";
CREATE DATABASE :"schema_db" TEMPLATE template0;
\c :"schema_db"
SET client_min_messages = warning;
SET DateStyle = ISO;

CREATE SCHEMA brief;
SET search_path = brief;
\set ECHO none
\o /dev/null
\i sample/sample.sql
\o
\set ECHO all
RESET search_path;

-- The checks, as rows (step, ok), run after each install.  Every call names
-- the extension's schema; search_path is public, which holds nothing.
CREATE SCHEMA lc_check;
CREATE FUNCTION lc_check.run() RETURNS TABLE (step text, ok boolean)
LANGUAGE plpgsql AS $$
BEGIN
    -- every member of the extension is in reports (the event trigger has
    -- no schema)
    step := 'members in reports';
    SELECT count(*) = 0 INTO ok
    FROM pg_depend d
    JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'leadconv'
    LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
    LEFT JOIN pg_class c ON d.classid = 'pg_class'::regclass AND c.oid = d.objid
    LEFT JOIN pg_type t ON d.classid = 'pg_type'::regclass AND t.oid = d.objid
    WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
      AND coalesce(p.pronamespace, c.relnamespace, t.typnamespace, 'reports'::regnamespace)
          <> 'reports'::regnamespace;
    RETURN NEXT;
    step := 'nothing in public';
    SELECT NOT EXISTS (SELECT FROM pg_class WHERE relnamespace = 'public'::regnamespace)
       AND NOT EXISTS (SELECT FROM pg_proc WHERE pronamespace = 'public'::regnamespace)
      INTO ok;
    RETURN NEXT;

    -- the sources found through search_path, or named by leadconv.source_schema
    SET LOCAL search_path = brief;
    CREATE TEMP TABLE part1_on_path AS SELECT * FROM reports.leadconv_client_events();
    SET LOCAL search_path = public;
    SET LOCAL leadconv.source_schema = 'brief';
    step := 'Part 1 by search_path = by leadconv.source_schema';
    SELECT count(*) = 0 INTO ok FROM (
        (TABLE part1_on_path EXCEPT ALL SELECT * FROM reports.leadconv_client_events())
        UNION ALL
        (SELECT * FROM reports.leadconv_client_events() EXCEPT ALL TABLE part1_on_path)) d;
    RETURN NEXT;
    step := 'Part 1 has every user';
    SELECT count(*) = (SELECT count(DISTINCT user_id) FROM brief.dim_user WHERE user_id IS NOT NULL)
      INTO ok FROM part1_on_path;
    RETURN NEXT;
    DROP TABLE part1_on_path;
    step := 'Part 2 fans out Part 1';
    SELECT count(*) = 0 INTO ok FROM (
        (SELECT * FROM reports.leadconv_lead_conversions()
         EXCEPT ALL
         SELECT c.* FROM reports.leadconv_client_events() e,
                         reports.leadconv_lead_conversions_of(e) c)
        UNION ALL
        (SELECT c.* FROM reports.leadconv_client_events() e,
                         reports.leadconv_lead_conversions_of(e) c
         EXCEPT ALL
         SELECT * FROM reports.leadconv_lead_conversions())) d;
    RETURN NEXT;
    step := 'anomalies found';
    SELECT count(*) > 0 INTO ok FROM reports.leadconv_anomaly_summary();
    RETURN NEXT;

    -- the facts: refreshed, equal to the functions, their status
    PERFORM reports.leadconv_refresh();
    step := 'refresh: facts equal the functions';
    SELECT (SELECT count(*) FROM (
                (SELECT * FROM reports.leadconv_fct_client_conversion_events
                 EXCEPT ALL SELECT * FROM reports.leadconv_client_events())
                UNION ALL
                (SELECT * FROM reports.leadconv_client_events()
                 EXCEPT ALL SELECT * FROM reports.leadconv_fct_client_conversion_events)) d)
         + (SELECT count(*) FROM (
                (SELECT * FROM reports.leadconv_fct_lead_conversions
                 EXCEPT ALL SELECT * FROM reports.leadconv_lead_conversions())
                UNION ALL
                (SELECT * FROM reports.leadconv_lead_conversions()
                 EXCEPT ALL SELECT * FROM reports.leadconv_fct_lead_conversions)) d) = 0
      INTO ok;
    RETURN NEXT;
    step := 'facts status: schema brief';
    SELECT source_schema = 'brief' AND last_refresh_ended IS NOT NULL INTO ok
    FROM reports.leadconv_facts_status;
    RETURN NEXT;

    -- the BI views over the facts
    step := 'fact_conversions: every user under every filter';
    SELECT count(*) = 3 * (SELECT count(*) FROM reports.leadconv_fct_client_conversion_events)
      INTO ok FROM reports.leadconv_fact_conversions;
    RETURN NEXT;
    step := 'conversion_rates (ALL) = leadconv_conversion_summary()';
    SELECT count(*) = 0 INTO ok FROM (
        (SELECT branch_id, users, leads, clients, conversion_rate,
                median_days_to_convert, p90_days_to_convert
         FROM reports.leadconv_conversion_rates WHERE conversion_filter = 'ALL'
         EXCEPT ALL SELECT * FROM reports.leadconv_conversion_summary())
        UNION ALL
        (SELECT * FROM reports.leadconv_conversion_summary()
         EXCEPT ALL
         SELECT branch_id, users, leads, clients, conversion_rate,
                median_days_to_convert, p90_days_to_convert
         FROM reports.leadconv_conversion_rates WHERE conversion_filter = 'ALL')) d;
    RETURN NEXT;
    step := 'conversion_rates: users = leads + clients, under each filter';
    SELECT bool_and(users = leads + clients) AND count(DISTINCT conversion_filter) = 3
      INTO ok FROM reports.leadconv_conversion_rates;
    RETURN NEXT;
    INSERT INTO reports.leadconv_branch_policy
    SELECT DISTINCT branch_id, 'MEMBERSHIP' FROM brief.dim_user
    WHERE branch_id IS NOT NULL ORDER BY 1 LIMIT 2;
    step := 'branch_conversions view (facts) = function (sources)';
    SELECT count(*) = 0 INTO ok FROM (
        (SELECT * FROM reports.leadconv_branch_conversions
         EXCEPT ALL SELECT * FROM reports.leadconv_branch_conversions())
        UNION ALL
        (SELECT * FROM reports.leadconv_branch_conversions()
         EXCEPT ALL SELECT * FROM reports.leadconv_branch_conversions)) d;
    RETURN NEXT;
    DELETE FROM reports.leadconv_branch_policy;

    -- automatic refresh: triggers on brief's tables call into reports
    PERFORM reports.leadconv_enable_auto_refresh();
    INSERT INTO brief.dim_user VALUES ('install-schema-user', NULL, 'x', 'x', '2024-01-01');
    INSERT INTO brief.fct_membership_purchases
    VALUES ('install-schema-user', NULL, 'install-schema-m', '2024-02-01', NULL, '{"name": "n"}');
    step := 'automatic refresh keeps the facts';
    SELECT lead_status = 'CLIENT' INTO ok
    FROM reports.leadconv_fct_client_conversion_events WHERE user_id = 'install-schema-user';
    RETURN NEXT;
    step := 'automatic refresh on';
    SELECT auto_refresh INTO ok FROM reports.leadconv_facts_status;
    RETURN NEXT;
    DELETE FROM brief.fct_membership_purchases WHERE user_id = 'install-schema-user';
    DELETE FROM brief.dim_user WHERE user_id = 'install-schema-user';
    step := 'automatic refresh removes';
    SELECT count(*) = 0 INTO ok
    FROM reports.leadconv_fct_client_conversion_events WHERE user_id = 'install-schema-user';
    RETURN NEXT;
    PERFORM reports.leadconv_disable_auto_refresh();

    -- the brief's own output tables, beside the sources
    PERFORM reports.leadconv_populate();
    step := 'populate fills brief.fct_client_conversion_events';
    SELECT count(*) = (SELECT count(*) FROM reports.leadconv_fct_client_conversion_events)
      INTO ok FROM brief.fct_client_conversion_events;
    RETURN NEXT;
END $$;

-- A fresh install into reports
CREATE SCHEMA reports;
CREATE EXTENSION leadconv SCHEMA reports;
SELECT extversion = default_version AS newest, extnamespace::regnamespace AS schema
FROM pg_extension JOIN pg_available_extensions ON name = extname WHERE extname = 'leadconv';
SELECT * FROM lc_check.run();

-- The extension is not relocatable: it stays where it was created
\set VERBOSITY terse
ALTER EXTENSION leadconv SET SCHEMA public;
\set VERBOSITY default

-- Uninstalling with automatic refresh on: DROP EXTENSION, without CASCADE,
-- takes the triggers and indexes that automatic refresh put on the sources
SET leadconv.source_schema = 'brief';
SELECT reports.leadconv_enable_auto_refresh();
RESET leadconv.source_schema;
SELECT count(*) AS marked FROM pg_depend
WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leadconv') AND deptype = 'x';
DROP EXTENSION leadconv;
SELECT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'leadconv%') AS triggers_left,
       (SELECT count(*) FROM pg_class WHERE relname LIKE 'leadconv%') AS relations_left;

-- 1.0 installed into reports, then updated to the newest version
CREATE EXTENSION leadconv VERSION '1.0' SCHEMA reports;
ALTER EXTENSION leadconv UPDATE;
SELECT extversion = default_version AS newest, extnamespace::regnamespace AS schema
FROM pg_extension JOIN pg_available_extensions ON name = extname WHERE extname = 'leadconv';
SELECT * FROM lc_check.run();

\c :"regress_db"
SET client_min_messages = warning;
DROP DATABASE :"schema_db";
RESET client_min_messages;
