# Shared by the scripts behind `make test`, `make report` and friends:
# building, throwaway clusters, chroots.  Setting the machine up (packages,
# a stale cluster) is scripts/provision.sh's.  Sourced, not run.

# The PostgreSQL that make test installs and tests is Debian's 15 (bookworm);
# scripts/test_versions.sh sets PG_MAJOR for the others, in their chroots.
PG_MAJOR=${PG_MAJOR:-15}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/$PG_MAJOR/bin/pg_config}
export PG_MAJOR PG_CONFIG

step() { printf '\n==> %s\n' "$*"; }

# The installed version of a Debian package, empty when none.
pkg_version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || true; }

# Build with -Wall -Wextra -Werror (set in the Makefile) and install.
build_install() {
    step "building and installing leadconv"
    make -s clean
    make -s
    make -s install
}

# A TCP port for a throwaway cluster.  It lies below the kernel's ephemeral
# range, where no outgoing connection is given a local port (CI once failed
# when a random port in that range was taken), and nothing holds it now.
free_port() {
    local lo _ port
    read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range
    ((lo > 11000)) || lo=65536
    while :; do
        port=$((10000 + RANDOM % (lo - 10000)))
        [ -e "/var/run/postgresql/.s.PGSQL.$port" ] && continue
        grep -qi ":$(printf '%04X' "$port") " /proc/net/tcp /proc/net/tcp6 2>/dev/null && continue
        echo "$port"
        return
    done
}

# Run a command against a throwaway cluster with PG* variables set, on a port
# of its own so that parallel runs on one machine do not collide.  Something
# may still take the port between the check and the server's start: then the
# command never ran, and it is tried again on another port.  CLUSTER_OPTS adds
# pg_virtualenv options, split on white space (e.g. "-o shared_preload_libraries=pg_cron").
with_cluster() {
    local started attempt rc opts
    read -ra opts <<<"${CLUSTER_OPTS:-}"
    started=$(mktemp -u /tmp/leadconv-started.XXXXXX)
    for attempt in 1 2 3; do
        rc=0
        LC_STARTED=$started pg_virtualenv -t -c "-p $(free_port)" "${opts[@]}" -v "$PG_MAJOR" \
            bash -c 'touch "$LC_STARTED" && exec "$@"' with_cluster "$@" || rc=$?
        if [ -e "$started" ]; then
            rm -f "$started"
            return "$rc"
        fi
        echo "the throwaway cluster did not start (attempt $attempt of 3)" >&2
        sleep $((attempt * 3))
    done
    return 1
}

# Run a command as root in the chroot ROOT, with /proc, /dev, /dev/pts and
# /dev/shm mounted (package scripts, PostgreSQL and pg_virtualenv need
# them) and a plain environment.  The mounts live in a mount namespace of
# their own: unmounted when the command ends, and gone with the namespace
# however it ends (even killed), so no other process ever sees them and a
# cached chroot can always be deleted safely.
chroot_run() {
    unshare --mount --propagation private bash -c '
        set -euo pipefail
        root=$1
        shift
        mounted=()
        unmount() {
            local i
            for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
                umount -l "${mounted[i]}" || true
            done
        }
        trap unmount EXIT
        mount -t proc proc "$root/proc" && mounted+=("$root/proc")
        for d in /dev /dev/pts /dev/shm; do
            mkdir -p "$root$d"
            mount --bind "$d" "$root$d" && mounted+=("$root$d")
        done
        chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
            HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
    ' chroot_run "$@"
}

# Copy the working tree to DEST, without .git and build products.
copy_tree() {
    local dest=$1
    mkdir -p "$dest"
    tar -C "$(dirname "${BASH_SOURCE[0]}")/.." -cf - \
        --exclude=./.git --exclude='*.o' --exclude='*.so' --exclude='*.bc' \
        --exclude=./results --exclude=./output_iso --exclude=./log --exclude=./out \
        --exclude=./tmp_check --exclude=./bench/results \
        --exclude=./regression.diffs --exclude=./regression.out . |
        tar -C "$dest" -xf -
}

# A screenshot of a page (HTML) by headless Chromium, WIDTHxHEIGHT pixels of
# it from the top.  The machine's network is closed: nothing is fetched, and
# a fresh profile each time.
page_screenshot() {
    local html=$1 png=$2 size=$3 profile
    profile=$(mktemp -d)
    rm -f "$png"
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$profile" --window-size="${size/x/,}" \
        --screenshot="$png" "file://$(realpath "$html")" >/dev/null 2>&1 || true
    rm -rf "$profile"
    [ -s "$png" ] || { echo "FAIL: Chromium made no screenshot of $html" >&2; return 1; }
}
