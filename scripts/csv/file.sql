-- The CSV loader, one file (after begin.sql, in the same session): reads
-- $LC_DIR/TABLE.csv into TABLE and records what it repaired or rejected.
--
-- psql variable: table.  Environment: LC_DIR (the folder), LC_SPLIT (the
-- path of split.pl), LC_ROWS (a file split.pl may write).
\set file :table '.csv'
SELECT count(*) AS ncols FROM lc_col WHERE tbl = :'table' \gset
\setenv LC_TABLE :table
\setenv LC_NCOLS :ncols

-- 1. The records that are not plain lines, from split.pl (the plain lines
-- are in $LC_ROWS for COPY), and its summary (line 0).
TRUNCATE lc_rec, lc_map, lc_fix;
\copy lc_rec (line, nlines, status, rec, fields, quoted_null) FROM PROGRAM 'perl "$LC_SPLIT" "$LC_NCOLS" "$LC_DIR/$LC_TABLE.csv" "$LC_ROWS"'
SELECT nlines, rec AS ncr FROM lc_rec WHERE line = 0 \gset
DELETE FROM lc_rec WHERE line = 0;

INSERT INTO load_rejects
SELECT :'file', 1, NULL, 'U+FEFF', 'byte order mark at the start of the file: dropped', ''
FROM lc_rec WHERE status = 'bom';
DELETE FROM lc_rec WHERE status = 'bom';

UPDATE lc_rec SET kind = 'blank'     -- (a blank line parses, as one field)
WHERE status = 'ok' AND nlines = 1 AND cardinality(fields) = 1 AND rec ~ '^[[:space:]]*$';

-- 2. The header: the first record not blank, when it parses and at least
-- half its fields, trimmed and in any case, name columns of the table.
UPDATE lc_rec SET kind = 'header'
WHERE line = (SELECT min(line) FROM lc_rec WHERE kind IS NULL) AND status = 'ok'
  AND (SELECT count(*) FILTER (WHERE lower(btrim(v, E' \t')) IN (SELECT col FROM lc_col WHERE tbl = :'table'))
              >= greatest(1, ceil(count(*) / 2.0))
       FROM unnest(fields) v);

-- Field i -> column: by the header's names (the first of a name repeated),
-- else by position.
INSERT INTO lc_map
SELECT u.i, c.col, u.name
FROM lc_head h
CROSS JOIN LATERAL unnest(h.names) WITH ORDINALITY u(name, i)
LEFT JOIN lc_col c ON c.tbl = :'table' AND c.col = u.name
     AND u.i = (SELECT min(i2) FROM unnest(h.names) WITH ORDINALITY v(n2, i2) WHERE n2 = u.name)
UNION ALL
SELECT c.pos, c.col, c.col
FROM lc_col c
WHERE c.tbl = :'table' AND NOT EXISTS (SELECT FROM lc_head);
SELECT count(*) AS nfields FROM lc_map \gset

INSERT INTO load_rejects
SELECT :'file', h.line, m.name, m.name,
       CASE WHEN EXISTS (SELECT FROM lc_col c WHERE c.tbl = :'table' AND c.col = m.name)
            THEN 'header column repeated: ignored'
            ELSE 'header column not in the table: ignored' END, NULL
FROM lc_map m, lc_head h WHERE m.col IS NULL
UNION ALL
SELECT :'file', h.line, c.col, NULL, 'table column absent from the header: loaded as NULL', NULL
FROM lc_col c, lc_head h
WHERE c.tbl = :'table' AND NOT EXISTS (SELECT FROM lc_map m WHERE m.col = c.col);

-- 3. Records that are not rows: the header repeated, rows that cannot be loaded.
UPDATE lc_rec r SET kind = 'repeated header'
FROM lc_head h WHERE r.line > h.line AND r.kind IS NULL AND r.status = 'ok' AND r.rec = h.rec;
UPDATE lc_rec SET kind = 'row rejected'
WHERE kind IS NULL AND (status <> 'ok' OR cardinality(fields) <> :nfields);
UPDATE lc_rec SET kind = 'row' WHERE kind IS NULL;

INSERT INTO load_rejects
SELECT :'file', line, NULL, rec,
       CASE WHEN kind = 'blank' THEN 'blank line: skipped'
            WHEN kind = 'repeated header' THEN 'header line repeated: skipped'
            WHEN status = 'nul' THEN 'NUL byte in the line: row not loaded'
            WHEN status = 'bad_utf8' THEN 'line is not valid UTF-8: row not loaded'
            WHEN status = 'malformed' THEN 'malformed CSV quoting: row not loaded'
            ELSE format('%s fields, expected %s: row not loaded', cardinality(fields), :nfields) END,
       NULL
FROM lc_rec WHERE kind IN ('blank', 'repeated header', 'row rejected')
ORDER BY line;

-- 4. The rows, a text column per field: COPY reads the plain lines, the
-- others come from their records.
DROP TABLE IF EXISTS lc_stage;
SELECT format('CREATE TEMP TABLE lc_stage (line integer, quoted_null integer[], %s)',
              string_agg(format('f%s text', i), ', ' ORDER BY i))
FROM generate_series(1, :nfields) i
\gexec
\copy lc_stage FROM PROGRAM 'cat "$LC_ROWS"' WITH (FORMAT csv, ESCAPE '\')
SELECT count(*) AS nplain FROM lc_stage \gset
SELECT format('INSERT INTO lc_stage SELECT line, quoted_null, %s FROM lc_rec WHERE kind = %L ORDER BY line',
              string_agg(format('fields[%s]', i), ', ' ORDER BY i), 'row')
FROM generate_series(1, :nfields) i
\gexec

-- 5. Values: per column, one statement finds those the rules change
-- (rules.sql): of the values lc_plain() does not pass, or in a JSON column
-- whose values all parse, of the word NULL ...
SELECT format($q$
    INSERT INTO lc_fix
    SELECT s.line, %1$s, s.f%1$s, c.loaded, c.reason, c.note
    FROM lc_stage s
    CROSS JOIN LATERAL pg_temp.lc_convert(s.f%1$s, coalesce(%1$s = ANY (s.quoted_null), false),
                                          %2$L, %3$L, %4$s) c
    WHERE s.f%1$s IS NOT NULL AND %5$s
      AND (c.reason IS NOT NULL OR c.note IS NOT NULL)$q$,
              m.i, c.kind, c.typ, coalesce(c.maxlen::text, 'NULL'),
              CASE WHEN c.typ = 'json' AND pg_temp.lc_all_json('f' || m.i) THEN format('s.f%s = %L', m.i, 'NULL')
                   ELSE format('NOT pg_temp.lc_plain(s.f%s, %L, %s)', m.i, c.kind, coalesce(c.maxlen::text, 'NULL'))
              END)
FROM lc_map m JOIN lc_col c ON c.tbl = :'table' AND c.col = m.col
ORDER BY m.i
\gexec

INSERT INTO load_rejects
SELECT :'file', f.line, m.col, f.value, f.reason, f.loaded
FROM lc_fix f JOIN lc_map m USING (i) WHERE f.reason IS NOT NULL ORDER BY f.line, f.i;
INSERT INTO lc_note
SELECT :'file', m.col, c.pos, f.line, f.value, f.loaded
FROM lc_fix f JOIN lc_map m USING (i) JOIN lc_col c ON c.tbl = :'table' AND c.col = m.col
WHERE f.note IS NOT NULL;

-- ... and one statement writes them.
SELECT format('UPDATE lc_stage s SET f%1$s = f.loaded FROM lc_fix f WHERE f.i = %1$s AND f.line = s.line', i)
FROM (SELECT DISTINCT i FROM lc_fix) f ORDER BY i
\gexec

-- 6. Into the table, in file order.
SELECT format('INSERT INTO %I.%I (%s) SELECT %s FROM lc_stage ORDER BY line',
              current_schema(), :'table',
              string_agg(format('%I', c.col), ', ' ORDER BY c.pos),
              string_agg(format('f%s::%s', m.i, c.typ), ', ' ORDER BY c.pos))
FROM lc_map m JOIN lc_col c ON c.tbl = :'table' AND c.col = m.col
\gexec

-- 7. The counts, which finish.sql checks and reports.
INSERT INTO lc_count
SELECT :'file', :'table', :nlines, :ncr,
       :nplain + (SELECT coalesce(sum(nlines), 0) FROM lc_rec),
       :nplain + (SELECT count(*) FROM lc_rec),
       (SELECT count(*) FROM lc_rec WHERE kind = 'header'),
       (SELECT count(*) FROM lc_rec WHERE kind = 'blank'),
       (SELECT count(*) FROM lc_stage),
       (SELECT count(*) FROM lc_rec WHERE kind IN ('row rejected', 'repeated header')),
       (SELECT count(*) FROM lc_rec WHERE nlines > 1);
