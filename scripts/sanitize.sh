#!/usr/bin/env bash
# make sanitize: the whole test suite of the Makefile (REGRESS, then
# ISOLATION) against a private PostgreSQL 15 server whose leadconv is built
# with AddressSanitizer and UndefinedBehaviorSanitizer
# (-fsanitize=address,undefined -fno-sanitize-recover=all); fails on any
# sanitizer report, any crash, or any failing test.
#
#   bash scripts/sanitize.sh              # ASan + UBSan
#   bash scripts/sanitize.sh --valgrind   # the normal build, the server
#                                         # under valgrind memcheck
#
# Nothing is installed system-wide, and the shared tree's objects are not
# touched: PostgreSQL's bin, lib and share trees are copied under a temporary
# directory, keeping their layout (the copied binaries find the copied lib
# and share directories relative to themselves), leadconv is built in a copy
# of the sources there and installed into the copy with DESTDIR.  The server
# runs as user postgres, on a Unix socket in that directory only (no TCP).
# Run as root.  LC_SANITIZE_KEEP=1 keeps the directory; it is always kept
# when something fails, and its path printed.
#
# ASan sees overruns of whole malloc'd blocks (leadconv's 1 MB pass arenas,
# hash tables, large pallocs), of the stack and of globals, but not overruns
# inside a palloc'd block that stay in its memory context's block: the
# PostgreSQL server of the distribution is not built with Valgrind or ASan
# annotations of palloc.  --valgrind adds reads of uninitialised memory; it
# counts only the reports leadconv takes part in (the distribution's
# postgres is stripped, so PostgreSQL's own suppressions cannot match).
# Either way, canaries (a module with a known bug, run the same way) must be
# reported, so that a clean run means something.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/common.sh
. scripts/provision.sh

mode=asan
case "${1:-}" in
    "") ;;
    --valgrind) mode=valgrind ;;
    *) echo "usage: $0 [--valgrind]" >&2; exit 2 ;;
esac

if [ "$(id -u)" != 0 ]; then
    echo "$0: run as root (the server runs as user postgres)" >&2
    exit 2
fi
if [ "$mode" = valgrind ]; then
    need_packages valgrind
else
    need_packages
fi

repo=$PWD
bindir=$("$PG_CONFIG" --bindir)         # /usr/lib/postgresql/15/bin
pkglibdir=$("$PG_CONFIG" --pkglibdir)   # /usr/lib/postgresql/15/lib
sharedir=$("$PG_CONFIG" --sharedir)     # /usr/share/postgresql/15
pgroot=$(dirname "$bindir")             # /usr/lib/postgresql/15
pg_regress=$pkglibdir/pgxs/src/test/regress/pg_regress
pg_isolation_regress=$pkglibdir/pgxs/src/test/isolation/pg_isolation_regress

work=$(mktemp -d /tmp/leadconv-sanitize.XXXXXX)
chmod 755 "$work"
root=$work/root
build=$work/build
data=$work/data
sock=$work/sock
logs=$work/sanitizer
status=failed

cleanup() {
    if [ -f "$data/postmaster.pid" ]; then
        runuser -u postgres -- "$root$bindir/pg_ctl" -D "$data" -m immediate stop \
            >/dev/null 2>&1 || true
    fi
    if [ "$status" = passed ] && [ -z "${LC_SANITIZE_KEEP:-}" ]; then
        rm -rf "$work"
    else
        echo "kept: $work (server log: $work/server.log, reports: $logs)"
    fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------
step "copying PostgreSQL 15 ($pgroot, $sharedir) under $root"
for dir in "$pgroot" "$sharedir"; do
    mkdir -p "$root$(dirname "$dir")"
    cp -a "$dir" "$root$(dirname "$dir")/"
done
# only the leadconv built here may be found there
rm -f "$root$pkglibdir/leadconv.so" "$root$sharedir"/extension/leadconv[.-]*
rm -rf "$root$pkglibdir/bitcode/leadconv" "$root$pkglibdir/bitcode/leadconv.index.bc"
relocated=$("$root$bindir/pg_config" --sharedir)
if [ "$relocated" != "$root$sharedir" ]; then
    echo "the copied pg_config reports sharedir $relocated, not $root$sharedir:" \
        "this PostgreSQL is not relocatable" >&2
    exit 1
fi

# ---------------------------------------------------------------------------
if [ "$mode" = asan ]; then
    copt="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g"
else
    copt="-fno-omit-frame-pointer -g"
fi
step "building leadconv in $build with COPT=\"$copt\""
copy_tree "$build"
# with_llvm=no: no bitcode for JIT inlining (the server runs with jit off)
make -C "$build" -s PG_CONFIG="$PG_CONFIG" with_llvm=no COPT="$copt"
make -C "$build" -s PG_CONFIG="$PG_CONFIG" with_llvm=no COPT="$copt" \
    install DESTDIR="$root" >/dev/null
so=$root$pkglibdir/leadconv.so
if [ "$mode" = asan ] && ! readelf -d "$so" | grep -q 'NEEDED.*libasan'; then
    echo "$so is not linked with the ASan runtime" >&2
    exit 1
fi

# The tests the Makefile lists, and its options for them.
cat >"$work/print.mk" <<'EOF'
print-%:
	@echo $($*)
EOF
makevar() {
    make -s -C "$build" -f Makefile -f "$work/print.mk" PG_CONFIG="$PG_CONFIG" "print-$1"
}
regress=$(makevar REGRESS)
regress_opts=$(makevar REGRESS_OPTS)
isolation=$(makevar ISOLATION)
isolation_opts=$(makevar ISOLATION_OPTS)

# ---------------------------------------------------------------------------
step "starting a private server ($mode)"
mkdir -p "$data" "$sock" "$logs"
chown postgres: "$data" "$sock" "$logs"
chmod 700 "$data"
runuser -u postgres -- "$root$bindir/initdb" -D "$data" -U postgres -A trust \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$work/initdb.log" 2>&1
port=$((20000 + RANDOM % 20000))
cat >>"$data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$sock'
port = $port
jit = off
fsync = off
EOF
touch "$work/server.log"
chown postgres: "$work/server.log"

if [ "$mode" = asan ]; then
    asan_rt=$(readlink -f "$(gcc -print-file-name=libasan.so)")
    # The ASan runtime, preloaded into a program not built with it, starts
    # at the first call it intercepts.  In postgres that is a malloc inside
    # bindtextdomain(), called by libgpg-error's constructor (postgres ->
    # libsystemd -> libgcrypt -> libgpg-error) with glibc's gettext lock
    # held for writing; starting up, ASan reads a message through gettext,
    # which takes and releases that lock for reading, and leaves it corrupt:
    # the server hangs at its own bindtextdomain() (so does
    # `LD_PRELOAD=libasan.so.8 postgres -V`).  This shim, preloaded after
    # the runtime, starts ASan before any bindtextdomain() takes the lock.
    cat >"$work/asan_gettext_shim.c" <<'SHIM'
#define _GNU_SOURCE
#include <dlfcn.h>

extern void __asan_init(void);

char *
bindtextdomain(const char *domainname, const char *dirname)
{
	static char *(*real) (const char *, const char *);

	__asan_init();
	if (real == 0)
		real = (char *(*) (const char *, const char *)) dlsym(RTLD_NEXT, "bindtextdomain");
	return real(domainname, dirname);
}
SHIM
    gcc -shared -fPIC -O1 -Wall -Werror -o "$work/asan_gettext_shim.so" \
        "$work/asan_gettext_shim.c" -ldl
    # detect_leaks=0: the postmaster does not free at exit.  abort_on_error:
    # an ASan report kills the backend with SIGABRT, and the postmaster
    # restarts cleanly.  ASan writes its reports to $logs/asan.<pid>; UBSan
    # (with -fno-sanitize-recover, it exits the backend) ignores its
    # log_path here and writes to the server log, which is scanned too.
    runuser -u postgres -- env \
        LD_PRELOAD="$asan_rt:$work/asan_gettext_shim.so" \
        ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:disable_coredump=1:log_path=$logs/asan" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1:disable_coredump=1:log_path=$logs/ubsan" \
        "$root$bindir/pg_ctl" -D "$data" -l "$work/server.log" -w -t 120 start >/dev/null
else
    cat >"$work/valgrind-filter.awk" <<'FILTER'
# Print the valgrind reports leadconv takes part in.  so: path of
# leadconv.so; src: regex of a "(file.c:N)" of leadconv's sources.  A report
# counts when a leadconv frame is among the first 8 named frames of the
# error's stack, or among the first 3 named frames, past the allocator, of
# the stack where the uninitialised value was allocated.  Frames "???" are
# PostgreSQL's static functions (the binary is stripped).
function ours(line) { return index(line, so) || line ~ src }
function flush() {
    if (hit) printf "%s\n", block
    block = ""; part = "error"; named = 0; hit = 0
}
BEGIN { part = "error" }
/^==[0-9]+== $/ { flush(); next }
{
    block = block $0 "\n"
    if ($0 ~ /Uninitialised value was created/) { part = "origin"; named = 0; next }
    if ($0 ~ /^==[0-9]+== +Address 0x/) { part = "address"; next }
    if ($0 !~ /^==[0-9]+== +(at|by) 0x[0-9A-Fa-f]+: /) next
    fn = $0
    sub(/^==[0-9]+== +(at|by) 0x[0-9A-Fa-f]+: /, "", fn)
    sub(/ .*/, "", fn)
    if (fn == "???") next
    if (part == "origin" && fn ~ /^(malloc|calloc|realloc|palloc|palloc0|palloc_extended|repalloc|repalloc_huge|MemoryContextAlloc[A-Za-z]*|pstrdup|pnstrdup|AllocSet[A-Za-z]*|Generation[A-Za-z]*|Slab[A-Za-z]*)$/) next
    named++
    if (part == "error" && named <= 8 && ours($0)) hit = 1
    if (part == "origin" && named <= 3 && ours($0)) hit = 1
}
END { flush() }
FILTER
    supp=$repo/scripts/valgrind.supp
    cat >"$work/postgres-valgrind" <<EOF
#!/bin/sh
exec valgrind --quiet --trace-children=yes --track-origins=yes --num-callers=30 \\
    --error-limit=no --leak-check=no --suppressions=$supp \\
    --log-file=$logs/valgrind.%p.log "$root$bindir/postgres" "\$@"
EOF
    chmod 755 "$work/postgres-valgrind"
    runuser -u postgres -- "$root$bindir/pg_ctl" -D "$data" -l "$work/server.log" \
        -p "$work/postgres-valgrind" -w -t 600 start >/dev/null
fi
export PGHOST=$sock PGPORT=$port PGUSER=postgres PGDATABASE=postgres

# The backends load the leadconv built here (and, for ASan, its runtime).
maps=$(psql -X -At -c "LOAD 'leadconv'" -c "SELECT pg_read_file('/proc/self/maps')")
if ! grep -qF "$so" <<<"$maps"; then
    echo "the server did not load $so" >&2
    exit 1
fi
if [ "$mode" = asan ] && ! grep -q 'libasan' <<<"$maps"; then
    echo "the server runs without the ASan runtime" >&2
    exit 1
fi

# ---------------------------------------------------------------------------
# From the repository, as make installcheck runs them: tests read files
# relative to it (glofox.sql reads ../shared).
tests_ok=true
step "regression tests: $regress"
# shellcheck disable=SC2086
"$pg_regress" --bindir="$root$bindir" --inputdir="$build" \
    --outputdir="$work/regress" $regress_opts $regress || tests_ok=false
if [ -n "$isolation" ]; then
    step "isolation tests: $isolation"
    # shellcheck disable=SC2086
    "$pg_isolation_regress" --bindir="$root$bindir" --inputdir="$build" \
        --outputdir="$work/isolation" $isolation_opts $isolation || tests_ok=false
fi

# What the tests left, before the canaries add theirs.
log_lines=$(wc -l <"$work/server.log")
files_before=$(find "$logs" -type f | sort)

# ---------------------------------------------------------------------------
# Canaries: a module with a known heap overflow and a known too-wide shift
# (ASan, UBSan), or a branch on uninitialised memory (valgrind), built and
# run the same way, must be reported: a run without reports then means
# something.
step "canaries: a known bug must be reported"
mkdir -p "$work/canary"
cat >"$work/canary/lc_canary.c" <<'CANARY'
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;

#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

/* a write one byte past a malloc'd block */
PG_FUNCTION_INFO_V1(lc_canary_heap_overflow);
Datum
lc_canary_heap_overflow(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);
	volatile char *p = malloc(n);

	p[n] = 'x';
	free((void *) p);
	PG_RETURN_VOID();
}

/*
 * A shift by more than the width (PostgreSQL builds with -fwrapv, so a
 * signed overflow is defined behaviour and not reported).
 */
PG_FUNCTION_INFO_V1(lc_canary_shift);
Datum
lc_canary_shift(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);

	PG_RETURN_INT32(1 << n);
}

/* a branch on malloc'd memory never written */
PG_FUNCTION_INFO_V1(lc_canary_uninitialised);
Datum
lc_canary_uninitialised(PG_FUNCTION_ARGS)
{
	volatile char *p = malloc(16);
	bool		set = p[PG_GETARG_INT32(0)] != 0;

	free((void *) p);
	PG_RETURN_BOOL(set);
}
CANARY
cat >"$work/canary/Makefile" <<'CANARY'
MODULES = lc_canary
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
CANARY
make -C "$work/canary" -s PG_CONFIG="$PG_CONFIG" with_llvm=no COPT="$copt"
make -C "$work/canary" -s PG_CONFIG="$PG_CONFIG" with_llvm=no COPT="$copt" \
    install DESTDIR="$root" >/dev/null

# Each canary in its own session; a sanitizer report kills the backend, and
# the postmaster restarts.
canary() {
    psql -X -q -c "CREATE FUNCTION pg_temp.canary(int) RETURNS $2
        AS '\$libdir/lc_canary', '$1' LANGUAGE C STRICT" \
        -c "SELECT pg_temp.canary($3)" >/dev/null 2>&1 || true
    for _ in $(seq 120); do
        psql -X -q -At -c "SELECT 1" >/dev/null 2>&1 && return
        sleep 1
    done
}
if [ "$mode" = asan ]; then
    canary lc_canary_heap_overflow void 100
    canary lc_canary_shift int 40
    expected_reports=("heap-buffer-overflow" "shift exponent 40 is too large")
else
    canary lc_canary_uninitialised bool 3
    expected_reports=("uninitialised value")
fi

runuser -u postgres -- "$root$bindir/pg_ctl" -D "$data" -m fast -w -t 300 stop >/dev/null

canary_logs=$(comm -13 <(echo "$files_before") <(find "$logs" -type f | sort))
canary_files=$canary_logs
tail -n +"$((log_lines + 1))" "$work/server.log" >"$work/canary/server.log"
if [ "$mode" = valgrind ] && [ -n "$canary_logs" ]; then
    # through the filter the reports of the tests go through
    # shellcheck disable=SC2086
    awk -v so="$root$pkglibdir/lc_canary.so" -v src="[(]lc_canary[.]c:[0-9]+[)]" \
        -f "$work/valgrind-filter.awk" $canary_logs >"$work/canary/valgrind.log"
    canary_files=$work/canary/valgrind.log
fi
canaries_ok=true
for what in "${expected_reports[@]}"; do
    # shellcheck disable=SC2086
    if grep -q "$what" $canary_files "$work/canary/server.log"; then
        echo "canary reported: $what"
    else
        echo "canary NOT reported: $what (the sanitizer setup does not work)"
        canaries_ok=false
    fi
done

# ---------------------------------------------------------------------------
step "scanning for reports"
reports=$(comm -23 <(find "$logs" -type f -size +0 | sort) <(echo "$canary_logs"))
# UBSan writes to the server's stderr, and its abort is an exit(1)
crashes=$(head -n "$log_lines" "$work/server.log" |
    grep -E -A3 'terminated by signal|was terminated by exception|server process \(PID [0-9]+\) exited with exit code|runtime error:|Sanitizer|^==[0-9]+==' || true)
if [ "$mode" = valgrind ] && [ -n "$reports" ]; then
    # The distribution's postgres binary is stripped: the suppressions of
    # PostgreSQL, by function name, cannot match its static functions, so
    # its known and harmless reports (uninitialised padding written to WAL
    # and to the relcache init file) come through.  Only the reports that
    # leadconv takes part in count (valgrind-filter.awk says how).
    sources=$(find "$build/src" -name '*.c' -printf '%f\n' | sed 's/\.c$//' | paste -sd'|')
    # shellcheck disable=SC2086
    echo "valgrind: all reports, by kind (those leadconv takes no part in do not count):"
    # shellcheck disable=SC2086
    grep -h '^==[0-9]*== [A-Z]' $reports | sed 's/^==[0-9]*== //' | sort | uniq -c
    # shellcheck disable=SC2086
    reports=$(awk -v so="$so" -v src="[(]($sources)[.]c:[0-9]+[)]" \
        -f "$work/valgrind-filter.awk" $reports)
    [ -n "$reports" ] && printf '\nvalgrind: reports leadconv takes part in:\n%s\n' "$reports"
elif [ -n "$reports" ]; then
    for f in $reports; do
        printf '\n--- %s\n' "$f"
        cat "$f"
    done
fi
[ -n "$crashes" ] && printf '\n--- crashes and reports in the server log:\n%s\n' "$crashes"
for d in regress isolation; do
    [ -f "$work/$d/regression.diffs" ] && [ -s "$work/$d/regression.diffs" ] &&
        printf '\n--- %s\n' "$work/$d/regression.diffs" && cat "$work/$d/regression.diffs"
done

if [ -z "$reports" ] && [ -z "$crashes" ] && $tests_ok && $canaries_ok; then
    status=passed
    step "sanitize ($mode): all tests passed, no reports"
else
    step "sanitize ($mode): FAILED" \
        "(reports: $([ -n "$reports" ] && echo some || echo none), tests passed: $tests_ok, canaries reported: $canaries_ok)"
    exit 1
fi
