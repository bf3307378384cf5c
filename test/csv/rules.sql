-- Part of scripts/test_csv_loader.sh: the shortcuts of scripts/csv/rules.sql
-- never pass a value that PostgreSQL's input rejects.  lc_plain() lets a
-- value through without trying it; this tries every edge value it passes.
\set ON_ERROR_STOP 1
SET DateStyle = 'ISO, YMD';
\ir ../../scripts/csv/rules.sql

CREATE TEMP TABLE ts AS
SELECT y || '-' || m || '-' || d || t AS v
FROM unnest('{0000,0001,1900,2000,2023,2024,2100,9999}'::text[]) y,
     unnest('{00,01,02,04,06,09,11,12,13,1,99}'::text[]) m,
     unnest('{00,01,28,29,30,31,32,1,99}'::text[]) d,
     unnest(ARRAY['', ' 00:00', 'T23:59', ' 24:00', ' 23:60', ' 9:00', ' 00:00:00', ' 23:59:59',
                  ' 23:59:60', ' 00:00:60.5', ' 12:34:56.1', ' 12:34:56.123456', ' 12:34:56.9999995',
                  ' 23:59:59.9999999', ' 12:34:56.', 'T12:34:56Z', ' 12:34:56+00', ' 12:34:56 +05:30',
                  '12:34:56', ' 12:34:5', '  12:34']) t;

CREATE TEMP TABLE js (v text);
INSERT INTO js VALUES ('{}'), ('{ }'), (' {"a": 1} '), ('{"a":1,"b":"x"}'), ('{"a": 1,}'), ('{,}'),
    ('{"a" 1}'), ('{"a": 01}'), ('{"a": -0.5e+3}'), ('{"a": 1.}'), ('{"a": .5}'), ('{"a": true}'),
    ('{"a": True}'), ('{"a": nul}'), ('{"a": null}'), ('{"a": "\""}'), ('{"a": "\/\b\f\n\r\t"}'),
    ('{"a": "\x"}'), ('{"a": "\u00e9"}'), ('{"a": "\ud800"}'), (E'{"a": "tab\there"}'), (E'{"a":\n1}'),
    (E'{"a":\u00a01}'), ('{"a": {"b": 1}}'), ('{"a": [1]}'), ('[1, 2]'), ('"x"'), ('1'), ('-'), ('true'),
    ('{"a": "é ✓"}'), ('{"a": "b"'), ('{"a": "b"}}'), ('{"a": "b"} x'), (''), ('  '), ('NULL'),
    ('{"name": "Monthly Membership","source": "WEBPORTAL"}'), ('{"a": 1e5}'), ('{"a": -}'), ('{a: 1}');

SELECT 'timestamps tried' AS what, count(*), count(*) FILTER (WHERE pg_temp.lc_plain(v, 'timestamp', NULL)) AS passed
FROM ts
UNION ALL
SELECT 'json tried', count(*), count(*) FILTER (WHERE pg_temp.lc_plain(v, 'json', NULL)) FROM js;

SELECT 'passed but invalid: ' || v
FROM ts WHERE pg_temp.lc_plain(v, 'timestamp', NULL) AND NOT pg_temp.lc_valid(v, 'timestamp')
UNION ALL
SELECT 'passed but invalid: ' || v
FROM js WHERE pg_temp.lc_plain(v, 'json', NULL) AND NOT pg_temp.lc_valid(v, 'json');
