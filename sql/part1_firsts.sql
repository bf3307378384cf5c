--
-- Rules 4, 5 and 6: when a purchase happened, the first of each kind, and
-- the conversion event
--
SELECT lc_test.make_sources('t_firsts');
SET search_path = t_firsts, public;
SET DateStyle = ISO;

INSERT INTO dim_branch VALUES ('b', 'B', 'UTC', '2020-01-01');
INSERT INTO dim_user
SELECT u, 'b', u, '2024-01-01' FROM unnest(ARRAY[
    'fallback', 'undated-last', 'only-undated', 'both-undated', 'm-undated',
    'tie-created', 'tie-created-null', 'tie-id', 'tie-id-case', 'tie-id-digits',
    'dup-id', 'dup-details', 'before-user', 'same-instant', 'credit-earlier',
    'fallback-across', 'lead', 'only-credit']) AS u;

INSERT INTO fct_membership_purchases VALUES
    -- rule 4: a NULL purchased_at falls back to created_at
    ('fallback', 'b', 'm-created', NULL, '2024-02-01', '{"name": "created"}'),
    ('fallback', 'b', 'm-purchased', '2024-02-02', '2024-01-01', '{"name": "purchased"}'),
    -- an undated purchase comes after every dated one
    ('undated-last', 'b', 'm-undated', NULL, NULL, '{"name": "undated"}'),
    ('undated-last', 'b', 'm-2099', '2099-12-31', '2099-12-31', '{"name": "2099"}'),
    -- but still counts
    ('only-undated', 'b', 'm-only', NULL, NULL, '{"name": "only"}'),
    ('both-undated', 'b', 'm-both', NULL, NULL, '{"name": "m"}'),
    ('m-undated', 'b', 'm-late', NULL, NULL, '{"name": "m"}'),
    -- rule 5: same time, the earlier created_at
    ('tie-created', 'b', 'm-b', '2024-03-01', '2024-03-02', '{"name": "later created"}'),
    ('tie-created', 'b', 'm-a', '2024-03-01', '2024-03-01', '{"name": "earlier created"}'),
    -- same time, a NULL created_at loses
    ('tie-created-null', 'b', 'm-a', '2024-03-01', NULL, '{"name": "no created"}'),
    ('tie-created-null', 'b', 'm-b', '2024-03-01', '2024-03-05', '{"name": "created"}'),
    -- same time and created_at: id in byte order
    ('tie-id', 'b', 'm-b', '2024-03-01', '2024-03-01', '{"name": "b"}'),
    ('tie-id', 'b', 'm-a', '2024-03-01', '2024-03-01', '{"name": "a"}'),
    ('tie-id-case', 'b', 'm-a', '2024-03-01', '2024-03-01', '{"name": "lower"}'),
    ('tie-id-case', 'b', 'm-B', '2024-03-01', '2024-03-01', '{"name": "upper"}'),
    ('tie-id-digits', 'b', '9', '2024-03-01', '2024-03-01', '{"name": "nine"}'),
    ('tie-id-digits', 'b', '10', '2024-03-01', '2024-03-01', '{"name": "ten"}'),
    -- duplicate ids collapse: the earliest copy is the purchase
    ('dup-id', 'b', 'm-dup', '2024-04-02', '2024-04-02', '{"name": "second copy"}'),
    ('dup-id', 'b', 'm-dup', '2024-04-01', '2024-04-01', '{"name": "first copy"}'),
    ('dup-id', 'b', 'm-dup', '2024-04-01', '2024-04-01', '{"name": "first copy"}'),
    -- copies equal but for details: the details first in byte order
    ('dup-details', 'b', 'm-dup', '2024-04-01', '2024-04-01', '{"name": "z"}'),
    ('dup-details', 'b', 'm-dup', '2024-04-01', '2024-04-01', NULL),
    ('dup-details', 'b', 'm-dup', '2024-04-01', '2024-04-01', '{"name": "a"}'),
    -- purchases before the user existed count normally
    ('before-user', 'b', 'm-before', '2023-06-01', '2023-06-01', '{"name": "before"}'),
    -- rule 6: a membership and a credit pack at the same instant
    ('same-instant', 'b', 'm-same', '2024-05-01 10:00', '2024-05-01 10:05', '{"name": "m"}'),
    ('credit-earlier', 'b', 'm-late', '2024-05-01 10:00:00.000001', '2024-05-01', '{"name": "m"}'),
    -- the fallback applies across kinds too
    ('fallback-across', 'b', 'm-created', NULL, '2024-05-01', '{"name": "m"}');

INSERT INTO fct_credit_pack_purchases VALUES
    ('both-undated', 'b', 'c-both', NULL, NULL, '{"name": "c"}'),
    ('m-undated', 'b', 'c-dated', '2030-01-01', '2030-01-01', '{"name": "c"}'),
    -- same instant, earlier created_at: the membership still wins
    ('same-instant', 'b', 'c-same', '2024-05-01 10:00', '2024-05-01 09:00', '{"name": "c"}'),
    ('credit-earlier', 'b', 'c-early', '2024-05-01 10:00', '2024-05-01', '{"name": "c"}'),
    ('fallback-across', 'b', 'c-later', '2024-05-02', '2024-04-01', '{"name": "c"}'),
    ('only-credit', 'b', 'c-only', '2024-06-01', '2024-06-01', '{"name": "c"}');

SELECT user_id, lead_status, client_conversion_event_type AS type,
       client_conversion_event_id AS id,
       client_conversion_event_local_created_at AS at,
       client_conversion_event_name AS name,
       first_user_membership_id AS m_id, first_credit_pack_id AS c_id
FROM leadconv_client_events()
ORDER BY user_id COLLATE "C";

-- a LEAD has every conversion and first-purchase column NULL; a CLIENT's
-- conversion columns repeat its first purchase of the winning kind
SELECT lead_status,
       count(*) FILTER (WHERE num_nonnulls(client_conversion_event_type, client_conversion_event_id,
                                           client_conversion_event_local_created_at,
                                           client_conversion_event_name, client_conversion_event_source,
                                           first_user_membership_id, first_local_membership_purchased_at,
                                           first_membership_name, first_membership_source,
                                           first_credit_pack_id, first_local_credit_pack_purchased_at,
                                           first_credit_pack_name, first_credit_pack_source) > 0) AS with_values,
       count(*) FILTER (WHERE lead_status = 'CLIENT' AND
           (client_conversion_event_id, client_conversion_event_local_created_at,
            client_conversion_event_name, client_conversion_event_source) IS DISTINCT FROM
           CASE client_conversion_event_type
               WHEN 'MEMBERSHIP' THEN (first_user_membership_id, first_local_membership_purchased_at,
                                       first_membership_name, first_membership_source)
               ELSE (first_credit_pack_id, first_local_credit_pack_purchased_at,
                     first_credit_pack_name, first_credit_pack_source) END) AS not_repeating
FROM leadconv_client_events()
GROUP BY lead_status ORDER BY lead_status;

RESET search_path;
