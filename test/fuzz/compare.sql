--
-- Differential fuzzing of leadconv, part 3: one seed, C against reference.
--
-- lc_fuzz.check_seed(seed, users, low_mem) generates the seed's data set
-- (generate.sql), computes the reference (reference.sql), then runs
-- leadconv_client_events() and leadconv_lead_conversions(NULL, false/true)
--   A. finding the sources through search_path, behind "$user", a missing
--      schema and a schema that holds only some look-alike tables;
--   B. with leadconv.source_schema set and search_path pointing at a
--      complete look-alike schema with other data;
-- each under a random session TimeZone, DateStyle and IntervalStyle, and
-- (low_mem) with leadconv.work_mem = 1MB and statistics, so that parallel
-- workers share the parts.  Also one filter and
-- leadconv_client_events_for() on a few users.  Every result is compared
-- with the reference row for row (EXCEPT ALL both ways).
-- Returns NULL when all agree, else a report: the differing rows both ways.
-- The data schema is dropped when all agree and kept otherwise.
--
-- Needs the extension leadconv (in any schema).
--

CREATE SCHEMA IF NOT EXISTS lc_fuzz;

-- Look-alike schemas, created once.
DO $$
BEGIN
    IF to_regnamespace('lc_fuzz_decoy_part') IS NULL THEN
        -- an incomplete set of sources: never to be used
        CREATE SCHEMA lc_fuzz_decoy_part;
        CREATE TABLE lc_fuzz_decoy_part.dim_user (user_id text, branch_id text, created_at timestamp);
        CREATE TABLE lc_fuzz_decoy_part.fct_membership_purchases (
            user_id text, membership_id text, membership_purchased_at timestamp,
            created_at timestamp, membership_purchase_details json);
        INSERT INTO lc_fuzz_decoy_part.dim_user VALUES ('decoy-part-user', NULL, '2020-01-01');
        INSERT INTO lc_fuzz_decoy_part.fct_membership_purchases
            VALUES ('u1', 'decoy-part-m', '1900-01-01', '1900-01-01', '{"name": "decoy"}');
    END IF;
    IF to_regnamespace('lc_fuzz_decoy_full') IS NULL THEN
        -- a complete set with other data: used only when nothing else says
        CREATE SCHEMA lc_fuzz_decoy_full;
        CREATE TABLE lc_fuzz_decoy_full.dim_branch (branch_id text, timezone_id text, created_at timestamp);
        CREATE TABLE lc_fuzz_decoy_full.dim_user (user_id text, branch_id text, created_at timestamp);
        CREATE TABLE lc_fuzz_decoy_full.fct_membership_purchases (
            user_id text, membership_id text, membership_purchased_at timestamp,
            created_at timestamp, membership_purchase_details json);
        CREATE TABLE lc_fuzz_decoy_full.fct_credit_pack_purchases (
            user_id text, credit_pack_id text, credit_pack_purchased_at timestamp,
            created_at timestamp, credit_pack_purchase_details json);
        INSERT INTO lc_fuzz_decoy_full.dim_user VALUES ('decoy-full-user', NULL, '2020-01-01'),
                                                       ('u1', NULL, '2020-01-01');
        INSERT INTO lc_fuzz_decoy_full.fct_membership_purchases
            VALUES ('u1', 'decoy-full-m', '1900-01-01', '1900-01-01', '{"name": "decoy"}');
    END IF;
END $$;

-- The rows of table a that are not in table b (EXCEPT ALL), both ways:
-- '' when none, else a report with at most lim rows each way.
CREATE OR REPLACE FUNCTION lc_fuzz.diff(label text, got text, want text, lim int DEFAULT 5)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    n_extra bigint;
    n_missing bigint;
    extra text;
    missing text;
BEGIN
    EXECUTE format('SELECT count(*), string_agg(r, E''\n'') FILTER (WHERE n <= %s)
                    FROM (SELECT x::text AS r, row_number() OVER () AS n
                          FROM (SELECT * FROM %I EXCEPT ALL SELECT * FROM %I) x) y',
                   lim, got, want) INTO n_extra, extra;
    EXECUTE format('SELECT count(*), string_agg(r, E''\n'') FILTER (WHERE n <= %s)
                    FROM (SELECT x::text AS r, row_number() OVER () AS n
                          FROM (SELECT * FROM %I EXCEPT ALL SELECT * FROM %I) x) y',
                   lim, want, got) INTO n_missing, missing;
    IF n_extra = 0 AND n_missing = 0 THEN
        RETURN '';
    END IF;
    RETURN format(E'%s: %s row(s) from leadconv not in the reference, %s reference row(s) not from leadconv\n'
                  '  leadconv only:\n%s\n  reference only:\n%s\n',
                  label, n_extra, n_missing,
                  coalesce(regexp_replace(extra, '^', '    ', 'gn'), '    -'),
                  coalesce(regexp_replace(missing, '^', '    ', 'gn'), '    -'));
END $$;

-- Run sql into the temp table tab (made on first use, emptied after);
-- an error becomes a report.
CREATE OR REPLACE FUNCTION lc_fuzz.capture(tab text, sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    state text;
    msg text;
BEGIN
    IF to_regclass('pg_temp.' || quote_ident(tab)) IS NULL THEN
        EXECUTE format('CREATE TEMP TABLE %I AS %s WITH NO DATA', tab, sql);
    END IF;
    EXECUTE format('DELETE FROM pg_temp.%I', tab);
    EXECUTE format('INSERT INTO pg_temp.%I %s', tab, sql);
    RETURN '';
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
    RETURN format(E'%s: ERROR %s: %s\n', sql, state, msg);
END $$;

CREATE OR REPLACE FUNCTION lc_fuzz.check_seed(
    p_seed int,
    p_users int DEFAULT NULL,         -- NULL: the generator's random size
    p_low_mem boolean DEFAULT false)  -- leadconv.work_mem = 1MB
RETURNS TABLE (seed int, summary text, report text)
LANGUAGE plpgsql
SET client_min_messages = warning
AS $$
DECLARE
    s text;
    -- MET, a zone named like an abbreviation, where the tz database has it
    -- (Debian 13 and later ship it only in tzdata-legacy)
    zones text[] := ARRAY['UTC', 'America/New_York', 'Asia/Kathmandu', 'Pacific/Chatham',
                          'Australia/Lord_Howe', 'Europe/London', 'America/St_Johns', 'Etc/GMT-14',
                          'Asia/Tehran',
                          (SELECT coalesce(min(name), 'Europe/Brussels')
                           FROM pg_timezone_names WHERE name = 'MET'),
                          'EST5EDT', 'UTC+3', '-08:30', 'Pacific/Kiritimati'];
    rep text := '';
    f text;
    lif boolean;
    ids text[];
    mode text;
    ext text;
    tab text;
BEGIN
    SELECT quote_ident(n.nspname) INTO STRICT ext
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'leadconv';
    seed := p_seed;
    -- a schema name that needs quoting on some seeds
    s := CASE WHEN p_seed % 3 = 0 THEN format('Fz %s "q".x', p_seed) ELSE 'fz_' || p_seed END;
    summary := lc_fuzz.generate(p_seed, s, p_users);   -- also seeds random()
    IF p_low_mem THEN
        -- statistics, so that the calls share their parts with parallel
        -- workers, as on a real database (a view's estimate stays 0)
        FOR tab IN SELECT format('%I.%I', n.nspname, c.relname)
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = s AND c.relkind IN ('r', 'p') LOOP
            EXECUTE 'ANALYZE ' || tab;
        END LOOP;
    END IF;

    -- the reference, under a session zone of its own
    PERFORM set_config('TimeZone', lc_fuzz.pick(zones), true);
    PERFORM set_config('search_path', 'pg_catalog', true);
    rep := rep || lc_fuzz.capture('lcf_ref1', format('SELECT * FROM lc_fuzz.ref_client_events(%L)', s));
    rep := rep || lc_fuzz.capture('lcf_ref2f', 'SELECT * FROM lc_fuzz.ref_part2(''pg_temp.lcf_ref1'', false)');
    rep := rep || lc_fuzz.capture('lcf_ref2t', 'SELECT * FROM lc_fuzz.ref_part2(''pg_temp.lcf_ref1'', true)');
    IF rep <> '' THEN
        report := 'the REFERENCE failed: ' || rep;
        RETURN NEXT;
        RETURN;
    END IF;

    FOREACH mode IN ARRAY ARRAY['search_path', 'source_schema'] LOOP
        PERFORM set_config('TimeZone', lc_fuzz.pick(zones), true);
        PERFORM set_config('DateStyle', lc_fuzz.pick(ARRAY['ISO, MDY', 'SQL, DMY', 'Postgres, YMD', 'German']), true);
        PERFORM set_config('IntervalStyle', lc_fuzz.pick(ARRAY['postgres', 'sql_standard', 'iso_8601']), true);
        PERFORM set_config('leadconv.work_mem', CASE WHEN p_low_mem THEN '1MB' ELSE '128MB' END, true);
        IF mode = 'search_path' THEN
            PERFORM set_config('leadconv.source_schema', '', true);
            PERFORM set_config('search_path',
                format('"$user", lc_fuzz_no_such_schema, lc_fuzz_decoy_part, %I, %s', s, ext), true);
        ELSE
            PERFORM set_config('leadconv.source_schema', s, true);
            PERFORM set_config('search_path', 'lc_fuzz_decoy_full, ' || ext, true);
        END IF;

        rep := rep || lc_fuzz.capture('lcf_c1', format('SELECT * FROM %s.leadconv_client_events()', ext));
        rep := rep || lc_fuzz.capture('lcf_c2f', format('SELECT * FROM %s.leadconv_lead_conversions(NULL, false)', ext));
        rep := rep || lc_fuzz.capture('lcf_c2t', format('SELECT * FROM %s.leadconv_lead_conversions(NULL, true)', ext));
        IF mode = 'search_path' THEN
            -- one filter, spelled loosely; Part 1 of a few users
            f := lc_fuzz.pick(ARRAY['MEMBERSHIP', ' membership', 'User_Credit  ', 'all', 'ALL']);
            lif := lc_fuzz.chance(0.5);
            rep := rep || lc_fuzz.capture('lcf_c2x',
                format('SELECT * FROM %s.leadconv_lead_conversions(%L, %L)', ext, f, lif));
            rep := rep || lc_fuzz.capture('lcf_ref2x',
                format('SELECT * FROM %I WHERE client_conversion_event_filter = %L',
                       CASE WHEN lif THEN 'lcf_ref2t' ELSE 'lcf_ref2f' END, upper(btrim(f))));
            SELECT coalesce(array_agg(user_id), '{}') || ARRAY['no such user'] INTO ids
            FROM (SELECT user_id FROM lcf_ref1 ORDER BY md5(p_seed || ':' || user_id) LIMIT 8) x;
            rep := rep || lc_fuzz.capture('lcf_c1x',
                format('SELECT * FROM %s.leadconv_client_events_for(%L)', ext, ids));
            rep := rep || lc_fuzz.capture('lcf_ref1x',
                format('SELECT * FROM lcf_ref1 WHERE user_id = ANY (%L)', ids));
        END IF;
        PERFORM set_config('DateStyle', 'ISO, YMD', true);
        PERFORM set_config('IntervalStyle', 'postgres', true);
        IF rep <> '' THEN
            report := format('[%s, TimeZone %s] ', mode, current_setting('TimeZone')) || rep;
            RETURN NEXT;
            RETURN;
        END IF;
        rep := rep || lc_fuzz.diff('leadconv_client_events()', 'lcf_c1', 'lcf_ref1')
                   || lc_fuzz.diff('leadconv_lead_conversions(NULL, false)', 'lcf_c2f', 'lcf_ref2f')
                   || lc_fuzz.diff('leadconv_lead_conversions(NULL, true)', 'lcf_c2t', 'lcf_ref2t');
        IF mode = 'search_path' THEN
            rep := rep || lc_fuzz.diff(format('leadconv_lead_conversions(%L, %s)', f, lif), 'lcf_c2x', 'lcf_ref2x')
                       || lc_fuzz.diff(format('leadconv_client_events_for(%L)', ids), 'lcf_c1x', 'lcf_ref1x');
        END IF;
        IF rep <> '' THEN
            report := format('[%s, TimeZone %s] ', mode, current_setting('TimeZone')) || rep;
            RETURN NEXT;
            RETURN;
        END IF;
    END LOOP;

    EXECUTE format('DROP SCHEMA %I CASCADE', s);
    RETURN NEXT;
END $$;
