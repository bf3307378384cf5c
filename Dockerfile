# leadconv on the brief's image: PostgreSQL 16, database glofox.
#
#   docker build -t leadconv .
#   docker run -d --name leadconv -p 5432:5432 \
#       -e POSTGRES_DB=glofox -e POSTGRES_PASSWORD=docker \
#       -v "$PWD/../shared/glofox/setup.sql:/docker-entrypoint-initdb.d/setup.sql:ro" \
#       leadconv
#
# On first start the image's entrypoint runs /docker-entrypoint-initdb.d/ in
# name order: the brief's setup.sql (optional; copy or mount it there), then
# zz_leadconv.sh, which runs CREATE EXTENSION leadconv in $POSTGRES_DB.
#
# Not built or run on the project's machines (they have no Docker): see the
# README.
FROM postgres:16

ENV POSTGRES_DB=glofox

COPY . /tmp/leadconv

# The server headers come from the image's own PostgreSQL apt repository
# (apt.postgresql.org), matching its server; build tools and headers are
# removed again once leadconv is installed.  -Werror is left out here: a
# warning from a newer compiler should not stop an image build.
RUN set -eux; \
    apt-get update; \
    apt-mark hold locales; \
    apt-get install -y --no-install-recommends build-essential postgresql-server-dev-16; \
    make -C /tmp/leadconv clean PG_CONFIG=/usr/lib/postgresql/16/bin/pg_config; \
    make -C /tmp/leadconv PG_CONFIG=/usr/lib/postgresql/16/bin/pg_config PG_CFLAGS='-Wall -Wextra'; \
    make -C /tmp/leadconv install PG_CONFIG=/usr/lib/postgresql/16/bin/pg_config; \
    install -m 755 /tmp/leadconv/docker/initdb-leadconv.sh /docker-entrypoint-initdb.d/zz_leadconv.sh; \
    apt-get purge -y --auto-remove build-essential postgresql-server-dev-16; \
    apt-mark unhold locales; \
    rm -rf /var/lib/apt/lists/* /tmp/leadconv
