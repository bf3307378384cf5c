#!/usr/bin/env bash
# Load a folder of the brief's CSV files into the current database.
#
#   scripts/load_csv.sh [--schema NAME] [--replace] DIR
#
# PG* variables select the database (run it inside `pg_virtualenv -t`).  The
# tables are created as the brief's setup.sql creates them (the four input
# tables, fct_client_conversion_events_part_2 and the two output tables), in
# the current schema (the first existing schema on search_path, e.g. from
# PGOPTIONS='-c search_path=myschema'), or with --schema NAME in schema NAME
# (created when missing), plus a table load_rejects.  With
# --replace, those eight tables are dropped first from that schema (and only
# from it); without it, the load stops if one of them exists there.
#
# DIR/<table>.csv is loaded into <table>.  The four input files are required,
# fct_client_conversion_events_part_2.csv is optional (absent: the table is
# created empty); any other *.csv file is ignored with a warning.
#
# What it accepts, repairs and rejects, and what load_rejects holds:
# docs/csv-loading.md.  The work is in scripts/csv/: split.pl reads the files
# as bytes, and psql runs begin.sql, file.sql for each file and finish.sql in
# one session and one transaction.
#
# Exit status: 0 loaded (warnings or not), 2 usage or missing file, 3 the load
# failed (nothing is left behind: one transaction).
set -euo pipefail

usage() { echo "usage: $0 [--schema NAME] [--replace] DIR" >&2; exit 2; }
replace=false
schema=
while [ $# -gt 0 ]; do
    case "$1" in
        --replace) replace=true; shift ;;
        --schema) if [ $# -lt 2 ] || [ -z "$2" ]; then usage; fi; schema=$2; shift 2 ;;
        --schema=?*) schema=${1#--schema=}; shift ;;
        -h|--help) usage ;;
        --) shift; break ;;
        -*) usage ;;
        *) break ;;
    esac
done
[ $# -eq 1 ] || usage
dir=$1
[ -d "$dir" ] || { echo "load_csv: $dir is not a directory" >&2; exit 2; }

required=(dim_branch dim_user fct_membership_purchases fct_credit_pack_purchases)
optional=(fct_client_conversion_events_part_2)

files=()
for t in "${required[@]}"; do
    f="$dir/$t.csv"
    if [ ! -f "$f" ] || [ ! -r "$f" ]; then
        echo "load_csv: required file $f is missing or unreadable" >&2; exit 2
    fi
    files+=("$f")
done
for t in "${optional[@]}"; do
    f="$dir/$t.csv"
    if [ -f "$f" ]; then
        [ -r "$f" ] || { echo "load_csv: $f is unreadable" >&2; exit 2; }
        files+=("$f")
    fi
done
shopt -s nullglob
for f in "$dir"/*.csv; do
    b=${f##*/}; b=${b%.csv}
    case " ${required[*]} ${optional[*]} " in
        *" $b "*) ;;
        *) echo "WARNING: $f is not a file of the brief's tables: ignored" ;;
    esac
done

t0=$(date +%s%N)
here=$(cd "$(dirname "$0")" && pwd)
args=(-f "$here/csv/begin.sql")
for f in "${files[@]}"; do
    t=${f##*/}
    args+=(-c "\\set table ${t%.csv}" -f "$here/csv/file.sql")
done
args+=(-f "$here/csv/finish.sql")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! LC_DIR=$dir LC_SPLIT=$here/csv/split.pl LC_ROWS=$tmp/rows.csv \
     psql -X -q -v ON_ERROR_STOP=1 -v replace="$replace" ${schema:+-v schema="$schema"} \
          --single-transaction "${args[@]}"; then
    echo "load_csv: the load of $dir failed; nothing was loaded" >&2
    exit 3
fi
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
printf 'load_csv: done in %d.%03d s\n' $((ms / 1000)) $((ms % 1000))
