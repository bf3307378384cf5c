--
-- Generates sample/sample.sql, leadconv's own sample data set (see
-- sample/README.md).  Run from the repository root:
--
--   pg_virtualenv -t -v 15 sh -c 'psql -X -q -f sample/generate.sql > sample/sample.sql'
--
-- The output depends on nothing but this file (and the tz database for the
-- naive part_2 stand-in's local times): every "random" choice is a hash of
-- fixed keys (md5), not random(), so it is the same on every run and on every
-- PostgreSQL version.  Only temporary objects are created.
--
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET DateStyle = 'ISO, YMD';
SET IntervalStyle = 'postgres';
SET TimeZone = 'UTC';
SET extra_float_digits = 0;
\pset format unaligned
\pset tuples_only on
\pset footer off

-- A number in [0, 1) from keys; an id shaped like a UUID (version 4) from keys.
CREATE FUNCTION pg_temp.rnd(VARIADIC k text[]) RETURNS double precision
LANGUAGE sql IMMUTABLE AS
$$ SELECT ('x' || substr(md5('leadconv-sample/' || array_to_string(k, '/')), 1, 12))::bit(48)::bigint
          / 281474976710656.0 $$;
CREATE FUNCTION pg_temp.uid(VARIADIC k text[]) RETURNS text
LANGUAGE sql IMMUTABLE AS
$$ SELECT regexp_replace(md5('leadconv-sample-id/' || array_to_string(k, '/')),
                         '^(.{8})(.{4}).(.{3}).(.{3})(.{12})$', '\1-\2-4\3-a\4-\5') $$;
-- A time with millisecond precision: base + days * [0, 1).
CREATE FUNCTION pg_temp.at(base timestamp, days double precision, r double precision)
RETURNS timestamp LANGUAGE sql IMMUTABLE AS
$$ SELECT base + round(days * r * 86400000)::bigint * interval '1 millisecond' $$;

---------------------------------------------------------------------------
-- Branches: 12 ids, 16 rows.
---------------------------------------------------------------------------
CREATE TEMP TABLE s_branch (
    k int, branch_id text, name text, email text, city text, country text,
    timezone_id text, created_at timestamp);

INSERT INTO s_branch (k, name, email, city, country, timezone_id, created_at)
VALUES
    (1,  'Harbor Strength',   'desk@harborstrength.example',  'New York',       'United States',  'America/New_York',    '2022-11-14 15:02:41.118'),
    (2,  'Kemang Fit',        'halo@kemangfit.example',       'Jakarta Selatan', 'Indonesia',     'Asia/Jakarta',        '2023-01-09 02:45:10.530'),
    (3,  'Thames Row Gym',    'hello@thamesrow.example',      'London',         'United Kingdom', 'Europe/London',       '2022-10-03 08:00:00'),
    (4,  'Spree Athletics',   'team@spree-ath.example',       'Berlin',         'Germany',        'Europe/Berlin',       '2023-02-20 11:19:07.004'),
    (5,  'Bondi Boxing Club', 'info@bondiboxing.example',     'Sydney',         'Australia',      'Australia/Sydney',    '2022-12-01 21:30:00.250'),
    (6,  'Torrens Pilates',   'studio@torrens.example',       'Adelaide',       'Australia',      'Australia/Adelaide',  '2023-03-15 00:10:33.912'),
    (7,  'Marine Drive Yoga', 'namaste@marinedrive.example',  'Mumbai',         'India',          'Asia/Kolkata',        '2023-01-26 04:04:04.404'),
    (8,  'Sunset Cycle',      'ride@sunsetcycle.example',     'Los Angeles',    'United States',  'America/Los_Angeles', '2022-09-30 23:59:59.999'),
    (9,  'Lagoa CrossFit',    'box@lagoacf.example',          'Rio de Janeiro', 'Brazil',         NULL,                  '2023-04-02 13:13:13.131'),
    (10, 'Rive Gauche Barre', 'bonjour@rivegauche.example',   'Paris',          'France',         '  europe/PARIS ',     '2023-05-05 09:45:00'),
    (11, 'Signal Hill Climb', 'belay@signalhill.example',     'St. John''s',    'Canada',         'America/St_Johns',    '2023-02-02 12:00:00.001'),
    (12, 'Olympus Mons Gym',  'ops@olympusmons.example',      'Tharsis',        'Mars',           'Mars/Olympus_Mons',   '2023-06-30 18:00:00');
UPDATE s_branch SET branch_id = pg_temp.uid('branch', k::text);

-- Duplicate rows of a branch id.  4: an earlier row with an invalid zone and
-- a later one with another zone (the earliest VALID row wins: Berlin);
-- 8: a row with a NULL created_at (sorts last: Los Angeles); 12: a row with an
-- empty zone (no valid row: UTC).
INSERT INTO s_branch (k, branch_id, name, email, city, country, timezone_id, created_at)
VALUES
    (4,  pg_temp.uid('branch', '4'),  'Spree Athletics (old)', 'old@spree-ath.example', 'Berlin',  'Germany', 'Europe/Atlantis', '2021-07-01 07:00:00'),
    (4,  pg_temp.uid('branch', '4'),  'Spree Athletics',       'team@spree-ath.example', 'Lisbon', 'Portugal', 'Europe/Lisbon',  '2024-01-08 10:00:00'),
    (8,  pg_temp.uid('branch', '8'),  'Sunset Cycle',          'ride@sunsetcycle.example', 'Denver', 'United States', 'America/Denver', NULL),
    (12, pg_temp.uid('branch', '12'), 'Olympus Mons Gym',      'ops@olympusmons.example', 'Tharsis', 'Mars', '', '2023-06-01 00:00:00');

---------------------------------------------------------------------------
-- Users: 200 ids (n = 1..200), 208 rows.
---------------------------------------------------------------------------
CREATE TEMP TABLE s_user (
    n int, user_id text, branch_id text, name text, email text, created_at timestamp,
    lead boolean DEFAULT false);

-- Everyone: a branch (weighted towards the first ones), a name, a creation
-- time in 2023-2024.  Users 1..33 are the special cases set below, 34..40
-- and about 1 in 11 of 71..200 are leads (no purchase).
INSERT INTO s_user (n, user_id, branch_id, name, email, created_at, lead)
SELECT n, pg_temp.uid('user', n::text),
       pg_temp.uid('branch', (1 + floor(12 * pg_temp.rnd('ub', n::text) ^ 1.4))::int::text),
       f.first || ' ' || l.last,
       lower(left(f.first, 1) || l.last) || n || '@mail.example',
       pg_temp.at('2023-01-01', 540, pg_temp.rnd('uc', n::text)),
       n BETWEEN 34 AND 40 OR n > 70 AND pg_temp.rnd('lead', n::text) < 0.09
FROM generate_series(1, 200) n
CROSS JOIN LATERAL (SELECT (ARRAY['Ada','Bram','Chioma','Dmitri','Elif','Farah','Goran','Hana','Ivo','Jun',
                                  'Kofi','Lena','Mateo','Noor','Oskar','Priya','Quinn','Rosa','Sven','Tala',
                                  'Umar','Vera','Wim','Xiu','Yara','Zeki'])[1 + (n * 7) % 26] AS first) f
CROSS JOIN LATERAL (SELECT (ARRAY['Abara','Berg','Castillo','Dahl','Eze','Fontaine','Gupta','Halvorsen',
                                  'Ishikawa','Jansen','Kowalczyk','Lindqvist','Moreau','Nakamura','O''Brien',
                                  'Petrov','Quispe','Rahman','Sato','Tanaka','Ueda','Varga','Weiss',
                                  'Yilmaz','Zhou','Van der Berg'])[1 + (n * 11) % 26] AS last) l;

-- Implausible creation times, missing branches, DST edges (times are UTC).
UPDATE s_user u SET created_at = v.created_at::timestamp,
                    branch_id = CASE WHEN v.b = 0 THEN NULL ELSE pg_temp.uid('branch', v.b::text) END
FROM (VALUES
    (1,  '1900-01-01 12:00:00',     2),   -- Jakarta in 1900: local mean time, +07:07:12
    (2,  '1950-07-01 09:30:00',     3),   -- London, British Summer Time of 1950
    (3,  '1970-01-01 00:00:00',     5),   -- the epoch, Sydney
    (4,  '2031-01-01 00:00:00',     1),   -- created after all its purchases
    (5,  NULL,                      6),   -- no creation time
    (6,  '2023-08-08 08:08:08.808', 99),  -- branch 99 does not exist
    (7,  '2023-09-09 09:09:09.909', 0),   -- NULL branch_id
    (8,  '2024-03-10 06:59:59.999', 1),   -- New York, last instant of EST: 01:59:59.999
    (9,  '2024-03-10 07:00:00',     1),   -- New York, first instant of EDT: 03:00
    (10, '2024-11-03 05:30:00',     1),   -- New York 01:30 EDT ...
    (11, '2024-11-03 06:30:00',     1),   -- ... and 01:30 EST, an hour later
    (12, '2024-04-06 15:59:59.999', 5),   -- Sydney 02:59:59.999 AEDT ...
    (13, '2024-04-06 16:00:00',     5),   -- ... then 02:00 AEST
    (14, '2024-03-31 01:00:00',     3),   -- London 02:00 BST
    (15, '2024-10-27 00:59:59.999', 4),   -- Berlin 02:59:59.999 CEST, before falling back
    (16, '2024-10-05 16:30:00',     6),   -- Adelaide 03:00 ACDT (half-hour zone)
    (17, '2024-03-10 05:30:00',    11),   -- St. John's 03:00 NDT (half-hour, west)
    (18, '2024-02-29 23:59:59.999', 2),   -- leap day, Jakarta: already 1 March
    (19, '2023-12-31 23:30:00',     7),   -- Mumbai: already 2024
    (20, '2024-01-15 10:00:00',     2),   -- duplicated below
    (21, NULL,                      3),   -- duplicated below
    (22, '2024-06-01 12:00:00',     9),   -- duplicated below (identical row)
    (23, '2024-07-04 04:00:00',     5),   -- duplicated below (same time)
    (24, '2024-05-05 05:05:05.005', 10),  -- padded, wrong-case zone
    (25, '2024-05-06 06:06:06.006', 12),  -- invalid zone
    (26, '2024-05-07 07:07:07.007', 8)    -- zone of the duplicated branch 8
) v(n, created_at, b)
WHERE u.n = v.n;

-- Duplicate user rows: the earliest created_at wins (NULLs last), then the
-- lowest branch_id.
INSERT INTO s_user (n, user_id, branch_id, name, email, created_at)
SELECT n, pg_temp.uid('user', n::text), pg_temp.uid('branch', b::text), name, email, created_at::timestamp
FROM (VALUES
    (20, 1,  'Umar Eze',    'ueze20@mail.example',   '2024-02-01 10:00:00'),
    (21, 4,  'Vera Fontaine', 'vfontaine21@mail.example', '2024-05-05 08:00:00'),
    (23, 1,  'Jun Sato',    'jsato23@mail.example',  '2024-07-04 04:00:00')
) v(n, b, name, email, created_at);
INSERT INTO s_user (n, user_id, branch_id, name, email, created_at)
SELECT n, user_id, branch_id, name, email, created_at FROM s_user WHERE n = 22;
-- Rows without a user_id.
INSERT INTO s_user (n, user_id, branch_id, name, email, created_at)
VALUES (0, NULL, pg_temp.uid('branch', '1'), 'No Id', 'noid@mail.example', '2024-01-01 00:00:00'),
       (0, NULL, NULL, NULL, NULL, NULL);

---------------------------------------------------------------------------
-- Purchases.
---------------------------------------------------------------------------
CREATE TEMP TABLE s_purchase (
    kind text,            -- 'm' membership, 'c' credit pack
    n int,                -- user number (0: none)
    j int,                -- purchase number of the user and kind
    user_id text, branch_id text, id text,
    purchased_at timestamp, created_at timestamp, details text);

-- The base, for users 41..200 that are not leads: 0-6 memberships and 0-3
-- credit packs, the first some days after the user's creation (40 days
-- earlier for 1 user in 10), the next ones later.
INSERT INTO s_purchase (kind, n, j, user_id, branch_id, id, purchased_at, created_at)
SELECT k.kind, u.n, j, u.user_id, u.branch_id, pg_temp.uid(k.kind, u.n::text, j::text), t.p,
       pg_temp.at(t.p, 1.0 / 72, pg_temp.rnd('pc', k.kind, u.n::text, j::text))
FROM (SELECT DISTINCT ON (n) * FROM s_user WHERE n > 0 ORDER BY n, created_at NULLS LAST) u
CROSS JOIN (VALUES ('m', 6.5), ('c', 4.0)) k(kind, mx)
CROSS JOIN LATERAL generate_series(1, greatest(
        floor(k.mx * pg_temp.rnd('count', k.kind, u.n::text))::int,
        -- users 41..70 carry odd details on a first purchase
        CASE WHEN k.kind = 'm' AND u.n BETWEEN 41 AND 60
               OR k.kind = 'c' AND u.n BETWEEN 61 AND 70 THEN 1 ELSE 0 END)) j
CROSS JOIN LATERAL (SELECT pg_temp.at(
        CASE WHEN u.created_at BETWEEN '2022-01-01' AND '2025-01-01' THEN u.created_at
             ELSE '2023-06-01' END
        - CASE WHEN pg_temp.rnd('before', u.n::text) < 0.1 THEN interval '40 days' ELSE interval '0' END
        + (j - 1) * interval '60 days',
        60, pg_temp.rnd('pt', k.kind, u.n::text, j::text)) AS p) t
WHERE NOT u.lead AND u.n > 40;

-- Details: a plan name and a sign-up source, in two spellings.
UPDATE s_purchase SET details = format(
    CASE WHEN pg_temp.rnd('ds', kind, n::text, j::text) < 0.8
         THEN '{"name": "%s", "source": "%s"}' ELSE '{"name":"%s","source":"%s"}' END,
    CASE kind WHEN 'm' THEN (ARRAY['Weekly Membership', 'Monthly Membership', 'Yearly Membership',
                                   'Off-Peak Membership'])[1 + floor(4 * pg_temp.rnd('dn', kind, n::text, j::text))::int]
              ELSE (ARRAY['5 Class Pack', '10 Class Pack', '20 Class Pack', 'Drop-In Credit'])
                   [1 + floor(4 * pg_temp.rnd('dn', kind, n::text, j::text))::int] END,
    (ARRAY['WEBPORTAL', 'REFERRAL', 'RECEPTION_SIGNUP', 'MOBILE_APP'])
        [1 + floor(4 * pg_temp.rnd('dsrc', kind, n::text, j::text))::int]);

-- Odd details on first purchases (so they show in the report).
UPDATE s_purchase p SET details = v.d
FROM (VALUES
    (41, 'm', NULL),
    (42, 'm', '{}'),
    (43, 'm', '{"name": null, "source": "REFERRAL"}'),
    (44, 'm', '"{\"name\": \"Monthly Membership\", \"source\": \"WEBPORTAL\"}"'),
    (45, 'm', '"\"{\\\"name\\\": \\\"Yearly Membership\\\"}\""'),
    (46, 'm', '{"Name": "Yearly Membership", "SOURCE": "MOBILE_APP"}'),
    (47, 'm', '{"name": 12, "source": true}'),
    (48, 'm', '{"name": {"en": "Monthly"}, "source": ["WEBPORTAL"]}'),
    (49, 'm', '{"name": "Trial", "name": "Monthly Membership", "source": "REFERRAL"}'),
    (50, 'm', '{"name": "Caf\u00e9 Membership", "source": "WEBPORTAL"}'),
    (51, 'm', '{"name": "bad\u0000zero", "source": "WEBPORTAL"}'),
    (52, 'm', '[{"name": "Weekly Membership"}]'),
    (53, 'm', 'null'),
    (54, 'm', '"Monthly Membership"'),
    (55, 'm', E'  {"name" : "Weekly Membership" ,\n  "source":"WEBPORTAL" }  '),
    (56, 'm', '{"name": "Line\nBreak Membership", "source": "RECEPTION_SIGNUP"}'),
    (57, 'm', '{"name": "The \"Gold\" Membership", "source": "REFERRAL"}'),
    (58, 'm', '{"source": "WEBPORTAL"}'),
    (59, 'm', '{"name": "Yearly Membership", "source": "WEBPORTAL", "promo": {"code": "NY24", "pct": [10, 20]}}'),
    (60, 'm', '{"name": 1.50, "source": 1e3}'),
    (61, 'c', '"{\"name\": \"10 Class Pack\", \"source\": \"MOBILE_APP\"}"'),
    (62, 'c', '{"name": "Zeh\u00f1 Pack \ud83d\udcaa", "source": "REFERRAL"}'),
    (63, 'c', '{"name": "", "source": ""}'),
    (64, 'c', NULL),
    (65, 'c', '{"name": false, "source": null}'),
    (66, 'c', '{"name": "5 Class Pack", "source": "WEBPORTAL", "source": "REFERRAL"}'),
    (67, 'c', '{"name": "Back\\slash Pack", "source": "WEBPORTAL"}'),
    (68, 'c', '"{\"name\": bad json}"'),
    (69, 'c', '{"name": "  padded  ", "source": "WEBPORTAL "}'),
    (70, 'c', '{"name": "Ünïcödé Pack 🏋", "source": "MOBILE_APP"}')
) v(n, kind, d)
WHERE p.n = v.n AND p.kind = v.kind AND p.j = 1;

-- NULL purchased_at (created_at counts), undated purchases (both NULL).
UPDATE s_purchase SET purchased_at = NULL
WHERE n > 70 AND pg_temp.rnd('nullp', kind, n::text, j::text) < 0.04;
UPDATE s_purchase SET purchased_at = NULL, created_at = NULL
WHERE n > 70 AND pg_temp.rnd('undated', kind, n::text, j::text) < 0.015;
-- A purchase at another branch than the user's.
UPDATE s_purchase SET branch_id = pg_temp.uid('branch', (1 + (n % 12))::text)
WHERE pg_temp.rnd('otherbranch', kind, n::text, j::text) < 0.03;

-- Special users' purchases (times UTC; the comments say what they test).
INSERT INTO s_purchase (kind, n, j, user_id, branch_id, id, purchased_at, created_at, details)
SELECT v.kind, v.n, v.j, pg_temp.uid('user', v.n::text),
       pg_temp.uid('branch', v.b::text), pg_temp.uid(v.kind, v.n::text, v.j::text),
       v.p::timestamp, v.c::timestamp, v.d
FROM (VALUES
    -- 1..4: implausible users buy normally
    ('m', 1, 1, 2, '2023-05-01 03:00:00',     '2023-05-01 03:05:00',     '{"name": "Monthly Membership", "source": "RECEPTION_SIGNUP"}'),
    ('c', 2, 1, 3, '2023-06-11 10:00:00',     '2023-06-11 10:00:01',     '{"name": "10 Class Pack", "source": "WEBPORTAL"}'),
    ('m', 3, 1, 5, '1970-01-01 00:00:00',     '1970-01-01 00:00:00',     '{"name": "Yearly Membership", "source": "REFERRAL"}'),
    ('c', 4, 1, 1, '2024-01-01 00:00:00',     '2024-01-01 00:10:00',     '{"name": "Drop-In Credit", "source": "MOBILE_APP"}'),
    -- 5..7: no creation time, missing branch, NULL branch
    ('c', 5, 1, 6, '2024-02-02 02:02:02.002', '2024-02-02 02:03:00',     '{"name": "5 Class Pack", "source": "WEBPORTAL"}'),
    ('m', 6, 1, 99,'2023-09-01 12:00:00',     '2023-09-01 12:00:00',     '{"name": "Weekly Membership", "source": "WEBPORTAL"}'),
    ('m', 7, 1, 1, '2023-10-01 12:00:00',     '2023-10-01 12:00:00',     '{"name": "Weekly Membership", "source": "REFERRAL"}'),
    -- 8..17: purchases on DST edges of the user's zone
    ('m', 8, 1, 1, '2024-03-10 06:59:59.999', '2024-03-10 07:01:00',     '{"name": "Monthly Membership", "source": "WEBPORTAL"}'),
    ('c', 9, 1, 1, '2024-03-10 07:00:00',     '2024-03-10 07:00:00',     '{"name": "10 Class Pack", "source": "WEBPORTAL"}'),
    ('m', 10, 1, 1,'2024-11-03 06:30:00',     '2024-11-03 06:31:00',     '{"name": "Monthly Membership", "source": "WEBPORTAL"}'),
    ('c', 10, 1, 1,'2024-11-03 05:30:00',     '2024-11-03 05:31:00',     '{"name": "5 Class Pack", "source": "REFERRAL"}'),
    ('m', 11, 1, 1,'2024-11-03 05:59:59.999', '2024-11-03 06:00:00',     '{"name": "Yearly Membership", "source": "REFERRAL"}'),
    ('m', 12, 1, 5,'2024-04-06 16:00:00',     '2024-04-06 16:00:00',     '{"name": "Monthly Membership", "source": "WEBPORTAL"}'),
    ('c', 12, 1, 5,'2024-04-06 15:30:00',     '2024-04-06 15:30:00',     '{"name": "Drop-In Credit", "source": "WEBPORTAL"}'),
    ('c', 13, 1, 5,'2024-10-05 16:00:00',     '2024-10-05 16:00:00',     '{"name": "20 Class Pack", "source": "RECEPTION_SIGNUP"}'),
    ('m', 14, 1, 3,'2024-10-27 01:00:00',     '2024-10-27 01:00:00',     '{"name": "Yearly Membership", "source": "WEBPORTAL"}'),
    ('m', 15, 1, 4,'2024-03-31 01:00:00',     '2024-03-31 01:00:00',     '{"name": "Off-Peak Membership", "source": "MOBILE_APP"}'),
    ('c', 16, 1, 6,'2024-04-06 16:29:59.999', '2024-04-06 16:30:00',     '{"name": "5 Class Pack", "source": "WEBPORTAL"}'),
    ('m', 17, 1, 11,'2024-11-03 03:29:59.999','2024-11-03 03:30:00',     '{"name": "Monthly Membership", "source": "REFERRAL"}'),
    -- 18, 19: a new local day and year
    ('m', 18, 1, 2, '2024-02-29 17:00:00',    '2024-02-29 17:00:00',     '{"name": "Weekly Membership", "source": "WEBPORTAL"}'),
    ('c', 19, 1, 7, '2023-12-31 18:30:00',    '2023-12-31 18:31:00',     '{"name": "10 Class Pack", "source": "MOBILE_APP"}'),
    -- 20..26: duplicated users and odd zones
    ('m', 20, 1, 2, '2024-03-03 03:03:03.003','2024-03-03 03:04:00',     '{"name": "Monthly Membership", "source": "WEBPORTAL"}'),
    ('c', 21, 1, 4, '2024-06-06 06:06:06.006','2024-06-06 06:07:00',     '{"name": "5 Class Pack", "source": "REFERRAL"}'),
    ('m', 22, 1, 9, '2024-06-02 12:00:00',    '2024-06-02 12:00:00',     '{"name": "Yearly Membership", "source": "RECEPTION_SIGNUP"}'),
    ('c', 23, 1, 1, '2024-07-05 04:00:00',    '2024-07-05 04:00:00',     '{"name": "20 Class Pack", "source": "WEBPORTAL"}'),
    ('m', 24, 1, 10,'2024-07-01 10:00:00',    '2024-07-01 10:00:00',     '{"name": "Monthly Membership", "source": "WEBPORTAL"}'),
    ('c', 25, 1, 12,'2024-07-01 10:00:00',    '2024-07-01 10:00:00',     '{"name": "Drop-In Credit", "source": "WEBPORTAL"}'),
    ('m', 26, 1, 8, '2024-07-01 10:00:00',    '2024-07-01 10:00:00',     '{"name": "Monthly Membership", "source": "MOBILE_APP"}'),
    -- 27: membership and credit pack at the same instant (MEMBERSHIP wins)
    ('m', 27, 1, 3, '2024-01-10 10:10:10.100','2024-01-10 10:15:00',     '{"name": "Monthly Membership", "source": "WEBPORTAL"}'),
    ('c', 27, 1, 3, '2024-01-10 10:10:10.100','2024-01-10 10:11:00',     '{"name": "10 Class Pack", "source": "WEBPORTAL"}'),
    -- 28: only undated purchases of both kinds (MEMBERSHIP wins)
    ('m', 28, 1, 4, NULL, NULL,                                           '{"name": "Weekly Membership", "source": "WEBPORTAL"}'),
    ('c', 28, 1, 4, NULL, NULL,                                           '{"name": "5 Class Pack", "source": "WEBPORTAL"}'),
    -- 29: NULL purchased_at, created_at earlier than the other kind's purchased_at
    ('m', 29, 1, 5, '2024-02-10 00:00:00',    '2024-02-10 00:00:00',     '{"name": "Yearly Membership", "source": "WEBPORTAL"}'),
    ('c', 29, 1, 5, NULL,                     '2024-02-09 23:59:59.999', '{"name": "20 Class Pack", "source": "REFERRAL"}'),
    -- 30: dated purchase beats an undated one of the other kind
    ('m', 30, 1, 7, NULL, NULL,                                           '{"name": "Yearly Membership", "source": "WEBPORTAL"}'),
    ('c', 30, 1, 7, '2024-03-01 00:00:00',    '2024-03-01 00:00:00',     '{"name": "Drop-In Credit", "source": "WEBPORTAL"}'),
    -- 31: two memberships at the same time: created_at, then id break the tie
    ('m', 31, 1, 8, '2024-04-01 09:00:00',    '2024-04-01 09:05:00',     '{"name": "Weekly Membership", "source": "WEBPORTAL"}'),
    ('m', 31, 2, 8, '2024-04-01 09:00:00',    '2024-04-01 09:01:00',     '{"name": "Monthly Membership", "source": "REFERRAL"}'),
    ('m', 31, 3, 8, '2024-04-01 09:00:00',    '2024-04-01 09:01:00',     '{"name": "Yearly Membership", "source": "REFERRAL"}'),
    -- 32: purchases long before the user was created
    ('c', 32, 1, 2, '2021-12-24 12:00:00',    '2021-12-24 12:00:00',     '{"name": "5 Class Pack", "source": "RECEPTION_SIGNUP"}'),
    -- 33: purchase times with a far-future created_at
    ('m', 33, 1, 3, '2024-05-05 05:05:05',    '2099-12-31 23:59:59',     '{"name": "Monthly Membership", "source": "WEBPORTAL"}')
) v(kind, n, j, b, p, c, d);

-- Ghosts: purchases of users who are not in dim_user (unknown id, an id in
-- upper case, NULL user_id) and purchases without an id.
INSERT INTO s_purchase (kind, n, j, user_id, branch_id, id, purchased_at, created_at, details)
SELECT kind, 0, g,
       CASE WHEN g <= 8 THEN pg_temp.uid('ghost', kind, g::text)
            WHEN g = 9 THEN upper(pg_temp.uid('user', '100'))
            WHEN g = 10 THEN NULL
            ELSE pg_temp.uid('user', (100 + g)::text) END,
       pg_temp.uid('branch', (1 + g % 12)::text),
       CASE WHEN g = 11 THEN NULL ELSE pg_temp.uid(kind, 'ghost', g::text) END,
       pg_temp.at('2023-03-01', 400, pg_temp.rnd('gp', kind, g::text)),
       pg_temp.at('2023-03-01', 400, pg_temp.rnd('gp', kind, g::text)) + interval '2 minutes',
       CASE kind WHEN 'm' THEN '{"name": "Monthly Membership", "source": "WEBPORTAL"}'
                 ELSE '{"name": "10 Class Pack", "source": "WEBPORTAL"}' END
FROM (VALUES ('m'), ('c')) k(kind)
CROSS JOIN generate_series(1, 11) g;

-- Duplicate purchase ids: exact copies, and the same id at another time.
INSERT INTO s_purchase (kind, n, j, user_id, branch_id, id, purchased_at, created_at, details)
SELECT kind, n, j, user_id, branch_id, id, purchased_at, created_at, details
FROM s_purchase WHERE n BETWEEN 71 AND 200 AND j = 1 AND pg_temp.rnd('dupx', kind, n::text) < 0.05;
INSERT INTO s_purchase (kind, n, j, user_id, branch_id, id, purchased_at, created_at, details)
SELECT kind, n, j, user_id, branch_id, id, purchased_at + interval '3 days', created_at + interval '3 days',
       details
FROM s_purchase WHERE n BETWEEN 71 AND 200 AND j = 2 AND pg_temp.rnd('dupt', kind, n::text) < 0.06;

---------------------------------------------------------------------------
-- fct_client_conversion_events_part_2: a stand-in for Part 1 made by a
-- simple SQL, as the brief's is (its labels: MEMBERSHIP / CREDIT_PACK).  It is
-- NOT leadconv's answer: it takes the zone only when spelled exactly, orders
-- purchases by purchased_at only (NULLs last), keeps the first row of a
-- duplicated user or branch by created_at, and writes times as the brief
-- does, with ' +00:00'.
---------------------------------------------------------------------------
CREATE TEMP TABLE s_part2 AS
WITH u AS (
    SELECT DISTINCT ON (user_id) user_id, branch_id, created_at
    FROM s_user WHERE user_id IS NOT NULL ORDER BY user_id, created_at, branch_id
), b AS (
    SELECT DISTINCT ON (branch_id) branch_id, timezone_id
    FROM s_branch ORDER BY branch_id, created_at
), z AS (
    SELECT u.*, CASE WHEN b.timezone_id IN (SELECT name FROM pg_timezone_names)
                     THEN b.timezone_id ELSE 'UTC' END AS zone
    FROM u LEFT JOIN b USING (branch_id)
), f AS (
    SELECT DISTINCT ON (kind, user_id) kind, user_id, id, purchased_at,
           CASE WHEN details NOT LIKE '%\u0000%' THEN details::json ->> 'name' END AS name,
           CASE WHEN details NOT LIKE '%\u0000%' THEN details::json ->> 'source' END AS source
    FROM s_purchase WHERE id IS NOT NULL AND user_id IS NOT NULL
    ORDER BY kind, user_id, purchased_at NULLS LAST, id
), r AS (
    SELECT z.*, m.id AS m_id, m.purchased_at AS m_at, m.name AS m_name, m.source AS m_source,
           c.id AS c_id, c.purchased_at AS c_at, c.name AS c_name, c.source AS c_source,
           CASE WHEN m.id IS NULL AND c.id IS NULL THEN NULL
                WHEN c.id IS NULL OR m.purchased_at <= c.purchased_at
                     OR c.purchased_at IS NULL AND m.purchased_at IS NOT NULL THEN 'MEMBERSHIP'
                WHEN m.id IS NULL OR c.purchased_at < m.purchased_at
                     OR m.purchased_at IS NULL AND c.purchased_at IS NOT NULL THEN 'CREDIT_PACK'
                ELSE 'MEMBERSHIP' END AS type
    FROM z
    LEFT JOIN f m ON m.kind = 'm' AND m.user_id = z.user_id
    LEFT JOIN f c ON c.kind = 'c' AND c.user_id = z.user_id
)
SELECT r.user_id, r.branch_id,
       (r.created_at AT TIME ZONE 'UTC') AT TIME ZONE r.zone AS local_user_created_at,
       CASE WHEN r.type IS NULL THEN 'LEAD' ELSE 'CLIENT' END AS lead_status,
       r.type AS client_conversion_event_type,
       CASE r.type WHEN 'MEMBERSHIP' THEN r.m_id ELSE r.c_id END AS client_conversion_event_id,
       (CASE r.type WHEN 'MEMBERSHIP' THEN r.m_at ELSE r.c_at END AT TIME ZONE 'UTC') AT TIME ZONE r.zone
           AS client_conversion_event_local_created_at,
       CASE r.type WHEN 'MEMBERSHIP' THEN r.m_name ELSE r.c_name END AS client_conversion_event_name,
       CASE r.type WHEN 'MEMBERSHIP' THEN r.m_source ELSE r.c_source END AS client_conversion_event_source,
       r.m_id AS first_user_membership_id,
       (r.m_at AT TIME ZONE 'UTC') AT TIME ZONE r.zone AS first_local_membership_purchased_at,
       r.m_name AS first_membership_name, r.m_source AS first_membership_source,
       r.c_id AS first_credit_pack_id,
       (r.c_at AT TIME ZONE 'UTC') AT TIME ZONE r.zone AS first_local_credit_pack_purchased_at,
       r.c_name AS first_credit_pack_name, r.c_source AS first_credit_pack_source
FROM r;

---------------------------------------------------------------------------
-- Output: setup.sql's CREATE TABLE statements, then INSERTs.
---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.q(v anyelement) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(quote_literal(v::text), 'null') $$;
-- part_2 times are written as the brief writes them: '... +00:00'
CREATE FUNCTION pg_temp.qz(v timestamp) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT coalesce(quote_literal(to_char(v, 'YYYY-MM-DD HH24:MI:SS.US') || ' +00:00'), 'null') $$;
-- rows (text of a VALUES tuple) -> INSERT statements of 25 rows
CREATE FUNCTION pg_temp.inserts(head text, rows_ text[]) RETURNS SETOF text LANGUAGE sql AS
$$ SELECT head || E' VALUES\n     ' || string_agg(r, E',\n     ' ORDER BY i) || ';'
   FROM unnest(rows_) WITH ORDINALITY t(r, i)
   GROUP BY (i - 1) / 25 ORDER BY (i - 1) / 25 $$;

SELECT $txt$-- leadconv sample data set: generated by sample/generate.sql (do not edit;
-- regenerate, see sample/README.md).  Made up by the leadconv project, not
-- taken from the brief.  Shaped like the brief's setup.sql: the same tables,
-- then INSERTs; dirty on purpose.
$txt$;
\set brief_tables `sed '1,/^$/d' scripts/brief_tables.sql`
SELECT :'brief_tables';
SELECT $txt$

-- INPUT DATA
$txt$;

-- Rows in an order that is not the generation order (a hash of the row).
SELECT pg_temp.inserts('INSERT INTO dim_branch (branch_id, "name", email, city, country, timezone_id, created_at)',
    array_agg(format('(%s, %s, %s, %s, %s, %s, %s)', pg_temp.q(branch_id), pg_temp.q(name), pg_temp.q(email),
                     pg_temp.q(city), pg_temp.q(country), pg_temp.q(timezone_id), pg_temp.q(created_at))
              ORDER BY md5(concat_ws('/', branch_id, timezone_id, created_at))))
FROM s_branch;

SELECT pg_temp.inserts('INSERT INTO dim_user (user_id, branch_id, "name", email, created_at)',
    array_agg(format('(%s, %s, %s, %s, %s)', pg_temp.q(user_id), pg_temp.q(branch_id), pg_temp.q(name),
                     pg_temp.q(email), pg_temp.q(created_at))
              ORDER BY md5(concat_ws('/', n, user_id, branch_id, created_at))))
FROM s_user;

SELECT pg_temp.inserts('INSERT INTO fct_membership_purchases (user_id, branch_id, membership_id, membership_purchased_at, created_at, membership_purchase_details)',
    array_agg(format('(%s, %s, %s, %s, %s, %s)', pg_temp.q(user_id), pg_temp.q(branch_id), pg_temp.q(id),
                     pg_temp.q(purchased_at), pg_temp.q(created_at), pg_temp.q(details))
              ORDER BY md5(concat_ws('/', n, j, id, purchased_at, created_at)), details))
FROM s_purchase WHERE kind = 'm';

SELECT pg_temp.inserts('INSERT INTO fct_credit_pack_purchases (user_id, branch_id, credit_pack_id, credit_pack_purchased_at, created_at, credit_pack_purchase_details)',
    array_agg(format('(%s, %s, %s, %s, %s, %s)', pg_temp.q(user_id), pg_temp.q(branch_id), pg_temp.q(id),
                     pg_temp.q(purchased_at), pg_temp.q(created_at), pg_temp.q(details))
              ORDER BY md5(concat_ws('/', n, j, id, purchased_at, created_at)), details))
FROM s_purchase WHERE kind = 'c';

SELECT pg_temp.inserts('INSERT INTO fct_client_conversion_events_part_2 (user_id, branch_id, local_user_created_at, lead_status, client_conversion_event_type, client_conversion_event_id, client_conversion_event_local_created_at, client_conversion_event_name, client_conversion_event_source, first_user_membership_id, first_local_membership_purchased_at, first_membership_name, first_membership_source, first_credit_pack_id, first_local_credit_pack_purchased_at, first_credit_pack_name, first_credit_pack_source)',
    array_agg(format('(%s)', concat_ws(', ',
        pg_temp.q(user_id), pg_temp.q(branch_id), pg_temp.qz(local_user_created_at), pg_temp.q(lead_status),
        pg_temp.q(client_conversion_event_type), pg_temp.q(client_conversion_event_id),
        pg_temp.qz(client_conversion_event_local_created_at), pg_temp.q(client_conversion_event_name),
        pg_temp.q(client_conversion_event_source), pg_temp.q(first_user_membership_id),
        pg_temp.qz(first_local_membership_purchased_at), pg_temp.q(first_membership_name),
        pg_temp.q(first_membership_source), pg_temp.q(first_credit_pack_id),
        pg_temp.qz(first_local_credit_pack_purchased_at), pg_temp.q(first_credit_pack_name),
        pg_temp.q(first_credit_pack_source)))
        ORDER BY md5(user_id)))
FROM s_part2;
