#!/usr/bin/env bash
# Part of make test: memory stays within leadconv.work_mem's bounds in the
# passes read back from temporary files, also when exact duplicate
# purchases with jsonb details make the rules compare the documents as text
# (each comparison renders two of them).  2,000 users in many parts, each
# with 10 copies of one purchase whose 8 kB document compresses to little:
# rendered, and never freed, they would take some 300 MB.  Run against the
# cluster of the PG* environment (make test starts one with small
# shared_buffers, so that the backend's peak resident memory is mostly its
# own).  Needs root, to read /proc of the backend.
set -euo pipefail
cd "$(dirname "$0")/.."

limit_kb=$((100 * 1024))
out=$(psql -X -q -v ON_ERROR_STOP=1 -At <<'SQL'
\set schema t_memory
\set details jsonb
\i scripts/test_sources.sql
INSERT INTO dim_user SELECT 'u' || i, NULL, '2024-01-01' FROM generate_series(1, 2000) i;
INSERT INTO fct_membership_purchases
SELECT 'u' || i, 'm' || i, '2024-02-01', '2024-02-01',
       jsonb_build_object('name', repeat('x', 8000), 'copy', 1)
FROM generate_series(1, 2000) i, generate_series(1, 10) copy;
SELECT pg_backend_pid() AS pid \gset
\setenv LC_BACKEND :pid
\! grep VmHWM /proc/$LC_BACKEND/status | tr -s ' ' | cut -d' ' -f2
SET leadconv.work_mem = 1024;
SET leadconv.max_parallel_workers = 0;
SELECT count(*) FROM leadconv_client_events();
\! grep VmHWM /proc/$LC_BACKEND/status | tr -s ' ' | cut -d' ' -f2
SQL
)
read -r before users after <<<"$(echo "$out" | tr '\n' ' ')"
grown=$((after - before))
if [ "$users" != 2000 ]; then
    echo "test_memory: leadconv_client_events() gave $users users, not 2000" >&2
    exit 1
fi
if ((grown > limit_kb)); then
    echo "test_memory: the backend's peak memory grew by $((grown / 1024)) MB (limit $((limit_kb / 1024)) MB)" >&2
    exit 1
fi
echo "ok: the backend's peak memory grew by $((grown / 1024)) MB over 20,000 duplicate jsonb purchases in many parts"
