--
-- comments: every table, view, type, function and event trigger of the
-- extension, and every column of its tables, views and row types, has a
-- comment, for psql's \d+ and a BI tool's data browser.
--
-- What lacks one is listed: the expected output lists nothing.
--
CREATE VIEW lc_test.uncommented AS
WITH member AS (
    SELECT d.classid, d.objid
    FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE d.refclassid = 'pg_extension'::regclass AND e.extname = 'leadconv'
      AND d.deptype = 'e'
), checked AS (
    SELECT m.classid, m.objid,
           CASE m.classid
               WHEN 'pg_proc'::regclass THEN 'function'
               WHEN 'pg_event_trigger'::regclass THEN 'event trigger'
               -- a type of its own, not the row type of a table or view nor
               -- an array type (which PostgreSQL 17 records as members too)
               WHEN 'pg_type'::regclass THEN
                   (SELECT 'type' FROM pg_type t
                    WHERE t.oid = m.objid
                      AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)
                      AND (t.typrelid = 0 OR (SELECT r.relkind FROM pg_class r
                                              WHERE r.oid = t.typrelid) = 'c'))
               WHEN 'pg_class'::regclass THEN
                   (SELECT CASE WHEN c.relkind IN ('r', 'p', 'f') THEN 'table'
                                WHEN c.relkind IN ('v', 'm') THEN 'view' END
                    FROM pg_class c WHERE c.oid = m.objid)
           END AS kind
    FROM member m
), relation AS (
    -- tables and views, and the relations behind composite types
    SELECT c.kind, c.objid AS relid FROM checked c WHERE c.kind IN ('table', 'view')
    UNION ALL
    SELECT c.kind, t.typrelid FROM checked c JOIN pg_type t ON t.oid = c.objid
    WHERE c.kind = 'type' AND t.typrelid <> 0
)
SELECT c.kind, pg_describe_object(c.classid, c.objid, 0) AS object
FROM checked c
WHERE c.kind IS NOT NULL AND obj_description(c.objid, c.classid::regclass::name) IS NULL
UNION ALL
SELECT r.kind || ' column', pg_describe_object('pg_class'::regclass, a.attrelid, a.attnum)
FROM relation r
JOIN pg_attribute a ON a.attrelid = r.relid AND a.attnum > 0 AND NOT a.attisdropped
WHERE col_description(a.attrelid, a.attnum) IS NULL;

-- the check sees every kind it looks for
SELECT count(*) FILTER (WHERE classid = 'pg_proc'::regclass) > 10 AS functions,
       count(*) FILTER (WHERE classid = 'pg_type'::regclass) >= 2 AS types,
       count(*) FILTER (WHERE classid = 'pg_class'::regclass) >= 7 AS tables_and_views,
       count(*) FILTER (WHERE classid = 'pg_event_trigger'::regclass) >= 1 AS event_triggers
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'leadconv');

-- nothing lacks a comment
SELECT * FROM lc_test.uncommented ORDER BY 1, 2;

-- and the check does find a missing one, of each kind
BEGIN;
COMMENT ON FUNCTION leadconv_refresh() IS NULL;
COMMENT ON TYPE leadconv_client_event IS NULL;
COMMENT ON COLUMN leadconv_client_event.lead_status IS NULL;
COMMENT ON TABLE leadconv_fct_lead_conversions IS NULL;
COMMENT ON COLUMN leadconv_fct_lead_conversions.branch_id IS NULL;
COMMENT ON VIEW leadconv_conversion_rates IS NULL;
COMMENT ON COLUMN leadconv_conversion_rates.users IS NULL;
COMMENT ON EVENT TRIGGER leadconv_guard_sources IS NULL;
SELECT * FROM lc_test.uncommented ORDER BY 1, 2;
ROLLBACK;

DROP VIEW lc_test.uncommented;
