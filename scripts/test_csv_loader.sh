#!/usr/bin/env bash
# Part of make test: the CSV loader (scripts/load_csv.sh) on deliberately
# broken files.  For each case of test/csv/README.md, what the loader prints,
# its exit status, load_rejects and the tables it filled must equal
# test/csv/expected/CASE.out.  Needs only PostgreSQL 15 (a throwaway
# cluster), not leadconv.
#
#   scripts/test_csv_loader.sh            compare
#   scripts/test_csv_loader.sh --record   write the expected files anew
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

if [ -z "${LC_CSV_TEST_IN_CLUSTER:-}" ]; then
    LC_CSV_TEST_IN_CLUSTER=1 with_cluster bash "$0" "$@"
    exit
fi

root=$PWD
record=false
[ "${1:-}" = --record ] && record=true
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The loader runs in $tmp on copies, so that its messages name no absolute path.
cp -r test/csv/broken test/csv/clean "$tmp"/
cp -r test/csv/clean "$tmp"/clean_blank
for f in "$tmp"/clean_blank/*.csv; do echo >> "$f"; done   # a blank last line: not well formed
mkdir "$tmp"/missing && cp test/csv/clean/dim_branch.csv "$tmp"/missing/
[ -d ../shared/glofox/data ] && cp -r ../shared/glofox/data "$tmp"/glofox

# load [ARGS]: the loader's output (without its timing and paths) and exit status
load() {
    local rc=0
    echo "\$ load_csv.sh $*"
    (cd "$tmp" && bash "$root/scripts/load_csv.sh" "$@") >"$tmp/log" 2>&1 || rc=$?
    sed -e "s|$root/||g" -e '/^load_csv: done in /d' -e 's/^psql:[^ ]*:[0-9]*: //' -e '/^CONTEXT: /d' "$tmp/log"
    echo "exit $rc"
}

# dump SCHEMA: the tables of a load, in their stored order, and load_rejects
dump() {
    local t
    for t in dim_branch dim_user fct_membership_purchases fct_credit_pack_purchases \
             fct_client_conversion_events_part_2 fct_client_conversion_events fct_lead_conversions; do
        echo "== $1.$t"
        psql -X -q -v ON_ERROR_STOP=1 -c "COPY \"$1\".$t TO STDOUT"
    done
    echo "== $1.load_rejects"
    psql -X -q -v ON_ERROR_STOP=1 -c "COPY (SELECT * FROM \"$1\".load_rejects
        ORDER BY file COLLATE \"C\", line, field COLLATE \"C\" NULLS FIRST,
                 reason COLLATE \"C\", value COLLATE \"C\") TO STDOUT"
}

# check CASE: compare (or record) the output of the commands that follow
failed=0
check() {
    local name=$1
    shift
    createdb "$name"
    PGDATABASE=$name "$@" >"$tmp/$name.out" 2>&1 || true
    if $record; then
        cp "$tmp/$name.out" "test/csv/expected/$name.out"
        echo "recorded: $name"
    elif diff -u "test/csv/expected/$name.out" "$tmp/$name.out" >"$tmp/$name.diff"; then
        echo "ok: CSV loader: $name"
    else
        head -60 "$tmp/$name.diff"
        echo "FAIL: CSV loader: $name differs from test/csv/expected/$name.out"
        failed=1
    fi
}

case_broken() { load broken; dump public; }
case_clean() {
    load --schema s1 clean
    load --schema s1 clean             # the tables exist: refused
    load --schema=s1 --replace clean
    dump s1
}
case_clean_blank() { load clean_blank; dump public; }
case_usage() {
    load
    load --bogus clean
    load --schema
    load clean extra
    load nowhere
    load missing
    psql -X -Atc "SELECT count(*) FROM pg_tables WHERE tablename = 'dim_branch'"
}
# The brief's files: what the loader says, then each table by its row count,
# a digest of its rows and how many of them differ from the same table of
# ../shared/glofox/setup.sql (compared as jsonb: the CSV export wrote the
# details' JSON with other spaces); the brief's data stays in ../shared.
case_glofox() {
    local t
    load glofox
    psql -X -q -v ON_ERROR_STOP=1 -c "CREATE SCHEMA brief"
    PGOPTIONS="-c search_path=brief" psql -X -q -v ON_ERROR_STOP=1 -o /dev/null -f "$root/../shared/glofox/setup.sql"
    echo "table|rows|md5 of its rows|not in setup.sql|of setup.sql, not loaded"
    for t in dim_branch dim_user fct_membership_purchases fct_credit_pack_purchases \
             fct_client_conversion_events_part_2 fct_client_conversion_events fct_lead_conversions; do
        psql -X -At -v ON_ERROR_STOP=1 -c "
            SELECT '$t', count(*), md5(coalesce(string_agg(r, E'\n' ORDER BY r COLLATE \"C\"), '')),
                   (SELECT count(*) FROM (SELECT to_jsonb(x) FROM public.$t x
                                          EXCEPT ALL SELECT to_jsonb(x) FROM brief.$t x) d),
                   (SELECT count(*) FROM (SELECT to_jsonb(x) FROM brief.$t x
                                          EXCEPT ALL SELECT to_jsonb(x) FROM public.$t x) d)
            FROM (SELECT x::text AS r FROM public.$t x) s"
    done
    psql -X -At -v ON_ERROR_STOP=1 -c "
        SELECT file, field, reason, count(*) FROM public.load_rejects
        GROUP BY 1, 2, 3 ORDER BY file COLLATE \"C\", field COLLATE \"C\", reason COLLATE \"C\""
}
case_rules() { psql -X -q -v ON_ERROR_STOP=1 -f test/csv/rules.sql; }

check broken case_broken
check clean case_clean
check clean_blank case_clean_blank
check usage case_usage
check rules case_rules
if [ -d "$tmp"/glofox ]; then
    check glofox case_glofox
else
    echo "skipped: CSV loader on the brief's files (../shared/glofox is absent)"
fi
exit $failed
