# Setting the machine up for the scripts behind `make test`, `make report`
# and friends: Debian packages installed when missing, and a stale cluster
# cleared.  Kept apart from the tests, which only use what is there.
# Sourced after scripts/common.sh (step, pkg_version), not run.

# Debian packages, installed when missing (as root).
apt_install() {
    local missing=() p
    for p in "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    if [ "$(id -u)" != 0 ]; then
        echo "missing Debian packages: ${missing[*]}; as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    step "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# PostgreSQL 15 with its headers, the build tools, and the packages named.
need_packages() {
    apt_install postgresql-15 postgresql-client-15 postgresql-server-dev-15 postgresql-common \
        make gcc "$@"
    # Headers newer than the server build a module the server cannot load
    # (15.20 made DatumGetHeapTupleHeader a function 15.18 lacks): a machine
    # with an older postgresql-15 preinstalled gets both upgraded together.
    if [ "$(pkg_version postgresql-15)" != "$(pkg_version postgresql-server-dev-15)" ]; then
        step "upgrading postgresql-15 and postgresql-server-dev-15 to one version"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            postgresql-15 postgresql-client-15 postgresql-server-dev-15 >/dev/null
    fi
}

# A killed pg_virtualenv run as root leaves cluster 15/regress behind, and
# every later run refuses to start.  Ours use -t (a temporary directory),
# but clear a stale one anyway.
clear_stale_cluster() {
    if [ -d "/etc/postgresql/$PG_MAJOR/regress" ]; then
        step "removing a stale $PG_MAJOR/regress cluster"
        pg_dropcluster "$PG_MAJOR" regress --stop 2>/dev/null || true
        rm -rf "/etc/postgresql/$PG_MAJOR/regress" "/var/lib/postgresql/$PG_MAJOR/regress"
    fi
}

