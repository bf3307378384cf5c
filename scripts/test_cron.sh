#!/usr/bin/env bash
# Part of make test: pg_cron runs leadconv_refresh() on its schedule, the
# recipe of docs/operations.md.  In a throwaway cluster that preloads pg_cron,
# the facts are made stale, a job refreshes them (one scheduled with
# cron.schedule in cron.database_name, one with cron.schedule_in_database in
# another database), and the test waits for both runs.
# Expects leadconv built and installed (make test does it first).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh

# pg_cron 1.4 (bookworm's) schedules by the minute: a run comes within 60 s.
TIMEOUT=${TIMEOUT:-120}
COMMAND='SELECT leadconv_refresh()'

if [ "${1:-}" != --in-cluster ]; then
    # Background workers run the jobs without a libpq connection, so the
    # cluster's password authentication on localhost does not matter.
    CLUSTER_OPTS="-o shared_preload_libraries=pg_cron -o cron.database_name=leadconv_cron -o cron.use_background_workers=on" \
        with_cluster bash "$0" --in-cluster
    exit
fi

q() { local db=$1; shift; psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"; }

# Rows in which the fact tables and the functions differ, both ways.
differing() {
    q "$1" -c "
        SELECT (SELECT count(*) FROM (
                    (TABLE leadconv_fct_client_conversion_events EXCEPT ALL SELECT * FROM leadconv_client_events())
                    UNION ALL
                    (SELECT * FROM leadconv_client_events() EXCEPT ALL TABLE leadconv_fct_client_conversion_events)) d)
             + (SELECT count(*) FROM (
                    (TABLE leadconv_fct_lead_conversions EXCEPT ALL SELECT * FROM leadconv_lead_conversions())
                    UNION ALL
                    (SELECT * FROM leadconv_lead_conversions() EXCEPT ALL TABLE leadconv_fct_lead_conversions)) d)"
}

# The sample, leadconv and fresh facts, then sources that make them stale: a
# new client, and an earlier membership that is now an existing user's first
# conversion.
for db in leadconv_cron elsewhere; do
    createdb "$db"
    q "$db" -f sample/sample.sql >/dev/null
    q "$db" -c 'CREATE EXTENSION leadconv' -c 'SELECT count(*) FROM leadconv_refresh()' >/dev/null
    q "$db" -c "
        INSERT INTO dim_user VALUES ('cron-user', 'eb84b48f-98e4-4312-a113-f8d6cfe32c54',
            'Cron User', 'cron@mail.example', '2024-03-01 10:00');
        INSERT INTO fct_membership_purchases VALUES
            ('cron-user', 'eb84b48f-98e4-4312-a113-f8d6cfe32c54', 'cron-m1', '2024-03-02 09:00',
             '2024-03-02 09:01', '{\"name\": \"Monthly Membership\", \"source\": \"WEBPORTAL\"}'),
            ('6f3e5924-06a6-49d7-ab86-bed184ce95b0', 'eb84b48f-98e4-4312-a113-f8d6cfe32c54', 'cron-m2',
             '2023-06-08 12:00', '2023-06-08 12:01', '{\"name\": \"Weekly Membership\", \"source\": \"REFERRAL\"}')"
    stale=$(differing "$db")
    ((stale > 0)) || { echo "FAIL: $db: the changed sources left the facts equal to the functions"; exit 1; }
    echo "ok: $db: $stale rows differ from the functions before the job runs"
done

q leadconv_cron -c 'CREATE EXTENSION pg_cron'
echo "pg_cron $(q leadconv_cron -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_cron'")" \
    "(package postgresql-15-cron $(pkg_version postgresql-15-cron))"
q leadconv_cron -c "SELECT cron.schedule('leadconv-refresh', '* * * * *', '$COMMAND')" >/dev/null
q leadconv_cron -c "SELECT cron.schedule_in_database('leadconv-refresh-elsewhere', '* * * * *', '$COMMAND', 'elsewhere')" >/dev/null

# Wait for one finished run of each job (polling; a run may be in progress).
start=$SECONDS
while :; do
    finished=$(q leadconv_cron -c "
        SELECT count(DISTINCT j.jobid) FROM cron.job j JOIN cron.job_run_details r USING (jobid)
        WHERE r.status IN ('succeeded', 'failed')")
    ((finished == 2)) && break
    if ((SECONDS - start > TIMEOUT)); then
        q leadconv_cron -c 'TABLE cron.job_run_details'
        echo "FAIL: no finished run of both jobs within $TIMEOUT s"; exit 1
    fi
    sleep 1
done
echo "ok: both jobs ran, $((SECONDS - start)) s after they were scheduled"

for job in leadconv-refresh:leadconv_cron leadconv-refresh-elsewhere:elsewhere; do
    name=${job%%:*} db=${job#*:}
    # The first run's record (a later one may have started meanwhile).
    run=$(q leadconv_cron -F ' ' -c "
        SELECT r.status, r.database, r.return_message FROM cron.job j JOIN cron.job_run_details r USING (jobid)
        WHERE j.jobname = '$name' ORDER BY r.runid LIMIT 1")
    [[ $run == "succeeded $db "* ]] || { echo "FAIL: $name: its run is recorded as: $run"; exit 1; }
    left=$(differing "$db")
    ((left == 0)) || { echo "FAIL: $db: $left rows still differ from the functions after the run"; exit 1; }
    echo "ok: $name: run recorded as succeeded in $db, facts equal the functions"
done

q leadconv_cron -c "SELECT cron.unschedule('leadconv-refresh')" -c "SELECT cron.unschedule('leadconv-refresh-elsewhere')" >/dev/null
