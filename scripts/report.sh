#!/usr/bin/env bash
# make report: the lead conversions report, end to end.  Writes CSV files,
# a per-branch summary and report.html to $OUT (see docs/report.md).
#
# In a throwaway cluster, on a fresh Debian machine as root: builds and
# installs leadconv, starts the cluster, loads the data, fills the facts.
#   make report                                    the project's sample data
#   make report SETUP=../shared/glofox/setup.sql   the brief's database script
#   make report CSV_DIR=../shared/glofox/data      the brief's CSV files
# From your own database, as it is (nothing is built, loaded or dropped):
#   make report DB=glofox                          a name, or any libpq connection
#   make report DB=postgresql://me@host/glofox     string; PG* variables apply
#       REFRESH=no    report the facts as they are
#       POPULATE=yes  also fill the brief's output tables (leadconv_populate)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
. scripts/provision.sh

OUT=${OUT:-out}
SETUP=${SETUP:-}
CSV_DIR=${CSV_DIR:-}
DB=${DB:-}

# the page's charts
need_gnuplot() { command -v gnuplot >/dev/null || apt_install gnuplot-nox; }

if [ -n "$DB" ] && [ -z "${LEADCONV_REPORT_IN_CLUSTER:-}" ]; then
    if [ -n "$SETUP$CSV_DIR" ]; then
        echo "report: DB reports your database as it is; SETUP and CSV_DIR load data into a throwaway cluster: give one or the other" >&2
        exit 2
    fi
    need_gnuplot
    mkdir -p "$OUT"
    DB=$DB OUT="$(cd "$OUT" && pwd)" exec bash scripts/report_db.sh
fi

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
        need_packages gnuplot-nox
        clear_stale_cluster
        build_install
    fi
    need_gnuplot
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

# what the CSV loader could not take as it was, and what it did about it
rejects=
[ "$(psql_q -Atc "SELECT to_regclass('load_rejects') IS NOT NULL")" = f ] || rejects=1
# The throwaway database is ours: fill the brief's tables too.
DB=glofox POPULATE=yes LOAD_REJECTS=$rejects bash scripts/report_db.sh
