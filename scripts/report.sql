-- The report's queries, as temporary views: the CSV files, the terminal
-- summary and the HTML page all read these (scripts/report.sh), so every
-- figure has one definition.  They read only the facts and leadconv's views
-- and functions.  Expects leadconv's schema on search_path.

-- The facts as they are, in the SPEC's byte order.
CREATE TEMP VIEW report_part1 AS
    SELECT * FROM leadconv_fct_client_conversion_events ORDER BY user_id COLLATE "C";
CREATE TEMP VIEW report_part2 AS
    SELECT * FROM leadconv_fct_lead_conversions
    ORDER BY user_id COLLATE "C", client_conversion_event_filter;
CREATE TEMP VIEW report_anomalies AS
    SELECT * FROM leadconv_anomalies();

-- The data-quality summary: anomalies per source table and code.  Kept,
-- not a view: it reads every source row, and the page needs it often.
CREATE TEMP TABLE report_quality AS
    SELECT * FROM leadconv_anomaly_summary();

-- Headline: every user once, any purchase converts (the ALL filter).
CREATE TEMP VIEW report_headline AS
    SELECT count(*) AS users,
           count(*) FILTER (WHERE lead_status = 'LEAD') AS leads,
           count(*) FILTER (WHERE lead_status = 'CLIENT') AS clients,
           round(count(*) FILTER (WHERE lead_status = 'CLIENT')::numeric
                 / nullif(count(*), 0), 4) AS conversion_rate,
           count(*) FILTER (WHERE client_conversion_event_type = 'MEMBERSHIP') AS clients_by_membership,
           count(*) FILTER (WHERE client_conversion_event_type = 'USER_CREDIT') AS clients_by_user_credit,
           count(DISTINCT branch_id) + (bool_or(branch_id IS NULL) IS TRUE)::int AS branches,
           (SELECT coalesce(sum(anomalies), 0) FROM report_quality) AS anomalies
    FROM leadconv_fct_client_conversion_events;

-- Every branch under every filter (leads counted under each), and whether
-- the filter is the branch's own policy.  Kept, not a view: it reads every
-- user three times, and the branches' figures below all come from it.
CREATE TEMP TABLE report_rates AS
    SELECT branch_id, conversion_filter, is_branch_policy, users, leads, clients,
           conversion_rate, median_days_to_convert, p90_days_to_convert
    FROM leadconv_conversion_rates
    ORDER BY branch_id NULLS LAST,
             array_position(ARRAY['MEMBERSHIP', 'USER_CREDIT', 'ALL'], conversion_filter::text);

-- Each branch under its own policy, best converting first, then all branches
-- together (a median of medians means nothing, so none there).
CREATE TEMP VIEW report_branches AS
    SELECT branch, policy, users, leads, clients, conversion_rate, median_days, p90_days
    FROM (
        SELECT coalesce(branch_id, '(no branch)') AS branch, conversion_filter AS policy,
               users, leads, clients, conversion_rate,
               median_days_to_convert AS median_days, p90_days_to_convert AS p90_days,
               branch_id, false AS total
        FROM report_rates
        WHERE is_branch_policy
        UNION ALL
        SELECT 'all branches', NULL, sum(users), sum(leads), sum(clients),
               round(sum(clients) / sum(users), 4), NULL, NULL, NULL, true
        FROM report_rates
        WHERE is_branch_policy
        HAVING count(*) > 0) b
    ORDER BY total, conversion_rate DESC, users DESC, branch;

-- What the terminal and the page show of them: the 30 branches with the
-- most users, in the same order, and the total.
CREATE TEMP VIEW report_branches_shown AS
    SELECT * FROM (
        SELECT * FROM (SELECT * FROM report_branches WHERE policy IS NOT NULL
                       ORDER BY users DESC, branch LIMIT 30) b
        ORDER BY conversion_rate DESC, users DESC, branch) b
    UNION ALL
    SELECT * FROM report_branches WHERE policy IS NULL;

-- Those branches in the same order, a column per filter: the chart of rates
-- under each filter.
CREATE TEMP VIEW report_rates_by_filter AS
    SELECT coalesce(branch_id, '(no branch)') AS branch,
           max(conversion_filter) FILTER (WHERE is_branch_policy) AS policy,
           max(conversion_rate) FILTER (WHERE conversion_filter = 'MEMBERSHIP') AS membership_rate,
           max(conversion_rate) FILTER (WHERE conversion_filter = 'USER_CREDIT') AS user_credit_rate,
           max(conversion_rate) FILTER (WHERE conversion_filter = 'ALL') AS all_rate,
           max(users) AS users
    FROM report_rates
    WHERE coalesce(branch_id, '(no branch)') IN (SELECT branch FROM report_branches_shown)
    GROUP BY branch_id
    ORDER BY max(conversion_rate) FILTER (WHERE is_branch_policy) DESC, max(users) DESC,
             coalesce(branch_id, '(no branch)');

-- Days from sign-up to conversion of each client, by the type of their first
-- purchase; the same span as leadconv_conversion_rates measures.
CREATE TEMP VIEW report_spans AS
    SELECT client_conversion_event_type AS conversion_type,
           CASE WHEN isfinite(local_user_created_at) AND isfinite(client_conversion_event_local_created_at)
                THEN extract(epoch FROM client_conversion_event_local_created_at - local_user_created_at)
                     / 86400
           END::float8 AS days
    FROM leadconv_fct_client_conversion_events
    WHERE lead_status = 'CLIENT';

-- Per type: its median and 90th percentile, leaving out (as the views do)
-- spans that are negative (bought before signing up) or undated.
CREATE TEMP VIEW report_days AS
    SELECT conversion_type,
           count(*) AS clients,
           count(*) FILTER (WHERE days >= 0) AS spans_counted,
           count(*) FILTER (WHERE days < 0) AS converted_before_signup,
           count(*) FILTER (WHERE days IS NULL) AS undated,
           round(percentile_cont(0.5) WITHIN GROUP (ORDER BY days)
                 FILTER (WHERE days >= 0)::numeric, 1) AS median_days,
           round(percentile_cont(0.9) WITHIN GROUP (ORDER BY days)
                 FILTER (WHERE days >= 0)::numeric, 1) AS p90_days
    FROM report_spans
    GROUP BY conversion_type
    ORDER BY conversion_type;

-- The histogram: bins of a round width (a day, a week, ... a year), at most
-- 15 of them up to half as far again as the 90th percentile of all spans
-- (a few users created in 1900 must not squash the rest into one bin); the
-- last bin holds everything longer (days_to NULL).
CREATE TEMP VIEW report_days_histogram AS
    WITH counted AS (SELECT * FROM report_spans WHERE days >= 0),
    width AS (
        SELECT w, ceil(upto / w)::int AS last_bin
        FROM (SELECT greatest(1.5 * percentile_cont(0.9) WITHIN GROUP (ORDER BY days), 1) AS upto
              FROM counted) l,
             LATERAL (SELECT coalesce(min(c) FILTER (WHERE upto / c <= 15),
                                      365 * ceil(upto / 365 / 15))::int AS w
                      FROM unnest(ARRAY[1, 7, 14, 30, 60, 90, 180, 365]) c) s),
    binned AS (
        SELECT conversion_type, least(floor(days / w)::int, last_bin) AS bin, count(*) AS clients
        FROM counted, width
        GROUP BY 1, 2)
    SELECT t.conversion_type, i AS bin, i * w AS days_from,
           CASE WHEN i < last_bin THEN (i + 1) * w END AS days_to,
           coalesce(b.clients, 0) AS clients
    FROM width
    CROSS JOIN generate_series(0, last_bin) i
    CROSS JOIN (SELECT DISTINCT conversion_type FROM counted) t
    LEFT JOIN binned b ON b.conversion_type = t.conversion_type AND b.bin = i
    ORDER BY 1, 2;

-- Conversions per local month of the converting purchase, by type; undated
-- ones under a NULL month.
CREATE TEMP VIEW report_months AS
    SELECT CASE WHEN isfinite(client_conversion_event_local_created_at)
                THEN to_char(client_conversion_event_local_created_at, 'YYYY-MM')
                ELSE client_conversion_event_local_created_at::text END AS local_month,
           count(*) FILTER (WHERE client_conversion_event_type = 'MEMBERSHIP') AS membership,
           count(*) FILTER (WHERE client_conversion_event_type = 'USER_CREDIT') AS user_credit,
           count(*) AS conversions
    FROM leadconv_fct_client_conversion_events
    WHERE lead_status = 'CLIENT'
    GROUP BY 1
    ORDER BY 1 NULLS LAST;

-- The chart's months: up to 36 in a row, ending with the last month with a
-- conversion that is not in the future, empty months included.
CREATE TEMP VIEW report_months_chart AS
    WITH dated AS (
        SELECT to_date(local_month, 'YYYY-MM') AS month, membership, user_credit
        FROM report_months
        WHERE local_month ~ '^\d{4}-\d{2}$'),
    last AS (
        SELECT coalesce(max(month) FILTER (WHERE month <= localtimestamp), max(month)) AS last
        FROM dated)
    SELECT to_char(g, 'YYYY-MM') AS local_month,
           coalesce(d.membership, 0) AS membership, coalesce(d.user_credit, 0) AS user_credit
    FROM last,
         generate_series(greatest(last - interval '35 months', (SELECT min(month) FROM dated)),
                         last, interval '1 month') g
    LEFT JOIN dated d ON d.month = g
    ORDER BY g;

-- When and from what the facts were computed.
CREATE TEMP VIEW report_status AS
    SELECT current_database() AS database, s.source_schema, e.extversion AS leadconv_version,
           s.last_refresh_started, s.last_refresh_ended, s.last_refresh_method,
           s.last_refresh_users_changed, s.auto_refresh, s.last_maintained
    FROM leadconv_facts_status s, pg_extension e
    WHERE e.extname = 'leadconv';

-- Every figure of the page, as JSON that the page carries for machines.
CREATE TEMP VIEW report_figures AS
    SELECT json_build_object(
        'headline', (SELECT row_to_json(h) FROM report_headline h),
        'branches', (SELECT coalesce(json_agg(b), '[]') FROM report_branches_shown b),
        'rates', (SELECT coalesce(json_agg(r), '[]') FROM report_rates_by_filter r),
        'days', (SELECT coalesce(json_agg(d), '[]') FROM report_days d),
        'days_histogram', (SELECT coalesce(json_agg(d), '[]') FROM report_days_histogram d),
        'months', (SELECT coalesce(json_agg(m), '[]') FROM report_months m),
        'quality', (SELECT coalesce(json_agg(q), '[]') FROM report_quality q),
        'status', (SELECT row_to_json(s) FROM report_status s)) AS figures;
