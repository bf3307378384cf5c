-- bench/generate.sql: synthetic data shaped like the brief's, for `make bench`.
--
--   psql -v N=1000000 -f bench/generate.sql      (N users; default 1,000,000)
--
-- DROPs and creates the brief's tables (scripts/brief_tables.sql: the
-- column types of its setup.sql, varchar(40) ids, timestamp, json) in the
-- first schema of search_path: run it only in a throwaway database.  It fills
-- them set-based, then VACUUM ANALYZE (statistics, hint bits):
--   dim_branch                 1,000 branches; zones a mix of valid names,
--                              NULL, '' and invalid ones, and a few valid
--                              ones in other case or with spaces
--   dim_user                   N users, each in a random branch (0.1% in a
--                              branch not in dim_branch), created 2023-2024
--                              (0.1% in 1900, as in the brief)
--   fct_membership_purchases   ~2.4 per user: 20% none, else 1-5
--   fct_credit_pack_purchases  ~1.3 per user: 35% none, else 1-3
-- Ids are the text form of uuids (md5 of a counter, so the same N always gives
-- the same ids); every random() is seeded, so a run is reproducible.
-- Purchase times are in 2023-2024, created_at 0-30 minutes later; 0.5% have
-- no purchased_at.  Rows are inserted in time order, as an application would
-- append them, so a table's order says nothing of its user_ids.
-- Clean data otherwise: no duplicate or orphan ids, no NULL ids.

\if :{?N}
\else
\set N 1000000
\endif
\set ON_ERROR_STOP on

SET client_min_messages = warning;
-- only this session: the generator's sorts
SET work_mem = '256MB';
SET maintenance_work_mem = '256MB';

DROP TABLE IF EXISTS dim_branch, dim_user, fct_membership_purchases,
    fct_credit_pack_purchases, fct_client_conversion_events_part_2,
    fct_client_conversion_events, fct_lead_conversions;
-- the brief's tables, as its setup.sql creates them
\ir ../scripts/brief_tables.sql

DO $$BEGIN PERFORM setseed(0.20240601); END$$;

-- Branch b (1..1000) has id md5('branch' || b) as a uuid.
INSERT INTO dim_branch
SELECT md5('branch' || b)::uuid::text,
       'Branch ' || b,
       'branch' || b || '@example.com',
       'City ' || (b % 97),
       'Country ' || (b % 23),
       CASE
           WHEN r < 0.20 THEN NULL
           WHEN r < 0.23 THEN ''
           WHEN r < 0.25 THEN (ARRAY['Mars/Olympus_Mons', 'Europe/Atlantis',
                                     'GMT+25', 'not a zone'])[1 + b % 4]
           WHEN r < 0.27 THEN (ARRAY[' Europe/Warsaw', 'asia/jakarta',
                                     'AMERICA/NEW_YORK ', ' europe/london '])[1 + b % 4]
           ELSE (ARRAY['Europe/Warsaw', 'Asia/Chongqing', 'Asia/Jakarta',
                       'America/New_York', 'America/Antigua', 'Asia/Manila',
                       'Europe/Sofia', 'Asia/Hebron', 'Africa/Cairo',
                       'Europe/Lisbon', 'Asia/Shanghai', 'Europe/Kyiv',
                       'America/Santiago', 'Europe/London', 'Europe/Madrid',
                       'America/Los_Angeles', 'America/Chicago',
                       'America/Sao_Paulo', 'Australia/Sydney', 'Asia/Tokyo',
                       'Asia/Kolkata', 'Asia/Kathmandu', 'Pacific/Auckland',
                       'Pacific/Chatham', 'Africa/Lagos', 'Europe/Berlin',
                       'Australia/Lord_Howe', 'America/St_Johns',
                       'Asia/Dubai', 'UTC'])[1 + (b * 7) % 30]
       END,
       timestamp '2023-01-01' + random() * interval '730 days'
FROM (SELECT b, random() AS r FROM generate_series(1, 1000) AS b) AS s;

-- User i has id md5('user' || i) as a uuid and branch 1 + hash(i) % 1000,
-- so the purchases below find both without reading dim_user.
INSERT INTO dim_user
SELECT md5('user' || i)::uuid::text,
       CASE WHEN i % 1000 = 7 THEN md5('gone' || i)::uuid::text
            ELSE md5('branch' || (1 + abs(hashint4(i) % 1000)))::uuid::text END,
       'User ' || i,
       'user' || i || '@example.com',
       CASE WHEN i % 1000 = 3 THEN timestamp '1900-04-03 03:01:49.412'
            ELSE timestamp '2023-01-01' + random() * interval '730 days' END
           AS created_at
FROM generate_series(1, :N) AS i
ORDER BY created_at;

INSERT INTO fct_membership_purchases
SELECT md5('user' || i)::uuid::text,
       md5('branch' || (1 + abs(hashint4(i) % 1000)))::uuid::text,
       md5('membership' || i || '/' || k)::uuid::text,
       CASE WHEN random() < 0.005 THEN NULL ELSE at END,
       at + random() * interval '30 minutes' AS created_at,
       CASE WHEN random() < 0.001 THEN '{}'
            ELSE format('{"name": "%s Membership", "source": "%s"}',
                        (ARRAY['Weekly', 'Monthly', 'Yearly'])[1 + floor(random() * 3)::int],
                        (ARRAY['WEBPORTAL', 'RECEPTION_SIGNUP', 'REFERRAL'])[1 + floor(random() * 3)::int])
       END::json
FROM (SELECT i, CASE WHEN random() < 0.20 THEN 0 ELSE 1 + floor(random() * 5)::int END AS n
      FROM generate_series(1, :N) AS i) AS u,
     generate_series(1, u.n) AS k,
     LATERAL (SELECT timestamp '2023-01-01' + random() * interval '730 days' + k * interval '0' AS at) AS t
ORDER BY created_at;

INSERT INTO fct_credit_pack_purchases
SELECT md5('user' || i)::uuid::text,
       md5('branch' || (1 + abs(hashint4(i) % 1000)))::uuid::text,
       md5('credit_pack' || i || '/' || k)::uuid::text,
       CASE WHEN random() < 0.005 THEN NULL ELSE at END,
       at + random() * interval '30 minutes' AS created_at,
       CASE WHEN random() < 0.001 THEN '{"name": null, "source": "RECEPTION_SIGNUP"}'
            ELSE format('{"name": "%s Class Pack", "source": "%s"}',
                        (ARRAY['5', '10', '20'])[1 + floor(random() * 3)::int],
                        (ARRAY['WEBPORTAL', 'RECEPTION_SIGNUP', 'REFERRAL'])[1 + floor(random() * 3)::int])
       END::json
FROM (SELECT i, CASE WHEN random() < 0.35 THEN 0 ELSE 1 + floor(random() * 3)::int END AS n
      FROM generate_series(1, :N) AS i) AS u,
     generate_series(1, u.n) AS k,
     LATERAL (SELECT timestamp '2023-01-01' + random() * interval '730 days' + k * interval '0' AS at) AS t
ORDER BY created_at;

VACUUM ANALYZE dim_branch, dim_user, fct_membership_purchases, fct_credit_pack_purchases;

RESET work_mem;
RESET maintenance_work_mem;
RESET client_min_messages;
