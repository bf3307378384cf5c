#!/usr/bin/env bash
# The CSV loader's time on generated files in the brief's style
# (scripts/csv/gen_bench.pl): N membership purchases, N/4 users and credit
# packs.  DIRTY=1 adds values to repair, and a blank line that makes the two
# purchase files go line by line instead of through COPY.
#
#   N=1000000 DIRTY=1 bash scripts/bench_csv.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

if [ -z "${LC_BENCH_IN_CLUSTER:-}" ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    perl scripts/csv/gen_bench.pl ${DIRTY:+--dirty} "$tmp" "${N:-1000000}"
    LC_BENCH_IN_CLUSTER=1 LC_BENCH_DIR=$tmp with_cluster bash "$0"
    exit
fi
createdb bench_csv
PGDATABASE=bench_csv bash scripts/load_csv.sh "$LC_BENCH_DIR"
