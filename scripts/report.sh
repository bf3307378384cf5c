#!/usr/bin/env bash
# make report: the lead conversions report, end to end, on a fresh Debian
# machine as root.  Builds and installs leadconv, starts a throwaway
# cluster, loads the data, fills the facts and writes CSV files to $OUT.
#
#   make report                               the project's sample data
#   make report SETUP=../shared/glofox/setup.sql   the brief's database script
#   make report CSV_DIR=../shared/glofox/data      the brief's CSV files
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

OUT=${OUT:-out}
SETUP=${SETUP:-}
CSV_DIR=${CSV_DIR:-}

if [ -z "${LEADCONV_REPORT_IN_CLUSTER:-}" ]; then
    if [ -n "$SETUP" ] && [ -n "$CSV_DIR" ]; then
        echo "report: give SETUP or CSV_DIR, not both" >&2
        exit 2
    fi
    if [ -n "$SETUP" ] && [ ! -r "$SETUP" ]; then
        echo "report: SETUP=$SETUP is not a readable file" >&2
        exit 2
    fi
    if [ -n "$CSV_DIR" ] && [ ! -d "$CSV_DIR" ]; then
        echo "report: CSV_DIR=$CSV_DIR is not a folder" >&2
        exit 2
    fi
    if [ -z "${LEADCONV_SKIP_BUILD:-}" ]; then   # set by make test, which built it
        need_packages
        clear_stale_cluster
        build_install
    fi
    step "starting a throwaway PostgreSQL 15 cluster"
    mkdir -p "$OUT"
    # the rest runs inside the cluster's lifetime
    LEADCONV_REPORT_IN_CLUSTER=1 OUT="$(cd "$OUT" && pwd)" \
        SETUP="${SETUP:+$(realpath "$SETUP")}" CSV_DIR="${CSV_DIR:+$(realpath "$CSV_DIR")}" \
        with_cluster bash "$0"
    exit
fi

export PGDATABASE=glofox PGDATESTYLE=ISO
psql_q() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }

step "creating database glofox"
createdb glofox

if [ -n "$SETUP" ]; then
    step "loading $SETUP"
    psql_q -f "$SETUP" >/dev/null
elif [ -n "$CSV_DIR" ]; then
    step "loading the CSV files of $CSV_DIR"
    bash scripts/load_csv.sh "$CSV_DIR"
else
    step "loading the project's sample data (sample/sample.sql)"
    psql_q -f sample/sample.sql >/dev/null
fi
psql_q -c "SELECT 'rows: ' || string_agg(t || ' ' || n, ', ') FROM (
    SELECT 'dim_branch' t, count(*) n FROM dim_branch UNION ALL
    SELECT 'dim_user', count(*) FROM dim_user UNION ALL
    SELECT 'fct_membership_purchases', count(*) FROM fct_membership_purchases UNION ALL
    SELECT 'fct_credit_pack_purchases', count(*) FROM fct_credit_pack_purchases) c" -At

step "creating the extension"
psql_q -c "CREATE EXTENSION leadconv"

step "filling the fact tables (leadconv_refresh) and the brief's tables (leadconv_populate)"
psql_q -c "SELECT * FROM leadconv_refresh()" -c "SELECT * FROM leadconv_populate()"

step "writing CSV files to $OUT"
export_csv() {
    local copied
    copied=$(psql -X -v ON_ERROR_STOP=1 -c "\\copy ($2) TO '$OUT/$1' WITH (FORMAT csv, HEADER)")
    printf '  %-34s %6d rows\n' "$1" "${copied#COPY }"
}
export_csv fct_client_conversion_events.csv \
    'SELECT * FROM leadconv_fct_client_conversion_events ORDER BY user_id COLLATE "C"'
export_csv fct_lead_conversions.csv \
    'SELECT * FROM leadconv_fct_lead_conversions ORDER BY user_id COLLATE "C", client_conversion_event_filter'
export_csv anomalies.csv 'SELECT * FROM leadconv_anomalies()'
# what the CSV loader could not take as it was, and what it did about it
if [ "$(psql_q -Atc "SELECT to_regclass('load_rejects') IS NOT NULL")" = t ]; then
    export_csv load_rejects.csv 'SELECT * FROM load_rejects'
fi

step "conversion by branch (memberships and credit packs both count)"
psql -X -P footer=off -c "
    SELECT coalesce(branch_id, '(no branch)') AS branch_id, leads, clients,
           to_char(100 * conversion_rate, 'FM990.0') || '%' AS conversion_rate,
           median_days_to_convert AS median_days
    FROM leadconv_conversion_summary('ALL')
    UNION ALL
    SELECT 'all branches', sum(leads), sum(clients),
           to_char(100 * sum(clients) / sum(users), 'FM990.0') || '%', NULL
    FROM leadconv_conversion_summary('ALL')"
