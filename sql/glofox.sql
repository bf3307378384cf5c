--
-- The brief's own data (../shared/glofox/setup.sql, beside the repository),
-- and the figures SPEC publishes for it.  Skipped, with the other expected
-- file (glofox_1.out), where ../shared is absent.
--
\set have_brief `test -r ../shared/glofox/setup.sql && echo true || echo false`
\if :have_brief
CREATE SCHEMA glofox;
SET search_path = glofox, public;
SET DateStyle = ISO;
-- not echoed: the brief's script is read from ../shared, never copied here
\set ECHO none
\o /dev/null
\i ../shared/glofox/setup.sql
\o
\set ECHO all

-- 100 users: 91 CLIENT (75 by MEMBERSHIP, 16 by USER_CREDIT) and 9 LEAD
SELECT lead_status, client_conversion_event_type, count(*)
FROM leadconv_client_events()
GROUP BY 1, 2 ORDER BY 1, 2;

-- Part 2: 248 rows (ALL 100, MEMBERSHIP 80, USER_CREDIT 68), and 300 with
-- leads in every filter
SELECT client_conversion_event_filter, count(*)
FROM leadconv_lead_conversions()
GROUP BY ROLLUP (1) ORDER BY 1;
SELECT count(*) FROM leadconv_lead_conversions(leads_in_every_filter => true);

-- New York times are behind UTC, Jakarta's ahead, by the offsets of the day
SELECT b.timezone_id, count(*) AS users,
       min(u.created_at - e.local_user_created_at) AS min_behind,
       max(u.created_at - e.local_user_created_at) AS max_behind
FROM leadconv_client_events() e
JOIN dim_user u USING (user_id)
JOIN dim_branch b ON b.branch_id = u.branch_id
WHERE b.timezone_id IN ('America/New_York', 'Asia/Jakarta')
  AND u.created_at > '2000-01-01'
GROUP BY 1 ORDER BY 1;

-- one user in full
\x on
SELECT * FROM leadconv_client_events()
WHERE user_id = '77b23c41-48c9-4493-bbf2-40db442cb444';
\x off
RESET search_path;
\else
\echo ../shared/glofox/setup.sql is absent: skipped
\endif
