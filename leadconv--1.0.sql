/* leadconv--1.0.sql */

\echo Use "CREATE EXTENSION leadconv" to load this file. \quit

-- A Part 1 row: the columns of the brief's fct_client_conversion_events,
-- in its order (SPEC section 3).
CREATE TYPE leadconv_client_event AS (
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
    first_credit_pack_source text
);

-- A Part 2 row: the first nine Part 1 columns and the filter.
CREATE TYPE leadconv_lead_conversion AS (
    user_id text,
    branch_id text,
    local_user_created_at timestamp,
    lead_status text,
    client_conversion_event_type text,
    client_conversion_event_id text,
    client_conversion_event_local_created_at timestamp,
    client_conversion_event_name text,
    client_conversion_event_source text,
    client_conversion_event_filter text
);

CREATE FUNCTION leadconv_client_events()
RETURNS SETOF leadconv_client_event
AS 'MODULE_PATHNAME', 'leadconv_client_events'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION leadconv_client_events() IS
'Part 1 of the lead conversions report: one row per user of dim_user';

CREATE FUNCTION leadconv_client_events_for(user_ids text[])
RETURNS SETOF leadconv_client_event
AS 'MODULE_PATHNAME', 'leadconv_client_events_for'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

COMMENT ON FUNCTION leadconv_client_events_for(text[]) IS
'Part 1 rows of the given users only';

CREATE FUNCTION leadconv_lead_conversions(
    filter text DEFAULT NULL,
    leads_in_every_filter boolean DEFAULT false)
RETURNS SETOF leadconv_lead_conversion
AS 'MODULE_PATHNAME', 'leadconv_lead_conversions'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION leadconv_lead_conversions(text, boolean) IS
'Part 2 of the lead conversions report: each user under the filters MEMBERSHIP, USER_CREDIT and ALL';

CREATE FUNCTION leadconv_lead_conversions_from(
    part1 regclass,
    filter text DEFAULT NULL,
    leads_in_every_filter boolean DEFAULT false)
RETURNS SETOF leadconv_lead_conversion
AS 'MODULE_PATHNAME', 'leadconv_lead_conversions_from'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION leadconv_lead_conversions_from(regclass, text, boolean) IS
'Part 2 computed from a table shaped like Part 1 (CREDIT_PACK read as USER_CREDIT)';

-- Per-gym definition of a conversion (SPEC section 4): a branch counts
-- MEMBERSHIP, USER_CREDIT or ALL purchases; a branch without a row, ALL.
CREATE TABLE leadconv_branch_policy (
    branch_id text PRIMARY KEY,
    conversion_filter text NOT NULL DEFAULT 'ALL'
        CONSTRAINT leadconv_branch_policy_filter_check
        CHECK (conversion_filter IN ('MEMBERSHIP', 'USER_CREDIT', 'ALL'))
);
SELECT pg_catalog.pg_extension_config_dump('leadconv_branch_policy', '');

COMMENT ON TABLE leadconv_branch_policy IS
'Which purchases convert a lead, per branch; branches without a row count ALL';

-- SQL-language functions here have SQL-standard bodies: like a view, they
-- are bound to the objects they name when created, so no search_path trick
-- at run time can redirect them, while the C functions they call still find
-- the source tables through the caller's search_path.  At creation, names
-- resolve through the install-time path: functions are schema-qualified and
-- operators spelled OPERATOR(pg_catalog.x) on exactly typed operands, so an
-- object planted in the target schema cannot be bound instead.

-- Each user's Part 2 row under their own branch's policy; a user without a
-- qualifying purchase is a LEAD there.
CREATE FUNCTION leadconv_branch_conversions()
RETURNS SETOF leadconv_lead_conversion
LANGUAGE sql STABLE PARALLEL RESTRICTED
BEGIN ATOMIC
    SELECT c.*
    FROM leadconv_lead_conversions(NULL, true) AS c
    LEFT JOIN leadconv_branch_policy AS p
        ON p.branch_id OPERATOR(pg_catalog.=) c.branch_id
    WHERE c.client_conversion_event_filter
          OPERATOR(pg_catalog.=) coalesce(p.conversion_filter, 'ALL'::text);
END;

CREATE VIEW leadconv_branch_conversions AS
    SELECT * FROM leadconv_branch_conversions();

COMMENT ON VIEW leadconv_branch_conversions IS
'Each user''s conversion under their own branch''s policy (leadconv_branch_policy)';

-- A gym's dashboard: per branch, leads, clients, the conversion rate, and
-- days from user creation to conversion (median and 90th percentile; spans
-- that are negative, undated or infinite are left out).
CREATE FUNCTION leadconv_conversion_summary(filter text DEFAULT 'ALL')
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
    SELECT c.branch_id,
           pg_catalog.count(*),
           pg_catalog.count(*) FILTER (WHERE c.lead_status OPERATOR(pg_catalog.=) 'LEAD'::text),
           pg_catalog.count(*) FILTER (WHERE c.lead_status OPERATOR(pg_catalog.=) 'CLIENT'::text),
           pg_catalog.round(
               pg_catalog.count(*) FILTER (WHERE c.lead_status OPERATOR(pg_catalog.=) 'CLIENT'::text)::numeric
               OPERATOR(pg_catalog./) pg_catalog.count(*)::numeric, 4),
           pg_catalog.round(pg_catalog.percentile_cont(0.5::float8) WITHIN GROUP (ORDER BY s.days)
                 FILTER (WHERE s.days OPERATOR(pg_catalog.>=) 0::float8)::numeric, 1),
           pg_catalog.round(pg_catalog.percentile_cont(0.9::float8) WITHIN GROUP (ORDER BY s.days)
                 FILTER (WHERE s.days OPERATOR(pg_catalog.>=) 0::float8)::numeric, 1)
    FROM leadconv_lead_conversions(filter, true) AS c
    CROSS JOIN LATERAL (
        SELECT CASE WHEN pg_catalog.isfinite(c.local_user_created_at)
                     AND pg_catalog.isfinite(c.client_conversion_event_local_created_at)
               THEN EXTRACT(epoch FROM c.client_conversion_event_local_created_at
                                       OPERATOR(pg_catalog.-) c.local_user_created_at)
                    OPERATOR(pg_catalog./) 86400::numeric
               END::float8 AS days) AS s
    GROUP BY c.branch_id
    ORDER BY c.branch_id;
END;

-- Materialised facts for BI tools (SPEC section 4): exactly the rows and
-- columns of the two functions (typed tables: their columns are the row
-- types'), refreshed by leadconv_refresh().
CREATE TABLE leadconv_fct_client_conversion_events OF leadconv_client_event (
    CONSTRAINT leadconv_fct_client_conversion_events_pkey PRIMARY KEY (user_id)
);
CREATE INDEX leadconv_fct_client_conversion_events_branch_idx
    ON leadconv_fct_client_conversion_events (branch_id);

CREATE TABLE leadconv_fct_lead_conversions OF leadconv_lead_conversion (
    CONSTRAINT leadconv_fct_lead_conversions_pkey
        PRIMARY KEY (user_id, client_conversion_event_filter)
);
CREATE INDEX leadconv_fct_lead_conversions_branch_idx
    ON leadconv_fct_lead_conversions (branch_id, client_conversion_event_filter);
CREATE INDEX leadconv_fct_lead_conversions_filter_idx
    ON leadconv_fct_lead_conversions (client_conversion_event_filter, branch_id);

COMMENT ON TABLE leadconv_fct_client_conversion_events IS
'leadconv_client_events(), materialised by leadconv_refresh()';
COMMENT ON TABLE leadconv_fct_lead_conversions IS
'leadconv_lead_conversions() (every filter, leads only under ALL), materialised by leadconv_refresh()';

CREATE FUNCTION leadconv_refresh(
    OUT fact_table text, OUT rows bigint, OUT rows_deleted bigint, OUT rows_inserted bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'leadconv_refresh'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION leadconv_refresh() IS
'Make both fact tables equal the functions'' rows, in one transaction, without blocking readers';

CREATE FUNCTION leadconv_populate(
    OUT output_table text, OUT rows bigint, OUT rows_deleted bigint, OUT rows_inserted bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'leadconv_populate'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION leadconv_populate() IS
'Fill the brief''s fct_client_conversion_events and fct_lead_conversions beside the source tables';

-- ---------------------------------------------------------------------------
-- Data quality (SPEC section 4): every dirty input row or value the rules
-- had to handle.  The codes are listed, with what they mean, in
-- src/anomalies.c.
-- ---------------------------------------------------------------------------
CREATE FUNCTION leadconv_anomalies(
    OUT source_table text, OUT row_key text, OUT column_name text, OUT code text,
    OUT message text, OUT value text, OUT users_affected bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'leadconv_anomalies'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION leadconv_anomalies() IS
'One row per dirty source row or value: its table, key, column, anomaly code, a message, the value, and for zones the users it affects';

CREATE FUNCTION leadconv_anomaly_summary(
    OUT source_table text, OUT code text, OUT anomalies bigint, OUT users_affected bigint)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'leadconv_anomaly_summary'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION leadconv_anomaly_summary() IS
'leadconv_anomalies() counted per source table and code';

-- Part 2 rows of one Part 1 row: for fanning out any Part 1 rows, e.g.
--   SELECT c.* FROM my_part1 p, leadconv_lead_conversions_of(p::leadconv_client_event) c
CREATE FUNCTION leadconv_lead_conversions_of(
    event leadconv_client_event,
    filter text DEFAULT NULL,
    leads_in_every_filter boolean DEFAULT false)
RETURNS SETOF leadconv_lead_conversion
AS 'MODULE_PATHNAME', 'leadconv_lead_conversions_of'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Automatic refresh (SPEC section 4): triggers on the source tables keep
-- the fact tables equal to a full recompute, in the same transaction.
CREATE FUNCTION leadconv_auto_refresh_trigger()
RETURNS trigger
AS 'MODULE_PATHNAME', 'leadconv_auto_refresh_trigger'
LANGUAGE C;

CREATE FUNCTION leadconv_enable_auto_refresh()
RETURNS void
AS 'MODULE_PATHNAME', 'leadconv_enable_auto_refresh'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION leadconv_enable_auto_refresh() IS
'Keep the fact tables fresh with triggers on the source tables (and indexes on their user ids)';

CREATE FUNCTION leadconv_disable_auto_refresh()
RETURNS void
AS 'MODULE_PATHNAME', 'leadconv_disable_auto_refresh'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION leadconv_disable_auto_refresh() IS
'Remove the triggers and indexes of leadconv_enable_auto_refresh()';
