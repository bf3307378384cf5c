-- The CSV loader, last part (after begin.sql and file.sql for each file, in
-- the same session): every line accounted for, every row loaded once, and
-- the report.

DO $do$
DECLARE r record; n bigint;
BEGIN
    FOR r IN SELECT * FROM lc_count LOOP
        IF r.lines_seen <> r.nlines OR r.header + r.blank + r.loaded + r.rejected <> r.records THEN
            RAISE EXCEPTION 'load_csv: % lines of % not accounted for', r.nlines - r.lines_seen, r.file;
        END IF;
        EXECUTE format('SELECT count(*) FROM %I.%I', current_schema(), r.tbl) INTO n;
        IF n <> r.loaded THEN
            RAISE EXCEPTION 'load_csv: % rows of % parsed, % in table %', r.loaded, r.file, n, r.tbl;
        END IF;
    END LOOP;
END
$do$;

SELECT format('%s -> %s.%s: %s lines read (%s header, %s blank%s), %s %s loaded, %s %s rejected',
              file, current_schema(), tbl, nlines, header, blank,
              CASE WHEN multiline > 0 THEN format(', %s record%s over several lines', multiline,
                                                  CASE WHEN multiline > 1 THEN 's' ELSE '' END) ELSE '' END,
              loaded, CASE WHEN loaded = 1 THEN 'row' ELSE 'rows' END,
              rejected, CASE WHEN rejected = 1 THEN 'row' ELSE 'rows' END)
FROM lc_count ORDER BY file;

SELECT format('NOTE: %s is absent: table %s created empty', t.tbl || '.csv', t.tbl)
FROM lc_target t WHERE NOT t.required AND NOT EXISTS (SELECT FROM lc_count c WHERE c.tbl = t.tbl);

SELECT format('NOTE: %s: lines ending in CR LF, the CR dropped: %s line%s', file, ncr,
              CASE WHEN ncr > 1 THEN 's' ELSE '' END)
FROM lc_count WHERE ncr > 0 ORDER BY file;

SELECT format('NOTE: %s, %s: UTC offset of zero dropped (the same UTC wall clock): %s value%s, e.g. line %s: %L -> %L',
              file, col, count(*), CASE WHEN count(*) > 1 THEN 's' ELSE '' END, min(line),
              (array_agg(value ORDER BY line))[1], (array_agg(loaded ORDER BY line))[1])
FROM lc_note GROUP BY file, col, pos ORDER BY file, pos;

SELECT format('WARNING: %s%s: %s: %s %s%s, e.g. line %s: %L%s',
              file, coalesce(', ' || field, ''), reason, count(*),
              CASE WHEN field IS NULL THEN 'line'
                   WHEN reason LIKE '%header%' THEN 'column' ELSE 'value' END,
              CASE WHEN count(*) > 1 THEN 's' ELSE '' END, min(line),
              left((array_agg(value ORDER BY line))[1], 100),
              CASE WHEN (array_agg(loaded_as ORDER BY line))[1] IS NOT NULL
                   THEN ' -> ' || quote_literal((array_agg(loaded_as ORDER BY line))[1]) ELSE '' END)
FROM load_rejects GROUP BY file, field, reason ORDER BY file, min(line), field, reason;

SELECT format('load_csv: %s rows loaded, %s rows rejected, %s entries in %s.load_rejects',
              (SELECT sum(loaded) FROM lc_count), (SELECT sum(rejected) FROM lc_count),
              (SELECT count(*) FROM load_rejects), current_schema());
