--
-- Section 1: the column types a source may have.  The same data, stored
-- with other types, gives the same report.
--
SET DateStyle = ISO;

-- the reference: the brief's types (varchar ids, timestamp in UTC, json)
SELECT lc_test.make_sources('t_types');
SET search_path = t_types, public;
INSERT INTO dim_branch VALUES
    ('00000000-0000-0000-0000-00000000000a', 'NY', 'America/New_York', '2020-01-01'),
    ('00000000-0000-0000-0000-00000000000b', 'JK', 'Asia/Jakarta', '2020-01-01 12:34:56');
INSERT INTO dim_user VALUES
    ('10000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-00000000000a', 'a', '2024-01-15 03:00'),
    ('10000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-00000000000b', 'b', '2024-06-30 23:30'),
    ('10000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-00000000000b', 'c', NULL);
INSERT INTO fct_membership_purchases VALUES
    ('10000000-0000-0000-0000-000000000001', NULL, 'aaaaaaaa-0000-0000-0000-000000000002', '2024-02-01 04:00', '2024-02-01 04:01', '{"name": "M2", "source": "APP"}'),
    ('10000000-0000-0000-0000-000000000001', NULL, 'aaaaaaaa-0000-0000-0000-000000000001', '2024-02-01 04:00', '2024-02-01 04:01', '{"name": "M1", "source": "APP"}'),
    ('10000000-0000-0000-0000-000000000002', NULL, 'aaaaaaaa-0000-0000-0000-000000000003', NULL, '2024-07-01 01:00', '{"name": "M3", "source": "WEB"}');
INSERT INTO fct_credit_pack_purchases VALUES
    ('10000000-0000-0000-0000-000000000002', NULL, 'cccccccc-0000-0000-0000-000000000001', '2024-07-01 00:59:59.999999', NULL, '{"name": "C1", "source": "WEB"}'),
    ('10000000-0000-0000-0000-000000000003', NULL, 'cccccccc-0000-0000-0000-000000000002', '2024-03-01', '2024-03-01', '"{\"name\": \"C2\"}"');
CREATE TEMP TABLE reference AS SELECT * FROM leadconv_client_events();
SELECT user_id, local_user_created_at, client_conversion_event_type, client_conversion_event_id,
       client_conversion_event_local_created_at, client_conversion_event_name
FROM reference ORDER BY user_id;

-- Copy the reference data into schema s with other column types.  Times are
-- moved through timestamptz with an explicit UTC, so they keep their instant.
CREATE FUNCTION lc_test.copy_types(s text, id_type text, time_type text, details_type text)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    t text := CASE time_type WHEN 'timestamptz' THEN '(%1$s AT TIME ZONE ''UTC'')'
                             ELSE '%1$s::' || time_type END;
    differing bigint;
BEGIN
    PERFORM lc_test.make_sources(s, id_type, time_type, details_type);
    EXECUTE format('INSERT INTO %I.dim_branch SELECT branch_id::%s, name, timezone_id, %s FROM t_types.dim_branch',
                   s, id_type, format(t, 'created_at'));
    EXECUTE format('INSERT INTO %I.dim_user SELECT user_id::%s, branch_id::%s, name, %s FROM t_types.dim_user',
                   s, id_type, id_type, format(t, 'created_at'));
    EXECUTE format('INSERT INTO %I.fct_membership_purchases SELECT user_id::%s, branch_id::%s, membership_id::%s, %s, %s, membership_purchase_details::text::%s FROM t_types.fct_membership_purchases',
                   s, id_type, id_type, id_type, format(t, 'membership_purchased_at'), format(t, 'created_at'), details_type);
    EXECUTE format('INSERT INTO %I.fct_credit_pack_purchases SELECT user_id::%s, branch_id::%s, credit_pack_id::%s, %s, %s, credit_pack_purchase_details::text::%s FROM t_types.fct_credit_pack_purchases',
                   s, id_type, id_type, id_type, format(t, 'credit_pack_purchased_at'), format(t, 'created_at'), details_type);
    EXECUTE format('SET LOCAL search_path = %I, public', s);
    SELECT count(*) INTO differing FROM (
        (SELECT * FROM leadconv_client_events() EXCEPT SELECT * FROM reference)
        UNION ALL
        (SELECT * FROM reference EXCEPT SELECT * FROM leadconv_client_events())) d;
    RETURN differing;
END $$;

-- every row equal, whatever the session's TimeZone
SET TimeZone = 'Asia/Kathmandu';
SELECT id_type, time_type, details_type,
       lc_test.copy_types('t_' || replace(id_type, '(', '') || '_' || time_type || '_' || details_type,
                          id_type, time_type, details_type) AS differing_rows
FROM (VALUES ('text', 'timestamptz', 'jsonb'),
             ('uuid', 'timestamp', 'text'),
             ('uuid', 'timestamptz', 'json'),
             ('varchar', 'timestamptz', 'text'),
             ('text', 'timestamp', 'jsonb')) AS v(id_type, time_type, details_type);
RESET TimeZone;

-- columns in another order, among columns leadconv does not read and
-- dropped ones: tables whose columns it reads as stored are read whole
-- ("SELECT *"), and each column is found by its name, not its place
CREATE SCHEMA t_shuffled;
CREATE TABLE t_shuffled.dim_branch AS TABLE t_types.dim_branch;
CREATE TABLE t_shuffled.dim_user (pad int, created_at timestamp, gone text, email text,
                                  branch_id varchar(40), user_id text);
CREATE TABLE t_shuffled.fct_membership_purchases (
    membership_purchase_details json, gone int, created_at timestamp, membership_id text,
    note text, user_id varchar, membership_purchased_at timestamp, branch_id varchar);
CREATE TABLE t_shuffled.fct_credit_pack_purchases AS TABLE t_types.fct_credit_pack_purchases;
ALTER TABLE t_shuffled.dim_user DROP COLUMN gone;
ALTER TABLE t_shuffled.fct_membership_purchases DROP COLUMN gone;
ALTER TABLE t_shuffled.fct_credit_pack_purchases DROP COLUMN branch_id;
INSERT INTO t_shuffled.dim_user (created_at, branch_id, user_id)
SELECT created_at, branch_id, user_id FROM t_types.dim_user;
INSERT INTO t_shuffled.fct_membership_purchases (membership_purchase_details, created_at,
    membership_id, user_id, membership_purchased_at)
SELECT membership_purchase_details, created_at, membership_id, user_id, membership_purchased_at
FROM t_types.fct_membership_purchases;
SET search_path = t_shuffled, public;
SELECT count(*) AS differing_rows FROM (
    (SELECT * FROM leadconv_client_events() EXCEPT SELECT * FROM reference)
    UNION ALL
    (SELECT * FROM reference EXCEPT SELECT * FROM leadconv_client_events())) d;

-- domains over accepted types, and char(n) ids (read as text, so without
-- their padding), are accepted; a view is a source like a table
CREATE DOMAIN lc_test.ident AS text CHECK (VALUE <> 'forbidden');
CREATE DOMAIN lc_test.utc_time AS timestamp;
SELECT lc_test.make_sources('t_domains', 'lc_test.ident', 'lc_test.utc_time', 'json');
INSERT INTO t_domains.dim_branch SELECT * FROM t_types.dim_branch;
INSERT INTO t_domains.dim_user SELECT * FROM t_types.dim_user;
CREATE TABLE t_domains.membership_data (LIKE t_types.fct_membership_purchases);
INSERT INTO t_domains.membership_data SELECT * FROM t_types.fct_membership_purchases;
DROP TABLE t_domains.fct_membership_purchases;
CREATE VIEW t_domains.fct_membership_purchases AS
    SELECT user_id::char(36) AS user_id, branch_id, membership_id::char(40) AS membership_id,
           membership_purchased_at, created_at, membership_purchase_details
    FROM t_domains.membership_data;
INSERT INTO t_domains.fct_credit_pack_purchases SELECT * FROM t_types.fct_credit_pack_purchases;
SET search_path = t_domains, public;
SELECT count(*) AS differing_rows FROM (
    (SELECT * FROM leadconv_client_events() EXCEPT SELECT * FROM reference)
    UNION ALL
    (SELECT * FROM reference EXCEPT SELECT * FROM leadconv_client_events())) d;

-- a date is its midnight UTC: in New York, the evening before
SELECT lc_test.make_sources('t_dates', time_type => 'date');
SET search_path = t_dates, public;
INSERT INTO dim_branch VALUES ('ny', 'NY', 'America/New_York', '2020-01-01');
INSERT INTO dim_user VALUES ('u', 'ny', 'u', '2024-01-15'), ('inf', 'ny', 'inf', 'infinity'),
    ('-inf', 'ny', '-inf', '-infinity'), ('far', 'ny', 'far', '300000-01-01');
INSERT INTO fct_membership_purchases VALUES
    ('u', 'ny', 'm1', '2024-02-01', NULL, NULL), ('inf', 'ny', 'm2', 'infinity', NULL, NULL);
SELECT user_id, local_user_created_at, first_local_membership_purchased_at
FROM leadconv_client_events() ORDER BY user_id;

-- infinite timestamps pass through, and sort after every finite time
SELECT lc_test.make_sources('t_infinity');
SET search_path = t_infinity, public;
INSERT INTO dim_branch VALUES ('jk', 'JK', 'Asia/Jakarta', '2020-01-01');
INSERT INTO dim_user VALUES ('u', 'jk', 'u', '-infinity');
INSERT INTO fct_membership_purchases VALUES ('u', 'jk', 'm-inf', 'infinity', NULL, NULL);
INSERT INTO fct_credit_pack_purchases VALUES
    ('u', 'jk', 'c-undated', NULL, NULL, NULL), ('u', 'jk', 'c-max', '294276-12-31 23:00', NULL, NULL);
SELECT local_user_created_at, client_conversion_event_type, first_local_membership_purchased_at,
       first_credit_pack_id, first_local_credit_pack_purchased_at
FROM leadconv_client_events();

RESET search_path;
