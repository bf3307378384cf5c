--
-- Section 1: finding the sources; errors name what is wrong and hint at the
-- fix; nothing a user sets is pasted into SQL unquoted
--
SELECT lc_test.make_sources('t_errors');
SET search_path = t_errors, public;
SET DateStyle = ISO;
\pset format unaligned
\pset fieldsep ' | '

-- a missing table (42P01)
DROP TABLE fct_credit_pack_purchases;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
CREATE TABLE fct_credit_pack_purchases (user_id text, credit_pack_id text,
    credit_pack_purchased_at timestamp, created_at timestamp);

-- a missing column (42703)
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
ALTER TABLE fct_credit_pack_purchases ADD COLUMN credit_pack_purchase_details integer;

-- an unsupported type (42804), for details, ids and times
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
ALTER TABLE fct_credit_pack_purchases ALTER COLUMN credit_pack_purchase_details TYPE json
    USING NULL;
ALTER TABLE dim_user ALTER COLUMN user_id TYPE integer USING NULL;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
ALTER TABLE dim_user ALTER COLUMN user_id TYPE text;
ALTER TABLE dim_branch ALTER COLUMN created_at TYPE text;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
ALTER TABLE dim_branch ALTER COLUMN created_at TYPE timestamp USING NULL;
SELECT count(*) FROM leadconv_client_events();

-- dropped columns are missing columns
ALTER TABLE dim_branch DROP COLUMN timezone_id;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
ALTER TABLE dim_branch ADD COLUMN timezone_id text;

-- all four tables come from one schema: a look-alike table in a schema
-- earlier on search_path is not mixed in
CREATE SCHEMA t_lookalike;
CREATE TABLE t_lookalike.dim_user (user_id text, branch_id text, created_at timestamp);
INSERT INTO t_lookalike.dim_user VALUES ('intruder', NULL, '2024-01-01');
SET search_path = t_lookalike, t_errors, public;
SELECT count(*) FROM leadconv_client_events() WHERE user_id = 'intruder';

-- no sources on search_path at all
SET search_path = public;
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');

-- leadconv.source_schema names the schema instead of search_path
SET leadconv.source_schema = 't_errors';
SELECT count(*) FROM leadconv_client_events();
-- an unknown schema (3F000)
SET leadconv.source_schema = 'no_such_schema';
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
-- a schema without the tables
SET leadconv.source_schema = 'lc_test';
SELECT * FROM lc_test.error_of('SELECT * FROM leadconv_client_events()');
RESET leadconv.source_schema;

-- odd names are quoted: a schema and ids with quotes, spaces, backslashes
SELECT lc_test.make_sources('we"ird; DROP TABLE x; --');
SET leadconv.source_schema = 'we"ird; DROP TABLE x; --';
INSERT INTO "we""ird; DROP TABLE x; --".dim_branch VALUES ('b''1', 'x', 'Asia/Jakarta', NULL);
INSERT INTO "we""ird; DROP TABLE x; --".dim_user VALUES
    ('it''s "me"', 'b''1', 'x', '2024-01-01'),
    (E'back\\slash', 'b''1', 'x', '2024-01-01'),
    ('  spaced  ', 'b''1', 'x', '2024-01-01'),
    ('ünïcødé 🙂', 'b''1', 'x', '2024-01-01');
INSERT INTO "we""ird; DROP TABLE x; --".fct_membership_purchases VALUES
    ('it''s "me"', NULL, ''');--', '2024-02-01', NULL, NULL),
    ('  spaced  ', NULL, 'm', '2024-02-01', NULL, NULL);
\pset format aligned
SELECT '[' || user_id || ']' AS user_id, '[' || branch_id || ']' AS branch_id,
       local_user_created_at, client_conversion_event_id
FROM leadconv_client_events() ORDER BY user_id COLLATE "C";
RESET leadconv.source_schema;
RESET search_path;
