--
-- Parallel workers: a call shared between the leader and a worker gives the
-- same rows as one computed alone, on dirty data.
--
SELECT lc_test.make_sources('t_parallel', details_type => 'text');
SET search_path = t_parallel, public;
SET DateStyle = ISO;

-- branches with good, bad, padded and missing zones; b1 twice
INSERT INTO dim_branch
SELECT 'b' || i, 'B',
       (ARRAY['America/New_York', 'Asia/Jakarta', NULL, 'bogus', ' europe/london '])[i % 5 + 1],
       '2020-01-01'::timestamp + i * interval '1 day'
FROM generate_series(1, 50) i;
INSERT INTO dim_branch VALUES ('b1', 'B', 'Asia/Tokyo', '2019-01-01');

-- 40,000 users, some twice, some with no branch or no created_at
INSERT INTO dim_user
SELECT 'u' || i, 'b' || (i % 53), 'x',
       CASE WHEN i % 97 <> 0 THEN '2023-01-01'::timestamp + (i % 1000) * interval '1 hour' END
FROM generate_series(1, 40000) i;
INSERT INTO dim_user
SELECT 'u' || i, 'b' || (i % 7), 'again', '2022-06-01' FROM generate_series(1, 40000, 101) i;
INSERT INTO dim_user VALUES (NULL, 'b1', 'nobody', '2020-01-01');

-- purchases of users known and unknown, with ties, missing times, repeated
-- ids and details of every shape
CREATE FUNCTION pg_temp.details(i int) RETURNS text LANGUAGE sql AS $$
    SELECT (ARRAY['{"name": "Monthly", "source": "APP"}', '"{\"name\": \"Yearly\"}"', NULL,
                  'not json', '{"name": 3, "source": null}'])[i % 5 + 1]
$$;
INSERT INTO fct_membership_purchases
SELECT 'u' || (i % 45000), NULL, 'm' || (i % 90000),
       CASE WHEN i % 31 <> 0 THEN '2024-01-01'::timestamp + (i % 5000) * interval '1 minute' END,
       CASE WHEN i % 17 <> 0 THEN '2024-01-01'::timestamp + (i % 3) * interval '1 minute' END,
       pg_temp.details(i)
FROM generate_series(1, 100000) i;
INSERT INTO fct_credit_pack_purchases
SELECT 'u' || (i % 42000), NULL, CASE WHEN i % 1000 <> 0 THEN 'c' || (i % 50000) END,
       CASE WHEN i % 13 <> 0 THEN '2024-01-01'::timestamp + (i % 7000) * interval '1 minute' END,
       CASE WHEN i % 11 <> 0 THEN '2023-12-31'::timestamp + (i % 5) * interval '1 minute' END,
       pg_temp.details(i + 1)
FROM generate_series(1, 60000) i;
ANALYZE;

-- A small budget splits the users into parts, which the leader and one
-- worker share.
SET leadconv.work_mem = '1MB';
SET max_parallel_workers_per_gather = 2;
SET leadconv.max_parallel_workers = 1;
CREATE TEMP TABLE shared_part1 AS SELECT * FROM leadconv_client_events();
CREATE TEMP TABLE shared_part2 AS SELECT * FROM leadconv_lead_conversions(NULL, true);
-- (once the session's caches are warm, the messages are leadconv's alone)
SET client_min_messages = debug1;
SELECT count(*) FROM leadconv_client_events();
RESET client_min_messages;

SET leadconv.max_parallel_workers = 0;
CREATE TEMP TABLE alone_part1 AS SELECT * FROM leadconv_client_events();
CREATE TEMP TABLE alone_part2 AS SELECT * FROM leadconv_lead_conversions(NULL, true);

SELECT (SELECT count(*) FROM shared_part1) AS part1_rows,
       (SELECT count(*) FROM (TABLE shared_part1 EXCEPT ALL TABLE alone_part1) d) AS only_shared,
       (SELECT count(*) FROM (TABLE alone_part1 EXCEPT ALL TABLE shared_part1) d) AS only_alone;
SELECT (SELECT count(*) FROM shared_part2) AS part2_rows,
       (SELECT count(*) FROM (TABLE shared_part2 EXCEPT ALL TABLE alone_part2) d) AS only_shared,
       (SELECT count(*) FROM (TABLE alone_part2 EXCEPT ALL TABLE shared_part2) d) AS only_alone;

-- More workers than the leader and one: from six on the leader only
-- collects; and when fewer start than were planned, the leader takes on
-- the shares of those that did not.
SET max_parallel_workers_per_gather = 6;
SET leadconv.max_parallel_workers = 6;
CREATE TEMP TABLE six_part1 AS SELECT * FROM leadconv_client_events();
SET max_parallel_workers = 1;
CREATE TEMP TABLE fewer_part1 AS SELECT * FROM leadconv_client_events();
RESET max_parallel_workers;
SELECT (SELECT count(*) FROM (TABLE six_part1 EXCEPT ALL TABLE alone_part1) d) AS only_six,
       (SELECT count(*) FROM (TABLE alone_part1 EXCEPT ALL TABLE six_part1) d) AS not_six,
       (SELECT count(*) FROM (TABLE fewer_part1 EXCEPT ALL TABLE alone_part1) d) AS only_fewer,
       (SELECT count(*) FROM (TABLE alone_part1 EXCEPT ALL TABLE fewer_part1) d) AS not_fewer;

-- Sources read through views, beside tables, are shared out the same way;
-- the processes then each read every purchase (no "dividing" below).
CREATE SCHEMA t_parallel_views;
CREATE VIEW t_parallel_views.dim_branch AS TABLE t_parallel.dim_branch;
CREATE TABLE t_parallel_views.dim_user AS TABLE t_parallel.dim_user;
CREATE VIEW t_parallel_views.fct_membership_purchases AS
    TABLE t_parallel.fct_membership_purchases;
CREATE TABLE t_parallel_views.fct_credit_pack_purchases AS
    TABLE t_parallel.fct_credit_pack_purchases;
ANALYZE t_parallel_views.dim_user, t_parallel_views.fct_credit_pack_purchases;
SET search_path = t_parallel_views, public;
SET max_parallel_workers_per_gather = 2;
SET leadconv.max_parallel_workers = 1;
CREATE TEMP TABLE views_part1 AS SELECT * FROM leadconv_client_events();
SET client_min_messages = debug1;
SELECT count(*) FROM leadconv_client_events();
RESET client_min_messages;
SET search_path = t_parallel, public;
SELECT (SELECT count(*) FROM (TABLE views_part1 EXCEPT ALL TABLE alone_part1) d) AS only_views,
       (SELECT count(*) FROM (TABLE alone_part1 EXCEPT ALL TABLE views_part1) d) AS not_views;
SET client_min_messages = warning;
DROP SCHEMA t_parallel_views CASCADE;
RESET client_min_messages;

-- The processes divide the blocks of the purchase tables between them
-- ("dividing the purchase tables" above) only when each is a plain table
-- they may read whole: not one with an inheritance child, nor one under
-- row security; a dropped column before those read changes nothing.  The
-- rows agree each way.
CREATE SCHEMA t_parallel_kinds;
CREATE TABLE t_parallel_kinds.dim_branch AS TABLE t_parallel.dim_branch;
CREATE TABLE t_parallel_kinds.dim_user AS TABLE t_parallel.dim_user;
CREATE TABLE t_parallel_kinds.fct_membership_purchases
    (gone int, LIKE t_parallel.fct_membership_purchases);
INSERT INTO t_parallel_kinds.fct_membership_purchases
SELECT 0, * FROM t_parallel.fct_membership_purchases;
ALTER TABLE t_parallel_kinds.fct_membership_purchases DROP COLUMN gone;
CREATE TABLE t_parallel_kinds.fct_credit_pack_purchases
    (LIKE t_parallel.fct_credit_pack_purchases);
CREATE TABLE t_parallel_kinds.credit_child ()
    INHERITS (t_parallel_kinds.fct_credit_pack_purchases);
INSERT INTO t_parallel_kinds.fct_credit_pack_purchases
SELECT * FROM t_parallel.fct_credit_pack_purchases WHERE credit_pack_id < 'c3';
INSERT INTO t_parallel_kinds.credit_child
SELECT * FROM t_parallel.fct_credit_pack_purchases
WHERE credit_pack_id >= 'c3' OR credit_pack_id IS NULL;
ANALYZE t_parallel_kinds.dim_user;
SET search_path = t_parallel_kinds, public;
CREATE TEMP TABLE child_part1 AS SELECT * FROM leadconv_client_events();
SET client_min_messages = debug1;
SELECT count(*) FROM leadconv_client_events();
RESET client_min_messages;
ALTER TABLE credit_child NO INHERIT fct_credit_pack_purchases;
INSERT INTO fct_credit_pack_purchases SELECT * FROM credit_child;
DROP TABLE credit_child;
CREATE TEMP TABLE dropped_part1 AS SELECT * FROM leadconv_client_events();
SET client_min_messages = debug1;
SELECT count(*) FROM leadconv_client_events();
RESET client_min_messages;
SELECT (SELECT count(*) FROM (TABLE child_part1 EXCEPT ALL TABLE alone_part1) d) AS only_child,
       (SELECT count(*) FROM (TABLE alone_part1 EXCEPT ALL TABLE child_part1) d) AS not_child,
       (SELECT count(*) FROM (TABLE dropped_part1 EXCEPT ALL TABLE alone_part1) d) AS only_dropped,
       (SELECT count(*) FROM (TABLE alone_part1 EXCEPT ALL TABLE dropped_part1) d) AS not_dropped;
-- a role that row security lets see the memberships of users u1 to u19999
-- only: shared and alone, as that role, the same rows
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_lc_parallel;
RESET client_min_messages;
CREATE ROLE regress_lc_parallel;
GRANT USAGE ON SCHEMA t_parallel_kinds TO regress_lc_parallel;
GRANT SELECT ON ALL TABLES IN SCHEMA t_parallel_kinds TO regress_lc_parallel;
ALTER TABLE fct_membership_purchases ENABLE ROW LEVEL SECURITY;
CREATE POLICY some_users ON fct_membership_purchases FOR SELECT TO regress_lc_parallel
    USING (length(user_id) < 6);
SET ROLE regress_lc_parallel;
CREATE TEMP TABLE rls_shared AS SELECT * FROM leadconv_client_events();
SET client_min_messages = debug1;
SELECT count(*) FROM leadconv_client_events();
RESET client_min_messages;
SET leadconv.max_parallel_workers = 0;
CREATE TEMP TABLE rls_alone AS SELECT * FROM leadconv_client_events();
SET leadconv.max_parallel_workers = 1;
SELECT (SELECT count(*) FROM rls_shared WHERE first_user_membership_id IS NOT NULL) AS with_membership,
       (SELECT count(*) FROM (TABLE rls_shared EXCEPT ALL TABLE rls_alone) d) AS only_shared,
       (SELECT count(*) FROM (TABLE rls_alone EXCEPT ALL TABLE rls_shared) d) AS only_alone;
DROP TABLE rls_shared, rls_alone;
RESET ROLE;
SET search_path = t_parallel, public;
SET client_min_messages = warning;
DROP SCHEMA t_parallel_kinds CASCADE;
DROP ROLE regress_lc_parallel;
RESET client_min_messages;

-- Purchases whose details are kilobytes each: the parts that dim_user
-- sized outgrow leadconv.work_mem while the processes divide the purchase
-- tables, where they cannot be split again; the call is computed again
-- without dividing, each process splitting its parts as it needs, before
-- any row is emitted.
CREATE SCHEMA t_parallel_wide;
CREATE TABLE t_parallel_wide.dim_branch AS TABLE t_parallel.dim_branch;
CREATE TABLE t_parallel_wide.dim_user AS TABLE t_parallel.dim_user;
CREATE TABLE t_parallel_wide.fct_membership_purchases AS
SELECT user_id, branch_id, membership_id, membership_purchased_at, created_at,
       CASE WHEN membership_purchase_details LIKE '{%'
            THEN format('{"name": "%s", "source": "APP"}', repeat('w', 6000))
            ELSE membership_purchase_details END AS membership_purchase_details
FROM t_parallel.fct_membership_purchases;
CREATE TABLE t_parallel_wide.fct_credit_pack_purchases AS
    TABLE t_parallel.fct_credit_pack_purchases;
ANALYZE t_parallel_wide.dim_user;
SET search_path = t_parallel_wide, public;
SET leadconv.max_parallel_workers = 1;
CREATE TEMP TABLE wide_shared AS SELECT * FROM leadconv_client_events();
SET client_min_messages = debug1;
SELECT count(*) FROM leadconv_client_events();
RESET client_min_messages;
SET leadconv.max_parallel_workers = 0;
CREATE TEMP TABLE wide_alone AS SELECT * FROM leadconv_client_events();
SELECT (SELECT count(*) FROM wide_shared WHERE length(first_membership_name) = 6000) AS wide_names,
       (SELECT count(*) FROM (TABLE wide_shared EXCEPT ALL TABLE wide_alone) d) AS only_shared,
       (SELECT count(*) FROM (TABLE wide_alone EXCEPT ALL TABLE wide_shared) d) AS only_alone;
SET search_path = t_parallel, public;
SET client_min_messages = warning;
DROP SCHEMA t_parallel_wide CASCADE;
RESET client_min_messages;

-- The estimate of the users is stale (three times as many now): each
-- process splits its parts further on its own, and the rows still agree.
INSERT INTO dim_user
SELECT 'v' || i, 'b' || (i % 53), 'new', '2023-05-01' FROM generate_series(1, 80000) i;
INSERT INTO fct_membership_purchases
SELECT 'v' || i, NULL, 'vm' || i, '2024-02-01', NULL, pg_temp.details(i)
FROM generate_series(1, 80000, 2) i;
SET leadconv.max_parallel_workers = 1;
CREATE TEMP TABLE stale_shared AS SELECT * FROM leadconv_client_events();
SET leadconv.max_parallel_workers = 0;
CREATE TEMP TABLE stale_alone AS SELECT * FROM leadconv_client_events();
SELECT (SELECT count(*) FROM stale_shared) AS part1_rows,
       (SELECT count(*) FROM (TABLE stale_shared EXCEPT ALL TABLE stale_alone) d) AS only_shared,
       (SELECT count(*) FROM (TABLE stale_alone EXCEPT ALL TABLE stale_shared) d) AS only_alone;

-- No worker for the users of automatic refresh, nor when parallel query is off.
ANALYZE;
SET leadconv.max_parallel_workers = 1;
SET client_min_messages = debug1;
SELECT count(*) FROM leadconv_client_events_for(ARRAY['u1', 'u2']);
SET max_parallel_workers_per_gather = 0;
SELECT count(*) FROM leadconv_client_events();
RESET client_min_messages;

-- A cancelled call stops its worker too.
SET max_parallel_workers_per_gather = 2;
SET statement_timeout = '50ms';
SELECT count(*) FROM leadconv_lead_conversions();
RESET statement_timeout;
SELECT count(*) AS workers_left FROM pg_stat_activity WHERE backend_type = 'parallel worker';

-- temp_file_limit bounds the temporary files of the parts (deleted as each
-- part is read back) as any query's: a clean error, and the next call works.
SET leadconv.max_parallel_workers = 0;
SET temp_file_limit = '64kB';
-- (the SQLSTATE only, 53400: PostgreSQL 18 quotes the setting's name in
-- the message, "temp_file_limit", where earlier versions do not)
\set VERBOSITY sqlstate
SELECT count(*) FROM leadconv_client_events();
-- with a worker, which the leader may be waiting for when either fails
SET leadconv.max_parallel_workers = 1;
SELECT count(*) FROM leadconv_client_events();
\set VERBOSITY default
RESET temp_file_limit;
SELECT count(*) FROM leadconv_client_events();
SELECT count(*) AS workers_left FROM pg_stat_activity WHERE backend_type = 'parallel worker';

RESET leadconv.max_parallel_workers;
RESET max_parallel_workers_per_gather;
RESET leadconv.work_mem;
RESET search_path;
