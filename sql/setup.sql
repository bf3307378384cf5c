--
-- setup: the extension, and helpers the other tests share
--
CREATE EXTENSION leadconv;

CREATE SCHEMA lc_test;

-- The four source tables of the brief, with the column types a test asks
-- for, in a fresh schema s.
CREATE FUNCTION lc_test.make_sources(
    s text,
    id_type text DEFAULT 'varchar(40)',
    time_type text DEFAULT 'timestamp',
    details_type text DEFAULT 'json')
RETURNS void LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', s);
    EXECUTE format('CREATE SCHEMA %I', s);
    EXECUTE format('CREATE TABLE %I.dim_branch (branch_id %s, name varchar(50), timezone_id varchar(50), created_at %s)',
                   s, id_type, time_type);
    EXECUTE format('CREATE TABLE %I.dim_user (user_id %s, branch_id %s, name varchar(50), created_at %s)',
                   s, id_type, id_type, time_type);
    EXECUTE format('CREATE TABLE %I.fct_membership_purchases (user_id %s, branch_id %s, membership_id %s, membership_purchased_at %s, created_at %s, membership_purchase_details %s)',
                   s, id_type, id_type, id_type, time_type, time_type, details_type);
    EXECUTE format('CREATE TABLE %I.fct_credit_pack_purchases (user_id %s, branch_id %s, credit_pack_id %s, credit_pack_purchased_at %s, created_at %s, credit_pack_purchase_details %s)',
                   s, id_type, id_type, id_type, time_type, time_type, details_type);
END $$;

-- Run sql and report how it failed: SQLSTATE, message, detail and hint.
CREATE FUNCTION lc_test.error_of(sql text)
RETURNS TABLE (state text, message text, detail text, hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    state := 'no error';
    RETURN NEXT;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN NEXT;
END $$;

-- Rows by which the fact tables differ from the functions, both ways.
CREATE FUNCTION lc_test.facts_differing() RETURNS bigint LANGUAGE sql AS $$
    SELECT (SELECT count(*) FROM (
                (SELECT * FROM leadconv_fct_client_conversion_events EXCEPT ALL SELECT * FROM leadconv_client_events())
                UNION ALL
                (SELECT * FROM leadconv_client_events() EXCEPT ALL SELECT * FROM leadconv_fct_client_conversion_events)) d)
         + (SELECT count(*) FROM (
                (SELECT * FROM leadconv_fct_lead_conversions EXCEPT ALL SELECT * FROM leadconv_lead_conversions())
                UNION ALL
                (SELECT * FROM leadconv_lead_conversions() EXCEPT ALL SELECT * FROM leadconv_fct_lead_conversions)) d)
$$;

SELECT extname, extversion FROM pg_extension WHERE extname = 'leadconv';
