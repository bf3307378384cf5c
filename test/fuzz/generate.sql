--
-- Differential fuzzing of leadconv, part 1: the generator.
--
-- lc_fuzz.generate(seed, schema, users) creates the four source tables of the
-- brief (with their extra columns: names, emails, branch_id of purchases) in a
-- fresh schema and fills them with a random, deliberately dirty data set.
-- The same seed gives the same tables and rows, whatever the session's
-- TimeZone, DateStyle or search_path (all values are built as UTC wall-clock
-- timestamps and text, then cast into the column types chosen for the seed).
--
-- Column types, chosen per seed and per column among what SPEC allows:
--   ids      varchar, varchar(n), text, char(n) (read without its padding),
--            and uuid on "uuid seeds" (every id
--            value of such a seed, in any column, is then a valid uuid input:
--            canonical, upper case, braces or no hyphens)
--   times    timestamp, timestamptz, date (also with a precision, e.g. (0))
--   details  json, jsonb, text
-- Sometimes the columns come in another order, or a dropped column sits
-- among them.
--
-- Zones: names that are also time zone abbreviations (MET, CET, EST, ...)
-- ARE generated; the reference reads them through the 'posix/' copy of the
-- zone file (see reference.sql), because SQL's AT TIME ZONE 'MET' would use
-- the abbreviation.
--
-- Years stay within 1900..2100: no infinity or out-of-range corner.
--

CREATE SCHEMA IF NOT EXISTS lc_fuzz;

-- random helpers (all draw from random(), so setseed() makes them repeatable)
CREATE OR REPLACE FUNCTION lc_fuzz.pick(a anyarray) RETURNS anyelement
LANGUAGE sql VOLATILE AS $$
    SELECT a[array_lower(a, 1) + floor(random() * cardinality(a))::int]
$$;

CREATE OR REPLACE FUNCTION lc_fuzz.chance(p float8) RETURNS boolean
LANGUAGE sql VOLATILE AS $$ SELECT random() < p $$;

CREATE OR REPLACE FUNCTION lc_fuzz.rint(lo int, hi int) RETURNS int
LANGUAGE sql VOLATILE AS $$ SELECT lo + floor(random() * (hi - lo + 1))::int $$;

-- setseed() wants a double in [-1, 1]; distinct seeds 0..1999999 map to
-- distinct values.
CREATE OR REPLACE FUNCTION lc_fuzz.seed_value(seed int) RETURNS float8
LANGUAGE sql IMMUTABLE AS $$ SELECT (seed % 2000000)::float8 / 1000000.0 - 1.0 $$;

-- Casts that never fail: text that the type refuses becomes NULL.
CREATE OR REPLACE FUNCTION lc_fuzz.try_json(t text) RETURNS json
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN t::json;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION lc_fuzz.try_jsonb(t text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN t::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;

-- A random uuid, as text, in one of the spellings uuid input accepts.
CREATE OR REPLACE FUNCTION lc_fuzz.g_uuid(variants boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    u text := md5(floor(random() * 1e15)::bigint::text || ':' ||
                  floor(random() * 1e15)::bigint::text)::uuid::text;
    r float8 := random();
BEGIN
    IF NOT variants OR r < 0.90 THEN
        RETURN u;
    ELSIF r < 0.95 THEN
        RETURN upper(u);
    ELSIF r < 0.98 THEN
        RETURN '{' || u || '}';
    ELSE
        RETURN replace(u, '-', '');
    END IF;
END $$;

-- A long random text (md5 chunks compress badly: long enough, a row holding
-- it is stored out of line, TOASTed).
CREATE OR REPLACE FUNCTION lc_fuzz.g_long_text(len int) RETURNS text
LANGUAGE sql VOLATILE AS $$
    SELECT left(string_agg(md5(floor(random() * 1e15)::bigint::text || ':' || i), ''), len)
    FROM generate_series(0, len / 32) i
$$;

-- A text id of entity number n: mostly prefix||n, sometimes a variant that
-- differs only in case, in padding, in leading zeros ('u009' vs 'u9'), by a
-- non-ASCII letter, or the empty string.
-- long: sometimes an id of hundreds or thousands of bytes.
CREATE OR REPLACE FUNCTION lc_fuzz.g_text_id(prefix text, n int, long boolean DEFAULT false) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    r float8 := random();
BEGIN
    IF long AND r < 0.15 THEN
        RETURN lc_fuzz.pick(ARRAY[repeat('Ł', lc_fuzz.rint(30, 2000)), lc_fuzz.g_long_text(lc_fuzz.rint(50, 5000))])
               || prefix || n;
    END IF;
    r := random();
    IF r < 0.78 THEN RETURN prefix || n;
    ELSIF r < 0.86 THEN RETURN upper(prefix) || n;
    ELSIF r < 0.89 THEN RETURN prefix || n || ' ';
    ELSIF r < 0.91 THEN RETURN ' ' || prefix || n;
    ELSIF r < 0.94 THEN RETURN prefix || lpad(n::text, 4, '0');
    ELSIF r < 0.97 THEN RETURN prefix || 'é' || n;
    ELSIF r < 0.985 THEN RETURN prefix || 'É' || n;
    ELSE RETURN '';
    END IF;
END $$;

-- Instants (UTC wall clock) where some zone's offset changes.
CREATE OR REPLACE FUNCTION lc_fuzz.g_dst_edge() RETURNS timestamp
LANGUAGE sql VOLATILE AS $$
    SELECT lc_fuzz.pick(ARRAY[
        '2024-03-10 07:00',      -- America/New_York forward
        '2024-11-03 06:00',      -- America/New_York back
        '2024-03-31 01:00',      -- Europe (EU rule) forward
        '2024-10-27 01:00',      -- Europe back
        '2024-04-06 16:00',      -- Australia/Sydney back
        '2024-10-05 16:00',      -- Australia/Sydney forward
        '2024-04-06 15:00',      -- Australia/Lord_Howe back (30 min)
        '2024-10-05 15:30',      -- Australia/Lord_Howe forward
        '2024-04-06 14:00',      -- Pacific/Chatham back
        '2024-09-28 14:00',      -- Pacific/Chatham forward
        '2024-04-07 03:00',      -- America/Santiago back
        '2024-09-08 04:00',      -- America/Santiago forward
        '2024-03-10 02:00',      -- Africa/Casablanca (Ramadan)
        '2024-04-14 02:00',
        '2011-12-30 10:00',      -- Pacific/Apia skips a day
        '2014-10-25 22:00',      -- Europe/Moscow back to +3
        '1918-03-31 08:00',      -- first US DST
        '2022-09-21 20:30',      -- Asia/Tehran end of DST
        '2023-10-29 01:00'       -- Europe/Dublin (negative DST in tzdata)
    ]::timestamp[])
    + lc_fuzz.pick(ARRAY['0', '0', '-1 microsecond', '-1 second', '1 second',
                         '-30 minutes', '30 minutes', '-1 hour', '1 hour']::interval[])
$$;

-- A random time near anchor (NULL anchor: somewhere in 2020..2025).
CREATE OR REPLACE FUNCTION lc_fuzz.g_time(anchor timestamp) RETURNS timestamp
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    a timestamp := coalesce(anchor, '2020-01-01'::timestamp + random() * interval '2000 days');
    r float8 := random();
BEGIN
    IF r < 0.50 THEN
        RETURN a + random() * interval '400 days';
    ELSIF r < 0.60 THEN
        RETURN a - random() * interval '90 days';           -- before the anchor
    ELSIF r < 0.72 THEN
        RETURN date_trunc(lc_fuzz.pick(ARRAY['second', 'minute', 'hour', 'day']),
                          a + random() * interval '30 days');
    ELSIF r < 0.88 THEN
        RETURN lc_fuzz.g_dst_edge();
    ELSE
        RETURN lc_fuzz.pick(ARRAY[
            '1900-01-01 00:00', '1900-06-15 12:34:56.789', '1970-01-01 00:00',
            '1969-12-31 23:59:59.999999', '2038-01-19 03:14:08', '2099-12-31 23:59:59.999999',
            '2100-06-01 00:00', '2099-07-04 12:00']::timestamp[]);
    END IF;
END $$;

-- A user's creation time: mostly plausible, sometimes 1900, the epoch, the
-- future, a DST edge or NULL.
CREATE OR REPLACE FUNCTION lc_fuzz.g_user_time() RETURNS timestamp
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    r float8 := random();
BEGIN
    IF r < 0.72 THEN
        RETURN '2020-01-01'::timestamp + random() * interval '1800 days';
    ELSIF r < 0.76 THEN
        RETURN '1900-01-01'::timestamp + random() * interval '200 days';
    ELSIF r < 0.79 THEN
        RETURN '1970-01-01 00:00'::timestamp;
    ELSIF r < 0.82 THEN
        RETURN '2099-01-01'::timestamp + random() * interval '700 days';
    ELSIF r < 0.88 THEN
        RETURN lc_fuzz.g_dst_edge();
    ELSIF r < 0.91 THEN
        RETURN date_trunc('day', '2021-01-01'::timestamp + random() * interval '1000 days');
    ELSE
        RETURN NULL;
    END IF;
END $$;

-- A branch zone: valid, valid but padded or in another case, a zone whose
-- name is also an abbreviation, or invalid in many ways.
CREATE OR REPLACE FUNCTION lc_fuzz.g_zone() RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    valid text[] := ARRAY[
        'America/New_York', 'Europe/London', 'Australia/Sydney', 'Australia/Lord_Howe',
        'Asia/Kathmandu', 'Asia/Jakarta', 'Asia/Kolkata', 'Asia/Calcutta', 'Pacific/Chatham',
        'America/St_Johns', 'Africa/Casablanca', 'Europe/Dublin', 'America/Santiago',
        'Pacific/Apia', 'Pacific/Kiritimati', 'Asia/Tehran', 'Europe/Moscow',
        'America/Sao_Paulo', 'Etc/GMT+5', 'Etc/GMT-14', 'Antarctica/Troll', 'EST5EDT',
        'posix/Europe/Paris', 'localtime', 'posixrules', 'Factory', 'GMT+0', 'GMT0',
        'Etc/UTC', 'Europe/Warsaw', 'Asia/Tokyo', 'America/Los_Angeles', 'US/Eastern',
        'Europe/Kyiv', 'Europe/Kiev', 'NZ-CHAT', 'W-SU', 'Asia/Ho_Chi_Minh',
        'America/Argentina/Buenos_Aires', 'America/Indiana/Indianapolis'];
    abbrev text[] := ARRAY[
        'MET', 'CET', 'EET', 'WET', 'EST', 'MST', 'HST', 'GMT', 'UCT', 'Zulu', 'UTC',
        'met', 'Cet', 'zulu', ' MET ', 'posix/MET', 'posix/CET', 'utc'];
    invalid text[] := ARRAY[
        NULL, NULL, '', '   ', 'Mars/Olympus_Mons', 'PST', 'CEST', 'MSK', 'IST', 'AEST',
        '+05:00', 'UTC+3', '-03', 'Asia/Tokyo/', '/Europe/London', 'Europe//London',
        'America/New York', E'\tAsia/Tokyo', E'Europe/London\n', 'Europe/İstanbul',
        'Asia/' || chr(8490) || 'olkata',             -- KELVIN SIGN, not a K
        'Etc/GMT+15', 'GMT+99', 'Local', 'Europe/Londonn', 'posix', 'America',
        'Europe/London;', '"Europe/London"',
        -- accepted by AT TIME ZONE / the tz library, but not in pg_timezone_names
        'right/UTC', 'right/Europe/London', 'RIGHT/utc', 'zone.tab', 'tzdata.zi',
        '<+0530>-5:30', 'EST5EDT4,M3.2.0,M11.1.0', 'posix/Europe'];
    r float8 := random();
    z text;
BEGIN
    IF r < 0.42 THEN
        RETURN lc_fuzz.pick(valid);
    ELSIF r < 0.52 THEN
        z := lc_fuzz.pick(valid);
        RETURN lc_fuzz.pick(ARRAY[upper(z), lower(z),
            translate(z, 'aeiouAEIOU', 'AEIOUaeiou')]);
    ELSIF r < 0.60 THEN
        z := lc_fuzz.pick(valid);
        RETURN lc_fuzz.pick(ARRAY[' ' || z, z || '  ', '   ' || lower(z) || ' ']);
    ELSIF r < 0.70 THEN
        RETURN lc_fuzz.pick(abbrev);
    ELSE
        RETURN lc_fuzz.pick(invalid);
    END IF;
END $$;

-- A JSON value (as JSON text) for a name or source key.
CREATE OR REPLACE FUNCTION lc_fuzz.g_json_value() RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    r float8 := random();
BEGIN
    IF r < 0.45 THEN
        RETURN lc_fuzz.pick(ARRAY['"Monthly Membership"', '"Yearly Membership"',
            '"10 Class Pack"', '"WEBPORTAL"', '"REFERRAL"', '"RECEPTION_SIGNUP"',
            '"APP"', '"Zoë"', '""', '"  spaced  "']);
    ELSIF r < 0.60 THEN
        RETURN lc_fuzz.pick(ARRAY['null', '12', '1.50', '-0', '1e2', '1E+2', '0.10',
            '-7.25e-3', '123456789012345678901234567890', 'true', 'false']);
    ELSIF r < 0.68 THEN
        RETURN lc_fuzz.pick(ARRAY['{"x": 1}', '{}', '[1, "a"]', '[]', '{"name": "inner"}']);
    ELSE
        -- escapes: quotes, backslashes, \u escapes (BMP, upper-case hex,
        -- surrogate pairs), \u0000, unpaired surrogates, control escapes
        RETURN lc_fuzz.pick(ARRAY[
            '"say \"hi\""', '"back\\slash"', '"caf\u00e9"', '"CAF\u00C9"',
            '"\ud83d\ude00 smile"', '"\uD83D\uDE00"', '"\uD83D\ude00 mixed"', '"tab\there\nnewline"',
            '"\/slash"', '"nul\u0000byte"', '"\u0000"', '"lone \ud83d high"',
            '"lone \udc00 low"', '"\ud83d\u0041"', '"\\u0000 not a nul"',
            '"\\\u00e9"', '"Monthly\u0020Membership"', '"\b\f\r"']);
    END IF;
END $$;

-- A key spelling: mostly exact, sometimes another case, escaped or padded.
CREATE OR REPLACE FUNCTION lc_fuzz.g_key(k text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    r float8 := random();
BEGIN
    IF r < 0.88 THEN RETURN '"' || k || '"';
    ELSIF r < 0.92 THEN RETURN '"' || initcap(k) || '"';
    ELSIF r < 0.95 THEN RETURN '"' || upper(k) || '"';
    ELSIF r < 0.98 THEN RETURN '"' || substr(k, 1, 1) || '\u00' || to_hex(ascii(substr(k, 2, 1))) || substr(k, 3) || '"';
    ELSE RETURN '"' || k || ' "';
    END IF;
END $$;

-- A JSON object with (maybe) name and source keys, repeated keys, other
-- keys, in random order and spacing.
CREATE OR REPLACE FUNCTION lc_fuzz.g_object() RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    members text[] := '{}';
    sep text := lc_fuzz.pick(ARRAY[', ', ',', E',\n  ', ' , ']);
    colon text := lc_fuzz.pick(ARRAY[': ', ':', ' : ']);
BEGIN
    IF lc_fuzz.chance(0.85) THEN
        members := members || (lc_fuzz.g_key('name') || colon || lc_fuzz.g_json_value());
    END IF;
    IF lc_fuzz.chance(0.85) THEN
        members := members || (lc_fuzz.g_key('source') || colon || lc_fuzz.g_json_value());
    END IF;
    IF lc_fuzz.chance(0.10) THEN            -- repeated key: the last one wins
        members := members || ('"name"' || colon || lc_fuzz.g_json_value());
    END IF;
    IF lc_fuzz.chance(0.06) THEN
        members := members || ('"source"' || colon || lc_fuzz.g_json_value());
    END IF;
    IF lc_fuzz.chance(0.15) THEN
        members := members || ('"price"' || colon || lc_fuzz.pick(ARRAY['10', '"10.00"', 'null']));
    END IF;
    IF lc_fuzz.chance(0.05) THEN
        members := members || ('"meta"' || colon || '{"name": "nested", "source": "nested"}');
    END IF;
    IF lc_fuzz.chance(0.3) THEN
        SELECT coalesce(array_agg(m ORDER BY random()), '{}') INTO members FROM unnest(members) m;
    END IF;
    RETURN lc_fuzz.pick(ARRAY['{', '{ ', E'{\n  ']) || array_to_string(members, sep)
        || lc_fuzz.pick(ARRAY['}', ' }', E'\n}']);
END $$;

-- A details document, as text: objects, NULL, double-encoded objects,
-- arrays, scalars, and (kept only by text columns) invalid JSON.
CREATE OR REPLACE FUNCTION lc_fuzz.g_details() RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    r float8 := random();
    o text;
    pad text;
BEGIN
    IF r < 0.08 THEN
        RETURN NULL;
    ELSIF r < 0.61 THEN
        RETURN lc_fuzz.g_object();
    ELSIF r < 0.62 THEN                        -- a big document: TOASTed
        o := lc_fuzz.g_object();
        pad := '"pad": "' || lc_fuzz.g_long_text(lc_fuzz.rint(2000, 20000)) || '"';
        IF o ~ '^\{\s*\}$' THEN
            RETURN '{' || pad || '}';
        ELSIF lc_fuzz.chance(0.5) THEN
            RETURN regexp_replace(o, '^\{', '{' || pad || ', ');
        ELSE
            RETURN regexp_replace(o, '\}$', ', ' || pad || '}');
        END IF;
    ELSIF r < 0.74 THEN                        -- a string holding an object
        RETURN to_json(lc_fuzz.g_object())::text;
    ELSIF r < 0.76 THEN                        -- ... with blanks around it
        RETURN to_json('  ' || lc_fuzz.g_object() || E'\n')::text;
    ELSIF r < 0.78 THEN                        -- two levels: not read
        RETURN to_json(to_json(lc_fuzz.g_object())::text)::text;
    ELSIF r < 0.80 THEN                        -- blanks around the document
        RETURN E' \n' || lc_fuzz.g_object() || E'\t ';
    ELSIF r < 0.83 THEN
        RETURN '[' || lc_fuzz.g_object() || ']';
    ELSIF r < 0.90 THEN
        RETURN lc_fuzz.pick(ARRAY['42', '"text"', 'true', 'null', '""', '"{}"', '"[1]"',
            '-1.5e3', '[]', '{}', '"{\"name\": 1"', '"\"{}\""',
            '"{\"name\": \"a\"}\u0000"', '"{\"name\": \"x\u0000\", \"source\": \"s\"}"']);
    ELSE                                       -- not JSON at all
        RETURN lc_fuzz.pick(ARRAY['{name: "x"}', '{"name": "a",}', '', '   ', 'not json',
            '{"name": "a"', '''{"name": "a"}''', '{"name": "a"} x', E'{"name": "raw\ttab"}',
            '{"name": "\x"}', '{"name": "\u12"}', '{"name": "a"}}', 'NULL', 'True',
            '{"name": .5}', '{"name": 01}', '{"name": "a", "source": NaN}',
            U&'\FEFF{"name": "bom"}']);
    END IF;
END $$;

-- The generator itself.
CREATE OR REPLACE FUNCTION lc_fuzz.generate(
    seed int,
    target_schema text,
    users int DEFAULT NULL)       -- NULL: random, 0..300
RETURNS text                      -- a one-line summary of the data set
LANGUAGE plpgsql
SET client_min_messages = warning
AS $$
DECLARE
    uuid_mode boolean;
    long_ids boolean;
    n_users int;
    n_branches int;
    t_id text[];      -- 9 id columns
    t_time text[];    -- 6 time columns
    t_det text[];     -- 2 details columns
    t_zone text;
    bids text[] := '{}';
    user_bids text[];
    b text;
    bt timestamp;
    uid text;
    ubid text;
    uct timestamp;
    tpool timestamp[];
    idpool text[];
    seq int := 0;
    kind int;
    k int;
    nk int;
    pid text;
    t timestamp;
    pa timestamp;
    ca timestamp;
    det text;
    puid text;
    r float8;
    i int;
    j int;
    cols text[];
    sql text;
    nrows bigint[] := '{}';
    shapes text[];
    c bigint;
BEGIN
    PERFORM setseed(lc_fuzz.seed_value(seed));

    uuid_mode := lc_fuzz.chance(0.3);
    long_ids := NOT uuid_mode AND lc_fuzz.chance(0.1);   -- then no varchar(40) column
    n_users := coalesce(users, CASE WHEN lc_fuzz.chance(0.1) THEN lc_fuzz.rint(0, 3)
                                    ELSE lc_fuzz.rint(0, 300) END);
    n_branches := lc_fuzz.rint(0, CASE WHEN n_users > 1000 THEN 40 ELSE 12 END);

    -- column types
    FOR i IN 1..9 LOOP
        t_id[i] := CASE WHEN uuid_mode THEN lc_fuzz.pick(ARRAY['uuid', 'uuid', 'varchar', 'text', 'varchar(40)'])
                        WHEN long_ids THEN lc_fuzz.pick(ARRAY['varchar', 'text'])
                        ELSE lc_fuzz.pick(ARRAY['varchar', 'text', 'varchar(40)', 'varchar', 'text', 'varchar(40)', 'text', 'char(44)']) END;
    END LOOP;
    IF lc_fuzz.chance(0.4) THEN            -- one type for every id column
        t_id := array_fill(t_id[1], ARRAY[9]);
    END IF;
    FOR i IN 1..6 LOOP
        t_time[i] := lc_fuzz.pick(ARRAY['timestamp', 'timestamp', 'timestamptz', 'timestamptz', 'date',
                                        'timestamp(0)', 'timestamptz(3)']);
    END LOOP;
    IF lc_fuzz.chance(0.5) THEN
        t_time := array_fill(t_time[1], ARRAY[6]);
    END IF;
    t_det[1] := lc_fuzz.pick(ARRAY['json', 'jsonb', 'text']);
    t_det[2] := CASE WHEN lc_fuzz.chance(0.5) THEN t_det[1] ELSE lc_fuzz.pick(ARRAY['json', 'jsonb', 'text']) END;
    t_zone := lc_fuzz.pick(ARRAY['varchar(50)', 'text', 'varchar']);

    -- staging tables: text ids, UTC wall-clock times, text details
    -- (made once per session, emptied for each data set
    CREATE TEMP TABLE IF NOT EXISTS g_branch (branch_id text, name text, email text, city text,
                                              country text, timezone_id text, created_at timestamp);
    CREATE TEMP TABLE IF NOT EXISTS g_user (user_id text, branch_id text, name text, email text,
                                            created_at timestamp);
    CREATE TEMP TABLE IF NOT EXISTS g_p (kind int,         -- 1 membership, 2 credit pack
                                         user_id text, branch_id text, id text, purchased_at timestamp,
                                         created_at timestamp, details text);
    -- (TRUNCATE, not DELETE: a fresh heap is scanned in insertion order, so
    -- the ORDER BY random() below shuffles the same way in any session)
    TRUNCATE g_branch, g_user, g_p;

    -- branches, some with several rows
    FOR j IN 1..n_branches LOOP
        b := CASE WHEN uuid_mode THEN lc_fuzz.g_uuid() ELSE lc_fuzz.g_text_id('b', j, long_ids) END;
        bids := bids || b;
        bt := CASE WHEN lc_fuzz.chance(0.1) THEN NULL ELSE lc_fuzz.g_time(NULL) END;
        nk := CASE WHEN lc_fuzz.chance(0.25) THEN lc_fuzz.rint(2, 4) ELSE 1 END;
        FOR k IN 1..nk LOOP
            INSERT INTO g_branch VALUES (
                b, 'Branch ' || j, 'branch' || j || '@example.com', 'City', 'Country',
                lc_fuzz.g_zone(),
                CASE WHEN k = 1 OR lc_fuzz.chance(0.4) THEN bt       -- ties
                     WHEN lc_fuzz.chance(0.25) THEN NULL
                     ELSE lc_fuzz.g_time(bt) END);
        END LOOP;
    END LOOP;
    IF lc_fuzz.chance(0.2) THEN
        INSERT INTO g_branch VALUES (NULL, 'No id', NULL, NULL, NULL, lc_fuzz.g_zone(), lc_fuzz.g_time(NULL));
    END IF;

    -- branch ids users may point at: real ones, missing ones, NULL, and
    -- spellings of real ones that differ in case
    user_bids := bids || ARRAY[NULL, CASE WHEN uuid_mode THEN lc_fuzz.g_uuid(false) ELSE 'b-missing' END]::text[];
    IF n_branches > 0 AND NOT uuid_mode THEN
        user_bids := user_bids || upper(bids[1]);
    END IF;

    -- users and their purchases
    FOR i IN 1..n_users LOOP
        uid := CASE WHEN uuid_mode THEN lc_fuzz.g_uuid() ELSE lc_fuzz.g_text_id('u', i, long_ids) END;
        ubid := lc_fuzz.pick(user_bids);
        uct := lc_fuzz.g_user_time();
        INSERT INTO g_user VALUES (uid, ubid, 'User ' || i, 'user' || i || '@example.com', uct);

        -- duplicate rows of the user: created_at and branch_id vary
        IF lc_fuzz.chance(0.12) THEN
            FOR k IN 1..lc_fuzz.rint(1, 2) LOOP
                INSERT INTO g_user VALUES (
                    uid,
                    lc_fuzz.pick(ARRAY[ubid, ubid, lc_fuzz.pick(user_bids), NULL]),
                    'User ' || i || ' again', NULL,
                    lc_fuzz.pick(ARRAY[uct, uct, NULL, uct - interval '1 day', uct + interval '1 second',
                                       lc_fuzz.g_user_time()]));
            END LOOP;
        END IF;

        -- a few instants shared by this user's purchases (ties, also
        -- across the two kinds)
        t := lc_fuzz.g_time(uct);
        tpool := ARRAY[t, t + lc_fuzz.pick(ARRAY['0', '1 hour', '1 day', '1 microsecond']::interval[]),
                       lc_fuzz.g_time(uct)];
        -- ids that tie: differing only in case, or as digits '9' vs '10'
        IF uuid_mode THEN
            idpool := ARRAY[lc_fuzz.g_uuid(), lc_fuzz.g_uuid(), lc_fuzz.g_uuid()];
            idpool := idpool || upper(idpool[1]);
        ELSE
            idpool := ARRAY['p' || i || '-9', 'p' || i || '-10', 'P' || i || '-9', 'p' || i || '-09',
                            'p' || i || '-a', 'p' || i || '-B', 'p' || i || '-é', 'p' || i || '-e'];
        END IF;

        FOR kind IN 1..2 LOOP
            r := random();
            nk := CASE WHEN r < 0.3 THEN 0 WHEN r < 0.65 THEN 1 WHEN r < 0.85 THEN 2
                       ELSE lc_fuzz.rint(3, 5) END;
            FOR k IN 1..nk LOOP
                seq := seq + 1;
                pid := CASE WHEN lc_fuzz.chance(0.45) THEN lc_fuzz.pick(idpool)
                            WHEN uuid_mode THEN lc_fuzz.g_uuid()
                            WHEN long_ids AND lc_fuzz.chance(0.1) THEN lc_fuzz.g_long_text(lc_fuzz.rint(50, 3000)) || seq
                            ELSE (CASE kind WHEN 1 THEN 'm' ELSE 'c' END) || seq END;
                IF lc_fuzz.chance(0.03) THEN
                    pid := NULL;
                END IF;
                t := CASE WHEN lc_fuzz.chance(0.6) THEN lc_fuzz.pick(tpool) ELSE lc_fuzz.g_time(uct) END;
                r := random();
                IF r < 0.50 THEN                      -- purchased, then recorded
                    pa := t;
                    ca := t + lc_fuzz.pick(ARRAY['0', '0', '1 microsecond', '1 second', '17 minutes',
                                                 '1 day']::interval[]);
                ELSIF r < 0.62 THEN                   -- recorded before "purchased"
                    pa := t;
                    ca := t - interval '5 minutes';
                ELSIF r < 0.77 THEN                   -- no purchased_at: created_at counts
                    pa := NULL;
                    ca := t;
                ELSIF r < 0.85 THEN                   -- no created_at
                    pa := t;
                    ca := NULL;
                ELSIF r < 0.91 THEN                   -- undated
                    pa := NULL;
                    ca := NULL;
                ELSE                                  -- same instant, created_at from the pool
                    pa := t;
                    ca := lc_fuzz.pick(tpool);
                END IF;
                det := lc_fuzz.g_details();
                puid := CASE WHEN lc_fuzz.chance(0.03) THEN upper(uid)        -- an orphan, unless upper = uid
                             WHEN lc_fuzz.chance(0.02) THEN NULL
                             ELSE uid END;
                INSERT INTO g_p VALUES (kind, puid, lc_fuzz.pick(ARRAY[ubid, NULL]), pid, pa, ca, det);
                -- duplicate ids: identical copies, copies differing in time or details
                IF lc_fuzz.chance(0.08) THEN
                    INSERT INTO g_p VALUES (kind, puid, ubid, pid, pa, ca, det);
                END IF;
                IF lc_fuzz.chance(0.05) THEN
                    INSERT INTO g_p VALUES (kind, puid, ubid, pid, lc_fuzz.pick(tpool), ca, det);
                END IF;
                IF lc_fuzz.chance(0.05) THEN
                    INSERT INTO g_p VALUES (kind, puid, ubid, pid, pa,
                                            lc_fuzz.pick(ARRAY[ca, NULL, lc_fuzz.pick(tpool)]), det);
                END IF;
                IF lc_fuzz.chance(0.06) THEN
                    INSERT INTO g_p VALUES (kind, puid, ubid, pid, pa, ca, lc_fuzz.g_details());
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;

    -- rows of no user: NULL user_id in dim_user, orphan purchases
    IF lc_fuzz.chance(0.3) THEN
        INSERT INTO g_user VALUES (NULL, lc_fuzz.pick(user_bids), 'Nobody', NULL, lc_fuzz.g_user_time());
    END IF;
    FOR k IN 1..lc_fuzz.rint(0, 6) LOOP
        puid := lc_fuzz.pick(ARRAY[NULL, CASE WHEN uuid_mode THEN lc_fuzz.g_uuid() ELSE 'ghost' || k END]);
        t := lc_fuzz.g_time(NULL);
        INSERT INTO g_p VALUES (1, puid, NULL, CASE WHEN uuid_mode THEN lc_fuzz.g_uuid() ELSE 'om' || k END,
                                t, t, lc_fuzz.g_details());
        INSERT INTO g_p VALUES (2, puid, NULL, CASE WHEN uuid_mode THEN lc_fuzz.g_uuid() ELSE 'oc' || k END,
                                NULL, t, lc_fuzz.g_details());
    END LOOP;

    -- the target tables
    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', target_schema);
    EXECUTE format('CREATE SCHEMA %I', target_schema);
    shapes[1] := lc_fuzz.g_table(target_schema, 'dim_branch', ARRAY[
        format('branch_id %s', t_id[1]), 'name varchar(50)', 'email varchar(50)',
        'city varchar(50)', 'country varchar(50)', format('timezone_id %s', t_zone),
        format('created_at %s', t_time[1])]);
    shapes[2] := lc_fuzz.g_table(target_schema, 'dim_user', ARRAY[
        format('user_id %s', t_id[2]), format('branch_id %s', t_id[3]), 'name varchar(50)',
        'email varchar(50)', format('created_at %s', t_time[2])]);
    shapes[3] := lc_fuzz.g_table(target_schema, 'fct_membership_purchases', ARRAY[
        format('user_id %s', t_id[4]), format('branch_id %s', t_id[5]), format('membership_id %s', t_id[6]),
        format('membership_purchased_at %s', t_time[3]), format('created_at %s', t_time[4]),
        format('membership_purchase_details %s', t_det[1])]);
    shapes[4] := lc_fuzz.g_table(target_schema, 'fct_credit_pack_purchases', ARRAY[
        format('user_id %s', t_id[7]), format('branch_id %s', t_id[8]), format('credit_pack_id %s', t_id[9]),
        format('credit_pack_purchased_at %s', t_time[5]), format('created_at %s', t_time[6]),
        format('credit_pack_purchase_details %s', t_det[2])]);

    EXECUTE format('INSERT INTO %I.dim_branch (branch_id, name, email, city, country, timezone_id, created_at)
                    SELECT %s, name, email, city, country, timezone_id, %s FROM g_branch ORDER BY random()',
                   target_schema, lc_fuzz.g_cast(t_id[1], 'branch_id'), lc_fuzz.g_cast(t_time[1], 'created_at'));
    EXECUTE format('INSERT INTO %I.dim_user (user_id, branch_id, name, email, created_at)
                    SELECT %s, %s, name, email, %s FROM g_user ORDER BY random()',
                   target_schema, lc_fuzz.g_cast(t_id[2], 'user_id'), lc_fuzz.g_cast(t_id[3], 'branch_id'),
                   lc_fuzz.g_cast(t_time[2], 'created_at'));
    EXECUTE format('INSERT INTO %I.fct_membership_purchases (user_id, branch_id, membership_id,
                        membership_purchased_at, created_at, membership_purchase_details)
                    SELECT %s, %s, %s, %s, %s, %s FROM g_p WHERE kind = 1 ORDER BY random()',
                   target_schema, lc_fuzz.g_cast(t_id[4], 'user_id'), lc_fuzz.g_cast(t_id[5], 'branch_id'),
                   lc_fuzz.g_cast(t_id[6], 'id'), lc_fuzz.g_cast(t_time[3], 'purchased_at'),
                   lc_fuzz.g_cast(t_time[4], 'created_at'), lc_fuzz.g_cast(t_det[1], 'details'));
    EXECUTE format('INSERT INTO %I.fct_credit_pack_purchases (user_id, branch_id, credit_pack_id,
                        credit_pack_purchased_at, created_at, credit_pack_purchase_details)
                    SELECT %s, %s, %s, %s, %s, %s FROM g_p WHERE kind = 2 ORDER BY random()',
                   target_schema, lc_fuzz.g_cast(t_id[7], 'user_id'), lc_fuzz.g_cast(t_id[8], 'branch_id'),
                   lc_fuzz.g_cast(t_id[9], 'id'), lc_fuzz.g_cast(t_time[5], 'purchased_at'),
                   lc_fuzz.g_cast(t_time[6], 'created_at'), lc_fuzz.g_cast(t_det[2], 'details'));

    FOREACH b IN ARRAY ARRAY['dim_branch', 'dim_user', 'fct_membership_purchases', 'fct_credit_pack_purchases'] LOOP
        IF shapes[coalesce(array_length(nrows, 1), 0) + 1] = 'inherited' THEN
            PERFORM lc_fuzz.g_fill_child(target_schema, b);
        END IF;
        EXECUTE format('SELECT count(*) FROM %I.%I', target_schema, b) INTO c;
        nrows := nrows || c;
    END LOOP;

    RETURN format('users=%s rows=%s%s ids=%s times=%s details=%s',
                  n_users, array_to_string(nrows, '/'),
                  CASE WHEN shapes <> ARRAY['table', 'table', 'table', 'table']
                       THEN ' shapes=' || array_to_string(shapes, ',') ELSE '' END,
                  CASE WHEN uuid_mode THEN 'uuid:' ELSE '' END || array_to_string(t_id, ','),
                  array_to_string(t_time, ','), array_to_string(t_det, ','));
END $$;

-- CREATE TABLE with the given column definitions, sometimes in another
-- order, sometimes with a dropped column among them.  Mostly a plain table;
-- sometimes partitioned (by hash of its first column), the parent of an
-- inheritance child (g_fill_child moves some rows there), or a view over a
-- table.  Returns the shape.
CREATE OR REPLACE FUNCTION lc_fuzz.g_table(s text, tab text, cols text[]) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    with_dropped boolean := lc_fuzz.chance(0.15);
    first_col text := split_part(cols[1], ' ', 1);
    r float8 := random();
    shape text := CASE WHEN r < 0.85 THEN 'table' WHEN r < 0.90 THEN 'partitioned'
                       WHEN r < 0.95 THEN 'inherited' ELSE 'view' END;
    base text := CASE WHEN shape = 'view' THEN tab || '_base' ELSE tab END;
BEGIN
    IF lc_fuzz.chance(0.2) THEN
        SELECT array_agg(c ORDER BY random()) INTO cols FROM unnest(cols) c;
    END IF;
    IF with_dropped THEN
        cols := cols[1:1] || 'lc_fuzz_dropped int'::text || cols[2:];
    END IF;
    EXECUTE format('CREATE TABLE %I.%I (%s)%s', s, base, array_to_string(cols, ', '),
                   CASE WHEN shape = 'partitioned' THEN format(' PARTITION BY HASH (%I)', first_col) ELSE '' END);
    IF with_dropped THEN
        EXECUTE format('ALTER TABLE %I.%I DROP COLUMN lc_fuzz_dropped', s, base);
    END IF;
    IF shape = 'partitioned' THEN
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES WITH (MODULUS 2, REMAINDER 0)',
                       s, tab || '_p0', s, tab);
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES WITH (MODULUS 2, REMAINDER 1)',
                       s, tab || '_p1', s, tab);
    ELSIF shape = 'inherited' THEN
        EXECUTE format('CREATE TABLE %I.%I (lc_fuzz_extra int) INHERITS (%I.%I)', s, tab || '_child', s, tab);
    ELSIF shape = 'view' THEN
        EXECUTE format('CREATE VIEW %I.%I AS SELECT * FROM %I.%I', s, tab, s, base);
    END IF;
    RETURN shape;
END $$;

-- Move about half the rows of an inheritance parent into its child.
CREATE OR REPLACE FUNCTION lc_fuzz.g_fill_child(s text, tab text) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    cols text;
BEGIN
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
    FROM pg_attribute
    WHERE attrelid = format('%I.%I', s, tab)::regclass AND attnum > 0 AND NOT attisdropped;
    EXECUTE format('WITH moved AS (DELETE FROM ONLY %1$I.%2$I WHERE random() < 0.5 RETURNING %3$s)
                    INSERT INTO %1$I.%4$I (%3$s) SELECT %3$s FROM moved', s, tab, cols, tab || '_child');
END $$;

-- The expression that turns a staging column into a column of type t.
CREATE OR REPLACE FUNCTION lc_fuzz.g_cast(t text, col text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN t = 'uuid' THEN format('%I::uuid', col)
        -- an offset, not the name UTC, which PostgreSQL 18 may read as an
        -- abbreviation of the session's TimeZone (see reference.sql)
        WHEN t LIKE 'timestamptz%' THEN format('(%I AT TIME ZONE INTERVAL %L)', col, '00:00')
        WHEN t = 'date' THEN format('%I::date', col)
        WHEN t = 'json' THEN format('lc_fuzz.try_json(%I)', col)
        WHEN t = 'jsonb' THEN format('lc_fuzz.try_jsonb(%I)', col)
        ELSE quote_ident(col)
    END
$$;
