#!/usr/bin/env bash
# make test: every test, on a fresh Debian machine, as root.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
. scripts/provision.sh

step "the docs match the tree (module map, module graph, anomaly codes, README links)"
bash scripts/check_docs.sh

need_packages postgresql-15-cron gnuplot-nox chromium python3-pil
clear_stale_cluster
build_install

step "regression and isolation tests (make installcheck)"
rm -f regression.diffs
if ! with_cluster make -s installcheck; then
    [ -f regression.diffs ] && cat regression.diffs
    exit 1
fi
step "memory stays bounded in passes read back from temporary files"
CLUSTER_OPTS="-o shared_buffers=16MB" with_cluster bash scripts/test_memory.sh

step "a parallel worker on another library than its leader's stops with an error"
with_cluster bash scripts/test_layout.sh

step "differential fuzzing against the SQL reference (300 seeds)"
with_cluster bash scripts/fuzz.sh SEEDS=300

step "the CSV loader on deliberately broken files"
bash scripts/test_csv_loader.sh

step "make report: CSV files and page equal the functions', Chromium draws the page, DB= reports your own database"
bash scripts/test_report.sh

step "pg_cron refreshes the facts on its schedule"
bash scripts/test_cron.sh

step "all tests passed"
