#!/usr/bin/env bash
# Differential fuzzing: leadconv's C functions against a plain-SQL reference
# of SPEC sections 2-3, on random dirty data sets (test/fuzz/):
#   generate.sql   lc_fuzz.generate(seed, schema, users): one seed's data set
#   reference.sql  lc_fuzz.ref_client_events(schema), ref_lead_conversions(...)
#   compare.sql    lc_fuzz.check_seed(seed, users, low_mem): C vs reference
#
#   bash scripts/fuzz.sh [NAME=VALUE ...]      (or the same names in the environment)
#     SEEDS       number of seeds (default 300; 0: no limit, stop on DURATION)
#     FIRST_SEED  first seed (default 1)
#     DURATION    seconds: start no new batch after that (default 0: no limit;
#                 when DURATION is given and SEEDS is not, SEEDS is unlimited)
#     BIG_EVERY   every BIG_EVERY-th seed has 2000..5000 users and runs with
#                 leadconv.work_mem = '1MB', so the C code makes several
#                 hash passes (default 60; 0: never)
#     BATCH       seeds per psql session (default 25)
#
# It uses the database of the PG* environment, e.g.
#   pg_virtualenv -t -v 15 bash scripts/fuzz.sh SEEDS=1000
# and starts itself in a throwaway cluster when no PG* variable is set.
# The extension must be installed (make install); it is created if needed.
# Prints progress; on a mismatch prints the seed, the data set's summary and
# up to 5 differing rows each way, and exits 1.  Rerun one seed with
# FIRST_SEED=<seed> SEEDS=1 (the BIG_EVERY in force decides whether it is a
# big one).  A failing seed's data set stays in its schema (fz_<seed>, or
# 'Fz <seed> "q".x' for seeds divisible by 3) while the cluster lives; to
# rebuild it anywhere, load test/fuzz/generate.sql and run
#   SELECT lc_fuzz.generate(<seed>, '<schema>');   -- big seeds: add the
#   user count, 2000 + <seed> * 7919 % 3001
# (the data set depends only on the seed, not on the session).
set -euo pipefail
cd "$(dirname "$0")/.."

for arg in "$@"; do
    case $arg in
        SEEDS=*|FIRST_SEED=*|DURATION=*|BIG_EVERY=*|BATCH=*) export "${arg?}" ;;
        *) echo "usage: $0 [SEEDS=n] [FIRST_SEED=n] [DURATION=seconds] [BIG_EVERY=n] [BATCH=n]" >&2
           exit 2 ;;
    esac
done

if [ -z "${PGHOST:-}${PGPORT:-}${PGDATABASE:-}${PGSERVICE:-}" ]; then
    . scripts/common.sh
    with_cluster bash "$0" "$@"
    exit
fi

if [ -n "${DURATION:-}" ] && [ "${DURATION}" != 0 ] && [ -z "${SEEDS:-}" ]; then
    SEEDS=0
fi
SEEDS=${SEEDS:-300}
FIRST_SEED=${FIRST_SEED:-1}
DURATION=${DURATION:-0}
BIG_EVERY=${BIG_EVERY:-60}
BATCH=${BATCH:-25}
for v in SEEDS FIRST_SEED DURATION BIG_EVERY BATCH; do
    [[ ${!v} =~ ^[0-9]+$ ]] || { echo "$v must be a number, not '${!v}'" >&2; exit 2; }
done
if [ "$SEEDS" = 0 ] && [ "$DURATION" = 0 ]; then
    echo "SEEDS=0 needs a DURATION" >&2
    exit 2
fi
[ "$BATCH" -ge 1 ] || BATCH=1

PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
out=$(mktemp -d "${TMPDIR:-/tmp}/leadconv-fuzz.XXXXXX")
trap 'rm -rf "$out"' EXIT

enc=$("${PSQL[@]}" -c 'SHOW server_encoding')
if [ "$enc" != UTF8 ]; then
    echo "fuzz: the database must be UTF8 (it is $enc): the reference reads \\u escapes of any character" >&2
    exit 2
fi
"${PSQL[@]}" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS leadconv' \
    -c 'DROP SCHEMA IF EXISTS lc_fuzz CASCADE' \
    -f test/fuzz/generate.sql -f test/fuzz/reference.sql -f test/fuzz/compare.sql >/dev/null

start=$SECONDS
seed=$FIRST_SEED
ran=0
printf 'fuzz: seeds from %s, %s, big data sets every %s seeds\n' "$FIRST_SEED" \
    "$([ "$SEEDS" = 0 ] && echo "for ${DURATION}s" || echo "$SEEDS seeds$([ "$DURATION" = 0 ] || echo ", at most ${DURATION}s")")" \
    "$([ "$BIG_EVERY" = 0 ] && echo never || echo "$BIG_EVERY")"
while :; do
    if [ "$SEEDS" != 0 ] && [ "$ran" -ge "$SEEDS" ]; then break; fi
    if [ "$DURATION" != 0 ] && [ $((SECONDS - start)) -ge "$DURATION" ]; then break; fi
    n=$BATCH
    if [ "$SEEDS" != 0 ] && [ $((SEEDS - ran)) -lt "$n" ]; then n=$((SEEDS - ran)); fi
    last=$((seed + n - 1))
    {
        echo "SET client_min_messages = warning;"
        for ((s = seed; s <= last; s++)); do
            if [ "$BIG_EVERY" != 0 ] && [ $((s % BIG_EVERY)) = 0 ]; then
                args="$s, $((2000 + (s * 7919) % 3001)), true"
            else
                args="$s"
            fi
            echo "SELECT CASE WHEN report IS NULL THEN format('ok %s %s', seed, summary)
                   ELSE format(E'MISMATCH seed %s (%s)\n%s', seed, summary, report) END
                  FROM lc_fuzz.check_seed($args);"
        done
    } >"$out/batch.sql"
    if ! "${PSQL[@]}" -f "$out/batch.sql" >"$out/batch.out" 2>"$out/batch.err"; then
        done_ok=$(grep -c '^ok ' "$out/batch.out" || true)
        echo "fuzz: seed $((seed + done_ok)) failed with an error:" >&2
        cat "$out/batch.err" >&2
        exit 1
    fi
    if grep -q '^MISMATCH' "$out/batch.out"; then
        # the first mismatching seed's report only
        awk '/^MISMATCH/ { n++ } n == 1 && !/^ok / { print }' "$out/batch.out"
        bad=$(sed -n 's/^MISMATCH seed \([0-9]*\).*/\1/p' "$out/batch.out" | head -n 1)
        echo "fuzz: seed $bad FAILED (after $((ran + bad - seed)) good seeds, $((SECONDS - start))s)." \
             "Rerun it: bash scripts/fuzz.sh FIRST_SEED=$bad SEEDS=1" >&2
        exit 1
    fi
    ran=$((ran + n))
    big=$(grep -c '^ok [0-9]* users=[0-9]\{4\}' "$out/batch.out" || true)
    printf 'fuzz: seeds %s..%s ok (%s big), %s seeds in %ss\n' "$seed" "$last" "$big" "$ran" $((SECONDS - start))
    seed=$((last + 1))
done
printf 'fuzz: %s seeds (%s..%s) agree with the reference, %ss\n' "$ran" "$FIRST_SEED" $((seed - 1)) $((SECONDS - start))
