--
-- Rule 7: name and source from the details JSON, for json, jsonb and text
-- columns
--
CREATE TABLE lc_test.documents (doc_id int PRIMARY KEY, note text, doc text);
INSERT INTO lc_test.documents VALUES
    (1, 'object', '{"name": "Monthly", "source": "APP"}'),
    (2, 'NULL details', NULL),
    (3, 'double-encoded', '"{\"name\": \"Inner\", \"source\": \"WEB\"}"'),
    (4, 'array', '[{"name": "in array"}]'),
    (5, 'string', '"just text"'),
    (6, 'number', '42'),
    (7, 'null and object values', '{"name": null, "source": {"a": 1}}'),
    (8, 'number and boolean', '{"name": 12.50, "source": true}'),
    (9, 'repeated key', '{"name": "first", "name": "last", "source": "s"}'),
    (10, 'wrong case keys', '{"Name": "x", "SOURCE": "y"}'),
    (11, 'escapes', '{"name": "caf\u00e9 \"q\" \\ \/ \t|", "source": "\ud83d\ude00"}'),
    (12, 'escaped key', '{"n\u0061me": "escaped key", "source": "s"}'),
    (13, 'array value', '{"name": ["a"], "source": "s"}'),
    (14, 'nested keys ignored', '{"x": {"name": "nested"}, "source": "top"}'),
    (15, 'white space', E' \n\t{ "name" : "spaced" , "source":"s" } \r\n'),
    (16, 'double-encoded non-object', '"\"quoted\""'),
    (17, 'triple-encoded', '"\"{\\\"name\\\": \\\"deep\\\"}\""'),
    (18, 'empty object', '{}'),
    (19, 'exponent', '{"name": 1e3, "source": -0.5E-2}'),
    (20, 'false', '{"name": false}'),
    (21, 'missing source', '{"name": "only name"}'),
    (22, 'empty strings', '{"name": "", "source": ""}'),
    (23, 'unicode text', '{"name": "Zürich Ω", "source": "日本"}');

-- documents only a text column can hold: not JSON at all, or JSON that
-- text can hold but ->> cannot return
CREATE TABLE lc_test.text_documents (doc_id int PRIMARY KEY, note text, doc text);
INSERT INTO lc_test.text_documents VALUES
    (101, 'not JSON', 'name=Monthly'),
    (102, 'empty text', ''),
    (103, 'trailing comma', '{"name": "a",}'),
    (104, 'trailing garbage', '{"name": "a"} x'),
    (105, 'single quotes', '{''name'': ''a''}'),
    (106, 'unterminated', '{"name": "a"'),
    (107, 'lone surrogate', '{"name": "\ud800"}'),
    (108, 'bad escape', '{"name": "\q"}'),
    (109, 'leading zero', '{"name": 01}'),
    (110, 'NUL escape', '{"name": "a\u0000b", "source": "s"}'),
    (111, 'control character', E'{"name": "a\tb"}'),
    (112, 'deep nesting', '{"name": "deep", "x": ' || repeat('[', 100000) || repeat(']', 100000) || '}'),
    (113, 'double-encoded, invalid inside', '"{name: 1}"'),
    (114, 'bare word', 'true');

CREATE FUNCTION lc_test.details_in(s text, details_type text, docs regclass)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM lc_test.make_sources(s, details_type => details_type);
    EXECUTE format('INSERT INTO %I.dim_user SELECT doc_id::text, NULL, note, ''2024-01-01'' FROM %s', s, docs);
    EXECUTE format('INSERT INTO %I.fct_membership_purchases SELECT doc_id::text, NULL, ''m'' || doc_id, ''2024-02-01'', ''2024-02-01'', doc::%s FROM %s',
                   s, details_type, docs);
    EXECUTE format('INSERT INTO %I.fct_credit_pack_purchases SELECT doc_id::text, NULL, ''c'' || doc_id, ''2024-01-01'', ''2024-01-01'', doc::%s FROM %s',
                   s, details_type, docs);
END $$;

SELECT lc_test.details_in('t_json', 'json', 'lc_test.documents');
SELECT lc_test.details_in('t_jsonb', 'jsonb', 'lc_test.documents');
SELECT lc_test.details_in('t_text', 'text', 'lc_test.documents');
INSERT INTO t_text.dim_user SELECT doc_id::text, NULL, note, '2024-01-01' FROM lc_test.text_documents;
INSERT INTO t_text.fct_membership_purchases
SELECT doc_id::text, NULL, 'm' || doc_id, '2024-02-01', '2024-02-01', doc FROM lc_test.text_documents;

-- json: the values ->> gives, with double-encoded objects read through
SET search_path = t_json, public;
SELECT d.doc_id, d.note, e.first_membership_name AS name, e.first_membership_source AS source
FROM leadconv_client_events() e JOIN lc_test.documents d ON d.doc_id::text = e.user_id
ORDER BY d.doc_id;

-- the conversion (a credit pack here) carries the same values
SELECT count(*) AS differing
FROM leadconv_client_events()
WHERE (client_conversion_event_name, client_conversion_event_source)
      IS DISTINCT FROM (first_credit_pack_name, first_credit_pack_source)
   OR (first_membership_name, first_membership_source)
      IS DISTINCT FROM (first_credit_pack_name, first_credit_pack_source);

-- for every object document, the values are those of ->>, but for object
-- and array values, which ->> returns as JSON text and rule 7 as NULL
CREATE FUNCTION lc_test.arrow(doc json, key text) RETURNS text
LANGUAGE sql AS $$
    SELECT CASE WHEN json_typeof(doc -> key) IN ('object', 'array') THEN NULL ELSE doc ->> key END
$$;
SELECT count(*) AS differing_from_arrow
FROM leadconv_client_events() e JOIN lc_test.documents d ON d.doc_id::text = e.user_id
WHERE json_typeof(d.doc::json) = 'object'
  AND (e.first_membership_name, e.first_membership_source)
      IS DISTINCT FROM (lc_test.arrow(d.doc::json, 'name'), lc_test.arrow(d.doc::json, 'source'));
SELECT count(*) FILTER (WHERE e.first_membership_name = '') AS empty_names
FROM leadconv_client_events() e;

-- jsonb: the same, but numbers as jsonb prints them, and repeated keys
-- already collapsed by jsonb
SET search_path = t_jsonb, public;
SELECT d.doc_id, d.note, e.first_membership_name AS name, e.first_membership_source AS source
FROM leadconv_client_events() e JOIN lc_test.documents d ON d.doc_id::text = e.user_id
ORDER BY d.doc_id;
SELECT count(*) AS differing_from_arrow
FROM leadconv_client_events() e JOIN lc_test.documents d ON d.doc_id::text = e.user_id
WHERE jsonb_typeof(d.doc::jsonb) = 'object'
  AND (e.first_membership_name, e.first_membership_source)
      IS DISTINCT FROM (lc_test.arrow(d.doc::jsonb::json, 'name'),
                        lc_test.arrow(d.doc::jsonb::json, 'source'));

-- text: what json gives for JSON text, NULLs for text that is not JSON or
-- that text cannot hold; never an error
SET search_path = t_text, public;
CREATE TEMP TABLE text_result AS
SELECT user_id, first_membership_name, first_membership_source
FROM leadconv_client_events();
SET search_path = t_json, public;
SELECT count(*) AS text_differing_from_json FROM (
    SELECT user_id, first_membership_name, first_membership_source FROM leadconv_client_events()
    EXCEPT SELECT * FROM text_result) d;
SELECT d.doc_id, d.note, r.first_membership_name AS name, r.first_membership_source AS source
FROM text_result r JOIN lc_test.text_documents d ON d.doc_id::text = r.user_id
ORDER BY d.doc_id;

RESET search_path;
