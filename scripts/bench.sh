#!/usr/bin/env bash
# make bench: leadconv against the best plain SQL we could write, as root on
# a fresh Debian machine.
#
#   bash scripts/bench.sh                        N=1000000 users, 3 rounds a side
#   N=100000 ROUNDS=3 bash scripts/bench.sh      a quicker run
#   N=10000000 ONLY=leadconv bash scripts/bench.sh   scale check, leadconv only
#
# Settings (environment):
#   N        users to generate (default 1000000); bench/generate.sql makes
#            ~2.4 memberships and ~1.3 credit packs per user, 1,000 branches
#   ROUNDS   measured rounds per side (default 3), after one warm-up each
#   ONLY     leadconv or plain: run one side only (no ratios)
#   BUILD    0 to use the leadconv already installed instead of building it
#   SETTINGS SQL run in every measured session of both sides before the
#            statement, e.g. SETTINGS="SET jit = off" (default: none)
#   CHECK    1 to check instead of timing: the plain statements and leadconv
#            give the same rows (EXCEPT ALL both ways), e.g.
#            N=20000 CHECK=1 bash scripts/bench.sh
#   REFRESH  0 to skip the refresh race and automatic refresh.  The race:
#            leadconv_refresh() into empty facts, after a 10% bulk change,
#            and with nothing changed, against REFRESH MATERIALIZED VIEW of
#            the plain SQL with the facts' indexes (bench/plain_facts.sql);
#            then a 1,000-row purchase insert without, then with the
#            triggers of leadconv_enable_auto_refresh() (ratio to a refresh)
#   PERF     1 to add one leadconv Part 1 run under `perf record` and print
#            its hottest functions (needs perf: apt-get install linux-perf)
#   SIZES    a growth series instead, e.g. SIZES="100000 1000000 3000000":
#            each N generated into its own schema (bench_<N>), then rounds
#            that run every size in turn, so that the machine's drift falls
#            on all sizes alike; prints time per user and growth against the
#            first size.  Refresh is not timed; ONLY and ROUNDS apply.
#   OUT      directory for logs and results (default: a new /tmp/leadconv-bench.*)
#
# One throwaway cluster (pg_virtualenv -t -v 15) with the server's default
# settings (work_mem 4MB, shared_buffers 128MB, JIT and parallel query on).
# Each measurement is a fresh psql session, hence a fresh backend, running
#   COPY (<statement>) TO '/dev/null'
# timed by clock_timestamp() on the server.  Sides alternate A B A B after a
# warm-up of each.  Memory of that backend, read from /proc as root while the
# session is still open:
#   VmHWM     its peak resident set: private memory and every page of
#             shared_buffers it touched (up to the 128MB of shared_buffers)
#   peak anon its private memory (RssAnon) at the highest of samples taken
#             every 20ms during the statement
# Parallel workers of the plain statements are other processes: their memory
# is in neither number.
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
ROUNDS=${ROUNDS:-3}
ONLY=${ONLY:-}
BUILD=${BUILD:-1}
PERF=${PERF:-0}
SETTINGS=${SETTINGS:-}
REFRESH=${REFRESH:-1}
CHECK=${CHECK:-0}
SIZES=${SIZES:-}
export N ROUNDS ONLY BUILD PERF SETTINGS REFRESH CHECK SIZES

# ---------------------------------------------------------------------------
# Helpers run from inside psql (\!) while a measured session is open.

# --sample PID FILE: highest RssAnon (kB) of PID while FILE.run exists.
if [ "${1:-}" = --sample ]; then
    pid=$2 out=$3 max=0
    while [ -e "$out.run" ] && [ -r "/proc/$pid/status" ]; do
        while read -r key value _; do
            if [ "$key" = RssAnon: ]; then
                ((value > max)) && max=$value
                break
            fi
        done <"/proc/$pid/status" || true
        sleep 0.02
    done
    echo "$max" >"$out.tmp" && mv "$out.tmp" "$out"
    exit 0
fi

# --stop PID FILE: end the sampler, then record the backend's VmHWM and RssShmem.
if [ "${1:-}" = --stop ]; then
    pid=$2 out=$3
    rm -f "$out.run"
    for _ in $(seq 200); do [ -e "$out" ] && break; sleep 0.01; done
    grep -E '^(VmHWM|RssAnon|RssShmem):' "/proc/$pid/status" | awk '{print $1, $2}' >"$out.status"
    exit 0
fi

# PG_CONFIG, step, and outside the cluster the rest of the shared helpers.
. scripts/common.sh
. scripts/provision.sh

# ---------------------------------------------------------------------------
# Outside the cluster: packages, build, machine, then this script again inside
# a throwaway cluster.
if [ "${1:-}" != --in-cluster ]; then
    case "$ONLY" in "" | leadconv | plain) ;; *)
        echo "ONLY must be leadconv or plain, not '$ONLY'" >&2
        exit 2
        ;;
    esac
    for n in $SIZES; do
        case "$n" in '' | *[!0-9]*)
            echo "SIZES must be numbers of users, not '$n'" >&2
            exit 2
            ;;
        esac
    done
    if [ -n "$SIZES" ] && [ "$CHECK" = 1 ]; then
        echo "CHECK=1 checks one N: leave SIZES out" >&2
        exit 2
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "run as root (it installs packages and reads /proc of the server)" >&2
        exit 1
    fi
    extra=()
    [ "$PERF" = 1 ] && ! command -v perf >/dev/null && extra+=(linux-perf)
    need_packages "${extra[@]}"
    clear_stale_cluster
    if [ "$BUILD" != 0 ]; then
        build_install
    fi
    OUT=${OUT:-$(mktemp -d /tmp/leadconv-bench.XXXXXX)}
    mkdir -p "$OUT"
    chmod 755 "$OUT"
    export OUT

    step "machine"
    {
        echo "cpus:     $(nproc) ($(grep -m1 '^model name' /proc/cpuinfo | sed 's/.*: //'))"
        echo "memory:   $(awk '/^MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
        echo "kernel:   $(uname -r)"
        echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at start"
        rev='?'
        if command -v git >/dev/null && git rev-parse HEAD >/dev/null 2>&1; then
            rev=$(git rev-parse --short HEAD)
            git diff --quiet HEAD -- src leadconv--1.0.sql || rev="$rev + uncommitted changes"
        fi
        echo "leadconv: $rev, leadconv.so md5 $(md5sum "$($PG_CONFIG --pkglibdir)/leadconv.so" | cut -c1-12)"
        users="N=$N"
        [ -n "$SIZES" ] && users="SIZES=$SIZES (growth series)"
        echo "data:     $users users, ROUNDS=$ROUNDS${ONLY:+, ONLY=$ONLY}${SETTINGS:+, SETTINGS: $SETTINGS}"
    } | tee "$OUT/machine.txt"

    with_cluster bash scripts/bench.sh --in-cluster
    exit
fi

# ---------------------------------------------------------------------------
# Inside the cluster.
so="$($PG_CONFIG --pkglibdir)/leadconv.so"
so_md5=$(md5sum "$so" | cut -d' ' -f1)
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

step "server"
"${PSQL[@]}" -At -c "SELECT version()" | tee -a "$OUT/machine.txt"
"${PSQL[@]}" -At -c "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
                     FROM pg_settings
                     WHERE name IN ('work_mem', 'shared_buffers', 'jit',
                                    'max_parallel_workers_per_gather', 'hash_mem_multiplier')" |
    tee -a "$OUT/machine.txt"

# generate N [SCHEMA]: N users into SCHEMA (default: public), described in data.txt
generate() {
    local n=$1 schema=${2:-public} start gen_s
    step "generating $n users (bench/generate.sql) into schema $schema"
    start=$(date +%s%N)
    "${PSQL[@]}" -c "CREATE SCHEMA IF NOT EXISTS $schema"
    PGOPTIONS="-c search_path=$schema" "${PSQL[@]}" -v N="$n" -f bench/generate.sql
    gen_s=$((($(date +%s%N) - start) / 1000000000))
    PGOPTIONS="-c search_path=$schema" "${PSQL[@]}" -At -F ' ' -c "
        SELECT '$schema: generated in $gen_s s:',
               (SELECT count(*) FROM dim_user) || ' users,',
               (SELECT count(*) FROM fct_membership_purchases) || ' memberships,',
               (SELECT count(*) FROM fct_credit_pack_purchases) || ' credit packs,',
               pg_size_pretty(sum(pg_total_relation_size(c.oid)))
        FROM pg_class c WHERE c.relnamespace = '$schema'::regnamespace AND c.relkind = 'r'" | tee -a "$OUT/data.txt"
}

: >"$OUT/data.txt"
if [ -n "$SIZES" ]; then
    for n in $SIZES; do
        generate "$n" "bench_$n"
    done
else
    generate "$N"
fi
"${PSQL[@]}" -c "CREATE EXTENSION leadconv"

# The plain statements, without their final semicolon, to sit inside COPY ( ).
plain1=$(sed '$ s/;[[:space:]]*$//' bench/plain_part1.sql)
plain2=$(sed '$ s/;[[:space:]]*$//' bench/plain_part2.sql)
lc1="SELECT * FROM leadconv_client_events()"
lc2="SELECT * FROM leadconv_lead_conversions()"
has_refresh=$("${PSQL[@]}" -At -c "SELECT count(*) FROM pg_proc WHERE proname = 'leadconv_refresh'")

if [ "$CHECK" = 1 ]; then
    step "check: plain SQL and leadconv give the same rows (EXCEPT ALL both ways)"
    bad=0
    check_part() {
        local part=$1 lc=$2 plain=$3 counts nl np only_lc only_plain
        counts=$("${PSQL[@]}" -At -F ' ' -c "
            SELECT (SELECT count(*) FROM ($lc) AS l),
                   (SELECT count(*) FROM ($plain) AS p),
                   (SELECT count(*) FROM (($lc) EXCEPT ALL ($plain)) AS x),
                   (SELECT count(*) FROM (($plain) EXCEPT ALL ($lc)) AS x)")
        read -r nl np only_lc only_plain <<<"$counts"
        echo "Part $part: leadconv $nl rows, plain $np rows; only in leadconv: $only_lc, only in plain: $only_plain"
        [ "$only_lc" = 0 ] && [ "$only_plain" = 0 ] && [ "$nl" = "$np" ] || bad=1
    }
    check_part 1 "$lc1" "$plain1"
    check_part 2 "$lc2" "$plain2"
    if [ "$bad" = 0 ]; then
        echo "check: same rows"
        exit 0
    fi
    echo "check: the rows differ" >&2
    exit 1
fi

seq_no=0
# measure NAME SQL [copy|plain] -> appends "NAME ms vmhwm_kb anon_kb shmem_kb passes" to results
measure() {
    local name=$1 sql=$2 mode=${3:-copy} id script statement perf_on=${4:-0}
    seq_no=$((seq_no + 1))
    id="$OUT/m$seq_no"
    if [ "$mode" = copy ]; then
        statement="COPY ($sql) TO '/dev/null';"
    else
        statement="$sql \\g /dev/null"
    fi
    script="$id.sql"
    {
        echo "SET client_min_messages = debug1;"
        [ -n "$SETTINGS" ] && echo "$SETTINGS;"
        echo "SELECT pg_backend_pid() AS bpid \\gset"
        echo "\\setenv LC_BENCH_PID :bpid"
        echo "\\! touch $id.mem.run; bash scripts/bench.sh --sample \$LC_BENCH_PID $id.mem >/dev/null 2>&1 &"
        if [ "$perf_on" = 1 ]; then
            echo "\\! perf record -q -F 999 -p \$LC_BENCH_PID -o $OUT/perf.data >$id.perf.log 2>&1 & echo \$! > $id.perf.pid"
            echo "\\! sleep 1"
        fi
        echo "SELECT clock_timestamp() AS t0 \\gset"
        echo "$statement"
        echo "SELECT round(1000 * extract(epoch FROM clock_timestamp() - :'t0'), 1) AS ms \\gset"
        [ "$perf_on" = 1 ] && echo "\\! kill -INT \$(cat $id.perf.pid); while kill -0 \$(cat $id.perf.pid) 2>/dev/null; do sleep 0.1; done"
        echo "\\! bash scripts/bench.sh --stop \$LC_BENCH_PID $id.mem"
        echo "\\echo :ms"
    } >"$script"
    local ms
    ms=$("${PSQL[@]}" -f "$script" 2>"$id.err") || {
        cat "$id.err" >&2
        exit 1
    }
    local hwm anon shmem passes
    hwm=$(awk '$1 == "VmHWM:" {print $2}' "$id.mem.status")
    shmem=$(awk '$1 == "RssShmem:" {print $2}' "$id.mem.status")
    anon=$(cat "$id.mem")
    # the sampler can miss the last 20ms: the final RssAnon counts too
    anon=$(awk -v a="$anon" '$1 == "RssAnon:" {print ($2 > a ? $2 : a)}' "$id.mem.status")
    passes=$(sed -n 's/.*leadconv: computed in \([0-9]*\) pass.*/\1/p' "$id.err" | tail -1)
    echo "$name $ms $hwm $anon $shmem ${passes:--}" | tee -a "$OUT/results.txt" |
        awk '{printf "  %-16s %10.1f ms  VmHWM %6.1f MB  peak anon %6.1f MB  passes %s\n", $1, $2, $3 / 1024, $4 / 1024, $6}'
}

# race PART A_SQL B_SQL: warm-up, then ROUNDS alternating rounds
race() {
    local part=$1 a=$2 b=$3 r
    step "$part: warm-up"
    [ "$ONLY" != plain ] && measure "warmup-lc-$part" "$a"
    [ "$ONLY" != leadconv ] && measure "warmup-plain-$part" "$b"
    step "$part: $ROUNDS rounds"
    for r in $(seq "$ROUNDS"); do
        [ "$ONLY" != plain ] && measure "lc-$part" "$a"
        [ "$ONLY" != leadconv ] && measure "plain-$part" "$b"
    done
    return 0
}

# The median of the times recorded as ms[key, 1..cnt[key]], for the summaries.
awk_median='
function median(key,    m, i, j, t, v) {
    m = cnt[key]
    for (i = 1; i <= m; i++) v[i] = ms[key, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
}'

# A growth series: every size in each round, the sides alternating within it.
# Each statement first reads its size's tables into the OS cache: this
# machine's kernel pages out what has not been touched for a minute (DAMON),
# and between two turns of the same size more than that passes, so without
# it the larger sizes would time their disk as well (3M Part 1 took twice as
# long).  The 1M race below needs nothing of the kind: its sides take turns
# on the same tables within seconds.
if [ -n "$SIZES" ]; then
    "${PSQL[@]}" -c "CREATE EXTENSION pg_prewarm"
    : >"$OUT/results.txt"
    user_settings=$SETTINGS
    for r in 0 $(seq "$ROUNDS"); do
        prefix=
        if [ "$r" = 0 ]; then
            step "growth series: warm-up"
            prefix=warmup-
        else
            step "growth series: round $r of $ROUNDS"
        fi
        for n in $SIZES; do
            SETTINGS="SET search_path = bench_$n, public${user_settings:+; $user_settings}"
            warm="SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c
                  WHERE c.relnamespace = 'bench_$n'::regnamespace AND c.relkind = 'r'"
            for part in 1 2; do
                for side in lc plain; do
                    case "$ONLY:$side" in plain:lc | leadconv:plain) continue ;; esac
                    sql=$side$part
                    "${PSQL[@]}" -c "$warm" >/dev/null
                    measure "${prefix}$side-part$part-$n" "${!sql}"
                done
            done
        done
    done
    SETTINGS=$user_settings
    step "results (growth series, medians of $ROUNDS rounds; memory: the highest of the rounds)"
    cat "$OUT/machine.txt" "$OUT/data.txt"
    awk -v sizes="$SIZES" "$awk_median"'
    $1 !~ /^warmup/ { k = $1; cnt[k]++; ms[k, cnt[k]] = $2; if ($3 > hwm[k]) hwm[k] = $3 }
    END {
        ns = split(sizes, size, " ")
        printf "\n%-18s %10s %12s %10s %18s %10s\n", "", "users", "median ms", "us/user", "growth (N grew)", "VmHWM MB"
        for (p = 1; p <= 2; p++) for (side = 1; side <= 2; side++) {
            name = (side == 1 ? "lc" : "plain") "-part" p
            for (i = 1; i <= ns; i++) {
                k = name "-" size[i]
                if (!(k in cnt)) continue
                t = median(k)
                if (i == 1) base = t
                printf "%-18s %10d %12.0f %10.2f %8.2fx (%6.1fx) %10.1f\n",
                    (i == 1 ? "Part " p " " (side == 1 ? "leadconv" : "plain SQL") : ""),
                    size[i], t, 1000 * t / size[i], t / base, size[i] / size[1], hwm[k] / 1024
            }
        }
        print ""
        for (i = 1; i <= ns; i++) for (p = 1; p <= 2; p++) {
            a = "lc-part" p "-" size[i]; b = "plain-part" p "-" size[i]
            if ((a in cnt) && (b in cnt))
                printf "%d users, Part %d: leadconv/plain = %.3f\n", size[i], p, median(a) / median(b)
        }
    }' "$OUT/results.txt" | tee "$OUT/summary.txt"
    echo
    echo "raw numbers: $OUT/results.txt (name ms VmHWM_kB peak_anon_kB RssShmem_kB passes)"
    exit 0
fi

: >"$OUT/results.txt"
race part1 "$lc1" "$plain1"
race part2 "$lc2" "$plain2"

if [ "$REFRESH" = 0 ]; then
    has_refresh=skipped
elif [ "$has_refresh" != 0 ] && [ "$ONLY" != plain ]; then
    # The refresh race: leadconv_refresh() into empty facts, after a bulk
    # change, and with nothing changed, against REFRESH MATERIALIZED VIEW of
    # the plain SQL's Part 1 and Part 2 with the same indexes
    # (bench/plain_facts.sql), each round in turn.  The bulk change gives
    # every tenth user an earlier first membership, or takes it back: a
    # refresh after either rewrites a tenth of the users.
    mv="REFRESH MATERIALIZED VIEW bench_mv_part1; REFRESH MATERIALIZED VIEW bench_mv_part2"
    empty="TRUNCATE leadconv_fct_client_conversion_events, leadconv_fct_lead_conversions"
    early="INSERT INTO fct_membership_purchases
           SELECT user_id, branch_id, md5('early' || user_id)::uuid::text,
                  '2022-01-01', '2022-01-01', '{\"name\": \"Early Bird\", \"source\": \"WEB\"}'
           FROM dim_user WHERE abs(hashtext(user_id)) % 10 = 0"
    late="DELETE FROM fct_membership_purchases
          WHERE membership_purchased_at = '2022-01-01' AND created_at = '2022-01-01'"
    refresh="SELECT * FROM leadconv_refresh()"
    if [ "$ONLY" != leadconv ]; then
        "${PSQL[@]}" -f bench/plain_facts.sql
    fi
    step "the refresh race: warm-up, then $ROUNDS rounds"
    [ "$ONLY" != leadconv ] && measure "warmup-mv-refresh" "$mv" plain
    measure "warmup-refresh-empty" "$refresh" plain
    for r in $(seq "$ROUNDS"); do
        [ "$ONLY" != leadconv ] && measure "mv-refresh" "$mv" plain
        "${PSQL[@]}" -c "$empty" -c "CHECKPOINT"
        measure "refresh-empty" "$refresh" plain
        measure "refresh" "$refresh" plain
        if ((r % 2)); then "${PSQL[@]}" -c "$early"; else "${PSQL[@]}" -c "$late"; fi
        "${PSQL[@]}" -c "VACUUM ANALYZE fct_membership_purchases" -c "CHECKPOINT"
        measure "refresh-bulk" "$refresh" plain
    done
    "${PSQL[@]}" -c "$late" -c "SELECT * FROM leadconv_refresh()" >/dev/null

    step "automatic refresh: inserting 1,000 purchases, without then with the triggers"
    # the purchases timed, and others (of other users) that warm each session up
    for t in "bench_new_purchases 42" "bench_warm_purchases 43"; do
        read -r table seed <<<"$t"
        "${PSQL[@]}" -c "
        CREATE TABLE $table AS
        SELECT u.user_id, u.branch_id, 'bench-$seed-' || row_number() OVER () AS membership_id,
               timestamp '2024-06-01' + row_number() OVER () * interval '1 minute' AS membership_purchased_at,
               timestamp '2024-06-01' + row_number() OVER () * interval '1 minute' AS created_at,
               '{\"name\": \"Monthly Membership\", \"source\": \"APP\"}'::json AS membership_purchase_details
        FROM (SELECT user_id, branch_id FROM dim_user TABLESAMPLE BERNOULLI (1) REPEATABLE ($seed) LIMIT 1000) u"
    done
    insert="INSERT INTO fct_membership_purchases SELECT * FROM bench_new_purchases"
    undo="DELETE FROM fct_membership_purchases WHERE membership_id LIKE 'bench-%'"
    # As on an application's pooled connection: the session has written
    # before (plans made, zone names loaded), other users' purchases.  The
    # tables are vacuumed between rounds, as autovacuum would: the dead rows
    # of earlier rounds (the same users each time) would otherwise pile up
    # in the pages those users' lookups read, and the fact tables come
    # straight from the refreshes above with every hint bit still to set.
    warm="INSERT INTO fct_membership_purchases SELECT * FROM bench_warm_purchases; $undo"
    vacuum="VACUUM fct_membership_purchases, leadconv_fct_client_conversion_events, leadconv_fct_lead_conversions"
    "${PSQL[@]}" -c "$vacuum"
    for r in $(seq "$ROUNDS"); do
        SETTINGS="$warm" measure "insert-plain" "$insert" plain
        "${PSQL[@]}" -c "$undo" -c "$vacuum"
    done
    measure "enable-auto" "SELECT leadconv_enable_auto_refresh()" plain
    "${PSQL[@]}" -c "$vacuum"
    for r in $(seq "$ROUNDS"); do
        SETTINGS="$warm" measure "insert-auto" "$insert" plain
        "${PSQL[@]}" -c "$undo" -c "$vacuum"
    done
    "${PSQL[@]}" -c "SELECT leadconv_disable_auto_refresh()" \
        -c "DROP TABLE bench_new_purchases, bench_warm_purchases"
fi

if [ "$PERF" = 1 ] && [ "$ONLY" != plain ]; then
    step "profile: one leadconv Part 1 run under perf record"
    measure "perf-lc-part1" "$lc1" copy 1
    perf report -i "$OUT/perf.data" --no-children --percent-limit 0.7 --stdio \
        --sort dso,symbol 2>/dev/null | grep -v '^#' | grep -v '^$' | head -40 | tee "$OUT/perf.txt"
fi

if [ "$(md5sum "$so" | cut -d' ' -f1)" != "$so_md5" ]; then
    echo "WARNING: $so changed during the run: the numbers mix two builds" | tee -a "$OUT/machine.txt"
fi
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at end" >>"$OUT/machine.txt"

# ---------------------------------------------------------------------------
step "results (N=$N, medians of $ROUNDS rounds; memory: the highest of the rounds)"
cat "$OUT/machine.txt" "$OUT/data.txt"
awk -v has_refresh="$has_refresh" -v n="$N" "$awk_median"'
$1 !~ /^warmup/ && $1 !~ /^perf/ {
    k = $1; cnt[k]++; ms[k, cnt[k]] = $2
    if ($3 > hwm[k]) hwm[k] = $3
    if ($4 > anon[k]) anon[k] = $4
    if ($6 != "-") passes[k] = $6
}
function row(label, k) {
    if (!(k in cnt)) return
    printf "%-26s %10.0f %8.0f %8.0f %10.1f %10.1f %7s\n", label, median(k), min(k), max(k),
        hwm[k] / 1024, anon[k] / 1024, (k in passes) ? passes[k] : "-"
}
function min(k,    i, x) { x = ms[k, 1]; for (i = 2; i <= cnt[k]; i++) if (ms[k, i] < x) x = ms[k, i]; return x }
function max(k,    i, x) { x = ms[k, 1]; for (i = 2; i <= cnt[k]; i++) if (ms[k, i] > x) x = ms[k, i]; return x }
function refresh_verdict(k, label, target,    r) {
    if (!(k in cnt) || !("mv-refresh" in cnt)) return
    r = median(k) / median("mv-refresh")
    printf "%s: leadconv/REFRESH MATERIALIZED VIEW = %.3f", label, r
    if (n == 1000000) printf "  target <= %.2f: %s", target, r <= target ? "MET" : "NOT MET"
    printf "\n"
}
function verdict(part, label,    r) {
    if (!(("lc-" part) in cnt) || !(("plain-" part) in cnt)) return
    r = median("lc-" part) / median("plain-" part)
    printf "%s: leadconv/plain = %.3f (plain/leadconv = %.2fx)", label, r, 1 / r
    if (n == 1000000)
        printf "  target <= 0.25: %s", r <= 0.25 ? "MET" : "NOT MET"
    printf "\n"
}
END {
    printf "\n%-26s %10s %8s %8s %10s %10s %7s\n", "", "median ms", "min", "max", "VmHWM MB", "peak anon", "passes"
    row("Part 1 leadconv", "lc-part1")
    row("Part 1 plain SQL", "plain-part1")
    row("Part 2 leadconv", "lc-part2")
    row("Part 2 plain SQL", "plain-part2")
    row("REFRESH MATERIALIZED VIEW", "mv-refresh")
    row("leadconv_refresh(), empty", "refresh-empty")
    row("  after a 10% change", "refresh-bulk")
    row("  nothing changed", "refresh")
    row("insert 1,000 purchases", "insert-plain")
    row("  with auto refresh", "insert-auto")
    print ""
    verdict("part1", "Part 1")
    verdict("part2", "Part 2")
    refresh_verdict("refresh-empty", "refresh into empty facts", 0.5)
    refresh_verdict("refresh-bulk", "refresh after a 10% change", 0.3)
    refresh_verdict("refresh", "refresh with nothing changed", 0.15)
    if (("insert-auto" in cnt) && ("refresh" in cnt)) {
        r = median("insert-auto") / median("refresh")
        printf "auto refresh: the insert keeps the facts fresh in %.1f%% of a refresh with nothing changed", 100 * r
        printf "; it adds %.0f ms to the insert (%.0f ms without)\n",
            median("insert-auto") - median("insert-plain"), median("insert-plain")
    }
    for (k in hwm) if (k ~ /^lc-/ || k ~ /^refresh/) {
        printf "leadconv %s: VmHWM %.1f MB", k ~ /^lc-/ ? substr(k, 4) : k, hwm[k] / 1024
        if (n == 1000000) printf ", target <= 256 MB: %s", hwm[k] <= 256 * 1024 ? "MET" : "NOT MET"
        printf "\n"
    }
    if (has_refresh == 0) print "leadconv_refresh(): not in this build, not measured"
    if (has_refresh == "skipped") print "leadconv_refresh(): skipped (REFRESH=0)"
    if (n != 1000000) print "(the targets are set at N=1000000: no verdicts at N=" n ")"
}' "$OUT/results.txt" | tee "$OUT/summary.txt"
echo
echo "raw numbers: $OUT/results.txt (name ms VmHWM_kB peak_anon_kB RssShmem_kB passes)"
