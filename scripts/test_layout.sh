#!/usr/bin/env bash
# Part of make test: a parallel worker whose leadconv library differs from
# its leader's stops with an error instead of reading shared memory laid
# out otherwise.  That happens when a new library is installed while a
# session that has loaded the old one runs: its next parallel call starts
# workers that load the new file.  Here a session calls leadconv, the
# installed library is replaced by a build whose layout word differs
# (LC_LAYOUT_TEST in src/parallel.c), and the same session calls again.
# Run as root (it replaces the installed library, and puts it back)
# against the cluster of the PG* environment, after make install.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_CONFIG=${PG_CONFIG:-pg_config}
lib="$($PG_CONFIG --pkglibdir)/leadconv.so"
work=$(mktemp -d /tmp/leadconv-layout.XXXXXX)
cp "$lib" "$work/installed.so"
restore() {
    # a new file by rename: a running backend keeps the one it mapped
    cp "$work/installed.so" "$lib.tmp" && mv -f "$lib.tmp" "$lib"
    rm -rf "$work"
}
trap restore EXIT

# the library that differs, built from a copy of the tree
mkdir "$work/tree"
cp -r Makefile leadconv.control ./*.sql src "$work/tree/"
make -s -C "$work/tree" PG_CONFIG="$PG_CONFIG" clean
make -s -C "$work/tree" PG_CONFIG="$PG_CONFIG" COPT="-DLC_LAYOUT_TEST=1" >/dev/null
cmp -s "$work/tree/leadconv.so" "$lib" && {
    echo "test_layout: the library built with LC_LAYOUT_TEST is the installed one" >&2
    exit 1
}
export LC_LAYOUT_NEW="$work/tree/leadconv.so" LC_LAYOUT_LIB="$lib"

out=$(psql -X -q -At -v ON_ERROR_STOP=0 2>&1 <<'SQL'
\set schema t_layout
\set details json
\i scripts/test_sources.sql
INSERT INTO dim_user SELECT 'u' || i, NULL, '2024-01-01' FROM generate_series(1, 20000) i;
INSERT INTO fct_membership_purchases
SELECT 'u' || i, 'm' || i, '2024-02-01', '2024-02-01', NULL FROM generate_series(1, 20000) i;
ANALYZE;
-- parts, shared with a worker
SET leadconv.work_mem = '1MB';
SET max_parallel_workers_per_gather = 1;
SET leadconv.max_parallel_workers = 1;
SET client_min_messages = debug1;
SELECT 'before', count(*) FROM leadconv_client_events();
RESET client_min_messages;
\! cp "$LC_LAYOUT_NEW" "$LC_LAYOUT_LIB.tmp" && mv -f "$LC_LAYOUT_LIB.tmp" "$LC_LAYOUT_LIB"
\set VERBOSITY verbose
SELECT 'after', count(*) FROM leadconv_client_events();
\set VERBOSITY default
-- the session goes on; alone, its own library computes
SET leadconv.max_parallel_workers = 0;
SELECT 'alone', count(*) FROM leadconv_client_events();
DROP SCHEMA t_layout CASCADE;
SQL
) || true
fail() {
    echo "test_layout: $1; psql said:" >&2
    echo "$out" >&2
    exit 1
}
grep -q 'leadconv: 1 parallel worker(s) of 1 launched' <<<"$out" ||
    fail "the first call started no worker"
grep -q '^before|20000$' <<<"$out" || fail "the first call did not give 20000 users"
grep -q 'ERROR:  55000: leadconv library of the parallel worker differs from its leader' <<<"$out" ||
    fail "the call with a worker on the other library did not stop with 55000"
grep -q '^after|' <<<"$out" && fail "the call with a worker on the other library gave rows"
grep -q '^alone|20000$' <<<"$out" || fail "the session could not go on alone"
echo "ok: a worker on a library of another layout stopped with 55000, and the session went on"
