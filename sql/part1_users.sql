--
-- Rule 1: who is in the report; duplicate users; orphan purchases
--
SELECT lc_test.make_sources('t_users');
SET search_path = t_users, public;
SET DateStyle = ISO;

INSERT INTO dim_branch VALUES
    ('b1', 'One', 'UTC', '2020-01-01'),
    ('b2', 'Two', 'UTC', '2020-01-01'),
    ('B1', 'Upper', 'UTC', '2020-01-01'),
    ('a1', 'Lower', 'UTC', '2020-01-01'),
    ('b9', 'Nine', 'UTC', '2020-01-01');

INSERT INTO dim_user VALUES
    -- earliest created_at wins
    ('u1', 'b2', 'later', '2024-01-02 00:00'),
    ('u1', 'b1', 'earlier', '2024-01-01 00:00'),
    -- a NULL created_at loses to any date
    ('u2', 'b1', 'undated', NULL),
    ('u2', 'b2', 'dated', '2024-01-05 00:00'),
    -- same created_at: lowest branch_id in byte order ('B' < 'a')
    ('u3', 'a1', 'a', '2024-01-03 00:00'),
    ('u3', 'B1', 'B', '2024-01-03 00:00'),
    -- same created_at: a NULL branch_id loses
    ('u4', NULL, 'no branch', '2024-01-04 00:00'),
    ('u4', 'b9', 'b9', '2024-01-04 00:00'),
    -- both undated: the branch decides
    ('u5', 'b2', 'x', NULL),
    ('u5', 'b1', 'y', NULL),
    -- exact duplicates are one user
    ('u6', 'b1', 'twin', '2024-01-06 00:00'),
    ('u6', 'b1', 'twin', '2024-01-06 00:00'),
    -- a NULL user_id is nobody
    (NULL, 'b1', 'nobody', '2024-01-07 00:00'),
    -- an empty id is an id
    ('', 'b1', 'empty id', '2024-01-08 00:00');

INSERT INTO fct_membership_purchases VALUES
    -- a purchase of a user not in dim_user is not in the report
    ('ghost', 'b1', 'm-ghost', '2024-02-01', '2024-02-01', '{"name": "G", "source": "S"}'),
    -- nor one with a NULL user_id
    (NULL, 'b1', 'm-null-user', '2024-02-01', '2024-02-01', '{"name": "N", "source": "S"}'),
    -- nor one with a NULL id: u5 stays a LEAD
    ('u5', 'b1', NULL, '2024-02-01', '2024-02-01', '{"name": "no id", "source": "S"}'),
    ('u1', 'b1', 'm1', '2024-02-01', '2024-02-01', '{"name": "Monthly", "source": "APP"}'),
    ('', 'b1', 'm-empty', '2024-02-02', '2024-02-02', '{"name": "E", "source": "S"}');

INSERT INTO fct_credit_pack_purchases VALUES
    ('ghost', 'b1', 'c-ghost', '2024-01-01', '2024-01-01', '{"name": "G", "source": "S"}'),
    ('u5', 'b1', NULL, '2024-01-01', '2024-01-01', '{"name": "no id", "source": "S"}');

-- one row per distinct non-NULL user_id
SELECT user_id, branch_id, local_user_created_at, lead_status,
       client_conversion_event_type, client_conversion_event_id
FROM leadconv_client_events()
ORDER BY user_id COLLATE "C";

SELECT count(*) AS rows, count(DISTINCT user_id) AS users
FROM leadconv_client_events();

-- no purchase of an unknown user, a NULL user or with a NULL id is used
SELECT count(*) AS orphans_used
FROM leadconv_client_events()
WHERE client_conversion_event_id IN ('m-ghost', 'm-null-user', 'c-ghost')
   OR client_conversion_event_name = 'no id';

RESET search_path;
