#!/usr/bin/env bash
# Starts Debian's PostgreSQL for the gateway's store tests and prints the DATABASE_URL to use.
# CI: `eval "$(bash build/scripts/start-postgres.sh)"` then `npm run test:unit`.
# Needs the `postgresql` Debian package (apt-get install -y postgresql) and root (it uses su).
set -euo pipefail

DB_NAME="${SP_PG_DATABASE:-service_point_test}"
DB_USER="${SP_PG_USER:-service_point}"
DB_PASS="${SP_PG_PASSWORD:-service_point}"
PORT="${SP_PG_PORT:-5432}"

if ! command -v pg_lsclusters >/dev/null 2>&1; then
  echo "start-postgres: PostgreSQL is not installed (apt-get install -y postgresql)" >&2
  exit 1
fi
cluster="$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2" "$4}')"
if [ -z "$cluster" ]; then
  echo "start-postgres: no PostgreSQL cluster found (pg_createcluster)" >&2
  exit 1
fi
read -r version name status <<<"$cluster"
if [ "$status" != "online" ]; then
  pg_ctlcluster "$version" "$name" start >&2
fi
for _ in $(seq 1 30); do
  if su postgres -c "psql -p $PORT -tAc 'SELECT 1'" >/dev/null 2>&1; then break; fi
  sleep 0.5
done

su postgres -c "psql -p $PORT -v ON_ERROR_STOP=1 -q" >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
    CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASS';
  END IF;
  -- The store suite makes throwaway databases (a gateway database from before migrations).
  ALTER ROLE $DB_USER CREATEDB;
END \$\$;
SQL
if ! su postgres -c "psql -p $PORT -tAc \"SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'\"" | grep -q 1; then
  su postgres -c "createdb -p $PORT -O $DB_USER $DB_NAME" >&2
fi
echo "export DATABASE_URL=postgres://$DB_USER:$DB_PASS@127.0.0.1:$PORT/$DB_NAME"
