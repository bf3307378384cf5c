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
