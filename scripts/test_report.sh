#!/usr/bin/env bash
# Part of make test: `make report` writes CSV files whose rows are exactly the
# functions' rows, and a page whose figures are the functions' figures, from
# the project's sample, from the brief's setup.sql and from the brief's CSV
# files (the last two when ../shared is there); headless Chromium draws the
# brief's page.  Then `make report DB=...` against databases of a cluster
# this test starts: the brief's data with leadconv not yet created, a role
# that does not own the facts, a non-superuser, no such database, one
# branch, no users, the sources and leadconv in schemas of their own.
# Expects leadconv built and installed (make test does it first).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

BRIEF='users=100 leads=9 clients=91 clients_by_membership=75 clients_by_user_credit=16'
SHOT=1100x8000

# check_page NAME DIR [name=value ... message=KEY]: the page's figures, and
# Chromium's screenshot of it unless NAME is -.
check_page() {
    local name=$1 dir=$2 shot=-
    shift 2
    if [ "$name" != - ]; then
        shot=$tmp/$name.png
        page_screenshot "$dir/report.html" "$shot" "$SHOT"
    fi
    /usr/bin/python3 scripts/check_report_page.py "$dir/report.html" "$shot" ${SHOT/x/ } "$@"
}

# same_csv NAME DIR REFERENCE_DIR: Part 1 and Part 2 as the functions give them
same_csv() {
    local f
    for f in fct_client_conversion_events.csv fct_lead_conversions.csv; do
        cmp -s "$2/$f" "$3/$f" || {
            diff "$2/$f" "$3/$f" | head; echo "FAIL: $1: $f differs from the functions"; exit 1; }
    done
}

# The part run inside a cluster: make report DB=... against databases there.
if [ "${1:-}" = --own-db ]; then
    tmp=$2 ref=$3
    q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
    # report NAME [VAR=value ...]: make report with those settings, its log in $tmp/NAME.log
    report() {
        local name=$1
        shift
        env LEADCONV_SKIP_BUILD=1 OUT="$tmp/$name" "$@" bash scripts/report.sh >"$tmp/$name.log" 2>&1
    }
    says() { grep -q -- "$2" "$tmp/$1.log" || { cat "$tmp/$1.log"; echo "FAIL: $1: the report did not say: $2"; exit 1; }; }
    succeeds() { report "$@" || { cat "$tmp/$1.log"; echo "FAIL: make report ($1) failed"; exit 1; }; }
    fails() { ! report "$@" || { cat "$tmp/$1.log"; echo "FAIL: make report ($1) did not fail"; exit 1; }; }
    # everything of the brief's seven tables: their columns and rows
    brief_tables() {
        local t tables='dim_branch dim_user fct_membership_purchases fct_credit_pack_purchases
            fct_client_conversion_events_part_2 fct_client_conversion_events fct_lead_conversions'
        q -d "$1" -c "SELECT string_agg(table_name || '.' || column_name || ' ' || data_type, ', ' ORDER BY table_name, ordinal_position)
                      FROM information_schema.columns
                      WHERE table_schema = 'public' AND table_name = ANY (string_to_array('${tables//[[:space:]]/ }', ' '))"
        for t in $tables; do
            q -d "$1" -c "SELECT '$t', count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM $t t"
        done
    }

    createdb glofox
    q -d glofox -f ../shared/glofox/setup.sql >/dev/null
    before=$(brief_tables glofox)
    succeeds own DB=glofox
    says own 'creating extension leadconv 1.2 in database glofox (schema public)'
    says own 'refreshing the facts (leadconv_refresh)'
    says own 'your tables are left as they are'
    same_csv own "$tmp/own" "$ref"
    check_page - "$tmp/own" $BRIEF
    [ "$(brief_tables glofox)" = "$before" ] || { echo "FAIL: make report DB=glofox changed the brief's tables"; exit 1; }
    succeeds again DB="dbname=glofox"
    says again 'refreshing the facts (leadconv_refresh) from schema public'
    ! grep -q 'creating extension' "$tmp/again.log" || { echo "FAIL: the extension was created twice"; exit 1; }
    echo "ok: make report DB=glofox: created leadconv, refreshed the facts, CSV files and page equal the functions', the brief's tables unchanged"

    q -d glofox -c "CREATE ROLE reader LOGIN PASSWORD 'reader'" -c 'GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader'
    fails reader DB="postgresql://reader:reader@$PGHOST:$PGPORT/glofox"
    says reader 'belong to role postgres, and only that role'
    says reader 'REFRESH=no'
    ! grep -q reader:reader "$tmp/reader.log" || { echo "FAIL: the report printed the password"; exit 1; }
    succeeds reader-as-is DB="postgresql://reader:reader@$PGHOST:$PGPORT/glofox" REFRESH=no
    says reader-as-is 'reporting the facts as they are (REFRESH=no): source schema public'
    same_csv reader-as-is "$tmp/reader-as-is" "$ref"
    echo "ok: make report as a role that does not own the facts: says whose they are; REFRESH=no reports them"

    createdb other
    q -d other -f ../shared/glofox/setup.sql >/dev/null
    fails no-super DB="dbname=other user=reader password=reader"
    says no-super 'creating it needs a superuser'
    fails nowhere DB=nosuchdb
    says nowhere 'cannot connect'
    says nowhere 'DB=postgresql://USER@HOST:5432/glofox'
    echo "ok: make report says what it needs: a superuser to create leadconv, a database it can connect to"

    createdb gyms
    q -d gyms -c 'CREATE SCHEMA gym' -c 'CREATE SCHEMA lc' -c 'CREATE EXTENSION leadconv SCHEMA lc'
    PGOPTIONS='-c search_path=gym' q -d gyms -f ../shared/glofox/setup.sql >/dev/null
    PGOPTIONS='-c search_path=gym' q -d gyms -c 'SELECT count(*) FROM lc.leadconv_refresh()' >/dev/null
    succeeds schemas DB=gyms
    says schemas 'from schema gym'
    same_csv schemas "$tmp/schemas" "$ref"
    echo "ok: make report with the sources in schema gym and leadconv in schema lc, neither on search_path"

    createdb onebranch
    q -d onebranch -f ../shared/glofox/setup.sql >/dev/null
    q -d onebranch -c "DELETE FROM dim_user WHERE branch_id IS DISTINCT FROM '183bf829-76c2-44c7-8a20-b5c8b073efcb'"
    succeeds onebranch DB=onebranch
    check_page onebranch "$tmp/onebranch" users=20 clients=20 branches=1 message=one-branch
    createdb empty
    q -d empty -f ../shared/glofox/setup.sql >/dev/null
    q -d empty -c 'TRUNCATE dim_user, fct_membership_purchases, fct_credit_pack_purchases'
    succeeds empty DB=empty
    check_page empty "$tmp/empty" users=0 clients=0 message=no-users
    exit
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The functions' rows as CSV, ordered as the report orders them, and their
# headline figures, computed from the data a psql script loads.
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
        psql -X -At -d ref -c "
            SELECT format(\$\$users=%s leads=%s clients=%s clients_by_membership=%s clients_by_user_credit=%s\$\$,
                          count(*), count(*) FILTER (WHERE lead_status = \$\$LEAD\$\$),
                          count(*) FILTER (WHERE lead_status = \$\$CLIENT\$\$),
                          count(*) FILTER (WHERE client_conversion_event_type = \$\$MEMBERSHIP\$\$),
                          count(*) FILTER (WHERE client_conversion_event_type = \$\$USER_CREDIT\$\$))
            FROM leadconv_client_events()" >$REF_OUT/headline
    ' >/dev/null 2>&1
}

# report_equals NAME REFERENCE_DIR ROWS_PART1 ROWS_PART2 [make report args]
report_equals() {
    local name=$1 ref=$2 rows1=$3 rows2=$4
    shift 4
    LEADCONV_SKIP_BUILD=1 OUT="$tmp/$name" "$@" bash scripts/report.sh >"$tmp/$name.log" 2>&1 || {
        cat "$tmp/$name.log"; echo "FAIL: make report ($name) failed"; exit 1; }
    same_csv "$name" "$tmp/$name" "$ref"
    [ -s "$tmp/$name/anomalies.csv" ] || { echo "FAIL: $name: no anomalies.csv"; exit 1; }
    # rows as COPY counted them (values may hold line breaks)
    grep -Eq "fct_client_conversion_events.csv +$rows1 rows" "$tmp/$name.log" &&
        grep -Eq "fct_lead_conversions.csv +$rows2 rows" "$tmp/$name.log" || {
            echo "FAIL: $name: expected $rows1 and $rows2 rows"; exit 1; }
    grep -q "all branches" "$tmp/$name.log" || { echo "FAIL: $name: no summary table"; exit 1; }
    check_page - "$tmp/$name" $(cat "$ref/headline") >/dev/null
    echo "ok: make report ($name): $rows1 and $rows2 rows, equal to the functions'; the page's figures too"
}

reference sample/sample.sql "$tmp/ref-sample"
report_equals sample "$tmp/ref-sample" 200 473 env

if [ -r ../shared/glofox/setup.sql ]; then
    reference ../shared/glofox/setup.sql "$tmp/ref-brief"
    [ "$(cat "$tmp/ref-brief/headline")" = "$BRIEF" ] ||
        { echo "FAIL: the functions give $(cat "$tmp/ref-brief/headline") on the brief's data"; exit 1; }
    report_equals setup "$tmp/ref-brief" 100 248 env SETUP=../shared/glofox/setup.sql
    check_page setup "$tmp/setup" $BRIEF
    report_equals csv "$tmp/ref-brief" 100 248 env CSV_DIR=../shared/glofox/data
    grep -q "glued together" "$tmp/csv.log" ||
        { echo "FAIL: the CSV loader did not report the glued timestamps"; exit 1; }
    with_cluster bash "$0" --own-db "$tmp" "$tmp/ref-brief"
else
    echo "skipped: make report on the brief's data (../shared/glofox is absent)"
fi

# make's command line may name the database as PGDATABASE, the environment may not
[ "$(make -s -n report PGDATABASE=glofox | grep -o 'DB="[^"]*"')" = 'DB="glofox"' ] &&
    [ "$(PGDATABASE=glofox make -s -n report | grep -o 'DB="[^"]*"')" = 'DB=""' ] ||
    { echo "FAIL: make report PGDATABASE=... is not read as DB, or an exported PGDATABASE is"; exit 1; }
echo "ok: make report PGDATABASE=glofox means DB=glofox; an exported PGDATABASE does not"
