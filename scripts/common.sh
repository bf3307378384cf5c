# Shared by the scripts behind `make test`, `make report` and friends.
# Sourced, not run.

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
export PG_CONFIG

step() { printf '\n==> %s\n' "$*"; }

# Debian packages the project needs, installed when missing (as root).
need_packages() {
    local missing=() p
    for p in postgresql-15 postgresql-server-dev-15 postgresql-common make gcc "$@"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    # Headers newer than the server build a module the server cannot load
    # (15.20 made DatumGetHeapTupleHeader a function 15.18 lacks): a machine
    # with an older postgresql-15 preinstalled gets both upgraded together.
    if ((${#missing[@]})) || [ "$(pkg_version postgresql-15)" != "$(pkg_version postgresql-server-dev-15)" ]; then
        step "installing ${missing[*]:-postgresql-15 postgresql-server-dev-15 of one version}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
            postgresql-15 postgresql-client-15 postgresql-server-dev-15 >/dev/null
    fi
}

pkg_version() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || true; }

# A killed pg_virtualenv run as root leaves cluster 15/regress behind, and
# every later run refuses to start.  Ours use -t (a temporary directory),
# but clear a stale one anyway.
clear_stale_cluster() {
    if [ -d /etc/postgresql/15/regress ]; then
        step "removing a stale 15/regress cluster"
        pg_dropcluster 15 regress --stop 2>/dev/null || true
        rm -rf /etc/postgresql/15/regress /var/lib/postgresql/15/regress
    fi
}

# Build with -Wall -Wextra -Werror (set in the Makefile) and install.
build_install() {
    step "building and installing leadconv"
    make -s clean
    make -s
    make -s install
}

# Run a command against a throwaway cluster with PG* variables set.  A
# random free port keeps parallel runs on one machine from colliding.
with_cluster() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        [ -e "/var/run/postgresql/.s.PGSQL.$port" ] || break
    done
    pg_virtualenv -t -c "-p $port" -v 15 "$@"
}
