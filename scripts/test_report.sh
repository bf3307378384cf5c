#!/usr/bin/env bash
# Part of make test: `make report` writes CSV files whose rows are exactly the
# functions' rows, from the project's sample, from the brief's setup.sql and
# from the brief's CSV files (the last two when ../shared is there).
# Expects leadconv built and installed (make test does it first).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The functions' rows as CSV, ordered as the report orders them, computed
# from the data a psql script loads.
reference() {
    local load=$1 out=$2
    mkdir -p "$out"
    REF_LOAD=$load REF_OUT=$out with_cluster bash -c '
        set -e
        export PGDATESTYLE=ISO
        createdb ref
        psql -X -q -v ON_ERROR_STOP=1 -d ref -f "$REF_LOAD" >/dev/null
        psql -X -q -v ON_ERROR_STOP=1 -d ref -c "CREATE EXTENSION leadconv" \
            -c "\copy (SELECT * FROM leadconv_client_events() ORDER BY user_id COLLATE \"C\") TO $REF_OUT/fct_client_conversion_events.csv WITH (FORMAT csv, HEADER)" \
            -c "\copy (SELECT * FROM leadconv_lead_conversions() ORDER BY user_id COLLATE \"C\", client_conversion_event_filter) TO $REF_OUT/fct_lead_conversions.csv WITH (FORMAT csv, HEADER)"
    ' >/dev/null 2>&1
}

# report_equals NAME REFERENCE_DIR ROWS_PART1 ROWS_PART2 [make report args]
report_equals() {
    local name=$1 ref=$2 rows1=$3 rows2=$4 f
    shift 4
    LEADCONV_SKIP_BUILD=1 OUT="$tmp/$name" "$@" bash scripts/report.sh >"$tmp/$name.log" 2>&1 || {
        cat "$tmp/$name.log"; echo "FAIL: make report ($name) failed"; exit 1; }
    for f in fct_client_conversion_events.csv fct_lead_conversions.csv; do
        cmp -s "$tmp/$name/$f" "$ref/$f" || {
            diff "$tmp/$name/$f" "$ref/$f" | head; echo "FAIL: $name: $f differs from the functions"; exit 1; }
    done
    [ -s "$tmp/$name/anomalies.csv" ] || { echo "FAIL: $name: no anomalies.csv"; exit 1; }
    # rows as COPY counted them (values may hold line breaks)
    grep -Eq "fct_client_conversion_events.csv +$rows1 rows" "$tmp/$name.log" &&
        grep -Eq "fct_lead_conversions.csv +$rows2 rows" "$tmp/$name.log" || {
            echo "FAIL: $name: expected $rows1 and $rows2 rows"; exit 1; }
    grep -q "all branches" "$tmp/$name.log" || { echo "FAIL: $name: no summary table"; exit 1; }
    echo "ok: make report ($name): $rows1 and $rows2 rows, equal to the functions'"
}

reference sample/sample.sql "$tmp/ref-sample"
report_equals sample "$tmp/ref-sample" 200 473 env

if [ -r ../shared/glofox/setup.sql ]; then
    reference ../shared/glofox/setup.sql "$tmp/ref-brief"
    report_equals setup "$tmp/ref-brief" 100 248 env SETUP=../shared/glofox/setup.sql
    report_equals csv "$tmp/ref-brief" 100 248 env CSV_DIR=../shared/glofox/data
    grep -q "glued together" "$tmp/csv.log" ||
        { echo "FAIL: the CSV loader did not report the glued timestamps"; exit 1; }
else
    echo "skipped: make report on the brief's data (../shared/glofox is absent)"
fi
