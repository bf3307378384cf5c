#!/usr/bin/env bash
# Make or refresh a Debian chroot of SUITE with PACKAGES installed, in a cache
# folder outside the repository, and print its path.  As root.
#
#   bash scripts/chroot.sh SUITE PACKAGE...
#     SUITE          a suite (trixie, testing), or BASE+EXTRA (sid+experimental):
#                    a chroot of BASE whose PACKAGEs come from EXTRA, a suite
#                    debootstrap cannot make on its own
#     LEADCONV_CHROOTS  the cache folder (default /var/cache/leadconv/chroots)
#     DEBIAN_MIRROR     the archive to use (default: debootstrap's)
#
# A chroot is complete when its stamp file, written last, is there and it
# passes a quick check (it runs, dpkg is consistent, the packages are
# installed); anything else (missing, half-made by a killed run, broken) is
# made again from scratch, next to the old one, and swapped in at the end.
# Packages missing from a complete chroot are installed into it.  Runs for
# one suite are serialised by a lock in the cache folder.  What is
# mounted into a chroot is mounted in a namespace of its own (chroot_run).
set -euo pipefail
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/provision.sh"

if (($# < 2)); then
    echo "usage: $0 SUITE PACKAGE..." >&2
    exit 2
fi
suite=$1
base=${suite%%+*}
extra=
[[ $suite == *+* ]] && extra=${suite#*+}
shift
packages=("$@")
cache=${LEADCONV_CHROOTS:-/var/cache/leadconv/chroots}
root=$cache/$suite
stamp=.leadconv-complete

log() { printf '    %s\n' "$*" >&2; }

command -v debootstrap >/dev/null || apt_install debootstrap >&2   # stdout is the path

mkdir -p "$cache"
exec 9>"$cache/$suite.lock"
flock 9

in_root() { chroot_run "$@"; }

# testing's and unstable's Release files carry a Valid-Until date, which a
# machine whose clock is ahead of the archive's sees as expired
apt_update() {
    in_root "$1" apt-get -o Acquire::Check-Valid-Until=false update -qq
}

apt_install_in() {
    local dir=$1
    shift
    in_root "$dir" apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confold "$@" >/dev/null
}

# The packages asked for, from EXTRA when there is one.
apt_install_packages() {
    apt_install_in "$1" ${extra:+-t "$extra"} "${@:2}"
}

# Nothing should be mounted under a chroot outside the tests' namespace; if
# something is (a run of an older script killed), unmount it before deleting.
remove_tree() {
    local dir=$1 m
    for m in $(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r); do
        umount -l "$m" || true
    done
    rm -rf --one-file-system "$dir"
}

complete() {
    local dir=$1
    [ -f "$dir/$stamp" ] &&
        in_root "$dir" /bin/true 2>/dev/null &&
        [ -z "$(in_root "$dir" dpkg --audit 2>&1)" ]
}

missing_packages() {
    local dir=$1 p
    for p in "${packages[@]}"; do
        in_root "$dir" dpkg -s "$p" >/dev/null 2>&1 || echo "$p"
    done
}

if complete "$root"; then
    mapfile -t missing < <(missing_packages "$root")
    if ((${#missing[@]})); then
        log "chroot $suite: installing ${missing[*]}"
        rm -f "$root/$stamp"
        apt_update "$root"
        apt_install_packages "$root" "${missing[@]}"
        date -u +%FT%TZ >"$root/$stamp"
    fi
    missing=()
    mapfile -t missing < <(missing_packages "$root")
    if ! ((${#missing[@]})); then
        log "chroot $suite: complete ($root, made $(cat "$root/$stamp"))"
        echo "$root"
        exit 0
    fi
fi

[ -e "$root" ] && log "chroot $suite: incomplete or broken, made again"
new=$root.new
remove_tree "$new"
log "chroot $suite: debootstrap --variant=minbase $base into $new"
# shellcheck disable=SC2086
debootstrap --variant=minbase "$base" "$new" ${DEBIAN_MIRROR:-} >"$cache/$suite.debootstrap.log" 2>&1 || {
    tail -n 20 "$cache/$suite.debootstrap.log" >&2
    exit 1
}
if [ -n "$extra" ]; then
    # the same mirror as BASE's
    sed -n "s/^deb \([^ ]*\) $base .*/deb \1 $extra main/p" "$new/etc/apt/sources.list" \
        >"$new/etc/apt/sources.list.d/$extra.list"
    [ -s "$new/etc/apt/sources.list.d/$extra.list" ] || {
        echo "chroot $suite: no mirror of $base in $new/etc/apt/sources.list" >&2
        exit 1
    }
fi
# no service starts inside the chroot
printf '#!/bin/sh\nexit 101\n' >"$new/usr/sbin/policy-rc.d"
chmod 755 "$new/usr/sbin/policy-rc.d"
log "chroot $suite: installing ${packages[*]}"
apt_update "$new"
# postgresql-common first, told not to make a main cluster: the tests make
# throwaway clusters of their own
apt_install_in "$new" postgresql-common
sed -i 's/^#* *create_main_cluster *=.*/create_main_cluster = false/' \
    "$new/etc/postgresql-common/createcluster.conf"
apt_install_packages "$new" "${packages[@]}"
in_root "$new" apt-get clean
mapfile -t missing < <(missing_packages "$new")
if ((${#missing[@]})); then
    echo "chroot $suite: ${missing[*]} not installed" >&2
    exit 1
fi
date -u +%FT%TZ >"$new/$stamp"
remove_tree "$root"
mv "$new" "$root"
echo "$root"
