#!/usr/bin/env bash
# The report from a database that holds the brief's four source tables:
# creates leadconv there if it is missing, refreshes the facts, and writes
# the CSV files, the per-branch summary and report.html to $OUT, every
# figure from the queries of scripts/report.sql.  Run by scripts/report.sh,
# for its throwaway cluster and for `make report DB=...`.
#
#   DB        a database name or any libpq connection string or URI; the
#             usual PG* variables (PGHOST, PGUSER, PGPASSWORD...) apply
#   OUT       the output folder
#   REFRESH   no: report the facts as they are, without leadconv_refresh()
#   POPULATE  yes: also fill the brief's own output tables (leadconv_populate
#             empties them, and adds a column to fct_lead_conversions)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
root=$PWD

: "${DB:?}" "${OUT:?}"
REFRESH=${REFRESH:-yes}
POPULATE=${POPULATE:-no}
export PGDATESTYLE=ISO PGCLIENTENCODING=UTF8

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { printf '\nreport: %s\n' "$*" >&2; exit 1; }
pq() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }
# one row, fields split on the unit separator (names may hold anything else)
row() { pq -At -F $'\x1f' -c "$1"; }

# No password or other part of DB is printed: the server names itself.
step "connecting to the database"
info=$(row "SELECT current_database(), current_user,
            coalesce(host(inet_server_addr()), 'local socket') || ' port ' || current_setting('port'),
            (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
            coalesce((SELECT extversion FROM pg_extension WHERE extname = 'leadconv'), ''),
            coalesce((SELECT default_version FROM pg_available_extensions WHERE name = 'leadconv'), ''),
            has_database_privilege(current_database(), 'TEMP'),
            coalesce(current_schema(), '(none)')") ||
    fail "cannot connect (psql's message is above).  Name the database as DB=glofox, or give a
connection string, DB='host=HOST port=5432 user=USER dbname=glofox' or
DB=postgresql://USER@HOST:5432/glofox; a password comes from ~/.pgpass or PGPASSWORD."
IFS=$'\x1f' read -r db user server super version available temp schema <<<"$info"
echo "database $db on $server, as role $user"

if [ -z "$version" ]; then
    [ -n "$available" ] ||
        fail "leadconv is not installed on the server ($server).  Build and install it on the
server's machine (make && sudo make install PG_CONFIG=/usr/lib/postgresql/NN/bin/pg_config),
or use the Docker image (README), then run the report again."
    [ "$super" = t ] ||
        fail "leadconv is not created in database $db, and creating it needs a superuser (role $user
is not one).  Ask one to run CREATE EXTENSION leadconv in $db, then run the report again."
    step "creating extension leadconv $available in database $db (schema $schema)"
    pq -c 'CREATE EXTENSION leadconv'
    version=$available
fi
[ "$(printf '%s\n' 1.2 "$version" | sort -V | head -n 1)" = 1.2 ] ||
    fail "leadconv $version is installed in $db; the report needs 1.2 or later.  Update it as a
superuser: ALTER EXTENSION leadconv UPDATE (see the CHANGELOG for what changes)."
[ "$temp" = t ] ||
    fail "the report's queries are temporary views, and role $user may not create temporary
objects in $db.  A superuser can allow it: GRANT TEMP ON DATABASE $db TO $user."

# Every later session sees leadconv's schema (last, so that search_path
# still finds the sources as the user has it) and the facts' own source
# schema, unless the user named one with PGOPTIONS.
pq -At -c "SELECT format('SET search_path = %s;', concat_ws(', ', nullif(current_setting('search_path'), ''), quote_ident(n.nspname)))
           FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
           WHERE e.extname = 'leadconv'" >"$work/session.sql"
session() { pq -f "$work/session.sql" "$@"; }
IFS=$'\x1f' read -r owner may_refresh recorded set_schema ended <<<"$(session -At -F $'\x1f' -c "
    SELECT pg_get_userbyid(c.relowner), pg_has_role(current_user, c.relowner, 'USAGE'),
           coalesce(s.source_schema, ''), coalesce(current_setting('leadconv.source_schema', true), ''),
           coalesce(s.last_refresh_ended::text, 'never')
    FROM pg_class c, leadconv_facts_status s
    WHERE c.oid = 'leadconv_fct_client_conversion_events'::regclass")"
if [ -n "$recorded" ] && [ -z "$set_schema" ]; then
    pq -At -v s="$recorded" <<<"SELECT format('SET leadconv.source_schema = %L;', :'s')" >>"$work/session.sql"
fi

if [ "$REFRESH" = no ]; then
    [ -n "$recorded" ] || fail "REFRESH=no, but the facts in $db were never refreshed: nothing to report."
    step "reporting the facts as they are (REFRESH=no): source schema $recorded, last refreshed $ended"
else
    [ "$may_refresh" = t ] ||
        fail "the facts in $db belong to role ${owner:-?}, and only that role (or a member of it) may
refresh them; you are $user.  Run the report as ${owner:-that role} (e.g. DB='dbname=$db user=${owner:-...}'),
ask ${owner:-it} to run SELECT leadconv_refresh(), or add REFRESH=no to report the facts as
they were last refreshed ($ended)."
    step "refreshing the facts (leadconv_refresh) from ${recorded:+schema }${recorded:-the first schema on search_path with the four source tables}${set_schema:+ (leadconv.source_schema = $set_schema)}"
    session -P footer=off -c 'SELECT * FROM leadconv_refresh()' ||
        fail "the refresh failed (the server's message is above).  REFRESH=no reports the facts as
they were last refreshed ($ended)."
fi

session -At -c "SELECT format('the facts hold the source tables of schema %s, computed %s (%s, %s users changed)',
                               source_schema, to_char(last_refresh_ended, 'YYYY-MM-DD HH24:MI:SS TZ'),
                               last_refresh_method, last_refresh_users_changed)
                FROM leadconv_facts_status"

if [ "$POPULATE" = yes ]; then
    step "filling the brief's tables fct_client_conversion_events and fct_lead_conversions (leadconv_populate: empties them first, and adds column client_conversion_event_filter to fct_lead_conversions when it lacks it)"
    session -P footer=off -c 'SELECT * FROM leadconv_populate()'
else
    echo "your tables are left as they are: $([ "$REFRESH" = no ] && echo "nothing was written" ||
        echo "only leadconv's facts were written") (POPULATE=yes would also fill the brief's output tables)"
fi

# One session writes everything: the CSV files, the page's pieces (rows for
# gnuplot, HTML tables, the figures as JSON) and the terminal summary.
csv() {
    printf "\\\\copy (SELECT * FROM %s) TO '%s' WITH (FORMAT csv, HEADER)\n" "$2" "$OUT/$1"
    printf "SELECT format('  %%-34s %%6s rows', '%s', :ROW_COUNT);\n" "$1"
}
# rows for gnuplot: tab-separated, no header
rows() { printf '\\o %s.tsv\n%s;\n\\o\n' "$1" "$2"; }
table() { printf "\\\\pset title '%s'\n\\\\o %s.html\nSELECT * FROM %s;\n\\\\o\n" "$2" "$1" "$3"; }
{
    echo 'BEGIN ISOLATION LEVEL REPEATABLE READ;'
    echo '\i' "$root/scripts/report.sql"
    echo "\\pset format unaligned"
    echo "\\pset tuples_only on"
    echo "\\echo '\\n==> writing CSV files to $OUT'"
    csv fct_client_conversion_events.csv report_part1
    csv fct_lead_conversions.csv report_part2
    csv anomalies.csv report_anomalies
    [ -z "${LOAD_REJECTS:-}" ] || csv load_rejects.csv load_rejects
    csv headline.csv report_headline
    csv branches.csv report_branches
    csv conversion_rates.csv report_rates
    csv days_to_convert.csv report_days
    csv days_histogram.csv report_days_histogram
    csv conversions_by_month.csv report_months
    csv data_quality.csv report_quality
    echo "\\pset fieldsep '\\t'"
    rows headline 'SELECT * FROM report_headline'
    rows policy 'SELECT * FROM report_branches_shown WHERE policy IS NOT NULL'
    rows filters 'SELECT * FROM report_rates_by_filter'
    rows days "SELECT conversion_type, bin,
        CASE WHEN days_to IS NULL THEN '≥ ' || days_from ELSE days_from || '–' || days_to END, clients
        FROM report_days_histogram"
    rows months 'SELECT * FROM report_months_chart'
    rows counts "SELECT (SELECT count(*) FROM report_branches WHERE policy IS NOT NULL),
        (SELECT count(*) FROM report_days_histogram),
        (SELECT count(*) FROM report_months_chart),
        (SELECT coalesce(min(local_month), '') || E'\t' || coalesce(max(local_month), '')
         FROM report_months_chart),
        (SELECT coalesce(sum(conversions), 0) FROM report_months)
          - (SELECT coalesce(sum(membership + user_credit), 0) FROM report_months_chart),
        (SELECT database || E'\t' || coalesce(source_schema, '') || E'\t'
                || coalesce(to_char(last_refresh_ended, 'YYYY-MM-DD HH24:MI:SS TZ'), 'never')
         FROM report_status)"
    # gnuplot's variables for the histogram: the types, and each one's figures
    printf '\\o days_stats.gp\n'
    echo "SELECT format('types = %L', string_agg(conversion_type, ' ')) FROM report_days WHERE spans_counted > 0;
          SELECT format('w_days = %s; nbins = %s', min(days_to - days_from), max(bin)) FROM report_days_histogram;
          SELECT format('median_%1\$s = %2\$s; p90_%1\$s = %3\$s; clients_%1\$s = %4\$s; left_out_%1\$s = %5\$s',
                        conversion_type, coalesce(median_days::text, 'NaN'), coalesce(p90_days::text, 'NaN'),
                        clients, clients - spans_counted) FROM report_days;"
    printf '\\o\n\\o figures.json\n'
    echo "SELECT replace(figures::text, '</', '<\\/') FROM report_figures;"
    echo '\o'
    echo "\\pset format html"
    echo "\\pset tuples_only off"
    echo "\\pset footer off"
    echo "\\pset null ''"
    echo "\\pset tableattr 'class=\"numbers\"'"
    table t_branches 'Each branch under its own policy (branches.csv)' report_branches_shown
    table t_rates 'Conversion rates under each filter (conversion_rates.csv)' report_rates_by_filter
    table t_days 'Days to convert per type (days_to_convert.csv)' report_days
    table t_hist 'The histogram (days_histogram.csv)' report_days_histogram
    table t_months 'Conversions per local month (conversions_by_month.csv)' report_months
    table t_quality 'Anomalies per source table and code (data_quality.csv)' report_quality
    echo "\\x on"
    table t_status 'The facts (leadconv_facts_status)' report_status
    echo "\\x off"
    echo "\\pset format aligned"
    echo "\\pset title"
    echo "\\pset null"
    echo "\\echo '\\n==> conversion by branch, under each branch''s own policy (leadconv_branch_policy; ALL where it has none)'"
    echo "SELECT branch AS branch_id, policy, users, leads, clients,
                 to_char(100 * conversion_rate, 'FM990.0') || '%' AS conversion_rate, median_days, p90_days
          FROM report_branches_shown;"
    echo "\\pset format unaligned"
    echo "\\pset tuples_only on"
    echo "SELECT format('(the 30 branches with the most users; %s more in branches.csv)', count(*) - 30) FROM report_branches
          WHERE policy IS NOT NULL HAVING count(*) > 30;"
    echo "SELECT format('%s users: %s clients (%s by MEMBERSHIP, %s by USER_CREDIT), %s leads; %s converted (any purchase)',
                 users, clients, clients_by_membership, clients_by_user_credit, leads,
                 coalesce(to_char(100 * conversion_rate, 'FM990.0') || '%', 'none')) FROM report_headline;"
    echo 'COMMIT;'
} >"$work/write.sql"
(cd "$work" && session -f write.sql) ||
    fail "writing the report failed (the server's message is above)."

step "writing the page"
bash scripts/report_page.sh "$work" "$OUT/report.html"
printf '  %-34s %6s KB\n' report.html "$(( ($(stat -c %s "$OUT/report.html") + 1023) / 1024 ))"
