-- bench/plain_part2.sql: Part 2 (leadconv_lead_conversions()) in plain SQL,
-- one statement, for `make bench` to race against.
--
-- The same first purchases as bench/plain_part1.sql (DISTINCT ON, zones and
-- JSON after the choice), fanned out to the ALL, MEMBERSHIP and USER_CREDIT
-- rows by a LATERAL VALUES list: a MEMBERSHIP row when the user bought a
-- membership, a USER_CREDIT row when they bought a credit pack, an ALL row
-- always.  Equal to leadconv_lead_conversions() on the data of
-- bench/generate.sql (EXCEPT ALL both ways is empty), with the same
-- omissions as plain_part1.sql.
SELECT u.user_id,
       u.branch_id,
       u.local_user_created_at,
       v.lead_status,
       v.event_type AS client_conversion_event_type,
       v.event_id AS client_conversion_event_id,
       v.event_local AS client_conversion_event_local_created_at,
       v.event_name AS client_conversion_event_name,
       v.event_source AS client_conversion_event_source,
       v.filter AS client_conversion_event_filter
FROM (
    SELECT u.user_id, u.branch_id,
           (u.created_at AT TIME ZONE 'UTC') AT TIME ZONE coalesce(z.zone, 'UTC')
               AS local_user_created_at,
           m.id AS m_id, c.id AS c_id,
           m.id IS NOT NULL AND (c.id IS NULL OR c.at IS NULL OR m.at <= c.at) AS m_first,
           (m.at AT TIME ZONE 'UTC') AT TIME ZONE coalesce(z.zone, 'UTC') AS m_local,
           (c.at AT TIME ZONE 'UTC') AT TIME ZONE coalesce(z.zone, 'UTC') AS c_local,
           m.details ->> 'name' AS m_name, m.details ->> 'source' AS m_source,
           c.details ->> 'name' AS c_name, c.details ->> 'source' AS c_source
    FROM dim_user AS u
    LEFT JOIN (
        -- rule 2: the zone of a branch, spelled as pg_timezone_names does
        SELECT b.branch_id, tz.name AS zone
        FROM dim_branch AS b
        JOIN pg_catalog.pg_timezone_names AS tz
          ON lower(tz.name) = lower(btrim(b.timezone_id, ' '))
    ) AS z ON z.branch_id = u.branch_id
    LEFT JOIN (
        -- rules 4 and 5: the first membership of each user
        SELECT DISTINCT ON (user_id COLLATE "C")
               user_id, membership_id AS id,
               coalesce(membership_purchased_at, created_at) AS at,
               membership_purchase_details AS details
        FROM fct_membership_purchases
        WHERE user_id IS NOT NULL AND membership_id IS NOT NULL
        ORDER BY user_id COLLATE "C", coalesce(membership_purchased_at, created_at),
                 created_at, membership_id COLLATE "C"
    ) AS m ON m.user_id = u.user_id
    LEFT JOIN (
        -- the first credit pack of each user
        SELECT DISTINCT ON (user_id COLLATE "C")
               user_id, credit_pack_id AS id,
               coalesce(credit_pack_purchased_at, created_at) AS at,
               credit_pack_purchase_details AS details
        FROM fct_credit_pack_purchases
        WHERE user_id IS NOT NULL AND credit_pack_id IS NOT NULL
        ORDER BY user_id COLLATE "C", coalesce(credit_pack_purchased_at, created_at),
                 created_at, credit_pack_id COLLATE "C"
    ) AS c ON c.user_id = u.user_id
    WHERE u.user_id IS NOT NULL
    OFFSET 0  -- keep the subquery: each zone conversion and JSON lookup runs once
) AS u
CROSS JOIN LATERAL (VALUES
    -- the user's Part 1 conversion (rule 6)
    ('ALL',
     CASE WHEN u.m_id IS NULL AND u.c_id IS NULL THEN 'LEAD' ELSE 'CLIENT' END,
     CASE WHEN u.m_first THEN 'MEMBERSHIP' WHEN u.c_id IS NOT NULL THEN 'USER_CREDIT' END,
     CASE WHEN u.m_first THEN u.m_id ELSE u.c_id END,
     CASE WHEN u.m_first THEN u.m_local ELSE u.c_local END,
     CASE WHEN u.m_first THEN u.m_name ELSE u.c_name END,
     CASE WHEN u.m_first THEN u.m_source ELSE u.c_source END),
    ('MEMBERSHIP', 'CLIENT', 'MEMBERSHIP', u.m_id, u.m_local, u.m_name, u.m_source),
    ('USER_CREDIT', 'CLIENT', 'USER_CREDIT', u.c_id, u.c_local, u.c_name, u.c_source)
) AS v (filter, lead_status, event_type, event_id, event_local, event_name, event_source)
WHERE v.filter = 'ALL' OR v.event_id IS NOT NULL;
