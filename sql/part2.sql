--
-- Part 2 (SPEC section 3): each user under the filters MEMBERSHIP,
-- USER_CREDIT and ALL; Part 2 from a Part 1 table; per-gym policies; the
-- branch summary
--
SELECT lc_test.make_sources('t_part2');
SET search_path = t_part2, public;
SET DateStyle = ISO;

INSERT INTO dim_branch VALUES
    ('north', 'North', 'Europe/London', '2020-01-01'),
    ('south', 'South', 'Australia/Sydney', '2020-01-01'),
    ('east', 'East', 'Asia/Jakarta', '2020-01-01');
INSERT INTO dim_user VALUES
    ('lead', 'north', 'no purchase', '2024-01-01'),
    ('m-only', 'north', 'membership only', '2024-01-01'),
    ('c-only', 'south', 'credit pack only', '2024-01-01'),
    ('m-first', 'south', 'both, membership first', '2024-01-01'),
    ('c-first', 'east', 'both, credit pack first', '2024-01-01'),
    ('undated', 'east', 'undated membership', '2024-01-01'),
    ('early', 'east', 'bought before created', '2024-03-01');
INSERT INTO fct_membership_purchases VALUES
    ('m-only', NULL, 'm1', '2024-01-11', NULL, '{"name": "Monthly", "source": "APP"}'),
    ('m-first', NULL, 'm2', '2024-01-21', NULL, '{"name": "Yearly", "source": "WEB"}'),
    ('c-first', NULL, 'm3', '2024-03-01', NULL, '{"name": "Weekly", "source": "DESK"}'),
    ('undated', NULL, 'm4', NULL, NULL, '{"name": "Lost", "source": "?"}'),
    ('early', NULL, 'm5', '2024-02-01', NULL, NULL);
INSERT INTO fct_credit_pack_purchases VALUES
    ('c-only', NULL, 'c1', '2024-01-31', NULL, '{"name": "Ten", "source": "APP"}'),
    ('m-first', NULL, 'c2', '2024-02-01', NULL, '{"name": "Five", "source": "APP"}'),
    ('c-first', NULL, 'c3', '2024-02-01', NULL, '{"name": "Twenty", "source": "WEB"}');

-- default: a user gets a row for each kind bought, and an ALL row
SELECT user_id, client_conversion_event_filter AS filter, lead_status,
       client_conversion_event_type AS type, client_conversion_event_id AS id,
       client_conversion_event_local_created_at AS at,
       client_conversion_event_name AS name, client_conversion_event_source AS source
FROM leadconv_lead_conversions()
ORDER BY user_id, filter;

-- leads_in_every_filter: three rows each; a user without that kind of
-- purchase is a LEAD under that filter, with NULL conversion columns
SELECT user_id, client_conversion_event_filter AS filter, lead_status,
       client_conversion_event_type AS type, client_conversion_event_id AS id
FROM leadconv_lead_conversions(leads_in_every_filter => true)
WHERE user_id IN ('lead', 'm-only', 'c-only')
ORDER BY user_id, filter;
SELECT count(*), count(DISTINCT user_id) FROM leadconv_lead_conversions(NULL, true);

-- the ALL rows are the Part 1 rows; each kind's row is that first purchase
SELECT count(*) AS all_rows_differing FROM (
    (SELECT user_id, branch_id, local_user_created_at, lead_status, client_conversion_event_type,
            client_conversion_event_id, client_conversion_event_local_created_at,
            client_conversion_event_name, client_conversion_event_source
     FROM leadconv_client_events()
     EXCEPT ALL
     SELECT user_id, branch_id, local_user_created_at, lead_status, client_conversion_event_type,
            client_conversion_event_id, client_conversion_event_local_created_at,
            client_conversion_event_name, client_conversion_event_source
     FROM leadconv_lead_conversions('ALL'))) d;
SELECT count(*) AS kind_rows_differing
FROM leadconv_lead_conversions() c JOIN leadconv_client_events() e USING (user_id)
WHERE c.client_conversion_event_filter <> 'ALL'
  AND (c.client_conversion_event_id, c.client_conversion_event_local_created_at,
       c.client_conversion_event_name, c.client_conversion_event_source) IS DISTINCT FROM
      CASE c.client_conversion_event_filter
          WHEN 'MEMBERSHIP' THEN (e.first_user_membership_id, e.first_local_membership_purchased_at,
                                  e.first_membership_name, e.first_membership_source)
          ELSE (e.first_credit_pack_id, e.first_local_credit_pack_purchased_at,
                e.first_credit_pack_name, e.first_credit_pack_source) END;

-- one filter; case and surrounding spaces are ignored
SELECT f, count(*) FROM unnest(ARRAY['MEMBERSHIP', ' user_credit ', 'All']) AS f,
     LATERAL leadconv_lead_conversions(f) c
WHERE c.client_conversion_event_filter = upper(btrim(f))
GROUP BY f ORDER BY f;
SELECT count(*) FROM leadconv_lead_conversions(NULL);

-- anything else is an error (22023) with the valid values in the hint
\pset format unaligned
\pset fieldsep ' | '
SELECT * FROM lc_test.error_of($$SELECT * FROM leadconv_lead_conversions('CREDIT_PACK')$$);
SELECT * FROM lc_test.error_of($$SELECT * FROM leadconv_lead_conversions('')$$);
SELECT * FROM lc_test.error_of($$SELECT * FROM leadconv_lead_conversions('USER CREDIT')$$);
\pset format aligned

-- Part 2 from a table shaped like Part 1: the same rows as computing it
CREATE TABLE part1 AS SELECT * FROM leadconv_client_events();
SELECT count(*) AS differing FROM (
    (SELECT * FROM leadconv_lead_conversions_from('part1') EXCEPT ALL SELECT * FROM leadconv_lead_conversions())
    UNION ALL
    (SELECT * FROM leadconv_lead_conversions() EXCEPT ALL SELECT * FROM leadconv_lead_conversions_from('part1'))
    UNION ALL
    (SELECT * FROM leadconv_lead_conversions_from('part1', 'user_credit', true)
     EXCEPT ALL SELECT * FROM leadconv_lead_conversions('USER_CREDIT', true))) d;

-- the brief's stand-in table: varchar columns in another order, extra
-- columns, and the CREDIT_PACK label, read as USER_CREDIT
CREATE TABLE brief_part1 (extra int, first_credit_pack_source varchar(40),
    first_credit_pack_name varchar(40), first_local_credit_pack_purchased_at timestamp,
    first_credit_pack_id varchar(40), first_membership_source varchar(40),
    first_membership_name varchar(40), first_local_membership_purchased_at timestamp,
    first_user_membership_id varchar(40), client_conversion_event_source varchar(40),
    client_conversion_event_name varchar(40), client_conversion_event_local_created_at timestamp,
    client_conversion_event_id varchar(40), client_conversion_event_type varchar(40),
    lead_status varchar(40), local_user_created_at timestamp, branch_id varchar(40),
    user_id varchar(40));
INSERT INTO brief_part1 (user_id, branch_id, local_user_created_at, lead_status,
    client_conversion_event_type, client_conversion_event_id, client_conversion_event_local_created_at,
    client_conversion_event_name, client_conversion_event_source, first_credit_pack_id,
    first_local_credit_pack_purchased_at, first_credit_pack_name, first_credit_pack_source)
VALUES ('x', 'b', '2024-01-01', 'CLIENT', 'CREDIT_PACK', 'c9', '2024-02-01', 'Pack', 'WEB',
        'c9', '2024-02-01', 'Pack', 'WEB'),
       ('y', 'b', '2024-01-01', 'LEAD', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM leadconv_lead_conversions_from('brief_part1') ORDER BY user_id, client_conversion_event_filter;

-- a table missing a column, or with a column of the wrong type
\pset format unaligned
\pset fieldsep ' | '
ALTER TABLE brief_part1 DROP COLUMN first_credit_pack_name;
SELECT * FROM lc_test.error_of($$SELECT * FROM leadconv_lead_conversions_from('brief_part1')$$);
ALTER TABLE part1 ALTER COLUMN local_user_created_at TYPE timestamptz;
SELECT * FROM lc_test.error_of($$SELECT * FROM leadconv_lead_conversions_from('part1')$$);
\pset format aligned

-- per-gym definitions: north counts memberships only, south credit packs
-- only, east (no row) both
INSERT INTO leadconv_branch_policy VALUES ('north', 'MEMBERSHIP'), ('south', 'USER_CREDIT');
SELECT user_id, branch_id, client_conversion_event_filter AS filter, lead_status,
       client_conversion_event_type AS type, client_conversion_event_id AS id
FROM leadconv_branch_conversions()
ORDER BY user_id;
-- the view BI tools see reads the facts, and is the same once they are
-- fresh (the facts hold this schema's sources from now on)
SELECT leadconv_switch_source_schema('t_part2');
SELECT count(*) AS differing FROM (
    (SELECT * FROM leadconv_branch_conversions EXCEPT ALL SELECT * FROM leadconv_branch_conversions())
    UNION ALL
    (SELECT * FROM leadconv_branch_conversions() EXCEPT ALL SELECT * FROM leadconv_branch_conversions)) d;
-- a policy is one of the three filters
SELECT * FROM lc_test.error_of($$INSERT INTO leadconv_branch_policy VALUES ('east', 'CREDIT_PACK')$$);

-- the dashboard: leads, clients, rate, days to convert; 'early' converted
-- before being created (a negative span) and 'undated' has no date: both are
-- clients but left out of the days
SELECT * FROM leadconv_conversion_summary();
SELECT branch_id, users, clients, conversion_rate, median_days_to_convert
FROM leadconv_conversion_summary('membership');
SELECT * FROM lc_test.error_of($$SELECT * FROM leadconv_conversion_summary('credit pack')$$);

-- The summary, and the rates per branch and filter BI tools read, equal
-- the same figures computed from the functions: every user counts under
-- every filter, a lead too, so no filter shows 100% by leaving leads out.
CREATE TEMP VIEW computed_rates AS
SELECT c.branch_id, c.client_conversion_event_filter AS conversion_filter,
       c.client_conversion_event_filter = coalesce(p.conversion_filter, 'ALL') AS is_branch_policy,
       count(*) AS users,
       count(*) FILTER (WHERE c.lead_status = 'LEAD') AS leads,
       count(*) FILTER (WHERE c.lead_status = 'CLIENT') AS clients,
       round(count(*) FILTER (WHERE c.lead_status = 'CLIENT')::numeric / count(*), 4) AS conversion_rate,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.days) FILTER (WHERE s.days >= 0)::numeric, 1)
           AS median_days_to_convert,
       round(percentile_cont(0.9) WITHIN GROUP (ORDER BY s.days) FILTER (WHERE s.days >= 0)::numeric, 1)
           AS p90_days_to_convert
FROM leadconv_lead_conversions(NULL, true) c
LEFT JOIN leadconv_branch_policy p ON p.branch_id = c.branch_id
CROSS JOIN LATERAL (
    SELECT CASE WHEN isfinite(c.local_user_created_at)
                 AND isfinite(c.client_conversion_event_local_created_at)
           THEN extract(epoch FROM c.client_conversion_event_local_created_at
                                   - c.local_user_created_at) / 86400 END::float8 AS days) s
GROUP BY 1, 2, 3;
SELECT count(*) AS rates, count(*) FILTER (WHERE is_branch_policy) AS policies
FROM leadconv_conversion_rates;
SELECT count(*) AS rates_differing FROM (
    (SELECT * FROM leadconv_conversion_rates EXCEPT ALL SELECT * FROM computed_rates)
    UNION ALL (SELECT * FROM computed_rates EXCEPT ALL SELECT * FROM leadconv_conversion_rates)) d;
SELECT branch_id, conversion_filter, users, leads, clients, conversion_rate
FROM leadconv_conversion_rates WHERE conversion_filter = 'MEMBERSHIP' ORDER BY branch_id;
-- each user under each filter, leads included
SELECT conversion_filter, count(*) AS users, count(*) FILTER (WHERE is_client) AS clients
FROM leadconv_fact_conversions GROUP BY 1 ORDER BY 1;

-- the views see the facts: stale facts, stale figures, until a refresh
INSERT INTO dim_user VALUES ('late', 'north', 'late', '2024-06-01');
SELECT users FROM leadconv_conversion_summary() WHERE branch_id = 'north';
SELECT fact_table, rows FROM leadconv_refresh();
SELECT users FROM leadconv_conversion_summary() WHERE branch_id = 'north';
DELETE FROM dim_user WHERE user_id = 'late';

DELETE FROM leadconv_branch_policy;
RESET search_path;
