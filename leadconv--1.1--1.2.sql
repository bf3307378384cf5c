/* leadconv--1.1--1.2.sql */

\echo Use "ALTER EXTENSION leadconv UPDATE TO '1.2'" to load this file. \quit

-- ---------------------------------------------------------------------------
-- The facts' key columns in byte order (COLLATE "C"), which is the SPEC's
-- order anyway: building and searching their indexes compares bytes, not
-- locale rules.  The row types change, and the typed fact tables and the
-- functions' results with them.  Views and SQL functions on these columns
-- must go first (a user's view on the facts makes this update fail, naming
-- the view: drop it, update, create it again); ours are made again below.
-- ---------------------------------------------------------------------------
DROP VIEW @extschema@.leadconv_branch_conversions;
DROP FUNCTION @extschema@.leadconv_branch_conversions();
DROP FUNCTION @extschema@.leadconv_conversion_summary(text);
ALTER TYPE @extschema@.leadconv_client_event
    ALTER ATTRIBUTE user_id TYPE text COLLATE "C" CASCADE,
    ALTER ATTRIBUTE branch_id TYPE text COLLATE "C" CASCADE;
ALTER TYPE @extschema@.leadconv_lead_conversion
    ALTER ATTRIBUTE user_id TYPE text COLLATE "C" CASCADE,
    ALTER ATTRIBUTE branch_id TYPE text COLLATE "C" CASCADE,
    ALTER ATTRIBUTE client_conversion_event_filter TYPE text COLLATE "C" CASCADE;

-- What a refresh finds changed, passed between its processes: a Part 1 row,
-- and which kinds of first purchase the user's row in the facts has (bits:
-- 1 a membership, 2 a credit pack; NULL: the facts have no row of the user).
-- Its columns are the Part 1 type's, taken from it, then fact_kinds.
DO $$
BEGIN
    EXECUTE (
        SELECT pg_catalog.format('CREATE TYPE @extschema@.leadconv_fact_change AS (%s, fact_kinds integer)',
                      pg_catalog.string_agg(pg_catalog.format('%I %s%s', a.attname,
                          pg_catalog.format_type(a.atttypid, a.atttypmod),
                          CASE WHEN a.attcollation = 'pg_catalog."C"'::regcollation THEN ' COLLATE "C"' ELSE '' END),
                          ', ' ORDER BY a.attnum))
        FROM pg_catalog.pg_attribute AS a
        WHERE a.attrelid = '@extschema@.leadconv_client_event'::regclass
          AND a.attnum > 0 AND NOT a.attisdropped);
END $$;
COMMENT ON TYPE @extschema@.leadconv_fact_change IS
'Internal: a user''s change that leadconv_refresh() found, as its processes pass it on';
COMMENT ON COLUMN @extschema@.leadconv_fact_change.fact_kinds IS
'The kinds of first purchase the facts have of the user (bits: 1 a membership, 2 a credit pack); NULL: no row';

-- A query by filter alone reads a third of the table: a scan serves it as
-- well, and the index cost every refresh its upkeep.
DROP INDEX @extschema@.leadconv_fct_lead_conversions_filter_idx;

-- A tenth of each page left free, so that a refresh that rewrites a user's
-- facts in place can keep the new row on its page (a HOT update, which
-- touches no index).
ALTER TABLE @extschema@.leadconv_fct_client_conversion_events SET (fillfactor = 90);
ALTER TABLE @extschema@.leadconv_fct_lead_conversions SET (fillfactor = 90);

-- ---------------------------------------------------------------------------
-- What the facts record of themselves: the schema whose sources they hold,
-- and when they were refreshed and maintained.  One row.
-- ---------------------------------------------------------------------------
CREATE TABLE @extschema@.leadconv_facts_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    source_schema name,
    refresh_started timestamptz,
    refresh_ended timestamptz,
    refresh_method text,
    refresh_users_changed bigint,
    maintained timestamptz
);
INSERT INTO @extschema@.leadconv_facts_state DEFAULT VALUES;

-- It reads catalogs only, so that a reader of leadconv_facts_status needs no
-- privilege on leadconv_facts_state: the view reads that as its owner.
CREATE FUNCTION @extschema@.leadconv_auto_refresh_on(source_schema name)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    -- every source table of the schema has the five triggers, firing
    SELECT pg_catalog.count(*) OPERATOR(pg_catalog.=) 20::bigint
    FROM pg_catalog.pg_trigger AS t
    JOIN pg_catalog.pg_class AS c ON c.oid OPERATOR(pg_catalog.=) t.tgrelid
    JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE n.nspname OPERATOR(pg_catalog.=) leadconv_auto_refresh_on.source_schema
      AND t.tgfoid OPERATOR(pg_catalog.=)
              '@extschema@.leadconv_auto_refresh_trigger()'::pg_catalog.regprocedure::pg_catalog.oid
      AND t.tgenabled OPERATOR(pg_catalog.<>) 'D'::"char"
      AND c.relname OPERATOR(pg_catalog.=) ANY (ARRAY['dim_branch', 'dim_user',
            'fct_membership_purchases', 'fct_credit_pack_purchases']::pg_catalog.name[]);
END;

CREATE VIEW @extschema@.leadconv_facts_status AS
    SELECT s.source_schema,
           @extschema@.leadconv_auto_refresh_on(s.source_schema) AS auto_refresh,
           s.refresh_started AS last_refresh_started,
           s.refresh_ended AS last_refresh_ended,
           s.refresh_method AS last_refresh_method,
           s.refresh_users_changed AS last_refresh_users_changed,
           s.maintained AS last_maintained
    FROM @extschema@.leadconv_facts_state AS s;

-- ---------------------------------------------------------------------------
-- Automatic refresh: switching the facts to another schema on purpose, and
-- refusing DDL that would let rows reach a watched source unseen.
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@.leadconv_switch_source_schema(source_schema name)
RETURNS void
AS 'MODULE_PATHNAME', 'leadconv_switch_source_schema'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;

CREATE FUNCTION @extschema@.leadconv_guard_sources()
RETURNS event_trigger
AS 'MODULE_PATHNAME', 'leadconv_guard_sources'
LANGUAGE C;

CREATE EVENT TRIGGER leadconv_guard_sources ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE', 'CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE')
    EXECUTE FUNCTION @extschema@.leadconv_guard_sources();

-- The anomaly codes, each with the tables it is found in and what it means:
-- the list the C code reports from.
CREATE FUNCTION @extschema@.leadconv_anomaly_codes(
    OUT code text, OUT source_tables text, OUT meaning text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'leadconv_anomaly_codes'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- ---------------------------------------------------------------------------
-- BI objects read the facts, not the sources: a dashboard costs a scan of
-- the facts, not a computation.
-- ---------------------------------------------------------------------------
CREATE FUNCTION @extschema@.leadconv_conversion_filter(filter text)
RETURNS text
AS 'MODULE_PATHNAME', 'leadconv_conversion_filter'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Each user under each filter, from their Part 1 facts: a client under a
-- filter when they bought a purchase of its kind (ALL: either), converted
-- at that purchase's local time.
CREATE VIEW @extschema@.leadconv_fact_conversions AS
    SELECT f.user_id,
           f.branch_id,
           f.local_user_created_at,
           k.filter AS conversion_filter,
           CASE k.filter
               WHEN 'MEMBERSHIP' THEN f.first_user_membership_id IS NOT NULL
               WHEN 'USER_CREDIT' THEN f.first_credit_pack_id IS NOT NULL
               ELSE f.lead_status OPERATOR(pg_catalog.=) 'CLIENT'::text
           END AS is_client,
           CASE k.filter
               WHEN 'MEMBERSHIP' THEN f.first_local_membership_purchased_at
               WHEN 'USER_CREDIT' THEN f.first_local_credit_pack_purchased_at
               ELSE f.client_conversion_event_local_created_at
           END AS local_converted_at
    FROM @extschema@.leadconv_fct_client_conversion_events AS f
    CROSS JOIN (VALUES ('MEMBERSHIP'::text COLLATE "C"), ('USER_CREDIT'), ('ALL')) AS k (filter);

-- Conversion rates per branch and filter, every user counted under every
-- filter (leads included), and which filter is the branch's own policy.
CREATE VIEW @extschema@.leadconv_conversion_rates AS
    SELECT c.branch_id,
           c.conversion_filter,
           c.conversion_filter OPERATOR(pg_catalog.=)
               coalesce(p.conversion_filter, 'ALL')::text COLLATE "C" AS is_branch_policy,
           pg_catalog.count(*) AS users,
           pg_catalog.count(*) FILTER (WHERE NOT c.is_client) AS leads,
           pg_catalog.count(*) FILTER (WHERE c.is_client) AS clients,
           pg_catalog.round(pg_catalog.count(*) FILTER (WHERE c.is_client)::numeric
                            OPERATOR(pg_catalog./) pg_catalog.count(*)::numeric, 4) AS conversion_rate,
           pg_catalog.round(pg_catalog.percentile_cont(0.5::float8) WITHIN GROUP (ORDER BY d.days)
                            FILTER (WHERE d.days OPERATOR(pg_catalog.>=) 0::float8)::numeric, 1)
               AS median_days_to_convert,
           pg_catalog.round(pg_catalog.percentile_cont(0.9::float8) WITHIN GROUP (ORDER BY d.days)
                            FILTER (WHERE d.days OPERATOR(pg_catalog.>=) 0::float8)::numeric, 1)
               AS p90_days_to_convert
    FROM @extschema@.leadconv_fact_conversions AS c
    LEFT JOIN @extschema@.leadconv_branch_policy AS p
        ON p.branch_id OPERATOR(pg_catalog.=) c.branch_id
    CROSS JOIN LATERAL (
        SELECT CASE WHEN c.is_client AND pg_catalog.isfinite(c.local_user_created_at)
                         AND pg_catalog.isfinite(c.local_converted_at)
               THEN EXTRACT(epoch FROM c.local_converted_at
                                       OPERATOR(pg_catalog.-) c.local_user_created_at)
                    OPERATOR(pg_catalog./) 86400::numeric
               END::float8 AS days) AS d
    GROUP BY c.branch_id, c.conversion_filter, p.conversion_filter;

-- Each user's Part 2 row under their own branch's policy, from the facts.
CREATE VIEW @extschema@.leadconv_branch_conversions AS
    SELECT f.user_id,
           f.branch_id,
           f.local_user_created_at,
           CASE WHEN k.client THEN 'CLIENT' ELSE 'LEAD' END::text AS lead_status,
           CASE WHEN NOT k.client THEN NULL
                WHEN k.filter OPERATOR(pg_catalog.=) 'ALL'::text THEN f.client_conversion_event_type
                ELSE k.filter END::text AS client_conversion_event_type,
           CASE k.filter
               WHEN 'MEMBERSHIP' THEN f.first_user_membership_id
               WHEN 'USER_CREDIT' THEN f.first_credit_pack_id
               ELSE f.client_conversion_event_id END AS client_conversion_event_id,
           CASE k.filter
               WHEN 'MEMBERSHIP' THEN f.first_local_membership_purchased_at
               WHEN 'USER_CREDIT' THEN f.first_local_credit_pack_purchased_at
               ELSE f.client_conversion_event_local_created_at END
               AS client_conversion_event_local_created_at,
           CASE k.filter
               WHEN 'MEMBERSHIP' THEN f.first_membership_name
               WHEN 'USER_CREDIT' THEN f.first_credit_pack_name
               ELSE f.client_conversion_event_name END AS client_conversion_event_name,
           CASE k.filter
               WHEN 'MEMBERSHIP' THEN f.first_membership_source
               WHEN 'USER_CREDIT' THEN f.first_credit_pack_source
               ELSE f.client_conversion_event_source END AS client_conversion_event_source,
           k.filter AS client_conversion_event_filter
    FROM @extschema@.leadconv_fct_client_conversion_events AS f
    LEFT JOIN @extschema@.leadconv_branch_policy AS p
        ON p.branch_id OPERATOR(pg_catalog.=) f.branch_id
    CROSS JOIN LATERAL (
        SELECT coalesce(p.conversion_filter, 'ALL')::text COLLATE "C" AS filter) AS pf
    CROSS JOIN LATERAL (
        SELECT pf.filter,
               CASE pf.filter
                   WHEN 'MEMBERSHIP' THEN f.first_user_membership_id IS NOT NULL
                   WHEN 'USER_CREDIT' THEN f.first_credit_pack_id IS NOT NULL
                   ELSE f.lead_status OPERATOR(pg_catalog.=) 'CLIENT'::text
               END AS client) AS k;

-- Each user's Part 2 row under their own branch's policy, computed now from
-- the sources (as in 1.0).
CREATE FUNCTION @extschema@.leadconv_branch_conversions()
RETURNS SETOF @extschema@.leadconv_lead_conversion
LANGUAGE sql STABLE PARALLEL RESTRICTED
BEGIN ATOMIC
    SELECT c.*
    FROM @extschema@.leadconv_lead_conversions(NULL, true) AS c
    LEFT JOIN @extschema@.leadconv_branch_policy AS p
        ON p.branch_id OPERATOR(pg_catalog.=) c.branch_id
    WHERE c.client_conversion_event_filter
          OPERATOR(pg_catalog.=) coalesce(p.conversion_filter, 'ALL'::text);
END;

-- The dashboard per branch, now from the facts.
CREATE FUNCTION @extschema@.leadconv_conversion_summary(filter text DEFAULT 'ALL')
RETURNS TABLE (
    branch_id text,
    users bigint,
    leads bigint,
    clients bigint,
    conversion_rate numeric,
    median_days_to_convert numeric,
    p90_days_to_convert numeric)
LANGUAGE sql STABLE PARALLEL RESTRICTED
BEGIN ATOMIC
    SELECT r.branch_id, r.users, r.leads, r.clients, r.conversion_rate,
           r.median_days_to_convert, r.p90_days_to_convert
    FROM @extschema@.leadconv_conversion_rates AS r
    WHERE r.conversion_filter OPERATOR(pg_catalog.=) @extschema@.leadconv_conversion_filter(filter)
    ORDER BY r.branch_id;
END;

-- ---------------------------------------------------------------------------
-- Comments, for psql's \d+ and a BI tool's data browser.  A column is
-- described once, on the row types; the fact tables and views take their
-- columns' descriptions from there.
-- ---------------------------------------------------------------------------
COMMENT ON COLUMN @extschema@.leadconv_client_event.user_id IS
'The user (dim_user.user_id): one row per user';
COMMENT ON COLUMN @extschema@.leadconv_client_event.branch_id IS
'The user''s branch (dim_user.branch_id) as it is: NULL, or a branch not in dim_branch, is possible';
COMMENT ON COLUMN @extschema@.leadconv_client_event.local_user_created_at IS
'When the user was created, in the branch''s local time (UTC when the branch has no valid zone)';
COMMENT ON COLUMN @extschema@.leadconv_client_event.lead_status IS
'CLIENT when the user bought a membership or a credit pack, else LEAD';
COMMENT ON COLUMN @extschema@.leadconv_client_event.client_conversion_event_type IS
'The first purchase, which made the user a client: MEMBERSHIP or USER_CREDIT (a credit pack); NULL for a LEAD';
COMMENT ON COLUMN @extschema@.leadconv_client_event.client_conversion_event_id IS
'The id of that purchase (membership_id or credit_pack_id); NULL for a LEAD';
COMMENT ON COLUMN @extschema@.leadconv_client_event.client_conversion_event_local_created_at IS
'When that purchase was made (purchased_at, else created_at), in local time; NULL for a LEAD or an undated purchase';
COMMENT ON COLUMN @extschema@.leadconv_client_event.client_conversion_event_name IS
'"name" of that purchase''s details JSON; NULL when missing or not a plain value';
COMMENT ON COLUMN @extschema@.leadconv_client_event.client_conversion_event_source IS
'"source" of that purchase''s details JSON (e.g. WEB, APP); NULL when missing or not a plain value';
COMMENT ON COLUMN @extschema@.leadconv_client_event.first_user_membership_id IS
'The user''s first membership: its id; NULL when the user bought none';
COMMENT ON COLUMN @extschema@.leadconv_client_event.first_local_membership_purchased_at IS
'When the first membership was bought, in local time; NULL when none or undated';
COMMENT ON COLUMN @extschema@.leadconv_client_event.first_membership_name IS
'"name" of the first membership''s details JSON';
COMMENT ON COLUMN @extschema@.leadconv_client_event.first_membership_source IS
'"source" of the first membership''s details JSON';
COMMENT ON COLUMN @extschema@.leadconv_client_event.first_credit_pack_id IS
'The user''s first credit pack: its id; NULL when the user bought none';
COMMENT ON COLUMN @extschema@.leadconv_client_event.first_local_credit_pack_purchased_at IS
'When the first credit pack was bought, in local time; NULL when none or undated';
COMMENT ON COLUMN @extschema@.leadconv_client_event.first_credit_pack_name IS
'"name" of the first credit pack''s details JSON';
COMMENT ON COLUMN @extschema@.leadconv_client_event.first_credit_pack_source IS
'"source" of the first credit pack''s details JSON';

COMMENT ON COLUMN @extschema@.leadconv_lead_conversion.user_id IS
'The user (dim_user.user_id): a row per user and filter';
COMMENT ON COLUMN @extschema@.leadconv_lead_conversion.branch_id IS
'The user''s branch (dim_user.branch_id) as it is';
COMMENT ON COLUMN @extschema@.leadconv_lead_conversion.local_user_created_at IS
'When the user was created, in the branch''s local time (UTC when the branch has no valid zone)';
COMMENT ON COLUMN @extschema@.leadconv_lead_conversion.lead_status IS
'CLIENT when the user bought a purchase the filter counts, else LEAD';
COMMENT ON COLUMN @extschema@.leadconv_lead_conversion.client_conversion_event_type IS
'MEMBERSHIP or USER_CREDIT: the kind of the converting purchase under this filter; NULL for a LEAD';
COMMENT ON COLUMN @extschema@.leadconv_lead_conversion.client_conversion_event_id IS
'The id of the converting purchase: under MEMBERSHIP the first membership, under USER_CREDIT the first credit pack, under ALL the earlier of the two';
COMMENT ON COLUMN @extschema@.leadconv_lead_conversion.client_conversion_event_local_created_at IS
'When the converting purchase was made (purchased_at, else created_at), in local time';
COMMENT ON COLUMN @extschema@.leadconv_lead_conversion.client_conversion_event_name IS
'"name" of the converting purchase''s details JSON';
COMMENT ON COLUMN @extschema@.leadconv_lead_conversion.client_conversion_event_source IS
'"source" of the converting purchase''s details JSON';
COMMENT ON COLUMN @extschema@.leadconv_lead_conversion.client_conversion_event_filter IS
'Which purchases count as a conversion in this row: MEMBERSHIP, USER_CREDIT or ALL (both)';

COMMENT ON TYPE @extschema@.leadconv_client_event IS
'A Part 1 row: a user, their conversion and their first purchase of each kind';
COMMENT ON TYPE @extschema@.leadconv_lead_conversion IS
'A Part 2 row: a user''s conversion under one filter';

-- the fact tables', views' and leadconv_fact_change's columns take the row
-- types' descriptions
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN
        SELECT r.oid::regclass AS rel, a.attname, d.description
        FROM pg_catalog.pg_class AS r
        JOIN pg_catalog.pg_attribute AS a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
        JOIN pg_catalog.pg_type AS t
            ON t.typname = CASE WHEN r.relname IN ('leadconv_fct_client_conversion_events',
                                                   'leadconv_fact_change')
                                THEN 'leadconv_client_event' ELSE 'leadconv_lead_conversion' END
           AND t.typnamespace = r.relnamespace
        JOIN pg_catalog.pg_attribute AS ta ON ta.attrelid = t.typrelid AND ta.attname = a.attname
        JOIN pg_catalog.pg_description AS d
            ON d.objoid = t.typrelid AND d.classoid = 'pg_catalog.pg_class'::regclass
           AND d.objsubid = ta.attnum
        WHERE r.relnamespace = '@extschema@'::regnamespace
          AND r.relname IN ('leadconv_fct_client_conversion_events', 'leadconv_fct_lead_conversions',
                            'leadconv_branch_conversions', 'leadconv_fact_change')
    LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', c.rel, c.attname, c.description);
    END LOOP;
END $$;

COMMENT ON TABLE @extschema@.leadconv_fct_client_conversion_events IS
'Part 1 facts: leadconv_client_events() materialised by leadconv_refresh(), a row per user';
COMMENT ON TABLE @extschema@.leadconv_fct_lead_conversions IS
'Part 2 facts: leadconv_lead_conversions() materialised by leadconv_refresh(): a row per user and filter, leads only under ALL (for rates use leadconv_conversion_rates)';
COMMENT ON TABLE @extschema@.leadconv_facts_state IS
'What the fact tables record of themselves (one row); read it through leadconv_facts_status';
COMMENT ON TABLE @extschema@.leadconv_branch_policy IS
'Which purchases convert a lead, per branch; branches without a row count ALL';
COMMENT ON COLUMN @extschema@.leadconv_branch_policy.branch_id IS
'A branch (dim_branch.branch_id)';
COMMENT ON COLUMN @extschema@.leadconv_branch_policy.conversion_filter IS
'MEMBERSHIP, USER_CREDIT or ALL: the purchases that make a lead of this branch a client';
COMMENT ON COLUMN @extschema@.leadconv_facts_state.singleton IS 'Always true: the table has one row';
COMMENT ON COLUMN @extschema@.leadconv_facts_state.source_schema IS 'The schema whose source tables the facts hold';
COMMENT ON COLUMN @extschema@.leadconv_facts_state.refresh_started IS 'When the last leadconv_refresh() started';
COMMENT ON COLUMN @extschema@.leadconv_facts_state.refresh_ended IS 'When it ended';
COMMENT ON COLUMN @extschema@.leadconv_facts_state.refresh_method IS 'How it wrote: rebuild, rebuild in place or incremental';
COMMENT ON COLUMN @extschema@.leadconv_facts_state.refresh_users_changed IS 'Users whose facts it changed, added or removed';
COMMENT ON COLUMN @extschema@.leadconv_facts_state.maintained IS 'When the facts were last brought up to date, by a refresh or automatic refresh';

COMMENT ON VIEW @extschema@.leadconv_facts_status IS
'Whose sources the facts hold, whether automatic refresh is on, and when they were last refreshed and maintained';
COMMENT ON COLUMN @extschema@.leadconv_facts_status.source_schema IS 'The schema whose source tables the facts hold; NULL before the first refresh';
COMMENT ON COLUMN @extschema@.leadconv_facts_status.auto_refresh IS 'Whether every source table has its automatic-refresh triggers, enabled';
COMMENT ON COLUMN @extschema@.leadconv_facts_status.last_refresh_started IS 'When the last leadconv_refresh() started';
COMMENT ON COLUMN @extschema@.leadconv_facts_status.last_refresh_ended IS 'When it ended';
COMMENT ON COLUMN @extschema@.leadconv_facts_status.last_refresh_method IS 'How it wrote: rebuild (swapped in), rebuild in place, or incremental';
COMMENT ON COLUMN @extschema@.leadconv_facts_status.last_refresh_users_changed IS 'Users whose facts it changed, added or removed';
COMMENT ON COLUMN @extschema@.leadconv_facts_status.last_maintained IS 'When the facts were last brought up to date, by a refresh or automatic refresh';

COMMENT ON VIEW @extschema@.leadconv_fact_conversions IS
'Each user under each filter (MEMBERSHIP, USER_CREDIT, ALL), leads included, from the Part 1 facts';
COMMENT ON COLUMN @extschema@.leadconv_fact_conversions.user_id IS 'The user';
COMMENT ON COLUMN @extschema@.leadconv_fact_conversions.branch_id IS 'The user''s branch';
COMMENT ON COLUMN @extschema@.leadconv_fact_conversions.local_user_created_at IS 'When the user was created, local time';
COMMENT ON COLUMN @extschema@.leadconv_fact_conversions.conversion_filter IS 'MEMBERSHIP, USER_CREDIT or ALL: which purchases count';
COMMENT ON COLUMN @extschema@.leadconv_fact_conversions.is_client IS 'Whether the user bought a purchase the filter counts';
COMMENT ON COLUMN @extschema@.leadconv_fact_conversions.local_converted_at IS 'When the first such purchase was made, local time; NULL for a lead';

COMMENT ON VIEW @extschema@.leadconv_conversion_rates IS
'Conversion rates per branch and filter, every user counted under every filter, from the facts';
COMMENT ON COLUMN @extschema@.leadconv_conversion_rates.branch_id IS 'The branch (dim_user.branch_id)';
COMMENT ON COLUMN @extschema@.leadconv_conversion_rates.conversion_filter IS 'MEMBERSHIP, USER_CREDIT or ALL: which purchases count as a conversion';
COMMENT ON COLUMN @extschema@.leadconv_conversion_rates.is_branch_policy IS 'Whether this filter is the branch''s own (leadconv_branch_policy; ALL when it has no row)';
COMMENT ON COLUMN @extschema@.leadconv_conversion_rates.users IS 'Users of the branch';
COMMENT ON COLUMN @extschema@.leadconv_conversion_rates.leads IS 'Users who bought nothing the filter counts';
COMMENT ON COLUMN @extschema@.leadconv_conversion_rates.clients IS 'Users who bought something the filter counts';
COMMENT ON COLUMN @extschema@.leadconv_conversion_rates.conversion_rate IS 'clients / users, 0 to 1';
COMMENT ON COLUMN @extschema@.leadconv_conversion_rates.median_days_to_convert IS 'Median days from user creation to conversion, local times; negative, undated and infinite spans left out';
COMMENT ON COLUMN @extschema@.leadconv_conversion_rates.p90_days_to_convert IS '90th percentile of the same';

COMMENT ON VIEW @extschema@.leadconv_branch_conversions IS
'Each user''s conversion under their own branch''s policy (leadconv_branch_policy), from the facts';
COMMENT ON COLUMN @extschema@.leadconv_branch_conversions.client_conversion_event_filter IS
'The branch''s policy: MEMBERSHIP, USER_CREDIT or ALL';

COMMENT ON FUNCTION @extschema@.leadconv_lead_conversions_of(@extschema@.leadconv_client_event, text, boolean) IS
'Part 2 rows of one Part 1 row';
COMMENT ON FUNCTION @extschema@.leadconv_branch_conversions() IS
'Each user''s conversion under their own branch''s policy, computed from the sources now';
COMMENT ON FUNCTION @extschema@.leadconv_conversion_summary(text) IS
'Per branch under one filter: users, leads, clients, conversion rate, median and 90th percentile of days to convert, from the facts';
COMMENT ON FUNCTION @extschema@.leadconv_auto_refresh_trigger() IS
'The trigger of automatic refresh on the source tables (leadconv_enable_auto_refresh())';
COMMENT ON FUNCTION @extschema@.leadconv_refresh() IS
'Make both fact tables equal the functions'' rows, in one transaction, as their owner, without blocking readers';
COMMENT ON FUNCTION @extschema@.leadconv_switch_source_schema(name) IS
'Make the facts hold the source tables of another schema, moving automatic refresh with them';
COMMENT ON FUNCTION @extschema@.leadconv_guard_sources() IS
'Refuses DDL that would give a source table under automatic refresh a parent or a child';
COMMENT ON FUNCTION @extschema@.leadconv_auto_refresh_on(name) IS
'Whether every source table of a schema has its automatic-refresh triggers, enabled';
COMMENT ON FUNCTION @extschema@.leadconv_anomaly_codes() IS
'Every anomaly code leadconv_anomalies() reports, the tables it is found in, and what it means';
COMMENT ON FUNCTION @extschema@.leadconv_conversion_filter(text) IS
'A conversion filter spelled as leadconv spells it (MEMBERSHIP, USER_CREDIT or ALL), case and spaces ignored; anything else is an error';
COMMENT ON EVENT TRIGGER leadconv_guard_sources IS
'Refuses DDL that would give a source table under automatic refresh a parent or a child (leadconv_guard_sources())';
