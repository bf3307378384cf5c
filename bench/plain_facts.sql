-- bench/plain_facts.sql: the plain SQL's fact tables, for `make bench` to
-- race leadconv_refresh() against: materialized views of bench/plain_part1.sql
-- and bench/plain_part2.sql (Part 2 as the facts hold it: every filter,
-- leads only under ALL), carrying the facts' indexes (keys in byte order,
-- as leadconv's).  Created empty; the race times REFRESH MATERIALIZED VIEW.
--
--   psql -f bench/plain_facts.sql      (from the repository's top folder)
\set ON_ERROR_STOP on
\set part1 `sed '$ s/;[[:space:]]*$//' bench/plain_part1.sql`
\set part2 `sed '$ s/;[[:space:]]*$//' bench/plain_part2.sql`

DROP MATERIALIZED VIEW IF EXISTS bench_mv_part1, bench_mv_part2;
CREATE MATERIALIZED VIEW bench_mv_part1 AS :part1
WITH NO DATA;
CREATE MATERIALIZED VIEW bench_mv_part2 AS :part2
WITH NO DATA;

CREATE UNIQUE INDEX bench_mv_part1_pkey ON bench_mv_part1 (user_id COLLATE "C");
CREATE INDEX bench_mv_part1_branch_idx ON bench_mv_part1 (branch_id COLLATE "C");
CREATE UNIQUE INDEX bench_mv_part2_pkey
    ON bench_mv_part2 (user_id COLLATE "C", client_conversion_event_filter COLLATE "C");
CREATE INDEX bench_mv_part2_branch_idx
    ON bench_mv_part2 (branch_id COLLATE "C", client_conversion_event_filter COLLATE "C");
