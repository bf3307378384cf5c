#!/usr/bin/env bash
# make test-versions: the tests on the PostgreSQL versions Debian packages
# beside bookworm's 15, each in a chroot of the Debian suite that has it
# (made or refreshed by scripts/chroot.sh, cached outside the repository).
# For each version: copy the working tree into the chroot, build leadconv
# with -Wall -Wextra -Werror, install it there, and run the whole
# `make installcheck` (REGRESS and ISOLATION) and a short fuzz run against
# a throwaway cluster of that version.  As root; nothing of the machine's
# own PostgreSQL is touched, so no lock is needed.
#
#   bash scripts/test_versions.sh
#     TEST_VERSIONS  MAJOR:SUITE pairs (default "17:trixie 18:testing
#                    19:sid+experimental"; SUITE as scripts/chroot.sh takes it)
#     SEEDS          fuzz seeds per version (default 100)
#     LEADCONV_CHROOTS, DEBIAN_MIRROR: see scripts/chroot.sh
#
# Prints a line per step with its duration, and all of them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

SEEDS=${SEEDS:-100}

# Inside the chroot: build, install and test the copy in /build/leadconv.
if [ "${1:-}" = --inside ]; then
    export PG_MAJOR=$2 SEEDS=$3
    . scripts/common.sh
    times=/build/times
    timed() {
        local label=$1 t0=$SECONDS
        shift
        step "$label"
        "$@"
        printf '%s\t%d s\n' "$label" $((SECONDS - t0)) | tee -a "$times"
    }
    installcheck() {
        rm -f regression.diffs
        if ! with_cluster make -s installcheck; then
            [ -f regression.diffs ] && cat regression.diffs
            return 1
        fi
    }
    timed "$PG_MAJOR: build with -Werror and install" build_install
    timed "$PG_MAJOR: make installcheck" installcheck
    timed "$PG_MAJOR: fuzz ($SEEDS seeds)" with_cluster bash scripts/fuzz.sh SEEDS="$SEEDS"
    exit 0
fi

. scripts/common.sh
if [ "$(id -u)" != 0 ]; then
    echo "$0: run as root (chroots)" >&2
    exit 2
fi

summary=()
current=
started=$SECONDS
report() {
    local rc=$?
    step "test-versions: time per step"
    printf '    %s\n' "${summary[@]}"
    printf '    total\t%d s\n' $((SECONDS - started))
    ((rc == 0)) || echo "test-versions FAILED${current:+ in: $current}"
}
trap report EXIT

timed() {
    local label=$1 t0=$SECONDS
    shift
    current=$label
    step "$label"
    "$@"
    summary+=("$(printf '%s\t%d s' "$label" $((SECONDS - t0)))")
    printf '%s\t%d s\n' "$label" $((SECONDS - t0))
}

for pair in ${TEST_VERSIONS:-17:trixie 18:testing 19:sid+experimental}; do
    major=${pair%%:*}
    suite=${pair#*:}
    root=${LEADCONV_CHROOTS:-/var/cache/leadconv/chroots}/$suite
    timed "$major: chroot of Debian $suite" bash scripts/chroot.sh "$suite" \
        "postgresql-$major" "postgresql-server-dev-$major" make gcc libc6-dev

    current="$major: copying the tree"
    rm -rf --one-file-system "$root/build"
    copy_tree "$root/build/leadconv"
    # glofox.sql reads the brief's data from ../shared when it is there
    [ -d ../shared ] && cp -r ../shared "$root/build/shared"
    chroot_run "$root" "/usr/lib/postgresql/$major/bin/pg_config" --version

    current="$major: tests in the chroot"
    rc=0
    chroot_run "$root" bash /build/leadconv/scripts/test_versions.sh --inside "$major" "$SEEDS" || rc=$?
    [ -f "$root/build/times" ] && mapfile -t -O "${#summary[@]}" summary <"$root/build/times"
    ((rc == 0)) || exit "$rc"
done
current=
step "test-versions: all versions passed"
