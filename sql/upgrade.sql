--
-- upgrade: every released version of leadconv, updated step by step to the
-- newest, has exactly the objects of a fresh install of the newest.
--
-- Runs last.  It works in a scratch database of its own, so that nothing the
-- other tests built on the extension's types is in the way, and leaves the
-- extension of this database installed at the newest version.
--
-- Trivially true while 1.0 is the only version; a missing or incomplete
-- leadconv--X--Y.sql makes it fail.  The output does not depend on which
-- versions exist, so adding a version needs no change here.
--
SET client_min_messages = warning;
SELECT current_database() AS regress_db,
       current_database() || '_upgrade' AS upgrade_db \gset
DROP DATABASE IF EXISTS :"upgrade_db";
CREATE DATABASE :"upgrade_db" TEMPLATE template0;
\c :"upgrade_db"
SET client_min_messages = warning;

CREATE SCHEMA lc_upgrade;

-- Everything that makes up an installed extension, as (object, property,
-- value) rows that name objects and never show OIDs: its members (pg_depend
-- deptype 'e'), each function's signature, result, attributes and body,
-- each type's and table's columns, constraints, indexes, triggers and
-- policies, each view's query, comments, privileges, and the extension's
-- configuration tables.
CREATE FUNCTION lc_upgrade.describe(ext name)
RETURNS TABLE (object text, property text, value text)
LANGUAGE sql STABLE AS $$
WITH e AS (
    SELECT oid, extnamespace, extrelocatable, extconfig, extcondition
    FROM pg_extension WHERE extname = ext
), member AS (
    SELECT d.classid, d.objid, d.objsubid,
           pg_describe_object(d.classid, d.objid, d.objsubid) AS object
    FROM pg_depend d, e
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid
      AND d.deptype = 'e'
), func AS (
    SELECT m.object, p.*
    FROM member m JOIN pg_proc p ON m.classid = 'pg_proc'::regclass AND p.oid = m.objid
), rel AS (
    -- member tables, views and sequences, and the tables behind member
    -- row types
    SELECT m.object, c.*
    FROM member m JOIN pg_class c ON m.classid = 'pg_class'::regclass AND c.oid = m.objid
    UNION ALL
    SELECT m.object, c.*
    FROM member m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
    JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
), col AS (
    SELECT r.object, a.*,
           row_number() OVER (PARTITION BY r.oid ORDER BY a.attnum) AS position
    FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid
    WHERE a.attnum > 0 AND NOT a.attisdropped
)
-- the extension itself
SELECT 'extension ' || ext, 'schema', n.nspname::text
FROM e JOIN pg_namespace n ON n.oid = e.extnamespace
UNION ALL
SELECT 'extension ' || ext, 'relocatable', e.extrelocatable::text FROM e
UNION ALL
SELECT 'extension ' || ext, 'configuration table',
       format('%s WHERE %s', c.relname, coalesce(nullif(cond.condition, ''), 'true'))
FROM e, unnest(e.extconfig, e.extcondition) AS cond(relid, condition)
JOIN pg_class c ON c.oid = cond.relid
UNION ALL
-- members, their owners, comments and privileges
SELECT m.object, 'member', 'yes' FROM member m
UNION ALL
SELECT m.object, 'comment', obj_description(m.objid, m.classid::regclass::text)
FROM member m WHERE obj_description(m.objid, m.classid::regclass::text) IS NOT NULL
UNION ALL
SELECT f.object, 'owner', pg_get_userbyid(f.proowner)::text FROM func f
UNION ALL
SELECT f.object, 'privileges', f.proacl::text FROM func f
UNION ALL
SELECT r.object, 'owner', pg_get_userbyid(r.relowner)::text FROM rel r
UNION ALL
SELECT r.object, 'privileges', r.relacl::text FROM rel r
UNION ALL
-- functions
SELECT f.object, 'identity arguments', pg_get_function_identity_arguments(f.oid) FROM func f
UNION ALL
SELECT f.object, 'arguments', pg_get_function_arguments(f.oid) FROM func f
UNION ALL
SELECT f.object, 'result', pg_get_function_result(f.oid) FROM func f
UNION ALL
SELECT f.object, 'attributes',
       format('kind %s, language %s, volatility %s, parallel %s, strict %s, security definer %s, leakproof %s, cost %s, rows %s',
              f.prokind, l.lanname, f.provolatile, f.proparallel, f.proisstrict,
              f.prosecdef, f.proleakproof, f.procost, f.prorows)
FROM func f JOIN pg_language l ON l.oid = f.prolang
UNION ALL
SELECT f.object, 'prosrc', f.prosrc FROM func f
UNION ALL
SELECT f.object, 'probin', f.probin FROM func f
UNION ALL
SELECT f.object, 'proconfig', f.proconfig::text FROM func f
UNION ALL
SELECT f.object, 'definition', pg_get_functiondef(f.oid) FROM func f WHERE f.prokind <> 'a'
UNION ALL
-- types: composite types' columns come with the relations below
SELECT m.object, 'type',
       format('type %s, category %s, element %s, base %s, not null %s, default %s',
              t.typtype, t.typcategory, format_type(nullif(t.typelem, 0), NULL),
              format_type(nullif(t.typbasetype, 0), t.typtypmod), t.typnotnull,
              t.typdefault)
FROM member m JOIN pg_type t ON m.classid = 'pg_type'::regclass AND t.oid = m.objid
UNION ALL
SELECT m.object, 'label ' || en.enumsortorder, en.enumlabel::text
FROM member m JOIN pg_enum en ON m.classid = 'pg_type'::regclass AND en.enumtypid = m.objid
UNION ALL
SELECT m.object, 'constraint ' || co.conname, pg_get_constraintdef(co.oid)
FROM member m JOIN pg_constraint co ON m.classid = 'pg_type'::regclass AND co.contypid = m.objid
UNION ALL
-- tables, views, sequences and composite types
SELECT r.object, 'relation',
       format('kind %s, persistence %s, of type %s, options %s, row security %s/%s, replica identity %s',
              r.relkind, r.relpersistence, format_type(nullif(r.reloftype, 0), NULL),
              r.reloptions, r.relrowsecurity, r.relforcerowsecurity, r.relreplident)
FROM rel r
UNION ALL
SELECT c.object, 'column ' || c.position,
       format('%I %s%s%s%s%s%s', c.attname, format_type(c.atttypid, c.atttypmod),
              CASE WHEN c.attcollation NOT IN (0, 100)
                   THEN ' COLLATE ' || (SELECT quote_ident(collname) FROM pg_collation
                                        WHERE oid = c.attcollation) END,
              CASE WHEN c.attnotnull THEN ' NOT NULL' END,
              CASE WHEN c.attidentity <> '' THEN ' IDENTITY ' || c.attidentity::text END,
              CASE WHEN c.attgenerated <> '' THEN ' GENERATED ' || c.attgenerated::text END,
              (SELECT ' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
               WHERE d.adrelid = c.attrelid AND d.adnum = c.attnum))
FROM col c
UNION ALL
SELECT c.object, 'column ' || c.attname || ' comment', col_description(c.attrelid, c.attnum)
FROM col c WHERE col_description(c.attrelid, c.attnum) IS NOT NULL
UNION ALL
SELECT c.object, 'column ' || c.attname || ' privileges', c.attacl::text
FROM col c WHERE c.attacl IS NOT NULL
UNION ALL
SELECT r.object, 'constraint ' || co.conname,
       pg_get_constraintdef(co.oid) || CASE WHEN co.condeferrable THEN ' DEFERRABLE' ELSE '' END
FROM rel r JOIN pg_constraint co ON co.conrelid = r.oid
UNION ALL
SELECT r.object, 'index ' || i.relname, pg_get_indexdef(i.oid)
FROM rel r JOIN pg_index x ON x.indrelid = r.oid JOIN pg_class i ON i.oid = x.indexrelid
UNION ALL
SELECT r.object, 'trigger ' || tg.tgname, pg_get_triggerdef(tg.oid)
FROM rel r JOIN pg_trigger tg ON tg.tgrelid = r.oid AND NOT tg.tgisinternal
UNION ALL
SELECT r.object, 'policy ' || po.polname,
       format('%s %s to %s using %s check %s', po.polcmd, po.polpermissive,
              (SELECT string_agg(CASE WHEN ro = 0 THEN 'public' ELSE pg_get_userbyid(ro)::text END,
                                 ', ' ORDER BY 1)
               FROM unnest(po.polroles) AS ro),
              pg_get_expr(po.polqual, po.polrelid), pg_get_expr(po.polwithcheck, po.polrelid))
FROM rel r JOIN pg_policy po ON po.polrelid = r.oid
UNION ALL
SELECT r.object, 'rule ' || ru.rulename, pg_get_ruledef(ru.oid)
FROM rel r JOIN pg_rewrite ru ON ru.ev_class = r.oid AND r.relkind NOT IN ('v', 'm')
UNION ALL
SELECT r.object, 'query', pg_get_viewdef(r.oid) FROM rel r WHERE r.relkind IN ('v', 'm')
UNION ALL
SELECT r.object, 'sequence',
       format('%s start %s increment %s min %s max %s cache %s cycle %s',
              format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
              s.seqmax, s.seqcache, s.seqcycle)
FROM rel r JOIN pg_sequence s ON s.seqrelid = r.oid
UNION ALL
-- operators and casts
SELECT m.object, 'operator',
       format('function %s, commutator %s, negator %s, restrict %s, join %s',
              o.oprcode::regprocedure, nullif(o.oprcom, 0)::regoperator,
              nullif(o.oprnegate, 0)::regoperator, o.oprrest, o.oprjoin)
FROM member m JOIN pg_operator o ON m.classid = 'pg_operator'::regclass AND o.oid = m.objid
UNION ALL
SELECT m.object, 'cast',
       format('function %s, context %s, method %s',
              nullif(ca.castfunc, 0)::regprocedure, ca.castcontext, ca.castmethod)
FROM member m JOIN pg_cast ca ON m.classid = 'pg_cast'::regclass AND ca.oid = m.objid
$$;

-- The newest version, and every version in order, oldest first.  Versions
-- are dotted numbers.
CREATE VIEW lc_upgrade.versions AS
SELECT v.version, v.version = a.default_version AS newest,
       row_number() OVER (ORDER BY string_to_array(v.version, '.')::int[]) AS n
FROM pg_available_extension_versions v
JOIN pg_available_extensions a ON a.name = v.name
WHERE v.name = 'leadconv'
  AND string_to_array(v.version, '.')::int[] <= string_to_array(a.default_version, '.')::int[];

-- A fresh install of the newest version.
CREATE EXTENSION leadconv;
CREATE TABLE lc_upgrade.fresh AS SELECT * FROM lc_upgrade.describe('leadconv');
DROP EXTENSION leadconv;

-- Each version, updated one version at a time to the newest; what differs
-- from the fresh install, or fails on the way.
CREATE TABLE lc_upgrade.problems (
    start_version text, problem text, object text, property text, value text);

DO $$
DECLARE
    start record;
    step record;
BEGIN
    FOR start IN SELECT * FROM lc_upgrade.versions ORDER BY n LOOP
        BEGIN
            EXECUTE format('CREATE EXTENSION leadconv VERSION %L', start.version);
            FOR step IN SELECT * FROM lc_upgrade.versions WHERE n > start.n ORDER BY n LOOP
                EXECUTE format('ALTER EXTENSION leadconv UPDATE TO %L', step.version);
                IF (SELECT extversion FROM pg_extension WHERE extname = 'leadconv')
                   IS DISTINCT FROM step.version THEN
                    RAISE EXCEPTION 'ALTER EXTENSION leadconv UPDATE TO % did not reach it',
                        step.version;
                END IF;
            END LOOP;
            INSERT INTO lc_upgrade.problems
            SELECT start.version, 'missing after update', d.*
            FROM (SELECT * FROM lc_upgrade.fresh
                  EXCEPT SELECT * FROM lc_upgrade.describe('leadconv')) d;
            INSERT INTO lc_upgrade.problems
            SELECT start.version, 'extra after update', d.*
            FROM (SELECT * FROM lc_upgrade.describe('leadconv')
                  EXCEPT SELECT * FROM lc_upgrade.fresh) d;
            INSERT INTO lc_upgrade.problems
            SELECT start.version, 'version after update', 'extension leadconv',
                   'version', extversion
            FROM pg_extension e, lc_upgrade.versions v
            WHERE e.extname = 'leadconv' AND v.newest AND e.extversion <> v.version;
            DROP EXTENSION leadconv;
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO lc_upgrade.problems
            VALUES (start.version, 'error', NULL, NULL, SQLERRM);
        END;
    END LOOP;
END $$;

-- the fresh install describes something, and is the default version
SELECT count(*) FILTER (WHERE property = 'member') > 0 AS has_members,
       count(*) FILTER (WHERE property = 'definition') > 0 AS has_functions
FROM lc_upgrade.fresh;
SELECT bool_or(newest) AS newest_is_listed, count(*) > 0 AS versions_tested
FROM lc_upgrade.versions;

-- no differences, for any version
SELECT * FROM lc_upgrade.problems ORDER BY 1, 2, 3, 4, 5;

-- Back to the regression database: its extension (installed by setup) is
-- updated to the newest version, and the scratch database goes.
\c :"regress_db"
SET client_min_messages = warning;
ALTER EXTENSION leadconv UPDATE;
SELECT e.extversion = a.default_version AS at_newest_version
FROM pg_extension e JOIN pg_available_extensions a ON a.name = e.extname
WHERE e.extname = 'leadconv';
DROP DATABASE :"upgrade_db";
RESET client_min_messages;
