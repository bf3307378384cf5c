#!/usr/bin/env bash
# How long a cancel (pg_cancel_backend) takes to stop a large leadconv run.
#
#   bash scripts/cancel_latency.sh [USERS] [WORK_MEM_KB...]
#
# Builds USERS users (default 1000000), each with one membership and one
# credit pack, in a throwaway cluster (pg_virtualenv), measures how long the
# uncancelled run takes, then cancels runs at points spread over that time
# and reports, per point, how long the backend took from pg_cancel_backend()
# until it was idle again (server clock, polled every millisecond).  With
# WORK_MEM_KB values, the same for leadconv.work_mem set to each (small
# values make many passes; 1048576, one pass of all users, is the worst
# case).  Fails when a cancel takes longer than
# LC_CANCEL_LIMIT_MS (default 1000) or does not stop the run.
#
# Uses the leadconv installed in the system's PostgreSQL 15, in a throwaway
# cluster; with LC_CANCEL_IN_CLUSTER=1, the server the PG* variables name
# instead (with leadconv installed; schema lc_cancel is made anew there).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${LC_CANCEL_IN_CLUSTER:-}" ]; then
    . scripts/common.sh
    LC_CANCEL_IN_CLUSTER=1 with_cluster bash "$0" "$@"
    exit
fi

users=${1:-1000000}
shift || true
settings=("default" "$@")
limit_ms=${LC_CANCEL_LIMIT_MS:-1000}
samples=${LC_CANCEL_SAMPLES:-8}
psql=(psql -X -q -v ON_ERROR_STOP=1 -At)

echo "==> $users users, each with a membership and a credit pack"
"${psql[@]}" <<EOF
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS leadconv;
DROP SCHEMA IF EXISTS lc_cancel CASCADE;
CREATE SCHEMA lc_cancel;
SET search_path = lc_cancel;
CREATE TABLE dim_branch (branch_id text, timezone_id text, created_at timestamp);
CREATE TABLE dim_user (user_id text, branch_id text, created_at timestamp);
CREATE TABLE fct_membership_purchases (user_id text, membership_id text,
    membership_purchased_at timestamp, created_at timestamp,
    membership_purchase_details json);
CREATE TABLE fct_credit_pack_purchases (user_id text, credit_pack_id text,
    credit_pack_purchased_at timestamp, created_at timestamp,
    credit_pack_purchase_details json);
INSERT INTO dim_branch SELECT 'b' || i, 'America/New_York', '2020-01-01'
    FROM generate_series(0, 9) i;
INSERT INTO dim_user SELECT 'u' || i, 'b' || (i % 10),
    timestamp '2024-01-01' + i * interval '1 second' FROM generate_series(1, $users) i;
INSERT INTO fct_membership_purchases SELECT 'u' || i, 'm' || i,
    timestamp '2024-02-01' + i * interval '1 second', NULL,
    '{"name": "Monthly", "source": "APP"}' FROM generate_series(1, $users) i;
INSERT INTO fct_credit_pack_purchases SELECT 'u' || i, 'c' || i,
    timestamp '2024-02-01' + i * interval '2 second', NULL,
    '{"name": "Ten", "source": "WEB"}' FROM generate_series(1, $users) i;
VACUUM ANALYZE;

-- From the cancel to the backend idle again, in ms, server clock.
CREATE OR REPLACE FUNCTION public.cancel_probe(app text, delay_ms int,
    OUT cancelled_after_ms numeric, OUT latency_ms numeric)
LANGUAGE plpgsql AS \$\$
DECLARE
    victim int;
    started timestamptz;
    t0 timestamptz;
    st text;
BEGIN
    LOOP    -- wait for the run to start
        PERFORM pg_stat_clear_snapshot();
        SELECT pid, query_start INTO victim, started FROM pg_stat_activity
        WHERE application_name = app AND state = 'active';
        EXIT WHEN victim IS NOT NULL;
        PERFORM pg_sleep(0.001);
    END LOOP;
    PERFORM pg_sleep(greatest(0, delay_ms / 1000.0
        - extract(epoch FROM clock_timestamp() - started)));
    t0 := clock_timestamp();
    PERFORM pg_cancel_backend(victim);
    LOOP
        PERFORM pg_stat_clear_snapshot();
        SELECT state INTO st FROM pg_stat_activity WHERE pid = victim;
        EXIT WHEN st IS DISTINCT FROM 'active';
        PERFORM pg_sleep(0.001);
    END LOOP;
    cancelled_after_ms := round(extract(epoch FROM t0 - started) * 1000, 1);
    latency_ms := round(extract(epoch FROM clock_timestamp() - t0) * 1000, 1);
END \$\$;
EOF

worst=0
failed=0
for setting in "${settings[@]}"; do
    if [ "$setting" = default ]; then
        set_wm="RESET leadconv.work_mem"
    else
        set_wm="SET leadconv.work_mem = $setting"
    fi

    start=$(date +%s%N)
    PGOPTIONS="-c search_path=lc_cancel" "${psql[@]}" \
        -c "$set_wm" -c "SELECT count(*) FROM public.leadconv_client_events()" >/dev/null
    full_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    echo
    echo "==> leadconv.work_mem: $setting; the uncancelled run takes $full_ms ms"
    printf '%-22s %-14s %s\n' "cancelled after (ms)" "latency (ms)" "outcome"

    for ((i = 1; i <= samples; i++)); do
        delay=$(( full_ms * i / (samples + 1) ))
        app="lc_cancel_victim_$i"
        out=$(mktemp)
        PGAPPNAME=$app PGOPTIONS="-c search_path=lc_cancel" \
            psql -X -q -At -c "$set_wm" \
            -c "SELECT count(*) FROM public.leadconv_client_events()" >"$out" 2>&1 &
        bg=$!
        probe=$("${psql[@]}" -F ' ' -c "SET client_min_messages = error" \
            -c "SELECT * FROM public.cancel_probe('$app', $delay)")
        wait "$bg" || true
        read -r after latency <<<"$probe"
        if grep -q 'canceling statement due to user request' "$out"; then
            outcome="cancelled"
        elif grep -qx '[0-9][0-9]*' "$out"; then
            # the run ended before the cancel came (runs vary in length)
            outcome="finished before the cancel: not counted"
            latency=0
        else
            outcome="FAILED: $(tr '\n' ' ' <"$out")"
            failed=1
        fi
        rm -f "$out"
        printf '%-22s %-14s %s\n' "$after" "$latency" "$outcome"
        if awk -v l="$latency" -v w="$worst" 'BEGIN { exit !(l > w) }'; then
            worst=$latency
        fi
    done
done

echo
echo "==> worst cancel latency: $worst ms (limit $limit_ms ms)"
if awk -v l="$worst" -v m="$limit_ms" 'BEGIN { exit !(l > m) }' || [ "$failed" = 1 ]; then
    echo "FAILED"
    exit 1
fi
echo "ok"
