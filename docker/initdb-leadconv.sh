#!/bin/bash
# Installed as /docker-entrypoint-initdb.d/zz_leadconv.sh: the image's
# entrypoint runs it on first start, after any setup.sql (files run in name
# order), while the server accepts only local connections.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'EOSQL'
CREATE EXTENSION IF NOT EXISTS leadconv;
SELECT extname, extversion FROM pg_extension WHERE extname = 'leadconv';
EOSQL
