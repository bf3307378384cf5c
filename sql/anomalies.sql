--
-- leadconv_anomalies(): one row per dirty input row or value the rules had
-- to handle, and leadconv_anomaly_summary(): their counts
--
SELECT lc_test.make_sources('t_anomalies', details_type => 'text');
SET search_path = t_anomalies, public;
SET DateStyle = ISO;

INSERT INTO dim_branch VALUES
    ('ok', 'Clean', 'Asia/Jakarta', '2020-01-01'),
    -- a NULL branch_id: no user can have it
    (NULL, 'No id', 'Asia/Tokyo', '2020-01-01'),
    -- UTC: NULL, empty, blank, unknown
    ('null', 'Null zone', NULL, '2020-01-01'),
    ('empty', 'Empty zone', '', '2020-01-01'),
    ('blank', 'Blank zone', '   ', '2020-01-01'),
    ('mars', 'Unknown zone', 'Mars/Olympus_Mons', '2020-01-01'),
    -- zones only once trimmed or case-folded
    ('padded', 'Padded', '  Asia/Jakarta ', '2020-01-01'),
    ('case', 'Case', 'aMeRiCa/nEw_yOrK', '2020-01-01'),
    -- duplicated: the earliest valid zone wins; the others decide nothing
    ('dup1', 'Dup', 'Asia/Tokyo', '2020-01-02'),
    ('dup1', 'Dup', 'Bogus/Zone', '2020-01-01'),
    ('dup1', 'Dup', 'europe/london', '2020-01-03'),
    -- duplicated, no valid zone: its users are charged to its first row
    ('dup2', 'Dup', NULL, '2020-01-02'),
    ('dup2', 'Dup', 'Nowhere/Town', '2020-01-01'),
    -- identical rows: one gives the zone
    ('dup3', 'Twin', ' utc', '2020-01-01'),
    ('dup3', 'Twin', ' utc', '2020-01-01');

INSERT INTO dim_user VALUES
    ('u-ok', 'ok', 'clean', '2024-01-15 12:00'),
    (NULL, 'ok', 'no id', '2024-01-01'),
    -- duplicated: the earliest created_at is used; both are listed
    ('u-dup', 'mars', 'later', '2024-01-02'),
    ('u-dup', 'mars', 'earlier', '2024-01-01'),
    -- a NULL created_at loses
    ('u-dup-null', 'ok', 'undated', NULL),
    ('u-dup-null', 'ok', 'dated', '2024-03-01'),
    ('u-mars', 'mars', 'x', '2024-01-01'),
    ('u-null', 'null', 'x', '2024-01-01'),
    ('u-empty', 'empty', 'x', '2024-01-01'),
    ('u-padded', 'padded', 'x', '2024-01-01'),
    ('u-dup1', 'dup1', 'x', '2024-01-01'),
    ('u-dup2', 'dup2', 'x', '2024-01-01'),
    ('u-dup3', 'dup3', 'x', '2024-01-01'),
    -- no branch, or one dim_branch lacks
    ('u-no-branch', NULL, 'x', '2024-01-01'),
    ('u-lost-branch', 'atlantis', 'x', '2024-01-01'),
    -- implausible creation times
    ('u-1900', 'ok', 'x', '1900-04-03 03:01:49.412'),
    ('u-epoch', 'ok', 'x', '1970-01-01 00:00:00'),
    ('u-future', 'ok', 'x', '2999-01-01'),
    ('u-late', 'ok', 'x', '2024-06-01');

INSERT INTO fct_membership_purchases VALUES
    ('u-ok', 'ok', 'm-ok', '2024-02-01', '2024-02-01', '{"name": "Monthly", "source": "APP"}'),
    -- rows the report leaves out
    (NULL, 'ok', 'm-no-user', '2024-02-01', '2024-02-01', '{"name": "n", "source": "s"}'),
    ('u-ok', 'ok', NULL, '2024-02-01', '2024-02-01', '{"name": "n", "source": "s"}'),
    ('ghost', 'ok', 'm-ghost', '2024-02-01', '2024-02-01', '{"name": "n", "source": "s"}'),
    -- duplicate ids, of one user and of two
    ('u-ok', 'ok', 'm-dup', '2024-02-02', '2024-02-02', '{"name": "n", "source": "s"}'),
    ('u-ok', 'ok', 'm-dup', '2024-02-02', '2024-02-02', '{"name": "n", "source": "s"}'),
    ('u-ok', 'ok', 'm-shared', '2024-02-03', '2024-02-03', '{"name": "n", "source": "s"}'),
    ('u-late', 'ok', 'm-shared', '2024-07-03', '2024-07-03', '{"name": "n", "source": "s"}'),
    -- rule 4: dated by created_at, or not at all
    ('u-ok', 'ok', 'm-fallback', NULL, '2024-02-04 10:30', '{"name": "n", "source": "s"}'),
    ('u-ok', 'ok', 'm-undated', NULL, NULL, '{"name": "n", "source": "s"}'),
    -- before the user's creation, by rule 4's time and rule 1's row
    ('u-late', 'ok', 'm-before', '2024-05-31 23:59:59.999999', '2024-07-01', '{"name": "n", "source": "s"}'),
    ('u-late', 'ok', 'm-before-fallback', NULL, '2024-01-01', '{"name": "n", "source": "s"}'),
    ('u-dup', 'mars', 'm-dup-user', '2024-01-01 12:00', '2024-01-01 12:00', '{"name": "n", "source": "s"}'),
    -- implausible times
    ('u-epoch', 'ok', 'm-epoch', '1970-01-01', '1970-01-01', '{"name": "n", "source": "s"}'),
    ('u-1900', 'ok', 'm-1999', '1999-12-31 23:59:59.999999', '2024-01-01', '{"name": "n", "source": "s"}'),
    ('u-ok', 'ok', 'm-future', '2999-06-01', '2024-01-01', '{"name": "n", "source": "s"}'),
    -- details
    ('u-ok', 'ok', 'm-details-null', '2024-03-01', '2024-03-01', NULL),
    ('u-ok', 'ok', 'm-not-json', '2024-03-01', '2024-03-01', 'name=Monthly'),
    ('u-ok', 'ok', 'm-array', '2024-03-01', '2024-03-01', '[{"name": "n", "source": "s"}]'),
    ('u-ok', 'ok', 'm-string', '2024-03-01', '2024-03-01', '"Monthly"'),
    ('u-ok', 'ok', 'm-double', '2024-03-01', '2024-03-01', '"{\"name\": \"n\", \"source\": \"s\"}"'),
    ('u-ok', 'ok', 'm-double-no-source', '2024-03-01', '2024-03-01', '"{\"name\": \"n\"}"'),
    ('u-ok', 'ok', 'm-empty-object', '2024-03-01', '2024-03-01', '{}'),
    ('u-ok', 'ok', 'm-key-case', '2024-03-01', '2024-03-01', '{"Name": "n", "source": "s"}'),
    ('u-ok', 'ok', 'm-null-and-object', '2024-03-01', '2024-03-01', '{"name": null, "source": {"a": 1}}'),
    ('u-ok', 'ok', 'm-array-value', '2024-03-01', '2024-03-01', '{"name": ["n"], "source": "s"}'),
    ('u-ok', 'ok', 'm-nul', '2024-03-01', '2024-03-01', '{"name": "a\u0000b", "source": "s"}'),
    -- numbers and booleans are text by rule 7: clean
    ('u-ok', 'ok', 'm-number', '2024-03-01', '2024-03-01', '{"name": 12.50, "source": true}');

INSERT INTO fct_credit_pack_purchases VALUES
    ('u-ok', 'ok', 'c-ok', '2024-02-01', '2024-02-01', '{"name": "Ten", "source": "APP"}'),
    -- an id of the other table is no duplicate
    ('u-ok', 'ok', 'm-ok', '2024-02-01', '2024-02-01', '{"name": "Ten", "source": "APP"}'),
    ('u-ok', 'ok', 'c-dup', '2024-02-01', '2024-02-01', '{"name": "Ten", "source": "APP"}'),
    ('u-ok', 'ok', 'c-dup', '2024-02-02', '2024-02-02', '{"name": "Ten", "source": "APP"}'),
    (NULL, 'ok', NULL, NULL, NULL, NULL),
    ('ghost', 'ok', 'c-ghost', '2024-02-01', '2024-02-01', '{"source": "APP"}');

\pset format unaligned
\pset fieldsep ' | '
SELECT source_table, row_key, column_name, code, value, users_affected, message
FROM leadconv_anomalies()
ORDER BY source_table, code, row_key COLLATE "C", column_name, message COLLATE "C";
\pset format aligned

-- the summary counts what leadconv_anomalies() lists
SELECT * FROM leadconv_anomaly_summary() ORDER BY source_table, code;
SELECT count(*) AS differing FROM (
    (SELECT * FROM leadconv_anomaly_summary()
     EXCEPT SELECT source_table, code, count(*), sum(users_affected)
            FROM leadconv_anomalies() GROUP BY 1, 2)
    UNION ALL
    (SELECT source_table, code, count(*), sum(users_affected)
     FROM leadconv_anomalies() GROUP BY 1, 2
     EXCEPT SELECT * FROM leadconv_anomaly_summary())) d;

-- each zone's users are counted once: the users shown in UTC because of
-- their branch's zone, and those whose zone needed trimming or case-folding
SELECT code, sum(users_affected) AS users
FROM leadconv_anomalies() WHERE code LIKE 'zone%' GROUP BY code ORDER BY code;
SELECT count(*) FILTER (WHERE b.branch_id IN ('null', 'empty', 'mars', 'dup2')) AS utc_by_zone,
       count(*) FILTER (WHERE b.branch_id IN ('padded', 'case', 'dup3')) AS by_folded_zone
FROM leadconv_client_events() e JOIN (SELECT DISTINCT branch_id FROM dim_branch) b USING (branch_id);

-- the row rule 1 uses is the one the report shows
SELECT e.user_id, e.local_user_created_at, a.message
FROM leadconv_anomalies() a
JOIN leadconv_client_events() e ON a.row_key = 'user_id=' || quote_literal(e.user_id)
WHERE a.code = 'user_duplicate' AND a.message LIKE '%is the one rule 1 uses'
ORDER BY e.user_id;

-- the rows the report leaves out are those listed as left out
SELECT a.code, count(*) AS rows_left_out
FROM leadconv_anomalies() a
WHERE a.message LIKE '%not in the report%'
GROUP BY a.code ORDER BY a.code;

-- neither TimeZone nor DateStyle changes a row: times are shown in UTC and
-- ISO style, and compared as instants
CREATE TEMP TABLE under_utc AS SELECT * FROM leadconv_anomalies();
SET TimeZone = 'Pacific/Chatham';
SET DateStyle = 'SQL, DMY';
SELECT count(*) AS differing_rows FROM (
    (SELECT * FROM leadconv_anomalies() EXCEPT SELECT * FROM under_utc)
    UNION ALL
    (SELECT * FROM under_utc EXCEPT SELECT * FROM leadconv_anomalies())) d;
RESET DateStyle;
RESET TimeZone;

-- other column types give the same anomalies: jsonb details (which cannot
-- hold text that is not JSON, nor \u0000), timestamptz and date times;
-- values print in UTC and ISO style whatever the session's settings
CREATE FUNCTION lc_test.copy_anomalies(s text, time_type text, details_type text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text := CASE time_type WHEN 'timestamptz' THEN '(%1$s AT TIME ZONE ''UTC'')'
                             ELSE '%1$s::' || time_type END;
BEGIN
    PERFORM lc_test.make_sources(s, 'text', time_type, details_type);
    EXECUTE format('INSERT INTO %I.dim_branch SELECT branch_id, name, timezone_id, %s FROM t_anomalies.dim_branch',
                   s, format(t, 'created_at'));
    EXECUTE format('INSERT INTO %I.dim_user SELECT user_id, branch_id, name, %s FROM t_anomalies.dim_user',
                   s, format(t, 'created_at'));
    EXECUTE format('INSERT INTO %I.fct_membership_purchases SELECT user_id, branch_id, membership_id, %s, %s, membership_purchase_details::%s FROM t_anomalies.fct_membership_purchases WHERE membership_id IS DISTINCT FROM ''m-not-json'' AND membership_id IS DISTINCT FROM ''m-nul''',
                   s, format(t, 'membership_purchased_at'), format(t, 'created_at'), details_type);
    EXECUTE format('INSERT INTO %I.fct_credit_pack_purchases SELECT user_id, branch_id, credit_pack_id, %s, %s, credit_pack_purchase_details::%s FROM t_anomalies.fct_credit_pack_purchases',
                   s, format(t, 'credit_pack_purchased_at'), format(t, 'created_at'), details_type);
END $$;
SELECT lc_test.copy_anomalies('t_anomalies_tz', 'timestamptz', 'jsonb');
SELECT lc_test.copy_anomalies('t_anomalies_date', 'date', 'json');
SET TimeZone = 'Asia/Kathmandu';
SET search_path = t_anomalies_tz, public;
CREATE TEMP TABLE under_tz AS SELECT * FROM leadconv_anomalies();
SET search_path = t_anomalies_date, public;
CREATE TEMP TABLE under_date AS SELECT * FROM leadconv_anomalies();
RESET TimeZone;
SELECT 'timestamptz, jsonb' AS types, count(*) AS differing_rows FROM (
    (SELECT source_table, row_key, column_name, code, users_affected FROM under_tz
     EXCEPT SELECT source_table, row_key, column_name, code, users_affected FROM under_utc)
    UNION ALL
    (SELECT source_table, row_key, column_name, code, users_affected FROM under_utc
     WHERE row_key NOT LIKE '%''m-not-json''' AND row_key NOT LIKE '%''m-nul'''
     EXCEPT SELECT source_table, row_key, column_name, code, users_affected FROM under_tz)) d;
SELECT row_key, code, value FROM under_tz
WHERE code IN ('time_at_epoch', 'details_double_encoded', 'details_name_not_text')
ORDER BY row_key COLLATE "C", code;
-- dates lose the times of day: different rows are before their users, and
-- the time columns print as dates
SELECT code, row_key, column_name, value FROM under_date
WHERE code LIKE 'purchase_before_user' OR code LIKE 'time%'
   OR code = 'purchase_dated_by_created_at'
ORDER BY code, row_key COLLATE "C", column_name;

-- leadconv.source_schema names the sources as for the report
SET search_path = public;
SET leadconv.source_schema = 't_anomalies';
SELECT count(*) = (SELECT count(*) FROM under_utc) AS same_rows FROM leadconv_anomalies();
RESET leadconv.source_schema;
-- and missing sources are the report's errors
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_anomaly_summary()');

-- clean sources have no anomaly
SELECT lc_test.make_sources('t_anomalies_clean');
SET search_path = t_anomalies_clean, public;
INSERT INTO dim_branch VALUES ('b', 'B', 'Europe/Lisbon', '2020-01-01');
INSERT INTO dim_user VALUES ('u', 'b', 'u', '2024-01-01');
INSERT INTO fct_membership_purchases VALUES
    ('u', 'b', 'm', '2024-02-01', '2024-02-01', '{"name": "Monthly", "source": "APP"}');
SELECT count(*) AS anomalies FROM leadconv_anomalies();
SELECT count(*) AS summary_rows FROM leadconv_anomaly_summary();

-- the codes, each with its tables and what it means, listed once
SELECT * FROM leadconv_anomaly_codes();
-- every code found above is one of them
SELECT count(*) AS unknown_codes FROM under_utc
WHERE code NOT IN (SELECT code FROM leadconv_anomaly_codes());

-- dim_branch is read twice: a view that gives other rows the second time
-- (here, a new branch_id at each read) is an error, not a crash
ALTER TABLE dim_branch RENAME TO branch_rows;
CREATE SEQUENCE branch_reads;
CREATE VIEW dim_branch AS
SELECT 'b' || nextval('branch_reads') AS branch_id, 'Europe/Lisbon' AS timezone_id,
       timestamp '2020-01-01' AS created_at;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_anomalies()');

RESET search_path;
