--
-- Rule 8: implausible values are reported as they are
--
SELECT lc_test.make_sources('t_values');
SET search_path = t_values, public;
SET DateStyle = ISO;

INSERT INTO dim_branch VALUES ('b', 'B', 'Asia/Jakarta', '2020-01-01');
INSERT INTO dim_user VALUES
    ('in-1900', 'b', 'x', '1900-04-03 03:01:49.412'),
    ('at-epoch', 'b', 'x', '1970-01-01 00:00:00'),
    ('in-future', 'b', 'x', '2999-01-01 00:00:00'),
    ('after-purchase', 'b', 'x', '2024-06-01 00:00:00');
INSERT INTO fct_membership_purchases VALUES
    ('after-purchase', 'b', 'm-early', '2024-01-01 00:00', '2024-01-01 00:00', NULL),
    ('in-1900', 'b', 'm-1900', '1901-01-01 00:00', NULL, NULL);

-- times are shown, in local time, never altered or dropped
SELECT user_id, local_user_created_at, lead_status, first_local_membership_purchased_at
FROM leadconv_client_events() ORDER BY user_id;

RESET search_path;
