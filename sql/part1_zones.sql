--
-- Rules 2 and 3: branch zones and local time
--
SELECT lc_test.make_sources('t_zones');
SET search_path = t_zones, public;
SET DateStyle = ISO;

INSERT INTO dim_branch VALUES
    ('ny', 'New York', 'America/New_York', '2020-01-01'),
    ('jk', 'Jakarta', 'Asia/Jakarta', '2020-01-01'),
    ('ko', 'Kolkata', 'Asia/Kolkata', '2020-01-01'),
    ('np', 'Kathmandu', 'Asia/Kathmandu', '2020-01-01'),
    ('sy', 'Sydney', 'Australia/Sydney', '2020-01-01'),
    -- valid once trimmed of spaces, or compared case-insensitively
    ('padded', 'Padded', '  Asia/Jakarta  ', '2020-01-01'),
    ('case', 'Case', 'aMeRiCa/nEw_yOrK', '2020-01-01'),
    -- UTC: empty, blank, NULL, unknown
    ('empty', 'Empty', '', '2020-01-01'),
    ('blank', 'Blank', '   ', '2020-01-01'),
    ('null', 'Null', NULL, '2020-01-01'),
    ('mars', 'Mars', 'Mars/Olympus_Mons', '2020-01-01'),
    -- duplicated: the earliest row with a valid zone wins
    ('dup1', 'Dup', 'Asia/Tokyo', '2020-01-02'),
    ('dup1', 'Dup', 'Bogus/Zone', '2020-01-01'),
    ('dup1', 'Dup', 'Europe/London', '2020-01-03'),
    -- a NULL created_at is the latest
    ('dup2', 'Dup', 'Asia/Tokyo', NULL),
    ('dup2', 'Dup', 'Europe/London', '2020-05-01'),
    -- equally early: the zone first in byte order
    ('dup3', 'Dup', 'Europe/London', '2020-01-01'),
    ('dup3', 'Dup', 'Asia/Tokyo', '2020-01-01'),
    -- no valid zone at all: UTC
    ('dup4', 'Dup', 'Nowhere/One', '2020-01-01'),
    ('dup4', 'Dup', NULL, '2020-01-02'),
    -- a NULL branch_id is no branch
    (NULL, 'No id', 'Asia/Tokyo', '2020-01-01');

-- every user created at the same instant: 2024-01-15 12:00 UTC
INSERT INTO dim_user
SELECT 'u-' || coalesce(b, 'none'), b, b, '2024-01-15 12:00'
FROM unnest(ARRAY['ny', 'jk', 'ko', 'np', 'sy', 'padded', 'case', 'empty', 'blank',
                  'null', 'mars', 'dup1', 'dup2', 'dup3', 'dup4', 'missing', NULL]) AS b;

SELECT user_id, branch_id, local_user_created_at,
       local_user_created_at - '2024-01-15 12:00' AS offset_from_utc
FROM leadconv_client_events()
ORDER BY user_id COLLATE "C";

-- New York is behind UTC, Jakarta ahead: what the brief's users should see
SELECT user_id, local_user_created_at < '2024-01-15 12:00' AS behind_utc
FROM leadconv_client_events()
WHERE user_id IN ('u-ny', 'u-jk')
ORDER BY user_id;

-- DST edges in New York (2024-03-10 07:00 UTC spring forward,
-- 2024-11-03 06:00 UTC fall back) and Sydney (2024-04-06 16:00 UTC back,
-- 2024-10-05 16:00 UTC forward)
INSERT INTO dim_user VALUES
    ('dst-ny-1', 'ny', 'x', '2024-03-10 06:59:59'),
    ('dst-ny-2', 'ny', 'x', '2024-03-10 07:00:00'),
    ('dst-ny-3', 'ny', 'x', '2024-11-03 05:59:59'),
    ('dst-ny-4', 'ny', 'x', '2024-11-03 06:00:00'),
    ('dst-sy-1', 'sy', 'x', '2024-04-06 15:59:59'),
    ('dst-sy-2', 'sy', 'x', '2024-04-06 16:00:00'),
    ('dst-sy-3', 'sy', 'x', '2024-10-05 15:59:59'),
    ('dst-sy-4', 'sy', 'x', '2024-10-05 16:00:00'),
    -- before 2000, a microsecond before New York's first DST (1918)
    ('dst-ny-1918', 'ny', 'x', '1918-03-31 06:59:59.999999'),
    ('dst-ny-1918-after', 'ny', 'x', '1918-03-31 07:00:00');

SELECT e.user_id, u.created_at AS utc, e.local_user_created_at AS local
FROM leadconv_client_events() e JOIN dim_user u USING (user_id)
WHERE e.user_id LIKE 'dst-%'
ORDER BY e.user_id;

-- purchase times are shown in the user's zone too
INSERT INTO fct_membership_purchases VALUES
    ('dst-ny-2', 'ny', 'm1', '2024-07-04 16:00', '2024-07-04 16:00', NULL);
INSERT INTO fct_credit_pack_purchases VALUES
    ('dst-ny-2', 'ny', 'c1', '2024-12-25 17:00', '2024-12-25 17:00', NULL);
SELECT client_conversion_event_local_created_at, first_local_membership_purchased_at,
       first_local_credit_pack_purchased_at
FROM leadconv_client_events() WHERE user_id = 'dst-ny-2';

-- the session's TimeZone changes nothing
CREATE TEMP TABLE under_utc AS SELECT * FROM leadconv_client_events();
SET TimeZone = 'Pacific/Chatham';
SELECT count(*) AS differing_rows FROM (
    (SELECT * FROM leadconv_client_events() EXCEPT SELECT * FROM under_utc)
    UNION ALL
    (SELECT * FROM under_utc EXCEPT SELECT * FROM leadconv_client_events())) d;
RESET TimeZone;

-- nor does timezone_abbreviations: a zone is always the tz database's.
-- MET, CET, EST... are abbreviations of fixed offsets (MET is UTC+1 all
-- year) and, in the tz databases that still have them, zones (the MET zone
-- has summer time).  Which tz database has them varies: tzdata 2024b made
-- them links to geographic zones (MET to Europe/Brussels), and Debian 13 and
-- later ship them only in tzdata-legacy, so that on a server without it they
-- are not in pg_timezone_names and rule 2 gives UTC.  The test therefore
-- holds on every tz database: each local time must be the server's own
-- reading of that zone file where pg_timezone_names has the name (SET
-- TimeZone reads zone files, never abbreviations), else the UTC time.
CREATE FUNCTION pg_temp.zone_clock(zone text, utc timestamp) RETURNS timestamp
LANGUAGE plpgsql SET TimeZone = 'UTC' AS $$
BEGIN
    PERFORM set_config('TimeZone', zone, true);
    RETURN (utc AT TIME ZONE INTERVAL '00:00')::timestamp;
END $$;
INSERT INTO dim_branch
SELECT lower(z), z, z, '2020-01-01'
FROM unnest(ARRAY['MET', 'CET', 'EET', 'WET', 'EST', 'MST', 'HST', 'EST5EDT']) AS z;
INSERT INTO dim_user
SELECT 'u-' || b || '-' || to_char(t, 'Mon'), b, 'x', t
FROM unnest(ARRAY['met', 'cet', 'eet', 'wet', 'est', 'mst', 'hst', 'est5edt']) AS b,
     unnest(ARRAY[timestamp '2024-01-15 12:00', '2024-07-01 12:00']) AS t;
SELECT b.timezone_id, count(*) AS users,
       bool_and(e.local_user_created_at =
                CASE WHEN EXISTS (SELECT FROM pg_timezone_names WHERE name = b.timezone_id)
                     THEN pg_temp.zone_clock(b.timezone_id, u.created_at)
                     ELSE u.created_at END) AS as_the_tz_database_says
FROM leadconv_client_events() e
JOIN dim_user u USING (user_id)
JOIN dim_branch b ON b.branch_id = e.branch_id
WHERE b.timezone_id IN ('MET', 'CET', 'EET', 'WET', 'EST', 'MST', 'HST', 'EST5EDT')
GROUP BY b.timezone_id
ORDER BY b.timezone_id COLLATE "C";

RESET search_path;
