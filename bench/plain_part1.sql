-- bench/plain_part1.sql: Part 1 (leadconv_client_events()) in plain SQL, as
-- fast as we could make one statement, for `make bench` to race against.
--
-- The first purchase of each kind per user by DISTINCT ON, sorting only
-- what the choice needs (byte order: COLLATE "C"); zones and JSON only for
-- the rows that survive.  Equal to leadconv_client_events() on the data of
-- bench/generate.sql (EXCEPT ALL both ways is empty); it leaves out what
-- that data never has: duplicate user_ids or branch_ids, duplicate purchase
-- ids, details that are JSON strings holding an object, or nested values.
SELECT u.user_id,
       u.branch_id,
       (u.created_at AT TIME ZONE 'UTC') AT TIME ZONE u.zone AS local_user_created_at,
       CASE WHEN u.m_id IS NULL AND u.c_id IS NULL THEN 'LEAD' ELSE 'CLIENT' END AS lead_status,
       CASE WHEN u.m_first THEN 'MEMBERSHIP' WHEN u.c_id IS NOT NULL THEN 'USER_CREDIT' END
           AS client_conversion_event_type,
       CASE WHEN u.m_first THEN u.m_id ELSE u.c_id END AS client_conversion_event_id,
       CASE WHEN u.m_first THEN u.m_local ELSE u.c_local END
           AS client_conversion_event_local_created_at,
       CASE WHEN u.m_first THEN u.m_name ELSE u.c_name END AS client_conversion_event_name,
       CASE WHEN u.m_first THEN u.m_source ELSE u.c_source END AS client_conversion_event_source,
       u.m_id AS first_user_membership_id,
       u.m_local AS first_local_membership_purchased_at,
       u.m_name AS first_membership_name,
       u.m_source AS first_membership_source,
       u.c_id AS first_credit_pack_id,
       u.c_local AS first_local_credit_pack_purchased_at,
       u.c_name AS first_credit_pack_name,
       u.c_source AS first_credit_pack_source
FROM (
    SELECT u.user_id, u.branch_id, u.created_at, coalesce(z.zone, 'UTC') AS zone,
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
) AS u;
